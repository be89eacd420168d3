r"""The binary Möbius transform (algebraic normal form) on bit-packed tables (layer 0; callers
validate first).

Conventions: see :mod:`boolsens`. The input is the packed 0/1 indicator of f = −1 in the layout of
:mod:`boolsens._kernels.bitpacked`: bit ``x % 64`` of word ``x // 64`` is b(x) (for n < 6 one word,
the bits from 2**n up 0). The transform :math:`a_S = \bigoplus_{T \subseteq S} b(T)` is the n
stages ``a[S ∪ {i}] ^= a[S]`` (S without i), done in place on the words:

* i < 6 (inside a word): ``a ^= (a & m_i) << 2**i``, m_i the bit positions whose bit i is 0;
* i >= 6 (across words): word ``k + 2**(i-6)`` ^= word k for every k without bit i - 6, two
  stages per pass where it can (the four words k, k+h, k+2h, k+3h at once).

The stages of the words of one 256 KiB chunk are done while it is in L2, then the stages above
the chunk over the whole table, so the table is streamed about 1 + (n - 21) / 2 times.
The GF(2) degree is read off the packed coefficients directly: coefficient S = 64 k + p has
|S| = popcount(k) + popcount(p), so a word's largest |S| is popcount(k) plus the largest c with
``word & P_c != 0``, P_c the positions p < 64 of popcount c.

Cost (per function): n 2**n / 128 word XORs for the transform (on N/8 bytes, in place), one
pass over the words for the degree, and for the unpacked coefficients one table lookup per byte
(2**n output bytes).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import LOW_MASKS as _LOW_MASKS
from .bits import SPREAD as _SPREAD
from .bits import popcount as _popcount

__all__ = ["moebius_inplace", "degree_rows", "coefficient_bytes"]

#: log2 of the words of one chunk whose low across-word stages are done in L2 (2**15 words = 256 KiB)
_CHUNK_BITS = 15

#: POP_MASKS[c] has bit p set (p < 64) exactly when popcount(p) == c, c = 0..6
POP_MASKS = np.array(
    [sum(1 << p for p in range(64) if bin(p).count("1") == c) for c in range(7)], dtype=np.uint64
)



@nb.njit(cache=True, nogil=True, boundscheck=False)
def _in_word_stages(row, s, e):
    """Stages 0-5 of the words row[s:e] (n >= 6: every bit position is a point)."""
    m0, m1, m2 = _LOW_MASKS[0], _LOW_MASKS[1], _LOW_MASKS[2]
    m3, m4, m5 = _LOW_MASKS[3], _LOW_MASKS[4], _LOW_MASKS[5]
    for k in range(s, e):
        a = row[k]
        a ^= (a & m0) << np.uint64(1)
        a ^= (a & m1) << np.uint64(2)
        a ^= (a & m2) << np.uint64(4)
        a ^= (a & m3) << np.uint64(8)
        a ^= (a & m4) << np.uint64(16)
        a ^= (a & m5) << np.uint64(32)
        row[k] = a


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _across_word_stages(row, s, M, h):
    """The across-word stages of word distance h, 2h, …, M/2 on row[s : s+M] (M/h a power of two):
    two stages per pass (words k, k+h, k+2h, k+3h: a1 ^= a0, a2 ^= a0, a3 ^= a0 ^ a1 ^ a2), then
    one more if their count is odd."""
    while 4 * h <= M:
        for g in range(s, s + M, 4 * h):
            for k in range(g, g + h):
                a0 = row[k]
                a1 = row[k + h] ^ a0
                a2 = row[k + 2 * h] ^ a0
                row[k + h] = a1
                row[k + 2 * h] = a2
                row[k + 3 * h] ^= a1 ^ a2 ^ a0
        h *= 4
    if 2 * h <= M:
        for g in range(s, s + M, 2 * h):
            for k in range(g, g + h):
                row[k + h] ^= row[k]


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _moebius_rows(w, n):
    B, W = w.shape
    for b in range(B):
        row = w[b]
        if n < 6:  # one word holding 2**n points: only stages i < n move bits below 2**n
            a = row[0]
            for i in range(n):
                a ^= (a & _LOW_MASKS[i]) << np.uint64(1 << i)
            row[0] = a
            continue
        C = min(W, 1 << _CHUNK_BITS)
        for s in range(0, W, C):  # stages 0 .. 5 + log2(C) while the chunk is in L2
            _in_word_stages(row, s, s + C)
            _across_word_stages(row, s, C, 1)
        _across_word_stages(row, 0, W, C)  # the stages above the chunk, over the whole row


def moebius_inplace(w: np.ndarray, n: int) -> None:
    """The binary Möbius transform of each row of a C-contiguous (B, W) uint64 packed table on n
    variables, in place (the ANF coefficients, bit S = a_S, in the same layout)."""
    _moebius_rows(w, n)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def degree_rows(w):
    """(B,) int64: the largest |S| with bit S set in the packed row (0 for an all-zero row)."""
    B, W = w.shape
    out = np.zeros(B, dtype=np.int64)
    for b in range(B):
        row = w[b]
        best = 0
        for k in range(W):
            a = row[k]
            if a == 0:
                continue
            hk = np.int64(_popcount(np.uint64(k)))
            if hk + 6 <= best:  # no position can beat the best so far
                continue
            for c in range(6, -1, -1):
                if a & POP_MASKS[c]:
                    if hk + c > best:
                        best = hk + c
                    break
        out[b] = best
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _bytes_of_bits(raw, out8):
    """out8[k] (eight output bytes) = the eight bits of raw[k], one 0/1 byte each."""
    for k in range(raw.shape[0]):
        out8[k] = _SPREAD[raw[k]]


def coefficient_bytes(w: np.ndarray, n: int) -> np.ndarray:
    """(B, W) packed rows on n variables -> (B, 2**n) uint8 0/1, entry x = bit x."""
    N = 1 << n
    if n >= 6:
        out = np.empty((w.shape[0], N), dtype=np.uint8)
        _bytes_of_bits(np.ascontiguousarray(w).view(np.uint8).reshape(-1), out.view(np.uint64).reshape(-1))
        return out
    shifts = np.arange(N, dtype=np.uint64)
    return ((w[:, :1] >> shifts) & np.uint64(1)).astype(np.uint8)
