"""One base class for every error the toolkit raises on purpose.

The CLI turns an ``AnnotateKitError`` into ``Error: [CODE] message`` and its ``exit_code``;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AnnotateKitError(Exception):
    """Base class: raised when a user-facing operation cannot go on."""

    code = "E000"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class SchemaError(AnnotateKitError):
    """Raised when schema/ itself is missing or inconsistent."""

    code = "E100"


class InputError(AnnotateKitError):
    """Raised when an input file is missing, undecodable, empty or malformed."""

    code = "E200"


class SchemaVersionError(InputError):
    """Raised when a record's schema_version has another major version than schema/."""

    code = "E201"


class ForeignExportError(InputError):
    """Raised when a Label Studio export was made with another labeling config or format."""

    code = "E202"


class ExportError(AnnotateKitError):
    """Raised when a dataset cannot be written (invalid input without --skip-invalid, bad path)."""

    code = "E300"
    exit_code = 1


class LabelStudioError(AnnotateKitError):
    """Raised when Label Studio refuses, is unreachable, or answers something unexpected."""

    code = "E400"
    exit_code = 3
