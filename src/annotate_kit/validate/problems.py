"""Problems and reports: what validation finds, as data, and its text, JSON and GitHub formats."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from annotate_kit._text import counted
from annotate_kit.io.inputs import ReadStats


@dataclass(frozen=True)
class Problem:
    """One reason a record is invalid, and where it is."""

    code: str
    message: str
    path: str  # JSON path inside the record (or inside the Label Studio export, E160)
    file: str | None = None
    line: int | None = None
    pointer: str | None = None  # where the annotation sits in a Label Studio export
    doc_id: str | None = None
    task_id: int | None = None
    annotation_id: str | None = None
    span_id: str | None = None
    value: Any = None

    def location(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else (self.file or "<record>")]
        if self.pointer:
            parts.append(self.pointer)
        if self.task_id is not None:
            parts.append(f"task {self.task_id}")
        if self.annotation_id is not None:
            parts.append(f"annotation {self.annotation_id}")
        if self.doc_id:
            parts.append(f"doc {self.doc_id}")
        if self.span_id:
            parts.append(f"span {self.span_id}")
        return " ".join(parts)


@dataclass
class Report:
    """The outcome of validating inputs: records in = valid + invalid."""

    valid: int = 0
    invalid: int = 0
    cancelled: int = 0
    problems: list[Problem] = field(default_factory=list)
    stats: ReadStats = field(default_factory=ReadStats)

    @property
    def records(self) -> int:
        return self.valid + self.invalid

    @property
    def ok(self) -> bool:
        return self.invalid == 0


def json_path(parts: list[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def short(value: Any, limit: int = 200) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= limit else text[:limit] + "…"
    return value


def problem_json(problem: Problem) -> dict[str, Any]:
    return {k: v for k, v in asdict(problem).items() if v is not None}


def format_problems(report: Report, fmt: str) -> str:
    """Render problems and the summary as text, JSON, or GitHub workflow commands."""
    if fmt == "json":
        return json.dumps(
            {
                "records": report.records,
                "valid": report.valid,
                "invalid": report.invalid,
                "cancelled": report.cancelled,
                "tasks": report.stats.tasks,
                "tasks_without_annotations": report.stats.tasks_without_annotations,
                "failed_preannotation": report.stats.failed_preannotation,
                "failed_preannotation_examples": report.stats.failed_examples,
                "problems": [problem_json(p) for p in report.problems],
            },
            ensure_ascii=False,
            indent=2,
        )
    lines = []
    for p in report.problems:
        if fmt == "github":
            props = f"file={p.file}" + (f",line={p.line}" if p.line else "")
            message = (
                f"{p.location()} {p.path}: {p.message}".replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
            )
            lines.append(f"::error {props},title=annotate-kit {p.code}::{message}")
        else:
            lines.append(f"{p.location()} {p.path}: [{p.code}] {p.message}")
    lines.append(summary_line(report))
    return "\n".join(lines)


def summary_line(report: Report) -> str:
    extra = (
        f", {report.cancelled} of the valid ones cancelled (skipped)" if report.cancelled else ""
    )
    tasks = (
        f"; {report.stats.tasks_without_annotations} of {counted(report.stats.tasks, 'task')} "
        "had no annotation"
        if report.stats.tasks_without_annotations
        else ""
    )
    failed = report.stats.failed_preannotation
    failed_note = (
        f"; {failed} shard rows carry no predictions: their pre-annotation failed "
        f"({report.stats.failed_rows()}; every reason is in the shards' error column and "
        "_annotate_kit.json)"
        if failed
        else ""
    )
    return (
        f"{counted(report.records, 'record')}: {report.valid} valid, {report.invalid} invalid"
        f"{extra}{tasks}{failed_note}"
    )
