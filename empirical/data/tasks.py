"""Boolean targets and training data for the experiments.

Conventions: see :mod:`boolsens`. A model sees an (B, n) long tensor of **bits** (bit 1 =
coordinate −1 = True) and is trained by MSE on the {0,1} label ``y = (1 − f(x))/2``, as in Hahn &
Rofin (2024), "Why are Sensitive Functions Hard for Transformers?", ACL 2024; so label 1 means
f = −1 = True and a prediction >= ½ reads as f = −1.

* :class:`Target`: a Boolean function of n bits, computable on batches without a table (PARITY,
  MAJORITY, FIRST, sparse parity work at any n) or from any :class:`boolsens.BooleanFunction`.
* :func:`uniform_batches`: the training stream, fresh uniform batches each step from a seeded,
  checkpointed generator; :func:`cube`: all 2**n inputs; :func:`labels`: the {0,1} labels.

Indices and bits convert with :mod:`boolsens.cube` (``index_to_bits``, ``bits_to_index``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import boolsens as bs
from boolsens import BoolsensError
from boolsens.cube import bits_to_index, index_to_bits

__all__ = ["Target", "make_target", "uniform_batches", "labels", "cube"]


def cube(n: int, device: Any = "cpu") -> torch.Tensor:
    """All 2**n inputs as (2**n, n) long bits, in index order (bit i of the index is coordinate
    i; the one full cube of ``empirical``).

    >>> cube(2).tolist()
    [[0, 0], [1, 0], [0, 1], [1, 1]]
    """
    return index_to_bits(torch.arange(1 << n), n).to(device)


def labels(signs: torch.Tensor) -> torch.Tensor:
    """±1 values -> {0,1} float labels, True (−1) -> 1.

    >>> labels(torch.tensor([1, -1])).tolist()
    [0.0, 1.0]
    """
    return (1.0 - signs.to(torch.float32)) / 2.0


class Target:
    """A Boolean function of ``n`` bits: ``target(bits) -> (B,) ±1`` (int64).

    ``function`` is the :class:`boolsens.BooleanFunction` (built on demand for n <= 24).
    """

    def __init__(self, name: str, n: int, signs_of_bits: Callable[[torch.Tensor], torch.Tensor],
                 function: bs.BooleanFunction | None = None):
        self.name, self.n = name, n
        self._fn = signs_of_bits
        self._function = function

    @classmethod
    def from_function(cls, f: bs.BooleanFunction, name: str | None = None) -> "Target":
        """The target computing the BooleanFunction ``f`` by table lookup (named ``name``, else f's name)."""
        table = torch.from_numpy(np.asarray(f.signs, dtype=np.int64))

        def lookup(bits: torch.Tensor) -> torch.Tensor:
            return table.to(bits.device)[bits_to_index(bits)]

        return cls(name or f.name or "function", f.n, lookup, f)

    @property
    def function(self) -> bs.BooleanFunction:
        """The target as a BooleanFunction (its table on the cube; n ≤ 24), computed once."""
        if self._function is None:
            if self.n > 24:
                raise BoolsensError(f"target {self.name} on n={self.n} > 24 has no table; use estimators")
            bits = cube(self.n)
            self._function = bs.BooleanFunction(self(bits).numpy().astype(np.int8), name=self.name)
        return self._function

    def __call__(self, bits: torch.Tensor) -> torch.Tensor:
        return self._fn(bits)

    def __repr__(self) -> str:
        return f"Target({self.name}, n={self.n})"


def _parity_of(mask_bits: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    def fn(bits: torch.Tensor) -> torch.Tensor:
        ones = (bits * mask_bits.to(bits.device)).sum(dim=1)  # (B,)
        return 1 - 2 * (ones % 2)  # (B,)

    return fn


def make_target(name: str, n: int, *, k: int | None = None, seed: int | None = None) -> Target:
    """A named target on ``n`` bits.

    ``parity`` (χ_[n]), ``majority`` (True when more than half the coordinates are True; ties ->
    +1, i.e. label 0, as Hahn & Rofin), ``first`` (the dictator x_0), ``sparse-parity`` (parity of
    ``k`` coordinates chosen by ``seed``), ``random`` (``bs.random_function(n, seed=seed)``),
    ``mixed-degree`` (MAJ_3 of characters of degrees 1, 2 and 4 on disjoint coordinates, n >= 7:
    Fourier weight 1/4 at each of the degrees 1, 2, 4 and 7).

    >>> import torch
    >>> t = make_target("majority", 3)
    >>> t(torch.tensor([[0, 0, 1], [1, 1, 0]])).tolist()   # bits: 1 = True = -1
    [1, -1]
    >>> t.function == bs.majority(3)
    True
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise BoolsensError(f"n={n!r} must be a positive integer")
    n = int(n)
    if name == "parity":
        return Target(f"PARITY_{n}", n, _parity_of(torch.ones(n, dtype=torch.int64)))
    if name == "majority":
        return Target(f"MAJ_{n}", n, lambda b: torch.where(2 * b.sum(dim=1) > n, -1, 1))
    if name == "first":
        return Target(f"FIRST_{n}", n, lambda b: 1 - 2 * b[:, 0].to(torch.int64))
    if name == "sparse-parity":
        if k is None or not 1 <= k <= n:
            raise BoolsensError(f"sparse-parity needs k in [1, n={n}]; got k={k!r}")
        rng = np.random.default_rng(seed)
        coords = np.sort(rng.choice(n, size=k, replace=False))
        mask = torch.zeros(n, dtype=torch.int64)
        mask[torch.from_numpy(coords)] = 1
        return Target(f"SPARSE_PARITY_{n}_{k}{coords.tolist()}", n, _parity_of(mask))
    if name == "random":
        if n > 24:
            raise BoolsensError(f"random target needs a table; n={n} must be <= 24")
        return Target.from_function(bs.random_function(n, seed=seed), name=f"RANDOM_{n}_seed{seed}")
    if name == "mixed-degree":
        if n < 7:
            raise BoolsensError(f"mixed-degree needs n >= 7 (degrees 1, 2, 4 on disjoint coordinates); got n={n}")
        masks = [torch.zeros(n, dtype=torch.int64) for _ in range(3)]
        masks[0][0] = 1
        masks[1][1:3] = 1
        masks[2][3:7] = 1
        chars = [_parity_of(m) for m in masks]
        return Target(f"MAJ3(x0, x1x2, x3x4x5x6)_n{n}", n,
                      lambda b: torch.where(sum(c(b) for c in chars) > 0, 1, -1))
    raise BoolsensError(f"target name={name!r} must be one of parity, majority, first, sparse-parity, "
                     "random, mixed-degree")


def uniform_batches(target: Target, batch_size: int, generator: torch.Generator,
                    device: Any = "cpu") -> Callable[[int], tuple[torch.Tensor, torch.Tensor]]:
    """``next_batch(step)`` of ``batch_size`` fresh uniform inputs (B, n) and their {0,1} labels
    (B,), drawn from ``generator`` (checkpointed by :func:`empirical.train.loop.train`, so a
    resumed run sees the same batches): the training stream of the Boolean experiments. Cost:
    B·n random bits and B target evaluations a step.

    >>> next_batch = uniform_batches(make_target("first", 3), 4, torch.Generator().manual_seed(0))
    >>> bits, y = next_batch(0)
    >>> bits.shape, bool((y == bits[:, 0].float()).all())
    (torch.Size([4, 3]), True)
    """
    def next_batch(step: int) -> tuple[torch.Tensor, torch.Tensor]:
        bits = torch.randint(0, 2, (batch_size, target.n), generator=generator)  # (B, n)
        return bits.to(device), labels(target(bits)).to(device)
    return next_batch
