r"""The algebraic normal form over GF(2) and the GF(2) degree.

Conventions: see :mod:`boolsens`. A ±1 function f is read as the 0/1 indicator of f = −1 (True),
:math:`b(x) = (1 - f(x))/2`, and written uniquely as a polynomial over GF(2) in the bits
:math:`x_i \in \{0, 1\}` of the index (bit i = 1 ↔ coordinate i = −1):

.. math:: b(x) = \bigoplus_{S} a_S \prod_{i\in S} x_i, \qquad
          a_S = \bigoplus_{T \subseteq S} b(T),

S and T bitmasks (the Möbius transform of b). ``deg_2(f)`` is the largest |S| with
:math:`a_S = 1`, 0 for a constant. This is the convention of Sage's
``BooleanFunction.algebraic_normal_form`` and of Carlet's book (True = 1 there too).

Cost: the table is packed into 2**n / 64 uint64 words (one bit per point) and transformed in
place there, n 2**n / 128 word XORs (a compiled kernel, :mod:`boolsens._kernels.moebius`); the
GF(2) degree is read off the packed words, and only :func:`anf` unpacks them, into 2**n bytes per
function. Boolean only: a table with an entry other than ±1 raises an error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use
_moebius = _lazy_kernels("moebius", globals(), "_moebius")

__all__ = ["anf", "gf2_degree"]


def _anf_words(t: Table) -> np.ndarray:
    """(functions, W) uint64: the ANF coefficients of a ±1 table, bit-packed (bit S % 64 of word
    S // 64 is a_S; see :mod:`boolsens._kernels.moebius`), in a fresh array."""
    n = t.n
    words = _bitpacked.words_for(n)
    check_memory_fast(16 * t.functions * words, what=f"ANF of n={n} (batch {t.functions}, packed)")
    a = t.packed(strict=True).copy()  # raises the standard error on a real-valued table; the
    # packed table may be cached (a BooleanFunction's), so the transform runs on a copy
    _moebius.moebius_inplace(a, n)
    return a


def anf(f: Any) -> Any:
    r"""Algebraic normal form of the indicator of f = −1: shape (..., 2**n), uint8 0/1.

    Entry S (a bitmask, the order of :func:`boolsens.fwht`) is the coefficient
    :math:`a_S = \bigoplus_{T\subseteq S} b(T)` of the monomial :math:`\prod_{i\in S} x_i` in
    :math:`b(x) = (1 - f(x))/2` over GF(2) (see :mod:`boolsens.gf2`). Computed by the in-place
    binary Möbius transform on the bit-packed table (see :mod:`boolsens.gf2`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array of ±1 (leading axes: a batch; numpy or torch).
        Real-valued tables raise an error.

    Cost: n 2**n / 128 word XORs on 2**n / 8 bytes, then 2**n bytes per function for the result.

    >>> import boolsens as bs
    >>> anf(bs.conjunction(2)).tolist()     # b = x0 x1
    [0, 0, 0, 1]
    >>> anf(bs.disjunction(2)).tolist()     # b = x0 + x1 + x0 x1
    [0, 1, 1, 1]
    >>> anf(bs.parity(2)).tolist()          # b = x0 + x1
    [0, 1, 1, 0]
    """
    t = as_table(f)
    check_memory_fast(t.functions << t.n, what=f"ANF of n={t.n} (batch {t.functions}, uint8)")
    out = _moebius.coefficient_bytes(_anf_words(t), t.n).reshape(t.batch + (1 << t.n,))
    return t.like_input(out)


def gf2_degree(f: Any) -> Any:
    r"""GF(2) (algebraic) degree :math:`\max\{|S| : a_S = 1\}` of the ANF of f (0 for a
    constant, either one): shape (...,), int.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) array of ±1 (leading axes: a batch). Real-valued tables
        raise an error.

    Cost: the transform of :func:`anf` (n 2**n / 128 word XORs on 2**n / 8 bytes per function)
    and one pass over the packed coefficients; nothing is unpacked.

    >>> import boolsens as bs
    >>> gf2_degree(bs.parity(5)), gf2_degree(bs.conjunction(5)), gf2_degree(bs.majority(3))
    (1, 5, 2)
    """
    t = as_table(f)
    out = _moebius.degree_rows(_anf_words(t))
    return t.like_input(t.squeeze(out))
