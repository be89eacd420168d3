r"""The torch counterparts of :mod:`boolsens._kernels.census` (layer 0; for a CUDA device).

The same algorithms, written as whole-tensor word operations on int64 tensors of tables
(n <= 5, so every table and mask fits in 32 bits and no sign bit is touched): each step of the
group walk or of a measure is one elementwise operation over a batch of tables, which is what a
GPU does well. torch is imported when this module is, so callers import it only on that path.
Callers validate n, the tables and the device first; the constants come from the builders of
:mod:`boolsens._kernels.census`.

* :func:`class_scan` runs the walk on every candidate table at once and drops a table as soon
  as an image (or its complement) is smaller; the survivors are the least tables of their NPN
  classes, with the same counts as the numba kernel.
* :func:`measure_tables` computes the measures of a batch of tables, as the numba kernel does.
"""

from __future__ import annotations

import numpy as np
import torch

from .bits import LOW_MASKS as _LOW_MASKS
from .census import SWAP_MASKS as _SWAP_MASKS
from .census import WANT_BLOCK, WANT_CERTIFICATE, WANT_DEPTH, WANT_SENSITIVITY, WANT_SPECTRUM

__all__ = ["popcount32", "negate", "swap_adjacent", "class_scan", "measure_tables"]

_M32 = 0xFFFFFFFF
_LOW = [int(m) & _M32 for m in _LOW_MASKS]
_SWAP = [int(m) & _M32 for m in _SWAP_MASKS]


def popcount32(v: torch.Tensor) -> torch.Tensor:
    """Number of set bits of each entry of an int64 tensor with entries in [0, 2**32)."""
    v = v - ((v >> 1) & 0x55555555)
    v = (v & 0x33333333) + ((v >> 2) & 0x33333333)
    v = (v + (v >> 4)) & 0x0F0F0F0F
    return ((v * 0x01010101) & _M32) >> 24


def negate(g: torch.Tensor, i: int) -> torch.Tensor:
    """x ↦ g(x ⊕ e_i) for every table of g (i < 0: g)."""
    if i < 0:
        return g
    s, m = 1 << i, _LOW[i]
    return ((g >> s) & m) | ((g & m) << s)


def swap_adjacent(g: torch.Tensor, i: int) -> torch.Tensor:
    """Coordinates i and i+1 exchanged in every table of g (i < 0: g)."""
    if i < 0:
        return g
    d, m = 1 << i, _SWAP[i]
    return (g & (_M32 ^ (m | (m << d)))) | ((g & m) << d) | ((g >> d) & m)


def class_scan(t: torch.Tensor, perms: np.ndarray, gray: np.ndarray,
               full: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The least tables of their NPN classes among the candidate tables t (int64, increasing),
    as numpy arrays (tables, same, comp, least_comp) with the meaning of
    :func:`boolsens._kernels.census.walk`.

    Every table walks the group at once; the batch is compacted to the tables still alive after
    steps 1, 2, 4, … and then every 64 steps (most tables die within a few steps)."""
    device = t.device
    count = t.numel()
    g = t.clone()
    same = torch.zeros(count, dtype=torch.int32, device=device)
    comp = torch.zeros(count, dtype=torch.int32, device=device)
    least_comp = torch.full((count,), full, dtype=torch.int64, device=device)
    dead = torch.zeros(count, dtype=torch.bool, device=device)
    step = 0
    gray_list = [int(i) for i in gray]
    for p in perms.tolist():
        for i in gray_list:
            g = negate(g, i)
            c = g ^ full
            dead |= (g < t) | (c < t)
            same += (g == t).to(torch.int32)
            comp += (c == t).to(torch.int32)
            least_comp = torch.minimum(least_comp, c)
            step += 1
            if (step & (step - 1)) == 0 or step % 64 == 0:
                keep = (~dead).nonzero().squeeze(1)
                if keep.numel() < t.numel():
                    t, g, same, comp, least_comp, dead = (a[keep] for a in (t, g, same, comp, least_comp, dead))
                if t.numel() == 0:
                    empty = np.zeros(0, dtype=np.int64)
                    return empty, empty, empty, empty
        g = swap_adjacent(g, int(p))
    keep = (~dead).nonzero().squeeze(1)
    return tuple(a[keep].cpu().numpy().astype(np.int64) for a in (t, same, comp, least_comp))


def measure_tables(t: torch.Tensor, n: int, want: int, chars: np.ndarray, bounds: np.ndarray,
                   free_low: np.ndarray, free_size: np.ndarray, ups: np.ndarray,
                   packs: np.ndarray) -> dict[str, torch.Tensor]:
    """The measures selected by ``want`` of the int64 tables t (n <= 5) on t's device, keyed
    ``sensitivity``, ``sensitive_edges``, ``degree``, ``level_sums`` (B, n+1), ``sum`` (Σ f),
    ``certificate_complexity``, ``decision_tree_depth``, ``block_sensitivity`` (int64)."""
    device = t.device
    N = 1 << n
    valid = (1 << N) - 1
    out: dict[str, torch.Tensor] = {}
    s = None
    if want & (WANT_SENSITIVITY | WANT_BLOCK):
        c0 = torch.zeros_like(t)
        c1 = torch.zeros_like(t)
        c2 = torch.zeros_like(t)
        twice = torch.zeros_like(t)
        for i in range(n):
            d = t ^ negate(t, i)
            twice += popcount32(d)
            carry = c0 & d
            c0 = c0 ^ d
            carry2 = c1 & carry
            c1 = c1 ^ carry
            c2 = c2 | carry2
        cand = torch.full_like(t, valid)
        s = torch.zeros_like(t)
        for bit, c in ((4, c2), (2, c1), (1, c0)):
            hit = cand & c
            has = hit != 0
            cand = torch.where(has, hit, cand)
            s = s + bit * has.to(torch.int64)
        out["sensitivity"] = s
        out["sensitive_edges"] = twice >> 1
    if want & WANT_SPECTRUM:
        ch = torch.as_tensor(chars.astype(np.int64), device=device)
        w = N - 2 * popcount32(t[:, None] ^ ch[None, :])  # (B, 2**n), characters by level
        sq = w * w
        lev = torch.stack([sq[:, int(bounds[k]):int(bounds[k + 1])].sum(1) for k in range(n + 1)], 1)
        ks = torch.arange(n + 1, device=device)
        out["level_sums"] = lev
        out["degree"] = ((lev != 0).to(torch.int64) * ks).amax(1)
        out["sum"] = N - 2 * popcount32(t)
    if want & (WANT_CERTIFICATE | WANT_DEPTH | WANT_BLOCK):
        zero = [None] * N
        one = [None] * N
        const = [None] * N
        zero[0], one[0] = t ^ valid, t
        const[0] = zero[0] | one[0]
        for F in range(1, N):
            i = int(free_low[F])
            G = F ^ (1 << i)
            s_, m = 1 << i, _LOW[i]
            zero[F] = zero[G] & (zero[G] >> s_) & m
            one[F] = one[G] & (one[G] >> s_) & m
            const[F] = zero[F] | one[F]
        cmax = None
        if want & (WANT_CERTIFICATE | WANT_BLOCK):
            covered = torch.zeros_like(t)
            cmax = torch.full_like(t, n)
            for k in range(n + 1):
                for F in range(N):
                    if int(free_size[F]) == n - k:
                        c = const[F]
                        for i in range(n):
                            if (F >> i) & 1:
                                c = c | (c << (1 << i))
                        covered = covered | c
                cmax = torch.where((covered == valid) & (cmax == n), torch.full_like(t, k), cmax)
            out["certificate_complexity"] = cmax
        if want & WANT_DEPTH:
            le = list(const)
            depth = torch.where((le[N - 1] & 1) != 0, 0, n).to(torch.int64)
            for d in range(1, n + 1):
                nxt = []
                for F in range(N):
                    v = const[F]
                    for i in range(n):
                        if (F >> i) & 1:
                            a = le[F ^ (1 << i)]
                            v = v | (a & (a >> (1 << i)) & _LOW[i])
                    nxt.append(v)
                le = nxt
                depth = torch.where(((le[N - 1] & 1) != 0) & (depth > d), torch.full_like(t, d), depth)
            out["decision_tree_depth"] = depth
        if want & WANT_BLOCK:
            up = torch.as_tensor(ups.astype(np.int64), device=device)
            pk = torch.as_tensor(packs.astype(np.int64), device=device)
            best = torch.zeros_like(t)
            for x in range(N):
                g = t
                for i in range(n):
                    if (x >> i) & 1:
                        g = negate(g, i)
                g = g ^ (((t >> x) & 1) * valid)
                u = g
                for i in range(n):
                    u = u | ((u & _LOW[i]) << (1 << i))
                best = torch.maximum(best, pk[torch.searchsorted(up, u)])
            out["block_sensitivity"] = best
    return out
