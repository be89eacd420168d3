"""Layer 0 of the core: compiled (numba) kernels over plain arrays.

Nothing here validates its input or imports any other part of :mod:`boolsens`; callers in the
input and measure layers check shapes, dtypes, ranges and memory first (see
``docs/architecture.md``). Conventions: see :mod:`boolsens`.

* :mod:`.bits` — the popcount intrinsic and bit masks shared by the kernels;
* :mod:`.walsh` — the cache-blocked Walsh–Hadamard transform and spectrum sums;
* :mod:`.bitpacked` — bit-packed ±1 tables: influences and sensitivity by popcounts;
* :mod:`.moebius` — the binary Möbius transform (algebraic normal form) and the GF(2) degree on
  bit-packed tables;
* :mod:`.subcube` — block sensitivity, certificate complexity and decision-tree depth over the
  3**n subcubes;
* :mod:`.threshold` — margins of linear threshold functions.
"""

import importlib

__all__ = ["lazy"]


class _Lazy:
    """Stands for a kernel module until first use (see :func:`lazy`)."""

    __slots__ = ("_module", "_owner", "_name")

    def __init__(self, module: str, owner: dict, name: str):
        self._module, self._owner, self._name = module, owner, name

    def __getattr__(self, attr: str):
        module = importlib.import_module(f"{__name__}.{self._module}")
        self._owner[self._name] = module  # the caller's global is now the module itself
        return getattr(module, attr)


def lazy(module: str, owner: dict, name: str) -> object:
    """A stand-in for the kernel module ``boolsens._kernels.<module>``, bound by the caller to the
    global ``owner[name]``: the first attribute read imports the module (and numba with it, which
    is why ``import boolsens`` and the command line's start-up do not pay for numba) and rebinds
    ``owner[name]`` to the module, so every later call reads a plain global and pays nothing.

    >>> owner = {}
    >>> owner["_bits"] = lazy("bits", owner, "_bits")
    >>> owner["_bits"].__name__, type(owner["_bits"]).__name__
    ('boolsens._kernels.bits', 'module')
    """
    return _Lazy(module, owner, name)
