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

Cost: O(n 2**n / 64) word operations; 2**n / 8 extra bytes for the packed table;
``pointwise_sensitivity`` returns 2**n bytes, ``sensitivity`` nothing more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use

__all__ = ["pointwise_sensitivity", "sensitivity"]


def sensitivity_stats(t: Table) -> tuple[np.ndarray, np.ndarray]:
    """((functions,) max_x s(f, x), (functions,) Σ_x s(f, x)) of a ±1 table, int64, cached on it
    with its packed table (the robustness bound reuses it)."""
    words = t.packed(strict=True)
    return t.cached("sensitivity_stats", lambda: _bitpacked.sensitivity_stats(words, t.n))


def pointwise_sensitivity(f: Any) -> Any:
    """s(f, x) for every x: shape (..., 2**n), dtype uint8.

    >>> import boolsens as bs
    >>> pointwise_sensitivity(bs.conjunction(2)).tolist()
    [0, 1, 1, 2]
    """
    t = as_table(f)
    words = t.packed(strict=True)
    n = t.n
    check_memory_fast(words.shape[0] * max(1 << n, 64), what=f"pointwise sensitivity table for n={n}")
    return t.like_input(_bitpacked.pointwise_sensitivity(words, n).reshape(t.batch + (1 << n,)))


def sensitivity(f: Any) -> Any:
    """Maximum sensitivity s(f) = max_x s(f, x): shape (...,).

    See also :func:`boolsens.complexity.block_sensitivity` (bs(f) >= s(f)), and
    :func:`boolsens.influence.average_sensitivity` (the mean of s(f, x) over x).

    >>> import boolsens as bs
    >>> sensitivity(bs.majority(5)), sensitivity(bs.parity(5))
    (3, 5)
    """
    t = as_table(f)
    mx, _ = sensitivity_stats(t)
    return t.like_input(t.squeeze(mx.copy()))
