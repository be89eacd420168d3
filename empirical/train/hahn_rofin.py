r"""Hahn & Rofin's training rule, shared by the experiments ``length-scaling`` and
``random-function-generalization``: the :class:`~empirical.train.recipe.Recipe` trained for a
**fixed** number of steps (no stop at convergence), logging the probe MSE, the parameter norm, the
LN blowup and a cheap loss sharpness as it goes (:func:`fit_fixed_steps`; K seeds at once:
:func:`fit_fixed_steps_batched`). Their end-of-training measurements are
:mod:`empirical.measure.hahn_rofin`.
"""

from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from ..harness.plan import derive_seed
from ..measure.hahn_rofin import noise_scale
from ..measure.metrics import layer_norm_blowup, loss_sharpness, mse_loss, parameter_norm
from .loop import TrainResult, train
from .recipe import Recipe, make_optimizer

__all__ = ["fit_fixed_steps", "fit_fixed_steps_batched", "training_record"]


def training_record(m: nn.Module, probe: tuple[torch.Tensor, torch.Tensor], recipe: Recipe, *, seed: int,
                    step: int) -> dict:
    """What :func:`fit_fixed_steps` logs every ``recipe.log_every`` steps (see there)."""
    bits, y = probe
    small = (bits[:256], y[:256])
    rec = {"probe_mse": float(mse_loss(m(bits), y)), "parameter_norm": parameter_norm(m, positional=False),
           "blowup": layer_norm_blowup(m, small[0])["blowup"]}
    if recipe.track_draws:
        rec["loss_sharpness"] = loss_sharpness(m, *small, rho=noise_scale(m, 0.02, None), draws=recipe.track_draws,
                                               seed=derive_seed(seed, step))
    return rec


def fit_fixed_steps_batched(models: list[nn.Module], next_batches: list[Callable[[int], tuple[torch.Tensor, torch.Tensor]]],
                            recipe: Recipe, *, ctxs: list[Any], probes: list[tuple[torch.Tensor, torch.Tensor]],
                            seeds: list[int]) -> float:
    """:func:`fit_fixed_steps` for K models (seeds) of one setting at once
    (:func:`empirical.train.batched.train_batched`: on a GPU, K seeds for about the cost of one); each
    model draws its own batches and logs the same records to its own context. Equal to K separate
    runs up to float rounding (no checkpoints: an interrupted group starts again). Returns the
    wall time."""
    import time

    from .batched import train_batched

    t0 = time.perf_counter()

    def next_batch(step: int):
        pairs = [nb(step) for nb in next_batches]
        return torch.stack([x for x, _ in pairs]), torch.stack([t for _, t in pairs])

    def on_log(step: int, ms: list) -> None:
        with torch.no_grad():
            for m, ctx, probe, seed in zip(ms, ctxs, probes, seeds):
                m.eval()
                ctx.log({"step": step, **training_record(m, probe, recipe, seed=seed, step=step)})
                m.train()

    train_batched(models, steps=recipe.steps, next_batch=next_batch, loss_fn=lambda out, t: mse_loss(out, t),
                  make_optimizer=lambda ps: make_optimizer(ps, lr=recipe.lr, weight_decay=recipe.weight_decay),
                  log_every=recipe.log_every, on_log=on_log)
    return time.perf_counter() - t0


def fit_fixed_steps(model: nn.Module, next_batch: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
                    generator: torch.Generator, recipe: Recipe, *, ctx: Any, probe: tuple[torch.Tensor, torch.Tensor],
                    seed: int, extra_log: Callable[[nn.Module], dict] | None = None) -> TrainResult:
    """Train for exactly ``recipe.steps`` AdamW steps on MSE (their rule: no early stop), resumably.

    Every ``recipe.log_every`` steps the history gets ``probe_mse`` (the MSE on the fixed ``probe``
    points), ``parameter_norm`` (without the positional embedding), the LN ``blowup`` and, with
    ``recipe.track_draws``, a cheap ``loss_sharpness`` (ε = 0.02, ``track_draws`` directions seeded
    by ``derive_seed(seed, step)``) on at most 256 probe points; ``extra_log(model)`` adds more."""
    opt = make_optimizer(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)

    def log(step: int, m: nn.Module) -> dict:
        rec = training_record(m, probe, recipe, seed=seed, step=step)
        if extra_log is not None:
            rec.update(extra_log(m))
        return rec

    return train(model, opt, steps=recipe.steps, next_batch=next_batch,
                 loss_fn=lambda m, x, t: mse_loss(m(x), t), generator=generator, ctx=ctx,
                 log_every=recipe.log_every, checkpoint_every=recipe.checkpoint_every, on_log=log)


