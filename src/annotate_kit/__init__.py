"""annotate-kit: documents to Label Studio tasks, annotations back to a validated dataset.

The public functions are imported on first use (PEP 562), so a process that only validates
(a ``validate --workers`` worker, a CI check) does not pay for pyarrow, spaCy and friends.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from annotate_kit._version import __version__ as __version__

_PUBLIC = {
    "AnnotateKitError": "annotate_kit.errors",
    "check_record": "annotate_kit.validate.checks",
    "convert": "annotate_kit.documents.convert",
    "export_dataset": "annotate_kit.export.dataset",
    "iter_documents": "annotate_kit.documents.convert",
    "labelstudio_config": "annotate_kit.labelstudio.config",
    "load_scheme": "annotate_kit.scheme.schema",
    "validate_paths": "annotate_kit.validate.paths",
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
    from annotate_kit.documents.convert import convert, iter_documents
    from annotate_kit.errors import AnnotateKitError
    from annotate_kit.export.dataset import export_dataset
    from annotate_kit.labelstudio.config import labelstudio_config
    from annotate_kit.scheme.schema import load_scheme
    from annotate_kit.validate.checks import check_record
    from annotate_kit.validate.paths import validate_paths


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'annotate_kit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]
