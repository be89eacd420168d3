"""What a property tester returns (:class:`TestResult`), and the shared set-up and round loop of the
testers: the black-box evaluator in Boolean mode, the generator, eps and delta checked once."""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

import numpy as np

from .._input.validation import check_open_unit
from ..estimate.evaluator import Evaluator
from ..estimate.relevance import pair_batches
from ..estimate.sampling import generator
from ..progress import bar

__all__ = ["TestResult", "prepare", "run_rounds", "repetitions"]


@dataclasses.dataclass(frozen=True, eq=False)
class TestResult:
    """The decision of a property tester, with its witness and its cost.

    Attributes
    ----------
    property : str
        What was tested, e.g. ``"linear"`` or ``"3-junta"``.
    accepted : bool
        The decision. Every tester here has one-sided error: a rejection always comes with a
        ``witness`` that proves f lacks the property; an acceptance is wrong with probability at
        most ``delta`` when f is ``eps``-far from the property.
    witness : dict or None
        The queried points (int8 rows of ±1) and values that prove the rejection; None on
        acceptance.
    queries : int
        Rows of ``fn`` evaluated.
    rounds : int
        Rounds (or, for the junta tester, pairs per test) the theorem asks for.
    eps, delta : float
        Distance and error: an ``eps``-far f is rejected with probability ≥ 1 − ``delta``.
    n, seed
        The number of inputs, and the seed that repeats the run (None when a Generator was given).
    guarantee : str
        The theorem the decision rests on.

    ``table()`` gives one row of columns (a dict of lists) that ``pandas.DataFrame`` loads.
    """

    __test__ = False  # not a pytest test class, despite its name

    property: str
    accepted: bool
    witness: dict[str, Any] | None
    queries: int
    rounds: int
    eps: float
    delta: float
    n: int
    seed: int | None
    guarantee: str

    @property
    def rejected(self) -> bool:
        """``not accepted``."""
        return not self.accepted

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain values (witness points as lists of ints), JSON-ready."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if self.witness is not None:
            out["witness"] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in self.witness.items()}
        return out

    def table(self) -> dict[str, list]:
        """One row: ``property, accepted, queries, rounds, eps, delta, n, seed``."""
        return {k: [getattr(self, k)] for k in ("property", "accepted", "queries", "rounds", "eps", "delta",
                                                 "n", "seed")}

    def __repr__(self) -> str:
        seed = "None (rng given)" if self.seed is None else str(self.seed)
        verdict = "accepted" if self.accepted else f"rejected, witness keys {sorted(self.witness or {})}"
        return (f"TestResult({self.property}: {verdict}; n={self.n}, eps={self.eps:g}, delta={self.delta:g}, "
                f"queries={self.queries:_}, seed={seed})")


def prepare(fn: Any, n: Any, *, eps: Any, delta: Any, rng: Any, batch_size: Any, device: Any,
            measure: str) -> tuple[Evaluator, np.random.Generator, int | None, float, float]:
    """(evaluator in Boolean mode, generator, seed, eps, delta), each argument checked once;
    ``delta=None`` is 1/3 (rejection with probability ≥ 2/3)."""
    eps = check_open_unit(eps, name="eps", meaning="the distance from the property")
    delta = 1.0 / 3.0 if delta is None else check_open_unit(delta, name="delta", meaning="the error probability")
    ev = Evaluator(fn, n, boolean=True, batch_size=batch_size, device=device, measure=f"testing.{measure}")
    gen, seed = generator(rng)
    return ev, gen, seed, eps, delta


def repetitions(per_round: float, delta: float) -> int:
    """Rounds r with (1 − per_round)^r ≤ delta: ⌈ln(1/delta) / per_round⌉ (as e^{-x} ≥ 1 − x).

    >>> repetitions(0.1, 1 / 3)
    11
    """
    return max(1, math.ceil(math.log(1.0 / delta) / per_round))


def run_rounds(ev: Evaluator, gen: np.random.Generator, rounds: int, points: int,
               one_batch: Callable[[np.random.Generator, int], tuple[np.ndarray, Callable[[int], dict]]],
               *, show_progress: bool | None, desc: str) -> dict[str, Any] | None:
    """Run ``rounds`` independent rounds in batches (32, 64, ... rounds; ``points`` rows of n per
    round); ``one_batch(gen, s)`` draws and evaluates s rounds and returns (rejects: (s,) bool,
    witness(j) → dict). Stops at the first batch with a rejection and returns the witness of its
    first rejecting round, else None (accept)."""
    with ev.evaluating(), bar(rounds, desc=desc, enabled=show_progress, unit="round") as b:
        for s in pair_batches(rounds, ev.n * points):
            rejects, witness = one_batch(gen, s)
            b.update(s)
            hit = np.flatnonzero(rejects)
            if hit.size:
                return witness(int(hit[0]))
    return None
