r"""Exhaustive search: an objective over every function of a family on n <= 5 variables (the
threshold functions up to n = 6), through the census classes when the objective is invariant.

See :func:`exhaustive`; the families are described in :mod:`boolsens.search.families`, the
objectives in :mod:`boolsens.search.objectives`.
"""

from __future__ import annotations

import dataclasses
import time
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from .._input.validation import check_int, check_n
from ..census import MAX_CENSUS_N, tables_to_signs
from ..errors import BoolsensError
from . import families as _fam
from .objectives import Objective, evaluate, objective as _objective

__all__ = ["exhaustive", "SearchResult", "Extremal", "FAMILIES", "INVARIANCES", "MAX_FUNCTIONS"]

#: the families of :func:`exhaustive`
FAMILIES = ("all", "balanced", "threshold", "monotone", "symmetric")
#: the invariances an objective may declare
INVARIANCES = ("npn", "np", "none")
#: default limit on a function-by-function scan (2^24; all of n <= 4, not n = 5's 2^32)
MAX_FUNCTIONS = 1 << 24

_BLOCK = 1 << 16  # tables per objective call over classes
_SCAN_BLOCK = 1 << 20  # tables per objective call of a function-by-function scan
_SPOT_TABLES, _SPOT_ELEMENTS = 8, 4


@dataclasses.dataclass(frozen=True)
class Extremal:
    """One class (or function) among the best or worst of a search: its table (canonical under
    the declared invariance; bit x = f(x), True = 1), exact value and size (how many functions of
    the family it stands for)."""

    table: int
    value: Any
    size: int

    def function(self, n: int):
        """The table as a :class:`~boolsens.BooleanFunction` on n variables."""
        from ..function import BooleanFunction

        return BooleanFunction(tables_to_signs(self.table, n))


@dataclasses.dataclass(frozen=True)
class SearchResult:
    """What :func:`exhaustive` found.

    Attributes
    ----------
    n, family, invariance, objective : the search's arguments (``objective`` as text)
    functions : int
        Functions of the family with a defined value.
    classes : int
        Classes evaluated with a defined value (= functions when ``invariance="none"``).
    undefined : int
        Functions where the objective is undefined (a named ratio with a zero denominator).
    maximum, minimum : the extreme values (exact when the objective is), None if nothing is defined
    maximisers, minimisers : list of :class:`Extremal`
        The ``top`` best (worst) classes, best first, ties by table.
    distribution : list of (value, functions, classes)
        Every value, increasing.
    seconds : float
    """

    n: int
    family: str
    invariance: str
    objective: str
    functions: int
    classes: int
    undefined: int
    maximum: Any
    minimum: Any
    maximisers: list
    minimisers: list
    distribution: list
    seconds: float

    def table(self) -> dict[str, list]:
        """Columns ``kind, rank, table, value, size`` of the maximisers then the minimisers, for
        ``pandas.DataFrame(result.table())`` (values as exact text)."""
        cols: dict[str, list] = {"kind": [], "rank": [], "table": [], "value": [], "size": []}
        digits = max(1, (1 << self.n) // 4)
        for kind, rows in (("max", self.maximisers), ("min", self.minimisers)):
            for rank, e in enumerate(rows, 1):
                cols["kind"].append(kind)
                cols["rank"].append(rank)
                cols["table"].append(f"0x{e.table:0{digits}x}")
                cols["value"].append(_text(e.value))
                cols["size"].append(e.size)
        return cols

    def distribution_table(self) -> dict[str, list]:
        """Columns ``value, functions, classes`` (one row per value, increasing) for pandas."""
        return {"value": [_text(v) for v, _, _ in self.distribution],
                "functions": [f for _, f, _ in self.distribution],
                "classes": [c for _, _, c in self.distribution]}

    def as_dict(self) -> dict[str, Any]:
        """Everything as plain JSON values (exact values as text such as ``"3/2"``)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["maximum"], out["minimum"] = _text(self.maximum), _text(self.minimum)
        digits = max(1, (1 << self.n) // 4)
        for key in ("maximisers", "minimisers"):
            out[key] = [{"table": f"0x{e.table:0{digits}x}", "value": _text(e.value), "size": e.size}
                        for e in getattr(self, key)]
        out["distribution"] = [{"value": _text(v), "functions": f, "classes": c} for v, f, c in self.distribution]
        return out

    def __repr__(self) -> str:
        best = self.maximisers[0] if self.maximisers else None
        return (f"SearchResult({self.objective!r}, n={self.n}, family={self.family!r}, invariance={self.invariance!r}: "
                f"max {_text(self.maximum)}" + (f" (e.g. 0x{best.table:x})" if best else "")
                + f", min {_text(self.minimum)}, {self.functions:,} functions in {self.classes:,} classes)")


def _text(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, Fraction):
        return str(v) if v.denominator != 1 else str(v.numerator)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    return repr(float(v))


def _name(fn: Any) -> str:
    if isinstance(fn, Objective):
        return fn.text
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _sort_key(v: Any) -> Any:
    return v  # Fractions, ints and floats compare exactly with each other


class _Tally:
    """The distribution and the running best and worst rows over blocks, in time linear in the
    block (no sort of the block: the few candidate ranks are picked from the value counts)."""

    def __init__(self, top: int):
        self.top = top
        self.values: dict[Any, list[int]] = {}  # value -> [functions, classes]
        self.best: list[tuple] = []
        self.worst: list[tuple] = []
        self.undefined = 0

    def add(self, tables: Any, weights: np.ndarray | None, codes: np.ndarray, values: list) -> None:
        """``tables``: uint64 array or a ``range`` of consecutive tables; ``weights`` None means 1 each."""
        ok = codes >= 0
        if weights is None:
            self.undefined += int(len(codes) - np.count_nonzero(ok))
        else:
            self.undefined += int(weights[~ok].sum())
        if not values:
            return
        merged: dict = {}  # different measure tuples may give one value (bs − s = 0): one code per value
        remap = np.array([merged.setdefault(v, len(merged)) for v in values], dtype=np.int64)
        if len(merged) < len(values):
            values = list(merged)
            codes = np.where(ok, remap[np.maximum(codes, 0)], -1)
        counts = np.bincount(codes[ok], minlength=len(values))
        funcs = counts if weights is None else np.bincount(codes[ok], weights=weights[ok], minlength=len(values))
        for v, f, c in zip(values, funcs, counts):
            if c:
                slot = self.values.setdefault(v, [0, 0])
                slot[0] += int(round(f))
                slot[1] += int(c)
        order = sorted((k for k in range(len(values)) if counts[k]), key=lambda k: _sort_key(values[k]))
        for store, ranked, sign in ((self.best, order[::-1], -1), (self.worst, order, 1)):
            for k in ranked[: self.top]:
                sel = np.flatnonzero(codes == k)
                if isinstance(tables, range):
                    sel = sel[: self.top]  # consecutive tables: the first are the least
                    found = [tables.start + int(i) for i in sel]
                else:
                    sel = sel[np.argsort(tables[sel], kind="stable")[: self.top]]
                    found = [int(tables[i]) for i in sel]
                for i, t in zip(sel, found):
                    store.append((values[k], t, 1 if weights is None else int(weights[i])))
            store.sort(key=lambda e: (_neg(e[0]) if sign < 0 else e[0], e[1]))
            del store[self.top:]


def _neg(v: Any) -> Any:
    return -v


def _check_invariance(fn: Any, n: int, invariance: str, tables: np.ndarray, rng: np.random.Generator) -> None:
    """Spot-check that ``fn`` takes the same value on f and on a few random images of f under
    the declared group; raise a clear error otherwise."""
    if invariance == "none" or len(tables) == 0 or n == 0:
        return
    if isinstance(fn, Objective) and invariance == "npn" and fn.invariance == "np":
        raise BoolsensError(f"invariance='npn' but objective {fn.text!r} uses bias, which changes sign with the "
                            "output: declare invariance='np'")
    pick = tables[rng.choice(len(tables), size=min(_SPOT_TABLES, len(tables)), replace=False)]
    signs = tables_to_signs(pick, n)
    maps = _fam.group_maps(n)
    g = rng.integers(len(maps), size=(len(pick), _SPOT_ELEMENTS))
    flip = (rng.integers(2, size=g.shape) * 2 - 1) if invariance == "npn" else np.ones(g.shape, dtype=np.int64)
    images = np.stack([signs[b][maps[g[b]]] * flip[b][:, None] for b in range(len(pick))]).astype(np.int8)
    batch = np.concatenate([signs, images.reshape(-1, 1 << n)])
    codes, values = evaluate(fn, n, signs=batch)
    vals = [None if c < 0 else values[c] for c in codes]
    base, moved = vals[:len(pick)], vals[len(pick):]
    for b in range(len(pick)):
        for e in range(_SPOT_ELEMENTS):
            a, c = base[b], moved[b * _SPOT_ELEMENTS + e]
            if not _same(a, c):
                raise BoolsensError(
                    f"objective {_name(fn)} is not {invariance.upper()}-invariant: it gives {_text(a)} on table "
                    f"0x{int(pick[b]):x} and {_text(c)} on an image of it (inputs permuted and negated"
                    + (", output negated" if flip[b, e] < 0 else "") + "); declare invariance='none'"
                    + (" or 'np'" if invariance == "npn" else ""))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))
    return a == b


def exhaustive(objective: Any, n: int, *, family: str = "all", invariance: str | None = None, top: int = 5,
               max_functions: int | None = None, rng: Any = 0, show_progress: bool | None = None) -> SearchResult:
    r"""Evaluate ``objective`` on every function of a family on n <= 5 variables (threshold: n <= 6)
    and return the maximisers, the minimisers and the whole distribution of values.

    With a declared invariance the objective is evaluated once per class (the canonical
    table of :func:`boolsens.census.census`: NPN classes for ``"npn"``, NP classes for ``"np"``)
    and weighted by the class size; with ``"none"`` on every function, in blocks of 2^20 tables
    with a progress bar (all 2^32 functions of n = 5: see the cost below). A declared invariance is spot-checked on 8 random functions × 4 random
    group elements (inputs permuted and negated, for NPN the output negated too): an objective
    that is not invariant is refused with a clear error.

    Parameters
    ----------
    objective : str, :class:`~boolsens.search.Objective` or callable
        An expression over named measures (:func:`boolsens.search.objective`, exact), or a
        vectorised function of a ``(B, 2**n)`` int8 batch of ±1 tables returning ``(B,)``
        finite real numbers or Fractions (checked: shape, type, finiteness).
    n : int in [0, 5] (family ``"threshold"``: [0, 6], invariance ``"npn"``)
    family : ``"all"``, ``"balanced"`` (E f = 0), ``"threshold"`` (linear threshold functions),
        ``"monotone"`` or ``"symmetric"``. Monotone and symmetric functions are not unions of
        classes: their members are listed and, under an invariance, grouped by canonical form
        (a class's size is then the number of the family's functions in it).
    invariance : ``"npn"``, ``"np"``, ``"none"`` or None
        None: the objective's own for an expression (``"npn"``; ``"np"`` if it uses the bias),
        ``"none"`` for a callable.
    top : int >= 1
        How many maximising (minimising) classes to report.
    max_functions : int or None
        Largest function-by-function scan allowed. None (the default): 2^32 for an expression
        whose measures all come from the census kernels (every named measure except
        ``min_sensitivity``, ``gf2_degree`` and ``nonlinearity``: all of n = 5 streams in minutes),
        2^24 otherwise (all of n <= 4); a callable over all 2^32 tables of n = 5 takes as long as
        2^32 rows of it, so it must be asked for (``max_functions=2**32``).
    rng : int or numpy Generator — the random group elements of the spot check.
    show_progress : bool or None (a bar over the blocks of a scan; None: on a terminal)

    Returns
    -------
    :class:`SearchResult`; ``result.table()`` and ``result.distribution_table()`` are columns
    that ``pandas.DataFrame`` loads.

    Cost: by classes, the census (n = 5: 616,126 NPN classes in about 7 s; NP classes 1.2
    million) plus the objective on one table per class (named measures: about 0.25 µs per table);
    threshold classes a few seconds at n = 5 (small LPs), n = 6 a few minutes; by functions
    2^{2^n} evaluations (65,536 at n = 4), streamed in blocks of 2^20 consecutive tables: at
    n = 5 the census kernels' time per table plus the grouping of values, 35–140 ns per function
    on two shared cores (``bench/results/search_scan.md``: ``s`` or ``I`` in about 2.5 minutes for
    all 2^32 functions, ``bs/s`` about ten) and, for a callable, its own time on 2^32 rows of 32
    signs plus about 70 ns per function to build them and group the values.

    >>> import boolsens as bs
    >>> r = bs.search.exhaustive("bs/s", 4)
    >>> r.maximum, hex(r.maximisers[0].table), r.maximisers[0].size, r.functions + r.undefined
    (Fraction(3, 2), '0x1bd8', 24, 65536)
    >>> r = bs.search.exhaustive("deg/s", 3, family="threshold")
    >>> r.maximum, r.functions, r.undefined
    (Fraction(3, 2), 102, 2)
    >>> [(str(v), f, c) for v, f, c in bs.search.exhaustive("s", 2).distribution]
    [('0', 2, 1), ('1', 4, 1), ('2', 10, 2)]
    """
    start = time.perf_counter()
    if isinstance(family, str) and family not in FAMILIES or not isinstance(family, str):
        raise BoolsensError(f"family={family!r} is not a family; allowed: {', '.join(FAMILIES)}")
    n = check_n(n, maximum=_fam.MAX_THRESHOLD_N if family == "threshold" else MAX_CENSUS_N)
    if isinstance(objective, str):
        objective = _objective(objective)
    elif not callable(objective):
        raise BoolsensError(f"objective={objective!r} must be an expression over measure names or a callable")
    if invariance is None:
        invariance = objective.invariance if isinstance(objective, Objective) else "none"
    if invariance not in INVARIANCES:
        raise BoolsensError(f"invariance={invariance!r} is not allowed; allowed: {', '.join(INVARIANCES)}")
    top = check_int(top, name="top", minimum=1)
    if max_functions is None:
        max_functions = 1 << 32 if isinstance(objective, Objective) and objective.streams else MAX_FUNCTIONS
    max_functions = check_int(max_functions, name="max_functions", minimum=0)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(check_int(rng, name="rng", minimum=0))
    if n > MAX_CENSUS_N and invariance != "npn":
        raise BoolsensError(f"family='threshold' at n={n} is enumerated by NPN classes only; declare "
                            f"invariance='npn' (the {'objective' if invariance == 'none' else 'NP'} classes "
                            "are not listed above n = 5)")
    tally = _Tally(top)
    if invariance == "none":
        count = _fam.member_count(n, family)
        if count > max_functions:
            raise BoolsensError(
                f"family={family!r} at n={n} means scanning {count:,} functions one by one, above "
                f"max_functions={max_functions:,}; declare invariance='npn' (or 'np') if the objective is "
                "invariant (the census then evaluates one table per class), or raise max_functions "
                "(--max-functions on the command line)")
        streams = isinstance(objective, Objective) and objective.streams
        for tables in _fam.member_blocks(n, family, _SCAN_BLOCK, show_progress, as_range=streams):
            tally.add(tables, None, *evaluate(objective, n, tables=tables))
    else:
        tables, weights = _fam.class_blocks(n, family, invariance)
        _check_invariance(objective, n, invariance, tables, rng)
        for a in range(0, len(tables), _BLOCK):
            t = tables[a:a + _BLOCK]
            tally.add(t, weights[a:a + _BLOCK], *evaluate(objective, n, tables=t))
    dist = sorted(((v, f, c) for v, (f, c) in tally.values.items()), key=lambda e: _sort_key(e[0]))
    ext = lambda rows: [Extremal(t, v, s) for v, t, s in rows]  # noqa: E731
    return SearchResult(
        n=n, family=family, invariance=invariance, objective=_name(objective),
        functions=sum(f for _, f, _ in dist), classes=sum(c for _, _, c in dist), undefined=tally.undefined,
        maximum=dist[-1][0] if dist else None, minimum=dist[0][0] if dist else None,
        maximisers=ext(tally.best), minimisers=ext(tally.worst), distribution=dist,
        seconds=round(time.perf_counter() - start, 3))
