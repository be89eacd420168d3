r"""Property testers with stated guarantees: linearity, dictatorship, juntas and monotonicity of a
black box from a few queries, independent of 2**n (O'Donnell, *Analysis of Boolean Functions*,
ch. 1 and 7; Blais 2009; Goldreich et al. 2000).

Conventions: see :mod:`boolsens` (a point is a row of ±1, True = −1) and, for ``fn``, ``rng``,
``batch_size``, ``device`` and ``show_progress``, :mod:`boolsens.estimate`: ``fn`` is a numpy
callable on (N, n) int8 rows, a torch module (evaluated on its device, in eval mode, in batches),
a :class:`~boolsens.BooleanFunction` or a truth table, and must return only ±1 (a clear error
otherwise). The *distance* between f and g is :math:`\Pr_x[f(x) \neq g(x)]`; f is *eps-far* from a
property when it is at distance ≥ eps from every ±1 function with it.

Every tester has **one-sided error**: it accepts every function with the property with
probability 1, and when it rejects it returns the *witness*, the queried points that prove the
property fails. A function eps-far from the property is rejected with probability ≥ 1 − delta
(``delta=None``: 1/3, the textbook 2/3); the number of rounds comes from the theorem named in each
docstring, and ``queries`` counts the rows evaluated.

=========================  =========================================  ==============================
tester                     property                                   queries (delta = 1/3)
=========================  =========================================  ==============================
``linearity``              f = χ_S for some S (BLR)                   3⌈ln 3/eps⌉
``dictator``               f = x_i for some i                         6⌈ln 3/min(eps, 3/64)⌉
``junta``                  f depends on ≤ k inputs                    ≤ (k+1)(2⌈ln(3(k+1))/eps⌉ + ⌈log2 n⌉)
``monotonicity``           x ≤ y ⇒ f(x) ≤ f(y) (−1 < +1)             2⌈n ln 3/eps⌉
=========================  =========================================  ==============================

>>> import boolsens as bs
>>> res = bs.testing.linearity(bs.parity(10), eps=0.1, rng=0)
>>> res.accepted, res.queries
(True, 33)
"""

from .junta import junta
from .linearity import dictator, linearity
from .monotonicity import monotonicity
from .result import TestResult

__all__ = ["linearity", "dictator", "junta", "monotonicity", "TestResult"]
