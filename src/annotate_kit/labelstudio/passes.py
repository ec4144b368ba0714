"""A layered workflow: the scheme in passes, each pass starting from the earlier one's gold.

The whole scheme at once is a lot for one reading (six entity labels, eleven cue types, claims
with four attributes, four relation types). ``push --pass entities,cues`` makes a project
whose page offers only those layers; once it is annotated and pulled, ``push --pass claims
--predictions-from pass1.jsonl`` makes the next one: its page offers claims, their
attributes and the relations that end in a claim, and each task arrives with the earlier
pass's annotation of its document as a prediction (the other layers' spans and the relations
between them), which the annotator sees, keeps and links to. The earlier layers' labels stay
in the config, hidden (config.labelstudio_config), so those regions are drawn and valid.

The gold file holds one live annotation per document (skipped ones are ignored): with several
annotators, choose the gold first (agreement's policy) rather than let push guess.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from annotate_kit._text import counted
from annotate_kit.errors import InputError
from annotate_kit.scheme.records import Record, read_jsonl
from annotate_kit.scheme.schema import Scheme, load_scheme
from annotate_kit.scheme.tasks import record_to_results

MAX_LISTED = 5


def parse_pass(text: str | None) -> tuple[str, ...] | None:
    """'entities,cues' -> ('entities', 'cues'); None stays None (every layer)."""
    if text is None:
        return None
    return tuple(part.strip() for part in text.split(",") if part.strip())


def read_gold(path: Path) -> dict[str, Record]:
    """doc_id -> the one live record of each document in a records JSONL file."""
    gold: dict[str, Record] = {}
    several: set[str] = set()
    for number, line in read_jsonl(Path(path)):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("doc_id"), str):
            raise InputError(f"{path}:{number}: not a record (no doc_id)")
        if (record.get("annotation") or {}).get("cancelled"):
            continue
        if record["doc_id"] in gold:
            several.add(record["doc_id"])
        gold[record["doc_id"]] = record
    if several:
        listed = ", ".join(sorted(several)[:MAX_LISTED])
        raise InputError(
            f"{path}: {len(several)} documents have several annotations ({listed}); keep one "
            "per document (the gold of the earlier pass) before using it as predictions"
        )
    return gold


def earlier_pass_results(
    record: Record, *, layers: Iterable[str], scheme: Scheme | None = None
) -> list[dict[str, Any]]:
    """The record's spans outside this pass's ``layers``, and the relations among them, as a
    Label Studio result list."""
    scheme = scheme or load_scheme()
    this_pass = set(layers)
    kept = {key: record.get(key) or [] for key in scheme.layers if key not in this_pass}
    ids = {span["id"] for spans in kept.values() for span in spans}
    relations = [
        r for r in record.get("relations") or [] if r.get("head") in ids and r.get("tail") in ids
    ]
    empty: dict[str, list] = {key: [] for key in this_pass}
    return record_to_results({**record, **kept, **empty, "relations": relations}, scheme=scheme)


def with_gold_predictions(
    tasks: Iterable[Mapping[str, Any]],
    gold: Mapping[str, Record],
    *,
    layers: Iterable[str],
    scheme: Scheme | None = None,
) -> Iterator[dict[str, Any]]:
    """Each task with its document's earlier-pass gold as its only prediction."""
    layers = tuple(layers)
    scheme = scheme or load_scheme()
    earlier = ",".join(key for key in scheme.layers if key not in layers)
    for task in tasks:
        record = gold[task["data"]["doc_id"]]
        annotation = (record.get("annotation") or {}).get("id")
        prediction = {
            "model_version": f"gold of pass {earlier} (annotation {annotation})",
            "result": earlier_pass_results(record, layers=layers, scheme=scheme),
        }
        yield {**task, "predictions": [prediction]}


def missing_gold(doc_ids: Iterable[str], gold: Mapping[str, Record], source: Path) -> None:
    """Refuse, before anything is sent, tasks whose document the earlier pass did not finish."""
    missing = [doc_id for doc_id in doc_ids if doc_id not in gold]
    if missing:
        listed = ", ".join(missing[:MAX_LISTED])
        raise InputError(
            f"{counted(len(missing), 'task')} {'has' if len(missing) == 1 else 'have'} no annotation in {source} ({listed}); finish the "
            "earlier pass for them, or leave them out of this push"
        )
