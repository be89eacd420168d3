"""Vasudeva et al.'s progress measure of grokking (``docs/theory.md`` §5.6): the sensitivity of a
one-layer modular-addition transformer to Gaussian noise on its operand embeddings
(:func:`operand_sensitivity`), and the probe that logs it during training
(:class:`SensitivityProbe`). Vasudeva et al. (2025), "Transformers Learn Low Sensitivity
Functions: Investigations and Implications", ICLR 2025.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..harness.checks import check_fields
from ..models.modular import ModularTransformer

__all__ = ["SensitivityProbe", "operand_sensitivity"]


@dataclass(frozen=True, kw_only=True)
class SensitivityProbe:
    """:func:`operand_sensitivity` logged every ``log_every`` epochs on the training set: at the
    absolute noise scale ``sigma_abs`` (``sens_abs``; Vasudeva et al.: 0.1) and, unless
    ``sigma_rel`` is None, at σ_rel × the RMS of the operand embeddings (``sens_rel``), each over
    ``draws`` noise draws (Vasudeva et al.: one)."""

    sigma_abs: float = 0.1
    sigma_rel: float | None = 1.0
    draws: int = 1

    def __post_init__(self) -> None:
        check_fields(self, positive=("sigma_abs", "sigma_rel"), counts=("draws",))


def operand_sensitivity(model: ModularTransformer, ids: torch.Tensor, *, sigma: float, relative: bool,
                        n_draws: int, generator: torch.Generator) -> float:
    """Fraction of argmax predictions that change when i.i.d. N(0, s²) noise is added to the
    summed (token + position) embeddings of both operands (positions 0 and 1 of "a b ="; the "="
    is not perturbed), averaged over ``n_draws`` draws from ``generator``; s = σ, or, if
    ``relative``, σ × the RMS of the operand embeddings of ``ids``. Vasudeva et al.'s measure is
    σ = 0.1 absolute, one draw, on the training set."""
    with torch.no_grad():
        e = model.embed(ids)  # (N, 3, d)
        clean = model.forward_embedded(e).argmax(-1)  # (N,)
        scale = sigma * (float(e[:, :2].pow(2).mean().sqrt()) if relative else 1.0)
        mask = torch.tensor([1.0, 1.0, 0.0], device=e.device)[None, :, None]  # (1, 3, 1)
        flips = 0.0
        for _ in range(n_draws):
            z = torch.randn(e.shape, generator=generator).to(e.device)  # (N, 3, d)
            noisy = model.forward_embedded(e + scale * mask * z).argmax(-1)  # (N,)
            flips += float((noisy != clean).float().mean())
    return flips / n_draws
