"""Pixel-noise tools of the vision experiment, after the public code of Vasudeva et al. (2025),
"Transformers Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025
(``estija/sensitivity``, ``cifar/cifar_sens.py``; the images: :func:`empirical.data.real.digits`):

- :func:`pixel_sensitivity`: the paper code's sensitivity measure: Gaussian noise N(0, σ²) on k
  scattered pixels (all channels), the fraction of argmax predictions that change, for a grid of σ
  with common random numbers (the same pixels and the same standard normal draws scaled by each
  σ, so curves over σ are smooth).
- :func:`patch_sensitivity`: Definition 3.1 as the paper applies it to images (§3, "Figure 1:
  ... The process is repeated for every patch"): N(0, σ² I) on every
  pixel and channel of one p×p patch at a time, every patch in turn, the fraction of changed
  argmax predictions averaged over the patches (:func:`empirical.measure.sensitivity_real.token_sensitivity`
  on the image cut into patch tokens), the same perturbation whatever the model's own tokenisation.
- :func:`square_noise`: the paper code's regulariser perturbation: N(0, σ²) on one contiguous
  s×s square per image at a uniformly random top-left corner in [0, H − s) × [0, W − s).

Every random draw comes from a seeded ``torch.Generator``.
"""

from __future__ import annotations

from typing import Callable, Sequence

import torch

from boolsens import BoolsensError
from boolsens.estimate import Estimate
from boolsens.torch_runtime import model_device

from ..harness.checks import check_count, check_positive
from .sensitivity_real import token_sensitivity


def patchify(images: torch.Tensor, patch: int) -> torch.Tensor:
    """``(N, C, H, W)`` images to ``(N, T, C·p·p)`` patch tokens, T = (H/p)(W/p), row-major over
    the patch grid; :func:`unpatchify` inverts it.

    >>> x = torch.arange(32.).reshape(2, 1, 4, 4)
    >>> t = patchify(x, 2)
    >>> tuple(t.shape), t[0, 1].tolist(), bool((unpatchify(t, 2, (1, 4, 4)) == x).all())
    ((2, 4, 4), [2.0, 3.0, 6.0, 7.0], True)
    """
    N, C, H, W = images.shape
    if isinstance(patch, bool) or not isinstance(patch, int) or patch < 1 or H % patch or W % patch:
        raise BoolsensError(f"patch={patch!r} must be a positive integer dividing the image sides {H}×{W}")
    t = images.reshape(N, C, H // patch, patch, W // patch, patch)  # (N, C, gh, p, gw, p)
    return t.permute(0, 2, 4, 1, 3, 5).reshape(N, (H // patch) * (W // patch), C * patch * patch)


def unpatchify(tokens: torch.Tensor, patch: int, shape: tuple[int, int, int]) -> torch.Tensor:
    """``(N, T, C·p·p)`` patch tokens back to ``(N, C, H, W)`` images, ``shape = (C, H, W)``."""
    C, H, W = shape
    N = tokens.shape[0]
    t = tokens.reshape(N, H // patch, W // patch, C, patch, patch)  # (N, gh, gw, C, p, p)
    return t.permute(0, 3, 1, 4, 2, 5).reshape(N, C, H, W)


@torch.no_grad()
def patch_sensitivity(forward: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, *,
                      sigmas: Sequence[float], patch: int, n_draws: int = 1, seed: int = 0,
                      batch_size: int = 4096) -> dict[float, Estimate]:
    r"""Patch-token sensitivity (Definition 3.1 with P = N(0, σ² I) on image patches, §3 and Fig. 1
    of Vasudeva et al. 2025), for every σ in ``sigmas``:

    .. math:: s_σ(φ) = \frac{1}{T}\sum_{i=1}^{T} \Pr_{x, z}[\arg\max φ(x + σ\, z ⊙ 1_{P_i}) ≠ \arg\max φ(x)],

    P_i the i-th of the T non-overlapping p×p patches (every channel), z ~ N(0, I): every patch of
    every image is perturbed in turn, ``n_draws`` draws per (image, patch). The same draws serve
    every σ (the generator is reseeded with ``seed``), so curves over σ are smooth. ``forward``
    maps ``(B, C, H, W)`` to logits and should be in eval mode; the standard error is over images.

    Cost: N·T·n_draws·len(sigmas) forward rows.

    >>> f = lambda x: torch.stack([x[:, 0, 0, 0], torch.zeros(len(x))], dim=1)  # reads pixel (0, 0)
    >>> est = patch_sensitivity(f, torch.full((2000, 1, 4, 4), 1.0), sigmas=[1.0], patch=2, n_draws=2)
    >>> 0.03 < est[1.0].value < 0.05  # Pr[patch 0 of 4] · Pr[z < -1] = 1/4 · 0.159
    True
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or not images.is_floating_point():
        raise BoolsensError(f"images must be a float (N, C, H, W) tensor; got {getattr(images, 'shape', images)!r}")
    sigmas = [check_positive(s, "sigma") for s in sigmas]
    if not sigmas:
        raise BoolsensError("sigmas must list at least one noise scale")
    dev = model_device(forward, images.device)
    shape = tuple(images.shape[1:])
    tokens = patchify(images.cpu(), patch)  # (N, T, C·p·p)

    def on_images(t: torch.Tensor) -> torch.Tensor:
        return forward(unpatchify(t, patch, shape).to(dev))

    out = {}
    for sigma in sigmas:
        est = token_sensitivity(on_images, tokens, sigma=sigma, n_draws=n_draws, seed=seed, batch_size=batch_size)
        out[sigma] = est.overall
    return out

__all__ = ["patch_sensitivity", "patchify", "pixel_sensitivity", "square_noise", "unpatchify"]


@torch.no_grad()
def pixel_sensitivity(forward: Callable[[torch.Tensor], torch.Tensor], images: torch.Tensor, *,
                      sigmas: Sequence[float], k: int, n_draws: int = 5, seed: int = 0,
                      batch_size: int = 2048) -> dict[float, Estimate]:
    r"""Sensitivity to noise on k scattered pixels, for every σ in ``sigmas``:

    .. math:: s_σ(φ) = \Pr_{x, P, z}[\arg\max φ(x + σ\, z ⊙ 1_P) ≠ \arg\max φ(x)],

    P a uniformly random set of k distinct pixel locations (every channel of a chosen pixel is
    perturbed), z ~ N(0, I). Each image gets its own P and z per draw (the paper's code uses one P
    per batch: same expectation); the same P and z serve every σ. Standard errors are over images
    (each averaged over ``n_draws``). ``forward`` maps ``(B, C, H, W)`` to logits ``(B, classes)``
    and should be in eval mode.

    Cost: N·n_draws·len(sigmas) forward rows.

    >>> f = lambda x: torch.stack([x[:, 0, 0, 0], torch.zeros(len(x))], dim=1)  # reads pixel (0, 0)
    >>> est = pixel_sensitivity(f, torch.full((2000, 1, 4, 4), 1.0), sigmas=[1.0], k=4, n_draws=2)
    >>> 0.02 < est[1.0].value < 0.05  # Pr[pixel chosen] · Pr[z < -1] = 4/16 · 0.159
    True
    """
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or not images.is_floating_point():
        raise BoolsensError(f"images must be a float (N, C, H, W) tensor; got {getattr(images, 'shape', images)!r}")
    N, C, H, W = images.shape
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= H * W:
        raise BoolsensError(f"k={k!r} must be an integer in [1, H·W = {H * W}]")
    check_count(n_draws, "n_draws")
    sigmas = [check_positive(s, "sigma") for s in sigmas]
    if not sigmas:
        raise BoolsensError("sigmas must list at least one noise scale")
    dev = model_device(forward, images.device)
    images = images.cpu()
    gen = torch.Generator().manual_seed(int(seed))
    clean = torch.cat([forward(images[s:s + batch_size].to(dev)).argmax(-1).cpu() for s in range(0, N, batch_size)])
    flips = torch.zeros(len(sigmas), N, dtype=torch.float64)  # (S, N)
    for _ in range(n_draws):
        order = torch.rand(N, H * W, generator=gen).argsort(dim=1)  # (N, H·W) a random permutation per image
        mask = torch.zeros(N, H * W)
        mask.scatter_(1, order[:, :k], 1.0)  # (N, H·W) k distinct pixels per image
        mask = mask.reshape(N, 1, H, W)  # (N, 1, H, W), broadcast over channels
        z = torch.randn(images.shape, generator=gen)  # (N, C, H, W)
        for j, sigma in enumerate(sigmas):
            for s in range(0, N, batch_size):
                x = images[s:s + batch_size] + sigma * z[s:s + batch_size] * mask[s:s + batch_size]  # (b, C, H, W)
                pred = forward(x.to(dev)).argmax(-1).cpu()  # (b,)
                flips[j, s:s + batch_size] += (pred != clean[s:s + batch_size]).double()
    rates = (flips / n_draws).numpy()  # (S, N)
    return {sigma: Estimate.from_samples(rates[j], seed=int(seed),
                                         measure=f"pixel_sensitivity(sigma={sigma:g}, k={k})")
            for j, sigma in enumerate(sigmas)}


def square_noise(images: torch.Tensor, *, size: int, sigma: float, generator: torch.Generator) -> torch.Tensor:
    """``images + N(0, σ²)`` on one size×size square per image (all channels), its top-left
    corner uniform in [0, H − size) × [0, W − size) (the paper code's range), ``(B, C, H, W)`` in
    and out. Differentiable in ``images``; the noise is drawn on the CPU from ``generator``.

    >>> g = torch.Generator().manual_seed(0)
    >>> out = square_noise(torch.zeros(3, 1, 6, 6), size=2, sigma=1.0, generator=g)
    >>> (out != 0).sum(dim=(1, 2, 3)).tolist()
    [4, 4, 4]
    """
    B, C, H, W = images.shape
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size < min(H, W):
        raise BoolsensError(f"size={size!r} must be an integer in [1, {min(H, W)})")
    sigma = check_positive(sigma, "sigma")
    top = torch.randint(0, H - size, (B,), generator=generator)  # (B,)
    left = torch.randint(0, W - size, (B,), generator=generator)  # (B,)
    rows = torch.arange(H)[None, :]  # (1, H)
    cols = torch.arange(W)[None, :]  # (1, W)
    in_rows = (rows >= top[:, None]) & (rows < top[:, None] + size)  # (B, H)
    in_cols = (cols >= left[:, None]) & (cols < left[:, None] + size)  # (B, W)
    mask = (in_rows[:, :, None] & in_cols[:, None, :]).to(images.dtype)[:, None]  # (B, 1, H, W)
    noise = sigma * torch.randn(images.shape, generator=generator, dtype=images.dtype)  # (B, C, H, W)
    return images + (noise * mask).to(images.device)
