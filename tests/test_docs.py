"""Docs that cannot drift: every command has help with an example and is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(main.commands))
def test_command_has_help_with_example_and_is_in_readme(name: str):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"annotate-kit {name}" in README


def test_readme_commands_exist():
    for script in ("scripts/demo.sh", "scripts/test.sh"):
        assert f"bash {script}" in README
        assert (ROOT / script).is_file()
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()


def test_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    section = README.split("## Using it from Python", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    for name in ("seeds",):
        (tmp_path / name).symlink_to(ROOT / name)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README
    assert (tmp_path / "tasks.json").is_file()
    assert (tmp_path / "exports" / "seed" / "README.md").is_file()


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.output.startswith("annotate-kit, version ")


def test_public_api_resolves_and_a_validating_process_skips_pyarrow():
    import subprocess
    import sys

    import annotate_kit

    assert all(callable(getattr(annotate_kit, name)) for name in annotate_kit.__all__)
    assert set(annotate_kit.__all__) == set(annotate_kit._PUBLIC)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        annotate_kit.nope  # noqa: B018
    code = "import sys, annotate_kit.validate.workers; print('pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # a worker starts in 0.1 s, not 0.3 s


def test_convert_is_the_function_even_after_its_module_was_imported():
    import subprocess
    import sys

    code = "import annotate_kit.documents.convert; from annotate_kit import convert; print(callable(convert))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_readme_screenshots_exist_and_stay_small():
    """docs/img/ is made from tests/labelstudio/test_browser.py's screenshots; the README shows them."""
    shown = [part.split(")", 1)[0] for part in README.split("](docs/img/")[1:]]
    assert sorted(shown) == ["labeling-page.png", "selected-claim.png"]
    for name in shown:
        image = ROOT / "docs" / "img" / name
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert image.stat().st_size < 200_000
