"""The experiment registry: every experiment is a name, a one-line claim, named presets, and a
map over *units* followed by an analysis.

How to add an experiment
------------------------
1. Create a module ``empirical/experiments/<your_name>.py`` and add its name, module and one-line
   claim to :data:`EXPERIMENTS` below (the registry lists experiments from that table without
   importing them; :func:`get` imports the module, which registers itself).
2. Write a frozen config dataclass that subclasses :class:`ExperimentConfig` (it holds ``seeds``;
   every field needs a default; ``@dataclass(frozen=True, kw_only=True)``). Fields that only
   enumerate units (a tuple of lengths, of tasks, ...) are the experiment's *axes*::

       @dataclass(frozen=True, kw_only=True)
       class MyConfig(ExperimentConfig):
           ns: tuple[int, ...] = (4, 6, 8)
           steps: int = 200

3. Write the three functions and register them with three presets::

       def units(config):                       # a pure function of the config
           return [{"n": n, "seed": s} for n in config.ns for s in config.seeds]

       def run_unit(config, unit, ctx):         # depends only on its arguments
           ...train with empirical.train.loop.train(..., ctx=ctx) and measure...
           return {"n": unit["n"], "seed": unit["seed"], "accuracy": acc}   # JSON-able scalars

       def analyze(config, results, run_dir):   # results: list of empirical.harness.runner.UnitResult
           rows = [r.record for r in results]
           ...statistics, figures (run_dir.save_figure), run_dir.write_report(...)...
           return {"verdict": "...", ...}       # written to summary.json

       register("my-experiment", claim="Networks fit low degrees first.",
                presets={"smoke": MyConfig(steps=5), "cpu": MyConfig(), "gpu": MyConfig(steps=10_000)},
                units=units, run_unit=run_unit, analyze=analyze, axes=("ns",))

   ``ctx`` (:class:`empirical.harness.runner.UnitContext`) gives the device, the unit's checkpoint and its
   measurement history (``ctx.log``; :func:`empirical.train.loop.train` uses both): everything a
   unit draws at random must come from generators it seeds itself and passes to ``train`` (so a
   killed unit resumes to the same numbers). ``smoke`` must finish in seconds (the tests run it),
   ``cpu`` in about 15 minutes with ``--jobs 2`` on a 2-core machine, ``gpu`` is paper scale.
4. Use the shared tools, never another experiment module (an experiment imports no other):
   the run folder :class:`empirical.harness.rundir.RunDir` (``save_figure``, ``write_report``,
   ``read_metrics``), the training loop :func:`empirical.train.loop.train`, seeds and threads from
   :mod:`empirical.harness.runtime`, statistics from :mod:`empirical.analysis.stats`, and the task-specific training
   of :mod:`empirical.train.hahn_rofin` and :mod:`empirical.train.algorithmic`. Training code two experiments
   share belongs in such a module.

The command line builds the plan (:mod:`empirical.harness.plan`: ``--seeds``/``--n-seeds``, ``--set``, ``--grid``), runs
the units that are not finished (:mod:`empirical.harness.runner`: ``--jobs``, ``--backend local|ray``),
writes ``results.csv`` and calls ``analyze``; ``--analyze`` calls only ``analyze``.

Model sizes in a config use the models' vocabulary: ``d_model``, ``n_layers``, ``n_heads``,
``d_mlp`` (see :mod:`empirical.models`).

Run it with ``boolsens experiment my-experiment --preset smoke --out /tmp/x`` (or
``empirical.harness.cli.main(["my-experiment", "--preset", "smoke", "--out", "/tmp/x"])``);
``boolsens experiment list`` shows the registry.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from typing import Any, Callable

from boolsens import BoolsensError

__all__ = ["ExperimentConfig", "Experiment", "register", "get", "names", "claims", "experiments", "PRESETS",
           "OPTIONAL_PRESETS", "EXPERIMENTS"]

#: The preset names every experiment defines.
PRESETS = ("smoke", "cpu", "gpu")

#: Presets an experiment may add: ``paper``, the paper's own setting where it differs from ``gpu``
#: (e.g. the paper's seeds) and is too long for this project's CPU runs.
OPTIONAL_PRESETS = ("paper",)

#: Every experiment, known without importing it: name -> (module, one-line claim). The module's
#: ``register(...)`` call must give the same name, module and claim (:func:`register` checks it).
#: ``boolsens experiment list`` reads only this table; :func:`get` imports the module.
EXPERIMENTS: dict[str, tuple[str, str]] = {
    "grokking": (
        "empirical.experiments.grokking",
        "Vasudeva et al.: on a + b mod p, the sensitivity of a one-layer transformer to noise on "
        "the operand embeddings falls while test accuracy is still flat, before grokking (a "
        "progress measure)."),
    "length-scaling": (
        "empirical.experiments.length_scaling",
        "Hahn & Rofin: after training, PARITY's loss sharpness and its LN blowup x parameter norm"
        " grow with the input length n faster than MAJORITY's and FIRST's, which stay flat."),
    "noise-stability-regularizer": (
        "empirical.experiments.noise_stability_regularizer",
        "Haris et al.: training with a noise-stability regulariser (token resampling, agreement "
        "of the output distributions) groks sooner than plain training: about 36% on modular "
        "addition, 35% on a noisy sparse parity."),
    "random-function-generalization": (
        "empirical.experiments.random_function_generalization",
        "Hahn & Rofin: a transformer fitted to part of a random function extends it to a "
        "completion of lower average sensitivity than random completions of the same training "
        "points, and fresh transformers trained on the learned completions are flatter (lower "
        "sharpness) than on random completions."),
    "random-init-sensitivity": (
        "empirical.experiments.random_init_sensitivity",
        "Bhattamishra et al.: randomly initialised transformers compute Boolean functions of "
        "lower sensitivity than randomly initialised LSTMs, over the initialisation scale "
        "(uniform U(−w, w) and Gaussian N(0, σ²) weights) and the input length."),
    "sequence-sensitivity": (
        "empirical.experiments.sequence_sensitivity",
        "LSTMs learn more sensitive functions than transformers on sequence classification, and "
        "their sensitivity is concentrated on late tokens (more so than the transformer's)."),
    "spectral-dynamics": (
        "empirical.experiments.spectral_dynamics",
        "A consequence of Vasudeva et al.'s Proposition 2.1 (weak spectral bias), tested here "
        "(their paper has no such experiment in its public code): trained on a target with "
        "Fourier weight at degrees 1, 2, 4 and 7, a transformer fits the lower degree of every "
        "pair first."),
    "synthetic-tokens": (
        "empirical.experiments.synthetic_tokens",
        "On Definition 3.3 data where a sparse-token rule and a frequent-token rule both fit the "
        "labels, single-layer attention learns the rule with the lower sensitivity (Table 3 "
        "regimes)."),
    "vision-sensitivity": (
        "empirical.experiments.vision_sensitivity",
        "On images a ViT learns a lower-sensitivity function than a CNN, an MLP and a ConvMixer; "
        "the sensitivity regulariser lowers the ViT's sensitivity further, improves its "
        "robustness to corruptions and gives a flatter minimum (lower ShOp/ShPred)."),
    "word-sensitivity": (
        "empirical.experiments.word_sensitivity",
        "Bombari & Mondelli: the word sensitivity of random features decays like n^(-1/2) in the "
        "number n of words, while that of random attention features (softmax(XWX^T/sqrt d) X) stays "
        "bounded away from 0."),
}


@dataclass(frozen=True, kw_only=True)
class ExperimentConfig:
    """Base of every experiment config: ``seeds``, the seeds of every setting (a tuple; in Python
    an integer K given here means the K seeds 0 … K−1). On the command line ``--seeds`` names
    the seeds that replace them (``0``: seed 0, ``0-9``, ``3,5,8``) and ``--n-seeds K`` takes K seeds
    from the preset's first."""

    seeds: tuple[int, ...] = (0,)

    def __post_init__(self) -> None:
        seeds = self.seeds
        if isinstance(seeds, bool) or not isinstance(seeds, (int, tuple, list)):
            raise BoolsensError(f"seeds={seeds!r} must be a count or a tuple of seeds")
        seeds = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
        if not seeds or any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in seeds) \
                or len(set(seeds)) != len(seeds):
            raise BoolsensError(f"seeds={self.seeds!r} must be at least one distinct non-negative integer seed")
        object.__setattr__(self, "seeds", seeds)


@dataclass(frozen=True)
class Experiment:
    """A registered experiment (see the module docstring): a map over units, then an analysis.

    ``units(config) -> list[dict]`` (each with a ``seed``), ``run_unit(config, unit, ctx) ->
    record`` (a pure function of its arguments; ``ctx`` is a :class:`~empirical.harness.runner.UnitContext`)
    and ``analyze(config, results, run_dir) -> summary`` (with a ``verdict``). ``axes`` are the
    config fields that only enumerate units.
    """

    name: str
    claim: str
    presets: dict[str, ExperimentConfig]
    module: str
    units: Callable[[Any], list[dict]]
    run_unit: Callable[[Any, dict, Any], dict]
    analyze: Callable[[Any, list, Any], dict]
    axes: tuple[str, ...] = ()
    #: optional: run several units that differ only in their seed at once (``--batch-seeds`` on
    #: a GPU): ``run_units_batched(config, units, ctxs) -> records``, one record per unit
    run_units_batched: Callable[[Any, list, list], list] | None = None

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


def register(name: str, *, claim: str, presets: dict[str, ExperimentConfig], units: Callable, run_unit: Callable,
             analyze: Callable, axes: tuple[str, ...] = (), run_units_batched: Callable | None = None) -> Experiment:
    """Register experiment ``name``, a map over ``units`` (each run by ``run_unit``) followed by
    ``analyze``, and return it.

    ``presets`` must hold ``smoke``, ``cpu`` and ``gpu`` (and may hold ``paper``), each a frozen dataclass
    instance deriving from :class:`ExperimentConfig`, all of the same class; every name in
    ``axes`` must be a field of it.
    """
    if not isinstance(name, str) or not name or name != name.strip() or " " in name:
        raise BoolsensError(f"experiment name={name!r} must be a non-empty string without spaces")
    if not set(PRESETS) <= set(presets) <= set(PRESETS + OPTIONAL_PRESETS):
        raise BoolsensError(f"experiment {name}: presets {sorted(presets)} must be {list(PRESETS)}, optionally "
                            f"with {list(OPTIONAL_PRESETS)}")
    kinds = {type(c) for c in presets.values()}
    for key, cfg in presets.items():
        if not isinstance(cfg, ExperimentConfig) or not cfg.__dataclass_params__.frozen:
            raise BoolsensError(
                f"experiment {name}: preset {key!r} must be a frozen dataclass deriving from ExperimentConfig"
            )
    if len(kinds) != 1:
        raise BoolsensError(f"experiment {name}: presets use different config classes {sorted(k.__name__ for k in kinds)}")
    if not (callable(units) and callable(run_unit) and callable(analyze)):
        raise BoolsensError(f"experiment {name}: units=, run_unit= and analyze= must be functions")
    fields = {f.name for f in dataclasses.fields(next(iter(presets.values())))}
    bad = [a for a in axes if a not in fields]
    if bad:
        raise BoolsensError(f"experiment {name}: axes {bad} are not config fields")
    module = units.__module__
    _check_listed(name, module, claim)
    existing = _REGISTRY.get(name)
    if existing is not None and existing.module != module:
        raise BoolsensError(f"experiment {name!r} is registered twice ({existing.module} and {module})")
    exp = Experiment(name=name, claim=claim, presets=dict(presets), module=module, units=units,
                     run_unit=run_unit, analyze=analyze, axes=tuple(axes), run_units_batched=run_units_batched)
    _REGISTRY[name] = exp
    return exp


def _check_listed(name: str, module: str, claim: str) -> None:
    """``register``'s agreement with :data:`EXPERIMENTS` (name, module and claim)."""
    if EXPERIMENTS.get(name) != (module, claim):
        listed = EXPERIMENTS.get(name)
        raise BoolsensError(
            f"experiment {name!r} registered by {module} must be listed in empirical.harness.registry.EXPERIMENTS "
            f"with the same module and claim (listed: {listed!r})")


def get(name: str) -> Experiment:
    """The experiment called ``name``: its module (from :data:`EXPERIMENTS`) is imported, by name,
    the first time, and registers itself. An unknown name, or a module that cannot be imported (a
    missing optional dependency), raises one :class:`~boolsens.BoolsensError` naming it."""
    if name not in EXPERIMENTS:
        raise BoolsensError(f"unknown experiment {name!r}; known: {', '.join(sorted(EXPERIMENTS))}")
    if name not in _REGISTRY:
        module = EXPERIMENTS[name][0]
        try:
            importlib.import_module(module)  # the plugin import: the only way the registry reaches an experiment
        except ImportError as exc:
            raise BoolsensError(f"experiment {name!r}: its module {module} could not be imported "
                                f"({type(exc).__name__}: {exc})") from exc
        if name not in _REGISTRY:
            raise BoolsensError(f"experiment {name!r}: importing {module} did not register it")
    return _REGISTRY[name]


def names() -> list[str]:
    """The experiments' names, sorted (no experiment is imported)."""
    return sorted(EXPERIMENTS)


def claims() -> list[tuple[str, str]]:
    """``(name, claim)`` of every experiment, sorted by name (no experiment is imported)."""
    return [(name, EXPERIMENTS[name][1]) for name in sorted(EXPERIMENTS)]


def experiments() -> list[Experiment]:
    """Every experiment (each module is imported)."""
    return [get(k) for k in sorted(EXPERIMENTS)]
