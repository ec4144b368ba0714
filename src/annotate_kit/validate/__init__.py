"""Validation: JSON Schema plus the checks a schema cannot express, as data.

Takes: items from io (records, Label Studio exports, shards). Gives: a ``Report`` of every
``Problem`` (task, annotation, JSON path), invalid records set aside, and text, JSON and
GitHub formats. Imports: errors, scheme, io.
"""

from annotate_kit.validate.checks import check_record
from annotate_kit.validate.items import validate_items
from annotate_kit.validate.paths import validate_paths
from annotate_kit.validate.problems import Problem, Report, format_problems, summary_line

__all__ = [
    "Problem",
    "Report",
    "check_record",
    "format_problems",
    "summary_line",
    "validate_items",
    "validate_paths",
]
