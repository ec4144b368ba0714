"""`annotate-kit agreement`: how far annotators agree, and how gold would be chosen.

cli/main.py registers the command. Errors of the toolkit become one
"Error: [CODE] message" line and their exit code, as in cli.py.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from annotate_kit._text import counted
from annotate_kit.agreement.adjudicate import DEFAULT_POLICY, STEPS
from annotate_kit.cli._support import fails_cleanly, progress_option, show_progress

if TYPE_CHECKING:  # compare is imported when the command runs, not at CLI start-up
    from annotate_kit.agreement.compare import AgreementRun


@click.command("agreement")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools (every number and every conflict).",
)
@click.option(
    "--gold-policy",
    default=",".join(DEFAULT_POLICY),
    show_default=True,
    help="Steps, in order, that choose each document's gold: " + ", ".join(STEPS) + ".",
)
@click.option(
    "--gold",
    "gold_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write each document's gold record here (JSONL, what 'export' takes).",
)
@click.option(
    "--show-conflicts",
    default=100,
    show_default=True,
    type=click.IntRange(0),
    help="Conflicts listed in text output (0: all).",
)
@progress_option
@fails_cleanly
def agreement_cli(
    files: tuple[Path, ...],
    *,
    fmt: str,
    gold_policy: str,
    gold_out: Path | None,
    show_conflicts: int,
    progress: bool | None,
) -> None:
    """Compare annotators, then choose each document's gold by a stated policy.

    FILES are what 'validate' takes: records JSONL or Label Studio exports with several
    annotations per task, folders of task shards or of records files (invalid records are
    left out and counted). For every pair of
    annotators and overall, per layer and label: span F1 with exact and with overlap
    matching, Krippendorff's alpha_U on span boundaries (as INCEpTION computes it), and
    Cohen's kappa and nominal alpha on the labels and attributes of matched spans.

    The gold policy's steps: ground_truth (marked in Label Studio), reviewed (hand-made gold
    or an earlier adjudication), majority (a span or relation more than half the annotators
    made; claim attributes by majority), latest (the most recent annotation). The first step
    that decides wins; what it could not settle is listed as conflicts.

    \b
    Example: annotate-kit agreement export.json --gold-policy ground_truth,majority,latest
    """
    from annotate_kit.agreement.adjudicate import parse_policy
    from annotate_kit.agreement.compare import compare_files

    policy = parse_policy(gold_policy)
    show = show_progress(progress)
    if gold_out is not None:
        with gold_out.open("w", encoding="utf-8") as handle:
            run = compare_files(list(files), policy=policy, gold=handle, progress=show)
    else:
        run = compare_files(list(files), policy=policy, progress=show)
    if fmt == "json":
        click.echo(json.dumps(run_json(run), ensure_ascii=False, indent=2))
    else:
        click.echo(run_text(run, show_conflicts=show_conflicts))
    if gold_out is not None:
        click.echo(f"{run.gold_written} gold records -> {gold_out}", err=True)


def run_json(run: AgreementRun) -> dict[str, Any]:
    return {
        "records": run.records,
        "invalid": run.invalid,
        "cancelled": run.cancelled,
        "agreement": asdict(run.report),
        "gold": {
            "policy": list(run.policy),
            "steps": dict(run.gold_steps),
            "undecided": run.undecided,
        },
        "conflicts": [{"doc_id": doc, **asdict(c)} for doc, c in run.conflicts],
    }


def run_text(run: AgreementRun, *, show_conflicts: int) -> str:
    report = run.report
    lines = [
        (
            f"{counted(len(report.annotators), 'annotator')}, {counted(report.documents, 'document')}, "
            f"{report.compared} annotated by two or more, {counted(report.annotations, 'annotation')} "
            f"({run.invalid} invalid records left out, {run.cancelled} cancelled)"
        ),
    ]
    if report.compared:
        lines += [
            "",
            f"{'spans, all pairs':<28}{'spans':>7}{'exact F1':>10}{'overlap F1':>12}{'alpha_U':>9}",
        ]
        for row in report.overall.spans:
            if row.label is not None and not row.spans:
                continue
            name = row.layer if row.label is None else f"  {row.label}"
            lines.append(
                f"{name:<28}{row.spans:>7}{_num(row.exact_f1):>10}{_num(row.overlap_f1):>12}{_num(row.alpha_u):>9}"
            )
        lines += [
            "",
            f"{'labels and attributes of matched spans':<40}{'matched':>8}{'observed':>10}{'kappa':>8}{'alpha':>8}",
        ]
        lines += [
            f"{r.layer + '.' + r.attribute:<40}{r.items:>8}{_num(r.observed):>10}{_num(r.kappa):>8}{_num(r.alpha):>8}"
            for r in report.overall.attributes
        ]
        layers = list(dict.fromkeys(r.layer for r in report.overall.spans))
        lines += [
            "",
            f"{'pairs (overlap F1)':<40}{'documents':>10}" + "".join(f"{x:>11}" for x in layers),
        ]
        for pair in report.pairs:
            scores = "".join(f"{_num(pair.row(x).overlap_f1):>11}" for x in layers)
            lines.append(f"{' x '.join(pair.annotators):<40}{pair.documents:>10}{scores}")
    steps = ", ".join(f"{s} {n}" for s, n in run.gold_steps.most_common()) or "none"
    lines += ["", f"gold ({','.join(run.policy)}): {steps}; {run.undecided} documents undecided"]
    kinds = Counter(c.kind for _, c in run.conflicts)
    summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    lines.append(f"conflicts: {len(run.conflicts)}" + (f" ({summary})" if summary else ""))
    shown = run.conflicts if show_conflicts == 0 else run.conflicts[:show_conflicts]
    for doc_id, c in shown:
        where = f" {c.layer} [{c.start},{c.end}) «{c.text}» {c.label}" if c.text is not None else ""
        who = f" ({', '.join(c.annotations)})" if c.annotations else ""
        lines.append(f"  {doc_id} {c.kind}{where}{who}: {c.detail}")
    if len(shown) < len(run.conflicts):
        lines.append(
            f"  ... {len(run.conflicts) - len(shown)} more (--show-conflicts 0, or --format json)"
        )
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
