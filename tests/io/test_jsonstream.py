"""iter_array gives what json.loads gives, one element at a time, errors included."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate_kit.io import strictjson
from annotate_kit.io.jsonstream import NotAnArrayError, iter_array

SCALARS = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.text(max_size=12)
VALUES = st.recursive(
    SCALARS | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
LAYOUT = st.sampled_from([{}, {"indent": 2}, {"ensure_ascii": False}, {"separators": (",", ":")}])


def stream(text: str, block: int) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.json"
        path.write_bytes(text.encode("utf-8"))
        return [value for _, value in iter_array(path, block)]


@given(
    st.lists(VALUES, max_size=8) | st.dictionaries(st.text(max_size=5), VALUES, max_size=3),
    LAYOUT,
    st.integers(1, 40),
)
@settings(max_examples=300, deadline=None)
def test_elements_are_those_of_json_loads(doc, layout: dict, block: int):
    text = json.dumps(doc, **layout)
    assert stream(text, block) == (doc if isinstance(doc, list) else [doc])


@given(st.lists(VALUES, min_size=1, max_size=6), LAYOUT, st.integers(1, 40), st.data())
@settings(max_examples=300, deadline=None)
def test_a_corrupted_file_fails_where_json_loads_fails(doc: list, layout: dict, block: int, data):
    text = json.dumps(doc, **layout)
    cut = data.draw(st.integers(0, len(text)))
    broken = (
        text[:cut]
        + data.draw(st.sampled_from(["", "}", "]", ",", "x", '"', "\n", " 1"]))
        + text[cut + 1 :]
    )
    try:
        expected, failure = json.loads(broken), None
    except json.JSONDecodeError as exc:
        expected, failure = None, (exc.msg, exc.lineno, exc.colno)
    if failure is None:
        try:
            strictjson.loads(broken)
        except strictjson.StrictJSONError as exc:  # e.g. a pair's low surrogate cut away
            with pytest.raises(json.JSONDecodeError, match=re.escape(str(exc).split(": ")[-1])):
                stream(broken, block)
            return
    if failure is not None:
        with pytest.raises(json.JSONDecodeError) as caught:
            stream(broken, block)
        assert (caught.value.msg, caught.value.lineno, caught.value.colno) == failure
    elif isinstance(expected, list | dict):
        assert stream(broken, block) == (expected if isinstance(expected, list) else [expected])
    else:
        with pytest.raises(NotAnArrayError):
            stream(broken, block)


def test_a_bom_is_skipped_and_bad_utf8_names_its_byte(tmp_path: Path):
    path = tmp_path / "f.json"
    path.write_bytes(b"\xef\xbb\xbf[1, 2]")
    assert [v for _, v in iter_array(path)] == [1, 2]
    path.write_bytes(b'["ok", "caf\xe9"]')
    with pytest.raises(UnicodeDecodeError) as caught:
        list(iter_array(path, block=3))
    assert caught.value.start == 11  # the byte of é, as json.loads(path.read_text()) says
