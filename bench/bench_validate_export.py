"""Validate and export a generated corpus shaped like the seed gold; compare with bare baselines.

Prints records/s for annotate-kit and, in the same run, for the bare baselines the issue
names: json.loads + jsonschema-rs for validate, json.loads + pyarrow ParquetWriter for export;
and both with --workers 2 (wall clock: the point is using both cores).
Peak memory is measured in a fresh process per corpus size, to show it stays flat.

    .venv/bin/python bench/bench_validate_export.py --records 20000
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "seeds" / "kremlin-emissaires-americains.fr.gold.jsonl"


def make_corpus(path: Path, count: int) -> None:
    from annotate_kit.scheme.records import doc_id_for, text_sha256

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    with path.open("w", encoding="utf-8") as out:
        for number in range(count):
            text = gold["text"] + f"\n[{number}]"  # spans are before the suffix: offsets unchanged
            record = {
                **gold,
                "text": text,
                "doc_id": doc_id_for(text),
                "text_sha256": text_sha256(text),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def bare_validate(path: Path) -> int:
    import jsonschema_rs

    from annotate_kit.scheme.schema import load_scheme

    validator = jsonschema_rs.Draft202012Validator(load_scheme().validator_schema())
    valid = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            valid += validator.is_valid(json.loads(line))
    return valid


def bare_export(path: Path, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    batch: list[dict] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            batch.append(json.loads(line))
            if len(batch) == 1000:
                table = pa.Table.from_pylist(batch)
                writer = writer or pq.ParquetWriter(out, table.schema)
                writer.write_table(table)
                batch.clear()
    if batch:
        table = pa.Table.from_pylist(batch)
        writer = writer or pq.ParquetWriter(out, table.schema)
        writer.write_table(table)
    writer.close()


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def medians(runs: int, **contenders) -> dict[str, float]:
    """Median seconds of each contender, run in turns (so a noisy minute hits all of them)."""
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, function in contenders.items():
            seconds[name].append(timed(function))
    return {name: statistics.median(values) for name, values in seconds.items()}


def peak_rss_mb(count: int) -> float:
    """Peak RSS of a fresh process that exports a corpus of ``count`` records.

    Read from /proc/self/status (VmHWM): ru_maxrss survives exec, so a child started by a
    large parent would report the parent's peak (this process's, which ran every benchmark).
    """
    code = (  # noqa: UP031 - the snippet itself contains braces
        "import sys, tempfile, pathlib; sys.path.insert(0, %r)\n"
        "import bench_validate_export as b\n"
        "from annotate_kit.export.dataset import export_dataset\n"
        "with tempfile.TemporaryDirectory() as folder:\n"
        "    d = pathlib.Path(folder); p = d / 'c.jsonl'; b.make_corpus(p, %d)\n"
        "    export_dataset([p], out=d / 'ds')\n"
        "status = pathlib.Path('/proc/self/status').read_text()\n"
        "print(int(status.split('VmHWM:')[1].split()[0]) / 1024)\n"
    ) % (str(Path(__file__).parent), count)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3, help="median of this many runs")
    parser.add_argument("--memory", action="store_true", help="also measure peak RSS at two sizes")
    args = parser.parse_args()

    from annotate_kit.export.dataset import export_dataset
    from annotate_kit.validate.paths import validate_paths

    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    spans = sum(len(gold[k]) for k in ("entities", "claims", "cues"))
    with tempfile.TemporaryDirectory() as folder:
        corpus, small = Path(folder) / "corpus.jsonl", Path(folder) / "small.jsonl"
        make_corpus(corpus, args.records)
        make_corpus(small, 50)
        n = args.records
        print(
            f"{n} records shaped like the seed gold ({spans} spans, {len(gold['relations'])} "
            f"relations each); median of {args.runs} runs each, taken in turns"
        )
        # warm-up: imports (pyarrow, datasets), the validators, the page cache
        bare_validate(corpus)
        bare_export(small, Path(folder) / "warm.parquet")
        export_dataset([small], out=Path(folder) / "warm")
        report = validate_paths([corpus])
        if report.valid != n:
            raise SystemExit(f"corpus should be valid: {report.problems[:3]}")

        v = medians(
            args.runs,
            bare=lambda: bare_validate(corpus),
            one=lambda: validate_paths([corpus]),
            two=lambda: validate_paths([corpus], workers=2),
        )
        print(
            f"validate: annotate-kit {n / v['one']:,.0f} records/s ({n * spans / v['one']:,.0f} "
            f"spans/s) in one process; bare json+jsonschema-rs {n / v['bare']:,.0f} records/s; "
            f"ratio {v['one'] / v['bare']:.2f}x"
        )
        print(
            f"validate --workers 2 (what auto picks here): {n / v['two']:,.0f} records/s "
            f"({n * spans / v['two']:,.0f} spans/s, process start-up included); "
            f"{v['bare'] / v['two']:.2f}x the bare single-process rate"
        )
        runs = iter(range(10**6))
        x = medians(
            args.runs,
            bare=lambda: bare_export(corpus, Path(folder) / "bare.parquet"),
            ours=lambda: export_dataset([corpus], out=Path(folder) / f"ds{next(runs)}"),
            two=lambda: export_dataset([corpus], out=Path(folder) / f"ds{next(runs)}", workers=2),
        )
        print(
            f"export: annotate-kit {n / x['ours']:,.0f} records/s in one process (validation and "
            f"three configs included); bare json+pyarrow {n / x['bare']:,.0f} records/s; "
            f"ratio {x['ours'] / x['bare']:.2f}x"
        )
        print(
            f"export --workers 2 (what auto picks here): {n / x['two']:,.0f} records/s; "
            f"ratio {x['two'] / x['bare']:.2f}x"
        )
    if args.memory:
        small, large = peak_rss_mb(n // 4), peak_rss_mb(n)
        print(
            f"export peak RSS (fresh process each): {small:.0f} MB at {n // 4} records, "
            f"{large:.0f} MB at {n} records"
        )
    print(
        f"(peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
