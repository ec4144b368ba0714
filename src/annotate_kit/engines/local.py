"""The local engine: pre-annotation of task tables in this process or a pool of workers, each loading its pipeline once."""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from annotate_kit._pool import ordered_map
from annotate_kit.io.tables import COUNTED, DOCUMENT_SCHEMA, TASK_SCHEMA, record_json, table_records
from annotate_kit.scheme.records import Record

if TYPE_CHECKING:
    from annotate_kit.preannotate.core import Preannotator

logger = logging.getLogger(__name__)
_WORKER: dict[str, TablePreannotator] = {}


def preannotate_table(table: pa.Table, *, preannotator: Preannotator | None) -> pa.Table:
    """A document table as a task table (``TASK_SCHEMA``), rows in the same order.

    With ``preannotator=None`` records pass through unchanged (conversion only). Errors that
    concern the whole run (a lexicon or model that cannot load) raise; an error in one
    document marks that row only.
    """
    records = table_records(table)
    errors: list[str | None] = [None] * len(records)
    if preannotator is not None:
        records, errors = _preannotate_each(records, preannotator)
    model_versions = [
        None if error else (r.get("annotation") or {}).get("model_version")
        for r, error in zip(records, errors, strict=True)
    ]
    columns: dict[str, Any] = {
        "ordinal": table.column("ordinal"),
        "doc_id": table.column("doc_id"),
        "lang": table.column("lang"),
        "record": [record_json(r) for r in records],
        "model_version": model_versions,
    }
    for layer in COUNTED:
        columns[layer] = pa.array([len(r.get(layer) or ()) for r in records], pa.int32())
    columns["check_worthy"] = pa.array(
        [sum(c.get("check_worthiness") == "CFS" for c in r.get("claims") or ()) for r in records],
        pa.int32(),
    )
    columns["error"] = pa.array(errors, pa.string())
    return pa.table(columns, schema=TASK_SCHEMA)


def _preannotate_each(
    records: list[Record], preannotator: Preannotator
) -> tuple[list[Record], list[str | None]]:
    """The batch at once; if it raises, each record alone, so one bad document fails alone."""
    from annotate_kit.preannotate.core import preannotate_batch

    for lang in {preannotator.lang or r.get("lang", "") for r in records}:
        preannotator.kit(lang)  # load failures concern every document: let them raise here
    try:
        return preannotate_batch(records, preannotator=preannotator), [None] * len(records)
    except Exception:  # isolated below, record by record, and reported
        logger.debug("batch failed; retrying its documents one by one", exc_info=True)
    done: list[Record] = []
    errors: list[str | None] = []
    for record in records:
        try:
            [result] = preannotate_batch([record], preannotator=preannotator)
        except Exception as exc:  # noqa: BLE001 - one document's failure is data, not a crash
            done.append(record)
            errors.append(f"{type(exc).__name__}: {exc}")
        else:
            done.append(result)
            errors.append(None)
    return done, errors


class TablePreannotator:
    """What a worker holds: configuration until the first batch, then a loaded pipeline.

    Engines ship this object (Ray actors, ``datasets.map`` workers, pool processes) before it
    loads anything; a loaded pipeline is never pickled (FACTS.md: as slow as loading it).
    """

    def __init__(
        self,
        *,
        lang: str | None = None,
        models: dict[str, str] | None = None,
        preannotate: bool = True,
        suggest: str = "both",
    ) -> None:
        self.lang = lang
        self.models = dict(models or {})
        self.suggest = suggest
        self.preannotate = preannotate
        self._pre: Preannotator | None = None

    @property
    def notices(self) -> list[str]:
        return list(self._pre.notices) if self._pre is not None else []

    def __call__(self, table: pa.Table) -> pa.Table:
        if self.preannotate and self._pre is None:
            from annotate_kit.preannotate.core import Preannotator

            self._pre = Preannotator(lang=self.lang, models=self.models, suggest=self.suggest)
        return preannotate_table(table, preannotator=self._pre)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pre": None}


def preannotate_tables(
    tables: Iterable[pa.Table],
    *,
    lang: str | None = None,
    preannotate: bool = True,
    workers: int = 1,
    on_notice: Callable[[str], None] | None = None,
    models: dict[str, str] | None = None,
    suggest: str = "both",
) -> Iterator[pa.Table]:
    """The local engine: task tables in input order, from this process or ``workers`` spawned
    ones; at most ``2 * workers`` tables in flight, so memory stays flat on any input."""
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    seen: set[str] = set()

    def report(notices: Iterable[str]) -> None:
        for notice in notices:
            if notice not in seen:
                seen.add(notice)
                (on_notice or logger.warning)(notice)

    worker = TablePreannotator(lang=lang, preannotate=preannotate, models=models, suggest=suggest)
    if workers == 1 or not preannotate:
        for table in tables:
            done = worker(table)
            report(worker.notices)
            yield done
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(worker,)) as pool:
        for done, notices in ordered_map(pool, _run_worker, tables, workers=workers):
            report(notices)
            yield done


def preannotate_batches(
    batches: Iterable[pa.RecordBatch], *, lang: str | None = None, preannotate: bool = True
) -> Iterator[pa.RecordBatch]:
    """Record batches of documents in, record batches of tasks (``TASK_SCHEMA``) out.

    The shape of Spark's ``DataFrame.mapInArrow`` (one call per partition): extra columns,
    such as those of convert's shards, are ignored, and the pipeline is loaded once per Python
    worker, not per partition. The rows are those of ``preannotate_table``.
    """
    worker = _partition_worker(lang, preannotate)
    for batch in batches:
        table = pa.Table.from_batches([batch]).select(DOCUMENT_SCHEMA.names)
        yield from worker(table.cast(DOCUMENT_SCHEMA)).to_batches()


@cache
def _partition_worker(lang: str | None, preannotate: bool) -> TablePreannotator:
    return TablePreannotator(lang=lang, preannotate=preannotate)


def _init_worker(worker: TablePreannotator) -> None:
    _WORKER["worker"] = worker


def _run_worker(table: pa.Table) -> tuple[pa.Table, list[str]]:
    worker = _WORKER["worker"]
    return worker(table), worker.notices
