"""``boolsens``: one command line over the three packages.

    boolsens analyze majority --n 7                          # the core (boolsens.analyze)
    boolsens census --n 5 --out DIR                          # every function on n <= 5 (boolsens.census_report)
    boolsens verify [--claim ID] [--json] [--thorough]       # proofs_check.verify_command
    boolsens experiment list | NAME --preset P --out DIR     # empirical.harness.cli
    boolsens tour                                            # all of them, on built-in defaults

Every bad argument or unwritable output ends in one line on stderr and exit status 2.
"""

from __future__ import annotations

from boolsens import commands as core_commands
from boolsens.command_line import CommandLineError, CommandParser, run_command

from . import tour

__all__ = ["build_parser", "main"]


def _optional(module: str):
    """A package's ``register``; a package whose optional dependencies are missing contributes a
    stub subcommand that says what to install."""
    import importlib

    try:
        return importlib.import_module(module).register
    except ImportError as exc:
        missing = exc.name or str(exc)

        def register(subparsers, _name=module.split(".")[0], _missing=missing):
            name = {"proofs_check": "verify", "empirical": "experiment"}[_name]
            p = subparsers.add_parser(name, help=f"(unavailable: {_missing} is not installed)")

            def run(args):
                raise CommandLineError(
                    f"boolsens {name} needs {_missing}: pip install 'boolsens[all]'")

            p.set_defaults(run=run)

        return register


def build_parser() -> CommandParser:
    parser = CommandParser(prog="boolsens",
                           description="Exact Boolean-function analysis, theorem checks and experiments.")
    sub = parser.add_subparsers(dest="command", metavar="{analyze,census,verify,experiment,tour}")
    core_commands.register(sub)
    _optional("proofs_check.verify_command")(sub)
    _optional("empirical.harness.cli")(sub)
    tour.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``boolsens`` with ``argv`` (default: the process arguments); returns the exit status."""
    return run_command(build_parser(), argv)
