"""``boolsens verify`` / ``python -m proofs_check``: run the claims (see ``docs/theory.md`` §3).

Exit status: 0 if every selected claim held, 1 if any failed (or errored), 2 for bad arguments.
This module contributes the ``verify`` subcommand to the ``boolsens`` command (``register``) and
runs on its own as ``python -m proofs_check`` (``main``).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from boolsens.command_line import CommandLineError, CommandParser, run_command

from .core import PROFILES, REGISTRY, Registry
from .report import format_details, format_table, to_json

__all__ = ["register", "main"]


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claim", action="append", metavar="ID", help="check only this claim (repeatable); see --list")
    p.add_argument("--list", action="store_true", help="list the claim ids and statements, then exit")
    p.add_argument("--json", action="store_true", help="print JSON (every relation, witness, note) instead of a table")
    p.add_argument("--details", action="store_true", help="after the table, print every relation, tightness and note")
    prof = p.add_mutually_exclusive_group()
    prof.add_argument("--quick", dest="profile", action="store_const", const="quick", help="the quick profile (~15 s)")
    prof.add_argument("--thorough", dest="profile", action="store_const", const="thorough", help="go further (minutes)")
    prof.add_argument("--profile", dest="profile", choices=PROFILES, help="quick, default or thorough")
    p.add_argument("--seed", type=int, default=0, help="base seed of every random draw (reported; default 0)")
    p.add_argument("--exhaustive", type=int, metavar="N", default=None,
                   help="check every Boolean claim on every function on N <= 5 variables (all 4,294,967,296 at "
                        "N = 5), through the census's class representatives")
    p.add_argument("--certify", action="store_true",
                   help="prove the ρ-dependent claims for every ρ (exact polynomial certificates over every "
                        "function on n <= 4) instead of checking them on a grid")
    p.add_argument("--no-progress", action="store_true", help="do not print progress on stderr")


def register(subparsers: Any, *, registry: Registry | None = None) -> None:
    """Add ``verify`` to the ``boolsens`` command."""
    p = subparsers.add_parser("verify", help="run the theorem checks (proofs_check)",
                              description="Check every claim of docs/theory.md §3 numerically.")
    _configure(p)
    p.set_defaults(run=lambda args: run(args, registry=registry))


def run(args: argparse.Namespace, *, registry: Registry | None = None) -> int:
    """Run ``verify`` with parsed arguments; returns the exit status."""
    reg = REGISTRY if registry is None else registry
    if args.seed < 0:
        raise CommandLineError(f"--seed={args.seed} must be a non-negative integer")
    if args.exhaustive is not None and not 1 <= args.exhaustive <= 5:
        raise CommandLineError(f"--exhaustive={args.exhaustive} must lie in [1, 5]")
    if not len(reg):
        print("no claims are registered", file=sys.stderr)
        return 1
    if args.certify:
        from .certify import census_profiles, certify, format_certificates

        start = time.perf_counter()
        log = None if args.no_progress else (
            lambda m: print(f"[{time.perf_counter() - start:6.1f}s] {m}", file=sys.stderr, flush=True))
        extra, extra_domain, extra_signs = {}, "", None
        if args.exhaustive == 5:
            extra, extra_domain, extra_signs = census_profiles(5, progress=log)
        results = certify(min(4, args.exhaustive or 4), extra=extra, extra_domain=extra_domain,
                          extra_signs=extra_signs, progress=log)
        print(format_certificates(results))
        return 0 if all(r.held for r in results) else 1
    if args.list:
        for c in reg:
            print(f"{c.id:24s} {c.statement}")
        return 0
    ids = args.claim
    if ids:
        unknown = [i for i in ids if i not in reg]
        if unknown:
            raise CommandLineError(f"unknown claim id(s) {', '.join(unknown)}; known: {', '.join(reg.ids())}")
    profile = args.profile or "default"
    start = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    results = reg.run(ids, profile=profile, seed=args.seed, progress=None if args.no_progress else progress,
                      exhaustive=args.exhaustive)
    if args.json:
        print(to_json(results))
    else:
        print(format_table(results))
        for r in results:
            if args.details or not r.held:
                print()
                print(format_details(r))
    return 0 if all(r.held for r in results) else 1


def main(argv: list[str] | None = None, *, registry: Registry | None = None) -> int:
    """``verify`` with ``argv`` (the arguments after ``verify``); returns the exit status."""
    p = CommandParser(prog="boolsens verify", description="Check every claim of docs/theory.md §3 numerically.")
    _configure(p)
    p.set_defaults(run=lambda args: run(args, registry=registry))
    return run_command(p, argv, prog="boolsens verify")
