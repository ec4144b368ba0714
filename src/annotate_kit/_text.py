"""Counts in messages: "1 document", "2 documents"."""

from __future__ import annotations

IRREGULAR = {"was": "were", "has": "have", "is": "are", "analysis": "analyses"}


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, in the plural unless the number is 1 ("1 record", "0 records")."""
    if number == 1:
        return f"{number} {noun}"
    return f"{number} {plural or IRREGULAR.get(noun) or noun + 's'}"
