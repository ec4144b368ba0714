"""Claim candidates with their source, attribution kind, factuality and check-worthiness.

Constructions, per sentence of a paragraph (PARC 3.0 terms):
- according-to: "Selon X, [claim]" / "[claim], selon X" -> source X;
- reported speech: reporting or belief verb + "que"/"that" + [claim], or + direct object
  [claim] -> source is the verb's subject (or passive agent);
- direct speech: a quotation of ``direct_quote_min_words`` words or more;
- otherwise a sentence with a finite verb is the author's own claim.
Factuality follows FactBank from the cues that bear on the claim's main predicate
(conditional -> possible, negation flips polarity); check-worthiness is a ClaimBuster-style
suggestion. Headings get no claims: they are titles, not assertions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotate_kit.preannotate.checkworthy import check_worthiness
from annotate_kit.preannotate.columns import column
from annotate_kit.preannotate.drafts import ClaimDraft
from annotate_kit.preannotate.phrases import asks_or_exclaims, opens_with, span_text
from annotate_kit.scheme.schema import load_scheme

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from annotate_kit.preannotate.cues import CueSpan
    from annotate_kit.preannotate.entities import EntitySpan
    from annotate_kit.preannotate.pipeline import LanguageKit

SUBJECTS = ("nsubj", "nsubj:pass", "obl:agent", "agent")
SOURCE_GAP = 4
FINITE = "VerbForm=Fin"


def find_claims(
    doc: Doc, kind: str, ents: list[EntitySpan], cues: list[CueSpan], kit: LanguageKit
) -> list[ClaimDraft]:
    """Claim drafts of one segment, each with the cues linked to it; unlinked cues stay out."""
    claims: list[ClaimDraft] = []
    if kind == "heading":  # a heading that asserts is the writer's claim (guidelines)
        end = _content_end(doc[:])
        if sum(not t.is_punct for t in doc[:end]) >= 2:
            claims.append(ClaimDraft(0, end, "none", "author"))
    sents = list(doc.sents) if kind != "heading" else []
    for sent in sents:
        found = _sentence_claims(sent, ents, cues, kit)
        spans = {(c.start, c.end) for c in claims}
        claims.extend(c for c in found if (c.start, c.end) not in spans)
    _attributes(doc, claims, sents, kind=kind, ents=ents, cues=cues, kit=kit)
    return claims


def model_claims(
    doc: Doc,
    kind: str,
    drafts: list[ClaimDraft],
    spans: list[tuple[int, int, float | None]],
    *,
    ents: list[EntitySpan],
    cues: list[CueSpan],
    kit: LanguageKit,
    keep_rules: bool,
) -> list[ClaimDraft]:
    """A trained model's claim spans (token ranges of ``doc``, with a score) with the rules'
    attributes: the model gives the span, the rules what they say of a span.

    A model span takes the construction, source and frame cue of the rule claim it overlaps
    most (a reported claim the model cut otherwise is still reported), unless it swallows that
    claim's frame cue ("X said that Y" whole is the author's claim); without one it is the
    author's own claim. Cues are linked again, factuality and check-worthiness computed for the
    span as ``find_claims`` computes them. Rule claims that a model span overlaps give way to
    it; the others stay when ``keep_rules`` (``--suggest both``), else go (``model``).
    """
    out: list[ClaimDraft] = []
    for start, end, score in sorted(spans, key=lambda s: (s[0], s[1])):
        under = [d for d in drafts if d.start < end and start < d.end]
        like = max(under, key=lambda d: min(end, d.end) - max(start, d.start), default=None)
        frame = like.frame_cue if like is not None else None
        if like is None or (frame is not None and start <= cues[frame].start < end):
            out.append(ClaimDraft(start, end, "none", "author", score=score))
            continue
        sources = [i for i in like.source_entities if not start <= ents[i].start < end]
        source = like.source if sources or like.source != "entity" else "unspecified"
        out.append(
            ClaimDraft(
                start,
                end,
                like.construction,
                source,
                source_entities=sources,
                frame_cue=frame,
                score=score,
            )
        )
    if keep_rules:
        out += [d for d in drafts if not any(m.start < d.end and d.start < m.end for m in out)]
    out.sort(key=lambda d: (d.start, d.end))
    for draft in out:
        draft.cues = []
    sents = list(doc.sents) if kind != "heading" else []
    _attributes(doc, out, sents, kind=kind, ents=ents, cues=cues, kit=kit)
    return out


def _attributes(
    doc: Doc,
    claims: list[ClaimDraft],
    sents: list[Span],
    *,
    kind: str,
    ents: list[EntitySpan],
    cues: list[CueSpan],
    kit: LanguageKit,
) -> None:
    """Link the cues to the claims, then each claim's factuality and check-worthiness."""
    _link_cues(claims, cues, sents)
    for claim in claims:
        claim.factuality = _factuality(doc, claim, cues, kit)
        claim.check_worthiness = check_worthiness(doc, claim, ents, cues, kit)
        if kind == "heading" and kit.rules.check_worthiness.get("non_factual_headings"):
            claim.check_worthiness = kit.rules.check_worthiness["non_factual"]


def _sentence_claims(
    sent: Span, ents: list[EntitySpan], cues: list[CueSpan], kit: LanguageKit
) -> list[ClaimDraft]:
    rules = kit.rules.claims
    doc = sent.doc
    last = _content_end(sent)
    found: list[ClaimDraft] = []
    in_sent = [i for i, c in enumerate(cues) if sent.start <= c.start < sent.end]
    for i in in_sent:
        cue = cues[i]
        if cue.rule.frame == "according_to":
            draft = _according_to(sent, cue, last, rules)
        elif cue.rule.frame == "report":
            draft = _reported(sent, cue, last, cues=cues, in_sent=in_sent, kit=kit)
        else:
            continue
        if draft is not None and draft.end > draft.start:
            draft.frame_cue = i
            _set_source(draft, _source_range(sent, cue, kit), ents, cues, kit)
            found.append(draft)
    for start, end in _quotations(sent, rules):
        if any(c.start <= start and end <= c.end for c in found):
            continue
        draft = ClaimDraft(start, end, "direct", "unspecified")
        speakers = [i for i in in_sent if cues[i].rule.frame == "report"]
        speakers = [i for i in speakers if not start <= cues[i].start < end]
        if speakers:
            draft.frame_cue = min(speakers, key=lambda i: abs(cues[i].start - start))
            _set_source(draft, _source_range(sent, cues[draft.frame_cue], kit), ents, cues, kit)
        found.append(draft)
    mixed = set(rules["mixed_cue_types"])
    for draft in found:
        if draft.construction == "indirect" and any(
            c.cue_type in mixed and draft.start <= c.start and c.end <= draft.end for c in cues
        ):
            draft.construction = "mixed"
    if not found and _is_assertion(sent, kit):
        found.append(ClaimDraft(sent.start, last, "none", "author"))
    for draft in found:  # a claim never starts with a comma or a quotation mark (guidelines)
        while draft.start < draft.end and doc[draft.start].is_punct:
            draft.start += 1
    return [d for d in found if d.end > d.start]


def _has_finite_verb(sent: Span, kit: LanguageKit) -> bool:
    """A token with VerbForm=Fin, read from the MORPH column: each distinct analysis is
    parsed once per process (``CueIndex.morph_memo``), not once per token."""
    doc = sent.doc
    morphs = column(doc, "MORPH")
    memo = kit.cues.morph_memo
    for value in set(morphs[sent.start : sent.end]):
        key = (value, FINITE)
        if key not in memo:
            memo[key] = "Fin" in doc[morphs.index(value)].morph.get("VerbForm")
        if memo[key]:
            return True
    return False


def _content_end(sent: Span) -> int:
    end = sent.end
    while end > sent.start and sent.doc[end - 1].is_punct and sent.doc[end - 1].text not in '»”"':
        end -= 1
    return end


def _according_to(sent: Span, cue: CueSpan, last: int, rules: dict) -> ClaimDraft | None:
    doc = sent.doc
    if cue.end < sent.end and doc[cue.end].lower_ in rules["relative_pronouns"]:
        return None
    stop = cue.end
    while stop < last and doc[stop].text not in {",", ";", ":"}:
        stop += 1
    before = [t for t in doc[sent.start : cue.start] if not t.is_punct]
    if len(before) <= 1:  # "Selon X, [claim]" (one leading conjunction or adverb allowed)
        if stop < last and doc[stop].text == ",":
            return ClaimDraft(stop + 1, last, "according_to", "unspecified")
        return None
    end = cue.start
    while end > sent.start and doc[end - 1].is_punct:
        end -= 1
    return ClaimDraft(sent.start, end, "according_to", "unspecified")


def _reported(
    sent: Span,
    cue: CueSpan,
    last: int,
    *,
    cues: list[CueSpan],
    in_sent: list[int],
    kit: LanguageKit,
) -> ClaimDraft | None:
    doc = sent.doc
    that = set(kit.rules.claims["complementizers"])
    negations = set(kit.rules.factuality["negation_cue_types"])
    if any(
        cues[i].cue_type in negations and cues[i].start < cue.start <= cues[i].end for i in in_sent
    ):
        return None  # "n'a pas communiqué": nothing is attributed
    start = None
    if doc[cue.end - 1].lower_ in that:
        start = cue.end
    else:  # "souligne toutefois que": adverbs may sit between the verb and "que"
        i = cue.end
        if cue.rule.prep and i < last and doc[i].lower_ == cue.rule.prep:
            i += 1  # "insiste sur": the preposition stays outside the cue
        while i < min(last, cue.end + 3) and doc[i].pos_ == "ADV" and doc[i].lower_ not in that:
            i += 1
        if i < last and doc[i].lower_ in that:
            start = i + 1
    if start is not None:
        end = start
        while end < last and doc[end].text != ";":
            end += 1
        return ClaimDraft(start, end, "indirect", "unspecified")
    if kit.has("dep") and is_attribution(cue, kit):
        verb = _verb(doc, cue)
        for child in verb.children:
            if child.dep_ == "obj" and child.i > verb.i:
                end = min(child.right_edge.i + 1, last)
                return ClaimDraft(child.left_edge.i, end, "indirect", "unspecified")
    return None


def is_attribution(cue: CueSpan, kit: LanguageKit) -> bool:
    """An attribution cue heads the scheme's attribution relation (CUE_OF), others scope."""
    return load_scheme().cue_relation(cue.cue_type) == kit.rules.claims["attribution_relation"]


def _verb(doc: Doc, cue: CueSpan) -> Token:
    tokens = list(doc[cue.start : cue.end])
    return next((t for t in tokens if t.pos_ == "VERB"), tokens[-1])


def _source_range(sent: Span, cue: CueSpan, kit: LanguageKit) -> tuple[int, int] | None:
    """Token range of who says it: the NP after 'selon', else the verb's subject or agent."""
    doc = sent.doc
    if cue.rule.frame == "according_to":
        stop = cue.end
        while stop < sent.end and not doc[stop].is_punct:
            stop += 1
        return (cue.end, stop)
    if kit.has("dep"):
        verb = _verb(doc, cue)
        heads = [verb, verb.head] if verb.dep_ in {"conj", "xcomp", "advcl"} else [verb]
        for head in heads:
            for child in head.children:
                if child.dep_ in SUBJECTS:
                    if child.dep_ == "nsubj" and child.pos_ == "PRON" and head.dep_ == "acl:relcl":
                        child = head.head  # noqa: PLW2901 - "qui" stands for its antecedent
                    return (child.left_edge.i, child.right_edge.i + 1)
    start = max(sent.start, cue.start - SOURCE_GAP)
    return (start, cue.start) if start < cue.start else None


def _set_source(
    draft: ClaimDraft,
    span: tuple[int, int] | None,
    ents: list[EntitySpan],
    cues: list[CueSpan],
    kit: LanguageKit,
) -> None:
    if span is None:
        return
    start, end = span
    weasel = set(kit.rules.claims["weasel_cue_types"])
    if any(c.cue_type in weasel and c.start < end and start < c.end for c in cues):
        draft.source = "unspecified"
        return
    inside = [i for i, e in enumerate(ents) if e.start < end and start < e.end]
    inside = [i for i in inside if not draft.start <= ents[i].start < draft.end]
    if inside:
        draft.source = "entity"
        draft.source_entities = inside


def _quotations(sent: Span, rules: dict) -> list[tuple[int, int]]:
    """Token ranges inside quotation marks long enough to be direct speech."""
    doc = sent.doc
    pairs = dict(rules["quote_pairs"])
    found: list[tuple[int, int]] = []
    text = span_text(sent)
    if not any(mark in text for mark in pairs):
        return found
    i = sent.start
    while i < sent.end:
        close = pairs.get(doc[i].text)
        j = i + 1
        while close is not None and j < sent.end and doc[j].text != close:
            j += 1
        if close is not None and j < sent.end:
            words = sum(not t.is_punct for t in doc[i + 1 : j])
            if words >= int(rules["direct_quote_min_words"]):
                found.append((i + 1, j))
            i = j
        i += 1
    return found


def _is_assertion(sent: Span, kit: LanguageKit) -> bool:
    """A declarative sentence with a finite verb (without morphology: three words or more);
    not a question, an exclamation, nor a greeting or thanks (the lexicon's ``claims``)."""
    if asks_or_exclaims(sent) or opens_with(sent, kit.claim_words.greetings):
        return False
    if kit.has("morph"):
        return _has_finite_verb(sent, kit)
    return sum(not t.is_punct for t in sent) >= 3


def _link_cues(claims: list[ClaimDraft], cues: list[CueSpan], sents: list[Span]) -> None:
    """Each cue to its frame's claim, else the smallest claim holding it, else the nearest one
    of its sentence; a cue no claim can take is left out (every cue must bear on a claim)."""
    for i, cue in enumerate(cues):
        target = next((c for c in claims if c.frame_cue == i), None)
        if target is None:
            holding = [c for c in claims if c.start <= cue.start and cue.end <= c.end]
            if holding:
                target = min(holding, key=lambda c: c.end - c.start)
        sent = next((s for s in sents if s.start <= cue.start < s.end), None)
        if target is None and sent is not None:
            near = [c for c in claims if sent.start <= c.start < sent.end]
            if near:
                target = min(
                    near, key=lambda c: min(abs(c.start - cue.end), abs(cue.start - c.end))
                )
        if target is not None:
            target.cues.append(i)


def _bears_on_predicate(doc: Doc, claim: ClaimDraft, cue: CueSpan, kit: LanguageKit) -> bool:
    """Does the cue modify the claim's main predicate (not a word deep inside it)?"""
    if not claim.start <= cue.start < claim.end:
        return False
    if kit.has("dep"):
        root = doc[claim.start : claim.end].root
        tokens = doc[cue.start : cue.end]
        return any(t == root or root in (t.head, t.head.head) or t == root.head for t in tokens)
    first_comma = next((t.i for t in doc[claim.start : claim.end] if t.text == ","), claim.end)
    return cue.start < first_comma


def _factuality(doc: Doc, claim: ClaimDraft, cues: list[CueSpan], kit: LanguageKit) -> str:
    rules = kit.rules.factuality
    order = list(rules["order"])
    negations = set(rules["negation_cue_types"])
    effects: list[str] = []
    flips = 0
    for i in claim.cues:
        cue = cues[i]
        effect = cue.rule.factuality or rules["cue_effects"].get(cue.cue_type)
        if i == claim.frame_cue:
            if effect and cue.cue_type not in negations:
                effects.append(effect)
            continue
        if not _bears_on_predicate(doc, claim, cue, kit):
            continue
        if cue.cue_type in negations:
            flips += 1
        elif effect:
            effects.append(effect)
    value = rules["default"]
    for effect in effects:
        base = effect if effect in order else rules["negated"].get(effect, effect)
        if effect not in order:
            flips += 1
        if order.index(base) > order.index(value):
            value = base
    return rules["negated"][value] if flips % 2 else value
