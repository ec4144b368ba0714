"""What Label Studio's Data Manager shows: the document's title and outlet, not our plumbing.

The Data Manager makes one column per top-level key of the tasks' ``data`` (never a nested
one), so push copies ``meta.title`` and ``meta.outlet`` up to ``data.title`` and
``data.outlet`` (pull ignores them: records take their metadata from ``data.meta``), and
gives a project without tabs a first one that hides ``text_sha256``, ``blocks``,
``schema_version`` and ``meta`` besides what Label Studio hides by default (a tab's hidden
columns replace those defaults, so they are read from the server's column list, which knows
the data columns once tasks are imported). A project that has tabs keeps them as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from annotate_kit.labelstudio.bulk import PULL_MARK
from annotate_kit.labelstudio.client import Connection

DOCUMENTS_TAB = "Documents"
DISPLAY_FIELDS = ("title", "outlet")
HIDDEN_FIELDS = ("text_sha256", "blocks", "schema_version", "meta")


def with_display_fields(tasks: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """Each task with ``data.title`` and ``data.outlet`` from its metadata ("" when unknown)."""
    for task in tasks:
        data = dict(task.get("data") or {})
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        for name in DISPLAY_FIELDS:
            if name not in data:
                data[name] = meta.get(name) or ""
        yield {**task, "data": data}


def hidden_columns(columns: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Hidden columns of the table ("explore") and of the labeling page's task list: Label
    Studio's defaults plus our technical fields; the task list shows only the text."""
    hidden: dict[str, list[str]] = {"explore": [], "labeling": []}
    for column in columns:
        is_data = column.get("parent") == "data"
        key = f"{column.get('target', 'tasks')}:{'data.' if is_data else ''}{column['id']}"
        shown = column.get("visibility_defaults") or {}
        for mode, names in hidden.items():
            if is_data:
                technical = column["id"] in HIDDEN_FIELDS
                if technical or (mode == "labeling" and column["id"] != "text"):
                    names.append(key)
            elif "visibility_defaults" in column and not shown.get(mode, True):
                names.append(key)
    return hidden


def ensure_documents_tab(conn: Connection, project_id: int) -> bool:
    """Give a project without tabs the documents tab; True when it was made."""
    views = conn.call("list the project's tabs", conn.client.views.list, project=project_id)
    if any((view.data or {}).get("title") != PULL_MARK for view in views):
        return False
    listed = conn.get_json(
        "list the Data Manager's columns", "api/dm/columns", {"project": project_id}
    )
    conn.call(
        "create the documents tab",
        conn.client.views.create,
        project=project_id,
        data={"title": DOCUMENTS_TAB, "hiddenColumns": hidden_columns(listed["columns"])},
    )
    return True
