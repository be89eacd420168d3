r"""Influences and total influence, computed directly from the table (no transform).

Conventions: see :mod:`boolsens`.

.. math:: \mathrm{Inf}_i(f) = E_x\Big[\Big(\tfrac{f(x)-f(x^{\oplus i})}{2}\Big)^2\Big]
          = \sum_{S\ni i}\hat f(S)^2, \qquad I(f) = \sum_i \mathrm{Inf}_i(f).

For ±1 tables Inf_i = Pr[f(x) ≠ f(x^{⊕i})] is a count of sensitive edges divided by 2**(n-1):
integer arithmetic, so ``exact=True`` gives ``Fraction`` values and the floats are exact (dyadic).
The count is a popcount over the bit-packed table (see :mod:`boolsens._kernels.bitpacked`), no transform.
Real-valued tables (network outputs) use the first formula.

Cost: O(n 2**n / 64) word operations; for ±1 tables 2**n / 8 extra bytes (the packed table:
32 MiB at n = 28, 512 MiB at n = 32), checked before allocating.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_index, check_memory_fast
from .errors import BoolsensError
from .fourier import fourier_coefficients
from .pbiased import p_influences, p_total_influence, resolve_p
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use

__all__ = ["influence", "influences", "total_influence", "normalized_sensitivity", "average_sensitivity"]


def edge_counts(t: Table, *, strict: bool = False) -> np.ndarray | None:
    """(functions, n) int64 sensitive-edge counts per coordinate of a ±1 table, or None for a
    real-valued one (``strict``: the standard error instead). Cached on the table, so influences,
    total influence and average sensitivity of one BooleanFunction cost one count."""
    if "edge_counts" not in t.cache:
        words = t.packed(strict=strict)
        if words is None:
            return None
        t.cached("edge_counts", lambda: _bitpacked.influence_counts(words, t.n))
    return t.cache["edge_counts"]


def _real_influences(t: Table):
    """From the first formula, in float64 (differences and squares of integer or half-precision
    entries would overflow in their own dtype)."""
    n = t.n
    shape = t.batch
    check_memory_fast(16 * t.functions << n, what=f"influences of a real table on n={n} (float64 copies)")
    if t.torch:
        import torch

        arr = t.values.to(torch.float64)
    else:
        arr = t.values.astype(np.float64, copy=False)
    cols = []
    for i in range(n):
        v = arr.reshape(shape + (1 << (n - 1 - i), 2, 1 << i))
        d = v[..., 0, :] - v[..., 1, :]
        # E_x[((f(x) - f(x^i))/2)^2] = (2 / 2**n) * sum_pairs d^2 / 4
        cols.append((d * d).reshape(shape + (-1,)).sum(-1) / (2.0 * (1 << n)))
    if t.torch:
        return torch.stack(cols, dim=-1) if cols else arr.new_zeros(shape + (0,), dtype=torch.float64)
    return np.stack(cols, axis=-1) if cols else np.zeros(shape + (0,))


def _reject_exact_torch(t: Table, exact: bool) -> None:
    if exact and t.torch:
        raise BoolsensError("exact=True needs a numpy table or a BooleanFunction, not a torch tensor")


def _fractions(counts: np.ndarray, den: int) -> np.ndarray:
    return np.frompyfunc(lambda c: Fraction(int(c), den), 1, 1)(counts).astype(object)


def influences(f: Any, *, exact: bool = False, p: Any = None) -> Any:
    r"""All influences: shape (..., n).

    ``p`` (in (0, 1)) gives the p-biased influences
    :math:`\mathrm{Inf}^{(p)}_i(f) = \sum_{S\ni i}\hat f_p(S)^2`, which for a ±1 table is
    :math:`4p(1-p)\Pr_{x\sim\mu_p}[f(x)\neq f(x^{\oplus i})]` (see :mod:`boolsens.pbiased` and
    :func:`boolsens.pivotal_probability`); exact ``Fraction`` s for a ``Fraction`` p. None or ½ is
    the uniform measure, computed as without it.

    >>> import boolsens as bs
    >>> influences(bs.majority(3)).tolist()
    [0.5, 0.5, 0.5]
    >>> influences(bs.threshold([2, 1, 1, 1]), exact=True).tolist()
    [Fraction(3, 4), Fraction(1, 4), Fraction(1, 4), Fraction(1, 4)]
    >>> from fractions import Fraction
    >>> influences(bs.majority(3), p=Fraction(1, 3)).tolist()
    [Fraction(32, 81), Fraction(32, 81), Fraction(32, 81)]
    """
    t = as_table(f)
    p, exact = resolve_p(p, exact, t)
    if p is not None:
        return p_influences(t, p, exact)
    _reject_exact_torch(t, exact)
    n = t.n
    counts = edge_counts(t)
    if counts is not None:
        den = 1 << max(n - 1, 0)
        if exact:
            return t.squeeze(_fractions(counts, den), (n,))
        return t.like_input(t.squeeze(counts / float(den), (n,)))
    if exact:
        coeffs = fourier_coefficients(t, exact=True)
        flat = coeffs.reshape(-1, 1 << n)
        out = np.empty((flat.shape[0], n), dtype=object)
        for b in range(flat.shape[0]):
            for i in range(n):
                out[b, i] = sum((c * c for S, c in enumerate(flat[b]) if S >> i & 1), Fraction(0))
        return t.squeeze(out, (n,))
    return _real_influences(t)


def influence(f: Any, i: int, *, exact: bool = False, p: Any = None) -> Any:
    """Influence of coordinate ``i`` (0-based): shape (...,). ``p``: the p-biased influence, as
    in :func:`influences`.

    >>> import boolsens as bs
    >>> influence(bs.dictator(3, i=1), 1), influence(bs.dictator(3, i=1), 0)
    (1.0, 0.0)
    """
    t = as_table(f)
    i = check_index(i, t.n)
    out = influences(t, exact=exact, p=p)[..., i]
    if isinstance(out, np.ndarray) and out.ndim == 0:
        return out.item()
    return out


def total_influence(f: Any, *, exact: bool = False, p: Any = None) -> Any:
    r"""Total influence :math:`I(f)=\sum_i \mathrm{Inf}_i = \sum_S |S|\hat f(S)^2`: shape (...,).

    ``p`` (in (0, 1)): the p-biased total influence :math:`\sum_i \mathrm{Inf}^{(p)}_i(f)
    = \sum_S |S|\hat f_p(S)^2` (see :func:`influences`).

    >>> import boolsens as bs
    >>> total_influence(bs.majority(5))
    1.875
    >>> total_influence(bs.parity(3), p=0.25)
    2.25
    """
    t = as_table(f)
    p, exact = resolve_p(p, exact, t)
    if p is not None:
        return p_total_influence(t, p, exact)
    _reject_exact_torch(t, exact)
    counts = edge_counts(t)
    if counts is not None:
        tot = counts.sum(axis=-1)
        den = 1 << max(t.n - 1, 0)
        if exact:
            return t.squeeze(_fractions(tot, den))
        return t.like_input(t.squeeze(tot / float(den)))
    inf = influences(t, exact=exact)
    if exact:
        return inf.sum(axis=-1) if inf.ndim > 1 else sum(inf.tolist(), Fraction(0))
    return inf.sum(-1)


def normalized_sensitivity(f: Any, *, exact: bool = False) -> Any:
    r"""Normalized sensitivity I(f)/n, the total influence per coordinate: shape (...,).

    The quantity the literature compares across input lengths (Hahn & Rofin 2024; Vasudeva et
    al. 2025); 0 for a function of n = 0 variables. For a Boolean f it is the probability that
    flipping a uniformly random coordinate of a uniform x changes f(x).

    >>> import boolsens as bs
    >>> normalized_sensitivity(bs.majority(3)), normalized_sensitivity(bs.parity(4))
    (0.5, 1.0)
    """
    t = as_table(f)
    total = total_influence(t, exact=exact)
    n = t.n
    if n == 0:
        return total * 0
    if exact:
        return total / n
    return total / float(n)


def average_sensitivity(f: Any, *, exact: bool = False) -> Any:
    r"""Average sensitivity :math:`E_x s(f,x)` of a Boolean function (= I(f)): shape (...,).

    Boolean only: a table with an entry other than ±1 is an error.

    >>> import boolsens as bs
    >>> average_sensitivity(bs.parity(4))
    4.0
    """
    t = as_table(f)
    counts = edge_counts(t, strict=True)
    tot = 2 * counts.sum(axis=-1)  # sum_x s(f, x) counts every sensitive edge from both ends
    if exact:
        return t.squeeze(_fractions(tot, 1 << t.n))
    return t.like_input(t.squeeze(tot / float(1 << t.n)))
