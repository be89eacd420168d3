"""Every measure of the core against the independent brute-force oracle (``tests/oracle.py``).

Coverage: every Boolean function on n <= 3 (all 256 on n = 3, as one batch and one by one as
``BooleanFunction``), seeded random Boolean functions (uniform and biased) plus named ones on
n = 4..6 (block sensitivity, certificate complexity and decision-tree depth too, plus the 24
functions on n = 4 with bs > s), and seeded real-valued tables (float and integer) for the
spectral measures. No reference values are stored: the oracle runs at test time.
Exact results (integers, ``Fraction``) are compared with ``==``; floats within ``TOL``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pytest

import boolsens as bs
import oracle

TOL = 1e-12  # absolute and relative tolerance for float results (values here are O(1)..O(10))


def close(got, want) -> bool:
    return math.isclose(float(got), float(want), rel_tol=TOL, abs_tol=TOL)


# ------------------------------------------------------------------------------------- cases
def _exhaustive(n: int) -> np.ndarray:
    return np.array(oracle.all_boolean_tables(n), dtype=np.int8)


def _random_boolean(n: int, seed: int, named=()) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = [bs.random_function(n, rng=rng).signs for _ in range(6)]
    rows += [bs.random_function(n, rng=rng, p=p).signs for p in (0.05, 0.2, 0.35)]
    rows += [f.signs for f in named]
    return np.stack(rows).astype(np.int8)


#: groups of Boolean tables with the same n, as (m, 2**n) int8 batches
BOOL = {
    "all-n0": _exhaustive(0),
    "all-n1": _exhaustive(1),
    "all-n2": _exhaustive(2),
    "all-n3": _exhaustive(3),
    "random-n4": _random_boolean(4, 4, (bs.threshold([2, 1, 1, 1]), bs.tribes(2, 2), bs.inner_product(2))),
    "random-n5": _random_boolean(5, 5, (bs.majority(5), bs.conjunction(5), bs.disjunction(5))),
    "random-n6": _random_boolean(6, 6, (bs.address(2), bs.inner_product(3), bs.tribes(3, 2))),
}
#: The 24 functions on n = 4 with bs(f) > s(f) (table bit x = 1 means f(x) = -1). Found by
#: enumerating all 65,536 functions on 4 variables: ``[x for x in range(2**16) if bs > s]``; only
#: inputs, not expected values (test_bs_exceeds_s_inputs checks the property with the oracle).
BS_GT_S_N4 = [
    0x1BD8, 0x1DB8, 0x27E4, 0x2E74, 0x35AC, 0x3A5C, 0x47E2, 0x4E72, 0x53CA, 0x5C3A, 0x724E, 0x742E,
    0x8BD1, 0x8DB1, 0xA3C5, 0xAC35, 0xB18D, 0xB81D, 0xC5A3, 0xCA53, 0xD18B, 0xD81B, 0xE247, 0xE427,
]
#: block sensitivity, certificate complexity and decision-tree depth: the same groups (the oracle
#: costs a few ms per function at n = 6; n = 7 would cost about a second each), plus the functions
#: above, where a maximum packing needs a block of two or more coordinates
COMPLEXITY = {**BOOL, "bs>s-n4": np.array([[1 - 2 * ((v >> x) & 1) for x in range(16)] for v in BS_GT_S_N4],
                                          dtype=np.int8)}


def _real_tables(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = list(rng.normal(size=(4, 1 << n)) * rng.uniform(0.1, 3.0, size=(4, 1)))
    # sparse spectrum with dyadic coefficients: degree < n, table exactly representable
    coeffs = np.zeros(1 << n)
    support = rng.choice(1 << n, size=min(3, 1 << n), replace=False)
    coeffs[support] = rng.integers(-8, 9, size=support.size) / 8.0
    coeffs[(1 << n) - 1] = 0.0
    rows.append(np.array([sum(float(c) * oracle.chi(S, x, n) for S, c in enumerate(coeffs))
                          for x in range(1 << n)]))
    return np.stack(rows)


#: real-valued (float64) tables for the spectral measures, and small-integer tables
REAL = {f"real-n{n}": _real_tables(n, 100 + n) for n in range(1, 7)}
INTEGER = {
    f"int-n{n}": np.random.default_rng(200 + n).integers(-5, 6, size=(4, 1 << n)).astype(np.int64)
    for n in (1, 3, 5)
}
SPECTRAL = {**BOOL, **REAL, **INTEGER}

RHOS = [-1.0, -0.7, -0.5, 0.0, 0.3, 0.5, 0.9, 1.0]
EXACT_RHOS = [Fraction(-1), Fraction(-2, 5), Fraction(0), Fraction(1), Fraction(1, 3)]
DELTAS = [0.0, 0.1, 0.25, 0.5]
EXACT_DELTAS = [Fraction(0), Fraction(1, 2), Fraction(1, 7)]


# ------------------------------------------------------------------------------------- oracle cache
@lru_cache(maxsize=None, typed=True)
def _oracle(name: str, row: tuple, *args):
    return getattr(oracle, name)(list(row), *args)


def want(name: str, row, *args):
    """Oracle value of measure ``name`` on one table (cached; tables passed as tuples)."""
    return _oracle(name, tuple(row.tolist() if hasattr(row, "tolist") else row), *args)


def functions(batch: np.ndarray):
    return [bs.BooleanFunction.from_signs(row) for row in batch]


# ------------------------------------------------------------------------------------- the oracle itself
def test_oracle_reproduces_theory_vectors():
    """The oracle, on the docs/theory.md §4 LTF sgn(2x1 + x2 + x3 + x4) built here from its definition."""
    ltf = [1 if 2 * p[0] + p[1] + p[2] + p[3] > 0 else -1 for p in (oracle.point(x, 4) for x in range(16))]
    assert oracle.influences(ltf) == [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4), Fraction(1, 4)]
    assert [oracle.influence_probability(ltf, i) for i in range(4)] == oracle.influences(ltf)
    assert oracle.total_influence(ltf) == Fraction(3, 2)
    assert (oracle.sensitivity(ltf), oracle.block_sensitivity(ltf), oracle.certificate_complexity(ltf),
            oracle.degree(ltf), oracle.decision_tree_depth(ltf)) == (3, 3, 3, 3, 4)
    assert oracle.noise_stability(ltf, Fraction(1, 2)) == Fraction(13, 32)


@pytest.mark.parametrize("group", ["all-n2", "random-n4", "real-n3", "int-n3"])
def test_oracle_pair_sums_agree_with_oracle_spectrum(group):
    """Two independent oracle routes: the pair sum and sum_k rho^k W^k (Parseval too)."""
    for row in SPECTRAL[group]:
        table = row.tolist()
        weights = oracle.fourier_weights(table)
        assert sum(weights) == sum(Fraction(v) ** 2 for v in table) / len(table)
        for rho in EXACT_RHOS:
            assert oracle.noise_stability(table, rho) == sum(rho**k * w for k, w in enumerate(weights))
        if group in BOOL:
            for rho in EXACT_RHOS:
                assert oracle.disagreement_probability(table, rho) == (1 - oracle.noise_stability(table, rho)) / 2
            for delta in EXACT_DELTAS:
                assert oracle.noise_sensitivity(table, delta) == oracle.disagreement_probability(table, 1 - 2 * delta)


# ------------------------------------------------------------------------------------- conventions
@pytest.mark.parametrize("n", range(0, 7))
def test_cube_points_and_evaluation_follow_the_index_convention(n):
    """Row x of cube_points(n) is the oracle's point x (bit i of x -> coordinate i, bit 1 -> -1),
    and a BooleanFunction evaluated at that point or at index x gives table[x]."""
    points = bs.cube_points(n)
    assert points.shape == (1 << n, n)
    assert [tuple(int(v) for v in row) for row in points] == [oracle.point(x, n) for x in range(1 << n)]
    f = bs.random_function(n, seed=n)
    for x in range(1 << n):
        assert f(x) == f(points[x]) == f.signs[x]


# ------------------------------------------------------------------------------------- transforms
@pytest.mark.parametrize("group", list(SPECTRAL))
def test_fwht_against_defining_sum(group):
    batch = SPECTRAL[group]
    got = bs.fwht(batch)
    assert got.shape == batch.shape
    for row, g in zip(batch, got):
        expect = want("walsh", row)
        if np.issubdtype(batch.dtype, np.integer):
            assert np.issubdtype(got.dtype, np.integer)
            assert [int(v) for v in g] == expect
        else:
            assert all(close(a, b) for a, b in zip(g, expect))


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_ifwht_inverts_the_defining_sum(group):
    batch = SPECTRAL[group]
    n = oracle.n_of(batch[0])
    if np.issubdtype(batch.dtype, np.integer):
        spectra = np.array([[int(v) for v in want("walsh", row)] for row in batch], dtype=np.int64)
        assert np.array_equal(bs.ifwht(spectra), batch)
    else:
        spectra = np.array([[float(v) for v in want("walsh", row)] for row in batch])
        back = bs.ifwht(spectra)
        assert np.allclose(back, batch, rtol=TOL, atol=TOL * 2**n)


# ------------------------------------------------------------------------------------- spectrum
@pytest.mark.parametrize("group", list(SPECTRAL))
def test_fourier_coefficients(group):
    batch = SPECTRAL[group]
    got = bs.fourier_coefficients(batch)
    got_exact = bs.fourier_coefficients(batch, exact=True)
    assert got.shape == got_exact.shape == batch.shape
    for row, g, ge in zip(batch, got, got_exact):
        expect = want("fourier_coefficients", row)
        assert list(ge) == expect
        assert all(close(a, b) for a, b in zip(g, expect))


@pytest.mark.parametrize("group", list(BOOL))
def test_fourier_coefficients_of_boolean_function_objects(group):
    for f, row in zip(functions(BOOL[group]), BOOL[group]):
        expect = want("fourier_coefficients", row)
        assert list(bs.fourier_coefficients(f, exact=True)) == expect
        assert all(close(a, b) for a, b in zip(bs.fourier_coefficients(f), expect))


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_fourier_weights(group):
    batch = SPECTRAL[group]
    n = oracle.n_of(batch[0])
    got = bs.fourier_weights(batch)
    got_exact = bs.fourier_weights(batch, exact=True)
    assert got.shape == got_exact.shape == batch.shape[:-1] + (n + 1,)
    for row, g, ge in zip(batch, got, got_exact):
        expect = want("fourier_weights", row)
        assert list(ge) == expect
        assert all(close(a, b) for a, b in zip(g, expect))
    if group in BOOL:
        for f, row in zip(functions(batch), batch):
            assert list(bs.fourier_weights(f, exact=True)) == want("fourier_weights", row)


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_degree(group):
    batch = SPECTRAL[group]
    got = np.atleast_1d(bs.degree(batch))
    assert [int(d) for d in got] == [want("degree", row) for row in batch]
    if group in BOOL:
        assert [bs.degree(f) for f in functions(batch)] == [want("degree", row) for row in batch]


@pytest.mark.parametrize("group", [g for g in SPECTRAL if g.startswith("real")])
def test_degree_with_explicit_tolerance(group):
    """degree(f, tol=t) = max |S| with |f^(S)| > t (0 if none), per row."""
    batch = SPECTRAL[group]
    for tol in (0.0, 0.05, 0.3, 1.5):
        got = np.atleast_1d(bs.degree(batch, tol=tol))
        expect = [max((bin(S).count("1") for S, c in enumerate(want("fourier_coefficients", row)) if abs(c) > tol),
                      default=0) for row in batch]
        assert [int(d) for d in got] == expect, tol


# ------------------------------------------------------------------------------------- influence
@pytest.mark.parametrize("group", list(SPECTRAL))
def test_influences(group):
    batch = SPECTRAL[group]
    n = oracle.n_of(batch[0])
    got = bs.influences(batch)
    got_exact = bs.influences(batch, exact=True)
    assert got.shape == got_exact.shape == batch.shape[:-1] + (n,)
    for row, g, ge in zip(batch, got, got_exact):
        expect = want("influences", row)
        assert list(ge) == expect
        assert all(close(a, b) for a, b in zip(g, expect))
        if group in BOOL:  # the Boolean definition Pr[f(x) != f(x^i)] agrees too
            assert [oracle.influence_probability(list(row), i) for i in range(n)] == expect


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_influence_single_coordinate(group):
    batch = SPECTRAL[group]
    n = oracle.n_of(batch[0])
    for i in range(n):
        got = bs.influence(batch, i)
        got_exact = bs.influence(batch, i, exact=True)
        for row, g, ge in zip(batch, got, got_exact):
            assert ge == want("influence_real", row, i)
            assert close(g, want("influence_real", row, i))
    if group in BOOL:
        for f, row in zip(functions(batch), batch):
            for i in range(n):
                assert bs.influence(f, i, exact=True) == want("influence_probability", row, i)


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_total_influence(group):
    batch = SPECTRAL[group]
    got = np.atleast_1d(bs.total_influence(batch))
    got_exact = np.atleast_1d(bs.total_influence(batch, exact=True))
    for row, g, ge in zip(batch, got, got_exact):
        assert ge == want("total_influence", row)
        assert close(g, want("total_influence", row))
    if group in BOOL:
        for f, row in zip(functions(batch), batch):
            assert close(bs.total_influence(f), want("total_influence", row))


@pytest.mark.parametrize("group", ["all-n2", "random-n5"])
@pytest.mark.parametrize("kind", ["BooleanFunction", "1-D table"])
def test_exact_scalar_measures_of_one_function(group, kind):
    """exact=True on a single function (not a batch) returns one Fraction."""
    for row in BOOL[group]:
        f = bs.BooleanFunction.from_signs(row) if kind == "BooleanFunction" else row
        assert bs.total_influence(f, exact=True) == want("total_influence", row)
        pointwise = want("pointwise_sensitivity", row)
        assert bs.average_sensitivity(f, exact=True) == Fraction(sum(pointwise), len(pointwise))


@pytest.mark.parametrize("group", list(BOOL))
def test_average_sensitivity(group):
    batch = BOOL[group]
    got = np.atleast_1d(bs.average_sensitivity(batch))
    got_exact = np.atleast_1d(bs.average_sensitivity(batch, exact=True))
    for row, g, ge in zip(batch, got, got_exact):
        pointwise = want("pointwise_sensitivity", row)
        expect = Fraction(sum(pointwise), len(pointwise))
        assert ge == expect
        assert close(g, expect)
    for f, row in zip(functions(batch), batch):
        assert close(bs.average_sensitivity(f), want("total_influence", row))


# ------------------------------------------------------------------------------------- sensitivity
@pytest.mark.parametrize("group", list(BOOL))
def test_pointwise_sensitivity(group):
    batch = BOOL[group]
    got = bs.pointwise_sensitivity(batch)
    assert got.shape == batch.shape
    for row, g in zip(batch, got):
        assert [int(v) for v in g] == want("pointwise_sensitivity", row)
    for f, row in zip(functions(batch), batch):
        assert [int(v) for v in bs.pointwise_sensitivity(f)] == want("pointwise_sensitivity", row)


@pytest.mark.parametrize("group", list(BOOL))
def test_sensitivity(group):
    batch = BOOL[group]
    got = np.atleast_1d(bs.sensitivity(batch))
    assert [int(v) for v in got] == [want("sensitivity", row) for row in batch]
    assert [bs.sensitivity(f) for f in functions(batch)] == [want("sensitivity", row) for row in batch]


# ------------------------------------------------------------------------------------- complexity
COMPLEXITY_MEASURES = ["block_sensitivity", "certificate_complexity", "decision_tree_depth"]


def test_bs_exceeds_s_inputs():
    for row in COMPLEXITY["bs>s-n4"]:
        assert want("block_sensitivity", row) > want("sensitivity", row)


@pytest.mark.parametrize("group", list(COMPLEXITY))
@pytest.mark.parametrize("measure", COMPLEXITY_MEASURES)
def test_complexity_measures(measure, group):
    batch = COMPLEXITY[group]
    core = getattr(bs, measure)
    expect = [want(measure, row) for row in batch]
    got = np.atleast_1d(core(batch))
    assert got.shape == (len(batch),)
    assert [int(v) for v in got] == expect
    assert [int(core(f)) for f in functions(batch)] == expect


# ------------------------------------------------------------------------------------- noise
@pytest.mark.parametrize("group", list(SPECTRAL))
def test_noise_stability_float_rho(group):
    batch = SPECTRAL[group]
    for rho in RHOS:
        got = bs.noise_stability(batch, rho)
        assert np.shape(got) == batch.shape[:-1]
        for row, g in zip(batch, got):
            assert close(g, want("noise_stability", row, rho)), (rho, row)


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_noise_stability_array_of_rho(group):
    batch = SPECTRAL[group]
    rhos = np.array(RHOS)
    got = bs.noise_stability(batch, rhos)
    assert got.shape == batch.shape[:-1] + rhos.shape
    for row, g in zip(batch, got):
        for rho, v in zip(RHOS, g):
            assert close(v, want("noise_stability", row, rho))
    grid = rhos.reshape(2, 4)  # a 2-D rho grid is appended as is
    assert bs.noise_stability(batch, grid).shape == batch.shape[:-1] + (2, 4)


@pytest.mark.parametrize("group", list(SPECTRAL))
def test_noise_stability_exact_fraction_rho(group):
    batch = SPECTRAL[group]
    for rho in EXACT_RHOS:
        got = bs.noise_stability(batch, rho)
        for row, g in zip(batch, got):
            assert isinstance(g, Fraction)
            assert g == want("noise_stability", row, rho)
    if group in BOOL:
        for f, row in zip(functions(batch), batch):
            assert bs.noise_stability(f, Fraction(1, 3)) == want("noise_stability", row, Fraction(1, 3))


def _check_boolean_parameter_measure(measure: str, batch: np.ndarray, floats, exacts) -> None:
    """A Boolean-only measure with a rho/delta argument: float scalars (within TOL), Fractions
    (==), an array of parameters (one value per parameter) and BooleanFunction inputs."""
    core = getattr(bs, measure)
    for value in floats:
        got = np.atleast_1d(core(batch, value))
        for row, g in zip(batch, got):
            assert close(g, want(measure, row, float(value))), (value, row)
    for value in exacts:
        got = np.atleast_1d(core(batch, value))
        for row, g in zip(batch, got):
            assert g == want(measure, row, value), (value, row)
    got = core(batch, np.array(floats))
    assert got.shape == (len(batch), len(floats))
    for row, g in zip(batch, got):
        assert all(close(v, want(measure, row, float(p))) for p, v in zip(floats, g))
    for f, row in zip(functions(batch), batch):
        assert core(f, exacts[-1]) == want(measure, row, exacts[-1])
        assert close(core(f, floats[1]), want(measure, row, float(floats[1])))


@pytest.mark.parametrize("group", list(BOOL))
def test_disagreement_probability(group):
    _check_boolean_parameter_measure("disagreement_probability", BOOL[group], RHOS, EXACT_RHOS)


@pytest.mark.parametrize("group", list(BOOL))
def test_noise_sensitivity(group):
    _check_boolean_parameter_measure("noise_sensitivity", BOOL[group], DELTAS, EXACT_DELTAS)


@pytest.mark.parametrize("group", list(BOOL))
def test_robustness_bound(group):
    _check_boolean_parameter_measure("robustness_bound", BOOL[group], RHOS, EXACT_RHOS)
