"""A real Label Studio for the tests: one server per session, started with annotate_kit.labelstudio.server.

The first session builds a pre-migrated data directory (admin + a second annotator, ~30 s)
under .pytest_cache; every session then starts on a copy of it in ~3 s. Tests that need
the server are marked ``labelstudio`` and are skipped, with the reason, only when the
label-studio executable is not installed.
"""

from __future__ import annotations

import fcntl
import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from label_studio_sdk import LabelStudio

from annotate_kit.errors import LabelStudioError
from annotate_kit.labelstudio import server

ADMIN = server.Login("admin@example.com", "admin-pass-123", "test-token-0123456789abcdef")
ANNOTATOR = server.Login("annot2@example.com", "annot2-pass-123", "annot2-token-0123456789")
THIRD = server.Login("annot3@example.com", "annot3-pass-123", "annot3-token-0123456789")
TEMPLATE_KEY = "label-studio-1.23.2-template-v1"  # bump when the recipe or the users change
_titles = itertools.count(1)


@dataclass
class RunningLabelStudio:
    """What a test needs: where the server is, its users, and SDK clients for set-up."""

    url: str
    data_dir: Path
    admin: server.Login
    annotator: server.Login
    process: server.Server
    template: Path  # a pre-migrated data dir with the admin and annotator: copy it, never change it
    _http: list[httpx.Client] = field(default_factory=list, repr=False)

    @property
    def token(self) -> str:
        return self.admin.token

    def client(self, login: server.Login | None = None) -> LabelStudio:
        """An SDK client for arranging a test (annotating as a user), not for the code under test."""
        http = httpx.Client(timeout=120)
        self._http.append(http)  # closed when the session ends
        token = (login or self.admin).token
        return LabelStudio(base_url=self.url, api_key=token, timeout=120, httpx_client=http)

    def close_clients(self) -> None:
        for http in self._http:
            http.close()


def _template(cache_dir: Path) -> Path:
    """The pre-migrated data directory, built once and shared by later sessions."""
    template = cache_dir / TEMPLATE_KEY
    with (cache_dir / f"{TEMPLATE_KEY}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two sessions at once build it once
        if not (template / "label_studio.sqlite3").is_file():
            shutil.rmtree(template, ignore_errors=True)
            server.make_template(template, login=ADMIN, extra_users=(ANNOTATOR,), timeout=900)
    return template


@pytest.fixture(scope="session")
def label_studio(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningLabelStudio]:
    """A Label Studio on 127.0.0.1 (free port, temporary SQLite data dir), stopped at the end."""
    try:
        server.find_binary()
    except LabelStudioError as exc:
        pytest.skip(str(exc))
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    where = cache.mkdir("label-studio") if cache else tmp_path_factory.mktemp("label-studio")
    template = _template(Path(where))
    for attempt in range(3):
        data_dir = server.copy_data_dir(template, tmp_path_factory.mktemp("ls-data"))
        try:
            running = server.start(data_dir=data_dir, login=ADMIN)
            break
        except LabelStudioError:
            if attempt == 2:  # a port taken between choosing and binding it: try another
                raise
    started = RunningLabelStudio(running.url, data_dir, ADMIN, ANNOTATOR, running, template)
    try:
        yield started
    finally:
        started.close_clients()
        running.stop()


@pytest.fixture(scope="session")
def third_annotator(label_studio: RunningLabelStudio) -> server.Login:
    """A third annotator, added to the running server once per session (~4 s) rather than to
    the template: a new template costs every worktree a fresh migration (30 s to minutes)."""
    emails = {user.email for user in label_studio.client().users.list()}
    if THIRD.username not in emails:
        server.add_user(label_studio.process, THIRD)
    return THIRD


@pytest.fixture
def ls_env(label_studio: RunningLabelStudio, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """The environment a user sets: URL and token; no config file from the real home."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    monkeypatch.setenv("ANNOTATE_KIT_CONFIG", str(tmp_path / "no-config.json"))
    return label_studio


@pytest.fixture
def ls_project(label_studio: RunningLabelStudio, request: pytest.FixtureRequest) -> Iterator[str]:
    """A project title unique to the test; every project with that title is deleted after."""
    title = f"t{next(_titles)}-{request.node.name}"[:46]  # LS allows 50; room for a suffix
    yield title
    client = label_studio.client()
    for project in client.projects.list(title=title):
        if project.title == title:
            client.projects.delete(id=project.id)
