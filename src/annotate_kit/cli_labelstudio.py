"""The Label Studio commands: push, pull, studio. Each parses, calls one function, prints.

cli.py registers them with ``for command in COMMANDS: main.add_command(command)``. There is
deliberately no option for the API token: argv is visible to every user of the machine.
"""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path

import click

from annotate_kit.cli_support import fails_cleanly, model_option, show_progress

URL_HELP = "Label Studio URL (default: $LABEL_STUDIO_URL, then the config file)."
MAX_LISTED = 10


progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: on a terminal).",
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
    from annotate_kit.labelstudio import push

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
        click.echo(f"{summary.duplicates_removed} duplicate tasks left by a lost import removed")
    for doc_id, why in summary.failed[:MAX_LISTED]:
        click.echo(f"failed: {doc_id}: {why}", err=True)
    if len(summary.failed) > MAX_LISTED:
        click.echo(f"failed: ... and {len(summary.failed) - MAX_LISTED} more", err=True)
    if summary.failed:
        sys.exit(1)


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
@click.option("--url", default=None, help=URL_HELP)
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
    progress: bool | None,
) -> None:
    """Write every annotation of a Label Studio project as a record (JSONL).

    All annotators; skipped tasks are kept, marked annotation.cancelled; the ground-truth
    flag, annotator, timestamps and lead time are kept. Annotations are read in bounded
    snapshot exports, never one request that grows with the project. With --since or
    --state-file only changed tasks are fetched and their records replaced in the output.
    Check the result with 'annotate-kit validate'. The token is read as for push.

    Example: annotate-kit pull --project news-fr -o annotations.jsonl --state-file .pull-state
    """
    from annotate_kit.labelstudio import pull

    summary = pull(
        project=project,
        out=out,
        url=url,
        since=since,
        state_file=state_file,
        include_drafts=include_drafts,
        progress=show_progress(progress),
    )
    scope = f"changed since {summary.since}" if summary.since else "annotated"
    click.echo(
        f"project {project!r} (id {summary.project_id}): {summary.tasks} {scope} tasks, "
        f"{summary.annotations} annotations ({summary.cancelled} cancelled"
        + (f", {summary.drafts} drafts" if include_drafts else "")
        + f") -> {out}: {summary.records} records"
    )
    if summary.problems:
        click.echo(
            f"{len(summary.problems)} results fit no layer of the scheme; "
            f"'annotate-kit validate {shlex.quote(str(out))}' lists them:",
            err=True,
        )
        for problem in summary.problems[:MAX_LISTED]:
            click.echo(f"  {problem}", err=True)


@click.command("studio")
@click.argument(
    "tasks", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path(".studio"),
    show_default=True,
    help="Where Label Studio keeps its database; reused on the next run.",
)
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Default: 8080 if free.")
@click.option("--project", default="annotate-kit demo", show_default=True, help="Project title.")
@click.option(
    "--seeds",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("seeds"),
    show_default=True,
    help="Documents to convert and push when no TASKS file is given.",
)
@click.option(
    "--preannotate/--no-preannotate",
    default=True,
    show_default=True,
    help="Pre-annotate the seed documents (spaCy + lexicons) as predictions.",
)
@model_option
@progress_option
@fails_cleanly
def studio_cli(
    tasks: Path | None,
    *,
    data_dir: Path,
    port: int | None,
    project: str,
    seeds: Path,
    preannotate: bool,
    models: dict[str, str],
    progress: bool | None,
) -> None:
    """Run a local Label Studio with the project set up and the tasks waiting; Ctrl-C stops it.

    Starts Label Studio (installed by 'bash scripts/setup.sh --with-server') on 127.0.0.1,
    creates the project from schema/ and pushes TASKS, or the seed documents converted with
    pre-annotations. Prints the URL and the login. Annotations persist in --data-dir between
    runs; pull them from another terminal with the command it prints.

    Example: annotate-kit studio
    """
    from annotate_kit.studio import start_studio

    click.echo("Starting Label Studio (about 30 s the first time) ...", err=True)
    running = start_studio(
        data_dir=data_dir,
        port=port,
        project=project,
        tasks=tasks,
        seeds=seeds,
        preannotate=preannotate,
        progress=show_progress(progress),
        models=models,
    )
    pushed = running.pushed
    config = shlex.quote(str(running.login_file))
    click.echo(f"Label Studio is running at {running.url}")
    click.echo(f"  log in as {running.login.username} with password {running.login.password}")
    click.echo(
        f"  project {project!r}: {running.url}/projects/{running.project_id} "
        f"({pushed.created} tasks added, {pushed.already_there} already there)"
    )
    click.echo("  pull the annotations from another terminal:")
    click.echo(
        f"    ANNOTATE_KIT_CONFIG={config} annotate-kit pull --project {shlex.quote(project)} "
        "-o annotations.jsonl"
    )
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server too, not only Ctrl-C
    # and Ctrl-C (SIGINT) even where it was ignored when we started, as a shell without job
    # control does for `annotate-kit studio &`: Python then installs no handler of its own
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:  # from the hint on: a Ctrl-C right after it must stop the server too
        click.echo(f"Press Ctrl-C to stop; the data stays in {data_dir}/.")
        code = running.server.process.wait()
    except KeyboardInterrupt:
        click.echo("Stopping Label Studio ...", err=True)
        running.server.stop()
        return
    click.echo(
        f"Error: Label Studio exited with code {code}; see {running.server.log_path}", err=True
    )
    sys.exit(3)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


COMMANDS = [push_cli, pull_cli, studio_cli]
