r"""Objectives for the searches: expressions over named measures, evaluated exactly on batches.

An objective is a function of a batch of ±1 tables, shape ``(B, 2**n)`` int8 (conventions: see
:mod:`boolsens`), returning ``(B,)`` values. Any vectorised callable serves; :func:`objective`
builds one from an expression over the measures named in :data:`MEASURE_NAMES`, e.g.
``"block_sensitivity/sensitivity"`` or ``"deg/s"``, with a small grammar read by :mod:`ast`
(nothing is executed): numbers, names, ``+ - * /``, unary minus and parentheses.

Names (with their short forms):

==========================  =======  ========================================================
name                        short    meaning (definitions: ``docs/theory.md`` §2)
==========================  =======  ========================================================
``sensitivity``             ``s``    max_x #{i : f(x) ≠ f(x ⊕ e_i)}
``block_sensitivity``       ``bs``   bs(f)
``certificate_complexity``  ``C``    C(f)
``decision_tree_depth``     ``D``    D(f)
``degree``                  ``deg``  Fourier degree
``total_influence``         ``I``    Σ_i Inf_i(f) = sensitive edges / 2^{n−1}
``sensitive_edges``                  #{edges {x, x ⊕ e_i} with f(x) ≠ f(x ⊕ e_i)}
``bias``                             E f (changes sign with the output: NP-invariant only)
``min_sensitivity``                  min_x s(f, x)
``gf2_degree``                       degree of the algebraic normal form
``nonlinearity``                     2^{n−1} − max_S |Σ_x f(x) χ_S(x)| / 2
``W0``, ``W1``, …                    W^k(f) = Σ_{|S| = k} f̂(S)²
``n``                                the number of variables
==========================  =======  ========================================================

Every value is exact: the measures are integers or dyadic rationals, the expression is
evaluated in :class:`fractions.Fraction` arithmetic on the distinct tuples of measure values of
the batch only (a handful at n <= 5), so an objective over the 616,126 classes of n = 5 costs
the measures' time (:func:`boolsens.census.table_measures`, about 0.25 µs per table) and no
Fraction work per function. A function where a denominator vanishes (``bs/s`` of a constant)
has no value and is left out of a search (counted as *undefined*).
"""

from __future__ import annotations

import ast
import functools
import re
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from ..census import MAX_CENSUS_N, MEASURES as _CENSUS_MEASURES, table_measures
from ..errors import BoolsensError

__all__ = ["Objective", "objective", "MEASURE_NAMES", "evaluate", "distinct_rows"]

_SHORT = {"s": "sensitivity", "bs": "block_sensitivity", "C": "certificate_complexity",
          "D": "decision_tree_depth", "deg": "degree", "I": "total_influence"}
#: the named measures an expression may use (plus ``W0``, ``W1``, … and ``n``; short forms in
#: the module docstring)
MEASURE_NAMES = ("sensitivity", "block_sensitivity", "certificate_complexity", "decision_tree_depth",
                 "degree", "total_influence", "sensitive_edges", "bias", "min_sensitivity",
                 "gf2_degree", "nonlinearity")
_LEVEL = re.compile(r"W(\d+)$")
_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class _Undefined(Exception):
    """A denominator vanished."""


def _canonical_name(name: str) -> str:
    name = _SHORT.get(name, name)
    if name in MEASURE_NAMES or name == "n" or _LEVEL.match(name):
        return name
    raise BoolsensError(f"objective: unknown measure {name!r}; allowed: {', '.join(MEASURE_NAMES)}, "
                        f"W0, W1, …, n and the short forms {', '.join(_SHORT)}")


def _parse(node: ast.AST, text: str) -> Any:
    """The expression tree as nested tuples: ('name', x), ('num', Fraction), (op, a, b), ('neg', a)."""
    if isinstance(node, ast.Expression):
        return _parse(node.body, text)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return (_BINARY[type(node.op)], _parse(node.left, text), _parse(node.right, text))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _parse(node.operand, text)
        return ("neg", inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return ("num", Fraction(node.value))
    if isinstance(node, ast.Name):
        return ("name", _canonical_name(node.id))
    raise BoolsensError(f"objective={text!r}: only measure names, numbers, + - * / and parentheses are allowed")


def _names(tree: Any) -> set[str]:
    if tree[0] == "name":
        return {tree[1]}
    if tree[0] == "num":
        return set()
    return set().union(*(_names(t) for t in tree[1:]))


def _value(tree: Any, env: dict[str, Fraction]) -> Fraction:
    kind = tree[0]
    if kind == "name":
        return env[tree[1]]
    if kind == "num":
        return tree[1]
    if kind == "neg":
        return -_value(tree[1], env)
    a, b = _value(tree[1], env), _value(tree[2], env)
    if kind == "+":
        return a + b
    if kind == "-":
        return a - b
    if kind == "*":
        return a * b
    if b == 0:
        raise _Undefined
    return a / b


class Objective:
    r"""An objective built from an expression over named measures (see :func:`objective`).

    Calling it on a ``(B, 2**n)`` ±1 array gives a ``(B,)`` object array of exact
    :class:`~fractions.Fraction` values (``None`` where a denominator vanishes).

    Attributes
    ----------
    text : str
        The expression as given.
    names : tuple of str
        The measures it uses (full names).
    invariance : str
        ``"npn"`` when every measure used is invariant under permuting and negating the inputs
        and negating the output; ``"np"`` when it uses ``bias`` (which changes sign with the output).

    >>> import boolsens as bs
    >>> obj = bs.search.objective("bs/s")
    >>> obj(bs.rubinstein(2).signs[None, :]).tolist()
    [Fraction(1, 1)]
    >>> obj.names, obj.invariance
    (('block_sensitivity', 'sensitivity'), 'npn')
    """

    def __init__(self, text: str, tree: Any):
        self.text = text
        self._tree = tree
        self.names = tuple(sorted(_names(tree)))
        self.invariance = "np" if "bias" in self.names else "npn"
        #: whether every measure used comes from the census kernels (:func:`boolsens.census.table_measures`),
        #: which stream integer tables at n <= 5 without building sign tables
        self.streams = all(_LEVEL.match(m) or m == "n" or m in _CENSUS_MEASURES for m in self.names)

    def __repr__(self) -> str:
        return f"Objective({self.text!r})"

    def __call__(self, signs: Any) -> np.ndarray:
        signs = np.asarray(signs)
        if signs.ndim != 2 or signs.shape[1] & (signs.shape[1] - 1) or signs.shape[1] == 0:
            raise BoolsensError(f"objective {self.text!r} takes a (B, 2**n) array of ±1 tables; got shape {signs.shape}")
        n = signs.shape[1].bit_length() - 1
        codes, values = self.evaluate(n, signs=signs)
        out = np.empty(len(codes), dtype=object)
        out[:] = [None if c < 0 else values[c] for c in codes]
        return out

    def single(self) -> str | None:
        """The measure's name when the expression is one measure name (else None)."""
        return self._tree[1] if self._tree[0] == "name" else None

    def columns(self, n: int, *, signs: Any = None, tables: Any = None) -> np.ndarray:
        """(B, len(names)) float64: each used measure, exact (integers or dyadic rationals), of
        the ±1 tables ``signs`` or, at n <= 5, of the integer ``tables``."""
        if tables is not None and n <= MAX_CENSUS_N and self.streams:
            return _as_floats(*self._numerators(n, tables), len(tables))
        if signs is None:
            from ..census import tables_to_signs

            if isinstance(tables, range):
                tables = np.arange(tables.start, tables.stop, dtype=np.uint64)
            signs = tables_to_signs(tables, n)
        signs = np.asarray(signs)
        count = len(signs)
        get = functools.partial(_signs_measure, signs, n, {})
        cols = np.empty((count, len(self.names)), dtype=np.float64)
        for j, m in enumerate(self.names):
            level = _LEVEL.match(m)
            if m == "n":
                cols[:, j] = n
            elif level:
                k = int(level.group(1))
                if k > n:
                    cols[:, j] = 0
                else:
                    cols[:, j] = np.asarray(get("level_sums"))[:, k] / float(4**n)
            else:
                cols[:, j] = np.asarray(get(m), dtype=np.float64)
        return cols

    def _numerators(self, n: int, tables: Any) -> tuple[list, list]:
        """Each used measure of integer tables (n <= 5, census kernels) as integer numerators over
        a fixed denominator, without floats: (columns, denominators)."""
        want = {m for m in self.names if m in _CENSUS_MEASURES and m != "total_influence"}
        if "total_influence" in self.names:
            want.add("sensitive_edges")
        if any(_LEVEL.match(m) for m in self.names):
            want.add("level_sums")
        rows = table_measures(tables, n, fields=sorted(want)) if want else None
        count, nums, dens = len(tables), [], []
        for m in self.names:
            level = _LEVEL.match(m)
            if m == "n":
                nums.append(np.full(count, n, dtype=np.int64)), dens.append(1)
            elif level:
                k = int(level.group(1))
                nums.append(rows["level_sums"][:, k] if k <= n else np.zeros(count, dtype=np.int64))
                dens.append(4 ** n)
            elif m == "total_influence":  # I = sensitive edges / 2^{n−1}
                nums.append(rows["sensitive_edges"].astype(np.int64) * 2), dens.append(1 << n)
            elif m == "bias":  # E f = (a multiple of 2^{−n})
                nums.append(np.rint(rows["bias"] * float(1 << n)).astype(np.int64)), dens.append(1 << n)
            else:
                nums.append(rows[m]), dens.append(1)
        return nums, dens

    def evaluate(self, n: int, *, signs: Any = None, tables: Any = None) -> tuple[np.ndarray, list]:
        """(codes, values): ``values`` the distinct exact values of the batch, ``codes[b]`` the
        index of function b's value in it (−1 where it is undefined)."""
        levels = cols = None
        if signs is None and tables is not None and n <= MAX_CENSUS_N and self.streams and self.names and len(tables):
            nums, dens = self._numerators(n, tables)
            levels, inverse = _distinct_int(nums, len(tables))
            if levels is None:  # more combinations than one int64 key holds: group the exact floats
                cols = _as_floats(nums, dens, len(tables))
        if levels is not None:
            combos = [[Fraction(int(v), d) for v, d in zip(row, dens)] for row in zip(*levels)]
        else:
            if cols is None:
                cols = self.columns(n, signs=signs, tables=tables)
            rows, inverse = distinct_rows(cols, n)
            combos = [[Fraction(float(v)) for v in row] for row in rows]  # exact: dyadic floats
        values, index = [], np.empty(len(combos), dtype=np.int64)
        for u, row in enumerate(combos):
            env = dict(zip(self.names, row))
            try:
                index[u] = len(values)
                values.append(_value(self._tree, env))
            except _Undefined:
                index[u] = -1
        return index[inverse.reshape(-1)], values


def _as_floats(nums: list, dens: list, count: int) -> np.ndarray:
    """(count, len(nums)) float64 of integer numerators over their denominators (exact: dyadic)."""
    cols = np.empty((count, len(nums)), dtype=np.float64)
    for j, (v, d) in enumerate(zip(nums, dens)):
        cols[:, j] = np.asarray(v, dtype=np.float64) / d
    return cols


def distinct_rows(cols: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(combos, inverse) with ``combos[inverse] == cols``: the distinct rows of a (B, k) float64
    array of measure values, as ``np.unique(cols, axis=0, return_inverse=True)`` gives them but in
    linear time when the values are dyadic with denominator dividing 4**n (every named measure):
    each column is mapped to dense codes through a bincount over its integer span, the codes are
    combined in mixed radix, and the combined keys are grouped by a bincount (or a 1-D sort when
    there are more than a few million combinations). Rows come out in lexicographic order either way.

    >>> import numpy as np
    >>> combos, inverse = distinct_rows(np.array([[1.0, 0.5], [0.0, 2.0], [1.0, 0.5]]), 2)
    >>> combos.tolist(), inverse.tolist()
    ([[0.0, 2.0], [1.0, 0.5]], [1, 0, 1])
    """
    cols = np.asarray(cols, dtype=np.float64)
    B, k = cols.shape
    scaled = cols * float(4 ** n) if n <= 10 else None
    if B == 0 or k == 0 or scaled is None or not np.all(np.abs(scaled) < 2.0**40) or not np.array_equal(
            scaled, np.rint(scaled)):
        combos, inverse = np.unique(cols, axis=0, return_inverse=True)
        return combos, inverse.reshape(-1).astype(np.int64)
    levels, inverse = _distinct_int([scaled[:, j].astype(np.int64) for j in range(k)], B)
    if levels is None:
        combos, inverse = np.unique(cols, axis=0, return_inverse=True)
        return combos, inverse.reshape(-1).astype(np.int64)
    return np.stack(levels, axis=1) / float(4 ** n), inverse


def _distinct_int(columns: list, count: int) -> tuple[list | None, np.ndarray | None]:
    """The distinct rows of integer columns (each a length-``count`` int array) in lexicographic
    order, as one array of values per column, and each row's index among them: every column is
    mapped to dense codes through a bincount over its span (a sort above 2^22), the codes are
    combined in mixed radix and the keys grouped by a bincount (a sort above a few million
    combinations). (None, None) when the combinations overflow 2^62."""
    key = np.zeros(count, dtype=np.int64)
    levels, radix = [], 1
    for col in columns:
        col = np.asarray(col)
        lo, hi = int(col.min()), int(col.max())
        if hi - lo < (1 << 22):
            shifted = col.astype(np.int64) - lo if lo else col
            present = np.bincount(shifted, minlength=hi - lo + 1) > 0
            dense = np.cumsum(present) - 1
            code, level = dense[shifted], np.flatnonzero(present) + lo
        else:
            level, code = np.unique(col, return_inverse=True)
            code = code.reshape(-1)
        if radix * len(level) >= (1 << 62):
            return None, None
        # the first column most significant, so the keys sort the rows lexicographically
        key = key * len(level) + code if len(levels) else code.astype(np.int64)
        levels.append(level)
        radix *= len(level)
    if radix <= max(4 * count, 1 << 16):
        present = np.bincount(key, minlength=radix) > 0
        uniq = np.flatnonzero(present)
        inverse = (np.cumsum(present) - 1)[key]
    else:
        uniq, inverse = np.unique(key, return_inverse=True)
        inverse = inverse.reshape(-1)
    out = []
    rest = uniq.copy()
    for level in reversed(levels):
        out.append(level[rest % len(level)])
        rest //= len(level)
    return out[::-1], inverse.astype(np.int64)


def _signs_measure(signs: np.ndarray, n: int, cache: dict, name: str) -> Any:
    """A measure of a batch of ±1 tables through the public measures (any n)."""
    if name in cache:
        return cache[name]
    from ..complexity import block_sensitivity, certificate_complexity, decision_tree_depth
    from ..fourier import degree, fourier_weights
    from ..gf2 import gf2_degree
    from ..influence import total_influence
    from ..sensitivity import min_sensitivity, sensitivity
    from ..spectral import nonlinearity

    measures = {"sensitivity": sensitivity, "block_sensitivity": block_sensitivity,
                "certificate_complexity": certificate_complexity, "decision_tree_depth": decision_tree_depth,
                "degree": degree, "total_influence": total_influence, "min_sensitivity": min_sensitivity,
                "gf2_degree": gf2_degree, "nonlinearity": nonlinearity}
    if name == "level_sums":
        # Σ_{|S|=k} (2^n f̂(S))²: the level weights times 4**n, exact integers
        out = np.rint(np.asarray(fourier_weights(signs), dtype=np.float64) * float(4**n))
    elif name == "sensitive_edges":
        out = np.rint(np.asarray(total_influence(signs), dtype=np.float64) * (1 << max(n - 1, 0)))
    elif name == "bias":
        out = signs.astype(np.float64).mean(axis=1)
    else:
        out = measures[name](signs)
    cache[name] = out
    return out


@functools.lru_cache(maxsize=256)
def objective(text: str) -> Objective:
    r"""An :class:`Objective` from an expression over the named measures of the module docstring,
    e.g. ``"block_sensitivity/sensitivity"``, ``"deg/s"``, ``"I - W1"``, ``"C*C - bs"``.

    The expression is parsed with :mod:`ast` and only names, numbers, ``+ - * /``, unary minus
    and parentheses are accepted; nothing is executed. Values are exact Fractions.

    Cost: the measures' own cost (at n <= 5 the census kernels, about 0.25 µs per table for
    everything; above that the public measures, e.g. ``block_sensitivity`` about 10 ms per
    function at n = 12) plus one Fraction evaluation per distinct tuple of measure values.

    >>> import boolsens as bs
    >>> bs.search.objective("deg / s")(bs.majority(3).signs[None, :]).tolist()
    [Fraction(3, 2)]
    >>> bs.search.objective("__import__('os')")
    Traceback (most recent call last):
    ...
    boolsens.errors.BoolsensError: objective="__import__('os')": only measure names, numbers, + - * / and parentheses are allowed
    """
    if not isinstance(text, str) or not text.strip():
        raise BoolsensError(f"objective={text!r} must be a non-empty expression over measure names")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise BoolsensError(f"objective={text!r} is not an expression (e.g. 'block_sensitivity/sensitivity')") from None
    quoted = '"' + text + '"' if "'" in text else repr(text)
    try:
        return Objective(text, _parse(tree, text))
    except BoolsensError as exc:
        raise BoolsensError(str(exc).replace(f"objective={text!r}", f"objective={quoted}")) from None


def evaluate(fn: Callable, n: int, *, signs: Any = None, tables: Any = None) -> tuple[np.ndarray, list]:
    """(codes, values) of an objective on a batch (see :meth:`Objective.evaluate`): an
    :class:`Objective` (or expression text) exactly; any other callable on the ±1 tables, its
    output checked: shape (B,), real or Fraction values, finite."""
    if isinstance(fn, str):
        fn = objective(fn)
    if isinstance(fn, Objective):
        return fn.evaluate(n, signs=signs, tables=tables)
    if signs is None:
        from ..census import tables_to_signs

        if isinstance(tables, range):
            tables = np.arange(tables.start, tables.stop, dtype=np.uint64)
        signs = tables_to_signs(tables, n)
    B = len(signs)
    try:
        out = fn(signs)
    except BoolsensError:
        raise
    except Exception as exc:
        raise BoolsensError(f"objective {_fn_name(fn)} failed on a ({B}, {1 << n}) batch of ±1 tables: "
                            f"{type(exc).__name__}: {exc}") from exc
    if hasattr(out, "detach"):  # a torch tensor
        out = out.detach().cpu().numpy()
    arr = np.asarray(out)
    if arr.shape != (B,):
        raise BoolsensError(f"objective {_fn_name(fn)} returned shape {arr.shape} for a ({B}, {1 << n}) batch; "
                            f"it must return ({B},) values, one per table")
    if arr.dtype == object:
        bad = [v for v in arr if not isinstance(v, (int, Fraction, float, np.integer, np.floating))
               or isinstance(v, bool) or (isinstance(v, (float, np.floating)) and not np.isfinite(v))]
        if bad:
            raise BoolsensError(f"objective {_fn_name(fn)} returned {bad[0]!r}; values must be finite "
                                "real numbers or Fractions")
        values, codes = [], np.empty(B, dtype=np.int64)
        seen: dict = {}
        for b, v in enumerate(arr):
            codes[b] = seen.setdefault(v, len(seen))
            if codes[b] == len(values):
                values.append(v)
        return codes, values
    if arr.dtype.kind not in "biuf" or arr.dtype == bool:
        raise BoolsensError(f"objective {_fn_name(fn)} returned dtype {arr.dtype}; values must be real numbers")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = arr[~np.isfinite(arr)][0]
        raise BoolsensError(f"objective {_fn_name(fn)} returned {bad} on {int((~np.isfinite(arr)).sum())} of "
                            f"{B} tables; values must be finite")
    if arr.dtype.kind in "iu" and len(arr) and int(arr.max()) < (1 << 63) and \
            int(arr.max()) - int(arr.min()) < (1 << 22):
        levels, codes = _distinct_int([arr.astype(np.int64)], len(arr))  # linear time, no float rounding
        return codes, [int(v) for v in levels[0]]
    uniq, codes = np.unique(arr, return_inverse=True)
    return codes.reshape(-1).astype(np.int64), uniq.tolist()


def _fn_name(fn: Any) -> str:
    return repr(getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or fn)
