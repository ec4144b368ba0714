"""Gold back to Label Studio for a review pass: dataset folder -> records -> predicted tasks.

The round trip: `export` writes the adjudicated gold; review_tasks turns it into Label Studio
tasks whose prediction is that gold (model_version names the dataset); push_review feeds
them to labelstudio.push, the one module that talks to Label Studio. A fresh review project
imports every task with its prediction (push matches tasks on data.doc_id, so a project that
already holds a document gets no second copy and no prediction). The reviewer corrects the
prediction, submits it and marks it ground truth; `pull` brings it back and the gold
policy's first step, ground_truth, takes it on the next export.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotate_kit.errors import InputError
from annotate_kit.scheme.records import SPAN_LAYERS, Record
from annotate_kit.scheme.tasks import record_to_task

OPTIONAL_TOP_LEVEL = ("meta", "blocks", "annotation")


def dataset_records(folder: str | Path, *, config: str = "default") -> Iterator[Record]:
    """The records of an exported dataset config, read offline from its Parquet files.

    Label ids become names again (the files carry their features); the default config's
    `gold` provenance column is dropped, so every record is a plain, valid annotation record.
    """
    import pyarrow.parquet as pq
    from datasets import Features

    folder = Path(folder)
    files = sorted((folder / "data" / config).glob("*.parquet"))
    if not files:
        raise InputError(
            f"{folder}: no Parquet files for the {config!r} config; "
            "expected a folder written by 'annotate-kit export'"
        )
    for path in files:
        parquet = pq.ParquetFile(path)
        decode = _decoder(Features.from_arrow_schema(parquet.schema_arrow))
        for batch in parquet.iter_batches(batch_size=1000):
            for row in batch.to_pylist():
                record = decode(row)
                record.pop("gold", None)
                for key in OPTIONAL_TOP_LEVEL:
                    if record.get(key) is None:
                        record.pop(key, None)
                for layer in SPAN_LAYERS:  # a column for every field: drop the unset ones (score)
                    record[layer] = [
                        {k: v for k, v in s.items() if v is not None} for s in record[layer]
                    ]
                yield record


def review_tasks(records: Iterable[Record], *, model_version: str) -> Iterator[dict[str, Any]]:
    """One Label Studio task per record, its spans as a prediction of `model_version`."""
    for record in records:
        yield record_to_task(record, model_version=model_version)


def push_review(
    folder: str | Path,
    *,
    project: str,
    model_version: str | None = None,
    **push_options: Any,
) -> Any:
    """Push a dataset's gold to `project` as predictions (labelstudio.push does the talking).

    push_options are labelstudio.push's (url, credentials, guidelines, batch_size, dry_run,
    progress); the result is its PushSummary.
    """
    from annotate_kit.labelstudio.project import push

    version = model_version or f"annotate-kit gold: {Path(folder).name}"
    tasks = list(review_tasks(dataset_records(folder), model_version=version))
    return push(tasks, project=project, **push_options)


def _decoder(feature: Any) -> Any:
    """The inverse of features.TableEncoder: label ids to names, JSON text to values."""
    from datasets import ClassLabel, Json, List

    if isinstance(feature, dict):
        fields = [(name, _decoder(sub)) for name, sub in feature.items()]
        return lambda value: (
            None if value is None else {name: dec(value.get(name)) for name, dec in fields}
        )
    if isinstance(feature, List):
        item = _decoder(feature.feature)
        return lambda value: None if value is None else [item(v) for v in value]
    if isinstance(feature, ClassLabel):
        names = feature.names
        return lambda value: None if value is None or value < 0 else names[value]
    if isinstance(feature, Json):
        return lambda value: json.loads(value) if isinstance(value, str) else value
    return lambda value: value
