"""The core's subcommands of the ``boolsens`` command: ``analyze`` (:mod:`boolsens.analyze`) and
``census`` (:mod:`boolsens.census_report`).

The ``boolsens`` command itself belongs to the application layer (:mod:`boolsens_cli`); each
package contributes its subcommands through a ``register(subparsers)`` function, and this is the
core's. The plumbing they share is :mod:`boolsens.command_line`.
"""

from __future__ import annotations

from typing import Any

from . import analyze as _analyze
from . import census_report as _census_report
from .command_line import CommandParser, run_command

__all__ = ["register", "main"]


def register(subparsers: Any) -> None:
    """Add the core's subcommands (``analyze``, ``census``) to the ``boolsens`` command."""
    _analyze.register(subparsers)
    _census_report.register(subparsers)


def main(argv: list[str] | None = None) -> int:
    """``boolsens analyze ...`` and ``boolsens census ...`` alone (the full command is
    :func:`boolsens_cli.main.main`)."""
    parser = CommandParser(prog="boolsens")
    register(parser.add_subparsers(dest="command"))
    return run_command(parser, argv)
