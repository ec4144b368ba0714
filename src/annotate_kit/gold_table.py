"""The default config's tables, reusing the annotations config's where the rows are the same.

Where a document has one annotation, its gold is that annotation: the default config's row
is the annotations config's row plus a `gold` column. Both configs are cut into batches at
the same rows then (the same counts, added in turn), so a default batch can take the
annotations batch's table, built a moment before, and add only its `gold` column: turning
span structs into Arrow is the costliest step of an export. Any other batch is built from
its records. Either way the table is the same (test).
"""

from __future__ import annotations

from collections import deque
from operator import is_
from typing import Any

from annotate_kit.features import TableEncoder
from annotate_kit.records import Record


class RecordEncoder:
    """A TableEncoder of records that remembers its last tables and the records they hold."""

    def __init__(self, features: Any, *, keep: int = 3) -> None:
        """``keep``: how many tables to remember (one per split is enough: see GoldEncoder)."""
        self.inner = TableEncoder(features)
        self.schema = self.inner.schema
        self._recent: deque[tuple[list[Record], Any]] = deque(maxlen=keep)
        self.reused = 0  # tables given again by table_of

    def row(self, record: Record) -> tuple[Record, Any]:
        return record, self.inner.row(record)

    def table(self, rows: list[tuple[Record, Any]]) -> Any:
        table = self.inner.table([prepared for _, prepared in rows])
        self._recent.append(([record for record, _ in rows], table))
        return table

    def table_of(self, records: list[Record]) -> Any:
        """The table of exactly these record objects, in this order: remembered, or built."""
        for remembered, table in self._recent:
            if len(remembered) == len(records) and all(map(is_, remembered, records)):
                self.reused += 1
                return table
        return self.inner.table([self.inner.row(record) for record in records])


class GoldEncoder:
    """(gold record, provenance row) pairs -> tables of the default config's features."""

    def __init__(self, features: Any, records: RecordEncoder) -> None:
        """``features``: the records' features plus `gold`; ``records``: the annotations
        config's encoder, whose tables are reused."""
        from datasets import Features

        self.schema = features.arrow_schema
        self.records = records
        self.gold = TableEncoder(Features({"gold": features["gold"]}))

    def row(self, pair: tuple[Record, dict[str, Any]]) -> tuple[Record, Any]:
        record, gold = pair
        return record, self.gold.row({"gold": gold})

    def table(self, rows: list[tuple[Record, Any]]) -> Any:
        import pyarrow as pa

        spans = self.records.table_of([record for record, _ in rows])
        gold = self.gold.table([prepared for _, prepared in rows])
        return pa.Table.from_arrays([*spans.columns, gold.column("gold")], schema=self.schema)
