"""Command-line wrappers for pre-annotation quality: ``annotate-kit evaluate``."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from annotate_kit.errors import AnnotateKitError


def _fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AnnotateKitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.command()
@click.argument("predicted", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("gold", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table for people, or JSON for scripts.",
)
@_fails_cleanly
def evaluate(predicted: Path, gold: Path, *, fmt: str) -> None:
    """Score PREDICTED records against GOLD records (both records JSONL).

    Records are paired by doc_id. For entities, cues, claims and relations: precision,
    recall and F1, overall ("*") and per label, with exact-offset and overlap matching.
    Also: how many gold claims introduced by an attribution cue some candidate overlaps,
    and how often a candidate claim's attributes agree with the gold ones.

    Example: annotate-kit evaluate predicted.jsonl seeds/kremlin-emissaires-americains.fr.gold.jsonl
    """
    from annotate_kit.evaluate import evaluate_files, format_table

    result = evaluate_files(predicted, gold)
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(format_table(result))


COMMANDS = [evaluate]
