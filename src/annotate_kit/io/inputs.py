"""Read what validate, export, agreement and evaluate take: records JSONL, a Label Studio JSON
export, tasks as ``convert`` writes them (a JSON list or JSONL), a folder of task shards
written by ``convert -o FOLDER/`` (or one of its .parquet files), or a folder of records files.

Every record comes with where it was found (file, line, JSON path or shard row, task,
annotation), so a problem can point at it. Label Studio tasks become one record per
annotation and one per prediction (so pre-annotations are validated and evaluated too); a
task as convert wrote it, with neither, is its document's record (as in a shard); a task
from a server with neither yields none and is counted, never silently skipped. Shards are
read a batch at a time, so a corpus of any size streams through.
"""

from __future__ import annotations

import codecs
import functools
import json
import mmap
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate_kit.errors import ForeignExportError, InputError
from annotate_kit.io import strictjson
from annotate_kit.io.jsonstream import NotAnArrayError, iter_array
from annotate_kit.io.strictjson import duplicate_key
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.scheme.tasks import ConversionProblem, task_to_record


@dataclass
class Item:
    """One record and its provenance."""

    record: Record
    file: str
    line: int | None = None  # JSONL line
    pointer: str | None = None  # JSON path in a Label Studio export, or "row N" in a shard
    conversion: list[ConversionProblem] = field(default_factory=list)


@dataclass
class ReadStats:
    files: int = 0
    tasks: int = 0
    tasks_without_annotations: int = 0
    records: int = 0
    failed_preannotation: int = 0  # shard rows whose pre-annotation failed: no predictions
    failed_examples: list[str] = field(default_factory=list)  # the first few: where, and why

    def failed_rows(self) -> str:
        """'file row N (reason)' for the first failed rows, and how many more."""
        more = self.failed_preannotation - len(self.failed_examples)
        return "; ".join(self.failed_examples) + (f"; and {more} more" if more > 0 else "")


@dataclass(frozen=True)
class Lines:
    """A block of whole JSONL lines, by extent: ``validate --workers`` sends these, and each
    worker reads its block from the file itself (the main process never ships the bytes)."""

    file: str
    offset: int
    size: int
    first_line: int

    def raws(self) -> Iterator[Raw]:
        with open(self.file, "rb") as handle:
            handle.seek(self.offset)
            block = handle.read(self.size)
        return block_raws(self.file, self.offset, block, self.first_line)


@dataclass(frozen=True)
class Raw:
    """A record's JSON text and where it is, not yet parsed: the unit that ``validate
    --workers`` sends to a worker, so that parsing runs there too."""

    file: str
    text: str | bytes  # a JSONL line as read, or a shard's record column
    line: int | None = None  # JSONL line
    row: int | None = None  # shard row, from 1


RECORDS_SUFFIXES = (".jsonl", ".json")
READ_SUFFIXES = (*RECORDS_SUFFIXES, ".parquet")
WHAT_IS_READ = (
    "records JSONL, a Label Studio JSON export, tasks as 'annotate-kit convert' writes them "
    "(.json or .jsonl), or task shards (.parquet, or their folder)"
)


def not_records(path: str | Path, why: str) -> InputError:
    """The one message for a file that holds neither records nor tasks."""
    return InputError(f"not a records or tasks file: {path}: {why}; expected {WHAT_IS_READ}")


FAILED_EXAMPLES = 3  # failed pre-annotation rows named in a summary


def iter_items(paths: list[str | Path], stats: ReadStats | None = None) -> Iterator[Item]:
    """Records from every file or folder in order; raise InputError for one that cannot be used.

    A folder is either task shards (``part-*.parquet``, read in order) or records files
    (``*.jsonl``, ``*.json``, walked recursively in sorted order, hidden and ``_`` names
    skipped, as Spark and Ray leave ``_SUCCESS`` and staging folders beside their output).
    """
    stats = stats if stats is not None else ReadStats()
    yield from parse_units(iter_units(paths, stats), stats)


def parse_units(units: Iterable[Raw | Lines | Item], stats: ReadStats) -> Iterator[Item]:
    """Items of units from iter_units, parsed where this runs (a worker, for --workers)."""
    for unit in units:
        if isinstance(unit, Raw):
            yield from parse_raw(unit, stats)
        elif isinstance(unit, Lines):
            for raw in unit.raws():
                yield from parse_raw(raw, stats)
        else:
            yield unit


def iter_units(
    paths: list[str | Path], stats: ReadStats, *, extents: bool = False
) -> Iterator[Raw | Lines | Item]:
    """What iter_items yields, except that JSONL lines and shard rows come unparsed; with
    ``extents``, JSONL comes as Lines, blocks of lines by extent, for workers to read."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _folder_items(path, stats, extents)
        elif path.is_file():
            yield from _file_items(path, stats, extents)
        else:
            raise InputError(f"{path}: no such file or folder")


def parse_raw(raw: Raw, stats: ReadStats) -> Iterator[Item]:
    """The record (or, for a Label Studio task on a JSONL line, the records) of ``raw``."""
    path = raw.file  # a str: a Path per record cost more than parsing a small one
    try:
        row = orjson.loads(raw.text)  # 2x json.loads on seed-sized records; the same values
    except json.JSONDecodeError as exc:
        if isinstance(raw.text, bytes):
            try:
                raw.text.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise InputError(
                    f"{path}:{raw.line}: not UTF-8 ({bad.reason} at byte {bad.start} of the line)"
                ) from None
        if raw.row is not None:
            raise InputError(
                f"{path} row {raw.row}: the record column is not JSON ({exc.msg}); "
                "was this shard written by 'annotate-kit convert'?"
            ) from None
        why = f"{exc.msg} at column {exc.colno}"
        try:  # the standard library's parser names NaN, a surrogate's path, a repeated key
            strictjson.loads(raw.text)
        except strictjson.StrictJSONError as strict:
            why = str(strict)
        except (ValueError, RecursionError):
            pass
        raise InputError(f"{path}:{raw.line}: invalid JSON ({why})") from None
    if (repeated := duplicate_key(raw.text, row)) is not None:
        where = f"row {raw.row}" if raw.row is not None else raw.line
        raise InputError(f"{path}:{where}: invalid JSON ({repeated})")
    if raw.row is not None:
        if not isinstance(row, dict):
            raise InputError(f"{path} row {raw.row}: the record is not a JSON object")
        stats.records += 1
        yield Item(row, raw.file, pointer=f"row {raw.row}")
        return
    if isinstance(row, dict) and "data" in row and "doc_id" not in row:
        yield from _task_items(row, path, f"$[{raw.line - 1}]", stats, line=raw.line)
        return
    if not isinstance(row, dict):
        raise not_records(f"{path}:{raw.line}", "the line is not a JSON object")
    if "doc_id" not in row:
        raise not_records(f"{path}:{raw.line}", _neither(row))
    stats.records += 1
    yield Item(row, raw.file, line=raw.line)


def _file_items(path: Path, stats: ReadStats, extents: bool) -> Iterator[Raw | Lines | Item]:
    stats.files += 1
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        if _blank(path):
            raise InputError(f"no records in {path}: the file is empty")
        yield from _jsonl_items(path, extents)
    elif suffix == ".parquet":
        yield from _shard_items(path, stats)
    elif suffix == ".json":
        before = stats.tasks + stats.records
        yield from _json_items(path, stats)
        if stats.tasks + stats.records == before:
            raise InputError(f"no records in {path}: an empty list")
    else:
        hint = "a document" if suffix in {".txt", ".md", ".html", ".htm"} else "not JSON"
        raise not_records(
            path, f"a {suffix or 'suffix-less'} file is {hint} (convert documents first)"
        )


def _blank(path: Path) -> bool:
    """Nothing but whitespace (or a BOM) in the file; reads up to its first other byte."""
    with path.open("rb") as handle:
        first = True
        while block := handle.read(1 << 16):
            if first:
                block, first = block.removeprefix(codecs.BOM_UTF8), False
            if block.strip():
                return False
    return True


def _folder_items(path: Path, stats: ReadStats, extents: bool) -> Iterator[Raw | Lines | Item]:
    from annotate_kit.io.taskshards import MANIFEST, PREFIX

    if any(path.glob(f"{PREFIX}*.parquet")) or (path / MANIFEST).is_file():
        from annotate_kit.io.taskshards import shard_files

        for file in shard_files(path):  # InputError for a manifest without shards
            yield from _file_items(file, stats, extents)
        return
    found = [
        file
        for file in sorted(path.rglob("*"))
        if file.suffix.lower() in RECORDS_SUFFIXES
        and not _dangling(file)
        and file.is_file()
        and not any(part.startswith((".", "_")) for part in file.relative_to(path).parts)
    ]
    if not found:
        raise InputError(
            f"{path}: a folder with neither task shards ({PREFIX}*.parquet, written by "
            "'annotate-kit convert -o FOLDER/') nor records files (*.jsonl, *.json); "
            "name the files to read, or the folder that holds them"
        )
    for file in found:
        yield from _file_items(file, stats, extents)


def _dangling(path: Path) -> bool:
    """False, or InputError naming a symbolic link whose target is missing (never skipped)."""
    if path.is_symlink() and not path.exists():
        raise InputError(
            f"{path}: a dangling symbolic link (to {os.readlink(path)}, which does not exist); "
            "remove it or restore its target"
        )
    return False


def _shard_items(path: Path, stats: ReadStats) -> Iterator[Raw]:
    """Records of one task shard, each pointing at its row (counted from 1, as lines are)."""
    import pyarrow as pa

    from annotate_kit.io.taskshards import iter_task_tables

    row = 0
    try:
        for table in iter_task_tables(path, columns=["record", "error"]):
            errors = table.column("error")
            if errors.null_count < len(errors):
                _note_failures(stats, path, row, errors.to_pylist())
            for text in table.column("record").to_pylist():
                row += 1
                yield Raw(str(path), text, row=row)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read as Parquet ({exc})") from None


def _note_failures(stats: ReadStats, path: Path, row: int, errors: list[str | None]) -> None:
    """Count the rows (after ``row``) whose pre-annotation failed; keep the first few."""
    for number, error in enumerate(errors, start=row + 1):
        if error is None:
            continue
        stats.failed_preannotation += 1
        if len(stats.failed_examples) < FAILED_EXAMPLES:
            stats.failed_examples.append(f"{path} row {number} ({error})")


def _jsonl_items(path: Path, extents: bool) -> Iterator[Raw | Lines]:
    """Lines as bytes (orjson checks the UTF-8 itself), read a block at a time; or, for
    ``validate --workers``, the blocks' extents only."""
    if extents:
        for offset, size, first_line in line_extents(path):
            yield Lines(str(path), offset, size, first_line)
        return
    for offset, block, first_line in line_blocks(path):
        yield from block_raws(str(path), offset, block, first_line)


BLOCK = 1 << 22  # bytes read at a time: about 200 seed-sized records


def line_blocks(path: Path, size: int | None = None) -> Iterator[tuple[int, bytes, int]]:
    """Consecutive blocks of whole lines of a file: (byte offset, bytes, number of the first
    line). A line longer than ``size`` (default BLOCK) comes whole in a larger block."""
    size = size or BLOCK
    with path.open("rb") as handle:
        offset, line = 0, 1
        while block := handle.read(size):
            while b"\n" not in block and (more := handle.read(size)):
                block += more
            cut = block.rfind(b"\n") + 1 or len(block)  # the last line may lack its newline
            handle.seek(offset + cut)
            yield offset, block[:cut], line  # no copy when the block ends a line
            line += block.count(b"\n", 0, cut)
            offset += cut


def line_extents(path: Path, size: int | None = None) -> Iterator[tuple[int, int, int]]:
    """(byte offset, size, number of the first line) of the blocks line_blocks gives, found in
    a memory map: the main process of ``validate --workers`` reads no more than a line per
    block, plus the newlines it counts (one search per line, a count where lines are short)."""
    size = size or BLOCK
    with path.open("rb") as handle:
        length = os.fstat(handle.fileno()).st_size
        if not length:
            return
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            offset, line = 0, 1
            while offset < length:
                end = min(offset + size, length)
                while view.find(b"\n", offset, end) < 0 and end < length:
                    end = min(end + size, length)
                cut = view.rfind(b"\n", offset, end) + 1 or end  # the last line may lack one
                yield offset, cut - offset, line
                line += _newlines(view, offset, cut)
                offset = cut


def _newlines(view: mmap.mmap, start: int, end: int, searches: int = 512) -> int:
    """Newlines in view[start:end]: found one by one (long lines), then counted in a copy."""
    count, at = 0, start
    while count < searches:
        at = view.find(b"\n", at, end)
        if at < 0:
            return count
        count, at = count + 1, at + 1
    return count + view[at:end].count(b"\n")


def block_raws(file: str, offset: int, block: bytes, first_line: int) -> Iterator[Raw]:
    """The non-blank lines of a block from line_blocks, numbered."""
    lines = block.split(b"\n")
    if offset == 0:
        lines[0] = lines[0].removeprefix(codecs.BOM_UTF8)  # as Notepad saves
    for number, line in enumerate(lines, start=first_line):
        if line and not line.isspace():  # isspace stops at the first "{": no copy of the line
            yield Raw(file, line, line=number)


def _json_items(path: Path, stats: ReadStats) -> Iterator[Item]:
    """A Label Studio JSON export (or a JSON list of records), one element at a time."""
    try:
        yield from _json_entries(path, stats)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.msg == "Extra data":  # Spark and Ray name JSON Lines part-*.json
            hint = "; if it holds one JSON object per line, name it *.jsonl"
        raise InputError(
            f"{path}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno}){hint}"
        ) from None
    except NotAnArrayError:
        raise not_records(path, "the JSON is not a list") from None


def _json_entries(path: Path, stats: ReadStats) -> Iterator[Item]:
    for index, entry in iter_array(path):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: $[{index}] is not an object")
        if "completions" in entry and "annotations" not in entry:
            raise ForeignExportError(
                f"{path}: $[{index}] uses the legacy 'completions' format of Label Studio < 1.0; "
                "export the project again from a current Label Studio (JSON format)"
            )
        if "data" in entry and "doc_id" not in entry:
            yield from _task_items(entry, path, f"$[{index}]", stats)
        elif "doc_id" in entry:
            stats.records += 1
            yield Item(entry, str(path), pointer=f"$[{index}]")
        else:
            raise not_records(path, f"$[{index}] " + _neither(entry))


def _neither(entry: dict[str, Any]) -> str:
    if "text" in entry:
        return (
            "has a 'text' but no 'doc_id': a document, not a record "
            "('annotate-kit convert' makes it a task)"
        )
    return "has neither 'data' (a task) nor 'doc_id' (a record)"


def _task_items(
    task: dict[str, Any], path: str | Path, pointer: str, stats: ReadStats, line: int | None = None
) -> Iterator[Item]:
    stats.tasks += 1
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ForeignExportError(
            f"{path}: {pointer}.data has no 'text' field: this export was not made from "
            "annotate-kit tasks (annotate-kit convert writes data.text and data.doc_id)"
        )
    annotations = task.get("annotations") or []
    if not isinstance(annotations, list):
        raise InputError(f"{path}: {pointer}.annotations is not a list")
    # A server's export lists prediction ids only; convert writes whole predictions.
    predictions = [p for p in task.get("predictions") or [] if not isinstance(p, int)]
    if not annotations and not predictions:
        if task.get("id") is None:  # as convert wrote it: the document's own record
            record, _ = task_to_record(task, {}, path=pointer)
            del record["annotation"]
            stats.records += 1
            yield Item(record, str(path), line=line, pointer=pointer)
            return
        stats.tasks_without_annotations += 1
    for key, origin, entries in (
        ("annotations", "manual", annotations),
        ("predictions", "prediction", predictions),
    ):
        for index, entry in enumerate(entries):
            where = f"{pointer}.{key}[{index}]"
            if not isinstance(entry, dict):
                raise InputError(f"{path}: {where} is not an object")
            record, problems = task_to_record(task, entry, path=where, origin=origin)
            _check_foreign(path, where, entry)
            stats.records += 1
            yield Item(record, str(path), line=line, pointer=where, conversion=problems)


def _check_foreign(path: str | Path, where: str, annotation: dict[str, Any]) -> None:
    """An annotation none of whose results come from annotate-kit's controls (layers and their
    per-span choices) was made with another config, whatever its controls: document-level
    choices or notes alone (a ``sentiment`` choice) would otherwise pass as an empty record."""
    result = annotation.get("result")
    if not isinstance(result, list) or not result:
        return
    ours = _our_controls()
    controls = {
        str(item.get("from_name"))
        for item in result
        if isinstance(item, dict) and item.get("type") != "relation"
    }
    if controls and not controls & ours:
        raise ForeignExportError(
            f"{path}: {where}: none of its results come from annotate-kit's labeling config "
            f"(controls found: {', '.join(sorted(controls))}); was this project set up by "
            "'annotate-kit push'? Run 'annotate-kit config' to see the expected config"
        )


@functools.cache
def _our_controls() -> frozenset[str]:
    scheme = load_scheme()
    return frozenset(scheme.layers) | {
        attribute for layer in scheme.layers.values() for attribute in layer.attributes
    }
