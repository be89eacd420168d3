"""Named validators of scalar arguments and the memory check (layer 1, with :mod:`.table`).

Every user-facing check of an argument lives here or in :mod:`.table`, so messages stay uniform
(``argument=value must be ...``)::

    rho=1.5 must lie in [-1, 1]
    table of length 12 is not a power of two

User input is never validated with ``assert``.
"""

from __future__ import annotations

import numbers
import os
from fractions import Fraction
from typing import Any

import numpy as np

from ..errors import BoolsensError

#: Largest n for which an exhaustive table is accepted at all (a 2**40 table is 1 TiB of int8).
MAX_N = 40


def is_torch(a: Any) -> bool:
    """True if ``a`` is a torch tensor (without importing torch)."""
    mod = type(a).__module__
    return mod.startswith("torch") and hasattr(a, "device") and hasattr(a, "dtype")


def log2_length(length: int, *, name: str = "table") -> int:
    """Return n for a last-axis length of 2**n, else raise naming the length."""
    if length == 0:
        raise BoolsensError(f"{name} is empty: a function on n variables needs 2**n >= 1 entries")
    if length < 0 or length & (length - 1):
        raise BoolsensError(
            f"{name} of length {length} is not a power of two; a truth table on n variables "
            f"has length 2**n (nothing is padded)"
        )
    return length.bit_length() - 1


def check_n(n: Any, *, name: str = "n", minimum: int = 0, maximum: int = MAX_N) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise BoolsensError(f"{name}={n!r} must be an integer")
    n = int(n)
    if not minimum <= n <= maximum:
        raise BoolsensError(f"{name}={n} must lie in [{minimum}, {maximum}]")
    return n


def check_index(i: Any, n: int, *, name: str = "i") -> int:
    if isinstance(i, bool) or not isinstance(i, numbers.Integral):
        raise BoolsensError(f"{name}={i!r} must be an integer coordinate in [0, {n})")
    i = int(i)
    if not 0 <= i < n:
        raise BoolsensError(f"{name}={i} must lie in [0, {n}) for a function of n={n} variables")
    return i


def _check_real_scalar_or_array(value: Any, name: str) -> Any:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise BoolsensError(f"{name}={value!r} must be a real number")
    if is_torch(value):  # a torch scalar or tensor (possibly requiring grad): use its values
        value = value.detach().cpu()
        value = value.float().numpy() if str(value.dtype) == "torch.bfloat16" else value.numpy()
        if value.ndim == 0:
            value = value.item()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise BoolsensError(f"{name}={value!r} must be a real number or a rectangular array of them") from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise BoolsensError(f"{name}={value!r} must be a real number or an array of them")
    if not np.all(np.isfinite(arr)):
        raise BoolsensError(f"{name}={value!r} must be finite")
    return value


def check_rho(rho: Any, *, name: str = "rho", low: float = -1.0, high: float = 1.0) -> Any:
    """Accept a real scalar, a ``Fraction`` or an array of reals in [low, high]."""
    rho = _check_real_scalar_or_array(rho, name)
    arr = np.asarray(rho, dtype=float) if not hasattr(rho, "denominator") else np.asarray(float(rho))
    bad = (arr < low) | (arr > high)
    if np.any(bad):
        shown = rho if arr.ndim == 0 else arr[bad].ravel()[0]
        raise BoolsensError(f"{name}={shown} must lie in [{_fmt(low)}, {_fmt(high)}]")
    return rho


def check_delta(delta: Any, *, name: str = "delta") -> Any:
    return check_rho(delta, name=name, low=0.0, high=0.5)


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def format_bytes(nbytes: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(nbytes) < 1024 or unit == "PiB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1024
    raise AssertionError("unreachable")


def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable, else a large guess)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30


def check_memory(nbytes: float, *, what: str, limit: float | None = None) -> None:
    """Raise *before allocating* when ``nbytes`` would not fit in available memory.

    ``limit`` defaults to 90% of MemAvailable; set ``BOOLSENS_MEMORY_LIMIT`` (bytes) to override.
    """
    if limit is None:
        env = os.environ.get("BOOLSENS_MEMORY_LIMIT")
        limit = float(env) if env else 0.9 * available_memory()
    if nbytes > limit:
        raise BoolsensError(
            f"{what} needs about {format_bytes(nbytes)} but only {format_bytes(limit)} is "
            f"available; use a smaller n or the Monte-Carlo estimators in boolsens.estimate"
        )


def check_int(value: Any, *, name: str, minimum: int | None = None, maximum: int | None = None,
              context: str = "") -> int:
    """An integer (not a bool, not a float) in [minimum, maximum]; ``context`` (e.g. ``"chunks of the
    census on n=4"``) is added to the message in parentheses."""
    tail = f" ({context})" if context else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise BoolsensError(f"{name}={value!r} must be an integer{tail}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "-inf" if minimum is None else str(minimum)
        hi = "inf" if maximum is None else str(maximum)
        raise BoolsensError(f"{name}={value} must lie in [{lo}, {hi}]{tail}")
    return value


def check_device(device: Any, *, name: str = "device") -> Any:
    """None (compute with numba on the CPU) or a usable ``torch.device`` (torch imported only
    when a device is given; CUDA must be available for a CUDA device)."""
    if device is None:
        return None
    try:
        import torch
    except ImportError:
        raise BoolsensError(f"{name}={device!r} needs torch, which is not installed") from None
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise BoolsensError(f"{name}={device!r} is not a torch device (e.g. 'cuda' or 'cpu')") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise BoolsensError(f"{name}={device!r}: CUDA is not available")
    return dev


def check_truth_tables(tables: Any, n: int, *, name: str = "tables") -> np.ndarray:
    """Truth tables on n <= 6 variables given as integers (bit x of the integer is f(x), True = 1),
    each in [0, 2**(2**n)), as a uint64 array of the same shape.

    >>> check_truth_tables([0, 6, 15], 2).tolist()
    [0, 6, 15]
    """
    arr = np.asarray(tables)
    if arr.dtype == object:
        try:
            arr = np.array(tables, dtype=np.uint64)
        except (OverflowError, TypeError, ValueError):
            raise BoolsensError(f"{name} must be integers in [0, 2**{1 << n}) for n={n}") from None
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise BoolsensError(f"{name} has dtype {arr.dtype}; expected integer truth tables (bit x = f(x), True = 1)")
    if arr.dtype.kind == "i" and arr.size and arr.min() < 0:
        raise BoolsensError(f"{name} must be integers in [0, 2**{1 << n}) for n={n}; found {int(arr.min())}")
    arr = arr.astype(np.uint64)
    if n < 6 and arr.size and int(arr.max()) >> (1 << n):
        raise BoolsensError(f"{name} must be integers in [0, 2**{1 << n}) for n={n}; found {int(arr.max())}")
    return arr


def check_flag(value: Any, *, name: str) -> bool:
    """True or False (a Python or numpy bool; not 0/1, not None)."""
    if not isinstance(value, (bool, np.bool_)):
        raise BoolsensError(f"{name}={value!r} must be True or False")
    return bool(value)


def check_sign(value: Any, *, name: str, allow_none: bool = False) -> int | None:
    """+1 or -1 as an integer. Booleans are refused: under this library's convention True is -1,
    so reading True as 1 would silently flip the sign."""
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)):
        raise BoolsensError(f"{name}={value!r} must be +1 or -1 (a bool is ambiguous: True = -1 in "
                            "boolsens' convention; pass -1 or +1)")
    if not isinstance(value, numbers.Integral) or int(value) not in (1, -1):
        allowed = "None, +1 or -1" if allow_none else "+1 or -1"
        raise BoolsensError(f"{name}={value!r} must be {allowed}")
    return int(value)


def check_real(value: Any, *, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite real number (not a bool) in [minimum, maximum]."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise BoolsensError(f"{name}={value!r} must be a real number")
    value = float(value)
    if not np.isfinite(value):
        raise BoolsensError(f"{name}={value!r} must be finite")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        lo = "-inf" if minimum is None else _fmt(minimum)
        hi = "inf" if maximum is None else _fmt(maximum)
        raise BoolsensError(f"{name}={value!r} must lie in [{lo}, {hi}]")
    return value


def check_seed(seed: Any, *, name: str = "seed") -> int | None:
    """None or a non-negative integer (what numpy.random.default_rng accepts)."""
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise BoolsensError(f"{name}={seed!r} must be None or a non-negative integer")
    return int(seed)


def check_positive_int(value: Any, *, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise BoolsensError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)



#: below this many bytes an allocation is not checked against /proc/meminfo (reading it costs
#: more than a small transform) unless BOOLSENS_MEMORY_LIMIT is set
SMALL_BYTES = 1 << 24


def check_memory_fast(nbytes: float, *, what: str) -> None:
    """:func:`check_memory` for sizes that could matter; free for small ones."""
    if nbytes >= SMALL_BYTES or "BOOLSENS_MEMORY_LIMIT" in os.environ:
        check_memory(nbytes, what=what)


def check_p(p: Any, *, name: str = "p") -> float | Fraction | None:
    """None (the uniform measure) or a bias p in the open interval (0, 1): a ``Fraction`` is kept
    (exact results), any other real number becomes a float.

    >>> check_p(Fraction(1, 3)), check_p(0.25), check_p(None)
    (Fraction(1, 3), 0.25, None)
    """
    if p is None:
        return None
    if isinstance(p, Fraction):  # through its integers (denominator > 0): Fraction's comparisons are slow
        if not 0 < p.numerator < p.denominator:
            raise BoolsensError(f"{name}={p!r} must lie in (0, 1): the probability that a coordinate is -1 (True)")
        return p
    elif isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real):
        raise BoolsensError(f"{name}={p!r} must be a real number in (0, 1) (a float or a fractions.Fraction)")
    else:
        value = float(p)
        if not np.isfinite(value):
            raise BoolsensError(f"{name}={p!r} must be finite, in (0, 1)")
    if value is not None and not 0 < value < 1:
        raise BoolsensError(f"{name}={p!r} must lie in (0, 1): the probability that a coordinate is -1 (True)")
    return value


def check_open_unit(value: Any, *, name: str, meaning: str = "") -> float:
    """A real number (not a bool) strictly between 0 and 1, as a float; ``meaning`` (e.g. ``"the
    family-wise error"``) is added to the message.

    >>> check_open_unit(0.05, name="alpha")
    0.05
    """
    tail = f" ({meaning})" if meaning else ""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise BoolsensError(f"{name}={value!r} must be a real number in (0, 1){tail}")
    out = float(value)
    if not 0.0 < out < 1.0:  # NaN fails too
        raise BoolsensError(f"{name}={value!r} must lie in (0, 1){tail}")
    return out
