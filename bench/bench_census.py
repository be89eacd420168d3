"""Time the census (boolsens.census) and its parts, with peak memory and the machine load.

    python bench/bench_census.py                 # full run, about 5-10 minutes on 2 cores
    python bench/bench_census.py --quick         # n <= 4 and small blocks only, under a minute
    python bench/bench_census.py --out bench/results/census   # writes census.json and census.md

Measures, never asserts a time. What is timed:

* the n = 4 census (NPN and NP): the first call in a fresh process (numba loads its cache or
  compiles there) and the median of repeats;
* the n = 5 census, each part in a fresh process (so its peak RSS is its own): the class scan
  alone (every chunk, with the time of each), the measures of the 616126 representatives one
  group at a time, the whole ``census(5)`` and ``census(5, np_classes=True)``;
* the streaming kernels (``table_measures`` on a range of consecutive tables) per measure group,
  as ns per table and the time this would take for all 2**32 functions of n = 5;
* ``npn_canonical`` at n = 5 and 6 (functions per second);
* the whole n = 5 census through the torch path: on CUDA when a GPU is present, and on the CPU
  (a correctness run of the GPU code: the rows are compared with the numba ones).

The n = 5 rows are also cross-checked against the library's other exact measures
(``bs.sensitivity``, ``bs.block_sensitivity``, ...) on every representative, and the statistics
asked for in the issue are recorded (distributions of s and deg over all 2**32 functions,
largest bs/s and deg/s with witnesses). The machine is shared: the 1-minute load average is
recorded before and after every part, and the CPU seconds next to the wall seconds show how much
of the two cores a part got.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def load() -> float:
    return round(os.getloadavg()[0], 2)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kw):
    """(value, wall seconds, CPU seconds of the process, load before, load after)."""
    l0 = load()
    t, c = time.perf_counter(), time.process_time()
    v = fn(*args, **kw)
    return v, time.perf_counter() - t, time.process_time() - c, l0, load()


def census_module():
    """The module boolsens.census (``from boolsens import census`` may give the function)."""
    return importlib.import_module("boolsens.census")


def warm_up() -> None:
    C = census_module()
    from boolsens.census import census, npn_canonical, table_measures

    C._chunk_starts(5)  # the canonical tables of n = 4, which start the n = 5 chunks
    census(3)
    census(3, np_classes=True)
    table_measures(range(16), 2)
    npn_canonical(np.arange(4, dtype=np.uint64), n=6)


# ------------------------------------------------------------------------------- children
def child_scan() -> dict:
    """The class scan of n = 5 alone (canonical tables and stabilisers), chunk by chunk (the
    chunk starts come from the n = 4 scan, done first in ``warm_up``)."""
    C = census_module()

    warm_up()
    starts, size = C._chunk_starts(5), C._chunk_size(5)
    count = len(starts)
    times, found = [], []
    l0 = load()
    t0, c0 = time.perf_counter(), time.process_time()
    for a in starts:
        t = time.perf_counter()
        tables = C._scan(5, [(a, a + size)], None)[0]
        times.append(time.perf_counter() - t)
        found.append(len(tables))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    order = np.argsort(times)[::-1][:5]
    return {"wall_s": wall, "cpu_s": cpu, "load_before": l0, "load_after": load(), "classes": int(sum(found)),
            "chunks": count, "chunk_s_max": max(times), "chunk_s_median": float(np.median(times)),
            "slowest_chunks": [(int(k), round(times[k], 2), found[k]) for k in order],
            "peak_rss_mib": peak_rss_mib()}


GROUPS = {
    "s + sensitive edges + I": ["sensitivity", "sensitive_edges", "total_influence"],
    "degree + level sums + bias": ["degree", "level_sums", "bias"],
    "certificate complexity": ["certificate_complexity"],
    "decision-tree depth": ["decision_tree_depth"],
    "block sensitivity (+ s, C)": ["block_sensitivity"],
    "all measures": None,
}


def child_measures() -> dict:
    """The measures of the 616126 representatives (read from the scan), one group at a time."""
    C = census_module()
    from boolsens.census import table_measures

    warm_up()
    starts, size = C._chunk_starts(5), C._chunk_size(5)
    reps = C._scan(5, [(a, a + size) for a in starts], None)[0]
    out = {"tables": len(reps), "groups": {}}
    for name, fields in GROUPS.items():
        _, wall, cpu, l0, l1 = timed(table_measures, reps, 5, fields=fields)
        out["groups"][name] = {"wall_s": wall, "cpu_s": cpu, "load": [l0, l1]}
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def child_census(np_classes: bool, stats: bool) -> dict:
    from boolsens.census import census

    warm_up()
    rows, wall, cpu, l0, l1 = timed(census, 5, np_classes=np_classes)
    out = {"wall_s": wall, "cpu_s": cpu, "load": [l0, l1], "rows": len(rows),
           "orbit_sum": int(rows["orbit"].sum()), "peak_rss_mib": peak_rss_mib()}
    if stats:
        out["stats"] = statistics(rows)
        out["cross_check"] = cross_check(rows)
    return out


def statistics(rows: np.ndarray) -> dict:
    """Distributions over all 2**32 functions (weighted by orbit) and the extremal ratios."""
    w = rows["orbit"]
    out = {}
    for name in ("sensitivity", "degree", "block_sensitivity", "certificate_complexity", "decision_tree_depth"):
        out[f"{name} over functions"] = np.bincount(rows[name], weights=w).astype(np.int64).tolist()
        out[f"{name} over classes"] = np.bincount(rows[name]).tolist()
    joint = np.zeros((6, 6), dtype=np.int64)
    np.add.at(joint, (rows["sensitivity"], rows["degree"]), w)
    out["functions by (s, deg)"] = joint.tolist()
    s = rows["sensitivity"].astype(np.float64)
    nz = s > 0
    for name in ("block_sensitivity", "degree", "certificate_complexity", "decision_tree_depth"):
        ratio = np.zeros(len(rows))
        ratio[nz] = rows[name][nz] / s[nz]
        best = ratio.max()
        idx = np.flatnonzero(ratio == best)
        out[f"max {name}/s"] = {
            "ratio": float(best), "classes": len(idx), "functions": int(w[idx].sum()),
            "witnesses": [{"table": f"0x{int(rows['table'][i]):08x}", "s": int(rows["sensitivity"][i]),
                           name: int(rows[name][i]), "orbit": int(w[i])} for i in idx[:5]],
        }
    return out


def cross_check(rows: np.ndarray) -> dict:
    """Every representative against the library's other exact measures (not the census kernels)."""
    import boolsens as bs
    from boolsens.census import tables_to_signs

    signs = tables_to_signs(rows["table"], 5)
    t = time.perf_counter()
    other = {
        "sensitivity": bs.sensitivity(signs),
        "block_sensitivity": bs.block_sensitivity(signs),
        "certificate_complexity": bs.certificate_complexity(signs),
        "decision_tree_depth": bs.decision_tree_depth(signs),
        "degree": bs.degree(signs),
        "total_influence": bs.total_influence(signs),
        "level_sums": np.rint(bs.fourier_weights(signs) * 4**5).astype(np.int64),
        "bias": signs.mean(axis=1),
    }
    mismatches = {k: int(np.sum(np.any(np.atleast_2d(rows[k].T != v.T), axis=0))) for k, v in other.items()}
    return {"tables": len(rows), "mismatches": mismatches, "seconds": time.perf_counter() - t}


def child_stream(count: int, repeats: int) -> dict:
    from boolsens.census import table_measures

    warm_up()
    start = 0x5A5A5A5A
    out = {"tables": count}
    for name, fields in GROUPS.items():
        walls = []
        for _ in range(repeats):
            _, wall, cpu, l0, l1 = timed(table_measures, range(start, start + count), 5, fields=fields)
            walls.append(wall)
        med = float(np.median(walls))
        out[name] = {"median_s": med, "ns_per_table": 1e9 * med / count, "all_2^32_s": med / count * 2**32,
                     "repeats": walls, "load_after": load()}
    out["peak_rss_mib"] = peak_rss_mib()
    return out


def child_canonical(repeats: int) -> dict:
    from boolsens.census import npn_canonical

    warm_up()
    rng = np.random.default_rng(0)
    out = {}
    for n, count in ((5, 20000), (6, 2000)):
        tables = rng.integers(0, 2 ** min(63, 1 << n), count, dtype=np.uint64)
        walls = [timed(npn_canonical, tables, n=n)[1] for _ in range(repeats)]
        med = float(np.median(walls))
        out[f"n={n}"] = {"functions": count, "median_s": med, "per_function_us": 1e6 * med / count}
    return out


def child_small(repeats: int) -> dict:
    """The n = 4 census: first call in this fresh process, then the median of repeats."""
    from boolsens.census import census

    out = {}
    for np_classes in (False, True):
        key = "NP" if np_classes else "NPN"
        _, first, *_ = timed(census, 4, np_classes=np_classes)
        walls = [timed(census, 4, np_classes=np_classes)[1] for _ in range(repeats)]
        out[key] = {"first_call_s": first, "median_s": float(np.median(walls)), "repeats": walls}
    out["counts"] = {f"n={n}": [len(census(n)), len(census(n, np_classes=True))] for n in range(5)}
    try:
        import torch  # noqa: F401

        _, wall, *_ = timed(census, 4, device="cpu")
        out["torch_cpu_n4_s"] = wall
    except ImportError:
        out["torch_cpu_n4_s"] = None
    return out


def child_torch(device: str) -> dict:
    """The whole n = 5 census through the torch path on ``device``, compared with the numba rows."""
    import torch

    from boolsens.census import census

    warm_up()
    if device == "cuda" and not torch.cuda.is_available():
        return {"skipped": "no CUDA device"}
    census(4, device=device)
    rows, wall, cpu, l0, l1 = timed(census, 5, device=device)
    same = bool(np.array_equal(rows, census(5)))
    return {"device": device, "wall_s": wall, "cpu_s": cpu, "load": [l0, l1], "rows": len(rows),
            "equal_to_numba": same, "peak_rss_mib": peak_rss_mib()}


CHILDREN = {
    "small": lambda a: child_small(a.repeats),
    "scan": lambda a: child_scan(),
    "measures": lambda a: child_measures(),
    "census": lambda a: child_census(False, stats=True),
    "census_np": lambda a: child_census(True, stats=False),
    "stream": lambda a: child_stream(a.stream, a.repeats),
    "canonical": lambda a: child_canonical(a.repeats),
    "torch_cpu": lambda a: child_torch("cpu"),
    "torch_cuda": lambda a: child_torch("cuda"),
}


def run_child(name: str, args) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--repeats", str(args.repeats), "--stream", str(args.stream)]
    l0 = load()
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"error": proc.stderr[-2000:], "process_s": wall}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result.update(process_s=wall, load_before_process=l0, load_after_process=load())
    print(f"[{name}] {json.dumps(result)[:400]}", flush=True)
    return result


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return f"load {os.getloadavg()}"


def versions() -> dict:
    import numba

    import boolsens

    out = {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
           "boolsens": boolsens.__version__, "numba_threads": numba.config.NUMBA_NUM_THREADS}
    try:
        import torch

        out["torch"] = torch.__version__
        out["cuda"] = torch.cuda.is_available()
    except ImportError:
        out["torch"] = None
    try:
        out["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                       cwd=ROOT).stdout.strip()
    except OSError:
        pass
    return out


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def fmt_s(x) -> str:
    if x is None:
        return "–"
    return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"


def markdown(res: dict) -> str:
    m = res["machine"]
    lines = ["# boolsens census benchmark", "",
             f"Run {res['start']} – {res['end']} UTC on {m['cpu']} ({m['cpus']} CPUs shared with other users, "
             f"{m['mem_gib']:.0f} GiB); `uptime` at start: `{res['uptime_start']}`; at end: `{res['uptime_end']}`. "
             f"Versions: {res['versions']}.", "",
             "Produced by `bench/bench_census.py` (it measures, it asserts nothing about time). Each part ran in a "
             "fresh process; `peak RSS` is that process's maximum resident set. `CPU s` is the process's CPU "
             "time: about 2x the wall time when both cores were free for it. Load = 1-minute load average before/"
             "after. Without a GPU the torch path runs on CPU tensors (a check of the code that would run on CUDA, "
             "not a speed of interest).", ""]
    small = res.get("small")
    if small and "error" not in small:
        lines += ["## n <= 4", "",
                  "| census | first call in a fresh process | median of repeats |", "|---|---|---|"]
        for k in ("NPN", "NP"):
            lines.append(f"| n = 4 {k} | {fmt_s(small[k]['first_call_s'])} | {fmt_s(small[k]['median_s'])} |")
        lines += ["", "Classes found (NPN, NP) for n = 0 … 4: "
                  + ", ".join(f"{k}: {v[0]}, {v[1]}" for k, v in small["counts"].items())
                  + f". torch on the CPU, n = 4 NPN census: {fmt_s(small.get('torch_cpu_n4_s'))}.", ""]
    lines += ["## n = 5", "", "| part | wall | CPU s | peak RSS | load before/after | result |", "|---|---|---|---|---|---|"]
    scan = res.get("scan")
    if scan and "error" not in scan:
        lines.append(f"| class scan ({scan['chunks']} chunks of 65536 candidates) | {fmt_s(scan['wall_s'])} | "
                     f"{scan['cpu_s']:.0f} | {scan['peak_rss_mib']:.0f} MiB | {scan['load_before']}/{scan['load_after']} | "
                     f"{scan['classes']} classes; slowest chunk {scan['chunk_s_max']:.1f} s, median "
                     f"{fmt_s(scan['chunk_s_median'])} |")
    meas = res.get("measures")
    if meas and "error" not in meas:
        for name, g in meas["groups"].items():
            lines.append(f"| measures of the {meas['tables']} representatives: {name} | {fmt_s(g['wall_s'])} | "
                         f"{g['cpu_s']:.1f} | {meas['peak_rss_mib']:.0f} MiB (process) | {g['load'][0]}/{g['load'][1]} | |")
    for key in ("torch_cuda", "torch_cpu"):
        c = res.get(key)
        if c and "wall_s" in c:
            lines.append(f"| `census(5, device={c['device']!r})` (the torch path) | {fmt_s(c['wall_s'])} | "
                         f"{c['cpu_s']:.0f} | {c['peak_rss_mib']:.0f} MiB | {c['load'][0]}/{c['load'][1]} | "
                         f"{c['rows']} rows, equal to the numba rows: {c['equal_to_numba']} |")
    for key, label in (("census", "`census(5)` end to end"), ("census_np", "`census(5, np_classes=True)`")):
        c = res.get(key)
        if c and "error" not in c:
            lines.append(f"| {label} | {fmt_s(c['wall_s'])} | {c['cpu_s']:.0f} | {c['peak_rss_mib']:.0f} MiB | "
                         f"{c['load'][0]}/{c['load'][1]} | {c['rows']} rows, orbits sum to {c['orbit_sum']} |")
    c = res.get("census")
    if c and "stats" in c:
        st, cc = c["stats"], c["cross_check"]
        lines += ["", f"Cross-check of all {cc['tables']} rows against `bs.sensitivity`, `bs.block_sensitivity`, "
                  f"`bs.certificate_complexity`, `bs.decision_tree_depth`, `bs.degree`, `bs.total_influence`, "
                  f"`bs.fourier_weights` and the mean: mismatches {cc['mismatches']} ({cc['seconds']:.0f} s).", "",
                  "### Over all 2**32 functions of n = 5 (weighted by orbit)", "",
                  "| measure | value 0 | 1 | 2 | 3 | 4 | 5 |", "|---|---|---|---|---|---|---|"]
        for name in ("sensitivity", "degree", "block_sensitivity", "certificate_complexity", "decision_tree_depth"):
            lines.append(f"| {name} (functions) | " + " | ".join(str(v) for v in st[f"{name} over functions"]) + " |")
            lines.append(f"| {name} (classes) | " + " | ".join(str(v) for v in st[f"{name} over classes"]) + " |")
        lines += ["", "Functions by (s, deg) (rows s = 0..5, columns deg = 0..5):", "", "```"]
        lines += [" ".join(f"{v:>11d}" for v in row) for row in st["functions by (s, deg)"]]
        lines += ["```", "", "| largest ratio | value | classes | functions | witnesses (canonical table, hex) |",
                  "|---|---|---|---|---|"]
        for name in ("block_sensitivity", "degree", "certificate_complexity", "decision_tree_depth"):
            e = st[f"max {name}/s"]
            lines.append(f"| {name}/s | {e['ratio']:g} | {e['classes']} | {e['functions']} | "
                         + ", ".join(f"{w['table']} (s={w['s']}, {name}={w[name]}, orbit {w['orbit']})"
                                     for w in e["witnesses"]) + " |")
    st = res.get("stream")
    if st and "error" not in st:
        lines += ["", "## Streaming kernels (`table_measures` on a range of consecutive n = 5 tables)", "",
                  f"{st['tables']} tables per call, median of repeats.", "",
                  "| fields | ns per table | all 2**32 tables (extrapolated) | load after |", "|---|---|---|---|"]
        for name in GROUPS:
            g = st[name]
            lines.append(f"| {name} | {g['ns_per_table']:.1f} | {fmt_s(g['all_2^32_s'])} | {g['load_after']} |")
    can = res.get("canonical")
    if can and "error" not in can:
        lines += ["", "## `npn_canonical` (random functions, median of repeats)", "",
                  "| n | functions | time | per function |", "|---|---|---|---|"]
        for k, g in ((k, g) for k, g in can.items() if k.startswith("n=")):
            lines.append(f"| {k[2:]} | {g['functions']} | {fmt_s(g['median_s'])} | {g['per_function_us']:.1f} µs |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="n <= 4, small streaming blocks and canonical forms only")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--stream", type=int, default=1 << 23, help="tables per streaming call")
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(CHILDREN))
    ap.add_argument("--out", help="path prefix: writes PREFIX.json and PREFIX.md")
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    if args.quick:
        args.stream = min(args.stream, 1 << 20)
        args.skip = sorted(set(args.skip) | {"scan", "measures", "census", "census_np", "torch_cpu"})
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    res = {"start": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"), "uptime_start": uptime(),
           "machine": {"cpu": cpu_name(), "cpus": os.cpu_count(), "mem_gib": mem}, "versions": versions(),
           "args": vars(args)}
    print(res["uptime_start"], flush=True)
    for name in ("small", "scan", "measures", "census", "census_np", "stream", "canonical", "torch_cuda",
                 "torch_cpu"):
        if name not in args.skip:
            res[name] = run_child(name, args)
    res["end"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
    res["uptime_end"] = uptime()
    print(res["uptime_end"])
    text = markdown(res)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out + ".json").write_text(json.dumps(res, indent=1) + "\n")
        Path(args.out + ".md").write_text(text)


if __name__ == "__main__":
    main()
