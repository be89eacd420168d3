"""``boolsens analyze``: every measure of one Boolean function, as a table, JSON or a figure.

    boolsens analyze majority --n 7                 # a family by name (see FAMILY_TABLE)
    boolsens analyze tribes --w 2 --s 3 --json
    boolsens analyze --table 0x8ff0 --rho 0.1,0.5,0.9 --plot f.png

:func:`analyze` computes the measures of a function (exact fractions where exact), and
:func:`format_analysis` and :func:`plot_analysis` show them; :data:`FAMILY_TABLE` says which
function of :mod:`boolsens.families` each family name builds from which options, and
:func:`register` adds the subcommand. matplotlib is imported only by ``--plot``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from . import families as _families
from ._input.validation import check_rho
from .command_line import check_output_file
from .approximate_degree import approximate_degree
from .complexity import block_sensitivity, certificate_complexity, decision_tree_depth
from .cryptographic import absolute_indicator, correlation_immunity, resiliency
from .errors import BoolsensError
from .fourier import degree, fourier_weights
from .fractional import fractional_block_sensitivity
from .function import BooleanFunction
from .gf2 import gf2_degree
from .influence import influences
from .linear_threshold import threshold_representation
from .noise import disagreement_probability, noise_stability, robustness_bound
from .pbiased import pivotal_probability
from .sensitivity import min_sensitivity, sensitivity
from .spectral import fourier_entropy, fourier_sparsity, is_bent, nonlinearity, spectral_norm
from .structure import chow_parameters, is_monotone, is_symmetric, relevant_variables
from .storage import to_jsonable

__all__ = ["analyze", "format_analysis", "plot_analysis", "parse_table", "build_family", "FAMILY_TABLE",
           "Family", "register"]


#: the largest n at which analyze computes the one-sided bs₀, bs₁, C₀, C₁ (pointwise tables)
ONE_SIDED_MAX_N = 12


@dataclass(frozen=True)
class Family:
    """A family the command builds by name: ``build`` is the function of :mod:`boolsens.families`,
    ``needs`` the options passed to it in order (each required), ``optional`` the options passed
    as keywords of the same name when given; ``usage`` is the line of ``--help``."""

    name: str
    aliases: tuple[str, ...]
    build: str
    needs: tuple[str, ...]
    optional: tuple[str, ...]
    usage: str


#: every family ``boolsens analyze`` knows, one row each
FAMILY_TABLE = (
    Family("parity", ("par",), "parity", ("n",), (), "--n"),
    Family("majority", ("maj",), "majority", ("n",), ("tie",), "--n [--tie ±1 for even n]"),
    Family("dictator", ("dict",), "dictator", ("n",), ("i",), "--n [--i]"),
    Family("conjunction", ("and",), "conjunction", ("n",), (), "--n"),
    Family("disjunction", ("or",), "disjunction", ("n",), (), "--n"),
    Family("tribes", (), "tribes", ("w", "s"), (), "--w --s"),
    Family("inner-product", ("ip",), "inner_product", ("m",), (), "--m"),
    Family("address", ("ind", "indexing"), "address", ("k",), (), "--k"),
    Family("threshold", ("ltf",), "threshold", ("weights",), ("theta", "tie"), "--weights w1,w2,... [--theta] [--tie]"),
    Family("sparse-parity", (), "sparse_parity", ("n", "S"), (), "--n --S i,j,..."),
    Family("rubinstein", (), "rubinstein", ("k",), (), "--k (even)"),
    Family("random", (), "random_function", ("n",), ("seed",), "--n [--seed]"),
)
_BY_NAME = {key: fam for fam in FAMILY_TABLE for key in (fam.name, *fam.aliases)}


def build_family(name: str, args: argparse.Namespace) -> BooleanFunction:
    """The function the family ``name`` (or an alias) builds from the parsed options ``args``.

    >>> build_family("maj", argparse.Namespace(n=3, tie=None)).name
    'MAJ_3'
    """
    fam = _BY_NAME.get(name.lower())
    if fam is None:
        raise BoolsensError(f"unknown family {name!r}; choose from {', '.join(sorted(f.name for f in FAMILY_TABLE))}")
    missing = [f"--{o.replace('_', '-')}" for o in fam.needs if getattr(args, o) is None]
    if missing:
        raise BoolsensError(f"family {name!r} needs {', '.join(missing)}")
    needs = [_option(args, o) for o in fam.needs]
    optional = {o: _option(args, o) for o in fam.optional if getattr(args, o) is not None}
    return getattr(_families, fam.build)(*needs, **optional)


def _option(args: argparse.Namespace, option: str) -> Any:
    value = getattr(args, option)
    if option == "weights":
        return _floats(value, option)
    if option == "S":
        return _ints(value, option)
    return value


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


def _probability(text: str) -> Any:
    """``--p``: a fraction 'a/b' (exact results) or a decimal (floats), in (0, 1)."""
    try:
        p = Fraction(text) if "/" in text else float(text)
    except (ValueError, ZeroDivisionError):
        raise BoolsensError(f"--p={text!r} must be a number in (0, 1), e.g. 1/3 (exact) or 0.3") from None
    if not 0 < p < 1:
        raise BoolsensError(f"--p={text!r} must lie strictly between 0 and 1")
    return p


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


def analyze(f, rhos: list[float], *, complexity_max_n: int = 12, lp_max_n: int = 8, p: Any = None,
            log: Callable[[str], None] | None = None) -> dict:
    """Every measure of ``f`` as a JSON-ready dict (exact fractions as strings where exact).

    The measures by subcube enumeration (bs, C, D) are computed up to ``complexity_max_n``
    variables, the one-sided bs and C up to ``min(complexity_max_n, ONE_SIDED_MAX_N)``; those by linear programming (fbs, the approximate degree, a
    threshold representation) up to ``lp_max_n`` (approximate degree: a symmetric f at any n);
    ``p`` (a Fraction or float in (0, 1)) adds the p-biased influences, pivotal probabilities
    and noise stabilities."""
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
    out["min_sensitivity"] = stage("min sensitivity", lambda: min_sensitivity(f))
    # the one-sided bs and C need the pointwise tables: seconds at n = 16 where the two-sided
    # values take milliseconds, so they stop at n = 12 whatever complexity_max_n allows
    small = n <= min(complexity_max_n, ONE_SIDED_MAX_N)
    out["one_sided"] = {
        f"{name}{label}": (stage(f"{name}{label}", lambda m=m, v=v: m(f, value=v)) if small or m is sensitivity else None)
        for name, m in (("s", sensitivity), ("bs", block_sensitivity), ("C", certificate_complexity))
        for label, v in (("0", 1), ("1", -1))}  # Buhrman–de Wolf: 0 ↔ f = +1 (False), 1 ↔ f = −1 (True)
    lp = n <= min(lp_max_n, complexity_max_n)
    out["fractional_block_sensitivity"] = stage("fbs", lambda: fractional_block_sensitivity(f)) if lp else None
    out["approximate_degree"] = (stage("approximate degree", lambda: approximate_degree(f))
                                 if lp or is_symmetric(f) else None)
    out["gf2_degree"] = stage("GF(2) degree", lambda: gf2_degree(f))
    out["spectral_norm"] = spectral_norm(f)
    out["fourier_sparsity"] = fourier_sparsity(f)
    out["fourier_entropy"] = fourier_entropy(f)
    out["nonlinearity"] = nonlinearity(f)
    out["bent"] = is_bent(f)
    out["correlation_immunity"] = correlation_immunity(f)
    out["resiliency"] = resiliency(f)
    out["absolute_indicator"] = stage("absolute indicator", lambda: absolute_indicator(f))
    out["chow_parameters"] = list(chow_parameters(f, exact=True))
    out["relevant_variables"] = list(relevant_variables(f))
    out["monotone"] = is_monotone(f)
    out["symmetric"] = is_symmetric(f)
    out["threshold_representation"] = (stage("threshold representation", lambda: threshold_representation(f))
                                       if lp else None)
    if p is not None:
        infl_p = stage("p-biased influences", lambda: influences(f, p=p))
        out["p_biased"] = {
            "p": p, "influences": list(infl_p), "total_influence": sum(infl_p, type(infl_p[0])(0)) if n else 0,
            "pivotal_probability": list(pivotal_probability(f, p=p)) if n else [],
            "stability": [noise_stability(f, Fraction(r).limit_denominator(10**6) if isinstance(p, Fraction) else r,
                                          p=p) for r in rhos]}
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
    row("min sensitivity", _fmt(res["min_sensitivity"]))
    row("s0 s1 bs0 bs1 C0 C1", "  ".join(_fmt(v) for v in res["one_sided"].values()))
    lp_note = "" if res["fractional_block_sensitivity"] is not None else "   (n too large; raise --lp-max-n)"
    row("fractional bs", _fmt(res["fractional_block_sensitivity"]) + lp_note)
    row("approximate degree (1/3)", _fmt(res["approximate_degree"]))
    row("GF(2) degree", _fmt(res["gf2_degree"]))
    row("spectral norm Σ|f̂|", _fmt(res["spectral_norm"]))
    row("Fourier sparsity", _fmt(res["fourier_sparsity"]))
    row("Fourier entropy (bits)", _fmt(res["fourier_entropy"]))
    row("nonlinearity", _fmt(res["nonlinearity"]) + ("   (bent)" if res["bent"] else ""))
    row("correlation immunity", _fmt(res["correlation_immunity"]))
    row("resiliency", _fmt(res["resiliency"]))
    row("absolute indicator", _fmt(res["absolute_indicator"]))
    row("Chow parameters", "  ".join(_fmt_short(x) for x in res["chow_parameters"]))
    row("relevant variables", ", ".join(map(str, res["relevant_variables"])) or "none")
    props = [name for name, key in (("monotone", "monotone"), ("symmetric", "symmetric")) if res[key]]
    rep = res["threshold_representation"]
    if rep is not None:
        props.append(f"threshold (w = {list(rep[0])}, θ = {rep[1]})")
    elif res["fractional_block_sensitivity"] is not None:
        props.append("not threshold")
    row("properties", ", ".join(props) or "—")
    if "p_biased" in res:
        pb = res["p_biased"]
        row(f"Inf^(p) at p = {pb['p']}", "  ".join(_fmt_short(Fraction(x)) for x in pb["influences"]))
        row("  total influence I^(p)", _fmt(pb["total_influence"]))
        row("  pivotal probabilities", "  ".join(_fmt_short(Fraction(x)) for x in pb["pivotal_probability"]))
        row("  Stab_ρ^(p) at the ρ grid", "  ".join(_fmt(x) for x in pb["stability"]))
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
    ex["chow_parameters"] = [str(x) for x in res["chow_parameters"]]
    if res["fractional_block_sensitivity"] is not None:
        ex["fractional_block_sensitivity"] = str(res["fractional_block_sensitivity"])
    if "p_biased" in res and isinstance(res["p_biased"]["p"], Fraction):
        pb = res["p_biased"]
        ex["p_biased"] = {k: [str(x) for x in v] if isinstance(v, list) else str(v) for k, v in pb.items()}
    return ex


def _analyze_main(args: argparse.Namespace) -> int:
    if args.table is not None and args.family is not None:
        raise BoolsensError(f"give a family ({args.family!r}) or --table, not both")
    if args.complexity_max_n < 0:
        raise BoolsensError(f"--complexity-max-n={args.complexity_max_n} must be >= 0")
    if args.lp_max_n < 0:
        raise BoolsensError(f"--lp-max-n={args.lp_max_n} must be >= 0")
    if args.plot:
        check_output_file(args.plot, "--plot")
    if args.table is not None:
        f = parse_table(args.table)
    elif args.family is None:
        raise BoolsensError("give a family (see `boolsens analyze --list`) or --table")
    else:
        f = build_family(args.family, args)
    rhos = _floats(args.rho, "rho")
    for r in rhos:
        check_rho(r)
    verbose = args.progress if args.progress is not None else (f.n >= 18 or sys.stderr.isatty())
    log = (lambda msg: print(f"[boolsens] {msg}", file=sys.stderr, flush=True)) if verbose else None
    p = _probability(args.p) if args.p is not None else None
    res = analyze(f, rhos, complexity_max_n=args.complexity_max_n, lp_max_n=args.lp_max_n, p=p, log=log)
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


def register(subparsers: Any) -> None:
    """Add ``analyze`` to the ``boolsens`` command."""
    a = subparsers.add_parser(
        "analyze", help="every measure of one function, as a table",
        description="Every measure of one Boolean function. Families: "
        + "; ".join(f"{fam.name} {fam.usage}" for fam in FAMILY_TABLE))
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
    a.add_argument("--lp-max-n", type=int, default=8,
                   help="compute fbs, the approximate degree and a threshold representation (linear programmes) "
                        "up to this n (default 8; the approximate degree of a symmetric f at any n)")
    a.add_argument("--p", help="also the p-biased influences, pivotal probabilities and stabilities: a fraction "
                               "such as 1/3 (exact) or a decimal such as 0.3")
    a.add_argument("--json", action="store_true", help="machine-readable output")
    a.add_argument("--plot", metavar="PNG", help="also save a figure: W^k by level, and Pr_rho against the Prop 2.2 chain")
    a.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="report each stage on stderr (default: for n >= 18 or a terminal)")
    a.set_defaults(run=_analyze_main)
