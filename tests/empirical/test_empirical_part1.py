"""Tests of the empirical run folder, training loop, statistics, models, tasks, metrics and the
four Boolean experiments (smoke presets, CPU, seconds). Every test seeds its randomness."""

from __future__ import annotations

import dataclasses
import json
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("matplotlib")

import boolsens as bs  # noqa: E402
from boolsens import BoolsensError  # noqa: E402
from boolsens.cube import bits_to_index, index_to_bits  # noqa: E402
from boolsens.torch_runtime import torch_threads  # noqa: E402
from boolsens.storage import CorruptFileError  # noqa: E402
from empirical.measure import metrics  # noqa: E402
from empirical.harness import registry  # noqa: E402
from empirical.harness.cli import main  # noqa: E402
from empirical.models import build_model  # noqa: E402
from empirical.harness.rundir import RunDir  # noqa: E402
from empirical.analysis.stats import exceeds, fit_line, sample_sd  # noqa: E402
from empirical.data.tasks import cube, labels, make_target, uniform_batches  # noqa: E402
from empirical.train.loop import train  # noqa: E402

PART1 = ("length-scaling", "random-function-generalization", "random-init-sensitivity", "spectral-dynamics")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


# ------------------------------------------------------------------ registry and CLI
def test_registry_discovers_the_four_experiments_with_frozen_presets():
    names = registry.names()
    for name in PART1:
        assert name in names
        exp = registry.get(name)
        assert set(exp.presets) == {"smoke", "cpu", "gpu"}
        cfg = exp.presets["smoke"]
        with pytest.raises(dataclasses.FrozenInstanceError):
            cfg.seeds = (3,)  # type: ignore[misc]
        assert exp.config("cpu", seeds=3).seeds == (0, 1, 2)


@dataclasses.dataclass(frozen=True, kw_only=True)
class _Cfg(registry.ExperimentConfig):
    x: int = 1


@dataclasses.dataclass(frozen=True)
class _NotAConfig:
    x: int = 1


@pytest.mark.parametrize("name, presets, match", [
    ("has space", {"smoke": _Cfg(), "cpu": _Cfg(), "gpu": _Cfg()}, "without spaces"),
    ("ok-name", {"smoke": _Cfg(), "cpu": _Cfg()}, "optionally with"),
    ("ok-name", {"smoke": _Cfg(), "cpu": _Cfg(), "gpu": _Cfg(), "huge": _Cfg()}, "optionally with"),
    ("ok-name", {"smoke": _NotAConfig(), "cpu": _NotAConfig(), "gpu": _NotAConfig()}, "ExperimentConfig"),
    ("ok-name", {"smoke": {"x": 1}, "cpu": _Cfg(), "gpu": _Cfg()}, "frozen dataclass"),
], ids=["space-in-name", "missing-gpu-preset", "unknown-preset", "not-an-experiment-config", "dict-config"])
def test_register_rejects_bad_definitions(name, presets, match):
    with pytest.raises(ValueError, match=match):
        registry.register(name, claim="c", presets=presets, units=list, run_unit=dict, analyze=dict)


def test_the_paper_preset_is_optional():
    grok = registry.get("grokking").config("paper")
    assert (grok.train.p, grok.train.train_fraction, grok.seeds) == (113, 0.3, (42, 43, 44, 45, 46))
    with pytest.raises(ValueError, match="preset='paper' must be one of"):
        registry.get("spectral-dynamics").config("paper")


def test_config_override_of_unknown_field_raises():
    with pytest.raises(ValueError, match="no field"):
        registry.get("spectral-dynamics").config("smoke", nope=1)


def test_cli_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in PART1)


@pytest.mark.parametrize("argv, message", [
    (["no-such-experiment", "--preset", "smoke", "--out", "{out}"], "unknown experiment 'no-such-experiment'"),
    (["spectral-dynamics", "--out", "{out}"], "needs --preset"),
    (["spectral-dynamics", "--preset", "smoke", "--out", "{out}", "--seeds", "0", "--n-seeds", "2"],
     "--seeds='0' and --n-seeds=2 both given"),
    (["spectral-dynamics", "--preset", "smoke", "--out", "{out}", "--n-seeds", "0"], "--n-seeds"),
    (["spectral-dynamics", "--preset", "smoke", "--out", "{out}", "--threads", "x"], "--threads: 'x' is not an integer"),
    (["spectral-dynamics", "--preset", "huge", "--out", "{out}"], "invalid choice: 'huge'"),
    (["spectral-dynamics", "--preset", "smoke", "--out", "{out}", "--device", "tpu"], "device='tpu' must be"),
], ids=["unknown-experiment", "missing-preset", "seeds-and-n-seeds", "zero-n-seeds", "bad-threads", "bad-preset",
        "bad-device"])
def test_cli_usage_errors_are_one_line_and_exit_2(argv, message, capsys, tmp_path):
    assert main([a.format(out=tmp_path / "out") for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()          # nothing was started


# ------------------------------------------------------------------ run folder
def test_rundir_atomic_json_metrics_dedup_and_config_guard(tmp_path):
    rd = RunDir(tmp_path / "r", device="cpu")
    rd.start("e", "smoke", {"a": 1})
    rd.write_json("x.json", {"v": np.float64(0.5), "a": np.arange(3)})
    assert json.loads((tmp_path / "r" / "x.json").read_text()) == {"v": 0.5, "a": [0, 1, 2]}
    assert not [p for p in (tmp_path / "r").iterdir() if ".tmp" in p.name]
    rd.append_metrics({"unit": "u", "step": 1, "loss": 2.0, "stage": "train"})
    rd.append_metrics({"unit": "u", "step": 1, "loss": 1.0, "stage": "test"})   # same step, another stage
    rd.append_metrics({"unit": "v", "step": 1, "loss": 3.0})
    assert rd.read_metrics("u") == [{"unit": "u", "step": 1, "loss": 2.0, "stage": "train"},
                                    {"unit": "u", "step": 1, "loss": 1.0, "stage": "test"}]   # every record kept
    assert len(rd.read_metrics()) == 3
    with open(tmp_path / "r" / "metrics.jsonl", "a") as fh:
        fh.write('{"unit": "u", "step": 2, "lo')               # a damaged file is not read silently
    with pytest.raises(BoolsensError, match="metrics.jsonl is corrupt.*--analyze"):
        rd.read_metrics("u")
    RunDir(tmp_path / "r", device="cpu").start("e", "smoke", {"a": 1})   # same config resumes
    with pytest.raises(BoolsensError, match="different config"):
        RunDir(tmp_path / "r", device="cpu").start("e", "smoke", {"a": 2})


def test_rundir_start_removes_the_temporaries_of_an_interrupted_run(tmp_path):
    rd = RunDir(tmp_path, device="cpu")
    (tmp_path / "units").mkdir()
    stale = [tmp_path / ".config.json.tmp123", tmp_path / "units" / ".u.json.tmp99"]
    for p in stale:
        p.write_text("{half")
    rd.start("e", "smoke", {"a": 1})
    assert not any(p.exists() for p in stale)
    assert rd.read_json("config.json")["experiment"] == "e"


@pytest.mark.parametrize("name, damage, method", [
    ("units/u.json", b'{"x": 1', lambda rd: rd.unit("u", lambda: {"x": 2})),
    ("units/u.json", b"[1, 2]", lambda rd: rd.load_unit("u")),
    ("config.json", b"not json", lambda rd: rd.start("e", "smoke", {})),
    ("checkpoints/u.pt", b"\x00garbage", lambda rd: rd.load_checkpoint("u")),
], ids=["torn-unit", "unit-not-an-object", "corrupt-config", "corrupt-checkpoint"])
def test_rundir_names_a_corrupt_file(tmp_path, name, damage, method):
    rd = RunDir(tmp_path, device="cpu")
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(damage)
    with pytest.raises(CorruptFileError, match=re.escape(str(tmp_path / name))):
        method(rd)


@pytest.mark.parametrize("show, shown", [(True, True), (False, False)], ids=["shown", "quiet"])
def test_training_progress_bar_follows_the_run_folder(tmp_path, capsys, show, shown):
    rd = RunDir(tmp_path, device="cpu", show_progress=show)
    model = torch.nn.Linear(1, 1)
    train(model, torch.optim.SGD(model.parameters(), lr=0.1), steps=7, ctx=rd.context("unit-a"),
          next_batch=lambda s: (torch.ones(2, 1), torch.zeros(2, 1)), loss_fn=lambda m, x, y: ((m(x) - y) ** 2).mean())
    err = capsys.readouterr().err
    assert ("unit-a" in err and "7/7" in err and "loss" in err) == shown
    assert shown or err == ""


def test_fit_line_matches_the_textbook_formula_and_rejects_degenerate_input():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20), rng.normal(size=20)
    fit = fit_line(x, y)
    xm, ym = x.mean(), y.mean()
    sxx = ((x - xm) ** 2).sum()
    b = ((x - xm) * (y - ym)).sum() / sxx
    a = ym - b * xm
    se = np.sqrt(((y - a - b * x) ** 2).sum() / (len(x) - 2) / sxx)
    assert fit["slope"] == pytest.approx(b, rel=1e-12) and fit["intercept"] == pytest.approx(a, rel=1e-12)
    assert fit["slope_stderr"] == pytest.approx(se, rel=1e-12) and fit["points"] == 20
    exact = fit_line([1, 2, 3, 4], [1, 3, 5, 7])
    assert exact["slope"] == pytest.approx(2.0) and exact["slope_stderr"] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(fit_line([1, 2], [0, 1])["slope_stderr"])     # no residual degree of freedom
    with pytest.raises(BoolsensError, match="all x are equal"):
        fit_line([1, 1], [0, 1])


def test_sample_sd_and_the_z_test():
    assert sample_sd([2.0, 4.0]) == pytest.approx(np.sqrt(2.0)) and np.isnan(sample_sd([1.0]))
    assert exceeds(1.0, 0.1, 0.5, 0.1) and not exceeds(1.0, 0.2, 0.5, 0.2)
    assert not exceeds(1.0, float("nan"), 0.0, 0.1)


def _tiny_training(rd: RunDir | None, steps: int):
    torch.manual_seed(0)
    model = build_model("transformer", 4, d_model=8, n_heads=1)
    generator = torch.Generator().manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    res = train(model, opt, steps=steps, next_batch=uniform_batches(make_target("first", 4), 16, generator),
                generator=generator,
                loss_fn=lambda m, x, y: metrics.mse_loss(m(x), y), ctx=rd.context("u") if rd else None,
                log_every=5, checkpoint_every=5)
    return model, res


def test_training_resumes_from_checkpoint_to_the_same_weights(tmp_path):
    straight, _ = _tiny_training(None, 20)
    rd = RunDir(tmp_path, device="cpu")
    _tiny_training(rd, 10)                       # "interrupted" after 10 steps (checkpoint at 10)
    resumed, res = _tiny_training(rd, 20)        # a fresh process would build the same model first
    assert res.steps == 20
    for a, b in zip(straight.parameters(), resumed.parameters()):
        assert torch.equal(a, b)


def test_training_actually_trains():
    torch.manual_seed(1)
    model = build_model("transformer", 6, d_model=16, n_heads=2)
    target, generator = make_target("first", 6), torch.Generator().manual_seed(1)
    bits = cube(6)
    y = labels(target(bits))
    before = metrics.binary_accuracy(model(bits).detach(), y)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    train(model, opt, steps=150, next_batch=uniform_batches(target, 64, generator), generator=generator,
          loss_fn=lambda m, x, y: metrics.mse_loss(m(x), y))
    after = metrics.binary_accuracy(model(bits).detach(), y)
    assert after > 0.95 and after > before


# ------------------------------------------------------------------ tasks
@pytest.mark.parametrize("name, reference", [
    ("parity", lambda n: bs.parity(n)),
    ("majority", lambda n: bs.majority(n)),
    ("first", lambda n: bs.dictator(n, 0)),
], ids=["parity", "majority", "first"])
def test_targets_match_the_core_families(name, reference):
    assert make_target(name, 5).function == reference(5)


def test_mixed_degree_target_has_weight_a_quarter_at_degrees_1_2_4_7():
    w = bs.fourier_weights(make_target("mixed-degree", 8).function)
    expected = np.zeros(9)
    expected[[1, 2, 4, 7]] = 0.25
    assert np.allclose(w, expected)


def test_uniform_batches_are_fresh_labelled_and_replayed_by_the_generator():
    target = make_target("random", 6, seed=3)
    g = torch.Generator().manual_seed(4)
    next_batch = uniform_batches(target, 100, g)
    state = g.get_state()
    bits, y = next_batch(0)
    again, _ = next_batch(1)
    assert bits.shape == (100, 6) and not torch.equal(bits, again)       # fresh points each step
    f = target.function
    assert torch.equal(y, torch.from_numpy((1 - f.signs[bits_to_index(bits).numpy()]) / 2).float())
    g.set_state(state)                                                   # a restored generator replays
    assert torch.equal(next_batch(0)[0], bits)
    assert torch.equal(cube(3), index_to_bits(torch.arange(8), 3))


def test_bad_targets_raise():
    with pytest.raises(ValueError, match="sparse-parity needs k"):
        make_target("sparse-parity", 4, k=5)
    with pytest.raises(ValueError, match="must be one of"):
        make_target("nope", 4)


# ------------------------------------------------------------------ models
@pytest.mark.parametrize("opts", [
    {}, {"norm": "pre", "final_norm": True}, {"attention": "linear"}, {"attention": "relu", "norm": "none"},
    {"readout": "cls", "positions": "add"},
], ids=["post-softmax", "pre-final", "linear", "relu-nonorm", "cls-add"])
def test_last_block_at_readout_only_equals_the_full_forward(opts):
    torch.manual_seed(2)
    model = build_model("transformer", 5, d_model=8, n_heads=2, **opts)
    bits = torch.randint(0, 2, (7, 5), generator=torch.Generator().manual_seed(0))
    fast = model(bits)
    # the same network evaluated at every position of every block, read at the readout position
    if model.cfg.readout == "cls":
        bits = torch.cat([torch.full((7, 1), 2), bits], dim=1)
    tok, pos = model.tok_emb(bits), model.pos_emb(model.positions).expand(7, -1, -1)
    h = torch.cat([tok, pos], -1) if model.cfg.positions == "concat" else tok + pos
    for block in model.blocks:
        h = block(h)
    full = model.head(model.final_ln(h[:, model.readout_position])).squeeze(-1)
    assert fast.shape == (7,)
    assert torch.allclose(fast, full, atol=1e-6)


def test_fused_softmax_path_equals_the_hooked_explicit_path():
    torch.manual_seed(6)
    model = build_model("transformer", 6, d_model=8, n_heads=2)
    bits = torch.randint(0, 2, (5, 6), generator=torch.Generator().manual_seed(2))
    fused = model(bits)
    handles = [b.attn.hook_pattern.register_forward_hook(lambda m, i, o: None) for b in model.blocks]
    explicit = model(bits)
    for h in handles:
        h.remove()
    assert torch.allclose(fused, explicit, atol=1e-6)


def test_attention_pattern_hook_sees_stochastic_rows():
    torch.manual_seed(3)
    model = build_model("transformer", 6, d_model=8, n_heads=2)
    seen = []
    handle = model.blocks[0].attn.hook_pattern.register_forward_hook(lambda m, i, o: seen.append(o))
    model(torch.zeros(3, 6, dtype=torch.long))
    handle.remove()
    assert seen[0].shape == (3, 2, 6, 6)
    assert torch.allclose(seen[0].sum(-1), torch.ones(3, 2, 6))


# ------------------------------------------------------------------ metrics
class _First(torch.nn.Module):
    def forward(self, bits):
        return bits[:, 0].float()          # label 1 exactly where x_0 = -1 (True)


def test_network_function_follows_the_sign_convention():
    f, g = metrics.network_function(_First(), 5)
    assert f == bs.dictator(5, 0)
    assert np.array_equal(g, f.signs.astype(float))


def test_loss_sharpness_vmap_equals_loop_fresh_per_seed_and_zero_at_rho_zero():
    torch.manual_seed(4)
    model = build_model("transformer", 5, d_model=8, n_heads=2)
    bits, y = uniform_batches(make_target("parity", 5), 64, torch.Generator().manual_seed(0))(0)
    a = metrics.loss_sharpness(model, bits, y, rho=2.0, draws=4, seed=11, method="vmap")
    b = metrics.loss_sharpness(model, bits, y, rho=2.0, draws=4, seed=11, method="loop")
    c = metrics.loss_sharpness(model, bits, y, rho=2.0, draws=4, seed=12)
    assert a == pytest.approx(b, rel=1e-4, abs=1e-7)
    assert a != c
    assert metrics.loss_sharpness(model, bits, y, rho=0.0, draws=2, seed=1) == pytest.approx(0.0, abs=1e-7)
    # the loop restores the weights exactly, and the model's training mode
    before = [p.clone() for p in model.parameters()]
    model.train()
    metrics.loss_sharpness(model, bits, y, rho=5.0, draws=2, seed=1, method="loop")
    assert all(torch.equal(p, q) for p, q in zip(before, model.parameters()))
    assert model.training


def test_loss_sharpness_matches_perturbed_copies_with_the_documented_noise_scale():
    import copy

    torch.manual_seed(7)
    model = build_model("transformer", 4, d_model=8, n_heads=2)
    bits, y = uniform_batches(make_target("majority", 4), 32, torch.Generator().manual_seed(3))(0)
    names = [k for k, _ in model.named_parameters() if not k.startswith("pos_emb")]
    P = sum(p.numel() for k, p in model.named_parameters() if k in names)
    g = torch.Generator().manual_seed(21)
    noise = {k: torch.randn((3, *p.shape), generator=g) * (1.5 / P**0.5)
             for k, p in model.named_parameters() if k in names}
    losses = []
    with torch.no_grad():
        base = float(metrics.mse_loss(model(bits), y))
        for j in range(3):
            twin = copy.deepcopy(model)
            for k, p in twin.named_parameters():
                if k in noise:
                    p.add_(noise[k][j])
            losses.append(float(metrics.mse_loss(twin(bits), y)))
    expected = sum(losses) / 3 - base
    got = metrics.loss_sharpness(model, bits, y, rho=1.5, draws=3, seed=21)
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-8)


def test_layer_norm_blowup_matches_a_hand_computation():
    torch.manual_seed(5)
    model = build_model("transformer", 4, d_model=8, n_heads=2, n_layers=1)   # post-LN, one block
    bits = torch.randint(0, 2, (6, 4), generator=torch.Generator().manual_seed(1))
    got = metrics.layer_norm_blowup(model, bits)["blowup"]
    with torch.no_grad():
        h = torch.cat([model.tok_emb(bits), model.pos_emb(model.positions).expand(6, -1, -1)], -1)
        blk = model.blocks[0]
        x1 = h[:, -1:] + blk.attn(h, 3)            # the only block is the last: readout row only
        x2 = blk.ln1(x1) + blk.mlp(blk.ln1(x1))
        inv = lambda x: 1 / x.double().std(-1, unbiased=True).amax(-1)  # noqa: E731
        expected = float((inv(x1) * inv(x2)).mean())
    assert got == pytest.approx(expected, rel=1e-9)


def test_parameter_norm_counts_positions_only_when_asked():
    model = build_model("transformer", 4, d_model=8, n_heads=2)
    pos = float(model.pos_emb.weight.detach().double().norm())
    full, nopos = metrics.parameter_norm(model), metrics.parameter_norm(model, positional=False)
    assert full**2 == pytest.approx(nopos**2 + pos**2)


# ------------------------------------------------------------------ the experiments at smoke scale
@pytest.mark.slow
@pytest.mark.parametrize("name", PART1)
def test_experiment_smoke_run_writes_everything_and_resumes(name, tmp_path):
    out = tmp_path / name
    assert main([name, "--preset", "smoke", "--out", str(out), "--quiet"]) == 0
    for f in ("config.json", "summary.json", "report.md"):
        assert (out / f).exists()
    assert list(out.glob("*.png"))
    summary = json.loads((out / "summary.json").read_text())
    report = (out / "report.md").read_text()
    assert summary["verdict"] in report and "**Claim.**" in report and "wiring check" in report
    units = sorted((out / "units").glob("*.json"))
    assert units
    # interrupt: lose one unit and the summary; the rerun recomputes it identically (CPU determinism)
    lost = units[0]
    old = json.loads(lost.read_text())
    lost.unlink()
    (out / "summary.json").unlink()
    assert main([name, "--preset", "smoke", "--out", str(out), "--quiet"]) == 0
    new = json.loads(lost.read_text())
    if "record" in old:  # a map/reduce experiment: {"key", "unit", "record", "history", ...}
        old, new = old["record"], new["record"]
    old.pop("train_seconds", None), new.pop("train_seconds", None)
    assert new == old
    config = json.loads((out / "config.json").read_text())
    assert config.get("resumed", config.get("wall_clock", {}).get("invocations", 0) - 1) == 1
