"""Entity candidates: spaCy's NER mapped onto the scheme, corrected by a few stated rules.

Rules (all data in the lexicon file, none fitted to gold): seats of power are ORG, but LOC in
an address ("au 10 Downing Street"); a place that speaks or negotiates stands for its
government (ORG, as the scheme says of capitals); institution noun + nationality adjective is
ORG ("autorités russes"); dates and quantities, which the French pipelines do not tag, come
from patterns, and the toolkit's own word lists (seats, dates) win over the statistical label
("Aujourd'hui" is a DATE, never an ORG). A one-word statistical entity in a short heading
("Page", "Espace") is dropped unless the tagger calls it a proper noun. Every candidate is trimmed of determiners and elided articles; a
name must hold at least ``min_letters`` letters, a date or quantity a digit or as many letters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from annotate_kit.preannotate.pipeline import LanguageKit

LEADING_JUNK = frozenset({"DET", "ADP", "PRON", "PUNCT", "CCONJ"})
COORDINATION = frozenset({"et", "and", "ou", "or"})
LINKERS = frozenset({"entre", "avec", "between", "with"})
SUBJECT_GAP = frozenset({"AUX", "PRON", "ADV", "PART"})
WINDOW = 6
HEADING_WORDS = 3  # a heading this short is a section label, not a sentence


@dataclass(frozen=True)
class EntitySpan:
    """A candidate entity, in token and character offsets relative to its segment's Doc."""

    start: int  # token index
    end: int
    start_char: int
    end_char: int
    label: str
    rule: str  # "ner", "seat", "inst", "date", "qty"


def find_entities(doc: Doc, kit: LanguageKit, kind: str = "paragraph") -> list[EntitySpan]:
    """Non-overlapping entity candidates of one segment (a heading or a paragraph)."""
    spec = kit.lexicon.entities
    named = set(kit.rules.entities["named_labels"])
    candidates: list[tuple[int, EntitySpan]] = []

    def add(span: Span | None, label: str | None, rule: str, priority: int) -> None:
        if span is None or label is None:
            return
        found = EntitySpan(span.start, span.end, span.start_char, span.end_char, label, rule)
        candidates.append((priority, found))

    seats = spec.get("seats_of_power", {})
    for _, start, end in kit.seat_matcher(doc) if len(kit.seat_matcher) else ():
        if start > 0 and doc[start - 1].like_num and seats.get("address_label"):
            add(doc[start - 1 : end], seats["address_label"], "seat", 4)  # an address
        else:
            add(doc[start:end], seats["label"], "seat", 4)
    if kit.has("ner"):
        metonymy = spec.get("metonymy", {})
        for ent in doc.ents:
            span = _trim(ent)
            label = kit.label_map.get(ent.label_)
            if span is None or (label in named and not _looks_named(span)):
                continue
            if label in named and _capitalised_by_position(span, kind):
                continue
            if label == metonymy.get("from") and _acts_as_agent(span, kit):
                label = metonymy["to"]
            add(span, label, "ner", 2)
    labels = {"inst": "institutions", "date": "dates", "qty": "quantities"}
    priorities = {"inst": 1, "date": 3, "qty": 0}  # word lists over the statistical label
    for match_id, start, end in kit.entity_matcher(doc):
        key = kit.nlp.vocab.strings[match_id]
        if key in ("year", "reldate"):
            start = _date_frame(doc, start, key, spec["dates"])  # noqa: PLW2901
            if start is None:
                continue
            key = "date"
        junk = LEADING_JUNK if key == "inst" else frozenset({"ADP", "PUNCT"})
        add(_trim(doc[start:end], junk), spec[labels[key]]["label"], key, priorities[key])
    min_letters = int(kit.rules.entities["min_letters"])
    chosen: list[EntitySpan] = []
    taken: set[int] = set()
    for _, span in sorted(candidates, key=lambda c: (-c[0], c[1].start - c[1].end, c[1].start)):
        tokens = set(range(span.start, span.end))
        chars = "".join(t.text for t in doc[span.start : span.end])
        letters = sum(ch.isalpha() for ch in chars)
        if span.label not in named and any(ch.isdigit() for ch in chars):
            letters = min_letters  # "70 %", "1962": a number is enough for a date or quantity
        if tokens & taken or letters < min_letters:
            continue
        taken |= tokens
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _date_frame(doc: Doc, start: int, key: str, dates: dict) -> int | None:
    """Where an anchored date starts: a year after a temporal preposition starts at the year
    ('en 1962' -> '1962'); a count of time units after a relative frame starts at the frame
    ('il y a deux semaines'). None when the frame is not there."""
    if key == "year":
        return start if start > 0 and doc[start - 1].lower_ in dates["year_prepositions"] else None
    for frame in dates["relative_frames"]:
        first = start - len(frame)
        if first >= 0 and [t.lower_ for t in doc[first:start]] == frame:
            return first
    return None


def _trim(span: Span, junk: frozenset[str] = LEADING_JUNK) -> Span | None:
    """Drop leading determiners/prepositions/elided articles and trailing punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].pos_ in junk or doc[start].text.endswith("'")):
        start += 1
    while end > start and (_trailing_punct(doc[end - 1]) or doc[end - 1].pos_ in {"ADP", "CCONJ"}):
        end -= 1
    return doc[start:end] if end > start else None


def _capitalised_by_position(span: Span, kind: str) -> bool:
    """One word of a short heading ("Page", "Espace", "Société"), which is capitalised by
    position, and that the tagger does not call a proper noun: spaCy gives no confidence, so
    these two signals stand for "not confident". (A sentence-initial common noun is too often
    a real name mis-tagged, "Moscou n'a pas ...", to be dropped the same way.)"""
    if len(span) != 1 or span[0].pos_ == "PROPN" or not span[0].pos_ or kind != "heading":
        return False
    return sum(not t.is_punct for t in span.doc) <= HEADING_WORDS


def _trailing_punct(token: Token) -> bool:
    """Punctuation to trim, but not a unit written as a symbol ("70 %", "12 €")."""
    return token.is_punct and not token.is_currency and token.text != "%"


def _looks_named(span: Span) -> bool:
    """A name has a proper noun or a capitalised content word ("La guerre" has neither)."""
    return any(
        token.pos_ == "PROPN" or (token.text[:1].isupper() and token.pos_ not in LEADING_JUNK)
        for token in span
    )


def _lemma(token: Token) -> str:
    return token.lemma_ or token.lower_


def _acts_as_agent(span: Span, kit: LanguageKit) -> bool:
    """A place name used for its government: it speaks, decides, or is a party to talks."""
    verbs = kit.report_lemmas | kit.agent_lemmas
    root = span.root
    if kit.has("dep"):
        subject = root.head if root.dep_ == "conj" else root
        if subject.dep_ in {"nsubj", "obl:agent"} and _lemma(subject.head) in verbs:
            return True
    doc = span.doc
    i, stop = span.end, min(len(doc), span.end + WINDOW)
    while i < stop:
        token = doc[i]
        if token.pos_ == "VERB" or (not token.pos_ and _lemma(token) in verbs):
            if _lemma(token) in verbs:
                return True
            break
        skippable = (
            token.pos_ in SUBJECT_GAP
            or token.lower_ in {"ne", "n'", "pas"}
            or token.lower_ in COORDINATION
            or token.pos_ in {"PROPN", "DET"}
        )
        if not skippable:
            break
        i += 1
    return _party_to_interaction(span, kit)


def _party_to_interaction(span: Span, kit: LanguageKit) -> bool:
    """'discussions entre Washington et Moscou': both capitals are the governments talking."""
    doc = span.doc
    i = span.start - 1
    stop = max(0, span.start - WINDOW)
    while i >= stop:
        token = doc[i]
        if token.lower_ in LINKERS:
            j = i - 1
            while j >= 0 and doc[j].pos_ == "ADJ":
                j -= 1
            return j >= 0 and _lemma(doc[j]) in kit.interaction_nouns
        if token.lower_ not in COORDINATION and token.pos_ not in {"DET", "PROPN", "NOUN"}:
            return False
        i -= 1
    return False
