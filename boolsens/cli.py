"""The core's part of the ``boolsens`` command line, and the plumbing every part shares.

The ``boolsens`` command itself belongs to the application layer (:mod:`boolsens_cli`); each
package contributes its subcommands through a ``register(subparsers)`` function:

    boolsens analyze majority --n 7            # every measure of MAJ_7 as a table (this module)
    boolsens analyze tribes --w 2 --s 3 --json
    boolsens analyze --table 0x8ff0 --rho 0.1,0.5,0.9
    boolsens census --n 5 --out DIR            # every function on n = 5: classes, distributions

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
        try:
            return BooleanFunction.from_hex(s, bits.bit_length() - 1, name="table")
        except BoolsensError as exc:
            raise BoolsensError(f"--table {text!r}: {exc}") from None
    try:
        return BooleanFunction.from_bits(s, name="table")
    except BoolsensError as exc:
        raise BoolsensError(f"--table {text!r}: {exc}") from None


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
    """Add the core's subcommands (``analyze``, ``census``) to the ``boolsens`` command."""
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
    register_census(subparsers)


def main(argv: list[str] | None = None) -> int:
    """``boolsens analyze ...`` alone (the full command is :func:`boolsens_cli.main.main`)."""
    parser = CommandParser(prog="boolsens")
    register(parser.add_subparsers(dest="command"))
    return run_command(parser, argv)


# -------------------------------------------------------------------------------- census
#: the joint distributions the census command tabulates (row measure, column measure)
CENSUS_JOINTS = (("sensitivity", "degree"), ("sensitivity", "block_sensitivity"),
                 ("certificate_complexity", "decision_tree_depth"), ("total_influence", "sensitivity"))
#: the ratios whose largest value (and witnesses) the census command reports
CENSUS_RATIOS = (("block_sensitivity", "sensitivity"), ("degree", "sensitivity"),
                 ("decision_tree_depth", "certificate_complexity"), ("certificate_complexity", "block_sensitivity"),
                 ("decision_tree_depth", "degree"))
_SHORT = {"sensitivity": "s", "degree": "deg", "block_sensitivity": "bs", "certificate_complexity": "C",
          "decision_tree_depth": "D", "total_influence": "I"}


def _census_rows(n: int, out: Any, np_classes: bool, show: bool | None) -> np.ndarray:
    """Every chunk of the census, each stored in ``out/chunks`` as soon as it is made (atomic
    .npy files); chunks already stored are loaded, so an interrupted run resumes."""
    import io
    from pathlib import Path

    from . import storage
    from .census import census_chunk, census_chunk_count
    from .progress import bar

    folder = Path(out) / "chunks"
    count = census_chunk_count(n)
    parts = []
    with bar(count, desc=f"census n={n} chunks", unit="chunk", enabled=show) as b:
        for k in range(count):
            path = folder / f"{'np' if np_classes else 'npn'}-n{n}-{k:04d}.npy"
            rows = None
            if path.exists():
                try:
                    rows = np.load(path, allow_pickle=False)
                except (ValueError, OSError, EOFError) as exc:
                    print(f"boolsens census: {path} is corrupt ({exc}); recomputing that chunk", file=sys.stderr)
                    rows = None
            if rows is None:
                rows = census_chunk(n, k, np_classes=np_classes)
                buf = io.BytesIO()
                np.save(buf, rows, allow_pickle=False)
                storage.atomic_write_bytes(path, buf.getvalue())
            parts.append(rows)
            b.update(1)
    rows = np.concatenate(parts)
    return np.sort(rows, order="table") if np_classes else rows


def census_report(n: int, out: str, *, np_classes: bool = False, show_progress: bool | None = None) -> dict:
    """Write the census of every function on n <= 5 variables to the folder ``out``:
    ``classes.csv`` (one row per class), ``distributions.csv`` (every measure over all functions
    and over classes), ``joint_<a>_<b>.csv`` and ``.png`` (joint histograms over all functions),
    ``extremes.json`` (the largest ratios bs/s, deg/s, D/C, C/bs, D/deg with their witnesses'
    truth tables), ``report.md`` and ``summary.json``. Resumable: chunks are stored as they are
    made (see :func:`_census_rows`). Returns the summary."""
    import csv
    import io
    from pathlib import Path

    from . import storage

    start = time.perf_counter()
    rows = _census_rows(n, out, np_classes, show_progress)
    folder = Path(out)
    total = 1 << (1 << n)
    orbit = rows["orbit"].astype(np.int64)
    assert int(orbit.sum()) == total
    group = "NP" if np_classes else "NPN"

    # one row per class
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = ["table", "orbit", "degree", "sensitivity", "block_sensitivity", "certificate_complexity",
            "decision_tree_depth", "sensitive_edges", "total_influence", "bias"] + [f"W{k}" for k in range(n + 1)]
    w.writerow(head)
    digits = max(1, (1 << n) // 4)
    den_w = 4**n
    for r in rows:
        w.writerow([f"0x{int(r['table']):0{digits}x}", int(r["orbit"]), int(r["degree"]), int(r["sensitivity"]),
                    int(r["block_sensitivity"]), int(r["certificate_complexity"]), int(r["decision_tree_depth"]),
                    int(r["sensitive_edges"]), str(Fraction(int(r["sensitive_edges"]), 1 << max(n - 1, 0))),
                    str(Fraction(float(r["bias"])).limit_denominator(1 << n))]
                   + [str(Fraction(int(v), den_w)) for v in r["level_sums"]])
    storage.write_text(folder / "classes.csv", buf.getvalue())

    # distributions of each measure
    values = {m: rows[m] for m in ("sensitivity", "degree", "block_sensitivity", "certificate_complexity",
                                   "decision_tree_depth")}
    values["total_influence"] = rows["total_influence"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["measure", "value", "functions", "classes"])
    distributions = {}
    for m, v in values.items():
        keys = np.unique(v)
        distributions[m] = {}
        for key in keys:
            sel = v == key
            label = str(Fraction(float(key)).limit_denominator(1 << n)) if m == "total_influence" else int(key)
            distributions[m][str(label)] = int(orbit[sel].sum())
            w.writerow([m, label, int(orbit[sel].sum()), int(sel.sum())])
    storage.write_text(folder / "distributions.csv", buf.getvalue())

    # joint histograms over all functions
    joints = []
    for a, b in CENSUS_JOINTS:
        ka, kb = np.unique(values[a]), np.unique(values[b])
        table = np.zeros((len(ka), len(kb)), dtype=np.int64)
        ia, ib = np.searchsorted(ka, values[a]), np.searchsorted(kb, values[b])
        np.add.at(table, (ia, ib), orbit)
        def fmt(x: Any) -> str:
            return str(Fraction(float(x)).limit_denominator(1 << n))

        la = [fmt(x) if a == "total_influence" else str(int(x)) for x in ka]
        lb = [fmt(x) if b == "total_influence" else str(int(x)) for x in kb]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([f"{_SHORT[a]} \\ {_SHORT[b]}"] + lb)
        for label, row in zip(la, table):
            w.writerow([label] + [int(x) for x in row])
        name = f"joint_{_SHORT[a]}_{_SHORT[b]}"
        storage.write_text(folder / f"{name}.csv", buf.getvalue())
        joints.append((name, a, b, la, lb, table))

    # extremes
    extremes = []
    for a, b in CENSUS_RATIOS:
        num, den = rows[a].astype(np.float64), rows[b].astype(np.float64)
        ok = den > 0
        if not ok.any():  # n = 0: every function is constant, every ratio 0/0
            extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": None, "classes": 0, "functions": 0,
                             "witnesses": []})
            continue
        ratio = np.where(ok, num / np.where(ok, den, 1), -np.inf)
        best = float(ratio.max())
        sel = np.flatnonzero(ratio == best)
        extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": str(Fraction(best).limit_denominator(64)),
                         "classes": int(sel.size), "functions": int(orbit[sel].sum()),
                         "witnesses": [{"table": f"0x{int(rows['table'][i]):0{digits}x}",
                                        _SHORT[a]: int(rows[a][i]), _SHORT[b]: int(rows[b][i]),
                                        "orbit": int(orbit[i])} for i in sel[:5]]})
    storage.write_json(folder / "extremes.json", extremes)

    figures = _census_figures(folder, joints, n)
    seconds = time.perf_counter() - start
    summary = {"n": n, "group": group, "classes": int(len(rows)), "functions": total,
               "distributions": distributions, "extremes": extremes, "seconds": round(seconds, 2)}
    lines = [f"# Census of every Boolean function on n = {n}", "",
             f"{total:,} functions in {len(rows):,} {group} classes "
             f"({'permuting and negating inputs' + ('' if np_classes else ', negating the output')}); "
             f"every measure exact (conventions and definitions: docs/theory.md §1–§2). {seconds:.1f} s.", "",
             "## Distributions over all functions", ""]
    for m, d in distributions.items():
        lines.append(f"- {m}: " + ", ".join(f"{k}: {v:,}" for k, v in d.items()))
    lines += ["", "## Largest ratios", "", "| ratio | value | classes | functions | witnesses (canonical table) |",
              "|---|---|---|---|---|"]
    for e in extremes:
        lines.append(f"| {e['ratio']} | {e['value'] if e['value'] is not None else 'undefined (0/0)'} | "
                     f"{e['classes']} | {e['functions']:,} | "
                     + ", ".join(x["table"] for x in e["witnesses"]) + " |")
    lines += ["", "## Joint distributions over all functions", ""]
    for name, a, b, la, lb, table in joints:
        lines += [f"### {_SHORT[a]} (rows) by {_SHORT[b]} (columns)", "",
                  "| " + _SHORT[a] + " \\ " + _SHORT[b] + " | " + " | ".join(lb) + " |",
                  "|---" * (len(lb) + 1) + "|"]
        lines += ["| " + lab + " | " + " | ".join(f"{int(x):,}" for x in row) + " |" for lab, row in zip(la, table)]
        lines.append("")
    lines += [f"![{f}]({f})" for f in figures]
    storage.write_text(folder / "report.md", "\n".join(lines) + "\n")
    storage.write_json(folder / "summary.json", summary)
    return summary


def _census_figures(folder: Any, joints: list, n: int) -> list[str]:
    """Heatmaps of the joint histograms (log colour scale); none without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
    except ImportError:
        return []
    import io

    from . import storage

    fig, axes = plt.subplots(1, len(joints), figsize=(4.2 * len(joints), 3.8))
    for ax, (name, a, b, la, lb, table) in zip(np.atleast_1d(axes), joints):
        shown = np.where(table > 0, table, np.nan).astype(float)
        im = ax.imshow(shown, origin="lower", aspect="auto", norm=LogNorm(vmin=1, vmax=max(2, table.max())))
        for set_ticks, labels in ((ax.set_xticks, lb), (ax.set_yticks, la)):
            step = max(1, len(labels) // 10)  # at most about ten labels per axis
            idx = list(range(0, len(labels), step))
            set_ticks(idx, [labels[i] for i in idx], fontsize=8)
        ax.set_xlabel(_SHORT[b])
        ax.set_ylabel(_SHORT[a])
        ax.set_title(f"{_SHORT[a]} × {_SHORT[b]}")
        fig.colorbar(im, ax=ax, shrink=0.8, label="functions")
    fig.suptitle(f"every Boolean function on n = {n}: joint distributions (log scale)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    storage.atomic_write_bytes(folder / "joint_distributions.png", buf.getvalue())
    return ["joint_distributions.png"]


def _census_main(args: argparse.Namespace) -> int:
    if not 0 <= args.n <= 5:
        raise BoolsensError(f"--n={args.n} must lie in [0, 5] (the census is exhaustive: 2**2**n functions)")
    if not str(args.out).strip():
        raise BoolsensError("--out='' must name a folder")
    import os

    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise BoolsensError(f"--out={args.out!r} is a file, not a folder")
    summary = census_report(args.n, args.out, np_classes=args.np, show_progress=args.progress)
    print(f"census n={args.n}: {summary['functions']:,} functions in {summary['classes']:,} {summary['group']} "
          f"classes ({summary['seconds']:.1f} s); report: {args.out}/report.md")
    for e in summary["extremes"][:2]:
        if e["witnesses"]:
            print(f"  largest {e['ratio']} = {e['value']} ({e['classes']} class(es), e.g. {e['witnesses'][0]['table']})")
        else:
            print(f"  {e['ratio']}: undefined (every function on n = {args.n} is constant)")
    return 0


def register_census(subparsers: Any) -> None:
    """Add ``census`` to the ``boolsens`` command."""
    c = subparsers.add_parser("census", help="every Boolean function on n <= 5: classes, distributions, extremes",
                              description=census_report.__doc__.split("\n\n")[0])
    c.add_argument("--n", type=int, required=True, help="number of variables, 0..5 (n = 5: 4,294,967,296 functions)")
    c.add_argument("--out", required=True, help="results folder (created; an interrupted run resumes in it)")
    c.add_argument("--np", action="store_true", help="NP classes (no output negation) instead of NPN classes")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar over chunks (default: on a terminal)")
    c.set_defaults(run=_census_main)
