"""Moving many tasks in and out of Label Studio: key listing, imports, snapshot exports.

Endpoints used by labelstudio.push and labelstudio.pull, each through a ``Connection``.
Imports are sent once (a retried import duplicates tasks); when the answer is lost, the
project's ``data.doc_id`` keys are listed to see what landed. Annotations come out in
snapshot exports of one temporary Data Manager view whose filters select a window of task
ids at a time, so no single request grows with the project.
"""

from __future__ import annotations

import contextlib
import email.utils
import json
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Self

from label_studio_sdk.core.api_error import ApiError

from annotate_kit.errors import LabelStudioError
from annotate_kit.labelstudio.client import FAILURES, Connection, detail, is_transient

LIST_PAGE_SIZE = 5000
DELETE_BATCH = 1000  # task ids per delete action
MAX_REFUSED = 100  # tasks refused one by one before push gives up
PULL_MARK = "annotate-kit pull (temporary)"
ALL_ANNOTATIONS = {"usual": True, "ground_truth": True, "skipped": True}


def iter_tasks(conn: Connection, project_id: int, include: str) -> Iterator[dict[str, Any]]:
    """Every task of a project with the ``include``d fields, a page at a time."""
    page, seen = 1, 0
    while True:
        answer = conn.get_json(
            "list the project's tasks",
            "api/tasks",
            {
                "project": project_id,
                "page": page,
                "page_size": LIST_PAGE_SIZE,
                "fields": "task_only",
                "include": include,
            },
        )
        tasks = answer.get("tasks") or []
        yield from tasks
        seen += len(tasks)
        if not tasks or seen >= answer.get("total", 0):
            return
        page += 1


def list_doc_ids(conn: Connection, project_id: int) -> dict[str, list[tuple[int, int]]]:
    """data.doc_id -> [(task id, annotation count incl. skipped)], in task id order."""
    found: dict[str, list[tuple[int, int]]] = {}
    include = "id,data,total_annotations,cancelled_annotations"
    for task in iter_tasks(conn, project_id, include):
        doc_id = (task.get("data") or {}).get("doc_id")
        if isinstance(doc_id, str):
            used = (task.get("total_annotations") or 0) + (task.get("cancelled_annotations") or 0)
            found.setdefault(doc_id, []).append((task["id"], used))
    return found


class Importer:
    """Sends batches once each; a lost answer is settled by listing, a 400 by bisection.

    ``created`` counts tasks known to have landed, ``failed`` the (doc_id, why) the server
    refused, ``recovered`` the lost answers settled; ``uncertain`` says duplicates may exist.
    """

    def __init__(self, conn: Connection, project_id: int, *, progress: bool, total: int) -> None:
        from tqdm import tqdm

        self.conn = conn
        self.project_id = project_id
        self.created = 0
        self.recovered = 0
        self.failed: list[tuple[str, str]] = []
        self.uncertain = False
        self.bar = tqdm(
            total=total, unit="task", desc="push", disable=not progress, file=sys.stderr
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.bar.close()

    def send(self, batch: list[dict[str, Any]]) -> None:
        for attempt in range(self.conn.retries + 1):
            try:
                self.conn.client.projects.import_tasks(
                    id=self.project_id,
                    request=batch,
                    return_task_ids=True,
                    request_options={"max_retries": 0},
                )
            except FAILURES as exc:
                if isinstance(exc, ApiError) and exc.status_code == 400:
                    self._bisect(batch, exc)
                    return
                if not is_transient(exc) or attempt == self.conn.retries:
                    raise self.conn.explain("import tasks", exc, attempts=attempt + 1) from None
                batch = self._settle(batch, attempt)
                if not batch:
                    return
            else:
                self._done(len(batch))
                return

    def _settle(self, batch: list[dict[str, Any]], attempt: int) -> list[dict[str, Any]]:
        """After a lost answer: count what landed, return what is still missing."""
        self.uncertain = True
        self.recovered += 1
        time.sleep(self.conn.backoff * 2**attempt)
        present = list_doc_ids(self.conn, self.project_id)
        still_missing = [task for task in batch if task["data"]["doc_id"] not in present]
        self._done(len(batch) - len(still_missing))
        return still_missing

    def _bisect(self, batch: list[dict[str, Any]], exc: ApiError) -> None:
        """The server refuses a whole batch for one bad task: find it, import the rest."""
        if len(batch) == 1:
            self.failed.append((batch[0]["data"]["doc_id"], detail(exc.body)))
            self.bar.update(1)
            if len(self.failed) >= MAX_REFUSED:  # not a few bad tasks: a wrong input or project
                doc_id, why = self.failed[0]
                raise LabelStudioError(
                    f"Label Studio refused {len(self.failed)} tasks (first: {doc_id}: {why}); "
                    "check the tasks against the project's labeling config",
                    code="E407",
                )
            return
        middle = len(batch) // 2
        self.send(batch[:middle])
        self.send(batch[middle:])

    def _done(self, count: int) -> None:
        self.created += count
        self.bar.update(count)


def remove_duplicates(conn: Connection, project_id: int, doc_ids: set[str]) -> int:
    """Delete extra copies of these doc_ids, keeping the oldest; annotated copies are kept.

    Every push settles by this same rule (converge.py), so concurrent runs agree on which
    copy stays; the copies go in a few Data Manager delete actions, not one request each.
    """
    doomed: list[int] = []
    for doc_id, copies in list_doc_ids(conn, project_id).items():
        if doc_id not in doc_ids or len(copies) < 2:
            continue
        keep = next((task_id for task_id, used in copies if used), copies[0][0])
        doomed += [task_id for task_id, used in copies if task_id != keep and not used]
    for start in range(0, len(doomed), DELETE_BATCH):
        conn.call(
            "delete duplicate tasks",
            conn.client.actions.create,
            id="delete_tasks",
            project=project_id,
            selected_items={"all": False, "included": doomed[start : start + DELETE_BATCH]},
        )
    return len(doomed)


def server_time(conn: Connection) -> datetime:
    """The server's clock (HTTP Date header), so a client's clock skew cannot skip changes."""
    response = conn.get("read the server version", "api/version", {})
    stamp = response.headers.get("date")
    return email.utils.parsedate_to_datetime(stamp) if stamp else datetime.now(UTC)


def dm_filter(column: str, operator: str, kind: str, value: Any) -> dict[str, Any]:
    return {"filter": f"filter:tasks:{column}", "operator": operator, "type": kind, "value": value}


def next_task(
    conn: Connection, project_id: int, base: list[dict[str, Any]], after: int | None
) -> tuple[int | None, int]:
    """(first matching task id above ``after``, how many match): one tiny listing request."""
    items = list(base)
    if after is not None:
        items.append(dm_filter("id", "greater", "Number", after))
    params: dict[str, Any] = {
        "project": project_id,
        "page": 1,
        "page_size": 1,
        "fields": "task_only",
        "include": "id",
    }
    if items:
        params["query"] = json.dumps({"filters": {"conjunction": "and", "items": items}})
    answer = conn.get_json("list the project's tasks", "api/tasks", params)
    tasks = answer.get("tasks") or []
    return (tasks[0]["id"] if tasks else None), int(answer.get("total") or 0)


def pieces(
    conn: Connection,
    project_id: int,
    base: list[dict[str, Any]],
    *,
    size: int,
    snaps: Snapshots,
    bar: Any,
) -> Iterator[list[dict[str, Any]]]:
    """Windows of at most ``size`` consecutive task ids; gaps (other projects' ids) skipped.

    The server builds the next piece while the previous one is downloaded and converted. A
    window that came back full is followed directly by the next one; otherwise a one-task
    listing finds where the next matching task is.
    """
    size = max(1, size)
    low, total = next_task(conn, project_id, base, None)
    bar.reset(total=total)
    fetched = 0
    pending: Future[list[dict[str, Any]]] | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pull-download") as downloads:
        try:
            while low is not None:
                high = low + size - 1
                export_id, count = snaps.export(
                    [*base, dm_filter("id", "in", "Number", {"min": low, "max": high})]
                )
                if pending is not None:
                    yield pending.result()
                pending = downloads.submit(snaps.download, export_id)
                fetched += count
                if count == size and fetched < total:
                    low = high + 1
                else:
                    low, _ = next_task(conn, project_id, base, high)
            if pending is not None:
                yield pending.result()
                pending = None
        finally:
            if pending is not None:
                pending.cancel()


class Snapshots:
    """Snapshot exports of one Data Manager view whose filters select each piece in turn.

    The view and the exports are temporary and deleted; ones a killed pull left behind are
    recognised by their title and deleted at the next pull.
    """

    def __init__(
        self,
        conn: Connection,
        project_id: int,
        *,
        include_drafts: bool,
        include_predictions: bool = False,
    ) -> None:
        self.conn = conn
        self.project_id = project_id
        self.view_id: int | None = None
        self.serialization = {
            "predictions": {"only_id": not include_predictions},
            "drafts": {"only_id": not include_drafts},
            # the user as a dict (id, email, ...), not its bare id: records name annotators by
            # e-mail, as drafts already do ("user" is the e-mail there)
            "annotations__completed_by": {"only_id": False},
        }

    def __enter__(self) -> Self:
        exports = self.conn.client.projects.exports
        views = self.conn.client.views
        for view in self.conn.call("list views", views.list, project=self.project_id):
            if (view.data or {}).get("title") == PULL_MARK:
                self.conn.call("delete a stale view", views.delete, id=str(view.id))
        for export in self.conn.call("list exports", exports.list, id=self.project_id):
            if export.title == PULL_MARK:
                self.conn.call("delete a stale export", exports.delete, self.project_id, export.id)
        view = self.conn.call(
            "create a view", views.create, project=self.project_id, data={"title": PULL_MARK}
        )
        self.view_id = view.id
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.view_id is not None:
            # Left behind only if the server went away; the next pull deletes it.
            with contextlib.suppress(LabelStudioError):
                self.conn.call(
                    "delete the view", self.conn.client.views.delete, id=str(self.view_id)
                )

    def export(self, items: list[dict[str, Any]]) -> tuple[int, int]:
        """Build a snapshot of the tasks these filters select: (export id, task count)."""
        self.conn.call(
            "filter the view",
            self.conn.client.views.update,
            id=str(self.view_id),
            project=self.project_id,
            data={"title": PULL_MARK, "filters": {"conjunction": "and", "items": items}},
        )
        export = self.conn.call(
            "create a snapshot export",
            self.conn.client.projects.exports.create,
            id=self.project_id,
            title=PULL_MARK,
            task_filter_options={"view": self.view_id},
            annotation_filter_options=ALL_ANNOTATIONS,
            serialization_options=self.serialization,
        )
        try:
            export = self._wait(export)
        except LabelStudioError:
            self._delete(export.id)
            raise
        return export.id, int((export.counters or {}).get("task_number", 0))

    def download(self, export_id: int) -> list[dict[str, Any]]:
        """The snapshot's tasks; the snapshot is deleted from the server once read."""
        exports = self.conn.client.projects.exports
        try:
            body = self.conn.call(
                "download a snapshot export",
                lambda: b"".join(
                    exports.download(
                        id=self.project_id,
                        export_pk=export_id,
                        export_type="JSON",
                        request_options={"chunk_size": 1 << 20},
                    )
                ),
            )
        finally:
            self._delete(export_id)
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            raise LabelStudioError("a snapshot export is not JSON", code="E406") from None

    def _delete(self, export_id: int) -> None:
        exports = self.conn.client.projects.exports
        self.conn.call("delete a snapshot export", exports.delete, self.project_id, export_id)

    def _wait(self, export: Any, timeout: float = 600.0) -> Any:
        """The export once completed (Label Studio Community builds it within the request)."""
        deadline = time.monotonic() + timeout
        while export.status != "completed":
            if export.status == "failed":
                raise LabelStudioError(
                    f"Label Studio failed to build snapshot export {export.id}", code="E406"
                )
            if time.monotonic() > deadline:
                raise LabelStudioError(
                    f"snapshot export {export.id} unfinished after {timeout:.0f} s"
                )
            time.sleep(0.1)
            export = self.conn.call(
                "read a snapshot export",
                self.conn.client.projects.exports.get,
                id=self.project_id,
                export_pk=export.id,
            )
        return export
