"""The demo: the whole loop on the seed, through a real Label Studio, with counts that reconcile."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit import demo
from annotate_kit.cli.main import main
from annotate_kit.labelstudio.credentials import Credentials

ROOT = Path(__file__).parents[1]
GOLD = ROOT / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"


def _counts(steps: list[demo.Step]) -> dict[str, int | None]:
    return {step.name: step.count for step in steps if step.count is not None}


@pytest.mark.labelstudio
def test_demo_through_label_studio_reconciles(label_studio, ls_project, tmp_path):
    credentials = Credentials(label_studio.url, label_studio.token, source="test")
    steps = list(
        demo.run_demo(
            out_dir=tmp_path, preannotate=False, credentials=credentials, project=ls_project
        )
    )
    names = list(dict.fromkeys(step.name for step in steps))  # export adds notes
    assert names == ["convert", "push", "annotate", "pull", "validate", "export", "load_dataset"]
    counts = _counts(steps)
    assert set(counts.values()) == {1}, steps  # 1 task, 1 annotation, 1 record, 1 row
    annotate = next(step for step in steps if step.name == "annotate")
    assert "stands in for a person" in annotate.text
    assert label_studio.admin.username in annotate.text
    pulled = json.loads((tmp_path / demo.ANNOTATIONS_NAME).read_text(encoding="utf-8"))
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    assert pulled["annotation"]["origin"] == "manual"
    assert pulled["annotation"]["annotator"] is not None
    for layer in ("entities", "claims", "cues"):
        assert pulled[layer] == gold[layer]
    assert len(pulled["relations"]) == len(gold["relations"])


@pytest.mark.labelstudio
def test_demo_starts_and_stops_its_own_server_from_a_cached_template(
    label_studio, tmp_path, monkeypatch
):
    """Without credentials the demo copies its pre-migrated template (the fixture's here, so
    no migration is run) and removes the copy when done."""
    cache = tmp_path / "cache"
    (cache / "annotate-kit").mkdir(parents=True)
    shutil.copytree(label_studio.template, cache / "annotate-kit" / demo.TEMPLATE_NAME)
    login = label_studio.admin
    (cache / "annotate-kit" / f"{demo.TEMPLATE_NAME}.login.json").write_text(
        json.dumps({"username": login.username, "password": login.password, "token": login.token})
    )
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(demo.tempfile, "tempdir", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--no-preannotate", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert "label studio: stopped; its temporary data is removed" in result.output
    assert not list(tmp_path.glob("annotate-kit-demo-*"))
    assert "export: 1 document -> out/seed" in result.output
    assert "load_dataset: out/seed: train 1 row" in result.output
    tail = result.output.rstrip().splitlines()[-4:]
    assert tail[0] == "Next, type:"
    assert tail[2].strip().startswith("annotate-kit studio")
    assert (
        tail[3].strip() == "python -c 'import datasets; print(datasets.load_dataset(\"out/seed\"))'"
    )


def test_demo_offline_from_any_folder(tmp_path, monkeypatch):
    """The seed ships with the package: no seeds/ where the user stands."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["demo", "--offline", "-o", "out"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "convert: 1 Label Studio task (1 pre-annotated) -> out/seed-tasks.json"
    assert lines[2] == "validate: 1 record: 1 valid, 0 invalid"
    assert "export: 1 document -> out/seed" in lines
    assert "load_dataset: out/seed: train 1 row" in lines
    from datasets import load_dataset

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    row = load_dataset(str(tmp_path / "out" / "seed"))["train"][0]
    assert (row["doc_id"], row["text"]) == (gold["doc_id"], gold["text"])
    assert len(row["cues"]) == len(gold["cues"])


def test_demo_names_a_missing_seeds_folder(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--offline", "--seeds", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "nope: no such folder" in result.output
