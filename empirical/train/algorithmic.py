"""Training on the algorithmic tasks of the grokking experiments: modular addition with a
one-layer transformer and a noisy sparse parity with a transformer over the bits or an MLP, all full
batch with strong weight decay, optionally with a noise-stability regulariser, resumable bit for bit.

The modular-addition models are those of Nanda et al. (2023), "Progress measures for grokking via
mechanistic interpretability", ICLR 2023, and of Vasudeva et al. (2025), "Transformers Learn Low
Sensitivity Functions: Investigations and Implications", ICLR 2025
(:mod:`empirical.models.modular`); Vasudeva et al.'s progress measure is
:func:`empirical.measure.operand.operand_sensitivity` (``docs/theory.md`` §5.6). The regularisers
(:class:`~empirical.train.regularizers.StabilityRegularizer`) are the noise-stability regulariser
of Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026, in the form
secondary sources describe (the paper has no public code), and this project's own Gaussian variant
(:mod:`empirical.train.regularizers`, ``docs/theory.md`` §5.8).

:func:`train_modular` and :func:`train_parity` take a unit's context (:class:`empirical.harness.runner.
UnitContext`): every logged record goes to its history, and every random generator (regulariser
noise, measurement noise) and every piece of loop state (the grok epoch) is in its checkpoint, so
a unit killed at any point resumes to the same numbers. Every random stream of a run (the data
split, the initialisation, the regulariser's, the probe's and the diagnostics' noise) is seeded
by :func:`empirical.harness.plan.derive_seed` of the run's seed and the stream's name, so runs
that differ only in their regulariser share their data and initialisation. A run "groks" at the
first logged epoch with test accuracy >= :data:`GROKKED`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from boolsens import BoolsensError

from ..data.real import modular_addition, noisy_sparse_parity
from ..harness.checks import check_count, check_fields, check_integer
from ..harness.plan import added_field, derive_seed
from ..measure.metrics import parameter_norm
from ..measure.operand import SensitivityProbe, operand_sensitivity
from ..measure.sensitivity_real import class_accuracy
from ..models.modular import ModularConfig, ModularTransformer
from ..models.transformer import TransformerConfig
from .loop import train
from .recipe import OPTIMIZERS, Recipe, make_model, make_optimizer
from .regularizers import StabilityRegularizer, penalty as _penalty, resample_signs, resample_tokens

__all__ = ["GROKKED", "ModularAdditionSpec", "train_modular", "PARITY_ARCHITECTURES", "SparseParitySpec",
           "parity_model", "parity_penalty", "train_parity"]

#: test accuracy at which a run counts as grokked
GROKKED = 0.95


@dataclass(frozen=True, kw_only=True)
class ModularAdditionSpec:
    """a + b mod p: the data split, the model (:class:`~empirical.models.modular.ModularConfig`),
    the optimiser (full batch, one step per epoch; AdamW or Adam with ``betas``, or SGD with ``momentum``; the learning rate
    rises linearly over the first ``warmup_steps`` steps, from 0 at the first step as in Nanda et
    al.'s scheduler), the epoch cap, and the logging and checkpoint intervals."""

    p: int = 31
    train_fraction: float = 0.5
    d_model: int = 64
    n_heads: int = 4
    d_mlp: int = 256
    architecture: str = "nanda"
    optimizer: str = "adamw"
    lr: float = 3e-3
    betas: tuple[float, float] = (0.9, 0.98)
    momentum: float = 0.9
    warmup_steps: int = 10
    weight_decay: float = 1.0
    steps: int = 7000             # optimiser steps, full batch: one step per epoch
    log_every: int = 50
    checkpoint_every: int = 500

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise BoolsensError(f"optimizer={self.optimizer!r} must be one of {OPTIMIZERS}")
        for name in ("steps", "log_every", "checkpoint_every"):
            check_count(getattr(self, name), name)
        check_count(self.warmup_steps, "warmup_steps", 0)
        check_integer(self.p, "p", 2)
        check_fields(self, counts=("d_model", "n_heads", "d_mlp"), open_unit=("train_fraction",), positive=("lr",),
                     below_one=("betas", "momentum"), nonnegative=("weight_decay",))
        self.model_config()  # the architecture and d_model / n_heads

    def model_config(self) -> ModularConfig:
        """The model's config (p, widths, heads, architecture) from this spec."""
        return ModularConfig(p=self.p, d_model=self.d_model, n_heads=self.n_heads, d_mlp=self.d_mlp,
                             architecture=self.architecture)


def _optimizer(spec: ModularAdditionSpec | "SparseParitySpec", params) -> torch.optim.Optimizer:
    return make_optimizer(params, spec.optimizer, lr=spec.lr, weight_decay=spec.weight_decay, betas=spec.betas,
                          momentum=spec.momentum)


def _grok_stop(state: dict, extra_after_grok: float | None):
    """``stop(step, record)`` for :func:`empirical.train.loop.train`: remember the first grokked
    epoch in ``state`` and stop at the first logged epoch >= (1 + extra) × it (never with None)."""

    def stop(step: int, rec: dict) -> bool:
        if state.get("grok") is None and rec["test_acc"] >= GROKKED:
            state["grok"] = step
        if state.get("grok") is None or extra_after_grok is None:
            return False
        return step >= state["grok"] * (1 + extra_after_grok)

    return stop


def train_modular(spec: ModularAdditionSpec, seed: int, ctx: Any, *,
                  regularizer: StabilityRegularizer = StabilityRegularizer(),
                  probe: SensitivityProbe | None = None, extra_after_grok: float | None = 0.0,
                  gradient_diagnostics: bool = False,
                  penalty_probes: dict[str, StabilityRegularizer] | None = None) -> dict:
    """Train one one-layer transformer on a + b mod p full batch (one step per epoch) and return
    its record: ``{"seed", "epochs_run", "grok_epoch", "grokked", "final_train_acc",
    "final_test_acc", "final_parameter_norm", "train_seconds"}``.

    Every ``spec.log_every`` epochs the unit's history (``ctx.log``) gets the training loss,
    train/test accuracy, the ``parameter_norm``, the token embedding's norm ``embedding_norm``,
    with a ``probe`` ``sens_abs`` (and ``sens_rel``), and with ``gradient_diagnostics`` (and an
    active regulariser) the norms of the gradients of the cross-entropy (``grad_ce``) and of the
    weighted penalty γR (``grad_penalty``) and the cosine between them, and for each entry of
    ``penalty_probes`` the value ``R_<name>`` of that regulariser's R (without γ) on the training
    set, whether or not it is trained with (the noise of both from a checkpointed diagnostics
    generator). A run whose loss becomes
    non-finite stops there and is recorded as diverged (``diverged_at``; not grokked). Training stops at the first logged epoch t >= (1 + ``extra_after_grok``) × the
    grok epoch (0: at the grok epoch; None: never early) or after ``spec.steps``. ``ctx`` may be
    None (no history, no checkpoints; the record is still complete).
    """
    device = torch.device(getattr(ctx, "device", "cpu") or "cpu")
    xtr, ytr, xte, yte = (t.to(device) for t in modular_addition(spec.p, train_fraction=spec.train_fraction,
                                                                   seed=derive_seed(seed, "data")))
    torch.manual_seed(derive_seed(seed, "init"))  # PyTorch's initialisers draw from the global generator
    model = ModularTransformer(spec.model_config()).to(device)
    opt = _optimizer(spec, model.parameters())
    penalty_gen = torch.Generator().manual_seed(derive_seed(seed, "penalty"))
    probe_gen = torch.Generator().manual_seed(derive_seed(seed, "probe"))
    diag_gen = torch.Generator().manual_seed(derive_seed(seed, "diagnostics"))
    operands = torch.tensor([True, True, False])
    now = {"step": 0}  # the current step, set by next_batch (a function of the step: resume-safe)

    def next_batch(step: int):
        now["step"] = step
        for group in opt.param_groups:  # Nanda et al.'s warm-up: lr · min(step / warmup, 1)
            group["lr"] = spec.lr * (min(step / spec.warmup_steps, 1.0) if spec.warmup_steps else 1.0)
        return xtr, ytr

    def penalty(m: ModularTransformer, reg: StabilityRegularizer, x: torch.Tensor, e: torch.Tensor,
                logits: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
        """R of ``reg`` (without γ) on ids x with embeddings e and clean logits."""
        return _penalty(reg, logits, generator=gen, positions=operands,
                        resampled_logits=lambda: m(resample_tokens(x, reg.rho, vocab=spec.p, generator=gen,
                                                                   positions=operands)),  # ids (N, 3)
                        forward_embedded=m.forward_embedded, embedded=e)

    def loss_fn(m: ModularTransformer, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        e = m.embed(x)  # (N, 3, d)
        logits = m.forward_embedded(e)  # (N, p + 1)
        loss = F.cross_entropy(logits, y)
        gamma = regularizer.strength(now["step"]) if regularizer.active else 0.0
        if gamma > 0:
            loss = loss + gamma * penalty(m, regularizer, x, e, logits, penalty_gen)
        return loss

    def terms(m: ModularTransformer):  # (CE, R) on the training set (for the gradient diagnostics)
        e = m.embed(xtr)  # (N, 3, d)
        logits = m.forward_embedded(e)  # (N, p + 1)
        return F.cross_entropy(logits, ytr), penalty(m, regularizer, xtr, e, logits, diag_gen)

    def on_log(step: int, m: ModularTransformer) -> dict:
        rec = {"train_acc": class_accuracy(m, xtr, ytr), "test_acc": class_accuracy(m, xte, yte),
               "parameter_norm": parameter_norm(m), "embedding_norm": float(m.W_E.weight.norm())}
        if gradient_diagnostics and regularizer.active:
            rec.update(_gradient_norms(m, terms, regularizer.strength(step)))
        for name, reg in (penalty_probes or {}).items():
            e = m.embed(xtr)  # (N, 3, d)
            rec[f"R_{name}"] = float(penalty(m, reg, xtr, e, m.forward_embedded(e), diag_gen))
        if probe is not None:
            rec["sens_abs"] = operand_sensitivity(m, xtr, sigma=probe.sigma_abs, relative=False,
                                                  n_draws=probe.draws, generator=probe_gen)
            if probe.sigma_rel is not None:
                rec["sens_rel"] = operand_sensitivity(m, xtr, sigma=probe.sigma_rel, relative=True,
                                                      n_draws=probe.draws, generator=probe_gen)
        return rec

    state: dict = {"grok": None}
    t0 = time.perf_counter()
    try:
        steps = train(model, opt, steps=spec.steps, next_batch=next_batch, loss_fn=loss_fn, ctx=ctx,
                      generators={"penalty": penalty_gen, "probe": probe_gen, "diagnostics": diag_gen}, state=state,
                      log_every=spec.log_every, checkpoint_every=spec.checkpoint_every, on_log=on_log,
                      stop=_grok_stop(state, extra_after_grok), desc=getattr(ctx, "key", None)).steps
        diverged = None
    except FloatingPointError:
        steps = diverged = now["step"] + 1
    return _record(model, seed, steps, state, diverged, xtr, ytr, xte, yte, t0)


def _record(model, seed, steps, state, diverged, xtr, ytr, xte, yte, t0) -> dict:
    model.eval()
    with torch.no_grad():
        final = {"final_train_acc": class_accuracy(model, xtr, ytr), "final_test_acc": class_accuracy(model, xte, yte),
                 "final_parameter_norm": parameter_norm(model)}
    if diverged is not None:
        final = {k: (v if v == v else None) for k, v in final.items()}  # NaN weights: no value
    grok = state["grok"] if diverged is None else None
    return {"seed": seed, "epochs_run": steps, "grok_epoch": grok, "grokked": grok is not None,
            "diverged_at": diverged, **final, "train_seconds": time.perf_counter() - t0}


def _gradient_norms(model, terms, gamma: float) -> dict:
    """‖∇CE‖, ‖γ∇R‖ and their cosine over all parameters (``terms(model) -> (ce, R)``)."""
    params = [p for p in model.parameters() if p.requires_grad]
    with torch.enable_grad():
        ce, pen = terms(model)
        g_ce = torch.autograd.grad(ce, params, retain_graph=True, allow_unused=True)
        g_pen = torch.autograd.grad(pen, params, allow_unused=True)
    flat = lambda gs: torch.cat([(g if g is not None else torch.zeros_like(p)).flatten()  # noqa: E731
                                 for g, p in zip(gs, params)])
    a, b = flat(g_ce), gamma * flat(g_pen)
    na, nb = float(a.norm()), float(b.norm())
    return {"grad_ce": na, "grad_penalty": nb,
            "grad_cosine": float(a @ b) / (na * nb) if na > 0 and nb > 0 else None}


#: the models of the parity task: Hahn & Rofin's transformer over the bits, or a one-hidden-layer MLP
PARITY_ARCHITECTURES = ("mlp", "transformer")


@dataclass(frozen=True, kw_only=True)
class SparseParitySpec:
    """Noisy k-sparse parity on n ±1 bits (training labels flipped with probability
    ``label_noise``, test labels clean), a model trained full batch with AdamW (or Adam, or SGD).

    ``architecture`` (one of :data:`PARITY_ARCHITECTURES`): ``"mlp"``, a one-hidden-layer ReLU MLP
    of width ``d_mlp`` on the n inputs; ``"transformer"``, the Boolean-sequence transformer of
    Hahn & Rofin (2024) that length-scaling trains (:func:`empirical.train.recipe.make_model`:
    post-LN, token ++ position embeddings, readout at the last bit, attention initialised as
    PyTorch's encoder) with ``n_layers`` blocks of width ``d_model``, ``n_heads`` heads and MLP
    width ``d_mlp``, its output z read as the two logits (−z/2, z/2). ``architecture``,
    ``d_model``, ``n_heads`` and ``n_layers`` came after the committed MLP runs
    (:func:`empirical.harness.plan.added_field`)."""

    n: int = 20
    k: int = 3
    n_train: int = 1000
    n_test: int = 2000
    label_noise: float = 0.05
    architecture: str = added_field("mlp")
    d_model: int = added_field(32)
    n_heads: int = added_field(2)
    n_layers: int = added_field(2)
    d_mlp: int = 256
    optimizer: str = "adamw"
    lr: float = 2e-3
    betas: tuple[float, float] = (0.9, 0.999)
    momentum: float = 0.9
    weight_decay: float = 1.0
    steps: int = 3000             # optimiser steps, full batch: one step per epoch
    log_every: int = 25
    checkpoint_every: int = 500

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise BoolsensError(f"optimizer={self.optimizer!r} must be one of {OPTIMIZERS}")
        check_fields(self, counts=("n", "n_train", "n_test", "d_model", "n_heads", "n_layers", "d_mlp", "steps",
                                   "log_every", "checkpoint_every"),
                     below_one=("label_noise", "betas", "momentum"), positive=("lr",), nonnegative=("weight_decay",),
                     choices={"architecture": PARITY_ARCHITECTURES})
        check_integer(self.k, "k", 1)
        if self.k > self.n:
            raise BoolsensError(f"k={self.k} must be at most n={self.n}")
        if self.architecture == "transformer":  # d_model a multiple of n_heads, and even (token ++ position)
            TransformerConfig(n=self.n, d_model=self.d_model, n_heads=self.n_heads, n_layers=self.n_layers,
                              d_mlp=self.d_mlp)


class _ParityMLP(nn.Sequential):
    """The one-hidden-layer MLP, ``(B, n) -> (B, 2)``; its "embedding" is the ±1 input as one token."""

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, None, :]  # (B, 1, n)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        return self(e[:, 0])  # (B, 2)


class _ParityTransformer(nn.Module):
    """A :class:`~empirical.models.transformer.BooleanTransformer` on ±1 inputs (−1 = bit 1, as in
    :mod:`boolsens`), ``(B, n) -> (B, 2)`` logits (−z/2, z/2) of its output z; its embedding is the
    bits' token embeddings (without positions: the noise of the Gaussian form is on the inputs)."""

    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.body.embed((x < 0).long())  # (B, n, d_model / 2)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        z = self.body.forward_embedded(e)  # (B,)
        return torch.stack([-z, z], dim=-1) / 2  # (B, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_embedded(self.embed(x))  # (B, 2)


def parity_model(spec: SparseParitySpec, seed: int) -> nn.Module:
    """The model of ``spec.architecture`` on the CPU, initialised from ``derive_seed(seed, "init")``
    (torch's global generator): ``(B, n)`` ±1 floats -> ``(B, 2)`` logits, with ``embed(x)``
    (B, T, d) and ``forward_embedded(e) -> (B, 2)`` for the regulariser's Gaussian form.

    >>> m = parity_model(SparseParitySpec(n=5, k=2, architecture="transformer", d_model=8, d_mlp=8), 0)
    >>> x = torch.ones(3, 5)
    >>> m(x).shape, m.embed(x).shape, bool(torch.equal(m.forward_embedded(m.embed(x)), m(x)))
    (torch.Size([3, 2]), torch.Size([3, 5, 4]), True)
    """
    init = derive_seed(seed, "init")
    if spec.architecture == "transformer":
        return _ParityTransformer(make_model(spec.n, Recipe(d_model=spec.d_model, n_layers=spec.n_layers,
                                                            n_heads=spec.n_heads, d_mlp=spec.d_mlp), init))
    torch.manual_seed(init)  # PyTorch's initialisers draw from the global generator
    return _ParityMLP(nn.Linear(spec.n, spec.d_mlp), nn.ReLU(), nn.Linear(spec.d_mlp, 2))  # (B, n) -> (B, 2)


def parity_penalty(model: nn.Module, reg: StabilityRegularizer, x: torch.Tensor, e: torch.Tensor,
                   logits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """R of ``reg`` (without γ) for a :func:`parity_model` on ±1 inputs ``x`` (B, n) with
    embeddings ``e = model.embed(x)`` and clean ``logits = model.forward_embedded(e)`` (B, 2): the
    ``"resampling"`` form on ``x`` with every bit resampled (:func:`~empirical.train.regularizers.
    resample_signs`), the ``"gaussian"`` one on a ρ-correlated partner of ``e``; noise from
    ``generator``."""
    return _penalty(reg, logits, generator=generator,
                    resampled_logits=lambda: model(resample_signs(x, reg.rho, generator=generator)),
                    forward_embedded=model.forward_embedded, embedded=e)


def train_parity(spec: SparseParitySpec, seed: int, ctx: Any, *,
                 regularizer: StabilityRegularizer = StabilityRegularizer(),
                 extra_after_grok: float | None = 0.0) -> dict:
    """Train :func:`parity_model` on noisy sparse parity full batch; the record is that of
    :func:`train_modular`. The ``"resampling"`` regulariser resamples every input bit (kept with
    probability (1 + ρ)/2, else a uniform sign); the ``"gaussian"`` one uses a ρ-correlated
    Gaussian partner of the model's embedding (the MLP's: the input vector as one token; the
    transformer's: each bit's token embedding)."""
    device = torch.device(getattr(ctx, "device", "cpu") or "cpu")
    xtr, ytr, xte, yte, _ = noisy_sparse_parity(spec.n, spec.k, n_train=spec.n_train, n_test=spec.n_test,
                                                 noise=spec.label_noise, seed=derive_seed(seed, "data"))
    xtr, ytr, xte, yte = (t.to(device) for t in (xtr, ytr, xte, yte))
    model = parity_model(spec, seed).to(device)
    opt = _optimizer(spec, model.parameters())
    penalty_gen = torch.Generator().manual_seed(derive_seed(seed, "penalty"))
    now = {"step": 0}

    def next_batch(step: int):
        now["step"] = step
        return xtr, ytr

    def loss_fn(m, x, y):
        e = m.embed(x)  # (B, T, d)
        logits = m.forward_embedded(e)  # (B, 2)
        loss = F.cross_entropy(logits, y)
        gamma = regularizer.strength(now["step"]) if regularizer.active else 0.0
        if gamma > 0:
            loss = loss + gamma * parity_penalty(m, regularizer, x, e, logits, penalty_gen)
        return loss

    def on_log(step, m):
        return {"train_acc": class_accuracy(m, xtr, ytr), "test_acc": class_accuracy(m, xte, yte),
                "parameter_norm": parameter_norm(m)}

    state: dict = {"grok": None}
    t0 = time.perf_counter()
    try:
        steps = train(model, opt, steps=spec.steps, next_batch=next_batch, loss_fn=loss_fn, ctx=ctx,
                      generators={"penalty": penalty_gen}, state=state, log_every=spec.log_every,
                      checkpoint_every=spec.checkpoint_every, on_log=on_log,
                      stop=_grok_stop(state, extra_after_grok), desc=getattr(ctx, "key", None)).steps
        diverged = None
    except FloatingPointError:
        steps = diverged = now["step"] + 1
    return _record(model, seed, steps, state, diverged, xtr, ytr, xte, yte, t0)
