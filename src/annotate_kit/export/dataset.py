"""Validated records -> a Hugging Face dataset folder: three configs of Parquet and a card.

- `default`: one adjudicated gold record per document (adjudicate.py), with a `gold` column
  saying which step of the policy chose it, where each span came from and what conflicted;
- `annotations`: every valid annotation, one row per document and annotation, annotator ids
  pseudonymised by a stable hash unless kept on request;
- `bio`: the gold as tokens with IOB2 tags (bio.py).

Two passes keep memory flat: the first validates and counts each document's annotations, the
second streams rows into Parquet shards of bounded size per config and split (shards.py), and
adjudicates a document as soon as its last annotation has been read (documents whose
annotations are scattered through the input are held until then). Agreement is accumulated
as counts on the way. Splits are a hash of the document id, so a document never straddles
splits.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotate_kit._text import counted as count_of
from annotate_kit.agreement.adjudicate import (
    DEFAULT_POLICY,
    adjudicate,
    describe_policy,
    provenance_feature,
)
from annotate_kit.agreement.spans import AgreementBuilder
from annotate_kit.agreement.suggestions import SuggestionTally
from annotate_kit.errors import AnnotateKitError, ExportError
from annotate_kit.export.bio import bio_features
from annotate_kit.export.card import write_card
from annotate_kit.export.features import record_features
from annotate_kit.export.gctune import fewer_collections
from annotate_kit.export.gold_table import GoldEncoder, RecordEncoder
from annotate_kit.export.shards import SHARD_ROWS, BackgroundWriter, ShardWriter, fingerprint
from annotate_kit.export.summary import DEFAULT_RATIOS, SPLITS, ExportSummary
from annotate_kit.export.token_encoder import TokenViewEncoder
from annotate_kit.export.token_process import TokenViewProcess
from annotate_kit.io.inputs import iter_items
from annotate_kit.io.staging import stage_dir
from annotate_kit.io.targets import refuse_overlap
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.validate.items import validate_items
from annotate_kit.validate.problems import Report
from annotate_kit.validate.workers import outcome, outcomes_in_workers

UNKNOWN_LICENSES = frozenset({"unknown", "", "none"})  # the card would say nothing usable
MIN_DOCS_TO_SPLIT = 10
GOLD_POLICY = describe_policy(DEFAULT_POLICY)  # kept for readers of the old constant


def split_of(doc_id: str, ratios: tuple[float, float, float] = DEFAULT_RATIOS) -> str:
    """Deterministic split from the document id alone."""
    bucket = int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:16], 16) / 2**64
    if bucket < ratios[0]:
        return "train"
    if bucket < ratios[0] + ratios[1]:
        return "validation"
    return "test"


def pseudonym(annotator: str) -> str:
    """A stable stand-in for an annotator id (the same id gives the same name in every export).

    Pseudonymous, not anonymous: a short id space (Label Studio user numbers) can be
    enumerated; keep exports with named annotators private.
    """
    return "annotator-" + hashlib.sha256(f"annotate-kit:{annotator}".encode()).hexdigest()[:8]


@fewer_collections()  # a fifth faster: an export makes no reference cycles worth hunting
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
    gold_policy: Sequence[str] = DEFAULT_POLICY,
    keep_annotator_ids: bool = False,
    shard_rows: int = SHARD_ROWS,
    workers: int = 1,
) -> ExportSummary:
    """Write out/ (Parquet + README.md card) so that `load_dataset(out, config)` works offline.

    Each split of each config is written as Parquet files of at most ``shard_rows`` rows (and
    ~500 MB of Arrow data), so no file grows with the corpus. ``workers`` >= 2 validates in
    that many processes and builds the token view in a process of its own
    (export/token_process.py): the same files, sooner.
    """
    if len(ratios) != len(SPLITS) or any(r < 0 for r in ratios) or abs(sum(ratios) - 1) > 1e-6:
        raise ExportError(
            f"split ratios must be three non-negative numbers summing to 1, got {ratios}"
        )
    if shard_rows < 1:
        raise ExportError(f"shard_rows must be at least 1, got {shard_rows}")
    where = str(out)  # as the user gave it: the card's snippet loads it from there
    out = Path(out)
    refuse_overlap(paths, out)  # --overwrite would delete what is being read
    if out.exists() and not out.is_dir():
        raise AnnotateKitError(
            f"{out} is a file; -o names the dataset's folder (a new one, or one to --overwrite)",
            code="E301",
        )
    if out.exists() and any(out.iterdir()) and not overwrite:
        raise ExportError(f"{out} exists and is not empty; pass --overwrite to replace it")
    # the token view's process (if any) starts now, so that it is ready after validation
    with TokenViewProcess(shard_rows=shard_rows) if workers > 1 else nullcontext() as helper:
        summary = ExportSummary(out=str(out), policy=tuple(gold_policy))
        summary.annotator_ids = "kept" if keep_annotator_ids else "pseudonymised"
        valid, expected = _scan(
            paths, summary, skip_invalid=skip_invalid, progress=progress, workers=workers
        )
        if not any(expected.values()):
            raise ExportError("no valid, non-cancelled annotation to export")
        if len(expected) < MIN_DOCS_TO_SPLIT and ratios[0] < 1:
            summary.warnings.append(
                f"only {count_of(len(expected), 'document')} (fewer than {MIN_DOCS_TO_SPLIT}): all of them go to "
                "train; validation and test would be too small to mean anything"
            )
            ratios = (1.0, 0.0, 0.0)
        if license_id in UNKNOWN_LICENSES:
            summary.warnings.append(
                f"the licence is {license_id!r}: nobody can tell whether the data may be "
                "reused; say it with --license (e.g. cc-by-4.0, cc-by-nc-4.0, other)"
            )

        out.parent.mkdir(parents=True, exist_ok=True)
        staging = stage_dir(out)
        try:
            with BackgroundWriter() as files:  # stopped before the staging folder is removed
                writers = _write(
                    paths,
                    staging,
                    valid=valid,
                    expected=expected,
                    ratios=ratios,
                    summary=summary,
                    keep_annotator_ids=keep_annotator_ids,
                    shard_rows=shard_rows,
                    helper=helper,
                    files=files,
                    progress=progress,
                )
            summary.chart = _chart(staging, summary)
            write_card(
                staging,
                writers=writers,
                summary=summary,
                pretty_name=pretty_name or out.name,
                license_id=license_id,
                where=where,
            )
            if out.exists():
                shutil.rmtree(out)
            os.replace(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return summary


def _scan(
    paths: list[str | Path],
    summary: ExportSummary,
    *,
    skip_invalid: bool,
    progress: bool,
    workers: int,
) -> tuple[bytearray, Counter]:
    """Validate (in ``workers`` processes if more than 1); return which records are valid (by
    position) and each document's count of valid annotations (cancelled ones included: they
    are rows of the annotations config)."""
    report = Report()
    summary.report = report
    if workers > 1:
        outcomes = outcomes_in_workers(paths, workers=workers, report=report)
    else:
        checked = validate_items(iter_items(paths, report.stats), report)
        outcomes = (outcome(item, problems) for item, problems in checked)
    if progress:
        from tqdm import tqdm

        outcomes = tqdm(outcomes, desc="validate", unit="record", file=sys.stderr)
    valid = bytearray()
    expected: Counter = Counter()
    live: set[str] = set()
    for ok, doc_id, cancelled in outcomes:
        summary.records += 1
        valid.append(ok)
        if not ok:
            summary.invalid += 1
            continue
        expected[doc_id] += 1
        if cancelled:
            summary.cancelled += 1
        else:
            live.add(doc_id)
    if report.stats.failed_preannotation:
        summary.warnings.append(
            f"{report.stats.failed_preannotation} shard rows carry no predictions: their "
            f"pre-annotation failed ({report.stats.failed_rows()}; every reason is in the "
            "shards' error column)"
        )
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
    return valid, Counter({doc: n for doc, n in expected.items() if doc in live})


def _write(
    paths: list[str | Path],
    folder: Path,
    *,
    valid: bytearray,
    expected: Counter,
    ratios: tuple[float, float, float],
    summary: ExportSummary,
    keep_annotator_ids: bool,
    shard_rows: int,
    helper: TokenViewProcess | None,
    files: BackgroundWriter,
    progress: bool = False,
) -> dict[str, ShardWriter]:
    from datasets import Features

    scheme = load_scheme()
    spans = record_features(scheme)
    gold = Features({**spans, "gold": provenance_feature()})
    bio = bio_features(scheme)
    if helper is not None:
        helper.start(folder, bio.arrow_schema)
    records = RecordEncoder(spans)  # the default config reuses its tables (gold_table.py)
    writers = {
        "default": ShardWriter(
            folder,
            "default",
            gold,
            max_rows=shard_rows,
            encoder=GoldEncoder(gold, records),
            files=files,
        ),
        "annotations": ShardWriter(
            folder, "annotations", spans, max_rows=shard_rows, encoder=records, files=files
        ),
        "bio": ShardWriter(
            folder,
            "bio",
            bio,
            max_rows=shard_rows,
            encoder=TokenViewEncoder(bio.arrow_schema, summary.bio_losses, scheme),
            files=files,
        ),
    }
    counted = [  # (layer, property, its name in the counts), named once
        (layer.key, prop, f"{layer.key}.{prop}")
        for layer in scheme.layers.values()
        for prop in (["label"] if layer.label_vocab else []) + list(layer.attributes)
    ]
    counts = {split: {name: Counter() for _, _, name in counted} for split in SPLITS}
    agreement = AgreementBuilder(scheme)
    suggestions = SuggestionTally(scheme)  # needs prediction records: pull --predictions
    pending: dict[str, list[Record]] = defaultdict(list)
    rename = (lambda a: a) if keep_annotator_ids else pseudonym
    predicted = 0  # documents whose gold is a prediction

    items: Any = iter_items(paths)
    if progress:  # the second pass takes most of the time: it gets its own bar
        from tqdm import tqdm

        items = tqdm(items, desc="export", unit="record", total=summary.records, file=sys.stderr)
    for ordinal, item in enumerate(items):
        if not valid[ordinal]:
            continue
        record = _with_annotator(item.record, rename)
        split = split_of(record["doc_id"], ratios)
        size = len(record["text"])
        writers["annotations"].add(split, record, chars=size)
        if record["doc_id"] not in expected:
            continue  # every annotation of this document was cancelled: no gold to make
        group = pending[record["doc_id"]]
        group.append(record)
        if len(group) < expected[record["doc_id"]]:
            continue
        del pending[record["doc_id"]]
        agreement.add_records(size, group)
        suggestions.add_task(group)
        result = adjudicate(group, policy=summary.policy, scheme=scheme)
        _note_conflicts(summary, result)
        live = sum(1 for r in group if not (r.get("annotation") or {}).get("cancelled"))
        if result.record is None:
            summary.undecided += live
            continue
        gold_record = result.record
        summary.gold_steps[result.step] += 1
        if (gold_record.get("annotation") or {}).get("origin") == "prediction":
            predicted += 1
        summary.superseded += live - 1
        summary.languages.add(gold_record["lang"])
        for key, prop, name in counted:
            counts[split][name].update(map(itemgetter(prop), gold_record[key]))
        writers["default"].add(split, (gold_record, result), chars=size)
        if helper is not None:
            helper.add(split, gold_record, chars=size * 4)
        else:
            writers["bio"].add(split, gold_record, chars=size * 4)  # tokens weigh more than text
    for name in ("annotations", "default", "bio"):  # annotations first: default reuses its tables
        writers[name].close()
    if helper is not None:
        writers["bio"].rows, writers["bio"].shards, summary.bio_losses = helper.finish()
    if predicted:
        summary.warnings.append(
            f"{count_of(predicted, 'document')} {'has' if predicted == 1 else 'have'} a model's "
            "pre-annotation as their gold: nobody annotated them (policy step 'latest' falls back on predictions). Treat them as silver data, "
            "or annotate them in Label Studio and pull again"
        )
    summary.fingerprint = fingerprint(list(writers.values()))
    for writer in writers.values():
        writer.rename(summary.fingerprint)
    summary.config_rows = {
        name: dict(sorted(w.rows.items(), key=_split_order)) for name, w in writers.items()
    }
    summary.split_rows = summary.config_rows["default"]
    summary.exported = sum(summary.split_rows.values())
    if summary.exported == 0:
        raise ExportError(
            f"the gold policy {','.join(summary.policy)} chose no gold for any document; "
            "add 'latest' to the policy or see the conflicts with 'annotate-kit agreement'"
        )
    summary.documents = summary.exported
    summary.label_counts = {s: c for s, c in counts.items() if s in summary.split_rows}
    summary.agreement = agreement.result()
    summary.suggestions = suggestions.result()
    return writers


def _split_order(item: tuple[str, int]) -> int:
    return SPLITS.index(item[0])


def _with_annotator(record: Record, rename: Any) -> Record:
    annotation = record.get("annotation")
    if not annotation or annotation.get("annotator") is None:
        return record
    return {**record, "annotation": {**annotation, "annotator": rename(annotation["annotator"])}}


def _note_conflicts(summary: ExportSummary, result: Any) -> None:
    for conflict in result.conflicts:
        summary.conflicts[conflict.kind] += 1
        if len(summary.conflict_examples) < 10:
            where = f" {conflict.layer} {conflict.label} «{conflict.text}»" if conflict.text else ""
            summary.conflict_examples.append(f"{result.doc_id}{where}: {conflict.detail}")


def _chart(folder: Path, summary: ExportSummary) -> str | None:
    from annotate_kit.export.chart import write_chart

    name = "agreement.png"
    totals: dict[str, Counter] = defaultdict(Counter)
    for per_split in summary.label_counts.values():
        for layer, counter in per_split.items():
            totals[layer].update(counter)
    write_chart(folder / name, totals=totals, agreement=summary.agreement)
    return name
