"""What a model learns from: gold records by split, their fingerprint and counts, spaCy Docs.

Two inputs, as the issue says: an exported dataset folder (its ``default`` config: the
adjudicated gold, with export's own train/validation/test splits) or records files (what
``validate`` takes; several annotations of a document get export's gold choice, and the
splits are export's hash of the document id). Docs are cut as pre-annotation cuts them
(``preannotate.segments``): one Doc per heading or paragraph, so training and use see the same
units.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate_kit.agreement.adjudicate import adjudicate
from annotate_kit.errors import TrainingError
from annotate_kit.export.dataset import split_of
from annotate_kit.io.inputs import iter_items
from annotate_kit.preannotate.model import SPANS_KEYS
from annotate_kit.preannotate.segments import nlp_text, segments
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.validate.items import validate_items
from annotate_kit.validate.problems import Report

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

TRAINABLE = ("entities", "cues", "claims")  # claims: the span; the rules give the attributes
SPLITS = ("train", "validation", "test")
# Problems about relations, not spans: a cue attached to no claim (cue-only corpora such as
# CoNLL-2010), a claim's source relations. Training reads spans alone; these do not stop it.
RELATION_ONLY = frozenset({"E130", "E131", "E132"})


@dataclass
class TrainingData:
    """Gold records by split, and where they came from."""

    source: str
    splits: dict[str, list[Record]] = field(default_factory=dict)

    def split(self, name: str) -> list[Record]:
        return self.splits.get(name, [])

    @property
    def lang(self) -> str:
        langs = Counter(r.get("lang") or "" for r in self.split("train"))
        if len(langs) != 1:
            raise TrainingError(
                f"{self.source}: the training split mixes languages ({dict(langs)}); "
                "train one model per language (filter the records by lang)"
            )
        return next(iter(langs))


def load_training_data(path: str | Path) -> TrainingData:
    """An exported dataset folder, or records files: TrainingError when neither is usable."""
    path = Path(path)
    if (path / "data" / "default").is_dir():
        data = TrainingData(str(path), read_export(path))
    else:
        data = TrainingData(str(path), split_records(read_records([path])))
    if not data.split("train"):
        raise TrainingError(f"{path}: no training documents (the train split is empty)")
    if not data.split("validation"):
        raise TrainingError(
            f"{path}: no validation documents: early stopping needs some (export with "
            "--split giving validation a share, or more documents)"
        )
    return data


def read_export(folder: Path) -> dict[str, list[Record]]:
    """The ``default`` config's Parquet files by split, labels decoded to their names."""
    import pyarrow.parquet as pq
    from datasets import Features

    found: dict[str, list[Record]] = {}
    for file in sorted((folder / "data" / "default").glob("*.parquet")):
        split = file.name.split("-", 1)[0]
        table = pq.read_table(file)
        names = _label_names(Features.from_arrow_schema(table.schema))
        for row in table.to_pylist():
            for layer, key in (("entities", "label"), ("cues", "label"), ("relations", "type")):
                for span in row.get(layer) or []:
                    if isinstance(span.get(key), int) and layer in names:
                        span[key] = names[layer][span[key]]
            found.setdefault(split, []).append(row)
    if not found:
        raise TrainingError(f"{folder}: an export folder without default-config Parquet files")
    return found


def _label_names(features: Any) -> dict[str, list[str]]:
    out = {}
    for layer, key in (("entities", "label"), ("cues", "label"), ("relations", "type")):
        inner = getattr(features.get(layer), "feature", None)
        label = inner.get(key) if isinstance(inner, dict) else None
        if label is not None and hasattr(label, "names"):
            out[layer] = list(label.names)
    return out


def read_records(paths: Sequence[str | Path]) -> list[Record]:
    """Valid records from what ``validate`` takes, one gold per document (export's policy).

    An invalid record stops training with the first problem: a model must not learn from
    offsets that do not match the text. Problems about relations alone (``RELATION_ONLY``) do
    not stop it.
    """
    report = Report()
    groups: dict[str, list[Record]] = defaultdict(list)
    for item, found in validate_items(iter_items(list(paths)), report):
        problems = [p for p in found if p.code not in RELATION_ONLY]
        if problems:
            first = problems[0]
            raise TrainingError(
                f"{item.file}{f':{item.line}' if item.line else ''}: invalid record "
                f"({first.code} {first.message} at {first.path}); run `annotate-kit validate` "
                "and train on the valid records"
            )
        groups[item.record["doc_id"]].append(item.record)
    chosen = []
    for group in groups.values():
        gold = adjudicate(group).record
        if gold is not None:
            chosen.append(gold)
    return chosen


def split_records(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Export's splits: a hash of the document id (export/dataset.py ``split_of``)."""
    found: dict[str, list[Record]] = {}
    for record in records:
        found.setdefault(split_of(record["doc_id"]), []).append(record)
    return found


def label_of(layer: str, span: dict[str, Any]) -> str:
    """A span's label; a claim has none in records, the scheme's fixed one (CLAIM)."""
    if layer == "claims":
        return load_scheme().layer_labels("claims")[0]
    return span["label"]


def labels_present(records: Iterable[Record], layers: Sequence[str] = TRAINABLE) -> dict:
    """Layer -> sorted labels with at least one gold span (a layer with none is not trained:
    a model taught that no document has entities would only learn to predict none)."""
    found: dict[str, set[str]] = {layer: set() for layer in layers}
    for record in records:
        for layer in layers:
            found[layer].update(label_of(layer, s) for s in record.get(layer) or [])
    return {layer: sorted(labels) for layer, labels in found.items() if labels}


def fingerprint(splits: dict[str, list[Record]], layers: Sequence[str]) -> str:
    """SHA-256 of what training reads: each document's split, text hash and gold spans."""
    digest = hashlib.sha256()
    rows = []
    for split in ("train", "validation"):
        for record in splits.get(split, []):
            spans = {
                layer: sorted((s["start"], s["end"], label_of(layer, s)) for s in record[layer])
                for layer in layers
            }
            rows.append((split, record["doc_id"], record.get("text_sha256", ""), spans))
    for row in sorted(rows, key=lambda r: (r[0], r[1])):
        digest.update(json.dumps(row, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def counts(records: Sequence[Record], layers: Sequence[str]) -> dict[str, Any]:
    """Documents, segments and spans per label: what the metadata and the README show."""
    out: dict[str, Any] = {
        "documents": len(records),
        "segments": sum(len(segments(r)) for r in records),
    }
    for layer in layers:
        out[layer] = dict(
            sorted(Counter(label_of(layer, s) for r in records for s in r[layer]).items())
        )
    return out


def record_docs(nlp: Language, records: Iterable[Record], layers: Sequence[str]) -> list[Doc]:
    """One Doc per segment with the gold as ``doc.ents`` and ``doc.spans``.

    A span is snapped outwards to whole tokens (spaCy cannot hold part of a token); entities
    that overlap after that keep the longest (``filter_spans``). A segment without gold spans
    stays: it teaches what is not a cue.
    """
    from spacy.util import filter_spans

    docs = []
    for record in records:
        text = record["text"]
        for seg in segments(record):
            doc = nlp.make_doc(nlp_text(text[seg.start : seg.end]))
            for layer in layers:
                spans = []
                for s in record.get(layer) or []:
                    if s["start"] >= seg.start and s["end"] <= seg.end:
                        span = doc.char_span(
                            s["start"] - seg.start,
                            s["end"] - seg.start,
                            label=label_of(layer, s),
                            alignment_mode="expand",
                        )
                        if span is not None and len(span):
                            spans.append(span)
                if layer == "entities":
                    doc.ents = filter_spans(spans)
                else:
                    doc.spans[SPANS_KEYS[layer]] = spans
            docs.append(doc)
    return docs
