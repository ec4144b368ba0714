"""annotate-kit config: print the Label Studio labeling config generated from schema/."""

from __future__ import annotations

import click

from annotate_kit.cli._support import fails_cleanly


@click.command("config")
@fails_cleanly
def config_cli() -> None:
    """Print the Label Studio labeling config generated from schema/.

    Paste it into a project's Settings > Labeling Interface, or let 'push' set it.

    \b
    Example: annotate-kit config > labeling-config.xml
    """
    from annotate_kit.labelstudio.config import labelstudio_config

    click.echo(labelstudio_config())
