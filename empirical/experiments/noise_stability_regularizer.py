"""Does a noise-stability regulariser make grokking come earlier?

After Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026, who
propose noise stability as a simplicity measure and report training about 35% faster on
algorithmic tasks with a noise-stability regulariser (``docs/theory.md`` §5.8). Two tasks, each
trained with and without the regulariser over several seeds (:mod:`empirical.algorithmic`):

- ``modular``: a + b mod p with the one-layer transformer of the grokking experiment (full-batch
  AdamW, strong weight decay; after Nanda et al. (2023), "Progress measures for grokking via
  mechanistic interpretability", ICLR 2023); the noise acts on the two operand embeddings.
- ``parity``: a noisy k-sparse parity on n ±1 bits (training labels flipped with probability
  ``label_noise``; test labels clean) with a one-hidden-layer ReLU MLP, full batch AdamW; the
  noise acts on the input vector.

The regulariser is **our** definition (Haris et al. publish no code; see
``empirical.regularizers``): CE + γ · E‖c(f(E)) − c(f(Ẽ))‖²/C with Ẽ a ρ-correlated Gaussian
partner of the input embeddings, scaled to their RMS. Epochs to grok = the first logged epoch
with test accuracy ≥ 0.95 (runs that never get there are reported as not grokked, at the epoch
cap). We report the median and the range over seeds and the speedup 1 − median(reg)/median(base);
the paper reports about 35% on algorithmic tasks.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ..algorithmic import ModularAdditionSpec, SparseParitySpec, train_modular_addition, train_sparse_parity
from ..registry import ExperimentConfig, register
from ..report import pyplot
from ..rundir import RunDir
from ..runtime import limit_cpu_threads

CLAIM = (
    "Training with a noise-stability regulariser (rho-correlated Gaussian input noise) groks earlier "
    "than plain training: the paper reports about 35% faster training on algorithmic tasks."
)


@dataclass(frozen=True, kw_only=True)
class NoiseStabilityConfig(ExperimentConfig):
    """The seeds, the regulariser (strength ``gamma``, correlation ``rho``) and the two tasks."""

    seeds: int = 3
    gamma: float = 0.5
    rho: float = 0.8
    modular: ModularAdditionSpec = field(
        default_factory=lambda: ModularAdditionSpec(p=23, train_fraction=0.6, epochs=4000))
    parity: SparseParitySpec = field(default_factory=SparseParitySpec)


def summarise(results: list[dict], cap: int) -> dict:
    eps = [r["grok_epoch"] for r in results]
    done = [e for e in eps if e is not None]
    # a run that never grokked counts as the cap (a lower bound on its epoch to grok)
    capped = [e if e is not None else cap for e in eps]
    return {"grokked": f"{len(done)}/{len(eps)}", "epochs": eps,
            "median": statistics.median(capped), "min": min(capped), "max": max(capped),
            "seconds_median": statistics.median(r["seconds"] for r in results)}


def _figure(run_dir: RunDir, task: str, runs: dict) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for (label, color) in (("plain", "tab:blue"), ("regularised", "tab:red")):
        for i, r in enumerate(runs[label]):
            t = r["trajectory"]
            ax.plot([x["step"] for x in t], [x["test_acc"] for x in t], color=color, alpha=0.7,
                    label=label if i == 0 else None)
    ax.axhline(0.95, color="gray", ls=":")
    ax.set_xlabel("epoch"); ax.set_ylabel("test accuracy"); ax.set_title(task); ax.legend()
    return run_dir.save_figure(fig, f"test_accuracy_{task}").name


@register(
    "noise-stability-regularizer",
    claim=CLAIM,
    presets={
        "smoke": NoiseStabilityConfig(
            seeds=1,
            modular=ModularAdditionSpec(p=7, train_fraction=0.6, d_model=16, n_heads=2, d_mlp=32, epochs=20,
                                        log_every=10),
            parity=SparseParitySpec(n=6, k=2, n_train=64, n_test=64, d_mlp=16, epochs=20, log_every=10)),
        "cpu": NoiseStabilityConfig(),
        "gpu": NoiseStabilityConfig(
            seeds=5,
            modular=ModularAdditionSpec(p=113, train_fraction=0.3, d_model=128, d_mlp=512, lr=1e-3, epochs=20_000,
                                        log_every=100),
            parity=SparseParitySpec(n=40, k=4, n_train=30_000, epochs=20_000, log_every=100)),
    },
)
def run(config: NoiseStabilityConfig, run_dir: RunDir) -> dict:
    limit_cpu_threads(run_dir.device)
    tasks = {
        "modular": (lambda seed, key, gamma: train_modular_addition(
            config.modular, seed, run_dir, key, gamma=gamma, rho=config.rho), config.modular.epochs),
        "parity": (lambda seed, key, gamma: train_sparse_parity(config.parity, seed, run_dir, key, gamma=gamma,
                                                                rho=config.rho), config.parity.epochs),
    }
    rows, figures, speedups = [], [], {}
    for task, (fn, cap) in tasks.items():
        runs = {"plain": [], "regularised": []}
        for seed in config.seed_list():
            for label, gamma in (("plain", 0.0), ("regularised", config.gamma)):
                key = f"{task}_{label}_seed{seed}"
                runs[label].append(run_dir.unit(key, lambda: fn(seed, key, gamma)))
        s_plain, s_reg = summarise(runs["plain"], cap), summarise(runs["regularised"], cap)
        speedups[task] = 1 - s_reg["median"] / s_plain["median"]
        for label, s in (("plain", s_plain), ("regularised", s_reg)):
            rows.append({"task": task, "training": label, **s})
        figures.append(_figure(run_dir, task, runs))
    verdict_parts = []
    for task, sp in speedups.items():
        plain, reg = (next(r for r in rows if r["task"] == task and r["training"] == t) for t in ("plain", "regularised"))
        counts = f"grokked plain {plain['grokked']}, regularised {reg['grokked']}; median {plain['median']} vs {reg['median']}"
        all_grokked = all(len(set(x["grokked"].split("/"))) == 1 for x in (plain, reg))
        capped = "" if all_grokked else " (medians include runs capped at the epoch limit: lower bounds)"
        verdict_parts.append(f"{task}: median epochs to grok {100 * sp:.0f}% fewer with the regulariser ({counts}{capped})"
                             if sp >= 0 else
                             f"{task}: median epochs to grok {100 * -sp:.0f}% more with the regulariser ({counts}{capped})")
    earlier = all(sp > 0 for sp in speedups.values())
    some = any(sp > 0 for sp in speedups.values())
    verdict = ("reproduced: groks earlier on both tasks; " if earlier else
               "partly reproduced: groks earlier on one task; " if some else
               "not reproduced: ") + "; ".join(verdict_parts) + \
        f" (gamma={config.gamma}, rho={config.rho}, {config.seeds} seeds; paper: ~35%)"
    run_dir.write_report(
        claim=CLAIM, numbers={"epochs to grok (test accuracy >= 0.95)": rows,
                              **{f"speedup {t} (1 - median_reg/median_plain)": v for t, v in speedups.items()}},
        verdict=verdict, figures=figures,
        notes=[
            "The regulariser is our definition (Haris et al. have no public code): CE + gamma * mean squared "
            "difference of class-centred logits between the clean input and a rho-correlated Gaussian "
            "partner of its embeddings (scaled to their RMS). See empirical/regularizers.py.",
            "Each epoch of the regularised run costs about two forward passes; speedup is in epochs, "
            "seconds are reported beside it.",
            "Non-grokked runs enter the median at the epoch cap (a lower bound).",
            "gamma and rho were fixed before the cpu run and not tuned on it.",
        ],
    )
    return {"verdict": verdict, "speedups": speedups, "rows": rows}
