"""A function-by-function scan of n = 5 (``bs.search.exhaustive(..., invariance="none")``): time
per function of each objective on a slice of consecutive tables, this tree against the code of an
older commit, interleaved; and, with ``--full``, one whole scan of all 2^32 functions checked
against the NPN classes weighted by their sizes.

    python bench/bench_search_scan.py --old a85ca03                 # about 2 minutes here
    python bench/bench_search_scan.py --old a85ca03 --full I        # plus the 2^32 scan of I

Each contender runs in a fresh interpreter (``PYTHONPATH`` at this tree or at ``git archive`` of
the older commit) that warms its kernels on one block and then times the scan's own loop (the
blocks of 2^20 tables, the objective's values, the running distribution and extremes) over the
slice; contenders alternate within each repeat. Writes ``bench/results/search_scan.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_fwht import git_rev, machine_info  # noqa: E402  (the machine and revision, as there)
OBJECTIVES = ("s", "I", "bs/s", "deg/s", "W2", "callable abs(sum f)")

WORKER = r'''
import json, sys, time
import numpy as np
from boolsens.search import families as fam
from boolsens.search.exhaustive import _Tally
from boolsens.search.objectives import Objective, evaluate, objective

start, count = int(sys.argv[1]), int(sys.argv[2])
block = 1 << 20
new = "as_range" in fam.member_blocks.__code__.co_varnames
out = {}
for name in json.loads(sys.argv[3]):
    o = objective(name) if not name.startswith("callable") else (lambda s: np.abs(s.sum(axis=1, dtype=np.int64)))
    streams = isinstance(o, Objective) and getattr(o, "streams", False)

    def scan(lo, hi):
        tally = _Tally(5)
        for a in range(lo, hi, block):
            if new and streams:
                t = range(a, min(hi, a + block))
                tally.add(t, None, *evaluate(o, 5, tables=t))
            else:
                arr = np.arange(a, min(hi, a + block), dtype=np.uint64)
                for b in range(0, len(arr), 1 << 16):  # the old scan's objective calls
                    t = arr[b:b + (1 << 16)] if not new else arr
                    w = None if new else np.ones(len(t), dtype=np.int64)
                    tally.add(t, w, *evaluate(o, 5, tables=t))
                    if new:
                        break
        return tally

    scan(0, block)  # warm-up: numba kernels for n = 5
    t0 = time.perf_counter()
    tally = scan(start, start + count)
    out[name] = {"seconds": time.perf_counter() - t0,
                 "distribution": sorted((str(v), f) for v, (f, _) in tally.values.items())}
print(json.dumps(out))
'''


def _old_tree(rev: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=f"boolsens_{rev}_"))
    archive = folder / "src.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), rev, "boolsens"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _run(path: Path, start: int, count: int) -> dict:
    env = dict(os.environ, PYTHONPATH=str(path))
    res = subprocess.run([sys.executable, "-c", WORKER, str(start), str(count), json.dumps(OBJECTIVES)],
                         capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    if res.returncode:
        raise SystemExit(f"worker at {path} failed:\n{res.stderr[-2000:]}")
    return json.loads(res.stdout)


def _full(expr: str) -> dict:
    import boolsens as bs

    t0 = time.perf_counter()
    every = bs.search.exhaustive(expr, 5, invariance="none", show_progress=True)
    seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    by_class = bs.search.exhaustive(expr, 5)
    class_seconds = time.perf_counter() - t0
    agree = [(v, f) for v, f, _ in every.distribution] == [(v, f) for v, f, _ in by_class.distribution]
    return {"objective": expr, "seconds": round(seconds, 1), "functions": every.functions,
            "undefined": every.undefined, "maximum": str(every.maximum),
            "least maximiser": f"0x{every.maximisers[0].table:08x}", "by classes seconds": round(class_seconds, 1),
            "agrees with the classes": agree}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", default=None, metavar="REV", help="also time the scan of this git revision")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--slice", type=int, default=22, metavar="LOG2", help="2**LOG2 tables per timing (default 22)")
    ap.add_argument("--full", default=None, metavar="EXPR", help="also scan all 2**32 functions for EXPR")
    args = ap.parse_args()
    start, count = 0x5A5A0000 & ~((1 << 20) - 1), 1 << args.slice
    trees = {"boolsens": ROOT}
    if args.old:
        trees[f"old {args.old}"] = _old_tree(args.old)
    report = {"machine": machine_info(), "boolsens_rev": git_rev(), "old_rev": args.old, "repeats": args.repeats,
              "slice": [start, count], "load_start": [round(v, 2) for v in os.getloadavg()],
              "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": []}
    names = list(trees)
    for rep in range(args.repeats):
        for name in (names if rep % 2 == 0 else names[::-1]):
            out = _run(trees[name], start, count)
            report["runs"].append({"contender": name, "repeat": rep, "load": round(os.getloadavg()[0], 2),
                                   **{k: v["seconds"] for k, v in out.items()}})
            report.setdefault("distributions", {})[name] = {k: v["distribution"] for k, v in out.items()}
            print(name, rep, {k: f"{v['seconds'] / count * 1e9:.0f} ns/fn" for k, v in out.items()}, flush=True)
    dists = report.pop("distributions")
    report["same_distributions"] = all(dists[n] == dists["boolsens"] for n in dists)
    if args.full:
        report["full"] = _full(args.full)
        print(report["full"])
    report["load_end"] = [round(v, 2) for v in os.getloadavg()]
    report["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = ROOT / "bench" / "results"
    (out / "search_scan.json").write_text(json.dumps(report, indent=2) + "\n")
    _markdown(report, names, count, out / "search_scan.md")
    print(f"wrote {out / 'search_scan.md'}")


def _markdown(report: dict, names: list, count: int, path: Path) -> None:
    ns = lambda xs: (statistics.median(xs) / count * 1e9, min(xs) / count * 1e9, max(xs) / count * 1e9)  # noqa: E731
    L = ["# Exhaustive search over every function of n = 5, function by function", "",
         f"Run {report['started_utc']} – {report['finished_utc']} UTC on {report['machine'].get('cpu')} "
         f"({report['machine']['cpus']} logical CPUs, shared); boolsens {report['boolsens_rev']}"
         + (f" against {report['old_rev']}" if report["old_rev"] else "") + ".",
         f"Load (1, 5, 15 min) at start {report['load_start']}, at end {report['load_end']}.", "",
         f"{count:,} consecutive tables from 0x{report['slice'][0]:08x}, {report['repeats']} repeats, contenders "
         "alternating, each in a fresh interpreter after a warm-up block. Cells: ns per function, median "
         "[min–max]; the last column extrapolates the median to all 2^32 functions. Both contenders' "
         f"distributions of values on the slice are identical: {report['same_distributions']}.", "",
         "| objective | " + " | ".join(names) + " | 2^32 at the median (" + names[0] + ") |"
         + (" old / new |" if len(names) > 1 else ""),
         "|---|" + "---|" * len(names) + "---|" + ("---|" if len(names) > 1 else "")]
    for obj in OBJECTIVES:
        cells, meds = [], []
        for name in names:
            med, lo, hi = ns([r[obj] for r in report["runs"] if r["contender"] == name])
            meds.append(med)
            cells.append(f"{med:.0f} [{lo:.0f}–{hi:.0f}]")
        row = f"| `{obj}` | " + " | ".join(cells) + f" | {meds[0] * 2**32 / 1e9 / 60:.1f} min |"
        L.append(row + (f" {meds[1] / meds[0]:.1f} |" if len(meds) > 1 else ""))
    if "full" in report:
        f = report["full"]
        L += ["", f"Whole scan of `{f['objective']}`: {f['functions']:,} functions ({f['undefined']:,} undefined) in "
                  f"{f['seconds']} s, maximum {f['maximum']} (least maximiser {f['least maximiser']}); the NPN "
                  f"classes weighted by their sizes give the same distribution: {f['agrees with the classes']} "
                  f"({f['by classes seconds']} s)."]
    path.write_text("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
