"""The token view: French-aware tokens and IOB2 tags, and a count of what it cannot hold.

Tokens keep their code-point offsets into the text. French elision is split off as its own
token, apostrophe included, as in the French treebanks ("l’" "Ukraine", "qu’" "aucune",
"d’" "«" "utiles" "»"), but only at the start of a word ("aujourd’hui" stays whole);
hyphenated words stay whole ("États-Unis"); English "n't" and "'s" are split off.

A token view holds one label per token and layer, so it loses what spans can say: a span
nested in or crossing another span of its layer (the first, outermost one is kept), span
edges inside a token (the span is widened to whole tokens), relations and claim attributes.
BioLosses counts each of these so that the dataset card can say it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from annotate_kit.records import Record
from annotate_kit.schema import Scheme, load_scheme

APOSTROPHES = "'’ʼ"
FR_ELISION = rf"(?<!\w)(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu)[{APOSTROPHES}](?=\w|[«\"“])"
EN_CLITIC = rf"n[{APOSTROPHES}]t\b|[{APOSTROPHES}](?:s|re|ve|ll|d|m)\b"
LETTERS = r"(?:[^\W\d_]|[\u0300-\u036f])+"
# The same letters, matched possessively (a run of letters at a time, never given back):
# a quarter faster, and the same tokens wherever nothing after the run can fail, as in words.
LETTER_RUN = r"(?:[^\W\d_]++|[\u0300-\u036f]++)++"
WORD = rf"{LETTER_RUN}(?:[-‐‑{APOSTROPHES}]{LETTER_RUN})*+"  # aujourd’hui, États-Unis, a-t-il
EN_WORD = rf"{LETTER_RUN}(?:[-‐‑]{LETTER_RUN})*+"
NUMBER = r"\d+(?:[\u00a0\u202f]\d{3})*(?:[.,]\d+)?"
TOKEN = {
    "fr": re.compile(rf"{FR_ELISION}|{WORD}|{NUMBER}|\S", re.IGNORECASE),
    "en": re.compile(
        rf"{LETTERS}(?=n[{APOSTROPHES}]t\b)|{EN_CLITIC}|{EN_WORD}|{NUMBER}|\S", re.IGNORECASE
    ),
}
TAG_COLUMNS = {"entities": "ner_tags", "claims": "claim_tags", "cues": "cue_tags"}


def tokenize(text: str, lang: str = "fr") -> list[tuple[int, int]]:
    """(start, end) of every token; French rules for any language without its own."""
    return [match.span() for match in _pattern(lang).finditer(text)]


def _pattern(lang: str) -> re.Pattern[str]:
    return TOKEN.get(lang, TOKEN["fr"])


@dataclass
class LayerLoss:
    spans: int = 0
    exact: int = 0  # on token boundaries, tagged as annotated
    widened: int = 0  # an edge inside a token: tagged on the whole tokens
    nested: int = 0  # inside, or around, a span already tagged in this layer: not tagged
    crossing: int = 0  # partly overlapping a span already tagged: not tagged
    untokenized: int = 0  # covers no token (only spaces): not tagged


@dataclass
class BioLosses:
    """What the token view could not hold, summed over the documents it was built from."""

    documents: int = 0
    layers: dict[str, LayerLoss] = field(default_factory=dict)
    relations: int = 0  # every relation: a token view has none
    claim_attributes: int = 0  # claims whose source, factuality... only the span view keeps

    def dropped(self) -> int:
        return sum(x.nested + x.crossing + x.untokenized for x in self.layers.values())


def tag_names(layer: str, scheme: Scheme | None = None) -> list[str]:
    """O, then B-X and I-X for every label X of the layer, as conll2003 orders them."""
    scheme = scheme or load_scheme()
    return ["O"] + [f"{p}-{label}" for label in scheme.layer_labels(layer) for p in "BI"]


def bio_features(scheme: Scheme | None = None) -> Any:
    """The `datasets.Features` of the bio config."""
    from datasets import ClassLabel, Features, List, Value

    scheme = scheme or load_scheme()
    columns: dict[str, Any] = {
        "doc_id": Value("string"),
        "lang": Value("string"),
        "tokens": List(Value("string")),
        "token_starts": List(Value("int64")),
        "token_ends": List(Value("int64")),
    }
    for layer in scheme.layers:
        columns[TAG_COLUMNS.get(layer, f"{layer}_tags")] = List(
            ClassLabel(names=tag_names(layer, scheme))
        )
    return Features(columns)


def bio_row(
    record: Record,
    losses: BioLosses | None = None,
    scheme: Scheme | None = None,
    *,
    ids: bool = False,
) -> dict[str, Any]:
    """One document as tokens and IOB2 tags per layer: names, or with ``ids`` the ClassLabel
    ids of bio_features (what export writes: no name is looked up again per token)."""
    scheme = scheme or load_scheme()
    losses = losses if losses is not None else BioLosses()
    text = record["text"]
    matches = list(_pattern(record.get("lang", "fr")).finditer(text))
    starts = list(map(re.Match.start, matches))
    ends = list(map(re.Match.end, matches))
    row: dict[str, Any] = {
        "doc_id": record["doc_id"],
        "lang": record.get("lang"),
        "tokens": list(map(re.Match.group, matches)),
        "token_starts": starts,
        "token_ends": ends,
    }
    losses.documents += 1
    for layer, spec in scheme.layers.items():
        loss = losses.layers.setdefault(layer, LayerLoss())
        row[TAG_COLUMNS.get(layer, f"{layer}_tags")] = _tags(
            record.get(layer) or (),
            starts,
            ends,
            loss,
            fixed_label=spec.fixed_label,
            codes=_codes(scheme, layer, ids),
        )
    losses.relations += len(record.get("relations") or ())
    losses.claim_attributes += sum(
        len(record.get(layer) or ()) for layer, spec in scheme.layers.items() if spec.attributes
    )
    return row


@cache
def _codes(scheme: Scheme, layer: str, ids: bool) -> tuple[Any, dict[str, tuple[Any, Any]]]:
    """The outside tag and, per label, its B- and I- tags: as names, or as their ids."""
    names = tag_names(layer, scheme)
    codes = {label: (f"B-{label}", f"I-{label}") for label in scheme.layer_labels(layer)}
    if not ids:
        return names[0], codes
    index = {name: number for number, name in enumerate(names)}
    return index[names[0]], {label: (index[b], index[i]) for label, (b, i) in codes.items()}


def _tags(
    spans: Any,
    starts: list[int],
    ends: list[int],
    loss: LayerLoss,
    *,
    fixed_label: str | None,
    codes: tuple[Any, dict[str, tuple[Any, Any]]],
) -> list[Any]:
    """The IOB2 tags of one layer, outermost span first; what cannot be tagged goes to `loss`.

    Token boundaries are found by bisection and tags written a slice at a time: the spans,
    not the tokens, set the cost (a Python step per covered token was a quarter of an export).
    Spans come sorted by start and tagged spans never overlap, so a span can only overlap the
    last tagged one: it does when it starts before ``reach``, the token after that one.
    """
    outside, tag_of = codes
    tags = [outside] * len(starts)
    reach, held = 0, (0, 0)  # the token after the last tagged span, and its offsets
    for span in sorted(spans, key=_outermost_first):
        loss.spans += 1
        start, end = span["start"], span["end"]
        first = bisect_right(ends, start)  # the first token ending after the span starts
        last = bisect_left(starts, end)  # past the last token starting before it ends
        if first >= last:
            loss.untokenized += 1
            continue
        if first < reach:
            held_start, held_end = held
            if (held_start <= start and end <= held_end) or (
                start <= held_start and held_end <= end
            ):
                loss.nested += 1
            else:
                loss.crossing += 1
            continue
        label = span.get("label", fixed_label)
        if label not in tag_of:
            raise ValueError(f"label {label!r} of span {span.get('id')!r} is not in the vocabulary")
        begin, inside_tag = tag_of[label]
        tags[first:last] = [inside_tag] * (last - first)
        tags[first] = begin
        reach, held = last, (start, end)
        if starts[first] == start and ends[last - 1] == end:
            loss.exact += 1
        else:
            loss.widened += 1
    return tags


def _outermost_first(span: dict[str, Any]) -> tuple[int, int]:
    return (span["start"], -span["end"])
