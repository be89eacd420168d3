r"""Registry of claims, relations over batches of instances, and the :class:`Result` of a check.

A *claim* is a statement with an id, its LaTeX, its source and a domain. Checking it evaluates one
or more *relations* (``lhs <= rhs``, ``lhs >= rhs``, ``lhs == rhs`` within a tolerance, or a strict
``lhs < rhs``) over a batch of instances at once (numpy arrays, one entry per instance). For each
relation the checker records the number of instances, whether it held everywhere, the worst slack
(``rhs - lhs`` for ``<=``, ``lhs - rhs`` for ``>=``, ``-|lhs - rhs|`` for ``==``; the smallest
value is the tightest instance) and a *witness*: a description of the argmin instance (which
function, which ρ, ...).

Two ways to write a claim:

* a **predicate over measures** (the common case): pass ``domain=`` (see
  :mod:`proofs_check.domains`); the decorated function receives a
  :class:`proofs_check.domains.Measures` (lazy, cached measures of a batch of Boolean functions)
  and returns a relation or a list of relations built with :func:`Le`, :func:`Ge`, :func:`Eq`,
  :func:`Lt`;
* a **custom check**: no ``domain``; the function receives a :class:`Context` and calls
  ``ctx.check(...)``, ``ctx.note(...)``, ``ctx.tight(...)``, ``ctx.method(...)`` itself (Monte
  Carlo, kernels, networks).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

__all__ = [
    "Relation", "Le", "Ge", "Eq", "Lt", "RelationSummary", "Result", "Claim", "Registry",
    "Context", "REGISTRY", "claim", "PROFILES",
]

PROFILES = ("quick", "default", "thorough")
_OPS = ("<=", ">=", "==", "<")


# ----------------------------------------------------------------------------- relations
@dataclass
class Relation:
    """``lhs op rhs`` over a batch; arrays broadcast to (B, *axes) where B indexes the batch.

    ``axes`` names the trailing axes and their values, e.g. ``[("rho", rhos)]``, so a witness can
    say which ρ. ``tol`` (scalar or broadcastable array) is the allowed rounding (``<=``, ``>=``,
    ``==``) or the required margin (``<``). ``name`` labels the relation in reports.
    """

    lhs: Any
    rhs: Any
    op: str = "<="
    name: str = ""
    tol: Any = 1e-9
    axes: Sequence[tuple[str, Sequence[Any]]] = ()
    where: Any = None  # boolean mask: instances outside it are not tried

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"op={self.op!r} must be one of {_OPS}")

    def evaluate(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(slack, held, mask) arrays of the common broadcast shape."""
        lhs = np.asarray(self.lhs, dtype=np.float64)
        rhs = np.asarray(self.rhs, dtype=np.float64)
        tol = np.asarray(self.tol, dtype=np.float64)
        mask = np.ones((), dtype=bool) if self.where is None else np.asarray(self.where, dtype=bool)
        lhs, rhs, tol, mask = np.broadcast_arrays(lhs, rhs, tol, mask)
        with np.errstate(invalid="ignore"):
            if self.op == "<=":
                slack = rhs - lhs
                held = slack >= -tol
            elif self.op == ">=":
                slack = lhs - rhs
                held = slack >= -tol
            elif self.op == "<":
                slack = rhs - lhs
                held = slack > tol
            else:
                slack = -np.abs(lhs - rhs)
                held = slack >= -tol
        held = held & np.isfinite(slack)  # NaN or inf slack is a failure, never silently a pass
        slack = np.where(np.isnan(slack), -np.inf, slack)
        return slack, held | ~mask, mask


def Le(lhs: Any, rhs: Any, name: str = "", **kw: Any) -> Relation:
    """Relation ``lhs <= rhs`` (slack ``rhs - lhs``)."""
    return Relation(lhs, rhs, "<=", name, **kw)


def Ge(lhs: Any, rhs: Any, name: str = "", **kw: Any) -> Relation:
    """Relation ``lhs >= rhs`` (slack ``lhs - rhs``)."""
    return Relation(lhs, rhs, ">=", name, **kw)


def Eq(lhs: Any, rhs: Any, name: str = "", **kw: Any) -> Relation:
    """Relation ``|lhs - rhs| <= tol`` (slack ``-|lhs - rhs|``)."""
    return Relation(lhs, rhs, "==", name, **kw)


def Lt(lhs: Any, rhs: Any, name: str = "", **kw: Any) -> Relation:
    """Strict relation ``rhs - lhs > tol`` (slack ``rhs - lhs``)."""
    return Relation(lhs, rhs, "<", name, **kw)


# ----------------------------------------------------------------------------- results
@dataclass
class RelationSummary:
    """One relation of a claim, accumulated over every batch it was evaluated on."""

    name: str
    op: str
    instances: int = 0
    violations: int = 0
    worst_slack: float = float("inf")
    witness: str = ""
    lhs: float = float("nan")
    rhs: float = float("nan")
    ties: int = 0  # instances within rounding of the worst slack (the witness is one of them)
    witness_table: str = ""  # "n:hex" of the witness function when it is a Boolean table (from_hex reads it)

    @property
    def held(self) -> bool:
        """Whether no instance violated the relation."""
        return self.violations == 0


@dataclass
class Result:
    """The outcome of checking one claim (see the module docstring for slack and witness)."""

    id: str
    statement: str
    latex: str
    source: str
    domain: str
    method: str
    instances: int
    held: bool
    worst_slack: float
    witness: str
    time_s: float
    seed: int | None
    profile: str
    relations: list[RelationSummary] = field(default_factory=list)
    tightness: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def worst_relation(self) -> RelationSummary | None:
        """The relation with the smallest worst slack, preferring a violated one; None if nothing was
        evaluated."""
        rel = [r for r in self.relations if r.instances]
        if not rel:
            return None
        bad = [r for r in rel if not r.held]
        return min(bad or rel, key=lambda r: r.worst_slack)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-able dict (as ``--json`` writes it), each relation with its ``held``."""
        d = asdict(self)
        for r, rd in zip(self.relations, d["relations"]):
            rd["held"] = r.held
        return d


# ----------------------------------------------------------------------------- context
class Context:
    """What a check writes to while it runs; turned into a :class:`Result` by the runner."""

    def __init__(self, profile: str = "default", seed: int = 0, progress: Callable[[str], None] | None = None,
                 cache: dict | None = None, exhaustive: tuple[int, str] | None = None):
        if profile not in PROFILES:
            raise ValueError(f"profile={profile!r} must be one of {PROFILES}")
        #: (n, "NPN" or "NP"): check the claim's Boolean predicate on every function on n
        #: variables through the class representatives of the census (see EXHAUSTIVE)
        self.exhaustive = exhaustive
        self.profile = profile
        self.seed = seed
        self.cache = {} if cache is None else cache
        self._progress = progress
        self.relations: dict[str, RelationSummary] = {}
        self.notes: list[str] = []
        self.tightness: list[str] = []
        self.methods: list[str] = []
        self.domains: list[str] = []
        self.tallies: dict[str, list[int]] = {}

    def tally(self, label: str, hits: int, total: int) -> None:
        """Accumulate a tightness count over batches, reported as ``label: hits/total``."""
        t = self.tallies.setdefault(label, [0, 0])
        t[0] += int(hits)
        t[1] += int(total)

    def pick(self, quick: Any, default: Any, thorough: Any) -> Any:
        """The value for the current profile."""
        return {"quick": quick, "default": default, "thorough": thorough}[self.profile]

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A generator seeded from the run's seed (reported in the result) plus ``offset``."""
        return np.random.default_rng(self.seed + offset)

    def progress(self, msg: str) -> None:
        """Report progress ``msg`` to the run's progress callback, if any."""
        if self._progress is not None:
            self._progress(msg)

    def note(self, text: str) -> None:
        """Add a note to the result (e.g. why an instance lies outside the hypothesis)."""
        self.notes.append(text)

    def tight(self, text: str) -> None:
        """Record where the bound is tight (a count, a family), for the result's tightness list."""
        self.tightness.append(text)

    def method(self, text: str) -> None:
        """Record a method used (exhaustive, hypothesis, Monte Carlo with its size and seed), once."""
        if text not in self.methods:
            self.methods.append(text)

    def domain(self, text: str) -> None:
        """Record a domain checked, in words, once."""
        if text not in self.domains:
            self.domains.append(text)

    def check(self, relation: Relation, witness: Callable[[tuple[int, ...]], str] | None = None,
              table: Callable[[tuple[int, ...]], str] | None = None) -> RelationSummary:
        """Evaluate ``relation`` and merge it into the summary of the same name.

        ``witness(index)`` describes the instance at a multi-index of the broadcast shape; by
        default the leading index and the named axes are printed.
        """
        slack, held, mask = relation.evaluate()
        name = relation.name or f"lhs {relation.op} rhs"
        summ = self.relations.setdefault(name, RelationSummary(name=name, op=relation.op))
        tried = int(mask.sum())
        summ.instances += tried
        summ.violations += int((~held).sum())
        if tried:
            s = np.where(mask, slack, np.inf)
            # the worst instance: a violation first (smallest slack among violations), else argmin
            if (~held).any():
                s = np.where(~held, s, np.inf)
            # ties: the last one (batches and rows run from simple to complex, so the richest)
            flat = s.reshape(-1)
            last = flat.size - 1 - int(np.argmin(flat[::-1]))
            idx = np.unravel_index(last, s.shape)
            value = float(slack[idx])
            violation = not bool(held[idx])
            ties = int((np.abs(flat - value) <= 1e-12 * max(1.0, abs(value))).sum()) if np.isfinite(value) else 1
            cur_violation = summ.violations > int((~held).sum())  # violations seen in earlier batches
            first = summ.instances == tried  # no earlier batch tried an instance of this relation
            tie = not first and np.isfinite(value) and abs(value - summ.worst_slack) <= 1e-12 * max(1.0, abs(value))
            if first or (violation and not cur_violation):
                replace, summ.ties = True, ties
            elif violation != cur_violation:
                replace = False
            elif tie:
                replace, summ.ties = True, summ.ties + ties
            else:
                replace = value < summ.worst_slack
                if replace:
                    summ.ties = ties
            if replace:
                summ.worst_slack = value
                lhs = np.broadcast_to(np.asarray(relation.lhs, dtype=np.float64), slack.shape)
                rhs = np.broadcast_to(np.asarray(relation.rhs, dtype=np.float64), slack.shape)
                summ.lhs, summ.rhs = float(lhs[idx]), float(rhs[idx])
                summ.witness = _describe(idx, relation.axes, witness)
                summ.witness_table = table(idx) if table is not None else ""
        return summ


def _describe(idx: tuple[int, ...], axes: Sequence[tuple[str, Sequence[Any]]], witness) -> str:
    if witness is not None:
        base = witness(idx)
    else:
        base = f"#{idx[0]}" if len(idx) > len(axes) else ""
    extra = []
    tail = idx[len(idx) - len(axes):] if axes else ()
    for (label, values), j in zip(axes, tail):
        extra.append(f"{label}={_fmt_value(values[j])}")
    return ", ".join([b for b in [base] if b] + extra)


def _fmt_value(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v)


# ----------------------------------------------------------------------------- claims
@dataclass
class Claim:
    """A registered claim: metadata plus either a predicate over measures (with ``domain``) or a
    custom check taking a :class:`Context`."""

    id: str
    statement: str
    latex: str
    source: str
    fn: Callable[..., Any]
    domain: Any = None  # a proofs_check.domains.Domain for predicates; None for custom checks
    domain_text: str = ""

    def run(self, ctx: Context) -> None:
        """Check the claim into ``ctx``: its predicate over every batch of its domain, or its custom check."""
        if self.domain is None:
            self.fn(ctx)
            return
        self.domain.check(self.fn, ctx)


class Registry:
    """An ordered collection of claims. ``REGISTRY`` holds docs/theory.md §3; tests and users can make
    their own (``Registry()``) so a deliberately false claim never pollutes the global one."""

    def __init__(self) -> None:
        self._claims: dict[str, Claim] = {}

    def claim(self, *, id: str, statement: str, latex: str = "", source: str = "",
              domain: Any = None, domain_text: str = "") -> Callable[[Callable], Callable]:
        """Decorator registering ``fn`` as claim ``id`` (see the module docstring)."""

        def deco(fn: Callable) -> Callable:
            if id in self._claims:
                raise ValueError(f"claim id={id!r} is already registered")
            self._claims[id] = Claim(id, statement, latex, source, fn, domain, domain_text)
            return fn

        return deco

    def add(self, c: Claim) -> None:
        """Register the claim ``c``; a ValueError if its id is taken."""
        if c.id in self._claims:
            raise ValueError(f"claim id={c.id!r} is already registered")
        self._claims[c.id] = c

    def __contains__(self, id: str) -> bool:
        return id in self._claims

    def __getitem__(self, id: str) -> Claim:
        try:
            return self._claims[id]
        except KeyError:
            raise KeyError(f"unknown claim id={id!r}; known: {', '.join(self._claims)}") from None

    def ids(self) -> list[str]:
        """The registered claim ids, in registration order."""
        return list(self._claims)

    def __iter__(self):
        return iter(self._claims.values())

    def __len__(self) -> int:
        return len(self._claims)

    def run(self, ids: Iterable[str] | None = None, *, profile: str = "default", seed: int = 0,
            progress: Callable[[str], None] | None = None, exhaustive: int | None = None) -> list[Result]:
        """Check the claims ``ids`` (all by default) and return one :class:`Result` each.

        ``exhaustive=n`` (1 <= n <= 5) checks instead the Boolean claims of :data:`EXHAUSTIVE`
        on every function on n variables, through the class representatives of the census under
        the group each claim is invariant under; the result's notes say why.
        """
        if profile not in PROFILES:
            raise ValueError(f"profile={profile!r} must be one of {PROFILES}")
        chosen = [self[i] for i in ids] if ids is not None else list(self)
        if exhaustive is not None:
            chosen = [c for c in chosen if c.id in EXHAUSTIVE]
        cache: dict = {}
        out = []
        for k, c in enumerate(chosen):
            if progress is not None:
                progress(f"[{k + 1}/{len(chosen)}] {c.id}")
            ex = None if exhaustive is None else (exhaustive, EXHAUSTIVE[c.id][0])
            res = run_claim(c, profile=profile, seed=seed, cache=cache, exhaustive=ex,
                            progress=(lambda m, cid=c.id: progress(f"  {cid}: {m}")) if progress else None)
            if ex is not None:
                res.notes.append(f"exhaustive through the {ex[1]} classes: {EXHAUSTIVE[c.id][1]}")
            out.append(res)
        return out


def run_claim(c: Claim, *, profile: str = "default", seed: int = 0, cache: dict | None = None,
              progress: Callable[[str], None] | None = None, exhaustive: tuple[int, str] | None = None) -> Result:
    """Check one claim; an exception inside the check becomes a failed result with its message."""
    ctx = Context(profile, seed, progress, cache, exhaustive)
    t0 = time.perf_counter()
    error = None
    try:
        c.run(ctx)
    except Exception as exc:  # a crashing check is reported, never hidden
        error = f"{type(exc).__name__}: {exc}"
        ctx.note("traceback: " + traceback.format_exc(limit=3).strip().splitlines()[-1])
    elapsed = time.perf_counter() - t0
    rels = list(ctx.relations.values())
    held = error is None and bool(rels) and all(r.held for r in rels)
    res = Result(
        id=c.id, statement=c.statement, latex=c.latex, source=c.source,
        domain="; ".join(ctx.domains) or c.domain_text, method="; ".join(ctx.methods),
        instances=sum(r.instances for r in rels), held=held, worst_slack=float("nan"), witness="",
        time_s=elapsed, seed=seed, profile=profile, relations=rels,
        tightness=ctx.tightness + [f"{k}: {h:,}/{t:,}" for k, (h, t) in ctx.tallies.items()],
        notes=ctx.notes, error=error,
    )
    w = res.worst_relation
    if w is not None:
        res.worst_slack = w.worst_slack
        res.witness = f"[{w.name}] {w.witness}" + (f" (1 of {w.ties:,} tied)" if w.ties > 1 and w.held and w.op != "==" else "")
    if error is not None:
        res.witness = error
    elif not rels:
        res.error = "the check evaluated no relation"
    return res


REGISTRY = Registry()
claim = REGISTRY.claim

#: The Boolean claims that ``verify --exhaustive N`` checks on every function on n variables, each
#: with the group its statement is invariant under (so one representative per class of the census
#: stands for the whole class) and why. The other claims are not statements about Boolean
#: functions (kernels, softmax, random features, Gaussian closed forms, the MAJ_n limit).
EXHAUSTIVE = {
    "parseval": ("NPN", "both sides are unchanged by permuting or negating inputs (f̂ is permuted, signs flip) and "
                 "by negating f (f̂ → −f̂, squares unchanged)"),
    "influence-fourier": ("NPN", "a permutation relabels i on both sides alike; negations change no square"),
    "total-influence": ("NPN", "I(f), the Fourier weights by level and s(f, x) (as a multiset) are invariant"),
    "stability-fourier": ("NPN", "the pair sum and Σ ρ^|S| f̂(S)² are invariant"),
    "disagreement": ("NPN", "Pr_ρ and Stab_ρ are invariant"),
    "noise-sensitivity": ("NPN", "NS_δ, Stab and I are invariant"),
    "poincare": ("NPN", "Var f = 1 − (E f)², I and deg are invariant (E f only changes sign)"),
    "edge-isoperimetric": ("NPN", "α = min(Pr[f=1], Pr[f=−1]), I and being a subcube are invariant"),
    "kkl": ("NPN", "the influences (as a multiset), I and Var f are invariant"),
    "friedgut": ("NPN", "influences, I and the weights of the kept coefficients are invariant; g changes sign with f"),
    "level-k": ("NP", "the 0/1 function's mean α and low-degree weight change when f is negated (α → 1 − α), so "
                "only input permutations and negations leave the statement unchanged: checked on the NP classes"),
    "complexity-chain": ("NPN", "s, bs, C, D and deg are invariant"),
    "huang": ("NPN", "deg and s are invariant"),
    "jensen": ("NPN", "Stab_ρ and I are invariant"),
    "prop-2.2": ("NPN", "Pr_ρ, I, deg and s are invariant"),
    "def-3.1-boolean": ("NPN", "the flip rate under uniform replacement, I and n are invariant"),
    "covering-radius": ("NPN", "the nonlinearity and bentness are invariant under permuting and negating inputs and "
                        "negating f (|W(S)| is permuted)"),
    "siegenthaler": ("NPN", "correlation immunity, resiliency and the GF(2) degree are invariant under permuting "
                     "and negating inputs and negating f (f̂(S) changes sign only; b ↦ b + 1 keeps the degree)"),
    "fractional-chain": ("NPN", "s, bs, fbs and C are invariant"),
    "approximate-degree": ("NPN", "adeg (negating f maps g to 1 − g, the same error), deg and bs are invariant"),
}


def variant(id: str, registry: Registry | None = None, **kwargs: Any) -> Claim:
    """A copy of claim ``id`` whose check is called with ``kwargs`` (a deliberately altered
    statement, e.g. ``variant("huang", exponent=1)``): how the tests show every checker can fail."""
    import functools

    c = (registry or REGISTRY)[id]
    if c.domain is not None:
        raise ValueError(f"claim id={id!r} is a predicate claim; build a variant with Registry.claim instead")
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return Claim(f"{id}[{args}]", f"VARIANT of {id}: {args}", c.latex, c.source,
                 functools.partial(c.fn, **kwargs))
