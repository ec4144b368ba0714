"""Cue lexicons and pre-annotation rules: data files, checked against schema/ when loaded.

Lexicons live in ``annotate_kit/data/lexicons/<lang>.json`` and the language-independent rules
in ``annotate_kit/data/preannotate.json``, so that a linguist can review or extend them without
reading Python, and so that every label they name is checked against the scheme here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.constraints import Condition, freeze
from annotate_kit.scheme.schema import Scheme, load_scheme

APOSTROPHES = {0x2019: "'", 0x02BC: "'", 0x00A0: " ", 0x202F: " ", 0x2007: " "}
"""Same-length replacements applied before spaCy sees a text (and to lexicon phrases)."""


@dataclass(frozen=True)
class CueRule:
    """What one matcher key means: its cue type and where the entry comes from."""

    key: str
    cue_type: str
    source: str
    score: float | None
    frame: str | None  # "report", "according_to" or None
    factuality: str | None  # overrides the type's effect on a claim
    priority: int
    name: str
    gaps: tuple[int, ...] = ()  # pattern positions between the parts of a discontinuous cue
    sentence_morph: tuple[str, ...] = ()  # the sentence must carry one of these features
    verb: bool = False  # a verb entry: its cue takes auxiliaries, a preposition and "que"
    prep: str | None = None  # the preposition that introduces a verb's content
    when: tuple[Condition, ...] = ()  # conditions on the first matched token (constraints.py)
    blank_when: tuple[Condition, ...] | None = None  # used where ``when`` cannot be evaluated
    fallback: bool = False  # True: the kit uses ``blank_when`` (no tagger/parser for ``when``)


@dataclass(frozen=True)
class Lexicon:
    """One language's lexicon file, parsed and validated."""

    lang: str
    version: int
    pipelines: tuple[str, ...]
    groups: tuple[dict[str, Any], ...]
    entities: dict[str, Any]
    sources: dict[str, str]
    path: str
    claims: dict[str, Any] = field(default_factory=dict)  # what makes a sentence a claim

    @property
    def tag(self) -> str:
        return f"lexicon-{self.lang}-{self.version}"


@dataclass(frozen=True)
class Rules:
    """Language-independent rules (entity label maps, factuality, check-worthiness, claims)."""

    entities: dict[str, Any]
    factuality: dict[str, Any]
    check_worthiness: dict[str, Any]
    claims: dict[str, Any]
    version: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def data_path(*parts: str) -> Path:
    return Path(str(resources.files("annotate_kit").joinpath("data", *parts)))


def available_lexicons() -> tuple[str, ...]:
    """Languages that ship a lexicon file."""
    return tuple(sorted(p.stem for p in data_path("lexicons").glob("*.json")))


@cache
def load_lexicon(lang: str) -> Lexicon:
    """Read and check ``data/lexicons/<lang>.json``; PreannotationError names the bad entry."""
    path = data_path("lexicons", f"{lang}.json")
    doc = _read(path)
    scheme = load_scheme()
    cue_types = set(scheme.labels("cue_type"))
    entity_labels = set(scheme.labels("entity_label"))
    sources = doc.get("sources", {})
    groups = doc.get("cues")
    if not isinstance(groups, list):
        raise PreannotationError(f"{path}: 'cues' must be a list of entry groups")
    for index, group in enumerate(groups):
        where = f"{path}: cues[{index}]"
        if group.get("type") not in cue_types:
            raise PreannotationError(
                f"{where}: cue type {group.get('type')!r} is not in schema/vocab/cue_type.json"
            )
        if group.get("source") not in sources:
            raise PreannotationError(f"{where}: source {group.get('source')!r} is not in 'sources'")
        if group.get("frame") not in (None, "report", "according_to"):
            raise PreannotationError(f"{where}: unknown frame {group.get('frame')!r}")
        if not any(group.get(k) for k in ("verbs", "lemmas", "phrases", "patterns")):
            raise PreannotationError(f"{where}: no verbs, lemmas, phrases or patterns")
    for name, section in doc.get("entities", {}).items():
        for key in ("label", "from", "to"):
            if key in section and section[key] not in entity_labels:
                raise PreannotationError(
                    f"{path}: entities.{name}.{key} {section[key]!r} is not an entity label"
                )
    return Lexicon(
        lang=doc.get("lang", lang),
        version=int(doc.get("version", 1)),
        pipelines=tuple(doc.get("pipelines", ())),
        claims=doc.get("claims", {}),
        groups=tuple(groups),
        entities=doc.get("entities", {}),
        sources=sources,
        path=str(path),
    )


@cache
def load_rules() -> Rules:
    """Read and check ``data/preannotate.json`` against the scheme's vocabularies."""
    path = data_path("preannotate.json")
    doc = _read(path)
    scheme = load_scheme()
    _check_rules(doc, scheme, str(path))
    return Rules(
        entities=doc["entities"],
        factuality=doc["factuality"],
        check_worthiness=doc["check_worthiness"],
        claims=doc["claims"],
        version=int(doc.get("version", 1)),
    )


def _check_rules(doc: dict[str, Any], scheme: Scheme, path: str) -> None:
    def check(values: Any, vocab: str, where: str) -> None:
        names = set(scheme.labels(vocab))
        for value in values:
            if value is not None and value not in names:
                raise PreannotationError(f"{path}: {where}: {value!r} is not in vocab/{vocab}.json")

    try:
        ents, fact, cw, claims = (
            doc["entities"],
            doc["factuality"],
            doc["check_worthiness"],
            doc["claims"],
        )
        for name, mapping in ents["label_maps"].items():
            check(mapping.values(), "entity_label", f"entities.label_maps.{name}")
        check(ents["named_labels"], "entity_label", "entities.named_labels")
        check([fact["default"], *fact["order"]], "factuality", "factuality.order")
        check([*fact["negated"], *fact["negated"].values()], "factuality", "factuality.negated")
        check(fact["cue_effects"], "cue_type", "factuality.cue_effects")
        check(fact["cue_effects"].values(), "factuality", "factuality.cue_effects")
        check(fact["negation_cue_types"], "cue_type", "factuality.negation_cue_types")
        check(
            [cw["non_factual"], cw["unimportant"], cw["check_worthy"]],
            "check_worthiness",
            "check_worthiness",
        )
        check(cw["non_factual_cue_types"], "cue_type", "check_worthiness.non_factual_cue_types")
        check(cw["non_factual_factuality"], "factuality", "check_worthiness")
        check(cw.get("measure_factuality", ()), "factuality", "check_worthiness")
        check(cw["check_worthy_entity_labels"], "entity_label", "check_worthiness")
        check(claims["source_kinds"].values(), "source_kind", "claims.source_kinds")
        check(claims["attribution_kinds"].values(), "attribution_kind", "claims")
        check(
            [claims["source_relation"], claims["attribution_relation"]], "relation_type", "claims"
        )
        check(claims["weasel_cue_types"], "cue_type", "claims.weasel_cue_types")
        check(claims["mixed_cue_types"], "cue_type", "claims.mixed_cue_types")
    except KeyError as exc:
        raise PreannotationError(f"{path}: missing key {exc}") from None


def _read(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PreannotationError(f"{path}: file not found") from None
    except json.JSONDecodeError as exc:
        raise PreannotationError(
            f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}"
        ) from None


def split_entry(entry: str) -> tuple[str, tuple[str, ...], str | None]:
    """'dire|dit' -> ('dire', ('dire', 'dit'), None); 'insister [sur]' -> (..., 'sur').

    Returns the lemma, the surface forms to accept and the optional preposition that
    introduces the verb's content.
    """
    preposition = None
    if "[" in entry:
        entry, _, rest = entry.partition("[")
        preposition = rest.rstrip("] ").strip() or None
    parts = [p.strip().translate(APOSTROPHES) for p in entry.split("|") if p.strip()]
    return parts[0], tuple(dict.fromkeys(parts)), preposition


def cue_rules(lexicon: Lexicon) -> list[tuple[CueRule, list[list[dict[str, Any]]], list[str]]]:
    """Every cue group as (rule, spaCy token patterns, exclusion phrases), before tokenising.

    Phrases and forms are returned as token-pattern placeholders ``{"PHRASE": text}`` and
    ``{"FORMS": [...]}`` that the matcher expands with the pipeline's own tokenizer.
    """
    out = []
    for gi, group in enumerate(lexicon.groups):
        base = {
            "cue_type": group["type"],
            "source": group["source"],
            "score": group.get("score"),
            "frame": group.get("frame"),
            "factuality": group.get("factuality"),
        }
        excludes = [e.translate(APOSTROPHES) for e in group.get("exclude", ())]
        where = f"{lexicon.path}: cues[{gi}]"
        for vi, item in enumerate(group.get("verbs", ())):
            entry, cond = _entry(item, group, f"{where}.verbs[{vi}]")
            lemma, forms, prep = split_entry(entry)
            rule = CueRule(
                key=f"g{gi}v{vi}", priority=1, name=lemma, verb=True, prep=prep, **base, **cond
            )
            out.append((rule, [[{"VERB": lemma, "FORMS": list(forms), "PREP": prep}]], excludes))
        for li, item in enumerate(group.get("lemmas", ())):
            entry, cond = _entry(item, group, f"{where}.lemmas[{li}]")
            lemma, forms, _ = split_entry(entry)
            rule = CueRule(key=f"g{gi}l{li}", priority=0, name=lemma, **base, **cond)
            out.append((rule, [[{"LEMMA_OR_FORMS": lemma, "FORMS": list(forms)}]], excludes))
        for pi, item in enumerate(group.get("phrases", ())):
            entry, cond = _entry(item, group, f"{where}.phrases[{pi}]")
            text = entry.translate(APOSTROPHES)
            rule = CueRule(key=f"g{gi}p{pi}", priority=0, name=text, **base, **cond)
            out.append((rule, [[{"PHRASE": text}]], excludes))
        for ri, spec in enumerate(group.get("patterns", ())):
            _, cond = _entry({"entry": spec["name"], **spec}, group, f"{where}.patterns[{ri}]")
            rule = CueRule(
                key=f"g{gi}r{ri}",
                priority=int(spec.get("priority", 0)),
                name=spec["name"],
                gaps=tuple(spec.get("gaps", ())),
                sentence_morph=tuple(spec.get("sentence_morph", ())),
                **base,
                **cond,
            )
            out.append((rule, [spec["pattern"]], excludes))
    return out


def _entry(item: Any, group: dict[str, Any], where: str) -> tuple[str, dict[str, Any]]:
    """An entry as (text, CueRule condition fields): a plain string takes its group's
    ``when``/``blank_when``; an object ``{"entry": ..., "when": ..., "blank_when": ...}``
    its own (``"when": null`` lifts the group's)."""
    if isinstance(item, str):
        item = {"entry": item}
    if not isinstance(item, dict) or not isinstance(item.get("entry"), str):
        raise PreannotationError(f"{where}: an entry is a string or an object with 'entry'")
    when = item.get("when", group.get("when"))
    blank = item.get("blank_when", group.get("blank_when") if "when" not in item else None)
    return item["entry"], {
        "when": freeze(when, f"{where}.when") if when else (),
        "blank_when": freeze(blank, f"{where}.blank_when") if blank else None,
    }
