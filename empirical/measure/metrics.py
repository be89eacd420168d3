r"""Measurements of a trained (or random) network on Boolean inputs: the function it computes,
the loss sharpness, the layer-norm blowup, the parameter norm.

Conventions: see :mod:`boolsens` and :mod:`empirical.data.tasks` (models take bits, bit 1 = −1 =
True; a {0,1}-label model output ``out`` reads as the Boolean value +1 where ``out < ½`` and
−1 where ``out >= ½``; its real ±1-scale output is ``g = 1 − 2·out``). Definitions:
``docs/theory.md`` §5.3 and §5.4, after Hahn & Rofin (2024), "Why are Sensitive Functions Hard
for Transformers?", ACL 2024.

* :func:`network_function`: the sign function of the network on the whole cube (a
  :class:`boolsens.BooleanFunction`, via ``bs.BooleanFunction.from_model``) and its real
  ±1-scale output g; every exact measure of :mod:`boolsens` applies to it.
* :func:`loss_sharpness`: Hahn & Rofin's average-direction sharpness
  :math:`L_\rho = E_\Delta[L(\theta+\Delta)] - L(\theta)`, Δ ~ N(0, ε²I) on the non-positional
  parameters, ε = ρ/√P (so ‖Δ‖ ≈ ρ), with fresh noise drawn from ``seed`` at every call;
  perturb-evaluate-restore in place, or the draws batched with ``torch.func.vmap``. (Not the
  weight-noise sharpness ShOp/ShPred of Vasudeva et al. (2025), "Transformers Learn Low
  Sensitivity Functions: Investigations and Implications", ICLR 2025, which is
  :func:`empirical.measure.sensitivity_real.weight_noise_sharpness`.)
* :func:`layer_norm_blowup`: product over LayerNorms of the max over positions of
  1/std(input) (unbiased std, no eps) over the positions each LN computes (the transformer's last
  block runs only at the readout position), averaged over the batch (Hahn & Rofin). Read
  through forward pre-hooks, no copy of the model.
* :func:`parameter_norm`: Euclidean norm of all (or the non-positional) parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

import boolsens as bs
from boolsens import BoolsensError
from boolsens.torch_runtime import eval_mode

__all__ = [
    "encode_signs",
    "SignsOf",
    "network_function",
    "mse_loss",
    "binary_accuracy",
    "non_positional",
    "loss_sharpness",
    "layer_norm_blowup",
    "parameter_norm",
]

#: largest n measured exactly on the whole cube by default
def encode_signs(x: torch.Tensor) -> torch.Tensor:
    """(N, n) int8 ±1 rows (``from_model``'s input) -> (N, n) long bits (−1 -> 1)."""
    return ((1 - x.to(torch.int64)) // 2)


class SignsOf(nn.Module):
    """A network that reads bits, as a ±1 function of ±1 rows: the black box the estimators and
    testers of :mod:`boolsens.estimate` and :mod:`boolsens.testing` query (they pass ±1 rows as
    float tensors on the module's device). Rows go through :func:`encode_signs` (−1 → bit 1) and
    the output is +1 where the network's output is >= 0, else −1 (the sign of a ±1-scale readout).

    >>> SignsOf(lambda bits: 0.5 - bits[:, 0])(torch.tensor([[1.0, -1.0], [-1.0, 1.0]])).tolist()
    [1.0, -1.0]
    """

    def __init__(self, net: Any):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, n) float ±1 rows -> (B,) float ±1: the sign of the network's output on their bits."""
        return torch.where(self.net(encode_signs(x)) >= 0, 1.0, -1.0)


def network_function(model: nn.Module, n: int, *, threshold: float = 0.5, batch_size: int = 512):
    """(BooleanFunction of the network's signs, (2**n,) float64 table of g = 2·(threshold − out)).

    With the default ``threshold=0.5`` (models trained on {0,1} labels) g = 1 − 2·out is the
    prediction on the ±1 scale; ``threshold=0`` reads the sign of the raw output (random
    networks). The Boolean value is +1 where g >= 0.

    >>> import torch
    >>> class First(torch.nn.Module):          # label 1 (True = -1) exactly where x_0 = -1
    ...     def forward(self, bits):
    ...         return bits[:, 0].float()
    >>> f, g = network_function(First(), 3)
    >>> f == bs.dictator(3, 0), g.tolist()[:2]
    (True, [1.0, -1.0])

    Cost: 2**n forward passes in batches of ``batch_size``. Small batches keep the activations
    in cache: for the d = 32 transformer at n = 20 (2**20 inputs, one CPU thread) 512 took about
    half the time of 16384 (bench/bench_training.py: about 20 s for the whole cube).
    """
    return bs.BooleanFunction.from_model(model, n, encode=encode_signs, real=True, batch_size=batch_size,
                                         readout=lambda out: 2.0 * (threshold - out), show_progress=False)


def mse_loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean squared error mean((out − y)²), a scalar tensor."""
    return ((out - y) ** 2).mean()


def binary_accuracy(out: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of points where the prediction (``out >= ½``) matches the {0,1} label ``y``
    (``out``: a network's real outputs on the points, shape of ``y``). Cost O(len(y)).

    >>> binary_accuracy(torch.tensor([0.9, 0.2, 0.4]), torch.tensor([1.0, 0.0, 1.0]))
    0.6666666865348816
    """
    return float(((out >= 0.5).to(y.dtype) == y).float().mean())


def non_positional(model: nn.Module) -> dict[str, torch.Tensor]:
    """Named parameters :func:`loss_sharpness` perturbs: all but the positional embedding."""
    if hasattr(model, "non_positional_parameters"):
        return dict(model.non_positional_parameters())
    return {k: p for k, p in model.named_parameters() if "pos" not in k.split(".")[0]}


def _noise(params: dict[str, torch.Tensor], draws: int, rho: float, seed: int) -> dict[str, torch.Tensor]:
    """Fresh Δ ~ N(0, ε²), ε = ρ/√P, for each parameter: (draws, *shape), drawn on the CPU from
    ``seed`` (so CPU and GPU runs see the same directions)."""
    P = sum(p.numel() for p in params.values())
    eps = rho / np.sqrt(P)
    g = torch.Generator().manual_seed(int(seed))
    return {k: (torch.randn((draws, *p.shape), generator=g) * eps).to(p.device, p.dtype)
            for k, p in params.items()}


@torch.no_grad()
def loss_sharpness(model: nn.Module, bits: torch.Tensor, y: torch.Tensor, *, rho: float, draws: int = 8,
                   seed: int, method: str = "loop", chunk: int | None = 4) -> float:
    r"""Hahn & Rofin's average-direction loss sharpness (``docs/theory.md`` §5.4): L_ρ = mean
    over ``draws`` of L(θ+Δ) − L(θ) (MSE on {0,1} labels), Δ ~ N(0, ε²I) on the non-positional
    parameters with ε = ρ/√P. Every call draws fresh noise from ``seed`` (on the CPU, so every
    device sees the same directions): pass a different seed per measurement. Evaluated in
    evaluation mode (the model's mode is restored).

    ``method="loop"`` adds Δ in place, evaluates and restores the weights from a saved copy
    (bit-exact); ``method="vmap"`` evaluates ``chunk`` draws at once with ``torch.func.vmap``
    over ``functional_call``. Both give the same value for the same seed; on a 2-core CPU the
    loop measured about 2x faster (bench/bench_training.py), so it is the default.

    Cost: ``draws`` forward passes over the batch.
    """
    if rho < 0 or draws < 1:
        raise BoolsensError(f"rho={rho} must be >= 0 and draws={draws} >= 1")
    if method not in ("loop", "vmap"):
        raise BoolsensError(f"method={method!r} must be 'loop' or 'vmap'")
    with eval_mode(model):
        noisy = non_positional(model)
        delta = _noise({k: p.detach() for k, p in noisy.items()}, draws, rho, seed)
        base = float(mse_loss(model(bits), y))
        if method == "loop":
            saved = {k: p.detach().clone() for k, p in noisy.items()}
            total = 0.0
            try:
                for j in range(draws):
                    for k, p in noisy.items():
                        p.add_(delta[k][j])
                    total += float(mse_loss(model(bits), y))
                    for k, p in noisy.items():
                        p.copy_(saved[k])
            finally:
                for k, p in noisy.items():
                    p.copy_(saved[k])
            return total / draws - base
        params = {k: p.detach() for k, p in model.named_parameters()}
        buffers = dict(model.named_buffers())

        def loss_at(d: dict[str, torch.Tensor]) -> torch.Tensor:
            perturbed = {k: (p + d[k]) if k in d else p for k, p in params.items()}
            return mse_loss(torch.func.functional_call(model, (perturbed, buffers), (bits,)), y)

        fused = [m for m in model.modules() if getattr(m, "fused", None) is True]
        for m in fused:   # the fused attention kernel has no vmap batching rule: use the explicit one
            m.fused = False
        try:
            losses = torch.func.vmap(loss_at, chunk_size=chunk)(delta)  # (draws,)
        finally:
            for m in fused:
                m.fused = True
        return float(losses.mean()) - base


@torch.no_grad()
def layer_norm_blowup(model: nn.Module, bits: torch.Tensor) -> dict[str, Any]:
    """Hahn & Rofin's layer-norm blowup on a batch: for each sequence the product over
    LayerNorms of max over positions of 1/std(LN input) (unbiased std, no eps) over the positions
    the LN is applied to (:class:`~empirical.models.BooleanTransformer` applies its last block
    only at the readout position), averaged over the batch.

    Returns ``{"blowup": float, "per_layer": [mean over batch of each LN's max 1/std]}``; a model
    without LayerNorms has blowup 1 (the empty product).
    """
    norms = model.layer_norms() if hasattr(model, "layer_norms") else \
        [m for m in model.modules() if isinstance(m, nn.LayerNorm)]
    captured: list[torch.Tensor] = [None] * len(norms)  # type: ignore[list-item]

    def hook_for(i: int):
        def hook(module, inputs):
            captured[i] = inputs[0].detach()
        return hook

    handles = [ln.register_forward_pre_hook(hook_for(i)) for i, ln in enumerate(norms)]
    try:
        with eval_mode(model):
            model(bits)
    finally:
        for h in handles:
            h.remove()
    per_seq = torch.ones(bits.shape[0], dtype=torch.float64, device=bits.device)  # (B,)
    per_layer = []
    for i, x in enumerate(captured):
        if x is None:
            raise RuntimeError(f"LayerNorm {i} was not called in the forward pass")
        inv = 1.0 / x.to(torch.float64).std(dim=-1, unbiased=True)  # (B, T) or (B,)
        worst = inv.amax(dim=-1) if inv.ndim == 2 else inv  # (B,)
        per_layer.append(float(worst.mean()))
        per_seq = per_seq * worst
    return {"blowup": float(per_seq.mean()), "per_layer": per_layer}


def parameter_norm(model: nn.Module, *, positional: bool = True) -> float:
    """Euclidean norm of all parameters (``positional=False``: without the positional embedding),
    accumulated in float64.

    >>> lin = torch.nn.Linear(2, 1)
    >>> with torch.no_grad():
    ...     _ = lin.weight.copy_(torch.tensor([[3.0, 0.0]])), lin.bias.fill_(4.0)
    >>> parameter_norm(lin)
    5.0
    """
    params = dict(model.named_parameters()) if positional else non_positional(model)
    return float(torch.sqrt(sum((p.detach().double() ** 2).sum() for p in params.values())))
