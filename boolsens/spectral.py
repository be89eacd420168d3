r"""Spectral and cryptographic measures: spectral norm, Fourier sparsity, Fourier entropy,
nonlinearity and bentness.

Conventions: see :mod:`boolsens`. :math:`\hat f(S) = 2^{-n}\sum_x f(x)\chi_S(x)` and the Walsh
spectrum :math:`W(S) = 2^n\hat f(S)` (``walsh_spectrum``), computed exactly in integers for ±1
and integer tables. Every function takes a BooleanFunction or a (..., 2**n) table (numpy or
torch; torch in gives torch out); leading axes are a batch, and one function gives a Python
scalar.

Cryptographic conventions (Carlet, *Boolean Functions for Cryptography and Coding Theory*, and
Sage's ``sage.crypto.boolean_function``): a Boolean function g: F_2^n → F_2 is our ±1 table
f = (−1)^g (True = −1), its Walsh transform :math:`\sum_x (-1)^{g(x)+S\cdot x}` is our W(S), and
the nonlinearity is the Hamming distance from g to the nearest affine function
:math:`x \mapsto a\cdot x + c`, i.e. :math:`2^{n-1} - \max_S |W(S)|/2`. Sage's
``nonlinearity()`` and ``is_bent()`` are the same numbers.

Cost: one transform (n 2**n additions, 8·2**n bytes per function, shared with every other
spectral measure of a BooleanFunction through its cache) and one pass over the spectrum.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from .errors import BoolsensError
from .fourier import MAX_EXACT_REAL_N, fourier_coefficients, spectrum
from ._kernels import lazy as _lazy_kernels

_walsh = _lazy_kernels("walsh", globals(), "_walsh")  # numba loads on first use

__all__ = ["spectral_norm", "fourier_sparsity", "fourier_entropy", "nonlinearity", "is_bent"]

_INT64_MAX = int(np.iinfo(np.int64).max)


def _numpy_table(t: Table) -> Table:
    """The table on the CPU as numpy (a torch tensor is copied; its results go back with
    ``like_input``)."""
    if not t.torch:
        return t
    return Table(t.numpy(), t.n, name=t.name, pm1=True if t.pm1_known else None)


def _integer_walsh(t: Table) -> np.ndarray | None:
    """The exact integer Walsh spectrum W(S) = 2**n f̂(S) of a ±1 or integer table, shape
    ``(functions, 2**n)`` (int64, or Python integers in an object array where int64 is too
    narrow); None for a table with a non-integer entry."""
    n = t.n
    if t.torch and t.integer:
        w, _ = spectrum(t)
        return w.detach().cpu().numpy().reshape(-1, 1 << n)
    nt = _numpy_table(t)
    if not nt.integer and nt.is_pm1():  # a float ±1 table: transform its int8 copy, exactly
        rows = nt.pm1_rows()
        w = t.cached("walsh_pm1_int", lambda: spectrum(Table(rows, n, name=t.name, pm1=True))[0])
        return np.asarray(w).reshape(-1, 1 << n)
    w, is_int = spectrum(nt)
    return np.asarray(w).reshape(-1, 1 << n) if is_int else None


def _pm1_walsh(t: Table) -> np.ndarray:
    """The exact Walsh spectrum of a ±1 table (the standard error for any other entry)."""
    _numpy_table(t).require_pm1()
    return _integer_walsh(t)


def _finish(t: Table, out: np.ndarray) -> Any:
    """A ``(functions,)`` result in the input's batch shape (torch in, torch out)."""
    return t.like_input(t.squeeze(out)) if t.torch else t.squeeze(out)


def spectral_norm(f: Any, *, exact: bool = False) -> Any:
    r"""The spectral norm (Fourier ℓ1 norm) :math:`\|\hat f\|_1 = \sum_S |\hat f(S)|`.

    At least 1 for a ±1 function (Parseval), with equality exactly for ±characters. For ±1 and
    integer tables it is the exact integer :math:`\sum_S |W(S)|` over :math:`2^n`: the float is
    that rational rounded once, and ``exact=True`` returns it as a ``fractions.Fraction``
    (for real-valued numpy tables ``exact=True`` sums the exact rational coefficients, n ≤ 16).

    Cost: one transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> spectral_norm(bs.majority(3)), spectral_norm(bs.majority(3), exact=True)
    (2.0, Fraction(2, 1))
    >>> spectral_norm(bs.parity(5), exact=True)
    Fraction(1, 1)
    """
    t = as_table(f)
    if exact and t.torch:
        raise BoolsensError("exact=True needs a numpy table or a BooleanFunction, not a torch tensor")
    n = t.n
    den = 1 << n
    w = _integer_walsh(t)
    if w is None:  # real-valued table
        if exact:
            coeffs = fourier_coefficients(_numpy_table(t), exact=True).reshape(-1, den)
            out = np.empty(coeffs.shape[0], dtype=object)
            for b, row in enumerate(coeffs):
                out[b] = sum((abs(c) for c in row), Fraction(0))
            return t.squeeze(out)
        ws, _ = spectrum(_numpy_table(t))
        return _finish(t, np.abs(np.asarray(ws, dtype=np.float64)).reshape(-1, den).sum(axis=1) / float(den))
    # Cauchy–Schwarz and Parseval: sum |W| <= 2**(3n/2) max|f|, so int64 holds it below that
    if w.dtype != object and (int(t.amax()) << math.ceil(1.5 * n)) <= _INT64_MAX:
        sums = np.abs(w).sum(axis=1)
    else:
        sums = np.array([sum(abs(int(v)) for v in row) for row in w], dtype=object)
    if exact:
        out = np.array([Fraction(int(s), den) for s in sums], dtype=object)
        return t.squeeze(out)
    out = np.array([float(Fraction(int(s), den)) for s in sums]) if sums.dtype == object else sums / float(den)
    return _finish(t, out)


def fourier_sparsity(f: Any) -> Any:
    r"""The Fourier sparsity :math:`|\{S : \hat f(S) \neq 0\}|`, exactly (no tolerance).

    ±1 and integer tables are counted on their exact integer spectrum at any n; a real-valued
    table on its exact rational spectrum (the float entries taken as the rationals they are), which
    is pure-Python arithmetic and limited to n ≤ 16. Its base-2 logarithm bounds the degree over
    GF(2) and the parity decision-tree depth from below.

    Cost: one transform and one pass over the spectrum (rational arithmetic for real tables).

    >>> import boolsens as bs
    >>> fourier_sparsity(bs.majority(3)), fourier_sparsity(bs.parity(4)), fourier_sparsity(bs.inner_product(2))
    (4, 1, 16)
    """
    t = as_table(f)
    n = t.n
    w = _integer_walsh(t)
    if w is None:
        if n > MAX_EXACT_REAL_N:
            raise BoolsensError(
                f"fourier_sparsity of a real-valued table counts its exact rational spectrum, which is "
                f"limited to n <= {MAX_EXACT_REAL_N}; got n={n} (±1 and integer tables are exact at any n)"
            )
        coeffs = fourier_coefficients(_numpy_table(t), exact=True).reshape(-1, 1 << n)
        counts = np.array([sum(1 for c in row if c != 0) for row in coeffs], dtype=np.int64)
    else:
        counts = np.count_nonzero(w != 0, axis=1).astype(np.int64)
    return _finish(t, counts)


def fourier_entropy(f: Any) -> Any:
    r"""The Fourier (spectral) entropy
    :math:`H(\hat f^2) = \sum_{S:\hat f(S)\neq 0} \hat f(S)^2 \log_2 \frac{1}{\hat f(S)^2}`, in bits.

    For a ±1 function the weights :math:`\hat f(S)^2` sum to 1 (Parseval), so this is the Shannon
    entropy of the spectral distribution, between 0 (a ±character) and n (a bent function); the
    Fourier entropy–influence conjecture bounds it by a constant times the total influence. For ±1
    and integer tables the nonzero coefficients are found exactly and each term is
    :math:`(W^2/4^n)(2n - \log_2 W^2)` in float64; for real tables every coefficient that is not
    exactly 0 counts (a rounding residue of size ε adds about ε² log₂(1/ε²)).

    Cost: one transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> fourier_entropy(bs.majority(3)), fourier_entropy(bs.parity(3)), fourier_entropy(bs.inner_product(2))
    (2.0, 0.0, 4.0)
    """
    t = as_table(f)
    n = t.n
    w = _integer_walsh(t)
    if w is None:
        ws, _ = spectrum(_numpy_table(t))
        c = np.asarray(ws, dtype=np.float64).reshape(-1, 1 << n) / float(1 << n)
        sq = c * c
        with np.errstate(divide="ignore"):
            terms = np.where(sq > 0, -sq * np.log2(np.where(sq > 0, sq, 1.0)), 0.0)
    else:
        a = np.abs(w).astype(np.float64)  # exact up to 2**53; |W| is integral, its log2 exact for powers of 2
        nz = a > 0
        logs = np.log2(np.where(nz, a, 1.0))
        terms = np.where(nz, (a / float(1 << n)) ** 2 * (2.0 * n - 2.0 * logs), 0.0)
    out = terms.sum(axis=1)
    return _finish(t, out)


def nonlinearity(f: Any) -> Any:
    r"""The nonlinearity :math:`\mathrm{NL}(f) = 2^{n-1} - \tfrac12\max_S |W(S)|` of a ±1 function:
    the Hamming distance to the nearest affine function :math:`\pm\chi_S` (Carlet's and Sage's
    ``nonlinearity()``), an exact integer.

    0 exactly for the affine functions; at most :math:`2^{n-1} - 2^{n/2-1}` (covering radius
    bound), with equality exactly for the bent functions. Only ±1 tables are accepted.

    Cost: one exact integer transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> nonlinearity(bs.majority(3)), nonlinearity(bs.parity(4)), nonlinearity(bs.inner_product(2))
    (2, 0, 6)
    """
    t = as_table(f)
    w = _pm1_walsh(t)
    if w.dtype == object:
        peak = np.array([max(abs(int(v)) for v in row) for row in w], dtype=np.int64)
    else:  # int64 (exact; |W(S)| <= 2**n): max and min in one pass, no second 2**n array
        peak = _walsh.max_abs(np.ascontiguousarray(w, dtype=np.int64))
    # W(S) ≡ 2**n (mod 2), so 2**n - max|W| is even for n >= 1 and 0 for n = 0
    out = ((1 << t.n) - peak) // 2
    return _finish(t, out)


def is_bent(f: Any) -> Any:
    r"""Whether a ±1 function is bent: n even and :math:`|W(S)| = 2^{n/2}` for every S, i.e. a flat
    spectrum :math:`\hat f(S)^2 = 2^{-n}` (Rothaus), equivalently the largest possible nonlinearity
    :math:`2^{n-1} - 2^{n/2-1}`. False for every odd n. On n = 0 both constants satisfy the
    definition and are reported bent (Sage's formula is undefined there). Only ±1 tables are
    accepted.

    Cost: one exact integer transform and one pass over the spectrum.

    >>> import boolsens as bs
    >>> is_bent(bs.inner_product(2)), is_bent(bs.majority(3)), is_bent(bs.parity(4))
    (True, False, False)
    """
    t = as_table(f)
    w = _pm1_walsh(t)
    n = t.n
    if n % 2:
        out = np.zeros(w.shape[0], dtype=bool)
    else:
        out = np.all(np.abs(w) == (1 << (n // 2)), axis=1)
    return _finish(t, out)
