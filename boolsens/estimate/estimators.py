"""The estimators: each is an average of i.i.d. per-sample values (see :mod:`boolsens.estimate`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._input.validation import check_delta, check_index, check_rho
from ..errors import BoolsensError
from .evaluator import Evaluator
from .result import Estimate
from .sampling import (flip_diffs, flip_mask, format_param, noisy_copy, probabilities, rng_argument, run_estimate,
                       uniform_points)

__all__ = ["mean", "influence", "influences", "total_influence", "noise_stability", "disagreement_probability",
           "noise_sensitivity"]


def mean(
    fn: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate the mean (bias) :math:`E[f] = \hat f(\emptyset)` from uniform points x.

    Estimator: the average of f(x) over ``samples`` independent uniform x (see :mod:`boolsens.estimate`
    for ``fn``, seeding and batching). Per-sample variance Var f = E f² − (E f)², which is
    1 − (E f)² ≤ 1 for Boolean f: SE ε needs about ``(1 − E[f]²) / ε²`` samples.
    Cost: ``samples`` evaluations of ``fn``. Real outputs are allowed.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> est = bs.estimate.mean(bs.conjunction(3), samples=10_000, rng=0)   # exact: 3/4
    >>> abs(est.value - 0.75) < 4 * est.stderr
    True
    """
    rng = rng_argument(rng, seed)
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="mean")

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        return ev(uniform_points(gen, S, ev.n))[:, None]

    return run_estimate(ev, per_sample, 1, samples=samples, rng=rng,
                show_progress=show_progress, vector=False)


def influences(
    fn: Any,
    n: int | None = None,
    *,
    coordinates: Any = None,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate :math:`\mathrm{Inf}_i(f) = E[((f(x)-f(x^{\oplus i}))/2)^2]` for several coordinates.

    Estimator: for ``samples`` independent uniform x, evaluate f(x) and f(x^{⊕i}) for every i in
    ``coordinates`` (default: all n, in order) and average ((f(x) − f(x^{⊕i}))/2)². The result is
    a vector estimate (value and stderr of shape (k,), in the order of ``coordinates``); entries
    share the points x, so they are correlated with each other but each is unbiased with its own
    standard error. Per-sample variance for Boolean f: Inf_i (1 − Inf_i) ≤ ¼, so ``samples =
    1/(4ε²)`` gives SE ≤ ε for every coordinate at once. Real outputs are allowed.
    Cost: ``samples · (k + 1)`` evaluations of ``fn``.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> est = bs.estimate.influences(bs.threshold([2, 1, 1, 1]), samples=4_000, rng=0)
    >>> exact = bs.influences(bs.threshold([2, 1, 1, 1]))        # (3/4, 1/4, 1/4, 1/4)
    >>> bool((abs(est.value - exact) < 4 * est.stderr).all())
    True
    """
    rng = rng_argument(rng, seed)
    return _influences(fn, n, coordinates, single=False, samples=samples, batch_size=batch_size,
                       rng=rng, device=device, show_progress=show_progress)


def _influences(fn: Any, n: Any, coordinates: Any, *, single: bool, samples: Any, batch_size: Any,
                rng: Any, device: Any, show_progress: bool | None) -> Estimate:
    """Shared sampler of :func:`influences` and :func:`influence` (``single``: one coordinate)."""
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="influences")
    if single:
        coords = np.array([check_index(coordinates, ev.n)], dtype=np.int64)
        ev.measure = f"influence(i={coords[0]})"
    else:
        coords = _coordinates(coordinates, ev.n)
        if coordinates is not None:
            ev.measure = f"influences(coordinates={format_param(coords.astype(float), True)})"

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        x = uniform_points(gen, S, ev.n)
        return flip_diffs(ev, x, ev(x), coords)

    return run_estimate(ev, per_sample, len(coords), samples=samples, rng=rng,
                show_progress=show_progress, vector=not single)


def _coordinates(coordinates: Any, n: int) -> np.ndarray:
    if coordinates is None:
        return np.arange(n, dtype=np.int64)
    if isinstance(coordinates, (str, bytes)) or np.ndim(coordinates) != 1:
        raise BoolsensError(f"coordinates={coordinates!r} must be a 1-D sequence of coordinates in [0, {n})")
    out = np.array([check_index(i, n, name="coordinates entry") for i in coordinates], dtype=np.int64)
    if out.size == 0:
        raise BoolsensError("coordinates is empty; pass at least one coordinate (or None for all)")
    return out


def influence(
    fn: Any,
    i: int,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate the influence :math:`\mathrm{Inf}_i(f)` of one coordinate (scalar estimate).

    Same estimator, variance (Inf_i(1 − Inf_i) ≤ ¼ per sample for Boolean f) and seeding as
    :func:`influences` with ``coordinates=[i]``. Cost: ``2 · samples`` evaluations.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> bs.estimate.influence(bs.dictator(4, i=2), 2, samples=100, rng=0).value
    1.0
    """
    rng = rng_argument(rng, seed)
    return _influences(fn, n, i, single=True, samples=samples, batch_size=batch_size,
                       rng=rng, device=device, show_progress=show_progress)


_TOTAL_METHODS = ("random_coordinate", "all_coordinates")


def total_influence(
    fn: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    method: str = "random_coordinate",
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate the total influence :math:`I(f) = \sum_i \mathrm{Inf}_i(f)`.

    Two unbiased estimators (``samples`` independent draws each; real outputs are allowed):

    ``method="random_coordinate"`` (default)
        Draw x uniform and i uniform in [0, n); the per-sample value is n·((f(x) − f(x^{⊕i}))/2)².
        Per-sample variance for Boolean f: n·I − I² (so SE ε needs ``(n I − I²)/ε²`` samples,
        relative SE ε needs about ``n / (I ε²)``). Cost: ``2 · samples`` evaluations.
    ``method="all_coordinates"``
        Draw x uniform and flip every coordinate; the per-sample value is the pointwise
        sensitivity s(f, x) = Σ_i ((f(x) − f(x^{⊕i}))/2)² (the n terms of one x are correlated,
        so the standard error is computed over the x's). Per-sample variance Var_x s(f, x).
        Cost: ``(n + 1) · samples`` evaluations; worth it only when Var_x s(f, x) is much smaller
        than (n I − I²)/ ((n + 1)/2), e.g. for parity-like functions (variance 0), and n is moderate.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> bs.estimate.total_influence(bs.parity(6), samples=10, method="all_coordinates", rng=0).value
    6.0
    >>> est = bs.estimate.total_influence(bs.majority(9), samples=20_000, rng=0)
    >>> abs(est.value - bs.total_influence(bs.majority(9))) < 4 * est.stderr
    True
    """
    rng = rng_argument(rng, seed)
    if method not in _TOTAL_METHODS:
        raise BoolsensError(f"method={method!r} must be one of {', '.join(map(repr, _TOTAL_METHODS))}")
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device,
                    measure=f"total_influence[{method}]")
    n = ev.n

    if method == "random_coordinate":
        def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
            x = uniform_points(gen, S, n)
            i = gen.integers(0, n, size=S)
            y = x.copy()
            rows = np.arange(S)
            y[rows, i] = -y[rows, i]
            d = (ev(x) - ev(y)) / 2.0
            return (n * d * d)[:, None]
    else:
        coords = np.arange(n, dtype=np.int64)

        def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
            x = uniform_points(gen, S, n)
            return flip_diffs(ev, x, ev(x), coords).sum(axis=1, keepdims=True)

    return run_estimate(ev, per_sample, 1, samples=samples, rng=rng,
                show_progress=show_progress, vector=False)


def _pairs(
    fn: Any,
    n: int | None,
    param: tuple[str, Any],
    *,
    disagree: bool,
    measure: str,
    samples: Any,
    batch_size: Any,
    rng: Any,
    device: Any,
    show_progress: bool | None,
) -> Estimate:
    """Shared sampler: one x per sample and, for each flip probability p, an independent y
    (each bit flipped with probability p); per-sample value f(x)f(y) or 1[f(x) ≠ f(y)].
    ``param`` is ("rho", ρ) (flip probability (1 − ρ)/2) or ("delta", δ) (flip probability δ)."""
    name, value = param
    if name == "rho":
        vals, flip_p, vector = probabilities(value, name=name, check=check_rho, to_p=lambda r: (1.0 - r) / 2.0)
    else:
        vals, flip_p, vector = probabilities(value, name=name, check=check_delta, to_p=lambda d: d)
    measure = f"{measure}({name}={format_param(vals, vector)})"
    ev = Evaluator(fn, n, boolean=disagree, batch_size=batch_size, device=device, measure=measure)

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        x = uniform_points(gen, S, ev.n)
        fx = ev(x)
        out = np.empty((S, len(flip_p)), dtype=np.float64)
        for r, p in enumerate(flip_p):
            fy = ev(noisy_copy(x, flip_mask(gen, S, ev.n, float(p))))
            out[:, r] = (fx != fy) if disagree else fx * fy
        return out

    return run_estimate(ev, per_sample, len(flip_p), samples=samples, rng=rng,
                show_progress=show_progress, vector=vector)


def noise_stability(
    fn: Any,
    rho: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate :math:`\mathrm{Stab}_\rho(f) = E[f(x)f(y)]` over ρ-correlated pairs.

    Estimator: x uniform and y with each y_i = x_i with probability (1+ρ)/2 (flipped otherwise),
    independently; average f(x)f(y). ``rho`` is a number in [−1, 1] or a 1-D array of them (then a
    vector estimate: one y per ρ, all sharing x, so entries are correlated but each is unbiased).
    Per-sample variance E[f(x)²f(y)²] − Stab², which is 1 − Stab_ρ² ≤ 1 for Boolean f: SE ε needs
    ``(1 − Stab²)/ε²`` samples. Real outputs are allowed.
    Cost: ``samples · (1 + len(rho))`` evaluations and n·len(rho) random numbers per sample.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> est = bs.estimate.noise_stability(bs.majority(5), 0.5, samples=20_000, rng=0)
    >>> abs(est.value - bs.noise_stability(bs.majority(5), 0.5)) < 4 * est.stderr
    True
    """
    rng = rng_argument(rng, seed)
    return _pairs(fn, n, ("rho", rho), disagree=False, measure="noise_stability", samples=samples,
                  batch_size=batch_size, rng=rng, device=device, show_progress=show_progress)


def disagreement_probability(
    fn: Any,
    rho: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate :math:`\Pr_\rho(f) = \Pr[f(x) \neq f(y)]` over ρ-correlated pairs (Boolean ``fn``).

    Estimator: the fraction of ``samples`` ρ-correlated pairs (as in :func:`noise_stability`) on
    which f disagrees. Equals ½ − ½ Stab_ρ(f) in expectation. Per-sample variance p(1 − p) ≤ ¼:
    ``samples = 1/(4ε²)`` guarantees SE ≤ ε. ``fn`` must return only ±1.
    Cost: ``samples · (1 + len(rho))`` evaluations.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> est = bs.estimate.disagreement_probability(bs.parity(3), 0.5, samples=20_000, rng=0)
    >>> abs(est.value - 0.4375) < 4 * est.stderr
    True
    """
    rng = rng_argument(rng, seed)
    return _pairs(fn, n, ("rho", rho), disagree=True, measure="disagreement_probability", samples=samples,
                  batch_size=batch_size, rng=rng, device=device, show_progress=show_progress)


def noise_sensitivity(
    fn: Any,
    delta: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: Any = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate :math:`\mathrm{NS}_\delta(f) = \Pr[f(x) \neq f(y)]`, y = x with each bit flipped
    independently with probability δ ∈ [0, ½] (Boolean ``fn``).

    The same estimator as :func:`disagreement_probability` at ρ = 1 − 2δ (the bits are flipped
    with probability δ directly). Per-sample variance p(1 − p) ≤ ¼: ``samples = 1/(4ε²)``
    guarantees SE ≤ ε. ``delta`` may be a 1-D array (vector estimate). ``fn`` must return only ±1.
    Cost: ``samples · (1 + len(delta))`` evaluations.

    ``rng`` is an integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded in the
    result); ``seed=`` is a deprecated alias of an integer ``rng``, to be removed in boolsens 0.3.

    >>> import boolsens as bs
    >>> est = bs.estimate.noise_sensitivity(bs.dictator(8), 0.1, samples=20_000, rng=0)
    >>> abs(est.value - 0.1) < 4 * est.stderr
    True
    """
    rng = rng_argument(rng, seed)
    return _pairs(fn, n, ("delta", delta), disagree=True, measure="noise_sensitivity", samples=samples,
                  batch_size=batch_size, rng=rng, device=device, show_progress=show_progress)
