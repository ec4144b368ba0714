"""CI's set-up scripts: Chromium comes from Debian's packages, only in CI or when asked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "scripts" / "chromium.sh"


def _run(tmp_path: Path, **env: str) -> tuple[int, list[str]]:
    """Run chromium.sh with a fake apt-get that records its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "apt-get.calls"
    fake = bin_dir / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$*" >> {calls}\n', encoding="utf-8")
    fake.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k not in {"CI", "ANNOTATE_KIT_INSTALL_CHROMIUM"}}
    base["PATH"] = f"{bin_dir}:{base['PATH']}"
    done = subprocess.run(
        ["bash", str(SCRIPT)], env={**base, **env}, capture_output=True, text=True, check=False
    )
    lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return done.returncode, lines


@pytest.mark.parametrize(
    "env", [{"CI": "true"}, {"ANNOTATE_KIT_INSTALL_CHROMIUM": "1"}], ids=["ci", "asked"]
)
def test_missing_chromium_is_installed_from_debian_in_ci_or_when_asked(tmp_path, env):
    code, calls = _run(tmp_path, CHROMIUM=str(tmp_path / "no-chromium"), **env)
    assert (code, calls) == (0, ["update -q", "install -y -q chromium"])


def test_nothing_installed_locally_or_when_chromium_is_there(tmp_path):
    assert _run(tmp_path, CHROMIUM=str(tmp_path / "no-chromium")) == (0, [])
    present = tmp_path / "chromium"
    present.write_text("#!/bin/sh\n", encoding="utf-8")
    present.chmod(0o755)
    assert _run(tmp_path, CHROMIUM=str(present), CI="true") == (0, [])


def test_test_sh_installs_chromium_and_the_test_extra_never_downloads_a_browser():
    test_sh = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "bash scripts/chromium.sh" in test_sh
    assert "--dev" in test_sh
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"playwright' in pyproject.split("test = [", 1)[1].split("]", 1)[0]
    for script in (ROOT / "scripts").glob("*.sh"):
        assert "playwright install" not in script.read_text(encoding="utf-8")


def test_browser_test_skips_locally_and_fails_in_ci_without_chromium(tmp_path, monkeypatch):
    import browser_support

    monkeypatch.setattr(browser_support, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no-chromium is missing"):
        browser_support.require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true but the browser test cannot run"):
        browser_support.require_browser()


def _setup(tmp_path: Path, *, uv: bool) -> list[str]:
    """Run setup.sh --dev in a copy whose .venv tools record their arguments."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "setup.sh").write_text(
        (ROOT / "scripts" / "setup.sh").read_text(encoding="utf-8"), encoding="utf-8"
    )
    calls = tmp_path / "calls"
    tools = {"python": "exit 0", "pip": 'case "$*" in *uv==*) exit 1;; esac'}
    if uv:
        tools["uv"] = ""
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    for name, body in tools.items():
        tool = tmp_path / ".venv" / "bin" / name
        tool.write_text(f'#!/bin/sh\necho "{name} $*" >> {calls}\n{body}\n', encoding="utf-8")
        tool.chmod(0o755)
    done = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "setup.sh"), "--dev"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return calls.read_text(encoding="utf-8").splitlines()


def test_setup_installs_with_uv_when_it_is_there(tmp_path):
    calls = _setup(tmp_path, uv=True)
    assert calls == [
        "uv pip install -q --python .venv/bin/python -e .[test,ray]",
        (
            "uv pip install -q --python .venv/bin/python --no-deps --require-hashes "
            "-r bench/requirements-en-pipeline.txt"
        ),
    ]


def test_setup_falls_back_to_pip_when_uv_cannot_be_had(tmp_path):
    calls = _setup(tmp_path, uv=False)
    assert calls[0].startswith("pip install -q uv==")
    assert calls[1:] == [
        "pip install -q -e .[test,ray]",
        "pip install -q --no-deps --require-hashes -r bench/requirements-en-pipeline.txt",
    ]
