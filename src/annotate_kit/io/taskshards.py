"""A folder of Parquet task shards: what ``convert`` writes for corpora too big for one file.

Each ``part-*.parquet`` holds rows of ``batches.TASK_SCHEMA`` (one document each: its record
as JSON, counts, model version, error). The folder is written beside the target and swapped
in on success, so a run replaces the previous one and never appends to it (Ray's
``write_parquet`` appends by default: writing twice doubled the rows, FACTS.md), and a failed
run leaves the old folder as it was. ``_annotate_kit.json``, written last, says what the run
did. Any Parquet reader opens the shards (``pyarrow.dataset``, DuckDB, Polars, Spark).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from annotate_kit.errors import InputError
from annotate_kit.io.staging import stage_dir
from annotate_kit.io.tables import TASK_SCHEMA, task_of
from annotate_kit.scheme.records import Record

MANIFEST = "_annotate_kit.json"
PREFIX = "part-"
DEFAULT_SHARD_ROWS = 20_000  # ~40-100 MB of news text per shard; bounded whatever the corpus
COMPRESSION = "zstd"


@dataclass
class ShardStats:
    """What a shard folder holds, read from the files (footers and two small columns)."""

    files: int = 0
    rows: int = 0
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # doc_id, source, why
    model_versions: dict[str, int] = field(default_factory=dict)


def check_target(out: Path) -> None:
    """Refuse to replace anything but a shard folder: overwrite must not delete user files."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; Parquet shards go to a folder (e.g. {out}.d/)")
    if not out.parent.is_dir():
        raise InputError(f"{out}: parent folder {out.parent} does not exist")
    if out.is_dir():
        foreign = [p.name for p in out.iterdir() if not _ours(p)]
        if foreign:
            raise InputError(
                f"{out}: holds files annotate-kit did not write ({', '.join(sorted(foreign)[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); choose a new or empty folder for the shards"
            )


def _ours(path: Path) -> bool:
    return path.name == MANIFEST or (
        path.is_file() and path.name.startswith(PREFIX) and path.suffix == ".parquet"
    )


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` that replaces it when the block succeeds."""
    check_target(out)
    staging = stage_dir(out)
    try:
        yield staging
        if out.exists():
            old = stage_dir(out, "old")
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_tables(
    tables: Iterable[pa.Table],
    folder: Path,
    *,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    on_table: Callable[[pa.Table], None] | None = None,
) -> int:
    """Write task tables in order into shards of at most ``shard_rows`` rows; rows written."""
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    in_shard = shards = rows = 0
    try:
        for table in tables:
            if on_table is not None:
                on_table(table)
            offset = 0
            while offset < table.num_rows:
                if writer is None or in_shard >= shard_rows:
                    if writer is not None:
                        writer.close()
                    name = folder / f"{PREFIX}{shards:05d}.parquet"
                    writer = pq.ParquetWriter(name, TASK_SCHEMA, compression=COMPRESSION)
                    shards, in_shard = shards + 1, 0
                piece = table.slice(offset, shard_rows - in_shard)
                writer.write_table(piece)
                offset += piece.num_rows
                in_shard += piece.num_rows
                rows += piece.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def write_manifest(folder: Path, content: dict[str, Any]) -> None:
    """The run's summary, last: a folder without it was not finished."""
    text = json.dumps(content, indent=2, ensure_ascii=False) + "\n"
    (folder / MANIFEST).write_text(text, encoding="utf-8")


def shard_files(path: str | Path) -> list[Path]:
    """The Parquet files of a shard folder (sorted), or the one file named."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    files = sorted(p for p in path.iterdir() if _ours(p) and p.name != MANIFEST)
    if not files:
        raise InputError(f"{path}: no {PREFIX}*.parquet shards in this folder")
    return files


def iter_task_tables(
    path: str | Path, *, columns: list[str] | None = None, batch_rows: int = 1024
) -> Iterator[pa.Table]:
    """Task rows in file order, ``batch_rows`` at a time (memory stays flat); ``ordinal`` is
    each row's position in the input."""
    import pyarrow.parquet as pq

    for file in shard_files(path):
        handle = pq.ParquetFile(file)
        missing = set(columns or TASK_SCHEMA.names) - set(handle.schema_arrow.names)
        if missing:
            raise InputError(
                f"{file}: not an annotate-kit task shard (no {', '.join(sorted(missing))} column)"
            )
        for batch in handle.iter_batches(batch_size=batch_rows, columns=columns):
            yield pa.Table.from_batches([batch])


def iter_records(path: str | Path) -> Iterator[Record]:
    """Records of a shard folder: what ``validate`` and ``export`` read from records JSONL."""
    for table in iter_task_tables(path, columns=["record"]):
        yield from map(orjson.loads, table.column("record").to_pylist())


def iter_tasks(path: str | Path) -> Iterator[dict[str, Any]]:
    """Label Studio tasks of a shard folder, exactly what ``convert -o tasks.jsonl`` writes."""
    for record in iter_records(path):
        yield task_of(record)


def shard_stats(path: str | Path) -> ShardStats:
    """Rows, failures and model versions, without reading the records of successful rows."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    stats = ShardStats()
    for file in shard_files(path):
        stats.files += 1
        stats.rows += pq.ParquetFile(file).metadata.num_rows
        table = pq.read_table(file, columns=["model_version", "error"])
        for version in table.column("model_version").drop_null().to_pylist():
            stats.model_versions[version] = stats.model_versions.get(version, 0) + 1
        if table.column("error").null_count < table.num_rows:
            failed = pq.read_table(file, filters=pc.field("error").is_valid())
            for doc_id, error, text in zip(
                failed.column("doc_id").to_pylist(),
                failed.column("error").to_pylist(),
                failed.column("record").to_pylist(),
                strict=True,
            ):
                source = (json.loads(text).get("meta") or {}).get("source_file") or "?"
                stats.failures.append((doc_id, source, error))
    return stats
