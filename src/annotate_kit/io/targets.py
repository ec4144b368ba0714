"""Outputs that would destroy inputs are refused before anything is written.

``convert x.jsonl -o x.jsonl`` would replace the documents with tasks, and
``export shards/ -o shards/ --overwrite`` would delete the shards it is reading; so would an
output folder that holds an input. (An output inside an input folder is allowed: it replaces
nothing being read.)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from annotate_kit.errors import InputError


def refuse_overlap(inputs: Iterable[str | Path], out: str | Path, *, option: str = "-o") -> None:
    """InputError (E203) when ``out`` is one of ``inputs``, lies inside one, or holds one."""
    if str(out) == "-":
        return
    target = Path(out).resolve()
    for raw in inputs:
        source = Path(raw).resolve()
        if target == source:
            why = "is one of the inputs"
        elif target in source.parents:
            why = f"holds the input {raw}"
        elif source.is_dir() and source in target.parents:
            raise InputError(
                f"{option} {out} lies inside the input folder {raw}: the next run would read it "
                "as input; write it outside that folder",
                code="E203",
            )
        else:
            continue
        raise InputError(
            f"{option} {out} {why}: writing there would destroy what is being read; "
            "choose another output",
            code="E203",
        )
