"""Layer 0 of the core: compiled (numba) kernels over plain arrays.

Nothing here validates its input or imports any other part of :mod:`boolsens`; callers in the
input and measure layers check shapes, dtypes, ranges and memory first (see
``docs/architecture.md``). Conventions: see :mod:`boolsens`.

* :mod:`.bits` — the popcount intrinsic and bit masks shared by the kernels;
* :mod:`.walsh` — the cache-blocked Walsh–Hadamard transform and spectrum sums;
* :mod:`.bitpacked` — bit-packed ±1 tables: influences and sensitivity by popcounts;
* :mod:`.subcube` — block sensitivity, certificate complexity and decision-tree depth over the
  3**n subcubes;
* :mod:`.threshold` — margins of linear threshold functions.
"""
