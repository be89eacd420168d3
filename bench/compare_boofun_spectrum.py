"""bs.estimate.heavy_coefficients and fourier_coefficients against boofun 1.3's goldreich_levin and
lmn_algorithm on the same functions at n = 16 and 64, boofun in its own virtualenv.

    python bench/compare_boofun_spectrum.py [--peer-python PATH] [--timeout 60]

Functions: a planted parity χ_S with |S| = 3 and MAJ of the first n − 1 coordinates. Each boofun
call runs in its own subprocess (killed after ``--timeout`` seconds) that builds the function (a
truth table at n = 16; at n = 64, where no table fits, ``boofun.create`` of a callable), counts
the calls of ``f.evaluate`` (its queries) and times the call. Whether an answer is right: for
Goldreich–Levin, the set of S it returns with |estimate| ≥ the threshold equals the set with
|f̂(S)| ≥ threshold (parity: {S}; MAJ: the n − 1 singletons, |f̂| = C(n−2, (n−2)/2)/2^(n−2), at
with MAJ_{n−1}'s top coefficient, of the same magnitude, at threshold 0.9 × that); for LMN
(ε = 0.1) the largest coefficient learned is S (parity) or the level-1 coefficients are within
0.05 of the exact one (MAJ), and the same for boolsens's fourier_coefficients from 20,000 samples.
Writes ``bench/results/estimate_spectrum_boofun.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
PEERS = (HERE / "_peers" / "boofun-venv" / "bin" / "python", HERE / "_peers" / "venv" / "bin" / "python")

WORKER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import numpy as np
import boofun as bf
from boofun.analysis.learning import goldreich_levin
from boofun.analysis.pac_learning import lmn_algorithm
job = json.load(sys.stdin)
n, S, kind = job["n"], job["S"], job["kind"]
mask = sum(1 << i for i in S)
def value(x):  # x: int index, bit i = coordinate i (True = -1); returns the bit (0/1)
    if kind == "parity":
        return bin(x & mask).count("1") % 2
    ones = bin(x & ((1 << (n - 1)) - 1)).count("1")
    return int(ones > (n - 1) // 2)
if n <= 20:
    f = bf.create([value(x) for x in range(1 << n)])
else:
    f = bf.create(lambda bits: value(sum(int(b) << i for i, b in enumerate(bits))), n=n)
count = [0]
inner = f.evaluate
def counted(*a, **k):
    count[0] += 1
    return inner(*a, **k)
f.evaluate = counted
rng = np.random.default_rng(job["seed"])
t = time.perf_counter()
if job["algo"] == "goldreich_levin":
    out = [[int(s), float(v)] for s, v in goldreich_levin(f, threshold=job["threshold"], rng=rng)]
else:
    out = [[int(s), float(v)] for s, v in lmn_algorithm(f, epsilon=0.1, delta=0.05, rng=rng).items()]
json.dump({"version": bf.__version__, "time_s": time.perf_counter() - t, "queries": count[0], "out": out},
          sys.stdout)
"""


def maj_level1(n):
    return math.comb(n - 2, (n - 2) // 2) / 2 ** (n - 2)


def main() -> None:
    import boolsens as bs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args()
    peer = Path(args.peer_python) if args.peer_python else next((p for p in PEERS if p.exists()), None)
    if peer is None or not peer.exists():
        sys.exit("no peer interpreter with boofun: run bench/setup_peers.sh or pass --peer-python")
    rows, version = [], None
    for n in (16, 64):
        S = [2, 7, 11]
        for kind in ("parity", "maj"):
            if kind == "parity":
                heavy_true, tau = {tuple(S)}, 0.5
            else:
                # MAJ_{n-1}'s top coefficient has the magnitude of its level-1 ones
                heavy_true, tau = {(i,) for i in range(n - 1)} | {tuple(range(n - 1))}, 0.9 * maj_level1(n)

            def fn(x, kind=kind):
                if kind == "parity":
                    return np.prod(x[:, S], axis=1)
                return np.sign(x[:, :n - 1].sum(axis=1, dtype=np.int32))

            # boolsens
            row = {"n": n, "function": kind, "library": "boolsens", "algorithm": "heavy_coefficients", "threshold": tau}
            t = time.perf_counter()
            try:
                h = bs.estimate.heavy_coefficients(fn, n, threshold=tau, delta=0.05, rng=0)
                row.update(time_s=time.perf_counter() - t, queries=h.queries, right=set(h.subsets) == heavy_true,
                           found=len(h.subsets))
            except bs.BoolsensError as exc:  # 1/τ⁴ samples per level: too many for this machine's memory
                row.update(time_s=None, queries=None, right=None,
                           note=f"m = {bs.estimate.heavy_samples(n, tau, 0.05):,} samples per level; {exc}"[:200])
            rows.append(row)
            t = time.perf_counter()
            if kind == "parity":
                subsets = [tuple(S)] + [(i,) for i in range(n)]
                c = bs.estimate.fourier_coefficients(fn, n, subsets=subsets, samples=20_000, rng=0)
                right = bool(abs(c.value[0] - 1) < 0.05 and np.abs(c.value[1:]).max() < 0.05)
                what = "fourier_coefficients(subsets=S and the singletons, samples=20000)"
            else:
                c = bs.estimate.fourier_coefficients(fn, n, max_degree=1, samples=20_000, rng=0)
                right = bool(np.abs(np.asarray(c.value[1:n]) - maj_level1(n)).max() < 0.05)
                what = "fourier_coefficients(max_degree=1, samples=20000)"
            rows.append({"n": n, "function": kind, "library": "boolsens", "algorithm": what,
                         "time_s": time.perf_counter() - t, "queries": c.evaluations, "right": right})
            # boofun
            for algo in ("goldreich_levin", "lmn_algorithm"):
                job = {"n": n, "S": S, "kind": kind, "algo": algo, "threshold": tau, "seed": 0}
                row = {"n": n, "function": kind, "library": "boofun", "algorithm": algo, "threshold": tau}
                t = time.perf_counter()
                try:
                    res = subprocess.run([str(peer), "-c", WORKER], input=json.dumps(job), capture_output=True,
                                         text=True, timeout=args.timeout, env={**os.environ, "PYTHONPATH": ""})
                except subprocess.TimeoutExpired:
                    row.update(time_s=None, queries=None, right=None, note=f"killed after {args.timeout:g} s")
                    rows.append(row)
                    continue
                if res.returncode != 0:
                    last = (res.stderr.strip().splitlines() or ["?"])[-1]
                    row.update(time_s=time.perf_counter() - t, queries=None, right=None, note=f"failed: {last[:200]}")
                    rows.append(row)
                    continue
                out = json.loads(res.stdout)
                version = out["version"]
                found = {tuple(i for i in range(n) if m >> i & 1) for m, v in out["out"] if abs(v) >= tau}
                if algo == "goldreich_levin":
                    right = found == heavy_true
                elif kind == "parity":
                    best = max(out["out"], key=lambda mv: abs(mv[1]))[0] if out["out"] else -1
                    right = best == sum(1 << i for i in S)
                else:
                    coef = dict(out["out"])
                    right = all(abs(coef.get(1 << i, 0.0) - maj_level1(n)) < 0.05 for i in range(n - 1))
                row.update(time_s=out["time_s"], queries=out["queries"], right=right, found=len(found))
                rows.append(row)
            print(rows[-4:], flush=True)
    if version is None:
        version = subprocess.run([str(peer), "-W", "ignore", "-c", "import boofun; print(boofun.__version__)"],
                                 capture_output=True, text=True, env={**os.environ, "PYTHONPATH": ""}).stdout.strip()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    doc = {"date": stamp, "boofun": version, "load": os.getloadavg(), "timeout_s": args.timeout, "rows": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "estimate_spectrum_boofun.json").write_text(json.dumps(doc, indent=1) + "\n")

    def fmt(v, spec):
        return "—" if v is None else format(v, spec)

    lines = ["# Learning the spectrum: boolsens against boofun", "",
             f"{stamp}; boofun {version} in its own virtualenv (each call a subprocess, killed after "
             f"{args.timeout:g} s); load average {doc['load'][0]:.2f} (2 shared CPUs). Functions: χ_{{2,7,11}} and "
             "MAJ of the first n − 1 coordinates. Generated by `python bench/compare_boofun_spectrum.py`.", "",
             "| n | function | library | algorithm | time (s) | queries | right | note |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['n']} | {r['function']} | {r['library']} | {r['algorithm']} | {fmt(r['time_s'], '.2f')} | "
                     f"{fmt(r['queries'], ',')} | {r['right']} | {r.get('note', '')} |")
    (HERE / "results" / "estimate_spectrum_boofun.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
