"""An export's token view (the bio config) built and written in a second process.

Tokenising and tagging every gold record is a third of an export's time, and it depends on
nothing but the gold record, so ``export --workers 2`` hands it to a process of its own: the
main process sends each gold record (its text and spans, as JSON, in batches) and goes on
with the other configs; the helper writes the bio shards into the same staging folder, then
reports its rows, shard counts and losses. The rows and files are those one process writes.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from pathlib import Path
from typing import Any, Self

import orjson

from annotate_kit.errors import ExportError

BATCH = 64  # gold records per message
QUEUED = 16  # messages waiting to be sent, at most (memory stays bounded)
_KEYS = ("doc_id", "lang", "text", "entities", "claims", "cues")


class TokenViewProcess:
    """The helper process, seen from the export: add gold records, then finish."""

    def __init__(self, *, shard_rows: int) -> None:
        """Start the process: it imports what it needs, then waits for ``start``."""
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, shard_rows), daemon=True)
        self._process.start()
        theirs.close()
        self._batch: list[tuple[str, dict[str, Any], int]] = []
        # A pipe holds 64 kB: sending straight from the export would wait for the helper to
        # finish each batch. A thread sends instead, QUEUED batches ahead at most.
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUED)
        self._failure: BaseException | None = None
        self._sender = threading.Thread(target=self._send_all, name="tokenview-send", daemon=True)
        self._sender.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start(self, folder: Path, schema: Any) -> None:
        """Where to write the bio shards (the export's staging folder), and their Arrow schema
        (so that the helper need not import `datasets`: ~0.6 s of CPU, while validation runs)."""
        self._send(str(folder).encode("utf-8"))
        self._send(schema.serialize().to_pybytes())

    def add(self, split: str, record: dict[str, Any], *, chars: int) -> None:
        slim = {key: record.get(key) for key in _KEYS}
        slim["relations"] = len(record.get("relations") or ())
        self._batch.append((split, slim, chars))
        if len(self._batch) >= BATCH:
            self._send()

    def finish(self) -> tuple[dict[str, int], dict[str, int], Any]:
        """(rows per split, shard files per split, BioLosses) once every row is written."""
        self._send()
        self._send(b"")  # the end
        self._queue.put(None)
        self._sender.join()
        if self._failure is not None:
            self._process.join()
            raise ExportError(self._died(self._poll_error()))
        try:
            kind, payload = self._conn.recv()
        except EOFError:
            kind, payload = "error", None
        self._process.join()
        if kind != "ok":
            raise ExportError(self._died(payload))
        return payload

    def close(self) -> None:
        """Stop the helper (on an error or an interrupt in the main process)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        while self._sender.is_alive():  # unblock a sender waiting on a full queue
            try:
                self._queue.get_nowait()
            except queue.Empty:
                self._queue.put(None)
            self._sender.join(0.1)
        self._conn.close()

    def _send(self, data: bytes | None = None) -> None:
        if data is None:
            if not self._batch:
                return
            data = orjson.dumps(self._batch)
            self._batch = []
        if self._failure is not None:
            self._process.join()
            raise ExportError(self._died(self._poll_error()))
        self._queue.put(data)

    def _send_all(self) -> None:
        """The sender thread: batches from the queue into the pipe, until None."""
        while (data := self._queue.get()) is not None:
            if self._failure is not None:
                continue  # drain: the export raises at its next add
            try:
                self._conn.send_bytes(data)
            except (BrokenPipeError, ConnectionResetError, OSError) as exc:
                self._failure = exc

    def _poll_error(self) -> str | None:
        try:
            if self._conn.poll():
                return self._conn.recv()[1]
        except (EOFError, OSError):
            pass
        return None

    def _died(self, reason: str | None) -> str:
        code = self._process.exitcode
        return "the token view's process failed" + (
            f": {reason}" if reason else f" (exit code {code}); nothing was written"
        )


def _serve(conn: Any, shard_rows: int) -> None:
    """The helper's loop: its folder, then gold records in, bio shards out, then the counts."""
    import pyarrow as pa

    from annotate_kit.export.bio import BioLosses
    from annotate_kit.export.gctune import fewer_collections
    from annotate_kit.export.shards import BackgroundWriter, ShardWriter
    from annotate_kit.export.token_encoder import TokenViewEncoder
    from annotate_kit.scheme.records import Record
    from annotate_kit.scheme.schema import load_scheme

    try:
        with fewer_collections():
            scheme = load_scheme()
            folder = conn.recv_bytes().decode("utf-8")
            if not folder:  # closed before it started: the export failed
                return
            schema = pa.ipc.read_schema(pa.py_buffer(conn.recv_bytes()))
            losses = BioLosses()
            with BackgroundWriter() as files:
                writer = ShardWriter(
                    Path(folder),
                    "bio",
                    None,
                    max_rows=shard_rows,
                    encoder=TokenViewEncoder(schema, losses, scheme),
                    files=files,
                )
                while data := conn.recv_bytes():
                    for split, slim, chars in orjson.loads(data):
                        record: Record = {**slim, "relations": [None] * slim["relations"]}
                        writer.add(split, record, chars=chars)
                writer.close()
        conn.send(("ok", (writer.rows, writer.shards, losses)))
    except BaseException as exc:  # noqa: BLE001 - reported to the main process, which raises
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
