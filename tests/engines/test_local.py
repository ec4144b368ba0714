"""The table core every engine runs, the local engine, Parquet input and task shards."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.dataset as pds
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import annotate_kit.preannotate.core as preannotate_module
from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert, iter_documents
from annotate_kit.engines.local import (
    TablePreannotator,
    preannotate_batches,
    preannotate_table,
    preannotate_tables,
)
from annotate_kit.engines.spark import spark_ddl
from annotate_kit.errors import InputError
from annotate_kit.export.dataset import export_dataset
from annotate_kit.io.tables import TASK_SCHEMA, document_table, document_tables, table_records
from annotate_kit.io.taskshards import MANIFEST, iter_records, iter_tasks, shard_files, shard_stats
from annotate_kit.preannotate.core import preannotate_batch
from annotate_kit.scheme.records import new_record
from engine_support import paragraph, write_corpus
from preannotate_support import french


def records(n: int) -> list[dict]:
    return [new_record(text=paragraph(i), lang="fr") for i in range(n)]


def test_table_core_equals_the_record_core():
    table = document_table(records(6), start=10)
    done = preannotate_table(table, preannotator=french())
    assert done.schema == TASK_SCHEMA
    assert done.column("ordinal").to_pylist() == list(range(10, 16))
    assert table_records(done) == preannotate_batch(records(6), preannotator=french())
    assert done.column("error").null_count == 6
    assert set(done.column("model_version").to_pylist()) == {french().model_version("fr")}
    claims = [len(r["claims"]) for r in table_records(done)]
    assert done.column("claims").to_pylist() == claims


def test_without_preannotation_records_pass_through():
    done = preannotate_table(document_table(records(3)), preannotator=None)
    assert table_records(done) == records(3)
    assert done.column("model_version").to_pylist() == [None] * 3


def fail_document(monkeypatch: pytest.MonkeyPatch, number: int, error: Exception) -> None:
    """Pre-annotation raises ``error`` for any batch that holds document ``number``."""
    real = preannotate_batch

    def flaky(batch, **kwargs):
        if any(f"numéro {number}" in r["text"] for r in batch):
            raise error
        return real(batch, **kwargs)

    monkeypatch.setattr(preannotate_module, "preannotate_batch", flaky)


def test_a_failing_document_is_reported_not_dropped(monkeypatch: pytest.MonkeyPatch):
    fail_document(monkeypatch, 4, ValueError("boom in document 4"))
    done = preannotate_table(document_table(records(6)), preannotator=french())
    assert done.num_rows == 6
    assert done.column("error").to_pylist() == [None] * 4 + ["ValueError: boom in document 4", None]
    assert done.column("model_version").to_pylist()[4] is None
    failed = table_records(done)[4]
    assert failed == records(6)[4]  # kept as it was, so it still becomes a task
    assert table_records(done)[5] == preannotate_batch(records(6)[5:], preannotator=french())[0]


def test_cli_lists_failures_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    fail_document(monkeypatch, 1, RuntimeError("tokenizer exploded"))
    source = tmp_path / "docs.jsonl"
    source.write_text("".join(json.dumps({"text": paragraph(i)}) + "\n" for i in range(3)))
    out = tmp_path / "tasks.jsonl"
    result = CliRunner().invoke(main, ["convert", str(source), "-o", str(out), "--preannotate"])
    assert result.exit_code == 1
    assert "3 tasks from 3 documents in 1 file (2 pre-annotated), 1 failed" in result.stderr
    assert f"failed: {source}:2 (doc-" in result.stderr  # line 2 holds document 1
    assert "RuntimeError: tokenizer exploded" in result.stderr
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert ["predictions" in t for t in tasks] == [True, False, True]


def test_table_preannotator_ships_configuration_never_a_loaded_pipeline():
    worker = TablePreannotator(lang="fr")
    before = len(pickle.dumps(worker))
    worker(document_table(records(2)))
    assert worker._pre is not None
    shipped = pickle.dumps(worker)
    assert len(shipped) == before < 1000  # a pickled spaCy pipeline is ~33 MB (FACTS.md)
    assert pickle.loads(shipped)._pre is None  # noqa: S301 - our own bytes


def test_datasets_map_runs_the_same_table_function():
    table = pa.concat_tables(document_tables(records(8), size=8))
    dataset = datasets.Dataset(table).with_format("arrow")
    mapped = dataset.map(TablePreannotator(lang="fr"), batched=True, batch_size=3, num_proc=2)
    expected = preannotate_batch(records(8), preannotator=french())
    assert table_records(mapped.data.table) == expected


def test_local_engine_in_two_processes_equals_one():
    tables = list(document_tables(records(9), size=2))
    one = [preannotate_table(t, preannotator=french()) for t in tables]
    two = list(preannotate_tables(tables, lang="fr", workers=2))
    assert [t.to_pylist() for t in two] == [t.to_pylist() for t in one]


def test_parquet_documents_read_like_jsonl(tmp_path: Path):
    rows = [
        {
            "text": paragraph(1),
            "url": "https://example.org/1",
            "lang": "fr",
            "id": 7,
            "published": None,
        },
        {"text": paragraph(2), "url": None, "lang": None, "id": None, "published": "2025-03-01"},
    ]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "docs.parquet")
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in rows)
    )
    from_parquet = list(iter_documents([tmp_path / "docs.parquet"]))
    from_jsonl = list(iter_documents([jsonl]))
    for number, (a, b) in enumerate(zip(from_parquet, from_jsonl, strict=True), start=1):
        assert a["meta"].pop("source_file") == f"{tmp_path / 'docs.parquet'}:{number}"
        assert b["meta"].pop("source_file") == f"{jsonl}:{number}"
        assert a == b


def test_parquet_without_text_column_is_a_clear_error(tmp_path: Path):
    pq.write_table(pa.table({"body": ["x"]}), tmp_path / "docs.parquet")
    with pytest.raises(InputError, match=r"docs.parquet: no 'text' column \(columns: body\)"):
        list(iter_documents([tmp_path / "docs.parquet"]))


def test_local_shards_are_bounded_replaced_and_readable(tmp_path: Path):
    inputs = write_corpus(tmp_path / "in", documents=24, parquet_files=3)
    jsonl = tmp_path / "tasks.jsonl"
    convert(inputs, out=jsonl)
    out = tmp_path / "shards"
    for _ in range(2):  # the second run replaces the first: never appended
        summary = convert(inputs, out=f"{out}/", shard_rows=10, batch_size=4)
    assert summary.tasks == 26  # 24 + 1 new in the JSONL (the other is a duplicate) + seed
    assert [p.name for p in shard_files(out)] == [f"part-0000{i}.parquet" for i in range(3)]
    assert [pq.ParquetFile(p).metadata.num_rows for p in shard_files(out)] == [10, 10, 6]
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    dumped = [json.dumps(t, ensure_ascii=False, separators=(",", ":")) for t in iter_tasks(out)]
    assert dumped == lines
    assert len(list(iter_records(out))) == 26
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["documents"] == 27
    assert manifest["duplicates"] == 1
    assert shard_stats(out).rows == 26


def test_shards_never_replace_a_folder_of_other_files(tmp_path: Path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    source = tmp_path / "doc.txt"
    source.write_text(paragraph(1), encoding="utf-8")
    with pytest.raises(InputError, match="holds files annotate-kit did not write"):
        convert([source], out=folder, fmt="parquet")
    assert (folder / "notes.txt").read_text() == "keep me"


def test_other_readers_open_the_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    inputs = write_corpus(tmp_path / "in", documents=12, parquet_files=2)
    out = tmp_path / "shards"
    convert(inputs, out=out, fmt="parquet", preannotate=True, lang="fr", shard_rows=5)
    dataset = pds.dataset(out, format="parquet")  # ignores _annotate_kit.json
    worth = dataset.to_table(
        columns=["doc_id", "check_worthy"], filter=pds.field("check_worthy") > 0
    )
    assert worth.num_rows > 0
    assert dataset.count_rows() == 14
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    loaded = datasets.load_dataset("parquet", data_files=f"{out}/part-*.parquet", split="train")
    assert sorted(loaded["doc_id"]) == sorted(
        dataset.to_table(columns=["doc_id"])["doc_id"].to_pylist()
    )


def test_map_in_arrow_shape_gives_the_local_rows(tmp_path: Path):
    """The README's Spark recipe: convert's shards without pre-annotation, in record batches
    of any size with every shard column, through preannotate_batches, equal the local run."""
    inputs = write_corpus(tmp_path / "in", documents=10, parquet_files=1)
    plain, local = tmp_path / "plain", tmp_path / "local"
    convert(inputs, out=plain, fmt="parquet")
    convert(inputs, out=local, fmt="parquet", preannotate=True, lang="fr")
    batches = pds.dataset(plain, format="parquet").to_batches(batch_size=3)
    out = pa.Table.from_batches(list(preannotate_batches(batches, lang="fr")))
    assert out.schema == TASK_SCHEMA
    expected = pds.dataset(local, format="parquet").to_table()
    assert out.sort_by("ordinal").equals(expected.sort_by("ordinal"))
    assert sum(out.column("cues").to_pylist()) > 0


def test_spark_ddl_has_the_exact_integer_widths():
    assert spark_ddl() == (
        "ordinal BIGINT NOT NULL, doc_id STRING NOT NULL, lang STRING, record STRING NOT NULL, "
        "model_version STRING, entities INT NOT NULL, claims INT NOT NULL, cues INT NOT NULL, "
        "relations INT NOT NULL, check_worthy INT NOT NULL, error STRING"
    )


def test_validate_and_export_say_which_shard_rows_failed_pre_annotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fail_document(monkeypatch, 2, RuntimeError("tokenizer exploded"))
    inputs = write_corpus(tmp_path / "in", documents=5, parquet_files=1)
    shards = tmp_path / "shards"
    summary = convert(inputs, out=shards, fmt="parquet", preannotate=True, lang="fr")
    assert len(summary.failures) == 1
    result = CliRunner().invoke(main, ["validate", str(shards)])
    assert result.exit_code == 0, result.output
    failed_row = f"{next(shards.glob('*.parquet'))} row 3 (RuntimeError: tokenizer exploded)"
    assert result.output.splitlines()[-1].endswith(
        f"; 1 shard rows carry no predictions: their pre-annotation failed ({failed_row}; "
        "every reason is in the shards' error column and _annotate_kit.json)"
    )
    exported = export_dataset([shards], out=tmp_path / "ds")
    assert any(
        f"1 shard rows carry no predictions: their pre-annotation failed ({failed_row}" in w
        for w in exported.warnings
    )
