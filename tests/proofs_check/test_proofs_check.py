"""proofs_check: the relation/registry machinery, the CLI, the public API, and docs/theory.md test vectors."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import boolsens as bs
import proofs_check as pc
from proofs_check import verify_command as cli
from proofs_check.claims_identities import flip_disagreement, kernel_apply
from proofs_check.claims_spectral_bias import krawtchouk_eigenvalues, linear_attention_mc, linear_attention_model
from proofs_check.claims_source_papers import kappa1, majority_stability
from proofs_check.domains import all_functions

pytestmark = pytest.mark.timeout(120)


# ----------------------------------------------------------------------------- relations
def test_relation_slack_and_held():
    s, h, _ = pc.Le([1.0, 2.0, 3.0], 2.0).evaluate()
    assert s.tolist() == [1.0, 0.0, -1.0] and h.tolist() == [True, True, False]
    s, h, _ = pc.Ge([1.0, 3.0], 2.0).evaluate()
    assert s.tolist() == [-1.0, 1.0] and h.tolist() == [False, True]
    s, h, _ = pc.Eq([1.0, 1.5], 1.0, tol=0.1).evaluate()
    assert h.tolist() == [True, False]
    s, h, _ = pc.Lt([1.0, 2.0], 2.0, tol=0.0).evaluate()
    assert h.tolist() == [True, False]
    _, h, _ = pc.Le([np.nan], 1.0).evaluate()  # NaN is a failure, never a silent pass
    assert h.tolist() == [False]
    with pytest.raises(ValueError, match="op="):
        pc.Relation(1, 2, op="!=")


def test_context_reports_violation_before_tighter_nonviolation():
    ctx = pc.Context("quick")
    # instance 0 violates an Eq by 0.2 with tol 0.1; instance 1 is off by 0.5 but its tol is 1
    ctx.check(pc.Eq([0.2, 0.5], [0.0, 0.0], "x", tol=[0.1, 1.0]), witness=lambda i: f"#{i[0]}")
    rel = ctx.relations["x"]
    assert rel.violations == 1 and rel.witness == "#0"


def test_context_merges_batches_and_counts_ties():
    ctx = pc.Context("quick")
    ctx.check(pc.Le([0.0, 1.0], [0.0, 2.0], "r"), witness=lambda i: f"a{i[0]}")
    ctx.check(pc.Le([3.0, 3.0], [3.0, 5.0], "r"), witness=lambda i: f"b{i[0]}")
    rel = ctx.relations["r"]
    assert rel.instances == 4 and rel.held and rel.worst_slack == 0.0
    assert rel.ties == 2 and rel.witness == "b0"  # ties: the later (richer) instance is shown
    ctx.check(pc.Le([9.0], [1.0], "r"), witness=lambda i: "bad")
    assert not rel.held and rel.witness == "bad" and rel.worst_slack == -8.0


def test_witness_names_the_axes():
    ctx = pc.Context("quick")
    rho = [0.1, 0.5]
    ctx.check(pc.Le(np.array([[0.0, 0.0], [0.0, 1.0]]), 0.5, "r", axes=[("ρ", rho)]), witness=lambda i: f"f{i[0]}")
    assert ctx.relations["r"].witness == "f1, ρ=0.5"


def test_crashing_check_is_a_failed_result():
    reg = pc.Registry()

    @reg.claim(id="boom", statement="raises")
    def boom(ctx):
        raise RuntimeError("kaput")

    (r,) = reg.run()
    assert not r.held and "kaput" in r.error


def test_check_without_relations_does_not_hold():
    reg = pc.Registry()
    reg.claim(id="empty", statement="nothing")(lambda ctx: None)
    (r,) = reg.run()
    assert not r.held


def test_registry_rejects_duplicates_and_unknown_ids():
    reg = pc.Registry()
    reg.claim(id="a", statement="s")(lambda ctx: None)
    with pytest.raises(ValueError, match="already registered"):
        reg.claim(id="a", statement="s")(lambda ctx: None)
    with pytest.raises(KeyError, match="unknown claim id"):
        reg["nope"]
    with pytest.raises(ValueError, match="profile="):
        reg.run(profile="fast")


# ----------------------------------------------------------------------------- domains
def test_all_functions_is_every_table_in_hex_order():
    t = all_functions(4)
    assert t.shape == (65536, 16) and t.dtype == np.int8
    assert len({row.tobytes() for row in t}) == 65536
    v = 0xE8E8
    assert bs.BooleanFunction.from_hex(f"{v:04x}", 4) == bs.BooleanFunction.from_signs(t[v])
    with pytest.raises(ValueError, match="n=5"):
        all_functions(5)


def test_user_predicate_claim_runs_on_every_part():
    reg = pc.Registry()

    @reg.claim(id="deg-le-n", statement="deg ≤ n", domain=pc.domains.boolean())
    def deg_le_n(m):
        return pc.Le(m.degree, m.n, "deg ≤ n")

    (r,) = reg.run(profile="quick")
    assert r.held and r.instances == 276 + 200 + 20 + len(pc.strategies.named_functions(1, 8))
    for word in ("exhaustive", "random", "hypothesis", "families"):
        assert word in r.domain


def test_user_false_claim_reports_violation_with_witness_table():
    reg = pc.Registry()

    @reg.claim(id="false", statement="deg ≤ s", domain=pc.domains.boolean(families=None, hypothesis=None, random=None))
    def false(m):
        return pc.Le(m.degree, m.sensitivity, "deg ≤ s")

    (r,) = reg.run(profile="quick")
    assert not r.held
    rel = r.relations[0]
    n, hx = rel.witness_table.split(":")
    f = bs.BooleanFunction.from_hex(hx, int(n))
    assert bs.degree(f) > bs.sensitivity(f)
    assert rel.lhs == bs.degree(f) and rel.rhs == bs.sensitivity(f)


# ----------------------------------------------------------------------------- CLI
def _false_registry():
    reg = pc.Registry()
    reg.claim(id="good", statement="I ≥ 0", domain=pc.domains.boolean(hypothesis=None, families=None))(
        lambda m: pc.Ge(m.total_influence, 0.0, "I ≥ 0"))
    reg.claim(id="bad", statement="I ≤ 1", domain=pc.domains.boolean(hypothesis=None, families=None))(
        lambda m: pc.Le(m.total_influence, 1.0, "I ≤ 1"))
    return reg


def test_cli_exit_status_and_table(capsys):
    reg = _false_registry()
    assert cli.main(["--quick", "--no-progress", "--claim", "good"], registry=reg) == 0
    out = capsys.readouterr().out
    assert "good" in out and "yes" in out and "1/1 claims held" in out
    assert cli.main(["--quick", "--no-progress"], registry=reg) == 1
    out = capsys.readouterr().out
    assert "NO" in out and "FAILED: bad" in out and "VIOLATED" in out


def test_cli_json(capsys):
    reg = _false_registry()
    assert cli.main(["--quick", "--no-progress", "--json"], registry=reg) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["held"] is False
    bad = next(c for c in doc["claims"] if c["id"] == "bad")
    assert bad["held"] is False and bad["relations"][0]["violations"] > 0
    assert bad["relations"][0]["lhs"] > 1.0 and bad["seed"] == 0


def test_cli_list_unknown_and_progress(capsys):
    reg = _false_registry()
    assert cli.main(["--list"], registry=reg) == 0
    assert "good" in capsys.readouterr().out
    assert cli.main(["--claim", "nope"], registry=reg) == 2
    assert "unknown claim" in capsys.readouterr().err
    assert cli.main(["--quick", "--claim", "good"], registry=reg) == 0
    assert "[1/1] good" in capsys.readouterr().err


def test_cli_runs_a_theory_claim(capsys):
    assert cli.main(["--quick", "--no-progress", "--claim", "huang", "--details"]) == 0
    out = capsys.readouterr().out
    assert "huang" in out and "deg ≤ s²" in out


def test_format_table_and_details_show_every_column():
    (r,) = pc.run_claims(["prop-2.2"], profile="quick")
    table = pc.format_table([r])
    for col in ("claim", "domain", "instances", "held", "worst slack", "witness", "time"):
        assert col in table
    det = pc.format_details(r)
    assert "outside the hypothesis" in det and "dictators" in det and "½(1−ρ^deg) ≤ ½(1−ρ^{s²})" in det


def test_public_names_are_documented():
    for name in pc.__all__:
        obj = getattr(pc, name)
        if callable(obj) and not isinstance(obj, type(pc)):
            assert obj.__doc__, name
    for name in pc.strategies.__all__:
        assert getattr(pc.strategies, name).__doc__, name


# ----------------------------------------------------------------------------- docs/theory.md test vectors
PROP22 = {  # Pr exact | I-level | deg-level | s²-level at ρ = ½ (docs/theory.md §3)
    "PAR3": (bs.parity(3), 0.4375, 0.4375, 0.4375, 0.499023),
    "DICT": (bs.dictator(3), 0.25, 0.25, 0.25, 0.25),
    "MAJ3": (bs.majority(3), 0.296875, 0.323223, 0.4375, 0.46875),
    "AND4": (bs.conjunction(4), 0.0854492, 0.146447, 0.46875, 0.499992),
    "TRIBES22": (bs.tribes(2, 2), 0.304199, 0.323223, 0.46875, 0.46875),
}


@pytest.mark.parametrize("name", PROP22)
def test_prop22_vectors(name):
    f, *expected = PROP22[name]
    rho = 0.5
    levels = [bs.disagreement_probability(f, rho), 0.5 * (1 - rho ** bs.total_influence(f)),
              0.5 * (1 - rho ** bs.degree(f)), 0.5 * (1 - rho ** (bs.sensitivity(f) ** 2))]
    assert np.allclose(levels, expected, atol=1e-6)


def test_prop22_negative_rho_note_values():
    (r,) = pc.run_claims(["prop-2.2"], profile="quick")
    note = next(n for n in r.notes if "MAJ₃" in n)
    assert "0.703125" in note and "0.46875" in note


def test_krawtchouk_vectors_and_transform():
    mu = krawtchouk_eigenvalues(lambda u: u**3, 7)
    assert np.allclose(mu[[1, 3]], [19, 6])
    d = 5
    u = bs.cube_points(d).sum(1).astype(float)
    coef = bs.fourier_coefficients(np.exp(u / d))
    k = np.arange(d + 1)
    closed = np.sinh(1 / d) ** k * np.cosh(1 / d) ** (d - k)
    pc_ = np.bitwise_count(np.arange(1 << d)).astype(int)
    assert np.allclose(coef, closed[pc_])


def test_kappa1_and_sheppard_vectors():
    assert math.isclose(kappa1(0.0), 1 / (2 * math.pi)) and math.isclose(kappa1(0.5), 0.304499, abs_tol=1e-6)
    assert math.isclose(kappa1(1.0), 0.5)
    assert math.isclose(majority_stability(11, 0.5), 0.350959, abs_tol=1e-6)
    assert math.isclose(majority_stability(101, 0.5), 0.335162, abs_tol=1e-6)


def test_kernel_paths_agree():
    rng = np.random.default_rng(0)
    f6 = np.where(rng.random((3, 64)) < 0.5, -1, 1).astype(np.int8)
    rho = np.array([-0.3, 0.6])
    # explicit matrix (n ≤ 6) vs per-coordinate steps (embed f6 in n = 7 as a junta of the low 6 bits)
    f7 = np.concatenate([f6, f6], axis=1)
    t6 = kernel_apply(f6, rho)
    t7 = kernel_apply(f7, rho)
    assert np.allclose(t7[..., :64], t6) and np.allclose(t7[..., 64:], t6)
    p = (1 - rho) / 2
    assert np.allclose(flip_disagreement(f7, p), flip_disagreement(f6, p))
    assert np.allclose(flip_disagreement(f6, p), bs.disagreement_probability(f6, rho))


def test_analytic_ntk_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    d, m = 4, 3
    pts = np.array([[1, 1, 1, 1], [1, -1, 1, -1], [-1, -1, 1, 1]], dtype=float)

    rng = np.random.default_rng(7)
    ck, ntk = linear_attention_mc(pts, m, 1, rng)
    rng = np.random.default_rng(7)
    WQ, WK, WV = (rng.standard_normal((1, d, m))[0] for _ in range(3))
    u = rng.standard_normal((1, m))[0]
    model = linear_attention_model(d, 1, m, seed=0)
    with torch.no_grad():
        model.W_Q.copy_(torch.from_numpy(WQ))
        model.W_K.copy_(torch.from_numpy(WK))
        model.W_V.copy_(torch.from_numpy(WV))
        model.u.copy_(torch.from_numpy(u))
    x = torch.from_numpy(pts)
    out = model(x)
    grads = []
    for p in range(len(pts)):
        model.zero_grad()
        out[p].backward(retain_graph=True)
        grads.append(torch.cat([q.grad.reshape(-1) for q in model.parameters()]).clone())
    G = torch.stack(grads).numpy()
    assert np.allclose(ck[0], out[0].item() * out.detach().numpy())
    assert np.allclose(ntk[0], G @ G[0])


# ----------------------------------------------------------------------------- strategies (user example)
from hypothesis import given, settings  # noqa: E402

from proofs_check.strategies import boolean_functions, families, rhos  # noqa: E402


@settings(max_examples=40, deadline=None, derandomize=True)
@given(boolean_functions(min_n=1, max_n=8), rhos(min_value=0, max_value=1))
def test_user_example_stability_at_least_rho_to_the_total_influence(f, rho):
    # the example of proofs_check.strategies' docstring, as a user would write it
    assert bs.noise_stability(f, rho) >= rho ** bs.total_influence(f) - 1e-12


@settings(max_examples=30, deadline=None, derandomize=True)
@given(families(min_n=2, max_n=10))
def test_families_strategy_draws_named_functions(f):
    assert f.name and 2 <= f.n <= 10


@settings(max_examples=30, deadline=None, derandomize=True)
@given(boolean_functions(min_n=3, max_n=5))
def test_drawn_functions_are_rebuildable_from_their_hex(f):
    assert 3 <= f.n <= 5
    assert bs.BooleanFunction.from_hex(f.to_hex(), f.n) == f


def test_strategy_argument_errors():
    with pytest.raises(ValueError, match="min_n"):
        boolean_functions(min_n=0)
    with pytest.raises(ValueError, match="min_value"):
        rhos(min_value=0.5, max_value=0.1)


def test_python_dash_m_entry_point():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "proofs_check", "--list"], capture_output=True, text=True,
                         timeout=60, cwd=__import__("pathlib").Path(__file__).resolve().parents[2])
    assert out.returncode == 0
    assert [line.split()[0] for line in out.stdout.splitlines()] == list(pc.THEORY_IDS)


def test_domain_without_hypothesis_skips_the_draws(monkeypatch):
    monkeypatch.setattr(pc.domains, "_has_hypothesis", lambda: False)
    reg = pc.Registry()
    reg.claim(id="i-ge-0", statement="I ≥ 0", domain=pc.domains.boolean())(
        lambda m: pc.Ge(m.total_influence, 0.0, "I ≥ 0"))
    (r,) = reg.run(profile="quick")
    assert r.held and "hypothesis draws skipped" in r.domain
