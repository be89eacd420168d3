"""Helpers shared by the real-valued experiments (not an experiment: the leading underscore keeps
it out of auto-discovery)."""

from __future__ import annotations

import os

import torch


def limit_cpu_threads(device) -> None:
    """Use one intra-op thread on CPU unless ``OMP_NUM_THREADS`` says otherwise.

    These models are tiny (a few 64-wide layers): a second thread gains nothing, and on a shared,
    oversubscribed machine torch's spinning worker threads made a grokking epoch ~50x slower
    (measured: 0.7 s instead of 15 ms at load average 7 on 2 cores).
    """
    if torch.device(device).type == "cpu" and "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(1)


def epoch_batches(x: torch.Tensor, y: torch.Tensor, batch_size: int, generator: torch.Generator):
    """``(next_batch, n_batches)`` for :func:`empirical.harness.train`: step s is batch s mod
    n_batches of a fresh permutation (drawn from ``generator``) per epoch, so a resumed run that
    restores the generator sees the same batches."""
    n = len(x)
    n_batches = -(-n // batch_size)
    perm: dict[int, torch.Tensor] = {}

    def next_batch(step: int):
        epoch, b = divmod(step, n_batches)
        if epoch not in perm:
            perm.clear()
            perm[epoch] = torch.randperm(n, generator=generator)
        idx = perm[epoch][b * batch_size : (b + 1) * batch_size].to(x.device)
        return x[idx], y[idx]

    return next_batch, n_batches
