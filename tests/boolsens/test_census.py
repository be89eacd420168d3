"""Tests of boolsens.census: NPN / NP classes of every function on n <= 5 variables.

The reference is a brute force written here from the definitions, sharing no code with the
library: the orbit of every function under every input permutation and negation (and the output
negation) is enumerated point by point, and every measure is computed naively for every function
on n <= 4 variables (vectorised over the 2**(2**n) functions). The n = 5 kernels are checked
against the library's existing exact measures (an independent implementation) on thousands of
tables, and the torch path against the numba one on CPU tensors.
"""

from __future__ import annotations

import importlib
import itertools
import math

import numpy as np
import pytest

import boolsens as bs
from boolsens import BoolsensError
from boolsens.census import (FIELDS, census, census_chunk, census_chunk_count, npn_canonical,
                             table_measures, tables_to_signs)

# --------------------------------------------------------------------------------------------
# brute force from the definitions
# --------------------------------------------------------------------------------------------


def popcount(v: int) -> int:
    return bin(v).count("1")


def point_maps(n: int) -> list[np.ndarray]:
    """For every input transform (π, m): the map x ↦ π(x) ⊕ m, where bit i of π(x) is bit π_i of x
    (n!·2**n maps)."""
    N = 1 << n
    maps = []
    for perm in itertools.permutations(range(n)):
        permuted = [sum(((x >> perm[i]) & 1) << i for i in range(n)) for x in range(N)]
        for m in range(N):
            maps.append(np.array([p ^ m for p in permuted], dtype=np.int64))
    return maps


def all_bits(n: int) -> np.ndarray:
    """(2**(2**n), 2**n) uint8: row t is the table t, entry x = bit x of t (f(x), True = 1)."""
    N = 1 << n
    t = np.arange(1 << N, dtype=np.int64)[:, None]
    return ((t >> np.arange(N)) & 1).astype(np.uint8)


def as_integers(bits: np.ndarray) -> np.ndarray:
    """Rows of bits back to integer tables (bit x = column x)."""
    packed = np.packbits(bits, axis=1, bitorder="little").astype(np.int64)
    return sum(packed[:, j] << (8 * j) for j in range(packed.shape[1]))


def brute_canonical(n: int, with_output: bool) -> np.ndarray:
    """The least table in the orbit of every table t, by applying every transform g(x) = f(π(x) ⊕ m)
    (and its complement when ``with_output``)."""
    bits = all_bits(n)
    full = (1 << (1 << n)) - 1
    best = np.arange(1 << (1 << n), dtype=np.int64)
    for src in point_maps(n):
        g = as_integers(bits[:, src])
        best = np.minimum(best, g)
        if with_output:
            best = np.minimum(best, g ^ full)
    return best


def brute_measures(n: int) -> dict[str, np.ndarray]:
    """Every measure of every function on n variables, straight from the definitions."""
    N = 1 << n
    F = 1 - 2 * all_bits(n).astype(np.int64)  # (K, N) ±1
    K = F.shape[0]
    H = np.array([[(-1) ** popcount(x & S) for S in range(N)] for x in range(N)], dtype=np.int64)
    W = F @ H  # 2**n f̂(S)
    size = np.array([popcount(S) for S in range(N)])
    out = {
        "degree": np.where(W != 0, size, 0).max(axis=1),
        "level_sums": np.stack([(W[:, size == k] ** 2).sum(axis=1) for k in range(n + 1)], axis=1),
        "bias": F.sum(axis=1) / N,
    }
    # sensitivity and sensitive edges: s(f, x) = #{i : f(x) != f(x ⊕ e_i)}
    sx = np.zeros((K, N), dtype=np.int64)
    for i in range(n):
        sx += F != F[:, [x ^ (1 << i) for x in range(N)]]
    out["sensitivity"] = sx.max(axis=1)
    out["sensitive_edges"] = sx.sum(axis=1) // 2
    out["total_influence"] = sx.sum(axis=1) / 2 / 2 ** (n - 1) if n else np.zeros(K)
    # block sensitivity: the most pairwise disjoint blocks B with f(x ⊕ B) != f(x)
    families = [[]]
    for B in range(1, N):
        families += [fam + [B] for fam in families if all(B & A == 0 for A in fam)]
    bsx = np.zeros((K, N), dtype=np.int64)
    for x in range(N):
        sens = F[:, [x ^ B for B in range(N)]] != F[:, [x]]
        for fam in families[1:]:
            ok = sens[:, fam].all(axis=1)
            bsx[:, x] = np.where(ok, np.maximum(bsx[:, x], len(fam)), bsx[:, x])
    out["block_sensitivity"] = bsx.max(axis=1)
    # certificate complexity: the least |S| such that every y agreeing with x on S has f(y) = f(x)
    cx = np.full((K, N), n, dtype=np.int64)
    for x in range(N):
        for S in sorted(range(N), key=popcount, reverse=True):
            agree = [y for y in range(N) if (y ^ x) & S == 0]
            const = (F[:, agree] == F[:, [x]]).all(axis=1)
            cx[:, x] = np.where(const, np.minimum(cx[:, x], popcount(S)), cx[:, x])
    out["certificate_complexity"] = cx.max(axis=1)

    # decision-tree depth: D = 0 on a constant subcube, else min_i 1 + max(D(c_{i=0}), D(c_{i=1}))
    memo: dict[tuple[int, int], np.ndarray] = {}

    def depth(fixed: int, value: int) -> np.ndarray:
        if (fixed, value) not in memo:
            points = [y for y in range(N) if y & fixed == value]
            vals = F[:, points]
            best = np.where((vals == vals[:, :1]).all(axis=1), 0, n)
            for i in range(n):
                if not (fixed >> i) & 1:
                    sub = 1 + np.maximum(depth(fixed | 1 << i, value), depth(fixed | 1 << i, value | 1 << i))
                    best = np.where(best == 0, 0, np.minimum(best, sub))
            memo[fixed, value] = best
        return memo[fixed, value]

    out["decision_tree_depth"] = depth(0, 0)
    return out


@pytest.fixture(scope="module", params=[0, 1, 2, 3, 4], ids=lambda n: f"n={n}")
def brute(request):
    n = request.param
    return n, brute_canonical(n, True), brute_canonical(n, False), brute_measures(n)


# --------------------------------------------------------------------------------------------
# n <= 4: the census is the brute force
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("np_classes", [False, True], ids=["NPN", "NP"])
def test_classes_and_orbits_equal_brute_force(brute, np_classes):
    n, npn, np_, _ = brute
    canon = np_ if np_classes else npn
    reps, orbit = np.unique(canon, return_counts=True)  # each class with the functions in it
    rows = census(n, np_classes=np_classes)
    assert rows["table"].tolist() == reps.tolist()
    assert rows["orbit"].tolist() == orbit.tolist()
    assert int(rows["orbit"].sum()) == 2 ** (2**n)
    group = math.factorial(n) * 2**n * (1 if np_classes else 2)
    assert all(group % o == 0 for o in rows["orbit"].tolist())


@pytest.mark.parametrize("np_classes", [False, True], ids=["NPN", "NP"])
def test_every_measure_of_every_function_equals_its_class_row(brute, np_classes):
    n, npn, np_, measures = brute
    canon = np_ if np_classes else npn
    rows = census(n, np_classes=np_classes)
    row_of = np.searchsorted(rows["table"], canon)  # the class row of every function
    assert np.array_equal(rows["table"][row_of], canon)
    for name, value in measures.items():
        got = rows[name][row_of]
        if name == "bias" and not np_classes:
            # the output negation flips the bias: only its size is a class invariant, and the
            # row holds the representative's own bias
            reps = np.arange(len(canon)) == canon
            assert np.array_equal(np.abs(got), np.abs(value)), name
            assert np.array_equal(got[reps], value[reps]), name
        else:
            assert np.array_equal(got, value), name


def test_counts_over_all_functions_follow_by_orbit(brute):
    n, npn, _, measures = brute
    rows = census(n)
    for name in ("sensitivity", "degree", "block_sensitivity", "certificate_complexity",
                 "decision_tree_depth", "sensitive_edges"):
        weighted = np.bincount(rows[name], weights=rows["orbit"], minlength=n + 1 if n else 1)
        direct = np.bincount(measures[name], minlength=len(weighted))
        assert weighted.astype(np.int64).tolist() == direct.tolist(), name


def test_class_counts():
    # brute force above; these equal OEIS A000370 (NPN) and A000616 (NP), n = 0 … 4
    assert [len(census(n)) for n in range(5)] == [1, 2, 4, 14, 222]
    assert [len(census(n, np_classes=True)) for n in range(5)] == [2, 3, 6, 22, 402]


def test_npn_canonical_equals_brute_force_on_every_function(brute):
    n, npn, np_, _ = brute
    tables = np.arange(1 << (1 << n), dtype=np.uint64)
    assert np.array_equal(npn_canonical(tables, n=n).astype(np.int64), npn)
    assert np.array_equal(npn_canonical(tables, n=n, np_only=True).astype(np.int64), np_)
    signs = tables_to_signs(tables, n)
    assert np.array_equal(npn_canonical(signs).astype(np.int64), npn)


def test_census_of_two_variables():
    """The four NPN classes on two variables, written out: constant, AND, dictator, XOR."""
    rows = census(2)
    assert rows["table"].tolist() == [0b0000, 0b0001, 0b0011, 0b0110]
    assert rows["orbit"].tolist() == [2, 8, 4, 2]
    assert rows["sensitivity"].tolist() == [0, 2, 1, 2]
    assert rows["degree"].tolist() == [0, 2, 1, 2]
    assert rows["decision_tree_depth"].tolist() == [0, 2, 1, 2]
    assert rows["total_influence"].tolist() == [0.0, 1.0, 1.0, 2.0]
    assert rows["level_sums"].tolist() == [[16, 0, 0], [4, 8, 4], [0, 16, 0], [0, 0, 16]]
    assert rows["bias"].tolist() == [1.0, 0.5, 0.0, 0.0]
    assert rows.dtype.names == FIELDS


# --------------------------------------------------------------------------------------------
# n = 5 and 6
# --------------------------------------------------------------------------------------------

MEASURE_FIELDS = [f for f in FIELDS if f not in ("table", "orbit")]


def random_tables(n: int, rng: np.random.Generator, count: int) -> np.ndarray:
    """Uniform tables, biased ones (Pr[True] ~ U[0, 1]) and sparse ones, as integers."""
    N = 1 << n
    p = np.concatenate([np.full(count, 0.5), rng.random(count), rng.choice([0.03, 0.1, 0.9], count)])
    bits = (rng.random((3 * count, N)) < p[:, None]).astype(np.uint8)
    return as_integers(bits).astype(np.uint64)


def existing_measures(signs: np.ndarray, n: int) -> dict[str, np.ndarray]:
    return {
        "sensitivity": bs.sensitivity(signs),
        "sensitive_edges": np.rint(bs.total_influence(signs) * 2 ** (n - 1)).astype(np.int64),
        "total_influence": bs.total_influence(signs),
        "degree": bs.degree(signs),
        "level_sums": np.rint(bs.fourier_weights(signs) * 4**n).astype(np.int64),
        "bias": signs.mean(axis=1),
        "certificate_complexity": bs.certificate_complexity(signs),
        "decision_tree_depth": bs.decision_tree_depth(signs),
        "block_sensitivity": bs.block_sensitivity(signs),
    }


@pytest.mark.slow
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_kernels_equal_existing_measures_on_random_tables(n):
    rng = np.random.default_rng(100 + n)
    tables = random_tables(n, rng, 1000)
    got = table_measures(tables, n)
    assert np.array_equal(got["table"], tables.astype(np.int64))
    want = existing_measures(tables_to_signs(tables, n), n)
    for name in MEASURE_FIELDS:
        assert np.array_equal(got[name], want[name]), name


def test_a_chunk_of_the_n5_census():
    """Chunk 9 of the n = 5 census: the classes whose canonical table has as upper half the 10th
    canonical table of n = 4 (20300 classes). Each row is canonical, its orbit divides the group
    order and its measures equal the existing exact measures."""
    assert census_chunk_count(5) == 222
    high = int(census(4)["table"][9])
    rows = census_chunk(5, 9)
    assert len(rows) == 20300
    assert np.all(np.diff(rows["table"]) > 0)
    assert np.all(rows["table"] >> 16 == high)
    assert np.array_equal(npn_canonical(rows["table"], n=5).astype(np.int64), rows["table"])
    assert np.all((2 * 3840) % rows["orbit"] == 0)
    want = existing_measures(tables_to_signs(rows["table"], 5), 5)
    for name in MEASURE_FIELDS:
        assert np.array_equal(rows[name], want[name]), name


def test_n5_classes_in_a_window_equal_brute_force():
    """In a stretch of 256 candidate tables of chunk 9, the canonical ones (least in their orbit,
    by applying all 7680 transforms here) are exactly the census rows there, with their orbit
    sizes."""
    start = (int(census(4)["table"][9]) << 16) + 0x2500
    tables = np.arange(start, start + 256, dtype=np.int64)
    bits = ((tables[:, None] >> np.arange(32)) & 1).astype(np.uint8)
    images = np.stack([as_integers(bits[:, src]) for src in point_maps(5)], axis=1)  # (256, 3840)
    images = np.concatenate([images, images ^ 0xFFFFFFFF], axis=1)
    canonical = images.min(axis=1) == tables
    orbit = np.array([len(np.unique(row)) for row in images])
    rows = census_chunk(5, 9)
    inside = rows[(rows["table"] >= start) & (rows["table"] < start + 256)]
    assert len(inside) > 20
    assert inside["table"].tolist() == tables[canonical].tolist()
    assert inside["orbit"].tolist() == orbit[canonical].tolist()


def test_chunks_concatenate_to_the_census():
    for n in range(5):
        for np_classes in (False, True):
            parts = np.concatenate([census_chunk(n, k, np_classes=np_classes) for k in range(census_chunk_count(n))])
            if np_classes:
                parts = parts[np.argsort(parts["table"], kind="stable")]
            assert np.array_equal(parts, census(n, np_classes=np_classes))


def test_table_measures_of_a_range_equal_those_of_the_array():
    start = 2**31 - 5000
    fields = ["sensitivity", "sensitive_edges", "degree", "level_sums", "bias"]
    a = table_measures(range(start, start + 10000), 5, fields=fields)
    b = table_measures(np.arange(start, start + 10000), 5, fields=fields)
    assert a.dtype.names == tuple(fields)
    assert np.array_equal(a, b)
    c = table_measures(range(start, start + 10000), 5, fields=["table", "block_sensitivity"])
    assert np.array_equal(c["table"], np.arange(start, start + 10000))


def random_transform(signs: np.ndarray, n: int, rng: np.random.Generator, output: bool) -> np.ndarray:
    """g(x) = ±f(π(x) ⊕ m) for a random permutation π, mask m and (when ``output``) sign."""
    N = 1 << n
    perm = rng.permutation(n)
    m = int(rng.integers(N))
    src = [sum(((x >> int(perm[i])) & 1) << i for i in range(n)) ^ m for x in range(N)]
    sign = -1 if output and rng.random() < 0.5 else 1
    return (sign * signs[src]).astype(np.int8)


@pytest.mark.parametrize("n", [5, 6])
def test_npn_canonical_is_invariant_under_random_transforms(n):
    rng = np.random.default_rng(n)
    tables = random_tables(n, rng, 40) if n < 6 else rng.integers(0, 2**63, 120, dtype=np.uint64) * np.uint64(2)
    signs = tables_to_signs(tables, n)
    canon = npn_canonical(signs)
    np_canon = npn_canonical(signs, np_only=True)
    assert canon.dtype == np.uint64 and canon.shape == (len(tables),)
    assert np.all(canon <= tables) and np.all(canon <= np_canon) and np.all(np_canon <= tables)
    moved = np.stack([random_transform(s, n, rng, output=True) for s in signs])
    assert np.array_equal(npn_canonical(moved), canon)
    moved_np = np.stack([random_transform(s, n, rng, output=False) for s in signs])
    assert np.array_equal(npn_canonical(moved_np, np_only=True), np_canon)
    # the canonical form is a member of the class and is its own canonical form
    assert np.array_equal(npn_canonical(canon, n=n), canon)
    assert npn_canonical(bs.BooleanFunction(signs[0])) == int(canon[0])


def test_npn_canonical_examples():
    assert npn_canonical(bs.majority(3)) == npn_canonical(-bs.majority(3)) == 0b00010111
    assert npn_canonical(bs.parity(6)) == npn_canonical(-bs.parity(6)) == 0x6996966996696996
    assert npn_canonical(bs.conjunction(6)) == 1
    assert npn_canonical(bs.constant(4, -1)) == 0
    assert npn_canonical(bs.constant(4, -1), np_only=True) == 0xFFFF


# --------------------------------------------------------------------------------------------
# the torch path (run on CPU tensors here; the same code runs on CUDA)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("np_classes", [False, True], ids=["NPN", "NP"])
def test_torch_census_equals_numba(np_classes):
    pytest.importorskip("torch")
    for n in range(5):
        assert np.array_equal(census(n, np_classes=np_classes, device="cpu"), census(n, np_classes=np_classes))


def test_torch_kernels_equal_numba_at_n5():
    torch = pytest.importorskip("torch")
    # the module, also once boolsens exports the function ``census`` under the same name
    census_module = importlib.import_module("boolsens.census")

    # a dense stretch of n = 5 candidates (nearly all of them canonical: full walks)
    start, stop = 1800192, 1800192 + 1024
    device = torch.device("cpu")
    got = census_module._scan(5, [(start, stop), (stop + 4096, stop + 5120)], device)
    want = census_module._scan(5, [(start, stop), (stop + 4096, stop + 5120)], None)
    assert len(want[0]) > 100
    for a, b in zip(got, want):
        assert np.array_equal(a, b)
    tables = random_tables(5, np.random.default_rng(7), 1000).astype(np.int64)
    t = table_measures(torch.from_numpy(tables), 5)
    ref = table_measures(tables, 5)
    for name in ref.dtype.names:
        assert np.array_equal(t[name].numpy(), ref[name]), name


# --------------------------------------------------------------------------------------------
# bad arguments
# --------------------------------------------------------------------------------------------

BAD = [
    ("census-n-6", lambda: census(6), r"n=6 must lie in \[0, 5\]"),
    ("census-n-negative", lambda: census(-1), r"n=-1 must lie in \[0, 5\]"),
    ("census-n-float", lambda: census(2.5), r"n=2\.5 must be an integer"),
    ("census-np-classes", lambda: census(3, np_classes="yes"), r"np_classes='yes' must be True or False"),
    ("census-device", lambda: census(3, device="nonsense"), r"device='nonsense' is not a torch device"),
    ("chunk-index-high", lambda: census_chunk(5, 222), r"index=222 must lie in \[0, 221\] \(chunks of the census on n=5\)"),
    ("chunk-index-negative", lambda: census_chunk(4, -1), r"index=-1 must lie in \[0, 13\] \(chunks of the census on n=4\)"),
    ("chunk-index-bool", lambda: census_chunk(1, True), r"index=True must be an integer \(chunks of the census on n=1\)"),
    ("canonical-n-7", lambda: npn_canonical(bs.parity(7)), r"npn_canonical supports n <= 6; got a table on n=7"),
    ("canonical-not-pm1", lambda: npn_canonical([1, 0]), r"f must contain only \+1 and -1"),
    ("canonical-table-too-big", lambda: npn_canonical(16, n=2), r"f must be integers in \[0, 2\*\*4\) for n=2; found 16"),
    ("canonical-table-negative", lambda: npn_canonical(-1, n=2), r"f must be integers in \[0, 2\*\*4\) for n=2; found -1"),
    ("canonical-n-keyword", lambda: npn_canonical(3, n=7), r"n=7 must lie in \[0, 6\]"),
    ("canonical-np-only", lambda: npn_canonical(3, n=2, np_only=1), r"np_only=1 must be True or False"),
    ("measures-field", lambda: table_measures([1], 2, fields=["foo"]), r"fields=\['foo'\] must name some of: table, degree"),
    ("measures-float", lambda: table_measures([1.5], 2), r"tables has dtype float64; expected integer truth tables"),
    ("measures-range-step", lambda: table_measures(range(0, 10, 2), 2), r"must be a range with step 1 inside \[0, 2\*\*4\)"),
    ("measures-range-high", lambda: table_measures(range(10, 17), 2), r"must be a range with step 1 inside \[0, 2\*\*4\)"),
    ("measures-n-6", lambda: table_measures([1], 6), r"n=6 must lie in \[0, 5\]"),
    ("signs-too-big", lambda: tables_to_signs(256, 3), r"tables must be integers in \[0, 2\*\*8\) for n=3; found 256"),
]


@pytest.mark.parametrize("call, pattern", [(c, p) for _, c, p in BAD], ids=[i for i, _, _ in BAD])
def test_bad_arguments(call, pattern):
    with pytest.raises(BoolsensError, match=pattern):
        call()


@pytest.mark.parametrize("n", [3, 5])
def test_each_field_alone_equals_all_fields(n):
    """The kernels skip work (and take shortcuts such as s = n => C = D = bs = n) by the fields
    asked for: every field computed alone equals it computed with all the others."""
    tables = random_tables(n, np.random.default_rng(11), 500)
    together = table_measures(tables, n)
    for name in MEASURE_FIELDS:
        alone = table_measures(tables, n, fields=[name])
        assert alone.dtype.names == (name,)
        assert np.array_equal(alone[name], together[name]), name


# ----------------------------------------------------------------------------- boolsens census
def test_census_command_writes_everything_and_resumes(tmp_path, capsys):
    import csv
    import json

    from boolsens_cli.main import main

    out = tmp_path / "c4"
    assert main(["census", "--n", "4", "--out", str(out), "--no-progress"]) == 0
    assert "65,536 functions in 222 NPN classes" in capsys.readouterr().out
    for name in ("classes.csv", "distributions.csv", "extremes.json", "report.md", "summary.json",
                 "joint_s_deg.csv", "joint_s_bs.csv", "joint_C_D.csv", "joint_I_s.csv"):
        assert (out / name).exists(), name
    with open(out / "classes.csv") as fh:
        rows = list(csv.DictReader(fh))
    ref = bs.census(4)
    assert len(rows) == 222 and sum(int(r["orbit"]) for r in rows) == 65536
    assert [int(r["table"], 16) for r in rows] == ref["table"].tolist()
    # the joint histogram counts every function once, weighted by its class's orbit
    with open(out / "joint_s_deg.csv") as fh:
        table = [list(map(int, row[1:])) for row in list(csv.reader(fh))[1:]]
    assert sum(map(sum, table)) == 65536
    summary = json.loads((out / "summary.json").read_text())
    bs_s = next(e for e in summary["extremes"] if e["ratio"] == "bs/s")
    w = bs_s["witnesses"][0]
    f = bs.BooleanFunction.from_hex(w["table"][2:], 4)
    assert bs.block_sensitivity(f) == w["bs"] and bs.sensitivity(f) == w["s"]
    # resume: a lost chunk and a corrupt one are recomputed, the others are reused
    chunks = sorted((out / "chunks").glob("*.npy"))
    chunks[0].unlink()
    chunks[1].write_bytes(b"not numpy")
    before = (out / "classes.csv").read_text()
    assert main(["census", "--n", "4", "--out", str(out), "--no-progress"]) == 0
    assert "corrupt" in capsys.readouterr().err
    assert (out / "classes.csv").read_text() == before


@pytest.mark.parametrize("argv, message", [
    (["census", "--n", "6", "--out", "x"], "--n=6 must lie in [0, 5]"),
    (["census", "--n", "3", "--out", ""], "--out='' must name a folder"),
    (["census", "--n", "x", "--out", "y"], "invalid int value"),
])
def test_census_command_errors_are_one_line(argv, message, capsys, tmp_path):
    from boolsens_cli.main import main

    assert main([a if a != "x" or argv[1] != "--n" else a for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
