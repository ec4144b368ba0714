"""Hugging Face `datasets.Features` and row encoders, derived from the record schema.

Vocabularies and inline enums become ClassLabels, arrays become `List` (not `Sequence`,
which turns a list of dicts into a dict of lists), open objects become `Json`. Rows are
encoded here, not by `Features.encode_example`, which is the slow part of building a
dataset (FACTS.md); the encoder is compiled once from the same schema walk.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from annotate_kit.schema import Scheme, load_scheme, vocab_ref_name

Encoder = Callable[[Any], Any]


def record_features(scheme: Scheme | None = None) -> Any:
    """The `datasets.Features` of the span-based (default) export."""
    from datasets import Features  # imported here: datasets costs ~0.6 s to import

    scheme = scheme or load_scheme()
    root = scheme.record_schema
    return Features({name: _feature(sub, root, scheme) for name, sub in root["properties"].items()})


def field_docs(scheme: Scheme | None = None) -> list[tuple[str, str, str]]:
    """(dotted field name, type, description) for every field, for the dataset card."""
    scheme = scheme or load_scheme()
    root = scheme.record_schema
    rows: list[tuple[str, str, str]] = []

    def walk(prefix: str, node: dict[str, Any]) -> None:
        node = _resolved(node, root)
        vocab = vocab_ref_name(node.get("$ref", ""))
        kind = _type_name(node)
        described = node.get("description") or (scheme.vocabularies[vocab].title if vocab else "")
        rows.append((prefix, kind, described))
        if vocab is None and "items" in node:
            for name, sub in _properties(_resolved(node["items"], root), root).items():
                walk(f"{prefix}[].{name}", sub)
        elif vocab is None and "properties" in node:
            for name, sub in _properties(node, root).items():
                walk(f"{prefix}.{name}", sub)

    for name, sub in root["properties"].items():
        walk(name, sub)
    return rows


def row_encoder(features: Any) -> Encoder:
    """A function turning a record into a row for `pa.Table.from_pylist(schema=features.arrow_schema)`."""
    return _encoder(dict(features))


def _feature(node: dict[str, Any], root: dict[str, Any], scheme: Scheme) -> Any:
    from datasets import ClassLabel, Json, List, Value

    vocab = vocab_ref_name(node.get("$ref", ""))
    if vocab is not None:
        return ClassLabel(names=list(scheme.labels(vocab)))
    node = _resolved(node, root)
    if "enum" in node:
        return ClassLabel(names=list(node["enum"]))
    types = node.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "array" in types:
        return List(_feature(node["items"], root, scheme))
    if "object" in types:
        props = _properties(node, root)
        if not props:
            return Json()
        return {name: _feature(sub, root, scheme) for name, sub in props.items()}
    if "properties" in node:
        return {name: _feature(sub, root, scheme) for name, sub in _properties(node, root).items()}
    for json_type, value in (
        ("string", "string"),
        ("integer", "int64"),
        ("number", "float64"),
        ("boolean", "bool"),
    ):
        if json_type in types:
            return Value(value)
    raise ValueError(f"no dataset feature for schema node {node}")


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow a local $ref ('#/$defs/X'), merging the referring node's own keywords."""
    ref = node.get("$ref", "")
    if not ref.startswith("#/$defs/"):
        return node
    target = _resolved(root["$defs"][ref.rsplit("/", 1)[-1]], root)
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    if "properties" in target and "properties" in node:
        merged["properties"] = {**target["properties"], **node["properties"]}
    return merged


def _properties(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    return _resolved(node, root).get("properties", {})


def _type_name(node: dict[str, Any]) -> str:
    vocab = vocab_ref_name(node.get("$ref", ""))
    if vocab is not None:
        return f"ClassLabel ({vocab})"
    if "enum" in node:
        return "ClassLabel (" + ", ".join(node["enum"]) + ")"
    types = node.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "array" in types:
        return "list"
    if "object" in types or "properties" in node:
        return "struct" if node.get("properties") else "JSON"
    return " or ".join(types) or "struct"


def _encoder(feature: Any) -> Encoder:
    from datasets import ClassLabel, Json, List

    if isinstance(feature, dict):
        fields = [(name, _encoder(sub)) for name, sub in feature.items()]

        def encode_struct(value: Any) -> Any:
            if value is None:
                return None
            get = value.get
            return {name: enc(get(name)) for name, enc in fields}

        return encode_struct
    if isinstance(feature, List):
        item = _encoder(feature.feature)
        return lambda value: None if value is None else [item(v) for v in value]
    if isinstance(feature, ClassLabel):
        index = {name: i for i, name in enumerate(feature.names)}
        return lambda value: None if value is None else index[value]
    if isinstance(feature, Json):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    return lambda value: value


def storage_schema(schema: Any) -> Any:
    """The Arrow schema with extension types (Json) replaced by their storage types.

    `pa.Table.from_pylist` cannot build extension arrays; build on storage, then `cast(schema)`.
    """
    import pyarrow as pa

    def plain(kind: Any) -> Any:
        if isinstance(kind, pa.BaseExtensionType):
            return plain(kind.storage_type)
        if pa.types.is_struct(kind):
            return pa.struct(
                [kind.field(i).with_type(plain(kind.field(i).type)) for i in range(kind.num_fields)]
            )
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            item = kind.value_field.with_type(plain(kind.value_type))
            return pa.large_list(item) if pa.types.is_large_list(kind) else pa.list_(item)
        return kind

    return pa.schema([f.with_type(plain(f.type)) for f in schema], metadata=schema.metadata)
