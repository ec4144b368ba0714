"""A trained pipeline in the loop: its annotate-kit metadata, its spans, and the merge policy.

``annotate-kit train`` writes a normal spaCy pipeline folder plus ``annotate_kit.json``: the
scheme version it was trained for, the layers it predicts (``ner`` → entities, ``spancat``
→ ``doc.spans["cues"]``), the training data's fingerprint. Pre-annotation loads such a folder
like any pipeline (``models={"en": "MODEL_DIR"}``), refuses one made for another scheme, and
merges its spans with the rules' suggestions by a stated policy:

- ``rules``: the lexicon and rules only (the model's pipeline still tags, parses, splits);
- ``model``: in each layer the model predicts, its spans only; other layers from rules;
- ``both`` (default): the model's spans, plus the rules' spans that overlap none of them. A
  rule span that a model span overlaps gives way to it; the model span takes the rule span's
  id, so relations built by the rules (a cue SCOPES_OVER a claim) now point at the model span.

Claims: the model gives the span, the rules its attributes. A claim span categoriser cannot
say who is the source, how the claim is attributed, its factuality or its check-worthiness;
the rules say it for any span (claims.py ``model_claims``): a model claim takes the
construction and source of the rule claim it overlaps most, then its cues, factuality and
check-worthiness are computed for the model's span as for a rule claim, and its relations
(source entity, cues) are built by the rules. The same policy decides which rule claims stay.

A model cue that replaces no rule cue is attached to a rule claim of its segment (the one
that holds it, else the next one, else the one before: "believe" scopes over the clause that
follows it), by the relation the scheme gives its type (e.g. SCOPES_OVER), as the rules attach
theirs; one in a segment without claims stays unattached (``validate`` reports such a cue, E130, as in any cue-only
annotation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from annotate_kit.errors import PreannotationError
from annotate_kit.scheme.schema import load_scheme

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from annotate_kit.scheme.records import Record

META_FILE = "annotate_kit.json"
META_FORMAT = 1
SUGGEST = ("both", "model", "rules")
DEFAULT_SUGGEST = "both"
SPANS_KEYS = {"cues": "cues", "claims": "claims"}  # layer -> doc.spans key
PREFIXES = {"entities": "ent", "cues": "cue", "claims": "claim"}


@dataclass(frozen=True)
class TrainedModel:
    """What ``annotate_kit.json`` says about a trained pipeline folder."""

    path: Path
    name: str
    lang: str
    scheme_version: str
    fingerprint: str  # of the training and validation data (training/data.py)
    layers: dict[str, list[str]]  # layer -> labels the model predicts

    @property
    def tag(self) -> str:
        """What ``model_version`` names: 'szeged-wiki-3f2a9c1d0b7e'."""
        return f"{self.name}-{self.fingerprint[:12]}"


def is_trained_model(name: str | Path) -> bool:
    """A folder written by ``annotate-kit train`` (an installed package name is not)."""
    return (Path(name) / META_FILE).is_file()


def read_trained_model(path: str | Path, *, lang: str | None = None) -> TrainedModel:
    """The folder's metadata; PreannotationError when it was made for another scheme or language."""
    path = Path(path)
    try:
        meta = json.loads((path / META_FILE).read_text("utf-8"))
        model = TrainedModel(
            path=path,
            name=str(meta["name"]),
            lang=str(meta["lang"]),
            scheme_version=str(meta["scheme_version"]),
            fingerprint=str(meta["data"]["fingerprint"]),
            layers={k: list(v["labels"]) for k, v in meta["layers"].items()},
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PreannotationError(
            f"{path / META_FILE}: not annotate-kit model metadata ({exc!r}); "
            "retrain the model with `annotate-kit train`",
            code="E510",
        ) from None
    scheme = load_scheme()
    if model.scheme_version.split(".")[0] != str(scheme.major):
        raise PreannotationError(
            f"model {path} was trained for annotation scheme {model.scheme_version}, but this "
            f"annotate-kit uses scheme {scheme.version} (another major version: labels and "
            "their meaning may differ). Retrain it with `annotate-kit train` on data "
            "exported under the current scheme.",
            code="E511",
        )
    for layer, labels in model.layers.items():
        if layer not in PREFIXES:
            raise PreannotationError(
                f"model {path} predicts a layer {layer!r} the scheme does not have", code="E511"
            )
        unknown = sorted(set(labels) - set(scheme.layer_labels(layer)))
        if unknown:
            raise PreannotationError(
                f"model {path} predicts {layer} labels the scheme {scheme.version} lacks: "
                f"{', '.join(unknown)}. Retrain it on data exported under the current scheme.",
                code="E511",
            )
    if lang is not None and model.lang != lang:
        raise PreannotationError(
            f"model {path} is for language '{model.lang}', not '{lang}': "
            f"pass it as --model {model.lang}={path}",
            code="E512",
        )
    return model


def model_spans(doc: Doc, model: TrainedModel, offset: int) -> dict[str, list[dict[str, Any]]]:
    """The model's spans of one segment's Doc as the scheme's span dicts (record offsets,
    no ids yet): entities from ``doc.ents``, cues and claims from ``doc.spans``."""
    found: dict[str, list[dict[str, Any]]] = {layer: [] for layer in model.layers}
    if "entities" in model.layers:
        allowed = set(model.layers["entities"])
        found["entities"] = [
            {"start": offset + e.start_char, "end": offset + e.end_char, "label": e.label_}
            for e in doc.ents
            if e.label_ in allowed
        ]
    for layer in ("cues", "claims"):
        key = SPANS_KEYS[layer]
        if layer not in model.layers or key not in doc.spans:
            continue
        group = doc.spans[key]
        scores = group.attrs.get("scores")
        allowed = set(model.layers[layer])
        for index, span in enumerate(group):
            if span.label_ not in allowed:
                continue
            item: dict[str, Any] = {
                "start": offset + span.start_char,
                "end": offset + span.end_char,
                "label": span.label_,
            }
            if scores is not None:
                # one score per span (spancat_singlelabel keeps it as a 1-element row)
                item["score"] = round(float(np.max(scores[index])), 4)
            found[layer].append(item)
    for spans in found.values():
        for item in spans:
            item["segment"] = (offset, offset + len(doc.text))
    return found


def claim_token_spans(doc: Doc) -> list[tuple[int, int, float | None]]:
    """The model's claims of one segment's Doc as token ranges with their score (the rules
    then give each its attributes: claims.py ``model_claims``)."""
    group = doc.spans.get(SPANS_KEYS["claims"])
    if group is None:
        return []
    scores = group.attrs.get("scores")
    return [
        (
            span.start,
            span.end,
            round(float(np.max(scores[i])), 4) if scores is not None else None,
        )
        for i, span in enumerate(group)
    ]


def merge_suggestions(
    record: Record, predicted: dict[str, list[dict[str, Any]]], *, policy: str
) -> None:
    """Merge the model's spans into the rules' layers of ``record`` in place (module docstring)."""
    if policy not in SUGGEST:
        raise PreannotationError(f"unknown --suggest {policy!r}: use {', '.join(SUGGEST)}")
    if policy == "rules":
        return
    text = record["text"]
    renamed: dict[str, str | None] = {}
    for layer, found in predicted.items():
        if layer == "claims":
            continue  # merged per segment with the rules' attributes (claim_token_spans)
        rules = record.get(layer, [])
        spans = sorted(found, key=lambda s: (s["start"], s["end"], s["label"]))
        taken: set[str] = set()
        merged: list[dict[str, Any]] = []
        placed: list[dict[str, Any]] = []
        fresh = 0
        for span in spans:
            under = [r for r in rules if r["start"] < span["end"] and span["start"] < r["end"]]
            free = next((r["id"] for r in under if r["id"] not in taken), None)
            if free is None:
                fresh += 1
                free = f"{PREFIXES[layer]}-m{fresh}"
            taken.add(free)
            placed.append({"id": free, **_span_fields(span, text)})
            merged.append(placed[-1])
            for r in under:
                renamed.setdefault(r["id"], free)
        for r in rules:
            if r["id"] in renamed:
                continue
            if policy == "both":
                merged.append(r)
            else:
                renamed[r["id"]] = None
        record[layer] = sorted(merged, key=lambda s: (s["start"], s["end"]))
        if layer == "cues":
            new = [
                (cue, span.get("segment"))
                for span, cue in zip(spans, placed, strict=True)
                if cue["id"].startswith("cue-m")
            ]
            _attach(record, new)
    _remap_relations(record, renamed)


def _attach(record: Record, cues: list[tuple[dict[str, Any], tuple[int, int] | None]]) -> None:
    """Relate each new model cue to the claim of its segment that holds it, else the next one,
    else the one before."""
    scheme = load_scheme()
    relations = record.setdefault("relations", [])
    for cue, (low, high) in ((c, s or (0, len(record["text"]))) for c, s in cues):
        kind = scheme.cue_relation(cue["label"])
        near = [c for c in record.get("claims", []) if low <= c["start"] and c["end"] <= high]
        holds = [c for c in near if c["start"] <= cue["start"] and cue["end"] <= c["end"]]
        after = [c for c in near if c["start"] >= cue["end"]]
        before = [c for c in near if c["end"] <= cue["start"]]
        claim = next(iter(holds or after or before[::-1]), None)
        if kind and claim is not None:
            relations.append(
                {
                    "id": f"rel-m{len(relations) + 1}",
                    "type": kind,
                    "head": cue["id"],
                    "tail": claim["id"],
                }
            )


def _span_fields(span: dict[str, Any], text: str) -> dict[str, Any]:
    item = {"start": span["start"], "end": span["end"], "text": text[span["start"] : span["end"]]}
    item["label"] = span["label"]
    if "score" in span:
        item["score"] = span["score"]
    return item


def _remap_relations(record: Record, renamed: dict[str, str | None]) -> None:
    """Relations follow the renamed spans; a cue's relation takes the type its (maybe new)
    label asks for: a model HEDGE that replaced a rule ATTRIBUTION cue scopes over the claim
    instead of being its cue (E122 otherwise)."""
    scheme = load_scheme()
    cue_labels = {c["id"]: c["label"] for c in record.get("cues", [])}
    kept, seen = [], set()
    for relation in record.get("relations", []):
        head = renamed.get(relation["head"], relation["head"])
        tail = renamed.get(relation["tail"], relation["tail"])
        kind = relation["type"]
        if head in cue_labels and head in renamed.values():
            kind = scheme.cue_relation(cue_labels[head])
        if head is None or tail is None or kind is None or (kind, head, tail) in seen:
            continue
        seen.add((kind, head, tail))
        kept.append({**relation, "type": kind, "head": head, "tail": tail})
    record["relations"] = kept
