"""The p-biased claims of docs/theory.md §3.10 (``margulis-russo``, ``poincare-p``): each fails on
a false variant, and its witness is re-checked here independently (sympy differentiates the
polynomial E_{μ_p}[f]; the variance and influences come from tests/oracle_pbiased.py)."""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs
import oracle_pbiased as orc
import proofs_check as pc
from proofs_check.claims_pbiased import mean_derivative, monotone_mask
from test_proofs_check_claims import _run_variant  # the false-variant runner of the other claims

pytestmark = pytest.mark.timeout(300)


def _witness(rel) -> bs.BooleanFunction:
    n, hx = rel.witness_table.split(":")
    return bs.BooleanFunction.from_hex(hx, int(n))


def _p(rel) -> Fraction:
    return Fraction(re.search(r"p=([0-9/]+)", rel.name).group(1))


def _sympy_derivative(table, p: Fraction) -> Fraction:
    sympy = pytest.importorskip("sympy")
    q = sympy.Symbol("p")
    n = len(table).bit_length() - 1
    mean = sum(v * q ** bin(x).count("1") * (1 - q) ** (n - bin(x).count("1")) for x, v in enumerate(table))
    value = sympy.diff(mean, q).subs(q, sympy.Rational(p.numerator, p.denominator))
    return Fraction(int(value.p), int(value.q))


def test_mean_derivative_is_the_polynomial_derivative():
    rng = np.random.default_rng(0)
    tables = rng.choice(np.array([1, -1], dtype=np.int8), size=(4, 16))
    for p in (Fraction(1, 3), Fraction(3, 4)):
        assert mean_derivative(tables, p) == [_sympy_derivative(t.tolist(), p) for t in tables]


def test_margulis_russo_sign_is_checked():
    _, bad = _run_variant("margulis-russo", sign=1)
    f, p = _witness(bad[0]), _p(bad[0])
    a, b = p.numerator, p.denominator
    sigma = 2 * Fraction(int(round((a * (b - a)) ** 0.5)), b)
    first = bs.fourier_coefficients(f, p=p)[[1 << i for i in range(f.n)]].sum()
    assert _sympy_derivative(f.signs.tolist(), p) == -2 / sigma * first != 2 / sigma * first


def test_margulis_russo_pivotal_form_needs_monotone():
    _, bad = _run_variant("margulis-russo", monotone_only=False)
    assert all("monotone" in rel.name for rel in bad)
    f, p = _witness(bad[0]), _p(bad[0])
    assert not monotone_mask(f.signs[None, :])[0]
    derivative = _sympy_derivative(f.signs.tolist(), p)
    assert -derivative / 2 != sum(orc.pivotal(f.signs.tolist(), i, p) for i in range(f.n))


def test_monotone_mask_against_the_definition():
    tables = pc.domains.all_functions(3)
    mask = monotone_mask(tables)
    order = [(x, y) for x in range(8) for y in range(8) if x | y == x]  # y ≤ x coordinatewise (bit 1 = −1)
    brute = [all(t[x] <= t[y] for x, y in order) for t in tables.tolist()]
    assert mask.tolist() == brute and sum(brute) == 20  # the Dedekind number M(3)


def test_poincare_p_factor_is_checked():
    _, bad = _run_variant("poincare-p", factor=Fraction(9, 10))
    f, p = _witness(bad[0]), _p(bad[0])
    row = f.signs.tolist()
    assert orc.variance(row, p) > Fraction(9, 10) * orc.total_influence(row, p)
    assert orc.variance(row, p) <= orc.total_influence(row, p)
