r"""The families an exhaustive search runs over, as blocks of (tables, class sizes).

Tables are integers (bit x = f(x), True = 1; see :mod:`boolsens.census`). A family is listed
either by classes (one canonical table per NPN or NP class, weighted by the number of the
family's functions in it) or function by function (every weight 1).

* ``all``: :func:`boolsens.census.census` (classes) or every table 0 … 2^{2^n} − 1.
* ``balanced``: the census rows with bias 0, or the tables with 2^{n−1} ones.
* ``threshold``: every linear threshold function is NP-equivalent to a monotone one (negate the
  inputs of negative weight), so the classes are those of the monotone threshold functions:
  the monotone functions (:func:`boolsens.census_extra.monotone_tables`) are canonicalised
  (:func:`boolsens.census.npn_canonical`), each class tested once with
  :func:`boolsens.is_threshold`, and weighted by its orbit size (counted from the images under
  every group element). At n = 6 see :func:`threshold_classes`.
* ``monotone`` and ``symmetric``: not unions of classes; their members are listed
  (:func:`boolsens.census_extra.monotone_tables`, :func:`~boolsens.census_extra.symmetric_tables`)
  and, under a declared invariance, grouped by canonical form (weight: how many members of the
  family fall in the class).
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np

from ..census import census, npn_canonical, tables_to_signs
from ..census_extra import monotone_tables, symmetric_tables
from ..progress import bar

__all__ = ["group_maps", "orbit_members", "threshold_classes", "MAX_THRESHOLD_N"]

#: largest n of the threshold family (n = 6 enumerated by :func:`threshold_classes`)
MAX_THRESHOLD_N = 6


@functools.lru_cache(maxsize=None)
def group_maps(n: int) -> np.ndarray:
    """(n!·2^n, 2^n) int64: for every permutation π and mask m, the index map y(x) = π(x) ⊕ m
    (bit i of x moved to bit π(i), then m added), so ``signs[..., maps[g]]`` is f(π(x) ⊕ m)."""
    N = 1 << n
    x = np.arange(N)
    bits = (x[:, None] >> np.arange(n)) & 1  # (N, n)
    out = []
    for perm in itertools.permutations(range(n)):
        y = (bits << np.array(perm)).sum(axis=1) if n else np.zeros(N, dtype=np.int64)
        out.append(y[None, :] ^ x[:, None])  # every mask m at once: row m is π(x) ⊕ m
    return np.concatenate(out).astype(np.int64)


def _pack(bits: np.ndarray) -> np.ndarray:
    """(..., N) bool → (...,) uint64 tables (bit x = entry x)."""
    N = bits.shape[-1]
    return (bits.astype(np.uint64) << np.arange(N, dtype=np.uint64)).sum(axis=-1, dtype=np.uint64)


def orbit_members(table: int, n: int, *, np_only: bool = False) -> np.ndarray:
    """Every function NPN-equivalent (NP with ``np_only``) to ``table``, as sorted uint64 tables.

    Cost: n!·2^n images of 2^n entries (46,080 × 64 at n = 6: a few milliseconds)."""
    signs = tables_to_signs(np.array([table], dtype=np.uint64), n)[0]
    images = _pack(signs[group_maps(n)] < 0)
    if not np_only:
        images = np.concatenate([images, images ^ np.uint64((1 << (1 << n)) - 1)])
    return np.unique(images)


@functools.lru_cache(maxsize=8)
def class_blocks(n: int, family: str, invariance: str):
    """(Cached.) (tables, weights) of the family's classes (invariance "npn"/"np") as one block; for
    ``monotone``/``symmetric`` the members grouped by canonical form."""
    np_only = invariance == "np"
    if family in ("all", "balanced"):
        rows = census(n, np_classes=np_only)
        if family == "balanced":
            rows = rows[rows["bias"] == 0]
        return _frozen(rows["table"].astype(np.uint64)), _frozen(rows["orbit"].astype(np.int64))
    if family == "threshold":
        tables = threshold_classes(n, np_only=np_only)
        sizes = np.array([len(orbit_members(int(t), n, np_only=np_only)) for t in tables], dtype=np.int64)
        return _frozen(tables.copy()), _frozen(sizes)
    members = monotone_tables(n) if family == "monotone" else symmetric_tables(n)
    canon = np.atleast_1d(np.asarray(npn_canonical(members, n=n, np_only=np_only), dtype=np.uint64))
    tables, counts = np.unique(canon, return_counts=True)
    return _frozen(tables), _frozen(counts.astype(np.int64))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def member_count(n: int, family: str) -> int:
    """How many tables a function-by-function scan of the family visits."""
    if family in ("all", "balanced"):
        return 1 << (1 << n)
    if family == "threshold":
        return int(sum(len(orbit_members(int(t), n)) for t in threshold_classes(n)))
    return len(monotone_tables(n) if family == "monotone" else symmetric_tables(n))


def member_blocks(n: int, family: str, block: int, show: bool | None, *, as_range: bool = False):
    """Yield uint64 arrays of the family's functions, each at most ``block`` long (for family
    ``all`` with ``as_range``: ``range`` objects of consecutive tables, which
    :func:`boolsens.census.table_measures` streams without building an array)."""
    if family in ("all", "balanced"):
        total, half = 1 << (1 << n), 1 << max(n - 1, 0)
        with bar(total, desc=f"search n={n}", unit="fn", enabled=show if total > block else False) as b:
            for a in range(0, total, block):
                stop = min(total, a + block)
                if family == "all" and as_range:
                    b.update(stop - a)
                    yield range(a, stop)
                    continue
                t = np.arange(a, stop, dtype=np.uint64)
                if family == "balanced":
                    t = t[np.bitwise_count(t) == half] if n else t[:0]
                b.update(min(total, a + block) - a)
                yield t
        return
    if family == "threshold":
        members = np.concatenate([orbit_members(int(t), n) for t in threshold_classes(n)])
    else:
        members = monotone_tables(n) if family == "monotone" else symmetric_tables(n)
    for a in range(0, len(members), block):
        yield members[a:a + block]


# ---------------------------------------------------------------------------- threshold
def _dominates(t: np.ndarray, i: int, j: int, n: int) -> np.ndarray:
    """Whether variable i dominates j in each monotone table: f(x) >= f(x with bits i and j
    exchanged) on the points with bit i = 0, bit j = 1 — moving the True coordinate from j to i
    never turns f False (True = bit 1). Weights sorted w_i >= w_j imply it."""
    N = 1 << n
    x = np.arange(N)
    src = x[((x >> i) & 1 == 0) & ((x >> j) & 1 == 1)]
    dst = src ^ (1 << i) ^ (1 << j)
    bits = ((t[:, None] >> src.astype(np.uint64)) & np.uint64(1)) <= ((t[:, None] >> dst.astype(np.uint64)) & np.uint64(1))
    return bits.all(axis=1)


def _regular(t: np.ndarray, n: int) -> np.ndarray:
    keep = np.ones(len(t), dtype=bool)
    for i in range(n - 1):
        keep &= _dominates(t, i, i + 1, n)
    return t[keep]


def _is_threshold_tables(t: np.ndarray, n: int) -> np.ndarray:
    from ..linear_threshold import is_threshold

    return np.array([is_threshold(row) for row in tables_to_signs(t, n)], dtype=bool)


@functools.lru_cache(maxsize=None)
def _regular_threshold(n: int) -> np.ndarray:
    """The monotone threshold functions on n variables with w_0 >= w_1 >= … >= w_{n−1} (regular:
    each variable dominates the next), as tables.

    n <= 5 from the monotone functions; n = 6 from pairs (a, b) of those on 5 variables with
    a ⊆ b (the halves x_5 = +1 and x_5 = −1 of a threshold function are threshold functions with
    the same weights w_0 … w_4, so regular ones), filtered by regularity and tested exactly."""
    if n <= 5:
        t = _regular(monotone_tables(n), n)
        return t[_is_threshold_tables(t, n)]
    half = _regular_threshold(n - 1)
    lo, hi = np.meshgrid(half, half, indexing="ij")
    keep = (lo & ~hi) == 0
    cand = (lo[keep] | (hi[keep] << np.uint64(1 << (n - 1)))).astype(np.uint64)
    cand = cand[_dominates(cand, n - 2, n - 1, n)]
    out = np.zeros(len(cand), dtype=bool)
    with bar(len(cand), desc=f"threshold n={n}", unit="fn") as b:
        for a in range(0, len(cand), 512):
            out[a:a + 512] = _is_threshold_tables(cand[a:a + 512], n)
            b.update(len(cand[a:a + 512]))
    return np.sort(cand[out])


@functools.lru_cache(maxsize=None)
def threshold_classes(n: int, *, np_only: bool = False) -> np.ndarray:
    r"""The canonical tables (sorted, uint64) of the NPN classes (NP with ``np_only``) of linear
    threshold functions on n <= 6 variables.

    Every threshold function is, after negating the inputs of negative weight and permuting the
    inputs, a monotone threshold function with weights w_0 >= … >= w_{n−1} >= 0; such a function
    is *regular* (each variable dominates the next) and its two halves on x_{n−1} are regular
    threshold functions on n − 1 variables (same weights), one below the other. So the regular
    threshold functions are built from pairs of those on n − 1 variables, filtered by dominance
    of the last two variables and tested exactly with :func:`boolsens.is_threshold`, and their
    canonical forms are the classes. (The output negation −f is threshold too, so NP classes of
    threshold functions are the NP classes of the monotone ones.)

    Cost: n <= 5 a few seconds (regular monotone functions tested by small LPs); n = 6 tests
    every regular pair (a few thousand LPs of about 1.5 ms).

    >>> from boolsens.search.families import threshold_classes
    >>> [len(threshold_classes(n)) for n in range(5)]
    [1, 2, 3, 6, 15]
    """
    monotone = _regular_threshold(n)
    # every input negation and the output negation of a regular function, so NP classes appear
    return np.unique(np.atleast_1d(np.asarray(npn_canonical(monotone, n=n, np_only=np_only), dtype=np.uint64)))


def expected_count(n: int, family: str) -> int | None:
    """Closed-form sizes used in messages: all 2^{2^n}, balanced C(2^n, 2^{n−1})."""
    if family == "all":
        return 1 << (1 << n)
    if family == "balanced":
        return math.comb(1 << n, 1 << max(n - 1, 0)) if n else 0
    return None
