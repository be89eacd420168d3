r"""Pointwise and maximum sensitivity of Boolean functions.

Conventions: see :mod:`boolsens`. :math:`s(f,x)=\#\{i : f(x)\neq f(x^{\oplus i})\}` and
:math:`s(f)=\max_x s(f,x)` (the seeds' :math:`S_{\max}`). Boolean only: tables with an entry
other than ±1 raise an error.

Both work on the bit-packed table with bit-sliced counters (see :mod:`boolsens._bitpacked`):
six uint64 words hold s(f, x) for 64 points at once, exact integers.

Cost: O(n 2**n / 64) word operations; 2**n / 8 extra bytes for the packed table;
``pointwise_sensitivity`` returns 2**n bytes, ``sensitivity`` nothing more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _bitpacked
from ._tables import squeeze, torch_out

__all__ = ["pointwise_sensitivity", "sensitivity"]


def _stats(f: Any):
    from .function import BooleanFunction

    w, n, batch = _bitpacked.pack_boolean(f, strict=True)
    if isinstance(f, BooleanFunction):  # cached with its packed table (robustness_bound reuses it)
        mx, tot = f._cached("sensitivity_stats", lambda: _bitpacked.sensitivity_stats(w, n))
        return mx.copy(), tot.copy(), n, batch
    mx, tot = _bitpacked.sensitivity_stats(w, n)
    return mx, tot, n, batch


@torch_out
def pointwise_sensitivity(f: Any) -> Any:
    """s(f, x) for every x: shape (..., 2**n), dtype uint8.

    >>> import boolsens as bs
    >>> pointwise_sensitivity(bs.conjunction(2)).tolist()
    [0, 1, 1, 2]
    """
    w, n, batch = _bitpacked.pack_boolean(f, strict=True)
    _bitpacked.check_memory_fast(w.shape[0] * max(1 << n, 64), what=f"pointwise sensitivity table for n={n}")
    return _bitpacked.pointwise_sensitivity(w, n).reshape(batch + (1 << n,))


@torch_out
def sensitivity(f: Any) -> Any:
    """Maximum sensitivity s(f) = max_x s(f, x): shape (...,).

    >>> import boolsens as bs
    >>> sensitivity(bs.majority(5)), sensitivity(bs.parity(5))
    (3, 5)
    """
    mx, _, _, batch = _stats(f)
    return squeeze(mx, batch)
