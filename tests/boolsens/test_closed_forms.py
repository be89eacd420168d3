"""The closed forms of docs/theory.md §4 and the Proposition 2.2 test vectors of §2, at several n.

Rational closed forms are compared exactly (``Fraction`` and ``==``); the §2 vectors printed to
six significant digits are compared within half a unit of their last digit.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs

RHOS = [Fraction(-1), Fraction(-1, 2), Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(9, 10), Fraction(1)]


def complexity_triple(f):
    return bs.sensitivity(f), bs.block_sensitivity(f), bs.certificate_complexity(f)


def assert_total_influence(f, expected: Fraction) -> None:
    """I(f) == expected: exactly as the sum of the exact influences, and as the float
    ``total_influence`` (exact for Boolean tables: a dyadic rational)."""
    assert sum(bs.influences(f, exact=True).tolist(), Fraction(0)) == expected
    assert bs.total_influence(f) == float(expected)


def assert_stability(f, closed_form) -> None:
    """Stab_rho(f) == closed_form(rho) exactly at every rho in RHOS (Fraction in, Fraction out)."""
    for rho in RHOS:
        assert bs.noise_stability(f, rho) == closed_form(rho), rho


# -------------------------------------------------------------------------------------- PARITY
@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_parity(n):
    f = bs.parity(n)
    assert_total_influence(f, n)
    assert bs.degree(f) == n
    assert complexity_triple(f) == (n, n, n)
    assert bs.decision_tree_depth(f) == n
    assert_stability(f, lambda rho: rho**n)


# -------------------------------------------------------------------------------------- DICTATOR
@pytest.mark.parametrize("n, i", [(1, 0), (3, 1), (5, 4), (7, 2)])
def test_dictator(n, i):
    f = bs.dictator(n, i=i)
    assert_total_influence(f, 1)
    assert list(bs.influences(f, exact=True)) == [Fraction(int(j == i)) for j in range(n)]
    assert bs.degree(f) == 1
    assert complexity_triple(f) == (1, 1, 1)
    assert bs.decision_tree_depth(f) == 1
    assert_stability(f, lambda rho: rho)


# -------------------------------------------------------------------------------------- MAJORITY
MAJ_TOTAL_INFLUENCE = {3: 1.5, 5: 1.875, 7: 2.1875, 9: 2.4609375, 11: 2.70703125}  # docs/theory.md §4


def maj_total_influence(n: int) -> Fraction:
    return Fraction(n * math.comb(n - 1, (n - 1) // 2), 2 ** (n - 1))


@pytest.mark.parametrize("n", [1, 3, 5, 7, 9, 11, 13])
def test_majority_total_influence_and_complexity(n):
    f = bs.majority(n)
    assert_total_influence(f, maj_total_influence(n))
    if n in MAJ_TOTAL_INFLUENCE:
        assert bs.total_influence(f) == MAJ_TOTAL_INFLUENCE[n]
    assert bs.degree(f) == n
    assert complexity_triple(f) == ((n + 1) // 2,) * 3


def test_majority_stability_polynomials():
    assert_stability(bs.majority(3), lambda rho: Fraction(3, 4) * rho + Fraction(1, 4) * rho**3)
    assert_stability(bs.majority(5), lambda rho: (45 * rho + 10 * rho**3 + 9 * rho**5) / 64)


def test_majority_11_sheppard_vector():
    # docs/theory.md §3 majority-sheppard: Stab_1/2(MAJ_11) = 0.350959 (six significant digits)
    assert abs(bs.noise_stability(bs.majority(11), 0.5) - 0.350959) <= 5e-7


MAJ_LIMIT_NS = list(range(3, 22, 2))


def test_majority_total_influence_over_sqrt_n_decreases_to_sqrt_2_over_pi():
    limit = math.sqrt(2 / math.pi)
    ratios = [bs.total_influence(bs.majority(n)) / math.sqrt(n) for n in MAJ_LIMIT_NS]
    gaps = [r - limit for r in ratios]
    assert all(g > 0 for g in gaps)
    assert all(a > b for a, b in zip(gaps, gaps[1:]))  # monotone approach from above
    # the gap is O(1/n): n * gap stays below its value at n = 3
    assert all(n * g <= 3 * gaps[0] for n, g in zip(MAJ_LIMIT_NS, gaps))


def test_majority_level_one_weight_decreases_to_2_over_pi():
    limit = 2 / math.pi
    w1 = [bs.fourier_weights(bs.majority(n))[1] for n in MAJ_LIMIT_NS]
    gaps = [w - limit for w in w1]
    assert all(g > 0 for g in gaps)
    assert all(a > b for a, b in zip(gaps, gaps[1:]))
    assert all(n * g <= 3 * gaps[0] for n, g in zip(MAJ_LIMIT_NS, gaps))
    # W^1(MAJ_n) = n * (C(n-1, (n-1)/2) / 2**(n-1))**2 exactly (each level-1 coefficient)
    for n, w in zip(MAJ_LIMIT_NS[:5], w1):
        exact = bs.fourier_weights(bs.majority(n), exact=True)[1]
        assert exact == n * Fraction(math.comb(n - 1, (n - 1) // 2), 2 ** (n - 1)) ** 2
        assert w == float(exact)


# -------------------------------------------------------------------------------------- AND
@pytest.mark.parametrize("n", [1, 2, 4, 6, 9])
def test_conjunction(n):
    f = bs.conjunction(n)
    assert_total_influence(f, Fraction(n, 2 ** (n - 1)))
    assert bs.degree(f) == n
    assert complexity_triple(f) == (n, n, n)
    assert_stability(
        f, lambda rho: (1 - Fraction(1, 2 ** (n - 1))) ** 2 + Fraction(1, 4 ** (n - 1)) * ((1 + rho) ** n - 1)
    )


# -------------------------------------------------------------------------------------- IP
@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_inner_product(m):
    f = bs.inner_product(m)
    assert f.n == 2 * m
    assert_total_influence(f, m)
    assert bs.degree(f) == 2 * m
    if m <= 3:
        assert complexity_triple(f) == (2 * m, 2 * m, 2 * m)
    else:
        assert bs.sensitivity(f) == 2 * m
    assert set(np.abs(bs.fourier_coefficients(f, exact=True)).tolist()) == {Fraction(1, 2**m)}
    assert_stability(f, lambda rho: ((1 + rho) / 2) ** (2 * m))


# -------------------------------------------------------------------------------------- IND
@pytest.mark.parametrize("k", [1, 2, 3])
def test_address(k):
    f = bs.address(k)
    assert f.n == k + 2**k
    assert_total_influence(f, Fraction(k, 2) + 1)
    assert bs.degree(f) == k + 1
    assert complexity_triple(f) == (k + 1, k + 1, k + 1)
    assert_stability(f, lambda rho: rho * ((1 + rho) / 2) ** k)


# -------------------------------------------------------------------------------------- TRIBES
@pytest.mark.parametrize("w, s", [(1, 3), (2, 2), (2, 3), (3, 2), (3, 3), (4, 2)])
def test_tribes(w, s):
    f = bs.tribes(w, s)
    n = w * s
    q = 1 - Fraction(1, 2**w)
    assert bs.fourier_coefficients(f, exact=True)[0] == 2 * q**s - 1
    assert_total_influence(f, n * Fraction(2, 2**w) * q ** (s - 1))
    assert bs.degree(f) == n
    assert complexity_triple(f) == (max(w, s),) * 3

    def stab(rho):
        a = q**2
        b = Fraction(1, 4**w) * ((1 + rho) ** w - 1)
        return (2 * q**s - 1) ** 2 + 4 * ((a + b) ** s - a**s)

    assert_stability(f, stab)


# -------------------------------------------------------------------------------------- LTF
def test_threshold_2111():
    f = bs.threshold([2, 1, 1, 1])
    assert list(bs.influences(f, exact=True)) == [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4), Fraction(1, 4)]
    assert_total_influence(f, Fraction(3, 2))
    assert complexity_triple(f) == (3, 3, 3)
    assert bs.degree(f) == 3
    assert bs.decision_tree_depth(f) == 4
    assert bs.noise_stability(f, Fraction(1, 2)) == Fraction(13, 32)  # 0.40625
    assert bs.noise_stability(f, 0.5) == 0.40625


# -------------------------------------------------------------------------------------- Rubinstein
def test_rubinstein_k2():
    f = bs.rubinstein(2)
    assert complexity_triple(f) == (2, 2, 2)


def test_rubinstein_k4_sensitivity_and_influence():
    f = bs.rubinstein(4)
    assert f.n == 16
    assert bs.sensitivity(f) == 4
    assert bs.total_influence(f) == 2.6796875


def test_rubinstein_k4_quadratic_gap():
    f = bs.rubinstein(4)
    assert bs.block_sensitivity(f) == 8
    assert bs.certificate_complexity(f) == 8


# -------------------------------------------------------------------------------------- Prop 2.2
# docs/theory.md §3 test vectors at rho = 1/2: Pr exact | I-level | deg-level | s^2-level
PROP_22 = {
    "PAR3": (lambda: bs.parity(3), (0.4375, 0.4375, 0.4375, 0.499023)),
    "DICT": (lambda: bs.dictator(3), (0.25, 0.25, 0.25, 0.25)),
    "MAJ3": (lambda: bs.majority(3), (0.296875, 0.323223, 0.4375, 0.46875)),
    "AND4": (lambda: bs.conjunction(4), (0.0854492, 0.146447, 0.46875, 0.499992)),
    "TRIBES2,2": (lambda: bs.tribes(2, 2), (0.304199, 0.323223, 0.46875, 0.46875)),
}


def _digits_ok(got: float, printed: float) -> bool:
    """``got`` agrees with a value printed to six significant digits."""
    unit = 10.0 ** (math.floor(math.log10(abs(printed))) - 5)
    return abs(got - printed) <= unit / 2 + 1e-15


@pytest.mark.parametrize("name", list(PROP_22))
def test_proposition_2_2_vectors(name):
    make, (pr, i_level, deg_level, s2_level) = PROP_22[name]
    f = make()
    rho = 0.5
    got = (
        bs.disagreement_probability(f, rho),
        0.5 * (1 - rho ** bs.total_influence(f)),
        0.5 * (1 - rho ** bs.degree(f)),
        bs.robustness_bound(f, rho),
    )
    for g, printed in zip(got, (pr, i_level, deg_level, s2_level)):
        assert _digits_ok(g, printed), (name, got)
    assert got[0] <= got[1] <= got[2] <= got[3]  # the chain holds at every level
    exact = bs.disagreement_probability(f, Fraction(1, 2))
    assert float(exact) == got[0] and _digits_ok(float(exact), pr)
