"""Image corruptions for robustness tests (in the spirit of CIFAR-10-C, for 8×8 digits).

Every corruption maps images ``(B, C, H, W)`` (standardised; ``background`` is the standardised
value of a blank pixel) to corrupted images of the same shape and takes a ``severity`` in
{1, …, 5}; random ones take a ``seed``. :data:`CORRUPTIONS` names them for the experiments.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from boolsens import BoolsensError

__all__ = ["CORRUPTIONS", "corrupt", "gaussian_noise", "gaussian_blur", "contrast", "pixel_dropout", "shift"]

_NOISE_STD = (0.2, 0.4, 0.6, 0.8, 1.0)
_BLUR_SIGMA = (0.4, 0.6, 0.8, 1.0, 1.3)
_CONTRAST = (0.8, 0.6, 0.45, 0.3, 0.2)
_DROPOUT = (0.05, 0.1, 0.2, 0.3, 0.4)


def _severity(severity) -> int:
    if isinstance(severity, bool) or not isinstance(severity, int) or not 1 <= severity <= 5:
        raise BoolsensError(f"severity={severity!r} must be an integer in [1, 5]")
    return severity - 1


def gaussian_noise(x: torch.Tensor, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Add N(0, s²) to every pixel, s = 0.2 … 1.0 (units of the pixel standard deviation)."""
    gen = torch.Generator().manual_seed(seed)
    return x + _NOISE_STD[_severity(severity)] * torch.randn(x.shape, generator=gen, dtype=x.dtype)


def gaussian_blur(x: torch.Tensor, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Convolve each channel with a 3×3 Gaussian kernel (σ = 0.4 … 1.3), padding with background.

    >>> img = torch.zeros(1, 1, 5, 5); img[0, 0, 2, 2] = 1.0
    >>> out = gaussian_blur(img, 3)
    >>> round(float(out.sum()), 5), bool(out[0, 0, 2, 2] < 1)
    (1.0, True)
    """
    s = _BLUR_SIGMA[_severity(severity)]
    r = torch.arange(-1, 2, dtype=x.dtype)
    g = torch.exp(-(r**2) / (2 * s * s))
    k = (g[:, None] * g[None, :]) / (g.sum() ** 2)  # (3, 3), sums to 1
    C = x.shape[1]
    padded = F.pad(x - background, (1, 1, 1, 1)) + background  # (B, C, H+2, W+2)
    return F.conv2d(padded, k.expand(C, 1, 3, 3).contiguous(), groups=C)  # (B, C, H, W)


def contrast(x: torch.Tensor, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Shrink each image toward its own mean by a factor c = 0.8 … 0.2."""
    c = _CONTRAST[_severity(severity)]
    mean = x.mean(dim=(1, 2, 3), keepdim=True)  # (B, 1, 1, 1)
    return mean + c * (x - mean)


def pixel_dropout(x: torch.Tensor, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Set a random fraction 0.05 … 0.4 of pixels to the background value."""
    gen = torch.Generator().manual_seed(seed)
    drop = torch.rand(x.shape, generator=gen) < _DROPOUT[_severity(severity)]
    return torch.where(drop, torch.full_like(x, background), x)


def shift(x: torch.Tensor, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Translate each image by a random offset of up to ⌈severity/2⌉ pixels, filling with background."""
    k = (_severity(severity) + 2) // 2
    gen = torch.Generator().manual_seed(seed)
    B, C, H, W = x.shape
    padded = F.pad(x - background, (k, k, k, k)) + background  # (B, C, H+2k, W+2k)
    dy = torch.randint(0, 2 * k + 1, (B,), generator=gen)
    dx = torch.randint(0, 2 * k + 1, (B,), generator=gen)
    out = torch.empty_like(x)
    for b in range(B):
        out[b] = padded[b, :, dy[b] : dy[b] + H, dx[b] : dx[b] + W]
    return out


CORRUPTIONS = {
    "gaussian_noise": gaussian_noise,
    "gaussian_blur": gaussian_blur,
    "contrast": contrast,
    "pixel_dropout": pixel_dropout,
    "shift": shift,
}


def corrupt(x: torch.Tensor, name: str, severity: int, *, seed: int = 0, background: float = 0.0) -> torch.Tensor:
    """Apply the corruption ``name`` (a key of :data:`CORRUPTIONS`) at ``severity``.

    >>> corrupt(torch.zeros(2, 1, 4, 4), "contrast", 1).shape
    torch.Size([2, 1, 4, 4])
    """
    if name not in CORRUPTIONS:
        raise BoolsensError(f"corruption={name!r} must be one of {sorted(CORRUPTIONS)}")
    return CORRUPTIONS[name](x, severity, seed=seed, background=background)
