r"""The training recipe and the end-of-training measurements of Hahn & Rofin (2024), "Why are
Sensitive Functions Hard for Transformers?", ACL 2024, shared by the experiments
``length-scaling`` and ``random-function-generalization`` (and by nothing else).

Their recipe (public code, ``lacoco-lab/sensitivity-hardness``): bit tokens, a token embedding
concatenated with a learned positional embedding, a post-LN encoder of 2 layers and 2 heads with
MLP width equal to the model width, PyTorch's default initialisation, a linear readout at the last
position, MSE on {0,1} labels, AdamW with weight decay 0.1, a **fixed** number of steps (no stop
at convergence), then the measurements:

* :func:`sharpness`: the average-direction loss sharpness
  :math:`E_\Delta[L(\theta+\Delta)] - L(\theta)` with Δ ~ N(0, ε² I) on every parameter except the
  positional embedding, ε = 0.02 (an absolute standard deviation per parameter), averaged over
  batches of uniform inputs (``docs/theory.md`` §5.4). Every batch gets **fresh, seeded**
  directions (their code re-creates the noise generator with its default seed for every batch,
  so it reuses the same 10 directions throughout).
* :func:`measure`: that sharpness, the held-out MSE (exact on the whole cube when it is small,
  else fresh uniform batches), the LN blowup (``docs/theory.md`` §5.3, mean over the same points)
  and the parameter norm without the positional embedding.

:class:`StagedUnit` lets one unit run several trainings in order (fit, then retrain on what the
fit produced) through the unit's one checkpoint, so that a killed unit resumes to the same numbers.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
from torch import nn

from boolsens import BoolsensError
from boolsens.cube import index_to_bits

from .checks import check_fields
from .metrics import layer_norm_blowup, loss_sharpness, mse_loss, non_positional, parameter_norm
from .models import build_model
from .tasks import Target, labels
from .training import TrainResult, train

__all__ = ["Recipe", "Measurement", "make_model", "init_like_torch_encoder", "fit_fixed_steps", "uniform_batches",
           "cube", "sharpness", "measure", "StagedUnit", "seed_of"]


def seed_of(*parts: Any) -> int:
    """A 32-bit seed from a readable description (``seed_of("sharpness", "parity", 8, 0)``).

    >>> seed_of("a", 1) == seed_of("a", 1) != seed_of("a", 2)
    True
    """
    return zlib.crc32("/".join(map(str, parts)).encode())


@dataclass(frozen=True, kw_only=True)
class Recipe:
    """Model and optimisation: Hahn & Rofin's values are d_model 128, d_mlp 128, 2 layers, 2 heads,
    lr 3e-4, weight decay 0.1, batch 1024, 10,000 steps (the ``gpu`` presets)."""

    d_model: int = 32
    n_layers: int = 2
    n_heads: int = 2
    d_mlp: int = 32
    lr: float = 1e-3
    weight_decay: float = 0.1
    batch_size: int = 256
    steps: int = 2000
    log_every: int = 100
    checkpoint_every: int = 500
    track_draws: int = 4        # sharpness draws per logged step (on 256 fixed points); 0: not tracked

    def __post_init__(self) -> None:
        check_fields(self, counts=("d_model", "n_layers", "n_heads", "d_mlp", "batch_size", "steps", "log_every",
                                   "checkpoint_every"),
                     counts0=("track_draws",), positive=("lr",), nonnegative=("weight_decay",))


@dataclass(frozen=True, kw_only=True)
class Measurement:
    """End-of-training measurement: their values are ε = 0.02, 10 directions, 1000 batches of 1024,
    keep a run when its eval MSE < 0.001."""

    epsilon: float = 0.02       # standard deviation of the noise on each parameter
    rho: float | None = None    # if set: ε = rho/√P instead (the code's unused ρ-scaled variant)
    draws: int = 10             # noise directions per batch, fresh for every batch
    batches: int = 20           # batches the sharpness is averaged over
    batch_size: int = 1024
    eval_points: int = 8192     # the eval MSE is exact on the cube when 2**n <= this, else that many fresh points
    max_eval_mse: float = 1e-3  # a run is kept only below this final eval MSE ({0,1} labels)

    def __post_init__(self) -> None:
        check_fields(self, positive=("epsilon", "rho", "max_eval_mse"),
                     counts=("draws", "batches", "batch_size", "eval_points"))


def init_like_torch_encoder(model: nn.Module) -> nn.Module:
    """Re-initialise every self-attention the way ``nn.MultiheadAttention`` does (the module
    their ``nn.TransformerEncoder`` uses): Xavier-uniform on the stacked (3d, d) in-projection,
    zero in-projection and out-projection biases; everything else (embeddings N(0, 1), the
    Linear layers' default uniform init, LayerNorm 1/0) is already PyTorch's default. Draws from
    torch's global generator (seed it first). Returns the model.

    >>> m = init_like_torch_encoder(make_model(4, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0))
    >>> attn = m.blocks[0].attn
    >>> float(attn.qkv.bias.detach().abs().sum()), float(attn.out.bias.detach().abs().sum())
    (0.0, 0.0)
    """
    with torch.no_grad():
        for block in getattr(model, "blocks", []):
            attn = block.attn
            nn.init.xavier_uniform_(attn.qkv.weight)
            attn.qkv.bias.zero_()
            attn.out.bias.zero_()
    return model


def make_model(n: int, recipe: Recipe, seed: int, device: Any = "cpu") -> nn.Module:
    """Their transformer at ``recipe``'s sizes, initialised from ``seed`` (torch's global
    generator is reseeded): post-LN, token ++ position embeddings, readout at the last position,
    attention initialised as ``nn.MultiheadAttention`` (:func:`init_like_torch_encoder`).

    >>> make_model(5, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0).cfg.d_mlp
    8
    """
    torch.manual_seed(int(seed))
    model = build_model("transformer", n, d_model=recipe.d_model, n_layers=recipe.n_layers,
                        n_heads=recipe.n_heads, d_mlp=recipe.d_mlp, norm="post", positions="concat",
                        readout="last")
    return init_like_torch_encoder(model).to(device)


def cube(n: int, device: Any = "cpu") -> torch.Tensor:
    """All 2**n inputs as (2**n, n) long bits, in index order.

    >>> cube(2).tolist()
    [[0, 0], [1, 0], [0, 1], [1, 1]]
    """
    return index_to_bits(torch.arange(1 << n), n).to(device)


def uniform_batches(target: Target, batch_size: int, generator: torch.Generator,
                    device: Any = "cpu") -> Callable[[int], tuple[torch.Tensor, torch.Tensor]]:
    """``next_batch(step)`` of ``batch_size`` fresh uniform inputs and their {0,1} labels, drawn from
    ``generator`` (checkpointed by :func:`empirical.training.train`)."""
    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        bits = torch.randint(0, 2, (batch_size, target.n), generator=generator)  # (B, n)
        return bits.to(device), labels(target(bits)).to(device)
    return next_batch


def training_record(m: nn.Module, probe: tuple[torch.Tensor, torch.Tensor], recipe: Recipe, *, seed: int,
                    step: int) -> dict:
    """What :func:`fit_fixed_steps` logs every ``recipe.log_every`` steps (see there)."""
    bits, y = probe
    small = (bits[:256], y[:256])
    rec = {"probe_mse": float(mse_loss(m(bits), y)), "parameter_norm": parameter_norm(m, positional=False),
           "blowup": layer_norm_blowup(m, small[0])["blowup"]}
    if recipe.track_draws:
        rec["loss_sharpness"] = loss_sharpness(m, *small, rho=_rho(m, 0.02, None), draws=recipe.track_draws,
                                               seed=seed_of(seed, "track", step))
    return rec


def fit_fixed_steps_batched(models: list[nn.Module], next_batches: list[Callable[[int], tuple[torch.Tensor, torch.Tensor]]],
                            recipe: Recipe, *, ctxs: list[Any], probes: list[tuple[torch.Tensor, torch.Tensor]],
                            seeds: list[int]) -> float:
    """:func:`fit_fixed_steps` for K models (seeds) of one setting at once
    (:func:`empirical.batched.train_batched`: on a GPU, K seeds for about the cost of one); each
    model draws its own batches and logs the same records to its own context. Equal to K separate
    runs up to float rounding (no checkpoints: an interrupted group starts again). Returns the
    wall time."""
    import time

    from .batched import train_batched

    t0 = time.perf_counter()

    def next_batch(step: int):
        pairs = [nb(step) for nb in next_batches]
        return torch.stack([x for x, _ in pairs]), torch.stack([t for _, t in pairs])

    def on_log(step: int, ms: list) -> None:
        with torch.no_grad():
            for m, ctx, probe, seed in zip(ms, ctxs, probes, seeds):
                m.eval()
                ctx.log({"step": step, **training_record(m, probe, recipe, seed=seed, step=step)})
                m.train()

    train_batched(models, steps=recipe.steps, next_batch=next_batch, loss_fn=lambda out, t: mse_loss(out, t),
                  make_optimizer=lambda ps: torch.optim.AdamW(ps, lr=recipe.lr, weight_decay=recipe.weight_decay),
                  log_every=recipe.log_every, on_log=on_log)
    return time.perf_counter() - t0


def fit_fixed_steps(model: nn.Module, next_batch: Callable[[int], tuple[torch.Tensor, torch.Tensor]],
                    generator: torch.Generator, recipe: Recipe, *, ctx: Any, probe: tuple[torch.Tensor, torch.Tensor],
                    seed: int, extra_log: Callable[[nn.Module], dict] | None = None) -> TrainResult:
    """Train for exactly ``recipe.steps`` AdamW steps on MSE (their rule: no early stop), resumably.

    Every ``recipe.log_every`` steps the history gets ``probe_mse`` (the MSE on the fixed ``probe``
    points), ``parameter_norm`` (without the positional embedding), the LN ``blowup`` and, with
    ``recipe.track_draws``, a cheap ``loss_sharpness`` (ε = 0.02, ``track_draws`` directions seeded
    by ``seed`` and the step) on at most 256 probe points; ``extra_log(model)`` adds more."""
    opt = torch.optim.AdamW(model.parameters(), lr=recipe.lr, weight_decay=recipe.weight_decay)

    def log(step: int, m: nn.Module) -> dict:
        rec = training_record(m, probe, recipe, seed=seed, step=step)
        if extra_log is not None:
            rec.update(extra_log(m))
        return rec

    return train(model, opt, steps=recipe.steps, next_batch=next_batch,
                 loss_fn=lambda m, x, t: mse_loss(m(x), t), generator=generator, ctx=ctx,
                 log_every=recipe.log_every, checkpoint_every=recipe.checkpoint_every, on_log=log)


def _rho(model: nn.Module, epsilon: float, rho: float | None) -> float:
    """The ‖Δ‖ scale of :func:`empirical.metrics.loss_sharpness` (ε = ρ/√P) for a per-parameter ε."""
    if rho is not None:
        return float(rho)
    P = sum(p.numel() for p in non_positional(model).values())
    return float(epsilon) * math.sqrt(P)


def sharpness(model: nn.Module, batches: list[tuple[torch.Tensor, torch.Tensor]], *, epsilon: float = 0.02,
              rho: float | None = None, draws: int, seed: int) -> dict[str, float]:
    r"""Their sharpness averaged over ``batches``: for batch b, the mean over ``draws`` fresh
    directions of L(θ + Δ) − L(θ) (MSE, {0,1} labels), Δ ~ N(0, ε² I) on the non-positional
    parameters (ε = rho/√P when ``rho`` is given); batch b's directions are drawn from
    ``seed_of(seed, b)``. Returns ``{"value", "stderr"}``: the mean over batches and its standard
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
    scale = _rho(model, epsilon, rho)
    values = [loss_sharpness(model, x, t, rho=scale, draws=draws, seed=seed_of(seed, b))
              for b, (x, t) in enumerate(batches)]
    v = np.asarray(values, dtype=float)
    se = float(v.std(ddof=1) / math.sqrt(v.size)) if v.size > 1 else float("nan")
    return {"value": float(v.mean()), "stderr": se}


def _measure_batches(target: Target, m: Measurement, seed: int, device: Any) -> tuple[list, bool]:
    """The measurement batches: the whole cube once per batch when 2**n <= batch_size (exact over
    inputs), else ``m.batches`` fresh uniform batches seeded by ``seed``. Also whether exact."""
    n = target.n
    if (1 << n) <= m.batch_size:
        bits = cube(n, device)
        y = labels(target(bits.cpu())).to(device)
        return [(bits, y)] * m.batches, True
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
    ebits, ey = eval_points(target, m, seed_of(seed, "eval"), device)
    eval_mse = float(mse_loss(model(ebits), ey))
    batches, exact = _measure_batches(target, m, seed_of(seed, "batches"), device)
    sh = sharpness(model, batches, epsilon=m.epsilon, rho=m.rho, draws=m.draws, seed=seed_of(seed, "sharpness"))
    blow = layer_norm_blowup(model, ebits)["blowup"]
    norm = parameter_norm(model, positional=False)
    return {"eval_mse": eval_mse, "kept": bool(eval_mse < m.max_eval_mse),
            "eval_acc": float(((model(ebits) >= 0.5).float() == ey).float().mean()),
            "loss_sharpness": sh["value"], "loss_sharpness_stderr": sh["stderr"],
            "loss_sharpness_pm1": 4.0 * sh["value"], "loss_sharpness_pm1_stderr": 4.0 * sh["stderr"],
            "blowup": blow, "parameter_norm": norm, "blowup_x_norm": blow * norm, "measured_on_cube": exact}


class _Stage:
    """The context :func:`empirical.training.train` sees for one stage of a :class:`StagedUnit`."""

    def __init__(self, owner: "StagedUnit", name: str):
        self.owner, self.name = owner, name
        ctx = owner.ctx
        self.key = f"{ctx.key}.{name}"
        self.device = ctx.device
        self.show_progress = getattr(ctx, "show_progress", False)

    def log(self, record: dict) -> None:
        self.owner.ctx.log({"stage": self.name, **record})

    def load_checkpoint(self) -> dict | None:
        pending = self.owner._pending
        if pending is not None and pending.get("stage") == self.name:
            self.owner._pending = None
            return pending["train"]
        return None

    def save_checkpoint(self, state: dict) -> None:
        self.owner.ctx.save_checkpoint({"done": dict(self.owner.done), "stage": self.name, "train": state})


class StagedUnit:
    """Several trainings run in order inside one unit (e.g. fit, then retrain on the fitted
    function), resumable through the unit's one checkpoint.

    ``stage(name)`` is the ``ctx`` to give :func:`empirical.training.train` for that stage (its
    checkpoints carry the outputs of the stages already finished; its history records carry
    ``"stage": name``). When a stage is finished, ``finish(name, outputs)`` stores its outputs
    (tensors, numbers) in a checkpoint, and ``done.get(name)`` returns them after a resume, so a
    finished stage is never trained again.

    >>> class Ctx:                       # a stand-in for empirical.runner.UnitContext
    ...     key, device, saved, history = "u", "cpu", None, []
    ...     def log(self, r): self.history.append(r)
    ...     def load_checkpoint(self): return self.saved
    ...     def save_checkpoint(self, s): self.saved = s
    >>> ctx = Ctx(); unit = StagedUnit(ctx)
    >>> unit.finish("fit", {"table": [1, -1]})
    >>> StagedUnit(ctx).done["fit"]      # a resumed unit sees the finished stage's outputs
    {'table': [1, -1]}
    """

    def __init__(self, ctx: Any):
        self.ctx = ctx
        saved = ctx.load_checkpoint()   # a UnitContext restores the history with it
        self.done: dict[str, Any] = dict(saved["done"]) if saved else {}
        self._pending = saved if saved and saved.get("train") is not None else None

    def stage(self, name: str) -> _Stage:
        if name in self.done:
            raise BoolsensError(f"stage {name!r} of unit {self.ctx.key} is already finished")
        return _Stage(self, name)

    def finish(self, name: str, outputs: dict) -> None:
        self.done[name] = outputs
        self.ctx.save_checkpoint({"done": dict(self.done), "stage": None, "train": None})
