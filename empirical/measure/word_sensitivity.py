r"""Word sensitivity of random feature maps, after Bombari & Mondelli (2024), "Towards Understanding
the Word Sensitivity of Attention Layers: A Study via Random Features", ICML 2024 (PMLR 235:
4300–4328), arXiv:2402.02969.

For a sentence X ∈ R^{n×d} (one word embedding a row, each of norm about √d) and a feature map φ,

    WS_φ(X) = sup_{i ∈ [n], ‖δ‖ ≤ √d} ‖φ(X + e_i δᵀ) − φ(X)‖ / ‖φ(X)‖,

the largest relative change of the features that a change of one word, of the size of a word,
can make. The two maps of the paper:

* random features (RF): φ(X) = ReLU(V vec X), V ∈ R^{k×nd}, V_ab ~ N(0, 1/(nd)) (:func:`rf_weights`);
* random attention features (RAF): φ(X) = softmax(X W Xᵀ/√d) X, W ∈ R^{d×d}, W_ab ~ N(0, 1/d)
  (:func:`raf_weights`).

:func:`word_sensitivity` estimates the sup by projected gradient ascent on δ (normalised steps, ``restarts``
random starts on the sphere of radius √d, the best value seen kept), for every word position i at
once (or the positions given), vectorised over a batch of sentences. The estimate is a lower
bound of the sup (ascent can stop short of it), never above it.

Neither map is evaluated from scratch for each (i, δ): a change of word i moves only

* RF: the pre-activation by V_i δ, where V_i ∈ R^{k×d} is the block of V's columns that multiplies
  word i, so φ(X + e_i δᵀ) = ReLU(V vec X + V_i δ) (cost k·d per (i, δ));
* RAF: row i of the attention scores (word i's query), column i (its key) and value i. Rows j ≠ i
  keep every score but S_ji, so their softmax-weighted sums are updated from the unperturbed
  ones (the row sums N_j = Σ_k e^{S_jk} x_k and D_j = Σ_k e^{S_jk}, stabilised by the row
  maximum); row i is recomputed (cost n·d per (i, δ), the cost of one unperturbed row).

So WS over all n positions costs about what one forward pass of all n perturbed sentences would
cost for RF, and n² d (instead of n³ d) for RAF. :func:`rf_features` and :func:`raf_features`
are the plain maps, which the tests use to check the updates.

Sanity bound (RF): ReLU is 1-Lipschitz, so ‖φ(X + e_i δᵀ) − φ(X)‖ ≤ ‖V_i δ‖ ≤ ‖V_i‖_op √d, hence
WS_RF ≤ max_i ‖V_i‖_op √d / ‖φ(X)‖ ≤ ‖V‖_op √d / ‖φ(X)‖ (:func:`rf_bounds`). With the linear map
in place of ReLU (``activation="linear"``) the first bound is the exact sup.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from boolsens import BoolsensError

from ..harness.checks import check_count

__all__ = ["WordSensitivity", "word_sensitivity", "rf_weights", "raf_weights", "rf_features", "raf_features",
           "rf_bounds", "gaussian_sentences", "embedding_table", "zipf_sentences", "KINDS"]

#: the two feature maps
KINDS = ("rf", "raf")

DTYPE = torch.float64


# ----------------------------------------------------------------------------- inputs and weights
def _rows_to_norm(x: torch.Tensor) -> torch.Tensor:
    """Every row (last axis) scaled to norm √d."""
    return x * (math.sqrt(x.shape[-1]) / x.norm(dim=-1, keepdim=True).clamp_min(1e-300))


def gaussian_sentences(trials: int, n: int, d: int, generator: torch.Generator) -> torch.Tensor:
    """``trials`` sentences of n i.i.d. Gaussian words, each normalised to norm √d: (trials, n, d)."""
    return _rows_to_norm(torch.randn(trials, n, d, generator=generator, dtype=DTYPE))


def embedding_table(vocab: int, d: int, generator: torch.Generator) -> torch.Tensor:
    """A fixed random embedding table, one Gaussian row of norm √d per word: (vocab, d)."""
    return _rows_to_norm(torch.randn(vocab, d, generator=generator, dtype=DTYPE))


def zipf_sentences(trials: int, n: int, table: torch.Tensor, generator: torch.Generator, *,
                   exponent: float = 1.0) -> tuple[torch.Tensor, torch.Tensor]:
    """``trials`` sentences of n words drawn i.i.d. from the vocabulary of ``table`` with Zipf
    frequencies (the word of rank r has probability ∝ r^−exponent), so frequent words repeat:
    (the sentences (trials, n, d), the word ids (trials, n))."""
    ranks = torch.arange(1, table.shape[0] + 1, dtype=DTYPE)
    ids = torch.multinomial(ranks.pow(-float(exponent)).expand(trials, -1), n, replacement=True, generator=generator)
    return table[ids], ids


def rf_weights(n: int, d: int, features: int, generator: torch.Generator) -> torch.Tensor:
    """V of the random features: (features, n·d), entries N(0, 1/(n d))."""
    return torch.randn(features, n * d, generator=generator, dtype=DTYPE) / math.sqrt(n * d)


def raf_weights(d: int, generator: torch.Generator) -> torch.Tensor:
    """W of the random attention features: (d, d), entries N(0, 1/d)."""
    return torch.randn(d, d, generator=generator, dtype=DTYPE) / math.sqrt(d)


# ----------------------------------------------------------------------------- the plain maps
def _activation(name: str):
    if name == "relu":
        return torch.relu
    if name == "linear":
        return lambda z: z
    raise BoolsensError(f"activation={name!r} must be 'relu' or 'linear'")


def rf_features(X: torch.Tensor, V: torch.Tensor, *, activation: str = "relu") -> torch.Tensor:
    """φ(X) = act(V vec X) for sentences (..., n, d): (..., features)."""
    return _activation(activation)(X.flatten(-2) @ V.T)


def raf_features(X: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """φ(X) = softmax(X W Xᵀ/√d) X for sentences (..., n, d): (..., n, d)."""
    scores = (X @ W) @ X.transpose(-1, -2) / math.sqrt(X.shape[-1])
    return torch.softmax(scores, dim=-1) @ X


def rf_bounds(X: torch.Tensor, V: torch.Tensor) -> dict[str, torch.Tensor]:
    """The RF sanity bounds per sentence of X (trials, n, d): ``block`` = max_i ‖V_i‖_op √d / ‖φ(X)‖
    (the exact sup for the linear map) and ``full`` = ‖V‖_op √d / ‖φ(X)‖ (≥ ``block``)."""
    n, d = X.shape[-2:]
    norm = rf_features(X, V).norm(dim=-1)
    blocks = V.reshape(V.shape[0], n, d).transpose(0, 1)                        # (n, k, d)
    block_op = torch.linalg.matrix_norm(blocks, ord=2).max()
    full_op = torch.linalg.matrix_norm(V, ord=2)
    return {"block": block_op * math.sqrt(d) / norm, "full": full_op * math.sqrt(d) / norm}


# ----------------------------------------------------------------------------- the ratio under one-word changes
def _rf_ratio(X: torch.Tensor, V: torch.Tensor, pos: torch.Tensor, delta: torch.Tensor, act) -> torch.Tensor:
    """‖φ(X + e_i δᵀ) − φ(X)‖ / ‖φ(X)‖ for X (t, n, d), positions (P,), δ (t, P, R, d): (t, P, R)."""
    n, d = X.shape[-2:]
    pre = X.flatten(-2) @ V.T                                                   # (t, k)
    base = act(pre)
    blocks = V.reshape(V.shape[0], n, d)[:, pos]                                # (k, P, d)
    moved = pre[:, None, None, :] + torch.einsum("kpd,tprd->tprk", blocks, delta)
    return (act(moved) - base[:, None, None, :]).norm(dim=-1) / base.norm(dim=-1)[:, None, None]


@dataclass(frozen=True)
class _AttentionState:
    """The unperturbed attention of sentences X (t, n, d), kept for the one-word updates."""

    X: torch.Tensor
    W: torch.Tensor
    XW: torch.Tensor        # X W: (t, n, d), row j is x_jᵀ W
    WX: torch.Tensor        # X Wᵀ: (t, n, d), row k is (W x_k)ᵀ
    S: torch.Tensor         # scores X W Xᵀ / √d: (t, n, n)
    m: torch.Tensor         # row maxima of S: (t, n)
    E: torch.Tensor         # exp(S − m): (t, n, n)
    D: torch.Tensor         # row sums of E: (t, n)
    N: torch.Tensor         # E X: (t, n, d)
    out: torch.Tensor       # φ(X) = N / D: (t, n, d)

    @classmethod
    def of(cls, X: torch.Tensor, W: torch.Tensor) -> "_AttentionState":
        XW, WX = X @ W, X @ W.T
        S = XW @ X.transpose(-1, -2) / math.sqrt(X.shape[-1])
        m = S.max(dim=-1).values
        E = torch.exp(S - m[..., None])
        D, N = E.sum(dim=-1), E @ X
        return cls(X, W, XW, WX, S, m, E, D, N, N / D[..., None])


def _raf_ratio(st: _AttentionState, pos: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
    """‖φ(X + e_i δᵀ) − φ(X)‖ / ‖φ(X)‖ for RAF: (t, P, R), by the updates of the module docstring."""
    X = st.X
    t, n, d = X.shape
    root = math.sqrt(d)
    xi = X[:, pos][:, :, None, :]                                               # (t, P, 1, d)
    # rows j != i: only the score S_ji (key i) and the value x_i change
    s_old = st.S[:, :, pos].transpose(1, 2)[:, :, None, :]                      # (t, P, 1, n): S_ji over j
    s_new = s_old + torch.einsum("tjd,tprd->tprj", st.XW, delta) / root         # (t, P, R, n)
    m_old = st.m[:, None, None, :]
    m_new = torch.maximum(m_old, s_new)
    keep = torch.exp(m_old - m_new)                                             # rescales the old sums
    e_old = st.E[:, :, pos].transpose(1, 2)[:, :, None, :]                      # (t, P, 1, n)
    e_new = torch.exp(s_new - m_new)
    num = ((st.N[:, None, None] - e_old[..., None] * xi[..., None, :]) * keep[..., None]
           + e_new[..., None] * (xi + delta)[..., None, :])                     # (t, P, R, n, d)
    den = (st.D[:, None, None, :] - e_old) * keep + e_new
    rows = num / den[..., None]
    # row i: its query and its own key change, recompute the row
    y = xi + delta                                                              # (t, P, R, d)
    r = torch.einsum("tke,tpre->tprk", st.WX, y) / root                         # yᵀ W x_k over k
    own = ((y @ st.W) * y).sum(dim=-1, keepdim=True) / root                     # yᵀ W y: the key k = i
    hit = torch.nn.functional.one_hot(pos, n).to(torch.bool)[None, :, None, :]  # (1, P, 1, n): k == i
    a = torch.softmax(torch.where(hit, own, r), dim=-1)                         # (t, P, R, n)
    weight_i = (a * hit).sum(dim=-1, keepdim=True)                              # the weight of value i
    row_i = a @ X[:, None] + weight_i * delta                                   # values x_k, and x_i + δ at k = i
    rows = torch.where(hit[..., None], row_i[..., None, :], rows)
    diff = (rows - st.out[:, None, None]).flatten(-2).norm(dim=-1)
    return diff / st.out.flatten(-2).norm(dim=-1)[:, None, None]


# ----------------------------------------------------------------------------- the estimator
@dataclass(frozen=True, eq=False)
class WordSensitivity:
    """The estimate per sentence: ``ws`` (trials,), the sup over the positions searched of the best
    ratio found; ``per_position`` (trials, P), the best ratio at each position of ``positions`` (P,);
    ``argmax`` (trials,), the position that gave ``ws``; ``phi_norm`` (trials,), ‖φ(X)‖."""

    ws: torch.Tensor
    per_position: torch.Tensor
    positions: torch.Tensor
    argmax: torch.Tensor
    phi_norm: torch.Tensor


def word_sensitivity(kind: str, X: torch.Tensor, weights: torch.Tensor, generator: torch.Generator, *,
                     positions: torch.Tensor | None = None, radius: float | None = None, steps: int = 60,
                     restarts: int = 2, lr: float = 0.1, activation: str = "relu",
                     chunk_elements: int = 1 << 22) -> WordSensitivity:
    r"""WS_φ(X) = sup_{i, ‖δ‖ ≤ radius} ‖φ(X + e_i δᵀ) − φ(X)‖ / ‖φ(X)‖ for the sentences X
    (trials, n, d), φ the map ``kind`` ("rf": ``weights`` = V (k, n d), ``activation`` "relu" or
    "linear"; "raf": ``weights`` = W (d, d)), by projected gradient ascent.

    For every sentence, position i (all n, or ``positions``) and restart, δ starts uniform on the
    sphere of radius ``radius`` (default √d, the norm of a word), then ``steps`` normalised
    gradient steps on the ratio (the first moves δ by ``lr`` × radius, the step decays to 0 along
    a cosine), each followed by the projection onto the ball; the best ratio seen at any step (the
    start included) is kept, the best over restarts and positions
    is the estimate. Every (sentence, position, restart) is its own ascent (the loss is their sum,
    so its gradient in one δ is that δ's own), and they run in chunks of positions so that one
    chunk's tensors hold about ``chunk_elements`` numbers: the chunking does not change the result.

    ``generator`` draws the starts (all of them, before any chunk runs). Computation in float64
    on the device of X.
    """
    if kind not in KINDS:
        raise BoolsensError(f"kind={kind!r} must be one of {KINDS}")
    check_count(steps, "steps", minimum=0)
    check_count(restarts, "restarts")
    if X.ndim != 3:
        raise BoolsensError(f"X must be (trials, n, d); got shape {tuple(X.shape)}")
    X = X.to(DTYPE)
    t, n, d = X.shape
    weights = weights.to(device=X.device, dtype=DTYPE)
    radius = math.sqrt(d) if radius is None else float(radius)
    if not radius > 0:
        raise BoolsensError(f"radius={radius!r} must be positive")
    pos = torch.arange(n) if positions is None else torch.as_tensor(positions, dtype=torch.long)
    if pos.ndim != 1 or pos.numel() == 0 or int(pos.min()) < 0 or int(pos.max()) >= n:
        raise BoolsensError(f"positions={positions!r} must be a non-empty list of word positions in [0, {n})")
    pos = pos.to(X.device)
    start = torch.randn(t, pos.numel(), restarts, d, generator=generator, dtype=DTYPE).to(X.device)
    start = start * (radius / start.norm(dim=-1, keepdim=True))
    if kind == "rf":
        act = _activation(activation)
        phi_norm = act(X.flatten(-2) @ weights.T).norm(dim=-1)
        ratio = lambda p, delta: _rf_ratio(X, weights, p, delta, act)          # noqa: E731
        per_pos = weights.shape[0] * d                                         # numbers per (t, i, restart)
    else:
        state = _AttentionState.of(X, weights)
        phi_norm = state.out.flatten(-2).norm(dim=-1)
        ratio = lambda p, delta: _raf_ratio(state, p, delta)                   # noqa: E731
        per_pos = n * d
    size = max(1, chunk_elements // max(1, t * restarts * per_pos))
    best = []
    for lo in range(0, pos.numel(), size):
        p = pos[lo:lo + size]
        best.append(_ascend(ratio, p, start[:, lo:lo + size].clone(), radius, steps, lr))
    per_position = torch.cat(best, dim=1)                                      # (t, P)
    ws, arg = per_position.max(dim=1)
    return WordSensitivity(ws.cpu(), per_position.cpu(), pos.cpu(), pos[arg].cpu(), phi_norm.detach().cpu())


def _ascend(ratio, pos: torch.Tensor, delta: torch.Tensor, radius: float, steps: int, lr: float) -> torch.Tensor:
    """Projected normalised-gradient ascent of ratio(pos, δ) from δ (t, P, R, d): each δ moves by
    ``lr`` × radius × (its own gradient / its norm), the step decaying to 0 along a cosine, then is
    projected onto the ball. The best value per (t, P).

    Normalised gradient steps (not Adam): on the ball, Adam's per-coordinate scaling moves the
    fixed point away from the maximiser (for a linear map it stops a few per cent short of the
    operator norm), while a normalised gradient step is a damped power iteration there."""
    best = None
    for step in range(steps + 1):
        delta.requires_grad_(True)
        value = ratio(pos, delta)                                              # (t, P, R)
        seen = value.detach().max(dim=-1).values
        best = seen if best is None else torch.maximum(best, seen)
        if step == steps:
            break
        (grad,) = torch.autograd.grad(value.sum(), delta)
        eta = lr * radius * 0.5 * (1 + math.cos(math.pi * step / steps))
        with torch.no_grad():
            delta = delta + eta * grad / grad.norm(dim=-1, keepdim=True).clamp_min(1e-300)
            delta = delta * torch.clamp(radius / delta.norm(dim=-1, keepdim=True).clamp_min(1e-300), max=1.0)
    return best
