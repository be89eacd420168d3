"""The transformer and optimiser settings of spectral-dynamics (:class:`TrainSpec`) and its model
(:func:`make_transformer`), after the recipe of Hahn & Rofin (2024), "Why are Sensitive Functions
Hard for Transformers?", ACL 2024: MSE on {0,1} labels, AdamW.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from ..models import build_model

__all__ = ["TrainSpec", "make_transformer"]


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


def make_transformer(n: int, spec: TrainSpec, seed: int, device: Any):
    """A BooleanTransformer initialised from ``seed`` (torch's global generator is reseeded).

    >>> make_transformer(4, TrainSpec(d_model=8, n_heads=1), 0, "cpu").cfg.d_model
    8
    """
    torch.manual_seed(seed)
    model = build_model("transformer", n, d_model=spec.d_model, n_layers=spec.n_layers,
                        n_heads=spec.n_heads, norm=spec.norm)
    return model.to(device)
