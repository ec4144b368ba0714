"""Validating a stream of items: reports every problem, sets invalid records aside (--rejects)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from annotate_kit.io.inputs import Item
from annotate_kit.scheme.schema import Scheme, load_scheme
from annotate_kit.validate.checks import check_record, span_ids_by_path, span_path
from annotate_kit.validate.problems import Problem, Report, problem_json, short


def validate_items(
    items: Iterator[Item], report: Report, scheme: Scheme | None = None
) -> Iterator[tuple[Item, list[Problem]]]:
    """Check each item, add its problems (with provenance) to the report, and pass it on."""
    scheme = scheme or load_scheme()
    for item in items:
        record = item.record
        annotation = record.get("annotation") if isinstance(record.get("annotation"), dict) else {}
        found = [
            Problem("E160", c.message, c.path, value=short(c.value)) for c in item.conversion
        ] + check_record(record, scheme)
        problems = []
        if found:
            context = {
                "file": item.file,
                "line": item.line,
                "pointer": item.pointer,
                "doc_id": record.get("doc_id") if isinstance(record.get("doc_id"), str) else None,
                "task_id": annotation.get("task_id"),
                "annotation_id": annotation.get("id"),
            }
            spans = span_ids_by_path(record)
            problems = [
                Problem(
                    **{
                        **asdict(p),
                        **context,
                        "span_id": p.span_id or spans.get(span_path(p.path)),
                    }
                )
                for p in found
            ]
        if problems:
            report.invalid += 1
            report.problems.extend(problems)
        else:
            report.valid += 1
            if annotation.get("cancelled"):
                report.cancelled += 1
        yield item, problems


def record_bar(progress: bool) -> Any:
    """A bar of validated records on stderr (a silent one when ``progress`` is off)."""
    from tqdm import tqdm

    return tqdm(desc="validate", unit="record", file=sys.stderr, disable=not progress)


def reject_entry(item: Item, problems: list[Problem]) -> str:
    """The line ``--rejects`` writes for an invalid record: where it was, why, and the record."""
    reject = {
        "source": {"file": item.file, "line": item.line, "pointer": item.pointer},
        "problems": [problem_json(p) for p in problems],
        "record": item.record,
    }
    return json.dumps(reject, ensure_ascii=False) + "\n"
