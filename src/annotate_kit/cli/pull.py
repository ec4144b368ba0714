"""annotate-kit pull: annotations of a Label Studio project as records."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from annotate_kit._text import counted
from annotate_kit.cli._support import (
    MAX_LISTED,
    fails_cleanly,
    progress_option,
    show_progress,
    url_option,
)


@click.command("pull")
@click.option("--project", required=True, help="Project title.")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Records JSONL to write (updated in place by an incremental pull).",
)
@url_option
@click.option(
    "--since",
    default=None,
    help="Only tasks changed after this ISO 8601 time (e.g. 2026-11-25T10:00:00Z).",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Remember when this pull ran; the next pull with it fetches only what changed.",
)
@click.option("--include-drafts", is_flag=True, help="Also write unsubmitted drafts.")
@click.option(
    "--predictions",
    "include_predictions",
    is_flag=True,
    help="Also write the tasks' predictions (annotation.origin prediction): export's card "
    "then says what annotators kept of them.",
)
@progress_option
@fails_cleanly
def pull_cli(
    *,
    project: str,
    out: Path,
    url: str | None,
    since: str | None,
    state_file: Path | None,
    include_drafts: bool,
    include_predictions: bool,
    progress: bool | None,
) -> None:
    """Write every annotation of a Label Studio project as a record (JSONL).

    All annotators; skipped tasks are kept, marked annotation.cancelled; the ground-truth
    flag, annotator, timestamps and lead time are kept. Annotations are read in bounded
    snapshot exports, never one request that grows with the project. With --since or
    --state-file only changed tasks are fetched and their records replaced in the output.
    Check the result with 'annotate-kit validate'. The token is read as for push.

    \b
    Example: annotate-kit pull --project news-fr -o annotations.jsonl --state-file .pull-state
    """
    from annotate_kit.labelstudio.project import pull

    summary = pull(
        project=project,
        out=out,
        url=url,
        since=since,
        state_file=state_file,
        include_drafts=include_drafts,
        include_predictions=include_predictions,
        progress=show_progress(progress),
    )
    scope = f"changed since {summary.since}" if summary.since else "annotated"
    click.echo(
        f"project {project!r} (id {summary.project_id}): {counted(summary.tasks, scope + ' task')}, "
        f"{counted(summary.annotations, 'annotation')} ({summary.cancelled} cancelled"
        + (f", {summary.drafts} drafts" if include_drafts else "")
        + (f", {counted(summary.predictions, 'prediction')}" if include_predictions else "")
        + f") -> {out}: {counted(summary.records, 'record')}"
    )
    if summary.problems:
        click.echo(
            f"{len(summary.problems)} results fit no layer of the scheme; "
            f"'annotate-kit validate {shlex.quote(str(out))}' lists them:",
            err=True,
        )
        for problem in summary.problems[:MAX_LISTED]:
            click.echo(f"  {problem}", err=True)
