"""A trained model against the rules, on gold records, as one table.

Three settings of pre-annotation score the same gold with ``agreement.evaluate``:

- ``rules``: what ``convert --preannotate`` gives without a model (the language's installed
  pipeline and the lexicon);
- ``model``: the trained pipeline's spans in the layers it learnt (``--suggest model``);
- ``both``: the merge (``--suggest both``, the default with ``--model``).

Rows are the layers the model learnt, untyped ("(spans)": boundaries only) and typed ("*"),
overlap and exact match.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from annotate_kit.agreement.evaluate import ANY, SPANS, Evaluation, evaluate_records
from annotate_kit.errors import TrainingError
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.preannotate.model import read_trained_model
from annotate_kit.scheme.records import Record
from annotate_kit.training.data import read_export, read_records

SETTINGS = ("rules", "model", "both")
BATCH = 64


@dataclass(frozen=True)
class Comparison:
    """One evaluation per setting, the layers to show, and what was compared."""

    evaluations: dict[str, Evaluation]
    layers: tuple[str, ...]
    documents: int
    model_versions: dict[str, str]


def compare_suggestions(
    model_dir: str | Path, gold: Sequence[Record], *, lang: str | None = None
) -> Comparison:
    """Pre-annotate ``gold``'s texts three ways and score each against ``gold``."""
    model = read_trained_model(model_dir, lang=lang)
    lang = lang or model.lang
    blanks = [_blank(r) for r in gold]
    evaluations, versions = {}, {}
    trained = Preannotator(lang=lang, models={lang: str(model_dir)})
    for setting in SETTINGS:
        if setting == "rules":
            pre = Preannotator(lang=lang)
        else:
            pre = trained
            pre.suggest = setting
        predicted = []
        for first in range(0, len(blanks), BATCH):
            predicted += preannotate_batch(blanks[first : first + BATCH], preannotator=pre)
        evaluations[setting] = evaluate_records(predicted, gold)
        versions[setting] = pre.model_version(lang)
    return Comparison(evaluations, tuple(model.layers), len(gold), versions)


def comparison_gold(path: str | Path) -> list[Record]:
    """The gold to compare on: an exported dataset folder's test split, else records files
    (what ``validate`` takes; one gold per document, as export chooses it)."""
    path = Path(path)
    if (path / "data" / "default").is_dir():
        gold = read_export(path).get("test", [])
        if not gold:
            raise TrainingError(
                f"{path}: the export has no test split to compare on; pass gold records instead"
            )
        return gold
    return read_records([path])


def comparison_as_dict(comparison: Comparison) -> dict:
    """The JSON form: each setting's model_version and evaluation."""
    return {
        "documents": comparison.documents,
        "layers": list(comparison.layers),
        "settings": {
            setting: {
                "model_version": comparison.model_versions[setting],
                "evaluation": comparison.evaluations[setting].as_dict(),
            }
            for setting in comparison.evaluations
        },
    }


def _blank(record: Record) -> Record:
    keep = ("schema_version", "doc_id", "lang", "text", "text_sha256", "meta", "blocks")
    out = {k: copy.deepcopy(record[k]) for k in keep if record.get(k) is not None}
    out.update(entities=[], claims=[], cues=[], relations=[])
    return out


def format_comparison(comparison: Comparison) -> str:
    """A Markdown table: one row per layer, label set and match, P/R/F1 per setting."""
    head = "| layer | labels | match | " + " | ".join(f"{s} P | {s} R | {s} F1" for s in SETTINGS)
    lines = [head + " |", "|" + "---|" * (3 + 3 * len(SETTINGS))]
    for layer in comparison.layers:
        for label, shown in ((SPANS, "untyped"), (ANY, "typed")):
            for mode in ("overlap", "exact"):
                cells = []
                for setting in SETTINGS:
                    try:
                        score = comparison.evaluations[setting].get(layer, mode, label)
                    except KeyError:
                        cells += ["-", "-", "-"]
                        continue
                    cells += [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}"]
                lines.append(f"| {layer} | {shown} | {mode} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"{comparison.documents} documents. Settings (model_version):")
    lines.extend(f"- {s}: `{v}`" for s, v in comparison.model_versions.items())
    return "\n".join(lines)
