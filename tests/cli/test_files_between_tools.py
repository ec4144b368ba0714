"""Every tool takes the others' files: convert's tasks (JSON list or JSONL, with predictions)
go to validate, export, agreement and evaluate; convert reads a JSON list of texts (Label
Studio's import format); a file that is none of these is named as such, by every tool."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

SEEDS = Path(__file__).parents[2] / "seeds"
SEED = SEEDS / "kremlin-emissaires-americains.fr.txt"
GOLD = SEEDS / "kremlin-emissaires-americains.fr.gold.jsonl"
READERS = ("validate", "export", "agreement")


def run(*args: str):
    return CliRunner().invoke(main, [*map(str, args)])


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed converted with pre-annotations, as a JSON list and as JSONL (spaCy loads once)."""
    folder = tmp_path_factory.mktemp("converted")
    out = {"json": folder / "tasks.json", "jsonl": folder / "tasks.jsonl"}
    result = run("convert", SEED, "-o", out["json"], "--preannotate")
    assert result.exit_code == 0, result.output
    tasks = json.loads(out["json"].read_text(encoding="utf-8"))
    out["jsonl"].write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in tasks))
    return out


@pytest.mark.parametrize("form", ["json", "jsonl"])
def test_validate_reads_converts_tasks_and_checks_their_predictions(converted, form):
    result = run("validate", converted[form])
    assert (result.exit_code, result.output) == (0, "1 record: 1 valid, 0 invalid\n")


@pytest.mark.parametrize("form", ["json", "jsonl"])
def test_a_prediction_whose_offsets_miss_its_text_is_an_invalid_record(converted, tmp_path, form):
    tasks = json.loads(converted["json"].read_text(encoding="utf-8"))
    region = next(r for r in tasks[0]["predictions"][0]["result"] if "value" in r)
    region["value"]["start"] += 1
    bad = tmp_path / f"bad.{form}"
    if form == "json":
        bad.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    else:
        bad.write_text(json.dumps(tasks[0], ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("validate", bad)
    assert result.exit_code == 1, result.output
    assert "$[0].predictions[0]" in result.output
    assert "[E111]" in result.output
    assert result.output.splitlines()[-1] == "1 record: 0 valid, 1 invalid"


def test_evaluate_reads_converts_tasks_directly(converted):
    for form in ("json", "jsonl"):
        result = run("evaluate", converted[form], GOLD)
        assert result.exit_code == 0, result.output
        assert "entities" in result.output


def test_export_and_agreement_read_converts_tasks(converted, tmp_path):
    exported = run("export", converted["jsonl"], "-o", tmp_path / "ds")
    assert exported.exit_code == 0, exported.output
    assert exported.stdout.startswith("1 record: 1 exported (train 1)")
    agreed = run("agreement", converted["json"], GOLD)
    assert agreed.exit_code == 0, agreed.output


def test_convert_without_preannotation_gives_document_records(tmp_path):
    tasks = tmp_path / "plain.jsonl"
    assert run("convert", SEED, "-o", tasks).exit_code == 0
    result = run("validate", tasks)
    assert (result.exit_code, result.output) == (0, "1 record: 1 valid, 0 invalid\n")


def test_convert_reads_a_json_list_and_label_studios_import_format(tmp_path):
    plain = tmp_path / "texts.json"
    plain.write_text(json.dumps([{"text": "Le Kremlin a répondu.", "title": "t"}]))
    wrapped = tmp_path / "ls.json"
    wrapped.write_text(json.dumps([{"data": {"text": "Selon Moscou, rien."}}]))
    out = tmp_path / "tasks.jsonl"
    result = run("convert", plain, wrapped, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"2 tasks from 2 documents in 2 files -> {out}\n"
    texts = [json.loads(line)["data"]["text"] for line in out.read_text().splitlines()]
    assert texts == ["Le Kremlin a répondu.", "Selon Moscou, rien."]
    (tmp_path / "bad.json").write_text(json.dumps([{"body": "x"}]))
    bad = run("convert", tmp_path / "bad.json", "-o", out)
    assert bad.exit_code == 2
    assert 'bad.json:$[0]: expected an object with a "text" string field' in bad.output


@pytest.mark.parametrize("command", [*READERS, "evaluate"])
def test_a_document_is_named_not_a_records_or_tasks_file(command, tmp_path):
    texts = tmp_path / "texts.json"
    texts.write_text(json.dumps([{"text": "Le Kremlin a répondu."}]))
    for path, why in (
        (SEED, "a .txt file is a document (convert documents first)"),
        (texts, "$[0] has a 'text' but no 'doc_id': a document, not a record"),
    ):
        args = [path, GOLD] if command == "evaluate" else [path]
        if command == "export":
            args += ["-o", tmp_path / "ds"]
        result = run(command, *args)
        assert result.exit_code == 2, result.output
        assert f"not a records or tasks file: {path}" in result.output
        assert why in result.output
