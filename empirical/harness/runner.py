"""Running the units of an experiment: in this process, on a local process pool, or as Ray tasks.

Whatever the backend and the number of jobs, each unit runs the same code with the same fixed
number of torch threads (``threads``, recorded in config.json) and its own seeds, so the records
are identical bit for bit on the CPU. Workers compute and return; only this driver process writes
the run folder: ``units/KEY.json`` as each unit finishes, written atomically with everything the
unit measured (its record and its whole measurement history); when every unit is done,
:func:`write_derived` rewrites ``metrics.jsonl`` and ``results.csv`` from the unit files (so they
can always be rebuilt: ``--analyze`` does), then the analysis writes the report, the figures and
``summary.json``.

Crash safety and resume: the unit file is the single source of truth. It appears atomically or not
at all, so a kill at any moment leaves either a finished unit with its full history or an
unfinished one; nothing else in the folder is read back. A finished unit is never recomputed (its
file is its cache); a unit
interrupted mid-training resumes from its last checkpoint, which holds every piece of state the
unit uses (model, optimizer, every random generator, the history logged so far), so a resumed
unit's record equals an uninterrupted one. Checkpoints live in ``checkpoints/`` of the run folder
(local backends) or in a node-local scratch folder (Ray, whose workers may be other machines);
they are deleted when the unit finishes (and any a kill left behind when the run ends).

A unit file holds ``key``, ``unit`` (its parameters), ``grid`` (its ``--grid`` point),
``record``, ``history`` (every measurement it logged, in order, each ``{"unit": KEY, "step": ...}``),
``notes``, ``threads`` (the torch threads it ran with) and ``wall_seconds``. Wall-clock values are
the only ones that differ between runs: everywhere in the folder they are named ``*seconds*`` or
``wall*`` (``wall_clock`` in config.json and summary.json).

Backends
--------
``local`` (default): one job runs in this process; more jobs use a process pool (``spawn``), one
unit per worker at a time. ``ray``: each unit is a Ray task (``pip install "boolsens[ray]"``),
on a local Ray instance or a cluster (``ray_address``); a worker that dies is retried
(``max_retries``), and the retried unit resumes from its node-local checkpoint when it lands on
the same node, or starts again, with the same result either way.

Fault injection (for the tests): the environment variable ``BOOLSENS_FAULT`` set to
``checkpoint:K`` kills the process (``os._exit(137)``) right after the K-th checkpoint it writes,
``step:K`` right after the K-th training step of a unit; ``unit-start`` kills a worker when it
starts a unit whose marker file (``BOOLSENS_FAULT_MARKER``) does not exist yet, creating it;
``write:K`` kills this (driver) process at the K-th stage of a file write (every stage of every
atomic write or append: :data:`boolsens.storage.fault_hook`), e.g. between a unit file's temporary
and its rename. ``BOOLSENS_FAULT_LOG=PATH`` appends one line ``stage file`` per write stage to
PATH (how a test learns where the K-th stage falls).
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from boolsens import storage
from boolsens.errors import BoolsensError as CommandLineError
from boolsens.progress import bar

from .plan import PlannedUnit

__all__ = ["UnitContext", "UnitResult", "execute_unit", "run_units", "write_derived", "write_results_csv", "fault",
           "check_ray_backend"]


# ----------------------------------------------------------------------------- fault injection
_FAULT_COUNTS: dict[str, int] = {}


def fault(event: str) -> None:
    """Kill this process at the event named by ``BOOLSENS_FAULT`` (tests of crash safety)."""
    spec = os.environ.get("BOOLSENS_FAULT")
    if not spec:
        return
    kind, _, count = spec.partition(":")
    if kind == "unit-start" and event == "unit-start":
        marker = os.environ.get("BOOLSENS_FAULT_MARKER")
        if marker and not os.path.exists(marker):
            Path(marker).write_text("killed once\n")
            os._exit(137)
        return
    if kind != event:
        return
    _FAULT_COUNTS[event] = _FAULT_COUNTS.get(event, 0) + 1
    if _FAULT_COUNTS[event] == int(count or 1):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(137)


def install_write_faults() -> None:
    """Set :data:`boolsens.storage.fault_hook` from ``BOOLSENS_FAULT=write:K`` and
    ``BOOLSENS_FAULT_LOG`` (see the module docstring); nothing otherwise."""
    spec = os.environ.get("BOOLSENS_FAULT", "")
    log = os.environ.get("BOOLSENS_FAULT_LOG")
    if not spec.startswith("write:") and not log:
        return

    def hook(stage: str, path: Path) -> None:
        if log:
            with open(log, "a") as fh:
                fh.write(f"{stage} {path}\n")
        if spec.startswith("write:"):
            fault("write")

    storage.fault_hook = hook


# ----------------------------------------------------------------------------- the unit's context
@dataclass
class UnitContext:
    """What a unit may use besides its config and parameters: the device, a place for its
    checkpoint, and a log of measurements (its history, returned with its record)."""

    key: str
    device: Any = "cpu"
    checkpoint_dir: Path | None = None
    show_progress: bool | None = False
    history: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def log(self, record: dict) -> None:
        """Add one measurement (``{"step": ..., ...}``) to the unit's history."""
        self.history.append(storage.to_jsonable({"unit": self.key, **record}))

    @property
    def checkpoint_path(self) -> Path | None:
        """The path of this unit's checkpoint, or None when the unit has no checkpoint folder."""
        return None if self.checkpoint_dir is None else Path(self.checkpoint_dir) / f"{self.key}.pt"

    def save_checkpoint(self, state: dict) -> None:
        """Write ``state`` plus the history so far, atomically (torch.save)."""
        path = self.checkpoint_path
        if path is None:
            return
        import torch

        buf = io.BytesIO()
        torch.save({"state": state, "history": list(self.history)}, buf)
        storage.atomic_write_bytes(path, buf.getvalue())
        fault("checkpoint")

    def load_checkpoint(self) -> dict | None:
        """The last saved state (restoring the history with it), or None. A checkpoint that
        cannot be read (cut short by a crash, corrupted) is reported, deleted and ignored: the
        unit starts again from the beginning, which gives the same result."""
        path = self.checkpoint_path
        if path is None or not path.exists():
            return None
        import torch

        try:
            blob = torch.load(path, map_location="cpu", weights_only=False)
            state, history = blob["state"], blob["history"]
        except Exception as exc:  # noqa: BLE001 - any unreadable checkpoint is handled the same way
            self.notes.append(f"checkpoint {path} could not be read ({type(exc).__name__}); the unit restarted")
            print(f"boolsens experiment: {path} is corrupt ({type(exc).__name__}: {exc}); "
                  "restarting that unit from the beginning", file=sys.stderr)
            path.unlink(missing_ok=True)
            return None
        self.history = list(history)
        return state

    def clear_checkpoint(self) -> None:
        """Delete this unit's checkpoint, if any."""
        path = self.checkpoint_path
        if path is not None:
            path.unlink(missing_ok=True)


@dataclass
class UnitResult:
    """A finished unit: its plan entry, its record and its measurement history."""

    unit: PlannedUnit
    record: dict
    history: list[dict]
    seconds: float
    cached: bool = False


# ----------------------------------------------------------------------------- one unit
def execute_unit(experiment_name: str, unit: PlannedUnit, *, device: str, threads: int,
                 checkpoint_dir: str | None, show_progress: bool | None = False) -> dict:
    """Run one unit (in whatever process this is) and return ``{"record", "history", "seconds",
    "notes", "threads"}``. The global random generators are reseeded first
    (:func:`empirical.harness.plan.derive_seed` of the unit's seed and key), so a unit that (wrongly) draws
    from them still gives the same numbers in any process."""
    import torch

    from boolsens.torch_runtime import set_torch_threads

    from .plan import derive_seed
    from .registry import get
    from .runtime import seed_everything

    exp = get(experiment_name)
    set_torch_threads(threads)
    seed_everything(derive_seed(int(unit.params["seed"]), "global generators", unit.key))
    fault("unit-start")
    ctx = UnitContext(key=unit.key, device=device, checkpoint_dir=Path(checkpoint_dir) if checkpoint_dir else None,
                      show_progress=show_progress)
    t0 = time.perf_counter()
    record = exp.run_unit(unit.config, dict(unit.params), ctx)
    if not isinstance(record, dict):
        raise TypeError(f"{experiment_name}.run_unit returned {type(record).__name__}, not a dict")
    ctx.clear_checkpoint()
    return {"record": storage.to_jsonable(record), "history": ctx.history, "seconds": time.perf_counter() - t0,
            "notes": ctx.notes, "threads": torch.get_num_threads()}


def execute_units_batched(experiment_name: str, units: Sequence[PlannedUnit], *, device: str,
                          threads: int) -> list[dict]:
    """Run units that differ only in their seed together (``run_units_batched``, e.g. K seeds of
    one model trained at once on a GPU); outputs as :func:`execute_unit`'s, one per unit. Batched
    units keep no checkpoint: an interrupted group starts again (its finished groups are kept)."""
    import torch

    from boolsens.torch_runtime import set_torch_threads

    from .registry import get

    exp = get(experiment_name)
    set_torch_threads(threads)
    ctxs = [UnitContext(key=u.key, device=device, checkpoint_dir=None, show_progress=False) for u in units]
    t0 = time.perf_counter()
    records = exp.run_units_batched(units[0].config, [dict(u.params) for u in units], ctxs)
    seconds = (time.perf_counter() - t0) / len(units)
    return [{"record": storage.to_jsonable(r), "history": c.history, "seconds": seconds,
             "notes": c.notes + [f"trained together with {len(units) - 1} other seed(s)"],
             "threads": torch.get_num_threads()}
            for r, c in zip(records, ctxs)]


def _seed_groups(units: Sequence[PlannedUnit], size: int) -> list[list[PlannedUnit]]:
    """Units that differ only in their seed (same config, same other parameters), in groups of at
    most ``size``, in plan order."""
    groups: dict[tuple, list[PlannedUnit]] = {}
    for u in units:
        key = (id(u.config), tuple(sorted((k, str(v)) for k, v in u.params.items() if k != "seed")))
        groups.setdefault(key, []).append(u)
    out = []
    for members in groups.values():
        out += [members[i:i + size] for i in range(0, len(members), size)]
    return out


def _worker_init(threads: int) -> None:  # pragma: no cover - runs in pool workers
    from boolsens.torch_runtime import set_torch_threads

    set_torch_threads(threads)
    os.environ.setdefault("BOOLSENS_PROGRESS", "0")


# ----------------------------------------------------------------------------- the driver
def _load_cached(run_dir: Any, unit: PlannedUnit) -> dict | None:
    """The finished unit's stored result, or None. A file that cannot be read, or that holds
    another unit, is renamed to ``*.corrupt`` (kept for inspection), reported, and recomputed."""
    path = run_dir.file(f"units/{unit.key}.json")
    try:
        stored = storage.read_json(path)
    except storage.CorruptFileError as exc:
        stored, problem = None, str(exc)
    else:
        if stored is None:
            return None
        ok = isinstance(stored, dict) and stored.get("key") == unit.key and isinstance(stored.get("record"), dict) \
            and stored.get("unit") == storage.to_jsonable(unit.params) and isinstance(stored.get("history"), list)
        if ok:
            return stored
        problem = f"{path} does not hold unit {unit.key} with its history (wrong or missing keys)"
    aside = path.with_name(path.name + ".corrupt")
    os.replace(path, aside)
    print(f"boolsens experiment: {problem}; moved to {aside.name}, recomputing that unit", file=sys.stderr)
    return None


def run_units(experiment_name: str, units: Sequence[PlannedUnit], run_dir: Any, *, jobs: int = 1,
              backend: str = "local", ray_address: str | None = None, threads: int = 1, device: str = "cpu",
              show_progress: bool | None = None, max_retries: int = 3, batch_seeds: int = 1) -> list[UnitResult]:
    """Run every unit not finished yet; return all results in plan order. A unit that raises is
    reported with its traceback's last line; the others still run; then a ``RuntimeError`` lists
    the failures (their finished neighbours are saved)."""
    install_write_faults()
    results: dict[str, UnitResult] = {}
    pending: list[PlannedUnit] = []
    for u in units:
        stored = _load_cached(run_dir, u)
        if stored is None:
            pending.append(u)
        else:
            results[u.key] = UnitResult(u, stored["record"], stored["history"], float(stored.get("wall_seconds", 0.0)),
                                        cached=True)
    failures: dict[str, str] = {}
    counts = {"done": 0, "running": 0, "cached": len(results), "failed": 0}

    with bar(len(units), desc=f"{experiment_name} units", initial=len(results), unit="unit",
             enabled=show_progress) as progress:
        def status() -> None:
            if not progress.disable:
                progress.set_postfix(counts, refresh=True)

        def finish(u: PlannedUnit, out: dict | None, error: str | BaseException | None) -> None:
            counts["running"] = max(0, counts["running"] - 1)
            if isinstance(error, BaseException):
                stop = _stops_the_run(error, counts["done"])
                if stop is not None:
                    raise stop from None
                error = _one_line(error)
            if error is not None:
                failures[u.key] = error
                counts["failed"] += 1
                print(f"boolsens experiment: unit {u.key} failed: {error}", file=sys.stderr)
            else:
                # one atomic write holds everything the unit measured: it is done, or it is not
                _write_unit_file(run_dir, u, out, counts["done"])
                fault("unit-written")
                results[u.key] = UnitResult(u, out["record"], out["history"], out["seconds"])
                counts["done"] += 1
            progress.update(1)
            status()

        status()
        from .registry import get

        if pending and batch_seeds > 1 and get(experiment_name).run_units_batched is not None:
            for group in _seed_groups(pending, batch_seeds):
                counts["running"] = len(group)
                status()
                try:
                    outs = execute_units_batched(experiment_name, group, device=device, threads=threads)
                except KeyboardInterrupt:
                    raise
                except Exception as exc:  # noqa: BLE001 - reported per unit
                    for u in group:
                        finish(u, None, exc)
                else:
                    for u, out in zip(group, outs):
                        finish(u, out, None)
        elif pending:
            if backend == "ray":
                _run_ray(experiment_name, pending, finish, counts, status, jobs=jobs, address=ray_address,
                         threads=threads, device=device, max_retries=max_retries, run_dir=run_dir)
            elif jobs <= 1:
                ckpt = str(run_dir.file("checkpoints"))
                for u in pending:
                    counts["running"] = 1
                    status()
                    try:
                        out = execute_unit(experiment_name, u, device=device, threads=threads, checkpoint_dir=ckpt,
                                           show_progress=False if not progress.disable else show_progress)
                    except KeyboardInterrupt:
                        raise
                    except Exception as exc:  # noqa: BLE001 - reported per unit
                        finish(u, None, exc)
                    else:
                        finish(u, out, None)
            else:
                _run_pool(experiment_name, pending, finish, counts, status, jobs=jobs, threads=threads,
                          device=device, checkpoint_dir=str(run_dir.file("checkpoints")))
    if failures:
        listed = "; ".join(f"{k}: {v}" for k, v in list(failures.items())[:3])
        raise RuntimeError(f"{len(failures)} of {len(units)} units failed ({listed}); the {counts['done']} finished "
                           "ones are saved: fix the cause and run the same command again to resume")
    return [results[u.key] for u in units]


def _write_unit_file(run_dir: Any, u: PlannedUnit, out: dict, done: int) -> None:
    try:
        storage.write_json(run_dir.file(f"units/{u.key}.json"),
                           {"key": u.key, "unit": u.params, "grid": u.grid, "record": out["record"],
                            "history": out["history"], "notes": out.get("notes", []),
                            "threads": out.get("threads"), "wall_seconds": out["seconds"]})
    except storage.StorageError as exc:
        raise _stops_the_run(exc, done) from None


def _stops_the_run(exc: BaseException, done: int) -> BaseException | None:
    """A failure that would fail every later unit the same way (a full disk, a folder that
    cannot be written: :class:`~boolsens.storage.StorageError` or such an ``OSError``, also
    inside a Ray task's error): the error to stop the run with, one line; None otherwise."""
    import errno

    cause = getattr(exc, "cause", None) or exc   # a RayTaskError carries the worker's exception
    disk = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES)
    if isinstance(cause, storage.StorageError) or (isinstance(cause, OSError) and cause.errno in disk):
        text = str(cause) if isinstance(cause, storage.StorageError) else \
            f"cannot write {cause.filename or 'a result file'}: {cause.strerror}"
        return storage.StorageError(f"{text}; the run stopped there, {done} finished unit(s) are saved: free space "
                                    "(or fix the folder) and run the same command again to resume")
    return None


def _one_line(exc: BaseException) -> str:
    last = traceback.format_exception(type(exc), exc, exc.__traceback__)[-1].strip()
    return last.replace("\n", " ")


def _run_pool(experiment_name, pending, finish, counts, status, *, jobs, threads, device, checkpoint_dir) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")
    queue = list(pending)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_init,
                             initargs=(threads,)) as pool:
        running: dict[Any, PlannedUnit] = {}

        def submit() -> None:
            while queue and len(running) < jobs:
                u = queue.pop(0)
                running[pool.submit(execute_unit, experiment_name, u, device=device, threads=threads,
                                    checkpoint_dir=checkpoint_dir, show_progress=False)] = u
                counts["running"] = len(running)
            status()

        submit()
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                u = running.pop(fut)
                try:
                    out = fut.result()
                except BrokenProcessPool:
                    raise RuntimeError("a worker process died (killed or out of memory); the finished units are "
                                       "saved: run the same command again to resume") from None
                except Exception as exc:  # noqa: BLE001
                    finish(u, None, exc)
                else:
                    finish(u, out, None)
            submit()


def check_ray_backend(address: str | None, *, timeout: float = 10.0) -> None:
    """Refuse ``--backend ray`` before anything is written when Ray is not installed or when
    nothing answers at ``address`` (``HOST:PORT`` or ``ray://HOST:PORT``; a TCP connection is
    tried for at most ``timeout`` seconds, where Ray itself would retry for minutes). ``None`` or
    ``"auto"`` (a local instance, or ``RAY_ADDRESS``) is left to Ray."""
    import importlib.util
    import socket

    if importlib.util.find_spec("ray") is None:
        raise CommandLineError("--backend ray needs Ray: pip install 'boolsens[ray]'")
    if address is None or address == "auto":
        return
    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandLineError(f"--ray-address={address!r} must look like HOST:PORT or ray://HOST:PORT")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as exc:
        raise CommandLineError(f"--ray-address={address!r}: nothing answers there ({exc.strerror or exc}); start "
                               "the cluster, or leave --ray-address out for a local Ray instance") from None


def _run_ray(experiment_name, pending, finish, counts, status, *, jobs, address, threads, device, max_retries,
             run_dir) -> None:
    try:
        import ray
    except ImportError:
        raise CommandLineError("--backend ray needs Ray: pip install 'boolsens[ray]'") from None
    started_here = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"ignore_reinit_error": True, "log_to_driver": False,
                                  "include_dashboard": False}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = jobs
        # the workers must import the same code as this driver
        root = str(Path(__file__).resolve().parents[2])
        kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]),
                                              "BOOLSENS_PROGRESS": "0",
                                              **{k: v for k, v in os.environ.items() if k.startswith("BOOLSENS_")}}}
        try:
            ray.init(**kwargs)
        except (ConnectionError, TimeoutError) as exc:
            raise CommandLineError(f"--ray-address={address!r}: Ray could not connect ({_one_line(exc)})") from None
        started_here = True
    scratch = str(Path(tempfile.gettempdir()) / "boolsens-checkpoints" / Path(run_dir.path).resolve().name)
    remote = ray.remote(num_cpus=threads, max_retries=max_retries)(_ray_unit)
    try:
        refs = {}
        for u in pending:
            refs[remote.remote(experiment_name, u, device, threads, scratch)] = u
        counts["running"] = min(len(refs), jobs)
        status()
        remaining = list(refs)
        while remaining:
            done, remaining = ray.wait(remaining, num_returns=1)
            for ref in done:
                u = refs[ref]
                try:
                    out = ray.get(ref)
                except Exception as exc:  # noqa: BLE001 - a task error (after its retries)
                    finish(u, None, exc)
                else:
                    finish(u, out, None)
            counts["running"] = min(len(remaining), jobs)
    finally:
        if started_here:
            ray.shutdown()


def _ray_unit(experiment_name: str, unit: PlannedUnit, device: str, threads: int, checkpoint_dir: str) -> dict:
    return execute_unit(experiment_name, unit, device=device, threads=threads, checkpoint_dir=checkpoint_dir,
                        show_progress=False)


# ----------------------------------------------------------------------------- the tidy table
def _flatten(prefix: str, value: Any, out: dict) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, (bool, int, float, str)) or value is None:
        out[prefix] = value


def write_metrics_jsonl(results: Sequence[UnitResult], run_dir: Any) -> Path:
    """``metrics.jsonl``: every unit's history (from its unit file), in plan order, one JSON object
    per line, written atomically (derived: the unit files are the source)."""
    lines = [json.dumps(rec) + "\n" for r in results for rec in r.history]
    return storage.write_text(run_dir.file("metrics.jsonl"), "".join(lines))


def write_derived(experiment_name: str, results: Sequence[UnitResult], run_dir: Any) -> None:
    """Rebuild everything derived from the finished units' files, atomically, and tidy up after
    a kill: ``metrics.jsonl``, ``results.csv``, no checkpoint of a finished unit (a kill between
    a unit's file and its checkpoint's removal leaves one), no empty ``checkpoints/``. Called at
    the end of every run and by ``--analyze``; the analysis (report, figures) follows."""
    write_metrics_jsonl(results, run_dir)
    write_results_csv(experiment_name, results, run_dir)
    ckpt = Path(run_dir.file("checkpoints"))
    for r in results:
        (ckpt / f"{r.unit.key}.pt").unlink(missing_ok=True)
    try:
        ckpt.rmdir()  # only if empty: other plans' unfinished units keep theirs
    except OSError:
        pass


def write_results_csv(experiment_name: str, results: Sequence[UnitResult], run_dir: Any) -> Path:
    """``results.csv``: one row per unit with the experiment, the unit key, every setting that
    varies across the units (the unit's parameters and the ``--grid`` fields), the seed and every
    scalar of its record (nested dicts flattened as ``a.b``; lists are left out, they are in the
    unit's JSON). Loadable with ``pandas.read_csv`` or the ``csv`` module."""
    rows = []
    for r in results:
        row: dict[str, Any] = {"experiment": experiment_name, "unit": r.unit.key}
        for k, v in {**r.unit.grid, **r.unit.params}.items():
            row[k] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v
        metrics: dict[str, Any] = {}
        _flatten("", r.record, metrics)
        for k, v in metrics.items():
            row.setdefault(k, v)
        rows.append(row)
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return storage.write_text(run_dir.file("results.csv"), buf.getvalue())
