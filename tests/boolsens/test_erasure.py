"""boolsens.erasure_moment against the brute force of tests/oracle_multilinear.py (the sum over all
3**n states of {-1, 0, 1}^n with f̃ by the subset sum, in Fractions): every function on n <= 3 and
random ones to n = 7; order 2 equal to Stab_{1-p} exactly; p = 0 and p = 1; closed forms; the
invariances the docs' walkthrough relies on; floats against the exact values; bad input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_multilinear as orc
from boolsens import BoolsensError

PS = (Fraction(2, 5), Fraction(1, 3), Fraction(0), Fraction(1))


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def _all_fractions(a) -> bool:
    return all(type(v) is Fraction for v in np.ravel(a))


# ------------------------------------------------------------------------------ against the oracle
@pytest.mark.parametrize("n", [0, 1, 2, pytest.param(3, marks=pytest.mark.slow)])
@pytest.mark.parametrize("order", [1, 2, 3])
def test_every_function_exact(n, order):
    tables = all_tables(n)
    for p in PS:
        got = bs.erasure_moment(tables, p, order=order)
        assert got.shape == (len(tables),) and _all_fractions(got)
        assert got.tolist() == [orc.erasure_moment(row, p, order) for row in tables.tolist()]


@pytest.mark.parametrize("n,count", [(4, 3), (5, 2)])
def test_random_functions_exact(n, count):
    tables = random_tables(n, count, seed=10 + n)
    p = Fraction(2, 5)
    got = bs.erasure_moment(tables, p)
    assert got.tolist() == [orc.erasure_moment(row, p) for row in tables.tolist()]


@pytest.mark.slow
@pytest.mark.parametrize("n,count", [(6, 3), (7, 2)])
def test_random_functions_exact_larger(n, count):
    tables = random_tables(n, count, seed=20 + n)
    for p, order in ((Fraction(2, 5), 1), (Fraction(1, 7), 3)):
        got = bs.erasure_moment(tables, p, order=order)
        assert got.tolist() == [orc.erasure_moment(row, p, order) for row in tables.tolist()]


def test_integer_table_exact():
    """An integer-valued (not ±1) table is exact too, including where int64 would overflow."""
    table = np.array([3, -2, 0, 5, 1, 1, -7, 4], dtype=np.int64)
    for p, order in ((Fraction(2, 5), 1), (Fraction(1, 3), 2)):
        assert bs.erasure_moment(table, p, order=order) == orc.erasure_moment(table.tolist(), p, order)
    big = np.array([2**40, -(2**40), 3, 0], dtype=np.int64)
    assert bs.erasure_moment(big, Fraction(1, 3), order=4) == orc.erasure_moment(big.tolist(), Fraction(1, 3), 4)


@pytest.mark.parametrize("n", [2, 5])
def test_real_valued_table(n):
    table = np.random.default_rng(n).normal(size=1 << n)
    got = bs.erasure_moment(table, 0.3)
    assert isinstance(got, float)
    assert got == pytest.approx(float(orc.erasure_moment(table.tolist(), 0.3)), rel=1e-12)
    assert bs.erasure_moment(table, Fraction(3, 10)) == pytest.approx(got, rel=1e-12)  # float table: float


# ------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("n", [1, 3, 5, 8])
def test_order_two_is_noise_stability(n):
    tables = all_tables(n) if n <= 3 else random_tables(n, 4, seed=n)
    for p in (Fraction(2, 5), Fraction(1, 3), Fraction(5, 7), Fraction(0), Fraction(1)):
        got = bs.erasure_moment(tables, p, order=2)
        want = bs.noise_stability(tables, 1 - p)
        assert _all_fractions(got) and got.tolist() == list(want)


@pytest.mark.parametrize("n", [1, 4, 7])
def test_end_points(n):
    tables = random_tables(n, 5, seed=30 + n)
    assert bs.erasure_moment(tables, 0).tolist() == [Fraction(1)] * 5  # E|f| = 1 for ±1 f
    mean = [Fraction(int(r.sum()), 1 << n) for r in tables]
    for order in (1, 2, 3):
        assert bs.erasure_moment(tables, Fraction(1), order=order).tolist() == [abs(m) ** order for m in mean]
        assert bs.erasure_moment(tables, 1, order=order).tolist() == [abs(m) ** order for m in mean]
    real = np.array([0.5, -2.0, 3.0, 0.25])
    assert bs.erasure_moment(real, 0.0) == pytest.approx(np.abs(real).mean())
    assert bs.erasure_moment(real, 0.0, order=2) == pytest.approx((real**2).mean())
    assert bs.erasure_moment(real, 1.0) == pytest.approx(abs(real.mean()))


def test_closed_forms():
    p = Fraction(2, 5)
    for n in (1, 4, 9):
        assert bs.erasure_moment(bs.parity(n), p, order=1) == (1 - p) ** n  # |χ(Z)| = 1 iff no zero
        assert bs.erasure_moment(bs.dictator(n, n - 1), p, order=3) == 1 - p
    assert bs.erasure_moment(bs.majority(3), Fraction(1, 2)) == Fraction(1, 2)
    # MAJ_3: f̃ = (z0+z1+z2)/2 − z0 z1 z2/2; |f̃| = 1, 1 or 0, 1/2, 0 with 0, 1, 2, 3 zeros
    q = 1 - p
    want = q**3 + 3 * p * q**2 * Fraction(1, 2) + 3 * p**2 * q * Fraction(1, 2)
    assert bs.erasure_moment(bs.majority(3), p) == want


def test_invariant_under_npn():
    """Permuting or negating inputs and negating f leave every moment unchanged (the walkthrough
    evaluates one function per class because of this)."""
    rng = np.random.default_rng(3)
    n = 5
    f = random_tables(n, 1, seed=4)[0]
    idx = np.arange(1 << n)
    for _ in range(4):
        perm, mask = rng.permutation(n), int(rng.integers(0, 1 << n))
        # g(x) = f(π(x) ⊕ m): bit perm[i] of the source index is bit i of x
        src = np.zeros_like(idx)
        for i in range(n):
            src |= ((idx >> i) & 1) << perm[i]
        g = -f[src ^ mask]
        for order in (1, 3):
            assert bs.erasure_moment(g, Fraction(2, 5), order=order) == bs.erasure_moment(f, Fraction(2, 5), order=order)


def test_float_agrees_with_exact_and_batches():
    tables = random_tables(6, 6, seed=8).reshape(2, 3, 64)
    exact = bs.erasure_moment(tables, Fraction(2, 5))
    floats = bs.erasure_moment(tables, 0.4)
    assert exact.shape == floats.shape == (2, 3) and floats.dtype == np.float64
    np.testing.assert_allclose(floats, exact.astype(np.float64), rtol=1e-13)
    f = bs.BooleanFunction(tables[0, 0])
    assert f.erasure_moment(Fraction(2, 5)) == exact[0, 0]
    assert bs.erasure_moment(np.float32(0.4) * 0 + tables[0, 0].astype(np.float32), 0.4) == pytest.approx(floats[0, 0])


def test_torch_is_read_to_the_cpu():
    torch = pytest.importorskip("torch")
    table = random_tables(4, 1, seed=9)[0]
    assert bs.erasure_moment(torch.from_numpy(table), Fraction(2, 5)) == bs.erasure_moment(table, Fraction(2, 5))


# ------------------------------------------------------------------------------ bad input
BAD = [
    ("p-negative", dict(p=-0.1), r"p=-0\.1 must lie in \[0, 1\]"),
    ("p-above-one", dict(p=Fraction(3, 2)), r"p=Fraction\(3, 2\) must lie in \[0, 1\]"),
    ("p-nan", dict(p=float("nan")), r"p=nan must be finite"),
    ("p-bool", dict(p=True), r"p=True must be a real number"),
    ("p-string", dict(p="0.4"), r"p='0.4' must be a real number"),
    ("p-array", dict(p=np.array([0.1, 0.2])), r"must be a real number"),
    ("order-zero", dict(p=0.4, order=0), r"order=0 must be an integer >= 1"),
    ("order-float", dict(p=0.4, order=1.5), r"order=1.5 must be an integer >= 1"),
    ("order-bool", dict(p=0.4, order=True), r"order=True must be an integer >= 1"),
]


@pytest.mark.parametrize("kwargs,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments(kwargs, match):
    with pytest.raises(BoolsensError, match=match):
        bs.erasure_moment(bs.majority(3), **kwargs)


def test_too_many_variables():
    with pytest.raises(BoolsensError, match=r"n=13 variables; an exact .* limited to n <= 12"):
        bs.erasure_moment(bs.parity(13), Fraction(2, 5))
    with pytest.raises(BoolsensError, match=r"n=17 variables; a floating-point .* limited to n <= 16"):
        bs.erasure_moment(bs.parity(17), 0.4)
    with pytest.raises(BoolsensError, match="not a power of two"):
        bs.erasure_moment(np.ones(6), 0.4)
