"""Limits of the core that must be stated, not hit silently."""

import pytest

import boolsens as bs


def test_exact_spectrum_of_a_real_table_refuses_large_n():
    """Rational arithmetic on a real table is pure Python: past its limit it says so, naming n."""
    import numpy as np

    table = np.random.default_rng(0).normal(size=2**17)
    with pytest.raises(bs.BoolsensError, match=r"exact=True on a real-valued table .* n <= 16; got n=17"):
        bs.fourier_coefficients(table, exact=True)


@pytest.mark.parametrize(
    "table",
    [[1.0, float("nan")], [float("inf"), 1.0], [float("inf"), float("-inf")], [1e308, 1e308]],
    ids=["nan", "inf", "inf-minus-inf", "overflow"],
)
def test_fwht_rejects_non_finite_input_and_overflow(table):
    """fwht checks finiteness on its result (out[..., 0] is the sum of the row), so NaN/inf in the
    input and an overflowing transform are both errors, never a silent inf."""
    import numpy as np

    with pytest.raises(bs.BoolsensError, match=r"a contains NaN or inf \(or its transform overflows float64\)"):
        bs.fwht(np.array(table))
