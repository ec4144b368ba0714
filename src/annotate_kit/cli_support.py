"""What every command module shares: clean failures and the progress-bar option."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from annotate_kit.errors import AnnotateKitError


def fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """The toolkit's own errors become one "Error: [CODE] message" line and their exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AnnotateKitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


def show_progress(flag: bool | None) -> bool:
    """--progress/--no-progress when given, else a bar only when stderr is a terminal."""
    return sys.stderr.isatty() if flag is None else flag
