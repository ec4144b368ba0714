"""A tiny English cue corpus, made here (no external data): hedged and plain sentences."""

from __future__ import annotations

from typing import Any

from annotate_kit.scheme.records import new_record

HEDGED = [
    ("The results may change next year.", "may", "EPISTEMIC"),
    ("Prices might rise in the spring.", "might", "EPISTEMIC"),
    ("The bridge was possibly built by the Romans.", "possibly", "EPISTEMIC"),
    ("Many scientists believe the lake is older.", "believe", "DOXASTIC"),
    ("The river may flood the valley.", "may", "EPISTEMIC"),
    ("Some historians believe the king was ill.", "believe", "DOXASTIC"),
    ("The tower was probably rebuilt later.", "probably", "EPISTEMIC"),
    ("If the rain stops, the match goes on.", "If", "CONDITION"),
]
PLAIN = [
    "The town lies on the river.",
    "The school opened in the autumn.",
    "The museum holds old coins.",
    "The road runs along the coast.",
    "The team won the final match.",
    "The castle has four towers.",
]


def tiny_records(count: int = 24) -> list[dict[str, Any]]:
    """``count`` two-sentence documents, each with one hedged and one plain sentence."""
    records = []
    for i in range(count):
        sentence, cue, label = HEDGED[i % len(HEDGED)]
        plain = PLAIN[i % len(PLAIN)]
        text = f"{sentence}\nDocument {i}. {plain}\n"
        start = text.index(cue)
        record = new_record(
            text=text,
            lang="en",
            blocks=[
                {"start": 0, "end": len(sentence), "kind": "paragraph"},
                {"start": len(sentence) + 1, "end": len(text) - 1, "kind": "paragraph"},
            ],
            annotation={"id": f"g{i}", "origin": "gold", "annotator": "test"},
        )
        record["cues"] = [
            {"id": "q1", "start": start, "end": start + len(cue), "text": cue, "label": label}
        ]
        records.append(record)
    return records


CLAIM = {
    "source_kind": "AUTHOR",
    "attribution_kind": "NONE",
    "factuality": "CT+",
    "check_worthiness": "UFS",
}


def tiny_claim_records(count: int = 24) -> list[dict[str, Any]]:
    """``tiny_records`` whose plain sentence (without its full stop) is a gold claim: the
    hedged sentence is not one here, where the rules would make it one."""
    records = tiny_records(count)
    for i, record in enumerate(records):
        plain = PLAIN[i % len(PLAIN)].rstrip(".")
        start = record["text"].index(plain)
        end = start + len(plain)
        record["claims"] = [{"id": "c1", "start": start, "end": end, "text": plain, **CLAIM}]
    return records


def with_claims(records: list[dict]) -> list[dict]:
    """Export takes valid records only: each cue scopes over a claim (the hedged sentence)."""
    for record in records:
        first = record["blocks"][0]
        record["claims"] = [
            {
                "id": "c1",
                "start": first["start"],
                "end": first["end"],
                "text": record["text"][first["start"] : first["end"]],
                "source_kind": "AUTHOR",
                "attribution_kind": "NONE",
                "factuality": "PR+",
                "check_worthiness": "UFS",
            }
        ]
        record["relations"] = [{"id": "r1", "type": "SCOPES_OVER", "head": "q1", "tail": "c1"}]
    return records
