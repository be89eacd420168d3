r"""Single-flip local search with incremental objectives (layer 0; callers validate first).

Conventions: see :mod:`boolsens`. The state is a ±1 table ``f`` (int8, length N = 2**n) and
what the objective needs, kept up to date under the flip f(x) → −f(x):

* kind 0, sensitive edges E = #{edges with f(x) ≠ f(x ⊕ e_i)}: a flip at x changes E by
  n − 2 s(f, x), and s(f, ·) is kept per point (s(x) → n − s(x); each neighbour ±1);
* kind 1, sensitivity s(f) = max_x s(f, x): the same per-point counts and their histogram;
* kind 2, the level sum Σ_{|S|=k} (Σ_x f(x) χ_S(x))² = 4^n W^k: the C(n, k) Walsh coefficients
  of level k, each changed by −2 f(x) χ_S(x) by a flip.

A step proposes the flip at ``xs[t]``, applies it, and keeps it when the objective (times
``sign``: +1 maximise, −1 minimise) did not decrease, or, with a temperature ``temps[t] > 0``,
with probability exp(Δ / temps[t]) (Metropolis); otherwise the same flip undoes it. Values are
integers in the units above; ``scale`` converts a change to the objective's units for the
temperature. Cost per step: O(n) for kinds 0 and 1, O(C(n, k)) for kind 2.
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["init_state", "run_steps"]


@nb.njit(cache=True, nogil=True)
def _popcount(v):
    c = 0
    while v:
        v &= v - 1
        c += 1
    return c


@nb.njit(cache=True, nogil=True)
def init_state(f, n, kind, subsets, s, hist, w):
    """Fill the per-point sensitivities ``s`` and their histogram ``hist`` (kinds 0, 1) or the
    Walsh coefficients ``w`` of ``subsets`` (kind 2); return the objective's integer value."""
    N = f.shape[0]
    if kind == 2:
        total = 0
        for j in range(subsets.shape[0]):
            S = subsets[j]
            acc = 0
            for x in range(N):
                acc += f[x] if (_popcount(S & x) & 1) == 0 else -f[x]
            w[j] = acc
            total += acc * acc
        return total
    edges = 0
    for x in range(N):
        c = 0
        for i in range(n):
            if f[x] != f[x ^ (1 << i)]:
                c += 1
        s[x] = c
        hist[c] += 1
        edges += c
    edges //= 2
    if kind == 0:
        return edges
    top = n
    while top > 0 and hist[top] == 0:
        top -= 1
    return top


@nb.njit(cache=True, nogil=True)
def _flip(f, n, kind, subsets, s, hist, w, x, value):
    """Flip f(x), update the state, return the new value."""
    if kind == 2:
        total = value
        fx = f[x]
        for j in range(subsets.shape[0]):
            chi = 1 if (_popcount(subsets[j] & x) & 1) == 0 else -1
            old = w[j]
            new = old - 2 * fx * chi
            w[j] = new
            total += new * new - old * old
        f[x] = -fx
        return total
    old = s[x]
    hist[old] -= 1
    s[x] = n - old
    hist[n - old] += 1
    for i in range(n):
        y = x ^ (1 << i)
        hist[s[y]] -= 1
        if f[y] == f[x]:
            s[y] += 1
        else:
            s[y] -= 1
        hist[s[y]] += 1
    f[x] = -f[x]
    if kind == 0:
        return value + n - 2 * old
    top = n
    while top > 0 and hist[top] == 0:
        top -= 1
    return top


@nb.njit(cache=True, nogil=True)
def run_steps(f, n, kind, subsets, s, hist, w, value, best_value, best_f, xs, us, temps, sign, scale,
              record_every, offset, rec_value, rec_best):
    """Run len(xs) steps from the state; return (value, best_value, accepted). ``best_f`` is
    overwritten whenever the best improves; every ``record_every``-th step (counted from
    ``offset``) the current and best values go to ``rec_value`` / ``rec_best``."""
    accepted = 0
    for t in range(xs.shape[0]):
        x = xs[t]
        new = _flip(f, n, kind, subsets, s, hist, w, x, value)
        delta = sign * (new - value)
        ok = delta >= 0
        if not ok and temps[t] > 0.0:
            ok = us[t] < np.exp(delta * scale / temps[t])
        if ok:
            value = new
            accepted += 1
            if sign * (value - best_value) > 0:
                best_value = value
                best_f[:] = f
        else:
            _flip(f, n, kind, subsets, s, hist, w, x, new)
        step = offset + t + 1
        if step % record_every == 0:
            k = step // record_every - 1
            if k < rec_value.shape[0]:
                rec_value[k] = value
                rec_best[k] = best_value
    return value, best_value, accepted
