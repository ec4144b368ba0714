"""adjudicate: the policy's order, majority merges with provenance, conflicts listed."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from annotate_kit.agreement.adjudicate import (
    DEFAULT_POLICY,
    adjudicate,
    describe_policy,
    parse_policy,
    provenance_row,
)
from annotate_kit.errors import AnnotateKitError
from annotate_kit.io.inputs import iter_items
from annotate_kit.validate.checks import check_record

DATA = Path(__file__).parents[1] / "data"
MINIMAL = json.loads((DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8"))


def annotated(ref: str, *, origin: str = "manual", updated: str = "2026-01-01", **changes) -> dict:
    """The minimal record as annotation `ref` made it, with some fields changed."""
    record = copy.deepcopy(MINIMAL)
    record["annotation"] = {
        "id": ref,
        "annotator": f"user-{ref}",
        "origin": origin,
        "ground_truth": False,
        "cancelled": False,
        "updated_at": updated,
    }
    record.update(copy.deepcopy(changes))
    return record


def entity_label(record: dict, label: str) -> dict:
    entities = copy.deepcopy(record["entities"])
    entities[1]["label"] = label  # Genève
    return {"entities": entities}


def test_policy_parsing_and_description():
    assert parse_policy("majority, latest") == ("majority", "latest")
    with pytest.raises(AnnotateKitError, match=r"expected distinct steps among ground_truth, "):
        parse_policy("majority,coin_toss")
    with pytest.raises(AnnotateKitError):
        parse_policy("latest,latest")
    text = describe_policy(DEFAULT_POLICY)
    assert text.startswith("1. `ground_truth`: an annotation marked ground truth")
    assert "5. A document with a single annotation takes it." in text


def test_ground_truth_comes_first():
    records = [item.record for item in iter_items([DATA / "valid" / "labelstudio-export.json"])]
    result = adjudicate(records)
    assert (result.step, result.record["annotation"]["id"]) == ("ground_truth", "6")
    assert result.candidates == ("5", "6")  # annotation 7 was cancelled: never a candidate
    assert {s.annotations for s in result.sources} == {("6",)}


def test_reviewed_gold_before_majority():
    records = [annotated("1"), annotated("2"), annotated("g", origin="gold", updated="2025-01-01")]
    result = adjudicate(records)
    assert (result.step, result.record["annotation"]["id"]) == ("reviewed", "g")


def test_majority_merges_spans_and_names_their_annotations():
    a, b = annotated("1"), annotated("2")
    c = annotated("3", **entity_label(MINIMAL, "ORG"))  # Genève as ORG: a minority of one
    result = adjudicate([a, b, c])
    assert result.step == "majority"
    assert check_record(result.record) == []
    gold = result.record
    assert gold["annotation"]["origin"] == "adjudicated"
    assert [(e["id"], e["text"], e["label"]) for e in gold["entities"]] == [
        ("e1", "Kremlin", "ORG"),
        ("e2", "Genève", "LOC"),
    ]
    sources = {s.item: s.annotations for s in result.sources}
    assert sources["e1"] == ("1", "2", "3")
    assert sources["e2"] == ("1", "2")
    assert sources["r1"] == ("1", "2", "3")
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.text, conflict.label, conflict.annotations) == (
        "minority-span",
        "Genève",
        "ORG",
        ("3",),
    )
    assert conflict.detail == "marked by 1 of 3 annotations; not in gold"


def test_two_annotators_who_disagree_leave_the_span_out_and_say_so():
    a = annotated("1")
    b = annotated("2", **entity_label(MINIMAL, "ORG"))
    result = adjudicate([a, b])
    assert [e["text"] for e in result.record["entities"]] == ["Kremlin"]
    assert sorted((c.kind, c.label, c.annotations) for c in result.conflicts) == [
        ("minority-span", "LOC", ("1",)),
        ("minority-span", "ORG", ("2",)),
    ]


def test_attribute_tie_goes_to_the_most_recent_when_latest_follows():
    claims = copy.deepcopy(MINIMAL["claims"])
    claims[1]["factuality"] = "PR+"
    a = annotated("1", updated="2026-01-01")
    b = annotated("2", updated="2026-03-01", claims=claims)
    result = adjudicate([a, b])
    assert result.step == "majority"
    assert [c["factuality"] for c in result.record["claims"]] == ["CT+", "PR+"]
    (conflict,) = result.conflicts
    assert conflict.kind == "attribute-tie"
    assert conflict.detail == "factuality: PR+ x1, PS+ x1; took PR+ from the most recent, 2"


def test_a_merge_that_would_not_validate_falls_through_to_the_next_step():
    # Both keep the cue "pourrait" but disagree on the claim it scopes over: the gold cue
    # would hang on nothing (E130), so 'latest' decides and the conflict says why.
    claims = copy.deepcopy(MINIMAL["claims"])
    claims[1].update(start=54, end=85, text=MINIMAL["text"][54:85])
    a = annotated("1", updated="2026-01-01")
    b = annotated("2", updated="2026-02-01", claims=claims)
    result = adjudicate([a, b])
    assert (result.step, result.record["annotation"]["id"]) == ("latest", "2")
    kinds = [c.kind for c in result.conflicts]
    assert kinds[-1] == "invalid-merge"
    assert "[E130]" in result.conflicts[-1].detail
    only_majority = adjudicate([a, b], policy=("majority",))
    assert (only_majority.step, only_majority.record) == (None, None)
    assert only_majority.conflicts[-1].kind == "undecided"


def test_a_single_annotation_is_gold_whatever_the_policy():
    result = adjudicate([annotated("1")], policy=("majority",))
    assert (result.step, result.record["annotation"]["id"]) == ("only", "1")


def test_nothing_decides_and_nothing_is_invented():
    result = adjudicate([annotated("1"), annotated("2")], policy=("ground_truth",))
    assert (result.step, result.record) == (None, None)
    assert result.conflicts[0].detail == "no step of the policy ground_truth decided"


def test_several_ground_truths_are_a_conflict():
    a, b = annotated("1", updated="2026-01-01"), annotated("2", updated="2026-02-01")
    a["annotation"]["ground_truth"] = b["annotation"]["ground_truth"] = True
    result = adjudicate([a, b])
    assert result.record["annotation"]["id"] == "2"
    assert result.conflicts[0].kind == "several-ground-truth"


def test_provenance_row_is_plain_data():
    result = adjudicate(
        [annotated("1"), annotated("2"), annotated("3", **entity_label(MINIMAL, "ORG"))]
    )
    row = provenance_row(result)
    assert row["policy_step"] == "majority"
    assert row["sources"][0] == {"item": "e1", "annotations": ["1", "2", "3"]}
    assert row["conflicts"][0]["annotations"] == ["3"]
    json.dumps(row)


def test_one_vote_per_annotator_and_unnamed_annotations_count_as_one():
    # The same person twice, then a record naming nobody twice: no majority to take.
    first = annotated("1", updated="2026-01-01", **entity_label(MINIMAL, "ORG"))
    again = annotated("2", updated="2026-02-01")
    again["annotation"]["annotator"] = first["annotation"]["annotator"]
    result = adjudicate([first, again])
    assert (result.step, result.record["annotation"]["id"]) == ("latest", "2")
    unnamed = [annotated("3"), annotated("4", **entity_label(MINIMAL, "ORG"))]
    for record in unnamed:
        del record["annotation"]["annotator"]
    result = adjudicate(unnamed)
    assert (result.step, result.record["annotation"]["id"]) == ("latest", "4")
    assert result.conflicts == ()
