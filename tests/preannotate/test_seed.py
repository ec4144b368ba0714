"""Quality targets of issue 4 on the hand-made seed gold; these fail if quality regresses.

The record is built the way ``annotate-kit convert --preannotate`` builds it (blocks from
convert), then scored with ``annotate_kit.agreement.evaluate``.
"""

from __future__ import annotations

import json
from functools import cache

from annotate_kit.agreement.evaluate import Evaluation, evaluate_records
from annotate_kit.documents.convert import iter_documents
from annotate_kit.preannotate.core import preannotate_batch
from annotate_kit.validate.checks import check_record
from preannotate_support import SEED_TEXT, english, french, seed_gold


@cache
def predicted() -> dict:
    [record] = list(iter_documents([SEED_TEXT]))
    [out] = preannotate_batch([record], preannotator=french())
    return out


@cache
def scores() -> Evaluation:
    return evaluate_records([predicted()], [seed_gold()])


def test_seed_prediction_pairs_with_gold_and_is_valid():
    assert predicted()["doc_id"] == seed_gold()["doc_id"]
    assert scores().documents == 1
    assert check_record(predicted()) == []


def test_cue_precision_at_least_090_at_recall_085_overlap():
    cues = scores().get("cues", "overlap")  # labelled: same cue type required (issue 10)
    assert cues.recall >= 0.85, cues
    assert cues.precision >= 0.9, cues


def test_entity_f1_at_least_085():
    entities = scores().get("entities", "exact")  # labelled, exact offsets
    assert entities.f1 >= 0.85, entities


def test_no_entity_shorter_than_two_letters():
    short = [e["text"] for e in predicted()["entities"] if sum(c.isalpha() for c in e["text"]) < 2]
    assert short == []


def test_every_attributed_gold_claim_is_overlapped_by_a_candidate():
    covered, total = scores().attributed_claims_covered
    assert total > 0
    assert covered == total


EN_SAMPLE = SEED_TEXT.parents[1] / "tests" / "data" / "preannotate" / "en-hedge-sample.gold.jsonl"


def test_english_hedge_sample_without_a_pipeline():
    """Own CC0 text hand-annotated by the lexicon author: optimistic, but guards regressions."""
    gold = json.loads(EN_SAMPLE.read_text(encoding="utf-8").splitlines()[0])
    [predicted_en] = preannotate_batch([gold], preannotator=english())
    cues = evaluate_records([predicted_en], [gold]).get("cues", "overlap")
    assert cues.recall >= 0.8, cues
    assert cues.precision >= 0.6, cues
