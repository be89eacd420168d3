"""Bad input to the black-box learners and testers (issue 17): each of fourier_coefficients,
fourier_weights, heavy_coefficients, relevant_variables and the four testers gives one clear
BoolsensError naming what is wrong, for outputs outside ±1 where ±1 is needed, the wrong shape,
NaN, a model on another device than the one given (or on no real device), n = 0 and a threshold
outside (0, 1]; real outputs are accepted where the definition allows them."""

import numpy as np
import pytest
import torch

import boolsens as bs
from boolsens.errors import BoolsensError

N = 6

#: name -> (call(fn, n, **kw), whether it needs ±1 outputs)
FUNCTIONS = {
    "fourier_coefficients": (lambda f, n, **kw: bs.estimate.fourier_coefficients(f, n, max_degree=1, samples=64, **kw),
                             False),
    "fourier_weights": (lambda f, n, **kw: bs.estimate.fourier_weights(f, n, max_degree=1, samples=64, **kw), False),
    "heavy_coefficients": (lambda f, n, **kw: bs.estimate.heavy_coefficients(f, n, threshold=0.9, **kw), True),
    "relevant_variables": (lambda f, n, **kw: bs.estimate.relevant_variables(f, n, influence_samples=50, **kw), False),
    "linearity": (lambda f, n, **kw: bs.testing.linearity(f, n, **kw), True),
    "dictator": (lambda f, n, **kw: bs.testing.dictator(f, n, **kw), True),
    "junta": (lambda f, n, **kw: bs.testing.junta(f, n, k=1, **kw), True),
    "monotonicity": (lambda f, n, **kw: bs.testing.monotonicity(f, n, **kw), True),
}


class SignOfLinear(torch.nn.Module):
    """A ±1-valued module with parameters (so it has a device of its own)."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(N, 1)

    def forward(self, x):  # (B, N) float ±1 -> (B,)
        return torch.where(self.lin(x)[:, 0] >= 0, 1.0, -1.0)


def parity(x):
    return x[:, 0] * x[:, 1]


#: case -> (fn, n, extra keyword arguments, pattern the message must contain)
BAD = {
    "wrong-shape": (lambda x: x, N, {}, r"fn returned shape \(\d+, 6\) for \d+ input rows"),
    "nan": (lambda x: np.where(x[:, 0] > 0, np.nan, 1.0), N, {}, r"fn returned \d+ NaN/inf value"),
    "module-nan": (lambda x: torch.full((x.shape[0],), float("nan")), N, {"device": "cpu"},
                   r"the model returned \d+ NaN/inf"),
    "n-zero": (parity, 0, {}, r"n=0 must lie in \[1, "),
    "model-on-cpu-device-meta": (SignOfLinear(), N, {"device": "meta"},
                                 r"device='meta', but the model's parameters are on cpu"),
    "model-on-meta": (SignOfLinear().to("meta"), N, {}, r"model's parameters are on device 'meta'"),
    "device-unavailable": (lambda x: torch.sign(x.sum(-1)), N, {"device": "cuda:7"},
                           r"device='cuda:7' is not available here"),
    "device-not-a-device": (lambda x: torch.sign(x.sum(-1)), N, {"device": "gpu"},
                            r"device='gpu' is not a torch device"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
@pytest.mark.parametrize("name", list(FUNCTIONS), ids=list(FUNCTIONS))
def test_bad_input_one_clear_error(name, case):
    call, _ = FUNCTIONS[name]
    fn, n, kw, pattern = BAD[case]
    if case == "device-unavailable" and torch.cuda.device_count() > 7:
        pytest.skip("this machine has a cuda:7")
    with pytest.raises(BoolsensError, match=pattern):
        call(fn, n, rng=0, **kw)


def half(x):
    return 0.5 * x[:, 0]


@pytest.mark.parametrize("name", list(FUNCTIONS), ids=list(FUNCTIONS))
def test_outputs_outside_pm1(name):
    """Refused, naming the measure and ±1, where the definition needs ±1; accepted otherwise."""
    call, boolean = FUNCTIONS[name]
    if boolean:
        with pytest.raises(BoolsensError, match=r"needs fn to return only \+1 and -1; it returned \d+ other"):
            call(half, N, rng=0)
        with pytest.raises(BoolsensError, match=r"needs fn to return only \+1 and -1"):
            call(lambda x: torch.tanh(x.sum(-1)), N, rng=0, device="cpu")  # a real-valued network
    else:
        call(half, N, rng=0)


@pytest.mark.parametrize("threshold", [0, 0.0, -0.5, 1.5, float("nan"), float("inf"), True, "0.5"])
def test_heavy_coefficients_threshold_outside_unit_interval(threshold):
    with pytest.raises(BoolsensError, match=r"threshold=.* must be a real number in \(0, 1\]"):
        bs.estimate.heavy_coefficients(parity, N, threshold=threshold, rng=0)


def test_heavy_coefficients_threshold_one_allowed():
    """τ = 1 is inside (0, 1]: a parity's coefficient 1 is found."""
    est = bs.estimate.heavy_coefficients(parity, N, threshold=1.0, rng=0)
    assert est.subsets == ((0, 1),) and est.value.tolist() == [1.0]


def test_model_on_its_own_device_runs():
    """The device checks refuse only mismatches: the module on its own device, named or not, runs."""
    m = SignOfLinear()
    a = bs.testing.junta(m, N, k=N, rng=0)
    b = bs.testing.junta(m, N, k=N, rng=0, device="cpu")
    assert a.accepted and b.accepted and a.queries == b.queries
