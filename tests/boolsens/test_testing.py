"""Tests of bs.testing: each tester accepts every function with its property (always: one-sided),
rejects functions far from it at a rate >= 2/3 by rule over seeds (with eps set to the exact
distance, computed by brute force at small n), its witnesses are checked on the table, and the
conventions (seed, batch size, torch, bad input) are those of bs.estimate."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError
from boolsens.testing.linearity import AND_CHECK_REJECTION

T = bs.testing
SEEDS = range(12)


def idx(u) -> int:
    return int(sum(1 << i for i, v in enumerate(u) if v == -1))


def rate(tester, f, **kw) -> float:
    return float(np.mean([tester(f, rng=s, **kw).rejected for s in SEEDS]))


def table_fn(signs: np.ndarray):
    """A numpy callable reading a table (so that n can be given as a callable's)."""
    def f(x):
        return signs[((x == -1).astype(np.int64) << np.arange(x.shape[1])).sum(axis=1)]
    return f


# ------------------------------------------------------------------ linearity
def test_linearity_accepts_every_parity_always():
    n = 6
    for S in range(1 << n):
        f = bs.sparse_parity(n, S)
        assert all(T.linearity(f, eps=0.05, rng=s).accepted for s in range(3)), S


def test_linearity_rejects_random_and_affine_functions():
    assert rate(T.linearity, bs.random_function(12, seed=1), eps=0.1) >= 2 / 3
    assert rate(T.linearity, -bs.parity(8), eps=0.1) == 1.0  # −χ_S fails every round
    res = T.linearity(bs.majority(9), eps=0.1, rng=0)
    w = res.witness
    assert w["f(x)"] * w["f(y)"] != w["f(x*y)"]
    signs = bs.majority(9).signs
    assert signs[idx(w["x"])] == w["f(x)"] and signs[idx(w["x"] * w["y"])] == w["f(x*y)"]


def test_linearity_at_the_exact_distance():
    """Functions at distance d from the parities (a parity with d·2**n flipped points), tested with
    eps = d: rejected at rate >= 2/3; the round's exact rejection probability is >= d (Thm 1.30)."""
    n = 8
    gen = np.random.default_rng(0)
    for flips in (8, 26, 64):
        signs = bs.parity(n).signs.copy()
        signs[gen.choice(1 << n, size=flips, replace=False)] *= -1
        coeffs = np.asarray(bs.fourier_coefficients(signs), dtype=float)
        d = 0.5 - 0.5 * np.abs(coeffs).max()
        assert d == pytest.approx(flips / 256)
        reject_round = 0.5 - 0.5 * float((coeffs**3).sum())
        assert reject_round >= d - 1e-12
        assert rate(T.linearity, signs, eps=d) >= 2 / 3


# ------------------------------------------------------------------ dictator
def test_and_check_rejection_constant():
    for s in range(2, 9):
        bad = 0
        for a in itertools.product([0, 1], repeat=s):
            for b in itertools.product([0, 1], repeat=s):
                bad += (sum(x & y for x, y in zip(a, b)) % 2) != ((sum(a) % 2) & (sum(b) % 2))
        assert bad / 4**s == 0.5 - 2.0 ** (-2 * (s // 2) - 1) >= AND_CHECK_REJECTION


def test_dictator_accepts_every_dictator_always():
    for i in range(8):
        assert all(T.dictator(bs.dictator(8, i), eps=0.05, rng=s).accepted for s in range(3))
    assert T.dictator(lambda x: x[:, 777], 1000, rng=0).accepted


@pytest.mark.parametrize("f", [-bs.dictator(8, 2), bs.constant(8, 1), bs.constant(8, -1), bs.sparse_parity(8, [0, 1]),
                               bs.sparse_parity(8, [1, 4, 6]), bs.parity(9), bs.majority(9), bs.majority(21),
                               bs.random_function(10, seed=3)],
                         ids=["anti", "one", "minus-one", "chi2", "chi3", "parity9", "maj9", "maj21", "random"])
def test_dictator_rejects_far_functions(f):
    signs = f.signs.astype(float)
    dist = min(float(np.mean(signs != bs.dictator(f.n, i).signs)) for i in range(f.n))
    assert rate(T.dictator, f, eps=dist) >= 2 / 3
    w = T.dictator(f, eps=dist, rng=0).witness
    if w is not None:
        assert f.signs[idx(w["x"])] == w["f(x)"] and f.signs[idx(-w["x"])] == w["f(-x)"]


def test_dictator_rejects_majority_on_many_inputs():
    maj = lambda x: np.sign(x.sum(axis=1, dtype=np.int32))  # noqa: E731
    assert rate(T.dictator, maj, n=101, eps=0.3) >= 2 / 3


# ------------------------------------------------------------------ junta
def junta_distance(signs: np.ndarray, n: int, k: int) -> float:
    """Exact distance from the k-juntas: min over |J| = k of E_{x_J} min(p, 1 − p)."""
    pts = bs.cube_points(n)  # (2**n, n) ±1
    best = 1.0
    for J in itertools.combinations(range(n), k):
        key = ((pts[:, list(J)] == -1).astype(np.int64) << np.arange(k)).sum(axis=1) if k else np.zeros(1 << n, int)
        d = 0.0
        for v in np.unique(key):
            vals = signs[key == v]
            d += min(np.sum(vals == 1), np.sum(vals == -1))
        best = min(best, d / (1 << n))
    return best


def test_junta_accepts_embedded_juntas_always():
    for k in range(0, 5):
        for seed in range(4):
            gen = np.random.default_rng(seed)
            g = bs.random_function(k, rng=gen).signs if k else np.array([1], dtype=np.int8)
            coords = gen.choice(200, size=k, replace=False)

            def f(x, g=g, coords=coords, k=k):
                return g[((x[:, coords] == -1).astype(np.int64) << np.arange(k)).sum(axis=1)]

            res = T.junta(f, 200, k=k, eps=0.05, rng=seed)
            assert res.accepted and res.property == f"{k}-junta"
    assert T.junta(bs.parity(6), k=6, rng=0).queries == 0  # k >= n: nothing to test


@pytest.mark.parametrize("n, k", [(5, 1), (5, 2), (6, 3)])
def test_junta_at_the_exact_distance(n, k):
    gen = np.random.default_rng(n * 10 + k)
    for _ in range(4):
        f = bs.random_function(n, rng=gen)
        d = junta_distance(f.signs, n, k)
        assert d > 0
        assert rate(T.junta, f, k=k, eps=d) >= 2 / 3
        res = T.junta(f, k=k, eps=d, rng=0)
        if res.rejected:  # k + 1 coordinates, each with its witness point
            assert len(res.witness["variables"]) == k + 1
            for i, u in zip(res.witness["variables"], res.witness["points"]):
                assert f.signs[idx(u)] != f.signs[idx(u) ^ (1 << i)]


def test_junta_rejects_parity_on_k_plus_2_and_majority():
    k = 3
    chi = lambda x: x[:, [2, 50, 99, 140, 180]].prod(axis=1)  # noqa: E731  (5 = k + 2 inputs)
    assert rate(T.junta, chi, n=200, k=k, eps=0.25) >= 2 / 3
    maj = lambda x: np.sign(x[:, :51].sum(axis=1, dtype=np.int32))  # noqa: E731
    assert rate(T.junta, maj, n=300, k=k, eps=0.1) >= 2 / 3


# ------------------------------------------------------------------ monotonicity
MONOTONE = [bs.majority(9), bs.conjunction(6), bs.disjunction(6), bs.tribes(2, 3), bs.threshold([3, 2, 1, 1]),
            bs.dictator(5, 2), bs.constant(4, -1)]


@pytest.mark.parametrize("f", MONOTONE, ids=["maj", "and", "or", "tribes", "threshold", "dictator", "constant"])
def test_monotonicity_accepts_monotone_functions_always(f):
    assert bs.is_monotone(f)
    assert all(T.monotonicity(f, eps=0.05, rng=s).accepted for s in range(5))


def monotone_tables(n: int) -> np.ndarray:
    """Every monotone ±1 table on n inputs (by brute force over all 2**2**n)."""
    tables = np.array([[1 - 2 * ((t >> x) & 1) for x in range(1 << n)] for t in range(1 << (1 << n))], dtype=np.int8)
    return tables[np.asarray(bs.is_monotone(tables))]


def test_monotonicity_at_the_exact_distance():
    n = 3
    mono = monotone_tables(n)
    assert len(mono) == 20  # the Dedekind number M(3)
    gen = np.random.default_rng(0)
    runs = rejects = 0
    for t in gen.choice(256, size=40, replace=False):
        signs = np.array([1 - 2 * ((t >> x) & 1) for x in range(8)], dtype=np.int8)
        d = float(np.min(np.mean(mono != signs, axis=1)))
        if d == 0:
            assert all(T.monotonicity(signs, eps=0.1, rng=s).accepted for s in range(3))
            continue
        for s in range(6):
            res = T.monotonicity(signs, eps=d, rng=s)
            runs += 1
            rejects += res.rejected
            if res.rejected:
                lo, i = idx(res.witness["lower"]), res.witness["i"]
                assert signs[lo] == 1 and signs[lo & ~(1 << i)] == -1  # lower point +1, upper −1
    assert rejects >= 2 / 3 * runs


def test_monotonicity_rejects_anti_majority_and_parity():
    assert rate(T.monotonicity, -bs.majority(9), eps=0.1) >= 2 / 3
    assert rate(T.monotonicity, bs.parity(10), eps=0.1) >= 2 / 3


# ------------------------------------------------------------------ conventions
@pytest.mark.parametrize("tester, kw", [(T.linearity, {}), (T.dictator, {}), (T.junta, {"k": 2}),
                                        (T.monotonicity, {})], ids=["linearity", "dictator", "junta", "monotone"])
def test_same_seed_same_answer_and_batch_size_free(tester, kw):
    f = bs.random_function(10, seed=5)
    a, b = tester(f, rng=3, **kw), tester(f, rng=3, batch_size=5, **kw)
    assert a.as_dict() == b.as_dict() and a.seed == 3
    assert tester(f, rng=np.random.default_rng(1), **kw).seed is None
    assert set(a.table()) >= {"property", "accepted", "queries"}


def test_query_counts_follow_the_theorems():
    assert T.linearity(bs.parity(10), eps=0.1, rng=0).queries == 3 * 11
    assert T.dictator(bs.dictator(10), eps=0.1, rng=0).queries == 6 * 24
    assert T.monotonicity(bs.majority(5), eps=0.5, rng=0).queries == 2 * int(np.ceil(5 * np.log(3) / 0.5))
    assert T.linearity(bs.parity(10), eps=0.1, delta=0.01, rng=0).queries == 3 * int(np.ceil(np.log(100) / 0.1))


def test_torch_module():
    torch = pytest.importorskip("torch")

    class Dict(torch.nn.Module):
        def forward(self, x):  # (B, 30) -> (B, 1)
            return x[:, 4:5]

    m = Dict().train()
    assert T.dictator(m, 30, rng=0).accepted and T.linearity(m, 30, rng=0).accepted
    assert T.junta(m, 30, k=1, rng=0).accepted and T.monotonicity(m, 30, rng=0).accepted
    assert m.training


BAD = [
    ("real-output", dict(fn=lambda x: 0.5 * x[:, 0], n=5), "needs fn to return only +1 and -1"),
    ("nan", dict(fn=lambda x: np.full(len(x), np.nan), n=5), "NaN/inf"),
    ("shape", dict(fn=lambda x: x, n=5), "returned shape"),
    ("n-0", dict(fn=lambda x: x[:, 0], n=0), "n=0 must lie in [1,"),
    ("eps-0", dict(eps=0), "eps=0 must lie in (0, 1)"),
    ("eps-1", dict(eps=1.0), "eps=1.0 must lie in (0, 1)"),
    ("eps-str", dict(eps="0.1"), "eps='0.1' must be a real number in (0, 1)"),
    ("delta", dict(delta=1.5), "delta=1.5 must lie in (0, 1)"),
    ("rng", dict(rng="a"), "rng='a' must be a non-negative integer seed"),
]


@pytest.mark.parametrize("tester", [T.linearity, T.dictator, T.monotonicity, T.junta],
                         ids=["linearity", "dictator", "monotone", "junta"])
@pytest.mark.parametrize("kwargs, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input(tester, kwargs, message):
    kw = dict(kwargs)
    fn, n = kw.pop("fn", bs.majority(3)), kw.pop("n", None)
    if tester is T.junta:
        kw["k"] = 1
    with pytest.raises(BoolsensError, match=re.escape(message)):
        tester(fn, n, **kw)


@pytest.mark.parametrize("k, message", [(-1, "k=-1 must lie in [0, inf]"), (1.5, "k=1.5 must be an integer")])
def test_bad_k(k, message):
    with pytest.raises(BoolsensError, match=re.escape(message)):
        T.junta(bs.majority(3), k=k)
