r"""Cryptographic measures: correlation immunity, resiliency, autocorrelation and the absolute
indicator (the nonlinearity and bentness are in :mod:`boolsens.spectral`).

Conventions: see :mod:`boolsens` and :mod:`boolsens.spectral`. A Boolean function
g: F_2^n → F_2 is our ±1 table f = (−1)^g (True = −1), and its Walsh transform
:math:`W(S) = \sum_x (-1)^{g(x) + S\cdot x} = 2^n \hat f(S)` (Carlet, *Boolean Functions for
Cryptography and Coding Theory*, 2021, §2.2). Every function takes a BooleanFunction or a
(..., 2**n) ±1 table (numpy or torch; torch in, torch out); leading axes are a batch and one
function gives a Python scalar. All arithmetic is exact in integers.

Where Sage's ``sage.crypto.boolean_function.BooleanFunction`` differs (docs/theory.md §2 lists
these): its truth tables are 0/1 (its 1 is our −1); its ``walsh_hadamard_transform()`` fills
the table with 2 g(x) − 1 = −(−1)^{g(x)} and so returns −W(S); its ``correlation_immunity()``
starts from n and returns one less than the least nonzero weight, so both constants get n − 1
there and n here (every coefficient of positive degree vanishes); ``resiliency_order()``, the
autocorrelation and the absolute indicator are the same numbers (Sage's indicator is undefined
at n = 0, ours is 0).

Cost: one exact transform (shared through a BooleanFunction's cache) plus, for the
autocorrelation and the absolute indicator, a second int64 transform of W².
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import as_table
from ._input.validation import check_memory_fast
from .cube import popcounts
from .errors import BoolsensError
from .spectral import _finish, _pm1_walsh
from ._kernels import lazy as _lazy_kernels

_walsh = _lazy_kernels("walsh", globals(), "_walsh")  # numba loads on first use

__all__ = ["correlation_immunity", "resiliency", "autocorrelation", "absolute_indicator"]

#: largest n of the autocorrelation: every partial sum of Σ_S W(S)² χ_S(a) is at most 4**n < 2**63
MAX_AUTOCORRELATION_N = 31


def _correlation_immunity(w: np.ndarray, n: int) -> np.ndarray:
    """(functions,) int64: min{|S| : S ≠ ∅, W(S) ≠ 0} − 1, and n when there is no such S."""
    levels = popcounts(n).astype(np.int64)
    levels[0] = n + 1  # S = ∅ never counts
    masked = np.where(w != 0, levels, n + 1)
    return masked.min(axis=1) - 1


def correlation_immunity(f: Any) -> Any:
    r"""The correlation-immunity order: the largest m such that :math:`\hat f(S) = 0` for every
    :math:`1 \le |S| \le m` (Xiao–Massey's spectral characterisation; Carlet Def. 7.1), i.e.
    f(x) is independent of every m of its inputs when x is uniform.

    Values 0..n. Both constants get n (no coefficient of positive degree is nonzero), and so does
    nothing else; PARITY_n gets n − 1 (its one coefficient sits at |S| = n). Sage's
    ``correlation_immunity()`` agrees except on constants, where it returns n − 1 (see
    :mod:`boolsens.cryptographic`). Only ±1 tables are accepted.

    Cost: one exact integer transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> correlation_immunity(bs.parity(4)), correlation_immunity(bs.majority(3)), correlation_immunity(bs.constant(3, 1))
    (3, 0, 3)
    """
    t = as_table(f)
    w = _pm1_walsh(t)
    return _finish(t, _correlation_immunity(w, t.n))


def resiliency(f: Any) -> Any:
    r"""The resiliency order: the largest m such that f is balanced (:math:`\hat f(\emptyset) = 0`)
    and m-th order correlation immune, i.e. :math:`\hat f(S) = 0` for every :math:`|S| \le m`
    (Carlet Def. 7.1); −1 when f is unbalanced (Sage's ``resiliency_order()`` convention).

    A balanced function is not constant, so the value lies in −1..n − 1; PARITY_n gets n − 1.
    Only ±1 tables are accepted.

    Cost: one exact integer transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> resiliency(bs.parity(4)), resiliency(bs.majority(3)), resiliency(bs.conjunction(3))
    (3, 0, -1)
    """
    t = as_table(f)
    w = _pm1_walsh(t)
    ci = _correlation_immunity(w, t.n)
    return _finish(t, np.where(w[:, 0] == 0, ci, -1).astype(np.int64))


def _autocorrelation_rows(t) -> np.ndarray:
    """(functions, 2**n) int64 r_f(a) of a ±1 table: the transform of W², divided by 2**n."""
    n = t.n
    if n > MAX_AUTOCORRELATION_N:
        raise BoolsensError(f"autocorrelation needs n <= {MAX_AUTOCORRELATION_N} (2**n r_f must fit in int64); "
                            f"got n={n}")
    w = _pm1_walsh(t)
    check_memory_fast(8 * w.shape[0] << n, what=f"autocorrelation of n={n} (batch {w.shape[0]}, int64)")
    sq = np.square(w.astype(np.int64))  # W(S)² ≤ 4**n
    # Σ_S W(S)² χ_S(a) = 2**n r_f(a) (Wiener–Khinchin), in int64 butterflies: every intermediate
    # value is a signed sum of some of the W(S)², so at most Σ_S W(S)² = 4**n (Parseval) ≤ 2**62
    _walsh.fwht_inplace(sq)
    return sq >> n  # exact: every entry is a multiple of 2**n


def autocorrelation(f: Any) -> Any:
    r"""The autocorrelation :math:`r_f(a) = \sum_x f(x) f(x \oplus a)` for every a (a bitmask:
    x ⊕ a flips the coordinates in a), shape (..., 2**n), int64.

    In Carlet's notation :math:`\Delta_g(a) = \sum_x (-1)^{g(x) + g(x+a)}` (the same number, and
    Sage's ``autocorrelation()``). :math:`r_f(0) = 2^n`, and :math:`r_f(a) = \pm 2^n` exactly when
    a is a linear structure. Computed by two transforms, exactly in integers:
    :math:`r_f = H(W^2)/2^n` with :math:`W = Hf` (Wiener–Khinchin). Only ±1 tables are accepted;
    n ≤ 31.

    Cost: two transforms (n 2**n additions each) and 8·2**n bytes per function.

    >>> import boolsens as bs
    >>> autocorrelation(bs.majority(3)).tolist()    # odd: r(111) = -8
    [8, 0, 0, 0, 0, 0, 0, -8]
    >>> autocorrelation(bs.inner_product(1)).tolist()
    [4, 0, 0, 0]
    """
    t = as_table(f)
    r = _autocorrelation_rows(t)
    return t.like_input(r.reshape(t.batch + (1 << t.n,)))


def absolute_indicator(f: Any) -> Any:
    r"""The absolute indicator :math:`\max_{a \neq 0} |r_f(a)|` (Zhang–Zheng's global avalanche
    characteristic; Sage's ``absolute_indicator()``, which also leaves out a = 0). 0 exactly for
    the bent functions, :math:`2^n` for functions with a linear structure (affine ones included).
    0 at n = 0 (no a ≠ 0). Only ±1 tables are accepted; n ≤ 31.

    Cost: that of :func:`autocorrelation`.

    >>> import boolsens as bs
    >>> absolute_indicator(bs.inner_product(2)), absolute_indicator(bs.majority(3)), absolute_indicator(bs.parity(3))
    (0, 8, 8)
    """
    t = as_table(f)
    r = _autocorrelation_rows(t)
    out = np.abs(r[:, 1:]).max(axis=1) if t.n else np.zeros(r.shape[0], dtype=np.int64)
    return _finish(t, out.astype(np.int64))
