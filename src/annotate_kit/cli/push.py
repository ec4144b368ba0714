"""annotate-kit push: create or update a Label Studio project and import tasks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotate_kit.cli._support import (
    MAX_LISTED,
    URL_HELP,
    fails_cleanly,
    progress_option,
    show_progress,
)


@click.command("push")
@click.argument("tasks", type=click.Path(exists=True, path_type=Path))
@click.option("--project", required=True, help="Project title; created when missing.")
@click.option("--url", default=None, help=URL_HELP)
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
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@progress_option
@fails_cleanly
def push_cli(
    tasks: Path,
    *,
    project: str,
    url: str | None,
    guidelines: Path | None,
    batch_size: int,
    dry_run: bool,
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

    Example: annotate-kit push tasks.json --project news-fr

    Example: annotate-kit push shards/ --project news-fr
    """
    from annotate_kit.labelstudio.project import push

    summary = push(
        tasks,
        project=project,
        url=url,
        guidelines=guidelines,
        batch_size=batch_size,
        dry_run=dry_run,
        progress=show_progress(progress),
    )
    where = f" (id {summary.project_id})" if summary.project_id is not None else ""
    prefix = "Dry run: " if dry_run else ""
    click.echo(f"{prefix}project {project!r}{where}: {summary.project_action}")
    verb = "would be created" if dry_run else "created"
    line = f"{summary.tasks} tasks: {summary.created} {verb}, {summary.already_there} already there"
    click.echo(f"{line}, {len(summary.failed)} failed")
    if summary.duplicates_in_input:
        click.echo(f"{summary.duplicates_in_input} repeated doc_ids in {tasks} were sent once")
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
