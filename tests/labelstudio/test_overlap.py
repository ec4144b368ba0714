"""push --overlap: a sample chosen from doc_id, written into the data, obeyed by Label Studio."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.errors import InputError
from annotate_kit.labelstudio.overlap import Overlap, in_sample, mark_tasks
from annotate_kit.scheme.records import doc_id_for, text_sha256


def task_for(text: str) -> dict:
    data = {"text": text, "doc_id": doc_id_for(text), "lang": "fr"}
    return {"data": {**data, "text_sha256": text_sha256(text), "schema_version": "1.0.0"}}


def test_the_sample_depends_on_the_doc_id_alone_and_has_the_share():
    ids = [f"doc-{n}" for n in range(4000)]
    chosen = [doc_id for doc_id in ids if in_sample(doc_id, 0.2)]
    assert chosen == [doc_id for doc_id in ids if in_sample(doc_id, 0.2)]
    assert 0.18 < len(chosen) / len(ids) < 0.22
    assert all(in_sample(doc_id, 1.0) for doc_id in ids)
    assert set(chosen) <= {doc_id for doc_id in ids if in_sample(doc_id, 0.5)}  # nested


def test_marked_tasks_carry_the_choice_and_the_input_is_left_alone():
    task = task_for("Une phrase.")
    (marked,) = mark_tasks([task], Overlap(2, 1.0))
    assert marked["data"]["overlap"] is True
    assert "overlap" not in task["data"]
    assert next(mark_tasks([task], None)) is task


def test_an_impossible_overlap_is_refused():
    with pytest.raises(InputError, match=r"--overlap-share 1\.5"):
        Overlap(2, 1.5)


@pytest.mark.labelstudio
def test_push_sets_the_overlap_and_asks_before_changing_a_busy_project(
    ls_env, ls_project, label_studio, tmp_path
):
    tasks = [task_for(f"Document numéro {n}.") for n in range(12)]
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks), encoding="utf-8")
    runner = CliRunner()
    args = ["push", str(path), "--project", ls_project, "--no-progress"]
    result = runner.invoke(main, [*args, "--overlap", "2", "--overlap-share", "0.4"])
    assert result.exit_code == 0, result.output
    wanted = {t["data"]["doc_id"]: in_sample(t["data"]["doc_id"], 0.4) for t in tasks}
    sample = sum(wanted.values())
    assert 0 < sample < 12
    assert f"{sample} of 12 tasks in the overlap sample" in result.output

    admin = label_studio.client()
    (project,) = [p for p in admin.projects.list(title=ls_project) if p.title == ls_project]
    project = admin.projects.get(id=project.id)
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (2, 40)
    listed = list(admin.tasks.list(project=project.id, fields="all"))
    assert {t.data["doc_id"]: t.data["overlap"] for t in listed} == wanted
    assert {t.data["doc_id"]: t.overlap for t in listed} == {
        doc_id: 2 if chosen else 1 for doc_id, chosen in wanted.items()
    }

    # One annotation: now a change of the overlap is explained and refused without the flag.
    admin.annotations.create(id=listed[0].id, result=[])
    refused = runner.invoke(main, [*args, "--overlap", "3", "--overlap-share", "0.4"])
    assert refused.exit_code == 3
    assert "[E421]" in refused.output
    assert "maximum_annotations 2 -> 3" in refused.output
    assert "1 tasks already have annotations" in refused.output
    assert admin.projects.get(id=project.id).maximum_annotations == 2
    again = runner.invoke(
        main, [*args, "--overlap", "3", "--overlap-share", "0.4", "--confirm-overlap"]
    )
    assert again.exit_code == 0, again.output
    listed = list(admin.tasks.list(project=project.id, fields="all"))
    assert {t.data["doc_id"]: t.overlap for t in listed} == {
        doc_id: 3 if chosen else 1 for doc_id, chosen in wanted.items()
    }
