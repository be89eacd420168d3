"""The core's part of the ``boolsens`` command line, and the plumbing every part shares.

The ``boolsens`` command itself belongs to the application layer (:mod:`boolsens_cli`); each
package contributes its subcommands through a ``register(subparsers)`` function:

    boolsens analyze majority --n 7            # every measure of MAJ_7 as a table (this module)
    boolsens analyze tribes --w 2 --s 3 --json
    boolsens analyze --table 0x8ff0 --rho 0.1,0.5,0.9

:class:`CommandParser` (an ``argparse.ArgumentParser`` whose errors are one line and exit
status 2) and :func:`run_command` (which turns a :class:`~boolsens.BoolsensError` into one line
on stderr and exit status 2, never a traceback) serve every subcommand of the project.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from . import families as _families
from .errors import BoolsensError
from .function import BooleanFunction
from .fourier import degree, fourier_weights
from .influence import influences
from .noise import disagreement_probability, noise_stability, robustness_bound
from .sensitivity import sensitivity
from .complexity import block_sensitivity, certificate_complexity, decision_tree_depth
from ._input.validation import check_rho
from .storage import to_jsonable

# family name -> (builder taking the parsed args, the parameters it uses)
FAMILIES: dict[str, tuple[Callable[[argparse.Namespace], Any], str]] = {}


def _family(name: str, params: str, *aliases: str):
    def deco(fn):
        for key in (name, *aliases):
            FAMILIES[key] = (fn, params)
        return fn

    return deco


def _need(args: argparse.Namespace, *names: str) -> list[Any]:
    missing = [f"--{n.replace('_', '-')}" for n in names if getattr(args, n) is None]
    if missing:
        raise BoolsensError(f"family {args.family!r} needs {', '.join(missing)}")
    return [getattr(args, n) for n in names]


@_family("parity", "--n", "par")
def _parity(a):
    return _families.parity(*_need(a, "n"))


@_family("majority", "--n [--tie ±1 for even n]", "maj")
def _majority(a):
    return _families.majority(*_need(a, "n"), tie=a.tie)


@_family("dictator", "--n [--i]", "dict")
def _dictator(a):
    return _families.dictator(*_need(a, "n"), i=a.i or 0)


@_family("conjunction", "--n", "and")
def _and(a):
    return _families.conjunction(*_need(a, "n"))


@_family("disjunction", "--n", "or")
def _or(a):
    return _families.disjunction(*_need(a, "n"))


@_family("tribes", "--w --s")
def _tribes(a):
    return _families.tribes(*_need(a, "w", "s"))


@_family("inner-product", "--m", "ip")
def _ip(a):
    return _families.inner_product(*_need(a, "m"))


@_family("address", "--k", "ind", "indexing")
def _address(a):
    return _families.address(*_need(a, "k"))


@_family("threshold", "--weights w1,w2,... [--theta] [--tie]", "ltf")
def _threshold(a):
    (weights,) = _need(a, "weights")
    return _families.threshold(_floats(weights, "weights"), a.theta, tie=a.tie)


@_family("sparse-parity", "--n --S i,j,...")
def _sparse(a):
    n, S = _need(a, "n", "S")
    return _families.sparse_parity(n, _ints(S, "S"))


@_family("rubinstein", "--k (even)")
def _rubinstein(a):
    return _families.rubinstein(*_need(a, "k"))


@_family("random", "--n [--seed]")
def _random(a):
    return _families.random_function(*_need(a, "n"), seed=a.seed)


def _floats(text: str, name: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BoolsensError(f"--{name}={text!r} must be a comma-separated list of numbers") from None
    if not values or not all(math.isfinite(v) for v in values):
        raise BoolsensError(f"--{name}={text!r} must be a comma-separated list of finite numbers")
    return values


def _ints(text: str, name: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BoolsensError(f"--{name}={text!r} must be a comma-separated list of integers") from None
    if not values:
        raise BoolsensError(f"--{name}={text!r} must list at least one integer")
    return values


def parse_table(text: str):
    """A truth table given as a bit string ('0001', index 0 first) or hex ('0x8', MSB = last index)."""
    s = text.strip()
    if s.lower().startswith("0x"):
        digits = len(s) - 2
        bits = 4 * digits
        if digits == 0 or bits & (bits - 1):
            raise BoolsensError(
                f"--table {text!r}: a hex table needs 2**n/4 digits (1, 2, 4, 8, ...), got {digits}"
            )
        return BooleanFunction.from_hex(s, bits.bit_length() - 1, name="table")
    return BooleanFunction.from_bits(s, name="table")


# --------------------------------------------------------------------------------- analyze
def analyze(f, rhos: list[float], *, complexity_max_n: int = 12, log: Callable[[str], None] | None = None) -> dict:
    """Every measure of ``f`` as a JSON-ready dict (exact fractions as strings where exact)."""
    log = log or (lambda msg: None)
    n = f.n
    out: dict[str, Any] = {"name": f.name, "n": n}
    t0 = time.perf_counter()

    def stage(label: str, fn: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        log(f"{label} ...")
        value = fn()
        log(f"{label} done in {time.perf_counter() - start:.2f}s")
        return value

    weights = stage("Fourier weights", lambda: fourier_weights(f, exact=True))
    bias = Fraction(int(f.walsh_spectrum()[0]), 1 << n)
    out["bias"] = bias
    out["variance"] = 1 - bias * bias
    out["degree"] = stage("degree", lambda: degree(f))
    out["fourier_weights"] = list(weights)
    infl = stage("influences", lambda: influences(f, exact=True))
    out["influences"] = list(infl)
    out["total_influence"] = sum(infl, Fraction(0))
    out["normalized_sensitivity"] = out["total_influence"] / n if n else Fraction(0)
    out["sensitivity"] = stage("max sensitivity", lambda: sensitivity(f))
    if n <= complexity_max_n:
        out["block_sensitivity"] = stage("block sensitivity", lambda: block_sensitivity(f))
        out["certificate_complexity"] = stage("certificate complexity", lambda: certificate_complexity(f))
        out["decision_tree_depth"] = stage("decision-tree depth", lambda: decision_tree_depth(f))
    else:
        out["block_sensitivity"] = out["certificate_complexity"] = out["decision_tree_depth"] = None
    rows = []
    for rho in rhos:
        pr = disagreement_probability(f, rho)
        bound = robustness_bound(f, rho)
        rows.append({"rho": rho, "stability": noise_stability(f, rho), "disagreement": pr,
                     "prop_2_2_bound": bound,
                     "bound_holds": bool(pr <= bound + 1e-12) if rho >= 0 else None})
    out["noise"] = rows
    out["seconds"] = time.perf_counter() - t0
    return out


def _fmt(v: Any, digits: int = 6) -> str:
    if v is None:
        return "—"
    if isinstance(v, Fraction):
        if v.denominator == 1:
            return str(v.numerator)
        fl = float(v)
        exact = f"{v.numerator}/{v.denominator}"
        return f"{fl:.{digits}g}" + (f" (= {exact})" if len(exact) <= 16 else "")
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def _fmt_short(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{float(v):.4g}"


def format_analysis(res: dict) -> str:
    n = res["n"]
    lines = [f"{res['name'] or 'f'}  (n = {n})", "-" * 60]

    def row(label: str, value: str) -> None:
        lines.append(f"  {label:<28}{value}")

    row("bias E f", _fmt(res["bias"]))
    row("variance", _fmt(res["variance"]))
    row("degree", _fmt(res["degree"]))
    w = res["fourier_weights"]
    row("W^k by level (k = 0..n)", "  ".join(_fmt_short(x) for x in w))
    infl = res["influences"]
    if len(set(infl)) == 1 and infl:
        row("influences", f"all {n} equal {_fmt(infl[0])}")
    else:
        row("influences (i = 0..n-1)", "  ".join(_fmt_short(x) for x in infl))
    row("total influence I", _fmt(res["total_influence"]))
    row("I / n", _fmt(res["normalized_sensitivity"]))
    row("sensitivity s", _fmt(res["sensitivity"]))
    cx_note = "" if res["block_sensitivity"] is not None else "   (n too large; raise --complexity-max-n)"
    row("block sensitivity bs", _fmt(res["block_sensitivity"]) + cx_note)
    row("certificate complexity C", _fmt(res["certificate_complexity"]))
    row("decision-tree depth D", _fmt(res["decision_tree_depth"]))
    lines.append("")
    lines.append(f"  {'rho':>6} {'Stab_rho':>11} {'Pr_rho':>11} {'½(1-ρ^(s²))':>13}  Prop 2.2")
    for r in res["noise"]:
        holds = {True: "holds", False: "VIOLATED", None: "n/a (needs ρ ≥ 0)"}[r["bound_holds"]]
        lines.append(
            f"  {r['rho']:>6g} {r['stability']:>11.6g} {r['disagreement']:>11.6g} "
            f"{r['prop_2_2_bound']:>13.6g}  {holds}"
        )
    lines.append(f"  ({res['seconds']:.2f}s)")
    return "\n".join(lines)


def _exact_strings(res: dict) -> dict:
    keys = ("bias", "variance", "total_influence", "normalized_sensitivity")
    ex = {k: str(res[k]) for k in keys}
    ex["fourier_weights"] = [str(x) for x in res["fourier_weights"]]
    ex["influences"] = [str(x) for x in res["influences"]]
    return ex


def _analyze_main(args: argparse.Namespace) -> int:
    if args.table is not None and args.family is not None:
        raise BoolsensError(f"give a family ({args.family!r}) or --table, not both")
    if args.complexity_max_n < 0:
        raise BoolsensError(f"--complexity-max-n={args.complexity_max_n} must be >= 0")
    if args.plot:
        _check_output_file(args.plot, "--plot")
    if args.table is not None:
        f = parse_table(args.table)
    elif args.family is None:
        raise BoolsensError("give a family (see `boolsens analyze --list`) or --table")
    else:
        key = args.family.lower()
        if key not in FAMILIES:
            raise BoolsensError(f"unknown family {args.family!r}; choose from {', '.join(sorted(set(_names())))}")
        f = FAMILIES[key][0](args)
    rhos = _floats(args.rho, "rho")
    for r in rhos:
        check_rho(r)
    verbose = args.progress if args.progress is not None else (f.n >= 18 or sys.stderr.isatty())
    log = (lambda msg: print(f"[boolsens] {msg}", file=sys.stderr, flush=True)) if verbose else None
    res = analyze(f, rhos, complexity_max_n=args.complexity_max_n, log=log)
    if args.json:
        payload = to_jsonable(res)
        payload["exact"] = _exact_strings(res)
        print(json.dumps(payload, indent=2))
    else:
        print(format_analysis(res))
    if args.plot:
        plot_analysis(f, res, args.plot)
        print(f"figure written to {args.plot}", file=sys.stderr)
    return 0


def _check_output_file(path: str, option: str) -> None:
    """Fail before any work when ``path`` cannot be written: a missing or non-folder parent, a
    folder in its place, no write permission."""
    import os

    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise BoolsensError(f"{option}={path!r}: the folder {parent!r} does not exist")
    if os.path.isdir(path):
        raise BoolsensError(f"{option}={path!r} is a folder; give a file name such as {os.path.join(path, 'f.png')!r}")
    if not os.access(parent, os.W_OK):
        raise BoolsensError(f"{option}={path!r}: the folder {parent!r} is not writable")


def plot_analysis(f, res: dict, path: str) -> None:
    """Two panels: the spectral weight by level, and Pr_rho(f) for rho in [0, 1] against the
    three levels of the Proposition 2.2 chain (I, deg, s^2)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise BoolsensError("--plot needs matplotlib: pip install 'boolsens[plot]'") from None
    w = [float(x) for x in res["fourier_weights"]]
    n = res["n"]
    rho = np.linspace(0.0, 1.0, 201)
    pr = disagreement_probability(f, rho)
    I = float(res["total_influence"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax1.bar(range(n + 1), w, color="tab:blue")
    ax1.set_xlabel("degree k")
    ax1.set_ylabel("$W^k(f)$")
    ax1.set_title(f"{res['name'] or 'f'}: Fourier weight by level")
    ax2.plot(rho, pr, label=r"$\Pr_\rho(f)$", color="black")
    for expo, label, style in ((I, "I(f)", "--"), (res["degree"], "deg f", "-."),
                               (res["sensitivity"] ** 2, "s(f)^2", ":")):
        ax2.plot(rho, 0.5 * (1 - rho ** float(expo)), style, label=rf"$\frac{{1}}{{2}}(1-\rho^{{{label}}})$")
    ax2.set_xlabel(r"$\rho$")
    ax2.set_title("Proposition 2.2 chain")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _names() -> list[str]:
    seen = {}
    for key, (fn, params) in FAMILIES.items():
        seen.setdefault(fn, key)
    return list(seen.values())




# ------------------------------------------------------------------------ shared plumbing
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
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


# ------------------------------------------------------------------------------- analyze
def register(subparsers: Any) -> None:
    """Add the core's subcommands (``analyze``) to the ``boolsens`` command."""
    a = subparsers.add_parser(
        "analyze", help="every measure of one function, as a table",
        description="Every measure of one Boolean function. Families: "
        + "; ".join(f"{k} {v[1]}" for k, v in FAMILIES.items() if k in _names()))
    a.add_argument("family", nargs="?", help="family name (majority, parity, tribes, ...)")
    a.add_argument("--table", help="truth table: bit string (index 0 first) or hex 0x... (MSB = last index)")
    a.add_argument("--n", type=int)
    a.add_argument("--i", type=int, help="coordinate of the dictator")
    a.add_argument("--w", type=int, help="tribe width")
    a.add_argument("--s", type=int, help="number of tribes")
    a.add_argument("--m", type=int, help="inner product on 2m bits")
    a.add_argument("--k", type=int, help="address bits / Rubinstein block size")
    a.add_argument("--weights", help="threshold weights w1,w2,...")
    a.add_argument("--theta", type=float, default=0.0)
    a.add_argument("--tie", type=int, choices=(1, -1))
    a.add_argument("--S", help="sparse-parity coordinates i,j,...")
    a.add_argument("--seed", type=int, help="seed of the random function")
    a.add_argument("--rho", default="0.1,0.5,0.9", help="comma-separated rho grid (default 0.1,0.5,0.9)")
    a.add_argument("--complexity-max-n", type=int, default=12, help="compute bs, C, D up to this n (default 12)")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--plot", metavar="PNG", help="also save a figure: W^k by level, and Pr_rho against the Prop 2.2 chain")
    a.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="report each stage on stderr (default: for n >= 18 or a terminal)")
    a.set_defaults(run=_analyze_main)


def main(argv: list[str] | None = None) -> int:
    """``boolsens analyze ...`` alone (the full command is :func:`boolsens_cli.main.main`)."""
    parser = CommandParser(prog="boolsens")
    register(parser.add_subparsers(dest="command"))
    return run_command(parser, argv)
