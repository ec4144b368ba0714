"""Where converted tasks go, and the counts a conversion reports.

Tasks JSON/JSONL are written to a temporary file and moved in place only on success, so a bad
input leaves no half-written output; Parquet shards are staged the same way (taskshards.py).
Both engines hand over task tables (batches.TASK_SCHEMA), so both are counted and written by
the same code.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate_kit.errors import InputError
from annotate_kit.io.staging import stage_file
from annotate_kit.io.tables import task_of

if TYPE_CHECKING:
    import pyarrow as pa

    from annotate_kit.documents.summary import ConvertSummary

FORMATS = ("json", "jsonl", "parquet")


def output_format(out: str | Path, fmt: str | None) -> str:
    """json, jsonl or parquet: named, or from the output (a folder means Parquet shards)."""
    text = str(out)
    if fmt is None:
        if text.endswith(".json"):
            fmt = "json"
        elif text.endswith(("/", os.sep)) or (text != "-" and Path(text).is_dir()):
            fmt = "parquet"
        else:
            fmt = "jsonl"
    if fmt not in FORMATS:
        raise InputError(f"unknown output format {fmt!r}: use {', '.join(FORMATS)}")
    if fmt == "parquet" and text == "-":
        raise InputError("Parquet shards go to a folder: pass -o FOLDER/, not stdout")
    return fmt


def count_table(summary: ConvertSummary, table: pa.Table) -> None:
    """Add a task table's rows, pre-annotations and failures to the summary."""
    summary.tasks += table.num_rows
    for version in table.column("model_version").drop_null().to_pylist():
        summary.preannotated += 1
        summary.model_versions[version] = summary.model_versions.get(version, 0) + 1
    errors = table.column("error")
    if errors.null_count == table.num_rows:
        return
    for doc_id, error, text in zip(
        table.column("doc_id").to_pylist(),
        errors.to_pylist(),
        table.column("record").to_pylist(),
        strict=True,
    ):
        if error is not None:
            source = (json.loads(text).get("meta") or {}).get("source_file") or "?"
            summary.failures.append((doc_id, source, error))


def write_tasks(
    tables: Iterable[pa.Table], out: str | Path, fmt: str, summary: ConvertSummary
) -> None:
    """Tasks as a JSON list or JSONL, in input order, written atomically."""
    lines = 0
    with atomic_output(out) as handle:
        if fmt == "json":
            handle.write("[\n")
        for table in tables:
            count_table(summary, table)
            for text in table.column("record").to_pylist():
                task = task_of(json.loads(text))
                line = json.dumps(task, ensure_ascii=False, separators=(",", ":"))
                if fmt == "json":
                    handle.write((",\n" if lines else "") + line)
                else:
                    handle.write(line + "\n")
                lines += 1
        if fmt == "json":
            handle.write("\n]\n")


def manifest(summary: ConvertSummary) -> dict[str, Any]:
    from annotate_kit._version import __version__

    return {
        "annotate_kit": __version__,
        "engine": summary.engine,
        "files": summary.files,
        "documents": summary.documents,
        "duplicates": len(summary.duplicates),
        "tasks": summary.tasks,
        "preannotated": summary.preannotated,
        "model_versions": summary.model_versions,
        "failures": [{"doc_id": d, "source": s, "error": e} for d, s, e in summary.failures],
    }


class atomic_output:  # noqa: N801 - used as a context manager, reads like one
    """Write to a temporary file beside the target, move it in place only on success."""

    def __init__(self, out: str | Path) -> None:
        self.out = str(out)

    def __enter__(self) -> Any:
        directory = "." if self.out == "-" else os.path.dirname(os.path.abspath(self.out))
        if self.out != "-" and not os.path.isdir(directory):
            raise InputError(f"{self.out}: output directory {directory} does not exist")
        if self.out == "-":  # the system's temp folder, removed on exit (even on an error)
            self.handle = tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", delete=False, prefix="annotate-kit-", suffix=".tmp"
            )
        else:
            self.handle = stage_file(Path(self.out)).open("w", encoding="utf-8")
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
