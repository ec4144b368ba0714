"""review: exported gold back to Label Studio tasks with predictions, and back again."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.errors import InputError
from annotate_kit.export.dataset import export_dataset
from annotate_kit.io.inputs import iter_items
from annotate_kit.labelstudio.review import dataset_records, push_review, review_tasks
from annotate_kit.scheme.tasks import task_to_record
from annotate_kit.validate.checks import check_record

DATA = Path(__file__).parents[1] / "data"
MINIMAL = json.loads((DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8"))
LAYERS = ("entities", "claims", "cues")


def team_dataset(tmp_path: Path) -> Path:
    """Three annotators, one of whom calls Genève an ORG: the majority gold keeps LOC."""
    path = tmp_path / "team.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number, name in enumerate(("alice", "bob", "chloe")):
            record = copy.deepcopy(MINIMAL)
            record["annotation"].update(id=f"t{number}", annotator=name)
            if name == "chloe":
                record["entities"][1]["label"] = "ORG"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    export_dataset([path], out=tmp_path / "ds")
    return tmp_path / "ds"


def plain(record: dict) -> dict:
    """Spans without ids (ids are renumbered on the way) and relations by their ends."""
    spans = {
        layer: [{k: v for k, v in s.items() if k != "id"} for s in record[layer]]
        for layer in LAYERS
    }
    where = {s["id"]: (layer, s["start"], s["end"]) for layer in LAYERS for s in record[layer]}
    spans["relations"] = sorted(
        (r["type"], where[r["head"]], where[r["tail"]]) for r in record["relations"]
    )
    return spans


def test_dataset_gold_becomes_predicted_tasks_and_comes_back_unchanged(tmp_path: Path):
    (gold,) = dataset_records(team_dataset(tmp_path))
    assert "gold" not in gold
    assert check_record(gold) == []
    assert gold["annotation"]["origin"] == "adjudicated"
    assert plain(gold) == plain(MINIMAL)
    (task,) = review_tasks([gold], model_version="annotate-kit gold: ds")
    assert task["data"]["doc_id"] == MINIMAL["doc_id"]
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "annotate-kit gold: ds"
    back, problems = task_to_record(task, prediction, path="$", origin="prediction")
    assert problems == []
    assert check_record(back) == []
    assert plain(back) == plain(gold)


def test_a_folder_without_the_config_is_refused(tmp_path: Path):
    with pytest.raises(InputError, match="no Parquet files for the 'default' config"):
        list(dataset_records(tmp_path))


@pytest.mark.labelstudio
def test_review_pass_through_a_real_label_studio(ls_env, ls_project, label_studio, tmp_path):
    folder = team_dataset(tmp_path)
    summary = push_review(folder, project=ls_project, progress=False)
    assert (summary.tasks, summary.created) == (1, 1)
    admin = label_studio.client()
    project = next(p for p in admin.projects.list(title=ls_project) if p.title == ls_project)
    (task,) = admin.tasks.list(project=project.id, fields="task_only")
    (prediction,) = admin.predictions.list(task=task.id)
    assert prediction.model_version == "annotate-kit gold: ds"
    # The reviewer accepts the prediction as it is and marks it ground truth.
    admin.annotations.create(id=task.id, result=prediction.result, ground_truth=True)
    records = tmp_path / "reviewed.jsonl"
    pulled = CliRunner().invoke(main, ["pull", "--project", ls_project, "-o", str(records)])
    assert pulled.exit_code == 0, pulled.output
    (item,) = iter_items([records])
    assert item.record["annotation"]["ground_truth"] is True
    reviewed = export_dataset([records, tmp_path / "team.jsonl"], out=tmp_path / "again")
    assert reviewed.gold_steps == {"ground_truth": 1}
    (gold,) = dataset_records(tmp_path / "again")
    assert plain(gold) == plain(MINIMAL)
