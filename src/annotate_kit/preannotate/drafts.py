"""A claim candidate as the rules (claims.py) and a trained model (model_claims) draft it,
before check-worthiness (checkworthy.py) and the record's ids (core.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ClaimDraft:
    """A claim candidate in token offsets of its segment's Doc."""

    start: int
    end: int
    construction: str  # a key of rules.claims["attribution_kinds"]
    source: str  # a key of rules.claims["source_kinds"]
    source_entities: list[int] = field(default_factory=list)  # indices into the entity list
    frame_cue: int | None = None  # index into the cue list
    cues: list[int] = field(default_factory=list)  # cues linked to this claim
    factuality: str = ""
    check_worthiness: str = ""
    score: float | None = None  # a trained model's confidence (model_claims)
