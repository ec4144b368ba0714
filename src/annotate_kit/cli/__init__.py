"""The command line: one module per command group, each a thin wrapper over a library function.

Nothing imports cli. Takes: argv. Gives: output and an exit code.
"""

from annotate_kit.cli.main import main

__all__ = ["main"]
