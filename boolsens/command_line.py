"""The plumbing every subcommand of the ``boolsens`` command shares (a base module of the core).

:class:`CommandParser` (an ``argparse.ArgumentParser`` whose errors are one line and exit status
2) and :func:`run_command` (which turns a :class:`~boolsens.BoolsensError` into one line on
stderr and exit status 2, never a traceback) serve every subcommand of the project: the core's
(:mod:`boolsens.commands`), ``verify`` (:mod:`proofs_check.verify_command`) and ``experiment``
(:mod:`empirical`). :func:`check_output_file` refuses an output file that cannot be written
before any work starts.

Only the standard library and :mod:`boolsens.errors` are imported here, so building the command
line costs nothing beyond what each subcommand's registration imports.
"""

from __future__ import annotations

import argparse
import os
import sys

from .errors import BoolsensError

__all__ = ["CommandLineError", "CommandParser", "run_command", "check_output_file"]


class CommandLineError(BoolsensError):
    """A bad command-line argument (reported in one line, exit status 2)."""


class CommandParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors raise :class:`CommandLineError` (one line, exit status
    2 through :func:`run_command`) instead of printing the usage and exiting."""

    def error(self, message: str):  # type: ignore[override]
        raise CommandLineError(f"{self.prog}: {message} (see {self.prog} --help)")


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None, *, prog: str = "boolsens") -> int:
    """Parse ``argv`` and run the chosen subcommand's ``run(args) -> int``.

    Every :class:`~boolsens.BoolsensError` (bad arguments found before or during the work, a file
    that cannot be written) ends as one line on stderr and exit status 2; a closed stdout pipe
    (``| head``) ends quietly. Anything else is a bug and keeps its traceback.
    """
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
        run = getattr(args, "run", None)
        if run is None:
            parser.print_help()
            return 2
        return int(run(args))
    except BoolsensError as exc:
        text = str(exc)
        print(text if text.startswith(prog) else f"{prog}: error: {text}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def check_output_file(path: str, option: str) -> None:
    """Fail before any work when ``path`` cannot be written: a missing or non-folder parent, a
    folder in its place, no write permission."""
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise BoolsensError(f"{option}={path!r}: the folder {parent!r} does not exist")
    if os.path.isdir(path):
        raise BoolsensError(f"{option}={path!r} is a folder; give a file name such as {os.path.join(path, 'f.png')!r}")
    if not os.access(parent, os.W_OK):
        raise BoolsensError(f"{option}={path!r}: the folder {parent!r} is not writable")
