"""A transformer and an LSTM for sequence classification from word ids (B, T).

Both embed the words, layer-normalise the embeddings (no affine; the perturbation of token
sensitivity, Definition 3.1 of Vasudeva et al. (2025), "Transformers Learn Low Sensitivity
Functions: Investigations and Implications", ICLR 2025, is applied to these normalised
embeddings, as that paper does for text), then
``forward_embedded`` maps (B, T, d) to logits (B, 2). The transformer reads a CLS token
(pre-LN encoder, learned positions); the LSTM reads its last hidden state.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class SequenceConfig:
    vocab: int = 24
    T: int = 12
    d_model: int = 32     # word embedding width (both models)
    n_layers: int = 2     # transformer blocks
    n_heads: int = 4
    d_hidden: int = 64    # LSTM hidden-state width
    classes: int = 2


class _Embedder(nn.Module):
    def __init__(self, cfg: SequenceConfig):
        super().__init__()
        self.emb = nn.Embedding(cfg.vocab, cfg.d_model)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        e = self.emb(ids)  # (B, T, d)
        return F.layer_norm(e, e.shape[-1:])  # (B, T, d), each row mean 0, variance 1


class SequenceTransformer(nn.Module):
    def __init__(self, cfg: SequenceConfig):
        super().__init__()
        self.cfg = cfg
        self.embedder = _Embedder(cfg)
        self.cls = nn.Parameter(torch.zeros(1, 1, cfg.d_model))
        self.pos = nn.Parameter(0.02 * torch.randn(1, cfg.T + 1, cfg.d_model))
        layer = nn.TransformerEncoderLayer(cfg.d_model, cfg.n_heads, 4 * cfg.d_model, dropout=0.0,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, cfg.n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(cfg.d_model)
        self.head = nn.Linear(cfg.d_model, cfg.classes)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.embedder(ids)  # (B, T, d)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        B, T, _ = e.shape
        h = torch.cat([self.cls.expand(B, -1, -1), e], dim=1) + self.pos[:, : T + 1]  # (B, T+1, d)
        h = self.encoder(h)  # (B, T+1, d)
        return self.head(self.norm(h[:, 0]))  # (B, classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.forward_embedded(self.embed(ids))  # (B, classes)


class SequenceLSTM(nn.Module):
    def __init__(self, cfg: SequenceConfig):
        super().__init__()
        self.cfg = cfg
        self.embedder = _Embedder(cfg)
        self.lstm = nn.LSTM(cfg.d_model, cfg.d_hidden, batch_first=True)
        self.head = nn.Linear(cfg.d_hidden, cfg.classes)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.embedder(ids)  # (B, T, d)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(e)  # (B, T, d_hidden)
        return self.head(out[:, -1])  # (B, classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.forward_embedded(self.embed(ids))  # (B, classes)
