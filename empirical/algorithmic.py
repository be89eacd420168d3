"""Training on the algorithmic tasks of the grokking experiments: modular addition with a
one-layer transformer, and a noisy sparse parity with an MLP; both full batch with AdamW and
strong weight decay, optionally with the noise-stability penalty of
:mod:`empirical.regularizers`, and both returning the logged trajectory and the epoch at which
the model groks (first logged epoch with test accuracy >= :data:`GROKKED`).

The modular-addition setup is that of Nanda et al. (2023), "Progress measures for grokking via
mechanistic interpretability", ICLR 2023, as used by Vasudeva et al. (2025), "Transformers Learn
Low Sensitivity Functions: Investigations and Implications", ICLR 2025, whose progress measure
is :func:`operand_sensitivity` (``docs/theory.md`` §5.6). The noise-stability regulariser follows
the proposal of Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026,
in this project's own definition (``docs/theory.md`` §5.8).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .data_real import modular_addition, noisy_sparse_parity
from .metrics import parameter_norm
from .models.grokking import GrokConfig, GrokTransformer
from .regularizers import noise_stability_penalty
from .rundir import RunDir
from .runtime import seed_everything
from .training import train

__all__ = [
    "GROKKED",
    "ModularAdditionSpec",
    "SensitivityProbe",
    "train_modular_addition",
    "operand_sensitivity",
    "SparseParitySpec",
    "train_sparse_parity",
]

#: test accuracy at which a run counts as grokked
GROKKED = 0.95


@dataclass(frozen=True, kw_only=True)
class ModularAdditionSpec:
    """a + b mod p: the data split, the one-layer transformer, AdamW (full batch), the epoch
    cap and the logging interval."""

    p: int = 31
    train_fraction: float = 0.5
    d_model: int = 64
    n_heads: int = 4
    d_mlp: int = 256
    lr: float = 3e-3
    weight_decay: float = 1.0
    epochs: int = 7000
    log_every: int = 50


@dataclass(frozen=True, kw_only=True)
class SensitivityProbe:
    """The :func:`operand_sensitivity` logged while training: an absolute noise scale
    (``sens_abs``), one relative to the embedding RMS (``sens_rel``), and draws per log."""

    sigma_abs: float = 0.1
    sigma_rel: float = 1.0
    draws: int = 4


def operand_sensitivity(model: GrokTransformer, ids: torch.Tensor, *, sigma: float, relative: bool,
                        n_draws: int, generator: torch.Generator) -> float:
    """Fraction of argmax predictions that change when N(0, s²) noise is added to both operand
    embeddings (positions 0 and 1 of "a b ="); s = σ, or σ · RMS(W_E) if ``relative``.
    Averaged over ``n_draws`` noise draws from ``generator``."""
    with torch.no_grad():
        e = model.embed(ids)  # (N, 3, d)
        clean = model.forward_embedded(e).argmax(-1)  # (N,)
        scale = sigma * (float(model.W_E.weight[:-1].pow(2).mean().sqrt()) if relative else 1.0)
        mask = torch.tensor([1.0, 1.0, 0.0], device=e.device)[None, :, None]  # (1, 3, 1)
        flips = 0.0
        for _ in range(n_draws):
            z = torch.randn(e.shape, generator=generator).to(e.device)  # (N, 3, d)
            out = model.forward_embedded(e + scale * mask * z)  # (N, p)
            flips += float((out.argmax(-1) != clean).float().mean())
    return flips / n_draws


def _accuracy(model, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((model(x).argmax(-1) == y).float().mean())


def _grok_result(run_dir: RunDir | None, key: str, seed: int, gamma: float, result) -> dict:
    """The logged trajectory (records with a test accuracy) and the first grokked epoch."""
    traj = [r for r in (run_dir.read_metrics(key) if run_dir is not None else []) if "test_acc" in r]
    grok = next((r["step"] for r in traj if r["test_acc"] >= GROKKED), None)
    return {"seed": seed, "gamma": gamma, "epochs_run": result.steps, "grok_epoch": grok,
            "seconds": result.seconds, "trajectory": traj}


def train_modular_addition(spec: ModularAdditionSpec, seed: int, run_dir: RunDir | None, key: str, *,
                           gamma: float = 0.0, rho: float = 0.5, sensitivity: SensitivityProbe | None = None,
                           extra_after_grok: float = 0.0) -> dict:
    """Train one one-layer transformer on a + b mod p full batch; return the trajectory and
    grok statistics: ``{"seed", "gamma", "rho", "epochs_run", "grok_epoch", "seconds",
    "trajectory"}``.

    Every ``spec.log_every`` epochs the trajectory records train/test accuracy, the
    ``parameter_norm`` and, with a ``sensitivity`` probe, :func:`operand_sensitivity` at the
    absolute noise scale (``sens_abs``) and relative to the embedding RMS (``sens_rel``).
    ``gamma`` > 0 adds the noise-stability penalty on the operand embeddings with correlation
    ``rho``. Training stops at the first logged epoch t >= (1 + ``extra_after_grok``) x the grok
    epoch (0: at the grok epoch itself, which counts epochs to grok), or after ``spec.epochs``.
    """
    seed_everything(seed)
    device = run_dir.device if run_dir is not None else torch.device("cpu")
    xtr, ytr, xte, yte = (t.to(device) for t in modular_addition(spec.p, train_fraction=spec.train_fraction,
                                                                   seed=seed))
    model = GrokTransformer(GrokConfig(p=spec.p, d_model=spec.d_model, n_heads=spec.n_heads,
                                       d_mlp=spec.d_mlp)).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay, betas=(0.9, 0.98))
    gen = torch.Generator().manual_seed(10_000 + seed)  # penalty noise (checkpointed by train)
    sens_gen = torch.Generator().manual_seed(20_000 + seed)  # measurement noise
    operands = torch.tensor([True, True, False])

    def loss_fn(m, x, y):
        e = m.embed(x)  # (N, 3, d)
        logits = m.forward_embedded(e)  # (N, p)
        loss = F.cross_entropy(logits, y)
        if gamma > 0:
            loss = loss + gamma * noise_stability_penalty(m.forward_embedded, e, logits, rho=rho,
                                                          generator=gen, positions=operands)
        return loss

    state = {"grok": None}

    def on_log(step, m):
        rec = {"train_acc": _accuracy(m, xtr, ytr), "test_acc": _accuracy(m, xte, yte),
               "parameter_norm": parameter_norm(m)}
        if sensitivity is not None:
            rec["sens_abs"] = operand_sensitivity(m, xtr, sigma=sensitivity.sigma_abs, relative=False,
                                                  n_draws=sensitivity.draws, generator=sens_gen)
            rec["sens_rel"] = operand_sensitivity(m, xtr, sigma=sensitivity.sigma_rel, relative=True,
                                                  n_draws=sensitivity.draws, generator=sens_gen)
        return rec

    def stop(step, rec):
        if state["grok"] is None and rec["test_acc"] >= GROKKED:
            state["grok"] = step
        if state["grok"] is None:
            return False
        return step >= state["grok"] * (1 + extra_after_grok)

    result = train(model, opt, steps=spec.epochs, next_batch=lambda s: (xtr, ytr), loss_fn=loss_fn,
                   generator=gen, ctx=run_dir.context(key) if run_dir is not None else None, log_every=spec.log_every,
                   checkpoint_every=max(spec.log_every, 500), on_log=on_log, stop=stop, desc=key)
    return {**_grok_result(run_dir, key, seed, gamma, result), "rho": rho}


@dataclass(frozen=True, kw_only=True)
class SparseParitySpec:
    """Noisy k-sparse parity on n ±1 bits (training labels flipped with probability
    ``label_noise``, test labels clean) and a one-hidden-layer ReLU MLP trained full batch."""

    n: int = 20
    k: int = 3
    n_train: int = 1000
    n_test: int = 2000
    label_noise: float = 0.05
    d_mlp: int = 256
    lr: float = 2e-3
    weight_decay: float = 1.0
    epochs: int = 3000
    log_every: int = 25


def train_sparse_parity(spec: SparseParitySpec, seed: int, run_dir: RunDir | None, key: str, *,
                        gamma: float = 0.0, rho: float = 0.5) -> dict:
    """Train the MLP on noisy sparse parity; stop at the first logged epoch with test accuracy
    >= :data:`GROKKED`. ``gamma`` > 0 adds the noise-stability penalty on the input vector (one
    token) with correlation ``rho``. Returns ``{"seed", "gamma", "epochs_run", "grok_epoch",
    "seconds", "trajectory"}``."""
    seed_everything(seed)
    device = run_dir.device if run_dir is not None else torch.device("cpu")
    xtr, ytr, xte, yte, _ = noisy_sparse_parity(spec.n, spec.k, n_train=spec.n_train, n_test=spec.n_test,
                                                 noise=spec.label_noise, seed=seed)
    xtr, ytr, xte, yte = (t.to(device) for t in (xtr, ytr, xte, yte))
    model = nn.Sequential(nn.Linear(spec.n, spec.d_mlp), nn.ReLU(),
                          nn.Linear(spec.d_mlp, 2)).to(device)  # (B, n) -> (B, 2)
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    gen = torch.Generator().manual_seed(30_000 + seed)

    def forward_embedded(e):  # e: (B, 1, n), the input as one token
        return model(e[:, 0])  # (B, 2)

    def loss_fn(m, x, y):
        logits = m(x)  # (B, 2)
        loss = F.cross_entropy(logits, y)
        if gamma > 0:
            loss = loss + gamma * noise_stability_penalty(forward_embedded, x[:, None, :], logits,
                                                          rho=rho, generator=gen)
        return loss

    def on_log(step, m):
        return {"train_acc": _accuracy(m, xtr, ytr), "test_acc": _accuracy(m, xte, yte)}

    result = train(model, opt, steps=spec.epochs, next_batch=lambda s: (xtr, ytr), loss_fn=loss_fn,
                   generator=gen, ctx=run_dir.context(key) if run_dir is not None else None, log_every=spec.log_every,
                   checkpoint_every=500, on_log=on_log, stop=lambda s, r: r["test_acc"] >= GROKKED, desc=key)
    return _grok_result(run_dir, key, seed, gamma, result)
