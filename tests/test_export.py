"""export: a dataset folder that load_dataset opens offline, with typed features and a card."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasets import ClassLabel, List, load_dataset

from annotate_kit.cli import main
from annotate_kit.errors import ExportError
from annotate_kit.export import export_dataset, split_of
from annotate_kit.records import new_record

DATA = Path(__file__).parent / "data"
MINIMAL = DATA / "valid" / "minimal-record.jsonl"


def corpus(tmp_path: Path, documents: int) -> Path:
    """Many documents shaped like the minimal record, each with its own text."""
    base = json.loads(MINIMAL.read_text())
    path = tmp_path / "corpus.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            record = copy.deepcopy(base)
            record["text"] = base["text"] + f" ({number})"
            fresh = new_record(text=record["text"], lang="fr")
            record["doc_id"], record["text_sha256"] = fresh["doc_id"], fresh["text_sha256"]
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_load_dataset_restores_spans_and_class_labels(tmp_path: Path):
    out = tmp_path / "ds"
    summary = export_dataset([MINIMAL], out=out)
    assert (summary.records, summary.exported) == (1, 1)
    ds = load_dataset(str(out))
    row = ds["train"][0]
    source = json.loads(MINIMAL.read_text())
    entities = ds["train"].features["entities"]
    assert isinstance(entities, List)
    assert isinstance(entities.feature["label"], ClassLabel)
    names = entities.feature["label"].names
    assert [(e["start"], e["end"], e["text"], names[e["label"]]) for e in row["entities"]] == [
        (e["start"], e["end"], e["text"], e["label"]) for e in source["entities"]
    ]
    factuality = ds["train"].features["claims"].feature["factuality"]
    assert [factuality.int2str(c["factuality"]) for c in row["claims"]] == ["CT+", "PS+"]
    assert all(row["text"][s["start"] : s["end"]] == s["text"] for s in row["cues"])


def test_splits_are_by_document_and_deterministic(tmp_path: Path):
    path = corpus(tmp_path, 60)
    first = export_dataset([path], out=tmp_path / "a")
    second = export_dataset([path], out=tmp_path / "b")
    assert first.split_rows == second.split_rows
    assert sum(first.split_rows.values()) == 60
    assert set(first.split_rows) == {"train", "validation", "test"}
    ds = load_dataset(str(tmp_path / "a"))
    for split in ds:
        assert all(split_of(doc_id) == split for doc_id in ds[split]["doc_id"])


def test_tiny_corpus_goes_to_train_with_a_warning(tmp_path: Path):
    summary = export_dataset([corpus(tmp_path, 3)], out=tmp_path / "ds")
    assert summary.split_rows == {"train": 3}
    assert "only 3 documents" in summary.warnings[0]


def test_invalid_input_is_refused_unless_skipped_and_counts_reconcile(tmp_path: Path):
    inputs = [
        MINIMAL,
        DATA / "invalid" / "E111-span-text-mismatch.jsonl",
        DATA / "valid" / "labelstudio-export.json",
    ]
    with pytest.raises(ExportError, match="1 of 5 records are invalid; nothing was written"):
        export_dataset(inputs, out=tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
    summary = export_dataset(inputs, out=tmp_path / "ds", skip_invalid=True)
    # The minimal record and the export's annotations share a document: one gold row.
    assert (summary.records, summary.invalid, summary.cancelled) == (5, 1, 1)
    assert (
        summary.exported + summary.superseded + summary.cancelled + summary.invalid
        == summary.records
    )
    assert summary.exported == 1


def test_ground_truth_annotation_is_gold(tmp_path: Path):
    export_dataset([DATA / "valid" / "labelstudio-export.json"], out=tmp_path / "ds")
    (row,) = load_dataset(str(tmp_path / "ds"))["train"]
    assert (row["annotation"]["id"], row["annotation"]["ground_truth"]) == ("6", True)


def test_card_documents_fields_labels_counts_and_offsets(tmp_path: Path):
    export_dataset([MINIMAL], out=tmp_path / "ds")
    card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
    assert "configs:" in card
    assert "dataset_info:" in card
    assert "| `claims[].factuality` | ClassLabel (factuality) |" in card
    assert "| `DISTANCING_QUOTE` | Distancing quotation |" in card
    assert "Unicode code points" in card
    assert "| ATTRIBUTION | 1 |" in card


def test_existing_folder_needs_overwrite(tmp_path: Path):
    out = tmp_path / "ds"
    export_dataset([MINIMAL], out=out)
    result = CliRunner().invoke(main, ["export", str(MINIMAL), "-o", str(out)])
    assert result.exit_code == 1
    assert "pass --overwrite" in result.output
    result = CliRunner().invoke(main, ["export", str(MINIMAL), "-o", str(out), "--overwrite"])
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "1 records: 1 exported (train 1), 0 superseded, 0 cancelled, 0 invalid"
    )
    assert result.stderr.startswith("warning: only 1 documents")


def test_bad_split_ratios():
    result = CliRunner().invoke(main, ["export", str(MINIMAL), "-o", "x", "--split", "0.5,0.6,0.1"])
    assert result.exit_code == 1
    assert "split ratios must be three non-negative numbers summing to 1" in result.output


def test_reexport_to_the_same_folder_is_not_served_from_a_stale_cache(tmp_path: Path):
    out = tmp_path / "ds"
    export_dataset([MINIMAL], out=out)
    assert load_dataset(str(out))["train"][0]["annotation"]["id"] == "a1"
    export_dataset([DATA / "valid" / "labelstudio-export.json"], out=out, overwrite=True)
    assert load_dataset(str(out))["train"][0]["annotation"]["id"] == "6"
