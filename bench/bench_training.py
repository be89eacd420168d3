#!/usr/bin/env python
"""Speed of the experiments' training loop and measures ("harness" below) against straightforward PyTorch, on the Hahn & Rofin model
(post-LN transformer, d = 32, 2 layers, 2 heads, readout at the last position).

Timed (median of ``--repeats``; the load average is recorded with every timing because the
machine is shared; the benchmark measures, it asserts nothing):

1. training steps per second on PARITY_n, batch 128, fresh batches:
   * ``straightforward``: a plain loop (sample, forward, MSE, backward, AdamW step), torch's
     default thread count, a model evaluating every block at every position;
   * ``straightforward_1thread``: the same with one intra-op thread;
   * ``harness``: :func:`empirical.train.loop.train` with the experiments' logging (held-out loss
     every 50 steps to metrics.jsonl, a checkpoint every 250) and the model that evaluates its
     last block only at the readout position; one thread (the CLI's default).
2. loss sharpness L_ρ (16 draws, 1024 points): ``empirical.measure.metrics.loss_sharpness`` with
   ``method="loop"`` (perturb in place, evaluate, restore: the default) and ``method="vmap"``
   (draws batched with ``torch.func.vmap``), against the straightforward way (a deep copy of the
   model per draw, noise added, evaluated); and the layer-norm blowup through forward hooks
   against one plain forward pass.
3. exact measures of a trained-size network's function on the whole cube at ``--n-exact``
   (default 20: 2**20 = 1,048,576 inputs): ``from_model`` evaluation, then total influence, max
   sensitivity and weights by degree.

    python bench/bench_training.py                       # several minutes under load
    python bench/bench_training.py --quick               # smaller: n-exact 16, fewer steps
    python bench/bench_training.py --out bench/results/training.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boolsens as bs  # noqa: E402
from empirical.measure import metrics  # noqa: E402
from empirical.models import build_model  # noqa: E402
from empirical.harness.rundir import RunDir  # noqa: E402
from empirical.harness.runtime import environment  # noqa: E402
from empirical.data.tasks import make_target, uniform_batches  # noqa: E402
from empirical.train.loop import train  # noqa: E402


def load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def timed(fn, repeats: int) -> dict:
    times, loads = [], []
    for _ in range(repeats):
        loads.append(load())
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return {"median_s": statistics.median(times), "all_s": [round(t, 4) for t in times], "load_before": loads}


def full_forward(model, bits):
    """The model evaluated the straightforward way: every block at every position."""
    tok, pos = model.tok_emb(bits), model.pos_emb(model.positions).expand(bits.shape[0], -1, -1)
    h = torch.cat([tok, pos], -1)
    for block in model.blocks:
        h = block(h)
    return model.head(model.final_ln(h[:, model.readout_position])).squeeze(-1)


def bench_steps(n: int, steps: int, repeats: int) -> dict:
    target = make_target("parity", n)
    eval_bits, eval_y = uniform_batches(target, 4096, torch.Generator().manual_seed(1))(0)

    def fresh():
        torch.manual_seed(0)
        return build_model("transformer", n, d_model=32, n_layers=2, n_heads=2)

    def straightforward(threads: int):
        def go():
            torch.set_num_threads(threads)
            model = fresh().train()
            opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
            g = torch.Generator().manual_seed(0)
            for _ in range(steps):
                x = torch.randint(0, 2, (128, n), generator=g)
                y = (x.sum(1) % 2).float()
                opt.zero_grad()
                loss = ((full_forward(model, x) - y) ** 2).mean()
                loss.backward()
                opt.step()
        return go

    def harness():
        torch.set_num_threads(1)
        model = fresh()
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
        with tempfile.TemporaryDirectory() as d:
            rd = RunDir(d, device="cpu", show_progress=False)
            g = torch.Generator().manual_seed(0)
            train(model, opt, steps=steps, next_batch=uniform_batches(target, 128, g), generator=g,
                  loss_fn=lambda m, x, y: metrics.mse_loss(m(x), y), ctx=rd.context("b"), log_every=50,
                  checkpoint_every=250,
                  on_log=lambda s, m: {"eval": float(metrics.mse_loss(m(eval_bits), eval_y))})

    default_threads = torch.get_num_threads()
    out = {}
    for name, fn in (("straightforward", straightforward(default_threads)),
                     ("straightforward_1thread", straightforward(1)), ("harness", harness)):
        r = timed(fn, repeats)
        r["steps_per_s"] = steps / r["median_s"]
        out[name] = r
    torch.set_num_threads(default_threads)
    out["default_threads"] = default_threads
    return out


def bench_sharpness(n: int, repeats: int) -> dict:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = build_model("transformer", n, d_model=32, n_layers=2, n_heads=2)
    bits, y = uniform_batches(make_target("parity", n), 1024, torch.Generator().manual_seed(0))(0)
    out = {}

    def deepcopies():
        import copy

        P = sum(p.numel() for k, p in model.named_parameters() if not k.startswith("pos_emb"))
        g = torch.Generator().manual_seed(1)
        with torch.no_grad():
            base = float(metrics.mse_loss(model(bits), y))
            total = 0.0
            for _ in range(16):
                twin = copy.deepcopy(model)
                for k, p in twin.named_parameters():
                    if not k.startswith("pos_emb"):
                        p.add_(torch.randn(p.shape, generator=g) / P**0.5)
                total += float(metrics.mse_loss(twin(bits), y))
        return total / 16 - base

    out["straightforward_deepcopy"] = timed(deepcopies, repeats)
    out["loop"] = timed(lambda: metrics.loss_sharpness(model, bits, y, rho=1.0, draws=16, seed=1), repeats)
    for chunk in (4, 16):
        out[f"vmap_chunk{chunk}"] = timed(lambda: metrics.loss_sharpness(model, bits, y, rho=1.0, draws=16, seed=1,
                                                                         method="vmap", chunk=chunk), repeats)
    out["blowup_hooks"] = timed(lambda: metrics.layer_norm_blowup(model, bits), repeats)
    with torch.no_grad():
        out["one_forward"] = timed(lambda: model(bits), repeats)
    a = metrics.loss_sharpness(model, bits, y, rho=1.0, draws=16, seed=1, method="vmap")
    b = metrics.loss_sharpness(model, bits, y, rho=1.0, draws=16, seed=1)
    out["vmap_minus_loop"] = a - b
    return out


def bench_exact(n: int, threads: int) -> dict:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build_model("transformer", n, d_model=32, n_layers=2, n_heads=2)
    out = {"n": n, "inputs": 2**n, "threads": threads, "load_before": load()}
    t = time.perf_counter()
    f, _ = metrics.network_function(model, n)
    out["from_model_s"] = time.perf_counter() - t
    t = time.perf_counter()
    out["total_influence"] = float(bs.total_influence(f))
    out["max_sensitivity"] = int(bs.sensitivity(f))
    bs.fourier_weights(f)
    out["measures_s"] = time.perf_counter() - t
    out["load_after"] = load()
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=10, help="length for the training and sharpness timings")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--n-exact", type=int, default=20)
    p.add_argument("--quick", action="store_true", help="steps 100, repeats 1, n-exact 16")
    p.add_argument("--out", default=None, help="write the results as JSON here")
    a = p.parse_args(argv)
    if a.quick:
        a.steps, a.repeats, a.n_exact = 100, 1, 16
    res = {"environment": environment("cpu"), "n": a.n, "steps": a.steps}
    res["training"] = bench_steps(a.n, a.steps, a.repeats)
    print(json.dumps({k: v.get("steps_per_s") for k, v in res["training"].items() if isinstance(v, dict)}))
    res["sharpness"] = bench_sharpness(a.n, a.repeats)
    print(json.dumps({k: (v["median_s"] if isinstance(v, dict) else v) for k, v in res["sharpness"].items()}))
    res["exact"] = bench_exact(a.n_exact, 1)
    print(json.dumps(res["exact"]))
    res["load_end"] = load()
    if a.out:
        Path(a.out).parent.mkdir(parents=True, exist_ok=True)
        Path(a.out).write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
