"""The one training recipe of the Boolean-input experiments (``length-scaling``,
``random-function-generalization``, ``spectral-dynamics``), after Hahn & Rofin (2024), "Why are
Sensitive Functions Hard for Transformers?", ACL 2024 (public code,
``lacoco-lab/sensitivity-hardness``): bit tokens, a token embedding concatenated with a learned
positional embedding, a post-LN encoder, a linear readout at the last position, MSE on {0,1}
labels, AdamW with weight decay 0.1, fresh uniform batches.

:class:`Recipe` holds the model sizes and the optimisation (one frozen config; its ``init`` option
says whether the attention is initialised as ``nn.MultiheadAttention`` does, as in their code, or
left at this package's default); :func:`make_model` builds the model from a seed;
:func:`make_optimizer` builds the one optimiser every experiment trains with (AdamW, Adam or SGD) from
its settings. The training loop is :func:`empirical.train.loop.train`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional

import torch
from torch import nn

from boolsens import BoolsensError

from ..harness.checks import check_fields
from ..models import build_model

__all__ = ["Recipe", "INITS", "make_model", "init_like_torch_encoder", "make_optimizer", "OPTIMIZERS"]

#: ``Recipe.init``: "torch-encoder" (their code: attention as ``nn.MultiheadAttention``) or
#: "default" (the model's own initialisation)
INITS = ("torch-encoder", "default")

#: the optimisers :func:`make_optimizer` builds
OPTIMIZERS = ("adamw", "adam", "sgd")


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """Model sizes and optimisation: Hahn & Rofin's values are d_model 128, d_mlp 128, 2 layers,
    2 heads, lr 3e-4, weight decay 0.1, batch 1024, 10,000 steps (the ``gpu`` presets).

    ``d_mlp=None`` is the model's default width (4 · d_model). ``steps`` is the number of
    optimiser steps (a stop rule of an experiment may end training earlier); every ``log_every``
    steps the history gets a record (with ``track_draws`` > 0, a cheap loss sharpness too), and
    every ``checkpoint_every`` steps a checkpoint is written."""

    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_mlp: Optional[int] = 32   # Optional, not int | None: the --set parser reads typing.Optional only
    init: str = "torch-encoder"
    lr: float = 1e-3
    weight_decay: float = 0.1
    batch_size: int = 256
    steps: int = 2000
    log_every: int = 100
    checkpoint_every: int = 500
    track_draws: int = 4        # sharpness draws per logged step (on 256 fixed points); 0: not tracked

    def __post_init__(self) -> None:
        if self.init not in INITS:
            raise BoolsensError(f"init={self.init!r} must be one of {INITS}")
        check_fields(self, counts=("d_model", "n_layers", "n_heads", "d_mlp", "batch_size", "steps", "log_every",
                                   "checkpoint_every"),
                     counts0=("track_draws",), positive=("lr",), nonnegative=("weight_decay",))


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
    attention initialised as ``nn.MultiheadAttention`` (:func:`init_like_torch_encoder`) when
    ``recipe.init`` is "torch-encoder". Cost: one model's parameters.

    >>> make_model(5, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0).cfg.d_mlp
    8
    >>> make_model(5, Recipe(d_model=8, n_heads=1, d_mlp=None, init="default"), seed=0).cfg.d_mlp is None
    True
    """
    torch.manual_seed(int(seed))
    sizes = {"d_model": recipe.d_model, "n_layers": recipe.n_layers, "n_heads": recipe.n_heads}
    if recipe.d_mlp is not None:
        sizes["d_mlp"] = recipe.d_mlp
    model = build_model("transformer", n, norm="post", positions="concat", readout="last", **sizes)
    if recipe.init == "torch-encoder":
        init_like_torch_encoder(model)
    return model.to(device)


def make_optimizer(params: Iterable[Any], name: str = "adamw", *, lr: float, weight_decay: float = 0.0,
              betas: tuple[float, float] = (0.9, 0.999), momentum: float = 0.9) -> torch.optim.Optimizer:
    """The optimiser of every experiment: ``"adamw"`` (decoupled weight decay), ``"adam"`` or
    ``"sgd"`` (with ``momentum``), with torch's defaults otherwise. Cost: the optimiser's state.

    >>> opt = make_optimizer(torch.nn.Linear(2, 1).parameters(), "sgd", lr=0.1, weight_decay=1.0)
    >>> type(opt).__name__, opt.defaults["momentum"]
    ('SGD', 0.9)
    """
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=tuple(betas))
    if name == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay, betas=tuple(betas))
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay, momentum=momentum)
    raise BoolsensError(f"optimizer={name!r} must be one of {OPTIMIZERS}")
