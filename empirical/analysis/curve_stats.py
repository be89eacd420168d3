"""Comparing two curves measured on the same seeds, point by point, with one verdict for the
whole curve.

Two models (or variants) are measured at every point x of a grid fixed in advance (a noise scale
σ, a weight-noise scale, ...) on the same seeds, so each point gives a paired difference a − b over
seeds. :func:`compare_curves` returns, for every point, the effect, its 95 % t interval, the paired
t-test (its p-value also Holm-adjusted across the points, :func:`empirical.analysis.stats.holm`) and the verdict of :func:`empirical.analysis.stats.verdict`, and the verdict for the whole curve by
:func:`empirical.analysis.stats.combine` over the points: a claim "a < b" (``direction=-1``) is reproduced
only if it holds at every point, not reproduced if it is reversed (significantly) at any point,
inconclusive otherwise. Points where both curves are exactly 0 on every seed (nothing flipped, so
there is no ordering to compare) are left out and listed. The curve mean (the average over the
grid of each seed's difference, an area between the curves on the grid's scale) is reported
beside, with its own interval, as a description.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from boolsens import BoolsensError

from .stats import combine, holm, paired_difference, verdict

__all__ = ["compare_curves", "crossings"]


def crossings(xs: Sequence[float], effects: Sequence[float]) -> list[tuple[float, float]]:
    """The grid intervals (x_j, x_{j+1}) where the mean effect changes sign.

    >>> crossings([1, 2, 4, 8], [0.1, 0.05, -0.02, -0.3])
    [(2, 4)]
    """
    out = []
    for j in range(len(xs) - 1):
        if np.sign(effects[j]) * np.sign(effects[j + 1]) < 0:
            out.append((xs[j], xs[j + 1]))
    return out


def compare_curves(a: Sequence[Sequence[float]], b: Sequence[Sequence[float]], xs: Sequence[float], *,
                   direction: int, margin: float | None = None) -> dict:
    """Point-by-point paired comparison of curves ``a`` and ``b`` (arrays seeds × points, rows
    paired) with one verdict (module docstring).

    Returns ``{"points": [{"x", "mean_a", "mean_b", "effect", "ci_low", "ci_high", "p", "p_holm",
    "verdict"}, ...], "verdict", "left_out" (the x without any flip), "curve_mean" (the paired
    difference of the per-seed curve means), "crossings"}``; ``p_holm`` (the p-values Holm-adjusted
    across the points, a description beside the interval-based verdict) only when every point's p
    is finite.

    >>> r = compare_curves([[0.1, 0.2, 0.0], [0.12, 0.25, 0.0], [0.09, 0.22, 0.0]],
    ...                    [[0.2, 0.4, 0.0], [0.25, 0.45, 0.0], [0.22, 0.41, 0.0]], [1, 2, 4], direction=-1)
    >>> r["verdict"], [p["verdict"] for p in r["points"]], r["left_out"]
    ('reproduced', ['reproduced', 'reproduced'], [4])
    """
    A = np.asarray(a, dtype=float)
    B = np.asarray(b, dtype=float)
    xs = list(xs)
    if A.ndim != 2 or A.shape != B.shape or A.shape[1] != len(xs) or A.shape[0] < 2:
        raise BoolsensError(f"curves of shapes {A.shape} and {B.shape} must both be (seeds >= 2, {len(xs)} points)")
    points, verdicts, left_out = [], [], []
    for j, x in enumerate(xs):
        if not np.any(A[:, j]) and not np.any(B[:, j]):
            left_out.append(x)
            continue
        d = paired_difference(A[:, j], B[:, j])
        v = verdict(d["ci_low"], d["ci_high"], direction=direction, margin=margin)
        verdicts.append(v)
        points.append({"x": x, "mean_a": float(A[:, j].mean()), "mean_b": float(B[:, j].mean()),
                       "effect": d["effect"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                       "p": d.get("p", float("nan")), "verdict": v})
    ps = [p["p"] for p in points]
    if ps and all(np.isfinite(ps)):
        for p, adjusted in zip(points, holm(ps)):
            p["p_holm"] = adjusted
    keep = [j for j, x in enumerate(xs) if x not in left_out]
    mean = paired_difference(A[:, keep].mean(1), B[:, keep].mean(1)) if keep else None
    return {"points": points, "verdict": combine(verdicts) if verdicts else "inconclusive", "left_out": left_out,
            "curve_mean": mean, "crossings": crossings([p["x"] for p in points], [p["effect"] for p in points])}
