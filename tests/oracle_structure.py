r"""Independent brute forces for the cryptographic and structural measures (docs/theory.md §2),
written from the definitions and sharing no code with ``boolsens`` (this module must never
import it). Plain Python loops over the cube, exact integers and Fractions: use it for n <= 6
(the threshold enumeration for n <= 4).

Conventions as in :mod:`oracle`: index x, coordinate i is bit i, bit 1 <-> -1 (True = -1).

>>> maj3 = [1, 1, 1, -1, 1, -1, -1, -1]
>>> autocorrelation(maj3), correlation_immunity(maj3), resiliency(maj3)
([8, 0, 0, 0, 0, 0, 0, -8], 0, 0)
>>> is_monotone(maj3), is_symmetric(maj3), relevant_variables(maj3)
(True, True, (0, 1, 2))
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from itertools import permutations, product

from oracle import n_of, point

__all__ = [
    "correlation_immunity", "resiliency", "autocorrelation", "absolute_indicator", "chow_parameters",
    "relevant_variables", "is_monotone", "is_symmetric", "threshold_tables", "satisfies_threshold",
]


def _size(S: int) -> int:
    return bin(S).count("1")


# ----------------------------------------------------------------------------- cryptographic
@lru_cache(maxsize=None)
def _characters(n: int) -> tuple[tuple[int, ...], ...]:
    """chi_S(x) = prod_{i in S} x_i from the ±1 points, as rows S (cached per n)."""
    pts = [point(x, n) for x in range(1 << n)]
    rows = []
    for S in range(1 << n):
        row = []
        for p in pts:
            v = 1
            for i in range(n):
                if (S >> i) & 1:
                    v *= p[i]
            row.append(v)
        rows.append(tuple(row))
    return tuple(rows)


def _walsh(table) -> list[int]:
    """2**n f^(S) = sum_x f(x) chi_S(x), exact integers (zero exactly when f^(S) is)."""
    return [sum(a * b for a, b in zip(table, row)) for row in _characters(n_of(table))]


def correlation_immunity(table) -> int:
    """The largest m in 0..n with f^(S) = 0 for every S with 1 <= |S| <= m (tried m = n, n-1, ...)."""
    n = n_of(table)
    c = _walsh(table)
    for m in range(n, -1, -1):
        if all(c[S] == 0 for S in range(1 << n) if 1 <= _size(S) <= m):
            return m
    raise AssertionError("m = 0 always qualifies")


def resiliency(table) -> int:
    """-1 if sum_x f(x) != 0 (unbalanced), else the largest m with f^(S) = 0 for all |S| <= m."""
    if sum(table) != 0:
        return -1
    return correlation_immunity(table)


def autocorrelation(table) -> list[int]:
    """r(a) = sum_x f(x) f(x xor a), by the double loop."""
    N = len(table)
    return [sum(table[x] * table[x ^ a] for x in range(N)) for a in range(N)]


def absolute_indicator(table) -> int:
    """max over a != 0 of |r(a)|; 0 when there is no a != 0."""
    r = autocorrelation(table)
    return max((abs(v) for v in r[1:]), default=0)


# ----------------------------------------------------------------------------- structure
@lru_cache(maxsize=None)
def _points(n: int) -> tuple[tuple[int, ...], ...]:
    return tuple(point(x, n) for x in range(1 << n))


def chow_parameters(table) -> list[Fraction]:
    """(E f, E f x_0, ..., E f x_{n-1}) from the ±1 points, exact."""
    n = n_of(table)
    N = 1 << n
    vals = [v if isinstance(v, int) else Fraction(v) for v in table]  # exact: floats as the rationals they are
    pts = _points(n)
    out = [Fraction(sum(vals)) / N]
    for i in range(n):
        out.append(Fraction(sum(v * p[i] for v, p in zip(vals, pts))) / N)
    return out


@lru_cache(maxsize=None)
def _neighbours(n: int) -> tuple[tuple[int, ...], ...]:
    """For each i, the index of x with coordinate i negated, found from the points."""
    pts = _points(n)
    where = {p: x for x, p in enumerate(pts)}
    return tuple(tuple(where[tuple(-v if j == i else v for j, v in enumerate(p))] for p in pts) for i in range(n))


def relevant_variables(table) -> tuple[int, ...]:
    """The i with f(x) != f(y) for some x, y differing only in coordinate i."""
    n = n_of(table)
    return tuple(i for i, flip in enumerate(_neighbours(n)) if any(table[x] != table[y] for x, y in enumerate(flip)))


@lru_cache(maxsize=None)
def _ordered_pairs(n: int) -> tuple[tuple[int, int], ...]:
    """Every pair (x, y) with x <= y coordinatewise (-1 < 1), found among all 4**n pairs."""
    pts = [point(x, n) for x in range(1 << n)]
    return tuple((x, y) for x, px in enumerate(pts) for y, py in enumerate(pts)
                 if all(a <= b for a, b in zip(px, py)))


def is_monotone(table) -> bool:
    """Every pair x <= y (coordinatewise, -1 < 1) has f(x) <= f(y)."""
    return all(table[x] <= table[y] for x, y in _ordered_pairs(n_of(table)))


@lru_cache(maxsize=None)
def _permuted_points(n: int) -> tuple[tuple[int, ...], ...]:
    """For every permutation pi of the coordinates, the index of pi x for each x (all n! of them)."""
    return tuple(tuple(sum(((x >> pi[i]) & 1) << i for i in range(n)) for x in range(1 << n))
                 for pi in permutations(range(n)))


def is_symmetric(table) -> bool:
    """f(x) = f(pi x) for every permutation pi of the coordinates."""
    return all(table[x] == table[y] for perm in _permuted_points(n_of(table)) for x, y in enumerate(perm))


def satisfies_threshold(table, w, theta) -> bool:
    """f(x) (sum_i w_i x_i - theta) > 0 at every point (the sign rule with no ties)."""
    n = n_of(table)
    for x in range(1 << n):
        m = sum(wi * xi for wi, xi in zip(w, point(x, n))) - theta
        if table[x] * m <= 0:
            return False
    return True


def threshold_tables(n: int, bound: int = 3) -> set[tuple[int, ...]]:
    """Every ±1 table sgn(sum w_i x_i - theta) with integer |w_i| <= bound and theta a half-integer
    in [-(n bound + 1), n bound + 1] (so no ties); for n <= 4 weights up to 3 reach every linear
    threshold function (the counts 2, 4, 14, 104, 1882 confirm it)."""
    pts = [point(x, n) for x in range(1 << n)]
    out = set()
    top = n * bound + 1
    for w in product(range(-bound, bound + 1), repeat=n):
        sums = [sum(a * b for a, b in zip(w, p)) for p in pts]
        for twice in range(-2 * top - 1, 2 * top + 2, 2):  # theta = twice / 2, an odd half-integer
            out.add(tuple(1 if 2 * s > twice else -1 for s in sums))
    return out
