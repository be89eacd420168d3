"""Focused tests of the random-init-sensitivity models and measurement (Bhattamishra et al.'s
classifiers and initialisations) and of the spectral-dynamics fitted fractions and pair statistic,
each checked against its definition written naively. CPU, seconds; every test seeds its randomness."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

import boolsens as bs  # noqa: E402
from boolsens.torch_runtime import torch_threads  # noqa: E402
from empirical.experiments import random_init_sensitivity as ri  # noqa: E402
from empirical.experiments import spectral_dynamics as sd  # noqa: E402
from empirical.models.random_init import (AnnotatedLayerNorm, EndTokenConfig, EndTokenTransformer,  # noqa: E402
                                          LastStateConfig, LastStateLSTM, init_gaussian, init_uniform)
from empirical.harness.runner import UnitContext  # noqa: E402
from empirical.data.tasks import make_target  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ the models and their initialisation
def test_annotated_layer_norm_divides_by_the_unbiased_std_plus_eps():
    x = torch.randn(5, 7, generator=_gen(0), dtype=torch.float64)
    ln = AnnotatedLayerNorm(7).double()
    with torch.no_grad():
        ln.a_2.copy_(torch.linspace(0.5, 2.0, 7, dtype=torch.float64))
        ln.b_2.copy_(torch.linspace(-1.0, 1.0, 7, dtype=torch.float64))
    for row, out in zip(x, ln(x)):
        v = row.numpy()
        s = math.sqrt(sum((t - v.mean()) ** 2 for t in v) / (len(v) - 1))  # ddof = 1
        expect = np.linspace(0.5, 2.0, 7) * (v - v.mean()) / (s + 1e-6) + np.linspace(-1.0, 1.0, 7)
        assert np.allclose(out.detach().numpy(), expect, atol=1e-12)


@pytest.mark.parametrize("model", [
    EndTokenTransformer(EndTokenConfig(n=5, d_model=8, n_layers=2, n_heads=2)),
    LastStateLSTM(LastStateConfig(n=5, d_model=6, n_layers=2)),
], ids=["transformer", "lstm"])
def test_uniform_init_draws_weights_in_range_zeroes_biases_and_leaves_layer_norms(model):
    w = 3.0
    init_uniform(model, w, _gen(1))
    for name, p in model.named_parameters():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ("a_2", "b_2"):
            assert torch.equal(p, torch.ones_like(p) if leaf == "a_2" else torch.zeros_like(p)), name
        elif "bias" in leaf:
            assert torch.count_nonzero(p) == 0, name
        else:  # embedding, positions, decoder, every layer weight: U(-w, w), using the whole range
            assert p.abs().max() <= w and p.abs().max() > 0.5 * w, name
    assert model.decoder.bias is None
    # the base draw is shared across scales: the model at 2w is the model at w doubled
    other = type(model)(model.cfg)
    init_uniform(other, 2 * w, _gen(1))
    drawn = [k for k, _ in model.named_parameters() if k.rsplit(".", 1)[-1] not in ("a_2", "b_2")]
    params = dict(model.named_parameters())
    for k, p in other.named_parameters():
        if k in drawn:
            assert torch.allclose(p, 2 * params[k]), k


def test_gaussian_init_follows_their_script():
    sigma = 10.0
    t = init_gaussian(EndTokenTransformer(EndTokenConfig(n=30, d_model=64, n_layers=1, n_heads=8)), sigma, _gen(2))
    q = t.layers[0].attn.q.weight.detach()
    assert abs(float(q.std()) - sigma) < 0.05 * sigma and torch.count_nonzero(t.layers[0].attn.q.bias) == 0
    assert abs(float(t.tok_emb.weight.detach().std()) - 1.0) < 0.2 and abs(float(t.decoder.weight.detach().std()) - 1.0) < 0.3
    assert float(t.pos.detach().abs().max()) <= 1.0 and float(t.pos.detach().abs().max()) > 0.9
    lstm = init_gaussian(LastStateLSTM(LastStateConfig(n=4, d_model=10, d_embed=2, n_layers=1)), sigma, _gen(3))
    assert abs(float(lstm.lstm.weight_hh_l0.detach().std()) - sigma) < 0.15 * sigma
    assert float(lstm.tok_emb.weight.detach().abs().max()) <= 1.0 and float(lstm.decoder.weight.detach().abs().max()) <= 1.0
    assert torch.count_nonzero(lstm.lstm.bias_hh_l0) == 0


def test_last_layer_at_the_end_token_only_equals_the_full_forward():
    model = init_uniform(EndTokenTransformer(EndTokenConfig(n=5, d_model=8, n_layers=3, n_heads=2)), 1.0, _gen(4))
    bits = torch.randint(0, 2, (9, 5), generator=_gen(5))
    with torch.no_grad():
        tokens = torch.cat([bits, torch.full((9, 1), 2)], dim=1)  # the end symbol appended
        h = model.tok_emb(tokens) * math.sqrt(8) + model.pos
        for layer in model.layers:
            h = layer(h)  # every position of every layer
        full = model.decoder(model.final_ln(h[:, -1])).squeeze(-1)
        assert torch.allclose(model(bits), full, atol=1e-5)


# ------------------------------------------------------------------ the measurement
def test_unit_sensitivity_equals_the_definition_by_flipping_each_bit(tmp_path):
    config = ri.PRESETS["smoke"]
    for unit in ({"init": "uniform", "model": "transformer", "scale": 10.0, "n": 4, "seed": 1},
                 {"init": "gaussian", "model": "lstm", "scale": 10.0, "n": 4, "seed": 2},
                 {"init": "uniform", "model": "lstm", "scale": 3.0, "n": 5, "seed": 0}):
        record = ri.run_unit(config, unit, UnitContext(key="u"))
        model, n = ri.build(config, unit), unit["n"]

        def label(bits):  # their rule: sigmoid(logit) >= 0.5
            with torch.no_grad():
                return bool(torch.sigmoid(model(torch.tensor([bits]))) >= 0.5)

        flips = 0
        for x in range(2**n):
            bits = [(x >> i) & 1 for i in range(n)]
            for i in range(n):
                flipped = list(bits)
                flipped[i] ^= 1
                flips += label(bits) != label(flipped)
        assert record["normalized_sensitivity"] == pytest.approx(flips / (2**n * n), abs=1e-12)
        assert record["constant"] == (flips == 0)


def test_label_table_resumes_from_its_checkpoint(tmp_path):
    model = init_uniform(LastStateLSTM(LastStateConfig(n=6, d_model=4, n_layers=1)), 5.0, _gen(6)).eval()
    whole = ri.label_table(model, 6, batch_size=8, device="cpu")

    class Killed(Exception):
        pass

    class DiesAfterOneCheckpoint(UnitContext):
        def save_checkpoint(self, state):
            super().save_checkpoint(state)
            raise Killed

    with pytest.raises(Killed):
        ri.label_table(model, 6, batch_size=8, device="cpu", checkpoint_every=3,
                       ctx=DiesAfterOneCheckpoint(key="k", checkpoint_dir=tmp_path))
    ctx = UnitContext(key="k", checkpoint_dir=tmp_path)
    assert ctx.load_checkpoint()["step"] == 24
    resumed = ri.label_table(model, 6, batch_size=8, device="cpu", checkpoint_every=3, ctx=ctx)
    assert np.array_equal(resumed, whole) and whole.shape == (64,)


def test_units_cover_every_setting_once():
    cfg = ri.RandomInitConfig(ns=(4, 5), ws=(1.0, 2.0), sigmas=(3.0,), seeds=2)
    us = ri.units(cfg)
    assert len(us) == 3 * 2 * 2 * 2
    assert len({tuple(sorted(u.items())) for u in us}) == len(us)
    with pytest.raises(ValueError, match="ns="):
        ri.RandomInitConfig(ns=(21,))
    with pytest.raises(ValueError, match="models="):
        ri.RandomInitConfig(models=("mlp",))


# ------------------------------------------------------------------ spectral-dynamics
def test_fitted_fractions_match_the_definition():
    f = make_target("mixed-degree", 7).function
    degrees, A = sd.degree_parts(f)
    assert degrees == [1, 2, 4, 7]
    f_hat = np.asarray(bs.fourier_coefficients(f), dtype=float)
    levels = np.array([bin(s).count("1") for s in range(2**7)])
    rng = np.random.default_rng(0)
    g = rng.normal(size=2**7)
    g_hat = np.asarray(bs.fourier_coefficients(g), dtype=float)
    for k, row in zip(degrees, A):
        expect = (g_hat * f_hat)[levels == k].sum() / (f_hat[levels == k] ** 2).sum()
        assert row @ g == pytest.approx(expect, abs=1e-12)
    assert np.allclose(A @ f.signs.astype(float), 1.0)


def _rows(crossings: list[dict]) -> list[dict]:
    return [{"seed": s, "crossing_step": {f"deg{k}": v for k, v in c.items()}} for s, c in enumerate(crossings)]


def test_pair_statistic_widens_by_the_resolution_and_leaves_out_missing_crossings():
    rows = _rows([{1: 10, 2: 100, 3: 101}, {1: 12, 2: 130, 3: 131}, {1: 9, 2: 90, 3: 91}, {1: 11, 2: 120, 3: None}])
    pairs = {p["pair"]: p for p in sd.pair_statistics(rows, [1, 2, 3], resolution=1)}
    assert pairs["(1, 2)"]["verdict"] == "reproduced"
    assert pairs["(1, 2)"]["mean T_k − T_j"] == pytest.approx(np.mean([90, 118, 81, 109]))
    # always exactly one step later, measured every step: the widened interval [0, 2] touches 0
    assert pairs["(2, 3)"]["verdict"] == "inconclusive" and pairs["(2, 3)"]["status"].startswith("unresolved (within")
    assert pairs["(2, 3)"]["seeds"] == "3 of 4"
    assert sd.pair_statistics(rows, [1, 2, 3], resolution=0)[2]["verdict"] == "reproduced"
    reversed_rows = _rows([{1: 50, 2: 10}, {1: 60, 2: 12}, {1: 55, 2: 9}])
    assert sd.pair_statistics(reversed_rows, [1, 2], resolution=1)[0]["verdict"] == "not reproduced"
    assert sd.pair_statistics(_rows([{1: 5, 2: None}] * 3), [1, 2], resolution=1)[0]["verdict"] == "inconclusive"


def test_without_the_filter_a_never_crossed_degree_is_censored_at_the_cap():
    # seed 0: both crossed, lower first; 1: both, higher first; 2: both at the same step;
    # 3: only the lower crossed (lower first, known); 4: only the higher crossed; 5: neither
    rows = _rows([{1: 5, 2: 9}, {1: 8, 2: 6}, {1: 7, 2: 7}, {1: 4, 2: None}, {1: None, 2: 30}, {1: None, 2: None}])
    p = sd.censored_pair_statistics(rows, [1, 2], cap=100, resolution=1)[0]
    assert (p["lower first"], p["higher first"], p["same step"]) == (1, 1, 1)
    assert p["one or both censored"] == 3
    assert (p["censored: only lower crossed"], p["censored: only higher crossed"], p["censored: both"]) == (1, 1, 1)
    assert p["known orderings"] == "2 lower first, 2 higher first"   # the tie and the both-censored seed dropped
    assert p["p (exact sign test)"] == 1.0
    # the declared rule on the steps with the censored ones at the cap: differences 4, -2, 0, 96, -70, 0
    assert p["mean T_k − T_j (censored at the cap)"] == pytest.approx(np.mean([4, -2, 0, 96, -70, 0]))
    # the filter leaves the censored seeds out; without it 8 seeds all lower first give 2 / 2**8
    rows = _rows([{1: 10 + s, 2: 50 + 3 * s} for s in range(6)] + [{1: 12, 2: None}, {1: None, 2: None}])
    p = sd.censored_pair_statistics(rows, [1, 2], cap=4000, resolution=1)[0]
    assert p["known orderings"] == "7 lower first, 0 higher first"
    assert p["p (exact sign test)"] == pytest.approx(2 / 2**7)
    filtered = sd.pair_statistics(rows, [1, 2], resolution=1)[0]
    assert filtered["seeds"] == "6 of 8" and filtered["verdict"] == "reproduced"
    # at the cap the two censored seeds give 3988 and 0: the interval then contains 0
    assert p["verdict without the filter"] == "inconclusive"
