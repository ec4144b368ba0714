"""The Szeged Uncertainty Corpus (CoNLL-2010 hedge cues) as annotate-kit records.

Read from ``../shared/corpora/szeged-uncertainty/`` (never copied into the repository). One
record per ``<Document>``: its sentences joined by newlines, one ``blocks`` entry per sentence
(pre-annotation and training cut there), one cue span per ``<ccue>``.

Szeged -> scheme cue types (as bench/eval_cues.py on the preannotate branch writes them down):

    speculation_modal_probable_, speculation_modal_possible_ -> EPISTEMIC
    speculation_hypo_doxastic -> DOXASTIC       speculation_hypo_investigation -> INVESTIGATION
    speculation_hypo_condition -> CONDITION     weasel -> WEASEL   hedge -> HEDGE
    peacock -> PEACOCK (not an uncertainty type)

Szeged has no conditional-mood class: a gold cue whose text is "would" or "'d" becomes
CONDITIONAL, the scheme's type for it.

Split (fixed, by document): SHA-256 of "szeged:" + DocID, first 8 hex digits as a number in
[0, 1): below 0.8 train, below 0.9 dev, else test.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from annotate_kit.scheme.records import new_record

DEFAULT_CORPORA = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora"
SZEGED_TYPES = {
    "speculation_modal_probable_": "EPISTEMIC",
    "speculation_modal_possible_": "EPISTEMIC",
    "speculation_hypo_doxastic": "DOXASTIC",
    "speculation_hypo_investigation": "INVESTIGATION",
    "speculation_hypo_condition": "CONDITION",
    "weasel": "WEASEL",
    "hedge": "HEDGE",
    "peacock": "PEACOCK",
}
CONDITIONAL_FORMS = {"would", "'d"}
UNCERTAINTY = frozenset(
    {"EPISTEMIC", "DOXASTIC", "INVESTIGATION", "CONDITION", "CONDITIONAL", "HEDGE", "WEASEL"}
)


def split_of(doc_id: str) -> str:
    bucket = int(hashlib.sha256(f"szeged:{doc_id}".encode()).hexdigest()[:8], 16) / 2**32
    return "train" if bucket < 0.8 else "dev" if bucket < 0.9 else "test"


def cue_type(raw: str, text: str) -> str | None:
    kind = SZEGED_TYPES.get(raw.replace(" _", "").strip())
    if kind is not None and text.strip().lower() in CONDITIONAL_FORMS:
        return "CONDITIONAL"
    return kind


def read_sentence(element: ET.Element) -> tuple[str, list[tuple[int, int, str]]]:
    """Text and (start, end, scheme type) of each ``<ccue>``, nested cues included."""
    parts: list[str] = []
    cues: list[tuple[int, int, str]] = []

    def walk(node: ET.Element) -> None:
        parts.append(node.text or "")
        for child in node:
            start = sum(map(len, parts))
            walk(child)
            if child.tag == "ccue":
                end = sum(map(len, parts))
                kind = cue_type(child.get("type", ""), "".join(parts)[start:end])
                if kind is not None:
                    cues.append((start, end, kind))
            parts.append(child.tail or "")

    walk(element)
    return "".join(parts).replace("\n", " ").replace("\r", " "), cues


def read_records(path: Path) -> list[dict[str, Any]]:
    """One gold record per document, in file order, with ``meta.split`` set."""
    records = []
    root = ET.parse(path).getroot()  # noqa: S314 -- a local research corpus
    for element in root.iter("Document"):
        doc_id = element.findtext("DocID", default="").strip()
        text, blocks, cues = "", [], []
        for sentence in element.iter("Sentence"):
            body, found = read_sentence(sentence)
            start = len(text)
            blocks.append({"start": start, "end": start + len(body), "kind": "paragraph"})
            cues += [(start + s, start + e, kind) for s, e, kind in found]
            text += body + "\n"
        record = new_record(
            text=text,
            lang="en",
            doc_id=f"szeged-{doc_id}",
            meta={"source_file": path.name, "split": split_of(doc_id)},
            blocks=blocks,
            annotation={"id": "szeged", "origin": "gold", "annotator": "szeged"},
        )
        record["cues"] = [
            {"id": f"q{i}", "start": s, "end": e, "text": text[s:e], "label": kind}
            for i, (s, e, kind) in enumerate(sorted(cues), 1)
            if text[s:e].strip() == text[s:e] and e > s
        ]
        records.append(record)
    return records
