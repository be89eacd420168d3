r"""Structural properties: Chow parameters, relevant variables, monotonicity and symmetry (the
linear threshold representation is in :mod:`boolsens.linear_threshold`).

Conventions: see :mod:`boolsens`. The cube is ordered coordinatewise with −1 < +1 as real
numbers (O'Donnell, *Analysis of Boolean Functions*, Def. 2.8); bit 1 of an index is −1, so
setting a bit moves a point *down*. Every function takes a BooleanFunction or a (..., 2**n)
table, ±1 or real-valued (numpy or torch); leading axes are a batch and one function gives a
Python scalar. Every test is exact: entries are compared, never rounded.

Cost: one pass over the table per coordinate (n 2**n comparisons), no allocation beyond
2**n / 2 booleans per function; the Chow parameters read the cached spectrum.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from .cube import popcounts
from .fourier import fourier_coefficients

__all__ = ["chow_parameters", "relevant_variables", "is_monotone", "is_symmetric"]


def _halves(t: Table, i: int) -> tuple[np.ndarray, np.ndarray]:
    """The table rows split along coordinate i: (values with x_i = +1, values with x_i = −1),
    each of shape (functions, 2**(n−1−i), 2**i), paired point by point."""
    rows = t.rows()
    v = rows.reshape(rows.shape[0], 1 << (t.n - 1 - i), 2, 1 << i)
    return v[:, :, 0, :], v[:, :, 1, :]


def chow_parameters(f: Any, *, exact: bool = False) -> Any:
    r"""The Chow parameters :math:`(\hat f(\emptyset), \hat f(\{0\}), \dots, \hat f(\{n-1\}))`:
    shape (..., n + 1), the degree-0 and degree-1 Fourier coefficients in the normalisation of
    :func:`boolsens.fourier_coefficients` (floats, exactly the rationals for ±1 tables;
    ``exact=True`` gives ``fractions.Fraction``). Chow's theorem: a linear threshold function is
    determined among all ±1 functions by these n + 1 numbers. Multiply by 2**n for the integer
    Walsh values W(∅), W({i}) that Carlet and Sage use.

    Cost: that of the spectrum (one transform, cached on a BooleanFunction).

    >>> import boolsens as bs
    >>> chow_parameters(bs.majority(3)).tolist()
    [0.0, 0.5, 0.5, 0.5]
    >>> [str(c) for c in chow_parameters(bs.conjunction(2), exact=True)]
    ['1/2', '1/2', '1/2']
    """
    t = as_table(f)
    c = fourier_coefficients(t, exact=exact)
    idx = [0] + [1 << i for i in range(t.n)]
    return c[..., idx]


def _relevant_mask(t: Table) -> np.ndarray:
    """(functions, n) bool: f(x) ≠ f(x with x_i flipped) for some x."""
    out = np.zeros((t.functions, t.n), dtype=bool)
    for i in range(t.n):
        up, down = _halves(t, i)
        out[:, i] = np.any(up != down, axis=(1, 2))
    return out


def relevant_variables(f: Any) -> Any:
    r"""The coordinates f depends on: the i (0-based, increasing) with :math:`f(x) \neq
    f(x^{\oplus i})` for some x, i.e. :math:`\mathrm{Inf}_i(f) > 0` (for real-valued tables as
    well: Inf_i = E[(D_i f)²]). One function gives a tuple of ints; a batch an object array of
    tuples in the batch's shape.

    Cost: n 2**n / 2 exact comparisons.

    >>> import boolsens as bs
    >>> relevant_variables(bs.dictator(4, 2)), relevant_variables(bs.majority(3)), relevant_variables(bs.constant(2))
    ((2,), (0, 1, 2), ())
    """
    t = as_table(f)
    mask = _relevant_mask(t)
    out = np.empty(t.functions, dtype=object)
    for b, row in enumerate(mask):
        out[b] = tuple(int(i) for i in np.flatnonzero(row))
    return t.squeeze(out)


def is_monotone(f: Any) -> Any:
    r"""Whether :math:`x \le y` coordinatewise (with −1 < 1) implies :math:`f(x) \le f(y)`
    (O'Donnell Def. 2.8), tested on the n 2**n / 2 edges, which generate the order.

    The order is the one of the real numbers on both sides, so with True = −1 a monotone f is
    exactly a monotone function of the bits in the usual 0 < 1 sense (both maps reverse the
    order): AND, OR, majority, tribes and every threshold function with nonnegative weights are
    monotone; their Chow parameters :math:`\hat f(\{i\}) = \mathrm{Inf}_i(f) \ge 0`. Real-valued
    tables are compared as they are.

    Cost: n 2**n / 2 exact comparisons.

    >>> import boolsens as bs
    >>> is_monotone(bs.majority(5)), is_monotone(bs.conjunction(3)), is_monotone(bs.parity(2)), is_monotone(-bs.dictator(2))
    (True, True, False, False)
    """
    t = as_table(f)
    out = np.ones(t.functions, dtype=bool)
    for i in range(t.n):
        up, down = _halves(t, i)  # x_i = +1 is above x_i = −1
        out &= np.all(down <= up, axis=(1, 2))
    return t.like_input(t.squeeze(out)) if t.torch else t.squeeze(out)


def is_symmetric(f: Any) -> Any:
    r"""Whether f is invariant under every permutation of its inputs, i.e. depends only on the
    Hamming weight of x (the number of −1 coordinates): f(x) = f(1^{|x|} 0^{n−|x|}), compared with
    the first index of each weight, :math:`2^k - 1` (Sage's ``is_symmetric()`` does the same).

    Cost: one pass over the table and 2**n bytes for the weights.

    >>> import boolsens as bs
    >>> is_symmetric(bs.majority(5)), is_symmetric(bs.parity(4)), is_symmetric(bs.dictator(3))
    (True, True, False)
    """
    t = as_table(f)
    rows = t.rows()
    first = (1 << popcounts(t.n).astype(np.int64)) - 1  # the least index of each x's weight
    out = np.all(rows == rows[:, first], axis=1)
    return t.like_input(t.squeeze(out)) if t.torch else t.squeeze(out)
