r"""The census's further columns: GF(2) degree, spectral norm, Fourier entropy, minimum
sensitivity, nonlinearity, fractional block sensitivity, approximate degree, and which classes
hold threshold, monotone and symmetric functions.

:func:`extra_columns` takes the class rows of :func:`boolsens.census.census` (or any rows with
``table``, ``degree``, ``block_sensitivity`` and ``certificate_complexity``) and returns the
columns below, one row per input row. Every column is invariant under the NPN group
(permuting and negating inputs, negating the output) except monotonicity and symmetry, which
are not: for those a row gives how many functions of its class are monotone (symmetric).

================================  =======  =================================================
field                             dtype    meaning
================================  =======  =================================================
``gf2_degree``                    int8     degree of the algebraic normal form (0 for constants)
``spectral_norm``                 float64  Σ_S |f̂(S)|, exact (a dyadic rational)
``fourier_entropy``               float64  Σ_S f̂(S)² log₂(1/f̂(S)²) (rounded to float64)
``min_sensitivity``               int8     min_x s(f, x)
``nonlinearity``                  int16    2^{n−1} − max_S |Σ_x f(x) χ_S(x)| / 2
``fractional_block_sensitivity``  float64  fbs(f), exact (see below)
``approximate_degree``            int8     least d with a degree-d real polynomial within 1/3 of
                                           f read as 0/1-valued (Nisan–Szegedy), exact
``threshold``                     bool     the class holds linear threshold functions (then all
                                           of its functions are)
``monotone_members``              int32    how many functions of the class are monotone
``symmetric_members``             int32    how many functions of the class are symmetric
================================  =======  =================================================

Algorithms and cost
-------------------
* The spectral columns, the GF(2) degree (a Möbius transform on the table's word) and the
  minimum sensitivity are whole-array numpy operations: a few seconds for the 616,126 classes of
  n = 5.
* Fractional block sensitivity lies between bs and C; where they are equal it is that integer
  (on every function with n <= 5, as the census shows), and otherwise it is computed by
  :func:`boolsens.fractional_block_sensitivity`.
* Approximate degree: a descending search from the Fourier degree D. The best uniform error at
  degree n − 1 has the closed form |E[f·χ_[n]]| (the orthogonal complement of the polynomials of
  degree <= n − 1 is spanned by χ_[n]); below that each step is the linear programme
  min ε subject to |f(x) − p(x)| <= ε over the polynomials p of degree <= d, solved by HiGHS
  with the model kept and only the right-hand side changed from one class to the next (a warm
  start: about a millisecond per solve). A value within 1e-7 of 1/3 is decided again by the
  exact :func:`boolsens.approximation_error`. At n = 5 about 1.2 million solves.
* Threshold: every linear threshold function becomes a monotone one after negating some inputs,
  so the threshold classes are the classes of the monotone threshold functions; the monotone
  functions (7,581 at n = 5) are listed by recursion (f is monotone iff its two halves are and
  the lower is at most the upper), tested with :func:`boolsens.is_threshold`, and mapped to
  their classes by :func:`boolsens.census.npn_canonical`; so are the 2^{n+1} symmetric
  functions.
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np

from ._input.validation import check_flag, check_n
from .census import MAX_CENSUS_N, npn_canonical, table_measures, tables_to_signs
from .errors import BoolsensError
from .progress import bar

__all__ = ["extra_columns", "approximate_degrees", "EXTRA_FIELDS", "CLASS_FIELDS", "monotone_tables", "symmetric_tables", "ADEG_EPS"]

#: the error of the census's approximate degree (Nisan–Szegedy's 1/3, f read as 0/1-valued)
ADEG_EPS = Fraction(1, 3)

_DTYPES = {
    "gf2_degree": np.int8, "spectral_norm": np.float64, "fourier_entropy": np.float64,
    "min_sensitivity": np.int8, "nonlinearity": np.int16, "fractional_block_sensitivity": np.float64,
    "approximate_degree": np.int8, "threshold": np.bool_, "monotone_members": np.int32,
    "symmetric_members": np.int32,
}
#: the fields of :func:`extra_columns`, in order
EXTRA_FIELDS = tuple(_DTYPES)
#: the fields computed for every class at once (a lookup in a few thousand special functions),
#: the rest row by row
CLASS_FIELDS = ("threshold", "monotone_members", "symmetric_members")

_BLOCK = 1 << 16  # rows per numpy block (a few MiB of temporaries)
_MASKS = (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF,
          0x0000FFFF0000FFFF, 0x00000000FFFFFFFF)  # positions x with bit i of x equal to 0


def _full(n: int) -> int:
    return (1 << (1 << n)) - 1


@functools.lru_cache(maxsize=None)
def _hadamard(n: int) -> np.ndarray:
    """H[x, S] = χ_S(x) = (−1)^{|x ∧ S|} as float64 (exact for these integers)."""
    x = np.arange(1 << n)
    pop = np.array([bin(v).count("1") for v in range(1 << n)])
    return (1 - 2 * (pop[x[:, None] & x[None, :]] & 1)).astype(np.float64)


def _sizes(n: int) -> np.ndarray:
    return np.array([bin(v).count("1") for v in range(1 << n)], dtype=np.int64)


def _bits(tables: np.ndarray, n: int) -> np.ndarray:
    """(m, 2**n) uint8: bit x of each table (f(x) = −1 as 1)."""
    return ((tables[:, None] >> np.arange(1 << n, dtype=np.uint64)[None, :]) & np.uint64(1)).astype(np.uint8)


def _swap(t: np.ndarray, i: int, n: int) -> np.ndarray:
    """The tables of f(x ⊕ e_i)."""
    s, low = np.uint64(1 << i), np.uint64(_MASKS[i] & _full(n))
    return ((t >> s) & low) | ((t & low) << s)


def _anf_words(t: np.ndarray, n: int) -> np.ndarray:
    """The algebraic normal form of each table, as a word (bit S = coefficient of x^S): the
    Möbius transform a ^= (a & low_i) << 2^i for each coordinate i."""
    a = t.copy()
    for i in range(n):
        a ^= (a & np.uint64(_MASKS[i] & _full(n))) << np.uint64(1 << i)
    return a


def _fast_columns(t: np.ndarray, n: int, out: np.ndarray) -> None:
    """The spectral columns, the GF(2) degree and the minimum sensitivity of the tables ``t``."""
    N = 1 << n
    bits = _bits(t, n)
    w = (1.0 - 2.0 * bits) @ _hadamard(n)  # Walsh coefficients Σ_x f(x) χ_S(x), exact integers
    a = np.abs(w)
    out["spectral_norm"] = a.sum(axis=1) / N
    nz = a > 0
    p = np.where(nz, (a / N) ** 2, 1.0)
    out["fourier_entropy"] = -(p * np.log2(p)).sum(axis=1) + 0.0
    out["nonlinearity"] = ((N - a.max(axis=1)) // 2).astype(np.int16)
    anf = _bits(_anf_words(t, n), n)
    out["gf2_degree"] = (anf * _sizes(n)[None, :]).max(axis=1)
    flips = np.zeros_like(bits)
    for i in range(n):
        flips += _bits(t ^ _swap(t, i, n), n)
    out["min_sensitivity"] = flips.min(axis=1)


# ------------------------------------------------------------------------ approximate degree
class _UniformLP:
    """min ε s.t. |f(x) − Σ_{|S|<=d} c_S χ_S(x)| <= ε for every x: one HiGHS model per degree d,
    reused for every f (only the row bounds change), so each solve starts from the last basis."""

    def __init__(self, n: int, d: int):
        try:
            import highspy
        except ImportError as exc:  # pragma: no cover - highspy comes with the lp extra
            raise BoolsensError("the census's approximate_degree column needs highspy: "
                                "pip install 'boolsens[lp]'") from exc
        from scipy import sparse

        # the base class: highspy.Highs (its subclass) prints a banner on stdout when made
        self._h = h = getattr(getattr(highspy, "_core", None), "_Highs", highspy.Highs)()
        h.setOptionValue("output_flag", False)
        self._inf = inf = highspy.kHighsInf
        N = 1 << n
        A = _hadamard(n)[:, _sizes(n) <= d]
        m = A.shape[1]
        M = sparse.csc_matrix(np.block([[A, np.ones((N, 1))], [A, -np.ones((N, 1))]]))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = m + 1, 2 * N
        lp.col_cost_ = np.r_[np.zeros(m), 1.0]
        lp.col_lower_ = np.r_[np.full(m, -inf), 0.0]
        lp.col_upper_ = np.full(m + 1, inf)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = M.indptr, M.indices, M.data
        lp.row_lower_ = np.r_[np.zeros(N), np.full(N, -inf)]
        lp.row_upper_ = np.r_[np.full(N, inf), np.zeros(N)]
        h.passModel(lp)
        self._rows = np.arange(2 * N, dtype=np.int32)
        self._ok = highspy.HighsModelStatus.kOptimal
        self._N = N
        self._A = A

    def error(self, f01: np.ndarray) -> float:
        """The best uniform error of the 0/1 values ``f01`` at this degree (HiGHS's float)."""
        inf, N = self._inf, self._N
        self._h.changeRowsBounds(2 * N, self._rows, np.r_[f01, np.full(N, -inf)], np.r_[np.full(N, inf), f01])
        self._h.run()
        if self._h.getModelStatus() != self._ok:  # pragma: no cover - the programme is always feasible
            raise BoolsensError("HiGHS did not solve an approximation programme of the census to optimality")
        return self._h.getInfo().objective_function_value

    def within(self, f01: np.ndarray, eps: Fraction) -> bool | None:
        """Decide E_d <= eps exactly after :meth:`error` on ``f01``, from the last solution: True
        when the primal polynomial, its coefficients read as fractions of small denominator, is
        within eps everywhere (exact integer arithmetic); False when the dual, read the same way
        and projected exactly onto the functions orthogonal to every character of degree <= d,
        shows an error above eps; None when neither certificate holds."""
        N, A = self._N, self._A
        sol = self._h.getSolution()
        coef = [Fraction(float(c)).limit_denominator(1 << 12) for c in sol.col_value[:A.shape[1]]]
        den = math.lcm(*(c.denominator for c in coef), eps.denominator)
        p = A.astype(np.int64) @ np.array([int(c * den) for c in coef], dtype=np.int64)
        if int(np.abs(f01.astype(np.int64) * den - p).max()) * eps.denominator <= eps.numerator * den:
            return True
        dual = np.asarray(sol.row_dual)
        psi = [Fraction(float(v)).limit_denominator(1 << 12) for v in dual[:N] + dual[N:]]
        dd = math.lcm(*(v.denominator for v in psi))
        ints = np.array([int(v * dd) for v in psi], dtype=object)
        # exact projection onto the complement of the degree <= d characters: ψ − A Aᵀψ / N
        proj = ints * N - A.astype(object) @ (A.T.astype(object) @ ints)
        norm = int(np.abs(proj).sum())
        if norm and abs(int(proj @ f01.astype(np.int64).astype(object))) * eps.denominator > eps.numerator * norm:
            return False
        return None


@functools.lru_cache(maxsize=None)
def _dual_vertices(n: int, d: int) -> np.ndarray:
    """Integer functions ψ (columns, one per point x) orthogonal to every character of degree
    <= d such that E_d(f) = max_ψ |⟨f, ψ⟩| / ‖ψ‖₁ for every f: the vertices of the dual
    programme's feasible set {ψ ⊥ V_d : ‖ψ‖₁ <= 1}, up to scale.

    ψ = P a with P the characters of degree > d (k of them); ‖P a‖₁ is linear on each cone of
    the arrangement of the hyperplanes {a : (P a)(x) = 0}, so the unit ball's vertices lie on
    the extreme rays of the cones: the lines where k − 1 independent hyperplanes meet, each the
    vector of signed (k − 1)-minors (exact integers). Used for d >= n − 2 (k <= n + 1)."""
    sizes = _sizes(n)
    P = _hadamard(n)[:, sizes > d].astype(np.int64)
    k = P.shape[1]
    planes = np.unique(P * np.where(P[:, :1] < 0, -1, 1), axis=0)  # one per ± pair of rows
    if k == 1:
        return P
    subs = planes[np.array(list(itertools.combinations(range(len(planes)), k - 1)))].astype(np.float64)
    minors = np.stack([(-1) ** j * np.linalg.det(np.delete(subs, j, axis=2)) for j in range(k)], axis=1)
    v = np.rint(minors).astype(np.int64)  # determinants of ±1 matrices of order <= 5: exact
    v = v[v.any(axis=1)]
    v //= np.gcd.reduce(np.abs(v), axis=1)[:, None]
    first = v[np.arange(len(v)), (v != 0).argmax(axis=1)]
    rays = np.unique(v * np.sign(first)[:, None], axis=0)
    return P @ rays.T


def _within_by_vertices(f01: np.ndarray, n: int, d: int, eps: Fraction) -> np.ndarray:
    """E_d(f) <= eps for each 0/1 row of ``f01``, exactly, from :func:`_dual_vertices`."""
    psi = _dual_vertices(n, d)
    norms = np.abs(psi).sum(axis=0)
    ok = np.ones(len(f01), dtype=bool)
    for a in range(0, len(f01), 4096):  # integer products, exact in float64 (|value| < 2**53)
        dots = np.abs(f01[a:a + 4096].astype(np.float64) @ psi.astype(np.float64))
        ok[a:a + 4096] = (dots * eps.denominator <= norms * eps.numerator).all(axis=1)
    return ok


def _approximate_degrees(t: np.ndarray, degree: np.ndarray, n: int, show: bool | None) -> np.ndarray:
    """The approximate degree (eps = 1/3, 0/1 reading) of each table, by the descending search
    described in the module docstring."""
    eps = float(ADEG_EPS)
    out = degree.astype(np.int8).copy()  # an upper bound, lowered while E_d <= 1/3
    final = degree <= 1  # degree 0 or 1: the approximate degree equals it
    N = 1 << n
    # d = n − 1 and n − 2 exactly from the dual vertices, for every row at once
    for d in range(n - 1, max(n - 3, 0), -1):
        rows = np.flatnonzero(~final & (out == d + 1))
        ok = _within_by_vertices(_bits(t[rows], n), n, d, ADEG_EPS) if rows.size else np.zeros(0, bool)
        out[rows[ok]] = d
        final[rows[~ok]] = True
    todo = np.flatnonzero(~final & (out >= 2))
    lps: dict[int, _UniformLP] = {}
    with bar(len(todo), desc=f"approximate degree n={n}", unit="class", enabled=show) as b:
        for k, row in enumerate(todo):
            f01 = ((t[row] >> np.arange(N, dtype=np.uint64)) & np.uint64(1)).astype(np.float64)
            d = int(out[row]) - 1
            while d >= 1:
                lp = lps.get(d) or lps.setdefault(d, _UniformLP(n, d))
                e = lp.error(f01)
                if abs(e - eps) <= 1e-7:  # too near 1/3 for floats: decided exactly
                    ok = lp.within(f01, ADEG_EPS)
                    if ok is None:
                        from .approximate_degree import approximation_error

                        ok = approximation_error(tables_to_signs(t[row:row + 1], n)[0], d, exact=True) <= ADEG_EPS
                    if not ok:
                        break
                elif e > eps:
                    break
                out[row] = d
                d -= 1
            if k % 256 == 255:
                b.update(256)
        b.update(len(todo) % 256)
    return out


def approximate_degrees(tables: Any, n: int, *, show_progress: bool | None = None) -> np.ndarray:
    r"""The approximate degree (ε = 1/3, f read as 0/1-valued, True = 1: Nisan–Szegedy's
    convention) of each table on n <= 5 variables, exactly, as an int8 array: the same values as
    :func:`boolsens.approximate_degree`, by the batched method of the module docstring (exact dual
    vertices at degrees n − 1 and n − 2, warm-started programmes below), about 300 µs per table at
    n = 5 instead of milliseconds.

    >>> import numpy as np
    >>> from boolsens.census_extra import approximate_degrees
    >>> approximate_degrees(np.array([0b0001, 0b0110, 0b1000]), 2).tolist()  # AND-like, XOR, AND-like
    [1, 2, 1]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    t = np.atleast_1d(np.asarray(tables)).astype(np.uint64)
    degree = np.asarray(table_measures(t, n, fields=["degree"])["degree"])
    return _approximate_degrees(t, degree, n, show_progress)


# ---------------------------------------------------------------- monotone and symmetric
@functools.lru_cache(maxsize=None)
def monotone_tables(n: int) -> np.ndarray:
    r"""Every monotone function on n <= 5 variables as a table (bit x = f(x), True = 1), sorted.

    Monotone in O'Donnell's sense (x <= y coordinatewise with −1 < 1 implies f(x) <= f(y)):
    with True = −1 this is a table whose set of True points is closed under turning coordinates
    from 1 to −1, i.e. under setting bits of x. A table on n variables is its lower half
    (x_{n−1} = 1) and its upper half; it is monotone iff both halves are and lower ⊆ upper, so
    the tables are listed by recursion. The counts are the Dedekind numbers 2, 3, 6, 20, 168,
    7581 for n = 0 … 5.

    >>> from boolsens.census_extra import monotone_tables
    >>> monotone_tables(2).tolist()
    [0, 8, 10, 12, 14, 15]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    if n == 0:
        return np.array([0, 1], dtype=np.uint64)
    half = monotone_tables(n - 1)
    lo, hi = np.meshgrid(half, half, indexing="ij")
    keep = (lo & ~hi) == 0
    shift = np.uint64(1 << (n - 1))
    return np.sort((lo[keep] | (hi[keep] << shift)).astype(np.uint64))


@functools.lru_cache(maxsize=None)
def symmetric_tables(n: int) -> np.ndarray:
    r"""The 2^{n+1} symmetric functions on n <= 5 variables as tables, sorted: f(x) depends only
    on the number of coordinates equal to −1.

    >>> from boolsens.census_extra import symmetric_tables
    >>> symmetric_tables(1).tolist()
    [0, 1, 2, 3]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    weight = _sizes(n)
    out = []
    for code in range(1 << (n + 1)):
        out.append(sum(1 << x for x in range(1 << n) if (code >> weight[x]) & 1))
    return np.sort(np.array(out, dtype=np.uint64))


def _members(rows_tables: np.ndarray, functions: np.ndarray, n: int, np_only: bool) -> np.ndarray:
    """How many of ``functions`` fall in each class (rows' canonical tables, sorted)."""
    canon = np.atleast_1d(np.asarray(npn_canonical(functions.astype(np.uint64), n=n, np_only=np_only),
                                     dtype=np.uint64))
    classes, counts = np.unique(canon, return_counts=True)
    out = np.zeros(len(rows_tables), dtype=np.int32)
    where = np.searchsorted(rows_tables, classes)
    hit = (where < len(rows_tables)) & (rows_tables[np.minimum(where, len(rows_tables) - 1)] == classes)
    out[where[hit]] = counts[hit]
    return out


@functools.lru_cache(maxsize=None)
def _threshold_classes(n: int, np_only: bool) -> np.ndarray:
    """The canonical tables of the classes of linear threshold functions on n variables (every
    one is NP-equivalent to a monotone one: negate the inputs of negative weight)."""
    from .linear_threshold import is_threshold

    classes = np.unique(np.atleast_1d(np.asarray(npn_canonical(monotone_tables(n), n=n, np_only=np_only),
                                                 dtype=np.uint64)))
    keep = np.array([is_threshold(row) for row in tables_to_signs(classes, n)], dtype=bool)  # class invariant
    return classes[keep]


# ------------------------------------------------------------------------------ the columns
def extra_columns(rows: np.ndarray, n: int, *, fields: Any = None, np_classes: bool = False,
                  show_progress: bool | None = None) -> np.ndarray:
    r"""The further census columns (:data:`EXTRA_FIELDS`) of the class rows ``rows``.

    Parameters
    ----------
    rows : numpy structured array with ``table`` (canonical tables, sorted) and, for the
        fractional block sensitivity and approximate degree, ``degree``, ``block_sensitivity``
        and ``certificate_complexity`` (the rows of :func:`boolsens.census.census`)
    n : int in [0, 5]
    fields : iterable of names in :data:`EXTRA_FIELDS`, optional (all by default)
    np_classes : bool
        The rows are NP classes (``census(n, np_classes=True)``): members are counted by NP class.
    show_progress : bool or None (a bar on the approximate degree's solves; None: on a terminal)

    Returns
    -------
    numpy structured array, one row per input row, with the requested fields.

    Cost: the numpy columns a few seconds at n = 5; the approximate degree about 1.2 million
    warm-started linear programmes at n = 5 (a millisecond each); threshold 7,581 small
    programmes at n = 5.

    >>> import numpy as np
    >>> from boolsens.census import census
    >>> from boolsens.census_extra import extra_columns
    >>> rows = census(3)
    >>> extra = extra_columns(rows, 3, fields=["gf2_degree", "nonlinearity", "threshold"])
    >>> int(extra["threshold"] @ rows["orbit"])  # the linear threshold functions on 3 variables
    104
    >>> int(extra["nonlinearity"].max())
    2
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    np_classes = check_flag(np_classes, name="np_classes")
    fields = EXTRA_FIELDS if fields is None else tuple(fields)
    unknown = [f for f in fields if f not in _DTYPES]
    if unknown:
        raise BoolsensError(f"fields={unknown!r} are not census columns; allowed: {', '.join(EXTRA_FIELDS)}")
    t = np.ascontiguousarray(rows["table"]).astype(np.uint64)
    out = np.zeros(len(t), dtype=np.dtype([(f, _DTYPES[f]) for f in fields]))
    fast = ("gf2_degree", "spectral_norm", "fourier_entropy", "min_sensitivity", "nonlinearity")
    if any(f in fields for f in fast):
        tmp = np.zeros(min(len(t), _BLOCK), dtype=np.dtype([(f, _DTYPES[f]) for f in fast]))
        for a in range(0, len(t), _BLOCK):
            part = tmp[:len(t[a:a + _BLOCK])]
            _fast_columns(t[a:a + _BLOCK], n, part)
            for f in fast:
                if f in fields:
                    out[f][a:a + _BLOCK] = part[f]
    if "fractional_block_sensitivity" in fields:
        bsens, cert = rows["block_sensitivity"], rows["certificate_complexity"]
        out["fractional_block_sensitivity"] = bsens
        gap = np.flatnonzero(bsens != cert)
        if gap.size:
            from .fractional import fractional_block_sensitivity

            signs = tables_to_signs(t[gap], n)
            out["fractional_block_sensitivity"][gap] = [float(fractional_block_sensitivity(r)) for r in signs]
    if "approximate_degree" in fields:
        out["approximate_degree"] = _approximate_degrees(t, np.asarray(rows["degree"]), n, show_progress)
    if "threshold" in fields:
        out["threshold"] = np.isin(t, _threshold_classes(n, np_classes))
    if "monotone_members" in fields:
        out["monotone_members"] = _members(t, monotone_tables(n), n, np_classes)
    if "symmetric_members" in fields:
        out["symmetric_members"] = _members(t, symmetric_tables(n), n, np_classes)
    return out
