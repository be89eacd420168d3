r"""docs/theory.md §3, the measures that are linear programs: ``fractional-chain``
(s ≤ bs ≤ fbs ≤ C) and ``approximate-degree`` (adeg ≤ deg and bs ≤ 6·adeg², Nisan–Szegedy 1994),
with adeg the 1/3-approximate degree of f read as 0/1-valued (True = 1).

Both run on a small Boolean domain (each function costs LPs): every function on n ≤ 3 (quick) or
n ≤ 4 (fbs) and random and named functions to n = 8. Each takes a keyword that alters the
statement (the tests feed false variants through :func:`proofs_check.variant`).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

import numpy as np

import boolsens as bs

from .core import Context, Le, claim
from .domains import Measures, boolean, run_predicate


def _floats(values) -> np.ndarray:
    """Exact Fractions (or ints) as float64: the denominators here are small, so a strict
    inequality between them survives the rounding."""
    return np.array([float(v) for v in np.asarray(values, dtype=object).reshape(-1)], dtype=np.float64)


def _approximate_degree(signs) -> np.ndarray:
    """bs.approximate_degree of each ±1 row; a large batch on n <= 5 (``--exhaustive``: 616,126
    class representatives at n = 5) through the census's batched exact method, which gives the
    same values (tests/boolsens/test_census_extra.py) a few hundred times faster."""
    signs = np.asarray(signs)
    n = signs.shape[-1].bit_length() - 1
    if signs.ndim == 2 and len(signs) > 256 and n <= 5:
        from boolsens.census_extra import approximate_degrees

        weights = np.left_shift(np.uint64(1), np.arange(1 << n, dtype=np.uint64))
        tables = ((signs == -1).astype(np.uint64) * weights).sum(axis=1, dtype=np.uint64)
        return approximate_degrees(tables, n).astype(np.float64)
    return np.asarray(bs.approximate_degree(signs), dtype=np.float64)


@claim(id="fractional-chain", statement="s ≤ bs ≤ fbs ≤ C (fbs = FC by LP duality)",
       latex=r"s \le bs \le fbs \le C",
       source="Tal 2013; Gilmer–Saks–Srinivasan 2016 (fbs = FC); Buhrman–de Wolf 2002")
def check_fractional_chain(ctx: Context, *, fbs_scale: float = 1.0) -> None:
    """``fbs_scale`` multiplies fbs (a false variant: 1.5 breaks fbs ≤ C where fbs = C)."""

    def pred(m: Measures):
        s, b, C = (np.asarray(v, dtype=np.float64) for v in (m.sensitivity, m.block_sensitivity,
                                                               m.certificate_complexity))
        fbs = fbs_scale * _floats(bs.fractional_block_sensitivity(m.signs))
        return [Le(s, b, "s ≤ bs"), Le(b, fbs, "bs ≤ fbs"), Le(fbs, C, "fbs ≤ C")]

    run_predicate(pred, boolean(max_n=8, exhaustive=(3, 4, 4), random=(20, 100, 500), hypothesis=(5, 20, 60),
                                families=(6, 8, 8)), ctx)


@claim(id="approximate-degree", statement="adeg ≤ deg and bs ≤ 6·adeg² (ε = 1/3, f read as 0/1)",
       latex=r"\widetilde{\deg}_{1/3}(f) \le \deg f,\ bs(f) \le 6\,\widetilde{\deg}_{1/3}(f)^2",
       source="Nisan–Szegedy 1994")
def check_approximate_degree(ctx: Context, *, factor: float = 6.0) -> None:
    """``factor`` replaces 6 (a false variant: 0.5 breaks bs ≤ factor·adeg² on OR_n)."""

    def pred(m: Measures):
        adeg = _approximate_degree(m.signs)
        b = np.asarray(m.block_sensitivity, dtype=np.float64)
        return [Le(adeg, np.asarray(m.degree, dtype=np.float64), "adeg ≤ deg"),
                Le(b, factor * adeg**2, "bs ≤ 6 adeg²")]

    run_predicate(pred, boolean(max_n=8, exhaustive=(3, 3, 4), random=(5, 20, 100), hypothesis=(5, 10, 30),
                                families=(6, 8, 8)), ctx)
