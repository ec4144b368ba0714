"""Credentials, error wording and the pull file logic: no server needed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest
from label_studio_sdk.core.api_error import ApiError

from annotate_kit.errors import (
    CredentialsError,
    InputError,
    LabelStudioAuthError,
    LabelStudioError,
    LabelStudioNotFoundError,
    LabelStudioUnreachableError,
)
from annotate_kit.labelstudio.client import Connection, detail, is_transient
from annotate_kit.labelstudio.credentials import Credentials, load_credentials, scrub, write_config
from annotate_kit.labelstudio.syncfiles import (
    first_of,
    merge_records,
    read_state,
    read_tasks,
    records_from_tasks,
    task_ids,
    task_reader,
    write_records,
    write_state,
)

TOKEN = "secret-token-0123456789abcdef"  # noqa: S105 - a test value


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "labelstudio.json"
    monkeypatch.setenv("ANNOTATE_KIT_CONFIG", str(config))
    return config


def test_credentials_from_env(no_env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", TOKEN)
    found = load_credentials()
    assert (found.url, found.token, found.source) == (
        "http://127.0.0.1:9",
        TOKEN,
        "LABEL_STUDIO_API_KEY",
    )
    assert TOKEN not in repr(found)
    assert load_credentials("http://other:1").url == "http://other:1"  # --url wins


def test_credentials_from_owner_only_config_file(no_env: Path):
    write_config(no_env, url="http://127.0.0.1:9", token=TOKEN)
    assert oct(no_env.stat().st_mode & 0o777) == "0o600"
    found = load_credentials()
    assert (found.url, found.token, found.source) == ("http://127.0.0.1:9", TOKEN, str(no_env))


def test_config_file_readable_by_others_is_refused(no_env: Path):
    write_config(no_env, url="http://127.0.0.1:9", token=TOKEN)
    no_env.chmod(0o644)
    with pytest.raises(CredentialsError) as caught:
        load_credentials()
    assert f"chmod 600 {no_env}" in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_config_file_is_not_read_when_the_environment_has_both(no_env, monkeypatch):
    no_env.write_text("{}")
    no_env.chmod(0o644)  # would be refused if read
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", TOKEN)
    assert load_credentials().token == TOKEN


def test_write_config_tightens_an_existing_file(no_env: Path):
    no_env.write_text("{}")
    no_env.chmod(0o666)
    write_config(no_env, url="http://x:1", token=TOKEN)
    assert no_env.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "no Label Studio URL: pass --url, set LABEL_STUDIO_URL"),
        ({"LABEL_STUDIO_URL": "http://x:1"}, "no Label Studio API token: set LABEL_STUDIO_API_KEY"),
        ({"LABEL_STUDIO_URL": "x:1", "LABEL_STUDIO_API_KEY": TOKEN}, "must start with http://"),
    ],
)
def test_missing_credentials_say_what_to_do(no_env, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(CredentialsError, match=message):
        load_credentials()


def test_scrub_removes_token_and_echoed_auth_headers():
    text = f"sent {TOKEN}; headers Authorization: Token abc.def-1 and Bearer eyJ0eXAi.x.y"
    cleaned = scrub(text, TOKEN)
    assert TOKEN not in cleaned
    assert "abc.def-1" not in cleaned
    assert "eyJ0eXAi" not in cleaned
    assert cleaned.count("***") == 3


def _explain(exc: BaseException) -> LabelStudioError:
    conn = Connection.__new__(Connection)  # no client: only the wording is under test
    conn.credentials = Credentials("http://127.0.0.1:9", TOKEN)
    conn.url = conn.credentials.url
    return conn.explain("list projects", exc, attempts=4)


@pytest.mark.parametrize(
    ("exc", "kind", "start"),
    [
        (
            ApiError(status_code=401, body={"detail": f"Invalid token {TOKEN}"}),
            LabelStudioAuthError,
            (
                "[E401] Label Studio at http://127.0.0.1:9 refused the API token from "
                "LABEL_STUDIO_API_KEY (list projects: HTTP 401 Invalid token ***)"
            ),
        ),
        (
            ApiError(status_code=403, body={"detail": "no"}),
            LabelStudioAuthError,
            "[E401] Label Studio at http://127.0.0.1:9: the token's user may not list projects",
        ),
        (
            ApiError(status_code=404, body="<html><title>Not Found</title>" + "x" * 170_000),
            LabelStudioNotFoundError,
            (
                "[E404] Label Studio at http://127.0.0.1:9: not found (list projects: HTTP 404 "
                "(an HTML page: Not Found))"
            ),
        ),
        (
            httpx.ConnectError("refused"),
            LabelStudioUnreachableError,
            "[E410] cannot reach Label Studio at http://127.0.0.1:9 (list projects after 4 attempts)",
        ),
        (
            httpx.ReadTimeout("slow"),
            LabelStudioUnreachableError,
            "[E410] Label Studio at http://127.0.0.1:9 timed out (list projects after 4 attempts)",
        ),
        (
            ApiError(status_code=500, body={"detail": "boom\nTraceback"}),
            LabelStudioError,
            (
                "[E400] Label Studio at http://127.0.0.1:9: list projects failed after 4 "
                "attempts: HTTP 500 boom Traceback"
            ),
        ),
    ],
)
def test_errors_are_one_line_without_token(exc, kind, start):
    error = _explain(exc)
    assert type(error) is kind
    assert str(error).startswith(start)
    assert "\n" not in str(error)
    assert TOKEN not in str(error)
    assert len(str(error)) < 600


def _connection(retries: int = 3) -> Connection:
    conn = Connection.__new__(Connection)  # no client: only the retry policy is under test
    conn.credentials = Credentials("http://127.0.0.1:9", TOKEN)
    conn.url, conn.retries, conn.backoff = conn.credentials.url, retries, 0.0
    return conn


def test_idempotent_calls_retry_transient_failures_only():
    failures = [httpx.ReadTimeout("slow"), ApiError(status_code=502, body="bad gateway")]

    def flaky() -> str:
        if failures:
            raise failures.pop(0)
        return "ok"

    assert _connection().call("list projects", flaky) == "ok"
    calls = []

    def refused() -> None:
        calls.append(1)
        raise ApiError(status_code=401, body={"detail": "no"})

    with pytest.raises(LabelStudioAuthError):
        _connection().call("list projects", refused)
    assert len(calls) == 1  # a refusal is not retried

    def down() -> None:
        calls.append(1)
        raise httpx.ConnectError("refused")

    calls.clear()
    with pytest.raises(LabelStudioUnreachableError, match="after 3 attempts"):
        _connection(retries=2).call("list projects", down)
    assert len(calls) == 3


def test_transient_failures():
    assert is_transient(httpx.ConnectError("x"))
    assert is_transient(httpx.RemoteProtocolError("x"))
    assert is_transient(ApiError(status_code=502, body=""))
    assert not is_transient(ApiError(status_code=400, body=""))
    assert not is_transient(ApiError(status_code=401, body=""))


def test_detail_prefers_validation_errors_and_truncates():
    body = {"detail": "Validation error", "validation_errors": {"label_config": ["x" * 400]}}
    assert detail(body).startswith("label_config: xxx")
    assert len(detail(body)) == 300


def test_read_tasks_json_and_jsonl(tmp_path: Path):
    task = {"data": {"text": "Paris.", "doc_id": "doc-1"}}
    (tmp_path / "a.json").write_text(json.dumps([task]))
    (tmp_path / "a.jsonl").write_text(json.dumps(task) + "\n\n")
    assert read_tasks(tmp_path / "a.json") == read_tasks(tmp_path / "a.jsonl") == [task]
    (tmp_path / "bad.jsonl").write_text("{nope\n")
    with pytest.raises(InputError, match=r"bad.jsonl: not JSON or JSONL tasks"):
        read_tasks(tmp_path / "bad.jsonl")


def test_task_ids_need_doc_id_and_count_repeats():
    good = {"data": {"text": "a", "doc_id": "d1"}}
    other = {"data": {"text": "b", "doc_id": "d2"}}
    ids, repeated = task_ids([good, other, dict(good)], source="t.json")
    assert (ids, repeated) == (["d1", "d2"], 1)
    assert list(first_of([good, other, {**good, "x": 1}], ["d1"])) == [good]
    with pytest.raises(InputError, match=r"t.json: task 1 lack data.text or data.doc_id"):
        task_ids([good, {"data": {"text": "b"}}], source="t.json")


def test_push_reads_jsonl_twice_a_line_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Push keeps the ids and re-reads the file for the missing tasks: never the whole file."""
    tasks = [{"data": {"text": f"t{i}", "doc_id": f"d{i}"}} for i in range(3)]
    path = tmp_path / "tasks.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in tasks))
    monkeypatch.setattr(Path, "read_text", lambda *_, **__: pytest.fail("read whole"))
    read = task_reader(path)
    assert list(read()) == list(read()) == tasks
    assert list(first_of(read(), ["d2", "d0"])) == [tasks[0], tasks[2]]


def _task(task_id: int, *annotations: dict) -> dict:
    data = {"text": "Paris est belle.", "doc_id": f"doc-{task_id}", "lang": "fr"}
    return {"id": task_id, "data": data, "annotations": list(annotations), "drafts": []}


def _annotation(annotation_id: int, *, cancelled: bool = False) -> dict:
    span = {"start": 0, "end": 5, "text": "Paris", "labels": ["LOC"]}
    result = (
        []
        if cancelled
        else [
            {
                "id": "e1",
                "from_name": "entities",
                "to_name": "text",
                "type": "labels",
                "value": span,
            }
        ]
    )
    return {
        "id": annotation_id,
        "completed_by": 2,
        "result": result,
        "was_cancelled": cancelled,
        "lead_time": 1.5,
    }


def test_records_from_tasks_keeps_cancelled_and_drafts_on_request():
    task = _task(7, _annotation(1), _annotation(2, cancelled=True))
    task["drafts"] = [{"id": 9, "user": 3, "result": [], "created_at": "2026-01-01T00:00:00Z"}]
    plain = records_from_tasks([task], include_drafts=False)
    assert [r["annotation"]["id"] for r in plain.records] == ["1", "2"]
    assert plain.cancelled == 1
    assert plain.records[0]["entities"] == [
        {"id": "e1", "start": 0, "end": 5, "text": "Paris", "label": "LOC"}
    ]
    assert plain.records[1]["annotation"]["cancelled"] is True
    with_drafts = records_from_tasks([task], include_drafts=True)
    assert with_drafts.drafts == 1
    assert with_drafts.records[-1]["annotation"]["id"] == "draft-9"
    assert with_drafts.records[-1]["annotation"]["annotator"] == "3"


def test_merge_replaces_every_record_of_refreshed_tasks(tmp_path: Path):
    out = tmp_path / "out.jsonl"
    old = records_from_tasks(
        [_task(1, _annotation(1)), _task(2, _annotation(2), _annotation(3))], include_drafts=False
    )
    write_records(out, old.records)
    fresh = records_from_tasks([_task(2, _annotation(3))], include_drafts=False).records
    merged = merge_records(out, fresh, {2, 5})
    assert [(r["annotation"]["task_id"], r["annotation"]["id"]) for r in merged] == [
        (1, "1"),
        (2, "3"),
    ]


def test_state_file_belongs_to_one_project(tmp_path: Path):
    state = tmp_path / "state.json"
    assert read_state(state, url="http://a", project_id=1) is None
    write_state(
        state, url="http://a", project="p", project_id=1, watermark="2026-01-01T00:00:00.000000Z"
    )
    assert read_state(state, url="http://a", project_id=1) == "2026-01-01T00:00:00.000000Z"
    with pytest.raises(InputError, match="records pulls of project 1 at http://a, not project 2"):
        read_state(state, url="http://a", project_id=2)


def test_write_records_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    out = tmp_path / "out.jsonl"
    out.write_text("old\n")

    def explode(records, handle):
        handle.write("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr("annotate_kit.labelstudio.syncfiles.write_jsonl", explode)
    with pytest.raises(RuntimeError):
        write_records(out, [])
    assert out.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_studio_says_how_long_the_first_start_takes(tmp_path: Path):
    from annotate_kit.labelstudio.studio import (
        FIRST_START,
        LATER_START,
        SERVER_DIR,
        TASKS_START,
        startup_hint,
    )

    assert startup_hint(tmp_path) == FIRST_START
    assert "2.5 minutes" in FIRST_START  # measured: 70 s idle, 149 s under load (2 cores)
    (tmp_path / SERVER_DIR).mkdir()
    (tmp_path / SERVER_DIR / "label_studio.sqlite3").write_bytes(b"")
    assert startup_hint(tmp_path) == LATER_START
    assert startup_hint(tmp_path, converts_seeds=False) == TASKS_START
