"""Experiment modules. Every module in this package is imported here, and registers itself with
:func:`empirical.harness.registry.register`; adding an experiment means adding a module, nothing else
(see :mod:`empirical.harness.registry`). No experiment imports another: what several experiments share
lives outside this package (:mod:`empirical.train.boolean_fit`, :mod:`empirical.train.algorithmic`, ...). A
module that fails to import (a missing optional dependency) is recorded in ``IMPORT_ERRORS``
rather than breaking the other experiments."""

from __future__ import annotations

import importlib
import pkgutil

IMPORT_ERRORS: dict[str, str] = {}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("_"):
        continue
    try:
        importlib.import_module(f"{__name__}.{_info.name}")
    except ImportError as exc:  # an optional dependency is missing: keep the others usable
        IMPORT_ERRORS[_info.name] = f"{type(exc).__name__}: {exc}"
