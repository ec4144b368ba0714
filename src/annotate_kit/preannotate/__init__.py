"""Pre-annotation: entities, commitment cues and claim candidates for annotators to correct.

Takes: records (scheme). Gives: the same records with suggested spans, as a pure function over
a batch (``preannotate_batch``) or a stream in worker processes (``preannotate_stream``).
``Preannotator`` holds what is expensive to build (spaCy pipelines, compiled lexicons), once per
process. Imports: errors, scheme.
"""

from annotate_kit.errors import PreannotationError
from annotate_kit.preannotate.core import (
    BATCH_SIZE,
    Preannotator,
    preannotate_batch,
    toolkit_version,
)
from annotate_kit.preannotate.stream import preannotate_stream

__all__ = [
    "BATCH_SIZE",
    "PreannotationError",
    "Preannotator",
    "preannotate_batch",
    "preannotate_stream",
    "toolkit_version",
]
