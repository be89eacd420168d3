"""One-layer transformer for a + b mod p, the grokking setup of Nanda et al. (2023), "Progress
measures for grokking via mechanistic interpretability", ICLR 2023, as used by Vasudeva et al.
(2025), "Transformers Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025.

Input "a b =" (ids a, b, p); token embedding W_E (p+1 → d_model), learned positional embedding
(zero-initialised), one multi-head attention layer and one ReLU MLP (d_model → d_mlp → d_model),
each with a residual connection, no LayerNorm; the logits are read at the "=" position. ``embed``
and ``forward_embedded`` are split so that measures can put noise on the operand embeddings
(Vasudeva et al.'s grokking sensitivity, ``docs/theory.md`` §5.6) without a second copy of the
model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass(frozen=True)
class GrokConfig:
    p: int = 31
    d_model: int = 64
    n_heads: int = 4
    d_mlp: int = 256
    residual: bool = True


class GrokTransformer(nn.Module):
    def __init__(self, cfg: GrokConfig):
        super().__init__()
        self.cfg = cfg
        d, h = cfg.d_model, cfg.n_heads
        self.W_E = nn.Embedding(cfg.p + 1, d)
        nn.init.normal_(self.W_E.weight, std=1 / math.sqrt(d))
        self.pos = nn.Parameter(torch.zeros(3, d))
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.out = nn.Linear(d, d, bias=False)
        self.mlp_in = nn.Linear(d, cfg.d_mlp)
        self.mlp_out = nn.Linear(cfg.d_mlp, d)
        self.unembed = nn.Linear(d, cfg.p, bias=False)
        self.heads = h

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.W_E(ids)  # (B, 3, d)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        B, T, d = e.shape
        h = self.heads
        x = e + self.pos[:T]  # (B, T, d)
        q, k, v = self.qkv(x).split(d, dim=-1)  # 3 × (B, T, d)
        q = q.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        k = k.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        v = v.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h), dim=-1)  # (B, h, T, T)
        a = (att @ v).transpose(1, 2).reshape(B, T, d)  # (B, T, d)
        x = x + self.out(a) if self.cfg.residual else self.out(a)  # (B, T, d)
        m = self.mlp_out(torch.relu(self.mlp_in(x[:, -1])))  # (B, d) at "="
        x_last = x[:, -1] + m if self.cfg.residual else m  # (B, d)
        return self.unembed(x_last)  # (B, p)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.forward_embedded(self.embed(ids))  # (B, p)
