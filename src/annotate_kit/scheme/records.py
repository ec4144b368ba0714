"""The annotation record: one document, one annotation, stand-off spans.

A record is a plain dict that follows schema/record.schema.json, so it can be written as
JSONL, validated by any JSON Schema tool and read without this package.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from annotate_kit.scheme.schema import load_scheme

Record = dict[str, Any]
SPAN_LAYERS = ("entities", "claims", "cues")


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def doc_id_for(text: str) -> str:
    """Content-derived id: the same text always gets the same id, whatever the file name."""
    return "doc-" + text_sha256(text)[:16]


def new_record(
    *,
    text: str,
    lang: str,
    doc_id: str | None = None,
    meta: dict[str, Any] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    annotation: dict[str, Any] | None = None,
) -> Record:
    """An empty record for a document; layers are filled by annotators or pre-annotation."""
    record: Record = {
        "schema_version": load_scheme().version,
        "doc_id": doc_id or doc_id_for(text),
        "lang": lang,
        "text": text,
        "text_sha256": text_sha256(text),
    }
    if meta is not None:
        record["meta"] = meta
    if blocks is not None:
        record["blocks"] = blocks
    if annotation is not None:
        record["annotation"] = annotation
    record.update({"entities": [], "claims": [], "cues": [], "relations": []})
    return record


def spans_by_id(record: Record) -> dict[str, tuple[str, dict[str, Any]]]:
    """Span id -> (layer, span) over every layer; later duplicates win (validate reports them)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for layer in SPAN_LAYERS:
        for span in record.get(layer) or ():
            if isinstance(span, dict) and isinstance(span.get("id"), str):
                found[span["id"]] = (layer, span)
    return found


def write_jsonl(records: Iterable[Record], out: TextIO) -> int:
    """Write one compact JSON object per line, keeping non-ASCII text readable."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count


def read_jsonl(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, raw line) for every non-blank line; decoding errors surface to the caller."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                yield number, line
