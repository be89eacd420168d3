"""Bit tools shared by the kernels: the hardware popcount and the in-word masks.

This is the one popcount of the compiled code; Python-level code uses
:func:`boolsens.cube.popcount` (numpy's ``bitwise_count``).
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.core import types
from numba.extending import intrinsic

__all__ = ["popcount", "count_ones", "LOW_MASKS", "SPREAD"]


@intrinsic
def popcount(typingctx, x):
    """Hardware popcount of a uint64 (LLVM ctpop); call it on ``np.uint64`` values."""
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


#: LOW_MASKS[i] has bit p set (p < 64) exactly when bit i of p is 0, i = 0..5
LOW_MASKS = np.array(
    [sum(1 << p for p in range(64) if not (p >> i) & 1) for i in range(6)], dtype=np.uint64
)

#: SPREAD[b] has byte j equal to bit j of b (turns 8 bit-sliced positions into 8 bytes)
SPREAD = np.array(
    [sum(((b >> j) & 1) << (8 * j) for j in range(8)) for b in range(256)], dtype=np.uint64
)


@nb.njit(cache=True, nogil=True, inline="always")
def count_ones(v):
    """popcount of a non-negative integer of any numba integer type, as an int64."""
    return np.int64(popcount(np.uint64(v)))
