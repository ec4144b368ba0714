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

    PREDICTED may also be a MODEL_DIR written by 'annotate-kit train': GOLD's texts are then
    pre-annotated three ways (rules, model, both: the --suggest policies) and scored in one
    table, model against rules; GOLD may then be an exported dataset folder (its test split).

    \b
    Example: annotate-kit evaluate predicted.jsonl seeds/kremlin-emissaires-americains.fr.gold.jsonl
    Example: annotate-kit evaluate models/mydata exports/mydata
    """
    from annotate_kit.agreement.evaluate import evaluate_files, format_table
    from annotate_kit.preannotate.model import is_trained_model

    if is_trained_model(predicted):
        from annotate_kit.training.compare import (
            compare_suggestions,
            comparison_as_dict,
            comparison_gold,
            format_comparison,
        )

        comparison = compare_suggestions(predicted, comparison_gold(gold))
        if fmt == "json":
            click.echo(json.dumps(comparison_as_dict(comparison), indent=2, ensure_ascii=False))
        else:
            click.echo(format_comparison(comparison))
        return
    result = evaluate_files(predicted, gold)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(result))
