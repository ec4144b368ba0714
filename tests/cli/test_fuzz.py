"""Fuzzing the commands that read user files (issue #16): byte- and JSON-level mutations of
the seed gold, the valid corpus and a Label Studio export. Whatever the input, the exit code
is 0, 1 or 2 (never 70, an internal error), no traceback is printed and no run takes over
10 s. Seeded (derandomized), in-process through CliRunner: ~2,000 cases in CI time.

The hostile values the issue names (deep nesting, lone surrogates, NaN, repeated keys,
non-hashable ids) are among the mutations and also have their own named cases below.
"""

from __future__ import annotations

import copy
import json
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate_kit.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "seeds").glob("*.gold.jsonl")),
    *sorted((ROOT / "tests" / "data" / "valid").iterdir()),
]
DOCUMENTS = ROOT / "tests" / "data" / "convert" / "corpus.jsonl"
HANG = 10  # seconds: a case running longer is a hang
CASES = {"validate": 1750, "convert": 200, "export": 50}  # 2,000 cases in all


def fuzz(cases: int) -> settings:
    return settings(FUZZ, max_examples=cases)


FUZZ = settings(
    derandomize=True,  # seeded: the same cases on every run and machine
    deadline=None,  # the alarm below bounds each case instead
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def deep(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


HOSTILE = [
    None,
    True,
    0,
    -1,
    10**40,
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    "\ud800",
    "a\udfffb",
    [],
    {},
    ["e1"],
    {"x": 1},
    [{"id": ["e1"]}],
    deep(40),
    "__DEEP__",  # nesting past every parser's limit: written as text by dump()
]
HOSTILE_VALUES = st.sampled_from(HOSTILE).map(copy.deepcopy)  # never share a mutated value
DEEP_TEXT = "[" * 1100 + "]" * 1100


def paths_of(value: Any, limit: int = 12) -> list[tuple]:
    """Every path (tuple of keys and indexes) into a JSON value, ``limit`` levels deep."""
    found, stack = [], [((), value)]
    while stack:
        prefix, item = stack.pop()
        found.append(prefix)
        if len(prefix) >= limit:
            continue
        if isinstance(item, dict):
            stack.extend(((*prefix, key), inner) for key, inner in item.items())
        elif isinstance(item, list):
            stack.extend(((*prefix, index), inner) for index, inner in enumerate(item))
    return sorted(found, key=repr)


def parse(path: Path) -> tuple[list[Any], bool]:
    """(top-level values, whether the file is JSONL)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in text.splitlines() if line.strip()], True
    return [json.loads(text)], False


def dump(values: list[Any], lines: bool) -> bytes:
    # ensure_ascii: lone surrogates become "\ud800" escapes; NaN and Infinity are written as
    # Python's json writes them, which is what a careless producer leaves.
    text = "".join(json.dumps(v) + "\n" for v in values) if lines else json.dumps(values[0])
    return text.replace('"__DEEP__"', DEEP_TEXT).encode()


@st.composite
def byte_mutants(draw: st.DrawFn, sources: list[Path]) -> tuple[str, bytes]:
    path = draw(st.sampled_from(sources))
    data = bytearray(path.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(
                st.sampled_from([b"\x00", b"\xff", b"\xef\xbb\xbf", b"{", b"]", b'"', b"\n", b","])
            )
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        else:
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
    return path.suffix, bytes(data)


@st.composite
def json_mutants(draw: st.DrawFn, sources: list[Path]) -> tuple[str, bytes]:
    path = draw(st.sampled_from(sources))
    values, lines = parse(path)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths_of(values)[1:]))
        parent = values
        for key in where[:-1]:
            parent = parent[key]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        last = where[-1]
        if op == "delete" and (isinstance(parent, dict) or len(parent) > 1):
            del parent[last]
        elif op == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.sampled_from(["id", "text", "start", "x", ""]))] = draw(
                HOSTILE_VALUES  # a copy: a shared HOSTILE value mutated later made runs flaky
            )
        else:
            parent[last] = draw(HOSTILE_VALUES)
    data = dump(values, lines)
    if draw(st.booleans()) and b'"id": ' in data:  # a repeated key, as text
        data = data.replace(b'"id": ', b'"id": "twice", "id": ', 1)
    return path.suffix, data


@contextmanager
def no_hang(seconds: int = HANG) -> Iterator[None]:
    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError(f"a case ran over {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def invoke(args: list[str]) -> tuple[int, str]:
    with no_hang():
        result = CliRunner().invoke(main, ["--debug", *args])
    exc = result.exception
    assert exc is None or isinstance(exc, SystemExit), (args, result.output, exc)
    if result.exit_code not in (0, 1, 2) or "Traceback" in result.output:
        pytest.fail(f"{args} exited {result.exit_code}:\n{result.output}", pytrace=False)
    return result.exit_code, result.output


def check_reads(suffix: str, data: bytes, command: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        args = [
            ["validate", str(path)],
            [
                "validate",
                "--format",
                "json",
                "--rejects",
                str(Path(tmp) / "rejects.jsonl"),
                str(path),
            ],
            ["validate", "--format", "github", str(path)],
            ["agreement", str(path)],
        ][command]
        invoke(args)


@fuzz(CASES["validate"])
@given(
    st.one_of(byte_mutants(SOURCES), json_mutants(SOURCES)),
    st.integers(0, 3),
)
def test_fuzzed_inputs_exit_0_1_or_2_in_validate_and_agreement(mutant, command):
    check_reads(*mutant, command)


@pytest.fixture(scope="module")
def warm_export() -> None:
    """One export outside the alarm: the first one imports datasets (seconds on a busy CI)."""
    with tempfile.TemporaryDirectory() as tmp:
        CliRunner().invoke(main, ["export", str(SOURCES[-1]), "-o", str(Path(tmp) / "ds")])


@fuzz(CASES["export"])
@given(mutant=st.one_of(byte_mutants(SOURCES[1:]), json_mutants(SOURCES[1:])))
def test_fuzzed_inputs_exit_0_1_or_2_in_export(warm_export, mutant):
    suffix, data = mutant
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        invoke(["export", str(path), "--skip-invalid", "-o", str(Path(tmp) / "ds")])


@fuzz(CASES["convert"])
@given(st.one_of(byte_mutants([DOCUMENTS]), json_mutants([DOCUMENTS])))
def test_fuzzed_documents_exit_0_1_or_2_in_convert_and_what_it_writes_validates(mutant):
    suffix, data = mutant
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"docs{suffix}"
        path.write_bytes(data)
        out = Path(tmp) / "tasks.json"
        code, _ = invoke(["convert", str(path), "-o", str(out)])
        if code == 0:  # what convert writes, its own tools read back
            assert invoke(["validate", str(out)])[0] in (0, 1)


# ---------------------------------------------------------------- named hostile cases

SEED = SOURCES[0]


def seed_record() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8").splitlines()[0])


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_fuzz_case_deep_nesting(suffix):
    record = seed_record()
    record["entities"][0]["label"] = "__DEEP__"
    data = dump([record] if suffix == ".jsonl" else [[record]], suffix == ".jsonl")
    for command in range(4):
        check_reads(suffix, data.replace(DEEP_TEXT.encode(), b"[" * 3000 + b"]" * 3000), command)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_fuzz_case_lone_surrogates(suffix):
    record = seed_record()
    record["entities"][0]["text"] = "\udc00"
    data = json.dumps(record) if suffix == ".jsonl" else json.dumps([record])
    for command in range(4):
        check_reads(suffix, data.encode(), command)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_fuzz_case_nan(suffix):
    record = seed_record()
    record["entities"][0]["start"] = float("nan")
    data = json.dumps(record) if suffix == ".jsonl" else json.dumps([record])
    check_reads(suffix, data.encode(), 1)


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_fuzz_case_duplicate_keys(suffix):
    record = seed_record()
    text = json.dumps(record).replace('"text": ', '"text": "other", "text": ', 1)
    data = text if suffix == ".jsonl" else f"[{text}]"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_text(data, encoding="utf-8")
        code, output = invoke(["validate", str(path)])
    assert code == 2
    assert "the key 'text' appears twice in one object" in output


@pytest.mark.parametrize("where", ["relation id", "relation head", "span id", "entity label"])
def test_fuzz_case_non_hashable_ids(where):
    record = seed_record()
    if where == "relation id":
        record["relations"][0]["id"] = {"x": 1}
    elif where == "relation head":
        record["relations"][0]["head"] = ["e1"]
    elif where == "span id":
        record["entities"][0]["id"] = ["e1"]
    else:
        record["entities"][0]["label"] = {"PER": 1}
    for command in range(4):
        check_reads(".jsonl", json.dumps(record).encode(), command)
