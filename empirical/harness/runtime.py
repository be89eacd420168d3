"""Where and how an experiment runs: the device, the seeds, the CPU threads, the environment
record that goes with every timing and every result (the CPU model and instruction-set flags, the
library builds and the determinism settings: floating-point reductions differ between machines,
so a reader needs them to tell whether two runs should agree bit for bit or only within
tolerance).

Evaluation mode and the torch thread count themselves are :mod:`boolsens.torch_runtime`'s
(``eval_mode``, ``set_torch_threads``, ``torch_threads``); this module only decides which
values the experiments use.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import os
import platform
import random
import sys
from importlib import metadata as _metadata
from typing import Any

import numpy as np

from boolsens import BoolsensError
from boolsens.torch_runtime import set_torch_threads

__all__ = ["pick_device", "seed_everything", "limit_cpu_threads", "environment", "cpu_info", "NUMERIC_FLAGS"]

#: the instruction-set extensions that change floating-point kernels (vector width, fused
#: multiply-add), recorded by :func:`cpu_info` when the CPU has them (x86 names, then ARM's)
NUMERIC_FLAGS = ("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "neon", "asimd", "sve")


def pick_device(prefer: str | None = None):
    """``torch.device``: ``prefer`` if given ("cpu", "cuda", "cuda:1"), else CUDA when present,
    else the CPU. Asking for CUDA on a machine without it raises.

    >>> str(pick_device("cpu"))
    'cpu'
    """
    import torch

    if prefer is not None:
        try:
            dev = torch.device(prefer)
        except RuntimeError:
            raise BoolsensError(f"device={prefer!r} must be 'cpu' or 'cuda[:k]'") from None
        if dev.type not in ("cpu", "cuda"):
            raise BoolsensError(f"device={prefer!r} must be 'cpu' or 'cuda[:k]'")
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise BoolsensError(f"device={prefer!r} requested but CUDA is not available here")
        return dev
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and torch's global generators: the runner does this once before
    every unit (with :func:`empirical.harness.plan.derive_seed` of the unit's seed), and nothing
    else does. The experiments draw their data and noise from explicit generators seeded by
    ``derive_seed``, and seed torch's global generator with ``derive_seed(seed, "init", ...)``
    just before building a model (PyTorch's initialisers draw from it); this covers any
    third-party code that draws from a global generator."""
    import torch

    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise BoolsensError(f"seed={seed!r} must be a non-negative integer")
    random.seed(int(seed))
    np.random.seed(int(seed) % (2**32))
    torch.manual_seed(int(seed))


def limit_cpu_threads(device: Any) -> None:
    """Use one intra-op torch thread on the CPU unless ``OMP_NUM_THREADS`` says otherwise.

    The real-valued experiments' models are tiny (a few 64-wide layers): a second thread gains
    nothing, and on a shared, oversubscribed machine torch's spinning worker threads made a
    grokking epoch about 50x slower (measured: 0.7 s instead of 15 ms at load average 7 on 2 cores).
    """
    import torch

    if torch.device(device).type == "cpu" and "OMP_NUM_THREADS" not in os.environ:
        set_torch_threads(1)


@functools.lru_cache(maxsize=1)
def _cpuinfo_text() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return ""


def _cpuinfo_field(text: str, *names: str) -> str:
    """The value of the first line ``name : value`` of /proc/cpuinfo whose name is one of ``names``."""
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() in names:
            return value.strip()
    return ""


def cpu_info() -> dict[str, Any]:
    """The CPU: ``model`` (Linux: /proc/cpuinfo's "model name"; elsewhere, or when it has none,
    ``platform.processor()``; "" when nothing says), ``numeric_flags`` (those of
    :data:`NUMERIC_FLAGS` the CPU reports, in that order) and ``flags_sha256`` (the first 16 hex
    digits of the SHA-256 of the whole flags line, so two machines' instruction sets can be
    compared at a glance; "" when there is no flags line, as off Linux). Never raises.

    >>> info = cpu_info()
    >>> sorted(info), isinstance(info["model"], str), set(info["numeric_flags"]) <= set(NUMERIC_FLAGS)
    (['flags_sha256', 'model', 'numeric_flags'], True, True)
    """
    text = _cpuinfo_text()
    model = _cpuinfo_field(text, "model name", "hardware", "processor model", "cpu model")
    if not model:
        try:
            model = platform.processor() or ""
        except Exception:  # noqa: BLE001 — a record of the machine must never stop a run
            model = ""
    flags_line = _cpuinfo_field(text, "flags", "features")
    flags = set(flags_line.split())
    return {"model": model, "numeric_flags": [f for f in NUMERIC_FLAGS if f in flags],
            "flags_sha256": hashlib.sha256(flags_line.encode()).hexdigest()[:16] if flags_line else ""}


def _version(package: str) -> str | None:
    """The installed version of ``package`` without importing it (numba's import alone takes
    a fifth of a second); None when it is not installed."""
    try:
        return _metadata.version(package)
    except _metadata.PackageNotFoundError:
        return None


def _torch_build(torch: Any) -> dict[str, Any]:
    """How torch was built, as far as it changes numerics: CUDA version, oneDNN (MKL-DNN), the
    BLAS, the CPU kernels' capability level and the intra-op parallel backend."""
    out: dict[str, Any] = {"cuda": getattr(torch.version, "cuda", None)}
    try:
        out["mkldnn"] = bool(torch.backends.mkldnn.is_available())
    except Exception:  # noqa: BLE001
        out["mkldnn"] = None
    try:
        out["cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    except Exception:  # noqa: BLE001
        out["cpu_capability"] = None
    try:
        show = torch.__config__.show()
        blas = [part.split("=", 1)[1] for part in show.replace(",", " ").split() if part.startswith("BLAS_INFO=")]
        out["blas"] = blas[0] if blas else None
    except Exception:  # noqa: BLE001
        out["blas"] = None
    try:
        backend = [ln for ln in torch.__config__.parallel_info().splitlines() if "parallel backend" in ln]
        out["parallel"] = backend[0].split(":", 1)[-1].strip() if backend else None
    except Exception:  # noqa: BLE001
        out["parallel"] = None
    return out


def _determinism(torch: Any) -> dict[str, Any]:
    """The settings that decide whether torch may pick non-deterministic kernels, and the
    environment variables that change hashing and thread counts (None: not set)."""
    out: dict[str, Any] = {}
    try:
        out["torch_deterministic_algorithms"] = bool(torch.are_deterministic_algorithms_enabled())
    except Exception:  # noqa: BLE001
        out["torch_deterministic_algorithms"] = None
    try:
        out["cudnn_deterministic"] = bool(torch.backends.cudnn.deterministic)
    except Exception:  # noqa: BLE001
        out["cudnn_deterministic"] = None
    for var in ("CUBLAS_WORKSPACE_CONFIG", "PYTHONHASHSEED", "OMP_NUM_THREADS"):
        out[var] = os.environ.get(var)
    return out


def environment(device: Any = None) -> dict[str, Any]:
    """Versions, device, thread count and load average (timings are only meaningful with them),
    and what decides whether another machine reproduces the numbers bit for bit: ``platform``,
    ``machine``, ``cpu`` (:func:`cpu_info`: model, numeric instruction-set flags, hash of all
    flags), the versions of scipy and numba (None when not installed), ``torch_build`` (CUDA,
    oneDNN, BLAS, CPU capability, parallel backend) and ``determinism`` (torch's deterministic
    algorithms, cuDNN's, and ``CUBLAS_WORKSPACE_CONFIG``, ``PYTHONHASHSEED``, ``OMP_NUM_THREADS``).
    Every field degrades to ``None`` or "" where the platform does not say; no subprocess.

    >>> env = environment("cpu")
    >>> env["device"], env["torch_threads"] >= 1, sorted(env["cpu"])
    ('cpu', True, ['flags_sha256', 'model', 'numeric_flags'])
    """
    import torch

    env = {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": _version("scipy"),
        "numba": _version("numba"),
        "device": str(device) if device is not None else str(pick_device()),
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": cpu_info(),
        "torch_build": _torch_build(torch),
        "determinism": _determinism(torch),
        "utc": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    try:
        env["loadavg_1_5_15"] = [round(v, 2) for v in os.getloadavg()]
    except (OSError, AttributeError):
        pass
    if device is not None and str(device).startswith("cuda"):
        env["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return env
