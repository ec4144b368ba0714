"""Entity candidates: spaCy's NER mapped onto the scheme, corrected by a few stated rules.

Rules (all data in the lexicon file, none fitted to gold): seats of power are ORG, but LOC in
an address ("au 10 Downing Street"); a place that speaks or negotiates stands for its
government (ORG, as the scheme says of capitals); institution noun + nationality adjective is
ORG ("autorités russes"); dates and quantities, which the French pipelines do not tag, come
from patterns, and the toolkit's own word lists (seats, dates) win over the statistical label
("Aujourd'hui" is a DATE, never an ORG). A one-word statistical entity in a short heading
("Page", "Espace") is dropped unless the tagger calls it a proper noun. Every candidate is
trimmed of determiners and elided articles (function words only: a name the tagger mis-tags as
a determiner or conjunction, "Madagascar", stays); a name must hold at least ``min_letters``
letters or be a code of letters and digits ("A7"), a date or quantity a digit or as many
letters.

Found in the errors of WiNER-fr's dev half (bench/eval_fr_entities.py), each a general rule:
clock times ("21h", "à 20 heures") and bare years ("la saison 2015-2016") are DATE, unless the
number counts the noun after it ("2000 manifestants"); ordinals ("la première fois") are no
quantity; a capitalised month inside a sentence ("la planète Mars") is no date; a place that
is a noun's complement ("la police d'Orlando a déclaré") does not speak for its government; a
capitalised nationality is MISC ("les Français"); words capitalised by convention ("l'État",
"le Premier ministre") are no name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from annotate_kit.preannotate.phrases import doc_text

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from annotate_kit.preannotate.pipeline import LanguageKit

LEADING_JUNK = frozenset({"DET", "ADP", "PRON", "PUNCT", "CCONJ"})
TRAILING_JUNK = frozenset({"ADP", "CCONJ"})
COORDINATION = frozenset({"et", "and", "ou", "or"})
LINKERS = frozenset({"entre", "avec", "between", "with"})
SUBJECT_GAP = frozenset({"AUX", "PRON", "ADV", "PART"})
WINDOW = 6
HEADING_WORDS = 3  # a heading this short is a section label, not a sentence
GENITIVE = frozenset({"de", "d'", "du", "des", "of"})  # "la police d'Orlando": a noun's complement
DIGIT = re.compile(r"\d")
COMPACT_CLOCK = re.compile(r"\d{1,2}h(\d{2})?", re.IGNORECASE)  # "21h", "23h30", "18h00"


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
        nationalities = _nationality_forms(tuple(spec.get("nationalities", {}).get("words", ())))
        not_names = set(spec.get("not_names", {}).get("words", ()))
        for ent in doc.ents:
            span = _trim(ent)
            label = kit.label_map.get(ent.label_)
            if span is None or (label in named and not _looks_named(span)):
                continue
            if label in named and _capitalised_by_position(span, kind):
                continue
            if label in named and _plain(span) in not_names:
                continue
            if label in named and span.text[:1].isupper() and _plain(span) in nationalities:
                label = spec["nationalities"]["label"]
            elif label == metonymy.get("from") and _acts_as_agent(span, kit):
                label = metonymy["to"]
            add(span, label, "ner", 2)
    labels = {"inst": "institutions", "date": "dates", "qty": "quantities"}
    priorities = {"inst": 1, "date": 3, "qty": 0}  # word lists over the statistical label
    for match_id, start, end in kit.entity_matcher(doc):
        key = kit.nlp.vocab.strings[match_id]
        priority = priorities.get(key, 3)
        if key in ("year", "reldate"):
            if key == "year" and not _after_year_preposition(doc, start, spec["dates"]):
                priority = 1  # a bare year gives way to a name around it ("Tour de France 2016")
            start = _date_frame(doc, start, key, spec)  # noqa: PLW2901
            if start is None:
                continue
            key = "date"
        if key == "qty" and _is_ordinal(doc[start], spec["quantities"]):
            continue
        if key == "date" and _capitalised_month(doc[start:end], spec["dates"]):
            continue
        junk = LEADING_JUNK if key == "inst" else frozenset({"ADP", "PUNCT"})
        add(_trim(doc[start:end], junk), spec[labels[key]]["label"], key, priority)
    if "clock" in spec.get("dates", {}):
        for start, end in _clock_times(doc, spec["dates"]["clock"]):
            add(doc[start:end], spec["dates"]["label"], "date", 3)
    min_letters = int(kit.rules.entities["min_letters"])
    chosen: list[EntitySpan] = []
    taken: set[int] = set()
    text = doc_text(doc)
    for _, span in sorted(candidates, key=lambda c: (-c[0], c[1].start - c[1].end, c[1].start)):
        tokens = set(range(span.start, span.end))
        chars = text[span.start_char : span.end_char]  # spaces count neither way below
        letters = sum(ch.isalpha() for ch in chars)
        code = span.label in named and chars[:1].isupper()  # a road "A7", a group "G20"
        if any(ch.isdigit() for ch in chars) and (code or span.label not in named):
            letters = min_letters  # "70 %", "1962": a number is enough for a date or quantity
        if tokens & taken or letters < min_letters:
            continue
        taken |= tokens
        chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def _date_frame(doc: Doc, start: int, key: str, spec: dict) -> int | None:
    """Where an anchored date starts: a year after a temporal preposition starts at the year
    ('en 1962' -> '1962'), and so does a bare year that counts nothing ('la saison 2016'); a
    count of time units after a relative frame starts at the frame ('il y a deux semaines').
    None when the frame is not there."""
    dates = spec["dates"]
    if key == "year":
        if _counts_a_noun(doc, start, spec):
            return None  # "près de 2000 manifestants": a count, whatever comes before
        if _after_year_preposition(doc, start, dates):
            return start
        return start if _bare_year(doc, start, spec) else None
    for frame in dates["relative_frames"]:
        first = start - len(frame)
        if first >= 0 and [t.lower_ for t in doc[first:start]] == frame:
            return first
    return None


def _plain(span: Span) -> str:
    """The span's words, lower-cased, plain apostrophes, single spaces."""
    return " ".join(t.lower_ for t in span).replace(" '", "'").replace("' ", "'")


@cache
def _nationality_forms(words: tuple[str, ...]) -> frozenset[str]:
    """Every gender and number of each nationality: 'français' -> 'française', 'françaises'."""
    forms = set()
    for word in words:
        forms |= {word, word + "s", word + "e", word + "es"}
        if word.endswith(("ien", "on")):
            forms |= {word + "ne", word + "nes"}
        if word.endswith("e"):
            forms |= {word + "s"}
        if word.endswith("c"):  # grec -> grecque
            forms |= {word + "que", word + "ques"}
    return frozenset(forms)


def _after_year_preposition(doc: Doc, start: int, dates: dict) -> bool:
    return start > 0 and doc[start - 1].lower_ in dates["year_prepositions"]


def _bare_year(doc: Doc, start: int, spec: dict) -> bool:
    """A four-digit year in the lexicon's range, after no other number."""
    token = doc[start]
    low, high = spec["dates"].get("bare_years", (0, -1))
    if not (token.is_digit and len(token) == 4 and low <= int(token.text) <= high):
        return False
    return not (start > 0 and doc[start - 1].like_num)  # "1 2000": part of a bigger number


def _counts_a_noun(doc: Doc, start: int, spec: dict) -> bool:
    """The number is followed by the noun or unit it counts ('2000 manifestants')."""
    if start + 1 >= len(doc):
        return False
    after = doc[start + 1]
    units = spec.get("quantities", {}).get("units", ())
    return after.is_alpha and (after.pos_ == "NOUN" or after.lower_ in units)


def _clock_times(doc: Doc, clock: dict) -> list[tuple[int, int]]:
    """Token ranges of clock times: '21h', '23h30 UTC', '12 h 30', 'à 20 heures'."""
    found: list[tuple[int, int]] = []
    if DIGIT.search(doc_text(doc)) is None:
        return found  # every clock time has a digit: most segments need no token loop
    marks = set(clock["marks"])
    i = 0
    while i < len(doc):
        token, end = doc[i], None
        if COMPACT_CLOCK.fullmatch(token.text):
            end = i + 1
        elif token.is_digit and len(token) <= 2 and i + 1 < len(doc) and doc[i + 1].lower_ in marks:
            minutes = i + 2 < len(doc) and doc[i + 2].is_digit and len(doc[i + 2]) == 2
            before = doc[i - 1].lower_ if i > 0 else ""
            if doc[i + 1].lower_ == "h" or minutes or before in clock["prepositions"]:
                end = i + 3 if minutes else i + 2
        if end is None:
            i += 1
            continue
        if end < len(doc) and doc[end].text in clock["zones"]:
            end += 1
        found.append((i, end))
        i = end
    return found


def _is_ordinal(token: Token, quantities: dict) -> bool:
    """'premier', 'seconde', 'troisième', '3e': a rank, not a count."""
    lower = token.lower_
    if lower in quantities.get("ordinals", ()):
        return True
    if any(lower.endswith(s) for s in quantities.get("ordinal_suffixes", ())):
        return True
    return bool(re.fullmatch(r"\d+(e|er|ère|re|ème|è)s?", lower))


def _capitalised_month(span: Span, dates: dict) -> bool:
    """A month name alone, capitalised inside a sentence: a name ('la planète Mars')."""
    token = span[0]
    return (
        len(span) == 1
        and token.lower_ in dates.get("months", ())
        and token.text[:1].isupper()
        and token.i > 0
        and not token.is_sent_start
    )


def _trim(span: Span, junk: frozenset[str] = LEADING_JUNK) -> Span | None:
    """Drop leading determiners/prepositions/elided articles and trailing punctuation. Only
    function words go: a name tagged DET or CCONJ ('Madagascar', 'Aix-les-Bains') stays."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (_function_word(doc[start], junk) or doc[start].text.endswith("'")):
        start += 1
    while end > start and (
        _trailing_punct(doc[end - 1]) or _function_word(doc[end - 1], TRAILING_JUNK)
    ):
        end -= 1
    return doc[start:end] if end > start else None


def _function_word(token: Token, tags: frozenset[str]) -> bool:
    """A token of one of ``tags`` that is a stop word, punctuation or has no letter ("``")."""
    if token.pos_ not in tags:
        return False
    return token.is_stop or token.is_punct or not any(ch.isalnum() for ch in token.text)


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
    """A name has a proper noun or a capitalised word that is no function word ("La guerre"
    has neither; "Madagascar" mis-tagged as a conjunction has one)."""
    return any(
        token.pos_ == "PROPN"
        or (token.text[:1].isupper() and not (token.pos_ in LEADING_JUNK and token.is_stop))
        for token in span
    )


def _lemma(token: Token) -> str:
    return token.lemma_ or token.lower_


def _acts_as_agent(span: Span, kit: LanguageKit) -> bool:
    """A place name used for its government: it speaks, decides, or is a party to talks."""
    verbs = kit.speaking_lemmas
    root = span.root
    if kit.has("dep"):
        subject = root.head if root.dep_ == "conj" else root
        if subject.dep_ in {"nsubj", "obl:agent"} and _lemma(subject.head) in verbs:
            return True
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].lower_ in GENITIVE:
        return _party_to_interaction(span, kit)  # "la police d'Orlando a déclaré": not the subject
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
