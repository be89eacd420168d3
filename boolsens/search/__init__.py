r"""Searching for extremal Boolean functions: exhaustively over every function of a family on
n <= 5 variables (the census classes when the objective is invariant; the threshold functions up
to n = 6), and by local search over truth tables up to n of about 16.

* :func:`objective` — an exact objective from an expression over named measures
  (``"block_sensitivity/sensitivity"``, ``"deg/s"``), read by a small grammar (nothing is
  executed);
* :func:`exhaustive` — every function of ``all``, ``balanced``, ``threshold``, ``monotone`` or
  ``symmetric``: maximisers, minimisers and the whole distribution (:class:`SearchResult`);
* :func:`local` — hill climbing or simulated annealing with single-flip moves, the change of a
  flip computed incrementally for total influence, sensitivity and the level weights
  (:class:`LocalResult`).

The command line: ``boolsens search --n 5 --maximise "bs/s"`` (:mod:`boolsens.search.command`).
Conventions: see :mod:`boolsens`.
"""

from .exhaustive import FAMILIES, INVARIANCES, MAX_FUNCTIONS, Extremal, SearchResult, exhaustive
from .families import threshold_classes
from .local import LocalResult, local
from .objectives import MEASURE_NAMES, Objective, objective

__all__ = ["exhaustive", "local", "objective", "Objective", "SearchResult", "LocalResult", "Extremal",
           "threshold_classes", "FAMILIES", "INVARIANCES", "MEASURE_NAMES", "MAX_FUNCTIONS"]
