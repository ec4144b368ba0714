"""Annotation files -> agreement and gold: what `annotate-kit agreement` runs.

Two passes, like export: the first validates and counts each document's annotations (invalid
records are left out and counted), the second groups a document's annotations and, once the
last one has been read, adds them to the agreement counts and adjudicates the document.
Only documents whose annotations are still arriving are held in memory.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from annotate_kit.agreement.adjudicate import DEFAULT_POLICY, Conflict, adjudicate
from annotate_kit.agreement.spans import AgreementBuilder, AgreementReport
from annotate_kit.io.inputs import iter_items
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import load_scheme
from annotate_kit.validate.items import validate_items
from annotate_kit.validate.problems import Report


@dataclass
class AgreementRun:
    """Agreement over the files, and how the policy chose gold for each document."""

    report: AgreementReport
    policy: tuple[str, ...]
    records: int = 0
    invalid: int = 0
    cancelled: int = 0
    gold_steps: Counter = field(default_factory=Counter)  # step -> documents
    undecided: int = 0  # documents the policy gave no gold
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)  # (doc_id, conflict)
    gold_written: int = 0
    validation: Report | None = None


def compare_files(
    paths: Sequence[str | Path],
    *,
    policy: Sequence[str] = DEFAULT_POLICY,
    gold: TextIO | None = None,
    progress: bool = False,
) -> AgreementRun:
    """Agreement and adjudication over records JSONL or Label Studio exports.

    With `gold`, each document's gold record is written there as JSONL (what `export` takes).
    """
    scheme = load_scheme()
    validation = Report()
    valid = bytearray()
    expected: Counter = Counter()
    items = validate_items(iter_items(list(paths), validation.stats), validation, scheme)
    if progress:
        from tqdm import tqdm

        items = tqdm(items, desc="validate", unit="record", file=sys.stderr)
    for item, problems in items:
        valid.append(not problems)
        if not problems:
            expected[item.record["doc_id"]] += 1
    builder = AgreementBuilder(scheme)
    run = AgreementRun(report=builder.result(), policy=tuple(policy), validation=validation)
    run.records, run.invalid, run.cancelled = (
        validation.records,
        validation.invalid,
        validation.cancelled,
    )
    for group in _documents(paths, valid, expected):
        builder.add_records(len(group[0]["text"]), group)
        result = adjudicate(group, policy=run.policy, scheme=scheme)
        run.conflicts += [(result.doc_id, conflict) for conflict in result.conflicts]
        if result.record is None:
            run.undecided += result.candidates != ()
            continue
        run.gold_steps[result.step] += 1
        if gold is not None:
            gold.write(json.dumps(result.record, ensure_ascii=False) + "\n")
            run.gold_written += 1
    run.report = builder.result()
    return run


def _documents(
    paths: Sequence[str | Path], valid: bytearray, expected: Counter
) -> Iterator[list[Record]]:
    """Each document's valid records, as soon as the last of them has been read."""
    pending: dict[str, list[Record]] = defaultdict(list)
    for ordinal, item in enumerate(iter_items(list(paths))):
        if not valid[ordinal]:
            continue
        doc_id = item.record["doc_id"]
        group = pending[doc_id]
        group.append(item.record)
        if len(group) == expected[doc_id]:
            yield pending.pop(doc_id)
