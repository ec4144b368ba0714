"""What an export did, in counts that reconcile; the card is written from it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotate_kit.agreement.adjudicate import (
    DEFAULT_POLICY,
)
from annotate_kit.agreement.spans import AgreementReport
from annotate_kit.agreement.suggestions import SuggestionReport
from annotate_kit.export.bio import BioLosses
from annotate_kit.validate.problems import Report

SPLITS = ("train", "validation", "test")


CONFIGS = ("default", "annotations", "bio")


DEFAULT_RATIOS = (0.8, 0.1, 0.1)


@dataclass
class ExportSummary:
    """Counts that reconcile: records = exported + superseded + cancelled + invalid + undecided."""

    out: str
    records: int = 0
    exported: int = 0  # gold rows (documents) in the default config
    superseded: int = 0  # annotations that gold was chosen over or merged from
    cancelled: int = 0
    invalid: int = 0
    undecided: int = 0  # annotations of documents the policy gave no gold
    documents: int = 0
    split_rows: dict[str, int] = field(default_factory=dict)  # default config
    config_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    label_counts: dict[str, dict[str, Counter]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    languages: set[str] = field(default_factory=set)
    fingerprint: str = ""
    report: Report | None = None
    policy: tuple[str, ...] = DEFAULT_POLICY
    gold_steps: Counter = field(default_factory=Counter)  # step -> documents
    conflicts: Counter = field(default_factory=Counter)  # kind -> count
    conflict_examples: list[str] = field(default_factory=list)
    agreement: AgreementReport | None = None
    bio_losses: BioLosses = field(default_factory=BioLosses)
    annotator_ids: str = "pseudonymised"
    chart: str | None = None
    suggestions: SuggestionReport | None = None  # what annotators kept of the predictions
