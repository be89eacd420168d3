r"""Bit-sliced kernels over whole truth tables held in one machine word (layer 0; the census).

A function on n <= 6 variables is one ``uint64`` *table*: bit x is f(x) with True = 1 (so
True = −1 in the sign convention of :mod:`boolsens`); for n < 6 only the low 2**n bits are used
and the rest are 0. Callers validate n, the tables and the memory first; the precomputed
constants (the walk over the hyperoctahedral group, the up-sets with their packing numbers) come
from the plain-Python builders at the end of this module and are passed in as arrays.

The symmetries act on a table with a few word operations:

* negating coordinate i, g(x) = f(x ⊕ e_i), exchanges the bits 2**i apart whose index has bit i
  clear (a shift-and-mask swap, :func:`negate`);
* exchanging coordinates i and i+1 moves the bits whose index has bit i set and bit i+1 clear up
  by 2**i and the partners down (a delta swap, :func:`swap_adjacent`);
* negating the output is ``g ^ full``.

The walk (:func:`walk`) visits every input transform x ↦ π(x) ⊕ m exactly once, one word
operation per step: the 2**n negation masks in Gray-code order (which returns to m = 0) for each
of the n! permutations in Steinhaus–Johnson–Trotter order (one adjacent exchange between them).

The measure kernel (:func:`measure_tables`) evaluates, per table and with
word operations only, for n <= 5:

* the sensitivity s(f) and the number of sensitive edges (the edge-differs words
  d_i = t ^ negate(t, i) are added into 3-bit bit-sliced counters, one per point);
* the exact Walsh coefficients 2**n f̂(S) = 2**n − 2·popcount(t ^ χ_S) (χ_S the table of the
  character), hence the level sums Σ_{|S|=k} (2**n f̂(S))², the degree and Σ_x f(x);
* the certificate complexity and decision-tree depth over the 3**n subcubes, bit-sliced: for a
  set F of free coordinates one word marks the subcubes (by their point with the F bits clear) on
  which f is constant, or whose depth is at most d;
* the block sensitivity: at each point x the sensitive blocks form the family
  {B : f(x ⊕ B) ≠ f(x)}, one word; its largest disjoint packing depends only on its up-closure
  (five shift-or steps), looked up among the 7581 up-sets on five coordinates (binary search);
* shortcuts: s(f) = n gives bs = C = D = n (s <= bs <= C <= D <= n), f̂([n]) ≠ 0 (one popcount)
  gives deg = D = n, and bs is searched only when s < C.

:func:`class_scan` runs the walk with an early exit on each candidate of some ranges of tables: a
table survives only if it is the least of its NPN class, and then the walk has counted its
stabiliser.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from .bits import LOW_MASKS as _LOW_MASKS
from .bits import popcount as _popcount
from .census_flags import (MAX_CANONICAL_N, MAX_MEASURE_N, WANT_BLOCK, WANT_CERTIFICATE, WANT_DEPTH,
                           WANT_SENSITIVITY, WANT_SPECTRUM)

__all__ = [
    "MAX_CANONICAL_N", "MAX_MEASURE_N", "WANT_SENSITIVITY", "WANT_SPECTRUM", "WANT_CERTIFICATE",
    "WANT_DEPTH", "WANT_BLOCK", "negate", "swap_adjacent", "walk", "class_scan", "canonical_tables",
    "measure_tables", "tables_to_signs", "signs_to_tables", "walk_steps",
    "character_tables", "subcube_masks", "up_sets",
]

#: SWAP_MASKS[i] has bit p set exactly when bit i of p is 1 and bit i+1 is 0 (i = 0..4)
SWAP_MASKS = np.array(
    [sum(1 << p for p in range(64) if (p >> i) & 1 and not (p >> (i + 1)) & 1) for i in range(5)],
    dtype=np.uint64,
)


# ------------------------------------------------------------------------------ the group
@nb.njit(cache=True, nogil=True, inline="always")
def negate(g, i):
    """The table of x ↦ g(x ⊕ e_i) (i < 0: g unchanged, for the walk at n = 0)."""
    if i < 0:
        return g
    s = np.uint64(1) << np.uint64(i)
    m = _LOW_MASKS[i]
    return ((g >> s) & m) | ((g & m) << s)


@nb.njit(cache=True, nogil=True, inline="always")
def swap_adjacent(g, i):
    """The table of g with coordinates i and i+1 exchanged (i < 0: g unchanged)."""
    if i < 0:
        return g
    d = np.uint64(1) << np.uint64(i)
    m = SWAP_MASKS[i]
    return (g & ~(m | (m << d))) | ((g & m) << d) | ((g >> d) & m)


@nb.njit(cache=True, nogil=True)
def walk(t, perms, gray, full, early):
    """Walk the input transforms of the table t (every x ↦ π(x) ⊕ m once).

    Returns ``(least, same, comp, least_comp)``: the least image g (``early``: stop, returning
    least < t, as soon as an image or its complement is below t), the number of transforms with
    g == t and with g == t ^ full, and the least complement g ^ full.
    """
    g = t
    least = t
    least_comp = full
    same = 0
    comp = 0
    for p in range(perms.shape[0]):
        for k in range(gray.shape[0]):
            g = negate(g, gray[k])
            c = g ^ full
            if early and (g < t or c < t):
                return min(g, c), same, comp, least_comp
            if g < least:
                least = g
            if c < least_comp:
                least_comp = c
            if g == t:
                same += 1
            if c == t:
                comp += 1
        g = swap_adjacent(g, perms[p])
    return least, same, comp, least_comp


@nb.njit(cache=True, nogil=True, parallel=True)
def class_scan(starts, size, perms, gray, full, same, comp, least_comp):
    """For the candidate tables t = starts[j // size] + j % size, j < len(same): ``same[j]`` = the
    number of input transforms fixing t when t is the least table of its NPN class, else 0; then
    ``comp[j]`` = the number mapping t to its complement and ``least_comp[j]`` = the least
    complement over the NP orbit.

    Work is shared among threads in interleaved stripes (the least tables of classes, which cost a
    full walk, cluster together)."""
    J = same.shape[0]
    stripes = 256
    for r in nb.prange(stripes):
        for j in range(r, J, stripes):
            t = np.uint64(starts[j // size] + j % size)
            least, a, b, lc = walk(t, perms, gray, full, True)
            if least < t:
                same[j] = 0
                comp[j] = 0
                least_comp[j] = 0
            else:
                same[j] = a
                comp[j] = b
                least_comp[j] = lc


@nb.njit(cache=True, nogil=True, parallel=True)
def canonical_tables(tables, perms, gray, full, with_output, out):
    """out[j] = the least table in the orbit of tables[j]: the NPN orbit (images and their
    complements) when ``with_output``, else the NP orbit (images only)."""
    for j in nb.prange(tables.shape[0]):
        least, _, _, least_comp = walk(np.uint64(tables[j]), perms, gray, full, False)
        out[j] = min(least, least_comp) if with_output else least


# --------------------------------------------------------------------------- the measures
@nb.njit(cache=True, nogil=True, inline="always")
def _sensitivity(t, n, valid):
    """(s(f), number of sensitive edges)."""
    c0 = np.uint64(0)
    c1 = np.uint64(0)
    c2 = np.uint64(0)
    twice = np.uint64(0)
    for i in range(n):
        d = t ^ negate(t, i)
        twice += _popcount(d)
        carry = c0 & d
        c0 ^= d
        d = carry
        carry = c1 & d
        c1 ^= d
        c2 |= carry
    cand = valid
    m = 0
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
    return m, twice >> np.uint64(1)


@nb.njit(cache=True, nogil=True, inline="always")
def _spectrum(t, n, chars, bounds, lev_out):
    """Fill lev_out[0..n] with the level sums; return (degree, Σ_x f(x)). ``chars`` lists the
    character tables by level, level k at chars[bounds[k]:bounds[k+1]]."""
    N = np.int64(1) << n
    deg = 0
    for k in range(n + 1):
        acc = np.int64(0)
        for q in range(bounds[k], bounds[k + 1]):
            w = N - 2 * np.int64(_popcount(t ^ chars[q]))
            acc += w * w
        lev_out[k] = acc
        if acc:
            deg = k
    return deg, N - 2 * np.int64(_popcount(t))


@nb.njit(cache=True, nogil=True, inline="always")
def _constant_cells(t, n, valid, free_low, const):
    """const[F] = word of the subcubes with free set F on which f is constant, each marked at its
    point with the F bits clear; F in increasing order (F minus its least element comes first)."""
    N = 1 << n
    z = valid ^ t
    o = t
    const[0] = z | o
    # the all-0 and all-1 words are carried separately in const[N + F] and const[2N + F]
    const[N] = z
    const[2 * N] = o
    for F in range(1, N):
        i = free_low[F]
        G = F ^ (1 << i)
        s = np.uint64(1) << np.uint64(i)
        m = _LOW_MASKS[i]
        a = const[N + G]
        b = const[2 * N + G]
        a = a & (a >> s) & m
        b = b & (b >> s) & m
        const[N + F] = a
        const[2 * N + F] = b
        const[F] = a | b


@nb.njit(cache=True, nogil=True, inline="always")
def _certificate(n, valid, free_size, const):
    """C(f) from the constant cells: the least k such that the constant subcubes of codimension
    <= k (free sets of size >= n − k) cover every point."""
    N = 1 << n
    covered = np.uint64(0)
    for k in range(n + 1):
        # add the subcubes of codimension exactly k (free sets of size n - k)
        for F in range(N):
            if free_size[F] == n - k:
                c = const[F]
                if c:
                    for i in range(n):
                        if (F >> i) & 1:
                            c |= c << (np.uint64(1) << np.uint64(i))
                    covered |= c
        if covered == valid:
            return k
    return n


@nb.njit(cache=True, nogil=True, inline="always")
def _depth(n, const, le, nxt):
    """D(f): le[F] = word of the subcubes with free set F of depth <= d, for d = 0, 1, ..."""
    N = 1 << n
    full_set = N - 1
    for F in range(N):
        le[F] = const[F]
    d = 0
    while not (le[full_set] & np.uint64(1)):
        d += 1
        for F in range(N):
            v = const[F]
            for i in range(n):
                if (F >> i) & 1:
                    a = le[F ^ (1 << i)]
                    v |= a & (a >> (np.uint64(1) << np.uint64(i))) & _LOW_MASKS[i]
            nxt[F] = v
        for F in range(N):
            le[F] = nxt[F]
    return d


@nb.njit(cache=True, nogil=True, inline="always")
def _packing(u, ups, packs):
    """The packing number of the up-set u (binary search in the sorted ``ups``)."""
    lo = 0
    hi = ups.shape[0] - 1
    while lo < hi:
        mid = (lo + hi) >> 1
        if ups[mid] < u:
            lo = mid + 1
        else:
            hi = mid
    return packs[lo]


@nb.njit(cache=True, nogil=True, inline="always")
def _block_sensitivity(t, n, full, s, cmax, ups, packs):
    """bs(f), knowing s <= bs <= C = cmax."""
    if s >= cmax:
        return s
    best = s
    N = 1 << n
    for x in range(N):
        g = t
        for i in range(n):
            if (x >> i) & 1:
                g = negate(g, i)
        # bit B of fam: f(x ⊕ B) != f(x)
        if (t >> np.uint64(x)) & np.uint64(1):
            g ^= full
        u = g
        for i in range(n):
            u |= (u & _LOW_MASKS[i]) << (np.uint64(1) << np.uint64(i))
        v = _packing(u, ups, packs)
        if v > best:
            best = v
            if best >= cmax:
                break
    return best


@nb.njit(cache=True, nogil=True, inline="always")
def _measure_one(t, n, want, chars, bounds, free_low, free_size, ups, packs, const, le, nxt,
                 j, s_out, e_out, deg_out, lev_out, bias_out, c_out, d_out, bs_out):
    N = 1 << n
    valid = np.uint64(0xFFFFFFFFFFFFFFFF) if N == 64 else (np.uint64(1) << np.uint64(N)) - np.uint64(1)
    complexity = want & (WANT_CERTIFICATE | WANT_DEPTH | WANT_BLOCK)
    s = 0
    if want & WANT_SENSITIVITY or complexity:
        s, edges = _sensitivity(t, n, valid)
        if want & WANT_SENSITIVITY:
            s_out[j] = s
            e_out[j] = edges
    if want & WANT_SPECTRUM:
        deg, bias = _spectrum(t, n, chars, bounds, lev_out[j])
        deg_out[j] = deg
        bias_out[j] = bias
    if not complexity:
        return
    # shortcuts: s(f, x) = n at some x gives C = bs = D = n (s <= bs <= C <= D <= n); f̂([n]) != 0
    # (deg = n) gives D = n (deg <= D)
    cmax = n if s == n else -1  # -1: not computed
    cells = False
    if s < n and want & (WANT_CERTIFICATE | WANT_BLOCK):
        _constant_cells(t, n, valid, free_low, const)
        cells = True
        cmax = _certificate(n, valid, free_size, const)
    if want & WANT_CERTIFICATE:
        c_out[j] = cmax
    if want & WANT_DEPTH:
        top = np.int64(_popcount(t ^ chars[N - 1])) != N >> 1
        if s == n or cmax == n or top:
            d_out[j] = n
        else:
            if not cells:
                _constant_cells(t, n, valid, free_low, const)
            d_out[j] = _depth(n, const, le, nxt)
    if want & WANT_BLOCK:
        bs_out[j] = _block_sensitivity(t, n, valid, s, cmax, ups, packs)


@nb.njit(cache=True, nogil=True, parallel=True)
def measure_tables(tables, start, count, n, want, chars, bounds, free_low, free_size, ups, packs,
                   s_out, e_out, deg_out, lev_out, bias_out, c_out, d_out, bs_out):
    """Measures of the ``count`` tables ``tables[j]`` (or, when ``tables`` is empty, of the
    consecutive tables start + j: no table array is built for streaming over all 2**32 tables)
    for n <= 5, into the outputs selected by ``want`` (the others may have length 0): s,
    sensitive edges, degree, level sums (count, n+1), Σ f, C, D, bs."""
    N = 1 << n
    listed = tables.shape[0] > 0
    parts = 64
    for r in nb.prange(parts):
        const = np.empty(3 * N, dtype=np.uint64)
        le = np.empty(N, dtype=np.uint64)
        nxt = np.empty(N, dtype=np.uint64)
        for j in range(r * count // parts, (r + 1) * count // parts):
            t = np.uint64(tables[j]) if listed else np.uint64(start + j)
            _measure_one(t, n, want, chars, bounds, free_low, free_size, ups, packs,
                         const, le, nxt, j, s_out, e_out, deg_out, lev_out, bias_out, c_out, d_out, bs_out)


# --------------------------------------------------------------------------- conversions
@nb.njit(cache=True, nogil=True)
def tables_to_signs(tables, n, out):
    """out[j, x] = −1 where bit x of tables[j] is 1, else +1."""
    for j in range(tables.shape[0]):
        t = np.uint64(tables[j])
        for x in range(1 << n):
            out[j, x] = 1 - 2 * np.int8((t >> np.uint64(x)) & np.uint64(1))


@nb.njit(cache=True, nogil=True)
def signs_to_tables(signs, out):
    """out[j] = the table of the ±1 row signs[j] (bit x set where signs[j, x] == −1)."""
    for j in range(signs.shape[0]):
        t = np.uint64(0)
        for x in range(signs.shape[1]):
            if signs[j, x] < 0:
                t |= np.uint64(1) << np.uint64(x)
        out[j] = t


# ------------------------------------------------------------------- constants (plain Python)
def walk_steps(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(perms, gray) for :func:`walk` on n variables.

    ``gray`` (length 2**n) lists the coordinate negated at each step of the cyclic Gray code
    (−1 for the single step at n = 0); ``perms`` (length n!) the adjacent exchange (i, i+1) made
    after each round of negations, in Steinhaus–Johnson–Trotter order, the last one returning to
    the identity (−1: none, n <= 1)."""
    gray = [min((k & -k).bit_length() - 1, n - 1) for k in range(1, (1 << n) + 1)]
    if n <= 1:
        return np.array([-1], dtype=np.int64), np.array(gray, dtype=np.int64)
    perm = list(range(n))
    pos = list(range(n))
    direction = [-1] * n
    swaps = []
    while True:
        mobile = -1
        for v in range(n):
            q = pos[v] + direction[v]
            if 0 <= q < n and perm[q] < v:
                mobile = v
        if mobile < 0:
            break
        p = pos[mobile]
        q = p + direction[mobile]
        w = perm[q]
        perm[p], perm[q] = w, mobile
        pos[mobile], pos[w] = q, p
        swaps.append(min(p, q))
        for u in range(mobile + 1, n):
            direction[u] = -direction[u]
    swaps.append(0)  # the walk ends on (1 0 2 ...): one more exchange returns to the identity
    return np.array(swaps, dtype=np.int64), np.array(gray, dtype=np.int64)


def character_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(chars, bounds): the tables of the characters χ_S (bit x set where χ_S(x) = −1) ordered
    by level |S|, level k at chars[bounds[k]:bounds[k+1]]."""
    N = 1 << n
    order = sorted(range(N), key=lambda S: (bin(S).count("1"), S))
    chars = np.array([sum(1 << x for x in range(N) if bin(S & x).count("1") & 1) for S in order],
                     dtype=np.uint64)
    counts = np.bincount([bin(S).count("1") for S in range(N)], minlength=n + 1)
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return chars, bounds


def subcube_masks(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(free_low, free_size): the least element and the size of each free set F (F > 0)."""
    N = 1 << n
    free_low = np.zeros(N, dtype=np.int64)
    free_size = np.zeros(N, dtype=np.int64)
    for F in range(1, N):
        free_low[F] = (F & -F).bit_length() - 1
        free_size[F] = bin(F).count("1")
    return free_low, free_size


def up_sets(n: int) -> tuple[np.ndarray, np.ndarray]:
    """(ups, packs): every up-set of subsets of [n] that does not contain ∅, as a table (bit B
    set for each member B), sorted, with its packing number (the most pairwise disjoint members).

    n = 5: 7580 up-sets (the Dedekind number 7581 less the full one)."""
    ups = [0, 1]  # the up-sets on 0 coordinates, ∅ allowed while building
    for k in range(n):
        half = 1 << k
        ups = [a | (b << half) for a in ups for b in ups if a & b == a]
    ups = sorted(u for u in ups if not u & 1)
    memo: dict[tuple[int, int], int] = {}
    N = 1 << n

    def pack(u: int, avail: int) -> int:
        # members of u inside avail; the least available element is left out or covered
        key = (u, avail)
        if key in memo:
            return memo[key]
        members = [B for B in range(1, N) if (u >> B) & 1 and B & avail == B]
        if not members:
            memo[key] = 0
            return 0
        e = min(B & -B for B in members)
        best = pack(u, avail & ~e)
        for B in members:
            if B & e:
                best = max(best, 1 + pack(u, avail & ~B))
        memo[key] = best
        return best

    packs = [pack(u, N - 1) for u in ups]
    return np.array(ups, dtype=np.uint64), np.array(packs, dtype=np.int64)
