"""The noise-stability regularisers of the grokking experiments, in one place: the form Haris et
al. describe (resample input tokens, reward agreement of the output distributions) and this
project's own Gaussian form; :class:`StabilityRegularizer` names one and :func:`penalty` computes
its R.

**Haris et al.'s form.** Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models",
ICLR 2026, publish no code. Their regulariser, as reviewers and two independent paper notes
describe it (secondary sources; not checked against the paper's text), is

    R(X) = −Σ_{i=1..C} M(X)_i · M(Y)_i,      L = CE(M(X), y) + γ · E_X[R(X)],

the negative inner product of the model's output distributions M (softmax over C classes) on a
clean input X and a perturbed copy Y, where each input token Y_t keeps X_t with probability
(1 + ρ)/2 and is otherwise drawn uniformly from the vocabulary (so Y_t = X_t with probability
(1 + ρ)/2 + (1 − ρ)/(2U) for a vocabulary of U tokens). It costs one extra forward pass.
Gradients flow through both branches (the sources do not say otherwise). :func:`resample_tokens`
draws Y for token ids, :func:`resample_signs` for ±1 vectors (a vocabulary of two: a coordinate
flips with probability (1 − ρ)/4), and :func:`output_agreement_penalty` is R averaged over the
batch.

**This project's Gaussian form** (``docs/theory.md`` §5.8). For input embeddings E (B, T, d) we
draw a ρ-correlated Gaussian partner per token
(:func:`empirical.measure.sensitivity_real.correlated_gaussian`),

    Ẽ = ρ E + √(1 − ρ²) · r · Z,  Z ~ N(0, I),  r = RMS of each token's embedding (detached),

so Ẽ has the size of E and correlation ρ with it, and penalise the mean squared difference of the
centred logits (logits minus their mean over classes, which the softmax ignores):

    L = CE(f(E), y) + γ · E_B[‖c(f(E)) − c(f(Ẽ))‖² / C],   c(z) = z − mean(z)

(:func:`noise_stability_penalty`). Small penalty ⇔ high Gaussian noise stability Stab_ρ of the
logit map around the data (see :func:`empirical.measure.sensitivity_real.gaussian_noise_stability`).
ρ = 1 or γ = 0 recovers plain training.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from boolsens import BoolsensError

from ..harness.checks import check_count, check_rho
from ..measure.sensitivity_real import correlated_gaussian

__all__ = ["REGULARIZER_FORMS", "StabilityRegularizer", "penalty", "resample_tokens", "resample_signs",
           "output_agreement_penalty", "noise_stability_penalty"]

#: the regulariser forms: none; Haris et al.'s (token resampling, agreement of output
#: distributions); this project's Gaussian one (ρ-correlated embeddings, squared logit difference)
REGULARIZER_FORMS = ("none", "resampling", "gaussian")


@dataclass(frozen=True, kw_only=True)
class StabilityRegularizer:
    """A noise-stability regulariser added to the cross-entropy: ``form`` (one of
    :data:`REGULARIZER_FORMS`), strength ``gamma`` and correlation ``rho``.

    * ``"resampling"`` (Haris et al., as described by secondary sources): γ · R with
      R = −Σ_i softmax(f(X))_i softmax(f(Y))_i, Y = X with each operand token kept with
      probability (1 + ρ)/2, else uniform over the task's input alphabet
      (:func:`resample_tokens`, :func:`output_agreement_penalty`).
    * ``"gaussian"`` (this project's own): γ · mean squared difference of the class-centred logits
      on the clean embeddings and a ρ-correlated Gaussian partner of the operand embeddings
      scaled to their RMS (:func:`noise_stability_penalty`).

    ``detach_clean``: no gradient through the clean branch of the penalty (the clean logits act
    as a fixed target). ``gamma_warmup``: γ rises linearly from 0 over that many epochs.
    ``scale_grad`` (``"gaussian"`` only): the gradient also flows through the noise scale (the
    embeddings' RMS), which is otherwise a constant to it.
    """

    form: str = "none"
    gamma: float = 0.0
    rho: float = 0.5
    detach_clean: bool = False
    gamma_warmup: int = 0
    scale_grad: bool = False

    def __post_init__(self) -> None:
        if self.form not in REGULARIZER_FORMS:
            raise BoolsensError(f"form={self.form!r} must be one of {REGULARIZER_FORMS}")
        if not self.gamma >= 0:
            raise BoolsensError(f"gamma={self.gamma!r} must be >= 0")
        check_rho(self.rho)
        check_count(self.gamma_warmup, "gamma_warmup", 0)

    @property
    def active(self) -> bool:
        """Whether the regulariser changes the loss (a form other than ``none`` and γ > 0)."""
        return self.form != "none" and self.gamma > 0

    def strength(self, step: int) -> float:
        """γ at 0-based step ``step`` (after the warm-up: ``gamma``)."""
        if self.gamma_warmup and step < self.gamma_warmup:
            return self.gamma * step / self.gamma_warmup
        return self.gamma


def penalty(reg: StabilityRegularizer, logits: torch.Tensor, *, resampled_logits: Callable[[], torch.Tensor],
             forward_embedded: Callable[[torch.Tensor], torch.Tensor], embedded: torch.Tensor,
             generator: torch.Generator, positions: torch.Tensor | None = None) -> torch.Tensor:
    """R of ``reg`` (without γ) given the clean ``logits`` (detached if ``reg.detach_clean``):
    for ``"resampling"`` the output agreement with ``resampled_logits()`` (the logits on the
    task's resampled input, drawn from ``generator``), for ``"gaussian"`` the squared difference
    under a ρ-correlated partner of ``embedded`` fed through ``forward_embedded``."""
    clean = logits.detach() if reg.detach_clean else logits
    if reg.form == "resampling":
        return output_agreement_penalty(clean, resampled_logits())
    return noise_stability_penalty(forward_embedded, embedded, clean, rho=reg.rho, generator=generator,
                                   positions=positions, detach_scale=not reg.scale_grad)


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
