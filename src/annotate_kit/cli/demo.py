"""annotate-kit demo: the whole pipeline on the seed article, through a real Label Studio."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click

from annotate_kit.cli._support import fails_cleanly


@click.command("demo")
@click.option(
    "--seeds",
    "seeds_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder with the documents and their *.gold.jsonl records (default: the seed article "
    "shipped with annotate-kit).",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default="exports",
    show_default=True,
    type=click.Path(path_type=Path),
    help="Where the tasks, the pulled annotations and the dataset go.",
)
@click.option(
    "--preannotate/--no-preannotate",
    default=True,
    show_default=True,
    help="Add spaCy + lexicon suggestions to the tasks.",
)
@click.option(
    "--offline",
    is_flag=True,
    help="No Label Studio: validate and export the seed's gold records as they are.",
)
@fails_cleanly
def demo_cli(*, seeds_dir: Path | None, out_dir: Path, preannotate: bool, offline: bool) -> None:
    """Run the whole loop on the seed article through a temporary local Label Studio.

    convert -> push -> the seed's hand-made gold submitted through the API as an annotator's
    annotation (it stands in for a person) -> pull -> validate -> export -> load_dataset.
    The server (installed by 'bash scripts/setup.sh --with-server') is stopped at the end.
    Writes OUT/seed-tasks.json, OUT/seed-annotations.jsonl and OUT/seed/ (the dataset).

    \b
    Example: annotate-kit demo
    Example: annotate-kit demo --offline -o /tmp/demo
    """
    from annotate_kit.demo import run_demo

    if not offline:
        click.echo("Starting a temporary Label Studio (about 30 s) ...", err=True)
    for step in run_demo(
        seeds_dir=seeds_dir, out_dir=out_dir, preannotate=preannotate, offline=offline
    ):
        click.echo(str(step))
    click.echo("")
    click.echo("Next, type:")
    for line in next_steps(out_dir / "seed"):
        click.echo(f"  {line}")


def next_steps(dataset: Path) -> list[str]:
    """Activate the environment, annotate in Label Studio, open the dataset."""
    venv = Path(sys.prefix)
    activate = venv / "bin" / "activate"
    with contextlib.suppress(ValueError):
        activate = activate.relative_to(Path.cwd())
    if sys.prefix == sys.base_prefix:  # not in a virtual environment: nothing to activate
        first = "# annotate-kit is on your PATH already"
    else:
        first = f"source {activate}" + (
            "    # already active here" if os.environ.get("VIRTUAL_ENV") == sys.prefix else ""
        )
    return [
        first,
        "annotate-kit studio    # annotate the seed yourself in Label Studio; Ctrl-C stops it",
        f"python -c 'import datasets; print(datasets.load_dataset({json.dumps(str(dataset))}))'",
    ]
