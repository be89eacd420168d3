"""Measures for real-valued models: Definition 3.1 sensitivity, sharpness, Gaussian noise stability.

These are the empirical counterparts of the exact Boolean measures in ``boolsens`` (see
``boolsens`` for the cube conventions; THEORY.md §4 for the definitions used here). Every function
takes a ``forward`` callable (a model or a closure around one) that maps a float tensor of tokens
``(B, T, D)`` to outputs ``(B,)`` (binary: the prediction is the sign) or ``(B, C)`` (multi-class:
the prediction is the argmax). Randomness comes from a seeded ``torch.Generator``; nothing draws
from the global generator, so every estimate is reproducible from its ``seed``.

- :func:`token_sensitivity` — seed 001, Definition 3.1:
  s(φ) = E_{X, i, ε}[1[pred φ(X̃_i) ≠ pred φ(X)]], X̃_i = X with token i replaced by x_i + ε,
  ε ~ N(0, σ² I). Positions are averaged exactly (every i is perturbed), draws by Monte Carlo; the
  standard error is over samples.
- :func:`sharpness` — ShOp = E_{x,Δ} ‖φ(θ+Δ; x) − φ(θ; x)‖₁ and ShPred = Pr[pred changes],
  Δ ~ N(0, σ² I) on every parameter, perturbed copy in eval mode (no dropout).
- :func:`gaussian_noise_stability` — E[⟨f(x), f(y)⟩] for y = ρ x + √(1 − ρ²) s z, z ~ N(0, I)
  (seed 004; with x ~ N(0, I) and s = 1 it is the textbook Gaussian Stab_ρ of THEORY.md §2).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Callable

import torch

from boolsens import BoolsensError

Forward = Callable[[torch.Tensor], torch.Tensor]

__all__ = [
    "Estimate",
    "SensitivityEstimate",
    "token_sensitivity",
    "predictions",
    "sharpness",
    "SharpnessEstimate",
    "gaussian_noise_stability",
    "correlated_gaussian",
]


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo mean with its standard error and the number of independent units."""

    mean: float
    stderr: float
    n: int

    def as_dict(self) -> dict:
        return {"mean": self.mean, "stderr": self.stderr, "n": self.n}


@dataclass(frozen=True)
class SensitivityEstimate:
    """Definition 3.1 sensitivity: overall estimate and the per-token-position breakdown.

    ``per_position[i]`` is the flip rate when token i alone is perturbed; ``overall.mean`` is
    their average (1/T Σ_i).
    """

    overall: Estimate
    per_position: tuple[float, ...]
    per_position_stderr: tuple[float, ...]
    sigma: float
    n_draws: int

    def as_dict(self) -> dict:
        return {
            "mean": self.overall.mean,
            "stderr": self.overall.stderr,
            "n_samples": self.overall.n,
            "per_position": list(self.per_position),
            "per_position_stderr": list(self.per_position_stderr),
            "sigma": self.sigma,
            "n_draws": self.n_draws,
        }


def _check_positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise BoolsensError(f"{name}={value!r} must be a finite positive number")
    if value <= 0:
        raise BoolsensError(f"{name}={value} must be > 0")
    return float(value)


def _check_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BoolsensError(f"{name}={value!r} must be an integer >= 1")
    return value


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
    r"""Seed 001 Definition 3.1: the probability that Gaussian noise on one token flips the prediction.

    .. math:: s(φ) = \frac{1}{T}\sum_{i=1}^{T} \Pr_{X, ε}[\mathrm{pred}\,φ(X̃_i) ≠ \mathrm{pred}\,φ(X)],
       \quad X̃_i = X + e_i ε^\top,\ ε \sim N(0, σ^2 I_D).

    Every position i is perturbed for every sample (the average over i is exact); ``n_draws``
    independent ε per (sample, position). The prediction is the sign of a ``(B,)`` output or the
    argmax of a ``(B, C)`` output (see :func:`predictions`). The standard error is the sample
    standard deviation of the per-sample flip rates over √N (samples are the independent units).
    For text, pass layer-normalised embeddings (the paper perturbs those). See ``boolsens`` for the
    Boolean analogue (``def-3.1-boolean``: uniform replacement of a bit gives I(f)/(2n)).

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
    >>> est.per_position[1:], 0.1 < est.per_position[0] < 0.25
    ((0.0, 0.0), True)
    """
    tokens = _check_tokens(tokens)
    sigma = _check_positive(sigma, "sigma")
    n_draws = _check_count(n_draws, "n_draws")
    batch_size = _check_count(batch_size, "batch_size")
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
            out = forward(perturbed.reshape(b * T, T, D).to(_device_of(forward, x)))
            pred = predictions(out.detach().cpu()).reshape(b, T)  # (b, T)
            flips[start : start + b] += (pred != clean[start : start + b, None]).double()
    rates = flips / n_draws  # (N, T)
    per_sample = rates.mean(dim=1)  # (N,)
    overall = Estimate(float(per_sample.mean()), _stderr(per_sample), N)
    per_pos = rates.mean(dim=0)  # (T,)
    per_pos_se = rates.std(dim=0, unbiased=True) / math.sqrt(N) if N > 1 else torch.full((T,), math.nan)
    return SensitivityEstimate(
        overall,
        tuple(float(v) for v in per_pos),
        tuple(float(v) for v in per_pos_se),
        sigma,
        n_draws,
    )


def _stderr(values: torch.Tensor) -> float:
    n = values.numel()
    if n < 2:
        return math.nan
    return float(values.double().std(unbiased=True) / math.sqrt(n))


def _device_of(forward, fallback: torch.Tensor) -> torch.device:
    if isinstance(forward, torch.nn.Module):
        for p in forward.parameters():
            return p.device
    return fallback.device


def _run(forward: Forward, x: torch.Tensor, batch_size: int) -> torch.Tensor:
    dev = _device_of(forward, x)
    outs = [forward(x[s : s + batch_size].to(dev)).detach().cpu() for s in range(0, len(x), batch_size)]
    return torch.cat(outs)


@dataclass(frozen=True)
class SharpnessEstimate:
    """ShOp (mean L1 output change) and ShPred (prediction flip rate) at one σ."""

    shop: Estimate
    shpred: Estimate
    sigma: float
    n_draws: int

    def as_dict(self) -> dict:
        return {
            "shop": self.shop.mean,
            "shop_stderr": self.shop.stderr,
            "shpred": self.shpred.mean,
            "shpred_stderr": self.shpred.stderr,
            "sigma": self.sigma,
            "n_draws": self.n_draws,
        }


@torch.no_grad()
def sharpness(
    model: torch.nn.Module,
    inputs: torch.Tensor,
    *,
    sigma: float = 0.05,
    n_draws: int = 5,
    seed: int = 0,
    batch_size: int = 4096,
) -> SharpnessEstimate:
    r"""Sharpness at a minimum under Gaussian weight noise (seed 001, THEORY.md §4).

    .. math:: \mathrm{ShOp} = E_{x,Δ}\,\lVert φ(θ+Δ; x) − φ(θ; x)\rVert_1, \qquad
              \mathrm{ShPred} = \Pr_{x,Δ}[\mathrm{pred}\,φ(θ+Δ; x) ≠ \mathrm{pred}\,φ(θ; x)],

    Δ ~ N(0, σ² I) on every parameter. Both the clean and the perturbed model run in eval mode
    (no dropout; the model's own mode is restored). The L1 norm sums over output units. Standard
    errors are over the ``n_draws`` independent weight draws (the units that vary most).

    Cost: (n_draws + 1) forward passes over ``inputs`` and one copy of the parameters.

    >>> lin = torch.nn.Linear(2, 1, bias=False)
    >>> _ = lin.weight.data.zero_()
    >>> s = sharpness(torch.nn.Sequential(lin, torch.nn.Flatten(0)), torch.ones(10, 2), sigma=0.1, n_draws=3)
    >>> round(s.shop.mean, 6) > 0, s.n_draws
    (True, 3)
    """
    if not isinstance(model, torch.nn.Module):
        raise BoolsensError(f"model of type {type(model).__name__} must be a torch.nn.Module")
    sigma = _check_positive(sigma, "sigma")
    n_draws = _check_count(n_draws, "n_draws")
    was_training = model.training
    model.eval()
    try:
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
    finally:
        model.train(was_training)
    return SharpnessEstimate(
        _estimate(shop), _estimate(shpred), sigma, n_draws
    )


def _estimate(values: list[float]) -> Estimate:
    t = torch.tensor(values, dtype=torch.float64)
    return Estimate(float(t.mean()), _stderr(t), len(values))


def correlated_gaussian(
    x: torch.Tensor, rho: float, *, generator: torch.Generator | None = None, scale: torch.Tensor | float = 1.0
) -> torch.Tensor:
    r"""A ρ-correlated Gaussian partner of ``x``: y = ρ x + √(1 − ρ²) · scale · z, z ~ N(0, I).

    With x ~ N(0, I) and scale 1, (x, y) is a standard ρ-correlated Gaussian pair (THEORY.md §2).
    ``scale`` may be a tensor broadcasting against ``x`` (e.g. the per-token RMS of an embedding,
    so that y keeps the size of x). Differentiable in ``x``.

    >>> g = torch.Generator().manual_seed(0)
    >>> x = torch.randn(200000, generator=g)
    >>> y = correlated_gaussian(x, 0.5, generator=g)
    >>> round(float((x * y).mean()), 2)
    0.5
    """
    rho = float(rho)
    if not -1.0 <= rho <= 1.0:
        raise BoolsensError(f"rho={rho} must lie in [-1, 1]")
    z = torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)  # same shape as x
    return rho * x + math.sqrt(max(0.0, 1.0 - rho * rho)) * scale * z


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
) -> dict:
    r"""Noise stability of a network under ρ-correlated Gaussian input noise (seed 004).

    .. math:: \mathrm{Stab}_ρ(f) = E[⟨f(x), f(y)⟩], \quad y = ρx + \sqrt{1-ρ^2}\,s\,z,\ z \sim N(0, I).

    With x ~ N(0, I) and s = 1 this is the Gaussian noise stability of THEORY.md §2 (e.g.
    E[relu u relu v] = κ₁(ρ)). With data inputs it is the data-anchored variant used by the
    regulariser. Returns ``stab`` (with ``stab_stderr`` over samples) and the normalised
    ``correlation`` E⟨f(x), f(y)⟩ / √(E‖f(x)‖² E‖f(y)‖²); ``center=True`` subtracts the mean over
    output units first (logits are shift-invariant).

    Cost: (n_draws + 1) forward passes over x.

    >>> g = torch.Generator().manual_seed(1)
    >>> x = torch.randn(100000, 1, generator=g)
    >>> r = gaussian_noise_stability(lambda t: t.relu(), x, rho=0.5, n_draws=2, seed=2)
    >>> abs(r["stab"] - 0.304499) < 0.01
    True
    """
    n_draws = _check_count(n_draws, "n_draws")
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
    stab = float(per_sample.mean())
    denom = math.sqrt(float((fx * fx).sum(dim=1).mean()) * float(torch.stack(ny).mean()))
    return {
        "rho": float(rho),
        "stab": stab,
        "stab_stderr": _stderr(per_sample),
        "correlation": stab / denom if denom > 0 else math.nan,
        "n_samples": len(x),
        "n_draws": n_draws,
    }
