"""Label Studio's JSON shapes <-> annotation records. Pure: no network.

Control names come from the scheme: one Labels control per span layer, named after the
layer ("entities", "claims", "cues"); one per-region Choices control per span attribute,
named after the attribute ("factuality", ...); the object tag is "text". Label Studio 1.23
stores Python code-point offsets (checked in its real UI), so offsets pass through unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotate_kit.scheme.records import SPAN_LAYERS, Record, text_sha256
from annotate_kit.scheme.schema import Scheme, load_scheme

TEXT_TAG = "text"
RELATIONS_TAG = "relations"


@dataclass(frozen=True)
class ConversionProblem:
    """Something in a Label Studio annotation that cannot become part of a record."""

    path: str  # JSON path inside the Label Studio export
    message: str
    value: Any = None


def task_data(record: Record) -> dict[str, Any]:
    """The task's data: the text plus the stable key Label Studio filters on (data.doc_id)."""
    data = {
        "text": record["text"],
        "doc_id": record["doc_id"],
        "lang": record["lang"],
        "text_sha256": record["text_sha256"],
        "schema_version": record["schema_version"],
    }
    for key in ("meta", "blocks"):
        if key in record:
            data[key] = record[key]
    return data


def record_to_results(record: Record, *, scheme: Scheme | None = None) -> list[dict[str, Any]]:
    """Spans, attributes and relations as a Label Studio result list."""
    scheme = scheme or load_scheme()
    results: list[dict[str, Any]] = []
    for layer_key in SPAN_LAYERS:
        layer = scheme.layers[layer_key]
        for span in record.get(layer_key, ()):
            value = {"start": span["start"], "end": span["end"], "text": span["text"]}
            label = span.get("label", layer.fixed_label)
            item = _region(span["id"], layer_key, "labels", {**value, "labels": [label]})
            if span.get("score") is not None:
                item["score"] = span["score"]
            results.append(item)
            for attribute in layer.attributes:
                if span.get(attribute) is not None:
                    choice = {**value, "choices": [span[attribute]]}
                    results.append(_region(span["id"], attribute, "choices", choice))
    results.extend(
        {
            "from_id": relation["head"],
            "to_id": relation["tail"],
            "type": "relation",
            "direction": "right",
            "labels": [relation["type"]],
        }
        for relation in record.get("relations", ())
    )
    return results


def record_to_task(record: Record, *, model_version: str | None = None) -> dict[str, Any]:
    """A Label Studio task; a record with spans becomes a prediction of model_version."""
    task: dict[str, Any] = {"data": task_data(record)}
    if model_version is not None:
        task["predictions"] = [
            {"model_version": model_version, "result": record_to_results(record)}
        ]
    return task


def task_to_record(
    task: dict[str, Any],
    annotation: dict[str, Any],
    *,
    path: str,
    origin: str = "manual",
    scheme: Scheme | None = None,
) -> tuple[Record, list[ConversionProblem]]:
    """One Label Studio annotation (or prediction) as a record, plus what could not be placed.

    Nothing is dropped quietly: a result that fits no layer becomes a problem, and span
    attributes the annotator left empty stay None so that validation names them.
    """
    scheme = scheme or load_scheme()
    data = task.get("data") or {}
    text = data.get("text", "")
    problems: list[ConversionProblem] = []
    record: Record = {
        "schema_version": data.get("schema_version", scheme.version),
        "doc_id": data.get("doc_id") or f"ls-task-{task.get('id')}",
        "lang": data.get("lang", "und"),
        "text": text,
        "text_sha256": data.get("text_sha256") or text_sha256(text),
    }
    if isinstance(data.get("meta"), dict):
        record["meta"] = data["meta"]
    if isinstance(data.get("blocks"), list):
        record["blocks"] = data["blocks"]
    record["annotation"] = _annotation_info(task, annotation, origin)
    record.update({layer: [] for layer in SPAN_LAYERS})
    record["relations"] = []

    result = annotation.get("result")
    if result is None:
        result = []
    if not isinstance(result, list):
        problems.append(ConversionProblem(f"{path}.result", "result is not a list", result))
        result = []

    attribute_layer = {
        attribute: layer.key for layer in scheme.layers.values() for attribute in layer.attributes
    }
    regions: dict[str, tuple[str, dict[str, Any]]] = {}
    pending_choices: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(result):
        where = f"{path}.result[{index}]"
        if not isinstance(item, dict):
            problems.append(ConversionProblem(where, "result item is not an object", item))
            continue
        kind = item.get("type")
        from_name = item.get("from_name")
        if not isinstance(kind, str | None) or not isinstance(from_name, str | None):
            problems.append(ConversionProblem(where, "type or from_name is not a string", item))
            continue
        if kind != "relation" and not isinstance(item.get("value", {}), dict):
            problems.append(ConversionProblem(f"{where}.value", "value is not an object", item))
            continue
        if kind == "relation":
            record["relations"].append(_relation(item, len(record["relations"]) + 1))
        elif kind == "labels" and from_name in scheme.layers:
            span = _span(item, from_name, scheme)
            if span["id"] in regions:
                problems.append(ConversionProblem(where, f"region id {span['id']!r} repeated"))
                continue
            regions[span["id"]] = (from_name, span)
            record[from_name].append(span)
        elif kind == "choices" and from_name in attribute_layer:
            pending_choices.append((index, item))
        elif kind in {"textarea", "choices"} and item.get("to_name") == TEXT_TAG:
            continue  # document-level notes and choices are not part of the scheme
        else:
            problems.append(
                ConversionProblem(
                    where,
                    f"result of type {kind!r} from control {from_name!r} fits no layer of the "
                    "annotate-kit scheme (was the project's labeling config changed?)",
                    {"type": kind, "from_name": from_name},
                )
            )
    for index, item in pending_choices:
        where = f"{path}.result[{index}]"
        region = regions.get(str(item.get("id", "")))
        attribute = item["from_name"]
        if region is None or region[0] != attribute_layer[attribute]:
            problems.append(
                ConversionProblem(
                    where,
                    f"choice {attribute!r} belongs to region {item.get('id')!r}, "
                    f"which is not a span of layer {attribute_layer[attribute]!r}",
                )
            )
            continue
        choices = _listed((item.get("value") or {}).get("choices")) or [None]
        region[1][attribute] = choices[0]
        if len(choices) > 1:
            problems.append(ConversionProblem(where, f"several {attribute} choices", choices))
    return record, problems


def _listed(value: Any) -> list[Any] | None:
    """A list of labels or choices as sent; anything else kept whole, for the schema to reject."""
    if value is None or value == []:
        return None
    return value if isinstance(value, list) else [value]


def _region(region_id: str, from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": from_name,
        "to_name": TEXT_TAG,
        "type": kind,
        "origin": "prediction",
        "value": value,
    }


def _span(item: dict[str, Any], layer_key: str, scheme: Scheme) -> dict[str, Any]:
    value = item.get("value") or {}
    layer = scheme.layers[layer_key]
    span: dict[str, Any] = {
        "id": str(item.get("id", "")),
        "start": value.get("start"),
        "end": value.get("end"),
        "text": value.get("text"),
    }
    labels = _listed(value.get("labels")) or [None]
    if layer.label_vocab is not None:
        span["label"] = labels[0] if len(labels) == 1 else labels
    else:
        span.update(dict.fromkeys(layer.attributes))
    if isinstance(item.get("score"), int | float):
        span["score"] = float(item["score"])
    return span


def _relation(item: dict[str, Any], number: int) -> dict[str, Any]:
    labels = _listed(item.get("labels")) or []
    return {
        "id": f"r{number}",
        "type": labels[0] if len(labels) == 1 else (labels or None),
        "head": item.get("from_id"),
        "tail": item.get("to_id"),
    }


def _annotation_info(task: dict[str, Any], annotation: dict[str, Any], origin: str) -> dict:
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    return {
        "id": None if annotation.get("id") is None else str(annotation["id"]),
        "task_id": task.get("id") if isinstance(task.get("id"), int) else None,
        "annotator": None if who is None else str(who),
        "origin": origin,
        "ground_truth": bool(annotation.get("ground_truth", False)),
        "cancelled": bool(annotation.get("was_cancelled", False)),
        "created_at": annotation.get("created_at"),
        "updated_at": annotation.get("updated_at"),
        "lead_time": annotation.get("lead_time"),
        "model_version": annotation.get("model_version"),
    }
