"""Arrow tables of documents and of tasks, and the one function every engine runs on them.

Why tables: Ray Data, Spark's ``mapInArrow``, ``datasets.map`` and a process pool all move
Arrow batches cheaply, so ``preannotate_table(table) -> table`` is the unit of work everywhere
and the local run and a cluster run give the same rows. A record travels as its JSON text (an
exact round trip: key order, floats, nulls), beside a few typed columns for ordering, selecting
and counting without parsing it. A document that fails comes back with its ``error`` and no
pre-annotation: reported, never dropped.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from annotate_kit.lsformat import record_to_task
from annotate_kit.ordered_pool import ordered_map
from annotate_kit.records import Record

if TYPE_CHECKING:
    from annotate_kit.preannotate import Preannotator

logger = logging.getLogger(__name__)

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("ordinal", pa.int64(), nullable=False),  # position in the input, after dedup
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("lang", pa.string()),
        pa.field("record", pa.string(), nullable=False),  # the record as JSON
    ]
)
COUNTED = ("entities", "claims", "cues", "relations")
TASK_SCHEMA = pa.schema(
    [
        *DOCUMENT_SCHEMA,
        pa.field("model_version", pa.string()),  # null: not pre-annotated (or failed)
        *(pa.field(layer, pa.int32(), nullable=False) for layer in COUNTED),
        pa.field("check_worthy", pa.int32(), nullable=False),  # claims labelled CFS
        pa.field("error", pa.string()),  # why pre-annotation failed; null when it did not
    ]
)
DEFAULT_BATCH = 64  # documents per batch: small enough to spread over workers, large for spaCy


def _dumps(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def document_table(records: Sequence[Record], *, start: int = 0) -> pa.Table:
    """Records (numbered from ``start``) as a table of ``DOCUMENT_SCHEMA``."""
    return pa.table(
        {
            "ordinal": pa.array(range(start, start + len(records)), pa.int64()),
            "doc_id": [r["doc_id"] for r in records],
            "lang": [r.get("lang") for r in records],
            "record": [_dumps(r) for r in records],
        },
        schema=DOCUMENT_SCHEMA,
    )


def document_tables(records: Iterable[Record], *, size: int = DEFAULT_BATCH) -> Iterator[pa.Table]:
    """Consecutive tables of ``size`` documents: the partitioning by document count that
    spreads work evenly (Ray merges small files into one block otherwise: FACTS.md)."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1 (got {size})")
    iterator, start = iter(records), 0
    while batch := list(islice(iterator, size)):
        yield document_table(batch, start=start)
        start += len(batch)


def table_records(table: pa.Table) -> list[Record]:
    """The records of a document or task table, in row order."""
    return [json.loads(text) for text in table.column("record").to_pylist()]


def task_of(record: Record) -> dict[str, Any]:
    """The Label Studio task of a row's record: predictions only when it was pre-annotated."""
    return record_to_task(
        record, model_version=(record.get("annotation") or {}).get("model_version")
    )


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
        "record": [_dumps(r) for r in records],
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
    from annotate_kit.preannotate import preannotate_batch

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
    ) -> None:
        self.lang = lang
        self.models = dict(models or {})
        self.preannotate = preannotate
        self._pre: Preannotator | None = None

    @property
    def notices(self) -> list[str]:
        return list(self._pre.notices) if self._pre is not None else []

    def __call__(self, table: pa.Table) -> pa.Table:
        if self.preannotate and self._pre is None:
            from annotate_kit.preannotate import Preannotator

            self._pre = Preannotator(lang=self.lang, models=self.models)
        return preannotate_table(table, preannotator=self._pre)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_pre": None}


def preannotate_tables(
    tables: Iterable[pa.Table],
    *,
    lang: str | None = None,
    preannotate: bool = True,
    workers: int = 1,
    models: dict[str, str] | None = None,
    on_notice: Callable[[str], None] | None = None,
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

    worker = TablePreannotator(lang=lang, models=models, preannotate=preannotate)
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


def spark_ddl(schema: pa.Schema = TASK_SCHEMA) -> str:
    """``schema`` as a Spark DDL string (the ``schema=`` of ``mapInArrow``), with the exact
    integer widths: a wrong width gives cryptic JVM errors (FACTS.md)."""
    names = {pa.int64(): "BIGINT", pa.int32(): "INT", pa.string(): "STRING"}
    return ", ".join(
        f"{f.name} {names[f.type]}" + ("" if f.nullable else " NOT NULL") for f in schema
    )


_WORKER: dict[str, TablePreannotator] = {}


def _init_worker(worker: TablePreannotator) -> None:
    _WORKER["worker"] = worker


def _run_worker(table: pa.Table) -> tuple[pa.Table, list[str]]:
    worker = _WORKER["worker"]
    return worker(table), worker.notices
