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


class PreannotationError(AnnotateKitError):
    """Raised when a lexicon or rules file is malformed or names a label schema/ lacks."""

    code = "E500"


class LabelStudioError(AnnotateKitError):
    """Raised when Label Studio refuses, is unreachable, or answers something unexpected."""

    code = "E400"
    exit_code = 3


class CredentialsError(AnnotateKitError):
    """Raised when no Label Studio URL or token is configured, or the config file is unsafe."""

    code = "E430"


class LabelStudioAuthError(LabelStudioError):
    """Raised when Label Studio refuses the token (401) or the token's user may not act (403)."""

    code = "E401"


class LabelStudioNotFoundError(LabelStudioError):
    """Raised when a project, task or API route does not exist on the server (404)."""

    code = "E404"


class LabelStudioUnreachableError(LabelStudioError):
    """Raised when the server cannot be reached or keeps timing out after the retries."""

    code = "E410"


class ConfigConflictError(LabelStudioError):
    """Raised when a labeling-config change would orphan labels already used in annotations."""

    code = "E420"


class EngineError(AnnotateKitError):
    """Raised when a distributed engine is not installed, cannot start, or its workers fail."""

    code = "E600"


class TrainingError(AnnotateKitError):
    """Raised when a model cannot be trained: no usable data, a bad config, an unwritable folder."""

    code = "E700"
