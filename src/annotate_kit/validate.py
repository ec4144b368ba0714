"""Records -> problems: the JSON Schema plus what a schema cannot say.

Problems are data (one per fault, with file, task, annotation, span and JSON path); the CLI
picks the exit code. The schema check runs on jsonschema-rs (all errors, 2020-12); the
offset and relation pass is ours, written to stay close to the schema check's speed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TextIO

import jsonschema_rs

from annotate_kit.inputs import Item, ReadStats, iter_items
from annotate_kit.quickcheck import certainly_clean, relation_rules
from annotate_kit.records import SPAN_LAYERS, Record, text_sha256
from annotate_kit.schema import Scheme, load_scheme


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


@cache
def _schema_validator(scheme: Scheme) -> Any:
    return jsonschema_rs.Draft202012Validator(scheme.validator_schema())


def check_record(record: Any, scheme: Scheme | None = None) -> list[Problem]:
    """Every problem of one record, without provenance (see validate_items for that)."""
    scheme = scheme or load_scheme()
    if not isinstance(record, dict):
        return [Problem("E101", "a record must be a JSON object", "$", value=type(record).__name__)]
    version = record.get("schema_version")
    if isinstance(version, str) and version.split(".", 1)[0] != str(scheme.major):
        return [
            Problem(
                "E102",
                f"record follows scheme version {version}; this annotate-kit reads "
                f"{scheme.major}.x (schema/ {scheme.version}): convert it or use a matching release",
                "$.schema_version",
                value=version,
            )
        ]
    problems: list[Problem] = []
    validator = _schema_validator(scheme)
    if validator.is_valid(record):
        if certainly_clean(record, scheme):
            return problems
    else:
        problems.extend(
            Problem(
                "E101",
                _schema_message(error, scheme),
                _json_path(error.instance_path),
                value=_short(error.instance),
            )
            for error in validator.iter_errors(record)
        )
    problems.extend(_semantic_problems(record, scheme))
    return problems


def validate_items(
    items: Iterator[Item], report: Report, scheme: Scheme | None = None
) -> Iterator[tuple[Item, list[Problem]]]:
    """Check each item, add its problems (with provenance) to the report, and pass it on."""
    scheme = scheme or load_scheme()
    for item in items:
        record = item.record
        annotation = record.get("annotation") if isinstance(record.get("annotation"), dict) else {}
        found = [
            Problem("E160", c.message, c.path, value=_short(c.value)) for c in item.conversion
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
            spans = _span_ids_by_path(record)
            problems = [
                Problem(
                    **{
                        **asdict(p),
                        **context,
                        "span_id": p.span_id or spans.get(_span_path(p.path)),
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


def validate_paths(
    paths: list[str | Path],
    *,
    rejects: TextIO | None = None,
    workers: int = 1,
    progress: bool = False,
) -> Report:
    """Validate every record in the files; write invalid ones (with their problems) to rejects.

    ``workers > 1`` parses and checks in that many processes (validate_workers.py): the same
    report, in the same order. ``progress`` shows a bar of records on stderr.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1 (got {workers})")
    if workers > 1:
        from annotate_kit.validate_workers import validate_in_workers

        return validate_in_workers(paths, workers=workers, rejects=rejects, progress=progress)
    report = Report()
    with record_bar(progress) as bar:
        for item, problems in validate_items(iter_items(paths, report.stats), report):
            bar.update()
            if problems and rejects is not None:
                rejects.write(reject_entry(item, problems))
    return report


def record_bar(progress: bool) -> Any:
    """A bar of validated records on stderr (a silent one when ``progress`` is off)."""
    from tqdm import tqdm

    return tqdm(desc="validate", unit="record", file=sys.stderr, disable=not progress)


def reject_entry(item: Item, problems: list[Problem]) -> str:
    """The line ``--rejects`` writes for an invalid record: where it was, why, and the record."""
    reject = {
        "source": {"file": item.file, "line": item.line, "pointer": item.pointer},
        "problems": [_problem_json(p) for p in problems],
        "record": item.record,
    }
    return json.dumps(reject, ensure_ascii=False) + "\n"


def _semantic_problems(record: dict[str, Any], scheme: Scheme) -> list[Problem]:
    problems: list[Problem] = []
    text = record.get("text")
    if not isinstance(text, str):
        return problems
    if isinstance(record.get("text_sha256"), str) and record["text_sha256"] != text_sha256(text):
        problems.append(
            Problem(
                "E103",
                "text_sha256 does not match the text: the text changed under its annotations",
                "$.text_sha256",
            )
        )
    size = len(text)
    layer_of: dict[str, str] = {}
    cue_types: dict[str, Any] = {}
    span_count = 0
    for layer in SPAN_LAYERS:
        spans = record.get(layer)
        if not isinstance(spans, list):
            continue
        span_count += len(spans)
        is_cue = layer == "cues"
        for index, span in enumerate(spans):
            if not isinstance(span, dict):
                continue
            get = span.get
            span_id, start, end = get("id"), _whole(get("start")), _whole(get("end"))
            if type(span_id) is str:
                if span_id in layer_of:
                    problems.append(
                        Problem(
                            "E112",
                            f"span id {span_id!r} is used twice (also in {layer_of[span_id]})",
                            f"$.{layer}[{index}].id",
                            span_id=span_id,
                        )
                    )
                layer_of[span_id] = layer
                if is_cue:
                    cue_types[span_id] = get("label")
            if type(start) is not int or type(end) is not int:
                continue  # the schema check reports it
            if not 0 <= start < end <= size:
                problems.append(
                    Problem(
                        "E110",
                        f"offsets {start}..{end} are outside the text (0..{size}) or empty",
                        f"$.{layer}[{index}].start",
                        span_id=span_id,
                        value=[start, end],
                    )
                )
            elif text[start:end] != get("text"):
                problems.append(
                    Problem(
                        "E111",
                        f"span text {get('text')!r} is not text[{start}:{end}] = {text[start:end]!r}",
                        f"$.{layer}[{index}].text",
                        span_id=span_id,
                        value=get("text"),
                    )
                )
    annotation = record.get("annotation")
    if isinstance(annotation, dict) and annotation.get("cancelled") and span_count:
        problems.append(
            Problem(
                "E140",
                f"a cancelled (skipped) annotation has {span_count} spans",
                "$.annotation.cancelled",
            )
        )
    problems.extend(_relation_problems(record, scheme, layer_of, cue_types))
    blocks = record.get("blocks")
    if isinstance(blocks, list):
        for index, block in enumerate(blocks):
            if not isinstance(block, dict):
                continue
            start, end = _whole(block.get("start")), _whole(block.get("end"))
            if type(start) is int and type(end) is int and not 0 <= start <= end <= size:
                problems.append(
                    Problem(
                        "E150",
                        f"block {block['start']}..{block['end']} is outside the text (0..{size})",
                        f"$.blocks[{index}]",
                    )
                )
    return problems


def _relation_problems(
    record: dict[str, Any],
    scheme: Scheme,
    layer_of: dict[str, str],
    cue_types: dict[str, Any],
) -> list[Problem]:
    problems: list[Problem] = []
    relations = record.get("relations")
    relations = relations if isinstance(relations, list) else []
    rules, cue_relation = relation_rules(scheme)
    attached: set[str] = set()
    sourced: set[str] = set()
    seen_ids: set[str] = set()
    seen_links: set[tuple[Any, Any, Any]] = set()
    for index, relation in enumerate(relations):
        if not isinstance(relation, dict):
            continue
        get = relation.get
        rel_id, kind, head, tail = get("id"), get("type"), get("head"), get("tail")
        if rel_id in seen_ids:
            problems.append(
                Problem("E124", f"relation id {rel_id!r} is used twice", f"$.relations[{index}].id")
            )
        if isinstance(rel_id, str):
            seen_ids.add(rel_id)
        link = (kind, head, tail)
        if isinstance(kind, str) and link in seen_links:
            problems.append(
                Problem(
                    "E123",
                    f"relation {kind} {head} -> {tail} appears twice",
                    f"$.relations[{index}]",
                )
            )
        seen_links.add(link)
        head_layer = layer_of.get(head) if isinstance(head, str) else None
        tail_layer = layer_of.get(tail) if isinstance(tail, str) else None
        if head_layer is None or tail_layer is None:
            for end_name, end, found in (("head", head, head_layer), ("tail", tail, tail_layer)):
                if isinstance(end, str) and found is None:
                    problems.append(
                        Problem(
                            "E120",
                            f"relation {end_name} {end!r} is not a span of this record",
                            f"$.relations[{index}].{end_name}",
                            value=end,
                        )
                    )
            continue
        rule = rules.get(kind) if isinstance(kind, str) else None
        if rule is None:
            continue  # the schema check reports an unknown or missing type
        heads, tails, wanted = rule
        if head_layer not in heads or tail_layer not in tails:
            for end_name, end, found, allowed in (
                ("head", head, head_layer, heads),
                ("tail", tail, tail_layer, tails),
            ):
                if found not in allowed:
                    problems.append(
                        Problem(
                            "E121",
                            f"{kind} needs a {end_name} in {' or '.join(allowed)}, but {end!r} is in {found}",
                            f"$.relations[{index}].{end_name}",
                            value=end,
                        )
                    )
            continue
        if wanted:
            expected = cue_relation.get(cue_types.get(head))
            if expected is not None and expected != kind:
                problems.append(
                    Problem(
                        "E122",
                        f"a {cue_types[head]} cue links to its claim with {expected}, not {kind}",
                        f"$.relations[{index}].type",
                        span_id=head,
                        value=kind,
                    )
                )
            attached.add(head)
        elif kind == "SOURCE_OF":
            sourced.add(tail)
    cues = record.get("cues")
    for index, span in enumerate(cues if isinstance(cues, list) else ()):
        if (
            isinstance(span, dict)
            and isinstance(span.get("id"), str)
            and span["id"] not in attached
        ):
            problems.append(
                Problem(
                    "E130",
                    f"cue {span['id']!r} is attached to no claim (add CUE_OF or SCOPES_OVER)",
                    f"$.cues[{index}]",
                    span_id=span["id"],
                )
            )
    claims = record.get("claims")
    for index, span in enumerate(claims if isinstance(claims, list) else ()):
        if not isinstance(span, dict) or not isinstance(span.get("id"), str):
            continue
        kind, sid = span.get("source_kind"), span["id"]
        if kind == "MENTION" and sid not in sourced:
            problems.append(
                Problem(
                    "E131",
                    f"claim {sid!r} has source_kind MENTION but no SOURCE_OF relation",
                    f"$.claims[{index}]",
                    span_id=sid,
                )
            )
        elif kind in {"AUTHOR", "UNSPECIFIED"} and sid in sourced:
            problems.append(
                Problem(
                    "E132",
                    f"claim {sid!r} has source_kind {kind} but a SOURCE_OF relation",
                    f"$.claims[{index}]",
                    span_id=sid,
                )
            )
    return problems


def _whole(offset: Any) -> Any:
    """3.0 as 3: JSON Schema counts an integral number as an integer, so its offset is checked."""
    return int(offset) if type(offset) is float and offset.is_integer() else offset


def _schema_message(error: Any, scheme: Scheme) -> str:
    """jsonschema-rs's message, except that a label outside a vocabulary names the vocabulary."""
    if isinstance(error.kind, jsonschema_rs.ValidationErrorKind.Enum):
        options = tuple(error.kind.options)
        for vocab in scheme.vocabularies.values():
            if vocab.names == options:
                return f"{error.instance!r} is not in the {vocab.name} vocabulary; allowed: {', '.join(options)}"
        return f"{error.instance!r} is not one of: {', '.join(map(str, options))}"
    return error.message


def _json_path(parts: list[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _span_path(path: str) -> str:
    """'$.claims[2].factuality' -> '$.claims[2]'."""
    for layer in SPAN_LAYERS:
        prefix = f"$.{layer}["
        if path.startswith(prefix):
            return path[: path.index("]", len(prefix)) + 1]
    return ""


def _span_ids_by_path(record: Record) -> dict[str, str]:
    found = {}
    for layer in SPAN_LAYERS:
        spans = record.get(layer)
        for index, span in enumerate(spans if isinstance(spans, list) else ()):
            if isinstance(span, dict) and isinstance(span.get("id"), str):
                found[f"$.{layer}[{index}]"] = span["id"]
    return found


def _short(value: Any, limit: int = 200) -> Any:
    if isinstance(value, str) and len(value) > limit:
        return value[:limit] + "…"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
        return value if len(text) <= limit else text[:limit] + "…"
    return value


def _problem_json(problem: Problem) -> dict[str, Any]:
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
                "problems": [_problem_json(p) for p in report.problems],
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
        f"; {report.stats.tasks_without_annotations} of {report.stats.tasks} tasks had no annotation"
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
        f"{report.records} records: {report.valid} valid, {report.invalid} invalid"
        f"{extra}{tasks}{failed_note}"
    )
