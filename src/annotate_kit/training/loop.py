"""Train a pipeline with spaCy's own loop and write MODEL_DIR.

spaCy's ``init_nlp`` builds the pipeline from the config (sourcing the base components), and
its ``train_while_improving`` runs the updates, evaluates on the validation split once per
epoch and stops after ``patience`` epochs without improvement. What this module adds: the
Docs from records (data.py), a progress callback per epoch, the best epoch's weights kept in
memory, and MODEL_DIR written whole or not at all (a staging folder renamed at the end):
the spaCy pipeline, its ``config.cfg`` (paths emptied: the training files were temporary) and
``annotate_kit.json`` (preannotate/model.py reads it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotate_kit.errors import TrainingError
from annotate_kit.preannotate.core import toolkit_version
from annotate_kit.preannotate.lexicon import load_lexicon, load_rules
from annotate_kit.preannotate.model import META_FILE, META_FORMAT
from annotate_kit.preannotate.pipeline import installed_pipeline
from annotate_kit.preannotate.suggesters import NAME as CLAUSE_SUGGESTER
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.training.config import (
    COMPONENTS,
    SCORES,
    SPAN_LAYERS,
    TOK2VEC,
    ngram_size,
    training_config,
)
from annotate_kit.training.data import (
    TRAINABLE,
    TrainingData,
    counts,
    fingerprint,
    labels_present,
    record_docs,
)

BLANK = "blank"


@dataclass(frozen=True)
class Epoch:
    """One evaluation on the validation split (spaCy evaluates once per epoch here)."""

    epoch: int
    step: int
    score: float  # the weighted main score (mean F1 of the trained layers)
    scores: dict[str, float]  # per layer: precision, recall, F1 on validation
    losses: dict[str, float]
    seconds: float
    best: bool


@dataclass
class TrainResult:
    model_dir: Path
    meta: dict[str, Any]
    epochs: list[Epoch] = field(default_factory=list)


def train_model(
    data: TrainingData,
    output: str | Path,
    *,
    config: str | Path | None = None,
    base: str | None = None,
    layers: Sequence[str] | None = None,
    name: str | None = None,
    seed: int = 0,
    max_epochs: int = 30,
    patience: int = 3,
    batch_size: int = 32,
    tok2vec: str = "own",
    overwrite: bool = False,
    progress: Callable[[Epoch], None] | None = None,
) -> TrainResult:
    """Train on ``data``'s train split, stop early on its validation split, write ``output``.

    ``base``: a pipeline package or folder to start from, ``"blank"`` for none; default the
    language's installed pipeline (as pre-annotation picks it). ``layers``: which of entities
    and cues to learn (default: those with gold spans in the training split). ``config``: a
    spaCy config of one's own (its ``paths.train``/``paths.dev`` are set here). ``tok2vec``:
    what the new components listen to, ``own`` or ``base`` (config.py).
    """
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import create_train_batches, train_while_improving
    from spacy.util import load_config, registry, resolve_dot_names
    from thinc.api import fix_random_seed

    output = Path(output)
    if output.exists() and not overwrite:
        raise TrainingError(f"{output} exists: pass --overwrite to replace it")
    lang = data.lang
    train, dev = data.split("train"), data.split("validation")
    found = labels_present(train, layers or TRAINABLE)
    if layers:
        missing = sorted(set(layers) - set(found) - set(TRAINABLE))
        if missing:
            raise TrainingError(f"cannot train layers {missing}: trainable are {TRAINABLE}")
    if not found:
        raise TrainingError(
            f"{data.source}: no entity, cue or claim in the training split: nothing to learn"
        )
    base_name = _base(lang, base)
    started = time.perf_counter()
    fix_random_seed(seed)
    with tempfile.TemporaryDirectory(prefix=".train-", dir=output.parent or ".") as tmp:
        work = Path(tmp)
        train_docs, dev_docs = _write_corpora(lang, work, train, dev, list(found))
        if config is None:
            components, width = _components(base_name)
            cfg = training_config(
                lang=lang,
                base=base_name,
                base_components=components,
                base_width=width,
                layers=found,
                suggesters=suggesters(train_docs, found),
                tok2vec=tok2vec,
                seed=seed,
                train_segments=len(train_docs),
                batch_size=batch_size,
                max_epochs=max_epochs,
                patience=patience,
            )
        else:
            cfg = load_config(Path(config))
            cfg["training"]["seed"] = seed  # --seed wins over the file's
        cfg["paths"]["train"] = str(work / "train.spacy")
        cfg["paths"]["dev"] = str(work / "dev.spacy")
        nlp = init_nlp(cfg)
        resolved = nlp.config.interpolate()
        training = registry.resolve(resolved["training"])
        train_corpus, dev_corpus = resolve_dot_names(
            resolved, [training["train_corpus"], training["dev_corpus"]]
        )
        frozen = list(training["frozen_components"])
        annotating = list(training["annotating_components"])
        trained = [
            n
            for n in nlp.pipe_names
            if n in annotating or (n not in frozen and hasattr(nlp.get_pipe(n), "model"))
        ]
        weights = {SCORES[k]: 1 / len(found) for k in found}
        dev_examples = list(dev_corpus(nlp))
        first = [True]

        def evaluate() -> tuple[float, dict[str, float]]:
            if first.pop() if first else False:
                return 0.0, {}  # spaCy evaluates after its first batch: no candidate yet
            with nlp.select_pipes(enable=trained):
                scores = nlp.evaluate(dev_examples)
            main = sum((scores.get(k) or 0.0) * w for k, w in weights.items())
            return main, scores

        optimizer = training["optimizer"]
        steps = train_while_improving(
            nlp,
            optimizer,
            create_train_batches(nlp, train_corpus, training["batcher"], training["max_epochs"]),
            evaluate,
            dropout=training["dropout"],
            accumulate_gradient=training["accumulate_gradient"],
            patience=training["patience"],
            max_steps=training["max_steps"],
            eval_frequency=training["eval_frequency"],
            exclude=frozen,
            annotating_components=training["annotating_components"],
            before_update=training["before_update"],
        )
        epochs: list[Epoch] = []
        best: bytes | None = None
        info: dict[str, Any] = {}

        def record(number: int, score: float, scores: dict, is_best: bool) -> None:
            nonlocal best
            epoch = Epoch(
                epoch=number,
                step=info["step"],
                score=round(score, 4),
                scores=_layer_scores(scores, found),
                losses={k: round(float(v), 3) for k, v in info["losses"].items()},
                seconds=round(time.perf_counter() - started, 1),
                best=is_best,
            )
            epochs.append(epoch)
            if is_best:
                best = nlp.to_bytes()
            if progress is not None:
                progress(epoch)

        evaluated = False
        for _, info, is_best in steps:
            evaluated = is_best is not None
            if evaluated and info["step"] > 0:
                record(info["epoch"], info["score"], info["other_scores"], bool(is_best))
        if info and not evaluated:  # spaCy's loop ends without evaluating the last epoch
            score, scores = evaluate()
            top = max((e.score for e in epochs), default=0.0)
            record(info["epoch"] + 1, score, scores, round(score, 4) >= top)
        if best is not None:
            nlp.from_bytes(best)
        if not epochs:
            raise TrainingError("training stopped before its first epoch ended: raise --max-epochs")
        chosen = max(epochs, key=lambda e: (e.score, -e.step))
        meta = _meta(
            data,
            name=name or output.name,
            lang=lang,
            base=base_name,
            layers=found,
            seed=seed,
            best=chosen,
            epochs=len({e.epoch for e in epochs}),
            seconds=time.perf_counter() - started,
            train_docs=len(train_docs),
            dev_docs=len(dev_docs),
        )
        nlp.meta["name"] = meta["name"].replace("-", "_")
        nlp.meta["version"] = toolkit_version().split("+")[0]
        nlp.meta["description"] = (
            f"annotate-kit model: {', '.join(found)} (scheme {meta['scheme_version']})"
        )
        _write_model(nlp, output, meta, work, overwrite=overwrite)
    return TrainResult(model_dir=output, meta=meta, epochs=epochs)


def _base(lang: str, base: str | None) -> str | None:
    if base == BLANK:
        return None
    if base is not None:
        return base
    return installed_pipeline(load_lexicon(lang).pipelines)


def _components(base: str | None) -> tuple[tuple[list[str], list[str]], int | None]:
    """The base pipeline's components and the disabled ones (fr_core_news_sm's senter), and
    the width of its ``tok2vec`` component (None without one), read from its config (no need
    to load it here)."""
    if base is None:
        return ([], []), None
    from spacy.util import get_package_path, is_package, load_config

    folder = get_package_path(base) if is_package(base) else Path(base)
    configs = sorted(folder.glob("*/config.cfg")) if is_package(base) else []
    path = folder / "config.cfg" if (folder / "config.cfg").is_file() else next(iter(configs), None)
    if path is None:
        raise TrainingError(
            f"cannot find the base pipeline {base!r} (neither an installed package nor a "
            "pipeline folder); pass --base blank to start from spaCy's blank pipeline"
        )
    config = load_config(path, interpolate=True)
    nlp = config["nlp"]
    width = None
    if TOK2VEC in nlp["pipeline"]:
        encode = config["components"][TOK2VEC]["model"].get("encode") or {}
        width = encode.get("width") if isinstance(encode.get("width"), int) else None
    return (list(nlp["pipeline"]), list(nlp.get("disabled", []))), width


def suggesters(docs: Sequence[Any], layers: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """A suggester per span layer, sized on the training spans (config.py)."""
    out = {}
    for layer in SPAN_LAYERS:
        if layer in layers:
            if layer == "claims":  # clauses, not n-grams (preannotate/suggesters.py)
                words = load_rules().claims["complementizers"]
                out[layer] = {"@misc": CLAUSE_SUGGESTER, "starters": [*words, "qu’"]}
                continue
            lengths = [len(s) for d in docs for s in d.spans.get(layer, [])]
            out[layer] = {
                "@misc": "spacy.ngram_range_suggester.v1",
                "min_size": 1,
                "max_size": ngram_size(lengths),
            }
    return out


def _write_corpora(
    lang: str, work: Path, train: list, dev: list, layers: list[str]
) -> tuple[list, list]:
    import spacy
    from spacy.tokens import DocBin

    maker = spacy.blank(lang)
    out = []
    for split, records in (("train", train), ("dev", dev)):
        docs = record_docs(maker, records, layers)
        DocBin(docs=docs, store_user_data=False).to_disk(work / f"{split}.spacy")
        out.append(docs)
    return out[0], out[1]


def _layer_scores(scores: dict[str, Any], layers: dict[str, list[str]]) -> dict[str, float]:
    out = {}
    for layer in layers:
        key = SCORES[layer].removesuffix("_f")
        for part in ("p", "r", "f"):
            value = scores.get(f"{key}_{part}")
            out[f"{layer}_{part}"] = round(float(value or 0.0), 4)
    return out


def _meta(
    data: TrainingData,
    *,
    name: str,
    lang: str,
    base: str | None,
    layers: dict[str, list[str]],
    seed: int,
    best: Epoch,
    epochs: int,
    seconds: float,
    train_docs: int,
    dev_docs: int,
) -> dict[str, Any]:
    train, dev = data.split("train"), data.split("validation")
    return {
        "format": META_FORMAT,
        "name": name,
        "lang": lang,
        "scheme_version": load_scheme().version,
        "toolkit_version": toolkit_version(),
        "created": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "base": base or "blank",
        "layers": {
            layer: {"component": COMPONENTS[layer], "labels": labels}
            for layer, labels in layers.items()
        },
        "data": {
            "source": data.source,
            "fingerprint": fingerprint(data.splits, list(layers)),
            "train": {**counts(train, list(layers)), "docs": train_docs},
            "validation": {**counts(dev, list(layers)), "docs": dev_docs},
        },
        "training": {
            "seed": seed,
            "epochs": epochs,
            "best_epoch": best.epoch,
            "best_step": best.step,
            "seconds": round(seconds, 1),
        },
        "validation_scores": best.scores,
    }


def _write_model(
    nlp: Any, output: Path, meta: dict[str, Any], work: Path, *, overwrite: bool
) -> None:
    from thinc.api import Config

    staging = work / "model"
    nlp.to_disk(staging)
    config = Config().from_disk(staging / "config.cfg", interpolate=False)
    config["paths"]["train"] = None
    config["paths"]["dev"] = None
    config.to_disk(staging / "config.cfg")
    (staging / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    if output.exists() and overwrite:
        shutil.rmtree(output)
    os.replace(staging, output)
