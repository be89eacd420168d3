"""An LSTM over bit tokens, read at the last position: ``forward(bits (B, n)) -> (B,)`` reals.

Token 1 = coordinate −1 = True (see :mod:`boolsens`). Used as the recurrent baseline of the
random-initialisation experiment, after Bhattamishra et al. (2023), "Simplicity Bias in
Transformers and their Ability to Learn Sparse Boolean Functions", ACL 2023.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from boolsens import BoolsensError

__all__ = ["LSTMConfig", "BooleanLSTM"]


@dataclass(frozen=True, kw_only=True)
class LSTMConfig:
    """The frozen settings of a :class:`BooleanLSTM`."""

    n: int
    d_model: int = 32
    n_layers: int = 1
    vocab: int = 2

    def __post_init__(self):
        if self.n < 1 or self.d_model < 1 or self.n_layers < 1:
            raise BoolsensError(f"bad LSTM sizes: n={self.n}, d_model={self.d_model}, n_layers={self.n_layers}")


class BooleanLSTM(nn.Module):
    """Bit-token embedding, an ``n_layers`` LSTM, a linear head on the last position: (B, n) -> (B,)."""

    def __init__(self, cfg: LSTMConfig):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab, cfg.d_model)
        self.lstm = nn.LSTM(cfg.d_model, cfg.d_model, num_layers=cfg.n_layers, batch_first=True)
        self.head = nn.Linear(cfg.d_model, 1)

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """The real output of each row: ``bits`` (B, n) tokens in {0, 1} -> (B,)."""
        if bits.shape[1] != self.cfg.n:
            raise BoolsensError(f"input has length {bits.shape[1]}; this model was built for n={self.cfg.n}")
        h = self.tok_emb(bits)  # (B, n, d)
        h, _ = self.lstm(h)  # (B, n, d)
        return self.head(h[:, -1]).squeeze(-1)  # (B,)
