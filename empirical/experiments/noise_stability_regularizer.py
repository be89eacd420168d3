"""Does a noise-stability regulariser make grokking come sooner? And why does ours block it?

After Haris, Zhang & Yoshida (2026), "Noise Stability of Transformer Models", ICLR 2026, who
report that their noise-stability regulariser "catalyzes grokking": modular addition (K = 113)
converges in about 3300 instead of 4500 steps with (γ, ρ) = (0.75, 0.25), and a noisy sparse
parity about 35 % faster with (γ, ρ) = (0.05, 0.05). The paper publishes no code; its regulariser
is known here only from secondary sources (reviews, paper notes; ``docs/theory.md`` §5.8):
``"resampling"`` in :class:`empirical.train.regularizers.StabilityRegularizer` (each input token kept
with probability (1 + ρ)/2, else uniform over the vocabulary; penalty = the negative inner
product of the output distributions on the clean and the resampled input). That is the
**paper's form**, and only it carries the verdict.

**Ours** (``"gaussian"``) is this project's own regulariser, not the paper's: the mean squared
difference of the class-centred logits on the clean operand embeddings and on a ρ-correlated
Gaussian partner of them scaled to their RMS, (γ, ρ) = (0.5, 0.8). With AdamW it blocked
grokking at every strength tried. The diagnostic variants ask why:

* ``ours-detached-clean``: no gradient through the clean branch;
* ``ours-gamma-warmup``: γ rises linearly from 0 over ``gamma_warmup`` epochs;
* ``ours-scale-grad``: the gradient also sees the noise scale (the embeddings' RMS), which is
  otherwise a constant to it, so that growing the embeddings looks to the gradient like a better
  signal-to-noise ratio;
* ``sgd-plain`` / ``sgd-ours``: SGD with momentum instead of AdamW. After memorisation the
  cross-entropy's gradient is tiny; AdamW normalises every coordinate's step, so whatever term is
  left, however small its weight γ, sets the direction of full-size steps; SGD's steps scale with
  the gradient.

Every variant runs on the same seeds (the same data split and initialisation per seed) as its
baseline (``plain`` for AdamW, ``sgd-plain`` for SGD). Modular addition uses the model and
optimiser of Nanda et al. (2023), "Progress measures for grokking via mechanistic
interpretability", ICLR 2023 (residual stream, AdamW betas (0.9, 0.98), 10-step warm-up; the
paper's model is not known), scaled down for the CPU. The parity task trains a transformer too
(``SparseParitySpec(architecture="transformer")``: the Boolean-sequence transformer of Hahn &
Rofin (2024), "Why are Sensitive Functions Hard for Transformers?", ACL 2024, that length-scaling
trains, over the n bits; the paper's size is not known), at d_model 32, 2 layers, 2 heads, MLP
width 64 in the ``cpu`` preset. The paper's form resamples each bit; ours perturbs each bit's
token embedding. The committed exploratory cpu run (2026-12-07) trained a one-hidden-layer MLP
on parity (``architecture="mlp"``, kept as an option) with caps of 2500 (modular) and 3000
(parity) epochs; the caps are now 6000 for modular addition (the paper's plain runs need about
4500 steps) and 3000 for parity, where the plain transformer runs learn the parity in 100-200
epochs in pilot runs. The history logs, every ``log_every`` epochs, the parameter and embedding
norms and the gradient norms of the cross-entropy and of γR.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from ..harness.checks import check_fields
from ..train.algorithmic import GROKKED, ModularAdditionSpec, SparseParitySpec, train_modular, train_parity
from ..train.regularizers import StabilityRegularizer
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, format_p, format_value, pyplot
from ..harness.rundir import RunDir
from ..harness.runtime import limit_cpu_threads
from ..analysis.stats import censored_at, combine, holm_rows, kaplan_meier_at_cap, logrank, paired_difference, verdict

CLAIM = ("Haris et al.: training with a noise-stability regulariser (token resampling, agreement of the output "
         "distributions) groks sooner than plain training: about 36% on modular addition, 35% on a noisy "
         "sparse parity.")

#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)

#: equivalence margin of the log-ratio effect: a change of epochs to grok under 10 % counts as none
#: (the paired t's rule, before the 2026-12-07 amendment)
MARGIN = math.log(1.1)

#: significance level of the log-rank test (the rule amended 2026-12-07)
ALPHA = 0.05

#: every variant: what it is (for the report)
VARIANTS = {
    "plain": "AdamW, no regulariser",
    "paper": "AdamW + the paper's form (token resampling, -<p(X), p(Y)>)",
    "ours": "AdamW + ours (Gaussian embedding partner, squared centred-logit difference)",
    "ours-detached-clean": "ours, no gradient through the clean branch",
    "ours-gamma-warmup": "ours, gamma rising linearly from 0",
    "ours-scale-grad": "ours, gradient through the noise scale",
    "sgd-plain": "SGD with momentum, no regulariser",
    "sgd-ours": "SGD with momentum + ours",
}


@dataclass(frozen=True, kw_only=True)
class NoiseStabilityConfig(ExperimentConfig):
    """The seeds, the variants per task (axes), the regularisers' (γ, ρ), the SGD settings and
    the two tasks."""

    seeds: tuple[int, ...] = (0, 1, 2)
    modular_variants: tuple[str, ...] = tuple(VARIANTS)
    parity_variants: tuple[str, ...] = ("plain", "paper", "ours")
    paper_modular: tuple[float, float] = (0.75, 0.25)  # (gamma, rho), Haris et al. for modular addition
    paper_parity: tuple[float, float] = (0.05, 0.05)  # (gamma, rho), Haris et al. for sparse parity
    ours: tuple[float, float] = (0.5, 0.8)  # (gamma, rho) of this project's regulariser
    gamma_warmup: int = 1000
    sgd_lr: float = 0.1
    sgd_momentum: float = 0.9
    sgd_weight_decay: float = 3e-3
    modular: ModularAdditionSpec = field(default_factory=lambda: ModularAdditionSpec(
        p=31, train_fraction=0.6, d_model=64, n_heads=4, d_mlp=256, architecture="nanda", lr=3e-3,
        betas=(0.9, 0.98), warmup_steps=10, weight_decay=1.0, steps=6000, log_every=50, checkpoint_every=500))
    parity: SparseParitySpec = field(default_factory=lambda: SparseParitySpec(
        architecture="transformer", d_model=32, n_heads=2, n_layers=2, d_mlp=64, lr=1e-3, log_every=10))

    def __post_init__(self) -> None:
        super().__post_init__()
        from boolsens import BoolsensError

        for name, allowed in (("modular_variants", tuple(VARIANTS)), ("parity_variants", ("plain", "paper", "ours"))):
            bad = [v for v in getattr(self, name) if v not in allowed]
            if bad:
                raise BoolsensError(f"{name} {bad} must be among {allowed}")
        check_fields(self, counts0=("gamma_warmup",), positive=("sgd_lr",), below_one=("sgd_momentum",),
                     nonnegative=("sgd_weight_decay",))
        for name in ("paper_modular", "paper_parity", "ours"):
            gamma, rho = getattr(self, name)
            StabilityRegularizer(form="gaussian", gamma=gamma, rho=rho)  # gamma >= 0, rho in [-1, 1]


PRESETS = {
    "smoke": NoiseStabilityConfig(
        seeds=(0,), modular_variants=("plain", "paper", "ours"), parity_variants=("plain", "paper"), gamma_warmup=5,
        modular=ModularAdditionSpec(p=7, train_fraction=0.6, d_model=16, n_heads=2, d_mlp=32, steps=20, log_every=5,
                                    checkpoint_every=10),
        parity=SparseParitySpec(n=6, k=2, n_train=64, n_test=64, architecture="transformer", d_model=8, n_heads=2,
                                n_layers=1, d_mlp=16, steps=20, log_every=5, checkpoint_every=10)),
    "cpu": NoiseStabilityConfig(),
    "gpu": NoiseStabilityConfig(
        seeds=(0, 1, 2, 3, 4), gamma_warmup=2000,
        modular=ModularAdditionSpec(p=113, train_fraction=0.3, d_model=128, n_heads=4, d_mlp=512, architecture="nanda",
                                    lr=1e-3, betas=(0.9, 0.98), warmup_steps=10, steps=20_000, log_every=100,
                                    checkpoint_every=1000),
        parity=SparseParitySpec(n=40, k=4, n_train=30_000, architecture="transformer", d_model=128, n_heads=2,
                                n_layers=2, d_mlp=128, lr=1e-3, steps=20_000, log_every=100, checkpoint_every=1000)),
}


def regularizer(config: NoiseStabilityConfig, task: str, variant: str) -> StabilityRegularizer:
    """The regulariser of ``variant`` on ``task``."""
    base = variant.removeprefix("sgd-")
    if base == "plain":
        return StabilityRegularizer()
    if base == "paper":
        gamma, rho = config.paper_modular if task == "modular" else config.paper_parity
        return StabilityRegularizer(form="resampling", gamma=gamma, rho=rho)
    gamma, rho = config.ours
    return StabilityRegularizer(form="gaussian", gamma=gamma, rho=rho, detach_clean=base == "ours-detached-clean",
                                gamma_warmup=config.gamma_warmup if base == "ours-gamma-warmup" else 0,
                                scale_grad=base == "ours-scale-grad")


def baseline(variant: str) -> str:
    """The variant a regularised variant is paired with (same optimiser, no regulariser)."""
    return "sgd-plain" if variant.startswith("sgd-") else "plain"


def units(config: NoiseStabilityConfig) -> list[dict]:
    """One unit per (task, variant, seed)."""
    return ([{"task": "modular", "variant": v, "seed": s} for v in config.modular_variants for s in config.seeds]
            + [{"task": "parity", "variant": v, "seed": s} for v in config.parity_variants for s in config.seeds])


def run_unit(config: NoiseStabilityConfig, unit: dict, ctx) -> dict:
    """Train one run until it groks (or the cap)."""
    limit_cpu_threads(ctx.device)
    task, variant, seed = unit["task"], unit["variant"], unit["seed"]
    reg = regularizer(config, task, variant)
    if task == "modular":
        spec = config.modular
        if variant.startswith("sgd-"):
            spec = dataclasses.replace(spec, optimizer="sgd", lr=config.sgd_lr, momentum=config.sgd_momentum,
                                       weight_decay=config.sgd_weight_decay)
        probes = {"paper": regularizer(config, task, "paper"), "ours": regularizer(config, task, "ours")}
        rec = train_modular(spec, seed, ctx, regularizer=reg, extra_after_grok=0.0, gradient_diagnostics=True,
                            penalty_probes=probes)
    else:
        rec = train_parity(config.parity, seed, ctx, regularizer=reg, extra_after_grok=0.0)
    return {"task": task, "variant": variant, **rec}


# ----------------------------------------------------------------------------- the statistic
def restricted_log_ratio(plain: list, regularised: list, cap: int) -> dict:
    """Paired effect log min(T_reg, C) − log min(T_plain, C) over seeds (None = never grokked,
    counted as the cap C), its t interval and paired t-test, the informative pairs (at least one
    of the two grokked) and the grok counts."""
    lp = [math.log(min(t, cap) if t is not None else cap) for t in plain]
    lr = [math.log(min(t, cap) if t is not None else cap) for t in regularised]
    d = paired_difference(lr, lp)
    info = sum(a is not None or b is not None for a, b in zip(plain, regularised))
    return {"effect": d["effect"], "ci_low": d["ci_low"], "ci_high": d["ci_high"], "p": d.get("p"),
            "wilcoxon_p": d.get("wilcoxon_p"), "pairs": d["n"], "informative_pairs": info,
            "speedup": -math.expm1(d["effect"]),
            "grokked_plain": f"{sum(t is not None for t in plain)}/{len(plain)}",
            "grokked_regularised": f"{sum(t is not None for t in regularised)}/{len(regularised)}"}


def _word(stat: dict) -> str:
    """The paired t's word (the rule before the 2026-12-07 amendment; reported, not the verdict)."""
    if stat["informative_pairs"] < 3:
        return "inconclusive"
    return verdict(stat["ci_low"], stat["ci_high"], direction=-1, margin=MARGIN)


def km_summary(epochs: list, cap: int) -> dict:
    """The Kaplan–Meier estimate of epochs to grok of one condition, censored at the cap
    (:func:`empirical.analysis.stats.kaplan_meier_at_cap`: a run that never grokked, ``None``,
    because it did not or because it diverged, is censored at the cap), with the counts and the
    median as text ("not reached" when fewer than half the runs grokked).

    >>> r = km_summary([100, None, 300], cap=500)
    >>> r["median"], r["events"], r["censored"], r["median text"]
    (300.0, 2, 1, '300')
    """
    km = kaplan_meier_at_cap(epochs, cap)
    return {**km, "median text": format_value(km["median"]) if km["median_reached"] else f"not reached by the cap {cap}"}


def logrank_comparison(plain: list, regularised: list, cap: int) -> dict:
    """The rule amended 2026-12-07: epochs to grok of the regularised and the plain runs as
    censored times (:func:`empirical.analysis.stats.censored_at`), their Kaplan–Meier estimates
    and the two-sided log-rank test (:func:`empirical.analysis.stats.logrank`, regularised runs as
    group a). Its z is positive
    when the regularised runs grok more often than expected at the times runs grok (their KM curve
    below the plain runs': sooner, the predicted direction). p < ``ALPHA`` and z > 0: **reproduced**;
    p < ``ALPHA`` and z < 0: **not reproduced**; else **inconclusive** (also when no run of
    either condition grokked: no test can be made, ``p`` is ``None``).

    >>> r = logrank_comparison(plain=[None, None, None, None], regularised=[100, 120, 140, 160], cap=1000)
    >>> r["word"], r["z"] > 0, r["p"] < 0.05
    ('reproduced', True, True)
    """
    km_p, km_r = km_summary(plain, cap), km_summary(regularised, cap)
    tp, cp = censored_at(plain, cap)
    tr, cr = censored_at(regularised, cap)
    test = None if all(cp) and all(cr) else logrank(tr, cr, tp, cp)
    z, p = (test["statistic"], test["p"]) if test else (None, None)
    word = "inconclusive" if p is None or not p < ALPHA else ("reproduced" if z > 0 else "not reproduced")
    return {"km_plain": km_p, "km_regularised": km_r, "z": z, "p": p, "word": word}


# ----------------------------------------------------------------------------- analysis
def _late(history: list[dict], key: str) -> float | None:
    """Mean of ``key`` over the logged records after memorisation (train accuracy >= 0.99)."""
    vals = [r[key] for r in history if r.get("train_acc", 0) >= 0.99 and isinstance(r.get(key), (int, float))]
    return float(np.mean(vals)) if vals else None


def _gradient_ratio(history: list[dict]) -> float | None:
    pen, ce = _late(history, "grad_penalty"), _late(history, "grad_ce")
    return pen / ce if pen and ce else None


def _norm_ratio(a: float | None, b: float | None) -> float:
    return a / b if a is not None and b else float("nan")


def _comparisons(config: NoiseStabilityConfig, rows: list[dict], histories: dict) -> list[dict]:
    out = []
    for task, variants, cap in (("modular", config.modular_variants, config.modular.steps),
                                ("parity", config.parity_variants, config.parity.steps)):
        by = {(r["variant"], r["seed"]): r for r in rows if r["task"] == task}
        for v in variants:
            b = baseline(v)
            if v == b or b not in variants:
                continue
            seeds = [s for s in config.seeds if (v, s) in by and (b, s) in by]
            if len(seeds) < 2:
                continue
            stat = restricted_log_ratio([by[(b, s)]["grok_epoch"] for s in seeds],
                                        [by[(v, s)]["grok_epoch"] for s in seeds], cap)
            lr = logrank_comparison([by[(b, s)]["grok_epoch"] for s in seeds],
                                    [by[(v, s)]["grok_epoch"] for s in seeds], cap)
            regs = [by[(v, s)] for s in seeds]
            ratios = [x for x in (_gradient_ratio(histories[r["key"]]) for r in regs) if x]
            out.append({
                "task": task, "variant": v, "vs": b, "seeds": len(seeds),
                "grokked (base)": stat["grokked_plain"], "grokked (variant)": stat["grokked_regularised"],
                "censored at the cap (base)": lr["km_plain"]["censored"],
                "censored at the cap (variant)": lr["km_regularised"]["censored"], "cap": cap,
                "KM median (base)": lr["km_plain"]["median text"],
                "KM median (variant)": lr["km_regularised"]["median text"],
                "z (log-rank)": lr["z"], "p (log-rank)": lr["p"], "word by the rule": lr["word"],
                "diverged": sum(r["diverged_at"] is not None for r in regs),
                "mean log ratio": stat["effect"], "ci_low": stat["ci_low"], "ci_high": stat["ci_high"],
                "p (paired t)": stat["p"], "speed-up": stat["speedup"], "informative pairs": stat["informative_pairs"],
                "word (paired t, exploratory)": _word(stat),
                "final parameter norm (variant / base)": float(np.mean(
                    [_norm_ratio(by[(v, s)]["final_parameter_norm"], by[(b, s)]["final_parameter_norm"])
                     for s in seeds])),
                "|grad gamma R| / |grad CE| after memorisation": float(np.exp(np.mean(np.log(ratios)))) if ratios else None,
                "seconds (variant / base)": float(np.mean([by[(v, s)]["train_seconds"] / by[(b, s)]["train_seconds"]
                                                           for s in seeds])),
            })
    return out


def _figure_curves(run_dir: RunDir, config: NoiseStabilityConfig, task: str, rows: list[dict], histories: dict,
                   key: str, ylabel: str, log: bool = False) -> str:
    plt = pyplot()
    variants = config.modular_variants if task == "modular" else config.parity_variants
    shown = [v for v in variants if v not in ("plain", "sgd-plain")]
    cols = min(4, max(1, len(shown)))
    nrows = max(1, -(-len(shown) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(3.6 * cols, 3.0 * nrows), squeeze=False, sharey=key == "test_acc")
    for ax, v in zip(axes.flat, shown):
        for r in rows:
            if r["task"] != task or r["variant"] not in (v, baseline(v)):
                continue
            h = [q for q in histories[r["key"]] if key in q and isinstance(q[key], (int, float))]
            is_base = r["variant"] == baseline(v)
            ax.plot([q["step"] for q in h], [q[key] for q in h], color="gray" if is_base else "tab:red",
                    alpha=0.6, lw=1.0 if is_base else 1.4)
        if key == "test_acc":
            ax.axhline(GROKKED, ls=":", color="k", lw=0.8)
        if log:
            ax.set_yscale("log")
        ax.set_title(f"{v} (red) vs {baseline(v)} (gray)", fontsize=8)
        ax.set_xlabel("epoch")
    for ax in list(axes.flat)[len(shown):]:
        ax.axis("off")
    axes[0, 0].set_ylabel(ylabel)
    fig.suptitle(f"{task}: {ylabel}, one line per seed")
    return run_dir.save_figure(fig, f"{task}_{key}").name


def _at(history: list[dict], step: int | None, key: str) -> float | None:
    rec = next((q for q in history if q["step"] == step), None)
    return rec.get(key) if rec is not None and isinstance(rec.get(key), (int, float)) else None


def penalty_along_plain_training(rows: list[dict], histories: dict) -> list[dict]:
    """Does grokking raise the regulariser's R? For the plain AdamW runs that grokked: R of each
    form at memorisation (first logged epoch with train accuracy >= 0.99) and at the grok epoch,
    the paired difference over seeds, its t interval and test. R > 0 more at the grok epoch means
    the regulariser, had it been on, would have pushed against the grokked solution."""
    out = []
    plain = [r for r in rows if r["task"] == "modular" and r["variant"] == "plain" and r["grok_epoch"] is not None]
    for form in ("paper", "ours"):
        pairs = []
        for r in plain:
            h = histories[r["key"]]
            mem = next((q["step"] for q in h if q.get("train_acc", 0) >= 0.99), None)
            a, b = _at(h, mem, f"R_{form}"), _at(h, r["grok_epoch"], f"R_{form}")
            if a is not None and b is not None:
                pairs.append((a, b))
        if len(pairs) >= 2:
            d = paired_difference([b for _, b in pairs], [a for a, _ in pairs])
            out.append({"form": form, "runs": len(pairs), "R at memorisation": float(np.mean([a for a, _ in pairs])),
                        "R at the grok epoch": float(np.mean([b for _, b in pairs])), "difference": d["effect"],
                        "ci_low": d["ci_low"], "ci_high": d["ci_high"], "p (paired t)": d.get("p")})
    return out


def _figure_penalties(run_dir: RunDir, rows: list[dict], histories: dict) -> str:
    """R of both forms along the plain AdamW runs (never trained with), grok epochs dashed."""
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    for r in rows:
        if r["task"] != "modular" or r["variant"] != "plain":
            continue
        h = histories[r["key"]]
        for ax, form in zip(axes, ("paper", "ours")):
            pts = [(q["step"], q[f"R_{form}"]) for q in h if isinstance(q.get(f"R_{form}"), (int, float))]
            if pts:
                line = ax.plot(*zip(*pts), label=f"seed {r['seed']}")[0]
                if r["grok_epoch"] is not None:
                    ax.axvline(r["grok_epoch"], color=line.get_color(), ls="--", lw=0.8)
    for ax, form in zip(axes, ("paper", "ours")):
        ax.set_title(f"R_{form} along plain training (dashed: grok epoch)", fontsize=9)
        ax.set_xlabel("epoch")
    axes[0].legend(fontsize=7)
    return run_dir.save_figure(fig, "modular_penalty_along_plain_training").name


def _figure_effects(run_dir: RunDir, comps: list[dict]) -> str:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(comps) + 1.2))
    for i, c in enumerate(comps):
        color = {"reproduced": "tab:green", "not reproduced": "tab:red"}.get(c["word (paired t, exploratory)"], "gray")
        if math.isfinite(c["ci_low"]):
            ax.plot([c["ci_low"], c["ci_high"]], [i, i], color=color, lw=3, alpha=0.6)
        ax.plot(c["mean log ratio"], i, "o", color=color)
    ax.axvline(0, color="k", lw=0.8)
    ax.axvline(math.log(1 / 1.36), color="tab:blue", ls=":", lw=1, label="the paper's modular speed-up (4500 -> 3300)")
    ax.set_yticks(range(len(comps)))
    ax.set_yticklabels([f"{c['task']}: {c['variant']} vs {c['vs']}" for c in comps], fontsize=8)
    ax.set_xlabel("log epochs to grok, variant minus baseline (censored at the cap); mean and 95% CI")
    ax.legend(fontsize=7)
    return run_dir.save_figure(fig, "epochs_to_grok_effects").name


def kaplan_meier_by_condition(config: NoiseStabilityConfig, rows: list[dict]) -> dict[tuple[str, str], dict]:
    """:func:`km_summary` of every (task, variant) that ran, over all its seeds."""
    out = {}
    for task, variants, cap in (("modular", config.modular_variants, config.modular.steps),
                                ("parity", config.parity_variants, config.parity.steps)):
        for v in variants:
            runs = [r for r in rows if r["task"] == task and r["variant"] == v]
            if runs:
                out[(task, v)] = km_summary([r["grok_epoch"] for r in sorted(runs, key=lambda r: r["seed"])], cap)
    return out


def _figure_km(run_dir: RunDir, comps: list[dict], kms: dict) -> str:
    """The Kaplan–Meier curves of epochs to grok, each variant (red) against its baseline (gray),
    one panel per comparison; + marks the runs censored at the cap."""
    plt = pyplot()
    cols = min(4, max(1, len(comps)))
    nrows = max(1, -(-len(comps) // cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(3.6 * cols, 3.0 * nrows), squeeze=False, sharey=True)
    for ax, c in zip(axes.flat, comps):
        for cond, color, lw in ((c["vs"], "gray", 1.2), (c["variant"], "tab:red", 1.6)):
            km = kms[(c["task"], cond)]
            ax.step([0.0] + km["times"], [1.0] + km["survival"], where="post", color=color, lw=lw,
                    label=f"{cond}: median {km['median text']}")
            if km["censored"]:
                ax.plot([km["cap"]], [km["survival"][-1]], "+", color=color, markersize=10)
        ax.axhline(0.5, ls=":", color="k", lw=0.6)
        ax.set_ylim(-0.02, 1.05)
        ax.set_title(f"{c['task']}: {c['variant']} vs {c['vs']}, log-rank p = {format_p(c['p (log-rank)'], '.2g')}",
                     fontsize=7)
        ax.set_xlabel("epoch")
        ax.legend(fontsize=6, loc="lower left")
    for ax in list(axes.flat)[len(comps):]:
        ax.axis("off")
    for row in axes:
        row[0].set_ylabel("fraction not yet grokked")
    fig.suptitle("Kaplan-Meier, epochs to grok (censored at the cap, +)")
    return run_dir.save_figure(fig, "epochs_to_grok_kaplan_meier").name


def parity_model_text(spec: SparseParitySpec) -> dict[str, str]:
    """How the report names the parity model (``parity_model``), what its Gaussian form perturbs
    (``parity_gaussian``) and the model's note beside the paper's transformer (``parity_model_note``).

    >>> parity_model_text(SparseParitySpec(d_mlp=256))["parity_model"]
    'one-hidden-layer ReLU MLP, width 256'
    """
    if spec.architecture == "transformer":
        return {"parity_model": f"Hahn & Rofin's transformer (post-LN, token ++ position embeddings, readout at the "
                                f"last bit), d_model {spec.d_model}, {spec.n_layers} layers, {spec.n_heads} heads, "
                                f"d_mlp {spec.d_mlp}",
                "parity_gaussian": "each bit's token embedding",
                "parity_model_note": "a transformer as in the paper; its size: CPU budget"}
    return {"parity_model": f"one-hidden-layer ReLU MLP, width {spec.d_mlp}",
            "parity_gaussian": "the +-1 input vector (one token)",
            "parity_model_note": "deviation: an MLP, not a transformer (the paper studies transformers)"}


def _report_fields(config: NoiseStabilityConfig) -> dict:
    """The values the report template (``reports/noise_stability_regularizer.md``) shows."""
    m, q = config.modular, config.parity
    return {"paper_modular": config.paper_modular, "paper_parity": config.paper_parity, "p": m.p,
            "train_fraction": m.train_fraction, "d_model": m.d_model, "n_heads": m.n_heads, "d_mlp": m.d_mlp,
            "lr": m.lr, "betas": tuple(m.betas), "weight_decay": m.weight_decay, "warmup_steps": m.warmup_steps,
            "modular_steps": m.steps, "grokked": GROKKED, "parity_n": q.n, "parity_k": q.k,
            "parity_n_train": q.n_train, "parity_label_noise": q.label_noise, **parity_model_text(q),
            "parity_lr": q.lr, "parity_weight_decay": q.weight_decay, "parity_steps": q.steps,
            "seeds": ", ".join(map(str, config.seeds))}


#: the columns of the log-rank table (the first four identify the comparison)
_LOGRANK_COLUMNS = ("task", "variant", "vs", "seeds", "grokked (base)", "grokked (variant)", "censored at the cap (base)",
                    "censored at the cap (variant)", "cap", "KM median (base)", "KM median (variant)", "z (log-rank)",
                    "p (log-rank)", "word by the rule")
#: Holm across the paper's form on the two tasks (amended 2026-12-07, before the confirmatory run)
_HOLM_FAMILY = "paper's form, both tasks"
_HOLM_COLUMNS = ("word before Holm", f"p Holm ({_HOLM_FAMILY})")


def _paper_part(c: dict) -> str:
    """The verdict's sentence on one task: KM medians, censoring, the log-rank test, the word; every
    condition censored said plainly; then the exploratory paired t."""
    text = (f"{c['task']}: the paper's form grokked in {c['grokked (variant)']} runs (Kaplan-Meier median "
            f"{c['KM median (variant)']}) vs {c['vs']} {c['grokked (base)']} (median {c['KM median (base)']}); ")
    if c["p (log-rank)"] is None:
        text += "no run of either condition grokked, so no log-rank test can be made"
    else:
        text += f"log-rank z = {c['z (log-rank)']:+.2f}, p = {format_p(c['p (log-rank)'], '.3g')}"
        if _HOLM_COLUMNS[1] in c:
            text += (f" (Holm across both tasks: p = {format_p(c[_HOLM_COLUMNS[1]], '.3g')}; "
                     f"{c[_HOLM_COLUMNS[0]]} before it)")
    for cond, n in ((c["variant"], c["censored at the cap (variant)"]), (c["vs"], c["censored at the cap (base)"])):
        if n == c["seeds"]:
            text += (f"; every {cond} run ({n}/{c['seeds']}) was censored at the cap {c['cap']}: none grokked within it, "
                     f"so how much later it would grok, or whether, is not measured")
    return (text + f": {c['word by the rule']} (the committed exploratory run's paired t on log min(T, cap): mean log "
            f"ratio {c['mean log ratio']:+.2f}, 95% CI [{c['ci_low']:+.2f}, {c['ci_high']:+.2f}], "
            f"p = {format_p(c['p (paired t)'], '.3g')}, {c['word (paired t, exploratory)']} by its rule)")


def paper_verdict(comps: list[dict]) -> tuple[list[dict], str]:
    """The comparisons of the paper's form (variant ``paper``) and the experiment's verdict: their
    log-rank p-values Holm-adjusted together when there are two or more (in place, by
    :func:`empirical.analysis.stats.holm_rows`: the word before Holm and the adjusted p are added),
    then :func:`empirical.analysis.stats.combine` of the amended words; "inconclusive" with none.

    >>> rows = [{"variant": "paper", "p (log-rank)": 0.0295, "word by the rule": "not reproduced"},
    ...         {"variant": "paper", "p (log-rank)": 0.858, "word by the rule": "inconclusive"}]
    >>> paper_verdict(rows)[1], rows[0]["word before Holm"]
    ('inconclusive', 'not reproduced')
    """
    paper = [c for c in comps if c["variant"] == "paper"]
    if len(paper) > 1:
        holm_rows(paper, word="word by the rule", p="p (log-rank)", family=_HOLM_FAMILY, before=_HOLM_COLUMNS[0])
    return paper, combine(c["word by the rule"] for c in paper) if paper else "inconclusive"


def analyze(config: NoiseStabilityConfig, results: list, run_dir: RunDir) -> dict:
    """Epochs to grok of every variant against its baseline, the verdict, the report, the figures.

    Statistic and verdict rule (fixed in this code before the cpu run):

    * **epochs to grok** T = the first logged epoch with test accuracy >= 0.95; a run that does not
      grok within the cap C (``steps``, one per epoch) is *censored*. We use the restricted value min(T, C) (the
      survival analysts' restricted mean: a censored run counts as C, which is exactly what it is
      known to be at least), so the estimand is well defined with censoring;
    * **effect** per seed: log min(T_reg, C) − log min(T_base, C); over seeds, the mean with its
      paired 95 % t interval and the paired t-test (:func:`empirical.analysis.stats.paired_difference`);
      speed-up = 1 − exp(effect). Predicted direction: < 0 (sooner). Margin ±log 1.1;
    * a pair in which neither run grokked carries no information on speed; with fewer than 3
      informative pairs the word is **inconclusive**; the counts of grokked runs are reported beside;
    * verdict words from :func:`empirical.analysis.stats.verdict`; the experiment's verdict is
      :func:`empirical.analysis.stats.combine` of the paper's form on both tasks. The same rule is applied to
      every diagnostic variant, as a description, not as a verdict on the paper.

    **Amended 2026-12-07: censored times** (after the committed exploratory cpu run, whose rule is
    the one above, quoted as it stood: "**effect** per seed: log min(T_reg, C) − log min(T_base, C);
    over seeds, the mean with its paired 95 % t interval and the paired t-test [...] Predicted
    direction: < 0 (sooner). Margin ±log 1.1; a pair in which neither run grokked carries no
    information on speed; with fewer than 3 informative pairs the word is **inconclusive**").
    Epochs to grok are right-censored at the cap, and a t-test on min(T, C) over 3 pairs treats a
    censored run as if it had grokked at C. The times are now time-to-event data
    (:func:`logrank_comparison`): a run that grokked is an event at T, one that did not (or
    diverged) is censored at C; per condition the Kaplan–Meier estimate and its median ("not
    reached" when fewer than half the runs grokked) with the number censored; between a variant and
    its baseline the two-sided log-rank test. **The time comparison's word rests on the log-rank
    test**: p < 0.05 with the KM curves in the predicted direction (z > 0: the regularised runs
    grok sooner) → reproduced; p < 0.05 the other way → not reproduced; else inconclusive (the
    margin and the 3-informative-pairs condition belonged to the t interval and are dropped; with
    few events the log-rank p is large by itself). A condition in which every run is censored has
    no KM median; the log-rank test still applies when the other has events, and its p is reported;
    when no run of either grokked there is no test and the word is inconclusive. The experiment's
    verdict is still :func:`empirical.analysis.stats.combine` of the paper's form on both tasks; the
    same rule still describes the diagnostic variants. The paired t on log min(T, C) stays in the
    report as the committed exploratory run's statistic, with the word its rule gave.

    **Amended 2026-12-07, before the confirmatory run: Holm across the two tasks.** The verdict says
    "not reproduced" if either task's test is reversed, a union of two tests; so the two log-rank
    p-values of the paper's form are Holm-adjusted together
    (:func:`empirical.analysis.stats.holm_rows`) and a task's decided word stands only where its
    adjusted p < 0.05 (the word before Holm is reported beside). The diagnostic variants are not
    adjusted: they are descriptions, not verdicts.
    """
    rows, histories = [], {}
    for res in results:
        key = res.unit.key
        rows.append({**res.record, "key": key})
        histories[key] = sorted(run_dir.read_metrics(key), key=lambda r: r["step"])
    comps = _comparisons(config, rows, histories)
    kms = kaplan_meier_by_condition(config, rows)
    paper, word = paper_verdict(comps)
    parts = [_paper_part(c) for c in paper]
    ours = [c for c in comps if c["variant"] != "paper"]
    summary = "; ".join(f"{c['task']} {c['variant']}: grokked {c['grokked (variant)']} (base {c['grokked (base)']}), "
                        f"log-rank p = {format_p(c['p (log-rank)'], '.3g')}, {c['word by the rule']}" for c in ours)
    if not paper:
        parts = ["no paired comparison of the paper's form (fewer than 2 seeds with both runs)"]
    text = f"{word}: " + "; ".join(parts) + (f". Our regulariser and its diagnostics (not the paper's method): {summary}"
                                            if ours else "")
    per_unit = [{k: r.get(k) for k in ("task", "variant", "seed", "grok_epoch", "epochs_run", "diverged_at",
                                       "final_train_acc", "final_test_acc", "final_parameter_norm", "train_seconds")}
                for r in sorted(rows, key=lambda r: (r["task"], r["variant"], r["seed"]))]
    figures = []
    if comps:
        figures.append(_figure_km(run_dir, comps, kms))
        figures.append(_figure_effects(run_dir, comps))
    for task in ("modular", "parity"):
        if any(r["task"] == task for r in rows):
            figures.append(_figure_curves(run_dir, config, task, rows, histories, "test_acc", "test accuracy"))
    if any(r["task"] == "modular" for r in rows):
        for h in histories.values():
            for q in h:
                if isinstance(q.get("grad_penalty"), (int, float)) and isinstance(q.get("grad_ce"), (int, float)) \
                        and q["grad_ce"] > 0:
                    q["grad_ratio"] = q["grad_penalty"] / q["grad_ce"]
        figures.append(_figure_curves(run_dir, config, "modular", rows, histories, "parameter_norm",
                                      "parameter norm", log=True))
        figures.append(_figure_curves(run_dir, config, "modular", rows, histories, "embedding_norm",
                                      "token-embedding norm", log=True))
        figures.append(_figure_curves(run_dir, config, "modular", rows, histories, "grad_ratio",
                                      "|gamma grad R| / |grad CE|", log=True))
        figures.append(_figure_penalties(run_dir, rows, histories))
    fields = _report_fields(config)
    run_dir.write_report(
        CLAIM,
        {"paper setup and ours": REPORT.rows("setup", **fields),
         "variants": [{"variant": k, "what": VARIANTS[k]} for k in config.modular_variants],
         "epochs to grok per condition (time to event, censored at the cap; Kaplan-Meier)": [
             {"task": t, "condition": v, "runs": km["n"], "grokked (events)": km["events"],
              "censored at the cap": km["censored"], "cap (epochs)": km["cap"], "Kaplan-Meier median": km["median text"],
              "note": "every run censored: none grokked by the cap" if km["events"] == 0 else ""}
             for (t, v), km in kms.items()] or "no runs",
         "epochs to grok, each variant vs its baseline: log-rank test (the verdict's rule, amended 2026-12-07)":
             [{**{k: c[k] for k in _LOGRANK_COLUMNS}, **{k: c.get(k, "") for k in _HOLM_COLUMNS}} for c in comps]
             or "no paired comparison",
         "the committed exploratory run's statistic: paired t on log min(T, cap) over seeds (the rule before "
         "2026-12-07; not the verdict)": [{k: v for k, v in c.items() if k not in _LOGRANK_COLUMNS[4:] + _HOLM_COLUMNS}
                                          for c in comps] or "no paired comparison",
         "the regulariser's R along plain AdamW training (R_grok - R_mem; paired t)":
             penalty_along_plain_training(rows, histories) or "no plain run grokked",
         "every run": per_unit},
        text, title="noise-stability-regularizer", figures=figures,
        notes=REPORT.bullets("notes", **fields))
    return {"verdict": text, "comparisons": comps,
            "kaplan_meier": [{"task": t, "condition": v, **{k: km[k] for k in ("n", "events", "censored", "cap", "median",
                                                                               "median_reached", "times", "survival")}}
                             for (t, v), km in kms.items()]}


register("noise-stability-regularizer", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit,
         analyze=analyze, axes=("modular_variants", "parity_variants"))
