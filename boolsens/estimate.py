r"""Monte-Carlo estimators with standard errors, for n too large to enumerate or for black boxes.

Conventions: see :mod:`boolsens` (a point is a row of ±1, True = −1; a ρ-correlated pair has
x uniform and, independently, y_i = x_i with probability (1+ρ)/2, else −x_i).

What can be estimated
---------------------
=============================  ==========================================================  =======
function                       estimates                                                   outputs
=============================  ==========================================================  =======
``mean`` (alias ``bias``)      E[f(x)] = f̂(∅)                                              real
``influence``, ``influences``  Inf_i = E[((f(x) − f(x^{⊕i}))/2)²] (one i / several / all)  real
``total_influence``            I(f) = Σ_i Inf_i                                             real
``noise_stability``            Stab_ρ = E[f(x) f(y)], (x, y) ρ-correlated                  real
``disagreement_probability``   Pr_ρ = Pr[f(x) ≠ f(y)], (x, y) ρ-correlated                  ±1
``noise_sensitivity``          NS_δ = Pr[f(x) ≠ f(y)], y = x with each bit flipped w.p. δ   ±1
=============================  ==========================================================  =======

Every estimator is an average of independent, identically distributed per-sample values, so it
is unbiased, and its standard error is the sample standard deviation (ddof = 1) over √samples.
For a target standard error ε you need about ``samples = Var / ε²`` where Var is the per-sample
variance quoted in each docstring; for the Boolean probabilities Var ≤ ¼, so
``samples = 1 / (4 ε²)`` always suffices (ε = 0.001 needs 250,000 samples).

The function ``fn``
-------------------
* a callable on numpy arrays: it receives a read-only (N, n) int8 array of ±1 rows and returns N
  values (numpy array, list or torch tensor);
* a ``torch.nn.Module``, or any callable when ``device=`` is given: it receives an (N, n) float32
  tensor of ±1 on the module's device (its first parameter's, else ``device``, else the CPU) and is
  called under ``torch.no_grad()`` in eval mode (its previous mode is restored afterwards);
* a :class:`~boolsens.BooleanFunction` or a (2**n,) truth table (numpy or torch; real values are
  allowed for the spectral measures): handy for checking an estimate against the exact value.
  ``n`` may then be omitted.

The output must have shape (N,) or (N, 1) (the trailing axis of size 1 of a ``Linear(d, 1)``
readout is dropped, as in :meth:`BooleanFunction.from_model`); anything else is an error, and so is
a non-finite or non-numeric value. The Boolean estimators (``disagreement_probability``,
``noise_sensitivity``) require every output to be exactly +1 or −1; take the sign yourself
(``lambda x: np.where(g(x) >= 0, 1, -1)``) if ``g`` is real-valued.

Randomness, memory, cost
------------------------
Pass ``seed`` (an integer) or ``rng`` (a ``numpy.random.Generator``). With neither, a fresh seed is
drawn from the OS and recorded in :attr:`Estimate.seed`, so every run can be repeated. The random
points are drawn in chunks whose size depends only on n (about 2**20 coordinates per chunk), so the
same seed gives the same value whatever ``batch_size`` is and whether ``fn`` is a numpy callable,
a torch module or a table computing the same function. ``batch_size`` bounds the number of rows
passed to ``fn`` in one call (default ``min(65536, 2**22 // n)`` for numpy callables and tables,
``min(4096, 2**22 // n)`` for torch; lower it for large models). Memory is O(2**20 + batch_size·n)
entries, independent of ``samples``. The cost is the number of rows evaluated, reported as
:attr:`Estimate.evaluations`, plus O(n) random numbers per sample. ``show_progress`` draws a progress bar
on stderr (see :mod:`boolsens.progress`).

>>> import boolsens as bs
>>> est = bs.estimate.total_influence(bs.majority(7), samples=20_000, seed=1)
>>> abs(est.value - bs.total_influence(bs.majority(7))) < 4 * est.stderr
True
>>> lo, hi = est.ci(1.96)
>>> lo < est.value < hi
True
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import sys
from typing import Any, Callable

import numpy as np

from ._input.table import as_table
from ._input.validation import check_delta, check_index, check_n, check_positive_int, check_rho, is_torch
from .cube import points_to_index
from .errors import BoolsensError
from .progress import progress
from .runtime import eval_mode, model_device

__all__ = [
    "Estimate",
    "mean",
    "bias",
    "influence",
    "influences",
    "total_influence",
    "noise_stability",
    "disagreement_probability",
    "noise_sensitivity",
]

#: Largest n accepted by the estimators (each sampled row holds n int8 entries).
MAX_ESTIMATE_N = 100_000
#: ±1 entries drawn per chunk of samples; fixes the random stream and bounds memory.
_DRAW_ENTRIES = 1 << 20
#: default bound on batch_size · n (input entries per call of ``fn``).
_CALL_ENTRIES = 1 << 22


# --------------------------------------------------------------------------- the result
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
        The seed that reproduces the run (``None`` when an ``rng`` was passed).
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


# --------------------------------------------------------------------------- validation helpers
def _generator(rng: Any, seed: Any) -> tuple[np.random.Generator, int | None]:
    if rng is not None and seed is not None:
        raise BoolsensError("pass rng or seed, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise BoolsensError(f"rng={rng!r} must be a numpy.random.Generator (np.random.default_rng(seed))")
        return rng, None
    if seed is None:
        seed = int(np.random.SeedSequence().entropy)
    elif isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise BoolsensError(f"seed={seed!r} must be a non-negative integer")
    return np.random.default_rng(int(seed)), int(seed)


def _probabilities(value: Any, *, name: str, check: Callable[..., Any], to_p: Callable[[float], float]):
    """Validate rho/delta (scalar or 1-D) and return (values, flip probabilities, is_vector)."""
    check(value, name=name)
    arr = np.asarray(float(value) if hasattr(value, "denominator") else value, dtype=np.float64)
    if arr.ndim > 1 or arr.size == 0:
        raise BoolsensError(f"{name} must be a number or a non-empty 1-D array; got shape {arr.shape}")
    vals = np.atleast_1d(arr)
    return vals, np.array([to_p(float(v)) for v in vals]), arr.ndim == 1


def _torch_module_type():
    torch = sys.modules.get("torch")
    return None if torch is None else torch.nn.Module


class _Evaluator:
    """Wraps ``fn`` (numpy callable, torch module/callable, BooleanFunction or table): validates
    n, splits calls into ``batch_size`` rows, converts and checks the outputs, counts rows."""

    def __init__(self, fn: Any, n: Any, *, boolean: bool, batch_size: Any, device: Any, measure: str):
        self.fn = fn
        self.boolean = boolean
        self.measure = measure
        self.rows = 0
        self.table = None
        self.device = None
        module_type = _torch_module_type()
        if hasattr(type(fn), "__boolsens_table__") or not callable(fn):
            if isinstance(fn, (str, bytes)) or fn is None:
                raise BoolsensError(
                    f"fn={fn!r} must be a callable, a torch module, a BooleanFunction or a truth table"
                )
            t = as_table(fn, name="fn (a truth table)")
            if boolean:
                t.require_pm1()
            table, tn = t.numpy(), t.n
            if table.ndim != 1:
                raise BoolsensError(
                    f"fn (a truth table) must have shape (2**n,); got shape {table.shape} "
                    "(estimate one function at a time)"
                )
            if n is not None and check_n(n, minimum=1, maximum=MAX_ESTIMATE_N) != tn:
                raise BoolsensError(f"n={n} does not match the table of fn, which has n={tn}")
            if tn < 1:
                raise BoolsensError("fn is a function of n=0 variables; the estimators need n >= 1")
            if device is not None:
                raise BoolsensError(f"device={device!r} applies to callables on tensors; fn is a truth table")
            self.table = table
            self.kind = "table"
            self.n = tn
        else:
            if n is None:
                raise BoolsensError("n is required when fn is a callable (only tables carry their n)")
            self.n = check_n(n, minimum=1, maximum=MAX_ESTIMATE_N)
            is_module = module_type is not None and isinstance(fn, module_type)
            if is_module or device is not None:
                import torch

                self.kind = "torch"
                self.device = model_device(fn) if device is None else torch.device(device)
            else:
                self.kind = "numpy"
        default = (4096 if self.kind == "torch" else 65536)
        if batch_size is None:
            self.batch_size = max(1, min(default, _CALL_ENTRIES // self.n))
        else:
            self.batch_size = check_positive_int(batch_size, name="batch_size")

    def evaluating(self):
        """Context in which ``fn`` is evaluated: torch modules in eval mode, restored afterwards."""
        return eval_mode(self.fn if self.kind == "torch" else None)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(m, n) int8 ±1 rows -> (m,) float64 values."""
        m = x.shape[0]
        self.rows += m
        if self.kind == "table":
            return self.table[points_to_index(x, check=False)].astype(np.float64)
        if m <= self.batch_size:
            return self._call(x)
        return np.concatenate([self._call(x[lo:lo + self.batch_size]) for lo in range(0, m, self.batch_size)])

    def _call(self, x: np.ndarray) -> np.ndarray:
        m = x.shape[0]
        if self.kind == "torch":
            import torch

            with torch.no_grad():
                y = self.fn(torch.from_numpy(x.astype(np.float32)).to(self.device))
        else:
            view = x.view()
            view.flags.writeable = False  # fn must not change the rows: they are reused
            y = self.fn(view)
        return self._check(y, m)

    def _check(self, y: Any, m: int) -> np.ndarray:
        what = "fn" if self.kind != "torch" else "the model"
        if is_torch(y):
            if y.is_complex() or str(y.dtype) == "torch.bool":
                raise BoolsensError(f"{what} returned a tensor of dtype {y.dtype}; expected real numbers"
                                    + (" (±1, True = -1 is yours to map)" if self.boolean else ""))
            y = y.detach().cpu().double().numpy()
        y = np.asarray(y)
        if y.shape == (m, 1):
            y = y[:, 0]
        if y.shape != (m,):
            raise BoolsensError(
                f"{what} returned shape {y.shape} for {m} input rows; expected ({m},) or ({m}, 1) "
                "(reduce it yourself, e.g. lambda x: model(x)[:, -1])"
            )
        if y.dtype == bool or not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
            raise BoolsensError(
                f"{what} returned dtype {y.dtype}; expected real numbers"
                + (" equal to ±1 (map True to -1 yourself)" if self.boolean else "")
            )
        y = y.astype(np.float64, copy=False)
        finite = np.isfinite(y)
        if not finite.all():
            raise BoolsensError(
                f"{what} returned {int((~finite).sum())} NaN/inf value(s) among {m}, e.g. {y[~finite][:3].tolist()}"
            )
        if self.boolean:
            bad = np.abs(y) != 1.0
            if bad.any():
                raise BoolsensError(
                    f"{self.measure} needs fn to return only +1 and -1; it returned "
                    f"{int(bad.sum())} other value(s) among {m}, e.g. {y[bad][:3].tolist()} "
                    "(take the sign yourself, e.g. lambda x: np.where(g(x) >= 0, 1, -1))"
                )
        return y


# --------------------------------------------------------------------------- sampling core
def _points(gen: np.random.Generator, rows: int, n: int) -> np.ndarray:
    """(rows, n) int8 uniform ±1 (one random bit per entry)."""
    nbits = rows * n
    bits = np.unpackbits(np.frombuffer(gen.bytes((nbits + 7) // 8), dtype=np.uint8), count=nbits)
    return (1 - 2 * bits.astype(np.int8)).reshape(rows, n)


def _flip_mask(gen: np.random.Generator, rows: int, n: int, p: float) -> np.ndarray:
    """(rows, n) bool, each entry True independently with probability p."""
    if p == 0.5:
        return _points(gen, rows, n) < 0
    return gen.random((rows, n)) < p


def _noisy(x: np.ndarray, flips: np.ndarray) -> np.ndarray:
    return np.where(flips, -x, x).astype(np.int8, copy=False)


def _flip_diffs(ev: _Evaluator, x: np.ndarray, fx: np.ndarray, coords: np.ndarray) -> np.ndarray:
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


class _Moments:
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


def _run(
    ev: _Evaluator,
    per_sample: Callable[[np.random.Generator, int], np.ndarray],
    k: int,
    *,
    samples: Any,
    rng: Any,
    seed: Any,
    show_progress: bool | None,
    vector: bool,
) -> Estimate:
    samples = check_positive_int(samples, name="samples", minimum=2)
    gen, used_seed = _generator(rng, seed)
    chunk = max(1, _DRAW_ENTRIES // ev.n)
    starts = range(0, samples, chunk)
    acc = _Moments(k)
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


def _fmt_param(vals: np.ndarray, vector: bool) -> str:
    if not vector:
        return f"{vals[0]:g}"
    shown = ", ".join(f"{v:g}" for v in vals[:6])
    return f"[{shown}{', ...' if len(vals) > 6 else ''}]"


# --------------------------------------------------------------------------- estimators
def mean(
    fn: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate the mean (bias) :math:`E[f] = \hat f(\emptyset)` from uniform points x.

    Estimator: the average of f(x) over ``samples`` independent uniform x (see :mod:`boolsens.estimate`
    for ``fn``, seeding and batching). Per-sample variance Var f = E f² − (E f)², which is
    1 − (E f)² ≤ 1 for Boolean f: SE ε needs about ``(1 − E[f]²) / ε²`` samples.
    Cost: ``samples`` evaluations of ``fn``. Real outputs are allowed.

    >>> import boolsens as bs
    >>> est = bs.estimate.mean(bs.conjunction(3), samples=10_000, seed=0)   # exact: 3/4
    >>> abs(est.value - 0.75) < 4 * est.stderr
    True
    """
    ev = _Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="mean")

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        return ev(_points(gen, S, ev.n))[:, None]

    return _run(ev, per_sample, 1, samples=samples, rng=rng, seed=seed,
                show_progress=show_progress, vector=False)


#: Alias of :func:`mean` (O'Donnell calls E[f] the bias of f).
bias = mean


def influences(
    fn: Any,
    n: int | None = None,
    *,
    coordinates: Any = None,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
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

    >>> import boolsens as bs
    >>> est = bs.estimate.influences(bs.threshold([2, 1, 1, 1]), samples=4_000, seed=0)
    >>> exact = bs.influences(bs.threshold([2, 1, 1, 1]))        # (3/4, 1/4, 1/4, 1/4)
    >>> bool((abs(est.value - exact) < 4 * est.stderr).all())
    True
    """
    return _influences(fn, n, coordinates, single=False, samples=samples, batch_size=batch_size,
                       rng=rng, seed=seed, device=device, show_progress=show_progress)


def _influences(fn: Any, n: Any, coordinates: Any, *, single: bool, samples: Any, batch_size: Any,
                rng: Any, seed: Any, device: Any, show_progress: bool | None) -> Estimate:
    """Shared sampler of :func:`influences` and :func:`influence` (``single``: one coordinate)."""
    ev = _Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="influences")
    if single:
        coords = np.array([check_index(coordinates, ev.n)], dtype=np.int64)
        ev.measure = f"influence(i={coords[0]})"
    else:
        coords = _coordinates(coordinates, ev.n)
        if coordinates is not None:
            ev.measure = f"influences(coordinates={_fmt_param(coords.astype(float), True)})"

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        x = _points(gen, S, ev.n)
        return _flip_diffs(ev, x, ev(x), coords)

    return _run(ev, per_sample, len(coords), samples=samples, rng=rng, seed=seed,
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
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate the influence :math:`\mathrm{Inf}_i(f)` of one coordinate (scalar estimate).

    Same estimator, variance (Inf_i(1 − Inf_i) ≤ ¼ per sample for Boolean f) and seeding as
    :func:`influences` with ``coordinates=[i]``. Cost: ``2 · samples`` evaluations.

    >>> import boolsens as bs
    >>> bs.estimate.influence(bs.dictator(4, i=2), 2, samples=100, seed=0).value
    1.0
    """
    return _influences(fn, n, i, single=True, samples=samples, batch_size=batch_size,
                       rng=rng, seed=seed, device=device, show_progress=show_progress)


_TOTAL_METHODS = ("random_coordinate", "all_coordinates")


def total_influence(
    fn: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    method: str = "random_coordinate",
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
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

    >>> import boolsens as bs
    >>> bs.estimate.total_influence(bs.parity(6), samples=10, method="all_coordinates", seed=0).value
    6.0
    >>> est = bs.estimate.total_influence(bs.majority(9), samples=20_000, seed=0)
    >>> abs(est.value - bs.total_influence(bs.majority(9))) < 4 * est.stderr
    True
    """
    if method not in _TOTAL_METHODS:
        raise BoolsensError(f"method={method!r} must be one of {', '.join(map(repr, _TOTAL_METHODS))}")
    ev = _Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device,
                    measure=f"total_influence[{method}]")
    n = ev.n

    if method == "random_coordinate":
        def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
            x = _points(gen, S, n)
            i = gen.integers(0, n, size=S)
            y = x.copy()
            rows = np.arange(S)
            y[rows, i] = -y[rows, i]
            d = (ev(x) - ev(y)) / 2.0
            return (n * d * d)[:, None]
    else:
        coords = np.arange(n, dtype=np.int64)

        def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
            x = _points(gen, S, n)
            return _flip_diffs(ev, x, ev(x), coords).sum(axis=1, keepdims=True)

    return _run(ev, per_sample, 1, samples=samples, rng=rng, seed=seed,
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
    seed: Any,
    device: Any,
    show_progress: bool | None,
) -> Estimate:
    """Shared sampler: one x per sample and, for each flip probability p, an independent y
    (each bit flipped with probability p); per-sample value f(x)f(y) or 1[f(x) ≠ f(y)].
    ``param`` is ("rho", ρ) (flip probability (1 − ρ)/2) or ("delta", δ) (flip probability δ)."""
    name, value = param
    if name == "rho":
        vals, flip_p, vector = _probabilities(value, name=name, check=check_rho, to_p=lambda r: (1.0 - r) / 2.0)
    else:
        vals, flip_p, vector = _probabilities(value, name=name, check=check_delta, to_p=lambda d: d)
    measure = f"{measure}({name}={_fmt_param(vals, vector)})"
    ev = _Evaluator(fn, n, boolean=disagree, batch_size=batch_size, device=device, measure=measure)

    def per_sample(gen: np.random.Generator, S: int) -> np.ndarray:
        x = _points(gen, S, ev.n)
        fx = ev(x)
        out = np.empty((S, len(flip_p)), dtype=np.float64)
        for r, p in enumerate(flip_p):
            fy = ev(_noisy(x, _flip_mask(gen, S, ev.n, float(p))))
            out[:, r] = (fx != fy) if disagree else fx * fy
        return out

    return _run(ev, per_sample, len(flip_p), samples=samples, rng=rng, seed=seed,
                show_progress=show_progress, vector=vector)


def noise_stability(
    fn: Any,
    rho: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
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

    >>> import boolsens as bs
    >>> est = bs.estimate.noise_stability(bs.majority(5), 0.5, samples=20_000, seed=0)
    >>> abs(est.value - bs.noise_stability(bs.majority(5), 0.5)) < 4 * est.stderr
    True
    """
    return _pairs(fn, n, ("rho", rho), disagree=False, measure="noise_stability", samples=samples,
                  batch_size=batch_size, rng=rng, seed=seed, device=device, show_progress=show_progress)


def disagreement_probability(
    fn: Any,
    rho: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    seed: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> Estimate:
    r"""Estimate :math:`\Pr_\rho(f) = \Pr[f(x) \neq f(y)]` over ρ-correlated pairs (Boolean ``fn``).

    Estimator: the fraction of ``samples`` ρ-correlated pairs (as in :func:`noise_stability`) on
    which f disagrees. Equals ½ − ½ Stab_ρ(f) in expectation. Per-sample variance p(1 − p) ≤ ¼:
    ``samples = 1/(4ε²)`` guarantees SE ≤ ε. ``fn`` must return only ±1.
    Cost: ``samples · (1 + len(rho))`` evaluations.

    >>> import boolsens as bs
    >>> est = bs.estimate.disagreement_probability(bs.parity(3), 0.5, samples=20_000, seed=0)
    >>> abs(est.value - 0.4375) < 4 * est.stderr
    True
    """
    return _pairs(fn, n, ("rho", rho), disagree=True, measure="disagreement_probability", samples=samples,
                  batch_size=batch_size, rng=rng, seed=seed, device=device, show_progress=show_progress)


def noise_sensitivity(
    fn: Any,
    delta: Any,
    n: int | None = None,
    *,
    samples: int = 100_000,
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
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

    >>> import boolsens as bs
    >>> est = bs.estimate.noise_sensitivity(bs.dictator(8), 0.1, samples=20_000, seed=0)
    >>> abs(est.value - 0.1) < 4 * est.stderr
    True
    """
    return _pairs(fn, n, ("delta", delta), disagree=True, measure="noise_sensitivity", samples=samples,
                  batch_size=batch_size, rng=rng, seed=seed, device=device, show_progress=show_progress)
