"""The experiment registry's table (``empirical.harness.registry.EXPERIMENTS``): every experiment is
listed there with the module and claim its ``register(...)`` call gives, ``experiment list`` needs
no experiment module (nor torch, scipy.stats or matplotlib), and the registry reaches an
experiment only through ``get``, by name."""

from __future__ import annotations

import dataclasses
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from boolsens import BoolsensError
from empirical.harness import registry

ROOT = Path(__file__).resolve().parents[2]


def test_every_experiment_module_is_listed_once():
    import empirical.experiments as pkg

    modules = {f"empirical.experiments.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
               if not m.name.startswith("_")}
    listed = [module for module, _ in registry.EXPERIMENTS.values()]
    assert sorted(listed) == sorted(modules)


@pytest.mark.parametrize("name", sorted(registry.EXPERIMENTS))
def test_the_module_registers_what_the_table_says(name):
    pytest.importorskip("torch")
    module, claim = registry.EXPERIMENTS[name]
    exp = registry.get(name)
    assert (exp.name, exp.module, exp.claim) == (name, module, claim)
    assert exp.units.__module__ == module


def test_names_and_claims_come_from_the_table():
    assert registry.names() == sorted(registry.EXPERIMENTS)
    assert registry.claims() == [(n, registry.EXPERIMENTS[n][1]) for n in sorted(registry.EXPERIMENTS)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Cfg(registry.ExperimentConfig):
    x: int = 1


_PRESETS = {"smoke": _Cfg(), "cpu": _Cfg(), "gpu": _Cfg()}


def _units(config):
    return [{"seed": s} for s in config.seeds]


def test_register_refuses_an_experiment_missing_from_the_table():
    with pytest.raises(BoolsensError, match="must be listed in empirical.harness.registry.EXPERIMENTS"):
        registry.register("not-listed", claim="c", presets=_PRESETS, units=_units, run_unit=print, analyze=print)
    assert "not-listed" not in registry.names()


def test_register_refuses_a_claim_that_differs_from_the_table(monkeypatch):
    monkeypatch.setitem(registry.EXPERIMENTS, "listed", (__name__, "the table's claim"))
    with pytest.raises(BoolsensError, match="same module and claim"):
        registry.register("listed", claim="another claim", presets=_PRESETS, units=_units, run_unit=print,
                          analyze=print)


def test_get_names_an_unknown_experiment_and_an_unimportable_module(monkeypatch):
    with pytest.raises(BoolsensError, match="unknown experiment 'nosuch'; known: grokking"):
        registry.get("nosuch")
    monkeypatch.setitem(registry.EXPERIMENTS, "broken", ("empirical.experiments._no_such_module", "c"))
    with pytest.raises(BoolsensError, match="experiment 'broken': its module empirical.experiments._no_such_module "
                                            "could not be imported"):
        registry.get("broken")


def test_experiment_list_imports_no_experiment_and_no_heavy_library():
    code = ("import sys\n"
            "from empirical.harness.cli import main\n"
            "assert main(['list']) == 0\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'matplotlib')\n"
            "               or m == 'scipy.stats' or m.startswith('empirical.experiments.'))\n"
            "print('HEAVY', heavy)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout
    for name in registry.EXPERIMENTS:
        assert f"\n{name}\n" in "\n" + out.stdout
