"""Refuse rather than lose (issue #16): foreign exports, outputs that are inputs, repeated
keys, empty inputs, dangling symbolic links, and a stripped BOM that is recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"
RECORD_LINE = (DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def test_export_from_another_config_with_only_a_sentiment_choice_is_refused(tmp_path):
    task = {
        "id": 1,
        "data": {"text": "Paris est belle.", "doc_id": "d1"},
        "annotations": [
            {
                "id": 1,
                "result": [
                    {
                        "id": "s",
                        "from_name": "sentiment",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["Positive"]},
                    }
                ],
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps([task]), encoding="utf-8")
    for command in (["validate"], ["export", "-o", tmp_path / "ds"]):
        code, output = run(*command[:1], path, *command[1:])
        assert code == 2
        assert "[E202]" in output
        assert "controls found: sentiment" in output
    assert not (tmp_path / "ds").exists()


def test_convert_output_that_is_its_input_is_refused(tmp_path):
    docs = tmp_path / "x.jsonl"
    docs.write_text('{"text": "Le maire a parlé."}\n', encoding="utf-8")
    before = docs.read_bytes()
    code, output = run("convert", docs, "-o", docs)
    assert code == 2
    assert f"Error: [E203] -o {docs} is one of the inputs" in output
    assert docs.read_bytes() == before


def test_convert_output_inside_its_input_folder_is_refused(tmp_path):
    """A second run would read the first run's tasks as a document (it said E200 before)."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Le maire a parlé.", encoding="utf-8")
    for out in (tmp_path / "in" / "tasks.jsonl", f"{tmp_path / 'in' / 'shards'}/"):
        code, output = run("convert", tmp_path / "in", "-o", out)
        assert code == 2
        assert f"lies inside the input folder {tmp_path / 'in'}" in output
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["a.txt"]
    assert run("convert", tmp_path / "in", "-o", tmp_path / "tasks.jsonl")[0] == 0


def test_export_over_its_input_shards_is_refused(tmp_path):
    shards = tmp_path / "shards"
    assert run("convert", DATA / "convert" / "corpus.jsonl", "-o", f"{shards}/")[0] == 0
    files = sorted(p.name for p in shards.iterdir())
    code, output = run("export", shards, "-o", shards, "--overwrite")
    assert code == 2
    assert f"-o {shards} is one of the inputs" in output
    assert sorted(p.name for p in shards.iterdir()) == files
    code, output = run("export", shards / files[0], "-o", shards, "--overwrite")
    assert code == 2
    assert f"-o {shards} holds the input" in output


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_duplicate_json_keys_are_an_error_naming_the_key(tmp_path, suffix):
    line = RECORD_LINE.strip().replace('"lang": "fr"', '"lang": "fr", "lang": "en"')
    path = tmp_path / f"records{suffix}"
    path.write_text(line if suffix == ".jsonl" else f"[{line}]", encoding="utf-8")
    code, output = run("validate", path)
    assert code == 2
    assert f"{path}:1: invalid JSON (the key 'lang' appears twice in one object" in output


def test_duplicate_json_keys_in_a_convert_input(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_text('{"text": "Un texte.", "text": "Un autre."}\n', encoding="utf-8")
    code, output = run("convert", path, "-o", tmp_path / "tasks.jsonl")
    assert (code, output) == (
        2,
        f"Error: [E200] {path}:1: the key 'text' appears twice in one object\n",
    )


@pytest.mark.parametrize(
    ("name", "content"), [("e.jsonl", ""), ("w.jsonl", "\n  \n"), ("l.json", "[]")]
)
def test_an_empty_input_is_exit_2_no_records(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    for command in ("validate", "agreement"):
        code, output = run(command, path)
        assert code == 2
        assert f"no records in {path}" in output


def test_a_dangling_symlink_in_a_walked_folder_is_named(tmp_path):
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "a.jsonl").write_text(RECORD_LINE, encoding="utf-8")
    (folder / "b.jsonl").symlink_to(tmp_path / "gone.jsonl")
    code, output = run("validate", folder)
    assert code == 2
    assert f"{folder / 'b.jsonl'}: a dangling symbolic link (to {tmp_path / 'gone.jsonl'}" in output
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Le maire a parlé.", encoding="utf-8")
    (docs / "b.txt").symlink_to(tmp_path / "gone.txt")
    code, output = run("convert", docs, "-o", tmp_path / "tasks.jsonl")
    assert code == 2
    assert f"{docs / 'b.txt'}: a dangling symbolic link" in output


def test_a_stripped_bom_is_recorded_in_meta_normalization(tmp_path):
    path = tmp_path / "article.txt"
    path.write_bytes(b"\xef\xbb\xbfLe maire a parl\xc3\xa9.\n")
    out = tmp_path / "tasks.jsonl"
    assert run("convert", path, "-o", out)[0] == 0
    (task,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert task["data"]["text"].startswith("Le maire")
    assert task["data"]["meta"]["normalization"] == "BOM removed"
