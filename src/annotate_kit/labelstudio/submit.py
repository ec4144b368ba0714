"""Submit records to a project as annotations of the token's user, through the API.

What a person does by pressing Submit in the labeling page, done by a program: the demo
sends the seed's hand-made gold this way, so that what ``pull`` reads back is an annotator's
annotation made on the server, not a file copied around it. Each record goes to the task
with its ``doc_id``; an annotation is created once per call (never retried blindly: a
repeated POST would make a second annotation).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from annotate_kit.errors import InputError
from annotate_kit.labelstudio.bulk import list_doc_ids
from annotate_kit.labelstudio.client import connect
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import require_project
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.tasks import record_to_results


@dataclass
class SubmitSummary:
    """Who submitted, and the Label Studio ids of the annotations made."""

    project_id: int
    user: str
    annotation_ids: list[int]


def submit_annotations(
    records: Iterable[Record],
    *,
    project: str,
    url: str | None = None,
    credentials: Credentials | None = None,
    lead_time: float | None = None,
) -> SubmitSummary:
    """Create one annotation per record on the task whose data.doc_id is the record's."""
    with connect(url, credentials=credentials) as conn:
        found = require_project(conn, project)
        tasks = list_doc_ids(conn, found.id)
        me = conn.call("read the token's user", conn.client.users.whoami)
        summary = SubmitSummary(found.id, str(me.email or me.username or me.id), [])
        for record in records:
            doc_id = record.get("doc_id")
            if doc_id not in tasks:
                raise InputError(
                    f"document {doc_id} is not a task of project {project!r}; push its tasks first"
                )
            task_id = tasks[doc_id][0][0]
            made = conn.once(
                f"create an annotation on task {task_id}",
                conn.client.annotations.create,
                id=task_id,
                result=[
                    {**item, "origin": "manual"} if "value" in item else item
                    for item in record_to_results(record)
                ],
                lead_time=lead_time,
            )
            summary.annotation_ids.append(int(made.id))
        return summary
