r"""Pointwise and maximum sensitivity of Boolean functions.

**Block sensitivity** ``block_sensitivity``, **certificate complexity**
``certificate_complexity`` and **decision-tree depth** ``decision_tree_depth``, the measures of
the chain :math:`s \le bs \le C \le D`, live in :mod:`boolsens.complexity` (they share its
3**n-subcube algorithms); the average sensitivity (total influence) lives in
:mod:`boolsens.influence`. All are exported as ``bs.<name>``.

Conventions: see :mod:`boolsens`. :math:`s(f,x)=\#\{i : f(x)\neq f(x^{\oplus i})\}` and
:math:`s(f)=\max_x s(f,x)` (the seeds' :math:`S_{\max}`). Boolean only: tables with an entry
other than ±1 raise an error.

Both work on the bit-packed table with bit-sliced counters (see :mod:`boolsens._kernels.bitpacked`):
six uint64 words hold s(f, x) for 64 points at once, exact integers.

One-sided and minimum measures (Buhrman & de Wolf, "Complexity measures and decision tree
complexity: a survey", Theoretical Computer Science 288, 2002): ``sensitivity(f, value=b)`` is
:math:`s_b(f) = \max_{x : f(x) = b} s(f,x)` for b = +1 or −1 (the survey's s₀ and s₁ are
``value=1`` and ``value=-1``, since True = −1); ``block_sensitivity`` and
``certificate_complexity`` take the same keyword. A constant f has no input of the other value,
and the maximum over no inputs is 0 by convention. ``min_sensitivity(f)`` is
:math:`\min_x s(f,x)`.

Cost: O(n 2**n / 64) word operations; 2**n / 8 extra bytes for the packed table;
``pointwise_sensitivity`` returns 2**n bytes, ``sensitivity`` nothing more (with ``value``, and
``min_sensitivity``: the pointwise table, 2**n bytes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast, check_sign
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use

__all__ = ["pointwise_sensitivity", "sensitivity", "min_sensitivity"]


def sensitivity_stats(t: Table) -> tuple[np.ndarray, np.ndarray]:
    """((functions,) max_x s(f, x), (functions,) Σ_x s(f, x)) of a ±1 table, int64, cached on it
    with its packed table (the robustness bound reuses it)."""
    words = t.packed(strict=True)
    return t.cached("sensitivity_stats", lambda: _bitpacked.sensitivity_stats(words, t.n))


def _pointwise_rows(t: Table) -> np.ndarray:
    """(functions, 2**n) uint8 table of s(f, x) of a ±1 table."""
    words = t.packed(strict=True)
    n = t.n
    check_memory_fast(words.shape[0] * max(1 << n, 64), what=f"pointwise sensitivity table for n={n}")
    return _bitpacked.pointwise_sensitivity(words, n).reshape(words.shape[0], 1 << n)


def pointwise_sensitivity(f: Any) -> Any:
    """s(f, x) for every x: shape (..., 2**n), dtype uint8.

    >>> import boolsens as bs
    >>> pointwise_sensitivity(bs.conjunction(2)).tolist()
    [0, 1, 1, 2]
    """
    t = as_table(f)
    return t.like_input(_pointwise_rows(t).reshape(t.batch + (1 << t.n,)))


def one_sided_max(t: Table, pointwise: np.ndarray, value: int) -> Any:
    """max over the x with f(x) = value of a ``(functions, 2**n)`` pointwise measure, 0 where f
    never takes that value, in the input's batch shape (the one-sided measures s_b, bs_b, C_b)."""
    mask = t.pm1_rows() == value
    out = np.where(mask, pointwise, 0).max(axis=1).astype(np.int64)
    return t.like_input(t.squeeze(out))


def sensitivity(f: Any, *, value: Any = None) -> Any:
    r"""Maximum sensitivity s(f) = max_x s(f, x): shape (...,).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array
    value : +1, -1 or None
        With ``value=b`` the one-sided sensitivity :math:`s_b(f) = \max_{x : f(x)=b} s(f,x)`
        (Buhrman–de Wolf's s₀ is ``value=1``, s₁ is ``value=-1``: True = −1), 0 when f never
        takes the value b. Booleans are refused (True would read as 1). s(f) = max(s₊₁, s₋₁).

    See also :func:`boolsens.complexity.block_sensitivity` (bs(f) >= s(f)),
    :func:`min_sensitivity`, and :func:`boolsens.influence.average_sensitivity` (the mean of
    s(f, x) over x).

    >>> import boolsens as bs
    >>> sensitivity(bs.majority(5)), sensitivity(bs.parity(5))
    (3, 5)
    >>> sensitivity(bs.disjunction(4), value=1), sensitivity(bs.disjunction(4), value=-1)
    (4, 1)
    """
    value = check_sign(value, name="value", allow_none=True)
    t = as_table(f)
    if value is not None:
        return one_sided_max(t, _pointwise_rows(t), value)
    mx, _ = sensitivity_stats(t)
    return t.like_input(t.squeeze(mx.copy()))


def min_sensitivity(f: Any) -> Any:
    r"""Minimum sensitivity :math:`\min_x s(f,x)`: shape (...,), int.

    0 for a constant; n for a ±parity; for a non-constant f at most min(s₊₁(f), s₋₁(f)).

    Cost: the pointwise table (O(n 2**n / 64) word operations, 2**n bytes).

    >>> import boolsens as bs
    >>> min_sensitivity(bs.parity(4)), min_sensitivity(bs.majority(5)), min_sensitivity(bs.dictator(3, 0))
    (4, 0, 1)
    """
    t = as_table(f)
    out = _pointwise_rows(t).min(axis=1).astype(np.int64)
    return t.like_input(t.squeeze(out))
