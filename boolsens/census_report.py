"""The census report: every Boolean function on n <= 5 variables, tabulated into a folder, and
the ``boolsens census`` subcommand that writes it.

    boolsens census --n 5 --out DIR            # 4,294,967,296 functions in 616,126 NPN classes

:func:`census_report` turns the class rows of :mod:`boolsens.census` into ``classes.csv``,
``distributions.csv``, joint histograms (csv and one png), ``extremes.json``, ``report.md`` and
``summary.json``. The rows are computed chunk by chunk, each chunk stored in ``DIR/chunks`` as an
atomic ``.npy`` file as soon as it is made, so an interrupted run resumes where it stopped.
matplotlib is imported only to draw the figure (and the figure is skipped without it).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from . import storage
from .census import census_chunk, census_chunk_count
from .errors import BoolsensError
from .progress import bar

__all__ = ["census_report", "register", "CENSUS_JOINTS", "CENSUS_RATIOS"]


#: the joint distributions the census command tabulates (row measure, column measure)
CENSUS_JOINTS = (("sensitivity", "degree"), ("sensitivity", "block_sensitivity"),
                 ("certificate_complexity", "decision_tree_depth"), ("total_influence", "sensitivity"))
#: the ratios whose largest value (and witnesses) the census command reports
CENSUS_RATIOS = (("block_sensitivity", "sensitivity"), ("degree", "sensitivity"),
                 ("decision_tree_depth", "certificate_complexity"), ("certificate_complexity", "block_sensitivity"),
                 ("decision_tree_depth", "degree"))
_SHORT = {"sensitivity": "s", "degree": "deg", "block_sensitivity": "bs", "certificate_complexity": "C",
          "decision_tree_depth": "D", "total_influence": "I"}


def _census_rows(n: int, out: Any, np_classes: bool, show: bool | None) -> np.ndarray:
    """Every chunk of the census, each stored in ``out/chunks`` as soon as it is made (atomic
    .npy files); chunks already stored are loaded, so an interrupted run resumes."""
    folder = Path(out) / "chunks"
    count = census_chunk_count(n)
    parts = []
    with bar(count, desc=f"census n={n} chunks", unit="chunk", enabled=show) as b:
        for k in range(count):
            path = folder / f"{'np' if np_classes else 'npn'}-n{n}-{k:04d}.npy"
            rows = None
            if path.exists():
                try:
                    rows = np.load(path, allow_pickle=False)
                except (ValueError, OSError, EOFError) as exc:
                    print(f"boolsens census: {path} is corrupt ({exc}); recomputing that chunk", file=sys.stderr)
                    rows = None
            if rows is None:
                rows = census_chunk(n, k, np_classes=np_classes)
                buf = io.BytesIO()
                np.save(buf, rows, allow_pickle=False)
                storage.atomic_write_bytes(path, buf.getvalue())
            parts.append(rows)
            b.update(1)
    rows = np.concatenate(parts)
    return np.sort(rows, order="table") if np_classes else rows


def census_report(n: int, out: str, *, np_classes: bool = False, show_progress: bool | None = None) -> dict:
    """Write the census of every function on n <= 5 variables to the folder ``out``:
    ``classes.csv`` (one row per class), ``distributions.csv`` (every measure over all functions
    and over classes), ``joint_<a>_<b>.csv`` and ``.png`` (joint histograms over all functions),
    ``extremes.json`` (the largest ratios bs/s, deg/s, D/C, C/bs, D/deg with their witnesses'
    truth tables), ``report.md`` and ``summary.json``. Resumable: chunks are stored as they are
    made (see :func:`_census_rows`). Returns the summary."""
    start = time.perf_counter()
    rows = _census_rows(n, out, np_classes, show_progress)
    folder = Path(out)
    total = 1 << (1 << n)
    orbit = rows["orbit"].astype(np.int64)
    assert int(orbit.sum()) == total
    group = "NP" if np_classes else "NPN"

    # one row per class
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = ["table", "orbit", "degree", "sensitivity", "block_sensitivity", "certificate_complexity",
            "decision_tree_depth", "sensitive_edges", "total_influence", "bias"] + [f"W{k}" for k in range(n + 1)]
    w.writerow(head)
    digits = max(1, (1 << n) // 4)
    den_w = 4**n
    for r in rows:
        w.writerow([f"0x{int(r['table']):0{digits}x}", int(r["orbit"]), int(r["degree"]), int(r["sensitivity"]),
                    int(r["block_sensitivity"]), int(r["certificate_complexity"]), int(r["decision_tree_depth"]),
                    int(r["sensitive_edges"]), str(Fraction(int(r["sensitive_edges"]), 1 << max(n - 1, 0))),
                    str(Fraction(float(r["bias"])).limit_denominator(1 << n))]
                   + [str(Fraction(int(v), den_w)) for v in r["level_sums"]])
    storage.write_text(folder / "classes.csv", buf.getvalue())

    # distributions of each measure
    values = {m: rows[m] for m in ("sensitivity", "degree", "block_sensitivity", "certificate_complexity",
                                   "decision_tree_depth")}
    values["total_influence"] = rows["total_influence"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["measure", "value", "functions", "classes"])
    distributions = {}
    for m, v in values.items():
        keys = np.unique(v)
        distributions[m] = {}
        for key in keys:
            sel = v == key
            label = str(Fraction(float(key)).limit_denominator(1 << n)) if m == "total_influence" else int(key)
            distributions[m][str(label)] = int(orbit[sel].sum())
            w.writerow([m, label, int(orbit[sel].sum()), int(sel.sum())])
    storage.write_text(folder / "distributions.csv", buf.getvalue())

    # joint histograms over all functions
    joints = []
    for a, b in CENSUS_JOINTS:
        ka, kb = np.unique(values[a]), np.unique(values[b])
        table = np.zeros((len(ka), len(kb)), dtype=np.int64)
        ia, ib = np.searchsorted(ka, values[a]), np.searchsorted(kb, values[b])
        np.add.at(table, (ia, ib), orbit)
        def fmt(x: Any) -> str:
            return str(Fraction(float(x)).limit_denominator(1 << n))

        la = [fmt(x) if a == "total_influence" else str(int(x)) for x in ka]
        lb = [fmt(x) if b == "total_influence" else str(int(x)) for x in kb]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([f"{_SHORT[a]} \\ {_SHORT[b]}"] + lb)
        for label, row in zip(la, table):
            w.writerow([label] + [int(x) for x in row])
        name = f"joint_{_SHORT[a]}_{_SHORT[b]}"
        storage.write_text(folder / f"{name}.csv", buf.getvalue())
        joints.append((name, a, b, la, lb, table))

    # extremes
    extremes = []
    for a, b in CENSUS_RATIOS:
        num, den = rows[a].astype(np.float64), rows[b].astype(np.float64)
        ok = den > 0
        if not ok.any():  # n = 0: every function is constant, every ratio 0/0
            extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": None, "classes": 0, "functions": 0,
                             "witnesses": []})
            continue
        ratio = np.where(ok, num / np.where(ok, den, 1), -np.inf)
        best = float(ratio.max())
        sel = np.flatnonzero(ratio == best)
        extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": str(Fraction(best).limit_denominator(64)),
                         "classes": int(sel.size), "functions": int(orbit[sel].sum()),
                         "witnesses": [{"table": f"0x{int(rows['table'][i]):0{digits}x}",
                                        _SHORT[a]: int(rows[a][i]), _SHORT[b]: int(rows[b][i]),
                                        "orbit": int(orbit[i])} for i in sel[:5]]})
    storage.write_json(folder / "extremes.json", extremes)

    figures = _census_figures(folder, joints, n)
    seconds = time.perf_counter() - start
    summary = {"n": n, "group": group, "classes": int(len(rows)), "functions": total,
               "distributions": distributions, "extremes": extremes, "seconds": round(seconds, 2)}
    lines = [f"# Census of every Boolean function on n = {n}", "",
             f"{total:,} functions in {len(rows):,} {group} classes "
             f"({'permuting and negating inputs' + ('' if np_classes else ', negating the output')}); "
             f"every measure exact (conventions and definitions: docs/theory.md §1–§2). {seconds:.1f} s.", "",
             "## Distributions over all functions", ""]
    for m, d in distributions.items():
        lines.append(f"- {m}: " + ", ".join(f"{k}: {v:,}" for k, v in d.items()))
    lines += ["", "## Largest ratios", "", "| ratio | value | classes | functions | witnesses (canonical table) |",
              "|---|---|---|---|---|"]
    for e in extremes:
        lines.append(f"| {e['ratio']} | {e['value'] if e['value'] is not None else 'undefined (0/0)'} | "
                     f"{e['classes']} | {e['functions']:,} | "
                     + ", ".join(x["table"] for x in e["witnesses"]) + " |")
    lines += ["", "## Joint distributions over all functions", ""]
    for name, a, b, la, lb, table in joints:
        lines += [f"### {_SHORT[a]} (rows) by {_SHORT[b]} (columns)", "",
                  "| " + _SHORT[a] + " \\ " + _SHORT[b] + " | " + " | ".join(lb) + " |",
                  "|---" * (len(lb) + 1) + "|"]
        lines += ["| " + lab + " | " + " | ".join(f"{int(x):,}" for x in row) + " |" for lab, row in zip(la, table)]
        lines.append("")
    lines += [f"![{f}]({f})" for f in figures]
    storage.write_text(folder / "report.md", "\n".join(lines) + "\n")
    storage.write_json(folder / "summary.json", summary)
    return summary


def _census_figures(folder: Any, joints: list, n: int) -> list[str]:
    """Heatmaps of the joint histograms (log colour scale); none without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm
    except ImportError:
        return []
    fig, axes = plt.subplots(1, len(joints), figsize=(4.2 * len(joints), 3.8))
    for ax, (name, a, b, la, lb, table) in zip(np.atleast_1d(axes), joints):
        shown = np.where(table > 0, table, np.nan).astype(float)
        im = ax.imshow(shown, origin="lower", aspect="auto", norm=LogNorm(vmin=1, vmax=max(2, table.max())))
        for set_ticks, labels in ((ax.set_xticks, lb), (ax.set_yticks, la)):
            step = max(1, len(labels) // 10)  # at most about ten labels per axis
            idx = list(range(0, len(labels), step))
            set_ticks(idx, [labels[i] for i in idx], fontsize=8)
        ax.set_xlabel(_SHORT[b])
        ax.set_ylabel(_SHORT[a])
        ax.set_title(f"{_SHORT[a]} × {_SHORT[b]}")
        fig.colorbar(im, ax=ax, shrink=0.8, label="functions")
    fig.suptitle(f"every Boolean function on n = {n}: joint distributions (log scale)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    storage.atomic_write_bytes(folder / "joint_distributions.png", buf.getvalue())
    return ["joint_distributions.png"]


def _census_main(args: argparse.Namespace) -> int:
    if not 0 <= args.n <= 5:
        raise BoolsensError(f"--n={args.n} must lie in [0, 5] (the census is exhaustive: 2**2**n functions)")
    if not str(args.out).strip():
        raise BoolsensError("--out='' must name a folder")
    if os.path.exists(args.out) and not os.path.isdir(args.out):
        raise BoolsensError(f"--out={args.out!r} is a file, not a folder")
    summary = census_report(args.n, args.out, np_classes=args.np, show_progress=args.progress)
    print(f"census n={args.n}: {summary['functions']:,} functions in {summary['classes']:,} {summary['group']} "
          f"classes ({summary['seconds']:.1f} s); report: {args.out}/report.md")
    for e in summary["extremes"][:2]:
        if e["witnesses"]:
            print(f"  largest {e['ratio']} = {e['value']} ({e['classes']} class(es), e.g. {e['witnesses'][0]['table']})")
        else:
            print(f"  {e['ratio']}: undefined (every function on n = {args.n} is constant)")
    return 0


def register(subparsers: Any) -> None:
    """Add ``census`` to the ``boolsens`` command."""
    c = subparsers.add_parser("census", help="every Boolean function on n <= 5: classes, distributions, extremes",
                              description=census_report.__doc__.split("\n\n")[0])
    c.add_argument("--n", type=int, required=True, help="number of variables, 0..5 (n = 5: 4,294,967,296 functions)")
    c.add_argument("--out", required=True, help="results folder (created; an interrupted run resumes in it)")
    c.add_argument("--np", action="store_true", help="NP classes (no output negation) instead of NPN classes")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar over chunks (default: on a terminal)")
    c.set_defaults(run=_census_main)
