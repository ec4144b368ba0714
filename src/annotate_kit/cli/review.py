"""annotate-kit review: the documents annotators disagree on, pushed to a review project."""

from __future__ import annotations

import click

from annotate_kit.cli._support import fails_cleanly, progress_option, show_progress, url_option


@click.command("review")
@click.option("--project", required=True, help="The campaign's project title.")
@click.option(
    "--to",
    "review_project",
    default=None,
    help="Review project title (default: 'PROJECT — review'); created when missing.",
)
@url_option
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1),
    default=0.8,
    show_default=True,
    help="Review documents whose annotators' exact span F1 is below this.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be sent; change nothing.")
@progress_option
@fails_cleanly
def review_cli(
    *,
    project: str,
    review_project: str | None,
    url: str | None,
    threshold: float,
    dry_run: bool,
    progress: bool | None,
) -> None:
    """Send the conflicting documents of a campaign to a review project.

    The documents 'annotate-kit status' lists for review become tasks of the review project,
    each annotator's version shown as a prediction named by the annotator's pseudonym (as in
    the dataset). The reviewer submits the right version; 'annotate-kit pull' of the review
    project writes it with origin adjudicated, and 'annotate-kit export' of both projects'
    records takes it as gold (policy step 'reviewed'). Running again sends only new conflicts.

    \b
    Example: annotate-kit review --project news-fr
    Then:    annotate-kit pull --project "news-fr — review" -o reviewed.jsonl
    """
    from annotate_kit.campaign.review import send_to_review

    summary = send_to_review(
        project=project,
        review_project=review_project,
        url=url,
        threshold=threshold,
        dry_run=dry_run,
        progress=show_progress(progress),
    )
    conflicts = len(summary.status.disagreements)
    click.echo(
        f"project {project!r}: {conflicts} documents to review (exact span F1 below {threshold:g})"
    )
    if summary.push is None:
        return
    verb = "would be created" if dry_run else "created"
    click.echo(
        f"review project {summary.review_project!r}: {summary.push.project_action}; "
        f"{summary.push.created} tasks {verb}, {summary.push.already_there} already there"
    )
