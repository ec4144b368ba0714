"""Overlap for agreement: which documents several annotators see, set in Label Studio.

Label Studio Community hands a task out until it has ``task.overlap`` annotations. The
project's ``maximum_annotations`` (N) and ``overlap_cohort_percentage`` (P) set those
numbers, but Label Studio draws the cohort itself, again at every settings change and every
import: tasks with the most annotations first, then at random (projects/models.py
``_rearrange_overlap_cohort`` in 1.23). annotate-kit wants a sample that is known in advance
and the same on every run, so that agreement is computed on it: a document is in the sample
when a hash of its ``doc_id`` falls below P %, and that choice is written into the task data
(``data.overlap``: true or false). After Label Studio's redraw, every task whose ``overlap``
differs from the sample is set back (one PATCH per such task, ``is_labeled`` recomputed
with it so that a task entering the sample is handed out again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from annotate_kit.errors import ConfigConflictError, InputError
from annotate_kit.labelstudio.bulk import iter_tasks
from annotate_kit.labelstudio.client import Connection

OVERLAP_KEY = "overlap"  # in the task data: true when the document is in the overlap sample


@dataclass(frozen=True)
class Overlap:
    """N annotators on a share of the documents (0 < share <= 1)."""

    annotators: int
    share: float

    def __post_init__(self) -> None:
        if self.annotators < 1:
            raise InputError(f"--overlap {self.annotators}: expected 1 annotator or more")
        if not 0 < self.share <= 1:
            raise InputError(
                f"--overlap-share {self.share:g}: expected a share in (0, 1], e.g. 0.2 for 20 %"
            )

    @property
    def percentage(self) -> int:
        """Label Studio's overlap_cohort_percentage (an integer)."""
        return round(self.share * 100)


def in_sample(doc_id: str, share: float) -> bool:
    """Whether a document is in the overlap sample: the same answer on every run and machine."""
    digest = hashlib.sha256(f"annotate-kit overlap:{doc_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < share * (1 << 64)


def mark_tasks(
    tasks: Iterable[dict[str, Any]], overlap: Overlap | None
) -> Iterator[dict[str, Any]]:
    """The tasks with ``data.overlap`` set from their doc_id (unchanged without overlap)."""
    for task in tasks:
        if overlap is None:
            yield task
        else:
            data = {**task["data"], OVERLAP_KEY: in_sample(task["data"]["doc_id"], overlap.share)}
            yield {**task, "data": data}


@dataclass
class OverlapChange:
    """What setting the overlap does (or, before ``apply``, would do) to a project."""

    before: tuple[int, int]  # (maximum_annotations, overlap_cohort_percentage)
    after: tuple[int, int]
    tasks: int = 0
    sample: int = 0  # tasks in the sample
    annotated: int = 0  # tasks with at least one annotation (skips included)
    data_updates: int = 0  # tasks whose data.overlap is written
    entering: int = 0  # annotated tasks that enter the sample: handed out again
    leaving: int = 0  # annotated tasks that leave it: no further annotator is asked
    overlap_updates: int = 0  # tasks whose Label Studio overlap was set back (after apply)
    applied: bool = False

    def lines(self) -> list[str]:
        """The change in words, for the confirmation asked before changing a busy project."""
        (n0, p0), (n1, p1) = self.before, self.after
        lines = [
            (
                f"maximum_annotations {n0} -> {n1}, overlap_cohort_percentage {p0} -> {p1}: "
                f"{self.sample} of {self.tasks} tasks in the overlap sample (chosen from doc_id)"
            ),
            (
                f"{self.annotated} tasks already have annotations; {self.entering} of them enter "
                f"the sample and are handed out again until {n1} annotators did them; "
                f"{self.leaving} leave it and get no further annotator (annotations are kept)"
            ),
        ]
        if self.data_updates:
            lines.append(f"data.overlap is written into {self.data_updates} existing tasks")
        return lines


def check_overlap(
    conn: Connection, project_id: int, overlap: Overlap, *, confirmed: bool
) -> OverlapChange:
    """What setting the overlap would do, read in bounded pages; nothing is changed.

    On a project that has annotations, a change that moves settings or tasks raises
    ConfigConflictError saying what would happen, unless ``confirmed``.
    """
    project = conn.call("read the project", conn.client.projects.get, id=project_id)
    before = (int(project.maximum_annotations or 1), int(project.overlap_cohort_percentage or 100))
    change = OverlapChange(before=before, after=(overlap.annotators, overlap.percentage))
    for task in _listing(conn, project_id):
        data = task.get("data") or {}
        wanted = in_sample(_doc_id(task), overlap.share)
        used = (task.get("total_annotations") or 0) + (task.get("cancelled_annotations") or 0)
        was = data.get(OVERLAP_KEY)
        change.tasks += 1
        change.sample += wanted
        change.annotated += bool(used)
        change.data_updates += was is not wanted
        change.entering += bool(used and wanted and not was)
        change.leaving += bool(used and was and not wanted)
    moved = change.before != change.after or change.entering or change.leaving
    if change.annotated and moved and not confirmed:
        raise ConfigConflictError(
            f"project {project.title!r} (id {project_id}) already has annotations; setting the "
            f"overlap would do this: {'; '.join(change.lines())}. Run again with "
            "--confirm-overlap to go ahead",
            code="E421",
        )
    return change


def apply_overlap(
    conn: Connection, project_id: int, overlap: Overlap, change: OverlapChange
) -> OverlapChange:
    """Set the project's overlap, write data.overlap, and make every task's overlap match.

    Run after the import: Label Studio redraws its own cohort at every import.
    """
    if change.before != change.after:
        conn.call(
            "set the project's overlap",
            conn.client.projects.update,
            id=project_id,
            maximum_annotations=overlap.annotators,
            overlap_cohort_percentage=overlap.percentage,
        )
    change.tasks = change.sample = 0  # counted again: the import added tasks
    for task in _listing(conn, project_id):
        data = task.get("data") or {}
        wanted = in_sample(_doc_id(task), overlap.share)
        change.tasks += 1
        change.sample += wanted
        target = overlap.annotators if wanted else 1
        changes: dict[str, Any] = {}
        if data.get(OVERLAP_KEY) is not wanted:
            changes["data"] = {**data, OVERLAP_KEY: wanted}  # an update replaces data whole
        if task.get("overlap") != target:
            done = task.get("total_annotations") or 0  # finished ones; skips do not count
            changes.update(overlap=target, is_labeled=done >= target)
            change.overlap_updates += 1
        if changes:
            conn.call(
                "set a task's overlap", conn.client.tasks.update, id=str(task["id"]), **changes
            )
    change.applied = True
    return change


def _doc_id(task: dict[str, Any]) -> str:
    return str((task.get("data") or {}).get("doc_id") or f"ls-task-{task['id']}")


def _listing(conn: Connection, project_id: int) -> Iterator[dict[str, Any]]:
    """Every task's id, data, overlap and annotation counts, a page at a time."""
    return iter_tasks(conn, project_id, "id,data,overlap,total_annotations,cancelled_annotations")
