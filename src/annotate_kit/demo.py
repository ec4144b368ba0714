"""The main job on the seed article, through a real Label Studio.

convert → push to a temporary local Label Studio → the seed's hand-made gold submitted
through the API as an annotator's annotation (it stands in for a person at the labeling
page) → pull → validate → export → ``load_dataset``; the server is stopped and its data
removed at the end. ``offline`` skips the server: the gold is validated and exported as it
is. Each step is yielded as it finishes, with the count it reconciles.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from annotate_kit._text import counted
from annotate_kit.documents.convert import convert
from annotate_kit.errors import InputError
from annotate_kit.export.dataset import export_dataset
from annotate_kit.labelstudio import server
from annotate_kit.labelstudio.credentials import Credentials
from annotate_kit.labelstudio.project import pull, push
from annotate_kit.labelstudio.submit import submit_annotations
from annotate_kit.scheme.seeds import GOLD_GLOB, default_seeds_dir
from annotate_kit.validate.paths import validate_paths
from annotate_kit.validate.problems import format_problems

PROJECT = "annotate-kit demo"
DEMO_USER = "demo-annotator@example.com"
TASKS_NAME = "seed-tasks.json"
ANNOTATIONS_NAME = "seed-annotations.jsonl"
DATASET_NAME = "seed"
TEMPLATE_NAME = "label-studio-1.23.2-demo-template-v1"  # bump when the recipe changes
START_TIMEOUT = 900.0  # a first start migrates a database: minutes on a busy 2-core machine


@dataclass(frozen=True)
class Step:
    """One finished step: its name, what it did, and the count it reconciles."""

    name: str
    text: str
    count: int | None = None

    def __str__(self) -> str:
        return f"{self.name}: {self.text}"


def run_demo(
    *,
    out_dir: Path,
    seeds_dir: Path | None = None,
    preannotate: bool = True,
    offline: bool = False,
    credentials: Credentials | None = None,
    project: str = PROJECT,
) -> Iterator[Step]:
    """Run the whole loop on the seed; yield each step as it finishes.

    Without ``credentials`` a temporary Label Studio is started on 127.0.0.1 (a fresh data
    directory: ~30 s of migrations) and stopped at the end; with them, that server is used.
    """
    seeds = Path(seeds_dir) if seeds_dir is not None else default_seeds_dir()
    gold = sorted(seeds.glob(GOLD_GLOB))
    if not gold:
        where = "no such folder" if not seeds.is_dir() else f"no {GOLD_GLOB} records in it"
        raise InputError(f"{seeds}: {where}; the demo needs the seed documents and their gold")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks = out_dir / TASKS_NAME
    converted = convert([seeds], out=tasks, preannotate=preannotate)
    yield Step(
        "convert",
        f"{counted(converted.tasks, 'Label Studio task')} "
        f"({converted.preannotated} pre-annotated) -> {tasks}",
        converted.tasks,
    )
    if offline:
        records = gold
        yield Step("offline", "no Label Studio: the seed's gold records are exported as they are")
    else:
        records = [out_dir / ANNOTATIONS_NAME]
        yield from _through_label_studio(tasks, gold, records[0], credentials, project)
    report = validate_paths(records)
    yield Step("validate", format_problems(report, "text").replace("\n", "\n  "), report.valid)
    if not report.ok:
        raise InputError(f"the records in {', '.join(map(str, records))} are invalid; see above")
    dataset = out_dir / DATASET_NAME
    exported = export_dataset(records, out=dataset, overwrite=True, license_id="unknown")
    for warning in exported.warnings:
        yield Step("export", f"note: {warning}")
    yield Step(
        "export", f"{counted(exported.exported, 'document')} -> {dataset}", exported.exported
    )
    yield _load(dataset)


def _through_label_studio(
    tasks: Path, gold: list[Path], out: Path, credentials: Credentials | None, project: str
) -> Iterator[Step]:
    temporary = credentials is None
    with ExitStack() as stack:
        if credentials is None:
            running = _temporary_server(stack)
            credentials = Credentials(running.url, running.login.token, source="the demo")
            yield Step("label studio", f"a temporary Label Studio is running at {running.url}")
        pushed = push(tasks, project=project, credentials=credentials, progress=False)
        yield Step(
            "push",
            f"{counted(pushed.tasks, 'task')} into project {project!r} "
            f"({pushed.created} created, {pushed.already_there} already there)",
            pushed.tasks,
        )
        records = [
            json.loads(line)
            for path in gold
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        submitted = submit_annotations(
            records, project=project, credentials=credentials, lead_time=600.0
        )
        yield Step(
            "annotate",
            f"{counted(len(submitted.annotation_ids), 'annotation')} submitted through the API "
            f"as {submitted.user}: the seed's hand-made gold stands in for a person annotating "
            "in the labeling page",
            len(submitted.annotation_ids),
        )
        pulled = pull(project=project, out=out, credentials=credentials)
        yield Step(
            "pull", f"{counted(pulled.annotations, 'annotation')} -> {out}", pulled.annotations
        )
    if temporary:
        yield Step("label studio", "stopped; its temporary data is removed")


def _temporary_server(stack: ExitStack) -> server.Server:
    """A Label Studio on a free port, on a throw-away copy of a pre-migrated data directory.

    The first demo builds that template (Label Studio's migrations: ~30 s, minutes on a busy
    machine) in the user's cache, with a random login kept beside it (owner-readable only);
    later demos start on a copy in ~3 s.
    """
    template, login = _template()
    data_dir = Path(tempfile.mkdtemp(prefix="annotate-kit-demo-"))
    stack.callback(shutil.rmtree, data_dir, ignore_errors=True)
    server.copy_data_dir(template, data_dir)
    running = server.start(data_dir=data_dir, login=login, timeout=START_TIMEOUT)
    stack.callback(running.stop)
    return running


def _template() -> tuple[Path, server.Login]:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "annotate-kit"
    template, login_file = cache / TEMPLATE_NAME, cache / f"{TEMPLATE_NAME}.login.json"
    if (template / "label_studio.sqlite3").is_file() and login_file.is_file():
        stored = json.loads(login_file.read_text(encoding="utf-8"))
        return template, server.Login(stored["username"], stored["password"], stored["token"])
    shutil.rmtree(template, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    login = server.Login(DEMO_USER, secrets.token_urlsafe(12), secrets.token_hex(20))
    server.make_template(template, login=login, timeout=START_TIMEOUT)
    fd = os.open(login_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(
            {"username": login.username, "password": login.password, "token": login.token}, handle
        )
    return template, login


def _load(dataset: Path) -> Step:
    """Open the dataset as a researcher would, and count its rows."""
    import datasets

    enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()  # the demo's lines, not a bar per split
    try:
        loaded = datasets.load_dataset(str(dataset))
    finally:
        if enabled:
            datasets.enable_progress_bars()
    rows = sum(split.num_rows for split in loaded.values())
    splits = ", ".join(f"{name} {counted(part.num_rows, 'row')}" for name, part in loaded.items())
    return Step("load_dataset", f"{dataset}: {splits}", rows)
