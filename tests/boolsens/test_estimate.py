"""Tests of boolsens.estimate: Monte-Carlo estimates against exact values (4 standard errors, fixed
seeds, so they cannot flake), standard-error calibration, reproducibility, torch vs numpy, and a
table of bad arguments."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from math import comb

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError

E = bs.estimate
Z = 4.0  # every accuracy test allows 4 standard errors


def within(est, exact, z=Z):
    """|value − exact| ≤ z·stderr (elementwise); a zero stderr requires (float-)exact agreement."""
    diff = np.abs(np.asarray(est.value, dtype=float) - np.asarray(exact, dtype=float))
    return bool(np.all(diff <= z * np.asarray(est.stderr) + 1e-12))


# --------------------------------------------------------------------- exact MAJORITY oracles
def maj_total_influence(n: int) -> Fraction:
    """I(MAJ_n) = n C(n−1, (n−1)/2) / 2^(n−1) (docs/theory.md §4), exact."""
    return Fraction(n * comb(n - 1, (n - 1) // 2), 2 ** (n - 1))


def maj_weights(n: int) -> list[Fraction]:
    """W^k(MAJ_n), k = 0..n, exact: for odd k, f̂(S) = (−1)^((k−1)/2) C((n−1)/2, (k−1)/2) /
    C(n−1, k−1) · C(n−1, (n−1)/2) · 2/2^n on every |S| = k (O'Donnell, Thm 5.19); even levels 0.
    Checked against the core's transform in test_majority_weight_formula."""
    m = (n - 1) // 2
    w = [Fraction(0)] * (n + 1)
    for k in range(1, n + 1, 2):
        coef = Fraction(comb(m, (k - 1) // 2) * comb(n - 1, m) * 2, comb(n - 1, k - 1) * 2**n)
        w[k] = comb(n, k) * coef * coef
    return w


def maj_stability(n: int, rho: Fraction) -> Fraction:
    return sum((rho**k * wk for k, wk in enumerate(maj_weights(n))), Fraction(0))


def maj_np(x):
    return np.sign(x.sum(axis=1, dtype=np.int32))


@pytest.mark.parametrize("n", [1, 3, 5, 7, 9, 11, 13])
def test_majority_weight_formula(n):
    weights = bs.fourier_weights(bs.majority(n), exact=True)
    assert list(weights) == maj_weights(n)
    assert sum(maj_weights(n)) == 1
    assert maj_stability(n, Fraction(1, 2)) == bs.noise_stability(bs.majority(n), Fraction(1, 2))
    # (bs.total_influence(..., exact=True) on a single function raised AttributeError when this
    # was written, so the exact influences are summed here)
    assert maj_total_influence(n) == sum(bs.influences(bs.majority(n), exact=True))


# --------------------------------------------------------------------- large n: MAJ_1001
N_BIG = 1001


def test_majority_1001_total_influence():
    exact = float(maj_total_influence(N_BIG))
    est = E.total_influence(maj_np, N_BIG, samples=100_000, rng=11)
    assert within(est, exact)
    assert est.stderr < 0.03 * exact  # the test has teeth: 4 SE is under 12% of the value
    assert est.evaluations == 2 * est.samples


def test_majority_1001_stability_and_disagreement():
    rho = Fraction(1, 2)
    stab = float(maj_stability(N_BIG, rho))
    est = E.noise_stability(maj_np, n=N_BIG, rho=0.5, samples=40_000, rng=12)
    assert within(est, stab)
    assert est.stderr < 0.006
    # Sheppard's limit 1 − (2/π) arccos ρ only as a loose sanity check (n is finite)
    assert abs(est.value - (1 - 2 / math.pi * math.acos(0.5))) < 0.03
    dis = E.disagreement_probability(maj_np, n=N_BIG, rho=0.5, samples=40_000, rng=13)
    assert within(dis, (1 - stab) / 2)


def test_large_n_parity_and_dictator_stability():
    n = 2000
    rhos = np.array([-0.9, 0.2, 0.7])
    dic = E.noise_stability(lambda x: x[:, 1234], n=n, rho=rhos, samples=5_000, rng=1)
    assert within(dic, rhos)
    par = E.noise_stability(lambda x: np.prod(x[:, :20], axis=1), n=n, rho=0.9, samples=20_000, rng=2)
    assert within(par, 0.9**20)
    ns = E.noise_sensitivity(lambda x: x[:, 7], n=n, delta=[0.0, 0.05, 0.5], samples=5_000, rng=3)
    assert within(ns, [0.0, 0.05, 0.5])
    assert ns.value[0] == 0.0 and ns.stderr[0] == 0.0


# --------------------------------------------------------------------- small n vs the core
FAMILIES = {
    "MAJ7": lambda: bs.majority(7),
    "TRIBES2,3": lambda: bs.tribes(2, 3),
    "LTF2111": lambda: bs.threshold([2, 1, 1, 1]),
    "AND5": lambda: bs.conjunction(5),
    "IP6": lambda: bs.inner_product(3),
    "ADDR2": lambda: bs.address(2),
    "PAR5": lambda: bs.parity(5),
    "RAND8": lambda: bs.random_function(8, seed=3),
}


@pytest.mark.parametrize("name", list(FAMILIES))
def test_families_against_exact(name):
    f = FAMILIES[name]()
    rhos = np.array([-0.6, 0.3, 0.9])
    deltas = np.array([0.05, 0.25])
    checks = [
        (E.mean(f, samples=4_000, rng=1), f.signs.mean()),
        (E.total_influence(f, samples=8_000, rng=2), bs.total_influence(f)),
        (E.total_influence(f, samples=1_000, rng=3, method="all_coordinates"), bs.total_influence(f)),
        (E.influences(f, samples=2_000, rng=4), bs.influences(f)),
        (E.influence(f, n=f.n, i=f.n - 1, samples=2_000, rng=5), bs.influence(f, f.n - 1)),
        (E.noise_stability(f, rho=rhos, samples=4_000, rng=6), bs.noise_stability(f, rhos)),
        (E.disagreement_probability(f, rho=0.5, samples=4_000, rng=7), bs.disagreement_probability(f, 0.5)),
        (E.noise_sensitivity(f, delta=deltas, samples=4_000, rng=8), bs.noise_sensitivity(f, deltas)),
    ]
    for est, exact in checks:
        assert within(est, exact), (est, exact)


def test_real_valued_table_and_callable():
    rng = np.random.default_rng(0)
    n = 6
    table = rng.normal(size=1 << n)
    pts = bs.cube_points(n)
    weights = 1 << np.arange(n)

    def g(x):  # the same real function as a callable on rows
        return table[(x < 0).astype(np.int64) @ weights]

    assert np.array_equal(g(pts), table)
    for fn, nn in [(table, None), (g, n)]:
        assert within(E.mean(fn, nn, samples=4_000, rng=1), table.mean())
        assert within(E.influences(fn, nn, samples=4_000, rng=2), bs.influences(table))
        assert within(E.total_influence(fn, nn, samples=8_000, rng=3), bs.total_influence(table))
        assert within(E.noise_stability(fn, n=nn, rho=[-0.5, 0.5], samples=4_000, rng=4),
                      bs.noise_stability(table, np.array([-0.5, 0.5])))
    # the same seed gives the same value for the table and the callable
    assert E.noise_stability(table, rho=0.3, rng=9, samples=500).value == \
        E.noise_stability(g, n=n, rho=0.3, rng=9, samples=500).value


def test_table_index_convention_matches_rows():
    """A table and a callable computing the same function give identical estimates: the lookup
    uses bit i of the index = coordinate i, bit 1 = −1 (conventions of boolsens)."""
    w = np.array([3, 1, 1, 1, 1, 2])  # odd total weight: no ties
    f = bs.threshold(w)

    def g(x):
        return np.sign(x @ w)

    for est in (E.influences, E.total_influence):
        a, b = est(f, samples=3_000, rng=4), est(g, 6, samples=3_000, rng=4)
        assert np.array_equal(a.value, b.value) and np.array_equal(a.stderr, b.stderr)
    torch = pytest.importorskip("torch")
    a = E.influences(torch.tensor(f.signs, dtype=torch.float32), samples=500, rng=1)
    assert np.array_equal(a.value, E.influences(f, samples=500, rng=1).value)


# --------------------------------------------------------------------- standard errors are right
@pytest.mark.parametrize("kind", ["random_coordinate", "all_coordinates", "stab", "influences"])
def test_stderr_calibration(kind):
    """Over 300 independent repetitions the spread of the estimates matches the reported standard
    error, and about 95% of the 1.96-intervals cover the exact value."""
    f = bs.tribes(2, 3)
    exact = {
        "random_coordinate": bs.total_influence(f),
        "all_coordinates": bs.total_influence(f),
        "stab": bs.noise_stability(f, 0.4),
        "influences": bs.influences(f)[0],
    }[kind]
    rng = np.random.default_rng(2024)
    vals, ses, cover = [], [], 0
    for _ in range(300):
        if kind == "stab":
            est = E.noise_stability(f, rho=0.4, samples=200, rng=rng)
        elif kind == "influences":
            est = E.influence(f, i=0, samples=200, rng=rng)
        else:
            est = E.total_influence(f, samples=200, method=kind, rng=rng)
        lo, hi = est.ci(1.96)
        cover += lo <= exact <= hi
        vals.append(est.value)
        ses.append(est.stderr)
    ratio = np.std(vals, ddof=1) / np.mean(ses)
    assert 0.85 < ratio < 1.15, ratio
    assert 0.91 <= cover / 300 <= 0.99, cover


# --------------------------------------------------------------------- reproducibility
def test_seed_reproducible_and_independent_of_batch_size():
    f = maj_np
    a = E.noise_stability(f, n=301, rho=0.5, samples=5_000, rng=42)
    b = E.noise_stability(f, n=301, rho=0.5, samples=5_000, rng=42, batch_size=77)
    c = E.noise_stability(f, n=301, rho=0.5, samples=5_000, rng=np.random.default_rng(42))
    d = E.noise_stability(f, n=301, rho=0.5, samples=5_000, rng=43)
    assert a.value == b.value == c.value and a.stderr == b.stderr
    assert a.seed == 42 and c.seed is None
    assert d.value != a.value
    # the influences path too (coordinate groups depend on batch_size)
    i1 = E.influences(f, 301, coordinates=[0, 3, 300], samples=3_000, rng=1)
    i2 = E.influences(f, 301, coordinates=[0, 3, 300], samples=3_000, rng=1, batch_size=5)
    assert np.array_equal(i1.value, i2.value)


def test_no_seed_records_a_seed_that_reproduces():
    a = E.total_influence(bs.majority(5), samples=1_000)
    assert isinstance(a.seed, int)
    b = E.total_influence(bs.majority(5), samples=1_000, rng=a.seed)
    assert a.value == b.value


#: one call of every estimator, the seed given as ``seed=`` (the deprecated alias)
DEPRECATED_SEED = {
    "mean": lambda: E.mean(maj_np, 5, samples=300, seed=3),
    "influence": lambda: E.influence(maj_np, 1, 5, samples=300, seed=3),
    "influences": lambda: E.influences(maj_np, 5, samples=300, seed=3),
    "total_influence": lambda: E.total_influence(maj_np, 5, samples=300, seed=3),
    "noise_stability": lambda: E.noise_stability(maj_np, 0.5, 5, samples=300, seed=3),
    "disagreement_probability": lambda: E.disagreement_probability(maj_np, 0.5, 5, samples=300, seed=3),
    "noise_sensitivity": lambda: E.noise_sensitivity(maj_np, 0.1, 5, samples=300, seed=3),
}


@pytest.mark.parametrize("name", list(DEPRECATED_SEED))
def test_seed_is_a_deprecated_alias_of_an_integer_rng(name):
    with pytest.warns(DeprecationWarning, match=r"seed= is deprecated and will be removed in boolsens 0\.3") as w:
        old = DEPRECATED_SEED[name]()
    assert w[0].filename == __file__  # the warning points at the caller's line
    new = getattr(E, name)(**{**_call_args(name), "rng": 3})
    assert np.array_equal(old.value, new.value) and old.seed == new.seed == 3
    assert "seed=" in getattr(E, name).__doc__ and "0.3" in getattr(E, name).__doc__


def _call_args(name):
    base = {"fn": maj_np, "n": 5, "samples": 300}
    extra = {"influence": {"i": 1}, "noise_stability": {"rho": 0.5}, "disagreement_probability": {"rho": 0.5},
             "noise_sensitivity": {"delta": 0.1}}
    return {**base, **extra.get(name, {})}


def test_seed_and_rng_together_are_refused():
    with pytest.warns(DeprecationWarning), pytest.raises(BoolsensError, match="not both"):
        E.mean(maj_np, 5, samples=10, seed=1, rng=np.random.default_rng())


def test_rng_without_the_alias_warns_nothing():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        E.mean(maj_np, 5, samples=10, rng=0)
        E.mean(maj_np, 5, samples=10, rng=np.random.default_rng(0))
        E.mean(maj_np, 5, samples=10)


def test_there_is_no_bias_alias():
    assert not hasattr(E, "bias") and "bias" not in E.__all__


def test_batch_size_bounds_every_call():
    seen = []

    def g(x):
        seen.append(x.shape[0])
        assert x.dtype == np.int8 and set(np.unique(x)) <= {-1, 1}
        return maj_np(x)

    for call in (
        lambda: E.influences(g, 101, samples=300, batch_size=64, rng=0),
        lambda: E.total_influence(g, 101, samples=300, batch_size=64, rng=0, method="all_coordinates"),
        lambda: E.noise_stability(g, n=101, rho=[0.1, 0.5], samples=300, batch_size=64, rng=0),
    ):
        seen.clear()
        est = call()
        assert max(seen) <= 64
        assert sum(seen) == est.evaluations


def test_evaluation_counts():
    f = bs.majority(9)
    assert E.total_influence(f, samples=100, rng=0).evaluations == 200
    assert E.total_influence(f, samples=100, rng=0, method="all_coordinates").evaluations == 1000
    assert E.influences(f, coordinates=[1, 2], samples=100, rng=0).evaluations == 300
    assert E.noise_stability(f, rho=[0.1, 0.2, 0.3], samples=100, rng=0).evaluations == 400
    assert E.mean(f, samples=100, rng=0).evaluations == 100


# --------------------------------------------------------------------- torch
def test_torch_module_matches_numpy_callable():
    torch = pytest.importorskip("torch")

    class SignOfSum(torch.nn.Module):
        def __init__(self, n):
            super().__init__()
            self.lin = torch.nn.Linear(n, 1, bias=False)
            torch.nn.init.ones_(self.lin.weight)
            self.modes = []

        def forward(self, x):  # (N, n) float32 -> (N, 1)
            self.modes.append(self.training)
            assert x.dtype == torch.float32 and not torch.is_grad_enabled()
            return torch.sign(self.lin(x))

    n = 11
    model = SignOfSum(n)
    model.train()
    for name, kw in [
        ("total_influence", {}),
        ("influences", {"coordinates": [0, 10]}),
        ("noise_stability", {"rho": [0.2, 0.8]}),
        ("disagreement_probability", {"rho": 0.5}),
        ("noise_sensitivity", {"delta": 0.1}),
        ("mean", {}),
    ]:
        a = getattr(E, name)(model, n=n, samples=3_000, rng=5, **kw)
        b = getattr(E, name)(maj_np, n=n, samples=3_000, rng=5, **kw)
        c = getattr(E, name)(bs.majority(n), samples=3_000, rng=5, **kw)
        assert np.array_equal(a.value, b.value) and np.array_equal(a.stderr, b.stderr), name
        assert np.array_equal(a.value, c.value), name
    assert model.training and not any(model.modes)  # evaluated in eval mode, mode restored
    # a plain callable on tensors via device=
    d = E.total_influence(lambda t: torch.sign(t.sum(-1)), n, samples=3_000, rng=5, device="cpu")
    assert d.value == E.total_influence(maj_np, n, samples=3_000, rng=5).value


def test_torch_module_on_gpu_matches_numpy():
    """Inputs are created on the module's device (runs only where CUDA is available)."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    model = torch.nn.Linear(9, 1, bias=False).cuda()
    torch.nn.init.ones_(model.weight)
    a = E.noise_stability(torch.nn.Sequential(model, torch.nn.Flatten(0)), n=9, rho=0.3,
                          samples=2_000, rng=1)
    b = E.noise_stability(lambda x: x.sum(1).astype(float), n=9, rho=0.3, samples=2_000, rng=1)
    assert a.value == b.value


# --------------------------------------------------------------------- the Estimate object
def test_estimate_object():
    est = E.total_influence(bs.majority(5), samples=1_000, rng=0)
    lo, hi = est.ci(2.0)
    assert lo == est.value - 2 * est.stderr and hi == est.value + 2 * est.stderr
    r = repr(est)
    assert "total_influence" in r and "seed=0" in r and "samples=1_000" in r
    with pytest.raises(dataclasses.FrozenInstanceError):
        est.value = 1.0
    vec = E.influences(bs.majority(5), samples=1_000, rng=0)
    assert vec.value.shape == vec.stderr.shape == (5,)
    with pytest.raises(ValueError):
        vec.value[0] = 0.0
    assert "influences" in repr(vec) and "stderr=" in repr(vec)
    assert "rng given" in repr(E.mean(bs.majority(3), samples=10, rng=np.random.default_rng(0)))


def test_progress_bar(capsys):
    E.mean(maj_np, 1001, samples=20_000, rng=0, show_progress=True)
    assert "estimating mean" in capsys.readouterr().err


# --------------------------------------------------------------------- bad arguments
def _wrong_shape(x):
    return np.ones((x.shape[0], 2))


BAD = [
    ("rho-too-big", lambda: E.noise_stability(maj_np, n=5, rho=1.5), "rho=1.5 must lie in [-1, 1]"),
    ("rho-2d", lambda: E.noise_stability(maj_np, n=5, rho=[[0.1]]), "1-D"),
    ("delta-too-big", lambda: E.noise_sensitivity(maj_np, n=5, delta=0.6), "delta=0.6"),
    ("samples-1", lambda: E.mean(maj_np, 5, samples=1), "samples=1 must be an integer >= 2"),
    ("samples-float", lambda: E.mean(maj_np, 5, samples=2.5), "samples=2.5"),
    ("n-0", lambda: E.mean(maj_np, 0), "n=0 must lie in [1, 100000]"),
    ("n-huge", lambda: E.mean(maj_np, 100_001), "n=100001"),
    ("n-bool", lambda: E.mean(maj_np, True), "n=True must be an integer"),
    ("n-missing", lambda: E.mean(maj_np), "n is required"),
    ("n-mismatch", lambda: E.mean(bs.majority(3), 4), "n=4 does not match"),
    ("table-length", lambda: E.mean(np.ones(12)), "not a power of two"),
    ("table-2d", lambda: E.mean(np.ones((2, 8))), "shape (2**n,)"),
    ("table-not-pm1", lambda: E.noise_sensitivity(np.array([1.0, 0.5]), delta=0.1), "only +1 and -1"),
    ("fn-string", lambda: E.mean("x"), "must be a callable"),
    ("rng-float", lambda: E.mean(maj_np, 5, rng=1.5),
     "rng=1.5 must be a non-negative integer seed, a numpy.random.Generator or None"),
    ("rng-negative", lambda: E.mean(maj_np, 5, rng=-1), "rng=-1 must be a non-negative integer seed"),
    ("rng-bool", lambda: E.mean(maj_np, 5, rng=True), "rng=True must be"),
    ("batch-size-0", lambda: E.mean(maj_np, 5, batch_size=0), "batch_size=0"),
    ("method", lambda: E.total_influence(maj_np, 5, method="exact"), "method='exact'"),
    ("coordinate-out", lambda: E.influences(maj_np, 5, coordinates=[5]), "must lie in [0, 5)"),
    ("coordinates-empty", lambda: E.influences(maj_np, 5, coordinates=[]), "empty"),
    ("i-out", lambda: E.influence(maj_np, n=5, i=-1), "i=-1 must lie in [0, 5)"),
    ("wrong-shape", lambda: E.mean(_wrong_shape, 5, samples=10), "returned shape (10, 2)"),
    ("scalar-out", lambda: E.mean(lambda x: 1.0, 5, samples=10), "returned shape ()"),
    ("non-pm1", lambda: E.disagreement_probability(lambda x: x.sum(1) / 5, n=5, rho=0.5, samples=10),
     "disagreement_probability(rho=0.5) needs fn to return only +1 and -1"),
    ("nan", lambda: E.mean(lambda x: np.full(len(x), np.nan), 5, samples=10), "NaN/inf"),
    ("bool-out", lambda: E.mean(lambda x: x[:, 0] > 0, 5, samples=10), "dtype bool"),
    ("device-with-table", lambda: E.mean(bs.majority(3), device="cpu"), "applies to callables"),
    ("ci-z", lambda: E.mean(maj_np, 5, samples=10, rng=0).ci(-1), "z=-1"),
]


@pytest.mark.parametrize("call,match", [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_arguments(call, match):
    with pytest.raises(BoolsensError) as info:
        call()
    assert match in str(info.value)


def test_fn_cannot_change_its_input():
    def mutates(x):
        x[:, 0] = 1  # would corrupt the rows reused for x^(i)
        return x[:, 1]

    with pytest.raises(ValueError, match="read-only"):
        E.influences(mutates, 4, samples=10, rng=0)


def test_public_names_documented():
    for name in E.__all__:
        obj = getattr(E, name)
        assert obj.__doc__ and len(obj.__doc__) > 80, name
