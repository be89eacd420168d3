r"""Bit-packed exact kernels for Boolean functions (internal; callers validate first).

Conventions: see :mod:`boolsens`. A ±1 table of length N = 2**n is packed into
W = max(1, N // 64) little-endian ``uint64`` words: bit ``x % 64`` of word ``x // 64`` is 1 exactly
where f(x) = -1 (True = -1). When n < 6 the single word holds N valid bits and the rest are 0.

With this layout the neighbour of x across coordinate i is

* for i < 6: the bit 2**i places away inside the same word (a shift and a mask),
* for i >= 6: the same bit of the word 2**(i-6) places away.

So Inf_i is a popcount of ``w ^ shift(w)`` (no transform, exact integers), and the pointwise
sensitivity s(f, x) is the sum of the n "edge differs" bit-vectors, accumulated with
bit-sliced (vertical) counters: six words hold the six binary digits of s(f, x) for 64 points at
once (n <= 40 < 64, so six digits suffice).

Cost (per function): packing reads the table once; influences read the packed table
(N/8 bytes) about ``1 + max(0, n - 21)`` times; the sensitivity kernels do O(n) word operations
per 64 points. Extra memory: the packed table, N/8 bytes (512 MiB at n = 32).
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.core import types
from numba.extending import intrinsic

__all__ = [
    "pack_pm1",
    "unpack_signs",
    "influence_counts",
    "sensitivity_stats",
    "pointwise_sensitivity",
    "words_for",
]

#: words per chunk that stay in L2 while the low coordinates are counted (2**15 words = 256 KiB)
_CHUNK_BITS = 15

#: masks of the positions p in a word with bit i of p equal to 0, i = 0..5
_LOW_MASKS = np.array(
    [
        0x5555555555555555,
        0x3333333333333333,
        0x0F0F0F0F0F0F0F0F,
        0x00FF00FF00FF00FF,
        0x0000FFFF0000FFFF,
        0x00000000FFFFFFFF,
    ],
    dtype=np.uint64,
)

#: _SPREAD[b] has byte j equal to bit j of b (turns 8 bit-sliced positions into 8 bytes)
_SPREAD = np.array(
    [sum(((b >> j) & 1) << (8 * j) for j in range(8)) for b in range(256)], dtype=np.uint64
)


@intrinsic
def _popcount(typingctx, x):
    """Hardware popcount of a uint64 (LLVM ctpop)."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


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
    0x01 (+1) or 0xFF (-1); the sign bits are gathered with one multiply per 8 entries."""
    ones = np.uint64(0x0101010101010101)
    signs = np.uint64(0x8080808080808080)
    gather = np.uint64(0x0102040810204080)
    B = s8.shape[0]
    for b in range(B):
        row = s8[b]
        for k in range(out.shape[1]):
            word = np.uint64(0)
            for j in range(8):
                v = row[8 * k + j]
                neg = (v & signs) >> np.uint64(7)  # 1 in each byte that is -1
                if v != neg * np.uint64(0xFE) + ones:
                    return False
                word |= ((neg * gather) >> np.uint64(56)) << np.uint64(8 * j)
            out[b, k] = word
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
            for k in range(W):
                v = row[k]
                c += _popcount((v ^ (v >> sh)) & m)
            out[b, i] = c
        # coordinates 6 .. 6+cb-1: partners inside an L2-sized chunk of C words
        for i in range(6, 6 + cb):
            out[b, i] = 0
        for s in range(0, W, C):
            for j in range(cb):
                d = 1 << j
                c = np.uint64(0)
                for g in range(s, s + C, 2 * d):
                    for k in range(g, g + d):
                        c += _popcount(row[k] ^ row[k + d])
                out[b, 6 + j] += c
        # higher coordinates: two streams over the table
        for j in range(cb, wb):
            d = 1 << j
            c = np.uint64(0)
            for g in range(0, W, 2 * d):
                for k in range(g, g + d):
                    c += _popcount(row[k] ^ row[k + d])
            out[b, 6 + j] = c


def influence_counts(w: np.ndarray, n: int) -> np.ndarray:
    """(B, n) int64: number of edges {x, x^i} on which the function differs, per coordinate i."""
    out = np.zeros((w.shape[0], n), dtype=np.int64)
    _influence_rows(w, n, _LOW_MASKS, _CHUNK_BITS, out)
    return out


# ------------------------------------------------------------------------- sensitivity
@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _acc(c0, c1, c2, c3, c4, c5, d):
    """Add the 0/1 bit-vector d into the bit-sliced counter (c0 = lowest binary digit)."""
    t = c0 & d
    c0 ^= d
    d = t
    t = c1 & d
    c1 ^= d
    d = t
    t = c2 & d
    c2 ^= d
    d = t
    t = c3 & d
    c3 ^= d
    d = t
    t = c4 & d
    c4 ^= d
    c5 ^= t
    return c0, c1, c2, c3, c4, c5


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _counters(row, k, n, masks):
    """Bit-sliced s(f, x) for the 64 points of word k: six words of binary digits."""
    z = np.uint64(0)
    c0 = z
    c1 = z
    c2 = z
    c3 = z
    c4 = z
    c5 = z
    v = row[k]
    for i in range(min(n, 6)):
        sh = np.uint64(1 << i)
        m = masks[i]
        d = v ^ (((v >> sh) & m) | ((v & m) << sh))
        c0, c1, c2, c3, c4, c5 = _acc(c0, c1, c2, c3, c4, c5, d)
    for j in range(n - 6):
        c0, c1, c2, c3, c4, c5 = _acc(c0, c1, c2, c3, c4, c5, v ^ row[k ^ (1 << j)])
    return c0, c1, c2, c3, c4, c5


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _sensitivity_rows(w, n, masks, mx, tot):
    B, W = w.shape
    full = np.uint64(0xFFFFFFFFFFFFFFFF)
    valid = full if n >= 6 else (np.uint64(1) << np.uint64(1 << n)) - np.uint64(1)
    for b in range(B):
        row = w[b]
        best = 0
        total = np.uint64(0)
        for k in range(W):
            c0, c1, c2, c3, c4, c5 = _counters(row, k, n, masks)
            total += (
                _popcount(c0)
                + (_popcount(c1) << np.uint64(1))
                + (_popcount(c2) << np.uint64(2))
                + (_popcount(c3) << np.uint64(3))
                + (_popcount(c4) << np.uint64(4))
                + (_popcount(c5) << np.uint64(5))
            )
            # largest counter among the 64 points, binary digits from the top
            cand = valid
            m = 0
            hit = cand & c5
            if hit:
                cand = hit
                m |= 32
            hit = cand & c4
            if hit:
                cand = hit
                m |= 16
            hit = cand & c3
            if hit:
                cand = hit
                m |= 8
            hit = cand & c2
            if hit:
                cand = hit
                m |= 4
            hit = cand & c1
            if hit:
                cand = hit
                m |= 2
            if cand & c0:
                m |= 1
            if m > best:
                best = m
        mx[b] = best
        tot[b] = total


def sensitivity_stats(w: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(max_x s(f, x), sum_x s(f, x)) per row, int64, without storing s(f, x)."""
    mx = np.zeros(w.shape[0], dtype=np.int64)
    tot = np.zeros(w.shape[0], dtype=np.int64)
    _sensitivity_rows(w, n, _LOW_MASKS, mx, tot)
    return mx, tot


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _pointwise_rows(w, n, masks, spread, out):
    B, W = w.shape
    for b in range(B):
        row = w[b]
        o = out[b]
        for k in range(W):
            c0, c1, c2, c3, c4, c5 = _counters(row, k, n, masks)
            for q in range(8):
                sq = np.uint64(8 * q)
                byte = np.uint64(255)
                o[8 * k + q] = (
                    spread[(c0 >> sq) & byte]
                    | (spread[(c1 >> sq) & byte] << np.uint64(1))
                    | (spread[(c2 >> sq) & byte] << np.uint64(2))
                    | (spread[(c3 >> sq) & byte] << np.uint64(3))
                    | (spread[(c4 >> sq) & byte] << np.uint64(4))
                    | (spread[(c5 >> sq) & byte] << np.uint64(5))
                )


def pointwise_sensitivity(w: np.ndarray, n: int) -> np.ndarray:
    """(B, 2**n) uint8: s(f, x) = #{i : f(x) != f(x^i)} for every x."""
    W = w.shape[1]
    out = np.empty((w.shape[0], 8 * W), dtype=np.uint64)  # 64 bytes per word
    _pointwise_rows(w, n, _LOW_MASKS, _SPREAD, out)
    table = out.view(np.uint8)
    return table if n >= 6 else np.ascontiguousarray(table[:, : 1 << n])


# ------------------------------------------------------------------------------ entry
def pack_boolean(f, *, strict: bool, name: str = "f"):
    """(words, n, batch shape) for a BooleanFunction or a ±1 numpy table, packing in one read.

    A table with an entry other than ±1 gives None when ``strict`` is False (the caller takes
    its real-valued path) and the standard "must contain only +1 and -1" error when it is True.
    Torch tensors: None when not strict (real path, as before), else converted like
    ``_tables.boolean_2d``. Memory: the packed words, N/8 bytes per function, checked first; a
    BooleanFunction keeps its packed table in its cache (like its Walsh spectrum).
    """
    from ._tables import boolean_2d
    from ._validation import as_table, check_memory, is_torch
    from .function import BooleanFunction

    if isinstance(f, BooleanFunction):
        n = f.n

        def compute():
            check_memory(8 * words_for(n), what=f"packed table for n={n}")
            w = pack_pm1(f.signs.reshape(1, -1), n)
            w.setflags(write=False)
            return w

        # cached on the (immutable) function like its Walsh spectrum: N/8 bytes
        return f._cached("packed", compute), n, ()
    arr, n = as_table(f, name=name)
    if is_torch(arr):
        if not strict:
            return None
        s, n, batch = boolean_2d(f, name=name)
        return pack_pm1(s, n), n, batch
    arr = np.asarray(arr)
    batch = tuple(arr.shape[:-1])
    rows = int(np.prod(batch, dtype=np.int64)) if batch else 1
    check_memory(8 * rows * words_for(n), what=f"packed table for n={n} (batch {rows})")
    s = np.ascontiguousarray(arr.reshape(rows, 1 << n))
    w = pack_pm1(s, n)
    if w is None:
        if strict:
            boolean_2d(f, name=name)  # raises the standard "only +1 and -1" error
            raise AssertionError("pack_pm1 and boolean_2d disagree on a ±1 table")  # unreachable
        return None
    return w, n, batch
