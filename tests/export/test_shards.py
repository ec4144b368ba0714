"""Sharded export and sharded input: bounded Parquet files out, convert's task shards in."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from datasets import Features, Value, load_dataset

from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert, iter_documents
from annotate_kit.export.dataset import export_dataset
from annotate_kit.export.shards import BATCH_CHARS, BackgroundWriter, ShardWriter, fingerprint
from annotate_kit.io.taskshards import shard_files
from engine_support import write_corpus

from .test_export import corpus

RATIOS = (0.6, 0.2, 0.2)  # enough documents in every split for several shards


def test_export_writes_bounded_shards_that_datasets_and_duckdb_read(tmp_path: Path):
    source = corpus(tmp_path, 25)
    whole = export_dataset([source], out=tmp_path / "whole", ratios=RATIOS)
    out = tmp_path / "sharded"
    summary = export_dataset([source], out=out, ratios=RATIOS, shard_rows=2)
    assert summary.config_rows == whole.config_rows
    fingerprint = summary.fingerprint
    for config, splits in summary.config_rows.items():
        for split, rows in splits.items():
            files = sorted((out / "data" / config).glob(f"{split}-*.parquet"))
            count = -(-rows // 2)
            assert [f.name for f in files] == [
                f"{split}-{fingerprint}-{i:05d}-of-{count:05d}.parquet" for i in range(count)
            ]
            sizes = [pq.ParquetFile(f).metadata.num_rows for f in files]
            assert sum(sizes) == rows
            assert max(sizes) <= 2
    assert min(summary.split_rows.values()) > 2  # so every split has several files

    for config in summary.config_rows:
        sharded, single = (
            load_dataset(str(out), config),
            load_dataset(str(tmp_path / "whole"), config),
        )
        assert list(sharded) == list(single)
        for split in single:
            assert sharded[split].features == single[split].features
            assert sharded[split].to_list() == single[split].to_list()

    gold = load_dataset(str(out))
    names = gold["train"].features["entities"].feature["label"].names
    by_label = Counter(
        names[entity["label"]]
        for split in gold.values()
        for row in split
        for entity in row["entities"]
    )
    files = [str(out / "data" / "default" / "*.parquet")]  # DuckDB reads the shards directly
    assert duckdb.execute("select count(*) from read_parquet(?)", files).fetchall() == [(25,)]
    per_split = duckdb.execute(
        "select split_part(parse_filename(filename), '-', 1), count(*) "
        "from read_parquet(?, filename = true) group by all",
        files,
    ).fetchall()
    assert dict(per_split) == summary.split_rows
    per_label = duckdb.execute(
        "select e.label, count(*) from (select unnest(entities) as e from read_parquet(?)) "
        "group by all",
        files,
    ).fetchall()
    assert {names[label]: n for label, n in per_label} == by_label == {"ORG": 25, "LOC": 25}


def test_a_shard_closes_at_the_byte_bound_too(tmp_path: Path):
    writer = ShardWriter(tmp_path, "default", Features({"text": Value("string")}), max_bytes=1)
    for number in range(4):  # a batch each (chars), so each file passes the bound after one row
        writer.add("train", {"text": f"document {number}"}, chars=BATCH_CHARS)
    writer.close()
    writer.rename("abc")
    assert [p.name for p in writer.files()] == [
        f"train-abc-0000{i}-of-00004.parquet" for i in range(4)
    ]
    assert [pq.read_table(p)["text"].to_pylist() for p in writer.files()] == [
        [f"document {i}"] for i in range(4)
    ]


def test_the_fingerprint_covers_every_shard(tmp_path: Path):
    def written(name: str, texts: list[str]) -> ShardWriter:
        writer = ShardWriter(
            tmp_path / name, "default", Features({"text": Value("string")}), max_rows=1
        )
        for text in texts:
            writer.add("train", {"text": text})
        writer.close()
        return writer

    first = fingerprint([written("a", ["same", "one"])])
    assert len(written("a", ["same", "one"]).files()) == 2
    assert fingerprint([written("b", ["same", "one"])]) == first
    assert fingerprint([written("c", ["same", "two"])]) != first  # only the last shard differs


def test_files_written_in_the_background_are_the_same_bytes(tmp_path: Path):
    def written(name: str, files: BackgroundWriter | None) -> list[bytes]:
        writer = ShardWriter(
            tmp_path / name, "default", Features({"text": Value("string")}), max_rows=3, files=files
        )
        for number in range(10):
            writer.add(
                "train" if number % 3 else "test", {"text": f"doc {number}"}, chars=BATCH_CHARS
            )
        writer.close()
        return [path.read_bytes() for path in writer.files()]

    with BackgroundWriter(depth=1) as files:
        assert written("background", files) == written("inline", None)


def test_a_background_write_error_reaches_the_caller(tmp_path: Path):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the shard folder should be")
    with BackgroundWriter() as files:
        writer = ShardWriter(blocker, "default", Features({"text": Value("string")}), files=files)

        def write_two() -> None:
            writer.add("train", {"text": "doc"}, chars=BATCH_CHARS)  # opening fails, later
            writer.add("train", {"text": "doc"}, chars=BATCH_CHARS)
            writer.close()

        with pytest.raises(OSError):  # at the next piece of work, or at the latest at close
            write_two()


def test_an_export_that_fails_midway_leaves_no_staging_and_no_thread(tmp_path: Path, monkeypatch):
    import threading

    from annotate_kit.export import dataset as export

    source = corpus(tmp_path, 12)

    def failing(*args, **kwargs):
        raise RuntimeError("adjudication failed")

    monkeypatch.setattr(export, "adjudicate", failing)
    with pytest.raises(RuntimeError, match="adjudication failed"):
        export_dataset([source], out=tmp_path / "ds")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".ds")] == []
    assert not any(t.name.startswith("parquet-writer") for t in threading.enumerate())


def test_cli_shard_rows(tmp_path: Path):
    source = corpus(tmp_path, 12)
    out = tmp_path / "ds"
    result = CliRunner().invoke(
        main, ["export", str(source), "-o", str(out), "--shard-rows", "5", "--split", "1,0,0"]
    )
    assert result.exit_code == 0, result.output
    assert len(list((out / "data" / "default").glob("train-*-of-00003.parquet"))) == 3
    result = CliRunner().invoke(main, ["export", str(source), "-o", str(out), "--shard-rows", "0"])
    assert result.exit_code == 2
    assert "--shard-rows" in result.output


def documents_jsonl(inputs: list[Path], path: Path) -> Path:
    """The records convert makes of the inputs (first of each doc_id kept), as records JSONL."""
    seen: set[str] = set()
    with path.open("w", encoding="utf-8") as out:
        for record in iter_documents(inputs):
            if record["doc_id"] not in seen:
                seen.add(record["doc_id"])
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def test_export_reads_the_task_shards_convert_writes(tmp_path: Path):
    inputs = write_corpus(tmp_path / "in", documents=12, parquet_files=2)
    shards = tmp_path / "shards"
    convert(inputs, out=shards, fmt="parquet", shard_rows=5)  # 14 documents in 3 files
    assert len(shard_files(shards)) == 3
    jsonl = documents_jsonl(inputs, tmp_path / "documents.jsonl")
    # Documents without annotation are valid records; the JSONL path exports each as its gold.
    from_jsonl = export_dataset([jsonl], out=tmp_path / "from-jsonl", shard_rows=4)
    from_shards = export_dataset([shards], out=tmp_path / "from-shards", shard_rows=4)
    assert (from_shards.records, from_shards.exported, from_shards.gold_steps) == (
        14,
        14,
        {"latest": 14},
    )
    assert from_shards.config_rows == from_jsonl.config_rows
    assert from_shards.fingerprint == from_jsonl.fingerprint  # byte-identical Parquet
    for config in from_shards.config_rows:
        a = load_dataset(str(tmp_path / "from-shards"), config)
        b = load_dataset(str(tmp_path / "from-jsonl"), config)
        assert {split: a[split].to_list() for split in a} == {
            split: b[split].to_list() for split in b
        }
