r"""Pointwise and maximum sensitivity of Boolean functions.

Conventions: see :mod:`boolsens`. :math:`s(f,x)=\#\{i : f(x)\neq f(x^{\oplus i})\}` and
:math:`s(f)=\max_x s(f,x)` (the seeds' :math:`S_{\max}`). Boolean only: tables with an entry
other than ±1 raise an error.

Cost: O(n 2**n) time; ``pointwise_sensitivity`` returns 2**n bytes, ``sensitivity`` no extra memory.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _kernels
from ._tables import boolean_2d, squeeze

__all__ = ["pointwise_sensitivity", "sensitivity"]


def _stats(f: Any):
    s, n, batch = boolean_2d(f)
    mx, tot = _kernels.sensitivity_stats(s, n)
    return mx, tot, n, batch


def pointwise_sensitivity(f: Any) -> Any:
    """s(f, x) for every x: shape (..., 2**n), dtype uint8.

    >>> import boolsens as bs
    >>> pointwise_sensitivity(bs.conjunction(2)).tolist()
    [0, 1, 1, 2]
    """
    from ._validation import check_memory

    s, n, batch = boolean_2d(f)
    check_memory(s.size, what=f"pointwise sensitivity table for n={n}")
    return _kernels.pointwise_sensitivity(s, n).reshape(batch + (1 << n,))


def sensitivity(f: Any) -> Any:
    """Maximum sensitivity s(f) = max_x s(f, x): shape (...,).

    >>> import boolsens as bs
    >>> sensitivity(bs.majority(5)), sensitivity(bs.parity(5))
    (3, 5)
    """
    mx, _, _, batch = _stats(f)
    return squeeze(mx, batch)
