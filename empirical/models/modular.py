"""One-layer transformers for a + b mod p, in the two forms the grokking literature uses.

Input "a b =" (ids a, b, p; vocabulary p + 1), output p + 1 logits read at the "=" position (the
label is one of the first p). ``architecture`` picks one of two published models:

* ``"nanda"``: Nanda et al. (2023), "Progress measures for grokking via mechanistic
  interpretability", ICLR 2023 (their ``transformers.py``): a residual stream
  x = W_E[t] + W_pos, one causal multi-head attention layer without biases, one ReLU MLP with
  biases, both added to the stream, no LayerNorm, unembedding without bias. Every weight is
  N(0, 1/d_model) except the unembedding, N(0, 1/(p + 1)); biases start at 0.
* ``"vasudeva"``: Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions:
  Investigations and Implications", ICLR 2025 (their ``language/sens_addition.py``): the same
  widths but **no residual connections**: embedding → attention (``torch.nn.MultiheadAttention``
  with biases, no mask) → MLP → unembedding (with bias), no LayerNorm, PyTorch's default
  initialisation (token embedding N(0, 1), positional embedding 0).

``embed`` and ``forward_embedded`` are split so that a measure or a regulariser can perturb the
summed (token + position) embeddings of the operands without a second copy of the model. Only
the "=" position is read, so the MLP is evaluated there alone (it acts position by position and
nothing after it mixes positions: the logits are those of the full computation).

>>> m = ModularTransformer(ModularConfig(p=5, d_model=8, n_heads=2, d_mlp=16))
>>> ids = torch.tensor([[1, 2, 5], [4, 4, 5]])
>>> m(ids).shape, m.embed(ids).shape
(torch.Size([2, 6]), torch.Size([2, 3, 8]))
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn

from boolsens import BoolsensError

__all__ = ["ModularConfig", "ModularTransformer", "ARCHITECTURES"]

#: the two published forms of the model
ARCHITECTURES = ("nanda", "vasudeva")


@dataclass(frozen=True, kw_only=True)
class ModularConfig:
    """Sizes (``d_model``, ``n_heads``, ``d_mlp``), the modulus ``p`` and the ``architecture``."""

    p: int = 113
    d_model: int = 128
    n_heads: int = 4
    d_mlp: int = 512
    architecture: str = "nanda"

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise BoolsensError(f"architecture={self.architecture!r} must be one of {ARCHITECTURES}")
        if self.d_model % self.n_heads:
            raise BoolsensError(f"d_model={self.d_model} must be a multiple of n_heads={self.n_heads}")


class ModularTransformer(nn.Module):
    """The one-layer transformer for a + b mod p in the ``nanda`` or ``vasudeva`` form (module docstring):
    (B, 3) ids -> (B, p + 1) logits."""

    def __init__(self, cfg: ModularConfig):
        super().__init__()
        self.cfg = cfg
        d, V = cfg.d_model, cfg.p + 1
        nanda = cfg.architecture == "nanda"
        self.W_E = nn.Embedding(V, d)  # default N(0, 1) (Vasudeva)
        self.pos = nn.Parameter(torch.zeros(3, d))  # zeros (Vasudeva)
        self.qkv = nn.Linear(d, 3 * d, bias=not nanda)
        self.out = nn.Linear(d, d, bias=not nanda)
        self.mlp_in = nn.Linear(d, cfg.d_mlp)
        self.mlp_out = nn.Linear(cfg.d_mlp, d)
        self.unembed = nn.Linear(d, V, bias=not nanda)
        with torch.no_grad():
            if nanda:
                for w in (self.W_E.weight, self.pos, self.qkv.weight, self.out.weight, self.mlp_in.weight,
                          self.mlp_out.weight):
                    w.normal_(0.0, 1 / math.sqrt(d))
                self.unembed.weight.normal_(0.0, 1 / math.sqrt(V))
                self.mlp_in.bias.zero_()
                self.mlp_out.bias.zero_()
            else:  # torch.nn.MultiheadAttention's own initialisation of its projections
                nn.init.xavier_uniform_(self.qkv.weight)
                self.qkv.bias.zero_()
                self.out.bias.zero_()
        self.residual = nanda  # Nanda: residual stream and causal mask; Vasudeva: neither
        self.register_buffer("causal", torch.tril(torch.ones(3, 3, dtype=torch.bool)), persistent=False)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Token plus positional embedding: ``(B, 3) -> (B, 3, d)``."""
        return self.W_E(ids) + self.pos[: ids.shape[1]]  # (B, 3, d)

    def forward_embedded(self, e: torch.Tensor) -> torch.Tensor:
        """Logits at the "=" position from embeddings: ``(B, 3, d) -> (B, p + 1)``."""
        B, T, d = e.shape
        h = self.cfg.n_heads
        q, k, v = self.qkv(e).split(d, dim=-1)  # 3 × (B, T, d)
        q = q.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        k = k.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        v = v.view(B, T, h, d // h).transpose(1, 2)  # (B, h, T, d/h)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // h)  # (B, h, T, T)
        if self.residual:
            scores = scores.masked_fill(~self.causal[:T, :T], float("-inf"))
        a = self.out((torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, d))  # (B, T, d)
        x = (e + a if self.residual else a)[:, -1]  # (B, d) at "="
        m = self.mlp_out(torch.relu(self.mlp_in(x)))  # (B, d)
        return self.unembed(x + m if self.residual else m)  # (B, p + 1)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """The logits: ``ids`` (B, 3) token ids (a, b, '=') -> (B, p + 1)."""
        return self.forward_embedded(self.embed(ids))  # (B, p + 1)
