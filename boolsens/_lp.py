r"""Linear programs solved in floating point by HiGHS and made exact (layer 1).

The measures that are linear programs (:mod:`boolsens.fractional`,
:mod:`boolsens.approximate_degree`) are stated here in one form,

.. math:: \max\ c^\top x \quad\text{s.t.}\quad A x \le b,\ x_j \ge 0\ (j \notin F),

with integer or rational data and F the free variables, whose dual is
:math:`\min b^\top y` s.t. :math:`y \ge 0`, :math:`(A^\top y)_j \ge c_j` (j ∉ F),
:math:`(A^\top y)_j = c_j` (j ∈ F). ``linprog`` (HiGHS, dual simplex) gives a float primal vertex
and its dual. :func:`exact_optimum` then recovers the rational optimum from the *support* of that
basis: the rows that are tight and the variables that are nonzero fix the vertex, whose linear
system is solved in ``fractions.Fraction``; the dual is recovered the same way from
complementary slackness. Both are then checked exactly — primal feasibility, dual feasibility and
equal objectives — so a returned value is a proven optimum (weak duality), never a rounded float.
When the float basis was misread (a near-tie under the tolerance), the check fails and the caller
falls back (:func:`exact_simplex`, a rational simplex for :math:`b \ge 0`) or refuses.

Cost: the HiGHS solve, then Gaussian elimination in Fractions on the support, :math:`O(k^3)`
rational operations for k unknowns (the callers cap k).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, NamedTuple, Sequence

import numpy as np

from .errors import BoolsensError

__all__ = ["highs", "LPResult", "solve_float", "exact_optimum", "exact_simplex", "solve_exact_system"]

#: a primal slack, a variable or a dual value below this (relative to the data's scale) is read
#: as 0 when the support is recovered; a misreading is caught by the exact check.
SUPPORT_TOL = 1e-7


class LPResult(NamedTuple):
    """The outcome of :func:`highs`: ``status`` is "optimal", "infeasible", "unbounded" or HiGHS's
    own word; ``value``, ``x`` and ``row_dual`` (HiGHS's sign: ≤ 0 on a binding upper bound of a
    minimisation) are meaningful when optimal."""

    status: str
    value: float
    x: np.ndarray
    row_dual: np.ndarray


def highs(c: Any, *, A_ub: Any = None, b_ub: Any = None, A_eq: Any = None, b_eq: Any = None,
          lower: Any = 0.0, upper: Any = None) -> LPResult:
    """min cᵀx s.t. A_ub x ≤ b_ub, A_eq x = b_eq, lower ≤ x ≤ upper (None: unbounded; scalars
    apply to every variable) by HiGHS's dual simplex, through ``highspy`` (a tenth of the import
    time of ``scipy.optimize`` and no per-call conversion). The rows are A_ub's, then A_eq's."""
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy comes with the lp extra
        raise BoolsensError("linear programmes need highspy: pip install 'boolsens[lp]'") from None
    c = np.asarray(c, dtype=np.float64)
    k = c.size
    inf = highspy.kHighsInf
    blocks, lo, hi = [], [], []
    if A_ub is not None:
        A = np.asarray(A_ub, dtype=np.float64).reshape(-1, k)
        blocks.append(A)
        lo.append(np.full(len(A), -inf))
        hi.append(np.asarray(b_ub, dtype=np.float64).reshape(-1))
    if A_eq is not None:
        A = np.asarray(A_eq, dtype=np.float64).reshape(-1, k)
        blocks.append(A)
        beq = np.asarray(b_eq, dtype=np.float64).reshape(-1)
        lo.append(beq)
        hi.append(beq)
    M = np.vstack(blocks) if blocks else np.zeros((0, k))

    def bound(v: Any, default: float) -> np.ndarray:
        if v is None:
            return np.full(k, default)
        a = np.broadcast_to(np.asarray([default if e is None else e for e in np.ravel(v)], dtype=np.float64)
                            if np.ndim(v) else np.float64(v), (k,))
        return np.array(a)

    h = highspy._core._Highs() if hasattr(getattr(highspy, "_core", None), "_Highs") else highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 1)  # dual simplex: a basic (vertex) solution, as the exact steps need
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = k, M.shape[0]
    lp.col_cost_ = c
    lp.col_lower_ = bound(lower, -inf)
    lp.col_upper_ = bound(upper, inf)
    lp.row_lower_ = np.concatenate(lo) if lo else np.zeros(0)
    lp.row_upper_ = np.concatenate(hi) if hi else np.zeros(0)
    cols = M.T.copy()
    nz = cols != 0
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nz)[1].astype(np.int32)
    lp.a_matrix_.value_ = cols[nz]
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    S = highspy.HighsModelStatus
    word = {S.kOptimal: "optimal", S.kInfeasible: "infeasible", S.kUnbounded: "unbounded",
            S.kUnboundedOrInfeasible: "infeasible or unbounded"}.get(status, h.modelStatusToString(status))
    if word != "optimal":
        return LPResult(word, float("nan"), np.zeros(k), np.zeros(M.shape[0]))
    sol = h.getSolution()
    return LPResult("optimal", float(h.getInfo().objective_function_value), np.asarray(sol.col_value, dtype=float),
                    np.asarray(sol.row_dual, dtype=float))


def solve_float(c: np.ndarray, A: np.ndarray, b: np.ndarray, free: np.ndarray | None = None
                ) -> tuple[float, np.ndarray, np.ndarray]:
    """max cᵀx s.t. Ax ≤ b, x ≥ 0 off ``free`` (a bool mask), by HiGHS: (value, x, y), y ≥ 0 the
    dual of the rows. Raises :class:`BoolsensError` when HiGHS reports no optimum."""
    m, k = A.shape
    lower = [None if free is not None and free[j] else 0.0 for j in range(k)]
    res = highs(-np.asarray(c, dtype=float), A_ub=A, b_ub=b, lower=lower)
    if res.status != "optimal":
        raise BoolsensError(f"the linear program ({m} rows, {k} variables) was not solved by HiGHS: {res.status}")
    return -res.value, res.x, -res.row_dual


def solve_exact_system(rows: list[list[Fraction]], rhs: list[Fraction], k: int) -> list[Fraction] | None:
    """A solution of the linear system ``rows · z = rhs`` in k unknowns (Gaussian elimination in
    Fractions, the unknowns without a pivot set to 0), or None when it is inconsistent."""
    M = [list(r) + [v] for r, v in zip(rows, rhs)]
    pivots: list[int] = []
    r = 0
    for col in range(k):
        p = next((i for i in range(r, len(M)) if M[i][col] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        pr = M[r]
        inv = 1 / pr[col]
        if inv != 1:
            M[r] = pr = [v * inv for v in pr]
        for i in range(len(M)):
            if i != r and M[i][col] != 0:
                factor = M[i][col]
                Mi = M[i]
                M[i] = [a - factor * bv for a, bv in zip(Mi, pr)]
        pivots.append(col)
        r += 1
        if r == len(M):
            break
    for i in range(r, len(M)):
        if M[i][k] != 0:
            return None
    z = [Fraction(0)] * k
    for i, col in enumerate(pivots):
        z[col] = M[i][k]
    return z


def _fractions(a: np.ndarray) -> list[list[Fraction]]:
    """A matrix as lists of Fractions of Python numbers (never of numpy integers, which overflow)."""
    return [[Fraction(v) for v in row] for row in np.asarray(a).tolist()]


def _fraction_list(a: Sequence) -> list[Fraction]:
    return [Fraction(v) for v in (a.tolist() if isinstance(a, np.ndarray) else a)]


def exact_optimum(c: Sequence, A: np.ndarray, b: Sequence, free: np.ndarray | None,
                  x: np.ndarray, y: np.ndarray, *, slack: np.ndarray | None = None
                  ) -> tuple[Fraction, list[Fraction], list[Fraction]] | None:
    """The exact optimum of max cᵀx, Ax ≤ b (x ≥ 0 off ``free``), recovered from a float primal
    vertex x and dual y (see the module docstring): (value, x, y) in Fractions, each checked
    exactly, or None when the check fails. The data must be exact (integers or Fractions).

    ``slack`` (b − Ax of the float solution) may be given when x was computed in another basis of
    the same space of free variables (only the tight rows and the live variables are read from
    it: the free variables are always live)."""
    m, k = A.shape
    free = np.zeros(k, dtype=bool) if free is None else np.asarray(free, dtype=bool)
    Af = _fractions(A)
    bf = _fraction_list(b)
    cf = _fraction_list(c)
    bscale = max(1.0, float(np.abs(np.asarray(b, dtype=float)).max(initial=0.0)))
    if slack is None:
        scale = max(bscale, float(np.abs(np.asarray(A, dtype=float)).max(initial=0.0)))
        slack = np.asarray(b, dtype=float) - np.asarray(A, dtype=float) @ x
    else:
        scale = bscale
    tol = SUPPORT_TOL * scale
    tight = [i for i in range(m) if slack[i] <= tol]
    live = [j for j in range(k) if free[j] or x[j] > SUPPORT_TOL * max(1.0, float(np.abs(x).max(initial=0.0)))]
    # primal: the tight rows as equalities on the live variables, the others at 0
    sol = solve_exact_system([[Af[i][j] for j in live] for i in tight], [bf[i] for i in tight], len(live))
    if sol is None:
        return None
    xs = [Fraction(0)] * k
    for j, v in zip(live, sol):
        xs[j] = v
    if any(xs[j] < 0 for j in range(k) if not free[j]):
        return None
    for i in range(m):
        if sum((a * v for a, v in zip(Af[i], xs) if a), Fraction(0)) > bf[i]:
            return None
    # dual: complementary slackness, (Aᵀy)_j = c_j on the live variables, y = 0 off a support
    # inside the tight rows (first where the float dual is positive, then every tight row)
    ytol = SUPPORT_TOL * max(1.0, float(np.abs(y).max(initial=0.0)))
    supports = [[i for i in tight if y[i] > ytol], tight]
    for support in supports if supports[0] != supports[1] else supports[:1]:
        ys = _exact_dual(Af, cf, bf, free, live, support)
        if ys is not None and sum((cv * v for cv, v in zip(cf, xs)), Fraction(0)) == \
                sum((bv * v for bv, v in zip(bf, ys)), Fraction(0)):
            return sum((cv * v for cv, v in zip(cf, xs)), Fraction(0)), xs, ys
    return None


def _exact_dual(Af, cf, bf, free, live, support) -> list[Fraction] | None:
    """The dual solution on ``support`` from complementary slackness, checked feasible, or None."""
    m, k = len(Af), len(cf)
    dsol = solve_exact_system([[Af[i][j] for i in support] for j in live], [cf[j] for j in live], len(support))
    if dsol is None:
        return None
    ys = [Fraction(0)] * m
    for i, v in zip(support, dsol):
        ys[i] = v
    if any(v < 0 for v in ys):
        return None
    for j in range(k):
        col = sum((Af[i][j] * ys[i] for i in support), Fraction(0))
        if (col != cf[j]) if free[j] else (col < cf[j]):
            return None
    return ys


def exact_simplex(c: Sequence, A: np.ndarray, b: Sequence) -> Fraction:
    """The optimum of max cᵀx, Ax ≤ b, x ≥ 0 with b ≥ 0 (the origin is feasible), by the primal
    simplex in Fractions with Bland's rule (no cycling); raises when unbounded. A slow exact
    fallback for small programs."""
    m, k = A.shape
    Af = _fractions(A)
    bf = _fraction_list(b)
    if any(v < 0 for v in bf):
        raise BoolsensError("exact_simplex needs b >= 0")
    # tableau rows [A | I | b], objective row [-c | 0 | 0]; basis = the slacks
    T = [Af[i] + [Fraction(int(i == j)) for j in range(m)] + [bf[i]] for i in range(m)]
    z = [-v for v in _fraction_list(c)] + [Fraction(0)] * (m + 1)
    basis = [k + i for i in range(m)]
    while True:
        col = next((j for j in range(k + m) if z[j] < 0), None)  # Bland: the least improving column
        if col is None:
            return z[-1]
        best = None
        for i in range(m):
            if T[i][col] > 0:
                ratio = T[i][-1] / T[i][col]
                if best is None or ratio < best[0] or (ratio == best[0] and basis[i] < basis[best[1]]):
                    best = (ratio, i)
        if best is None:
            raise BoolsensError("the linear program is unbounded")
        r = best[1]
        piv = T[r][col]
        T[r] = [v / piv for v in T[r]]
        for i in range(m):
            if i != r and T[i][col] != 0:
                fct = T[i][col]
                T[i] = [a - fct * bv for a, bv in zip(T[i], T[r])]
        fct = z[col]
        z = [a - fct * bv for a, bv in zip(z, T[r])]
        basis[r] = col
