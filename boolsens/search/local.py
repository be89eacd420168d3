r"""Local search over truth tables: hill climbing or simulated annealing with single-flip moves.

See :func:`local`. The incremental kernels are in :mod:`boolsens._kernels.search`.
"""

from __future__ import annotations

import dataclasses
import math
import time
from fractions import Fraction
from typing import Any

import numpy as np

from .._input.table import as_table
from .._input.validation import check_int, check_n, check_real
from .._kernels import lazy as _lazy_kernels
from ..errors import BoolsensError
from .objectives import Objective, evaluate, objective as _objective

_k = _lazy_kernels("search", globals(), "_k")  # numba loads on first use

__all__ = ["local", "LocalResult", "MAX_LOCAL_N"]

#: largest n of :func:`local` (a table of 2**20 signs; the generic objectives are far slower)
MAX_LOCAL_N = 20
_CHUNK = 1 << 18  # steps per kernel call (random numbers drawn per chunk)
_RECORDS = 200  # trajectory rows per restart (about)


@dataclasses.dataclass(frozen=True)
class LocalResult:
    """What :func:`local` found.

    Attributes
    ----------
    best : BooleanFunction — the best function over all restarts
    value : its exact value (Fraction or int for the named measures)
    restarts : list of (value, BooleanFunction), one per restart, in order
    trajectory : dict of columns ``restart, step, value, best`` (floats; about 200 rows per
        restart) for ``pandas.DataFrame(result.trajectory)``
    objective : str
    incremental : bool — whether a flip's change was computed incrementally
    moves : int — proposals evaluated (single flips)
    seconds : float
    """

    best: Any
    value: Any
    restarts: list
    trajectory: dict
    objective: str
    incremental: bool
    moves: int
    seconds: float

    @property
    def moves_per_second(self) -> float:
        """Single-flip proposals per second over the whole run."""
        return self.moves / self.seconds if self.seconds > 0 else float("inf")

    def table(self) -> dict[str, list]:
        """Columns ``restart, value, table`` (one row per restart; values exact text, tables in
        hexadecimal as ``BooleanFunction.to_hex``) for pandas."""
        return {"restart": list(range(len(self.restarts))), "value": [_text(v) for v, _ in self.restarts],
                "table": [g.to_hex() for _, g in self.restarts]}

    def __repr__(self) -> str:
        return (f"LocalResult({self.objective!r}, n={self.best.n}: best {_text(self.value)} over "
                f"{len(self.restarts)} restarts, {self.moves:,} moves, {self.moves_per_second:,.0f} moves/s)")


def _text(v: Any) -> str:
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else str(v.numerator)
    return str(v)


def _incremental(obj: Any, n: int) -> tuple[int, int] | None:
    """(kernel kind, level k) when the objective is one measure the kernels update by a flip."""
    if not isinstance(obj, Objective):
        return None
    name = obj.single()
    if name in ("total_influence", "sensitive_edges"):
        return 0, 0
    if name == "sensitivity":
        return 1, 0
    if name and name.startswith("W") and name[1:].isdigit() and int(name[1:]) <= n:
        return 2, int(name[1:])
    return None


def _exact(obj: Objective, units: int, n: int) -> Any:
    """The objective's value from the kernel's integer units."""
    name = obj.single()
    if name == "total_influence":
        return Fraction(units, 1 << max(n - 1, 0))
    if name.startswith("W"):
        return Fraction(units, 4**n)
    return units


def _schedule(anneal: Any, steps: int) -> tuple[float, float] | None:
    if anneal is None:
        return None
    if isinstance(anneal, (tuple, list)) and len(anneal) == 2:
        t0 = check_real(anneal[0], name="anneal[0]", minimum=0)
        t1 = check_real(anneal[1], name="anneal[1]", minimum=0)
    else:
        t0 = check_real(anneal, name="anneal", minimum=0)
        t1 = t0 / 1000
    if t0 <= 0 or t1 <= 0:
        raise BoolsensError(f"anneal={anneal!r} must be a positive temperature T0 or a pair (T0, T1) of them")
    return t0, t1


def _temps(schedule: tuple[float, float] | None, a: int, b: int, steps: int) -> np.ndarray:
    if schedule is None:
        return np.zeros(b - a)
    t0, t1 = schedule
    frac = np.arange(a, b) / max(1, steps - 1)
    return t0 * (t1 / t0) ** frac  # geometric cooling from T0 to T1


def local(objective: Any, n: int, *, steps: int = 10_000, restarts: int = 4, rng: Any = None, start: Any = None,
          anneal: Any = None, maximise: bool = True, candidates: int = 32) -> LocalResult:
    r"""Hill climbing (or simulated annealing) over the truth tables on n variables with
    single-flip moves f(x) → −f(x), from ``restarts`` random starts (or from ``start``).

    For an objective that is one of the measures ``total_influence`` (``sensitive_edges``),
    ``sensitivity`` or a level weight ``W<k>``, each step proposes one uniformly random flip and
    its change is computed incrementally by a compiled kernel (total influence: flipping f(x)
    changes the sensitive-edge count by n − 2 s(f, x); sensitivity: the per-point counts and
    their histogram; W^k: the C(n, k) Walsh coefficients of level k). For any other objective
    (an expression such as ``"bs/s"`` or a vectorised callable) each step evaluates a batch of
    ``candidates`` random single flips at once and proposes the best of them.

    A proposal is accepted when it does not make the objective worse (so plateaus are walked),
    or, with ``anneal``, with probability exp(Δ/T) (Δ < 0 the change in the objective's units,
    T cooled geometrically from T0 to T1 over the steps).

    Parameters
    ----------
    objective : str, :class:`~boolsens.search.Objective` or callable, as in
        :func:`boolsens.search.exhaustive`
    n : int in [1, 20] (incremental objectives; the generic path is practical to n of about 12)
    steps : int >= 1 — proposals per restart
    restarts : int >= 1
    rng : numpy Generator, int seed or None
    start : BooleanFunction or ±1 table on n variables, optional — every restart starts there
    anneal : None (hill climbing), T0 (cooled to T0/1000) or (T0, T1)
    maximise : bool (False: minimise)
    candidates : int >= 1 — flips evaluated per step on the generic path

    Returns
    -------
    :class:`LocalResult`

    Cost: incremental objectives O(n) per step for total influence and sensitivity (tens of
    millions of moves per second in the kernel; ``bench/bench_search.py``), O(C(n, k)) for W^k;
    generic ones ``candidates`` evaluations of the objective per step (``block_sensitivity``
    about 10 ms per function at n = 12). Memory: a few tables of 2^n entries.

    >>> import boolsens as bs
    >>> r = bs.search.local("total_influence", 6, steps=2000, restarts=2, rng=0)
    >>> r.value, r.best == bs.parity(6) or r.best == -bs.parity(6)
    (Fraction(6, 1), True)
    >>> bs.search.local("bs/s", 4, steps=200, restarts=2, rng=1).value  # the n = 4 maximum
    Fraction(3, 2)
    """
    start_time = time.perf_counter()
    n = check_n(n, minimum=1, maximum=MAX_LOCAL_N)
    steps = check_int(steps, name="steps", minimum=1)
    restarts = check_int(restarts, name="restarts", minimum=1)
    candidates = check_int(candidates, name="candidates", minimum=1)
    if not isinstance(maximise, (bool, np.bool_)):
        raise BoolsensError(f"maximise={maximise!r} must be True or False")
    if isinstance(objective, str):
        objective = _objective(objective)
    elif not callable(objective):
        raise BoolsensError(f"objective={objective!r} must be an expression over measure names or a callable")
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        rng = np.random.default_rng(None if rng is None else check_int(rng, name="rng", minimum=0))
    elif not isinstance(rng, np.random.Generator):
        raise BoolsensError(f"rng={rng!r} must be a numpy.random.Generator, an integer seed or None")
    start_signs = None
    if start is not None:
        t = as_table(start, name="start")
        if t.batch or t.n != n:
            raise BoolsensError(f"start must be one ±1 table on n={n} variables; got shape {t.numpy().shape}")
        t.require_pm1()
        start_signs = t.pm1_rows()[0].astype(np.int8)
    schedule = _schedule(anneal, steps)
    sign = 1 if maximise else -1
    inc = _incremental(objective, n)
    N = 1 << n
    every = max(1, steps // _RECORDS)
    traj: dict[str, list] = {"restart": [], "step": [], "value": [], "best": []}
    results = []
    from ..function import BooleanFunction

    for r in range(restarts):
        f = start_signs.copy() if start_signs is not None else (rng.integers(2, size=N, dtype=np.int8) * 2 - 1)
        if inc is not None:
            value, best_f, rec_v, rec_b, unit = _run_incremental(f, n, inc, steps, rng, schedule, sign, every)
            best = _exact(objective, value, n)
            scale_v = [float(_exact(objective, int(v), n)) for v in rec_v]
            scale_b = [float(_exact(objective, int(v), n)) for v in rec_b]
        else:
            best, best_f, scale_v, scale_b = _run_generic(objective, f, n, steps, rng, schedule, sign, every,
                                                          candidates)
        results.append((best, BooleanFunction(best_f)))
        traj["restart"] += [r] * len(scale_v)
        traj["step"] += [every * (k + 1) for k in range(len(scale_v))]
        traj["value"] += scale_v
        traj["best"] += scale_b
    defined = [k for k, (v, _) in enumerate(results) if v is not None]
    if not defined:
        raise BoolsensError(f"objective {objective!r} was undefined on every function visited (e.g. a ratio "
                            "whose denominator stayed 0)")
    top = max(defined, key=lambda k: sign * results[k][0])
    moves = steps * restarts * (1 if inc is not None else min(candidates, N))
    name = objective.text if isinstance(objective, Objective) else getattr(objective, "__qualname__", repr(objective))
    return LocalResult(best=results[top][1], value=results[top][0], restarts=results, trajectory=traj,
                       objective=name, incremental=inc is not None, moves=moves,
                       seconds=time.perf_counter() - start_time)


def _run_incremental(f, n, inc, steps, rng, schedule, sign, every):
    kind, level = inc
    N = 1 << n
    subsets = np.array([S for S in range(N) if bin(S).count("1") == level], dtype=np.int64) if kind == 2 \
        else np.zeros(0, dtype=np.int64)
    s = np.zeros(N, dtype=np.int64)
    hist = np.zeros(n + 1, dtype=np.int64)
    w = np.zeros(len(subsets), dtype=np.int64)
    value = int(_k.init_state(f, n, kind, subsets, s, hist, w))
    best_value, best_f = value, f.copy()
    rec_v = np.zeros(steps // every, dtype=np.int64)
    rec_b = np.zeros(steps // every, dtype=np.int64)
    # the kernel's units per objective unit: edges per unit of I, 4^n per unit of W^k
    scale = 1.0 / (1 << max(n - 1, 0)) if kind == 0 else (1.0 / 4**n if kind == 2 else 1.0)
    for a in range(0, steps, _CHUNK):
        b = min(steps, a + _CHUNK)
        xs = rng.integers(N, size=b - a)
        us = rng.random(b - a) if schedule is not None else np.zeros(b - a)
        value, best_value, _ = _k.run_steps(f, n, kind, subsets, s, hist, w, value, best_value, best_f, xs, us,
                                            _temps(schedule, a, b, steps), sign, scale, every, a, rec_v, rec_b)
    return int(best_value), best_f, rec_v, rec_b, scale


def _key(v: Any, sign: int) -> Any:
    return None if v is None else sign * v


def _run_generic(obj, f, n, steps, rng, schedule, sign, every, candidates):
    N = 1 << n
    m = min(candidates, N)
    codes, values = evaluate(obj, n, signs=f[None, :])
    current = None if codes[0] < 0 else values[codes[0]]
    best, best_f = current, f.copy()
    rec_v, rec_b = [], []
    for t in range(steps):
        xs = rng.choice(N, size=m, replace=False)
        batch = np.repeat(f[None, :], m, axis=0)
        batch[np.arange(m), xs] *= -1
        codes, values = evaluate(obj, n, signs=batch)
        ok = np.flatnonzero(codes >= 0)
        if ok.size:
            pick = max(ok, key=lambda b: sign * values[codes[b]])
            new = values[codes[pick]]
            if current is None:
                accept = True
            else:
                delta = float(sign * (new - current))
                accept = delta >= 0
                if not accept and schedule is not None:
                    temp = float(_temps(schedule, t, t + 1, steps)[0])
                    accept = rng.random() < math.exp(delta / temp)
            if accept:
                f[xs[pick]] *= -1
                current = new
                if best is None or sign * (current - best) > 0:
                    best, best_f = current, f.copy()
        if (t + 1) % every == 0 and len(rec_v) < steps // every:
            rec_v.append(float("nan") if current is None else float(current))
            rec_b.append(float("nan") if best is None else float(best))
    return best, best_f, rec_v, rec_b
