"""annotate-kit status: how far a Label Studio campaign is, who did what, how much they agree."""

from __future__ import annotations

import json

import click

from annotate_kit.cli._support import fails_cleanly, progress_option, show_progress, url_option


@click.command("status")
@click.option("--project", required=True, help="Project title.")
@url_option
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="List documents whose annotators' exact span F1 is below this, for review.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@progress_option
@fails_cleanly
def status_cli(
    *, project: str, url: str | None, threshold: float, fmt: str, progress: bool | None
) -> None:
    """Report on an annotation campaign, read from the server; nothing is written.

    Tasks: total, annotated, skipped, not started, in the overlap sample (push --overlap) and
    awaiting their overlap. Per annotator: annotations, skips, median lead time and span F1
    with the others per layer (exact/overlap, on documents two or more people annotated).
    Documents whose annotators disagree (exact span F1 below --threshold) are listed for
    'annotate-kit review'. Suggestions: per layer and label, the predicted regions
    annotators kept, changed or deleted, the regions they added, and the median lead time
    with and without predictions. The project is read in bounded snapshot exports, as pull
    reads it.

    \b
    Example: annotate-kit status --project news-fr --format json
    """
    from annotate_kit.campaign.status import campaign_status

    status = campaign_status(
        project=project, url=url, threshold=threshold, progress=show_progress(progress)
    )
    if fmt == "json":
        click.echo(json.dumps(status.as_dict(), indent=2, ensure_ascii=False))
        return
    for line in text_lines(status.as_dict()):
        click.echo(line)


def text_lines(report: dict) -> list[str]:
    """The JSON report as lines a person reads."""
    tasks, overlap = report["tasks"], report["overlap"]
    lines = [
        (
            f"project {report['project']!r} (id {report['project_id']}): overlap "
            f"{overlap['maximum_annotations']} annotators on {overlap['overlap_cohort_percentage']} %"
        ),
        (
            f"tasks: {tasks['total']} total, {tasks['annotated']} annotated, {tasks['skipped']} "
            f"skipped, {tasks['not_started']} not started"
        ),
        (
            f"overlap sample: {tasks['in_overlap_sample']} tasks, {tasks['overlap_complete']} "
            f"complete, {tasks['awaiting_overlap']} awaiting their overlap"
        ),
        "annotators (annotations, skips, median lead time, exact span F1 with the others):",
    ]
    for who in report["annotators"]:
        lead = who["median_lead_time"]
        f1 = ", ".join(f"{layer} {_num(v['exact'])}" for layer, v in who["f1"].items())
        lines.append(
            f"  {who['annotator']}: {who['annotations']}, {who['skips']}, "
            f"{'-' if lead is None else f'{lead:.1f} s'}, {f1}"
        )
    agreement = report["agreement"]
    if agreement:
        f1 = ", ".join(
            f"{layer} {_num(v['exact'])}/{_num(v['overlap'])}"
            for layer, v in agreement["f1"].items()
        )
        lines.append(
            f"agreement on {agreement['documents_compared']} documents (exact/overlap F1): {f1}"
        )
    review = report["to_review"]
    lines.append(f"to review (exact span F1 below {report['threshold']:g}): {len(review)}")
    lines += [
        f"  {d['doc_id']} (task {d['task_id']}): F1 {_num(d['exact_f1'])}, "
        f"{', '.join(d['annotators'])}"
        for d in review
    ]
    suggestions = report["suggestions"]
    if suggestions and suggestions["rows"]:
        lines.append(
            f"suggestions ({suggestions['annotations']} annotations): predicted, kept, "
            "changed, deleted, added"
        )
        lines += [
            f"  {r['layer']}/{r['label']}: {r['predicted']}, {r['kept']}, {r['changed']}, "
            f"{r['deleted']}, {r['added']}"
            for r in suggestions["rows"]
        ]
    if suggestions:
        times = suggestions["median_lead_time"]
        lines.append(
            f"median lead time: {_secs(times['with_predictions'])} with predictions, "
            f"{_secs(times['without_predictions'])} without"
        )
    return lines


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"
