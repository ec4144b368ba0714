"""Markdown sections of the dataset card built from numbers: agreement, counts, token losses."""

from __future__ import annotations

from collections import Counter
from typing import Any

from annotate_kit._text import counted
from annotate_kit.agreement.spans import RELATIONS, AgreementReport
from annotate_kit.export.bio import TAG_COLUMNS, BioLosses

METRICS_TEXT = [
    (
        "- **Span F1** compares two annotators' spans of a layer: *exact* counts a match when start, "
        "end and label are the same, *overlap* when the label is the same and the spans overlap "
        "(each span matched once, largest overlap first). F1 = 2 × matches / spans of both; it "
        "does not depend on which annotator is taken as reference. A relation matches when its "
        "type matches and both its ends match. The overall row adds up every pair."
    ),
    (
        "- **alpha_U** is Krippendorff's unitizing alpha on span boundaries per label (1 = same "
        "boundaries, 0 = chance, below 0 = worse than chance), computed per document with the "
        "annotators of that document and averaged over documents, as INCEpTION reports it."
    ),
    (
        "- **kappa** (Cohen; overall: mean over pairs) and **alpha** (Krippendorff, nominal) compare "
        "the labels and attributes of spans matched by position whatever their label."
    ),
]


def agreement_section(report: AgreementReport | None, chart: str | None) -> list[str]:
    out = ["## Inter-annotator agreement", ""]
    if report is None or not report.compared:
        out += [
            (
                "No document was annotated by two or more annotators, so agreement cannot be "
                "computed. The chart shows the label distribution only."
            ),
            "",
        ]
        return out + ([f"![Gold spans per label]({chart})", ""] if chart else [])
    out += [
        (
            f"{counted(len(report.annotators), 'annotator')}; {report.compared} of "
            f"{counted(report.documents, 'document')} "
            f"annotated by two or more ({counted(report.annotations, 'annotation')} compared)."
        ),
        "",
        *METRICS_TEXT,
        "",
    ]
    if chart:
        out += [f"![Gold spans per label and agreement per label]({chart})", ""]
    out += [
        "### Spans, all pairs",
        "",
        "| layer | label | spans compared | exact F1 | overlap F1 | alpha_U (documents) |",
        "|---|---|---|---|---|---|",
    ]
    for row in report.overall.spans:
        if row.label is not None and not row.spans:
            continue
        alpha = "–" if row.layer == RELATIONS else f"{_num(row.alpha_u)} ({row.alpha_u_documents})"
        label = "**all**" if row.label is None else row.label
        out.append(
            f"| {row.layer} | {label} | {row.spans} | {_num(row.exact_f1)} | {_num(row.overlap_f1)} | {alpha} |"
        )
    out += [
        "",
        "### Labels and attributes of matched spans",
        "",
        "| layer | field | matched | observed agreement | kappa | alpha |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {r.layer} | {r.attribute} | {r.items} | {_num(r.observed)} | {_num(r.kappa)} | {_num(r.alpha)} |"
        for r in report.overall.attributes
    ]
    layers = list(dict.fromkeys(r.layer for r in report.overall.spans))
    out += [
        "",
        "### Pairs of annotators (overlap F1 per layer)",
        "",
        "| annotators | documents | " + " | ".join(layers) + " |",
        "|---|---|" + "---|" * len(layers),
    ]
    out += [
        f"| {' × '.join(p.annotators)} | {p.documents} | "
        + " | ".join(_num(p.row(layer).overlap_f1) for layer in layers)
        + " |"
        for p in report.pairs
    ]
    if report.dropped_units:
        out += [
            "",
            (
                f"{report.dropped_units} spans overlapping a span of the same annotator and label "
                "were left out of alpha_U (a unitizing study needs non-overlapping units)."
            ),
        ]
    return [*out, ""]


def counts_section(label_counts: dict[str, dict[str, Counter]]) -> list[str]:
    out = ["## Counts per label and split (gold)", ""]
    splits = list(label_counts)
    for field_name in next(iter(label_counts.values()), {}):
        out += [
            f"### `{field_name}`",
            "",
            "| label | " + " | ".join(splits) + " |",
            "|---|" + "---|" * len(splits),
        ]
        labels = sorted({lab for s in splits for lab in label_counts[s][field_name]})
        out += [
            f"| {lab} | " + " | ".join(str(label_counts[s][field_name][lab]) for s in splits) + " |"
            for lab in labels
        ]
        out.append("")
    return out


def bio_section(losses: BioLosses, scheme: Any) -> list[str]:
    out = [
        "## The token view (`bio` config) and what it loses",
        "",
        (
            "Tokens split French elision off as its own token (`l’` `Ukraine`, `qu’` `aucune`, "
            "`d’` `«` `utiles` `»`), keep hyphenated words whole (`États-Unis`), and keep their "
            "offsets (`token_starts`, `token_ends`). One IOB2 tag per token and layer cannot hold "
            "a span inside or across another span of the same layer (the first, outermost span is "
            "kept), and a span edge inside a token widens the span to the whole token."
        ),
        "",
        "| layer | tag column | spans | tagged exactly | widened to tokens | nested (not tagged) | crossing (not tagged) | on no token |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for layer, x in losses.layers.items():
        column = TAG_COLUMNS.get(layer, f"{layer}_tags")
        out.append(
            f"| {layer} | `{column}` | {x.spans} | {x.exact} | {x.widened} | {x.nested} | {x.crossing} | {x.untokenized} |"
        )
    attributes = ", ".join(a for layer in scheme.layers.values() for a in layer.attributes)
    out += [
        "",
        (
            f"Not in the token view at all: {losses.relations} relations and the attributes "
            f"({attributes}) of {losses.claim_attributes} claims; use the `default` config for them."
        ),
        "",
    ]
    return out


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
