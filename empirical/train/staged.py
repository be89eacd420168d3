"""Several trainings inside one unit (fit, then retrain on what the fit produced), resumable
through the unit's one checkpoint, so that a killed unit resumes to the same numbers
(:class:`StagedUnit`; used by ``random-function-generalization``)."""

from __future__ import annotations

from typing import Any

from boolsens import BoolsensError

__all__ = ["StagedUnit"]


class _Stage:
    """The context :func:`empirical.train.loop.train` sees for one stage of a :class:`StagedUnit`."""

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

    ``stage(name)`` is the ``ctx`` to give :func:`empirical.train.loop.train` for that stage (its
    checkpoints carry the outputs of the stages already finished; its history records carry
    ``"stage": name``). When a stage is finished, ``finish(name, outputs)`` stores its outputs
    (tensors, numbers) in a checkpoint, and ``done.get(name)`` returns them after a resume, so a
    finished stage is never trained again.

    >>> class Ctx:                       # a stand-in for empirical.harness.runner.UnitContext
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
        """A context for running stage ``name`` (an error if it is already finished)."""
        if name in self.done:
            raise BoolsensError(f"stage {name!r} of unit {self.ctx.key} is already finished")
        return _Stage(self, name)

    def finish(self, name: str, outputs: dict) -> None:
        """Record stage ``name`` as finished with ``outputs`` and checkpoint the unit."""
        self.done[name] = outputs
        self.ctx.save_checkpoint({"done": dict(self.done), "stage": None, "train": None})
