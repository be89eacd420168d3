"""The per-position embedding sensitivity of a model on variable-length token sequences (the data:
:func:`empirical.data.real.redundant_polarity`), right-aligned as in the text experiments of
Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions: Investigations and
Implications", ICLR 2025 (``docs/theory.md`` §5.1).

- :func:`embedding_sensitivity`: Definition 3.1 of Vasudeva et al. on word embeddings: N(0, σ² I)
  on one token's embedding at a time (every real position of every sequence, ``n_draws`` draws),
  the fraction of draws that change the argmax; for a grid of σ with common random numbers.
- :func:`right_aligned` and :func:`late_minus_early`: the per-position profile with index −1 =
  each sequence's last token (earlier indices average over the sequences long enough to reach
  them, as the paper's code does), and a within-sequence late-versus-early contrast.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import torch

from boolsens import BoolsensError

from ..harness.checks import check_count

__all__ = ["embedding_sensitivity", "right_aligned", "late_minus_early", "mean_sensitivity"]


@torch.no_grad()
def embedding_sensitivity(forward_embedded: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
                          emb: torch.Tensor, lengths: torch.Tensor, *, sigmas: Sequence[float], n_draws: int = 3,
                          seed: int = 0, batch_size: int = 2048) -> dict[float, np.ndarray]:
    r"""Per-token embedding sensitivity for every σ: ``{σ: rates (N, L_max)}``, where
    ``rates[s, j]`` is the fraction of ``n_draws`` draws ε ~ N(0, σ² I) added to the embedding
    of token j alone of sequence s that change the argmax of ``forward_embedded(emb, lengths)``
    (``NaN`` for j ≥ lengths[s]). The same ε (scaled) serve every σ.

    ``emb`` is ``(N, L_max, d)`` (for text: the layer-normalised word embeddings, as the paper
    perturbs); ``forward_embedded(e (B, L_max, d), lengths (B,)) -> (B, C)`` logits.

    Cost: Σ_s lengths[s] · n_draws · len(sigmas) forward rows.

    >>> f = lambda e, n: torch.stack([e[torch.arange(len(e)), n - 1, 0] + 0.5, torch.zeros(len(e))], 1)
    >>> emb, n = torch.zeros(400, 5, 3), torch.tensor([5, 3] * 200)   # reads the last real token only
    >>> r = embedding_sensitivity(f, emb, n, sigmas=[1.0], n_draws=4)[1.0]
    >>> bool(np.isnan(r[1, 3:]).all()), float(np.nansum(r[:, :2])), 0.2 < float(r[0::2, 4].mean()) < 0.42
    (True, 0.0, True)
    """
    if not isinstance(emb, torch.Tensor) or emb.ndim != 3 or not emb.is_floating_point():
        raise BoolsensError(f"emb must be a float (N, L, d) tensor; got {getattr(emb, 'shape', emb)!r}")
    N, L, d = emb.shape
    lengths = torch.as_tensor(lengths, dtype=torch.long).cpu()
    if lengths.shape != (N,) or int(lengths.min()) < 1 or int(lengths.max()) > L:
        raise BoolsensError(f"lengths must be (N={N},) integers in [1, {L}]")
    check_count(n_draws, "n_draws")
    sigmas = [float(s) for s in sigmas]
    if not sigmas or any(not (np.isfinite(s) and s > 0) for s in sigmas):
        raise BoolsensError(f"sigmas={sigmas!r} must be finite numbers > 0")
    try:
        dev = next(forward_embedded.__self__.parameters()).device  # a bound method of a model
    except (AttributeError, StopIteration):
        dev = emb.device
    emb = emb.cpu()
    gen = torch.Generator().manual_seed(int(seed))
    clean = torch.cat([forward_embedded(emb[s:s + batch_size].to(dev), lengths[s:s + batch_size].to(dev))
                       .argmax(-1).cpu() for s in range(0, N, batch_size)])  # (N,)
    # every real (sequence, position) pair, in a fixed order
    seq, pos = (torch.arange(L)[None, :] < lengths[:, None]).nonzero(as_tuple=True)  # (P,), (P,)
    flips = torch.zeros(len(sigmas), N, L, dtype=torch.float64)
    for _ in range(n_draws):
        eps = torch.randn(len(seq), d, generator=gen, dtype=emb.dtype)  # (P, d) one draw per pair
        for start in range(0, len(seq), batch_size):
            s_idx, p_idx = seq[start:start + batch_size], pos[start:start + batch_size]  # (b,)
            b = len(s_idx)
            for j, sigma in enumerate(sigmas):
                x = emb[s_idx].clone()  # (b, L, d)
                x[torch.arange(b), p_idx] += sigma * eps[start:start + b]
                pred = forward_embedded(x.to(dev), lengths[s_idx].to(dev)).argmax(-1).cpu()  # (b,)
                flips[j, s_idx, p_idx] += (pred != clean[s_idx]).double()
    real = (torch.arange(L)[None, :] < lengths[:, None]).numpy()  # (N, L)
    out = {}
    for j, sigma in enumerate(sigmas):
        rates = (flips[j] / n_draws).numpy()
        rates[~real] = np.nan
        out[sigma] = rates
    return out


def mean_sensitivity(rates: np.ndarray) -> float:
    """Total flips over total real (sequence, position) pairs (the paper code's mean).

    >>> mean_sensitivity(np.array([[1.0, 0.0, np.nan], [0.5, 0.5, 0.0]]))
    0.4
    """
    return float(np.nanmean(rates))


def right_aligned(rates: np.ndarray, lengths) -> tuple[np.ndarray, np.ndarray]:
    """``(profile (L,), counts (L,))``: ``profile[-1]`` is the mean rate at each sequence's last
    token, ``profile[-j]`` at its j-th token from the end, over the ``counts[-j]`` sequences long
    enough to have one (``NaN`` where none is).

    >>> p, c = right_aligned(np.array([[1.0, 0.0, np.nan], [0.5, 0.5, 1.0]]), [2, 3])
    >>> p.tolist(), c.tolist()
    ([0.5, 0.75, 0.5], [1, 2, 2])
    """
    rates = np.asarray(rates, dtype=float)
    lengths = np.asarray(lengths, dtype=np.int64)
    N, L = rates.shape
    sums, counts = np.zeros(L), np.zeros(L, dtype=np.int64)
    for s in range(N):
        n = lengths[s]
        sums[L - n:] += rates[s, :n]
        counts[L - n:] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan), counts


def late_minus_early(rates: np.ndarray, lengths) -> float:
    """Within-sequence contrast: for each sequence of length n, the mean rate over its last
    ⌊n/3⌋ tokens minus the mean over its first ⌊n/3⌋ (at least one each), averaged over sequences.
    Positive: sensitivity concentrated late.

    >>> late_minus_early(np.array([[0.0, 0.5, 1.0], [0.2, 0.2, np.nan]]), [3, 2])
    0.5
    """
    rates = np.asarray(rates, dtype=float)
    diffs = []
    for s, n in enumerate(np.asarray(lengths, dtype=np.int64)):
        k = max(1, n // 3)
        diffs.append(rates[s, n - k:n].mean() - rates[s, :k].mean())
    return float(np.mean(diffs))
