"""Fitting a transformer to a Boolean task, as the Boolean experiments do: the model and
optimiser settings (:class:`TrainSpec`), the model (:func:`make_transformer`) and a resumable
"train until it converges" (:func:`fit`), with the recipe of Hahn & Rofin (2024), "Why are
Sensitive Functions Hard for Transformers?", ACL 2024: MSE on {0,1} labels, AdamW, fresh or
fixed batches from a :class:`~empirical.tasks.BooleanTask`.

While it trains, :func:`fit` logs to ``metrics.jsonl`` the stop loss and accuracy and (with
``track_measures``) the parameter norm, the layer-norm blowup, the loss sharpness and the exact
normalized sensitivity I(f)/n of the network's function (``docs/theory.md`` §5.3, §5.4).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Callable

import torch

from .checks import check_fields
from .metrics import function_measures, layer_norm_blowup, loss_sharpness, mse_loss, parameter_norm
from .models import build_model
from .tasks import BooleanTask
from .training import TrainResult, train

__all__ = ["TrainSpec", "make_transformer", "fit", "TRACK_EXACT_MAX_N"]

#: the network's exact I(f)/n is logged during training up to this n (2**n forward passes a log)
TRACK_EXACT_MAX_N = 12


@dataclass(frozen=True, kw_only=True)
class TrainSpec:
    """Model and optimisation settings shared by the Boolean experiments."""

    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    norm: str = "post"
    lr: float = 1e-3
    weight_decay: float = 0.1
    batch_size: int = 128
    max_steps: int = 1500
    log_every: int = 50
    checkpoint_every: int = 250     # steps between checkpoints (a killed unit resumes from the last one)
    converge_loss: float = 2e-3     # stop when the held-out (or training) MSE falls below this
    track_measures: bool = True     # log parameter norm, LN blowup, I(f)/n, loss sharpness while training
    track_draws: int = 4            # loss-sharpness draws per logged step (rho = 1, 256 fresh points)

    def __post_init__(self) -> None:
        check_fields(self, counts=("d_model", "n_layers", "n_heads", "batch_size", "max_steps", "log_every",
                                   "checkpoint_every", "track_draws"),
                     positive=("lr",), nonnegative=("weight_decay", "converge_loss"),
                     choices={"norm": ("post", "pre", "none")})


def make_transformer(n: int, spec: TrainSpec, seed: int, device: Any):
    """A BooleanTransformer initialised from ``seed`` (torch's global generator is reseeded).

    >>> make_transformer(4, TrainSpec(d_model=8, n_heads=1), 0, "cpu").cfg.d_model
    8
    """
    torch.manual_seed(seed)
    model = build_model("transformer", n, d_model=spec.d_model, n_layers=spec.n_layers,
                        n_heads=spec.n_heads, norm=spec.norm)
    return model.to(device)


def fit(model, task: BooleanTask, spec: TrainSpec, *, ctx: Any,
        on_log: Callable[[int, Any], dict] | None = None, use_train_set_for_stop: bool = False) -> TrainResult:
    """Train with AdamW until the stop loss (held-out MSE, or training MSE when
    ``use_train_set_for_stop``) falls below ``spec.converge_loss`` with every stop point
    classified right, or ``spec.max_steps`` pass. Resumes from the checkpoint of ``ctx`` (a
    :class:`~empirical.runner.UnitContext`). Returns the :class:`~empirical.training.TrainResult`.

    Every ``spec.log_every`` steps the unit's history gets the stop loss/accuracy and, with
    ``spec.track_measures``, ``parameter_norm``, the LN ``blowup`` and the ``loss_sharpness``
    (rho = 1, ``spec.track_draws`` fresh draws) on 256 fixed uniform points, and the exact
    ``normalized_sensitivity`` of the network's function for n <= 12."""
    key = ctx.key
    opt = torch.optim.AdamW(model.parameters(), lr=spec.lr, weight_decay=spec.weight_decay)
    stop_bits, stop_y = task.train_set() if use_train_set_for_stop else (task.eval_bits, task.eval_y)

    n = task.n
    probe_bits, probe_y = BooleanTask(task.target, batch_size=256, seed=zlib.crc32(f"probe-{key}".encode()),
                                      device=stop_bits.device).next_batch(0)

    def log(step: int, m) -> dict:
        out = m(stop_bits)  # (N,)
        rec = {"stop_loss": float(mse_loss(out, stop_y)),
               "stop_acc": float(((out >= 0.5).to(stop_y.dtype) == stop_y).float().mean())}
        if spec.track_measures:
            rec["parameter_norm"] = parameter_norm(m)
            rec["blowup"] = layer_norm_blowup(m, probe_bits)["blowup"]
            rec["loss_sharpness"] = loss_sharpness(m, probe_bits, probe_y, rho=1.0, draws=spec.track_draws,
                                                   seed=zlib.crc32(f"track-{key}-{step}".encode()))
            if n <= TRACK_EXACT_MAX_N:
                rec["normalized_sensitivity"] = function_measures(m, n, spectrum=False)["normalized_sensitivity"]
        if on_log is not None:
            rec.update(on_log(step, m))
        return rec

    return train(
        model, opt, steps=spec.max_steps, next_batch=task.next_batch,
        loss_fn=lambda m, x, y: mse_loss(m(x), y), generator=task.generator, ctx=ctx,
        log_every=spec.log_every, checkpoint_every=spec.checkpoint_every, on_log=log,
        stop=lambda step, rec: rec["stop_loss"] < spec.converge_loss and rec["stop_acc"] == 1.0, desc=key,
    )
