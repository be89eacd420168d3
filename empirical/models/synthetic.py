"""Single-layer attention model for the synthetic tokens of Definition 3.3 of Vasudeva et al.
(2025), "Transformers Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025
(``docs/theory.md`` §5.2).

f(X) = (1/T) Σ_t [softmax(X W_Q W_Kᵀ Xᵀ / √d) X W_V]_t · u, X the one-hot tokens (B, T, M).
The effective readout of a token is v = W_V u ∈ R^M (what a uniform-attention model adds per
token), used to measure the alignment of the learned function with the sparse, frequent and
irrelevant directions. Small initialisation (``init_scale``) as in the paper. ``attention``
returns the (B, T, T) attention pattern (a hook, not a second model).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass(frozen=True)
class AttentionConfig:
    M: int = 32
    d_model: int = 32
    init_scale: float = 0.01


class SingleLayerAttention(nn.Module):
    def __init__(self, cfg: AttentionConfig):
        super().__init__()
        self.cfg = cfg
        s = cfg.init_scale
        self.W_Q = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.W_K = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.W_V = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.u = nn.Parameter(s * torch.randn(cfg.d_model))

    def attention(self, X: torch.Tensor) -> torch.Tensor:
        q = X @ self.W_Q  # (B, T, d)
        k = X @ self.W_K  # (B, T, d)
        return torch.softmax(q @ k.transpose(1, 2) / math.sqrt(self.cfg.d_model), dim=-1)  # (B, T, T)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        A = self.attention(X)  # (B, T, T)
        h = A @ (X @ self.W_V)  # (B, T, d)
        return (h @ self.u).mean(dim=1)  # (B,)

    def token_readout(self) -> torch.Tensor:
        return (self.W_V @ self.u).detach()  # (M,)
