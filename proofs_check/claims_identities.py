r"""docs/theory.md §3, Fourier identities: ``parseval``, ``influence-fourier``, ``total-influence``,
``stability-fourier``, ``disagreement``, ``noise-sensitivity``.

Each identity compares two independent computations: a spectral one through the core
(``bs.fourier_weights`` / ``bs.noise_stability``, one Walsh–Hadamard transform) and a definitional
one written here from the table (edge counts, pointwise sensitivity, the transition kernel
:math:`\prod_i (1+\rho x_i y_i)/2`, flip patterns). Each check takes keyword arguments that alter
the statement (used by the tests to show the checker fails on a false variant).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

import numpy as np

import boolsens as bs
from boolsens.cube import popcount

from .core import Context, Eq, Le, claim
from .domains import Measures, boolean, run_predicate

RHOS = (-1.0, -0.5, 0.0, 0.3, 0.5, 0.9, 1.0)
DELTAS = (0.0, 0.01, 0.1, 0.25, 0.4, 0.5)
TOL = 1e-10


def kernel_apply(signs: np.ndarray, rho: np.ndarray) -> np.ndarray:
    r"""(T_ρ f)(x) = Σ_y Π_i ((1+ρ x_i y_i)/2) f(y) for every ρ: (B, 2**n) -> (B, R, 2**n).

    The transition kernel applied directly (no Fourier transform): for n ≤ 6 as the explicit
    2**n × 2**n matrix ((1+ρ)/2)^{n−d} ((1−ρ)/2)^d with d = popcount(x ⊕ y); above, one 2×2
    step per coordinate. Cost O(R B 4**n) resp. O(R B n 2**n).
    """
    f = np.asarray(signs, dtype=np.float64)
    B, N = f.shape
    n = N.bit_length() - 1
    rho = np.atleast_1d(np.asarray(rho, dtype=np.float64))
    keep, flip = (1 + rho) / 2, (1 - rho) / 2
    if n <= 6:
        x = np.arange(N)
        d = popcount(x[:, None] ^ x[None, :]).astype(np.int64)
        K = keep[:, None, None] ** (n - d) * flip[:, None, None] ** d  # (R, N, N)
        return np.einsum("rxy,by->brx", K, f)
    out = np.broadcast_to(f[:, None, :], (B, rho.size, N)).copy()
    for i in range(n):
        v = out.reshape(B, rho.size, N >> (i + 1), 2, 1 << i)
        a, b = v[:, :, :, 0, :].copy(), v[:, :, :, 1, :].copy()
        k, fl = keep[None, :, None, None], flip[None, :, None, None]
        v[:, :, :, 0, :] = k * a + fl * b
        v[:, :, :, 1, :] = fl * a + k * b
    return out


def flip_disagreement(signs: np.ndarray, p: np.ndarray) -> np.ndarray:
    r"""Pr[f(x) ≠ f(y)], y = x with each bit flipped independently w.p. p, from flip patterns:
    Σ_z p^{|z|}(1−p)^{n−|z|} Pr_x[f(x) ≠ f(x ⊕ z)]. (B, 2**n) -> (B, R). For n ≤ 6 exactly so
    (O(B 4**n)); above, through :func:`kernel_apply` as E[(1 − f T f)/2]."""
    s = np.asarray(signs)
    B, N = s.shape
    n = N.bit_length() - 1
    p = np.atleast_1d(np.asarray(p, dtype=np.float64))
    if n > 6:
        tf = kernel_apply(s, 1 - 2 * p)
        return (1 - (s[:, None, :] * tf).mean(-1)) / 2
    x = np.arange(N)
    differ = np.zeros((B, N))
    for z in range(N):
        differ[:, z] = (s != s[:, x ^ z]).mean(-1)
    w = popcount(np.arange(N))
    probs = p[:, None] ** w[None, :] * (1 - p[:, None]) ** (n - w[None, :])  # (R, N)
    return differ @ probs.T


# ----------------------------------------------------------------------------- parseval
@claim(id="parseval", statement="Σ_S f̂(S)² = E f² (= 1 for Boolean f)", latex=r"\sum_S \hat f(S)^2 = \mathbf E[f^2]",
       source="O'Donnell, Analysis of Boolean Functions, Thm 1.16")
def check_parseval(ctx: Context, *, scale: float = 1.0) -> None:
    """Boolean domain plus seeded Gaussian real tables (n = 1..10). ``scale`` multiplies the left
    side (a false variant for tests)."""
    run_predicate(lambda m: Eq(scale * m.weights.sum(-1), (m.signs.astype(np.float64) ** 2).mean(-1),
                               "Σ W^k = E f² (Boolean)", tol=TOL), boolean(), ctx)
    rng = ctx.rng(101)
    count = ctx.pick(10, 50, 200)
    for n in range(1, 11):
        f = rng.standard_normal((count, 1 << n))
        lhs = scale * (bs.fourier_coefficients(f) ** 2).sum(-1)
        ctx.check(Eq(lhs, (f**2).mean(-1), "Σ f̂² = E f² (real, Gaussian tables)", tol=1e-9 * (1 + (f**2).mean(-1))),
                  witness=lambda idx, n=n: f"Gaussian table n={n} #{idx[0]} (rng seed {ctx.seed}+101)")
    ctx.domain(f"real Gaussian tables n=1..10 ({count} each)")
    ctx.method("seeded random real tables")


# ----------------------------------------------------------------------------- influence-fourier
@claim(id="influence-fourier", statement="Inf_i(f) = Σ_{S∋i} f̂(S)²",
       latex=r"\mathrm{Inf}_i(f) = \sum_{S \ni i} \hat f(S)^2", source="O'Donnell Thm 2.20")
def check_influence_fourier(ctx: Context, *, shift: int = 0) -> None:
    """Edge-count influences (``bs.influences``) against sums of squared coefficients. ``shift``
    rotates the coordinate used on the Fourier side (a false variant for tests)."""

    def pred(m: Measures):
        c2 = m.coefficients ** 2
        S = np.arange(1 << m.n)
        fourier = np.stack([c2[:, ((S >> ((i + shift) % m.n)) & 1) == 1].sum(-1) for i in range(m.n)], -1)
        return Eq(m.influences, fourier, "Inf_i = Σ_{S∋i} f̂²", tol=TOL, axes=[("i", list(range(m.n)))])

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- total-influence
@claim(id="total-influence", statement="Σ_S |S| f̂(S)² = E_x s(f, x)",
       latex=r"\sum_S |S|\hat f(S)^2 = \mathbf E_x\, s(f,x)", source="O'Donnell Prop 2.28")
def check_total_influence(ctx: Context, *, level_offset: int = 0) -> None:
    """Spectral Σ k W^k against the mean of the pointwise sensitivity table (and ``bs.total_influence``).
    ``level_offset`` adds to |S| (a false variant for tests)."""

    def pred(m: Measures):
        k = np.arange(m.n + 1) + level_offset
        spectral = (m.weights * k).sum(-1)
        mean_ps = m.pointwise_sensitivity.mean(-1, dtype=np.float64)
        return [Eq(spectral, mean_ps, "Σ|S| f̂² = E_x s(f,x)", tol=TOL),
                Eq(m.total_influence, mean_ps, "I(f) (edge counts) = E_x s(f,x)", tol=TOL)]

    run_predicate(pred, boolean(max_n=16), ctx)


# ----------------------------------------------------------------------------- stability-fourier
@claim(id="stability-fourier", statement="E[f(x)f(y)] over ρ-correlated pairs = Σ_S ρ^{|S|} f̂(S)²",
       latex=r"\mathbf E_{x,\,y\sim_\rho x}[f(x)f(y)] = \sum_S \rho^{|S|}\hat f(S)^2",
       source="O'Donnell Thm 2.49")
def check_stability_fourier(ctx: Context, *, power_offset: int = 0) -> None:
    """Pair-sum with the exact kernel Π(1+ρ x_i y_i)/2 against ``bs.noise_stability`` (spectral).
    ``power_offset`` changes ρ^{|S|} to ρ^{|S|+offset} (a false variant)."""

    def pred(m: Measures):
        pair = (m.signs[:, None, :] * kernel_apply(m.signs, m.rho)).mean(-1)  # (B, R)
        k = np.arange(m.n + 1) + power_offset
        spectral = m.weights @ (m.rho[None, :] ** k[:, None])
        core = m.stability()
        return [Eq(pair, spectral, "pair-sum = Σ ρ^|S| f̂²", tol=TOL, axes=[("ρ", m.rho)]),
                Eq(pair, core, "pair-sum = bs.noise_stability", tol=TOL, axes=[("ρ", m.rho)])]

    run_predicate(pred, boolean(rho=RHOS, max_n=14), ctx)


# ----------------------------------------------------------------------------- disagreement
@claim(id="disagreement", statement="Pr_ρ[f(x) ≠ f(y)] = ½ − ½ Stab_ρ(f)",
       latex=r"\Pr_\rho[f(x)\ne f(y)] = \tfrac12 - \tfrac12\mathrm{Stab}_\rho(f)", source="docs/theory.md §2–3")
def check_disagreement(ctx: Context, *, factor: float = 0.5) -> None:
    """Flip-pattern probability against ½ − factor·Stab_ρ (``factor`` ≠ ½ is a false variant)."""

    def pred(m: Measures):
        direct = flip_disagreement(m.signs, (1 - m.rho) / 2)
        return [Eq(direct, 0.5 - factor * m.stability(), "Pr_ρ (flip patterns) = ½ − ½ Stab_ρ", tol=TOL,
                   axes=[("ρ", m.rho)]),
                Eq(direct, m.disagreement(), "Pr_ρ (flip patterns) = bs.disagreement_probability", tol=TOL,
                   axes=[("ρ", m.rho)])]

    run_predicate(pred, boolean(rho=RHOS, max_n=14), ctx)


# ----------------------------------------------------------------------------- noise-sensitivity
@claim(id="noise-sensitivity", statement="NS_δ(f) = ½ − ½ Stab_{1−2δ}(f) and NS_δ(f) ≤ δ·I(f)",
       latex=r"\mathrm{NS}_\delta(f) = \tfrac12-\tfrac12\mathrm{Stab}_{1-2\delta}(f) \le \delta\, I(f)",
       source="O'Donnell Prop 2.51 / Ex 2.43; bound [D] in docs/theory.md §3")
def check_noise_sensitivity(ctx: Context, *, bound_factor: float = 1.0) -> None:
    """Direct NS_δ (flip patterns) against the identity and the bound ``bound_factor``·δ·I(f)."""
    deltas = np.asarray(DELTAS)

    def pred(m: Measures):
        direct = flip_disagreement(m.signs, deltas)
        stab = m.stability(1 - 2 * deltas)
        I = m.total_influence[:, None]
        # tight where the theory says: equality iff all weight sits on levels ≤ 1 (or δ = 0)
        gap = bound_factor * deltas[None, :] * I - direct
        low = (m.weights[:, 2:].sum(-1) < 1e-12)[:, None] & (deltas[None, :] > 0)
        ctx.tally("NS_δ = δ·I(f) (equality) among (f, δ > 0) with W^{≥2}(f) = 0",
                  int(((np.abs(gap) < 1e-12) & low).sum()), int(low.sum()))
        ax = [("δ", deltas)]
        return [Eq(direct, 0.5 - 0.5 * stab, "NS_δ (flip patterns) = ½ − ½ Stab_{1−2δ}", tol=TOL, axes=ax),
                Eq(direct, bs.noise_sensitivity(m.signs, deltas), "NS_δ = bs.noise_sensitivity", tol=TOL, axes=ax),
                Le(direct, bound_factor * deltas[None, :] * I, "NS_δ ≤ δ·I(f)", tol=TOL, axes=ax)]

    run_predicate(pred, boolean(max_n=14), ctx)
