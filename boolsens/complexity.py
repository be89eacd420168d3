r"""Block sensitivity, certificate complexity and decision-tree depth, computed exactly.

(Sensitivity s(f) itself, the bottom of the chain below, is in :mod:`boolsens.sensitivity`.)

Conventions: see :mod:`boolsens` (bit i of the index is coordinate i, True = −1). Boolean only:
a table with an entry other than ±1 raises :class:`~boolsens.BoolsensError`. Definitions
(``x^{⊕B}`` is x with every coordinate of the block B flipped):

* block sensitivity :math:`bs(f,x)` = the largest number of pairwise disjoint blocks
  :math:`B_1,\dots,B_k \subseteq [n]` with :math:`f(x^{\oplus B_j}) \neq f(x)`;
  :math:`bs(f) = \max_x bs(f,x)`;
* certificate complexity :math:`C(f,x)` = the smallest :math:`|S|` such that f is constant on the
  subcube :math:`\{y : y_S = x_S\}`; :math:`C(f) = \max_x C(f,x)`;
* decision-tree depth :math:`D(f)` = the least depth of a deterministic decision tree computing f
  (0 for a constant).

They satisfy :math:`s \le bs \le C \le D`, :math:`C \le s\,bs` and :math:`D \le C\,bs`.

Algorithms
----------
A *subcube* is a word over {0, 1, *} of length n, stored as the base-3 integer
:math:`\sum_i d_i 3^i` with digit :math:`d_i` = 0 (coordinate i fixed to bit 0), 1 (fixed to
bit 1) or 2 (free); a point x is the subcube whose digits are its bits.

* **D**: one ascending pass over the :math:`3^n` subcubes. A subcube is constant iff its two halves
  along any free coordinate are constant with the same value; otherwise
  :math:`D(c) = \min_{i \text{ free}} 1 + \max(D(c_{i=0}), D(c_{i=1}))`. Time
  :math:`O(n\,3^n)`, memory :math:`3^n` bytes (one int8 per subcube).
* **C**: the constancy of every subcube (:math:`O(n\,3^n)`), then a superset-minimum transform over
  the free digits gives, for every subcube, the least codimension of a constant subcube containing
  it; at the points that is :math:`C(f,x)`. Time :math:`O(n\,3^n)`, memory :math:`3^n` bytes.
* **bs**: the coordinates sensitive at x are blocks of every maximum packing (a minimal sensitive
  block containing a sensitive coordinate i is {i}), so
  :math:`bs(f,x) = s(f,x) + P_x` where :math:`P_x` is the largest packing of minimal sensitive
  blocks inside the r insensitive coordinates R (those blocks have size >= 2). The minimal blocks
  come from a bit-packed subset-OR transform over the :math:`2^r` blocks :math:`B \subseteq R`
  (:math:`O(2^r)` table reads and :math:`O(r\,2^r/64)` word operations per x); :math:`P_x` from a
  depth-first search (the least available coordinate is covered by one of its blocks or left out)
  cut by the bound "available coordinates / smallest block size", stopped at the upper bound
  :math:`\min(C(f,x), s(f,x) + \lfloor r/2 \rfloor)` and memoised on the set of available
  coordinates (at most :math:`2^r` expansions). For ``bs(f)`` the points are visited in
  decreasing order of that upper bound, starting from the lower bound s(f), and the scan stops once
  no remaining bound beats the best value found: bs then costs about one C pass. ``pointwise``
  visits every point: :math:`O(4^n)` table reads in the worst case (r = n everywhere).

Measured on a shared 2-core machine (``bench/bench_complexity.py``): at n = 12 each of bs, C, D
takes about 0.1 s or less; at n = 14 bs and C about 0.2 s, D 0.1–1 s, pointwise bs 0.3–3 s.

The :math:`3^n` table is the memory limit: 4.8 MB at n = 14, 43 MB at n = 16, 387 MB at n = 18.
Memory is checked before allocating and n is capped at :data:`MAX_SUBCUBE_N` = 20.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_flag, check_memory, check_sign, format_bytes
from .errors import BoolsensError
from .progress import progress
from .sensitivity import one_sided_max
from ._kernels import lazy as _lazy_kernels

_subcube = _lazy_kernels("subcube", globals(), "_subcube")  # numba loads on first use

__all__ = ["block_sensitivity", "certificate_complexity", "decision_tree_depth"]

#: Largest n accepted by the exact algorithms (a 3**20 table is 3.5 GB; the time is n·3**n).
MAX_SUBCUBE_N = 20

# Work (in units of 3**n cells) handled by one compiled call on a batch, so small functions are
# processed many at a time and large ones one at a time with a progress bar between them.
_CHUNK_CELLS = 1 << 22

# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------


def _prepare(f: Any, what: str) -> tuple[Table, np.ndarray]:
    t = as_table(f)
    s = t.pm1_rows()
    if t.n > MAX_SUBCUBE_N:
        raise BoolsensError(
            f"{what} is exact over the 3**n subcubes and supports n <= {MAX_SUBCUBE_N}; "
            f"got n={t.n} (use boolsens.estimate for larger n)"
        )
    return t, s


def _chunks(B: int, n: int, desc: str):
    """Ranges [b0, b1) of rows handled by one compiled call, with a progress bar."""
    per = max(1, _CHUNK_CELLS // 3**n)
    starts = range(0, B, per)
    for b0 in progress(starts, total=len(starts), desc=desc):
        yield b0, min(B, b0 + per)


def _big(n: int) -> bool:
    """Large tables are processed one function at a time in steps, with a progress bar."""
    return 3**n > _CHUNK_CELLS


def _check_cells(n: int, what: str) -> None:
    check_memory(3**n + 9 * (1 << n), what=f"{what} on n={n} (a {format_bytes(3**n)} subcube table)")


def _certificates(s: np.ndarray, n: int, desc: str) -> np.ndarray:
    """(B, 2**n) uint8 table of C(f, x)."""
    B = s.shape[0]
    _check_cells(n, "certificate complexity")
    check_memory(B * (1 << n), what=f"the certificate table of {B} functions on n={n}")
    out = np.empty((B, 1 << n), dtype=np.uint8)
    g = np.empty(3**n, dtype=np.int8)
    if _big(n):
        p, tpt = _subcube.powers3(n), _subcube.point_cells(n)
        steps = 2 * n + 3
        for k in progress(range(B * steps), desc=desc):
            b, step = divmod(k, steps)
            _subcube.certificate_step(s[b], n, g, p, tpt, out[b], step)
    else:
        for b0, b1 in _chunks(B, n, desc):
            _subcube.certificate_rows(s, n, out, b0, b1, g)
    return out


def _depths(s: np.ndarray, n: int, desc: str) -> np.ndarray:
    """(B,) int64 decision-tree depths."""
    B = s.shape[0]
    _check_cells(n, "decision_tree_depth")
    out = np.empty(B, dtype=np.int64)
    code = np.empty(3**n, dtype=np.int8)
    if _big(n):
        p = _subcube.powers3(n)
        N3 = 3**n
        slices = 64
        digits = np.zeros(n + 1, dtype=np.int64)
        for k in progress(range(B * slices), desc=desc):
            b, j = divmod(k, slices)
            if j == 0:
                digits[:] = 0
            _subcube.depth_cells(s[b], n, code, p, digits, N3 * j // slices, N3 * (j + 1) // slices)
            if j == slices - 1:
                out[b] = max(0, int(code[N3 - 1]))
    else:
        for b0, b1 in _chunks(B, n, desc):
            _subcube.depth_rows(s, n, out, b0, b1, code)
    return out


def _check_value(value: Any, pointwise: bool) -> int | None:
    """The ``value`` keyword of the one-sided measures: +1, -1 or None, and not with ``pointwise``."""
    value = check_sign(value, name="value", allow_none=True)
    if value is not None and pointwise:
        raise BoolsensError(f"value={value} and pointwise=True exclude each other: the one-sided measure "
                            "is the maximum of the pointwise table over the inputs with f(x) = value")
    return value


def certificate_complexity(f: Any, *, pointwise: bool = False, value: Any = None) -> Any:
    r"""Certificate complexity :math:`C(f) = \max_x C(f,x)`, exactly.

    :math:`C(f,x)` is the least :math:`|S|` such that f is constant on
    :math:`\{y : y_S = x_S\}` (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array
    pointwise : bool
        Return :math:`C(f,x)` for every x, shape (..., 2**n), dtype uint8, instead of the maximum.
    value : +1, -1 or None
        With ``value=b`` the one-sided :math:`C_b(f) = \max_{x : f(x)=b} C(f,x)` (Buhrman–de Wolf's
        C₀ is ``value=1``, C₁ is ``value=-1``: True = −1), 0 when f never takes the value b.
        Not with ``pointwise``.

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: :math:`O(n\,3^n)` time and :math:`3^n` bytes per function (n = 14: 4.8 MB; n <= 20).

    >>> import boolsens as bs
    >>> certificate_complexity(bs.majority(5)), certificate_complexity(bs.address(2))
    (3, 3)
    >>> certificate_complexity(bs.conjunction(2), pointwise=True).tolist()
    [1, 1, 1, 2]
    >>> certificate_complexity(bs.tribes(2, 3), value=1), certificate_complexity(bs.tribes(2, 3), value=-1)
    (3, 2)
    """
    pointwise = check_flag(pointwise, name="pointwise")
    value = _check_value(value, pointwise)
    t, s = _prepare(f, "certificate_complexity")
    cx = _certificates(s, t.n, "certificate complexity")
    if value is not None:
        return one_sided_max(t, cx, value)
    if pointwise:
        return t.like_input(cx.reshape(t.batch + (1 << t.n,)))
    return t.like_input(t.squeeze(cx.max(axis=1).astype(np.int64)))


def decision_tree_depth(f: Any) -> Any:
    r"""Deterministic decision-tree depth :math:`D(f)`, exactly.

    :math:`D(f) = 0` for a constant f, else
    :math:`\min_i 1 + \max(D(f|_{x_i=+1}), D(f|_{x_i=-1}))` (the least depth of a tree querying one
    coordinate per node); computed for every subcube (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: :math:`O(n\,3^n)` time and :math:`3^n` bytes per function (n = 14: 4.8 MB; n <= 20).

    >>> import boolsens as bs
    >>> decision_tree_depth(bs.threshold([2, 1, 1, 1])), decision_tree_depth(bs.tribes(2, 2))
    (4, 4)
    """
    t, s = _prepare(f, "decision_tree_depth")
    return t.like_input(t.squeeze(_depths(s, t.n, "decision-tree depth")))


def block_sensitivity(f: Any, *, pointwise: bool = False, value: Any = None) -> Any:
    r"""Block sensitivity :math:`bs(f) = \max_x bs(f,x)`, exactly.

    :math:`bs(f,x)` is the largest number of pairwise disjoint blocks :math:`B \subseteq [n]` with
    :math:`f(x^{\oplus B}) \neq f(x)` (conventions: see :mod:`boolsens`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array
    pointwise : bool
        Return :math:`bs(f,x)` for every x, shape (..., 2**n), dtype uint8, instead of the maximum.
    value : +1, -1 or None
        With ``value=b`` the one-sided :math:`bs_b(f) = \max_{x : f(x)=b} bs(f,x)` (Buhrman–de
        Wolf's bs₀ is ``value=1``, bs₁ is ``value=-1``: True = −1), 0 when f never takes the
        value b; computed from the pointwise table (the cost of ``pointwise``). Not with
        ``pointwise``.

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Cost: the certificate pass (:math:`O(n\,3^n)` time, :math:`3^n` bytes) bounds
    :math:`bs(f,x) \le C(f,x)`; then a packing search over the insensitive coordinates runs only
    at points whose bound beats the best value so far (every point when ``pointwise``, up to
    :math:`O(4^n)` table reads: n = 16 takes seconds to tens of seconds). See the module docstring.

    >>> import boolsens as bs
    >>> block_sensitivity(bs.majority(5)), block_sensitivity(bs.address(2))
    (3, 3)
    >>> block_sensitivity(bs.threshold([2, 1, 1, 1]), pointwise=True)[:4].tolist()
    [1, 3, 2, 2]
    >>> block_sensitivity(bs.tribes(2, 3), value=1), block_sensitivity(bs.tribes(2, 3), value=-1)
    (3, 2)
    """
    pointwise = check_flag(pointwise, name="pointwise")
    value = _check_value(value, pointwise)
    if value is not None:
        t = as_table(f)
        return one_sided_max(t, np.asarray(block_sensitivity(t, pointwise=True)).reshape(t.functions, -1), value)
    t, s = _prepare(f, "block_sensitivity")
    n = t.n
    cxs = _certificates(s, n, "block sensitivity (certificates)")
    B = s.shape[0]
    check_memory(64 * (1 << n), what=f"block sensitivity scratch on n={n}")
    out = np.empty(B, dtype=np.int64)
    out_x = np.empty((B, 1 << n) if pointwise else (0, 0), dtype=np.uint8)
    for b0, b1 in _chunks(B, n, "block sensitivity"):
        _subcube.block_sensitivity_rows(s, n, cxs, pointwise, out, out_x, b0, b1)
    if pointwise:
        return t.like_input(out_x.reshape(t.batch + (1 << n,)))
    return t.like_input(t.squeeze(out))
