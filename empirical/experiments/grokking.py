"""Grokking on a + b mod p: does the sensitivity fall on the plateau, before test accuracy rises?

After Vasudeva et al. (2025), "Transformers Learn Low Sensitivity Functions: Investigations and
Implications", ICLR 2025 (§7: sensitivity "can serve as a progress measure for grokking"), on the
task of Nanda et al. (2023), "Progress measures for grokking via mechanistic interpretability",
ICLR 2023. Definition of the measure: ``docs/theory.md`` §5.6.

Setup, as Vasudeva et al.'s code (``language/sens_addition.py``): inputs "a b =", a one-layer
transformer **without residual connections** (embedding → attention → MLP → unembedding, no
LayerNorm, PyTorch's default initialisation; :mod:`empirical.models.modular`,
``architecture="vasudeva"``), AdamW with weight decay 1 and PyTorch's default betas, no warm-up,
full batch, cross-entropy over p + 1 logits. The sensitivity (``sens_abs``) is the fraction of
*training* examples whose argmax prediction changes when i.i.d. N(0, 0.1²) noise is added to the
summed embeddings of both operands, one draw, in evaluation mode, after the optimiser step. We
also log ``sens_rel`` (σ = 1 × the current RMS of the operand embeddings, noise as large as the
embeddings: blind to their shrinking under weight decay, which makes a fixed σ relatively larger)
and the ``parameter_norm``. The cpu preset is scaled down (p, training fraction, widths, learning rate,
logging interval: each deviation is in the report beside the paper's value); ``gpu`` is the
paper's scale.
"""

from __future__ import annotations

import dataclasses

import math
from dataclasses import dataclass, field

import numpy as np

from ..harness.checks import check_fields
from ..measure.operand import SensitivityProbe
from ..train.algorithmic import GROKKED, ModularAdditionSpec, train_modular
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, format_p, format_value, pyplot
from ..harness.rundir import RunDir
from ..harness.runtime import limit_cpu_threads
from ..analysis.stats import kaplan_meier_at_cap, mean_ci, paired_difference, verdict

CLAIM = ("Vasudeva et al.: on a + b mod p, the sensitivity of a one-layer transformer to noise on the "
         "operand embeddings falls while test accuracy is still flat, before grokking (a progress measure).")

#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)

#: floor of a window's mean sensitivity before taking logs
SENSITIVITY_FLOOR = 1e-4
#: equivalence margin of the log-ratio effect: |change| < 10 % counts as no change
MARGIN = math.log(1.1)


@dataclass(frozen=True, kw_only=True)
class GrokkingConfig(ExperimentConfig):
    """The seeds, the training of every seed's run, the sensitivity probe logged during it, how
    long to keep training after grokking, and the plateau rule (window length, rise threshold,
    minimum number of plateau windows)."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    train: ModularAdditionSpec = field(default_factory=lambda: ModularAdditionSpec(
        p=59, train_fraction=0.5, d_model=64, n_heads=4, d_mlp=256, architecture="vasudeva", lr=3e-3,
        betas=(0.9, 0.999), warmup_steps=0, weight_decay=1.0, steps=6000, log_every=10, checkpoint_every=500))
    sensitivity: SensitivityProbe = field(default_factory=lambda: SensitivityProbe(sigma_abs=0.1, sigma_rel=1.0,
                                                                                   draws=1))
    extra_after_grok: float = 0.15  # keep training this fraction of the grok epoch after grokking
    window_epochs: int = 200
    rise: float = 0.02
    min_plateau_windows: int = 4

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, counts=("window_epochs", "min_plateau_windows"), nonnegative=("extra_after_grok", "rise"))


PRESETS = {
    "smoke": GrokkingConfig(
        seeds=(0,), window_epochs=10, min_plateau_windows=1,
        train=ModularAdditionSpec(p=7, train_fraction=0.5, d_model=16, n_heads=2, d_mlp=32, architecture="vasudeva",
                                  betas=(0.9, 0.999), warmup_steps=0, steps=40, log_every=5, checkpoint_every=10)),
    "cpu": GrokkingConfig(),
    "gpu": GrokkingConfig(
        window_epochs=500,
        train=ModularAdditionSpec(p=113, train_fraction=0.3, d_model=128, n_heads=4, d_mlp=512, architecture="vasudeva",
                                  lr=1e-3, betas=(0.9, 0.999), warmup_steps=0, weight_decay=1.0, steps=20_000,
                                  log_every=1, checkpoint_every=1000)),
}
#: the paper's setting (Vasudeva et al., §6.3 and Figure 8; the authors' script): the ``gpu``
#: preset with the script's seeds 42-46. On a GPU, or overnight on a CPU (docs/experiments/grokking.md).
PRESETS["paper"] = dataclasses.replace(PRESETS["gpu"], seeds=(42, 43, 44, 45, 46))


def units(config: GrokkingConfig) -> list[dict]:
    """One unit per seed."""
    return [{"seed": s} for s in config.seeds]


def run_unit(config: GrokkingConfig, unit: dict, ctx) -> dict:
    """Train one seed's model, logging the sensitivity; stop a little after grokking."""
    limit_cpu_threads(ctx.device)
    return train_modular(config.train, unit["seed"], ctx, probe=config.sensitivity,
                         extra_after_grok=config.extra_after_grok)


# ----------------------------------------------------------------------------- the plateau rule
def windows(traj: list[dict], *, start: int, window_epochs: int) -> list[list[dict]]:
    """The logged records from epoch ``start`` on, cut into consecutive windows of
    ``window_epochs`` epochs ([start, start + w), [start + w, start + 2w), ...).

    >>> recs = [{"step": s} for s in range(10, 101, 10)]
    >>> [[r["step"] for r in w] for w in windows(recs, start=30, window_epochs=30)]
    [[30, 40, 50], [60, 70, 80], [90, 100]]
    """
    out: list[list[dict]] = []
    for r in traj:
        if r["step"] < start:
            continue
        i = (r["step"] - start) // window_epochs
        while len(out) <= i:
            out.append([])
        out[i].append(r)
    return [w for w in out if w]


def _rise(win: list[dict], window_epochs: int) -> float:
    """Least-squares slope of test accuracy against the epoch in a window, times its length."""
    if len(win) < 2:
        return 0.0
    x = np.array([r["step"] for r in win], dtype=float)
    y = np.array([r["test_acc"] for r in win], dtype=float)
    return float(np.polyfit(x, y, 1)[0] * window_epochs)


def plateau(traj: list[dict], *, window_epochs: int, rise: float) -> dict:
    """t_mem, t_onset and the plateau windows of one run (the rule in the module docstring).

    Returns ``{"t_mem", "t_onset", "windows"}`` (``windows``: the plateau's, each a list of
    records); t_onset is None when test accuracy never rises, t_mem when it never memorises.

    >>> flat = [{"step": s, "train_acc": 1.0, "test_acc": 0.3} for s in range(10, 410, 10)]
    >>> up = [{"step": s, "train_acc": 1.0, "test_acc": 0.3 + (s - 400) / 200} for s in range(410, 540, 10)]
    >>> p = plateau(flat + up, window_epochs=100, rise=0.02)
    >>> p["t_mem"], p["t_onset"], len(p["windows"])
    (10, 410, 4)
    """
    mem = next((r for r in traj if r["train_acc"] >= 0.99), None)
    if mem is None:
        return {"t_mem": None, "t_onset": None, "windows": []}
    wins = windows(traj, start=mem["step"], window_epochs=window_epochs)
    best = -math.inf
    for i, w in enumerate(wins):
        if i > 0 and _rise(w, window_epochs) > rise and w[-1]["test_acc"] > best + rise:
            return {"t_mem": mem["step"], "t_onset": w[0]["step"], "windows": wins[:i]}
        best = max(best, max(r["test_acc"] for r in w))
    return {"t_mem": mem["step"], "t_onset": None, "windows": wins}


def _window_mean(win: list[dict], key: str) -> float:
    return float(np.mean([r[key] for r in win]))


def plateau_measures(traj: list[dict], grok_epoch: int | None, config: GrokkingConfig) -> dict:
    """One seed's plateau and the start/mid/end window means of every logged measure."""
    pl = plateau(traj, window_epochs=config.window_epochs, rise=config.rise)
    wins = pl["windows"]
    out = {"t_mem": pl["t_mem"], "t_onset": pl["t_onset"], "plateau_windows": len(wins), "grok_epoch": grok_epoch}
    ok = grok_epoch is not None and pl["t_onset"] is not None and len(wins) >= config.min_plateau_windows
    out["enters"] = bool(ok)
    out["why_not"] = ("" if ok else "did not grok" if grok_epoch is None else
                      "test accuracy never rose after memorisation" if pl["t_onset"] is None else
                      f"plateau of {len(wins)} < {config.min_plateau_windows} windows")
    if not wins:
        return out
    first, mid, last = wins[0], wins[len(wins) // 2], wins[-1]
    out["t_mid"] = mid[0]["step"]
    for key in ("sens_abs", "sens_rel", "parameter_norm", "test_acc"):
        if key in first[0]:
            out[f"{key}_start"] = _window_mean(first, key)
            out[f"{key}_mid"] = _window_mean(mid, key)
            out[f"{key}_end"] = _window_mean(last, key)
    return out


def _log(v: float) -> float:
    return math.log(max(v, SENSITIVITY_FLOOR))


def effects(rows: list[dict], *, filtered: bool = True) -> list[dict]:
    """The paired log-ratio statistics over the seeds that enter (late plateau: end vs mid;
    whole plateau: end vs start) for each measure; with ``filtered=False`` over every seed with a
    computable plateau (it memorised), whether or not it grokked or its plateau was long enough."""
    ok = [r for r in rows if (r["enters"] if filtered else "sens_abs_end" in r)]
    out = []
    for key in ("sens_abs", "sens_rel", "parameter_norm"):
        for span, a, b in (("late plateau (end vs mid)", "end", "mid"), ("whole plateau (end vs start)", "end", "start")):
            if len(ok) < 2 or f"{key}_{a}" not in ok[0]:
                continue
            d = paired_difference([_log(r[f"{key}_{a}"]) for r in ok], [_log(r[f"{key}_{b}"]) for r in ok])
            out.append({"measure": key, "span": span, "seeds": d["n"], "mean log ratio": d["effect"],
                        "ci_low": d["ci_low"], "ci_high": d["ci_high"], "p (paired t)": d.get("p"),
                        "change": math.expm1(d["effect"]),
                        "change CI": f"[{math.expm1(d['ci_low']):+.0%}, {math.expm1(d['ci_high']):+.0%}]"
                        if math.isfinite(d["ci_low"]) else "n/a"})
    return out


def time_to_grok(rows: list[dict], cap: int) -> dict:
    """Epochs to grok as right-censored times: a seed that grokked at epoch T is an event at T, one
    that never did is censored at the cap C (``train.steps``), the last epoch it was watched.
    The Kaplan–Meier estimate (:func:`empirical.analysis.stats.kaplan_meier_at_cap`) and its median,
    ``None`` when fewer than half the seeds grokked ("not reached").

    >>> r = time_to_grok([{"grok_epoch": 100}, {"grok_epoch": None}, {"grok_epoch": 300}], cap=500)
    >>> r["median"], r["events"], r["censored"]
    (300.0, 2, 1)
    """
    km = kaplan_meier_at_cap([r["grok_epoch"] for r in rows], cap)
    return {**km, "median text": format_value(km["median"]) if km["median_reached"] else f"not reached (by the cap {cap})"}


# ----------------------------------------------------------------------------- figures
def _figure_runs(run_dir: RunDir, trajs: dict[int, list[dict]], rows: dict[int, dict], probe) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    for seed, traj in trajs.items():
        steps = [r["step"] for r in traj]
        line = ax[0, 0].plot(steps, [r["test_acc"] for r in traj], label=f"seed {seed}")[0]
        c = line.get_color()
        ax[0, 0].plot(steps, [r["train_acc"] for r in traj], color=c, ls=":", alpha=0.6)
        ax[0, 1].plot(steps, [r["sens_abs"] for r in traj], color=c, alpha=0.8)
        if "sens_rel" in traj[0]:
            ax[1, 0].plot(steps, [r["sens_rel"] for r in traj], color=c, alpha=0.8)
        ax[1, 1].plot(steps, [r["parameter_norm"] for r in traj], color=c)
        r = rows[seed]
        for a in ax.flat:
            if r.get("t_mem") is not None and r.get("t_onset") is not None:
                a.axvspan(r["t_mem"], r["t_onset"], color=c, alpha=0.06)
            if r.get("t_mid") is not None and r.get("t_onset") is not None:
                a.axvline(r["t_mid"], color=c, ls="--", lw=0.8)
                a.axvline(r["t_onset"], color=c, ls="-", lw=0.8)
    ax[0, 0].set_title("accuracy (solid: test, dotted: train)")
    ax[0, 0].legend(fontsize=7)
    ax[0, 1].set_title(f"sens_abs: N(0, σ²) on operand embeddings, σ = {probe.sigma_abs} (train set)")
    ax[1, 0].set_title(f"sens_rel: σ = {probe.sigma_rel} × RMS of operand embeddings")
    ax[1, 1].set_title("parameter norm")
    for a in ax[1]:
        a.set_xlabel("epoch")
    fig.suptitle("grokking: shaded = plateau (t_mem to onset); dashed = plateau midpoint; solid = onset")
    return run_dir.save_figure(fig, "grokking_runs").name


def _figure_plateau(run_dir: RunDir, trajs: dict[int, list[dict]], rows: dict[int, dict]) -> str:
    """Every measure against plateau time (0 = t_mem, 1 = onset), relative to its value at the
    midpoint, with the mean over seeds that enter and its 95 % t interval on a common grid."""
    plt = pyplot()
    keys = [k for k in ("sens_abs", "sens_rel", "parameter_norm", "test_acc") if trajs and k in next(iter(trajs.values()))[0]]
    fig, axes = plt.subplots(1, len(keys), figsize=(4 * len(keys), 3.4))
    grid = np.linspace(0, 1.2, 49)
    for ax, key in zip(np.atleast_1d(axes), keys):
        curves = []
        for seed, traj in trajs.items():
            r = rows[seed]
            if not r["enters"]:
                continue
            t0, t1 = r["t_mem"], r["t_onset"]
            x = np.array([(q["step"] - t0) / (t1 - t0) for q in traj])
            y = np.array([q[key] for q in traj], dtype=float)
            ref = r.get(f"{key}_mid") or 1.0
            y = y - ref if key == "test_acc" else y / max(ref, SENSITIVITY_FLOOR)
            ax.plot(x, y, alpha=0.25)
            curves.append(np.interp(grid, x, y))
        if len(curves) >= 2:
            cs = np.array(curves)
            stats = [mean_ci(cs[:, j]) for j in range(len(grid))]
            ax.plot(grid, [s["mean"] for s in stats], color="k", label="mean over seeds")
            ax.fill_between(grid, [s["ci_low"] for s in stats], [s["ci_high"] for s in stats], color="k", alpha=0.15,
                            label="95% CI")
        ax.axvline(0.5, ls="--", color="gray")
        ax.axvline(1.0, color="gray")
        ax.set_xlim(0, 1.2)
        ax.set_title(key + (" − value at midpoint" if key == "test_acc" else " / value at midpoint"), fontsize=9)
        ax.set_xlabel("plateau time (0: t_mem, 1: onset)")
    np.atleast_1d(axes)[0].legend(fontsize=7)
    return run_dir.save_figure(fig, "grokking_plateau").name


def _figure_time_to_grok(run_dir: RunDir, km: dict) -> str:
    """The Kaplan–Meier curve of epochs to grok (censored at the cap, marked +)."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(5, 3.4))
    ax.step([0.0] + km["times"], [1.0] + km["survival"], where="post", color="k")
    if km["censored"]:
        ax.plot([km["cap"]], [km["survival"][-1]], "k+", markersize=10, label=f"censored at the cap ({km['censored']})")
        ax.legend(fontsize=7)
    ax.axhline(0.5, ls=":", color="gray")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("epoch")
    ax.set_ylabel("fraction of seeds not yet grokked")
    ax.set_title(f"Kaplan–Meier, epochs to grok: median {km['median text']}", fontsize=9)
    return run_dir.save_figure(fig, "grokking_time_to_grok").name


# ----------------------------------------------------------------------------- analysis
def _report_fields(config: GrokkingConfig) -> dict:
    """The values the report template (``reports/grokking.md``) shows."""
    t, s = config.train, config.sensitivity
    return {"p": format_value(t.p), "train_fraction": format_value(t.train_fraction),
            "architecture": repr(t.architecture),
            "architecture_note": "" if t.architecture == "vasudeva" else "not the paper's model",
            "d_model": t.d_model, "n_heads": t.n_heads, "d_mlp": t.d_mlp, "optimizer": t.optimizer,
            "betas": tuple(t.betas), "weight_decay": t.weight_decay, "warmup_steps": t.warmup_steps,
            "lr": format_value(t.lr), "steps": t.steps, "seeds": ", ".join(map(str, config.seeds)),
            "sigma_abs": s.sigma_abs, "draws": s.draws, "log_every": t.log_every,
            "window_epochs": config.window_epochs, "rise": config.rise, "grokked": GROKKED,
            "min_plateau_windows": config.min_plateau_windows, "floor": SENSITIVITY_FLOOR}


def analyze(config: GrokkingConfig, results: list, run_dir: RunDir) -> dict:
    """The plateau rule per seed, the paired log-ratio statistics, the verdict, report, figures.

    Rules, fixed in this code before the cpu run (one pilot run, seed 0, at p = 59 was used to
    choose the scale at which the model groks within the CPU budget):

    * **memorisation** t_mem: the first logged epoch with train accuracy >= 0.99;
    * from t_mem on, the logged records are cut into consecutive **windows** of ``window_epochs``
      epochs; in each, the least-squares slope of test accuracy against the epoch, times the window
      length, is its *rise*;
    * **onset** t_onset: the start of the first window whose rise exceeds ``rise`` (0.02) *and* whose
      last test accuracy exceeds the highest test accuracy seen since t_mem by ``rise`` (so the
      recovery from a loss spike is not an onset). The **plateau** is the windows from t_mem up to
      t_onset: windows in which test accuracy did not rise (its slope is about 0 or negative);
    * a seed **enters the statistic** if it groks (test accuracy >= 0.95) and its plateau spans at
      least ``min_plateau_windows`` (4) windows; the others are reported and left out;
    * per seed, S_start, S_mid and S_end are the mean sensitivity over the plateau's first window,
      the window at its midpoint (index ⌊k/2⌋ of k) and its last window (floored at 1e-4);
    * **effect**: the late-plateau change log(S_end / S_mid), over seeds: the paired difference of
      log S_end and log S_mid, its 95 % t interval and the paired t-test
      (:func:`empirical.analysis.stats.paired_difference`). Predicted direction: < 0 (sensitivity falls
      while test accuracy is flat). Equivalence margin ±log 1.1 (a change under 10 % counts as
      none). Verdict by :func:`empirical.analysis.stats.verdict`; fewer than 3 seeds entering: inconclusive.

    The same statistic is reported, without a verdict, for the whole plateau (S_end / S_start), for
    ``sens_rel`` and for the ``parameter_norm`` (which weight decay shrinks on any plateau, so a
    falling sensitivity is only informative beside it).

    **Amended 2026-12-07: censored times** (after the committed exploratory cpu run, whose rule is
    the one above, quoted as it stood: "a seed **enters the statistic** if it groks (test accuracy
    >= 0.95) and its plateau spans at least ``min_plateau_windows`` (4) windows; the others are
    reported and left out"). Epochs to grok are right-censored: a seed that never grokked is known
    only to take longer than the cap C (``train.steps``). They are now summarised as time-to-event
    data, censored at C: the Kaplan–Meier estimate and its median ("not reached" when fewer than
    half the seeds grokked; :func:`time_to_grok`), with a figure of the curve. This experiment
    has one condition, so no epochs-to-grok are compared between conditions and no log-rank test
    is made; the verdict still rests on the sensitivity ratio above, which compares no times, and
    its rule is unchanged. Beside it the same statistics are reported with the filter off (every
    seed with a computable plateau: it memorised, whether or not it grokked or its plateau had 4
    windows), with the word the same rule would give.
    """
    trajs, rows = {}, {}
    for res in sorted(results, key=lambda r: r.unit.params["seed"]):
        seed = res.unit.params["seed"]
        traj = sorted((r for r in run_dir.read_metrics(res.unit.key) if "test_acc" in r), key=lambda r: r["step"])
        trajs[seed] = traj
        rows[seed] = {"seed": seed, "epochs_run": res.record["epochs_run"],
                      **plateau_measures(traj, res.record["grok_epoch"], config)}
    table = effects(list(rows.values()))
    primary = next((e for e in table if e["measure"] == "sens_abs" and e["span"].startswith("late")), None)
    entering = sum(r["enters"] for r in rows.values())
    if primary is None or entering < 3:
        word = "inconclusive"
        detail = f"only {entering} seed(s) grokked with a plateau of >= {config.min_plateau_windows} windows"
    else:
        word = verdict(primary["ci_low"], primary["ci_high"], direction=-1, margin=MARGIN)
        detail = (f"over the late plateau (midpoint to onset) sens_abs changed by {primary['change']:+.0%} "
                  f"(mean log ratio {primary['mean log ratio']:.3f}, 95% CI [{primary['ci_low']:.3f}, "
                  f"{primary['ci_high']:.3f}], paired t-test p = {format_p(primary['p (paired t)'], '.3g')}, {entering} seeds)")
    whole = next((e for e in table if e["measure"] == "sens_abs" and e["span"].startswith("whole")), None)
    if whole is not None and primary is not None:
        detail += (f"; over the whole plateau (t_mem to onset) it changed by {whole['change']:+.0%} "
                   f"(95% CI {whole['change CI']}, p = {format_p(whole['p (paired t)'], '.3g')})")
    pn = next((e for e in table if e["measure"] == "parameter_norm" and e["span"].startswith("late")), None)
    if pn is not None and primary is not None:
        detail += f"; the parameter norm changed by {pn['change']:+.0%} over the late plateau"
    table_off = effects(list(rows.values()), filtered=False)
    primary_off = next((e for e in table_off if e["measure"] == "sens_abs" and e["span"].startswith("late")), None)
    with_plateau = sum("sens_abs_end" in r for r in rows.values())
    if primary_off is None or with_plateau < 3:
        word_off = "inconclusive"
        detail += f". Without the filter: only {with_plateau} seed(s) have a plateau (inconclusive by the rule)"
    else:
        word_off = verdict(primary_off["ci_low"], primary_off["ci_high"], direction=-1, margin=MARGIN)
        detail += (f". Without the filter ({with_plateau} seeds with a plateau): sens_abs changed by "
                   f"{primary_off['change']:+.0%} over the late plateau (95% CI {primary_off['change CI']}, "
                   f"p = {format_p(primary_off['p (paired t)'], '.3g')}), {word_off} by the same rule")
    km = time_to_grok(list(rows.values()), config.train.steps) if rows else None
    if km is not None:
        detail += (f". Epochs to grok (Kaplan–Meier, censored at the cap {config.train.steps}): median "
                   f"{km['median text']}, {km['events']} of {km['n']} seeds grokked")
    figures = [_figure_runs(run_dir, trajs, rows, config.sensitivity)] if trajs else []
    if entering >= 1:
        figures.append(_figure_plateau(run_dir, trajs, rows))
    if km is not None:
        figures.append(_figure_time_to_grok(run_dir, km))
    per_seed = [{k: v for k, v in r.items()} for r in rows.values()]
    fields = _report_fields(config)
    km_table = [{"seeds": km["n"], "grokked (events)": km["events"], "censored at the cap": km["censored"],
                 "cap (epochs)": km["cap"], "Kaplan–Meier median": km["median text"]}] if km else "no runs"
    run_dir.write_report(
        CLAIM,
        {"paper setup and ours": REPORT.rows("setup", **fields),
         "effects over seeds (log ratio of window means; paired t)": table or "none (fewer than 2 seeds entered)",
         "effects without the filter (every seed with a plateau; paired t; not the verdict)":
             table_off or "none (fewer than 2 seeds with a plateau)",
         "epochs to grok (time to event, censored at the cap; Kaplan–Meier)": km_table,
         "per seed (plateau rule and window means)": per_seed},
        f"{word}: {detail}",
        title="grokking", figures=figures,
        notes=REPORT.bullets("notes", **fields))
    return {"verdict": f"{word}: {detail}", "effects": table, "seeds_entering": entering,
            "verdict_without_filter": word_off, "effects_without_filter": table_off,
            "seeds_with_plateau": with_plateau,
            "time_to_grok": None if km is None else {k: km[k] for k in ("n", "events", "censored", "cap", "median",
                                                                        "median_reached", "times", "survival")}}


register("grokking", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze)
