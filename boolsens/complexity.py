r"""Block sensitivity, certificate complexity and decision-tree depth, computed exactly.

Conventions: see :mod:`boolsens` (bit i of the index is coordinate i, True = −1). Boolean only:
a table with an entry other than ±1 raises :class:`~boolsens.BoolsensError`. Definitions
(``x^{⊕B}`` is x with every coordinate of the block B flipped):

* block sensitivity :math:`bs(f,x)` = the largest number of pairwise disjoint blocks
  :math:`B_1,\dots,B_k \subseteq [n]` with :math:`f(x^{\oplus B_j}) \neq f(x)`;
  :math:`bs(f) = \max_x bs(f,x)`;
* certificate complexity :math:`C(f,x)` = the smallest :math:`|S|` such that f is constant on the
  subcube :math:`\{y : y_S = x_S\}`; :math:`C(f) = \max_x C(f,x)`;
* decision-tree depth :math:`D(f)` = the least depth of a deterministic decision tree computing f
  (0 for a constant).

They satisfy :math:`s \le bs \le C \le D`, :math:`C \le s\,bs` and :math:`D \le C\,bs`.

Algorithms
----------
A *subcube* is a word over {0, 1, *} of length n, stored as the base-3 integer
:math:`\sum_i d_i 3^i` with digit :math:`d_i` = 0 (coordinate i fixed to bit 0), 1 (fixed to
bit 1) or 2 (free); a point x is the subcube whose digits are its bits.

* **D**: one ascending pass over the :math:`3^n` subcubes. A subcube is constant iff its two halves
  along any free coordinate are constant with the same value; otherwise
  :math:`D(c) = \min_{i \text{ free}} 1 + \max(D(c_{i=0}), D(c_{i=1}))`. Time
  :math:`O(n\,3^n)`, memory :math:`3^n` bytes (one int8 per subcube).
* **C**: the constancy of every subcube (:math:`O(n\,3^n)`), then a superset-minimum transform over
  the free digits gives, for every subcube, the least codimension of a constant subcube containing
  it; at the points that is :math:`C(f,x)`. Time :math:`O(n\,3^n)`, memory :math:`3^n` bytes.
* **bs**: the coordinates sensitive at x are blocks of every maximum packing (a minimal sensitive
  block containing a sensitive coordinate i is {i}), so
  :math:`bs(f,x) = s(f,x) + P_x` where :math:`P_x` is the largest packing of minimal sensitive
  blocks inside the r insensitive coordinates R (those blocks have size >= 2). The minimal blocks
  come from a bit-packed subset-OR transform over the :math:`2^r` blocks :math:`B \subseteq R`
  (:math:`O(2^r)` table reads and :math:`O(r\,2^r/64)` word operations per x); :math:`P_x` from a
  depth-first search (the least available coordinate is covered by one of its blocks or left out)
  cut by the bound "available coordinates / smallest block size", stopped at the upper bound
  :math:`\min(C(f,x), s(f,x) + \lfloor r/2 \rfloor)` and memoised on the set of available
  coordinates (at most :math:`2^r` expansions). For ``bs(f)`` the points are visited in
  decreasing order of that upper bound, starting from the lower bound s(f), and the scan stops once
  no remaining bound beats the best value found: bs then costs about one C pass. ``pointwise``
  visits every point: :math:`O(4^n)` table reads in the worst case (r = n everywhere).

Measured on a shared 2-core machine (``bench/bench_complexity.py``): at n = 12 each of bs, C, D
takes about 0.1 s or less; at n = 14 bs and C about 0.2 s, D 0.1–1 s, pointwise bs 0.3–3 s.

The :math:`3^n` table is the memory limit: 4.8 MB at n = 14, 43 MB at n = 16, 387 MB at n = 18.
Memory is checked before allocating and n is capped at :data:`MAX_SUBCUBE_N` = 20.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np

from ._errors import BoolsensError
from ._progress import progress
from ._tables import boolean_2d, squeeze, torch_out
from ._validation import check_memory, format_bytes

__all__ = ["block_sensitivity", "certificate_complexity", "decision_tree_depth"]

#: Largest n accepted by the exact algorithms (a 3**20 table is 3.5 GB; the time is n·3**n).
MAX_SUBCUBE_N = 20

# Work (in units of 3**n cells) handled by one compiled call on a batch, so small functions are
# processed many at a time and large ones one at a time with a progress bar between them.
_CHUNK_CELLS = 1 << 22

_INF = 127  # "no constant subcube found yet" in the int8 certificate table

# _LOW_MASKS[k]: the bit positions p < 64 with bit k of p clear (for the in-word subset transform)
_LOW_MASKS = np.array(
    [sum(1 << p for p in range(64) if not (p >> k) & 1) for k in range(6)], dtype=np.uint64
)


# --------------------------------------------------------------------------------------------
# compiled kernels
# --------------------------------------------------------------------------------------------


@nb.njit(cache=True, nogil=True)
def _powers3(n):
    p = np.empty(n + 1, dtype=np.int64)
    p[0] = 1
    for i in range(n):
        p[i + 1] = 3 * p[i]
    return p


@nb.njit(cache=True, nogil=True)
def _point_cells(n):
    """Base-3 index of every point x (digit i = bit i of x): t(x) = 3 t(x >> 1) + (x & 1)."""
    N = 1 << n
    t = np.zeros(N, dtype=np.int64)
    for x in range(1, N):
        t[x] = 3 * t[x >> 1] + (x & 1)
    return t


@nb.njit(cache=True, inline="always")
def _lowbit_index(v):
    """Index of the least set bit of v > 0."""
    k = 0
    while not (v >> k) & 1:
        k += 1
    return k


@nb.njit(cache=True, nogil=True)
def _depth_cells(row, n, code, p, digits, c0, c1):
    """Decision-tree depth of the subcubes c0 <= c < c1 of one ±1 row, in ascending order (every
    smaller subcube done already). ``digits`` holds the base-3 digits of c0 and is advanced.
    ``code`` (int8, 3**n): −1 / −2 for a subcube on which f is constant +1 / −1, else its depth."""
    freemask = 0  # coordinates with digit 2
    x = 0  # coordinates with digit 1 (the point when no digit is free)
    for i in range(n):
        if digits[i] == 2:
            freemask |= 1 << i
        elif digits[i] == 1:
            x |= 1 << i
    for c in range(c0, c1):
        if freemask == 0:
            code[c] = -1 if row[x] == 1 else -2
        else:
            i0 = _lowbit_index(freemask)
            q = p[i0]
            a = code[c - 2 * q]
            b = code[c - q]
            if a < 0 and a == b:
                code[c] = a
            else:
                best = 127
                rest = freemask
                i = i0
                while rest:
                    if (rest >> i) & 1:
                        rest ^= 1 << i
                        q = p[i]
                        a = max(code[c - 2 * q], 0)
                        b = max(code[c - q], 0)
                        best = min(best, 1 + max(a, b))
                        if best == 1:
                            break
                    i += 1
                code[c] = best
        # increment the base-3 counter (digits has a spare top digit for the last increment)
        i = 0
        while i < n and digits[i] == 2:
            digits[i] = 0
            freemask ^= 1 << i
            i += 1
        digits[i] += 1
        if i < n:
            if digits[i] == 1:
                x |= 1 << i
            else:
                x ^= 1 << i
                freemask |= 1 << i


@nb.njit(cache=True, nogil=True)
def _depth_rows(s, n, out, b0, b1, code):
    p = _powers3(n)
    digits = np.zeros(n + 1, dtype=np.int64)
    for b in range(b0, b1):
        digits[:] = 0
        _depth_cells(s[b], n, code, p, digits, 0, p[n])
        v = code[p[n] - 1]
        out[b] = 0 if v < 0 else v


@nb.njit(cache=True, nogil=True)
def _certificate_step(row, n, g, p, tpt, cx, step):
    """Step ``step`` (0 ... 2n+2) of the certificate computation of one row; ``g`` (int8, 3**n)
    is scratch and ``cx`` (uint8, 2**n) receives C(f, x) at the last step.

    0: the points; 1 ... n: constancy, layer i = step−1 filling the cells with digit i free
    (g = ±1 on a constant subcube, else 0); n+1: codimension of the constant cells, _INF
    elsewhere; n+2 ... 2n+1: superset minimum over digit step−n−2 (each cell takes the least value
    of the cells that free some of its digits); 2n+2: read C(f, x) at the points."""
    N3 = p[n]
    if step == 0:
        for x in range(1 << n):
            g[tpt[x]] = row[x]
    elif step <= n:
        q = p[step - 1]
        for hi in range(0, N3, 3 * q):
            for lo in range(q):
                a = g[hi + lo]
                g[hi + 2 * q + lo] = a if a == g[hi + q + lo] else 0
    elif step == n + 1:
        digits = np.zeros(n + 1, dtype=np.int64)
        fixed = n
        for c in range(N3):
            g[c] = fixed if g[c] != 0 else _INF
            i = 0
            while i < n and digits[i] == 2:
                digits[i] = 0
                fixed += 1
                i += 1
            if i < n:
                digits[i] += 1
                if digits[i] == 2:
                    fixed -= 1
    elif step <= 2 * n + 1:
        q = p[step - n - 2]
        for hi in range(0, N3, 3 * q):
            for lo in range(q):
                up = g[hi + 2 * q + lo]
                if g[hi + lo] > up:
                    g[hi + lo] = up
                if g[hi + q + lo] > up:
                    g[hi + q + lo] = up
    else:
        for x in range(1 << n):
            cx[x] = g[tpt[x]]


@nb.njit(cache=True, nogil=True)
def _certificate_rows(s, n, out, b0, b1, g):
    """out[b] = C(f_b, ·) as a (B, 2**n) uint8 table."""
    p = _powers3(n)
    tpt = _point_cells(n)
    for b in range(b0, b1):
        for step in range(2 * n + 3):
            _certificate_step(s[b], n, g, p, tpt, out[b], step)


@nb.njit(cache=True, inline="always")
def _popcount(v):
    c = 0
    while v:
        v &= v - 1
        c += 1
    return c


@nb.njit(cache=True, nogil=True)
def _minimal_blocks(row, x, pos, r, down, dep, tmp, blocks, starts):
    """Minimal sensitive blocks at x inside R (r coordinates listed in ``pos``), as compressed
    bitmasks over those r coordinates, bucketed by least element (``starts``) and sorted by size
    inside each bucket. Returns their number. ``down[j]``: some subset of j is sensitive;
    ``dep[j]``: the block j as a mask over all n coordinates."""
    M = 1 << r
    W = (M + 63) >> 6
    v = row[x]
    dep[0] = 0
    for w in range(W):
        down[w] = 0
    nsens = 0
    for j in range(1, M):
        low = j & (-j)
        dep[j] = dep[j ^ low] | (1 << pos[_lowbit_index(low)])
        if row[x ^ dep[j]] != v:
            down[j >> 6] |= np.uint64(1) << np.uint64(j & 63)
            tmp[nsens] = j
            nsens += 1
    # subset-OR transform on the bit-packed table: bit j of down = some subset of j is sensitive
    for k in range(min(r, 6)):
        h = np.uint64(1 << k)
        m = _LOW_MASKS[k]
        for w in range(W):
            down[w] |= (down[w] & m) << h
    for k in range(6, r):
        h = 1 << (k - 6)
        for base in range(0, W, 2 * h):
            for w in range(base + h, base + 2 * h):
                down[w] |= down[w - h]
    # a sensitive j is minimal iff no j minus one element has a sensitive subset
    nblocks = 0
    for t in range(nsens):
        j = tmp[t]
        rest = j
        minimal = True
        while rest:
            low = rest & (-rest)
            rest ^= low
            i = j ^ low
            if (down[i >> 6] >> np.uint64(i & 63)) & np.uint64(1):
                minimal = False
                break
        if minimal:
            tmp[nblocks] = j
            nblocks += 1
    # stable counting sort by size, then by least element
    for k in range(r + 2):
        starts[k] = 0
    for t in range(nblocks):
        starts[_popcount(tmp[t])] += 1
    acc = 0
    for k in range(r + 1):
        c = starts[k]
        starts[k] = acc
        acc += c
    for t in range(nblocks):
        j = tmp[t]
        c = _popcount(j)
        blocks[starts[c]] = j
        starts[c] += 1
    for k in range(r + 2):
        starts[k] = 0
    for t in range(nblocks):
        starts[_lowbit_index(blocks[t]) + 1] += 1
    for k in range(r):
        starts[k + 1] += starts[k]
    for t in range(nblocks):
        tmp[t] = blocks[t]
    fill = starts.copy()
    for t in range(nblocks):
        j = tmp[t]
        k = _lowbit_index(j)
        blocks[fill[k]] = j
        fill[k] += 1
    return nblocks


@nb.njit(cache=True, nogil=True)
def _pack(blocks, starts, nblocks, r, floor, target, stU, stC, stT, seen):
    """Largest number of disjoint blocks (all of size >= 2) when it exceeds ``floor``, else
    ``floor``; stops as soon as ``target`` (an upper bound) is reached. Depth-first search: the
    least available element is covered by one of its blocks or left out. A branch is cut when
    even covering every available element with blocks of the smallest size could not beat the
    best packing found, or when the same set of available elements was already reached with at
    least as many blocks (``seen``, int8 of length 2**r: at most 2**r expansions)."""
    if nblocks == 0:
        return floor
    cover = 0
    smallest = r
    for t in range(nblocks):
        cover |= blocks[t]
        c = _popcount(blocks[t])
        if c < smallest:
            smallest = c
    for U in range(1 << r):
        seen[U] = -1
    best = floor
    sp = 0
    stU[0] = cover
    stC[0] = 0
    stT[0] = -1
    while sp >= 0:
        U = stU[sp]
        cnt = stC[sp]
        t = stT[sp]
        if t == -1:
            if cnt > best:
                best = cnt
                if best >= target:
                    return best
            if U == 0 or cnt + _popcount(U) // smallest <= best or seen[U] >= cnt:
                sp -= 1
                continue
            seen[U] = cnt
            t = starts[_lowbit_index(U)]
        u = _lowbit_index(U)
        end = starts[u + 1]
        while t < end and (blocks[t] & U) != blocks[t]:
            t += 1
        if t < end:
            stT[sp] = t + 1
            sp += 1
            stU[sp] = U ^ blocks[t]
            stC[sp] = cnt + 1
            stT[sp] = -1
        elif t == end:
            stT[sp] = end + 1
            sp += 1
            stU[sp] = U ^ (U & (-U))
            stC[sp] = cnt
            stT[sp] = -1
        else:
            sp -= 1
    return best


@nb.njit(cache=True, nogil=True)
def _block_sensitivity_one(row, n, cx, pointwise, out_x):
    """bs(f) for one row; with ``pointwise`` also bs(f, x) for every x into ``out_x``.

    ``cx`` holds C(f, x), an upper bound on bs(f, x)."""
    N = 1 << n
    down = np.empty((N + 63) >> 6, dtype=np.uint64)
    dep = np.empty(N, dtype=np.int64)
    tmp = np.empty(N, dtype=np.int64)
    blocks = np.empty(N, dtype=np.int64)
    starts = np.zeros(n + 2, dtype=np.int64)
    pos = np.empty(n, dtype=np.int64)
    stU = np.empty(n + 2, dtype=np.int64)
    stC = np.empty(n + 2, dtype=np.int64)
    stT = np.empty(n + 2, dtype=np.int64)
    seen = np.empty(N, dtype=np.int8)
    sx = np.empty(N, dtype=np.int64)
    Rx = np.empty(N, dtype=np.int64)
    ub = np.empty(N, dtype=np.int64)
    best = 0
    for x in range(N):
        v = row[x]
        S = 0
        for i in range(n):
            if row[x ^ (1 << i)] != v:
                S |= 1 << i
        c = _popcount(S)
        sx[x] = c
        Rx[x] = (N - 1) ^ S
        # bs(f,x) <= C(f,x), and the blocks inside R have size >= 2
        ub[x] = min(cx[x], c + (n - c) // 2)
        if c > best:
            best = c
    if pointwise:
        order = np.arange(N)
    else:
        order = np.argsort(-ub, kind="mergesort")
    for t in range(N):
        x = order[t]
        val = sx[x]
        if ub[x] > (val if pointwise else best):
            R = Rx[x]
            r = 0
            for i in range(n):
                if (R >> i) & 1:
                    pos[r] = i
                    r += 1
            nb_ = _minimal_blocks(row, x, pos, r, down, dep, tmp, blocks, starts)
            floor = 0 if pointwise else best - val
            val += _pack(blocks, starts, nb_, r, floor, ub[x] - val, stU, stC, stT, seen)
        elif not pointwise:
            break
        if pointwise:
            out_x[x] = val
        if val > best:
            best = val
    return best


@nb.njit(cache=True, nogil=True)
def _block_sensitivity_rows(s, n, cxs, pointwise, out, out_x, b0, b1):
    empty = np.empty(0, dtype=np.uint8)
    for b in range(b0, b1):
        ox = out_x[b] if pointwise else empty
        out[b] = _block_sensitivity_one(s[b], n, cxs[b], pointwise, ox)


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------


def _prepare(f: Any, what: str) -> tuple[np.ndarray, int, tuple[int, ...]]:
    s, n, batch = boolean_2d(f)
    if n > MAX_SUBCUBE_N:
        raise BoolsensError(
            f"{what} is exact over the 3**n subcubes and supports n <= {MAX_SUBCUBE_N}; "
            f"got n={n} (use boolsens.estimate for larger n)"
        )
    return s, n, batch


def _check_pointwise(pointwise: Any) -> bool:
    if not isinstance(pointwise, (bool, np.bool_)):
        raise BoolsensError(f"pointwise={pointwise!r} must be True or False")
    return bool(pointwise)


def _chunks(B: int, n: int, desc: str):
    """Ranges [b0, b1) of rows handled by one compiled call, with a progress bar."""
    per = max(1, _CHUNK_CELLS // 3**n)
    starts = range(0, B, per)
    for b0 in progress(starts, total=len(starts), desc=desc):
        yield b0, min(B, b0 + per)


def _big(n: int) -> bool:
    """Large tables are processed one function at a time in steps, with a progress bar."""
    return 3**n > _CHUNK_CELLS


def _check_cells(n: int, what: str) -> None:
    check_memory(3**n + 9 * (1 << n), what=f"{what} on n={n} (a {format_bytes(3**n)} subcube table)")


def _certificates(s: np.ndarray, n: int, desc: str) -> np.ndarray:
    """(B, 2**n) uint8 table of C(f, x)."""
    B = s.shape[0]
    _check_cells(n, "certificate complexity")
    check_memory(B * (1 << n), what=f"the certificate table of {B} functions on n={n}")
    out = np.empty((B, 1 << n), dtype=np.uint8)
    g = np.empty(3**n, dtype=np.int8)
    if _big(n):
        p, tpt = _powers3(n), _point_cells(n)
        steps = 2 * n + 3
        for k in progress(range(B * steps), desc=desc):
            b, step = divmod(k, steps)
            _certificate_step(s[b], n, g, p, tpt, out[b], step)
    else:
        for b0, b1 in _chunks(B, n, desc):
            _certificate_rows(s, n, out, b0, b1, g)
    return out


def _depths(s: np.ndarray, n: int, desc: str) -> np.ndarray:
    """(B,) int64 decision-tree depths."""
    B = s.shape[0]
    _check_cells(n, "decision_tree_depth")
    out = np.empty(B, dtype=np.int64)
    code = np.empty(3**n, dtype=np.int8)
    if _big(n):
        p = _powers3(n)
        N3 = 3**n
        slices = 64
        digits = np.zeros(n + 1, dtype=np.int64)
        for k in progress(range(B * slices), desc=desc):
            b, j = divmod(k, slices)
            if j == 0:
                digits[:] = 0
            _depth_cells(s[b], n, code, p, digits, N3 * j // slices, N3 * (j + 1) // slices)
            if j == slices - 1:
                out[b] = max(0, int(code[N3 - 1]))
    else:
        for b0, b1 in _chunks(B, n, desc):
            _depth_rows(s, n, out, b0, b1, code)
    return out


@torch_out
def certificate_complexity(f: Any, *, pointwise: bool = False) -> Any:
    r"""Certificate complexity :math:`C(f) = \max_x C(f,x)`, exactly.

    :math:`C(f,x)` is the least :math:`|S|` such that f is constant on
    :math:`\{y : y_S = x_S\}` (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array
    pointwise : bool
        Return :math:`C(f,x)` for every x, shape (..., 2**n), dtype uint8, instead of the maximum.

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: :math:`O(n\,3^n)` time and :math:`3^n` bytes per function (n = 14: 4.8 MB; n <= 20).

    >>> import boolsens as bs
    >>> certificate_complexity(bs.majority(5)), certificate_complexity(bs.address(2))
    (3, 3)
    >>> certificate_complexity(bs.conjunction(2), pointwise=True).tolist()
    [1, 1, 1, 2]
    """
    pointwise = _check_pointwise(pointwise)
    s, n, batch = _prepare(f, "certificate_complexity")
    cx = _certificates(s, n, "certificate complexity")
    if pointwise:
        return cx.reshape(batch + (1 << n,))
    return squeeze(cx.max(axis=1).astype(np.int64), batch)


@torch_out
def decision_tree_depth(f: Any) -> Any:
    r"""Deterministic decision-tree depth :math:`D(f)`, exactly.

    :math:`D(f) = 0` for a constant f, else
    :math:`\min_i 1 + \max(D(f|_{x_i=+1}), D(f|_{x_i=-1}))` (the least depth of a tree querying one
    coordinate per node); computed for every subcube (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: :math:`O(n\,3^n)` time and :math:`3^n` bytes per function (n = 14: 4.8 MB; n <= 20).

    >>> import boolsens as bs
    >>> decision_tree_depth(bs.threshold([2, 1, 1, 1])), decision_tree_depth(bs.tribes(2, 2))
    (4, 4)
    """
    s, n, batch = _prepare(f, "decision_tree_depth")
    return squeeze(_depths(s, n, "decision-tree depth"), batch)


@torch_out
def block_sensitivity(f: Any, *, pointwise: bool = False) -> Any:
    r"""Block sensitivity :math:`bs(f) = \max_x bs(f,x)`, exactly.

    :math:`bs(f,x)` is the largest number of pairwise disjoint blocks :math:`B \subseteq [n]` with
    :math:`f(x^{\oplus B}) \neq f(x)` (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array
    pointwise : bool
        Return :math:`bs(f,x)` for every x, shape (..., 2**n), dtype uint8, instead of the maximum.

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: the certificate pass (:math:`O(n\,3^n)` time, :math:`3^n` bytes) bounds
    :math:`bs(f,x) \le C(f,x)`; then a packing search over the insensitive coordinates runs only
    at points whose bound beats the best value so far (every point when ``pointwise``, up to
    :math:`O(4^n)` table reads: n = 16 takes seconds to tens of seconds). See the module docstring.

    >>> import boolsens as bs
    >>> block_sensitivity(bs.majority(5)), block_sensitivity(bs.address(2))
    (3, 3)
    >>> block_sensitivity(bs.threshold([2, 1, 1, 1]), pointwise=True)[:4].tolist()
    [1, 3, 2, 2]
    """
    pointwise = _check_pointwise(pointwise)
    s, n, batch = _prepare(f, "block_sensitivity")
    cxs = _certificates(s, n, "block sensitivity (certificates)")
    B = s.shape[0]
    check_memory(64 * (1 << n), what=f"block sensitivity scratch on n={n}")
    out = np.empty(B, dtype=np.int64)
    out_x = np.empty((B, 1 << n) if pointwise else (0, 0), dtype=np.uint8)
    for b0, b1 in _chunks(B, n, "block sensitivity"):
        _block_sensitivity_rows(s, n, cxs, pointwise, out, out_x, b0, b1)
    if pointwise:
        return out_x.reshape(batch + (1 << n,))
    return squeeze(out, batch)
