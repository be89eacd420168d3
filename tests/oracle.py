r"""Independent brute-force oracle for the boolsens test suite.

Written straight from the definitions in docs/theory.md §1–§2 and sharing no code with ``boolsens``
(this module must never import it). Everything is a plain Python loop over the cube, in exact
rational arithmetic (``fractions.Fraction``) whenever the inputs are exact, so it is slow on
purpose: use it for n <= 6.

Conventions (docs/theory.md §1): a point is an index x in [0, 2**n); coordinate i is bit i of x and
bit b is the sign (-1)**b, so bit 1 <-> -1 (True = -1). A subset S is a bitmask and
chi_S(x) = (-1)**popcount(S & x). A table is a sequence of length 2**n (Boolean: entries ±1).

>>> maj3 = [1, 1, 1, -1, 1, -1, -1, -1]
>>> [str(c) for c in fourier_coefficients(maj3)]
['0', '1/2', '1/2', '0', '1/2', '0', '0', '-1/2']
>>> total_influence(maj3), sensitivity(maj3), decision_tree_depth(maj3)
(Fraction(3, 2), 2, 3)
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from itertools import product

__all__ = [
    "n_of", "point", "chi", "walsh", "fourier_coefficients", "fourier_weights", "degree",
    "influence_probability", "influence_real", "influences", "total_influence",
    "pointwise_sensitivity", "sensitivity", "block_sensitivity", "certificate_complexity",
    "decision_tree_depth", "noise_stability", "disagreement_probability", "noise_sensitivity",
    "robustness_bound", "all_boolean_tables",
]


# ----------------------------------------------------------------------------- the cube
def n_of(table) -> int:
    """n such that len(table) == 2**n (raises for any other length)."""
    length = len(table)
    n = 0
    while (1 << n) < length:
        n += 1
    if (1 << n) != length:
        raise ValueError(f"oracle: table length {length} is not a power of two")
    return n


def point(x: int, n: int) -> tuple[int, ...]:
    """The ±1 point with index x: coordinate i is (-1)**(bit i of x)."""
    return tuple(-1 if (x >> i) & 1 else 1 for i in range(n))


def chi(S: int, x: int, n: int) -> int:
    """chi_S(x) = prod_{i in S} x_i, computed from the ±1 coordinates (not from a popcount)."""
    value = 1
    xs = point(x, n)
    for i in range(n):
        if (S >> i) & 1:
            value *= xs[i]
    return value


def _exact(v):
    """An exact rational copy of a table entry (ints, floats and Fractions are all exact)."""
    return Fraction(v) if not isinstance(v, Fraction) else v


def _flip(x: int, block: int) -> int:
    """x with every coordinate in the bitmask ``block`` flipped."""
    return x ^ block


def all_boolean_tables(n: int):
    """Every ±1 table on n variables (2**(2**n) of them) in lexicographic order."""
    return [list(t) for t in product((1, -1), repeat=1 << n)]


# ----------------------------------------------------------------------------- spectrum
def walsh(table) -> list:
    """Unnormalised transform by the defining sum: (H a)(S) = sum_x a(x) chi_S(x), exact."""
    n = n_of(table)
    vals = [_exact(v) for v in table]
    return [sum((vals[x] * chi(S, x, n) for x in range(1 << n)), Fraction(0)) for S in range(1 << n)]


def fourier_coefficients(table) -> list[Fraction]:
    """f^(S) = 2**-n sum_x f(x) chi_S(x) for every bitmask S (exact Fractions)."""
    n = n_of(table)
    return [c / (1 << n) for c in walsh(table)]


def _size(S: int) -> int:
    return sum((S >> i) & 1 for i in range(S.bit_length()))


def fourier_weights(table) -> list[Fraction]:
    """W^k(f) = sum_{|S| = k} f^(S)**2 for k = 0..n."""
    n = n_of(table)
    coeffs = fourier_coefficients(table)
    out = [Fraction(0)] * (n + 1)
    for S, c in enumerate(coeffs):
        out[_size(S)] += c * c
    return out


def degree(table) -> int:
    """max |S| with f^(S) != 0 (0 for the zero table)."""
    return max((_size(S) for S, c in enumerate(fourier_coefficients(table)) if c != 0), default=0)


# ----------------------------------------------------------------------------- influence
def influence_probability(table, i: int) -> Fraction:
    """Pr_x[f(x) != f(x^{(+)i})] (Boolean tables)."""
    n = n_of(table)
    count = sum(1 for x in range(1 << n) if table[x] != table[_flip(x, 1 << i)])
    return Fraction(count, 1 << n)


def influence_real(table, i: int) -> Fraction:
    """E_x[((f(x) - f(x^{(+)i})) / 2)**2] (any real table; exact)."""
    n = n_of(table)
    vals = [_exact(v) for v in table]
    total = sum(((vals[x] - vals[_flip(x, 1 << i)]) / 2) ** 2 for x in range(1 << n))
    return Fraction(total) / (1 << n)


def influences(table) -> list[Fraction]:
    """All influences by the real-valued formula (equal to the probability for Boolean f)."""
    return [influence_real(table, i) for i in range(n_of(table))]


def total_influence(table) -> Fraction:
    """I(f) = sum_i Inf_i(f)."""
    return sum(influences(table), Fraction(0))


# ----------------------------------------------------------------------------- sensitivity
def pointwise_sensitivity(table) -> list[int]:
    """s(f, x) = #{i : f(x) != f(x^{(+)i})} for every x."""
    n = n_of(table)
    return [sum(1 for i in range(n) if table[x] != table[_flip(x, 1 << i)]) for x in range(1 << n)]


def sensitivity(table) -> int:
    """s(f) = max_x s(f, x)."""
    return max(pointwise_sensitivity(table))


def _max_disjoint_blocks(sensitive: frozenset, free: int) -> int:
    """Largest number of pairwise disjoint blocks, all drawn from ``sensitive``, inside ``free``.

    Exhaustive search over block families: the lowest free coordinate j is either covered by
    no chosen block, or by exactly one chosen block B (with j in B, B inside ``free``).
    """

    @lru_cache(maxsize=None)
    def best(avail: int) -> int:
        if avail == 0:
            return 0
        j = avail & -avail
        result = best(avail & ~j)
        for B in sensitive:
            if B & j and B & ~avail == 0:
                result = max(result, 1 + best(avail & ~B))
        return result

    return best(free)


def block_sensitivity(table) -> int:
    """bs(f) = max_x max #{disjoint blocks B_1..B_k : f(x^{(+)B_j}) != f(x) for every j}."""
    n = n_of(table)
    full = (1 << n) - 1
    result = 0
    for x in range(1 << n):
        sensitive = frozenset(B for B in range(1, 1 << n) if table[_flip(x, B)] != table[x])
        result = max(result, _max_disjoint_blocks(sensitive, full))
    return result


def certificate_complexity(table) -> int:
    """C(f) = max_x min{|S| : f is constant on the subcube {y : y_i = x_i for i in S}}."""
    n = n_of(table)
    result = 0
    for x in range(1 << n):
        smallest = n
        for S in range(1 << n):
            if _size(S) >= smallest:
                continue
            if all(table[y] == table[x] for y in range(1 << n) if (y ^ x) & S == 0):
                smallest = _size(S)
        result = max(result, smallest)
    return result


def decision_tree_depth(table) -> int:
    """D(f) by recursive minimax over subcubes: 0 on a constant subcube, else
    min over free coordinates i of 1 + max(depth with i fixed to +1, depth with i fixed to -1)."""
    n = n_of(table)

    @lru_cache(maxsize=None)
    def depth(fixed: int, values: int) -> int:
        points = [x for x in range(1 << n) if x & fixed == values]
        if len({table[x] for x in points}) <= 1:
            return 0
        best = n
        for i in range(n):
            bit = 1 << i
            if fixed & bit:
                continue
            worst = max(depth(fixed | bit, values), depth(fixed | bit, values | bit))
            best = min(best, 1 + worst)
        return best

    return depth(0, 0)


# ----------------------------------------------------------------------------- noise
@lru_cache(maxsize=64, typed=True)
def _kernel(n: int, rho) -> tuple[tuple, object]:
    """Pr[y | x] = prod_i (1 + rho x_i y_i) / 2 for a rho-correlated pair, as (K, scale).

    Built coordinate by coordinate from the ±1 points; cached per (n, rho). For a rational rho =
    p/q each factor is (q + p x_i y_i) / (2q), so K holds the integer numerators and
    Pr[y | x] = K[x][y] / scale with scale = (2q)**n (exact, fast integer sums). A float rho
    gives float entries and scale 1."""
    if isinstance(rho, float):
        num, den = rho, 1.0
    else:
        r = Fraction(rho)
        num, den = r.numerator, r.denominator
    rows = []
    for x in range(1 << n):
        xs = point(x, n)
        row = []
        for y in range(1 << n):
            w = 1
            for a, b in zip(xs, point(y, n)):
                w = w * (den + num * a * b)
            row.append(w)
        rows.append(tuple(row))
    return tuple(rows), (2 * den) ** n


def _integer_table(table) -> tuple[list, int]:
    """Exact entries as integers over a common denominator: (ints, L) with table[x] = ints[x] / L."""
    vals = [_exact(v) for v in table]
    L = math.lcm(*(v.denominator for v in vals))
    return [int(v * L) for v in vals], L


def _pair_sum(terms, rho, scale):
    """Sum of pair terms divided by ``scale``: exact for a rational rho (a Fraction), correctly
    rounded (math.fsum) for a float rho."""
    if isinstance(rho, float):
        return math.fsum(float(t) for t in terms) / scale
    return Fraction(sum(terms), scale)


def noise_stability(table, rho):
    """Stab_rho(f) = E[f(x) f(y)] as the pair sum 2**-n sum_{x,y} f(x) f(y) Pr[y | x] (no
    Fourier). A Fraction/int rho gives an exact Fraction; a float rho a float (fsum of terms)."""
    n = n_of(table)
    K, scale = _kernel(n, rho)
    if isinstance(rho, float):
        vals, L = [float(v) for v in table], 1
    else:
        vals, L = _integer_table(table)
    terms = (vals[x] * K[x][y] * vals[y] for x in range(1 << n) for y in range(1 << n))
    return _pair_sum(terms, rho, scale * L * L * (1 << n))


def disagreement_probability(table, rho):
    """Pr_rho(f) = Pr[f(x) != f(y)] over rho-correlated pairs, as a pair sum."""
    n = n_of(table)
    K, scale = _kernel(n, rho)
    terms = (K[x][y] for x in range(1 << n) for y in range(1 << n) if table[x] != table[y])
    return _pair_sum(terms, rho, scale * (1 << n))


def noise_sensitivity(table, delta):
    """NS_delta(f) = Pr[f(x) != f(y)], y = x with each bit flipped independently w.p. delta
    (pair sum with Pr[y | x] = delta**d (1 - delta)**(n - d), d the Hamming distance).
    A rational delta = p/q is summed exactly as integers p**d (q - p)**(n - d) over q**n."""
    n = n_of(table)
    pairs = [(x, y) for x in range(1 << n) for y in range(1 << n) if table[x] != table[y]]
    if isinstance(delta, float):
        terms = [delta ** _size(x ^ y) * (1 - delta) ** (n - _size(x ^ y)) for x, y in pairs]
        return math.fsum(terms) / (1 << n)
    r = Fraction(delta)
    p, q = r.numerator, r.denominator
    total = sum(p ** _size(x ^ y) * (q - p) ** (n - _size(x ^ y)) for x, y in pairs)
    return Fraction(total, q**n * (1 << n))


def robustness_bound(table, rho):
    """1/2 (1 - rho**(s(f)**2)) (Vasudeva et al. (2025), Proposition 2.2)."""
    return (1 - rho ** (sensitivity(table) ** 2)) / 2
