"""What a pull writes: records from exported tasks, the merged JSONL, the state file. No network.

Every annotation becomes a record (all annotators; skipped ones kept and marked cancelled;
drafts only when asked; predictions only when asked, as records of origin ``prediction``).
An annotation of a review task (``data.review_of`` names the project it reviews, see
campaign/review.py) is a reviewer's decision: its record's origin is ``adjudicated``, the
origin the gold policy's ``reviewed`` step takes. An incremental pull fetches only tasks changed since the last one
and replaces all records of those tasks in the existing file, so an edited or deleted
annotation is not left behind.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotate_kit.errors import InputError
from annotate_kit.io.jsonstream import iter_array
from annotate_kit.io.staging import stage_file
from annotate_kit.scheme.records import Record, read_jsonl, write_jsonl
from annotate_kit.scheme.tasks import task_to_record

DRAFT_PREFIX = "draft-"
PREDICTION_PREFIX = "prediction-"
REVIEW_KEY = "review_of"  # in a review task's data: the title of the project it reviews


@dataclass(frozen=True)
class Converted:
    records: list[Record]
    cancelled: int
    drafts: int
    problems: list[str]


def records_from_tasks(
    tasks: Iterable[dict[str, Any]], *, include_drafts: bool, include_predictions: bool = False
) -> Converted:
    """One record per annotation (and per draft, per prediction when asked), with conversion
    problems named. Predictions must be full objects (a snapshot with predictions.only_id
    false), not ids."""
    records: list[Record] = []
    problems: list[str] = []
    cancelled = drafts = 0
    for task in tasks:
        items = [(annotation, "annotation") for annotation in task.get("annotations") or ()]
        if include_drafts:
            items += [(_draft_as_annotation(draft), "draft") for draft in task.get("drafts") or ()]
        if include_predictions:
            items += [
                (_prediction_as_annotation(prediction), "prediction")
                for prediction in task.get("predictions") or ()
                if isinstance(prediction, dict)
            ]
        reviewed = isinstance((task.get("data") or {}).get(REVIEW_KEY), str)
        for annotation, kind in items:
            where = f"task {task.get('id')} {kind} {annotation.get('id')}"
            origin = "prediction" if kind == "prediction" else "manual"
            if reviewed and kind == "annotation":
                origin = "adjudicated"
            record, found = task_to_record(task, annotation, path=where, origin=origin)
            records.append(record)
            cancelled += bool(annotation.get("was_cancelled"))
            drafts += kind == "draft"
            problems += [f"doc {record['doc_id']} {p.path}: {p.message}" for p in found]
    return Converted(records, cancelled, drafts, problems)


def _draft_as_annotation(draft: dict[str, Any]) -> dict[str, Any]:
    """A draft reads like an annotation whose id says it is a draft (the scheme has no flag)."""
    return {
        **draft,
        "id": f"{DRAFT_PREFIX}{draft.get('id')}",
        "completed_by": draft.get("completed_by", draft.get("user")),
        "was_cancelled": False,
        "ground_truth": False,
    }


def _prediction_as_annotation(prediction: dict[str, Any]) -> dict[str, Any]:
    """A prediction reads like an annotation of no one, its id marked, its model named."""
    return {
        **prediction,
        "id": f"{PREDICTION_PREFIX}{prediction.get('id')}",
        "completed_by": None,
        "was_cancelled": False,
        "ground_truth": False,
        "lead_time": None,
    }


def task_id_of(record: Record) -> int | None:
    return (record.get("annotation") or {}).get("task_id")


def sort_key(record: Record) -> tuple[int, int, str]:
    annotation_id = str((record.get("annotation") or {}).get("id"))
    number = int(annotation_id) if annotation_id.isdigit() else 1 << 62
    return (task_id_of(record) or 0, number, annotation_id)


def merge_records(out: Path, fresh: list[Record], refreshed_tasks: set[int]) -> list[Record]:
    """The file's records minus those of refreshed tasks, plus the fresh ones, sorted."""
    kept: list[Record] = []
    for number, line in read_jsonl(out):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise InputError(
                f"{out}:{number}: not a JSON record; pull without --since to rewrite the file"
            ) from None
        if task_id_of(record) not in refreshed_tasks:
            kept.append(record)
    return sorted(kept + fresh, key=sort_key)


def write_records(out: Path, records: Iterable[Record]) -> int:
    """Write JSONL atomically: an interrupted pull never leaves half a file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = stage_file(out)
    try:
        with staging.open("w", encoding="utf-8") as handle:
            count = write_jsonl(records, handle)
        staging.replace(out)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return count


def read_state(path: Path, *, url: str, project_id: int) -> str | None:
    """The watermark of the last pull of this project, or None when there was none."""
    if not path.is_file():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(f"{path}: not a pull state file; delete it to pull everything") from None
    if state.get("url") != url or state.get("project_id") != project_id:
        raise InputError(
            f"{path} records pulls of project {state.get('project_id')} at {state.get('url')}, "
            f"not project {project_id} at {url}; use another --state-file"
        )
    watermark = state.get("watermark")
    return watermark if isinstance(watermark, str) else None


def write_state(path: Path, *, url: str, project: str, project_id: int, watermark: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {"url": url, "project": project, "project_id": project_id, "watermark": watermark}
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def read_tasks(path: Path) -> list[dict[str, Any]]:
    """Tasks as `annotate-kit convert` writes them: a JSON list, JSONL, or a folder of Parquet
    task shards (or one of its .parquet files), read as the same tasks JSONL would hold."""
    return list(task_reader(path)())


def task_reader(
    tasks: Path | str | Iterable[dict[str, Any]],
) -> Callable[[], Iterator[dict[str, Any]]]:
    """A way to read the tasks as often as needed: push reads them twice (their ids, then the
    missing ones), so a task file or shard folder of any size is never held whole. Tasks given
    as objects are kept in a list."""
    if not isinstance(tasks, str | Path):
        kept = list(tasks)
        return lambda: iter(kept)
    path = Path(tasks)
    if path.is_dir() or path.suffix.lower() == ".parquet":
        return lambda: _shard_tasks(path)
    try:
        with path.open(encoding="utf-8") as handle:
            is_list = handle.read(4096).lstrip().startswith("[")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read tasks ({exc})") from None
    if is_list:
        return lambda: _json_tasks(path)
    return lambda: _jsonl_tasks(path)


def _json_tasks(path: Path) -> Iterator[dict[str, Any]]:
    try:
        for _, task in iter_array(path):
            yield task
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read tasks ({exc})") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: not JSON or JSONL tasks: {exc.msg} (line {exc.lineno})"
        ) from None


def _jsonl_tasks(path: Path) -> Iterator[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"{path}: not JSON or JSONL tasks: {exc.msg} (line {number})"
                    ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read tasks ({exc})") from None


def _shard_tasks(path: Path) -> Iterator[dict[str, Any]]:
    import pyarrow as pa

    from annotate_kit.io.taskshards import iter_tasks

    try:
        yield from iter_tasks(path)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: a record in the shards is not JSON ({exc.msg}); "
            "write the shards again with 'annotate-kit convert -o FOLDER/'"
        ) from None
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{path}: cannot read task shards ({exc})") from None


def task_ids(tasks: Iterable[Any], *, source: str) -> tuple[list[str], int]:
    """(each data.doc_id once, in input order; how many tasks repeated one); InputError
    naming the tasks that lack the key push reconciles on."""
    ids: dict[str, None] = {}
    bad: list[str] = []
    duplicates = 0
    for index, task in enumerate(tasks):
        data = task.get("data") if isinstance(task, dict) else None
        doc_id = data.get("doc_id") if isinstance(data, dict) else None
        if not isinstance(doc_id, str) or not doc_id or not isinstance(data.get("text"), str):
            bad.append(f"task {index}")
        elif doc_id in ids:
            duplicates += 1
        else:
            ids[doc_id] = None
    if bad:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise InputError(
            f"{source}: {shown} lack data.text or data.doc_id (the stable key push reconciles "
            "on); make tasks with `annotate-kit convert`"
        )
    return list(ids), duplicates


def first_of(tasks: Iterable[dict[str, Any]], wanted: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The first task of each wanted doc_id, in input order (later repeats are dropped)."""
    left = set(wanted)
    for task in tasks:
        doc_id = task["data"]["doc_id"]
        if doc_id in left:
            left.discard(doc_id)
            yield task
