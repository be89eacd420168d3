#!/usr/bin/env python
"""Breadth benchmark: the GF(2) and nonlinearity targets, and boofun side by side on every shared measure.

    python bench/bench_breadth.py                       # full run, about 10 minutes
    python bench/bench_breadth.py --quick               # small n, a smoke run (writes breadth_quick.*)
    python bench/bench_breadth.py --peer-python PATH    # boofun's interpreter (default: bench/_peers/boofun-venv)

Run it with the project's interpreter; boofun 1.3 runs in its own (``--peer-python``, default
``bench/_peers/boofun-venv/bin/python``, else ``bench/_peers/venv/bin/python``: make one with
``python -m venv --system-site-packages bench/_peers/boofun-venv &&
bench/_peers/boofun-venv/bin/pip install 'boofun[performance]' pybind11 setuptools wheel &&
env USE_CUDA=0 CUDA_HOME= bench/_peers/boofun-venv/bin/pip install --no-build-isolation pyfwht``:
numba for boofun's own kernels, pyfwht for its transform, which without it multiplies by a
2^n x 2^n Hadamard matrix up to n = 14 and loops in Python above). Three sections, each on a seeded random ±1 int8 table:

1. ``gf2``: ``bs.anf`` and ``bs.gf2_degree`` at n = 28 (the issue's target: <= 1 s each),
   interleaved.
2. ``nonlinearity``: ``bs.nonlinearity`` against ``bs.fwht`` of the same table at n = 26 (target:
   within 1.2x of fwht), interleaved; the ratio of the medians and of the minima.
3. ``boofun``: every measure both libraries have, at n = 10, 14, 18 (boofun's dense storage). For
   each measure and n: one checking call on each side (values compared; boofun's conventions are
   converted, and where boofun's answer is wrong that is said and no ratio is given), then rounds
   that alternate which library goes first, until ``--repeats`` timed calls or ``--budget``
   seconds per side. boofun runs in a worker process of its own interpreter, which times each
   call itself (a fresh ``bf.create(bits, storage="dense")`` per call, made outside the timing, so
   nothing cached by an earlier call is reused; boolsens is called on a plain int8 numpy table, so
   nothing is cached either); a boofun call that runs past ``--timeout`` seconds is killed (the
   worker is restarted) and recorded as timed out, and a measure that took more than
   timeout / 16 at the previous n is not started at the next (it would grow at least 16x).

The benchmark measures; it asserts nothing about times. The machine is shared: the 1-minute load
average is recorded before and after every section, every n of section 3 and at start and end,
with the CPU model. Writes ``bench/results/breadth.json`` (every timing) and ``breadth.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import boolsens as bs  # noqa: E402

PEERS = (HERE / "_peers" / "boofun-venv" / "bin" / "python", HERE / "_peers" / "venv" / "bin" / "python")
RHO = 0.5
P = 0.3  # for the p-biased pivotal probabilities


def load() -> float:
    return round(os.getloadavg()[0], 2)


def stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def machine() -> dict:
    info: dict[str, Any] = {"platform": platform.platform(), "python": sys.version.split()[0],
                            "cpu_count": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as fh:
            info["cpu"] = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        info["cpu"] = platform.processor() or "unknown"
    try:
        info["boolsens_git"] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                              capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


def summary(times: list[float]) -> dict:
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "calls": len(times)}


def table(n: int, seed: int) -> np.ndarray:
    return np.array(bs.random_function(n, seed=seed).signs)  # writable plain int8: nothing cached


# ------------------------------------------------------------------ sections 1 and 2: interleaved
def interleaved(contenders: dict[str, Callable[[], Any]], rounds: int) -> dict:
    """One untimed warm-up call each, then ``rounds`` rounds, the order rotated every round."""
    for fn in contenders.values():
        fn()
    names = list(contenders)
    times: dict[str, list[float]] = {k: [] for k in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            t = time.perf_counter()
            v = contenders[name]()
            times[name].append(time.perf_counter() - t)
            del v
    return {k: summary(v) | {"repeats_s": v} for k, v in times.items()}


def section_gf2(n: int, rounds: int) -> dict:
    out: dict[str, Any] = {"n": n, "load_before": load()}
    t = table(n, seed=n)
    out["values"] = {"gf2_degree": int(bs.gf2_degree(t)), "anf monomials": int(bs.anf(t).sum())}
    out["results"] = interleaved({"bs.anf": lambda: bs.anf(t), "bs.gf2_degree": lambda: bs.gf2_degree(t)}, rounds)
    out["load_after"] = load()
    print(f"gf2 n={n}: " + ", ".join(f"{k} {v['median_s']:.3f} s" for k, v in out["results"].items()), flush=True)
    return out


def section_nonlinearity(n: int, rounds: int) -> dict:
    out: dict[str, Any] = {"n": n, "load_before": load()}
    t = table(n, seed=n)
    w = bs.fwht(t)
    out["values"] = {"nonlinearity": int(bs.nonlinearity(t)), "check 2^(n-1) - max|W|/2": int((1 << (n - 1)) - np.abs(w).max() // 2)}
    del w
    res = out["results"] = interleaved({"bs.nonlinearity": lambda: bs.nonlinearity(t), "bs.fwht": lambda: bs.fwht(t)}, rounds)
    out["ratio_of_medians"] = res["bs.nonlinearity"]["median_s"] / res["bs.fwht"]["median_s"]
    out["ratio_of_minima"] = res["bs.nonlinearity"]["min_s"] / res["bs.fwht"]["min_s"]
    out["load_after"] = load()
    print(f"nonlinearity n={n}: {res['bs.nonlinearity']['median_s']:.3f} s vs fwht {res['bs.fwht']['median_s']:.3f} s "
          f"({out['ratio_of_medians']:.2f}x)", flush=True)
    return out


# ----------------------------------------------------------------------- section 3: boofun worker
WORKER = r"""
import json, os, sys, time, warnings
OUT = os.fdopen(os.dup(1), "w")  # replies; anything else printed to fd 1 (libfwht's banner) goes to stderr
os.dup2(2, 1)
warnings.filterwarnings("ignore")
import numpy as np
import boofun as bf
from boofun.analysis import (basic_properties as bp, block_sensitivity as bsens, complexity as cx,
                             cryptographic as cr, fourier as fo, ltf_analysis as la, p_biased as pb,
                             sensitivity as se)
P, RHO = {P!r}, {RHO!r}

def tt(g):
    return np.asarray(g.get_representation("truth_table"), dtype=bool)

# measures that are one boofun function of the function object
ONE_CALL = {{
    "walsh_spectrum": cr.walsh_transform, "min_sensitivity": se.min_sensitivity,
    "average_sensitivity": se.average_sensitivity, "block_sensitivity": bsens.max_block_sensitivity,
    "certificate_complexity": cx.max_certificate_complexity, "decision_tree_depth": cx.decision_tree_depth,
    "anf": cr.algebraic_normal_form, "nonlinearity": cr.nonlinearity, "is_bent": cr.is_bent,
    "correlation_immunity": cr.correlation_immunity, "resiliency": cr.resiliency,
    "chow_parameters": la.chow_parameters, "is_monotone": bp.is_monotone, "is_symmetric": bp.is_symmetric,
    "is_threshold": la.is_ltf, "relevant_variables": bp.dependent_variables,
}}
M = {{k: (lambda fn: lambda g, n: fn(g))(fn) for k, fn in ONE_CALL.items()}}
M.update({{
    "fourier": lambda g, n: g.fourier(force_recompute=True),
    "fourier_weights": lambda g, n: g.spectral_weight_by_degree(),
    "influences": lambda g, n: g.influences(force_recompute=True),
    "total_influence": lambda g, n: g.total_influence(),
    "noise_stability": lambda g, n: g.noise_stability(RHO),
    "degree": lambda g, n: g.degree(),
    "sensitivity": lambda g, n: g.sensitivity(),
    "pivotal_probability": lambda g, n: [pb.p_biased_influence(g, i, P) for i in range(n)],
    "gf2_degree": lambda g, n: g.degree(gf2=True),
    "spectral_norm": lambda g, n: fo.spectral_norm(g, p=1),
    "fourier_sparsity": lambda g, n: g.sparsity(),
    "restrict": lambda g, n: tt(g.fix(list(range(n // 2)), [i % 2 for i in range(n // 2)])),
    "derivative": lambda g, n: tt(g.derivative(0)),
}})

def plain(v):
    if isinstance(v, dict):
        return {{str(k): plain(x) for k, x in v.items()}}
    if isinstance(v, (list, tuple, np.ndarray)):
        return [plain(x) for x in v]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    return float(v)

bits = None
for line in sys.stdin:
    job = json.loads(line)
    if job["cmd"] == "load":
        bits = np.load(job["path"])
        n = int(job["n"])
        reply = {{"ok": True}}
    elif job["cmd"] == "warm":  # every measure once on a small function (numba kernels compile here)
        w = np.random.default_rng(0).integers(0, 2, size=1 << 6).astype(np.uint8)
        reply = {{}}
        for k in job["measures"]:
            t = time.perf_counter()
            M[k](bf.create(w, storage="dense"), 6)
            reply[k] = time.perf_counter() - t
    else:
        g = bf.create(bits, storage="dense")
        t = time.perf_counter()
        v = M[job["measure"]](g, n)
        dt = time.perf_counter() - t
        reply = {{"t": dt, "value": plain(v) if job.get("value") else None}}
    OUT.write(json.dumps(reply) + "\n")
    OUT.flush()
"""


class Peer:
    """boofun in a worker process of its own interpreter; a call past ``timeout`` kills it."""

    def __init__(self, python: Path, measures: list[str]):
        self.python, self.measures = python, measures
        self.proc: subprocess.Popen | None = None
        self.path: str | None = None
        self.n = 0
        self.warm_s: dict = {}
        self.restarts = 0

    def _start(self) -> None:
        code = WORKER.format(P=P, RHO=RHO)
        self.proc = subprocess.Popen([str(self.python), "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, env={**os.environ, "PYTHONPATH": ""})
        self.warm_s = self._ask({"cmd": "warm", "measures": self.measures}, timeout=600)
        if self.path is not None:
            self._ask({"cmd": "load", "path": self.path, "n": self.n}, timeout=60)

    def _ask(self, job: dict, timeout: float) -> dict | None:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            self.stop()
            return None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the boofun worker died (exit status {self.proc.wait()})")
        return json.loads(line)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # the worker this object started, by its handle
            self.proc.wait()
            self.proc = None

    def load(self, bits: np.ndarray, n: int, path: str) -> None:
        np.save(path, bits)
        self.path, self.n = path, n
        if self.proc is None:
            self._start()
        else:
            self._ask({"cmd": "load", "path": path, "n": n}, timeout=60)

    def call(self, measure: str, *, value: bool, timeout: float) -> dict | None:
        if self.proc is None:
            self.restarts += 1
            self._start()
        return self._ask({"cmd": "call", "measure": measure, "value": value}, timeout)


def close(a, b, tol=1e-9) -> bool:
    return bool(np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=tol, atol=tol))


def fl(a) -> np.ndarray:
    return np.asarray(a, dtype=float)


# Each shared measure: (boolsens call on the int8 table, comparison (ours, theirs, n) -> (agree, note)).
# boofun's tables are 0/1 with 1 = True = our −1, bit i of the index = x_i, f̂ normalised as ours.
def _weights(ours, theirs, n):
    w = np.zeros(n + 1)
    for k, v in theirs.items():
        w[int(k)] = v
    return close(ours, w), ""


def _restrict_ours(t, n):
    return bs.restrict(t, {i: (1 if i % 2 == 0 else -1) for i in range(n // 2)})


def _derivative_cmp(ours, theirs, n):
    # boofun: D_0 f(x) = f(x) XOR f(x ^ 1) on all n variables; ours: (f(x^{0->1}) - f(x^{0->-1}))/2 on the
    # other n - 1: nonzero exactly where boofun's is 1, at x >> 1
    mine = (np.asarray(ours) != 0)[np.arange(1 << n) >> 1]
    return bool(np.array_equal(mine, np.asarray(theirs, dtype=bool))), \
        "boofun's D_0 f = f(x) XOR f(x^e_0) on n variables vs ours (f(x^{0→1}) − f(x^{0→−1}))/2 on n − 1: compared as support"


SAME_INT = lambda a, b, n: (int(a) == b, "")  # noqa: E731
SAME_BOOL = lambda a, b, n: (bool(a) == b, "")  # noqa: E731
CLOSE = lambda a, b, n: (close(a, b), "")  # noqa: E731
SAME_ARRAY = lambda a, b, n: (bool(np.array_equal(np.asarray(a), np.asarray(b, dtype=np.asarray(a).dtype))), "")  # noqa: E731


def _plain(name: str, compare: Callable, note: str) -> tuple[Callable, Callable, str]:
    """A measure whose boolsens side is ``bs.<name>(table)``."""
    fn = getattr(bs, name)
    return (lambda t, n: fn(t), compare, note)


MEASURES: dict[str, tuple[Callable, Callable, str]] = {
    "fourier": _plain("fourier_coefficients", CLOSE,
        "`fourier_coefficients` / `fourier(force_recompute=True)` (both f̂ = W / 2^n)"),
    "walsh_spectrum": _plain("walsh_spectrum", SAME_ARRAY, "`walsh_spectrum` / `cryptographic.walsh_transform` (unnormalised)"),
    "fourier_weights": (lambda t, n: bs.fourier_weights(t), _weights,
                        "`fourier_weights` / `spectral_weight_by_degree` (a Python loop over 2^n)"),
    "influences": _plain("influences", CLOSE, "`influences`"),
    "total_influence": _plain("total_influence", CLOSE, "`total_influence`"),
    "noise_stability": (lambda t, n: bs.noise_stability(t, RHO), lambda a, b, n: (close(a, b), ""), f"ρ = {RHO}"),
    "degree": _plain("degree", SAME_INT, "Fourier degree"),
    "sensitivity": _plain("sensitivity", SAME_INT,
        "max sensitivity; boofun: `f.sensitivity()`, a Python loop over points"),
    "min_sensitivity": _plain("min_sensitivity", SAME_INT, "boofun: `analysis.sensitivity.min_sensitivity`"),
    "average_sensitivity": _plain("average_sensitivity", CLOSE,
        "boofun: `analysis.sensitivity.average_sensitivity` (profile of s(f, x))"),
    "block_sensitivity": _plain("block_sensitivity", SAME_INT,
        "boofun: `block_sensitivity.max_block_sensitivity` (stops once it finds s(f, x) = n)"),
    "certificate_complexity": _plain("certificate_complexity", SAME_INT,
        "boofun: `complexity.max_certificate_complexity`"),
    "decision_tree_depth": _plain("decision_tree_depth", SAME_INT,
        "boofun: `complexity.decision_tree_depth` (DP over 3^n subcubes)"),
    "pivotal_probability": (lambda t, n: bs.pivotal_probability(t, p=P), lambda a, b, n: (close(a, b), ""),
                            f"p-biased, p = {P}: Pr_μp[f(x) ≠ f(x^i)] for every i; boofun: "
                            "`analysis.p_biased.p_biased_influence` (summed over the cube in floats; the top-level "
                            "`bf.p_biased_influence` is a 5,000-sample Monte-Carlo estimate, not timed); boolsens's "
                            "`influences(f, p=…)` is 4p(1 − p) times this"),
    "anf": _plain("anf", SAME_ARRAY, "`anf` / `cryptographic.algebraic_normal_form`"),
    "gf2_degree": _plain("gf2_degree", SAME_INT, "boofun: `f.degree(gf2=True)`"),
    "spectral_norm": _plain("spectral_norm", CLOSE, "ℓ1 norm Σ|f̂(S)|; boofun: `fourier.spectral_norm(f, p=1)`"),
    "fourier_sparsity": _plain("fourier_sparsity", SAME_INT,
        "boofun: `f.sparsity()` (|f̂(S)| > 1e-10; boolsens counts exactly)"),
    "nonlinearity": _plain("nonlinearity", SAME_INT, ""),
    "is_bent": _plain("is_bent", SAME_BOOL, ""),
    "correlation_immunity": _plain("correlation_immunity", SAME_INT, ""),
    "resiliency": _plain("resiliency", SAME_INT, "−1 when unbalanced (both)"),
    "chow_parameters": _plain("chow_parameters", CLOSE, "boofun: `ltf_analysis.chow_parameters`"),
    "is_monotone": _plain("is_monotone", SAME_BOOL,
        "boofun: `basic_properties.is_monotone`, which returns True for every function in 1.3.0"),
    "is_symmetric": _plain("is_symmetric", SAME_BOOL, "boofun: `basic_properties.is_symmetric`"),
    "is_threshold": _plain("is_threshold", SAME_BOOL,
        "boofun: `ltf_analysis.is_ltf` (an LP); boolsens's `is_threshold` is for n ≤ 12 only"),
    "relevant_variables": (lambda t, n: bs.relevant_variables(t), lambda a, b, n: (list(a) == list(b), ""),
                           "boofun: `basic_properties.dependent_variables`"),
    "restrict": (_restrict_ours, lambda a, b, n: (bool(np.array_equal(a.signs == -1, np.asarray(b, dtype=bool))), ""),
                 "fix x_0 … x_{n/2−1} alternately to bit 0/1 (±1 here); boofun: `f.fix(vars, vals)`, its table"),
    "derivative": (lambda t, n: bs.derivative(t, 0), _derivative_cmp, "with respect to x_0"),
}
ONLY_UP_TO = {"is_threshold": 12}  # boolsens's limits
# boofun answers that are wrong, not a convention: no ratio is given for them
WRONG_IN_BOOFUN = {"is_monotone": "boofun 1.3.0's is_monotone returns True for every function (it compares "
                                  "f(y) > f(x) only where f(x) = 1, which never holds); see "
                                  "bench/compare_boofun_structure.py"}
# boolsens measures with no boofun counterpart in 1.3.0 (looked for in its package source)
BOOLSENS_ONLY = ["fourier_entropy", "autocorrelation", "absolute_indicator", "block_sensitivity (pointwise)",
                 "fractional_block_sensitivity", "approximate_degree", "threshold_representation"]


def section_boofun(ns: list[int], peer: Peer, repeats: int, budget: float, timeout: float, tmp: str) -> list[dict]:
    rows = []
    prev_first: dict[str, float] = {}  # boofun's checking-call time at the previous n
    skipped_for: dict[str, str] = {}
    for n in ns:
        t = table(n, seed=1000 + n)
        row: dict[str, Any] = {"n": n, "load_before": load(), "measures": {}}
        peer.load((t == -1).astype(np.uint8), n, os.path.join(tmp, f"bits{n}.npy"))
        for key, (ours_fn, compare, note) in MEASURES.items():
            rec: dict[str, Any] = {"note": note} if note else {}
            row["measures"][key] = rec
            if n > ONLY_UP_TO.get(key, 99):
                rec["skipped"] = f"boolsens: n ≤ {ONLY_UP_TO[key]} only"
                continue
            t0 = time.perf_counter()
            ours = ours_fn(t, n)
            ours_first = time.perf_counter() - t0
            b_rec: dict[str, Any] = {}
            rec["boolsens"] = {"first_call_s": ours_first}
            rec["boofun"] = b_rec
            if key in skipped_for:
                b_rec["skipped"] = skipped_for[key]
            else:
                got = peer.call(key, value=True, timeout=timeout)
                if got is None:
                    b_rec["timed_out"] = f"timed out after {timeout:g} s"
                    skipped_for[key] = f"timed out after {timeout:g} s at n = {n}"
                else:
                    b_rec["first_call_s"] = got["t"]
                    agree, why = compare(ours, got["value"], n)
                    rec["agree"] = agree
                    if why:
                        rec["convention"] = why
                    if not agree:
                        rec["boofun_value"] = _short(got["value"])
                        rec["boolsens_value"] = _short(ours)
                    if got["t"] > timeout / 16:
                        skipped_for[key] = (f"{got['t']:.1f} s at n = {n}; at least 16x that expected at n + 4 "
                                            f"(> the {timeout:g} s limit)")
            del ours
            # rounds, alternating which library goes first
            ours_t: list[float] = []
            theirs_t: list[float] = []
            live_b = "first_call_s" in b_rec
            for r in range(repeats):
                order = ("boolsens", "boofun") if r % 2 == 0 else ("boofun", "boolsens")
                did = False
                for who in order:
                    if who == "boolsens" and sum(ours_t) + ours_first <= budget:
                        t0 = time.perf_counter()
                        v = ours_fn(t, n)
                        ours_t.append(time.perf_counter() - t0)
                        del v
                        did = True
                    elif who == "boofun" and live_b and sum(theirs_t) + b_rec["first_call_s"] <= budget:
                        got = peer.call(key, value=False, timeout=timeout)
                        if got is None:
                            b_rec["timed_out_in_repeat"] = f"timed out after {timeout:g} s"
                            live_b = False
                        else:
                            theirs_t.append(got["t"])
                            did = True
                if not did:
                    break
            # medians over the repeats; a side too slow for any repeat is represented by its checking call
            rec["boolsens"].update(summary(ours_t or [ours_first]) | {"repeats_s": ours_t})
            if "first_call_s" in b_rec:
                b_rec.update(summary(theirs_t or [b_rec["first_call_s"]]) | {"repeats_s": theirs_t})
                if key in WRONG_IN_BOOFUN and rec.get("agree") is False:
                    rec["boofun_wrong"] = WRONG_IN_BOOFUN[key]
                elif rec.get("agree"):
                    rec["ratio_boofun_to_boolsens"] = b_rec["median_s"] / rec["boolsens"]["median_s"]
            print(f"  n={n} {key}: boolsens {rec['boolsens']['median_s']:.4g} s, boofun "
                  f"{b_rec.get('median_s', b_rec.get('timed_out') or b_rec.get('skipped'))}"
                  f"{'' if rec.get('agree', True) else ' DISAGREE'}", flush=True)
        row["load_after"] = load()
        rows.append(row)
    return rows


def _short(v):
    a = np.asarray(v, dtype=object) if not isinstance(v, dict) else None
    if a is not None and a.size > 24:
        return f"array of {a.size} (first: {a.ravel()[:8].tolist()})"
    return v if a is None else a.tolist()


# --------------------------------------------------------------------------------------- report
def fmt(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def fmt_side(r: dict) -> str:
    if "skipped" in r:
        return f"skipped ({r['skipped']})"
    if "timed_out" in r:
        return r["timed_out"]
    s = fmt(r["median_s"])
    if r["calls"] > 1:
        s += f" ({fmt(r['min_s'])}–{fmt(r['max_s'])})"
    else:
        s += " (1 call)"
    return s


def section_run(sec: dict) -> str:
    """The run of a section re-measured on its own (``--update``): when and at which commit."""
    if not sec.get("rerun_of_sections_1_2"):
        return ""
    return (f" Re-measured on its own (`--update`, sections 1–2 only) {sec['started']} – {sec['finished']}, "
            f"boolsens {sec.get('boolsens_git')}, numba {sec.get('numba')}; the header's run is that of the "
            "other sections.")


def write_md(doc: dict, path: Path) -> None:
    m = doc["machine"]
    bnumba, bpyfwht = doc["versions"].get("boofun's numba"), doc["versions"].get("boofun's pyfwht")
    L = ["# Breadth benchmark: GF(2) and nonlinearity targets, boofun side by side", "",
         f"{doc['started']} – {doc['finished']}; {m.get('cpu')}, {m.get('cpu_count')} cores shared with other "
         f"users' processes (they run at the lowest priority); boolsens {m.get('boolsens_git')}, numpy "
         f"{doc['versions']['numpy']}, numba {doc['versions']['numba']}; boofun {doc['versions'].get('boofun')} "
         f"in its own interpreter ({doc.get('peer_python')}; with numba {bnumba} and "
         f"pyfwht {bpyfwht}, its fastest transform backend: without pyfwht boofun "
         "multiplies by a 2^n × 2^n Hadamard matrix for n ≤ 14, 8.7 s and 2 GiB at n = 14, and runs a pure-Python "
         f"butterfly above). 1-minute load average: {doc['load_start']} at the start, "
         f"{doc['load_end']} at the end (per section below). Generated by `python bench/bench_breadth.py`"
         f"{' --quick' if doc['quick'] else ''}. Times are wall-clock medians with min–max; they measure, nothing is "
         "asserted about them.", ""]
    g = doc.get("gf2")
    if g:
        L += [f"## ANF and GF(2) degree at n = {g['n']} (target: ≤ 1 s each)", "",
              f"Random ±1 int8 table (2^{g['n']} bytes = {(1 << g['n']) >> 20} MiB); {g['rounds']} rounds after a "
              f"warm-up call, interleaved. Load {g['load_before']} → {g['load_after']}.{section_run(g)}", "",
              "| call | median | min–max | target met by the median |", "|---|---|---|---|"]
        for k, r in g["results"].items():
            L.append(f"| `{k}` | {fmt(r['median_s'])} | {fmt(r['min_s'])}–{fmt(r['max_s'])} | "
                     f"{'yes' if r['median_s'] <= 1 else 'no'} |")
        L += ["", f"Values: {', '.join(f'{k} = {v}' for k, v in g['values'].items())}.", ""]
    nl = doc.get("nonlinearity")
    if nl:
        r = nl["results"]
        L += [f"## Nonlinearity against fwht at n = {nl['n']} (target: within 1.2×)", "",
              f"The same random ±1 int8 table; {nl['rounds']} rounds, interleaved. Load {nl['load_before']} → "
              f"{nl['load_after']}.{section_run(nl)}", "", "| call | median | min–max |", "|---|---|---|"]
        for k, v in r.items():
            L.append(f"| `{k}` | {fmt(v['median_s'])} | {fmt(v['min_s'])}–{fmt(v['max_s'])} |")
        L += ["", f"Ratio nonlinearity / fwht: **{nl['ratio_of_medians']:.2f}×** by the medians, "
                  f"{nl['ratio_of_minima']:.2f}× by the minima (NL = {nl['values']['nonlinearity']}).", ""]
    rows = doc.get("boofun", [])
    if rows:
        ns = [r["n"] for r in rows]
        L += ["## boofun side by side (dense storage)", "",
              f"One seeded random function per n. Each cell: median (min–max) over up to {doc['repeats']} timed "
              f"calls after a checking call, the two libraries alternating which goes first; a side whose calls "
              f"add up to more than {doc['budget_s']:g} s stops early, and one too slow for any repeat shows its "
              f"checking call (\"1 call\"). boofun calls are timed inside its worker on a fresh "
              f"`bf.create(bits, storage='dense')` (creation not timed); boolsens on a plain int8 table. boofun "
              f"calls past {doc['timeout_s']:g} s are killed. **ratio** = boofun / boolsens (medians; > 1: "
              "boolsens faster). boofun warm-up (numba compilation etc., once per worker) is not timed.", "",
              "Load (1-minute average) per n: " + ", ".join(f"n = {r['n']}: {r['load_before']} → {r['load_after']}"
                                                           for r in rows) + ".", ""]
        L += ["Ratios boofun / boolsens at a glance (details, with min–max, below):", "",
              "| measure | " + " | ".join(f"n = {n}" for n in ns) + " |", "|---|" + "---|" * len(ns)]
        for key in MEASURES:
            cells = []
            for r in rows:
                rec = r["measures"][key]
                b = rec.get("boofun", {})
                if "ratio_boofun_to_boolsens" in rec:
                    cells.append(f"{rec['ratio_boofun_to_boolsens']:.3g}×")
                elif "boofun_wrong" in rec:
                    cells.append("boofun wrong")
                elif "timed_out" in b:
                    cells.append(f"boofun > {doc['timeout_s']:g} s (boolsens {fmt(rec['boolsens']['median_s'])})")
                elif "skipped" in b:
                    cells.append(f"boofun not run (boolsens {fmt(rec['boolsens']['median_s'])})")
                else:
                    cells.append(rec.get("skipped", "–"))
            L.append(f"| {key} | " + " | ".join(cells) + " |")
        L += ["", "Details:", ""]
        L.append("| measure | " + " | ".join(f"boolsens n={n} | boofun n={n} | ratio n={n}" for n in ns) + " | agree |")
        L.append("|---|" + "---|---|---|" * len(ns) + "---|")
        for key in MEASURES:
            cells, agrees = [], []
            for r in rows:
                rec = r["measures"][key]
                if "skipped" in rec:
                    cells += [rec["skipped"], "–", "–"]
                    continue
                b = rec["boofun"]
                ratio = rec.get("ratio_boofun_to_boolsens")
                cells += [fmt_side(rec["boolsens"]), fmt_side(b),
                          f"**{ratio:.3g}×**" if ratio else ("boofun wrong" if "boofun_wrong" in rec else "–")]
                if "agree" in rec:
                    agrees.append("yes" if rec["agree"] else f"NO at n={r['n']}")
            a = sorted(set(agrees))
            L.append(f"| {key} | " + " | ".join(cells) + f" | {', '.join(a) if a else '–'} |")
        L += ["", "Notes per measure:", ""]
        for key, (_, _, note) in MEASURES.items():
            extra = ""
            for r in rows:
                rec = r["measures"][key]
                if rec.get("convention"):
                    extra = f". Convention: {rec['convention']}."
            if note or extra:
                L.append(f"- **{key}**: {note}{extra}")
        dis = [(r["n"], k, rec) for r in rows for k, rec in r["measures"].items() if rec.get("agree") is False]
        L += ["", "Disagreements:" if dis else "Disagreements: none.", ""]
        for n, k, rec in dis:
            why = rec.get("boofun_wrong", "not explained")
            L.append(f"- n = {n}, {k}: boolsens {rec['boolsens_value']!r}, boofun {rec['boofun_value']!r} — {why}")
        L += ["", f"boolsens measures with no boofun 1.3 counterpart (not timed): {', '.join(BOOLSENS_ONLY)}.", "",
              "boofun worker warm-up on n = 6 (s, once per worker start): " +
              ", ".join(f"{k} {v:.2f}" for k, v in doc.get("boofun_warm_s", {}).items() if v > 0.05) +
              f" (others < 0.05 s); worker restarts after a timeout: {doc.get('boofun_restarts', 0)}.", ""]
    path.write_text("\n".join(L) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small n (a smoke run): writes breadth_quick.*")
    ap.add_argument("--peer-python", default=None, help="an interpreter with boofun")
    ap.add_argument("--repeats", type=int, default=5, help="timed calls per side and measure in section 3")
    ap.add_argument("--budget", type=float, default=2.0, help="seconds per side and measure before stopping early")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds before a boofun call is killed")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: gf2,nonlinearity,boofun")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--report-only", type=Path, default=None, metavar="JSON",
                    help="rewrite the .md next to an existing results JSON, measuring nothing")
    ap.add_argument("--update", type=Path, default=None, metavar="JSON",
                    help="measure the sections not skipped and replace only them in an existing results JSON "
                         "(the others are kept, each section records its own run), then rewrite its .md")
    args = ap.parse_args(argv)
    if args.report_only is not None:
        write_md(json.loads(args.report_only.read_text()), args.report_only.with_suffix(".md"))
        return 0
    skip = set(filter(None, args.skip.split(",")))
    if args.update is not None and "boofun" not in skip:
        ap.error("--update re-measures sections 1-2 only: add --skip boofun")
    import numba

    doc: dict[str, Any] = {"started": stamp(), "machine": machine(), "load_start": [round(x, 2) for x in os.getloadavg()],
                           "quick": args.quick, "repeats": args.repeats, "budget_s": args.budget,
                           "timeout_s": args.timeout,
                           "versions": {"boolsens": bs.__version__, "numpy": np.__version__, "numba": numba.__version__}}
    print(f"load at start {doc['load_start']} on {doc['machine']['cpu']}", flush=True)
    warm = table(8, seed=1)
    for fn, _, _ in MEASURES.values():  # numba kernels compile or load from the cache here
        fn(warm, 8)
    run = {"boolsens_git": doc["machine"].get("boolsens_git"), "numba": numba.__version__}
    if "gf2" not in skip:
        n = 18 if args.quick else 28
        doc["gf2"] = {"started": stamp()} | section_gf2(n, rounds=3 if args.quick else 5) | {
            "rounds": 3 if args.quick else 5, "finished": stamp()} | run
    if "nonlinearity" not in skip:
        n = 16 if args.quick else 26
        doc["nonlinearity"] = {"started": stamp()} | section_nonlinearity(n, rounds=5 if args.quick else 9) | {
            "rounds": 5 if args.quick else 9, "finished": stamp()} | run
    if args.update is not None:
        old = json.loads(args.update.read_text())
        for key in ("gf2", "nonlinearity"):
            if key in doc:
                old[key] = doc[key] | {"rerun_of_sections_1_2": True}
        args.update.write_text(json.dumps(old, indent=1, default=str) + "\n")
        write_md(old, args.update.with_suffix(".md"))
        print(f"updated {args.update} and {args.update.with_suffix('.md')}")
        return 0
    if "boofun" not in skip:
        peer = Path(args.peer_python) if args.peer_python else next((p for p in PEERS if p.exists()), None)
        if peer is None or not peer.exists():
            doc["boofun_error"] = "no interpreter with boofun (see the docstring)"
        else:
            doc["peer_python"] = str(peer.relative_to(ROOT) if peer.is_relative_to(ROOT) else peer)
            v = subprocess.run([str(peer), "-c", "import warnings; warnings.filterwarnings('ignore'); import boofun, numba\n"
                                "try:\n import pyfwht; v = getattr(pyfwht, '__version__', '?')\n"
                                "except ImportError:\n v = None\n"
                                "print(boofun.__version__, numba.__version__, v)"], capture_output=True, text=True)
            parts = v.stdout.split()
            doc["versions"]["boofun"] = parts[0] if parts else f"unknown ({v.stderr[-200:]})"
            doc["versions"]["boofun's numba"] = parts[1] if len(parts) > 1 else None
            doc["versions"]["boofun's pyfwht"] = parts[2] if len(parts) > 2 else None
            p = Peer(peer, list(MEASURES))
            with tempfile.TemporaryDirectory() as tmp:
                try:
                    doc["boofun"] = section_boofun([8, 10] if args.quick else [10, 14, 18], p, args.repeats,
                                                   args.budget, args.timeout, tmp)
                finally:
                    doc["boofun_warm_s"], doc["boofun_restarts"] = p.warm_s, p.restarts
                    p.stop()
    doc["finished"] = stamp()
    doc["load_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "breadth_quick" if args.quick else "breadth"
    (args.out / f"{stem}.json").write_text(json.dumps(doc, indent=1, default=str) + "\n")
    write_md(doc, args.out / f"{stem}.md")
    print(f"wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
