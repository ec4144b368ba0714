"""convert --preannotate streams: peak memory stays flat from 10k to 100k documents (issue 4).

Each size runs ``annotate-kit convert IN.jsonl -o OUT.jsonl --preannotate`` in a fresh
process (one worker) and reads that process's peak RSS; documents are one or two sentences
of the seed article plus a number, so every one is unique and nothing is deduplicated. The
baseline, in the same run, is what a converter that first reads its input into a list would
hold: the peak RSS of a fresh process that loads the same spaCy pipeline and keeps the
documents in memory (before any pre-annotation). Throughput is documents/s of the whole
command, spaCy's load included.

    .venv/bin/python bench/bench_convert_stream.py --docs 100000
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kremlin-emissaires-americains.fr.txt"
CLI = Path(sys.executable).parent / "annotate-kit"

PEAK = "import resource; print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)"


def write_documents(path: Path, count: int) -> int:
    """Write ``count`` generated documents as JSONL, one at a time; return the word count."""
    text = SEED.read_text(encoding="utf-8")
    sentences = [s.strip() + "." for s in text.replace("\n", " ").split(". ") if len(s) > 40]
    rng = random.Random(8)
    words = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            doc = " ".join(rng.sample(sentences, k=rng.randint(1, 2))) + f" (dépêche {number})"
            words += len(doc.split())
            out.write(json.dumps({"text": doc, "lang": "fr"}, ensure_ascii=False) + "\n")
    return words


def peak_of(command: list[str]) -> tuple[float, float]:
    """Run ``command`` as the only child of a fresh Python; (seconds, its peak RSS in MB)."""
    code = (
        f"import subprocess, sys; subprocess.run({command!r}, check=True, "
        "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n" + PEAK
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return time.perf_counter() - start, float(done.stdout.strip().splitlines()[-1])


def holding_all(source: Path) -> list[str]:
    """The baseline: spaCy loaded and every document held in a list."""
    code = (
        "import json, sys\n"
        "from annotate_kit.preannotate import Preannotator\n"
        "Preannotator(lang='fr').kit('fr')\n"
        f"docs = [json.loads(line) for line in open({str(source)!r}, encoding='utf-8')]\n"
        "print(len(docs))\n"
    )
    return [sys.executable, "-c", code]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="the large size; small = /10")
    args = parser.parse_args()
    sizes = (args.docs // 10, args.docs)
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as folder:
        rows = []
        for size in sizes:
            source = Path(folder) / f"docs-{size}.jsonl"
            words = write_documents(source, size)
            out = Path(folder) / f"tasks-{size}.jsonl"
            command = [str(CLI), "convert", str(source), "-o", str(out), "--preannotate"]
            seconds, peak = peak_of([*command, "--lang", "fr", "--no-progress"])
            with out.open(encoding="utf-8") as handle:
                tasks = sum(1 for _ in handle)
            if tasks != size:
                raise SystemExit(f"{size} documents in, {tasks} tasks out")
            _, held = peak_of(holding_all(source))
            rows.append((size, words, seconds, peak, held))
            out.unlink()
    for size, words, seconds, peak, held in rows:
        print(
            f"{size:>7} documents ({words:,} words): {seconds:6.1f} s, {size / seconds:5.0f} docs/s; "
            f"peak RSS {peak:5.0f} MB (baseline holding the documents: {held:5.0f} MB)"
        )
    (small, *_, small_peak, small_held), (large, *_, large_peak, large_held) = rows
    print(
        f"peak RSS x{large_peak / small_peak:.2f} for x{large // small} documents "
        f"(baseline x{large_held / small_held:.2f})"
    )


if __name__ == "__main__":
    main()
