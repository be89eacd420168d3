"""The ``boolsens`` command line.

    boolsens analyze majority --n 7            # every measure of MAJ_7 as a table
    boolsens analyze tribes --w 2 --s 3 --json
    boolsens analyze --table 0x8ff0 --rho 0.1,0.5,0.9
    boolsens verify [--claim ID] [--json] [--thorough]   # proofs_check
    boolsens experiment list | NAME --preset smoke|cpu|gpu --out DIR   # empirical
    boolsens tour                              # a tour of the toolkit on built-in defaults
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

from ._errors import BoolsensError

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
    import boolsens as bs

    return bs.parity(*_need(a, "n"))


@_family("majority", "--n [--tie ±1 for even n]", "maj")
def _majority(a):
    import boolsens as bs

    return bs.majority(*_need(a, "n"), tie=a.tie)


@_family("dictator", "--n [--i]", "dict")
def _dictator(a):
    import boolsens as bs

    return bs.dictator(*_need(a, "n"), i=a.i or 0)


@_family("conjunction", "--n", "and")
def _and(a):
    import boolsens as bs

    return bs.conjunction(*_need(a, "n"))


@_family("disjunction", "--n", "or")
def _or(a):
    import boolsens as bs

    return bs.disjunction(*_need(a, "n"))


@_family("tribes", "--w --s")
def _tribes(a):
    import boolsens as bs

    return bs.tribes(*_need(a, "w", "s"))


@_family("inner-product", "--m", "ip")
def _ip(a):
    import boolsens as bs

    return bs.inner_product(*_need(a, "m"))


@_family("address", "--k", "ind", "indexing")
def _address(a):
    import boolsens as bs

    return bs.address(*_need(a, "k"))


@_family("threshold", "--weights w1,w2,... [--theta] [--tie]", "ltf")
def _threshold(a):
    import boolsens as bs

    (weights,) = _need(a, "weights")
    return bs.threshold(_floats(weights, "weights"), a.theta, tie=a.tie)


@_family("sparse-parity", "--n --S i,j,...")
def _sparse(a):
    import boolsens as bs

    n, S = _need(a, "n", "S")
    return bs.sparse_parity(n, [int(v) for v in _floats(S, "S")])


@_family("rubinstein", "--k (even)")
def _rubinstein(a):
    import boolsens as bs

    return bs.rubinstein(*_need(a, "k"))


@_family("random", "--n [--seed]")
def _random(a):
    import boolsens as bs

    return bs.random_function(*_need(a, "n"), seed=a.seed)


def _floats(text: str, name: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise BoolsensError(f"--{name}={text!r} must be a comma-separated list of numbers") from None


def parse_table(text: str):
    """A truth table given as a bit string ('0001', index 0 first) or hex ('0x8', MSB = last index)."""
    from .function import BooleanFunction

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
    import boolsens as bs

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

    weights = stage("Fourier weights", lambda: bs.fourier_weights(f, exact=True))
    bias = Fraction(int(f.walsh_spectrum()[0]), 1 << n)
    out["bias"] = bias
    out["variance"] = 1 - bias * bias
    out["degree"] = stage("degree", lambda: bs.degree(f))
    out["fourier_weights"] = list(weights)
    infl = stage("influences", lambda: bs.influences(f, exact=True))
    out["influences"] = list(infl)
    out["total_influence"] = sum(infl, Fraction(0))
    out["normalised_sensitivity"] = out["total_influence"] / n if n else Fraction(0)
    out["sensitivity"] = stage("max sensitivity", lambda: bs.sensitivity(f))
    if n <= complexity_max_n:
        out["block_sensitivity"] = stage("block sensitivity", lambda: bs.block_sensitivity(f))
        out["certificate_complexity"] = stage("certificate complexity", lambda: bs.certificate_complexity(f))
        out["decision_tree_depth"] = stage("decision-tree depth", lambda: bs.decision_tree_depth(f))
    else:
        out["block_sensitivity"] = out["certificate_complexity"] = out["decision_tree_depth"] = None
    rows = []
    for rho in rhos:
        pr = bs.disagreement_probability(f, rho)
        bound = bs.robustness_bound(f, rho)
        rows.append({"rho": rho, "stability": bs.noise_stability(f, rho), "disagreement": pr,
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
    row("I / n", _fmt(res["normalised_sensitivity"]))
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


def _jsonable(v: Any) -> Any:
    if isinstance(v, Fraction):
        return float(v) if v.denominator != 1 else int(v)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def _exact_strings(res: dict) -> dict:
    keys = ("bias", "variance", "total_influence", "normalised_sensitivity")
    ex = {k: str(res[k]) for k in keys}
    ex["fourier_weights"] = [str(x) for x in res["fourier_weights"]]
    ex["influences"] = [str(x) for x in res["influences"]]
    return ex


def _analyze_main(args: argparse.Namespace) -> int:
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
    from ._validation import check_rho

    for r in rhos:
        check_rho(r)
    verbose = args.progress if args.progress is not None else (f.n >= 18 or sys.stderr.isatty())
    log = (lambda msg: print(f"[boolsens] {msg}", file=sys.stderr, flush=True)) if verbose else None
    res = analyze(f, rhos, complexity_max_n=args.complexity_max_n, log=log)
    if args.json:
        payload = _jsonable(res)
        payload["exact"] = _exact_strings(res)
        print(json.dumps(payload, indent=2))
    else:
        print(format_analysis(res))
    if args.plot:
        plot_analysis(f, res, args.plot)
        print(f"figure written to {args.plot}", file=sys.stderr)
    return 0


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
    import boolsens as bs

    pr = bs.disagreement_probability(f, rho)
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


# ------------------------------------------------------------------------------------ tour
TOUR_FUNCTIONS = [
    ("dictator", dict(n=7)),
    ("majority", dict(n=7)),
    ("parity", dict(n=7)),
    ("tribes", dict(w=2, s=3)),
    ("address", dict(k=2)),
    ("conjunction", dict(n=6)),
    ("rubinstein", dict(k=4)),
    ("random", dict(n=8, seed=0)),
]


def tour(argv: list[str] | None = None) -> int:
    """A tour of the toolkit on built-in defaults: exact measures of famous functions, the theorem
    checks, a Monte-Carlo estimate where enumeration is impossible, and a smoke experiment."""
    import boolsens as bs

    p = argparse.ArgumentParser(prog="boolsens tour", description=tour.__doc__)
    p.add_argument("--skip-verify", action="store_true", help="skip the proofs_check table")
    p.add_argument("--skip-experiment", action="store_true", help="skip the empirical smoke run")
    p.add_argument("--out", default="results/tour", help="folder for the smoke experiment's results")
    args = p.parse_args(argv)

    print("=" * 78)
    print("1. Exact measures of famous functions (conventions: bit i = coordinate i, True = -1)")
    print("=" * 78)
    header = f"{'function':<14}{'n':>3}{'deg':>5}{'I(f)':>10}{'I/n':>8}{'s':>4}{'bs':>4}{'C':>4}{'D':>4}{'Stab_.5':>10}{'Pr_.5':>9}{'Prop2.2':>10}"
    print(header)
    violations = []
    for fam, params in TOUR_FUNCTIONS:
        ns = argparse.Namespace(family=fam, n=None, w=None, s=None, m=None, k=None, i=None,
                                weights=None, theta=0.0, S=None, seed=None, tie=None)
        for k, v in params.items():
            setattr(ns, k, v)
        f = FAMILIES[fam][0](ns)
        r = analyze(f, [0.5], complexity_max_n=16)
        nz = r["noise"][0]
        if not nz["bound_holds"]:
            violations.append(f.name)
        print(f"{f.name:<14}{f.n:>3}{r['degree']:>5}{float(r['total_influence']):>10.5g}"
              f"{float(r['normalised_sensitivity']):>8.3g}{r['sensitivity']:>4}{r['block_sensitivity']:>4}"
              f"{r['certificate_complexity']:>4}{r['decision_tree_depth']:>4}{nz['stability']:>10.5g}"
              f"{nz['disagreement']:>9.4g}{nz['prop_2_2_bound']:>10.4g}")
    verdict = "in every row" if not violations else f"VIOLATED for {', '.join(violations)}"
    print(f"\nPr_.5 <= Prop2.2 bound = ½(1 - ρ^(s²)) (Proposition 2.2 of seed 001): {verdict}.")
    print("Rubinstein's function (RUB_4) shows the quadratic gap between s and bs = C.")
    print("Full table for one function: `boolsens analyze majority --n 7`.\n")

    print("=" * 78)
    print("2. Beyond enumeration: Monte-Carlo estimates with standard errors")
    print("=" * 78)
    _tour_estimates(bs)

    if not args.skip_verify:
        print("=" * 78)
        print("3. Theorem checks (proofs_check, quick profile; `boolsens verify` runs the default one)")
        print("=" * 78)
        try:
            import proofs_check

            results = proofs_check.run_claims(profile="quick")
            print(proofs_check.format_table(results))
        except ImportError as exc:  # pragma: no cover - depends on the install
            print(f"(proofs_check is not available: {exc})")
        print()
    if not args.skip_experiment:
        print("=" * 78)
        print("4. Training a model and measuring it against the theory (empirical, smoke preset)")
        print("=" * 78)
        try:
            import torch  # noqa: F401
        except ImportError:
            print("(torch is not installed: `pip install torch==2.13.0` to run the experiments)")
        else:
            from empirical.cli import main as exp_main

            exp_main(["synthetic-tokens", "--preset", "smoke", "--out", args.out, "--quiet"])
            print(f"results, report.md and figures under {args.out}/")
            print("Every experiment: `boolsens experiment list`; the cpu presets (minutes each) give the")
            print("verdicts quoted in the README, e.g. `boolsens experiment length-scaling --preset cpu --out DIR`.")
    return 0


def _tour_estimates(bs) -> None:
    n = 1001
    exact_I = Fraction(n * math.comb(n - 1, (n - 1) // 2), 2 ** (n - 1))

    def maj(x: np.ndarray) -> np.ndarray:
        return np.where(x.sum(axis=1, dtype=np.int64) > 0, 1, -1)

    est = getattr(bs.estimate, "total_influence", None)
    if est is None:
        print("(boolsens.estimate is not available in this build)\n")
        return
    e = est(maj, n, samples=200_000, seed=0)
    z = (e.value - float(exact_I)) / e.stderr if e.stderr else float("nan")
    print(f"MAJ_{n}: estimated I = {e.value:.3f} ± {e.stderr:.3f} ({e.samples} samples, seed 0); "
          f"exact n·C(n-1,(n-1)/2)/2^(n-1) = {float(exact_I):.3f}; z = {z:+.2f}")
    st = bs.estimate.noise_stability(maj, n, rho=0.5, samples=50_000, seed=0)
    sheppard = 1 - 2 / math.pi * math.acos(0.5)
    print(f"MAJ_{n}: estimated Stab_0.5 = {st.value:.4f} ± {st.stderr:.4f}; Sheppard's limit "
          f"1 - (2/π)·arccos(0.5) = {sheppard:.4f}\n")


# ------------------------------------------------------------------------------------ main
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="boolsens", description="Exact Boolean-function analysis, theorem checks and experiments.")
    sub = p.add_subparsers(dest="command")

    a = sub.add_parser("analyze", help="every measure of one function, as a table",
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

    sub.add_parser("verify", help="run the theorem checks (proofs_check); see `boolsens verify --help`", add_help=False)
    sub.add_parser("experiment", help="train and measure models (empirical); see `boolsens experiment --help`", add_help=False)
    sub.add_parser("tour", help="a tour of the toolkit on built-in defaults", add_help=False)
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "verify":
            from proofs_check.cli import main as verify_main

            return verify_main(argv[1:])
        if argv and argv[0] == "experiment":
            from empirical.cli import main as exp_main

            return exp_main(argv[1:])
        if argv and argv[0] == "tour":
            return tour(argv[1:])
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command == "analyze":
            return _analyze_main(args)
        parser.print_help()
        return 2
    except BoolsensError as exc:
        print(f"boolsens: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
