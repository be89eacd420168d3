r"""Kernels of the p-biased measures (layer 0; callers validate first).

Conventions: see :mod:`boolsens` and :mod:`boolsens.pbiased`.

* :func:`edge_level_counts` — from a bit-packed ±1 table (see :mod:`.bitpacked`), the number
  c[i, k] of edges {x, x^{⊕i}} on which f differs and whose end with x_i = +1 has k coordinates
  equal to −1. Every p-biased pivotal probability and influence is a polynomial in p with these
  integer coefficients: Pr_{μ_p}[i pivotal] = Σ_k c[i, k] p^k (1 − p)^{n−1−k}.
* :func:`biased_butterfly` — the p-biased Fourier transform, one butterfly per coordinate.

Cost: ``edge_level_counts`` does 5 popcounts per word of 64 edges, 5 n 2**(n-7) in all (each
coordinate's 2**(n-1) edges fill 2**(n-7) words; for i < 6 two words' 32 edges share one), in
blocks of 16 words whose sums the compiler keeps in vector lanes from n = 11 on;
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


#: BLOCK_LEVELS[t] = the number of bits set in t < 16: the level a word adds inside its block of 16
BLOCK_LEVELS = np.array([bin(t).count("1") for t in range(16)], dtype=np.int64)
#: HIGH_LANES[e, t] = all ones where bit e of the lane t < 16 is set, else 0
HIGH_LANES = np.array([[2**64 - 1 if (t >> e) & 1 else 0 for t in range(16)] for e in range(4)], dtype=np.uint64)


@nb.njit(cache=True, nogil=True, inline="always")
def _lanes(a, t, d, L1, L2, L3, L4, L5):
    """a[j, t] += the number of set bits of d at positions with j bits set, j = 0..6 (one lane t of
    a block: the loop over t vectorises, with a hardware vector popcount where the CPU has one)."""
    a[0, t] += d & np.uint64(1)
    a[1, t] += _popcount(d & L1)
    a[2, t] += _popcount(d & L2)
    a[3, t] += _popcount(d & L3)
    a[4, t] += _popcount(d & L4)
    a[5, t] += _popcount(d & L5)
    a[6, t] += d >> np.uint64(63)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _edge_levels_blocked(w, n, masks, levels, out):
    """:func:`_edge_levels` for W >= 32 words (two blocks at least: the in-word and in-block
    coordinates pair them), in blocks of 16 consecutive words: a word's level is popcount(block) + popcount(t) + j (t its place in the block, j the level of the bit in the
    word), so the counts go to acc[popcount(block), j, t], 16 independent lanes the compiler
    vectorises, and are folded into out[b, i, ·] once per coordinate (about 1.9x the scalar loop
    at n = 20, whose seven running sums per word wait on each other in memory). Block, word and
    lane indices are uint64, as in :mod:`.bitpacked`: with signed ones numba's wraparound test
    stays in the vectorised loops (1.5x slower at n = 20). For i < 6 only half a word's bits are
    edge bits, so two words are merged into one before counting (1.2x at n = 20), and for 6 <= i < 10
    two blocks fill the 16 lanes where one block fills 8."""
    B, W = w.shape
    L1, L2, L3, L4, L5 = levels[1], levels[2], levels[3], levels[4], levels[5]
    nblk = W // 16
    hb = 0
    while (1 << hb) < nblk:
        hb += 1
    acc = np.zeros((hb + 1, 7, 16), dtype=np.uint64)
    lanes, ublk = np.uint64(16), np.uint64(nblk)
    for b in range(B):
        row = w[b]
        for i in range(n):
            acc[:] = 0
            if i < 6:  # partners inside each word, 2**i bits apart, two words at once:
                # the edge bits of a word sit where bit i of the position is clear, so those of word
                # 16 (blk + 1) + t move into the other half, 2**i places up; an even block's level + 1
                # is its odd neighbour's, so the merged word's levels are an ordinary word's of block blk
                sh = np.uint64(1 << i)
                m = masks[i]
                for blk in range(np.uint64(0), ublk, np.uint64(2)):
                    a = acc[_popcount(blk)]
                    base = blk * lanes
                    for t in range(lanes):
                        v = row[base + t]
                        u = row[base + lanes + t]
                        _lanes(a, t, ((v ^ (v >> sh)) & m) | (((u ^ (u >> sh)) & m) << sh), L1, L2, L3, L4, L5)
            elif i < 10:  # partners 2**(i-6) words away inside the block, two blocks at once:
                # the edges of the words t with bit e = i-6 clear fill those lanes, the odd block's fill
                # the lanes t with bit e set (its word t - 2**e: the level of block + 1 and lane t - 2**e
                # is that of block blk and lane t), so every lane counts an edge word
                e = i - 6
                dist = np.uint64(1 << e)
                sel = HIGH_LANES[e]
                for blk in range(np.uint64(0), ublk, np.uint64(2)):
                    a = acc[_popcount(blk)]
                    base = blk * lanes
                    for t in range(lanes):
                        even = row[base + t] ^ row[base + t + dist]
                        odd = row[base + lanes + t - dist] ^ row[base + lanes + t]
                        _lanes(a, t, (even & ~sel[t]) | (odd & sel[t]), L1, L2, L3, L4, L5)
            else:  # partners 2**(i-10) blocks away
                bd = np.uint64(1 << (i - 10))
                dist = lanes * bd
                for g in range(np.uint64(0), ublk, np.uint64(2) * bd):
                    for blk in range(g, g + bd):
                        a = acc[_popcount(blk)]
                        base = blk * lanes
                        for t in range(lanes):
                            _lanes(a, t, row[base + t] ^ row[base + t + dist], L1, L2, L3, L4, L5)
            o = out[b, i]
            for h in range(hb + 1):
                for j in range(7):
                    for t in range(16):
                        o[h + j + BLOCK_LEVELS[t]] += acc[h, j, t]


def edge_level_counts(w: np.ndarray, n: int) -> np.ndarray:
    """(B, n, n) int64 counts c[b, i, k] of a (B, W) packed table (see the module docstring)."""
    out = np.zeros((w.shape[0], n, n + 11), dtype=np.uint64)  # spare levels: blocks add 0..4, words 0..6
    if w.shape[1] >= 32:  # at least two blocks of 16 words (n >= 11)
        _edge_levels_blocked(w, n, _LOW_MASKS, LEVEL_MASKS, out)
    else:
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
