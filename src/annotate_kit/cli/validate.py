"""annotate-kit validate: check annotation records; exit 0 valid, 1 invalid, 2 unusable input."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotate_kit.cli._support import (
    FORMATS,
    auto_workers,
    fails_cleanly,
    progress_option,
    show_progress,
    workers_option,
)


@click.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for tools, github for workflow annotations.",
)
@click.option(
    "--rejects",
    type=click.Path(path_type=Path),
    default=None,
    help="Write every invalid record, with its problems, to this JSONL file.",
)
@workers_option(
    "Processes that parse and check records (JSONL and shards); the report is the same, "
    "in the same order."
)
@progress_option
@fails_cleanly
def validate_cli(
    files: tuple[Path, ...],
    *,
    fmt: str,
    rejects: Path | None,
    workers: int | str,
    progress: bool | None,
) -> None:
    """Check annotation records against schema/ and the rules a schema cannot express.

    FILES are records JSONL or Label Studio JSON exports (each annotation becomes a record),
    folders of task shards written by 'convert -o FOLDER/' (or one of their .parquet files;
    a problem points at the shard and its row), or folders of records files (*.jsonl, *.json,
    read in sorted order). Checks: the JSON Schema, offsets inside the text, text[start:end]
    equal to the span text, labels in the vocabularies, relation ends present and of the
    allowed layers, every cue attached to a claim, claim sources consistent with SOURCE_OF,
    unique ids, schema version.

    Exit status: 0 all valid, 1 some invalid, 2 unusable input.

    \b
    Example: annotate-kit validate export.json --format github --rejects rejects.jsonl
    Example: annotate-kit validate shards/ --workers 2
    """
    from annotate_kit.io.staging import stage_file
    from annotate_kit.validate.paths import validate_paths
    from annotate_kit.validate.problems import format_problems

    if workers == "auto":
        workers = auto_workers(list(files))
    options = {"workers": workers, "progress": show_progress(progress)}
    if rejects is not None:
        # Written beside, renamed once validation ran: unusable input leaves no empty file.
        partial = stage_file(rejects)
        try:
            with partial.open("w", encoding="utf-8") as handle:
                report = validate_paths(list(files), rejects=handle, **options)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(rejects)
    else:
        report = validate_paths(list(files), **options)
    click.echo(format_problems(report, fmt))
    sys.exit(0 if report.ok else 1)
