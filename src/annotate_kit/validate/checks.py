"""Records -> problems: the JSON Schema plus what a schema cannot say.

Problems are data (one per fault, with file, task, annotation, span and JSON path); the CLI
picks the exit code. The schema check runs on jsonschema-rs (all errors, 2020-12); the
offset and relation pass is ours, written to stay close to the schema check's speed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs

from annotate_kit.scheme.records import SPAN_LAYERS, Record, text_sha256
from annotate_kit.scheme.schema import Scheme, load_scheme
from annotate_kit.validate.problems import Problem, json_path, short
from annotate_kit.validate.quickcheck import certainly_clean, relation_rules


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
                json_path(error.instance_path),
                value=short(error.instance),
            )
            for error in validator.iter_errors(record)
        )
    problems.extend(_semantic_problems(record, scheme))
    return problems


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
        if isinstance(rel_id, str) and rel_id in seen_ids:  # others: the schema's E101
            problems.append(
                Problem("E124", f"relation id {rel_id!r} is used twice", f"$.relations[{index}].id")
            )
        if isinstance(rel_id, str):
            seen_ids.add(rel_id)
        link = (kind, head, tail)
        hashable = all(isinstance(part, str | None) for part in link)
        if hashable and isinstance(kind, str) and link in seen_links:
            problems.append(
                Problem(
                    "E123",
                    f"relation {kind} {head} -> {tail} appears twice",
                    f"$.relations[{index}]",
                )
            )
        if hashable:
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
            cue_type = cue_types.get(head)  # any JSON value: the schema reports a bad label
            expected = cue_relation.get(cue_type) if isinstance(cue_type, str) else None
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
        elif kind in ("AUTHOR", "UNSPECIFIED") and sid in sourced:  # a tuple: kind may be a list
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


def span_path(path: str) -> str:
    """'$.claims[2].factuality' -> '$.claims[2]'."""
    for layer in SPAN_LAYERS:
        prefix = f"$.{layer}["
        if path.startswith(prefix):
            return path[: path.index("]", len(prefix)) + 1]
    return ""


def span_ids_by_path(record: Record) -> dict[str, str]:
    found = {}
    for layer in SPAN_LAYERS:
        spans = record.get(layer)
        for index, span in enumerate(spans if isinstance(spans, list) else ()):
            if isinstance(span, dict) and isinstance(span.get("id"), str):
                found[f"$.{layer}[{index}]"] = span["id"]
    return found
