"""Pre-annotation: entities, commitment cues and claim candidates for annotators to correct.

The core is a pure function over a batch of records, ``preannotate_batch``, so that any
engine (a loop, ``datasets.map(num_proc=...)``, ``preannotate_stream(workers=N)``) can run it.
A ``Preannotator`` holds what is expensive to build (spaCy pipelines, compiled lexicons) and
is built once per process, never pickled.
"""

from __future__ import annotations

import copy
import importlib.metadata
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.claims import find_claims, model_claims
from annotate_kit.preannotate.columns import read as read_columns
from annotate_kit.preannotate.cues import CueSpan, find_cues
from annotate_kit.preannotate.drafts import ClaimDraft
from annotate_kit.preannotate.entities import EntitySpan, find_entities
from annotate_kit.preannotate.lexicon import available_lexicons
from annotate_kit.preannotate.model import (
    DEFAULT_SUGGEST,
    SUGGEST,
    claim_token_spans,
    merge_suggestions,
    model_spans,
)
from annotate_kit.preannotate.phrases import keep_text
from annotate_kit.preannotate.pipeline import LanguageKit, load_kit
from annotate_kit.preannotate.segments import Segment, nlp_text, segments
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import load_scheme

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = [
    "BATCH_SIZE",
    "PreannotationError",
    "Preannotator",
    "preannotate_batch",
    "toolkit_version",
]

logger = logging.getLogger(__name__)
BATCH_SIZE = 256  # spaCy batch: measured faster than 64 and 1000 on short segments
# spaCy keeps every word it has seen in its vocabulary, for good: after this many new ones the
# pipeline is loaded afresh (4 s), so memory stays bounded over millions of documents. Outputs
# do not depend on what the vocabulary holds (the models hash each word's own features).
VOCAB_GROWTH = 200_000


def toolkit_version() -> str:
    try:
        return importlib.metadata.version("annotate-kit")
    except importlib.metadata.PackageNotFoundError:  # a bare source checkout
        return "0+unknown"


class Preannotator:
    """Loads each language's pipeline and lexicon once, on first use, and keeps them.

    ``lang`` forces one language for every record (``--lang``); otherwise each record's own
    ``lang`` decides. ``models`` maps a language to a pipeline package to use instead of the
    lexicon's list, or a folder written by ``annotate-kit train``, whose spans are merged with
    the rules' by ``suggest`` (model.py: ``both``, ``model`` or ``rules``). ``notices`` collects
    one-time messages the caller should show (no pipeline installed, a language without a
    lexicon).
    """

    def __init__(
        self,
        *,
        lang: str | None = None,
        models: dict[str, str] | None = None,
        suggest: str = DEFAULT_SUGGEST,
    ) -> None:
        if suggest not in SUGGEST:
            raise PreannotationError(
                f"unknown suggest policy {suggest!r}: use {', '.join(SUGGEST)}"
            )
        self.lang = lang
        self.models = dict(models or {})
        self.suggest = suggest
        self.notices: list[str] = []
        self._kits: dict[str, LanguageKit | None] = {}
        self._vocab_at_load: dict[str, int] = {}
        if lang is not None:
            self.kit(lang)

    def kit(self, lang: str) -> LanguageKit | None:
        """The loaded kit of ``lang``, or None (with a notice) when no lexicon covers it."""
        if lang not in self._kits:
            if lang not in available_lexicons():
                self._notice(
                    f"[W503] no pre-annotation lexicon for language '{lang}' (have: "
                    f"{', '.join(available_lexicons())}): its documents get no pre-annotation. "
                    "Pass --lang to force one."
                )
                self._kits[lang] = None
            else:
                kit = load_kit(lang, model=self.models.get(lang))
                self.notices.extend(kit.notices)
                self._kits[lang] = kit
                self._vocab_at_load[lang] = len(kit.nlp.vocab)
        kit = self._kits[lang]
        if kit is not None and len(kit.nlp.vocab) > self._vocab_at_load[lang] + VOCAB_GROWTH:
            logger.debug("%s pipeline learnt %d words: loading it afresh", lang, VOCAB_GROWTH)
            kit = self._kits[lang] = load_kit(lang, model=self.models.get(lang))
            self._vocab_at_load[lang] = len(kit.nlp.vocab)
        return kit

    def model_version(self, lang: str) -> str:
        """Components and versions, e.g. 'annotate-kit-0.1.0+fr_core_news_sm-3.8.0+lexicon-fr-2'."""
        kit = self.kit(lang)
        parts = [f"annotate-kit-{toolkit_version()}"]
        if kit is not None:
            parts += [kit.tag, kit.lexicon.tag, f"rules-{kit.rules.version}"]
            if kit.trained is not None:
                parts.append(f"suggest-{self.suggest}")
        return "+".join(parts)

    def _notice(self, message: str) -> None:
        logger.warning(message)
        self.notices.append(message)


def preannotate_batch(
    records: Iterable[Record], *, preannotator: Preannotator, batch_size: int = BATCH_SIZE
) -> list[Record]:
    """Copies of ``records`` with entities, cues, claims and relations filled in.

    Existing layers are replaced; text and offsets are never changed. Every record comes back,
    in order; a record in a language without a lexicon comes back with empty layers.
    """
    records = list(records)
    out: list[Record] = [copy.deepcopy(r) for r in records]
    by_lang: dict[str, list[int]] = {}
    for index, record in enumerate(out):
        by_lang.setdefault(preannotator.lang or record.get("lang", ""), []).append(index)
    for lang, indices in by_lang.items():
        kit = preannotator.kit(lang)
        version = preannotator.model_version(lang)
        pieces = [(i, seg) for i in indices for seg in segments(out[i])]
        texts = [nlp_text(out[i]["text"][seg.start : seg.end]) for i, seg in pieces]
        docs = kit.nlp.pipe(texts, batch_size=batch_size) if kit else iter(())
        grouped: dict[int, list[tuple[Segment, Doc]]] = {i: [] for i in indices}
        if kit is not None:
            for (i, seg), doc, text in zip(pieces, docs, texts, strict=True):
                keep_text(doc, text)
                read_columns(doc, kit.columns)
                grouped[i].append((seg, doc))
        for i in indices:
            _fill(out[i], grouped[i], kit, version, preannotator.suggest)
    return out


def _fill(
    record: Record,
    parts: list[tuple[Segment, Doc]],
    kit: LanguageKit | None,
    version: str,
    suggest: str = DEFAULT_SUGGEST,
) -> None:
    """Turn per-segment spans into the record's layers with ids and relations."""
    scheme = load_scheme()
    record.update(entities=[], claims=[], cues=[], relations=[])
    annotation = dict(record.get("annotation") or {})
    annotation.update(origin="prediction", model_version=version)
    record["annotation"] = annotation
    if kit is None:
        return
    text = record["text"]
    kinds = kit.rules.claims
    learnt = kit.trained is not None and "claims" in kit.trained.layers and suggest != "rules"
    cue_ids: dict[tuple[int, int], str] = {}
    related: set[tuple[str, str, str]] = set()
    for seg, doc in parts:
        ents = find_entities(doc, kit, seg.kind)
        cues = find_cues(doc, kit)
        claims = find_claims(doc, seg.kind, ents, cues, kit)
        if learnt:  # the model's claim spans, the rules' attributes (model.py)
            claims = model_claims(
                doc,
                seg.kind,
                claims,
                claim_token_spans(doc),
                ents=ents,
                cues=cues,
                kit=kit,
                keep_rules=suggest == "both",
            )
        ent_ids = [
            _add_span(record, "entities", "ent", seg=seg, span=e, text=text, label=e.label)
            for e in ents
        ]
        for claim in claims:
            claim_id = _add_claim(record, seg, doc, claim, text=text, kinds=kinds)
            for e in claim.source_entities if claim.source == "entity" else ():
                _relate(record, (kinds["source_relation"], ent_ids[e], claim_id), related)
            for i in claim.cues:
                cue = cues[i]
                relation = scheme.cue_relation(cue.cue_type)
                for cue_id in _cue_ids(record, seg, cue, text, cue_ids) if relation else ():
                    _relate(record, (relation, cue_id, claim_id), related)
    for layer in ("entities", "claims", "cues"):
        record[layer].sort(key=lambda s: (s["start"], s["end"]))
    if kit.trained is not None and suggest != "rules":
        predicted: dict[str, list[dict[str, Any]]] = {}
        for seg, doc in parts:
            for layer, spans in model_spans(doc, kit.trained, seg.start).items():
                predicted.setdefault(layer, []).extend(spans)
        merge_suggestions(record, predicted, policy=suggest)


def _add_span(
    record: Record,
    layer: str,
    prefix: str,
    *,
    seg: Segment,
    span: EntitySpan,
    text: str,
    **extra: Any,
) -> str:
    start, end = seg.start + span.start_char, seg.start + span.end_char
    span_id = f"{prefix}-{len(record[layer]) + 1}"
    item = {"id": span_id, "start": start, "end": end, "text": text[start:end], **extra}
    record[layer].append(item)
    return span_id


def _cue_ids(
    record: Record, seg: Segment, cue: CueSpan, text: str, known: dict[tuple[int, int], str]
) -> list[str]:
    """One span per part of the cue (a discontinuous cue has several), reused if present
    (``known``: the record's cue ids by offsets, so that a long document stays linear)."""
    ids = []
    for part_start, part_end in cue.parts:
        start, end = seg.start + part_start, seg.start + part_end
        found = known.get((start, end))
        if found is None:
            found = known[(start, end)] = f"cue-{len(record['cues']) + 1}"
            record["cues"].append(
                {
                    "id": found,
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "label": cue.cue_type,
                    "score": cue.rule.score,
                }
            )
        ids.append(found)
    return ids


def _add_claim(
    record: Record, seg: Segment, doc: Doc, claim: ClaimDraft, *, text: str, kinds: dict[str, Any]
) -> str:
    span = doc[claim.start : claim.end]
    start, end = seg.start + span.start_char, seg.start + span.end_char
    claim_id = f"claim-{len(record['claims']) + 1}"
    record["claims"].append(
        {
            "id": claim_id,
            "start": start,
            "end": end,
            "text": text[start:end],
            "source_kind": kinds["source_kinds"][claim.source],
            "attribution_kind": kinds["attribution_kinds"][claim.construction],
            "factuality": claim.factuality,
            "check_worthiness": claim.check_worthiness,
        }
    )
    if claim.score is not None:
        record["claims"][-1]["score"] = claim.score
    return claim_id


def _relate(record: Record, relation: tuple[str, str, str], known: set) -> None:
    """Add the (type, head, tail) relation unless ``known`` (the record's) has it."""
    if relation in known:
        return
    known.add(relation)
    kind, head, tail = relation
    record["relations"].append(
        {"id": f"rel-{len(record['relations']) + 1}", "type": kind, "head": head, "tail": tail}
    )
