r"""Bit-packed exact kernels for Boolean functions (layer 0; callers validate first).

Conventions: see :mod:`boolsens`. A ±1 table of length N = 2**n is packed into
W = max(1, N // 64) little-endian ``uint64`` words: bit ``x % 64`` of word ``x // 64`` is 1 exactly
where f(x) = -1 (True = -1). When n < 6 the single word holds N valid bits and the rest are 0.

With this layout the neighbour of x across coordinate i is

* for i < 6: the bit 2**i places away inside the same word (a shift and a mask),
* for i >= 6: the same bit of the word 2**(i-6) places away.

So Inf_i is a popcount of ``w ^ shift(w)`` (no transform, exact integers), and the pointwise
sensitivity s(f, x) is the sum of the n "edge differs" bit-vectors, accumulated with
bit-sliced (vertical) counters: six words hold the six binary digits of s(f, x) for 64 points at
once (n <= 40 < 64, so six digits suffice); the counters of an L1-sized chunk of words are
updated one coordinate at a time in loops that LLVM vectorises.

Cost (per function): packing reads the table once; influences read the packed table
(N/8 bytes) about ``1 + max(0, n - 21)`` times; the sensitivity kernels do O(n) word operations
per 64 points. Extra memory: the packed table, N/8 bytes (512 MiB at n = 32).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import LOW_MASKS as _LOW_MASKS
from .bits import SPREAD as _SPREAD
from .bits import popcount as _popcount

__all__ = [
    "pack_pm1",
    "all_pm1_int8",
    "unpack_signs",
    "influence_counts",
    "sensitivity_stats",
    "pointwise_sensitivity",
    "words_for",
    "signs_from_random_bytes",
]

#: words per chunk that stay in L2 while the low coordinates are counted (2**15 words = 256 KiB)
_CHUNK_BITS = 15


def words_for(n: int) -> int:
    """Number of uint64 words of a packed table on n variables."""
    return max(1, (1 << n) >> 6)


# ----------------------------------------------------------------------------- packing
@nb.njit(cache=True, nogil=True, boundscheck=False)
def _pack_rows(s, out):
    """out[b, x >> 6] bit (x & 63) = (s[b, x] == -1); returns False as soon as an entry is not ±1."""
    B, N = s.shape
    for b in range(B):
        row = s[b]
        for k in range(out.shape[1]):
            lo = k * 64
            hi = min(N, lo + 64)
            v = np.uint64(0)
            for x in range(lo, hi):
                e = row[x]
                if e == -1:
                    v |= np.uint64(1) << np.uint64(x - lo)
                elif e != 1:
                    return False
            out[b, k] = v
    return True


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _pack_int8_rows(s8, out):
    """int8 fast path: s8 is the table viewed as uint64 (8 entries per load). Each byte must be
    0x01 (+1) or 0xFF (-1); the sign bits are gathered with one multiply per 8 entries. The
    check is accumulated without branches and tested once per 4096 words, so the loop
    vectorises (uint64 indices, see _xor_popcount)."""
    ones = np.uint64(0x0101010101010101)
    signs = np.uint64(0x8080808080808080)
    gather = np.uint64(0x0102040810204080)
    B = s8.shape[0]
    W = np.uint64(out.shape[1])
    step = np.uint64(4096)
    u7 = np.uint64(7)
    u8 = np.uint64(8)
    u56 = np.uint64(56)
    for b in range(B):
        row = s8[b]
        o = out[b]
        for k0 in range(np.uint64(0), W, step):
            bad = np.uint64(0)
            for k in range(k0, min(W, k0 + step)):
                word = np.uint64(0)
                for j in range(u8):
                    v = row[u8 * k + j]
                    neg = (v & signs) >> u7  # 1 in each byte that is -1
                    bad |= v ^ (neg * np.uint64(0xFE) + ones)  # nonzero unless every byte is ±1
                    word |= ((neg * gather) >> u56) << (u8 * j)
                o[k] = word
            if bad:
                return False
    return True


def pack_pm1(s: np.ndarray, n: int) -> np.ndarray | None:
    """Pack a (B, 2**n) numeric table into (B, W) uint64 words, or None if an entry is not ±1.

    Any real dtype is accepted (contiguous int8 is the fast one: 8 entries per load); nothing is
    copied besides the packed words (N/8 bytes per function).
    """
    out = np.empty((s.shape[0], words_for(n)), dtype=np.uint64)
    if s.dtype == np.int8 and n >= 6 and s.flags.c_contiguous:
        ok = _pack_int8_rows(s.view(np.uint64), out)
    else:
        ok = _pack_rows(s, out)
    return out if ok else None


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _int8_all_pm1(s8):
    """s8: an int8 table viewed as uint64 (8 entries per load); True when every byte is 0x01 (+1)
    or 0xFF (-1). The test of :func:`_pack_int8_rows` without the packing: branch-free, so the
    loop vectorises."""
    ones = np.uint64(0x0101010101010101)
    signs = np.uint64(0x8080808080808080)
    bad = np.uint64(0)
    for k in range(np.uint64(s8.shape[0])):
        v = s8[k]
        neg = (v & signs) >> np.uint64(7)  # 1 in each byte that is -1
        bad |= v ^ (neg * np.uint64(0xFE) + ones)  # nonzero unless every byte is ±1
    return bad == 0


def all_pm1_int8(s: np.ndarray) -> bool:
    """Whether a C-contiguous int8 array whose size is a multiple of 8 holds only ±1 (one pass,
    8 entries per load, nothing allocated)."""
    return bool(_int8_all_pm1(s.reshape(-1).view(np.uint64)))


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _unpack_rows(w, N, out):
    B = w.shape[0]
    for b in range(B):
        for x in range(N):
            bit = (w[b, x >> 6] >> np.uint64(x & 63)) & np.uint64(1)
            out[b, x] = 1 - 2 * np.int8(bit)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _unpack_bytes(raw, spread, out8):
    """out8 (table viewed as uint64): 8 entries per input byte, 0x01 for bit 0, 0xFF for bit 1."""
    ones = np.uint64(0x0101010101010101)
    for k in range(raw.shape[0]):
        out8[k] = ones + spread[raw[k]] * np.uint64(0xFE)


def unpack_signs(w: np.ndarray, n: int) -> np.ndarray:
    """Inverse of :func:`pack_pm1`: (B, W) words -> (B, 2**n) int8 ±1."""
    out = np.empty((w.shape[0], 1 << n), dtype=np.int8)
    if n >= 6:
        _unpack_bytes(np.ascontiguousarray(w).view(np.uint8).reshape(-1), _SPREAD, out.view(np.uint64).reshape(-1))
    else:
        _unpack_rows(w, 1 << n, out)
    return out


def signs_from_random_bytes(raw: np.ndarray, out: np.ndarray) -> None:
    """Fill the int8 table ``out`` (length a multiple of 8) from len(out)/8 random bytes, bit j of
    byte k giving entry 8k+j (1 -> -1)."""
    _unpack_bytes(raw, _SPREAD, out.view(np.uint64))


# -------------------------------------------------------------------------- influences
@nb.njit(cache=True, nogil=True, boundscheck=False)
def _xor_popcount(row, s, e, d):
    """Sum of popcount(row[k] ^ row[k + d]) over k in [s, e) with bit log2(d) of k - s clear.

    uint64 indices: numba's wraparound test on signed ones keeps LLVM from vectorising the
    popcounts (measured 3.4x slower)."""
    c = np.uint64(0)
    d = np.uint64(d)
    for g in range(np.uint64(s), np.uint64(e), np.uint64(2) * d):
        for k in range(g, g + d):
            c += _popcount(row[k] ^ row[k + d])
    return c


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _influence_rows(w, n, masks, chunk_bits, out):
    B, W = w.shape
    low = min(n, 6)
    wb = n - 6 if n > 6 else 0  # log2(W)
    cb = min(wb, chunk_bits)
    C = 1 << cb
    for b in range(B):
        row = w[b]
        # coordinates < 6: inside each word
        for i in range(low):
            sh = np.uint64(1 << i)
            m = masks[i]
            c = np.uint64(0)
            for k in range(np.uint64(W)):
                v = row[k]
                c += _popcount((v ^ (v >> sh)) & m)
            out[b, i] = c
        # coordinates 6 .. 6+cb-1: partners inside an L2-sized chunk of C words
        for i in range(6, 6 + cb):
            out[b, i] = 0
        for s in range(0, W, C):
            for j in range(cb):
                out[b, 6 + j] += _xor_popcount(row, s, s + C, 1 << j)
        # higher coordinates: two streams over the table
        for j in range(cb, wb):
            out[b, 6 + j] = _xor_popcount(row, 0, W, 1 << j)


def influence_counts(w: np.ndarray, n: int) -> np.ndarray:
    """(B, n) int64: number of edges {x, x^i} on which the function differs, per coordinate i."""
    out = np.zeros((w.shape[0], n), dtype=np.int64)
    _influence_rows(w, n, _LOW_MASKS, _CHUNK_BITS, out)
    return out


# ------------------------------------------------------------------------- sensitivity
#: words per chunk of the sensitivity kernels: 7 arrays of 2**9 words stay in L1
_SENS_CHUNK_BITS = 9


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _accumulate(c0, c1, c2, c3, c4, c5, d, K):
    """Bit-sliced counters c[:K] += the 0/1 bit-vectors d[:K] (c0 = lowest binary digit).

    A loop over K independent words, so LLVM vectorises it."""
    for k in range(K):
        x = d[k]
        a = c0[k]
        t = a & x
        c0[k] = a ^ x
        x = t
        a = c1[k]
        t = a & x
        c1[k] = a ^ x
        x = t
        a = c2[k]
        t = a & x
        c2[k] = a ^ x
        x = t
        a = c3[k]
        t = a & x
        c3[k] = a ^ x
        x = t
        a = c4[k]
        t = a & x
        c4[k] = a ^ x
        c5[k] ^= t


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _chunk_counters(row, s, K, n, masks, c0, c1, c2, c3, c4, c5, d):
    """s(f, x) for the 64*K points of words s … s+K-1 as six digit words per data word.

    For each coordinate the "edge differs" bit-vector d is built for the whole chunk, then added:
    i < 6 by a swap inside each word; 6 <= i < 6 + log2(K) inside the chunk (d is symmetric:
    x and x^i share the edge); higher i against the chunk 2**(i-6) words away."""
    for k in range(K):
        c0[k] = 0
        c1[k] = 0
        c2[k] = 0
        c3[k] = 0
        c4[k] = 0
        c5[k] = 0
    us = np.uint64(s)
    uK = np.uint64(K)
    for i in range(min(n, 6)):
        sh = np.uint64(1 << i)
        m = masks[i]
        for k in range(uK):
            v = row[us + k]
            d[k] = v ^ (((v >> sh) & m) | ((v & m) << sh))
        _accumulate(c0, c1, c2, c3, c4, c5, d, K)
    for j in range(n - 6):
        h = np.uint64(1 << j)
        if h < uK:
            for g in range(np.uint64(0), uK, np.uint64(2) * h):
                for t in range(g, g + h):
                    e = row[us + t] ^ row[us + t + h]
                    d[t] = e
                    d[t + h] = e
        else:
            p = us ^ h
            for k in range(uK):
                d[k] = row[us + k] ^ row[p + k]
        _accumulate(c0, c1, c2, c3, c4, c5, d, K)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _sensitivity_rows(w, n, masks, chunk_bits, mx, tot):
    B, W = w.shape
    K = min(W, 1 << chunk_bits)
    c0 = np.empty(K, np.uint64)
    c1 = np.empty(K, np.uint64)
    c2 = np.empty(K, np.uint64)
    c3 = np.empty(K, np.uint64)
    c4 = np.empty(K, np.uint64)
    c5 = np.empty(K, np.uint64)
    d = np.empty(K, np.uint64)
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    valid = full if n >= 6 else (np.uint64(1) << np.uint64(1 << n)) - np.uint64(1)
    for b in range(B):
        row = w[b]
        best = 0
        total = np.uint64(0)
        for s in range(0, W, K):
            _chunk_counters(row, s, K, n, masks, c0, c1, c2, c3, c4, c5, d)
            for k in range(np.uint64(K)):
                total += (
                    _popcount(c0[k])
                    + (_popcount(c1[k]) << np.uint64(1))
                    + (_popcount(c2[k]) << np.uint64(2))
                    + (_popcount(c3[k]) << np.uint64(3))
                    + (_popcount(c4[k]) << np.uint64(4))
                    + (_popcount(c5[k]) << np.uint64(5))
                )
            for k in range(K):
                # largest counter among the 64 points of word k, binary digits from the top
                cand = valid
                m = 0
                hit = cand & c5[k]
                if hit:
                    cand = hit
                    m |= 32
                hit = cand & c4[k]
                if hit:
                    cand = hit
                    m |= 16
                hit = cand & c3[k]
                if hit:
                    cand = hit
                    m |= 8
                hit = cand & c2[k]
                if hit:
                    cand = hit
                    m |= 4
                hit = cand & c1[k]
                if hit:
                    cand = hit
                    m |= 2
                if cand & c0[k]:
                    m |= 1
                if m > best:
                    best = m
        mx[b] = best
        tot[b] = total


def sensitivity_stats(w: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(max_x s(f, x), sum_x s(f, x)) per row, int64, without storing s(f, x)."""
    mx = np.zeros(w.shape[0], dtype=np.int64)
    tot = np.zeros(w.shape[0], dtype=np.int64)
    _sensitivity_rows(w, n, _LOW_MASKS, _SENS_CHUNK_BITS, mx, tot)
    return mx, tot


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _pointwise_rows(w, n, masks, spread, chunk_bits, out):
    B, W = w.shape
    K = min(W, 1 << chunk_bits)
    c0 = np.empty(K, np.uint64)
    c1 = np.empty(K, np.uint64)
    c2 = np.empty(K, np.uint64)
    c3 = np.empty(K, np.uint64)
    c4 = np.empty(K, np.uint64)
    c5 = np.empty(K, np.uint64)
    d = np.empty(K, np.uint64)
    byte = np.uint64(255)
    for b in range(B):
        row = w[b]
        o = out[b]
        for s in range(0, W, K):
            _chunk_counters(row, s, K, n, masks, c0, c1, c2, c3, c4, c5, d)
            for k in range(np.uint64(K)):
                base = np.uint64(8) * (np.uint64(s) + k)
                for q in range(np.uint64(8)):
                    sq = np.uint64(8) * q
                    o[base + q] = (
                        spread[(c0[k] >> sq) & byte]
                        | (spread[(c1[k] >> sq) & byte] << np.uint64(1))
                        | (spread[(c2[k] >> sq) & byte] << np.uint64(2))
                        | (spread[(c3[k] >> sq) & byte] << np.uint64(3))
                        | (spread[(c4[k] >> sq) & byte] << np.uint64(4))
                        | (spread[(c5[k] >> sq) & byte] << np.uint64(5))
                    )


def pointwise_sensitivity(w: np.ndarray, n: int) -> np.ndarray:
    """(B, 2**n) uint8: s(f, x) = #{i : f(x) != f(x^i)} for every x."""
    W = w.shape[1]
    out = np.empty((w.shape[0], 8 * W), dtype=np.uint64)  # 64 bytes per word
    _pointwise_rows(w, n, _LOW_MASKS, _SPREAD, _SENS_CHUNK_BITS, out)
    table = out.view(np.uint8)
    return table if n >= 6 else np.ascontiguousarray(table[:, : 1 << n])
