"""The whole loop on the seed: convert -> push -> two annotators (one skips) -> pull ->
validate -> export -> load_dataset, against a real Label Studio."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasets import load_dataset

from annotate_kit.cli.main import main
from annotate_kit.export.dataset import export_dataset
from annotate_kit.scheme.records import doc_id_for
from annotate_kit.scheme.tasks import record_to_results

pytestmark = pytest.mark.labelstudio
SEEDS = Path(__file__).parents[2] / "seeds"
SEED = SEEDS / "kremlin-emissaires-americains.fr.txt"
GOLD = SEEDS / "kremlin-emissaires-americains.fr.gold.jsonl"
SHORT = "Le Kremlin a répondu aux émissaires américains.\n"


def spans(record: dict) -> dict:
    """What an annotator made, independent of relation ids."""
    return {
        "entities": record["entities"],
        "claims": record["claims"],
        "cues": record["cues"],
        "relations": sorted((r["type"], r["head"], r["tail"]) for r in record["relations"]),
    }


def test_seed_from_documents_to_dataset(ls_env, ls_project, label_studio, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(SEED, docs / SEED.name)
    (docs / "court.fr.txt").write_text(SHORT, encoding="utf-8")
    runner = CliRunner()
    tasks = tmp_path / "tasks.json"
    converted = runner.invoke(main, ["convert", str(docs), "-o", str(tasks), "--preannotate"])
    assert converted.exit_code == 0, converted.output
    pushed = runner.invoke(main, ["push", str(tasks), "--project", ls_project])
    assert pushed.exit_code == 0, pushed.output
    assert "2 tasks: 2 created, 0 already there, 0 failed" in pushed.output  # predictions valid

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    assert gold["doc_id"] == doc_id_for(SEED.read_text(encoding="utf-8"))
    admin, other = label_studio.client(), label_studio.client(label_studio.annotator)
    project = next(p for p in admin.projects.list(title=ls_project) if p.title == ls_project)
    by_doc = {
        t.data["doc_id"]: t.id for t in admin.tasks.list(project=project.id, fields="task_only")
    }
    seed_task, short_task = by_doc[gold["doc_id"]], by_doc[doc_id_for(SHORT)]
    entities_only = {**gold, "claims": [], "cues": [], "relations": []}
    admin.annotations.create(id=seed_task, result=record_to_results(gold), lead_time=600)
    other.annotations.create(id=seed_task, result=record_to_results(entities_only), lead_time=300)
    kremlin = {"id": "k", "start": 3, "end": 10, "text": "Kremlin", "label": "ORG"}
    short_record = {**entities_only, "entities": [kremlin]}
    admin.annotations.create(id=short_task, result=record_to_results(short_record))
    other.annotations.create(id=short_task, result=[], was_cancelled=True)

    records = tmp_path / "records.jsonl"
    pulled = runner.invoke(main, ["pull", "--project", ls_project, "-o", str(records)])
    assert pulled.exit_code == 0, pulled.output
    assert "4 annotations (1 cancelled)" in pulled.output
    validated = runner.invoke(main, ["validate", str(records)])
    assert validated.exit_code == 0, validated.output

    admin_id, other_id = label_studio.admin.username, label_studio.annotator.username
    pulled_records = {
        (r["doc_id"], r["annotation"]["annotator"]): r
        for r in map(json.loads, records.read_text(encoding="utf-8").splitlines())
    }
    assert spans(pulled_records[gold["doc_id"], admin_id]) == spans(gold)
    assert spans(pulled_records[gold["doc_id"], other_id]) == spans(entities_only)

    out = tmp_path / "dataset"
    export_dataset([records], out=out, keep_annotator_ids=True)
    rows = load_dataset(str(out), "annotations")["train"]
    labels = rows.features["entities"].feature["label"]
    made = {
        (row["doc_id"], row["annotation"]["annotator"]): [
            (e["start"], e["end"], e["text"], labels.int2str(e["label"])) for e in row["entities"]
        ]
        for row in rows
    }
    expected = [(e["start"], e["end"], e["text"], e["label"]) for e in gold["entities"]]
    assert made[gold["doc_id"], admin_id] == expected
    assert made[gold["doc_id"], other_id] == expected
    assert made[doc_id_for(SHORT), admin_id] == [(3, 10, "Kremlin", "ORG")]
    skipped = [r for r in rows if r["annotation"]["annotator"] == other_id and not r["entities"]]
    assert [r["annotation"]["cancelled"] for r in skipped] == [True]  # kept, marked, no spans
    default = load_dataset(str(out))["train"]
    assert sorted(default["doc_id"]) == sorted([gold["doc_id"], doc_id_for(SHORT)])
