"""Agreement on categories given to the same items: Cohen's kappa and nominal alpha.

Kappa is a few lines of arithmetic; alpha comes from the `krippendorff` package, fed a
value-count matrix (units x values) so that any number of annotators fits in little memory.
None means undefined: nothing to compare, or a single value used throughout (no expected
disagreement), where both coefficients divide by zero.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


def cohen_kappa(pairs: Counter[tuple[Any, Any]]) -> float | None:
    """Cohen's kappa from a table of (first rater's value, second rater's value) counts."""
    total = sum(pairs.values())
    if total == 0:
        return None
    first: Counter[Any] = Counter()
    second: Counter[Any] = Counter()
    for (x, y), count in pairs.items():
        first[x] += count
        second[y] += count
    observed = sum(count for (x, y), count in pairs.items() if x == y) / total
    expected = sum(first[v] * second[v] for v in first) / (total * total)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def nominal_alpha(units: Counter[tuple[Any, ...]]) -> float | None:
    """Krippendorff's nominal alpha (`krippendorff` package) from units' multisets of values."""
    pairable = {unit: n for unit, n in units.items() if len(unit) >= 2}
    values = sorted({str(v) for unit in pairable for v in unit})
    if len(values) < 2:
        return None  # nothing to compare, or a single value: no expected disagreement
    import krippendorff
    import numpy as np

    index = {v: i for i, v in enumerate(values)}
    rows = np.zeros((len(pairable), len(values)))
    for row, unit in enumerate(pairable):
        for value in unit:
            rows[row, index[str(value)]] += 1
    matrix = np.repeat(rows, list(pairable.values()), axis=0)
    return float(krippendorff.alpha(value_counts=matrix, level_of_measurement="nominal"))
