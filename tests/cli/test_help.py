"""Help that copies: every command's examples come out whole, never wrapped, at any width."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from annotate_kit.cli.main import main


def _examples(name: str) -> list[str]:
    doc = main.commands[name].callback.__doc__ or ""
    return [line.strip() for line in doc.splitlines() if line.strip().startswith("Example:")]


@pytest.mark.parametrize("width", [60, 100])
@pytest.mark.parametrize("name", sorted(main.commands))
def test_examples_are_never_wrapped(name: str, width: int):
    examples = _examples(name)
    assert examples, f"{name} --help has no example"
    result = CliRunner().invoke(main, [name, "--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    shown = [line.strip() for line in result.output.splitlines()]
    for example in examples:
        assert example in shown, f"{name} --help wraps {example!r}"
        assert example.removeprefix("Example: ").startswith(f"annotate-kit {name}")
