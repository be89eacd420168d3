"""Layer 1 of the core: argument validation and the one internal table value.

* :mod:`.validation` — named validators of scalar arguments (n, i, ρ, δ, counts) and the memory
  check made before any large allocation;
* :mod:`.table` — :func:`~.table.as_table`, which every public measure calls once on its
  argument, and :class:`~.table.Table`, the validated value the inner layers take as given.

Imports only :mod:`boolsens._kernels` and :mod:`boolsens.errors`.
"""
