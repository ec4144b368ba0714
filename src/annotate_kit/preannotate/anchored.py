"""A spaCy Matcher that runs, on each Doc, only the patterns whose required tokens occur in it.

spaCy's Matcher tries the first token of every pattern at every token, and an ``IN`` list is
a Python call each time: over a lexicon's patterns that cost as much as the rules that use
the matches. Most patterns need a token that a given segment does not hold ('comme', 'ne',
a month name, a number other than 'un'). ``AnchoredMatcher`` notes, for each pattern, what
its required tokens (not optional, not negated) ask: values of LOWER, LEMMA, ORTH, NORM,
SHAPE or POS (``IN``, ``NOT_IN`` or one value) and flags (LIKE_NUM, IS_DIGIT, ...). On each
Doc it reads those columns once and keeps the patterns whose every required token is met by
some token of the Doc, then calls a Matcher built from just those, cached per subset. What
it cannot read (MORPH, regular expressions, extensions) it does not use to rule out. When
every pattern kept is bounded in length, the Matcher runs on the token range within that
length of their required tokens, not on the whole Doc (it steps through tokens in Python).

The matches are the full Matcher's, in the same order: a pattern ruled out could not match,
so it adds no match; spaCy keeps the remaining patterns' states, and so their matches, in
pattern order; ``greedy`` filters each key over the same matches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from spacy.matcher import Matcher
from spacy.strings import get_string_id

from annotate_kit.preannotate.columns import read

if TYPE_CHECKING:
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

VALUE_ATTRS = frozenset({"LOWER", "LEMMA", "ORTH", "NORM", "SHAPE", "POS"})  # string ids
FLAG_ATTRS = frozenset({"LIKE_NUM", "IS_DIGIT", "IS_ALPHA", "IS_PUNCT", "IS_SPACE", "IS_TITLE"})
ALIASES = {"TEXT": "ORTH"}
REPEAT = re.compile(r"\{(\d*)(?:,(\d*))?\}")
PRESENT_KEY = "annotate_kit_present"
WINDOW_SHARE = 0.75  # run on a range only when it spares a quarter of the Doc or more
CACHE_SIZE = 512  # subsets of patterns compiled and kept; a real text meets a few dozen

Condition = tuple[str, str, Any]  # (attribute, "in" | "not_in" | "is", hashes or 0/1)
Requirement = tuple[Condition, ...]  # what one required token of a pattern must satisfy


@dataclass(frozen=True)
class _Pattern:
    key: str
    tokens: list[dict[str, Any]]
    greedy: str | None
    requires: tuple[int, ...]  # indices of the requirements that some token must meet
    longest: int | None  # most tokens a match can cover; None: unbounded ('*', '+')


class AnchoredMatcher:
    """Matcher.add / __call__ / __len__, running only the patterns a Doc can match."""

    def __init__(self, vocab: Vocab, *, validate: bool = True) -> None:
        self.vocab = vocab
        self._check = Matcher(vocab, validate=validate)  # validates each pattern once
        self._patterns: list[_Pattern] = []
        self._requirements: list[Requirement] = []  # distinct, shared by the patterns
        self._attrs: tuple[str, ...] = ()
        self._compiled: dict[tuple[int, ...], Matcher] = {}

    def __len__(self) -> int:
        return len(self._check)

    @property
    def attrs(self) -> tuple[str, ...]:
        """The token attributes its patterns' required tokens ask about."""
        return self._attrs

    def add(
        self, key: str, patterns: list[list[dict[str, Any]]], *, greedy: str | None = None
    ) -> None:
        self._check.add(key, patterns, greedy=greedy)
        for tokens in patterns:
            requires = []
            for req in _requirements(tokens):
                if req not in self._requirements:
                    self._requirements.append(req)
                requires.append(self._requirements.index(req))
            self._patterns.append(_Pattern(key, tokens, greedy, tuple(requires), _longest(tokens)))
        self._attrs = tuple(sorted({c[0] for req in self._requirements for c in req}))
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
        window = self._window(doc, chosen)
        if window is None:
            return matcher(doc, with_alignments=with_alignments)
        start, end = window
        found = matcher(doc[start:end], with_alignments=with_alignments)
        return [(key, s + start, e + start, *rest) for key, s, e, *rest in found]

    def match_all(self, doc: Doc, *, with_alignments: bool = False) -> list[tuple]:
        """Every pattern, as spaCy's Matcher runs them (the reference the tests compare to)."""
        return self._check(doc, with_alignments=with_alignments) if len(self) else []

    def plausible(self, doc: Doc) -> tuple[int, ...]:
        """Indices of the patterns whose every required token is met by a token of ``doc``."""
        if not self._patterns or not len(doc):
            return ()
        columns, present = _columns(doc, self._attrs)
        met: list[bool | None] = [None] * len(self._requirements)
        chosen = []
        for i, pattern in enumerate(self._patterns):
            for r in pattern.requires:
                if met[r] is None:
                    met[r] = _met(self._requirements[r], columns, present)
                if not met[r]:
                    break
            else:
                chosen.append(i)
        return tuple(chosen)

    def _window(self, doc: Doc, chosen: tuple[int, ...]) -> tuple[int, int] | None:
        """The token range that holds every possible match, when clearly shorter than the Doc.

        A match holds a token meeting each required token of its pattern, so it lies within
        ``longest`` tokens of one of them: the Matcher, which steps through every token in
        Python, need not see the rest. Matches inside the range are the Doc's, in the same
        order (the same states start at the same tokens). None: the whole Doc (an unbounded
        pattern, or a range nearly as long)."""
        if not chosen:
            return None
        columns = read(doc, self._attrs)
        low, high = len(doc), 0
        positions: dict[int, list[int]] = {}
        for i in chosen:
            pattern = self._patterns[i]
            if pattern.longest is None or not pattern.requires:
                return None
            r = pattern.requires[0]
            if r not in positions:
                positions[r] = _positions(self._requirements[r], columns)
            hits = positions[r]
            low = min(low, hits[0] - pattern.longest + 1)
            high = max(high, hits[-1] + pattern.longest)
        low, high = max(low, 0), min(high, len(doc))
        return (low, high) if high - low <= WINDOW_SHARE * len(doc) else None

    def _build(self, chosen: tuple[int, ...]) -> Matcher:
        matcher = Matcher(self.vocab, validate=False)
        by_key: dict[str, list[_Pattern]] = {}
        for i in chosen:
            by_key.setdefault(self._patterns[i].key, []).append(self._patterns[i])
        # one add per key, keys and patterns in their original order (spaCy keeps that order)
        for key, patterns in by_key.items():
            matcher.add(key, [p.tokens for p in patterns], greedy=patterns[0].greedy)
        return matcher


def _columns(doc: Doc, attrs: tuple[str, ...]) -> tuple[dict, dict]:
    """The Doc's columns of ``attrs`` (columns.py, shared with the other rules) and the set of
    each column's values, built once per Doc for every anchored matcher."""
    columns = read(doc, attrs)
    present = doc.user_data.get(PRESENT_KEY)
    if present is None:
        present = doc.user_data[PRESENT_KEY] = {}
    for attr in attrs:
        if attr not in present:
            present[attr] = set(columns[attr])
    return columns, present


def _longest(tokens: list[dict[str, Any]]) -> int | None:
    """Most tokens a match of the pattern covers; None when an operator repeats unboundedly."""
    total = 0
    for token in tokens:
        op = token.get("OP")
        if op in (None, "1", "!", "?"):
            total += 1
            continue
        repeat = REPEAT.fullmatch(op) if op not in ("*", "+") else None
        if repeat is None or (repeat.group(2) == "" and "," in op):
            return None  # '*', '+', '{n,}'
        total += int(repeat.group(2) or repeat.group(1) or 0)
    return total


def _positions(req: Requirement, columns: dict[str, list[int]]) -> list[int]:
    """Indices of the tokens that meet every condition of ``req``, in order ("not_in" tests,
    the least selective, come last: ``_requirements``)."""
    first, *rest = req
    candidates = [k for k, v in enumerate(columns[first[0]]) if _holds(first, v)]
    return [k for k in candidates if all(_holds(c, columns[c[0]][k]) for c in rest)]


def _requirements(tokens: list[dict[str, Any]]) -> tuple[Requirement, ...]:
    """What each required token of a pattern (not optional, not negated) asks of the Doc."""
    found = []
    for token in tokens:
        if not _required(token.get("OP")):
            continue
        conditions = [c for raw, test in token.items() for c in _conditions(raw, test)]
        if conditions:
            found.append(tuple(sorted(conditions, key=lambda c: c[1] == "not_in")))
    return tuple(dict.fromkeys(found))


def _conditions(raw: str, test: Any) -> list[Condition]:
    attr = ALIASES.get(raw.upper(), raw.upper())
    if attr in FLAG_ATTRS and isinstance(test, bool):
        return [(attr, "is", int(test))]
    if attr not in VALUE_ATTRS:
        return []  # MORPH, DEP, extensions...: not used to rule a pattern out
    if isinstance(test, str):
        return [(attr, "in", frozenset({get_string_id(test)}))]
    if not isinstance(test, dict):
        return []
    ops = {"IN": "in", "NOT_IN": "not_in"}
    return [
        (attr, ops[op], frozenset(get_string_id(v) for v in values))
        for op, values in test.items()
        if op in ops and all(isinstance(v, str) for v in values)
    ]


def _required(op: str | None) -> bool:
    """Must the token occur at least once? ('+', '{2}', '{1,4}': yes; '?', '*', '!', '{0,3}')"""
    if op in (None, "1", "+"):
        return True
    repeat = REPEAT.fullmatch(op)
    return repeat is not None and int(repeat.group(1) or 0) >= 1


def _holds(condition: Condition, value: int) -> bool:
    _, op, expected = condition
    if op == "in":
        return value in expected
    if op == "not_in":
        return value not in expected
    return value == expected


def _met(req: Requirement, columns: dict[str, list[int]], present: dict[str, set[int]]) -> bool:
    """Does some token satisfy every condition of ``req``? Each condition alone is checked
    on the Doc's set of values first; the token-by-token check runs only when all pass."""
    for attr, op, expected in req:
        values = present[attr]
        if op == "in" and expected.isdisjoint(values):
            return False
        if op == "not_in" and values <= expected:
            return False
        if op == "is" and expected not in values:
            return False
    return len(req) == 1 or bool(_positions(req, columns))
