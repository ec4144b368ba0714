"""The README a newcomer reads: its Quick start runs, its tables say what the code does, and
it names no file the repository lacks."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from annotate_kit import errors

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SRC = ROOT / "src" / "annotate_kit"


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, re.DOTALL)


def _tables(header: str) -> list[list[list[str]]]:
    """Every README table whose header line starts with ``header``, as rows of cells."""
    found = []
    for block in re.findall(r"(?:^\|.*\|\n)+", README, re.MULTILINE):
        lines = block.strip().splitlines()
        if lines[0].startswith(header):
            found.append([[c.strip() for c in line.strip("|").split("|")] for line in lines[2:]])
    return found


def test_quick_start_has_the_two_commands_then_annotating_yourself():
    blocks = _shell_blocks(_section("Quick start"))
    assert blocks[:2] == ["bash scripts/demo.sh\n", "bash scripts/test.sh\n"]
    assert blocks[2] == "source .venv/bin/activate\nannotate-kit studio\n"
    assert "![The labeling page](docs/img/labeling-page.png)" in README


def _quick_start_commands() -> list[str]:
    return [
        line
        for block in _shell_blocks(_section("Quick start"))
        for line in block.splitlines()
        if line.strip()
    ]


def _clone(tmp_path: Path) -> Path:
    """A copy of the checkout whose .venv runs the shared environment's tools: setup.sh then
    finds everything installed (its pip is a no-op here), and the shared .venv is never
    reinstalled from the copy. .ls-venv stays the shared server (a link)."""
    copy = tmp_path / "clone"
    shutil.copytree(
        ROOT,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", ".pytest_cache", "exports", ".studio", "__pycache__", ".bench"
        ),
    )
    (copy / "exports").mkdir()
    shared = ROOT / ".venv" / "bin"
    tools = {
        "python": f'exec {shared / "python"} "$@"',
        "pip": "exit 0",
        "annotate-kit": f'exec {shared / "python"} -m annotate_kit "$@"',
        "pytest": f'exec {shared / "python"} -m pytest "$@"',
        "ruff": f'exec {shared / "ruff"} "$@"',
    }
    (copy / ".venv" / "bin").mkdir(parents=True)
    for name, line in tools.items():
        tool = copy / ".venv" / "bin" / name
        tool.write_text(f"#!/bin/sh\n{line}\n")
        tool.chmod(0o755)
    return copy


@pytest.mark.parametrize("command", _quick_start_commands())
def test_every_quick_start_command_runs(command: str, tmp_path: Path):
    """Each command of the Quick start, its exit code checked: demo.sh offline (the loop
    through Label Studio is tests/test_demo.py's), test.sh on one quick test, studio up to
    its help (it runs until Ctrl-C; tests/labelstudio/test_studio.py drives it)."""
    if command == "source .venv/bin/activate":
        done = subprocess.run(
            ["bash", "-c", f"{command} && command -v annotate-kit"], cwd=ROOT, check=False
        )
        assert done.returncode == 0
        return
    copy = _clone(tmp_path)
    argv = {
        "bash scripts/demo.sh": ["bash", "scripts/demo.sh", "--offline", "--no-preannotate"],
        "bash scripts/test.sh": [
            "bash",
            "scripts/test.sh",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_docs.py::test_version",
        ],
        "annotate-kit studio": [str(copy / ".venv" / "bin" / "annotate-kit"), "studio", "--help"],
    }[command]
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "HF_HOME": str(tmp_path / "hf")}
    done = subprocess.run(
        argv, cwd=copy, env=env, capture_output=True, text=True, timeout=1200, check=False
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    if command == "bash scripts/demo.sh":
        assert "load_dataset: exports/seed: train 1 row" in done.stdout
        assert "bin/activate" in done.stdout


def _exit_codes() -> dict[str, int]:
    """Error code -> exit status, from the classes and from every ``code="E…"`` at a raise."""
    found = {
        cls.code: cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.AnnotateKitError)
    }
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                cls = getattr(errors, node.func.id, None)
                for keyword in node.keywords:
                    if keyword.arg == "code" and isinstance(keyword.value, ast.Constant) and cls:
                        found[keyword.value.value] = cls.exit_code
    return found


def test_every_error_code_table_says_the_exit_status_the_code_gives():
    codes = _exit_codes()
    tables = _tables("| code | exit | meaning |")
    assert len(tables) == 2
    seen = set()
    for table in tables:
        for cells in table:
            for code in re.findall(r"E\d{3}", cells[0]):
                assert code in codes, f"{code} is in the README but raised nowhere"
                assert codes[code] == int(cells[1]), f"{code} exits {codes[code]}, not {cells[1]}"
                seen.add(code)
    assert seen >= {"E430", "E401", "E412", "E300", "E200"}
    missing = set(codes) - {"E000"} - seen
    assert not missing, f"raised but not in the README's tables: {sorted(missing)}"
    assert codes["E430"] == 2  # the README once said 3


def test_problem_codes_in_the_readme_are_the_validators():
    validators = "\n".join(p.read_text() for p in (SRC / "validate").glob("*.py"))
    rows = _tables("| code | meaning |")
    assert rows
    for cells in rows[0]:
        for code in re.findall(r"E\d{3}", cells[0]):
            assert f'"{code}"' in validators, code


def test_the_exit_status_table_matches_the_error_classes():
    (table,) = _tables("| exit status | meaning |")
    statuses = {int(cells[0]) for cells in table}
    assert {
        cls.exit_code
        for cls in vars(errors).values()
        if isinstance(cls, type) and issubclass(cls, errors.AnnotateKitError)
    } <= statuses
    assert statuses >= {0, 1, 2, 3}


def test_the_readme_names_only_files_that_exist():
    for target in re.findall(r"\]\(([^)#:]+)\)", README):
        assert (ROOT / target).exists() or target.startswith("docs/img/"), target
    assert "FACTS.md" not in README
    assert "LABEL-STUDIO.md" not in README
    assert "(ARCHITECTURE.md)" in README


def test_benchmarks_live_in_bench_with_their_commands():
    bench = (ROOT / "bench" / "README.md").read_text(encoding="utf-8")
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        assert f"bench/{script.name}" in bench, script.name
    assert "FACTS.md" not in bench
    assert "## Benchmarks" not in README
