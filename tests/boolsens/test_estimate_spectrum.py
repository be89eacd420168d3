"""Tests of boolsens.estimate.spectrum (fourier_coefficients, fourier_weights, heavy_coefficients):
brute-force oracles written from the definitions at small n, coverage of the stated intervals over
many seeds, unbiasedness of the U-statistic, closed forms for MAJORITY at large n, the planted
sparse parity found by Goldreich–Levin, reproducibility, torch, and a table of bad arguments."""

from __future__ import annotations

import math
from itertools import combinations
from math import comb

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError
from boolsens.cube import points_to_index
from boolsens.estimate.spectrum import _krawtchouk, _level_sums

E = bs.estimate


# --------------------------------------------------------------------- oracles from the definitions
def cube(n):
    """(2**n, n) ±1 points, row x = index x, coordinate i = (−1)^(bit i)."""
    idx = np.arange(1 << n)
    return 1 - 2 * ((idx[:, None] >> np.arange(n)) & 1)


def brute_coefficient(table, S):
    """f̂(S) = 2^-n Σ_x f(x) Π_{i∈S} x_i."""
    table = np.asarray(table, dtype=float)
    n = int(math.log2(table.size))
    X = cube(n)
    return float((table * np.prod(X[:, list(S)], axis=1)).mean())


def brute_weights(table, d):
    n = int(math.log2(np.asarray(table).size))
    return np.array([sum(brute_coefficient(table, S) ** 2 for S in combinations(range(n), k)) for k in range(d + 1)])


def subsets_upto(n, d):
    return [S for k in range(d + 1) for S in combinations(range(n), k)]


def maj_np(x):
    return np.sign(x.sum(axis=1, dtype=np.int32))


def maj_level1_coefficient(n):
    """MAJ_n (n odd): f̂({i}) = C(n−1, (n−1)/2) / 2^(n−1) (O'Donnell, §5.3)."""
    return comb(n - 1, (n - 1) // 2) / 2 ** (n - 1)


FUNCTIONS = {
    "random8": bs.random_function(8, rng=np.random.default_rng(3)),
    "maj9": bs.majority(9),
    "tribes23": bs.tribes(2, 3),
    "address2": bs.address(2),
}


# --------------------------------------------------------------------- the algebra
def test_level_sums_match_brute_force():
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(37, 6))
    y = rng.normal(size=37)
    for k in range(7):
        want = [float(y @ np.prod(X[:, list(S)], axis=1)) for S in combinations(range(6), k)]
        assert np.allclose(_level_sums(X, y, k), want), k


def test_krawtchouk_is_the_elementary_symmetric_kernel():
    # K_k(x, x') = Σ_{|S|=k} χ_S(x)χ_S(x') = e_k(x ⊙ x'), and the closed forms of levels 2 and 3
    n = 7
    X = cube(n)
    rng = np.random.default_rng(1)
    for _ in range(20):
        z = X[rng.integers(1 << n)]
        p = np.array([float(z.sum())])
        K = _krawtchouk(p, n, n)
        for k in range(n + 1):
            assert K[k][0] == sum(np.prod(z[list(S)]) for S in combinations(range(n), k))
        assert K[2][0] == (p[0] ** 2 - n) / 2
        assert K[3][0] == (p[0] ** 3 - 3 * n * p[0] + 2 * p[0]) / 6


@pytest.mark.parametrize("name", FUNCTIONS)
def test_coefficients_subsets_and_degree_agree(name):
    f = FUNCTIONS[name]
    a = E.fourier_coefficients(f, max_degree=2, samples=3_000, rng=5)
    subs = subsets_upto(f.n, 2)
    assert a.subsets == tuple(subs)
    b = E.fourier_coefficients(f, subsets=subs, samples=3_000, rng=5)
    masks = [sum(1 << i for i in S) for S in subs]
    c = E.fourier_coefficients(f, subsets=masks, samples=3_000, rng=5)
    assert np.allclose(a.value, b.value) and np.allclose(b.value, c.value) and np.allclose(a.stderr, c.stderr)
    # every estimate within 4 SE, and (simultaneous Hoeffding at 1 − 0.05/K) all within t
    exact = np.array([brute_coefficient(f.signs, S) for S in subs])
    assert np.all(np.abs(a.value - exact) <= 4 * a.stderr + 1e-12)
    simultaneous = E.fourier_coefficients(f, max_degree=2, samples=3_000, rng=5, confidence=1 - 0.05 / len(subs))
    assert np.all(np.abs(simultaneous.value - exact) < simultaneous.halfwidth)
    assert a.evaluations == a.samples == 3_000


def test_constant_product_has_zero_error():
    f = bs.parity(5)
    est = E.fourier_coefficients(f, subsets=[(0, 1, 2, 3, 4), (0,)], samples=100, rng=0)
    assert est.value[0] == 1.0 and est.stderr[0] == 0.0


# --------------------------------------------------------------------- coverage over many seeds
def coverage(f, d, samples, draws, z=1.96):
    table = f.signs if hasattr(f, "signs") else f
    subs = subsets_upto(int(math.log2(len(table))), d)
    exact = np.array([brute_coefficient(table, S) for S in subs])
    normal = hoeff = 0
    for seed in range(draws):
        est = E.fourier_coefficients(f, max_degree=d, samples=samples, rng=seed)
        err = np.abs(est.value - exact)
        normal += int((err <= z * est.stderr + 1e-12).sum())
        hoeff += int((err < est.halfwidth).sum())
    total = draws * len(subs)
    return normal / total, hoeff / total


@pytest.mark.parametrize("name", FUNCTIONS)
def test_coefficient_intervals_cover(name):
    # 95 % normal intervals cover ≥ 93 % of (draw, subset) pairs over 200 draws; the Hoeffding
    # intervals (conservative) ≥ 95 %
    normal, hoeff = coverage(FUNCTIONS[name], 2, 400, 200)
    assert normal >= 0.93, normal
    assert hoeff >= 0.95, hoeff


def test_real_valued_coefficients_cover():
    rng = np.random.default_rng(7)
    table = rng.normal(size=1 << 6)
    normal, _ = coverage(table, 2, 400, 200)
    assert normal >= 0.93, normal
    est = E.fourier_coefficients(table, max_degree=1, samples=100, rng=0)
    assert np.isnan(est.halfwidth).all()  # no bound on |f| is known
    bounded = E.fourier_coefficients(table, max_degree=1, samples=100, rng=0, bound=float(np.abs(table).max()))
    assert np.isfinite(bounded.halfwidth).all()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_weight_intervals_cover(name):
    f = FUNCTIONS[name]
    exact = brute_weights(f.signs, 2)
    tail = 1.0 - exact.sum()
    hits = total = 0
    for seed in range(200):
        est = E.fourier_weights(f, max_degree=2, samples=300, rng=seed)
        hits += int((np.abs(est.value - exact) <= 1.96 * est.stderr + 1e-12).sum())
        hits += int(abs(est.tail.value - tail) <= 1.96 * est.tail.stderr + 1e-12)
        total += 4
    assert hits / total >= 0.93, hits / total


# --------------------------------------------------------------------- unbiasedness
@pytest.mark.parametrize("name", ["random8", "maj9"])
def test_weights_unbiased_and_naive_biased_upward(name):
    f = FUNCTIONS[name]
    d, m, seeds = 2, 60, 400
    exact = brute_weights(f.signs, d)
    u = np.array([E.fourier_weights(f, max_degree=d, samples=m, rng=s).value for s in range(seeds)])
    naive = []
    for s in range(seeds):
        c = E.fourier_coefficients(f, max_degree=d, samples=m, rng=s)
        deg = np.array([len(S) for S in c.subsets])
        naive.append([float((c.value[deg == k] ** 2).sum()) for k in range(d + 1)])
    naive = np.array(naive)
    se = u.std(axis=0, ddof=1) / math.sqrt(seeds)
    assert np.all(np.abs(u.mean(axis=0) - exact) <= 4 * se + 1e-12), (u.mean(axis=0), exact, se)
    # the naive Σ (sample mean)² exceeds W^k by Σ_S (1 − f̂(S)²)/m on average: far beyond 4 SE
    bias = naive.mean(axis=0) - exact
    expected_bias = np.array([sum(1 - brute_coefficient(f.signs, S) ** 2 for S in combinations(range(f.n), k)) / m
                              for k in range(d + 1)])
    assert np.all(bias > 4 * naive.std(axis=0, ddof=1) / math.sqrt(seeds))
    assert np.allclose(bias, expected_bias, rtol=0.25)


def test_weight_methods_agree_and_gram_reaches_level_3():
    f = bs.random_function(7, rng=np.random.default_rng(2))
    a = E.fourier_weights(f, max_degree=2, samples=500, rng=1, method="features")
    b = E.fourier_weights(f, max_degree=2, samples=500, rng=1, method="gram")
    assert np.allclose(a.value, b.value) and np.allclose(a.stderr, b.stderr)
    assert math.isclose(a.tail.value, b.tail.value, abs_tol=1e-12)
    c = E.fourier_weights(f, max_degree=3, samples=500, rng=1)
    assert c.method == "gram" and np.allclose(c.value[:3], a.value)
    # at max_degree = n the tail is exactly 1 − Σ of unbiased W^k, and the U-statistic is exact
    # algebra: Σ_k K_k(x, x') = Π_i (1 + x_i x'_i) = 2^n 1[x = x']
    full = E.fourier_weights(f, max_degree=7, samples=500, rng=1)
    assert math.isclose(float(full.value.sum()) + full.tail.value, 1.0, abs_tol=1e-9)


# --------------------------------------------------------------------- closed forms at large n
def test_majority_101_level_1():
    n = 101
    c1 = maj_level1_coefficient(n)
    est = E.fourier_coefficients(maj_np, n, subsets=[(i,) for i in range(n)], samples=40_000, rng=3,
                                 confidence=1 - 0.05 / n)   # simultaneous over the n coefficients
    assert np.all(np.abs(est.value - c1) < est.halfwidth)
    frac = np.mean(np.abs(est.value - c1) <= 1.96 * est.stderr)
    assert frac >= 0.9, frac
    w = E.fourier_weights(maj_np, n, max_degree=2, samples=6_000, rng=4)
    assert abs(w.value[1] - n * c1 ** 2) <= 4 * w.stderr[1]
    assert w.stderr[1] < 0.03  # the test has teeth: W^1 ≈ 0.64
    assert abs(w.value[2]) <= 4 * w.stderr[2] and abs(w.value[0]) <= 4 * w.stderr[0] + 1e-12


@pytest.mark.slow
def test_majority_1001_level_1():
    n = 1001
    c1 = maj_level1_coefficient(n)
    est = E.fourier_coefficients(maj_np, n, max_degree=1, samples=60_000, rng=3, confidence=1 - 0.05 / (n + 1))
    assert np.all(np.abs(est.value[1:] - c1) < est.halfwidth[1:])
    w = E.fourier_weights(maj_np, n, max_degree=1, samples=20_000, rng=4)
    assert abs(w.value[1] - n * c1 ** 2) <= 4 * w.stderr[1]


# --------------------------------------------------------------------- Goldreich–Levin
def planted_parity(S):
    cols = list(S)

    def f(x):
        return np.prod(x[:, cols], axis=1)

    return f


def test_heavy_finds_a_planted_parity_fast():
    for seed in range(3):
        S = tuple(sorted(np.random.default_rng(seed).choice(200, size=3, replace=False).tolist()))
        est = E.heavy_coefficients(planted_parity(S), 200, threshold=0.5, delta=0.05, rng=seed)
        assert est.subsets == (S,) and est.value.tolist() == [1.0]
        assert est.queries == est.samples * 201 == E.heavy_samples(200, 0.5, 0.05) * 201


@pytest.mark.slow
def test_heavy_finds_a_planted_parity_at_n_1000():
    found = 0
    for seed in range(20):
        S = tuple(sorted(np.random.default_rng(100 + seed).choice(1000, size=3, replace=False).tolist()))
        est = E.heavy_coefficients(planted_parity(S), 1000, threshold=0.5, delta=0.05, rng=seed)
        found += est.subsets == (S,)
    assert found >= 19, found


@pytest.mark.parametrize("name", ["maj9", "tribes23", "address2", "random8"])
def test_heavy_list_guarantee_against_exact(name):
    f = FUNCTIONS[name]
    exact = {S: brute_coefficient(f.signs, S) for k in range(f.n + 1) for S in combinations(range(f.n), k)}
    tau = 0.3
    for seed in range(3):
        est = E.heavy_coefficients(f, threshold=tau, delta=0.1, rng=seed)
        got = set(est.subsets)
        assert {S for S, v in exact.items() if abs(v) >= tau} <= got
        assert all(abs(exact[S]) >= tau / 2 for S in got)
        for S, v, se in zip(est.subsets, est.value, est.stderr):
            assert abs(v - exact[S]) <= 4 * se


# --------------------------------------------------------------------- reproducibility, torch, tables
def test_same_seed_same_result_whatever_batch_size():
    f = bs.random_function(9, rng=np.random.default_rng(1))
    for call in (lambda b: E.fourier_coefficients(maj_np, 31, max_degree=2, samples=5_000, rng=2, batch_size=b),
                 lambda b: E.fourier_weights(maj_np, 31, max_degree=3, samples=700, rng=2, batch_size=b),
                 lambda b: E.heavy_coefficients(f, threshold=0.25, rng=2, batch_size=b)):
        a, b = call(None), call(97)
        assert np.array_equal(a.value, b.value) and np.array_equal(a.stderr, b.stderr)
        assert getattr(a, "subsets", None) == getattr(b, "subsets", None)
    # the table, the function object and a numpy callable computing it give the same estimate
    t = E.fourier_coefficients(f, max_degree=1, samples=2_000, rng=4)
    g = E.fourier_coefficients(lambda x: f.signs[points_to_index(x)], 9, max_degree=1, samples=2_000, rng=4)
    assert np.array_equal(t.value, g.value)


def test_no_seed_records_a_seed_that_reproduces():
    a = E.fourier_coefficients(maj_np, 9, max_degree=1, samples=500)
    b = E.fourier_coefficients(maj_np, 9, max_degree=1, samples=500, rng=a.seed)
    assert np.array_equal(a.value, b.value)


def test_torch_module_matches_numpy():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(12, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    model.train()
    with torch.no_grad():
        W1, b1 = model[0].weight.double().numpy(), model[0].bias.double().numpy()
        W2, b2 = model[2].weight.double().numpy(), model[2].bias.double().numpy()

    def numpy_model(x):
        return (np.tanh(x @ W1.T + b1) @ W2.T + b2)[:, 0]

    a = E.fourier_coefficients(model, 12, max_degree=2, samples=2_000, rng=1)
    b = E.fourier_coefficients(numpy_model, 12, max_degree=2, samples=2_000, rng=1)
    assert np.allclose(a.value, b.value, atol=1e-5)
    w = E.fourier_weights(model, 12, max_degree=2, samples=500, rng=1)
    assert np.all(np.isfinite(w.value))
    assert model.training  # its mode is restored
    # a ±1 module: the sign of a readout of x_3 − x_5 x_7/4, whose heavy coefficient is {3}
    lin = torch.nn.Linear(12, 1)

    class Sign(torch.nn.Module):
        def forward(self, x):  # (B, 12) -> (B,)
            return torch.where(x[:, 3] - x[:, 5] * x[:, 7] / 4 + 0 * lin(x)[:, 0] >= 0, 1.0, -1.0)

    heavy = E.heavy_coefficients(Sign(), 12, threshold=0.9, rng=0)
    same = E.heavy_coefficients(lambda x: np.where(x[:, 3] >= 0, 1, -1), 12, threshold=0.9, rng=0)
    assert heavy.subsets == same.subsets == ((3,),) and np.array_equal(heavy.value, same.value)
    assert heavy.queries == heavy.samples * 13


def test_tables_and_dicts():
    est = E.fourier_coefficients(bs.majority(3), max_degree=1, samples=200, rng=0)
    t = est.table()
    assert list(t) == ["subset", "degree", "estimate", "stderr", "hoeffding_low", "hoeffding_high", "confidence"]
    assert t["subset"] == [(), (0,), (1,), (2,)] and t["degree"] == [0, 1, 1, 1]
    assert all(len(col) == 4 for col in t.values())
    assert est.as_dict()["subsets"] == [[], [0], [1], [2]]
    w = E.fourier_weights(bs.majority(3), max_degree=1, samples=200, rng=0)
    assert w.table()["level"] == [0, 1, ">1"]
    assert "tail" in w.as_dict()
    pd = pytest.importorskip("pandas")
    assert pd.DataFrame(est.table()).shape == (4, 7)


def test_progress_bar(capsys):
    E.fourier_coefficients(maj_np, 1001, max_degree=1, samples=20_000, rng=0, show_progress=True)
    assert "estimating fourier_coefficients" in capsys.readouterr().err


# --------------------------------------------------------------------- bad arguments
BAD = [
    ("heavy-not-pm1", lambda: E.heavy_coefficients(lambda x: x.sum(1) / 5, 5, threshold=0.5),
     "needs fn to return only +1 and -1"),
    ("heavy-table-not-pm1", lambda: E.heavy_coefficients(np.array([1.0, 0.5]), threshold=0.5), "only +1 and -1"),
    ("nan", lambda: E.fourier_coefficients(lambda x: np.full(len(x), np.nan), 5, max_degree=1, samples=10),
     "NaN/inf"),
    ("nan-weights", lambda: E.fourier_weights(lambda x: np.full(len(x), np.inf), 5, max_degree=1, samples=10),
     "NaN/inf"),
    ("wrong-shape", lambda: E.fourier_weights(lambda x: np.ones((len(x), 2)), 5, max_degree=1, samples=10),
     "returned shape (10, 2)"),
    ("n-0", lambda: E.fourier_coefficients(maj_np, 0, max_degree=1), "n=0 must lie in [1, 100000]"),
    ("n-0-heavy", lambda: E.heavy_coefficients(maj_np, 0, threshold=0.5), "n=0 must lie in [1, 100000]"),
    ("threshold-0", lambda: E.heavy_coefficients(maj_np, 5, threshold=0), "threshold=0 must be a real number in (0, 1]"),
    ("threshold-big", lambda: E.heavy_coefficients(maj_np, 5, threshold=1.5), "threshold=1.5"),
    ("delta-0", lambda: E.heavy_coefficients(maj_np, 5, threshold=0.5, delta=0), "delta=0 must be a real number in (0, 1)"),
    ("delta-1", lambda: E.heavy_coefficients(maj_np, 5, threshold=0.5, delta=1.0), "delta=1.0"),
    ("both", lambda: E.fourier_coefficients(maj_np, 5, max_degree=1, subsets=[(0,)]), "exactly one of"),
    ("neither", lambda: E.fourier_coefficients(maj_np, 5), "exactly one of"),
    ("degree-big", lambda: E.fourier_coefficients(maj_np, 5, max_degree=6), "max_degree=6 must lie in [0, 5]"),
    ("too-many", lambda: E.fourier_coefficients(maj_np, 1000, max_degree=3), "at most 2,000,000"),
    ("subset-out", lambda: E.fourier_coefficients(maj_np, 5, subsets=[(0, 5)]), "must lie in [0, 5)"),
    ("subset-repeat", lambda: E.fourier_coefficients(maj_np, 5, subsets=[(1, 1)]), "repeats a coordinate"),
    ("mask-out", lambda: E.fourier_coefficients(maj_np, 5, subsets=[32]), "bitmask outside [0, 2**5)"),
    ("subsets-empty", lambda: E.fourier_coefficients(maj_np, 5, subsets=[]), "subsets is empty"),
    ("subsets-str", lambda: E.fourier_coefficients(maj_np, 5, subsets="01"), "must be a sequence of subsets"),
    ("confidence", lambda: E.fourier_coefficients(maj_np, 5, max_degree=1, confidence=1.0), "confidence=1.0"),
    ("bound-small", lambda: E.fourier_coefficients(lambda x: 2.0 * x[:, 0], 5, max_degree=1, samples=10, bound=1),
     "bound=1 is not a bound on |f|"),
    ("samples-2", lambda: E.fourier_weights(maj_np, 5, max_degree=1, samples=2), "samples=2 must be an integer >= 3"),
    ("method", lambda: E.fourier_weights(maj_np, 5, max_degree=1, method="exact"), "method='exact'"),
    ("features-3", lambda: E.fourier_weights(maj_np, 5, max_degree=3, method="features"), "needs method='gram'"),
    ("n-missing", lambda: E.fourier_weights(maj_np, max_degree=1), "n is required"),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments(call, match):
    with pytest.raises(BoolsensError) as info:
        call()
    assert match in str(info.value)
