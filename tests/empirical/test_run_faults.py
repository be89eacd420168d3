"""Kills inside a unit's finishing writes: after a kill at any stage of any file write (a unit
file's temporary written but not renamed, renamed but its checkpoint not removed, metrics.jsonl
or results.csv half rebuilt, a figure or the report half written) and a rerun, every file of the
run folder equals an uninterrupted run's, byte for byte, except the wall-clock values (keys and
columns containing ``seconds`` or ``wall``, config.json's and summary.json's ``wall_clock``, the
report's "wall clock" line).

The fast test kills in-process (a :data:`boolsens.storage.fault_hook` that raises an exception no
code catches, so nothing after the kill point runs) at every write stage of a two-unit run; the
slow ones kill a real process (``BOOLSENS_FAULT=write:K``: ``os._exit(137)`` at the K-th write
stage) at random stages of the grokking, random-function-generalization and length-scaling smoke
runs, mostly inside the unit files' writes.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from boolsens import storage  # noqa: E402
from empirical.harness.cli import main as experiment_main  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
WALL = re.compile(r"seconds|wall")


# ----------------------------------------------------------------------------- comparing folders
def _mask(value):
    """A JSON value with every wall-clock entry's value replaced by "<wall>"."""
    if isinstance(value, dict):
        return {k: "<wall>" if WALL.search(k) else _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value


def _mask_markdown(text: str) -> str:
    """report.md with the wall-clock line, bullets and table columns masked."""
    out, wall_cols = [], set()
    for line in text.split("\n"):
        if line.startswith("- wall clock:") or (line.startswith("- ") and WALL.search(line.split(":", 1)[0])):
            line = line.split(":", 1)[0] + ": <wall>"
        elif line.startswith("|"):
            cells = line.split("|")
            if not set(line) <= set("|- :"):
                if not wall_cols and any(WALL.search(c) for c in cells):   # a header
                    wall_cols = {i for i, c in enumerate(cells) if WALL.search(c)}
                elif wall_cols:
                    cells = ["<wall>" if i in wall_cols else c for i, c in enumerate(cells)]
            line = "|".join(cells)
        else:
            wall_cols = set()
        out.append(line)
    return "\n".join(out)


def _mask_csv(text: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    cols = {i for i, c in enumerate(rows[0]) if WALL.search(c)} if rows else set()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(
        [r if n == 0 else ["<wall>" if i in cols else c for i, c in enumerate(r)] for n, r in enumerate(rows)])
    return buf.getvalue()


def snapshot(folder: Path) -> dict[str, object]:
    """Every file under ``folder`` (relative path -> contents, wall-clock values masked). A JSON
    file is compared as its text re-written from the masked value in the writer's own format
    (``storage.write_json``), after checking that the file is exactly that format."""
    out: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        if p.is_dir():
            continue
        rel, data = str(p.relative_to(folder)), p.read_bytes()
        if p.suffix == ".json":
            value = json.loads(data)
            assert data.decode() == json.dumps(value, indent=2) + "\n", rel
            out[rel] = json.dumps(_mask(value), indent=2)
        elif p.suffix == ".jsonl":
            out[rel] = [json.dumps(_mask(json.loads(line))) for line in data.decode().splitlines()]
        elif p.suffix == ".csv":
            out[rel] = _mask_csv(data.decode())
        elif p.suffix == ".md":
            out[rel] = _mask_markdown(data.decode())
        else:
            out[rel] = data
    return out


def assert_same_folder(got: Path, want: Path) -> None:
    a, b = snapshot(got), snapshot(want)
    assert sorted(a) == sorted(b), (sorted(set(a) ^ set(b)))
    for rel in a:
        assert a[rel] == b[rel], rel


def test_the_masks_hide_only_wall_clock_values():
    assert _mask({"wall_clock": {"utc": 1}, "train_seconds": 2.0, "loss": 3.0}) == \
        {"wall_clock": "<wall>", "train_seconds": "<wall>", "loss": 3.0}
    table = "| seed | train_seconds | acc |\n|---|---|---|\n| 0 | 1.5 | 0.9 |\n\n- wall clock: now\n- x: 1"
    assert _mask_markdown(table) == \
        "| seed | train_seconds | acc |\n|---|---|---|\n| 0 |<wall>| 0.9 |\n\n- wall clock: <wall>\n- x: 1"
    assert _mask_csv("a,wall_s\n1,2.5\n") == "a,wall_s\n1,<wall>\n"


# ----------------------------------------------------------------------------- in-process kills
class _Killed(BaseException):
    """What the in-process fault raises: no ``except Exception`` catches it, so nothing after the
    kill point runs (``finally`` blocks do, which the code under test has none of on this path)."""


def _stages(argv: list[str]) -> list[tuple[str, str]]:
    """The write stages (stage, path relative to --out) of an uninterrupted in-process run."""
    seen: list[tuple[str, str]] = []
    out = Path(argv[argv.index("--out") + 1])
    storage.fault_hook = lambda stage, path: seen.append((stage, str(Path(path).relative_to(out))))
    try:
        assert experiment_main(argv) == 0
    finally:
        storage.fault_hook = None
    return seen


def _run_killed_at(argv: list[str], k: int) -> None:
    count = {"n": 0}

    def hook(stage, path):
        count["n"] += 1
        if count["n"] == k:
            raise _Killed(f"{stage} {path}")

    storage.fault_hook = hook
    try:
        with pytest.raises(_Killed):
            experiment_main(argv)
    finally:
        storage.fault_hook = None


SMALL = ["length-scaling", "--preset", "smoke", "--set", "ns=3", "--jobs", "1", "--quiet"]


def _no_drawing(monkeypatch) -> None:
    """Figures as a stand-in (their drawing is 90 % of a small run's time; the slow tests compare
    the real PNGs byte for byte)."""
    from empirical.analysis import report
    from empirical.harness import rundir

    def stand_in(fig):
        report.pyplot().close(fig)
        return b"figure"

    monkeypatch.setattr(rundir, "figure_png", stand_in)


def test_a_kill_inside_a_unit_files_write_loses_nothing(tmp_path, monkeypatch):
    """length-scaling smoke at n = 3 (2 units), killed with the second unit's file written to its
    temporary but not renamed, and again with the first unit's file renamed but nothing after it
    done; each rerun gives exactly the uninterrupted run's files (figures drawn as stand-ins)."""
    _no_drawing(monkeypatch)
    ref = tmp_path / "reference"
    stages = _stages(SMALL + ["--out", str(ref)])
    unit_files = [(i + 1, s, p) for i, (s, p) in enumerate(stages) if p.startswith("units/")]
    assert [s for _, s, _ in unit_files] == ["open", "written", "renamed"] * 2
    for k in (unit_files[4][0], unit_files[2][0]):
        out = tmp_path / f"killed-{k}"
        _run_killed_at(SMALL + ["--out", str(out)], k)
        assert experiment_main(SMALL + ["--out", str(out)]) == 0
        assert_same_folder(out, ref)


@pytest.mark.slow
def test_a_kill_at_every_write_stage_loses_nothing(tmp_path, monkeypatch):
    """The same run killed at each of its write stages in turn (config.json, every checkpoint,
    the unit files, metrics.jsonl, results.csv, figures, report, summary), then rerun. A second
    uninterrupted run first shows that the comparison is meaningful. Figures are stand-ins (the
    real-kill tests below compare the real PNGs)."""
    _no_drawing(monkeypatch)
    ref = tmp_path / "reference"
    stages = _stages(SMALL + ["--out", str(ref)])
    _stages(SMALL + ["--out", str(tmp_path / "again")])
    assert_same_folder(tmp_path / "again", ref)
    for k in range(1, len(stages) + 1):
        out = tmp_path / f"killed-{k}"
        _run_killed_at(SMALL + ["--out", str(out)], k)
        assert experiment_main(SMALL + ["--out", str(out)]) == 0
        assert_same_folder(out, ref)


# ----------------------------------------------------------------------------- real kills
def _cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    full = {**os.environ, "BOOLSENS_PROGRESS": "0", **env}
    return subprocess.run([sys.executable, "-m", "boolsens_cli", "experiment", *args], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=900)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["grokking", "random-function-generalization", "length-scaling"])
def test_a_killed_process_resumes_to_the_same_files(name, tmp_path):
    """Three SIGKILL-like deaths (``os._exit(137)``) per experiment: two at random stages of the
    unit files' writes (temporary open, written, renamed), one at a random write stage of the
    whole run; each resumed by a rerun to exactly the uninterrupted run's files."""
    common = [name, "--preset", "smoke", "--jobs", "1", "--quiet"]
    ref = tmp_path / "reference"
    stages = _stages(common + ["--out", str(ref)])
    in_unit_files = [i + 1 for i, (s, p) in enumerate(stages) if p.startswith("units/")]
    rng = random.Random(name)
    chosen = rng.sample(in_unit_files, 2) + [rng.randint(1, len(stages))]
    for k in chosen:
        out = tmp_path / f"killed-{k}"
        killed = _cli(common + ["--out", str(out)], {"BOOLSENS_FAULT": f"write:{k}"})
        assert killed.returncode == 137, (k, stages[k - 1], killed.stderr[-1500:])
        assert experiment_main(common + ["--out", str(out)]) == 0
        assert_same_folder(out, ref)
