"""The command line: each command parses options, calls one library function, prints.

AnnotateKitError becomes "Error: [CODE] message" on stderr and the error's exit code;
anything else is a bug: exit 70, its traceback in a log file (or on stderr with --debug).
"""

from __future__ import annotations

import click

from annotate_kit._version import __version__
from annotate_kit.cli._support import DEBUG_KEY
from annotate_kit.cli.agreement import agreement_cli
from annotate_kit.cli.config import config_cli
from annotate_kit.cli.convert import convert_cli
from annotate_kit.cli.demo import demo_cli
from annotate_kit.cli.evaluate import evaluate_cli
from annotate_kit.cli.export import export_cli
from annotate_kit.cli.pull import pull_cli
from annotate_kit.cli.push import push_cli
from annotate_kit.cli.review import review_cli
from annotate_kit.cli.status import status_cli
from annotate_kit.cli.studio import studio_cli
from annotate_kit.cli.train import train_cli
from annotate_kit.cli.validate import validate_cli


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="annotate-kit")
@click.option(
    "--debug",
    is_flag=True,
    help="On an internal error (exit 70), print the traceback instead of writing it to a log.",
)
@click.pass_context
def main(ctx: click.Context, *, debug: bool) -> None:
    """Build claim, source and hedging datasets with Label Studio.

    documents --convert--> tasks --push--> Label Studio --pull--> annotations
    --validate--> records --export--> Hugging Face dataset

    Run 'annotate-kit COMMAND --help' for each step, with an example.
    """
    ctx.meta[DEBUG_KEY] = debug


for _command in (
    convert_cli,
    push_cli,
    studio_cli,
    pull_cli,
    status_cli,
    review_cli,
    validate_cli,
    agreement_cli,
    evaluate_cli,
    export_cli,
    train_cli,
    config_cli,
    demo_cli,
):
    main.add_command(_command)
