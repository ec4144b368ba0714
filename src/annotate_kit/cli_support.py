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


class WorkersType(click.ParamType):
    """A number of processes (1 or more), or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "auto" or isinstance(value, int):
            return value
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            self.fail(
                f"{value!r} is neither a number of processes (1 or more) nor 'auto'", param, ctx
            )
        return number


WORKERS = WorkersType()
