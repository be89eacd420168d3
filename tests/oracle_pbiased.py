r"""Independent brute-force oracle for the p-biased measures (docs/theory.md §2, p-biased analysis).

Written straight from the definitions (O'Donnell, *Analysis of Boolean Functions*, ch. 8) and
sharing no code with ``boolsens`` (this module must never import it): every quantity is a plain
sum over all points x of the cube weighted by μ_p(x) = p^{|x|}(1 − p)^{n−|x|}, in exact rational
arithmetic (``fractions.Fraction``; a float p is read as the exact rational it stores). Slow on
purpose: use it for n <= 8.

Conventions: a point is an index x in [0, 2**n); coordinate i is bit i of x and bit 1 is the sign
−1 (True), which under μ_p has probability p. μ = 1 − 2p, σ² = 4p(1 − p) and
φ_S(x) = Π_{i∈S} (x_i − μ)/σ. Since σ is irrational in general, the oracle keeps
U(S) = E_{μ_p}[f(x) Π_{i∈S}(x_i − μ)] (rational), so f̂_p(S) = U(S)/σ^{|S|} and
f̂_p(S)² = U(S)²/(σ²)^{|S|} (rational).

>>> maj3 = [1, 1, 1, -1, 1, -1, -1, -1]
>>> [str(w) for w in weights(maj3, Fraction(1, 3))]
['169/729', '128/243', '16/243', '128/729']
>>> pivotal(maj3, 0, Fraction(1, 3))
Fraction(4, 9)
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

__all__ = [
    "n_of", "mu_p", "sign", "unnormalised_coefficients", "sigma_squared", "coefficient_squares",
    "coefficients_float", "coefficients_exact", "weights", "influences", "total_influence",
    "stability", "pivotal", "expectation", "variance", "noise_operator",
]


def n_of(table) -> int:
    n = 0
    while (1 << n) < len(table):
        n += 1
    if (1 << n) != len(table):
        raise ValueError(f"length {len(table)} is not a power of two")
    return n


def _exact(v) -> Fraction:
    return v if isinstance(v, Fraction) else Fraction(v)


def sign(x: int, i: int) -> int:
    """x_i: −1 where bit i of x is 1."""
    return -1 if (x >> i) & 1 else 1


def mu_p(x: int, n: int, p) -> Fraction:
    """μ_p(x) = Π_i (p if x_i = −1 else 1 − p)."""
    p = _exact(p)
    out = Fraction(1)
    for i in range(n):
        out *= p if (x >> i) & 1 else 1 - p
    return out


@lru_cache(maxsize=64)
def _weighted_basis(n: int, p) -> tuple[tuple[Fraction, ...], ...]:
    """M[S][x] = μ_p(x) Π_{i∈S} (x_i − μ), for every S and x (shared by every table on n)."""
    p = _exact(p)
    mu = 1 - 2 * p
    rows = []
    for S in range(1 << n):
        row = []
        for x in range(1 << n):
            term = mu_p(x, n, p)
            for i in range(n):
                if (S >> i) & 1:
                    term *= sign(x, i) - mu
            row.append(term)
        rows.append(tuple(row))
    return tuple(rows)


def unnormalised_coefficients(table, p) -> list[Fraction]:
    """U(S) = Σ_x μ_p(x) f(x) Π_{i∈S} (x_i − μ), for every bitmask S."""
    n = n_of(table)
    values = [_exact(v) for v in table]
    return [sum((m * v for m, v in zip(row, values)), Fraction(0)) for row in _weighted_basis(n, p)]


def sigma_squared(p) -> Fraction:
    p = _exact(p)
    return 4 * p * (1 - p)


def coefficient_squares(table, p) -> list[Fraction]:
    """f̂_p(S)² = U(S)² / (σ²)^{|S|}."""
    return list(_squares(tuple(_exact(v) for v in table), _exact(p)))


@lru_cache(maxsize=4096)
def _squares(table: tuple, p: Fraction) -> tuple[Fraction, ...]:
    s2 = sigma_squared(p)
    return tuple(u * u / s2 ** bin(S).count("1") for S, u in enumerate(unnormalised_coefficients(table, p)))


def coefficients_float(table, p) -> list[float]:
    """f̂_p(S) = U(S)/σ^{|S|} in floats (σ = sqrt(σ²) rounded once)."""
    sigma = math.sqrt(float(sigma_squared(p)))
    return [float(u) / sigma ** bin(S).count("1") for S, u in enumerate(unnormalised_coefficients(table, p))]


def coefficients_exact(table, p) -> list[Fraction] | None:
    """f̂_p(S) as Fractions when σ is rational (σ² a rational square), else None."""
    s2 = sigma_squared(p)
    num, den = math.isqrt(s2.numerator), math.isqrt(s2.denominator)
    if num * num != s2.numerator or den * den != s2.denominator:
        return None
    sigma = Fraction(num, den)
    return [u / sigma ** bin(S).count("1") for S, u in enumerate(unnormalised_coefficients(table, p))]


def weights(table, p) -> list[Fraction]:
    """W^k_p = Σ_{|S|=k} f̂_p(S)², k = 0..n."""
    n = n_of(table)
    sq = coefficient_squares(table, p)
    return [sum((sq[S] for S in range(1 << n) if bin(S).count("1") == k), Fraction(0)) for k in range(n + 1)]


def influences(table, p) -> list[Fraction]:
    """Inf_i^{(p)} = Σ_{S∋i} f̂_p(S)²."""
    n = n_of(table)
    sq = coefficient_squares(table, p)
    return [sum((sq[S] for S in range(1 << n) if (S >> i) & 1), Fraction(0)) for i in range(n)]


def total_influence(table, p) -> Fraction:
    return sum(influences(table, p), Fraction(0))


def stability(table, rho, p) -> Fraction:
    """Stab_ρ^{(p)} = Σ_S ρ^{|S|} f̂_p(S)²."""
    rho = _exact(rho)
    return sum((rho ** bin(S).count("1") * c for S, c in enumerate(coefficient_squares(table, p))), Fraction(0))


def pivotal(table, i: int, p) -> Fraction:
    """Pr_{x∼μ_p}[f(x) ≠ f(x^{⊕i})]."""
    n = n_of(table)
    return sum((mu_p(x, n, p) for x in range(1 << n) if table[x] != table[x ^ (1 << i)]), Fraction(0))


def expectation(table, p) -> Fraction:
    n = n_of(table)
    return sum((mu_p(x, n, p) * _exact(table[x]) for x in range(1 << n)), Fraction(0))


def variance(table, p) -> Fraction:
    n = n_of(table)
    second = sum((mu_p(x, n, p) * _exact(table[x]) ** 2 for x in range(1 << n)), Fraction(0))
    return second - expectation(table, p) ** 2


def noise_operator(table, rho, p) -> list[Fraction]:
    """T_ρ f(x) = Σ_y Π_i K(x_i, y_i) f(y), K(x_i, y_i) = ρ·[y_i = x_i] + (1 − ρ) Pr_{μ_p}[y_i]:
    y_i is x_i with probability ρ, else a fresh p-biased bit (the kernel, summed over all y)."""
    rho, p = _exact(rho), _exact(p)
    n = n_of(table)
    out = []
    for x in range(1 << n):
        total = Fraction(0)
        for y in range(1 << n):
            k = Fraction(1)
            for i in range(n):
                fresh = p if (y >> i) & 1 else 1 - p
                k *= rho * (((x ^ y) >> i) & 1 == 0) + (1 - rho) * fresh
            total += k * _exact(table[y])
        out.append(total)
    return out
