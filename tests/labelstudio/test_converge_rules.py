"""The rules concurrent pushes settle by (labelstudio/converge.py), without a server."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from annotate_kit.errors import LabelStudioError
from annotate_kit.labelstudio.converge import pick_project, settle_created


class FakeConnection:
    def __init__(self, *projects: tuple[int, str, int]) -> None:
        self.projects = [SimpleNamespace(id=i, title=t, task_number=n) for i, t, n in projects]
        self.deleted: list[int] = []
        self.client = SimpleNamespace(
            projects=SimpleNamespace(list=self._list, delete=self._delete)
        )

    def call(self, _what, function, /, *args, **kwargs):
        return function(*args, **kwargs)

    def _list(self, **query):
        return [p for p in self.projects if query["title"] in p.title]

    def _delete(self, **which):
        self.deleted.append(which["id"])
        self.projects = [p for p in self.projects if p.id != which["id"]]


def test_the_oldest_project_is_picked_while_newer_copies_are_empty():
    conn = FakeConnection((7, "news", 0), (3, "news", 120), (9, "news-fr", 5))
    assert pick_project(conn, "news").id == 3


def test_several_projects_holding_tasks_are_an_error():
    conn = FakeConnection((3, "news", 120), (7, "news", 4))
    with pytest.raises(LabelStudioError, match=r"\[E405\] several projects are titled 'news'"):
        pick_project(conn, "news")


def test_a_run_whose_project_is_not_the_oldest_deletes_its_own_and_retargets():
    conn = FakeConnection((3, "news", 0), (7, "news", 0))
    assert settle_created(conn, "news", 7) == 3
    assert conn.deleted == [7]
    assert settle_created(conn, "news", 3) == 3  # the oldest's creator keeps it
    assert conn.deleted == [7]


def test_an_older_project_listed_only_on_the_second_look_still_wins(monkeypatch):
    """Three pushes at once once left two projects: a run listed before an older project it
    raced with was visible. The creator of the apparently oldest looks once more."""
    from annotate_kit.labelstudio import converge

    monkeypatch.setattr(converge, "SETTLE_PAUSE", 0)
    conn = FakeConnection((7, "news", 0))
    late = SimpleNamespace(id=3, title="news", task_number=0)
    first_list = conn._list

    def list_then_reveal(**query):
        found = first_list(**query)
        conn.projects.append(late)  # visible from the next listing on
        conn.client.projects.list = first_list
        return found

    conn.client.projects.list = list_then_reveal
    assert settle_created(conn, "news", 7) == 3
    assert conn.deleted == [7]
