"""Staging beside an output: found and removed by the next run after a crash; shared by umask.

Outputs are written to a hidden file or folder beside their target and renamed into place,
so an interrupted run never leaves half an output. A run killed outright (SIGKILL, power
loss) cannot clean up, so every staging name says who made it —
``.NAME.HOST.PID.TOKEN.annotate-kit-staging`` — and any later run staging in the same
folder removes those of this host whose process is gone, saying so on stderr. Staging is
created with the default modes (0666/0777 less the umask), so outputs can be shared like any
other file; only the credentials file stays 0600 (labelstudio/credentials.py).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
from pathlib import Path

MARK = ".annotate-kit-staging"


def _host() -> str:
    return socket.gethostname().replace(".", "_") or "localhost"


def stage_name(out: Path, what: str = "") -> Path:
    """A fresh staging path beside ``out`` (nothing is created); stale ones are swept first."""
    sweep(out.parent)
    tag = f"{what}." if what else ""
    token = secrets.token_hex(4)
    return out.parent / f".{out.name}.{tag}{_host()}.{os.getpid()}.{token}{MARK}"


def stage_dir(out: Path, what: str = "") -> Path:
    """A fresh staging folder beside ``out``, mode 0777 less the umask."""
    path = stage_name(out, what)
    path.mkdir(mode=0o777)
    return path


def stage_file(out: Path) -> Path:
    """A fresh empty staging file beside ``out``, mode 0666 less the umask."""
    path = stage_name(out)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    return path


def sweep(folder: Path) -> list[Path]:
    """Remove the staging that runs of this host left in ``folder`` and died without removing."""
    removed: list[Path] = []
    try:
        entries = [entry for entry in folder.iterdir() if entry.name.endswith(MARK)]
    except OSError:
        return removed
    for entry in entries:
        parts = entry.name[: -len(MARK)].split(".")
        if len(parts) < 4 or parts[-3] != _host() or not parts[-2].isdigit():
            continue
        if _alive(int(parts[-2])):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        if not entry.exists():
            removed.append(entry)
            sys.stderr.write(
                f"annotate-kit: removed {entry}, left by an interrupted run (pid {parts[-2]})\n"
            )
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: someone else's live process
        return True
    return True
