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

__all__ = ["check_count", "check_integer", "check_positive", "check_rho", "check_nonnegative", "check_interval",
           "check_fields"]


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


def check_nonnegative(value, name: str) -> float:
    """A finite real number >= 0 (not a bool), returned as ``float``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BoolsensError(f"{name}={value!r} must be a finite number >= 0")
    return float(value)


def check_interval(value, name: str, lo: float, hi: float, *, open_lo: bool = False, open_hi: bool = False) -> float:
    """A real number in the interval from ``lo`` to ``hi`` (ends included unless ``open_*``)."""
    ok = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) \
        and (value > lo if open_lo else value >= lo) and (value < hi if open_hi else value <= hi)
    if not ok:
        raise BoolsensError(f"{name}={value!r} must lie in {'(' if open_lo else '['}{lo}, {hi}{')' if open_hi else ']'}")
    return float(value)


_RULES = {
    "counts": lambda v, n: check_count(v, n),
    "counts0": lambda v, n: check_count(v, n, 0),
    "positive": check_positive,
    "nonnegative": check_nonnegative,
    "open_unit": lambda v, n: check_interval(v, n, 0, 1, open_lo=True, open_hi=True),
    "unit": lambda v, n: check_interval(v, n, 0, 1),
    "below_one": lambda v, n: check_interval(v, n, 0, 1, open_hi=True),
    "rhos": check_rho,
}


def check_fields(obj, *, choices: dict | None = None, **rules) -> None:
    """Check fields of a config dataclass by kind: ``counts`` (integers >= 1), ``counts0``
    (integers >= 0), ``positive``, ``nonnegative``, ``open_unit`` ((0, 1)), ``unit`` ([0, 1]),
    ``below_one`` ([0, 1)), ``rhos`` ([-1, 1]), each a tuple of field names; ``choices`` maps a
    field to its allowed values. A tuple-valued field must be non-empty and every entry is
    checked (named ``field[i]``); None passes (an optional setting left out).

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class C:
    ...     steps: int = 5
    ...     ns: tuple = (3, 0)
    >>> check_fields(C(), counts=("steps",))
    >>> check_fields(C(), counts=("ns",))
    Traceback (most recent call last):
    ...
    boolsens.errors.BoolsensError: ns[1]=0 must be an integer >= 1
    """
    for kind, names in rules.items():
        if kind not in _RULES:
            raise TypeError(f"check_fields: unknown kind {kind!r}")
        for name in names:
            for label, value in _entries(obj, name):
                _RULES[kind](value, label)
    for name, allowed in (choices or {}).items():
        allowed = tuple(allowed)
        for label, value in _entries(obj, name):
            if value not in allowed:
                raise BoolsensError(f"{label}={value!r} must be one of {', '.join(map(repr, allowed))}")


def _entries(obj, name: str) -> list:
    value = getattr(obj, name)
    if value is None:
        return []
    if isinstance(value, (tuple, list)):
        if not value:
            raise BoolsensError(f"{name}=() must hold at least one value")
        return [(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return [(name, value)]
