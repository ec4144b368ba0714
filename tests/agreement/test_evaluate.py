"""evaluate: span matching, per-label scores, relations, coverage, and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate_kit.agreement.evaluate import evaluate_records, format_table, match_spans
from annotate_kit.cli.evaluate import evaluate_cli
from annotate_kit.errors import InputError
from annotate_kit.scheme.records import new_record

TEXT = "Le Kremlin a annoncé que Moscou pourrait négocier."


def span(kind, start, end, label=None, **extra):
    item = {"id": f"{kind}{start}", "start": start, "end": end, "text": TEXT[start:end], **extra}
    if label:
        item["label"] = label
    return item


def record(entities=(), cues=(), claims=(), relations=()):
    rec = new_record(text=TEXT, lang="fr", doc_id="doc-1")
    rec.update(
        entities=list(entities), cues=list(cues), claims=list(claims), relations=list(relations)
    )
    return rec


CLAIM = {
    "source_kind": "MENTION",
    "attribution_kind": "INDIRECT",
    "factuality": "PS+",
    "check_worthiness": "UFS",
}


def gold():
    return record(
        entities=[span("e", 3, 10, "ORG"), span("e", 25, 31, "ORG")],
        cues=[span("c", 11, 24, "ATTRIBUTION"), span("c", 32, 40, "EPISTEMIC")],
        claims=[span("k", 25, 49, **CLAIM)],
        relations=[
            {"id": "r1", "type": "CUE_OF", "head": "c11", "tail": "k25"},
            {"id": "r2", "type": "SOURCE_OF", "head": "e3", "tail": "k25"},
        ],
    )


def test_exact_and_overlap_matching_differ_on_boundaries():
    pred = record(
        entities=[span("e", 3, 10, "ORG"), span("e", 25, 31, "LOC")],
        cues=[span("c", 11, 20, "ATTRIBUTION"), span("c", 32, 40, "EPISTEMIC")],
        claims=[span("k", 25, 48, **CLAIM)],
        relations=[{"id": "r1", "type": "CUE_OF", "head": "c11", "tail": "k25"}],
    )
    result = evaluate_records([pred], [gold()])
    assert result.get("entities", "exact").true_positives == 1  # Moscou: wrong label
    assert result.get("entities", "exact", "(spans)").true_positives == 2
    assert result.get("entities", "exact", "LOC").precision == 0.0
    assert result.get("cues", "exact").true_positives == 1
    assert result.get("cues", "overlap").true_positives == 2
    assert result.get("claims", "exact").true_positives == 0
    assert result.get("claims", "overlap").f1 == 1.0
    assert result.get("relations", "overlap", "CUE_OF").f1 == 1.0
    assert result.get("relations", "overlap", "SOURCE_OF").recall == 0.0
    assert result.attributed_claims_covered == (1, 1)
    assert result.attribute_agreement["factuality"] == (1, 1)


def test_matching_is_one_to_one():
    gold_spans = [{"start": 0, "end": 10}]
    pred_spans = [{"start": 0, "end": 4}, {"start": 2, "end": 9}]
    assert match_spans(pred_spans, gold_spans, mode="overlap") == [(1, 0)]


def test_perfect_prediction_scores_one_and_table_lists_layers():
    result = evaluate_records([gold()], [gold()])
    for layer in ("entities", "cues", "claims", "relations"):
        assert result.get(layer, "exact").f1 == 1.0
    table = format_table(result)
    assert table.splitlines()[0].split()[:3] == ["layer", "label", "match"]
    assert "gold claims with an attribution cue overlapped by a candidate: 1/1" in table


def test_unpaired_documents_are_reported_and_differing_texts_refused():
    other = new_record(text="Autre texte.", lang="fr", doc_id="doc-2")
    result = evaluate_records([gold(), other], [gold()])
    assert result.unpaired_predicted == ("doc-2",)
    changed = gold()
    changed["text"] = TEXT.upper()
    with pytest.raises(InputError, match="texts differ"):
        evaluate_records([changed], [gold()])


def annotated(base, ref, *, cancelled=False, updated="2026-01-01", **changes):
    """``base`` as annotation ``ref`` made it (Label Studio's pull gives one record each)."""
    annotation = {
        "id": ref,
        "annotator": f"user-{ref}",
        "origin": "manual",
        "ground_truth": False,
        "cancelled": cancelled,
        "updated_at": updated,
    }
    return {**base, "annotation": annotation, **changes}


def test_several_gold_annotations_are_adjudicated_and_skipped_ones_never_count():
    perfect = gold()
    stale = annotated(gold(), "1", updated="2026-01-01", entities=[])
    latest = annotated(gold(), "2", updated="2026-02-01")
    skipped = annotated(gold(), "3", cancelled=True, entities=[], cues=[], claims=[], relations=[])
    result = evaluate_records([perfect], [stale, latest, skipped])
    assert result.gold_adjudicated == 1
    assert result.get("entities", "exact").f1 == 1.0  # the latest annotation, not the last line
    only_skipped = {**skipped, "doc_id": "doc-9"}
    result = evaluate_records([perfect, {**perfect, "doc_id": "doc-9"}], [latest, only_skipped])
    assert result.gold_undecided == ("doc-9",)
    assert result.documents == 1  # doc-9 is not scored as a document with nothing in it
    assert "not scored: doc-9" in format_table(result)


def test_several_predictions_of_a_document_are_refused():
    with pytest.raises(InputError, match="document doc-1: several predicted records"):
        evaluate_records([gold(), gold()], [gold()])


def write(path, *records):
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    return path


def test_cli_json_output(tmp_path):
    pred = write(tmp_path / "pred.jsonl", gold())
    ref = write(tmp_path / "gold.jsonl", gold())
    result = CliRunner().invoke(evaluate_cli, [str(pred), str(ref), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["documents"] == 1
    assert {"layer": "cues", "label": "*", "mode": "overlap", "f1": 1.0}.items() <= next(
        s for s in data["scores"] if (s["layer"], s["label"], s["mode"]) == ("cues", "*", "overlap")
    ).items()


def test_cli_table_output(tmp_path):
    pred = write(tmp_path / "pred.jsonl", gold())
    result = CliRunner().invoke(evaluate_cli, [str(pred), str(pred)])
    assert result.exit_code == 0
    assert "entities   *                 exact     1.000  1.000  1.000" in result.output


def test_cli_errors_are_clean(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(evaluate_cli, [str(bad), str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: [E200] ")
    assert "bad.jsonl:1: invalid JSON" in result.output
    missing = CliRunner().invoke(evaluate_cli, [str(tmp_path / "nope.jsonl"), str(bad)])
    assert missing.exit_code == 2
    assert "no such file" in missing.output


def test_cli_help_ends_with_an_example():
    result = CliRunner().invoke(evaluate_cli, ["--help"])
    assert result.exit_code == 0
    assert "Example: annotate-kit evaluate" in result.output
