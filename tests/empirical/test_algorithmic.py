"""The algorithmic tasks of the grokking experiments: the two published modular-addition models
against reference implementations written from their definitions, the token-resampling
regulariser against its definition, the parity task's transformer and its regulariser terms,
exact resume of a unit killed at its first checkpoint, the grokking plateau rule and the censored
epochs-to-grok statistic."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from boolsens import BoolsensError  # noqa: E402
from empirical.train import regularizers as P  # noqa: E402
from empirical.models.modular import ModularConfig, ModularTransformer  # noqa: E402


# --------------------------------------------------------------------------- the two models
def test_vasudeva_model_equals_torch_multihead_attention_without_residuals():
    """Vasudeva et al.'s forward: embedding + position -> nn.MultiheadAttention -> MLP -> unembed
    at the last position, no residual connections."""
    torch.manual_seed(0)
    cfg = ModularConfig(p=7, d_model=8, n_heads=2, d_mlp=16, architecture="vasudeva")
    m = ModularTransformer(cfg)
    with torch.no_grad():
        m.pos.normal_()  # non-zero positions, to check they are added
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(m.qkv.weight)
        mha.in_proj_bias.copy_(m.qkv.bias.normal_())
        mha.out_proj.weight.copy_(m.out.weight)
        mha.out_proj.bias.copy_(m.out.bias.normal_())
    ids = torch.randint(0, 8, (5, 3))
    e = m.W_E(ids) + m.pos  # (5, 3, 8)
    a, _ = mha(e, e, e, need_weights=False)  # (5, 3, 8), no mask
    ref = m.unembed(m.mlp_out(torch.relu(m.mlp_in(a)))[:, -1])  # (5, 8)
    assert torch.allclose(m(ids), ref, atol=1e-5)
    assert m(ids).shape == (5, 8)  # p + 1 logits
    assert float(m.W_E.weight.detach().std()) > 0.5  # PyTorch's N(0, 1) embedding, not 1/sqrt(d)


def test_nanda_model_equals_a_residual_stream_with_a_causal_mask():
    """Nanda et al.'s forward: x = W_E + W_pos; x += causal attention (no biases); x += MLP at
    every position; logits = W_U x at the last position."""
    torch.manual_seed(1)
    d, h, p = 8, 2, 5
    m = ModularTransformer(ModularConfig(p=p, d_model=d, n_heads=h, d_mlp=12, architecture="nanda"))
    ids = torch.randint(0, p + 1, (4, 3))
    x = m.W_E(ids) + m.pos  # (4, 3, d)
    Wq, Wk, Wv = m.qkv.weight.split(d, dim=0)
    heads = []
    for j in range(h):
        sl = slice(j * d // h, (j + 1) * d // h)
        q, k, v = x @ Wq[sl].T, x @ Wk[sl].T, x @ Wv[sl].T  # (4, 3, d/h)
        s = q @ k.transpose(1, 2) / math.sqrt(d // h)  # (4, 3, 3)
        s = s + torch.triu(torch.full((3, 3), -1e10), diagonal=1)
        heads.append(torch.softmax(s, -1) @ v)
    x = x + torch.cat(heads, -1) @ m.out.weight.T
    x = x + m.mlp_out(torch.relu(m.mlp_in(x)))  # every position
    assert torch.allclose(m(ids), m.unembed(x)[:, -1], atol=1e-5)
    assert m.qkv.bias is None and m.unembed.bias is None
    assert abs(float(m.W_E.weight.detach().std()) - 1 / math.sqrt(d)) < 0.15


def test_model_config_rejects_bad_values():
    with pytest.raises(BoolsensError, match="architecture='gpt' must be one of"):
        ModularConfig(architecture="gpt")
    with pytest.raises(BoolsensError, match="d_model=10 must be a multiple of n_heads=4"):
        ModularConfig(d_model=10, n_heads=4)


# --------------------------------------------------------------------------- the regulariser
def test_resample_tokens_keeps_with_probability_one_plus_rho_over_two_else_uniform():
    g = torch.Generator().manual_seed(0)
    n, U, rho = 40_000, 5, 0.25
    ids = torch.full((n, 3), 2)
    y = P.resample_tokens(ids, rho, vocab=U, generator=g, positions=torch.tensor([True, True, False]))
    assert torch.equal(y[:, 2], ids[:, 2])  # the "=" position is never touched
    keep = (1 + rho) / 2
    for v in range(U):  # P(Y = v) = keep [v = 2] + (1 - keep) / U
        expected = keep * (v == 2) + (1 - keep) / U
        freq = float((y[:, :2] == v).float().mean())
        assert abs(freq - expected) < 4 * math.sqrt(expected * (1 - expected) / (2 * n))
    assert torch.equal(P.resample_tokens(ids, 1.0, vocab=U, generator=g), ids)


def test_resample_signs_flips_with_probability_one_minus_rho_over_four():
    g = torch.Generator().manual_seed(1)
    x = torch.where(torch.rand(30_000, 6, generator=g) < 0.5, 1.0, -1.0)
    y = P.resample_signs(x, 0.05, generator=g)
    flip = float((y != x).float().mean())
    assert abs(flip - 0.95 / 4) < 0.01
    assert set(torch.unique(y).tolist()) == {-1.0, 1.0}


def test_output_agreement_penalty_is_minus_the_inner_product_of_the_distributions():
    g = torch.Generator().manual_seed(2)
    a, b = torch.randn(7, 4, generator=g), torch.randn(7, 4, generator=g)
    pa = np.exp(a.numpy()) / np.exp(a.numpy()).sum(1, keepdims=True)
    pb = np.exp(b.numpy()) / np.exp(b.numpy()).sum(1, keepdims=True)
    assert float(P.output_agreement_penalty(a, b)) == pytest.approx(-(pa * pb).sum(1).mean(), rel=1e-6)
    with pytest.raises(BoolsensError, match="must match"):
        P.output_agreement_penalty(a, b[:, :3])
    with pytest.raises(BoolsensError, match="rho=2.0 must lie in"):
        P.resample_signs(a, 2.0, generator=g)


# --------------------------------------------------------------------------- exact resume
class _Killed(Exception):
    pass


@pytest.mark.slow
@pytest.mark.parametrize("form", ["none", "resampling", "gaussian"])
def test_a_modular_unit_killed_at_its_first_checkpoint_resumes_to_the_same_numbers(tmp_path, monkeypatch, form):
    """The measurement generator, the regulariser's generator and the grok epoch are in the
    checkpoint: a resumed unit logs the same sensitivities and ends with the same record."""
    from empirical.harness import runner
    from empirical.measure.operand import SensitivityProbe
    from empirical.train.algorithmic import ModularAdditionSpec, train_modular
    from empirical.train.regularizers import StabilityRegularizer

    spec = ModularAdditionSpec(p=7, train_fraction=0.5, d_model=16, n_heads=2, d_mlp=32, architecture="vasudeva",
                               steps=60, log_every=5, checkpoint_every=20)
    reg = StabilityRegularizer(form=form, gamma=0.3 if form != "none" else 0.0, rho=0.5, gamma_warmup=10)
    probe = SensitivityProbe(sigma_abs=0.5, sigma_rel=0.5, draws=2)

    def run(folder, kill: bool):
        ctx = runner.UnitContext(key="u", checkpoint_dir=folder)
        if kill:
            def fault(event):
                if event == "checkpoint":
                    raise _Killed
            monkeypatch.setattr(runner, "fault", fault)
            with pytest.raises(_Killed):
                train_modular(spec, 3, ctx, regularizer=reg, probe=probe, extra_after_grok=None)
            monkeypatch.setattr(runner, "fault", lambda event: None)
            assert (folder / "u.pt").exists()
            ctx = runner.UnitContext(key="u", checkpoint_dir=folder)  # a fresh process would build a new one
        rec = train_modular(spec, 3, ctx, regularizer=reg, probe=probe, extra_after_grok=None)
        rec.pop("train_seconds")
        return rec, ctx.history

    ref_rec, ref_hist = run(tmp_path / "a", kill=False)
    got_rec, got_hist = run(tmp_path / "b", kill=True)
    assert got_rec == ref_rec
    assert got_hist == ref_hist
    assert len({r["sens_abs"] for r in ref_hist}) > 1  # the probe measured something that moves


@pytest.mark.slow
@pytest.mark.parametrize("architecture, form", [("mlp", "resampling"), ("transformer", "resampling"),
                                                ("transformer", "gaussian")])
def test_a_parity_unit_resumes_to_the_same_numbers(tmp_path, monkeypatch, architecture, form):
    from empirical.harness import runner
    from empirical.train.algorithmic import train_parity
    from empirical.train.regularizers import StabilityRegularizer

    spec = _tiny_parity(architecture=architecture, steps=40)
    reg = StabilityRegularizer(form=form, gamma=0.05, rho=0.05)
    ref = runner.UnitContext(key="p", checkpoint_dir=tmp_path / "a")
    want = train_parity(spec, 1, ref, regularizer=reg, extra_after_grok=None)

    def fault(event):
        if event == "checkpoint":
            raise _Killed
    monkeypatch.setattr(runner, "fault", fault)
    with pytest.raises(_Killed):
        train_parity(spec, 1, runner.UnitContext(key="p", checkpoint_dir=tmp_path / "b"), regularizer=reg,
                     extra_after_grok=None)
    monkeypatch.setattr(runner, "fault", lambda event: None)
    ctx = runner.UnitContext(key="p", checkpoint_dir=tmp_path / "b")
    got = train_parity(spec, 1, ctx, regularizer=reg, extra_after_grok=None)
    want.pop("train_seconds"), got.pop("train_seconds")
    assert got == want and ctx.history == ref.history


# --------------------------------------------------------------------------- parity on a transformer
def _tiny_parity(**changes):
    from empirical.train.algorithmic import SparseParitySpec

    return SparseParitySpec(**{**dict(n=6, k=2, n_train=64, n_test=64, architecture="transformer", d_model=8,
                                      n_heads=2, n_layers=1, d_mlp=16, steps=30, log_every=5, checkpoint_every=10),
                               **changes})


def test_a_bad_parity_architecture_is_one_clear_error():
    from empirical.train.algorithmic import SparseParitySpec

    with pytest.raises(BoolsensError, match=r"^architecture='cnn' must be one of 'mlp', 'transformer'$"):
        SparseParitySpec(architecture="cnn")
    with pytest.raises(BoolsensError, match="d_model=8 must be a multiple of n_heads=3"):
        _tiny_parity(n_heads=3)


def test_the_parity_transformer_is_length_scalings_model_on_the_bits():
    """``parity_model(architecture="transformer")`` is Hahn & Rofin's transformer (make_model) read
    as two logits (-z/2, z/2); -1 inputs are bit 1; embed + forward_embedded is the forward pass."""
    from empirical.models.transformer import BooleanTransformer
    from empirical.train.algorithmic import parity_model
    from empirical.train.recipe import Recipe, make_model
    from empirical.harness.plan import derive_seed

    spec = _tiny_parity()
    model = parity_model(spec, 3)
    ref = make_model(6, Recipe(d_model=8, n_layers=1, n_heads=2, d_mlp=16), derive_seed(3, "init"))
    assert isinstance(model.body, BooleanTransformer) and model.body.cfg == ref.cfg
    x = torch.tensor([[1.0, -1, 1, -1, -1, 1], [-1.0, -1, 1, 1, 1, 1]])
    z = ref((x < 0).long())
    assert torch.equal(model(x), torch.stack([-z, z], dim=-1) / 2)
    assert torch.equal(model.forward_embedded(model.embed(x)), model(x)) and model.embed(x).shape == (2, 6, 4)
    for readout, positions in (("cls", "concat"), ("last", "add")):  # the split holds for every layout
        torch.manual_seed(0)
        from empirical.models.transformer import TransformerConfig
        m = BooleanTransformer(TransformerConfig(n=6, d_model=8, readout=readout, positions=positions))
        bits = (x < 0).long()
        assert torch.equal(m.forward_embedded(m.embed(bits)), m(bits))


@pytest.mark.parametrize("architecture", ["transformer", "mlp"])
@pytest.mark.parametrize("form", ["resampling", "gaussian"])
def test_parity_regulariser_terms_are_finite_and_have_gradients(architecture, form):
    from empirical.data.real import noisy_sparse_parity
    from empirical.train.algorithmic import parity_model, parity_penalty
    from empirical.train.regularizers import StabilityRegularizer

    model = parity_model(_tiny_parity(architecture=architecture), 0)
    x, _, _, _, _ = noisy_sparse_parity(6, 2, n_train=32, n_test=1, noise=0.0, seed=0)
    e = model.embed(x)  # (B, T, d)
    logits = model.forward_embedded(e)  # (B, 2)
    R = parity_penalty(model, StabilityRegularizer(form=form, gamma=0.1, rho=0.25), x, e, logits,
                       torch.Generator().manual_seed(0))
    R_value = float(R.detach())
    assert R.shape == () and math.isfinite(R_value)
    if form == "resampling":
        assert -1.0 <= R_value <= 0.0  # -<p(X), p(Y)>
    else:
        assert R_value > 0
    params = dict(model.named_parameters())
    grads = dict(zip(params, torch.autograd.grad(R, list(params.values()), allow_unused=True)))
    assert all(g is None or bool(torch.isfinite(g).all()) for g in grads.values())
    first = "body.tok_emb.weight" if architecture == "transformer" else "0.weight"  # the input's weights
    assert grads[first] is not None and float(grads[first].abs().sum()) > 0


@pytest.mark.parametrize("form, gamma, rho", [("none", 0.0, 0.5), ("resampling", 0.05, 0.05), ("gaussian", 0.5, 0.8)])
def test_the_parity_transformer_trains(form, gamma, rho):
    from empirical.harness.runner import UnitContext
    from empirical.train.algorithmic import train_parity
    from empirical.train.regularizers import StabilityRegularizer

    ctx = UnitContext(key="t")
    rec = train_parity(_tiny_parity(steps=40, lr=1e-2), 0, ctx,
                       regularizer=StabilityRegularizer(form=form, gamma=gamma, rho=rho), extra_after_grok=None)
    hist = ctx.history
    assert rec["epochs_run"] == 40 and rec["diverged_at"] is None and [r["step"] for r in hist][-1] == 40
    assert all(math.isfinite(r["loss"]) for r in hist) and hist[-1]["loss"] < hist[0]["loss"]
    assert hist[-1]["train_acc"] > hist[0]["train_acc"]


def test_noise_stability_presets_train_parity_on_a_transformer_past_the_papers_plain_steps():
    """The paper studies transformers; the cpu preset's modular cap is at least the paper's plain
    runs' ~4500 steps (a review found 2500 censored every regularised run)."""
    from empirical.experiments.noise_stability_regularizer import PRESETS

    assert all(cfg.parity.architecture == "transformer" for cfg in PRESETS.values())
    assert PRESETS["cpu"].modular.steps >= 4500 and PRESETS["gpu"].modular.steps >= 4500


def test_nanda_warmup_starts_at_zero_learning_rate():
    """Nanda et al.'s LambdaLR(min(step/10, 1)): the first step has learning rate 0, so the
    weights after one step equal the initial ones (weight decay is scaled by lr too)."""
    from empirical.train.algorithmic import ModularAdditionSpec, train_modular
    from empirical.harness.plan import derive_seed

    spec = ModularAdditionSpec(p=5, d_model=8, n_heads=2, d_mlp=8, steps=1, log_every=1, warmup_steps=10)
    rec = train_modular(spec, 0, None)
    torch.manual_seed(derive_seed(0, "init"))  # what train_modular does before building its model
    init = ModularTransformer(spec.model_config())
    assert rec["final_parameter_norm"] == pytest.approx(float(torch.cat([p.detach().flatten() for p in init.parameters()]).norm()))


# --------------------------------------------------------------------------- grokking's plateau rule
def _traj(test_acc, start=10, every=10, train=1.0):
    return [{"step": start + every * i, "train_acc": train, "test_acc": a, "sens_abs": 0.1, "parameter_norm": 1.0}
            for i, a in enumerate(test_acc)]


def test_plateau_rule_finds_the_rise_and_ignores_a_spike_and_its_recovery():
    from empirical.experiments.grokking import plateau

    flat = [0.5] * 30
    spike = [0.5] * 5 + [0.2] * 5 + [0.5] * 10  # a loss spike: down, then back up (not an onset)
    rise = [0.5 + 0.05 * i for i in range(1, 10)]
    p = plateau(_traj(flat + spike + rise), window_epochs=50, rise=0.02)
    assert p["t_mem"] == 10
    assert p["t_onset"] == 10 + 10 * 50  # the first window of the true rise
    assert len(p["windows"]) == 10
    never = plateau(_traj([0.5] * 40), window_epochs=50, rise=0.02)
    assert never["t_onset"] is None and len(never["windows"]) == 8
    assert plateau(_traj([0.5] * 5, train=0.5), window_epochs=50, rise=0.02)["t_mem"] is None


def test_plateau_measures_uses_first_middle_and_last_windows():
    from empirical.experiments.grokking import GrokkingConfig, plateau_measures

    traj = _traj([0.5] * 40 + [0.9, 1.0, 1.0, 1.0, 1.0])
    for i, r in enumerate(traj):
        r["sens_abs"] = 0.4 - 0.01 * (i // 5)  # constant within each 50-epoch window
    out = plateau_measures(traj, 420, GrokkingConfig(window_epochs=50, min_plateau_windows=4))
    assert out["enters"] and out["plateau_windows"] == 8
    assert out["sens_abs_start"] == pytest.approx(0.4)
    assert out["sens_abs_mid"] == pytest.approx(0.36)  # window index 8 // 2 = 4
    assert out["sens_abs_end"] == pytest.approx(0.33)
    assert not plateau_measures(traj, None, GrokkingConfig(window_epochs=50))["enters"]


def test_grokking_time_to_grok_censors_at_the_cap_and_says_when_the_median_is_not_reached():
    from empirical.experiments.grokking import time_to_grok

    half = time_to_grok([{"grok_epoch": 400}, {"grok_epoch": None}, {"grok_epoch": 200}, {"grok_epoch": None}], cap=1000)
    assert (half["events"], half["censored"], half["cap"]) == (2, 2, 1000)
    assert half["times"] == [200.0, 400.0, 1000.0] and half["survival"] == [0.75, 0.5, 0.5]
    assert half["median"] == 400.0
    none = time_to_grok([{"grok_epoch": None}] * 3 + [{"grok_epoch": 900}], cap=1000)
    assert none["median"] is None and none["median text"] == "not reached (by the cap 1000)"
    every = time_to_grok([{"grok_epoch": None}] * 2, cap=50)
    assert every["events"] == 0 and every["survival"] == [1.0] and not every["median_reached"]


def test_grokking_effects_without_the_filter_take_every_seed_with_a_plateau():
    from empirical.experiments.grokking import effects

    def row(enters, start, mid, end):
        return {"enters": enters, "sens_abs_start": start, "sens_abs_mid": mid, "sens_abs_end": end}

    rows = [row(True, 0.1, 0.1, 0.05), row(True, 0.1, 0.1, 0.06), row(True, 0.1, 0.1, 0.04),
            row(False, 0.1, 0.1, 0.2), {"enters": False}]          # left out: a short plateau; never memorised
    on = {e["span"]: e for e in effects(rows)}
    off = {e["span"]: e for e in effects(rows, filtered=False)}
    late = "late plateau (end vs mid)"
    assert on[late]["seeds"] == 3 and off[late]["seeds"] == 4
    assert on[late]["mean log ratio"] == pytest.approx(np.mean(np.log([0.5, 0.6, 0.4])))
    assert off[late]["mean log ratio"] == pytest.approx(np.mean(np.log([0.5, 0.6, 0.4, 2.0])))


# --------------------------------------------------------------------------- censored epochs to grok
def test_restricted_log_epochs_treats_a_run_that_never_grokked_as_the_cap():
    from empirical.experiments.noise_stability_regularizer import restricted_log_ratio

    out = restricted_log_ratio(plain=[1000, 2000, None, 1500], regularised=[500, None, None, 1500], cap=4000)
    d = [math.log(500 / 1000), math.log(4000 / 2000), 0.0, 0.0]
    assert out["effect"] == pytest.approx(np.mean(d))
    assert out["informative_pairs"] == 3  # the pair where neither grokked says nothing
    assert out["grokked_plain"] == "3/4" and out["grokked_regularised"] == "2/4"


def test_logrank_comparison_of_censored_epochs_to_grok():
    from empirical.experiments.noise_stability_regularizer import logrank_comparison

    # every plain run censored at the cap, every regularised run grokked early: sooner, significant
    sooner = logrank_comparison(plain=[None] * 5, regularised=[100, 150, 200, 250, 300], cap=2500)
    assert sooner["word"] == "reproduced" and sooner["z"] > 0 and sooner["p"] < 0.05
    assert sooner["km_plain"]["censored"] == 5 and sooner["km_plain"]["median"] is None
    assert sooner["km_plain"]["median text"] == "not reached by the cap 2500"
    assert sooner["km_regularised"]["median"] == 200.0 and sooner["km_regularised"]["censored"] == 0
    # the other way round (every regularised run censored): significant against the prediction
    later = logrank_comparison(plain=[100, 150, 200, 250, 300], regularised=[None] * 5, cap=2500)
    assert later["word"] == "not reproduced" and later["z"] < 0 and later["p"] == pytest.approx(sooner["p"])
    # identical arms: no difference, inconclusive
    same = logrank_comparison(plain=[300, None, 900, 1200], regularised=[300, None, 900, 1200], cap=2500)
    assert same["word"] == "inconclusive" and same["z"] == pytest.approx(0.0) and same["p"] == pytest.approx(1.0)
    # no run of either grokked: no test, inconclusive
    none = logrank_comparison(plain=[None] * 3, regularised=[None] * 3, cap=2500)
    assert none["word"] == "inconclusive" and none["p"] is None and none["z"] is None


@pytest.mark.parametrize("rho, match", [(1.5, r"rho=1.5 must lie in \[-1, 1\]"), (float("nan"), "rho=nan must lie"),
                                        ("x", r"rho='x' must be a real number")])
def test_one_rho_check_serves_every_regulariser(rho, match):
    from empirical.train.regularizers import StabilityRegularizer
    from empirical.measure.sensitivity_real import correlated_gaussian
    from empirical.train.regularizers import resample_signs

    g = torch.Generator().manual_seed(0)
    for call in (lambda: StabilityRegularizer(form="gaussian", gamma=0.1, rho=rho),
                 lambda: resample_signs(torch.ones(2, 3), rho, generator=g),
                 lambda: correlated_gaussian(torch.zeros(3), rho, generator=g)):
        with pytest.raises(BoolsensError, match=match):
            call()


def test_paper_verdict_holm_adjusts_the_two_tasks_together():
    from empirical.experiments.noise_stability_regularizer import paper_verdict

    def row(p, word, variant="paper"):
        return {"variant": variant, "p (log-rank)": p, "word by the rule": word}

    # the exploratory run's numbers: a reversal at p = 0.0295 does not survive Holm beside p = 0.858
    rows = [row(0.0295, "not reproduced"), row(0.858, "inconclusive"), row(0.001, "not reproduced", "ours")]
    paper, word = paper_verdict(rows)
    assert word == "inconclusive" and len(paper) == 2
    assert paper[0]["p Holm (paper's form, both tasks)"] == pytest.approx(0.059)
    assert rows[2]["word by the rule"] == "not reproduced"          # a diagnostic variant is not adjusted
    # both reproduced and both surviving Holm; a reversal that survives Holm decides "not reproduced"
    assert paper_verdict([row(0.001, "reproduced"), row(0.02, "reproduced")])[1] == "reproduced"
    assert paper_verdict([row(0.001, "not reproduced"), row(0.5, "inconclusive")])[1] == "not reproduced"
    # a test that could not be made (p None) counts as p = 1: the other's word survives (Holm p 0.04),
    # but the combined verdict needs both tasks
    paper, word = paper_verdict([row(0.02, "reproduced"), row(None, "inconclusive")])
    assert word == "inconclusive" and paper[0]["word by the rule"] == "reproduced"
    assert paper[0]["p Holm (paper's form, both tasks)"] == pytest.approx(0.04)
    assert paper_verdict([])[1] == "inconclusive"
