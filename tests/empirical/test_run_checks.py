"""Bad settings are refused up front: every field set by ``--set`` or ``--grid`` passes the same
checks as a preset (each experiment config's ``__post_init__``) before anything is written, in one
line naming the option, exit status 2, no run folder; an unreachable Ray address fails within
seconds; a full disk stops the run at once; ``--analyze`` of a missing folder creates nothing."""

from __future__ import annotations

import errno
import time

import pytest

pytest.importorskip("torch")

from boolsens import BoolsensError, storage  # noqa: E402
from empirical.harness import registry  # noqa: E402
from empirical.harness.cli import main as experiment_main  # noqa: E402
from empirical.harness.plan import apply_overrides, grid_points, plan_units  # noqa: E402

#: (experiment, --set assignment, words of the message) -- at least one per experiment
BAD_SETTINGS = [
    ("grokking", "window_epochs=-5", "window_epochs=-5 must be an integer >= 1"),
    ("grokking", "window_epochs=0", "window_epochs=0 must be an integer >= 1"),
    ("grokking", "min_plateau_windows=-3", "min_plateau_windows=-3 must be"),
    ("grokking", "extra_after_grok=-1", "extra_after_grok=-1.0 must be a finite number >= 0"),
    ("grokking", "train.lr=-1", "lr=-1.0 must be a finite number > 0"),
    ("grokking", "train.p=1", "p=1 must be an integer >= 2"),
    ("grokking", "train.train_fraction=2", "train_fraction=2.0 must lie in (0, 1)"),
    ("grokking", "train.n_heads=3", "multiple of n_heads=3"),
    ("grokking", "sensitivity.draws=0", "draws=0 must be an integer >= 1"),
    ("length-scaling", "tasks=nosuch", "name='nosuch' must be one of"),
    ("length-scaling", "ns=0,3", "ns[0]=0 must be an integer >= 1"),
    ("length-scaling", "tasks=mixed-degree", "mixed-degree needs n >= 7"),
    ("length-scaling", "train.lr=0", "lr=0.0 must be a finite number > 0"),
    ("length-scaling", "measure.epsilon=-0.1", "epsilon=-0.1 must be"),
    ("noise-stability-regularizer", "ours=-1,0.5", "gamma=-1.0 must be >= 0"),
    ("noise-stability-regularizer", "sgd_momentum=1", "sgd_momentum=1.0 must lie in [0, 1)"),
    ("noise-stability-regularizer", "parity.k=50", "k=50 must be at most n="),
    ("noise-stability-regularizer", "parity.label_noise=-0.1", "label_noise=-0.1 must lie in [0, 1)"),
    ("noise-stability-regularizer", "parity.architecture=cnn", "architecture='cnn' must be one of 'mlp', 'transformer'"),
    ("noise-stability-regularizer", "parity.n_heads=3", "d_model=8 must be a multiple of n_heads=3"),
    ("random-function-generalization", "completions=0", "completions=0 must be"),
    ("random-function-generalization", "fit.steps=-1", "steps=-1 must be"),
    ("random-init-sensitivity", "d_model=9", "d_model=9 must be a multiple of gaussian_n_heads=2"),
    ("random-init-sensitivity", "gaussian_lstm_d_embed=0", "gaussian_lstm_d_embed=0 must be"),
    ("sequence-sensitivity", "L_min=30", "L_min=30 must be at most L_max="),
    ("sequence-sensitivity", "model.dropout=1", "dropout=1.0 must lie in [0, 1)"),
    ("sequence-sensitivity", "model.n_heads=3", "d_model=8 must be a multiple of n_heads=3"),
    ("sequence-sensitivity", "measure.sigma2s=0,1", "sigma2s[0]=0.0 must be a finite number > 0"),
    ("sequence-sensitivity", "models=rnn", "models[0]='rnn' must be one of"),
    ("sequence-sensitivity", "measure.sigma2s=1,4", "reference_sigma2=15.0 must be one of sigma2s"),
    ("spectral-dynamics", "threshold=1", "threshold=1.0 must lie in (0, 1)"),
    ("spectral-dynamics", "train.init=sideways", "init='sideways' must be one of"),
    ("synthetic-tokens", "regimes=[[3,5,1,16,946,3]]", "must be <= T=3"),
    ("synthetic-tokens", "train.stop_loss=-1", "stop_loss=-1.0 must be"),
    ("synthetic-tokens", "model.init_scale=0", "init_scale=0.0 must be a finite number > 0"),
    ("synthetic-tokens", "measure.draws=0", "draws=0 must be an integer >= 1"),
    ("vision-sensitivity", "measure.severities=0", "severities[0]=0 must be one of"),
    ("vision-sensitivity", "train.lr_gamma=0", "lr_gamma=0.0 must lie in (0, 1]"),
    ("vision-sensitivity", "model.patch=3", "patch=3 must divide the image side 8"),
    ("vision-sensitivity", "model.n_heads=3", "d_model=16 must be a multiple of n_heads=3"),
    ("vision-sensitivity", "variants=vit,nosuch", "variants[1]='nosuch' must be one of"),
    ("word-sensitivity", "ns=8", "must be at least two distinct lengths"),
    ("word-sensitivity", "d=0", "d=0 must be an integer >= 1"),
    ("word-sensitivity", "kinds=nosuch", "must be a non-empty subset of ('rf', 'raf')"),
    ("word-sensitivity", "ws_floor=-1", "ws_floor=-1.0 must be a finite number > 0"),
]


@pytest.mark.parametrize("name,assignment,message", BAD_SETTINGS,
                         ids=[f"{n}:{a}" for n, a, _ in BAD_SETTINGS])
def test_a_bad_set_is_refused_as_a_preset_would_be(name, assignment, message):
    cfg = registry.get(name).config("smoke")
    with pytest.raises(BoolsensError, match="^--set ") as info:
        apply_overrides(cfg, [assignment])
    assert message in str(info.value) and assignment in str(info.value)
    field, _, value = assignment.partition("=")
    if "," not in value:  # the same value as a --grid point is refused too, naming --grid
        with pytest.raises(BoolsensError, match="^--grid "):
            grid_points(cfg, [f"{field}={value}"])


def test_every_experiment_config_checks_its_fields():
    """Each of the unit experiments has at least one refused setting in the table above."""
    names = set(registry.names())
    assert names == {n for n, _, _ in BAD_SETTINGS}


def test_settings_are_checked_together_not_one_at_a_time():
    """Raising L_min and L_max at once is fine, though L_min alone would pass L_max."""
    cfg = registry.get("sequence-sensitivity").config("smoke")
    assert apply_overrides(cfg, ["L_min=30", "L_max=40"]).L_min == 30
    with pytest.raises(BoolsensError, match="--set L_min=50 L_max=40: L_min=50 must be at most L_max=40"):
        apply_overrides(cfg, ["L_min=50", "L_max=40"])


def test_a_value_twice_in_a_grid_or_a_list_is_one_line():
    exp = registry.get("grokking")
    with pytest.raises(BoolsensError, match="lists 10 twice"):
        grid_points(exp.config("smoke"), ["window_epochs=10,10"])
    ls = registry.get("length-scaling")
    with pytest.raises(BoolsensError, match="two units with the same settings"):
        plan_units(ls, apply_overrides(ls.config("smoke"), ["ns=3,3"]), [{}])


CLI_CASES = [
    (["grokking", "--set", "window_epochs=-5"], "--set window_epochs=-5: window_epochs=-5 must be"),
    (["grokking", "--set", "train.p=1"], "--set train.p=1: p=1 must be"),
    (["length-scaling", "--set", "tasks=nosuch"], "--set tasks=nosuch:"),
    (["grokking", "--grid", "window_epochs=10,10"], "--grid 'window_epochs=10,10' lists 10 twice"),
    (["grokking", "--grid", "window_epochs=10,0"], "--grid window_epochs=0: window_epochs=0 must be"),
    (["length-scaling", "--backend", "ray", "--ray-address", "127.0.0.1:1"], "nothing answers there"),
    (["length-scaling", "--backend", "ray", "--ray-address", "nohost"], "must look like HOST:PORT"),
]


@pytest.mark.parametrize("argv,message", CLI_CASES, ids=[" ".join(a[1:]) for a, _ in CLI_CASES])
def test_bad_settings_fail_before_anything_is_written(argv, message, tmp_path, capsys):
    if "ray" in argv:
        pytest.importorskip("ray")
    out = tmp_path / "run"
    t0 = time.perf_counter()
    assert experiment_main([*argv, "--preset", "smoke", "--out", str(out), "--quiet"]) == 2
    assert time.perf_counter() - t0 < 30
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err and "Traceback" not in err, err
    assert not out.exists()


def test_analyze_of_a_missing_folder_creates_nothing(tmp_path, capsys):
    out = tmp_path / "nothing-here"
    assert experiment_main(["length-scaling", "--out", str(out), "--analyze"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "does not exist" in err and not out.exists()


def test_a_full_disk_stops_the_run_at_once(tmp_path, capsys):
    """ENOSPC on the first checkpoint of the first unit: exit 2, one line naming the file and
    the cause, no other unit attempted, nothing recorded as finished."""
    writes: list[str] = []

    def full(stage, path):
        writes.append(str(path))
        if stage == "written" and "checkpoints" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "full"
    storage.fault_hook = full
    try:
        code = experiment_main(["length-scaling", "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"])
    finally:
        storage.fault_hook = None
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "No space left on device" in err[1] and "checkpoints" in err[1], err  # banner + error
    assert "run the same command again" in err[1]
    ckpts = {w for w in writes if "checkpoints" in w}
    assert len(ckpts) == 1 and not list((out / "units").glob("*.json"))


# ----------------------------------------------------------------------------- seeds
def test_seeds_name_seeds_and_n_seeds_counts():
    from empirical.harness.cli import _plan, _saved_seeds

    exp = registry.get("length-scaling")
    first = exp.config("smoke").seeds[0]

    def seeds(s, k):
        return sorted({u.params["seed"] for u in _plan(exp, "smoke", [], [], s, k)[2]})

    assert seeds("0", None) == [0] and seeds("5", None) == [5]          # a bare integer is a seed
    assert seeds("3,5,8", None) == [3, 5, 8] and seeds("0-2", None) == [0, 1, 2]
    assert seeds(None, 3) == [first, first + 1, first + 2]              # a count is --n-seeds
    with pytest.raises(BoolsensError, match="both given"):
        _plan(exp, "smoke", [], [], "5", 2)
    # a folder written before --n-seeds existed: its bare "--seeds 5" meant five seeds
    assert _saved_seeds({"seeds": "5"}) == (None, 5)
    assert _saved_seeds({"seeds": "5", "n_seeds": None}) == ("5", None)
    assert _saved_seeds({"seeds": None, "n_seeds": 2}) == (None, 2)
