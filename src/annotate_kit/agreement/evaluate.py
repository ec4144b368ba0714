"""Predicted records against gold records: precision, recall and F1 per layer and per label.

Two ways to match a predicted span to a gold span, as in span-level NER and hedge-cue
evaluation: ``exact`` (same offsets) and ``overlap`` (at least one shared character). Matching
is one-to-one (each gold span is used at most once, greedily by largest overlap), labelled
for entities and cues: the "*" row requires the same label, the "(spans)" row ignores it. Relations match
when their type and both end spans match under the same mode. Results are data; the CLI and
the tests decide what to print or assert.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from annotate_kit.agreement.adjudicate import DEFAULT_POLICY, adjudicate
from annotate_kit.errors import InputError
from annotate_kit.io.inputs import iter_items
from annotate_kit.scheme.records import Record

MODES = ("exact", "overlap")
LABELLED = {"entities": "label", "cues": "label", "claims": None}
ANY = "*"  # every label, a match needs the same label (micro-average over labels)
SPANS = "(spans)"  # every label, labels ignored: boundaries only


@dataclass(frozen=True)
class Score:
    """Counts and derived scores for one (layer, label, mode)."""

    layer: str
    label: str
    mode: str
    true_positives: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True)
class Evaluation:
    """Every score, plus the documents that could not be paired."""

    scores: tuple[Score, ...]
    documents: int
    attributed_claims_covered: tuple[int, int]  # (gold claims with a CUE_OF overlapped, total)
    unpaired_predicted: tuple[str, ...] = ()
    unpaired_gold: tuple[str, ...] = ()
    attribute_agreement: dict[str, tuple[int, int]] = field(default_factory=dict)
    gold_adjudicated: int = 0  # documents whose gold the policy chose among several records
    gold_undecided: tuple[str, ...] = ()  # documents with gold records but no gold (cancelled...)

    def get(self, layer: str, mode: str, label: str = ANY) -> Score:
        for score in self.scores:
            if (score.layer, score.label, score.mode) == (layer, label, mode):
                return score
        raise KeyError((layer, label, mode))

    def as_dict(self) -> dict[str, Any]:
        covered, total = self.attributed_claims_covered
        return {
            "documents": self.documents,
            "scores": [s.as_dict() for s in self.scores],
            "attributed_claims_covered": {"covered": covered, "total": total},
            "claim_attribute_agreement": {
                k: {"agree": a, "matched": n} for k, (a, n) in self.attribute_agreement.items()
            },
            "unpaired_predicted": list(self.unpaired_predicted),
            "unpaired_gold": list(self.unpaired_gold),
            "gold_adjudicated": self.gold_adjudicated,
            "gold_undecided": list(self.gold_undecided),
        }


def evaluate_records(
    predicted: Iterable[Record],
    gold: Iterable[Record],
    *,
    policy: Sequence[str] = DEFAULT_POLICY,
) -> Evaluation:
    """Pair records by doc_id and score every layer, label and match mode.

    Gold records pulled from Label Studio may hold several annotations of a document, and
    skipped (cancelled) ones: the gold is then chosen as `export` chooses it (``policy``), and
    a document left without one is listed, never scored as if nothing were in it. Predictions
    must be one record per document.
    """
    pred_by_id: dict[str, Record] = {}
    for record in predicted:
        if record["doc_id"] in pred_by_id:
            raise InputError(
                f"document {record['doc_id']}: several predicted records; "
                "evaluate takes one prediction per document"
            )
        pred_by_id[record["doc_id"]] = record
    gold_by_id, adjudicated, undecided = _gold_by_document(gold, policy)
    pairs = [(pred_by_id[d], gold_by_id[d]) for d in gold_by_id if d in pred_by_id]
    counts: dict[tuple[str, str, str], list[int]] = {}
    covered = total = 0
    agreement: dict[str, list[int]] = {}
    for pred, ref in pairs:
        if pred.get("text") != ref.get("text"):
            raise InputError(
                f"document {ref['doc_id']}: predicted and gold texts differ; offsets cannot match"
            )
        for mode in MODES:
            for layer, key in LABELLED.items():
                _count_layer(
                    counts, layer, key, mode=mode, pred=pred.get(layer, []), gold=ref.get(layer, [])
                )
            _count_relations(counts, mode, pred, ref)
        c, t = _attributed_coverage(pred, ref)
        covered, total = covered + c, total + t
        for attribute, (agree, matched) in _attribute_agreement(pred, ref).items():
            slot = agreement.setdefault(attribute, [0, 0])
            slot[0] += agree
            slot[1] += matched
    scores = tuple(
        Score(layer, label, mode, *values)
        for (layer, label, mode), values in sorted(counts.items(), key=_order)
    )
    return Evaluation(
        scores=scores,
        documents=len(pairs),
        attributed_claims_covered=(covered, total),
        unpaired_predicted=tuple(sorted(set(pred_by_id) - set(gold_by_id))),
        unpaired_gold=tuple(sorted(set(gold_by_id) - set(pred_by_id))),
        attribute_agreement={k: (a, n) for k, (a, n) in sorted(agreement.items())},
        gold_adjudicated=adjudicated,
        gold_undecided=tuple(sorted(undecided)),
    )


def _gold_by_document(
    records: Iterable[Record], policy: Sequence[str]
) -> tuple[dict[str, Record], int, list[str]]:
    """One gold record per document: (the records, how many were adjudicated, the documents
    the policy left without gold)."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        groups[record["doc_id"]].append(record)
    chosen: dict[str, Record] = {}
    adjudicated, undecided = 0, []
    for doc_id, group in groups.items():
        result = adjudicate(group, policy=policy)  # a lone, live record is its own gold
        if result.record is None:
            undecided.append(doc_id)
        else:
            chosen[doc_id] = result.record
            adjudicated += len(group) > 1
    return chosen, adjudicated, undecided


def evaluate_files(predicted: Path, gold: Path) -> Evaluation:
    """Read two sets of records and evaluate; InputError names the file and line."""
    return evaluate_records(load_records(predicted), load_records(gold))


def load_records(path: Path) -> list[Record]:
    """Every record of ``path``, read as validate reads it (io/inputs.py): records JSONL, Label
    Studio exports, tasks as convert writes them (each prediction is a record, so
    ``convert --preannotate`` output is evaluated as it is), task shards and their folders."""
    return [item.record for item in iter_items([path])]


def _order(item: tuple[tuple[str, str, str], list[int]]) -> tuple[int, str, int, str]:
    (layer, label, mode), _ = item
    layers = [*LABELLED, "relations"]
    return (layers.index(layer), mode, {ANY: 0, SPANS: 1}.get(label, 2), label)


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> int:
    return max(0, min(a["end"], b["end"]) - max(a["start"], b["start"]))


def _same(a: dict[str, Any], b: dict[str, Any], mode: str) -> bool:
    if mode == "exact":
        return (a["start"], a["end"]) == (b["start"], b["end"])
    return _overlap(a, b) > 0


def match_spans(
    pred: list[dict[str, Any]], gold: list[dict[str, Any]], *, mode: str, key: str | None = None
) -> list[tuple[int, int]]:
    """One-to-one (pred index, gold index) pairs; largest overlap first, then text order."""
    candidates = [
        (_overlap(p, g), -i, -j, i, j)
        for i, p in enumerate(pred)
        for j, g in enumerate(gold)
        if _same(p, g, mode) and (key is None or p.get(key) == g.get(key))
    ]
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for *_, i, j in sorted(candidates, reverse=True):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _bump(counts: dict, slot: tuple[str, str, str], tp: int, pred: int, gold: int) -> None:
    values = counts.setdefault(slot, [0, 0, 0])
    values[0] += tp
    values[1] += pred
    values[2] += gold


def _count_layer(
    counts: dict, layer: str, key: str | None, *, mode: str, pred: list, gold: list
) -> None:
    unlabelled = len(match_spans(pred, gold, mode=mode))
    if key is None:
        _bump(counts, (layer, ANY, mode), unlabelled, len(pred), len(gold))
        return
    _bump(counts, (layer, SPANS, mode), unlabelled, len(pred), len(gold))
    labelled = len(match_spans(pred, gold, mode=mode, key=key))
    _bump(counts, (layer, ANY, mode), labelled, len(pred), len(gold))
    for label in sorted({s.get(key) for s in pred} | {s.get(key) for s in gold}):
        p = [s for s in pred if s.get(key) == label]
        g = [s for s in gold if s.get(key) == label]
        _bump(counts, (layer, str(label), mode), len(match_spans(p, g, mode=mode)), len(p), len(g))


def _spans(record: Record) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for layer in LABELLED for s in record.get(layer, [])}


def _count_relations(counts: dict, mode: str, pred: Record, gold: Record) -> None:
    ps, gs = _spans(pred), _spans(gold)
    pr = [r for r in pred.get("relations", []) if r["head"] in ps and r["tail"] in ps]
    gr = [r for r in gold.get("relations", []) if r["head"] in gs and r["tail"] in gs]
    for label in sorted({r["type"] for r in pr} | {r["type"] for r in gr}):
        p = [r for r in pr if r["type"] == label]
        g = [r for r in gr if r["type"] == label]
        used: set[int] = set()
        tp = 0
        for rel in p:
            for j, ref in enumerate(g):
                if j not in used and all(
                    _same(ps[rel[end]], gs[ref[end]], mode) for end in ("head", "tail")
                ):
                    used.add(j)
                    tp += 1
                    break
        _bump(counts, ("relations", label, mode), tp, len(p), len(g))
        _bump(counts, ("relations", ANY, mode), tp, len(p), len(g))


def _attributed_coverage(pred: Record, gold: Record) -> tuple[int, int]:
    """Gold claims that an attribution cue introduces (tail of CUE_OF), and how many of them
    some predicted claim overlaps: the issue's 'no attributed claim is missed' target."""
    cue_of = {r["tail"] for r in gold.get("relations", []) if r["type"] == "CUE_OF"}
    claims = [c for c in gold.get("claims", []) if c["id"] in cue_of]
    covered = sum(any(_overlap(c, p) for p in pred.get("claims", [])) for c in claims)
    return covered, len(claims)


def _attribute_agreement(pred: Record, gold: Record) -> dict[str, tuple[int, int]]:
    """On overlap-matched claims, how often each attribute's suggested value is the gold one."""
    p, g = pred.get("claims", []), gold.get("claims", [])
    pairs = match_spans(p, g, mode="overlap")
    attributes = ("source_kind", "attribution_kind", "factuality", "check_worthiness")
    return {a: (sum(p[i].get(a) == g[j].get(a) for i, j in pairs), len(pairs)) for a in attributes}


def format_table(evaluation: Evaluation) -> str:
    """A fixed-width table, one row per layer/label/mode, then the coverage and agreement."""
    header = f"{'layer':<10} {'label':<17} {'match':<8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}"
    lines = [header, "-" * len(header)]
    lines.extend(
        f"{s.layer:<10} {s.label:<17} {s.mode:<8} {s.precision:>6.3f} {s.recall:>6.3f} "
        f"{s.f1:>6.3f} {s.true_positives:>5} {s.predicted:>5} {s.gold:>5}"
        for s in evaluation.scores
    )
    covered, total = evaluation.attributed_claims_covered
    lines.append("")
    lines.append(f"documents: {evaluation.documents}")
    if evaluation.gold_adjudicated:
        lines.append(
            f"documents whose gold was chosen among several annotations (export's gold policy): "
            f"{evaluation.gold_adjudicated}"
        )
    if evaluation.gold_undecided:
        lines.append(
            "documents left without gold (every annotation skipped, or no policy step decided), "
            f"not scored: {', '.join(evaluation.gold_undecided)}"
        )
    lines.append(
        f"gold claims with an attribution cue overlapped by a candidate: {covered}/{total}"
    )
    for attribute, (agree, matched) in evaluation.attribute_agreement.items():
        lines.append(f"claim {attribute} agreement on overlap-matched claims: {agree}/{matched}")
    for name, ids in (
        ("predicted", evaluation.unpaired_predicted),
        ("gold", evaluation.unpaired_gold),
    ):
        if ids:
            lines.append(f"{name} documents without a pair: {', '.join(ids)}")
    return "\n".join(lines)
