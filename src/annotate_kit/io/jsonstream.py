"""The elements of a file's top-level JSON array, one at a time, in flat memory.

A Label Studio JSON export of a large project is one JSON list; ``json.loads`` of the whole
file holds every task at once (several times the file's size). Here the file is read a block
at a time and each element is decoded by the standard library's C scanner
(``JSONDecoder.raw_decode``) as soon as it is whole, so only one element and one block are
held. What Python's json accepts but annotate-kit cannot write back (NaN, lone surrogates,
repeated keys, nesting past strictjson.MAX_DEPTH) is refused (io/strictjson.py). Errors are
``json.JSONDecodeError`` and ``UnicodeDecodeError`` with positions in the
whole file, as ``json.loads`` would give them.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate_kit.io import strictjson

BLOCK = 1 << 20
_WHITESPACE = " \t\n\r"
_SELF_DELIMITED = (dict, list, str)  # a number or literal at a block's end may go on
_NUMBER = "0123456789+-.eE"


class NotAnArrayError(ValueError):
    """The file's top level is neither a list nor an object."""


def iter_array(path: str | Path, block: int | None = None) -> Iterator[tuple[int, Any]]:
    """(index, element) for each element of the top-level array of ``path``.

    A file holding one JSON object instead of a list yields that object as element 0.
    """
    with Path(path).open("rb") as handle:
        reader = _Reader(handle, block or BLOCK)
        first = reader.peek()
        if first != "[":
            value = reader.value()
            reader.end()
            if not isinstance(value, dict):
                raise NotAnArrayError(f"the top level is {type(value).__name__}, not a list")
            yield 0, value
            return
        reader.pos += 1
        if reader.peek() == "]":
            reader.pos += 1
            reader.end()
            return
        index = 0
        while True:
            reader.peek()
            yield index, reader.value()
            index += 1
            after = reader.peek()
            reader.pos += 1
            if after == "]":
                reader.end()
                return
            if after != ",":
                raise reader.error("Expecting ',' delimiter", reader.pos - 1)


class _Reader:
    """A window on the file's text: what is not consumed yet, and where it sits in the file."""

    def __init__(self, handle: Any, block: int) -> None:
        self.handle = handle
        self.block = block
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text = ""
        self.pos = 0  # next character to read in text
        self.eof = False
        self.bytes = 0  # bytes read so far
        self.lines = 0  # newlines in the text already dropped
        self.column = 0  # characters after the last dropped newline
        self.more()
        if self.text.startswith("\ufeff"):  # a UTF-8 BOM, as some editors save
            self.pos = 1

    def more(self) -> bool:
        """Read another block (dropping what was consumed); False at the end of the file."""
        if self.eof:
            return False
        data = self.handle.read(self.block)
        pending = len(self.decoder.getstate()[0])
        try:
            piece = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            start = self.bytes - pending + exc.start
            raise UnicodeDecodeError("utf-8", data, start, start + 1, exc.reason) from None
        self.bytes += len(data)
        self.eof = not data
        dropped = self.text[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self.lines += newlines
            self.column = len(dropped) - dropped.rfind("\n") - 1
        else:
            self.column += len(dropped)
        self.text = self.text[self.pos :] + piece
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not whitespace ("" at the end of the file)."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self.pos = pos
            if pos < len(text):
                return text[pos]
            if not self.more():
                return ""

    def value(self) -> Any:
        """Decode the JSON value at pos, reading on while it runs past the window."""
        while True:
            try:
                value, end = strictjson.raw_decode(self.text, self.pos)
            except strictjson.StrictJSONError as exc:
                raise self.error(str(exc), self.pos) from None
            except json.JSONDecodeError as exc:
                cut_short = (
                    exc.msg.startswith("Unterminated string") or exc.pos >= len(self.text) - 8
                )
                if cut_short and self.more():
                    continue
                raise self.error(exc.msg, exc.pos) from None
            rest = self.text[end : end + 3]
            if not isinstance(value, _SELF_DELIMITED) and rest.strip(_NUMBER) == "" and self.more():
                continue  # "1" or "1." at the window's end may be the start of "1.5"
            self.pos = end
            return value

    def end(self) -> None:
        """Only whitespace may follow the top-level value."""
        if self.peek():
            raise self.error("Extra data", self.pos)

    def error(self, message: str, pos: int) -> json.JSONDecodeError:
        """A JSONDecodeError whose line and column are those of the whole file."""
        error = json.JSONDecodeError(message, self.text, pos)
        error.lineno = self.lines + self.text.count("\n", 0, pos) + 1
        newline = self.text.rfind("\n", 0, pos)
        error.colno = pos - newline if newline >= 0 else self.column + pos + 1
        return error
