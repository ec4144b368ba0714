"""Reading a whole project for a report, in the bounded pieces pull reads.

A survey reads every task (annotated or not) with its annotations, skipped ones included,
and its predictions in full, through the same snapshot exports of task-id windows as pull
(bulk.pieces): no request grows with the project, and nothing is written: the report
(campaign/status.py) keeps no state of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Self

from annotate_kit.labelstudio.bulk import Snapshots, pieces
from annotate_kit.labelstudio.client import Connection, connect
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import DEFAULT_PIECE_SIZE, require_project


@dataclass(frozen=True)
class ProjectSettings:
    id: int
    title: str
    maximum_annotations: int
    overlap_percentage: int


class Survey:
    """``with Survey(project=...) as survey: for piece in survey.pieces(): ...``"""

    def __init__(
        self,
        *,
        project: str,
        url: str | None = None,
        credentials: Credentials | None = None,
        piece_size: int = DEFAULT_PIECE_SIZE,
        progress: bool = False,
    ) -> None:
        self.title = project
        self.url = url
        self.credentials = credentials
        self.piece_size = piece_size
        self.progress = progress
        self.conn: Connection | None = None
        self.settings: ProjectSettings | None = None

    def __enter__(self) -> Self:
        self.conn = connect(self.url, credentials=self.credentials)
        try:
            found = require_project(self.conn, self.title)
        except BaseException:
            self.conn.close()
            raise
        self.settings = ProjectSettings(
            found.id,
            found.title,
            int(found.maximum_annotations or 1),
            int(found.overlap_cohort_percentage or 100),
        )
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.conn is not None:
            self.conn.close()

    def pieces(self) -> Iterator[list[dict[str, Any]]]:
        """Every task of the project, a window of task ids at a time."""
        if self.conn is None or self.settings is None:
            raise RuntimeError("use Survey as a context manager")  # a programming error
        from tqdm import tqdm

        project_id = self.settings.id
        with (
            Snapshots(
                self.conn, project_id, include_drafts=False, include_predictions=True
            ) as snaps,
            tqdm(unit="task", desc="status", disable=not self.progress, file=sys.stderr) as bar,
        ):
            for piece in pieces(
                self.conn, project_id, [], size=self.piece_size, snaps=snaps, bar=bar
            ):
                bar.update(len(piece))
                yield piece
