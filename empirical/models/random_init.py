"""The two classifiers of Bhattamishra et al. (2023), "Simplicity Bias in Transformers and their
Ability to Learn Sparse Boolean Functions", ACL 2023, and their random initialisations, as their
public code builds them (``RandFLTAtt``/``RandFLTClf``, commit f00f24b): one readable file.

Input: an (B, n) long tensor of bits (token 1 = coordinate −1 = True, see :mod:`boolsens`);
output: (B,) logits. The classifier's label is 1 (True) where sigmoid(logit) >= ½, i.e. logit >= 0.

* :class:`EndTokenTransformer`: the "annotated transformer" encoder, pre-LN (x + sublayer(LN(x)))
  with a final LayerNorm; the LayerNorm divides by the *unbiased* standard deviation plus
  eps = 1e-6 (:class:`AnnotatedLayerNorm`); attention with four linear maps (q, k, v, out, with
  biases); ReLU FFN d_model → d_mlp → d_model (they use d_mlp = 2·d_model); no dropout. Tokens
  '0', '1', the end symbol and a pad symbol (4 rows, the pad row unused) embedded and multiplied
  by √d_model, plus a learnable positional table; the end symbol is appended and the output is read
  there (the last position) by a linear decoder without bias.
* :class:`LastStateLSTM`: embedding (3 rows) → ``nn.LSTM`` → the last layer's hidden state at the
  last position → a linear decoder without bias.

Initialisations (:func:`init_uniform`, :func:`init_gaussian`), each drawing from a
``torch.Generator`` so that a unit is a pure function of its seed:

* uniform, width w: token embedding, decoder, positional table and every *weight* of the
  transformer layers (attention, FFN) or of the LSTM ~ U(−w, w); every bias zeroed; LayerNorm
  gains and biases left at 1 and 0 (their code matches parameters by the names "weight"/"bias",
  which its LayerNorm's ``a_2``/``b_2`` do not contain).
* Gaussian, std σ: layer weights ~ N(0, σ²), biases zeroed, LayerNorms untouched; transformer: token
  embedding and decoder ~ N(0, 1), positions ~ U(−1, 1); LSTM: embedding and decoder ~ U(−1, 1).

The last transformer layer is evaluated only at the readout position (its output elsewhere never
reaches the decoder): the same logits for less work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from boolsens import BoolsensError

__all__ = ["AnnotatedLayerNorm", "EndTokenTransformer", "EndTokenConfig", "LastStateLSTM", "LastStateConfig",
           "init_uniform", "init_gaussian"]

#: token ids: bits 0 and 1, then the end symbol (the pad symbol's row exists but is never read)
END_TOKEN = 2


class AnnotatedLayerNorm(nn.Module):
    r""":math:`a \odot (x - \bar x)/(s + \epsilon) + b` over the last axis, with s the *unbiased*
    standard deviation (ddof = 1) and ε = 1e-6 added to s (not to the variance).

    >>> ln = AnnotatedLayerNorm(2)
    >>> [round(v, 5) for v in ln(torch.tensor([[1.0, 3.0]]))[0].tolist()]   # mean 2, unbiased std sqrt(2)
    [-0.70711, 0.70711]
    """

    def __init__(self, d: int, eps: float = 1e-6):
        super().__init__()
        self.a_2 = nn.Parameter(torch.ones(d))
        self.b_2 = nn.Parameter(torch.zeros(d))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """a_2 · (x − mean) / (std + eps) + b_2 over the last axis, with the unbiased std: (..., d) ->
        (..., d)."""
        mean = x.mean(-1, keepdim=True)  # (..., 1)
        std = x.std(-1, keepdim=True)  # (..., 1) unbiased
        return self.a_2 * (x - mean) / (std + self.eps) + self.b_2  # (..., d)


@dataclass(frozen=True, kw_only=True)
class EndTokenConfig:
    """The frozen settings of an :class:`EndTokenTransformer`."""

    n: int
    d_model: int = 64
    n_layers: int = 4
    n_heads: int = 1
    d_mlp: int | None = None       # FFN width; default 2 * d_model, as Bhattamishra et al.

    def __post_init__(self):
        if self.n < 1 or self.d_model < 2 or self.n_layers < 1 or self.n_heads < 1:
            raise BoolsensError(f"bad transformer sizes: n={self.n}, d_model={self.d_model}, "
                                f"n_layers={self.n_layers}, n_heads={self.n_heads}")
        if self.d_model % self.n_heads:
            raise BoolsensError(f"d_model={self.d_model} must be a multiple of n_heads={self.n_heads}")


class _Attention(nn.Module):
    def __init__(self, d: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.out = (nn.Linear(d, d) for _ in range(4))

    def forward(self, h: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """Queries from ``rows`` (B, Tq, d), keys and values from ``h`` (B, T, d) -> (B, Tq, d)."""
        B, T, d = h.shape
        Tq, dh = rows.shape[1], d // self.heads
        q = self.q(rows).view(B, Tq, self.heads, dh).transpose(1, 2)  # (B, H, Tq, dh)
        k = self.k(h).view(B, T, self.heads, dh).transpose(1, 2)  # (B, H, T, dh)
        v = self.v(h).view(B, T, self.heads, dh).transpose(1, 2)  # (B, H, T, dh)
        pattern = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dh), dim=-1)  # (B, H, Tq, T)
        mixed = (pattern @ v).transpose(1, 2).reshape(B, Tq, d)  # (B, Tq, d)
        return self.out(mixed)  # (B, Tq, d)


class _Layer(nn.Module):
    def __init__(self, d: int, heads: int, d_mlp: int):
        super().__init__()
        self.ln1, self.ln2 = AnnotatedLayerNorm(d), AnnotatedLayerNorm(d)
        self.attn = _Attention(d, heads)
        self.ffn = nn.Sequential(nn.Linear(d, d_mlp), nn.ReLU(), nn.Linear(d_mlp, d))

    def forward(self, h: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        """Pre-LN block; ``last_only`` computes the output at the last position only (B, 1, d)."""
        normed = self.ln1(h)  # (B, T, d)
        rows, normed_rows = (h[:, -1:], normed[:, -1:]) if last_only else (h, normed)  # (B, Tq, d)
        x = rows + self.attn(normed, normed_rows)  # (B, Tq, d)
        return x + self.ffn(self.ln2(x))  # (B, Tq, d)


class EndTokenTransformer(nn.Module):
    """Bhattamishra et al.'s transformer classifier (see the module docstring)."""

    def __init__(self, cfg: EndTokenConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.tok_emb = nn.Embedding(4, d)
        self.pos = nn.Parameter(torch.zeros(cfg.n + 1, d))
        self.layers = nn.ModuleList(_Layer(d, cfg.n_heads, cfg.d_mlp or 2 * d) for _ in range(cfg.n_layers))
        self.final_ln = AnnotatedLayerNorm(d)
        self.decoder = nn.Linear(d, 1, bias=False)

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """The real output of each row: ``bits`` (B, n) tokens in {0, 1} -> (B,)."""
        B, n = bits.shape
        if n != self.cfg.n:
            raise BoolsensError(f"input has length {n}; this model was built for n={self.cfg.n}")
        end = torch.full((B, 1), END_TOKEN, dtype=bits.dtype, device=bits.device)
        tokens = torch.cat([bits, end], dim=1)  # (B, n+1)
        h = self.tok_emb(tokens) * math.sqrt(self.cfg.d_model) + self.pos  # (B, n+1, d)
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            h = layer(h, last_only=i == last)  # (B, n+1, d); the last layer: (B, 1, d)
        return self.decoder(self.final_ln(h[:, -1])).squeeze(-1)  # (B,)

    def layer_parameters(self) -> list[tuple[str, nn.Parameter]]:
        """The encoder's parameters (what their init matches by name): attention, FFN, LayerNorms."""
        return [(k, p) for k, p in self.named_parameters() if k.startswith(("layers.", "final_ln."))]


@dataclass(frozen=True, kw_only=True)
class LastStateConfig:
    """The frozen settings of a :class:`LastStateLSTM`."""

    n: int
    d_model: int = 64          # hidden width of the LSTM
    d_embed: int | None = None  # embedding width; default d_model (the uniform script; the Gaussian one uses 2)
    n_layers: int = 2

    def __post_init__(self):
        if self.n < 1 or self.d_model < 1 or self.n_layers < 1 or (self.d_embed is not None and self.d_embed < 1):
            raise BoolsensError(f"bad LSTM sizes: n={self.n}, d_model={self.d_model}, d_embed={self.d_embed}, "
                                f"n_layers={self.n_layers}")


class LastStateLSTM(nn.Module):
    """Bhattamishra et al.'s LSTM classifier (see the module docstring)."""

    def __init__(self, cfg: LastStateConfig):
        super().__init__()
        self.cfg = cfg
        e = cfg.d_embed or cfg.d_model
        self.tok_emb = nn.Embedding(3, e)
        self.lstm = nn.LSTM(e, cfg.d_model, num_layers=cfg.n_layers, batch_first=True)
        self.decoder = nn.Linear(cfg.d_model, 1, bias=False)

    def forward(self, bits: torch.Tensor) -> torch.Tensor:
        """The real output of each row: ``bits`` (B, n) tokens in {0, 1} -> (B,)."""
        if bits.shape[1] != self.cfg.n:
            raise BoolsensError(f"input has length {bits.shape[1]}; this model was built for n={self.cfg.n}")
        h, _ = self.lstm(self.tok_emb(bits))  # (B, n, d); initial state zero
        return self.decoder(h[:, -1]).squeeze(-1)  # (B,)

    def layer_parameters(self) -> list[tuple[str, nn.Parameter]]:
        """The LSTM layers' (name, parameter) pairs (the ones the init scale applies to)."""
        return [(k, p) for k, p in self.named_parameters() if k.startswith("lstm.")]


def _inputs_and_decoder(model: nn.Module) -> tuple[list[nn.Parameter], nn.Parameter]:
    inputs = [model.tok_emb.weight] + ([model.pos] if isinstance(model, EndTokenTransformer) else [])
    return inputs, model.decoder.weight


def _layer_weight_and_bias(model: nn.Module) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Layer parameters split by name as their code does: "weight" (drawn), "bias" (zeroed),
    anything else (the LayerNorms' a_2/b_2) untouched."""
    weights, biases = [], []
    for name, p in model.layer_parameters():
        leaf = name.rsplit(".", 1)[-1]
        if "weight" in leaf:
            weights.append(p)
        elif "bias" in leaf:
            biases.append(p)
    return weights, biases


@torch.no_grad()
def init_uniform(model: nn.Module, w: float, generator: torch.Generator) -> nn.Module:
    """Bhattamishra et al.'s uniform initialisation with width ``w`` (module docstring); in place.

    >>> m = init_uniform(EndTokenTransformer(EndTokenConfig(n=3, d_model=8)), 2.0, torch.Generator().manual_seed(0))
    >>> float(m.layers[0].ffn[0].weight.detach().abs().max()) <= 2.0, float(m.layers[0].attn.q.bias.detach().abs().max())
    (True, 0.0)
    """
    if not w > 0:
        raise BoolsensError(f"w={w!r} must be > 0")
    inputs, decoder = _inputs_and_decoder(model)
    weights, biases = _layer_weight_and_bias(model)
    for p in inputs + [decoder] + weights:
        p.copy_((torch.rand(p.shape, generator=generator) * 2.0 - 1.0) * w)
    for p in biases:
        p.zero_()
    return model


@torch.no_grad()
def init_gaussian(model: nn.Module, sigma: float, generator: torch.Generator) -> nn.Module:
    """Bhattamishra et al.'s Gaussian initialisation with std ``sigma`` (module docstring); in place.

    >>> m = init_gaussian(LastStateLSTM(LastStateConfig(n=3, d_model=4)), 10.0, torch.Generator().manual_seed(0))
    >>> float(m.tok_emb.weight.detach().abs().max()) <= 1.0, float(m.lstm.bias_ih_l0.detach().abs().max())
    (True, 0.0)
    """
    if not sigma > 0:
        raise BoolsensError(f"sigma={sigma!r} must be > 0")
    inputs, decoder = _inputs_and_decoder(model)
    weights, biases = _layer_weight_and_bias(model)
    uniform = lambda p: p.copy_(torch.rand(p.shape, generator=generator) * 2.0 - 1.0)  # noqa: E731  U(-1, 1)
    normal = lambda p, s: p.copy_(torch.randn(p.shape, generator=generator) * s)  # noqa: E731  N(0, s²)
    if isinstance(model, EndTokenTransformer):
        normal(model.tok_emb.weight, 1.0)
        normal(decoder, 1.0)
        uniform(model.pos)
    else:
        uniform(inputs[0])
        uniform(decoder)
    for p in weights:
        normal(p, sigma)
    for p in biases:
        p.zero_()
    return model
