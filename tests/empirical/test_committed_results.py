"""The committed cpu runs (docs/results/cpu/NAME) stay re-analysable: the current code plans each
run's invocation (config.json) to exactly the unit keys stored in its units/ folder, so
``boolsens experiment NAME --out docs/results/cpu/NAME --analyze`` finds every unit, and to the
config the run recorded (every setting it saved, the same value). A config field added later
changes the keys (they hash every setting) unless it is declared with
``empirical.harness.plan.added_field`` (left out of the key at its default); otherwise it must
come with the committed unit files renamed, or the run redone. A preset changed later is
given back to a committed run by ``--set`` values in its saved invocation (with a note)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from empirical.harness import cli, prereg, registry
from empirical.harness.plan import config_to_dict

RESULTS = Path(__file__).resolve().parents[2] / "docs" / "results"
ROOT = RESULTS / "cpu"


def _runs(kind: str) -> list[str]:
    root = RESULTS / kind
    return sorted(p.name for p in root.iterdir() if (p / "config.json").is_file()) if root.is_dir() else []


RUNS = _runs("cpu")
#: the exploratory cpu runs and the confirmatory ones (docs/results/confirmatory/NAME)
ALL_RUNS = [("cpu", n) for n in RUNS] + [("confirmatory", n) for n in _runs("confirmatory")]


@pytest.mark.parametrize("kind, name", ALL_RUNS, ids=[f"{k}/{n}" for k, n in ALL_RUNS])
def test_a_committed_run_plans_to_its_stored_units(kind, name):
    folder = RESULTS / kind / name
    saved = json.loads((folder / "config.json").read_text())
    inv = saved["invocation"]
    exp = registry.get(saved["experiment"])
    config, _, units = cli._plan(exp, inv["preset"], inv["set"], inv["grid"], *cli._saved_seeds(inv))
    assert _differences(saved["config"], config_to_dict(config)) == [], f"{name}: the invocation plans other settings"
    planned = {u.key for u in units}
    stored = {p.stem for p in (folder / "units").glob("*.json")}
    assert planned == stored, f"{name}: planned but not stored {sorted(planned - stored)[:3]}, " \
                              f"stored but not planned {sorted(stored - planned)[:3]}"
    assert saved["units"] == [u.key for u in units]


def _differences(saved: dict, planned: dict, where: str = "") -> list[str]:
    """The settings of ``saved`` that ``planned`` gives another value (fields added since, absent
    from ``saved``, are not compared)."""
    out = []
    for k, v in saved.items():
        if isinstance(v, dict) and isinstance(planned.get(k), dict):
            out += _differences(v, planned[k], f"{where}{k}.")
        elif k not in planned or planned[k] != v:
            out.append(f"{where}{k}: saved {v!r}, planned {planned.get(k)!r}")
    return out


def test_every_experiment_has_a_committed_cpu_run():
    assert set(RUNS) == set(registry.names())


@pytest.mark.parametrize("name", [n for k, n in ALL_RUNS if k == "confirmatory"])
def test_a_committed_confirmatory_run_is_one_its_declaration_names(name):
    saved = json.loads((RESULTS / "confirmatory" / name / "config.json").read_text())
    assert saved["run_kind"] == "confirmatory"
    decl = saved["declaration"]
    assert decl["path"] == f"docs/experiments/{name}.prereg.toml" and len(decl["sha256"]) == 64
    assert decl["git"] == "ok" and len(decl["commit"]) == 40
    # the declaration has not changed since the run: the file today is the one the run recorded
    assert prereg.digest(prereg.load(name)) == decl["sha256"], f"{decl['path']} changed after its confirmatory run"
