"""Validated records -> a Hugging Face dataset folder: Parquet shards plus a dataset card.

Two passes over the inputs keep memory flat: the first validates and picks one gold record
per document (remembering only its position), the second streams the chosen records into
one Parquet writer per split. Splits are a hash of the document id, so a document never
straddles splits and re-exporting gives the same split.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate_kit.card import write_card
from annotate_kit.errors import ExportError
from annotate_kit.features import record_features, row_encoder, storage_schema
from annotate_kit.inputs import iter_items
from annotate_kit.schema import load_scheme
from annotate_kit.validate import Report, validate_items

SPLITS = ("train", "validation", "test")
DEFAULT_RATIOS = (0.8, 0.1, 0.1)
MIN_DOCS_TO_SPLIT = 10
BATCH_ROWS = 1000
ORIGIN_RANK = {"adjudicated": 3, "gold": 3, "manual": 2, "prediction": 1}
GOLD_POLICY = (
    "one record per document: cancelled (skipped) annotations are never gold; then a record "
    "marked ground truth; then hand-made gold or adjudicated records; then annotators' records "
    "over predictions; then the most recently updated; then the last one in the input"
)


@dataclass
class ExportSummary:
    """Counts that reconcile: records = exported + superseded + cancelled + invalid."""

    out: str
    records: int = 0
    exported: int = 0
    superseded: int = 0
    cancelled: int = 0
    invalid: int = 0
    documents: int = 0
    split_rows: dict[str, int] = field(default_factory=dict)
    label_counts: dict[str, dict[str, Counter]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    fingerprint: str = ""
    report: Report | None = None


def split_of(doc_id: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> str:
    """Deterministic split from the document id alone."""
    bucket = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:16], 16) / 2**64
    if bucket < ratios[0]:
        return "train"
    if bucket < ratios[0] + ratios[1]:
        return "validation"
    return "test"


def export_dataset(
    paths: list[str | Path],
    *,
    out: str | Path,
    ratios: tuple[float, float, float] = DEFAULT_RATIOS,
    skip_invalid: bool = False,
    overwrite: bool = False,
    pretty_name: str | None = None,
    license_id: str = "unknown",
    progress: bool = False,
) -> ExportSummary:
    """Write out/ (Parquet + README.md card) so that `load_dataset(out)` works offline."""
    if len(ratios) != len(SPLITS) or any(r < 0 for r in ratios) or abs(sum(ratios) - 1) > 1e-6:
        raise ExportError(
            f"split ratios must be three non-negative numbers summing to 1, got {ratios}"
        )
    out = Path(out)
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"{out} exists and is not empty; pass --overwrite to replace it")
    summary = ExportSummary(out=str(out))
    chosen = _choose_gold(paths, summary, skip_invalid=skip_invalid, progress=progress)
    if not chosen:
        raise ExportError("no valid, non-cancelled annotation to export")
    summary.documents = len(chosen)
    if len(chosen) < MIN_DOCS_TO_SPLIT and ratios[0] < 1:
        summary.warnings.append(
            f"only {len(chosen)} documents (fewer than {MIN_DOCS_TO_SPLIT}): all of them go to "
            "train; validation and test would be too small to mean anything"
        )
        ratios = (1.0, 0.0, 0.0)
    wanted = {ordinal: doc_id for doc_id, (_, ordinal) in chosen.items()}

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        features = _write_parquet(paths, staging, wanted, ratios, summary)
        write_card(
            staging,
            features=features,
            summary=summary,
            pretty_name=pretty_name or out.name,
            license_id=license_id,
            gold_policy=GOLD_POLICY,
        )
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return summary


def _choose_gold(
    paths: list[str | Path], summary: ExportSummary, *, skip_invalid: bool, progress: bool
) -> dict[str, tuple[tuple[Any, ...], int]]:
    report = Report()
    summary.report = report
    items = validate_items(iter_items(paths, report.stats), report)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="validate", unit="record", file=sys.stderr)
    best: dict[str, tuple[tuple[Any, ...], int]] = {}
    for ordinal, (item, problems) in enumerate(items):
        summary.records += 1
        if problems:
            summary.invalid += 1
            continue
        record = item.record
        annotation = record.get("annotation") or {}
        if annotation.get("cancelled"):
            summary.cancelled += 1
            continue
        rank = (
            bool(annotation.get("ground_truth")),
            ORIGIN_RANK.get(annotation.get("origin") or "manual", 0),
            annotation.get("updated_at") or annotation.get("created_at") or "",
            ordinal,
        )
        previous = best.get(record["doc_id"])
        if previous is None or rank > previous[0]:
            best[record["doc_id"]] = (rank, ordinal)
    if summary.invalid and not skip_invalid:
        shown = "\n".join(
            f"  {p.location()} {p.path}: [{p.code}] {p.message}" for p in report.problems[:5]
        )
        more = len(report.problems) - 5
        raise ExportError(
            f"{summary.invalid} of {summary.records} records are invalid; nothing was written.\n{shown}"
            + (f"\n  … and {more} more problems" if more > 0 else "")
            + "\nRun 'annotate-kit validate' for the full list, or pass --skip-invalid to export the valid ones."
        )
    summary.superseded = summary.records - summary.invalid - summary.cancelled - len(best)
    return best


def _write_parquet(
    paths: list[str | Path],
    folder: Path,
    wanted: dict[int, str],
    ratios: tuple[float, float, float],
    summary: ExportSummary,
) -> Any:
    import pyarrow as pa
    import pyarrow.parquet as pq

    scheme = load_scheme()
    features = record_features(scheme)
    schema = features.arrow_schema
    plain = storage_schema(schema)
    encode = row_encoder(features)
    (folder / "data").mkdir()
    writers: dict[str, Any] = {}
    buffers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    counted = [
        (layer.key, prop)
        for layer in scheme.layers.values()
        for prop in (["label"] if layer.label_vocab else []) + list(layer.attributes)
    ]
    counts = {split: {f"{key}.{prop}": Counter() for key, prop in counted} for split in SPLITS}

    def flush(split: str) -> None:
        if not buffers[split]:
            return
        if split not in writers:
            writers[split] = pq.ParquetWriter(
                folder / "data" / f"{split}-00000-of-00001.parquet", schema
            )
        writers[split].write_table(pa.Table.from_pylist(buffers[split], schema=plain).cast(schema))
        buffers[split].clear()

    for ordinal, item in enumerate(iter_items(paths)):
        if ordinal not in wanted:
            continue
        record = item.record
        split = split_of(record["doc_id"], ratios)
        summary.languages.add(record["lang"])
        for key, prop in counted:
            counts[split][f"{key}.{prop}"].update(span[prop] for span in record[key])
        buffers[split].append(encode(record))
        if len(buffers[split]) >= BATCH_ROWS:
            flush(split)
    for split in SPLITS:
        flush(split)
    for writer in writers.values():
        writer.close()
    # datasets caches a folder by its card (features, split sizes, file patterns), not by the
    # files' content: a re-export with the same shape would load stale rows. A content hash in
    # the file names, and so in the card's patterns, gives each export its own cache entry.
    digest = hashlib.sha256()
    for split in SPLITS:
        if split in writers:
            path = folder / "data" / f"{split}-00000-of-00001.parquet"
            digest.update(path.read_bytes())
            summary.split_rows[split] = pq.ParquetFile(path).metadata.num_rows
    summary.fingerprint = digest.hexdigest()[:12]
    for split in summary.split_rows:
        path = folder / "data" / f"{split}-00000-of-00001.parquet"
        path.rename(path.with_name(f"{split}-{summary.fingerprint}-00000-of-00001.parquet"))
    summary.exported = sum(summary.split_rows.values())
    summary.label_counts = {s: c for s, c in counts.items() if s in writers}
    return features
