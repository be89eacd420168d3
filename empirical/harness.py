"""The run harness: device choice, seeding, a results folder written atomically, resumable
training with checkpoints, a progress bar, reports and figures.

A run folder holds::

    config.json      experiment, preset, the frozen config, device, versions (written first)
    metrics.jsonl    one JSON object per measurement ({"unit": ..., "step": ..., ...})
    units/KEY.json   the result of each finished unit of work (a task x n x seed, ...)
    checkpoints/     the latest training state of unfinished units (deleted when a unit ends)
    *.png            figures (matplotlib, Agg backend)
    report.md        claim, measured numbers, verdict
    summary.json     what ``run`` returned, plus wall time (written last)

Every file is written to a temporary name and renamed into place, so an interrupted run never
leaves a half-written file; re-running into the same folder skips finished units and resumes
unfinished training from its last checkpoint (same batches, same result as an uninterrupted run
on CPU).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import io
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

__all__ = [
    "pick_device",
    "seed_everything",
    "environment",
    "RunDir",
    "Progress",
    "TrainResult",
    "train",
    "to_jsonable",
    "markdown_table",
    "fit_line",
    "pyplot",
]


# --------------------------------------------------------------------------- device and seeds
def pick_device(prefer: str | None = None):
    """``torch.device``: ``prefer`` if given ("cpu", "cuda", "cuda:1"), else CUDA when present,
    else CPU. Asking for CUDA on a machine without it raises."""
    import torch

    if prefer is not None:
        dev = torch.device(prefer)
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise ValueError(f"device={prefer!r} requested but CUDA is not available here")
        if dev.type not in ("cpu", "cuda"):
            raise ValueError(f"device={prefer!r} must be 'cpu' or 'cuda[:k]'")
        return dev
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's global generators. The harness itself never relies on
    them (it passes explicit ``torch.Generator``s), but third-party code might."""
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed={seed!r} must be a non-negative integer")
    random.seed(int(seed))
    np.random.seed(int(seed) % (2**32))
    torch.manual_seed(int(seed))


def environment(device: Any = None) -> dict[str, Any]:
    """Versions, device, thread count and load average (timings are only meaningful with them)."""
    import torch

    env = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "numpy": np.__version__,
        "device": str(device) if device is not None else str(pick_device()),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    try:
        env["loadavg_1_5_15"] = [round(v, 2) for v in os.getloadavg()]
    except OSError:
        pass
    if device is not None and str(device).startswith("cuda"):
        env["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return env


# --------------------------------------------------------------------------- json helpers
def to_jsonable(obj: Any) -> Any:
    """Dataclasses, numpy scalars/arrays, tensors, paths and tuples -> plain JSON values."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    if type(obj).__module__.startswith("torch") and hasattr(obj, "tolist"):
        return to_jsonable(obj.tolist())
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    return str(obj)


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v == 0 or (1e-3 <= abs(v) < 1e5):
            return f"{v:.4g}"
        return f"{v:.3e}"
    return str(v)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """A list of dicts (keys in order of first appearance) as a Markdown table.

    >>> print(markdown_table([{"n": 4, "sharpness": 0.00312}, {"n": 6, "sharpness": 0.5}]), end="")
    | n | sharpness |
    |---|---|
    | 4 | 0.00312 |
    | 6 | 0.5 |
    """
    if not rows:
        return "(no rows)\n"
    cols = list(rows[0])
    for r in rows[1:]:
        cols += [c for c in r if c not in cols]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(_fmt(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def fit_line(x: Iterable[float], y: Iterable[float]) -> dict[str, float]:
    """Least-squares line y = a + b x: slope b, its standard error, intercept a, and the number
    of points. With fewer than 3 points the standard error is ``nan``.

    >>> fit = fit_line([1, 2, 3], [1.0, 3.0, 5.0])
    >>> round(fit["slope"], 6), round(fit["intercept"], 6), fit["points"]
    (2.0, -1.0, 3)
    """
    x = np.asarray(list(x), dtype=float)
    y = np.asarray(list(y), dtype=float)
    if x.shape != y.shape or x.size < 2:
        raise ValueError(f"fit_line needs two equal-length sequences of >= 2 points; got {x.size} and {y.size}")
    xm, ym = x.mean(), y.mean()
    sxx = float(((x - xm) ** 2).sum())
    if sxx == 0:
        raise ValueError("fit_line: all x are equal; a slope is undefined")
    b = float(((x - xm) * (y - ym)).sum() / sxx)
    a = float(ym - b * xm)
    if x.size > 2:
        resid = y - (a + b * x)
        se = float(math.sqrt((resid**2).sum() / (x.size - 2) / sxx))
    else:
        se = float("nan")
    return {"slope": b, "slope_se": se, "intercept": a, "points": int(x.size)}


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend (figures go to PNG files)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


# --------------------------------------------------------------------------- progress bar
class Progress:
    """A one-line progress bar on stderr: ``desc step 120/1000 loss 0.0123 12.3s eta 1:31``.

    Shown when stderr is a terminal, or always when ``BOOLSENS_PROGRESS=1`` (then, off a
    terminal, one line every ``line_every`` seconds instead of redrawing); never when
    ``BOOLSENS_PROGRESS=0`` or ``enabled=False``.
    """

    def __init__(self, total: int, *, desc: str = "", start: int = 0, enabled: bool | None = None,
                 line_every: float = 10.0):
        env = os.environ.get("BOOLSENS_PROGRESS")
        tty = sys.stderr.isatty()
        if enabled is None:
            enabled = (env not in ("0", "", "false", "no")) if env is not None else tty
        self.enabled = bool(enabled)
        self.tty = tty
        self.total = int(total)
        self.desc = desc
        self.start_step = int(start)
        self.t0 = time.perf_counter()
        self.last = -1e9
        self.line_every = line_every if not tty else 0.2
        self.text = ""

    def update(self, step: int, loss: float | None = None, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self.last < self.line_every:
            return
        self.last = now
        elapsed = now - self.t0
        done = step - self.start_step
        eta = elapsed / done * (self.total - step) if done > 0 else float("nan")
        eta_s = "?" if not math.isfinite(eta) else str(_dt.timedelta(seconds=int(eta)))
        loss_s = "" if loss is None else f" loss {loss:.4g}"
        self.text = f"{self.desc} step {step}/{self.total}{loss_s} {elapsed:.1f}s eta {eta_s}"
        sys.stderr.write(("\r" + self.text + "\x1b[K") if self.tty else (self.text + "\n"))
        sys.stderr.flush()

    def close(self, step: int | None = None, loss: float | None = None) -> None:
        if not self.enabled:
            return
        if step is not None:
            self.update(step, loss, force=True)
        if self.tty:
            sys.stderr.write("\n")
            sys.stderr.flush()


# --------------------------------------------------------------------------- run folder
class RunDir:
    """A results folder (see the module docstring). ``device`` is where experiments should put
    their models (the CLI sets it with :func:`pick_device`)."""

    def __init__(self, path: str | os.PathLike, *, device: Any = None, show_progress: bool | None = None):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.device = pick_device() if device is None else device
        self.show_progress = show_progress
        self.t0 = time.perf_counter()

    # files ------------------------------------------------------------------
    def file(self, name: str) -> Path:
        return self.path / name

    def write_json(self, name: str, obj: Any) -> Path:
        """Write ``obj`` (made JSON-able by :func:`to_jsonable`) to ``name`` atomically."""
        p = self.file(name)
        _atomic_write_bytes(p, (json.dumps(to_jsonable(obj), indent=2) + "\n").encode())
        return p

    def read_json(self, name: str) -> Any:
        p = self.file(name)
        return json.loads(p.read_text()) if p.exists() else None

    def write_text(self, name: str, text: str) -> Path:
        p = self.file(name)
        _atomic_write_bytes(p, text.encode())
        return p

    def append_metrics(self, record: dict[str, Any]) -> None:
        """Append one JSON line to metrics.jsonl (flushed and synced). A resumed run may write
        a step twice; :meth:`read_metrics` keeps the last record per (unit, step)."""
        line = json.dumps(to_jsonable(record)) + "\n"
        with open(self.file("metrics.jsonl"), "a") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def read_metrics(self, unit: str | None = None) -> list[dict[str, Any]]:
        """Records of metrics.jsonl (of one ``unit`` if given), deduplicated by (unit, step),
        in file order. A torn last line (a crash mid-write) is ignored."""
        p = self.file("metrics.jsonl")
        if not p.exists():
            return []
        out: dict[tuple, dict] = {}
        for i, line in enumerate(p.read_text().splitlines()):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if unit is not None and rec.get("unit") != unit:
                continue
            key = (rec.get("unit"), rec.get("step"), rec.get("kind")) if "step" in rec else ("line", i)
            out.pop(key, None)
            out[key] = rec
        return list(out.values())

    # config and summary -----------------------------------------------------
    def start(self, experiment: str, preset: str, config: Any) -> None:
        """Write config.json; if the folder already holds a different config, refuse to mix."""
        record = {"experiment": experiment, "preset": preset, "config": to_jsonable(config)}
        old = self.read_json("config.json")
        if old is not None:
            if {k: old.get(k) for k in record} != record:
                raise ValueError(
                    f"{self.path} already holds a run of {old.get('experiment')}/{old.get('preset')} with a "
                    "different config; use another --out folder (a folder resumes only its own run)"
                )
            record["resumed"] = int(old.get("resumed", 0)) + 1
        record["environment"] = environment(self.device)
        self.write_json("config.json", record)

    def finish(self, summary: dict[str, Any]) -> Path:
        summary = dict(summary)
        summary["wall_seconds_this_invocation"] = round(time.perf_counter() - self.t0, 2)
        summary["environment"] = environment(self.device)
        return self.write_json("summary.json", summary)

    # units and checkpoints ---------------------------------------------------
    @staticmethod
    def _safe(key: str) -> str:
        if not key or any(c in key for c in "/\\\0") or key.startswith("."):
            raise ValueError(f"unit key={key!r} must be a non-empty name without slashes")
        return key

    def load_unit(self, key: str) -> dict[str, Any] | None:
        return self.read_json(f"units/{self._safe(key)}.json")

    def save_unit(self, key: str, result: dict[str, Any]) -> None:
        self.write_json(f"units/{self._safe(key)}.json", result)
        ck = self.checkpoint_path(key)
        if ck.exists():
            ck.unlink()

    def unit(self, key: str, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """The saved result of unit ``key``, or ``compute()`` saved under that key."""
        done = self.load_unit(key)
        if done is not None:
            return done
        result = to_jsonable(compute())
        self.save_unit(key, result)
        return result

    def checkpoint_path(self, key: str) -> Path:
        return self.file(f"checkpoints/{self._safe(key)}.pt")

    def save_checkpoint(self, key: str, state: dict[str, Any]) -> None:
        import torch

        buf = io.BytesIO()
        torch.save(state, buf)
        _atomic_write_bytes(self.checkpoint_path(key), buf.getvalue())

    def load_checkpoint(self, key: str) -> dict[str, Any] | None:
        import torch

        p = self.checkpoint_path(key)
        if not p.exists():
            return None
        return torch.load(p, map_location="cpu", weights_only=False)

    # figures and report --------------------------------------------------------
    def save_figure(self, fig: Any, name: str) -> Path:
        """Save a matplotlib figure as ``name`` (.png added if missing) atomically and close it."""
        plt = pyplot()
        if not name.endswith(".png"):
            name += ".png"
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        return self._write_bytes(name, buf.getvalue())

    def _write_bytes(self, name: str, data: bytes) -> Path:
        p = self.file(name)
        _atomic_write_bytes(p, data)
        return p

    def write_report(self, claim: str, numbers: dict[str, Any], verdict: str, *, title: str | None = None,
                     figures: Iterable[str] = (), notes: Iterable[str] = ()) -> Path:
        """report.md: the claim, the verdict, the measured numbers, figures, notes and the config.

        ``numbers`` maps a label to a scalar/string (a bullet) or to a list of row dicts (a
        table under the label). Under the ``smoke`` preset the verdict is marked as a wiring check.
        """
        cfg = self.read_json("config.json") or {}
        if cfg.get("preset") == "smoke":
            verdict = f"{verdict} (smoke preset: a wiring check far too small to judge the claim)"
        lines = [f"# {title or cfg.get('experiment', 'experiment')}", ""]
        lines += [f"**Claim.** {claim}", "", f"**Verdict.** {verdict}", "", "## Measured numbers", ""]
        for label, value in numbers.items():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                lines += ["", f"### {label}", "", markdown_table(value)]
            else:
                lines.append(f"- {label}: {_fmt(value)}")
        lines.append("")
        figures = list(figures)
        if figures:
            lines += ["## Figures", ""]
            lines += [f"![{f}]({f if f.endswith('.png') else f + '.png'})" for f in figures]
            lines.append("")
        notes = list(notes)
        if notes:
            lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
        env = environment(self.device)
        lines += [
            "## Run",
            "",
            f"- preset: {cfg.get('preset')}; device: {env['device']}; torch {env['torch']}; "
            f"{env['torch_threads']} threads; load average {env.get('loadavg_1_5_15')}; "
            f"written {env['utc']}",
            "",
            "```json",
            json.dumps(cfg.get("config", {}), indent=2),
            "```",
            "",
        ]
        return self.write_text("report.md", "\n".join(lines))


# --------------------------------------------------------------------------- training loop
@dataclasses.dataclass
class TrainResult:
    steps: int            # steps taken in total (including before a resume)
    loss: float           # the last training loss
    stopped_early: bool   # ``stop`` returned True
    seconds: float        # wall time of this invocation


def train(
    model: Any,
    optimizer: Any,
    *,
    steps: int,
    next_batch: Callable[[int], tuple[Any, Any]],
    loss_fn: Callable[[Any, Any, Any], Any],
    generator: Any = None,
    run_dir: RunDir | None = None,
    key: str = "train",
    log_every: int = 50,
    checkpoint_every: int = 500,
    on_log: Callable[[int, Any], dict[str, Any]] | None = None,
    stop: Callable[[int, dict[str, Any]], bool] | None = None,
    desc: str | None = None,
) -> TrainResult:
    """Train ``model`` for up to ``steps`` optimizer steps, resumably.

    ``next_batch(step) -> (inputs, targets)`` must draw only from ``generator`` (a
    ``torch.Generator`` whose state is checkpointed) so a resumed run sees the same batches.
    ``loss_fn(model, inputs, targets)`` returns the scalar loss. Every ``log_every`` steps (and at
    the last step) a record ``{"unit": key, "step", "loss", **on_log(step, model)}`` is appended
    to metrics.jsonl and ``stop(step, record)`` may end training early. A checkpoint (model,
    optimizer, generator, step) is written every ``checkpoint_every`` steps; if ``run_dir`` holds
    one for ``key``, training continues from it.
    """
    import torch

    if steps < 0:
        raise ValueError(f"steps={steps} must be >= 0")
    t0 = time.perf_counter()
    start, loss_value, stopped = 0, float("nan"), False
    if run_dir is not None:
        state = run_dir.load_checkpoint(key)
        if state is not None:
            model.load_state_dict(state["model"])
            optimizer.load_state_dict(state["optimizer"])
            if generator is not None and state.get("generator") is not None:
                generator.set_state(state["generator"])
            start, loss_value, stopped = state["step"], state["loss"], state.get("stopped", False)

    def checkpoint(step: int) -> None:
        if run_dir is not None:
            run_dir.save_checkpoint(key, {
                "step": step, "loss": loss_value, "stopped": stopped,
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "generator": generator.get_state() if generator is not None else None,
            })

    bar = Progress(steps, desc=desc or key, start=start,
                   enabled=run_dir.show_progress if run_dir is not None else None)
    step = start
    model.train()
    while step < steps and not stopped:
        inputs, targets = next_batch(step)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model, inputs, targets)
        loss.backward()
        optimizer.step()
        step += 1
        loss_value = float(loss.detach())
        if not math.isfinite(loss_value):
            raise FloatingPointError(f"{key}: training loss became {loss_value} at step {step}")
        bar.update(step, loss_value)
        if step % log_every == 0 or step == steps:
            record = {"unit": key, "step": step, "loss": loss_value}
            if on_log is not None:
                model.eval()
                with torch.no_grad():
                    record.update(on_log(step, model))
                model.train()
            if run_dir is not None:
                run_dir.append_metrics(record)
            if stop is not None and stop(step, record):
                stopped = True
        if step % checkpoint_every == 0 or stopped or step == steps:
            checkpoint(step)
    bar.close(step, loss_value)
    model.eval()
    return TrainResult(steps=step, loss=loss_value, stopped_early=stopped, seconds=time.perf_counter() - t0)
