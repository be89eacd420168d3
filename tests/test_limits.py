"""Limits of the core that must be stated, not hit silently."""

import pytest

import boolsens as bs


def test_exact_spectrum_of_a_real_table_refuses_large_n():
    """Rational arithmetic on a real table is pure Python: past its limit it says so, naming n."""
    import numpy as np

    table = np.random.default_rng(0).normal(size=2**17)
    with pytest.raises(bs.BoolsensError, match=r"exact=True on a real-valued table .* n <= 16; got n=17"):
        bs.fourier_coefficients(table, exact=True)
