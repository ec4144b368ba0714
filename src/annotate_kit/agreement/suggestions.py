"""Suggestions measured against what annotators kept: the production measure of pre-annotation.

Each annotator's annotation of a task is compared with the task's prediction, layer by layer.
A predicted span and an annotated one are the same region when they share the region id
(Label Studio keeps a prediction's region id when the annotator accepts or edits it), else
when they overlap (the one-to-one matching of span F1, largest overlap first). A matched
prediction is **kept** when boundaries, label and attributes are unchanged, else **changed**
(counted as boundary, label and attribute changes, a region can have several); an unmatched
one was **deleted**; an annotated span that matches no prediction was **added**. Rows are per
layer and label: the prediction's label for kept, changed and deleted, the annotator's for
added. Lead times (seconds, as Label Studio measured) are compared for tasks with and
without predictions.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from annotate_kit.agreement.matching import overlap_matches
from annotate_kit.agreement.spans import attribute_fields
from annotate_kit.scheme.records import SPAN_LAYERS, Record
from annotate_kit.scheme.schema import Scheme, load_scheme


@dataclass(frozen=True)
class SuggestionRow:
    """One layer and label: what became of its predicted regions, and what was added."""

    layer: str
    label: str
    predicted: int
    kept: int
    changed: int
    deleted: int
    added: int
    boundary: int  # changed regions whose start or end moved
    relabelled: int  # changed regions whose label changed
    attribute: int  # changed regions with another attribute value

    def share(self, kind: str) -> float | None:
        """kept, changed or deleted as a share of the predicted regions."""
        return getattr(self, kind) / self.predicted if self.predicted else None

    def as_dict(self) -> dict[str, Any]:
        shares = {f"{kind}_share": self.share(kind) for kind in ("kept", "changed", "deleted")}
        return {**self.__dict__, **shares}


@dataclass(frozen=True)
class SuggestionReport:
    annotations: int  # annotations compared with a prediction
    rows: tuple[SuggestionRow, ...]
    lead_time_with: float | None  # median seconds, annotations of tasks with predictions
    lead_time_without: float | None
    timed_with: int  # annotations with a lead time, on tasks with predictions
    timed_without: int

    def total(self) -> SuggestionRow:
        """Every layer and label together."""
        sums = [sum(getattr(r, f) for r in self.rows) for f in _FIELDS]
        return SuggestionRow("all", "all", *sums)

    def as_dict(self) -> dict[str, Any]:
        return {
            "annotations": self.annotations,
            "rows": [row.as_dict() for row in self.rows],
            "total": self.total().as_dict(),
            "median_lead_time": {
                "with_predictions": self.lead_time_with,
                "without_predictions": self.lead_time_without,
                "annotations_with_predictions": self.timed_with,
                "annotations_without_predictions": self.timed_without,
            },
        }


_FIELDS = (
    "predicted",
    "kept",
    "changed",
    "deleted",
    "added",
    "boundary",
    "relabelled",
    "attribute",
)


class SuggestionTally:
    """Feed it (prediction, annotation) pairs and lead times; ask for the report at the end."""

    def __init__(self, scheme: Scheme | None = None) -> None:
        self.scheme = scheme or load_scheme()
        self.fields = attribute_fields(self.scheme)
        self.counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(_FIELDS))
        self.annotations = 0
        self.times: dict[bool, list[float]] = {True: [], False: []}

    def add(self, prediction: Record, annotation: Record) -> None:
        """One annotation of a task against the task's prediction."""
        self.annotations += 1
        for layer in SPAN_LAYERS:
            self._layer(layer, prediction.get(layer) or [], annotation.get(layer) or [])

    def add_lead_time(self, seconds: float | None, *, predicted: bool) -> None:
        if isinstance(seconds, int | float):
            self.times[predicted].append(float(seconds))

    def add_task(self, records: list[Record]) -> None:
        """All records of one task: the latest prediction against every annotator's work.

        Skipped annotations are neither compared nor timed.
        """
        predictions = [r for r in records if _origin(r) == "prediction"]
        prediction = predictions[-1] if predictions else None
        for record in records:
            annotation = record.get("annotation") or {}
            if _origin(record) != "manual" or annotation.get("cancelled"):
                continue
            self.add_lead_time(annotation.get("lead_time"), predicted=prediction is not None)
            if prediction is not None:
                self.add(prediction, record)

    def _layer(self, layer: str, predicted: list[dict], annotated: list[dict]) -> None:
        fixed = self.scheme.layers[layer].fixed_label or layer
        attributes = [f for f in self.fields[layer] if f != "label"]
        by_id = {s.get("id"): j for j, s in enumerate(annotated)}
        left = [i for i, s in enumerate(predicted) if s.get("id") not in by_id]
        pairs = [(i, by_id[s.get("id")]) for i, s in enumerate(predicted) if s.get("id") in by_id]
        taken = {j for _, j in pairs}
        others = [j for j in range(len(annotated)) if j not in taken]
        found = overlap_matches(
            [(predicted[i]["start"], predicted[i]["end"]) for i in left],
            [(annotated[j]["start"], annotated[j]["end"]) for j in others],
        )
        pairs += [(left[a], others[b]) for a, b in found]
        matched_p = {i for i, _ in pairs}
        matched_a = {j for _, j in pairs}
        for i, span in enumerate(predicted):
            row = self.counts[(layer, span.get("label") or fixed)]
            row[0] += 1
            if i not in matched_p:
                row[3] += 1
        for i, j in pairs:
            p, a = predicted[i], annotated[j]
            row = self.counts[(layer, p.get("label") or fixed)]
            moved = (p["start"], p["end"]) != (a["start"], a["end"])
            relabelled = p.get("label") != a.get("label")
            other = any(p.get(f) != a.get(f) for f in attributes)
            if moved or relabelled or other:
                row[2] += 1
                row[5] += moved
                row[6] += relabelled
                row[7] += other
            else:
                row[1] += 1
        for j, span in enumerate(annotated):
            if j not in matched_a:
                self.counts[(layer, span.get("label") or fixed)][4] += 1

    def result(self) -> SuggestionReport:
        order = {layer: n for n, layer in enumerate(SPAN_LAYERS)}
        rows = tuple(
            SuggestionRow(layer, label, *counts)
            for (layer, label), counts in sorted(
                self.counts.items(), key=lambda item: (order[item[0][0]], item[0][1])
            )
        )
        return SuggestionReport(
            annotations=self.annotations,
            rows=rows,
            lead_time_with=_median(self.times[True]),
            lead_time_without=_median(self.times[False]),
            timed_with=len(self.times[True]),
            timed_without=len(self.times[False]),
        )


def _origin(record: Record) -> str:
    return (record.get("annotation") or {}).get("origin", "manual")


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
