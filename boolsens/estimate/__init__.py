r"""Monte-Carlo estimators with standard errors, for n too large to enumerate or for black boxes.

Conventions: see :mod:`boolsens` (a point is a row of ±1, True = −1; a ρ-correlated pair has
x uniform and, independently, y_i = x_i with probability (1+ρ)/2, else −x_i).

The package: :mod:`.estimators` (the estimators below), :mod:`.evaluator` (the black-box
evaluator that calls ``fn`` and checks what it returns, shared with
:meth:`BooleanFunction.from_model`), :mod:`.sampling` (the random points, the generator, the
running moments) and :mod:`.result` (:class:`Estimate`).

What can be estimated
---------------------
=============================  ==========================================================  =======
function                       estimates                                                   outputs
=============================  ==========================================================  =======
``mean``                      E[f(x)] = f̂(∅)                                              real
``influence``, ``influences``  Inf_i = E[((f(x) − f(x^{⊕i}))/2)²] (one i / several / all)  real
``total_influence``            I(f) = Σ_i Inf_i                                             real
``noise_stability``            Stab_ρ = E[f(x) f(y)], (x, y) ρ-correlated                  real
``disagreement_probability``   Pr_ρ = Pr[f(x) ≠ f(y)], (x, y) ρ-correlated                  ±1
``noise_sensitivity``          NS_δ = Pr[f(x) ≠ f(y)], y = x with each bit flipped w.p. δ   ±1
=============================  ==========================================================  =======

Every estimator is an average of independent, identically distributed per-sample values, so it
is unbiased, and its standard error is the sample standard deviation (ddof = 1) over √samples.
For a target standard error ε you need about ``samples = Var / ε²`` where Var is the per-sample
variance quoted in each docstring; for the Boolean probabilities Var ≤ ¼, so
``samples = 1 / (4 ε²)`` always suffices (ε = 0.001 needs 250,000 samples).

The function ``fn``
-------------------
* a callable on numpy arrays: it receives a read-only (N, n) int8 array of ±1 rows and returns N
  values (numpy array, list or torch tensor);
* a ``torch.nn.Module``, or any callable when ``device=`` is given: it receives an (N, n) float32
  tensor of ±1 on the module's device (its first parameter's, else ``device``, else the CPU) and is
  called under ``torch.no_grad()`` in eval mode (its previous mode is restored afterwards);
* a :class:`~boolsens.BooleanFunction` or a (2**n,) truth table (numpy or torch; real values are
  allowed for the spectral measures): handy for checking an estimate against the exact value.
  ``n`` may then be omitted.

The output must have shape (N,) or (N, 1) (the trailing axis of size 1 of a ``Linear(d, 1)``
readout is dropped, as in :meth:`BooleanFunction.from_model`); anything else is an error, and so is
a non-finite or non-numeric value. The Boolean estimators (``disagreement_probability``,
``noise_sensitivity``) require every output to be exactly +1 or −1; take the sign yourself
(``lambda x: np.where(g(x) >= 0, 1, -1)``) if ``g`` is real-valued.

Randomness, memory, cost
------------------------
Pass ``rng``: an integer seed, a ``numpy.random.Generator``, or None (the default), as elsewhere
in boolsens. With an integer the seed is recorded in :attr:`Estimate.seed`; with None a fresh seed
is drawn from the OS and recorded, so every run can be repeated. (``seed=`` is a deprecated alias
of an integer ``rng``, to be removed in boolsens 0.3.) The random
points are drawn in chunks whose size depends only on n (about 2**20 coordinates per chunk), so the
same seed gives the same value whatever ``batch_size`` is and whether ``fn`` is a numpy callable,
a torch module or a table computing the same function. ``batch_size`` bounds the number of rows
passed to ``fn`` in one call (default ``min(65536, 2**22 // n)`` for numpy callables and tables,
``min(4096, 2**22 // n)`` for torch; lower it for large models). Memory is O(2**20 + batch_size·n)
entries, independent of ``samples``. The cost is the number of rows evaluated, reported as
:attr:`Estimate.evaluations`, plus O(n) random numbers per sample. ``show_progress`` draws a progress bar
on stderr (see :mod:`boolsens.progress`).

>>> import boolsens as bs
>>> est = bs.estimate.total_influence(bs.majority(7), samples=20_000, rng=1)
>>> abs(est.value - bs.total_influence(bs.majority(7))) < 4 * est.stderr
True
>>> lo, hi = est.ci(1.96)
>>> lo < est.value < hi
True
"""

from .estimators import (
    disagreement_probability,
    influence,
    influences,
    mean,
    noise_sensitivity,
    noise_stability,
    total_influence,
)
from .evaluator import MAX_ESTIMATE_N
from .result import Estimate
# which inputs matter: the adaptive witness search
from .relevance import RelevantVariables, relevant_variables
from .spectrum import (SpectrumEstimate, WeightEstimate, fourier_coefficients, fourier_weights, heavy_coefficients,
                       heavy_samples)

__all__ = [
    "Estimate",
    "mean",
    "influence",
    "influences",
    "total_influence",
    "noise_stability",
    "disagreement_probability",
    "noise_sensitivity",
    # which inputs matter
    "relevant_variables",
    "RelevantVariables",
    # learning the spectrum (boolsens.estimate.spectrum)
    "SpectrumEstimate",
    "WeightEstimate",
    "fourier_coefficients",
    "fourier_weights",
    "heavy_coefficients",
    "heavy_samples",
]
