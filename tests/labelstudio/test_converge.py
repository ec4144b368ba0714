"""Concurrent pushes converge (issue #16): three `push` runs at once, against the real server,
end with one project of the title and each doc_id exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from annotate_kit.labelstudio.bulk import list_doc_ids
from annotate_kit.labelstudio.client import connect
from annotate_kit.labelstudio.converge import projects_titled
from tests.labelstudio.test_push import make_tasks, write_tasks

pytestmark = pytest.mark.labelstudio

SRC = Path(__file__).resolve().parents[2] / "src"
RUNS = 3
TIMEOUT = 240


def push_at_once(tasks: Path, project: str, runs: int = RUNS) -> list[subprocess.CompletedProcess]:
    """``runs`` CLI processes started together, each pushing the same tasks."""
    env = {
        **os.environ,
        "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
        "PYTHONFAULTHANDLER": "1",  # a hung run, aborted, shows where it waited
    }
    command = [sys.executable, "-m", "annotate_kit", "push", str(tasks), "--project", project]
    procs = [
        subprocess.Popen(
            [*command, "--batch-size", "40", "--no-progress"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(runs)
    ]
    done = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            for other in procs:
                if other.poll() is None:
                    other.send_signal(signal.SIGABRT)
            out, err = proc.communicate()
            pytest.fail(f"a push hung over {TIMEOUT} s:\n{out}\n{err}")
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def project_state(title: str) -> tuple[int, dict[str, int]]:
    """(projects with that title, doc_id -> copies in the oldest)."""
    with connect() as conn:
        projects = projects_titled(conn, title)
        copies = list_doc_ids(conn, projects[0].id) if projects else {}
    return len(projects), {doc: len(found) for doc, found in copies.items()}


def test_concurrent_pushes_into_a_new_project_converge(ls_env, ls_project, tmp_path):
    tasks = write_tasks(tmp_path / "tasks.jsonl", make_tasks(400))
    runs = push_at_once(tasks, ls_project)
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    projects, copies = project_state(ls_project)
    assert projects == 1
    assert len(copies) == 400
    assert set(copies.values()) == {1}
    removed = sum(
        int(line.split()[0])
        for run in runs
        for line in run.stdout.splitlines()
        if "duplicate tasks removed" in line
    )
    created = sum(int(run.stdout.splitlines()[1].split()[2]) for run in runs)
    assert removed >= created - 400  # every extra copy made is reported as removed


def test_concurrent_pushes_into_an_existing_project_converge(ls_env, ls_project, tmp_path):
    first = write_tasks(tmp_path / "first.jsonl", make_tasks(50))
    (setup,) = push_at_once(first, ls_project, runs=1)
    assert setup.returncode == 0, setup.stderr
    tasks = write_tasks(tmp_path / "tasks.jsonl", make_tasks(400))
    runs = push_at_once(tasks, ls_project)
    for run in runs:
        assert run.returncode == 0, run.stderr
        assert run.stdout.splitlines()[0].endswith(": unchanged")
    projects, copies = project_state(ls_project)
    assert projects == 1
    assert len(copies) == 400
    assert set(copies.values()) == {1}
