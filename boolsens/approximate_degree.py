r"""Approximate degree by linear programming, decided exactly.

Conventions: see :mod:`boolsens`. Here f is read as **0/1-valued with True = 1**, i.e.
:math:`g(x) = (1 - f(x))/2` (the Nisan–Szegedy convention: N. Nisan and M. Szegedy, "On the degree
of Boolean functions as real polynomials", Computational Complexity 4, 1994). The best uniform
error at degree d and the approximate degree are

.. math:: E_d(f) = \min_{\deg p \le d}\ \max_x |g(x) - p(x)|, \qquad
          \widetilde{\deg}_\varepsilon(f) = \min\{d : E_d(f) \le \varepsilon\},

p ranging over real polynomials (multilinear, so a combination of the characters
:math:`\chi_S`, :math:`|S| \le d`). The default ε = 1/3. Readers of f as ±1-valued must double ε
(the ±1 error of :math:`1 - 2p` is twice the 0/1 error of p). :math:`E_d` is nonincreasing in d,
:math:`E_{\deg f} = 0`, and :math:`E_0 \le 1/2` (the constant 1/2), so
:math:`\widetilde{\deg}_\varepsilon \le \deg f`, it is 0 for ε ≥ 1/2 and equals deg f for ε = 0.
Known values: :math:`\widetilde{\deg}(\mathrm{OR}_n) = \Theta(\sqrt n)` (Nisan–Szegedy; Paturi,
STOC 1992, for every symmetric f), :math:`\widetilde{\deg}(\mathrm{PARITY}_n) = n`, and
:math:`bs(f) \le 6\,\widetilde{\deg}(f)^2` (Nisan–Szegedy, with ε = 1/3).

Method
------
* **Any f, n ≤ 10**: for each d of a binary search, the LP
  :math:`\min \varepsilon` s.t. :math:`|g(x) - \sum_{|S|\le d} c_S\chi_S(x)| \le \varepsilon` over
  the :math:`2^n` points (HiGHS). Each decision :math:`E_d \le \varepsilon` is then *certified
  exactly*: the float polynomial, its coefficients read as the dyadic rationals they are, is
  evaluated exactly (an integer Walsh transform), which bounds :math:`E_d` from above; the float
  dual ψ is projected exactly onto the functions orthogonal to every degree-≤ d character, and
  :math:`|\langle\psi, g\rangle| / \|\psi\|_1` bounds :math:`E_d` from below (for any p of degree
  ≤ d, :math:`\langle\psi, g - p\rangle = \langle\psi, g\rangle`). Only when ε lies between the two
  bounds (a tie at float precision) is the exact optimum recovered from the basis in Fractions
  (:mod:`boolsens._lp`, at most :data:`MAX_EXACT_UNKNOWNS` unknowns); beyond that size the tie is
  reported as an error rather than guessed.
* **Symmetric f** (a table whose value depends only on the Hamming weight, or
  :func:`approximate_degree_symmetric`): by Minsky–Papert symmetrisation
  :math:`E_d(f) = \min_{\deg q \le d} \max_{k=0..n} |v_k - q(k)|` over univariate q, solved as an
  LP in the Chebyshev basis :math:`T_j(1 - 2k/n)` (entries in [−1, 1], numerically stable) up to
  n = 1,000. The decision trusts HiGHS's value outside a band of :data:`SYMMETRIC_TOL` around ε;
  inside it, the exact optimum is recovered in Fractions (binomial basis :math:`\binom{k}{j}`,
  exact integers) for d ≤ :data:`MAX_EXACT_SYMMETRIC_DEGREE`, else an error is raised.

The search over d gallops (d = 0, 1, 3, 7, ...) and then bisects, so about 2 log₂ of the answer
LPs are solved, none much larger than the answer's. The general LP has :math:`2^{n+1}` rows and
:math:`\sum_{j\le d}\binom{n}{j} + 1` columns (n = 10: up to 2048 × 1025, dense); the symmetric
one :math:`2(n+1)` rows and d + 2 columns: fast while d is small (OR at n = 1,000, answer 21: a few
seconds), but one LP at n = 1,000 and d = 500 takes HiGHS about a minute, so a symmetric function
whose approximate degree is near n = 1,000 (parity) takes minutes.
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from . import _lp
from ._input.table import as_table
from ._input.validation import check_int
from .cube import popcounts
from .errors import BoolsensError
from .fourier import degree

__all__ = ["approximate_degree", "approximate_degree_symmetric", "approximation_error"]

#: Largest n of a table that is not symmetric (2**(n+1) LP rows).
MAX_GENERAL_N = 10
#: Largest n of a symmetric function (2(n+1) LP rows).
MAX_SYMMETRIC_N = 1000
#: Largest number of unknowns of an exact basis recovery in Fractions (monomials + 1).
MAX_EXACT_UNKNOWNS = 130
#: Largest degree at which a symmetric tie is resolved exactly.
MAX_EXACT_SYMMETRIC_DEGREE = 60
#: Half-width of the band around ε in which a symmetric decision is re-checked exactly.
SYMMETRIC_TOL = 1e-7


# ----------------------------------------------------------------------------- arguments
def _check_eps(eps: Any) -> Fraction:
    """ε as an exact rational ≥ 0 (a float is taken as the rational it is)."""
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (numbers.Rational, float, np.floating)):
        raise BoolsensError(f"eps={eps!r} must be a real number >= 0 (a Fraction for an exact bound, "
                            "e.g. Fraction(1, 3))")
    if isinstance(eps, (float, np.floating)) and not math.isfinite(eps):
        raise BoolsensError(f"eps={eps!r} must be finite")
    value = Fraction(eps) if not isinstance(eps, np.floating) else Fraction(float(eps))
    if value < 0:
        raise BoolsensError(f"eps={eps!r} must be >= 0")
    return value


def _symmetric_values(row: np.ndarray) -> np.ndarray | None:
    """(n+1,) values by Hamming weight of a ±1 table, or None when it is not symmetric."""
    n = row.shape[0].bit_length() - 1
    w = popcounts(n)
    first = row[(1 << np.arange(n + 1)) - 1]  # the point with bits 0..k-1 set has weight k
    return first if np.array_equal(first[w], row) else None


def _check_symmetric_values(values: Any) -> np.ndarray:
    try:
        v = np.asarray(values)
    except (TypeError, ValueError):
        raise BoolsensError("values must be a sequence of n + 1 entries +1 or -1") from None
    if v.ndim != 1 or v.size == 0 or v.dtype == bool or not np.issubdtype(v.dtype, np.number) \
            or not np.all((v == 1) | (v == -1)):
        raise BoolsensError(f"values must be a 1-D sequence of n + 1 entries +1 or -1 (True = -1 is "
                            f"value -1); got {values!r}"[:300])
    if v.size - 1 > MAX_SYMMETRIC_N:
        raise BoolsensError(f"values of length {v.size} give n={v.size - 1}; the symmetric LP supports "
                            f"n <= {MAX_SYMMETRIC_N}")
    return v.astype(np.int8)


# ----------------------------------------------------------------------------- exact dyadic helpers
def _dyadic_integers(a: np.ndarray) -> tuple[list[int], int]:
    """Floats as integers over one power of two: (numerators, K) with a = numerators / 2**K."""
    fr = [Fraction(float(v)) for v in a]
    K = max((q.denominator.bit_length() - 1 for q in fr), default=0)
    return [q.numerator << (K - (q.denominator.bit_length() - 1)) for q in fr], K


def _walsh_int(values: list[int], n: int) -> list[int]:
    """Σ_x v(x) χ_S(x) for every S, in Python integers (exact at any size)."""
    a = np.array(values, dtype=object)
    for i in range(n):
        v = a.reshape(-1, 2, 1 << i)
        lo, hi = v[:, 0, :].copy(), v[:, 1, :].copy()
        v[:, 0, :], v[:, 1, :] = lo + hi, lo - hi
    return a.tolist()


# ----------------------------------------------------------------------------- the general LP
class _General:
    """The approximation LP of one ±1 table on n <= 10 at a given degree."""

    def __init__(self, row: np.ndarray):
        self.n = row.shape[0].bit_length() - 1
        self.g = ((1 - row.astype(np.int64)) // 2)  # 0/1, True = 1
        N = row.shape[0]
        idx = np.arange(N)
        self.chi = 1 - 2 * (popcounts(self.n)[idx[:, None] & idx[None, :]] & 1).astype(np.int64)  # (x, S)
        self.level = popcounts(self.n)

    def data(self, d: int):
        S = np.nonzero(self.level <= d)[0]
        Phi = self.chi[:, S]
        N, M = Phi.shape
        ones = np.ones((N, 1), dtype=np.int64)
        A = np.block([[Phi, -ones], [-Phi, -ones]])
        b = np.concatenate([self.g, -self.g])
        c = np.zeros(M + 1, dtype=np.int64)
        c[-1] = -1
        free = np.ones(M + 1, dtype=bool)
        free[-1] = False
        return S, A, b, c, free

    def solve(self, d: int):
        S, A, b, c, free = self.data(d)
        value, x, y = _lp.solve_float(c, A, b, free)
        return S, (A, b, c, free), -value, x, y

    def bounds(self, d: int) -> tuple[Fraction, Fraction, Callable[[], Fraction | None]]:
        """(lower, upper, exact) with lower <= E_d <= upper exactly, and exact() the recovered
        optimum (or None)."""
        n, N = self.n, 1 << self.n
        S, data, _, x, y = self.solve(d)
        # upper: the float polynomial, exactly evaluated
        nums, K = _dyadic_integers(x[:-1])
        coeffs = [0] * N
        for s, v in zip(S.tolist(), nums):
            coeffs[s] = v
        p = _walsh_int(coeffs, n)  # 2**K p(x), since p(x) = Σ_S c_S χ_S(x)
        g = self.g.tolist()
        upper = Fraction(max(abs((gv << K) - pv) for gv, pv in zip(g, p)), 1 << K)
        # lower: the float dual, projected exactly off the degree-<= d characters
        psi, _ = _dyadic_integers(y[:N] - y[N:])
        w = _walsh_int(psi, n)
        for s in S.tolist():
            w[s] = 0
        psi2 = _walsh_int(w, n)  # 2**n times the projection (χ is its own inverse up to 2**n)
        l1 = sum(abs(v) for v in psi2)
        lower = Fraction(abs(sum(v for v, gv in zip(psi2, g) if gv)), l1) if l1 else Fraction(0)

        def exact() -> Fraction | None:
            A, b, c, free = data
            if A.shape[1] > MAX_EXACT_UNKNOWNS:
                return None
            got = _lp.exact_optimum(c, A, b, free, x, y)
            return None if got is None else -got[0]

        return lower, upper, exact


# ----------------------------------------------------------------------------- the symmetric LP
def _chebyshev(n: int, d: int) -> np.ndarray:
    """(n+1, d+1) T_j(1 - 2k/n) (the constant column only when n = 0)."""
    t = 1.0 - 2.0 * np.arange(n + 1) / max(n, 1)
    T = np.empty((n + 1, d + 1))
    T[:, 0] = 1.0
    if d >= 1:
        T[:, 1] = t
    for j in range(2, d + 1):
        T[:, j] = 2.0 * t * T[:, j - 1] - T[:, j - 2]
    return T


def _symmetric_lp(v01: np.ndarray, d: int, basis: np.ndarray):
    """A, b, c, free of min ε s.t. |v_k - Σ_j a_j basis[k, j]| <= ε, in the max form of _lp."""
    n1, m = basis.shape
    ones = np.ones((n1, 1), dtype=basis.dtype)
    A = np.block([[basis, -ones], [-basis, -ones]])
    b = np.concatenate([v01, -v01])
    c = np.zeros(m + 1, dtype=np.int64)
    c[-1] = -1
    free = np.ones(m + 1, dtype=bool)
    free[-1] = False
    return A, b, c, free


def _symmetric_error(v01: np.ndarray, d: int) -> tuple[float, Callable[[], Fraction | None]]:
    n = v01.shape[0] - 1
    d = min(d, n)
    A, b, c, free = _symmetric_lp(v01.astype(float), d, _chebyshev(n, d))
    value, x, y = _lp.solve_float(c, A, b, free)
    slack = b - A @ x

    def recover() -> Fraction | None:
        if d > MAX_EXACT_SYMMETRIC_DEGREE:
            return None
        binom = np.array([[math.comb(k, j) for j in range(d + 1)] for k in range(n + 1)], dtype=object)
        Ae, be, ce, fe = _symmetric_lp(v01.astype(object), d, binom)
        got = _lp.exact_optimum(ce, Ae, be, fe, x, y, slack=slack)
        return None if got is None else -got[0]

    return -value, recover


# ----------------------------------------------------------------------------- decisions
def _tie(what: str, d: int, eps: Fraction) -> BoolsensError:
    return BoolsensError(
        f"{what}: eps={eps} is within floating-point precision of the best error at degree d={d}, "
        "and the exact recovery of that optimum is beyond its size limit; pass an eps a little "
        "above or below"
    )


def _general_ok(lp: _General, d: int, eps: Fraction) -> bool:
    lower, upper, exact = lp.bounds(d)
    if upper <= eps:
        return True
    if lower > eps:
        return False
    value = exact()
    if value is None:
        raise _tie("approximate_degree", d, eps)
    return value <= eps


def _symmetric_ok(v01: np.ndarray, d: int, eps: Fraction) -> bool:
    value, recover = _symmetric_error(v01, d)
    if abs(value - float(eps)) > SYMMETRIC_TOL:
        return value < float(eps)
    exact = recover()
    if exact is None:
        raise _tie("approximate_degree_symmetric", d, eps)
    return exact <= eps


def _least_degree(ok: Callable[[int], bool], hi: int) -> int:
    """The least d in [0, hi] with ok(d), given ok(hi) and ok monotone: a galloping search
    (d = 0, 1, 3, 7, ...) and then a binary one, so no LP is larger than about twice the answer's."""
    lo, d = 0, 0
    while d < hi and not ok(d):
        lo, d = d + 1, 2 * d + 1
    hi = min(d, hi)
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _univariate_degree(v: np.ndarray) -> int:
    """The degree of the polynomial through (k, v_k), k = 0..n: the highest nonzero finite
    difference (exact integers; 0 for a constant)."""
    diffs = [int(a) for a in v]
    deg = 0
    for order in range(1, len(diffs)):
        diffs = [b - a for a, b in zip(diffs, diffs[1:])]
        if any(diffs):
            deg = order
    return deg


def _adeg_symmetric(v: np.ndarray, eps: Fraction) -> int:
    if eps >= Fraction(1, 2):
        return 0
    hi = _univariate_degree(v)
    if eps == 0 or hi == 0:
        return hi
    v01 = ((1 - v.astype(np.int64)) // 2)
    return _least_degree(lambda d: _symmetric_ok(v01, d, eps), hi)


def _adeg_table(row: np.ndarray, eps: Fraction) -> int:
    v = _symmetric_values(row)
    if v is not None:
        return _adeg_symmetric(v, eps)
    n = row.shape[0].bit_length() - 1
    if n > MAX_GENERAL_N:
        raise BoolsensError(f"approximate_degree of a function that is not symmetric solves an LP over "
                            f"the 2**n points and supports n <= {MAX_GENERAL_N}; got n={n}")
    hi = int(degree(row))
    if eps >= Fraction(1, 2) or eps == 0 or hi == 0:
        return 0 if eps >= Fraction(1, 2) else hi
    lp = _General(row)
    return _least_degree(lambda d: _general_ok(lp, d, eps), hi)


# ----------------------------------------------------------------------------- public API
def approximate_degree(f: Any, eps: Any = Fraction(1, 3)) -> Any:
    r"""The ε-approximate degree :math:`\min\{d : E_d(f) \le \varepsilon\}`, f read as 0/1-valued
    with True = 1 (Nisan–Szegedy; ±1 readers double ε; see :mod:`boolsens.approximate_degree`).

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array; n <= 10, or any n <= 1,000 for a symmetric table
        (sent to :func:`approximate_degree_symmetric`).
    eps : Fraction, int or float >= 0 (default 1/3; a float is the exact rational it is, so pass
        ``Fraction(1, 3)``, not ``1/3``, for one third).

    Returns
    -------
    int for one function; an int64 array of the batch shape for a batch.

    Every decision :math:`E_d \le \varepsilon` of the binary search is certified exactly (see the
    module docstring); a tie at float precision too large to resolve exactly raises an error.

    Cost: about log₂(deg f) LPs with :math:`2^{n+1}` rows and up to :math:`2^n + 1` columns
    (a random f on a shared 2-core machine at load 7: n = 5 0.1 s, n = 8 2.3 s, n = 10 about 3 min).

    >>> import boolsens as bs
    >>> approximate_degree(bs.disjunction(4)), approximate_degree(bs.parity(4)), approximate_degree(bs.dictator(3))
    (2, 4, 1)
    >>> approximate_degree(bs.inner_product(2)), bs.degree(bs.inner_product(2))
    (2, 4)
    """
    eps = _check_eps(eps)
    t = as_table(f)
    rows = t.pm1_rows()
    out = np.array([_adeg_table(row, eps) for row in rows], dtype=np.int64)
    return t.like_input(t.squeeze(out))


def approximate_degree_symmetric(values: Any, eps: Any = Fraction(1, 3)) -> int:
    r"""The ε-approximate degree of the symmetric function with ``values[k]`` (±1) on the inputs
    with k coordinates equal to −1, k = 0..n (n <= 1,000), f read as 0/1-valued with True = 1.

    By Minsky–Papert symmetrisation it is the least d such that a univariate polynomial q of
    degree ≤ d has :math:`|v_k - q(k)| \le \varepsilon` at k = 0..n, :math:`v_k = (1 - values_k)/2`;
    solved by an LP in the Chebyshev basis and a binary search on d (see
    :mod:`boolsens.approximate_degree` for the tolerance and the exact re-check near ε).

    Cost: about 2 log₂ of the answer LPs with 2(n + 1) rows and at most about twice the answer +
    2 columns (OR at n = 1,000: a few seconds; answers near n = 1,000 take minutes).

    >>> approximate_degree_symmetric([1] + [-1] * 16)    # OR_16
    3
    >>> approximate_degree_symmetric([1, -1] * 50)       # PARITY_99
    99
    """
    eps = _check_eps(eps)
    return _adeg_symmetric(_check_symmetric_values(values), eps)


def approximation_error(f: Any, d: Any, *, exact: bool = False) -> Any:
    r"""The best uniform error :math:`E_d(f) = \min_{\deg p \le d} \max_x |g(x) - p(x)|` of a degree-≤ d
    real polynomial, g = (1 − f)/2 the 0/1 reading of f (True = 1; ±1 readers double it).

    Parameters
    ----------
    f : BooleanFunction or (2**n,) ±1 table; n <= 10, or a symmetric table (univariate LP).
    d : int in [0, n]
    exact : bool
        Return the exact optimum as a ``Fraction``, recovered from the LP's basis and checked
        (primal and dual feasibility, equal objectives); limited to at most
        :data:`MAX_EXACT_UNKNOWNS` monomials (every d at n <= 6), or degree
        :data:`MAX_EXACT_SYMMETRIC_DEGREE` for a symmetric table. Without it, HiGHS's float value.

    Cost: one LP (see :func:`approximate_degree`).

    >>> import boolsens as bs
    >>> approximation_error(bs.disjunction(2), 1, exact=True), approximation_error(bs.parity(3), 2)
    (Fraction(1, 4), 0.5)
    """
    if not isinstance(exact, (bool, np.bool_)):
        raise BoolsensError(f"exact={exact!r} must be True or False")
    t = as_table(f)
    if t.batch:
        raise BoolsensError(f"approximation_error takes one function; got a batch of shape {t.batch}")
    row = t.pm1_rows()[0]
    n = t.n
    d = check_int(d, name="d", minimum=0, maximum=n, context=f"a degree for n={n}")
    v = _symmetric_values(row)
    if v is not None:
        value, recover = _symmetric_error(((1 - v.astype(np.int64)) // 2), d)
        if not exact:
            return max(value, 0.0)
        got = recover()
    else:
        if n > MAX_GENERAL_N:
            raise BoolsensError(f"approximation_error of a function that is not symmetric supports "
                                f"n <= {MAX_GENERAL_N}; got n={n}")
        lp = _General(row)
        if not exact:
            return max(lp.solve(d)[2], 0.0)
        got = lp.bounds(d)[2]()
    if got is None:
        raise BoolsensError(f"exact=True recovers the optimum in Fractions for at most {MAX_EXACT_UNKNOWNS} "
                            f"unknowns (symmetric: degree <= {MAX_EXACT_SYMMETRIC_DEGREE}); n={n}, d={d} "
                            "is beyond that, or the float basis could not be made exact")
    return got
