r"""Learning the Fourier spectrum of a black box (O'Donnell 2014, §3.4–3.5): low-degree
coefficients (Linial–Mansour–Nisan), level weights by an unbiased U-statistic, and the heavy
coefficients by Goldreich–Levin / Kushilevitz–Mansour with membership queries.

Conventions: see :mod:`boolsens` (χ_S(x) = Π_{i∈S} x_i, f̂(S) = E[f(x) χ_S(x)], W^k = Σ_{|S|=k} f̂(S)²);
``fn``, ``rng``, ``batch_size`` and ``show_progress`` as in :mod:`boolsens.estimate`. A subset is
reported as a sorted tuple of coordinates, e.g. ``(0, 17)``; as input it may also be an integer
bitmask (bit i set ⇔ i ∈ S).

Each function returns an :class:`~boolsens.estimate.Estimate` (a subclass of it, with the
subsets and the guarantee attached) whose ``table()`` is a dict of columns that
``pandas.DataFrame(...)`` loads.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from itertools import combinations
from typing import Any

import numpy as np

from .._input.validation import check_index, check_int, check_memory_fast, check_positive_int
from ..errors import BoolsensError
from ..progress import progress
from .evaluator import Evaluator
from .result import Estimate
from .sampling import _DRAW_ENTRIES, generator, uniform_points

__all__ = ["SpectrumEstimate", "WeightEstimate", "fourier_coefficients", "fourier_weights", "heavy_coefficients",
           "heavy_samples"]

#: most coefficients one call of fourier_coefficients computes (each costs O(samples) work)
MAX_SUBSETS = 2_000_000
#: entries (rows × columns) of one temporary block in the character and Gram computations
_BLOCK_ENTRIES = 1 << 22


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class SpectrumEstimate(Estimate):
    r"""Estimates of Fourier coefficients f̂(S), one per subset: an :class:`Estimate` whose
    ``value`` and ``stderr`` are (K,) arrays in the order of ``subsets``.

    Attributes
    ----------
    value, stderr, samples, seed, measure, evaluations
        As in :class:`Estimate`.
    subsets : tuple of tuples
        The subsets S, each a sorted tuple of coordinates.
    halfwidth : (K,) float64 array
        The Hoeffding half-width t: |estimate − f̂(S)| < t with probability ≥ ``confidence`` for
        each S (pointwise). t = B·√(2 ln(2/(1 − confidence)) / samples) when |f| ≤ B (B = 1 for
        ±1 outputs); NaN when no bound B is known (real outputs without ``bound=``).
    confidence : float
        The confidence of each Hoeffding interval.
    guarantee : str
        What the result guarantees, in words (for :func:`heavy_coefficients`: the Goldreich–Levin
        list guarantee, δ and the queries used).

    ``queries`` is ``evaluations`` (rows passed to ``fn``). ``table()`` gives the columns
    subset, degree, estimate, stderr, hoeffding_low, hoeffding_high, confidence.
    """

    subsets: tuple = ()
    halfwidth: Any = None
    confidence: float = 0.95
    guarantee: str = ""

    @property
    def queries(self) -> int | None:
        """Rows passed to ``fn`` (the same as ``evaluations``)."""
        return self.evaluations

    def table(self) -> dict[str, list]:
        """Columns (lists of plain numbers) for ``pandas.DataFrame(est.table())``."""
        value = np.asarray(self.value, dtype=np.float64)
        half = np.asarray(self.halfwidth, dtype=np.float64)
        return {"subset": list(self.subsets), "degree": [len(s) for s in self.subsets],
                "estimate": value.tolist(), "stderr": np.asarray(self.stderr, dtype=np.float64).tolist(),
                "hoeffding_low": (value - half).tolist(), "hoeffding_high": (value + half).tolist(),
                "confidence": [self.confidence] * len(self.subsets)}

    def as_dict(self) -> dict[str, Any]:
        """:meth:`Estimate.as_dict` plus ``subsets``, ``halfwidth``, ``confidence`` (and ``guarantee``)."""
        out = super().as_dict()
        out.update(subsets=[list(s) for s in self.subsets], halfwidth=np.asarray(self.halfwidth).tolist(),
                   confidence=self.confidence)
        if self.guarantee:
            out["guarantee"] = self.guarantee
        return out


@dataclasses.dataclass(frozen=True, eq=False, repr=False)
class WeightEstimate(Estimate):
    r"""Unbiased estimates of the level weights W^0, …, W^d: an :class:`Estimate` whose ``value``
    and ``stderr`` are (d + 1,) arrays (entry k is W^k), plus the tail.

    Attributes
    ----------
    value, stderr, samples, seed, measure, evaluations
        As in :class:`Estimate`.
    tail : Estimate
        W^{>d} = E[f²] − Σ_{k≤d} W^k (E[f²] = 1 for ±1 outputs; estimated by the mean of f(x)²
        otherwise), unbiased, with its jackknife standard error.
    method : str
        ``"features"`` or ``"gram"`` (see :func:`fourier_weights`).

    ``table()`` gives the columns level (0, …, d and ``">d"``), estimate, stderr.
    """

    tail: Any = None
    method: str = ""

    def table(self) -> dict[str, list]:
        """Columns (lists of plain numbers) for ``pandas.DataFrame(est.table())``."""
        d = len(self.value) - 1
        return {"level": list(range(d + 1)) + [f">{d}"],
                "estimate": list(map(float, self.value)) + [float(self.tail.value)],
                "stderr": list(map(float, self.stderr)) + [float(self.tail.stderr)]}

    def as_dict(self) -> dict[str, Any]:
        """:meth:`Estimate.as_dict` plus ``tail`` (its own dict) and ``method``."""
        out = super().as_dict()
        out.update(tail=self.tail.as_dict(), method=self.method)
        return out


# --------------------------------------------------------------------------- shared helpers
def _sample(ev: Evaluator, gen: np.random.Generator, samples: int, show_progress: bool | None):
    """Uniform points in chunks fixed by n alone (so the draw does not depend on batch_size) and
    their values; yields (x, y) per chunk."""
    chunk = max(1, _DRAW_ENTRIES // ev.n)
    starts = range(0, samples, chunk)
    with ev.evaluating():
        for lo in progress(starts, total=len(starts), desc=f"estimating {ev.measure}", enabled=show_progress,
                           min_total=8):
            x = uniform_points(gen, min(chunk, samples - lo), ev.n)
            yield x, ev(x)


def _hoeffding(samples: int, bound: float, confidence: float) -> float:
    """t with 2 exp(−samples t² / (2 bound²)) = 1 − confidence (values in [−bound, bound])."""
    return bound * math.sqrt(2.0 * math.log(2.0 / (1.0 - confidence)) / samples)


def _check_open_unit(value: Any, *, name: str, closed_right: bool = False) -> float:
    """A real number in (0, 1) (or (0, 1] with ``closed_right``)."""
    ok = not isinstance(value, (bool, np.bool_)) and isinstance(value, numbers.Real) and math.isfinite(value)
    hi = "1]" if closed_right else "1)"
    if not ok or not (0.0 < value < 1.0 or (closed_right and value == 1.0)):
        raise BoolsensError(f"{name}={value!r} must be a real number in (0, {hi}")
    return float(value)


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _parse_subsets(subsets: Any, n: int) -> list[tuple[int, ...]]:
    """Subsets given as iterables of coordinates or as integer bitmasks -> sorted tuples."""
    if isinstance(subsets, (str, bytes)) or not hasattr(subsets, "__iter__"):
        raise BoolsensError(f"subsets={subsets!r} must be a sequence of subsets (tuples of coordinates "
                            "or integer bitmasks)")
    out = []
    for s in subsets:
        if isinstance(s, (numbers.Integral, np.integer)) and not isinstance(s, (bool, np.bool_)):
            s = int(s)
            if s < 0 or s.bit_length() > n:
                raise BoolsensError(f"subsets entry {s} is a bitmask outside [0, 2**{n})")
            bits = bin(s)[2:][::-1]
            out.append(tuple(i for i, b in enumerate(bits) if b == "1"))
            continue
        if isinstance(s, (str, bytes)) or not hasattr(s, "__iter__"):
            raise BoolsensError(f"subsets entry {s!r} must be a tuple of coordinates or an integer bitmask")
        t = tuple(sorted(check_index(i, n, name="subsets coordinate") for i in s))
        if len(set(t)) != len(t):
            raise BoolsensError(f"subsets entry {tuple(s)!r} repeats a coordinate")
        out.append(t)
    if not out:
        raise BoolsensError("subsets is empty; pass at least one subset")
    return out


def _level_sums(X: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Σ_r y_r χ_S(x_r) for every |S| = k, in the order of itertools.combinations(range(n), k).

    k = 0, 1, 2 are one matrix product each (Xᵀy, the upper triangle of Xᵀ diag(y) X); k ≥ 3 runs
    over the first k − 2 elements T of S and takes the pairs above max(T) from one product with
    weights y·χ_T.
    """
    m, n = X.shape
    if k == 0:
        return np.array([y.sum()])
    if k == 1:
        return X.T @ y
    if k == 2:
        return ((X * y[:, None]).T @ X)[np.triu_indices(n, 1)]
    parts = []
    for T in combinations(range(n), k - 2):
        a = T[-1] + 1
        if n - a < 2:
            continue
        z = y * np.prod(X[:, list(T)], axis=1)
        sub = X[:, a:]
        parts.append(((sub * z[:, None]).T @ sub)[np.triu_indices(n - a, 1)])
    return np.concatenate(parts)


def _subset_sums(X: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Σ_r y_r χ_S(x_r) for explicit subsets, ``idx`` (K, dmax) padded with n (a column of ones)."""
    m, n = X.shape
    Xp = np.concatenate([X, np.ones((m, 1), dtype=X.dtype)], axis=1)
    K, dmax = idx.shape
    out = np.empty(K)
    step = max(1, _BLOCK_ENTRIES // max(1, m * max(dmax, 1)))
    for lo in range(0, K, step):
        chi = Xp[:, idx[lo:lo + step]].prod(axis=2, dtype=np.float64) if dmax else np.ones((m, min(step, K - lo)))
        out[lo:lo + step] = y @ chi
    return out


def _output_bound(bound: Any, ymax: float) -> float:
    """B with |f| ≤ B for the Hoeffding intervals: ``bound`` (checked against the outputs seen),
    1 for outputs that were all ±1, else NaN."""
    if bound is None:
        return float("nan")
    if isinstance(bound, (bool, np.bool_)) or not isinstance(bound, numbers.Real) or not (0 < bound < math.inf):
        raise BoolsensError(f"bound={bound!r} must be a positive finite number (a bound on |f|)")
    if ymax > bound:
        raise BoolsensError(f"bound={bound!r} is not a bound on |f|: fn returned a value of absolute value {ymax:g}")
    return float(bound)


# --------------------------------------------------------------------------- coefficients
def fourier_coefficients(
    fn: Any,
    n: int | None = None,
    *,
    subsets: Any = None,
    max_degree: int | None = None,
    samples: int = 100_000,
    confidence: float = 0.95,
    bound: float | None = None,
    batch_size: int | None = None,
    rng: Any = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> SpectrumEstimate:
    r"""Estimate Fourier coefficients :math:`\hat f(S) = E[f(x)\chi_S(x)]` from uniform samples:
    the low-degree algorithm of Linial, Mansour and Nisan (O'Donnell 2014, §3.4–3.5).

    Pass exactly one of ``subsets`` (a sequence of subsets: tuples of coordinates or integer
    bitmasks) or ``max_degree`` = d (every S with |S| ≤ d, ordered by degree, then
    lexicographically as ``itertools.combinations``: Σ_{k≤d} C(n, k) coefficients, e.g. 5,051 at
    n = 100, d = 2).

    Estimator: the average of f(x)χ_S(x) over ``samples`` uniform points x, the same points for
    every S (entries are correlated, each unbiased). Its standard error is the sample standard
    deviation over √samples; since (f χ_S)² = f², the per-sample variance is E[f²] − f̂(S)²
    (1 − f̂(S)² for ±1 f). Guarantee (Hoeffding): for |f| ≤ B,
    Pr[|estimate − f̂(S)| ≥ t] ≤ 2 exp(−samples·t²/(2B²)); ``halfwidth`` is this t at
    ``confidence`` for each S. B = 1 when every output seen is ±1; for real outputs pass ``bound``
    = B (checked against the outputs seen), else the Hoeffding columns are NaN. For all K
    coefficients at once to within t with probability ≥ 1 − δ (the LMN guarantee), use
    ``confidence = 1 − δ/K``.

    Cost: ``samples`` evaluations; computation as matrix products over the sample, not subset by
    subset: level 1 is Xᵀy and level 2 the upper triangle of Xᵀ diag(y) X (O(samples·n²)), a level
    k ≥ 3 one such product per (k − 2)-subset (O(samples·n^k)); explicit subsets cost
    O(samples·Σ|S|). Memory O(2**20 + n² + K).

    >>> import boolsens as bs
    >>> est = bs.estimate.fourier_coefficients(bs.majority(3), max_degree=3, samples=4_000, rng=0)
    >>> est.subsets
    ((), (0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2))
    >>> exact = [0, .5, .5, .5, 0, 0, 0, -.5]
    >>> bool((abs(est.value - exact) < est.halfwidth).all())
    True
    """
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="fourier_coefficients")
    n = ev.n
    samples = check_positive_int(samples, name="samples", minimum=2)
    confidence = _check_open_unit(confidence, name="confidence")
    if (subsets is None) == (max_degree is None):
        raise BoolsensError("pass exactly one of subsets= (a sequence of subsets) or max_degree= (an integer)")
    if max_degree is not None:
        d = check_int(max_degree, name="max_degree", minimum=0, maximum=n)
        count = sum(math.comb(n, k) for k in range(d + 1))
        if count > MAX_SUBSETS:
            raise BoolsensError(f"max_degree={d} at n={n} asks for {count:,} coefficients; at most "
                                f"{MAX_SUBSETS:,} per call (pass subsets= for a selection)")
        subs = [S for k in range(d + 1) for S in combinations(range(n), k)]
        ev.measure = f"fourier_coefficients(max_degree={d})"
        idx = None
    else:
        subs = _parse_subsets(subsets, n)
        dmax = max(len(S) for S in subs)
        idx = np.full((len(subs), dmax), n, dtype=np.int64)
        for r, S in enumerate(subs):
            idx[r, :len(S)] = S
        ev.measure = f"fourier_coefficients({len(subs)} subsets)"
    check_memory_fast(8.0 * (len(subs) + n * n), what="fourier_coefficients")
    gen, seed = generator(rng)
    sums = np.zeros(len(subs))
    sum_sq, ymax = 0.0, 0.0
    all_pm1 = True
    for x, y in _sample(ev, gen, samples, show_progress):
        X = x.astype(np.float64)
        if idx is None:
            sums += np.concatenate([_level_sums(X, y, k) for k in range(d + 1)])
        else:
            sums += _subset_sums(X, y, idx)
        sum_sq += float(y @ y)
        ymax = max(ymax, float(np.abs(y).max()))
        all_pm1 = all_pm1 and bool((np.abs(y) == 1.0).all())
    value = sums / samples
    var = np.maximum(sum_sq - samples * value * value, 0.0) / (samples - 1)
    stderr = np.sqrt(var / samples)
    B = 1.0 if (bound is None and all_pm1) else _output_bound(bound, ymax)
    half = np.full(len(subs), _hoeffding(samples, B, confidence))
    return SpectrumEstimate(value=_readonly(value), stderr=_readonly(stderr), samples=samples, seed=seed,
                            measure=ev.measure, evaluations=ev.rows, subsets=tuple(subs),
                            halfwidth=_readonly(half), confidence=confidence,
                            guarantee=f"each |estimate - f^(S)| < halfwidth with probability >= {confidence:g} "
                                      f"(Hoeffding, |f| <= {B:g})")


# --------------------------------------------------------------------------- level weights
def _krawtchouk(p: np.ndarray, n: int, d: int) -> list[np.ndarray]:
    """K_k = Σ_{|S|=k} χ_S(x)χ_S(x') = e_k(x ⊙ x') for k ≤ d, from p = ⟨x, x'⟩: K_0 = 1, K_1 = p,
    (k + 1) K_{k+1} = p K_k − (n − k + 1) K_{k−1} (Krawtchouk recurrence; K_2 = (p² − n)/2,
    K_3 = (p³ − 3np + 2p)/6)."""
    out = [np.ones_like(p), p]
    for k in range(1, d):
        out.append((p * out[k] - (n - k + 1) * out[k - 1]) / (k + 1))
    return out[:d + 1]


def _row_sums_features(X: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """(m, d+1): R_k[r] = y_r Σ_{|S|=k} χ_S(x_r) A_S with A_S = Σ_j y_j χ_S(x_j) (d ≤ 2), by
    matrix products: A_∅ = Σy, A_{i} = Xᵀy, A_{ij} = (Xᵀ diag(y) X)_{ij}."""
    m, n = X.shape
    R = np.empty((m, d + 1))
    R[:, 0] = y * y.sum()
    step = max(1, _BLOCK_ENTRIES // n)
    if d >= 1:
        a1 = np.zeros(n)
        M = np.zeros((n, n)) if d >= 2 else None
        for lo in range(0, m, step):
            Xb = X[lo:lo + step].astype(np.float64)
            yb = y[lo:lo + step]
            a1 += Xb.T @ yb
            if M is not None:
                M += (Xb * yb[:, None]).T @ Xb
        if M is not None:
            np.fill_diagonal(M, 0.0)
        for lo in range(0, m, step):
            Xb = X[lo:lo + step].astype(np.float64)
            yb = y[lo:lo + step]
            R[lo:lo + step, 1] = yb * (Xb @ a1)
            if M is not None:
                R[lo:lo + step, 2] = yb * ((Xb @ M) * Xb).sum(axis=1) / 2.0
    return R


def _row_sums_gram(X: np.ndarray, y: np.ndarray, d: int) -> np.ndarray:
    """(m, d+1): R_k[r] = y_r Σ_j y_j K_k(⟨x_r, x_j⟩), the Gram matrix taken by row blocks."""
    m, n = X.shape
    Xf = X.astype(np.float32)  # ⟨x, x'⟩ is an integer of size ≤ n: exact in float32 for n < 2**24
    R = np.empty((m, d + 1))
    step = max(1, _BLOCK_ENTRIES // max(m, 1))
    for lo in range(0, m, step):
        G = (Xf[lo:lo + step] @ Xf.T).astype(np.float64)
        for k, Kk in enumerate(_krawtchouk(G, n, d)):
            R[lo:lo + step, k] = y[lo:lo + step] * (Kk @ y)
    return R


def fourier_weights(
    fn: Any,
    n: int | None = None,
    *,
    max_degree: int,
    samples: int = 10_000,
    method: str = "auto",
    batch_size: int | None = None,
    rng: Any = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> WeightEstimate:
    r"""Unbiased estimates of the level weights :math:`W^k(f)=\sum_{|S|=k}\hat f(S)^2` for
    k ≤ d = ``max_degree``, and of the tail W^{>d} = E[f²] − Σ_{k≤d} W^k.

    Why not Σ_S (estimated f̂(S))²: each squared sample mean is biased upward by its variance,
    (E[f²] − f̂(S)²)/m, which summed over the C(n, k) subsets of a level swamps the weight. The
    estimator here is the U-statistic over the pairs i ≠ j of the m = ``samples`` uniform points,

    .. math:: \widehat{W^k} = \frac{1}{m(m-1)} \sum_{i \ne j} y_i y_j K_k(x_i, x_j), \quad
              K_k(x, x') = \sum_{|S|=k} \chi_S(x)\chi_S(x') = e_k(x \odot x'),

    unbiased because E[y_i χ_S(x_i) · y_j χ_S(x_j)] = f̂(S)² for independent x_i, x_j. The tail
    uses the sample mean of f(x)² for E[f²] (exactly 1 for ±1 outputs), so it is unbiased too.
    Standard errors: the delete-one jackknife, computed exactly from the row sums of the kernel
    (U_{−r} = (T − 2 s_r)/((m − 1)(m − 2)) with T the sum over all pairs and s_r the sum over
    pairs containing r), plus the second-order term of the U-statistic's variance,
    2ζ₂/(m(m − 1)) with ζ₂ = E[h²] − (W^k)² and E[h²] = C(n, k)·E[f²]² (exact for ±1 outputs, a
    lower bound otherwise). The jackknife alone estimates the first-order term; where a weight
    is 0 (a degenerate U-statistic, e.g. W⁰ of a balanced f) it is small exactly when the
    estimate is near its typical value and its ±1.96 SE intervals covered only about 80 %; with
    the second term they cover at least the nominal rate (checked over 200 seeds in the
    tests). The per-level variance is about 4 Var_x(y Σ_{|S|=k} f̂(S)χ_S(x))/m +
    2 E[f²]² C(n, k)/m², so level k needs m ≫ √C(n, k) samples to resolve weights of order 1
    (m = 10⁴ gives SE ≈ 0.01 at n = 100, k = 2).

    ``method``:

    ``"features"`` (d ≤ 2)
        Σ_{i,j} y_i y_j K_k = Σ_{|S|=k} A_S² with A_S = Σ_j y_j χ_S(x_j): A for level 1 is Xᵀy, for
        level 2 the off-diagonal of Xᵀ diag(y) X. Cost O(m·n²) time, O(m·n + n²) memory.
    ``"gram"`` (any d)
        K_k(x, x') depends only on p = ⟨x, x'⟩: K_0 = 1, K_1 = p, K_2 = (p² − n)/2,
        K_3 = (p³ − 3np + 2p)/6, and in general the Krawtchouk recurrence
        (k + 1)K_{k+1} = pK_k − (n − k + 1)K_{k−1}; the Gram matrix G = XXᵀ is taken in row
        blocks. Cost O(m²·(n + d)) time, O(m·n + 2**22) memory.
    ``"auto"`` (default)
        ``"features"`` for d ≤ 2, else ``"gram"``.

    Evaluations: ``samples`` (the points are kept, m·n bytes). Real outputs are allowed.

    >>> import boolsens as bs
    >>> est = bs.estimate.fourier_weights(bs.majority(5), max_degree=2, samples=4_000, rng=0)
    >>> exact = bs.fourier_weights(bs.majority(5))[:3]          # 0, 0.703125, 0
    >>> bool((abs(est.value - exact) < 4 * est.stderr).all())
    True
    >>> abs(est.tail.value - 0.296875) < 4 * est.tail.stderr   # W^3 + W^5
    True
    """
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="fourier_weights")
    n = ev.n
    d = check_int(max_degree, name="max_degree", minimum=0, maximum=n)
    samples = check_positive_int(samples, name="samples", minimum=3)
    if method not in ("auto", "features", "gram"):
        raise BoolsensError(f"method={method!r} must be one of 'auto', 'features', 'gram'")
    if method == "auto":
        method = "features" if d <= 2 else "gram"
    if method == "features" and d > 2:
        raise BoolsensError(f"method='features' computes levels up to 2; max_degree={d} needs method='gram'")
    ev.measure = f"fourier_weights(max_degree={d})"
    check_memory_fast(float(samples) * n + 8.0 * samples * (d + 2) + (8.0 * n * n if method == "features" else 0),
                      what="fourier_weights")
    gen, seed = generator(rng)
    xs, ys = [], []
    for x, y in _sample(ev, gen, samples, show_progress):
        xs.append(x)
        ys.append(y)
    X, y = np.concatenate(xs), np.concatenate(ys)
    m = samples
    R = (_row_sums_features if method == "features" else _row_sums_gram)(X, y, d)
    binom = np.array([float(math.comb(n, k)) for k in range(d + 1)])
    y2 = y * y
    s = R - y2[:, None] * binom[None, :]          # s_r^k: the pairs (r, j), j ≠ r
    T = s.sum(axis=0)                              # the ordered pairs i ≠ j
    value = T / (m * (m - 1))
    loo = (T[None, :] - 2.0 * s) / ((m - 1) * (m - 2))    # (m, d+1) delete-one values
    loo_tail = (y2.sum() - y2) / (m - 1) - loo.sum(axis=1)
    # the second-order term 2 ζ₂/(m(m − 1)), ζ₂ = E h² − W² with E h² = C(n, k) E[f²]² for ±1 f
    q2 = float(y2.mean()) ** 2
    second = 2.0 * np.maximum(binom * q2 - value ** 2, 0.0) / (m * (m - 1))
    stderr = np.sqrt(np.array([_jackknife(loo[:, k]) ** 2 for k in range(d + 1)]) + second)
    tail_value = float(y2.mean() - value.sum())
    tail_second = 2.0 * max(float(binom.sum()) * q2 - float(value.sum()) ** 2, 0.0) / (m * (m - 1))
    tail = Estimate(value=tail_value, stderr=math.sqrt(_jackknife(loo_tail) ** 2 + tail_second), samples=m, seed=seed,
                    measure=f"fourier_weight_above(max_degree={d})", evaluations=ev.rows)
    return WeightEstimate(value=_readonly(value), stderr=_readonly(stderr), samples=m, seed=seed,
                          measure=ev.measure, evaluations=ev.rows, tail=tail, method=method)


def _jackknife(loo: np.ndarray) -> float:
    """Delete-one jackknife standard error from the m leave-one-out values."""
    m = loo.shape[0]
    return float(math.sqrt((m - 1) / m * float(((loo - loo.mean()) ** 2).sum())))


# --------------------------------------------------------------------------- heavy coefficients
def heavy_samples(n: int, threshold: float, delta: float) -> int:
    r"""Samples per level used by :func:`heavy_coefficients`: m = ⌈32 ln(2N/δ)/τ⁴⌉ with
    N = 2n⌊4/τ²⌋ bucket estimates in the union bound (each within τ²/4 by Hoeffding).

    >>> heavy_samples(1000, 0.5, 0.05)
    7200
    """
    N = 2 * n * math.floor(4.0 / threshold ** 2)
    return math.ceil(32.0 * math.log(2.0 * N / delta) / threshold ** 4)


def heavy_coefficients(
    fn: Any,
    n: int | None = None,
    *,
    threshold: float,
    delta: float = 0.05,
    batch_size: int | None = None,
    rng: Any = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> SpectrumEstimate:
    r"""Every S with \|f̂(S)\| ≥ τ = ``threshold``, by the Goldreich–Levin / Kushilevitz–Mansour
    algorithm with membership queries (O'Donnell 2014, §3.5, the Goldreich–Levin theorem;
    Kushilevitz & Mansour 1993). ``fn`` must return only ±1.

    Guarantee: with probability ≥ 1 − δ (``delta``) the returned list contains every S with
    \|f̂(S)\| ≥ τ and no S with \|f̂(S)\| < τ/2 (so at most 4/τ² subsets, by Parseval).

    Algorithm (bucket splitting): the bucket of T ⊆ [k] = {0, …, k − 1} holds the S with
    S ∩ [k] = T; its weight

    .. math:: W(k, T) = \sum_{S \cap [k] = T} \hat f(S)^2 = E_{x, x' \in \{\pm1\}^k,\, z}
              \big[f(x z)\, f(x' z)\, \chi_T(x)\, \chi_T(x')\big]

    is estimated by the mean of f(xz) f(x'z) χ_T(x)χ_T(x') ∈ [−1, 1] over m samples. Starting from
    the bucket (0, ∅) of weight 1, each live bucket of level k − 1 is split into T and T ∪ {k − 1}
    at level k, and a bucket is kept when its estimate is ≥ τ²/2; the buckets of level n are the
    single S returned. If every estimate is within τ²/4 of its weight, a bucket containing an S
    with \|f̂(S)\| ≥ τ (weight ≥ τ²) is never dropped, and a kept bucket has weight > τ²/4, so
    at most ⌊4/τ²⌋ buckets are live at a level and every S returned has f̂(S)² > τ²/4. The
    buckets that can be examined on that event are the children of the (at most ⌊4/τ²⌋, fixed)
    buckets of weight ≥ τ²/4, N = 2n⌊4/τ²⌋ estimates in all; Hoeffding with
    m = ⌈32 ln(2N/δ)/τ⁴⌉ (:func:`heavy_samples`) bounds each failure by δ/N, and the union bound
    gives 1 − δ. (Should more than ⌊4/τ²⌋ buckets pass, which happens only outside that event,
    the largest ⌊4/τ²⌋ are kept.)

    Queries: one sample of m pairs of uniform points (U, U') serves every level and bucket (each
    estimate is still a mean of m independent terms; the union bound needs no independence
    between estimates): level k queries f on the rows (U'_{<k}, U_{≥k}), and f(U) is shared, so
    the total is at most m·(n + 1) = O(n log(n/(τ²δ)) / τ⁴) queries (fewer when every bucket
    dies before level n), within poly(n, 1/τ, log 1/δ) as the
    theorem states (the textbook version, fresh samples for each bucket, uses up to
    2m·2n⌊4/τ²⌋). Time O(m·n) for the points plus, per level, one pass of ``fn`` over m rows and
    O(m/τ²) for the buckets; memory O(m·n) bytes.

    The coefficients of the returned S are then estimated from the 2m uniform points U and U'
    already queried (no further queries): ``value``, ``stderr`` and a Hoeffding ``halfwidth`` at
    confidence 1 − δ each. They are sorted by decreasing \|estimate\|. ``queries`` (=
    ``evaluations``) counts the rows passed to ``fn``; ``samples`` is m.

    >>> import boolsens as bs, numpy as np
    >>> f = lambda x: x[:, 3] * x[:, 50] * x[:, 77]             # χ_{3,50,77} at n = 100
    >>> est = bs.estimate.heavy_coefficients(f, 100, threshold=0.5, rng=0)
    >>> est.subsets, est.value.tolist(), est.queries
    (((3, 50, 77),), [1.0], 608222)
    """
    ev = Evaluator(fn, n, boolean=True, batch_size=batch_size, device=device, measure="heavy_coefficients")
    n = ev.n
    tau = _check_open_unit(threshold, name="threshold", closed_right=True)
    delta = _check_open_unit(delta, name="delta")
    m = heavy_samples(n, tau, delta)
    cap = math.floor(4.0 / tau ** 2)
    ev.measure = f"heavy_coefficients(threshold={tau:g}, delta={delta:g})"
    check_memory_fast(3.0 * m * n + 8.0 * m * (2 * cap + 4), what="heavy_coefficients")
    gen, seed = generator(rng)
    U = uniform_points(gen, m, n)
    V = uniform_points(gen, m, n)
    rows = U.copy()            # level k: (V_{<k}, U_{≥k})
    prod = U * V               # column k: x_k x'_k, the factor a bucket gains with k
    live = [((), np.ones(m))]  # (T, χ_T(x)χ_T(x') per sample)
    keep = tau * tau / 2.0
    with ev.evaluating():
        fU = ev(U)
        for k in progress(range(1, n + 1), total=n, desc=f"estimating {ev.measure}", enabled=show_progress,
                          min_total=64):
            rows[:, k - 1] = V[:, k - 1]
            fr = ev(rows)
            w = fU * fr
            if not live:  # nothing left to split: stop querying
                break
            children = []
            for T, P in live:
                children.append((T, P))
                children.append((T + (k - 1,), P * prod[:, k - 1]))
            est = np.stack([P for _, P in children]) @ w / m
            kept = [i for i in np.argsort(-est, kind="stable") if est[i] >= keep][:cap]
            live = [children[i] for i in sorted(kept)]
    fV = fr  # when a bucket survives, level n queried the rows V themselves
    subs, vals, ses = [], [], []
    for S, _ in live:
        cols = list(S)
        v = np.concatenate([fU * np.prod(U[:, cols], axis=1), fV * np.prod(V[:, cols], axis=1)])
        subs.append(S)
        vals.append(v.mean())
        ses.append(v.std(ddof=1) / math.sqrt(2 * m))
    order = sorted(range(len(subs)), key=lambda i: (-abs(vals[i]), len(subs[i]), subs[i]))
    value = np.array([vals[i] for i in order], dtype=np.float64)
    stderr = np.array([ses[i] for i in order], dtype=np.float64)
    half = np.full(len(order), _hoeffding(2 * m, 1.0, 1.0 - delta))
    guarantee = (f"with probability >= {1 - delta:g}: every S with |f^(S)| >= {tau:g} is listed and none with "
                 f"|f^(S)| < {tau / 2:g} (Goldreich-Levin/Kushilevitz-Mansour; {m} samples per level, "
                 f"{ev.rows} queries = m(n+1))")
    return SpectrumEstimate(value=_readonly(value), stderr=_readonly(stderr), samples=m, seed=seed,
                            measure=ev.measure, evaluations=ev.rows, subsets=tuple(subs[i] for i in order),
                            halfwidth=_readonly(half), confidence=1.0 - delta, guarantee=guarantee)
