"""The limits and ``want`` bits of the census kernels (:mod:`.census`), without numba: the census
module reads them at import, and importing :mod:`boolsens` must not load numba (it loads on the
first kernel call)."""

__all__ = ["MAX_CANONICAL_N", "MAX_MEASURE_N", "WANT_SENSITIVITY", "WANT_SPECTRUM", "WANT_CERTIFICATE",
           "WANT_DEPTH", "WANT_BLOCK"]

#: largest n of the group kernels (a table must fit in 64 bits)
MAX_CANONICAL_N = 6
#: largest n of the measure kernels (3-bit sensitivity counters, 32-bit up-set lookup)
MAX_MEASURE_N = 5

#: bits of the ``want`` argument of the measure kernels
WANT_SENSITIVITY = 1  # s and the number of sensitive edges
WANT_SPECTRUM = 2  # degree, level sums, Σ f
WANT_CERTIFICATE = 4
WANT_DEPTH = 8
WANT_BLOCK = 16  # block sensitivity (computes s and C as well)
