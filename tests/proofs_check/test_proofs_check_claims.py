"""Every claim of docs/theory.md §3 holds on the quick profile, and every checker fails on a false
variant with a correct witness (the witness is re-checked independently here)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import boolsens as bs
import proofs_check as pc
from proofs_check.claims_source_papers import kappa1

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def quick_results():
    # one run (shared measure cache); word-sensitivity is the slowest part
    return {r.id: r for r in pc.run_claims(profile="quick")}


def test_registry_has_exactly_the_theory_ids():
    assert pc.REGISTRY.ids() == list(pc.THEORY_IDS)


@pytest.mark.parametrize("cid", pc.THEORY_IDS)
def test_claim_holds_on_quick_profile(quick_results, cid):
    r = quick_results[cid]
    assert r.error is None, r.error
    assert r.held, pc.format_details(r)
    assert r.instances > 0 and r.relations and r.method and r.domain
    assert all(rel.instances > 0 for rel in r.relations)
    assert math.isfinite(r.worst_slack) and r.witness


# ----------------------------------------------------------------------------- false variants
def _run_variant(cid, **kw):
    r = pc.run_claim(pc.variant(cid, **kw), profile="quick")
    assert r.error is None, r.error
    assert not r.held, f"{cid} variant {kw} was not caught:\n{pc.format_details(r)}"
    bad = [rel for rel in r.relations if not rel.held]
    assert bad and bad[0].violations > 0 and bad[0].worst_slack < 0
    return r, bad


def _witness_function(rel) -> bs.BooleanFunction:
    n, hx = rel.witness_table.split(":")
    return bs.BooleanFunction.from_hex(hx, int(n))


def _param(rel, name) -> float:
    m = re.search(rf"{name}=(-?[0-9.e+-]+)", rel.witness)
    assert m, rel.witness
    return float(m.group(1))


def test_false_parseval_caught():
    _, bad = _run_variant("parseval", scale=1.01)
    f = _witness_function(bad[0]) if bad[0].witness_table else None
    if f is not None:
        assert abs(1.01 * bs.fourier_weights(f).sum() - 1.0) > 1e-9


def test_false_influence_fourier_caught():
    _, bad = _run_variant("influence-fourier", shift=1)
    f = _witness_function(bad[0])
    i = int(_param(bad[0], "i"))
    c2 = bs.fourier_coefficients(f) ** 2
    S = np.arange(1 << f.n)
    assert abs(bs.influences(f)[i] - c2[(S >> ((i + 1) % f.n)) & 1 == 1].sum()) > 1e-9


def test_false_total_influence_caught():
    _, bad = _run_variant("total-influence", level_offset=1)
    f = _witness_function(bad[0])
    w = bs.fourier_weights(f)
    assert abs((w * (np.arange(f.n + 1) + 1)).sum() - bs.average_sensitivity(f)) > 1e-9


def test_false_stability_fourier_caught():
    _, bad = _run_variant("stability-fourier", power_offset=1)
    f = _witness_function(bad[0])
    rho = _param(bad[0], "ρ")
    w = bs.fourier_weights(f)
    assert abs(bs.noise_stability(f, rho) - (w * rho ** (np.arange(f.n + 1) + 1)).sum()) > 1e-9


def test_false_disagreement_caught():
    _, bad = _run_variant("disagreement", factor=0.4)
    f = _witness_function(bad[0])
    rho = _param(bad[0], "ρ")
    assert abs(bs.disagreement_probability(f, rho) - (0.5 - 0.4 * bs.noise_stability(f, rho))) > 1e-9


def test_false_noise_sensitivity_bound_caught():
    _, bad = _run_variant("noise-sensitivity", bound_factor=0.5)
    assert [rel.name for rel in bad] == ["NS_δ ≤ δ·I(f)"]
    f = _witness_function(bad[0])
    delta = _param(bad[0], "δ")
    assert bs.noise_sensitivity(f, delta) > 0.5 * delta * bs.total_influence(f)


def test_false_poincare_equality_caught():
    _, bad = _run_variant("poincare", equality_degree=2)
    f = _witness_function(bad[0])
    assert bs.degree(f) == 2 and bs.total_influence(f) > 1 - bs.fourier_coefficients(f)[0] ** 2


def test_false_edge_isoperimetric_caught():
    _, bad = _run_variant("edge-isoperimetric", factor=2.5)
    f = _witness_function(bad[0])
    p = (f.signs < 0).mean()
    a = min(p, 1 - p)
    assert bs.total_influence(f) < 2.5 * a * math.log2(1 / a)


def test_false_kkl_caught():
    _, bad = _run_variant("kkl", bound=lambda it: 1 / it)  # max Inf ≥ 1/Ĩ: false (majority)
    f = _witness_function(bad[0])
    var = 1 - bs.fourier_coefficients(f)[0] ** 2
    assert bs.influences(f).max() < var / bs.total_influence(f)


def test_false_friedgut_caught():
    _, bad = _run_variant("friedgut", k_scale=0.05)
    f = _witness_function(bad[0])
    assert bs.total_influence(f) > 0


def test_false_level_k_caught():
    _, bad = _run_variant("level-k", exponent=lambda r: 2.0 + 0 * r)
    f = _witness_function(bad[0])
    rho, k = _param(bad[0], "ρ"), int(_param(bad[0], "k"))
    ind = (f.signs < 0).astype(float)
    assert np.cumsum(bs.fourier_weights(ind))[k] > rho ** (-k) * ind.mean() ** 2


def test_false_complexity_chain_caught():
    _, bad = _run_variant("complexity-chain", D_bound=lambda C, b: C)
    f = _witness_function(bad[0])
    assert bs.decision_tree_depth(f) > bs.certificate_complexity(f)


def test_false_huang_caught():
    _, bad = _run_variant("huang", exponent=1.0)
    f = _witness_function(bad[0])
    assert bs.degree(f) > bs.sensitivity(f)


def test_false_jensen_caught():
    _, bad = _run_variant("jensen", exponent="deg", op="<=")  # Stab_ρ ≤ ρ^{deg}: false
    f = _witness_function(bad[0])
    rho = _param(bad[0], "ρ")
    assert bs.noise_stability(f, rho) > rho ** bs.degree(f)


def test_false_prop22_caught():
    r, bad = _run_variant("prop-2.2", exponent_scale=0.5)
    f = _witness_function(bad[0])
    rho = _param(bad[0], "ρ")
    assert bs.disagreement_probability(f, rho) > 0.5 * (1 - rho ** (0.5 * bs.total_influence(f)))


@pytest.mark.parametrize("kw, relname", [
    (dict(krawtchouk_sign=1, parts="ab"), "(a) transform of Φ(Σx_i) = Krawtchouk μ_{|U|}"),
    (dict(order_step=1, parts="ab"), "(b) μ_k ≥ μ_{k+1}"),
    (dict(ck_power=2.0, parts="c"), "(c) E CK = t³ (4 s.e.)"),
    (dict(ntk_factor=3.0, parts="c"), "(c) E NTK = 4t³ (4 s.e.)"),
    (dict(multi_tokens=1, parts="d"), "(d) T=1: E Θ depends on more than ⟨x,y⟩ (|z| > 4)"),
], ids=["krawtchouk", "even-odd", "ck", "ntk", "one-token"])
def test_false_prop21_caught(kw, relname):
    _, bad = _run_variant("prop-2.1", **kw)
    assert relname in [rel.name for rel in bad]
    rel = next(rel for rel in bad if rel.name == relname)
    if "t" in kw.get("parts", "") or kw.get("parts") == "c":
        t = _param(rel, "t")
        assert t < 0.99  # t = 1 and t = 0 agree for t² vs t³; the witness must be elsewhere
    if kw.get("order_step") == 1:
        assert "Φ=u" in rel.witness or "Σ a_m" in rel.witness or "u³" in rel.witness


def test_false_softmax_perturbation_caught():
    _, bad = _run_variant("softmax-perturbation", factor=1.0)
    assert "n=" in bad[0].witness and bad[0].lhs > bad[0].rhs


def test_false_word_sensitivity_caught():
    _, bad = _run_variant("word-sensitivity", rf_slope=0.0, attention=False)
    assert bad[0].name.startswith("log–log slope of WS_RF") and bad[0].lhs < -0.15


def test_false_gaussian_kappa_caught():
    wrong = lambda r: (np.sqrt(1 - np.asarray(r) ** 2) + np.arccos(np.asarray(r)) * np.asarray(r)) / (2 * np.pi)
    _, bad = _run_variant("gaussian-closed-forms", kappa=wrong)
    rel = next(rel for rel in bad if rel.name.startswith("E[relu"))
    rho = _param(rel, "ρ")
    assert abs(wrong(rho) - kappa1(rho)) > 0.01


def test_false_relu_layer_caught():
    _, bad = _run_variant("relu-layer-stability", kappa=lambda r: np.asarray(r) / 4)
    assert "layer width" in bad[0].witness


def test_false_majority_limit_caught():
    _, bad = _run_variant("majority-sheppard", limit=lambda r: np.asarray(r))
    assert any("gap" in rel.name for rel in bad)


def test_false_def31_caught():
    _, bad = _run_variant("def-3.1-boolean", denominator=1.0)
    f = _witness_function(bad[0])
    assert bs.total_influence(f) > 0


# ----------------------------------------------------------------------------- cryptographic bounds
# covering-radius and siegenthaler: false variants caught with witnesses re-checked from the
# definitions (tests/oracle.py, tests/oracle_structure.py), and the tallies of their equality cases
import oracle  # noqa: E402
import oracle_structure as ors  # noqa: E402


def _nonlinearity(table) -> int:
    """Least Hamming distance to the 2**(n+1) affine functions ±χ_S (from the oracle's χ)."""
    n = oracle.n_of(table)
    return min(sum(1 for x in range(1 << n) if table[x] != c * oracle.chi(S, x, n))
               for S in range(1 << n) for c in (1, -1))


def _gf2_degree(table) -> int:
    """Largest |S| with a_S = ⊕_{T ⊆ S} b(T) = 1, b = [f = −1] (the Möbius sum, by subsets)."""
    n = oracle.n_of(table)
    best = 0
    for S in range(1 << n):
        a = 0
        T = S
        while True:
            a ^= int(table[T] == -1)
            if T == 0:
                break
            T = (T - 1) & S
        if a:
            best = max(best, bin(S).count("1"))
    return best


def test_false_covering_radius_caught():
    _, bad = _run_variant("covering-radius", offset=1)
    f = _witness_function(bad[0])
    n, row = f.n, f.signs.tolist()
    assert _nonlinearity(row) > 2 ** (n - 1) - 2 ** (n / 2 - 1) - 1


def test_false_siegenthaler_correlation_immunity_caught():
    _, bad = _run_variant("siegenthaler", ci_slack=1)
    f = _witness_function(bad[0])
    row = f.signs.tolist()
    assert _gf2_degree(row) > f.n - ors.correlation_immunity(row) - 1


def test_false_siegenthaler_resiliency_caught():
    _, bad = _run_variant("siegenthaler", res_slack=2)
    f = _witness_function(bad[0])
    row = f.signs.tolist()
    m = ors.resiliency(row)
    assert 0 <= m <= f.n - 2 and _gf2_degree(row) > f.n - m - 2


def test_the_bounds_are_tight_where_the_theory_says():
    results = {r.id: r for r in pc.run_claims(["covering-radius", "siegenthaler"], profile="quick")}
    cov = results["covering-radius"]
    assert cov.held
    # every bent function meets the bound and only bent ones do: hits == total in both tallies
    for line in cov.tightness:
        hits, total = line.rsplit(": ", 1)[1].split("/")
        assert hits == total and int(total) > 0, line
    sieg = results["siegenthaler"]
    assert sieg.held and all(int(line.rsplit(": ", 1)[1].split("/")[0].replace(",", "")) > 0
                             for line in sieg.tightness)


def test_parity_meets_siegenthaler_and_shows_why_m_le_n_minus_2():
    """PARITY_n: CI = n − 1 and deg₂ = 1 = n − CI (tight); it is (n − 1)-resilient, and there the
    resilient bound n − m − 1 = 0 would fail, which is why the theorem needs m ≤ n − 2."""
    for n in (2, 3, 5):
        p = bs.parity(n)
        assert bs.gf2_degree(p) == n - bs.correlation_immunity(p) == 1
        assert bs.resiliency(p) == n - 1 and bs.gf2_degree(p) > n - bs.resiliency(p) - 1
    tables = np.array(oracle.all_boolean_tables(3), dtype=np.int8)
    res = bs.resiliency(tables)
    deg = bs.gf2_degree(tables)
    ok = (res >= 0) & (res <= 1)
    assert np.all(deg[ok] <= 3 - res[ok] - 1)


def test_false_fractional_chain_caught():
    _, bad = _run_variant("fractional-chain", fbs_scale=1.5)  # 1.5·fbs ≤ C: false where fbs = C > 0
    f = _witness_function(bad[0])
    assert 1.5 * bs.fractional_block_sensitivity(f) > bs.certificate_complexity(f)


def test_false_approximate_degree_caught():
    _, bad = _run_variant("approximate-degree", factor=0.5)  # bs ≤ adeg²/2: false (OR_n)
    f = _witness_function(bad[0])
    assert bs.block_sensitivity(f) > 0.5 * bs.approximate_degree(f) ** 2
