"""The ``boolsens search`` subcommand: an objective over named measures, searched exhaustively
(:func:`boolsens.search.exhaustive`) or locally (``--local``: :func:`boolsens.search.local`).

    boolsens search --n 5 --maximise "block_sensitivity/sensitivity"
    boolsens search --n 4 --minimise "deg/s" --family threshold --json
    boolsens search --n 5 --maximise "bs/s" --invariance none      # all 2**32 functions, minutes
    boolsens search --n 10 --maximise "bs/s" --local --steps 200 --restarts 4 --seed 0
"""

from __future__ import annotations

import argparse
import json
from typing import Any

__all__ = ["register"]


def _main(args: argparse.Namespace) -> int:
    from ..errors import BoolsensError
    from .exhaustive import FAMILIES, INVARIANCES, exhaustive
    from .local import local

    if (args.maximise is None) == (args.minimise is None):
        raise BoolsensError("give exactly one of --maximise EXPR and --minimise EXPR")
    text = args.maximise if args.maximise is not None else args.minimise
    maximise = args.maximise is not None
    if args.local:
        r = local(text, args.n, steps=args.steps, restarts=args.restarts, rng=args.seed, maximise=maximise,
                  anneal=args.anneal)
        if args.json:
            print(json.dumps({"objective": r.objective, "n": args.n, "maximise": maximise, "value": _text(r.value),
                              "table": r.best.to_hex(), "restarts": r.table(), "moves": r.moves,
                              "incremental": r.incremental, "seconds": round(r.seconds, 3)}, indent=2))
            return 0
        print(f"local search for the {'largest' if maximise else 'least'} {r.objective} on n={args.n}: "
              f"{_text(r.value)} (table 0x{r.best.to_hex()}), {args.restarts} restart(s) of {args.steps} steps, "
              f"{r.moves:,} moves in {r.seconds:.1f} s")
        _print_columns(r.table())
        return 0
    if args.family not in FAMILIES:
        raise BoolsensError(f"--family={args.family!r} is not a family; allowed: {', '.join(FAMILIES)}")
    if args.invariance is not None and args.invariance not in INVARIANCES:
        raise BoolsensError(f"--invariance={args.invariance!r} is not allowed; allowed: {', '.join(INVARIANCES)}")
    r = exhaustive(text, args.n, family=args.family, invariance=args.invariance, top=args.top,
                   max_functions=args.max_functions, show_progress=args.progress)
    if args.json:
        print(json.dumps(r.as_dict(), indent=2))
        return 0
    best, worst = (r.maximum, r.minimum) if maximise else (r.minimum, r.maximum)
    print(f"{r.objective} over every {'' if r.family == 'all' else r.family + ' '}function on n={r.n}: "
          f"{r.functions:,} functions in {r.classes:,} {r.invariance.upper() if r.invariance != 'none' else ''}"
          f"{' classes' if r.invariance != 'none' else 'functions'}"
          + (f" ({r.undefined:,} undefined)" if r.undefined else "") + f", {r.seconds:.1f} s")
    print(f"{'largest' if maximise else 'least'}: {_text(best)}")
    cols = r.table()
    keep = [k for k, kind in enumerate(cols["kind"]) if kind == ("max" if maximise else "min")]
    _print_columns({c: [v[k] for k in keep] for c, v in cols.items() if c != "kind"})
    return 0


def _text(v: Any) -> str:
    from .exhaustive import _text as text

    return "undefined" if v is None else text(v)


def _print_columns(cols: dict[str, list]) -> None:
    names = list(cols)
    rows = [[str(v) for v in row] for row in zip(*(cols[c] for c in names))]
    widths = [max([len(c)] + [len(r[j]) for r in rows]) for j, c in enumerate(names)]
    print("  ".join(c.ljust(w) for c, w in zip(names, widths)))
    for r in rows:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths)))


def register(subparsers: Any) -> None:
    """Add ``search`` to the ``boolsens`` command."""
    c = subparsers.add_parser("search", help="extremal functions: an objective over every function of n <= 5, or "
                                             "local search beyond",
                              description="Search for the functions maximising (minimising) an expression over "
                                          "named measures, e.g. 'block_sensitivity/sensitivity' or 'deg/s'.")
    c.add_argument("--n", type=int, required=True, help="number of variables (exhaustive: 0..5, threshold 0..6)")
    c.add_argument("--maximise", "--maximize", metavar="EXPR", help="expression to maximise, e.g. 'bs/s'")
    c.add_argument("--minimise", "--minimize", metavar="EXPR", help="expression to minimise")
    c.add_argument("--family", default="all", help="all, balanced, threshold, monotone or symmetric (default all)")
    c.add_argument("--invariance", default=None,
                   help="npn, np or none (default: the expression's own, npn unless it uses bias)")
    c.add_argument("--top", type=int, default=5, help="how many extremal classes to list (default 5)")
    c.add_argument("--max-functions", type=int, default=None, metavar="COUNT",
                   help="largest function-by-function scan (--invariance none) allowed (default: 2**32 when every "
                        "measure streams through the census kernels, else 2**24)")
    c.add_argument("--local", action="store_true", help="local search (hill climbing) instead of enumeration")
    c.add_argument("--steps", type=int, default=1000, help="--local: steps per restart (default 1000)")
    c.add_argument("--restarts", type=int, default=4, help="--local: restarts (default 4)")
    c.add_argument("--seed", type=int, default=0, help="--local: random seed (default 0)")
    c.add_argument("--anneal", type=float, default=None, help="--local: simulated annealing from this temperature")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar (default: on a terminal)")
    c.set_defaults(run=_main)
