"""The bit-packed Möbius kernel behind anf / gf2_degree (boolsens._kernels.moebius) against the
byte-per-point numpy transform it replaced and the definition, on
every n from 0 to 12, across the word boundary (n = 6, 7), batched, and at n = 16, 20; and the
one-pass reductions behind nonlinearity (max |W|, the int8 ±1 check) against numpy."""

from __future__ import annotations

import numpy as np
import pytest

import boolsens as bs
from boolsens._kernels import bitpacked, moebius, walsh



def oracle_anf(signs) -> list[int]:
    """From the definition: a_S = XOR over the subsets T of S of b(T), b = (1 - f) / 2."""
    b = [(1 - int(v)) // 2 for v in signs]
    return [sum(b[T] for T in range(len(b)) if T & S == T) % 2 for S in range(len(b))]


def numpy_anf(tables: np.ndarray) -> np.ndarray:
    """The former implementation: n numpy XOR stages over one uint8 byte per point."""
    n = tables.shape[-1].bit_length() - 1
    a = (tables.reshape(-1, 1 << n) < 0).astype(np.uint8)
    for i in range(n):
        v = a.reshape(a.shape[0], 1 << (n - 1 - i), 2, 1 << i)
        v[:, :, 1, :] ^= v[:, :, 0, :]
    return a.reshape(tables.shape)


def degree_of(coeffs: np.ndarray) -> np.ndarray:
    """max |S| over the set coefficients of each row (0 for none)."""
    n = coeffs.shape[-1].bit_length() - 1
    sizes = np.array([bin(S).count("1") for S in range(1 << n)])
    return np.where(coeffs.astype(bool), sizes, 0).max(axis=-1)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=(count, 1 << n))


def with_extremes(tables: np.ndarray) -> np.ndarray:
    """The random rows plus both constants and the AND (degree n, a single top coefficient)."""
    N = tables.shape[-1]
    conj = np.ones(N, dtype=np.int8)
    conj[-1] = -1
    return np.vstack([tables, np.ones(N, np.int8), -np.ones(N, np.int8), conj])


@pytest.mark.parametrize("n", range(13))
def test_anf_and_degree_match_the_numpy_transform_batched(n):
    tables = with_extremes(random_tables(n, 6, seed=100 + n))
    want = numpy_anf(tables)
    got = bs.anf(tables)
    assert got.dtype == np.uint8 and got.shape == tables.shape
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(bs.gf2_degree(tables), degree_of(want))
    assert bs.gf2_degree(tables[-1]) == n and bs.gf2_degree(tables[-2]) == 0 == bs.gf2_degree(tables[-3])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 6, 7])
def test_kernel_matches_the_definition(n):
    tables = random_tables(n, 4, seed=7 * n + 1)
    want = np.array([oracle_anf(row) for row in tables], dtype=np.uint8)
    words = bitpacked.pack_pm1(tables, n)
    moebius.moebius_inplace(words, n)
    np.testing.assert_array_equal(moebius.coefficient_bytes(words, n), want)
    np.testing.assert_array_equal(moebius.degree_rows(words), degree_of(want))


@pytest.mark.parametrize("n", [6, 7])
def test_word_boundary_single_monomials(n):
    # b = the single monomial x^S has a_S = 1 only: every S, so every in-word position and (n = 7)
    # both words, and the carry of stage 6 between them
    N = 1 << n
    x = np.arange(N)
    for S in range(N):
        b = ((x & S) == S).astype(np.int8)  # prod_{i in S} x_i
        coeffs = bs.anf(1 - 2 * b)
        assert np.flatnonzero(coeffs).tolist() == [S]
        assert bs.gf2_degree(1 - 2 * b) == bin(S).count("1")


@pytest.mark.parametrize("n", [16, 20])
def test_large_n_against_the_numpy_transform(n):
    tables = random_tables(n, 2, seed=n)
    want = numpy_anf(tables)
    np.testing.assert_array_equal(bs.anf(tables), want)
    np.testing.assert_array_equal(bs.gf2_degree(tables), degree_of(want))
    # a degree below n: the AND of the first n - 3 coordinates (popcount pruning must not skip it)
    x = np.arange(1 << n)
    low = (1 << (n - 3)) - 1
    conj = np.where((x & low) == low, -1, 1).astype(np.int8)
    assert bs.gf2_degree(conj) == n - 3


def test_boolean_function_cache_is_not_transformed_in_place():
    f = bs.random_function(9, seed=5)
    before = bs.influences(f)  # caches the packed table on f
    first = bs.anf(f)
    np.testing.assert_array_equal(bs.anf(f), first)
    np.testing.assert_array_equal(bs.influences(f), before)
    assert bs.gf2_degree(f) == degree_of(numpy_anf(f.signs))


def test_torch_batch_matches_numpy():
    torch = pytest.importorskip("torch")
    tables = random_tables(7, 4, seed=3).reshape(2, 2, 128)
    got = bs.anf(torch.from_numpy(tables.astype(np.float64)))
    assert isinstance(got, torch.Tensor) and tuple(got.shape) == (2, 2, 128)
    np.testing.assert_array_equal(got.numpy(), numpy_anf(tables))
    deg = bs.gf2_degree(torch.from_numpy(tables))
    assert isinstance(deg, torch.Tensor)
    np.testing.assert_array_equal(deg.numpy(), degree_of(numpy_anf(tables)))


# ------------------------------------------------------------------ the nonlinearity reductions
def test_max_abs_matches_numpy_including_negative_peaks():
    rng = np.random.default_rng(2)
    w = rng.integers(-1000, 1000, size=(5, 256), dtype=np.int64)
    w[1, 17] = -5000  # the peak is a negative entry
    w[2] = 0
    np.testing.assert_array_equal(walsh.max_abs(w), np.abs(w).max(axis=1))


@pytest.mark.parametrize("n", [16, 17])
def test_nonlinearity_on_large_int8_tables(n):
    # large int8 tables take the compiled ±1 check and the one-pass max |W|
    tables = random_tables(n, 2, seed=n)
    w = bs.fwht(tables)
    np.testing.assert_array_equal(bs.nonlinearity(tables), ((1 << n) - np.abs(w).max(axis=1)) // 2)
    parity = bs.parity(n).signs
    assert bs.nonlinearity(-parity) == 0 == bs.nonlinearity(np.ascontiguousarray(-parity))  # W = -2**n
    # x -> x xor 1...1 (a reversed, non-contiguous view) keeps every |W(S)|: the numpy ±1 check
    np.testing.assert_array_equal(bs.nonlinearity(tables[:, ::-1]), bs.nonlinearity(tables))


@pytest.mark.parametrize("bad", [0, 2, -2, 127, -128])
def test_compiled_pm1_check_rejects_other_int8_values(bad):
    table = random_tables(16, 1, seed=1)[0]
    assert bitpacked.all_pm1_int8(table)
    table[12345] = bad
    assert not bitpacked.all_pm1_int8(table)
    with pytest.raises(bs.BoolsensError, match="only \\+1 and -1"):
        bs.nonlinearity(table)
    with pytest.raises(bs.BoolsensError, match="only \\+1 and -1"):
        bs.gf2_degree(table)
