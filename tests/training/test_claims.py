"""Claims as spans: a claim span categoriser learns where claims are, the rules say what they
are (source, attribution, factuality, check-worthiness) for the spans it suggests."""

from __future__ import annotations

import json

import pytest
import spacy

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.preannotate.suggesters import clause_spans
from annotate_kit.training.data import TrainingData
from annotate_kit.training.loop import train_model
from annotate_kit.validate.checks import check_record
from training.tiny import CLAIM, PLAIN, tiny_claim_records


@pytest.fixture(scope="module")
def claim_model(tmp_path_factory: pytest.TempPathFactory):
    records = tiny_claim_records(24)
    data = TrainingData("tiny claims", {"train": records[:18], "validation": records[18:]})
    out = tmp_path_factory.mktemp("models") / "claims-model"
    return train_model(
        data,
        out,
        base="blank",
        layers=["cues", "claims"],
        seed=1,
        max_epochs=8,
        patience=3,
        batch_size=8,
    )


def test_a_claim_spancat_is_trained_beside_the_cue_one(claim_model):
    meta = json.loads((claim_model.model_dir / "annotate_kit.json").read_text("utf-8"))
    assert meta["layers"]["claims"] == {"component": "spancat_claims", "labels": ["CLAIM"]}
    assert meta["data"]["train"]["claims"] == {"CLAIM": 18}
    assert meta["validation_scores"]["claims_f"] == 1.0
    nlp = spacy.load(claim_model.model_dir)
    # one tok2vec of its own, listened to by both span categorisers
    assert nlp.pipe_names == ["sentencizer", "tok2vec", "spancat", "spancat_claims"]


def test_model_claims_get_the_rules_attributes_and_the_record_validates(claim_model):
    pre = Preannotator(lang="en", models={"en": str(claim_model.model_dir)}, suggest="model")
    record = tiny_claim_records(30)[27]  # not seen in training
    out = preannotate_batch([record], preannotator=pre)[0]
    plain = PLAIN[27 % len(PLAIN)].rstrip(".")
    assert [c["text"] for c in out["claims"]] == [plain]  # the hedged sentence is not a claim
    claim = out["claims"][0]
    assert 0.5 < claim["score"] <= 1
    assert {k: claim[k] for k in CLAIM} == CLAIM  # what the rules say of this span
    # the model's "may" has no claim in its sentence to scope over (model.py: it stays
    # unattached, E130, as in any cue-only annotation); nothing else is wrong
    assert [(p.code, p.span_id) for p in check_record(out)] == [("E130", "cue-m1")]


def test_both_keeps_the_rule_claims_the_model_does_not_overlap(claim_model):
    pre = Preannotator(lang="en", models={"en": str(claim_model.model_dir)}, suggest="both")
    record = tiny_claim_records(30)[27]
    out = preannotate_batch([record], preannotator=pre)[0]
    texts = [c["text"] for c in out["claims"]]
    assert texts[1] == PLAIN[27 % len(PLAIN)].rstrip(".")
    assert "score" in out["claims"][1]
    assert "score" not in out["claims"][0]  # the rules' claim on the hedged sentence stays
    rules = Preannotator(lang="en", models={"en": str(claim_model.model_dir)}, suggest="rules")
    by_rules = preannotate_batch([record], preannotator=rules)[0]
    assert out["claims"][0] == by_rules["claims"][0]  # "Many scientists believe ...": PR+
    assert check_record(out) == []


def test_the_clause_suggester_offers_clauses_not_every_ngram():
    doc = spacy.blank("en")("Officials said that the bridge, built in 1900, is safe. It rained.")
    words = [t.text for t in doc]
    spans = {" ".join(words[a:b]) for a, b in clause_spans(doc, frozenset({"that"}))}
    assert "the bridge , built in 1900 , is safe" in spans
    assert "Officials said that the bridge , built in 1900 , is safe" in spans
    assert "built in 1900" in spans
    assert "It rained" in spans
    assert not any(s.startswith(",") or s.endswith(".") for s in spans)
    assert len(spans) < 20


def test_a_bare_spacy_load_finds_the_claim_suggester(claim_model):
    """The suggester is an entry point (spacy_misc): no annotate_kit import needed to load."""
    import subprocess
    import sys

    code = f"import spacy; spacy.load({str(claim_model.model_dir)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
