r"""Linear threshold functions: an exact integer representation, or an exact proof that there is
none.

Conventions: see :mod:`boolsens`. A ±1 function f is a linear threshold function (LTF) when

.. math:: f(x) = \operatorname{sgn}\Bigl(\sum_{i} w_i x_i - \theta\Bigr) \quad\text{for every } x \in \{\pm 1\}^n,

with x_i the ±1 coordinates (bit 1 of the index ↔ x_i = −1), sgn of a positive number +1 and of
a negative one −1 (True), and **no ties**: :math:`\sum_i w_i x_i \ne \theta` on the cube. Every
LTF has such a strict representation with integer weights (perturb θ, then scale), the one
returned here: integers with :math:`f(x)(\sum_i w_i x_i - \theta) \ge 1` everywhere, so
``bs.threshold(w, theta)`` rebuilds f. This is the form of O'Donnell, *Analysis of Boolean
Functions*, §5.1, and of :func:`boolsens.threshold`.

Method, for each function (n ≤ 12):

1. A function that is not unate (increasing in some coordinate at one point and decreasing at
   another) is not an LTF: the sign of w_i fixes the direction. Exact and cheap.
2. Otherwise the linear program "minimise Σ|w_i| + |θ| subject to f(x)(w·x − θ) ≥ 1 for all x"
   (HiGHS). When it is feasible its solution is made integral (its entries as the
   rationals they approximate, scaled by the least common denominator; failing that, rounded
   at scales 2, 4, 8, …, which succeeds by scale 16 for n ≤ 12 since the margin is 1) and
   divided by the gcd; the integers are then **verified exactly on all 2**n points**, and an
   unverified representation is never returned.
3. When it is infeasible, a Farkas certificate is found and checked in exact rationals: weights
   y ≥ 0, not all 0, with :math:`\sum_x y_x f(x) (x, 1) = 0`; any strict representation would
   make :math:`\sum_x y_x f(x)(w\cdot x - \theta)` both positive and 0. None is returned only
   with such a proof (or step 1's).

The weights are those of an ℓ1-minimal rational representation with margin 1, scaled to the
least integers: small, usually the familiar ones (MAJ_n: all 1, θ = 0), but not guaranteed to
be the minimal integer weights.

Cost: per function one LP with 2**n constraints and 2n + 2 variables (milliseconds at n ≤ 8, about
a second at n = 12), and one exact check of the 2**n margins.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from . import _lp
from .errors import BoolsensError

__all__ = ["threshold_representation", "is_threshold"]

#: largest n accepted (the LP has 2**n constraints)
MAX_THRESHOLD_N = 12


def _points(n: int) -> np.ndarray:
    """(2**n, n) int64: the ±1 coordinates of every index (bit i = 1 ↔ x_i = −1)."""
    idx = np.arange(1 << n, dtype=np.int64)
    return 1 - 2 * ((idx[:, None] >> np.arange(n, dtype=np.int64)) & 1)


def _unate(row: np.ndarray, n: int) -> bool:
    """Every coordinate is nondecreasing or nonincreasing everywhere."""
    for i in range(n):
        v = row.reshape(1 << (n - 1 - i), 2, 1 << i)
        up, down = v[:, 0, :], v[:, 1, :]
        if not (np.all(down <= up) or np.all(down >= up)):
            return False
    return True


def _verified(row: np.ndarray, X: np.ndarray, w: list[int], theta: int) -> bool:
    """f(x)(w·x − θ) ≥ 1 at every point, in exact integers."""
    if sum(abs(v) for v in w) + abs(theta) >= 1 << 62:
        margins = [sum(int(a) * b for a, b in zip(x, w)) - theta for x in X.tolist()]
        return all(int(f) * m >= 1 for f, m in zip(row.tolist(), margins))
    margins = X @ np.asarray(w, dtype=np.int64) - theta
    return bool(np.all(row.astype(np.int64) * margins >= 1))


def _reduced(ints: list[int]) -> list[int]:
    g = 0
    for v in ints:
        g = math.gcd(g, v)
    return [v // g for v in ints] if g > 1 else ints


def _integral(z: np.ndarray, row: np.ndarray, X: np.ndarray) -> tuple[tuple[int, ...], int] | None:
    """An exactly verified integer (w, θ) from an LP solution z = (w, θ), or None."""
    fr = [Fraction(float(v)).limit_denominator(1 << 12) for v in z]
    den = 1
    for q in fr:
        den = den * q.denominator // math.gcd(den, q.denominator)
    candidates = [[int(q * den) for q in fr]]
    candidates += [[int(round(float(v) * (1 << k))) for v in z] for k in range(1, 31)]
    for c in candidates:
        c = _reduced(c)
        if _verified(row, X, c[:-1], c[-1]):
            return tuple(c[:-1]), c[-1]
    return None


def _solve_exact(A: list[list[int]], b: list[int]) -> list[Fraction] | None:
    """A solution of A y = b in rationals (free variables 0), or None when inconsistent."""
    rows, cols = len(A), len(A[0]) if A else 0
    M = [[Fraction(v) for v in A[r]] + [Fraction(b[r])] for r in range(rows)]
    pivots = []
    r = 0
    for c in range(cols):
        p = next((k for k in range(r, rows) if M[k][c] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        inv = 1 / M[r][c]
        M[r] = [v * inv for v in M[r]]
        for k in range(rows):
            if k != r and M[k][c] != 0:
                factor = M[k][c]
                M[k] = [a - factor * e for a, e in zip(M[k], M[r])]
        pivots.append(c)
        r += 1
        if r == rows:
            break
    if any(all(v == 0 for v in M[k][:cols]) and M[k][cols] != 0 for k in range(rows)):
        return None
    y = [Fraction(0)] * cols
    for k, c in enumerate(pivots):
        y[c] = M[k][cols]
    return y


def _farkas_certified(row: np.ndarray, X: np.ndarray) -> bool:
    """Find y ≥ 0, Σ y = 1, Σ_x y_x f(x)(x, 1) = 0 by LP and check it in exact rationals."""
    N, n = X.shape
    G = (row[:, None] * np.hstack([X, np.ones((N, 1), dtype=np.int64)])).T  # (n+1, N)
    A_eq = np.vstack([G, np.ones((1, N), dtype=np.int64)]).astype(np.float64)
    b_eq = np.zeros(n + 2)
    b_eq[-1] = 1.0
    res = _lp.highs(np.zeros(N), A_eq=A_eq, b_eq=b_eq, lower=0.0)
    if res.status != "optimal":
        return False
    support = [x for x in range(N) if res.x[x] > 1e-9]
    A = [[int(A_eq[r, x]) for x in support] for r in range(n + 2)]
    y = _solve_exact(A, [0] * (n + 1) + [1])
    if y is None or any(v < 0 for v in y):
        return False
    # the exact identity Σ_x y_x f(x)(x, 1) = 0, Σ y = 1, rechecked from the definition
    for r in range(n + 1):
        if sum((yv * int(G[r, x]) for yv, x in zip(y, support)), Fraction(0)) != 0:
            return False
    return sum(y, Fraction(0)) == 1


def _representation(row: np.ndarray, n: int, X: np.ndarray) -> tuple[tuple[int, ...], int] | None:
    if n == 0:
        return (), -int(row[0])
    if not _unate(row, n):
        return None
    N = 1 << n
    m = n + 1  # the unknowns w_0..w_{n-1}, θ; then one bound s_j ≥ |z_j| each
    Z = np.hstack([X, -np.ones((N, 1), dtype=np.int64)])  # z·(x, −1) = w·x − θ
    A_margin = np.hstack([-row[:, None] * Z, np.zeros((N, m))])
    eye = np.eye(m)
    A_abs = np.vstack([np.hstack([eye, -eye]), np.hstack([-eye, -eye])])
    A_ub = np.vstack([A_margin, A_abs])
    b_ub = np.concatenate([-np.ones(N), np.zeros(2 * m)])
    c = np.concatenate([np.zeros(m), np.ones(m)])
    res = _lp.highs(c, A_ub=A_ub, b_ub=b_ub, lower=[None] * m + [0.0] * m)
    if res.status == "optimal":
        rep = _integral(res.x[:m], row, X)
        if rep is not None:
            return rep
        raise BoolsensError(f"threshold_representation: the LP solution at n={n} could not be made into an "
                            "exactly verified integer representation (numerical trouble in the LP)")
    if res.status == "infeasible" and _farkas_certified(row, X):
        return None
    raise BoolsensError(f"threshold_representation: the LP at n={n} ended {res.status} "
                        "and no exact certificate either way")


def _representations(t: Table) -> list:
    """The representation (or None) of every function of a validated ±1 table, cached."""
    n = t.n
    if n > MAX_THRESHOLD_N:
        raise BoolsensError(f"threshold_representation solves an LP with 2**n constraints and is limited to "
                            f"n <= {MAX_THRESHOLD_N}; got n={n}")

    def compute():
        rows = t.pm1_rows()
        X = _points(n)
        return tuple(_representation(row, n, X) for row in rows)

    return t.cached("threshold_representation", compute)


def threshold_representation(f: Any) -> Any:
    r"""Integer weights and threshold of a linear threshold function, or None when f is not one.

    Returns ``(w, theta)``: a tuple of n Python ints and an int with
    :math:`f(x) = \operatorname{sgn}(\sum_i w_i x_i - \theta)` and
    :math:`f(x)(\sum_i w_i x_i - \theta) \ge 1` at every x (no ties; see
    :mod:`boolsens.linear_threshold` for the form, the method and which weights are returned).
    Both answers are exact: the representation is verified on all 2**n points, None comes with
    a proof (non-unateness or a Farkas certificate checked in rationals). A batch gives an object
    array of these. Only ±1 tables, n ≤ 12.

    Cost: one LP with 2**n constraints per function, plus exact checks.

    >>> import boolsens as bs
    >>> threshold_representation(bs.majority(3))
    ((1, 1, 1), 0)
    >>> threshold_representation(bs.conjunction(3))    # −1 (True) only at (−1, −1, −1)
    ((1, 1, 1), -2)
    >>> threshold_representation(bs.parity(2)) is None
    True
    """
    t = as_table(f)
    reps = _representations(t)
    out = np.empty(t.functions, dtype=object)
    for b, rep in enumerate(reps):
        out[b] = rep
    return t.squeeze(out)


def is_threshold(f: Any) -> Any:
    r"""Whether f is a linear threshold function :math:`\operatorname{sgn}(\sum_i w_i x_i - \theta)`
    (see :func:`threshold_representation`, whose exact answer this is; cached with it on a
    BooleanFunction). Only ±1 tables, n ≤ 12.

    Cost: that of :func:`threshold_representation`.

    >>> import boolsens as bs
    >>> is_threshold(bs.majority(5)), is_threshold(bs.threshold([3, 2, 1, 1])), is_threshold(bs.parity(3))
    (True, True, False)
    """
    t = as_table(f)
    reps = _representations(t)
    out = np.array([rep is not None for rep in reps], dtype=bool)
    return t.like_input(t.squeeze(out)) if t.torch else t.squeeze(out)
