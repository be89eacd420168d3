"""Benchmarks of issue 17's "which inputs matter" and property testing.

    python bench/bench_testing.py [--peer-python PATH] [--seeds 20]

1. ``bs.estimate.relevant_variables`` on a planted 5-junta (random table on 5 random coordinates,
   depending on all 5) at n = 1,000: found exactly?, queries (search / pairs / all), time.
2. ``bs.testing.linearity`` against boofun 1.3's ``PropertyTester.blr_linearity_test`` at
   n = 16 and 64 on a 3-sparse parity (must accept) and MAJ_9 of the first 9 inputs (must reject),
   both with the same number of BLR rounds (11 = ⌈ln 3 / 0.1⌉: eps = 0.1, delta = 1/3): time per
   run, queries and the fraction of right answers over seeds. boofun runs in its own interpreter
   (``--peer-python``; default the first of ``bench/_peers/boofun-venv/bin/python``,
   ``bench/_peers/venv/bin/python``), on a callable of bit lists.

Writes ``bench/results/testing.json`` and ``.md`` with the machine's load average.
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
sys.path.insert(0, str(HERE.parent))
import boolsens as bs  # noqa: E402

PEERS = (HERE / "_peers" / "boofun-venv" / "bin" / "python", HERE / "_peers" / "venv" / "bin" / "python")
ROUNDS = 11  # ⌈ln 3 / 0.1⌉

WORKER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import boofun as bf
from boofun.analysis import PropertyTester
job = json.load(sys.stdin)
out = []
for n in job["ns"]:
    par = bf.create(lambda x: (x[3] + x[10] + x[n - 1]) % 2, n=n)
    maj = bf.create(lambda x: int(sum(x[:9]) >= 5), n=n)
    for name, f, want in (("parity3", par, True), ("maj9", maj, False)):
        t = time.perf_counter()
        answers = [PropertyTester(f, random_seed=s).blr_linearity_test(num_queries=job["rounds"])
                   for s in range(job["seeds"])]
        dt = (time.perf_counter() - t) / job["seeds"]
        out.append({"n": n, "function": name, "right": sum(a == want for a in answers) / job["seeds"],
                    "seconds_per_run": dt, "queries": 3 * job["rounds"]})
print(json.dumps(out))
"""


def planted(n: int, k: int, seed: int):
    gen = np.random.default_rng(seed)
    while True:
        g = bs.random_function(k, rng=gen)
        if len(bs.relevant_variables(g)) == k:
            break
    coords = np.sort(gen.choice(n, size=k, replace=False))
    table, w = g.signs.astype(np.int8), (1 << np.arange(k)).astype(np.int64)
    return (lambda x: table[((x[:, coords] == -1).astype(np.int64) * w).sum(axis=1)]), tuple(int(c) for c in coords)


def bench_relevant(seeds: int, n: int = 1000, k: int = 5) -> dict:
    rows = []
    for s in range(seeds):
        f, coords = planted(n, k, 1000 + s)
        t = time.perf_counter()
        res = bs.estimate.relevant_variables(f, n, min_influence=2.0 ** (1 - k), influence_samples=0, rng=s)
        rows.append({"exact": res.variables == coords, "queries": res.queries, "search": res.search_queries,
                     "pairs": res.pairs, "tests": res.tests, "seconds": time.perf_counter() - t})
    q = [r["queries"] for r in rows]
    return {"n": n, "k": k, "alpha": 0.05, "min_influence": 2.0 ** (1 - k), "seeds": seeds,
            "found_exactly": sum(r["exact"] for r in rows), "queries_median": float(np.median(q)),
            "queries_max": max(q), "search_queries_max": max(r["search"] for r in rows),
            "k_log2_n": k * math.log2(n), "seconds_median": float(np.median([r["seconds"] for r in rows]))}


def bench_linearity(seeds: int, ns=(16, 64)) -> list[dict]:
    out = []
    for n in ns:
        par = lambda x, n=n: x[:, 3] * x[:, 10] * x[:, n - 1]  # noqa: E731
        maj = lambda x: np.sign(x[:, :9].sum(axis=1, dtype=np.int32))  # noqa: E731
        for name, f, want in (("parity3", par, True), ("maj9", maj, False)):
            t = time.perf_counter()
            res = [bs.testing.linearity(f, n, eps=0.1, rng=s) for s in range(seeds)]
            dt = (time.perf_counter() - t) / seeds
            out.append({"n": n, "function": name, "right": sum(r.accepted == want for r in res) / seeds,
                        "seconds_per_run": dt, "queries": float(np.mean([r.queries for r in res]))})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    peer = args.peer_python or next((str(p) for p in PEERS if p.exists()), None)
    result = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "load_average": os.getloadavg(), "cpus": os.cpu_count(),
              "relevant_variables": bench_relevant(args.seeds), "linearity_boolsens": bench_linearity(args.seeds)}
    if peer:
        job = json.dumps({"ns": [16, 64], "rounds": ROUNDS, "seeds": args.seeds})
        proc = subprocess.run([peer, "-c", WORKER], input=job, capture_output=True, text=True, timeout=600)
        result["linearity_boofun"] = json.loads(proc.stdout) if proc.returncode == 0 else {"error": proc.stderr[-500:]}
    out = HERE / "results" / "testing.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    rv = result["relevant_variables"]
    lines = [f"# Which inputs matter, property testing ({result['date']})", "",
             f"Load average {result['load_average'][0]:.2f} on {result['cpus']} CPUs; {args.seeds} seeds.", "",
             f"## relevant_variables: planted {rv['k']}-junta at n = {rv['n']:,}", "",
             f"Found exactly in {rv['found_exactly']} of {rv['seeds']} seeds; queries median {rv['queries_median']:.0f},"
             f" max {rv['queries_max']} (search at most {rv['search_queries_max']}; k log2 n = {rv['k_log2_n']:.1f});"
             f" median time {rv['seconds_median'] * 1e3:.1f} ms (alpha = 0.05, min_influence = 1/16, no intervals).",
             "", "## BLR linearity, 11 rounds (eps = 0.1, delta = 1/3)", "",
             "| library | n | function | right answers | queries | ms per run |", "|---|---|---|---|---|---|"]
    for lib in ("boolsens", "boofun"):
        for r in result.get(f"linearity_{lib}", []) if isinstance(result.get(f"linearity_{lib}"), list) else []:
            lines.append(f"| {lib} | {r['n']} | {r['function']} | {r['right']:.0%} | {r['queries']:.0f} | "
                         f"{r['seconds_per_run'] * 1e3:.2f} |")
    (HERE / "results" / "testing.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
