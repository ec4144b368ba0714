"""convert --engine ray in local mode gives the local run's tasks, row for row.

Ray gets 2 CPUs (CI has 2 cores) and the actor pool 1 of them: a pool that takes every CPU
can hang in local mode (FACTS.md). Every test is bounded by pytest-timeout, so a hang fails.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pyarrow.dataset as pds
import pytest
import ray
from click.testing import CliRunner

from annotate_kit.cli.main import main
from annotate_kit.documents.convert import convert
from annotate_kit.engines.ray import RayOptions, pool_size, ray_session
from annotate_kit.errors import EngineError
from annotate_kit.io.taskshards import MANIFEST, shard_files
from engine_support import write_corpus

pytestmark = [
    pytest.mark.timeout(90),
    # Ray 2.60's own DataContext() sets its deprecated fields while constructing itself
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Inputs (4 Parquet shards, JSONL with a duplicate, the seed) and the local run's tasks."""
    folder = tmp_path_factory.mktemp("corpus")
    inputs = write_corpus(folder / "in", documents=40, parquet_files=4)
    local = folder / "local.jsonl"
    summary = convert(inputs, out=local, preannotate=True, batch_size=6)
    assert (summary.tasks, summary.preannotated, len(summary.duplicates)) == (42, 42, 1)
    return inputs, local


def test_ray_gives_the_local_tasks_row_for_row(local_ray, corpus, tmp_path: Path):
    inputs, local = corpus
    out = tmp_path / "ray.jsonl"
    result = CliRunner().invoke(
        main,
        [
            *("convert", *map(str, inputs), "-o", str(out), "--preannotate"),
            *("--engine", "ray", "--batch-size", "6", "--workers", "1"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        f"42 tasks from 43 documents in 6 files (42 pre-annotated) -> {out} (engine: ray)"
    )
    assert out.read_bytes() == local.read_bytes()


def test_ray_shards_hold_the_local_rows_and_are_overwritten(local_ray, corpus, tmp_path: Path):
    inputs, local = corpus
    out = tmp_path / "shards"
    for _ in range(2):  # Ray appends by default; the second run must replace the first
        summary = convert(
            inputs, out=f"{out}/", preannotate=True, engine="ray", batch_size=6, shard_rows=5
        )
    assert (summary.tasks, summary.preannotated, summary.failures) == (42, 42, [])
    files = shard_files(out)
    assert len(files) >= 8  # 7 blocks of 6 documents, none over 5 rows per file
    table = pds.dataset(out, format="parquet").to_table().sort_by("ordinal")
    assert table.column("ordinal").to_pylist() == list(range(42))
    expected = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    from annotate_kit.io.tables import task_of

    tasks = [task_of(json.loads(text)) for text in table.column("record").to_pylist()]
    assert tasks == expected
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert (manifest["engine"], manifest["tasks"], manifest["documents"]) == ("ray", 42, 43)


def test_pool_leaves_a_cpu_free():
    assert pool_size(None, 2, local=True) == 1
    assert pool_size(None, 16, local=True) == 15
    assert pool_size(3, 16, local=True) == 3
    with pytest.raises(EngineError, match=r"takes all 2 CPUs .* use --workers 1 or fewer"):
        pool_size(2, 2, local=True)
    assert pool_size(4, 4, local=False) == 4  # a cluster's autoscaler may add nodes: warn only


def test_missing_ray_names_the_extra(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with (
        pytest.raises(EngineError, match=r"pip install 'annotate-kit\[ray\]'"),
        ray_session(RayOptions()),
    ):
        pass
