"""Push and pull 10,000 small tasks through a local Label Studio, against the bare SDK.

    .venv/bin/python bench/bench_labelstudio.py [--tasks 10000]

Starts its own server (a pre-migrated data dir is cached in .bench/, ~30 s the first time).
Push is compared with one bulk ``import_tasks`` call of the same tasks; pull (every task
carrying one annotation) with the SDK's plain paged listing (``tasks.list``, annotations
included). Targets (issue 3): push within 1.5x of the bulk import; pull >= 1,000 tasks/s.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import httpx
from label_studio_sdk import LabelStudio

from annotate_kit.labelstudio import server
from annotate_kit.labelstudio.config import labelstudio_config
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import DEFAULT_BATCH_SIZE, DEFAULT_PIECE_SIZE, pull, push

ROOT = Path(__file__).resolve().parents[1]
LOGIN = server.Login("bench@example.com", "bench-pass-123", "bench-token-0123456789abcdef")


def tasks(count: int, prefix: str, *, annotated: bool = False) -> list[dict]:
    made = []
    for i in range(count):
        text = f"Selon le Kremlin, la réunion {i} à Moscou a été « utile »."
        task = {"data": {"text": text, "doc_id": f"{prefix}-{i:06d}", "lang": "fr"}}
        if annotated:
            value = {"start": 9, "end": 16, "text": "Kremlin", "labels": ["ORG"]}
            region = {"id": "k", "from_name": "entities", "to_name": "text", "type": "labels"}
            task["annotations"] = [{"result": [{**region, "value": value}], "lead_time": 2.0}]
        made.append(task)
    return made


def check(condition: bool, what: object) -> None:
    if not condition:
        raise SystemExit(f"bench check failed: {what}")


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def line(name: str, seconds: float, count: int, note: str = "") -> None:
    print(f"{name:<34} {seconds:7.2f} s {count / seconds:8,.0f} tasks/s  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--piece-size", type=int, default=DEFAULT_PIECE_SIZE)
    options = parser.parse_args()
    count = options.tasks

    cache = ROOT / ".bench"
    cache.mkdir(exist_ok=True)
    template = cache / "label-studio-template"
    if not (template / "label_studio.sqlite3").is_file():
        print("building a pre-migrated Label Studio data dir (once, ~30 s) ...")
        server.make_template(template, login=LOGIN)
    data_dir = Path(tempfile.mkdtemp(prefix="ls-bench-"))
    server.copy_data_dir(template, data_dir)
    running = server.start(data_dir=data_dir, login=LOGIN)
    http = httpx.Client(timeout=600)
    try:
        sdk = LabelStudio(base_url=running.url, api_key=LOGIN.token, httpx_client=http, timeout=600)
        credentials = Credentials(running.url, LOGIN.token, source="bench")
        print(f"Label Studio at {running.url}, {count:,} tasks\n")

        summary, ours = timed(
            push,
            tasks(count, "push"),
            project="bench push",
            credentials=credentials,
            batch_size=options.batch_size,
            progress=False,
        )
        check(summary.created == count, summary)
        bare_project = sdk.projects.create(
            title="bench bare import", label_config=labelstudio_config()
        )
        _, bare = timed(
            sdk.projects.import_tasks,
            id=bare_project.id,
            request=tasks(count, "bare"),
            request_options={"max_retries": 0, "timeout_in_seconds": 600},
        )
        line("push (annotate-kit, whole command)", ours, count)
        line("import_tasks (bare SDK, one call)", bare, count, f"push/bare = {ours / bare:.2f}x")
        again, rerun = timed(
            push,
            tasks(count, "push"),
            project="bench push",
            credentials=credentials,
            progress=False,
        )
        check(again.already_there == count, again)
        line("push again (all already there)", rerun, count)

        annotated = sdk.projects.create(title="bench pull", label_config=labelstudio_config())
        sdk.projects.import_tasks(
            id=annotated.id,
            request=tasks(count, "pull", annotated=True),
            request_options={"max_retries": 0, "timeout_in_seconds": 600},
        )
        out = data_dir / "records.jsonl"
        pulled, ours = timed(
            pull,
            project="bench pull",
            out=out,
            credentials=credentials,
            piece_size=options.piece_size,
        )
        check(pulled.records == count, pulled)
        listed, bare = timed(lambda: list(sdk.tasks.list(project=annotated.id, page_size=1000)))
        check(len(listed) == count, len(listed))
        print()
        line("pull (annotate-kit, records written)", ours, count, f"{pulled.pieces} pieces")
        line("tasks.list (bare SDK, paged)", bare, count, f"pull is {bare / ours:.2f}x faster")
    finally:
        http.close()
        running.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
