"""Validate and export a generated corpus shaped like the seed gold; compare with bare baselines.

Prints records/s for annotate-kit and, in the same run, for the bare baselines the issues
name: json.loads + jsonschema-rs for validate; for export, json.loads + pyarrow ParquetWriter
of the records as they are (the old baseline: one table, inferred schema, no labels to map),
and the fair baseline (issue 14): bare pyarrow writing the *same three configs' tables*
(`default`, `annotations`, `bio`: the Arrow schemas of the features modules, the same row
groups and writer options; the files are the export's byte for byte, which the run checks)
from rows prepared in memory beforehand, so that it times only building the tables and
writing Parquet. Export runs with one worker and with what `--workers auto` picks for the
corpus (wall clock: the point is using both cores); validate with one and two workers.
Peak memory is measured in a fresh process per corpus size, to show it stays flat.

    .venv/bin/python bench/bench_validate_export.py --records 20000
"""

from __future__ import annotations

import argparse
import filecmp
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def export_schemas() -> dict[str, Any]:
    """config -> the Arrow schema export writes it with, from the features modules."""
    from datasets import Features

    from annotate_kit.agreement.adjudicate import provenance_feature
    from annotate_kit.export.bio import bio_features
    from annotate_kit.export.features import record_features

    spans = record_features()
    return {
        "default": Features({**spans, "gold": provenance_feature()}).arrow_schema,
        "annotations": spans.arrow_schema,
        "bio": bio_features().arrow_schema,
    }


class Prepared:
    """One file of the fair baseline: its rows as plain Python values, ready for pyarrow."""

    def __init__(self, name: str, schema: Any, rows: list[dict], groups: list[int]) -> None:
        from annotate_kit.export.features import storage_schema
        from annotate_kit.export.shards import FREE_TEXT, parquet_columns

        self.name = name
        self.schema = schema  # with the Json extension type, as the files hold it
        self.storage = storage_schema(schema)  # what from_pylist builds (then cast to schema)
        self.rows = rows
        self.groups = groups  # rows per row group, as the export wrote them
        # the export's writer options: no min/max statistics of free text
        self.statistics = [
            c for c in parquet_columns(schema) if c.rsplit(".", 1)[-1] not in FREE_TEXT
        ]


def prepare_fair(dataset: Path) -> list[Prepared]:
    """The rows of every file annotate-kit's export wrote to ``dataset``, read back.

    Values are the tables' storage (ClassLabels as ids, Json as text): what a bare writer
    that mapped labels itself would hold. A value equal to the previous row's is that same
    object (shared): the corpus repeats one article, and 20k copies of it would take
    gigabytes; pyarrow converts a shared object as often as it appears, so the time is the same.
    """
    import pyarrow.parquet as pq

    from annotate_kit.export.features import storage_schema

    prepared = []
    for config, schema in export_schemas().items():
        previous: Any = None
        for file in sorted((dataset / "data" / config).glob("*.parquet")):
            handle = pq.ParquetFile(file)
            table = handle.read()
            if not table.schema.equals(schema, check_metadata=False):
                raise SystemExit(f"{file.name}: not the schema of the features module")
            rows = []
            for row in table.cast(storage_schema(schema)).to_pylist():
                previous = _shared(row, previous)
                rows.append(previous)
            groups = [handle.metadata.row_group(i).num_rows for i in range(handle.num_row_groups)]
            prepared.append(Prepared(f"{config}-{file.name}", schema, rows, groups))
    return prepared


def _shared(value: Any, previous: Any) -> Any:
    """``value``, with every part equal to the same part of ``previous`` taken from it."""
    if type(value) is type(previous) and value == previous:
        return previous
    if isinstance(value, dict) and isinstance(previous, dict):
        return {k: _shared(v, previous.get(k)) for k, v in value.items()}
    if isinstance(value, list) and isinstance(previous, list):
        head = [_shared(v, p) for v, p in zip(value, previous, strict=False)]
        return head + value[len(head) :]
    return value


def fair_export(prepared: list[Prepared], out: Path) -> None:
    """Bare pyarrow: the three configs' tables, built from the prepared rows, into Parquet."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out.mkdir(exist_ok=True)
    for file in prepared:
        with pq.ParquetWriter(
            out / file.name, file.schema, write_statistics=file.statistics
        ) as writer:
            start = 0
            for size in file.groups:
                batch = file.rows[start : start + size]
                writer.write_table(
                    pa.Table.from_pylist(batch, schema=file.storage).cast(file.schema)
                )
                start += size


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

    from annotate_kit.cli._support import auto_workers
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
        workers = auto_workers([corpus])
        prepare = Path(folder) / "prepare"
        export_dataset([corpus], out=prepare)
        prepared = prepare_fair(prepare)  # the files export writes, as rows in memory
        fair_export(prepared, Path(folder) / "fair")  # warm-up, and the proof it is fair:
        for file in prepared:  # the very files export wrote, byte for byte
            config, name = file.name.split("-", 1)
            if not filecmp.cmp(prepare / "data" / config / name, Path(folder) / "fair" / file.name):
                raise SystemExit(f"the fair baseline's {file.name} is not the export's")
        shutil.rmtree(prepare)
        runs = iter(range(10**6))

        def export(workers: int) -> None:
            export_dataset([corpus], out=Path(folder) / f"ds{next(runs)}", workers=workers)

        contenders = {
            "bare": lambda: bare_export(corpus, Path(folder) / "bare.parquet"),
            "fair": lambda: fair_export(prepared, Path(folder) / "fair"),
            "ours": lambda: export(1),
        }
        if workers > 1:
            contenders["auto"] = lambda: export(workers)
        x = medians(args.runs, **contenders)
        x.setdefault("auto", x["ours"])
        print(
            f"export: annotate-kit {n / x['ours']:,.0f} records/s in one process (validation and "
            f"three configs included); bare json+pyarrow {n / x['bare']:,.0f} records/s; "
            f"ratio {x['ours'] / x['bare']:.2f}x"
        )
        print(
            f"export --workers auto ({workers} here): {n / x['auto']:,.0f} records/s; "
            f"ratio {x['auto'] / x['bare']:.2f}x"
        )
        print(
            f"fair baseline, bare pyarrow writing the three configs' tables from rows in memory: "
            f"{n / x['fair']:,.0f} records/s; export ratio {x['auto'] / x['fair']:.2f}x with "
            f"--workers auto ({workers}), {x['ours'] / x['fair']:.2f}x with 1 worker (target 1.5x)"
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
