r"""Which inputs matter: the relevant variables of a black box, found by an adaptive witness search
whose every report is proved, with the influence of each and a stated chance of a miss.

Conventions: see :mod:`boolsens.estimate` (``fn``, ``rng``, ``batch_size``, ``device``,
``show_progress``). Definitions (O'Donnell, *Analysis of Boolean Functions*, §2.2; Fischer,
Kindler, Ron, Safra and Samorodnitsky 2004, "Testing juntas"): for a set U of coordinates,
x uniform and y uniform and independent, write :math:`x_{\bar U} y_U` for x with the coordinates
in U taken from y (U *re-randomised*), and

.. math:: \nu_\tau(U) = \Pr\big[\,|f(x) - f(x_{\bar U} y_U)| > \tau\,\big].

For ±1-valued f and τ < 2, :math:`\nu_0(U) = \tfrac12 W_U` with
:math:`W_U = \sum_{S \cap U \neq \emptyset} \hat f(S)^2`, so :math:`\nu_0(U) \ge \tfrac12
\mathrm{Inf}_i(f)` for every i in U, and f is :math:`\nu_0(U)`-close to a function of the
coordinates outside U (for each setting of those, take the majority over U: the disagreement
min(p, 1 − p) ≤ 2p(1 − p)).

The search (:func:`witness_stage`) is the engine of :func:`relevant_variables` and of the junta
tester :func:`boolsens.testing.junta`: re-randomise every coordinate not yet found; a pair (x, y)
with |f(x) − f(y)| > τ is a *witness* that the block U of re-randomised coordinates is relevant; the
hybrids of x and y (y's values on the first half of the differing coordinates, then on a half of
that half, ...) locate one relevant coordinate i in ⌈log2 |D|⌉ further queries (D: the coordinates
where x and y differ), ending at a point u with f(u) ≠ f(u^{⊕i}): a proof that i is relevant.
"""

from __future__ import annotations

import dataclasses
import math
from statistics import NormalDist
from typing import Any, Iterator

import numpy as np

from .._input.validation import check_int, check_open_unit, check_real
from ..errors import BoolsensError
from ..progress import bar
from .evaluator import Evaluator
from .sampling import _DRAW_ENTRIES, flip_diffs, generator, uniform_points

__all__ = ["relevant_variables", "RelevantVariables", "witness_stage", "pair_batches", "Stage"]

#: witnesses located per test of :func:`relevant_variables`: one, so no location is spent twice on
#: a coordinate and a k-junta costs at most k⌈log2 n⌉ location queries and k + 1 tests
SEARCHES_PER_STAGE = 1
#: the first batch of pairs of a stage; later batches double, so a stage that finds a witness
#: early spends few queries, and one that finds none spends exactly its samples
FIRST_BATCH = 32


def pair_batches(total: int, n: int) -> Iterator[int]:
    """Batch sizes 32, 64, 128, ... (capped by the draw chunk 2**20 // n) summing to ``total``:
    the schedule depends on ``total`` and n only, so a seed gives the same points whatever
    ``batch_size`` is.

    >>> list(pair_batches(200, 10))
    [32, 64, 104]
    """
    cap = max(1, _DRAW_ENTRIES // n)
    size, done = min(FIRST_BATCH, cap), 0
    while done < total:
        s = min(size, total - done)
        yield s
        done += s
        size = min(2 * size, cap)


@dataclasses.dataclass
class Stage:
    """The outcome of one stage of the search: ``found`` (coordinate → witness point u, with
    f(u) ≠ f(u^{⊕i})), ``pairs`` drawn, ``witnessed`` (whether any pair was a witness)."""

    found: dict[int, np.ndarray]
    pairs: int
    witnessed: bool


def _locate(ev: Evaluator, a: np.ndarray, b: np.ndarray, fa: np.ndarray, fb: np.ndarray,
            diffs: list[np.ndarray]) -> list[tuple[int, np.ndarray]]:
    """Binary search, for each witness pair (a[j], b[j]) differing on diffs[j], down to one
    coordinate i and a point u with f(u) ≠ f(u^{⊕i}); all pairs advance together (one batch of
    hybrids per level). The half kept is the one whose values differ more, so the difference
    never falls below |f(a) − f(b)| / 2**depth > 0."""
    a, b, fa, fb = a.copy(), b.copy(), fa.copy(), fb.copy()
    diffs = list(diffs)
    while True:
        active = [j for j, d in enumerate(diffs) if len(d) > 1]
        if not active:
            break
        z = a[active].copy()
        heads = []
        for r, j in enumerate(active):
            head = diffs[j][: len(diffs[j]) // 2]
            z[r, head] = b[j, head]
            heads.append(len(head))
        fz = ev(z)
        for r, j in enumerate(active):
            if abs(fz[r] - fa[j]) >= abs(fb[j] - fz[r]):  # (a, z) differ on the head
                b[j], fb[j], diffs[j] = z[r], fz[r], diffs[j][: heads[r]]
            else:  # (z, b) differ on the tail
                a[j], fa[j], diffs[j] = z[r], fz[r], diffs[j][heads[r]:]
    return [(int(d[0]), a[j].copy()) for j, d in enumerate(diffs)]


def witness_stage(ev: Evaluator, gen: np.random.Generator, known: np.ndarray, *, pairs: int, searches: int,
                  tol: float) -> Stage:
    """One stage: up to ``pairs`` pairs (x, y) with y = x re-randomised outside ``known`` (a (n,)
    bool mask), drawn in :func:`pair_batches`; at the first batch holding witnesses
    (|f(x) − f(y)| > ``tol``), the first ``searches`` of them are located (:func:`_locate`) and the
    stage ends. Queries: 2 per pair drawn, plus at most ⌈log2 n⌉ per located witness."""
    n = ev.n
    free = np.flatnonzero(~known)
    drawn = 0
    for s in pair_batches(pairs, n):
        x = uniform_points(gen, s, n)
        y = x.copy()
        y[:, free] = uniform_points(gen, s, len(free))
        fx, fy = ev(x), ev(y)
        drawn += s
        hits = np.flatnonzero(np.abs(fx - fy) > tol)[:searches]
        if hits.size:
            diffs = [free[x[h, free] != y[h, free]] for h in hits]
            found: dict[int, np.ndarray] = {}
            for i, u in _locate(ev, x[hits], y[hits], fx[hits], fy[hits], diffs):
                found.setdefault(i, u)
            return Stage(found=found, pairs=drawn, witnessed=True)
    return Stage(found={}, pairs=drawn, witnessed=False)


@dataclasses.dataclass(frozen=True, eq=False)
class RelevantVariables:
    """The result of :func:`relevant_variables`.

    Attributes
    ----------
    variables : tuple of int
        The reported coordinates, increasing; each was witnessed (``witnesses[j]`` is a point u
        with f(u) ≠ f(u^{⊕i})), so each is relevant, with certainty.
    influence, ci_low, ci_high : (r,) float64 arrays
        Each reported coordinate's influence E[((f(x) − f(x^{⊕i}))/2)²] estimated from
        ``influence_samples`` flip pairs, and intervals that hold simultaneously with probability
        ≥ 1 − alpha (exact Clopper–Pearson at level alpha/r each for ±1-valued f; the normal
        approximation for real-valued f). NaN when ``influence_samples=0``.
    witnesses : (r, n) int8 array
        The witness points.
    detection_level : float
        With probability ≥ 1 − alpha every coordinate of influence ≥ this is reported (±1-valued
        f), and in general the unreported coordinates U have ν_τ(U) < detection_level / 2.
    tests, pairs, queries, search_queries, influence_queries : int
        Stages of the search (block tests), pairs drawn, and rows evaluated: in all, locating
        witnesses, and estimating the influences.
    samples_per_test : tuple of int
        The pairs allowed to each test (its stopping sample).
    interval : str
        How the intervals were made: ``"clopper-pearson"`` (every output ±1), ``"normal"``
        (real outputs) or ``"none"`` (no influences asked for, or nothing reported).
    alpha, tol, n, seed
        As given (``seed`` None when a Generator was passed).

    ``table()`` gives the columns (a dict of lists) that ``pandas.DataFrame`` loads.
    """

    variables: tuple[int, ...]
    influence: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    witnesses: np.ndarray
    detection_level: float
    alpha: float
    tol: float
    tests: int
    pairs: int
    queries: int
    search_queries: int
    influence_queries: int
    samples_per_test: tuple[int, ...]
    n: int
    seed: int | None
    interval: str

    def table(self) -> dict[str, list]:
        """Columns ``variable, influence, ci_low, ci_high, witnessed`` (one row per reported
        coordinate): ``pandas.DataFrame(result.table())``."""
        r = len(self.variables)
        return {"variable": list(self.variables), "influence": self.influence.tolist(),
                "ci_low": self.ci_low.tolist(), "ci_high": self.ci_high.tolist(), "witnessed": [True] * r}

    def as_dict(self) -> dict[str, Any]:
        """Everything but the witness points, as plain numbers (JSON-ready)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "witnesses"}
        for key in ("influence", "ci_low", "ci_high"):
            out[key] = out[key].tolist()
        out["variables"] = list(self.variables)
        out["samples_per_test"] = list(self.samples_per_test)
        return out

    def __repr__(self) -> str:
        shown = ", ".join(map(str, self.variables[:12])) + (", ..." if len(self.variables) > 12 else "")
        seed = "None (rng given)" if self.seed is None else str(self.seed)
        return (f"RelevantVariables([{shown}] of n={self.n}, detection_level={self.detection_level:.3g}, "
                f"alpha={self.alpha:g}, tests={self.tests}, queries={self.queries:_}, seed={seed})")


def _binomial_cdf(k: int, m: int, p: float) -> float:
    """Pr[Binomial(m, p) ≤ k], summed in log space."""
    if k < 0:
        return 0.0
    if k >= m:
        return 1.0
    j = np.arange(k + 1, dtype=np.float64)
    logc = math.lgamma(m + 1) - np.array([math.lgamma(v + 1) + math.lgamma(m - v + 1) for v in j])
    terms = logc + j * math.log(p) + (m - j) * math.log1p(-p)
    return float(min(1.0, math.exp(np.logaddexp.reduce(terms))))


def clopper_pearson(k: int, m: int, level: float) -> tuple[float, float]:
    """The exact (Clopper–Pearson) interval for a binomial proportion from k successes in m
    trials, each side of error at most ``level / 2`` (bisection on the binomial distribution).

    >>> lo, hi = clopper_pearson(0, 10, 0.05)
    >>> lo, round(hi, 4)                      # 1 − 0.025**(1/10)
    (0.0, 0.3085)
    """
    half = level / 2.0

    def solve(target_k: int, want_upper: bool) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(60):
            mid = (lo + hi) / 2.0
            if want_upper:  # largest p with Pr[X <= k] >= half
                ok = _binomial_cdf(target_k, m, mid) >= half
            else:  # smallest p with Pr[X >= k] >= half
                ok = 1.0 - _binomial_cdf(target_k - 1, m, mid) < half
            lo, hi = (mid, hi) if ok else (lo, mid)
        return hi if want_upper else lo

    low = 0.0 if k == 0 else solve(k, False)
    high = 1.0 if k == m else solve(k, True)
    return low, high


def relevant_variables(
    fn: Any,
    n: int | None = None,
    *,
    alpha: float = 0.05,
    min_influence: float = 0.01,
    samples_per_test: int | None = None,
    influence_samples: int = 1000,
    tol: float = 0.0,
    batch_size: int | None = None,
    rng: Any = None,
    device: Any = None,
    show_progress: bool | None = None,
) -> RelevantVariables:
    r"""The coordinates a black box depends on, each proved relevant by a witness, found by an
    adaptive search that costs O(k log n) queries for a k-junta, with each one's influence.

    **Definition.** Coordinate i is relevant when :math:`f(u) \neq f(u^{\oplus i})` for some u,
    i.e. :math:`\mathrm{Inf}_i(f) > 0` (:func:`boolsens.relevant_variables` computes the set
    exactly from a table).

    **Search** (junta testers' binary search over blocks: Fischer et al. 2004, Blais 2009). Let R
    be the coordinates found so far (at first none). Test t re-randomises the block U = [n] ∖ R:
    it draws up to m_t pairs (x, x_{R} y_U); a pair with |f(x) − f(y)| > ``tol`` witnesses that U
    is relevant, and splitting its differing coordinates in halves (querying the hybrid) narrows
    it to one coordinate i and a point u with f(u) ≠ f(u^{⊕i}) in ⌈log2 n⌉ queries. The first
    witness of a test is located, its coordinate joins R, and the next test begins; a test whose
    m_t pairs all agree ends the search.

    **Guarantee.** (i) *No false positive, ever*: every reported coordinate comes with its
    witness point (``witnesses``), a proof that it is relevant, for any deterministic ``fn``
    (±1- or real-valued). (ii) *Misses*: test t stops on m_t agreeing pairs, which happens with
    probability :math:`(1-\nu_\tau(U))^{m_t}`; taking :math:`m_t = \lceil \ln(1/\alpha_t) /
    \theta\rceil` with θ = ``min_influence``/2 and :math:`\alpha_t = \alpha/(t(t+1))`
    (:math:`\sum_t \alpha_t < \alpha` however many tests are made) makes the chance that the search
    stops while :math:`\nu_\tau(U) \ge \theta` at most alpha. For ±1-valued f (τ < 2),
    :math:`\nu_0(U) = W_U/2 \ge \mathrm{Inf}_i/2` for each i in U, so: **with probability
    ≥ 1 − alpha every coordinate with Inf_i ≥ min_influence is reported, and f is
    min_influence/2-close to a function of the reported coordinates**; coordinates of smaller
    influence may be missed. Given ``samples_per_test`` = m instead, the same holds with
    ``detection_level`` = 2 (1 − α_t^{1/m}) at the last test in place of ``min_influence``.

    **Where multiple testing enters.** The tests are sequential and adaptive, and a test that
    finds a witness has p-value 0; Holm's step-down over the tests made would therefore reject
    exactly the witnessed blocks, so the family-wise error lies wholly in the misses, and it is
    spent by the union bound above (α_t = α/(t(t+1)), valid for a number of tests not known in
    advance). The reported influences get intervals that hold *simultaneously* with probability
    ≥ 1 − alpha: each at level alpha/r (r reported; Bonferroni, which Holm's procedure cannot
    sharpen for intervals), exact Clopper–Pearson for ±1-valued f, the normal approximation
    (mean ± z·stderr) for real-valued f. For real-valued f (network logits) every input usually
    matters a little; ``tol`` > 0 makes a pair count as a witness only when f moves by more than
    ``tol``, and (ii) then bounds :math:`\nu_\tau` of the unreported coordinates.

    **Cost.** For a k-junta: at most k⌈log2 n⌉ queries locating witnesses (``search_queries``),
    at most k + 1 tests, each 2 queries per pair drawn: at most 2 m_t, and for a test that finds
    a witness about 2/ν(U) pairs (drawn in batches of 32, 64, ...); then
    (r + 1)·``influence_samples`` for the influences. The dependence on n is the k log2 n of the search alone. Memory
    O(2**20 + batch_size·n).

    Parameters
    ----------
    fn, n, batch_size, device, show_progress
        As for every estimator (:mod:`boolsens.estimate`); real outputs are allowed.
    alpha : float in (0, 1)
        The chance of missing a coordinate of influence ≥ ``min_influence``, and of an
        interval failing.
    min_influence : float in (0, 1)
        The detection level.
    samples_per_test : int >= 1, optional
        Pairs allowed to each test, overriding ``min_influence``.
    influence_samples : int, 0 or >= 2
        Flip pairs for the influences (0: none, NaN columns).
    tol : float >= 0
        How far f must move for a pair to witness (0: any change).
    rng
        An integer seed, a ``numpy.random.Generator`` or None (a fresh seed, recorded).

    >>> import numpy as np, boolsens as bs
    >>> f = lambda x: x[:, 3] * np.where(x[:, 500] + x[:, 900] > 0, 1, -1)   # a 3-junta, n = 1,000
    >>> res = bs.estimate.relevant_variables(f, 1000, rng=0)
    >>> res.variables, res.search_queries <= 3 * 10, res.tests
    ((3, 500, 900), True, 4)
    >>> [float(round(v, 1)) for v in res.influence]                                 # exact: 1, 1/2, 1/2
    [1.0, 0.5, 0.5]
    """
    alpha = check_open_unit(alpha, name="alpha", meaning="the family-wise error")
    min_influence = check_open_unit(min_influence, name="min_influence", meaning="the detection level")
    if samples_per_test is not None:
        samples_per_test = check_int(samples_per_test, name="samples_per_test", minimum=1)
    influence_samples = check_int(influence_samples, name="influence_samples", minimum=0)
    if influence_samples == 1:
        raise BoolsensError("influence_samples=1 must be 0 (no influences) or >= 2 (a standard error needs two)")
    tol = check_real(tol, name="tol", minimum=0.0)
    ev = Evaluator(fn, n, boolean=False, batch_size=batch_size, device=device, measure="relevant_variables")
    gen, seed = generator(rng)
    n = ev.n
    theta = min_influence / 2.0
    known = np.zeros(n, dtype=bool)
    found: dict[int, np.ndarray] = {}
    budgets: list[int] = []
    pairs = search = 0
    with ev.evaluating(), bar(None, desc="relevant_variables (tests)", enabled=show_progress, unit="test") as b:
        while not known.all():
            t = len(budgets) + 1
            level = alpha / (t * (t + 1))
            m = samples_per_test if samples_per_test is not None else math.ceil(math.log(1.0 / level) / theta)
            budgets.append(m)
            before = ev.rows
            stage = witness_stage(ev, gen, known, pairs=m, searches=SEARCHES_PER_STAGE, tol=tol)
            pairs += stage.pairs
            search += ev.rows - before - 2 * stage.pairs
            for i, u in stage.found.items():
                known[i] = True
                found.setdefault(i, u)
            b.update(1)
            b.set_postfix(found=len(found), queries=ev.rows)
            if not stage.witnessed:
                break
        if samples_per_test is None:
            detection = min_influence
        else:
            last = alpha / (len(budgets) * (len(budgets) + 1))
            detection = min(1.0, 2.0 * (1.0 - last ** (1.0 / samples_per_test)))
        variables = tuple(sorted(found))
        r = len(variables)
        before = ev.rows
        interval = "none"
        if r and influence_samples:
            x = uniform_points(gen, influence_samples, n)
            fx = ev(x)
            vals = flip_diffs(ev, x, fx, np.array(variables, dtype=np.int64))  # (samples, r)
            infl = vals.mean(axis=0)
            if np.all(np.abs(fx) == 1.0) and np.all((vals == 0.0) | (vals == 1.0)):
                interval = "clopper-pearson"
                ends = [clopper_pearson(int(c), influence_samples, alpha / r) for c in vals.sum(axis=0)]
                low, high = np.array([e[0] for e in ends]), np.array([e[1] for e in ends])
            else:
                interval = "normal"
                z = NormalDist().inv_cdf(1.0 - alpha / (2 * r))
                se = vals.std(axis=0, ddof=1) / math.sqrt(influence_samples)
                low, high = np.maximum(infl - z * se, 0.0), infl + z * se
        else:
            infl, low, high = (np.full(r, np.nan) for _ in range(3))
    witnesses = np.array([found[i] for i in variables], dtype=np.int8).reshape(r, n)
    for a in (infl, low, high, witnesses):
        a.setflags(write=False)
    return RelevantVariables(
        variables=variables, influence=infl, ci_low=low, ci_high=high, witnesses=witnesses,
        detection_level=float(detection), alpha=alpha, tol=tol, tests=len(budgets), pairs=pairs,
        queries=ev.rows, search_queries=search, influence_queries=ev.rows - before,
        samples_per_test=tuple(budgets), n=n, seed=seed, interval=interval)
