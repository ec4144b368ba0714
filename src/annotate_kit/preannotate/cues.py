"""Cue candidates from the lexicon: one compiled spaCy Matcher per language, no word lists here.

The conditional mood comes from spaCy's morphology (``Mood=Cnd``), not from a list of forms;
modal "pouvoir"/"devoir" in the conditional are epistemic by a higher-priority lexicon pattern.
Overlaps are resolved once: the longer match wins, then the higher priority, then the earlier.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from annotate_kit.preannotate.columns import column
from annotate_kit.preannotate.constraints import holds
from annotate_kit.scheme.schema import load_scheme

PASSIVE_AUX = frozenset({"auxpass", "aux:pass"})

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from annotate_kit.preannotate.lexicon import CueRule
    from annotate_kit.preannotate.pipeline import LanguageKit


@dataclass(frozen=True)
class CueSpan:
    """A candidate cue, in token and character offsets relative to its segment's Doc.

    A discontinuous cue ("n'" ... "pas") covers start..end and is written as one span per
    part: ``parts`` holds the (start_char, end_char) of each.
    """

    start: int
    end: int
    start_char: int
    end_char: int
    rule: CueRule
    parts: tuple[tuple[int, int], ...]

    @property
    def cue_type(self) -> str:
        return self.rule.cue_type


def find_cues(doc: Doc, kit: LanguageKit) -> list[CueSpan]:
    """Non-overlapping cue candidates of one segment, in text order."""
    index = kit.cues
    strings = kit.nlp.vocab.strings
    excluded: dict[str, list[tuple[int, int]]] = {}
    for match_id, start, end in index.excludes(doc) if len(index.excludes) else ():
        excluded.setdefault(strings[match_id], []).append((start, end))
    candidates: dict[tuple[int, int, str], tuple[CueRule, tuple[int, ...]]] = {}
    for rule, matched in _raw_matches(doc, kit):
        if any(s <= matched[-1] and matched[0] < e for s, e in excluded.get(rule.key, ())):
            continue
        if rule.sentence_morph and not _sentence_has(doc[matched[0]].sent, rule.sentence_morph):
            continue
        if rule.when and not holds(doc[matched[0]], rule.when):
            continue
        kept = _extend_verb(doc, matched) if rule.verb else matched
        if doc[kept[0]].pos_ == "AUX" and len(kept) > 1:
            kept = _strip_auxiliaries(doc, kept)
        candidates[(kept[0], kept[-1] + 1, rule.key)] = (rule, kept)
    chosen: list[CueSpan] = []
    taken: set[int] = set()
    order = sorted(
        candidates.items(), key=lambda kv: (-len(kv[1][1]), -kv[1][0].priority, kv[0][0])
    )
    for (start, end, _), (rule, kept) in order:
        if set(range(start, end)) & taken:
            continue
        taken |= set(range(start, end))
        span = doc[start:end]
        parts = tuple((doc[a].idx, doc[b].idx + len(doc[b])) for a, b in _runs(kept))
        chosen.append(CueSpan(start, end, span.start_char, span.end_char, rule, parts))
    return _drop_negated_reports(doc, sorted(chosen, key=lambda c: c.start), kit)


def _raw_matches(doc: Doc, kit: LanguageKit) -> Iterator[tuple[CueRule, tuple[int, ...]]]:
    """(rule, kept token indices) from the phrase matcher, the lemma index and the patterns."""
    index = kit.cues
    strings = kit.nlp.vocab.strings
    for match_id, start, end in index.phrases(doc) if len(index.phrases) else ():
        yield index.rules[strings[match_id]], tuple(range(start, end))
    if index.lemmas:
        lemmas = column(doc, "LEMMA")  # a set lookup: short Docs, numpy costs more
        for i in [i for i, lemma in enumerate(lemmas) if lemma in index.lemma_hashes]:
            token = doc[i]
            for rule, parts in index.lemmas.get(token.lemma_, ()):
                end = token.i + len(parts)
                if end <= len(doc) and all(
                    doc[token.i + k].lemma_ == part for k, part in enumerate(parts)
                ):
                    yield rule, tuple(range(token.i, end))
    if index.morph_rules:
        yield from _morph_matches(doc, kit)
    if len(index.patterns):
        for match_id, start, _, alignment in index.patterns(doc, with_alignments=True):
            rule = index.rules[strings[match_id]]
            yield rule, tuple(start + k for k, pos in enumerate(alignment) if pos not in rule.gaps)


def _morph_matches(doc: Doc, kit: LanguageKit) -> Iterator[tuple[CueRule, tuple[int, ...]]]:
    """Single-token patterns on morphology ('Mood=Cnd'), over the Doc's MORPH column: the
    Matcher evaluates MORPH predicates in Python on every token, which made them the most
    expensive patterns of the lexicon. Each distinct analysis is read once per process."""
    index = kit.cues
    morphs = column(doc, "MORPH")
    for rule, spec in index.morph_rules:
        wanted = spec["MORPH"]["IS_SUPERSET"]
        key = "|".join(wanted)
        hashes = set()
        for value in set(morphs):
            memo_key = (value, key)
            if memo_key not in index.morph_memo:
                token = doc[morphs.index(value)]
                features = set(str(token.morph).split("|"))
                index.morph_memo[memo_key] = set(wanted) <= features
            if index.morph_memo[memo_key]:
                hashes.add(value)
        for i in [i for i, value in enumerate(morphs) if value in hashes] if hashes else ():
            token = doc[i]
            if all(_token_has(token, attr, test) for attr, test in spec.items() if attr != "MORPH"):
                yield rule, (token.i,)


def _token_has(token: Token, attr: str, test: Any) -> bool:
    value = {"LEMMA": token.lemma_, "LOWER": token.lower_, "POS": token.pos_, "ORTH": token.text}[
        attr
    ]
    return value in test["IN"] if isinstance(test, dict) else value == test


def _extend_verb(doc: Doc, kept: tuple[int, ...]) -> tuple[int, ...]:
    """A reporting verb's cue takes its auxiliaries ('a indiqué'); the preposition that
    introduces its content ('insiste sur') and the complementiser ('indiqué que') stay
    outside (the cue span convention of seeds/GUIDELINES.md)."""
    start, end = kept[0], kept[-1] + 1
    while start > 0 and kept[0] - start < 2 and _tense_auxiliary(doc[start - 1]):
        start -= 1
    return tuple(range(start, end))


def _tense_auxiliary(token: Token) -> bool:
    """An auxiliary of an active compound tense ('a', 'has'), not a modal ('would': a cue of
    its own or none) nor a passive one ('are considered': the cue is 'considered')."""
    return token.pos_ == "AUX" and token.tag_ != "MD" and token.dep_ not in PASSIVE_AUX


def _sentence_has(sent: Span, features: tuple[str, ...]) -> bool:
    wanted = [f.split("=", 1) for f in features]
    return any(value in token.morph.get(name) for token in sent for name, value in wanted)


def _strip_auxiliaries(doc: Doc, kept: tuple[int, ...]) -> tuple[int, ...]:
    """'ont été qualifiées d'' -> 'qualifiées d'': a passive or conditional auxiliary is not
    part of a reporting cue (a conditional one is its own CONDITIONAL cue); an active
    compound tense keeps its auxiliary ('a annoncé')."""
    aux = [i for i in kept if doc[i].pos_ == "AUX"]
    verb = next((doc[i] for i in kept if doc[i].pos_ != "AUX"), None)
    if not aux or verb is None or aux[-1] > verb.i:
        return kept
    passive = "Pass" in verb.morph.get("Voice") or any(doc[i].dep_ == "aux:pass" for i in aux)
    conditional = any("Cnd" in doc[i].morph.get("Mood") for i in aux)
    subjunctive = any("Sub" in doc[i].morph.get("Mood") for i in aux)
    if passive or conditional or subjunctive:
        return tuple(i for i in kept if i not in aux)
    return kept


def _runs(indices: tuple[int, ...]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and runs[-1][1] == i - 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _drop_negated_reports(doc: Doc, cues: list[CueSpan], kit: LanguageKit) -> list[CueSpan]:
    """A negated reporting verb ('n'a pas communiqué', 'ne soit annoncée') attributes
    nothing: it is not an attribution cue. Auxiliaries may stand between negation and verb."""
    negations = set(kit.rules.factuality["negation_cue_types"])
    attribution = kit.rules.claims["attribution_relation"]
    scheme = load_scheme()
    spans = [(c.start, c.end) for c in cues if c.cue_type in negations]

    def negated(cue: CueSpan) -> bool:
        return any(
            s < cue.start
            and e <= cue.start
            and all(doc[k].pos_ == "AUX" for k in range(e, cue.start))
            for s, e in spans
        )

    return [
        c
        for c in cues
        if c.rule.frame != "report"
        or scheme.cue_relation(c.cue_type) != attribution
        or not negated(c)
    ]
