"""The scheme: the annotation model read from schema/, records, and Label Studio task shapes.

Takes: the JSON Schema and vocabularies in schema/ (shipped as annotate_kit/_schema).
Gives: ``Scheme`` (labels, layers, attributes), records (one per document and annotation) and
their Label Studio task/result form. Imports: errors only. Every other stage imports it.
"""

from annotate_kit.scheme.records import Record, doc_id_for, new_record, text_sha256
from annotate_kit.scheme.schema import Scheme, default_schema_dir, load_scheme
from annotate_kit.scheme.tasks import record_to_task, task_to_record

__all__ = [
    "Record",
    "Scheme",
    "default_schema_dir",
    "doc_id_for",
    "load_scheme",
    "new_record",
    "record_to_task",
    "task_to_record",
    "text_sha256",
]
