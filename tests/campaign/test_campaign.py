"""A campaign against a real Label Studio: overlap, status, suggestions kept, the review round."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.agreement.compare import compare_files
from annotate_kit.cli.main import main
from annotate_kit.export.dataset import export_dataset, pseudonym
from annotate_kit.io.inputs import iter_items
from annotate_kit.labelstudio.review import dataset_records
from annotate_kit.labelstudio.syncfiles import REVIEW_KEY
from annotate_kit.scheme.records import doc_id_for, text_sha256

pytestmark = pytest.mark.labelstudio

T1 = "Le Monde rapporte que Paris et Lyon ont voté hier."
T2 = "Bruxelles a répondu à Berlin."
T3 = "Rome attend."
T4 = "Rien à signaler."


def entity(text: str, surface: str, label: str, region: str, *, extra: int = 0) -> dict:
    start = text.index(surface)
    end = start + len(surface) + extra
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {
        "id": region,
        "from_name": "entities",
        "to_name": "text",
        "type": "labels",
        "value": value,
    }


PREDICTED = [
    entity(T1, "Paris", "LOC", "p1"),
    entity(T1, "Lyon", "LOC", "p2"),
    entity(T1, "Le Monde", "ORG", "p3"),
]
# The second annotator relabels p1, moves p2's end, deletes p3 and adds a date.
CORRECTED = [
    entity(T1, "Paris", "ORG", "p1"),
    entity(T1, "Lyon", "LOC", "p2", extra=4),
    entity(T1, "hier", "DATE", "a1"),
]


def task_for(text: str, predictions: list | None = None) -> dict:
    data = {"text": text, "doc_id": doc_id_for(text), "lang": "fr", "schema_version": "1.0.0"}
    task = {"data": {**data, "text_sha256": text_sha256(text)}}
    if predictions:
        task["predictions"] = [{"model_version": "rules-v1", "result": predictions}]
    return task


def f1(rows: list, layer: str) -> float | None:
    chosen = [r for r in rows if r.layer == layer and r.label is None]
    spans = sum(r.spans for r in chosen)
    return 2 * sum(r.exact_matches for r in chosen) / spans if spans else None


def test_campaign_status_and_review_round(
    ls_env, ls_project, label_studio, third_annotator, tmp_path: Path
):
    runner = CliRunner()
    tasks = tmp_path / "tasks.json"
    texts = [T1, T2, T3, T4]
    tasks.write_text(
        json.dumps([task_for(T1, PREDICTED), *(task_for(t) for t in texts[1:])]), "utf-8"
    )
    pushed = runner.invoke(
        main,
        ["push", str(tasks), "--project", ls_project, "--overlap", "3", "--no-progress"],
    )
    assert pushed.exit_code == 0, pushed.output

    admin = label_studio.client()
    second = label_studio.client(label_studio.annotator)
    third = label_studio.client(third_annotator)
    (project,) = [p for p in admin.projects.list(title=ls_project) if p.title == ls_project]
    ids = {t.data["text"]: t.id for t in admin.tasks.list(project=project.id, fields="all")}
    who = {name: c.users.whoami().email for name, c in [("a", admin), ("b", second), ("c", third)]}
    t2 = [entity(T2, "Bruxelles", "LOC", "x1"), entity(T2, "Berlin", "LOC", "x2")]
    admin.annotations.create(id=ids[T1], result=PREDICTED, lead_time=10.0)
    second.annotations.create(id=ids[T1], result=CORRECTED, lead_time=20.0)
    third.annotations.create(id=ids[T1], result=PREDICTED, lead_time=30.0)
    admin.annotations.create(id=ids[T2], result=t2, lead_time=5.0)
    second.annotations.create(id=ids[T2], result=t2, lead_time=7.0)
    third.annotations.create(id=ids[T2], result=[], was_cancelled=True)
    admin.annotations.create(id=ids[T3], result=[entity(T3, "Rome", "LOC", "r1")], lead_time=9.0)

    result = runner.invoke(main, ["status", "--project", ls_project, "--format", "json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["overlap"] == {"maximum_annotations": 3, "overlap_cohort_percentage": 100}
    assert status["tasks"] == {
        "total": 4,
        "annotated": 3,
        "skipped": 0,
        "not_started": 1,
        "in_overlap_sample": 4,
        "overlap_complete": 1,
        "awaiting_overlap": 2,
    }
    people = {a["annotator"]: a for a in status["annotators"]}
    assert {
        k: (a["annotations"], a["skips"], a["median_lead_time"]) for k, a in people.items()
    } == {
        who["a"]: (3, 0, 9.0),
        who["b"]: (2, 0, 13.5),
        who["c"]: (1, 1, 30.0),
    }

    # The same agreement offline, on the pulled records.
    records = tmp_path / "records.jsonl"
    pulled = runner.invoke(
        main, ["pull", "--project", ls_project, "-o", str(records), "--predictions"]
    )
    assert pulled.exit_code == 0, pulled.output
    assert "1 prediction)" in pulled.output
    report = compare_files([records]).report
    for layer in ("entities", "claims", "cues", "relations"):
        assert status["agreement"]["f1"][layer]["exact"] == f1(report.overall.spans, layer)
    for person in who.values():
        rows = [row for pair in report.pairs if person in pair.annotators for row in pair.spans]
        assert people[person]["f1"]["entities"]["exact"] == f1(rows, "entities")
    assert people[who["c"]]["f1"]["entities"]["exact"] == 0.5  # 3 of 6 spans with a, 0 with b
    (conflict,) = status["to_review"]
    assert (conflict["doc_id"], conflict["exact_f1"]) == (doc_id_for(T1), 1 / 3)

    suggestions = status["suggestions"]
    rows = {(r["layer"], r["label"]): r for r in suggestions["rows"]}
    counts = ("predicted", "kept", "changed", "deleted", "added", "boundary", "relabelled")
    assert {key: tuple(row[c] for c in counts) for key, row in rows.items()} == {
        ("entities", "LOC"): (6, 4, 2, 0, 0, 1, 1),
        ("entities", "ORG"): (3, 2, 0, 1, 0, 0, 0),
        ("entities", "DATE"): (0, 0, 0, 0, 1, 0, 0),
    }
    assert suggestions["median_lead_time"]["with_predictions"] == 20.0
    assert suggestions["median_lead_time"]["without_predictions"] == 7.0
    text = runner.invoke(main, ["status", "--project", ls_project])
    assert "tasks: 4 total, 3 annotated, 0 skipped, 1 not started" in text.output
    assert "entities/LOC: 6, 4, 2, 0, 0" in text.output

    # The review round: the conflict goes out with every version, the reviewer's comes back.
    reviewed = runner.invoke(main, ["review", "--project", ls_project])
    assert reviewed.exit_code == 0, reviewed.output
    review_title = ls_project + " — review"
    try:
        assert "1 documents to review" in reviewed.output
        (review,) = [p for p in admin.projects.list(title=review_title) if p.title == review_title]
        (task,) = admin.tasks.list(project=review.id, fields="all")
        assert task.data[REVIEW_KEY] == ls_project
        versions = {p.model_version for p in admin.predictions.list(task=task.id)}
        assert versions == {pseudonym(w) for w in who.values()}
        gold = [*PREDICTED[:2], entity(T1, "hier", "DATE", "g1")]
        admin.annotations.create(id=task.id, result=gold)
        review_records = tmp_path / "reviewed.jsonl"
        back = runner.invoke(main, ["pull", "--project", review_title, "-o", str(review_records)])
        assert back.exit_code == 0, back.output
        (item,) = iter_items([review_records])
        assert item.record["annotation"]["origin"] == "adjudicated"
        summary = export_dataset([records, review_records], out=tmp_path / "ds")
        assert summary.gold_steps["reviewed"] == 1
        card = (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
        assert "## Suggestions kept" in card
        assert "| entities | LOC | 6 | 4 (67%) | 2 (33%) | 0 (0%) | 0 |" in card
        assert "| entities | ORG | 3 | 2 (67%) | 0 (0%) | 1 (33%) | 0 |" in card
        assert "Median lead time: 20.0 s with predictions (3 annotations), 7.0 s without" in card
        (t1,) = [r for r in dataset_records(tmp_path / "ds") if r["text"] == T1]
        assert sorted((s["text"], s["label"]) for s in t1["entities"]) == [
            ("Lyon", "LOC"),
            ("Paris", "LOC"),
            ("hier", "DATE"),
        ]
    finally:
        for found in admin.projects.list(title=review_title):
            if found.title == review_title:
                admin.projects.delete(id=found.id)
