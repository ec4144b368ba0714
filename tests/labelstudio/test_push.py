"""push against a real Label Studio: project from the schema, idempotent imports, refusals."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.errors import ConfigConflictError
from annotate_kit.labelstudio.bulk import list_doc_ids
from annotate_kit.labelstudio.client import connect
from annotate_kit.labelstudio.config import labelstudio_config
from annotate_kit.labelstudio.project import find_project, push

pytestmark = pytest.mark.labelstudio


def make_tasks(count: int, prefix: str = "doc") -> list[dict]:
    return [
        {"data": {"text": f"Le maire de Nantes, {i}.", "doc_id": f"{prefix}-{i:05d}", "lang": "fr"}}
        for i in range(count)
    ]


def write_tasks(path: Path, tasks: list[dict]) -> Path:
    path.write_text(
        "".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks), encoding="utf-8"
    )
    return path


def doc_id_counts(project: str) -> Counter:
    with connect() as conn:
        found = find_project(conn, project)
        return Counter({doc: len(copies) for doc, copies in list_doc_ids(conn, found.id).items()})


def test_push_creates_project_then_imports_only_what_is_missing(ls_env, ls_project, tmp_path):
    tasks = write_tasks(tmp_path / "tasks.jsonl", make_tasks(120))
    runner = CliRunner()
    first = runner.invoke(main, ["push", str(tasks), "--project", ls_project, "--batch-size", "50"])
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert lines[0].startswith(f"project {ls_project!r} (id ")
    assert lines[0].endswith(": created")
    assert lines[1] == "120 tasks: 120 created, 0 already there, 0 failed"

    more = write_tasks(tmp_path / "more.jsonl", make_tasks(150))
    second = runner.invoke(main, ["push", str(more), "--project", ls_project])
    assert second.exit_code == 0, second.output
    assert second.output.splitlines()[0].endswith(": unchanged")
    assert second.output.splitlines()[1] == "150 tasks: 30 created, 120 already there, 0 failed"
    assert set(doc_id_counts(ls_project).values()) == {1}
    assert sum(doc_id_counts(ls_project).values()) == 150

    with connect() as conn:
        project = find_project(conn, ls_project)
    assert project.label_config.strip() == labelstudio_config().strip()
    assert "Annotation guidelines" in project.expert_instruction  # seeds/GUIDELINES.md


def test_dry_run_changes_nothing(ls_env, ls_project, tmp_path):
    tasks = write_tasks(tmp_path / "tasks.jsonl", make_tasks(5))
    result = CliRunner().invoke(main, ["push", str(tasks), "--project", ls_project, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Dry run: project {ls_project!r}: would be created",
        "5 tasks: 5 would be created, 0 already there, 0 failed",
    ]
    with connect() as conn:
        assert find_project(conn, ls_project) is None


def test_repeated_doc_ids_in_the_input_are_sent_once(ls_env, ls_project):
    tasks = make_tasks(3) + make_tasks(2)
    summary = push(tasks, project=ls_project, progress=False)
    assert (summary.created, summary.duplicates_in_input) == (3, 2)


def test_config_change_that_orphans_used_labels_is_refused(ls_env, ls_project, label_studio):
    summary = push(make_tasks(1), project=ls_project, progress=False)
    client = label_studio.client()
    task = next(iter(client.tasks.list(project=summary.project_id, fields="task_only")))
    region = {"start": 0, "end": 2, "text": "Le", "labels": ["LOC"]}
    result = [
        {"id": "r1", "from_name": "entities", "to_name": "text", "type": "labels", "value": region}
    ]
    client.annotations.create(id=task.id, result=result)
    shrunk = labelstudio_config().replace('<Label value="LOC"', '<Label value="PLACE"')
    with pytest.raises(ConfigConflictError) as caught:
        push(make_tasks(1), project=ls_project, progress=False, label_config=shrunk)
    assert "These labels still exist in annotations or drafts: LOC (1 annotation)" in str(
        caught.value
    )
    assert str(caught.value).startswith(f"[E420] project {ls_project!r} (id {summary.project_id})")
    project = client.projects.get(id=summary.project_id)
    assert 'value="LOC"' in project.label_config  # nothing was changed


def test_a_task_the_server_refuses_is_reported_and_the_rest_imported(ls_env, ls_project):
    tasks = make_tasks(9)
    bad_region = {"start": 0, "end": 2, "text": "Le", "labels": ["NOT-A-LABEL"]}
    bad = {"from_name": "entities", "to_name": "text", "type": "labels", "value": bad_region}
    tasks[4]["predictions"] = [{"model_version": "x", "result": [bad]}]
    summary = push(tasks, project=ls_project, progress=False, batch_size=100)
    assert summary.created == 8
    assert [doc for doc, _ in summary.failed] == ["doc-00004"]
    assert "NOT-A-LABEL" in summary.failed[0][1]
    assert set(doc_id_counts(ls_project)) == {t["data"]["doc_id"] for t in tasks} - {"doc-00004"}


def test_push_cli_exit_code_1_when_tasks_fail(ls_env, ls_project, tmp_path):
    tasks = make_tasks(2)
    tasks[0]["predictions"] = [
        {
            "model_version": "x",
            "result": [
                {
                    "from_name": "nope",
                    "to_name": "text",
                    "type": "labels",
                    "value": {"start": 0, "end": 1, "labels": ["LOC"]},
                }
            ],
        }
    ]
    path = write_tasks(tmp_path / "t.jsonl", tasks)
    result = CliRunner().invoke(main, ["push", str(path), "--project", ls_project])
    assert result.exit_code == 1
    assert "2 tasks: 1 created, 0 already there, 1 failed" in result.output
    assert "failed: doc-00000: " in result.output
