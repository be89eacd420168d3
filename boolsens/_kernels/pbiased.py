r"""Kernels of the p-biased measures (layer 0; callers validate first).

Conventions: see :mod:`boolsens` and :mod:`boolsens.pbiased`.

* :func:`edge_level_counts` — from a bit-packed ±1 table (see :mod:`.bitpacked`), the number
  c[i, k] of edges {x, x^{⊕i}} on which f differs and whose end with x_i = +1 has k coordinates
  equal to −1. Every p-biased pivotal probability and influence is a polynomial in p with these
  integer coefficients: Pr_{μ_p}[i pivotal] = Σ_k c[i, k] p^k (1 − p)^{n−1−k}.
* :func:`biased_butterfly` — the p-biased Fourier transform, one butterfly per coordinate.

Cost: ``edge_level_counts`` does 5 popcounts per word and coordinate (about 5 n 2**n / 64);
``biased_butterfly`` n passes over a float64 table (n 2**n multiply-adds).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import LOW_MASKS as _LOW_MASKS
from .bits import popcount as _popcount

__all__ = ["edge_level_counts", "biased_butterfly", "LEVEL_MASKS"]

#: LEVEL_MASKS[j] has bit t set (t < 64) exactly when t has j bits set, j = 0..6
LEVEL_MASKS = np.array(
    [sum(1 << t for t in range(64) if bin(t).count("1") == j) for j in range(7)], dtype=np.uint64
)


@nb.njit(cache=True, nogil=True, inline="always")
def _add_levels(d, h, levels, acc):
    """acc[h + j] += number of set bits of d at positions with j bits set (j = 0 and 6 are the
    single positions 0 and 63: no popcount)."""
    acc[h] += d & np.uint64(1)
    acc[h + 1] += _popcount(d & levels[1])
    acc[h + 2] += _popcount(d & levels[2])
    acc[h + 3] += _popcount(d & levels[3])
    acc[h + 4] += _popcount(d & levels[4])
    acc[h + 5] += _popcount(d & levels[5])
    acc[h + 6] += d >> np.uint64(63)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _edge_levels(w, n, masks, levels, out):
    """uint64 loop indices, as in :mod:`.bitpacked` (LLVM keeps signed ones from its best code)."""
    B, W = w.shape
    for b in range(B):
        row = w[b]
        for i in range(min(n, 6)):  # partners inside each word, 2**i bits apart
            sh = np.uint64(1 << i)
            m = masks[i]
            acc = out[b, i]
            for k in range(np.uint64(W)):
                v = row[k]
                # bit t: x = 64k + t has x_i = +1 and f differs on its edge
                _add_levels((v ^ (v >> sh)) & m, _popcount(k), levels, acc)
        for i in range(6, n):  # partners in the word 2**(i-6) places away
            dist = np.uint64(1 << (i - 6))
            acc = out[b, i]
            for g in range(np.uint64(0), np.uint64(W), np.uint64(2) * dist):
                for k in range(g, g + dist):
                    _add_levels(row[k] ^ row[k + dist], _popcount(k), levels, acc)


def edge_level_counts(w: np.ndarray, n: int) -> np.ndarray:
    """(B, n, n) int64 counts c[b, i, k] of a (B, W) packed table (see the module docstring)."""
    out = np.zeros((w.shape[0], n, n + 7), dtype=np.uint64)  # 7 spare levels: words add j = 0..6
    _edge_levels(w, n, _LOW_MASKS, LEVEL_MASKS, out)
    return np.ascontiguousarray(out[:, :, :n]).astype(np.int64)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _butterfly(a, n, q, p, s):
    B, N = a.shape
    for b in range(B):
        row = a[b]
        for i in range(n):
            h = 1 << i
            for g in range(0, N, 2 * h):
                for j in range(g, g + h):
                    x0 = row[j]
                    x1 = row[j + h]
                    row[j] = q * x0 + p * x1
                    row[j + h] = s * (x0 - x1)


def biased_butterfly(a: np.ndarray, n: int, p: float) -> None:
    """In place on a C-contiguous (B, 2**n) float64 array: per coordinate i the pair
    (a0, a1) at x_i = +1, −1 becomes ((1 − p) a0 + p a1, √(p(1 − p)) (a0 − a1))."""
    _butterfly(a, n, 1.0 - p, p, float(np.sqrt(p * (1.0 - p))))
