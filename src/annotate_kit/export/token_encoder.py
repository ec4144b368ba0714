"""The bio config's Arrow tables, built from token views' arrays (bio.TokenView).

A seed-sized document has ~500 tokens and four lists of them: turning lists of Python
objects into Arrow (``Table.from_pylist``) cost more than tokenising. Here offsets and tags
stay int64 arrays, and the tokens' strings are cut out of the documents' UTF-8 bytes in one
gather per batch; no Python object is made per token. The table equals the one
``TableEncoder`` builds from ``bio_row(..., ids=True)`` rows (test).
"""

from __future__ import annotations

from typing import Any

from annotate_kit.export.bio import TAG_COLUMNS, BioLosses, TokenView, token_view
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import Scheme, load_scheme


class TokenViewEncoder:
    """Gold records -> tables of ``bio_features``, for a ShardWriter; counts losses on the way."""

    def __init__(self, schema: Any, losses: BioLosses, scheme: Scheme | None = None) -> None:
        """``schema``: the Arrow schema of ``bio_features``."""
        self.schema = schema
        self.losses = losses
        self.scheme = scheme or load_scheme()
        self._tag_columns = [
            TAG_COLUMNS.get(layer, f"{layer}_tags") for layer in self.scheme.layers
        ]

    def row(self, record: Record) -> TokenView:
        return token_view(record, self.losses, self.scheme)

    def table(self, views: list[TokenView]) -> Any:
        import numpy as np
        import pyarrow as pa

        counts = np.fromiter((len(v.starts) for v in views), dtype=np.int64, count=len(views))
        offsets = pa.array(np.concatenate(([0], np.cumsum(counts))).astype(np.int32))

        def listed(name: str, values: Any) -> Any:
            return pa.ListArray.from_arrays(offsets, values, type=self.schema.field(name).type)

        def joined(arrays: list[Any]) -> Any:
            return pa.array(np.concatenate(arrays), type=pa.int64())

        columns = {
            "doc_id": pa.array([v.doc_id for v in views], type=pa.string()),
            "lang": pa.array([v.lang for v in views], type=pa.string()),
            "tokens": listed("tokens", _token_strings(views)),
            "token_starts": listed("token_starts", joined([v.starts for v in views])),
            "token_ends": listed("token_ends", joined([v.ends for v in views])),
        }
        for name in self._tag_columns:
            columns[name] = listed(name, joined([v.tags[name] for v in views]))
        return pa.Table.from_arrays(
            [columns[name] for name in self.schema.names], schema=self.schema
        )


def _token_strings(views: list[TokenView]) -> Any:
    """Every token of every view, in order, as one Arrow string array."""
    import numpy as np
    import pyarrow as pa

    encoded = [v.text.encode("utf-8") for v in views]
    byte_starts, byte_ends, base = [], [], 0
    for view, data in zip(views, encoded, strict=True):
        if len(data) == len(view.text):  # ASCII: code points are bytes
            byte_starts.append(view.starts + base)
            byte_ends.append(view.ends + base)
        else:  # the byte offset of each code point: where its first byte is
            first = np.flatnonzero((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80)
            first = np.append(first, len(data)) + base
            byte_starts.append(first[view.starts])
            byte_ends.append(first[view.ends])
        base += len(data)
    starts = np.concatenate(byte_starts) if byte_starts else np.zeros(0, dtype=np.int64)
    ends = np.concatenate(byte_ends) if byte_ends else np.zeros(0, dtype=np.int64)
    lengths = ends - starts
    string_offsets = np.concatenate(([0], np.cumsum(lengths)))
    # each output byte's position in the joined documents: its token's start plus its rank
    gather = np.repeat(starts - string_offsets[:-1], lengths) + np.arange(string_offsets[-1])
    values = np.frombuffer(b"".join(encoded), dtype=np.uint8)[gather]
    return pa.StringArray.from_buffers(
        len(starts),
        pa.py_buffer(string_offsets.astype(np.int32)),
        pa.py_buffer(values.tobytes()),
    )
