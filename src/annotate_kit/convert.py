"""Documents -> annotation records -> Label Studio tasks. Pure: no network.

Each document gets an id derived from its text, so converting again gives the same tasks
and Label Studio sync can reconcile by id. The text is kept exactly as read (NFC is the only
normalisation, and it is recorded); the document's lines are its structure.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate_kit.errors import InputError
from annotate_kit.lang import detect_lang
from annotate_kit.lsformat import record_to_task
from annotate_kit.records import Record, new_record

SUFFIXES = (".txt", ".md", ".jsonl", ".html", ".htm")
DEFAULT_EXCLUDE = ("*.gold.jsonl", "README.md", "GUIDELINES.md", "CHANGELOG.md", ".*")
META_FIELDS = ("title", "url", "outlet", "published")
_HEADING_END = re.compile(r"[.!?…:;»\"”)]\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s")
MAX_HEADING_WORDS = 14


@dataclass
class ConvertSummary:
    """What a conversion did; inputs = tasks + duplicates."""

    files: int = 0
    documents: int = 0
    tasks: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, doc_id)
    normalized: int = 0
    preannotated: int = 0
    output: str = "-"


def iter_input_files(
    paths: Iterable[str | Path], *, exclude: Iterable[str] = DEFAULT_EXCLUDE
) -> Iterator[Path]:
    """Files named, and supported files found under directories (sorted, so runs repeat)."""
    patterns = tuple(exclude)
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for found in sorted(path.rglob("*")):
                name = found.name
                if (
                    found.is_file()
                    and found.suffix.lower() in SUFFIXES
                    and not any(fnmatch.fnmatch(name, p) for p in patterns)
                ):
                    yield found
        elif path.is_file():
            if path.suffix.lower() not in SUFFIXES:
                raise InputError(
                    f"{path}: unsupported file type {path.suffix or '(none)'}; "
                    f"annotate-kit converts {', '.join(SUFFIXES)}"
                )
            yield path
        else:
            raise InputError(f"{path}: no such file or directory")


def iter_documents(
    paths: Iterable[str | Path],
    *,
    lang: str | None = None,
    encoding: str = "utf-8",
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    on_file: Callable[[Path], None] | None = None,
) -> Iterator[Record]:
    """One empty record per document, in input order; raise InputError naming file and line."""
    for path in iter_input_files(paths, exclude=exclude):
        if on_file is not None:
            on_file(path)
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            yield from _jsonl_documents(path, lang=lang, encoding=encoding)
        else:
            raw = _read_text(path, encoding)
            if suffix in {".html", ".htm"}:
                text, blocks, meta = _html_document(raw, path)
            else:
                text, blocks, meta = raw, None, {}
            yield _document(text, path=path, lang=lang, meta=meta, blocks=blocks)


def convert(
    paths: Iterable[str | Path],
    *,
    out: str | Path = "-",
    fmt: str | None = None,
    lang: str | None = None,
    encoding: str = "utf-8",
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    preannotate: bool = False,
    workers: int = 1,
    progress: bool = False,
) -> ConvertSummary:
    """Write Label Studio tasks for every document; nothing is written if any input is bad."""
    summary = ConvertSummary(output=str(out))
    fmt = fmt or ("json" if str(out).endswith(".json") else "jsonl")
    if fmt not in {"json", "jsonl"}:
        raise InputError(f"unknown output format {fmt!r}: use json or jsonl")

    def count_file(_: Path) -> None:
        summary.files += 1

    records: Iterator[Record] = iter_documents(
        paths, lang=lang, encoding=encoding, exclude=exclude, on_file=count_file
    )
    records = _dedupe(records, summary)
    if preannotate:
        from annotate_kit.preannotate import preannotate_stream  # spaCy loads only when asked

        records = preannotate_stream(records, lang=lang, workers=workers)
    if progress:
        from tqdm import tqdm

        records = tqdm(records, desc="convert", unit="doc", file=sys.stderr)

    with _atomic_output(out) as handle:
        if fmt == "json":
            handle.write("[\n")
        for record in records:
            model_version = (record.get("annotation") or {}).get("model_version")
            if preannotate:
                summary.preannotated += 1
            task = record_to_task(record, model_version=model_version if preannotate else None)
            line = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
            if fmt == "json":
                handle.write((",\n" if summary.tasks else "") + line)
            else:
                handle.write(line + "\n")
            summary.tasks += 1
        if summary.tasks == 0:
            raise InputError(
                "no documents found in the inputs (supported: " + ", ".join(SUFFIXES) + ")"
            )
        if fmt == "json":
            handle.write("\n]\n")
    return summary


def _dedupe(records: Iterator[Record], summary: ConvertSummary) -> Iterator[Record]:
    seen: set[str] = set()
    for record in records:
        summary.documents += 1
        if record["meta"].get("normalization"):
            summary.normalized += 1
        if record["doc_id"] in seen:
            summary.duplicates.append((record["meta"].get("source_file") or "?", record["doc_id"]))
            continue
        seen.add(record["doc_id"])
        yield record


def _document(
    text: str,
    *,
    path: Path,
    lang: str | None,
    meta: dict[str, Any],
    blocks: list[dict[str, Any]] | None,
    line: int | None = None,
) -> Record:
    where = f"{path}:{line}" if line else str(path)
    if not text.strip():
        raise InputError(f"{where}: empty document (no text to annotate)")
    normalization = None
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        normalization = "NFC"
        blocks = None  # offsets moved: recompute from lines
    full_meta = {key: meta.get(key) for key in META_FIELDS}
    full_meta.update(source_file=where, normalization=normalization, extra=meta.get("extra"))
    return new_record(
        text=text,
        lang=lang or meta.get("lang") or detect_lang(text),
        meta=full_meta,
        blocks=blocks if blocks is not None else line_blocks(text),
    )


def line_blocks(text: str) -> list[dict[str, Any]]:
    """Non-blank lines as blocks; a short line without final punctuation is a heading."""
    blocks = []
    start = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        stripped = body.strip()
        if stripped:
            lead = len(body) - len(body.lstrip())
            is_heading = bool(_MD_HEADING.match(stripped)) or (
                len(stripped.split()) <= MAX_HEADING_WORDS and not _HEADING_END.search(stripped)
            )
            blocks.append(
                {
                    "start": start + lead,
                    "end": start + lead + len(stripped),
                    "kind": "heading" if is_heading else "paragraph",
                }
            )
        start += len(line)
    return blocks


def _read_text(path: Path, encoding: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode(
            "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
        )
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}:{line}: cannot decode byte {data[exc.start]:#04x} at offset {exc.start} "
            f"as {encoding}; if the file has another encoding, pass e.g. --encoding latin-1"
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None


def _jsonl_documents(path: Path, *, lang: str | None, encoding: str) -> Iterator[Record]:
    text = _read_text(path, encoding)
    found = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise InputError(f'{path}:{number}: expected an object with a "text" string field')
        meta = {key: row.get(key) for key in META_FIELDS if isinstance(row.get(key), str)}
        extra = {k: v for k, v in row.items() if k not in {"text", "lang", *META_FIELDS}}
        meta["extra"] = extra or None
        if isinstance(row.get("lang"), str):
            meta["lang"] = row["lang"]
        found = True
        yield _document(row["text"], path=path, lang=lang, meta=meta, blocks=None, line=number)
    if not found:
        raise InputError(f"{path}: no JSON lines (empty file)")


def _html_document(html: str, path: Path) -> tuple[str, list[dict[str, Any]], dict[str, Any]]:
    """Main text of an article as heading/paragraph lines, via trafilatura."""
    import trafilatura  # imported here: only HTML inputs pay for it

    extracted = trafilatura.extract(
        html, output_format="xml", with_metadata=True, favor_recall=True
    )
    if not extracted:
        raise InputError(f"{path}: no article text found in the HTML")
    root = ET.fromstring(extracted)
    main = root.find("main")
    lines: list[tuple[str, str]] = []
    for element in main if main is not None else ():
        content = " ".join("".join(element.itertext()).split())
        if content:
            lines.append(("heading" if element.tag == "head" else "paragraph", content))
    text = "\n".join(content for _, content in lines)
    blocks, start = [], 0
    for kind, content in lines:
        blocks.append({"start": start, "end": start + len(content), "kind": kind})
        start += len(content) + 1
    meta = {
        "title": root.get("title"),
        "url": root.get("url"),
        "outlet": root.get("sitename"),
        "published": root.get("date"),
    }
    return text, blocks, meta


class _atomic_output:  # noqa: N801 - used as a context manager, reads like one
    """Write to a temporary file beside the target, move it in place only on success."""

    def __init__(self, out: str | Path) -> None:
        self.out = str(out)

    def __enter__(self) -> Any:
        directory = "." if self.out == "-" else os.path.dirname(os.path.abspath(self.out))
        if self.out != "-" and not os.path.isdir(directory):
            raise InputError(f"{self.out}: output directory {directory} does not exist")
        self.handle = tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            dir=None if self.out == "-" else directory,
            delete=False,
            prefix=".annotate-kit-",
            suffix=".tmp",
        )
        return self.handle

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.handle.close()
        if exc_type is not None:
            os.unlink(self.handle.name)
            return
        if self.out == "-":
            with open(self.handle.name, encoding="utf-8") as source:
                shutil.copyfileobj(source, sys.stdout)
            sys.stdout.flush()
            os.unlink(self.handle.name)
        else:
            os.replace(self.handle.name, self.out)
