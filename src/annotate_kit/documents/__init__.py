"""Documents to tasks: reading .txt, .md, .html, .jsonl and Parquet, normalising, writing tasks.

Takes: document files. Gives: Label Studio tasks (JSONL, JSON or shard folders), optionally
pre-annotated through an engine. Imports: errors, scheme, io, engines.
"""

from annotate_kit.documents.convert import convert, iter_documents
from annotate_kit.documents.summary import ConvertSummary

__all__ = ["ConvertSummary", "convert", "iter_documents"]
