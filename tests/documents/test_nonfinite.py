"""Write only what we can read back (issue #16): non-finite numbers (NaN, Infinity) never
reach tasks or shards, and a NaN offset gets a message that says NaN."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

DATA = Path(__file__).resolve().parents[1] / "data"


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_convert_refuses_non_finite_metadata_in_jsonl(tmp_path, literal):
    docs = tmp_path / "docs.jsonl"
    docs.write_text(f'{{"text": "Le maire a parlé.", "score": {literal}}}\n', encoding="utf-8")
    out = tmp_path / "tasks.jsonl"
    code, output = run("convert", docs, "-o", out)
    expected = f"Error: [E200] {docs}:1: {literal} is not a JSON number (non-finite numbers "
    assert (code, output) == (2, expected + "cannot be written)\n")
    assert not out.exists()


def test_convert_refuses_a_non_finite_parquet_cell_naming_its_column(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    docs = tmp_path / "docs.parquet"
    table = pa.table({"text": ["Le maire a parlé.", "Un autre."], "score": [1.0, float("nan")]})
    pq.write_table(table, docs)
    code, output = run("convert", docs, "-o", f"{tmp_path / 'shards'}/")
    assert code == 2
    assert f"{docs} row 2: column 'score' holds a non-finite number (NaN or Infinity)" in output
    assert not (tmp_path / "shards").exists()


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_nan_offset_gets_a_clear_message(tmp_path, suffix):
    line = (DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8").strip()
    line = line.replace('"start": 9', '"start": NaN', 1)
    path = tmp_path / f"records{suffix}"
    path.write_text(line if suffix == ".jsonl" else f"[{line}]", encoding="utf-8")
    code, output = run("validate", path)
    assert code == 2
    assert "NaN is not a JSON number" in output
    assert "null is not of type" not in output


def test_what_convert_writes_passes_validate(tmp_path):
    out = tmp_path / "tasks.json"
    assert run("convert", DATA / "convert", "-o", out)[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))
    assert run("validate", out)[0] in (0, 1)  # tasks without annotations: no records to judge
