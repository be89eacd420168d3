#!/usr/bin/env python
"""Epochs per second of the grokking training run against a straightforward PyTorch loop.

Both train the same one-layer transformer (``empirical.models.modular``, the ``cpu`` preset of
the ``grokking`` experiment) full batch with AdamW for ``--epochs`` epochs from the same
initialisation:

* ``straightforward``: the loop one writes first: ``model.train()``, forward, backward, step,
  then ``model.eval()`` and train/test accuracy every epoch (what the grokking curves need at
  full resolution), with torch's default thread count.
* ``harness``: ``empirical.train.algorithmic.train_modular`` as the experiment runs it:
  ``empirical.train.loop.train`` (resumable: checkpoints, metrics.jsonl), train/test accuracy,
  parameter norm and the sensitivity probe every ``log_every`` epochs, one intra-op thread on CPU.

Also timed: the straightforward loop with one thread and the harness loop with the default
thread count, to separate the effect of threads from that of logging less often. Each variant
is run ``--repeats`` times; the median is reported. The machine is shared: the load average is
recorded before and after each timing. The benchmark measures; it asserts nothing.

    python bench/bench_grokking.py                    # ~1-3 min under load
    python bench/bench_grokking.py --epochs 200 --repeats 1 --out bench/results/grokking.json
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from empirical.harness import registry  # noqa: E402
from empirical.train.algorithmic import ModularAdditionSpec, train_modular  # noqa: E402
from empirical.data.real import modular_addition  # noqa: E402
from empirical.models.modular import ModularTransformer  # noqa: E402
from empirical.harness.rundir import RunDir  # noqa: E402
from empirical.harness.runtime import seed_everything  # noqa: E402


def straightforward(cfg: ModularAdditionSpec, epochs: int, seed: int) -> float:
    """Seconds for ``epochs`` epochs of the plain loop (accuracy every epoch)."""
    seed_everything(seed)
    xtr, ytr, xte, yte = modular_addition(cfg.p, train_fraction=cfg.train_fraction, seed=seed)
    model = ModularTransformer(cfg.model_config())
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, betas=tuple(cfg.betas))
    history = []
    t0 = time.perf_counter()
    for _ in range(epochs):
        model.train()
        loss = F.cross_entropy(model(xtr), ytr)
        opt.zero_grad()
        loss.backward()
        opt.step()
        model.eval()
        with torch.no_grad():
            history.append(((model(xtr).argmax(-1) == ytr).float().mean().item(),
                            (model(xte).argmax(-1) == yte).float().mean().item(), loss.item()))
    return time.perf_counter() - t0


def harness(cfg: ModularAdditionSpec, epochs: int, seed: int) -> float:
    experiment = registry.get("grokking").config("cpu")  # its sensitivity probe and stop rule
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = RunDir(tmp, device="cpu", show_progress=False)
        t0 = time.perf_counter()
        train_modular(dataclasses.replace(cfg, steps=epochs), seed, run_dir.context("bench"),
                      probe=experiment.sensitivity, extra_after_grok=experiment.extra_after_grok)
        return time.perf_counter() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    args = ap.parse_args(argv)
    cfg = registry.get("grokking").config("cpu").train  # the grokking experiment's cpu preset
    default_threads = torch.get_num_threads()
    variants = [
        ("straightforward", straightforward, default_threads),
        ("straightforward, 1 thread", straightforward, 1),
        ("harness (as the experiment runs it), 1 thread", harness, 1),
        ("harness, default threads", harness, default_threads),
    ]
    rows = []
    for name, fn, threads in variants:
        torch.set_num_threads(threads)
        fn(cfg, 20, 0)  # warm-up
        times, loads = [], []
        for r in range(args.repeats):
            loads.append(os.getloadavg()[0])
            times.append(fn(cfg, args.epochs, r))
        loads.append(os.getloadavg()[0])
        t = statistics.median(times)
        rows.append({"variant": name, "threads": threads, "epochs": args.epochs, "median_seconds": round(t, 3),
                     "epochs_per_second": round(args.epochs / t, 1), "all_seconds": [round(x, 3) for x in times],
                     "load_1min": loads})
        print(f"{name:48s} {args.epochs / t:8.1f} epochs/s  (median of {args.repeats}: {t:.2f} s; "
              f"load {loads[0]:.1f}..{loads[-1]:.1f})", flush=True)
    torch.set_num_threads(default_threads)
    base = rows[0]["epochs_per_second"]
    for r in rows:
        r["speedup_vs_straightforward"] = round(r["epochs_per_second"] / base, 2)
    result = {"config": dataclasses.asdict(cfg), "torch": torch.__version__, "cpu_count": os.cpu_count(),
              "default_threads": default_threads, "rows": rows}
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
