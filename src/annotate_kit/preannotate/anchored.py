"""A spaCy Matcher that runs, on each Doc, only the patterns whose required words occur in it.

spaCy's Matcher tries the first token of every pattern at every token, and an ``IN`` list is
a Python call each time: over a lexicon's patterns that cost as much as the rules that use
the matches. Most patterns need a word that a given segment does not hold ('comme', 'ne',
a month name, a number). ``AnchoredMatcher`` notes, for each pattern, what its required
tokens need (a LOWER, LEMMA, ORTH, NORM or SHAPE among a few values; LIKE_NUM or IS_DIGIT
true), reads those columns of the Doc once, and calls a Matcher built from the patterns that
can match, cached per subset.

The matches are the full Matcher's, in the same order: a pattern that cannot match adds no
state, and spaCy keeps the remaining patterns' states, and so their matches, in pattern order
(``greedy`` filters per key, over matches that are the same).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacy.attrs import IDS
from spacy.matcher import Matcher
from spacy.strings import get_string_id

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

VALUE_ATTRS = ("LOWER", "LEMMA", "ORTH", "NORM", "SHAPE")  # compared by string hash
FLAG_ATTRS = ("LIKE_NUM", "IS_DIGIT")  # required true somewhere in the Doc
ALIASES = {"TEXT": "ORTH"}
REPEAT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
CACHE_SIZE = 512  # subsets of patterns compiled and kept; a real text meets a few dozen


@dataclass(frozen=True)
class _Pattern:
    key: str
    tokens: list[dict[str, Any]]
    greedy: str | None
    values: tuple[tuple[str, frozenset[int]], ...]  # (attr, hashes): one must occur in the Doc
    flags: tuple[str, ...]  # flag attributes that must be true on some token


class AnchoredMatcher:
    """Matcher.add / __call__ / __len__, running only the patterns a Doc can match."""

    def __init__(self, vocab: Vocab, *, validate: bool = True) -> None:
        self.vocab = vocab
        self._check = Matcher(vocab, validate=validate)  # validates each pattern once
        self._patterns: list[_Pattern] = []
        self._attrs: tuple[str, ...] = ()
        self._compiled: dict[tuple[int, ...], Matcher] = {}

    def __len__(self) -> int:
        return len(self._check)

    def add(
        self, key: str, patterns: list[list[dict[str, Any]]], *, greedy: str | None = None
    ) -> None:
        self._check.add(key, patterns, greedy=greedy)
        for tokens in patterns:
            values, flags = _needs(tokens)
            self._patterns.append(_Pattern(key, tokens, greedy, values, flags))
        used = {attr for p in self._patterns for attr, _ in p.values}
        used |= {attr for p in self._patterns for attr in p.flags}
        self._attrs = tuple(sorted(used))
        self._compiled.clear()

    def __call__(self, doc: Doc, *, with_alignments: bool = False) -> list[tuple]:
        chosen = self.plausible(doc)
        if not chosen:
            return []
        matcher = self._compiled.get(chosen)
        if matcher is None:
            if len(self._compiled) >= CACHE_SIZE:
                self._compiled.clear()
            matcher = self._compiled[chosen] = self._build(chosen)
        return matcher(doc, with_alignments=with_alignments)

    def plausible(self, doc: Doc) -> tuple[int, ...]:
        """Indices of the patterns whose required words and flags all occur in ``doc``."""
        if not self._patterns or not len(doc):
            return ()
        present: dict[str, Any] = {}
        if self._attrs:
            columns = doc.to_array([IDS[attr] for attr in self._attrs])
            for j, attr in enumerate(self._attrs):
                column = columns[:, j]
                present[attr] = bool(column.any()) if attr in FLAG_ATTRS else set(column.tolist())
        return tuple(
            i
            for i, p in enumerate(self._patterns)
            if all(present[attr] for attr in p.flags)
            and all(not hashes.isdisjoint(present[attr]) for attr, hashes in p.values)
        )

    def _build(self, chosen: tuple[int, ...]) -> Matcher:
        matcher = Matcher(self.vocab, validate=False)
        by_key: dict[str, list[_Pattern]] = {}
        for i in chosen:
            by_key.setdefault(self._patterns[i].key, []).append(self._patterns[i])
        # one add per key, keys and patterns in their original order (spaCy keeps that order)
        for key, patterns in by_key.items():
            matcher.add(key, [p.tokens for p in patterns], greedy=patterns[0].greedy)
        return matcher


def _needs(tokens: list[dict[str, Any]]) -> tuple[tuple[tuple[str, frozenset[int]], ...], tuple]:
    """What a pattern's required tokens (not optional, not negated) ask of the Doc."""
    values: list[tuple[str, frozenset[int]]] = []
    flags: list[str] = []
    for token in tokens:
        if not _required(token.get("OP")):
            continue
        for raw_attr, test in token.items():
            attr = ALIASES.get(raw_attr.upper(), raw_attr.upper())
            if attr in FLAG_ATTRS and test is True:
                flags.append(attr)
            elif attr in VALUE_ATTRS and isinstance(test, str):
                values.append((attr, frozenset({get_string_id(test)})))
            elif attr in VALUE_ATTRS and isinstance(test, dict) and set(test) == {"IN"}:
                values.append((attr, frozenset(get_string_id(v) for v in test["IN"])))
    return tuple(values), tuple(dict.fromkeys(flags))


def _required(op: str | None) -> bool:
    """Must the token occur at least once? ('+', '{2}', '{1,4}': yes; '?', '*', '!', '{0,3}')"""
    if op in (None, "1", "+"):
        return True
    repeat = REPEAT.fullmatch(op)
    return repeat is not None and int(repeat.group(1) or 0) >= 1
