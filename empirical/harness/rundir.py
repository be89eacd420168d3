"""The run folder: everything an experiment writes, crash-safe and resumable.

A run folder holds::

    config.json      experiment, preset, the frozen config, device, versions (written first)
    units/KEY.json   each finished unit of work (a task x n x seed, ...): its record and its whole
                     measurement history, written atomically (the source of everything below)
    metrics.jsonl    every unit's history, one JSON object per measurement ({"unit", "step", ...})
    results.csv      one row per unit (derived from the unit files)
    checkpoints/     the latest training state of unfinished units (deleted when a unit ends)
    *.png            figures (matplotlib, Agg backend)
    report.md        claim, measured numbers, verdict
    summary.json     what ``run`` returned, plus wall time (written last)

Every file goes through :mod:`boolsens.storage`: written to a temporary name and renamed into
place, so an interrupted run never leaves a half-written file (its temporaries are removed when
the next run starts). metrics.jsonl and results.csv are rebuilt from the unit files at the end of
every run and by ``--analyze`` (:func:`empirical.harness.runner.write_derived`), so a kill at any moment
loses nothing: after a rerun every file equals an uninterrupted run's except the wall-clock
values, which are named as such (``wall_clock`` in config.json and summary.json, keys containing
``seconds``, the report's "wall clock" line). Re-running
into the same folder skips finished units and resumes unfinished training from its last
checkpoint (same batches, same result as an uninterrupted run on CPU). A unit, config or
checkpoint file that cannot be read back raises :class:`boolsens.storage.CorruptFileError`
naming the file (delete it to recompute that unit).
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from boolsens import BoolsensError
from boolsens import storage
from boolsens.storage import CorruptFileError

from ..analysis.report import figure_png, report_markdown
from .runtime import environment, pick_device

__all__ = ["RunDir"]


def _environment(device: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the environment that stays the same between runs on one machine, the wall-clock part:
    when, and the load average). The driver's torch thread count is left out: each unit file
    records the threads its unit ran with."""
    env = environment(device)
    wall = {"utc": env.pop("utc")}
    if "loadavg_1_5_15" in env:
        wall["loadavg_1_5_15"] = env.pop("loadavg_1_5_15")
    env.pop("torch_threads", None)
    return env, wall


class RunDir:
    """A results folder (see the module docstring). ``device`` is where experiments should put
    their models (the CLI sets it with :func:`empirical.harness.runtime.pick_device`);
    ``show_progress`` switches the training progress bars (``None``: see
    :mod:`boolsens.progress`).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     rd = RunDir(d, device="cpu")
    ...     rd.unit("a", lambda: {"x": 1.5}), rd.unit("a", lambda: {"x": 2.0})   # the second is loaded
    ({'x': 1.5}, {'x': 1.5})
    """

    def __init__(self, path: str | os.PathLike, *, device: Any = None, show_progress: bool | None = None):
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise storage.StorageError(f"cannot create the run folder {self.path}: {exc.strerror}") from None
        self.device = pick_device() if device is None else device
        self.show_progress = show_progress
        self.t0 = time.perf_counter()

    # files ------------------------------------------------------------------
    def file(self, name: str) -> Path:
        """The path of ``name`` inside the run folder."""
        return self.path / name

    def write_json(self, name: str, obj: Any) -> Path:
        """Write ``obj`` (made JSON-able by :func:`boolsens.storage.to_jsonable`) to ``name`` atomically."""
        return storage.write_json(self.file(name), obj)

    def read_json(self, name: str) -> Any:
        """The JSON value in ``name``; ``None`` if it does not exist; a corrupt file raises."""
        return storage.read_json(self.file(name))

    def write_text(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` in the run folder, atomically; returns the path."""
        return storage.write_text(self.file(name), text)

    def append_metrics(self, record: dict[str, Any]) -> None:
        """Append one JSON line to metrics.jsonl (flushed and synced)."""
        storage.append_jsonl(self.file("metrics.jsonl"), record)

    def read_metrics(self, unit: str | None = None) -> list[dict[str, Any]]:
        """Every record of metrics.jsonl (of one ``unit`` if given), in file order, each as
        logged (with its ``stage`` or ``kind`` where it has one). A run of units rewrites the
        file from its unit files before the analysis, so it holds each measurement once; a line
        that is not JSON raises :class:`~boolsens.storage.CorruptFileError` naming the file
        (``--analyze`` rebuilds it)."""
        records, bad = storage.read_jsonl(self.file("metrics.jsonl"))
        if bad:
            raise CorruptFileError(self.file("metrics.jsonl"), f"{bad} line(s) are not JSON; run --analyze to "
                                   "rebuild it from the unit files")
        return [r for r in records if unit is None or r.get("unit") == unit]

    # config and summary -----------------------------------------------------
    def start(self, experiment: str, preset: str, config: Any) -> None:
        """Begin (or resume) a run: remove the temporaries an interrupted run left behind and
        write config.json; if the folder already holds a different config, refuse to mix."""
        storage.remove_stale_temporaries(self.path)
        record = {"experiment": experiment, "preset": preset, "config": storage.to_jsonable(config)}
        old = self.read_json("config.json")
        if old is not None:
            if not isinstance(old, dict):
                raise CorruptFileError(self.file("config.json"), "not a JSON object")
            if {k: old.get(k) for k in record} != record:
                raise BoolsensError(
                    f"{self.path} already holds a run of {old.get('experiment')}/{old.get('preset')} with a "
                    "different config; use another --out folder (a folder resumes only its own run)"
                )
            record["resumed"] = int(old.get("resumed", 0)) + 1
        record["run_kind"] = "exploratory"  # confirmatory runs are runs of units (start_plan)
        record["environment"], record["wall_clock"] = _environment(self.device)
        self.write_json("config.json", record)

    def start_plan(self, experiment: str, invocation: dict, config: Any, grid: list[dict], keys: list[str],
                   *, options: dict, declaration: dict | None = None) -> None:
        """Begin (or resume, or extend) a run of units: remove the temporaries an interrupted run
        left behind and write config.json with the invocation (preset and overrides, enough to
        rebuild the plan for ``--analyze``), the full config, the grid, the unit keys and the
        options (jobs, backend, torch threads, device). A folder holds one experiment; its units
        are cached by key, so another plan (a longer grid, more seeds) reuses those it shares and a
        changed setting gets new ones. ``run_kind`` is ``"confirmatory"`` when ``declaration`` (what
        :func:`empirical.harness.prereg.provenance` returns) is given, recorded under
        ``declaration``; ``"exploratory"`` otherwise."""
        storage.remove_stale_temporaries(self.path)
        old = self.read_json("config.json")
        if old is not None:
            if not isinstance(old, dict):
                raise CorruptFileError(self.file("config.json"), "not a JSON object")
            if old.get("experiment") != experiment:
                raise BoolsensError(f"{self.path} holds a run of {old.get('experiment')!r}, not {experiment!r}; "
                                    "use another --out folder")
        env, wall = _environment(self.device)
        invocations = ((old or {}).get("wall_clock") or {}).get("invocations", 0) + 1
        record = {"experiment": experiment, "run_kind": "confirmatory" if declaration else "exploratory"}
        if declaration:
            record["declaration"] = dict(declaration)
        record |= {"invocation": invocation, "config": storage.to_jsonable(config),
                  "grid": storage.to_jsonable(grid), "units": keys, "options": options,
                  "environment": env, "wall_clock": dict(wall, invocations=invocations)}
        self.write_json("config.json", record)

    def finish(self, summary: dict[str, Any], *, cached_units: int | None = None) -> Path:
        """summary.json: ``summary`` plus the environment, and under ``wall_clock`` what depends
        on this invocation (its wall time, when, the load, how many units were already done); the
        run's ``run_kind`` (and ``declaration``) from config.json."""
        cfg = self.read_json("config.json")
        cfg = cfg if isinstance(cfg, dict) else {}
        kind = {"run_kind": cfg.get("run_kind", "exploratory")}
        if "declaration" in cfg:
            kind["declaration"] = cfg["declaration"]
        summary = dict(summary, **kind)
        env, wall = _environment(self.device)
        wall["seconds_this_invocation"] = round(time.perf_counter() - self.t0, 2)
        if cached_units is not None:
            wall["cached_units"] = cached_units
        return self.write_json("summary.json", dict(summary, environment=env, wall_clock=wall))

    def unit_threads(self) -> list[int]:
        """The torch thread counts the units of this run (config.json's ``units``) ran with, as
        recorded in their unit files (sorted, distinct)."""
        cfg = self.read_json("config.json") or {}
        seen = set()
        for key in cfg.get("units", []):
            stored = self.read_json(f"units/{self._safe(key)}.json")
            if isinstance(stored, dict) and isinstance(stored.get("threads"), int):
                seen.add(stored["threads"])
        return sorted(seen)

    # units and checkpoints ---------------------------------------------------
    @staticmethod
    def _safe(key: str) -> str:
        if not key or any(c in key for c in "/\\\0") or key.startswith("."):
            raise BoolsensError(f"unit key={key!r} must be a non-empty name without slashes")
        return key

    def load_unit(self, key: str) -> dict[str, Any] | None:
        """The saved result of unit ``key`` or ``None``; a corrupt file raises naming it."""
        name = f"units/{self._safe(key)}.json"
        result = self.read_json(name)
        if result is not None and not isinstance(result, dict):
            raise CorruptFileError(self.file(name), "not a JSON object")
        return result

    def save_unit(self, key: str, result: dict[str, Any]) -> None:
        """Write unit ``key``'s record ``units/KEY.json`` and remove its checkpoint."""
        self.write_json(f"units/{self._safe(key)}.json", result)
        ck = self.checkpoint_path(key)
        if ck.exists():
            ck.unlink()

    def unit(self, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The saved result of unit ``key``, or ``compute()`` saved under that key."""
        done = self.load_unit(key)
        if done is not None:
            return done
        result = storage.to_jsonable(compute())
        self.save_unit(key, result)
        return result

    def context(self, key: str):
        """A :class:`~empirical.harness.runner.UnitContext` for unit ``key`` that keeps its checkpoint in
        this folder and also appends every logged measurement to metrics.jsonl (for experiments
        that run their units themselves)."""
        from .runner import UnitContext

        run_dir = self

        class _Context(UnitContext):
            def log(self, record: dict) -> None:
                super().log(record)
                run_dir.append_metrics(self.history[-1])

        return _Context(key=self._safe(key), device=self.device, checkpoint_dir=self.file("checkpoints"),
                        show_progress=self.show_progress)

    def checkpoint_path(self, key: str) -> Path:
        """The path of unit ``key``'s checkpoint (``checkpoints/KEY.pt``)."""
        return self.file(f"checkpoints/{self._safe(key)}.pt")

    def save_checkpoint(self, key: str, state: dict[str, Any]) -> None:
        """Save unit ``key``'s checkpoint ``state`` (torch.save), atomically."""
        import torch

        buf = io.BytesIO()
        torch.save(state, buf)
        storage.atomic_write_bytes(self.checkpoint_path(key), buf.getvalue())

    def load_checkpoint(self, key: str) -> dict[str, Any] | None:
        """The training state saved for ``key``, or ``None``; a file torch cannot read raises
        :class:`~boolsens.storage.CorruptFileError` naming it."""
        import torch

        p = self.checkpoint_path(key)
        if not p.exists():
            return None
        try:
            state = torch.load(p, map_location="cpu", weights_only=False)
        except Exception as exc:  # torch raises several types for a damaged file
            raise CorruptFileError(p, f"not a readable torch checkpoint ({type(exc).__name__}: {exc})") from None
        if not isinstance(state, dict) or "step" not in state:
            raise CorruptFileError(p, "not a training checkpoint (no 'step')")
        return state

    # figures and report --------------------------------------------------------
    def save_figure(self, fig: Any, name: str) -> Path:
        """Save a matplotlib figure as ``name`` (.png added if missing) atomically and close it;
        returns its path (``.name`` is what a report links to)."""
        if not name.endswith(".png"):
            name += ".png"
        return storage.atomic_write_bytes(self.file(name), figure_png(fig))

    def write_report(self, claim: str, numbers: dict[str, Any], verdict: str, *, title: str | None = None,
                     figures: Iterable[str] = (), notes: Iterable[str] = ()) -> Path:
        """report.md (see :func:`empirical.analysis.report.report_markdown`), with this run's config and
        environment."""
        cfg = self.read_json("config.json") or {}
        env = environment(self.device)
        if "invocation" in cfg:  # a run of units: its preset is in the invocation, its threads in its units
            cfg = dict(cfg, preset=cfg["invocation"].get("preset"))
            threads = self.unit_threads() or [cfg.get("options", {}).get("threads", env["torch_threads"])]
            env["torch_threads"] = " or ".join(map(str, threads))
        text = report_markdown(claim, numbers, verdict, title=title or cfg.get("experiment", "experiment"),
                               config=cfg, environment=env, figures=figures, notes=notes)
        return self.write_text("report.md", text)
