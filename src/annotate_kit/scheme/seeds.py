"""Where the seed article lives: ``seeds/`` of a source checkout, else the copy installed
with the package (``annotate_kit/_seeds`` is a link to ``seeds/``, as ``_schema`` is to
``schema/``), so the demo and the studio work from any folder."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

GOLD_GLOB = "*.gold.jsonl"


def default_seeds_dir() -> Path:
    """The seed documents, their hand-made gold records and the annotation guidelines."""
    checkout = Path(__file__).resolve().parents[3] / "seeds"
    if any(checkout.glob(GOLD_GLOB)):
        return checkout
    return Path(str(resources.files("annotate_kit") / "_seeds"))
