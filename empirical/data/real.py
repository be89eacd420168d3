"""Offline data for the real-valued experiments (no download; every generator takes a ``seed``).

- :func:`synthetic_tokens` — Definition 3.3 of Vasudeva et al. (2025), "Transformers Learn Low
  Sensitivity Functions: Investigations and Implications", ICLR 2025 (sparse / frequent /
  irrelevant one-hot tokens; ``docs/theory.md`` §5.2) and its OOD variant (sparse token flipped,
  label kept).
- :func:`digits` — scikit-learn's bundled 8×8 digits scaled to [−1, 1].
- :func:`modular_addition` — ``a + b mod p`` with inputs "a b =" and a seeded train/test split
  (the grokking task of Nanda et al. (2023), "Progress measures for grokking via mechanistic
  interpretability", ICLR 2023).
- :func:`noisy_sparse_parity` — ±1 inputs, label = product of k hidden coordinates, training labels
  flipped with probability ``noise`` (test labels clean).
- :func:`redundant_polarity` — sequences of random lengths in [L_min, L_max], right-padded; each
  holds k (random in [k_min, k_max]) *polar* words of its label's class at random positions and
  neutral words elsewhere. Any one polar word determines the label, so a model may read the first,
  the last, or all of them: nothing forces a dependence on particular positions (unlike a
  count-majority label, which makes every position matter equally).

Conventions for ±1 data follow ``boolsens`` (bit 1 ↔ −1; True = −1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from boolsens import BoolsensError

from ..harness.checks import check_integer

__all__ = [
    "TokenSpec",
    "synthetic_tokens",
    "token_kinds",
    "digits",
    "modular_addition",
    "noisy_sparse_parity",
    "redundant_polarity",
]


@dataclass(frozen=True)
class TokenSpec:
    """Definition 3.3 parameters: vocabulary M, length T, n_s sparse copies, n_f frequent tokens
    (⌊(n_f + n_d)/2⌋ agree with y), m frequent token types per class."""

    M: int = 32
    T: int = 16
    n_s: int = 1
    n_f: int = 8
    n_d: int = 4
    m: int = 4

    def validate(self) -> "TokenSpec":
        """This spec, after checking its sizes (a BoolsensError names the first bad one)."""
        for name in ("M", "T", "n_s", "n_f", "n_d", "m"):
            check_integer(getattr(self, name), name, 1 if name in ("M", "T", "m") else 0)
        if self.n_s + self.n_f > self.T:
            raise BoolsensError(f"n_s + n_f = {self.n_s + self.n_f} must be <= T={self.T}")
        if self.n_d > self.n_f:
            raise BoolsensError(f"n_d={self.n_d} must be <= n_f={self.n_f}")
        if 2 + 2 * self.m >= self.M:
            raise BoolsensError(
                f"M={self.M} must exceed 2 + 2m = {2 + 2 * self.m} (sparse, frequent, >= 1 irrelevant)"
            )
        return self


def token_kinds(spec: TokenSpec) -> np.ndarray:
    """Kind of each vocabulary index: 0 sparse (indices 0, 1), 1 frequent (2 … 2m+1), 2 irrelevant.

    >>> token_kinds(TokenSpec(M=8, m=2)).tolist()
    [0, 0, 1, 1, 1, 1, 2, 2]
    """
    kinds = np.full(spec.M, 2, dtype=np.int64)
    kinds[:2] = 0
    kinds[2 : 2 + 2 * spec.m] = 1
    return kinds


def synthetic_tokens(spec: TokenSpec, n_samples: int, *, seed: int, ood: bool = False):
    """Definition 3.3 samples (Vasudeva et al.): one-hot ``X (N, T, M)`` float32, labels ``y (N,)`` in {+1, −1}.

    Index 0 is the sparse token of y = +1, index 1 that of y = −1 (the paper's e₁, e₂); indices
    2, 4, … are the frequent tokens of y = +1 and 3, 5, … those of y = −1 (m of each); the rest are
    irrelevant. A sample holds n_s copies of its label's sparse token, n_f frequent tokens of which
    ⌊(n_f + n_d)/2⌋ agree with y (the others have the opposite class), the rest irrelevant, at
    random positions. ``ood=True`` swaps the sparse token for the other class's (label kept), so a
    model that relies on the sparse token fails there. Also returns the token ids ``(N, T)``.

    >>> X, y, ids = synthetic_tokens(TokenSpec(M=12, T=6, n_s=1, n_f=3, n_d=1, m=2), 4, seed=0)
    >>> X.shape, sorted(set(y.tolist())) <= [-1.0, 1.0], bool((X.sum(-1) == 1).all())
    (torch.Size([4, 6, 12]), True, True)
    """
    spec = spec.validate()
    n_samples = check_integer(n_samples, "n_samples", 1)
    rng = np.random.default_rng(seed)
    y = rng.choice(np.array([1, -1]), size=n_samples)
    n_agree = (spec.n_f + spec.n_d) // 2
    n_irr = spec.T - spec.n_s - spec.n_f
    irrelevant = np.arange(2 + 2 * spec.m, spec.M)
    ids = np.empty((n_samples, spec.T), dtype=np.int64)
    for s in range(n_samples):
        pos_class = 0 if y[s] == 1 else 1  # offset of the label's tokens
        sparse_class = pos_class if not ood else 1 - pos_class
        sparse = np.full(spec.n_s, sparse_class)
        agree = 2 + 2 * rng.integers(0, spec.m, size=n_agree) + pos_class
        disagree = 2 + 2 * rng.integers(0, spec.m, size=spec.n_f - n_agree) + (1 - pos_class)
        irr = rng.choice(irrelevant, size=n_irr)
        row = np.concatenate([sparse, agree, disagree, irr])
        ids[s] = rng.permutation(row)
    ids_t = torch.from_numpy(ids)
    X = torch.nn.functional.one_hot(ids_t, spec.M).float()  # (N, T, M)
    return X, torch.from_numpy(y).float(), ids_t


def digits(*, n_train: int = 1000, seed: int = 0):
    """scikit-learn's bundled digits (no download): the 1797 8×8 images (10 classes) as ``(x_train (N,1,8,8), y_train, x_test, y_test)`` with
    pixels v/16 mapped to [−1, 1] (2·v/16 − 1; a blank pixel is −1); the split is a seeded
    permutation. [−1, 1] is the range of Vasudeva et al.'s CIFAR-10 pipeline (pixels in [0, 1],
    then mean 0.5 / std 0.5).

    >>> xtr, ytr, xte, yte = digits(n_train=100, seed=0)
    >>> xtr.shape, xte.shape[0], float(xtr.min()), float(xtr.max())
    (torch.Size([100, 1, 8, 8]), 1697, -1.0, 1.0)
    """
    from sklearn.datasets import load_digits

    if isinstance(n_train, bool) or not isinstance(n_train, int) or not 1 <= n_train < 1797:
        raise BoolsensError(f"n_train={n_train!r} must be an integer in [1, 1797)")
    data = load_digits()
    images = 2.0 * data.images.astype(np.float32) / 16.0 - 1.0  # (1797, 8, 8) in [-1, 1]
    perm = np.random.default_rng(seed).permutation(len(images))
    x = torch.from_numpy(images)[:, None]  # (1797, 1, 8, 8)
    y = torch.from_numpy(data.target.astype(np.int64))
    tr, te = torch.from_numpy(perm[:n_train]), torch.from_numpy(perm[n_train:])
    return x[tr], y[tr], x[te], y[te]


def modular_addition(p: int, *, train_fraction: float, seed: int):
    """All pairs (a, b) of ``a + b mod p`` as inputs "a b =" (ids a, b, p), split at random.

    Returns ``(x_train (N,3), y_train, x_test, y_test)``; the vocabulary has p + 1 tokens.

    >>> xtr, ytr, xte, yte = modular_addition(5, train_fraction=0.4, seed=0)
    >>> len(xtr) + len(xte), xtr[0, 2].item(), bool(((xtr[:, 0] + xtr[:, 1]) % 5 == ytr).all())
    (25, 5, True)
    """
    p = check_integer(p, "p", 2)
    if not 0.0 < float(train_fraction) < 1.0:
        raise BoolsensError(f"train_fraction={train_fraction} must lie in (0, 1)")
    a, b = np.meshgrid(np.arange(p), np.arange(p), indexing="ij")
    x = np.stack([a.ravel(), b.ravel(), np.full(p * p, p)], axis=1)  # (p², 3)
    y = (a.ravel() + b.ravel()) % p
    perm = np.random.default_rng(seed).permutation(p * p)
    n_train = max(1, int(round(train_fraction * p * p)))
    tr, te = perm[:n_train], perm[n_train:]
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    return x[tr], y[tr], x[te], y[te]


def noisy_sparse_parity(
    n: int, k: int, *, n_train: int, n_test: int, noise: float, seed: int
):
    """±1 inputs ``(N, n)`` (float32), label = [χ_S(x) = −1] for a hidden S of size k (class ids
    0/1; True = −1 as in ``boolsens``); training labels flipped with probability ``noise``, test
    labels clean. Returns ``(x_train, y_train, x_test, y_test, S)``.

    >>> xtr, ytr, xte, yte, S = noisy_sparse_parity(6, 2, n_train=8, n_test=4, noise=0.0, seed=0)
    >>> bool(((xte[:, S].prod(1) < 0).long() == yte).all()), xtr.shape
    (True, torch.Size([8, 6]))
    """
    n, k = check_integer(n, "n", 1), check_integer(k, "k", 1)
    if k > n:
        raise BoolsensError(f"k={k} must be <= n={n}")
    if not 0.0 <= float(noise) < 0.5:
        raise BoolsensError(f"noise={noise} must lie in [0, 0.5)")
    rng = np.random.default_rng(seed)
    S = np.sort(rng.choice(n, size=k, replace=False))
    x = rng.choice(np.array([1.0, -1.0], dtype=np.float32), size=(n_train + n_test, n))
    y = (x[:, S].prod(axis=1) < 0).astype(np.int64)
    flip = rng.random(n_train) < noise
    y[:n_train] = np.where(flip, 1 - y[:n_train], y[:n_train])
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:], torch.from_numpy(S)


def redundant_polarity(n_samples: int, *, L_min: int, L_max: int, vocab: int, n_polar: int, k_min: int,
                       k_max: int, seed: int):
    """``(ids (N, L_max) long, lengths (N,) long, y (N,) long)``.

    Words 0 … n_polar−1 are positive (label 1), n_polar … 2·n_polar−1 negative (label 0), the rest
    of [0, vocab) neutral; the padding id is ``vocab`` (after each sequence's length). A sequence
    of length L ~ U{L_min … L_max} holds k ~ U{k_min … min(k_max, L)} words of its label's class at
    distinct uniformly random positions (each word uniform over the class's n_polar words) and
    neutral words elsewhere; labels are balanced coin flips.

    >>> ids, lengths, y = redundant_polarity(4, L_min=3, L_max=6, vocab=10, n_polar=2, k_min=1, k_max=2, seed=0)
    >>> ids.shape, bool(((ids == 10).sum(1) == 6 - lengths).all())
    (torch.Size([4, 6]), True)
    """
    n_samples = check_integer(n_samples, "n_samples", 1)
    L_min, L_max = check_integer(L_min, "L_min", 1), check_integer(L_max, "L_max", 1)
    vocab, n_polar = check_integer(vocab, "vocab", 1), check_integer(n_polar, "n_polar", 1)
    k_min, k_max = check_integer(k_min, "k_min", 1), check_integer(k_max, "k_max", 1)
    if L_max < L_min:
        raise BoolsensError(f"L_max={L_max} must be >= L_min={L_min}")
    if k_max < k_min or k_min > L_min:
        raise BoolsensError(f"k_min={k_min}, k_max={k_max} must satisfy k_min <= k_max and k_min <= L_min={L_min}")
    if 2 * n_polar >= vocab:
        raise BoolsensError(f"2 * n_polar = {2 * n_polar} must be < vocab={vocab} (neutral words are needed)")
    rng = np.random.default_rng(seed)
    ids = np.full((n_samples, L_max), vocab, dtype=np.int64)
    lengths = rng.integers(L_min, L_max + 1, size=n_samples)
    y = rng.integers(0, 2, size=n_samples)
    for s in range(n_samples):
        L = lengths[s]
        k = rng.integers(k_min, min(k_max, L) + 1)
        row = rng.integers(2 * n_polar, vocab, size=L)  # neutral words
        where = rng.choice(L, size=k, replace=False)
        offset = 0 if y[s] == 1 else n_polar
        row[where] = offset + rng.integers(0, n_polar, size=k)
        ids[s, :L] = row
    return torch.from_numpy(ids), torch.from_numpy(lengths.astype(np.int64)), torch.from_numpy(y.astype(np.int64))
