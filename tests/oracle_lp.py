r"""Independent brute forces for the one-sided, minimum and fractional measures and the
approximate degree (tests/boolsens/test_onesided.py, test_fractional.py,
test_approximate_degree.py).

Written from the definitions in docs/theory.md, sharing no code with ``boolsens`` (this module
never imports it) and using other methods than the library:

* s, bs and C at a point by plain enumeration of blocks and subcubes;
* the minimal sensitive blocks by checking every subset of every block, and fbs(f, x) and its dual
  FC(f, x) by **enumerating the vertices** of each polytope in Fractions (every choice of as many
  tight constraints as variables), not by a simplex;
* the best uniform error of a symmetric function by the **discrete exchange theorem**: on points
  0..n the best degree-d error is the largest error of a (d+2)-point reference,
  :math:`|\sum_i w_i v_{k_i}| / \sum_i |w_i|` with :math:`w_i = 1/\prod_{j\ne i}(k_i - k_j)`,
  exact in Fractions; for any f a float LP of the **dual** problem (maximise
  :math:`\langle\psi, g\rangle` over :math:`\|\psi\|_1 \le 1`, ψ orthogonal to every character of
  degree ≤ d), where the library solves the primal.

Conventions: a point is an index x in [0, 2**n); coordinate i is bit i (bit 1 <-> -1, True = -1);
g = (1 - f)/2 is the 0/1 reading (True = 1).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations


def n_of(table) -> int:
    n = len(table).bit_length() - 1
    assert len(table) == 1 << n
    return n


# ----------------------------------------------------------------------------- pointwise measures
def s_at(table, x: int) -> int:
    return sum(1 for i in range(n_of(table)) if table[x ^ (1 << i)] != table[x])


def _sensitive(table, x: int, B: int) -> bool:
    return table[x ^ B] != table[x]


def bs_at(table, x: int) -> int:
    """Largest number of disjoint sensitive blocks, by trying every sensitive block with the
    least element of the remaining coordinates, or skipping that element."""
    n = n_of(table)

    def best(avail: int) -> int:
        if not avail:
            return 0
        low = avail & -avail
        top = best(avail & ~low)
        B = avail
        while B:  # every block inside avail containing low
            if B & low and _sensitive(table, x, B):
                top = max(top, 1 + best(avail & ~B))
            B = (B - 1) & avail
        return top

    return best((1 << n) - 1)


def c_at(table, x: int) -> int:
    """Least |S| with f constant on {y : y_S = x_S}."""
    n = n_of(table)
    for size in range(n + 1):
        for S in combinations(range(n), size):
            mask = sum(1 << i for i in S)
            if all(table[y] == table[x] for y in range(1 << n) if (y ^ x) & mask == 0):
                return size
    raise AssertionError("unreachable")


def one_sided(table, measure, value: int) -> int:
    """max over x with f(x) = value of measure(table, x); 0 when there is none."""
    vals = [measure(table, x) for x in range(len(table)) if table[x] == value]
    return max(vals) if vals else 0


# ----------------------------------------------------------------------------- fbs by vertices
def minimal_sensitive_blocks(table, x: int) -> list[int]:
    n = n_of(table)
    out = []
    for B in range(1, 1 << n):
        if not _sensitive(table, x, B):
            continue
        sub = (B - 1) & B
        minimal = True
        while sub:
            if _sensitive(table, x, sub):
                minimal = False
                break
            sub = (sub - 1) & B
        if minimal:
            out.append(B)
    return out


def _solve(rows, rhs):
    """The unique solution of a square system in Fractions, or None when singular."""
    k = len(rows)
    M = [[Fraction(v) for v in r] + [Fraction(b)] for r, b in zip(rows, rhs)]
    for col in range(k):
        p = next((i for i in range(col, k) if M[i][col] != 0), None)
        if p is None:
            return None
        M[col], M[p] = M[p], M[col]
        for i in range(k):
            if i != col and M[i][col] != 0:
                f = M[i][col] / M[col][col]
                M[i] = [a - f * b for a, b in zip(M[i], M[col])]
    return [M[i][k] / M[i][i] for i in range(k)]


def _max_over_vertices(G, h, c) -> Fraction:
    """max cᵀz over {z : G z <= h} (a bounded polytope with a vertex), by trying every square
    subsystem of tight rows."""
    k = len(c)
    best = None
    for rows in combinations(range(len(G)), k):
        z = _solve([G[r] for r in rows], [h[r] for r in rows])
        if z is None or any(sum(a * b for a, b in zip(G[r], z)) > h[r] for r in range(len(G))):
            continue
        val = sum(a * b for a, b in zip(c, z))
        best = val if best is None or val > best else best
    return best


def fbs_at(table, x: int) -> Fraction:
    """max Σ w_B over w >= 0, Σ_{B∋i} w_B <= 1, B the minimal sensitive blocks."""
    n = n_of(table)
    blocks = minimal_sensitive_blocks(table, x)
    if not blocks:
        return Fraction(0)
    m = len(blocks)
    G = [[1 if (B >> i) & 1 else 0 for B in blocks] for i in range(n)] + \
        [[-1 if j == l else 0 for j in range(m)] for l in range(m)]
    h = [1] * n + [0] * m
    return _max_over_vertices(G, h, [1] * m)


def fc_at(table, x: int) -> Fraction:
    """Fractional certificate complexity: min Σ v_i over v >= 0, Σ_{i∈B} v_i >= 1 for every
    sensitive block B (all of them, not only the minimal ones), as -max(-Σ v) over v <= 1 too (an
    optimal v never needs a coordinate above 1)."""
    n = n_of(table)
    blocks = [B for B in range(1, 1 << n) if _sensitive(table, x, B)]
    if not blocks:
        return Fraction(0)
    G = [[-1 if (B >> i) & 1 else 0 for i in range(n)] for B in blocks] + \
        [[-1 if j == i else 0 for j in range(n)] for i in range(n)] + \
        [[1 if j == i else 0 for j in range(n)] for i in range(n)]
    h = [-1] * len(blocks) + [0] * n + [1] * n
    return -_max_over_vertices(G, h, [-1] * n)


def fbs(table) -> Fraction:
    return max(fbs_at(table, x) for x in range(len(table)))


# ----------------------------------------------------------------------------- approximation
def symmetric_error(values01, d: int) -> Fraction:
    """Best error of a degree-<= d univariate polynomial on the points k = 0..n with values
    values01[k] (exact), by the discrete exchange theorem (max over (d+2)-point references)."""
    n = len(values01) - 1
    if d >= n:
        return Fraction(0)
    best = Fraction(0)
    for ref in combinations(range(n + 1), d + 2):
        w = []
        for i, ki in enumerate(ref):
            prod = 1
            for j, kj in enumerate(ref):
                if j != i:
                    prod *= ki - kj
            w.append(Fraction(1, prod))
        err = abs(sum(wi * Fraction(values01[k]) for wi, k in zip(w, ref))) / sum(abs(wi) for wi in w)
        best = max(best, err)
    return best


def symmetric_adeg(values01, eps: Fraction) -> int:
    d = 0
    while symmetric_error(values01, d) > eps:
        d += 1
    return d


def dual_error(table, d: int) -> float:
    """max Σ ψ(x) g(x) s.t. Σ |ψ(x)| <= 1 and Σ ψ(x) χ_S(x) = 0 for every |S| <= d (scipy, floats)."""
    import numpy as np
    from scipy.optimize import linprog

    n = n_of(table)
    N = 1 << n
    g = np.array([(1 - v) // 2 for v in table], dtype=float)
    chars = [S for S in range(N) if bin(S).count("1") <= d]
    chi = np.array([[(-1) ** bin(S & x).count("1") for x in range(N)] for S in chars], dtype=float)
    # psi = p - q with p, q >= 0
    A_eq = np.hstack([chi, -chi])
    A_ub = np.ones((1, 2 * N))
    res = linprog(-np.concatenate([g, -g]), A_ub=A_ub, b_ub=[1.0], A_eq=A_eq, b_eq=np.zeros(len(chars)),
                  bounds=[(0, None)] * (2 * N), method="highs")
    assert res.status == 0, res.message
    return -res.fun
