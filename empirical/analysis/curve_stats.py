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

:func:`holm_rule` is that rule corrected for multiplicity: a rule "at every point" or "at any
point" is as many tests as it has points, so every point's p-value is Holm-adjusted across all
the points the rule rests on (one curve or several, e.g. ViT against each of three architectures)
and a point's interval counts, on either side of 0, only where its adjusted p-value is below
0.05 too; a point decided by its interval alone becomes inconclusive otherwise.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from boolsens import BoolsensError

from .stats import combine, holm, holm_verdicts, paired_difference, verdict

__all__ = ["compare_curves", "crossings", "holm_rule", "ALPHA"]

#: the level every adjusted p-value is compared with
ALPHA = 0.05


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

    Returns ``{"points": [{"x", "mean_a", "mean_b", "effect", "ci_low", "ci_high", "p", "p_method",
    "p_holm", "verdict"}, ...], "verdict", "left_out" (the x without any flip), "curve_mean" (the paired
    difference of the per-seed curve means), "crossings"}``; ``p_holm`` (the p-values Holm-adjusted
    across the points, a description beside the interval-based verdict) only when every point's p
    is finite; ``sign_p`` and ``permutation_p`` (the exact tests) too with fewer than
    :data:`~empirical.analysis.stats.EXACT_BELOW` seeds.

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
                       "p": d.get("p", float("nan")), "p_method": d["p_method"], "verdict": v,
                       **{k: d[k] for k in ("sign_p", "permutation_p") if k in d}})
    ps = [p["p"] for p in points]
    if ps and all(np.isfinite(ps)):
        for p, adjusted in zip(points, holm(ps)):
            p["p_holm"] = adjusted
    keep = [j for j, x in enumerate(xs) if x not in left_out]
    mean = paired_difference(A[:, keep].mean(1), B[:, keep].mean(1)) if keep else None
    return {"points": points, "verdict": combine(verdicts) if verdicts else "inconclusive", "left_out": left_out,
            "curve_mean": mean, "crossings": crossings([p["x"] for p in points], [p["effect"] for p in points])}


def holm_rule(comparisons: Sequence[dict], *, direction: int, alpha: float = ALPHA) -> dict:
    """The verdict of one rule over every point of ``comparisons`` (results of
    :func:`compare_curves` made with the same ``direction``), corrected for multiplicity.

    The p-values of all the points (of every comparison together) are Holm-adjusted
    (:func:`empirical.analysis.stats.holm`; a non-finite p counts as 1). A point whose 95 %
    interval lies on one side of 0 keeps its verdict ("reproduced" on the predicted side, "not
    reproduced" on the other) only if its adjusted p-value is below ``alpha``, and is
    "inconclusive" otherwise; any other point keeps its verdict. So the rule is reproduced only if
    at every point the interval lies on the predicted side and the adjusted p < ``alpha``, not
    reproduced if at some point the interval lies on the other side and the adjusted p < ``alpha``,
    inconclusive otherwise.

    Returns ``{"verdict", "comparisons", "points" (the family size), "min_p_holm_reversed" (the
    smallest adjusted p of a point whose interval lies on the wrong side; ``nan`` if none)}``:
    ``comparisons`` are copies of the input whose points carry ``p_holm_rule`` (adjusted across
    the rule), ``verdict`` (the amended one) and ``verdict_ci`` (the interval-only one), and whose
    ``verdict`` / ``verdict_ci`` are the amended and the interval-only verdicts of that curve.

    A reversal with p = 0.045 at one of two points: significant alone, not after Holm (0.089):

    >>> cmp = compare_curves([[0.1, 0.5], [0.3, 0.45], [0.2, 0.6]], [[0.2, 0.3], [0.1, 0.31], [0.25, 0.3]],
    ...                      [1, 2], direction=-1)
    >>> [round(p["p"], 4) for p in cmp["points"]], cmp["verdict"]
    ([0.874, 0.0447], 'not reproduced')
    >>> r = holm_rule([cmp], direction=-1)
    >>> [round(p["p_holm_rule"], 4) for p in r["comparisons"][0]["points"]], r["verdict"]
    ([0.874, 0.0893], 'inconclusive')
    """
    if direction not in (1, -1):
        raise BoolsensError(f"direction={direction!r} must be +1 or -1")
    comparisons = list(comparisons)
    flat = [p for c in comparisons for p in c["points"]]
    bounds = [(p["ci_low"], p["ci_high"]) if direction == 1 else (-p["ci_high"], -p["ci_low"]) for p in flat]
    sided = [math.isfinite(lo) and math.isfinite(hi) and (lo > 0 or hi < 0) for lo, hi in bounds]
    amended = holm_verdicts([p["verdict"] for p in flat], [p["p"] for p in flat], alpha=alpha, sided=sided) \
        if flat else {"verdicts": [], "p_holm": []}
    reversed_p = [q for q, s, (_, hi) in zip(amended["p_holm"], sided, bounds) if s and hi < 0]
    rows = iter(zip(amended["verdicts"], amended["p_holm"]))
    out, verdicts = [], []
    for c in comparisons:
        points = []
        for p in c["points"]:
            v, ph = next(rows)
            points.append({**p, "p_holm_rule": ph, "verdict_ci": p["verdict"], "verdict": v})
        verdicts += [p["verdict"] for p in points]
        out.append({**c, "points": points, "verdict_ci": c["verdict"],
                    "verdict": combine([p["verdict"] for p in points]) if points else "inconclusive"})
    return {"verdict": combine(verdicts) if verdicts else "inconclusive", "comparisons": out, "points": len(flat),
            "min_p_holm_reversed": min(reversed_p) if reversed_p else float("nan")}
