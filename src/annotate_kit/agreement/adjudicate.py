"""One gold annotation per document, chosen or merged by a stated policy, with provenance.

A policy is an ordered list of steps; the first step that decides gives the gold. What a
human should look at (spans only a minority marked, attribute ties, several ground truths,
a merge that would not validate) is returned as conflicts, never resolved without a trace.
Each gold span and relation names the annotation(s) it came from.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from annotate_kit.agreement.spans import annotation_ref, annotator_of
from annotate_kit.errors import AnnotateKitError
from annotate_kit.scheme.records import Record
from annotate_kit.scheme.schema import Scheme, load_scheme
from annotate_kit.validate.checks import check_record

STEPS = {
    "ground_truth": "an annotation marked ground truth in Label Studio (the most recent if several)",
    "reviewed": (
        "a reviewed annotation: hand-made gold or an earlier adjudication (origin gold or "
        "adjudicated; the most recent if several)"
    ),
    "majority": (
        "a merge of the annotators' own annotations (origin manual, the latest of each annotator, "
        "two annotators or more; annotations that name no annotator count as one): a span (same "
        "start, end and label) or a relation is gold when more than half of them have it, a claim "
        "attribute takes the value more than half of the claim's annotators gave (a tie goes to "
        "the most recent annotation when 'latest' comes later in the policy); the rest is listed "
        "as conflicts, and a merge that does not validate falls through to the next step"
    ),
    "latest": (
        "the most recently updated annotation (annotators' before predictions, then the last in "
        "the input)"
    ),
}
DEFAULT_POLICY = ("ground_truth", "reviewed", "majority", "latest")
ID_PREFIX = {"entities": "e", "claims": "c", "cues": "q"}


@dataclass(frozen=True)
class Conflict:
    """Something the policy could not settle by itself, for a human to check."""

    kind: str  # minority-span, minority-relation, attribute-tie, several-ground-truth, ...
    detail: str
    layer: str | None = None
    start: int | None = None
    end: int | None = None
    text: str | None = None
    label: str | None = None
    annotations: tuple[str, ...] = ()


class GoldSource(NamedTuple):  # a tuple: one per gold span, made 4x sooner than a dataclass
    item: str  # gold span or relation id
    annotations: tuple[str, ...]  # the annotations it came from


@dataclass(frozen=True)
class Adjudication:
    doc_id: str
    step: str | None  # the step that decided ("only": a single annotation); None: no gold
    record: Record | None
    candidates: tuple[str, ...]  # every annotation considered
    sources: tuple[GoldSource, ...]
    conflicts: tuple[Conflict, ...]


def parse_policy(text: str) -> tuple[str, ...]:
    """'ground_truth,majority,latest' -> the steps, checked; raise with the known steps."""
    steps = tuple(step.strip() for step in text.split(",") if step.strip())
    unknown = [step for step in steps if step not in STEPS]
    if unknown or not steps or len(set(steps)) != len(steps):
        raise AnnotateKitError(
            f"gold policy {text!r}: expected distinct steps among {', '.join(STEPS)} "
            f"(comma-separated, in order), e.g. {','.join(DEFAULT_POLICY)}",
            code="E310",
        )
    return steps


def describe_policy(policy: Sequence[str]) -> str:
    """The policy in words, for the dataset card and the command's output."""
    lines = [f"{n}. `{step}`: {STEPS[step]}." for n, step in enumerate(policy, start=1)]
    lines.append(
        f"{len(policy) + 1}. A document with a single annotation takes it. Cancelled (skipped) "
        "annotations are never gold."
    )
    return "\n".join(lines)


def adjudicate(
    records: Sequence[Record],
    *,
    policy: Sequence[str] = DEFAULT_POLICY,
    scheme: Scheme | None = None,
) -> Adjudication:
    """The gold of one document from its valid annotations (in input order)."""
    scheme = scheme or load_scheme()
    candidates = [r for r in records if not (r.get("annotation") or {}).get("cancelled")]
    refs = [annotation_ref(r) for r in candidates]
    doc_id = records[0]["doc_id"] if records else ""
    conflicts: list[Conflict] = []
    for position, step in enumerate(policy):
        if step == "majority":
            resolves = "latest" in policy[position + 1 :]
            merged = _Majority(candidates, refs, scheme, conflicts).merge(latest_resolves=resolves)
            if merged is not None:
                record, sources = merged
                return Adjudication(doc_id, step, record, tuple(refs), sources, tuple(conflicts))
            continue
        chosen = _pick(step, candidates, refs, conflicts)
        if chosen is not None:
            return _single(doc_id, step, candidates[chosen], refs, conflicts, ref=refs[chosen])
    if len(candidates) == 1:
        return _single(doc_id, "only", candidates[0], refs, conflicts, ref=refs[0])
    if candidates:
        conflicts.append(Conflict("undecided", f"no step of the policy {','.join(policy)} decided"))
    return Adjudication(doc_id, None, None, tuple(refs), (), tuple(conflicts))


def _rank(record: Record, index: int) -> tuple[bool, str, int]:
    annotation = record.get("annotation") or {}
    stamp = annotation.get("updated_at") or annotation.get("created_at") or ""
    return (annotation.get("origin") != "prediction", stamp, index)


def _pick(
    step: str, candidates: list[Record], refs: list[str], conflicts: list[Conflict]
) -> int | None:
    """Index of the candidate a single-annotation step takes, or None to pass."""
    if step == "latest":
        eligible = list(range(len(candidates)))
    else:
        eligible = [
            i for i, r in enumerate(candidates) if _qualifies(step, r.get("annotation") or {})
        ]
    if not eligible:
        return None
    chosen = max(eligible, key=lambda i: _rank(candidates[i], i))
    if len(eligible) > 1 and step != "latest":
        conflicts.append(
            Conflict(
                f"several-{step.replace('_', '-')}",
                f"{len(eligible)} annotations qualify as {step}; took the most recent, {refs[chosen]}",
                annotations=tuple(refs[i] for i in eligible),
            )
        )
    return chosen


def _qualifies(step: str, annotation: dict[str, Any]) -> bool:
    if step == "ground_truth":
        return bool(annotation.get("ground_truth"))
    return annotation.get("origin") in {"gold", "adjudicated"}  # reviewed


def _single(
    doc_id: str,
    step: str,
    record: Record,
    refs: list[str],
    conflicts: list[Conflict],
    *,
    ref: str,
) -> Adjudication:
    """The gold is one annotation (`ref` is its name, already made: without an id it is a
    hash of the whole record); every span and relation comes from it."""
    owners = (ref,)
    items = [s["id"] for layer in ID_PREFIX for s in record.get(layer) or ()]
    items += [r["id"] for r in record.get("relations") or ()]
    sources = tuple([GoldSource(item, owners) for item in items])
    return Adjudication(doc_id, step, record, tuple(refs), sources, tuple(conflicts))


class _Majority:
    """The majority merge of the annotators' annotations of one document."""

    def __init__(
        self, candidates: list[Record], refs: list[str], scheme: Scheme, conflicts: list[Conflict]
    ) -> None:
        self.candidates, self.refs, self.scheme, self.conflicts = (
            candidates,
            refs,
            scheme,
            conflicts,
        )
        latest: dict[str, int] = {}  # one annotation per annotator: the most recent
        for i, r in enumerate(candidates):
            if (r.get("annotation") or {}).get("origin", "manual") != "manual":
                continue
            who = annotator_of(r)
            if who not in latest or _rank(r, i) > _rank(candidates[latest[who]], latest[who]):
                latest[who] = i
        self.indexes = sorted(latest.values())
        self.total = len(self.indexes)
        self.keys: dict[int, dict[str, tuple]] = defaultdict(dict)  # span id -> key, per annotation
        self.ids: dict[tuple, str] = {}  # key -> gold span id
        self.sources: list[GoldSource] = []

    def merge(self, *, latest_resolves: bool) -> tuple[Record, tuple[GoldSource, ...]] | None:
        if self.total < 2:
            return None
        scheme = self.scheme
        order = {layer: n for n, layer in enumerate(scheme.layers)}
        support: dict[tuple, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for i in self.indexes:
            for layer, spec in scheme.layers.items():
                for span in self.candidates[i].get(layer) or ():
                    key = (layer, span["start"], span["end"], span.get("label", spec.fixed_label))
                    self.keys[i][span["id"]] = key
                    if all(j != i for j, _ in support[key]):
                        support[key].append((i, span))
        spans: dict[str, list[dict[str, Any]]] = {layer: [] for layer in scheme.layers}
        for key in sorted(support, key=lambda k: (order[k[0]], *k[1:])):
            span = self._span(key, support[key], latest_resolves=latest_resolves)
            if span is not None:
                layer = key[0]
                span["id"] = self.ids[key] = (
                    f"{ID_PREFIX.get(layer, layer[0])}{len(spans[layer]) + 1}"
                )
                spans[layer].append(span)
                self.sources.append(
                    GoldSource(span["id"], tuple(self.refs[i] for i, _ in support[key]))
                )
        record = self._record(spans, self._relations())
        problems = check_record(record, scheme)
        if problems:
            shown = "; ".join(f"[{p.code}] {p.path}: {p.message}" for p in problems[:3])
            detail = f"the majority merge does not validate ({shown}); the next step decides"
            self.conflicts.append(Conflict("invalid-merge", detail))
            return None
        return record, tuple(self.sources)

    def _span(
        self, key: tuple, backers: list[tuple[int, dict[str, Any]]], *, latest_resolves: bool
    ) -> dict[str, Any] | None:
        """The gold span of a key, attributes by majority of its annotators; None if not gold."""
        layer, start, end, label = key
        text = self.candidates[backers[0][0]]["text"][start:end]
        names = tuple(self.refs[i] for i, _ in backers)
        where = {"layer": layer, "start": start, "end": end, "text": text, "label": label}
        if len(backers) * 2 <= self.total:
            detail = f"marked by {len(backers)} of {self.total} annotations; not in gold"
            self.conflicts.append(Conflict("minority-span", detail, **where, annotations=names))
            return None
        spec = self.scheme.layers[layer]
        span: dict[str, Any] = {"id": "", "start": start, "end": end, "text": text}
        if spec.label_vocab is not None:
            span["label"] = label
        for attribute in spec.attributes:
            votes = Counter(s.get(attribute) for _, s in backers)
            value, count = max(votes.items(), key=lambda kv: (kv[1], str(kv[0])))
            if count * 2 > len(backers):
                span[attribute] = value
                continue
            tally = ", ".join(
                f"{v} x{n}" for v, n in sorted(votes.items(), key=lambda kv: str(kv[0]))
            )
            if not latest_resolves:
                detail = f"{attribute}: {tally}; no majority, so the span is not in gold"
                self.conflicts.append(Conflict("attribute-tie", detail, **where, annotations=names))
                return None
            i, latest = max(backers, key=lambda b: _rank(self.candidates[b[0]], b[0]))
            span[attribute] = latest.get(attribute)
            detail = (
                f"{attribute}: {tally}; took {span[attribute]} from the most recent, {self.refs[i]}"
            )
            self.conflicts.append(Conflict("attribute-tie", detail, **where, annotations=names))
        return span

    def _relations(self) -> list[dict[str, Any]]:
        support: dict[tuple, list[int]] = defaultdict(list)
        for i in self.indexes:
            keys = self.keys[i]
            for relation in self.candidates[i].get("relations") or ():
                key = (relation["type"], keys.get(relation["head"]), keys.get(relation["tail"]))
                if i not in support[key]:
                    support[key].append(i)
        kept: list[dict[str, Any]] = []
        for key in sorted(support, key=str):
            kind, head, tail = key
            names = tuple(self.refs[i] for i in support[key])
            said = f"{kind} {_show(head)} -> {_show(tail)}"
            where = {"layer": "relations", "label": kind, "annotations": names}
            if len(support[key]) * 2 <= self.total:
                detail = f"{said}: marked by {len(support[key])} of {self.total} annotations; not in gold"
                self.conflicts.append(Conflict("minority-relation", detail, **where))
            elif head not in self.ids or tail not in self.ids:
                self.conflicts.append(
                    Conflict("relation-end-missing", f"{said}: an end is not in gold", **where)
                )
            else:
                number = f"r{len(kept) + 1}"
                kept.append(
                    {"id": number, "type": kind, "head": self.ids[head], "tail": self.ids[tail]}
                )
                self.sources.append(GoldSource(number, names))
        return kept

    def _record(
        self, spans: dict[str, list[dict[str, Any]]], relations: list[dict[str, Any]]
    ) -> Record:
        first = self.candidates[self.indexes[0]]
        record: Record = {
            k: first[k] for k in ("schema_version", "doc_id", "lang", "text", "text_sha256")
        }
        record.update({k: first[k] for k in ("meta", "blocks") if k in first})
        merged_from = ",".join(sorted(self.refs[i] for i in self.indexes))
        record["annotation"] = {
            "id": "adjudicated-" + hashlib.sha256(merged_from.encode("utf-8")).hexdigest()[:10],
            "task_id": (first.get("annotation") or {}).get("task_id"),
            "annotator": None,
            "origin": "adjudicated",
            "ground_truth": False,
            "cancelled": False,
            "created_at": None,
            "updated_at": max(_rank(self.candidates[i], i)[1] for i in self.indexes) or None,
            "lead_time": None,
            "model_version": None,
        }
        record.update(spans)
        record["relations"] = relations
        return record


def _show(key: tuple | None) -> str:
    return "?" if key is None else f"{key[0]}[{key[1]},{key[2]}) {key[3]}"


def provenance_row(adjudication: Adjudication) -> dict[str, Any]:
    """The `gold` column of the default config: how this document's gold was made.

    Sources with the same annotations share one list (every span of a single annotation
    does): rows wait in memory until their batch is written, and fewer objects there mean
    fewer garbage-collector passes over them. Read the row; do not edit it in place.
    """
    lists: dict[tuple[str, ...], list[str]] = {}
    for source in adjudication.sources:
        if source.annotations not in lists:
            lists[source.annotations] = list(source.annotations)
    return {
        "policy_step": adjudication.step,
        "candidates": list(adjudication.candidates),
        "sources": [
            {"item": s.item, "annotations": lists[s.annotations]} for s in adjudication.sources
        ],
        "conflicts": [
            {**c.__dict__, "annotations": list(c.annotations)} for c in adjudication.conflicts
        ],
    }


def provenance_feature() -> dict[str, Any]:
    """The `datasets` type of provenance_row."""
    from datasets import List, Value

    text = Value("string")
    number = Value("int64")
    return {
        "policy_step": text,
        "candidates": List(text),
        "sources": List({"item": text, "annotations": List(text)}),
        "conflicts": List(
            {
                "kind": text,
                "detail": text,
                "layer": text,
                "start": number,
                "end": number,
                "text": text,
                "label": text,
                "annotations": List(text),
            }
        ),
    }
