"""Parquet shards of one dataset config, one file per split, written in batches.

Rows arrive as records; each batch becomes a table of the features' Arrow schema
(features.TableEncoder), so the files reload with identical features, ClassLabel names
included (FACTS.md). Nothing but the current batch is held in memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from annotate_kit.features import TableEncoder

BATCH_ROWS = 1000
BATCH_CHARS = 500_000  # and at most this much text per batch: long documents make big rows


class ShardWriter:
    def __init__(self, folder: Path, config: str, features: Any) -> None:
        self.folder = folder / "data" / config
        self.config = config
        self.features = features
        self.schema = features.arrow_schema
        self.encoder = TableEncoder(features)
        self.writers: dict[str, Any] = {}
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, int] = {}
        self.chars: dict[str, int] = {}

    def add(self, split: str, row: dict[str, Any], *, chars: int = 0) -> None:
        """Buffer a row (a record, labels as names); `chars` (the document's length) bounds a
        batch's memory."""
        buffer = self.buffers.setdefault(split, [])
        buffer.append(self.encoder.row(row))
        self.rows[split] = self.rows.get(split, 0) + 1
        self.chars[split] = self.chars.get(split, 0) + chars
        if len(buffer) >= BATCH_ROWS or self.chars[split] >= BATCH_CHARS:
            self._flush(split)

    def _flush(self, split: str) -> None:
        import pyarrow.parquet as pq

        buffer = self.buffers.get(split)
        if not buffer:
            return
        if split not in self.writers:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.writers[split] = pq.ParquetWriter(self._path(split), self.schema)
        table = self.encoder.table(buffer)
        self.writers[split].write_table(table)
        buffer.clear()
        self.chars[split] = 0

    def close(self) -> None:
        for split in list(self.buffers):
            self._flush(split)
        for writer in self.writers.values():
            writer.close()

    def _path(self, split: str, fingerprint: str | None = None) -> Path:
        middle = f"-{fingerprint}" if fingerprint else ""
        return self.folder / f"{split}{middle}-00000-of-00001.parquet"

    def pattern(self, split: str, fingerprint: str) -> str:
        """The data_files pattern of a split, relative to the dataset folder."""
        return f"data/{self.config}/{split}-{fingerprint}-*.parquet"

    def files(self) -> list[Path]:
        return [self._path(split) for split in sorted(self.writers)]

    def rename(self, fingerprint: str) -> None:
        for split in self.writers:
            self._path(split).rename(self._path(split, fingerprint))


def fingerprint(writers: list[ShardWriter]) -> str:
    """A hash of every shard's bytes, to put in file names and so in the card's patterns.

    datasets caches a folder by its card (features, split sizes, file patterns), not by the
    files' content: a re-export with the same shape would load stale rows otherwise.
    """
    digest = hashlib.sha256()
    for writer in writers:
        for path in writer.files():
            digest.update(path.name.encode("utf-8"))
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:12]
