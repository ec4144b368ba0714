"""Training data from an export folder (labels decoded) and from records (export's splits)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotate_kit.errors import TrainingError
from annotate_kit.export.dataset import export_dataset, split_of
from annotate_kit.training.data import fingerprint, load_training_data, record_docs
from training.tiny import tiny_records, with_claims


def test_an_export_folder_gives_its_splits_with_label_names(tmp_path: Path):
    records = with_claims(tiny_records(40))
    source = tmp_path / "gold.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    export_dataset([source], out=tmp_path / "export")
    data = load_training_data(tmp_path / "export")
    expected: dict[str, set[str]] = {}
    for record in records:
        expected.setdefault(split_of(record["doc_id"]), set()).add(record["doc_id"])
    assert {k: {r["doc_id"] for r in v} for k, v in data.splits.items()} == expected
    by_id = {r["doc_id"]: r for r in records}
    for record in data.split("train"):
        assert record["cues"][0]["label"] == by_id[record["doc_id"]]["cues"][0]["label"]
        assert record["relations"][0]["type"] == "SCOPES_OVER"
    assert data.lang == "en"


def test_records_files_are_split_as_export_splits_them(tmp_path: Path):
    records = tiny_records(40)
    source = tmp_path / "gold.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    data = load_training_data(source)
    for split, found in data.splits.items():
        assert all(split_of(r["doc_id"]) == split for r in found)
    assert sum(map(len, data.splits.values())) == 40


def test_an_invalid_offset_stops_training(tmp_path: Path):
    records = tiny_records(40)
    records[0]["cues"][0]["end"] += 1
    source = tmp_path / "gold.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    with pytest.raises(TrainingError, match=r"gold\.jsonl:1: invalid record"):
        load_training_data(source)


def test_docs_are_segments_with_gold_spans_and_the_fingerprint_follows_the_gold():
    import spacy

    records = tiny_records(2)
    docs = record_docs(spacy.blank("en"), records, ["cues"])
    assert [d.text for d in docs] == [
        "The results may change next year.",
        "Document 0. The town lies on the river.",
        "Prices might rise in the spring.",
        "Document 1. The school opened in the autumn.",
    ]
    assert [[(s.text, s.label_) for s in d.spans["cues"]] for d in docs] == [
        [("may", "EPISTEMIC")],
        [],
        [("might", "EPISTEMIC")],
        [],
    ]
    before = fingerprint({"train": records}, ["cues"])
    records[1]["cues"][0]["label"] = "HEDGE"
    assert fingerprint({"train": records}, ["cues"]) != before
