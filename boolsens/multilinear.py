r"""The multilinear extension of a function on the cube, evaluated at points of [−1, 1]^n.

Conventions: see :mod:`boolsens`. Every f: {±1}^n → ℝ has a unique multilinear extension
(O'Donnell, *Analysis of Boolean Functions*, ch. 1: the Fourier expansion read as a polynomial)

.. math:: \tilde f(z) = \sum_{S\subseteq[n]} \hat f(S) \prod_{i\in S} z_i
          = \sum_{x\in\{\pm1\}^n} f(x) \prod_{i=1}^n \frac{1 + x_i z_i}{2},
          \qquad z \in [-1, 1]^n,

the second form because :math:`\prod_i (1 + x_i z_i)/2` is the multilinear polynomial that is 1
at z = x and 0 at the other points of the cube. For z in [−1, 1]^n it is the expectation
:math:`\tilde f(z) = \mathbf E[f(y)]` over independent :math:`y_i` with
:math:`\mathbf E[y_i] = z_i`, so it agrees with f on the cube, :math:`\tilde f(0) = \hat f(\emptyset)`
and it is affine in each coordinate.

Algorithm: the second form, without enumerating subsets. For each point the weights
:math:`w(z)_x = \prod_i (1 + x_i z_i)/2` are built coordinate by coordinate (2·2**n
multiplications: the vector is doubled once per coordinate, by the pair
((1 + z_i)/2, (1 − z_i)/2)), and a block of points is then one matrix product with the tables:
:math:`\tilde f(z) = \langle f, w(z)\rangle`. Exact points (``Fraction`` s or ints) with an
integer table use integers only: with :math:`z_i = a_i/d` (d the common denominator of the point)
the weights are the integers :math:`\prod_i (d \pm a_i)` and the sum is divided by
:math:`(2d)^n` once.

Cost: 2**n multiplications to build a point's weights and F·2**n multiply-adds per point for F
functions (a BLAS product for floats); memory 8·2**n bytes per point of a block (blocks hold at
most 2**22 weights).
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast, is_torch
from .errors import BoolsensError

__all__ = ["multilinear_extension"]

#: weights (points × 2**n) built at once in one block
_BLOCK = 1 << 22


def _bad(z: Any, message: str) -> BoolsensError:
    shown = " ".join(repr(z).split())  # one line
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return BoolsensError(f"z={shown} {message}")


def _check_shape(z: Any, shape: tuple, n: int) -> None:
    if len(shape) == 0:
        raise _bad(z, f"is a scalar; expected a point of shape ({n},) or points of shape (..., {n})")
    if shape[-1] != n:
        raise _bad(z, f"has shape {tuple(shape)}; its last axis must have length n={n} "
                      f"(one coordinate per variable of f)")


def _check_points(z: Any, n: int) -> tuple[Any, str]:
    """Validate z against n: returns (points, kind) with kind "torch" (a tensor), "exact" (an
    object array of Fractions and ints) or "float" (a float64 array)."""
    if is_torch(z):
        if z.dtype.is_complex or str(z.dtype) == "torch.bool":
            raise _bad(z, f"has dtype {z.dtype}; expected real coordinates in [-1, 1]")
        _check_shape(z, tuple(z.shape), n)
        zf = z.detach() if z.is_floating_point() else z.detach().double()
        import torch

        if not bool(torch.isfinite(zf).all()):
            raise _bad(z, "contains NaN or inf; coordinates must be finite, in [-1, 1]")
        if bool(((zf < -1) | (zf > 1)).any()):
            raise _bad(z, "has a coordinate outside [-1, 1]")
        return zf, "torch"
    if isinstance(z, (numbers.Number, np.generic)):
        _check_shape(z, (), n)
    try:
        arr = np.asarray(z)
    except (ValueError, TypeError):
        raise _bad(z, "must be a rectangular array of real numbers") from None
    if arr.dtype == object:
        flat = arr.ravel()
        for v in flat:
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
                raise _bad(z, f"has the entry {v!r}; expected a rectangular array of real numbers "
                              "(Fractions, ints or floats)")
        _check_shape(z, arr.shape, n)
        if all(isinstance(v, numbers.Rational) for v in flat):
            exact = np.empty(arr.shape, dtype=object)
            exact.ravel()[:] = [Fraction(v) for v in flat] if flat.size else []
            if any(abs(v) > 1 for v in exact.ravel()):
                raise _bad(z, "has a coordinate outside [-1, 1]")
            return exact, "exact"
        arr = arr.astype(np.float64)
    elif arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise _bad(z, f"has dtype {arr.dtype}; expected real coordinates in [-1, 1]")
    _check_shape(z, arr.shape, n)
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise _bad(z, "contains NaN or inf; coordinates must be finite, in [-1, 1]")
    if np.any(np.abs(arr) > 1):
        raise _bad(z, "has a coordinate outside [-1, 1]")
    return arr, "float"


def _weights(plus: Any, minus: Any, lib: Any) -> Any:
    """(M, 2**n) weights Π_i (plus_i if bit i of x is 0 else minus_i) from (M, n) factors."""
    m, n = plus.shape
    if lib is np:
        w = np.ones((m, 1), dtype=plus.dtype)
        if plus.dtype == object:
            w[:] = 1
        for i in range(n):  # bit i of x: 0 (x_i = +1) in the first half, 1 (x_i = -1) in the second
            w = np.concatenate((w * plus[:, i:i + 1], w * minus[:, i:i + 1]), axis=1)
        return w
    w = lib.ones((m, 1), dtype=plus.dtype, device=plus.device)
    for i in range(n):
        w = lib.cat((w * plus[:, i:i + 1], w * minus[:, i:i + 1]), dim=1)
    return w


def _float_values(t: Table) -> np.ndarray:
    return t.rows().astype(np.float64, copy=False)


def _evaluate_float(rows: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """(F, M) values ⟨f, w(z)⟩ of float64 rows (F, 2**n) at float64 points (M, n)."""
    n = pts.shape[1]
    out = np.empty((rows.shape[0], pts.shape[0]), dtype=np.float64)
    step = max(1, _BLOCK >> n)
    check_memory_fast(8.0 * min(step, max(1, pts.shape[0])) * (2 << n), what=f"weights of the points for n={n}")
    for a in range(0, pts.shape[0], step):
        p = pts[a:a + step]
        w = _weights((1.0 + p) / 2.0, (1.0 - p) / 2.0, np)  # (m, 2**n)
        out[:, a:a + step] = rows @ w.T
    return out


def _evaluate_exact(rows: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """(F, M) exact Fractions ⟨f, w(z)⟩ for integer rows (F, 2**n) and Fraction points (M, n)."""
    n = pts.shape[1]
    m = pts.shape[0]
    out = np.empty((rows.shape[0], m), dtype=object)
    ints = rows.astype(object)  # Python ints: nothing overflows
    step = max(1, _BLOCK >> n)
    for a in range(0, m, step):
        block = pts[a:a + step]
        dens = [math.lcm(*(v.denominator for v in row)) if n else 1 for row in block]
        num = np.array([[v.numerator * (d // v.denominator) for v in row] for row, d in zip(block, dens)],
                       dtype=object).reshape(len(block), n)
        d = np.array(dens, dtype=object).reshape(-1, 1)
        w = _weights(d + num, d - num, np)  # (m, 2**n) integers Π (d ± a_i)
        sums = ints.dot(w.T)  # (F, m) integers
        for j, dj in enumerate(dens):
            scale = (2 * dj) ** n
            out[:, a + j] = [Fraction(int(s), scale) for s in sums[:, j]]
    return out


def _evaluate_torch(t: Table, pts: Any) -> Any:
    import torch

    if t.torch:
        device = t.values.device
        vals = t.values
        dtype = vals.dtype if vals.is_floating_point() else torch.float64
    else:
        device = pts.device
        vals = torch.as_tensor(t.numpy())
        dtype = torch.float64
    if pts.is_floating_point() and pts.dtype != dtype:
        dtype = torch.promote_types(dtype, pts.dtype)
    rows = vals.reshape(-1, 1 << t.n).to(device=device, dtype=dtype)
    p = pts.reshape(math.prod(pts.shape[:-1]), t.n).to(device=device, dtype=dtype)
    n = t.n
    step = max(1, _BLOCK >> n)
    parts = []
    for a in range(0, p.shape[0], step):
        q = p[a:a + step]
        w = _weights((1 + q) / 2, (1 - q) / 2, torch)
        parts.append(rows @ w.T)
    out = torch.cat(parts, dim=1) if parts else rows.new_zeros((rows.shape[0], 0))
    return out.reshape(t.batch + tuple(pts.shape[:-1]))


def multilinear_extension(f: Any, z: Any) -> Any:
    r"""The multilinear extension :math:`\tilde f(z) = \sum_S \hat f(S) \prod_{i\in S} z_i` at
    the points z of [−1, 1]^n.

    Equivalently :math:`\tilde f(z) = \sum_x f(x) \prod_i (1 + x_i z_i)/2 = \mathbf E[f(y)]` for
    independent :math:`y_i \in \{\pm1\}` with mean :math:`z_i` (see
    :mod:`boolsens.multilinear`): f̃ = f on the cube, f̃(0) = f̂(∅), and f̃ is affine in each
    coordinate.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) table (±1 or real; leading axes: a batch; numpy or torch).
    z : (n,) point or (..., n) points, every coordinate in [−1, 1]: a numpy array, a nested list,
        a torch tensor, or (for exact values) a list or object array of ``Fraction`` s and ints.

    Returns
    -------
    Shape ``f_batch + z.shape[:-1]``: one function at one point gives a scalar. Exact
    ``Fraction`` s when z holds only ``Fraction`` s and ints (a list or an object array) and the
    table is integer-valued (a ±1 table); floats otherwise (a float64 numpy array, or a torch
    tensor on the input's device when f or z is torch — f's device when both are).

    Cost: 2·2**n multiplications per point for its weights and F·2**n multiply-adds per point for
    F functions (one matrix product per block of points); memory 8·2**n bytes per point of a
    block, at most 2**22 weights at once. Exact points: the same counts in Python integers.

    >>> import boolsens as bs
    >>> from fractions import Fraction
    >>> maj = bs.majority(3)
    >>> multilinear_extension(maj, [0, 0, 0])          # f̂(∅)
    0.0
    >>> multilinear_extension(maj, [1, 1, -1])         # f on the cube
    1.0
    >>> multilinear_extension(maj, [Fraction(1, 2)] * 3)   # (3/2)z − (1/2)z³ at z = 1/2
    Fraction(11, 16)
    >>> multilinear_extension(maj, [[0.5, 0.5, 0.5], [1, 0, 0]]).tolist()
    [0.6875, 0.5]
    """
    t = as_table(f)
    n = t.n
    pts, kind = _check_points(z, n)
    if kind == "torch" or t.torch:
        if kind == "exact":
            raise BoolsensError("exact Fraction points need a numpy table or a BooleanFunction, "
                                "not a torch tensor (pass float points)")
        if kind == "float":
            import torch

            pts = torch.as_tensor(pts)
        return _evaluate_torch(t, pts)
    zbatch = pts.shape[:-1]
    flat = pts.reshape(math.prod(zbatch), n)
    if kind == "exact" and not t.integer and not t.is_pm1():
        flat, kind = flat.astype(np.float64), "float"
    if kind == "exact":
        out = _evaluate_exact(t.rows() if t.integer else t.pm1_rows(), flat)
    else:
        out = _evaluate_float(_float_values(t), flat)
    shape = t.batch + tuple(zbatch)
    if not shape:
        value = out.reshape(-1)[0]
        return value.item() if isinstance(value, np.generic) else value
    return out.reshape(shape)
