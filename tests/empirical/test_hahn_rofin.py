"""Tests of empirical.train.hahn_rofin (the recipe and measurements of Hahn & Rofin (2024), "Why are
Sensitive Functions Hard for Transformers?", ACL 2024) and of the data the two experiments built on
it generate, each checked against its definition. CPU, seconds; every test seeds its randomness."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import boolsens as bs  # noqa: E402
from boolsens.cube import bits_to_index  # noqa: E402
from boolsens.torch_runtime import torch_threads  # noqa: E402
from empirical.data.tasks import cube, uniform_batches  # noqa: E402
from empirical.harness.plan import derive_seed  # noqa: E402
from empirical.measure import hahn_rofin as hm  # noqa: E402
from empirical.train import recipe as hr  # noqa: E402
from empirical.experiments.random_function_generalization import random_completions  # noqa: E402
from empirical.measure.metrics import layer_norm_blowup, loss_sharpness, mse_loss  # noqa: E402
from empirical.data.tasks import Target, labels, make_target  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


class _Affine(torch.nn.Module):
    """out = w·x + b on bit inputs (no positional embedding: every parameter is perturbed)."""

    def __init__(self, n: int):
        super().__init__()
        self.lin = torch.nn.Linear(n, 1)

    def forward(self, bits):
        return self.lin(bits.float()).squeeze(-1)


def test_sharpness_matches_the_closed_form_of_an_affine_model():
    """For out = w·x + b and Δ ~ N(0, ε²I): E[L(θ+Δ)] − L(θ) = ε² · mean_x (‖x‖² + 1) plus a
    cross term of mean 0 that vanishes at zero residual (targets = the model's outputs)."""
    torch.manual_seed(0)
    n, eps = 5, 0.05
    model = _Affine(n)
    bits = cube(n)
    with torch.no_grad():
        y = model(bits).clone()                          # a minimum: zero residuals
    exact = eps**2 * float((bits.float().pow(2).sum(1) + 1).mean())   # = ε² (n/2 + 1)
    r = hm.sharpness(model, [(bits, y)] * 8, epsilon=eps, draws=1000, seed=1)
    assert r["value"] == pytest.approx(exact, rel=0.05)
    assert r["stderr"] < 0.05 * exact
    # rho = eps·√P gives the same directions and value (P = n + 1 parameters)
    same = hm.sharpness(model, [(bits, y)] * 8, rho=eps * math.sqrt(n + 1), draws=1000, seed=1)
    assert same["value"] == pytest.approx(r["value"], rel=1e-6)


def test_sharpness_draws_fresh_directions_per_batch_and_leaves_the_weights():
    torch.manual_seed(1)
    model = hr.make_model(4, hr.Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0)
    bits = cube(4)
    y = labels(make_target("parity", 4)(bits))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    rho = 0.02 * math.sqrt(sum(p.numel() for p in model.non_positional_parameters().values()))
    per_batch = [loss_sharpness(model, bits, y, rho=rho, draws=3, seed=derive_seed(7, b)) for b in range(2)]
    both = hm.sharpness(model, [(bits, y)] * 2, draws=3, seed=7)
    # batch b of one call uses the directions seeded by derive_seed(seed, b): two different sets
    assert per_batch[0] != per_batch[1]
    assert both["value"] == pytest.approx(np.mean(per_batch), rel=1e-12)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_sharpness_leaves_the_positional_embedding_unperturbed():
    """An output that depends only on the positional embedding has sharpness 0; the same
    parameter under another name is perturbed (sharpness > 0)."""

    class Model(torch.nn.Module):
        def __init__(self, name: str):
            super().__init__()
            self.name = name
            setattr(self, name, torch.nn.Embedding(3, 2))
            self.w = torch.nn.Parameter(torch.ones(()))    # perturbed, but without effect

        def forward(self, bits):
            return getattr(self, self.name).weight.sum() + 0 * self.w + 0 * bits[:, 0]

    bits = cube(3)
    for name, positive in (("pos_emb", False), ("tok_emb", True)):
        model = Model(name)
        with torch.no_grad():
            y = model(bits).clone()                      # zero residuals: any perturbation costs
        value = hm.sharpness(model, [(bits, y)], epsilon=1.0, draws=4, seed=0)["value"]
        assert (value > 0.0) if positive else (value == 0.0)
    real = hr.make_model(3, hr.Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0)
    assert not any(k.startswith("pos_emb") for k in real.non_positional_parameters())


def test_init_follows_multihead_attention():
    """Xavier-uniform in-projection over the stacked (3d, d) matrix, zero in/out biases."""
    d = 32
    model = hr.make_model(6, hr.Recipe(d_model=d, n_heads=2, d_mlp=d), seed=3)
    bound = math.sqrt(6.0 / (d + 3 * d))
    for block in model.blocks:
        w = block.attn.qkv.weight.detach()
        assert w.shape == (3 * d, d) and float(w.abs().max()) <= bound
        assert float(w.std()) == pytest.approx(bound / math.sqrt(3), rel=0.1)
        assert float(block.attn.qkv.bias.detach().abs().max()) == 0.0
        assert float(block.attn.out.bias.detach().abs().max()) == 0.0
        assert block.mlp[0].out_features == d            # MLP width = d_model, as theirs
    reference = torch.nn.MultiheadAttention(d, 2)
    assert float(reference.in_proj_bias.detach().abs().max()) == 0.0
    assert float(reference.out_proj.bias.detach().abs().max()) == 0.0


def test_measure_is_exact_on_the_cube_and_scales_by_four():
    torch.manual_seed(2)
    n = 5
    target = make_target("majority", n)
    model = hr.make_model(n, hr.Recipe(d_model=8, n_heads=1, d_mlp=8), seed=1)
    m = hm.Measurement(draws=2, batches=3, batch_size=64, eval_points=64)
    rec = hm.measure(model, target, m, seed=0)
    bits = cube(n)
    y = labels(target(bits))
    with torch.no_grad():
        assert rec["eval_mse"] == pytest.approx(float(mse_loss(model(bits), y)), rel=1e-6)
    assert rec["kept"] == (rec["eval_mse"] < 1e-3) and rec["measured_on_cube"]
    assert rec["loss_sharpness_pm1"] == pytest.approx(4 * rec["loss_sharpness"], rel=1e-12)
    assert rec["blowup"] == pytest.approx(layer_norm_blowup(model, bits)["blowup"], rel=1e-12)
    assert rec["blowup_x_norm"] == pytest.approx(rec["blowup"] * rec["parameter_norm"], rel=1e-12)
    # beyond the batch size the measurement batches are fresh uniform points, not the cube
    big = hm.measure(hr.make_model(7, hr.Recipe(d_model=8, n_heads=1, d_mlp=8), seed=1), make_target("majority", 7),
                     hm.Measurement(draws=1, batches=2, batch_size=32, eval_points=32), seed=0)
    assert not big["measured_on_cube"]


def test_uniform_batches_label_by_the_target_and_follow_the_generator():
    target = make_target("parity", 6)
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    x1, y1 = uniform_batches(target, 4096, g1)(0)
    x2, _ = uniform_batches(target, 4096, g2)(0)
    assert torch.equal(x1, x2)
    assert torch.equal(y1, labels(target(x1)))
    assert abs(float(x1.float().mean()) - 0.5) < 0.02      # uniform bits


def test_random_completions_keep_the_training_labels_and_are_fair_coins_elsewhere():
    f = bs.random_function(8, seed=0)
    signs = np.asarray(f.signs, dtype=np.int8)
    train = np.sort(np.random.default_rng(1).choice(256, size=64, replace=False))
    tables = random_completions(signs, train, 400, seed=2)
    assert tables.shape == (400, 256) and tables.dtype == np.int8
    assert (tables[:, train] == signs[train]).all()
    rest = np.setdiff1d(np.arange(256), train)
    assert abs(float(tables[:, rest].mean())) < 0.02
    # a random completion of few labels has the average sensitivity of a random function, about n/2
    assert float(np.mean(bs.total_influence(tables))) == pytest.approx(4.0, abs=0.1)


def test_a_function_target_reads_its_table_in_the_cube_order():
    f = bs.random_function(5, seed=3)
    target = Target.from_function(f)
    bits = cube(5)
    assert np.array_equal(target(bits).numpy(), np.asarray(f.signs)[bits_to_index(bits).numpy()])


def test_sharpness_claim_b_averages_within_seed_so_n_is_the_number_of_seeds():
    from empirical.experiments.random_function_generalization import RandomFunctionConfig, _effects
    config = RandomFunctionConfig(n=3, train_sizes=(2, 4), seeds=2)
    rows = []
    for seed, shift in ((0, 0.0), (1, 0.1)):
        for m, learned in ((2, 0.1), (4, 0.3)):
            rows.append({"m": m, "seed": seed, "fitted": True, "I_learned": 1.0, "I_completion_mean": 1.5,
                         "learned_kept": True, "random_kept": True, "learned_loss_sharpness_pm1": learned + shift,
                         "random_loss_sharpness_pm1": learned + shift + 0.5 + 0.1 * m})
    effects, _ = _effects(config, rows)
    b = effects[-1]
    assert b["claim"].startswith("(b)") and b["pairs"] == "2 seeds (4 kept pairs)"
    # per seed: learned mean 0.2 (+shift), random mean 0.2 + 0.5 + 0.3 (+shift): the difference -0.8 twice
    assert b["effect"] == pytest.approx(-0.8)
    assert math.isnan(b["p (exact sign test)"]) is False and b["p (exact sign test)"] == 0.5


def test_a_discarded_unit_changes_the_filtered_statistic_but_enters_the_unfiltered_one():
    from empirical.experiments.random_function_generalization import (RandomFunctionConfig, _effects,
                                                                       missing_without_filters)
    config = RandomFunctionConfig(n=3, train_sizes=(2, 4), seeds=4)
    rows = [{"m": 2, "seed": s, "fitted": True, "I_learned": 1.0 + 0.1 * s, "I_completion_mean": 1.6 + 0.15 * s,
             "learned_kept": True, "random_kept": True, "learned_loss_sharpness_pm1": 0.2 + 0.01 * s,
             "random_loss_sharpness_pm1": 0.5 + 0.02 * s} for s in range(3)]
    # seed 3: the fit misses a training point (discarded) and is never retrained; its I gap is +0.3
    rows.append({"m": 2, "seed": 3, "fitted": False, "I_learned": 1.9, "I_completion_mean": 1.6})
    # seed 0 also has a random-completion run over the MSE bound at a second m (not kept)
    rows.append({"m": 4, "seed": 0, "fitted": True, "I_learned": 1.0, "I_completion_mean": 1.6,
                 "learned_kept": True, "random_kept": False, "learned_loss_sharpness_pm1": 0.2,
                 "random_loss_sharpness_pm1": 1.2})
    on, _ = _effects(config, rows)
    off, _ = _effects(config, rows, filtered=False)
    a_on, a_off = on[0], off[0]
    assert a_on["pairs"] == 3 and a_on["effect"] == pytest.approx(-0.65 / 3)
    assert a_off["pairs"] == 4 and a_off["effect"] == pytest.approx((-0.6 - 0.65 - 0.7 + 0.3) / 4 / 3)
    assert a_on["verdict"] == "reproduced" and a_off["word by the rule"] == "inconclusive"
    b_on, b_off = on[-1], off[-1]
    assert b_on["pairs"] == "3 seeds (3 kept pairs)" and b_off["pairs"] == "3 seeds (4 pairs, kept or not)"
    # seed 0 without the filter: learned (0.2 + 0.2) / 2, random (0.5 + 1.2) / 2
    assert b_on["effect"] == pytest.approx(np.mean([-0.3, -0.31, -0.32]))
    assert b_off["effect"] == pytest.approx(np.mean([0.2 - 0.85, -0.31, -0.32]))
    missing = missing_without_filters(config, rows)
    assert [(x["m"], x["seed"]) for x in missing] == [(2, 3)] and "not retrained" in missing[0]["missing"]
