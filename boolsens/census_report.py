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
from .census import census, census_chunk, census_chunk_count
from .census_extra import CLASS_FIELDS, EXTRA_FIELDS, extra_columns
from .errors import BoolsensError
from .progress import bar

__all__ = ["census_report", "register", "CENSUS_JOINTS", "CENSUS_RATIOS", "CENSUS_EXTRA_RATIOS"]


#: the joint distributions the census command tabulates (row measure, column measure)
CENSUS_JOINTS = (("sensitivity", "degree"), ("sensitivity", "block_sensitivity"),
                 ("certificate_complexity", "decision_tree_depth"), ("total_influence", "sensitivity"))
#: the ratios whose largest value (and witnesses) the census command reports
CENSUS_RATIOS = (("block_sensitivity", "sensitivity"), ("degree", "sensitivity"),
                 ("decision_tree_depth", "certificate_complexity"), ("certificate_complexity", "block_sensitivity"),
                 ("decision_tree_depth", "degree"))
#: the ratios of the further columns (:mod:`boolsens.census_extra`) the census command reports
CENSUS_EXTRA_RATIOS = (("fractional_block_sensitivity", "sensitivity"), ("approximate_degree", "sensitivity"),
                       ("fourier_entropy", "total_influence"))
_SHORT = {"sensitivity": "s", "degree": "deg", "block_sensitivity": "bs", "certificate_complexity": "C",
          "decision_tree_depth": "D", "total_influence": "I", "fractional_block_sensitivity": "fbs",
          "approximate_degree": "adeg", "fourier_entropy": "H"}
_DYADIC = ("total_influence", "spectral_norm", "bias")


def _census_rows(n: int, out: Any, np_classes: bool, show: bool | None) -> list[np.ndarray]:
    """Every chunk of the census, each stored in ``out/chunks`` as soon as it is made (atomic
    .npy files); chunks already stored are loaded, so an interrupted run resumes."""
    folder = Path(out) / "chunks"
    count = census_chunk_count(n)
    parts = []
    with bar(count, desc=f"census n={n} chunks", unit="chunk", enabled=show) as b:
        for k in range(count):
            path = folder / f"{'np' if np_classes else 'npn'}-n{n}-{k:04d}.npy"
            parts.append(_stored(path, lambda: census_chunk(n, k, np_classes=np_classes)))
            b.update(1)
    return parts


def _stored(path: Path, make: Any) -> np.ndarray:
    """The array stored at ``path``, or ``make()`` stored there atomically (a corrupt file is
    made again, with one line on stderr)."""
    if path.exists():
        try:
            return np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            print(f"boolsens census: {path} is corrupt ({exc}); recomputing that chunk", file=sys.stderr)
    rows = make()
    buf = io.BytesIO()
    np.save(buf, rows, allow_pickle=False)
    storage.atomic_write_bytes(path, buf.getvalue())
    return rows


_ROW_FIELDS = tuple(f for f in EXTRA_FIELDS if f not in CLASS_FIELDS)


def _extra_chunk(n: int, rows: np.ndarray, np_classes: bool) -> np.ndarray:
    return extra_columns(rows, n, fields=_ROW_FIELDS, np_classes=np_classes, show_progress=False)


def _extra_rows(n: int, out: Any, parts: list[np.ndarray], np_classes: bool, show: bool | None,
                jobs: int) -> np.ndarray:
    """The further columns (:mod:`boolsens.census_extra`) of every chunk, stored beside the
    chunk as it is made (``jobs`` processes work on chunks at once), and the class columns
    (threshold, monotone and symmetric members) for all rows at once."""
    folder = Path(out) / "chunks"
    paths = [folder / f"{'np' if np_classes else 'npn'}-n{n}-{k:04d}-extra.npy" for k in range(len(parts))]
    done: dict[int, np.ndarray] = {}
    for k, path in enumerate(paths):
        if path.exists():
            try:
                done[k] = np.load(path, allow_pickle=False)
            except (ValueError, OSError, EOFError) as exc:
                print(f"boolsens census: {path} is corrupt ({exc}); recomputing that chunk", file=sys.stderr)
    todo = [k for k in range(len(parts)) if k not in done]
    with bar(len(parts), desc=f"census n={n} further columns", unit="chunk", initial=len(done), enabled=show) as b:
        if jobs > 1 and len(todo) > 1:
            from concurrent.futures import ProcessPoolExecutor
            import multiprocessing

            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
                futures = {k: pool.submit(_extra_chunk, n, parts[k], np_classes) for k in todo}
                for k in todo:
                    done[k] = _stored(paths[k], futures[k].result)
                    b.update(1)
        else:
            for k in todo:
                done[k] = _stored(paths[k], lambda: _extra_chunk(n, parts[k], np_classes))
                b.update(1)
    per_row = np.concatenate([done[k] for k in range(len(parts))])
    rows = np.concatenate(parts)
    per_class = extra_columns(rows, n, fields=CLASS_FIELDS, np_classes=np_classes)
    out = np.empty(len(rows), dtype=np.dtype([(f, per_row.dtype.fields[f][0] if f in _ROW_FIELDS
                                                else per_class.dtype.fields[f][0]) for f in EXTRA_FIELDS]))
    for f in EXTRA_FIELDS:
        out[f] = per_row[f] if f in _ROW_FIELDS else per_class[f]
    return out


def _label(x: Any, n: int, name: str) -> str:
    """A value of a census column as text: exact fractions for the dyadic ones, integers as
    integers, the Fourier entropy to 6 decimals."""
    if name == "fourier_entropy":
        return f"{float(x):.6f}"
    if name in _DYADIC:
        return str(Fraction(float(x)).limit_denominator(1 << (2 * n)))
    if isinstance(x, (float, np.floating)) and not float(x).is_integer():
        return str(Fraction(float(x)).limit_denominator(1 << 12))
    return str(int(x))


def _json_value(x: Any, n: int, name: str) -> Any:
    """A witness's value in extremes.json: an int for the integer measures, else its exact text."""
    if name not in _DYADIC and name != "fourier_entropy" and float(x).is_integer():
        return int(x)
    return _label(x, n, name)


def _property_counts(n: int, rows: np.ndarray, more: np.ndarray | None) -> list[dict]:
    """The number of monotone, threshold, symmetric and bent functions on each m <= n (the
    smaller m from their own, millisecond censuses)."""
    out = []
    for m in range(n + 1):
        if m == n:
            r, e = rows, more
        else:
            r = census(m)
            e = extra_columns(r, m, fields=["nonlinearity", "threshold", "monotone_members", "symmetric_members"])
        orbit = r["orbit"].astype(np.int64)
        bent = None
        if m % 2 == 0:
            # 2·NL = 2^m − 2^{m/2}: the bound of bs.is_bent, met by both constants at m = 0
            bent = int(orbit[2 * e["nonlinearity"].astype(np.int64) == (1 << m) - (1 << (m // 2))].sum())
        out.append({"n": m, "functions": 1 << (1 << m), "monotone": int(e["monotone_members"].sum()),
                    "threshold": int(orbit[e["threshold"]].sum()), "symmetric": int(e["symmetric_members"].sum()),
                    "bent": bent})
    return out


def census_report(n: int, out: str, *, np_classes: bool = False, extra: bool = True, jobs: int = 1,
                  show_progress: bool | None = None) -> dict:
    """Write the census of every function on n <= 5 variables to the folder ``out``:
    ``classes.csv`` (one row per class), ``distributions.csv`` (every measure over all functions
    and over classes), ``joint_<a>_<b>.csv`` and ``.png`` (joint histograms over all functions),
    ``extremes.json`` (the largest ratios bs/s, deg/s, D/C, C/bs, D/deg and, with the further
    columns, fbs/s, adeg/s and H/I, with their witnesses' truth tables), ``properties.csv`` (the
    numbers of monotone, threshold, symmetric and bent functions on each m <= n), ``report.md``
    and ``summary.json``. ``extra`` adds the columns of :mod:`boolsens.census_extra` (at n = 5
    mostly the approximate degree's linear programmes: ``jobs`` processes share them).
    Resumable: chunks are stored as they are made (see :func:`_census_rows`). Returns the
    summary."""
    start = time.perf_counter()
    parts = _census_rows(n, out, np_classes, show_progress)
    rows = np.concatenate(parts)
    more = _extra_rows(n, out, parts, np_classes, show_progress, jobs) if extra else None
    if np_classes:
        order = np.argsort(rows["table"], kind="stable")
        rows = rows[order]
        more = more[order] if more is not None else None
    folder = Path(out)
    total = 1 << (1 << n)
    orbit = rows["orbit"].astype(np.int64)
    if int(orbit.sum()) != total:  # pragma: no cover - the census's own invariant
        raise BoolsensError(f"the census of n={n} counts {int(orbit.sum())} functions, not {total}")
    group = "NP" if np_classes else "NPN"
    cols = {name: rows[name] for name in rows.dtype.names}
    if more is not None:
        cols.update({name: more[name] for name in more.dtype.names})

    # one row per class
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra_head = [f for f in EXTRA_FIELDS] if more is not None else []
    head = ["table", "orbit", "degree", "sensitivity", "block_sensitivity", "certificate_complexity",
            "decision_tree_depth", "sensitive_edges", "total_influence", "bias"] + [f"W{k}" for k in range(n + 1)]
    w.writerow(head + extra_head)
    digits = max(1, (1 << n) // 4)
    den_w = 4**n
    for i, r in enumerate(rows):
        w.writerow([f"0x{int(r['table']):0{digits}x}", int(r["orbit"]), int(r["degree"]), int(r["sensitivity"]),
                    int(r["block_sensitivity"]), int(r["certificate_complexity"]), int(r["decision_tree_depth"]),
                    int(r["sensitive_edges"]), str(Fraction(int(r["sensitive_edges"]), 1 << max(n - 1, 0))),
                    str(Fraction(float(r["bias"])).limit_denominator(1 << n))]
                   + [str(Fraction(int(v), den_w)) for v in r["level_sums"]]
                   + [_label(more[f][i], n, f) if f != "threshold" else int(more[f][i]) for f in extra_head])
    storage.write_text(folder / "classes.csv", buf.getvalue())

    # distributions of each measure
    measures = ["sensitivity", "degree", "block_sensitivity", "certificate_complexity", "decision_tree_depth",
                "total_influence"]
    if more is not None:
        measures += ["gf2_degree", "min_sensitivity", "fractional_block_sensitivity", "approximate_degree",
                     "nonlinearity", "spectral_norm"]
    values = {m: cols[m] for m in measures}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["measure", "value", "functions", "classes"])
    distributions = {}
    for m, v in values.items():
        keys = np.unique(v)
        distributions[m] = {}
        for key in keys:
            sel = v == key
            label = _label(key, n, m)
            distributions[m][label] = int(orbit[sel].sum())
            w.writerow([m, label, int(orbit[sel].sum()), int(sel.sum())])
    storage.write_text(folder / "distributions.csv", buf.getvalue())

    # joint histograms over all functions
    joints = []
    for a, b in CENSUS_JOINTS:
        ka, kb = np.unique(values[a]), np.unique(values[b])
        table = np.zeros((len(ka), len(kb)), dtype=np.int64)
        ia, ib = np.searchsorted(ka, values[a]), np.searchsorted(kb, values[b])
        np.add.at(table, (ia, ib), orbit)
        la = [_label(x, n, a) for x in ka]
        lb = [_label(x, n, b) for x in kb]
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
    ratios = CENSUS_RATIOS + (CENSUS_EXTRA_RATIOS if more is not None else ())
    for a, b in ratios:
        num, den = cols[a].astype(np.float64), cols[b].astype(np.float64)
        ok = den > 0
        if not ok.any():  # n = 0: every function is constant, every ratio 0/0
            extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": None, "classes": 0, "functions": 0,
                             "witnesses": []})
            continue
        ratio = np.where(ok, num / np.where(ok, den, 1), -np.inf)
        best = float(ratio.max())
        sel = np.flatnonzero(ratio == best)
        value = f"{best:.6f}" if "fourier_entropy" in (a, b) else str(Fraction(best).limit_denominator(64))
        extremes.append({"ratio": f"{_SHORT[a]}/{_SHORT[b]}", "value": value,
                         "classes": int(sel.size), "functions": int(orbit[sel].sum()),
                         "witnesses": [{"table": f"0x{int(rows['table'][i]):0{digits}x}",
                                        _SHORT[a]: _json_value(cols[a][i], n, a),
                                        _SHORT[b]: _json_value(cols[b][i], n, b),
                                        "orbit": int(orbit[i])} for i in sel[:5]]})
    storage.write_json(folder / "extremes.json", extremes)

    properties = _property_counts(n, rows, more) if more is not None and not np_classes else []
    if properties:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(list(properties[0]))
        for p in properties:
            w.writerow(["" if v is None else v for v in p.values()])
        storage.write_text(folder / "properties.csv", buf.getvalue())

    figures = _census_figures(folder, joints, n)
    seconds = time.perf_counter() - start
    summary = {"n": n, "group": group, "classes": int(len(rows)), "functions": total,
               "distributions": distributions, "extremes": extremes, "properties": properties,
               "seconds": round(seconds, 2)}
    lines = [f"# Census of every Boolean function on n = {n}", "",
             f"{total:,} functions in {len(rows):,} {group} classes "
             f"({'permuting and negating inputs' + ('' if np_classes else ', negating the output')}); "
             f"every measure exact except the Fourier entropy (rounded to float64); conventions and "
             f"definitions: docs/theory.md. {seconds:.1f} s.", "",
             "## Distributions over all functions", ""]
    for m, d in distributions.items():
        lines.append(f"- {m}: " + ", ".join(f"{k}: {v:,}" for k, v in d.items()))
    if more is not None:
        h = cols["fourier_entropy"]
        lines.append(f"- fourier_entropy: mean {float(h @ orbit) / total:.4f}, largest {float(h.max()):.4f} bits")
    lines += ["", "## Largest ratios", "", "| ratio | value | classes | functions | witnesses (canonical table) |",
              "|---|---|---|---|---|"]
    for e in extremes:
        lines.append(f"| {e['ratio']} | {e['value'] if e['value'] is not None else 'undefined (0/0)'} | "
                     f"{e['classes']} | {e['functions']:,} | "
                     + ", ".join(x["table"] for x in e["witnesses"]) + " |")
    if properties:
        lines += ["", "## Monotone, threshold, symmetric and bent functions on each m <= n", "",
                  "| m | functions | monotone | threshold | symmetric | bent |", "|---|---|---|---|---|---|"]
        lines += [f"| {p['n']} | {p['functions']:,} | {p['monotone']:,} | {p['threshold']:,} | "
                  f"{p['symmetric']:,} | {'—' if p['bent'] is None else format(p['bent'], ',')} |" for p in properties]
        lines += ["", "Bent functions (nonlinearity 2^{m−1} − 2^{m/2−1}, as `bs.is_bent`) exist only for even m; "
                  "at m = 0 both constants meet the definition."]
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
    if args.jobs < 1:
        raise BoolsensError(f"--jobs={args.jobs} must be at least 1")
    summary = census_report(args.n, args.out, np_classes=args.np, extra=args.extra, jobs=args.jobs,
                            show_progress=args.progress)
    print(f"census n={args.n}: {summary['functions']:,} functions in {summary['classes']:,} {summary['group']} "
          f"classes ({summary['seconds']:.1f} s); report: {args.out}/report.md")
    for e in summary["extremes"][:2] + summary["extremes"][len(CENSUS_RATIOS):]:
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
    c.add_argument("--extra", action=argparse.BooleanOptionalAction, default=True,
                   help="the further columns: GF(2) degree, spectral norm, Fourier entropy, min sensitivity, "
                        "nonlinearity, fbs, approximate degree, threshold, monotone, symmetric (default: on; "
                        "n = 5 takes about 1.2 million small linear programmes)")
    c.add_argument("--jobs", type=int, default=1, help="processes for the further columns (default 1)")
    c.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="a progress bar over chunks (default: on a terminal)")
    c.set_defaults(run=_census_main)
