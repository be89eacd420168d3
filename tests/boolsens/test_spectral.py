"""boolsens.spectral (spectral norm, Fourier sparsity, Fourier entropy, nonlinearity, bentness)
against an independent brute force written here from the definitions: the coefficients by the
naive sum over x in Fractions, the nonlinearity as the least Hamming distance to the 2**(n+1)
affine functions. Every function on n <= 3, seeded random ones on n = 6, every function on n = 4
for the covering-radius bound and the count of bent functions; closed forms; batches; bad input.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError


# ------------------------------------------------------------------------------ the brute force
def _chi(S: int, x: int) -> int:
    return -1 if bin(S & x).count("1") % 2 else 1


def brute_coeffs(table) -> list[Fraction]:
    """f̂(S) = 2**-n Σ_x f(x) χ_S(x), summed naively in Fractions."""
    N = len(table)
    return [sum((Fraction(table[x]) * _chi(S, x) for x in range(N)), Fraction(0)) / N for S in range(N)]


def brute_norm(table) -> Fraction:
    return sum((abs(c) for c in brute_coeffs(table)), Fraction(0))


def brute_sparsity(table) -> int:
    return sum(1 for c in brute_coeffs(table) if c != 0)


def brute_entropy(table) -> float:
    return sum(float(c * c) * math.log2(1 / float(c * c)) for c in brute_coeffs(table) if c != 0)


def brute_nonlinearity(table) -> int:
    """min over a in [0, 2**n), c in {0, 1} of #{x : f(x) != (-1)**(a·x + c)}."""
    N = len(table)
    best = N
    for a in range(N):
        for c in (1, -1):
            best = min(best, sum(1 for x in range(N) if table[x] != c * _chi(a, x)))
    return best


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


CASES = [all_tables(n) for n in range(4)] + [random_tables(6, 12, seed=16)]


# ------------------------------------------------------------------------------ against the brute force
@pytest.mark.parametrize("tables", CASES, ids=["n0", "n1", "n2", "n3", "n6-random"])
def test_against_the_brute_force(tables):
    norms = bs.spectral_norm(tables, exact=True)
    floats = bs.spectral_norm(tables)
    sparsity = bs.fourier_sparsity(tables)
    entropy = bs.fourier_entropy(tables)
    nl = bs.nonlinearity(tables)
    bent = bs.is_bent(tables)
    n = int(np.log2(tables.shape[1]))
    for b, row in enumerate(tables.tolist()):
        want_norm = brute_norm(row)
        assert norms[b] == want_norm and isinstance(norms[b], Fraction)
        assert floats[b] == float(want_norm)
        assert sparsity[b] == brute_sparsity(row)
        assert entropy[b] == pytest.approx(brute_entropy(row), abs=1e-12)
        want_nl = brute_nonlinearity(row)
        assert nl[b] == want_nl
        # bent: a flat spectrum, f̂(S)² = 2**-n for every S (n even)
        flat = n % 2 == 0 and all(c * c == Fraction(1, 1 << n) for c in brute_coeffs(row))
        assert bool(bent[b]) == flat


def test_single_functions_give_python_scalars():
    f = bs.majority(3)
    assert isinstance(bs.spectral_norm(f), float)
    assert isinstance(bs.spectral_norm(f, exact=True), Fraction)
    assert isinstance(bs.fourier_sparsity(f), int)
    assert isinstance(bs.fourier_entropy(f), float)
    assert isinstance(bs.nonlinearity(f), int)
    assert isinstance(bs.is_bent(f), bool)


# ------------------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_parity(n):
    f = bs.parity(n)
    assert bs.spectral_norm(f) == 1.0 and bs.spectral_norm(f, exact=True) == 1
    assert bs.fourier_sparsity(f) == 1
    assert bs.fourier_entropy(f) == 0.0
    assert bs.nonlinearity(f) == 0
    assert bs.is_bent(f) is False


def test_majority_3():
    f = bs.majority(3)
    assert bs.fourier_sparsity(f) == 4
    assert bs.fourier_entropy(f) == 2.0  # four coefficients ±1/2: weights 1/4 each
    assert bs.spectral_norm(f, exact=True) == 2
    assert bs.nonlinearity(f) == 2


@pytest.mark.parametrize("m", [1, 2, 3, 4, 6])
def test_inner_product_is_bent(m):
    f = bs.inner_product(m)
    n = 2 * m
    assert bs.is_bent(f) is True
    assert bs.nonlinearity(f) == (1 << (n - 1)) - (1 << (n // 2 - 1))
    assert bs.fourier_sparsity(f) == 1 << n
    assert bs.fourier_entropy(f) == float(n)
    assert bs.spectral_norm(f, exact=True) == 1 << m


@pytest.mark.parametrize("n", [1, 3, 5, 7])
def test_no_function_on_odd_n_is_bent(n):
    tables = all_tables(n) if n <= 3 else random_tables(n, 200, seed=n)
    assert not np.any(bs.is_bent(tables))
    assert bs.is_bent(bs.majority(n)) is False


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_the_covering_radius_bound_with_equality_exactly_for_bent(n):
    """NL(f) <= 2**(n-1) - 2**(n/2-1) on every function of n <= 4; equality iff bent; and n = 4 has
    896 bent functions (the known count). The nonlinearity is checked against the affine
    functions' distances, here as one matrix product."""
    tables = all_tables(n)
    N = 1 << n
    affine = np.array([[c * _chi(a, x) for x in range(N)] for a in range(N) for c in (1, -1)], dtype=np.int64)
    # Hamming distance = (N - <f, g>) / 2 for ±1 vectors f, g
    want = ((N - tables.astype(np.int64) @ affine.T) // 2).min(axis=1)
    nl = bs.nonlinearity(tables)
    bent = bs.is_bent(tables)
    assert np.array_equal(nl, want)
    bound = 2.0 ** (n - 1) - 2.0 ** (n / 2 - 1)
    assert np.all(nl <= bound)
    if n % 2 == 0:
        assert np.array_equal(bent, nl == bound)
    else:
        assert not bent.any() and np.all(nl < bound)
    if n == 4:
        assert int(bent.sum()) == 896
    if n == 2:
        assert int(bent.sum()) == 8  # the odd-weight functions on 2 variables


def test_bent_has_sparsity_4_to_the_m_and_entropy_n():
    tables = all_tables(4)
    bent = bs.is_bent(tables)
    assert np.all(bs.fourier_sparsity(tables[bent]) == 16)
    assert np.all(bs.fourier_entropy(tables[bent]) == 4.0)
    assert np.all(bs.fourier_entropy(tables[~bent]) < 4.0)


# ------------------------------------------------------------------------------ batches and inputs
@pytest.mark.parametrize("name", ["spectral_norm", "fourier_sparsity", "fourier_entropy", "nonlinearity", "is_bent"])
def test_batch_equals_one_by_one(name):
    fn = getattr(bs, name)
    tables = random_tables(5, 12, seed=7).reshape(3, 4, 32)
    batch = fn(tables)
    assert batch.shape == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        assert batch[i, j] == fn(tables[i, j])
        assert fn(bs.BooleanFunction(tables[i, j])) == batch[i, j]


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float64, np.float32])
def test_every_dtype_of_a_pm1_table_gives_the_same(dtype):
    tables = random_tables(6, 5, seed=3)
    ref = [bs.spectral_norm(tables, exact=True), bs.fourier_sparsity(tables), bs.fourier_entropy(tables),
           bs.nonlinearity(tables), bs.is_bent(tables)]
    t = tables.astype(dtype)
    got = [bs.spectral_norm(t, exact=True), bs.fourier_sparsity(t), bs.fourier_entropy(t),
           bs.nonlinearity(t), bs.is_bent(t)]
    for a, b in zip(ref, got):
        assert np.array_equal(a, b)


def test_torch_in_torch_out():
    torch = pytest.importorskip("torch")
    tables = random_tables(4, 6, seed=5)
    for dtype in (torch.int8, torch.float32, torch.float64):
        t = torch.from_numpy(tables).to(dtype)
        assert torch.is_tensor(bs.nonlinearity(t))
        assert bs.nonlinearity(t).tolist() == bs.nonlinearity(tables).tolist()
        assert bs.is_bent(t).tolist() == bs.is_bent(tables).tolist()
        assert bs.fourier_sparsity(t).tolist() == bs.fourier_sparsity(tables).tolist()
        assert bs.spectral_norm(t).tolist() == bs.spectral_norm(tables).tolist()
        assert np.allclose(bs.fourier_entropy(t).numpy(), bs.fourier_entropy(tables), atol=1e-12)
    real = torch.tensor([0.5, 0.25, 0.0, -1.5], dtype=torch.float64)
    assert bs.fourier_sparsity(real).item() == brute_sparsity([0.5, 0.25, 0.0, -1.5])


def test_integer_and_real_tables():
    ints = np.array([[3, -1, 0, 2, 5, -7, 1, 1], [0, 0, 0, 0, 0, 0, 0, 0]], dtype=np.int64)
    reals = np.array([[0.5, 0.25, 0.0, -1.5, 0.125, 0.1, 2.0, -0.75]])
    for tables in (ints, reals):
        norms = bs.spectral_norm(tables, exact=True)
        for b, row in enumerate(tables.tolist()):
            assert norms[b] == brute_norm(row)
            assert bs.spectral_norm(tables)[b] == pytest.approx(float(brute_norm(row)), rel=1e-15)
            assert bs.fourier_sparsity(tables)[b] == brute_sparsity(row)
            assert bs.fourier_entropy(tables)[b] == pytest.approx(brute_entropy(row), abs=1e-12)
    # the zero table: no nonzero coefficient
    assert bs.fourier_sparsity(ints)[1] == 0 and bs.spectral_norm(ints)[1] == 0.0


def test_integer_tables_beyond_int64_are_exact():
    big = 1 << 62
    row = [big, big, -big, big]
    t = np.array(row, dtype=np.int64)
    assert bs.spectral_norm(t, exact=True) == brute_norm(row)
    assert bs.fourier_sparsity(t) == brute_sparsity(row)


def test_sparsity_of_a_real_table_is_exact_not_a_tolerance():
    # 1 + 2**-52 at one point: three coefficients of ±2**-54, tiny but nonzero, so they count
    row = [1.0, 1.0 + 2.0**-52, 1.0, 1.0]
    assert bs.fourier_sparsity(np.array(row)) == brute_sparsity(row) == 4
    assert bs.fourier_sparsity(np.array([1.0, 1.0, 1.0, 1.0])) == 1


BAD = [
    ("nonlinearity-real", lambda: bs.nonlinearity(np.array([0.5, -1.0, 1.0, 1.0])), r"\+1 and -1"),
    ("is_bent-real", lambda: bs.is_bent(np.array([2, -1, 1, 1])), r"\+1 and -1"),
    ("nonlinearity-length", lambda: bs.nonlinearity(np.ones(3, dtype=np.int8)), "power of two"),
    ("spectral_norm-exact-torch", lambda: bs.spectral_norm(__import__("torch").ones(4), exact=True), "torch"),
    ("sparsity-real-too-large", lambda: bs.fourier_sparsity(np.full(1 << 17, 0.5)), "n <= 16"),
    ("entropy-nan", lambda: bs.fourier_entropy(np.array([np.nan, 1.0])), "NaN"),
    ("is_bent-bool", lambda: bs.is_bent(np.array([True, False])), "from_bits"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case):
    _, call, message = case
    if "torch" in case[0]:
        pytest.importorskip("torch")
    with pytest.raises(BoolsensError, match=message):
        call()


@pytest.mark.parametrize("name", ["spectral_norm", "fourier_sparsity", "fourier_entropy", "nonlinearity", "is_bent",
                                  "anf", "gf2_degree"])
def test_boolean_function_methods_equal_the_functions(name):
    for f in (bs.majority(5), bs.inner_product(2), bs.parity(3), bs.random_function(6, seed=4)):
        got, want = getattr(f, name)(), getattr(bs, name)(f)
        assert np.array_equal(np.asarray(got), np.asarray(want)), (name, f)
