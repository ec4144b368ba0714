"""Sharded export: bounded Parquet files that datasets and DuckDB read."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from click.testing import CliRunner
from datasets import Features, Value, load_dataset

from annotate_kit.cli import main
from annotate_kit.export import export_dataset
from annotate_kit.shards import BATCH_CHARS, ShardWriter
from test_export import corpus

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
