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

from empirical.harness import cli, registry
from empirical.harness.plan import config_to_dict

ROOT = Path(__file__).resolve().parents[2] / "docs" / "results" / "cpu"
RUNS = sorted(p.name for p in ROOT.iterdir() if (p / "config.json").is_file()) if ROOT.is_dir() else []


@pytest.mark.parametrize("name", RUNS)
def test_a_committed_run_plans_to_its_stored_units(name):
    folder = ROOT / name
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
