"""The command line: each command parses options, calls one library function, prints.

AnnotateKitError becomes "Error: [CODE] message" on stderr and the error's exit code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotate_kit import __version__
from annotate_kit.cli_support import (
    auto_workers,
    fails_cleanly,
    model_option,
    show_progress,
    workers_option,
)

FORMATS = ("text", "json", "github")
MAX_SHOWN = 20  # failures listed on stderr; all of them stay in the output


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="annotate-kit")
def main() -> None:
    """Build claim, source and hedging datasets with Label Studio.

    documents --convert--> tasks --push--> Label Studio --pull--> annotations
    --validate--> records --export--> Hugging Face dataset

    Run 'annotate-kit COMMAND --help' for each step, with an example.
    """


@main.command()
@fails_cleanly
def config() -> None:
    """Print the Label Studio labeling config generated from schema/.

    Paste it into a project's Settings > Labeling Interface, or let 'push' set it.

    Example: annotate-kit config > labeling-config.xml
    """
    from annotate_kit.lsconfig import labelstudio_config

    click.echo(labelstudio_config())


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    default="-",
    show_default=True,
    help="tasks.json (a JSON list), tasks.jsonl, - for JSONL on stdout, or FOLDER/ for "
    "Parquet shards (replaced whole on each run).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "parquet"]),
    default=None,
    help="Output format; default from the output name (a folder: parquet; stdout: jsonl).",
)
@click.option(
    "--lang",
    default=None,
    help="Language of every document (fr, en); default: detected per document.",
)
@click.option(
    "--encoding",
    default="utf-8",
    show_default=True,
    help="Encoding of .txt/.md/.html/.jsonl inputs.",
)
@click.option(
    "--exclude",
    multiple=True,
    default=None,
    metavar="GLOB",
    help="File names to skip when walking directories (repeatable). "
    "Default: *.gold.jsonl, README.md, GUIDELINES.md, CHANGELOG.md, hidden files.",
)
@click.option(
    "--preannotate/--no-preannotate",
    default=False,
    show_default=True,
    help="Add entity, cue and claim suggestions as Label Studio predictions (spaCy + lexicons).",
)
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1),
    help="Processes for --preannotate (local engine; default 1), or Ray actors (default: "
    "Ray's CPUs minus one; a pool that takes every CPU can hang).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where pre-annotation runs: this machine, or Ray (pip install 'annotate-kit[ray]').",
)
@click.option(
    "--ray-address",
    envvar="RAY_ADDRESS",
    default=None,
    metavar="ADDRESS",
    help="Ray cluster to use with --engine ray (ray://HEAD:10001, HEAD:6379 or auto); "
    "default $RAY_ADDRESS, else a local Ray on this machine's CPUs.",
)
@click.option(
    "--batch-size",
    default=64,
    show_default=True,
    type=click.IntRange(1),
    help="Documents per batch (the unit a worker or Ray actor takes).",
)
@click.option(
    "--shard-rows",
    default=20_000,
    show_default=True,
    type=click.IntRange(1),
    help="Most tasks per Parquet shard.",
)
@model_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when a terminal).",
)
@fails_cleanly
def convert(
    inputs: tuple[Path, ...],
    *,
    out: str,
    fmt: str | None,
    lang: str | None,
    encoding: str,
    exclude: tuple[str, ...],
    preannotate: bool,
    workers: int | None,
    engine: str,
    ray_address: str | None,
    batch_size: int,
    shard_rows: int,
    models: dict[str, str],
    progress: bool | None,
) -> None:
    """Turn documents into Label Studio tasks.

    INPUTS are .txt, .md, .jsonl (one object per line with a "text" field; other fields are
    kept as metadata), .parquet (the same, one row per document) and .html files (main
    article text extracted), or directories, walked recursively. Each document becomes one
    task whose data.doc_id is derived from its text, so converting again gives identical
    output. Nothing is written if any input is bad.

    With --engine ray, pre-annotation runs on a Ray cluster (or a local Ray) and gives the
    same tasks as the local run. A document whose pre-annotation fails becomes a task without
    predictions; it is listed and the exit status is 1.

    Example: annotate-kit convert seeds/ -o tasks.json --preannotate

    Example: annotate-kit convert corpus/ -o shards/ --preannotate --engine ray

    Example: annotate-kit convert news/ -o tasks.json --preannotate --model fr=fr_core_news_md
    """
    from annotate_kit.convert import DEFAULT_EXCLUDE
    from annotate_kit.convert import convert as run

    summary = run(
        inputs,
        out=out,
        fmt=fmt,
        lang=lang,
        encoding=encoding,
        exclude=exclude or DEFAULT_EXCLUDE,
        preannotate=preannotate,
        workers=workers,
        progress=show_progress(progress),
        engine=engine,
        ray_address=ray_address if engine == "ray" else None,
        batch_size=batch_size,
        shard_rows=shard_rows,
        models=models,
    )
    for source, doc_id in summary.duplicates:
        click.echo(
            f"note: {source} has the same text as an earlier document ({doc_id}); one task kept",
            err=True,
        )
    click.echo(
        f"{summary.tasks} tasks from {summary.documents} documents in {summary.files} files"
        + (f" ({summary.preannotated} pre-annotated)" if preannotate else "")
        + (f", {summary.normalized} normalised to NFC" if summary.normalized else "")
        + (f", {len(summary.failures)} failed" if summary.failures else "")
        + f" -> {'stdout' if out == '-' else out}"
        + (" (engine: ray)" if engine == "ray" else ""),
        err=True,
    )
    for doc_id, source, reason in summary.failures[:MAX_SHOWN]:
        click.echo(f"failed: {source} ({doc_id}): {reason}", err=True)
    if len(summary.failures) > MAX_SHOWN:
        more = len(summary.failures) - MAX_SHOWN
        where = Path(out) / "_annotate_kit.json"
        listed = f" (all of them in {where})" if out != "-" and where.is_file() else ""
        click.echo(f"failed: … and {more} more{listed}", err=True)
    if summary.failures:
        sys.exit(1)


@main.command()
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
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when a terminal).",
)
@fails_cleanly
def validate(
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

    Example: annotate-kit validate export.json --format github --rejects rejects.jsonl

    Example: annotate-kit validate shards/ --workers 2
    """
    from annotate_kit.validate import format_problems, validate_paths

    if workers == "auto":
        workers = auto_workers(list(files))
    options = {"workers": workers, "progress": show_progress(progress)}
    if rejects is not None:
        with rejects.open("w", encoding="utf-8") as handle:
            report = validate_paths(list(files), rejects=handle, **options)
    else:
        report = validate_paths(list(files), **options)
    click.echo(format_problems(report, fmt))
    sys.exit(0 if report.ok else 1)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Dataset folder to write, e.g. exports/NAME.",
)
@click.option(
    "--split",
    "ratios",
    default="0.8,0.1,0.1",
    show_default=True,
    help="train,validation,test ratios (by document).",
)
@click.option(
    "--skip-invalid", is_flag=True, help="Export the valid records and report the invalid ones."
)
@click.option("--overwrite", is_flag=True, help="Replace the output folder if it exists.")
@click.option(
    "--license",
    "license_id",
    default="unknown",
    show_default=True,
    help="Licence id for the dataset card (e.g. cc-by-4.0).",
)
@click.option(
    "--shard-rows",
    default=100_000,
    show_default=True,
    type=click.IntRange(1),
    help="Most rows per Parquet file; a split with more is written as several files "
    "(also cut at ~500 MB of data).",
)
@workers_option(
    "2 or more: validate in that many processes and build the token view (bio config) in a "
    "process of its own, 1.8x sooner on two cores; the files are the same."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when a terminal).",
)
@fails_cleanly
def export(
    files: tuple[Path, ...],
    *,
    out: Path,
    ratios: str,
    skip_invalid: bool,
    overwrite: bool,
    license_id: str,
    shard_rows: int,
    workers: int | str,
    progress: bool | None,
) -> None:
    """Write validated records as a Hugging Face dataset folder (Parquet + dataset card).

    Takes what 'validate' takes (records JSONL, Label Studio exports, folders of task shards
    or of records files), streamed. One gold record per document (ground truth first, see the
    card), deterministic splits by document id, each split written as Parquet files of at most
    --shard-rows rows. The folder opens offline with datasets.load_dataset(FOLDER).

    Example: annotate-kit export annotations.jsonl -o exports/mydata --license cc-by-4.0

    Example: annotate-kit export shards/ -o exports/corpus --shard-rows 50000
    """
    from annotate_kit.export import export_dataset

    if workers == "auto":
        workers = auto_workers(list(files))
    try:
        parsed = tuple(float(r) for r in ratios.split(","))
    except ValueError:
        raise click.BadParameter(
            f"{ratios!r} is not three comma-separated numbers", param_hint="--split"
        ) from None
    summary = export_dataset(
        list(files),
        out=out,
        ratios=parsed,
        skip_invalid=skip_invalid,
        overwrite=overwrite,
        license_id=license_id,
        shard_rows=shard_rows,
        workers=workers,
        progress=show_progress(progress),
    )
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    splits = ", ".join(f"{s} {n}" for s, n in summary.split_rows.items())
    click.echo(
        f"{summary.records} records: {summary.exported} exported ({splits}), "
        f"{summary.superseded} superseded, {summary.cancelled} cancelled, {summary.invalid} invalid -> {out}"
    )


@main.command()
@click.option(
    "--seeds",
    "seeds_dir",
    default="seeds",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Folder with the documents and their *.gold.jsonl records.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="exports",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where the tasks and the dataset go.",
)
@click.option(
    "--preannotate/--no-preannotate",
    default=True,
    show_default=True,
    help="Add spaCy + lexicon suggestions to the tasks.",
)
@fails_cleanly
def demo(*, seeds_dir: Path, out_dir: Path, preannotate: bool) -> None:
    """Run the whole pipeline on the seed article: convert, validate the gold, export.

    Writes OUT/seed-tasks.json (Label Studio tasks) and OUT/seed/ (the dataset).

    Example: annotate-kit demo --seeds seeds -o exports
    """
    from annotate_kit.demo import run_demo

    for line in run_demo(seeds_dir=seeds_dir, out_dir=out_dir, preannotate=preannotate):
        click.echo(line)


def _register_optional_commands() -> None:
    """Commands of other modules; each module lists its click commands in COMMANDS."""
    import importlib

    for name in (
        "annotate_kit.cli_labelstudio",
        "annotate_kit.cli_preannotate",
        "annotate_kit.cli_agreement",
    ):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_register_optional_commands()
