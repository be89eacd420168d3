"""The p-biased measures (boolsens.pbiased and the keyword p of the spectral measures) against the
brute force of tests/oracle_pbiased.py (sums over every x weighted by μ_p, in Fractions): every
function on n <= 3, a seeded sample on n = 4, random ones to n = 8, p in {1/3, 1/5, 0.3} and ½;
p = ½ bit for bit equal to the uniform code; the identities of O'Donnell ch. 8; bad input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_pbiased as orc
from boolsens import BoolsensError

EXACT_PS = (Fraction(1, 3), Fraction(1, 5))
#: float p and the rational the oracle reads it as (closer than the tolerance 1e-12)
FLOAT_PS = ((0.3, Fraction(3, 10)), (1 / 3, Fraction(1, 3)))
RHOS = (Fraction(1, 2), Fraction(-1, 3), Fraction(1))


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def _floats(values) -> np.ndarray:
    return np.array([float(v) for v in values])


# ------------------------------------------------------------------------------ against the oracle
@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("p", EXACT_PS, ids=str)
def test_every_function_exact(n, p):
    tables = all_tables(n)  # one batch: the batch axis is tested too
    weights = bs.fourier_weights(tables, p=p)
    infl = bs.influences(tables, p=p)
    total = bs.total_influence(tables, p=p)
    piv = bs.pivotal_probability(tables, p=p)
    stab = {rho: bs.noise_stability(tables, rho, p=p) for rho in RHOS}
    for b, row in enumerate(tables.tolist()):
        assert weights[b].tolist() == orc.weights(row, p)
        assert infl[b].tolist() == orc.influences(row, p)
        assert total[b] == orc.total_influence(row, p)
        assert piv[b].tolist() == [orc.pivotal(row, i, p) for i in range(n)]
        for rho in RHOS:
            assert stab[rho][b] == orc.stability(row, rho, p)
    for out in (weights, infl, total, piv, *stab.values()):
        assert all(type(v) is Fraction for v in np.ravel(out))  # == alone would let an equal float pass


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("p,q", FLOAT_PS, ids=["0.3", "1/3"])
def test_every_function_float(n, p, q):
    tables = all_tables(n)
    coeffs = bs.fourier_coefficients(tables, p=p)
    weights = bs.fourier_weights(tables, p=p)
    infl = bs.influences(tables, p=p)
    stab = bs.noise_stability(tables, np.array([0.5, -0.25]), p=p)
    assert coeffs.dtype == weights.dtype == infl.dtype == np.float64
    for b, row in enumerate(tables.tolist()):
        np.testing.assert_allclose(coeffs[b], orc.coefficients_float(row, q), atol=1e-12)
        np.testing.assert_allclose(weights[b], _floats(orc.weights(row, q)), atol=1e-12)
        np.testing.assert_allclose(infl[b], _floats(orc.influences(row, q)), atol=1e-12)
        np.testing.assert_allclose(stab[b], [float(orc.stability(row, r, q)) for r in (0.5, -0.25)], atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_exact_coefficients_where_rational(n):
    """p = 1/5: σ = 2√(4/25) = 4/5 is rational, so are the coefficients; p = 1/3 is refused."""
    tables = all_tables(n)
    coeffs = bs.fourier_coefficients(tables, p=Fraction(1, 5))
    assert all(type(v) is Fraction for v in coeffs.ravel())
    for b, row in enumerate(tables.tolist()):
        assert coeffs[b].tolist() == orc.coefficients_exact(row, Fraction(1, 5))
    assert orc.coefficients_exact(tables[0].tolist(), Fraction(1, 3)) is None
    with pytest.raises(BoolsensError, match=r"p=1/3 are irrational"):
        bs.fourier_coefficients(tables, p=Fraction(1, 3))


def test_sample_on_n4():
    tables = random_tables(4, 40, seed=4)
    p = Fraction(1, 3)
    weights, infl = bs.fourier_weights(tables, p=p), bs.influences(tables, p=p)
    noisy = bs.noise_operator(tables[:8], Fraction(2, 5), p=p)
    for b, row in enumerate(tables.tolist()):
        assert weights[b].tolist() == orc.weights(row, p)
        assert infl[b].tolist() == orc.influences(row, p)
        if b < 8:
            assert noisy[b].tolist() == orc.noise_operator(row, Fraction(2, 5), p)
            assert all(type(v) is Fraction for v in noisy[b])


@pytest.mark.parametrize("n", [5, 6, pytest.param(7, marks=pytest.mark.slow), pytest.param(8, marks=pytest.mark.slow)])
def test_random_functions_to_n8(n):
    p = Fraction(1, 5)
    for row in random_tables(n, 2, seed=n).tolist():
        assert bs.fourier_weights(row, p=p).tolist() == orc.weights(row, p)
        assert bs.influences(row, p=p).tolist() == orc.influences(row, p)
        assert bs.pivotal_probability(row, 1, p=p) == orc.pivotal(row, 1, p)
        assert bs.fourier_coefficients(row, p=p).tolist() == orc.coefficients_exact(row, p)
        np.testing.assert_allclose(bs.influences(row, p=0.3), _floats(orc.influences(row, Fraction(3, 10))), atol=1e-12)


@pytest.mark.parametrize("p", [Fraction(1, 3), 0.25], ids=str)
def test_real_valued_tables(p):
    """Integer and float tables take the general paths (differences, not edge counts)."""
    rng = np.random.default_rng(7)
    ints = rng.integers(-3, 4, size=(5, 8))
    reals = rng.standard_normal((5, 8)).round(3)
    exact = isinstance(p, Fraction)
    for tables in (ints, reals):
        infl, weights = bs.influences(tables, p=p), bs.fourier_weights(tables, p=p)
        stab = bs.noise_stability(tables, Fraction(1, 2) if exact else 0.5, p=p)
        for b, row in enumerate(tables.tolist()):
            if exact:
                assert all(isinstance(v, Fraction) for v in infl[b].tolist() + weights[b].tolist())
                assert infl[b].tolist() == orc.influences(row, p)
                assert weights[b].tolist() == orc.weights(row, p)
                assert stab[b] == orc.stability(row, Fraction(1, 2), p)
            else:
                np.testing.assert_allclose(infl[b], _floats(orc.influences(row, p)), atol=1e-12)
                np.testing.assert_allclose(weights[b], _floats(orc.weights(row, p)), atol=1e-12)
                assert stab[b] == pytest.approx(float(orc.stability(row, 0.5, p)), abs=1e-12)


def test_wide_integers_stay_exact():
    """An int64 table whose p-biased transform leaves int64 is done in Python integers."""
    big = np.array([2**60, -(2**60), 3, 2**59], dtype=np.int64)
    p = Fraction(2, 7)
    assert bs.fourier_weights(big, p=p).tolist() == orc.weights(big.tolist(), p)
    assert bs.influences(big, p=p).tolist() == orc.influences(big.tolist(), p)
    assert bs.fourier_coefficients(big, p=Fraction(1, 2)).tolist() == orc.coefficients_exact(big.tolist(), Fraction(1, 2))
    coeffs = bs.fourier_coefficients(big, p=Fraction(1, 10)).tolist()
    assert coeffs == orc.coefficients_exact(big.tolist(), Fraction(1, 10))
    assert all(isinstance(c, Fraction) for c in coeffs)


def test_exact_and_float_agree_at_n12():
    f = bs.random_function(12, seed=12)
    p = Fraction(2, 9)
    np.testing.assert_allclose(_floats(bs.influences(f, p=p)), bs.influences(f, p=float(p)), rtol=1e-12)
    np.testing.assert_allclose(_floats(bs.fourier_weights(f, p=p)), bs.fourier_weights(f, p=float(p)),
                               rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("n", [10, 11, 13, 16])
def test_blocked_kernel_from_the_definition(n):
    """From n = 11 on the edge counts come from the 16-word blocked kernel (n = 10 from the scalar one): its exact p-biased
    influences equal the definition's, Σ over the edges {x, x^i} on which f differs of
    μ_p(lower end) with p^k (1 − p)^(n−1−k) by the level k of the end x_i = +1, counted in numpy."""
    tables = random_tables(n, 2, seed=n)
    odd = n - 1 + n % 2                                    # a structured one: majority of the odd top bits
    tables[1] = np.repeat(np.asarray(bs.majority(odd).signs, dtype=np.int8), 1 << (n - odd))
    p = Fraction(2, 7)
    got = bs.influences(tables, p=p)
    x = np.arange(1 << n)
    level = np.array([bin(v).count("1") for v in range(1 << n)])
    for b, table in enumerate(tables):
        for i in range(n):
            low = x[(x >> i) & 1 == 0]                       # the ends with x_i = +1 (bit i clear)
            ks = level[low][table[low] != table[low ^ (1 << i)]]
            want = 4 * p * (1 - p) * sum((Fraction(int(c)) * p**k * (1 - p) ** (n - 1 - k)
                                          for k, c in enumerate(np.bincount(ks, minlength=n))), Fraction(0))
            assert got[b][i] == want, (n, b, i)


# ------------------------------------------------------------------------------ p = 1/2 is today's code
def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b) and a.dtype == b.dtype and a.shape == b.shape
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("make", [
    lambda: bs.majority(5),
    lambda: bs.random_function(9, seed=3),
    lambda: np.array(bs.random_function(6, seed=1).signs),
    lambda: np.array(bs.random_function(6, seed=2).signs, dtype=np.float64),
    lambda: random_tables(4, 6, seed=5),
    lambda: np.random.default_rng(3).standard_normal((3, 16)),
], ids=["BooleanFunction", "random n=9", "int8", "float64 ±1", "batch", "real"])
@pytest.mark.parametrize("half", [0.5, None], ids=["p=0.5", "p=None"])
def test_half_is_todays_code_bit_for_bit(make, half):
    f = make()
    for exact in (False, True):
        assert _same(bs.fourier_coefficients(f, exact=exact, p=half), bs.fourier_coefficients(f, exact=exact))
        assert _same(bs.fourier_weights(f, exact=exact, p=half), bs.fourier_weights(f, exact=exact))
        assert _same(bs.influences(f, exact=exact, p=half), bs.influences(f, exact=exact))
        assert _same(bs.influence(f, 1, exact=exact, p=half), bs.influence(f, 1, exact=exact))
        assert _same(bs.total_influence(f, exact=exact, p=half), bs.total_influence(f, exact=exact))
    for rho in (0.3, np.array([0.1, -0.9]), Fraction(1, 3)):
        assert _same(bs.noise_stability(f, rho, p=half), bs.noise_stability(f, rho))
    # a Fraction ½ is the exact uniform code
    assert _same(bs.fourier_weights(f, p=Fraction(1, 2)), bs.fourier_weights(f, exact=True))
    assert _same(bs.influences(f, p=Fraction(1, 2)), bs.influences(f, exact=True))


def test_pivotal_at_half_is_the_influence():
    f = bs.random_function(7, seed=9)
    assert _same(bs.pivotal_probability(f), bs.influences(f))
    assert _same(bs.pivotal_probability(f, exact=True), bs.influences(f, exact=True))
    assert bs.pivotal_probability(f, 3, p=Fraction(1, 2)) == bs.influence(f, 3, exact=True)


def test_methods_call_the_core():
    f = bs.tribes(2, 3)
    p = Fraction(1, 4)
    assert _same(f.influences(p=p), bs.influences(f, p=p))
    assert _same(f.fourier_weights(p=0.2), bs.fourier_weights(f, p=0.2))
    assert _same(f.fourier_coefficients(p=0.2), bs.fourier_coefficients(f, p=0.2))
    assert f.total_influence(p=p) == bs.total_influence(f, p=p)
    assert f.noise_stability(Fraction(1, 2), p=p) == bs.noise_stability(f, Fraction(1, 2), p=p)


# ------------------------------------------------------------------------------ identities
@pytest.mark.parametrize("p", [Fraction(1, 3), Fraction(1, 5), Fraction(7, 8)], ids=str)
def test_identities(p):
    tables = np.concatenate([all_tables(3), random_tables(5, 20, seed=11)[:, :8]])
    pq = p * (1 - p)
    for row in tables.tolist():
        expect = orc.expectation(row, p)
        assert sum(bs.fourier_weights(row, p=p).tolist()) == 1  # Parseval: E_{μ_p}[f²] = 1 for ±1 f
        assert bs.influences(row, p=p).tolist() == [4 * pq * v for v in bs.pivotal_probability(row, p=p).tolist()]
        assert bs.noise_stability(row, Fraction(1), p=p) == 1
        assert bs.noise_stability(row, Fraction(0), p=p) == expect**2
        t = bs.noise_operator(row, Fraction(1, 3), p=p)
        assert sum(orc.mu_p(x, 3, p) * t[x] for x in range(8)) == expect  # E_{μ_p}[T_ρ f] = f̂_p(∅)
        assert bs.fourier_coefficients(row, p=float(p))[0] == pytest.approx(float(expect), abs=1e-14)
        assert sum(orc.mu_p(x, 3, p) * row[x] * t[x] for x in range(8)) == bs.noise_stability(row, Fraction(1, 3), p=p)
    real = [1.5, -2, 0, 5, 1, 1, -0.25, 2]
    assert sum(bs.fourier_weights(real, p=p).tolist()) == orc.expectation([v * v for v in real], p)


def test_noise_operator_at_half_is_the_spectral_formula():
    f = bs.random_function(6, seed=6)
    rho = 0.35
    c = bs.fourier_coefficients(f)
    level = np.array([bin(S).count("1") for S in range(64)])
    np.testing.assert_allclose(bs.noise_operator(f, rho), bs.ifwht(c * rho**level) * 64, atol=1e-12)
    exact = bs.noise_operator(f, Fraction(7, 20))
    assert exact.tolist() == orc.noise_operator(f.signs.tolist(), Fraction(7, 20), Fraction(1, 2))


@pytest.mark.parametrize("p", [0.25, Fraction(1, 3)], ids=str)
def test_noise_operator_against_oracle(p):
    rng = np.random.default_rng(2)
    tables = np.concatenate([random_tables(3, 3, seed=3).astype(np.float64), rng.standard_normal((2, 8)).round(2)])
    out = bs.noise_operator(tables, Fraction(-1, 2), p=p)
    for b, row in enumerate(tables.tolist()):
        want = orc.noise_operator(row, Fraction(-1, 2), p)
        if isinstance(p, Fraction):
            assert out[b].tolist() == want
        else:
            np.testing.assert_allclose(out[b], _floats(want), atol=1e-12)


def test_closed_forms():
    """Dictator: Inf^{(p)}_0 = 4p(1−p); MAJ_3: Pr[i pivotal] = 2p(1−p); PARITY_n: every φ_S weight
    on the top level is ... Σ_k W_p^k(χ_[n]) with W_p^n = (4p(1−p))^n... checked as Inf = 4pq each."""
    p = Fraction(2, 7)
    pq = p * (1 - p)
    assert bs.influences(bs.dictator(3, i=0), p=p).tolist() == [4 * pq, 0, 0]
    assert bs.pivotal_probability(bs.majority(3), p=p).tolist() == [2 * pq] * 3
    # parity: x_i = μ + σ φ_i, so χ_[n] = Π(μ + σφ_i) and W^k_p = C(n, k) μ^{2(n−k)} σ^{2k}
    n, mu, s2 = 4, 1 - 2 * p, 4 * pq
    from math import comb
    assert bs.fourier_weights(bs.parity(n), p=p).tolist() == [comb(n, k) * mu ** (2 * (n - k)) * s2**k for k in range(n + 1)]


def test_batch_shapes_and_torch():
    tables = random_tables(3, 6, seed=1).reshape(2, 3, 8)
    assert bs.fourier_weights(tables, p=0.2).shape == (2, 3, 4)
    assert bs.influences(tables, p=Fraction(1, 3)).shape == (2, 3, 3)
    assert bs.total_influence(tables, p=0.2).shape == (2, 3)
    assert bs.pivotal_probability(tables, 0, p=0.2).shape == (2, 3)
    assert bs.noise_operator(tables, 0.5, p=0.2).shape == (2, 3, 8)
    assert bs.noise_stability(tables, np.array([0.1, 0.2, 0.3]), p=0.2).shape == (2, 3, 3)
    for p in (0.3, Fraction(1, 3)):  # n = 0
        assert bs.influences(bs.constant(0, 1), p=p).shape == bs.pivotal_probability(bs.constant(0, 1), p=p).shape == (0,)
        assert bs.total_influence(bs.constant(0, 1), p=p) == 0
        assert bs.fourier_coefficients(bs.constant(0, -1), p=p).tolist() == [-1]
        assert bs.noise_operator(bs.constant(0, -1), Fraction(1, 2), p=p).tolist() == [-1]
    torch = pytest.importorskip("torch")
    tt = torch.as_tensor(tables[0].astype(np.float32))
    for fn in (bs.influences, bs.fourier_weights, bs.fourier_coefficients, bs.total_influence, bs.pivotal_probability):
        out = fn(tt, p=0.2)
        assert isinstance(out, torch.Tensor)
        np.testing.assert_allclose(out.numpy(), fn(tables[0], p=0.2), rtol=1e-6)


# ------------------------------------------------------------------------------ bad input
BAD = [
    ("p zero", lambda: bs.influences(bs.majority(3), p=0), r"p=0 must lie in \(0, 1\)"),
    ("p one", lambda: bs.fourier_weights(bs.majority(3), p=1.0), r"p=1.0 must lie in \(0, 1\)"),
    ("p negative", lambda: bs.total_influence(bs.majority(3), p=-0.1), r"p=-0.1 must lie in \(0, 1\)"),
    ("p fraction", lambda: bs.noise_stability(bs.majority(3), 0.5, p=Fraction(3, 2)), r"p=Fraction\(3, 2\) must lie"),
    ("p nan", lambda: bs.influences(bs.majority(3), p=float("nan")), r"p=nan must be finite"),
    ("p bool", lambda: bs.influences(bs.majority(3), p=True), r"p=True must be a real number"),
    ("p string", lambda: bs.fourier_coefficients(bs.majority(3), p="0.3"), r"p='0.3' must be a real number"),
    ("p array", lambda: bs.influences(bs.majority(3), p=np.array([0.2, 0.3])), r"must be a real number"),
    ("exact float p", lambda: bs.influences(bs.majority(3), exact=True, p=0.3), r"exact=True with p=0.3"),
    ("irrational", lambda: bs.fourier_coefficients(bs.majority(3), p=Fraction(1, 3)), r"irrational"),
    ("pivotal real", lambda: bs.pivotal_probability(np.array([0.5, 1, 1, 1]), p=0.3), r"only \+1 and -1"),
    ("pivotal i", lambda: bs.pivotal_probability(bs.majority(3), 3, p=0.3), r"i=3 must lie in \[0, 3\)"),
    ("noise rho", lambda: bs.noise_operator(bs.majority(3), 1.5), r"rho=1.5 must lie in \[-1, 1\]"),
    ("noise rho array", lambda: bs.noise_operator(bs.majority(3), np.array([0.1, 0.2])), r"must be a scalar"),
    ("noise p", lambda: bs.noise_operator(bs.majority(3), 0.5, p=2), r"p=2 must lie in \(0, 1\)"),
    ("stability rho", lambda: bs.noise_stability(bs.majority(3), -2, p=0.3), r"rho=-2 must lie in \[-1, 1\]"),
]


@pytest.mark.parametrize("call,match", [(c, m) for _, c, m in BAD], ids=[name for name, _, _ in BAD])
def test_bad_arguments(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()


def test_boofun_agrees_where_installed():
    """boofun 1.3's summed p-biased measures (skipped without boofun; bench/compare_boofun_pbiased.py
    runs it in its own virtualenv, with its Monte-Carlo influences, and reports the figures)."""
    bf = pytest.importorskip("boofun")
    from boofun.analysis import p_biased as pb

    for f in (bs.majority(5), bs.threshold([3, 2, 1, 1]), bs.random_function(6, seed=2)):
        g = bf.create([int(v) for v in (f.signs == -1)])
        for p in (Fraction(1, 10), Fraction(7, 10)):
            np.testing.assert_allclose([pb.p_biased_influence(g, i, float(p)) for i in range(f.n)],
                                       _floats(bs.pivotal_probability(f, p=p)), atol=1e-12)
            coeffs = pb.p_biased_fourier_coefficients(g, float(p))
            np.testing.assert_allclose([coeffs.get(S, 0.0) for S in range(1 << f.n)],
                                       bs.fourier_coefficients(f, p=float(p)), atol=1e-9)


@pytest.mark.parametrize("p", [Fraction(1, 3), Fraction(2, 7), Fraction(1, 2**40), Fraction(999_999, 1_000_000)])
def test_polynomial_in_p_int64_path_equals_python_integers(p):
    """The exact polynomial Σ_k c[i, k] p^k (1 − p)^(n−1−k) takes an int64 dot product when every sum
    fits, Python integers otherwise (the large denominators here): the same Fractions either way."""
    from boolsens import pbiased as pb

    counts = np.random.default_rng(5).integers(0, 1 << 19, size=(3, 20, 20), dtype=np.int64)
    factor = Fraction(4) * p * (1 - p)
    fast = pb._poly_in_p(counts, p, True, factor=factor)
    slow = pb._poly_in_p(counts.astype(object), p, True, factor=factor)
    assert fast.shape == slow.shape == (3, 20) and fast.tolist() == slow.tolist()
    assert all(type(v) is Fraction for v in fast.ravel())
