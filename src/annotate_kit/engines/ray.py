"""Pre-annotation on Ray Data: the same task tables, from the same function, as the local run.

The pitfalls measured in FACTS.md ("Scale") decide the shape:
- the actor pool is smaller than the CPUs Ray has (a pool that took every CPU of a local Ray
  hung for 11 minutes with no error); the CPU left over runs the Parquet writes;
- documents reach Ray as blocks of a fixed number of documents (``read_parquet`` had merged 16
  small files into one block, so one actor did all the work);
- each actor builds its pipeline from configuration (``TablePreannotator``), never unpickles one;
- shards are written with ``SaveMode.OVERWRITE`` into a fresh staging folder (taskshards.py).
The driver reads and deduplicates the inputs, which is cheap next to spaCy, so that ids, order
and duplicates are exactly the local run's; the blocks wait in Ray's object store (spilled to
disk when it fills), and the actors do the expensive part wherever the cluster has CPUs.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from annotate_kit.engines.local import TablePreannotator
from annotate_kit.errors import AnnotateKitError, EngineError
from annotate_kit.io.taskshards import COMPRESSION, DEFAULT_SHARD_ROWS, PREFIX

if TYPE_CHECKING:
    from ray.data import Dataset

logger = logging.getLogger(__name__)
INSTALL_HINT = "install the extra: pip install 'annotate-kit[ray]'"


@dataclass(frozen=True)
class RayOptions:
    """How to reach Ray and how many actors to run."""

    address: str | None = None  # ray://host:10001, host:6379 or "auto"; None: a local Ray
    workers: int | None = None  # actors in the pool; default: Ray's CPUs minus one
    progress: bool = False


@contextmanager
def ray_session(options: RayOptions) -> Iterator[int]:
    """Connect to ``options.address`` or start a local Ray; yield the actor pool size.

    A Ray already initialised in this process (a notebook, a test fixture) is used as it is
    and left running; one started here is shut down on exit.
    """
    try:
        import ray
        from ray.data import DataContext
    except ImportError:
        raise EngineError(
            f"--engine ray needs Ray, which is not installed: {INSTALL_HINT}"
        ) from None
    started = False
    if not ray.is_initialized():
        try:
            if options.address:
                ray.init(address=options.address, logging_level=logging.WARNING)
            else:
                cpus = max(2, os.cpu_count() or 1)  # one CPU alone would be all the pool's
                ray.init(
                    address="local",
                    num_cpus=cpus,
                    include_dashboard=False,
                    logging_level=logging.WARNING,
                )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = options.address or "a local Ray"
            raise EngineError(f"cannot start or reach {where}: {exc}") from None
        started = True
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    context = DataContext.get_current()
    context.execution_options.preserve_order = True  # the JSON/JSONL output keeps input order
    context.enable_progress_bars = options.progress
    try:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        yield pool_size(options.workers, cpus, local=not options.address)
    finally:
        if started:
            ray.shutdown()


def pool_size(requested: int | None, cpus: int, *, local: bool) -> int:
    """Actors to start: fewer than Ray's CPUs, since a pool that takes them all can hang."""
    size = requested or max(1, cpus - 1)
    if size < cpus:
        return size
    message = (
        f"an actor pool of {size} takes all {cpus} CPUs Ray has; Ray Data then has no CPU "
        "left to write with and can hang (FACTS.md)"
    )
    if local:
        raise EngineError(f"{message}: use --workers {max(1, cpus - 1)} or fewer")
    logger.warning("%s, unless the autoscaler adds nodes", message)
    return size


def task_dataset(
    tables: Iterable[pa.Table],
    *,
    workers: int,
    lang: str | None = None,
    models: dict[str, str] | None = None,
    preannotate: bool = True,
) -> Dataset:
    """Document tables (one Ray block each) mapped to task tables by an actor pool."""
    import ray
    from ray.data import ActorPoolStrategy

    refs = [ray.put(table) for table in tables]
    if not refs:
        raise EngineError("no documents to send to Ray")
    return ray.data.from_arrow_refs(refs).map_batches(
        TablePreannotator,
        fn_constructor_kwargs={"lang": lang, "models": models, "preannotate": preannotate},
        batch_format="pyarrow",
        batch_size=None,  # one block is one batch of documents, as cut by the driver
        compute=ActorPoolStrategy(size=workers),
        num_cpus=1,
    )


def iter_tables(dataset: Dataset) -> Iterator[pa.Table]:
    """Task tables back on the driver, in input order (for JSON/JSONL output)."""
    with _engine_errors():
        yield from dataset.iter_batches(batch_format="pyarrow", batch_size=None)


def write_shards(dataset: Dataset, folder: Path, *, shard_rows: int = DEFAULT_SHARD_ROWS) -> None:
    """Parquet shards written by Ray's workers into ``folder`` (a fresh staging folder)."""
    from ray.data import SaveMode

    with _engine_errors():
        dataset.write_parquet(
            str(folder),
            mode=SaveMode.OVERWRITE,
            filename_provider=_names(),
            max_rows_per_file=shard_rows,
            compression=COMPRESSION,
        )


def _names() -> Any:
    """part-00000-0.parquet, ...: shard names that carry no run id (the folder is fresh)."""
    from ray.data.datasource import FilenameProvider

    class Names(FilenameProvider):
        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:  # noqa: ARG002
            return f"{PREFIX}{task_index:05d}"

    return Names()


@contextmanager
def _engine_errors() -> Iterator[None]:
    """A worker's exception becomes one clean error; the toolkit's own errors keep their code."""
    from ray.exceptions import RayError

    try:
        yield
    except RayError as exc:
        cause = _root_cause(exc)
        if isinstance(cause, AnnotateKitError):
            raise cause from None
        raise EngineError(f"Ray workers failed: {type(cause).__name__}: {cause}") from exc


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        nested = getattr(exc, "cause", None) or exc.__cause__
        if nested is None:
            break
        exc = nested
    return exc
