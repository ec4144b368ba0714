"""Deprecated: ``annotate_kit.batches`` was split into ``annotate_kit.io.tables`` (task tables)
and ``annotate_kit.engines`` (running pre-annotation over them). Kept for one release."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

_MOVED = {
    "COUNTED": "annotate_kit.io.tables",
    "DEFAULT_BATCH": "annotate_kit.io.tables",
    "DOCUMENT_SCHEMA": "annotate_kit.io.tables",
    "TASK_SCHEMA": "annotate_kit.io.tables",
    "document_table": "annotate_kit.io.tables",
    "document_tables": "annotate_kit.io.tables",
    "table_records": "annotate_kit.io.tables",
    "task_of": "annotate_kit.io.tables",
    "TablePreannotator": "annotate_kit.engines.local",
    "preannotate_batches": "annotate_kit.engines.local",
    "preannotate_table": "annotate_kit.engines.local",
    "preannotate_tables": "annotate_kit.engines.local",
    "spark_ddl": "annotate_kit.engines.spark",
}


def __getattr__(name: str) -> Any:
    module = _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'annotate_kit.batches' has no attribute {name!r}")
    warnings.warn(
        f"annotate_kit.batches.{name} moved to {module}.{name}; the old path goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(importlib.import_module(module), name)
