r"""Fourier (Walsh) spectrum, weights by level and degree.

Conventions: see :mod:`boolsens`. :math:`\hat f(S) = 2^{-n}\sum_x f(x)\chi_S(x)` with
:math:`\chi_S(x) = (-1)^{|S\cap x|}`, S a bitmask. :math:`W^k(f) = \sum_{|S|=k}\hat f(S)^2`.

All functions take a BooleanFunction or a (..., 2**n) table (±1 or real, numpy or torch);
leading axes are a batch. For ±1 (and integer) tables the transform is done in int64, so
``exact=True`` returns ``fractions.Fraction`` values and the float results are that exact value
rounded once.

Cost: one transform, n 2**n additions and 8·2**n bytes (int64/float64) per function.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from .cube import popcounts
from ._input.validation import check_memory_fast, check_real
from .errors import BoolsensError
from .pbiased import p_coefficients, p_weights, resolve_p
from .transforms import transform
from ._kernels import lazy as _lazy_kernels

#: largest n for exact (Fraction) spectra of real-valued tables (pure-Python rational arithmetic)
MAX_EXACT_REAL_N = 16

_walsh = _lazy_kernels("walsh", globals(), "_walsh")  # numba loads on first use

__all__ = ["fourier_coefficients", "fourier_weights", "degree", "walsh_spectrum"]


def spectrum(t: Table) -> tuple[Any, bool]:
    """(2**n f̂, exact) of a validated table, cached on it: the unnormalised transform and whether
    it was computed in exact integer arithmetic.

    ±1 and integer tables give an int64 transform; real tables float64 (float32 kept); torch
    tensors stay torch.
    """
    return t.cached("walsh", lambda: _spectrum(t))


def _spectrum(t: Table) -> tuple[Any, bool]:
    arr = t.values
    if t.torch:
        import torch

        if not arr.is_floating_point():
            return transform(Table(arr.to(torch.int64), t.n, name=t.name)), True
        return transform(t), False
    if t.integer:
        if ((1 if t.pm1_known else t.amax()) << t.n) > _INT64_MAX:  # ±1 known: no pass for max|a|
            # int64 is not wide enough: exact in Python integers (small n) or refuse
            return _python_int_transform(t), True
        # fwht widens narrow integer tables to int64 while it copies them (no extra pass);
        # int32 is widened here because fwht would keep it, and squares need int64
        if arr.dtype == np.int32:
            return transform(Table(arr.astype(np.int64), t.n, name=t.name)), True
        return transform(t), True
    if arr.dtype == np.float32:
        return transform(t), False
    if t.is_pm1():
        # float ±1 tables: the transform is integral, do it exactly
        return transform(Table(arr.astype(np.int64), t.n, name=t.name)), True
    return transform(Table(arr.astype(np.float64, copy=False), t.n, name=t.name, finite=t.finite)), False


_INT64_MAX = int(np.iinfo(np.int64).max)


def _python_int_transform(t: Table) -> np.ndarray:
    """The transform of an integer table in Python integers (object array): exact at any
    magnitude, pure Python, so limited to n <= MAX_EXACT_REAL_N."""
    if t.n > MAX_EXACT_REAL_N:
        raise BoolsensError(
            f"{t.name} is an integer table with max|a|={t.amax()} on n={t.n}: its transform reaches "
            f"{t.amax() << t.n}, beyond int64, and exact Python-integer arithmetic is limited to "
            f"n <= {MAX_EXACT_REAL_N}; pass a float64 table for a float result"
        )
    flat = [[int(v) for v in row] for row in t.rows()]
    N = 1 << t.n
    for row in flat:
        h = 1
        while h < N:
            for start in range(0, N, 2 * h):
                for j in range(start, start + h):
                    a, b = row[j], row[j + h]
                    row[j], row[j + h] = a + b, a - b
            h *= 2
    out = np.empty((len(flat), N), dtype=object)
    for b, row in enumerate(flat):
        out[b, :] = row
    return out.reshape(t.batch + (N,))


def _reject_exact_torch(t: Table, exact: bool) -> None:
    if exact and t.torch:
        raise BoolsensError("exact=True needs a numpy table or a BooleanFunction, not a torch tensor")


def _flat(w: np.ndarray, n: int) -> np.ndarray:
    return np.ascontiguousarray(w.reshape(-1, 1 << n))


def walsh_spectrum(f: Any) -> Any:
    """The unnormalised transform 2**n f̂(S) (int64 for ±1/integer tables: exact).

    >>> import boolsens as bs
    >>> walsh_spectrum(bs.majority(3)).tolist()
    [0, 4, 4, 0, 4, 0, 0, -4]
    """
    return spectrum(as_table(f))[0]


def fourier_coefficients(f: Any, *, exact: bool = False, p: Any = None) -> Any:
    r"""f̂(S) for every bitmask S: shape (..., 2**n).

    ``exact=True`` returns an object array of ``Fraction`` (exact for any numpy table).
    ``p`` (in (0, 1)) gives the p-biased coefficients f̂_p(S) = E_{μ_p}[f φ_S] (see
    :mod:`boolsens.pbiased`; a ``Fraction`` p gives ``Fraction`` values where they are rational,
    i.e. when p(1 − p) is a rational square, and an error otherwise); None or ½ is the uniform
    measure, computed as without it.

    >>> import boolsens as bs
    >>> fourier_coefficients(bs.majority(3)).tolist()
    [0.0, 0.5, 0.5, 0.0, 0.5, 0.0, 0.0, -0.5]
    >>> from fractions import Fraction
    >>> fourier_coefficients(bs.dictator(1), p=Fraction(1, 5)).tolist()
    [Fraction(3, 5), Fraction(4, 5)]
    """
    t = as_table(f)
    p, exact = resolve_p(p, exact, t)
    if p is not None:
        return p_coefficients(t, p, exact)
    _reject_exact_torch(t, exact)
    w, is_int = spectrum(t)
    n = t.n
    if t.torch:
        return w.to(_torch_float(w)) / float(1 << n)
    if w.dtype == object and not exact:  # Python integers: divide exactly, round once
        return np.frompyfunc(lambda v: float(Fraction(int(v), 1 << n)), 1, 1)(w).astype(np.float64)
    if exact:
        if not is_int:
            if n > MAX_EXACT_REAL_N:
                raise BoolsensError(
                    f"exact=True on a real-valued table (or an integer table whose transform leaves "
                    f"int64) uses Python rationals and is limited to n <= {MAX_EXACT_REAL_N}; got n={n} "
                    "(±1 tables are exact at any n)"
                )
            return _fraction_array_from_float(t.values, n)
        den = 1 << n
        return np.frompyfunc(lambda v: Fraction(int(v), den), 1, 1)(w).astype(object)
    return w / float(1 << n) if is_int else w / w.dtype.type(1 << n)


def _torch_float(t):
    import torch

    return t.dtype if t.is_floating_point() else torch.float64


def _fraction_array_from_float(arr, n):
    # exact transform of the values as rationals (slow path, for small n); integers stay Python
    # integers (a conversion to float64 would round those beyond 2**53)
    arr = np.asarray(arr)
    exact = (lambda v: Fraction(int(v))) if arr.dtype.kind in "iu" else Fraction
    vals = np.frompyfunc(exact, 1, 1)(arr if arr.dtype.kind in "iu" else arr.astype(np.float64)).astype(object)
    flat = vals.reshape(-1, 1 << n).copy()
    h = 1
    while h < (1 << n):
        for start in range(0, 1 << n, 2 * h):
            a = flat[:, start:start + h].copy()
            b = flat[:, start + h:start + 2 * h].copy()
            flat[:, start:start + h] = a + b
            flat[:, start + h:start + 2 * h] = a - b
        h *= 2
    den = 1 << n
    return (flat / den).reshape(vals.shape)


def fourier_weights(f: Any, *, exact: bool = False, p: Any = None) -> Any:
    r"""Spectral weight by level, :math:`W^k(f)=\sum_{|S|=k}\hat f(S)^2`, shape (..., n+1).

    For ±1 tables the level sums are exact integers divided by 4**n; ``exact=True`` returns them
    as ``Fraction``. Sum over k is E[f²] (Parseval). ``p`` (in (0, 1)) gives the p-biased
    weights :math:`W^k_p(f)=\sum_{|S|=k}\hat f_p(S)^2` (see :mod:`boolsens.pbiased`; exact
    ``Fraction`` s for a ``Fraction`` p); None or ½ is the uniform measure.

    >>> import boolsens as bs
    >>> fourier_weights(bs.majority(3)).tolist()
    [0.0, 0.75, 0.0, 0.25]
    >>> from fractions import Fraction
    >>> fourier_weights(bs.majority(3), p=Fraction(1, 3)).tolist()
    [Fraction(169, 729), Fraction(128, 243), Fraction(16, 243), Fraction(128, 729)]
    """
    t = as_table(f)
    p, exact = resolve_p(p, exact, t)
    if p is not None:
        return p_weights(t, p, exact)
    _reject_exact_torch(t, exact)
    w, is_int = spectrum(t)
    n = t.n
    if t.torch:
        return _torch_level_sums(w, n) / float(4**n)
    if exact and not is_int:
        coeffs = fourier_coefficients(t, exact=True).reshape(-1, 1 << n)
        pc = popcounts(n)
        out = np.empty((coeffs.shape[0], n + 1), dtype=object)
        for b in range(coeffs.shape[0]):
            for k in range(n + 1):
                out[b, k] = sum((c * c for c in coeffs[b, pc == k]), Fraction(0))
        return t.squeeze(out, (n + 1,))
    sums, is_int = level_sums(t)
    if exact:
        den = 4**n
        out = np.frompyfunc(lambda v: Fraction(int(v), den), 1, 1)(sums).astype(object)
        return t.squeeze(out, (n + 1,))
    if sums.dtype == object:  # Python integers: divide exactly, round once
        weights = np.frompyfunc(lambda v: float(Fraction(int(v), 4**n)), 1, 1)(sums).astype(np.float64)
    else:
        weights = sums / float(4**n)
    return t.squeeze(weights, (n + 1,))


def level_sums(t: Table) -> tuple[np.ndarray, bool]:
    """((functions, n+1) sums Σ_{|S|=k} (2**n f̂(S))², exact) of a validated numpy table, cached
    on it (so Stab_ρ of a BooleanFunction at many ρ costs O(n) each)."""
    return t.cached("level_sums", lambda: _level_sums(t))


def _level_sums(t: Table) -> tuple[np.ndarray, bool]:
    w, is_int = spectrum(t)
    n = t.n
    flat = _flat(w, n)
    if not is_int:
        if flat.dtype == np.float64:
            return _walsh.level_sums(flat, n), False
        return _walsh.level_sums_wide(flat, n), False
    # Parseval: every level sum is at most sum_S w_S^2 = 2**n sum_x a(x)^2 <= 4**n max|a|^2
    amax = 1 if t.pm1_known else t.amax()
    if (amax * amax) << (2 * n) <= _INT64_MAX:
        return _walsh.level_sums(flat, n), True
    if n <= MAX_EXACT_REAL_N:  # exact in Python integers
        pc = popcounts(n)
        out = np.empty((flat.shape[0], n + 1), dtype=object)
        for b in range(flat.shape[0]):
            row = [int(v) for v in flat[b]]
            for k in range(n + 1):
                out[b, k] = sum(row[S] * row[S] for S in np.flatnonzero(pc == k))
        return out, True
    # beyond: float64 sums (each square rounded once); exact=True then refuses (see fourier_weights)
    return _walsh.level_sums(flat.astype(np.float64), n), False


def _torch_level_sums(w, n):
    import torch

    check_memory_fast(8 * w.numel(), what=f"Fourier weights on n={n} ({w.numel() >> n} tables, float64 squares)")
    pc = torch.from_numpy(popcounts(n).astype(np.int64)).to(w.device)
    sq = w.to(torch.float64) ** 2  # squares of int64 or float32 coefficients overflow; float64 does not
    flat = sq.reshape(-1, 1 << n)
    out = torch.zeros(flat.shape[0], n + 1, dtype=flat.dtype, device=w.device)
    out.index_add_(1, pc, flat)
    return out.reshape(tuple(w.shape[:-1]) + (n + 1,))


def degree(f: Any, *, tol: float | None = None) -> Any:
    r"""Fourier degree :math:`\max\{|S| : \hat f(S)\neq 0\}` (0 for a constant or zero table).

    Exact for ±1 / integer tables (``tol`` is not used there). For real tables a coefficient
    counts as nonzero when :math:`|\hat f(S)| >` ``tol``, a finite number >= 0 (default
    ``1e-9 * max(1, max_S |f̂(S)|)`` of each row).

    >>> import boolsens as bs
    >>> degree(bs.majority(3)), degree(bs.dictator(4, i=2))
    (3, 1)
    """
    if tol is not None:
        tol = check_real(tol, name="tol", minimum=0.0)
    t = as_table(f)
    w, is_int = spectrum(t)
    n = t.n
    if t.torch:
        import torch

        pc = torch.from_numpy(popcounts(n).astype(np.int64)).to(w.device)
        if is_int:
            nz = w != 0
        else:
            if tol is not None:
                scale = float(1 << n) * tol
            else:  # 1e-9 * max(1, max|f-hat|) of each row, as in the numpy path
                scale = float(1 << n) * 1e-9 * torch.clamp(w.abs().amax(dim=-1, keepdim=True) / (1 << n), min=1.0)
            nz = w.abs() > scale
        return (nz.to(torch.int64) * pc).amax(dim=-1)
    flat = _flat(w, n)
    if flat.dtype == object:  # Python integers (see spectrum): exact, in Python
        pc = popcounts(n)
        out = np.array([max([int(pc[S]) for S in range(1 << n) if row[S] != 0], default=0) for row in flat],
                       dtype=np.int64)
    elif is_int:
        out = _walsh.max_level_above(flat, -1.0, False)
    elif tol is not None:
        out = _walsh.max_level_above(flat, float(tol), False)
    else:  # 1e-9 * max(1, max|f-hat|) of each row
        out = _walsh.max_level_above(flat, 1e-9, True)
    return t.squeeze(out)
