"""One-sided s_b, bs_b, C_b (``value=±1``) and min_sensitivity against the independent brute force
of tests/oracle_lp.py: every function on n <= 3, seeded random ones on n = 4..6, the identities
s = max(s_+1, s_-1) (and bs, C) on random functions to n = 8, closed forms, batches, bad input.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import boolsens as bs
import oracle_lp as oracle
from boolsens import BoolsensError


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


CASES = [all_tables(n) for n in range(4)] + [random_tables(n, 6, seed=100 + n) for n in (4, 5, 6)]
IDS = ["n0", "n1", "n2", "n3", "n4-random", "n5-random", "n6-random"]


@pytest.mark.parametrize("tables", CASES, ids=IDS)
def test_against_the_brute_force(tables):
    got = {(name, v): np.asarray(fn(tables, value=v))
           for name, fn in (("s", bs.sensitivity), ("bs", bs.block_sensitivity), ("C", bs.certificate_complexity))
           for v in (1, -1)}
    mins = np.asarray(bs.min_sensitivity(tables))
    for b, row in enumerate(tables.tolist()):
        for v in (1, -1):
            assert got["s", v][b] == oracle.one_sided(row, oracle.s_at, v)
            assert got["bs", v][b] == oracle.one_sided(row, oracle.bs_at, v)
            assert got["C", v][b] == oracle.one_sided(row, oracle.c_at, v)
        assert mins[b] == min(oracle.s_at(row, x) for x in range(len(row)))


@pytest.mark.parametrize("n", [7, 8])
def test_the_two_sides_make_the_maximum(n):
    tables = random_tables(n, 4, seed=n)
    for name, fn in (("s", bs.sensitivity), ("bs", bs.block_sensitivity), ("C", bs.certificate_complexity)):
        both = np.maximum(fn(tables, value=1), fn(tables, value=-1))
        assert np.array_equal(both, fn(tables)), name
    assert np.all(bs.min_sensitivity(tables) <= bs.sensitivity(tables))


def test_closed_forms():
    for n in range(1, 7):
        orf = bs.disjunction(n)  # OR: -1 (True) unless every x_i = +1
        assert bs.sensitivity(orf, value=1) == n and bs.sensitivity(orf, value=-1) == 1
        assert bs.certificate_complexity(orf, value=1) == n and bs.certificate_complexity(orf, value=-1) == 1
        assert bs.block_sensitivity(orf, value=1) == n and bs.block_sensitivity(orf, value=-1) == 1
        assert bs.min_sensitivity(bs.parity(n)) == n
        assert bs.min_sensitivity(bs.dictator(n)) == 1
    # tribes of width w and count k: C_{+1} = k (a false coordinate in each tribe), C_{-1} = w
    tr = bs.tribes(2, 3)
    assert (bs.certificate_complexity(tr, value=1), bs.certificate_complexity(tr, value=-1)) == (3, 2)
    assert bs.min_sensitivity(bs.majority(5)) == 0


@pytest.mark.parametrize("c", [1, -1])
def test_a_constant_has_no_input_of_the_other_value(c):
    f = bs.constant(3, c)
    for fn in (bs.sensitivity, bs.block_sensitivity, bs.certificate_complexity):
        assert fn(f, value=c) == 0 and fn(f, value=-c) == 0
    assert bs.min_sensitivity(f) == 0


def test_batches_keep_their_shape():
    tables = random_tables(3, 6, seed=3).reshape(2, 3, 8)
    for fn in (bs.sensitivity, bs.block_sensitivity, bs.certificate_complexity):
        out = fn(tables, value=-1)
        assert out.shape == (2, 3)
        assert [fn(t, value=-1) for t in tables.reshape(6, 8)] == out.reshape(-1).tolist()
    assert bs.min_sensitivity(tables).shape == (2, 3)


@pytest.mark.parametrize("call, match", [
    (lambda: bs.sensitivity(bs.majority(3), value=True), "value=True must be"),
    (lambda: bs.sensitivity(bs.majority(3), value=0), "value=0 must be"),
    (lambda: bs.block_sensitivity(bs.majority(3), value=2), "value=2 must be"),
    (lambda: bs.certificate_complexity(bs.majority(3), value=1, pointwise=True), "exclude each other"),
    (lambda: bs.min_sensitivity(np.array([1.0, 0.5])), "only \\+1 and -1"),
], ids=["bool", "zero", "two", "with-pointwise", "real-table"])
def test_bad_input(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()


def test_boolean_function_methods_call_the_core():
    from fractions import Fraction

    f = bs.tribes(2, 2)
    assert f.sensitivity(value=-1) == bs.sensitivity(f, value=-1)
    assert f.min_sensitivity() == bs.min_sensitivity(f)
    assert f.fractional_block_sensitivity() == bs.fractional_block_sensitivity(f)
    assert list(f.fractional_block_sensitivity(pointwise=True)) == list(bs.fractional_block_sensitivity(f, pointwise=True))
    assert f.approximate_degree() == bs.approximate_degree(f)
    assert f.approximate_degree(Fraction(1, 10)) == bs.approximate_degree(f, Fraction(1, 10))
    assert f.approximation_error(1, exact=True) == bs.approximation_error(f, 1, exact=True)
