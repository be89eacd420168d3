"""Models for Boolean inputs, one readable file each; all take an (B, n) long tensor of bits
(token 1 = coordinate −1 = True, see :mod:`boolsens`) and return (B,) reals.

:func:`build_model` makes one from a kind name and keyword sizes.
"""

from __future__ import annotations

from typing import Any

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
    """``build_model("transformer", n=10, d_model=32)`` -> a model in eval mode on the CPU."""
    if kind not in _KINDS:
        raise ValueError(f"model kind={kind!r} must be one of {sorted(_KINDS)}")
    cfg_cls, model_cls = _KINDS[kind]
    return model_cls(cfg_cls(n=n, **sizes)).eval()
