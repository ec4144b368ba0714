"""Command-line wrappers for pre-annotation quality: ``annotate-kit evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from annotate_kit.cli._support import fails_cleanly


@click.command("evaluate")
@click.argument("predicted", type=click.Path(path_type=Path))
@click.argument("gold", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table for people, or JSON for scripts.",
)
@fails_cleanly
def evaluate_cli(predicted: Path, gold: Path, *, fmt: str) -> None:
    """Score PREDICTED records against GOLD records.

    Each is records JSONL, or the task shards 'convert --preannotate -o FOLDER/' writes (the
    folder, or one of its .parquet files), which keep every pre-annotated record; a folder of
    records JSONL files is read in sorted order. Records are paired by doc_id; where GOLD
    holds several annotations of a document (a Label Studio pull), its gold is chosen as
    export chooses it, skipped annotations never count, and documents left without gold are
    listed. For entities,
    cues, claims and relations: precision, recall and F1, overall ("*") and per label, with
    exact-offset and overlap matching. Also: how many gold claims introduced by an attribution cue some candidate overlaps,
    and how often a candidate claim's attributes agree with the gold ones.

    \b
    Example: annotate-kit evaluate predicted.jsonl seeds/kremlin-emissaires-americains.fr.gold.jsonl
    """
    from annotate_kit.agreement.evaluate import evaluate_files, format_table

    result = evaluate_files(predicted, gold)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(result))
