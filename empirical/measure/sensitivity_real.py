"""Measures of real-valued models under Gaussian noise: token sensitivity, weight-noise
sharpness (ShOp/ShPred), Gaussian noise stability.

These are the empirical counterparts of the exact Boolean measures in ``boolsens`` (see
``boolsens`` for the cube conventions; the definitions are ``docs/theory.md`` §5.1, §5.5 and
§5.7). Every function takes a ``forward`` callable (a model or a closure around one) that maps a
float tensor of tokens ``(B, T, D)`` to outputs ``(B,)`` (binary: the prediction is the sign) or
``(B, C)`` (multi-class: the prediction is the argmax). Randomness comes from a seeded
``torch.Generator``; nothing draws from the global generator, so every estimate is reproducible
from its ``seed``. Every estimate is a :class:`boolsens.estimate.Estimate` (standard errors:
ddof = 1 over the independent units named in each docstring).

- :func:`token_sensitivity`: Definition 3.1 of Vasudeva et al. (2025), "Transformers Learn Low
  Sensitivity Functions: Investigations and Implications", ICLR 2025:
  s(φ) = E_{X, i, ε}[1[pred φ(X̃_i) ≠ pred φ(X)]], X̃_i = X with token i replaced by x_i + ε,
  ε ~ N(0, σ² I). Positions are averaged exactly (every i is perturbed), draws by Monte Carlo; the
  standard error is over samples.
- :func:`weight_noise_sharpness`: Vasudeva et al.'s sharpness at a minimum,
  ShOp = E_{x,Δ} ‖φ(θ+Δ; x) − φ(θ; x)‖₁ and ShPred = Pr[pred changes], Δ ~ N(0, σ² I) on every
  parameter, perturbed copy in eval mode (no dropout). (Not the average-direction loss
  sharpness of Hahn & Rofin (2024), "Why are Sensitive Functions Hard for Transformers?",
  ACL 2024, which is :func:`empirical.measure.metrics.loss_sharpness`.)
- :func:`gaussian_noise_stability`: E[⟨f(x), f(y)⟩] for y = ρ x + √(1 − ρ²) s z, z ~ N(0, I), the
  programme of Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026;
  with x ~ N(0, I) and s = 1 it is the textbook Gaussian Stab_ρ (``docs/theory.md`` §3.7).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from boolsens import BoolsensError
from boolsens.estimate import Estimate
from boolsens.torch_runtime import eval_mode, model_device

from ..harness.checks import check_count, check_integer, check_positive, check_rho

Forward = Callable[[torch.Tensor], torch.Tensor]

__all__ = [
    "SensitivityEstimate",
    "token_sensitivity",
    "predictions",
    "weight_noise_sharpness",
    "SharpnessEstimate",
    "NoiseStabilityEstimate",
    "gaussian_noise_stability",
    "correlated_gaussian",
    "class_accuracy",
]


def _columns(values: np.ndarray, *, seed: int, measure: str) -> Estimate:
    """A vector :class:`Estimate` of the column means of ``values`` (N, k): each column is an
    estimate from the same N samples (:meth:`Estimate.from_samples` per column)."""
    cols = [Estimate.from_samples(values[:, j]) for j in range(values.shape[1])]
    value = np.array([c.value for c in cols])
    stderr = np.array([c.stderr for c in cols])
    value.flags.writeable = stderr.flags.writeable = False
    return Estimate(value=value, stderr=stderr, samples=values.shape[0], seed=seed, measure=measure)


@dataclass(frozen=True, eq=False)
class SensitivityEstimate:
    """Token sensitivity (Definition 3.1 of Vasudeva et al. 2025): the overall estimate and the
    per-token-position breakdown, both estimates (:class:`~boolsens.estimate.Estimate`) over
    the same samples.

    ``per_position.value[i]`` is the flip rate when token i alone is perturbed;
    ``overall.value`` is their average (1/T Σ_i). ``as_dict()`` holds ``value``, ``stderr``,
    ``samples`` (of the overall estimate), ``seed``, ``measure``, ``per_position``,
    ``per_position_stderr``, ``sigma`` and ``n_draws``.
    """

    overall: Estimate
    per_position: Estimate
    sigma: float
    n_draws: int

    def as_dict(self) -> dict:
        """The estimate as a JSON-able dict (for a unit record)."""
        return {
            **self.overall.as_dict(),
            "per_position": self.per_position.value.tolist(),
            "per_position_stderr": self.per_position.stderr.tolist(),
            "sigma": self.sigma,
            "n_draws": self.n_draws,
        }


def predictions(outputs: torch.Tensor) -> torch.Tensor:
    """Sign of a ``(B,)`` output (binary; 0 counts as +1) or argmax of a ``(B, C)`` output.

    >>> predictions(torch.tensor([0.3, -2.0, 0.0])).tolist()
    [1, -1, 1]
    >>> predictions(torch.tensor([[0.1, 0.9], [2.0, -1.0]])).tolist()
    [1, 0]
    """
    if outputs.ndim == 1:
        return torch.where(outputs >= 0, 1, -1)
    if outputs.ndim == 2:
        return outputs.argmax(dim=1)
    raise BoolsensError(
        f"model outputs of shape {tuple(outputs.shape)} must be (B,) (binary) or (B, C) (classes)"
    )


@torch.no_grad()
@torch.no_grad()
def class_accuracy(forward: Forward, x: torch.Tensor, y: torch.Tensor, *, batch_size: int = 4096) -> float:
    """Fraction of the rows of ``x`` whose :func:`predictions` of ``forward(x)`` equal the labels
    ``y`` (the argmax for ``(B, C)`` logits), ``batch_size`` rows per forward pass (a whole
    training set such as CIFAR-10's 50,000 images would not fit a ViT's attention maps in memory
    at once), without gradients.

    >>> class_accuracy(lambda t: t, torch.tensor([[0.1, 0.9], [2.0, -1.0]]), torch.tensor([1, 1]))
    0.5
    >>> class_accuracy(lambda t: t, torch.tensor([[0.1, 0.9], [2.0, -1.0]]), torch.tensor([1, 1]), batch_size=1)
    0.5
    """
    batch_size = check_integer(batch_size, name="batch_size", minimum=1)
    if len(x) == 0:
        raise BoolsensError("class_accuracy: x has no rows")
    hits = sum(int((predictions(forward(x[a:a + batch_size])) == y[a:a + batch_size]).sum())
               for a in range(0, len(x), batch_size))
    return hits / len(x)


def _check_tokens(tokens) -> torch.Tensor:
    if not isinstance(tokens, torch.Tensor):
        raise BoolsensError(f"tokens of type {type(tokens).__name__} must be a torch.Tensor")
    if tokens.ndim != 3 or 0 in tokens.shape:
        raise BoolsensError(f"tokens of shape {tuple(tokens.shape)} must be a non-empty (N, T, D)")
    if not tokens.is_floating_point():
        raise BoolsensError(f"tokens of dtype {tokens.dtype} must be floating point")
    return tokens


@torch.no_grad()
def token_sensitivity(
    forward: Forward,
    tokens: torch.Tensor,
    *,
    sigma: float,
    n_draws: int = 4,
    seed: int = 0,
    batch_size: int = 4096,
) -> SensitivityEstimate:
    r"""Token sensitivity (Definition 3.1 of Vasudeva et al. 2025; ``docs/theory.md`` §5.1): the
    probability that Gaussian noise on one token flips the prediction.

    .. math:: s(φ) = \frac{1}{T}\sum_{i=1}^{T} \Pr_{X, ε}[\mathrm{pred}\,φ(X̃_i) ≠ \mathrm{pred}\,φ(X)],
       \quad X̃_i = X + e_i ε^\top,\ ε \sim N(0, σ^2 I_D).

    Every position i is perturbed for every sample (the average over i is exact); ``n_draws``
    independent ε per (sample, position). The prediction is the sign of a ``(B,)`` output or the
    argmax of a ``(B, C)`` output (see :func:`predictions`). The standard error is the sample
    standard deviation of the per-sample flip rates over √N (samples are the independent units).
    For text, pass layer-normalised embeddings (the paper perturbs those). The Boolean analogue
    is the claim ``def-3.1-boolean`` of ``docs/theory.md`` §3.8 (uniform replacement of a bit
    gives I(f)/(2n)).

    Parameters
    ----------
    forward : callable, ``(B, T, D) -> (B,) or (B, C)``
    tokens : (N, T, D) float tensor, the (training) inputs as tokens (patches, embeddings)
    sigma : noise standard deviation σ (the paper quotes σ²: 1, 5, 15)
    n_draws : noise draws per (sample, position)
    seed : seeds the noise generator

    Cost: N·T·n_draws forward passes, in batches of ``batch_size``; memory batch_size·T·D floats.

    Example: a model that reads only token 0 is sensitive only there.

    >>> x = torch.ones(50, 3, 2)
    >>> est = token_sensitivity(lambda t: t[:, 0, 0], x, sigma=1.0, n_draws=8, seed=0)
    >>> per = est.per_position.value.tolist()
    >>> per[1:], 0.1 < per[0] < 0.25, abs(est.overall.value - sum(per) / 3) < 1e-12, est.overall.samples
    ([0.0, 0.0], True, True, 50)
    """
    tokens = _check_tokens(tokens)
    sigma = check_positive(sigma, "sigma")
    n_draws = check_count(n_draws, "n_draws")
    batch_size = check_count(batch_size, "batch_size")
    N, T, D = tokens.shape
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    clean = predictions(_run(forward, tokens, batch_size))  # (N,) or (N,)
    flips = torch.zeros(N, T, dtype=torch.float64)  # (N, T) flip counts
    eye = torch.eye(T, dtype=tokens.dtype)  # (T, T) one-hot position masks
    rows_per_batch = max(1, batch_size // T)
    for _ in range(n_draws):
        for start in range(0, N, rows_per_batch):
            x = tokens[start : start + rows_per_batch]  # (b, T, D)
            b = x.shape[0]
            eps = torch.randn(b, T, D, generator=gen, dtype=tokens.dtype) * sigma  # (b, i, D)
            # perturbed[s, i] = x[s] with token i shifted by eps[s, i]
            perturbed = x[:, None, :, :] + eye[None, :, :, None] * eps[:, :, None, :]  # (b, T, T, D)
            out = forward(perturbed.reshape(b * T, T, D).to(model_device(forward, x.device)))
            pred = predictions(out.detach().cpu()).reshape(b, T)  # (b, T)
            flips[start : start + b] += (pred != clean[start : start + b, None]).double()
    rates = flips / n_draws  # (N, T)
    per_sample = rates.mean(dim=1)  # (N,)
    measure = f"token_sensitivity(sigma={sigma:g})"
    return SensitivityEstimate(
        overall=Estimate.from_samples(per_sample.numpy(), seed=int(seed), measure=measure),
        per_position=_columns(rates.numpy(), seed=int(seed), measure=f"{measure} per position"),
        sigma=sigma,
        n_draws=n_draws,
    )


def _run(forward: Forward, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    dev = model_device(forward, x.device)
    outs = [forward(x[s : s + batch_size].to(dev)).detach().cpu() for s in range(0, len(x), batch_size)]
    return torch.cat(outs)


@dataclass(frozen=True, eq=False)
class SharpnessEstimate:
    """Weight-noise sharpness at one σ (Vasudeva et al. 2025): ShOp (mean L1 output change) and
    ShPred (prediction flip rate), each an :class:`~boolsens.estimate.Estimate` over the weight
    draws. ``as_dict()``: ``{"shop": {value, stderr, samples, ...}, "shpred": {...}, "sigma",
    "n_draws"}``."""

    shop: Estimate
    shpred: Estimate
    sigma: float
    n_draws: int

    def as_dict(self) -> dict:
        """The estimate as a JSON-able dict (for a unit record)."""
        return {"shop": self.shop.as_dict(), "shpred": self.shpred.as_dict(), "sigma": self.sigma,
                "n_draws": self.n_draws}


@torch.no_grad()
def weight_noise_sharpness(
    model: torch.nn.Module,
    inputs: torch.Tensor,
    *,
    sigma: float = 0.05,
    n_draws: int = 5,
    seed: int = 0,
    batch_size: int = 4096,
) -> SharpnessEstimate:
    r"""Sharpness at a minimum under Gaussian weight noise (Vasudeva et al. 2025;
    ``docs/theory.md`` §5.5).

    .. math:: \mathrm{ShOp} = E_{x,Δ}\,\lVert φ(θ+Δ; x) − φ(θ; x)\rVert_1, \qquad
              \mathrm{ShPred} = \Pr_{x,Δ}[\mathrm{pred}\,φ(θ+Δ; x) ≠ \mathrm{pred}\,φ(θ; x)],

    Δ ~ N(0, σ² I) on every parameter. Both the clean and the perturbed model run in eval mode
    (no dropout; the model's own mode is restored). The L1 norm sums over output units. Standard
    errors are over the ``n_draws`` independent weight draws (the units that vary most).

    Cost: (n_draws + 1) forward passes over ``inputs`` and one copy of the parameters.

    >>> lin = torch.nn.Linear(2, 1, bias=False)
    >>> _ = lin.weight.data.zero_()
    >>> s = weight_noise_sharpness(torch.nn.Sequential(lin, torch.nn.Flatten(0)), torch.ones(10, 2),
    ...                            sigma=0.1, n_draws=3)
    >>> s.shop.value > 0, s.shop.samples, s.n_draws
    (True, 3, 3)
    """
    if not isinstance(model, torch.nn.Module):
        raise BoolsensError(f"model of type {type(model).__name__} must be a torch.nn.Module")
    sigma = check_positive(sigma, "sigma")
    n_draws = check_count(n_draws, "n_draws")
    with eval_mode(model):
        clean = _run(model, inputs, batch_size)  # (N,) or (N, C)
        clean_pred = predictions(clean)
        noisy = copy.deepcopy(model).eval()
        gen = torch.Generator(device="cpu").manual_seed(int(seed))
        base = [p.detach().clone() for p in model.parameters()]
        shop, shpred = [], []
        for _ in range(n_draws):
            for p, p0 in zip(noisy.parameters(), base):
                noise = torch.randn(p0.shape, generator=gen, dtype=p0.dtype) * sigma
                p.copy_(p0 + noise.to(p0.device))
            out = _run(noisy, inputs, batch_size)
            diff = (out - clean).abs()
            shop.append(float(diff.reshape(len(diff), -1).sum(dim=1).mean()))
            shpred.append(float((predictions(out) != clean_pred).double().mean()))
    return SharpnessEstimate(
        shop=Estimate.from_samples(shop, seed=int(seed), measure=f"ShOp(sigma={sigma:g})"),
        shpred=Estimate.from_samples(shpred, seed=int(seed), measure=f"ShPred(sigma={sigma:g})"),
        sigma=sigma,
        n_draws=n_draws,
    )


def correlated_gaussian(
    x: torch.Tensor, rho: float, *, generator: torch.Generator | None = None, scale: torch.Tensor | float = 1.0
) -> torch.Tensor:
    r"""A ρ-correlated Gaussian partner of ``x``: y = ρ x + √(1 − ρ²) · scale · z, z ~ N(0, I).

    With x ~ N(0, I) and scale 1, (x, y) is a standard ρ-correlated Gaussian pair
    (``docs/theory.md`` §3.7). ``scale`` may be a tensor broadcasting against ``x`` (e.g. the
    per-token RMS of an embedding, so that y keeps the size of x). Differentiable in ``x``; z is
    drawn on the CPU from ``generator`` and moved to ``x``'s device.

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(200000, generator=g)
    >>> y = correlated_gaussian(x, 0.5, generator=g)
    >>> round(float((x * y).mean()), 2)
    0.5
    """
    rho = check_rho(rho)
    z = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)  # same shape as x
    return rho * x + math.sqrt(max(0.0, 1.0 - rho * rho)) * scale * z


@dataclass(frozen=True, eq=False)
class NoiseStabilityEstimate:
    """Gaussian noise stability of a network: ``stab`` = E⟨f(x), f(y)⟩ (an
    :class:`~boolsens.estimate.Estimate` over the samples x) and the normalised ``correlation``
    E⟨f(x), f(y)⟩ / √(E‖f(x)‖² E‖f(y)‖²) (a ratio of estimates, without a standard error)."""

    stab: Estimate
    correlation: float
    rho: float
    n_draws: int

    def as_dict(self) -> dict:
        """The estimate as a JSON-able dict (for a unit record)."""
        return {"stab": self.stab.as_dict(), "correlation": self.correlation, "rho": self.rho,
                "n_draws": self.n_draws}


@torch.no_grad()
def gaussian_noise_stability(
    forward: Forward,
    x: torch.Tensor,
    *,
    rho: float,
    n_draws: int = 4,
    seed: int = 0,
    scale: float = 1.0,
    center: bool = False,
) -> NoiseStabilityEstimate:
    r"""Noise stability of a network under ρ-correlated Gaussian input noise (Haris, Zhang &
    Yoshida 2026; ``docs/theory.md`` §5.7).

    .. math:: \mathrm{Stab}_ρ(f) = E[⟨f(x), f(y)⟩], \quad y = ρx + \sqrt{1-ρ^2}\,s\,z,\ z \sim N(0, I).

    With x ~ N(0, I) and s = 1 this is the Gaussian noise stability of ``docs/theory.md`` §3.7
    (e.g. E[relu u relu v] = κ₁(ρ)). With data inputs it is the data-anchored variant used by the
    regulariser. The standard error of ``stab`` is over the samples x (each averaged over
    ``n_draws`` partners y); ``center=True`` subtracts the mean over output units first (logits
    are shift-invariant).

    Cost: (n_draws + 1) forward passes over x.

    >>> g = torch.Generator().manual_seed(1)
    >>> x = torch.randn(100000, 1, generator=g)
    >>> r = gaussian_noise_stability(lambda t: t.relu(), x, rho=0.5, n_draws=2, seed=2)
    >>> abs(r.stab.value - 0.304499) < 4 * r.stab.stderr, r.stab.samples
    (True, 100000)
    """
    n_draws = check_count(n_draws, "n_draws")
    gen = torch.Generator(device="cpu").manual_seed(int(seed))
    fx = forward(x).detach().reshape(len(x), -1).double().cpu()  # (N, C)
    if center:
        fx = fx - fx.mean(dim=1, keepdim=True)
    prods, ny = [], []
    for _ in range(n_draws):
        fy = forward(correlated_gaussian(x, rho, generator=gen, scale=scale)).detach()
        fy = fy.reshape(len(x), -1).double().cpu()  # (N, C)
        if center:
            fy = fy - fy.mean(dim=1, keepdim=True)
        prods.append((fx * fy).sum(dim=1))  # (N,)
        ny.append((fy * fy).sum(dim=1))
    per_sample = torch.stack(prods).mean(dim=0)  # (N,)
    stab = Estimate.from_samples(per_sample.numpy(), seed=int(seed), measure=f"gaussian_noise_stability(rho={rho:g})")
    denom = math.sqrt(float((fx * fx).sum(dim=1).mean()) * float(torch.stack(ny).mean()))
    return NoiseStabilityEstimate(stab=stab, correlation=stab.value / denom if denom > 0 else math.nan,
                                  rho=float(rho), n_draws=n_draws)
