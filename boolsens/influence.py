r"""Influences and total influence, computed directly from the table (no transform).

Conventions: see :mod:`boolsens`.

.. math:: \mathrm{Inf}_i(f) = E_x\Big[\Big(\tfrac{f(x)-f(x^{\oplus i})}{2}\Big)^2\Big]
          = \sum_{S\ni i}\hat f(S)^2, \qquad I(f) = \sum_i \mathrm{Inf}_i(f).

For ±1 tables Inf_i = Pr[f(x) ≠ f(x^{⊕i})] is a count of sensitive edges divided by 2**(n-1):
integer arithmetic, so ``exact=True`` gives ``Fraction`` values and the floats are exact (dyadic).
The count is a popcount over the bit-packed table (see :mod:`boolsens._bitpacked`), no transform.
Real-valued tables (network outputs) use the first formula.

Cost: O(n 2**n / 64) word operations; for ±1 tables 2**n / 8 extra bytes (the packed table:
32 MiB at n = 28, 512 MiB at n = 32), checked before allocating.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from . import _bitpacked
from ._tables import reject_exact_torch, squeeze, torch_out
from ._validation import as_table, check_index, is_torch

__all__ = ["influence", "influences", "total_influence", "average_sensitivity"]


def _edge_counts(f: Any, *, strict: bool = False) -> tuple[np.ndarray, int, tuple[int, ...]] | None:
    """Sensitive-edge counts per coordinate for a ±1 input, or None for a real-valued one.

    A BooleanFunction keeps its counts (n int64) in its cache, so influences, total influence and
    average sensitivity of one function cost one count."""
    from .function import BooleanFunction

    if isinstance(f, BooleanFunction):
        def compute():
            w, n, _ = _bitpacked.pack_boolean(f, strict=True)
            counts = _bitpacked.influence_counts(w, n)
            counts.setflags(write=False)
            return counts

        return f._cached("edge_counts", compute), f.n, ()
    packed = _bitpacked.pack_boolean(f, strict=strict)
    if packed is None:
        return None
    w, n, batch = packed
    return _bitpacked.influence_counts(w, n), n, batch


def _real_influences(f: Any):
    arr, n = as_table(f)
    shape = tuple(arr.shape[:-1])
    cols = []
    for i in range(n):
        v = arr.reshape(shape + (1 << (n - 1 - i), 2, 1 << i))
        d = v[..., 0, :] - v[..., 1, :]
        # E_x[((f(x) - f(x^i))/2)^2] = (2 / 2**n) * sum_pairs d^2 / 4
        cols.append((d * d).reshape(shape + (-1,)).sum(-1) / (2.0 * (1 << n)))
    if is_torch(arr):
        import torch

        if not arr.is_floating_point():
            cols = [c.to(torch.float64) for c in cols]
        return torch.stack(cols, dim=-1) if cols else arr.new_zeros(shape + (0,), dtype=torch.float64)
    return np.stack(cols, axis=-1) if cols else np.zeros(shape + (0,))


def influences(f: Any, *, exact: bool = False) -> Any:
    r"""All influences: shape (..., n).

    >>> import boolsens as bs
    >>> influences(bs.majority(3)).tolist()
    [0.5, 0.5, 0.5]
    >>> influences(bs.threshold([2, 1, 1, 1]), exact=True).tolist()
    [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4), Fraction(1, 4)]
    """
    reject_exact_torch(f, exact)
    edges = _edge_counts(f)
    if edges is not None:
        counts, n, batch = edges
        if exact:
            den = 1 << max(n - 1, 0)
            out = np.frompyfunc(lambda c: Fraction(int(c), den), 1, 1)(counts).astype(object)
            return squeeze(out, batch, (n,))
        return squeeze(counts / float(1 << max(n - 1, 0)), batch, (n,))
    if exact:
        from .fourier import fourier_coefficients

        coeffs = fourier_coefficients(f, exact=True)
        n = as_table(f)[1]
        flat = coeffs.reshape(-1, 1 << n)
        out = np.empty((flat.shape[0], n), dtype=object)
        for b in range(flat.shape[0]):
            for i in range(n):
                out[b, i] = sum((c * c for S, c in enumerate(flat[b]) if S >> i & 1), Fraction(0))
        return squeeze(out, coeffs.shape[:-1], (n,))
    return _real_influences(f)


def influence(f: Any, i: int, *, exact: bool = False) -> Any:
    """Influence of coordinate ``i`` (0-based): shape (...,).

    >>> import boolsens as bs
    >>> influence(bs.dictator(3, i=1), 1), influence(bs.dictator(3, i=1), 0)
    (1.0, 0.0)
    """
    from .function import BooleanFunction

    n = f.n if isinstance(f, BooleanFunction) else as_table(f)[1]
    i = check_index(i, n)
    out = influences(f, exact=exact)[..., i]
    if isinstance(out, np.ndarray) and out.ndim == 0:
        return out.item()
    return out


def total_influence(f: Any, *, exact: bool = False) -> Any:
    r"""Total influence :math:`I(f)=\sum_i \mathrm{Inf}_i = \sum_S |S|\hat f(S)^2`: shape (...,).

    >>> import boolsens as bs
    >>> total_influence(bs.majority(5))
    1.875
    """
    reject_exact_torch(f, exact)
    edges = _edge_counts(f)
    if edges is not None:
        counts, n, batch = edges
        tot = counts.sum(axis=-1)
        if exact:
            den = 1 << max(n - 1, 0)
            return squeeze(np.frompyfunc(lambda c: Fraction(int(c), den), 1, 1)(tot).astype(object), batch)
        return squeeze(tot / float(1 << max(n - 1, 0)), batch)
    inf = influences(f, exact=exact)
    if exact:
        return inf.sum(axis=-1) if inf.ndim > 1 else sum(inf.tolist(), Fraction(0))
    return inf.sum(-1)


@torch_out
def average_sensitivity(f: Any, *, exact: bool = False) -> Any:
    r"""Average sensitivity :math:`E_x s(f,x)` of a Boolean function (= I(f)): shape (...,).

    Boolean only: a table with an entry other than ±1 is an error.

    >>> import boolsens as bs
    >>> average_sensitivity(bs.parity(4))
    4.0
    """
    counts, n, batch = _edge_counts(f, strict=True)
    tot = 2 * counts.sum(axis=-1)  # sum_x s(f, x) counts every sensitive edge from both ends
    if exact:
        return squeeze(np.frompyfunc(lambda c: Fraction(int(c), 1 << n), 1, 1)(tot).astype(object), batch)
    return squeeze(tot / float(1 << n), batch)
