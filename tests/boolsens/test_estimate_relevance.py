"""Tests of bs.estimate.relevant_variables: every report proved (witness checked on the table), the
reported set against the exact one (bs.relevant_variables) on every function of n <= 3 and random
ones to n = 8, the influence intervals against exact influences, the planted 5-junta at n = 1,000
with its query count, reproducibility, torch, and a table of bad arguments."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError
from boolsens.estimate.relevance import clopper_pearson, pair_batches

RV = bs.estimate.relevant_variables


def index_of(u: np.ndarray) -> int:
    """The table index of a ±1 point (bit i set where u_i = −1)."""
    return int(sum(1 << i for i, v in enumerate(u) if v == -1))


def check_witnesses(res, signs: np.ndarray) -> None:
    """Each reported i has a witness u with f(u) ≠ f(u^{⊕i}) in the table."""
    for i, u in zip(res.variables, res.witnesses):
        a = index_of(u)
        assert signs[a] != signs[a ^ (1 << i)], (i, u)


def min_nonzero_influence(f) -> float:
    infl = np.asarray(bs.influences(f), dtype=float)
    nz = infl[infl > 0]
    return float(nz.min()) if nz.size else 1.0


def planted_junta(n: int, k: int, seed: int):
    """A random k-junta on k random coordinates of n, depending on all k; (callable, coordinates)."""
    gen = np.random.default_rng(seed)
    while True:
        g = bs.random_function(k, rng=gen)
        if len(bs.relevant_variables(g)) == k:
            break
    coords = np.sort(gen.choice(n, size=k, replace=False))
    table = g.signs.astype(np.int8)
    weights = (1 << np.arange(k)).astype(np.int64)

    def f(x):
        return table[((x[:, coords] == -1).astype(np.int64) * weights).sum(axis=1)]

    return f, tuple(int(c) for c in coords)


# ------------------------------------------------------------------ against exact values, n <= 8
def test_every_function_on_three_inputs_exactly():
    for t in range(256):
        signs = np.array([1 - 2 * ((t >> x) & 1) for x in range(8)], dtype=np.int8)
        res = RV(signs, alpha=1e-3, min_influence=0.25, influence_samples=0, rng=t)
        assert res.variables == bs.relevant_variables(signs), t
        check_witnesses(res, signs)


@pytest.mark.parametrize("n", [4, 6, 8])
def test_random_functions_and_sparse_ones(n):
    gen = np.random.default_rng(n)
    for rep in range(6):
        f = bs.random_function(n, rng=gen)
        if rep % 2:  # a function of fewer inputs, so that some coordinates are irrelevant
            f = bs.BooleanFunction(bs.random_function(3, rng=gen).signs[np.arange(1 << n) & 7])
        exact = bs.relevant_variables(f)
        res = RV(f, alpha=1e-3, min_influence=min_nonzero_influence(f), influence_samples=0, rng=rep)
        assert set(res.variables) <= set(exact)  # never a false positive
        assert res.variables == exact  # every relevant one found (fails with prob <= alpha)
        check_witnesses(res, f.signs)


@pytest.mark.parametrize("f", [bs.majority(7), bs.tribes(2, 3), bs.address(2), bs.threshold([3, 2, 1, 1])],
                         ids=["maj7", "tribes", "address", "threshold"])
def test_influence_intervals_hold_the_exact_influences(f):
    exact = np.asarray(bs.influences(f), dtype=float)
    misses = 0
    for seed in range(10):
        res = RV(f, alpha=0.05, min_influence=min_nonzero_influence(f), influence_samples=400, rng=seed)
        assert res.interval == "clopper-pearson"
        assert res.variables == bs.relevant_variables(f)
        inside = (res.ci_low <= exact[list(res.variables)]) & (exact[list(res.variables)] <= res.ci_high)
        misses += not inside.all()
    assert misses <= 2  # simultaneous 95 % intervals: at most 5 % of runs may miss, 2 of 10 by rule


def test_clopper_pearson_against_scipy():
    stats = pytest.importorskip("scipy.stats")
    for m, k, level in [(10, 0, 0.05), (10, 3, 0.05), (50, 50, 0.01), (400, 123, 0.002), (7, 6, 0.2)]:
        lo, hi = clopper_pearson(k, m, level)
        want_lo = 0.0 if k == 0 else stats.beta.ppf(level / 2, k, m - k + 1)
        want_hi = 1.0 if k == m else stats.beta.ppf(1 - level / 2, k + 1, m - k)
        assert lo == pytest.approx(want_lo, abs=1e-9) and hi == pytest.approx(want_hi, abs=1e-9)


# ------------------------------------------------------------------ the planted junta at n = 1,000
K, N_BIG = 5, 1000
#: stated bound: queries (influence_samples=0) <= C_JUNTA · k · log2 n for a planted 5-junta at
#: min_influence = 1/16 (its smallest nonzero influence is >= 2^(1-k)): the search spends at most
#: k⌈log2 n⌉; the rest (about 2/ν pairs per discovery, 2 m_t at the last test) does not grow with n
C_JUNTA = 20


@pytest.mark.parametrize("seed", range(5))
def test_planted_five_junta_found_exactly_with_k_log_n_queries(seed):
    f, coords = planted_junta(N_BIG, K, seed)
    res = RV(f, N_BIG, alpha=0.05, min_influence=2.0 ** (1 - K), influence_samples=0, rng=seed)
    assert res.variables == coords
    assert res.tests == K + 1
    assert res.search_queries <= K * math.ceil(math.log2(N_BIG))
    assert res.queries <= C_JUNTA * K * math.log2(N_BIG)
    assert res.queries == 2 * res.pairs + res.search_queries


def test_planted_five_junta_twenty_seeds_and_n_independence():
    found = 0
    for seed in range(20):
        f, coords = planted_junta(N_BIG, K, 100 + seed)
        res = RV(f, N_BIG, min_influence=2.0 ** (1 - K), influence_samples=0, rng=seed)
        found += res.variables == coords
    assert found == 20
    # the pairs do not depend on n: the same junta at n = 100,000 costs only more search queries
    f, coords = planted_junta(100_000, K, 7)
    res = RV(f, 100_000, min_influence=2.0 ** (1 - K), influence_samples=0, rng=7)
    assert res.variables == coords and res.search_queries <= K * 17
    assert 2 * res.pairs <= C_JUNTA * K * math.log2(N_BIG)


def test_doc_example_influences_and_intervals():
    f = lambda x: x[:, 3] * np.where(x[:, 500] + x[:, 900] > 0, 1, -1)  # noqa: E731
    res = RV(f, 1000, rng=0)
    assert res.variables == (3, 500, 900)
    exact = np.array([1.0, 0.5, 0.5])
    assert np.all((res.ci_low <= exact) & (exact <= res.ci_high))
    assert res.influence_queries == (3 + 1) * 1000


# ------------------------------------------------------------------ real-valued f, tol, samples_per_test
def test_real_valued_with_and_without_tolerance():
    f = lambda x: x[:, 0] + 1e-6 * x[:, 1]  # noqa: E731
    assert RV(f, 6, rng=0).variables == (0, 1)
    res = RV(f, 6, tol=1e-3, rng=0)
    assert res.variables == (0,) and res.interval == "normal"
    assert res.ci_low[0] <= 1.0 <= res.ci_high[0] + 1e-9


def test_samples_per_test_fixes_the_budget_and_reports_the_detection_level():
    res = RV(bs.majority(5), samples_per_test=50, influence_samples=0, rng=0)
    assert set(res.samples_per_test) == {50}
    t = res.tests
    assert res.detection_level == pytest.approx(2 * (1 - (0.05 / (t * (t + 1))) ** (1 / 50)))
    assert set(res.variables) <= set(range(5))


def test_constant_reports_nothing():
    res = RV(lambda x: np.ones(len(x)), 10, rng=0)
    assert res.variables == () and res.tests == 1 and res.witnesses.shape == (0, 10)
    assert res.table()["variable"] == []


# ------------------------------------------------------------------ conventions shared with the estimators
def test_same_seed_same_answer_whatever_the_batch_size():
    f, _ = planted_junta(300, 3, 1)
    a = RV(f, 300, rng=11, influence_samples=100)
    b = RV(f, 300, rng=11, influence_samples=100, batch_size=7)
    assert a.as_dict() == b.as_dict()
    assert a.seed == 11
    g = RV(f, 300, rng=np.random.default_rng(3), influence_samples=0)
    assert g.seed is None
    assert isinstance(RV(f, 300, influence_samples=0).seed, int)


def test_table_loads_as_columns_and_as_dict_is_json():
    res = RV(bs.majority(3), rng=0, influence_samples=50)
    table = res.table()
    assert list(table) == ["variable", "influence", "ci_low", "ci_high", "witnessed"]
    assert {len(v) for v in table.values()} == {3} and all(table["witnessed"])
    json.dumps(res.as_dict())
    assert "RelevantVariables([0, 1, 2] of n=3" in repr(res)


def test_torch_module_matches_numpy_callable():
    torch = pytest.importorskip("torch")

    class Junta(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))

        def forward(self, x):  # (B, 40) -> (B,)
            assert not torch.is_grad_enabled()
            return x[:, 5] * x[:, 31] + 0 * self.w

    m = Junta().train()
    res = RV(m, 40, rng=2, influence_samples=200)
    ref = RV(lambda x: x[:, 5] * x[:, 31], 40, rng=2, influence_samples=200)
    assert res.variables == (5, 31) and res.as_dict() == ref.as_dict()
    assert m.training  # mode restored


def test_pair_batches_schedule():
    assert list(pair_batches(5, 10)) == [5]
    assert sum(pair_batches(1000, 10)) == 1000
    assert max(pair_batches(10_000, 1 << 19)) == 2  # capped by the draw chunk


BAD = [
    ("alpha-0", dict(alpha=0), "alpha=0 must lie in (0, 1)"),
    ("alpha-1", dict(alpha=1.0), "alpha=1.0 must lie in (0, 1)"),
    ("alpha-nan", dict(alpha=float("nan")), "alpha=nan must lie in (0, 1)"),
    ("alpha-bool", dict(alpha=True), "alpha=True must be a real number"),
    ("min-influence", dict(min_influence=0.0), "min_influence=0.0 must lie in (0, 1)"),
    ("samples-per-test", dict(samples_per_test=0), "samples_per_test=0 must lie in [1, inf]"),
    ("influence-samples-1", dict(influence_samples=1), "influence_samples=1 must be 0"),
    ("influence-samples-neg", dict(influence_samples=-3), "influence_samples=-3 must lie in [0, inf]"),
    ("tol", dict(tol=-1.0), "tol=-1.0 must lie in [0, inf]"),
    ("rng", dict(rng=-1), "rng=-1 must be a non-negative integer seed"),
]


@pytest.mark.parametrize("kwargs, message", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments(kwargs, message):
    with pytest.raises(BoolsensError, match=re_escape(message)):
        RV(bs.majority(3), **kwargs)


def re_escape(s: str) -> str:
    import re

    return re.escape(s)


BAD_FN = [
    ("n-0", lambda x: x[:, 0], 0, "n=0 must lie in [1,"),
    ("nan", lambda x: np.full(len(x), np.nan), 5, "NaN/inf"),
    ("shape", lambda x: x, 5, "returned shape"),
    ("no-n", lambda x: x[:, 0], None, "n is required"),
]


@pytest.mark.parametrize("fn, n, message", [b[1:] for b in BAD_FN], ids=[b[0] for b in BAD_FN])
def test_bad_functions(fn, n, message):
    with pytest.raises(BoolsensError, match=re_escape(message)):
        RV(fn, n, rng=0)
