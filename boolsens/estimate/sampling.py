"""The sampling core of the estimators: the generator a ``rng`` argument names, uniform points and
noisy copies, and the running moments that turn per-sample values into an :class:`Estimate`."""

from __future__ import annotations

import numbers
import warnings
from typing import Any, Callable

import numpy as np

from .._input.validation import check_positive_int
from ..errors import BoolsensError
from ..progress import progress
from .evaluator import Evaluator
from .result import Estimate

__all__ = ["generator", "rng_argument", "uniform_points", "flip_mask", "noisy_copy", "flip_diffs",
           "Moments", "run_estimate", "probabilities", "format_param"]

#: ±1 entries drawn per chunk of samples; fixes the random stream and bounds memory.
_DRAW_ENTRIES = 1 << 20


def rng_argument(rng: Any, seed: Any) -> Any:
    """The ``rng`` of an estimator given its deprecated ``seed=`` alias: ``seed`` (with a
    DeprecationWarning; it will be removed in boolsens 0.3) when only it is given, else ``rng``.

    >>> rng_argument(5, None)
    5
    """
    if seed is None:
        return rng
    warnings.warn("seed= is deprecated and will be removed in boolsens 0.3; pass the seed as rng= "
                  "(an integer, a numpy.random.Generator or None)", DeprecationWarning, stacklevel=3)
    if rng is not None:
        raise BoolsensError(f"pass rng={rng!r} or seed={seed!r}, not both (seed= is a deprecated alias of rng=)")
    return seed


def generator(rng: Any) -> tuple[np.random.Generator, int | None]:
    """(generator, seed it was made from) for ``rng``: a non-negative integer seed, a
    ``numpy.random.Generator`` (used as is; seed None) or None (a fresh seed drawn from the OS and
    returned, so the run can be repeated).

    >>> generator(7)[1]
    7
    """
    if isinstance(rng, np.random.Generator):
        return rng, None
    if rng is None:
        seed = int(np.random.SeedSequence().entropy)
    elif isinstance(rng, bool) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise BoolsensError(f"rng={rng!r} must be a non-negative integer seed, a numpy.random.Generator or None")
    else:
        seed = int(rng)
    return np.random.default_rng(seed), seed


def probabilities(value: Any, *, name: str, check: Callable[..., Any], to_p: Callable[[float], float]):
    """Validate rho/delta (scalar or 1-D) and return (values, flip probabilities, is_vector)."""
    check(value, name=name)
    arr = np.asarray(float(value) if hasattr(value, "denominator") else value, dtype=np.float64)
    if arr.ndim > 1 or arr.size == 0:
        raise BoolsensError(f"{name} must be a number or a non-empty 1-D array; got shape {arr.shape}")
    vals = np.atleast_1d(arr)
    return vals, np.array([to_p(float(v)) for v in vals]), arr.ndim == 1


def uniform_points(gen: np.random.Generator, rows: int, n: int) -> np.ndarray:
    """(rows, n) int8 uniform ±1 (one random bit per entry)."""
    nbits = rows * n
    bits = np.unpackbits(np.frombuffer(gen.bytes((nbits + 7) // 8), dtype=np.uint8), count=nbits)
    return (1 - 2 * bits.astype(np.int8)).reshape(rows, n)


def flip_mask(gen: np.random.Generator, rows: int, n: int, p: float) -> np.ndarray:
    """(rows, n) bool, each entry True independently with probability p."""
    if p == 0.5:
        return uniform_points(gen, rows, n) < 0
    return gen.random((rows, n)) < p


def noisy_copy(x: np.ndarray, flips: np.ndarray) -> np.ndarray:
    return np.where(flips, -x, x).astype(np.int8, copy=False)


def flip_diffs(ev: Evaluator, x: np.ndarray, fx: np.ndarray, coords: np.ndarray) -> np.ndarray:
    """(S, k) values ((f(x) − f(x^{⊕i}))/2)² for each sampled row x and each i in coords."""
    S, n = x.shape
    k = len(coords)
    out = np.empty((S, k), dtype=np.float64)
    group = max(1, ev.batch_size // S)
    for a in range(0, k, group):
        cs = coords[a:a + group]
        g = len(cs)
        xs = np.repeat(x[None], g, axis=0)  # (g, S, n)
        j = np.arange(g)[:, None]
        r = np.arange(S)[None, :]
        xs[j, r, cs[:, None]] = -xs[j, r, cs[:, None]]
        fy = ev(xs.reshape(g * S, n)).reshape(g, S)
        out[:, a:a + g] = (((fx[None, :] - fy) / 2.0) ** 2).T
    return out


class Moments:
    """Running mean and sum of squared deviations of (S, k) chunks (Chan et al.'s merge)."""

    def __init__(self, k: int):
        self.count = 0
        self.mean = np.zeros(k)
        self.m2 = np.zeros(k)

    def add(self, vals: np.ndarray) -> None:
        c = vals.shape[0]
        mu = vals.mean(axis=0)
        m2 = ((vals - mu) ** 2).sum(axis=0)
        tot = self.count + c
        delta = mu - self.mean
        self.mean = self.mean + delta * (c / tot)
        self.m2 = self.m2 + m2 + delta * delta * (self.count * c / tot)
        self.count = tot


def run_estimate(
    ev: Evaluator,
    per_sample: Callable[[np.random.Generator, int], np.ndarray],
    k: int,
    *,
    samples: Any,
    rng: Any,
    show_progress: bool | None,
    vector: bool,
) -> Estimate:
    samples = check_positive_int(samples, name="samples", minimum=2)
    gen, used_seed = generator(rng)
    chunk = max(1, _DRAW_ENTRIES // ev.n)
    starts = range(0, samples, chunk)
    acc = Moments(k)
    with ev.evaluating():
        for lo in progress(starts, total=len(starts), desc=f"estimating {ev.measure}",
                           enabled=show_progress, min_total=8):
            acc.add(per_sample(gen, min(chunk, samples - lo)))
    stderr = np.sqrt(acc.m2 / (acc.count - 1) / acc.count)
    if vector:
        value, stderr = acc.mean.copy(), stderr.copy()
        value.setflags(write=False)
        stderr.setflags(write=False)
    else:
        value, stderr = float(acc.mean[0]), float(stderr[0])
    return Estimate(value=value, stderr=stderr, samples=samples, seed=used_seed,
                    measure=ev.measure, evaluations=ev.rows)


def format_param(vals: np.ndarray, vector: bool) -> str:
    if not vector:
        return f"{vals[0]:g}"
    shown = ", ".join(f"{v:g}" for v in vals[:6])
    return f"[{shown}{', ...' if len(vals) > 6 else ''}]"
