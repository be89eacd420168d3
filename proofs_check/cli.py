"""``boolsens verify`` / ``python -m proofs_check``: run the claims of THEORY.md §2.

Exit status: 0 if every selected claim held, 1 if any failed (or errored), 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
import time

from .core import PROFILES, REGISTRY, Registry

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="boolsens verify", description="Check every claim of THEORY.md §2 numerically.")
    p.add_argument("--claim", action="append", metavar="ID", help="check only this claim (repeatable); see --list")
    p.add_argument("--list", action="store_true", help="list the claim ids and statements, then exit")
    p.add_argument("--json", action="store_true", help="print JSON (every relation, witness, note) instead of a table")
    p.add_argument("--details", action="store_true", help="after the table, print every relation, tightness and note")
    prof = p.add_mutually_exclusive_group()
    prof.add_argument("--quick", dest="profile", action="store_const", const="quick", help="the quick profile (~15 s)")
    prof.add_argument("--thorough", dest="profile", action="store_const", const="thorough", help="go further (minutes)")
    prof.add_argument("--profile", dest="profile", choices=PROFILES, help="quick, default or thorough")
    p.add_argument("--seed", type=int, default=0, help="base seed of every random draw (reported; default 0)")
    p.add_argument("--no-progress", action="store_true", help="do not print progress on stderr")
    return p


def main(argv: list[str] | None = None, *, registry: Registry | None = None) -> int:
    """Run the CLI with ``argv`` (the arguments after ``verify``); returns the exit status."""
    if registry is None:
        # register the built-in claims even when the package __init__ did not run (an editable
        # install made while proofs_check had no __init__.py imports it as a namespace package)
        from . import claims_identities, claims_inequalities, claims_prop21, claims_seeds  # noqa: F401
    reg = REGISTRY if registry is None else registry
    args = _parser().parse_args(argv)
    if not len(reg):
        print("no claims are registered", file=sys.stderr)
        return 1
    if args.list:
        for c in reg:
            print(f"{c.id:24s} {c.statement}")
        return 0
    ids = args.claim
    if ids:
        unknown = [i for i in ids if i not in reg]
        if unknown:
            print(f"unknown claim id(s) {', '.join(unknown)}; known: {', '.join(reg.ids())}", file=sys.stderr)
            return 2
    profile = args.profile or "default"
    start = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {msg}", file=sys.stderr, flush=True)

    results = reg.run(ids, profile=profile, seed=args.seed, progress=None if args.no_progress else progress)
    from .report import format_details, format_table, to_json

    if args.json:
        print(to_json(results))
    else:
        print(format_table(results))
        if args.details:
            for r in results:
                print()
                print(format_details(r))
        else:
            for r in results:
                if not r.held:
                    print()
                    print(format_details(r))
    return 0 if all(r.held for r in results) else 1
