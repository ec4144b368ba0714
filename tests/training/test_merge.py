"""The merge policy on crafted overlaps: model spans win where they overlap rule spans."""

from __future__ import annotations

import copy

import pytest

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.model import merge_suggestions

TEXT = "Officials may believe that prices will possibly rise, if the report is right."


def _span(id_: str, word: str, label: str, nth: int = 0) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(word, start + 1)
    return {"id": id_, "start": start, "end": start + len(word), "text": word, "label": label}


def _record() -> dict:
    claim = {"id": "claim-1", "start": 27, "end": 52, "text": TEXT[27:52]}
    return {
        "text": TEXT,
        "entities": [],
        "claims": [claim],
        "cues": [
            _span("cue-1", "may believe", "EPISTEMIC"),  # the model splits it in two
            _span("cue-2", "possibly", "HEDGE"),  # the model relabels it
            _span("cue-3", "if", "CONDITION"),  # the model has nothing there
        ],
        "relations": [
            {"id": "rel-1", "type": "SCOPES_OVER", "head": "cue-1", "tail": "claim-1"},
            {"id": "rel-2", "type": "SCOPES_OVER", "head": "cue-2", "tail": "claim-1"},
            {"id": "rel-3", "type": "SCOPES_OVER", "head": "cue-3", "tail": "claim-1"},
        ],
    }


def _model() -> dict:
    def bare(word: str, label: str, score: float) -> dict:
        span = _span("x", word, label)
        return {"start": span["start"], "end": span["end"], "label": label, "score": score}

    return {
        "cues": [
            bare("may", "EPISTEMIC", 0.9),
            bare("believe", "DOXASTIC", 0.8),
            bare("possibly", "EPISTEMIC", 0.7),
            bare("Officials", "WEASEL", 0.6),  # no rule span there
        ]
    }


def _cues(record: dict) -> list[tuple[str, str, str]]:
    return [(c["id"], c["text"], c["label"]) for c in record["cues"]]


def test_both_keeps_model_spans_and_rule_spans_that_no_model_span_overlaps():
    record = _record()
    merge_suggestions(record, _model(), policy="both")
    assert _cues(record) == [
        ("cue-m1", "Officials", "WEASEL"),
        ("cue-1", "may", "EPISTEMIC"),  # took the id of the rule span it overlaps
        ("cue-m2", "believe", "DOXASTIC"),  # the rule span's id was taken: a fresh one
        ("cue-2", "possibly", "EPISTEMIC"),  # the model's label, the rule span's id
        ("cue-3", "if", "CONDITION"),  # no model span there: the rule's stays
    ]
    assert [c.get("score") for c in record["cues"]] == [0.6, 0.9, 0.8, 0.7, None]
    assert all(c["text"] == TEXT[c["start"] : c["end"]] for c in record["cues"])
    # relations follow the ids: the claim keeps its three scoping cues; the new cues, before
    # the claim in the same segment, are attached to it as the rules attach theirs
    assert [(r["type"], r["head"], r["tail"]) for r in record["relations"]] == [
        ("SCOPES_OVER", "cue-1", "claim-1"),
        ("SCOPES_OVER", "cue-2", "claim-1"),
        ("SCOPES_OVER", "cue-3", "claim-1"),
        ("SCOPES_OVER", "cue-m1", "claim-1"),
        ("SCOPES_OVER", "cue-m2", "claim-1"),
    ]


def test_model_drops_the_rule_spans_of_the_layers_it_learnt_and_their_relations():
    record = _record()
    merge_suggestions(record, _model(), policy="model")
    assert [c[1] for c in _cues(record)] == ["Officials", "may", "believe", "possibly"]
    assert [r["head"] for r in record["relations"]] == ["cue-1", "cue-2", "cue-m1", "cue-m2"]
    assert record["claims"] == _record()["claims"]  # a layer the model did not learn


def test_rules_changes_nothing_and_an_unknown_policy_is_an_error():
    record = _record()
    merge_suggestions(record, _model(), policy="rules")
    assert record == _record()
    with pytest.raises(PreannotationError, match="unknown --suggest 'mixed'"):
        merge_suggestions(copy.deepcopy(record), _model(), policy="mixed")


def test_a_new_model_cue_goes_to_a_claim_of_its_own_segment_or_to_none():
    record = _record()
    record["cues"], record["relations"] = [], []
    may = _span("x", "may", "EPISTEMIC")
    outside = {"start": may["start"], "end": may["end"], "label": "EPISTEMIC", "segment": (0, 14)}
    merge_suggestions(record, {"cues": [outside]}, policy="both")
    assert _cues(record) == [("cue-m1", "may", "EPISTEMIC")]
    assert record["relations"] == []  # its segment holds no claim
    assert "segment" not in record["cues"][0]


def test_one_model_span_over_two_rule_spans_keeps_one_id_and_deduplicates_relations():
    record = _record()
    record["cues"] = [_span("cue-1", "may", "EPISTEMIC"), _span("cue-2", "believe", "DOXASTIC")]
    record["relations"] = record["relations"][:2]
    whole = _span("x", "may believe", "DOXASTIC")
    merge_suggestions(
        record,
        {"cues": [{"start": whole["start"], "end": whole["end"], "label": "DOXASTIC"}]},
        policy="both",
    )
    assert _cues(record) == [("cue-1", "may believe", "DOXASTIC")]
    assert [(r["id"], r["head"]) for r in record["relations"]] == [("rel-1", "cue-1")]


def test_a_relabelled_cue_takes_the_relation_its_new_label_asks_for():
    """A rule ATTRIBUTION cue is the claim's CUE_OF; the model's HEDGE in its place scopes."""
    record = _record()
    record["cues"] = [_span("cue-1", "Officials may believe", "ATTRIBUTION")]
    record["relations"] = [{"id": "rel-1", "type": "CUE_OF", "head": "cue-1", "tail": "claim-1"}]
    span = _span("x", "believe", "HEDGE")
    model = {"cues": [{"start": span["start"], "end": span["end"], "label": "HEDGE"}]}
    merge_suggestions(record, model, policy="model")
    assert _cues(record) == [("cue-1", "believe", "HEDGE")]
    assert record["relations"] == [
        {"id": "rel-1", "type": "SCOPES_OVER", "head": "cue-1", "tail": "claim-1"}
    ]
