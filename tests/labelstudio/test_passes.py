"""Two passes against a real Label Studio: entities and cues first, then claims from their gold."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

pytestmark = pytest.mark.labelstudio
SEEDS = Path(__file__).parents[2] / "seeds"
SEED = SEEDS / "kremlin-emissaires-americains.fr.txt"
GOLD = SEEDS / "kremlin-emissaires-americains.fr.gold.jsonl"


def test_claims_pass_starts_from_the_first_pass_gold(ls_env, ls_project, label_studio, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    tasks = tmp_path / "tasks.json"
    runner = CliRunner()
    assert runner.invoke(main, ["convert", str(docs), "-o", str(tasks)]).exit_code == 0
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    first_pass = {**gold, "claims": [], "relations": []}  # what the first pass gave back
    records = tmp_path / "pass1.jsonl"
    records.write_text(json.dumps(first_pass) + "\n", encoding="utf-8")

    argv = ["push", str(tasks), "--project", ls_project, "--pass", "claims"]
    pushed = runner.invoke(main, [*argv, "--predictions-from", str(records)])
    # the server validates predictions against the pass's config (feature flag on): all kept
    assert pushed.exit_code == 0, pushed.output
    assert "1 task: 1 created, 0 already there, 0 failed" in pushed.output
    client = label_studio.client()
    project = next(p for p in client.projects.list(title=ls_project) if p.title == ls_project)
    (task,) = client.tasks.list(project=project.id, fields="all")
    (prediction,) = task.predictions
    regions = {r["id"] for r in prediction.result if r["type"] == "labels"}
    assert regions == {s["id"] for s in gold["entities"] + gold["cues"]}
    assert prediction.model_version.startswith("gold of pass entities,cues")

    missing = tmp_path / "empty.jsonl"
    missing.write_text("", encoding="utf-8")
    no_gold = runner.invoke(main, [*argv, "--predictions-from", str(missing)])
    assert no_gold.exit_code != 0
    assert "1 task has no annotation in" in no_gold.output
