"""Compiled kernels (numba). Internal: callers validate shapes and dtypes first.

Every kernel works in place on C-contiguous 2-D arrays of shape (batch, 2**n).
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, nogil=True)
def _fwht_row(x):
    N = x.shape[0]
    h = 1
    while h < N:
        for start in range(0, N, 2 * h):
            for j in range(start, start + h):
                a = x[j]
                b = x[j + h]
                x[j] = a + b
                x[j + h] = a - b
        h *= 2


@nb.njit(cache=True, nogil=True)
def _fwht_rows(a):
    for r in range(a.shape[0]):
        _fwht_row(a[r])


def fwht_inplace(a: np.ndarray) -> None:
    """In-place unnormalised WHT of each row of a C-contiguous (batch, 2**n) array."""
    _fwht_rows(a)


@nb.njit(cache=True, inline="always")
def _popcount(v):
    c = 0
    while v:
        v &= v - 1
        c += 1
    return c


@nb.njit(cache=True, nogil=True)
def level_sums(w, n):
    """(B, n+1) sums of w[b, S]**2 grouped by |S| (int64 exact for integer w, else float64)."""
    B, N = w.shape
    out = np.zeros((B, n + 1), dtype=w.dtype)
    for b in range(B):
        for S in range(N):
            v = w[b, S]
            out[b, _popcount(S)] += v * v
    return out


@nb.njit(cache=True, nogil=True)
def influence_counts(s, n):
    """(B, n) int64: number of edges {x, x^i} on which the ±1 table differs, per coordinate i."""
    B, N = s.shape
    out = np.zeros((B, n), dtype=np.int64)
    for b in range(B):
        for i in range(n):
            h = 1 << i
            c = 0
            for x in range(N):
                if (x & h) == 0 and s[b, x] != s[b, x | h]:
                    c += 1
            out[b, i] = c
    return out


@nb.njit(cache=True, nogil=True)
def pointwise_sensitivity(s, n):
    """(B, 2**n) uint8: s(f, x) = #{i : f(x) != f(x^i)}."""
    B, N = s.shape
    out = np.zeros((B, N), dtype=np.uint8)
    for b in range(B):
        for x in range(N):
            c = 0
            v = s[b, x]
            for i in range(n):
                if s[b, x ^ (1 << i)] != v:
                    c += 1
            out[b, x] = c
    return out


@nb.njit(cache=True, nogil=True)
def sensitivity_stats(s, n):
    """(max over x of s(f, x), sum over x of s(f, x)) per row, without storing s(f, x)."""
    B, N = s.shape
    mx = np.zeros(B, dtype=np.int64)
    tot = np.zeros(B, dtype=np.int64)
    for b in range(B):
        m = 0
        t = 0
        for x in range(N):
            c = 0
            v = s[b, x]
            for i in range(n):
                if s[b, x ^ (1 << i)] != v:
                    c += 1
            t += c
            if c > m:
                m = c
        mx[b] = m
        tot[b] = t
    return mx, tot
