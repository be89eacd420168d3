"""length-scaling, after Michael Hahn and Mark Rofin, "Why are Sensitive Functions Hard for
Transformers?", Proceedings of ACL 2024 (Volume 1: Long Papers), arXiv:2402.09963; code
``lacoco-lab/sensitivity-hardness``.

Claim: transformers trained to fit PARITY end up in sharper minima, with a larger layer-norm
blowup × parameter norm, the longer the input; for MAJORITY and FIRST these stay flat.

Setup, as theirs (``empirical.train.hahn_rofin``): bit tokens, token ++ positional embedding, a post-LN
2-layer 2-head encoder with MLP width = model width, PyTorch's default initialisation, readout at
the last position, MSE on {0,1} labels, AdamW (weight decay 0.1), fresh uniform batches every
step, a **fixed number of steps** (no stop at convergence); then, on the final weights: the
loss sharpness (Δ ~ N(0, 0.02² I) on every non-positional parameter, averaged over batches with
fresh seeded directions per batch; reported ×4, the ±1 scale of their figures), the LN blowup,
the parameter norm. A run is kept only if its final eval MSE is below 0.001 (theirs too).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from ..harness.checks import check_fields
from ..data.tasks import make_target, uniform_batches
from ..harness.plan import derive_seed
from ..measure.hahn_rofin import Measurement, eval_points, measure
from ..train.hahn_rofin import fit_fixed_steps, fit_fixed_steps_batched
from ..train.recipe import Recipe, make_model
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, format_p, pyplot
from ..harness.rundir import RunDir
from ..analysis.stats import combine, fit_line, holm_rows, paired_difference, sample_sd, slope_ci, verdict

#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)

CLAIM = ("Hahn & Rofin: after training, PARITY's loss sharpness and its LN blowup x parameter norm grow "
         "with the input length n faster than MAJORITY's and FIRST's, which stay flat.")

#: the measures the verdict is about, and their labels
MEASURES = {"loss_sharpness_pm1": "loss sharpness (x4, ±1 scale)", "blowup_x_norm": "LN blowup x parameter norm"}


@dataclass(frozen=True, kw_only=True)
class LengthScalingConfig(ExperimentConfig):
    tasks: tuple[str, ...] = ("parity", "majority", "first")
    ns: tuple[int, ...] = (4, 6, 8, 10)
    sparse_k: int = 3                 # only for a "sparse-parity" task given with --set tasks=...
    train: Recipe = field(default_factory=Recipe)
    measure: Measurement = field(default_factory=Measurement)   # the end-of-training measurements

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, counts=("ns", "sparse_k"))   # train and measure check their own fields
        for task in self.tasks:  # every task at every n, as the units will build it
            for n in self.ns:
                if task != "random" or n > 24:  # (a random table of 2**n signs is only drawn in its unit)
                    make_target(task, n, k=self.sparse_k, seed=0)


PRESETS = {
    "smoke": LengthScalingConfig(tasks=("parity", "first"), ns=(3, 4),
                                 measure=Measurement(draws=2, batches=2, batch_size=64, eval_points=64),
                                 train=Recipe(d_model=8, n_heads=1, d_mlp=8, batch_size=16, steps=6, log_every=3,
                                              checkpoint_every=2, track_draws=2)),
    # a faithful scale-down: d_model 32 (theirs 128), batch 256 (1024), lr 1e-3 (3e-4), 3000 steps (10k),
    # n = 4..10 (4..30), 10 measurements of 10 fresh directions on the whole cube (1000 batches); 5 seeds (10):
    # the verdict's t interval over per-seed slopes has seeds - 1 degrees of freedom (3 seeds left it at t = 4.3)
    "cpu": LengthScalingConfig(ns=(4, 6, 8, 10), seeds=5, measure=Measurement(batches=10),
                               train=Recipe(d_model=32, d_mlp=32, batch_size=256, lr=1e-3, steps=3000,
                                            log_every=100, checkpoint_every=500)),
    # their scale: d 128, batch 1024, lr 3e-4, 10k steps, n = 4..30, 10 seeds, 1000 batches of 1024
    "gpu": LengthScalingConfig(ns=tuple(range(4, 31)), seeds=10, measure=Measurement(batches=1000),
                               train=Recipe(d_model=128, d_mlp=128, batch_size=1024, lr=3e-4, steps=10_000,
                                            log_every=100, checkpoint_every=1000)),
}


def units(config: LengthScalingConfig) -> list[dict]:
    """One unit per (task, n, seed)."""
    return [{"task": t, "n": n, "seed": s} for t in config.tasks for n in config.ns for s in config.seeds]


def run_unit(config: LengthScalingConfig, unit: dict, ctx) -> dict:
    """Train one transformer on ``unit["task"]`` at length ``unit["n"]`` for the fixed number of
    steps and measure its final weights. The initialisation, the input stream and the probe points
    depend on (n, seed) only (:func:`empirical.harness.plan.derive_seed` of the seed, n and their
    purpose), so runs of different tasks at the same (n, seed) pair."""
    task_name, n, seed = unit["task"], unit["n"], unit["seed"]
    device = ctx.device
    target = make_target(task_name, n, k=min(config.sparse_k, n), seed=derive_seed(seed, "target"))
    model = make_model(n, config.train, derive_seed(seed, "init", n), device)
    generator = torch.Generator().manual_seed(derive_seed(seed, "batches", n))
    m = config.measure
    probe = eval_points(target, Measurement(eval_points=min(m.eval_points, 1024)), derive_seed(seed, "probe", n),
                        device)
    result = fit_fixed_steps(model, uniform_batches(target, config.train.batch_size, generator, device), generator,
                             config.train, ctx=ctx, probe=probe, seed=derive_seed(seed, "track", task_name, n))
    measured = measure(model, target, m, seed=derive_seed(seed, "measure", task_name, n), device=device)
    # their Fig. 3 convergence step: the first logged step with loss < 0.01 (here the probe MSE)
    converged = [r["step"] for r in ctx.history if r.get("probe_mse", 1.0) < 0.01]
    return {"task": task_name, "target": target.name, "n": n, "seed": seed, "steps": result.steps,
            **measured, "convergence_step": converged[0] if converged else None,
            "train_seconds": result.seconds}


def run_units_batched(config: LengthScalingConfig, units_: list[dict], ctxs: list) -> list[dict]:
    """:func:`run_unit` for units that differ only in their seed, trained at once (on a GPU:
    ``--batch-seeds``); the same records up to float rounding."""
    task_name, n = units_[0]["task"], units_[0]["n"]
    device = ctxs[0].device
    seeds = [u["seed"] for u in units_]
    targets = [make_target(task_name, n, k=min(config.sparse_k, n), seed=derive_seed(s, "target")) for s in seeds]
    target = targets[0]
    if any(t.name != target.name for t in targets):
        return [run_unit(config, u, c) for u, c in zip(units_, ctxs)]   # seed-dependent targets: one at a time
    models = [make_model(n, config.train, derive_seed(s, "init", n), device) for s in seeds]
    generators = [torch.Generator().manual_seed(derive_seed(s, "batches", n)) for s in seeds]
    m = config.measure
    probes = [eval_points(target, Measurement(eval_points=min(m.eval_points, 1024)), derive_seed(s, "probe", n),
                          device) for s in seeds]
    seconds = fit_fixed_steps_batched(models, [uniform_batches(target, config.train.batch_size, g, device)
                                               for g in generators], config.train, ctxs=ctxs, probes=probes,
                                      seeds=[derive_seed(s, "track", task_name, n) for s in seeds])
    out = []
    for model, s, ctx in zip(models, seeds, ctxs):
        measured = measure(model, target, m, seed=derive_seed(s, "measure", task_name, n), device=device)
        converged = [r["step"] for r in ctx.history if r.get("probe_mse", 1.0) < 0.01]
        out.append({"task": task_name, "target": target.name, "n": n, "seed": s, "steps": config.train.steps,
                    **measured, "convergence_step": converged[0] if converged else None,
                    "train_seconds": seconds / len(seeds)})
    return out


# ----------------------------------------------------------------------------- analysis
def _kept(rows: list[dict], *, filtered: bool = True) -> dict[tuple, dict]:
    """The runs a statistic uses, by (task, n, seed): the kept ones, or every run with the filter off."""
    return {(r["task"], r["n"], r["seed"]): r for r in rows if r["kept"] or not filtered}


def _per_seed_slopes(kept: dict, task: str, other: str, metric: str, seeds) -> tuple[list, list, list, list]:
    """Per seed with >= 2 lengths where both runs were kept (and measured: a diverged run's nan
    cannot enter even with the filter off): (seeds, PARITY-task slopes, other slopes, the number
    of lengths each seed's slopes rest on)."""
    used, a, b, points = [], [], [], []
    for s in seeds:
        ns = sorted(n for (t, n, sd) in kept if t == task and sd == s and (other, n, s) in kept
                    and np.isfinite(kept[(t, n, sd)][metric]) and np.isfinite(kept[(other, n, s)][metric]))
        if len(ns) < 2:
            continue
        used.append(s)
        points.append(len(ns))
        a.append(fit_line(ns, [kept[(task, n, s)][metric] for n in ns])["slope"])
        b.append(fit_line(ns, [kept[(other, n, s)][metric] for n in ns])["slope"])
    return used, a, b, points


#: a per-seed slope from fewer lengths than this is flagged in the report (2 points: no residual)
MIN_SLOPE_POINTS = 3


def _effects(config: LengthScalingConfig, rows: list[dict], *, filtered: bool = True) -> tuple[list[dict], list[str]]:
    """The four effects and their words by the rule, over the kept runs (``filtered``) or over
    every run (the filter off: every seed's slope enters, on every length it ran)."""
    kept = _kept(rows, filtered=filtered)
    effects, verdicts = [], []
    for metric, label in MEASURES.items():
        for other in ("majority", "first"):
            if "parity" not in config.tasks or other not in config.tasks:
                continue
            seeds, a, b, points = _per_seed_slopes(kept, "parity", other, metric, config.seeds)
            if len(seeds) >= 2:
                st = paired_difference(a, b)
            else:
                st = {"effect": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "p": float("nan"),
                      "n": len(seeds), "test": "paired t-test"}
            v = verdict(st["ci_low"], st["ci_high"], direction=+1)
            verdicts.append(v)
            pairs = [(n, kept[("parity", n, s)][metric] - kept[(other, n, s)][metric])
                     for (t, n, s) in kept if t == "parity" and (other, n, s) in kept]
            pairs = [(n, d) for n, d in pairs if np.isfinite(d)]
            pooled = slope_ci(*zip(*pairs)) if len({n for n, _ in pairs}) >= 2 and len(pairs) >= 3 else None
            few = [s for s, k in zip(seeds, points) if k < MIN_SLOPE_POINTS]
            effects.append({
                "measure": label, "PARITY minus": other.upper(),
                "effect: mean per-seed slope difference per unit n": st["effect"],
                "ci_low": st["ci_low"], "ci_high": st["ci_high"],
                "95% CI": f"[{st['ci_low']:.3g}, {st['ci_high']:.3g}]",
                "test": st["test"], "p": st.get("p", float("nan")),
                "p (Wilcoxon)": st.get("wilcoxon_p", float("nan")), "seeds": len(seeds),
                "points per seed": ", ".join(f"{s}: {k}" for s, k in zip(seeds, points)),
                f"seeds with < {MIN_SLOPE_POINTS} points": ", ".join(map(str, few)) or "none",
                "mean PARITY slope": float(np.mean(a)) if a else float("nan"),
                "mean MAJORITY/FIRST slope": float(np.mean(b)) if b else float("nan"),
                "pooled slope of the paired difference (CI; pairs not independent, descriptive)":
                    f"{pooled['effect']:.3g} [{pooled['ci_low']:.3g}, {pooled['ci_high']:.3g}], "
                    f"p = {format_p(pooled['p'], '.2g')}, {pooled['n']} pairs" if pooled else "n/a",
                "verdict" if filtered else "word by the rule": v,
            })
    # Holm across the four effects (amended 2026-12-07, before the confirmatory run)
    verdicts = holm_rows(effects, word="verdict" if filtered else "word by the rule", family="4 effects")
    return effects, verdicts


def _side_by_side(with_filter: list[dict], without: list[dict]) -> list[dict]:
    """The effects with the filter (the verdict) beside the same effects with it off."""
    out = []
    for w, o in zip(with_filter, without):
        out.append({"measure": w["measure"], "PARITY minus": w["PARITY minus"],
                    "filter on: effect [95% CI]": f"{w['effect: mean per-seed slope difference per unit n']:.3g} "
                                                  f"{w['95% CI']}",
                    "filter on: p": w["p"], "filter on: seeds (points each)": f"{w['seeds']} ({w['points per seed']})",
                    "filter on: verdict": w["verdict"],
                    "filter off: effect [95% CI]": f"{o['effect: mean per-seed slope difference per unit n']:.3g} "
                                                   f"{o['95% CI']}",
                    "filter off: p": o["p"], "filter off: seeds (points each)": f"{o['seeds']} ({o['points per seed']})",
                    "filter off: word by the rule": o["word by the rule"]})
    return out


def _per_n_table(rows: list[dict], tasks) -> list[dict]:
    out = []
    for t in tasks:
        for n in sorted({r["n"] for r in rows if r["task"] == t}):
            rs = [r for r in rows if r["task"] == t and r["n"] == n]
            ok = [r for r in rs if r["kept"]]
            row = {"task": t, "n": n, "kept": f"{len(ok)}/{len(rs)}"}
            for metric in ("loss_sharpness_pm1", "blowup", "parameter_norm", "blowup_x_norm"):
                vals = [r[metric] for r in ok]
                row[f"{metric} mean"] = float(np.mean(vals)) if vals else float("nan")
                row[f"{metric} sd"] = sample_sd(vals)
            conv = [r["convergence_step"] for r in rs if r["convergence_step"] is not None]
            row["convergence step (median)"] = float(np.median(conv)) if conv else "never"
            out.append(row)
    return out


def _task_slopes(rows: list[dict], tasks, *, filtered: bool = True) -> list[dict]:
    """Their printed statistic: per task, the least-squares slope of each measure on n over kept
    runs (every run with the filter off). Descriptive: a seed enters at every n, so the points are
    not independent and the interval is too narrow."""
    out = []
    for t in tasks:
        ok = [r for r in rows if r["task"] == t and (r["kept"] or not filtered)]
        row = {"task": t, "kept runs" if filtered else "runs": len(ok)}
        for metric in ("loss_sharpness_pm1", "blowup", "parameter_norm", "blowup_x_norm"):
            pts = [(r["n"], r[metric]) for r in ok if np.isfinite(r[metric])]
            if len({n for n, _ in pts}) >= 2 and len(pts) >= 3:
                s = slope_ci(*zip(*pts))
                row[f"{metric} slope [95% CI]"] = f"{s['effect']:.3g} [{s['ci_low']:.3g}, {s['ci_high']:.3g}]"
            else:
                row[f"{metric} slope [95% CI]"] = "n/a"
        out.append(row)
    return out


def _plot(run_dir: RunDir, rows: list[dict], tasks) -> list[str]:
    plt = pyplot()
    panels = (("loss_sharpness_pm1", "loss sharpness (x4)"), ("blowup", "LN blowup"),
              ("parameter_norm", "parameter norm"), ("blowup_x_norm", "LN blowup x parameter norm"))
    fig, axes = plt.subplots(1, 4, figsize=(17, 4))
    for ax, (metric, label) in zip(axes, panels):
        for t in tasks:
            ok = [r for r in rows if r["task"] == t and r["kept"]]
            bad = [r for r in rows if r["task"] == t and not r["kept"]]
            ns = sorted({r["n"] for r in ok})
            color = None
            if ok:
                dots = ax.plot([r["n"] for r in ok], [r[metric] for r in ok], "o", alpha=0.35, markersize=4)[0]
                color = dots.get_color()
                mean = np.array([np.mean([r[metric] for r in ok if r["n"] == n]) for n in ns])
                sd = np.array([np.nan_to_num(sample_sd([r[metric] for r in ok if r["n"] == n])) for n in ns])
                ax.plot(ns, mean, "-", color=color, label=f"{t}: mean over seeds, band ±2 SD")
                ax.fill_between(ns, mean - 2 * sd, mean + 2 * sd, color=color, alpha=0.15)
            if bad:
                ax.plot([r["n"] for r in bad], [r[metric] for r in bad], "x", color=color,
                        label=f"{t}: eval MSE >= 0.001 (left out)")
        ax.set_xlabel("input length n")
        ax.set_ylabel(label)
        ax.legend(fontsize=6)
    fig.suptitle("length-scaling: after a fixed number of steps (one dot per run)")
    names = [run_dir.save_figure(fig, "measures_vs_n").name]
    parity = {r["key"]: r for r in rows if r["task"] == "parity"}
    history = [h for h in run_dir.read_metrics() if h.get("unit") in parity and "probe_mse" in h]
    if history:
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
        cmap = plt.get_cmap("viridis")
        ns = sorted({r["n"] for r in parity.values()})
        labelled: set[int] = set()
        for key in sorted({h["unit"] for h in history}, key=lambda k: (parity[k]["n"], parity[k]["seed"])):
            hs = [h for h in history if h["unit"] == key]
            n = parity[key]["n"]
            c = cmap(ns.index(n) / max(1, len(ns) - 1))
            for ax, metric in zip(axes, ("probe_mse", "loss_sharpness", "blowup")):
                if all(metric in h for h in hs):
                    vals = [h[metric] * (4 if metric == "loss_sharpness" else 1) for h in hs]
                    ax.plot([h["step"] for h in hs], vals, color=c, alpha=0.7,
                            label=None if n in labelled else f"n = {n}")
            labelled.add(n)
        for ax, label in zip(axes, ("MSE on the probe points", "loss sharpness x4 (cheap, 256 points)", "LN blowup")):
            ax.set_xlabel("training step")
            ax.set_ylabel(label)
            ax.set_yscale("log")
        axes[0].legend(fontsize=7)
        fig.suptitle("length-scaling: PARITY during training (the measures of the table are taken at the last step)")
        names.append(run_dir.save_figure(fig, "parity_training").name)
    return names


def _report_fields(config: LengthScalingConfig) -> dict:
    """The values the report template (``reports/length_scaling.md``) shows."""
    m, tr = config.measure, config.train
    return {"d_model": tr.d_model, "n_layers": tr.n_layers, "n_heads": tr.n_heads, "d_mlp": tr.d_mlp,
            "lr": f"{tr.lr:g}", "weight_decay": f"{tr.weight_decay:g}", "batch_size": tr.batch_size,
            "steps": tr.steps, "tasks": ", ".join(config.tasks), "ns": ", ".join(map(str, config.ns)),
            "n_seeds": len(config.seeds), "epsilon": f"{m.epsilon:g}",
            "rho": f" (rho {m.rho:g})" if m.rho is not None else "", "draws": m.draws, "batches": m.batches,
            "measure_batch_size": m.batch_size, "max_eval_mse": f"{m.max_eval_mse:g}", "eval_points": m.eval_points}


def analyze(config: LengthScalingConfig, results: list, run_dir: RunDir) -> dict:
    """The paired per-seed slope differences, the verdict, their per-task slopes, tables, figures.

    Statistic and verdict rule (fixed before any cpu run was looked at):

    For each measure M ∈ {loss sharpness, LN blowup × parameter norm} and each comparison task
    B ∈ {MAJORITY, FIRST}: runs pair by (n, seed) (the same initialisation and the same input
    stream; only the labels differ). For each seed, the slope over n of
    d(n) = M(PARITY, n) − M(B, n), fitted on the lengths where both runs were kept, is the seed's
    difference in slopes. The effect is the mean of these per-seed slope differences, with its
    95 % t interval over seeds and the paired t-test (``empirical.analysis.stats.paired_difference`` of the
    per-seed PARITY and B slopes); predicted direction > 0. Each of the four effects gets
    ``empirical.analysis.stats.verdict(ci_low, ci_high, direction=+1)`` (no equivalence margin) and the
    experiment's verdict is ``empirical.analysis.stats.combine`` of the four. *Amended 2026-12-07,
    before the confirmatory run, for multiplicity:* the four paired-t p-values are Holm-adjusted
    together (``empirical.analysis.stats.holm_verdicts``) and an effect's decided verdict stands only
    if its adjusted p < 0.05 (the same with the filter off). Beside it, not entering the
    verdict: the pooled least-squares slope of d on n over all pairs (``slope_ci``), and per task
    their printed statistic, the slope of M on n over kept runs.

    Reported beside, not changing the rule (added 2026-12-07, after the cpu run): the same four
    effects with the filter off (every run enters, so every seed's slope rests on every length it
    ran), the verdict they would give by the same rule and whether it is the filtered one; and
    for every effect the number of lengths each seed's slope rests on, seeds with fewer than
    ``MIN_SLOPE_POINTS`` (3) flagged (2 points fit a line exactly). Every test takes one number
    per seed (its slope); the pooled slope and their per-task regression put a seed in at every n
    and are descriptive only.
    """
    rows = [dict(r.record, key=r.unit.key) for r in results]
    effects, verdicts = _effects(config, rows)
    effects_off, verdicts_off = _effects(config, rows, filtered=False)
    overall = combine(verdicts) if verdicts else "inconclusive"
    overall_off = combine(verdicts_off) if verdicts_off else "inconclusive"
    sub = "; ".join(f"{e['measure']}, PARITY − {e['PARITY minus']}: {e['verdict']}" for e in effects)
    text = f"{overall} ({sub})" if sub else f"{overall} (PARITY and MAJORITY/FIRST were not all run)"
    few = sorted({s for e in effects for s in e[f"seeds with < {MIN_SLOPE_POINTS} points"].split(", ") if s != "none"})
    if effects_off:
        holds = "it holds" if overall_off == overall else "it does not hold"
        sub_off = "; ".join(f"{e['measure']}, PARITY − {e['PARITY minus']}: {e['word by the rule']} "
                            f"({e['effect: mean per-seed slope difference per unit n']:.3g} {e['95% CI']})"
                            for e in effects_off)
        text += (f". Without the convergence filter (every run, {len(rows)} runs) {holds}: the same rule gives "
                 f"{overall_off} ({sub_off})")
        text += (f". Per-seed slopes from fewer than {MIN_SLOPE_POINTS} lengths (filter on): "
                 f"{'seed(s) ' + ', '.join(few) if few else 'none'}")
    figures = _plot(run_dir, rows, config.tasks)
    every = [{k: r.get(k) for k in ("task", "n", "seed", "steps", "eval_mse", "kept", "loss_sharpness_pm1",
                                    "loss_sharpness_pm1_stderr", "blowup", "parameter_norm", "blowup_x_norm",
                                    "convergence_step")} for r in rows]
    fields = _report_fields(config)
    run_dir.write_report(
        CLAIM,
        {"setup: Hahn & Rofin vs here": REPORT.rows("setup", **fields),
         "effects (the verdict): per-seed slope of PARITY − MAJORITY/FIRST over n, paired by (n, seed)": effects,
         "effects with the convergence filter (the verdict) and without it (every run), side by side":
             _side_by_side(effects, effects_off),
         "effects without the convergence filter (every run; not the verdict)": effects_off,
         "per task: slope of each measure on n over kept runs (their printed regression; a seed at every n, "
         "descriptive)": _task_slopes(rows, config.tasks),
         "per task: the same slope over every run (filter off)": _task_slopes(rows, config.tasks, filtered=False),
         "per task and n: kept runs, mean and SD over seeds": _per_n_table(rows, config.tasks),
         "every run": every},
        text, title="length-scaling", figures=figures,
        notes=REPORT.bullets("notes", **fields))
    return {"verdict": text, "effects": effects, "verdict_with_filter": overall,
            "verdict_without_filter": overall_off, "verdict_holds_without_filter": overall_off == overall,
            "effects_without_filter": effects_off}


register("length-scaling", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze,
         run_units_batched=run_units_batched,
         axes=("tasks", "ns"))
