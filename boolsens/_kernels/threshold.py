"""Margins of linear threshold functions (layer 0 kernel; callers validate the weights)."""

from __future__ import annotations

import numba as nb

__all__ = ["ltf_margins"]


@nb.njit(cache=True, nogil=True)
def ltf_margins(w, theta, lo, out):
    """out[x - lo] = (Σ_i w_i x_i) − θ for x = lo, lo+1, …; the sum runs over i in order from 0,
    exactly as a float64 numpy accumulation over i would."""
    n = w.shape[0]
    for t in range(out.shape[0]):
        x = lo + t
        total = 0.0
        for i in range(n):
            if (x >> i) & 1:
                total += -w[i]
            else:
                total += w[i]
        out[t] = total - theta
