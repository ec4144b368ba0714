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
from collections import deque
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Self

from annotate_kit.export.features import TableEncoder, storage_schema

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
        files: BackgroundWriter | None = None,
    ) -> None:
        """``encoder`` turns what ``add`` is given into buffered rows, and those into a table of
        its ``schema`` (``row`` and ``table``); a TableEncoder of records by default, and then
        ``features`` may be None. ``files``: a thread to write the files in, shared by the
        writers of an export."""
        if max_rows < 1 or max_bytes < 1:
            raise ValueError(f"shard bounds must be >= 1 (got {max_rows} rows, {max_bytes} bytes)")
        self.folder = folder / "data" / config
        self.config = config
        self.features = features
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.encoder = encoder or TableEncoder(features)
        self.schema = self.encoder.schema
        self.background = files
        self.writers: dict[str, Any] = {}  # split -> the open file's writer (files' thread only)
        self.shards: dict[str, int] = {}  # split -> files opened so far
        self.in_shard: dict[str, tuple[int, int]] = {}  # split -> (rows, bytes) in the open file
        self.buffers: dict[str, list[Any]] = {}  # split -> rows, as the encoder made them
        self.rows: dict[str, int] = {}
        self.nbytes: dict[str, int] = {}  # split -> Arrow bytes written: the card's num_bytes
        self.chars: dict[str, int] = {}
        self.fingerprint: str | None = None
        self._stat_columns: list[str] | None = None

    def add(self, split: str, row: Any, *, chars: int = 0) -> None:
        """Buffer a row (for the default encoder, a record with labels as names); `chars` (the
        document's length) bounds a batch's memory."""
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
            rows, size = self.in_shard.get(split, (0, 0))
            if split not in self.in_shard or rows >= self.max_rows or size >= self.max_bytes:
                index = self.shards.get(split, 0)
                self._do(self._open_file, split, self._path(split, index))
                self.shards[split] = index + 1
                rows, size = 0, 0
            piece = table.slice(offset, self.max_rows - rows)
            self._do(self._write_piece, split, piece)
            offset += piece.num_rows
            self.in_shard[split] = (rows + piece.num_rows, size + piece.nbytes)
            self.nbytes[split] = self.nbytes.get(split, 0) + piece.nbytes

    def _do(self, action: Any, *args: Any) -> None:
        """File work: in the background writer's thread if there is one, in order either way."""
        if self.background is None:
            action(*args)
        else:
            self.background.submit(action, *args)

    def _open_file(self, split: str, path: Path) -> None:
        """Close the split's open file, if any, and open ``path`` in its place."""
        import pyarrow.parquet as pq

        if split in self.writers:
            self.writers.pop(split).close()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.writers[split] = pq.ParquetWriter(
            path, self.schema, write_statistics=self._statistics()
        )

    def _write_piece(self, split: str, piece: Any) -> None:
        self.writers[split].write_table(piece)

    def _close_files(self) -> None:
        for writer in self.writers.values():
            writer.close()
        self.writers.clear()

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
        """Write what is buffered and close every file (waiting for the background writer)."""
        for split in list(self.buffers):
            self._flush(split)
        self._do(self._close_files)
        if self.background is not None:
            self.background.drain()

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


class BackgroundWriter:
    """One thread that writes Parquet files, in the order it is given the work.

    pyarrow encodes and compresses a table without holding the GIL, so while this thread
    writes one batch the export builds the next: on a second core, a sixth of an export's time
    leaves its critical path. At most ``depth`` pieces of work wait (memory stays bounded); an
    error in the thread is raised at the next submit or drain.
    """

    def __init__(self, depth: int = 4) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-writer")
        self._pending: deque[Future[Any]] = deque()
        self._depth = depth

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def submit(self, action: Any, *args: Any) -> None:
        self._pending.append(self._pool.submit(action, *args))
        while len(self._pending) > self._depth or (self._pending and self._pending[0].done()):
            self._pending.popleft().result()

    def drain(self) -> None:
        """Wait for every piece of work given so far; raise the first error."""
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        """Stop the thread once its work is done (on an error, the rest is dropped)."""
        for future in self._pending:
            future.cancel()
        self._pool.shutdown(wait=True)
        self._pending.clear()


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
