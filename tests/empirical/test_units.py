"""Experiments as units: plans and keys, the local pool and Ray backends (a real local Ray
instance), exact resume after a kill, extended grids, --analyze, results.csv, corrupt and torn
files, a full disk. The experiment is length-scaling at its smoke preset (4 units of a few steps).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from boolsens import BoolsensError  # noqa: E402
from empirical.harness import registry  # noqa: E402
from empirical.harness.cli import main as experiment_main  # noqa: E402
from empirical.harness.plan import apply_overrides, grid_points, parse_seeds, plan_units  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
EXP = "length-scaling"


def _without_times(value):
    """A record without its wall times (any key naming seconds), recursively."""
    if isinstance(value, dict):
        return {k: _without_times(v) for k, v in value.items() if "seconds" not in k}
    if isinstance(value, list):
        return [_without_times(v) for v in value]
    return value


def _records(folder: Path) -> dict[str, dict]:
    """Every unit's record without its wall times, by key."""
    return {f.name: _without_times(json.loads(f.read_text())["record"])
            for f in sorted((folder / "units").glob("*.json"))}


def _cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "BOOLSENS_PROGRESS": "0", **(env or {})}
    return subprocess.run([sys.executable, "-m", "boolsens_cli", "experiment", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """An uninterrupted in-process run of the smoke grid."""
    out = tmp_path_factory.mktemp("reference")
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    return out


# ----------------------------------------------------------------------------- plans
def test_seeds_sets_and_grids_are_parsed_before_any_work():
    exp = registry.get(EXP)
    cfg = exp.config("smoke")
    assert parse_seeds("2-4") == (2, 3, 4) and parse_seeds("3") == (3,) and parse_seeds("0") == (0,)
    cfg2 = apply_overrides(cfg, ["train.lr=0.01", "ns=3,5"])
    assert cfg2.train.lr == 0.01 and cfg2.ns == (3, 5)
    for bad, match in [(["nosuch=1"], "no field 'nosuch'"), (["train.lr=abc"], "not a valid float"),
                       (["ns"], "field=value"), (["train.nosuch=1"], "no field")]:
        with pytest.raises(BoolsensError, match=match):
            apply_overrides(cfg, bad)
    for bad in ("-1", "x", "3-1", "1,1", "", "2,"):
        with pytest.raises(BoolsensError, match="--seeds"):
            parse_seeds(bad)
    assert grid_points(cfg, ["measure.rho=0.5,1.0", "measure.draws=2,4"]) == [
        {"measure.rho": 0.5, "measure.draws": 2}, {"measure.rho": 0.5, "measure.draws": 4},
        {"measure.rho": 1.0, "measure.draws": 2}, {"measure.rho": 1.0, "measure.draws": 4}]


def test_unit_keys_follow_the_settings_not_the_axes():
    exp = registry.get(EXP)
    cfg = exp.config("smoke")
    base = {u.key for u in plan_units(exp, cfg, [{}])}
    longer = {u.key for u in plan_units(exp, apply_overrides(cfg, ["ns=3,4,5"]), [{}])}
    assert base < longer and len(longer) == 6            # extending an axis keeps the keys
    changed = {u.key for u in plan_units(exp, apply_overrides(cfg, ["measure.rho=0.5"]), [{}])}
    assert not (base & changed)                          # a changed setting gives new keys


def test_an_added_field_enters_the_key_only_away_from_its_default():
    """Fields added after committed runs (``added_field``) keep the old keys at their defaults."""
    import dataclasses

    from empirical.harness.plan import added_field, key_settings, unit_key

    @dataclasses.dataclass(frozen=True)
    class Inner:
        width: int = 4
        kind: str = added_field("mlp")

    @dataclasses.dataclass(frozen=True)
    class Old:
        inner: Inner = dataclasses.field(default_factory=Inner)
        seeds: tuple = (0,)

    @dataclasses.dataclass(frozen=True)
    class Before:  # the config before ``kind`` was added
        inner: dict = dataclasses.field(default_factory=lambda: {"width": 4})
        seeds: tuple = (0,)

    assert key_settings(Old()) == {"inner": {"width": 4}, "seeds": [0]}
    assert unit_key("x", Old(), {"seed": 0}, ()) == unit_key("x", Before(), {"seed": 0}, ())
    other = Old(inner=Inner(kind="transformer"))
    assert key_settings(other)["inner"] == {"width": 4, "kind": "transformer"}
    assert unit_key("x", other, {"seed": 0}, ()) != unit_key("x", Old(), {"seed": 0}, ())


def test_command_line_errors_are_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    cases = [
        ([EXP, "--preset", "smoke", "--out", str(tmp_path / "a"), "--set", "nosuch=1"], "no field 'nosuch'"),
        ([EXP, "--preset", "smoke", "--out", str(tmp_path / "a"), "--seeds", "-3"], "--seeds"),
        ([EXP, "--preset", "smoke", "--out", ""], "--out=''"),
        ([EXP, "--preset", "smoke", "--out", str(ROOT / "README.md")], "is a file"),
        ([EXP, "--preset", "smoke", "--out", str(ROOT / "README.md" / "x")], "which is a file"),
        ([EXP, "--out", str(tmp_path / "empty"), "--analyze"], "not a finished run"),
        ([EXP, "--preset", "smoke", "--out", str(tmp_path / "a"), "--device", "tpu"], "device"),
        ([EXP, "--preset", "smoke", "--out", str(tmp_path / "a"), "--jobs", "0"], "--jobs"),
    ]
    for argv, match in cases:
        assert experiment_main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and match in err and "Traceback" not in err, (argv, err)


# ----------------------------------------------------------------------------- backends
@pytest.mark.slow
def test_local_pool_gives_the_same_records(reference, tmp_path):
    out = tmp_path / "pool"
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--jobs", "2", "--quiet"]) == 0
    assert _records(out) == _records(reference) and len(_records(out)) == 4


def test_results_csv_has_one_row_per_unit(reference):
    with open(reference / "results.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 4 and {r["task"] for r in rows} == {"parity", "first"}
    assert {"experiment", "unit", "task", "n", "seed", "loss_sharpness", "blowup_x_norm"} <= set(rows[0])
    units = {json.loads(f.read_text())["key"]: json.loads(f.read_text())["record"]
             for f in (reference / "units").glob("*.json")}
    for r in rows:
        assert float(r["loss_sharpness"]) == pytest.approx(units[r["unit"]]["loss_sharpness"], rel=1e-12)


@pytest.mark.slow
def test_ray_backend_retries_a_killed_worker_and_matches(reference, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "ray"
    marker = tmp_path / "killed-once"
    res = _cli([EXP, "--preset", "smoke", "--out", str(out), "--backend", "ray", "--jobs", "2", "--quiet"],
               env={"BOOLSENS_FAULT": "unit-start", "BOOLSENS_FAULT_MARKER": str(marker)})
    assert res.returncode == 0, res.stderr[-2000:]
    assert marker.exists()                     # one worker was killed as it started a unit ...
    assert _records(out) == _records(reference)  # ... retried by Ray, and nothing differs


# ----------------------------------------------------------------------------- crash safety
@pytest.mark.slow
@pytest.mark.parametrize("fault", ["checkpoint:1", "step:4"])
def test_a_killed_run_resumes_to_the_same_numbers(reference, tmp_path, fault):
    out = tmp_path / "killed"
    args = [EXP, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]
    killed = _cli(args, env={"BOOLSENS_FAULT": fault})
    assert killed.returncode == 137
    assert list((out / "checkpoints").glob("*.pt"))    # it died with a unit half-trained
    resumed = _cli(args)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert _records(out) == _records(reference)
    # the history logged before the kill is neither lost nor doubled
    ref = sorted(json.dumps(r, sort_keys=True) for r in _read_metrics(reference))
    got = sorted(json.dumps(r, sort_keys=True) for r in _read_metrics(out))
    assert got == ref


def _read_metrics(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "metrics.jsonl").read_text().splitlines() if line.strip()]


@pytest.mark.slow
def test_extending_the_grid_reuses_finished_units(reference, tmp_path):
    import shutil

    out = tmp_path / "extend"
    shutil.copytree(reference, out)
    stamps = {f.name: f.stat().st_mtime_ns for f in (out / "units").glob("*.json")}
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--set", "ns=3,4,5", "--jobs", "1",
                            "--quiet"]) == 0
    after = {f.name: f.stat().st_mtime_ns for f in (out / "units").glob("*.json")}
    assert len(after) == 6 and all(after[k] == v for k, v in stamps.items())
    summary = json.loads((out / "summary.json").read_text())
    assert summary["units"] == 6 and summary["wall_clock"]["cached_units"] == 4


@pytest.mark.slow
def test_analyze_rebuilds_the_report_without_training(reference, tmp_path):
    import shutil

    out = tmp_path / "analyze"
    shutil.copytree(reference, out)
    (out / "report.md").unlink()
    (out / "results.csv").unlink()
    # any unit that started would kill the process: --analyze must not start one
    res = _cli([EXP, "--out", str(out), "--analyze", "--quiet"],
               env={"BOOLSENS_FAULT": "unit-start", "BOOLSENS_FAULT_MARKER": str(tmp_path / "m")})
    assert res.returncode == 0, res.stderr[-2000:]
    assert (out / "report.md").exists() and (out / "results.csv").exists()
    assert not (tmp_path / "m").exists()


@pytest.mark.slow
def test_corrupt_unit_file_is_named_and_recomputed(reference, tmp_path, capsys):
    import shutil

    out = tmp_path / "corrupt"
    shutil.copytree(reference, out)
    victim = sorted((out / "units").glob("*.json"))[0]
    victim.write_text(victim.read_text()[:40])           # a file cut short
    other = sorted((out / "units").glob("*.json"))[1]
    other.write_text(json.dumps({"key": "someone-else", "record": {}}))  # the wrong unit's keys
    (out / "units" / ".stale.json.tmp123").write_text("left by a crash")
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    err = capsys.readouterr().err
    assert victim.name in err and other.name in err
    assert _records(out) == _records(reference)
    assert (out / "units" / (victim.name + ".corrupt")).exists()
    assert not (out / "units" / ".stale.json.tmp123").exists()


def test_torn_metrics_line_loses_no_record(tmp_path):
    from boolsens import storage

    path = tmp_path / "metrics.jsonl"
    storage.append_jsonl(path, {"step": 1})
    with open(path, "a") as fh:
        fh.write('{"step": 2, "lo')                   # a crash in the middle of an append
    storage.append_jsonl(path, {"step": 3})
    records, bad = storage.read_jsonl(path)
    assert [r["step"] for r in records] == [1, 3] and bad == 1


def test_a_full_disk_ends_in_one_line_and_keeps_finished_units(reference, tmp_path, monkeypatch, capsys):
    """The 3rd unit file write fails with ENOSPC: exit status 2, one line, the first units kept."""
    import errno

    from boolsens import storage

    real = storage.atomic_write_bytes
    calls = {"units": 0}

    def failing(path, data):
        if "/units/" in str(path):
            calls["units"] += 1
            if calls["units"] == 3:
                raise storage.StorageError(f"cannot write {path}: {os.strerror(errno.ENOSPC)}")
        return real(path, data)

    monkeypatch.setattr(storage, "atomic_write_bytes", failing)
    out = tmp_path / "full"
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "No space left on device" in err[-1] and "Traceback" not in "\n".join(err)
    assert len(list((out / "units").glob("*.json"))) == 2
    monkeypatch.setattr(storage, "atomic_write_bytes", real)
    assert experiment_main([EXP, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert _records(out) == _records(reference)


# ----------------------------------------------------------------------------- every experiment
def _unit_experiments() -> list[str]:
    return registry.names()


@pytest.mark.slow
@pytest.mark.parametrize("name", _unit_experiments())
def test_every_experiment_resumes_exactly_after_a_kill(name, tmp_path):
    """Killed right after its first checkpoint, then at a random training step, each smoke run
    resumes to exactly the numbers of an uninterrupted run (every unit record and every logged
    measurement)."""
    import random

    ref = tmp_path / "reference"
    assert experiment_main([name, "--preset", "smoke", "--out", str(ref), "--jobs", "1", "--quiet"]) == 0
    steps = len(_read_metrics(ref)) if (ref / "metrics.jsonl").exists() else 0
    k = random.Random(name).randint(2, 6)
    codes = []
    for fault in ("checkpoint:1", f"step:{k}"):
        out = tmp_path / fault.replace(":", "-")
        args = [name, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]
        killed = _cli(args, env={"BOOLSENS_FAULT": fault})
        assert killed.returncode in (0, 137), killed.stderr[-1500:]
        codes.append(killed.returncode)
        resumed = _cli(args)
        assert resumed.returncode == 0, resumed.stderr[-1500:]
        assert _records(out) == _records(ref), fault
        if steps:
            got = sorted(json.dumps(_without_times(r), sort_keys=True) for r in _read_metrics(out))
            want = sorted(json.dumps(_without_times(r), sort_keys=True) for r in _read_metrics(ref))
            assert got == want, fault
    # every training experiment's smoke run checkpoints, so both kills happened (random networks
    # are never trained: nothing to kill mid-unit)
    assert codes == [137, 137] or name in NO_TRAINING, codes


#: experiments whose units train nothing (no checkpoint, no step to kill at)
NO_TRAINING = {"random-init-sensitivity", "word-sensitivity"}


@pytest.mark.slow
def test_batched_seeds_give_the_same_records_up_to_rounding(tmp_path):
    """--batch-seeds trains the seeds of one setting at once (the GPU path, tested here on the CPU):
    the records equal one-at-a-time training up to float rounding."""
    a, b = tmp_path / "one", tmp_path / "batched"
    common = [EXP, "--preset", "smoke", "--n-seeds", "2", "--jobs", "1", "--quiet"]
    assert experiment_main(common + ["--out", str(a)]) == 0
    assert experiment_main(common + ["--out", str(b), "--batch-seeds", "2"]) == 0
    ra, rb = _records(a), _records(b)
    assert ra.keys() == rb.keys() and len(ra) == 8
    for key in ra:
        for field, v in ra[key].items():
            if isinstance(v, float):
                assert rb[key][field] == pytest.approx(v, rel=1e-3, abs=1e-9), (key, field)
            else:
                assert rb[key][field] == v, (key, field)
    notes = json.loads(next((b / "units").glob("*.json")).read_text())["notes"]
    assert any("trained together" in n for n in notes)
