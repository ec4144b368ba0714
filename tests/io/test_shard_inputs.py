"""Task shards and folders as inputs: validate, agreement, evaluate and push read them."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from annotate_kit.agreement.evaluate import evaluate_files
from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert
from annotate_kit.errors import InputError
from annotate_kit.io.inputs import iter_items
from annotate_kit.io.tables import TASK_SCHEMA
from annotate_kit.io.taskshards import iter_records, shard_files
from annotate_kit.labelstudio.syncfiles import read_tasks
from annotate_kit.validate.paths import validate_paths
from engine_support import SEED, write_corpus

GOLD = SEED.with_name("kremlin-emissaires-americains.fr.gold.jsonl")
BAD_ENTITY = {"id": "e1", "start": 0, "end": 7, "text": "Depeche", "label": "ORG"}  # Dépêche


@pytest.fixture
def shards(tmp_path: Path) -> Path:
    """convert's shard folder for 14 documents: part-00000 to part-00002, 5, 5 and 4 rows."""
    inputs = write_corpus(tmp_path / "in", documents=12, parquet_files=2)
    out = tmp_path / "shards"
    convert(inputs, out=out, fmt="parquet", shard_rows=5)
    return out


def spoil(path: Path, row: int) -> None:
    """Give the record in a shard's row (counted from 1) an entity whose text is wrong."""
    table = pq.read_table(path)
    texts = table.column("record").to_pylist()
    record = json.loads(texts[row - 1])
    record["entities"] = [BAD_ENTITY]
    texts[row - 1] = json.dumps(record, ensure_ascii=False)
    columns = {name: table.column(name) for name in table.column_names}
    pq.write_table(pa.table({**columns, "record": texts}, schema=TASK_SCHEMA), path)


def as_jsonl(folder: Path, path: Path) -> Path:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in iter_records(folder)), "utf-8"
    )
    return path


def test_validate_reads_shards_like_jsonl_and_points_at_the_shard_row(shards: Path, tmp_path: Path):
    second = shard_files(shards)[1]
    spoil(second, 3)
    jsonl = as_jsonl(shards, tmp_path / "records.jsonl")
    from_shards, from_jsonl = validate_paths([shards]), validate_paths([jsonl])
    assert (from_shards.records, from_shards.valid, from_shards.invalid) == (14, 13, 1)
    assert (from_jsonl.records, from_jsonl.valid, from_jsonl.invalid) == (14, 13, 1)
    (problem,) = from_shards.problems
    (twin,) = from_jsonl.problems
    assert (problem.code, problem.path, problem.doc_id) == (twin.code, twin.path, twin.doc_id)
    assert (problem.file, problem.line, problem.pointer) == (str(second), None, "row 3")
    assert twin.line == 8  # the same record: 5 rows in the first shard, then row 3
    assert from_shards.stats.files == 3

    result = CliRunner().invoke(main, ["validate", str(shards)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(
        f"{second} row 3 doc {problem.doc_id} span e1 $.entities[0].text: [E111] span text "
    )
    assert result.output.splitlines()[-1] == "14 records: 13 valid, 1 invalid"
    one = validate_paths([second])  # one .parquet shard on its own
    assert (one.records, one.invalid, one.problems[0].pointer) == (5, 1, "row 3")


def test_a_folder_of_records_files_is_read_in_sorted_order(tmp_path: Path):
    folder = tmp_path / "records"
    (folder / "b").mkdir(parents=True)
    (folder / "_temporary").mkdir()
    minimal = Path(__file__).parents[1] / "data" / "valid" / "minimal-record.jsonl"
    export = Path(__file__).parents[1] / "data" / "valid" / "labelstudio-export.json"
    (folder / "a.jsonl").write_text(minimal.read_text("utf-8"), "utf-8")
    (folder / "b" / "c.json").write_text(export.read_text("utf-8"), "utf-8")
    (folder / "_temporary" / "half.jsonl").write_text("{not json", "utf-8")  # Spark's leftovers
    (folder / ".hidden.jsonl").write_text("{not json", "utf-8")
    (folder / "_SUCCESS").write_text("", "utf-8")
    items = list(iter_items([folder]))
    listed = list(iter_items([minimal, export]))
    assert [Path(i.file).name for i in items] == ["a.jsonl"] + ["c.json"] * (len(listed) - 1)
    assert [(i.record, i.line, i.pointer) for i in items] == [
        (i.record, i.line, i.pointer) for i in listed
    ]


def test_a_folder_with_nothing_to_read_is_a_clear_error(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("hello", "utf-8")
    with pytest.raises(InputError, match="neither task shards"):
        list(iter_items([tmp_path]))
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: [E200] {tmp_path}: a folder with neither task shards")
    documents = tmp_path / "docs.parquet"  # a documents table, not a task shard
    pq.write_table(pa.table({"text": ["x"]}), documents)
    with pytest.raises(InputError, match=r"docs.parquet: not an annotate-kit task shard"):
        list(iter_items([documents]))


def test_json_lines_named_json_get_a_hint(tmp_path: Path):
    line = (Path(__file__).parents[1] / "data" / "valid" / "minimal-record.jsonl").read_text(
        "utf-8"
    )
    (tmp_path / "part-00000.json").write_text(line + line, "utf-8")  # as Spark names JSON Lines
    with pytest.raises(InputError, match=r"part-00000.json:2: .*name it \*\.jsonl"):
        list(iter_items([tmp_path]))


def test_push_reads_the_same_tasks_from_shards_as_from_jsonl(tmp_path: Path):
    inputs = write_corpus(tmp_path / "in", documents=12, parquet_files=2)
    jsonl, folder = tmp_path / "tasks.jsonl", tmp_path / "shards"
    convert(inputs, out=jsonl)
    convert(inputs, out=folder, fmt="parquet", shard_rows=5)
    expected = [json.loads(line) for line in jsonl.read_text("utf-8").splitlines()]
    assert len(expected) == 14
    assert read_tasks(folder) == expected
    assert read_tasks(shard_files(folder)[2]) == expected[10:]
    assert read_tasks(jsonl) == expected


def test_evaluate_and_agreement_take_preannotated_shards(tmp_path: Path):
    shards = tmp_path / "shards"
    convert([SEED], out=shards, fmt="parquet", preannotate=True, lang="fr")
    predicted = as_jsonl(shards, tmp_path / "predicted.jsonl")
    assert evaluate_files(shards, GOLD) == evaluate_files(predicted, GOLD)
    assert evaluate_files(shards, GOLD).get("cues", "overlap").true_positives > 0
    runner = CliRunner()
    result = runner.invoke(main, ["evaluate", str(shards), str(GOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"] == 1
    result = runner.invoke(main, ["agreement", str(shards), str(GOLD), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["records"] == 2


def test_a_json_task_list_is_read_a_block_at_a_time(tmp_path: Path, monkeypatch):
    from annotate_kit.io import jsonstream

    tasks = tmp_path / "tasks.json"
    convert([SEED], out=tasks)
    whole = read_tasks(tasks)
    monkeypatch.setattr(Path, "read_text", lambda *_a, **_k: pytest.fail("read whole"))
    monkeypatch.setattr(jsonstream, "BLOCK", 101)
    assert read_tasks(tasks) == whole
    assert whole
    assert all("data" in task for task in whole)
