r"""Restrictions and derivatives: functions of fewer variables read off a table.

Conventions: see :mod:`boolsens`. For ``fixed`` = {i: c_i} (J = its coordinates, c_i = ±1) the
restriction :math:`f_{J\to c}` is the function of the remaining variables, renumbered in
increasing order: its coordinate k is the k-th smallest coordinate outside J. The derivative in
direction i (O'Donnell, *Analysis of Boolean Functions*, Def. 2.16) is the function of the other
n − 1 variables (renumbered the same way)

.. math:: D_i f(x) = \frac{f(x^{i\to 1}) - f(x^{i\to -1})}{2}
          = \sum_{S\ni i} \hat f(S)\, \chi_{S\setminus\{i\}}(x),

with values in {−1, 0, 1} for a ±1 function (:math:`\mathrm{Inf}_i(f) = E[D_i f^2]`).

These build new tables, so the module sits with the families (layer 4): ``restrict`` of one ±1
table returns a :class:`boolsens.BooleanFunction`.

Cost: one gather of 2**(n−|J|) entries per function (``restrict``), 2**(n−1) subtractions per
function (``derivative``).
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ._input.table import as_table
from ._input.validation import check_index
from .errors import BoolsensError
from .function import BooleanFunction, adopt_signs

__all__ = ["restrict", "derivative"]


def _check_fixed(fixed: Any, n: int) -> dict[int, int]:
    if not isinstance(fixed, dict):
        raise BoolsensError(f"fixed={fixed!r} must be a dict {{coordinate: +1 or -1}}, "
                            f"got a {type(fixed).__name__}")
    out = {}
    for i, c in fixed.items():
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, numbers.Integral) or not 0 <= int(i) < n:
            raise BoolsensError(f"fixed={fixed!r}: coordinate {i!r} must be an integer in [0, {n}) "
                                f"for a function of n={n} variables")
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Integral) or int(c) not in (1, -1):
            raise BoolsensError(f"fixed={fixed!r}: the value {c!r} of coordinate {i} must be +1 or -1 "
                                "(a bool is refused: True = -1 in boolsens' convention)")
        out[int(i)] = int(c)
    return out


def _free_index(n: int, free: list[int], base: int) -> np.ndarray:
    """(2**len(free),) int64 indices ``base | Σ_k bit_k(y) << free[k]`` for every y."""
    idx = np.full(1, base, dtype=np.int64)
    for j in free:  # y's bit k (in increasing order) lands on coordinate free[k]
        idx = np.concatenate((idx, idx | (1 << j)))
    return idx


def restrict(f: Any, fixed: dict) -> Any:
    r"""The restriction of f with coordinate i fixed to ``fixed[i]`` (±1) for each key i.

    The result is a function of the n − |fixed| remaining coordinates, renumbered in increasing
    order (see :mod:`boolsens.restriction`): :math:`g(y) = f(x)` where :math:`x_i` = ``fixed[i]``
    on the fixed coordinates and the k-th smallest free coordinate of x is :math:`y_k`.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array (±1 or real; leading axes: a batch).
    fixed : dict {coordinate: +1 or -1}; coordinates in [0, n). ``{}`` gives f back.

    Returns
    -------
    A :class:`boolsens.BooleanFunction` when f is one ±1 table (a BooleanFunction or a 1-D ±1
    numpy array); otherwise (a batch, real values, or a torch tensor) an array of shape
    (..., 2**(n − |fixed|)) of the input's dtype and kind (torch in gives torch out).

    Cost: 2**(n−|fixed|) gathered entries and 8·2**(n−|fixed|) bytes of indices.

    >>> import boolsens as bs
    >>> restrict(bs.majority(3), {0: 1}) == bs.conjunction(2)   # MAJ(+1, y0, y1) = AND
    True
    >>> restrict(bs.majority(3), {2: -1}) == bs.disjunction(2)  # MAJ(y0, y1, -1) = OR
    True
    """
    t = as_table(f)
    n = t.n
    fixed = _check_fixed(fixed, n)
    base = sum(1 << i for i, c in fixed.items() if c == -1)  # coordinate -1 is bit 1
    idx = _free_index(n, [j for j in range(n) if j not in fixed], base)
    if t.torch:
        import torch

        out = t.values[..., torch.from_numpy(idx).to(t.values.device)]
    else:
        out = t.values[..., idx]
    if not t.batch and not t.torch and (isinstance(f, BooleanFunction) or t.is_pm1()):
        return adopt_signs(np.ascontiguousarray(out, dtype=np.int8))
    return out


def derivative(f: Any, i: int) -> Any:
    r"""The derivative :math:`D_i f(x) = (f(x^{i\to 1}) - f(x^{i\to -1}))/2` on the other n − 1
    coordinates (renumbered in increasing order): shape (..., 2**(n−1)).

    Coordinate i = +1 is bit i = 0 of the index, so entry y is (f[x with bit i = 0] −
    f[x with bit i = 1]) / 2 where x carries y's bits on the other coordinates.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array (±1 or real; leading axes: a batch; numpy or torch).
    i : coordinate in [0, n).

    Returns
    -------
    For a ±1 table an int8 array with values in {−1, 0, 1} (not a BooleanFunction: it is not
    ±1-valued); for a real-valued table a float64 array. torch in gives torch out.

    Cost: 2**(n−1) subtractions and 2**(n−1) entries per function.

    >>> import boolsens as bs
    >>> derivative(bs.majority(3), 0).tolist()   # +1 exactly where x1 ≠ x2 (x0 is pivotal)
    [0, 1, 1, 0]
    >>> derivative(bs.parity(3), 1).tolist() == bs.parity(2).signs.tolist()
    True
    """
    t = as_table(f)
    n = t.n
    i = check_index(i, n)
    v = t.numpy().reshape(t.batch + (1 << (n - 1 - i), 2, 1 << i))
    lo, hi = v[..., 0, :], v[..., 1, :]
    if t.is_pm1():
        out = ((lo.astype(np.int8) - hi.astype(np.int8)) // 2).astype(np.int8)
    else:
        out = (lo.astype(np.float64) - hi.astype(np.float64)) / 2.0
    return t.like_input(out.reshape(t.batch + (1 << (n - 1),)))
