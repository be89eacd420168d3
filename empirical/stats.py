"""Statistics of experiment results: line fits, sample standard deviations, and the
"larger by more than z combined standard errors" test the verdicts use.

Standard errors follow the one convention of the project (:class:`boolsens.estimate.Estimate`):
sample standard deviation with ddof = 1, over √(number of independent samples). Line fits are
``scipy.stats.linregress``.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np
from scipy import stats as _scipy_stats

from boolsens import BoolsensError

__all__ = ["fit_line", "sample_sd", "exceeds"]


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
