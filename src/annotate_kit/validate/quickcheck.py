"""The semantic checks' fast path: one bulk pass that proves a schema-valid record clean.

Nearly every record a pipeline validates is valid, and validate.py's checks walk it span by
span to say exactly what is wrong. Here the same rules are tested a layer at a time with C-level
getters, sets and slices: 3x fewer Python steps per record. It answers only "certainly clean";
anything else (a fault, an odd type, an exception) sends the record to the detailed checks,
which stay the single source of the problems reported. A test pins the two together.
"""

from __future__ import annotations

from functools import cache
from operator import itemgetter
from typing import Any

from annotate_kit.scheme.records import SPAN_LAYERS, text_sha256
from annotate_kit.scheme.schema import Scheme

_ID = itemgetter("id")
_OFFSETS = itemgetter("start", "end", "text")
_LINK = itemgetter("type", "head", "tail")
_BLOCK = itemgetter("start", "end")


@cache
def relation_rules(scheme: Scheme) -> tuple[dict[str, tuple[Any, Any, Any]], dict[str, str]]:
    """Per relation type: allowed head layers, tail layers, required cue relation; per cue type: its relation."""
    rules = {
        label.name: (
            tuple(label.extra.get("x-head", ())),
            tuple(label.extra.get("x-tail", ())),
            label.extra.get("x-head-cue-relation"),
        )
        for label in scheme.vocabularies["relation_type"].labels
    }
    cue_relation = {
        label.name: label.extra.get("x-relation")
        for label in scheme.vocabularies["cue_type"].labels
    }
    return rules, cue_relation


def certainly_clean(record: dict[str, Any], scheme: Scheme) -> bool:
    """True only if validate's semantic checks would find nothing; call it on schema-valid records."""
    try:
        return _clean(record, scheme)
    except (KeyError, TypeError, AttributeError):  # a shape the schema allows but we don't expect
        return False


def _clean(record: dict[str, Any], scheme: Scheme) -> bool:
    text = record["text"]
    if record["text_sha256"] != text_sha256(text):
        return False
    size = len(text)
    layer_of: dict[str, str] = {}
    spans = 0
    for layer in SPAN_LAYERS:
        layer_spans = record[layer]
        spans += len(layer_spans)
        layer_of.update(dict.fromkeys(map(_ID, layer_spans), layer))
        # slicing with a non-int offset raises TypeError: the detailed checks then say why
        if not all(0 <= s < e <= size and text[s:e] == t for s, e, t in map(_OFFSETS, layer_spans)):
            return False
    if len(layer_of) != spans:  # a span id used twice
        return False
    annotation = record.get("annotation")
    if spans and annotation and annotation.get("cancelled"):
        return False
    blocks = record.get("blocks")
    if blocks and not all(0 <= s <= e <= size for s, e in map(_BLOCK, blocks)):
        return False
    return _relations_clean(record, scheme, layer_of)


def _relations_clean(record: dict[str, Any], scheme: Scheme, layer_of: dict[str, str]) -> bool:
    relations = record["relations"]
    links = list(map(_LINK, relations))
    if len(set(map(_ID, relations))) != len(relations) or len(set(links)) != len(links):
        return False
    rules, cue_relation = relation_rules(scheme)
    cue_types = {span["id"]: span["label"] for span in record["cues"]}
    # KeyError for an end that is not a span of the record
    for kind, head_layer, tail_layer, cue in {
        (kind, layer_of[head], layer_of[tail], cue_types.get(head)) for kind, head, tail in links
    }:
        heads, tails, wanted = rules[kind]
        if head_layer not in heads or tail_layer not in tails:
            return False
        if wanted and cue_relation.get(cue) not in (None, kind):
            return False
    attached: set[str] = set()
    sourced: set[str] = set()
    for kind, head, tail in links:
        if rules[kind][2]:
            attached.add(head)
        elif kind == "SOURCE_OF":
            sourced.add(tail)
    if not attached.issuperset(cue_types):  # a cue attached to no claim
        return False
    for claim in record["claims"]:
        kind = claim["source_kind"]
        if kind == "MENTION" and claim["id"] not in sourced:
            return False
        if kind in ("AUTHOR", "UNSPECIFIED") and claim["id"] in sourced:
            return False
    return True
