"""The fast path never calls a faulty record clean, and the flattened validator schema accepts
exactly what the schema as written accepts."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema_rs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate_kit.scheme.schema import inline_vocab_refs, load_scheme
from annotate_kit.validate.checks import _schema_validator, _semantic_problems, check_record
from annotate_kit.validate.quickcheck import certainly_clean

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parents[1] / "data"
GOLD = json.loads((ROOT / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl").read_text())
SCHEME = load_scheme()
RELATION_TYPES = list(SCHEME.vocabularies["relation_type"].names)
CUE_TYPES = list(SCHEME.vocabularies["cue_type"].names)
SOURCE_KINDS = list(SCHEME.vocabularies["source_kind"].names)
LAYERS = ("entities", "claims", "cues")


def records_of(folder: str) -> list[dict]:
    lines = (
        line
        for path in sorted((DATA / folder).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    )
    return [json.loads(line) for line in lines if line.strip()]


@st.composite
def mutated_gold(draw) -> dict:
    """The seed gold with one to three faults of the kinds validate looks for (or harmless edits)."""
    record = copy.deepcopy(GOLD)
    span_ids = [s["id"] for layer in LAYERS for s in record[layer]]
    for _ in range(draw(st.integers(1, 3))):
        layer = draw(st.sampled_from(LAYERS))
        span = draw(st.sampled_from(record[layer]))
        relation = draw(st.sampled_from(record["relations"])) if record["relations"] else None
        match draw(st.integers(0, 13)):
            case 0:
                span["start"] += draw(st.integers(-3000, 3))
            case 1:
                span["end"] += draw(st.integers(-3, 3000))
            case 2:
                span["text"] = span["text"] + draw(st.sampled_from(["", " ", "x"]))
            case 3:
                span["id"] = draw(st.sampled_from(span_ids))
            case 4 if relation:
                relation[draw(st.sampled_from(["head", "tail"]))] = draw(
                    st.sampled_from([*span_ids, "nowhere"])
                )
            case 5 if relation:
                relation["type"] = draw(st.sampled_from(RELATION_TYPES))
            case 6 if relation:
                record["relations"].append(
                    {**relation, "id": draw(st.sampled_from(["r-x", relation["id"]]))}
                )
            case 7 if relation:
                record["relations"].remove(relation)
            case 8 if layer == "claims":
                span["source_kind"] = draw(st.sampled_from(SOURCE_KINDS))
            case 9 if layer == "cues":
                span["label"] = draw(st.sampled_from(CUE_TYPES))
            case 10:
                record["annotation"]["cancelled"] = draw(st.booleans())
            case 11:
                start = draw(st.integers(-2, len(record["text"]) + 2))
                record["blocks"] = [
                    {"start": start, "end": start + draw(st.integers(-2, 40)), "kind": "paragraph"}
                ]
            case 12:
                record["text"] = record["text"].replace("Kremlin", "Kremlim", 1)
            case 13:
                span["start"] = float(span["start"] + draw(st.integers(0, 1)))
    return record


@given(mutated_gold())
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fast_path_never_passes_a_record_the_detailed_checks_fault(record: dict):
    if not _schema_validator(SCHEME).is_valid(record):
        return  # the fast path only ever sees schema-valid records
    problems = _semantic_problems(record, SCHEME)
    if certainly_clean(record, SCHEME):
        assert problems == []
    assert check_record(record, SCHEME) == problems


SOURCED = {r["tail"] for r in GOLD["relations"] if r["type"] == "SOURCE_OF"}


FAULTS = {  # one targeted fault per detailed check, applied to a copy of the gold
    "E103": lambda r: r.update(text_sha256="0" * 64),
    "E110": lambda r: r["entities"][0].update(end=len(r["text"]) + 1),
    "E111": lambda r: r["cues"][0].update(text=r["cues"][0]["text"] + " "),
    "E112": lambda r: r["cues"][0].update(id=r["entities"][0]["id"]),
    "E120": lambda r: r["relations"][0].update(tail="nowhere"),
    "E121": lambda r: r["relations"].append(
        {"id": "r-x", "type": "SOURCE_OF", "head": r["cues"][0]["id"], "tail": r["cues"][1]["id"]}
    ),
    "E122": lambda r: next(x for x in r["relations"] if x["type"] == "SCOPES_OVER").update(
        type="CUE_OF"
    ),
    "E123": lambda r: r["relations"].append({**r["relations"][0], "id": "r-x"}),
    "E124": lambda r: r["relations"][1].update(id=r["relations"][0]["id"]),
    "E130": lambda r: r.update(
        relations=[x for x in r["relations"] if x["head"] != r["cues"][0]["id"]]
    ),
    "E131": lambda r: r.update(relations=[x for x in r["relations"] if x["type"] != "SOURCE_OF"]),
    "E132": lambda r: next(c for c in r["claims"] if c["id"] in SOURCED).update(
        source_kind="AUTHOR"
    ),
    "E140": lambda r: r["annotation"].update(cancelled=True),
    "E150": lambda r: r.update(blocks=[{"start": 5, "end": 3, "kind": "paragraph"}]),
}


@pytest.mark.parametrize("code", sorted(FAULTS))
def test_each_fault_leaves_the_fast_path_for_the_detailed_checks(code: str):
    record = copy.deepcopy(GOLD)
    FAULTS[code](record)
    assert _schema_validator(SCHEME).is_valid(record)
    assert not certainly_clean(record, SCHEME)
    assert code in {p.code for p in check_record(record, SCHEME)}


@pytest.mark.parametrize("record", [GOLD, *records_of("valid")], ids=lambda r: r["doc_id"])
def test_the_fast_path_passes_valid_records(record: dict):
    assert certainly_clean(record, SCHEME)


def test_a_whole_float_offset_is_checked_as_the_integer_it_is():
    record = copy.deepcopy(GOLD)
    span = record["entities"][0]
    span["start"] = float(span["start"])
    assert check_record(record, SCHEME) == []
    span["start"] += 1.0
    assert [p.code for p in check_record(record, SCHEME)] == ["E111"]


@pytest.mark.parametrize(
    ("edit", "valid"),
    [
        (lambda r: r, True),
        (lambda r: r["entities"][0].update(colour="red"), False),
        (lambda r: r["claims"][0].update(label="CLAIM"), False),
        (lambda r: r["claims"][0].pop("factuality"), False),
        (lambda r: r["cues"][0].pop("text"), False),
        (lambda r: r["cues"][0].update(score=0.5), True),
        (lambda r: r["cues"][0].update(score=2), False),
        (lambda r: r["entities"][0].update(start="3"), False),
        (lambda r: r["relations"][0].update(note="x"), False),
    ],
)
def test_the_flattened_schema_accepts_what_the_written_one_accepts(edit, valid: bool):
    written = jsonschema_rs.Draft202012Validator(
        inline_vocab_refs(copy.deepcopy(SCHEME.record_schema), SCHEME.vocabularies)
    )
    flattened = SCHEME.validator_schema()
    assert "unevaluatedProperties" not in json.dumps(flattened)  # else the 2x is gone
    flat = jsonschema_rs.Draft202012Validator(flattened)
    record = copy.deepcopy(GOLD)
    edit(record)
    assert flat.is_valid(record) == written.is_valid(record) == valid
    for other in records_of("valid") + records_of("invalid"):
        assert flat.is_valid(other) == written.is_valid(other)
