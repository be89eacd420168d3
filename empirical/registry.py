"""The experiment registry: every experiment is a name, a one-line claim, named presets and a
``run`` function.

How to add an experiment
------------------------
1. Create a module ``empirical/experiments/<your_name>.py``. Nothing else needs editing:
   :mod:`empirical.experiments` imports every module of that package (``pkgutil.iter_modules``)
   and the decorator below registers what it finds.
2. Write a frozen config dataclass that subclasses :class:`ExperimentConfig` (it already holds
   ``seed`` and ``seeds``; every field needs a default, ``kw_only`` is set for you by using
   ``@dataclass(frozen=True, kw_only=True)``)::

       @dataclass(frozen=True, kw_only=True)
       class MyConfig(ExperimentConfig):
           n: int = 8
           steps: int = 200

3. Write ``run(config, run_dir) -> dict`` and register it with three presets::

       @register(
           "my-experiment",
           claim="Networks fit low degrees first.",
           presets={"smoke": MyConfig(steps=5), "cpu": MyConfig(), "gpu": MyConfig(steps=10_000)},
       )
       def run(config: MyConfig, run_dir: RunDir) -> dict:
           ...
           run_dir.write_report(claim=..., numbers={...}, verdict="...")
           return {"verdict": "...", ...}     # the CLI writes it to summary.json

   ``smoke`` must finish in seconds (the tests run it), ``cpu`` in under 10 minutes on a 2-core
   machine, ``gpu`` is paper scale for one H100/H200 in <= 10 minutes.
4. Use the shared tools, never another experiment module (an experiment imports no other):
   the run folder :class:`empirical.rundir.RunDir` (``run_dir.write_json``,
   ``run_dir.append_metrics`` for one JSON line per measurement, ``run_dir.unit(key)`` to skip
   finished work after an interruption, ``run_dir.save_figure``, ``run_dir.write_report``), the
   training loop :func:`empirical.training.train` (checkpointed, resumable, with a progress bar),
   seeds and threads from :mod:`empirical.runtime`, line fits and tests from
   :mod:`empirical.stats`, and the task-specific training of :mod:`empirical.boolean_fit` and
   :mod:`empirical.algorithmic`. Training code two experiments share belongs in such a module.
   The CLI writes ``config.json`` before and ``summary.json`` after ``run``; re-running with the
   same ``--out`` resumes.

Model sizes in a config use the models' vocabulary: ``d_model``, ``n_layers``, ``n_heads``,
``d_mlp`` (see :mod:`empirical.models`).

Run it with ``boolsens experiment my-experiment --preset smoke --out /tmp/x`` (or
``empirical.cli.main(["my-experiment", "--preset", "smoke", "--out", "/tmp/x"])``);
``boolsens experiment list`` shows the registry.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable

from boolsens import BoolsensError

__all__ = ["ExperimentConfig", "Experiment", "register", "get", "names", "experiments", "PRESETS"]

#: The preset names every experiment defines.
PRESETS = ("smoke", "cpu", "gpu")


@dataclass(frozen=True, kw_only=True)
class ExperimentConfig:
    """Base of every experiment config: ``seed`` (first seed) and ``seeds`` (how many seeds,
    ``seed, seed+1, ...``). ``--seeds K`` on the command line replaces ``seeds``."""

    seed: int = 0
    seeds: int = 1

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def seed_list(self) -> list[int]:
        return [self.seed + i for i in range(self.seeds)]


@dataclass(frozen=True)
class Experiment:
    """A registered experiment (see the module docstring)."""

    name: str
    claim: str
    presets: dict[str, ExperimentConfig]
    run: Callable[[Any, Any], dict]
    module: str

    def config(self, preset: str, **overrides: Any) -> ExperimentConfig:
        """The preset's config, with fields replaced by ``overrides`` (unknown names raise)."""
        if preset not in self.presets:
            raise BoolsensError(f"preset={preset!r} must be one of {sorted(self.presets)} for {self.name}")
        cfg = self.presets[preset]
        fields = {f.name for f in dataclasses.fields(cfg)}
        unknown = set(overrides) - fields
        if unknown:
            raise BoolsensError(f"{self.name} config has no field(s) {sorted(unknown)}; fields: {sorted(fields)}")
        return dataclasses.replace(cfg, **overrides) if overrides else cfg


_REGISTRY: dict[str, Experiment] = {}


def register(name: str, *, claim: str, presets: dict[str, ExperimentConfig]):
    """Decorator registering ``run(config, run_dir) -> dict`` as experiment ``name``.

    ``presets`` must hold exactly ``smoke``, ``cpu`` and ``gpu``, each a frozen dataclass
    instance deriving from :class:`ExperimentConfig`, all of the same class.
    """
    if not isinstance(name, str) or not name or name != name.strip() or " " in name:
        raise BoolsensError(f"experiment name={name!r} must be a non-empty string without spaces")
    if set(presets) != set(PRESETS):
        raise BoolsensError(f"experiment {name}: presets {sorted(presets)} must be exactly {list(PRESETS)}")
    kinds = {type(c) for c in presets.values()}
    for key, cfg in presets.items():
        if not isinstance(cfg, ExperimentConfig) or not cfg.__dataclass_params__.frozen:
            raise BoolsensError(
                f"experiment {name}: preset {key!r} must be a frozen dataclass deriving from ExperimentConfig"
            )
    if len(kinds) != 1:
        raise BoolsensError(f"experiment {name}: presets use different config classes {sorted(k.__name__ for k in kinds)}")

    def decorate(fn: Callable[[Any, Any], dict]):
        existing = _REGISTRY.get(name)
        if existing is not None and existing.module != fn.__module__:
            raise BoolsensError(f"experiment {name!r} is registered twice ({existing.module} and {fn.__module__})")
        _REGISTRY[name] = Experiment(name=name, claim=claim, presets=dict(presets), run=fn, module=fn.__module__)
        return fn

    return decorate


def _load_all() -> None:
    from . import experiments  # noqa: F401  (imports every experiment module)


def get(name: str) -> Experiment:
    """The experiment called ``name`` (all experiment modules are imported first)."""
    _load_all()
    if name not in _REGISTRY:
        raise BoolsensError(f"unknown experiment {name!r}; known: {', '.join(sorted(_REGISTRY)) or 'none'}")
    return _REGISTRY[name]


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def experiments() -> list[Experiment]:
    _load_all()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]
