"""Points of the cube {±1}^n and their indices, in the order of the conventions (see
:mod:`boolsens`): coordinate ``i`` of the point with index ``x`` is ``(-1)**(bit i of x)``, so
bit 1 ↔ −1 ↔ True.

This module is the one place that converts between indices, bits and ±1 points, and that counts
bits: :func:`popcount` (any integer array) and :func:`popcounts` (the table of |S| for every
bitmask S). The functions take numpy arrays or torch tensors and return the same kind.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.validation import check_int, check_memory, check_n, is_torch
from .errors import BoolsensError

__all__ = [
    "cube_points", "index_to_points", "points_to_index", "index_to_bits", "bits_to_index",
    "popcount", "popcounts",
]


def _shifts(n: int, like: Any) -> Any:
    if is_torch(like):
        import torch

        return torch.arange(n, dtype=torch.int64, device=like.device)
    return np.arange(n, dtype=np.int64)


def index_to_bits(index: Any, n: int) -> Any:
    """(...,) indices -> (..., n) bits (int64, bit i of the index in column i).

    >>> index_to_bits(np.array([5, 2]), 3).tolist()
    [[1, 0, 1], [0, 1, 0]]
    """
    if is_torch(index):
        import torch

        return (index.to(torch.int64)[..., None] >> _shifts(n, index)) & 1
    return (np.asarray(index, dtype=np.int64)[..., None] >> _shifts(n, index)) & 1


def bits_to_index(bits: Any) -> Any:
    """(..., n) bits (0/1) -> (...,) int64 indices; the inverse of :func:`index_to_bits`.

    >>> int(bits_to_index(np.array([1, 0, 1])))
    5
    """
    if is_torch(bits):
        import torch

        return (bits.to(torch.int64) << _shifts(bits.shape[-1], bits)).sum(dim=-1)
    b = np.asarray(bits)
    return b.astype(np.int64) @ (np.int64(1) << _shifts(b.shape[-1], b))


def index_to_points(index: Any, n: int) -> Any:
    """(...,) indices -> (..., n) int8 ±1 points.

    >>> index_to_points(np.array([1]), 2).tolist()
    [[-1, 1]]
    """
    bits = index_to_bits(index, n)
    if is_torch(bits):
        import torch

        return (1 - 2 * bits).to(torch.int8)
    return (1 - 2 * bits).astype(np.int8)


def points_to_index(points: Any, *, check: bool = True) -> Any:
    """(..., n) ±1 points -> (...,) int64 indices (−1 is bit 1); the inverse of
    :func:`index_to_points`. Entries other than ±1 are an error (``check=False`` skips that pass
    for points made by :func:`index_to_points` or a sampler).

    >>> int(points_to_index(np.array([-1, 1, -1])))
    5
    """
    if is_torch(points):
        if check and not bool(((points == 1) | (points == -1)).all()):
            raise BoolsensError("points must hold only +1 and -1 (True = -1)")
        return bits_to_index(points < 0)
    p = np.asarray(points)
    if check and not np.all((p == 1) | (p == -1)):
        raise BoolsensError("points must hold only +1 and -1 (True = -1)")
    return bits_to_index(p < 0)


def cube_points(n: int, start: int = 0, stop: int | None = None) -> np.ndarray:
    """Rows ``start … stop-1`` of the cube as an (N, n) int8 array of ±1.

    >>> cube_points(2)
    array([[ 1,  1],
           [-1,  1],
           [ 1, -1],
           [-1, -1]], dtype=int8)
    """
    n = check_n(n)
    start = check_int(start, name="start")
    stop = (1 << n) if stop is None else check_int(stop, name="stop")
    if not 0 <= start <= stop <= (1 << n):
        raise BoolsensError(f"start={start}, stop={stop} must satisfy 0 <= start <= stop <= 2**{n}")
    check_memory((stop - start) * max(n, 1) * 9, what=f"cube points for n={n}")
    return index_to_points(np.arange(start, stop, dtype=np.int64), n)


def popcount(a: Any) -> Any:
    """Number of set bits of each entry of a non-negative integer array (numpy or torch).

    >>> popcount(np.array([0, 7, 2**40 + 1])).tolist()
    [0, 3, 2]
    """
    if is_torch(a):
        import torch

        x = a.to(torch.int64)
        count = torch.zeros_like(x)
        while bool((x != 0).any()):
            count += x & 1
            x = x >> 1
        return count
    return np.bitwise_count(np.asarray(a))


def popcounts(n: int) -> np.ndarray:
    """(2**n,) uint8 array: popcount of each index (|S| for the bitmask S).

    >>> popcounts(3).tolist()
    [0, 1, 1, 2, 1, 2, 2, 3]
    """
    n = check_n(n)
    pc = np.zeros(1, dtype=np.uint8)
    for _ in range(n):
        pc = np.concatenate((pc, pc + 1))
    return pc
