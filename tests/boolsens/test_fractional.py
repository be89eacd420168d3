"""fractional_block_sensitivity against tests/oracle_lp.py, which enumerates the minimal
sensitive blocks by the definition and solves the LP by enumerating the vertices of the polytope
in Fractions; LP duality fbs(f, x) = FC(f, x) checked by solving the dual the same way; the chain
bs <= fbs <= C; exact Fractions; the rational fallback; batches; bad input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_lp as oracle
from boolsens import BoolsensError
from boolsens import _lp
from boolsens.fractional import fbs_at, minimal_sensitive_blocks


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


EXACT_TWO = [1, 1, 1, -1, 1, -1, -1, 1]  # -1 exactly at weight 2: the blocks {0,1}, {0,2}, {1,2} at x = 0


SAMPLE3 = all_tables(3)[np.random.default_rng(3).choice(256, 24, replace=False)]


@pytest.mark.parametrize("n, tables", [(0, all_tables(0)), (1, all_tables(1)), (2, all_tables(2)), (3, SAMPLE3),
                                       pytest.param(3, all_tables(3), marks=pytest.mark.slow)],
                         ids=["n0", "n1", "n2", "n3-sample", "n3-every"])
def test_pointwise_against_vertex_enumeration_every_function(n, tables):
    got = bs.fractional_block_sensitivity(tables, pointwise=True)
    maxima = bs.fractional_block_sensitivity(tables)
    for b, row in enumerate(tables.tolist()):
        want = [oracle.fbs_at(row, x) for x in range(1 << n)]
        assert list(got[b]) == want
        assert all(isinstance(v, Fraction) for v in got[b])
        assert maxima[b] == max(want) and isinstance(maxima[b], Fraction)


@pytest.mark.parametrize("n, count", [(4, 4), pytest.param(5, 3, marks=pytest.mark.slow)])
def test_random_against_vertex_enumeration(n, count):
    for row in random_tables(n, count, seed=40 + n).tolist():
        got = bs.fractional_block_sensitivity(np.array(row, dtype=np.int8), pointwise=True)
        assert list(got) == [oracle.fbs_at(row, x) for x in range(1 << n)]


@pytest.mark.parametrize("n, tables", [(2, all_tables(2)), (3, SAMPLE3[:6]),
                                       pytest.param(3, all_tables(3), marks=pytest.mark.slow)],
                         ids=["n2", "n3-sample", "n3-every"])
def test_lp_duality_fbs_equals_fractional_certificate_complexity(n, tables):
    for row in tables.tolist():
        for x in range(1 << n):
            assert oracle.fbs_at(row, x) == oracle.fc_at(row, x)


def test_minimal_blocks_match_the_definition():
    for n in (3, 4):
        for row in random_tables(n, 8, seed=n).tolist():
            for x in range(1 << n):
                got = minimal_sensitive_blocks(np.array(row, dtype=np.int8), x).tolist()
                assert got == oracle.minimal_sensitive_blocks(row, x)


@pytest.mark.parametrize("n", [6, 8])
def test_chain_on_random_functions(n):
    tables = random_tables(n, 4, seed=n)
    f = bs.fractional_block_sensitivity(tables)
    assert np.all(bs.block_sensitivity(tables) <= f) and np.all(f <= bs.certificate_complexity(tables))
    pw = bs.fractional_block_sensitivity(tables[:1], pointwise=True)[0]
    assert max(pw) == f[0]
    assert np.all(bs.block_sensitivity(tables[0], pointwise=True) <= pw)
    assert np.all(pw <= bs.certificate_complexity(tables[0], pointwise=True))


def test_closed_forms():
    assert bs.fractional_block_sensitivity(bs.BooleanFunction.from_signs(EXACT_TWO), pointwise=True)[0] == Fraction(3, 2)
    for n in range(1, 7):
        assert bs.fractional_block_sensitivity(bs.parity(n)) == n
        assert bs.fractional_block_sensitivity(bs.disjunction(n)) == n
        assert bs.fractional_block_sensitivity(bs.constant(n)) == 0
    assert bs.fractional_block_sensitivity(bs.majority(5)) == 3
    assert bs.fractional_block_sensitivity(bs.tribes(2, 3)) == 3


def test_the_rational_fallback_agrees():
    """The rational simplex (used when the float basis cannot be made exact) gives the same values."""
    for row in random_tables(4, 4, seed=9):
        for x in range(16):
            blocks = minimal_sensitive_blocks(row, x)
            if blocks.size == 0:
                continue
            A = ((blocks[None, :] >> np.arange(4)[:, None]) & 1).astype(np.int64)
            assert _lp.exact_simplex(np.ones(blocks.size, dtype=np.int64), A, np.ones(4, dtype=np.int64)) == fbs_at(row, x)


def test_a_misread_basis_is_refused():
    """Support recovery from a wrong float point fails the exact check instead of returning a value."""
    A = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=np.int64)
    c, b = np.ones(3, dtype=np.int64), np.ones(3, dtype=np.int64)
    assert _lp.exact_optimum(c, A, b, None, np.array([0.5, 0.5, 0.5]), np.array([0.5, 0.5, 0.5]))[0] == Fraction(3, 2)
    assert _lp.exact_optimum(c, A, b, None, np.array([1.0, 0.0, 0.0]), np.array([1.0, 0.0, 0.0])) is None


def test_batches_keep_their_shape():
    tables = random_tables(3, 6, seed=1).reshape(2, 3, 8)
    out = bs.fractional_block_sensitivity(tables)
    assert out.shape == (2, 3)
    assert bs.fractional_block_sensitivity(tables, pointwise=True).shape == (2, 3, 8)


@pytest.mark.parametrize("call, match", [
    (lambda: bs.fractional_block_sensitivity(bs.parity(13)), "n <= 12; got n=13"),
    (lambda: bs.fractional_block_sensitivity(bs.parity(3), pointwise=1), "pointwise=1 must be True or False"),
    (lambda: bs.fractional_block_sensitivity(np.array([1.0, 0.5])), "only \\+1 and -1"),
], ids=["too-large", "pointwise-int", "real-table"])
def test_bad_input(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()
