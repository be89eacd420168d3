"""Throughput of a small transformer as a black box (issue #17): model evaluations per second
through boolsens's evaluator, against the model's own forward pass.

    python bench/bench_black_box.py [--rounds 3] [--rows 16384] [--threads 1]

Models (``empirical.train.recipe.make_model``, Hahn & Rofin's transformer, untrained: the
throughput does not depend on the weights): ``example`` (d_model 16, 1 layer, d_mlp 16: the one
of docs/examples/black-box.md) and ``recipe`` (the Recipe defaults: d_model 32, 2 layers,
d_mlp 32), at n = 64 and n = 100. The black box is the module behind a ±1 wrapper (bits in,
sign out), passed to boolsens as a ``torch.nn.Module``.

For each: ``forward`` — the wrapped module alone on ready-made float ±1 tensors in batches of
4,096 under ``torch.no_grad`` (the floor); ``evaluator`` — ``Evaluator(f, n, boolean=True)`` on
int8 ±1 rows (conversion to tensors, batching, output checks); ``fourier_coefficients`` — the
whole estimator at max_degree = 2 with ``rows`` samples (sampling, evaluation, matrix products).
Rows per second = rows evaluated / median time over ``--rounds``. Load average before and after;
``--threads`` torch threads and BLAS threads (the 2-core machine is shared, so 1 by default;
under load, two OpenBLAS threads made the estimator's (16384 × 64) products 50x slower than
one, through threadpoolctl when it is installed). Writes
``bench/results/black_box.json`` and ``.md``. The benchmark measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

import boolsens as bs
from boolsens.estimate.evaluator import Evaluator
from boolsens.estimate.sampling import uniform_points
from empirical.measure.metrics import SignsOf
from empirical.train.recipe import Recipe, make_model

OUT = Path(__file__).resolve().parent / "results"
MODELS = {"example": dict(d_model=16, n_layers=1, n_heads=2, d_mlp=16), "recipe": dict(d_model=32, n_layers=2,
                                                                                     n_heads=2, d_mlp=32)}


def median_time(fn, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bench(name: str, n: int, rows: int, rounds: int) -> dict:
    f = SignsOf(make_model(n, Recipe(**MODELS[name]), seed=0)).eval()
    x = uniform_points(np.random.default_rng(0), rows, n)
    xt = torch.from_numpy(x.astype(np.float32))

    def forward():
        with torch.no_grad():
            for lo in range(0, rows, 4096):
                f(xt[lo:lo + 4096])

    ev = Evaluator(f, n, boolean=True)
    with torch.no_grad():
        f(xt[:4096])  # warm-up (allocator, kernels), untimed
    out = {"model": name, **MODELS[name], "n": n, "rows": rows,
           "parameters": sum(p.numel() for p in f.parameters()), "batch_size": ev.batch_size}
    t_fwd = median_time(forward, rounds)
    t_ev = median_time(lambda: ev(x), rounds)
    t_fc = median_time(lambda: bs.estimate.fourier_coefficients(f, n, max_degree=2, samples=rows, rng=0), rounds)
    out.update(forward_s=t_fwd, evaluator_s=t_ev, fourier_coefficients_s=t_fc,
               forward_rows_per_s=rows / t_fwd, evaluator_rows_per_s=rows / t_ev,
               fourier_coefficients_rows_per_s=rows / t_fc, evaluator_over_forward=t_ev / t_fwd)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=16_384)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # BLAS keeps its own thread count
        blas = None
    else:
        blas = threadpool_limits(limits=args.threads, user_api="blas")
    load_before = os.getloadavg()
    runs = [bench(name, n, args.rows, args.rounds) for name in MODELS for n in (64, 100)]
    if blas is not None:
        blas.restore_original_limits()
    load_after = os.getloadavg()
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    doc = {"date": stamp, "machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
           "torch": torch.__version__, "threads": args.threads,
           "blas_threads": args.threads if blas is not None else "default", "rounds": args.rounds,
           "load_before": load_before, "load_after": load_after, "runs": runs}
    OUT.mkdir(exist_ok=True)
    (OUT / "black_box.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = ["# A small transformer as a black box: model evaluations per second", "",
             f"{stamp}, {doc['cpus']} CPUs, torch {torch.__version__}, {args.threads} torch thread(s), "
             f"median of {args.rounds} rounds of {args.rows:,} rows; load average (1, 5, 15 min) "
             f"{tuple(round(v, 2) for v in load_before)} before, {tuple(round(v, 2) for v in load_after)} after "
             "(a shared machine: absolute rates move with the load, the ratios less).", "",
             "| model | n | parameters | forward alone (rows/s) | through the evaluator (rows/s) | "
             "evaluator / forward time | fourier_coefficients(max_degree=2) (rows/s) |",
             "|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r['model']} (d {r['d_model']}, {r['n_layers']} layer{'s' if r['n_layers'] > 1 else ''}) "
                     f"| {r['n']} | {r['parameters']:,} | {r['forward_rows_per_s']:,.0f} | "
                     f"{r['evaluator_rows_per_s']:,.0f} | {r['evaluator_over_forward']:.2f} | "
                     f"{r['fourier_coefficients_rows_per_s']:,.0f} |")
    lines += ["", "Forward alone: the ±1 wrapper and the network on ready float tensors, batches of 4,096. "
              "Through the evaluator: int8 rows → tensors, batches of the evaluator's default size, the output "
              "checked to be ±1. fourier_coefficients: the whole estimator (sampling, evaluation, the degree ≤ 2 "
              "matrix products) per sample. Written by bench/bench_black_box.py."]
    (OUT / "black_box.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
