"""The dataset card: YAML that lets `load_dataset(folder, config)` restore splits and features
of the three configs, and a body a researcher reads: how the data was made and gold chosen,
how far annotators agreed (table and chart), counts, what the token view loses, every field
and every label with its definition and examples, from the scheme.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate_kit.agreement.adjudicate import describe_policy
from annotate_kit.export.card_sections import agreement_section, bio_section, counts_section
from annotate_kit.export.features import field_docs
from annotate_kit.scheme.schema import load_scheme

if TYPE_CHECKING:
    from annotate_kit.export.shards import ShardWriter
    from annotate_kit.export.summary import ExportSummary

OFFSETS = (
    "Offsets are Python string indices into `text`: Unicode code points (not UTF-16 units, "
    "not bytes), `start` inclusive, `end` exclusive, so `text[start:end] == span.text` holds "
    "for every span (checked on export). The text is the one shown to annotators: NFC, line "
    "endings as imported (a CRLF counts as two code points)."
)
INTERNAL_KEY = re.compile(r"(?<![\w-])x-[a-z]")  # x-relation, x-head-cue-types ...
CONFIG_TEXT = {
    "default": "one adjudicated gold record per document, span-based (entities, claims, cues, relations with ids), plus a `gold` column: the policy step that chose it, the annotation(s) each span and relation came from, and the conflicts left for a human",
    "annotations": "every valid annotation, one row per document and annotation (cancelled ones with `annotation.cancelled`, model pre-annotations with `annotation.origin` = prediction), for agreement research",
    "bio": "the gold as tokens with IOB2 tags per layer (`ner_tags`, `claim_tags`, `cue_tags`, like conll2003), one row per document, with each token's offsets",
}


def write_card(
    folder: Path,
    *,
    writers: dict[str, ShardWriter],
    summary: ExportSummary,
    pretty_name: str,
    license_id: str,
    where: str | None = None,
) -> None:
    """README.md of ``folder``; its snippet loads ``where`` (the path as the user gave it)."""
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCard, DatasetCardData

    infos = {}
    configs: dict[str, Any] = {}
    for name, writer in writers.items():
        splits = SplitDict()
        for split, rows in summary.config_rows[name].items():
            size = writer.nbytes.get(split, 0)
            splits.add(SplitInfo(name=split, num_bytes=size, num_examples=rows))
        infos[name] = DatasetInfo(features=writer.features, splits=splits, license=license_id)
        configs[name] = {
            "data_files": [
                {"split": split, "path": writer.pattern(split, summary.fingerprint)}
                for split in summary.config_rows[name]
            ]
        }
    data = DatasetCardData(
        language=sorted(summary.languages - {"und"}) or None,
        license=license_id,
        pretty_name=pretty_name,
        task_categories=["token-classification", "text-classification"],
        tags=["fact-checking", "claims", "hedging", "attribution", "annotate-kit"],
    )
    DatasetInfosDict(infos).to_dataset_card_data(data)
    MetadataConfigs(configs).to_dataset_card_data(data)
    body = _body(summary, pretty_name, where or str(folder))
    card = DatasetCard(f"---\n{data.to_yaml()}\n---\n{body}")
    (folder / "README.md").write_text(str(card), encoding="utf-8")


def _body(summary: ExportSummary, name: str, where: str) -> str:
    scheme = load_scheme()
    out = [
        f"# {name}",
        "",
        (
            "A claim, source and hedging dataset made with annotate-kit: documents annotated in "
            "Label Studio (or by hand), validated against the annotate-kit scheme "
            f"{scheme.version}, compared across annotators, and adjudicated into one gold "
            "record per document by the policy below."
        ),
        "",
        "```python",
        "from datasets import load_dataset",
        f'gold = load_dataset({json.dumps(where)})  # the path of this folder; same as "default"',
        f'annotations = load_dataset({json.dumps(where)}, "annotations")',
        f'tokens = load_dataset({json.dumps(where)}, "bio")',
        'print(gold["train"].features["entities"])',
        "```",
        "",
        "## Configs",
        "",
        "| config | what a row is | " + " | ".join(summary.config_rows["default"]) + " |",
        "|---|---|" + "---|" * len(summary.config_rows["default"]),
    ]
    for config, text in CONFIG_TEXT.items():
        rows = summary.config_rows.get(config, {})
        out.append(
            f"| `{config}` | {text} | "
            + " | ".join(str(rows.get(s, 0)) for s in summary.config_rows["default"])
            + " |"
        )
    out += [
        "",
        "## How it was made",
        "",
        (
            f"- Records read: {summary.records}; gold documents: {summary.exported}; "
            f"annotations the gold was chosen over or merged from: {summary.superseded}; "
            f"cancelled (skipped): {summary.cancelled}; invalid and left out: {summary.invalid}"
            + (
                f"; of documents the policy gave no gold: {summary.undecided}"
                if summary.undecided
                else ""
            )
            + "."
        ),
        "- Splits: by a hash of `doc_id`, so a document never straddles splits, in every config.",
        f"- Annotator ids: {_annotators(summary)}",
        f"- Schema version: {scheme.version} (`schema_version` in every row).",
    ]
    out += [f"- Note: {w}" for w in summary.warnings]
    out += ["", "### How gold was chosen", "", describe_policy(summary.policy), ""]
    steps = ", ".join(f"`{s}` {n}" for s, n in summary.gold_steps.most_common())
    out.append(f"Documents by the step that decided: {steps or 'none'}.")
    if summary.conflicts:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(summary.conflicts.items()))
        out += [
            "",
            (
                f"Conflicts listed for a human ({kinds}); every one is in the `gold.conflicts` "
                "column of its document. The first ones:"
            ),
            "",
        ]
        out += [f"- {_cell(x)}" for x in summary.conflict_examples]
    out += ["", *agreement_section(summary.agreement, summary.chart)]
    out += suggestions_section(summary)
    out += ["## Offsets", "", OFFSETS, ""]
    out += counts_section(summary.label_counts)
    out += bio_section(summary.bio_losses, scheme)
    out += ["## Fields", "", "| field | type | meaning |", "|---|---|---|"]
    out += [f"| `{n}` | {t} | {_cell(public_text(d))} |" for n, t, d in field_docs(scheme)]
    out += [
        "| `gold` | struct | Default config only: `policy_step`, `candidates` (annotation ids considered), `sources` (gold span or relation id, and the annotations it came from), `conflicts` (kind, detail, layer, start, end, text, label, annotations). |",
        "",
        "## Labels",
        "",
    ]
    for vocab in scheme.vocabularies.values():
        out += [f"### {vocab.title} (`{vocab.name}`)", "", _cell(public_text(vocab.description))]
        if vocab.source:
            out += ["", f"Source: {vocab.source}."]
        out += [
            "",
            "| label | name | definition | French example | English example |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| `{lab.name}` | {_cell(lab.title)} | {_cell(public_text(lab.description))} | {_cell(lab.example_fr)} | {_cell(lab.example_en)} |"
            for lab in vocab.labels
        ]
        out.append("")
    return "\n".join(out)


def suggestions_section(summary: ExportSummary) -> list[str]:
    """What annotators kept of the model's suggestions (agreement/suggestions.py); shown
    only when the records carry predictions (`annotate-kit pull --predictions`)."""
    report = summary.suggestions
    if report is None or report.annotations == 0:
        return []
    out = [
        "## Suggestions kept",
        "",
        (
            f"{report.annotations} annotations were made on tasks with a model's prediction. Per "
            "layer and label, what became of the predicted regions (kept unchanged; changed: "
            "boundary, label or attribute; deleted) and the regions annotators added."
        ),
        "",
        "| layer | label | predicted | kept | changed | deleted | added |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in (*report.rows, report.total()):
        shares = [
            f"{getattr(row, kind)} ({_percent(row.share(kind))})"
            for kind in ("kept", "changed", "deleted")
        ]
        out.append(
            f"| {row.layer} | {row.label} | {row.predicted} | {' | '.join(shares)} | {row.added} |"
        )
    with_, without = report.lead_time_with, report.lead_time_without
    out += [
        "",
        (
            f"Median lead time: {_seconds(with_)} with predictions ({report.timed_with} "
            f"annotations), {_seconds(without)} without ({report.timed_without})."
        ),
        "",
    ]
    return out


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def _annotators(summary: ExportSummary) -> str:
    if summary.annotator_ids == "kept":
        return "kept as Label Studio gave them (exported with --keep-annotator-ids)."
    return (
        "pseudonymised by a stable hash (`annotator-` and 8 hex digits): the same person has "
        "the same name in every config and export. Pseudonymous, not anonymous."
    )


def public_text(text: str) -> str:
    """``text`` without the sentences about the schema's internal ``x-`` keywords."""
    sentences = re.split(r"(?<=[.;])\s+", text.strip())
    return " ".join(s for s in sentences if not INTERNAL_KEY.search(s))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
