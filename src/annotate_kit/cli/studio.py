"""annotate-kit studio: a local Label Studio, set up and ready to annotate."""

from __future__ import annotations

import shlex
import signal
import sys
from pathlib import Path

import click

from annotate_kit._text import counted
from annotate_kit.cli._support import fails_cleanly, model_option, progress_option, show_progress


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

    \b
    Example: annotate-kit studio
    """
    from annotate_kit.labelstudio.studio import start_studio, startup_hint

    hint = startup_hint(data_dir, converts_seeds=tasks is None)
    click.echo(f"Starting Label Studio ({hint}) ...", err=True)
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
        f"({counted(pushed.created, 'task')} added, {pushed.already_there} already there)"
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
