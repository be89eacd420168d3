"""The single-layer attention model of Vasudeva et al. (2025), "Transformers Learn Low
Sensitivity Functions: Investigations and Implications", ICLR 2025, on token ids.

For one-hot tokens X ∈ {0, 1}^{T×M} the paper's model is f(X) = Uᵀ softmax(X W_Q W_Kᵀ Xᵀ) X W_V.
With one-hot rows, X W is a row lookup W[ids], so this module takes the ids ``(B, T)`` directly
(the same function, without materialising X). The readout Uᵀ is read here as a mean over the T
positions followed by a vector u ∈ ℝ^d (the paper's shape of U was not available); the scores are
not scaled by 1/√d, as in the paper's formula; every weight starts at N(0, init_scale²) (small
initialisation). ``attention(ids)`` returns the (B, T, T) pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from boolsens import BoolsensError

__all__ = ["TokenAttentionConfig", "TokenAttention"]


@dataclass(frozen=True, kw_only=True)
class TokenAttentionConfig:
    """The frozen settings of a :class:`TokenAttention` model (M: vocabulary size)."""

    M: int                     # vocabulary size
    d_model: int = 32
    init_scale: float = 0.01

    def __post_init__(self):
        if self.M < 1 or self.d_model < 1 or not self.init_scale > 0:
            raise BoolsensError(f"bad sizes: M={self.M}, d_model={self.d_model}, init_scale={self.init_scale}")


class TokenAttention(nn.Module):
    """f(X) = u · mean_t softmax(X W_Q W_Kᵀ Xᵀ) X W_V on token ids (module docstring): (B, T) -> (B,)."""

    def __init__(self, cfg: TokenAttentionConfig):
        super().__init__()
        self.cfg = cfg
        s = cfg.init_scale
        self.W_Q = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.W_K = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.W_V = nn.Parameter(s * torch.randn(cfg.M, cfg.d_model))
        self.u = nn.Parameter(s * torch.randn(cfg.d_model))

    def attention(self, ids: torch.Tensor) -> torch.Tensor:
        """The attention pattern softmax(X W_Q (X W_K)ᵀ): ``ids`` (B, T) -> (B, T, T)."""
        q, k = self.W_Q[ids], self.W_K[ids]  # (B, T, d) = X W_Q, X W_K
        return torch.softmax(q @ k.transpose(1, 2), dim=-1)  # (B, T, T)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """The real output u · mean_t (attention · X W_V)_t: ``ids`` (B, T) -> (B,)."""
        h = self.attention(ids) @ self.W_V[ids]  # (B, T, d)
        return h.mean(dim=1) @ self.u  # (B,)
