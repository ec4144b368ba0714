"""The adjudication round: the documents annotators disagree on, sent to a review project.

Each conflicting document (exact span F1 between its annotators below the threshold, as
``status`` lists them) becomes a task of the review project, "NAME — review" by default,
with every annotator's version as a prediction whose model_version is the annotator's
pseudonym (export/dataset.py's, the name the dataset uses). The task data names the project
it reviews (``data.review_of``), so that ``pull`` of the review project writes the
reviewer's annotation with origin ``adjudicated``: the ``reviewed`` step of export's gold
policy takes it over the annotators' majority. Sending again adds only new conflicts (push
matches on doc_id).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from annotate_kit.agreement.spans import annotator_of
from annotate_kit.campaign.status import DEFAULT_THRESHOLD, CampaignStatus, read_campaign
from annotate_kit.export.dataset import pseudonym
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import DEFAULT_PIECE_SIZE, PushSummary, push
from annotate_kit.labelstudio.syncfiles import REVIEW_KEY
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.tasks import record_to_results, task_data

REVIEW_SUFFIX = " — review"
MAX_TITLE = 50  # Label Studio's limit on a project title


def review_title(project: str) -> str:
    """'NAME — review', the name shortened to fit Label Studio's 50 characters."""
    return project[: MAX_TITLE - len(REVIEW_SUFFIX)] + REVIEW_SUFFIX


def review_tasks(conflicts: list[list[Record]], *, project: str) -> Iterator[dict[str, Any]]:
    """One task per document: the text, and each annotator's version as a prediction."""
    for versions in conflicts:
        data = {**task_data(versions[0]), REVIEW_KEY: project}
        predictions = [
            {"model_version": pseudonym(annotator_of(record)), "result": record_to_results(record)}
            for record in sorted(versions, key=annotator_of)
        ]
        yield {"data": data, "predictions": predictions}


@dataclass
class ReviewSummary:
    project: str
    review_project: str
    status: CampaignStatus
    push: PushSummary | None  # None: nothing to review


def send_to_review(
    *,
    project: str,
    review_project: str | None = None,
    url: str | None = None,
    credentials: Credentials | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    piece_size: int = DEFAULT_PIECE_SIZE,
    dry_run: bool = False,
    progress: bool = False,
) -> ReviewSummary:
    """Read the project like ``status`` and push its conflicting documents for review."""
    target = review_project or review_title(project)
    options = {"url": url, "credentials": credentials, "piece_size": piece_size}
    tally = read_campaign(
        project, threshold=threshold, keep_conflicts=True, progress=progress, **options
    )
    status = tally.finish()
    if not tally.conflicts:
        return ReviewSummary(project, target, status, None)
    tasks = list(review_tasks(tally.conflicts, project=project))
    summary = push(
        tasks, project=target, url=url, credentials=credentials, dry_run=dry_run, progress=progress
    )
    return ReviewSummary(project, target, status, summary)
