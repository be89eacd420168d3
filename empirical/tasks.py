"""Boolean targets and training data for the experiments.

Conventions: see :mod:`boolsens`. A model sees an (B, n) long tensor of **bits** (bit 1 =
coordinate −1 = True) and is trained by MSE on the {0,1} label ``y = (1 − f(x))/2``, as in Hahn &
Rofin (2024), "Why are Sensitive Functions Hard for Transformers?", ACL 2024; so label 1 means
f = −1 = True and a prediction >= ½ reads as f = −1.

* :class:`Target`: a Boolean function of n bits, computable on batches without a table (PARITY,
  MAJORITY, FIRST, sparse parity work at any n) or from any :class:`boolsens.BooleanFunction`.
* :class:`BooleanTask`: fresh uniform batches each step, or a fixed training subset of a given
  size (drawn without replacement, seeded), plus a held-out evaluation set.

Indices and bits convert with :mod:`boolsens.cube` (``index_to_bits``, ``bits_to_index``).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import torch

import boolsens as bs
from boolsens import BoolsensError
from boolsens.cube import bits_to_index, index_to_bits

__all__ = ["Target", "make_target", "BooleanTask", "labels"]


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
            bits = index_to_bits(torch.arange(1 << self.n), self.n)
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


class BooleanTask:
    """Training and evaluation batches for a :class:`Target`.

    ``train_size=None``: every step draws ``batch_size`` fresh uniform points. Otherwise a fixed
    training set of ``train_size`` distinct points (seeded); each step uses all of it when
    ``batch_size >= train_size``, else a uniform minibatch of it. The evaluation set is the whole
    complement of the training set when n <= ``exhaustive_eval_n``, else ``eval_size`` uniform
    points (for a fixed training set, points in it are excluded).

    All randomness comes from ``generator`` (the training stream, checkpointed by
    :func:`empirical.training.train`) and ``seed`` (the fixed sets).
    """

    def __init__(self, target: Target, *, batch_size: int, seed: int, train_size: int | None = None,
                 eval_size: int = 4096, exhaustive_eval_n: int = 14, device: Any = "cpu"):
        n = target.n
        if batch_size < 1:
            raise BoolsensError(f"batch_size={batch_size} must be >= 1")
        if train_size is not None and not 1 <= train_size <= (1 << min(n, 62)):
            raise BoolsensError(f"train_size={train_size} must lie in [1, 2**{n}]")
        self.target, self.n, self.batch_size, self.device = target, n, batch_size, torch.device(device)
        self.train_size = train_size
        self.generator = torch.Generator().manual_seed(int(seed))
        fixed = torch.Generator().manual_seed(int(seed) + 1_000_003)
        self.train_index: torch.Tensor | None = None
        if train_size is not None:
            if n > 24:
                raise BoolsensError(f"a fixed training set needs n <= 24; got n={n}")
            self.train_index = torch.randperm(1 << n, generator=fixed)[:train_size].sort().values  # (m,)
            self._train_bits = index_to_bits(self.train_index, n).to(self.device)  # (m, n)
            self._train_y = labels(target(index_to_bits(self.train_index, n))).to(self.device)  # (m,)
        if n <= exhaustive_eval_n:
            all_idx = torch.arange(1 << n)
            if self.train_index is not None:
                keep = torch.ones(1 << n, dtype=torch.bool)
                keep[self.train_index] = False
                all_idx = all_idx[keep]
            eval_bits = index_to_bits(all_idx, n)  # (E, n)
        else:
            eval_bits = torch.randint(0, 2, (eval_size, n), generator=fixed)  # (E, n)
            if self.train_index is not None:
                in_train = torch.isin(bits_to_index(eval_bits), self.train_index)
                eval_bits = eval_bits[~in_train]
        self.eval_bits = eval_bits.to(self.device)
        self.eval_y = labels(target(eval_bits)).to(self.device)

    def next_batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(bits (B, n) long, labels (B,) float) for training step ``step``."""
        if self.train_index is None:
            bits = torch.randint(0, 2, (self.batch_size, self.n), generator=self.generator)  # (B, n)
            return bits.to(self.device), labels(self.target(bits)).to(self.device)
        m = self.train_index.numel()
        if self.batch_size >= m:
            return self._train_bits, self._train_y
        pick = torch.randint(0, m, (self.batch_size,), generator=self.generator).to(self.device)  # (B,)
        return self._train_bits[pick], self._train_y[pick]

    def train_set(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The fixed training set (bits, labels); for fresh batches, the evaluation set."""
        if self.train_index is None:
            return self.eval_bits, self.eval_y
        return self._train_bits, self._train_y
