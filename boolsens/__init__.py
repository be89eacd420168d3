r"""boolsens: exact, fast analysis of Boolean functions on the cube {±1}^n.

Conventions (binding for every function, test and doc of this package)
-----------------------------------------------------------------------
* A point of the cube is an integer index ``x`` in ``[0, 2**n)``; coordinate ``i`` (0-based) is
  bit ``i`` of the index, and bit b maps to the sign ``(-1)**b``: bit 0 ↔ +1, bit 1 ↔ −1.
  **True = −1** (O'Donnell's convention): ``BooleanFunction.from_bits`` maps 0/False → +1 and
  1/True → −1.
* A Boolean function is a length-``2**n`` table of ±1; a real-valued function a table of floats.
  Every measure takes a ``BooleanFunction`` or a ``(..., 2**n)`` array (leading axes: a batch).
* A subset S ⊆ [n] is an integer bitmask; χ_S(x) = (−1)^popcount(S & x) and
  f̂(S) = 2^−n Σ_x f(x) χ_S(x). ``fwht`` (Sylvester order, unnormalised) of a table is 2^n f̂;
  for ±1 tables it is an integer and is computed exactly.
* A ρ-correlated pair: x uniform, y_i = x_i with probability (1+ρ)/2, independently.

The definitions, every claim ``proofs_check`` verifies and the references are in
``docs/theory.md``; the layers of the code (which module may import which) in
``docs/architecture.md``.
"""

from .errors import BoolsensError
from .census import census, census_chunk, census_chunk_count, npn_canonical, table_measures, tables_to_signs
from .complexity import block_sensitivity, certificate_complexity, decision_tree_depth
from .cube import cube_points
from .families import (
    address,
    conjunction,
    constant,
    dictator,
    disjunction,
    inner_product,
    majority,
    parity,
    random_function,
    rubinstein,
    sparse_parity,
    threshold,
    tribes,
)
from .gf2 import anf, gf2_degree
from .fourier import degree, fourier_coefficients, fourier_weights, walsh_spectrum
from .function import BooleanFunction
from .influence import average_sensitivity, influence, influences, normalized_sensitivity, total_influence
from .restriction import derivative, restrict
from .multilinear import multilinear_extension
from .erasure import erasure_moment
from .noise import disagreement_probability, noise_sensitivity, noise_stability, robustness_bound
from .pbiased import noise_operator, pivotal_probability
from .sensitivity import pointwise_sensitivity, sensitivity
from .sensitivity import min_sensitivity, pointwise_sensitivity, sensitivity
from .fractional import fractional_block_sensitivity
from .approximate_degree import approximate_degree, approximate_degree_symmetric, approximation_error
from .spectral import fourier_entropy, fourier_sparsity, is_bent, nonlinearity, spectral_norm
from .cryptographic import absolute_indicator, autocorrelation, correlation_immunity, resiliency
from .structure import chow_parameters, is_monotone, is_symmetric, relevant_variables
from .linear_threshold import is_threshold, threshold_representation
from .transforms import fwht, ifwht
from . import estimate
from . import testing

__version__ = "0.1.0"

__all__ = [
    "BoolsensError",
    "BooleanFunction",
    "__version__",
    # transforms and spectrum
    "fwht",
    "ifwht",
    "walsh_spectrum",
    "fourier_coefficients",
    "fourier_weights",
    "degree",
    # spectral and cryptographic
    "spectral_norm",
    "fourier_sparsity",
    "fourier_entropy",
    "nonlinearity",
    "is_bent",
    "correlation_immunity",
    "resiliency",
    "autocorrelation",
    "absolute_indicator",
    # structure
    "chow_parameters",
    "relevant_variables",
    "is_monotone",
    "is_symmetric",
    "threshold_representation",
    "is_threshold",
    # influence and sensitivity
    "influence",
    "influences",
    "total_influence",
    "normalized_sensitivity",
    "average_sensitivity",
    "pointwise_sensitivity",
    "sensitivity",
    "block_sensitivity",
    "certificate_complexity",
    "decision_tree_depth",
    # one-sided, minimum and fractional measures; approximate degree (linear programming)
    "min_sensitivity",
    "fractional_block_sensitivity",
    "approximate_degree",
    "approximate_degree_symmetric",
    "approximation_error",
    # noise
    "noise_stability",
    "noise_sensitivity",
    "disagreement_probability",
    "robustness_bound",
    # p-biased analysis (the keyword p of the measures above, and these two)
    "pivotal_probability",
    "noise_operator",
    # GF(2) and restrictions
    "anf",
    "gf2_degree",
    "restrict",
    # multilinear extension and erasure noise
    "multilinear_extension",
    "erasure_moment",
    "derivative",
    # families
    "parity",
    "majority",
    "dictator",
    "conjunction",
    "disjunction",
    "tribes",
    "inner_product",
    "address",
    "threshold",
    "sparse_parity",
    "rubinstein",
    "random_function",
    "constant",
    # the census of every function on n <= 5
    "census",
    "census_chunk",
    "census_chunk_count",
    "npn_canonical",
    "table_measures",
    "tables_to_signs",
    # helpers
    "cube_points",
    "estimate",
    "testing",
    "search",
]


def __getattr__(name: str):
    """``bs.search`` is imported on first use (it loads the census's further columns), so
    ``import boolsens`` stays fast."""
    if name == "search":
        import importlib

        return importlib.import_module(f"{__name__}.search")
    raise AttributeError(f"module 'boolsens' has no attribute {name!r}")
