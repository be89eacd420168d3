#!/usr/bin/env python3
"""Cross-check boolsens against bftool (Alex Yu's C++ Boolean-function tool), then time both.

bftool (github.com/sxyu/bftool, last commit 211a6a7 of 2020-02-16) is a C++ library whose
``BoolFun`` computes sensitivity, average sensitivity, influences, fractional block sensitivity
(= fractional certificate complexity) by an LP, decision-tree depth, degree, GF(2) degree (from
its 0/1 polynomial), the Fourier coefficients and the approximate degree by an LP, plus
sensitivity-graph spectra. It has no program that reads a truth table (its main.cpp is a demo),
so bench/bftool_driver.cpp, ours, calls that API over a line protocol; bench/setup_bftool.sh
builds bftool unmodified with its own CMakeLists under bench/_peers (gitignored) and links the
driver with the object files of that build.

Conventions met (each converted explicitly below):

* truth table: bftool's index i has x_{j+1} = bit j of i, value 1 = True; ours: coordinate j =
  bit j, True = −1. So the '0'/'1' string of our table (True = '1') is bftool's table as is.
* one-sided measures: bftool's s0/fbs0 are over f(x) = 0 = False = our +1, s1/fbs1 over True = −1.
* influences: bftool's ``inf(i)`` XORs ``i`` into the point, so it is called with the mask 1 << j
  for variable j (called with the index j, as its comment "influence of variable i" suggests, it
  is not the influence).
* Fourier coefficients: bftool's ``fourier()`` reads f as (−1)^f(x) (True = −1), as we do; its
  ``expectation_pm1()`` instead counts True as +1, so it is compared with −f̂(∅).
* approximate degree: both read f as 0/1 with True = 1 and ask for the least d with a degree-d
  polynomial within ε everywhere (bftool: |p| ≤ ε₀ on f = 0 and |p − 1| ≤ ε₁ on f = 1, ε₀ = ε₁ =
  the double nearest 1/3, decided by a float simplex; boolsens: ε = 1/3 exactly, each decision
  certified exactly). Where the best error E_d is exactly 1/3 the two can differ: such a
  disagreement is re-checked with boolsens at ε = the double bftool uses (``float(1/3)``, a hair
  below 1/3) and against the independent oracle.
* doubles: bftool returns doubles, read back exactly (17 digits); a value compares as *exact*
  when the double equals our Fraction, *rounding* when it is within 1e-9 of it, else it is a
  disagreement.

Every disagreement is checked against the brute forces of tests/ (oracle.py, oracle_lp.py,
sharing no code with boolsens) and recorded with the function's table, both values and the
oracle's. Then the measures both have are timed, interleaved (bftool's calls timed inside the
driver by steady_clock, boolsens's by perf_counter on a fresh int8 table each call, so no cached
spectrum is reused), medians with min–max and the load average; nothing is asserted about times.

usage: python bench/compare_bftool.py [--driver PATH] [--quick] [--no-timing] [--repeats R]
Writes bench/results/bftool.{json,md} (``--quick``: bftool_quick.*); exit status 1 when boolsens
disagrees with the oracle anywhere, 2 when the driver is missing.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

import boolsens as bs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEERS = HERE / "_peers"
DRIVER = PEERS / "bftool-build" / "bftool_driver"
THIRD = Fraction(1, 3)

#: measures asked of bftool for every function (adeg separately: it may not terminate)
MEASURES = ["s", "s0", "s1", "s_pointwise", "su", "inf", "fbs", "fbs0", "fbs1", "fbs_pointwise",
            "D", "deg", "gf2_deg", "fourier", "expectation_pm1", "variance_pm1"]
#: seconds allowed to one bftool approximate-degree call (its simplex can cycle at n = 8)
ADEG_TIMEOUT = 20.0


# ----------------------------------------------------------------------------- bftool
def bits_of(row: np.ndarray) -> str:
    """Our ±1 table as bftool's 0/1 string: True = −1 = '1', index order unchanged."""
    return "".join("1" if v < 0 else "0" for v in row)


def bftool_batch(driver: Path, rows: list[np.ndarray], measures: list[str], timeout: float = 600) -> list[dict]:
    """One driver process for the whole list: every requested measure of every table."""
    lines = [f"eval {int(r.size).bit_length() - 1} {bits_of(r)} {','.join(measures)}" for r in rows]
    proc = subprocess.run([str(driver)], input="\n".join(lines) + "\nquit\n", capture_output=True,
                          text=True, timeout=timeout, check=True)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    if len(out) != len(rows):
        raise RuntimeError(f"bftool driver answered {len(out)} of {len(rows)} requests: {proc.stderr[-500:]}")
    return out


def bftool_adeg(driver: Path, row: np.ndarray, timeout: float = ADEG_TIMEOUT) -> int | None:
    """bftool's adeg() (ε₀ = ε₁ = 1./3.) in its own process; None when it runs past ``timeout``."""
    try:
        return bftool_batch(driver, [row], ["adeg"], timeout=timeout)[0]["adeg"]
    except subprocess.TimeoutExpired:
        return None


def bftool_builtin(driver: Path, request: str) -> np.ndarray:
    proc = subprocess.run([str(driver)], input=f"builtin {request}\nquit\n", capture_output=True, text=True,
                          timeout=60, check=True)
    bits = json.loads(proc.stdout)["bits"]
    return np.array([-1 if c == "1" else 1 for c in bits], dtype=np.int8)


# ----------------------------------------------------------------------------- boolsens
def ours(row: np.ndarray, *, adeg: bool = True) -> dict:
    """boolsens's values, converted to bftool's readings (see the module docstring)."""
    f = bs.BooleanFunction(row)
    fbs_pw = [Fraction(v) for v in bs.fractional_block_sensitivity(f, pointwise=True)]
    fhat = [Fraction(v) for v in bs.fourier_coefficients(f, exact=True)]
    out = {
        "s": int(bs.sensitivity(f)),
        "s0": int(bs.sensitivity(f, value=1)),   # bftool's s0: f(x) = 0 = False = +1
        "s1": int(bs.sensitivity(f, value=-1)),
        "s_pointwise": [int(v) for v in bs.pointwise_sensitivity(f)],
        "su": Fraction(bs.total_influence(f, exact=True)),
        "inf": [Fraction(v) for v in bs.influences(f, exact=True)],
        "fbs": Fraction(bs.fractional_block_sensitivity(f)),
        "fbs0": max([v for v, s in zip(fbs_pw, row) if s > 0], default=Fraction(0)),
        "fbs1": max([v for v, s in zip(fbs_pw, row) if s < 0], default=Fraction(0)),
        "fbs_pointwise": fbs_pw,
        "D": int(bs.decision_tree_depth(f)),
        "deg": int(bs.degree(f)),
        "gf2_deg": int(bs.gf2_degree(f)),
        "fourier": fhat,
        "expectation_pm1": -fhat[0],              # bftool counts True as +1 here
        "variance_pm1": 1 - fhat[0] ** 2,
    }
    if adeg:
        out["adeg"] = int(bs.approximate_degree(f, THIRD))
    return out


# ----------------------------------------------------------------------------- comparison
def verdict(mine, theirs) -> str:
    """'exact', 'rounding' (within 1e-9) or 'differ' for a number or a list of numbers."""
    if isinstance(mine, list):
        if not isinstance(theirs, list) or len(mine) != len(theirs):
            return "differ"
        got = [verdict(a, b) for a, b in zip(mine, theirs)]
        return "differ" if "differ" in got else "rounding" if "rounding" in got else "exact"
    if theirs is None:
        return "differ"
    if Fraction(theirs) == Fraction(mine):
        return "exact"
    return "rounding" if abs(float(theirs) - float(mine)) <= 1e-9 else "differ"


def _tests_on_path() -> None:
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.append(tests)


def _weight_values(row: np.ndarray) -> list[int] | None:
    """0/1 values by Hamming weight when f(x ⊕ a) is symmetric for some a, else None. Negating
    inputs maps the polynomials of degree ≤ d onto themselves (x_i → 1 − x_i), so E_d is unchanged
    and the exact symmetric oracle applies."""
    n = int(row.size).bit_length() - 1
    idx = np.arange(row.size)
    for a in range(row.size):
        vals: dict[int, int] = {}
        for x, v in zip(idx ^ a, row):
            g = (1 - int(v)) // 2
            if vals.setdefault(bin(int(x)).count("1"), g) != g:
                break
        else:
            return [vals[k] for k in range(n + 1)]
    return None


def gf2_degree_by_definition(row: np.ndarray) -> int:
    """The Möbius-sum brute force of tests/boolsens/test_gf2_restriction.py (from the definition)."""
    spec = importlib.util.spec_from_file_location("_gf2_oracle", ROOT / "tests" / "boolsens" / "test_gf2_restriction.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.oracle_gf2_degree([int(v) for v in row])


def oracle_value(measure: str, row: np.ndarray):
    """The brute force of tests/ (no boolsens code) for one measure, in bftool's reading."""
    _tests_on_path()
    import oracle
    import oracle_lp

    t = [int(v) for v in row]
    if measure == "s":
        return oracle.sensitivity(t)
    if measure in ("s0", "s1"):
        return oracle_lp.one_sided(t, oracle_lp.s_at, 1 if measure == "s0" else -1)
    if measure == "s_pointwise":
        return oracle.pointwise_sensitivity(t)
    if measure == "su":
        return oracle.total_influence(t)
    if measure == "inf":
        return oracle.influences(t)
    if measure == "fbs_pointwise":
        return [oracle_lp.fbs_at(t, x) for x in range(len(t))]
    if measure in ("fbs", "fbs0", "fbs1"):
        keep = {"fbs": (1, -1), "fbs0": (1,), "fbs1": (-1,)}[measure]
        return max([oracle_lp.fbs_at(t, x) for x in range(len(t)) if t[x] in keep], default=Fraction(0))
    if measure == "D":
        return oracle.decision_tree_depth(t)
    if measure == "deg":
        return oracle.degree(t)
    if measure == "gf2_deg":
        return gf2_degree_by_definition(row)
    if measure in ("fourier", "expectation_pm1", "variance_pm1"):
        c = oracle.fourier_coefficients(t)
        return c if measure == "fourier" else -c[0] if measure == "expectation_pm1" else 1 - c[0] ** 2
    if measure == "adeg":
        vals = _weight_values(row)
        if vals is not None:  # exact: discrete exchange theorem on f(x ⊕ a) symmetric
            return {"eps=1/3": oracle_lp.symmetric_adeg(vals, THIRD),
                    "eps=float(1/3)": oracle_lp.symmetric_adeg(vals, Fraction(1 / 3))}
        errs = [oracle_lp.dual_error(t, d) for d in range(oracle.degree(t) + 1)]  # float dual LP
        return {"E_d (float dual LP)": errs,
                "eps=1/3": next(d for d, e in enumerate(errs) if e <= 1 / 3 + 1e-9)}
    raise KeyError(measure)


def _show(v):
    if isinstance(v, list):
        return [_show(a) for a in v]
    if isinstance(v, dict):
        return {k: _show(a) for k, a in v.items()}
    if isinstance(v, Fraction):
        return str(v)
    return v


def tables(quick: bool = False) -> list[tuple[str, np.ndarray]]:
    """Every function on n <= 3, seeded random ones on n = 4..6, named ones up to n = 8."""
    rng = np.random.default_rng(2026)
    out: list[tuple[str, np.ndarray]] = []
    for n in range(0, 4):
        for row in itertools.product((1, -1), repeat=1 << n):
            out.append((f"all-n{n}", np.array(row, dtype=np.int8)))
    per_n = 20 if quick else 100
    for n in (4, 5, 6):
        for row in rng.choice(np.array([1, -1], dtype=np.int8), size=(per_n, 1 << n)):
            out.append((f"random-n{n}", row))
    named = [bs.majority(5), bs.majority(7), bs.parity(4), bs.parity(6), bs.parity(8), bs.disjunction(6),
             bs.disjunction(8), bs.conjunction(8), bs.address(2), bs.inner_product(3), bs.inner_product(4),
             bs.tribes(2, 3), bs.tribes(2, 4), bs.rubinstein(2), bs.threshold([3, 2, 2, 1, 1], 4.5),
             bs.dictator(8, 5)]
    for f in named:
        out.append((f"named {f.name}", np.asarray(f.signs, dtype=np.int8)))
    return out


def random_large(n: int, count: int) -> list[tuple[str, np.ndarray]]:
    """Seeded random functions on n = 7 or 8, where bftool's adeg() may not stop."""
    rng = np.random.default_rng(n)
    return [(f"random-n{n}", r) for r in rng.choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))]


def cross_check(driver: Path, cases: list[tuple[str, np.ndarray]], *, adeg_in_batch: bool = False,
                with_oracle: bool = True) -> dict:
    """Compare every measure on every case; ``adeg_in_batch`` asks bftool's adeg in the batch
    process (fine for n <= 6) instead of one process per function with a timeout."""
    rows = [r for _, r in cases]
    measures = MEASURES + (["adeg"] if adeg_in_batch else [])
    theirs_all = bftool_batch(driver, rows, measures)
    counts: dict[str, dict[str, int]] = {}
    differences = []
    timeouts = []
    for (label, row), theirs in zip(cases, theirs_all):
        n = int(row.size).bit_length() - 1
        if "adeg" not in theirs:
            theirs["adeg"] = bftool_adeg(driver, row)
        mine = ours(row)
        for m, value in mine.items():
            if m == "adeg" and theirs[m] is None:
                timeouts.append({"function": label, "n": n, "bits": bits_of(row), "boolsens": value,
                                 "bftool": f"no answer in {ADEG_TIMEOUT:g} s"})
                counts.setdefault(m, {"exact": 0, "rounding": 0, "differ": 0, "no answer": 0})["no answer"] += 1
                continue
            v = verdict(value, theirs[m])
            counts.setdefault(m, {"exact": 0, "rounding": 0, "differ": 0, "no answer": 0})[v] += 1
            if v == "differ":
                d = {"function": label, "n": n, "bits": bits_of(row), "measure": m,
                     "boolsens": _show(value), "bftool": theirs[m]}
                if m == "adeg":
                    d["boolsens_at_eps_float_1_3"] = int(bs.approximate_degree(row, Fraction(1 / 3)))
                if with_oracle:
                    d["oracle"] = _show(oracle_value(m, row))
                    want = d["oracle"]["eps=1/3"] if m == "adeg" else d["oracle"]
                    d["boolsens_matches_oracle"] = d["boolsens"] == want
                    d["bftool_matches_oracle"] = (d["bftool"] == want if m == "adeg"
                                                  else verdict(oracle_value(m, row), theirs[m]) != "differ")
                differences.append(d)
    return {"functions": len(cases), "counts": counts, "differences": differences, "adeg_timeouts": timeouts}


# ----------------------------------------------------------------------------- timing
class Driver:
    """A persistent driver process for the timing requests."""

    def __init__(self, path: Path):
        self.p = subprocess.Popen([str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def seconds(self, measure: str, row: np.ndarray, k: int, timeout: float = 120) -> float:
        n = int(row.size).bit_length() - 1
        self.p.stdin.write(f"time {measure} {n} {bits_of(row)} {k}\n")
        self.p.stdin.flush()
        ready, _, _ = select.select([self.p.stdout], [], [], timeout)  # one line per request
        if not ready:
            self.p.kill()
            self.p.wait()
            raise TimeoutError(f"bftool gave no answer in {timeout:g} s")
        return float(json.loads(self.p.stdout.readline())["seconds"])

    def close(self) -> None:
        if self.p.poll() is None:
            self.p.stdin.write("quit\n")
            self.p.stdin.close()
            self.p.wait(timeout=30)


OURS_TIMED = {  # the same question as the bftool call, on an int8 ±1 table (fresh each call)
    "s": lambda r: bs.sensitivity(r),
    "su": lambda r: bs.total_influence(r),
    "fbs": lambda r: bs.fractional_block_sensitivity(r),
    "fbs_pointwise": lambda r: bs.fractional_block_sensitivity(r, pointwise=True),
    "D": lambda r: bs.decision_tree_depth(r),
    "deg": lambda r: bs.degree(r),
    "gf2_deg": lambda r: bs.gf2_degree(r),
    "adeg": lambda r: bs.approximate_degree(r, THIRD),
    "fourier": lambda r: bs.fourier_coefficients(r),
}


def _ours_seconds(measure: str, row: np.ndarray, k: int) -> float:
    fn = OURS_TIMED[measure]
    t0 = time.perf_counter()
    for _ in range(k):
        fn(row.copy())
    return time.perf_counter() - t0


def _calibrate(run, target: float) -> tuple[int, float]:
    """Calls per sample so that one sample takes about ``target`` seconds (at least 1)."""
    k = 1
    while True:
        t = run(k)
        if t >= target or k >= 1 << 20:
            return k, t / k
        k = max(k * 2, int(k * target / max(t, 1e-7)) + 1)


def time_row(driver: Driver, measure: str, n: int, repeats: int, target: float) -> dict:
    row = np.random.default_rng(100 + n).choice(np.array([1, -1], dtype=np.int8), size=1 << n)
    load0 = os.getloadavg()[0]
    first = {"boolsens": _ours_seconds(measure, row, 1)}  # warm-up (numba, HiGHS)
    t0 = time.perf_counter()
    driver.seconds(measure, row, 1)
    first["bftool"] = time.perf_counter() - t0
    kb, _ = _calibrate(lambda k: driver.seconds(measure, row, k), target)
    ko, _ = _calibrate(lambda k: _ours_seconds(measure, row, k), target)
    samples: dict[str, list[float]] = {"bftool": [], "boolsens": []}
    for r in range(repeats):  # interleaved; the order alternates
        order = ("bftool", "boolsens") if r % 2 == 0 else ("boolsens", "bftool")
        for who in order:
            if who == "bftool":
                samples[who].append(driver.seconds(measure, row, kb) / kb)
            else:
                samples[who].append(_ours_seconds(measure, row, ko) / ko)
    med = {w: statistics.median(v) for w, v in samples.items()}
    return {"measure": measure, "n": n, "calls_per_sample": {"bftool": kb, "boolsens": ko},
            "median_s": med, "min_s": {w: min(v) for w, v in samples.items()},
            "max_s": {w: max(v) for w, v in samples.items()}, "samples_s": samples,
            "first_call_s": first, "ratio_bftool_over_boolsens": med["bftool"] / med["boolsens"],
            "load1_before": load0, "load1_after": os.getloadavg()[0]}


TIMING_PLAN = {"s": (4, 8, 12), "su": (4, 8, 12), "deg": (4, 8, 12), "gf2_deg": (4, 8, 12),
               "fourier": (4, 8, 12), "D": (4, 8, 12), "fbs": (4, 8, 10), "fbs_pointwise": (4, 6, 8),
               "adeg": (4, 5, 6)}
QUICK_PLAN = {"s": (4, 8), "su": (4, 8), "deg": (4, 8), "gf2_deg": (4, 8), "fourier": (4, 8), "D": (4, 8),
              "fbs": (4, 8), "fbs_pointwise": (4, 6), "adeg": (4, 6)}


# ----------------------------------------------------------------------------- report
FINDINGS = """\
* **Approximate degree, ties.** Where E_d(f) = 1/3 exactly (OR_3 and AND_3 and their negations, 48 more
  functions on n = 3, MAJ_5, TRIBES_2,4 and some random functions), boolsens answers d (the definition,
  E_d ≤ ε with ε = 1/3; checked exactly by the symmetric oracle when f is symmetric up to input negations,
  else by the float dual LP of tests/oracle_lp.py) and bftool d + 1: it compares a float optimum with the
  double `1./3.`, which is below 1/3. Asked with that double, `bs.approximate_degree(f, 1/3)` gives
  bftool's answer on every tie, so this is a convention of precision rather than an error; with
  ε = 1/3 meant, boolsens is right.
* **Approximate degree, wrong.** On one random n = 7 function bftool answers 3 where the degree-3 error is
  0.488 (the dual LP's lower bound, and `bs.approximation_error(f, 3)`), so the answer is 4. An
  instrumented copy of bftool's `adeg` (under bench/_peers, not in the repository) shows why: at d = 3 its
  simplex (KACTL's dense float simplex, `include/lpsolver.hpp`) reports t = 0.279 for a point that violates
  its own constraints (|p| = 2.29 on a 0-input, |p − 1| = 3.32 on a 1-input).
* **Approximate degree, no answer.** From n = 7 bftool's `adeg` often does not stop: the same instrumented
  copy on a random n = 8 function shows 600,000 pivots in a minute at the first degree tried (d = 4, a
  512 × 327 tableau) with the objective fixed at −2/3, i.e. the simplex cycles on a degenerate vertex (its
  pivot rule is not anti-cycling). AND_8 and IP_8 do not stop either; OR_8, PARITY_8 and MAJ_7 on 8
  variables return in 0.1 s. boolsens answers all of these (HiGHS, decisions certified exactly).
* **`variance_pm1()`** returns 1 − E², E = Pr[f = 1] (`expectation()`, the 0/1 mean), where the ±1
  variance is 1 − f̂(∅)² = 1 − (1 − 2E)²: they agree only for the constant 1. (`expectation_pm1()` is
  right once its sign is read: it counts True as +1.)
* **Everything else agrees exactly**, where bftool's doubles are read back exactly: sensitivity (max,
  one-sided, pointwise), total influence, influences, fractional block sensitivity (max, one-sided, at every
  point: a few of bftool's LP values are 1e-16 off, e.g. 1.4999999999999998, counted as *rounding*),
  decision-tree depth, degree, GF(2) degree and every Fourier coefficient. bftool's `addr(2)` is our
  `address(2)` (same bit layout)."""

TIMING_NOTE = """\
Reading it: at small n boolsens's time is its per-call cost in Python (10–30 µs: argument checks, a table
object, numpy calls), which bftool, a C++ call on a ready `BoolFun`, does not pay. The algorithms show at
larger n: boolsens's bit-packed sensitivity and influence passes and its Möbius GF(2) degree are ahead at
n = 12 (bftool computes the GF(2) degree through a 3^n table), and `fbs(f)` is far ahead because boolsens
solves only the points whose certificate complexity exceeds the best value so far (for a random f,
fbs = C after a few points), while bftool solves an LP at every point. Point by point
(`fbs_pointwise`) bftool's float simplex is 30–900× faster than boolsens, which solves each LP with HiGHS
and then certifies it in Fractions. The approximate degree is timed at n ≤ 6 only, where bftool's simplex
stops: there it is 9–200× faster than boolsens's HiGHS LPs with exact certificates; at n = 7 and 8 it is
often without an answer, or wrong (above)."""


def _fmt_s(v: float) -> str:
    if v >= 1:
        return f"{v:.2f} s"
    if v >= 1e-3:
        return f"{v * 1e3:.3g} ms"
    return f"{v * 1e6:.3g} µs"


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass

    def run(*cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return None

    commit_file = PEERS / "bftool-build" / "bftool_commit.txt"
    return {"cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(), "numpy": np.__version__, "boolsens": bs.__version__,
            "boolsens_commit": run("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
            "bftool_commit": commit_file.read_text().strip() if commit_file.exists() else None,
            "compiler": run("c++", "--version"), "cmake": run("cmake", "--version"),
            "eigen": "Eigen 3.4.0 headers from the eigency 3.4.0.7 wheel"}


def write_md(report: dict, path: Path) -> None:
    m = report["machine"]
    L = ["# boolsens vs bftool", "",
         f"bftool commit `{m['bftool_commit']}` (github.com/sxyu/bftool, 2020-02-16, its last), built unmodified "
         f"with its CMakeLists (Release: `-std=gnu++11 -O3 -g -O3 -DNDEBUG`) by `bench/setup_bftool.sh`, with "
         f"{m['eigen']}; driver `bench/bftool_driver.cpp` linked with that build's objects. boolsens "
         f"{m['boolsens']} at `{m['boolsens_commit']}`. Machine: {m['cpu']}, {m['logical_cpus']} logical CPUs, "
         f"{m['platform']}, {m['compiler']}. `uptime` at start: `{report['uptime_start']}`; at end: "
         f"`{report['uptime_end']}` (a shared machine; other jobs were running).", "",
         "Produced by `python bench/compare_bftool.py` (see its docstring for every convention met).", "",
         "## Agreement", "",
         f"{report['cross_check']['functions']} functions: every one on n ≤ 3 (278), seeded random ones on n = 4, 5, 6, "
         "named ones up to n = 8 (majority 5/7, parity 4/6/8, OR 6/8, AND 8, address IND_2, inner product 3/4, "
         "tribes 2×3 and 2×4, Rubinstein k = 2, a threshold function, a dictator), plus bftool's own "
         "`kushilevitz()` and `addr(2)` tables and a few random n = 7 and n = 8 functions. *exact*: bftool's double equals "
         "our exact value; *rounding*: within 1e-9.", "",
         "| measure | bftool call | exact | rounding | differ | no answer |", "|---|---|---|---|---|---|"]
    calls = {"s": "`s()`", "s0": "`s0()` (f = 0 = our +1)", "s1": "`s1()`", "s_pointwise": "`s(x)` for every x",
             "su": "`su()` (total influence)", "inf": "`inf(1 << j)`", "fbs": "`fbs()`", "fbs0": "`fbs0()`",
             "fbs1": "`fbs1()`", "fbs_pointwise": "`fbs(x)` for every x", "D": "`D()`", "deg": "`deg()`",
             "gf2_deg": "`fourier_01(true, &d)`", "fourier": "`fourier()`",
             "expectation_pm1": "`expectation_pm1()` vs −f̂(∅)", "variance_pm1": "`variance_pm1()` vs 1 − f̂(∅)²",
             "adeg": "`adeg()` (ε₀ = ε₁ = 1./3.)"}
    for k, c in report["cross_check"]["counts"].items():
        L.append(f"| {k} | {calls.get(k, k)} | {c['exact']} | {c['rounding']} | {c['differ']} | {c['no answer']} |")
    L += ["", report["summary_text"], "", "### Every disagreement", ""]
    diffs = report["cross_check"]["differences"]
    if not diffs:
        L.append("None.")
    var = [d for d in diffs if d["measure"] == "variance_pm1"]
    rest = [d for d in diffs if d["measure"] != "variance_pm1"]
    if rest:
        L += ["| function | n | table (index 0 first, 1 = True) | measure | boolsens | bftool | oracle | right |",
              "|---|---|---|---|---|---|---|---|"]
        for d in rest:
            tie = d["measure"] == "adeg" and d["bftool"] == d.get("boolsens_at_eps_float_1_3")
            right = ("boolsens at ε = 1/3; bftool = boolsens at ε = float(1/3)" if tie and d.get("boolsens_matches_oracle")
                     else "boolsens" if d.get("boolsens_matches_oracle") and not d.get("bftool_matches_oracle")
                     else "bftool" if d.get("bftool_matches_oracle") and not d.get("boolsens_matches_oracle")
                     else "both" if d.get("bftool_matches_oracle") else "neither")
            extra = (f" (boolsens at ε = float(1/3): {d['boolsens_at_eps_float_1_3']})"
                     if "boolsens_at_eps_float_1_3" in d else "")
            L.append(f"| {d['function']} | {d['n']} | `{d['bits']}` | {d['measure']} | {d['boolsens']}{extra} | "
                     f"{d['bftool']} | {json.dumps(d.get('oracle'))} | {right} |")
    if var:
        L += ["", f"`variance_pm1` differs on {len(var)} functions (all listed in the .json). bftool computes "
              "1 − E², E = `expectation()` = Pr[f = 1] (the 0/1 mean), not the ±1 mean; the oracle's 1 − f̂(∅)² "
              "is ours in every case. First ones:", "",
              "| function | table | boolsens | bftool | oracle |", "|---|---|---|---|---|"]
        for d in var[:6]:
            L.append(f"| {d['function']} | `{d['bits']}` | {d['boolsens']} | {d['bftool']} | {d['oracle']} |")
    t = report["cross_check"]["adeg_timeouts"]
    if t:
        L += ["", "### bftool's approximate degree without an answer", "",
              f"{len(t)} functions where `adeg()` gave no answer within {ADEG_TIMEOUT:g} s (boolsens's value given):", ""]
        for d in t:
            L.append(f"* {d['function']} (n = {d['n']}): boolsens {d['boolsens']}")
    L += ["", "### What the disagreements are", "", FINDINGS, "", "## Timing", "",
          "Per call, median (min–max) of the interleaved samples; a sample is k consecutive calls on one seeded "
          "random function (k chosen so a sample takes about "
          f"{report['timing_target_s'] * 1e3:g} ms), {report['repeats']} samples each. bftool is timed inside the "
          "driver (no process or pipe cost); boolsens through its public function on a fresh int8 ±1 table each "
          "call (nothing cached between calls). Ratio = bftool / boolsens (> 1: boolsens faster). "
          "Load (1 min) before–after each row.", "",
          "| measure | n | bftool | boolsens | ratio | load |", "|---|---|---|---|---|---|"]
    for r in report["timing"]:
        if "error" in r:
            L.append(f"| {r['measure']} | {r['n']} | {r['error']} | | | |")
            continue
        b, o = "bftool", "boolsens"
        L.append(f"| {r['measure']} | {r['n']} | {_fmt_s(r['median_s'][b])} ({_fmt_s(r['min_s'][b])}–"
                 f"{_fmt_s(r['max_s'][b])}) | {_fmt_s(r['median_s'][o])} ({_fmt_s(r['min_s'][o])}–"
                 f"{_fmt_s(r['max_s'][o])}) | {r['ratio_bftool_over_boolsens']:.3g} | "
                 f"{r['load1_before']:.2f}–{r['load1_after']:.2f} |")
    L += ["", TIMING_NOTE, ""]
    path.write_text("\n".join(L).rstrip() + "\n")


def summarise(cc: dict) -> str:
    diffs = cc["differences"]
    bad = [d for d in diffs if not d.get("boolsens_matches_oracle", True)]
    other = sorted({d["measure"] for d in diffs} - {"adeg", "variance_pm1"})
    ties = [d for d in diffs if d["measure"] == "adeg" and d["bftool"] == d["boolsens_at_eps_float_1_3"]]
    wrong = [d for d in diffs if d["measure"] == "adeg" and d["bftool"] != d["boolsens_at_eps_float_1_3"]]
    var = [d for d in diffs if d["measure"] == "variance_pm1"]
    return (f"Disagreements where boolsens differs from the oracle: {len(bad)}. The others: "
            f"approximate degree {len(ties) + len(wrong)} ({len(ties)} ties, where the best error is exactly 1/3 "
            f"and bftool answers what boolsens answers at ε = float(1/3), one more than at ε = 1/3; "
            f"{len(wrong)} where bftool's answer is wrong at either ε), `variance_pm1` {len(var)} (bftool's "
            f"formula), {', '.join(other) if other else 'no other measure'}; "
            f"{len(cc['adeg_timeouts'])} approximate degrees without an answer from bftool.")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--driver", default=str(DRIVER))
    ap.add_argument("--quick", action="store_true", help="fewer random functions, smaller timing plan")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--target", type=float, default=0.02, help="seconds per timing sample")
    ap.add_argument("--n7", type=int, default=4, help="random n = 7 functions (bftool's adeg may not stop)")
    ap.add_argument("--n8", type=int, default=3, help="random n = 8 functions")
    args = ap.parse_args(argv)
    driver = Path(args.driver)
    if not driver.exists():
        print(f"no bftool driver at {driver}: run bench/setup_bftool.sh first", file=sys.stderr)
        return 2
    up0 = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    t0 = time.perf_counter()
    cases = tables(args.quick)
    small = [c for c in cases if c[1].size <= 64]
    large = [c for c in cases if c[1].size > 64]
    builtins = [("bftool kushilevitz()", bftool_builtin(driver, "kushilevitz")),
                ("bftool addr(2)", bftool_builtin(driver, "addr 2"))]
    same_addr = bool(np.array_equal(builtins[1][1], bs.address(2).signs))
    cc_small = cross_check(driver, small, adeg_in_batch=True)
    cc_large = cross_check(driver, large + builtins + random_large(7, args.n7) + random_large(8, args.n8))
    cc = {"functions": cc_small["functions"] + cc_large["functions"], "counts": {},
          "differences": cc_small["differences"] + cc_large["differences"],
          "adeg_timeouts": cc_small["adeg_timeouts"] + cc_large["adeg_timeouts"]}
    for part in (cc_small, cc_large):
        for m, c in part["counts"].items():
            tot = cc["counts"].setdefault(m, {"exact": 0, "rounding": 0, "differ": 0, "no answer": 0})
            for k, v in c.items():
                tot[k] += v
    check_s = time.perf_counter() - t0
    print(f"cross-check: {cc['functions']} functions in {check_s:.1f} s")
    for m, c in cc["counts"].items():
        print(f"  {m:16s} {c}")
    summary = summarise(cc)
    print(summary)
    timing = []
    if not args.no_timing:
        d = Driver(driver)
        plan = QUICK_PLAN if args.quick else TIMING_PLAN
        for measure, ns in plan.items():
            for n in ns:
                try:
                    r = time_row(d, measure, n, args.repeats, args.target)
                except Exception as e:  # a peer failure is recorded, the run goes on
                    r = {"measure": measure, "n": n, "error": f"{type(e).__name__}: {e}"}
                    d = Driver(driver)
                timing.append(r)
                if "error" not in r:
                    print(f"  time {measure:8s} n={n:2d}: bftool {_fmt_s(r['median_s']['bftool'])}, boolsens "
                          f"{_fmt_s(r['median_s']['boolsens'])}, ratio {r['ratio_bftool_over_boolsens']:.3g}",
                          flush=True)
        d.close()
    up1 = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    report = {"machine": machine(), "uptime_start": up0, "uptime_end": up1, "cross_check": cc,
              "cross_check_seconds": round(check_s, 1), "bftool_addr2_equals_bs_address2": same_addr,
              "summary_text": summary + (" bftool's `addr(2)` table equals `bs.address(2)`'s."
                                         if same_addr else " bftool's `addr(2)` table differs from `bs.address(2)`."),
              "timing": timing, "repeats": args.repeats, "timing_target_s": args.target}
    stem = "bftool_quick" if args.quick else "bftool"
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(report, indent=1, default=_show) + "\n")
    write_md(report, out / f"{stem}.md")
    print(f"wrote {out / (stem + '.md')}")
    return 1 if any(not d.get("boolsens_matches_oracle", True) for d in cc["differences"]) else 0


if __name__ == "__main__":
    sys.exit(main())
