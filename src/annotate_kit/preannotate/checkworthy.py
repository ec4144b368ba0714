"""Check-worthiness of a claim draft: a ClaimBuster-style suggestion (Hassan et al. 2017).

CFS (check-worthy factual) is what a fact-checker can look up: a number, a quantity or a date,
a comparison, a named actor, a change or an act of record. Questions, exclamations, promises,
deontic modals, imperatives, an author's opinion and hedged or non-certain claims are NFS;
other certain claims are UFS. The word lists are the lexicon's ``claims`` section, compiled
once per pipeline (``phrases.ClaimWords``); the tests run on a Doc's token columns read once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotate_kit.preannotate.columns import read
from annotate_kit.preannotate.phrases import (
    COMPARATIVES,
    SUPERLATIVES,
    asks_or_exclaims,
    contains,
    opens_with,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from annotate_kit.preannotate.cues import CueSpan
    from annotate_kit.preannotate.drafts import ClaimDraft
    from annotate_kit.preannotate.entities import EntitySpan
    from annotate_kit.preannotate.pipeline import LanguageKit

COLUMNS = ("LIKE_NUM", "TAG", "LOWER")
COMPARED = COMPARATIVES | SUPERLATIVES
SUBJECT_OR_AUX = frozenset({"nsubj", "nsubjpass", "aux", "auxpass", "expl"})


def check_worthiness(
    doc: Doc, claim: ClaimDraft, ents: list[EntitySpan], cues: list[CueSpan], kit: LanguageKit
) -> str:
    """CFS, NFS or UFS (the labels of the rules' ``check_worthiness`` section)."""
    rules = kit.rules.check_worthiness
    fact = kit.rules.factuality
    words = kit.claim_words
    span = doc[claim.start : claim.end]
    sent = span.sent
    asked = asks_or_exclaims(sent)
    promised = contains(span, words.non_factual)  # should, must, I will ...
    framed = claim.factuality in rules.get("measure_factuality", ())  # not a hedged prediction
    if not asked and not promised and framed and _measured(doc, claim, kit):
        return rules["check_worthy"]
    if (
        asked
        or promised
        or _imperative(doc, claim, kit)
        or claim.factuality in rules["non_factual_factuality"]
        or any(cues[i].cue_type in rules["non_factual_cue_types"] for i in claim.cues)
        or (claim.source == "author" and opens_with(sent, words.opinions))
    ):
        return rules["non_factual"]
    certain = {fact["default"], fact["negated"][fact["default"]]}
    if claim.factuality not in certain:
        return rules["unimportant"]
    if _event(doc, claim, kit):
        return rules["check_worthy"]
    named = rules["check_worthy_if_named_entity"] and _named(doc, claim, ents, kit)
    if (named or _checkable(doc, claim, ents, kit)) and _anchored(doc, claim, ents, kit):
        return rules["check_worthy"]
    return rules["unimportant"]


def _columns(doc: Doc) -> tuple[list[int], list[int], list[int]]:
    """LIKE_NUM, TAG and LOWER of every token (columns.py: read once per Doc)."""
    columns = read(doc, COLUMNS)
    return columns["LIKE_NUM"], columns["TAG"], columns["LOWER"]


def _numbered(doc: Doc, claim: ClaimDraft, kit: LanguageKit) -> bool:
    """A number in the claim that the lexicon does not exclude ('one', 'a')."""
    like_num, _, lower = _columns(doc)
    excluded = kit.claim_words.not_numbers
    return any(like_num[i] and lower[i] not in excluded for i in range(claim.start, claim.end))


def _compared(doc: Doc, claim: ClaimDraft, tags: frozenset[int]) -> bool:
    return not tags.isdisjoint(_columns(doc)[1][claim.start : claim.end])


def _checkable(doc: Doc, claim: ClaimDraft, ents: list[EntitySpan], kit: LanguageKit) -> bool:
    """What a fact-checker can look up: a number, a quantity or a date, a comparison, or a
    statistics phrase (with a certain factuality, checked by the caller)."""
    labels = kit.rules.check_worthiness["check_worthy_entity_labels"]
    if any(e.label in labels for e in ents if claim.start <= e.start and e.end <= claim.end):
        return True
    return (
        _numbered(doc, claim, kit)
        or _compared(doc, claim, COMPARATIVES)
        or contains(doc[claim.start : claim.end], kit.claim_words.checkable_phrases)
    )


def _named(doc: Doc, claim: ClaimDraft, ents: list[EntitySpan], kit: LanguageKit) -> bool:
    """A named entity in the claim; without a recogniser, a capitalised word that does not
    open its sentence (a proper-name guess, stated as such in the lexicon's note)."""
    named = kit.rules.entities["named_labels"]
    if kit.has("ner"):
        return any(e.label in named for e in ents if claim.start <= e.start and e.end <= claim.end)
    not_names = kit.claim_words.not_names
    return any(
        t.is_title and not t.is_sent_start and t.lower_ not in not_names
        for t in doc[claim.start : claim.end]
    )


def _tagged(kit: LanguageKit) -> bool:
    """Do the lexicon's event rules apply (its 'measures' lists, a tagger and a parser)?"""
    return bool(kit.claim_words.measures) and kit.has("pos") and kit.has("dep")


def _measured(doc: Doc, claim: ClaimDraft, kit: LanguageKit) -> bool:
    """A measured quantity ('49 percent', '$4 billion'), or a number in a past-tense claim:
    check-worthy whatever frames it (an opinion opener, a modal, a promise)."""
    measures = kit.claim_words.measures
    if not measures:
        return False
    if not measures.isdisjoint(_columns(doc)[2][claim.start : claim.end]):
        return True
    return _tagged(kit) and _numbered(doc, claim, kit) and _past(doc, claim)


def _imperative(doc: Doc, claim: ClaimDraft, kit: LanguageKit) -> bool:
    """'Build a wall.': a base-form main verb without subject or auxiliary directs, it does
    not assert (Searle 1976's directives); English tags, so only with the event rules."""
    if not _tagged(kit):
        return False
    root = doc[claim.start : claim.end].root
    return root.tag_ == "VB" and not any(c.dep_ in SUBJECT_OR_AUX for c in root.children)


def _past(doc: Doc, claim: ClaimDraft) -> bool:
    """A past-tense verb, or a perfect (a participle with 'have'): an event that took place."""
    for token in doc[claim.start : claim.end]:
        if token.tag_ == "VBD":
            return True
        if token.tag_ == "VBN" and any(
            c.dep_ == "aux" and c.lemma_ == "have" for c in token.children
        ):
            return True
    return False


def _event(doc: Doc, claim: ClaimDraft, kit: LanguageKit) -> bool:
    """A change of a quantity ('prices have doubled', 'it has gone up') or a past act of a
    political record ('I vetoed the bill'): checkable without a number (lexicon lists)."""
    if not _tagged(kit):
        return False
    words = kit.claim_words
    for token in doc[claim.start : claim.end]:
        if token.pos_ == "VERB" and token.tag_ != "VB" and token.lemma_ in words.change_verbs:
            return True
        if (
            token.dep_ in {"prt", "advmod", "acomp"}
            and token.head.tag_ != "VB"
            and f"{token.head.lemma_} {token.lower_}" in words.change_phrasal
        ):
            return True
        if token.tag_ in {"VBD", "VBN", "VBZ"} and token.lemma_ in words.record_verbs:
            return True
    return False


def _anchored(doc: Doc, claim: ClaimDraft, ents: list[EntitySpan], kit: LanguageKit) -> bool:
    """Named actors, dates and statistics phrases need something to check about them: a
    number or quantity, a comparison or a past event (a change or an act of record, the
    caller's first test); without a tagger: always."""
    if not _tagged(kit):
        return True
    return (
        _numbered(doc, claim, kit)
        or any(e.label == "QUANTITY" for e in ents if claim.start <= e.start < claim.end)
        or _compared(doc, claim, COMPARED)
        or _past(doc, claim)
    )
