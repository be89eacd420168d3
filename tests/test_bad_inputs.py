"""One table of bad arguments: each must raise ``bs.BoolsensError`` with a message that names the
argument or value and what is allowed (checked with a regex)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import boolsens as bs

torch = pytest.importorskip("torch")

BF = bs.BooleanFunction
MAJ3 = bs.majority(3)
NOT_PM1 = np.array([1, 0, -1, 1])  # a real table: fine for spectral measures, not for Boolean ones
NOT_PM1_RE = r"f must contain only \+1 and -1 .*found 1 other value\(s\), e\.g\. \[0\]"
SMALL_MEMORY = "1000000"  # BOOLSENS_MEMORY_LIMIT for every row (1 MB): only the big cases hit it


class _WideModel(torch.nn.Module):
    def forward(self, x):  # (N, n) -> (N, 2): one output too many
        return torch.zeros(x.shape[0], 2)


# (id, call, regex) -- the regex must name the argument/value and what is allowed
CASES = [
    # ---- table length
    ("fwht-length-12", lambda: bs.fwht(np.ones(12)), r"a of length 12 is not a power of two"),
    ("influences-length-3", lambda: bs.influences([1, -1, 1]), r"f of length 3 is not a power of two"),
    ("batch-last-axis-6", lambda: bs.fourier_weights(np.ones((2, 6))), r"f \(last axis\) of length 6 is not a power of two"),
    ("from_signs-length-6", lambda: BF.from_signs(np.ones(6)), r"signs of length 6 is not a power of two"),
    ("from_bits-length-5", lambda: BF.from_bits([0, 1, 0, 1, 1]), r"length 5 is not a power of two"),
    # ---- empty
    ("fwht-empty", lambda: bs.fwht(np.array([])), r"a is empty"),
    ("total_influence-empty", lambda: bs.total_influence([]), r"f is empty"),
    ("from_signs-empty", lambda: BF.from_signs([]), r"signs is empty"),
    ("from_bits-empty-string", lambda: BF.from_bits(""), r"bits='' must be a non-empty string of 0 and 1"),
    # ---- not ±1 for Boolean-only measures
    ("pointwise_sensitivity-not-pm1", lambda: bs.pointwise_sensitivity(NOT_PM1), NOT_PM1_RE),
    ("sensitivity-not-pm1", lambda: bs.sensitivity(NOT_PM1), NOT_PM1_RE),
    ("average_sensitivity-not-pm1", lambda: bs.average_sensitivity(NOT_PM1), NOT_PM1_RE),
    ("block_sensitivity-not-pm1", lambda: bs.block_sensitivity(NOT_PM1), NOT_PM1_RE),
    ("certificate_complexity-not-pm1", lambda: bs.certificate_complexity(NOT_PM1), NOT_PM1_RE),
    ("decision_tree_depth-not-pm1", lambda: bs.decision_tree_depth(NOT_PM1), NOT_PM1_RE),
    ("noise_sensitivity-not-pm1", lambda: bs.noise_sensitivity(NOT_PM1, 0.1), NOT_PM1_RE),
    ("disagreement-not-pm1", lambda: bs.disagreement_probability(NOT_PM1, 0.5), NOT_PM1_RE),
    ("robustness_bound-not-pm1", lambda: bs.robustness_bound(NOT_PM1, 0.5), NOT_PM1_RE),
    ("sensitivity-float-0.5", lambda: bs.sensitivity(np.array([1.0, 0.5])), r"f must contain only \+1 and -1.*\[0\.5\]"),
    ("sensitivity-torch-not-pm1", lambda: bs.sensitivity(torch.tensor([1.0, 3.0])), r"f must contain only \+1 and -1.*\[3\.0\]"),
    ("from_signs-2", lambda: BF.from_signs([1, 2, 1, -1]), r"signs must contain only \+1 and -1.*\[2\]"),
    ("from_bits-2", lambda: BF.from_bits([0, 2]), r"bits must contain only 0 and 1; found \[2\]"),
    # ---- NaN / inf
    ("fourier-nan", lambda: bs.fourier_coefficients([1.0, np.nan]), r"f contains NaN or inf"),
    ("influences-inf", lambda: bs.influences([np.inf, 1.0]), r"f contains NaN or inf"),
    ("fwht-torch-nan", lambda: bs.fwht(torch.tensor([1.0, float("nan")])), r"a contains NaN or inf"),
    ("stability-rho-nan", lambda: bs.noise_stability(MAJ3, float("nan")), r"rho=nan must be finite"),
    ("stability-rho-inf", lambda: bs.noise_stability(MAJ3, np.inf), r"rho=inf must be finite"),
    ("noise_sensitivity-delta-nan", lambda: bs.noise_sensitivity(MAJ3, np.nan), r"delta=nan must be finite"),
    # ---- rho outside [-1, 1]
    ("stability-rho-1.5", lambda: bs.noise_stability(MAJ3, 1.5), r"rho=1\.5 must lie in \[-1, 1\]"),
    ("stability-rho-array", lambda: bs.noise_stability(MAJ3, np.array([0.5, -1.25])), r"rho=-1\.25 must lie in \[-1, 1\]"),
    ("stability-rho-fraction", lambda: bs.noise_stability(MAJ3, Fraction(3, 2)), r"rho=3/2 must lie in \[-1, 1\]"),
    ("disagreement-rho--1.01", lambda: bs.disagreement_probability(MAJ3, -1.01), r"rho=-1\.01 must lie in \[-1, 1\]"),
    ("robustness-rho-2", lambda: bs.robustness_bound(MAJ3, 2), r"rho=2 must lie in \[-1, 1\]"),
    ("stability-rho-string", lambda: bs.noise_stability(MAJ3, "0.5"), r"rho='0\.5' must be a real number"),
    ("stability-rho-bool", lambda: bs.noise_stability(MAJ3, True), r"rho=True must be a real number"),
    ("stability-rho-complex", lambda: bs.noise_stability(MAJ3, 0.5j), r"rho=0\.5j must be a real number"),
    ("stability-torch-fraction-rho", lambda: bs.noise_stability(torch.tensor([1.0, -1.0]), Fraction(1, 2)), r"(?i)torch"),
    # ---- delta outside [0, 1/2]
    ("noise_sensitivity-delta-0.6", lambda: bs.noise_sensitivity(MAJ3, 0.6), r"delta=0\.6 must lie in \[0, 0\.5\]"),
    ("noise_sensitivity-delta--0.1", lambda: bs.noise_sensitivity(MAJ3, -0.1), r"delta=-0\.1 must lie in \[0, 0\.5\]"),
    ("noise_sensitivity-delta-fraction", lambda: bs.noise_sensitivity(MAJ3, Fraction(3, 4)), r"delta=3/4 must lie in \[0, 0\.5\]"),
    # ---- coordinate i outside [0, n)
    ("influence-i-3-of-3", lambda: bs.influence(MAJ3, 3), r"i=3 must lie in \[0, 3\)"),
    ("influence-i--1", lambda: bs.influence(MAJ3, -1), r"i=-1 must lie in \[0, 3\)"),
    ("influence-i-float", lambda: bs.influence(MAJ3, 1.0), r"i=1\.0 must be an integer coordinate in \[0, 3\)"),
    ("dictator-i-5-of-3", lambda: bs.dictator(3, i=5), r"i=5 must lie in \[0, 3\)"),
    ("sparse_parity-element-7", lambda: bs.sparse_parity(4, [1, 7]), r"element of S=7 must lie in \[0, 4\)"),
    # ---- n too large for memory (BOOLSENS_MEMORY_LIMIT is 1 MB in this test)
    ("parity-n34-memory", lambda: bs.parity(34), r"n=34 .*needs about 48\.0 GiB but only 976\.6 KiB is available"),
    ("majority-n25-memory", lambda: bs.majority(25), r"n=25 .*needs about 96\.0 MiB but only 976\.6 KiB"),
    ("from_callable-n24-memory", lambda: BF.from_callable(24, lambda x: np.ones(len(x))), r"n=24 needs about 144\.0 MiB"),
    ("fwht-n18-memory", lambda: bs.fwht(np.ones(1 << 18)), r"n=18 .*needs about 2\.0 MiB"),
    ("parity-n41", lambda: bs.parity(41), r"n=41 must lie in \[1, 34\]"),
    ("parity-n-negative", lambda: bs.parity(-1), r"n=-1 must lie in \[1, 34\]"),
    ("parity-n-float", lambda: bs.parity(2.5), r"n=2\.5 must be an integer"),
    # ---- callables and models
    ("from_callable-shape", lambda: BF.from_callable(2, lambda x: np.ones((len(x), 1))), r"fn returned shape \(4, 1\) for 4 input rows; expected \(4,\)"),
    ("from_callable-zeros", lambda: BF.from_callable(2, lambda x: np.zeros(len(x))), r"fn output must contain only \+1 and -1.*\[0\.0"),
    ("from_callable-bools", lambda: BF.from_callable(2, lambda x: x[:, 0] > 0), r"fn must return ±1 numbers; got dtype bool"),
    ("from_model-output-shape", lambda: BF.from_model(_WideModel(), 2), r"model output has shape \(4, 2\) for 4 inputs.*readout="),
    # ---- from_fourier of coefficients of a non-Boolean function
    ("from_fourier-float", lambda: BF.from_fourier([0.5, 0.5, 0.0, 0.0]), r"coeffs give f\(x=1\) = 0\.0.*away from ±1"),
    ("from_fourier-fraction-non-integer", lambda: BF.from_fourier(np.array([Fraction(1, 3), Fraction(0)], dtype=object)), r"coeffs do not describe a Boolean function"),
    ("from_fourier-fraction-values", lambda: BF.from_fourier(np.array([Fraction(1, 2), Fraction(1, 2)], dtype=object)), r"coeffs give values \[0\] at x=\[1\]"),
    ("from_fourier-length-3", lambda: BF.from_fourier([1.0, 0.0, 0.0]), r"coeffs of length 3 is not a power of two"),
    # ---- boolean dtype must go through from_bits
    ("total_influence-bool-array", lambda: bs.total_influence(np.array([True, False])), r"f has dtype bool; map bits to signs with BooleanFunction\.from_bits"),
    ("fwht-bool-array", lambda: bs.fwht(np.zeros(4, dtype=bool)), r"a has dtype bool.*from_bits"),
    ("sensitivity-torch-bool", lambda: bs.sensitivity(torch.zeros(4, dtype=torch.bool)), r"f has dtype torch\.bool.*from_bits"),
    ("from_signs-bool-array", lambda: BF.from_signs(np.array([True, False])), r"signs has dtype bool.*from_bits"),
    # ---- other nonsense tables
    ("fwht-complex", lambda: bs.fwht(np.ones(4, dtype=complex)), r"a has dtype complex128; expected real numbers"),
    ("fwht-strings", lambda: bs.fwht(np.array(["a", "b"])), r"a has dtype <U1; expected real numbers"),
    ("influences-scalar", lambda: bs.influences(1.0), r"f is a scalar; expected a table whose last axis has length 2\*\*n"),
    ("fwht-int32-overflow", lambda: bs.fwht(np.full(4, 2**30, dtype=np.int32)), r"int32 table with max\|a\|=1073741824 on n=2.*beyond int32"),
    ("ifwht-not-divisible", lambda: bs.ifwht(np.array([1, 0])), r"ifwht of an integer table needs fwht\(a\) divisible by 2\*\*1"),
    # ---- families
    ("majority-even-no-tie", lambda: bs.majority(4), r"majority\(n=4\) has ties for even n; pass tie=\+1 or tie=-1"),
    ("majority-tie-0", lambda: bs.majority(4, tie=0), r"tie=0 must be None, \+1 or -1"),
    ("threshold-tie", lambda: bs.threshold([1, 1]), r"threshold has a tie at x=1 .*pass tie=\+1 or tie=-1"),
    ("rubinstein-odd-k", lambda: bs.rubinstein(3), r"rubinstein\(k=3\) needs an even k"),
    ("random_function-p", lambda: bs.random_function(3, p=1.5, seed=0), r"p=1\.5 must lie in \[0, 1\]"),
    ("random_function-rng-and-seed", lambda: bs.random_function(3, rng=np.random.default_rng(0), seed=0), r"pass rng or seed, not both"),
    ("constant-value-0", lambda: bs.constant(3, 0), r"value=0 must be \+1 or -1"),
]


@pytest.mark.parametrize("call, pattern", [(c, p) for _, c, p in CASES], ids=[i for i, _, _ in CASES])
def test_bad_input_raises_clear_error(call, pattern, monkeypatch):
    monkeypatch.setenv("BOOLSENS_MEMORY_LIMIT", SMALL_MEMORY)
    with pytest.raises(bs.BoolsensError, match=pattern):
        call()


def test_case_ids_are_unique():
    ids = [i for i, _, _ in CASES]
    assert len(ids) == len(set(ids))
