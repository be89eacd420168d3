"""Tests of boolsens.complexity: block sensitivity, certificate complexity, decision-tree depth.

Reference values come from (a) the closed forms of docs/theory.md §4 and (b) a brute force written
straight from the definitions below (vectorised over many functions at once, exhaustive on every
function of n <= 4 variables), which shares no code with the library.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError

# --------------------------------------------------------------------------------------------
# brute force from the definitions (F: (K, 2**n) ±1 tables of K functions)
# --------------------------------------------------------------------------------------------


def all_functions(n: int) -> np.ndarray:
    N = 1 << n
    k = np.arange(1 << N, dtype=np.int64)[:, None]
    return (1 - 2 * ((k >> np.arange(N)) & 1)).astype(np.int8)


def disjoint_families(n: int) -> list[list[int]]:
    """Every family of pairwise disjoint non-empty blocks of [n] (blocks as bitmasks)."""
    fams: list[list[int]] = []

    def grow(fam: list[int], used: int, start: int) -> None:
        fams.append(list(fam))
        for B in range(start, 1 << n):
            if B & used == 0:
                grow(fam + [B], used | B, B + 1)

    grow([], 0, 1)
    return fams


def brute_bs_pointwise(F: np.ndarray, n: int) -> np.ndarray:
    N = 1 << n
    fams = disjoint_families(n)
    out = np.zeros(F.shape, dtype=np.int64)
    for x in range(N):
        sens = F[:, [x ^ B for B in range(N)]] != F[:, [x]]  # (K, N): block B sensitive at x
        for fam in fams:
            ok = sens[:, fam].all(axis=1) if fam else np.ones(len(F), bool)
            out[:, x] = np.where(ok, np.maximum(out[:, x], len(fam)), out[:, x])
    return out


def brute_c_pointwise(F: np.ndarray, n: int) -> np.ndarray:
    N = 1 << n
    out = np.full(F.shape, -1, dtype=np.int64)
    by_size = sorted(range(N), key=lambda S: bin(S).count("1"))
    for x in range(N):
        for S in by_size:
            sub = [y for y in range(N) if (y ^ x) & S == 0]  # the subcube fixing x on S
            const = (F[:, sub] == F[:, [x]]).all(axis=1)
            out[:, x] = np.where((out[:, x] < 0) & const, bin(S).count("1"), out[:, x])
    return out


def brute_d(F: np.ndarray, n: int) -> np.ndarray:
    """Least depth of a decision tree, over restrictions (fixed coordinates, their bits)."""
    N = 1 << n
    memo: dict[tuple[int, int], np.ndarray] = {}

    def depth(fixed: int, bits: int) -> np.ndarray:
        if (fixed, bits) in memo:
            return memo[(fixed, bits)]
        pts = [y for y in range(N) if y & fixed == bits]
        const = (F[:, pts] == F[:, [pts[0]]]).all(axis=1)
        best = np.full(len(F), n + 1, dtype=np.int64)
        for i in range(n):
            if not fixed >> i & 1:
                h = 1 << i
                q = 1 + np.maximum(depth(fixed | h, bits), depth(fixed | h, bits | h))
                best = np.minimum(best, q)
        memo[(fixed, bits)] = res = np.where(const, 0, best)
        return res

    return depth(0, 0)


def brute_s(F: np.ndarray, n: int) -> np.ndarray:
    N = 1 << n
    return np.stack(
        [sum((F[:, x] != F[:, x ^ (1 << i)]).astype(int) for i in range(n)) for x in range(N)], axis=1
    ).max(axis=1) if n else np.zeros(len(F), int)


# --------------------------------------------------------------------------------------------
# exhaustive and sampled agreement with the brute force
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4])
def test_every_function_matches_brute_force(n):
    F = all_functions(n)
    bsx = brute_bs_pointwise(F, n)
    cx = brute_c_pointwise(F, n)
    np.testing.assert_array_equal(bs.block_sensitivity(F), bsx.max(axis=1))
    np.testing.assert_array_equal(bs.certificate_complexity(F), cx.max(axis=1))
    np.testing.assert_array_equal(bs.decision_tree_depth(F), brute_d(F, n))
    np.testing.assert_array_equal(bs.block_sensitivity(F, pointwise=True), bsx)
    np.testing.assert_array_equal(bs.certificate_complexity(F, pointwise=True), cx)


@pytest.mark.parametrize("n,count", [(5, 300), (6, 40)])
@pytest.mark.parametrize("p", [0.5, 0.15])
def test_random_sample_matches_brute_force(n, count, p):
    rng = np.random.default_rng(10 * n + int(100 * p))
    F = np.where(rng.random((count, 1 << n)) < p, -1, 1).astype(np.int8)
    bsx = brute_bs_pointwise(F, n)
    cx = brute_c_pointwise(F, n)
    np.testing.assert_array_equal(bs.block_sensitivity(F), bsx.max(axis=1))
    np.testing.assert_array_equal(bs.block_sensitivity(F, pointwise=True), bsx)
    np.testing.assert_array_equal(bs.certificate_complexity(F, pointwise=True), cx)
    np.testing.assert_array_equal(bs.decision_tree_depth(F), brute_d(F, n))
    # the sample exercises the block packing: some point has bs(f,x) > s(f,x)
    sx = np.stack([sum((F[:, x] != F[:, x ^ (1 << i)]).astype(int) for i in range(n)) for x in range(1 << n)], 1)
    assert np.any(bsx > sx)


def packing_reference(row: np.ndarray, n: int, x: int) -> int:
    """bs(f, x) by a second method: P[U] = max over sensitive blocks B ⊆ U containing min U of
    1 + P[U - B], or P[U - min U] (every sensitive block, minimal or not)."""
    N = 1 << n
    sens = [row[x ^ B] != row[x] for B in range(N)]
    P = [0] * N
    for U in range(1, N):
        u = U & -U
        best = P[U ^ u]
        B = U
        while B:
            if B & u and sens[B]:
                best = max(best, 1 + P[U ^ B])
            B = (B - 1) & U
        P[U] = best
    return P[N - 1]


@pytest.mark.parametrize("seed,p", [(1, 0.1), (2, 0.25), (3, 0.5)])
def test_pointwise_bs_matches_second_method_n7(seed, p):
    n = 7
    f = bs.random_function(n, seed=seed, p=p)
    got = bs.block_sensitivity(f, pointwise=True)
    want = [packing_reference(f.signs, n, x) for x in range(1 << n)]
    assert got.tolist() == want


def test_brute_force_sanity():
    """The oracle itself reproduces two closed forms (so it cannot be trivially wrong)."""
    F = np.stack([bs.parity(4).signs, bs.threshold([2, 1, 1, 1]).signs])
    assert brute_bs_pointwise(F, 4).max(axis=1).tolist() == [4, 3]
    assert brute_c_pointwise(F, 4).max(axis=1).tolist() == [4, 3]
    assert brute_d(F, 4).tolist() == [4, 4]
    assert brute_s(F, 4).tolist() == [4, 3]


# --------------------------------------------------------------------------------------------
# closed forms (docs/theory.md §4). D: where deg = n, n >= D >= deg forces D = n.
# --------------------------------------------------------------------------------------------

CASES = [
    # (function, bs = C, D)
    *[(f"PARITY_{n}", lambda n=n: bs.parity(n), n, n) for n in (1, 2, 5, 9)],
    *[(f"DICT_{n}", lambda n=n: bs.dictator(n, n - 1), 1, 1) for n in (1, 4, 7)],
    *[(f"MAJ_{n}", lambda n=n: bs.majority(n), (n + 1) // 2, n) for n in (1, 3, 5, 7, 9, 11)],
    *[(f"AND_{n}", lambda n=n: bs.conjunction(n), n, n) for n in (1, 3, 6, 10)],
    *[(f"OR_{n}", lambda n=n: bs.disjunction(n), n, n) for n in (2, 5)],
    *[(f"IP_{2 * m}", lambda m=m: bs.inner_product(m), 2 * m, 2 * m) for m in (1, 2, 3, 5)],
    *[(f"IND_{k}", lambda k=k: bs.address(k), k + 1, k + 1) for k in (1, 2, 3)],
    *[
        (f"TRIBES_{w},{s}", lambda w=w, s=s: bs.tribes(w, s), max(w, s), w * s)
        for w, s in [(1, 3), (2, 2), (2, 3), (3, 2), (3, 3), (2, 5), (4, 3)]
    ],
    ("LTF_2111", lambda: bs.threshold([2, 1, 1, 1]), 3, 4),
]


@pytest.mark.parametrize("name,make,bsc,depth", CASES, ids=[c[0] for c in CASES])
def test_closed_forms(name, make, bsc, depth):
    f = make()
    assert bs.block_sensitivity(f) == bsc
    assert bs.certificate_complexity(f) == bsc
    assert bs.decision_tree_depth(f) == depth
    # the pointwise versions peak at the same values
    assert int(bs.block_sensitivity(f, pointwise=True).max()) == bsc
    assert int(bs.certificate_complexity(f, pointwise=True).max()) == bsc


def test_rubinstein_quadratic_gap():
    f = bs.rubinstein(4)  # n = 16
    assert bs.sensitivity(f) == 4
    assert bs.block_sensitivity(f) == 8
    assert bs.certificate_complexity(f) == 8


def test_rubinstein_k2():
    f = bs.rubinstein(2)
    assert (bs.sensitivity(f), bs.block_sensitivity(f), bs.certificate_complexity(f)) == (2, 2, 2)


def test_constant_functions():
    for n in (0, 1, 5):
        for v in (1, -1):
            f = bs.constant(n, v)
            assert bs.block_sensitivity(f) == bs.certificate_complexity(f) == 0
            assert bs.decision_tree_depth(f) == 0


# --------------------------------------------------------------------------------------------
# the complexity chain on random functions
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,p", [(6, 0.5), (7, 0.2), (8, 0.5), (9, 0.05), (10, 0.5), (11, 0.3)])
def test_chain_on_random_functions(n, p):
    rng = np.random.default_rng(100 + n)
    F = np.stack([bs.random_function(n, rng=rng, p=p).signs for _ in range(4)])
    s = np.asarray(bs.sensitivity(F))
    b = bs.block_sensitivity(F)
    c = bs.certificate_complexity(F)
    d = bs.decision_tree_depth(F)
    deg = np.asarray(bs.degree(F))
    assert np.all(s <= b) and np.all(b <= c) and np.all(c <= d) and np.all(d <= n)
    assert np.all(c <= s * b)
    assert np.all(d <= c * b)
    assert np.all(deg <= d)
    assert np.all(b <= 2 * deg**2)
    # pointwise: s(f,x) <= bs(f,x) <= C(f,x) at every x
    bx = bs.block_sensitivity(F, pointwise=True)
    cx = bs.certificate_complexity(F, pointwise=True)
    sx = bs.pointwise_sensitivity(F)
    assert np.all(sx <= bx) and np.all(bx <= cx)
    # the pruned maximum and the pointwise path are different code paths
    np.testing.assert_array_equal(bx.max(axis=1), b)
    np.testing.assert_array_equal(cx.max(axis=1), c)


def test_structured_pruned_vs_pointwise():
    for f in (bs.address(3), bs.tribes(3, 4), bs.majority(9), bs.inner_product(4)):
        assert int(bs.block_sensitivity(f, pointwise=True).max()) == bs.block_sensitivity(f)


# --------------------------------------------------------------------------------------------
# batches, input kinds, errors
# --------------------------------------------------------------------------------------------


def test_batch_matches_one_by_one():
    rng = np.random.default_rng(7)
    F = np.where(rng.random((2, 3, 64)) < 0.3, -1, 1).astype(np.int8)
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        out = fn(F)
        assert out.shape == (2, 3) and out.dtype == np.int64
        for idx in np.ndindex(2, 3):
            one = fn(F[idx])
            assert isinstance(one, int)
            assert out[idx] == one == fn(bs.BooleanFunction(F[idx]))
    for fn in (bs.block_sensitivity, bs.certificate_complexity):
        px = fn(F, pointwise=True)
        assert px.shape == (2, 3, 64)
        np.testing.assert_array_equal(px[1, 2], fn(F[1, 2], pointwise=True))


def test_input_kinds_agree():
    f = bs.tribes(2, 3)
    as_float = f.signs.astype(np.float64)
    as_list = f.signs.tolist()
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        assert fn(f) == fn(as_float) == fn(as_list) == fn(f.signs)
    torch = pytest.importorskip("torch")
    assert bs.block_sensitivity(torch.tensor(f.signs.astype(np.float32))) == 3


BAD = [
    ("zero-one", np.array([0, 1, 1, 0])),
    ("half", np.array([1.0, 0.5, -1.0, 1.0])),
    ("nan", np.array([1.0, np.nan, -1.0, 1.0])),
    ("bool", np.array([True, False, True, True])),
    ("length-3", np.array([1, -1, 1])),
    ("scalar", np.int8(1)),
]


@pytest.mark.parametrize("fn", [bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth])
@pytest.mark.parametrize("name,table", BAD, ids=[b[0] for b in BAD])
def test_bad_tables_raise(fn, name, table):
    with pytest.raises(BoolsensError):
        fn(table)


@pytest.mark.parametrize("fn", [bs.block_sensitivity, bs.certificate_complexity])
@pytest.mark.parametrize("value", ["yes", 1, None], ids=["str", "int", "None"])
def test_bad_pointwise_flag_raises(fn, value):
    with pytest.raises(BoolsensError, match="pointwise="):
        fn(bs.parity(3), pointwise=value)


def test_empty_batch():
    F = np.ones((0, 8), dtype=np.int8)
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        assert fn(F).shape == (0,)
    assert bs.block_sensitivity(F, pointwise=True).shape == (0, 8)


def test_non_pm1_message_names_the_problem():
    with pytest.raises(BoolsensError, match=r"\+1 and -1"):
        bs.block_sensitivity(np.array([0, 1, 1, 0]))


def test_too_large_n_raises():
    from boolsens.complexity import MAX_SUBCUBE_N

    table = np.ones(1 << (MAX_SUBCUBE_N + 1), dtype=np.int8)
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        with pytest.raises(BoolsensError, match=f"n <= {MAX_SUBCUBE_N}"):
            fn(table)


def test_memory_is_checked_before_allocating(monkeypatch):
    monkeypatch.setenv("BOOLSENS_MEMORY_LIMIT", str(3**10))
    f = bs.parity(12)  # needs 3**12 bytes
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        with pytest.raises(BoolsensError, match="subcube table"):
            fn(f)


def test_public_names_documented():
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        doc = fn.__doc__
        assert doc and "Cost" in doc and ">>>" in doc


def test_all_pairs_of_disjoint_family_count():
    """The oracle's family enumeration has Bell(n + 1) members (families of disjoint blocks)."""
    bell = [1, 1, 2, 5, 15, 52, 203]
    for n in range(6):
        assert len(disjoint_families(n)) == bell[n + 1]
    # and every family really is pairwise disjoint
    for fam in disjoint_families(4):
        for a, b in itertools.combinations(fam, 2):
            assert a & b == 0


def test_stepwise_path_matches_batch_path(monkeypatch, capsys):
    """Large tables go one function at a time in steps (with a progress bar); force that path on
    small ones and compare with the batched kernels."""
    from boolsens import complexity

    rng = np.random.default_rng(11)
    F = np.where(rng.random((5, 256)) < 0.25, -1, 1).astype(np.int8)
    want = [fn(F) for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth)]
    want_cx = bs.certificate_complexity(F, pointwise=True)
    monkeypatch.setattr(complexity, "_CHUNK_CELLS", 1)
    monkeypatch.setenv("BOOLSENS_PROGRESS", "1")
    got = [fn(F) for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth)]
    for w, g in zip(want, got):
        np.testing.assert_array_equal(w, g)
    np.testing.assert_array_equal(bs.certificate_complexity(F, pointwise=True), want_cx)
    assert "decision-tree depth: 100%" in capsys.readouterr().err


@pytest.mark.parametrize("k", [3, 4])
def test_many_overlapping_blocks(k):
    """f = -1 iff at least k coordinates are -1 or coordinates 0 and 1 both are: at x = all +1
    the minimal blocks are {0, 1} and hundreds of overlapping k-sets (the packing search must cut
    branches without losing the optimum); checked against the second method at a few points."""
    n = 9
    idx = np.arange(1 << n)
    ones = np.array([bin(int(y)).count("1") for y in idx])
    f = bs.BooleanFunction.from_bits((ones >= k) | ((idx & 3) == 3))
    got = bs.block_sensitivity(f, pointwise=True)
    for x in (0, 1, 4, 0b10101, 0b1100000):
        assert got[x] == packing_reference(f.signs, n, x)
    assert got[0] == 1 + (n - 2) // k
