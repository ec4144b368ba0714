"""Offsets survive record -> Label Studio result -> record -> dataset, for any Unicode text."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from pathlib import Path

from datasets import load_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate_kit.export.dataset import export_dataset
from annotate_kit.scheme.records import new_record
from annotate_kit.scheme.tasks import record_to_results, task_data, task_to_record
from annotate_kit.validate.checks import check_record

ALPHABET = st.sampled_from([*"abc éàœ’«» \r\n\t", "🎉", "𝔘", "e\u0301", "\u00a0", "😀", "ß"])
LABELS = ["PER", "ORG", "LOC", "MISC", "DATE", "QUANTITY"]


@st.composite
def annotated_records(draw):
    text = unicodedata.normalize("NFC", "".join(draw(st.lists(ALPHABET, min_size=1, max_size=60))))
    record = new_record(text=text, lang="fr")
    count = draw(st.integers(0, 6))
    for number in range(count):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        label = draw(st.sampled_from(LABELS))
        record["entities"].append(
            {
                "id": f"e{number}",
                "start": start,
                "end": end,
                "text": text[start:end],
                "label": label,
            }
        )
    return record


def through_labelstudio(record):
    """The record as Label Studio stores it (JSON round trip included) and as pull reads it."""
    task = json.loads(json.dumps({"id": 7, "data": task_data(record)}))
    annotation = json.loads(
        json.dumps({"id": 9, "completed_by": 1, "result": record_to_results(record)})
    )
    back, problems = task_to_record(task, annotation, path="$[0].annotations[0]")
    assert problems == []
    return back


@given(annotated_records())
@settings(max_examples=200, deadline=None)
def test_offsets_survive_labelstudio_round_trip(record):
    back = through_labelstudio(record)
    assert back["text"] == record["text"]
    assert [(e["start"], e["end"], e["text"], e["label"]) for e in back["entities"]] == [
        (e["start"], e["end"], e["text"], e["label"]) for e in record["entities"]
    ]
    assert check_record(back) == []
    for entity in back["entities"]:
        assert back["text"][entity["start"] : entity["end"]] == entity["text"]


@given(st.lists(annotated_records(), min_size=1, max_size=4))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_offsets_survive_into_the_dataset(records):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "records.jsonl"
        by_doc = {}
        with path.open("w", encoding="utf-8") as out:
            for record in records:
                back = through_labelstudio(record)
                by_doc[back["doc_id"]] = back
                out.write(json.dumps(back, ensure_ascii=False) + "\n")
        export_dataset([path], out=Path(folder) / "ds")
        dataset = load_dataset(str(Path(folder) / "ds"))
        rows = [row for split in dataset.values() for row in split]
        assert len(rows) == len(by_doc)
        names = dataset["train"].features["entities"].feature["label"].names
        for row in rows:
            expected = by_doc[row["doc_id"]]
            assert row["text"] == expected["text"]
            assert [
                (e["start"], e["end"], e["text"], names[e["label"]]) for e in row["entities"]
            ] == [(e["start"], e["end"], e["text"], e["label"]) for e in expected["entities"]]
            assert all(row["text"][e["start"] : e["end"]] == e["text"] for e in row["entities"])
