"""Statistics of experiment results, and the one rule that turns a statistic into a verdict.

Standard errors follow the one convention of the project (:class:`boolsens.estimate.Estimate`):
sample standard deviation with ddof = 1, over √(number of independent samples). Everything else
is ``scipy.stats``: line fits (``linregress``), t intervals, paired and Welch t-tests, the
Wilcoxon signed-rank test.

The verdict rule (fixed before any result is looked at; every report states it)
--------------------------------------------------------------------------------
Each claim is an *effect* with a predicted sign (e.g. "PARITY's slope minus MAJORITY's slope is
> 0", "transformer minus LSTM sensitivity is < 0"), estimated with a 95 % confidence interval
over seeds (paired where the seeds pair) and a two-sided test:

* **reproduced**: the 95 % CI lies entirely on the predicted side of 0 (so p < 0.05);
* **not reproduced**: the 95 % CI lies entirely on the other side of 0 (a significant effect in
  the opposite direction), or it lies inside the practical-equivalence margin ±``margin`` when the
  experiment fixes one (the effect is absent);
* **inconclusive**: anything else (the CI contains 0 and is wider than the margin).

:func:`verdict` applies it; :func:`combine` joins the verdicts of several sub-claims (reproduced
only if all are, not reproduced if any is, inconclusive otherwise).
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
from scipy import stats as _scipy_stats

from boolsens import BoolsensError

__all__ = ["fit_line", "sample_sd", "exceeds", "mean_ci", "paired_difference", "welch_difference",
           "slope_ci", "verdict", "combine", "VERDICTS"]

#: the three verdict words, in this order everywhere
VERDICTS = ("reproduced", "not reproduced", "inconclusive")


def fit_line(x: Iterable[float], y: Iterable[float]) -> dict[str, float]:
    """Least-squares line y = a + b x (``scipy.stats.linregress``): the slope b, its standard
    error ``slope_stderr``, the intercept a and the number of points. With fewer than 3 points
    the standard error is ``nan`` (no residual degree of freedom).

    >>> fit = fit_line([1, 2, 3], [1.0, 3.0, 5.0])
    >>> round(fit["slope"], 6), round(fit["intercept"], 6), fit["points"]
    (2.0, -1.0, 3)
    """
    x = np.asarray(list(x), dtype=float)
    y = np.asarray(list(y), dtype=float)
    if x.shape != y.shape or x.size < 2:
        raise BoolsensError(f"fit_line needs two equal-length sequences of >= 2 points; got {x.size} and {y.size}")
    if np.all(x == x[0]):
        raise BoolsensError("fit_line: all x are equal; a slope is undefined")
    res = _scipy_stats.linregress(x, y)
    se = float(res.stderr) if x.size > 2 else float("nan")
    return {"slope": float(res.slope), "slope_stderr": se, "intercept": float(res.intercept),
            "points": int(x.size)}


def sample_sd(values: Iterable[float]) -> float:
    """Sample standard deviation (ddof = 1); ``nan`` for fewer than two values.

    >>> sample_sd([1.0, 2.0, 3.0]), sample_sd([4.0])
    (1.0, nan)
    """
    v = np.asarray(list(values), dtype=float)
    return float(np.std(v, ddof=1)) if v.size > 1 else float("nan")


def exceeds(a: float, a_stderr: float, b: float, b_stderr: float, *, z: float = 2.0) -> bool:
    """Whether ``a`` exceeds ``b`` by more than ``z`` combined standard errors,
    a − b > z·√(se_a² + se_b²) (independent estimates; a one-sided z-test at level z).
    A ``nan`` standard error makes the answer False.

    >>> exceeds(1.0, 0.1, 0.5, 0.1), exceeds(1.0, 0.3, 0.5, 0.3)
    (True, False)
    """
    return a - b > z * math.hypot(float(a_stderr), float(b_stderr))


def _t_interval(mean: float, se: float, dof: float, confidence: float) -> tuple[float, float]:
    if not (dof > 0 and math.isfinite(se)):
        return float("nan"), float("nan")
    half = float(_scipy_stats.t.ppf(0.5 + confidence / 2, dof)) * se
    return mean - half, mean + half


def mean_ci(values: Iterable[float], *, confidence: float = 0.95) -> dict[str, float]:
    """Mean, standard error and the t confidence interval of independent values (one per seed).

    >>> r = mean_ci([1.0, 2.0, 3.0])
    >>> r["mean"], round(r["ci_low"], 4), round(r["ci_high"], 4), r["n"]
    (2.0, -0.4841, 4.4841, 3)
    """
    v = np.asarray(list(values), dtype=float)
    if v.size == 0:
        raise BoolsensError("mean_ci needs at least one value")
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
    lo, hi = _t_interval(float(v.mean()), se, v.size - 1, confidence)
    return {"mean": float(v.mean()), "stderr": se, "ci_low": lo, "ci_high": hi, "n": int(v.size)}


def paired_difference(a: Iterable[float], b: Iterable[float], *, confidence: float = 0.95) -> dict[str, float]:
    """The effect a − b over paired values (the same seeds), its t interval and the paired
    t-test (``scipy.stats.ttest_rel``, two-sided), with the Wilcoxon signed-rank p-value beside it
    when there are at least 6 pairs (too few pairs give it no power).

    >>> r = paired_difference([3.0, 4.0, 5.0, 6.0], [1.0, 1.5, 2.5, 3.0])
    >>> r["effect"], r["n"], r["p"] < 0.01
    (2.5, 4, True)
    """
    a = np.asarray(list(a), dtype=float)
    b = np.asarray(list(b), dtype=float)
    if a.shape != b.shape or a.size == 0:
        raise BoolsensError(f"paired_difference needs two equal-length non-empty sequences; got {a.size} and {b.size}")
    d = a - b
    out = mean_ci(d, confidence=confidence)
    out = {"effect": out["mean"], "stderr": out["stderr"], "ci_low": out["ci_low"], "ci_high": out["ci_high"],
           "n": out["n"], "test": "paired t-test"}
    if d.size > 1 and np.any(d != d[0]):
        out["t"] = float(_scipy_stats.ttest_rel(a, b).statistic)
        out["p"] = float(_scipy_stats.ttest_rel(a, b).pvalue)
    else:  # constant differences: the interval is a point; p is 0 unless the difference is 0
        out["t"] = float("inf") if d.size > 1 and d[0] != 0 else float("nan")
        out["p"] = 0.0 if d.size > 1 and d[0] != 0 else float("nan")
    if d.size >= 6 and np.any(d != 0):
        out["wilcoxon_p"] = float(_scipy_stats.wilcoxon(d).pvalue)
    return out


def welch_difference(a: Iterable[float], b: Iterable[float], *, confidence: float = 0.95) -> dict[str, float]:
    """The effect mean(a) − mean(b) of independent samples, the Welch t interval and test
    (``scipy.stats.ttest_ind(equal_var=False)``, two-sided).

    >>> r = welch_difference([5.0, 6.0, 7.0], [1.0, 2.0, 3.0])
    >>> r["effect"], r["p"] < 0.05
    (4.0, True)
    """
    a = np.asarray(list(a), dtype=float)
    b = np.asarray(list(b), dtype=float)
    if a.size < 2 or b.size < 2:
        raise BoolsensError(f"welch_difference needs at least two values on each side; got {a.size} and {b.size}")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1)) if se > 0 else float("inf")
    effect = float(a.mean() - b.mean())
    lo, hi = _t_interval(effect, se, dof, confidence) if se > 0 else (effect, effect)
    test = _scipy_stats.ttest_ind(a, b, equal_var=False)
    return {"effect": effect, "stderr": se, "ci_low": lo, "ci_high": hi, "n": int(a.size + b.size),
            "t": float(test.statistic), "p": float(test.pvalue), "test": "Welch t-test"}


def slope_ci(x: Iterable[float], y: Iterable[float], *, confidence: float = 0.95) -> dict[str, float]:
    """The least-squares slope of y on x with its t interval (n − 2 degrees of freedom) and the
    two-sided p-value of slope = 0 (``scipy.stats.linregress``).

    >>> r = slope_ci([1, 2, 3, 4], [1.0, 2.1, 2.9, 4.0])
    >>> round(r["effect"], 3), r["ci_low"] > 0
    (0.98, True)
    """
    fit = fit_line(x, y)
    xs = np.asarray(list(x), dtype=float)
    res = _scipy_stats.linregress(xs, np.asarray(list(y), dtype=float))
    lo, hi = _t_interval(fit["slope"], fit["slope_stderr"], fit["points"] - 2, confidence)
    return {"effect": fit["slope"], "stderr": fit["slope_stderr"], "ci_low": lo, "ci_high": hi,
            "n": fit["points"], "p": float(res.pvalue) if fit["points"] > 2 else float("nan"),
            "test": "t-test of the least-squares slope"}


def verdict(ci_low: float, ci_high: float, *, direction: int, margin: float | None = None) -> str:
    """The verdict word for an effect predicted to be > 0 (``direction=+1``) or < 0 (``-1``),
    from its confidence interval (see the module docstring).

    >>> verdict(0.2, 0.9, direction=+1), verdict(-0.9, -0.2, direction=+1), verdict(-0.1, 0.5, direction=+1)
    ('reproduced', 'not reproduced', 'inconclusive')
    >>> verdict(-0.01, 0.02, direction=+1, margin=0.05)
    'not reproduced'
    """
    if direction not in (1, -1):
        raise BoolsensError(f"direction={direction!r} must be +1 or -1")
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return "inconclusive"
    lo, hi = (ci_low, ci_high) if direction == 1 else (-ci_high, -ci_low)
    if lo > 0:
        return "reproduced"
    if hi < 0:
        return "not reproduced"
    if margin is not None and -margin <= lo and hi <= margin:
        return "not reproduced"
    return "inconclusive"


def combine(verdicts: Iterable[str]) -> str:
    """Reproduced only if every sub-claim is, not reproduced if any is, inconclusive otherwise.

    >>> combine(["reproduced", "inconclusive"]), combine(["reproduced", "not reproduced"])
    ('inconclusive', 'not reproduced')
    """
    vs = list(verdicts)
    bad = [v for v in vs if v not in VERDICTS]
    if bad or not vs:
        raise BoolsensError(f"verdicts {vs!r} must be a non-empty list of {VERDICTS}")
    if all(v == "reproduced" for v in vs):
        return "reproduced"
    if any(v == "not reproduced" for v in vs):
        return "not reproduced"
    return "inconclusive"
