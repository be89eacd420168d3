"""The experiments' configs nest their model, training and measurement configs (one vocabulary:
``train.steps``, ``measure.draws``, ...) and check them when built, as ``--set`` does."""

from __future__ import annotations

import dataclasses

import pytest

pytest.importorskip("torch")

from boolsens import BoolsensError  # noqa: E402
from empirical.harness import registry  # noqa: E402
from empirical.harness.plan import apply_overrides  # noqa: E402
from empirical.measure.hahn_rofin import Measurement  # noqa: E402


def test_length_scaling_nests_its_measurement():
    cfg = registry.get("length-scaling").config("smoke")
    assert cfg.measure == Measurement(draws=2, batches=2, batch_size=64, eval_points=64)
    changed = apply_overrides(cfg, ["measure.draws=3", "measure.rho=0.5", "train.steps=7"])
    assert (changed.measure.draws, changed.measure.rho, changed.train.steps) == (3, 0.5, 7)
    with pytest.raises(BoolsensError, match="loss_sharpness_draws"):
        apply_overrides(cfg, ["loss_sharpness_draws=3"])                 # the old flat name is gone


def _length_scaling_records(parity_slope):
    """PARITY, MAJORITY and FIRST at n = 4, 6, 8, 10 for seeds 0-2: PARITY's measures grow by
    parity_slope + 0.05 seed per unit n, the others stay at 1; PARITY at n = 10 fails the filter with a
    measure of 0, and seed 2 also fails it at n = 8."""
    rows = []
    for seed in range(3):
        for n in (4, 6, 8, 10):
            for task in ("parity", "majority", "first"):
                bad = task == "parity" and (n == 10 or (seed == 2 and n == 8))
                v = 0.0 if bad else (1.0 + (parity_slope + 0.05 * seed) * n if task == "parity" else 1.0)
                rows.append({"task": task, "n": n, "seed": seed, "kept": not bad, "loss_sharpness_pm1": v,
                             "blowup_x_norm": v})
    return rows


def test_length_scaling_effects_with_the_filter_off_take_every_run_and_count_each_seeds_points():
    from empirical.experiments.length_scaling import LengthScalingConfig, _effects

    cfg = LengthScalingConfig(seeds=(0, 1, 2), ns=(4, 6, 8, 10))
    rows = _length_scaling_records(0.5)
    on, words_on = _effects(cfg, rows)
    off, words_off = _effects(cfg, rows, filtered=False)
    e_on, e_off = on[0], off[0]
    assert e_on["effect: mean per-seed slope difference per unit n"] == pytest.approx(0.55)
    assert e_on["points per seed"] == "0: 3, 1: 3, 2: 2" and e_on["seeds with < 3 points"] == "2"
    assert e_off["points per seed"] == "0: 4, 1: 4, 2: 4" and e_off["seeds with < 3 points"] == "none"
    # with the filter off the failed runs' zeros enter every seed's slope and pull it down
    assert e_off["effect: mean per-seed slope difference per unit n"] < e_on["effect: mean per-seed slope difference per unit n"]
    assert "verdict" in e_on and "word by the rule" in e_off
    assert len(words_on) == len(words_off) == 4


def test_random_function_generalization_measures_on_the_whole_cube():
    from empirical.experiments.random_function_generalization import RandomFunctionConfig

    assert RandomFunctionConfig(n=13).measure.eval_points >= 2**13
    with pytest.raises(BoolsensError, match=r"measure.eval_points=8192 must be >= 2\*\*n = 16384"):
        RandomFunctionConfig(n=14)
    assert RandomFunctionConfig(n=14, measure=Measurement(eval_points=2**14)).n == 14


@pytest.mark.parametrize("name, field", [("grokking", "train.steps"), ("synthetic-tokens", "train.steps"),
                                         ("spectral-dynamics", "train.steps"), ("length-scaling", "train.steps")])
def test_the_step_count_is_called_steps(name, field):
    cfg = apply_overrides(registry.get(name).config("smoke"), [f"{field}=3"])
    value = cfg
    for part in field.split("."):
        value = getattr(value, part)
    assert value == 3


#: the flat names the three Vasudeva et al. experiments had, and where each quantity lives now
MOVED = {
    "sequence-sensitivity": {"d_model": "model.d_model", "dropout": "model.dropout", "lr": "train.lr",
                             "epochs": "train.epochs", "sens_draws": "measure.draws",
                             "sens_samples": "measure.samples", "sigma2s": "measure.sigma2s"},
    "vision-sensitivity": {"patch": "model.patch", "channels": "model.channels", "lr_gamma": "train.lr_gamma",
                           "reg_p": "train.reg_p", "sens_sigmas": "measure.sigmas", "weight_draws": "measure.weight_draws",
                           "severities": "measure.severities"},
    "synthetic-tokens": {"d_model": "model.d_model", "init_scale": "model.init_scale", "steps": "train.steps",
                         "stop_loss": "train.stop_loss", "sens_draws": "measure.draws"},
}


@pytest.mark.parametrize("name", sorted(MOVED))
def test_model_train_and_measure_are_nested(name):
    """Model, training and measurement are frozen configs of their own in the experiment's config
    (``--set model.d_model=...``); the old flat names are refused, naming the fields there are."""
    cfg = registry.get(name).config("smoke")
    for part in ("model", "train", "measure"):
        assert dataclasses.is_dataclass(getattr(cfg, part)) and type(getattr(cfg, part)).__dataclass_params__.frozen
    for old, new in MOVED[name].items():
        head, _, leaf = new.partition(".")
        value = getattr(getattr(cfg, head), leaf)
        assert apply_overrides(cfg, [f"{new}={_text(value)}"]) == cfg      # the same value, under its new path
        with pytest.raises(BoolsensError, match=f"has no field '{old}'"):
            apply_overrides(cfg, [f"{old}={_text(value)}"])


def _text(value) -> str:
    return ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
