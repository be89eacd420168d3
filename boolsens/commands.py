"""The core's subcommands of the ``boolsens`` command: ``analyze`` (:mod:`boolsens.analyze`),
``census`` (:mod:`boolsens.census_report`) and ``search`` (:mod:`boolsens.search.command`).

The ``boolsens`` command itself belongs to the application layer (:mod:`boolsens_cli`); each
package contributes its subcommands through a ``register(subparsers)`` function, and this is the
core's. The plumbing they share is :mod:`boolsens.command_line`.
"""

from __future__ import annotations

from typing import Any

from . import analyze as _analyze
from . import census_report as _census_report
from .search import command as _search_command
from .command_line import CommandParser, run_command

__all__ = ["register", "main"]


def register(subparsers: Any) -> None:
    """Add the core's subcommands (``analyze``, ``census``, ``search``) to the ``boolsens`` command."""
    _analyze.register(subparsers)
    _census_report.register(subparsers)
    _search_command.register(subparsers)


def main(argv: list[str] | None = None) -> int:
    """``boolsens analyze ...`` and ``boolsens census ...`` alone (the full command is
    :func:`boolsens_cli.main.main`)."""
    parser = CommandParser(prog="boolsens")
    register(parser.add_subparsers(dest="command"))
    return run_command(parser, argv)
