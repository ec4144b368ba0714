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

from annotate_kit.scheme.schema import Scheme, load_scheme, vocab_ref_name

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
        described = node.get("description") or (
            f"{scheme.vocabularies[vocab].title}: a label of `{vocab}` (see Labels)"
            if vocab
            else ""
        )
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


class TableEncoder:
    """Records as they are (label names, open objects) -> Arrow tables of ``features``.

    Per value, Python only serialises the few open objects (`Json`); label names become
    ClassLabel ids in Arrow, a whole column at a time. Encoding each value in Python was half
    of an export's time (as ``Features.encode_example`` is for datasets: FACTS.md).
    """

    def __init__(self, features: Any) -> None:
        self.schema = features.arrow_schema
        self._features = dict(features)
        self._prepare = _json_encoder(self._features) or (lambda value: value)
        self._storage = storage_schema(self.schema)
        self._raw = _raw_schema(self._features, self.schema)

    def row(self, record: dict[str, Any]) -> dict[str, Any]:
        """What to buffer for one row: the record with its open objects as JSON text."""
        return self._prepare(record)

    def table(self, rows: list[dict[str, Any]]) -> Any:
        """A table of ``features.arrow_schema`` from buffered rows; unknown labels raise."""
        import pyarrow as pa

        raw = pa.Table.from_pylist(rows, schema=self._raw)
        columns = [
            _labels_to_ids(raw.column(name).combine_chunks(), feature, name)
            for name, feature in self._features.items()
        ]
        return pa.Table.from_arrays(columns, schema=self._storage).cast(self.schema)


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


def _json_encoder(feature: Any) -> Encoder | None:
    """JSON text for the `Json` values under ``feature``; None when there are none."""
    from datasets import Json, List

    if isinstance(feature, Json):
        return lambda value: None if value is None else json.dumps(value, ensure_ascii=False)
    if isinstance(feature, List):
        item = _json_encoder(feature.feature)
        if item is None:
            return None
        return lambda value: None if value is None else [item(v) for v in value]
    if not isinstance(feature, dict):
        return None
    fields = [(name, enc) for name, sub in feature.items() if (enc := _json_encoder(sub))]
    if not fields:
        return None

    def encode_struct(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        changed = {name: enc(value[name]) for name, enc in fields if name in value}
        return {**value, **changed} if changed else value

    return encode_struct


def _raw_schema(features: dict[str, Any], schema: Any) -> Any:
    """``schema`` with every ClassLabel as a string (its name) and `Json` as its storage."""
    import pyarrow as pa

    return pa.schema(
        [
            schema.field(name).with_type(_raw_type(f, schema.field(name).type))
            for name, f in features.items()
        ]
    )


def _raw_type(feature: Any, kind: Any) -> Any:
    import pyarrow as pa
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        return pa.string()
    if isinstance(feature, dict):
        return pa.struct(
            [
                kind.field(name).with_type(_raw_type(sub, kind.field(name).type))
                for name, sub in feature.items()
            ]
        )
    if isinstance(feature, List):
        return pa.list_(kind.value_field.with_type(_raw_type(feature.feature, kind.value_type)))
    return storage_schema(pa.schema([pa.field("x", kind)])).field("x").type


def _has_labels(feature: Any) -> bool:
    from datasets import ClassLabel, List

    if isinstance(feature, ClassLabel):
        return True
    if isinstance(feature, List):
        return _has_labels(feature.feature)
    return isinstance(feature, dict) and any(map(_has_labels, feature.values()))


def _labels_to_ids(array: Any, feature: Any, path: str) -> Any:
    """Label names to ClassLabel ids throughout ``array`` (a contiguous, unsliced array)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    from datasets import ClassLabel, List

    if not _has_labels(feature):
        return array
    if isinstance(feature, ClassLabel):
        ids = pc.index_in(array, value_set=pa.array(feature.names, pa.string()))
        if ids.null_count != array.null_count:
            unknown = pc.unique(pc.filter(array, pc.and_(ids.is_null(), array.is_valid())))
            raise ValueError(f"{path}: labels not in the vocabulary: {unknown.to_pylist()}")
        return ids.cast(pa.int64())
    mask = array.is_null() if array.null_count else None
    if isinstance(feature, List):
        values = _labels_to_ids(array.values, feature.feature, f"{path}[]")
        return pa.ListArray.from_arrays(array.offsets, values, mask=mask)
    children = [  # flatten(): a child of a null struct is null (not the "" Arrow left there)
        _labels_to_ids(child, sub, f"{path}.{name}")
        for child, (name, sub) in zip(array.flatten(), feature.items(), strict=True)
    ]
    return pa.StructArray.from_arrays(children, names=list(feature), mask=mask)


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
