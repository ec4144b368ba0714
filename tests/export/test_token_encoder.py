"""export/token_encoder.py: the bio config's table from arrays equals the one built from row lists."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate_kit.export.bio import BioLosses, bio_features, bio_row
from annotate_kit.export.features import TableEncoder
from annotate_kit.export.token_encoder import TokenViewEncoder

SEED = Path(__file__).parents[2] / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"
GOLD = json.loads(SEED.read_text(encoding="utf-8").splitlines()[0])


def by_rows(records):
    """The table as TableEncoder builds it from bio_row's lists (the obvious way)."""
    features = bio_features()
    encoder, losses = TableEncoder(features), BioLosses()
    return encoder.table([encoder.row(bio_row(r, losses)) for r in records]), losses


def by_arrays(records):
    features, losses = bio_features(), BioLosses()
    encoder = TokenViewEncoder(features.arrow_schema, losses)
    return encoder.table([encoder.row(r) for r in records]), losses


def test_the_seed_gold_gives_the_same_table_and_losses():
    records = [GOLD, {**GOLD, "doc_id": "x", "text": GOLD["text"] + " ASCII tail"}]
    expected, expected_losses = by_rows(records)
    table, losses = by_arrays(records)
    assert table.equals(expected)
    assert table.schema == bio_features().arrow_schema
    assert losses == expected_losses
    assert losses.layers["cues"].exact > 0


@given(
    st.lists(
        st.tuples(
            st.text(alphabet="aé’'« »-2\u00a0000.,😀\u0301\nZ", max_size=30),
            st.lists(st.tuples(st.integers(0, 30), st.integers(1, 8)), max_size=4),
        ),
        min_size=1,
        max_size=5,
    )
)
@settings(max_examples=200, deadline=None)
def test_any_unicode_text_gives_the_same_table(drawn):
    """Multi-byte characters move the UTF-8 offsets the tokens are cut at: ASCII, accents,
    emoji and empty texts, mixed in one batch."""
    records = []
    for number, (text, spans) in enumerate(drawn):
        entities = [
            {"id": f"e{i}", "start": s, "end": min(s + n, len(text)), "label": "PER"}
            for i, (s, n) in enumerate(spans)
            if s < len(text)
        ]
        records.append({"doc_id": str(number), "lang": "fr", "text": text, "entities": entities})
    expected, expected_losses = by_rows(records)
    table, losses = by_arrays(records)
    assert table.equals(expected)
    assert losses == expected_losses
