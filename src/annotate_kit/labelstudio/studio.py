"""`annotate-kit studio`: a local Label Studio with the project and the seed tasks waiting.

The data directory (default ``.studio/``) persists between runs, so annotations survive a
restart. The login (user, password, API token) is made once, at random, and kept in
``.studio/labelstudio.json`` (mode 0600) in the format the credentials loader reads, so
``ANNOTATE_KIT_CONFIG=.studio/labelstudio.json annotate-kit pull ...`` works as is.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from annotate_kit.errors import CredentialsError
from annotate_kit.labelstudio import server
from annotate_kit.labelstudio.credentials import Credentials, write_config
from annotate_kit.labelstudio.project import PushSummary, push

LOGIN_FILE = "labelstudio.json"
SERVER_DIR = "label-studio"
DEFAULT_PORT = 8080
DEFAULT_PROJECT = "annotate-kit demo"
USERNAME = "annotator@example.com"
# Measured on 2 cores (2026-12-06): a clean first start (Label Studio's migrations, then
# converting and pre-annotating the seeds with spaCy, then the push) took 70 s idle and 149 s
# under load; a restart 32 s under load, most of it pre-annotating the seeds again; a restart
# with TASKS given skips that (Label Studio alone restarts in ~3 s).
FIRST_START = "1 to 2.5 minutes the first time: database set-up, then pre-annotating the seeds"
LATER_START = "15 to 30 s: the seeds are pre-annotated again"
TASKS_START = "a few seconds"


@dataclass
class Studio:
    """A running studio: the server, how to log in, and what was pushed."""

    server: server.Server
    login: server.Login
    project: str
    project_id: int | None
    pushed: PushSummary
    login_file: Path

    @property
    def url(self) -> str:
        return self.server.url


def studio_login(data_dir: Path) -> server.Login:
    """The studio's login, made at random on the first run and kept owner-readable."""
    path = data_dir / LOGIN_FILE
    if path.is_file():
        stored = json.loads(path.read_text(encoding="utf-8"))
        return server.Login(stored["username"], stored["password"], stored["api_key"])
    if (data_dir / SERVER_DIR).exists():
        raise CredentialsError(
            f"{data_dir / SERVER_DIR} exists but {path} (its login) is gone; move {data_dir} "
            "away to start a new studio"
        )
    return server.Login(USERNAME, secrets.token_urlsafe(12), secrets.token_hex(20))


def startup_hint(data_dir: Path, *, converts_seeds: bool = True) -> str:
    """How long starting will take, as measured: the first start pays for the migrations,
    every start without TASKS for pre-annotating the seeds."""
    database = Path(data_dir) / SERVER_DIR / "label_studio.sqlite3"
    if not database.is_file():
        return FIRST_START
    return LATER_START if converts_seeds else TASKS_START


def seed_tasks(
    seeds: Path, out: Path, *, preannotate: bool, models: dict[str, str] | None = None
) -> Path:
    """Convert the seed documents into tasks (with pre-annotations when asked)."""
    from annotate_kit.documents.convert import convert

    convert([seeds], out=out, preannotate=preannotate, models=models)
    return out


def start_studio(
    *,
    data_dir: Path = Path(".studio"),
    port: int | None = None,
    project: str = DEFAULT_PROJECT,
    tasks: Path | None = None,
    seeds: Path = Path("seeds"),
    preannotate: bool = True,
    progress: bool = False,
    models: dict[str, str] | None = None,
) -> Studio:
    """Start Label Studio on 127.0.0.1, create the project and push the tasks; keep it running.

    ``tasks`` (as `convert` writes them) is pushed when given; otherwise the documents in
    ``seeds`` are converted first. Port 8080 is used when free, else any free port.
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    login = studio_login(data_dir)
    if port is None:
        port = DEFAULT_PORT if server.port_is_free(DEFAULT_PORT) else server.free_port()
    running = server.start(data_dir=data_dir / SERVER_DIR, login=login, port=port)
    try:
        login_file = data_dir / LOGIN_FILE
        extra = {"username": login.username, "password": login.password}
        write_config(login_file, url=running.url, token=login.token, extra=extra)
        if tasks is None:
            tasks = seed_tasks(
                seeds, data_dir / "seed-tasks.json", preannotate=preannotate, models=models
            )
        pushed = push(
            tasks,
            project=project,
            credentials=Credentials(running.url, login.token, source=str(login_file)),
            progress=progress,
        )
    except BaseException:
        running.stop()
        raise
    return Studio(running, login, project, pushed.project_id, pushed, login_file)
