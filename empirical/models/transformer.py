"""A small transformer encoder for Boolean sequences, in one readable file.

Input: an (B, n) long tensor of bits (token 1 = coordinate −1 = True, see :mod:`boolsens`);
output: (B,) reals, read at the last position or at a CLS token.

Options (see :class:`TransformerConfig`): post-LN (the default, as in Hahn & Rofin (2024), "Why are
Sensitive Functions Hard for Transformers?", ACL 2024) / pre-LN / no LN;
softmax, linear (identity instead of softmax) or ReLU attention; token embedding concatenated
with or added to a learned positional embedding; readout at the last token or at a prepended CLS.

Introspection uses hooks, never a second copy of the model: every ``nn.LayerNorm`` is a plain
submodule (``model.layer_norms()``; a forward pre-hook sees its input), and each attention module
passes its (B, H, T, T) pattern through ``attn.hook_pattern`` (an identity module: register a
forward hook on it to read the pattern). The last block is evaluated only at the readout
position (its output elsewhere never reaches the readout): its pattern is (B, H, 1, T) and its
LayerNorms see (B, 1, d), which is exactly Hahn & Rofin's "last layer at the last token only".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from boolsens import BoolsensError

__all__ = ["TransformerConfig", "BooleanTransformer"]


@dataclass(frozen=True, kw_only=True)
class TransformerConfig:
    """The frozen settings of a :class:`BooleanTransformer` (sizes, normalisation, attention, readout)."""

    n: int                          # sequence length (number of Boolean inputs)
    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_mlp: int | None = None        # MLP hidden width; default 4 * d_model
    norm: str = "post"              # "post" | "pre" | "none"
    attention: str = "softmax"      # "softmax" | "linear" | "relu"
    readout: str = "last"           # "last" | "cls"
    positions: str = "concat"       # "concat" (token d/2 ++ position d/2) | "add"
    final_norm: bool = False        # an extra LN before the readout (usual with pre-LN)
    vocab: int = 2

    def __post_init__(self):
        if self.n < 1 or self.d_model < 2 or self.n_layers < 0 or self.n_heads < 1:
            raise BoolsensError(f"bad transformer sizes: n={self.n}, d_model={self.d_model}, "
                             f"n_layers={self.n_layers}, n_heads={self.n_heads}")
        if self.d_model % self.n_heads:
            raise BoolsensError(f"d_model={self.d_model} must be a multiple of n_heads={self.n_heads}")
        for field, allowed in (("norm", ("post", "pre", "none")), ("attention", ("softmax", "linear", "relu")),
                               ("readout", ("last", "cls")), ("positions", ("concat", "add"))):
            if getattr(self, field) not in allowed:
                raise BoolsensError(f"{field}={getattr(self, field)!r} must be one of {allowed}")
        if self.positions == "concat" and self.d_model % 2:
            raise BoolsensError(f"d_model={self.d_model} must be even with positions='concat'")


class HookPoint(nn.Identity):
    """An identity module whose only job is to be hooked (``register_forward_hook``)."""


class SelfAttention(nn.Module):
    def __init__(self, d: int, heads: int, kind: str):
        super().__init__()
        self.heads, self.kind = heads, kind
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.hook_pattern = HookPoint()
        #: use the fused softmax-attention kernel when the pattern is not hooked
        self.fused = True

    def forward(self, h: torch.Tensor, query: int | None = None) -> torch.Tensor:
        """``query=None``: every position attends; ``query=t``: only position t (keys and values
        still come from every position), output (B, 1, d)."""
        B, T, d = h.shape
        q, k, v = self.qkv(h).view(B, T, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)  # 3 x (B, H, T, dh)
        if query is not None:
            q = q[:, :, query:query + 1]  # (B, H, 1, dh)
        if self.fused and self.kind == "softmax" and not (self.hook_pattern._forward_hooks
                                                         or self.hook_pattern._forward_pre_hooks):
            # fast path (same result): the fused kernel never materialises the pattern; taken only
            # when nobody is hooked on it and ``fused`` is on (vmap has no batching rule for it)
            mixed = F.scaled_dot_product_attention(q, k, v)  # (B, H, Tq, dh)
            return self.out(mixed.transpose(1, 2).reshape(B, -1, d))  # (B, Tq, d)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads)  # (B, H, Tq, T)
        if self.kind == "softmax":
            pattern = scores.softmax(dim=-1)  # (B, H, Tq, T)
        elif self.kind == "relu":
            pattern = torch.relu(scores) / T  # (B, H, Tq, T)
        else:
            pattern = scores / T  # (B, H, Tq, T)  linear attention: identity instead of softmax
        pattern = self.hook_pattern(pattern)
        mixed = (pattern @ v).transpose(1, 2).reshape(B, -1, d)  # (B, Tq, d)
        return self.out(mixed)  # (B, Tq, d)


class Block(nn.Module):
    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        d, ff = cfg.d_model, cfg.d_mlp or 4 * cfg.d_model
        self.norm = cfg.norm
        self.attn = SelfAttention(d, cfg.n_heads, cfg.attention)
        self.mlp = nn.Sequential(nn.Linear(d, ff), nn.ReLU(), nn.Linear(ff, d))
        self.ln1 = nn.LayerNorm(d) if cfg.norm != "none" else nn.Identity()
        self.ln2 = nn.LayerNorm(d) if cfg.norm != "none" else nn.Identity()

    def forward(self, h: torch.Tensor, query: int | None = None) -> torch.Tensor:
        """``query=t`` computes the block's output at position t only (B, 1, d)."""
        rows = h if query is None else h[:, query:query + 1]  # (B, Tq, d)
        if self.norm == "pre":
            h = rows + self.attn(self.ln1(h), query)  # (B, Tq, d)
            return h + self.mlp(self.ln2(h))  # (B, Tq, d)
        h = self.ln1(rows + self.attn(h, query))  # (B, Tq, d)   post-LN (or no LN)
        return self.ln2(h + self.mlp(h))  # (B, Tq, d)


class BooleanTransformer(nn.Module):
    """Encoder over bit tokens; ``forward(bits) -> (B,)`` reals (see the module docstring)."""

    def __init__(self, cfg: TransformerConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        T = cfg.n + (cfg.readout == "cls")
        d_tok = d // 2 if cfg.positions == "concat" else d
        self.tok_emb = nn.Embedding(cfg.vocab + (cfg.readout == "cls"), d_tok)
        self.pos_emb = nn.Embedding(T, d - d_tok if cfg.positions == "concat" else d)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.final_ln = nn.LayerNorm(d) if cfg.final_norm else nn.Identity()
        self.head = nn.Linear(d, 1)
        self.register_buffer("positions", torch.arange(T), persistent=False)
        #: the position the output is read from (index into the sequence the blocks see)
        self.readout_position = 0 if cfg.readout == "cls" else T - 1

    def layer_norms(self) -> list[nn.LayerNorm]:
        """Every LayerNorm, in the order the forward pass applies them."""
        out = []
        for b in self.blocks:
            out += [m for m in (b.ln1, b.ln2) if isinstance(m, nn.LayerNorm)]
        return out + ([self.final_ln] if isinstance(self.final_ln, nn.LayerNorm) else [])

    def non_positional_parameters(self) -> dict[str, nn.Parameter]:
        """Named parameters other than the positional embedding (what sharpness perturbs)."""
        return {k: p for k, p in self.named_parameters() if not k.startswith("pos_emb")}

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """The real output of each row: ``bits`` (B, n) tokens in {0, 1} -> (B,)."""
        return self.forward_embedded(self.embed(bits))

    def embed(self, bits: torch.Tensor) -> torch.Tensor:
        """The token embeddings (without positions) of ``bits`` (B, n) in {0, 1}: (B, T, d_tok),
        the CLS token's first with ``readout="cls"`` (T = n + 1), else T = n. What a noise on the
        input's tokens perturbs (:meth:`forward_embedded` joins the positions)."""
        B, n = bits.shape
        if n != self.cfg.n:
            raise BoolsensError(f"input has length {n}; this model was built for n={self.cfg.n}")
        if self.cfg.readout == "cls":
            cls = torch.full((B, 1), self.cfg.vocab, dtype=bits.dtype, device=bits.device)
            bits = torch.cat([cls, bits], dim=1)  # (B, T)
        return self.tok_emb(bits)  # (B, T, d_tok)

    def forward_embedded(self, tok: torch.Tensor) -> torch.Tensor:
        """The output from token embeddings ``tok`` (B, T, d_tok) (:meth:`embed`'s, or a perturbed
        copy): positions joined, the blocks, the readout -> (B,)."""
        B = tok.shape[0]
        pos = self.pos_emb(self.positions).expand(B, -1, -1)  # (B, T, d_pos)
        h = torch.cat([tok, pos], dim=-1) if self.cfg.positions == "concat" else tok + pos  # (B, T, d)
        last = len(self.blocks) - 1
        for i, block in enumerate(self.blocks):
            # the last block is evaluated only where the output is read (same output, less work)
            h = block(h, self.readout_position if i == last else None)  # (B, T, d); last: (B, 1, d)
        h = self.final_ln(h[:, -1])  # (B, d)
        return self.head(h).squeeze(-1)  # (B,)
