r"""Testing whether f is a k-junta: a function of at most k of its n inputs.

Distance and conventions: see :mod:`boolsens.testing`; the search is the one of
:func:`boolsens.estimate.relevant_variables` (:mod:`boolsens.estimate.relevance`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._input.validation import check_int
from ..estimate.relevance import witness_stage
from ..progress import bar
from .result import TestResult, prepare

__all__ = ["junta"]


def junta(
    fn: Any,
    n: int | None = None,
    *,
    k: int,
    eps: float = 0.1,
    delta: float | None = None,
    rng: Any = None,
    batch_size: int | None = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> TestResult:
    r"""Test whether f depends on at most k of its inputs, by finding relevant inputs one at a time.

    **Test** (the adaptive junta tester of Blais 2009, "Testing juntas nearly optimally", run
    over single coordinates instead of the parts of a random partition; its soundness argument is
    that of Fischer, Kindler, Ron, Safra and Samorodnitsky 2004). Keep a set J of coordinates
    proved relevant (at first empty). Each test draws up to
    :math:`m = \lceil \ln((k+1)/\delta)/\varepsilon \rceil` pairs (x, y), y = x with every
    coordinate outside J re-randomised; at the first pair with f(x) ≠ f(y), binary search over the
    hybrids of x and y finds a new coordinate i and a point u with f(u) ≠ f(u^{⊕i}), and i joins
    J. Reject as soon as |J| = k + 1; accept when a test's m pairs all agree.

    **Guarantee.** Every coordinate in J is proved relevant by its witness, so a k-junta is never
    rejected (one-sided error; a rejection's witness is k + 1 coordinates with their witness
    points). If f is eps-far from every k-junta then, while |J| ≤ k, f is eps-far from every
    function of the coordinates in J, and that distance is at most
    :math:`\Pr[f(x) \neq f(x_J y_{\bar J})]` (take the majority over the re-randomised
    coordinates; O'Donnell §2.2, Fischer et al. 2004), so each pair of a test disagrees with
    probability ≥ eps and a test accepts with probability ≤ (1 − eps)^m ≤ delta/(k + 1). At most
    k + 1 tests are made, so f is rejected with probability ≥ 1 − delta (``delta=None``: 1/3).

    **Cost.** At most (k + 1)·2m pair queries plus (k + 1)⌈log2 n⌉ search queries:
    O(k log(k/delta)/eps + k log n). (Blais's partition into O(k²) parts replaces the log n by
    log k; at n ≤ 100,000 the log n term is at most 17(k + 1) queries.) k ≥ n accepts at once
    (every function of n inputs is an n-junta) with no query.

    ``fn`` must return ±1.

    >>> import numpy as np, boolsens as bs
    >>> f = lambda x: x[:, 10] * x[:, 700]                          # a 2-junta inside n = 1,000
    >>> bs.testing.junta(f, 1000, k=2, eps=0.1, rng=0).accepted
    True
    >>> res = bs.testing.junta(f, 1000, k=1, eps=0.1, rng=0)
    >>> res.accepted, res.witness["variables"]
    (False, [10, 700])
    """
    ev, gen, seed, eps, delta = prepare(fn, n, eps=eps, delta=delta, rng=rng, batch_size=batch_size,
                                        device=device, measure="junta")
    k = check_int(k, name="k", minimum=0, context="the number of relevant inputs allowed")
    m = max(1, math.ceil(math.log((k + 1) / delta) / eps))
    guarantee = ("one-sided adaptive junta tester (Blais 2009 over coordinates; Fischer et al. 2004): "
                 "an eps-far f is rejected with probability >= 1 - delta")
    known = np.zeros(ev.n, dtype=bool)
    found: dict[int, np.ndarray] = {}
    witness = None
    if k < ev.n:
        with ev.evaluating(), bar(k + 1, desc=f"testing {k}-junta", enabled=show_progress, unit="test") as b:
            while len(found) <= k:
                stage = witness_stage(ev, gen, known, pairs=m, searches=1, tol=0.0)
                b.update(1)
                if not stage.witnessed:
                    break
                for i, u in stage.found.items():
                    known[i] = True
                    found[i] = u
        if len(found) > k:
            order = sorted(found)
            witness = {"variables": order, "points": np.array([found[i] for i in order], dtype=np.int8)}
    return TestResult(property=f"{k}-junta", accepted=witness is None, witness=witness, queries=ev.rows,
                      rounds=m, eps=eps, delta=delta, n=ev.n, seed=seed, guarantee=guarantee)
