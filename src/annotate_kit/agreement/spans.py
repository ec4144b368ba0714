"""How far annotators agree: span F1, alpha_U on boundaries, kappa and alpha on attributes.

Every number is computed per pair of annotators on the documents both annotated, and overall:
- span F1, exact (same start, end and label) and overlap (same label, overlapping: each span is
  matched at most once, largest overlap first, ties broken by position only), so the score
  depends neither on the order of spans nor on which annotator comes first; relations match
  when their type matches and both ends match. Overall F1 is micro-averaged over all pairs.
- Krippendorff's alpha_U on span boundaries per document, averaged over documents, as
  INCEpTION reports it (unitizing.py); overall uses every annotator of each document.
- on the attributes of spans matched by position whatever their label (entity and cue labels,
  claim factuality, check-worthiness, source and attribution kind): Cohen's kappa per pair
  (overall: the mean over pairs, Light's kappa) and nominal Krippendorff's alpha from the
  `krippendorff` package (overall: units are spans matched across annotators).
Results are dataclasses; None means undefined (nothing to compare, or no variation).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotate_kit.agreement.coding import cohen_kappa, nominal_alpha
from annotate_kit.agreement.matching import by_label, components, overlap_matches
from annotate_kit.agreement.unitizing import alpha_unitizing, rater_units, study_of
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import Scheme, load_scheme

RELATIONS = "relations"
UNKNOWN = "(unknown)"
NOT_ANNOTATORS = frozenset({"prediction", "adjudicated"})  # origins that are not a person's view

Span = tuple[int, int, str, str, tuple[Any, ...]]  # start, end, label, id, attribute values


@dataclass(frozen=True)
class AnnotationView:
    """What agreement needs of one annotation: spans per layer and relations, no text."""

    annotator: str
    ref: str
    spans: dict[str, tuple[Span, ...]]
    relations: tuple[tuple[str, str, str], ...]  # type, head id, tail id


@dataclass(frozen=True)
class SpanRow:
    layer: str
    label: str | None  # None: every label of the layer together
    spans: int  # spans compared, both sides of every pair counted
    exact_matches: int
    overlap_matches: int
    exact_f1: float | None
    overlap_f1: float | None
    alpha_u: float | None  # None for relations, or when no document has such spans
    alpha_u_documents: int


@dataclass(frozen=True)
class AttributeRow:
    layer: str
    attribute: str
    items: int  # matched span pairs
    observed: float | None
    kappa: float | None
    alpha: float | None


@dataclass(frozen=True)
class Comparison:
    """One pair of annotators, or all of them (overall)."""

    annotators: tuple[str, ...]
    documents: int
    spans: tuple[SpanRow, ...]
    attributes: tuple[AttributeRow, ...]

    def row(self, layer: str, label: str | None = None) -> SpanRow:
        return next(r for r in self.spans if (r.layer, r.label) == (layer, label))

    def attribute(self, layer: str, attribute: str) -> AttributeRow:
        return next(r for r in self.attributes if (r.layer, r.attribute) == (layer, attribute))


@dataclass(frozen=True)
class AgreementReport:
    annotators: tuple[str, ...]
    documents: int  # documents with at least one annotation that counts
    compared: int  # documents with two or more annotators
    annotations: int
    overall: Comparison
    pairs: tuple[Comparison, ...]
    dropped_units: int  # spans left out of alpha_U: they overlap the same annotator's same label
    ambiguous_units: int  # cross-annotator matches left out of overall attribute alpha

    def pair(self, first: str, second: str) -> Comparison:
        wanted = tuple(sorted((first, second)))
        return next(p for p in self.pairs if p.annotators == wanted)


def annotation_ref(record: Record) -> str:
    """A stable name for an annotation: its id, else a hash of its content."""
    annotation = record.get("annotation") or {}
    if annotation.get("id") is not None:
        return str(annotation["id"])
    blob = json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return "sha-" + hashlib.sha256(blob).hexdigest()[:10]


def annotator_of(record: Record) -> str:
    """Who made an annotation; records that do not say count as one unknown annotator, since
    nothing shows they come from different people."""
    annotator = (record.get("annotation") or {}).get("annotator")
    return UNKNOWN if annotator is None else str(annotator)


def attribute_fields(scheme: Scheme | None = None) -> dict[str, tuple[str, ...]]:
    """Per span layer, the fields compared on matched spans: its label, then its attributes."""
    scheme = scheme or load_scheme()
    return {
        key: (("label",) if layer.label_vocab else ()) + tuple(layer.attributes)
        for key, layer in scheme.layers.items()
    }


def view_of(record: Record, scheme: Scheme | None = None) -> AnnotationView:
    scheme = scheme or load_scheme()
    fields = attribute_fields(scheme)
    ref = annotation_ref(record)
    spans = {
        key: tuple(
            (
                s["start"],
                s["end"],
                s.get("label", layer.fixed_label),
                s["id"],
                tuple(s.get(f) for f in fields[key]),
            )
            for s in record.get(key) or ()
        )
        for key, layer in scheme.layers.items()
    }
    relations = tuple((r["type"], r["head"], r["tail"]) for r in record.get(RELATIONS) or ())
    return AnnotationView(annotator_of(record), ref, spans, relations)


def agreement_views(
    records: Iterable[Record], scheme: Scheme | None = None
) -> list[AnnotationView]:
    """The views of the annotations of one document that count (see counted_annotations)."""
    return [view_of(record, scheme) for record in counted_annotations(records)]


def counted_annotations(records: Iterable[Record]) -> list[Record]:
    """The annotations of one document that count: made by a person, not skipped; one per
    annotator (the most recently updated, then the last)."""
    latest: dict[str, tuple[str, Record]] = {}
    for record in records:
        annotation = record.get("annotation") or {}
        if annotation.get("cancelled") or annotation.get("origin") in NOT_ANNOTATORS:
            continue
        who = annotator_of(record)
        stamp = annotation.get("updated_at") or annotation.get("created_at") or ""
        if who not in latest or stamp >= latest[who][0]:
            latest[who] = (stamp, record)
    return [record for _, record in latest.values()]


@dataclass
class _Tally:
    documents: int = 0
    counts: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )  # (layer, label) -> [spans, exact, overlap]
    alpha: dict[tuple[str, str | None], list[float]] = field(
        default_factory=lambda: defaultdict(lambda: [0.0, 0])
    )  # -> [sum, documents]
    values: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))


class AgreementBuilder:
    """Feed it one document at a time (its annotations' views); ask for the report at the end.

    Only counts are kept between documents, so memory does not grow with the corpus.
    """

    def __init__(self, scheme: Scheme | None = None) -> None:
        self.scheme = scheme or load_scheme()
        self.fields = attribute_fields(self.scheme)
        self.layers = tuple(self.scheme.layers)
        self.pairs: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
        self.overall = _Tally()
        self.annotators: set[str] = set()
        self.documents = self.compared = self.annotations = 0
        self.dropped = self.ambiguous = 0

    def add_records(self, length: int, records: Iterable[Record]) -> None:
        """One document: the length of its text and its annotations, filtered as
        agreement_views filters them.

        Views are built only when two annotators or more can be compared: a lone annotation
        only counts, and making its view was a tenth of an export of single-annotator gold.
        """
        counted = counted_annotations(records)
        if len(counted) < 2:
            self._met([annotator_of(record) for record in counted])
            return
        self.add(length, [view_of(record, self.scheme) for record in counted])

    def add(self, length: int, views: Sequence[AnnotationView]) -> None:
        """One document: the length of its text and the views of its annotations."""
        views = sorted(views, key=lambda v: v.annotator)
        self._met([v.annotator for v in views])
        if len(views) < 2:
            return
        self.compared += 1
        self.overall.documents += 1
        units = {}  # layer -> each view's units for alpha_U, prepared once
        for layer in self.layers:
            prepared = [rater_units(s[:3] for s in v.spans[layer]) for v in views]
            units[layer] = [u for u, _ in prepared]
            self.dropped += sum(n for _, n in prepared)
        links: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
        for (i, a), (j, b) in combinations(enumerate(views), 2):
            tally = self.pairs[(a.annotator, b.annotator)]
            tally.documents += 1
            for layer, pairs in self._compare(a, b, tally).items():
                links[layer] += [(i, x, j, y) for x, y in pairs]
            two = [tally, self.overall] if len(views) == 2 else [tally]  # same study
            self._alpha_u(length, {k: [u[i], u[j]] for k, u in units.items()}, two)
        if len(views) > 2:
            self._alpha_u(length, units, [self.overall])
        self._clusters(views, links)

    def _met(self, annotators: list[str]) -> None:
        """Count a document and its annotators, whether or not anything can be compared."""
        if annotators:
            self.documents += 1
            self.annotations += len(annotators)
            self.annotators.update(annotators)

    def _compare(self, a: AnnotationView, b: AnnotationView, tally: _Tally) -> dict[str, list]:
        """Span and relation counts of one pair on one document; label-free matches per layer."""
        mapping: dict[str, str] = {}
        keys_a: dict[str, tuple] = {}
        keys_b: dict[str, tuple] = {}
        free: dict[str, list] = {}
        for layer in self.layers:
            spans_a, spans_b = a.spans[layer], b.spans[layer]
            keys_a.update((s[3], (layer, s[0], s[1], s[2])) for s in spans_a)
            keys_b.update((s[3], (layer, s[0], s[1], s[2])) for s in spans_b)
            by_a, by_b = by_label(spans_a), by_label(spans_b)
            for label in by_a.keys() | by_b.keys():
                mine, theirs = by_a.get(label, []), by_b.get(label, [])
                exact = Counter(s[:2] for s in mine) & Counter(s[:2] for s in theirs)
                matched = overlap_matches([s[:2] for s in mine], [s[:2] for s in theirs])
                mapping.update((mine[i][3], theirs[j][3]) for i, j in matched)
                found = (len(mine) + len(theirs), exact.total(), len(matched))
                self._count(tally, (layer, label), found)
            free[layer] = overlap_matches([s[:2] for s in spans_a], [s[:2] for s in spans_b])
            for i, j in free[layer]:
                for name, x, y in zip(
                    self.fields[layer], spans_a[i][4], spans_b[j][4], strict=True
                ):
                    tally.values[(layer, name)][(x, y)] += 1
        exact_a = Counter((t, keys_a.get(h), keys_a.get(e)) for t, h, e in a.relations)
        exact_b = Counter((t, keys_b.get(h), keys_b.get(e)) for t, h, e in b.relations)
        mapped = Counter((t, mapping.get(h), mapping.get(e)) for t, h, e in a.relations)
        theirs = Counter(b.relations)
        for kind in {r[0] for r in a.relations} | {r[0] for r in b.relations}:
            spans = sum(1 for r in (*a.relations, *b.relations) if r[0] == kind)
            exact = sum(min(n, exact_b[k]) for k, n in exact_a.items() if k[0] == kind)
            overlap = sum(min(n, theirs[k]) for k, n in mapped.items() if k[0] == kind)
            self._count(tally, (RELATIONS, kind), (spans, exact, overlap))
        return free

    def _count(self, tally: _Tally, key: tuple[str, str], found: tuple[int, int, int]) -> None:
        """Add (spans, exact matches, overlap matches) to the pair and to the overall tally."""
        for target in (tally, self.overall):
            row = target.counts[key]
            for k in range(3):
                row[k] += found[k]

    def _alpha_u(
        self, length: int, units: dict[str, list[dict[str, list]]], tallies: list[_Tally]
    ) -> None:
        """alpha_U of one document per layer and label, added to each tally's running mean."""
        for layer, raters in units.items():
            study = study_of(raters)
            if not study:
                continue
            result = alpha_unitizing(study, length)
            for label, value in [(None, result.alpha), *result.categories.items()]:
                if value is None:
                    continue
                for tally in tallies:
                    total = tally.alpha[(layer, label)]
                    total[0] += value
                    total[1] += 1

    def _clusters(self, views: Sequence[AnnotationView], links: dict[str, list]) -> None:
        """Spans matched across annotators become one unit of the overall attribute alpha."""
        for layer, edges in links.items():
            for members in components(edges):
                if len({i for i, _ in members}) < len(members):
                    self.ambiguous += 1  # a chain through two spans of one annotator
                    continue
                for position, name in enumerate(self.fields[layer]):
                    unit = tuple(
                        sorted(str(views[i].spans[layer][x][4][position]) for i, x in members)
                    )
                    self.overall.values[(layer, name)][unit] += 1

    def result(self) -> AgreementReport:
        pairs = tuple(self._comparison(key, tally) for key, tally in sorted(self.pairs.items()))
        overall = self._comparison(tuple(sorted(self.annotators)), self.overall, pairs)
        return AgreementReport(
            annotators=tuple(sorted(self.annotators)),
            documents=self.documents,
            compared=self.compared,
            annotations=self.annotations,
            overall=overall,
            pairs=pairs,
            dropped_units=self.dropped,
            ambiguous_units=self.ambiguous,
        )

    def _comparison(
        self, who: tuple[str, ...], tally: _Tally, pairs: tuple[Comparison, ...] | None = None
    ) -> Comparison:
        rows = []
        for layer in (*self.layers, RELATIONS):
            labels = self._labels(layer)
            for label in (None, *labels):
                chosen = labels if label is None else (label,)
                spans, exact, overlap = (
                    sum(tally.counts.get((layer, lab), [0, 0, 0])[k] for lab in chosen)
                    for k in range(3)
                )
                total, documents = tally.alpha.get((layer, label), [0.0, 0])
                rows.append(
                    SpanRow(
                        layer,
                        label,
                        spans,
                        exact,
                        overlap,
                        _f1(exact, spans),
                        _f1(overlap, spans),
                        total / documents if documents else None,
                        int(documents),
                    )
                )
        attributes = []
        for layer in self.layers:
            for name in self.fields[layer]:
                values = tally.values.get((layer, name), Counter())
                if pairs is None:  # one pair: a table of (first, second) values
                    items = values.total()
                    agree = sum(n for (x, y), n in values.items() if x == y)
                    kappa = cohen_kappa(values)
                    units = Counter({tuple(sorted(map(str, k))): 0 for k in values})
                    for k, n in values.items():
                        units[tuple(sorted(map(str, k)))] += n
                else:  # overall: units matched across annotators, kappa averaged over pairs
                    units = values
                    items = sum(n for unit, n in units.items() if len(unit) >= 2)
                    agree = sum(n for unit, n in units.items() if len(set(unit)) == 1)
                    found = [p.attribute(layer, name).kappa for p in pairs]
                    defined = [k for k in found if k is not None]
                    kappa = sum(defined) / len(defined) if defined else None
                observed = agree / items if items else None
                attributes.append(
                    AttributeRow(layer, name, items, observed, kappa, nominal_alpha(units))
                )
        return Comparison(who, tally.documents, tuple(rows), tuple(attributes))

    def _labels(self, layer: str) -> tuple[str, ...]:
        if layer == RELATIONS:
            return self.scheme.labels("relation_type")
        return self.scheme.layer_labels(layer)


def agreement_of(
    documents: Iterable[tuple[int, Sequence[Record]]], scheme: Scheme | None = None
) -> AgreementReport:
    """Agreement over (text length, records of one document) groups; records are filtered by
    agreement_views (people's annotations, one per annotator)."""
    builder = AgreementBuilder(scheme)
    for length, records in documents:
        builder.add(length, agreement_views(records, builder.scheme))
    return builder.result()


def _f1(matches: int, spans: int) -> float | None:
    return 2 * matches / spans if spans else None
