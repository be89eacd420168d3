r"""docs/theory.md §3, Vasudeva et al. (2025) Proposition 2.1 (weak spectral bias of linear-attention CK/NTK): ``prop-2.1``.

(a) For K(x,y) = Φ(⟨x,y⟩) on {±1}^d every character χ_U is an eigenfunction of
    (Kf)(x) = E_y K(x,y) f(y), with eigenvalue μ_{|U|} = E_x[χ_U(x) Φ(Σ x_i)]
    = 2^{−d} Σ_j K_j(k; d) Φ(d − 2j) (Krawtchouk). Checked three ways: the transform of
    x ↦ Φ(Σ x_i) (``bs.fourier_coefficients``), the Krawtchouk sum, and K χ_U − μ χ_U on the full
    2^d × 2^d matrix; and the closed form for Φ = e^{u/d}.
(b) If Φ(dt) = Σ a_m t^m with a_m ≥ 0 then μ_k ≥ 0 and μ_k ≥ μ_{k+2} (even and odd separately);
    the counterexamples Φ = (u² − d)/2 and Φ = u are reported as notes.
(c) One-token linear attention (width m, weights iid N(0,1)): expected CK t³ and NTK 4t³,
    t = ⟨x,y⟩/d, by Monte Carlo over initialisations (analytic per-draw gradients; the tests
    compare them with torch autograd), passing at 4 standard errors.
(d) A real torch linear-attention model with T tokens on the cube (d ≤ 10): empirical NTK
    Θ = JJᵀ over all 2^d inputs, Λ = 4^{−d} H Θ H, averaged over initialisations; reports per-degree
    eigenvalues, the even/odd orderings and the off-diagonal mass; checks T = 1 against the
    Krawtchouk eigenvalues of 4t³ and shows that for T = 2 the kernel depends on more than ⟨x,y⟩.

Conventions: see :mod:`boolsens`. Cost: (a)/(b) O(4^d) per Φ; (c) O(draws · m · d); (d)
O(draws · 2^d · P) plus 2^d × 2^d matrix products.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

import boolsens as bs
from boolsens.cube import popcount
from boolsens.torch_runtime import torch_threads

from .core import Context, Eq, Ge, Lt, claim


def krawtchouk_eigenvalues(phi: Callable[[np.ndarray], np.ndarray], d: int, *, sign: int = -1) -> np.ndarray:
    r"""μ_k = 2^{−d} Σ_j K_j(k; d) Φ(d − 2j), K_j(k; d) = Σ_i (−1)^i C(k,i) C(d−k, j−i); (d+1,).

    ``sign=+1`` drops the (−1)^i (a false formula, for tests).

    >>> krawtchouk_eigenvalues(lambda u: u**3, 7)[[1, 3]].round(9).tolist()
    [19.0, 6.0]
    """
    out = np.zeros(d + 1)
    vals = phi(np.array([d - 2 * j for j in range(d + 1)], dtype=np.float64))
    for k in range(d + 1):
        total = 0.0
        for j in range(d + 1):
            kj = sum(sign**i * math.comb(k, i) * math.comb(d - k, j - i) for i in range(0, min(k, j) + 1))
            total += kj * vals[j]
        out[k] = total / 2**d
    return out


def _character_matrix(d: int) -> np.ndarray:
    x = np.arange(1 << d)
    return (1 - 2 * (popcount(x[:, None] & x[None, :]).astype(np.int64) & 1)).astype(np.float64)  # H[S, x] = χ_S(x)


def _pop(d: int) -> np.ndarray:
    return popcount(np.arange(1 << d)).astype(np.int64)


def _kernels(rng: np.random.Generator, count: int):
    """(name, Φ(u, d), nonnegative-coefficients?) triples."""
    ks = [("u³", lambda u, d: u**3, True), ("e^{u/d}", lambda u, d: np.exp(u / d), True),
          ("u", lambda u, d: u, True), ("(u²−d)/2", lambda u, d: (u**2 - d) / 2, False),
          ("relu(u)", lambda u, d: np.maximum(u, 0.0), False)]
    for r in range(count):
        a = rng.random(rng.integers(1, 7))
        ks.append((f"Σ a_m (u/d)^m, a={np.round(a, 3).tolist()}",
                   lambda u, d, a=a: sum(am * (u / d) ** mm for mm, am in enumerate(a)), True))
    return ks


# ----------------------------------------------------------------------------- (c) analytic MC
def linear_attention_mc(points: np.ndarray, m: int, draws: int, rng: np.random.Generator, chunk: int = 20000):
    r"""Per-draw CK f(x₀)f(x_p) and NTK ⟨∇θ f(x₀), ∇θ f(x_p)⟩ of the one-token model (c).

    points: (P, d) ±1 rows, x₀ = points[0]. Returns (ck, ntk), each (draws, P). f(x) =
    (a·b)(u·c)/m with a = W_Qᵀx/√d, b = W_Kᵀx/√d, c = W_Vᵀx/√d (so s = a·b/√m, f = s(u·c)/√m).
    """
    P, d = points.shape
    ck, ntk = [], []
    X = points.astype(np.float64)
    G = X @ X[0] / d  # (P,) t values
    done = 0
    while done < draws:
        c_ = min(chunk, draws - done)
        WQ, WK, WV = (rng.standard_normal((c_, d, m)) for _ in range(3))
        u = rng.standard_normal((c_, m))
        A = np.einsum("pd,cdm->cpm", X, WQ) / math.sqrt(d)
        B = np.einsum("pd,cdm->cpm", X, WK) / math.sqrt(d)
        C = np.einsum("pd,cdm->cpm", X, WV) / math.sqrt(d)
        ab = (A * B).sum(-1)  # (c, P)
        uc = np.einsum("cpm,cm->cp", C, u)
        f = ab * uc / m
        ck.append(f[:, :1] * f)
        AA = np.einsum("cm,cpm->cp", A[:, 0], A)
        BB = np.einsum("cm,cpm->cp", B[:, 0], B)
        CC = np.einsum("cm,cpm->cp", C[:, 0], C)
        uu = (u * u).sum(-1, keepdims=True)
        t = G[None, :]
        ntk.append((t * BB * uc[:, :1] * uc + t * AA * uc[:, :1] * uc + t * uu * ab[:, :1] * ab
                    + CC * ab[:, :1] * ab) / m**2)
        done += c_
    return np.concatenate(ck), np.concatenate(ntk)


# ----------------------------------------------------------------------------- (d) torch model
def linear_attention_model(d: int, tokens: int, m: int, seed: int):
    """A T-token linear-attention model (no softmax) on x ∈ {±1}^d split into T tokens of width
    d/T; readout at the last token. For T = 1 it is the model of (c). Weights iid N(0, 1)."""
    import torch

    if d % tokens:
        raise ValueError(f"d={d} must be divisible by tokens={tokens}")
    p = d // tokens
    g = torch.Generator().manual_seed(seed)

    class LinearAttention(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.W_Q = torch.nn.Parameter(torch.randn(p, m, generator=g, dtype=torch.float64))
            self.W_K = torch.nn.Parameter(torch.randn(p, m, generator=g, dtype=torch.float64))
            self.W_V = torch.nn.Parameter(torch.randn(p, m, generator=g, dtype=torch.float64))
            self.u = torch.nn.Parameter(torch.randn(m, generator=g, dtype=torch.float64))

        def forward(self, x):  # x: (B, d)
            X = x.reshape(x.shape[0], tokens, p)  # (B, T, p)
            Q = X @ self.W_Q / math.sqrt(p)  # (B, T, m)
            K = X @ self.W_K / math.sqrt(p)  # (B, T, m)
            V = X @ self.W_V / math.sqrt(p)  # (B, T, m)
            S = Q @ K.transpose(1, 2) / math.sqrt(m)  # (B, T, T), identity instead of softmax
            out = (S @ V)[:, -1, :] / math.sqrt(m)  # (B, m), last token
            return out @ self.u  # (B,)

    return LinearAttention()


def empirical_ntk(model, d: int) -> np.ndarray:
    """Θ = J Jᵀ on all 2^d cube points (rows in index order, bit i = coordinate i, bit 1 ↔ −1)."""
    import torch
    from torch.func import functional_call, grad, vmap

    params = {k: v.detach() for k, v in model.named_parameters()}
    x = torch.from_numpy(bs.cube_points(d).astype(np.float64))

    def f(p, xi):
        return functional_call(model, p, (xi[None],))[0]

    jac = vmap(grad(f), in_dims=(None, 0))(params, x)
    J = torch.cat([jac[k].reshape(x.shape[0], -1) for k in params], dim=1)  # (2^d, P)
    return (J @ J.T).numpy()


def ntk_spectrum(thetas: np.ndarray, d: int):
    """Per-draw Λ = 4^{−d} H Θ H for a stack of Θ (R, N, N); returns (Λ̄, per-draw level means (R, d+1))."""
    H = _character_matrix(d)
    lam = H @ thetas @ H.T / 4**d  # (R, N, N); H symmetric
    pc = _pop(d)
    diag = np.diagonal(lam, axis1=1, axis2=2)  # (R, N)
    levels = np.stack([diag[:, pc == k].mean(-1) for k in range(d + 1)], -1)
    return lam.mean(0), levels


def _order_text(mu: np.ndarray, start: int) -> str:
    """``μ0=… ≥ μ2=… ≈ μ4=…`` (≈ within 1e-9 of the largest |μ|)."""
    vals = mu[start::2]
    tol = 1e-9 * max(1.0, float(np.abs(mu).max()))
    out = f"μ{start}={vals[0]:.3g}" if vals.size else ""
    for i in range(1, vals.size):
        a, b = vals[i - 1], vals[i]
        op = "≈" if abs(a - b) <= tol else ("≥" if a > b else "<")
        out += f" {op} μ{start + 2 * i}={b:.3g}"
    return out


# ----------------------------------------------------------------------------- the claim
@claim(id="prop-2.1",
       statement="Φ(⟨x,y⟩) kernels: characters are eigenfunctions, μ_k by Krawtchouk; nonneg. coefficients ⇒ "
                 "μ_k ≥ 0, μ_k ≥ μ_{k+2}; one-token linear attention: E CK = t³, E NTK = 4t³; T ≥ 2: not Φ(⟨x,y⟩)",
       latex=r"\mu_{|U|} = 2^{-d}\sum_j K_j(|U|;d)\,\Phi(d-2j),\ \mu_k\ge\mu_{k+2}\ge 0,\ "
             r"\mathbf E\,\mathrm{CK} = t^3,\ \mathbf E\,\mathrm{NTK} = 4t^3",
       source="Vasudeva et al. (2025), Proposition 2.1 (parts [D])")
def check_prop21(ctx: Context, *, krawtchouk_sign: int = -1, order_step: int = 2, ck_power: float = 3.0,
                 ntk_factor: float = 4.0, multi_tokens: int = 2, parts: str = "abcd") -> None:
    """Parts (a)–(d). Keyword arguments alter the statement (false variants for tests):
    ``krawtchouk_sign=+1``, ``order_step=1`` (compare even with odd), ``ck_power``, ``ntk_factor``,
    ``multi_tokens=1`` (claim the one-token kernel is not a function of ⟨x,y⟩). ``parts`` selects
    the parts to run (all by default; "ab", "c", "d" run alone)."""
    if "a" in parts or "b" in parts:
        _part_ab(ctx, krawtchouk_sign, order_step)
    if "c" in parts:
        _part_c(ctx, ck_power, ntk_factor)
    if "d" in parts:
        with torch_threads(1):
            _part_d(ctx, multi_tokens)


def _part_ab(ctx: Context, sign: int, step: int) -> None:
    dmax = ctx.pick(6, 8, 10)
    rng = ctx.rng(21)
    kernels = _kernels(rng, ctx.pick(4, 12, 40))
    ctx.domain(f"(a,b) {len(kernels)} kernels Φ (seed {ctx.seed}+21), d = 1..{dmax}")
    ctx.method("exact (a,b)")
    for d in range(1, dmax + 1):
        x = bs.cube_points(d).astype(np.float64)
        u = x.sum(1)  # Σ x_i per point
        H = _character_matrix(d)
        pc = _pop(d)
        inner = x @ x.T
        for name, phi, nonneg in kernels:
            tag = f"Φ={name}, d={d}"
            coef = bs.fourier_coefficients(phi(u, d))  # (N,): E_x χ_U(x) Φ(Σx)
            mu = krawtchouk_eigenvalues(lambda v: phi(v, d), d, sign=sign)
            scale = 1e-9 * max(1.0, float(np.abs(coef).max()))
            ctx.check(Eq(coef, mu[pc], "(a) transform of Φ(Σx_i) = Krawtchouk μ_{|U|}", tol=scale,
                         axes=[("U", [format(S, f"0{d}b")[::-1] for S in range(1 << d)])]), witness=lambda i, t=tag: t)
            K = phi(inner, d)
            resid = (K @ H.T) / 2**d - H.T * mu[pc][None, :]  # column U: Kχ_U − μ χ_U
            ctx.check(Eq(np.abs(resid).max(0), 0.0, "(a) K χ_U = μ_{|U|} χ_U (full matrix)", tol=scale * 2**d,
                         axes=[("U", list(range(1 << d)))]), witness=lambda i, t=tag: t)
            if name == "e^{u/d}":
                k = np.arange(d + 1)
                closed = np.sinh(1 / d) ** k * np.cosh(1 / d) ** (d - k)
                ctx.check(Eq(mu, closed, "(a) Φ=e^{u/d}: μ_k = sinh^k cosh^{d−k}(1/d)", tol=1e-12,
                             axes=[("k", list(k))]), witness=lambda i, t=tag: t)
            if nonneg:
                ctx.check(Ge(mu, 0.0, "(b) μ_k ≥ 0", tol=scale, axes=[("k", list(range(d + 1)))]),
                          witness=lambda i, t=tag: t)
                if d >= step:
                    ctx.check(Ge(mu[:-step], mu[step:], f"(b) μ_k ≥ μ_{{k+{step}}}", tol=scale,
                                 axes=[("k", list(range(d + 1 - step)))]), witness=lambda i, t=tag: t)
    d = 4
    mu_q = krawtchouk_eigenvalues(lambda v: (v**2 - d) / 2, d)
    mu_l = krawtchouk_eigenvalues(lambda v: v, d)
    ctx.note(f"(b) the hypothesis is needed: Φ=(u²−d)/2 (PSD, a₀ < 0) at d={d}: μ0={mu_q[0]:.3g} < μ2={mu_q[2]:.3g}; "
             f"Φ=u: μ0={mu_l[0]:.3g} < μ1={mu_l[1]:.3g} (even and odd degrees are not ordered: the bias is 'weak')")


def _part_c(ctx: Context, ck_power: float, ntk_factor: float) -> None:
    draws = ctx.pick(20_000, 100_000, 400_000)
    configs = ctx.pick([(4, 4)], [(1, 3), (8, 6), (64, 6)], [(1, 3), (8, 6), (64, 6), (16, 10), (256, 4)])
    rng = ctx.rng(2100)
    ctx.method(f"Monte Carlo (c): {draws:,} draws per (m, d), seed {ctx.seed}+2100, 4 s.e.")
    ctx.domain(f"(c) (m, d) ∈ {configs}")
    for m, d in configs:
        js = sorted({0, 1, d // 2, d - 1, d})
        pts = np.ones((len(js), d))
        for r, j in enumerate(js):
            pts[r, :j] = -1
        t = pts @ pts[0] / d
        ck, ntk = linear_attention_mc(pts, m, draws, rng)
        se_ck = ck.std(0, ddof=1) / math.sqrt(draws)
        se_ntk = ntk.std(0, ddof=1) / math.sqrt(draws)
        ax = [("t", [round(v, 4) for v in t])]
        wit = lambda i, m=m, d=d: f"m={m}, d={d}"
        ctx.check(Eq(ck.mean(0), t**ck_power, "(c) E CK = t³ (4 s.e.)", tol=4 * se_ck, axes=ax), witness=wit)
        ctx.check(Eq(ntk.mean(0), ntk_factor * t**3, "(c) E NTK = 4t³ (4 s.e.)", tol=4 * se_ntk, axes=ax), witness=wit)
        ctx.note(f"(c) m={m}, d={d}: CK s.e. {se_ck.max():.3g}, NTK s.e. {se_ntk.max():.3g} at {draws:,} draws "
                 f"(per-draw s.d. {ck.std(0).max():.3g} / {ntk.std(0).max():.3g})")


def _part_d(ctx: Context, multi_tokens: int) -> None:
    d = ctx.pick(6, 8, 10)
    m = ctx.pick(8, 16, 16)
    R = ctx.pick(20, 40, 100)
    ctx.method(f"empirical NTK (d): torch model, {R} initialisations, seeds {ctx.seed}+k")
    ctx.domain(f"(d) cube d={d}, width m={m}, T ∈ {{1, {multi_tokens}}}")
    half = d // 2
    xs = np.arange(1 << d)
    same, split = 0b11, 1 | (1 << half)  # flip 2 coordinates in the first half / one in each half
    for T in sorted({1, multi_tokens}):
        thetas = np.stack([empirical_ntk(linear_attention_model(d, T, m, ctx.seed + 1000 * T + r), d) for r in range(R)])
        lam, levels = ntk_spectrum(thetas, d)
        mu_hat = levels.mean(0)
        se = levels.std(0, ddof=1) / math.sqrt(R)
        off = lam - np.diag(np.diag(lam))
        off_mass = float((off**2).sum() / (lam**2).sum())
        # split-half estimate: Λ̄_A ⊙ Λ̄_B is unbiased for (E Λ)², so sampling noise cancels
        la, lb = ntk_spectrum(thetas[: R // 2], d)[0], ntk_spectrum(thetas[R // 2:], d)[0]
        prod = la * lb
        off_unbiased = float((prod.sum() - np.trace(prod)) / prod.sum())
        # same ⟨x,y⟩ = d − 4, different placement of the flips: a function of ⟨x,y⟩ cannot tell them apart
        D = thetas[:, xs, xs ^ same].mean(1) - thetas[:, xs, xs ^ split].mean(1)
        sd = D.std(ddof=1)
        z = float(D.mean() / (sd / math.sqrt(R))) if sd > 0 else 0.0
        ctx.note(f"(d) T={T}: per-degree eigenvalues {np.round(mu_hat, 4).tolist()} (s.e. ≤ {se.max():.2g}); "
                 f"even: {_order_text(mu_hat, 0)}; odd: {_order_text(mu_hat, 1)}; "
                 f"off-diagonal mass of Λ̄ {off_mass:.3g} (split-half estimate of the expected kernel's: {off_unbiased:.3g}); E Θ(x, x⊕{{0,1}}) − E Θ(x, x⊕{{0,{half}}}) = {D.mean():.3g} (z = {z:.2f})")
        if T == 1:
            mu = krawtchouk_eigenvalues(lambda v: 4 * (v / d) ** 3, d)
            ctx.check(Eq(mu_hat, mu, "(d) T=1 eNTK level means = Krawtchouk μ_k of 4t³ (4 s.e.)", tol=4 * se + 1e-9,
                         axes=[("k", list(range(d + 1)))]), witness=lambda i, d=d, m=m: f"T=1, d={d}, m={m}")
        if T == multi_tokens:
            ctx.check(Lt(4.0, abs(z), f"(d) T={T}: E Θ depends on more than ⟨x,y⟩ (|z| > 4)", tol=0.0),
                      witness=lambda i, d=d, m=m, T=T: f"T={T}, d={d}, m={m}, z={z:.2f}")
