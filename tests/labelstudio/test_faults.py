"""Faults: interrupted pushes, refused and wrong tokens, a missing server, token leaks."""

from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.errors import LabelStudioUnreachableError
from annotate_kit.labelstudio import client as lsclient
from annotate_kit.labelstudio.bulk import list_doc_ids
from annotate_kit.labelstudio.client import connect
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import find_project, push
from lsproxy import CuttingProxy

from .test_push import make_tasks, write_tasks

pytestmark = pytest.mark.labelstudio
TASKS = 200
BATCH = 40


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(lsclient, "BACKOFF", 0.01)


def copies(project: str) -> Counter:
    with connect() as conn:
        found = find_project(conn, project)
        return Counter({doc: len(ids) for doc, ids in list_doc_ids(conn, found.id).items()})


@pytest.fixture(scope="module")
def upload_size(label_studio) -> int:
    """Bytes a clean push of the tasks into an existing project sends (listing + imports)."""
    title = "t-upload-size-measure-xxxxxxxxxxxxxxxxxxxxxxxxxx"[:46]  # as long as test titles
    made = push([], project=title, progress=False, **_token(label_studio))
    target = urlsplit(label_studio.url)
    with CuttingProxy((target.hostname, target.port)) as proxy:
        push(
            make_tasks(TASKS),
            project=title,
            url=proxy.url,
            batch_size=BATCH,
            progress=False,
            **_token(label_studio),
        )
    label_studio.client().projects.delete(id=made.project_id)
    return proxy.uploaded


def _token(label_studio) -> dict:
    return {"credentials": Credentials(label_studio.url, label_studio.token)}


@pytest.mark.usefixtures("ls_env")
@pytest.mark.parametrize("mode", ["upload", "response"])
@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_interrupted_push_then_rerun_gives_every_task_once(
    ls_project, label_studio, upload_size, mode, fraction
):
    """The server goes away mid-push (the request cut, or its answer lost); run push again."""
    total = upload_size
    push([], project=ls_project, progress=False)  # so that the cut falls among the imports
    target = urlsplit(label_studio.url)
    tasks = make_tasks(TASKS)
    cut_at = int(total * fraction)
    with CuttingProxy((target.hostname, target.port), cut_at=cut_at, mode=mode) as proxy:
        with pytest.raises(LabelStudioUnreachableError) as caught:
            push(tasks, project=ls_project, url=proxy.url, batch_size=BATCH, progress=False)
        assert proxy.cuts == 1
    assert "push again: only the missing ones are sent" in str(caught.value)
    landed = sum(copies(ls_project).values())
    assert 0 < landed < TASKS or mode == "response"
    summary = push(tasks, project=ls_project, batch_size=BATCH, progress=False)
    assert summary.created + summary.already_there == TASKS
    counts = copies(ls_project)
    assert len(counts) == TASKS
    assert set(counts.values()) == {1}


@pytest.mark.parametrize("mode", ["upload", "response"])
def test_push_heals_a_connection_cut_once(ls_env, ls_project, label_studio, upload_size, mode):
    """A one-off cut is retried within the same push: the lost import is settled by listing."""
    total = upload_size
    push([], project=ls_project, progress=False)
    target = urlsplit(label_studio.url)
    tasks = make_tasks(TASKS)
    with CuttingProxy(
        (target.hostname, target.port), cut_at=total // 2, mode=mode, after="heal"
    ) as proxy:
        summary = push(tasks, project=ls_project, url=proxy.url, batch_size=BATCH, progress=False)
        assert proxy.cuts == 1
    assert summary.recovered_errors == 1
    assert summary.created == TASKS
    counts = copies(ls_project)
    assert len(counts) == TASKS
    assert set(counts.values()) == {1}


def test_lost_import_answer_duplicates_are_removed(ls_env, ls_project, label_studio, monkeypatch):
    """If a lost import lands after it was listed as missing, the copy it leaves is deleted."""
    tasks = make_tasks(20)
    push(tasks[:10], project=ls_project, progress=False)
    with connect() as conn:
        project_id = find_project(conn, ls_project).id
    label_studio.client().projects.import_tasks(
        id=project_id, request=tasks[:5]
    )  # the "late" copies
    summary = push(tasks, project=ls_project, progress=False)
    assert summary.duplicates_removed == 5
    assert summary.created == 10
    assert set(copies(ls_project).values()) == {1}


def test_wrong_token_is_one_line_exit_3_and_never_shown(ls_env, ls_project, tmp_path, monkeypatch):
    wrong = "wrong-token-9876543210fedcba"
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", wrong)
    tasks = write_tasks(tmp_path / "t.jsonl", make_tasks(1))
    for args in (
        ["push", str(tasks), "--project", ls_project],
        ["pull", "--project", ls_project, "-o", str(tmp_path / "o.jsonl")],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 3, result.output
        assert result.output.count("\n") == 1
        assert result.output.startswith(
            f"Error: [E401] Label Studio at {ls_env.url} refused the API token from "
            "LABEL_STUDIO_API_KEY (list projects: HTTP 401 "
        )
        assert wrong not in result.output


def test_unreachable_server_is_one_line_exit_3(ls_env, tmp_path, monkeypatch):
    from annotate_kit.labelstudio.server import free_port

    monkeypatch.setenv("LABEL_STUDIO_URL", f"http://127.0.0.1:{free_port()}")
    result = CliRunner().invoke(main, ["pull", "--project", "x", "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code == 3
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: [E410] cannot reach Label Studio at http://127.0.0.1:")
    assert "(list projects after 4 attempts): is it running?" in result.output


def test_missing_project_on_pull(ls_env, tmp_path):
    result = CliRunner().invoke(
        main, ["pull", "--project", "no-such-project", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 3
    assert result.output == (
        f"Error: [E404] no project titled 'no-such-project' on {ls_env.url}; "
        "`annotate-kit push` creates it\n"
    )


def test_token_never_in_output_or_logs(ls_env, ls_project, tmp_path, caplog):
    """Success and failure paths, with every logger at DEBUG: the token shows up nowhere."""
    caplog.set_level(logging.DEBUG)
    tasks = write_tasks(tmp_path / "t.jsonl", make_tasks(3))
    runner = CliRunner()
    outputs = [
        runner.invoke(main, ["push", str(tasks), "--project", ls_project, "--progress"]),
        runner.invoke(main, ["pull", "--project", ls_project, "-o", str(tmp_path / "o.jsonl")]),
        runner.invoke(main, ["push", str(tasks), "--project", "x", "--url", "http://127.0.0.1:9"]),
    ]
    assert [r.exit_code for r in outputs] == [0, 0, 3]
    for result in outputs:
        assert ls_env.token not in result.output
        assert ls_env.token not in repr(result.exception)
    assert ls_env.token not in caplog.text
    assert caplog.records  # the SDK and httpx did log at DEBUG: the check above means something


def personal_access_token(label_studio) -> str:
    """Log in with the password and create a personal access token (a JWT refresh token)."""
    login_url = f"{label_studio.url}/user/login/"
    with httpx.Client(timeout=30) as session:
        session.get(login_url)
        session.post(
            login_url,
            data={
                "email": label_studio.annotator.username,
                "password": label_studio.annotator.password,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": login_url},
        )
        answer = session.post(
            f"{label_studio.url}/api/token/",
            headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": label_studio.url},
        )
    answer.raise_for_status()
    return answer.json()["token"]


def test_personal_access_token_works(ls_env, ls_project, label_studio, monkeypatch, tmp_path):
    push(make_tasks(2), project=ls_project, progress=False)  # admin creates the project
    pat = personal_access_token(label_studio)
    assert pat.count(".") == 2  # a JWT, not a legacy token
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", pat)
    summary = push(make_tasks(4), project=ls_project, progress=False)
    assert (summary.created, summary.already_there) == (2, 2)
    result = CliRunner().invoke(main, ["pull", "--project", ls_project, "-o", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert pat not in result.output
