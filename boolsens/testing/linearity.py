r"""Testing linearity (the BLR test) and dictatorship (BLR with an oddness and an AND check).

Linear functions are the parities :math:`\chi_S(x) = \prod_{i \in S} x_i` (S = ∅ included; the
negated parities −χ_S are affine, not linear), dictators the :math:`\chi_{\{i\}}(x) = x_i`
(O'Donnell, *Analysis of Boolean Functions*, §1.6 and §7.1). Distance is the fraction of points
where two functions differ; f is eps-far from a property when every function with it differs
from f on at least an eps fraction of the cube. Conventions: see :mod:`boolsens.testing`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..estimate.sampling import uniform_points
from .result import TestResult, prepare, repetitions, run_rounds

__all__ = ["linearity", "dictator", "AND_CHECK_REJECTION"]

#: min over |S| ≥ 2 of Pr[χ_S(max(x, y)) ≠ AND(χ_S(x), χ_S(y))] (AND in the True = −1 sense):
#: 1/2 − 2^{−2⌊|S|/2⌋−1}, smallest at |S| = 2, 3
AND_CHECK_REJECTION = 3 / 8


def linearity(
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
    r"""The Blum–Luby–Rubinfeld test of linearity: does f equal some parity χ_S?

    **Test** (Blum, Luby and Rubinfeld 1993). Each round draws x, y uniform and independent and
    queries f(x), f(y), f(x∘y) (x∘y the coordinatewise product); it rejects if
    :math:`f(x)f(y) \neq f(x \circ y)`. The tester runs :math:`r = \lceil \ln(1/\delta)/\varepsilon
    \rceil` rounds and accepts if none rejects.

    **Guarantee** (O'Donnell Thm 1.30: Pr[a round accepts] = ½ + ½ Σ_S f̂(S)³ ≤ ½ + ½ max_S f̂(S),
    so a round rejects with probability at least dist(f, parities)). Every parity is accepted
    always (one-sided error; a rejection's witness (x, y) proves f is not linear); an f that is
    eps-far from every parity is rejected with probability ≥ 1 − (1 − eps)^r ≥ 1 − delta
    (``delta=None``: 1/3, the textbook 2/3).

    **Cost.** 3r queries (fewer after a rejection: rounds run in batches of 32, 64, ... and stop at
    the first rejecting batch); r = 11 at eps = 0.1, delta = 1/3. Independent of n.

    ``fn`` is any black box of :mod:`boolsens.estimate` (numpy callable, torch module, table) and
    must return ±1.

    >>> import numpy as np, boolsens as bs
    >>> chi = lambda x: x[:, 3] * x[:, 10] * x[:, 40]                  # a parity on n = 64 inputs
    >>> bs.testing.linearity(chi, 64, eps=0.1, rng=0).accepted
    True
    >>> bs.testing.linearity(bs.majority(9), eps=0.1, rng=0).accepted
    False
    """
    ev, gen, seed, eps, delta = prepare(fn, n, eps=eps, delta=delta, rng=rng, batch_size=batch_size,
                                        device=device, measure="linearity")
    rounds = repetitions(eps, delta)

    def one_batch(g: np.random.Generator, s: int):
        x, y = uniform_points(g, s, ev.n), uniform_points(g, s, ev.n)
        xy = x * y
        v = ev(np.concatenate([x, y, xy])).reshape(3, s)
        rejects = v[0] * v[1] != v[2]
        return rejects, lambda j: {"check": "blr", "x": x[j], "y": y[j], "f(x)": int(v[0, j]),
                                   "f(y)": int(v[1, j]), "f(x*y)": int(v[2, j])}

    witness = run_rounds(ev, gen, rounds, 3, one_batch, show_progress=show_progress, desc="testing linearity")
    return TestResult(property="linear", accepted=witness is None, witness=witness, queries=ev.rows,
                      rounds=rounds, eps=eps, delta=delta, n=ev.n, seed=seed,
                      guarantee="Blum-Luby-Rubinfeld 1993; O'Donnell Thm 1.30: a round rejects with "
                                "probability >= dist(f, parities)")


def dictator(
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
    r"""Test whether f is a dictator :math:`x \mapsto x_i` (O'Donnell §7.1; not −x_i, not a constant).

    **Test.** Each round draws x, y, w uniform and independent, sets z = max(x, y) (coordinatewise:
    z_i = −1 iff x_i = y_i = −1, the AND of the bits under True = −1) and queries f at x, y, x∘y,
    −x, z∘w and w (6 queries). It rejects if any of three checks fails:

    * BLR: :math:`f(x)f(y) = f(x \circ y)` (linearity, O'Donnell Thm 1.30);
    * oddness: :math:`f(-x) = -f(x)` (a parity χ_S is odd iff |S| is odd; rules out χ_∅ = 1);
    * AND: :math:`g(z) = -1` iff f(x) = f(y) = −1, where :math:`g(z) = f(z \circ w) f(w)` is f
      self-corrected at z (O'Donnell Prop. 1.31): the check of Parnas, Ron and Samorodnitsky
      2002, which every dictator passes and every parity χ_S with |S| ≥ 2 fails with probability
      ≥ 3/8 (:data:`AND_CHECK_REJECTION`; exactly 1/2 − 2^{−2⌊|S|/2⌋−1}).

    **Guarantee.** A dictator passes every check always (one-sided error: the witness of a
    rejection proves f is not a dictator). Let ε₁ = min(eps, 3/64) and suppose f is eps-far from
    every dictator. If f is ε₁-far from every parity, the BLR check rejects a round with
    probability ≥ ε₁. Otherwise f is within ε₁ of one parity χ_S, and S is not a singleton
    (ε₁ ≤ eps): for S = ∅ the oddness check rejects with probability ≥ 1 − 2ε₁; for |S| ≥ 2 the
    four points x, y, z∘w, w are each uniform, so with probability ≥ 1 − 4ε₁ f agrees with χ_S on
    all of them and the AND check then fails with probability ≥ 3/8, a rejection probability
    ≥ 3/8 − 4ε₁ ≥ 3/16. So every round rejects with probability ≥ ε₁, and
    :math:`r = \lceil \ln(1/\delta)/\varepsilon_1 \rceil` rounds reject with probability ≥ 1 − delta.
    (O'Donnell's own 3-query dictator test, BLR or NAE with probability ½ each, rests on the FKN
    theorem, whose constant is not explicit; this tester trades three queries for a stated bound.)

    **Cost.** 6r queries (fewer after a rejection); r = 24 at eps = 0.1, delta = 1/3. Independent
    of n. ``fn`` must return ±1.

    >>> import boolsens as bs
    >>> bs.testing.dictator(bs.dictator(20, 7), eps=0.1, rng=0).accepted
    True
    >>> [bs.testing.dictator(g, eps=0.1, rng=0).witness["check"] for g in (bs.majority(9), bs.parity(9), -bs.dictator(9))]
    ['blr', 'and', 'blr']
    """
    ev, gen, seed, eps, delta = prepare(fn, n, eps=eps, delta=delta, rng=rng, batch_size=batch_size,
                                        device=device, measure="dictator")
    eps1 = min(eps, AND_CHECK_REJECTION / 8)
    rounds = repetitions(eps1, delta)

    def one_batch(g: np.random.Generator, s: int):
        x, y, w = (uniform_points(g, s, ev.n) for _ in range(3))
        z = np.maximum(x, y)
        v = ev(np.concatenate([x, y, x * y, -x, z * w, w])).reshape(6, s)
        fx, fy, fxy, fnx, fzw, fw = v
        blr = fx * fy != fxy
        odd = fnx != -fx
        both = (fx == -1) & (fy == -1)
        andc = ((fzw * fw) == -1) != both
        rejects = blr | odd | andc

        def witness(j: int) -> dict:
            check = "blr" if blr[j] else ("odd" if odd[j] else "and")
            return {"check": check, "x": x[j], "y": y[j], "w": w[j],
                    **{f"f({name})": int(v[r, j]) for r, name in enumerate(("x", "y", "x*y", "-x", "z*w", "w"))}}

        return rejects, witness

    witness = run_rounds(ev, gen, rounds, 6, one_batch, show_progress=show_progress, desc="testing dictator")
    return TestResult(property="dictator", accepted=witness is None, witness=witness, queries=ev.rows,
                      rounds=rounds, eps=eps, delta=delta, n=ev.n, seed=seed,
                      guarantee="BLR (O'Donnell Thm 1.30) + oddness + self-corrected AND check "
                                "(Parnas-Ron-Samorodnitsky 2002): a round rejects with probability "
                                ">= min(eps, 3/64) when f is eps-far from dictators")
