r"""Noise stability, noise sensitivity, disagreement and the Proposition 2.2 robustness bound.

Conventions: see :mod:`boolsens`. For a ρ-correlated pair (x, y) (each y_i = x_i with
probability (1+ρ)/2, independently):

.. math:: \mathrm{Stab}_\rho(f) = E[f(x)f(y)] = \sum_k \rho^k W^k(f),\quad
          \Pr_\rho(f) = \Pr[f(x)\neq f(y)] = \tfrac12 - \tfrac12\mathrm{Stab}_\rho(f),

:math:`\mathrm{NS}_\delta(f) = \tfrac12-\tfrac12\mathrm{Stab}_{1-2\delta}(f)` (each bit flipped
with probability δ), and the robustness bound of Proposition 2.2 of Vasudeva et al. (2025),
:math:`\tfrac12(1-\rho^{s(f)^2})`, which bounds Pr_ρ(f) from above for ρ ∈ [0, 1].

``rho`` may be a scalar, an array (the result gets its shape appended: one value per ρ) or a
``fractions.Fraction`` (then ``Stab`` is an exact ``Fraction`` for ±1 tables). Stab_ρ is spectral
and accepts real tables and torch tensors; the other three are Boolean only.

Cost: one transform (O(n 2**n)) per function; each extra ρ costs O(n).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from ._input.table import as_table
from ._input.validation import check_delta, check_p, check_rho, is_torch
from .errors import BoolsensError
from .fourier import fourier_weights
from .pbiased import p_weights, resolve_p
from .sensitivity import sensitivity

__all__ = ["noise_stability", "noise_sensitivity", "disagreement_probability", "robustness_bound"]


def _poly(weights: Any, rho: Any) -> Any:
    """Σ_k rho^k W^k with W (..., n+1) and rho scalar / array / Fraction."""
    n1 = weights.shape[-1]
    if isinstance(rho, Fraction):
        flat = weights.reshape(-1, n1)
        vals = [sum((Fraction(w) * rho**k for k, w in enumerate(row)), Fraction(0)) for row in flat]
        out = np.empty(len(vals), dtype=object)
        out[:] = vals
        return out.reshape(weights.shape[:-1]) if weights.ndim > 1 else vals[0]
    if is_torch(weights):
        import torch

        r = torch.as_tensor(rho, dtype=weights.dtype, device=weights.device)
        powers = r.unsqueeze(-1) ** torch.arange(n1, device=weights.device, dtype=weights.dtype)
        return torch.tensordot(weights, powers, dims=([-1], [-1]))
    r = np.asarray(rho, dtype=np.float64)
    powers = r[..., None] ** np.arange(n1)  # (*R, n+1)
    out = np.tensordot(weights, powers, axes=([-1], [-1]))
    return out.item() if out.ndim == 0 else out


def noise_stability(f: Any, rho: Any, *, p: Any = None) -> Any:
    r"""Stab_ρ(f) = Σ_S ρ^{|S|} f̂(S)²: shape (...) + shape(rho).

    ``p`` (in (0, 1)) gives the p-biased stability
    :math:`\mathrm{Stab}^{(p)}_\rho(f) = \sum_S \rho^{|S|}\hat f_p(S)^2
    = \mathbf E_{\mu_p}[f\,T_\rho f]` (see :mod:`boolsens.pbiased` and
    :func:`boolsens.noise_operator`): an exact ``Fraction`` when both ρ and p are ``Fraction`` s,
    a float when either is a float. None or ½ (float or ``Fraction``) is the uniform measure,
    computed exactly as without it.

    >>> import boolsens as bs
    >>> noise_stability(bs.majority(3), 0.5)
    0.40625
    >>> from fractions import Fraction
    >>> noise_stability(bs.majority(3), Fraction(1, 2))
    Fraction(13, 32)
    >>> noise_stability(bs.majority(3), Fraction(1, 2), p=Fraction(1, 3))
    Fraction(389, 729)
    """
    rho = check_rho(rho)
    t = as_table(f)
    p = check_p(p)
    if p is not None and p != 0.5:  # p-biased; p = ½ is the uniform code below
        exact = isinstance(rho, Fraction) and isinstance(p, Fraction)
        if not exact:  # one float makes the result a float
            p, rho = float(p), (float(rho) if isinstance(rho, Fraction) else rho)
        q, exact = resolve_p(p, exact, t)
        return _poly(p_weights(t, q, exact), rho)
    if isinstance(rho, Fraction) and t.torch:
        raise BoolsensError("an exact Fraction rho needs a numpy table or a BooleanFunction, not a torch tensor")
    return _poly(fourier_weights(t, exact=isinstance(rho, Fraction)), rho)


def _boolean_weights(f: Any, exact: bool):
    t = as_table(f)
    t.require_pm1()
    return fourier_weights(t, exact=exact)


def disagreement_probability(f: Any, rho: Any) -> Any:
    r"""Pr_ρ(f) = Pr[f(x) ≠ f(y)] over ρ-correlated pairs = ½ − ½ Stab_ρ(f). Boolean only.

    >>> import boolsens as bs
    >>> disagreement_probability(bs.parity(3), 0.5)
    0.4375
    """
    rho = check_rho(rho)
    stab = _poly(_boolean_weights(f, isinstance(rho, Fraction)), rho)
    half = Fraction(1, 2) if isinstance(rho, Fraction) else 0.5
    return half - half * stab


def noise_sensitivity(f: Any, delta: Any) -> Any:
    r"""NS_δ(f) = Pr[f(x) ≠ f(y)], y = x with each bit flipped w.p. δ ∈ [0, ½]. Boolean only.

    >>> import boolsens as bs
    >>> noise_sensitivity(bs.dictator(5), 0.1)
    0.1
    """
    delta = check_delta(delta)
    if isinstance(delta, Fraction):
        return disagreement_probability(f, 1 - 2 * delta)
    return disagreement_probability(f, 1.0 - 2.0 * np.asarray(delta, dtype=np.float64) if np.ndim(delta) else 1.0 - 2.0 * float(delta))


def robustness_bound(f: Any, rho: Any) -> Any:
    r"""½(1 − ρ^{s(f)²}), the Proposition 2.2 upper bound on Pr_ρ(f) (valid for ρ ∈ [0, 1]).

    Computed for any ρ ∈ [−1, 1]; for ρ < 0 it is not a bound (MAJ₃ at ρ = −½ exceeds it).
    Boolean only.

    >>> import boolsens as bs
    >>> robustness_bound(bs.majority(3), 0.5)
    0.46875
    """
    rho = check_rho(rho)
    t = as_table(f)
    s = sensitivity(t)
    if isinstance(rho, Fraction):
        if np.ndim(s):
            return np.frompyfunc(lambda v: (1 - rho ** (int(v) ** 2)) / 2, 1, 1)(s)
        return (1 - rho ** (int(s) ** 2)) / 2
    s = np.asarray(s, dtype=np.int64)
    r = np.asarray(rho, dtype=np.float64)
    out = 0.5 * (1.0 - r[(None,) * s.ndim] ** (s[(...,) + (None,) * r.ndim] ** 2).astype(np.float64))
    return t.like_input(out.item() if out.ndim == 0 else out)
