"""boolsens.structure and boolsens.linear_threshold (Chow parameters, relevant variables,
monotonicity, symmetry, threshold representations) against the independent brute force of
tests/oracle_structure.py: monotone by all pairs x ≤ y, symmetric by all n! permutations,
threshold functions by exhaustive search over small integer weights. Every function on n <= 3
(n = 4 in the slow tier for the oracle comparisons; the counts at n = 4 in the fast one), random
and real-valued tables to n = 8; the known counts (threshold 2, 4, 14, 104, 1882; Dedekind
2, 3, 6, 20, 168; symmetric 2**(n+1)); closed forms; bad input.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_structure as ors
from boolsens import BoolsensError

THRESHOLD_COUNTS = [2, 4, 14, 104, 1882]  # OEIS A000609
DEDEKIND = [2, 3, 6, 20, 168]  # monotone functions, OEIS A000372


def all_tables(n: int) -> np.ndarray:
    return np.array(list(itertools.product((1, -1), repeat=1 << n)), dtype=np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=(count, 1 << n))


def random_monotone(n: int, seed: int) -> np.ndarray:
    """A monotone ±1 table: −1 exactly on the down-set below a few random points."""
    rng = np.random.default_rng(seed)
    tops = rng.integers(0, 1 << n, size=3)
    idx = np.arange(1 << n)
    # x ≤ y (−1 < 1) ⇔ the bits of y are a subset of those of x; −1 on {x : x ⊇ some top}
    below = np.zeros(1 << n, dtype=bool)
    for t in tops:
        below |= (idx & t) == t
    return np.where(below, -1, 1).astype(np.int8)


def random_symmetric(n: int, seed: int) -> np.ndarray:
    values = np.random.default_rng(seed).choice(np.array([1, -1], dtype=np.int8), size=n + 1)
    return values[[bin(x).count("1") for x in range(1 << n)]]


def check_against_oracle(tables: np.ndarray, *, pairs: bool = True) -> None:
    """Every measure against the oracle; ``pairs=False`` leaves out the 4**n-pair monotonicity and
    the n!-permutation symmetry brute forces (n = 8)."""
    chow = bs.chow_parameters(tables, exact=True)
    chow_float = bs.chow_parameters(tables)
    rel = bs.relevant_variables(tables)
    mono = bs.is_monotone(tables)
    sym = bs.is_symmetric(tables)
    for b, row in enumerate(tables.tolist()):
        want = ors.chow_parameters(row)
        assert list(chow[b]) == want and all(isinstance(c, Fraction) for c in chow[b])
        if set(row) <= {1, -1}:  # dyadic: the float is exactly the rational
            assert chow_float[b].tolist() == [float(c) for c in want]
        else:
            assert chow_float[b].tolist() == pytest.approx([float(c) for c in want], rel=1e-12, abs=1e-15)
        assert rel[b] == ors.relevant_variables(row)
        if pairs:
            assert bool(mono[b]) == ors.is_monotone(row), row
            assert bool(sym[b]) == ors.is_symmetric(row), row


CASES = {
    "n0": all_tables(0), "n1": all_tables(1), "n2": all_tables(2), "n3": all_tables(3),
    "n4-sample": random_tables(4, 100, seed=4),
    "n5-mixed": np.concatenate([random_tables(5, 5, seed=5), [random_monotone(5, s) for s in range(5)],
                                [random_symmetric(5, s) for s in range(3)]]),
    "n6-mixed": np.array([random_monotone(6, 1), random_symmetric(6, 2), random_tables(6, 1, seed=6)[0]]),
}


@pytest.mark.parametrize("key", list(CASES))
def test_against_the_brute_force(key):
    check_against_oracle(CASES[key])


def test_eight_variables_against_the_brute_force():
    """n = 8: the Chow parameters and relevant variables against the oracle; monotonicity and
    symmetry (their brute forces take 4**n pairs and n! permutations, checked to n = 6) against
    tables built to have them or not."""
    tables = np.array([random_monotone(8, 3), random_symmetric(8, 4), random_tables(8, 1, seed=8)[0]])
    check_against_oracle(tables, pairs=False)
    assert bs.is_monotone(tables).tolist() == [True, False, False]
    assert bs.is_symmetric(tables).tolist() == [False, True, False]


@pytest.mark.slow
def test_every_function_on_four_variables():
    check_against_oracle(all_tables(4))


def test_real_valued_tables():
    rng = np.random.default_rng(11)
    tables = np.concatenate([rng.normal(size=(4, 16)),
                             np.sort(rng.normal(size=(2, 16)))[:, ::-1],  # index order: not monotone in general
                             [[0.5] * 16], [[0.25, -0.5] * 8]])
    check_against_oracle(tables)
    # a monotone real function: a nonnegative combination of the coordinates plus a constant
    x = 1 - 2 * ((np.arange(16)[:, None] >> np.arange(4)) & 1)
    f = x @ np.array([0.5, 0.0, 2.0, 1.25]) + 3.0
    assert bs.is_monotone(f) and ors.is_monotone(f.tolist())
    assert bs.relevant_variables(f) == (0, 2, 3)


# ------------------------------------------------------------------------------ the counts
@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_counts_of_monotone_and_symmetric_functions(n):
    tables = all_tables(n)
    assert int(bs.is_monotone(tables).sum()) == DEDEKIND[n]
    assert int(bs.is_symmetric(tables).sum()) == 2 ** (n + 1)


def _threshold_check(n: int) -> None:
    tables = all_tables(n)
    reps = bs.threshold_representation(tables)
    flags = bs.is_threshold(tables)
    want = ors.threshold_tables(n)
    assert int(flags.sum()) == THRESHOLD_COUNTS[n] == len(want)
    for row, rep, flag in zip(tables.tolist(), reps, flags):
        assert (tuple(row) in want) == (rep is not None) == bool(flag)
        if rep is not None:
            w, theta = rep
            assert all(type(v) is int for v in w) and type(theta) is int and len(w) == n
            assert ors.satisfies_threshold(row, w, theta)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_threshold_functions_against_the_enumeration(n):
    _threshold_check(n)


@pytest.mark.slow
def test_threshold_functions_on_four_variables():
    """The 1882 threshold functions of four variables, each representation checked by the oracle,
    and every one of the 65,536 answers against the enumeration."""
    _threshold_check(4)


@pytest.mark.parametrize("n", [5, 7, 8, 10])
def test_random_threshold_functions_are_recognised(n):
    rng = np.random.default_rng(n)
    for _ in range(3):
        w = rng.integers(-6, 7, size=n)
        theta = int(rng.integers(-8, 9)) + 0.5
        f = bs.threshold(w.tolist(), theta)
        rep = bs.threshold_representation(f)
        assert rep is not None and bs.is_threshold(f)
        assert ors.satisfies_threshold(f.signs.tolist(), *rep)
        assert bs.threshold(list(rep[0]), rep[1]) == f
        # the representation's L1 size is no more than that of the one we drew (margin ≥ 1 scaled)
        assert len(rep[0]) == n


@pytest.mark.parametrize("n", [5, 8])
def test_random_functions_are_not_threshold(n):
    """Random tables at n ≥ 5 are not unate, so not threshold (the oracle's pairs agree); random
    monotone ones with several minimal points mostly are not either, and get a certified None."""
    tables = random_tables(n, 4, seed=n)
    assert not np.any(bs.is_threshold(tables))


def test_unate_non_threshold_functions_get_a_certified_none():
    """x0x1 ∨ x2x3 (tribes) and friends are monotone but not threshold: the None comes from the
    Farkas certificate, not from the unateness filter."""
    from boolsens import linear_threshold

    for f in (bs.tribes(2, 2), bs.tribes(2, 3), bs.tribes(3, 2)):
        assert bs.is_monotone(f)
        row = f.signs
        X = linear_threshold._points(f.n)
        assert linear_threshold._unate(row, f.n)
        assert linear_threshold._farkas_certified(row, X)
        assert bs.threshold_representation(f) is None and not bs.is_threshold(f)


# ------------------------------------------------------------------------------ closed forms
@pytest.mark.parametrize("n", [1, 3, 5, 7, 9])
def test_majority(n):
    f = bs.majority(n)
    assert bs.is_monotone(f) and bs.is_symmetric(f) and bs.is_threshold(f)
    assert bs.threshold_representation(f) == ((1,) * n, 0)
    assert bs.relevant_variables(f) == tuple(range(n))


@pytest.mark.parametrize("n", [2, 3, 4, 6])
def test_parity(n):
    f = bs.parity(n)
    assert not bs.is_threshold(f) and bs.threshold_representation(f) is None
    assert bs.is_symmetric(f) and not bs.is_monotone(f)
    assert bs.chow_parameters(f).tolist() == [0.0] * (n + 1)


@pytest.mark.parametrize("n", [1, 2, 4, 6])
def test_and_or_dictator_constant(n):
    for f in (bs.conjunction(n), bs.disjunction(n)):
        assert bs.is_monotone(f) and bs.is_symmetric(f) and bs.is_threshold(f)
        w, theta = bs.threshold_representation(f)
        assert bs.threshold(list(w), theta) == f
    d = bs.dictator(n, n - 1)
    assert bs.relevant_variables(d) == (n - 1,)
    assert bs.threshold_representation(d) == (tuple(int(i == n - 1) for i in range(n)), 0)
    assert bs.relevant_variables(bs.constant(n, -1)) == ()
    assert bs.threshold_representation(bs.constant(n, -1)) == ((0,) * n, 1)


def test_monotone_chow_parameters_are_the_influences():
    """O'Donnell Prop. 2.21: for monotone f, f̂({i}) = Inf_i(f) (so ≥ 0), on every monotone function
    of n ≤ 4 (the floats are the exact dyadic rationals), and never so for a non-monotone one."""
    for n in range(1, 5):
        tables = all_tables(n)
        mono = bs.is_monotone(tables)
        chow = bs.chow_parameters(tables)[:, 1:]
        inf = bs.influences(tables)
        assert np.array_equal(chow[mono], inf[mono])
        assert not np.any(np.all(chow[~mono] == inf[~mono], axis=1))


def test_chow_parameters_determine_threshold_functions():
    """Chow's theorem on n = 3: no other ±1 function shares the Chow parameters of a threshold one."""
    tables = all_tables(3)
    chow = [tuple(r) for r in bs.chow_parameters(tables, exact=True)]
    flags = bs.is_threshold(tables)
    for b in np.flatnonzero(flags):
        assert sum(1 for c in chow if c == chow[b]) == 1


def test_n12_and_the_limit():
    f = bs.threshold(list(range(1, 13)), 0.5)
    w, theta = bs.threshold_representation(f)
    assert bs.threshold(list(w), theta) == f
    with pytest.raises(BoolsensError, match="n <= 12"):
        bs.threshold_representation(bs.majority(13))


# ------------------------------------------------------------------------------ batches and inputs
@pytest.mark.parametrize("name", ["chow_parameters", "relevant_variables", "is_monotone", "is_symmetric",
                                  "threshold_representation", "is_threshold"])
def test_batch_equals_one_by_one(name):
    fn = getattr(bs, name)
    tables = np.concatenate([all_tables(3)[::24], [bs.majority(3).signs]]).reshape(3, 4, 8)
    batch = fn(tables)
    assert batch.shape[:2] == (3, 4)
    for i, j in itertools.product(range(3), range(4)):
        one = fn(tables[i, j])
        method = getattr(bs.BooleanFunction(tables[i, j]), name)()
        if name == "chow_parameters":
            assert np.array_equal(batch[i, j], one) and np.array_equal(method, one)
        else:
            assert batch[i, j] == one == method


def test_single_functions_give_python_values():
    f = bs.majority(3)
    assert type(bs.is_monotone(f)) is bool and type(bs.is_symmetric(f)) is bool
    assert type(bs.is_threshold(f)) is bool
    assert type(bs.relevant_variables(f)) is tuple
    assert bs.chow_parameters(f).shape == (4,)


def test_torch_in_torch_out():
    torch = pytest.importorskip("torch")
    tables = all_tables(2)
    t = torch.from_numpy(tables).to(torch.float64)
    for name in ("is_monotone", "is_symmetric", "is_threshold"):
        got = getattr(bs, name)(t)
        assert torch.is_tensor(got) and got.tolist() == getattr(bs, name)(tables).tolist()
    assert torch.is_tensor(bs.chow_parameters(t))
    assert bs.chow_parameters(t).tolist() == bs.chow_parameters(tables).tolist()


BAD = [
    ("threshold-real", lambda: bs.threshold_representation(np.array([0.5, -1.0, 1.0, 1.0])), r"\+1 and -1"),
    ("is-threshold-integer", lambda: bs.is_threshold(np.array([2, -1, 1, 1])), r"\+1 and -1"),
    ("monotone-length", lambda: bs.is_monotone(np.ones(3)), "power of two"),
    ("symmetric-bool", lambda: bs.is_symmetric(np.array([True, False])), "from_bits"),
    ("chow-nan", lambda: bs.chow_parameters(np.array([np.nan, 1.0])), "NaN"),
    ("relevant-scalar", lambda: bs.relevant_variables(np.float64(1.0)), "scalar"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_input(case):
    _, call, message = case
    with pytest.raises(BoolsensError, match=message):
        call()
