"""A crash is never a verdict (issue #16): internal errors exit 70 and ask for a bug report;
each hostile input the issue lists gets a clear error (file, line or task, JSON path) instead."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
RECORD = json.loads((DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8"))
EXPORT = json.loads((DATA / "valid" / "labelstudio-export.json").read_text(encoding="utf-8"))


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_an_unexpected_exception_exits_70_with_a_log_file(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("annotate_kit.validate.paths.validate_paths", boom)
    monkeypatch.delenv("ANNOTATE_KIT_DEBUG", raising=False)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    code, output = run("validate", str(DATA / "valid" / "minimal-record.jsonl"))
    assert code == 70
    assert "Error: [E900] internal error: KeyError: 'surprise'" in output
    assert "This is a bug in annotate-kit" in output
    (log,) = tmp_path.glob("annotate-kit-crash-*.log")
    assert str(log) in output
    assert "KeyError: 'surprise'" in log.read_text(encoding="utf-8")
    log.unlink()


def test_debug_prints_the_traceback_of_an_internal_error(monkeypatch):
    def boom(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr("annotate_kit.validate.paths.validate_paths", boom)
    result = CliRunner().invoke(
        main, ["--debug", "validate", str(DATA / "valid" / "minimal-record.jsonl")]
    )
    assert result.exit_code == 70
    assert "Traceback (most recent call last)" in result.output
    assert "the traceback above" in result.output


def test_unhashable_relation_id_is_invalid_not_a_crash(tmp_path):
    record = copy.deepcopy(RECORD)
    record["relations"][0]["id"] = {"x": 1}
    record["relations"][1]["head"] = ["e1"]
    path = jsonl(tmp_path / "rel.jsonl", record)
    code, output = run("validate", str(path))
    assert code == 1
    assert "$.relations[0].id" in output
    assert run("agreement", str(path))[0] in (0, 1)
    code, output = run("export", str(path), "--skip-invalid", "-o", str(tmp_path / "ds"))
    assert code == 1  # nothing valid left to export: a verdict, not a crash
    assert "no valid, non-cancelled annotation" in output


def test_result_value_a_string_is_a_problem_of_that_result(tmp_path):
    export = copy.deepcopy(EXPORT)
    export[0]["annotations"][0]["result"][0]["value"] = "str"
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    code, output = run("validate", str(path))
    assert code == 1
    assert "$[0].annotations[0].result[0].value" in output
    assert "value is not an object" in output


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("command", ["validate", "export", "agreement"])
def test_deep_nesting_is_unusable_input_not_a_recursion_error(tmp_path, command):
    path = tmp_path / "deep.json"
    path.write_text(f'[{{"doc_id": "d", "text": "t", "x": {DEEP}}}]', encoding="utf-8")
    args = ["-o", str(tmp_path / "ds")] if command == "export" else []
    code, output = run(command, str(path), *args)
    assert code == 2
    assert "deep.json:1: invalid JSON (nested more than 250 levels deep" in output


def test_deep_nesting_in_a_convert_input(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "abc", "m": ' + "[" * 2000 + "]" * 2000 + "}\n", encoding="utf-8")
    code, output = run("convert", str(path), "-o", str(tmp_path / "tasks.jsonl"))
    assert (code, output) == (2, f"Error: [E200] {path}:1: nested more than 250 levels deep\n")
    assert not (tmp_path / "tasks.jsonl").exists()


def test_lone_surrogate_in_a_convert_input(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "abc \\ud800 def"}\n', encoding="utf-8")
    code, output = run("convert", str(path), "-o", str(tmp_path / "tasks.jsonl"))
    assert code == 2
    assert f"{path}:1: $.text: a lone UTF-16 surrogate escape" in output


@pytest.mark.parametrize("field", ["text", "span"])
@pytest.mark.parametrize("options", [[], ["--format", "json"], ["--rejects", "REJECTS"]])
def test_lone_surrogate_in_text_or_span_is_unusable_input(tmp_path, field, options):
    record = copy.deepcopy(RECORD)
    if field == "text":
        record["text"] = "abc\ud800"
        where = "$.text"
    else:
        record["entities"][0]["text"] = "Kreml\ud800"
        where = "$.entities[0].text"
    path = tmp_path / "records.json"
    path.write_text(json.dumps([record]), encoding="utf-8")  # ASCII: "\ud800" as an escape
    options = [str(tmp_path / "rejects.jsonl") if o == "REJECTS" else o for o in options]
    code, output = run("validate", str(path), *options)
    assert code == 2
    assert f"records.json:1: invalid JSON ({where}: a lone UTF-16 surrogate escape" in output
    assert not (tmp_path / "rejects.jsonl").exists()


def test_export_output_a_file_is_refused(tmp_path):
    target = tmp_path / "afile"
    target.write_text("keep me", encoding="utf-8")
    code, output = run("export", str(DATA / "valid" / "minimal-record.jsonl"), "-o", str(target))
    assert code == 2
    assert f"Error: [E301] {target} is a file" in output
    assert target.read_text(encoding="utf-8") == "keep me"
