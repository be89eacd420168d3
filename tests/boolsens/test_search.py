"""bs.search: exhaustive search against brute force over every function (n <= 4), the census's
extremes and the threshold / monotone counts, local search's incremental values against the
measures, and one clear error for each kind of bad input."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
from boolsens.census import tables_to_signs
from boolsens.search import exhaustive, local, objective
from boolsens.search.families import group_maps, orbit_members

THRESHOLD = [2, 4, 14, 104, 1882, 94572]  # n = 0..5 (OEIS A000609)
MONOTONE = [2, 3, 6, 20, 168, 7581]  # Dedekind numbers, n = 0..5


def _brute(expr_fn, n, family_test=lambda s: True):
    """value -> number of functions, over every table of n variables, from the definition."""
    out: dict = {}
    undefined = 0
    for t in range(1 << (1 << n)):
        s = tables_to_signs(t, n)
        if not family_test(s):
            continue
        v = expr_fn(s)
        if v is None:
            undefined += 1
        else:
            out[v] = out.get(v, 0) + 1
    return out, undefined


def _ratio(a, b):
    return lambda s: None if b(s) == 0 else Fraction(int(a(s)), int(b(s)))


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("expr, fn", [
    ("bs/s", _ratio(bs.block_sensitivity, bs.sensitivity)),
    ("deg/s", _ratio(bs.degree, bs.sensitivity)),
    ("I - W1", lambda s: bs.total_influence(s, exact=True) - bs.fourier_weights(s, exact=True)[1]),
    ("C*C - bs + 2*D", lambda s: Fraction(int(bs.certificate_complexity(s)) ** 2 - int(bs.block_sensitivity(s))
                                          + 2 * int(bs.decision_tree_depth(s)))),
    ("gf2_degree + 10*min_sensitivity + 100*nonlinearity + 1000*bias",
     lambda s: Fraction(int(bs.gf2_degree(s)) + 10 * int(bs.min_sensitivity(s)) + 100 * int(bs.nonlinearity(s)))
     + 1000 * Fraction(int(s.sum()), len(s))),
])
def test_exhaustive_distribution_matches_brute_force(n, expr, fn):
    want, undefined = _brute(fn, n)
    for inv in ("np" if "bias" in expr else "npn", "none"):
        r = exhaustive(expr, n, invariance=inv)
        assert {v: f for v, f, _ in r.distribution} == want
        assert r.undefined == undefined
        assert r.maximum == max(want) and r.minimum == min(want)


@pytest.mark.parametrize("family, test", [
    ("balanced", lambda s: s.sum() == 0),
    ("monotone", lambda s: bs.is_monotone(s)),
    ("symmetric", lambda s: bs.is_symmetric(s)),
    ("threshold", lambda s: bs.is_threshold(s)),
])
def test_families_match_brute_force_at_n3(family, test):
    want, undefined = _brute(lambda s: int(bs.sensitivity(s)), 3, test)
    for inv in ("npn", "np", "none"):
        r = exhaustive("s", 3, family=family, invariance=inv)
        assert {v: f for v, f, _ in r.distribution} == want, inv


def test_declared_invariance_and_all_functions_agree_at_n4():
    fn = lambda s: bs.degree(s) * 10 + bs.sensitivity(s) - bs.total_influence(s)  # noqa: E731
    by_class = exhaustive(fn, 4, invariance="npn")
    by_np = exhaustive(fn, 4, invariance="np")
    every = exhaustive(fn, 4, invariance="none")
    for r in (by_class, by_np):
        assert [(v, f) for v, f, _ in r.distribution] == [(v, f) for v, f, _ in every.distribution]
    assert by_class.classes == 222 and by_np.classes == 402 and every.classes == 65536
    assert by_class.maximum == every.maximum


@pytest.mark.parametrize("expr", ["s", "I", "bias", "W2", "bs/s", "deg - C + D", "n*W0 + I*bias", "W5 - W1"])
def test_streamed_ranges_match_the_public_measures_at_n5(expr):
    """The scan's integer path (census kernels on a range of tables) against the public measures
    of the ±1 tables, function by function, on 4,096 consecutive and 1,000 random tables."""
    obj = objective(expr)
    assert obj.streams
    rng = np.random.default_rng(1)
    for tables in (np.arange(0x9e3779b9, 0x9e3779b9 + 4096, dtype=np.uint64),
                   rng.integers(0, 1 << 32, size=1000, dtype=np.uint64)):
        fast = obj.evaluate(5, tables=range(int(tables[0]), int(tables[0]) + len(tables))) if tables[1] == tables[0] + 1 \
            else obj.evaluate(5, tables=tables)
        slow = obj.evaluate(5, signs=tables_to_signs(tables, 5))
        take = lambda cv: [None if c < 0 else cv[1][c] for c in cv[0]]  # noqa: E731
        assert take(fast) == take(slow)


def test_a_scan_reports_the_least_tables_among_ties():
    """invariance='none' lists the best (worst) tables, ties by the least table, as a brute force
    over the 65,536 tables of n = 4 does, for an expression (whose measure tuples share values)
    and an integer callable."""
    signs = tables_to_signs(np.arange(1 << 16, dtype=np.uint64), 4)
    for fn, ref in (("bs - s", lambda s: np.asarray(bs.block_sensitivity(s), dtype=np.int64)
                     - np.asarray(bs.sensitivity(s), dtype=np.int64)),
                    (lambda s: np.abs(s.sum(axis=1, dtype=np.int64)), lambda s: np.abs(s.sum(axis=1, dtype=np.int64)))):
        r = exhaustive(fn, 4, invariance="none", top=4)
        values = ref(signs).tolist()  # the public measures on every table, batched
        hi, lo = max(values), min(values)
        assert r.maximum == hi and r.minimum == lo
        assert [e.table for e in r.maximisers] == sorted(range(1 << 16), key=lambda t: (-values[t], t))[:4]
        assert [e.table for e in r.minimisers] == sorted(range(1 << 16), key=lambda t: (values[t], t))[:4]
        assert all(e.size == 1 for e in r.maximisers + r.minimisers)


def test_large_integer_values_of_a_callable_are_not_rounded():
    """Integers beyond 2^53 (where float64 rounds) keep their exact values and counts."""
    big = 1 << 60
    r = exhaustive(lambda s: big + (s[:, 0] < 0).astype(np.int64), 2, invariance="none")
    assert [(v, f) for v, f, _ in r.distribution] == [(big, 8), (big + 1, 8)]


@pytest.mark.slow
def test_every_one_of_the_2_to_32_functions_of_n5_against_the_classes():
    """All 2^32 functions of n = 5 scanned one by one (no declared invariance) give the same
    distribution of total influence as the NPN classes weighted by their sizes; the least table
    of the largest value is PARITY's complement's class member 0x69969669 (the least parity table)."""
    every = exhaustive("I", 5, invariance="none")
    by_class = exhaustive("I", 5)
    assert every.functions == 1 << 32 and every.undefined == 0
    assert [(v, f) for v, f, _ in every.distribution] == [(v, f) for v, f, _ in by_class.distribution]
    assert every.maximum == 5 and [e.table for e in every.maximisers][:2] == [0x69969669, 0x96696996]
    assert [e.table for e in every.minimisers][:2] == [0, 0xFFFFFFFF]


@pytest.mark.parametrize("n", range(5))
def test_threshold_and_monotone_counts(n):
    assert exhaustive("s", n, family="threshold").functions == THRESHOLD[n]
    assert exhaustive("s", n, family="threshold", invariance="none").functions == THRESHOLD[n]
    assert exhaustive("s", n, family="monotone").functions == MONOTONE[n]
    assert exhaustive("s", n, family="monotone", invariance="none").functions == MONOTONE[n]


@pytest.mark.slow
def test_threshold_and_monotone_counts_n5():
    assert exhaustive("s", 5, family="threshold").functions == THRESHOLD[5]
    assert exhaustive("s", 5, family="threshold", invariance="np").functions == THRESHOLD[5]
    assert exhaustive("s", 5, family="monotone").functions == MONOTONE[5]
    assert exhaustive("s", 5, family="symmetric").functions == 64


@pytest.mark.slow
def test_census_extremes_at_n5():
    r = exhaustive("block_sensitivity/sensitivity", 5)
    assert r.maximum == Fraction(3, 2)
    assert [v for v, _, c in r.distribution if v == r.maximum] == [Fraction(3, 2)]
    (best_value, functions, classes) = r.distribution[-1]
    assert (functions, classes) == (120, 1) and r.maximisers[0].size == 120
    f = r.maximisers[0].function(5)
    assert Fraction(int(bs.block_sensitivity(f)), int(bs.sensitivity(f))) == Fraction(3, 2)
    assert exhaustive("deg/s", 5).maximum == 2
    assert r.functions + r.undefined == 1 << 32


def test_extremes_of_n4_and_their_tables():
    r = exhaustive("bs/s", 4, top=3)
    assert r.maximum == Fraction(3, 2)
    m = r.maximisers[0]
    f = m.function(4)
    assert Fraction(int(bs.block_sensitivity(f)), int(bs.sensitivity(f))) == m.value == Fraction(3, 2)
    assert m.size == len(orbit_members(m.table, 4)) == 24
    assert bs.npn_canonical(f) == m.table
    assert len(r.maximisers) == len(r.minimisers) == 3
    cols = r.table()
    assert cols["kind"] == ["max"] * 3 + ["min"] * 3 and cols["value"][0] == "3/2"
    assert sum(r.distribution_table()["functions"]) == r.functions == (1 << 16) - 2


def test_orbits_and_group_maps():
    for n in range(4):
        assert len(group_maps(n)) == math.factorial(n) << n
        sizes = [len(orbit_members(int(t), n)) for t in bs.census(n)["table"]]
        assert sizes == bs.census(n)["orbit"].tolist()


def test_objective_grammar_is_exact_and_safe():
    f = bs.majority(5)
    assert objective("deg/s")(f.signs[None, :]).tolist() == [Fraction(5, 3)]
    assert objective("-(I) + 2*n")(f.signs[None, :]).tolist() == [10 - bs.total_influence(f, exact=True)]
    assert objective("W1")(f.signs[None, :]).tolist() == [bs.fourier_weights(f, exact=True)[1]]
    assert objective("bias")(bs.constant(3, -1).signs[None, :]).tolist() == [-1]
    assert objective("bs/s").invariance == "npn" and objective("bias*2").invariance == "np"
    assert objective("bs/s")(bs.constant(3, 1).signs[None, :]).tolist() == [None]


@pytest.mark.parametrize("expr", ["__import__('os')", "bs.s", "bs/s if 1 else 2", "s**2", "foo/s", "", "bs/",
                                  "lambda: 1", "s[0]", "'a'"])
def test_objective_grammar_refuses(expr):
    with pytest.raises(bs.BoolsensError, match="objective"):
        objective(expr)


def _nan(s):
    out = np.zeros(len(s))
    out[0] = np.nan
    return out


@pytest.mark.parametrize("kwargs, match", [
    (dict(objective=lambda s: np.zeros((len(s), 2))), "returned shape"),
    (dict(objective=lambda s: np.zeros(len(s) + 1)), "returned shape"),
    (dict(objective=_nan), "finite"),
    (dict(objective=lambda s: np.array(["a"] * len(s))), "dtype"),
    (dict(objective=lambda s: np.array([None] * len(s))), "finite real numbers"),
    (dict(objective=lambda s: 1 / 0), "ZeroDivisionError"),
    (dict(objective="s", family="balancd"), "family='balancd' is not a family"),
    (dict(objective="s", invariance="pn"), "invariance='pn'"),
    (dict(objective=lambda s: s.sum(axis=1), invariance="npn"), "not NPN-invariant"),
    (dict(objective=lambda s: s[:, 0].astype(float), invariance="np"), "not NP-invariant"),
    (dict(objective="bias", invariance="npn"), "declare invariance='np'"),
    (dict(objective=3), "must be an expression"),
    (dict(objective="s", top=0), "top=0"),
], ids=["2d", "long", "nan", "strings", "none", "raises", "family", "invariance", "npn-violated", "np-violated",
        "bias-npn", "not-callable", "top"])
def test_exhaustive_bad_input(kwargs, match):
    with pytest.raises(bs.BoolsensError, match=match):
        exhaustive(n=3, **kwargs)


def test_exhaustive_refuses_a_huge_scan_and_names_the_cure():
    with pytest.raises(bs.BoolsensError, match="declare invariance='npn'"):
        exhaustive(lambda s: s.sum(axis=1), 5)
    with pytest.raises(bs.BoolsensError, match="n=6 must lie|n=6"):
        exhaustive("s", 6)


def test_a_declared_invariance_that_holds_passes_the_spot_check():
    r = exhaustive(lambda s: np.abs(s.sum(axis=1)), 3, invariance="npn")
    assert r.maximum == 8
    r = exhaustive(lambda s: s.sum(axis=1), 3, invariance="np")  # E f: NP-invariant
    assert (r.minimum, r.maximum) == (-8, 8)


# --------------------------------------------------------------------------------- local
@pytest.mark.parametrize("name, exact", [
    ("total_influence", lambda f: bs.total_influence(f, exact=True)),
    ("sensitivity", lambda f: int(bs.sensitivity(f))),
    ("W2", lambda f: bs.fourier_weights(f, exact=True)[2]),
    ("W0", lambda f: bs.fourier_weights(f, exact=True)[0]),
])
@pytest.mark.parametrize("n", [3, 6, 9])
def test_local_incremental_values_match_the_measures(name, exact, n):
    for maximise in (True, False):
        r = local(name, n, steps=300, restarts=2, rng=n, maximise=maximise, anneal=0.05 if n == 9 else None)
        assert r.incremental
        for value, g in r.restarts:
            assert value == exact(g)
        assert r.value == (max if maximise else min)(v for v, _ in r.restarts)
        assert len(r.trajectory["value"]) == 2 * 300  # every step recorded below 400 steps
        assert all(b >= v for v, b in zip(r.trajectory["value"], r.trajectory["best"])) or not maximise


def test_local_finds_parity_for_total_influence():
    r = local("I", 6, steps=3000, restarts=2, rng=0)
    assert r.value == 6 and (r.best == bs.parity(6) or r.best == -bs.parity(6))


def test_local_generic_objective_finds_the_n4_maximum_of_bs_over_s():
    r = local("bs/s", 4, steps=300, restarts=6, rng=0)
    found = sum(v == Fraction(3, 2) for v, _ in r.restarts)
    assert r.value == Fraction(3, 2) and found >= 4  # most restarts (19 of 20 at 1000 steps)
    g = r.best
    assert Fraction(int(bs.block_sensitivity(g)), int(bs.sensitivity(g))) == r.value


@pytest.mark.slow
def test_local_finds_the_n5_maximum_of_bs_over_s():
    r = local("bs/s", 5, steps=3000, restarts=6, rng=0)
    assert r.value == Fraction(3, 2)
    assert sum(v == Fraction(3, 2) for v, _ in r.restarts) >= 3  # 13 of 20 restarts measured


def test_local_with_a_callable_and_a_start():
    start = bs.majority(5)
    r = local(lambda s: -np.abs(s.sum(axis=1)).astype(float), 5, steps=50, restarts=1, rng=0, start=start)
    assert r.value == 0 and not r.incremental  # a balanced function
    assert r.best.signs.sum() == 0


@pytest.mark.parametrize("kwargs, match", [
    (dict(objective="s", n=0), "n=0"),
    (dict(objective="s", n=3, steps=0), "steps=0"),
    (dict(objective="s", n=3, rng="x"), "rng="),
    (dict(objective="s", n=3, anneal=-1.0), "anneal"),
    (dict(objective="s", n=3, start=bs.majority(5)), "start must be one"),
    (dict(objective=lambda s: np.zeros(3), n=3), "returned shape"),
    (dict(objective="nope", n=3), "unknown measure"),
])
def test_local_bad_input(kwargs, match):
    with pytest.raises(bs.BoolsensError, match=match):
        local(**kwargs)


@pytest.mark.slow
def test_threshold_functions_on_six_variables():
    r = exhaustive("s", 6, family="threshold")  # about 30 s: 1,173 LPs and 567 orbits of 92,160 images
    assert r.functions == 15_028_134 and r.classes == 567
    assert r.maximum == 6  # the majority-like functions reach full sensitivity
    with pytest.raises(bs.BoolsensError, match="invariance='npn'"):
        exhaustive("s", 6, family="threshold", invariance="none")


def test_regular_threshold_pairs_at_six_variables_are_threshold():
    from boolsens.search.families import _regular_threshold

    assert [len(_regular_threshold(n)) for n in range(6)] == [2, 3, 5, 10, 27, 119]
    for t in _regular_threshold(4):  # each is monotone, regular and threshold (definition)
        f = bs.BooleanFunction(tables_to_signs(int(t), 4))
        assert bs.is_threshold(f) and bs.is_monotone(f)


def test_bs_search_is_imported_on_first_use():
    import subprocess
    import sys

    code = ("import sys, boolsens as bs; assert 'boolsens.search' not in sys.modules; "
            "print(bs.search.objective('deg/s').names)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "('degree', 'sensitivity')" in out.stdout, out.stderr
