"""Every CUDA path of boolsens, timed on the GPU at hand (run by ``bench/gpu_check.sh``).

Sections (each guarded: a failure is recorded with its message and the run goes on):

1. the core on CUDA tensors: ``fwht`` (float32/float64, n = 20…26), ``fourier_weights``,
   ``noise_stability``, ``degree`` and the real-valued influences, each checked against the CPU
   result and timed against it;
2. ``BooleanFunction.from_model`` of a length-scaling transformer on the whole cube (n = 20) on
   CUDA vs the CPU;
3. the census of n = 5 on CUDA (``bs.census(5, device="cuda")``) vs the numba CPU path, rows
   compared;
4. batched seeds: K copies of the length-scaling gpu-preset transformer trained at once
   (``empirical.train.batched.train_batched``) against one at a time, throughput in model-steps per
   second (the issue's target: at least 5x);
5. a few steps of every experiment's ``gpu`` preset (``--set`` shortens them), so each gpu path
   runs at least once.

Writes ``bench/results/gpu.json`` and ``bench/results/gpu.md``. It measures and asserts nothing
about times. Without CUDA it says so and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


#: the device the sections run on: "cuda" (the check), or "cpu" for a dry run of the code paths
DEVICE = "cuda"


def _sync() -> None:
    import torch

    if DEVICE.startswith("cuda"):
        torch.cuda.synchronize()


def _timed(fn, repeats: int = 3):
    fn()  # warm-up (compilation, allocator)
    _sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        _sync()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def _section(report: dict, name: str, fn) -> None:
    t0 = time.perf_counter()
    try:
        report["sections"][name] = {"result": fn(), "seconds": round(time.perf_counter() - t0, 2)}
    except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
        report["sections"][name] = {"error": f"{type(exc).__name__}: {exc}",
                                    "traceback": traceback.format_exc(limit=4)}
    print(f"[{time.perf_counter() - report['t0']:6.1f}s] {name}: "
          f"{'error' if 'error' in report['sections'][name] else 'done'}", flush=True)


def core(quick: bool) -> list[dict]:
    import numpy as np
    import torch

    import boolsens as bs

    rows = []
    for n in ((20, 22) if quick else (20, 22, 24, 26)):
        for dtype in (torch.float32, torch.float64):
            x_cpu = torch.from_numpy(np.random.default_rng(n).standard_normal(1 << n)).to(dtype)
            x = x_cpu.to(DEVICE)
            gpu = _timed(lambda: bs.fwht(x))
            t0 = time.perf_counter()
            ref = bs.fwht(x_cpu.numpy())
            cpu = time.perf_counter() - t0
            err = float((bs.fwht(x).cpu().double() - torch.from_numpy(np.asarray(ref, dtype=np.float64))).abs().max())
            rows.append({"work": f"fwht {str(dtype)[6:]}", "n": n, "cuda_s": gpu, "cpu_s": cpu,
                         "max_abs_diff": err})
    n = 22
    signs = torch.from_numpy(bs.random_function(n, seed=0).signs.astype(np.float32)).to(DEVICE)
    for name, call, ref in (
        ("fourier_weights", lambda: bs.fourier_weights(signs), lambda: bs.fourier_weights(bs.random_function(n, seed=0))),
        ("noise_stability(0.5)", lambda: bs.noise_stability(signs, 0.5),
         lambda: bs.noise_stability(bs.random_function(n, seed=0), 0.5)),
        ("degree", lambda: bs.degree(signs), lambda: bs.degree(bs.random_function(n, seed=0))),
        ("influences (real path)", lambda: bs.influences(signs * 0.5),
         lambda: bs.influences(bs.random_function(n, seed=0).signs * 0.5)),
    ):
        gpu = _timed(call)
        t0 = time.perf_counter()
        expected = ref()
        cpu = time.perf_counter() - t0
        got = call()
        diff = float(np.max(np.abs(np.asarray(got.cpu() if hasattr(got, "cpu") else got, dtype=np.float64)
                                   - np.asarray(expected, dtype=np.float64))))
        rows.append({"work": name, "n": n, "cuda_s": gpu, "cpu_s": cpu, "max_abs_diff": diff})
    return rows


def from_model(quick: bool) -> dict:
    import torch

    import boolsens as bs
    from empirical.measure.metrics import encode_signs
    from empirical.models import build_model

    n = 16 if quick else 20
    torch.manual_seed(0)
    model = build_model("transformer", n, d_model=128, n_heads=2, n_layers=2)
    out = {}
    for label, device in (("device", DEVICE), ("cpu", "cpu")):
        m = model.to(device)
        t0 = time.perf_counter()
        f = bs.BooleanFunction.from_model(m, n, encode=lambda x: encode_signs(x), show_progress=False)
        _sync()
        out[label] = {"seconds": time.perf_counter() - t0, "total_influence": float(bs.total_influence(f)),
                      "hex_prefix": f.to_hex()[:16]}
    out["n"] = n
    out["same_function"] = out["device"]["hex_prefix"] == out["cpu"]["hex_prefix"]
    return out


def census() -> dict:
    import numpy as np

    import boolsens as bs

    t0 = time.perf_counter()
    gpu = bs.census(5 if DEVICE.startswith("cuda") else 4, device=DEVICE)
    t_gpu = time.perf_counter() - t0
    t0 = time.perf_counter()
    cpu = bs.census(5 if DEVICE.startswith("cuda") else 4)
    t_cpu = time.perf_counter() - t0
    equal = all(np.array_equal(gpu[f], cpu[f]) for f in cpu.dtype.names)
    return {"classes": int(len(gpu)), "cuda_s": t_gpu, "cpu_numba_s": t_cpu, "rows_equal": bool(equal)}


def batched_seeds(quick: bool) -> list[dict]:
    import torch

    from empirical.train.batched import train_batched
    from empirical.models import build_model

    n, batch, steps = 20, 1024, (20 if quick else 50)
    if not DEVICE.startswith("cuda"):
        n, batch, steps = 8, 32, 2
    rows = []
    for K in ((1, 8) if quick else (1, 4, 8, 16, 32)):
        def make(k):
            torch.manual_seed(k)
            return build_model("transformer", n, d_model=128 if n == 20 else 16, n_heads=2, n_layers=2).to(DEVICE)

        g = torch.Generator(device=DEVICE).manual_seed(0)

        def next_batch(step, K=K):
            x = torch.randint(0, 2, (K, batch, n), device=DEVICE, generator=g)
            return x, (x.sum(-1) % 2).float()

        # one at a time
        model = make(0)
        opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0.1)
        x, y = next_batch(0, 1)
        for _ in range(3):
            opt.zero_grad(); ((model(x[0]) - y[0]) ** 2).mean().backward(); opt.step()  # noqa: E702
        _sync()
        t0 = time.perf_counter()
        for _ in range(steps):
            x, y = next_batch(0, 1)
            opt.zero_grad(); ((model(x[0]) - y[0]) ** 2).mean().backward(); opt.step()  # noqa: E702
        _sync()
        single = steps / (time.perf_counter() - t0)
        models = [make(k) for k in range(K)]
        train_batched(models, steps=3, next_batch=next_batch, loss_fn=lambda o, t: ((o - t) ** 2).mean(),
                      make_optimizer=lambda ps: torch.optim.AdamW(ps, lr=3e-4, weight_decay=0.1))
        _sync()
        t0 = time.perf_counter()
        train_batched(models, steps=steps, next_batch=next_batch, loss_fn=lambda o, t: ((o - t) ** 2).mean(),
                      make_optimizer=lambda ps: torch.optim.AdamW(ps, lr=3e-4, weight_decay=0.1))
        _sync()
        batched = K * steps / (time.perf_counter() - t0)
        rows.append({"K": K, "one_at_a_time_model_steps_per_s": single, "batched_model_steps_per_s": batched,
                     "throughput_ratio": batched / single})
    return rows


def presets(quick: bool) -> list[dict]:
    from empirical.harness import registry

    out = []
    for exp in registry.experiments():
        folder = Path("/tmp/boolsens-gpu-check") / exp.name
        cmd = [sys.executable, "-m", "boolsens_cli", "experiment", exp.name, "--preset", "gpu", "--out", str(folder),
               "--device", DEVICE, "--quiet", "--n-seeds", "1"]
        short = _shorten(exp)
        for s in short:
            cmd += ["--set", s]
        t0 = time.perf_counter()
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=240 if not quick else 120)
        out.append({"experiment": exp.name, "sets": short, "returncode": res.returncode,
                    "seconds": round(time.perf_counter() - t0, 1), "tail": (res.stdout + res.stderr)[-600:]})
    return out


def _shorten(exp) -> list[str]:
    """``--set`` options that cut a gpu preset to a few steps (by field names the configs use)."""
    import dataclasses

    cfg = exp.presets["gpu"]
    sets = []

    def visit(obj, prefix: str) -> None:
        for f in dataclasses.fields(obj):
            v = getattr(obj, f.name)
            name = f"{prefix}{f.name}"
            if dataclasses.is_dataclass(v):
                visit(v, name + ".")
            elif isinstance(v, int) and not isinstance(v, bool) and f.name in (
                    "max_steps", "steps", "epochs", "max_epochs", "parity_epochs"):
                sets.append(f"{name}={min(v, 20)}")

    visit(cfg, "")
    return sets


def markdown(report: dict) -> str:
    lines = ["# GPU check", "", f"Run {report['utc']} on {report['gpu']} (torch {report['torch']}, "
             f"CUDA {report['cuda']}); commit {report['commit']}; `bench/gpu_check.sh`. It measures; nothing "
             "is asserted about times.", ""]
    for name, sec in report["sections"].items():
        lines += [f"## {name}", ""]
        if "error" in sec:
            lines += [f"FAILED: `{sec['error']}`", "", "```", sec.get("traceback", ""), "```", ""]
            continue
        res = sec["result"]
        if isinstance(res, list) and res and isinstance(res[0], dict):
            cols = list(res[0])
            lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            for r in res:
                lines.append("| " + " | ".join(f"{r[c]:.4g}" if isinstance(r[c], float) else str(r[c]) for c in cols)
                             + " |")
        else:
            lines += ["```json", json.dumps(res, indent=1), "```"]
        lines += ["", f"({sec['seconds']} s)", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes (a first look)")
    ap.add_argument("--device", default="cuda", help="cuda (the check) or cpu (a dry run of the code paths)")
    ap.add_argument("--skip", default="", help="comma-separated sections to skip: core,from_model,census,batched,presets")
    args = ap.parse_args()
    import torch

    global DEVICE
    DEVICE = args.device
    if DEVICE.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA device: nothing to check (run this on a machine with a GPU, or --device cpu for a dry run)")
        return 0
    skip = set(filter(None, args.skip.split(",")))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    report = {"utc": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "gpu": torch.cuda.get_device_name(0) if DEVICE.startswith("cuda") else "none (dry run on the CPU)",
              "torch": torch.__version__, "cuda": torch.version.cuda, "commit": commit,
              "python": platform.python_version(), "sections": {}, "t0": time.perf_counter()}
    if "core" not in skip:
        _section(report, "core measures on CUDA tensors", lambda: core(args.quick))
    if "from_model" not in skip:
        _section(report, "from_model on the whole cube", lambda: from_model(args.quick))
    if "census" not in skip:
        _section(report, "census of n = 5 on CUDA", census)
    if "batched" not in skip:
        _section(report, "batched seeds (length-scaling gpu model)", lambda: batched_seeds(args.quick))
    if "presets" not in skip:
        _section(report, "a few steps of every gpu preset", lambda: presets(args.quick))
    report.pop("t0")
    out = ROOT / "bench" / "results"
    if not DEVICE.startswith("cuda"):
        out = Path("/tmp/boolsens-gpu-dry-run")
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu.json").write_text(json.dumps(report, indent=1) + "\n")
    (out / "gpu.md").write_text(markdown(report))
    print(f"wrote {out / 'gpu.md'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("BOOLSENS_PROGRESS", "0")
    sys.exit(main())
