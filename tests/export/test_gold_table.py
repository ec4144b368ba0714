"""gold_table: the default config's table reuses the annotations config's, and equals it built
from whole rows."""

from __future__ import annotations

import json
from pathlib import Path

from datasets import Features

from annotate_kit.agreement.adjudicate import (
    Adjudication,
    adjudicate,
    provenance_feature,
    provenance_row,
)
from annotate_kit.export.features import TableEncoder, record_features
from annotate_kit.export.gold_table import GoldEncoder, RecordEncoder

SEED = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"
GOLD = json.loads(SEED.read_text(encoding="utf-8").splitlines()[0])


def pairs(count: int) -> list[tuple[dict, Adjudication]]:
    records = [{**GOLD, "doc_id": f"d{i}"} for i in range(count)]
    return [(r, adjudicate([r])) for r in records]


def expected_table(rows):
    """The table as TableEncoder builds it from whole rows, provenance_row's dicts included."""
    features = Features({**record_features(), "gold": provenance_feature()})
    encoder = TableEncoder(features)
    return encoder.table(
        [encoder.row({**record, "gold": provenance_row(result)}) for record, result in rows]
    )


def encoders():
    spans = record_features()
    records = RecordEncoder(spans)
    return records, GoldEncoder(Features({**spans, "gold": provenance_feature()}), records)


def test_a_batch_of_the_same_records_reuses_the_annotations_table():
    records, gold = encoders()
    rows = pairs(3)
    records.table([records.row(r) for r, _ in rows])  # the annotations batch, built first
    table = gold.table([gold.row(pair) for pair in rows])
    assert records.reused == 1
    assert table.equals(expected_table(rows))
    assert table.schema == gold.schema


def test_other_batches_are_built_from_their_records():
    records, gold = encoders()
    rows = pairs(3)
    records.table([records.row(r) for r, _ in rows[:2]])  # not the same rows
    copies = [({**r}, g) for r, g in rows]  # equal records, other objects: not reused either
    for batch in (rows, copies):
        table = gold.table([gold.row(pair) for pair in batch])
        assert table.equals(expected_table(batch))
    assert records.reused == 0


def test_the_gold_column_of_merged_and_conflicting_adjudications():
    """Majority merges: sources from several annotations, conflicts with and without spans,
    a document with no gold; the column equals the one made from provenance_row's dicts."""
    people = []
    for number, label in enumerate(["PER", "PER", "ORG"], start=1):
        entities = [dict(GOLD["entities"][0], label=label), *GOLD["entities"][1:]]
        annotation = {
            **GOLD["annotation"],
            "id": str(number),
            "annotator": f"a{number}",
            "origin": "manual",
            "ground_truth": False,
        }
        people.append({**GOLD, "doc_id": "m", "entities": entities, "annotation": annotation})
    merged = adjudicate(people, policy=("majority", "latest"))
    undecided = adjudicate(people[:2], policy=("ground_truth",))
    assert merged.step == "majority"
    assert merged.conflicts
    assert undecided.record is None
    _, gold = encoders()
    results = [merged, undecided, adjudicate([GOLD])]
    column = gold.table([(GOLD, result) for result in results]).column("gold")
    expected = expected_table([(GOLD, result) for result in results]).column("gold")
    assert column.equals(expected)
