r"""docs/theory.md §3, inequalities: ``poincare``, ``edge-isoperimetric``, ``kkl``, ``friedgut``,
``level-k``, ``complexity-chain``, ``huang``, ``jensen``, and Vasudeva et al.'s (2025) ``prop-2.2``.

Every check runs on the standard Boolean domain (:func:`proofs_check.domains.boolean`), reports
the worst slack and its witness, counts the instances where the theory says the bound is tight,
and takes keyword arguments that alter the statement (the tests feed false variants through
:func:`proofs_check.variant`).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

import boolsens as bs
from boolsens.cube import popcount

from .core import Context, Eq, Ge, Le, Lt, claim
from .domains import Measures, boolean, run_predicate

EXACT = 1e-12  # dyadic quantities of ±1 tables are exact in float64; this only absorbs pow/log rounding


def _popcounts(n: int) -> np.ndarray:
    return popcount(np.arange(1 << n)).astype(np.int64)


# ----------------------------------------------------------------------------- poincare
@claim(id="poincare", statement="Var f ≤ I(f), with equality iff deg f ≤ 1",
       latex=r"\mathrm{Var}(f) \le I(f),\ \text{equality iff } \deg f \le 1", source="O'Donnell Prop 2.28")
def check_poincare(ctx: Context, *, equality_degree: int = 1) -> None:
    """``equality_degree`` is the degree up to which equality is claimed (1 in the theorem)."""

    def pred(m: Measures):
        var, I, deg = m.variance, m.total_influence, m.degree
        low = deg <= equality_degree
        ctx.tally(f"Var = I among functions with deg ≤ {equality_degree}",
                  int((np.abs(I - var) <= EXACT)[low].sum()), int(low.sum()))
        return [Le(var, I, "Var f ≤ I(f)", tol=EXACT),
                Eq(var, I, f"equality when deg ≤ {equality_degree}", tol=EXACT, where=low),
                Lt(var, I, f"strict when deg > {equality_degree}", tol=0.0, where=~low)]

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- edge-isoperimetric
def _subcube_mask(m: Measures) -> np.ndarray:
    """Is the minority set {x : f(x) = minority value} a nonempty subcube? (B,) bool."""
    N = 1 << m.n
    minus = m.signs < 0
    minority = np.where(minus.sum(-1, keepdims=True) * 2 <= N, minus, ~minus)
    size = minority.sum(-1)
    bits = ((np.arange(N)[:, None] >> np.arange(m.n)) & 1).astype(np.int64)  # (N, n)
    ones = minority.astype(np.int64) @ bits  # (B, n)
    fixed = ((ones == 0) | (ones == size[:, None])).sum(-1)
    return (size > 0) & (size == (N >> fixed))


@claim(id="edge-isoperimetric", statement="I(f) ≥ 2α log₂(1/α), α = min(Pr[f=1], Pr[f=−1]); equality for subcubes",
       latex=r"I(f) \ge 2\alpha\log_2(1/\alpha)", source="Harper/Hart edge-isoperimetric inequality")
def check_edge_isoperimetric(ctx: Context, *, factor: float = 2.0) -> None:
    """``factor`` replaces the 2 of the statement (a false variant for tests)."""

    def pred(m: Measures):
        p = (m.signs < 0).mean(-1)
        alpha = np.minimum(p, 1 - p)
        with np.errstate(divide="ignore", invalid="ignore"):
            rhs = np.where(alpha > 0, factor * alpha * np.log2(1 / np.where(alpha > 0, alpha, 1)), 0.0)
        sub = _subcube_mask(m)
        ctx.tally("equality I = 2α log₂(1/α) among subcube indicators",
                  int((np.abs(m.total_influence - rhs) <= EXACT)[sub].sum()), int(sub.sum()))
        ctx.tally("instances at equality that are subcube indicators (or constants)",
                  int((sub | (alpha == 0))[np.abs(m.total_influence - rhs) <= EXACT].sum()),
                  int((np.abs(m.total_influence - rhs) <= EXACT).sum()))
        return [Ge(m.total_influence, rhs, "I ≥ 2α log₂(1/α)", tol=EXACT),
                Eq(m.total_influence, rhs, "equality for subcubes", tol=EXACT, where=sub)]

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- kkl
def kkl_bound(itilde: np.ndarray) -> np.ndarray:
    """(9/Ĩ²)·9^{−Ĩ}, the explicit KKL lower bound on max_i Inf_i (docs/theory.md §3)."""
    return 9.0 / itilde**2 * 9.0 ** (-itilde)


@claim(id="kkl", statement="non-constant f, Ĩ = I/Var f: max_i Inf_i ≥ (9/Ĩ²)·9^{−Ĩ}",
       latex=r"\max_i \mathrm{Inf}_i(f) \ge \frac{9}{\tilde I^2}\,9^{-\tilde I},\ \tilde I = I(f)/\mathrm{Var} f",
       source="Kahn–Kalai–Linial (explicit form, O'Donnell §9.6)")
def check_kkl(ctx: Context, *, bound: Callable[[np.ndarray], np.ndarray] = kkl_bound) -> None:
    def pred(m: Measures):
        nonconst = m.variance > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            it = np.where(nonconst, m.total_influence / np.where(nonconst, m.variance, 1), 1.0)
        return Ge(m.influences.max(-1), bound(it), "max_i Inf_i ≥ (9/Ĩ²)9^{−Ĩ}", tol=EXACT, where=nonconst)

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- friedgut
EPSILONS = (1.0, 0.5, 0.25, 0.1)


@claim(id="friedgut", statement="ε ∈ (0,1], k = ⌈I/ε⌉, τ = ε²/(9^k I²), J = {i : Inf_i ≥ τ}: |J| ≤ 9^k I³/ε², "
       "g = Σ_{S⊆J,|S|≤k} f̂(S)χ_S has ‖f−g‖² ≤ 2ε and Pr[sgn g ≠ f] ≤ 2ε",
       latex=r"|J| \le 9^k I^3/\varepsilon^2,\ \|f-g\|_2^2 \le 2\varepsilon,\ \Pr[\mathrm{sgn}\,g\ne f]\le 2\varepsilon",
       source="Friedgut's junta theorem (checkable form [D])")
def check_friedgut(ctx: Context, *, k_scale: float = 1.0) -> None:
    """``k_scale`` multiplies I/ε inside the ceiling (a false variant for tests). sgn 0 counts as
    a disagreement (conservative). Constant functions (I = 0) have g = f and are skipped."""
    eps = np.asarray(EPSILONS)

    def pred(m: Measures):
        n, N = m.n, 1 << m.n
        I = m.total_influence
        live = I > 0
        Ip = np.where(live, I, 1.0)
        k = np.ceil(k_scale * Ip[:, None] / eps[None, :])  # (B, R)
        with np.errstate(over="ignore"):
            nine_k = np.power(9.0, k)
            tau = eps[None, :] ** 2 / (nine_k * Ip[:, None] ** 2)
            jbound = nine_k * Ip[:, None] ** 3 / eps[None, :] ** 2
        inJ = m.influences[:, None, :] >= tau[:, :, None]  # (B, R, n)
        Jmask = (inJ * (1 << np.arange(n))).sum(-1)  # (B, R) bitmask
        S = np.arange(N)
        keep = ((S[None, None, :] & ~Jmask[:, :, None]) == 0) & (_popcounts(n)[None, None, :] <= k[:, :, None])
        coef = m.coefficients[:, None, :]
        err = (np.where(keep, 0.0, coef) ** 2).sum(-1)  # ‖f − g‖² by Parseval
        g = bs.fwht(np.where(keep, coef, 0.0).reshape(-1, N)).reshape(keep.shape)  # Σ_S ĝ(S) χ_S(x)
        sg = np.where(np.abs(g) < 1e-12, 0, np.sign(g))
        dis = (sg != m.signs[:, None, :]).mean(-1)
        ax = [("ε", eps)]
        return [Le(inJ.sum(-1), jbound, "|J| ≤ 9^k I³/ε²", tol=EXACT, axes=ax, where=live[:, None]),
                Le(err, 2 * eps[None, :], "‖f − g‖² ≤ 2ε", tol=EXACT, axes=ax, where=live[:, None]),
                Le(dis, 2 * eps[None, :], "Pr[sgn g ≠ f] ≤ 2ε", tol=EXACT, axes=ax, where=live[:, None])]

    run_predicate(pred, boolean(max_n=14), ctx)


# ----------------------------------------------------------------------------- level-k
LEVEL_RHOS = (0.1, 0.25, 0.5, 0.75, 1.0)


@claim(id="level-k", statement="f: {±1}^n → {0,1}, mean α, ρ ∈ (0,1]: W^{≤k}(f) ≤ ρ^{−k} α^{2/(1+ρ)}",
       latex=r"W^{\le k}(f) \le \rho^{-k}\,\alpha^{2/(1+\rho)}", source="level-k inequality via hypercontractivity (O'Donnell §9.5)")
def check_level_k(ctx: Context, *, exponent: Callable[[np.ndarray], np.ndarray] = lambda r: 2 / (1 + r)) -> None:
    """The 0/1 indicator of f = −1 (True); all k = 0..n and ρ in LEVEL_RHOS. ``exponent(ρ)``
    replaces 2/(1+ρ) (a false variant for tests)."""
    rho = np.asarray(LEVEL_RHOS)

    def pred(m: Measures):
        ind = (m.signs < 0).astype(np.float64)
        alpha = ind.mean(-1)
        w = np.cumsum(bs.fourier_weights(ind), -1)  # (B, n+1): W^{≤k}
        k = np.arange(m.n + 1)
        rhs = rho[None, :, None] ** (-k[None, None, :]) * alpha[:, None, None] ** exponent(rho)[None, :, None]
        return Le(w[:, None, :], rhs, "W^{≤k} ≤ ρ^{−k} α^{2/(1+ρ)}", tol=1e-12,
                  axes=[("ρ", rho), ("k", list(k))])

    run_predicate(pred, boolean(max_n=14), ctx)


# ----------------------------------------------------------------------------- complexity-chain
@claim(id="complexity-chain", statement="s ≤ bs ≤ C ≤ D, deg ≤ D, C ≤ s·bs, D ≤ C·bs, bs ≤ 2 deg²",
       latex=r"s \le bs \le C \le D,\ \deg \le D,\ C \le s\cdot bs,\ D \le C\cdot bs,\ bs \le 2\deg^2",
       source="Nisan 1991; Nisan–Szegedy 1994; Beals et al. 2001")
def check_complexity_chain(ctx: Context, *, D_bound: Callable = lambda C, b: C * b) -> None:
    """``D_bound(C, bs)`` replaces C·bs (a false variant: ``lambda C, b: C``)."""

    def pred(m: Measures):
        s, b, C, D, deg = (np.asarray(v, dtype=np.float64) for v in
                           (m.sensitivity, m.block_sensitivity, m.certificate_complexity, m.decision_tree_depth, m.degree))
        return [Le(s, b, "s ≤ bs"), Le(b, C, "bs ≤ C"), Le(C, D, "C ≤ D"), Le(deg, D, "deg ≤ D"),
                Le(C, s * b, "C ≤ s·bs"), Le(D, D_bound(C, b), "D ≤ C·bs"), Le(b, 2 * deg**2, "bs ≤ 2 deg²")]

    run_predicate(pred, boolean(max_n=ctx.pick(8, 10, 12), families=(8, 10, 12), hypothesis=(20, 60, 200)), ctx)


# ----------------------------------------------------------------------------- huang
@claim(id="huang", statement="deg f ≤ s(f)²", latex=r"\deg f \le s(f)^2", source="Huang 2019 (sensitivity conjecture)")
def check_huang(ctx: Context, *, exponent: float = 2.0) -> None:
    def pred(m: Measures):
        s = np.asarray(m.sensitivity, dtype=np.float64)
        return Le(m.degree, s**exponent, "deg ≤ s²")

    run_predicate(pred, boolean(), ctx)


# ----------------------------------------------------------------------------- jensen
JENSEN_RHOS = (0.0, 0.1, 0.5, 0.9, 1.0)


@claim(id="jensen", statement="Stab_ρ(f) ≥ ρ^{I(f)} for ρ ∈ [0,1] (equality when the weight sits on one level)",
       latex=r"\mathrm{Stab}_\rho(f) \ge \rho^{I(f)}", source="Jensen on the spectral distribution [D]")
def check_jensen(ctx: Context, *, exponent: str = "I", op: str = ">=") -> None:
    """``exponent`` ("I" or "deg") and ``op`` (">=" or "<=") alter the statement (false variant:
    ``exponent="deg", op="<="``, i.e. Stab_ρ ≤ ρ^{deg})."""

    def pred(m: Measures):
        e = m.total_influence if exponent == "I" else np.asarray(m.degree, dtype=np.float64)
        with np.errstate(divide="ignore"):
            rhs = np.where(e[:, None] == 0, 1.0, m.rho[None, :] ** e[:, None])  # 0^0 = 1
        one_level = (m.weights > 1e-12).sum(-1) == 1
        inner = (m.rho > 0) & (m.rho < 1)
        eq = np.abs(m.stability() - rhs) <= 1e-12
        ctx.tally("equality Stab_ρ = ρ^I among (f, ρ∈(0,1)) with all weight on one level",
                  int(eq[one_level][:, inner].sum()), int(one_level.sum() * inner.sum()))
        rel = Ge if op == ">=" else Le
        return rel(m.stability(), rhs, f"Stab_ρ {op} ρ^{exponent}", tol=1e-12, axes=[("ρ", m.rho)])

    run_predicate(pred, boolean(rho=JENSEN_RHOS), ctx)


# ----------------------------------------------------------------------------- prop-2.2
PROP22_RHOS = (0.05, 0.25, 0.5, 0.75, 0.95)


def _half(rho: np.ndarray, e: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * (1 - np.where(e[:, None] == 0, 1.0, rho[None, :] ** e[:, None]))


@claim(id="prop-2.2", statement="ρ ∈ (0,1): Pr_ρ(f) ≤ ½(1−ρ^{I}) ≤ ½(1−ρ^{deg}) ≤ ½(1−ρ^{s²}) (every level); needs ρ ≥ 0",
       latex=r"\Pr_\rho(f) \le \tfrac12(1-\rho^{I(f)}) \le \tfrac12(1-\rho^{\deg f}) \le \tfrac12(1-\rho^{s(f)^2})",
       source="Vasudeva et al. (2025), Proposition 2.2 (proof chain [D])")
def check_prop22(ctx: Context, *, exponent_scale: float = 1.0) -> None:
    """Every level of the chain; ``exponent_scale`` multiplies I, deg and s² (a false variant).

    Negative ρ is outside the proposition: reported as a note (with MAJ₃ at ρ = −½ and a count
    over the exhaustive domain), never as a violation."""
    rho = np.asarray(PROP22_RHOS)

    def pred(m: Measures):
        I = m.total_influence * exponent_scale
        deg = np.asarray(m.degree, dtype=np.float64) * exponent_scale
        s2 = np.asarray(m.sensitivity, dtype=np.float64) ** 2 * exponent_scale
        pr = m.disagreement()
        lI, ld, ls = _half(rho, I), _half(rho, deg), _half(rho, s2)
        dictator = (np.abs(m.weights[:, 1] - 1) < 1e-12) & (m.influences.max(-1) == 1)
        allq = (np.abs(pr - lI) <= 1e-12) & (np.abs(lI - ld) <= 1e-12) & (np.abs(ld - ls) <= 1e-12)
        ctx.tally("dictators (±x_i) with equality at every level, every ρ", int(allq[dictator].all(-1).sum()),
                  int(dictator.sum()))
        ax = [("ρ", rho)]
        return [Le(pr, lI, "Pr_ρ ≤ ½(1−ρ^I)", tol=1e-12, axes=ax),
                Le(lI, ld, "½(1−ρ^I) ≤ ½(1−ρ^deg)", tol=1e-12, axes=ax),
                Le(ld, ls, "½(1−ρ^deg) ≤ ½(1−ρ^{s²})", tol=1e-12, axes=ax),
                Eq(ls, bs.robustness_bound(m.signs, rho), "½(1−ρ^{s²}) = bs.robustness_bound", tol=1e-12, axes=ax)]

    run_predicate(pred, boolean(rho=PROP22_RHOS), ctx)
    # outside the hypothesis: ρ < 0
    maj = bs.majority(3)
    pr, bound = float(bs.disagreement_probability(maj, -0.5)), float(bs.robustness_bound(maj, -0.5))
    ctx.note(f"the bound needs ρ ≥ 0: MAJ₃ at ρ = −½ has Pr = {pr:.6g} "
             f"{'>' if pr > bound else '≤'} ½(1−ρ^{{s²}}) = {bound:.6g} — outside the hypothesis, not a violation")
    signs = ctx.cache.get(("batch", "all-3"))
    from .domains import all_functions

    allf = all_functions(3) if signs is None else signs.signs
    neg = np.array([-0.9, -0.5, -0.1])
    over = bs.disagreement_probability(allf, neg) > bs.robustness_bound(allf, neg) + 1e-12
    ctx.note(f"at ρ ∈ {{−0.9, −0.5, −0.1}}, {int(over.sum())}/{over.size} (f, ρ) on n = 3 exceed ½(1−ρ^{{s²}}) "
             "(expected: the proposition assumes ρ ≥ 0)")
