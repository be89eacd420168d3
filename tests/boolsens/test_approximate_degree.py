"""approximate_degree, approximate_degree_symmetric and approximation_error against
tests/oracle_lp.py: for symmetric functions the exact best error by the discrete exchange theorem
(every (d+2)-point reference, Fractions), for any function the float optimum of the *dual* LP;
decisions exactly at the boundary (eps equal to an exact best error, and just below it); closed
forms (OR and AND like sqrt(n), parity n, constants 0, dictators 1, adeg <= deg); bad input.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_lp as oracle
from boolsens import BoolsensError


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def sym_table(values, n):
    return np.array([values[bin(x).count("1")] for x in range(1 << n)], dtype=np.int8)


def g01(values):
    return [(1 - v) // 2 for v in values]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, pytest.param(5, marks=pytest.mark.slow)])
def test_symmetric_errors_exact_against_the_exchange_theorem(n):
    for values in itertools.product((1, -1), repeat=n + 1):
        table = sym_table(values, n)
        for d in range(n + 1):
            want = oracle.symmetric_error(g01(values), d)
            assert bs.approximation_error(table, d, exact=True) == want
            assert bs.approximation_error(table, d) == pytest.approx(float(want), abs=1e-9)


@pytest.mark.parametrize("n", [0, 1, 2, 3, pytest.param(4, marks=pytest.mark.slow),
                               pytest.param(5, marks=pytest.mark.slow), pytest.param(6, marks=pytest.mark.slow)])
def test_symmetric_degrees_at_and_just_below_the_exact_errors(n):
    """eps equal to an exact best error E_d is a tie the decision must get right; eps just below it
    must need a higher degree."""
    for values in itertools.product((1, -1), repeat=n + 1):
        v01 = g01(values)
        errors = {oracle.symmetric_error(v01, d) for d in range(n + 1)} | {Fraction(1, 3)}
        for eps in sorted(errors):
            for e in (eps, eps - Fraction(1, 10**6)) if eps > 0 else (eps,):
                want = oracle.symmetric_adeg(v01, e)
                assert bs.approximate_degree_symmetric(list(values), e) == want, (values, e)
        assert bs.approximate_degree(sym_table(values, n)) == oracle.symmetric_adeg(v01, Fraction(1, 3))


@pytest.mark.parametrize("n, tables", [(1, all_tables(1)), (2, all_tables(2)),
                                       (3, all_tables(3)[::17]),
                                       pytest.param(3, all_tables(3), marks=pytest.mark.slow)],
                         ids=["n1", "n2", "n3-sample", "n3-every"])
def test_general_errors_against_the_dual_lp(n, tables):
    for row in tables.tolist():
        errs = []
        for d in range(n + 1):
            exact = bs.approximation_error(np.array(row, dtype=np.int8), d, exact=True)
            assert isinstance(exact, Fraction)
            assert float(exact) == pytest.approx(oracle.dual_error(row, d), abs=1e-9)
            errs.append(exact)
        # the decisions at every exact error (ties) and just below
        for eps in set(errs) | {Fraction(1, 3)}:
            for e in (eps, eps - Fraction(1, 10**6)) if eps > 0 else (eps,):
                want = min(d for d in range(n + 1) if errs[d] <= e)
                assert bs.approximate_degree(np.array(row, dtype=np.int8), e) == want, (row, e)


@pytest.mark.parametrize("n, count", [(4, 4), (6, 2), pytest.param(8, 2, marks=pytest.mark.slow)])
def test_random_functions_against_the_dual_lp(n, count):
    for row in random_tables(n, count, seed=60 + n).tolist():
        t = np.array(row, dtype=np.int8)
        errs = [oracle.dual_error(row, d) for d in range(n + 1)]
        for d in range(n + 1):
            assert bs.approximation_error(t, d) == pytest.approx(errs[d], abs=1e-7)
        want = min(d for d in range(n + 1) if errs[d] <= 1 / 3 + 1e-9)
        if all(abs(e - 1 / 3) > 1e-6 for e in errs):  # no tie: the float oracle decides alone
            assert bs.approximate_degree(t) == want
        assert bs.approximate_degree(t) <= bs.degree(t)


def test_closed_forms():
    for n in range(1, 9):
        assert bs.approximate_degree(bs.parity(n)) == n
        assert bs.approximate_degree(bs.dictator(n)) == 1
        assert bs.approximate_degree(bs.constant(n)) == 0
        assert bs.approximate_degree(bs.constant(n, -1)) == 0
        assert bs.approximate_degree(bs.disjunction(n)) == bs.approximate_degree(bs.conjunction(n))
    # exact small values of OR_n, and growth like sqrt(n) (Nisan–Szegedy: Θ(√n))
    ors = {n: bs.approximate_degree_symmetric([1] + [-1] * n) for n in (1, 2, 3, 4, 9, 16, 64, 256)}
    assert [ors[n] for n in (1, 2, 3, 4)] == [1, 1, 1, 2]
    for n in (16, 64, 256):
        assert 0.3 * math.sqrt(n) <= ors[n] <= 1.5 * math.sqrt(n)
    assert ors[16] < ors[64] < ors[256]
    assert bs.approximation_error(bs.disjunction(3), 1, exact=True) == Fraction(1, 3)  # the tie of OR_3
    assert bs.approximate_degree_symmetric([1, -1] * 20 + [1]) == 40
    # eps >= 1/2: the constant 1/2 suffices; eps = 0: the exact degree
    assert bs.approximate_degree(bs.parity(4), Fraction(1, 2)) == 0
    assert bs.approximate_degree(bs.majority(5), 0) == bs.degree(bs.majority(5))


def test_the_error_of_majority_at_degree_one_is_a_tie_decided_exactly():
    """E_1(MAJ_3) (0/1 reading) is attained exactly; eps at it gives 1, just below it 3."""
    f = bs.majority(3)
    e01 = bs.approximation_error(f, 1, exact=True)
    assert bs.approximate_degree(f, e01) == 1 and bs.approximate_degree(f, e01 - Fraction(1, 1000)) == 3


def test_non_symmetric_n10_and_batches():
    row = random_tables(10, 1, seed=10)[0]
    assert bs.approximate_degree(bs.inner_product(2)) == 2
    tables = random_tables(3, 4, seed=2).reshape(2, 2, 8)
    out = bs.approximate_degree(tables)
    assert out.shape == (2, 2)
    assert out.reshape(-1).tolist() == [bs.approximate_degree(t) for t in tables.reshape(4, 8)]
    with pytest.raises(BoolsensError, match="n <= 10; got n=11"):
        bs.approximate_degree(random_tables(11, 1, seed=1)[0])
    assert bs.approximate_degree(bs.disjunction(14)) == bs.approximate_degree_symmetric([1] + [-1] * 14)
    del row


@pytest.mark.slow
def test_n10_random():
    row = random_tables(10, 1, seed=10)[0]
    a = bs.approximate_degree(row)
    assert 1 <= a <= bs.degree(row)


@pytest.mark.parametrize("call, match", [
    (lambda: bs.approximate_degree(bs.parity(3), -1), "eps=-1 must be >= 0"),
    (lambda: bs.approximate_degree(bs.parity(3), True), "eps=True must be a real number"),
    (lambda: bs.approximate_degree(bs.parity(3), float("nan")), "must be finite"),
    (lambda: bs.approximate_degree_symmetric([1, 0, 1]), "values must be a 1-D sequence"),
    (lambda: bs.approximate_degree_symmetric([1] * 1002), "n <= 1000"),
    (lambda: bs.approximation_error(bs.parity(3), 4), "d=4 must"),
    (lambda: bs.approximation_error(bs.parity(3), 1, exact=1), "exact=1 must be True or False"),
    (lambda: bs.approximation_error(random_tables(3, 2, seed=0), 1), "one function"),
    (lambda: bs.approximation_error(random_tables(8, 1, seed=4)[0], 4, exact=True), "exact=True recovers"),
], ids=["eps-negative", "eps-bool", "eps-nan", "values-01", "values-long", "d-large", "exact-int", "batch",
        "exact-too-large"])
def test_bad_input(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()
