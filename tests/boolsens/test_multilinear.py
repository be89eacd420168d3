"""boolsens.multilinear_extension against the brute force of tests/oracle_multilinear.py (the sum
over all subsets, f̂ by the naive sum, in Fractions): every function on n <= 3 and random ones to
n = 8 at random rational points; f̃ = f on the cube, f̃(0) = f̂(∅), the exact midpoint identity in
every coordinate; floats, torch and batches against the exact values; bad input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_multilinear as orc
from boolsens import BoolsensError


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def random_points(n: int, count: int, seed: int, denominator: int = 7) -> list[list[Fraction]]:
    """Rational points of [-1, 1]^n with denominators up to ``denominator`` (±1 and 0 included)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        dens = rng.integers(1, denominator + 1, size=n)
        out.append([Fraction(int(rng.integers(-d, d + 1)), int(d)) for d in dens])
    return out


def cube(n: int) -> list[list[int]]:
    """The points of the cube in table order: coordinate i = (-1)**bit_i(x)."""
    return [[-1 if (x >> i) & 1 else 1 for i in range(n)] for x in range(1 << n)]


def _all_fractions(a) -> bool:
    return all(type(v) is Fraction for v in np.ravel(a))


# ------------------------------------------------------------------------------ against the oracle
@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_every_function_exact(n):
    tables = all_tables(n)
    points = random_points(n, 6, seed=n)
    got = bs.multilinear_extension(tables, points)  # (functions, points)
    assert got.shape == (len(tables), len(points))
    assert _all_fractions(got) or n == 0  # n = 0: empty points carry no Fraction, so floats
    for b, row in enumerate(tables.tolist()):
        assert got[b].tolist() == [orc.extension(row, z) for z in points]


@pytest.mark.parametrize("n,count", [(4, 6), (5, 4), (6, 3), (8, 1)])
def test_random_functions_exact(n, count):
    tables = random_tables(n, count, seed=100 + n)
    points = random_points(n, 3, seed=200 + n, denominator=11)
    got = bs.multilinear_extension(tables, points)
    for b, row in enumerate(tables.tolist()):
        assert got[b].tolist() == [orc.extension(row, z) for z in points]


@pytest.mark.parametrize("n", [2, 5])
def test_real_valued_table(n):
    """A real-valued table: floats, against the oracle reading the floats exactly."""
    table = np.random.default_rng(n).normal(size=1 << n)
    points = np.random.default_rng(n + 1).uniform(-1, 1, size=(4, n))
    got = bs.multilinear_extension(table, points)
    want = [float(orc.extension(table.tolist(), z.tolist())) for z in points]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    integer = np.array([3, -2, 0, 5, 1, 1, -7, 4], dtype=np.int64)  # an integer table stays exact
    z = [Fraction(1, 3), Fraction(-1, 2), Fraction(2, 5)]
    assert bs.multilinear_extension(integer, z) == orc.extension(integer.tolist(), z)


# ------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_equals_f_on_the_cube(n):
    tables = all_tables(n) if n <= 3 else random_tables(n, 40, seed=4)
    pts = cube(n)
    exact = bs.multilinear_extension(tables, [[Fraction(v) for v in z] for z in pts])
    floats = bs.multilinear_extension(tables, np.array(pts, dtype=np.float64))
    assert (exact == tables).all() and _all_fractions(exact)
    assert floats.dtype == np.float64 and (floats == tables).all()


@pytest.mark.parametrize("n", [0, 1, 3, 6])
def test_at_zero_is_the_mean(n):
    tables = random_tables(n, 5, seed=n)
    got = bs.multilinear_extension(tables, [Fraction(0)] * n)
    assert got.tolist() == [Fraction(int(r.sum()), 1 << n) for r in tables]
    assert bs.multilinear_extension(bs.majority(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("n", [1, 3, 6])
def test_midpoint_identity_in_each_coordinate(n):
    """f̃(…, (a+b)/2, …) = (f̃(…a…) + f̃(…b…))/2 exactly: f̃ is affine in every coordinate."""
    tables = random_tables(n, 3, seed=7 + n)
    rng = np.random.default_rng(n)
    for z in random_points(n, 3, seed=30 + n):
        for i in range(n):
            a, b = (Fraction(int(rng.integers(-9, 10)), 9) for _ in range(2))
            za, zb, zm = list(z), list(z), list(z)
            za[i], zb[i], zm[i] = a, b, (a + b) / 2
            got = bs.multilinear_extension(tables, [za, zb, zm])
            assert _all_fractions(got)
            assert (got[:, 2] == (got[:, 0] + got[:, 1]) / 2).all()


def test_closed_forms():
    z = [Fraction(1, 3), Fraction(-2, 5), Fraction(3, 4)]
    assert bs.multilinear_extension(bs.parity(3), z) == z[0] * z[1] * z[2]  # χ_[n]
    assert bs.multilinear_extension(bs.dictator(3, 1), z) == z[1]
    s = sum(z)
    assert bs.multilinear_extension(bs.majority(3), z) == s / 2 - z[0] * z[1] * z[2] / 2
    # AND with True = -1: f = -1 only at (-1, -1, -1): f̃ = 1 - 2 Π (1 - z_i)/2
    prod = Fraction(1)
    for v in z:
        prod *= (1 - v) / 2
    assert bs.multilinear_extension(bs.conjunction(3), z) == 1 - 2 * prod


# ------------------------------------------------------------------------------ kinds and shapes
def test_float_agrees_with_exact():
    tables = random_tables(6, 4, seed=1)
    points = random_points(6, 5, seed=2, denominator=13)
    exact = bs.multilinear_extension(tables, points)
    floats = bs.multilinear_extension(tables, np.array(points, dtype=np.float64))
    assert floats.dtype == np.float64
    np.testing.assert_allclose(floats, exact.astype(np.float64), rtol=0, atol=1e-14)


def test_batch_shapes_and_scalars():
    tables = random_tables(3, 6, seed=3).reshape(2, 3, 8)
    pts = np.random.default_rng(4).uniform(-1, 1, size=(4, 5, 3))
    out = bs.multilinear_extension(tables, pts)
    assert out.shape == (2, 3, 4, 5)
    assert out[1, 2, 3, 4] == pytest.approx(bs.multilinear_extension(tables[1, 2], pts[3, 4]), abs=1e-15)
    assert isinstance(bs.multilinear_extension(tables[0, 0], pts[0, 0]), float)
    assert bs.multilinear_extension(tables[0, 0], pts[0]).shape == (5,)
    assert bs.multilinear_extension(tables, pts[0, 0]).shape == (2, 3)
    assert bs.multilinear_extension(tables[0, 0], np.zeros((0, 3))).shape == (0,)
    f = bs.BooleanFunction(tables[0, 0])
    z = [Fraction(1, 2), Fraction(1, 3), Fraction(-1, 5)]
    assert f.multilinear_extension(z) == bs.multilinear_extension(tables[0, 0], z)
    assert bs.multilinear_extension(bs.constant(0, 1), []) == 1.0  # n = 0: the constant
    ints = [[1, 0, -1]]  # plain ints give floats (exact arithmetic on request: Fractions)
    assert bs.multilinear_extension(bs.majority(3), ints).dtype == np.float64


def test_torch_matches_numpy():
    torch = pytest.importorskip("torch")
    tables = random_tables(5, 3, seed=5)
    pts = np.random.default_rng(6).uniform(-1, 1, size=(7, 5))
    want = bs.multilinear_extension(tables, pts)
    for f, z in ((torch.from_numpy(tables), pts), (tables, torch.from_numpy(pts)),
                 (torch.from_numpy(tables), torch.from_numpy(pts))):
        got = bs.multilinear_extension(f, z)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float64 and got.shape == (3, 7)
        np.testing.assert_allclose(got.numpy(), want, rtol=0, atol=1e-14)
    f32 = bs.multilinear_extension(torch.from_numpy(tables).float(), torch.from_numpy(pts).float())
    assert f32.dtype == torch.float32
    np.testing.assert_allclose(f32.numpy(), want, atol=1e-5)


# ------------------------------------------------------------------------------ bad input
_MAJ = bs.majority(3)
BAD = [
    ("scalar", 0.5, "is a scalar"),
    ("wrong-length", [0.1, 0.2], "last axis must have length n=3"),
    ("wrong-last-axis", np.zeros((4, 2)), "last axis must have length n=3"),
    ("outside", [0.5, 1.5, 0.0], "outside [-1, 1]"),
    ("outside-fraction", [Fraction(3, 2), 0, 0], "outside [-1, 1]"),
    ("nan", [0.0, float("nan"), 0.0], "NaN or inf"),
    ("inf", [0.0, float("inf"), 0.0], "NaN or inf"),
    ("bool", np.array([True, False, True]), "dtype bool"),
    ("complex", np.array([0j, 0, 0]), "dtype complex"),
    ("string", ["a", "b", "c"], "dtype <U1"),
    ("object-junk", np.array([Fraction(1, 2), None, 0], dtype=object), "has the entry None"),
    ("ragged", [[0.1, 0.2, 0.3], [0.1]], "rectangular"),
]


@pytest.mark.parametrize("z,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_points(z, match):
    with pytest.raises(BoolsensError, match=r"z=.*" + __import__("re").escape(match)):
        bs.multilinear_extension(_MAJ, z)


def test_bad_torch_points():
    torch = pytest.importorskip("torch")
    with pytest.raises(BoolsensError, match="outside"):
        bs.multilinear_extension(_MAJ, torch.tensor([0.0, 2.0, 0.0]))
    with pytest.raises(BoolsensError, match="NaN"):
        bs.multilinear_extension(_MAJ, torch.tensor([0.0, float("nan"), 0.0]))
    with pytest.raises(BoolsensError, match="last axis"):
        bs.multilinear_extension(_MAJ, torch.zeros(2))
    with pytest.raises(BoolsensError, match="exact Fraction points"):
        bs.multilinear_extension(torch.from_numpy(_MAJ.signs.copy()), [Fraction(1, 2)] * 3)


def test_bad_table():
    with pytest.raises(BoolsensError, match="not a power of two"):
        bs.multilinear_extension(np.ones(6), [0.0] * 3)
