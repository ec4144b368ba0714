"""annotate-kit: documents to Label Studio tasks, annotations back to a validated dataset."""

from annotate_kit.convert import convert, iter_documents
from annotate_kit.errors import AnnotateKitError
from annotate_kit.export import export_dataset
from annotate_kit.lsconfig import labelstudio_config
from annotate_kit.schema import load_scheme
from annotate_kit.validate import check_record, validate_paths

__version__ = "0.1.0"
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
