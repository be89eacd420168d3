r"""Walsh–Hadamard transforms (Sylvester order) along the last axis.

Conventions: see :mod:`boolsens` (bit ``i`` of the index is coordinate ``i``; bit 0 is +1).
``fwht`` is the *unnormalised* transform

.. math:: (Ha)(S) = \sum_x a(x)\,(-1)^{|S \cap x|},

so for a table ``f`` of a function on n variables, ``fwht(f) / 2**n`` is the Fourier spectrum
:math:`\hat f(S)` indexed by the bitmask S. ``ifwht`` inverts it: ``ifwht(fwht(a)) == a``.

Dtypes: float64 and float32 stay as they are; integer input is exact: int32 and int64 stay as
they are when the result provably fits (``max|a| * 2**n`` below the type's range), otherwise an
error says which dtype is needed; smaller integer types (int8 ±1 tables) are widened to int64.
Torch tensors come back as torch tensors on their device.

Cost: n * 2**n additions, cache-blocked and SIMD (see :mod:`boolsens._kernels.walsh`): about
two or three passes over memory instead of n; the output array (2**n entries of the result
dtype) is the only allocation, the widening of an int8/int16 table to int64 is fused into the
first pass. Float results are bit for bit those of the level-by-level loop. A numpy result
starts on a 64-byte boundary (it is a view into a buffer one cache line longer), which the
vector stores of the kernel need to run at full speed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._input.table import Table, as_table
from ._input.validation import check_memory_fast
from .errors import BoolsensError
from ._kernels import lazy as _lazy_kernels

_walsh = _lazy_kernels("walsh", globals(), "_walsh")  # numba loads on first use

__all__ = ["fwht", "ifwht", "transform"]


def _result_dtype(arr: np.ndarray, n: int) -> np.dtype:
    dt = arr.dtype
    if np.issubdtype(dt, np.floating):
        if dt not in (np.float32, np.float64):
            return np.dtype(np.float64)
        return dt
    if np.issubdtype(dt, np.integer):
        target = dt if dt in (np.int32, np.int64) else np.dtype(np.int64)
        # max|a| without a widened copy (int(...) is exact, also for the int64 minimum)
        amax = max(abs(int(arr.min())), abs(int(arr.max()))) if arr.size else 0
        bound = amax << n
        if bound > np.iinfo(target).max:
            if target == np.int32 and bound <= np.iinfo(np.int64).max:
                raise BoolsensError(
                    f"fwht of an int32 table with max|a|={amax} on n={n} can reach {bound}, "
                    "beyond int32; pass an int64 table (exact) or a float64 one"
                )
            raise BoolsensError(
                f"fwht of an integer table with max|a|={amax} on n={n} can reach {bound}, beyond "
                "int64; pass a float64 table or use fourier_coefficients(..., exact=True)"
            )
        return np.dtype(target)
    raise BoolsensError(f"fwht needs a real numeric table; got dtype {dt}")


#: (source dtype, result dtype) pairs whose conversion is fused into the kernel's first pass;
#: other inputs are converted with ``astype`` first and transformed in place.
_FUSED = {
    (np.dtype(np.int8), np.dtype(np.int64)),
    (np.dtype(np.int16), np.dtype(np.int64)),
    (np.dtype(np.int32), np.dtype(np.int64)),
    (np.dtype(np.int32), np.dtype(np.int32)),
    (np.dtype(np.int64), np.dtype(np.int64)),
    (np.dtype(np.float32), np.dtype(np.float32)),
    (np.dtype(np.float64), np.dtype(np.float64)),
}


#: outputs of at least this many bytes come from fresh pages of the operating system (glibc's
#: largest mmap threshold is 32 MiB); there a plain copy followed by the in-place transform
#: spent less system time faulting them in than the fused first pass (measured at n = 24 and
#: 26, bench/bench_fwht.py), below it the fused pass is faster (n = 20 to 22)
_FRESH_PAGES_BYTES = 1 << 25


#: the result's first entry sits on this boundary (a cache line), so that none of the kernel's
#: vector stores straddles two lines: numpy starts large arrays 16 bytes past one, which made the
#: allocating transform about 1.25x slower at n = 20 (float32 and float64)
_ALIGN_BYTES = 64


def _aligned_empty(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous array whose data starts on a cache line: a view into a
    buffer at most one line longer (as ``pyfftw.empty_aligned`` does)."""
    count = int(np.prod(shape, dtype=np.int64))
    buf = np.empty(count + _ALIGN_BYTES // dtype.itemsize, dtype=dtype)
    skip = (-buf.ctypes.data % _ALIGN_BYTES) // dtype.itemsize
    return buf[skip:skip + count].reshape(shape)


def _numpy_fwht(arr: np.ndarray, n: int) -> np.ndarray:
    dtype = _result_dtype(arr, n)
    batch = int(np.prod(arr.shape[:-1], dtype=np.int64)) if arr.ndim > 1 else 1
    nbytes = batch * dtype.itemsize * (1 << n)
    check_memory_fast(nbytes, what=f"fwht on n={n} (batch {batch}, {dtype})")
    if (arr.dtype, dtype) in _FUSED and not (arr.dtype == dtype and nbytes >= _FRESH_PAGES_BYTES):
        src = np.ascontiguousarray(arr).reshape(-1, 1 << n)
        out = _aligned_empty(arr.shape, dtype)
        _walsh.fwht_into(src, out.reshape(-1, 1 << n))
        return out
    out = _aligned_empty(arr.shape, dtype)
    np.copyto(out, arr, casting="unsafe")  # into _result_dtype, which checked that it fits
    _walsh.fwht_inplace(out.reshape(-1, 1 << n))
    return out


def _torch_fwht(t: Any, n: int) -> Any:
    import torch

    if t.dtype in (torch.float16, torch.bfloat16):
        # half precision would overflow at 65504 (float16) or lose every bit of an odd sum
        # (bfloat16): transform in float32
        t = t.to(torch.float32)
    if not t.is_floating_point():
        if t.dtype not in (torch.int32, torch.int64):
            t = t.to(torch.int64)
        amax = int(t.abs().max()) if t.numel() else 0
        limit = torch.iinfo(t.dtype).max
        if (amax << n) > limit:
            raise BoolsensError(
                f"fwht of a {t.dtype} tensor with max|a|={amax} on n={n} would overflow; "
                "use torch.int64 or a float dtype"
            )
    shape = t.shape
    N = 1 << n
    batch = t.numel() // N if N else 0
    # the butterfly holds two buffers of the result at a time
    check_memory_fast(2 * batch * t.element_size() * N, what=f"fwht on n={n} (batch {batch}, {t.dtype})")
    x = t.reshape(-1, N).clone()
    h = 1
    while h < N:
        x = x.view(-1, N // (2 * h), 2, h)
        a = x[:, :, 0, :]
        b = x[:, :, 1, :]
        x = torch.stack((a + b, a - b), dim=2)
        h *= 2
    return x.reshape(shape)


def fwht(a: Any) -> Any:
    r"""Unnormalised Walsh–Hadamard transform along the last axis.

    Parameters
    ----------
    a : (..., 2**n) array or tensor
        Leading axes are a batch.

    Returns
    -------
    (..., 2**n) array of the same kind (numpy or torch, same device).

    Examples
    --------
    >>> import numpy as np
    >>> fwht(np.array([1, 1, 1, -1]))  # AND on 2 bits (True = -1)
    array([ 2,  2,  2, -2])
    """
    return transform(as_table(a, name="a", finite=False))


def transform(t: Table) -> Any:
    """:func:`fwht` of a validated table (NaN/inf rejected from the result when not yet ruled out)."""
    if t.torch:
        out = _torch_fwht(t.values, t.n)
        if out.is_floating_point():
            import torch

            if not bool(torch.isfinite(out.reshape(-1, 1 << t.n)[:, 0]).all()):
                raise BoolsensError(f"{t.name} contains NaN or inf (or its transform overflows {out.dtype})")
        return out
    out = _numpy_fwht(t.values, t.n)
    if not t.finite:
        _check_finite_result(out, name=t.name)
    return out


def _check_finite_result(out: np.ndarray, *, name: str) -> None:
    """Reject NaN/inf input after the transform, in O(batch) instead of a pass over the input.

    ``out[..., 0]`` is the sum of every entry of the row, and a sum containing NaN or ±inf is never
    finite; so a finite ``out[..., 0]`` proves the whole row was finite. (A non-finite one can
    also come from an overflow of finite entries; the message says both.)
    """
    if out.dtype.kind == "f" and not np.all(np.isfinite(out[..., 0])):
        raise BoolsensError(f"{name} contains NaN or inf (or its transform overflows {out.dtype})")


def ifwht(a: Any) -> Any:
    r"""Inverse of :func:`fwht`: ``fwht(a) / 2**n``.

    Integer input must come from an integer transform (entries divisible by 2**n), else an
    error is raised rather than rounding; float input is divided.

    >>> import numpy as np
    >>> ifwht(fwht(np.array([1, -1, -1, 1])))
    array([ 1, -1, -1,  1])
    """
    t = as_table(a, name="a")
    arr, n = t.values, t.n
    if t.torch:
        y = _torch_fwht(arr, n)
        if y.is_floating_point():
            return y / float(1 << n)
        if bool((y % (1 << n) != 0).any()):
            raise BoolsensError(
                f"ifwht of an integer tensor needs entries of fwht(a) divisible by 2**{n}; "
                "convert to float for a real inverse"
            )
        return y // (1 << n)
    if np.issubdtype(arr.dtype, np.integer):
        # H H = 2**n I: transform with widened ints, then divide exactly.
        y = _numpy_fwht(arr.astype(np.int64), n)
        if np.any(y % (1 << n)):
            raise BoolsensError(
                f"ifwht of an integer table needs fwht(a) divisible by 2**{n} (the table must be "
                "an integer transform); pass floats for a real-valued inverse"
            )
        return (y >> n).astype(_result_dtype(arr, 0) if arr.dtype in (np.int32, np.int64) else np.int64)
    y = _numpy_fwht(arr, n)
    y /= float(1 << n)
    return y
