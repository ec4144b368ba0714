"""annotate-kit: documents to Label Studio tasks, annotations back to a validated dataset.

The public functions are imported on first use (PEP 562), so a process that only validates
(a ``validate --workers`` worker, a CI check) does not pay for pyarrow, spaCy and friends.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "AnnotateKitError": "annotate_kit.errors",
    "check_record": "annotate_kit.validate",
    "convert": "annotate_kit.convert",
    "export_dataset": "annotate_kit.export",
    "iter_documents": "annotate_kit.convert",
    "labelstudio_config": "annotate_kit.lsconfig",
    "load_scheme": "annotate_kit.schema",
    "validate_paths": "annotate_kit.validate",
}
__all__ = [
    "AnnotateKitError",
    "check_record",
    "convert",
    "export_dataset",
    "iter_documents",
    "labelstudio_config",
    "load_scheme",
    "validate_paths",
]

if TYPE_CHECKING:
    from annotate_kit.convert import convert, iter_documents
    from annotate_kit.errors import AnnotateKitError
    from annotate_kit.export import export_dataset
    from annotate_kit.lsconfig import labelstudio_config
    from annotate_kit.schema import load_scheme
    from annotate_kit.validate import check_record, validate_paths


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'annotate_kit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]


class _Package(types.ModuleType):
    """Importing a submodule sets it as an attribute of the package; where a public function
    has its module's name (``convert``), the function keeps the name, as it did when this
    file imported everything up front."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _PUBLIC.get(name) == value.__name__:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
