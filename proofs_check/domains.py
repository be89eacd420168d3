r"""Domains of Boolean functions and lazily computed measures of a whole batch.

A :class:`Domain` yields :class:`Batch` es: (B, 2**n) int8 sign tables that share n, with a way
to describe instance b (a family name or the hex truth table read by
``BooleanFunction.from_hex``). The standard domain (:func:`boolean`) is, per profile:

========== ===================== ======================== ================== ==================
profile    exhaustive            random tables            hypothesis         named families
========== ===================== ======================== ================== ==================
quick      every f on n ≤ 3      n = 5, 6: 100 each       20 draws, n ≤ 8    n ≤ 8
default    every f on n ≤ 4      n = 5, 6: 2,000 each     150 draws, n ≤ 12  n ≤ 14
thorough   every f on n ≤ 4      n = 5, 6: 20,000 each    1,000, n ≤ 16      n ≤ 20
========== ===================== ======================== ================== ==================

(n = 4 exhaustive is all 65,536 functions as one (65536, 16) array.) Random tables have
Pr[f = −1] = p drawn uniformly from [0, 1] per function, so unbalanced functions are covered; the
generator is ``numpy.random.default_rng(seed + n)`` with the run's seed.

:class:`Measures` computes each measure once per batch through the vectorised core
(``bs.fourier_weights``, ``bs.influences``, ``bs.sensitivity``, ...) and caches it for the run.

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

import boolsens as bs

from .core import Context, Relation

__all__ = ["Batch", "Measures", "Domain", "Exhaustive", "RandomTables", "Families", "HypothesisDraws",
           "Explicit", "CensusClasses", "boolean", "run_predicate", "all_functions"]


def all_functions(n: int) -> np.ndarray:
    """Every Boolean function on n ≤ 4 variables: (2**2**n, 2**n) int8; row v has bit x of v set
    where f(x) = −1 (so row v's hex table is ``format(v, 'x')``).

    >>> all_functions(1).tolist()
    [[1, 1], [-1, 1], [1, -1], [-1, -1]]
    """
    if not 0 <= n <= 4:
        raise ValueError(f"n={n} must lie in [0, 4] for an exhaustive enumeration")
    v = np.arange(1 << (1 << n), dtype=np.int64)
    return (1 - 2 * ((v[:, None] >> np.arange(1 << n)) & 1)).astype(np.int8)


def _hex(signs: np.ndarray) -> str:
    return bs.BooleanFunction.from_signs(signs).to_hex()


@dataclass
class Batch:
    """(B, 2**n) sign tables sharing n, a key for caching and a way to describe instance b."""

    key: str
    n: int
    signs: np.ndarray
    names: Sequence[str] | None = None
    kind: str = ""

    def describe(self, b: int) -> str:
        """A readable name of function ``b`` of the batch: its family name, else its hex table and n."""
        if self.names is not None and self.names[b]:
            return str(self.names[b])
        return f"hex {_hex(self.signs[b])} (n={self.n})"

    def function(self, b: int) -> bs.BooleanFunction:
        """Function ``b`` of the batch as a :class:`~boolsens.BooleanFunction` named by :meth:`describe`."""
        return bs.BooleanFunction.from_signs(self.signs[b], name=self.describe(b))


class Measures:
    """Measures of a batch, each computed once (through the vectorised core) and cached.

    Attributes are (B, ...) arrays: ``coefficients`` (B, 2**n), ``weights`` (B, n+1),
    ``influences`` (B, n), ``total_influence``, ``mean``, ``variance``, ``degree``,
    ``sensitivity``, ``average_sensitivity``, ``pointwise_sensitivity`` (B, 2**n),
    ``block_sensitivity``, ``certificate_complexity``, ``decision_tree_depth``; methods
    ``stability(rho)`` and ``disagreement(rho)`` give (B, R) for R values of ρ. ``rho`` is the
    domain's ρ grid (R,) and ``b`` the batch (for witnesses).
    """

    def __init__(self, batch: Batch, rho: Sequence[float] | None = None, _cache: dict | None = None):
        self.batch = batch
        self.n = batch.n
        self.signs = batch.signs
        self.rho = None if rho is None else np.asarray(rho, dtype=np.float64)
        self._cache: dict[Any, Any] = {} if _cache is None else _cache

    def with_rho(self, rho: Sequence[float] | None) -> "Measures":
        """The same batch and cache with another ρ grid."""
        return Measures(self.batch, rho, self._cache)

    def _get(self, key: Any, fn: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    def __len__(self) -> int:
        return self.signs.shape[0]

    @property
    def coefficients(self):
        """The Fourier coefficients f̂(S), (B, 2**n) float64, S a bitmask (``bs.fourier_coefficients``)."""
        return self._get("coef", lambda: bs.fourier_coefficients(self.signs))

    @property
    def weights(self):
        """The Fourier weights W^k = Σ_{|S|=k} f̂(S)², (B, n+1) (``bs.fourier_weights``)."""
        return self._get("w", lambda: bs.fourier_weights(self.signs))

    @property
    def influences(self):
        """The influences Inf_i(f), (B, n) (``bs.influences``)."""
        return self._get("inf", lambda: bs.influences(self.signs))

    @property
    def total_influence(self):
        """The total influence I(f) = Σ_i Inf_i(f), (B,) (``bs.total_influence``)."""
        return self._get("I", lambda: bs.total_influence(self.signs))

    @property
    def mean(self):
        """The mean E f = f̂(∅), (B,) float64."""
        return self._get("mean", lambda: self.signs.mean(axis=-1, dtype=np.float64))

    @property
    def variance(self):
        """The variance Var f = 1 − (E f)², (B,) float64."""
        return self._get("var", lambda: 1.0 - self.mean**2)

    @property
    def degree(self):
        """The Fourier degree deg(f), (B,) (``bs.degree``)."""
        return self._get("deg", lambda: bs.degree(self.signs))

    @property
    def sensitivity(self):
        """The (maximum) sensitivity s(f), (B,) (``bs.sensitivity``)."""
        return self._get("s", lambda: bs.sensitivity(self.signs))

    @property
    def average_sensitivity(self):
        """The average sensitivity E_x s(f, x) = I(f), (B,) (``bs.average_sensitivity``)."""
        return self._get("as", lambda: bs.average_sensitivity(self.signs))

    @property
    def pointwise_sensitivity(self):
        """The sensitivity s(f, x) at every point x, (B, 2**n) (``bs.pointwise_sensitivity``)."""
        return self._get("ps", lambda: bs.pointwise_sensitivity(self.signs))

    @property
    def block_sensitivity(self):
        """The block sensitivity bs(f), (B,) (``bs.block_sensitivity``; exponential in n)."""
        return self._get("bs", lambda: bs.block_sensitivity(self.signs))

    @property
    def certificate_complexity(self):
        """The certificate complexity C(f), (B,) (``bs.certificate_complexity``; exponential in n)."""
        return self._get("C", lambda: bs.certificate_complexity(self.signs))

    @property
    def decision_tree_depth(self):
        """The decision-tree depth D(f), (B,) (``bs.decision_tree_depth``; exponential in n)."""
        return self._get("D", lambda: bs.decision_tree_depth(self.signs))

    def stability(self, rho: Any = None):
        """Stab_ρ(f) = E f(x)f(y), (B, R), for ``rho`` (default: the domain's ρ grid)
        (``bs.noise_stability``)."""
        r = self.rho if rho is None else np.asarray(rho, dtype=np.float64)
        return self._get(("stab", r.tobytes(), r.shape), lambda: bs.noise_stability(self.signs, r))

    def disagreement(self, rho: Any = None):
        """Pr_ρ[f(x) ≠ f(y)] = ½ − ½ Stab_ρ(f), (B, R), for ``rho`` (default: the domain's ρ grid)."""
        r = self.rho if rho is None else np.asarray(rho, dtype=np.float64)
        return self._get(("pr", r.tobytes(), r.shape), lambda: bs.disagreement_probability(self.signs, r))


# ----------------------------------------------------------------------------- domain parts
class Part:
    """One source of batches; ``batches(ctx)`` yields (Batch, method text)."""

    def batches(self, ctx: Context, max_n: int | None) -> Iterator[Batch]:  # pragma: no cover
        raise NotImplementedError

    def method(self, ctx: Context, max_n: int | None) -> str:  # pragma: no cover
        raise NotImplementedError


def _cached(ctx: Context, key: str, build: Callable[[], Batch]) -> Batch:
    k = ("batch", key)
    if k not in ctx.cache:
        ctx.cache[k] = build()
    return ctx.cache[k]


@dataclass
class Exhaustive(Part):
    """Every Boolean function on each n ≤ ``n_max`` (profile-dependent when a tuple)."""

    n_max: Any = (3, 4, 4)
    n_min: int = 1

    def _top(self, ctx, max_n):
        top = ctx.pick(*self.n_max) if isinstance(self.n_max, tuple) else self.n_max
        return min(top, max_n) if max_n is not None else top

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        for n in range(self.n_min, self._top(ctx, max_n) + 1):
            yield _cached(ctx, f"all-{n}", lambda n=n: Batch(f"all-{n}", n, all_functions(n), kind="exhaustive"))

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        top = self._top(ctx, max_n)
        count = sum(1 << (1 << n) for n in range(self.n_min, top + 1))
        return f"exhaustive n={self.n_min}..{top} ({count:,} functions)"


@dataclass
class RandomTables(Part):
    """``count`` random tables per n (profile-dependent when a tuple), bias p ~ U[0, 1] each."""

    ns: Sequence[int] = (5, 6)
    count: Any = (100, 2000, 20000)

    def _count(self, ctx):
        return ctx.pick(*self.count) if isinstance(self.count, tuple) else self.count

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        c = self._count(ctx)
        for n in self.ns:
            if max_n is not None and n > max_n:
                continue

            def build(n=n):
                rng = np.random.default_rng(ctx.seed + n)
                p = rng.random((c, 1))
                signs = np.where(rng.random((c, 1 << n)) < p, -1, 1).astype(np.int8)
                return Batch(f"rand-{n}-{c}-{ctx.seed}", n, signs, kind="random")

            yield _cached(ctx, f"rand-{n}-{c}-{ctx.seed}", build)

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        ns = [n for n in self.ns if max_n is None or n <= max_n]
        return f"random tables n={','.join(map(str, ns))} ({self._count(ctx):,} each, seed {ctx.seed}+n)" if ns else ""


def _group_by_n(fs: Sequence[bs.BooleanFunction], key: str, kind: str) -> list[Batch]:
    by_n: dict[int, list[bs.BooleanFunction]] = {}
    for f in fs:
        by_n.setdefault(f.n, []).append(f)
    return [Batch(f"{key}-n{n}", n, np.stack([f.signs for f in group]), [f.name or "" for f in group], kind)
            for n, group in sorted(by_n.items())]


@dataclass
class Families(Part):
    """The named families of :func:`proofs_check.named.named_functions` up to ``n_max``."""

    n_max: Any = (8, 14, 20)

    def _top(self, ctx, max_n):
        top = ctx.pick(*self.n_max) if isinstance(self.n_max, tuple) else self.n_max
        return min(top, max_n) if max_n is not None else top

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        from .named import named_functions

        top = self._top(ctx, max_n)
        key = ("batch", f"fam-{top}")
        if key not in ctx.cache:
            ctx.cache[key] = _group_by_n(named_functions(1, top), f"fam-{top}", "families")
        yield from ctx.cache[key]

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        from .named import named_functions

        top = self._top(ctx, max_n)
        return f"named families n≤{top} ({len(named_functions(1, top))} functions)"


@dataclass
class HypothesisDraws(Part):
    """``count`` draws of ``proofs_check.strategies.boolean_functions`` seeded with the run's seed."""

    count: Any = (20, 150, 1000)
    n_max: Any = (8, 12, 16)

    def _params(self, ctx, max_n):
        c = ctx.pick(*self.count) if isinstance(self.count, tuple) else self.count
        top = ctx.pick(*self.n_max) if isinstance(self.n_max, tuple) else self.n_max
        return c, (min(top, max_n) if max_n is not None else top)

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        if not _has_hypothesis():
            return
        c, top = self._params(ctx, max_n)
        key = ("batch", f"hyp-{c}-{top}-{ctx.seed}")
        if key not in ctx.cache:
            ctx.cache[key] = _group_by_n(draw_functions(c, 1, top, seed=ctx.seed), f"hyp-{c}-{top}-{ctx.seed}",
                                         "hypothesis")
        yield from ctx.cache[key]

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        if not _has_hypothesis():
            return "hypothesis draws skipped (hypothesis is not installed)"
        c, top = self._params(ctx, max_n)
        return f"hypothesis boolean_functions(max_n={top}) ({c} draws, hypothesis seed {ctx.seed})"


def _has_hypothesis() -> bool:
    import importlib.util

    return importlib.util.find_spec("hypothesis") is not None


@dataclass
class Explicit(Part):
    """A fixed list of BooleanFunctions (e.g. a test's own)."""

    functions: Sequence[bs.BooleanFunction] = ()
    label: str = "explicit"

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        fs = [f for f in self.functions if max_n is None or f.n <= max_n]
        yield from _group_by_n(fs, f"explicit-{id(self)}", "explicit")

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        return f"{self.label} ({len(self.functions)} functions)"


def draw_functions(count: int, min_n: int, max_n: int, *, seed: int = 0) -> list[bs.BooleanFunction]:
    """``count`` functions drawn by hypothesis with ``hypothesis.seed(seed)`` (the same list for the
    same seed; no example database)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    from .strategies import boolean_functions

    out: list[bs.BooleanFunction] = []

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(boolean_functions(min_n=min_n, max_n=max_n))
    def collect(f):
        out.append(f)

    collect()
    return out


@dataclass
class Domain:
    """A union of parts, an optional ρ grid and an optional cap ``max_n`` (for costly measures)."""

    parts: Sequence[Part] = field(default_factory=list)
    rho: Sequence[float] | None = None
    max_n: int | None = None
    text: str = ""

    def batches(self, ctx: Context) -> Iterator[Batch]:
        """Yield the batches of every part, capped at ``max_n``."""
        for part in self.parts:
            yield from part.batches(ctx, self.max_n)

    def check(self, pred: Callable[["Measures"], Any], ctx: Context) -> None:
        """Evaluate the predicate ``pred`` on every batch (see :func:`run_predicate`)."""
        run_predicate(pred, self, ctx)

    def describe(self, ctx: Context) -> str:
        """The domain in words (its ``text`` if given, else each part's method), for the result's
        ``domain`` field."""
        if self.text:
            return self.text
        parts = [p.method(ctx, self.max_n) for p in self.parts]
        rho = "" if self.rho is None else f"; ρ ∈ {{{', '.join(f'{r:g}' for r in self.rho)}}}"
        return " + ".join(p for p in parts if p) + rho


def boolean(*, rho: Sequence[float] | None = None, max_n: int | None = None, exhaustive: Any = (3, 4, 4),
            random: Any = (100, 2000, 20000), hypothesis: Any = (20, 150, 1000),
            families: Any = (8, 14, 20)) -> Domain:
    """The standard domain (see the module docstring); pass ``None`` for a part to drop it."""
    parts: list[Part] = []
    if exhaustive is not None:
        parts.append(Exhaustive(exhaustive))
    if random is not None:
        parts.append(RandomTables((5, 6), random))
    if hypothesis is not None:
        parts.append(HypothesisDraws(hypothesis))
    if families is not None:
        parts.append(Families(families))
    return Domain(parts, rho, max_n)


@dataclass
class CensusClasses(Part):
    """Every function on n variables through the representatives of its NPN (or NP) classes
    (:func:`boolsens.census`), in batches of ``batch`` functions: exhaustive for a claim that is
    invariant under the group (see ``proofs_check.core.EXHAUSTIVE``)."""

    n: int = 5
    group: str = "NPN"
    batch: int = 1 << 16

    def _rows(self, ctx):
        key = ("census", self.n, self.group)
        if key not in ctx.cache:
            ctx.progress(f"census of n={self.n} ({self.group} classes)")
            ctx.cache[key] = bs.census(self.n, np_classes=self.group == "NP")
        return ctx.cache[key]

    def batches(self, ctx, max_n):
        """Yield this part's batches of functions for the run ``ctx``, with n ≤ ``max_n`` when given."""
        rows = self._rows(ctx)
        for lo in range(0, len(rows), self.batch):
            part = rows[lo:lo + self.batch]
            key = f"census-{self.n}-{self.group}-{lo}"
            yield Batch(key, self.n, bs.tables_to_signs(part["table"], self.n), kind="census")

    def method(self, ctx, max_n):
        """How this part chooses its functions, in words, for the result's ``method`` field."""
        rows = self._rows(ctx)
        total = 1 << (1 << self.n)
        return (f"all {total:,} functions on n={self.n}, through the {len(rows):,} representatives of their "
                f"{self.group} classes")


def run_predicate(pred: Callable[[Measures], Any], domain: Domain, ctx: Context) -> None:
    """Evaluate ``pred`` on every batch of ``domain``; merge its relations into ``ctx``. In an
    exhaustive run (``ctx.exhaustive = (n, group)``) the domain is every function on n variables,
    through the census's class representatives (the ρ grid of ``domain`` is kept)."""
    if getattr(ctx, "exhaustive", None) is not None:
        n, group = ctx.exhaustive
        domain = Domain([CensusClasses(n, group)], domain.rho, None)
    ctx.domain(domain.describe(ctx))
    ctx.method(", ".join(sorted({_kind(p) for p in domain.parts})))
    for batch in domain.batches(ctx):
        ctx.progress(f"{batch.key} ({batch.signs.shape[0]} functions)")
        key = ("measures", batch.key)
        if key not in ctx.cache:
            ctx.cache[key] = Measures(batch)
        m = ctx.cache[key].with_rho(domain.rho)
        rels = pred(m)
        if isinstance(rels, Relation):
            rels = [rels]
        for rel in rels:
            ctx.check(rel, witness=lambda idx, batch=batch: batch.describe(int(idx[0])) if idx else "",
                      table=lambda idx, batch=batch: f"{batch.n}:{_hex(batch.signs[int(idx[0])])}" if idx else "")


def _kind(p: Part) -> str:
    return {"Exhaustive": "exhaustive", "RandomTables": "random sample", "HypothesisDraws": "hypothesis",
            "Families": "named families", "Explicit": "explicit list",
            "CensusClasses": "exhaustive through the census"}.get(type(p).__name__, type(p).__name__)
