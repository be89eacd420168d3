r"""The algebraic normal form over GF(2) and the GF(2) degree.

Conventions: see :mod:`boolsens`. A ±1 function f is read as the 0/1 indicator of f = −1 (True),
:math:`b(x) = (1 - f(x))/2`, and written uniquely as a polynomial over GF(2) in the bits
:math:`x_i \in \{0, 1\}` of the index (bit i = 1 ↔ coordinate i = −1):

.. math:: b(x) = \bigoplus_{S} a_S \prod_{i\in S} x_i, \qquad
          a_S = \bigoplus_{T \subseteq S} b(T),

S and T bitmasks (the Möbius transform of b). ``deg_2(f)`` is the largest |S| with
:math:`a_S = 1`, 0 for a constant. This is the convention of Sage's
``BooleanFunction.algebraic_normal_form`` and of Carlet's book (True = 1 there too).

Cost: n 2**n / 2 byte XORs (numpy, one vectorised XOR per coordinate) and 2**n bytes per function
for the coefficients. Boolean only: a table with an entry other than ±1 raises an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast
from .cube import popcounts

__all__ = ["anf", "gf2_degree"]


def _anf_rows(t: Table) -> np.ndarray:
    """(functions, 2**n) uint8 ANF coefficients of a ±1 table (a fresh array)."""
    n = t.n
    check_memory_fast(2 * t.functions << n, what=f"ANF of n={n} (batch {t.functions}, uint8)")
    rows = t.pm1_rows()  # raises the standard error on a real-valued table
    a = (rows < 0).view(np.uint8)  # b(x) = (1 - f(x)) / 2: a fresh array, 1 where f = -1
    for i in range(n):
        v = a.reshape(a.shape[0], 1 << (n - 1 - i), 2, 1 << i)
        v[:, :, 1, :] ^= v[:, :, 0, :]  # a[S ∪ {i}] ^= a[S] for every S without i
    return a


def anf(f: Any) -> Any:
    r"""Algebraic normal form of the indicator of f = −1: shape (..., 2**n), uint8 0/1.

    Entry S (a bitmask, the order of :func:`boolsens.fwht`) is the coefficient
    :math:`a_S = \bigoplus_{T\subseteq S} b(T)` of the monomial :math:`\prod_{i\in S} x_i` in
    :math:`b(x) = (1 - f(x))/2` over GF(2) (see :mod:`boolsens.gf2`). Computed by the in-place
    binary Möbius transform, one vectorised XOR stage per coordinate.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array of ±1 (leading axes: a batch; numpy or torch).
        Real-valued tables raise an error.

    Cost: n 2**n / 2 byte XORs and 2**n bytes per function.

    >>> import boolsens as bs
    >>> anf(bs.conjunction(2)).tolist()     # b = x0 x1
    [0, 0, 0, 1]
    >>> anf(bs.disjunction(2)).tolist()     # b = x0 + x1 + x0 x1
    [0, 1, 1, 1]
    >>> anf(bs.parity(2)).tolist()          # b = x0 + x1
    [0, 1, 1, 0]
    """
    t = as_table(f)
    out = _anf_rows(t).reshape(t.batch + (1 << t.n,))
    return t.like_input(out)


def gf2_degree(f: Any) -> Any:
    r"""GF(2) (algebraic) degree :math:`\max\{|S| : a_S = 1\}` of the ANF of f (0 for a
    constant, either one): shape (...,), int.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array of ±1 (leading axes: a batch). Real-valued tables
        raise an error.

    Cost: that of :func:`anf`, plus one pass over the coefficients and 2**n bytes for the
    popcounts.

    >>> import boolsens as bs
    >>> gf2_degree(bs.parity(5)), gf2_degree(bs.conjunction(5)), gf2_degree(bs.majority(3))
    (1, 5, 2)
    """
    t = as_table(f)
    a = _anf_rows(t)
    levels = popcounts(t.n)
    out = np.where(a.astype(bool), levels, np.uint8(0)).max(axis=-1).astype(np.int64)
    return t.like_input(t.squeeze(out))
