"""Empirical part 2: real-valued measures against closed forms, data generators, regularisers,
training that trains, and the five experiments end to end at the ``smoke`` preset."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from boolsens import BoolsensError  # noqa: E402
from empirical.data import corruptions as C  # noqa: E402
from empirical.harness import registry  # noqa: E402
from empirical.data import real as D  # noqa: E402
from empirical.train import regularizers as R  # noqa: E402
from empirical.measure import sensitivity_real as S  # noqa: E402


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


# --------------------------------------------------------------------------- Definition 3.1
def test_token_sensitivity_matches_gaussian_tail_and_positions():
    # f(X) = c + sum of coordinate 0 of tokens 0 and 2 (clean value c > 0 since tokens are 0):
    # noise on token 0 or 2 flips the sign iff eps_0 < -c, i.e. with probability Phi(-c/sigma);
    # tokens 1 and 3 never matter. Overall = (2/4) Phi(-c/sigma).
    c, sigma = 0.5, 1.0
    x = torch.zeros(400, 4, 3)
    est = S.token_sensitivity(lambda t: c + t[:, 0, 0] + t[:, 2, 0], x, sigma=sigma, n_draws=16, seed=3)
    p = _phi(-c / sigma)
    per = est.per_position
    for i in (0, 2):
        assert abs(per.value[i] - p) < 4 * per.stderr[i] + 1e-3
    assert per.value[1] == per.value[3] == 0.0
    assert abs(est.overall.value - p / 2) < 4 * est.overall.stderr
    assert est.overall.samples == per.samples == 400 and est.overall.seed == 3
    d = est.as_dict()
    assert (d["value"], d["stderr"], d["samples"]) == (est.overall.value, est.overall.stderr, 400)
    assert d["per_position"] == per.value.tolist() and d["n_draws"] == 16


def test_token_sensitivity_argmax_and_seed_reproducibility():
    x = torch.randn(100, 5, 2, generator=torch.Generator().manual_seed(0))
    fwd = lambda t: t.sum(1)  # (B, 2) logits  # noqa: E731
    a = S.token_sensitivity(fwd, x, sigma=0.7, n_draws=3, seed=11)
    b = S.token_sensitivity(fwd, x, sigma=0.7, n_draws=3, seed=11)
    c = S.token_sensitivity(fwd, x, sigma=0.7, n_draws=3, seed=12)
    assert a.as_dict() == b.as_dict() and a.as_dict() != c.as_dict()
    assert 0 < a.overall.value < 1
    # symmetric model: every position is equally sensitive up to Monte Carlo error
    per = a.per_position.value
    assert np.all(np.abs(per - per.mean()) < 4 * a.per_position.stderr + 0.02)


def test_weight_noise_sharpness_of_a_linear_model_matches_closed_form_and_ignores_dropout():
    # f(x) = w.x with w = 0, x = 1: under w + N(0, s^2 I) the output change is N(0, s^2 n), so
    # E|change| = s sqrt(n) sqrt(2/pi). Dropout must be off in both clean and perturbed models.
    n, s = 4, 0.1
    lin = torch.nn.Linear(n, 1, bias=False)
    torch.nn.init.zeros_(lin.weight)
    model = torch.nn.Sequential(torch.nn.Dropout(0.5), lin, torch.nn.Flatten(0))
    model.train()
    est = S.weight_noise_sharpness(model, torch.ones(200, n), sigma=s, n_draws=400, seed=1)
    expected = s * math.sqrt(n) * math.sqrt(2 / math.pi)
    assert abs(est.shop.value - expected) < 4 * est.shop.stderr
    assert est.shop.samples == est.shpred.samples == 400  # standard errors over the weight draws
    assert model.training  # the caller's mode is restored
    assert torch.all(lin.weight == 0)  # the model itself is not perturbed
    assert 0.3 < est.shpred.value < 0.7  # clean output 0 (+1); the sign flips about half the time
    d = est.as_dict()
    assert d["shop"]["value"] == est.shop.value and d["shpred"]["stderr"] == est.shpred.stderr


def test_gaussian_noise_stability_closed_forms():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(100_000, 1, generator=g)
    rho = 0.5
    relu = S.gaussian_noise_stability(lambda t: t.relu(), x, rho=rho, n_draws=2, seed=1)
    kappa1 = (math.sqrt(1 - rho**2) + (math.pi - math.acos(rho)) * rho) / (2 * math.pi)
    assert abs(relu.stab.value - kappa1) < 4 * relu.stab.stderr + 2e-3
    sgn = S.gaussian_noise_stability(lambda t: torch.sign(t), x, rho=rho, n_draws=2, seed=2)
    assert abs(sgn.stab.value - 2 / math.pi * math.asin(rho)) < 4 * sgn.stab.stderr + 2e-3
    assert abs(sgn.correlation - 2 / math.pi * math.asin(rho)) < 0.02
    assert sgn.as_dict()["stab"]["samples"] == 100_000


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.token_sensitivity(lambda t: t[:, 0, 0], torch.zeros(3, 2, 2), sigma=0.0), "sigma=0"),
        (lambda: S.token_sensitivity(lambda t: t[:, 0, 0], torch.zeros(3, 2, 2), sigma=1.0, n_draws=0), "n_draws=0"),
        (lambda: S.token_sensitivity(lambda t: t[:, 0], torch.zeros(3, 2), sigma=1.0), "must be a non-empty"),
        (lambda: S.token_sensitivity(lambda t: t, torch.zeros(3, 2, 2, dtype=torch.long), sigma=1.0), "floating"),
        (lambda: S.predictions(torch.zeros(2, 2, 2)), r"must be \(B,\)"),
        (lambda: S.correlated_gaussian(torch.zeros(3), 1.5), r"rho=1.5 must lie in \[-1, 1\]"),
        (lambda: S.weight_noise_sharpness(lambda t: t, torch.zeros(2, 2)), "must be a torch.nn.Module"),
        (lambda: D.TokenSpec(M=8, m=4).validate(), "M=8 must exceed"),
        (lambda: D.TokenSpec(T=4, n_s=2, n_f=3).validate(), "n_s \\+ n_f = 5 must be <= T=4"),
        (lambda: D.modular_addition(5, train_fraction=1.0, seed=0), "train_fraction=1.0"),
        (lambda: D.noisy_sparse_parity(4, 5, n_train=2, n_test=2, noise=0.0, seed=0), "k=5 must be <= n=4"),
        (lambda: D.noisy_sparse_parity(4, 2, n_train=2, n_test=2, noise=0.5, seed=0), "noise=0.5"),
        (lambda: D.digits(n_train=5000), "n_train=5000"),
        (lambda: C.corrupt(torch.zeros(1, 1, 4, 4), "fog", 1), "corruption='fog'"),
        (lambda: C.corrupt(torch.zeros(1, 1, 4, 4), "contrast", 6), "severity=6"),
    ],
    ids=["sigma-zero", "draws-zero", "tokens-2d", "tokens-int", "outputs-3d", "rho-big", "sharp-not-module",
         "vocab-small", "tokens-too-many", "train-fraction", "parity-k", "parity-noise",
         "digits-n-train", "unknown-corruption", "severity"],
)
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()


# --------------------------------------------------------------------------- data
def test_synthetic_tokens_follow_definition_3_3_and_ood_flips_the_sparse_token():
    spec = D.TokenSpec(M=20, T=12, n_s=2, n_f=6, n_d=2, m=3)
    X, y, ids = D.synthetic_tokens(spec, 300, seed=1)
    Xo, yo, ido = D.synthetic_tokens(spec, 300, seed=1, ood=True)
    kinds = D.token_kinds(spec)
    cls = np.where(y.numpy() > 0, 0, 1)  # offset of the label's tokens
    ids = ids.numpy()
    for s in range(300):
        row = ids[s]
        assert (row == cls[s]).sum() == spec.n_s and (row == 1 - cls[s]).sum() == 0
        freq = row[kinds[row] == 1]
        assert len(freq) == spec.n_f
        assert ((freq - 2) % 2 == cls[s]).sum() == (spec.n_f + spec.n_d) // 2
    assert torch.equal(yo, y)  # same seed: same labels, only the sparse token swapped
    assert np.all((ido.numpy() == 1 - cls[:, None]).sum(1) == spec.n_s)


def test_digits_modular_addition_and_parity():
    xtr, ytr, xte, yte = D.digits(n_train=300, seed=2)
    assert xtr.shape == (300, 1, 8, 8) and len(xte) == 1797 - 300 and len(ytr) == 300 and len(yte) == 1497
    assert float(xtr.min()) == -1.0 and float(xtr.max()) == 1.0  # blank pixels are -1, full ones 1
    assert set(torch.cat([ytr, yte]).tolist()) == set(range(10))
    a, ya, b, yb = D.modular_addition(11, train_fraction=0.3, seed=0)
    assert len(a) + len(b) == 121 and len({tuple(r) for r in torch.cat([a, b]).tolist()}) == 121
    assert torch.equal((b[:, 0] + b[:, 1]) % 11, yb)
    xtr, ytr, xte, yte, Sset = D.noisy_sparse_parity(10, 3, n_train=4000, n_test=500, noise=0.1, seed=0)
    clean = (xtr[:, Sset].prod(1) < 0).long()
    assert abs(float((clean != ytr).float().mean()) - 0.1) < 0.02
    assert torch.equal((xte[:, Sset].prod(1) < 0).long(), yte)


def test_corruptions_keep_shapes_and_their_defining_properties():
    x = torch.randn(8, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    bg = -0.5
    flat = torch.full((2, 1, 8, 8), bg)
    assert torch.allclose(C.gaussian_blur(flat, 5, background=bg), flat)  # blank stays blank
    out = C.contrast(x, 3)
    assert torch.allclose(out.mean((1, 2, 3)), x.mean((1, 2, 3)), atol=1e-6)
    assert float(out.std()) < float(x.std())
    drop = C.pixel_dropout(x, 5, seed=1, background=bg)
    assert 0.2 < float((drop == bg).float().mean()) < 0.6
    for name in C.CORRUPTIONS:
        y = C.corrupt(x, name, 3, seed=2, background=bg)
        assert y.shape == x.shape and torch.isfinite(y).all()
        assert torch.equal(y, C.corrupt(x, name, 3, seed=2, background=bg))  # seeded


# --------------------------------------------------------------------------- regularisers
def test_noise_stability_penalty_is_zero_at_rho_one_and_has_gradients():
    g = torch.Generator().manual_seed(0)
    lin = torch.nn.Linear(5, 3)
    E = torch.randn(6, 3, 5, generator=g, requires_grad=True)
    f = lambda e: lin(e).sum(1)  # noqa: E731  (B, 3)
    assert float(R.noise_stability_penalty(f, E, f(E), rho=1.0, generator=g).detach()) == 0.0
    pen = R.noise_stability_penalty(f, E, f(E), rho=0.5, generator=g,
                                    positions=torch.tensor([True, False, False]))
    assert float(pen.detach()) > 0
    pen.backward()
    assert lin.weight.grad is not None and float(lin.weight.grad.abs().sum()) > 0


@pytest.mark.slow
def test_training_lowers_the_loss_and_moves_the_weights():
    """Vasudeva et al.'s loop never called optimizer.step(): make sure ours does."""
    from empirical.measure.operand import SensitivityProbe
    from empirical.train.algorithmic import ModularAdditionSpec, train_modular
    from empirical.train.regularizers import StabilityRegularizer
    from empirical.models.modular import ModularTransformer
    from empirical.harness.runner import UnitContext
    from empirical.harness.plan import derive_seed

    cfg = ModularAdditionSpec(p=7, d_model=16, n_heads=2, d_mlp=32, steps=150, log_every=50)
    xtr, ytr, _, _ = D.modular_addition(7, train_fraction=cfg.train_fraction, seed=derive_seed(0, "data"))
    torch.manual_seed(derive_seed(0, "init"))  # what train_modular does before building its model: the same init
    init = ModularTransformer(cfg.model_config())
    with torch.no_grad():
        loss0 = float(torch.nn.functional.cross_entropy(init(xtr), ytr))
    for reg in (StabilityRegularizer(), StabilityRegularizer(form="gaussian", gamma=0.5),
                StabilityRegularizer(form="resampling", gamma=0.75, rho=0.25)):  # plain and regularised
        ctx = UnitContext(key="t")
        res = train_modular(cfg, 0, ctx, regularizer=reg, probe=SensitivityProbe(draws=1), extra_after_grok=None)
        traj = ctx.history
        assert res["epochs_run"] == 150 and [r["step"] for r in traj] == [50, 100, 150]
        assert traj[-1]["loss"] < 0.5 * loss0
        assert traj[-1]["train_acc"] > 0.5
        assert all("sens_abs" in r and 0 <= r["sens_abs"] <= 1 for r in traj)


# --------------------------------------------------------------------------- experiments
PART2 = ("synthetic-tokens", "vision-sensitivity", "sequence-sensitivity", "grokking", "noise-stability-regularizer")


def test_part2_experiments_are_registered_with_three_presets():
    names = registry.names()
    for name in PART2:
        assert name in names
        exp = registry.get(name)
        assert {"smoke", "cpu", "gpu"} <= set(exp.presets) <= {"smoke", "cpu", "gpu", *registry.OPTIONAL_PRESETS}
        assert exp.claim


#: every experiment runs its smoke units once in the fast tier (the registry's table names them
#: without importing them; the kill-and-resume tests are in the slow tier)
SMOKE = tuple(registry.names())


@pytest.mark.parametrize("name", SMOKE)
def test_smoke_preset_runs_end_to_end(name, tmp_path, seed_watch):
    """The map/reduce form through the command line (plan, runner, analysis); every seed a unit
    feeds a random generator is one that ``derive_seed`` gave (``seed_watch``: one way to derive
    a unit's seeds); a second run into the same folder reuses every unit and gives the same
    verdict."""
    from empirical.harness.cli import main

    out = tmp_path / name
    assert main([name, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert seed_watch.fed and not seed_watch.foreign(), f"seeds derive_seed did not give: {seed_watch.foreign()[:5]}"
    summary = json.loads((out / "summary.json").read_text())
    report = (out / "report.md").read_text()
    assert "**Claim.**" in report and summary["verdict"] in report and list(out.glob("*.png"))
    assert summary["verdict"].startswith(("reproduced", "not reproduced", "inconclusive"))
    with open(out / "results.csv") as fh:  # one row per unit, derived from the unit records
        assert sum(1 for _ in fh) - 1 == len(list((out / "units").glob("*.json")))
    units = sorted(p.name for p in (out / "units").iterdir())
    assert main([name, "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    assert sorted(p.name for p in (out / "units").iterdir()) == units  # every unit was reused
    assert json.loads((out / "summary.json").read_text())["verdict"] == summary["verdict"]
