"""validate: the golden corpus (one case per file), output formats, rejects, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.scheme.records import new_record
from annotate_kit.validate.checks import check_record
from annotate_kit.validate.paths import validate_paths

DATA = Path(__file__).parents[1] / "data"
VALID = sorted((DATA / "valid").iterdir())
INVALID = sorted((DATA / "invalid").iterdir())
UNUSABLE = sorted((DATA / "unusable").iterdir())


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_cases_have_no_problem(path: Path):
    report = validate_paths([path])
    assert report.problems == []
    assert report.records > 0
    assert report.valid == report.records


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_case_reports_the_code_in_its_name(path: Path):
    expected = path.name.split("-", 1)[0]
    report = validate_paths([path])
    assert report.invalid == 1
    assert expected in {p.code for p in report.problems}
    first = next(p for p in report.problems if p.code == expected)
    assert first.file == str(path)
    assert first.path.startswith("$")


@pytest.mark.parametrize("path", UNUSABLE, ids=lambda p: p.name)
def test_unusable_input_exits_2_with_one_line(path: Path):
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: [E20")
    assert str(path) in result.output
    assert "Traceback" not in result.output


def test_cli_exit_codes_and_text_summary():
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(DATA / "valid" / "minimal-record.jsonl")])
    assert (ok.exit_code, ok.output) == (0, "1 record: 1 valid, 0 invalid\n")
    bad = DATA / "invalid" / "E111-span-text-mismatch.jsonl"
    result = runner.invoke(main, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"{bad}:1 annotation a1 doc doc-b785fa853f0daa4f span e1 $.entities[0].text: "
        "[E111] span text 'Kreml' is not text[9:16] = 'Kremlin'"
    )
    assert result.output.splitlines()[-1] == "1 record: 0 valid, 1 invalid"


def test_labelstudio_export_points_at_task_and_annotation():
    path = DATA / "invalid" / "E160-choice-on-entity.json"
    (problem,) = validate_paths([path]).problems
    assert (problem.task_id, problem.annotation_id, problem.pointer) == (
        1,
        "5",
        "$[0].annotations[0]",
    )
    assert problem.path == "$[0].annotations[0].result[19]"


def test_labelstudio_export_counts_cancelled_and_unannotated_tasks():
    report = validate_paths([DATA / "valid" / "labelstudio-export.json"])
    assert (report.records, report.valid, report.cancelled) == (3, 3, 1)
    assert (report.stats.tasks, report.stats.tasks_without_annotations) == (2, 1)


def test_json_and_github_formats():
    bad = str(DATA / "invalid" / "E130-unattached-cue.jsonl")
    result = CliRunner().invoke(main, ["validate", bad, "--format", "json"])
    payload = json.loads(result.output)
    assert (payload["records"], payload["valid"], payload["invalid"]) == (1, 0, 1)
    assert payload["problems"][0]["code"] == "E130"
    assert payload["problems"][0]["span_id"] == "q3"
    result = CliRunner().invoke(main, ["validate", bad, "--format", "github"])
    assert result.output.startswith(f"::error file={bad},line=1,title=annotate-kit E130::")


def test_rejects_are_written_and_counts_reconcile(tmp_path: Path):
    inputs = [DATA / "valid" / "minimal-record.jsonl", *INVALID[:3]]
    rejects = tmp_path / "rejects.jsonl"
    result = CliRunner().invoke(main, ["validate", *map(str, inputs), "--rejects", str(rejects)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert len(lines) == 3
    assert all(line["problems"] and line["record"]["doc_id"] for line in lines)
    assert result.output.splitlines()[-1] == "4 records: 1 valid, 3 invalid"


def test_a_record_with_a_non_object_is_reported_not_crashing():
    assert check_record([1, 2])[0].code == "E101"
    record = new_record(text="abc", lang="fr")
    record["entities"] = [{"id": "e1", "start": "0", "end": 2, "text": "ab", "label": "PER"}]
    assert [p.code for p in check_record(record)] == ["E101"]


def test_unknown_label_message_names_the_vocabulary():
    (problem,) = validate_paths([DATA / "invalid" / "E101-unknown-label.jsonl"]).problems
    assert problem.path == "$.entities[0].label"
    assert (
        problem.message
        == "'CITY' is not in the entity_label vocabulary; allowed: PER, ORG, LOC, MISC, DATE, QUANTITY"
    )


def test_workers_give_the_same_report_and_rejects_in_the_same_order(tmp_path: Path):
    """Many chunks (CHUNK records each), JSONL and a Label Studio export interleaved."""
    seed = (
        DATA.parent.parent / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"
    ).read_text()
    big = tmp_path / "big.jsonl"
    big.write_text(seed * 150 + "".join(p.read_text() for p in INVALID if p.suffix == ".jsonl"))
    inputs = [big, *VALID, *INVALID, big]
    reports, rejects = [], []
    for workers in (1, 2):
        out = tmp_path / f"rejects-{workers}.jsonl"
        with out.open("w", encoding="utf-8") as handle:
            reports.append(validate_paths(inputs, rejects=handle, workers=workers))
        rejects.append(out.read_text())
    one, two = reports
    assert (two.valid, two.invalid, two.cancelled) == (one.valid, one.invalid, one.cancelled)
    assert one.valid > 300
    assert two.problems == one.problems
    assert two.stats == one.stats
    assert rejects[1] == rejects[0]
    assert rejects[0].count("\n") == one.invalid
    appended = [p for p in INVALID if p.suffix == ".jsonl"]  # one record each, after 150 seeds
    lines = sorted({p.line for p in one.problems if p.file == str(big)})
    assert lines == list(range(151, 151 + len(appended)))


def test_workers_stop_on_unusable_input_like_one_process(tmp_path: Path):
    result = CliRunner().invoke(
        main, ["validate", "--workers", "2", str(DATA / "unusable" / "not-json.jsonl")]
    )
    assert result.exit_code == 2
    assert "not-json.jsonl:1: invalid JSON" in result.output


@pytest.mark.parametrize("workers", [1, 2])
def test_jsonl_bytes_name_the_line_and_a_bom_is_accepted(tmp_path: Path, workers: int):
    record = (DATA / "valid" / "minimal-record.jsonl").read_bytes()
    good = tmp_path / "bom.jsonl"
    good.write_bytes(b"\xef\xbb\xbf" + record + record)
    assert validate_paths([good], workers=workers).valid == 2
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(record + record.replace(b'"text": "', b'"text": "\xe9', 1))
    result = CliRunner().invoke(main, ["validate", "--workers", str(workers), str(bad)])
    assert result.exit_code == 2
    assert "latin1.jsonl:2: not UTF-8 (invalid continuation byte at byte " in result.output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_progress_bar_counts_records_on_stderr(workers: str):
    files = [str(DATA / "valid" / "labelstudio-export.json"), *map(str, INVALID[:2])]
    result = CliRunner().invoke(main, ["validate", "--progress", "--workers", workers, *files])
    assert result.exit_code == 1
    last = result.stderr.replace("\r", "\n").strip().splitlines()[-1]
    counted = validate_paths([Path(f) for f in files]).records
    assert last.startswith(f"validate: {counted}record ")
    assert "validate:" not in result.stdout


def test_a_labelstudio_export_is_read_a_block_at_a_time(monkeypatch: pytest.MonkeyPatch):
    from annotate_kit.io import jsonstream

    export = DATA / "valid" / "labelstudio-export.json"
    whole = validate_paths([export])

    def refuse(*_args, **_kwargs):
        raise AssertionError("the export was read whole")

    monkeypatch.setattr(Path, "read_text", refuse)
    monkeypatch.setattr(Path, "read_bytes", refuse)
    monkeypatch.setattr(jsonstream, "BLOCK", 97)  # many blocks, elements cut anywhere
    streamed = validate_paths([export])
    assert (streamed.valid, streamed.invalid, streamed.stats) == (
        whole.valid,
        whole.invalid,
        whole.stats,
    )
    assert streamed.problems == whole.problems
    assert whole.records > 1
