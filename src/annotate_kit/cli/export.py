"""annotate-kit export: validated records to a Hugging Face dataset folder."""

from __future__ import annotations

from pathlib import Path

import click

from annotate_kit._text import counted
from annotate_kit.cli._support import (
    auto_workers,
    fails_cleanly,
    progress_option,
    show_progress,
    workers_option,
)


@click.command("export")
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
    "process of its own, about 1.5x sooner on two cores; the files are the same."
)
@progress_option
@fails_cleanly
def export_cli(
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

    \b
    Example: annotate-kit export annotations.jsonl -o exports/mydata --license cc-by-4.0
    Example: annotate-kit export shards/ -o exports/corpus --shard-rows 50000
    """
    from annotate_kit.export.dataset import export_dataset

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
        f"{counted(summary.records, 'record')}: {summary.exported} exported ({splits}), "
        f"{summary.superseded} superseded, {summary.cancelled} cancelled, {summary.invalid} invalid -> {out}"
    )
