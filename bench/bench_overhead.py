"""This checkout against another, call by call: the per-call overhead of the public measures at
small n (where validation and conversion dominate, ``--group overhead``) and the large-n work of
the core benchmark (``--group core``: transforms, influences, sensitivity, spectra, complexity).

Usage (compare two checkouts in one session: the contenders run interleaved, in separate
processes, each round alternating which goes first; run it from outside both checkouts, e.g.
``cd /tmp``, so that neither is on the path through the current folder)::

    python bench/bench_overhead.py --compare /path/to/old/checkout [--group core] [--rounds 5] [--out F.json]
    python bench/bench_overhead.py            # this checkout only

Each measurement is the median over ``--repeats`` timings of a loop of calls (``timeit``), after
one warm-up call (numba compiles or loads its cache there); each process prints JSON; the driver
reports per call the median over rounds with the min–max, and the machine's load average. It
asserts nothing about times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

CORE_CASES = [
    *[(f"fwht({dt} table), n={n}", f"np.random.default_rng({n}).standard_normal(1 << {n}).astype(np.{dt})",
       "bs.fwht(f)") for n in (16, 20, 24) for dt in ("float64", "float32")],
    *[(f"fwht(int8 ±1 table), n={n}", f"bs.random_function({n}, seed=1).signs.copy()", "bs.fwht(f)")
      for n in (16, 20, 24)],
    *[(f"{m}(int8 table), n={n}", f"bs.random_function({n}, seed=1).signs.copy()", f"bs.{m}(f)")
      for n in (20, 24) for m in ("influences", "total_influence", "sensitivity")],
    ("fourier_weights(int8 table), n=22", "bs.random_function(22, seed=1).signs.copy()", "bs.fourier_weights(f)"),
    ("noise_stability(int8 table, 0.5), n=22", "bs.random_function(22, seed=1).signs.copy()",
     "bs.noise_stability(f, 0.5)"),
    ("degree(int8 table), n=22", "bs.random_function(22, seed=1).signs.copy()", "bs.degree(f)"),
    ("pointwise_sensitivity(int8 table), n=22", "bs.random_function(22, seed=1).signs.copy()",
     "bs.pointwise_sensitivity(f)"),
    *[(f"{m}(int8 table), n=12", "bs.random_function(12, seed=1).signs.copy()", f"bs.{m}(f)")
      for m in ("block_sensitivity", "certificate_complexity", "decision_tree_depth")],
    ("random_function, n=24", "24", "bs.random_function(f, seed=3)"),
    ("majority, n=22", "22", "bs.majority(f - 1)"),
]

CASES = [
    # (label, setup expression producing `f`, call)
    ("total_influence(BooleanFunction), n=4", "bs.random_function(4, seed=1)", "bs.total_influence(f)"),
    ("total_influence(int8 table), n=4", "bs.random_function(4, seed=1).signs.copy()", "bs.total_influence(f)"),
    ("influences(int8 table), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.influences(f)"),
    ("sensitivity(int8 table), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.sensitivity(f)"),
    ("fourier_weights(int8 table), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.fourier_weights(f)"),
    ("fourier_weights(float table), n=8", "np.random.default_rng(0).standard_normal(256)", "bs.fourier_weights(f)"),
    ("noise_stability(int8 table, 0.5), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.noise_stability(f, 0.5)"),
    ("noise_stability(BooleanFunction, 0.5), n=8", "bs.random_function(8, seed=1)", "bs.noise_stability(f, 0.5)"),
    ("robustness_bound(int8 table, 0.5), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.robustness_bound(f, 0.5)"),
    ("degree(int8 table), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.degree(f)"),
    ("fwht(int8 table), n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.fwht(f)"),
    ("influences(batch 64 x n=8)", "bs.random_function(14, seed=1).signs.reshape(64, 256).copy()", "bs.influences(f)"),
    ("BooleanFunction.from_signs, n=8", "bs.random_function(8, seed=1).signs.copy()", "bs.BooleanFunction.from_signs(f)"),
]


def worker(repeats: int, group: str = "overhead") -> dict:
    import timeit

    import numpy as np  # noqa: F401

    import boolsens as bs  # noqa: F401

    out = {}
    for label, setup, call in (CORE_CASES if group == "core" else CASES):
        env = {"bs": bs, "np": np}
        env["f"] = eval(setup, env)
        eval(call, env)  # warm-up: numba compiles or loads its cache
        timer = timeit.Timer(call, globals=env)
        number, _ = timer.autorange()
        times = [t / number for t in timer.repeat(repeat=repeats, number=number)]
        out[label] = sorted(times)[len(times) // 2]
    return {"boolsens": bs.__file__, "per_call_s": out}


def _run(checkout: str | None, repeats: int, group: str) -> dict:
    env = dict(os.environ)
    if checkout:
        env["PYTHONPATH"] = checkout + os.pathsep + env.get("PYTHONPATH", "")
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "--repeats", str(repeats), "--group", group]
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", help="another checkout (its root folder) to run against this one")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--group", choices=("overhead", "core"), default="overhead")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help="write the JSON report here")
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.repeats, args.group)))
        return
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    contenders = {"this": here}
    if args.compare:
        contenders["other"] = os.path.abspath(args.compare)
    runs: dict[str, list[dict]] = {k: [] for k in contenders}
    loads = [os.getloadavg()[0]]
    names = list(contenders)
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]
        for name in order:
            runs[name].append(_run(contenders[name], args.repeats, args.group))
        loads.append(os.getloadavg()[0])
    report = {"utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "group": args.group, "contenders": contenders,
              "load_1min_per_round": [round(x, 2) for x in loads], "rounds": args.rounds, "cases": {}}
    print(f"load average (1 min) per round: {report['load_1min_per_round']}")
    head = f"{'case':<48}" + "".join(f"{n + ' median (min-max) us':>34}" for n in names)
    if args.compare:
        head += f"{'other/this':>12}"
    print(head)
    for label, _, _ in (CORE_CASES if args.group == "core" else CASES):
        row, med = {}, {}
        for name in names:
            vals = sorted(run["per_call_s"][label] for run in runs[name])
            med[name] = vals[len(vals) // 2]
            row[name] = {"median_s": med[name], "min_s": vals[0], "max_s": vals[-1]}
        report["cases"][label] = row
        line = f"{label:<48}" + "".join(
            f"{row[n]['median_s'] * 1e6:>14.2f} ({row[n]['min_s'] * 1e6:.2f}-{row[n]['max_s'] * 1e6:.2f})".rjust(34)
            for n in names)
        if args.compare:
            line += f"{med['other'] / med['this']:>11.2f}x"
        print(line)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()
