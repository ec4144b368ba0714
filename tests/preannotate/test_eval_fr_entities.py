"""The readers and the metric of bench/eval_fr_entities.py, on tiny samples written here (the
corpora it reads are never copied into the repository)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "eval_fr_entities.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("eval_fr_entities", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    sys.path.insert(0, str(BENCH.parent))  # it imports eval_cues, as a script run from bench/
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(BENCH.parent))
        sys.modules.pop(spec.name, None)
        sys.modules.pop("eval_cues", None)


TEXT = "Le maire de Lyon a parlé à l'Université de Lyon le 3 mai 2017."
# T5: a type with no scheme label, T6: text and offsets disagree; both are left out.
ANN = """T1\tLocation 12 16\tLyon
T2\tOrganization 29 47\tUniversité de Lyon
T3\tLocation 43 47\tLyon
T4\tDate 51 61\t3 mai 2017
T5\tTitle 0 8\tLe maire
T6\tPerson 3 8\tmaire x
#1\tAnnotatorNotes T1\ta note
"""

WEBANNO = """#FORMAT=WebAnno TSV 3.2
#T_SP=webanno.custom.Quaero_NamedEntities|value


#Text=Hier, 12 élus de Nantes ont voté.
1-1\t0-4\tHier\ttime.date.rel\t
1-2\t4-5\t,\t_\t
1-3\t6-8\t12\tamount[1]\t
1-4\t9-13\télus\tamount[1]|func.coll[2]\t
1-5\t14-16\tde\tamount[1]|func.coll[2]\t
1-6\t17-23\tNantes\tamount[1]|func.coll[2]|loc.adm.town\t
1-7\t24-27\tont\t_\t
1-8\t28-32\tvoté\t_\t
1-9\t32-33\t.\t_\t

#Text=Paul Martin dirige Renault.
2-1\t34-38\tPaul\tpers.ind[3]\t
2-2\t39-45\tMartin\tpers.ind[3]\t
2-3\t46-52\tdirige\t_\t
2-4\t53-60\tRenault\torg.ent\t
2-5\t60-61\t.\t_\t
"""


def test_brat_spans_mapped_and_checked(bench):
    spans = bench.read_brat(TEXT, ANN)
    assert [(TEXT[s:e], label) for s, e, label in spans] == [
        ("Lyon", "LOC"),
        ("Université de Lyon", "ORG"),
        ("Lyon", "LOC"),
        ("3 mai 2017", "DATE"),
    ]


def test_outermost_drops_nested_spans_only(bench):
    doc = bench.Document("d", "WiNER", TEXT, bench.read_brat(TEXT, ANN))
    assert [TEXT[s:e] for s, e, _ in doc.top] == ["Lyon", "Université de Lyon", "3 mai 2017"]


def test_webanno_sentences_and_multi_token_spans(bench):
    docs = bench.read_webanno(WEBANNO, "wikinews-sample")
    assert [d.doc_id for d in docs] == ["wikinews-sample#1", "wikinews-sample#2"]
    first, second = docs
    assert first.text == "Hier, 12 élus de Nantes ont voté."
    assert [(first.text[s:e], label) for s, e, label in first.gold] == [
        ("Hier", "DATE"),
        ("12 élus de Nantes", "QUANTITY"),
        ("Nantes", "LOC"),
    ]  # func.coll has no scheme label
    assert [(first.text[s:e], label) for s, e, label in first.top] == [
        ("Hier", "DATE"),
        ("12 élus de Nantes", "QUANTITY"),
    ]
    assert [(second.text[s:e], label) for s, e, label in second.gold] == [
        ("Paul Martin", "PER"),
        ("Renault", "ORG"),
    ]


def test_score_overlap_exact_and_nested_precision(bench):
    gold_all = [(0, 4, "LOC"), (0, 10, "ORG"), (20, 30, "DATE")]
    gold_top = [(0, 10, "ORG"), (20, 30, "DATE")]
    predicted = [(0, 4, "LOC"), (22, 30, "DATE"), (40, 45, "DATE")]
    overlap, exact = bench.Score(), bench.Score()
    overlap.add(predicted, gold_top, nested=gold_all, exact=False)
    exact.add(predicted, gold_top, nested=gold_all, exact=True)
    # "LOC" inside the ORG is right (a nested gold span) but finds no outermost span.
    assert (overlap.tp_pred, overlap.pred, overlap.tp_gold, overlap.gold) == (2, 3, 1, 2)
    assert (exact.tp_pred, exact.tp_gold) == (1, 0)
    assert str(overlap) == "0.667 0.500 0.571"


def test_rows_select_names_and_dated_spans(bench):
    text = "Paris 2016 hier"
    spans = [(0, 5, "LOC"), (6, 10, "DATE"), (11, 15, "DATE"), (0, 5, "MISC")]
    assert bench.select(spans, text, "names any") == [(0, 5, "NAME")]
    assert bench.select(spans, text, "DATE (digit)") == [(6, 10, "DATE")]
    assert bench.select(spans, text, "PER+ORG+LOC") == [(0, 5, "LOC")]


def test_missing_data_is_skipped_with_a_message(bench, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr("sys.argv", ["eval_fr_entities.py", "--data", str(tmp_path / "none")])
    assert bench.main() == 0
    assert capsys.readouterr().out.startswith("skipped: no corpus at")
