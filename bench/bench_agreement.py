"""Agreement over a generated corpus of N documents x 3 annotators; growth and a naive baseline.

Each document is the seed article's gold (26 entities, 35 claims, 28 cues, 52 relations)
as three annotators might have made it: some spans shifted by a few characters, relabelled,
dropped or added, some claim attributes changed. Timed in one run:
- annotate-kit: every metric (span F1 exact and overlap per layer and label, relations,
  alpha_U per document, kappa and alpha on attributes) via AgreementBuilder;
- annotate-kit span F1 only (exact + overlap matching of spans), to compare like with like;
- a naive all-pairs matcher: every span of one annotator against every span of the other,
  greedy in list order (what a first implementation does), F1 exact and overlap.
Growth from the smaller to the larger corpus should be ~10x for 10x the documents (linear).

    .venv/bin/python bench/bench_agreement.py            # 1,000 and 10,000 documents
    .venv/bin/python bench/bench_agreement.py --docs 200 2000
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import random
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

from annotate_kit.agreement.matching import overlap_matches
from annotate_kit.agreement.spans import AgreementBuilder, agreement_views
from annotate_kit.scheme.schema import load_scheme

ROOT = Path(__file__).resolve().parents[1]
GOLD = json.loads(
    (ROOT / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl").read_text("utf-8")
)
ANNOTATORS = ("alice", "bob", "chloe")
LAYERS = ("entities", "claims", "cues")


def article(copies: int) -> dict:
    """The seed gold, its text repeated `copies` times (a longer document, more spans)."""
    joined = copy.deepcopy(GOLD)
    step = len(GOLD["text"]) + 1
    joined["text"] = "\n".join([GOLD["text"]] * copies)
    for layer in LAYERS:
        joined[layer] = [
            {
                **span,
                "id": f"{span['id']}.{c}",
                "start": span["start"] + c * step,
                "end": span["end"] + c * step,
            }
            for c in range(copies)
            for span in GOLD[layer]
        ]
    joined["relations"] = [
        {**r, "id": f"{r['id']}.{c}", "head": f"{r['head']}.{c}", "tail": f"{r['tail']}.{c}"}
        for c in range(copies)
        for r in GOLD["relations"]
    ]
    return joined


def annotate(rng: random.Random, doc: int, who: str, base: dict) -> dict:
    """The gold as one annotator made it: ~10% of spans perturbed in some way."""
    record = copy.deepcopy(base)
    record["doc_id"] = f"doc-{doc:06d}"
    record["annotation"] = {"id": f"{doc}-{who}", "annotator": who, "origin": "manual"}
    length = len(record["text"])
    for layer in LAYERS:
        kept = []
        for span in record[layer]:
            roll = rng.random()
            if roll < 0.03:
                continue  # missed
            if roll < 0.08:
                span["start"] = max(0, span["start"] + rng.randint(-3, 3))
                span["end"] = min(length, max(span["start"] + 1, span["end"] + rng.randint(-3, 3)))
            elif roll < 0.11 and "label" in span:
                span["label"] = rng.choice(
                    ("PER", "ORG", "LOC", "MISC") if layer == "entities" else ("HEDGE", "EPISTEMIC")
                )
            elif roll < 0.16 and layer == "claims":
                span["factuality"] = rng.choice(("CT+", "PR+", "PS+", "Uu"))
            kept.append(span)
        if rng.random() < 0.3:  # an extra span somewhere
            start = rng.randrange(0, length - 20)
            extra = {
                "id": f"x{layer}",
                "start": start,
                "end": start + rng.randint(3, 15),
                "text": "…",
            }
            extra.update({"label": "MISC"} if layer == "entities" else {"label": "HEDGE"} if layer == "cues" else {
                "source_kind": "AUTHOR", "attribution_kind": "NONE", "factuality": "CT+", "check_worthiness": "UFS"})  # fmt: skip
            kept.append(extra)
        record[layer] = kept
    ids = {s["id"] for layer in LAYERS for s in record[layer]}
    record["relations"] = [r for r in record["relations"] if r["head"] in ids and r["tail"] in ids]
    return record


def corpus(documents: int, copies: int = 1, seed: int = 1) -> tuple[list[int], list[list], float]:
    """Text lengths and annotation views per document (records are dropped once viewed, as
    the command does), and the seconds spent turning records into views."""
    rng = random.Random(seed)  # noqa: S311 - test data
    scheme = load_scheme()
    base = article(copies)
    lengths, views, viewing = [], [], 0.0
    for doc in range(documents):
        group = [annotate(rng, doc, who, base) for who in ANNOTATORS]
        started = time.perf_counter()
        views.append(agreement_views(group, scheme))
        viewing += time.perf_counter() - started
        lengths.append(len(group[0]["text"]))
    gc.collect()
    gc.freeze()  # the corpus is held for the whole run; keep the collector from rescanning it
    return lengths, views, viewing


def full_agreement(lengths: list[int], views: list) -> tuple[float, object]:
    started = time.perf_counter()
    builder = AgreementBuilder()
    for length, doc_views in zip(lengths, views, strict=True):
        builder.add(length, doc_views)
    report = builder.result()
    return time.perf_counter() - started, report


def fast_f1(views: list) -> tuple[float, Counter]:
    """annotate-kit's span matching alone: exact by multiset, overlap by the sweep."""
    started = time.perf_counter()
    totals: Counter = Counter()
    for doc_views in views:
        for a, b in combinations(doc_views, 2):
            for layer in LAYERS:
                for label in {s[2] for s in a.spans[layer]} | {s[2] for s in b.spans[layer]}:
                    mine = [s[:2] for s in a.spans[layer] if s[2] == label]
                    theirs = [s[:2] for s in b.spans[layer] if s[2] == label]
                    totals["spans"] += len(mine) + len(theirs)
                    totals["exact"] += (Counter(mine) & Counter(theirs)).total()
                    totals["overlap"] += len(overlap_matches(mine, theirs))
    return time.perf_counter() - started, totals


def naive_f1(views: list) -> tuple[float, Counter]:
    """Every span against every span of the other annotator, first match in list order."""
    started = time.perf_counter()
    totals: Counter = Counter()
    for doc_views in views:
        for a, b in combinations(doc_views, 2):
            for layer in LAYERS:
                mine, theirs = a.spans[layer], b.spans[layer]
                totals["spans"] += len(mine) + len(theirs)
                used_exact: set[int] = set()
                used_overlap: set[int] = set()
                for s in mine:
                    exact = overlap = False
                    for j, t in enumerate(theirs):
                        if s[2] != t[2]:
                            continue
                        if not exact and j not in used_exact and s[:2] == t[:2]:
                            used_exact.add(j)
                            exact = True
                        if not overlap and j not in used_overlap and s[0] < t[1] and t[0] < s[1]:
                            used_overlap.add(j)
                            overlap = True
                    totals["exact"] += exact
                    totals["overlap"] += overlap
    return time.perf_counter() - started, totals


def run(documents: int, copies: int = 1) -> dict:
    lengths, views, prepare = corpus(documents, copies)
    spans = sum(len(v.spans[layer]) for doc in views for v in doc for layer in LAYERS)
    full, report = full_agreement(lengths, views)
    fast, fast_totals = fast_f1(views)
    naive, naive_totals = naive_f1(views)
    if fast_totals["exact"] != naive_totals["exact"]:  # exact matching cannot differ
        raise RuntimeError(f"exact matches differ: {fast_totals} vs {naive_totals}")
    del views
    gc.unfreeze()
    gc.collect()
    return {
        "copies": copies,
        "documents": documents,
        "spans": spans,
        "prepare": prepare,
        "full": full,
        "fast": fast,
        "naive": naive,
        "overlap_fast": fast_totals["overlap"],
        "overlap_naive": naive_totals["overlap"],
        "entities_f1": report.overall.row("entities").overlap_f1,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--copies",
        type=int,
        nargs="+",
        default=[1, 4, 16],
        help="Then the same spans in fewer, longer documents: the article repeated k times.",
    )
    args = parser.parse_args()
    print(f"Documents of one article, 3 annotators ({', '.join(map(str, args.docs))} documents)")
    table([run(n) for n in args.docs], "documents")
    total = min(args.docs)
    print(f"\nThe spans of {total} articles in longer documents (k articles each, 3 annotators)")
    table([run(max(1, total // k), k) for k in args.copies], "copies")


def table(results: list[dict], axis: str) -> None:
    print(
        f"{'copies':>6} {'documents':>9} {'spans':>9} {'views s':>8} {'all metrics s':>14} {'F1 only s':>10} {'naive F1 s':>11} {'naive/ours':>11} {'spans/s (all)':>14}"
    )
    for r in results:
        print(
            f"{r['copies']:>6} {r['documents']:>9} {r['spans']:>9} {r['prepare']:>8.2f} {r['full']:>14.2f} {r['fast']:>10.2f} "
            f"{r['naive']:>11.2f} {r['naive'] / r['fast']:>10.1f}x {r['spans'] / r['full']:>14,.0f}"
        )
        if r["overlap_fast"] != r["overlap_naive"]:
            print(
                f"                 overlap matches: {r['overlap_fast']} (largest overlap first) vs {r['overlap_naive']} (naive, list order)"
            )
    if len(results) > 1:
        first, last = results[0], results[-1]
        scale = last[axis] / first[axis]
        print(
            f"growth {first[axis]} -> {last[axis]} {axis} ({scale:.0f}x): "
            f"all metrics {last['full'] / first['full']:.1f}x, F1 only {last['fast'] / first['fast']:.1f}x, "
            f"naive {last['naive'] / first['naive']:.1f}x"
        )


if __name__ == "__main__":
    main()
