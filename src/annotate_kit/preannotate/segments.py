"""Cut a record's text into the units spaCy sees: its own headings and paragraphs first.

spaCy's French sentence splitter glues a heading to the next paragraph's first sentence
(FACTS.md), so the document's structure decides the first cut and spaCy only splits
sentences inside a block. Offsets never move: a segment is a (start, end) slice of the text,
and the copy spaCy reads differs only by same-length character replacements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from annotate_kit.preannotate.lexicon import APOSTROPHES

LINE = re.compile(r"[^\r\n]+")
SENTENCE_END = tuple('.!?…»"”:;)')
HEADING_MAX_WORDS = 15


@dataclass(frozen=True)
class Segment:
    """A heading or paragraph: text[start:end], stripped of surrounding whitespace."""

    start: int
    end: int
    kind: str  # "heading" or "paragraph", as in the record's blocks


def nlp_text(text: str) -> str:
    """The text spaCy reads: typographic apostrophes and no-break spaces made plain, same length.

    fr_core_news_sm tags "s’", "qu’", "n’" as entities when the apostrophe is typographic and
    does not with an ASCII one; a one-for-one replacement keeps every offset valid.
    """
    return text.translate(APOSTROPHES)


def segments(record: dict[str, Any]) -> list[Segment]:
    """The record's blocks when it has them, else its non-blank lines with a guessed kind."""
    text = record["text"]
    blocks = record.get("blocks")
    found: list[Segment] = []
    if blocks:
        for block in blocks:
            found.extend(_strip(text, block["start"], block["end"], block.get("kind", "paragraph")))
        return found
    for match in LINE.finditer(text):
        found.extend(_strip(text, match.start(), match.end(), None))
    return found


def _strip(text: str, start: int, end: int, kind: str | None) -> list[Segment]:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped:
        return []
    first = start + (len(piece) - len(piece.lstrip()))
    last = first + len(stripped)
    if kind is None:
        kind = _guess_kind(stripped)
    return [Segment(first, last, kind)]


def _guess_kind(line: str) -> str:
    """A short line that does not end like a sentence is a heading (news articles' subheads)."""
    if not line.endswith(SENTENCE_END) and len(line.split()) <= HEADING_MAX_WORDS:
        return "heading"
    return "paragraph"
