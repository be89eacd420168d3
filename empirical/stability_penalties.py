"""The noise-stability regulariser in the form Haris et al. describe: resample input tokens, reward
agreement of the output distributions.

Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026, publish no
code. Their regulariser, as reviewers and two independent paper notes describe it (secondary
sources; not checked against the paper's text), is

    R(X) = −Σ_{i=1..C} M(X)_i · M(Y)_i,      L = CE(M(X), y) + γ · E_X[R(X)],

the negative inner product of the model's output distributions M (softmax over C classes) on a
clean input X and a perturbed copy Y, where each input token Y_t keeps X_t with probability
(1 + ρ)/2 and is otherwise drawn uniformly from the vocabulary (so Y_t = X_t with probability
(1 + ρ)/2 + (1 − ρ)/(2U) for a vocabulary of U tokens). It costs one extra forward pass.
Gradients flow through both branches (the sources do not say otherwise).

:func:`resample_tokens` draws Y for token ids, :func:`resample_signs` for ±1 vectors (a
vocabulary of two: a coordinate flips with probability (1 − ρ)/4), and
:func:`output_agreement_penalty` is R averaged over the batch. This project's own Gaussian
regulariser is :func:`empirical.regularizers.noise_stability_penalty`.
"""

from __future__ import annotations

import torch

from boolsens import BoolsensError

from .checks import check_count, check_rho

__all__ = ["resample_tokens", "resample_signs", "output_agreement_penalty"]


def resample_tokens(ids: torch.Tensor, rho: float, *, vocab: int, generator: torch.Generator,
                    positions: torch.Tensor | None = None) -> torch.Tensor:
    """Each token keeps its id with probability (1 + ρ)/2, else takes an id uniform over
    ``range(vocab)``: ``(B, T) -> (B, T)``. ``positions`` (bool, length T) limits the resampling
    to some positions (the others are kept). Drawn on the CPU from ``generator``.

    >>> g = torch.Generator().manual_seed(0)
    >>> ids = torch.zeros(20000, 3, dtype=torch.long)
    >>> y = resample_tokens(ids, 0.5, vocab=4, generator=g, positions=torch.tensor([True, True, False]))
    >>> round(float((y[:, :2] == 0).float().mean()), 2), bool((y[:, 2] == 0).all())  # 3/4 + 1/4 * 1/4
    (0.81, True)
    """
    rho = check_rho(rho)
    check_count(vocab, "vocab")
    keep = torch.rand(ids.shape, generator=generator) < (1 + rho) / 2  # (B, T)
    fresh = torch.randint(0, vocab, ids.shape, generator=generator)  # (B, T)
    if positions is not None:
        keep = keep | ~positions.cpu()[None, :]
    return torch.where(keep.to(ids.device), ids, fresh.to(ids.device, ids.dtype))


def resample_signs(x: torch.Tensor, rho: float, *, generator: torch.Generator) -> torch.Tensor:
    """Each ±1 coordinate keeps its value with probability (1 + ρ)/2, else takes a uniform sign:
    ``(B, n) -> (B, n)`` (so E[x_i y_i] = (1 + ρ)/2).

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.ones(50000, 4)
    >>> round(float(resample_signs(x, 0.2, generator=g).mean()), 2)  # (1 + 0.2) / 2
    0.6
    """
    rho = check_rho(rho)
    keep = torch.rand(x.shape, generator=generator) < (1 + rho) / 2  # (B, n)
    signs = torch.randint(0, 2, x.shape, generator=generator).to(x.dtype) * 2 - 1  # (B, n)
    return torch.where(keep.to(x.device), x, signs.to(x.device))


def output_agreement_penalty(logits_clean: torch.Tensor, logits_noisy: torch.Tensor) -> torch.Tensor:
    """−E_B Σ_i softmax(clean)_i · softmax(noisy)_i, in [−1, 0] (multiply by γ and add to the loss).

    >>> z = torch.tensor([[10.0, -10.0], [0.0, 0.0]])
    >>> round(float(output_agreement_penalty(z, z)), 4)  # (-1 - 1/2) / 2
    -0.75
    """
    if logits_clean.shape != logits_noisy.shape:
        raise BoolsensError(f"logits of shapes {tuple(logits_clean.shape)} and {tuple(logits_noisy.shape)} "
                            "must match")
    return -(logits_clean.softmax(-1) * logits_noisy.softmax(-1)).sum(-1).mean()
