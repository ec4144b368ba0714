"""Label Studio for annotate-kit: the project, ``push`` and ``pull``.

With bulk.py (listing, imports, snapshot exports) this is the only code that calls Label
Studio, and every call goes through ``client.Connection`` (retries, time-outs, error
wording, token scrubbing). Label Studio discards ids sent on import and never deduplicates, so a task's
stable key is ``data.doc_id``: push imports only the keys the project lacks, sends each
import once, and settles an import whose answer was lost by listing the keys again. Pull
reads annotations in bounded snapshot exports: measured on 10k annotated tasks, snapshot
exports ran at ~1,050 tasks/s, the paged task listing with annotations at ~350/s.
"""

from __future__ import annotations

import html
import re
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from label_studio_sdk.core.api_error import ApiError

from annotate_kit.errors import (
    ConfigConflictError,
    InputError,
    LabelStudioError,
    LabelStudioNotFoundError,
)
from annotate_kit.labelstudio.bulk import (
    Importer,
    Snapshots,
    dm_filter,
    list_doc_ids,
    pieces,
    remove_duplicates,
    server_time,
)
from annotate_kit.labelstudio.client import Connection, connect, detail
from annotate_kit.labelstudio.config import labelstudio_config
from annotate_kit.labelstudio.converge import pick_project, settle_created
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.overlap import (
    Overlap,
    OverlapChange,
    apply_overlap,
    check_overlap,
    mark_tasks,
)
from annotate_kit.labelstudio.passes import missing_gold, read_gold, with_gold_predictions
from annotate_kit.labelstudio.syncfiles import (
    first_of,
    merge_records,
    read_state,
    records_from_tasks,
    sort_key,
    task_ids,
    task_reader,
    write_records,
    write_state,
)
from annotate_kit.labelstudio.view import ensure_documents_tab, with_display_fields

DEFAULT_BATCH_SIZE = 2000
DEFAULT_PIECE_SIZE = 5000
GUIDELINES = Path("seeds") / "GUIDELINES.md"
LS_DATETIME = "%Y-%m-%dT%H:%M:%S.%fZ"
# A task saved while the previous pull ran may carry a slightly earlier updated_at than the
# watermark: re-reading a few seconds is harmless (records are replaced, not appended).
WATERMARK_MARGIN = timedelta(seconds=5)


# ---------------------------------------------------------------- project


def find_project(conn: Connection, title: str) -> Any | None:
    """The project with exactly this title, None if there is none (converge.pick_project)."""
    return pick_project(conn, title)


def require_project(conn: Connection, title: str) -> Any:
    project = find_project(conn, title)
    if project is None:
        raise LabelStudioNotFoundError(
            f"no project titled {title!r} on {conn.url}; `annotate-kit push` creates it"
        )
    return project


def guidelines_html(path: Path | None) -> str | None:
    """The annotator guidelines (Markdown) as HTML for the project's instructions.

    markdown-it-py comes with label-studio-sdk (through typer and rich). Label Studio
    sanitises the HTML it stores, so ``same_instructions`` compares text, not markup.
    """
    if path is None:
        default = [GUIDELINES, Path(__file__).resolve().parents[3] / GUIDELINES]
        path = next((candidate for candidate in default if candidate.is_file()), None)
        if path is None:
            return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the guidelines ({exc})") from None
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(text)


def same_instructions(stored: str | None, wanted: str) -> bool:
    """Equal once tags are dropped: the server strips attributes and tags it deems unsafe."""

    def text(markup: str | None) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", markup or "")).split())

    return text(stored) == text(wanted)


def ensure_project(
    conn: Connection,
    title: str,
    *,
    label_config: str,
    instruction: str | None,
    dry_run: bool = False,
) -> tuple[int | None, str]:
    """(project id, what was done): create, update the config, or leave as is.

    A config change is first checked with the server's validate endpoint, which is the only
    place that notices labels still used in annotations (a plain update accepts it).
    """
    project = find_project(conn, title)
    if project is None:
        if dry_run:
            return None, "would be created"
        created = conn.once(
            "create the project",
            conn.client.projects.create,
            title=title,
            description="Claims, sources and hedging; config generated by annotate-kit from schema/.",
            label_config=label_config,
            expert_instruction=instruction or "",
            show_instruction=bool(instruction),
        )
        kept = settle_created(conn, title, created.id)
        return kept, "created" if kept == created.id else "created by a concurrent push"
    changes: dict[str, Any] = {}
    if _normalized(project.label_config) != _normalized(label_config):
        try:
            conn.client.projects.validate_label_config(
                id=project.id, label_config=label_config, request_options={"max_retries": 0}
            )
        except ApiError as exc:
            if exc.status_code != 400:
                raise conn.explain("validate the new labeling config", exc) from None
            raise ConfigConflictError(
                f"project {title!r} (id {project.id}) refuses the new labeling config: "
                f"{detail(exc.body)}; keep those labels in schema/, or fix the annotations "
                "that use them first"
            ) from None
        changes["label_config"] = label_config
    if instruction is not None and not same_instructions(project.expert_instruction, instruction):
        changes.update(expert_instruction=instruction, show_instruction=True)
    if not changes:
        return project.id, "unchanged"
    what = "config" if "label_config" in changes else "instructions"
    if dry_run:
        return project.id, f"{what} would be updated"
    action = f"{what} updated"
    conn.call("update the project", conn.client.projects.update, id=project.id, **changes)
    return project.id, action


def _normalized(config: str | None) -> str:
    return " ".join((config or "").split())


# ---------------------------------------------------------------- push


@dataclass
class PushSummary:
    """What a push did (or, with dry_run, would do)."""

    project: str
    project_id: int | None = None
    project_action: str = "unchanged"
    tasks: int = 0
    created: int = 0
    already_there: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (doc_id, why)
    duplicates_in_input: int = 0
    duplicates_removed: int = 0
    recovered_errors: int = 0
    dry_run: bool = False
    seconds: float = 0.0
    overlap: OverlapChange | None = None


def push(
    tasks: Path | str | Iterable[Mapping[str, Any]],
    *,
    project: str,
    url: str | None = None,
    credentials: Credentials | None = None,
    guidelines: Path | None = None,
    label_config: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    layers: Iterable[str] | None = None,
    predictions_from: Path | None = None,
    dry_run: bool = False,
    progress: bool = True,
    overlap: Overlap | None = None,
    confirm_overlap: bool = False,
) -> PushSummary:
    """Create or update the project from schema/, then import the tasks it does not hold yet.

    ``tasks`` is what convert writes (JSON, JSONL, a folder of Parquet task shards or one of
    its files: syncfiles.read_tasks) or the tasks themselves. Safe to run again after any
    interruption: tasks are matched on data.doc_id, an import whose answer was lost is reconciled by listing, and duplicates such a loss can leave
    behind (only ever unannotated copies) are deleted before returning. ``label_config``
    replaces the config generated from schema/ (a project for another scheme version).
    ``overlap`` sets N annotators on a share of the documents (labelstudio.overlap); on a
    project with annotations it needs ``confirm_overlap``, checked before anything is sent.
    ``layers`` makes the project one pass of a layered workflow, and ``predictions_from``
    (records of the earlier pass, one per document) gives each task that gold as its
    prediction (labelstudio/passes.py).
    """
    started = time.monotonic()
    source = str(tasks) if isinstance(tasks, str | Path) else "tasks"
    read = task_reader(tasks)
    ids, duplicates = task_ids(read(), source=source)  # first pass: the ids alone are kept
    summary = PushSummary(
        project=project, tasks=len(ids), duplicates_in_input=duplicates, dry_run=dry_run
    )
    layers = tuple(layers) if layers is not None else None
    gold = None
    if predictions_from is not None:
        if layers is None:
            raise InputError("--predictions-from needs --pass: the layers this pass annotates")
        gold = read_gold(predictions_from)
        missing_gold(ids, gold, predictions_from)
    config = label_config or labelstudio_config(layers=layers)  # an unknown layer fails here
    with connect(url, credentials=credentials) as conn:
        summary.project_id, summary.project_action = ensure_project(
            conn,
            project,
            label_config=config,
            instruction=guidelines_html(guidelines),
            dry_run=dry_run,
        )
        present = list_doc_ids(conn, summary.project_id) if summary.project_id is not None else {}
        missing = [doc_id for doc_id in ids if doc_id not in present]
        if overlap is not None and summary.project_id is not None:  # --overlap: check first
            confirmed = confirm_overlap or dry_run
            summary.overlap = check_overlap(conn, summary.project_id, overlap, confirmed=confirmed)
        summary.already_there = len(ids) - len(missing)
        if dry_run or summary.project_id is None:
            summary.created = len(missing) if dry_run else 0
            summary.seconds = time.monotonic() - started
            return summary
        with Importer(conn, summary.project_id, progress=progress, total=len(missing)) as importer:
            # second pass: the tasks to import, with the fields the Data Manager shows
            pending = mark_tasks(with_display_fields(first_of(read(), missing)), overlap)
            if gold is not None:
                pending = with_gold_predictions(pending, gold, layers=layers or ())
            try:
                while batch := list(islice(pending, max(1, batch_size))):
                    importer.send(batch)
            except LabelStudioError as exc:
                done = f"{importer.created} of {len(missing)} new tasks imported so far"
                exc.args = (f"{exc.args[0]} ({done}; push again: only the missing ones are sent)",)
                raise
        summary.created, summary.failed = importer.created, importer.failed
        ensure_documents_tab(conn, summary.project_id)  # once its data columns are known
        summary.recovered_errors = importer.recovered
        mine = set(ids)
        # Always settle after importing: a concurrent push may have imported the same doc_ids.
        if (
            importer.created
            or importer.uncertain
            or any(len(present[doc]) > 1 for doc in mine & present.keys())
        ):
            summary.duplicates_removed = remove_duplicates(conn, summary.project_id, mine)
        if overlap is not None and summary.overlap is not None:  # --overlap, after the import:
            # Label Studio redraws its own cohort at every import
            summary.overlap = apply_overlap(conn, summary.project_id, overlap, summary.overlap)
        summary.seconds = time.monotonic() - started
        return summary


# ---------------------------------------------------------------- pull


@dataclass
class PullSummary:
    """What a pull fetched and wrote; ``records`` counts the whole file after merging."""

    project: str
    project_id: int
    out: str
    tasks: int = 0
    annotations: int = 0
    cancelled: int = 0
    drafts: int = 0
    predictions: int = 0
    records: int = 0
    pieces: int = 0
    since: str | None = None
    watermark: str | None = None
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def pull(
    *,
    project: str,
    out: Path | str,
    url: str | None = None,
    credentials: Credentials | None = None,
    since: str | datetime | None = None,
    state_file: Path | str | None = None,
    include_drafts: bool = False,
    include_predictions: bool = False,
    piece_size: int = DEFAULT_PIECE_SIZE,
    progress: bool = False,
) -> PullSummary:
    """Write one record per annotation of the project to ``out`` (JSONL), piece by piece.

    With ``since`` (or a ``state_file`` from an earlier pull) only tasks changed after that
    time are fetched, and their records replace the old ones in ``out``. The state file gets
    the new watermark, taken from the server's clock before anything is read. With
    ``include_predictions`` the predictions of the tasks read become records too (origin
    ``prediction``), so that what annotators kept of them can be measured offline.
    """
    started = time.monotonic()
    out = Path(out)
    with connect(url, credentials=credentials) as conn:
        found = require_project(conn, project)
        state = Path(state_file) if state_file is not None else None
        if since is not None:
            since_text: str | None = _ls_time(since)
        elif state is not None and out.is_file():  # without the file, everything is needed
            since_text = read_state(state, url=conn.url, project_id=found.id)
        else:
            since_text = None
        summary = PullSummary(project=project, project_id=found.id, out=str(out), since=since_text)
        summary.watermark = (server_time(conn) - WATERMARK_MARGIN).strftime(LS_DATETIME)
        if since_text is not None:
            # Every changed task, annotated or not: a task whose annotations were all deleted
            # must still replace its old records.
            base = [dm_filter("updated_at", "greater", "Datetime", since_text)]
        elif include_drafts:
            base = []
        else:  # any annotation, skipped ones included (annotations_ids lists them all)
            base = [dm_filter("annotations_ids", "empty", "String", value=False)]
        fresh: list[dict[str, Any]] = []
        refreshed: set[int] = set()
        from tqdm import tqdm

        with (
            Snapshots(
                conn,
                found.id,
                include_drafts=include_drafts,
                include_predictions=include_predictions,
            ) as snaps,
            tqdm(unit="task", desc="pull", disable=not progress, file=sys.stderr) as bar,
        ):
            for piece in pieces(conn, found.id, base, size=piece_size, snaps=snaps, bar=bar):
                converted = records_from_tasks(
                    piece, include_drafts=include_drafts, include_predictions=include_predictions
                )
                fresh += converted.records
                refreshed.update(task["id"] for task in piece)
                summary.pieces += 1
                summary.tasks += len(piece)
                summary.cancelled += converted.cancelled
                summary.drafts += converted.drafts
                summary.problems += converted.problems
                bar.update(len(piece))
        summary.predictions = sum(
            1 for record in fresh if record["annotation"]["origin"] == "prediction"
        )
        summary.annotations = len(fresh) - summary.predictions
        if since_text is not None and out.is_file():
            records = merge_records(out, fresh, refreshed)
        else:
            records = sorted(fresh, key=sort_key)
        summary.records = write_records(out, records)
        if state is not None:
            write_state(
                state,
                url=conn.url,
                project=project,
                project_id=found.id,
                watermark=summary.watermark,
            )
        summary.seconds = time.monotonic() - started
        return summary


def _ls_time(value: str | datetime) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(
                f"--since {value!r}: expected an ISO 8601 time such as 2026-11-25T10:00:00Z"
            ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(LS_DATETIME)
