r"""docs/theory.md §3.10, p-biased analysis: ``margulis-russo`` and ``poincare-p``.

Under μ_p each x_i is −1 (True) with probability p (see :mod:`boolsens.pbiased`). Both checks are
exact: the left sides are written here from the definition — the polynomial
:math:`\mathbf E_{\mu_p}[f] = \sum_x f(x)\,p^{|x|}(1-p)^{n-|x|}` differentiated term by term, and
:math:`\mathrm{Var}_{\mu_p}[f]` summed over the cube — in integers scaled by a power of the
denominator of p, and the right sides come from the core (``bs.fourier_coefficients(f, p=…)``,
``bs.pivotal_probability``, ``bs.influences(f, p=…)``) as ``Fraction`` s. Each relation compares
an exact difference with 0 (its float is 0 exactly when the difference is). Each check takes
keyword arguments that alter the statement (the tests feed false variants through
:func:`proofs_check.variant`).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

import boolsens as bs
from boolsens.cube import popcount

from .core import Context, Eq, Le, Lt, claim
from .domains import Domain, Explicit, Measures, all_functions, boolean, run_predicate

#: biases with σ = 2√(p(1−p)) rational, so the degree-1 coefficients are exact Fractions
RATIONAL_SIGMA_PS = (Fraction(1, 10), Fraction(1, 5), Fraction(1, 2), Fraction(4, 5), Fraction(9, 10))
#: biases for the pivotal form and Poincaré (any rational p is exact there)
PS = (Fraction(1, 10), Fraction(1, 3), Fraction(2, 7), Fraction(1, 2), Fraction(5, 6))
FLOAT_P = 0.3
MAX_N = 10


def domain() -> Domain:
    """The standard Boolean domain with n ≤ 10, every function exhaustively on n ≤ 3 (n ≤ 4 in the
    thorough profile; the exact rationals cost microseconds per function and coefficient), fewer
    random tables, and every monotone function on n = 4 (the pivotal form's own domain)."""
    d = boolean(max_n=MAX_N, exhaustive=(3, 3, 4), random=(100, 500, 2000))
    tables = all_functions(4)
    mono = [bs.BooleanFunction.from_signs(s, name=f"monotone hex {bs.BooleanFunction.from_signs(s).to_hex()} (n=4)")
            for s in tables[monotone_mask(tables)]]
    d.parts.append(Explicit(mono, label="every monotone function on n=4"))
    return d


def _gap(diff) -> np.ndarray:
    """Exact differences (Fractions) as floats that are 0 exactly where the difference is."""
    out = []
    for d in diff:
        v = float(d)
        out.append(v if v != 0 or d == 0 else math.copysign(1e-300, d))
    return np.array(out, dtype=np.float64)


def _level(n: int) -> np.ndarray:
    return popcount(np.arange(1 << n)).astype(np.int64)


def mean_derivative(signs: np.ndarray, p: Fraction) -> list[Fraction]:
    r""":math:`\frac{d}{dp}\mathbf E_{\mu_p}[f]` for each row of a (B, 2**n) table, exactly: the
    derivative of :math:`\sum_x f(x)p^{|x|}(1-p)^{n-|x|}` term by term, as integers over
    :math:`b^{n-1}` (p = a/b)."""
    n = signs.shape[-1].bit_length() - 1
    a, b = p.numerator, p.denominator
    c = [0] * (1 << n)
    for x, k in enumerate(_level(n).tolist()):
        c[x] = (k * a ** (k - 1) * (b - a) ** (n - k) if k else 0) - ((n - k) * a**k * (b - a) ** (n - k - 1) if k < n else 0)
    vec = np.array(c, dtype=object)
    den = b ** (n - 1) if n else 1
    return [Fraction(int(v), den) for v in signs.astype(object) @ vec]


def mean_derivative_float(signs: np.ndarray, p: float) -> np.ndarray:
    n = signs.shape[-1].bit_length() - 1
    k = _level(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(k > 0, k * p ** (k - 1.0), 0.0) * (1 - p) ** (n - k) - np.where(
            k < n, (n - k) * (1 - p) ** (n - k - 1.0), 0.0) * p**k
    return signs.astype(np.float64) @ c


def variance_p(signs: np.ndarray, p: Fraction) -> list[Fraction]:
    r""":math:`\mathrm{Var}_{\mu_p}[f] = \mathbf E_{\mu_p}[f^2] - \mathbf E_{\mu_p}[f]^2`, summed over
    the cube with weights :math:`a^{|x|}(b-a)^{n-|x|}/b^n`."""
    n = signs.shape[-1].bit_length() - 1
    a, b = p.numerator, p.denominator
    w = np.array([a**k * (b - a) ** (n - k) for k in _level(n).tolist()], dtype=object)
    den = b**n
    vals = signs.astype(object)
    first = vals @ w
    second = (vals * vals) @ w
    return [Fraction(int(s), den) - Fraction(int(f), den) ** 2 for f, s in zip(first, second)]


def monotone_mask(signs: np.ndarray) -> np.ndarray:
    """(B,) bool: f(x) ≤ f(y) whenever x ≤ y coordinatewise with −1 < 1 (O'Donnell Def. 2.8),
    i.e. f(x^{i→+1}) ≥ f(x^{i→−1}) for every i and x."""
    B, N = signs.shape
    n = N.bit_length() - 1
    ok = np.ones(B, dtype=bool)
    for i in range(n):
        v = signs.reshape(B, N >> (i + 1), 2, 1 << i)
        ok &= (v[:, :, 0, :] >= v[:, :, 1, :]).reshape(B, -1).all(axis=1)
    return ok


# ----------------------------------------------------------------------------- margulis-russo
@claim(id="margulis-russo",
       statement="d/dp E_{μ_p}[f] = −(2/σ) Σ_i f̂_p({i}); for monotone Boolean f, d/dp Pr_{μ_p}[f = −1] = Σ_i Pr_{μ_p}[i pivotal]",
       latex=r"\frac{d}{dp}\mathbf E_{\mu_p}[f] = -\frac{2}{\sigma}\sum_i \hat f_p(\{i\});\ "
             r"f \text{ monotone}: \frac{d}{dp}\Pr_{\mu_p}[f=-1] = \sum_i \Pr_{\mu_p}[i \text{ pivotal}]",
       source="Margulis (1974); Russo (1981); O'Donnell (2014) §8.4 (sign for x_i = −1 w.p. p: docs/theory.md §3.10)")
def check_margulis_russo(ctx: Context, *, sign: int = -1, monotone_only: bool = True) -> None:
    """``sign`` (−1 in the theorem) multiplies the spectral side; ``monotone_only=False`` claims
    the pivotal form for every f (both false variants)."""

    def pred(m: Measures):
        signs = m.signs
        rels = []
        for p in RATIONAL_SIGMA_PS:
            a, b = p.numerator, p.denominator
            sigma = Fraction(2 * math.isqrt(a * (b - a)), b)
            coef = bs.fourier_coefficients(signs, p=p).reshape(len(m), -1)
            spectral = [sign * 2 / sigma * sum((row[1 << i] for i in range(m.n)), Fraction(0)) for row in coef]
            diff = [d - s for d, s in zip(mean_derivative(signs, p), spectral)]
            rels.append(Eq(_gap(diff), 0.0, f"d/dp E_μp f = −(2/σ) Σ f̂_p(i) at p={p}", tol=0.0))
        spectral = sign * 2 / (2 * math.sqrt(FLOAT_P * (1 - FLOAT_P))) * np.asarray(
            bs.fourier_coefficients(signs, p=FLOAT_P)).reshape(len(m), -1)[:, [1 << i for i in range(m.n)]].sum(-1)
        rels.append(Eq(mean_derivative_float(signs, FLOAT_P), spectral,
                       f"d/dp E_μp f = −(2/σ) Σ f̂_p(i) at p={FLOAT_P} (float)", tol=1e-9))
        mono = monotone_mask(signs) if monotone_only else np.ones(len(m), dtype=bool)
        ctx.tally("monotone functions (pivotal form checked)", int(monotone_mask(signs).sum()), len(m))
        for p in PS:
            piv = np.asarray(bs.pivotal_probability(signs, p=p)).reshape(len(m), m.n)
            # d/dp Pr[f = −1] = −½ d/dp E[f]
            diff = [-d / 2 - sum(row.tolist(), Fraction(0)) for d, row in zip(mean_derivative(signs, p), piv)]
            rels.append(Eq(_gap(diff), 0.0, f"monotone: d/dp Pr_μp[f=−1] = Σ_i Pr_μp[i pivotal] at p={p}",
                           tol=0.0, where=mono))
        return rels

    run_predicate(pred, domain(), ctx)
    ctx.method("exact rationals (the derivative of the polynomial E_μp[f] against the core's p-biased Fractions)")


# ----------------------------------------------------------------------------- poincare-p
@claim(id="poincare-p", statement="Var_{μ_p}[f] ≤ Σ_i Inf_i^{(p)}[f], with equality iff deg f ≤ 1",
       latex=r"\mathrm{Var}_{\mu_p}[f] \le \sum_i \mathrm{Inf}^{(p)}_i[f],\ \text{equality iff } \deg f \le 1",
       source="O'Donnell (2014) §8.4 (Poincaré inequality under μ_p, from Σ_{S≠∅} f̂_p(S)² ≤ Σ_S |S| f̂_p(S)²)")
def check_poincare_p(ctx: Context, *, factor: Fraction = Fraction(1)) -> None:
    """``factor`` multiplies the total influence (1 in the theorem; below 1 is a false variant)."""

    def pred(m: Measures):
        low = m.degree <= 1  # the p-biased degree is the uniform one (x_i = μ + σ φ_i)
        rels = []
        for p in PS:
            infl = np.asarray(bs.influences(m.signs, p=p)).reshape(len(m), m.n)
            total = [factor * sum(row.tolist(), Fraction(0)) for row in infl]
            gap = _gap([t - v for t, v in zip(total, variance_p(m.signs, p))])
            ctx.tally(f"Var_μp = I^(p) among functions with deg ≤ 1 (p={p})", int((gap == 0)[low].sum()), int(low.sum()))
            rels += [Le(0.0, gap, f"Var_μp f ≤ I^(p)(f) at p={p}", tol=0.0),
                     Eq(gap, 0.0, f"equality when deg ≤ 1 at p={p}", tol=0.0, where=low),
                     Lt(0.0, gap, f"strict when deg > 1 at p={p}", tol=0.0, where=~low)]
        return rels

    run_predicate(pred, domain(), ctx)
    ctx.method("exact rationals (variance summed over the cube against bs.influences(f, p=Fraction))")
