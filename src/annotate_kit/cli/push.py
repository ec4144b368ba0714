"""annotate-kit push: create or update a Label Studio project and import tasks."""

from __future__ import annotations

import sys
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


@click.command("push")
@click.argument("tasks", type=click.Path(exists=True, path_type=Path))
@click.option("--project", required=True, help="Project title; created when missing.")
@url_option
@click.option(
    "--guidelines",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Markdown shown to annotators as instructions (default: seeds/GUIDELINES.md).",
)
@click.option(
    "--batch-size",
    default=2000,
    show_default=True,
    type=click.IntRange(1),
    help="Tasks per import.",
)
@click.option(
    "--pass",
    "layers",
    default=None,
    metavar="LAYERS",
    help="Annotate only these layers in this project (comma-separated: entities,cues,claims).",
)
@click.option(
    "--predictions-from",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Records JSONL of the earlier pass: each task's prediction becomes its gold (with --pass).",
)
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.option(
    "--overlap",
    type=click.IntRange(1),
    default=None,
    help="Annotators per document in the overlap sample (Label Studio's maximum_annotations).",
)
@click.option(
    "--overlap-share",
    type=click.FloatRange(0, 1, min_open=True),
    default=1.0,
    show_default=True,
    help="Share of the documents in the overlap sample, chosen from doc_id (0.2: 20 %).",
)
@click.option(
    "--confirm-overlap",
    is_flag=True,
    help="Change the overlap of a project that already has annotations.",
)
@progress_option
@fails_cleanly
def push_cli(
    tasks: Path,
    *,
    project: str,
    url: str | None,
    guidelines: Path | None,
    batch_size: int,
    layers: str | None,
    predictions_from: Path | None,
    dry_run: bool,
    overlap: int | None,
    overlap_share: float,
    confirm_overlap: bool,
    progress: bool | None,
) -> None:
    """Create or update a Label Studio project and import the tasks it lacks.

    TASKS is what 'annotate-kit convert' writes: a JSON list, JSONL, or a folder of Parquet
    task shards (or one of its .parquet files). The labeling config comes from schema/; a
    change that would orphan labels used in annotations is refused. Tasks are matched on
    data.doc_id, so running push again (after an interruption, or with more documents)
    imports only the missing ones, never a duplicate. Exit code 1 when the server refused
    some tasks.

    The API token comes from $LABEL_STUDIO_API_KEY or the config file ($ANNOTATE_KIT_CONFIG,
    default ~/.config/annotate-kit/labelstudio.json, mode 600), never from the command line.

    With --overlap N, N annotators see a share of the documents (--overlap-share): which ones
    is decided from each doc_id, the same on every run, and written into the task data
    (data.overlap), so agreement is computed on a known sample. On a project that already
    has annotations, push says what the change would do and stops unless --confirm-overlap.

    In passes: --pass entities,cues offers only those layers; after a pull, --pass claims
    --predictions-from pass1.jsonl (one annotation per document) imports each task with the
    earlier pass's annotation as its prediction, to keep and link to.

    \b
    Example: annotate-kit push tasks.json --project news-fr
    Example: annotate-kit push shards/ --project news-fr
    Example: annotate-kit push tasks.json --project news-fr --overlap 2 --overlap-share 0.2
    Example: annotate-kit push tasks.json --project news-claims --pass claims --predictions-from pass1.jsonl
    """
    from annotate_kit.labelstudio.overlap import Overlap
    from annotate_kit.labelstudio.passes import parse_pass
    from annotate_kit.labelstudio.project import push

    summary = push(
        tasks,
        project=project,
        url=url,
        guidelines=guidelines,
        batch_size=batch_size,
        layers=parse_pass(layers),
        predictions_from=predictions_from,
        dry_run=dry_run,
        progress=show_progress(progress),
        overlap=None if overlap is None else Overlap(overlap, overlap_share),
        confirm_overlap=confirm_overlap,
    )
    where = f" (id {summary.project_id})" if summary.project_id is not None else ""
    prefix = "Dry run: " if dry_run else ""
    click.echo(f"{prefix}project {project!r}{where}: {summary.project_action}")
    verb = "would be created" if dry_run else "created"
    line = f"{counted(summary.tasks, 'task')}: {summary.created} {verb}, {summary.already_there} already there"
    click.echo(f"{line}, {len(summary.failed)} failed")
    if summary.duplicates_in_input:
        click.echo(f"{summary.duplicates_in_input} repeated doc_ids in {tasks} were sent once")
    if summary.overlap is not None:
        change = summary.overlap
        for line in change.lines() if dry_run or change.annotated else change.lines()[:1]:
            click.echo(f"overlap: {line}")
        if change.applied:
            click.echo(f"overlap: {change.overlap_updates} tasks' Label Studio overlap set")
    if summary.duplicates_removed:
        click.echo(
            f"{summary.duplicates_removed} duplicate tasks removed "
            "(left by a lost import or a concurrent push)"
        )
    for doc_id, why in summary.failed[:MAX_LISTED]:
        click.echo(f"failed: {doc_id}: {why}", err=True)
    if len(summary.failed) > MAX_LISTED:
        click.echo(f"failed: ... and {len(summary.failed) - MAX_LISTED} more", err=True)
    if summary.failed:
        sys.exit(1)
