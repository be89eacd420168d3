#!/usr/bin/env python
"""The Walsh–Hadamard transform alone: boolsens against FFHT, allocating and in place.

Run it from the repository root with the project's interpreter (numba); FFHT is taken from the
peers' virtualenv when it is not importable here::

    bash bench/setup_peers.sh                            # once: FFHT into bench/_peers/venv
    python bench/bench_fwht.py                           # n = 20, 24, 26, float64 and float32
    python bench/bench_fwht.py --old c0eeba2             # also the kernel of an older commit
    python bench/bench_fwht.py --ns 16,20 --repeats 5    # a quick look

Contenders, interleaved round-robin (the order rotated every round) so that a change of the
machine's load hits all of them alike:

* ``boolsens.fwht``: the public call; allocates its result like ``ffht.fht``;
* ``boolsens in place``: the same kernel on a reused buffer (``_kernels.walsh.fwht_inplace``;
  the public API has no in-place call), like ``ffht.fht_``;
* ``FFHT fht`` (allocating) and ``FFHT fht_`` (in place) from ``ffht-unofficial``;
* with ``--old REV``: the kernel of commit REV, allocating (``fwht_into`` a fresh array, what
  ``boolsens.fwht`` did at REV) and in place.

An in-place contender gets a fresh copy of the input before every timed call (not timed), so
that repeated transforms do not overflow to inf. Every call is timed twice: wall clock
(``perf_counter``) and the thread's CPU time (``thread_time``, which leaves out the time the
thread waited for a core on a shared machine but not the memory traffic of the others), and
the system part of that CPU time is recorded (``RUSAGE_THREAD``: the operating system's time to
fault in and zero a fresh output, large and erratic for 512 MiB arrays on a shared machine). The
tables give medians with min–max and the 1-minute load average before and after every row.
The script measures; it asserts nothing. It writes ``bench/results/fwht_<date>.{md,json}``.
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import json
import os
import platform
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any, Callable

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import boolsens as bs  # noqa: E402
from boolsens._kernels import walsh as _walsh  # noqa: E402


def import_ffht() -> tuple[Any, str | None]:
    """ffht, from here or from the peers' virtualenv (same Python version)."""
    try:
        import ffht
        return ffht, None
    except ImportError:
        pass
    ver = sysconfig.get_python_version()
    site = HERE / "_peers" / "venv" / "lib" / f"python{ver}" / "site-packages"
    if site.is_dir():
        sys.path.append(str(site))
        try:
            import ffht
            return ffht, None
        except ImportError as e:
            return None, f"ffht not importable from {site}: {e}"
    return None, f"ffht not installed here nor in {site} (run bash bench/setup_peers.sh)"


def load_old_kernel(rev: str) -> Any:
    """The module boolsens/_kernels/walsh.py of commit ``rev``, imported under its own name
    (its relative imports pointed at today's package; the kernel module imports only bits)."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:boolsens/_kernels/walsh.py"],
                         capture_output=True, text=True, check=True).stdout
    src = src.replace("from .bits import", "from boolsens._kernels.bits import")
    folder = Path(tempfile.mkdtemp(prefix="boolsens_old_walsh_"))
    path = folder / f"walsh_{rev}.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location(f"walsh_{rev}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def machine_info() -> dict:
    info = {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return info


def git_rev() -> str:
    out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return out.stdout.strip() + ("+dirty" if dirty else "")


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def bench_row(n: int, dtype: np.dtype, repeats: int, ffht: Any, old: Any, rev: str | None) -> dict:
    rng = np.random.default_rng(n)
    a = rng.standard_normal(1 << n).astype(dtype)  # (2**n,)
    buf = np.empty_like(a)
    reference = bs.fwht(a)
    # name -> (call, needs a fresh copy of a in buf first, result getter)
    entries: dict[str, tuple[Callable[[], Any], bool]] = {
        "boolsens.fwht": (lambda: bs.fwht(a), False),
        "boolsens in place": (lambda: _walsh.fwht_inplace(buf.reshape(1, -1)), True),
    }
    if old is not None:
        def old_alloc():
            out = np.empty_like(a)
            old.fwht_into(a.reshape(1, -1), out.reshape(1, -1))
            return out
        entries[f"old {rev} allocating"] = (old_alloc, False)
        entries[f"old {rev} in place"] = (lambda: old.fwht_inplace(buf.reshape(1, -1)), True)
    if ffht is not None:
        entries["FFHT fht"] = (lambda: ffht.fht(a), False)
        entries["FFHT fht_ in place"] = (lambda: ffht.fht_(buf), True)
    checks: dict[str, str] = {}
    for name, (call, fresh) in entries.items():  # warm-up (numba loads or compiles) and check
        if fresh:
            np.copyto(buf, a)
        out = call()
        got = buf if fresh else out
        if np.array_equal(got, reference):
            checks[name] = "bit-equal"
        else:
            err = float(np.max(np.abs(got.astype(np.float64) - reference)) / np.max(np.abs(reference)))
            checks[name] = f"max rel diff {err:.1e}"
        del out, got
    del reference  # only the input and one buffer stay alive while timing (less memory pressure)
    wall: dict[str, list[float]] = {k: [] for k in entries}
    cpu: dict[str, list[float]] = {k: [] for k in entries}
    sys_cpu: dict[str, list[float]] = {k: [] for k in entries}
    names = list(entries)
    load_before = load1()
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            call, fresh = entries[name]
            if fresh:
                np.copyto(buf, a)
            r0 = resource.getrusage(resource.RUSAGE_THREAD).ru_stime
            c0 = time.thread_time()
            t0 = time.perf_counter()
            call()
            t1 = time.perf_counter()
            c1 = time.thread_time()
            r1 = resource.getrusage(resource.RUSAGE_THREAD).ru_stime
            wall[name].append(t1 - t0)
            cpu[name].append(c1 - c0)
            sys_cpu[name].append(r1 - r0)
    stats = {name: {"wall_median_s": median(wall[name]), "wall_min_s": min(wall[name]),
                    "wall_max_s": max(wall[name]), "cpu_median_s": median(cpu[name]),
                    "cpu_min_s": min(cpu[name]), "cpu_max_s": max(cpu[name]),
                    "sys_median_s": median(sys_cpu[name]), "sys_max_s": max(sys_cpu[name]),
                    "user_median_s": median(c - y for c, y in zip(cpu[name], sys_cpu[name])),
                    "wall_s": wall[name], "cpu_s": cpu[name], "sys_s": sys_cpu[name],
                    "check": checks[name]} for name in names}
    return {"n": n, "dtype": str(np.dtype(dtype)), "repeats": repeats, "load_before": load_before,
            "load_after": load1(), "results": stats}


def fmt(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def ratio_pairs(names: list[str], rev: str | None) -> list[tuple[str, str, str]]:
    """(label, numerator, denominator): time ratios > 1 mean the boolsens call is faster."""
    pairs = [("FFHT fht / boolsens.fwht", "FFHT fht", "boolsens.fwht"),
             ("FFHT fht_ / boolsens in place", "FFHT fht_ in place", "boolsens in place")]
    if rev:
        pairs += [(f"old allocating / boolsens.fwht", f"old {rev} allocating", "boolsens.fwht"),
                  (f"old in place / boolsens in place", f"old {rev} in place", "boolsens in place")]
    return [p for p in pairs if p[1] in names and p[2] in names]


def write_markdown(report: dict, path: Path) -> None:
    rev = report.get("old_rev")
    L = ["# fwht: boolsens against FFHT", ""]
    L.append(f"Run {report['started_utc']} – {report['finished_utc']} UTC on {report['machine'].get('cpu')} "
             f"({report['machine'].get('cpus')} logical CPUs, shared); boolsens {report['boolsens_rev']}"
             + (f", old kernel from {rev}" if rev else "") + ".")
    L.append(f"Load (1, 5, 15 min) at start {report['load_start']}, at end {report['load_end']}.")
    L.append("")
    L.append(f"Interleaved round-robin, {report['repeats']} timed calls each after one warm-up; in-place "
             "calls get a fresh copy of the input (untimed) before each call. Cells: median "
             "[min–max] of the wall clock; `cpu` the median of the thread's CPU time, `sys` the part of "
             "it spent in the kernel (page faults and zeroing of freshly allocated output), `user` below "
             "the CPU time less that system part. Ratios are of medians: above 1 the boolsens call "
             "is faster.")
    if report.get("ffht_error"):
        L.append(f"\nFFHT: {report['ffht_error']}")
    for dtype in ("float64", "float32"):
        rows = [r for r in report["rows"] if r["dtype"] == dtype]
        if not rows:
            continue
        names = list(rows[0]["results"])
        L += ["", f"## {dtype}", "", "| n | load | " + " | ".join(names) + " |",
              "|---|---|" + "---|" * len(names)]
        for r in rows:
            cells = []
            for name in names:
                s = r["results"][name]
                cells.append(f"{fmt(s['wall_median_s'])} [{fmt(s['wall_min_s'])}–{fmt(s['wall_max_s'])}]; "
                             f"cpu {fmt(s['cpu_median_s'])} (sys {fmt(s['sys_median_s'])})")
            L.append(f"| {r['n']} | {r['load_before']}/{r['load_after']} | " + " | ".join(cells) + " |")
        pairs = ratio_pairs(names, rev)
        if pairs:
            L += ["", "| n | " + " | ".join(f"{p[0]} (wall; cpu; user)" for p in pairs) + " |",
                  "|---|" + "---|" * len(pairs)]
            for r in rows:
                res = r["results"]
                cells = [f"{res[a]['wall_median_s'] / res[b]['wall_median_s']:.2f}; "
                         f"{res[a]['cpu_median_s'] / res[b]['cpu_median_s']:.2f}; "
                         f"{res[a]['user_median_s'] / res[b]['user_median_s']:.2f}" for _, a, b in pairs]
                L.append(f"| {r['n']} | " + " | ".join(cells) + " |")
        L.append("")
        L.append("Results against `boolsens.fwht`: " + "; ".join(
            f"{name}: {rows[-1]['results'][name]['check']}" for name in names) + f" (n = {rows[-1]['n']}).")
    path.write_text("\n".join(L) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ns", default="20,24,26", help="comma-separated n (default 20,24,26)")
    ap.add_argument("--dtypes", default="float64,float32")
    ap.add_argument("--repeats", type=int, default=9, help="timed calls per contender and row (default 9)")
    ap.add_argument("--old", default=None, metavar="REV", help="also time the kernel of this git revision")
    ap.add_argument("--out", type=Path, default=HERE / "results")
    ap.add_argument("--tag", default="", help="suffix of the output names")
    args = ap.parse_args(argv)
    ffht, ffht_error = import_ffht()
    old = load_old_kernel(args.old) if args.old else None
    report: dict[str, Any] = {
        "started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "machine": machine_info(),
        "boolsens_rev": git_rev(), "old_rev": args.old, "repeats": args.repeats,
        "versions": {"numpy": np.__version__, "numba": __import__("numba").__version__},
        "ffht_error": ffht_error, "load_start": [round(x, 2) for x in os.getloadavg()], "rows": []}
    for dtype in args.dtypes.split(","):
        for n in (int(v) for v in args.ns.split(",")):
            row = bench_row(n, np.dtype(dtype), args.repeats, ffht, old, args.old)
            report["rows"].append(row)
            print(f"{dtype} n={n} load {row['load_before']}/{row['load_after']}: " + ", ".join(
                f"{k} {fmt(v['wall_median_s'])} (cpu {fmt(v['cpu_median_s'])})" for k, v in row["results"].items()),
                flush=True)
    report["load_end"] = [round(x, 2) for x in os.getloadavg()]
    report["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"fwht_{time.strftime('%Y-%m-%d', time.gmtime())}{args.tag}"
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=1))
    write_markdown(report, args.out / f"{stem}.md")
    print(f"wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
