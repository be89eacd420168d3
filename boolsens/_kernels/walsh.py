r"""Compiled kernels (numba) for the transform and the spectrum (layer 0: callers validate
shapes and dtypes first). Conventions: see :mod:`boolsens`.

The Walsh–Hadamard transform is cache-blocked:

1. each contiguous block of 2**L entries (512 KiB, L2-resident) is copied from the source
   (the dtype conversion, e.g. int8 -> int64, is fused into this copy) and gets its levels
   0 … L-1: in 32 KiB (L1) pieces levels 0-2 and 3-5 as 8-point kernels in registers, the
   next ones as radix-8 butterflies on contiguous runs that LLVM vectorises, then the levels
   above the piece over the whole block;
2. the remaining levels L … n-1 go in one or more passes over tiles of 2**g rows (row stride
   2**lo) times c >= 4 KiB contiguous columns (about 2 MiB), again radix-8.

So a transform streams over memory about 1 + ceil((n - L) / g) times instead of n times.
Integer rows are exact as long as the caller has checked the range (``max|a| * 2**n``).

The Boolean-only measures (influences, sensitivity) do not need the transform: they live in
:mod:`boolsens._kernels.bitpacked`.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import popcount as _popcount

#: log2 of the bytes of an L1-resident piece, of a first-pass block (kept in L2) and of a
#: later-pass tile
_L1_BYTES_LOG2 = 15
_BLOCK_BYTES_LOG2 = 19
_TILE_BYTES_LOG2 = 21
#: log2 of the fewest contiguous bytes per tile row (4 KiB: long runs for the prefetcher; at
#: n = 26 two passes of such tiles beat one pass of 512-byte runs by 1.6x here)
_MIN_COLS_BYTES_LOG2 = 12


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _butterfly8(a0, a1, a2, a3, a4, a5, a6, a7):
    """The 8-point WHT (three radix-2 levels) of eight values, in Sylvester order."""
    b0 = a0 + a1
    b1 = a0 - a1
    b2 = a2 + a3
    b3 = a2 - a3
    b4 = a4 + a5
    b5 = a4 - a5
    b6 = a6 + a7
    b7 = a6 - a7
    c0 = b0 + b2
    c2 = b0 - b2
    c1 = b1 + b3
    c3 = b1 - b3
    c4 = b4 + b6
    c6 = b4 - b6
    c5 = b5 + b7
    c7 = b5 - b7
    return c0 + c4, c1 + c5, c2 + c6, c3 + c7, c0 - c4, c1 - c5, c2 - c6, c3 - c7


# The two register kernels index with uint64: numba's negative-index wraparound test on signed
# indices keeps LLVM from vectorising them (measured 1.3-4x slower).
@nb.njit(cache=True, nogil=True, boundscheck=False)
def _levels_0_2(x):
    """Levels 0, 1, 2 (an 8-point WHT in registers) on every group of 8 entries of x."""
    M = np.uint64(x.shape[0])
    u1 = np.uint64(1)
    u2 = np.uint64(2)
    u3 = np.uint64(3)
    u4 = np.uint64(4)
    u5 = np.uint64(5)
    u6 = np.uint64(6)
    u7 = np.uint64(7)
    for k in range(np.uint64(0), M, np.uint64(8)):
        y0, y1, y2, y3, y4, y5, y6, y7 = _butterfly8(
            x[k], x[k + u1], x[k + u2], x[k + u3], x[k + u4], x[k + u5], x[k + u6], x[k + u7])
        x[k] = y0
        x[k + u1] = y1
        x[k + u2] = y2
        x[k + u3] = y3
        x[k + u4] = y4
        x[k + u5] = y5
        x[k + u6] = y6
        x[k + u7] = y7


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _levels_3_5(x):
    """Levels 3, 4, 5 (radix-8 over the eight runs of 8 of every group of 64); len(x) % 64 == 0."""
    M = np.uint64(x.shape[0])
    u8 = np.uint64(8)
    u16 = np.uint64(16)
    u24 = np.uint64(24)
    u32 = np.uint64(32)
    u40 = np.uint64(40)
    u48 = np.uint64(48)
    u56 = np.uint64(56)
    for g in range(np.uint64(0), M, np.uint64(64)):
        for t in range(np.uint64(8)):
            o = g + t
            y0, y1, y2, y3, y4, y5, y6, y7 = _butterfly8(
                x[o], x[o + u8], x[o + u16], x[o + u24], x[o + u32], x[o + u40], x[o + u48], x[o + u56])
            x[o] = y0
            x[o + u8] = y1
            x[o + u16] = y2
            x[o + u24] = y3
            x[o + u32] = y4
            x[o + u40] = y5
            x[o + u48] = y6
            x[o + u56] = y7


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _radix4(a_, b_, c_, d_):
    """Two levels at once on four equal runs (rows r, r+h, r+2h, r+3h)."""
    for j in range(a_.shape[0]):
        a = a_[j]
        b = b_[j]
        c = c_[j]
        d = d_[j]
        p = a + b
        q = a - b
        u = c + d
        v = c - d
        a_[j] = p + u
        b_[j] = q + v
        c_[j] = p - u
        d_[j] = q - v


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _radix8(x0, x1, x2, x3, x4, x5, x6, x7):
    """Three levels at once on eight equal runs (rows r, r+h, …, r+7h)."""
    for j in range(x0.shape[0]):
        y0, y1, y2, y3, y4, y5, y6, y7 = _butterfly8(x0[j], x1[j], x2[j], x3[j], x4[j], x5[j], x6[j], x7[j])
        x0[j] = y0
        x1[j] = y1
        x2[j] = y2
        x3[j] = y3
        x4[j] = y4
        x5[j] = y5
        x6[j] = y6
        x7[j] = y7


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _radix2(a_, b_):
    for j in range(a_.shape[0]):
        a = a_[j]
        b = b_[j]
        a_[j] = a + b
        b_[j] = a - b


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _tile(x, s, R, c, stride):
    """All levels of the R-point WHT (R = 2**g) along the rows of a tile: row r is the run
    x[s + r*stride : s + r*stride + c]. Radix-8, then one radix-4 or radix-2 step."""
    h = 1
    while 8 * h <= R:
        hs = h * stride
        for g in range(0, R, 8 * h):
            for r in range(g, g + h):
                o = s + r * stride
                _radix8(x[o:o + c], x[o + hs:o + hs + c], x[o + 2 * hs:o + 2 * hs + c],
                        x[o + 3 * hs:o + 3 * hs + c], x[o + 4 * hs:o + 4 * hs + c],
                        x[o + 5 * hs:o + 5 * hs + c], x[o + 6 * hs:o + 6 * hs + c],
                        x[o + 7 * hs:o + 7 * hs + c])
        h *= 8
    if 4 * h <= R:
        hs = h * stride
        for r in range(0, h):
            o = s + r * stride
            _radix4(x[o:o + c], x[o + hs:o + hs + c], x[o + 2 * hs:o + 2 * hs + c],
                    x[o + 3 * hs:o + 3 * hs + c])
    elif h < R:
        hs = h * stride
        for r in range(0, h):
            o = s + r * stride
            _radix2(x[o:o + c], x[o + hs:o + hs + c])


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _contiguous_levels(x, h0):
    """Levels log2(h0) … log2(len(x))-1 of x on contiguous runs of length h (radix-8, then
    one radix-4 or radix-2 step)."""
    M = x.shape[0]
    h = h0
    while 8 * h <= M:
        for g in range(0, M, 8 * h):
            _radix8(x[g:g + h], x[g + h:g + 2 * h], x[g + 2 * h:g + 3 * h], x[g + 3 * h:g + 4 * h],
                    x[g + 4 * h:g + 5 * h], x[g + 5 * h:g + 6 * h], x[g + 6 * h:g + 7 * h],
                    x[g + 7 * h:g + 8 * h])
        h *= 8
    if 4 * h <= M:
        for g in range(0, M, 4 * h):
            _radix4(x[g:g + h], x[g + h:g + 2 * h], x[g + 2 * h:g + 3 * h], x[g + 3 * h:g + 4 * h])
    elif h < M:
        _radix2(x[:h], x[h:])


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _fwht_small(x):
    N = x.shape[0]
    h = 1
    while h < N:
        for st in range(0, N, 2 * h):
            for j in range(st, st + h):
                a = x[j]
                b = x[j + h]
                x[j] = a + b
                x[j + h] = a - b
        h *= 2


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _fwht_row(src, x, l1_log2, block_log2, tile_log2, min_cols_log2):
    """x = WHT(src) (x may be src itself). Lengths are equal powers of two."""
    N = x.shape[0]
    n = 0
    while (1 << n) < N:
        n += 1
    if n < 3:
        for i in range(N):
            x[i] = src[i]
        _fwht_small(x)
        return
    L = min(n, block_log2)
    M = 1 << L
    S = min(M, 1 << l1_log2)
    for s in range(0, N, M):
        blk = x[s:s + M]
        sb = src[s:s + M]
        for i in range(M):
            blk[i] = sb[i]
        for t in range(0, M, S):  # levels 0 .. log2(S)-1 in L1-sized pieces
            sub = blk[t:t + S]
            _levels_0_2(sub)
            if S >= 64:
                _levels_3_5(sub)
                _contiguous_levels(sub, 64)
            else:
                _contiguous_levels(sub, 8)
        if S < M:
            _contiguous_levels(blk, S)  # levels log2(S) .. L-1 over the L2-sized block
    lo = L
    gmax = max(2, tile_log2 - min_cols_log2)
    while lo < n:
        rest = n - lo
        npass = (rest + gmax - 1) // gmax
        g = (rest + npass - 1) // npass  # balanced passes
        stride = 1 << lo
        R = 1 << g
        c = min(stride, max(1 << min_cols_log2, (1 << tile_log2) >> g))
        for outer in range(0, N, R * stride):
            for j0 in range(0, stride, c):
                _tile(x, outer + j0, R, c, stride)
        lo += g


@nb.njit(cache=True, nogil=True)
def _fwht_rows(src, dst, l1_log2, block_log2, tile_log2, min_cols_log2):
    for r in range(dst.shape[0]):
        _fwht_row(src[r], dst[r], l1_log2, block_log2, tile_log2, min_cols_log2)


def _params(itemsize: int) -> tuple[int, int, int, int]:
    shift = int(itemsize).bit_length() - 1
    return (_L1_BYTES_LOG2 - shift, _BLOCK_BYTES_LOG2 - shift, _TILE_BYTES_LOG2 - shift,
            _MIN_COLS_BYTES_LOG2 - shift)


def fwht_into(src: np.ndarray, dst: np.ndarray) -> None:
    """dst = unnormalised WHT of each row of src; both C-contiguous (batch, 2**n).

    src may have a narrower dtype than dst (int8 -> int64, float32 -> float64): the widening is
    fused into the first pass. ``dst`` may be ``src`` (in place)."""
    _fwht_rows(src, dst, *_params(dst.itemsize))


def fwht_inplace(a: np.ndarray) -> None:
    """In-place unnormalised WHT of each row of a C-contiguous (batch, 2**n) array."""
    _fwht_rows(a, a, *_params(a.itemsize))


# ------------------------------------------------------------------------- spectrum sums
@nb.njit(cache=True, nogil=True, boundscheck=False)
def level_sums(w, n):
    """(B, n+1) sums of w[b, S]**2 grouped by |S|, in int64 for int64 w (the caller checks that
    they fit) and float64 for float64 w."""
    B, N = w.shape
    out = np.zeros((B, n + 1), dtype=w.dtype)
    for b in range(B):
        row = w[b]
        acc = out[b]
        for S in range(N):
            v = row[S]
            acc[_popcount(np.uint64(S))] += v * v
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def level_sums_wide(w, n):
    """:func:`level_sums` of a float32 w, each square and the sums in float64 (no overflow, no
    float32 rounding of the sums)."""
    B, N = w.shape
    out = np.zeros((B, n + 1), dtype=np.float64)
    for b in range(B):
        row = w[b]
        acc = out[b]
        for S in range(N):
            v = np.float64(row[S])
            acc[_popcount(np.uint64(S))] += v * v
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def max_level_above(w, tol, rel):
    """(B,) int64: max |S| with w[b, S] nonzero (0 if none), w = 2**n f-hat.

    ``tol < 0``: exact test ``w != 0`` (integer transforms). Otherwise |f-hat(S)| > t with
    t = tol, or when ``rel`` t = tol * max(1, max_S |f-hat(S)|) of the same row (so a row's
    degree does not depend on the other rows of a batch)."""
    B, N = w.shape
    out = np.zeros(B, dtype=np.int64)
    for b in range(B):
        row = w[b]
        if tol < 0:
            thresh = 0.0
        else:
            t = tol
            if rel:
                m = 0.0
                for S in range(N):
                    a = abs(row[S])
                    if a > m:
                        m = a
                t = tol * max(1.0, m / N)
            thresh = t * N
        best = 0
        for S in range(N):
            v = row[S]
            if v > thresh or v < -thresh:
                k = _popcount(np.uint64(S))
                if k > best:
                    best = k
        out[b] = best
    return out
