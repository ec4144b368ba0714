"""`validate --workers N`: the same report as one process, from N processes.

Records are read, parsed and checked where the work is. For JSONL the main process only finds
blocks of whole lines (offset, size, first line number) and each worker reads its block from
the file itself; shard rows go out as text in chunks. At most two chunks per worker are in
flight, so memory stays flat; the workers' reports are merged in input order, so problems come
out in the order one process gives. A Label Studio JSON export is read an element at a time in
the main process (jsonstream.py); its records are then checked in the workers like the rest.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from annotate_kit._pool import ordered_map
from annotate_kit.io.inputs import Item, Lines, Raw, ReadStats, iter_units, parse_units
from annotate_kit.validate.items import record_bar, reject_entry, validate_items
from annotate_kit.validate.problems import Report

CHUNK = 64  # records per message: large enough to amortise the pipe, small enough to spread


def validate_in_workers(
    paths: list[str | Path],
    *,
    workers: int,
    rejects: TextIO | None = None,
    progress: bool = False,
) -> Report:
    """validate_paths in ``workers`` processes (spawned: nothing of this process leaks in)."""
    report = Report()
    chunks = _chunks(iter_units(paths, report.stats, extents=True))
    context = multiprocessing.get_context("spawn")
    check = functools.partial(_check, want_rejects=rejects is not None)
    with context.Pool(workers) as pool, record_bar(progress) as bar:
        for part, rejected, _ in ordered_map(pool, check, chunks, workers=workers):
            _merge(report, part, rejected, rejects)
            bar.update(part.records)
    return report


Outcome = tuple[bool, Any, bool]  # valid, its doc_id, cancelled


def outcomes_in_workers(
    paths: list[str | Path], *, workers: int, report: Report
) -> Iterator[Outcome]:
    """(valid, doc_id, cancelled) of every record, in input order, checked in ``workers``
    processes; problems and counts go to ``report`` (export's validation pass)."""
    chunks = _chunks(iter_units(paths, report.stats, extents=True))
    context = multiprocessing.get_context("spawn")
    check = functools.partial(_check, want_rejects=False, want_outcomes=True)
    with context.Pool(workers) as pool:
        for part, _, outcomes in ordered_map(pool, check, chunks, workers=workers):
            _merge(report, part, [], None)
            yield from outcomes


def outcome(item: Item, problems: list[Any]) -> Outcome:
    record = item.record
    cancelled = bool((record.get("annotation") or {}).get("cancelled")) if not problems else False
    return (not problems, record.get("doc_id") if not problems else None, cancelled)


def _chunks(units: Iterator[Raw | Lines | Item]) -> Iterator[list[Raw | Lines | Item]]:
    """A block of lines alone (it is about 50 records already), other units by CHUNK."""
    chunk: list[Raw | Lines | Item] = []
    for unit in units:
        if isinstance(unit, Lines):
            if chunk:
                yield chunk
                chunk = []
            yield [unit]
            continue
        chunk.append(unit)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check(
    chunk: list[Raw | Lines | Item], want_rejects: bool, want_outcomes: bool = False
) -> tuple[Report, list[str], list[Outcome]]:
    """A worker's part: a report of its chunk and, when asked, its reject lines and the
    outcome of each record."""
    report = Report()
    rejected, outcomes = [], []
    for item, problems in validate_items(parse_units(chunk, report.stats), report):
        if problems and want_rejects:
            rejected.append(reject_entry(item, problems))
        if want_outcomes:
            outcomes.append(outcome(item, problems))
    return report, rejected, outcomes


def _merge(report: Report, part: Report, rejected: list[str], rejects: TextIO | None) -> None:
    report.valid += part.valid
    report.invalid += part.invalid
    report.cancelled += part.cancelled
    report.problems.extend(part.problems)
    _add_stats(report.stats, part.stats)
    if rejects is not None:
        rejects.writelines(rejected)


def _add_stats(total: ReadStats, part: ReadStats) -> None:
    total.tasks += part.tasks
    total.tasks_without_annotations += part.tasks_without_annotations
    total.records += part.records
