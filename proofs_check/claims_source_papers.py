r"""docs/theory.md §3, the source papers' checkable statements: ``softmax-perturbation``,
``word-sensitivity``, ``gaussian-closed-forms``, ``relu-layer-stability``, ``majority-sheppard``,
``def-3.1-boolean``.

Monte-Carlo checks draw from ``numpy.random.default_rng(seed + offset)`` (the run's seed is
reported) and pass at 4 standard errors. Keyword arguments alter each statement (false variants
for the tests).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

import boolsens as bs
from boolsens.cube import popcount
from boolsens.torch_runtime import torch_threads

from .core import Context, Eq, Ge, Le, claim
from .domains import Measures, boolean, run_predicate

MC_Z = 4.0


# ----------------------------------------------------------------------------- softmax-perturbation
def _softmax(l: np.ndarray) -> np.ndarray:
    e = np.exp(l - l.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _softmax_ascent(n: int, A: float, V: float, dv: int, starts: int, seed: int, steps: int = 40) -> np.ndarray:
    """Projected gradient ascent (torch, Adam) on ‖Δ Σ w_k v_k‖ over ℓ ∈ [−A, A]^n, ‖v_k‖ ≤ V and the
    replacement (ℓ_0', v_0'); returns the final move of each start, evaluated in numpy."""
    import torch

    g = torch.Generator().manual_seed(seed)
    l = (torch.rand(starts, n, generator=g, dtype=torch.float64) * 2 - 1) * A
    v = torch.randn(starts, n, dv, generator=g, dtype=torch.float64)
    l2 = (torch.rand(starts, generator=g, dtype=torch.float64) * 2 - 1) * A
    v2 = torch.randn(starts, dv, generator=g, dtype=torch.float64)
    params = [p.requires_grad_(True) for p in (l, v, l2, v2)]
    opt = torch.optim.Adam(params, lr=0.05)

    def project():
        with torch.no_grad():
            l.clamp_(-A, A)
            l2.clamp_(-A, A)
            v.mul_(torch.clamp(V / v.norm(dim=-1, keepdim=True).clamp_min(1e-12), max=1.0))
            v2.mul_(torch.clamp(V / v2.norm(dim=-1, keepdim=True).clamp_min(1e-12), max=1.0))

    def move():
        out1 = (torch.softmax(l, -1)[..., None] * v).sum(1)
        lb = torch.cat([l2[:, None], l[:, 1:]], 1)
        vb = torch.cat([v2[:, None], v[:, 1:]], 1)
        return (out1 - (torch.softmax(lb, -1)[..., None] * vb).sum(1)).norm(dim=-1)

    project()
    for _ in range(steps):
        opt.zero_grad()
        (-move().sum()).backward()
        opt.step()
        project()
    ln, vn, l2n, v2n = (p.detach().numpy() for p in (l, v, l2, v2))
    lb = np.concatenate([l2n[:, None], ln[:, 1:]], 1)
    vb = np.concatenate([v2n[:, None], vn[:, 1:]], 1)
    return np.linalg.norm((_softmax(ln)[..., None] * vn).sum(1) - (_softmax(lb)[..., None] * vb).sum(1), axis=-1)


@claim(id="softmax-perturbation",
       statement="w = softmax(ℓ), |ℓ_k| ≤ A, ‖v_k‖ ≤ V: changing one (ℓ_j, v_j) moves Σ w_k v_k by at most 4e^{2A}V/n",
       latex=r"\Big\|\sum_k w_k v_k - \sum_k w'_k v'_k\Big\| \le \frac{4e^{2A}V}{n}",
       source="Hahn & Rofin (2024), Lemma [D]")
def check_softmax_perturbation(ctx: Context, *, factor: float = 4.0) -> None:
    """Random instances (uniform ℓ in [−A, A], ‖v_k‖ ≤ V), the structured extreme (others at
    −A with v_k = Ve, ℓ_j: −A → A, v_j: −Ve → Ve) and projected gradient ascent from random
    starts. ``factor`` replaces the 4 (false variant)."""
    rng = ctx.rng(202)
    count = ctx.pick(200, 2000, 20000)
    ns, As, dv, V = (2, 3, 8, 32, 128), (0.0, 0.5, 1.0, 2.0), 3, 1.0
    ctx.domain(f"n ∈ {ns}, A ∈ {As}, V = {V}, dim 3; {count} random instances each + the structured extreme "
               f"+ {ctx.pick(4, 8, 64)} gradient-ascent starts")
    ctx.method(f"random sample (seed {ctx.seed}+202) + structured extreme + projected gradient ascent (torch)")
    best_ratio = 0.0
    for n in ns:
        for A in As:
            bound = factor * math.exp(2 * A) * V / n
            l = rng.uniform(-A, A, (count, n))
            v = rng.standard_normal((count, n, dv))
            v *= (V * rng.random((count, n, 1)) ** (1 / dv)) / np.linalg.norm(v, axis=-1, keepdims=True)
            j = rng.integers(0, n, count)
            l2, v2 = l.copy(), v.copy()
            r = np.arange(count)
            l2[r, j] = rng.uniform(-A, A, count)
            nv = rng.standard_normal((count, dv))
            v2[r, j] = nv / np.linalg.norm(nv, axis=-1, keepdims=True) * V * rng.random((count, 1)) ** (1 / dv)
            move = np.linalg.norm((_softmax(l)[..., None] * v).sum(1) - (_softmax(l2)[..., None] * v2).sum(1), axis=-1)
            # structured extreme
            e = np.zeros(dv)
            e[0] = V
            ls, ls2 = np.full(n, -A), np.full(n, -A)
            ls2[0] = A
            vs = np.tile(e, (n, 1))
            vs2 = vs.copy()
            vs[0] = -e
            ext = np.linalg.norm(_softmax(ls) @ vs - _softmax(ls2) @ vs2)
            with torch_threads(1):
                adv = _softmax_ascent(n, A, V, dv, ctx.pick(4, 8, 64), int(rng.integers(0, 2**31)))
            allm = np.concatenate([move, [ext], adv])
            best_ratio = max(best_ratio, float(allm.max() / bound))
            ctx.check(Le(allm, bound, "‖Δ Σ w_k v_k‖ ≤ 4e^{2A}V/n", tol=1e-12),
                      witness=lambda i, n=n, A=A: f"n={n}, A={A}, " + (
                          f"random #{i[0]}" if i[0] < count else "structured extreme" if i[0] == count
                          else f"gradient ascent start #{i[0] - count - 1}"))
    ctx.tight(f"largest ratio move / bound over all instances: {best_ratio:.3g}")


# ----------------------------------------------------------------------------- word-sensitivity
def word_sensitivity(kind: str, n: int, d: int, trials: int, rng: np.random.Generator, *, features: int = 256,
                     steps: int = 40, restarts: int = 3):
    r"""WS(X) = sup_{‖δ‖≤√d} ‖φ(X) − φ(X + e₁δᵀ)‖/‖φ(X)‖ by projected gradient ascent (torch, Adam).

    kind "rf": φ = ReLU(V vec X), V_ij ~ N(0, 1/(nd)), ``features`` rows; "raf": φ = softmax(X W Xᵀ/√d) X,
    W_ij ~ N(0, 1/d). Rows of X are Gaussian scaled to norm √d. Returns (ws (trials,), rf_bound (trials,) or None).
    """
    import torch

    X = rng.standard_normal((trials, n, d))
    X *= math.sqrt(d) / np.linalg.norm(X, axis=-1, keepdims=True)
    Xt = torch.from_numpy(X)
    if kind == "rf":
        Vm = torch.from_numpy(rng.standard_normal((trials, features, n * d)) / math.sqrt(n * d))

        def phi(Z):  # (t, r, n, d) -> (t, r, features)
            return torch.relu(torch.einsum("tfk,trk->trf", Vm, Z.reshape(Z.shape[0], Z.shape[1], n * d)))
    else:
        Wm = torch.from_numpy(rng.standard_normal((trials, d, d)) / math.sqrt(d))

        def phi(Z):  # (t, r, n, d) -> (t, r, n, d)
            S = torch.einsum("trid,tde,trje->trij", Z, Wm, Z) / math.sqrt(d)
            return torch.softmax(S, dim=-1) @ Z

    base = phi(Xt[:, None])  # (t, 1, ...)
    norm0 = base.reshape(trials, -1).norm(dim=-1)
    g = torch.Generator().manual_seed(int(rng.integers(0, 2**31)))
    delta = torch.randn(trials, restarts, d, generator=g, dtype=torch.float64)
    delta = (delta / delta.norm(dim=-1, keepdim=True) * math.sqrt(d)).requires_grad_(True)
    opt = torch.optim.Adam([delta], lr=0.2)
    best = torch.zeros(trials, dtype=torch.float64)
    for _ in range(steps):
        Z = Xt[:, None].expand(trials, restarts, n, d).clone()
        Z[:, :, 0, :] = Z[:, :, 0, :] + delta
        diff = (phi(Z) - base).reshape(trials, restarts, -1).norm(dim=-1) / norm0[:, None]
        best = torch.maximum(best, diff.detach().max(dim=1).values)
        opt.zero_grad()
        (-diff.sum()).backward()
        opt.step()
        with torch.no_grad():
            nrm = delta.norm(dim=-1, keepdim=True).clamp_min(1e-12)
            delta.mul_(torch.clamp(math.sqrt(d) / nrm, max=1.0))
    bound = None
    if kind == "rf":
        bound = (torch.linalg.matrix_norm(Vm, ord=2) * math.sqrt(d) / norm0).numpy()
    return best.numpy(), bound


@claim(id="word-sensitivity",
       statement="random features: WS_RF ∝ n^{−½} (log–log slope −½ ± 0.15) and WS_RF ≤ ‖V‖_op√d/‖φ(X)‖; "
                 "random attention features: WS_RAF stays bounded away from 0 as n grows",
       latex=r"\mathrm{WS}(X)=\sup_{\|\delta\|\le\sqrt d}\frac{\|\varphi(X)-\varphi(X+e_1\delta^\top)\|}{\|\varphi(X)\|}",
       source="Bombari & Mondelli (2024), word sensitivity of random features vs random attention features [S/D]")
def check_word_sensitivity(ctx: Context, *, rf_slope: float = -0.5, attention: bool = True) -> None:
    """Operational form: WS estimated by projected gradient ascent (3 restarts, 40 Adam steps),
    averaged over random (X, V/W) draws; the RF slope is a least-squares fit of log mean WS on
    log n; "bounded away from 0" is checked as WS_RAF(n) ≥ ½ WS_RAF(n_min) on the grid (an
    operational form, not a proof). With d fixed the attention features' sensitivity does decay once
    n ≫ e^{√d} (the sharpest attention a bounded δ can buy is a score gap of about √d), so the grid
    keeps n ≤ 2d; the note reports the fitted RAF slope. ``rf_slope`` is the claimed RF slope
    (false variant: 0); ``attention=False`` skips the attention features."""
    rng = ctx.rng(303)
    ns = ctx.pick((4, 8, 16), (4, 8, 16, 32), (4, 8, 16, 32, 64))
    trials = ctx.pick(3, 4, 12)
    d = ctx.pick(16, 32, 32)
    ctx.domain(f"n ∈ {ns}, d = {d}, {trials} draws of (X, V or W) per n")
    ctx.method(f"Monte Carlo over draws (seed {ctx.seed}+303), projected gradient ascent for the sup")
    rf, raf = [], []
    with torch_threads(1):
        _word_sensitivity_grid(ctx, ns, d, trials, rng, attention, rf, raf)
    x = np.log(np.asarray(ns, dtype=float))
    s_rf = float(np.polyfit(x, np.log(rf), 1)[0])
    ctx.check(Eq(s_rf, rf_slope, "log–log slope of WS_RF = −½ ± 0.15", tol=0.15), witness=lambda i: f"slope {s_rf:.3f}")
    ctx.note("mean WS_RF by n: " + ", ".join(f"{n}: {v:.3g}" for n, v in zip(ns, rf)) + f" (slope {s_rf:.3f})")
    if attention:
        s_raf = float(np.polyfit(x, np.log(raf), 1)[0])
        ctx.check(Ge(np.asarray(raf), 0.5 * raf[0], "WS_RAF(n) ≥ ½ WS_RAF(n_min) on the grid", axes=[("n", ns)]),
                  witness=lambda i: f"d={d}")
        ctx.note("mean WS_RAF by n: " + ", ".join(f"{n}: {v:.3g}" for n, v in zip(ns, raf)) + f" (slope {s_raf:.3f})")


def _word_sensitivity_grid(ctx, ns, d, trials, rng, attention, rf, raf):
    for n in ns:
        ctx.progress(f"n={n}")
        ws, bound = word_sensitivity("rf", n, d, trials, rng)
        ctx.check(Le(ws, bound, "WS_RF ≤ ‖V‖_op √d / ‖φ(X)‖", tol=1e-9), witness=lambda i, n=n: f"RF n={n}, draw #{i[0]}")
        rf.append(ws.mean())
        if attention:
            raf.append(word_sensitivity("raf", n, d, trials, rng)[0].mean())


# ----------------------------------------------------------------------------- gaussian-closed-forms
def kappa1(rho):
    r"""κ₁(ρ) = E[relu u relu v] = (√(1−ρ²) + (π − arccos ρ)ρ)/(2π) for a ρ-correlated normal pair.

    >>> round(float(kappa1(0.5)), 6), bool(kappa1(0.0) == 1 / (2 * math.pi)), float(kappa1(1.0))
    (0.304499, True, 0.5)
    """
    rho = np.asarray(rho, dtype=np.float64)
    return (np.sqrt(np.clip(1 - rho**2, 0, None)) + (np.pi - np.arccos(np.clip(rho, -1, 1))) * rho) / (2 * np.pi)


def step_kernel(rho):
    """E[1_{u>0} 1_{v>0}] = (π − arccos ρ)/(2π)."""
    return (np.pi - np.arccos(np.clip(np.asarray(rho, dtype=np.float64), -1, 1))) / (2 * np.pi)


def sheppard(rho):
    """E[sgn u sgn v] = (2/π) arcsin ρ."""
    return 2 / np.pi * np.arcsin(np.clip(np.asarray(rho, dtype=np.float64), -1, 1))


GAUSS_RHOS = (-0.99, -0.5, 0.0, 0.3, 0.5, 0.9, 0.99)


@claim(id="gaussian-closed-forms",
       statement="ρ-correlated standard normals: E[relu u relu v] = κ₁(ρ), E[1_{u>0}1_{v>0}] = (π − arccos ρ)/(2π), "
                 "E[sgn u sgn v] = (2/π) arcsin ρ",
       latex=r"\kappa_1(\rho)=\frac{\sqrt{1-\rho^2}+(\pi-\arccos\rho)\rho}{2\pi},\ \mathbf E[\mathrm{sgn}\,u\,\mathrm{sgn}\,v]=\tfrac2\pi\arcsin\rho",
       source="arc-cosine kernels (Cho & Saul 2009), Sheppard 1899; Haris et al. (2026)")
def check_gaussian_closed_forms(ctx: Context, *, kappa: Callable = kappa1) -> None:
    """Monte Carlo at 4 s.e. on a ρ grid plus the exact moments κ₁(0) = (E relu u)² = 1/(2π) and
    κ₁(1) = E relu(u)² = ½. ``kappa`` replaces κ₁ (false variant)."""
    rng = ctx.rng(404)
    N = ctx.pick(200_000, 1_000_000, 4_000_000)
    rho = np.asarray(GAUSS_RHOS)
    ctx.domain(f"ρ ∈ {GAUSS_RHOS}")
    ctx.method(f"Monte Carlo, {N:,} samples per ρ (seed {ctx.seed}+404), 4 s.e.; exact moments at ρ = 0, 1")
    for name, fn, ref in (("relu·relu = κ₁(ρ)", lambda a, b: np.maximum(a, 0) * np.maximum(b, 0), kappa),
                          ("step·step = (π − arccos ρ)/2π", lambda a, b: (a > 0) * (b > 0) * 1.0, step_kernel),
                          ("sgn·sgn = (2/π) arcsin ρ", lambda a, b: np.sign(a) * np.sign(b), sheppard)):
        mean, se = np.empty(rho.size), np.empty(rho.size)
        for r, p in enumerate(rho):
            u = rng.standard_normal(N)
            v = p * u + math.sqrt(1 - p * p) * rng.standard_normal(N)
            val = fn(u, v)
            mean[r], se[r] = val.mean(), val.std() / math.sqrt(N)
        ctx.check(Eq(mean, ref(rho), f"E[{name}] (4 s.e.)", tol=MC_Z * se, axes=[("ρ", rho)]))
        ctx.note(f"{name}: largest |mean − closed form| / s.e. = {np.max(np.abs(mean - ref(rho)) / se):.2f} "
                 f"(s.e. ≤ {se.max():.2g}, {N:,} samples per ρ)")
    ctx.check(Eq(kappa(np.array([0.0, 1.0])), np.array([1 / (2 * np.pi), 0.5]),
                 "κ₁(0) = 1/(2π), κ₁(1) = ½ (exact moments)", tol=1e-15, axes=[("ρ", [0.0, 1.0])]))


# ----------------------------------------------------------------------------- relu-layer-stability
@claim(id="relu-layer-stability",
       statement="f = aᵀrelu(Wx), x ~ N(0,I), y = ρx + √(1−ρ²)z: Stab_ρ(f) = Σ_{j,k} a_j a_k ‖w_j‖‖w_k‖ κ₁(ρ cos∠(w_j,w_k))",
       latex=r"\mathbf E[f(x)f(y)] = \sum_{j,k} a_ja_k\|w_j\|\|w_k\|\,\kappa_1(\rho\cos\angle(w_j,w_k))",
       source="Haris et al. (2026) [D]")
def check_relu_layer_stability(ctx: Context, *, kappa: Callable = kappa1) -> None:
    rng = ctx.rng(505)
    N = ctx.pick(100_000, 400_000, 2_000_000)
    layers = [(1, 3), (4, 5), (16, 5)]
    rho = np.asarray((-0.5, 0.0, 0.5, 0.9))
    ctx.domain(f"(width, input dim) ∈ {layers}, ρ ∈ {rho.tolist()}, Gaussian a, W")
    ctx.method(f"Monte Carlo, {N:,} pairs per (layer, ρ) (seed {ctx.seed}+505), 4 s.e.")
    for width, p in layers:
        a = rng.standard_normal(width)
        W = rng.standard_normal((width, p))
        nrm = np.linalg.norm(W, axis=1)
        cos = (W @ W.T) / np.outer(nrm, nrm)
        formula = np.array([(np.outer(a * nrm, a * nrm) * kappa(r * cos)).sum() for r in rho])
        mean, se = np.empty(rho.size), np.empty(rho.size)
        for i, r in enumerate(rho):
            x = rng.standard_normal((N, p))
            y = r * x + math.sqrt(1 - r * r) * rng.standard_normal((N, p))
            fx, fy = np.maximum(x @ W.T, 0) @ a, np.maximum(y @ W.T, 0) @ a
            val = fx * fy
            mean[i], se[i] = val.mean(), val.std() / math.sqrt(N)
        ctx.check(Eq(mean, formula, "E[f(x)f(y)] = Σ a_j a_k‖w_j‖‖w_k‖κ₁(ρ cos) (4 s.e.)", tol=MC_Z * se,
                     axes=[("ρ", rho)]), witness=lambda i, w=width, p=p: f"layer width {w}, input dim {p}")
        ctx.note(f"layer width {width}, input dim {p}: largest |mean − formula| / s.e. = "
                 f"{np.max(np.abs(mean - formula) / se):.2f} (s.e. ≤ {se.max():.2g}, {N:,} pairs per ρ)")


# ----------------------------------------------------------------------------- majority-sheppard
def majority_stability(n: int, rho: float) -> float:
    """Exact Stab_ρ(MAJ_n), n odd, from binomial sums (no 2^n table): O(n²) convolutions."""
    p = (1 - rho) / 2
    from math import comb

    total = 0.0
    pa = np.array([comb(n, a) for a in range(n + 1)], dtype=float) / 2.0**n
    sgn = np.where(n - 2 * np.arange(n + 1) > 0, 1.0, -1.0)
    for a in range(n + 1):
        f1 = np.array([comb(a, i) * p**i * (1 - p) ** (a - i) for i in range(a + 1)])  # −1s flipped to +1
        f2 = np.array([comb(n - a, i) * p**i * (1 - p) ** (n - a - i) for i in range(n - a + 1)])  # +1s flipped
        # b = a − F1 + F2: distribution of −F1 + F2 shifted by a
        conv = np.convolve(f1[::-1], f2)  # index t ↔ F2 − F1 = t − a
        b = np.arange(conv.size)  # b = a + (t − a) = t
        total += pa[a] * sgn[a] * (conv * sgn[b]).sum()
    return float(total)


def sheppard_limit(rho):
    """lim_n Stab_ρ(MAJ_n) = 1 − (2/π) arccos ρ."""
    return 1 - 2 / np.pi * np.arccos(rho)


@claim(id="majority-sheppard", statement="Stab_ρ(MAJ_n) → 1 − (2/π) arccos ρ (n odd → ∞)",
       latex=r"\lim_{n\to\infty}\mathrm{Stab}_\rho(\mathrm{MAJ}_n) = 1-\tfrac2\pi\arccos\rho",
       source="Sheppard's formula (O'Donnell Thm 5.18)")
def check_majority_sheppard(ctx: Context, *, limit: Callable = sheppard_limit) -> None:
    """Exact binomial sums for odd n ≤ n_max, cross-checked against the 2^n table route for n ≤ 15;
    "→" is checked as: the gap to the limit decreases in n and gap(n) ≤ gap(11)·√(11/n) for n ≥ 11
    (at least the 1/√n rate). ``limit`` replaces the limit (false variant)."""
    nmax = ctx.pick(51, 201, 401)
    rhos = np.asarray((0.1, 0.5, 0.9))
    ns = np.arange(1, nmax + 1, 2)
    ctx.domain(f"odd n ≤ {nmax}, ρ ∈ {rhos.tolist()}")
    ctx.method("exact (binomial sums; 2^n tables for n ≤ 15)")
    stab = np.array([[majority_stability(int(n), float(r)) for r in rhos] for n in ns])  # (len(ns), R)
    small = ns[ns <= 15]
    table = np.stack([bs.noise_stability(bs.majority(int(n)), rhos) for n in small])
    ctx.check(Eq(stab[: small.size], table, "binomial sum = bs.noise_stability(MAJ_n) (n ≤ 15)", tol=1e-12,
                 axes=[("ρ", rhos)]), witness=lambda i: f"MAJ_{small[i[0]]}")
    gap = np.abs(stab - limit(rhos)[None, :])
    ctx.check(Le(gap[1:], gap[:-1], "gap to the limit decreases in n", tol=1e-15, axes=[("ρ", rhos)]),
              witness=lambda i: f"MAJ_{ns[i[0] + 1]} vs MAJ_{ns[i[0]]}")
    big = ns >= 11
    i11 = int(np.flatnonzero(ns == 11)[0])
    ctx.check(Le(gap[big], gap[i11][None, :] * np.sqrt(11 / ns[big])[:, None], "gap(n) ≤ gap(11)·√(11/n)",
                 tol=1e-15, axes=[("ρ", rhos)]), witness=lambda i: f"MAJ_{ns[big][i[0]]}")
    slope = np.polyfit(np.log(ns[big]), np.log(gap[big]), 1)[0]
    ctx.note(f"gap at n={nmax}: {', '.join(f'ρ={r}: {g:.3g}' for r, g in zip(rhos, gap[-1]))}; "
             f"fitted decay exponents {np.round(slope, 3).tolist()}")


# ----------------------------------------------------------------------------- def-3.1-boolean
@claim(id="def-3.1-boolean", statement="Definition 3.1 with tokens = bits and uniform ±1 replacement equals I(f)/(2n)",
       latex=r"\mathbf E_{x,i,r}\,\mathbf 1[f(x_{i\leftarrow r})\ne f(x)] = \frac{I(f)}{2n}",
       source="Vasudeva et al. (2025), Definition 3.1 on Boolean data [D]")
def check_def31_boolean(ctx: Context, *, denominator: float = 2.0) -> None:
    """The definition evaluated exactly (every x, i and replacement r ∈ {±1}) against I(f)/(``denominator``·n)."""

    def pred(m: Measures):
        n, N = m.n, 1 << m.n
        x = np.arange(N)
        total = np.zeros(len(m))
        for i in range(n):
            for r in (0, 1):  # replacement bit: 0 ↔ +1, 1 ↔ −1
                y = (x & ~(1 << i)) | (r << i)
                total += (m.signs[:, y] != m.signs).mean(-1)
        sens = total / (2 * n)
        return Eq(sens, m.total_influence / (denominator * n), "Def 3.1 (exact) = I(f)/(2n)", tol=1e-12)

    run_predicate(pred, boolean(max_n=16), ctx)
