"""The Data Manager's documents tab: title and outlet shown, technical fields hidden."""

from __future__ import annotations

from annotate_kit.labelstudio.view import hidden_columns, with_display_fields

# Trimmed from GET /api/dm/columns on Label Studio 1.23.2
COLUMNS = [
    {"id": "text", "target": "tasks", "parent": "data", "visibility_defaults": {}},
    {"id": "doc_id", "target": "tasks", "parent": "data"},
    {"id": "title", "target": "tasks", "parent": "data"},
    {"id": "text_sha256", "target": "tasks", "parent": "data"},
    {"id": "blocks", "target": "tasks", "parent": "data"},
    {"id": "id", "target": "tasks", "visibility_defaults": {"explore": True, "labeling": False}},
    {
        "id": "inner_id",
        "target": "tasks",
        "visibility_defaults": {"explore": False, "labeling": False},
    },
    {"id": "data", "target": "tasks", "children": ["text", "doc_id"]},
]


def test_hidden_columns_keep_label_studio_defaults_and_hide_technical_fields():
    hidden = hidden_columns(COLUMNS)
    assert hidden["explore"] == ["tasks:data.text_sha256", "tasks:data.blocks", "tasks:inner_id"]
    assert hidden["labeling"] == [
        "tasks:data.doc_id",
        "tasks:data.title",
        "tasks:data.text_sha256",
        "tasks:data.blocks",
        "tasks:id",
        "tasks:inner_id",
    ]


def test_display_fields_come_from_meta_and_never_replace_data():
    tasks = [
        {"data": {"text": "x", "meta": {"title": "Le titre", "outlet": None}}},
        {"data": {"text": "y", "title": "kept"}},
    ]
    first, second = with_display_fields(tasks)
    assert (first["data"]["title"], first["data"]["outlet"]) == ("Le titre", "")
    assert (second["data"]["title"], second["data"]["outlet"]) == ("kept", "")
    assert "title" not in tasks[0]["data"]  # the input is left as it was
