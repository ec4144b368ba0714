"""Concurrent pushes converge: one project per title, one task per doc_id.

Label Studio cannot be locked, so two ``push`` runs at the same time both see a title or a
doc_id missing and both create it. Instead of preventing that, every run settles afterwards,
by rules that every run applies the same way and that only ever delete what nobody can have
used yet:

- a project: the oldest project of a title (the lowest id) is the one. A run that has just
  created a project lists the title again; if an older one exists, it deletes its own (still
  empty: it imported nothing yet) and uses the older one. A run looking for the project takes
  the oldest when the others are empty, as such a newer copy is about to be deleted by the
  run that made it.
- tasks: after importing, a run lists the project's doc_ids and deletes the extra copies of
  its own doc_ids that carry no annotation, keeping the oldest (or the annotated one). The
  last import to land is followed by its own run's settle, so the final state has each
  doc_id once.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from annotate_kit.errors import LabelStudioError, LabelStudioNotFoundError
from annotate_kit.labelstudio.client import Connection

SETTLE_PAUSE = 1.0  # seconds: a concurrent create lands well within it on a local server


def projects_titled(conn: Connection, title: str) -> list[Any]:
    """The projects with exactly this title, oldest (lowest id) first."""
    projects = conn.call(
        "list projects", lambda: list(conn.client.projects.list(title=title, page_size=100))
    )
    return sorted((project for project in projects if project.title == title), key=_id)


def pick_project(conn: Connection, title: str) -> Any | None:
    """The project of this title, None if there is none.

    Several are fine when all but the oldest are empty (another push has just created one and
    is about to delete it); several holding tasks is an error a person must resolve.
    """
    matches = projects_titled(conn, title)
    if not matches:
        return None
    oldest, *newer = matches
    if any(project.task_number for project in newer):
        ids = ", ".join(str(project.id) for project in matches)
        raise LabelStudioError(
            f"several projects are titled {title!r} (ids {ids}); rename all but one", code="E405"
        )
    return oldest


def settle_created(conn: Connection, title: str, created_id: int) -> int:
    """The project to use after this run created ``created_id``: the oldest of the title.

    When another run created one first, ours (empty) is deleted. A project another run is
    still creating may not be listed yet (seen: three pushes at once left two projects), so a
    run that finds itself the oldest looks once more after ``SETTLE_PAUSE``, before it imports.
    """
    for attempt in range(2):
        matches = projects_titled(conn, title)
        oldest = min([created_id, *(_id(project) for project in matches)])
        if oldest != created_id:
            with contextlib.suppress(LabelStudioNotFoundError):  # already gone: goal reached
                conn.call(
                    "delete a project a concurrent push also created",
                    conn.client.projects.delete,
                    id=created_id,
                )
            return oldest
        if attempt == 0:
            time.sleep(SETTLE_PAUSE)
    return created_id


def _id(project: Any) -> int:
    if not isinstance(project.id, int):
        raise LabelStudioError(f"Label Studio listed a project without an id: {project!r}")
    return project.id
