"""Tests of boolsens.census_extra: the census's further columns.

Every column of every class on n <= 4 against a brute force from the definition (written here, or
in the oracles of tests/, sharing no code with the columns' vectorised word operations); the
member counts against an enumeration of each class's orbit on n <= 3; the counts of monotone,
threshold, symmetric and bent functions against the known sequences; the approximate degree
against an independent dual formulation and the general LP of :func:`boolsens.approximate_degree`;
the report's new files and the command's options.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle
import oracle_lp
import oracle_structure
from boolsens import BoolsensError
from boolsens.census import census, census_chunk, npn_canonical, tables_to_signs
from boolsens.census_extra import EXTRA_FIELDS, extra_columns, monotone_tables, symmetric_tables
from boolsens.census_report import census_report


# --------------------------------------------------------------------------- brute forces
def _signs(table: int, n: int) -> list[int]:
    return [-1 if (table >> x) & 1 else 1 for x in range(1 << n)]


def gf2_degree(signs, n: int) -> int:
    """Degree of the ANF: a_S = XOR over T ⊆ S of [f(T) = −1]; the largest |S| with a_S = 1."""
    best = 0
    for S in range(1 << n):
        a = 0
        for T in range(1 << n):
            if T & ~S == 0:
                a ^= signs[T] == -1
        if a:
            best = max(best, bin(S).count("1"))
    return best


def nonlinearity(signs, n: int) -> int:
    """The least Hamming distance to an affine function x ↦ ±χ_S(x)."""
    best = 1 << n
    for S in range(1 << n):
        for c in (1, -1):
            best = min(best, sum(s != c * oracle.chi(S, x, n) for x, s in enumerate(signs)))
    return best


def min_sensitivity(signs, n: int) -> int:
    return min(sum(signs[x] != signs[x ^ (1 << i)] for i in range(n)) for x in range(1 << n))


def orbit(table: int, n: int) -> set[int]:
    """Every function NPN-equivalent to ``table``: its values moved by every permutation and
    negation of the inputs, and complemented."""
    N = 1 << n
    out = set()
    for perm in itertools.permutations(range(n)):
        for mask in range(N):
            g = 0
            for x in range(N):
                y = sum(((x >> perm[i]) & 1) << i for i in range(n)) ^ mask
                g |= ((table >> y) & 1) << x
            out.update((g, g ^ ((1 << N) - 1)))
    return out


# ----------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("n", range(0, 5))
def test_numpy_columns_against_the_definitions(n):
    rows = census(n)
    extra = extra_columns(rows, n, fields=["gf2_degree", "spectral_norm", "fourier_entropy", "min_sensitivity",
                                          "nonlinearity", "fractional_block_sensitivity"])
    for r, e in zip(rows, extra):
        signs = _signs(int(r["table"]), n)
        coef = oracle.fourier_coefficients(signs)
        assert e["gf2_degree"] == gf2_degree(signs, n)
        assert Fraction(float(e["spectral_norm"])) == sum(abs(c) for c in coef)
        entropy = sum(float(c * c) * math.log2(1 / float(c * c)) for c in coef if c)
        assert e["fourier_entropy"] == pytest.approx(entropy, abs=1e-12)
        assert e["min_sensitivity"] == min_sensitivity(signs, n)
        assert e["nonlinearity"] == nonlinearity(signs, n)
        if n <= 3:
            assert Fraction(float(e["fractional_block_sensitivity"])) == oracle_lp.fbs(signs)


def test_columns_agree_with_the_per_function_measures_on_random_classes_of_n5():
    rows = census_chunk(5, 100)  # one chunk of the n = 5 census (3,014 classes), not all 616,126
    pick = rows[np.random.default_rng(5).choice(len(rows), 12, replace=False)]
    extra = extra_columns(pick, 5, fields=["gf2_degree", "spectral_norm", "nonlinearity", "min_sensitivity",
                                           "fractional_block_sensitivity"])
    for r, e, signs in zip(pick, extra, tables_to_signs(pick["table"], 5)):
        f = bs.BooleanFunction(signs)
        assert e["gf2_degree"] == bs.gf2_degree(f)
        assert e["spectral_norm"] == float(bs.spectral_norm(f))
        assert e["nonlinearity"] == bs.nonlinearity(f)
        assert e["min_sensitivity"] == bs.min_sensitivity(f)
        assert e["fractional_block_sensitivity"] == float(bs.fractional_block_sensitivity(f))


@pytest.mark.parametrize("n", range(0, 4))
def test_approximate_degree_against_a_dual_formulation_and_the_general_lp(n):
    rows = census(n)
    extra = extra_columns(rows, n, fields=["approximate_degree"])
    for r, e in zip(rows, extra):
        signs = _signs(int(r["table"]), n)
        a = int(e["approximate_degree"])
        assert a == bs.approximate_degree(np.array(signs))
        # E_{a} <= 1/3 < E_{a-1}, from the oracle's dual programme (floats, far from 1/3 here or equal)
        if a >= 1:
            assert oracle_lp.dual_error(signs, a - 1) > 1 / 3 + 1e-9
        assert oracle_lp.dual_error(signs, a) <= 1 / 3 + 1e-9


@pytest.mark.slow
def test_approximate_degree_of_every_class_of_n4_against_the_dual_formulation():
    rows = census(4)
    extra = extra_columns(rows, 4, fields=["approximate_degree"])
    for r, e in zip(rows, extra):
        signs = _signs(int(r["table"]), 4)
        a = int(e["approximate_degree"])
        if a >= 1:
            assert oracle_lp.dual_error(signs, a - 1) > 1 / 3 + 1e-9
        assert oracle_lp.dual_error(signs, a) <= 1 / 3 + 1e-9
    assert np.bincount(extra["approximate_degree"], weights=rows["orbit"]).astype(int).sum() == 1 << 16


@pytest.mark.parametrize("n", range(0, 4))
def test_member_counts_and_threshold_by_enumerating_each_orbit(n):
    rows = census(n)
    extra = extra_columns(rows, n, fields=["threshold", "monotone_members", "symmetric_members"])
    thresholds = oracle_structure.threshold_tables(n)
    for r, e in zip(rows, extra):
        members = orbit(int(r["table"]), n)
        assert len(members) == r["orbit"]
        signs = [tuple(_signs(g, n)) for g in members]
        assert e["monotone_members"] == sum(oracle_structure.is_monotone(s) for s in signs)
        assert e["symmetric_members"] == sum(oracle_structure.is_symmetric(s) for s in signs)
        assert bool(e["threshold"]) == all(s in thresholds for s in signs)
        assert bool(e["threshold"]) == any(s in thresholds for s in signs)  # a class property


def test_monotone_and_symmetric_tables():
    assert [len(monotone_tables(n)) for n in range(6)] == [2, 3, 6, 20, 168, 7581]  # Dedekind numbers
    for n in range(5):
        want = sorted(t for t in range(1 << (1 << n)) if oracle_structure.is_monotone(tuple(_signs(t, n))))
        assert monotone_tables(n).tolist() == want
        want = sorted(t for t in range(1 << (1 << n)) if oracle_structure.is_symmetric(tuple(_signs(t, n)))) \
            if n <= 4 else None
        assert symmetric_tables(n).tolist() == want
    assert len(symmetric_tables(5)) == 64


def test_np_classes_count_members_by_np_class():
    rows = census(3, np_classes=True)
    extra = extra_columns(rows, 3, fields=["threshold", "monotone_members", "symmetric_members"], np_classes=True)
    assert extra["monotone_members"].sum() == 20 and extra["symmetric_members"].sum() == 16
    assert int(rows["orbit"][extra["threshold"]].sum()) == 104
    for r, e in zip(rows, extra):
        canon = npn_canonical(np.array(_signs(int(r["table"]), 3)), np_only=True)
        assert canon == r["table"]


def test_fractional_block_sensitivity_is_computed_where_bs_and_c_differ(monkeypatch):
    rows = census(3).copy()
    rows["block_sensitivity"][5] -= 1  # pretend bs < C: the column must come from the LP, not from bs
    extra = extra_columns(rows, 3, fields=["fractional_block_sensitivity"])
    signs = _signs(int(rows["table"][5]), 3)
    assert Fraction(float(extra["fractional_block_sensitivity"][5])) == oracle_lp.fbs(signs)


def test_bad_arguments():
    rows = census(2)
    with pytest.raises(BoolsensError, match="fields=.*nosuch"):
        extra_columns(rows, 2, fields=["nosuch"])
    with pytest.raises(BoolsensError, match="n=6"):
        extra_columns(rows, 6)
    with pytest.raises(BoolsensError, match="np_classes"):
        extra_columns(rows, 2, np_classes="yes")


@pytest.mark.slow
def test_report_has_the_new_columns_counts_and_extremes(tmp_path):
    summary = census_report(4, str(tmp_path), show_progress=False)
    props = list(csv.DictReader(open(tmp_path / "properties.csv")))
    assert [int(p["monotone"]) for p in props] == [2, 3, 6, 20, 168]
    assert [int(p["threshold"]) for p in props] == [2, 4, 14, 104, 1882]
    assert [int(p["symmetric"]) for p in props] == [2, 4, 8, 16, 32]
    assert [p["bent"] for p in props] == ["2", "", "8", "", "896"]
    for m in (0, 2, 4):  # the count is bs.is_bent's, over every function
        assert int(props[m]["bent"]) == int(bs.is_bent(tables_to_signs(np.arange(1 << (1 << m)), m)).sum())
    extremes = {e["ratio"]: e for e in json.loads((tmp_path / "extremes.json").read_text())}
    assert extremes["fbs/s"]["value"] == extremes["bs/s"]["value"] == "3/2"  # fbs = bs on n <= 4
    # the largest adeg/s against the class table
    classes = list(csv.DictReader(open(tmp_path / "classes.csv")))
    ratios = [Fraction(int(c["approximate_degree"]), int(c["sensitivity"])) for c in classes if int(c["sensitivity"])]
    assert extremes["adeg/s"]["value"] == str(max(ratios))
    assert set(EXTRA_FIELDS) <= set(classes[0])
    assert "Monotone, threshold, symmetric and bent" in (tmp_path / "report.md").read_text()
    assert summary["properties"][4]["bent"] == 896
    # resume: a deleted column file is made again, the rest are reused, the report is the same
    first = (tmp_path / "classes.csv").read_text()
    (next((tmp_path / "chunks").glob("*-extra.npy"))).unlink()
    census_report(4, str(tmp_path), show_progress=False)
    assert (tmp_path / "classes.csv").read_text() == first


def test_report_without_the_further_columns(tmp_path):
    summary = census_report(3, str(tmp_path), extra=False, show_progress=False)
    assert not (tmp_path / "properties.csv").exists()
    assert [e["ratio"] for e in summary["extremes"]] == ["bs/s", "deg/s", "D/C", "C/bs", "D/deg"]
    header = (tmp_path / "classes.csv").read_text().splitlines()[0]
    assert "approximate_degree" not in header


@pytest.mark.slow
def test_jobs_give_the_same_report(tmp_path):
    census_report(3, str(tmp_path / "one"), show_progress=False)
    census_report(3, str(tmp_path / "two"), jobs=2, show_progress=False)
    for name in ("classes.csv", "distributions.csv", "extremes.json", "properties.csv"):
        assert (tmp_path / "one" / name).read_text() == (tmp_path / "two" / name).read_text()


def test_approximate_degrees_of_random_tables_match_the_general_lp():
    from boolsens.census_extra import approximate_degrees

    rng = np.random.default_rng(7)
    for n, count in ((4, 12), (5, 12)):
        tables = rng.integers(0, 1 << (1 << n), count, dtype=np.uint64)
        got = approximate_degrees(tables, n)
        want = bs.approximate_degree(tables_to_signs(tables, n))
        assert got.tolist() == np.asarray(want).tolist()


@pytest.mark.slow
def test_the_exhaustive_claim_uses_the_same_approximate_degree():
    from proofs_check.claims_linear_programs import _approximate_degree

    signs = tables_to_signs(np.random.default_rng(3).integers(0, 1 << 32, 260, dtype=np.uint64), 5)
    assert _approximate_degree(signs).tolist() == np.asarray(bs.approximate_degree(signs), dtype=float).tolist()
