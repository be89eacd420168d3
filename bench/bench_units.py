"""Wall time of one grid of units under the backends: in-process (``--jobs 1``), the local process
pool (``--jobs 2``) and a local Ray instance (``--backend ray --jobs 2``), contenders interleaved
round by round, each run into a fresh folder, and the records compared (they must be identical).

    python bench/bench_units.py [--rounds 3] [--experiment length-scaling] [--set FIELD=VALUE ...]

The default grid is length-scaling's smoke preset widened to 8 units (2 tasks × 4 lengths, one
seed) with 3000 training steps each, so a unit takes about 5 s and the pool's start-up
(spawning workers that import torch, a few seconds) is part of what is measured, as it is for a
user. With 300 steps (units of about 0.6 s) start-up dominates and ``--jobs 2`` gains nothing
(measured: 10.6 s against 10.5 s). Writes
``bench/results/units.json`` and ``units.md``; asserts nothing about times.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

DEFAULT_SETS = ["ns=3,4,5,6", "train.steps=3000", "train.log_every=500", "train.checkpoint_every=1000"]


def _run(experiment: str, sets: list[str], extra: list[str], out: Path) -> float:
    cmd = [sys.executable, "-m", "boolsens_cli", "experiment", experiment, "--preset", "smoke", "--out", str(out),
           "--quiet"] + [a for s in sets for a in ("--set", s)] + extra
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "BOOLSENS_PROGRESS": "0"})
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(extra)} failed: {res.stderr[-1500:]}")
    return wall


def _records(folder: Path) -> dict:
    out = {}
    for f in sorted((folder / "units").glob("*.json")):
        rec = json.loads(f.read_text())["record"]
        rec = {k: v for k, v in rec.items() if "seconds" not in k}
        out[f.name] = rec
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--experiment", default="length-scaling")
    ap.add_argument("--set", action="append", default=None, help="override the default grid settings")
    args = ap.parse_args()
    sets = args.set if args.set is not None else DEFAULT_SETS
    contenders = {"in-process, --jobs 1": ["--jobs", "1"], "local pool, --jobs 2": ["--jobs", "2"]}
    try:
        import ray  # noqa: F401

        contenders["Ray (local instance), --jobs 2"] = ["--backend", "ray", "--jobs", "2"]
    except ImportError:
        pass
    times: dict[str, list[float]] = {k: [] for k in contenders}
    records: dict[str, dict] = {}
    loads = [os.getloadavg()[0]]
    names = list(contenders)
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # rotate who goes first
        for name in order:
            folder = Path(tempfile.mkdtemp(prefix="bench-units-"))
            try:
                times[name].append(_run(args.experiment, sets, contenders[name], folder))
                records[name] = _records(folder)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        loads.append(os.getloadavg()[0])
        print(f"round {r + 1}: " + ", ".join(f"{k} {times[k][-1]:.1f}s" for k in names), flush=True)
    identical = all(records[k] == records[names[0]] for k in names)
    units = len(records[names[0]])
    med = {k: sorted(v)[len(v) // 2] for k, v in times.items()}
    base = med[names[0]]
    report = {"utc": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "experiment": args.experiment,
              "sets": sets, "units": units, "cpus": os.cpu_count(), "load_1min_per_round": [round(x, 2) for x in loads],
              "seconds": times, "median_s": med, "records_identical": identical}
    out = ROOT / "bench" / "results"
    (out / "units.json").write_text(json.dumps(report, indent=1) + "\n")
    lines = ["# Units under the backends", "",
             f"{report['utc']}; {args.experiment} smoke preset with `--set {' --set '.join(sets)}`: {units} units; "
             f"{os.cpu_count()} CPUs; load average (1 min) per round {report['load_1min_per_round']}. Median of "
             f"{args.rounds} rounds (contenders interleaved, the order rotated every round), min–max beside it. "
             f"Records identical across backends: **{identical}**.", "",
             "| backend | median wall | min–max | speed-up over --jobs 1 |", "|---|---|---|---|"]
    for k in names:
        lines.append(f"| {k} | {med[k]:.1f} s | {min(times[k]):.1f}–{max(times[k]):.1f} s | {base / med[k]:.2f}x |")
    (out / "units.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
