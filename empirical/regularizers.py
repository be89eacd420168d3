"""Training-time regularisers: a sensitivity regulariser (Vasudeva et al.) and a noise-stability
regulariser (this project's own definition).

**Sensitivity regulariser**, after the vision setup of Vasudeva et al. (2025), "Transformers
Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025: one random token
(patch) per sample gets Gaussian noise N(0, σ² I); :func:`patch_noise` draws such inputs, which
serve both as *noise augmentation* (cross-entropy on the noisy input) and in the MSE term

    L = (1 − p) · CE(f(x), y) + p · ‖f(x̃) − f(x)‖² / C        (:func:`sensitivity_regularized_loss`).

**Noise-stability regulariser.** Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer
Models", ICLR 2026, propose one but publish no code, so this definition is ours
(``docs/theory.md`` §5.8). For input embeddings E (B, T, d) we draw a ρ-correlated Gaussian
partner per token (:func:`empirical.sensitivity_real.correlated_gaussian`),

    Ẽ = ρ E + √(1 − ρ²) · r · Z,  Z ~ N(0, I),  r = RMS of each token's embedding (detached),

so Ẽ has the size of E and correlation ρ with it, and penalise the mean squared difference of the
centred logits (logits minus their mean over classes, which the softmax ignores):

    L = CE(f(E), y) + γ · E_B[‖c(f(E)) − c(f(Ẽ))‖² / C],   c(z) = z − mean(z).

Small penalty ⇔ high Gaussian noise stability Stab_ρ of the logit map around the data (see
:func:`empirical.sensitivity_real.gaussian_noise_stability`). ρ = 1 or γ = 0 recovers plain
training.
"""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from boolsens import BoolsensError

from .sensitivity_real import correlated_gaussian

__all__ = ["patch_noise", "sensitivity_regularized_loss", "noise_stability_penalty"]


def patch_noise(tokens: torch.Tensor, sigma: float, *, generator: torch.Generator) -> torch.Tensor:
    """Add N(0, σ² I) to one uniformly chosen token of each sample: ``(B, T, D) -> (B, T, D)``.

    >>> g = torch.Generator().manual_seed(0)
    >>> out = patch_noise(torch.zeros(3, 4, 2), 1.0, generator=g)
    >>> ((out != 0).any(-1).sum(-1)).tolist()
    [1, 1, 1]
    """
    if not sigma > 0:
        raise BoolsensError(f"sigma={sigma} must be > 0")
    B, T, D = tokens.shape
    pos = torch.randint(0, T, (B,), generator=generator)  # (B,)
    mask = F.one_hot(pos, T).to(tokens.dtype)[:, :, None]  # (B, T, 1)
    eps = torch.randn(B, 1, D, generator=generator, dtype=tokens.dtype) * sigma  # (B, 1, D)
    return tokens + mask * eps.to(tokens.device)


def sensitivity_regularized_loss(
    logits_clean: torch.Tensor, logits_noisy: torch.Tensor, y: torch.Tensor, *, p: float
) -> torch.Tensor:
    """(1 − p)·CE(clean) + p·MSE(noisy logits, clean logits), averaged over the batch and classes.

    >>> z = torch.tensor([[2.0, 0.0]])
    >>> float(sensitivity_regularized_loss(z, z, torch.tensor([0]), p=0.5)) == 0.5 * float(F.cross_entropy(z, torch.tensor([0])))
    True
    """
    if not 0.0 <= p <= 1.0:
        raise BoolsensError(f"p={p} must lie in [0, 1]")
    ce = F.cross_entropy(logits_clean, y)
    return (1 - p) * ce + p * F.mse_loss(logits_noisy, logits_clean)


def noise_stability_penalty(
    forward_embedded: Callable[[torch.Tensor], torch.Tensor],
    embeddings: torch.Tensor,
    logits_clean: torch.Tensor,
    *,
    rho: float,
    generator: torch.Generator,
    positions: torch.Tensor | None = None,
    detach_scale: bool = True,
) -> torch.Tensor:
    """Our noise-stability penalty E_B‖c(f(E)) − c(f(Ẽ))‖²/C (module docstring; multiply by γ).

    ``positions`` (optional bool mask of length T) restricts the noise to some tokens (e.g. the
    two operands of "a b ="); the others stay clean. Gradients flow through both branches.
    ``detach_scale=False`` lets the gradient see that the noise scale r grows with the
    embeddings (by default r is a constant to the gradient, so growing E looks like a higher
    signal-to-noise ratio).

    >>> g = torch.Generator().manual_seed(0)
    >>> E = torch.randn(4, 3, 5, generator=g)
    >>> f = lambda e: e.sum(1)  # (B, 5) "logits"
    >>> float(noise_stability_penalty(f, E, f(E), rho=1.0, generator=g))
    0.0
    """
    rms = (embeddings.detach() if detach_scale else embeddings).pow(2).mean(dim=-1, keepdim=True).sqrt()  # (B, T, 1)
    noisy = correlated_gaussian(embeddings, rho, generator=generator, scale=rms)  # (B, T, d)
    if positions is not None:
        keep = positions.to(embeddings.device)[None, :, None]  # (1, T, 1)
        noisy = torch.where(keep, noisy, embeddings)
    logits_noisy = forward_embedded(noisy)  # (B, C)
    c_clean = logits_clean - logits_clean.mean(dim=-1, keepdim=True)
    c_noisy = logits_noisy - logits_noisy.mean(dim=-1, keepdim=True)
    return (c_clean - c_noisy).pow(2).mean()
