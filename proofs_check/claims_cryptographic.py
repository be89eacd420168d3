r"""docs/theory.md §3, cryptographic bounds: ``covering-radius`` (the nonlinearity bound, equality
exactly for bent functions) and ``siegenthaler`` (correlation immunity and resiliency against the
degree over GF(2)).

Both run on the standard Boolean domain (:func:`proofs_check.domains.boolean`) through the core's
exact integer measures (``bs.nonlinearity``, ``bs.is_bent``, ``bs.correlation_immunity``,
``bs.resiliency``, ``bs.gf2_degree``), tally the equality cases, and take keyword arguments that
alter the statement (the tests feed false variants through :func:`proofs_check.variant`).

Conventions: see :mod:`boolsens` and :mod:`boolsens.cryptographic`.
"""

from __future__ import annotations

import numpy as np

import boolsens as bs

from .core import Context, Eq, Le, Lt, claim
from .domains import Measures, boolean, run_predicate


# ----------------------------------------------------------------------------- covering-radius
@claim(id="covering-radius", statement="NL(f) ≤ 2^{n−1} − 2^{n/2−1}, with equality iff f is bent (n even)",
       latex=r"\mathrm{NL}(f) \le 2^{n-1} - 2^{n/2-1},\ \text{equality iff } f \text{ bent}",
       source="Rothaus 1976; Carlet 2021, §3.1 (covering radius of RM(1, n))")
def check_covering_radius(ctx: Context, *, offset: float = 0.0) -> None:
    """``offset`` is subtracted from the bound (a false variant for tests: ``offset=1``)."""

    def pred(m: Measures):
        n = m.n
        nl = np.asarray(bs.nonlinearity(m.signs), dtype=np.float64)
        bent = np.asarray(bs.is_bent(m.signs), dtype=bool)
        bound = np.full(nl.shape, 2.0 ** (n - 1) - 2.0 ** (n / 2 - 1) - offset)
        ctx.tally("NL at the bound among bent functions", int((nl == bound)[bent].sum()), int(bent.sum()))
        ctx.tally("bent among functions at the bound", int(bent[nl == bound].sum()), int((nl == bound).sum()))
        return [Le(nl, bound, "NL ≤ 2^{n−1} − 2^{n/2−1}", tol=0.0),
                Eq(nl, bound, "equality for bent f", tol=0.0, where=bent),
                Lt(nl, bound, "strict for every other f", tol=0.0, where=~bent)]

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- siegenthaler
@claim(id="siegenthaler", statement="correlation immunity m ⟹ deg₂ f ≤ n − m; m-resilient with m ≤ n − 2 ⟹ "
       "deg₂ f ≤ n − m − 1",
       latex=r"\deg_2 f \le n - \mathrm{CI}(f),\ \ \deg_2 f \le n - \mathrm{res}(f) - 1\ (0 \le \mathrm{res}(f) \le n-2)",
       source="Siegenthaler 1984 (IEEE Trans. Inf. Theory 30(5)); Carlet 2021, §7.1")
def check_siegenthaler(ctx: Context, *, ci_slack: int = 0, res_slack: int = 1) -> None:
    """The bounds are deg ≤ n − m − ``ci_slack`` and deg ≤ n − m − ``res_slack`` (false variants:
    ``ci_slack=1`` fails on PARITY, ``res_slack=2`` on resilient functions of degree n − m − 1)."""

    def pred(m: Measures):
        n = m.n
        deg = np.asarray(bs.gf2_degree(m.signs), dtype=np.float64)
        ci = np.asarray(bs.correlation_immunity(m.signs), dtype=np.float64)
        res = np.asarray(bs.resiliency(m.signs), dtype=np.float64)
        ci_bound = n - ci - ci_slack
        res_bound = n - res - res_slack
        resilient = (res >= 0) & (res <= n - 2)
        positive = ci >= 1
        ctx.tally("deg₂ = n − m among functions with correlation immunity m ≥ 1",
                  int((deg == ci_bound)[positive].sum()), int(positive.sum()))
        ctx.tally("deg₂ = n − m − 1 among m-resilient functions, 0 ≤ m ≤ n − 2",
                  int((deg == res_bound)[resilient].sum()), int(resilient.sum()))
        return [Le(deg, ci_bound, "deg₂ ≤ n − CI", tol=0.0),
                Le(deg, res_bound, "deg₂ ≤ n − res − 1 (0 ≤ res ≤ n − 2)", tol=0.0, where=resilient)]

    run_predicate(pred, boolean(), ctx)
