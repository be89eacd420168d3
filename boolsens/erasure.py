r"""Erasure noise: moments of the multilinear extension at an erased uniform point.

Conventions: see :mod:`boolsens`. For an erasure rate p ∈ [0, 1] let x be uniform on {±1}^n and
:math:`Z_i = x_i` with probability 1 − p and :math:`Z_i = 0` (erased) with probability p,
independently. The erasure moment of order k is

.. math:: M_k(f, p) = \mathbf E\,|\tilde f(Z)|^k
          = \sum_{z\in\{-1,0,1\}^n} p^{\#0(z)} \Big(\frac{1-p}{2}\Big)^{n-\#0(z)} |\tilde f(z)|^k,

with :math:`\tilde f` the multilinear extension (:func:`boolsens.multilinear_extension`):
:math:`\tilde f(z)` is the average of f over the points that agree with z where z ≠ 0, i.e. the
best guess of f(x) from the unerased coordinates. Since :math:`\mathbf E[Z_S Z_T] = (1-p)^{|S|}`
for S = T and 0 otherwise, the second moment is the noise stability:
:math:`M_2(f, p) = \sum_S (1-p)^{|S|} \hat f(S)^2 = \mathrm{Stab}_{1-p}(f)`. M_1 has no such
closed form; it is computed here from all 3**n states. Every M_k is invariant under permuting
and negating the inputs and under negating f (the law of Z is invariant under the first two,
and :math:`|-\tilde f| = |\tilde f|`).

Algorithm: f̃ on all of {−1, 0, 1}^n by a ternary transform of the table — per coordinate the pair
(f(x_i = +1), f(x_i = −1)) becomes (f₊, (f₊ + f₋)/2, f₋) — an O(3**n) pass (at most 3·3**n
additions). The states are then grouped by their number of zeros j: with the integer sums
:math:`A_j = \sum_{\#0(z) = j} |2^j \tilde f(z)|^k` (exact for an integer table, since
:math:`2^{\#0(z)}\tilde f(z)` is a sum of table entries),
:math:`M_k = \sum_j A_j\, p^j ((1-p)/2)^{n-j} / 2^{jk}`, a polynomial in p.

Cost: 3**n values per function (int64 or float64: 8·3**n bytes, 4.3 MB at n = 12) and about
3·3**n additions; n ≤ 12 exactly (3**12 = 531,441 states), n ≤ 16 in floats.
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import as_table
from ._input.validation import check_memory_fast, check_positive_int
from .errors import BoolsensError

__all__ = ["erasure_moment"]

#: largest n for an exact (Fraction) erasure moment: 3**12 = 531,441 states
MAX_EXACT_ERASURE_N = 12
#: largest n in floating point: 3**16 = 43 million states per function
MAX_ERASURE_N = 16

_INT64_SAFE = 1 << 62


def _check_rate(p: Any) -> Fraction | float:
    """An erasure rate in the closed interval [0, 1]: a Fraction or an int stays exact."""
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise BoolsensError(f"p={p!r} must be a real number in [0, 1] (the erasure rate; a Fraction "
                            "gives an exact result)")
    value = Fraction(p) if isinstance(p, numbers.Rational) else float(p)
    if isinstance(value, float) and not np.isfinite(value):
        raise BoolsensError(f"p={p!r} must be finite, in [0, 1] (the erasure rate)")
    if not 0 <= value <= 1:
        raise BoolsensError(f"p={p!r} must lie in [0, 1] (the erasure rate)")
    return value


def _ternary_values(rows: np.ndarray, n: int, *, scaled: bool) -> np.ndarray:
    """f̃ on {−1, 0, 1}^n for rows (F, 2**n): shape (F, 3**n).

    State index: digit i (weight 3**i) of the index is coordinate i, with digit 0 ↔ +1, 1 ↔ 0 and
    2 ↔ −1. ``scaled`` gives :math:`2^{\\#0(z)}\\tilde f(z)` (the plain sums f₊ + f₋: exact in the
    rows' integer dtype) instead of :math:`\\tilde f(z)`.
    """
    F = rows.shape[0]
    v = rows.reshape(F, 1, 1 << n)
    for k in range(n):  # coordinate n-1-k: the top bit of the remaining 2**(n-k) block
        rest = 1 << (n - k - 1)
        v = v.reshape(F, 3 ** k, 2, rest)
        plus, minus = v[:, :, 0, :], v[:, :, 1, :]
        mid = plus + minus if scaled else (plus + minus) / 2
        v = np.stack((plus, mid, minus), axis=2)
    return v.reshape(F, 3 ** n)


def _zero_counts(n: int) -> np.ndarray:
    """(3**n,) int8: the number of zero coordinates of each state (in :func:`_ternary_values`' order)."""
    z = np.zeros(1, dtype=np.int8)
    for _ in range(n):
        z = (z[:, None] + np.array([0, 1, 0], dtype=np.int8)).reshape(-1)
    return z


def _level_sums(values: np.ndarray, zeros: np.ndarray, n: int, order: int) -> list:
    """(F, n+1) A_j = Σ_{#0(z)=j} |values|^order."""
    powered = np.abs(values) ** order
    return np.stack([powered[:, zeros == j].sum(axis=1) for j in range(n + 1)], axis=1)


def erasure_moment(f: Any, p: Any, *, order: int = 1) -> Any:
    r"""The erasure moment :math:`\mathbf E|\tilde f(Z)|^k` (k = ``order``): x uniform,
    :math:`Z_i = x_i` with probability 1 − p and 0 (erased) with probability p.

    :math:`\mathbf E|\tilde f(Z)|^k = \sum_{z\in\{-1,0,1\}^n} p^{\#0(z)}((1-p)/2)^{n-\#0(z)}
    |\tilde f(z)|^k` with :math:`\tilde f` the multilinear extension (see
    :mod:`boolsens.erasure`). Order 2 equals :math:`\mathrm{Stab}_{1-p}(f) = \sum_S (1-p)^{|S|}
    \hat f(S)^2`; order 1 at p = 0 is E|f| (1 for a ±1 function) and at p = 1 it is
    :math:`|\hat f(\emptyset)|`.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) table (±1 or real; leading axes: a batch; a torch tensor is
        read to the CPU).
    p : erasure rate in [0, 1]: a ``Fraction`` (or the int 0 or 1) gives an exact ``Fraction``
        for an integer-valued (±1) table, n ≤ 12; a float gives a float, n ≤ 16.
    order : positive integer k (the power of |f̃|).

    Returns
    -------
    A scalar for one function, else an array of shape ``f_batch`` (object array of Fractions when
    exact, float64 otherwise).

    Cost: every one of the 3**n states (:math:`\tilde f` at all of them by a ternary transform of
    the table, about 3·3**n additions per function, 8·3**n bytes); then n + 1 weighted sums.
    n = 12: 531,441 states, a few milliseconds per function.

    >>> import boolsens as bs
    >>> from fractions import Fraction
    >>> erasure_moment(bs.majority(3), Fraction(1, 2))
    Fraction(1, 2)
    >>> erasure_moment(bs.majority(3), Fraction(1, 2), order=2) == bs.noise_stability(bs.majority(3), Fraction(1, 2))
    True
    >>> erasure_moment(bs.dictator(4), 0.25)     # |f̃(Z)| = |Z_0|: 1 unless coordinate 0 is erased
    0.75
    """
    p = _check_rate(p)
    order = check_positive_int(order, name="order")
    t = as_table(f)
    n = t.n
    rows = t.rows() if not t.torch else np.ascontiguousarray(t.numpy().reshape(t.functions, 1 << n))
    exact = isinstance(p, Fraction) and (rows.dtype.kind in "iu" or t.is_pm1())
    limit = MAX_EXACT_ERASURE_N if exact else MAX_ERASURE_N
    if n > limit:
        kind = "an exact (Fraction p)" if exact else "a floating-point"
        raise BoolsensError(f"f has n={n} variables; {kind} erasure moment enumerates all 3**n states "
                            f"and is limited to n <= {limit} (3**{limit} = {3 ** limit:,} states)")
    check_memory_fast(3.0 * 8 * t.functions * 3 ** n, what=f"the 3**n states for n={n} (batch {t.functions})")
    zeros = _zero_counts(n)
    if exact:
        ints = rows.astype(np.int64)
        amax = int(np.abs(ints).max()) if ints.size else 0
        if (amax << n) ** order * 3 ** n >= _INT64_SAFE:
            ints = ints.astype(object)  # Python integers: exact at any size
        sums = _level_sums(_ternary_values(ints, n, scaled=True), zeros, n, order)
        q = (1 - p) / 2
        coeff = [p ** j * q ** (n - j) / 2 ** (j * order) for j in range(n + 1)]
        out = np.empty(t.functions, dtype=object)
        out[:] = [sum((int(a) * c for a, c in zip(row, coeff)), Fraction(0)) for row in sums]
    else:
        p = float(p)
        values = _ternary_values(rows.astype(np.float64), n, scaled=False)
        sums = _level_sums(values, zeros, n, order)
        coeff = np.array([p ** j * ((1 - p) / 2) ** (n - j) for j in range(n + 1)])
        out = sums @ coeff
    return t.squeeze(out)
