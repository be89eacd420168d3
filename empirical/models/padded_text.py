"""A transformer and an LSTM classifier for variable-length, right-padded word sequences, after
the text models of Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions:
Investigations and Implications", ICLR 2025 (a RoBERTa-style encoder trained from scratch and a
multi-layer LSTM).

Both embed the words and layer-normalise them (``embed``; LayerNorm with its gain and bias, as
the paper's LSTM); ``forward_embedded(e, lengths)`` maps those embeddings ``(B, L, d)`` and the
lengths ``(B,)`` to logits ``(B, classes)``: Definition 3.1's noise is added to ``e``.

* :class:`PaddedTransformer`: a learned CLS vector is prepended, learned positions are added, then
  a LayerNorm (RoBERTa's embedding LayerNorm), a post-LN encoder with a key-padding mask, and a
  linear head on the CLS output.
* :class:`PaddedLSTM`: a multi-layer unidirectional LSTM over the packed sequence (dropout between
  layers), a linear head on the last layer's hidden state at each sequence's last real token.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

from boolsens import BoolsensError

__all__ = ["PaddedTextConfig", "PaddedTransformer", "PaddedLSTM"]


@dataclass(frozen=True, kw_only=True)
class PaddedTextConfig:
    """The frozen settings of :class:`PaddedTransformer` and :class:`PaddedLSTM`."""

    vocab: int                 # words 0 … vocab−1; the padding id is ``vocab``
    max_len: int
    d_model: int = 32          # word-embedding width (both models), transformer width
    n_layers: int = 2          # encoder blocks / LSTM layers
    n_heads: int = 4
    d_mlp: int = 128           # encoder feed-forward width
    d_hidden: int = 64         # LSTM hidden width
    dropout: float = 0.1
    classes: int = 2

    def __post_init__(self):
        if self.vocab < 1 or self.max_len < 1 or self.d_model < 1 or self.n_layers < 1 or self.d_hidden < 1:
            raise BoolsensError(f"bad sizes in {self}")
        if self.d_model % self.n_heads:
            raise BoolsensError(f"d_model={self.d_model} must be a multiple of n_heads={self.n_heads}")


class _Embedder(nn.Module):
    def __init__(self, cfg: PaddedTextConfig):
        super().__init__()
        self.emb = nn.Embedding(cfg.vocab + 1, cfg.d_model, padding_idx=cfg.vocab)
        self.norm = nn.LayerNorm(cfg.d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.norm(self.emb(ids))  # (B, L, d)


class PaddedTransformer(nn.Module):
    """A [CLS] token, learned positions, a post-norm transformer encoder that masks the padding, a linear
    head on [CLS]: (B, L) ids -> (B, classes)."""

    def __init__(self, cfg: PaddedTextConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.embedder = _Embedder(cfg)
        self.cls = nn.Parameter(0.02 * torch.randn(1, 1, d))
        self.pos = nn.Parameter(0.02 * torch.randn(1, cfg.max_len + 1, d))
        self.in_norm = nn.LayerNorm(d)
        self.in_dropout = nn.Dropout(cfg.dropout)
        layer = nn.TransformerEncoderLayer(d, cfg.n_heads, cfg.d_mlp, dropout=cfg.dropout, activation="gelu",
                                           batch_first=True, norm_first=False)
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d, cfg.classes)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """The word embeddings: ``ids`` (B, L) -> (B, L, d)."""
        return self.embedder(ids)  # (B, L, d)

    def forward_embedded(self, e: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The logits from embeddings ``e`` (B, L, d) with ``lengths`` (B,) real tokens each -> (B,
        classes)."""
        B, L, _ = e.shape
        h = torch.cat([self.cls.expand(B, -1, -1), e], dim=1) + self.pos[:, : L + 1]  # (B, L+1, d)
        h = self.in_dropout(self.in_norm(h))  # (B, L+1, d)
        pad = torch.arange(L + 1, device=e.device)[None, :] > lengths[:, None]  # (B, L+1), True = padding
        h = self.encoder(h, src_key_padding_mask=pad)  # (B, L+1, d)
        return self.head(h[:, 0])  # (B, classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The logits: ``ids`` (B, L) right-padded, ``lengths`` (B,) -> (B, classes)."""
        return self.forward_embedded(self.embed(ids), lengths)  # (B, classes)


class PaddedLSTM(nn.Module):
    """An LSTM over the packed (unpadded) sequences, a linear head on the last real token's state: (B, L)
    ids -> (B, classes)."""

    def __init__(self, cfg: PaddedTextConfig):
        super().__init__()
        self.cfg = cfg
        self.embedder = _Embedder(cfg)
        self.lstm = nn.LSTM(cfg.d_model, cfg.d_hidden, num_layers=cfg.n_layers, batch_first=True,
                            dropout=cfg.dropout if cfg.n_layers > 1 else 0.0)
        self.head = nn.Linear(cfg.d_hidden, cfg.classes)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """The word embeddings: ``ids`` (B, L) -> (B, L, d)."""
        return self.embedder(ids)  # (B, L, d)

    def forward_embedded(self, e: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The logits from embeddings ``e`` (B, L, d) with ``lengths`` (B,) real tokens each -> (B,
        classes)."""
        packed = pack_padded_sequence(e, lengths.cpu(), batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)  # h_n: (n_layers, B, d_hidden), at each sequence's last real token
        return self.head(h_n[-1])  # (B, classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """The logits: ``ids`` (B, L) right-padded, ``lengths`` (B,) -> (B, classes)."""
        return self.forward_embedded(self.embed(ids), lengths)  # (B, classes)
