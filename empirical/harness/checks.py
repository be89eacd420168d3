"""Argument checks of empirical's public functions: one function and one message per kind of
value, each naming the argument, its value and what is allowed (``name=value must be …``).

Booleans are refused wherever an integer is asked for (True is not 1 here).

>>> check_count(3, "n_draws"), check_integer(np.int64(2), "p", 2), check_positive(0.5, "sigma"), check_rho(-1)
(3, 2, 0.5, -1.0)
>>> check_count(0, "n_draws")
Traceback (most recent call last):
...
boolsens.errors.BoolsensError: n_draws=0 must be an integer >= 1
"""

from __future__ import annotations

import math

import numpy as np

from boolsens import BoolsensError

__all__ = ["check_count", "check_integer", "check_positive", "check_rho"]


def check_count(value, name: str, minimum: int = 1) -> int:
    """A Python ``int`` (not a bool, not a numpy scalar) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise BoolsensError(f"{name}={value!r} must be an integer >= {minimum}")
    return value


def check_integer(value, name: str, minimum: int = 0) -> int:
    """An integer, Python or numpy (not a bool), >= ``minimum``, returned as ``int``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise BoolsensError(f"{name}={value!r} must be an integer >= {minimum}")
    return int(value)


def check_positive(value, name: str) -> float:
    """A finite real number > 0 (not a bool), returned as ``float``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise BoolsensError(f"{name}={value!r} must be a finite number > 0")
    return float(value)


def check_rho(rho, name: str = "rho") -> float:
    """A correlation: a real number in [-1, 1], returned as ``float``."""
    try:
        value = float(rho)
    except (TypeError, ValueError):
        raise BoolsensError(f"{name}={rho!r} must be a real number in [-1, 1]") from None
    if not -1.0 <= value <= 1.0:
        raise BoolsensError(f"{name}={value} must lie in [-1, 1]")
    return value
