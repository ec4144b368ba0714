"""Cue candidates from the lexicon: one compiled spaCy Matcher per language, no word lists here.

The conditional mood comes from spaCy's morphology (``Mood=Cnd``), not from a list of forms;
modal "pouvoir"/"devoir" in the conditional are epistemic by a higher-priority lexicon pattern.
Overlaps are resolved once: the longer match wins, then the higher priority, then the earlier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from annotate_kit.preannotate.lexicon import CueRule
    from annotate_kit.preannotate.pipeline import LanguageKit


@dataclass(frozen=True)
class CueSpan:
    """A candidate cue, in token and character offsets relative to its segment's Doc."""

    start: int
    end: int
    start_char: int
    end_char: int
    rule: CueRule

    @property
    def cue_type(self) -> str:
        return self.rule.cue_type


def find_cues(doc: Doc, kit: LanguageKit) -> list[CueSpan]:
    """Non-overlapping cue candidates of one segment, in text order."""
    strings = kit.nlp.vocab.strings
    excluded: dict[str, list[tuple[int, int]]] = {}
    for match_id, start, end in kit.exclude_matcher(doc):
        excluded.setdefault(strings[match_id], []).append((start, end))
    candidates: dict[tuple[int, int, str], CueRule] = {}
    for match_id, start, end in kit.cue_matcher(doc):
        key = strings[match_id]
        rule = kit.rules_by_key[key]
        if any(s < end and start < e for s, e in excluded.get(key, ())):
            continue
        begin = start
        if rule.frame == "report":
            # a conditional auxiliary ("aurait déclaré") is its own CONDITIONAL cue
            while begin < end - 1 and doc[begin].pos_ == "AUX":
                begin += 1
            if not any("Cnd" in doc[i].morph.get("Mood") for i in range(start, begin)):
                begin = start
        candidates[(begin, end, key)] = rule
    chosen: list[CueSpan] = []
    taken: set[int] = set()
    order = sorted(candidates.items(), key=lambda kv: (kv[0][0] - kv[0][1], -kv[1].priority, kv[0][0]))
    for (start, end, _), rule in order:
        tokens = set(range(start, end))
        if tokens & taken:
            continue
        taken |= tokens
        span = doc[start:end]
        chosen.append(CueSpan(start, end, span.start_char, span.end_char, rule))
    return sorted(chosen, key=lambda c: c.start)
