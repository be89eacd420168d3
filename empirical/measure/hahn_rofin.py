r"""The end-of-training measurements of Hahn & Rofin (2024), "Why are Sensitive Functions Hard for
Transformers?", ACL 2024 (public code, ``lacoco-lab/sensitivity-hardness``), shared by the
experiments ``length-scaling`` and ``random-function-generalization``; their training recipe is
:mod:`empirical.train.hahn_rofin`.

* :func:`sharpness`: the average-direction loss sharpness
  :math:`E_\Delta[L(\theta+\Delta)] - L(\theta)` with Δ ~ N(0, ε² I) on every parameter except the
  positional embedding, ε = 0.02 (an absolute standard deviation per parameter), averaged over
  batches of uniform inputs (``docs/theory.md`` §5.4). Every batch gets **fresh, seeded**
  directions (their code re-creates the noise generator with its default seed for every batch,
  so it reuses the same 10 directions throughout).
* :func:`measure`: that sharpness, the held-out MSE (exact on the whole cube when it is small,
  else fresh uniform batches), the LN blowup (``docs/theory.md`` §5.3, mean over the same points)
  and the parameter norm without the positional embedding. The cube, its labels and the model's
  outputs on it are computed once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np
import torch
from torch import nn

from boolsens import BoolsensError

from ..data.tasks import Target, cube, labels
from ..harness.checks import check_fields
from ..harness.plan import derive_seed
from .metrics import binary_accuracy, layer_norm_blowup, loss_sharpness, mse_loss, non_positional, parameter_norm

__all__ = ["Measurement", "sharpness", "measure", "eval_points", "noise_scale"]


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """End-of-training measurement: their values are ε = 0.02, 10 directions, 1000 batches of 1024,
    keep a run when its eval MSE < 0.001."""

    epsilon: float = 0.02       # standard deviation of the noise on each parameter
    rho: Optional[float] = None  # if set: ε = rho/√P instead (the code's unused ρ-scaled variant); Optional,
    #                              not float | None: the --set parser reads typing.Optional only
    draws: int = 10             # noise directions per batch, fresh for every batch
    batches: int = 20           # batches the sharpness is averaged over
    batch_size: int = 1024
    eval_points: int = 8192     # the eval MSE is exact on the cube when 2**n <= this, else that many fresh points
    max_eval_mse: float = 1e-3  # a run is kept only below this final eval MSE ({0,1} labels)

    def __post_init__(self) -> None:
        check_fields(self, positive=("epsilon", "rho", "max_eval_mse"),
                     counts=("draws", "batches", "batch_size", "eval_points"))


def noise_scale(model: nn.Module, epsilon: float, rho: float | None) -> float:
    """The ‖Δ‖ scale of :func:`empirical.measure.metrics.loss_sharpness` (ε = ρ/√P) for a per-parameter ε."""
    if rho is not None:
        return float(rho)
    P = sum(p.numel() for p in non_positional(model).values())
    return float(epsilon) * math.sqrt(P)


def sharpness(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]], *, epsilon: float = 0.02,
              rho: float | None = None, draws: int, seed: int) -> dict[str, float]:
    r"""Their sharpness averaged over ``batches``: for batch b, the mean over ``draws`` fresh
    directions of L(θ + Δ) − L(θ) (MSE, {0,1} labels), Δ ~ N(0, ε² I) on the non-positional
    parameters (ε = rho/√P when ``rho`` is given); batch b's directions are drawn from
    ``derive_seed(seed, b)``. Returns ``{"value", "stderr"}``: the mean over batches and its standard
    error over batches (``nan`` for one batch).

    >>> import torch
    >>> lin = torch.nn.Linear(3, 1)                  # no positional embedding: all 4 parameters
    >>> x = torch.ones(5, 3); t = lin(x).detach().squeeze(-1)
    >>> class M(torch.nn.Module):
    ...     def __init__(s): super().__init__(); s.lin = lin
    ...     def forward(s, b): return s.lin(b.float()).squeeze(-1)
    >>> r = sharpness(M(), [(x, t)], epsilon=0.1, draws=4000, seed=0)   # E[(Δ·(1,1,1,1))²] = 4·0.01
    >>> abs(r["value"] - 0.04) < 0.004
    True
    """
    if draws < 1 or not batches:
        raise BoolsensError(f"sharpness needs draws >= 1 (got {draws}) and at least one batch")
    scale = noise_scale(model, epsilon, rho)
    values = [loss_sharpness(model, x, t, rho=scale, draws=draws, seed=derive_seed(seed, b))
              for b, (x, t) in enumerate(batches)]
    v = np.asarray(values, dtype=float)
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
    return {"value": float(v.mean()), "stderr": se}


def _measure_batches(target: Target, m: Measurement, seed: int, device: Any,
                     cube_points: tuple[torch.Tensor, torch.Tensor] | None = None) -> tuple[list, bool]:
    """The measurement batches: the whole cube once per batch when 2**n <= batch_size (exact over
    inputs), else ``m.batches`` fresh uniform batches seeded by ``seed``. Also whether exact.
    ``cube_points``: the cube and its labels on ``device`` when the caller has them already."""
    n = target.n
    if (1 << n) <= m.batch_size:
        if cube_points is None:
            bits = cube(n, device)
            cube_points = (bits, labels(target(bits.cpu())).to(device))
        return [cube_points] * m.batches, True
    g = torch.Generator().manual_seed(int(seed))
    out = []
    for _ in range(m.batches):
        bits = torch.randint(0, 2, (m.batch_size, n), generator=g)  # (B, n)
        out.append((bits.to(device), labels(target(bits)).to(device)))
    return out, False


def eval_points(target: Target, m: Measurement, seed: int, device: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """The eval set: the whole cube when 2**n <= ``m.eval_points``, else that many fresh uniform
    points seeded by ``seed``."""
    n = target.n
    if (1 << n) <= m.eval_points:
        bits = cube(n)
    else:
        bits = torch.randint(0, 2, (m.eval_points, n), generator=torch.Generator().manual_seed(int(seed)))
    return bits.to(device), labels(target(bits)).to(device)


@torch.no_grad()
def measure(model: nn.Module, target: Target, m: Measurement, *, seed: int, device: Any = "cpu") -> dict[str, Any]:
    """Their end-of-training measurements of ``model`` on ``target`` under uniform inputs:
    ``eval_mse`` (exact on the cube for small n) and ``kept`` (eval_mse < ``m.max_eval_mse``),
    ``loss_sharpness`` ({0,1}-label MSE scale; ``loss_sharpness_pm1`` = 4× it, the ±1 scale
    their figures plot) with its standard error over batches, the LN ``blowup`` (mean over the
    eval points), ``parameter_norm`` (non-positional), ``blowup_x_norm``."""
    model.eval()
    ebits, ey = eval_points(target, m, derive_seed(seed, "eval"), device)
    out = model(ebits)  # (E,): the one forward pass over the eval points
    eval_mse = float(mse_loss(out, ey))
    batches, exact = _measure_batches(target, m, derive_seed(seed, "batches"), device,
                                      cube_points=(ebits, ey) if (1 << target.n) <= m.eval_points else None)
    sh = sharpness(model, batches, epsilon=m.epsilon, rho=m.rho, draws=m.draws, seed=derive_seed(seed, "sharpness"))
    blow = layer_norm_blowup(model, ebits)["blowup"]
    norm = parameter_norm(model, positional=False)
    return {"eval_mse": eval_mse, "kept": bool(eval_mse < m.max_eval_mse),
            "eval_acc": binary_accuracy(out, ey),
            "loss_sharpness": sh["value"], "loss_sharpness_stderr": sh["stderr"],
            "loss_sharpness_pm1": 4.0 * sh["value"], "loss_sharpness_pm1_stderr": 4.0 * sh["stderr"],
            "blowup": blow, "parameter_norm": norm, "blowup_x_norm": blow * norm, "measured_on_cube": exact}
