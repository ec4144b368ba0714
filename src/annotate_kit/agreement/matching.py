"""Matching spans of two annotators, and grouping matches across several.

overlap_matches is the order-independent one-to-one matching span F1 and attribute
agreement rely on: sort and sweep, so a document costs O(n log n) plus the overlapping pairs,
where comparing every span with every other costs O(n²).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any


def overlap_matches(
    first: Sequence[tuple[int, int]], second: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """One-to-one matches (i, j) of overlapping intervals, largest overlap first.

    Ties are broken by boundary distance, then by the positions themselves, never by list
    order. Identical intervals are paired first: nothing can beat a full overlap at distance
    0, so this changes no match and leaves the sweep only the intervals that differ.
    """
    waiting: dict[tuple[int, int], list[int]] = defaultdict(list)
    for j, interval in enumerate(second):
        waiting[interval].append(j)
    matches = []
    rest = []
    for i, interval in enumerate(first):
        same = waiting.get(interval)
        if same:
            matches.append((i, same.pop()))
        else:
            rest.append(i)
    others = [j for js in waiting.values() for j in js]
    if rest and others:
        matches += _best_overlaps(first, second, rest, others)
    return matches


def _best_overlaps(
    first: Sequence[tuple[int, int]],
    second: Sequence[tuple[int, int]],
    rest: list[int],
    others: list[int],
) -> list[tuple[int, int]]:
    """Greedy largest-overlap matching; candidates from a sweep over starts."""
    events = sorted([(*first[i], 0, i) for i in rest] + [(*second[j], 1, j) for j in others])
    active: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    candidates = []
    for start, end, side, index in events:
        other = active[1 - side]
        other[:] = [item for item in other if item[0] > start]
        for _, k in other:
            i, j = (index, k) if side == 0 else (k, index)
            (s1, e1), (s2, e2) = first[i], second[j]
            overlap = min(e1, e2) - max(s1, s2)
            distance = abs(s1 - s2) + abs(e1 - e2)
            candidates.append((-overlap, distance, sorted([(s1, e1), (s2, e2)]), i, j))
        active[side].append((end, index))
    candidates.sort(key=lambda c: c[:3])
    used1: set[int] = set()
    used2: set[int] = set()
    matches = []
    for *_, i, j in candidates:
        if i not in used1 and j not in used2:
            used1.add(i)
            used2.add(j)
            matches.append((i, j))
    return matches


def by_label(spans: Sequence[Any]) -> dict[str, list[Any]]:
    """Spans (start, end, label, ...) grouped by label."""
    grouped: dict[str, list[Any]] = defaultdict(list)
    for span in spans:
        grouped[span[2]].append(span)
    return grouped


def components(edges: list[tuple[int, int, int, int]]) -> list[list[tuple[int, int]]]:
    """Connected groups of (annotation, span) nodes linked by matches (union-find)."""
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def root(node: tuple[int, int]) -> tuple[int, int]:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for i, x, j, y in edges:
        parent[root((i, x))] = root((j, y))
    groups: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for node in list(parent):
        groups[root(node)].append(node)
    return list(groups.values())
