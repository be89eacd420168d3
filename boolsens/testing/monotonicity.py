r"""Testing monotonicity: :math:`x \le y` coordinatewise (with −1 < +1) implies f(x) ≤ f(y).

The order is that of :func:`boolsens.is_monotone` (O'Donnell Def. 2.8): with True = −1, AND, OR,
majority and tribes are monotone. Distance and conventions: see :mod:`boolsens.testing`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..estimate.sampling import uniform_points
from .result import TestResult, prepare, repetitions, run_rounds

__all__ = ["monotonicity"]


def monotonicity(
    fn: Any,
    n: int | None = None,
    *,
    eps: float = 0.1,
    delta: float | None = None,
    rng: Any = None,
    batch_size: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> TestResult:
    r"""The edge tester of monotonicity (Goldreich, Goldwasser, Lehman, Ron and Samorodnitsky 2000).

    **Test.** Each round draws x uniform and i uniform in [0, n) and queries f at the two ends of
    the edge in direction i: :math:`x^{i \to -1}` and :math:`x^{i \to +1}`; it rejects if
    :math:`f(x^{i\to-1}) > f(x^{i\to+1})` (the edge is violated: the lower point has the larger
    value). :math:`r = \lceil n \ln(1/\delta)/\varepsilon \rceil` rounds; accept if none rejects.

    **Guarantee** (GGLRS 2000, the edge-violation bound: an f that is eps-far from every monotone function
    violates at least an eps/n fraction of the n·2^{n−1} edges). A monotone f violates no edge and
    is always accepted (one-sided error: the witness edge proves f is not monotone); an eps-far f
    is rejected with probability ≥ 1 − (1 − eps/n)^r ≥ 1 − delta (``delta=None``: 1/3).

    **Cost.** 2r = O(n log(1/delta)/eps) queries (fewer after a rejection: rounds run in batches of
    32, 64, ... and stop at the first rejecting batch). ``fn`` must return ±1.

    >>> import boolsens as bs
    >>> bs.testing.monotonicity(bs.majority(9), eps=0.1, rng=0).accepted
    True
    >>> res = bs.testing.monotonicity(-bs.majority(9), eps=0.1, rng=0)
    >>> res.accepted, res.witness["f(lower)"], res.witness["f(upper)"]
    (False, 1, -1)
    """
    ev, gen, seed, eps, delta = prepare(fn, n, eps=eps, delta=delta, rng=rng, batch_size=batch_size,
                                        device=device, measure="monotonicity")
    n = ev.n
    rounds = repetitions(eps / n, delta)

    def one_batch(g: np.random.Generator, s: int):
        x = uniform_points(g, s, n)
        i = g.integers(0, n, size=s)
        rows = np.arange(s)
        lower, upper = x.copy(), x.copy()
        lower[rows, i] = -1
        upper[rows, i] = 1
        v = ev(np.concatenate([lower, upper])).reshape(2, s)
        rejects = v[0] > v[1]
        return rejects, lambda j: {"lower": lower[j], "i": int(i[j]), "f(lower)": int(v[0, j]),
                                   "f(upper)": int(v[1, j])}

    witness = run_rounds(ev, gen, rounds, 2, one_batch, show_progress=show_progress, desc="testing monotonicity")
    return TestResult(property="monotone", accepted=witness is None, witness=witness, queries=ev.rows,
                      rounds=rounds, eps=eps, delta=delta, n=n, seed=seed,
                      guarantee="edge tester, Goldreich-Goldwasser-Lehman-Ron-Samorodnitsky 2000: "
                                ">= eps/n of the edges of an eps-far f are violated")
