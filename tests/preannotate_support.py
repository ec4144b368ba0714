"""Shared, once-per-process pre-annotation objects for the pre-annotation tests.

spaCy takes seconds to load: every test module that needs a pipeline asks this cache, so
the session loads French once (and a blank English pipeline once).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.scheme.records import new_record

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT / "seeds" / "kremlin-emissaires-americains.fr.txt"
SEED_GOLD = ROOT / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"


@cache
def french() -> Preannotator:
    return Preannotator(lang="fr")


@cache
def english() -> Preannotator:
    return Preannotator(lang="en")


def annotate(text: str, *, lang: str = "fr", **kwargs: Any) -> dict[str, Any]:
    pre = french() if lang == "fr" else english()
    [record] = preannotate_batch([new_record(text=text, lang=lang, **kwargs)], preannotator=pre)
    return record


def seed_gold() -> dict[str, Any]:
    return json.loads(SEED_GOLD.read_text(encoding="utf-8").splitlines()[0])


def by_id(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for layer in ("entities", "claims", "cues") for s in record[layer]}


def relations_of(record: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    """(head text, tail text) of every relation of one type."""
    spans = by_id(record)
    return [
        (spans[r["head"]]["text"], spans[r["tail"]]["text"])
        for r in record["relations"]
        if r["type"] == kind
    ]
