"""Arrow tables of documents and of tasks, and the one function every engine runs on them.

Why tables: Ray Data, Spark's ``mapInArrow``, ``datasets.map`` and a process pool all move
Arrow batches cheaply, so ``preannotate_table(table) -> table`` is the unit of work everywhere
and the local run and a cluster run give the same rows. A record travels as its JSON text (an
exact round trip: key order, floats, nulls), beside a few typed columns for ordering, selecting
and counting without parsing it. A document that fails comes back with its ``error`` and no
pre-annotation: reported, never dropped.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import pyarrow as pa

from annotate_kit.scheme.records import Record
from annotate_kit.scheme.tasks import record_to_task

logger = logging.getLogger(__name__)

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("ordinal", pa.int64(), nullable=False),  # position in the input, after dedup
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("lang", pa.string()),
        pa.field("record", pa.string(), nullable=False),  # the record as JSON
    ]
)
COUNTED = ("entities", "claims", "cues", "relations")
TASK_SCHEMA = pa.schema(
    [
        *DOCUMENT_SCHEMA,
        pa.field("model_version", pa.string()),  # null: not pre-annotated (or failed)
        *(pa.field(layer, pa.int32(), nullable=False) for layer in COUNTED),
        pa.field("check_worthy", pa.int32(), nullable=False),  # claims labelled CFS
        pa.field("error", pa.string()),  # why pre-annotation failed; null when it did not
    ]
)
DEFAULT_BATCH = 64  # documents per batch: small enough to spread over workers, large for spaCy


def record_json(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def document_table(records: Sequence[Record], *, start: int = 0) -> pa.Table:
    """Records (numbered from ``start``) as a table of ``DOCUMENT_SCHEMA``."""
    return pa.table(
        {
            "ordinal": pa.array(range(start, start + len(records)), pa.int64()),
            "doc_id": [r["doc_id"] for r in records],
            "lang": [r.get("lang") for r in records],
            "record": [record_json(r) for r in records],
        },
        schema=DOCUMENT_SCHEMA,
    )


def document_tables(records: Iterable[Record], *, size: int = DEFAULT_BATCH) -> Iterator[pa.Table]:
    """Consecutive tables of ``size`` documents: the partitioning by document count that
    spreads work evenly (Ray merges small files into one block otherwise: FACTS.md)."""
    if size < 1:
        raise ValueError(f"batch size must be >= 1 (got {size})")
    iterator, start = iter(records), 0
    while batch := list(islice(iterator, size)):
        yield document_table(batch, start=start)
        start += len(batch)


def table_records(table: pa.Table) -> list[Record]:
    """The records of a document or task table, in row order."""
    return [json.loads(text) for text in table.column("record").to_pylist()]


def task_of(record: Record) -> dict[str, Any]:
    """The Label Studio task of a row's record: predictions only when it was pre-annotated."""
    return record_to_task(
        record, model_version=(record.get("annotation") or {}).get("model_version")
    )
