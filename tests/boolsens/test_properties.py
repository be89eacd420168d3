"""Hypothesis property tests: identities that must hold for every table, and the same quantity
through every path (exact vs float, numpy vs torch, batch vs one by one, every constructor).

The number of examples is set by the profile in ``conftest.py`` (``BOOLSENS_HYPOTHESIS_PROFILE``).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import boolsens as bs

torch = pytest.importorskip("torch")

MAX_N = 6
RTOL = 1e-10


# ------------------------------------------------------------------------------------ strategies
@st.composite
def boolean_tables(draw, min_n=0, max_n=MAX_N, batch=()):
    """(*batch, 2**n) int8 ±1 tables."""
    n = draw(st.integers(min_n, max_n))
    bits = draw(hnp.arrays(np.int8, batch + (1 << n,), elements=st.integers(0, 1)))
    return (1 - 2 * bits).astype(np.int8)


@st.composite
def real_tables(draw, min_n=0, max_n=MAX_N, batch=()):
    """(*batch, 2**n) float64 tables with moderate finite entries."""
    n = draw(st.integers(min_n, max_n))
    elements = st.floats(-100, 100, allow_nan=False, allow_infinity=False, allow_subnormal=False)
    return draw(hnp.arrays(np.float64, batch + (1 << n,), elements=elements))


@st.composite
def int_tables(draw, min_n=0, max_n=MAX_N):
    n = draw(st.integers(min_n, max_n))
    return draw(hnp.arrays(np.int64, (1 << n,), elements=st.integers(-1000, 1000)))


any_tables = st.one_of(boolean_tables(), real_tables(), int_tables())
rhos = st.floats(-1, 1, allow_nan=False)
fraction_rhos = st.fractions(-1, 1, max_denominator=50)


def n_of(table) -> int:
    return int(table.shape[-1]).bit_length() - 1


def scale(table) -> float:
    """A magnitude for absolute tolerances: E f² or 1."""
    return max(1.0, float(np.mean(np.asarray(table, dtype=np.float64) ** 2)))


def assert_close(got, want, table) -> None:
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                               rtol=RTOL, atol=RTOL * scale(table))


def popcounts(n: int) -> np.ndarray:
    return np.array([bin(S).count("1") for S in range(1 << n)])


# ------------------------------------------------------------------------------------ identities
@given(any_tables)
def test_parseval(f):
    assert_close(np.sum(bs.fourier_weights(f)), np.mean(np.asarray(f, dtype=np.float64) ** 2), f)
    assert_close(np.sum(bs.fourier_coefficients(f) ** 2), np.mean(np.asarray(f, dtype=np.float64) ** 2), f)


@given(boolean_tables())
def test_parseval_exact_for_boolean(f):
    assert sum(bs.fourier_weights(f, exact=True).tolist(), Fraction(0)) == 1


@given(st.one_of(boolean_tables(), int_tables()))
def test_ifwht_inverts_fwht_exactly_on_integers(a):
    spectrum = bs.fwht(a)
    assert np.issubdtype(spectrum.dtype, np.integer)
    back = bs.ifwht(spectrum)
    assert np.issubdtype(back.dtype, np.integer)
    assert np.array_equal(back, a)


@given(real_tables())
def test_ifwht_inverts_fwht_on_floats(a):
    np.testing.assert_allclose(bs.ifwht(bs.fwht(a)), a, rtol=RTOL, atol=RTOL * 100 * max(1, n_of(a)))


@given(any_tables)
def test_influence_is_weight_of_sets_containing_i(f):
    n = n_of(f)
    coeffs = bs.fourier_coefficients(f)
    inf = bs.influences(f)
    for i in range(n):
        mask = (np.arange(1 << n) >> i) & 1 == 1
        assert_close(inf[..., i], np.sum(coeffs[mask] ** 2), f)


@given(any_tables)
def test_total_influence_is_level_weighted_spectrum(f):
    n = n_of(f)
    coeffs = bs.fourier_coefficients(f)
    assert_close(bs.total_influence(f), np.sum(popcounts(n) * coeffs**2), f)
    assert_close(bs.total_influence(f), np.sum(bs.influences(f)), f)


@given(boolean_tables())
def test_total_influence_is_average_sensitivity(f):
    mean_pointwise = Fraction(int(np.sum(bs.pointwise_sensitivity(f), dtype=np.int64)), f.size)
    assert bs.average_sensitivity(f) == float(mean_pointwise)
    assert sum(bs.influences(f, exact=True).tolist(), Fraction(0)) == mean_pointwise
    assert bs.total_influence(f) == float(mean_pointwise)


@given(any_tables)
def test_stability_at_one_and_zero(f):
    assert_close(bs.noise_stability(f, 1.0), np.mean(np.asarray(f, dtype=np.float64) ** 2), f)
    assert_close(bs.noise_stability(f, 0.0), bs.fourier_coefficients(f)[0] ** 2, f)


@given(boolean_tables())
def test_stability_at_one_and_zero_exact(f):
    assert bs.noise_stability(f, Fraction(1)) == 1
    assert bs.noise_stability(f, Fraction(0)) == Fraction(int(np.sum(f, dtype=np.int64)), f.size) ** 2


@given(boolean_tables(max_n=6))
def test_complexity_chain(f):
    """docs/theory.md §3 complexity-chain and huang: s <= bs <= C <= D, deg <= D, C <= s bs,
    D <= C bs, bs <= 2 deg², deg <= s²."""
    s, b, c, d = (int(bs.sensitivity(f)), int(bs.block_sensitivity(f)),
                  int(bs.certificate_complexity(f)), int(bs.decision_tree_depth(f)))
    deg = int(bs.degree(f))
    assert s <= b <= c <= d <= n_of(f)
    assert deg <= d and c <= s * b and d <= c * b
    assert b <= 2 * deg**2 and deg <= s**2


@given(boolean_tables(), st.floats(0, 0.5))
def test_noise_sensitivity_relations(f, delta):
    """NS_delta = 1/2 - 1/2 Stab_{1-2 delta} and NS_delta <= delta I(f) (docs/theory.md §3)."""
    ns = bs.noise_sensitivity(f, delta)
    assert ns == pytest.approx(0.5 - 0.5 * bs.noise_stability(f, 1 - 2 * delta), abs=1e-12)
    assert ns <= delta * bs.total_influence(f) + 1e-12
    assert ns == pytest.approx(bs.disagreement_probability(f, 1 - 2 * delta), abs=1e-12)


@given(boolean_tables())
def test_boolean_dtypes_agree(f):
    """A ±1 table gives the same results as int8, int64, float64, float32 and BooleanFunction."""
    reference = bs.BooleanFunction.from_signs(f)
    for table in (f.astype(np.int64), f.astype(np.float64), f.astype(np.float32), reference):
        assert bs.sensitivity(table) == bs.sensitivity(f)
        assert np.array_equal(bs.pointwise_sensitivity(table), bs.pointwise_sensitivity(f))
        assert bs.degree(table) == bs.degree(f)
        assert np.array_equal(bs.influences(table, exact=True), bs.influences(f, exact=True))
        np.testing.assert_allclose(bs.fourier_weights(table), bs.fourier_weights(f), rtol=1e-6, atol=1e-7)
        assert bs.noise_stability(table, Fraction(1, 3)) == bs.noise_stability(f, Fraction(1, 3))


# ------------------------------------------------------------------------------------ exact vs float
@given(st.one_of(boolean_tables(), int_tables(max_n=5), real_tables(max_n=4)), fraction_rhos)
def test_exact_and_float_agree(f, rho):
    coeffs_exact = bs.fourier_coefficients(f, exact=True)
    assert_close(bs.fourier_coefficients(f), coeffs_exact.astype(np.float64), f)
    assert_close(bs.fourier_weights(f), bs.fourier_weights(f, exact=True).astype(np.float64), f)
    assert_close(bs.influences(f), bs.influences(f, exact=True).astype(np.float64), f)
    stab_exact = bs.noise_stability(f, rho)
    assert isinstance(stab_exact, Fraction)
    assert_close(bs.noise_stability(f, float(rho)), float(stab_exact), f)


@given(boolean_tables(), fraction_rhos)
def test_exact_and_float_agree_boolean_measures(f, rho):
    assert float(bs.disagreement_probability(f, rho)) == pytest.approx(
        bs.disagreement_probability(f, float(rho)), rel=RTOL, abs=RTOL)
    assert float(bs.robustness_bound(f, rho)) == pytest.approx(
        bs.robustness_bound(f, float(rho)), rel=RTOL, abs=RTOL)
    delta = (1 - rho) / 2  # in [0, 1]; NS needs [0, 1/2]
    delta = min(delta, 1 - delta)
    assert float(bs.noise_sensitivity(f, delta)) == pytest.approx(
        bs.noise_sensitivity(f, float(delta)), rel=RTOL, abs=RTOL)


# ------------------------------------------------------------------------------------ numpy vs torch
@given(st.one_of(boolean_tables(batch=(2,)), real_tables(batch=(3,))), rhos)
def test_torch_matches_numpy(f, rho):
    t = torch.from_numpy(f.astype(np.float64))
    cases = [
        (bs.fwht, ()),
        (bs.fourier_coefficients, ()),
        (bs.fourier_weights, ()),
        (bs.influences, ()),
        (bs.total_influence, ()),
        (bs.noise_stability, (rho,)),
        (bs.noise_stability, (np.array([rho, 0.5]),)),
    ]
    for fn, args in cases:
        got = fn(t, *args)
        assert isinstance(got, torch.Tensor), fn.__name__
        want = fn(f, *args)
        assert tuple(got.shape) == np.shape(want), fn.__name__
        assert_close(got.numpy(), want, f)


@given(st.one_of(boolean_tables(batch=(2,)), real_tables(batch=(3,))))
@example(np.array([[60.0, 0.0], [2.0**-24, 0.0]]))  # a row's degree must not depend on its batch mates
def test_torch_degree_matches_numpy(f):
    got = bs.degree(torch.from_numpy(f))
    assert isinstance(got, torch.Tensor)
    assert got.tolist() == np.asarray(bs.degree(f)).tolist()


def test_every_measure_returns_torch_for_a_torch_batch():
    """STYLE.md: numpy or torch arrays go in and the same kind comes out (here: a batch of two)."""
    t = torch.from_numpy(np.stack([bs.majority(3).signs, bs.parity(3).signs]).astype(np.float64))
    not_torch = []
    for name, args in BATCH_MEASURES + [("degree", ())] + BOOLEAN_BATCH_MEASURES:
        got = getattr(bs, name)(t, *args)
        if not isinstance(got, torch.Tensor):
            not_torch.append(f"{name} -> {type(got).__name__}")
        want = getattr(bs, name)(t.numpy(), *args)
        np.testing.assert_allclose(np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64),
                                   rtol=1e-12, atol=1e-12, err_msg=name)
    assert not not_torch, "torch batch in, not torch out: " + ", ".join(not_torch)


@given(boolean_tables(batch=(2,)))
def test_torch_integer_tables_match_numpy(f):
    t = torch.from_numpy(f.astype(np.int64))
    got = bs.fwht(t)
    assert isinstance(got, torch.Tensor) and not got.is_floating_point()
    assert np.array_equal(got.numpy(), bs.fwht(f))
    assert np.array_equal(bs.ifwht(got).numpy(), f)


# ------------------------------------------------------------------------------------ batch vs one by one
BATCH_MEASURES = [
    ("fwht", ()), ("fourier_coefficients", ()), ("fourier_weights", ()),
    ("influences", ()), ("total_influence", ()), ("noise_stability", (0.3,)),
    ("noise_stability", (np.array([-0.5, 0.25, 1.0]),)),
]
BOOLEAN_BATCH_MEASURES = [
    ("pointwise_sensitivity", ()), ("sensitivity", ()), ("average_sensitivity", ()),
    ("disagreement_probability", (0.5,)), ("noise_sensitivity", (0.1,)), ("robustness_bound", (0.5,)),
    ("block_sensitivity", ()), ("certificate_complexity", ()), ("decision_tree_depth", ()),
]


def _assert_batch_matches_rows(name, args, batch):
    fn = getattr(bs, name)
    got = np.asarray(fn(batch, *args))
    rows = batch.reshape(-1, batch.shape[-1])
    singles = [np.asarray(fn(row, *args)) for row in rows]
    assert got.shape == batch.shape[:-1] + singles[0].shape, name
    flat = got.reshape((len(rows),) + singles[0].shape)
    for g, s in zip(flat, singles):
        if np.issubdtype(g.dtype, np.floating):  # summation order may differ: last-bit slack
            np.testing.assert_allclose(g, s, rtol=1e-13, atol=1e-15, err_msg=name)
        else:
            np.testing.assert_array_equal(g, s, err_msg=name)


@given(st.one_of(boolean_tables(max_n=5, batch=(2, 3)), real_tables(max_n=5, batch=(4,))))
def test_batch_equals_one_by_one(batch):
    for name, args in BATCH_MEASURES:
        _assert_batch_matches_rows(name, args, batch)


@given(st.one_of(boolean_tables(max_n=5, batch=(2, 3)), real_tables(max_n=5, batch=(4,))))
@example(np.array([[60.0, 0.0], [2.0**-24, 0.0]]))  # a row's degree must not depend on its batch mates
def test_degree_batch_equals_one_by_one(batch):
    _assert_batch_matches_rows("degree", (), batch)


@given(boolean_tables(max_n=4, batch=(3, 2)))
def test_boolean_batch_equals_one_by_one(batch):
    for name, args in BOOLEAN_BATCH_MEASURES:
        _assert_batch_matches_rows(name, args, batch)


# ------------------------------------------------------------------------------------ constructors
@given(boolean_tables())
def test_constructors_round_trip(signs):
    f = bs.BooleanFunction.from_signs(signs)
    assert np.array_equal(f.signs, signs) and f.n == n_of(signs)
    assert bs.BooleanFunction.from_bits(f.bits) == f
    assert bs.BooleanFunction.from_bits((1 - signs) // 2) == f
    assert bs.BooleanFunction.from_bits(signs == -1) == f  # True = -1
    assert bs.BooleanFunction.from_fourier(bs.fourier_coefficients(f)) == f
    assert bs.BooleanFunction.from_fourier(bs.fourier_coefficients(f, exact=True)) == f

    def table_lookup(points):  # (N, n) ±1 rows -> f at those points
        idx = ((points == -1).astype(np.int64) << np.arange(points.shape[1])).sum(axis=1)
        return signs[idx]

    assert bs.BooleanFunction.from_bits("".join(str(int(b)) for b in f.bits)) == f
    assert bs.BooleanFunction.from_callable(f.n, table_lookup) == f
    assert bs.BooleanFunction.from_callable(f.n, table_lookup, batch_size=3) == f


@given(boolean_tables(), fraction_rhos)
def test_methods_equal_core_functions(signs, rho):
    f = bs.BooleanFunction.from_signs(signs)
    assert np.array_equal(f.walsh_spectrum(), bs.fwht(signs))
    assert np.array_equal(f.fourier_coefficients(exact=True), bs.fourier_coefficients(signs, exact=True))
    assert np.array_equal(f.fourier_weights(), bs.fourier_weights(signs))
    assert f.degree() == bs.degree(signs)
    assert np.array_equal(f.influences(exact=True), bs.influences(signs, exact=True))
    assert f.total_influence() == bs.total_influence(signs)
    assert f.sensitivity() == bs.sensitivity(signs)
    assert f.noise_stability(rho) == bs.noise_stability(signs, rho)
    assert f.bias() == float(bs.fourier_coefficients(signs, exact=True)[0])


@given(st.integers(1, 8), st.integers(0, 2**32 - 1))
def test_from_model_equals_from_callable(n, seed):
    gen = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(n, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen))

    def same_map(points):
        with torch.no_grad():
            out = model(torch.from_numpy(points).to(torch.float32))[:, 0]
        return np.where(out.numpy() >= 0, 1, -1)

    f, real = bs.BooleanFunction.from_model(model, n, real=True, batch_size=7)
    assert f == bs.BooleanFunction.from_callable(n, same_map)
    assert real.shape == (2**n,)
    assert np.array_equal(np.where(real >= 0, 1, -1), f.signs)
