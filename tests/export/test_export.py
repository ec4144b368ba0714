"""export: a dataset folder that load_dataset opens offline, with typed features and a card."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasets import ClassLabel, List, load_dataset

from annotate_kit.cli.main import main
from annotate_kit.errors import ExportError
from annotate_kit.export.dataset import export_dataset, pseudonym, split_of
from annotate_kit.scheme.records import new_record

DATA = Path(__file__).parents[1] / "data"
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
        "1 record: 1 exported (train 1), 0 superseded, 0 cancelled, 0 invalid"
    )
    assert result.stderr.startswith("warning: only 1 document")


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


# --- three configs, adjudication, agreement in the card -------------------------------------


def annotated_by(tmp_path: Path, names: tuple[str, ...], *, disagree_on: str | None = None) -> Path:
    """The minimal record annotated by each of `names`; `disagree_on` relabels Genève."""
    base = json.loads(MINIMAL.read_text())
    path = tmp_path / "team.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number, name in enumerate(names):
            record = copy.deepcopy(base)
            record["annotation"].update(id=f"t{number}", annotator=name)
            if name == disagree_on:
                record["entities"][1]["label"] = "ORG"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_three_configs_open_offline_with_gold_provenance(tmp_path: Path):
    path = annotated_by(tmp_path, ("alice", "bob", "chloe"), disagree_on="chloe")
    summary = export_dataset([path], out=tmp_path / "ds")
    assert summary.config_rows == {
        "default": {"train": 1},
        "annotations": {"train": 3},
        "bio": {"train": 1},
    }
    assert (summary.records, summary.exported, summary.superseded) == (3, 1, 2)
    assert summary.gold_steps == {"majority": 1}
    (gold,) = load_dataset(str(tmp_path / "ds"), "default")["train"]
    assert gold["annotation"]["annotator"] is None
    assert gold["gold"]["policy_step"] == "majority"
    assert gold["gold"]["candidates"] == ["t0", "t1", "t2"]
    assert {"item": "e2", "annotations": ["t0", "t1"]} in gold["gold"]["sources"]
    (conflict,) = gold["gold"]["conflicts"]
    assert (conflict["kind"], conflict["text"], conflict["label"]) == (
        "minority-span",
        "Genève",
        "ORG",
    )
    bio = load_dataset(str(tmp_path / "ds"), "bio")["train"]
    tags = bio.features["ner_tags"].feature
    assert [tags.int2str(t) for t in bio[0]["ner_tags"]][:3] == ["O", "O", "B-ORG"]
    assert bio[0]["tokens"][:3] == ["Selon", "le", "Kremlin"]


def test_annotator_ids_are_pseudonymised_unless_kept(tmp_path: Path):
    path = annotated_by(tmp_path, ("alice", "bob"))
    export_dataset([path], out=tmp_path / "hidden")
    rows = load_dataset(str(tmp_path / "hidden"), "annotations")["train"]
    names = [row["annotation"]["annotator"] for row in rows]
    assert names == [pseudonym("alice"), pseudonym("bob")]
    assert names[0].startswith("annotator-")
    assert names[0] != names[1]
    card = (tmp_path / "hidden" / "README.md").read_text(encoding="utf-8")
    assert "alice" not in card
    assert f"| {pseudonym('alice')} × {pseudonym('bob')} | 1 |" in card
    export_dataset([path], out=tmp_path / "named", keep_annotator_ids=True)
    rows = load_dataset(str(tmp_path / "named"), "annotations")["train"]
    assert [row["annotation"]["annotator"] for row in rows] == ["alice", "bob"]


def test_card_shows_agreement_chart_policy_and_token_losses(tmp_path: Path):
    path = annotated_by(tmp_path, ("alice", "bob", "chloe"), disagree_on="chloe")
    export_dataset([path], out=tmp_path / "ds", license_id="cc-by-4.0")
    folder = tmp_path / "ds"
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert "license: cc-by-4.0" in card
    assert "language:\n- fr" in card
    assert "config_name: bio" in card
    assert (
        "3 annotators; 1 of 1 document annotated by two or more (3 annotations compared)." in card
    )
    # Entities over 3 pairs: 2 spans each side, Genève LOC/ORG differs in 2 pairs: 8 of 12 match.
    assert "| entities | **all** | 12 | 0.667 | 0.667 |" in card
    assert "| entities | LOC | 4 | 0.500 | 0.500 |" in card
    assert "| claims | factuality | 2 | 1.000 | 1.000 | 1.000 |" in card
    assert "![Gold spans per label and agreement per label](agreement.png)" in card
    assert (folder / "agreement.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "1. `ground_truth`: an annotation marked ground truth" in card
    assert "Documents by the step that decided: `majority` 1." in card
    assert "Conflicts listed for a human (minority-span 1)" in card
    assert "| entities | `ner_tags` | 2 | 2 | 0 | 0 | 0 | 0 |" in card
    assert "Not in the token view at all: 4 relations" in card
    assert "| `HEDGE` | Hedge or approximator |" in card


def test_a_policy_that_decides_nothing_writes_nothing(tmp_path: Path):
    path = annotated_by(tmp_path, ("alice", "bob"))
    with pytest.raises(ExportError, match="chose no gold for any document"):
        export_dataset([path], out=tmp_path / "ds", gold_policy=("ground_truth",))
    assert not (tmp_path / "ds").exists()
    summary = export_dataset([path], out=tmp_path / "ds", gold_policy=("reviewed", "latest"))
    assert summary.gold_steps == {"latest": 1}


def test_export_collects_garbage_less_often_and_restores_the_collector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import gc

    import annotate_kit.export.dataset as export_module
    from annotate_kit.export.gctune import THRESHOLD

    seen = []
    real = export_module.adjudicate

    def adjudicate(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(export_module, "adjudicate", adjudicate)
    before = gc.get_threshold()
    export_dataset([MINIMAL], out=tmp_path / "ds")
    assert seen == [max(THRESHOLD, before[0])]
    assert gc.get_threshold() == before


def test_gold_taken_from_a_prediction_is_flagged(tmp_path: Path):
    record = json.loads(MINIMAL.read_text())
    record["annotation"] = {**(record.get("annotation") or {}), "origin": "prediction"}
    path = tmp_path / "predicted.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    summary = export_dataset([path], out=tmp_path / "ds")
    (warning,) = [w for w in summary.warnings if "pre-annotation" in w]
    assert warning.startswith("1 document has a model's pre-annotation as their gold")
    assert "Note: 1 document has a model's" in (tmp_path / "ds" / "README.md").read_text()
    manual = export_dataset([MINIMAL], out=tmp_path / "manual")
    assert not [w for w in manual.warnings if "pre-annotation" in w]


def test_a_second_process_for_the_token_view_writes_the_same_dataset(tmp_path: Path):
    path = corpus(tmp_path, 150)  # several batches of the helper
    one = export_dataset([path], out=tmp_path / "one")
    two = export_dataset([path], out=tmp_path / "two", workers=2)
    assert two.fingerprint == one.fingerprint  # a hash of every shard's bytes
    assert (two.config_rows, two.bio_losses) == (one.config_rows, one.bio_losses)
    assert sorted(p.name for p in (tmp_path / "two" / "data" / "bio").iterdir()) == sorted(
        p.name for p in (tmp_path / "one" / "data" / "bio").iterdir()
    )


def test_a_token_view_process_that_dies_fails_the_export_cleanly(tmp_path: Path):
    import os
    import signal

    from annotate_kit.export.bio import bio_features
    from annotate_kit.export.token_process import TokenViewProcess

    record = json.loads(MINIMAL.read_text())
    helper = TokenViewProcess(shard_rows=100)

    def feed() -> None:
        for _ in range(10_000):  # until the sender finds the pipe broken
            helper.add("train", record, chars=100)
        helper.finish()

    try:
        helper.start(tmp_path, bio_features().arrow_schema)
        os.kill(helper._process.pid, signal.SIGKILL)
        helper._process.join()
        with pytest.raises(ExportError, match=r"token view's process failed \(exit code -9\)"):
            feed()
    finally:
        helper.close()


def test_invalid_input_stops_the_token_view_process_too(tmp_path: Path):
    import multiprocessing

    bad = DATA / "invalid" / "E111-span-text-mismatch.jsonl"
    with pytest.raises(ExportError, match="1 of 1 records are invalid; nothing was written"):
        export_dataset([bad], out=tmp_path / "ds", workers=2)
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "ds").exists()


def test_export_cli_takes_workers(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", str(MINIMAL), "-o", str(tmp_path / "ds"), "--workers", "2"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ds" / "data" / "bio").is_dir()
    wrong = runner.invoke(
        main, ["export", str(MINIMAL), "-o", str(tmp_path / "x"), "--workers", "0"]
    )
    assert wrong.exit_code == 2
    assert "'0' is neither a number of processes (1 or more) nor 'auto'" in wrong.output


def test_workers_skip_the_same_invalid_records(tmp_path: Path):
    inputs = [corpus(tmp_path, 40), *sorted((DATA / "invalid").glob("E1[1-3]*.jsonl"))]
    one = export_dataset(inputs, out=tmp_path / "one", skip_invalid=True)
    two = export_dataset(inputs, out=tmp_path / "two", skip_invalid=True, workers=2)
    assert one.invalid > 0
    assert (two.records, two.invalid, two.exported, two.fingerprint) == (
        one.records,
        one.invalid,
        one.exported,
        one.fingerprint,
    )
    assert two.report.problems == one.report.problems


@pytest.mark.parametrize("workers", ["1", "2"])
def test_progress_bars_cover_both_passes_on_stderr(tmp_path: Path, workers: str):
    source = corpus(tmp_path, 12)
    args = ["export", str(source), "-o", str(tmp_path / "ds"), "--progress", "--workers", workers]
    args += ["--license", "cc-by-4.0"]  # no licence warning after the bars
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    bars = result.stderr.replace("\r", "\n")
    assert "validate: 12record " in bars
    assert "export: 100%" in bars.strip().splitlines()[-1]
    assert "| 12/12 " in bars.strip().splitlines()[-1]
    assert "export: 100%" not in result.stdout
