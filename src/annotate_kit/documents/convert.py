"""Documents -> annotation records -> Label Studio tasks. Pure: no network.

Each document gets an id derived from its text, so converting again gives the same tasks
and Label Studio sync can reconcile by id. The text is kept exactly as read (NFC is the only
normalisation, and it is recorded); the document's lines are its structure. Documents travel
in Arrow tables of a fixed number of documents through one function (batches.py), run here
(``engine="local"``, optionally in worker processes) or on a Ray cluster (``engine="ray"``),
and come out as tasks JSON/JSONL or as a folder of Parquet shards (taskshards.py).
"""

from __future__ import annotations

import codecs
import fnmatch
import itertools
import json
import math
import re
import sys
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate_kit.documents.lang import detect_lang
from annotate_kit.documents.summary import ConvertSummary
from annotate_kit.documents.taskout import count_table, manifest, output_format, write_tasks
from annotate_kit.engines.local import preannotate_tables
from annotate_kit.errors import InputError
from annotate_kit.io import strictjson
from annotate_kit.io.jsonstream import NotAnArrayError, iter_array
from annotate_kit.io.tables import DEFAULT_BATCH, document_tables
from annotate_kit.io.targets import refuse_overlap
from annotate_kit.io.taskshards import (
    DEFAULT_SHARD_ROWS,
    check_target,
    shard_stats,
    staged,
    write_manifest,
    write_tables,
)
from annotate_kit.scheme.records import Record, new_record

if TYPE_CHECKING:
    import pyarrow as pa

SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".parquet", ".html", ".htm")
ENGINES = ("local", "ray")
DEFAULT_EXCLUDE = ("*.gold.jsonl", "README.md", "GUIDELINES.md", "CHANGELOG.md", ".*")
META_FIELDS = ("title", "url", "outlet", "published")
_HEADING_END = re.compile(r"[.!?…:;»\"”)]\s*$")
_MD_HEADING = re.compile(r"^#{1,6}\s")
MAX_HEADING_WORDS = 14


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
                if found.is_symlink() and not found.exists():
                    raise InputError(
                        f"{found}: a dangling symbolic link (to {found.readlink()}, which does "
                        "not exist); remove it or restore its target"
                    )
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
        elif suffix == ".json":
            yield from _json_documents(path, lang=lang, encoding=encoding)
        elif suffix == ".parquet":
            yield from _parquet_documents(path, lang=lang)
        else:
            raw = _read_text(path, encoding)
            if suffix in {".html", ".htm"}:
                text, blocks, meta = _html_document(raw, path)
            else:
                text, blocks, meta = raw, None, {}
            bom = _codec(encoding) == "utf-8-sig" and _starts_with_bom(path)
            yield _document(text, path=path, lang=lang, meta=meta, blocks=blocks, bom=bom)


def convert(
    paths: Iterable[str | Path],
    *,
    out: str | Path = "-",
    fmt: str | None = None,
    lang: str | None = None,
    encoding: str = "utf-8",
    exclude: Iterable[str] = DEFAULT_EXCLUDE,
    preannotate: bool = False,
    workers: int | None = None,
    progress: bool = False,
    engine: str = "local",
    ray_address: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    models: dict[str, str] | None = None,
    suggest: str = "both",
) -> ConvertSummary:
    """Write Label Studio tasks for every document; nothing is written if any input is bad.

    ``fmt="parquet"`` (or an existing folder, or a name ending in "/") writes a folder of
    Parquet shards of at most ``shard_rows`` rows, replacing a previous run's. ``workers`` is
    the number of processes (local, default 1) or Ray actors (default: Ray's CPUs minus one).
    A document whose pre-annotation fails becomes a task without predictions and is listed in
    ``summary.failures``. ``models`` maps a language to the spaCy pipeline to load (package,
    folder or "blank"; default: the lexicon's first installed one, fr_core_news_sm for French),
    or to a folder from ``annotate-kit train``, merged with the rules by ``suggest``.
    """
    paths = list(paths)
    refuse_overlap(paths, out)  # before anything is written
    summary = ConvertSummary(output=str(out), engine=engine)
    fmt = output_format(out, fmt)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}: use {' or '.join(ENGINES)}")
    if fmt == "parquet":
        check_target(Path(out))  # before any work: never fail after hours of it

    def count_file(_: Path) -> None:
        summary.files += 1

    records: Iterator[Record] = iter_documents(
        paths, lang=lang, encoding=encoding, exclude=exclude, on_file=count_file
    )
    records = _dedupe(records, summary)
    if progress:
        from tqdm import tqdm

        desc = "read" if engine == "ray" else "convert"
        records = tqdm(records, desc=desc, unit="doc", file=sys.stderr)
    tables = document_tables(records, size=batch_size)
    first = next(tables, None)
    if first is None:
        raise InputError(
            "no documents found in the inputs (supported: " + ", ".join(SUFFIXES) + ")"
        )
    tables = itertools.chain([first], tables)
    if engine == "ray":
        options = {"address": ray_address, "workers": workers, "progress": progress}
        _convert_on_ray(
            tables,
            out=out,
            fmt=fmt,
            summary=summary,
            lang=lang,
            options=options,
            preannotate=preannotate,
            shard_rows=shard_rows,
            models=models,
        )
        return summary
    done = preannotate_tables(
        tables,
        lang=lang,
        preannotate=preannotate,
        workers=workers or 1,
        models=models,
        suggest=suggest,
    )
    if fmt != "parquet":
        write_tasks(done, out, fmt, summary)
        return summary
    with staged(Path(out)) as folder:
        write_tables(
            done, folder, shard_rows=shard_rows, on_table=lambda t: count_table(summary, t)
        )
        write_manifest(folder, manifest(summary))
    return summary


def _convert_on_ray(
    tables: Iterator[pa.Table],
    *,
    out: str | Path,
    fmt: str,
    summary: ConvertSummary,
    lang: str | None,
    options: dict[str, Any],
    preannotate: bool,
    shard_rows: int,
    models: dict[str, str] | None = None,
) -> None:
    """The Ray engine: Ray's workers write the shards; JSON/JSONL is written here, in order."""
    from annotate_kit.engines import ray as engine_ray

    with engine_ray.ray_session(engine_ray.RayOptions(**options)) as pool:
        dataset = engine_ray.task_dataset(
            tables, workers=pool, lang=lang, models=models, preannotate=preannotate
        )
        if fmt != "parquet":
            write_tasks(engine_ray.iter_tables(dataset), out, fmt, summary)
            return
        with staged(Path(out)) as folder:
            engine_ray.write_shards(dataset, folder, shard_rows=shard_rows)
            stats = shard_stats(folder)
            summary.tasks, summary.failures = stats.rows, stats.failures
            summary.model_versions = stats.model_versions
            summary.preannotated = sum(stats.model_versions.values())
            write_manifest(folder, manifest(summary))


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
    bom: bool = False,
) -> Record:
    where = f"{path}:{line}" if line else str(path)
    if not text.strip():
        raise InputError(f"{where}: empty document (no text to annotate)")
    normalization = None
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        normalization = "NFC"
        blocks = None  # offsets moved: recompute from lines
    if bom:  # the file's UTF-8 byte order mark is not part of the text
        normalization = "BOM removed" + (", NFC" if normalization else "")
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
        return data.decode(_codec(encoding))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _undecodable(path, line, data[exc.start], exc.start, encoding) from None


def _starts_with_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def _codec(encoding: str) -> str:
    """The codec to decode with: UTF-8 files may start with a byte order mark."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None
    return "utf-8-sig" if name == "utf-8" else name


def _undecodable(path: Path, line: int, byte: int, offset: int, encoding: str) -> InputError:
    return InputError(
        f"{path}:{line}: cannot decode byte {byte:#04x} at offset {offset} as {encoding}; "
        "if the file has another encoding, pass e.g. --encoding latin-1"
    )


def _jsonl_lines(path: Path, encoding: str) -> Iterator[tuple[int, str]]:
    """(number, line) one at a time: a file of any size is never held whole. Lines end at
    newlines only (str.splitlines would also cut at U+2028, which JSON allows in strings)."""
    codec = _codec(encoding)
    if codecs.lookup(codec).name.startswith(("utf-16", "utf-32")):  # no byte-wise lines
        yield from enumerate(_read_text(path, encoding).split("\n"), start=1)
        return
    offset = 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                yield number, raw.decode(codec if number == 1 else codec.removesuffix("-sig"))
            except UnicodeDecodeError as exc:
                raise _undecodable(
                    path, number, raw[exc.start], offset + exc.start, encoding
                ) from None
            offset += len(raw)


def _jsonl_documents(path: Path, *, lang: str | None, encoding: str) -> Iterator[Record]:
    found = False
    for number, line in _jsonl_lines(path, encoding):
        if not line.strip():
            continue
        try:
            row = strictjson.loads(line)
        except strictjson.StrictJSONError as exc:
            raise InputError(f"{path}:{number}: {exc}") from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}:{number}: invalid JSON ({exc.msg} at column {exc.colno})"
            ) from None
        found = True
        yield _row_document(row, path=path, number=number, lang=lang)
    if not found:
        raise InputError(f"{path}: no JSON lines (empty file)")


def _json_documents(path: Path, *, lang: str | None, encoding: str) -> Iterator[Record]:
    """A JSON list of objects with a "text" field, or Label Studio's import format (a list of
    tasks whose "data" holds the text), one element at a time."""
    try:
        if _codec(encoding).replace("-sig", "") in {"utf-8", "utf_8"}:
            elements = iter_array(path)
        else:
            elements = enumerate(json.loads(_read_text(path, encoding)))
        found = False
        for index, element in elements:
            found = True
            row = element
            if isinstance(element, dict) and isinstance(element.get("data"), dict):
                row = element["data"]  # Label Studio's task form
            yield _row_document(row, path=path, number=index + 1, lang=lang, where=f"$[{index}]")
    except NotAnArrayError:
        raise InputError(f'{path}: expected a JSON list of objects with a "text" field') from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno})"
        ) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not {encoding} ({exc.reason} at byte {exc.start}); try --encoding latin-1"
        ) from None
    if not found:
        raise InputError(f"{path}: an empty JSON list")


def _parquet_documents(path: Path, *, lang: str | None) -> Iterator[Record]:
    """Rows of a Parquet table as JSONL lines are read (``number`` is the 1-based row); null
    cells count as absent, dates become ISO strings, so a table and its JSONL agree."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
        if "text" not in handle.schema_arrow.names:
            raise InputError(
                f"{path}: no 'text' column (columns: {', '.join(handle.schema_arrow.names)}); "
                "a documents table needs one text per row"
            )
        number = 0
        for batch in handle.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                cells = {k: _plain(v) for k, v in row.items() if v is not None}
                for key, value in cells.items():
                    if _non_finite(value):
                        raise InputError(
                            f"{path} row {number}: column {key!r} holds a non-finite number "
                            "(NaN or Infinity), which JSON cannot hold: fill or drop it first"
                        )
                yield _row_document(cells, path=path, number=number, lang=lang)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read as Parquet ({exc})") from None
    if number == 0:
        raise InputError(f"{path}: no rows (empty table)")


def _non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_non_finite(v) for v in value.values())
    if isinstance(value, list):
        return any(_non_finite(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    """A Parquet cell as a JSON value."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _row_document(
    row: Any, *, path: Path, number: int, lang: str | None, where: str | None = None
) -> Record:
    if not isinstance(row, dict) or not isinstance(row.get("text"), str):
        raise InputError(f'{path}:{where or number}: expected an object with a "text" string field')
    meta = {key: row.get(key) for key in META_FIELDS if isinstance(row.get(key), str)}
    extra = {k: v for k, v in row.items() if k not in {"text", "lang", *META_FIELDS}}
    meta["extra"] = extra or None
    if isinstance(row.get("lang"), str):
        meta["lang"] = row["lang"]
    return _document(row["text"], path=path, lang=lang, meta=meta, blocks=None, line=number)


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
