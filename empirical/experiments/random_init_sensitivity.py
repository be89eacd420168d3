r"""random-init-sensitivity, after Bhattamishra et al. (2023), "Simplicity Bias in Transformers and
their Ability to Learn Sparse Boolean Functions", ACL 2023 (Long), pp. 5767–5791,
arXiv:2211.12316: the normalized sensitivity I(f)/n of the Boolean function computed by a randomly
initialised transformer and a randomly initialised LSTM, over the initialisation scale and the
input length (``docs/theory.md`` §5.9).

Setup, as their public code (``RandFLTAtt``, ``RandFLTClf``; :mod:`empirical.models.random_init`):

* *uniform* family (their ``rand_sensi.py``): a pre-LN transformer with a final LayerNorm, d_model
  64, 4 layers, 1 head, FFN 2·d_model, learnable positions, an end token appended and read by a
  linear decoder without bias; an LSTM with hidden width 64, 2 layers, read at the last position.
  Token embedding, decoder, positional table and every layer weight ~ U(−w, w); biases zeroed;
  LayerNorm gains/biases left at 1/0. Swept over ``ws`` (their default and largest w is 10).
* *Gaussian* family (their ``rand_gauss_sensi.py``, Fig. 1 bottom right at σ = 10): the same
  transformer with 2 layers and 8 heads; an LSTM with hidden width 10, 1 layer, embedding width 2.
  Layer weights ~ N(0, σ²), biases zeroed; transformer embedding and decoder ~ N(0, 1), positions
  ~ U(−1, 1); LSTM embedding and decoder ~ U(−1, 1). Swept over ``sigmas``.
* The function is the classifier's label (sigmoid(logit) >= ½) on all 2ⁿ inputs, and
  I(f)/n = (1/n) Σ_i Pr_x[f(x) ≠ f(x ⊕ e_i)] is computed exactly by ``boolsens`` (their code
  enumerates all 2ⁿ strings for n <= 12, as here for every n).

One unit = one random model (model kind, family, scale, n, seed). The seed fixes the model's base
draw, shared across the scales of a sweep (a model at scale 2w is the model at w with every drawn
weight doubled), so each seed gives one whole curve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from scipy import stats as scipy_stats

import boolsens as bs
from boolsens import BoolsensError
from boolsens.cube import index_to_bits

from ..harness.checks import check_fields
from ..harness.plan import derive_seed
from ..models.random_init import (EndTokenConfig, EndTokenTransformer, LastStateConfig, LastStateLSTM,
                                  init_gaussian, init_uniform)
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, format_p, pyplot
from ..harness.rundir import RunDir
from ..analysis.stats import combine, holm_rows, mean_ci, verdict, welch_difference

#: the report's prose: the setup beside the paper's code, the notes
REPORT = ReportTemplate.beside(__file__)

CLAIM = ("Bhattamishra et al.: randomly initialised transformers compute Boolean functions of lower "
         "sensitivity than randomly initialised LSTMs, over the initialisation scale (uniform U(−w, w) and "
         "Gaussian N(0, σ²) weights) and the input length.")

MODELS = ("transformer", "lstm")


@dataclass(frozen=True, kw_only=True)
class RandomInitConfig(ExperimentConfig):
    models: tuple[str, ...] = MODELS
    ns: tuple[int, ...] = (6, 8, 10, 12)
    ws: tuple[float, ...] = (0.1, 0.3, 1.0, 3.0, 10.0)    # uniform family: U(-w, w)
    sigmas: tuple[float, ...] = (1.0, 3.0, 10.0)          # Gaussian family: N(0, sigma^2)
    # uniform family (their rand_sensi.py defaults)
    d_model: int = 64
    n_layers: int = 4
    n_heads: int = 1
    d_mlp: int = 128                  # FFN width: 2 * d_model, as theirs
    lstm_d_model: int = 64
    lstm_n_layers: int = 2
    # Gaussian family (their rand_gauss_sensi.py defaults)
    gaussian_n_layers: int = 2
    gaussian_n_heads: int = 8
    gaussian_lstm_d_model: int = 10
    gaussian_lstm_d_embed: int = 2
    gaussian_lstm_n_layers: int = 1
    # evaluation of the cube
    batch_size: int = 1024            # inputs per forward pass
    checkpoint_every: int = 64        # forward passes between checkpoints of a unit's partial table

    def __post_init__(self) -> None:
        super().__post_init__()
        bad = [m for m in self.models if m not in MODELS]
        if bad or not self.models:
            raise BoolsensError(f"models={self.models!r} must be a non-empty subset of {MODELS}")
        if any(isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 20 for n in self.ns) or not self.ns:
            raise BoolsensError(f"ns={self.ns!r} must be integers in [1, 20] (exact on the whole cube)")
        for name in ("ws", "sigmas"):
            if any(not (isinstance(v, (int, float)) and v > 0 and math.isfinite(v)) for v in getattr(self, name)):
                raise BoolsensError(f"{name}={getattr(self, name)!r} must be positive numbers")
        if not (self.ws or self.sigmas):
            raise BoolsensError("ws and sigmas are both empty: there is nothing to measure")
        if self.batch_size < 1 or self.checkpoint_every < 1:
            raise BoolsensError(f"batch_size={self.batch_size} and checkpoint_every={self.checkpoint_every} "
                                "must be >= 1")
        check_fields(self, counts=("d_model", "n_layers", "n_heads", "d_mlp", "lstm_d_model", "lstm_n_layers",
                                   "gaussian_n_layers", "gaussian_n_heads", "gaussian_lstm_d_model",
                                   "gaussian_lstm_d_embed", "gaussian_lstm_n_layers", "batch_size", "checkpoint_every"))
        for heads in ("n_heads", "gaussian_n_heads"):
            if self.d_model % getattr(self, heads):
                raise BoolsensError(f"d_model={self.d_model} must be a multiple of {heads}={getattr(self, heads)}")


PRESETS = {
    "smoke": RandomInitConfig(ns=(4,), ws=(1.0, 10.0), sigmas=(10.0,), seeds=3, d_model=8, d_mlp=16, n_layers=1,
                              lstm_d_model=8, lstm_n_layers=1, gaussian_n_heads=2, gaussian_n_layers=1,
                              gaussian_lstm_d_model=4, batch_size=4, checkpoint_every=1),
    # the paper's architectures and both initialisations at full size; 40 models per setting
    # (their README example uses 100), n <= 12 (exact, as theirs for n <= 12)
    "cpu": RandomInitConfig(seeds=40),
    "gpu": RandomInitConfig(ns=(6, 8, 10, 12, 15, 20), ws=(0.1, 0.3, 1.0, 3.0, 10.0, 30.0),
                            sigmas=(0.3, 1.0, 3.0, 10.0, 30.0), seeds=100, batch_size=8192),
}


def units(config: RandomInitConfig) -> list[dict]:
    """One unit per (family, model, scale, n, seed)."""
    grid = [("uniform", w) for w in config.ws] + [("gaussian", s) for s in config.sigmas]
    return [{"init": fam, "model": m, "scale": float(scale), "n": n, "seed": s}
            for fam, scale in grid for m in config.models for n in config.ns for s in config.seeds]


def build(config: RandomInitConfig, unit: dict) -> torch.nn.Module:
    """The unit's random model (CPU, evaluation mode). The base draw depends on (family, model, n,
    seed) only, not on the scale."""
    fam, kind, n = unit["init"], unit["model"], unit["n"]
    if kind == "transformer":
        layers, heads = ((config.n_layers, config.n_heads) if fam == "uniform"
                         else (config.gaussian_n_layers, config.gaussian_n_heads))
        model = EndTokenTransformer(EndTokenConfig(n=n, d_model=config.d_model, n_layers=layers, n_heads=heads,
                                                   d_mlp=config.d_mlp))
    elif fam == "uniform":
        model = LastStateLSTM(LastStateConfig(n=n, d_model=config.lstm_d_model, n_layers=config.lstm_n_layers))
    else:
        model = LastStateLSTM(LastStateConfig(n=n, d_model=config.gaussian_lstm_d_model,
                                              d_embed=config.gaussian_lstm_d_embed,
                                              n_layers=config.gaussian_lstm_n_layers))
    generator = torch.Generator().manual_seed(derive_seed(unit["seed"], "init", fam, kind, n))
    init = init_uniform if fam == "uniform" else init_gaussian
    return init(model, unit["scale"], generator).eval()


def label_table(model: torch.nn.Module, n: int, *, batch_size: int, device, ctx=None,
                checkpoint_every: int = 64) -> np.ndarray:
    """The model's logits on all 2ⁿ inputs, in the index order of :mod:`boolsens.cube`: (2**n,)
    float32. With ``ctx`` the partial table is checkpointed every ``checkpoint_every`` batches and
    a resumed unit continues from it (the model is rebuilt from its seed, so the table is the same)."""
    size = 1 << n
    done, parts = 0, []
    saved = ctx.load_checkpoint() if ctx is not None else None
    if saved is not None:
        done, parts = saved["step"], [saved["logits"]]
    model = model.to(device)
    batches = 0
    with torch.no_grad():
        while done < size:
            idx = torch.arange(done, min(done + batch_size, size))
            parts.append(model(index_to_bits(idx, n).to(device)).float().cpu())  # (b,)
            done += idx.numel()
            batches += 1
            if ctx is not None and batches % checkpoint_every == 0 and done < size:
                ctx.save_checkpoint({"step": done, "logits": torch.cat(parts)})
    return torch.cat(parts).numpy()


def run_unit(config: RandomInitConfig, unit: dict, ctx) -> dict:
    """Draw the unit's model, read its labels on the whole cube, measure I(f)/n exactly."""
    n = unit["n"]
    logits = label_table(build(config, unit), n, batch_size=config.batch_size, device=ctx.device, ctx=ctx,
                         checkpoint_every=config.checkpoint_every)
    # label 1 (sigmoid >= 1/2) is True = -1 (the boolsens convention)
    f = bs.BooleanFunction(np.where(logits >= 0, -1, 1).astype(np.int8))
    record = {**unit, "normalized_sensitivity": float(bs.normalized_sensitivity(f)),
              "total_influence": float(bs.total_influence(f)), "bias": f.bias(),
              "constant": bool(abs(f.bias()) == 1.0),
              "weights": np.asarray(bs.fourier_weights(f), dtype=float).tolist()}
    ctx.log({"step": 1 << n, "normalized_sensitivity": record["normalized_sensitivity"], "bias": record["bias"]})
    return record


# ----------------------------------------------------------------------------- analysis
def _curve_means(rows: list[dict], fam: str, kind: str, scales: tuple, ns: tuple) -> dict[int, float]:
    """Per seed, I(f)/n averaged over the family's whole (scale x n) grid (seeds with every point)."""
    by_seed: dict[int, list[float]] = {}
    for r in rows:
        if r["init"] == fam and r["model"] == kind:
            by_seed.setdefault(r["seed"], []).append(r["normalized_sensitivity"])
    need = len(scales) * len(ns)
    return {s: float(np.mean(v)) for s, v in by_seed.items() if len(v) == need}


def _family_effect(rows: list[dict], fam: str, scales: tuple, ns: tuple) -> dict | None:
    t = _curve_means(rows, fam, "transformer", scales, ns)
    lstm = _curve_means(rows, fam, "lstm", scales, ns)
    if len(t) < 2 or len(lstm) < 2:
        return None
    a, b = list(t.values()), list(lstm.values())
    eff = welch_difference(a, b)
    eff["mann_whitney_p"] = float(scipy_stats.mannwhitneyu(a, b, alternative="two-sided").pvalue)
    eff["verdict"] = verdict(eff["ci_low"], eff["ci_high"], direction=-1)
    eff["transformer_mean"], eff["lstm_mean"] = float(np.mean(a)), float(np.mean(b))
    eff["seeds_transformer"], eff["seeds_lstm"] = len(a), len(b)
    return eff


def _points(rows: list[dict], fam: str, scales: tuple, ns: tuple) -> list[dict]:
    out = []
    for scale in scales:
        for n in ns:
            get = {k: [r for r in rows if r["init"] == fam and r["model"] == k and r["scale"] == scale
                       and r["n"] == n] for k in MODELS}
            row = {"init": fam, "scale": scale, "n": n}
            for k in MODELS:
                vals = [r["normalized_sensitivity"] for r in get[k]]
                if vals:
                    ci = mean_ci(vals)
                    row.update({f"{k} mean": ci["mean"], f"{k} ci": f"[{ci['ci_low']:.3f}, {ci['ci_high']:.3f}]",
                                f"{k} constant": float(np.mean([r["constant"] for r in get[k]]))})
            ta = [r["normalized_sensitivity"] for r in get["transformer"]]
            la = [r["normalized_sensitivity"] for r in get["lstm"]]
            if len(ta) >= 2 and len(la) >= 2:
                d = welch_difference(ta, la)
                row.update({"T − L": d["effect"], "95% CI": f"[{d['ci_low']:.3f}, {d['ci_high']:.3f}]",
                            "p (Welch)": d["p"], "verdict": verdict(d["ci_low"], d["ci_high"], direction=-1)})
            out.append(row)
    return out


def _report_fields(config: RandomInitConfig) -> dict:
    """The values the report template (``reports/random_init_sensitivity.md``) shows."""
    return {"d_model": config.d_model, "n_layers": config.n_layers, "n_heads": config.n_heads, "d_mlp": config.d_mlp,
            "lstm_d_model": config.lstm_d_model, "lstm_n_layers": config.lstm_n_layers,
            "ws": ", ".join(f"{w:g}" for w in config.ws), "gaussian_n_layers": config.gaussian_n_layers,
            "gaussian_n_heads": config.gaussian_n_heads, "gaussian_lstm_d_model": config.gaussian_lstm_d_model,
            "gaussian_lstm_n_layers": config.gaussian_lstm_n_layers,
            "gaussian_lstm_d_embed": config.gaussian_lstm_d_embed,
            "sigmas": ", ".join(f"{s:g}" for s in config.sigmas), "ns": ", ".join(map(str, config.ns)),
            "models": len(config.seeds), "first_seed": config.seeds[0], "last_seed": config.seeds[-1]}


def _plot(run_dir: RunDir, rows: list[dict], config: RandomInitConfig) -> list[str]:
    plt = pyplot()
    fams = [(f, s) for f, s in (("uniform", config.ws), ("gaussian", config.sigmas)) if s]
    fig, axes = plt.subplots(len(fams), len(config.ns), figsize=(3.1 * len(config.ns), 3.0 * len(fams)),
                             sharey=True, squeeze=False)
    for i, (fam, scales) in enumerate(fams):
        for j, n in enumerate(config.ns):
            ax = axes[i][j]
            for kind, colour in (("transformer", "tab:blue"), ("lstm", "tab:red")):
                xs, ms, lo, hi = [], [], [], []
                for scale in scales:
                    vals = [r["normalized_sensitivity"] for r in rows
                            if (r["init"], r["model"], r["scale"], r["n"]) == (fam, kind, scale, n)]
                    if vals:
                        ci = mean_ci(vals)
                        xs.append(scale)
                        ms.append(ci["mean"])
                        lo.append(ci["ci_low"] if np.isfinite(ci["ci_low"]) else ci["mean"])
                        hi.append(ci["ci_high"] if np.isfinite(ci["ci_high"]) else ci["mean"])
                if xs:
                    ax.plot(xs, ms, "o-", color=colour, label=kind)
                    ax.fill_between(xs, lo, hi, color=colour, alpha=0.2)
            ax.set_xscale("log")
            ax.set_title(f"{fam}, n = {n}", fontsize=9)
            ax.set_xlabel("w (U(−w, w))" if fam == "uniform" else "σ (N(0, σ²))")
        axes[i][0].set_ylabel("mean I(f)/n (95% CI)")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("random-init-sensitivity: normalized sensitivity of random models")
    names = [run_dir.save_figure(fig, "init_sensitivity").name]

    fig, axes = plt.subplots(1, len(fams), figsize=(5 * len(fams), 3.4), squeeze=False)
    n = max(config.ns)
    for ax, (fam, scales) in zip(axes[0], fams):
        scale = max(scales)
        for kind, colour in (("transformer", "tab:blue"), ("lstm", "tab:red")):
            vals = [r["normalized_sensitivity"] for r in rows
                    if (r["init"], r["model"], r["scale"], r["n"]) == (fam, kind, scale, n)]
            if vals:
                ax.hist(vals, bins=np.linspace(0, 0.55, 23), alpha=0.6, color=colour, label=kind,
                        weights=np.full(len(vals), 1 / len(vals)))
        ax.set_title(f"{fam}, {'w' if fam == 'uniform' else 'σ'} = {scale:g}, n = {n}", fontsize=9)
        ax.set_xlabel("I(f)/n")
    axes[0][0].set_ylabel("fraction of models")
    axes[0][0].legend(fontsize=8)
    fig.suptitle("distribution over random models (cf. their Fig. 1, bottom right: Gaussian, σ = 10)")
    names.append(run_dir.save_figure(fig, "init_sensitivity_distribution").name)
    return names


def analyze(config: RandomInitConfig, results: list, run_dir: RunDir) -> dict:
    """Per family, the effect over the whole sweep and at every point; the verdict, report, figures.

    Statistic and verdict rule (fixed before any run):

    Effect, per family: Δ = mean over seeds of (the seed's transformer I(f)/n averaged over the whole
    sweep grid, every scale × every n) minus the same for the LSTM; 95 % Welch t interval and Welch
    t-test (the two architectures' models are independent draws), a Mann–Whitney U p-value beside it.
    Predicted direction: Δ < 0 (the transformer less sensitive). Per family the verdict is
    :func:`empirical.analysis.stats.verdict` (CI below 0: reproduced; above 0: not reproduced; else
    inconclusive; no equivalence margin), and the experiment's verdict is
    :func:`empirical.analysis.stats.combine` of the two families (reproduced only if both are). *Amended
    2026-12-07, before the confirmatory run, for multiplicity:* the two families' Welch p-values are
    Holm-adjusted together (:func:`empirical.analysis.stats.holm_rows`), and a family's decided
    verdict stands only if its adjusted p < 0.05. Every
    (family, scale, n) point gets the same Welch difference and verdict word, reported as the curve
    (these do not enter the headline verdict, which rests on the whole curve).
    """
    rows = [r.record for r in results]
    fams = [(f, s) for f, s in (("uniform", config.ws), ("gaussian", config.sigmas)) if s]
    effects, points = [], []
    for fam, scales in fams:
        eff = _family_effect(rows, fam, scales, config.ns)
        pts = _points(rows, fam, scales, config.ns)
        points += pts
        if eff is None:
            effects.append({"family": fam, "verdict": "inconclusive", "note": "both models and >= 2 seeds needed"})
            continue
        count = {v: sum(p.get("verdict") == v for p in pts) for v in ("reproduced", "not reproduced", "inconclusive")}
        effects.append({"family": fam, "scales": ", ".join(f"{s:g}" for s in scales),
                        "transformer curve mean": eff["transformer_mean"], "LSTM curve mean": eff["lstm_mean"],
                        "effect Δ (T − L)": eff["effect"], "95% CI": f"[{eff['ci_low']:.4f}, {eff['ci_high']:.4f}]",
                        "Welch t": eff["t"], "p (Welch)": eff["p"], "p (Mann–Whitney)": eff["mann_whitney_p"],
                        "seeds": f"{eff['seeds_transformer']} + {eff['seeds_lstm']}", "verdict": eff["verdict"],
                        "points reproduced / not / inconclusive": f"{count['reproduced']} / {count['not reproduced']}"
                                                                  f" / {count['inconclusive']} of {len(pts)}"})
    head = combine(holm_rows(effects, p="p (Welch)", family="families"))
    parts = []
    for e in effects:
        if "effect Δ (T − L)" in e:
            parts.append(f"{e['family']}: Δ = {e['effect Δ (T − L)']:.4f}, 95% CI {e['95% CI']}, "
                         f"Welch p = {format_p(e['p (Welch)'], '.2g')}, Holm across the families "
                         f"{format_p(e['p Holm (families)'], '.2g')} → {e['verdict']} (points of the curve "
                         f"reproduced / not / inconclusive: {e['points reproduced / not / inconclusive']})")
        else:
            parts.append(f"{e['family']}: inconclusive ({e['note']})")
    others = [p for p in points if p.get("verdict") != "reproduced"]
    where = "; ".join(f"{p['init']} {'w' if p['init'] == 'uniform' else 'σ'} = {p['scale']:g}, n = {p['n']} "
                      f"({p.get('verdict', 'n/a')})" for p in others)
    text = (f"{head}: the transformer's I(f)/n minus the LSTM's, averaged over the whole sweep — " + "; ".join(parts)
            + "." + (f" Points of the curve whose own verdict is not 'reproduced': {where}." if where else ""))
    figures = _plot(run_dir, rows, config)
    fields = _report_fields(config)
    run_dir.write_report(
        CLAIM,
        {"setup: Bhattamishra et al.'s code beside this run": REPORT.rows("setup", **fields),
         "the statistic, per family (whole sweep)": effects,
         "every point of the curve (mean I(f)/n over seeds, fraction of constant functions, T − L)": points},
        text, title="random-init-sensitivity", figures=figures,
        notes=REPORT.bullets("notes", **fields))
    return {"verdict": text, "verdict_word": head, "effects": effects, "units": len(rows)}


register("random-init-sensitivity", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze,
         axes=("models", "ns", "ws", "sigmas"))
