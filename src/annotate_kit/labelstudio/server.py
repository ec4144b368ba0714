"""Start and stop a local Label Studio server (the PyPI ``label-studio`` package).

Used by ``annotate-kit studio``, the test fixture and the bench. The recipe comes from a real
run (../shared/LABEL-STUDIO.md): SQLite, bound to 127.0.0.1, every outbound call silenced,
a legacy API token created at the first start, and the bare ``HOST``/``PORT``/``USERNAME``
variables Label Studio would otherwise read removed from the child's environment. A fresh
data directory needs ~27 s of migrations; starting on a copy of a pre-migrated one (see
``make_template``) takes ~3 s.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from annotate_kit.errors import LabelStudioError

BINARY_ENV = "ANNOTATE_KIT_LABEL_STUDIO"
LOG_NAME = "label-studio.log"
TMP_NAME = "tmp"  # the server's TMPDIR: its export files, never deleted, stay with its data
# Label Studio reads LABEL_STUDIO_X, then HEARTEX_X, then the bare X: an inherited PORT or
# USERNAME silently changes what it does.
SCRUBBED_ENV = (
    "HOST",
    "PORT",
    "USERNAME",
    "PASSWORD",
    "USER_TOKEN",
    "DEBUG",
    "DATABASE_NAME",
    "LABEL_STUDIO_API_KEY",
    "LABEL_STUDIO_URL",
)
QUIET_ENV = {
    "DJANGO_DB": "sqlite",
    "SENTRY_DSN": "",
    "FRONTEND_SENTRY_DSN": "",
    "LATEST_VERSION_CHECK": "false",
    "COLLECT_ANALYTICS": "false",
    "LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN": "true",
    # Validate predictions on import, so a bad pre-annotation is refused, not stored.
    "fflag_feat_utc_210_prediction_validation_15082025": "true",
}
INSTALL_HINT = (
    "Label Studio is not installed: run `bash scripts/setup.sh --with-server` (creates .ls-venv with "
    "label-studio==1.23.2), or set ANNOTATE_KIT_LABEL_STUDIO to a label-studio executable"
)


@dataclass(frozen=True)
class Login:
    """The account created at the first start; the token is kept out of repr and logs."""

    username: str
    password: str = field(repr=False)
    token: str = field(repr=False)


@dataclass
class Server:
    """A running Label Studio process; stop it with ``stop()`` or use it as a context manager."""

    url: str
    port: int
    data_dir: Path
    login: Login
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def log_path(self) -> Path:
        return self.data_dir / LOG_NAME

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited after ``timeout`` seconds."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def find_binary() -> str:
    """The label-studio executable: $ANNOTATE_KIT_LABEL_STUDIO, <repo>/.ls-venv, then PATH."""
    configured = os.environ.get(BINARY_ENV)
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise LabelStudioError(f"{BINARY_ENV}={configured} is not an executable file")
    repo_venv = Path(__file__).resolve().parents[3] / ".ls-venv" / "bin" / "label-studio"
    if repo_venv.is_file():
        return str(repo_venv)
    on_path = shutil.which("label-studio")
    if on_path:
        return on_path
    raise LabelStudioError(INSTALL_HINT, code="E411")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def child_env(data_dir: Path, login: Login) -> dict[str, str]:
    """The server's environment: ours minus the names Label Studio misreads, plus the recipe."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
    env.update(QUIET_ENV)
    env.update(
        TMPDIR=str(data_dir / TMP_NAME),
        LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
        LABEL_STUDIO_USERNAME=login.username,
        LABEL_STUDIO_PASSWORD=login.password,
        LABEL_STUDIO_USER_TOKEN=login.token,
    )
    return env


# A fresh data dir runs every migration: ~30 s on an idle 2-core machine, over 180 s on a loaded
# one (seen while six other jobs ran); a start on a migrated dir takes ~3 s.
FIRST_START_TIMEOUT = 600.0


def start(
    *,
    data_dir: Path,
    login: Login,
    port: int | None = None,
    host: str = "127.0.0.1",
    timeout: float = 180.0,
    binary: str | None = None,
) -> Server:
    """Start Label Studio on ``host:port`` with ``data_dir`` and wait until /health answers.

    The first start on an empty ``data_dir`` creates ``login`` (a superuser with a legacy
    token); later starts reuse what the data directory holds. Label Studio moves to the next
    port when the one asked for is busy, without failing: that is detected from its log and
    refused, since a client would then talk to whatever holds the port.
    """
    binary = binary or find_binary()
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(data_dir / TMP_NAME, ignore_errors=True)  # what the last run left behind
    (data_dir / TMP_NAME).mkdir()
    port = port or free_port(host)
    log_path = data_dir / LOG_NAME
    argv = [binary, "start", "--no-browser", "--internal-host", host, "--port", str(port)]
    argv += ["--data-dir", str(data_dir)]
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            argv,
            env=child_env(data_dir, login),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, and we stop the server in order
        )
    log_offset = log_path.stat().st_size
    server = Server(f"http://{host}:{port}", port, data_dir, login, process)
    try:
        _wait_healthy(server, timeout=timeout, log_offset=log_offset)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_healthy(server: Server, *, timeout: float, log_offset: int) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise LabelStudioError(
                f"Label Studio exited with code {server.process.returncode} before answering; "
                f"end of {server.log_path}:\n{_log_tail(server.log_path)}",
                code="E412",
            )
        moved = _moved_port(server.log_path, log_offset)
        if moved is not None and moved != server.port:
            raise LabelStudioError(
                f"port {server.port} was busy and Label Studio moved to {moved}; choose a free "
                "port (--port) and try again",
                code="E412",
            )
        if _healthy(server.url) and f":{server.port}/" in _read_log(server.log_path, log_offset):
            return
        if time.monotonic() > deadline:
            raise LabelStudioError(
                f"Label Studio did not answer {server.url}/health within {timeout:.0f} s; "
                f"end of {server.log_path}:\n{_log_tail(server.log_path)}",
                code="E412",
            )
        time.sleep(0.3)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310 (http only)
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _read_log(path: Path, offset: int) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _moved_port(path: Path, offset: int) -> int | None:
    found = re.search(
        r"Starting development server at https?://[^:/]+:(\d+)/", _read_log(path, offset)
    )
    return int(found.group(1)) if found else None


def _log_tail(path: Path, lines: int = 15) -> str:
    return "\n".join(_read_log(path, 0).splitlines()[-lines:])


def make_template(
    template_dir: Path,
    *,
    login: Login,
    extra_users: tuple[Login, ...] = (),
    timeout: float = FIRST_START_TIMEOUT,
) -> Path:
    """A pre-migrated data directory (users created, server stopped) to copy for fast starts."""
    template_dir = Path(template_dir)
    building = template_dir.with_name(template_dir.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    with start(data_dir=building, login=login, timeout=timeout) as server:
        for user in extra_users:
            add_user(server, user)
    (building / LOG_NAME).unlink(missing_ok=True)
    building.rename(template_dir)
    return template_dir


def copy_data_dir(template_dir: Path, data_dir: Path) -> Path:
    shutil.copytree(template_dir, data_dir, symlinks=True, dirs_exist_ok=True)
    return data_dir


def add_user(server: Server, user: Login, *, binary: str | None = None) -> None:
    """Add a user with a password and a legacy token to the server's organization (~4 s).

    ``label-studio init`` on a running server's data directory is the one way found to give
    another user both a password (for the web UI) and a token without a prompt.
    """
    argv = [binary or find_binary(), "init", "--username", user.username]
    argv += ["--password", user.password, "--user-token", user.token]
    argv += ["--data-dir", str(server.data_dir)]
    env = child_env(server.data_dir, server.login)
    for key in ("LABEL_STUDIO_USERNAME", "LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_USER_TOKEN"):
        env.pop(key)
    done = subprocess.run(argv, env=env, capture_output=True, check=False, timeout=120)
    if done.returncode != 0:
        output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
        for secret in (user.password, user.token):
            output = output.replace(secret, "***")
        raise LabelStudioError(
            f"could not add user {user.username}: {output.strip()[-500:]}", code="E413"
        )
