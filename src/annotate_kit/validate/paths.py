"""Validating files: one process, or several workers for large inputs."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from annotate_kit.io.inputs import iter_items
from annotate_kit.validate.items import record_bar, reject_entry, validate_items
from annotate_kit.validate.problems import Report


def validate_paths(
    paths: list[str | Path],
    *,
    rejects: TextIO | None = None,
    workers: int = 1,
    progress: bool = False,
) -> Report:
    """Validate every record in the files; write invalid ones (with their problems) to rejects.

    ``workers > 1`` parses and checks in that many processes (validate/workers.py): the same
    report, in the same order. ``progress`` shows a bar of records on stderr.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    if workers > 1:
        from annotate_kit.validate.workers import validate_in_workers

        return validate_in_workers(paths, workers=workers, rejects=rejects, progress=progress)
    report = Report()
    with record_bar(progress) as bar:
        for item, problems in validate_items(iter_items(paths, report.stats), report):
            bar.update()
            if problems and rejects is not None:
                rejects.write(reject_entry(item, problems))
    return report
