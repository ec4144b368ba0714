"""annotate-kit demo: the whole pipeline on the seed article."""

from __future__ import annotations

from pathlib import Path

import click

from annotate_kit.cli._support import fails_cleanly


@click.command("demo")
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
def demo_cli(*, seeds_dir: Path, out_dir: Path, preannotate: bool) -> None:
    """Run the whole pipeline on the seed article: convert, validate the gold, export.

    Writes OUT/seed-tasks.json (Label Studio tasks) and OUT/seed/ (the dataset).

    Example: annotate-kit demo --seeds seeds -o exports
    """
    from annotate_kit.demo import run_demo

    for line in run_demo(seeds_dir=seeds_dir, out_dir=out_dir, preannotate=preannotate):
        click.echo(line)
