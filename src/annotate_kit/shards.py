"""Parquet shards of one dataset config: per split, files of bounded size, written in batches.

Rows arrive as records; each batch becomes a table of the features' Arrow schema
(features.TableEncoder), so the files reload with identical features, ClassLabel names
included (FACTS.md). Nothing but the current batch is held in memory, and a
file closes after ``max_rows`` rows or ``max_bytes`` of Arrow data, so no shard grows with
the corpus: readers (datasets, DuckDB, Spark) can take shards in parallel and one at a time.
Files are named as the Hub names them, ``{split}-{fingerprint}-00003-of-00012.parquet``,
once the run knows the fingerprint and the count.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from annotate_kit.features import TableEncoder, storage_schema

BATCH_ROWS = 1000
BATCH_CHARS = 500_000  # and at most this much text per batch: long documents make big rows
SHARD_ROWS = 100_000  # rows per file at most
# Arrow (uncompressed) bytes per file, measured as push_to_hub measures max_shard_size
# ("500MB"): a file may pass it by at most one batch, which BATCH_CHARS bounds.
SHARD_BYTES = 500_000_000
FREE_TEXT = {"text", "extra"}  # leaf columns without statistics: a document, a span, open JSON


class ShardWriter:
    def __init__(
        self,
        folder: Path,
        config: str,
        features: Any,
        *,
        max_rows: int = SHARD_ROWS,
        max_bytes: int = SHARD_BYTES,
        encoder: Any = None,
    ) -> None:
        """``encoder`` turns what ``add`` is given into buffered rows, and those into a table of
        its ``schema`` (``row`` and ``table``); a TableEncoder of records by default, and then
        ``features`` may be None."""
        if max_rows < 1 or max_bytes < 1:
            raise ValueError(f"shard bounds must be >= 1 (got {max_rows} rows, {max_bytes} bytes)")
        self.folder = folder / "data" / config
        self.config = config
        self.features = features
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.encoder = encoder or TableEncoder(features)
        self.schema = self.encoder.schema
        self.writers: dict[str, Any] = {}  # split -> the open file's writer
        self.shards: dict[str, int] = {}  # split -> files opened so far
        self.in_shard: dict[str, tuple[int, int]] = {}  # split -> (rows, bytes) in the open file
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, int] = {}
        self.chars: dict[str, int] = {}
        self.fingerprint: str | None = None
        self._stat_columns: list[str] | None = None

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
        buffer = self.buffers.get(split)
        if not buffer:
            return
        table = self.encoder.table(buffer)
        buffer.clear()
        self.chars[split] = 0
        offset = 0
        while offset < table.num_rows:
            writer = self._open(split)
            rows, size = self.in_shard[split]
            piece = table.slice(offset, self.max_rows - rows)
            writer.write_table(piece)
            offset += piece.num_rows
            self.in_shard[split] = (rows + piece.num_rows, size + piece.nbytes)

    def _open(self, split: str) -> Any:
        """The split's open file, or a new one when the current one is full."""
        import pyarrow.parquet as pq

        rows, size = self.in_shard.get(split, (0, 0))
        writer = self.writers.get(split)
        if writer is not None and (rows >= self.max_rows or size >= self.max_bytes):
            writer.close()
            writer = None
        if writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            index = self.shards.get(split, 0)
            writer = pq.ParquetWriter(
                self._path(split, index), self.schema, write_statistics=self._statistics()
            )
            self.writers[split], self.shards[split] = writer, index + 1
            self.in_shard[split] = (0, 0)
        return writer

    def _statistics(self) -> list[str]:
        """Columns worth min/max statistics: all but free text (a document's or a span's), whose
        min and max, kept per row group, were a seventh of a file and grew with the file in
        memory while it was open."""
        if self._stat_columns is None:
            self._stat_columns = [
                path
                for path in parquet_columns(self.schema)
                if path.rsplit(".", 1)[-1] not in FREE_TEXT
            ]
        return self._stat_columns

    def close(self) -> None:
        for split in list(self.buffers):
            self._flush(split)
        for writer in self.writers.values():
            writer.close()

    def _path(self, split: str, index: int) -> Path:
        if self.fingerprint is None:
            return self.folder / f"{split}-{index:05d}.parquet"
        count = self.shards[split]
        return self.folder / f"{split}-{self.fingerprint}-{index:05d}-of-{count:05d}.parquet"

    def pattern(self, split: str, fingerprint: str) -> str:
        """The data_files pattern of a split (every shard), relative to the dataset folder."""
        return f"data/{self.config}/{split}-{fingerprint}-*.parquet"

    def files(self) -> list[Path]:
        """Every shard, by split then in order: what the fingerprint covers."""
        return [
            self._path(split, index)
            for split in sorted(self.shards)
            for index in range(self.shards[split])
        ]

    def rename(self, fingerprint: str) -> None:
        """Give every shard its final name, with the fingerprint and the shard count."""
        before = self.files()
        self.fingerprint = fingerprint
        for old, new in zip(before, self.files(), strict=True):
            old.rename(new)


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


def parquet_columns(schema: Any) -> list[str]:
    """The dotted paths of the Parquet leaf columns an Arrow schema is written as."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(storage_schema(schema).empty_table(), sink)  # Json has no empty array
    metadata = pq.read_metadata(pa.BufferReader(sink.getvalue()))
    return [metadata.schema.column(i).path for i in range(metadata.num_columns)]
