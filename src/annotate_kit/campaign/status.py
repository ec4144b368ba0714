"""The campaign's status, read from the server: who did what, how far, how much they agree.

Counts per task: total, annotated (one finished annotation or more), skipped (only skips),
not started, in the overlap sample (``data.overlap``, set by ``push --overlap``), awaiting
their overlap (in the sample, started, fewer annotators than the project's
maximum_annotations). Per annotator: annotations, skips, median lead time, and span F1 with
the others (agreement/spans.py over every document two or more people annotated, summed over
the pairs the annotator is in). Documents whose annotators' exact span F1 falls below the
threshold are listed for review. What annotators kept of the predictions comes from
agreement/suggestions.py.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from annotate_kit.agreement.spans import (
    RELATIONS,
    AgreementBuilder,
    AgreementReport,
    annotator_of,
    counted_annotations,
)
from annotate_kit.agreement.suggestions import SuggestionReport, SuggestionTally
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.overlap import OVERLAP_KEY
from annotate_kit.labelstudio.project import DEFAULT_PIECE_SIZE
from annotate_kit.labelstudio.survey import Survey
from annotate_kit.labelstudio.syncfiles import records_from_tasks
from annotate_kit.scheme.records import SPAN_LAYERS, Record

DEFAULT_THRESHOLD = 0.8  # exact span F1 between a document's annotators


@dataclass(frozen=True)
class AnnotatorStatus:
    annotator: str
    annotations: int
    skips: int
    median_lead_time: float | None
    pair_documents: int  # documents shared with another annotator, summed over the pairs
    f1: dict[str, dict[str, float | None]]  # layer -> {"exact": .., "overlap": ..}


@dataclass(frozen=True)
class Disagreement:
    doc_id: str
    task_id: int | None
    annotators: tuple[str, ...]
    exact_f1: float | None
    overlap_f1: float | None


@dataclass
class CampaignStatus:
    project: str
    project_id: int
    maximum_annotations: int
    overlap_percentage: int
    threshold: float
    tasks: int = 0
    annotated: int = 0
    skipped: int = 0
    not_started: int = 0
    in_sample: int = 0
    sample_complete: int = 0
    awaiting_overlap: int = 0
    annotators: list[AnnotatorStatus] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    agreement: AgreementReport | None = None
    suggestions: SuggestionReport | None = None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        overall = self.agreement.overall if self.agreement else None
        return {
            "project": self.project,
            "project_id": self.project_id,
            "overlap": {
                "maximum_annotations": self.maximum_annotations,
                "overlap_cohort_percentage": self.overlap_percentage,
            },
            "tasks": {
                "total": self.tasks,
                "annotated": self.annotated,
                "skipped": self.skipped,
                "not_started": self.not_started,
                "in_overlap_sample": self.in_sample,
                "overlap_complete": self.sample_complete,
                "awaiting_overlap": self.awaiting_overlap,
            },
            "annotators": [a.__dict__ for a in self.annotators],
            "agreement": None
            if overall is None
            else {
                "documents_compared": self.agreement.compared,
                "f1": _f1_by_layer(overall.spans, layers=(*SPAN_LAYERS, RELATIONS)),
            },
            "threshold": self.threshold,
            "to_review": [d.__dict__ for d in self.disagreements],
            "suggestions": None if self.suggestions is None else self.suggestions.as_dict(),
            "problems": self.problems,
        }


def campaign_status(
    *,
    project: str,
    url: str | None = None,
    credentials: Credentials | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    piece_size: int = DEFAULT_PIECE_SIZE,
    progress: bool = False,
) -> CampaignStatus:
    """Read the project once, in bounded pieces, and report on it; nothing is written."""
    options = {"url": url, "credentials": credentials, "piece_size": piece_size}
    return read_campaign(project, threshold=threshold, progress=progress, **options).finish()


def read_campaign(
    project: str,
    *,
    threshold: float,
    keep_conflicts: bool = False,
    progress: bool = False,
    **survey_options: Any,
) -> Tally:
    """Every task of the project through a Tally (survey_options: url, credentials,
    piece_size); with ``keep_conflicts`` the versions of each conflicting document are kept."""
    with Survey(project=project, progress=progress, **survey_options) as survey:
        settings = survey.settings
        if settings is None:  # pragma: no cover - set on entering
            raise RuntimeError("the survey did not read the project")
        status = CampaignStatus(
            project,
            settings.id,
            settings.maximum_annotations,
            settings.overlap_percentage,
            threshold,
        )
        tally = Tally(status, keep_conflicts=keep_conflicts)
        for piece in survey.pieces():
            for task in piece:
                tally.add_task(task)
    return tally


class Tally:
    """Counts that grow with annotators and labels, not with tasks (lead times excepted)."""

    def __init__(self, status: CampaignStatus, *, keep_conflicts: bool = False) -> None:
        self.status = status
        self.conflicts: list[list[Record]] | None = [] if keep_conflicts else None
        self.builder = AgreementBuilder()
        self.suggestions = SuggestionTally(self.builder.scheme)
        self.work: Counter[str] = Counter()
        self.skips: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)

    def add_task(self, task: dict[str, Any]) -> None:
        status = self.status
        converted = records_from_tasks([task], include_drafts=False, include_predictions=True)
        status.problems += converted.problems
        records = converted.records
        manual = [r for r in records if r["annotation"]["origin"] != "prediction"]
        done = [r for r in manual if not r["annotation"]["cancelled"]]
        for record in manual:
            who = annotator_of(record)
            if record["annotation"]["cancelled"]:
                self.skips[who] += 1
                continue
            self.work[who] += 1
            lead = record["annotation"].get("lead_time")
            if isinstance(lead, int | float):
                self.times[who].append(float(lead))
        status.tasks += 1
        status.annotated += bool(done)
        status.skipped += bool(manual) and not done
        status.not_started += not manual
        if (task.get("data") or {}).get(OVERLAP_KEY) is True:
            status.in_sample += 1
            people = len({annotator_of(r) for r in done})
            if people >= status.maximum_annotations:
                status.sample_complete += 1
            elif people:
                status.awaiting_overlap += 1
        self.suggestions.add_task(records)
        counted = counted_annotations(records)
        if not counted:
            return
        length = len(counted[0]["text"])
        self.builder.add_records(length, counted)
        if len(counted) >= 2:
            self._check(task, length, counted)

    def _check(self, task: dict[str, Any], length: int, counted: list[Record]) -> None:
        """One document's annotators against each other; listed below the threshold."""
        single = AgreementBuilder(self.builder.scheme)
        single.add_records(length, counted)
        rows = [
            r for r in single.result().overall.spans if r.label is None and r.layer != RELATIONS
        ]
        spans = sum(r.spans for r in rows)
        exact = 2 * sum(r.exact_matches for r in rows) / spans if spans else None
        overlap = 2 * sum(r.overlap_matches for r in rows) / spans if spans else None
        if exact is not None and exact < self.status.threshold:
            self.status.disagreements.append(
                Disagreement(
                    counted[0]["doc_id"],
                    task.get("id"),
                    tuple(sorted(annotator_of(r) for r in counted)),
                    exact,
                    overlap,
                )
            )
            if self.conflicts is not None:  # the review round needs every version
                self.conflicts.append(counted)

    def finish(self) -> CampaignStatus:
        status = self.status
        report = self.builder.result()
        status.agreement = report
        status.suggestions = self.suggestions.result()
        for who in sorted(self.work.keys() | self.skips.keys()):
            mine = [p for p in report.pairs if who in p.annotators]
            rows = [row for pair in mine for row in pair.spans]
            status.annotators.append(
                AnnotatorStatus(
                    annotator=who,
                    annotations=self.work[who],
                    skips=self.skips[who],
                    median_lead_time=statistics.median(self.times[who])
                    if self.times[who]
                    else None,
                    pair_documents=sum(p.documents for p in mine),
                    f1=_f1_by_layer(rows, layers=SPAN_LAYERS),
                )
            )
        return status


def _f1_by_layer(rows: Any, *, layers: tuple[str, ...]) -> dict[str, dict[str, float | None]]:
    """Micro F1 per layer (all labels) over the rows given (several pairs: summed)."""
    found: dict[str, dict[str, float | None]] = {}
    for layer in layers:
        chosen = [r for r in rows if r.layer == layer and r.label is None]
        spans = sum(r.spans for r in chosen)
        found[layer] = {
            "exact": 2 * sum(r.exact_matches for r in chosen) / spans if spans else None,
            "overlap": 2 * sum(r.overlap_matches for r in chosen) / spans if spans else None,
        }
    return found
