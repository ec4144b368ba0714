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
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import Scheme, load_scheme

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
    starts, ends = token_bounds(text, lang)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _pattern(lang: str) -> re.Pattern[str]:
    return TOKEN.get(lang, TOKEN["fr"])


# Character classes for token_bounds, per code point.
_SPACE, _LETTER, _MARK, _OTHER = 0, 1, 2, 3


@cache
def _classes() -> Any:
    """A class per code point: white space; a letter; a mark that is always a token of its own
    (what the pattern can only match as ``\\S``); anything else (digits, apostrophes, hyphens,
    combining accents, what lies beyond the BMP...), left to the pattern."""
    import numpy as np

    table = np.full(0x110000, _OTHER, dtype=np.int8)
    for code in range(0x10000):
        char = chr(code)
        if char.isspace():
            table[code] = _SPACE
        elif char.isalpha():
            table[code] = _LETTER
        elif not char.isalnum() and char != "_" and not 0xD800 <= code <= 0xDFFF:
            table[code] = _MARK
    for char in APOSTROPHES + "-‐‑" + "".join(map(chr, range(0x300, 0x370))):
        table[ord(char)] = _OTHER
    return table


def token_bounds(text: str, lang: str = "fr") -> tuple[Any, Any]:
    """Token starts and ends (int64 arrays): what ``TOKEN[lang].finditer`` gives, 2-3x sooner.

    Most of a text is words of plain letters and punctuation marks between spaces, whose
    tokens are plain: each run of letters, each mark. Those are found for the whole text at
    once from a class per character; the pattern runs only over the runs of non-space
    characters that hold anything else (an elision, a hyphen, a digit: a few per sentence).
    No token crosses white space but a number's group separator, so a run joined by one is
    handed to the pattern whole. A Hypothesis test pins this to the pattern.
    """
    import numpy as np

    if not text:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    classes = _classes()[points]
    space = classes == _SPACE
    joined = (points[1:-1] == 0xA0) | (points[1:-1] == 0x202F)  # 2 000, 1 000 000
    if joined.any():
        joined &= ~space[:-2] & ~space[2:]
        classes[1:-1][joined] = _OTHER
        space[1:-1][joined] = False
    edges = np.diff(np.concatenate(([True], space, [True])).view(np.int8))
    run_starts, run_ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    others = np.concatenate(([0], np.cumsum(classes == _OTHER)))
    hard = others[run_ends] != others[run_starts]
    letter, mark = classes == _LETTER, classes == _MARK
    starts = mark.copy()
    starts[0] |= letter[0]
    starts[1:] |= letter[1:] & ~letter[:-1]
    ends = mark  # the flags of last characters, then the offsets after them
    ends[-1] |= letter[-1]
    ends[:-1] |= letter[:-1] & ~letter[1:]
    if not hard.any():
        return np.flatnonzero(starts), np.flatnonzero(ends) + 1
    inside = np.zeros(len(points) + 1, dtype=np.int32)
    inside[run_starts[hard]] = 1
    inside[run_ends[hard]] = -1
    inside = np.cumsum(inside[:-1]) > 0
    starts &= ~inside
    ends &= ~inside
    pattern = _pattern(lang)
    found = [
        match.span()
        for start, end in zip(run_starts[hard].tolist(), run_ends[hard].tolist(), strict=True)
        for match in pattern.finditer(text, start, end)
    ]
    hard_bounds = np.array(found, dtype=np.int64).reshape(-1, 2)
    all_starts = np.concatenate((np.flatnonzero(starts), hard_bounds[:, 0]))
    all_ends = np.concatenate((np.flatnonzero(ends) + 1, hard_bounds[:, 1]))
    order = np.argsort(all_starts, kind="stable")
    return all_starts[order], all_ends[order]


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


@dataclass
class TokenView:
    """One document's token view as arrays: what bio_row gives as lists, and the bio config's
    table is built from (export/token_encoder.py) without a Python object per token."""

    doc_id: str
    lang: str | None
    text: str
    starts: Any  # int64 arrays: code-point offsets of each token
    ends: Any
    tags: dict[str, array[int]]  # tag column -> ClassLabel ids (bio_features), as int64


def token_view(
    record: Record, losses: BioLosses | None = None, scheme: Scheme | None = None
) -> TokenView:
    """Tokens and IOB2 tag ids of one gold record; what cannot be tagged is counted in
    ``losses``."""
    scheme = scheme or load_scheme()
    losses = losses if losses is not None else BioLosses()
    text = record["text"]
    starts, ends = token_bounds(text, record.get("lang") or "fr")
    start_list, end_list = starts.tolist(), ends.tolist()
    losses.documents += 1
    tags = {}
    for layer, spec in scheme.layers.items():
        loss = losses.layers.setdefault(layer, LayerLoss())
        tags[TAG_COLUMNS.get(layer, f"{layer}_tags")] = _tags(
            record.get(layer) or (),
            start_list,
            end_list,
            loss,
            fixed_label=spec.fixed_label,
            tag_ids=_tag_ids(scheme, layer),
        )
    losses.relations += len(record.get("relations") or ())
    losses.claim_attributes += sum(
        len(record.get(layer) or ()) for layer, spec in scheme.layers.items() if spec.attributes
    )
    return TokenView(record["doc_id"], record.get("lang"), text, starts, ends, tags)


def bio_row(
    record: Record,
    losses: BioLosses | None = None,
    scheme: Scheme | None = None,
    *,
    ids: bool = False,
) -> dict[str, Any]:
    """One document as tokens and IOB2 tags per layer, as lists: tag names, or with ``ids``
    the ClassLabel ids of bio_features."""
    scheme = scheme or load_scheme()
    view = token_view(record, losses, scheme)
    starts, ends = view.starts.tolist(), view.ends.tolist()
    row: dict[str, Any] = {
        "doc_id": view.doc_id,
        "lang": view.lang,
        "tokens": [view.text[start:end] for start, end in zip(starts, ends, strict=True)],
        "token_starts": starts,
        "token_ends": ends,
    }
    for layer in scheme.layers:
        column = TAG_COLUMNS.get(layer, f"{layer}_tags")
        numbers = view.tags[column].tolist()
        names = tag_names(layer, scheme)
        row[column] = numbers if ids else [names[number] for number in numbers]
    return row


@cache
def _tag_ids(scheme: Scheme, layer: str) -> dict[str, tuple[int, int]]:
    """Per label, the ClassLabel ids of its B- and I- tags (O is 0)."""
    index = {name: number for number, name in enumerate(tag_names(layer, scheme))}
    return {
        label: (index[f"B-{label}"], index[f"I-{label}"]) for label in scheme.layer_labels(layer)
    }


def _tags(
    spans: Any,
    starts: list[int],
    ends: list[int],
    loss: LayerLoss,
    *,
    fixed_label: str | None,
    tag_ids: dict[str, tuple[int, int]],
) -> array[int]:
    """The IOB2 tag ids of one layer, outermost span first; what cannot be tagged goes to
    `loss`.

    Token boundaries are found by bisection and tags written a slice at a time: the spans, not the tokens, set the cost. Spans come sorted by start and
    tagged spans never overlap, so a span can only overlap the last tagged one: it does when
    it starts before ``reach``, the token after that one.
    """
    tags = array("q", bytes(8 * len(starts)))  # 0 is O
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
        if label not in tag_ids:
            raise ValueError(f"label {label!r} of span {span.get('id')!r} is not in the vocabulary")
        begin, inside = tag_ids[label]
        tags[first:last] = array("q", (inside,)) * (last - first)
        tags[first] = begin
        reach, held = last, (start, end)
        if starts[first] == start and ends[last - 1] == end:
            loss.exact += 1
        else:
            loss.widened += 1
    return tags


def _outermost_first(span: dict[str, Any]) -> tuple[int, int]:
    return (span["start"], -span["end"])
