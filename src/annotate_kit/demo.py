"""The main job on the seed article: convert, validate the hand-made gold, export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from annotate_kit.documents.convert import convert
from annotate_kit.errors import InputError
from annotate_kit.export.dataset import export_dataset
from annotate_kit.validate.paths import validate_paths
from annotate_kit.validate.problems import format_problems


def run_demo(*, seeds_dir: Path, out_dir: Path, preannotate: bool = True) -> Iterator[str]:
    """Yield one line per step saying what was done and where the output went."""
    gold = sorted(Path(seeds_dir).glob("*.gold.jsonl"))
    if not gold:
        raise InputError(f"{seeds_dir}: no *.gold.jsonl records to validate and export")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = out_dir / "seed-tasks.json"
    summary = convert([seeds_dir], out=tasks, preannotate=preannotate)
    yield f"convert: {summary.tasks} Label Studio tasks ({summary.preannotated} pre-annotated) -> {tasks}"
    report = validate_paths(gold)
    yield "validate: " + format_problems(report, "text").replace("\n", "\n  ")
    if not report.ok:
        raise InputError(f"the seed gold in {seeds_dir} is invalid; see the problems above")
    dataset = out_dir / "seed"
    exported = export_dataset(gold, out=dataset, overwrite=True, license_id="unknown")
    for warning in exported.warnings:
        yield f"export: note: {warning}"
    yield (
        f"export: {exported.exported} records -> {dataset} "
        f"(open it with datasets.load_dataset({str(dataset)!r}))"
    )
