"""The dataset card: YAML that lets `load_dataset(folder)` restore splits and features,
and a body that tells a researcher what every field and label means, from the scheme.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate_kit.features import field_docs
from annotate_kit.schema import load_scheme

if TYPE_CHECKING:
    from annotate_kit.export import ExportSummary

OFFSETS = (
    "Offsets are Python string indices into `text`: Unicode code points (not UTF-16 units, "
    "not bytes), `start` inclusive, `end` exclusive, so `text[start:end] == span.text` holds "
    "for every span (checked on export). The text is the one shown to annotators: NFC, line "
    "endings as imported (a CRLF counts as two code points)."
)


def write_card(
    folder: Path,
    *,
    features: Any,
    summary: ExportSummary,
    pretty_name: str,
    license_id: str,
    gold_policy: str,
) -> None:
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard, DatasetCardData

    scheme = load_scheme()
    splits = SplitDict()
    for split, rows in summary.split_rows.items():
        splits.add(SplitInfo(name=split, num_examples=rows))
    info = DatasetInfo(features=features, splits=splits, license=license_id)
    data = DatasetCardData(
        language=sorted(summary.languages - {"und"}) or None,
        license=license_id,
        pretty_name=pretty_name,
        task_categories=["token-classification", "text-classification"],
        tags=["fact-checking", "claims", "hedging", "attribution", "annotate-kit"],
    )
    DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    MetadataConfigs(
        {
            "default": {
                "data_files": [
                    {"split": split, "path": f"data/{split}-{summary.fingerprint}-*.parquet"}
                    for split in summary.split_rows
                ]
            }
        }
    ).to_dataset_card_data(data)
    body = _body(summary, scheme, pretty_name, gold_policy)
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}")
    (folder / "README.md").write_text(str(card), encoding="utf-8")


def _body(summary: ExportSummary, scheme: Any, name: str, gold_policy: str) -> str:
    out = [
        f"# {name}",
        "",
        (
            "A claim, source and hedging dataset made with annotate-kit: documents annotated in Label "
            "Studio (or by hand), validated against the annotate-kit scheme "
            f"{scheme.version}, and exported one gold record per document."
        ),
        "",
        "```python",
        "from datasets import load_dataset",
        f'ds = load_dataset("{name}")  # or the path of this folder',
        'print(ds["train"].features["entities"])',
        "```",
        "",
        "## How it was made",
        "",
        (
            f"- Records read: {summary.records}; exported: {summary.exported} "
            f"({summary.documents} documents); superseded by another annotation of the same "
            f"document: {summary.superseded}; cancelled (skipped): {summary.cancelled}; "
            f"invalid and left out: {summary.invalid}."
        ),
        f"- Gold selection: {gold_policy}.",
        "- Splits: by a hash of `doc_id`, so a document never straddles splits.",
    ]
    out += [f"- Note: {w}" for w in summary.warnings]
    out += [
        "",
        "## Offsets",
        "",
        OFFSETS,
        "",
        "## Rows per split",
        "",
        "| split | rows |",
        "|---|---|",
    ]
    out += [f"| {s} | {n} |" for s, n in summary.split_rows.items()]
    out += ["", "## Counts per label and split", ""]
    for counted in next(iter(summary.label_counts.values()), {}):
        splits = list(summary.label_counts)
        out += [
            f"### `{counted}`",
            "",
            "| label | " + " | ".join(splits) + " |",
            "|---|" + "---|" * len(splits),
        ]
        labels = sorted({lab for s in splits for lab in summary.label_counts[s][counted]})
        out += [
            f"| {lab} | "
            + " | ".join(str(summary.label_counts[s][counted][lab]) for s in splits)
            + " |"
            for lab in labels
        ]
        out.append("")
    out += ["## Fields", "", "| field | type | meaning |", "|---|---|---|"]
    out += [f"| `{n}` | {t} | {_cell(d)} |" for n, t, d in field_docs(scheme)]
    out += ["", "## Labels", ""]
    for vocab in scheme.vocabularies.values():
        out += [f"### {vocab.title} (`{vocab.name}`)", "", _cell(vocab.description)]
        if vocab.source:
            out += ["", f"Source: {vocab.source}."]
        out += [
            "",
            "| label | name | definition | French example | English example |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| `{lab.name}` | {_cell(lab.title)} | {_cell(lab.description)} | {_cell(lab.example_fr)} | {_cell(lab.example_en)} |"
            for lab in vocab.labels
        ]
        out.append("")
    return "\n".join(out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
