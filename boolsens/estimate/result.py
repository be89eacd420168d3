"""The one estimate type of the project: a value with its standard error (ddof = 1)."""

from __future__ import annotations

import dataclasses
import math
import numbers
from typing import Any

import numpy as np

from ..errors import BoolsensError

__all__ = ["Estimate"]


@dataclasses.dataclass(frozen=True, eq=False)
class Estimate:
    """A Monte-Carlo estimate with its standard error: the one estimate type of the project
    (the experiments' measures return it too).

    Attributes
    ----------
    value : float or (k,) float64 array
        The sample mean of the per-sample values (an unbiased estimate).
    stderr : float or (k,) float64 array
        Its standard error: sample standard deviation (ddof = 1) / √samples (NaN for one sample).
    samples : int
        Number of independent samples (points x, pairs (x, y), (x, i) pairs, weight draws, ...).
    seed : int or None
        The seed that reproduces the run (``None`` when a ``numpy.random.Generator`` was passed
        as ``rng``).
    measure : str
        What was estimated, e.g. ``"noise_stability(rho=0.5)"``.
    evaluations : int or None
        Rows passed to ``fn`` (the cost), where counted.

    Vector estimates (``influences``, an array of ρ) hold read-only arrays whose entries are each
    unbiased with the stated standard error; entries computed from the same points are correlated.

    >>> e = Estimate.from_samples([0.0, 1.0, 1.0, 0.0], measure="flip rate")
    >>> e.value, round(e.stderr, 4), e.samples
    (0.5, 0.2887, 4)
    """

    value: Any
    stderr: Any
    samples: int
    seed: int | None = None
    measure: str = ""
    evaluations: int | None = None

    @classmethod
    def from_samples(cls, values: Any, *, seed: int | None = None, measure: str = "",
                     evaluations: int | None = None) -> "Estimate":
        """The mean of independent per-sample ``values`` (1-D) with stderr = std (ddof = 1) / √N."""
        v = np.asarray(values, dtype=np.float64).reshape(-1)
        if v.size == 0:
            raise BoolsensError("values is empty; an estimate needs at least one sample")
        se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
        return cls(value=float(v.mean()), stderr=se, samples=int(v.size), seed=seed, measure=measure,
                   evaluations=evaluations)

    def as_dict(self) -> dict[str, Any]:
        """``{"value", "stderr", "samples", ...}`` with plain numbers (JSON-ready)."""
        def plain(x):
            return x.tolist() if isinstance(x, np.ndarray) else x

        out = {"value": plain(self.value), "stderr": plain(self.stderr), "samples": self.samples}
        for k in ("seed", "measure", "evaluations"):
            if getattr(self, k) not in (None, ""):
                out[k] = getattr(self, k)
        return out

    def ci(self, z: float = 1.96) -> tuple[Any, Any]:
        """Normal-approximation interval ``(value − z·stderr, value + z·stderr)``.

        ``z = 1.96`` gives about 95% coverage, ``z = 4`` about 99.994%.
        """
        if isinstance(z, bool) or not isinstance(z, numbers.Real) or not math.isfinite(z) or z <= 0:
            raise BoolsensError(f"z={z!r} must be a positive finite number")
        return self.value - z * self.stderr, self.value + z * self.stderr

    def __repr__(self) -> str:
        seed = "None (rng given)" if self.seed is None else str(self.seed)
        evals = "" if self.evaluations is None else f", evaluations={self.evaluations:_}"
        tail = f"samples={self.samples:_}{evals}, seed={seed}"
        if np.ndim(self.value) == 0:
            return f"Estimate({self.measure} = {self.value:.6g} ± {self.stderr:.2g} (1 s.e.), {tail})"
        def show(a: np.ndarray, fmt: str) -> str:
            return np.array2string(a, separator=", ", threshold=12, edgeitems=3,
                                   formatter={"float_kind": lambda v: format(v, fmt)})

        return (f"Estimate({self.measure}:\n  value={show(self.value, '.6g')},\n"
                f"  stderr={show(self.stderr, '.2g')},\n  {tail})")
