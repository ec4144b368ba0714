"""The cheap benchmarks, on two checkouts of annotate-kit in one session, in turns; new/old ratios.

Each checkout runs its own bench/ scripts against its own src/ (PYTHONPATH), so a layout change
that renamed modules can be compared with the layout before it; rounds alternate (old, new,
old, new...) so that a noisy minute on a shared machine hits both. Prints every figure of
every run, then per figure the median of each side and the ratio new/old, where above 1
means the new checkout is faster (for times, old/new).

    git worktree add /some/where/before 780908a
    .venv/bin/python bench/compare_layouts.py /some/where/before . --rounds 2
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

# script, arguments, [(figure, pattern whose group 1 is the number, higher is better)]
NUMBER = r"([\d,.]+)"
BENCHES = [
    (
        "bench_validate_export.py",
        ["--records", "2000", "--runs", "3"],
        [
            ("validate, 1 process (records/s)", rf"^validate: annotate-kit {NUMBER} records/s", 1),
            ("validate --workers 2 (records/s)", rf"^validate --workers 2 .*?: {NUMBER} rec", 1),
            ("export, 1 process (records/s)", rf"^export: annotate-kit {NUMBER} records/s", 1),
            ("export --workers auto=2 (records/s)", rf"^export --workers \S+ .*?: {NUMBER} rec", 1),
            ("  bare json+pyarrow export (records/s)", rf"bare json\+pyarrow {NUMBER} rec", 1),
            # each against the bare baseline of its own run: steadier on a shared machine
            ("validate, 1 process / its bare run (x)", r"^validate: .*ratio ([\d.]+)x", 0),
            ("export, 1 process / its bare run (x)", r"^export: .*ratio ([\d.]+)x", 0),
            ("export --workers auto / its bare run (x)", r"^export --workers .*ratio ([\d.]+)x", 0),
        ],
    ),
    (
        "bench_agreement.py",
        ["--docs", "200", "1000"],
        [
            ("agreement, 1000 docs, all metrics (s)", r"^\s+1\s+1000\s+\d+\s+[\d.]+\s+([\d.]+)", 0),
            (
                "agreement, 1000 docs, F1 only (s)",
                r"^\s+1\s+1000\s+\d+\s+[\d.]+\s+[\d.]+\s+([\d.]+)",
                0,
            ),
            ("agreement, 16 copies, all metrics (s)", r"^\s+16\s+\d+\s+\d+\s+[\d.]+\s+([\d.]+)", 0),
        ],
    ),
    (
        "bench_preannotate.py",
        ["--docs", "100", "--repeat", "2"],
        [
            ("preannotate_stream (words/s)", rf"^preannotate_stream\s+[\d.]+ CPU s\s+{NUMBER}", 1),
            (
                "  bare nlp.pipe, batch 64 (words/s)",
                rf"^bare nlp.pipe \(batch.*?CPU s\s+{NUMBER}",
                1,
            ),
            ("preannotate_stream / its bare run (x)", r"^ratio ours/fastest bare: ([\d.]+)", 0),
        ],
    ),
    (
        "bench_convert_stream.py",
        ["--docs", "1000"],
        [
            (
                "convert --preannotate, 1000 docs (docs/s)",
                rf"^\s*1000 documents.*?s, +{NUMBER} docs/s",
                1,
            ),
            (
                "convert --preannotate, 1000 docs (peak MB)",
                rf"^\s*1000 documents.*?peak RSS +{NUMBER} MB",
                0,
            ),
        ],
    ),
]


def run(root: Path, script: str, arguments: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    command = [sys.executable, str(root / "bench" / script), *arguments]
    done = subprocess.run(command, check=False, cwd=root, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{root}: {script} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


HEADER = re.compile(r"^--- round \d+, (old|new): (\S+).*$", re.MULTILINE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, nargs="?", help="checkout before (its bench/ and src/)")
    parser.add_argument("new", type=Path, nargs="?", help="checkout after")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="these bench scripts only")
    parser.add_argument("--log", type=Path, help="summarise the output of an earlier run instead")
    args = parser.parse_args()
    benches = [b for b in BENCHES if not args.only or b[0] in args.only]
    if args.log:
        parts = HEADER.split(args.log.read_text(encoding="utf-8"))[1:]
        outputs = list(zip(parts[0::3], parts[1::3], parts[2::3], strict=True))
    elif args.old and args.new:
        outputs = runs(args.old.resolve(), args.new.resolve(), benches, args.rounds)
    else:
        parser.error("give two checkouts, or --log")
    summarise(outputs, benches)


def runs(old: Path, new: Path, benches: list, rounds: int) -> list[tuple[str, str, str]]:
    """(side, script, output) of every run, in turns; each output printed as it comes."""
    outputs = []
    for number in range(rounds):
        for side, root in (("old", old), ("new", new)):
            for script, arguments, _ in benches:
                output = run(root, script, arguments)
                print(f"--- round {number + 1}, {side}: {script} {' '.join(arguments)}")
                print(output, end="", flush=True)
                outputs.append((side, script, output))
    return outputs


def summarise(outputs: list[tuple[str, str, str]], benches: list) -> None:
    figures: dict[str, dict[str, list[float]]] = {}
    patterns = {script: found for script, _, found in benches}
    for side, script, output in outputs:
        for name, pattern, _ in patterns.get(script, []):
            found = re.search(pattern, output, re.MULTILINE)
            if found is not None:  # an older script may lack a figure
                value = float(found.group(1).replace(",", ""))
                figures.setdefault(name, {"old": [], "new": []})[side].append(value)
    print("\nmedians; ratio > 1: the new checkout is better (faster, or less memory)")
    print(f"{'figure':<46} {'old':>10} {'new':>10} {'new/old':>8}  per round")
    higher = {name: better for _, _, found in benches for name, _, better in found}
    for name, sides in figures.items():
        if not sides["old"] or not sides["new"]:
            continue
        old, new = statistics.median(sides["old"]), statistics.median(sides["new"])
        rounds = [
            n / o if higher[name] else o / n
            for o, n in zip(sides["old"], sides["new"], strict=False)
        ]
        ratio = new / old if higher[name] else old / new
        each = " ".join(f"{r:.2f}" for r in rounds)
        print(f"{name:<46} {old:>10,.2f} {new:>10,.2f} {ratio:>8.2f}  {each}")


if __name__ == "__main__":
    main()
