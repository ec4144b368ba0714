"""annotate-kit train from records, then convert --preannotate --model with what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.export.dataset import export_dataset, split_of
from training.tiny import tiny_records, with_claims

FAST = ["--base", "blank", "--max-epochs", "3", "--batch-size", "8", "--seed", "1"]


def test_train_then_convert_with_the_model(tmp_path: Path):
    records = tmp_path / "gold.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in tiny_records(40)), "utf-8")
    model = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(main, ["train", str(records), "-o", str(model), *FAST])
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("training on ")
    assert lines[0].endswith(" (en)")
    assert [line.split()[:2] for line in lines[1:4]] == [
        ["epoch", "1"],
        ["epoch", "2"],
        ["epoch", "3"],
    ]
    assert lines[-1] == f"model written to {model}"
    assert "| cues | untyped | overlap |" in result.stdout  # model against rules, test split
    readme = (model / "README.md").read_text("utf-8")
    assert "## Model against rules" in readme
    assert "| cues | untyped | overlap |" in readme

    again = runner.invoke(main, ["train", str(records), "-o", str(model), *FAST])
    assert again.exit_code == 2
    assert "--overwrite" in again.stderr

    (model / "README.md").unlink()
    compared = runner.invoke(main, ["train", str(records), "-o", str(model), "--compare-only"])
    assert compared.exit_code == 0, compared.output
    assert "| cues | untyped | overlap |" in compared.stdout
    assert "## Model against rules" in (model / "README.md").read_text("utf-8")
    evaluated = runner.invoke(main, ["evaluate", str(model), str(records)])
    assert evaluated.exit_code == 0, evaluated.output
    head = evaluated.stdout.splitlines()[0]
    assert head.startswith("| layer | labels | match | rules P | rules R | rules F1 | model P")
    assert "| cues | untyped | overlap |" in evaluated.stdout
    as_json = runner.invoke(main, ["evaluate", str(model), str(records), "--format", "json"])
    assert set(json.loads(as_json.stdout)["settings"]) == {"rules", "model", "both"}

    gold = with_claims(tiny_records(40))  # export takes valid records: cues bear on claims
    records.write_text("".join(json.dumps(r) + "\n" for r in gold), "utf-8")
    export_dataset([records], out=tmp_path / "export")
    on_export = runner.invoke(
        main, ["evaluate", str(model), str(tmp_path / "export"), "--format", "json"]
    )
    assert on_export.exit_code == 0, on_export.output
    test_docs = sum(split_of(r["doc_id"]) == "test" for r in gold)
    assert 0 < test_docs < 40
    assert json.loads(on_export.stdout)["documents"] == test_docs  # the test split only
    export_dataset([records], out=tmp_path / "no-test", ratios=(1.0, 0.0, 0.0))
    no_test = runner.invoke(main, ["evaluate", str(model), str(tmp_path / "no-test")])
    assert no_test.exit_code == 2
    assert "no test split to compare on" in no_test.stderr
    missing = runner.invoke(
        main, ["train", str(records), "-o", str(tmp_path / "no"), "--compare-only"]
    )
    assert missing.exit_code == 2
    assert "[E510]" in missing.stderr

    doc = tmp_path / "doc.txt"
    doc.write_text("The results may change next year.\n", "utf-8")
    tasks = tmp_path / "tasks.json"
    converted = runner.invoke(
        main,
        [
            "convert",
            str(doc),
            "-o",
            str(tasks),
            "--lang",
            "en",
            "--preannotate",
            "--model",
            f"en={model}",
            "--suggest",
            "model",
        ],
    )
    assert converted.exit_code == 0, converted.output
    (task,) = json.loads(tasks.read_text("utf-8"))
    (prediction,) = task["predictions"]
    assert "+model-" in prediction["model_version"]
    assert prediction["model_version"].endswith("+suggest-model")

    bad = runner.invoke(main, ["convert", str(doc), "--preannotate", "--model", "en"])
    assert bad.exit_code == 2
    assert "use LANG=NAME_OR_PATH" in bad.output


def test_train_refuses_records_without_validation_documents(tmp_path: Path):
    records = tmp_path / "gold.jsonl"
    records.write_text(json.dumps(tiny_records(1)[0]) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["train", str(records), "-o", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: [E700] ")
