"""Token sensitivity under token *replacement*: Definition 3.1 of Vasudeva et al. (2025),
"Transformers Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025, with
the perturbation distribution P uniform over the vocabulary.

For a model φ on token sequences x ∈ [M]^T,

    s(φ) = E_x (1/T) Σ_{i=1}^{T} Pr_{v ~ U[M]}[ pred φ(x^{i←v}) ≠ pred φ(x) ],

where x^{i←v} is x with token i replaced by v (v may equal x_i, which changes nothing). On the
Boolean cube (M = 2) this is I(f)/(2n) (``docs/theory.md`` §3.8, ``def-3.1-boolean``); the
Gaussian version on real-valued tokens is :func:`empirical.measure.sensitivity_real.token_sensitivity`.

The prediction is the sign of a ``(B,)`` output or the argmax of a ``(B, C)`` output. A scalar
output of exactly 0 is a *tie*: its prediction is a fair coin, so a comparison involving a tie
counts as half a flip (this matters only for counting predictors such as "sign of the number of
sparse tokens of each class", whose output can be 0; a trained network's output practically never
is). The average over positions is exact (every i is perturbed); over v it is exact with
``exact=True`` (all M replacements, N·T·M forward rows) or Monte Carlo with ``n_draws`` draws per
(sample, position). The standard error is over samples (the independent units).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from boolsens import BoolsensError
from boolsens.estimate import Estimate
from boolsens.torch_runtime import model_device

from ..harness.checks import check_count

__all__ = ["ReplacementSensitivity", "replacement_sensitivity", "flip_rate"]

Forward = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True, eq=False)
class ReplacementSensitivity:
    """The overall estimate and the per-position breakdown (``per_position.value[i]``: the flip
    rate when token i alone is replaced), both :class:`~boolsens.estimate.Estimate` over the same
    samples; ``n_draws`` is ``None`` when the average over the vocabulary is exact."""

    overall: Estimate
    per_position: Estimate
    vocab: int
    n_draws: int | None

    def as_dict(self) -> dict:
        """The estimate as a JSON-able dict (for a unit record)."""
        return {**self.overall.as_dict(), "per_position": self.per_position.value.tolist(),
                "per_position_stderr": self.per_position.stderr.tolist(), "vocab": self.vocab,
                "n_draws": self.n_draws}


def flip_rate(clean: torch.Tensor, perturbed: torch.Tensor) -> torch.Tensor:
    """Per-row probability that the prediction changed: for ``(B,)`` outputs 1 if the signs
    differ, 0 if they agree, 1/2 if either output is exactly 0 (a tie is a fair coin); for
    ``(B, C)`` outputs 1 if the argmax differs.

    >>> flip_rate(torch.tensor([1.0, 2.0, 0.0, -1.0]), torch.tensor([-3.0, 1.0, 5.0, 0.0])).tolist()
    [1.0, 0.0, 0.5, 0.5]
    """
    if clean.ndim == 1:
        a, b = torch.sign(clean), torch.sign(perturbed)
        return torch.where((a == 0) | (b == 0), 0.5, (a != b).double()).double()
    if clean.ndim == 2:
        return (clean.argmax(1) != perturbed.argmax(1)).double()
    raise BoolsensError(f"model outputs of shape {tuple(clean.shape)} must be (B,) (binary) or (B, C) (classes)")


def _columns(rates: np.ndarray, *, seed: int, measure: str) -> Estimate:
    cols = [Estimate.from_samples(rates[:, j]) for j in range(rates.shape[1])]
    value = np.array([c.value for c in cols])
    stderr = np.array([c.stderr for c in cols])
    value.flags.writeable = stderr.flags.writeable = False
    return Estimate(value=value, stderr=stderr, samples=rates.shape[0], seed=seed, measure=measure)


@torch.no_grad()
def replacement_sensitivity(forward: Forward, ids: torch.Tensor, *, vocab: int, exact: bool = False,
                            n_draws: int = 4, seed: int = 0, batch_size: int = 8192) -> ReplacementSensitivity:
    r"""Definition 3.1 of Vasudeva et al. (2025) with P uniform over the vocabulary (module
    docstring): the probability that replacing one token by a uniformly drawn one flips the
    prediction.

    .. math:: s(φ) = E_x \frac1T \sum_i \Pr_{v \sim U[M]}[\mathrm{pred}\,φ(x^{i←v}) ≠ \mathrm{pred}\,φ(x)].

    Parameters
    ----------
    forward : callable, ``(B, T) long -> (B,) or (B, C)``
    ids : (N, T) long tensor of token ids in [0, vocab)
    vocab : M, the size of the vocabulary P is uniform over
    exact : average over all M replacements (cost N·T·M rows) instead of ``n_draws`` draws
    seed : seeds the replacement draws (unused when ``exact``)

    Example: a model that reads whether token 0 is id 0 is sensitive only at position 0, with
    probability (M − 1)/M there.

    >>> ids = torch.zeros(20, 3, dtype=torch.long)
    >>> est = replacement_sensitivity(lambda x: (x[:, 0] == 0).double() - 0.5, ids, vocab=4, exact=True)
    >>> est.per_position.value.tolist(), est.overall.value
    ([0.75, 0.0, 0.0], 0.25)
    """
    if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or 0 in ids.shape or ids.is_floating_point():
        raise BoolsensError(f"ids must be a non-empty (N, T) integer tensor; got {getattr(ids, 'shape', ids)!r}")
    check_count(vocab, "vocab")
    if int(ids.min()) < 0 or int(ids.max()) >= vocab:
        raise BoolsensError(f"ids must lie in [0, vocab={vocab}); got [{int(ids.min())}, {int(ids.max())}]")
    if not exact:
        check_count(n_draws, "n_draws")
    N, T = ids.shape
    dev = model_device(forward, ids.device)
    ids = ids.cpu()
    clean = torch.cat([forward(ids[s:s + batch_size].to(dev)).detach().cpu()
                       for s in range(0, N, batch_size)])  # (N,) or (N, C)
    gen = None if exact else torch.Generator().manual_seed(int(seed))  # exact: nothing is drawn
    reps = vocab if exact else n_draws
    flips = torch.zeros(N, T, dtype=torch.float64)  # (N, T) summed flip probabilities
    rows = max(1, batch_size // T)  # samples per batch (each becomes T perturbed rows)
    pos = torch.arange(T)
    for r in range(reps):
        for start in range(0, N, rows):
            x = ids[start:start + rows]  # (b, T)
            b = x.shape[0]
            if exact:
                v = torch.full((b, T), r, dtype=ids.dtype)  # (b, T) the r-th replacement everywhere
            else:
                v = torch.randint(0, vocab, (b, T), generator=gen, dtype=ids.dtype)  # (b, T)
            pert = x[:, None, :].repeat(1, T, 1)  # (b, i, T): row i of sample s will have token i replaced
            pert[:, pos, pos] = v  # (b, T, T)
            out = forward(pert.reshape(b * T, T).to(dev)).detach().cpu()  # (b·T,) or (b·T, C)
            ref = clean[start:start + b].repeat_interleave(T, dim=0)  # (b·T,) or (b·T, C)
            flips[start:start + b] += flip_rate(ref, out).reshape(b, T)
    rates = (flips / reps).numpy()  # (N, T)
    kind = "exact over the vocabulary" if exact else f"{n_draws} draws"
    measure = f"replacement_sensitivity(vocab={vocab}, {kind})"
    return ReplacementSensitivity(
        overall=Estimate.from_samples(rates.mean(axis=1), seed=int(seed), measure=measure),
        per_position=_columns(rates, seed=int(seed), measure=f"{measure} per position"),
        vocab=vocab, n_draws=None if exact else n_draws)
