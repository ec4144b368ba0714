"""Shared command-line support: how many workers `--workers auto` picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotate_kit.cli import _support as cli_support

DATA = Path(__file__).parents[1] / "data"


def test_auto_workers_use_every_cpu_only_for_large_inputs(tmp_path: Path, monkeypatch):
    small = DATA / "valid" / "minimal-record.jsonl"
    assert cli_support.auto_workers([small, DATA / "valid"]) == 1
    monkeypatch.setattr(cli_support, "AUTO_BYTES", 4000)  # one worker per 2,000 bytes
    size = sum(p.stat().st_size for p in (DATA / "invalid").iterdir())
    monkeypatch.setattr(cli_support, "usable_cpus", lambda: 64)
    assert cli_support.auto_workers([DATA / "invalid"]) == size // 2000 < 64
    monkeypatch.setattr(cli_support, "usable_cpus", lambda: 3)
    assert cli_support.auto_workers([DATA / "invalid"]) == 3
    monkeypatch.setattr(cli_support, "usable_cpus", lambda: 1)
    assert cli_support.auto_workers([DATA / "invalid"]) == 1


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"cpu.max": "max 100000\n"}, 4),
        ({"cpu.max": "150000 100000\n"}, 2),
        ({"cpu.max": "50000 100000"}, 1),
        ({"cpu/cpu.cfs_quota_us": "200000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 2),
        ({"cpu,cpuacct/cpu.cfs_quota_us": "-1", "cpu,cpuacct/cpu.cfs_period_us": "100000"}, 4),
        ({"cpu.max": "garbage"}, 4),
        ({}, 4),
    ],
)
def test_usable_cpus_follow_a_cgroup_quota(tmp_path: Path, monkeypatch, files, expected: int):
    """cgroup v2 (cpu.max) and v1 (cfs quota over period), as containers set them."""
    monkeypatch.setattr(cli_support.os, "sched_getaffinity", lambda _: {0, 1, 2, 3})
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert cli_support.usable_cpus(tmp_path) == expected
