"""Reading JSONL in blocks of whole lines: what validate, export and the workers rely on."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate_kit.io.inputs import Lines, ReadStats, block_raws, iter_units, line_blocks


@given(
    st.lists(st.sampled_from([b"", b"{}", b" ", b"\r", b"x" * 40, "é".encode() * 9]), max_size=30),
    st.booleans(),
    st.integers(1, 64),
)
@settings(max_examples=200, deadline=None)
def test_line_blocks_cut_a_file_at_newlines_and_number_the_lines(
    lines: list[bytes], final_newline: bool, size: int
):
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(data)
        blocks = [(offset, bytes(block), line) for offset, block, line in line_blocks(path, size)]
    assert b"".join(block for _, block, _ in blocks) == data
    for offset, block, first_line in blocks:
        assert data[offset : offset + len(block)] == block
        assert first_line == data[:offset].count(b"\n") + 1
        assert block.endswith(b"\n") or offset + len(block) == len(data)
        assert len(block) <= size or len(block.split(b"\n")[0]) >= size  # a long first line


def test_lines_extents_give_the_raws_of_the_one_process_read(tmp_path: Path):
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"\xef\xbb\xbf{}\n\n  \n" + b'{"a": 1}\r\n' * 5 + b'{"b": 2}')
    whole = list(iter_units([path], ReadStats()))
    extents = list(iter_units([path], ReadStats(), extents=True))
    assert all(isinstance(unit, Lines) for unit in extents)
    assert [raw for unit in extents for raw in unit.raws()] == whole
    assert [(raw.line, raw.text) for raw in whole] == [
        (1, b"{}"),
        *[(n, b'{"a": 1}\r') for n in range(4, 9)],
        (9, b'{"b": 2}'),
    ]
    assert next(block_raws(str(path), 5, b"\xef\xbb\xbf{}\n", 1)).text.startswith(
        b"\xef"
    )  # BOM: only at 0


@given(
    st.lists(st.sampled_from([b"", b"{}", b"\r", b"x" * 40, "é".encode() * 9]), max_size=40),
    st.booleans(),
    st.integers(1, 64),
    st.sampled_from([1, 2, 512]),
)
@settings(max_examples=200, deadline=None)
def test_line_extents_are_the_extents_of_line_blocks(
    lines: list[bytes], final_newline: bool, size: int, searches: int
):
    from annotate_kit.io import inputs

    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(data)
        blocks = [(offset, len(block), line) for offset, block, line in line_blocks(path, size)]
        original = inputs._newlines.__defaults__
        inputs._newlines.__defaults__ = (searches,)  # both ways of counting
        try:
            assert list(inputs.line_extents(path, size)) == blocks
        finally:
            inputs._newlines.__defaults__ = original
