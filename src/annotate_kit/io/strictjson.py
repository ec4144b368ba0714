"""JSON as the standard defines it, and nothing the rest of the toolkit cannot write back.

Python's ``json`` module accepts what orjson (and every other tool of the chain) refuses or
writes differently: ``NaN``/``Infinity``, lone UTF-16 surrogates (``"\\ud800"``, which UTF-8
cannot encode), nesting deep enough to exhaust the stack, and repeated keys (the last one
silently wins). Here each is a ``StrictJSONError`` whose message names what and where
(a JSON path), so a reader turns it into an ``InputError`` with its file and line.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_DEPTH = 250  # orjson writes (and jsonschema_rs checks) up to ~254 levels; records nest ~6


class StrictJSONError(ValueError):
    """Valid for Python's json module, not for annotate-kit: NaN, surrogates, depth, keys."""


def _no_constant(name: str) -> Any:
    raise StrictJSONError(f"{name} is not a JSON number (non-finite numbers cannot be written)")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise StrictJSONError(f"the key {key!r} appears twice in one object")
            seen.add(key)
    return found


DECODER = json.JSONDecoder(object_pairs_hook=_pairs, parse_constant=_no_constant)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def loads(text: str | bytes) -> Any:
    """``json.loads`` that raises StrictJSONError for what the module docstring lists."""
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    try:
        value = DECODER.decode(text)
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    check(value, text)
    return value


def raw_decode(text: str, pos: int) -> tuple[Any, int]:
    """``JSONDecoder.raw_decode`` with the same refusals (for a file read a block at a time)."""
    try:
        value, end = DECODER.raw_decode(text, pos)
    except RecursionError:
        raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None
    check(value, text, pos, end)
    return value, end


def check(value: Any, text: str, start: int = 0, end: int | None = None) -> None:
    """Refuse lone surrogates and too deep nesting in a decoded value (``text[start:end]`` is
    its source: surrogates can only come from ``\\u`` escapes)."""
    if _SURROGATE_ESCAPE.search(text, start, len(text) if end is None else end):
        _walk(value, "$", 0, surrogates=True)  # names the string's JSON path
    else:
        _compact(value)  # the depth alone


def duplicate_key(text: str | bytes, value: Any) -> str | None:
    """What is wrong with the JSON ``text`` that orjson decoded into ``value``: a repeated key
    or nesting past MAX_DEPTH; None if nothing.

    orjson keeps the last of repeated keys without a word. Every key is followed by a colon,
    and strings keep theirs, so the text holds more colons than orjson's own writing of the
    value only when a key (and its value) was dropped; only then is the text decoded again,
    by the standard library, to name the repeated key.
    """
    try:
        compact = _compact(value)
    except StrictJSONError as exc:
        return str(exc)
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogatepass")
    if compact is not None and text.count(b":") <= compact.count(b":"):
        return None
    try:
        DECODER.decode(text.decode("utf-8", "surrogatepass"))
    except StrictJSONError as exc:
        return str(exc)
    except (ValueError, RecursionError):
        return None
    return None


def _compact(value: Any) -> bytes | None:
    """orjson's compact writing of ``value`` (~20x faster than walking it in Python), which
    also bounds its depth; None when orjson cannot write it for another reason (an integer
    past 64 bits), after a walk has checked the depth."""
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        if "Recursion limit" in str(exc):
            raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep") from None
        _count_keys(value)
        return None


def _count_keys(value: Any) -> int:
    """Keys in all objects of ``value``; StrictJSONError past MAX_DEPTH."""
    count = 0
    stack = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if level > MAX_DEPTH:
            raise StrictJSONError(f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, dict):
            count += len(item)
            stack.extend((inner, level + 1) for inner in item.values())
        elif isinstance(item, list):
            stack.extend((inner, level + 1) for inner in item)
    return count


def _walk(value: Any, path: str, depth: int, *, surrogates: bool) -> None:
    """Iterative (a recursive walk of a value ~1000 levels deep would exhaust the stack)."""
    stack: list[tuple[Any, str, int]] = [(value, path, depth)]
    while stack:
        item, where, level = stack.pop()
        if level > MAX_DEPTH:
            raise StrictJSONError(f"{where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(item, str):
            if surrogates and _has_surrogate(item):
                raise StrictJSONError(
                    f"{where}: a lone UTF-16 surrogate escape (\\ud800-\\udfff) in a string, "
                    "which UTF-8 cannot encode"
                )
        elif isinstance(item, dict):
            for key, inner in item.items():
                if surrogates and _has_surrogate(key):
                    raise StrictJSONError(f"{where}: a lone UTF-16 surrogate escape in a key")
                stack.append((inner, f"{where}.{key}", level + 1))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{i}]", level + 1) for i, inner in enumerate(item))


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
