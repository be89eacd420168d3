r"""The census: every Boolean function on n <= 5 variables, one row per NPN class.

Conventions: see :mod:`boolsens`. Here a function on n variables is also an integer *table*:
bit x of the table is f(x) with True = 1 (f(x) = −1), so ``BooleanFunction.to_hex`` of the
function is the table in hexadecimal; :func:`tables_to_signs` turns tables into ±1 rows.

Definitions
-----------
Two functions are **NPN-equivalent** when one is obtained from the other by permuting the
inputs, negating some inputs and possibly negating the output:
:math:`g(x) = f(\pi(x) \oplus m) \oplus c` for a permutation π of the coordinates, a mask m and
c ∈ {0, 1} (the group has :math:`2 \cdot n! \cdot 2^n` elements: 7680 at n = 5). **NP**
equivalence leaves out the output negation (c = 0). The **canonical representative** of a class
is its least table; the **orbit** is the class itself, of size
:math:`2 \cdot n!\, 2^n / |\mathrm{stabiliser}|`, so the orbit sizes add up to :math:`2^{2^n}`.
Every measure of a row below is invariant under the group (s, bs, C, D, deg, I, the W^k
profile) except the bias E f, which changes sign with the output: a row gives the bias of its
representative.

Classes found here (the tests rebuild n <= 4 by brute force): NPN 1, 2, 4, 14, 222, 616126 and
NP 2, 3, 6, 22, 402, 1228158 for n = 0 … 5.

Rows (:data:`FIELDS`; ``census`` returns a numpy structured array, so ``rows["sensitivity"]``
is a column and ``rows[i]`` a row):

=========================  =====  ============================================================
field                      dtype  meaning
=========================  =====  ============================================================
``table``                  int64  the canonical representative (least table of the class)
``orbit``                  int64  the number of functions in the class
``degree``                 int8   Fourier degree max{|S| : f̂(S) ≠ 0}
``sensitivity``            int8   s(f) = max_x #{i : f(x) ≠ f(x^{⊕i})}
``block_sensitivity``      int8   bs(f)
``certificate_complexity`` int8   C(f)
``decision_tree_depth``    int8   D(f)
``sensitive_edges``        int16  #{edges {x, x^{⊕i}} with f(x) ≠ f(x^{⊕i})}
``total_influence``        float  I(f) = sensitive_edges / 2**(n−1), exact (a dyadic rational)
``level_sums``             int16  (n+1,) Σ_{|S|=k} (2**n f̂(S))²: W^k(f) = level_sums[k] / 4**n
``bias``                   float  E f = f̂(∅) of the representative, exact (denominator 2**n)
=========================  =====  ============================================================

The definitions of the measures are in ``docs/theory.md`` §2; every value is exact.

Algorithms and cost
-------------------
All work is done on tables held in one machine word (:mod:`boolsens._kernels.census`): a
negated or exchanged coordinate is a shift-and-mask swap of the word, and a walk visits the
:math:`n!\,2^n` input transforms with one such swap per step.

* **Classes**: the least table of a class has f = 0 at the last point (else its complement is
  smaller), and its upper half (f on the points with x_{n−1} = −1) is itself the least table of
  its class on n − 1 variables (transforms that fix coordinate n − 1 act on the upper half alone,
  and the upper half is compared first). So the candidates are the 2**(2**(n−1)) tables below each
  of the canonical tables on n − 1 variables: 222 ranges of 65536 at n = 5 (14.5 million tables
  instead of 2**32). Each candidate t walks its orbit and is dropped at the first image g with
  g < t or ¬g < t; a table that survives the whole walk is canonical, and the walk has counted its
  stabiliser (the orbit size) and found the least complement in its NP orbit (the NP classes
  follow: an NPN class is one NP class when it holds ¬f in the NP orbit of f, else two of half
  the size). At n = 5 this takes about 12 s of CPU time, 7 s on two cores (numba threads).
* **Measures** of the representatives: bit-sliced word operations (sensitivity counters, the
  Walsh coefficients as popcounts, certificate and depth over the 3**n subcubes as one word per
  set of free coordinates, block sensitivity by a lookup among the 7581 up-sets, and the
  shortcuts s = n ⇒ bs = C = D = n, deg = n ⇒ D = n): about 0.25 µs per table, a fraction of a
  second for all 616126 classes.
* Memory: 12 bytes per candidate of the piece being scanned (12 MiB) and the rows (51 bytes
  each, 31 MiB at n = 5, 63 MiB for the NP classes); a whole n = 5 census peaks at about
  300 MiB resident (370 MiB with ``np_classes``), about 160 MiB of it the interpreter with numba.

The scan is cut into chunks, one per canonical table on n − 1 variables (222 at n = 5), so a
long run can write each chunk's rows as it goes and resume (:func:`census_chunk`), and
:func:`table_measures` evaluates the measures on any block of tables, e.g. on all 2**32 tables
at n = 5 in consecutive ranges, without building classes. A torch device (``device="cuda"``)
runs the same algorithms as whole-tensor operations (:mod:`boolsens._kernels.census_torch`).
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ._input.table import as_table
from ._input.validation import (check_device, check_flag, check_int, check_memory, check_n, check_truth_tables,
                                is_torch)
from ._kernels import census_flags as _flags
from .errors import BoolsensError
from .progress import bar
from ._kernels import lazy as _lazy_kernels

_k = _lazy_kernels("census", globals(), "_k")  # numba loads on first use

__all__ = [
    "census", "census_chunk", "census_chunk_count", "npn_canonical", "table_measures",
    "tables_to_signs", "FIELDS", "MEASURES", "MAX_CENSUS_N", "MAX_CANONICAL_N",
]

#: largest n of :func:`census` and :func:`table_measures`
MAX_CENSUS_N = _flags.MAX_MEASURE_N
#: largest n of :func:`npn_canonical` (a table must fit in 64 bits)
MAX_CANONICAL_N = _flags.MAX_CANONICAL_N

#: the measure fields, each with the kernel work it needs
MEASURES = {
    "degree": _flags.WANT_SPECTRUM,
    "sensitivity": _flags.WANT_SENSITIVITY,
    "block_sensitivity": _flags.WANT_BLOCK,
    "certificate_complexity": _flags.WANT_CERTIFICATE,
    "decision_tree_depth": _flags.WANT_DEPTH,
    "sensitive_edges": _flags.WANT_SENSITIVITY,
    "total_influence": _flags.WANT_SENSITIVITY,
    "level_sums": _flags.WANT_SPECTRUM,
    "bias": _flags.WANT_SPECTRUM,
}

_ALL = functools.reduce(lambda a, b: a | b, MEASURES.values())

#: the fields of a census row, in order
FIELDS = ("table", "orbit") + tuple(MEASURES)

_DTYPES = {
    "table": np.int64, "orbit": np.int64, "degree": np.int8, "sensitivity": np.int8,
    "block_sensitivity": np.int8, "certificate_complexity": np.int8, "decision_tree_depth": np.int8,
    "sensitive_edges": np.int16, "total_influence": np.float64, "level_sums": np.int16,
    "bias": np.float64,
}

#: candidates per compiled call (16 MiB of counters), and per torch batch on a GPU / on the CPU
_PIECE = 1 << 20
_TORCH_BATCH_CUDA = 1 << 26
_TORCH_BATCH_CPU = 1 << 18
#: tables per call of the measure kernels (numba / torch: a few hundred bytes each on a device)
_MEASURE_BLOCK = 1 << 22
_TORCH_MEASURE_BLOCK = 1 << 20
_NO_TABLES = np.zeros(0, dtype=np.uint64)


# ------------------------------------------------------------------------------ arguments
@functools.lru_cache(maxsize=None)
def _constants(n: int) -> dict:
    perms, gray = _k.walk_steps(n)
    chars, bounds = _k.character_tables(n)
    free_low, free_size = _k.subcube_masks(n)
    ups, packs = _k.up_sets(n) if n <= MAX_CENSUS_N else (None, None)
    N = 1 << n
    return dict(perms=perms, gray=gray, chars=chars, bounds=bounds, free_low=free_low,
                free_size=free_size, ups=ups, packs=packs, N=N, full=(1 << N) - 1,
                group=math.factorial(n) << n)


# ------------------------------------------------------------------------------- chunks
def census_chunk_count(n: int) -> int:
    """Number of chunks of the census on n variables: 1, 1, 2, 4, 14, 222 for n = 0 … 5.

    Chunk k holds the classes whose canonical table has as its upper half (f on the points with
    x_{n−1} = −1) the k-th canonical table on n − 1 variables; :func:`census_chunk` gives its
    rows.

    >>> from boolsens.census import census_chunk_count
    >>> census_chunk_count(4), census_chunk_count(5)
    (14, 222)
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    return len(_chunk_starts(n))


@functools.lru_cache(maxsize=None)
def _chunk_starts(n: int) -> tuple[int, ...]:
    """First candidate of each chunk. The upper half h = t >> 2**(n−1) of a canonical table t is
    itself canonical on n − 1 variables (a transform fixing coordinate n − 1, or that and the
    output negation, acting on h alone gives a table whose upper half is the image of h, and
    the upper half decides the order first), so the candidates are the ranges
    [h·2**(2**(n−1)), (h + 1)·2**(2**(n−1))) for the canonical tables h on n − 1 variables."""
    if n == 0:
        return (0,)
    return tuple(int(h) << (1 << (n - 1)) for h in _canonical_tables(n - 1))


def _chunk_size(n: int) -> int:
    return 1 if n == 0 else 1 << (1 << (n - 1))


@functools.lru_cache(maxsize=None)
def _canonical_tables(n: int) -> np.ndarray:
    """The canonical tables on n variables (no measures), increasing."""
    size = _chunk_size(n)
    tables = _scan(n, [(a, a + size) for a in _chunk_starts(n)], None)[0]
    tables.setflags(write=False)
    return tables


def _chunk_range(n: int, index: Any) -> tuple[int, int]:
    """The candidates [start, stop) of chunk ``index`` (validated) of the census on n variables."""
    starts = _chunk_starts(n)
    k = check_int(index, name="index", minimum=0, maximum=len(starts) - 1,
                  context=f"chunks of the census on n={n}")
    return starts[k], starts[k] + _chunk_size(n)


def _scan(n: int, ranges: list[tuple[int, int]], device) -> tuple[np.ndarray, ...]:
    """(tables, same, comp, least_comp) of the canonical tables in the given ranges of candidates
    (increasing, disjoint), int64."""
    c = _constants(n)
    parts = []
    if device is not None:
        import torch

        from ._kernels import census_torch as _kt

        batch = _torch_batch(device)
        pieces = [(a, min(b, a + batch)) for a0, b in ranges for a in range(a0, b, batch)]
        group: list[tuple[int, int]] = []
        for k, piece in enumerate(pieces):
            group.append(piece)
            if k + 1 == len(pieces) or sum(b - a for a, b in group) + pieces[k + 1][1] - pieces[k + 1][0] > batch:
                t = torch.cat([torch.arange(a, b, dtype=torch.int64, device=device) for a, b in group])
                parts.append(_kt.class_scan(t, c["perms"], c["gray"], c["full"]))
                group = []
    else:
        # ranges of one length (the chunks) go to the kernel many at a time, up to _PIECE
        # candidates per call; other ranges in pieces of at most _PIECE
        size = ranges[0][1] - ranges[0][0]
        if any(b - a != size for a, b in ranges) or size > _PIECE:
            size = min(_PIECE, max(b - a for a, b in ranges))
            ranges = [(a, min(b, a + size)) for a0, b in ranges for a in range(a0, b, size)]
        per = max(1, _PIECE // size)
        same = np.empty(per * size, dtype=np.uint16)
        comp = np.empty(per * size, dtype=np.uint16)
        least_comp = np.empty(per * size, dtype=np.uint64)
        for g in range(0, len(ranges), per):
            group = ranges[g:g + per]
            starts = np.array([a for a, _ in group], dtype=np.int64)
            m = len(group) * size
            _k.class_scan(starts, size, c["perms"], c["gray"], np.uint64(c["full"]), same[:m], comp[:m], least_comp[:m])
            hit = np.flatnonzero(same[:m])
            tables = starts[hit // size] + hit % size
            keep = tables < np.array([b for _, b in group], dtype=np.int64)[hit // size]  # a last short range
            hit, tables = hit[keep], tables[keep]
            parts.append((tables, same[hit].astype(np.int64), comp[hit].astype(np.int64),
                          least_comp[hit].astype(np.int64)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    return tuple(np.concatenate([p[q] for p in parts]) for q in range(4))


def _torch_batch(device) -> int:
    """Candidates per torch call: 2**26 on a GPU (about 60 bytes each) unless less memory is
    free, 2**18 on the CPU."""
    if device.type != "cuda":
        return _TORCH_BATCH_CPU
    import torch

    free, _ = torch.cuda.mem_get_info(device)
    batch = _TORCH_BATCH_CUDA
    while batch > _PIECE and 128 * batch > free:
        batch //= 2
    return batch


def _rows_of(n: int, tables: np.ndarray, same: np.ndarray, comp: np.ndarray, least_comp: np.ndarray,
             np_classes: bool, device) -> np.ndarray:
    """Census rows of the canonical tables found by :func:`_scan`."""
    group = _constants(n)["group"]
    values = _measure(n, tables.astype(np.uint64), _ALL, device)
    if not np_classes:
        orbit = (2 * group) // (same + comp)
        return _pack_rows(n, tables, orbit, values)
    orbit = group // same
    lone = comp == 0  # ¬f is not in the NP orbit of f: its NP class is a second one
    other = {k: v[lone] for k, v in values.items()}
    other["sum"] = -other["sum"]
    rows = np.concatenate([_pack_rows(n, tables, orbit, values),
                           _pack_rows(n, least_comp[lone], orbit[lone], other)])
    return rows[np.argsort(rows["table"], kind="stable")]


def _pack_rows(n: int, tables: Any, orbit: np.ndarray | None, values: dict,
               fields: tuple[str, ...] = FIELDS, out: np.ndarray | None = None) -> np.ndarray:
    """Rows of the given fields from the kernel outputs (into ``out`` when given); ``tables`` may
    be a callable giving them (only called when the field is wanted)."""
    rows = np.empty(len(tables), dtype=_row_dtype(n, fields)) if out is None else out
    for name in fields:
        if name == "table":
            rows["table"] = tables() if callable(tables) else tables
        elif name == "orbit":
            rows["orbit"] = orbit
        elif name == "total_influence":
            np.multiply(values["sensitive_edges"], 1.0 / (1 << max(n - 1, 0)), out=rows[name])
        elif name == "bias":
            np.multiply(values["sum"], 1.0 / (1 << n), out=rows[name])
        else:
            rows[name] = values[name]
    return rows


def _row_dtype(n: int, fields: tuple[str, ...] = FIELDS) -> np.dtype:
    return np.dtype([(f, _DTYPES[f], (n + 1,)) if f == "level_sums" else (f, _DTYPES[f]) for f in fields])


def _measure(n: int, tables: np.ndarray, want: int, device, start: int | None = None) -> dict:
    """The kernel outputs selected by ``want`` for the uint64 ``tables`` (or, with ``start``, the
    consecutive tables start … start + len − 1; ``tables`` is then an int giving the count; numba
    only)."""
    c = _constants(n)
    if device is not None:
        import torch

        parts = []
        for a in range(0, len(tables), _TORCH_MEASURE_BLOCK):
            t = torch.as_tensor(tables[a:a + _TORCH_MEASURE_BLOCK].astype(np.int64), device=device)
            parts.append({k: v.cpu().numpy() for k, v in _torch_measures(t, n, want).items()})
        if not parts:
            parts.append({k: v.cpu().numpy() for k, v in _torch_measures(
                torch.zeros(0, dtype=torch.int64, device=device), n, want).items()})
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    count = tables if start is not None else len(tables)

    def arr(bit, shape=(), dtype=np.int8):
        return np.zeros((count,) + shape if want & bit else (0,) + shape, dtype=dtype)

    sens_or_block = _flags.WANT_SENSITIVITY | _flags.WANT_BLOCK
    out = dict(
        sensitivity=arr(sens_or_block), sensitive_edges=arr(sens_or_block, dtype=np.int16),
        degree=arr(_flags.WANT_SPECTRUM), level_sums=arr(_flags.WANT_SPECTRUM, (n + 1,), np.int16),
        sum=arr(_flags.WANT_SPECTRUM), certificate_complexity=arr(_flags.WANT_CERTIFICATE | _flags.WANT_BLOCK),
        decision_tree_depth=arr(_flags.WANT_DEPTH), block_sensitivity=arr(_flags.WANT_BLOCK),
    )
    if want & _flags.WANT_BLOCK:
        want |= _flags.WANT_SENSITIVITY | _flags.WANT_CERTIFICATE
    args = (n, want, c["chars"], c["bounds"], c["free_low"], c["free_size"], c["ups"], c["packs"],
            out["sensitivity"], out["sensitive_edges"], out["degree"], out["level_sums"], out["sum"],
            out["certificate_complexity"], out["decision_tree_depth"], out["block_sensitivity"])
    if start is not None:
        _k.measure_tables(_NO_TABLES, start, count, *args)
    else:
        _k.measure_tables(tables, 0, count, *args)
    return out


def census_chunk(n: int, index: int, *, np_classes: bool = False, device: Any = None) -> np.ndarray:
    r"""The census rows of chunk ``index`` (see :func:`census`): the classes whose canonical
    table lies in the chunk's range of candidates, in increasing order of table.

    Chunks are independent, so a long run can store each chunk's rows as soon as they are made
    and skip the chunks already stored when it is restarted; concatenating the chunks in order
    gives :func:`census` (with ``np_classes``, sort the concatenation by ``table``: a chunk holds
    the NP classes of its NPN classes).

    Parameters
    ----------
    n : int in [0, 5]
    index : int in [0, census_chunk_count(n))
    np_classes, device : as in :func:`census`

    Cost: at most about half a second per chunk at n = 5.

    >>> from boolsens.census import census_chunk
    >>> [census_chunk(3, k)["table"].tolist() for k in range(4)]
    [[0, 1, 3, 6, 7, 15], [22, 23, 24, 25, 27, 30], [60], [105]]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    np_classes = check_flag(np_classes, name="np_classes")
    device = check_device(device)
    start, stop = _chunk_range(n, index)
    return _rows_of(n, *_scan(n, [(start, stop)], device), np_classes, device)


def census(n: int, *, np_classes: bool = False, device: Any = None) -> np.ndarray:
    r"""Every Boolean function on n <= 5 variables, one row per NPN class (or NP class).

    Two functions are NPN-equivalent when :math:`g(x) = f(\pi(x) \oplus m) \oplus c` (permuted
    inputs, negated inputs, possibly negated output); NP-equivalent when c = 0. Each row gives
    the class's canonical representative (its least table; bit x of a table is f(x), True = 1),
    the class size and the exact measures of the representative; the fields are listed in the
    module docstring (:data:`FIELDS`). Counts over all :math:`2^{2^n}` functions follow by
    weighting with ``orbit``, e.g. ``np.bincount(rows["sensitivity"], weights=rows["orbit"])``.

    Parameters
    ----------
    n : int in [0, 5]
    np_classes : bool
        One row per NP class (no output negation) instead: 1228158 rows at n = 5.
    device : None or a torch device
        None: numba kernels on the CPU threads. ``"cuda"`` (or any torch device): the same
        algorithms as torch tensor operations on that device.

    Returns
    -------
    numpy structured array of the classes in increasing order of ``table``:
    n = 0 … 5 give 1, 2, 4, 14, 222, 616126 NPN rows (2, 3, 6, 22, 402, 1228158 NP rows).

    Cost: n <= 4 a few milliseconds; n = 5 walks 14.5 million candidate tables, about 7 s on two
    cores (12 s of CPU time), with a progress bar; about 300 MiB resident at the peak (see the
    module docstring).

    >>> import numpy as np
    >>> from boolsens.census import census
    >>> rows = census(3)
    >>> len(rows), int(rows["orbit"].sum())
    (14, 256)
    >>> rows[["table", "orbit", "sensitivity", "degree"]][:4].tolist()
    [(0, 2, 0, 0), (1, 16, 3, 3), (3, 24, 2, 2), (6, 24, 3, 3)]
    >>> np.bincount(rows["sensitivity"], weights=rows["orbit"]).astype(int).tolist()
    [2, 6, 110, 138]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    np_classes = check_flag(np_classes, name="np_classes")
    device = check_device(device)
    starts, size = _chunk_starts(n), _chunk_size(n)
    # chunks go to the kernels many at a time: 16 per call at n = 5 (all at once with torch)
    step = max(1, (_PIECE if device is None else _torch_batch(device)) // size)
    parts = []
    with bar(len(starts), desc=f"census n={n}", unit="chunk", enabled=None if len(starts) > step else False) as b:
        for k in range(0, len(starts), step):
            found = _scan(n, [(a, a + size) for a in starts[k:k + step]], device)
            parts.append(_rows_of(n, *found, np_classes, device))
            b.update(len(starts[k:k + step]))
    rows = np.concatenate(parts)
    if np_classes:
        rows = rows[np.argsort(rows["table"], kind="stable")]
    return rows


# ------------------------------------------------------------------------ single tables
def table_measures(tables: Any, n: int, *, fields: Any = None) -> Any:
    r"""Exact measures of a block of truth tables on n <= 5 variables, without building classes.

    ``tables`` is an integer array of tables (bit x = f(x), True = 1), or a ``range`` of
    consecutive tables (no array is built: the way to stream over all :math:`2^{32}` functions of
    n = 5), or a torch int64 tensor (the measures then run as torch operations on its device).

    Parameters
    ----------
    tables : integer array, ``range`` with step 1, or torch tensor; values in [0, 2**(2**n))
    n : int in [0, 5]
    fields : sequence of names, default all of :data:`MEASURES` and ``"table"``
        Any of ``table`` and the measures of the census rows (:data:`MEASURES`); only the work
        the chosen fields need is done.

    Returns
    -------
    numpy structured array with one row per table and the chosen fields (dtypes as in
    :func:`census`); for a torch tensor a dict of tensors on its device.

    Cost per table at n = 5 on two shared cores (``bench/results/census.md``): s and sensitive
    edges 6–25 ns (all 2**32 tables in one to two minutes), degree / level sums / bias 20–50 ns,
    C, D or bs about 100 ns each, everything about 250 ns. Memory: the rows (up to 43 bytes
    each; stream long ranges in blocks).

    >>> import numpy as np
    >>> import boolsens as bs
    >>> from boolsens.census import table_measures
    >>> maj = int(bs.majority(3).to_hex(), 16)
    >>> row = table_measures([maj], 3)[0]
    >>> int(row["sensitivity"]), float(row["total_influence"]), row["level_sums"].tolist()
    (2, 1.5, [0, 48, 0, 16])
    >>> rows = table_measures(range(16), 2, fields=["degree"])
    >>> np.bincount(rows["degree"]).tolist()
    [2, 4, 10]
    """
    n = check_n(n, maximum=MAX_CENSUS_N)
    if fields is None:
        fields = ("table",) + tuple(MEASURES)
    if isinstance(fields, str):
        fields = (fields,)
    fields = tuple(fields)
    bad = [f for f in fields if f != "table" and f not in MEASURES]
    if bad or not fields:
        raise BoolsensError(f"fields={list(fields)!r} must name some of: table, {', '.join(MEASURES)}")
    want = 0
    for f in fields:
        want |= MEASURES.get(f, 0)
    N = 1 << n
    if is_torch(tables):
        return _table_measures_torch(tables, n, fields, want)
    if isinstance(tables, range):
        if tables.step != 1 or (len(tables) and (tables.start < 0 or tables.stop > 1 << N)):
            raise BoolsensError(f"tables={tables!r} must be a range with step 1 inside [0, 2**{N}) for n={n}")
        start, count = tables.start, len(tables)
        arr = None
    else:
        arr = check_truth_tables(tables, n).reshape(-1)
        start, count = None, len(arr)
    check_memory(count * _row_dtype(n, fields).itemsize * 2, what=f"measures of {count} tables")
    rows = np.empty(count, dtype=_row_dtype(n, fields))
    for a in range(0, count, _MEASURE_BLOCK):
        b = min(count, a + _MEASURE_BLOCK)
        if arr is None:
            values = _measure(n, b - a, want, None, start=start + a) if want else {}
            block = functools.partial(np.arange, start + a, start + b, dtype=np.int64)
        else:
            values = _measure(n, arr[a:b], want, None) if want else {}
            block = arr[a:b]
        _pack_rows(n, block, None, values, fields, out=rows[a:b])
    return rows


def _table_measures_torch(tables: Any, n: int, fields: tuple[str, ...], want: int) -> dict:
    import torch

    if tables.dtype.is_floating_point or tables.dtype == torch.bool or tables.is_complex():
        raise BoolsensError(f"tables has dtype {tables.dtype}; expected integer truth tables")
    t = tables.reshape(-1).to(torch.int64)
    N = 1 << n
    if t.numel() and (int(t.min()) < 0 or int(t.max()) >> N):
        raise BoolsensError(f"tables must be integers in [0, 2**{N}) for n={n}")
    got = {}
    if want:
        parts = [_torch_measures(t[a:a + _TORCH_MEASURE_BLOCK], n, want)
                 for a in range(0, max(1, t.numel()), _TORCH_MEASURE_BLOCK)]
        got = {k: torch.cat([p[k] for p in parts]) for k in parts[0]}
    out = {}
    for f in fields:
        if f == "table":
            out[f] = t
        elif f == "total_influence":
            out[f] = got["sensitive_edges"].to(torch.float64) / float(1 << max(n - 1, 0))
        elif f == "bias":
            out[f] = got["sum"].to(torch.float64) / float(N)
        else:
            out[f] = got[f]
    return out


def _torch_measures(t: Any, n: int, want: int) -> dict:
    from ._kernels import census_torch as _kt

    c = _constants(n)
    return _kt.measure_tables(t, n, want, c["chars"], c["bounds"], c["free_low"], c["free_size"],
                              c["ups"], c["packs"])


def tables_to_signs(tables: Any, n: int) -> np.ndarray:
    """The ±1 sign tables of integer truth tables: shape ``tables.shape + (2**n,)``, int8, entry
    x = −1 where bit x of the table is 1 (True = −1), so every boolsens measure applies.

    >>> import boolsens as bs
    >>> from boolsens.census import tables_to_signs
    >>> tables_to_signs(0b1000, 2).tolist()
    [1, 1, 1, -1]
    >>> bs.BooleanFunction(tables_to_signs(0xe8, 3)) == bs.majority(3)
    True
    """
    n = check_n(n, maximum=MAX_CANONICAL_N)
    arr = check_truth_tables(tables, n)
    check_memory(arr.size * (1 << n), what=f"sign tables of {arr.size} functions on n={n}")
    out = np.empty((arr.size, 1 << n), dtype=np.int8)
    _k.tables_to_signs(arr.reshape(-1), n, out)
    return out.reshape(arr.shape + (1 << n,))


def npn_canonical(f: Any, *, n: int | None = None, np_only: bool = False) -> Any:
    r"""The canonical form of f: the least table (bit x = f(x), True = 1) among all functions
    NPN-equivalent to f, :math:`\min_{\pi, m, c} f(\pi(x) \oplus m) \oplus c`.

    Two functions are NPN-equivalent iff their canonical forms are equal; at n <= 5 the canonical
    form is the ``table`` of the function's row in :func:`census`.

    Parameters
    ----------
    f : BooleanFunction or (..., 2**n) ±1 array, n <= 6; or, when ``n`` is given, an integer
        table or an integer array of tables on n variables
    n : int in [0, 6], optional
        Read f as integer tables on n variables.
    np_only : bool
        Leave out the output negation: the least table among the NP-equivalent functions.

    Returns
    -------
    int for one function; a uint64 numpy array of the batch shape for several.

    Cost: a walk over the :math:`n!\,2^n` input transforms, one word operation each:
    46,080 steps at n = 6 (about 0.1 ms per function), spread over the CPU threads for a batch.

    >>> import boolsens as bs
    >>> from boolsens.census import npn_canonical
    >>> npn_canonical(bs.majority(3)), npn_canonical(-bs.majority(3))
    (23, 23)
    >>> npn_canonical(bs.conjunction(2)) == npn_canonical(bs.disjunction(2))
    True
    >>> npn_canonical(0b1110, n=2), npn_canonical(0b1110, n=2, np_only=True)
    (1, 7)
    """
    np_only = check_flag(np_only, name="np_only")
    if n is None:
        t = as_table(f)
        if t.n > MAX_CANONICAL_N:
            raise BoolsensError(f"npn_canonical supports n <= {MAX_CANONICAL_N}; got a table on n={t.n}")
        signs = t.pm1_rows()
        n = t.n
        tables = np.empty(signs.shape[0], dtype=np.uint64)
        _k.signs_to_tables(signs, tables)
        batch = t.batch
    else:
        n = check_n(n, maximum=MAX_CANONICAL_N)
        arr = check_truth_tables(f, n, name="f")
        tables, batch = arr.reshape(-1), arr.shape
    c = _constants(n)
    out = np.empty(tables.shape[0], dtype=np.uint64)
    _k.canonical_tables(tables, c["perms"], c["gray"], np.uint64(c["full"]), not np_only, out)
    if not batch:
        return int(out[0])
    return out.reshape(batch)

