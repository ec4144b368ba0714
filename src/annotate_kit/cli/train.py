"""annotate-kit train: gold annotations to a spaCy model that pre-annotation uses."""

from __future__ import annotations

from pathlib import Path

import click

from annotate_kit.cli._support import fails_cleanly


@click.command("train")
@click.argument("dataset", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="MODEL_DIR to write: a spaCy pipeline folder plus annotate_kit.json and README.md.",
)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A spaCy config.cfg of your own (its paths.train/dev are filled in); default: "
    "generated, and kept in MODEL_DIR.",
)
@click.option(
    "--base",
    default=None,
    metavar="NAME|PATH|blank",
    help="Pipeline to start from; default: the language's installed one (fr_core_news_sm), "
    "blank for none.",
)
@click.option(
    "--layer",
    "layers",
    multiple=True,
    type=click.Choice(["entities", "cues", "claims"]),
    help="Layer to learn (repeatable); default: each layer with gold spans in the train split.",
)
@click.option("--seed", default=0, show_default=True, help="Random seed (same data, same model).")
@click.option(
    "--max-epochs", default=30, show_default=True, type=click.IntRange(1), help="Most epochs."
)
@click.option(
    "--patience",
    default=3,
    show_default=True,
    type=click.IntRange(0),
    help="Stop after this many epochs without a better validation score (0: never).",
)
@click.option(
    "--batch-size", default=32, show_default=True, type=click.IntRange(1), help="Segments a step."
)
@click.option(
    "--test",
    "test_path",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Gold records to compare model and rules on; default: the dataset's test split.",
)
@click.option(
    "--compare-only",
    is_flag=True,
    help="Do not train: compare the existing MODEL_DIR with the rules on the test gold and "
    "rewrite its README.md.",
)
@click.option(
    "--tok2vec",
    type=click.Choice(["own", "base"]),
    default="own",
    show_default=True,
    help="What the new components read tokens from: a small tok2vec of their own, trained "
    "with them (better), or the base pipeline's, frozen (cheapest; own where it has none).",
)
@click.option("--overwrite", is_flag=True, help="Replace MODEL_DIR if it exists.")
@fails_cleanly
def train_cli(
    dataset: Path,
    *,
    out: Path,
    config: Path | None,
    base: str | None,
    layers: tuple[str, ...],
    seed: int,
    max_epochs: int,
    patience: int,
    batch_size: int,
    test_path: Path | None,
    compare_only: bool,
    tok2vec: str,
    overwrite: bool,
) -> None:
    """Train a spaCy model on DATASET's gold and write it to MODEL_DIR.

    DATASET is a folder written by 'annotate-kit export' (its default config: train split to
    learn, validation split to stop early, test split to compare) or records files (what
    'validate' takes; split by document id as export splits). Entities train spaCy's ner
    (starting from the installed pipeline's), cues a spancat; CPU only. One line per epoch
    with the validation scores. Then model and rules are compared on the test split, in a
    table printed and written to MODEL_DIR/README.md. Use the model with
    'annotate-kit convert --preannotate --model LANG=MODEL_DIR'.

    \b
    Example: annotate-kit train exports/mydata -o models/mydata --seed 1
    Example: annotate-kit train exports/mydata -o models/mydata --compare-only --test gold.jsonl
    """
    from annotate_kit.training.data import load_training_data
    from annotate_kit.training.loop import train_model
    from annotate_kit.training.report import compare_and_describe, epoch_line

    data = load_training_data(dataset)
    if compare_only:
        table = compare_and_describe(out, data, test=test_path)
        click.echo(table or "no test gold (no test split, no --test): nothing compared")
        return
    click.echo(
        f"training on {len(data.split('train'))} documents, validating on "
        f"{len(data.split('validation'))} ({data.lang})",
        err=True,
    )
    result = train_model(
        data,
        out,
        config=config,
        base=base,
        layers=layers or None,
        seed=seed,
        max_epochs=max_epochs,
        patience=patience,
        batch_size=batch_size,
        tok2vec=tok2vec,
        overwrite=overwrite,
        progress=lambda epoch: click.echo(epoch_line(epoch), err=True),
    )
    table = compare_and_describe(result, data, test=test_path)
    if table:
        click.echo(table)
    click.echo(f"model written to {result.model_dir}", err=True)
