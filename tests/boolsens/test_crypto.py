"""boolsens.cryptographic (correlation immunity, resiliency, autocorrelation, absolute indicator)
against the independent brute force of tests/oracle_structure.py (the double loop, the naive
Walsh sums): every function on n <= 3 (n = 4 in the slow tier, a seeded sample in the fast
one), seeded random and balanced ones on n = 5..8; closed forms (bent inner product, parity, constants);
Sage's doctest fixtures; batches, dtypes, torch, bad input.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import boolsens as bs
import oracle_structure as ors
from boolsens import BoolsensError

NAMES = ["correlation_immunity", "resiliency", "autocorrelation", "absolute_indicator"]


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def balanced_tables(n: int, count: int, seed: int) -> np.ndarray:
    """Random balanced tables (so resiliency is not always -1)."""
    rng = np.random.default_rng(seed)
    base = np.array([1, -1] * (1 << (n - 1)), dtype=np.int8)
    return np.array([rng.permutation(base) for _ in range(count)])


def check_against_oracle(tables: np.ndarray) -> None:
    ci = bs.correlation_immunity(tables)
    res = bs.resiliency(tables)
    ac = bs.autocorrelation(tables)
    ai = bs.absolute_indicator(tables)
    assert ac.dtype == np.int64
    for b, row in enumerate(tables.tolist()):
        assert ci[b] == ors.correlation_immunity(row), row
        assert res[b] == ors.resiliency(row), row
        assert ac[b].tolist() == ors.autocorrelation(row), row
        assert ai[b] == ors.absolute_indicator(row), row


CASES = {
    "n0": all_tables(0), "n1": all_tables(1), "n2": all_tables(2), "n3": all_tables(3),
    "n4-sample": random_tables(4, 300, seed=16), "n5-random": random_tables(5, 30, seed=5),
    "n6-balanced": balanced_tables(6, 8, seed=6), "n7-random": random_tables(7, 2, seed=7),
    "n8-mixed": np.concatenate([balanced_tables(8, 3, seed=8), random_tables(8, 2, seed=8)]),
}


@pytest.mark.parametrize("key", list(CASES))
def test_against_the_brute_force(key):
    check_against_oracle(CASES[key])


@pytest.mark.slow
def test_every_function_on_four_variables():
    check_against_oracle(all_tables(4))


def test_resilient_functions_on_four_variables_are_rare_and_bounded():
    """Exhaustive n = 4 with boolsens alone: balanced ⇔ resiliency ≥ 0; correlation immunity
    n only for constants; resiliency at most n − 1, reached by ±PARITY_4 only (the functions whose
    one coefficient sits at the top)."""
    tables = all_tables(4)
    ci = bs.correlation_immunity(tables)
    res = bs.resiliency(tables)
    balanced = tables.astype(np.int64).sum(axis=1) == 0
    assert np.array_equal(res >= 0, balanced)
    assert np.array_equal(res[balanced], ci[balanced])
    constant = np.all(tables == tables[:, :1], axis=1)
    assert np.array_equal(ci == 4, constant)
    top = np.flatnonzero(res == 3)
    assert sorted(tables[top].tolist()) == sorted([bs.parity(4).signs.tolist(), (-bs.parity(4)).signs.tolist()])


# ------------------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("n", [1, 2, 3, 6, 10])
def test_parity_and_constants(n):
    p = bs.parity(n)
    assert bs.correlation_immunity(p) == n - 1
    assert bs.resiliency(p) == n - 1
    assert bs.absolute_indicator(p) == 1 << n  # every a is a linear structure
    ac = bs.autocorrelation(p)
    assert ac.tolist() == [(1 << n) * (-1) ** bin(a).count("1") for a in range(1 << n)]
    for c in (1, -1):
        f = bs.constant(n, c)
        assert bs.correlation_immunity(f) == n  # ours; Sage gives n - 1 (docs/theory.md)
        assert bs.resiliency(f) == -1
        assert bs.autocorrelation(f).tolist() == [1 << n] * (1 << n)


@pytest.mark.parametrize("m", [1, 2, 3, 4, 5])
def test_bent_inner_product_has_absolute_indicator_zero(m):
    f = bs.inner_product(m)
    ac = bs.autocorrelation(f)
    assert ac[0] == 1 << (2 * m) and not np.any(ac[1:])
    assert bs.absolute_indicator(f) == 0
    assert bs.correlation_immunity(f) == 0 and bs.resiliency(f) == -1  # bent: never balanced


def test_bent_iff_absolute_indicator_zero_on_every_function_of_four_variables():
    tables = all_tables(4)
    assert np.array_equal(bs.is_bent(tables), bs.absolute_indicator(tables) == 0)


@pytest.mark.parametrize("n", [3, 5, 7])
def test_majority_is_odd(n):
    """MAJ_n(−x) = −MAJ_n(x): the all-ones a is a linear structure with r = −2**n."""
    ac = bs.autocorrelation(bs.majority(n))
    assert ac[-1] == -(1 << n) and bs.absolute_indicator(bs.majority(n)) == 1 << n
    assert bs.correlation_immunity(bs.majority(n)) == 0 and bs.resiliency(bs.majority(n)) == 0


def test_autocorrelation_identities_on_random_functions():
    """Σ_a r(a) = (Σ_x f(x))² and Σ_a r(a)² = Σ_S W(S)⁴ / 2**n (Wiener–Khinchin), exact."""
    for n in (5, 9, 12):
        tables = random_tables(n, 3, seed=n)
        ac = bs.autocorrelation(tables).astype(object)
        w = bs.walsh_spectrum(tables).astype(object)
        for b in range(3):
            assert sum(ac[b]) == int(tables[b].astype(np.int64).sum()) ** 2
            assert sum(v * v for v in ac[b]) == sum(v**4 for v in w[b]) // (1 << n)


def test_autocorrelation_at_large_n_equals_the_definition():
    """n = 20 (squares up to 2**40, sums up to 4**n by Parseval): a few shifts against the
    definition, computed directly."""
    f = bs.random_function(20, seed=3)
    ac = bs.autocorrelation(f)
    s = f.signs.astype(np.int64)
    idx = np.arange(1 << 20)
    for a in (0, 1, 5, (1 << 20) - 1, 123457):
        assert ac[a] == int((s * s[idx ^ a]).sum())


# ------------------------------------------------------------------------------ Sage's fixtures
# Sage's hex strings (sage.crypto.boolean_function doctests): bit x of the integer is g(x), our
# from_hex layout; these measures do not depend on the order of the variables.
def test_sage_fixtures():
    b7 = bs.BooleanFunction.from_hex("7969817CC5893BA6AC326E47619F5AD0", 7)
    assert bs.correlation_immunity(b7) == 2
    assert bs.absolute_indicator(b7) == 32
    values, counts = np.unique(np.abs(bs.autocorrelation(b7)), return_counts=True)
    assert dict(zip(values.tolist(), counts.tolist())) == {0: 33, 8: 58, 16: 28, 24: 6, 32: 2, 128: 1}
    assert int((bs.autocorrelation(b7).astype(np.int64) ** 2).sum()) == 32768  # sum_of_square_indicator
    b8 = bs.BooleanFunction.from_hex("077CE5A2F8831A5DF8831A5D077CE5A26996699669699696669999665AA5A55A", 8)
    assert bs.resiliency(b8) == 3
    assert bs.autocorrelation(bs.BooleanFunction.from_hex("03", 3)).tolist() == [8, 8, 0, 0, 0, 0, 0, 0]
    b6 = bs.BooleanFunction.from_hex("0113077C165E76A8", 6)
    assert bs.is_bent(b6) and bs.absolute_indicator(b6) == 0


# ------------------------------------------------------------------------------ batches and inputs
@pytest.mark.parametrize("name", NAMES)
def test_batch_equals_one_by_one(name):
    fn = getattr(bs, name)
    tables = random_tables(5, 12, seed=9).reshape(3, 4, 32)
    batch = fn(tables)
    assert batch.shape[:2] == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        assert np.array_equal(batch[i, j], fn(tables[i, j]))
        assert np.array_equal(fn(bs.BooleanFunction(tables[i, j])), batch[i, j])
        assert np.array_equal(getattr(bs.BooleanFunction(tables[i, j]), name)(), batch[i, j])


def test_single_functions_give_python_scalars():
    f = bs.majority(5)
    for name in ("correlation_immunity", "resiliency", "absolute_indicator"):
        assert type(getattr(bs, name)(f)) is int
    assert bs.autocorrelation(f).shape == (32,)


@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float64, np.float32])
def test_every_dtype_of_a_pm1_table_gives_the_same(dtype):
    tables = random_tables(6, 5, seed=3)
    for name in NAMES:
        fn = getattr(bs, name)
        assert np.array_equal(fn(tables), fn(tables.astype(dtype)))


def test_torch_in_torch_out():
    torch = pytest.importorskip("torch")
    tables = random_tables(4, 6, seed=5)
    for dtype in (torch.int8, torch.float64):
        t = torch.from_numpy(tables).to(dtype)
        for name in NAMES:
            got = getattr(bs, name)(t)
            assert torch.is_tensor(got)
            assert got.tolist() == getattr(bs, name)(tables).tolist()


BAD = [
    ("ci-real", lambda: bs.correlation_immunity(np.array([0.5, -1.0, 1.0, 1.0])), r"\+1 and -1"),
    ("resiliency-integer", lambda: bs.resiliency(np.array([2, -1, 1, 1])), r"\+1 and -1"),
    ("autocorrelation-length", lambda: bs.autocorrelation(np.ones(6, dtype=np.int8)), "power of two"),
    ("absolute-indicator-bool", lambda: bs.absolute_indicator(np.array([True, False])), "from_bits"),
    ("autocorrelation-nan", lambda: bs.autocorrelation(np.array([np.nan, 1.0])), "NaN"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case):
    _, call, message = case
    with pytest.raises(BoolsensError, match=message):
        call()


def test_autocorrelation_refuses_n_beyond_int64(monkeypatch):
    from boolsens import cryptographic

    monkeypatch.setattr(cryptographic, "MAX_AUTOCORRELATION_N", 3)
    with pytest.raises(BoolsensError, match="n <= 3"):
        bs.autocorrelation(bs.parity(4))
