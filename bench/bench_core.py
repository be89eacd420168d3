#!/usr/bin/env python
"""Speed of the boolsens core against its peers, side by side, in one run.

Run it with the peers' interpreter (see bench/README.md)::

    bash bench/setup_peers.sh                       # once: peers into bench/_peers/venv
    bench/_peers/venv/bin/python bench/bench_core.py            # full run, ~10 min
    bench/_peers/venv/bin/python bench/bench_core.py --quick    # small n, ~1 min, a smoke run

It writes ``bench/results/core.json`` (every timing, machine info, load, versions, errors of
peers) and ``bench/results/core.md`` (readable tables). The benchmark measures; it asserts
nothing about times. A peer that cannot be imported or fails is recorded with the reason and the
run goes on. Each timing is the median of several repeats after one warm-up call (numba kernels
are compiled or loaded from the cache there); the machine is shared, so the 1-minute load average
is recorded before and after every section.

Sections
--------
* ``fwht``: boolsens.fwht vs FFHT, pyfwht (CPU backend), Sage, boofun (dense) and a numpy
  reshape butterfly, for float64, float32 and exact integers (±1 int8 input), n = 16 … 26.
* ``measures``: influences, total influence, max sensitivity of a random function vs boofun
  (dense), fbool (with its error vs the exact value), the Hahn & Rofin 2^n x 2^n parity-matrix
  approach (n <= 12) and a straightforward numpy loop.
* ``targets``: the issue's targets, each in a fresh subprocess so that its peak memory (max RSS)
  is its own: exact influences + total influence + pointwise and max sensitivity at n = 28 and
  n = 32, Fourier weights + noise stability + degree at n = 26.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path
from statistics import median
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import boolsens as bs  # noqa: E402
try:  # the transform kernel: boolsens._kernels.walsh (older versions: the module boolsens._kernels)
    from boolsens._kernels import walsh as _kernels  # noqa: E402
except ImportError:  # pragma: no cover - a checkout from before the layered layout
    from boolsens import _kernels  # noqa: E402


# ----------------------------------------------------------------------------- helpers
def load() -> float:
    return round(os.getloadavg()[0], 2)


def measure_all(contenders: list[tuple], *, repeats: int, budget_s: float) -> dict:
    """Time several implementations of one task, interleaved round-robin (order rotated every
    round) so that they see the same (shared, fluctuating) machine load.

    ``contenders``: (name, fn, check, error, note). Each gets one warm-up call (numba kernels
    compile or load from the cache there; its time is kept as ``first_call_s``), then up to
    ``repeats`` timed calls; one whose calls add up to more than ``budget_s`` stops early (after
    at least one). ``check(value)`` -> matches the exact result; ``error(value)`` -> its largest
    absolute error. A contender that raises is recorded with the error and dropped."""
    out: dict[str, dict] = {}
    live = []
    for name, fn, check, error, note in contenders:
        rec: dict[str, Any] = {}
        if note:
            rec["note"] = note
        try:
            t = time.perf_counter()
            value = fn()
            rec["first_call_s"] = time.perf_counter() - t
            if check is not None:
                rec["matches_exact"] = bool(check(value))
            if error is not None:
                rec["abs_error_vs_exact"] = float(error(value))
            del value
            rec["repeats_s"] = []
            live.append((name, fn))
        except Exception as exc:  # a peer failing on this input: record and go on
            rec["error"] = f"{type(exc).__name__}: {exc}"
        out[name] = rec
    for r in range(repeats):
        # rotate the order every round: whoever runs right after a cache-polluting peer (Sage
        # builds a Python list per call) changes from round to round
        shift = r % len(live) if live else 0
        for name, fn in live[shift:] + live[:shift]:
            times = out[name]["repeats_s"]
            if times and sum(times) > budget_s:
                continue
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    for name, _ in live:
        times = out[name]["repeats_s"]
        out[name]["median_s"] = median(times)
        out[name]["min_s"] = min(times)
    return out


def try_import(name: str):
    try:
        mod = __import__(name, fromlist=["_"])
        return mod, None
    except Exception as exc:  # a peer that is missing or broken: record why
        return None, f"{type(exc).__name__}: {exc}"


def version_of(dist: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(dist)
    except Exception:
        return None


def numpy_butterfly(a: np.ndarray) -> np.ndarray:
    """Plain numpy WHT: n reshape/stack passes (the baseline a researcher would write)."""
    x = a.copy()
    N = x.shape[-1]
    h = 1
    while h < N:
        v = x.reshape(-1, 2, h)
        x = np.stack((v[:, 0] + v[:, 1], v[:, 0] - v[:, 1]), axis=1).reshape(-1)
        h *= 2
    return x


def machine_info() -> dict:
    info = {
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "executable": sys.executable,
        "cpu_count": os.cpu_count(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith(("MemTotal", "MemAvailable")):
                    k, v = line.split(":")
                    info[k] = v.strip()
    except OSError:
        pass
    try:
        info["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    try:
        info["boolsens_git"] = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "boolsens"],
                               capture_output=True, text=True).stdout.strip()
        info["boolsens_dirty"] = bool(dirty)
    except OSError:
        pass
    return info


def versions() -> dict:
    import numba

    out = {"boolsens": bs.__version__, "numpy": np.__version__, "numba": numba.__version__}
    for dist in ("ffht-unofficial", "pyfwht", "passagemath-modules", "boofun", "fbool", "torch"):
        out[dist] = version_of(dist)
    return out


# -------------------------------------------------------------------------------- fwht
def bench_fwht(ns: list[int], repeats: int, peers: dict, errors: dict) -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    ffht = peers.get("ffht")
    pyfwht = peers.get("pyfwht")
    sage_bf = peers.get("sage")
    boofun = peers.get("boofun")
    for n in ns:
        signs = bs.random_function(n, rng=rng).signs  # ±1 int8
        exact = bs.fwht(signs)
        f64 = signs.astype(np.float64)
        for kind in ("float64", "float32", "int (±1 int8 in, exact)"):
            row: dict[str, Any] = {"n": n, "dtype": kind, "load_before": load()}
            budget = 1.0 if n <= 22 else 4.0
            cont: list[tuple] = []

            def add(name, fn, *, check=None, note=None):
                cont.append((name, fn, check, None, note))

            same = lambda v: np.array_equal(v, exact)  # noqa: E731
            if kind == "float64":
                a = f64
                add("boolsens.fwht", lambda: bs.fwht(a), check=same, note="allocates its output (API)")
                buf = a.copy()
                add("boolsens kernel in place", lambda: _kernels.fwht_inplace(buf.reshape(1, -1)),
                    note="same kernel, in place on a reused buffer (like ffht.fht_)")
                if ffht is not None:
                    add("FFHT fht", lambda: ffht.fht(a), check=same, note="allocates its output")
                    fbuf = a.copy()
                    add("FFHT fht_ in place", lambda: ffht.fht_(fbuf), note="in place on a reused buffer")
                if pyfwht is not None:
                    add("pyfwht (cpu)", lambda: pyfwht.fwht(a, backend="cpu"), check=same,
                        note="allocates (copies the input)")
                if n <= 24:
                    add("numpy butterfly", lambda: numpy_butterfly(a), check=same)
                if boofun is not None and n <= 22:
                    g = boofun.create((signs == -1).astype(np.uint8), storage="dense")
                    add("boofun fourier (dense)", lambda: np.asarray(g.fourier(force_recompute=True)),
                        check=lambda v: np.allclose(v * (1 << n), exact),
                        note="normalised f-hat = fwht / 2**n; includes its own conversions")
            elif kind == "float32":
                a = signs.astype(np.float32)
                add("boolsens.fwht", lambda: bs.fwht(a), check=same)
                buf = a.copy()
                add("boolsens kernel in place", lambda: _kernels.fwht_inplace(buf.reshape(1, -1)))
                if ffht is not None:
                    add("FFHT fht", lambda: ffht.fht(a), check=same)
                    fbuf = a.copy()
                    add("FFHT fht_ in place", lambda: ffht.fht_(fbuf))
                if pyfwht is not None:
                    add("pyfwht (cpu)", lambda: pyfwht.fwht(a, backend="cpu"), check=same)
                if n <= 24:
                    add("numpy butterfly", lambda: numpy_butterfly(a), check=same)
            else:
                add("boolsens.fwht", lambda: bs.fwht(signs), check=same,
                    note="int8 in, int64 out: widening fused, exact")
                i64 = signs.astype(np.int64)
                add("boolsens.fwht (int64 in)", lambda: bs.fwht(i64), check=same)
                i32 = signs.astype(np.int32)
                add("boolsens.fwht (int32 in)", lambda: bs.fwht(i32), check=same, note="int32 in and out")
                if pyfwht is not None:
                    add("pyfwht (cpu) int32", lambda: pyfwht.fwht(i32, backend="cpu"), check=same,
                        note="int32 in and out")
                    add("pyfwht (cpu) int8", lambda: pyfwht.fwht(signs, backend="cpu"), check=same,
                        note="int8 in and out: overflows silently for n >= 7 (see matches_exact)")
                if n <= 24:
                    add("numpy butterfly int64", lambda: numpy_butterfly(i64), check=same)
                if sage_bf is not None and n <= 20:
                    table = (signs == -1).tolist()

                    def sage_wht():
                        # a fresh object each call: Sage caches the spectrum on the function
                        return sage_bf(table).walsh_hadamard_transform()

                    t = time.perf_counter()
                    sage_bf(table)
                    construct = time.perf_counter() - t
                    add("Sage walsh_hadamard_transform", sage_wht,
                        check=lambda v: np.array_equal(np.asarray(v, dtype=np.int64), exact),
                        note=f"includes building the BooleanFunction from a list ({construct * 1e3:.1f} ms alone)")
            res = row["results"] = measure_all(cont, repeats=repeats, budget_s=budget)
            ref = res.get("boolsens.fwht", {}).get("median_s")
            for name, r in res.items():
                if ref and "median_s" in r:
                    r["ratio_to_boolsens"] = r["median_s"] / ref
            row["load_after"] = load()
            rows.append(row)
            print(f"fwht n={n} {kind}: " + ", ".join(
                f"{k} {v['median_s'] * 1e3:.2f} ms" if "median_s" in v else f"{k} ERROR"
                for k, v in res.items()), flush=True)
    return rows


# ---------------------------------------------------------------------------- measures
def hahn_rofin_influences(signs: np.ndarray, n: int) -> tuple[np.ndarray, float]:
    """Their approach: the full 2^n x 2^n parity matrix, f-hat = M f / 2^n, then spectral sums."""
    N = 1 << n
    idx = np.arange(N)
    pc = np.zeros((N, N), dtype=np.int64)
    for i in range(n):
        pc += np.outer((idx >> i) & 1, (idx >> i) & 1)
    M = np.where(pc % 2 == 0, 1.0, -1.0)
    fhat = M @ signs.astype(np.float64) / N
    sq = fhat**2
    inf = np.array([sq[(idx >> i) & 1 == 1].sum() for i in range(n)])
    return inf, float(inf.sum())


def numpy_loop_measures(signs: np.ndarray, n: int) -> tuple[np.ndarray, float, int]:
    """Straightforward numpy: one pass per coordinate, s(f, x) as an int array."""
    N = 1 << n
    idx = np.arange(N)
    s = np.zeros(N, dtype=np.int64)
    inf = np.empty(n)
    for i in range(n):
        d = signs != signs[idx ^ (1 << i)]
        inf[i] = d.mean()
        s += d
    return inf, float(inf.sum()), int(s.max())


def bench_measures(ns: list[int], repeats: int, peers: dict) -> list[dict]:
    rows = []
    rng = np.random.default_rng(1)
    boofun = peers.get("boofun")
    fbool = peers.get("fbool")
    for n in ns:
        f = bs.random_function(n, rng=rng)
        signs = np.array(f.signs)  # writable plain array: packed on every call
        exact_inf = bs.influences(f, exact=True)
        exact_I = bs.total_influence(f, exact=True)
        exact_s = bs.sensitivity(f)
        row: dict[str, Any] = {"n": n, "load_before": load(),
                               "exact": {"total_influence": str(exact_I), "sensitivity": int(exact_s)}}
        budget = 1.0 if n <= 20 else 5.0
        cont: list[tuple] = []

        def add(name, measure, fn, check=None, error=None, note=None):
            cont.append((f"{measure} | {name}", fn, check, error, note))

        exact_inf_f = np.array([float(x) for x in exact_inf])
        exact_I_f = float(exact_I)
        same_inf = lambda v: np.array_equal(np.asarray(v, dtype=np.float64), exact_inf_f)  # noqa: E731
        err_inf = lambda v: np.abs(np.asarray(v, dtype=np.float64) - exact_inf_f).max()  # noqa: E731

        add("boolsens", "influences", lambda: bs.influences(signs), same_inf, err_inf,
            note="int8 table in: packs it on every call")
        add("boolsens", "total_influence", lambda: bs.total_influence(signs),
            lambda v: v == exact_I_f, lambda v: abs(v - exact_I_f))
        add("boolsens", "sensitivity", lambda: bs.sensitivity(signs), lambda v: v == exact_s)
        add("boolsens (BooleanFunction: packed table and edge counts cached)", "influences",
            lambda: bs.influences(f), same_inf)
        if n <= 16:
            add("numpy loop", "influences+total+max sensitivity", lambda: numpy_loop_measures(signs, n),
                lambda v: np.array_equal(v[0], exact_inf_f) and v[2] == exact_s)
        if n <= 12:
            add("Hahn & Rofin parity matrix", "influences+total (spectral)",
                lambda: hahn_rofin_influences(signs, n), None, lambda v: np.abs(v[0] - exact_inf_f).max(),
                note="builds the 2^n x 2^n matrix each call (float64)")
        if boofun is not None and n <= 24:
            g = boofun.create((signs == -1).astype(np.uint8), storage="dense")
            add("boofun (dense)", "influences", lambda: np.asarray(g.influences(force_recompute=True)),
                same_inf, err_inf)
            add("boofun (dense)", "total_influence", lambda: float(g.total_influence()),
                None, lambda v: abs(v - exact_I_f), note="may reuse its cached influences")
            if n <= 14:
                add("boofun (dense)", "sensitivity", lambda: int(g.sensitivity()), lambda v: v == exact_s,
                    note="a Python loop over points")
        if fbool is not None and n <= 24:
            t = time.perf_counter()
            h = fbool.FBool((signs == -1).tolist())
            build = time.perf_counter() - t
            note = f"fbool maps True -> +1 (influences are sign-invariant); building its object took {build:.2f} s"
            add("fbool", "influences", lambda: [h.influence(i) for i in range(n)], same_inf, err_inf, note=note)
            add("fbool", "total_influence", lambda: h.total_influence(),
                lambda v: v == exact_I_f, lambda v: abs(v - exact_I_f), note=note)
            add("fbool", "sensitivity", lambda: h.max_sensitivity(), lambda v: v == exact_s, note=note)
        res = row["results"] = measure_all(cont, repeats=repeats, budget_s=budget)
        # ratio to boolsens doing the same work: the sum of its parts for combined entries
        parts = {"influences+total+max sensitivity": ("influences", "total_influence", "sensitivity"),
                 "influences+total (spectral)": ("influences", "total_influence")}
        for key, r in res.items():
            measure = key.split(" | ")[0]
            refs = [res.get(f"{m} | boolsens", {}).get("median_s") for m in parts.get(measure, (measure,))]
            if "median_s" in r and all(refs):
                r["ratio_to_boolsens"] = r["median_s"] / sum(refs)
        row["load_after"] = load()
        rows.append(row)
        print(f"measures n={n}: " + ", ".join(
            f"{k} {v['median_s'] * 1e3:.2f} ms" if "median_s" in v else f"{k} ERROR" for k, v in res.items()),
            flush=True)
    return rows


# ----------------------------------------------------------------------------- targets
TARGET_CODE = r"""
import json, sys, time
import numpy as np
def hwm_mib():
    # peak resident set of this process image (VmHWM; ru_maxrss would include the parent's
    # memory at fork time on Linux)
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")
sys.path.insert(0, {root!r})
import boolsens as bs
which, n = {which!r}, {n}
warm = bs.random_function(8, seed=1)
for fn in (bs.influences, bs.total_influence, bs.sensitivity, bs.pointwise_sensitivity,
           bs.fourier_weights, bs.degree):
    fn(warm)
bs.noise_stability(warm, np.array([0.1, 0.5, 0.9]))
out = {{"n": n, "which": which, "times_s": {{}}, "values": {{}},
        "rss_after_imports_mib": hwm_mib()}}
t = time.perf_counter()
f = bs.random_function(n, seed=0)
out["random_function_s"] = time.perf_counter() - t
def run(name, fn):
    t = time.perf_counter()
    v = fn()
    out["times_s"][name] = time.perf_counter() - t
    return v
if which == "boolean":
    inf = run("influences (exact counts, first call packs the table)", lambda: bs.influences(f))
    out["values"]["max influence"] = float(inf.max())
    out["values"]["total_influence"] = float(run("total_influence", lambda: bs.total_influence(f)))
    out["values"]["sensitivity"] = int(run("sensitivity (max)", lambda: bs.sensitivity(f)))
    out["values"]["average_sensitivity"] = float(run("average_sensitivity", lambda: bs.average_sensitivity(f)))
    pw = run("pointwise_sensitivity", lambda: bs.pointwise_sensitivity(f))
    out["values"]["pointwise max"] = int(pw.max())
    del pw
    # not in the total: the same call again, its 2**n-byte output now lands on memory this
    # process has touched before (first touches are slow on this virtual machine)
    t = time.perf_counter()
    pw = bs.pointwise_sensitivity(f)
    out["again_s"] = {{"pointwise_sensitivity (2nd call)": time.perf_counter() - t}}
    del pw
else:
    w = run("fourier_weights (transform + level sums)", lambda: bs.fourier_weights(f))
    out["values"]["W^1"] = float(w[1])
    st = run("noise_stability (3 rho, spectrum cached)", lambda: bs.noise_stability(f, np.array([0.1, 0.5, 0.9])))
    out["values"]["Stab_0.5"] = float(st[1])
    out["values"]["degree"] = int(run("degree", lambda: bs.degree(f)))
out["total_s"] = sum(out["times_s"].values())
out["peak_rss_mib"] = hwm_mib()
print("RESULT" + json.dumps(out))
"""


def run_target(which: str, n: int, timeout_s: int) -> dict:
    code = TARGET_CODE.format(root=str(ROOT), which=which, n=n)
    before = load()
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"n": n, "which": which, "error": f"timed out after {timeout_s} s", "load_before": before}
    for line in p.stdout.splitlines():
        if line.startswith("RESULT"):
            out = json.loads(line[6:])
            out["load_before"] = before
            out["load_after"] = load()
            print(f"target {which} n={n}: total {out['total_s']:.2f} s, peak RSS {out['peak_rss_mib']:.0f} MiB "
                  f"({', '.join(f'{k} {v:.3f}' for k, v in out['times_s'].items())})", flush=True)
            return out
    return {"n": n, "which": which, "error": (p.stderr or p.stdout)[-2000:], "load_before": before}


# ------------------------------------------------------------------------------ report
def fmt_ms(r: dict) -> str:
    if "error" in r:
        return "error"
    s = f"{r['median_s'] * 1e3:.3g} ms" if r["median_s"] < 1 else f"{r['median_s']:.3g} s"
    if "ratio_to_boolsens" in r and abs(r["ratio_to_boolsens"] - 1) > 1e-12:
        s += f" ({r['ratio_to_boolsens']:.2g}x)"
    if r.get("matches_exact") is False:
        s += " WRONG"
    if "abs_error_vs_exact" in r and r["abs_error_vs_exact"] > 0:
        s += f" err {r['abs_error_vs_exact']:.3g}"
    return s


def write_markdown(report: dict, path: Path) -> None:
    L = []
    m = report["machine"]
    L.append("# boolsens core benchmark\n")
    L.append(f"Run {report['started_utc']} – {report['finished_utc']} UTC on {m.get('cpu')} "
             f"({m.get('cpu_count')} cores shared with other users, {m.get('MemTotal')}); "
             f"`uptime` at start: `{m.get('uptime')}`; at end: `{report.get('uptime_end')}`. "
             f"boolsens {m.get('boolsens_git')}{' (dirty)' if m.get('boolsens_dirty') else ''}.\n")
    L.append("Median of repeats after one warm-up call, implementations interleaved round-robin "
             "with the order rotated every round. "
             "`(k x)`: time / boolsens time for the same work (k > 1: boolsens is faster; for combined "
             "entries the sum of boolsens's parts). `WRONG`: result differs from the exact transform/measure; `err`: largest "
             "absolute error vs the exact value. Load = 1-minute load average before/after the row.\n")
    L.append("Versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()) + "\n")
    if report["peer_errors"]:
        L.append("Peers unavailable: " + "; ".join(f"{k}: {v}" for k, v in report["peer_errors"].items()) + "\n")
    L.append("## Walsh–Hadamard transform\n")
    for kind in ("float64", "float32", "int (±1 int8 in, exact)"):
        rows = [r for r in report["fwht"] if r["dtype"] == kind]
        if not rows:
            continue
        names = []
        for r in rows:
            for k in r["results"]:
                if k not in names:
                    names.append(k)
        L.append(f"### {kind}\n")
        L.append("| n | load | " + " | ".join(names) + " |")
        L.append("|---|---|" + "---|" * len(names))
        for r in rows:
            cells = [fmt_ms(r["results"][k]) if k in r["results"] else "–" for k in names]
            L.append(f"| {r['n']} | {r['load_before']}/{r['load_after']} | " + " | ".join(cells) + " |")
        L.append("")
        notes = {}
        for r in rows:
            for k, v in r["results"].items():
                if "note" in v:
                    notes[k] = v["note"]  # the last row's (Sage's construction time varies with n)
        for k, v in notes.items():
            L.append(f"- {k}: {v}")
        L.append("")
    L.append("Allocating calls (`boolsens.fwht`, `FFHT fht`, `pyfwht`) pay for fresh output pages on "
             "every call; on this virtual machine that cost is large and erratic, so compare kernels "
             "with the in-place columns.\n")
    L.append("## Influences, total influence, max sensitivity (random function)\n")
    names = []
    for r in report["measures"]:
        for k in r["results"]:
            if k not in names:
                names.append(k)
    L.append("| measure: implementation | " + " | ".join(f"n={r['n']}" for r in report["measures"]) + " |")
    L.append("|---|" + "---|" * len(report["measures"]))
    for k in names:
        cells = [fmt_ms(r["results"][k]) if k in r["results"] else "–" for r in report["measures"]]
        L.append(f"| {k.replace(' | ', ': ')} | " + " | ".join(cells) + " |")
    L.append("| load before/after | " + " | ".join(f"{r['load_before']}/{r['load_after']}" for r in report["measures"]) + " |")
    L.append("")
    notes = {}
    for r in report["measures"]:
        for k, v in r["results"].items():
            if "note" in v:
                notes.setdefault(k, v["note"])
    for k, v in notes.items():
        L.append(f"- {k.replace(' | ', ': ')}: {v}")
    L.append("")
    L.append("## Targets (each in a fresh process; peak RSS of that process)\n")
    L.append("Peak RSS (VmHWM of the process) includes the interpreter, numpy, numba and the "
             "loaded kernels: " + ", ".join(f"n={t['n']} {t['rss_after_imports_mib']:.0f} MiB"
                                            for t in report["targets"] if "rss_after_imports_mib" in t)
             + " after imports and warm-up.\n")
    L.append("| target | n | total | steps | peak RSS | values | load |")
    L.append("|---|---|---|---|---|---|---|")
    for t in report["targets"]:
        if "error" in t:
            L.append(f"| {t['which']} | {t['n']} | error | {t['error'][-300:]!r} | | | {t.get('load_before')} |")
            continue
        steps = "; ".join(f"{k} {v:.3f} s" for k, v in t["times_s"].items())
        steps += "".join(f"; [{k}: {v:.3f} s, not in the total]" for k, v in t.get("again_s", {}).items())
        vals = ", ".join(f"{k}={v}" for k, v in t["values"].items())
        L.append(f"| {t['which']} | {t['n']} | {t['total_s']:.2f} s | {steps} | {t['peak_rss_mib']:.0f} MiB | "
                 f"{vals} | {t['load_before']}/{t['load_after']} |")
    L.append("\n(random_function itself, not in the totals: " + ", ".join(
        f"n={t['n']} {t['random_function_s']:.2f} s" for t in report["targets"] if "random_function_s" in t) + ")\n")
    path.write_text("\n".join(L) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small n only (a smoke run)")
    ap.add_argument("--repeats", type=int, default=None, help="timed repeats per entry (default 7, quick 3)")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="output folder")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: fwht,measures,targets")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    repeats = args.repeats or (3 if args.quick else 7)
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    peers, peer_errors = {}, {}
    for key, mod in (("ffht", "ffht"), ("pyfwht", "pyfwht"), ("boofun", "boofun"), ("fbool", "fbool")):
        peers[key], err = try_import(mod)
        if err:
            peer_errors[key] = err
    sage_mod, err = try_import("sage.crypto.boolean_function")
    peers["sage"] = getattr(sage_mod, "BooleanFunction", None) if sage_mod else None
    if err:
        peer_errors["sage"] = err
    log = HERE / "_peers" / "install_log.json"
    if log.exists():
        for k, v in json.loads(log.read_text()).items():
            if v.get("status") != "ok":
                peer_errors[f"install {k}"] = v.get("log_tail", "")[-500:]
    report: dict[str, Any] = {"started_utc": started, "machine": machine_info(), "versions": versions(),
                              "peer_errors": peer_errors, "repeats": repeats, "quick": args.quick,
                              "fwht": [], "measures": [], "targets": []}
    print(f"load at start: {report['machine'].get('uptime')}", flush=True)
    if "fwht" not in skip:
        ns = [10, 14, 16] if args.quick else [16, 18, 20, 22, 24, 26]
        report["fwht"] = bench_fwht(ns, repeats, peers, peer_errors)
    if "measures" not in skip:
        ns = [8, 12] if args.quick else [12, 16, 20, 24]
        report["measures"] = bench_measures(ns, repeats, peers)
    if "targets" not in skip:
        plan = [("boolean", 20), ("spectral", 18)] if args.quick else [("boolean", 28), ("spectral", 26), ("boolean", 32)]
        for which, n in plan:
            report["targets"].append(run_target(which, n, timeout_s=600))
    report["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    report["uptime_end"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "core_quick" if args.quick else "core"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=1, default=str))
    write_markdown(report, args.out / f"{stem}.md")
    print(f"wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        traceback.print_exc()
        sys.exit(1)
