"""The training loop of every experiment: resumable, checkpointed, logged, with a progress bar.

* :func:`train` runs optimizer steps, logs a record to the unit's history every ``log_every``
  steps (measured in evaluation mode, without gradients), may stop early, and checkpoints the
  model, the optimizer, every random generator and the loop's state so that an interrupted unit
  resumes to the same weights and history (on the CPU) as an uninterrupted one.
* :func:`epoch_batches` turns a fixed training set into per-step minibatches of a fresh
  permutation per epoch, drawn from a checkpointed generator.
"""

from __future__ import annotations

import dataclasses
import math
import time
from typing import Any, Callable

from boolsens.progress import bar
from boolsens.torch_runtime import eval_mode

from ..harness.checks import check_count

__all__ = ["TrainResult", "train", "epoch_batches"]


@dataclasses.dataclass
class TrainResult:
    """What :func:`train` returns: steps taken, the last loss, whether it stopped early, the wall time."""

    steps: int            # steps taken in total (including before a resume)
    loss: float           # the last training loss
    stopped_early: bool   # ``stop`` returned True
    seconds: float        # wall time of this invocation


def train(
    model: Any,
    optimizer: Any,
    *,
    steps: int,
    next_batch: Callable[[int], tuple[Any, Any]],
    loss_fn: Callable[[Any, Any, Any], Any],
    ctx: Any = None,
    generator: Any = None,
    generators: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    log_every: int = 50,
    checkpoint_every: int = 500,
    on_log: Callable[[int, Any], dict[str, Any]] | None = None,
    stop: Callable[[int, dict[str, Any]], bool] | None = None,
    desc: str | None = None,
) -> TrainResult:
    """Train ``model`` for up to ``steps`` optimizer steps, resumably and exactly.

    ``next_batch(step) -> (inputs, targets)`` and ``loss_fn(model, inputs, targets)`` (the scalar
    loss) may draw random numbers only from the ``torch.Generator``s in ``generators`` (or the
    single ``generator``); ``on_log`` and ``stop`` may keep values across steps only in the dict
    ``state``. All of it is in every checkpoint, so a unit killed at any point and resumed sees the
    same batches, the same noise and the same state, and ends with the same weights (on the CPU)
    and the same logged history as an uninterrupted one.

    Every ``log_every`` steps (and at the last step) the record ``{"step", "loss",
    **on_log(step, model)}`` goes to the unit's history (``ctx.log``; ``on_log`` runs in
    evaluation mode under ``torch.no_grad``) and ``stop(step, record)`` may end training early. A
    checkpoint (model, optimizer, generators, state, step, history) is written every
    ``checkpoint_every`` steps through ``ctx.save_checkpoint``, and training continues from
    ``ctx.load_checkpoint()`` when there is one. ``ctx`` is a
    :class:`~empirical.harness.runner.UnitContext` (``None``: no history, no checkpoints). The progress bar
    (``desc``, default the unit's key) follows ``ctx.show_progress`` (see
    :mod:`boolsens.progress`). The model is left in evaluation mode.

    >>> import torch
    >>> model = torch.nn.Linear(1, 1)
    >>> x, y = torch.ones(4, 1), torch.full((4, 1), 3.0)
    >>> res = train(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=40,
    ...             next_batch=lambda step: (x, y), loss_fn=lambda m, a, b: ((m(a) - b) ** 2).mean())
    >>> res.steps, res.loss < 1e-3, model.training
    (40, True, False)
    """
    import torch

    from ..harness.runner import fault

    check_count(steps, "steps", 0)
    gens = dict(generators or {})
    if generator is not None:
        gens.setdefault("batches", generator)
    state = {} if state is None else state
    key = getattr(ctx, "key", "train")
    t0 = time.perf_counter()
    start, loss_value, stopped = 0, float("nan"), False
    saved = ctx.load_checkpoint() if ctx is not None else None
    if saved is not None:
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        for name, g in gens.items():
            g.set_state(saved["generators"][name])
        state.clear()
        state.update(saved["state"])
        start, loss_value, stopped = saved["step"], saved["loss"], saved["stopped"]

    def checkpoint(step: int) -> None:
        if ctx is not None:
            ctx.save_checkpoint({
                "step": step, "loss": loss_value, "stopped": stopped,
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "generators": {name: g.get_state() for name, g in gens.items()}, "state": dict(state),
            })

    step = start
    model.train()
    with bar(steps, desc=desc or key, initial=start, unit="step",
             enabled=getattr(ctx, "show_progress", None)) as progress:
        while step < steps and not stopped:
            inputs, targets = next_batch(step)
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model, inputs, targets)
            loss.backward()
            optimizer.step()
            step += 1
            loss_value = float(loss.detach())
            if not math.isfinite(loss_value):
                raise FloatingPointError(f"{key}: training loss became {loss_value} at step {step}")
            if not progress.disable:
                progress.set_postfix(loss=f"{loss_value:.4g}", refresh=False)
                progress.update(1)
            if step % log_every == 0 or step == steps:
                record = {"step": step, "loss": loss_value}
                if on_log is not None:
                    with eval_mode(model), torch.no_grad():
                        record.update(on_log(step, model))
                if ctx is not None:
                    ctx.log(record)
                if stop is not None and stop(step, record):
                    stopped = True
            if step % checkpoint_every == 0 and step < steps and not stopped:
                checkpoint(step)
            fault("step")
    model.eval()
    return TrainResult(steps=step, loss=loss_value, stopped_early=stopped, seconds=time.perf_counter() - t0)


def epoch_batches(x: Any, y: Any, batch_size: int, generator: Any):
    """``(next_batch, n_batches)`` for :func:`train`: step s is batch s mod n_batches of a fresh
    permutation (drawn from ``generator``) per epoch, so a resumed run that restores the
    generator sees the same batches.

    >>> import torch
    >>> next_batch, n_batches = epoch_batches(torch.arange(5), torch.arange(5), 2, torch.Generator().manual_seed(0))
    >>> n_batches, sorted(torch.cat([next_batch(s)[0] for s in range(3)]).tolist())
    (3, [0, 1, 2, 3, 4])
    """
    import torch

    n = len(x)
    n_batches = -(-n // batch_size)
    perm: dict[int, Any] = {}

    def next_batch(step: int):
        epoch, b = divmod(step, n_batches)
        if epoch not in perm:
            perm.clear()
            perm[epoch] = torch.randperm(n, generator=generator)
        idx = perm[epoch][b * batch_size : (b + 1) * batch_size].to(x.device)
        return x[idx], y[idx]

    return next_batch, n_batches
