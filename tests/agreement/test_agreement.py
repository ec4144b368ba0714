"""agreement: every metric on small cases computed by hand (see the comments for the arithmetic)."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.agreement.coding import cohen_kappa, nominal_alpha
from annotate_kit.agreement.matching import overlap_matches
from annotate_kit.agreement.spans import (
    AgreementBuilder,
    agreement_of,
    agreement_views,
    view_of,
)
from annotate_kit.agreement.unitizing import (
    alpha_unitizing,
    expected_disagreement,
    observed_disagreement,
    prepare_units,
)
from annotate_kit.cli.main import main

DATA = Path(__file__).parents[1] / "data"
MINIMAL = json.loads((DATA / "valid" / "minimal-record.jsonl").read_text(encoding="utf-8"))
LENGTH = len(MINIMAL["text"])


def record(annotator: str, **layers) -> dict:
    """The minimal record's document annotated by `annotator` with the given layers."""
    made = {
        key: MINIMAL[key] for key in ("schema_version", "doc_id", "lang", "text", "text_sha256")
    }
    made.update({"entities": [], "claims": [], "cues": [], "relations": []})
    made.update(json.loads(json.dumps(layers)))
    made["annotation"] = {"id": f"a-{annotator}", "annotator": annotator, "origin": "manual"}
    return made


def entity(start: int, end: int, label: str = "PER", span_id: str = "e") -> dict:
    return {"id": span_id, "start": start, "end": end, "text": "x", "label": label}


def claim(start: int, end: int, factuality: str = "CT+", span_id: str = "c") -> dict:
    return {
        "id": span_id,
        "start": start,
        "end": end,
        "text": "x",
        "source_kind": "AUTHOR",
        "attribution_kind": "NONE",
        "factuality": factuality,
        "check_worthiness": "CFS",
    }


def report_of(*records: dict, length: int = LENGTH):
    return agreement_of([(length, list(records))])


# --- Krippendorff's unitizing alpha --------------------------------------------------------


def test_alpha_u_perfect_none_and_partial_by_hand():
    # L = 10. Identical units: D_O = 0, alpha = 1.
    assert alpha_unitizing({"X": [[(2, 5)], [(2, 5)]]}, 10).alpha == 1.0
    # One rater's unit [2,5) in the other's empty continuum:
    # D_O = 2*3²/(2*1*10²) = 0.09; gaps 2, 5, 10 fit l=3 as (5-2)+(10-2) = 11 placements,
    # D_E = 2*(3²*11)/(10*(2*10*19 - 3*2)) = 198/3740; alpha = 1 - 0.09*3740/198 = -0.7.
    units = {"X": [[(2, 5)], []]}
    assert observed_disagreement(units["X"], 10) == pytest.approx(0.09)
    assert expected_disagreement(units["X"], 10) == pytest.approx(198 / 3740)
    assert alpha_unitizing(units, 10).alpha == pytest.approx(-0.7)
    # [2,5) against [3,5): D_O = 2*(1²+0²)/200 = 0.01; D_E = 2*119/(10*372) (see unitizing.py:
    # l=3: 10 + 9*(1+3+3); l=2: 2 + 4*(1+2+4+4)); alpha = 1 - 0.01*3720/238.
    units = {"X": [[(2, 5)], [(3, 5)]]}
    assert expected_disagreement(units["X"], 10) == pytest.approx(238 / 3720)
    assert alpha_unitizing(units, 10).alpha == pytest.approx(1 - 37.2 / 238)


def krippendorff_1995(stretch: float) -> dict:
    """The worked example of Krippendorff (1995: p. 57), two coders, continuum of 24."""
    units = {
        "A": [[(2, 8), (14, 6)], [(4, 4), (15, 2)]],
        "B": [[(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)]],
        "C": [[(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)]],
        "D": [
            [(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
            [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)],
        ],
    }
    return {
        c: [[(int(o * stretch), int(o * stretch) + int(n * stretch)) for o, n in r] for r in rs]
        for c, rs in units.items()
    }


def test_alpha_u_reproduces_krippendorff_1995():
    # Published D_O exactly; D_E and alpha within the tolerance DKPro Statistics tests with
    # (the paper's D_E has a small error, DKPro notes).
    units = krippendorff_1995(1)
    observed = {c: observed_disagreement(u, 24) for c, u in units.items()}
    assert observed == pytest.approx(
        {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}, abs=1e-5
    )
    units = krippendorff_1995(50000)
    expected = {c: expected_disagreement(u, 24 * 50000) for c, u in units.items()}
    assert expected == pytest.approx(
        {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}, abs=5e-3
    )
    result = alpha_unitizing(units, 24 * 50000)
    assert result.categories == pytest.approx(
        {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}, abs=0.02
    )


def test_overlapping_units_of_one_rater_are_dropped_as_inception_does():
    # [0,5) kept; [3,8) overlaps it: dropped; [6,9) overlaps the dropped [3,8): dropped too.
    study, dropped = prepare_units([[(0, 5, "X"), (3, 8, "X"), (6, 9, "X"), (3, 8, "Y")], []])
    assert (study, dropped) == ({"X": [[(0, 5)], []], "Y": [[(3, 8)], []]}, 2)


# --- coding coefficients -------------------------------------------------------------------


def test_cohen_kappa_and_nominal_alpha_by_hand():
    # 4 items: (CT+,CT+) x2, (CT+,PS+), (PS+,PS+). p_o = 3/4; p_e = (3*2 + 1*2)/16 = 1/2;
    # kappa = (3/4 - 1/2)/(1/2) = 0.5.
    table = Counter({("CT+", "CT+"): 2, ("CT+", "PS+"): 1, ("PS+", "PS+"): 1})
    assert cohen_kappa(table) == pytest.approx(0.5)
    # Coincidences: o(CT,CT) = 4, o(CT,PS) = o(PS,CT) = 1, o(PS,PS) = 2; n = 8, n_CT = 5,
    # n_PS = 3. D_o = 2/8, D_e = 2*5*3/(8*7); alpha = 1 - (1/4)/(30/56) = 1 - 7/15.
    units = Counter({("CT+", "CT+"): 2, ("CT+", "PS+"): 1, ("PS+", "PS+"): 1})
    assert nominal_alpha(units) == pytest.approx(8 / 15)


def test_coefficients_are_undefined_without_variation_or_items():
    assert cohen_kappa(Counter()) is None
    assert cohen_kappa(Counter({("CT+", "CT+"): 3})) is None  # p_e = 1
    assert nominal_alpha(Counter({("CT+", "CT+"): 3})) is None
    assert nominal_alpha(Counter({("CT+",): 3, ("PS+",): 1})) is None  # nothing pairable
    assert cohen_kappa(Counter({("CT+", "PS+"): 1, ("PS+", "CT+"): 1})) == pytest.approx(-1.0)


# --- span F1 -------------------------------------------------------------------------------


def test_overlap_matching_takes_the_largest_overlap_whatever_the_order():
    first = [(0, 10)]
    second = [(0, 3), (2, 10)]
    assert overlap_matches(first, second) == [(0, 1)]
    assert overlap_matches(second, first) == [(1, 0)]
    assert overlap_matches(first, list(reversed(second))) == [(0, 0)]
    assert overlap_matches([(0, 5)], [(5, 9)]) == []  # touching is not overlapping


def test_perfect_agreement():
    a = {**MINIMAL, "annotation": {"id": "1", "annotator": "ann1", "origin": "manual"}}
    b = {**MINIMAL, "annotation": {"id": "2", "annotator": "ann2", "origin": "manual"}}
    report = report_of(a, b)
    assert (report.annotators, report.documents, report.compared) == (("ann1", "ann2"), 1, 1)
    for layer in ("entities", "claims", "cues", "relations"):
        row = report.overall.row(layer)
        assert (row.exact_f1, row.overlap_f1) == (1.0, 1.0), layer
    assert report.overall.row("entities").alpha_u == 1.0
    assert report.overall.row("cues", "ATTRIBUTION").alpha_u == 1.0
    assert report.overall.row("relations").alpha_u is None
    assert report.overall.row("entities", "PER").exact_f1 is None  # no PER anywhere
    # Factuality CT+ and PS+ on both sides: p_e = 1/2, kappa 1; alpha 1.
    factuality = report.pair("ann1", "ann2").attribute("claims", "factuality")
    assert (factuality.items, factuality.observed, factuality.kappa, factuality.alpha) == (
        2,
        1.0,
        1.0,
        1.0,
    )
    # Both claims are CFS/UFS: check-worthiness differs between claims but never between raters.
    assert report.overall.attribute("claims", "check_worthiness").kappa == 1.0


def test_no_agreement():
    a = record("ann1", entities=[entity(9, 16, "ORG")], claims=[claim(18, 52, "CT+")])
    b = record("ann2", entities=[entity(86, 92, "LOC")], claims=[claim(54, 92, "PS+")])
    report = report_of(a, b)
    assert report.overall.row("entities").exact_f1 == 0.0
    assert report.overall.row("entities").overlap_f1 == 0.0
    assert report.overall.row("entities", "ORG").spans == 1
    assert report.overall.row("claims").overlap_f1 == 0.0
    assert report.overall.row("entities").alpha_u < 0
    assert report.overall.attribute("claims", "factuality").items == 0  # nothing matched
    assert report.overall.row("relations").exact_f1 is None  # no relation on either side


def test_partial_overlap_label_and_attribute():
    # Entities: [9,16) ORG vs [9,17) ORG: no exact match, one overlap match: F1 0 and 1.
    # Claims [18,52) CT+ vs [18,50) PS+: overlap match with different factuality.
    a = record("ann1", entities=[entity(9, 16, "ORG")], claims=[claim(18, 52, "CT+")])
    b = record("ann2", entities=[entity(9, 17, "ORG")], claims=[claim(18, 50, "PS+")])
    report = report_of(a, b)
    row = report.overall.row("entities", "ORG")
    assert (row.spans, row.exact_matches, row.overlap_matches) == (2, 0, 1)
    assert (row.exact_f1, row.overlap_f1) == (0.0, 1.0)
    factuality = report.overall.attribute("claims", "factuality")
    assert (factuality.items, factuality.observed) == (1, 0.0)
    # Entity labels compared on spans matched by position: ORG vs LOC is a label disagreement.
    c = record("ann3", entities=[entity(9, 16, "LOC")])
    labels = report_of(a, c).overall.attribute("entities", "label")
    assert (labels.items, labels.observed) == (1, 0.0)


def test_relations_match_through_their_ends():
    rel = [{"id": "r1", "type": "SOURCE_OF", "head": "e", "tail": "c"}]
    a = record("ann1", entities=[entity(9, 16, "ORG")], claims=[claim(18, 52)], relations=rel)
    b = record("ann2", entities=[entity(9, 16, "ORG")], claims=[claim(18, 50)], relations=rel)
    row = report_of(a, b).overall.row("relations", "SOURCE_OF")
    assert (row.spans, row.exact_matches, row.overlap_matches) == (2, 0, 1)


def test_one_annotator_missing_on_a_document():
    # doc 1: ann1, ann2, ann3 agree; doc 2: only ann1 and ann2, who disagree.
    same = [record(n, entities=[entity(9, 16, "ORG")]) for n in ("ann1", "ann2", "ann3")]
    other = [record("ann1", entities=[entity(9, 16, "ORG")]), record("ann2")]
    report = agreement_of([(LENGTH, same), (LENGTH, other)])
    assert (report.documents, report.compared, report.annotations) == (2, 2, 5)
    assert report.pair("ann1", "ann3").documents == 1
    assert report.pair("ann1", "ann3").row("entities").exact_f1 == 1.0
    # ann1 x ann2: 3 spans compared over two documents, 1 match: F1 = 2*1/3.
    assert report.pair("ann1", "ann2").row("entities").exact_f1 == pytest.approx(2 / 3)
    # Overall micro F1 over the 4 pair-documents: spans 2+2+2+1 = 7, matches 3: 6/7.
    assert report.overall.row("entities").exact_f1 == pytest.approx(6 / 7)
    # alpha_U overall: document 1 is 1.0; document 2 has one unit against nothing (< 0).
    assert report.overall.row("entities").alpha_u_documents == 2
    assert report.pair("ann2", "ann3").row("entities").alpha_u == 1.0


def test_lone_annotator_gives_no_comparison():
    report = report_of(record("ann1", entities=[entity(9, 16, "ORG")]))
    assert (report.documents, report.compared, report.pairs) == (1, 0, ())
    assert report.overall.row("entities").exact_f1 is None


def test_report_does_not_depend_on_span_or_annotator_order():
    rng = random.Random(7)  # noqa: S311 - test data, not secrets
    spans = [
        entity(s, s + rng.randint(1, 9), rng.choice(["PER", "ORG"]), f"e{s}")
        for s in range(0, 80, 3)
    ]
    a = record("ann1", entities=spans[::2] + spans[5:9])
    b = record("ann2", entities=spans[1::2] + spans[3:7])
    report = report_of(a, b)
    shuffled = [dict(r, entities=rng.sample(r["entities"], len(r["entities"]))) for r in (b, a)]
    assert report_of(*shuffled) == report


def test_views_skip_predictions_cancelled_and_keep_the_latest_per_annotator():
    older = record("ann1", entities=[entity(0, 5)])
    older["annotation"]["updated_at"] = "2026-01-01"
    newer = record("ann1", entities=[entity(9, 16)])
    newer["annotation"]["updated_at"] = "2026-02-01"
    skipped = record("ann2")
    skipped["annotation"]["cancelled"] = True
    model = record("model")
    model["annotation"]["origin"] = "prediction"
    (view,) = agreement_views([newer, older, skipped, model])
    assert view.spans["entities"][0][:2] == (9, 16)


def test_builder_matches_agreement_of():
    a, b = record("ann1", entities=[entity(9, 16)]), record("ann2", entities=[entity(9, 17)])
    builder = AgreementBuilder()
    builder.add(LENGTH, [view_of(a), view_of(b)])
    assert builder.result() == report_of(a, b)


def test_records_give_the_report_views_give_a_lone_annotator_included():
    lone = record("ann3", entities=[entity(0, 5)])
    model = record("model")
    model["annotation"]["origin"] = "prediction"
    pair = [record("ann1", entities=[entity(9, 16)]), record("ann2", entities=[entity(9, 17)])]
    documents = [[lone, model], pair, [model], []]
    from_records, from_views = AgreementBuilder(), AgreementBuilder()
    for group in documents:
        from_records.add_records(LENGTH, group)
        from_views.add(LENGTH, agreement_views(group))
    report = from_records.result()
    assert report == from_views.result()
    assert report.annotators == ("ann1", "ann2", "ann3")
    assert (report.documents, report.compared, report.annotations) == (2, 1, 3)


# --- the command -----------------------------------------------------------------------------


def team_file(tmp_path: Path) -> Path:
    """The minimal record by alice and bob; bob calls Genève an ORG."""
    path = tmp_path / "team.jsonl"
    records = []
    for number, name in enumerate(("alice", "bob")):
        made = json.loads(json.dumps(MINIMAL))
        made["annotation"].update(id=f"t{number}", annotator=name)
        if name == "bob":
            made["entities"][1]["label"] = "ORG"
        records.append(json.dumps(made, ensure_ascii=False))
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return path


def test_agreement_command_text(tmp_path: Path):
    result = CliRunner().invoke(main, ["agreement", str(team_file(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "2 annotators, 1 document, 1 annotated by two or more, 2 annotations (0 invalid records left out, 0 cancelled)"
    )
    # Kremlin matches, Genève LOC vs ORG does not: 4 spans, 1 match, F1 0.5.
    assert "entities                          4     0.500       0.500" in result.stdout
    # alpha_U of LOC: alice's [86,92) against nothing, L = 93: D_O = 2*6²/(2*93²);
    # gaps 86, 1, 93 fit l=6 as 81 + 88: D_E = 2*36*169/(93*(2*93*185 - 30)); 1 - D_O/D_E.
    assert "  LOC                             1     0.000       0.000   -0.094" in result.stdout
    assert (
        "entities.label                                 2     0.500   0.000   0.000"
        in result.stdout
    )
    assert (
        "alice x bob                                      1      0.500      1.000      1.000      1.000"
        in result.stdout
    )
    assert (
        "gold (ground_truth,reviewed,majority,latest): majority 1; 0 documents undecided"
        in result.stdout
    )
    assert "conflicts: 2 (minority-span 2)" in result.stdout
    assert (
        "  doc-b785fa853f0daa4f minority-span entities [86,92) «Genève» LOC (t0): marked by 1 of 2 annotations; not in gold"
        in result.stdout
    )


def test_agreement_command_json_and_gold_file(tmp_path: Path):
    gold = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "agreement",
            str(team_file(tmp_path)),
            "--format",
            "json",
            "--gold",
            str(gold),
            "--gold-policy",
            "latest",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gold"] == {"policy": ["latest"], "steps": {"latest": 1}, "undecided": 0}
    assert data["agreement"]["pairs"][0]["annotators"] == ["alice", "bob"]
    assert data["conflicts"] == []
    (written,) = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    assert written["annotation"]["id"] == "t1"
    assert result.stderr == f"1 gold records -> {gold}\n"


def test_agreement_command_errors(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["agreement", str(team_file(tmp_path)), "--gold-policy", "vote"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "Error: [E310] gold policy 'vote': expected distinct steps among"
    )
    result = CliRunner().invoke(main, ["agreement", str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
