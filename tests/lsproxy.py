"""A small TCP proxy that cuts a connection at a chosen point, for faults a server won't make.

It forwards 127.0.0.1:<port> to the real Label Studio and counts the bytes clients send.
When the count crosses ``cut_at``:
- ``mode="upload"``: the connection is closed at once, mid-request (the server never gets
  the whole body);
- ``mode="response"``: the request goes through, the server acts on it, and its answer is
  dropped (the client cannot know the import happened).
Then ``after="down"`` stops listening (the server "went away"), ``after="heal"`` carries on.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Literal, Self


class CuttingProxy:
    def __init__(
        self,
        target: tuple[str, int],
        *,
        cut_at: int | None = None,
        mode: Literal["upload", "response"] = "upload",
        after: Literal["down", "heal"] = "down",
    ) -> None:
        self.target = target
        self.cut_at = cut_at
        self.mode = mode
        self.after = after
        self.uploaded = 0
        self.cuts = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening: new connections are refused, as if the server had stopped."""
        self._closed.set()
        _shut(self._listener)  # shutdown() wakes the thread blocked in accept()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._closed.is_set():
                _shut(client)
                return
            upstream = socket.create_connection(self.target)
            doomed = threading.Event()
            for source, sink, up in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(
                    target=self._pump,
                    args=(source, sink, up, doomed, (client, upstream)),
                    daemon=True,
                ).start()

    def _pump(
        self,
        source: socket.socket,
        sink: socket.socket,
        up: bool,
        doomed: threading.Event,
        pair: tuple[socket.socket, socket.socket],
    ) -> None:
        try:
            while chunk := source.recv(65536):
                if up:
                    chunk = self._count(chunk, doomed, pair)
                    if chunk is None:
                        return
                elif doomed.is_set():
                    self._cut(pair)  # the server answered: nobody will hear it
                    return
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in pair:
                _shut(sock)

    def _count(
        self, chunk: bytes, doomed: threading.Event, pair: tuple[socket.socket, socket.socket]
    ) -> bytes | None:
        with self._lock:
            before = self.uploaded
            self.uploaded += len(chunk)
            crossing = (
                self.cut_at is not None and self.cuts == 0 and before < self.cut_at <= self.uploaded
            )
            if crossing:
                self.cuts += 1
        if not crossing:
            return chunk
        if self.mode == "upload":
            pair[1].sendall(chunk[: self.cut_at - before])
            self._cut(pair)
            return None
        doomed.set()
        return chunk

    def _cut(self, pair: tuple[socket.socket, socket.socket]) -> None:
        for sock in pair:
            _shut(sock)
        if self.after == "down":
            self.close()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
