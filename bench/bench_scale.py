"""Throughput of convert --preannotate: local workers vs Ray local mode, same texts, same run.

Documents are French paragraphs built from the seed article's sentences (each one unique, so
nothing is deduplicated). The baseline is single-process ``nlp.pipe`` over the same texts with
the same pipeline; every other line is a whole ``convert`` call writing Parquet shards (read,
pre-annotate, write, fixed costs included: spaCy loads, process and actor start-up), timed
on the wall clock, since the point is using several cores. Each configuration runs in a fresh
process, so each pays its own fixed costs; Ray's start-up (``ray.init``) is timed apart. Ray
gets N+1 CPUs for a pool of N actors (a pool that takes every CPU can hang, FACTS.md); with
2 actors on a two-core machine that is 3 logical CPUs, one left for the writes.

    .venv/bin/python bench/bench_scale.py --docs 8000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from annotate_kit.documents.convert import convert
from annotate_kit.preannotate.core import Preannotator

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kremlin-emissaires-americains.fr.txt"


def make_paragraphs(count: int) -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    rng = random.Random(6)
    return [
        " ".join(rng.sample(sentences, k=rng.randint(2, 3))) + f" (dépêche {i})"
        for i in range(count)
    ]


def run_config(name: str, source: Path, out: Path, batch_size: int) -> dict[str, float]:
    """One configuration, in this (fresh) process: seconds of its work, and of ray.init."""
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    result = {"init": 0.0}
    if name == "pipe":
        texts = [json.loads(line)["text"] for line in source.read_text("utf-8").splitlines()]
        start = time.perf_counter()
        nlp = Preannotator(lang="fr").kit("fr").nlp
        result["load"] = time.perf_counter() - start
        start = time.perf_counter()
        for _ in nlp.pipe(texts):
            pass
        result["seconds"] = time.perf_counter() - start
        return result
    engine, count = name.split("-")
    options: dict = {"workers": int(count)}
    if engine == "ray":
        import ray

        cpus = int(count) + 1  # the pool leaves one (logical) CPU free: FACTS.md
        start = time.perf_counter()
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.WARNING)
        result["init"] = time.perf_counter() - start
        options["engine"] = "ray"
    start = time.perf_counter()
    convert(
        [source],
        out=out,
        fmt="parquet",
        preannotate=True,
        lang="fr",
        batch_size=batch_size,
        **options,
    )
    result["seconds"] = time.perf_counter() - start
    return result


CONFIGS = {
    "pipe": "nlp.pipe, 1 process (baseline)",
    "local-1": "convert --workers 1",
    "local-2": "convert --workers 2",
    "ray-1": "--engine ray: 2 CPUs, 1 actor",
    "ray-2": "--engine ray: 3 logical CPUs, 2 actors",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=8000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--config", choices=CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.config:  # a child: run one configuration, print its times as JSON
        out = args.input.parent / args.config
        print(json.dumps(run_config(args.config, args.input, out, args.batch_size)))
        return

    texts = make_paragraphs(args.docs)
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    source = work / "paragraphs.jsonl"
    lines = (json.dumps({"text": t, "lang": "fr"}, ensure_ascii=False) for t in texts)
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    words = sum(len(t.split()) for t in texts)
    times = {}
    for config in CONFIGS:  # each in a fresh process: fixed costs counted the same way
        command = [sys.executable, __file__, "--config", config, "--input", str(source)]
        command += ["--batch-size", str(args.batch_size)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        times[config] = json.loads(done.stdout.strip().splitlines()[-1])

    print(f"{args.docs} paragraphs, {words} words, {os.cpu_count()} cores, batch {args.batch_size}")
    baseline = times["pipe"]["seconds"]
    print(f"spaCy load (not in the baseline): {times['pipe']['load']:.1f} s")
    for config, name in CONFIGS.items():
        seconds = times[config]["seconds"]
        line = f"{name:<40} {seconds:7.1f} s {args.docs / seconds:6.0f} docs/s  x{baseline / seconds:.2f}"
        if times[config]["init"]:
            line += f"  (+ ray.init {times[config]['init']:.1f} s)"
        print(line)


if __name__ == "__main__":
    main()
