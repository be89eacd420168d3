"""Training several copies of one architecture at once (one per seed) with ``torch.func``.

On a GPU a small model leaves most of the device idle; stacking K models' parameters into tensors
with a leading axis of K and evaluating them with ``torch.func.vmap`` over ``functional_call``
trains K seeds for little more than the cost of one. The optimiser runs on the stacked tensors:
Adam, AdamW and SGD update every entry on its own (their step count is shared, and equal across
the seeds), so this is K independent optimisers, not one. Each model sees its own batches.

On the CPU this is slower than one model at a time (measured 2.3x slower for the length-scaling
model on 2 cores), so the experiments use it only on CUDA; the tests check on the CPU that the
batched result equals training each model alone, up to float rounding (the vmapped kernels sum in
another order, so not bit for bit).

>>> import torch
>>> models = [torch.nn.Linear(2, 1) for _ in range(3)]
>>> x = torch.ones(3, 4, 2)                 # (K, B, inputs): one batch per model
>>> y = torch.zeros(3, 4)
>>> losses = train_batched(models, steps=50, next_batch=lambda step: (x, y),
...                        loss_fn=lambda out, t: ((out[..., 0] - t) ** 2).mean(),
...                        make_optimizer=lambda ps: torch.optim.SGD(ps, lr=0.1))
>>> [round(float(m(x[0]).abs().max()), 3) for m in models]
[0.0, 0.0, 0.0]
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

from boolsens import BoolsensError

__all__ = ["train_batched"]


def train_batched(models: Sequence[Any], *, steps: int, next_batch: Callable[[int], tuple[Any, Any]],
                  loss_fn: Callable[[Any, Any], Any], make_optimizer: Callable[[list], Any],
                  log_every: int = 0, on_log: Callable[[int, list], None] | None = None) -> list[float]:
    """Train the K ``models`` (one architecture, any weights) together for ``steps`` steps; their
    trained weights are written back into them. Returns each model's last training loss.

    ``next_batch(step) -> (inputs, targets)`` gives stacked batches, a leading axis of K (model k
    trains on ``inputs[k]``); ``loss_fn(output, target)`` is one model's scalar loss (it is
    vmapped); ``make_optimizer(params)`` builds the optimiser over the stacked parameter tensors
    (elementwise optimisers: Adam, AdamW, SGD). Every ``log_every`` steps ``on_log(step, models)``
    sees the current weights in the models.
    """
    import torch
    from torch.func import functional_call, stack_module_state, vmap

    if not models:
        raise BoolsensError("models is empty; pass at least one model")
    kinds = {type(m) for m in models}
    if len(kinds) != 1:
        raise BoolsensError(f"models must share one architecture; got {sorted(k.__name__ for k in kinds)}")
    params, buffers = stack_module_state(list(models))  # name -> (K, ...) leaf tensors
    base = copy.deepcopy(models[0]).to("meta")
    for m in base.modules():  # fused attention kernels have no vmap batching rule
        if getattr(m, "fused", None) is True:
            m.fused = False

    def one(p: dict, b: dict, x: Any, y: Any) -> Any:
        return loss_fn(functional_call(base, (p, b), (x,)), y)

    batched_loss = vmap(one)
    optimizer = make_optimizer(list(params.values()))

    def write_back() -> None:
        with torch.no_grad():
            for k, model in enumerate(models):
                for name, p in model.named_parameters():
                    p.copy_(params[name][k])

    last = torch.full((len(models),), float("nan"))
    for model in models:
        model.train()
    for step in range(1, steps + 1):
        x, y = next_batch(step - 1)
        optimizer.zero_grad(set_to_none=True)
        losses = batched_loss(params, buffers, x, y)  # (K,)
        losses.sum().backward()  # model k's parameters get model k's gradient alone
        optimizer.step()
        last = losses.detach()
        if log_every and on_log is not None and step % log_every == 0:
            write_back()
            on_log(step, list(models))
    write_back()
    for model in models:
        model.eval()
    return [float(v) for v in last]
