"""BooleanFunction.from_model and from_fourier: inputs they cannot use end in one BoolsensError
naming the argument, not in torch's or fractions' own errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from boolsens import BooleanFunction, BoolsensError


def test_from_model_with_the_wrong_input_width_names_n_and_encode():
    torch = pytest.importorskip("torch")
    with pytest.raises(BoolsensError, match=r"shape \(16, 4\) \(n=4\).*n=4 is the model's input width.*encode="):
        BooleanFunction.from_model(torch.nn.Linear(3, 1), 4)
    assert BooleanFunction.from_model(torch.nn.Linear(3, 1), 3).n == 3


@pytest.mark.parametrize("coeffs, bad", [
    (np.array([Fraction(1, 2), "1/2", Fraction(1, 2), Fraction(-1, 2)], dtype=object), "coeffs[1]='1/2'"),
    ([Fraction(1, 2), "x", Fraction(1, 2), Fraction(1, 2)], "coeffs[1]='x'"),
    ([Fraction(1, 2), None, Fraction(1, 2), Fraction(1, 2)], "coeffs[1]=None"),
], ids=["fraction-text", "word", "none"])
def test_from_fourier_refuses_non_numbers(coeffs, bad):
    with pytest.raises(BoolsensError, match="must be a number") as info:
        BooleanFunction.from_fourier(coeffs)
    assert bad in str(info.value)


def test_from_fourier_of_exact_fractions_still_works():
    f = BooleanFunction.from_fourier([Fraction(1, 2), Fraction(1, 2), Fraction(1, 2), Fraction(-1, 2)])
    assert f.signs.tolist() == [1, 1, 1, -1]
