"""What a person reads about a trained model: a line per epoch, MODEL_DIR's README.md."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from annotate_kit.preannotate.model import META_FILE, read_trained_model
from annotate_kit.training.compare import compare_suggestions, format_comparison
from annotate_kit.training.data import TrainingData, read_records
from annotate_kit.training.loop import Epoch, TrainResult


def epoch_line(epoch: Epoch) -> str:
    """'epoch 3  step 120  cues P 0.712 R 0.655 F 0.682  loss spancat 12.3  41 s  best'."""
    layers = sorted({k.rsplit("_", 1)[0] for k in epoch.scores})
    scores = "  ".join(
        f"{layer} P {epoch.scores[f'{layer}_p']:.3f} R {epoch.scores[f'{layer}_r']:.3f} "
        f"F {epoch.scores[f'{layer}_f']:.3f}"
        for layer in layers
    )
    losses = " ".join(f"{k} {v:.1f}" for k, v in epoch.losses.items())
    flag = "  best" if epoch.best else ""
    return f"epoch {epoch.epoch:>3}  step {epoch.step:>6}  {scores}  loss {losses}  {epoch.seconds:.0f} s{flag}"


def compare_and_describe(
    result: TrainResult | Path, data: TrainingData, *, test: Path | None = None
) -> str:
    """Compare model and rules on the test gold (``test`` records, else the data's test split),
    write MODEL_DIR/README.md, return the table ('' when there is no test gold)."""
    model_dir = result.model_dir if isinstance(result, TrainResult) else Path(result)
    read_trained_model(model_dir)  # PreannotationError when it is not a model of this scheme
    meta = json.loads((model_dir / META_FILE).read_text("utf-8"))
    gold = read_records([test]) if test is not None else data.split("test")
    table = format_comparison(compare_suggestions(model_dir, gold)) if gold else ""
    where = str(test) if test is not None else f"the test split of {data.source}"
    (model_dir / "README.md").write_text(describe(meta, table, where), "utf-8")
    return table


def describe(meta: dict[str, Any], table: str, where: str) -> str:
    """MODEL_DIR/README.md: what the model is, what it learnt from, how it compares."""
    train, dev = meta["data"]["train"], meta["data"]["validation"]
    layers = ", ".join(
        f"{layer} ({spec['component']}: {', '.join(spec['labels'])})"
        for layer, spec in meta["layers"].items()
    )
    scores = ", ".join(f"{k} {v:.3f}" for k, v in meta["validation_scores"].items())
    lines = [
        f"# {meta['name']}",
        "",
        (
            f"An annotate-kit model for '{meta['lang']}', scheme {meta['scheme_version']}: {layers}. "
            f"Base pipeline: {meta['base']}. A spaCy pipeline folder (`spacy.load` opens it); "
            "`annotate_kit.json` holds the metadata."
        ),
        "",
        "```",
        f"annotate-kit convert docs/ -o tasks.json --preannotate --model {meta['lang']}=PATH/TO/THIS/FOLDER",
        "```",
        "",
        "## Training data",
        "",
        f"- source: {meta['data']['source']}; fingerprint `{meta['data']['fingerprint']}`",
        f"- train: {train['documents']} documents, {train['segments']} segments",
        f"- validation: {dev['documents']} documents, {dev['segments']} segments",
    ]
    lines.extend(f"- {layer} in train: {train.get(layer, {})}" for layer in meta["layers"])
    t = meta["training"]
    lines += [
        "",
        (
            f"Seed {t['seed']}; {t['epochs']} epochs evaluated, best at epoch {t['best_epoch']} "
            f"(step {t['best_step']}); {t['seconds']} s. Validation scores (best epoch): {scores}."
        ),
        "",
        "## Model against rules",
        "",
    ]
    if table:
        lines += [
            (
                f"On {where}: `rules` is pre-annotation without the model, `model` the "
                "model's spans only (`--suggest model`), `both` the merge (`--suggest both`)."
            ),
            "",
            table,
        ]
    else:
        lines.append("No test gold was given (no test split, no --test): not compared.")
    return "\n".join(lines) + "\n"
