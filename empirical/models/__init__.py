"""The experiments' models, one readable file each.

For Boolean inputs (an (B, n) long tensor of bits, token 1 = coordinate −1 = True, see
:mod:`boolsens`; output (B,) reals): :mod:`~empirical.models.transformer`,
:mod:`~empirical.models.lstm`, :mod:`~empirical.models.mlp`; :func:`build_model` makes one from a
kind name and keyword sizes; :mod:`~empirical.models.random_init` holds Bhattamishra et al.'s
random-init transformer and LSTM. For the real-valued experiments:
:mod:`~empirical.models.modular` (a + b mod p), :mod:`~empirical.models.padded_text`
(variable-length word sequences), :mod:`~empirical.models.vision` (8×8 images),
:mod:`~empirical.models.token_attention` (the single attention layer on token ids).

Every model config uses one vocabulary for its sizes: ``d_model`` (embedding / residual width),
``n_layers``, ``n_heads``, ``d_mlp`` (MLP hidden width).
"""

from __future__ import annotations

from typing import Any

from boolsens import BoolsensError

from .lstm import BooleanLSTM, LSTMConfig
from .mlp import BooleanMLP, MLPConfig
from .transformer import BooleanTransformer, TransformerConfig

__all__ = ["BooleanTransformer", "TransformerConfig", "BooleanLSTM", "LSTMConfig", "BooleanMLP",
           "MLPConfig", "build_model"]

_KINDS = {
    "transformer": (TransformerConfig, BooleanTransformer),
    "lstm": (LSTMConfig, BooleanLSTM),
    "mlp": (MLPConfig, BooleanMLP),
}


def build_model(kind: str, n: int, **sizes: Any):
    """``build_model("transformer", n=10, d_model=32)`` -> a model in eval mode on the CPU.

    Sizes use one vocabulary for every kind: ``d_model`` (embedding / state width), ``n_layers``,
    ``n_heads``, ``d_mlp`` (MLP hidden width).

    >>> import torch
    >>> build_model("mlp", 3, d_mlp=4, n_layers=1)(torch.zeros(2, 3, dtype=torch.long)).shape
    torch.Size([2])
    """
    if kind not in _KINDS:
        raise BoolsensError(f"model kind={kind!r} must be one of {sorted(_KINDS)}")
    cfg_cls, model_cls = _KINDS[kind]
    return model_cls(cfg_cls(n=n, **sizes)).eval()
