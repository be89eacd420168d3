"""Where and how an experiment runs: the device, the seeds, the CPU threads, the environment
record that goes with every timing.

Evaluation mode and the torch thread count themselves are :mod:`boolsens.torch_runtime`'s
(``eval_mode``, ``set_torch_threads``, ``torch_threads``); this module only decides which
values the experiments use.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import sys
from typing import Any

import numpy as np

from boolsens import BoolsensError
from boolsens.torch_runtime import set_torch_threads

__all__ = ["pick_device", "seed_everything", "limit_cpu_threads", "environment"]


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


def environment(device: Any = None) -> dict[str, Any]:
    """Versions, device, thread count and load average (timings are only meaningful with them).

    >>> env = environment("cpu")
    >>> env["device"], env["torch_threads"] >= 1
    ('cpu', True)
    """
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
