r"""Fractional block sensitivity (equivalently, fractional certificate complexity), exactly.

Conventions: see :mod:`boolsens`. A block :math:`B \subseteq [n]` is *sensitive* at x when
:math:`f(x^{\oplus B}) \neq f(x)`, and *minimal* when no proper subset of it is sensitive at x.
The fractional block sensitivity at x is the linear program

.. math:: fbs(f,x) = \max \sum_B w_B \quad\text{s.t.}\quad w_B \ge 0,\quad
          \sum_{B \ni i} w_B \le 1\ \ (i \in [n]),

over the minimal sensitive blocks B of x (a sensitive block contains a minimal one, and moving its
weight there keeps every constraint), and :math:`fbs(f) = \max_x fbs(f,x)`. Its LP dual is the
fractional certificate complexity
:math:`FC(f,x) = \min \sum_i v_i` s.t. :math:`v \ge 0`, :math:`\sum_{i\in B} v_i \ge 1` for every
sensitive B (a fractional hitting set of the sensitive blocks), so :math:`fbs(f,x) = FC(f,x)` by
LP duality (Tal, "Properties and applications of Boolean function composition", ITCS 2013;
Gilmer, Saks and Srinivasan, "Composition limits and separating examples for some Boolean
function complexity measures", Combinatorica 2016). Integer solutions give
:math:`bs(f,x) \le fbs(f,x) \le C(f,x)`.

Exactness: each LP is solved by HiGHS and its rational optimum recovered from the basis and
checked exactly (primal and dual feasibility, equal objectives; :mod:`boolsens._lp`), with a
rational simplex as the fallback. Values are ``fractions.Fraction`` always (also when integral).

Cost: per point, a subset-OR pass over the :math:`2^n` blocks (n 2**n operations) and one LP with
n rows and at most :math:`\binom{n}{\lfloor n/2\rfloor}` columns (Sperner). For fbs(f) only the
points with :math:`C(f,x)` above the best value so far are solved (starting from bs(f)), so
functions with fbs = C cost about one certificate pass. n is capped at :data:`MAX_FBS_N` = 12.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from . import _lp
from ._input.table import as_table
from ._input.validation import check_flag
from .complexity import block_sensitivity, certificate_complexity
from .errors import BoolsensError

__all__ = ["fractional_block_sensitivity", "minimal_sensitive_blocks"]

#: Largest n accepted by :func:`fractional_block_sensitivity` (up to 2**n LPs of n rows).
MAX_FBS_N = 12


def minimal_sensitive_blocks(row: np.ndarray, x: int) -> np.ndarray:
    """The minimal sensitive blocks of x for a ±1 table ``row``, as sorted bitmasks (int64)."""
    N = row.shape[0]
    n = N.bit_length() - 1
    idx = np.arange(N, dtype=np.int64)
    sens = row[idx ^ x] != row[x]  # sens[B]: flipping B changes f
    below = sens.copy()  # below[B]: some subset of B (B included) is sensitive
    for i in range(n):
        v = below.reshape(-1, 2, 1 << i)
        v[:, 1, :] |= v[:, 0, :]
    strict = np.zeros(N, dtype=bool)  # some proper subset of B is sensitive
    for i in range(n):
        has = (idx >> i) & 1 == 1
        strict[has] |= below[idx[has] ^ (1 << i)]
    return idx[sens & ~strict]


def _block_matrix(blocks: np.ndarray, n: int) -> np.ndarray:
    """(n, blocks) 0/1 incidence matrix: entry (i, B) is 1 when i ∈ B."""
    return ((blocks[None, :] >> np.arange(n, dtype=np.int64)[:, None]) & 1).astype(np.int64)


def fbs_at(row: np.ndarray, x: int) -> Fraction:
    """fbs(f, x) for a ±1 table ``row``, exactly."""
    n = row.shape[0].bit_length() - 1
    blocks = minimal_sensitive_blocks(row, x)
    if blocks.size == 0:
        return Fraction(0)
    A = _block_matrix(blocks, n)
    c = np.ones(blocks.size, dtype=np.int64)
    b = np.ones(n, dtype=np.int64)
    _, w, y = _lp.solve_float(c, A, b)
    got = _lp.exact_optimum(c, A, b, None, w, y)
    return got[0] if got is not None else _lp.exact_simplex(c, A, b)


def fractional_block_sensitivity(f: Any, *, pointwise: bool = False) -> Any:
    r"""Fractional block sensitivity :math:`fbs(f) = \max_x fbs(f,x)`, an exact ``Fraction``.

    :math:`fbs(f,x)` is the largest total weight :math:`\sum_B w_B` on the sensitive blocks B of x
    with :math:`w \ge 0` and :math:`\sum_{B\ni i} w_B \le 1` for every coordinate i; it equals the
    fractional certificate complexity FC(f, x) by LP duality, and
    :math:`s \le bs \le fbs \le C` (definitions, sources and the method: :mod:`boolsens.fractional`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array, n <= 12
    pointwise : bool
        Return :math:`fbs(f,x)` for every x, shape (..., 2**n), an object array of Fractions.

    Returns
    -------
    Fraction for one function; an object array of Fractions of the batch shape for a batch.

    Cost: per point, n 2**n operations for the minimal blocks and one LP (n rows, at most
    C(n, n/2) columns) solved by HiGHS and checked in Fractions; fbs(f) solves only the points
    whose C(f, x) exceeds the best value so far. ``pointwise`` solves every point (2**n LPs:
    about a second at n = 8 and tens of seconds at n = 12 on a shared 2-core machine).

    >>> import boolsens as bs
    >>> fractional_block_sensitivity(bs.majority(3)), fractional_block_sensitivity(bs.tribes(2, 2))
    (Fraction(2, 1), Fraction(2, 1))
    >>> f = bs.BooleanFunction.from_signs([1, 1, 1, -1, 1, -1, -1, 1])   # -1 at weight 2
    >>> fractional_block_sensitivity(f, pointwise=True)[0]   # blocks {0,1}, {0,2}, {1,2} at x = 0
    Fraction(3, 2)
    >>> bs.block_sensitivity(f, pointwise=True)[0], bs.certificate_complexity(f, pointwise=True)[0]
    (np.uint8(1), np.uint8(2))
    """
    pointwise = check_flag(pointwise, name="pointwise")
    t = as_table(f)
    n = t.n
    if n > MAX_FBS_N:
        raise BoolsensError(f"fractional_block_sensitivity solves up to 2**n linear programs and supports "
                            f"n <= {MAX_FBS_N}; got n={n}")
    rows = t.pm1_rows()
    N = 1 << n
    if pointwise:
        out = np.empty((rows.shape[0], N), dtype=object)
        for r, row in enumerate(rows):
            out[r] = [fbs_at(row, x) for x in range(N)]
        return out.reshape(t.batch + (N,))
    cert = np.asarray(certificate_complexity(rows, pointwise=True)).reshape(-1, N)
    lower = np.asarray(block_sensitivity(rows)).reshape(-1)
    out = np.empty(rows.shape[0], dtype=object)
    for r, row in enumerate(rows):
        best = Fraction(int(lower[r]))
        for x in np.argsort(-cert[r], kind="stable"):
            if cert[r, x] <= best:  # fbs(f, x) <= C(f, x): no later point can beat best
                break
            best = max(best, fbs_at(row, int(x)))
        out[r] = best
    return t.squeeze(out)
