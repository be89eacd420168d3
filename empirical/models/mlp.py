"""A multilayer perceptron on the ±1 vector: ``forward(bits (B, n)) -> (B,)`` reals.

The bits are mapped back to ±1 coordinates (bit 1 -> −1, see :mod:`boolsens`) and fed as a
float vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from boolsens import BoolsensError

__all__ = ["MLPConfig", "BooleanMLP"]


@dataclass(frozen=True, kw_only=True)
class MLPConfig:
    """The frozen settings of a :class:`BooleanMLP`."""

    n: int
    d_mlp: int = 128               # hidden width
    n_layers: int = 2              # number of hidden layers
    activation: str = "relu"       # "relu" | "tanh"

    def __post_init__(self):
        if self.n < 1 or self.d_mlp < 1 or self.n_layers < 0:
            raise BoolsensError(f"bad MLP sizes: n={self.n}, d_mlp={self.d_mlp}, n_layers={self.n_layers}")
        if self.activation not in ("relu", "tanh"):
            raise BoolsensError(f"activation={self.activation!r} must be 'relu' or 'tanh'")


class BooleanMLP(nn.Module):
    """``n_layers`` hidden layers of width ``d_mlp`` (ReLU or tanh) on the ±1 vector, a linear head: (B, n)
    -> (B,)."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        self.cfg = cfg
        act = nn.ReLU if cfg.activation == "relu" else nn.Tanh
        layers: list[nn.Module] = []
        width_in = cfg.n
        for _ in range(cfg.n_layers):
            layers += [nn.Linear(width_in, cfg.d_mlp), act()]
            width_in = cfg.d_mlp
        layers.append(nn.Linear(width_in, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """The real output of each row: ``bits`` (B, n) tokens in {0, 1} -> (B,)."""
        if bits.shape[1] != self.cfg.n:
            raise BoolsensError(f"input has length {bits.shape[1]}; this model was built for n={self.cfg.n}")
        x = 1.0 - 2.0 * bits.to(torch.float32)  # (B, n)  ±1 coordinates
        return self.net(x).squeeze(-1)  # (B,)
