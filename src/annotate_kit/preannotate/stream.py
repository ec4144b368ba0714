"""Streaming pre-annotation, in this process or in worker processes, order preserved.

Memory stays flat: at most ``workers * 2`` batches are in flight, the input is read lazily
and results are yielded as soon as the oldest batch is done. Each worker builds its own
``Preannotator`` once (a loaded spaCy pipeline is never pickled: FACTS.md measured pickling
as slow as loading).
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from annotate_kit._pool import ordered_map

if TYPE_CHECKING:
    from annotate_kit.preannotate.core import Preannotator

Record = dict[str, Any]
logger = logging.getLogger(__name__)
_WORKER: dict[str, Any] = {}


def preannotate_stream(
    records: Iterable[Record],
    *,
    lang: str | None = None,
    workers: int = 1,
    batch_size: int = 64,
    preannotator: Preannotator | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Iterator[Record]:
    """Pre-annotated copies of ``records``, in input order, ``batch_size`` at a time.

    ``workers > 1`` runs batches in that many spawned processes. ``on_notice`` receives each
    one-time notice (no pipeline, no lexicon) once; by default notices are logged.
    """
    from annotate_kit.preannotate.core import Preannotator, preannotate_batch

    if batch_size < 1 or workers < 1:
        raise ValueError(f"batch_size and workers must be >= 1 (got {batch_size}, {workers})")
    seen: set[str] = set()

    def report(notices: Iterable[str]) -> None:
        for notice in notices:
            if notice not in seen:
                seen.add(notice)
                (on_notice or logger.warning)(notice)

    batches = _batches(records, batch_size)
    if workers == 1:
        pre = preannotator or Preannotator(lang=lang)
        for batch in batches:
            done = preannotate_batch(batch, preannotator=pre)
            report(pre.notices)
            yield from done
        return
    context = multiprocessing.get_context("spawn")
    with context.Pool(workers, initializer=_init_worker, initargs=(lang,)) as pool:
        for done, notices in ordered_map(pool, _run_worker, batches, workers=workers):
            report(notices)
            yield from done


def _batches(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _init_worker(lang: str | None) -> None:
    from annotate_kit.preannotate.core import Preannotator

    _WORKER["pre"] = Preannotator(lang=lang)


def _run_worker(batch: list[Record]) -> tuple[list[Record], list[str]]:
    from annotate_kit.preannotate.core import preannotate_batch

    pre = _WORKER["pre"]
    return preannotate_batch(batch, preannotator=pre), list(pre.notices)
