"""Internal helpers shared by the measure modules: table normalisation and the cached
integer Walsh spectrum."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validation import as_table, check_memory, is_pm1, is_torch


def boolean_2d(f: Any, *, name: str = "f") -> tuple[np.ndarray, int, tuple[int, ...]]:
    """±1 table(s) as a C-contiguous (B, 2**n) int8 array, n and the batch shape.

    Raises a clear error when an entry is not ±1 (Boolean-only measures)."""
    from .function import BooleanFunction

    if isinstance(f, BooleanFunction):
        return f.signs.reshape(1, -1), f.n, ()
    arr, n = as_table(f, boolean=True, name=name)
    if is_torch(arr):
        arr = arr.detach().cpu().numpy()
    arr = np.asarray(arr)
    batch = arr.shape[:-1]
    return np.ascontiguousarray(arr.reshape(-1, 1 << n), dtype=np.int8), n, batch


def walsh(f: Any, *, name: str = "f") -> tuple[Any, int, bool]:
    """Unnormalised transform 2**n f̂ with its n and whether it is exact integer arithmetic.

    ±1 and integer tables give an int64 transform; real tables float64 (float32 kept);
    torch tensors stay torch. A BooleanFunction's spectrum is cached on it.
    """
    from .function import BooleanFunction
    from .transforms import fwht

    if isinstance(f, BooleanFunction):
        return f.walsh_spectrum(), f.n, True
    arr, n = as_table(f, name=name)
    if is_torch(arr):
        import torch

        if not arr.is_floating_point():
            arr = arr.to(torch.int64)
            return fwht(arr), n, True
        return fwht(arr), n, False
    arr = np.asarray(arr)
    if np.issubdtype(arr.dtype, np.integer):
        # fwht widens narrow integer tables to int64 while it copies them (no extra pass);
        # int32 is widened here because fwht would keep it, and squares need int64
        if arr.dtype == np.int32:
            arr = arr.astype(np.int64)
        return fwht(arr), n, True
    if arr.dtype == np.float32:
        return fwht(arr), n, False
    if is_pm1(arr):
        # float ±1 tables: the transform is integral, do it exactly
        return fwht(arr.astype(np.int64)), n, True
    return fwht(arr.astype(np.float64, copy=False)), n, False


def reject_exact_torch(f: Any, exact: bool) -> None:
    if exact and is_torch(f):
        from ._errors import BoolsensError

        raise BoolsensError("exact=True needs a numpy table or a BooleanFunction, not a torch tensor")


def torch_out(fn):
    """Decorator for numpy-computed measures: a torch tensor in gives a torch tensor out, on the
    input's device (the computation itself runs on the CPU)."""
    import functools

    @functools.wraps(fn)
    def wrapper(f, *args, **kwargs):
        out = fn(f, *args, **kwargs)
        if not is_torch(f):
            return out
        import torch

        return torch.as_tensor(np.asarray(out)).to(f.device)

    return wrapper


def flatten(a: np.ndarray, n: int) -> tuple[np.ndarray, tuple[int, ...]]:
    batch = a.shape[:-1]
    return np.ascontiguousarray(a.reshape(-1, 1 << n)), batch


def squeeze(out: Any, batch: tuple[int, ...], tail: tuple[int, ...] = ()) -> Any:
    """Reshape a (B, *tail) result back to batch + tail; a single function gives a scalar/vector."""
    if batch or tail:
        return out.reshape(batch + tail)
    value = out.reshape(-1)[0]
    return value.item() if isinstance(value, np.generic) else value


def check_table_memory(n: int, itemsize: int, copies: float, what: str, batch: int = 1) -> None:
    check_memory(copies * itemsize * batch * (1 << n), what=what)
