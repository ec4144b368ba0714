"""Clean after a crash, share by default (issue #16): staging a killed run left is removed
by the next run (with a message); outputs follow the umask."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.io.staging import MARK, stage_dir, sweep

SRC = Path(__file__).resolve().parents[2] / "src"
DATA = Path(__file__).resolve().parents[1] / "data"


def staging_in(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(MARK)]


def test_sigkill_leaves_staging_that_the_next_run_removes(tmp_path):
    docs = tmp_path / "docs.jsonl"
    with docs.open("w", encoding="utf-8") as handle:
        for i in range(40000):
            handle.write(
                json.dumps({"text": f"Le maire de Nantes a parlé {i} fois.", "lang": "fr"})
            )
            handle.write("\n")
    out = tmp_path / "shards"
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    run = subprocess.Popen(
        [sys.executable, "-m", "annotate_kit", "convert", str(docs), "-o", f"{out}/"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not staging_in(tmp_path) and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    left = staging_in(tmp_path)
    run.send_signal(signal.SIGKILL)
    run.wait()
    assert left, "the run ended before its staging could be seen"
    assert staging_in(tmp_path) == left  # SIGKILL: nothing could clean up

    small = tmp_path / "small.jsonl"
    small.write_text('{"text": "Le maire a parlé."}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["convert", str(small), "-o", f"{out}/"])
    assert result.exit_code == 0, result.output
    assert staging_in(tmp_path) == []
    assert f"annotate-kit: removed {left[0]}, left by an interrupted run" in result.output


def test_sweep_keeps_live_runs_and_other_hosts_staging(tmp_path):
    out = tmp_path / "ds"
    mine = stage_dir(out)  # this process: alive
    other_host = tmp_path / f".ds.elsewhere.1.abcd{MARK}"
    other_host.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = mine.with_name(mine.name.replace(f".{os.getpid()}.", f".{dead.stdout.strip()}."))
    stale.mkdir()
    (stale / "part-00000.parquet").write_bytes(b"x" * 100)
    assert sweep(tmp_path) == [stale]
    assert sorted(staging_in(tmp_path)) == sorted([mine, other_host])


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_outputs_follow_the_umask(tmp_path, umask_022):
    runner = CliRunner()
    docs = DATA / "convert" / "corpus.jsonl"
    tasks = tmp_path / "tasks.jsonl"
    assert runner.invoke(main, ["convert", str(docs), "-o", str(tasks)]).exit_code == 0
    assert mode(tasks) == 0o644
    shards = tmp_path / "shards"
    assert runner.invoke(main, ["convert", str(docs), "-o", f"{shards}/"]).exit_code == 0
    assert mode(shards) == 0o755
    assert {mode(p) for p in shards.iterdir()} == {0o644}
    ds = tmp_path / "ds"
    seed = next((DATA.parents[1] / "seeds").glob("*.gold.jsonl"))
    result = runner.invoke(main, ["export", str(seed), "-o", str(ds)])
    assert result.exit_code == 0, result.output
    assert mode(ds) == 0o755
    assert {mode(p) for p in ds.rglob("*") if p.is_file()} == {0o644}
    assert {mode(p) for p in ds.rglob("*") if p.is_dir()} == {0o755}
    assert staging_in(tmp_path) == []
