"""Read what validate, export, agreement and evaluate take: records JSONL, a Label Studio JSON
export, a folder of task shards written by ``convert -o FOLDER/`` (or one of its .parquet
files), or a folder of records files.

Every record comes with where it was found (file, line, JSON path or shard row, task,
annotation), so a problem can point at it. Label Studio tasks become one record per
annotation; a task with no annotation yields none and is counted, never silently skipped.
Shards are read a batch at a time, so a corpus of any size streams through.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from annotate_kit.errors import ForeignExportError, InputError
from annotate_kit.lsformat import ConversionProblem, task_to_record
from annotate_kit.records import Record


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


@dataclass(frozen=True)
class Raw:
    """A record's JSON text and where it is, not yet parsed: the unit that ``validate
    --workers`` sends to a worker, so that parsing runs there too."""

    file: str
    text: str | bytes  # a JSONL line as read, or a shard's record column
    line: int | None = None  # JSONL line
    row: int | None = None  # shard row, from 1


RECORDS_SUFFIXES = (".jsonl", ".json")


def iter_items(paths: list[str | Path], stats: ReadStats | None = None) -> Iterator[Item]:
    """Records from every file or folder in order; raise InputError for one that cannot be used.

    A folder is either task shards (``part-*.parquet``, read in order) or records files
    (``*.jsonl``, ``*.json``, walked recursively in sorted order, hidden and ``_`` names
    skipped, as Spark and Ray leave ``_SUCCESS`` and staging folders beside their output).
    """
    stats = stats if stats is not None else ReadStats()
    yield from parse_units(iter_units(paths, stats), stats)


def parse_units(units: Iterable[Raw | Item], stats: ReadStats) -> Iterator[Item]:
    """Items of units from iter_units, parsed where this runs (a worker, for --workers)."""
    for unit in units:
        if isinstance(unit, Raw):
            yield from parse_raw(unit, stats)
        else:
            yield unit


def iter_units(paths: list[str | Path], stats: ReadStats) -> Iterator[Raw | Item]:
    """What iter_items yields, except that JSONL lines and shard rows come unparsed."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _folder_items(path, stats)
        elif path.is_file():
            yield from _file_items(path, stats)
        else:
            raise InputError(f"{path}: no such file or folder")


def parse_raw(raw: Raw, stats: ReadStats) -> Iterator[Item]:
    """The record (or, for a Label Studio task on a JSONL line, the records) of ``raw``."""
    path = Path(raw.file)
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
        raise InputError(
            f"{path}:{raw.line}: invalid JSON ({exc.msg} at column {exc.colno})"
        ) from None
    if raw.row is not None:
        if not isinstance(row, dict):
            raise InputError(f"{path} row {raw.row}: the record is not a JSON object")
        stats.records += 1
        yield Item(row, raw.file, pointer=f"row {raw.row}")
        return
    if isinstance(row, dict) and "annotations" in row and "data" in row:
        yield from _task_items(row, path, f"$[{raw.line - 1}]", stats, line=raw.line)
        return
    if not isinstance(row, dict):
        raise InputError(f"{path}:{raw.line}: expected a JSON object (a record)")
    stats.records += 1
    yield Item(row, raw.file, line=raw.line)


def _file_items(path: Path, stats: ReadStats) -> Iterator[Raw | Item]:
    stats.files += 1
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        yield from _jsonl_items(path, stats)
    elif suffix == ".parquet":
        yield from _shard_items(path, stats)
    else:
        yield from _json_items(path, stats)


def _folder_items(path: Path, stats: ReadStats) -> Iterator[Raw | Item]:
    from annotate_kit.taskshards import MANIFEST, PREFIX

    if any(path.glob(f"{PREFIX}*.parquet")) or (path / MANIFEST).is_file():
        from annotate_kit.taskshards import shard_files

        for file in shard_files(path):  # InputError for a manifest without shards
            yield from _file_items(file, stats)
        return
    found = [
        file
        for file in sorted(path.rglob("*"))
        if file.suffix.lower() in RECORDS_SUFFIXES
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
        yield from _file_items(file, stats)


def _shard_items(path: Path, stats: ReadStats) -> Iterator[Raw]:
    """Records of one task shard, each pointing at its row (counted from 1, as lines are)."""
    import pyarrow as pa

    from annotate_kit.taskshards import iter_task_tables

    row = 0
    try:
        for table in iter_task_tables(path, columns=["record", "error"]):
            stats.failed_preannotation += table.column("error").drop_null().length()
            for text in table.column("record").to_pylist():
                row += 1
                yield Raw(str(path), text, row=row)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read as Parquet ({exc})") from None


def _jsonl_items(path: Path, stats: ReadStats) -> Iterator[Raw]:
    """Lines as bytes: orjson checks the UTF-8 itself, and bytes cross to a worker process
    as a copy (a str would be encoded again on the way)."""
    del stats  # counted when parsed
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                line = line.removeprefix(codecs.BOM_UTF8)  # noqa: PLW2901 - as Notepad saves
            if line.strip():
                yield Raw(str(path), line, line=number)


def _json_items(path: Path, stats: ReadStats) -> Iterator[Item]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        hint = ""
        if exc.msg == "Extra data":  # Spark and Ray name JSON Lines part-*.json
            hint = "; if it holds one JSON object per line, name it *.jsonl"
        raise InputError(
            f"{path}:{exc.lineno}: invalid JSON ({exc.msg} at column {exc.colno}){hint}"
        ) from None
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise InputError(f"{path}: expected a Label Studio export (a JSON list of tasks)")
    for index, entry in enumerate(doc):
        if not isinstance(entry, dict):
            raise InputError(f"{path}: $[{index}] is not an object")
        if "completions" in entry and "annotations" not in entry:
            raise ForeignExportError(
                f"{path}: $[{index}] uses the legacy 'completions' format of Label Studio < 1.0; "
                "export the project again from a current Label Studio (JSON format)"
            )
        if "data" in entry:
            yield from _task_items(entry, path, f"$[{index}]", stats)
        elif "doc_id" in entry and "text" in entry:
            stats.records += 1
            yield Item(entry, str(path), pointer=f"$[{index}]")
        else:
            raise InputError(
                f"{path}: $[{index}] is neither a Label Studio task (with 'data') "
                "nor an annotation record (with 'doc_id' and 'text')"
            )


def _task_items(
    task: dict[str, Any], path: Path, pointer: str, stats: ReadStats, line: int | None = None
) -> Iterator[Item]:
    stats.tasks += 1
    data = task.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise ForeignExportError(
            f"{path}: {pointer}.data has no 'text' field: this export was not made from "
            "annotate-kit tasks (annotate-kit convert writes data.text and data.doc_id)"
        )
    annotations = task.get("annotations") or []
    if not annotations:
        stats.tasks_without_annotations += 1
    for index, annotation in enumerate(annotations):
        where = f"{pointer}.annotations[{index}]"
        if not isinstance(annotation, dict):
            raise InputError(f"{path}: {where} is not an object")
        record, problems = task_to_record(task, annotation, path=where)
        _check_foreign(path, where, problems, annotation)
        stats.records += 1
        yield Item(record, str(path), line=line, pointer=where, conversion=problems)


def _check_foreign(
    path: Path, where: str, problems: list[ConversionProblem], annotation: dict[str, Any]
) -> None:
    """An annotation none of whose results fit the scheme was made with another config."""
    result = annotation.get("result")
    if not problems or not isinstance(result, list) or not result:
        return
    misfits = [p for p in problems if "fits no layer" in p.message]
    if len(misfits) == len(result):
        controls = sorted({str((p.value or {}).get("from_name")) for p in misfits})
        raise ForeignExportError(
            f"{path}: {where}: none of its results come from annotate-kit's labeling config "
            f"(controls found: {', '.join(controls)}); was this project set up by "
            "'annotate-kit push'? Run 'annotate-kit config' to see the expected config"
        )
