"""A small French corpus over several files and formats, for the engine and shard tests."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SEED = Path(__file__).resolve().parents[1] / "seeds" / "kremlin-emissaires-americains.fr.txt"
SENTENCES = [
    "Selon les autorités russes, les discussions ont duré plusieurs heures.",
    "Le Kremlin a indiqué que d’autres discussions étaient envisagées.",
    "Moscou n’a pas communiqué de détails sur le contenu des échanges.",
    "Une réunion pourrait se tenir prochainement à Genève, a estimé un diplomate.",
    "Les sanctions occidentales restent en vigueur, selon Bruxelles.",
    "Environ 300 millions d’euros auraient été débloqués en mars 2025.",
]


def paragraph(i: int) -> str:
    """A short article: a heading line and two sentences, different for every i."""
    first, second = SENTENCES[i % len(SENTENCES)], SENTENCES[(i * 5 + 2) % len(SENTENCES)]
    return f"Dépêche numéro {i}\n{first} {second} Mise à jour {i}."


def write_corpus(folder: Path, *, documents: int = 40, parquet_files: int = 4) -> list[Path]:
    """Parquet shards of documents, a JSONL file (with a duplicate) and the seed article."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        {"text": paragraph(i), "url": f"https://example.org/{i}", "id": i, "outlet": "Dépêches"}
        for i in range(documents)
    ]
    per_file = -(-documents // parquet_files)
    paths = []
    for k in range(parquet_files):
        path = folder / f"docs-{k:02d}.parquet"
        pq.write_table(pa.Table.from_pylist(rows[k * per_file : (k + 1) * per_file]), path)
        paths.append(path)
    jsonl = folder / "more.jsonl"
    extra = [{"text": paragraph(documents + 1), "lang": "fr"}, {"text": paragraph(0)}]  # a dup
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in extra), "utf-8")
    paths.append(jsonl)
    seed = folder / SEED.name
    seed.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    paths.append(seed)
    return paths
