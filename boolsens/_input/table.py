"""The one conversion of user input into the internal table value (layer 1).

Every public measure calls :func:`as_table` once on its argument and hands the resulting
:class:`Table` to the inner layers, which take it as given: the shape, dtype and finiteness are
checked here and nowhere else, and whether the entries are all ±1 is found out at most once per
table (often fused into packing, see :meth:`Table.packed`).

Anything that implements the table protocol is accepted as well: an object whose type has a
method ``__boolsens_table__()`` returning a :class:`Table`. :class:`boolsens.BooleanFunction`
implements it, handing over its read-only sign table together with its cache (so a spectrum or a
packed table computed once is reused by every later measure) without this layer knowing the
class. Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import BoolsensError
from .validation import check_memory_fast, is_torch, log2_length
from .._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use

__all__ = ["Table", "as_table", "not_pm1_message"]

#: int8 tables of at least this many entries are checked for ±1 by a compiled pass (the numpy test
#: makes three temporaries; below this size it is cheap and numba need not load)
_COMPILED_PM1_SIZE = 1 << 16


class Table:
    """A validated truth table or batch of them: ``values`` has shape ``batch + (2**n,)``.

    Attributes
    ----------
    values : numpy array or torch tensor (real, finite where it is floating point)
    n : int
    batch : tuple of int (``()`` for one function)
    torch : bool (``values`` is a torch tensor)
    name : str (the argument's name, for messages)
    cache : dict (per function for a ``BooleanFunction``, per call otherwise)
    """

    __slots__ = ("values", "n", "batch", "torch", "name", "cache", "shared", "finite", "_pm1")

    def __init__(self, values: Any, n: int, *, name: str = "f", cache: dict | None = None,
                 pm1: bool | None = None, torch: bool | None = None, finite: bool = True):
        self.values = values
        self.n = n
        self.batch = tuple(values.shape[:-1])
        self.torch = is_torch(values) if torch is None else torch
        self.name = name
        # a cache passed in outlives this call (a BooleanFunction's): what is cached is frozen
        self.shared = cache is not None
        self.cache = {} if cache is None else cache
        self.finite = finite  # NaN and inf were ruled out (False: the caller checks its result)
        self._pm1 = pm1

    # ------------------------------------------------------------------ facts
    @property
    def functions(self) -> int:
        """Number of functions in the batch (1 for a single table)."""
        count = 1
        for d in self.batch:
            count *= d
        return count

    @property
    def integer(self) -> bool:
        """The values have an integer dtype (their transform is exact)."""
        if self.torch:
            return not self.values.is_floating_point()
        return self.values.dtype.kind in "iu"

    @property
    def pm1_known(self) -> bool:
        """True when the table is already known to be ±1 (no pass over it)."""
        return self._pm1 is True

    def is_pm1(self) -> bool:
        """Every entry is +1 or -1 (computed once)."""
        if self._pm1 is None:
            v = self.values
            if self.torch:
                self._pm1 = bool(((v == 1) | (v == -1)).all())
            elif v.dtype == np.int8 and v.size >= _COMPILED_PM1_SIZE and v.size % 8 == 0 and v.flags.c_contiguous:
                self._pm1 = _bitpacked.all_pm1_int8(v)  # one pass, no temporaries
            elif v.dtype == np.int8:
                self._pm1 = not bool(np.any((v != 1) & (v != -1)))
            else:
                self._pm1 = bool(np.all((v == 1) | (v == -1)))
        return self._pm1

    def require_pm1(self) -> None:
        """Raise the standard error when an entry is not ±1 (Boolean-only measures)."""
        if not self.is_pm1():
            raise BoolsensError(not_pm1_message(self.name, self.numpy()))

    # ------------------------------------------------------------ conversions
    def numpy(self) -> np.ndarray:
        """The values as a numpy array (a torch tensor is copied to the CPU; bfloat16, which
        numpy lacks, becomes float32 exactly)."""
        if self.torch:
            v = self.values.detach()
            if str(v.dtype) == "torch.bfloat16":
                v = v.float()
            return v.cpu().numpy()
        return self.values

    def amax(self) -> int | float:
        """max |entry| (a Python int for integer tables, so it cannot overflow), cached."""
        def compute():
            v = self.values
            if self.torch:
                if not v.numel():
                    return 0
                if v.is_floating_point():
                    return float(v.detach().abs().max())
                return max(-int(v.min()), int(v.max()))
            if not v.size:
                return 0
            if v.dtype.kind in "iu":
                return max(-int(v.min()), int(v.max()))
            return float(np.abs(v).max())

        return self.cached("amax", compute)

    def rows(self) -> np.ndarray:
        """The values as a C-contiguous ``(functions, 2**n)`` numpy array (a view when possible)."""
        return np.ascontiguousarray(self.numpy().reshape(self.functions, 1 << self.n))

    def pm1_rows(self) -> np.ndarray:
        """The ±1 values as a C-contiguous ``(functions, 2**n)`` int8 array; raises when an entry
        is not ±1."""
        self.require_pm1()
        rows = self.rows()
        return rows if rows.dtype == np.int8 else rows.astype(np.int8)

    def packed(self, *, strict: bool) -> np.ndarray | None:
        """The bit-packed table (``(functions, W)`` uint64, see :mod:`boolsens._kernels.bitpacked`),
        validating ±1 in the same pass; cached.

        A table with an entry other than ±1 gives None when ``strict`` is False (the caller takes
        its real-valued path) and the standard error when it is True. A torch tensor that is not
        strict gives None as well (the real path keeps it on its device). Memory: N/8 bytes per
        function, checked before allocating.
        """
        if "packed" in self.cache:
            return self.cache["packed"]
        if self._pm1 is False or (self.torch and not strict):
            if strict:
                self.require_pm1()
            return None
        n = self.n
        check_memory_fast(8 * self.functions * _bitpacked.words_for(n),
                          what=f"packed table for n={n} (batch {self.functions})")
        rows = self.pm1_rows() if self.torch else self.rows()
        if rows.dtype == np.float16:  # the kernels have no float16; ±1 is exact in float32
            rows = rows.astype(np.float32)
        words = _bitpacked.pack_pm1(rows, n)
        if words is None:
            self._pm1 = False
            if strict:
                self.require_pm1()
            return None
        self._pm1 = True
        return self.cached("packed", lambda: words)

    def cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per table (per function for a ``BooleanFunction``, whose cached
        arrays are made read-only since they outlive the call)."""
        cache = self.cache
        if key not in cache:
            value = compute()
            if self.shared:
                for a in value if isinstance(value, tuple) else (value,):
                    if isinstance(a, np.ndarray):
                        a.setflags(write=False)
            cache[key] = value
        return cache[key]

    # ----------------------------------------------------------------- results
    def squeeze(self, out: Any, tail: tuple[int, ...] = ()) -> Any:
        """Reshape a ``(functions, *tail)`` result to ``batch + tail``; one function without a
        tail gives a Python scalar."""
        if self.batch or tail:
            return out.reshape(self.batch + tail)
        value = out.reshape(-1)[0]
        return value.item() if isinstance(value, np.generic) else value

    def like_input(self, out: Any) -> Any:
        """A numpy result as a torch tensor on the input's device when the input was torch."""
        if not self.torch:
            return out
        import torch

        return torch.as_tensor(np.asarray(out)).to(self.values.device)


def not_pm1_message(name: str, arr: np.ndarray) -> str:
    bad = arr[(arr != 1) & (arr != -1)]
    sample = bad.ravel()[:3].tolist()
    return (
        f"{name} must contain only +1 and -1 for this Boolean measure; found {len(bad.ravel())} "
        f"other value(s), e.g. {sample} (use BooleanFunction.from_bits for 0/1 tables)"
    )


def as_table(a: Any, *, name: str = "f", finite: bool = True) -> Table:
    """Validate a table (numpy, torch, sequence, or anything with ``__boolsens_table__``) once
    and return it as a :class:`Table`; a :class:`Table` is returned as it is.

    NaN and inf are rejected (``finite=False`` skips that pass over a floating-point numpy table:
    the caller must then check its result instead, as ``fwht`` does). Nothing is coerced
    silently: booleans must go through ``BooleanFunction.from_bits``.
    """
    if isinstance(a, Table):
        if finite and not a.finite:
            _check_finite(a.numpy(), a.name)
            a.finite = True
        return a
    protocol = getattr(type(a), "__boolsens_table__", None)
    if protocol is not None:
        return protocol(a)
    if is_torch(a):
        import torch

        if a.ndim == 0:
            raise BoolsensError(f"{name} is a scalar; expected a table whose last axis has length 2**n")
        if a.dtype == torch.bool or a.is_complex():
            raise BoolsensError(
                f"{name} has dtype {a.dtype}; expected real ±1 or real values "
                "(use BooleanFunction.from_bits for 0/1 or True/False)"
            )
        n = log2_length(a.shape[-1], name=f"{name} (last axis)")
        if a.is_floating_point() and not bool(torch.isfinite(a).all()):
            raise BoolsensError(f"{name} contains NaN or inf")
        return Table(a, n, name=name, torch=True)
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:
        raise BoolsensError(f"{name} must be a rectangular numeric array (a nested sequence of equal-length "
                            f"rows); got a ragged or mixed sequence ({exc})") from None
    if arr.dtype == object:
        raise BoolsensError(f"{name} must be a numeric array; got an object array (a ragged nested sequence "
                            "or non-numeric entries)")
    if arr.dtype == bool:
        raise BoolsensError(
            f"{name} has dtype bool; map bits to signs with BooleanFunction.from_bits "
            "(0/False -> +1, 1/True -> -1)"
        )
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise BoolsensError(f"{name} has dtype {arr.dtype}; expected real numbers")
    if arr.ndim == 0:
        raise BoolsensError(f"{name} is a scalar; expected a table whose last axis has length 2**n")
    n = log2_length(arr.shape[-1], name=f"{name} (last axis)" if arr.ndim > 1 else name)
    if finite:
        _check_finite(arr, name)
    return Table(arr, n, name=name, torch=False, finite=finite or arr.dtype.kind != "f")


def _check_finite(arr: np.ndarray, name: str) -> None:
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise BoolsensError(f"{name} contains NaN or inf")
