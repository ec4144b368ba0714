"""The core is a pure batch function: streaming, worker processes and datasets.map agree."""

from __future__ import annotations

import json
from functools import cache

import datasets
import pytest

from annotate_kit.preannotate.core import preannotate_batch
from annotate_kit.preannotate.stream import preannotate_stream
from annotate_kit.scheme.records import new_record
from preannotate_support import french

SENTENCES = [
    "Selon les autorités russes, les discussions ont duré plusieurs heures.",
    "Le Kremlin a indiqué que d’autres discussions étaient envisagées.",
    "Moscou n’a pas communiqué de détails.",
    "Une réunion pourrait se tenir prochainement à Genève.",
    "Les sanctions occidentales restent en vigueur.",
]


def documents(n: int) -> list[dict]:
    return [
        new_record(text=f"{SENTENCES[i % len(SENTENCES)]} Document {i}.", lang="fr")
        for i in range(n)
    ]


@cache
def expected(n: int) -> list[dict]:
    return preannotate_batch(documents(n), preannotator=french())


def test_stream_in_process_preserves_order_and_matches_the_batch():
    out = list(preannotate_stream(iter(documents(7)), batch_size=3, preannotator=french()))
    assert out == expected(7)


def test_stream_reads_its_input_lazily():
    consumed = []

    def source():
        for record in documents(10):
            consumed.append(record["doc_id"])
            yield record

    stream = preannotate_stream(source(), batch_size=2, preannotator=french())
    next(stream)
    assert len(consumed) == 2


def test_stream_with_two_worker_processes_gives_the_same_records():
    out = list(preannotate_stream(iter(documents(9)), lang="fr", workers=2, batch_size=2))
    assert out == expected(9)


def test_stream_rejects_nonsense_sizes():
    with pytest.raises(ValueError, match="batch_size"):
        list(preannotate_stream([], batch_size=0))


def _map_batch(batch: dict[str, list]) -> dict[str, list]:
    """What an engine calls: JSON records in, JSON records out, one pipeline per process."""
    records = [json.loads(line) for line in batch["record"]]
    done = preannotate_batch(records, preannotator=french())
    return {"record": [json.dumps(r, ensure_ascii=False) for r in done]}


@pytest.mark.parametrize("num_proc", [None, 2])
def test_datasets_map_runs_the_core(num_proc):
    rows = {"record": [json.dumps(r, ensure_ascii=False) for r in documents(8)]}
    dataset = datasets.Dataset.from_dict(rows)
    mapped = dataset.map(_map_batch, batched=True, batch_size=3, num_proc=num_proc)
    assert [json.loads(line) for line in mapped["record"]] == expected(8)


def test_pipeline_loaded_afresh_when_its_vocabulary_grew_same_records(monkeypatch):
    """Unseen words stay in spaCy's vocabulary for good; past VOCAB_GROWTH new ones the
    pipeline is reloaded, and the records are those of a pipeline that never was."""
    import annotate_kit.preannotate.core as module
    from annotate_kit.preannotate.core import Preannotator

    docs = [
        new_record(text=f"{SENTENCES[i % 5]} Le ministre Zorglub{i} a parlé à Kvx{i}.", lang="fr")
        for i in range(6)
    ]
    expected_records = preannotate_batch(docs, preannotator=french())
    loads = []
    real_load = module.load_kit
    monkeypatch.setattr(module, "load_kit", lambda *a, **k: loads.append(1) or real_load(*a, **k))
    monkeypatch.setattr(module, "VOCAB_GROWTH", 3)
    pre = Preannotator(lang="fr")
    out = list(preannotate_stream(iter(docs), batch_size=2, preannotator=pre))
    assert out == expected_records
    assert len(loads) >= 2  # the first load, then at least one reload
    assert len(pre.kit("fr").nlp.vocab) <= pre._vocab_at_load["fr"] + 3
