r"""p-biased Fourier analysis (O'Donnell, *Analysis of Boolean Functions*, ch. 8).

Conventions: see :mod:`boolsens`. Under the p-biased measure :math:`\mu_p` the coordinates are
independent and each :math:`x_i` is −1 (True, bit 1) with probability p and +1 with probability
1 − p, so :math:`\mu_p(x) = p^{|x|}(1-p)^{n-|x|}` with |x| the number of −1 coordinates (the
popcount of the index). With :math:`\mu = 1 - 2p` and :math:`\sigma = 2\sqrt{p(1-p)}` the
orthonormal basis of :math:`L^2(\mu_p)` is

.. math:: \phi_S(x) = \prod_{i\in S}\frac{x_i-\mu}{\sigma},\qquad
          \hat f_p(S) = \mathbf E_{x\sim\mu_p}[f(x)\phi_S(x)],\qquad
          f = \sum_S \hat f_p(S)\,\phi_S,

and (O'Donnell Def. 8.16, Prop. 8.24, Def. 8.26, Def. 8.42)

.. math:: \mathrm{Inf}^{(p)}_i(f) = \sum_{S\ni i}\hat f_p(S)^2
          = p(1-p)\,\mathbf E_{\mu_p}\big[(f(x^{i\to 1}) - f(x^{i\to -1}))^2\big],\qquad
          \mathrm{Stab}^{(p)}_\rho(f) = \sum_S \rho^{|S|}\hat f_p(S)^2 .

For a ±1-valued f the influence is :math:`4p(1-p)\Pr_{x\sim\mu_p}[i \text{ is pivotal}]`, where
i is pivotal at x when :math:`f(x)\neq f(x^{\oplus i})` (:func:`pivotal_probability`, the
quantity of the Margulis–Russo formula). At p = ½, φ_S = χ_S and every quantity is the uniform one.

The p-biased measures are the keyword ``p`` of :func:`boolsens.fourier_coefficients`,
:func:`boolsens.fourier_weights`, :func:`boolsens.influence`, :func:`boolsens.influences`,
:func:`boolsens.total_influence` and :func:`boolsens.noise_stability`; ``p=None`` (their default)
and p = ½ run today's uniform code and give its values bit for bit. This module adds
:func:`pivotal_probability` and :func:`noise_operator`.

**Exactness.** A ``fractions.Fraction`` p gives ``Fraction`` results (for ±1 and integer tables
at any n; for real tables n ≤ 16). The coefficients carry the factor
:math:`\sqrt{p(1-p)}^{\,|S|}`, irrational unless p(1 − p) is the square of a rational (p = 1/2,
1/5, 1/10, ...): exact coefficients are returned in that case and refused otherwise, while the
squares — weights, influences, stability — are always rational: with p = a/b and G the integer
transform below, :math:`\hat f_p(S) = G(S)\sqrt{a(b-a)}^{\,|S|}/b^n`. A float p gives floats.

**Algorithms.** The transform is one butterfly per coordinate: the pair (a₀, a₁) at x_i = +1, −1
becomes ((1 − p)a₀ + p a₁, √(p(1−p))(a₀ − a₁)) (exactly: ((b − a)a₀ + a a₁, a₀ − a₁) in
integers). Influences of ±1 tables take no transform: the bit-packed table gives, per coordinate
i and level k, the number c[i, k] of edges on which f differs and whose end with x_i = +1 has k
coordinates −1, and :math:`\Pr_{\mu_p}[i\text{ pivotal}] = \sum_k c[i,k]\,p^k(1-p)^{n-1-k}` —
one count serves every p.

Cost: the transform n 2**n multiply-adds (float64, 8·2**n bytes per function), the exact one in
int64 while :math:`\max|f|\cdot\max(b, 2)^n` fits, else Python integers; influences of ±1 tables
5 popcounts per 64 edges and coordinate, 5 n 2**(n-7) in all (the counts are cached on a
``BooleanFunction``); :func:`noise_operator` n passes over the table.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_index, check_memory_fast, check_p, check_rho
from .cube import popcounts
from .errors import BoolsensError
from ._kernels import lazy as _lazy_kernels

_kernels = _lazy_kernels("pbiased", globals(), "_kernels")  # numba loads on first use
_walsh = _lazy_kernels("walsh", globals(), "_walsh")

__all__ = ["pivotal_probability", "noise_operator"]

#: largest n for exact (Fraction) results on real-valued tables (pure-Python rationals), as in
#: :data:`boolsens.fourier.MAX_EXACT_REAL_N`
MAX_EXACT_REAL_N = 16

_INT64_MAX = int(np.iinfo(np.int64).max)
_HALF = Fraction(1, 2)


# ----------------------------------------------------------------------------- the keyword p
def resolve_p(p: Any, exact: bool, t: Table) -> tuple[float | Fraction | None, bool]:
    """(p, exact) for a measure called with ``p`` and ``exact``: p None means the uniform
    measure (today's code), as does p = ½ (a ``Fraction(1, 2)`` sets ``exact``); a ``Fraction``
    sets ``exact``; a float p with ``exact=True`` is refused (pass a Fraction)."""
    p = check_p(p)
    if p is None:
        return None, exact
    if isinstance(p, Fraction):  # compared through its integers: Fraction's own comparisons are slow
        if t.torch:
            raise BoolsensError(f"an exact Fraction p={p} needs a numpy table or a BooleanFunction, "
                                "not a torch tensor")
        return (None if p.numerator == 1 and p.denominator == 2 else p), True
    if p == 0.5:
        return None, exact
    if exact:
        raise BoolsensError(f"exact=True with p={p!r}, a float: pass p as a fractions.Fraction "
                            "(e.g. Fraction(1, 3)) for exact p-biased values")
    return p, exact


def _numpy(t: Table) -> Table:
    return t if not t.torch else Table(t.numpy(), t.n, name=t.name)


def _exact_rows(t: Table) -> np.ndarray:
    """The table as ``(functions, 2**n)`` exact values: int64 for integer tables, Python
    ``Fraction`` s (object) for real ones (n ≤ MAX_EXACT_REAL_N)."""
    rows = t.rows()
    if rows.dtype.kind in "iu":
        if rows.dtype == np.uint64 and rows.size and int(rows.max()) > _INT64_MAX:
            return rows.astype(object)
        return rows.astype(np.int64)
    if t.is_pm1():
        return rows.astype(np.int64)
    if t.n > MAX_EXACT_REAL_N:
        raise BoolsensError(f"exact p-biased values of a real-valued table use Python rationals and are "
                            f"limited to n <= {MAX_EXACT_REAL_N}; got n={t.n} (±1 and integer tables are "
                            "exact at any n)")
    return np.frompyfunc(Fraction, 1, 1)(rows.astype(np.float64)).astype(object)


def _rows_bound(rows: np.ndarray) -> int:
    """max |entry| of an int64 array, as a Python integer."""
    return max(-int(rows.min()), int(rows.max())) if rows.size else 0


def _fits(rows: np.ndarray, growth: int, n: int, extra: int = 1) -> bool:
    """Whether int64 holds ``max|rows| * growth**n * extra`` (never for an object array)."""
    return rows.dtype != object and _rows_bound(rows) * growth**n * extra <= _INT64_MAX


def _integer_transform(t: Table, a: int, b: int) -> np.ndarray:
    """G(S) with f̂_p(S) = G(S) √(a(b−a))^{|S|} / b^n for p = a/b: ``(functions, 2**n)`` int64, or
    Python integers / Fractions (object) where int64 is too narrow or the table is real."""
    rows = _exact_rows(t)
    n = t.n
    arr = rows.copy() if _fits(rows, max(b, 2), n) else rows.astype(object)
    B, N = arr.shape
    for i in range(n):
        v = arr.reshape(B, N >> (i + 1), 2, 1 << i)
        a0 = v[:, :, 0, :].copy()
        a1 = v[:, :, 1, :]
        v[:, :, 0, :] = (b - a) * a0 + a * a1
        v[:, :, 1, :] = a0 - a1
    return arr


def _float_transform(t: Table, p: float) -> np.ndarray:
    """f̂_p(S), ``(functions, 2**n)`` float64."""
    n = t.n
    check_memory_fast(8 * t.functions << n, what=f"the p-biased transform on n={n} (float64)")
    arr = np.array(t.rows(), dtype=np.float64, order="C")
    _kernels.biased_butterfly(arr, n, p)
    return arr


# ----------------------------------------------------------------------------- coefficients, weights
def p_coefficients(t: Table, p: float | Fraction, exact: bool) -> Any:
    """f̂_p(S) for every bitmask S, shape ``batch + (2**n,)`` (see the module docstring)."""
    n = t.n
    if not exact:
        return t.like_input(_float_transform(_numpy(t), float(p)).reshape(t.batch + (1 << n,)))
    a, b = p.numerator, p.denominator
    r = math.isqrt(a * (b - a))
    if r * r != a * (b - a) and n > 0:
        raise BoolsensError(
            f"the p-biased Fourier coefficients at p={p} are irrational: f̂_p(S) carries the factor "
            f"sqrt(p(1-p))^|S| = sqrt({a * (b - a)}/{b * b})^|S|; fourier_weights, influences and "
            "noise_stability are exact at this p, or pass p as a float for float coefficients"
        )
    G = _integer_transform(t, a, b)
    den = b**n
    powers = [r**k for k in range(n + 1)]
    level = np.broadcast_to(popcounts(n), G.shape)
    if G.dtype == object:  # Python integers or Fractions (real tables)
        out = np.frompyfunc(lambda g, k: Fraction(g * powers[k]) / den, 2, 1)(G, level)
    else:
        out = np.frompyfunc(lambda g, k: Fraction(int(g) * powers[k], den), 2, 1)(G, level)
    return out.astype(object).reshape(t.batch + (1 << n,))


def p_weights(t: Table, p: float | Fraction, exact: bool) -> Any:
    r""":math:`W^k_p(f) = \sum_{|S|=k}\hat f_p(S)^2`, shape ``batch + (n+1,)``."""
    n = t.n
    if not exact:
        nt = _numpy(t)
        sums = _walsh.level_sums(_float_transform(nt, float(p)), n)
        return t.like_input(t.squeeze(sums, (n + 1,)))
    a, b = p.numerator, p.denominator
    G = _integer_transform(t, a, b)
    gmax = max(-int(G.min()), int(G.max())) if G.dtype != object and G.size else None
    if gmax is not None and (gmax * gmax) << n <= _INT64_MAX:
        sums = _walsh.level_sums(np.ascontiguousarray(G), n).astype(object)
    else:
        pc = popcounts(n)
        sq = G.astype(object) ** 2
        sums = np.stack([sq[:, pc == k].sum(axis=1) for k in range(n + 1)], axis=1)
    r2, den = a * (b - a), b ** (2 * n)
    out = np.empty(sums.shape, dtype=object)
    for k in range(n + 1):
        out[:, k] = [Fraction(s) * Fraction(r2**k, den) for s in sums[:, k]]
    return t.squeeze(out, (n + 1,))


# ----------------------------------------------------------------------------- influences
def _level_counts(t: Table) -> np.ndarray | None:
    """(functions, n, n) int64 c[i, k] of a ±1 table (see the module docstring), cached; None for
    a table with an entry other than ±1."""
    if "edge_levels" not in t.cache:
        words = _numpy(t).packed(strict=False)
        if words is None:
            return None
        t.cached("edge_levels", lambda: _kernels.edge_level_counts(words, t.n))
    return t.cache["edge_levels"]


def _level_squares(t: Table, exact: bool) -> np.ndarray:
    """(functions, n, n) L[i, k] = Σ (f(x) − f(x^{⊕i}))² over the x with x_i = +1 and k coordinates
    −1 (among the other n − 1): float64, or exact (int64 / Python integers / Fractions)."""
    n = t.n
    rows = _exact_rows(t) if exact else np.asarray(t.rows(), dtype=np.float64)
    if exact and rows.dtype != object and not _fits(rows, 1, 0, extra=_rows_bound(rows) << (n + 2)):
        rows = rows.astype(object)  # int64 would not hold the sums of (2 max|f|)² over 2**(n-1) edges
    B, N = rows.shape
    pc = popcounts(n).astype(np.int64)
    out = np.zeros((B, n, n), dtype=rows.dtype)
    for i in range(n):
        v = rows.reshape(B, N >> (i + 1), 2, 1 << i)
        d = (v[:, :, 0, :] - v[:, :, 1, :]).reshape(B, -1)
        lower = pc.reshape(N >> (i + 1), 2, 1 << i)[:, 0, :].reshape(-1)  # levels of the ends x_i = +1
        sq = d * d
        for k in range(n):
            out[:, i, k] = sq[:, lower == k].sum(axis=1)
    return out


def _poly_in_p(coef: np.ndarray, p: float | Fraction, exact: bool, factor: Any = None) -> np.ndarray:
    """factor × Σ_k coef[..., k] p^k (1 − p)^{m−k} with m = coef.shape[-1] − 1 (exact: one
    ``Fraction`` per entry, built from integers; ``factor`` None: 1)."""
    m = coef.shape[-1] - 1
    if m < 0:  # n = 0: no coordinate
        return np.zeros(coef.shape[:-1], dtype=object if exact else np.float64)
    if exact:
        a, b = p.numerator, p.denominator
        powers = [a**k * (b - a) ** (m - k) for k in range(m + 1)]
        factor = Fraction(1) if factor is None else factor
        num, den = factor.numerator, factor.denominator * b**m
        flat = coef.reshape(-1, m + 1)
        out = np.empty(flat.shape[0], dtype=object)
        if (flat.dtype == np.int64 and flat.size and int(flat.min()) >= 0
                and int(flat.max()) * sum(powers) * abs(num) < 2**63):  # every sum and product fits int64
            sums = (flat @ np.array(powers, dtype=np.int64)) * num
            out[:] = [Fraction(s, den) for s in sums.tolist()]
        else:
            out[:] = [Fraction(num * sum(c * w for c, w in zip(row, powers)), den) for row in flat.tolist()]
        return out.reshape(coef.shape[:-1])
    k = np.arange(m + 1)
    w = float(p) ** k * (1.0 - float(p)) ** (m - k)
    out = coef.astype(np.float64) @ w
    return out if factor is None else factor * out


def _pivotal(t: Table, p: float | Fraction | None, exact: bool, *, strict: bool, factor: Any = None) -> np.ndarray | None:
    """(functions, n) Pr_{μ_p}[i pivotal] of a ±1 table, times ``factor`` (None: 1; only with a
    p); None for another table (``strict``: the standard error). p None: the uniform measure."""
    counts = _level_counts(t)
    if counts is None:
        if strict:
            _numpy(t).require_pm1()
        return None
    if p is None:
        den = 1 << max(t.n - 1, 0)
        tot = counts.sum(axis=-1)
        if exact:
            return np.frompyfunc(lambda c: Fraction(int(c), den), 1, 1)(tot).astype(object)
        return tot / float(den)
    return _poly_in_p(counts, p, exact, factor)


def p_influences(t: Table, p: float | Fraction, exact: bool) -> Any:
    r""":math:`\mathrm{Inf}^{(p)}_i(f)` for every i, shape ``batch + (n,)``."""
    n = t.n
    if n == 0:
        return t.squeeze(np.zeros((t.functions, 0), dtype=object if exact else np.float64), (0,))
    if isinstance(p, Fraction):  # p (1 − p) from the integers: one Fraction, not four operations
        pq = Fraction(p.numerator * (p.denominator - p.numerator), p.denominator * p.denominator)
    else:
        pq = p * (1 - p)
    out = _pivotal(t, p, exact, strict=False, factor=4 * pq)  # 4 p (1 − p) Pr[i pivotal]
    if out is None:
        out = _poly_in_p(_level_squares(_numpy(t), exact), p, exact, factor=pq)
    return t.squeeze(out, (n,)) if exact else t.like_input(t.squeeze(out, (n,)))


def p_total_influence(t: Table, p: float | Fraction, exact: bool) -> Any:
    r""":math:`I^{(p)}(f) = \sum_i \mathrm{Inf}^{(p)}_i(f)`, shape ``batch``."""
    inf = np.asarray(p_influences(_numpy(t), p, exact)).reshape(t.functions, t.n)
    tot = np.array([sum(row.tolist(), Fraction(0)) for row in inf], dtype=object) if exact else inf.sum(axis=-1)
    return t.squeeze(tot) if exact else t.like_input(t.squeeze(tot))


# ----------------------------------------------------------------------------- public names
def pivotal_probability(f: Any, i: int | None = None, *, p: Any = None, exact: bool = False) -> Any:
    r"""The probability that coordinate i is pivotal, :math:`\Pr_{x\sim\mu_p}[f(x)\neq f(x^{\oplus i})]`:
    shape (...,) for one i, (..., n) for every i (``i=None``). Boolean only.

    Under :math:`\mu_p` each coordinate is −1 (True) with probability p (see :mod:`boolsens.pbiased`);
    ``p=None`` is the uniform measure, where the pivotal probability is the influence
    :math:`\mathrm{Inf}_i(f)`. In general :math:`\mathrm{Inf}^{(p)}_i(f) = 4p(1-p)\Pr_{\mu_p}[i\text{ pivotal}]`,
    and for monotone f the Margulis–Russo formula reads
    :math:`\frac{d}{dp}\Pr_{\mu_p}[f = -1] = \sum_i \Pr_{\mu_p}[i\text{ pivotal}]`.
    A ``Fraction`` p (or ``exact=True`` with p None or ½) gives ``Fraction`` values: the
    probability is the polynomial :math:`\sum_k c_{i,k}\,p^k(1-p)^{n-1-k}` with integer c.

    Cost: 5 popcounts per 64 edges and coordinate (5 n 2**(n-7)), then O(n²) per p (the counts
    are cached on a ``BooleanFunction``, so further p cost O(n²)).

    >>> import boolsens as bs
    >>> from fractions import Fraction
    >>> pivotal_probability(bs.majority(3), p=Fraction(1, 3)).tolist()
    [Fraction(4, 9), Fraction(4, 9), Fraction(4, 9)]
    >>> pivotal_probability(bs.conjunction(2), 0, p=0.25)
    0.25
    """
    t = as_table(f)
    p, exact = resolve_p(p, exact, t)
    if i is not None:
        i = check_index(i, t.n)
    piv = _pivotal(t, p, exact, strict=True)
    out = t.squeeze(piv, (t.n,))
    if i is not None:
        out = out[..., i]
        if isinstance(out, np.ndarray) and out.ndim == 0:
            out = out.item()
    return out if exact else t.like_input(out)


def noise_operator(f: Any, rho: Any, *, p: Any = None) -> Any:
    r"""The table of :math:`T_\rho f` under :math:`\mu_p`: shape (..., 2**n), like ``f``.

    :math:`T_\rho f(x) = \mathbf E_{y\sim N_\rho(x)}[f(y)]`, where each :math:`y_i` is
    :math:`x_i` with probability ρ and a fresh draw from the p-biased bit otherwise (O'Donnell
    Def. 8.26); equivalently :math:`T_\rho f = \sum_S \rho^{|S|}\hat f_p(S)\,\phi_S`
    (at p = ½: :math:`\sum_S \rho^{|S|}\hat f(S)\chi_S`). Computed as n one-coordinate steps
    :math:`a \mapsto \rho a + (1-\rho)((1-p)a_{+1} + p\,a_{-1})`; for ρ < 0 the spectral formula
    defines it (as a distribution :math:`N_\rho` needs :math:`\rho \ge -\min(p,1-p)/\max(p,1-p)`).
    ``p=None`` is the uniform measure. Its expectation is :math:`\mathbf E_{\mu_p} f`, and
    :math:`\mathbf E_{\mu_p}[f\,T_\rho f] = \mathrm{Stab}^{(p)}_\rho(f)`.

    ``rho`` is a scalar in [−1, 1]. An exact ``Fraction`` table when ``rho`` is a ``Fraction``
    and p is a ``Fraction`` or left at None (numpy tables; n ≤ 16 for real-valued ones); float64
    otherwise (torch in, torch out, computed on the CPU).

    Cost: n passes over the table (float64 copy, 8·2**n bytes per function).

    >>> import boolsens as bs
    >>> from fractions import Fraction
    >>> noise_operator(bs.dictator(2, i=0), 0.5).tolist()
    [0.5, -0.5, 0.5, -0.5]
    >>> noise_operator(bs.conjunction(1), Fraction(1, 2), p=Fraction(1, 3)).tolist()
    [Fraction(2, 3), Fraction(-1, 3)]
    """
    rho = check_rho(rho)
    if np.ndim(rho) != 0:
        raise BoolsensError(f"rho={rho!r} must be a scalar for noise_operator (one table per call)")
    t = as_table(f)
    p = check_p(p)
    if p is None:
        p = _HALF
    exact = isinstance(rho, Fraction) and isinstance(p, Fraction) and not t.torch
    n = t.n
    if exact:
        return _exact_noise(t, rho, p).reshape(t.batch + (1 << n,))
    nt = _numpy(t)
    check_memory_fast(16 * t.functions << n, what=f"noise_operator on n={n} (float64)")
    arr = np.array(nt.rows(), dtype=np.float64, order="C")
    r, pf = float(rho), float(p)
    B, N = arr.shape
    for i in range(n):
        v = arr.reshape(B, N >> (i + 1), 2, 1 << i)
        mean = (1.0 - r) * ((1.0 - pf) * v[:, :, 0, :] + pf * v[:, :, 1, :])
        v *= r
        v += mean[:, :, None, :]
    return t.like_input(arr.reshape(t.batch + (N,)))


def _exact_noise(t: Table, rho: Fraction, p: Fraction) -> np.ndarray:
    """T_ρ f in integers scaled by (b d)^n (p = a/b, ρ = c/d), then divided once."""
    a, b = p.numerator, p.denominator
    c, d = rho.numerator, rho.denominator
    arr = _exact_rows(t).astype(object)
    B, N = arr.shape
    for i in range(t.n):
        v = arr.reshape(B, N >> (i + 1), 2, 1 << i)
        mean = (d - c) * ((b - a) * v[:, :, 0, :] + a * v[:, :, 1, :])  # ×b d
        v *= c * b
        v += mean[:, :, None, :]
    den = Fraction((b * d) ** t.n)
    return arr / den
