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
from itertools import chain
from operator import is_
from typing import Any

from annotate_kit.agreement.adjudicate import Adjudication
from annotate_kit.export.features import TableEncoder
from annotate_kit.scheme.records import Record


class RecordEncoder:
    """A TableEncoder of records that remembers its last tables and the records they hold."""

    def __init__(self, features: Any, *, keep: int = 3) -> None:
        """``keep``: how many tables to remember: one per split, since a split's default batch
        is built right after its annotations batch (and the splits close one after another)."""
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
        for number, (remembered, table) in enumerate(self._recent):
            if len(remembered) == len(records) and all(map(is_, remembered, records)):
                del self._recent[number]  # asked for once: its records can go now
                self.reused += 1
                return table
        return self.inner.table([self.inner.row(record) for record in records])


class GoldEncoder:
    """(gold record, Adjudication) pairs -> tables of the default config's features.

    The `gold` column is built from the adjudications' fields, a column at a time: a seed-sized
    document has ~140 sources, and as rows of dicts (provenance_row) they cost as much as its
    spans. The column equals the one made from provenance_row's dicts (test).
    """

    def __init__(self, features: Any, records: RecordEncoder) -> None:
        """``features``: the records' features plus `gold`; ``records``: the annotations
        config's encoder, whose tables are reused."""
        self.schema = features.arrow_schema
        self.records = records
        self._gold_type = self.schema.field("gold").type

    def row(self, pair: tuple[Record, Adjudication]) -> tuple[Record, Adjudication]:
        return pair

    def table(self, rows: list[tuple[Record, Adjudication]]) -> Any:
        import pyarrow as pa

        spans = self.records.table_of([record for record, _ in rows])
        gold = gold_column([result for _, result in rows], self._gold_type)
        return pa.Table.from_arrays([*spans.columns, gold], schema=self.schema)


def gold_column(results: list[Adjudication], kind: Any) -> Any:
    """The `gold` struct array (``kind``: its Arrow type, of provenance_feature) of ``results``."""
    import pyarrow as pa

    sources = [source for result in results for source in result.sources]
    candidates = _lists([result.candidates for result in results], kind.field("candidates").type)
    source_structs = pa.StructArray.from_arrays(
        [
            pa.array([source.item for source in sources], type=pa.string()),
            _lists([source.annotations for source in sources], _item_type(kind, "sources", 1)),
        ],
        fields=list(_item_type(kind, "sources")),
    )
    conflicts = pa.array(
        [
            [{**c.__dict__, "annotations": list(c.annotations)} for c in result.conflicts]
            for result in results
        ],
        type=kind.field("conflicts").type,
    )
    return pa.StructArray.from_arrays(
        [
            pa.array([result.step for result in results], type=pa.string()),
            candidates,
            pa.ListArray.from_arrays(
                _offsets([len(result.sources) for result in results]),
                source_structs,
                type=kind.field("sources").type,
            ),
            conflicts,
        ],
        fields=list(kind),
    )


def _item_type(kind: Any, name: str, field: int | None = None) -> Any:
    """The type of the items of list field ``name`` of struct type ``kind`` (or of their
    ``field``-th field)."""
    item = kind.field(name).type.value_type
    return item if field is None else item.field(field).type


def _lists(lists: list[tuple[str, ...]], kind: Any) -> Any:
    import pyarrow as pa

    flat = list(chain.from_iterable(lists))
    return pa.ListArray.from_arrays(
        _offsets(list(map(len, lists))), pa.array(flat, type=kind.value_type), type=kind
    )


def _offsets(lengths: Any) -> Any:
    import numpy as np
    import pyarrow as pa

    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(np.fromiter(lengths, dtype=np.int32, count=len(lengths)), out=offsets[1:])
    return pa.array(offsets)
