"""What a conversion did; shared by convert and the task writers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ConvertSummary:
    """What a conversion did; inputs = tasks + duplicates."""

    files: int = 0
    documents: int = 0
    tasks: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, doc_id)
    normalized: int = 0
    preannotated: int = 0
    output: str = "-"
    engine: str = "local"
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # doc_id, source, why
    model_versions: dict[str, int] = field(default_factory=dict)
