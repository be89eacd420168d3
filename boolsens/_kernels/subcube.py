r"""Exact block sensitivity, certificate complexity and decision-tree depth over the 3**n
subcubes (layer 0 kernels; the algorithms are described in :mod:`boolsens.complexity`).

A subcube is the base-3 integer Σ d_i 3^i with digit d_i = 0 / 1 (coordinate i fixed to bit 0 /
bit 1) or 2 (free). Callers validate the ±1 rows, n and memory first.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import LOW_MASKS as _LOW_MASKS
from .bits import count_ones

#: "no constant subcube found yet" in the int8 certificate table
INF = 127
_INF = INF

@nb.njit(cache=True, nogil=True)
def powers3(n):
    p = np.empty(n + 1, dtype=np.int64)
    p[0] = 1
    for i in range(n):
        p[i + 1] = 3 * p[i]
    return p


@nb.njit(cache=True, nogil=True)
def point_cells(n):
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
def depth_cells(row, n, code, p, digits, c0, c1):
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
def depth_rows(s, n, out, b0, b1, code):
    p = powers3(n)
    digits = np.zeros(n + 1, dtype=np.int64)
    for b in range(b0, b1):
        digits[:] = 0
        depth_cells(s[b], n, code, p, digits, 0, p[n])
        v = code[p[n] - 1]
        out[b] = 0 if v < 0 else v


@nb.njit(cache=True, nogil=True)
def certificate_step(row, n, g, p, tpt, cx, step):
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
def certificate_rows(s, n, out, b0, b1, g):
    """out[b] = C(f_b, ·) as a (B, 2**n) uint8 table."""
    p = powers3(n)
    tpt = point_cells(n)
    for b in range(b0, b1):
        for step in range(2 * n + 3):
            certificate_step(s[b], n, g, p, tpt, out[b], step)


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
        starts[count_ones(tmp[t])] += 1
    acc = 0
    for k in range(r + 1):
        c = starts[k]
        starts[k] = acc
        acc += c
    for t in range(nblocks):
        j = tmp[t]
        c = count_ones(j)
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
        c = count_ones(blocks[t])
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
            if U == 0 or cnt + count_ones(U) // smallest <= best or seen[U] >= cnt:
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
        c = count_ones(S)
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
def block_sensitivity_rows(s, n, cxs, pointwise, out, out_x, b0, b1):
    empty = np.empty(0, dtype=np.uint8)
    for b in range(b0, b1):
        ox = out_x[b] if pointwise else empty
        out[b] = _block_sensitivity_one(s[b], n, cxs[b], pointwise, ox)
