"""Pre-annotation throughput against bare spaCy, same texts, same run (issue 4 item 7).

Documents are made from the seed article's lines, shuffled with a fixed seed. "bare" is
``nlp.pipe`` over the documents' texts with the same pipeline, with spaCy's default batch
size and with ours; "ours" is ``preannotate_stream`` (segmentation, apostrophe fix, spaCy,
entities, cues, claims, relations) in one process. Each is timed ``--repeat`` times,
alternating. Times are CPU seconds of this process (``time.process_time``): the machine is
shared, and wall time moved by 20% between runs. The ratio is taken in each round against
that round's fastest bare variant, and the median of the rounds is reported (a busy machine
slows a whole round, which a ratio within the round cancels; best-of-N mixes rounds), with
the ratio of the best times beside it. Target: overhead <= 15%.

Between passes the machine's state changes (on the shared 2-core machine of issue 10, per
round ratios of one quiet run went from 1.04 to 1.33), so the benchmark also splits the
``preannotate_stream`` pass itself: CPU time inside spaCy's ``pipe`` (a probe on this
pipeline's ``pipe``, timing each ``next``) against the rest (segmentation, rules, records).
spaCy and the rules interleave batch by batch there, so a slower machine slows both alike:
"added / spaCy in the same pass" is the steadier estimate of the overhead.

    .venv/bin/python bench/bench_preannotate.py --docs 400
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotate_kit.preannotate.core import BATCH_SIZE, Preannotator, preannotate_batch
from annotate_kit.preannotate.stream import preannotate_stream
from annotate_kit.scheme.records import new_record

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kremlin-emissaires-americains.fr.txt"


def make_documents(count: int) -> list[dict]:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(4)
    docs = []
    for i in range(count):
        chosen = rng.sample(lines, k=min(len(lines), rng.randint(5, 10)))
        docs.append(new_record(text="\n".join(chosen) + f"\nDocument {i}.", lang="fr"))
    return docs


def rounds(repeat: int, runs: dict) -> list[dict[str, float]]:
    """CPU seconds of every run, round by round (the runs alternate within a round)."""
    found = []
    for _ in range(repeat):
        times = {}
        for name, run in runs.items():
            start = time.process_time()
            run()
            times[name] = time.process_time() - start
        found.append(times)
    return found


class PipeProbe:
    """CPU seconds spent inside ``nlp.pipe``'s iteration, summed over calls."""

    def __init__(self, nlp: Any) -> None:
        self.pipe = nlp.pipe
        self.seconds = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        stream = self.pipe(*args, **kwargs)
        while True:
            start = time.process_time()
            doc = next(stream, None)
            self.seconds += time.process_time() - start
            if doc is None:
                return
            yield doc


def ratio(times: dict[str, float]) -> float:
    """Ours against the fastest bare variant of the same times."""
    return times["preannotate_stream"] / min(v for k, v in times.items() if k.startswith("bare"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--records-per-batch", type=int, default=64)
    args = parser.parse_args()

    pre = Preannotator(lang="fr")
    nlp = pre.kit("fr").nlp
    docs = make_documents(args.docs)
    texts = [d["text"] for d in docs]
    words = sum(len(t.split()) for t in texts)
    preannotate_batch(docs[:8], preannotator=pre)  # warm-up both paths
    list(nlp.pipe(texts[:8]))

    def bare_default() -> None:
        for _ in nlp.pipe(texts):
            pass

    def bare_same_batch() -> None:
        for _ in nlp.pipe(texts, batch_size=BATCH_SIZE):
            pass

    probe = PipeProbe(nlp)
    inside: list[tuple[float, float]] = []  # (spaCy, total) CPU seconds of each ours() pass

    def ours() -> None:
        nlp.pipe = probe  # an instance attribute: preannotate_batch calls kit.nlp.pipe
        probe.seconds = 0.0
        start = time.process_time()
        try:
            stream = preannotate_stream(docs, batch_size=args.records_per_batch, preannotator=pre)
            for _ in stream:
                pass
        finally:
            del nlp.pipe
        inside.append((probe.seconds, time.process_time() - start))

    runs = {
        "bare nlp.pipe (default batch)": bare_default,
        f"bare nlp.pipe (batch {BATCH_SIZE})": bare_same_batch,
        "preannotate_stream": ours,
    }
    measured = rounds(args.repeat, runs)
    best = {name: min(r[name] for r in measured) for name in runs}
    print(f"{len(docs)} documents, {words} words, {pre.model_version('fr')}")
    for name, seconds in best.items():
        print(f"{name:<32} {seconds:7.2f} CPU s  {words / seconds:8.0f} words/s (best)")
    medians = {name: statistics.median(r[name] for r in measured) for name in runs}
    per_round = [ratio(r) for r in measured]
    print("ratio per round: " + " ".join(f"{r:.3f}" for r in per_round))
    middle = statistics.median(per_round)
    print(
        f"ratio ours/fastest bare: median of rounds {middle:.3f} (overhead "
        f"{100 * (middle - 1):+.1f}%, target <= +15%); of median times {ratio(medians):.3f}; "
        f"of best times {ratio(best):.3f}"
    )
    added = [(total - spacy) / spacy for spacy, total in inside]
    spacy_s = statistics.median(s for s, _ in inside)
    print(
        f"inside preannotate_stream: spaCy {spacy_s:.2f} CPU s, ours "
        f"{statistics.median(t - s for s, t in inside):.2f} CPU s (medians); added / spaCy per "
        f"pass: " + " ".join(f"{a:+.1%}" for a in added)
    )
    print(f"overhead, same pass: median {statistics.median(added):+.1%} (target <= +15%)")


if __name__ == "__main__":
    main()
