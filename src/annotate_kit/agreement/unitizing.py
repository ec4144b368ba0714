"""Krippendorff's unitizing alpha (alpha_U) for span boundaries, computed as INCEpTION does.

INCEpTION builds one DKPro Statistics unitizing study per document: the continuum is the
document's text (code points), the raters are the annotators who annotated it, the units are
their spans with the label as category, and a span that overlaps an earlier span of the same
rater and label is left out (the study needs non-overlapping units per rater and category).
The formulas are Krippendorff (1995), "On the reliability of unitizing contiguous data", as
DKPro's KrippendorffAlphaUnitizingAgreement implements them; the tests check them on the
paper's worked example. Everything is integer arithmetic until the last division, and linear
in the number of units (plus a sort), so a corpus costs the sum of its documents.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Interval = tuple[int, int]  # start, end (exclusive), in code points


@dataclass(frozen=True)
class UnitizingResult:
    """alpha_U of one study: over all categories, and per category.

    None means undefined: no unit at all, or no expected disagreement to compare with.
    """

    alpha: float | None
    categories: dict[str, float | None]
    dropped: int  # spans left out because they overlap an earlier span of the same rater and label


def rater_units(spans: Iterable[tuple[int, int, str]]) -> tuple[dict[str, list[Interval]], int]:
    """One rater's sorted, non-overlapping units per category, and how many spans were dropped.

    INCEpTION's rule: spans in begin order (longer first on ties); a span is skipped when it
    overlaps any earlier span of the same category, kept or skipped.
    """
    units: dict[str, list[Interval]] = {}
    reach: dict[str, int] = {}  # furthest end of the earlier spans, per category
    dropped = 0
    for start, end, category in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        if reach.get(category, -1) > start:
            dropped += 1
        else:
            units.setdefault(category, []).append((start, end))
        reach[category] = max(reach.get(category, -1), end)
    return units, dropped


def study_of(raters: Sequence[dict[str, list[Interval]]]) -> dict[str, list[list[Interval]]]:
    """Combine raters' units (rater_units) into a study: category -> units per rater."""
    categories = sorted({c for units in raters for c in units})
    return {c: [units.get(c, []) for units in raters] for c in categories}


def prepare_units(
    spans_by_rater: Sequence[Iterable[tuple[int, int, str]]],
) -> tuple[dict[str, list[list[Interval]]], int]:
    """The study of raters' (start, end, category) spans, and how many spans were dropped."""
    prepared = [rater_units(spans) for spans in spans_by_rater]
    return study_of([units for units, _ in prepared]), sum(n for _, n in prepared)


def pair_distance(units1: Sequence[Interval], units2: Sequence[Interval]) -> int:
    """Sum of squared boundary distances between two raters' units of one category.

    Overlapping units cost (b1-b2)² + (e1-e2)²; a unit inside the other rater's gap costs l².
    Both lists must be sorted and non-overlapping (see prepare_units).
    """
    total = 0
    hit1 = [False] * len(units1)
    hit2 = [False] * len(units2)
    i = j = 0
    while i < len(units1) and j < len(units2):
        s1, e1 = units1[i]
        s2, e2 = units2[j]
        if s1 < e2 and s2 < e1:
            total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            hit1[i] = hit2[j] = True
        if e1 <= e2:
            i += 1
        else:
            j += 1
    total += sum((e - s) ** 2 for (s, e), hit in zip(units1, hit1, strict=True) if not hit)
    total += sum((e - s) ** 2 for (s, e), hit in zip(units2, hit2, strict=True) if not hit)
    return total


def observed_disagreement(units: Sequence[Sequence[Interval]], length: int) -> float:
    """D_O of one category: mean squared boundary distance over all pairs of raters."""
    raters = len(units)
    total = sum(
        pair_distance(units[r1], units[r2]) for r1 in range(raters) for r2 in range(r1 + 1, raters)
    )
    return 2 * total / (raters * (raters - 1) * length * length)


def expected_disagreement(units: Sequence[Sequence[Interval]], length: int) -> float:
    """D_E of one category: the disagreement expected over all unitizations of the continuum."""
    raters = len(units)
    lengths = [end - start for rater in units for start, end in rater]
    gaps: list[int] = []
    for rater in units:
        position = 0
        for start, end in rater:
            if start > position:
                gaps.append(start - position)
            position = end
        if length > position:
            gaps.append(length - position)
    gaps.sort()
    suffix = [0] * (len(gaps) + 1)  # suffix[k] = sum(gaps[k:])
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    count = len(lengths)
    total = 0
    for unit in lengths:
        first = bisect_left(gaps, unit)  # the gaps a unit of this length fits in
        fitting = suffix[first] - (len(gaps) - first) * (unit - 1)
        total += (count - 1) * unit * (unit - 1) * (2 * unit - 1) // 3 + unit * unit * fitting
    denominator = raters * length * (raters * length - 1) - sum(u * (u - 1) for u in lengths)
    return 2 * total / (length * denominator)


def alpha_unitizing(units: dict[str, list[list[Interval]]], length: int) -> UnitizingResult:
    """alpha_U over a prepared study (categories -> per-rater units) of a continuum of `length`."""
    categories: dict[str, float | None] = {}
    observed_sum = expected_sum = 0.0
    for category in sorted(units):
        observed = observed_disagreement(units[category], length)
        expected = expected_disagreement(units[category], length)
        categories[category] = _alpha(observed, expected)
        observed_sum += observed
        expected_sum += expected
    overall = _alpha(observed_sum, expected_sum) if categories else None
    return UnitizingResult(overall, categories, 0)


def _alpha(observed: float, expected: float) -> float | None:
    if observed == expected:  # DKPro's convention: no better than chance, including 0/0
        return 0.0
    if expected == 0:
        return None
    return 1.0 - observed / expected
