r"""Independent brute-force oracle for the multilinear extension and the erasure moments
(docs/theory.md, multilinear extension and erasure noise).

Written straight from the definitions and sharing no code with ``boolsens`` (this module must never
import it), in exact rational arithmetic (``fractions.Fraction``; a float is read as the exact
rational it stores). Slow on purpose: use it for n <= 8.

* f̂(S) = 2^{-n} Σ_x f(x) χ_S(x), the naive double sum;
* f̃(z) = Σ_S f̂(S) Π_{i∈S} z_i, the sum over all 2**n subsets (interpolation in the monomial basis);
* E|f̃(Z)|^k = Σ over the 3**n states z ∈ {−1, 0, 1}^n (itertools.product) of
  p^{#0(z)} ((1 − p)/2)^{n − #0(z)} |f̃(z)|^k.

Conventions: a point is an index x in [0, 2**n); coordinate i is bit i of x and bit 1 is the sign −1.

>>> maj3 = [1, 1, 1, -1, 1, -1, -1, -1]
>>> extension(maj3, [Fraction(1, 2)] * 3)
Fraction(11, 16)
>>> erasure_moment(maj3, Fraction(1, 2))
Fraction(1, 2)
"""

from __future__ import annotations

import itertools
from fractions import Fraction

__all__ = ["n_of", "coefficients", "extension", "erasure_moment"]


def n_of(table) -> int:
    """n for a table of length 2**n."""
    n = len(table).bit_length() - 1
    if len(table) != 1 << max(n, 0):
        raise ValueError(f"length {len(table)} is not a power of two")
    return n


def _chi(S: int, x: int) -> int:
    return -1 if bin(S & x).count("1") % 2 else 1


def coefficients(table) -> list[Fraction]:
    """f̂(S) for S = 0 … 2**n − 1, by the naive sum over x."""
    N = len(table)
    vals = [Fraction(v) for v in table]
    return [sum((vals[x] * _chi(S, x) for x in range(N)), Fraction(0)) / N for S in range(N)]


def _monomial_sum(coeffs: list[Fraction], z) -> Fraction:
    total = Fraction(0)
    for S, c in enumerate(coeffs):
        if c == 0:
            continue
        term = c
        for i, zi in enumerate(z):
            if (S >> i) & 1:
                term *= zi
                if term == 0:
                    break
        total += term
    return total


def extension(table, z) -> Fraction:
    """f̃(z) = Σ_S f̂(S) Π_{i∈S} z_i for one point z (a sequence of n numbers)."""
    n = n_of(table)
    z = [Fraction(v) for v in z]
    if len(z) != n:
        raise ValueError(f"point of length {len(z)} for n={n}")
    return _monomial_sum(coefficients(table), z)


def erasure_moment(table, p, order: int = 1) -> Fraction:
    """E|f̃(Z)|^order, Z_i = x_i w.p. 1 − p and 0 w.p. p (x uniform), over all 3**n states."""
    n = n_of(table)
    p = Fraction(p)
    coeffs = coefficients(table)
    keep = (1 - p) / 2
    total = Fraction(0)
    for z in itertools.product((-1, 0, 1), repeat=n):
        zeros = sum(1 for v in z if v == 0)
        total += p ** zeros * keep ** (n - zeros) * abs(_monomial_sum(coeffs, z)) ** order
    return total
