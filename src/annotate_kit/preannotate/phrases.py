"""The lexicon's claim word lists, compiled once per pipeline, and the text of a span.

The claim rules test every claim for numbers, measures, comparatives and phrases. Interning
the words and building the phrase alternations at each call cost as much as the tests
themselves (bench/bench_preannotate.py), so ``load_kit`` compiles them once: words as string
hashes (the values of a Doc's LOWER and TAG columns), phrase lists as one regular expression
each, searched in C over the span's text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacy.strings import get_string_id

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

COMPARATIVES = frozenset(get_string_id(tag) for tag in ("JJR", "RBR"))  # Penn tags
SUPERLATIVES = frozenset(get_string_id(tag) for tag in ("JJS", "RBS"))
OPENING_QUOTES = "\"“«' "
CLOSING_QUOTES = "\"”»' "
TEXT_KEY = "annotate_kit_text"


@dataclass(frozen=True)
class ClaimWords:
    """The lexicon's ``claims`` section, ready for the claim rules (see its note)."""

    greetings: re.Pattern[str] | None
    opinions: re.Pattern[str] | None
    non_factual: re.Pattern[str] | None
    checkable_phrases: re.Pattern[str] | None
    measures: frozenset[int]  # LOWER hashes
    not_numbers: frozenset[int]  # LOWER hashes
    not_names: frozenset[str]
    change_verbs: frozenset[str]  # lemmas
    change_phrasal: frozenset[str]  # "lemma particle"
    record_verbs: frozenset[str]  # lemmas


def compile_claim_words(words: Mapping[str, Any]) -> ClaimWords:
    """``ClaimWords`` from a lexicon's ``claims`` mapping; a missing list matches nothing."""
    return ClaimWords(
        greetings=phrase_regex(words.get("greetings", ())),
        opinions=phrase_regex(words.get("opinions", ())),
        non_factual=phrase_regex(words.get("non_factual", ())),
        checkable_phrases=phrase_regex(words.get("checkable_phrases", ())),
        measures=frozenset(get_string_id(w) for w in words.get("measures", ())),
        not_numbers=frozenset(get_string_id(w) for w in words.get("not_numbers", ())),
        not_names=frozenset(words.get("not_names", ())),
        change_verbs=frozenset(words.get("change_verbs", ())),
        change_phrasal=frozenset(words.get("change_phrasal", ())),
        record_verbs=frozenset(words.get("record_verbs", ())),
    )


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of lower-cased phrases, whole words, any run of spaces between them."""
    phrases = list(phrases)
    if not phrases:
        return None
    alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def keep_text(doc: Doc, text: str) -> None:
    """Note the text a Doc was made from (``preannotate_batch`` has it): ``Doc.text`` joins
    every token's text, a Python loop, at each call."""
    doc.user_data[TEXT_KEY] = text


def doc_text(doc: Doc) -> str:
    """The Doc's text, kept by ``keep_text`` or read once."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.user_data[TEXT_KEY] = doc.text
    return text


def span_text(span: Span) -> str:
    """A span's text sliced from the Doc's (``Span.text`` joins its tokens' at each call)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def opens_with(span: Span, pattern: re.Pattern[str] | None) -> bool:
    """Does the span open with one of the phrases (after opening quotation marks)?"""
    if pattern is None:
        return False
    return pattern.match(span_text(span).lower().lstrip(OPENING_QUOTES)) is not None


def contains(span: Span, pattern: re.Pattern[str] | None) -> bool:
    """Does one of the phrases occur in the span?"""
    return pattern is not None and pattern.search(span_text(span).lower()) is not None


def asks_or_exclaims(sent: Span) -> bool:
    """Does the sentence end with '?' or '!' (closing quotation marks aside)?"""
    return span_text(sent).rstrip().rstrip(CLOSING_QUOTES).endswith(("?", "!"))
