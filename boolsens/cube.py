"""Points of the cube {±1}^n in the index order of the conventions (see :mod:`boolsens`).

Row ``x`` of ``cube_points(n)`` is the point with coordinate ``i`` equal to ``(-1)**(bit i of x)``.
"""

from __future__ import annotations

import numpy as np

from ._errors import BoolsensError
from ._validation import check_memory, check_n

__all__ = ["cube_points", "popcounts"]


def cube_points(n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start … stop-1`` of the cube as an (N, n) int8 array of ±1.

    >>> cube_points(2)
    array([[ 1,  1],
           [-1,  1],
           [ 1, -1],
           [-1, -1]], dtype=int8)
    """
    n = check_n(n)
    stop = (1 << n) if stop is None else stop
    if not 0 <= start <= stop <= (1 << n):
        raise BoolsensError(f"start={start}, stop={stop} must satisfy 0 <= start <= stop <= 2**{n}")
    check_memory((stop - start) * max(n, 1) * 9, what=f"cube points for n={n}")
    idx = np.arange(start, stop, dtype=np.int64)
    bits = (idx[:, None] >> np.arange(n, dtype=np.int64)) & 1
    return (1 - 2 * bits).astype(np.int8)


def popcounts(n: int) -> np.ndarray:
    """(2**n,) uint8 array: popcount of each index (|S| for the bitmask S)."""
    n = check_n(n)
    pc = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        pc = np.concatenate((pc, pc + 1))
    return pc
