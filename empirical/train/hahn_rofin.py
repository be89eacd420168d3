r"""The training recipe of Hahn & Rofin (2024), "Why are Sensitive Functions Hard for
Transformers?", ACL 2024, shared by the experiments ``length-scaling`` and
``random-function-generalization`` (their measurements: :mod:`empirical.measure.hahn_rofin`).

Their recipe (public code, ``lacoco-lab/sensitivity-hardness``): bit tokens, a token embedding
concatenated with a learned positional embedding, a post-LN encoder of 2 layers and 2 heads with
MLP width equal to the model width, PyTorch's default initialisation, a linear readout at the last
position, MSE on {0,1} labels, AdamW with weight decay 0.1, a **fixed** number of steps (no stop
at convergence).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn

from ..data.tasks import Target, labels
from ..harness.runtime import seed_of
from ..measure.hahn_rofin import noise_scale
from ..measure.metrics import layer_norm_blowup, loss_sharpness, mse_loss, parameter_norm
from ..models import build_model
from .loop import TrainResult, train

__all__ = ["Recipe", "make_model", "init_like_torch_encoder", "fit_fixed_steps", "fit_fixed_steps_batched",
           "uniform_batches"]


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """Model and optimisation: Hahn & Rofin's values are d_model 128, d_mlp 128, 2 layers, 2 heads,
    lr 3e-4, weight decay 0.1, batch 1024, 10,000 steps (the ``gpu`` presets)."""

    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_mlp: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.1
    batch_size: int = 256
    steps: int = 2000
    log_every: int = 100
    checkpoint_every: int = 500
    track_draws: int = 4        # sharpness draws per logged step (on 256 fixed points); 0: not tracked


def init_like_torch_encoder(model: nn.Module) -> nn.Module:
    """Re-initialise every self-attention the way ``nn.MultiheadAttention`` does (the module
    their ``nn.TransformerEncoder`` uses): Xavier-uniform on the stacked (3d, d) in-projection,
    zero in-projection and out-projection biases; everything else (embeddings N(0, 1), the
    Linear layers' default uniform init, LayerNorm 1/0) is already PyTorch's default. Draws from
    torch's global generator (seed it first). Returns the model.

    >>> m = init_like_torch_encoder(make_model(4, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0))
    >>> attn = m.blocks[0].attn
    >>> float(attn.qkv.bias.detach().abs().sum()), float(attn.out.bias.detach().abs().sum())
    (0.0, 0.0)
    """
    with torch.no_grad():
        for block in getattr(model, "blocks", []):
            attn = block.attn
            nn.init.xavier_uniform_(attn.qkv.weight)
            attn.qkv.bias.zero_()
            attn.out.bias.zero_()
    return model


def make_model(n: int, recipe: Recipe, seed: int, device: Any = "cpu") -> nn.Module:
    """Their transformer at ``recipe``'s sizes, initialised from ``seed`` (torch's global
    generator is reseeded): post-LN, token ++ position embeddings, readout at the last position,
    attention initialised as ``nn.MultiheadAttention`` (:func:`init_like_torch_encoder`).

    >>> make_model(5, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0).cfg.d_mlp
    8
    """
    torch.manual_seed(int(seed))
    model = build_model("transformer", n, d_model=recipe.d_model, n_layers=recipe.n_layers,
                        n_heads=recipe.n_heads, d_mlp=recipe.d_mlp, norm="post", positions="concat",
                        readout="last")
    return init_like_torch_encoder(model).to(device)


def uniform_batches(target: Target, batch_size: int, generator: torch.Generator,
                    device: Any = "cpu") -> Callable[[int], tuple[torch.Tensor, torch.Tensor]]:
    """``next_batch(step)`` of ``batch_size`` fresh uniform inputs and their {0,1} labels, drawn from
    ``generator`` (checkpointed by :func:`empirical.train.loop.train`)."""
    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        bits = torch.randint(0, 2, (batch_size, target.n), generator=generator)  # (B, n)
        return bits.to(device), labels(target(bits)).to(device)
    return next_batch


def training_record(m: nn.Module, probe: tuple[torch.Tensor, torch.Tensor], recipe: Recipe, *, seed: int,
                    step: int) -> dict:
    """What :func:`fit_fixed_steps` logs every ``recipe.log_every`` steps (see there)."""
    bits, y = probe
    small = (bits[:256], y[:256])
    rec = {"probe_mse": float(mse_loss(m(bits), y)), "parameter_norm": parameter_norm(m, positional=False),
           "blowup": layer_norm_blowup(m, small[0])["blowup"]}
    if recipe.track_draws:
        rec["loss_sharpness"] = loss_sharpness(m, *small, rho=noise_scale(m, 0.02, None), draws=recipe.track_draws,
                                               seed=seed_of(seed, "track", step))
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
                  make_optimizer=lambda ps: torch.optim.AdamW(ps, lr=recipe.lr, weight_decay=recipe.weight_decay),
                  log_every=recipe.log_every, on_log=on_log)
    return time.perf_counter() - t0


def fit_fixed_steps(model: nn.Module, next_batch: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
                    generator: torch.Generator, recipe: Recipe, *, ctx: Any, probe: tuple[torch.Tensor, torch.Tensor],
                    seed: int, extra_log: Callable[[nn.Module], dict] | None = None) -> TrainResult:
    """Train for exactly ``recipe.steps`` AdamW steps on MSE (their rule: no early stop), resumably.

    Every ``recipe.log_every`` steps the history gets ``probe_mse`` (the MSE on the fixed ``probe``
    points), ``parameter_norm`` (without the positional embedding), the LN ``blowup`` and, with
    ``recipe.track_draws``, a cheap ``loss_sharpness`` (ε = 0.02, ``track_draws`` directions seeded
    by ``seed`` and the step) on at most 256 probe points; ``extra_log(model)`` adds more."""
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)

    def log(step: int, m: nn.Module) -> dict:
        rec = training_record(m, probe, recipe, seed=seed, step=step)
        if extra_log is not None:
            rec.update(extra_log(m))
        return rec

    return train(model, opt, steps=recipe.steps, next_batch=next_batch,
                 loss_fn=lambda m, x, t: mse_loss(m(x), t), generator=generator, ctx=ctx,
                 log_every=recipe.log_every, checkpoint_every=recipe.checkpoint_every, on_log=log)


