r"""word-sensitivity, after Bombari & Mondelli (2024), "Towards Understanding the Word Sensitivity
of Attention Layers: A Study via Random Features", ICML 2024 (PMLR 235: 4300–4328),
arXiv:2402.02969: the word sensitivity

    WS_φ(X) = sup_{i ∈ [n], ‖δ‖ ≤ √d} ‖φ(X + e_i δᵀ) − φ(X)‖ / ‖φ(X)‖

of random features φ(X) = ReLU(V vec X) (RF) decays like n^{−1/2} in the number n of words, while
that of random attention features φ(X) = softmax(X W Xᵀ/√d) X (RAF) stays bounded away from 0.

Setup (:mod:`empirical.measure.word_sensitivity`): V ∈ R^{k×nd} with entries N(0, 1/(nd)), W ∈
R^{d×d} with entries N(0, 1/d), as the paper. The paper's sentences are BERT-Base embeddings of
IMDB reviews; there is no BERT here, so two stated substitutes (deviations):

* ``gaussian``: n i.i.d. Gaussian words, each normalised to norm √d;
* ``zipf`` ("text-like"): a fixed random embedding table of ``vocab`` words (Gaussian rows of norm
  √d, one table per seed) and sentences of n words drawn i.i.d. with Zipf frequencies (rank r
  has probability ∝ r^−``zipf_exponent``), so frequent words repeat as in text.

The sup over δ is estimated by projected normalised gradient ascent (``restarts`` starts on the sphere,
``steps`` steps), a lower bound of the sup; the sup over i runs over ``positions`` evenly spaced
word positions (first and last included; 0 = all n, as the paper's definition). For RF the
analytic bounds max_i ‖V_i‖_op √d/‖φ(X)‖ and ‖V‖_op √d/‖φ(X)‖ are recorded beside the estimate
(sanity: the estimate never exceeds them).

One unit = (kind ∈ {rf, raf}, data, n, seed): it draws ``trials`` sentences and its weights from
its seed (:func:`empirical.harness.plan.derive_seed`): the sentences of (data, n, seed) are shared
by RF and RAF, the attention matrix W of (data, seed) is shared across n (each seed is one W), V
is drawn per (data, n, seed) (its shape depends on n). It records the mean WS over the sentences
and its standard error.

Statistic and verdict rule (fixed before any run)
-------------------------------------------------
For each data substitute and kind, per seed: the least-squares slope b of log(mean WS) against
log n over the n grid (:func:`empirical.analysis.stats.fit_line`). Over seeds: the mean slope with
its 95 % t interval (:func:`~empirical.analysis.stats.mean_ci`), with the exact sign test and the
exact sign-flip permutation test beside it.

* (a) RF decays like n^{−1/2}. Test: slope = 0 (t-test of the seeds' slopes). CI inside
  [−0.65, −0.35] (−½ ± 0.15) → reproduced; CI disjoint from [−0.65, −0.35] → not reproduced;
  otherwise inconclusive.
* (b) RAF is bounded away from 0. Test: RAF slope = RF slope (paired by seed, paired t-test;
  :func:`~empirical.analysis.stats.paired_difference`). The RAF slope's CI lies above −0.15 AND the
  mean WS_RAF at the largest n has its 95 % CI above the floor ``ws_floor`` (0.05) → reproduced;
  the RAF slope's CI lies below −0.35, or the WS_RAF CI at the largest n lies below the floor →
  not reproduced; otherwise inconclusive.

Holm: the p-values of the four tests ((a) and (b) for each data substitute) are Holm-adjusted
together (:func:`~empirical.analysis.stats.holm`); a sub-claim whose CI rule says reproduced but
whose Holm-adjusted p is ≥ 0.05 is inconclusive. The experiment's verdict is
:func:`~empirical.analysis.stats.combine` of the four sub-claims (per substitute too, reported).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch

from boolsens import BoolsensError

from ..harness.checks import check_fields
from ..harness.plan import derive_seed
from ..harness.registry import ExperimentConfig, register
from ..measure.word_sensitivity import (KINDS, embedding_table, gaussian_sentences, raf_weights, rf_bounds,
                                        rf_weights, word_sensitivity, zipf_sentences)
from ..analysis.report import ReportTemplate, format_p, pyplot
from ..harness.rundir import RunDir
from ..analysis.stats import (combine, fit_line, holm, mean_ci, paired_difference, permutation_paired, sign_test)

#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)

CLAIM = ("Bombari & Mondelli: the word sensitivity of random features decays like n^(-1/2) in the "
         "number n of words, while that of random attention features (softmax(XWX^T/sqrt d) X) stays "
         "bounded away from 0.")

DATA = ("gaussian", "zipf")

#: the RF slope the paper predicts and the margin around it; the RAF slope above which WS does not
#: decay, below which it decays like a power comparable to RF's
RF_SLOPE, RF_MARGIN = -0.5, 0.15
RAF_FLAT, RAF_DECAYS = -0.15, -0.35


@dataclass(frozen=True, kw_only=True)
class WordSensitivityConfig(ExperimentConfig):
    kinds: tuple[str, ...] = KINDS
    data: tuple[str, ...] = DATA
    ns: tuple[int, ...] = (8, 16, 32, 64, 128)
    d: int = 64                       # embedding width (BERT-Base: 768)
    features: int = 256               # k, the width of the random features
    trials: int = 4                   # sentences per unit
    positions: int = 0                # word positions searched for the sup (evenly spaced); 0 = all n
    steps: int = 40                   # gradient steps of the ascent on δ
    restarts: int = 2                 # random starts per (sentence, position)
    lr: float = 0.1                   # the first step moves δ by lr × √d (then a cosine decay)
    vocab: int = 2000                 # zipf: the vocabulary
    zipf_exponent: float = 1.0
    ws_floor: float = 0.05            # (b): WS_RAF at the largest n must stay above this

    def __post_init__(self) -> None:
        super().__post_init__()
        for name, allowed in (("kinds", KINDS), ("data", DATA)):
            vals = getattr(self, name)
            if not vals or any(v not in allowed for v in vals) or len(set(vals)) != len(vals):
                raise BoolsensError(f"{name}={vals!r} must be a non-empty subset of {allowed}")
        check_fields(self, counts=("ns", "d", "features", "trials", "restarts", "vocab"),
                     counts0=("positions", "steps"), positive=("lr", "zipf_exponent", "ws_floor"))
        if len(set(self.ns)) != len(self.ns) or len(self.ns) < 2:
            raise BoolsensError(f"ns={self.ns!r} must be at least two distinct lengths (a slope needs them)")


PRESETS = {
    "smoke": WordSensitivityConfig(ns=(4, 8), d=8, features=16, trials=2, positions=2, steps=3, vocab=20,
                                   seeds=2),
    # d = 64, n up to 128 = 2d, the sup over every word (the paper's definition), 10 seeds: 200 units
    "cpu": WordSensitivityConfig(seeds=10),
    # BERT-Base width, the sup over every word, n up to 512 (BERT's longest input)
    "gpu": WordSensitivityConfig(ns=(8, 16, 32, 64, 128, 256, 512), d=768, features=4096, trials=16,
                                 positions=0, steps=100, restarts=3, vocab=30_000, seeds=20),
}


def units(config: WordSensitivityConfig) -> list[dict]:
    """One unit per (kind, data, n, seed)."""
    return [{"kind": k, "data": data, "n": n, "seed": s}
            for k in config.kinds for data in config.data for n in config.ns for s in config.seeds]


def sentences(config: WordSensitivityConfig, data: str, n: int, seed: int) -> tuple[torch.Tensor, float]:
    """The unit's sentences (trials, n, d), shared by RF and RAF, and the mean number of distinct
    words per sentence (n for Gaussian words)."""
    g = torch.Generator().manual_seed(derive_seed(seed, "sentences", data, n))
    if data == "gaussian":
        return gaussian_sentences(config.trials, n, config.d, g), float(n)
    table = embedding_table(config.vocab, config.d, torch.Generator().manual_seed(derive_seed(seed, "table")))
    X, ids = zipf_sentences(config.trials, n, table, g, exponent=config.zipf_exponent)
    return X, float(np.mean([len(set(row.tolist())) for row in ids]))


def searched_positions(n: int, count: int) -> torch.Tensor:
    """``count`` evenly spaced positions of n (first and last included); all n when count is 0 or >= n."""
    if count == 0 or count >= n:
        return torch.arange(n)
    return torch.unique(torch.linspace(0, n - 1, count).round().long())


def run_unit(config: WordSensitivityConfig, unit: dict, ctx) -> dict:
    """Draw the unit's sentences and weights, estimate WS of every sentence."""
    kind, data, n, seed = unit["kind"], unit["data"], unit["n"], unit["seed"]
    t0 = time.perf_counter()
    X, distinct = sentences(config, data, n, seed)
    if kind == "rf":
        weights = rf_weights(n, config.d, config.features, torch.Generator().manual_seed(
            derive_seed(seed, "rf-weights", data, n)))
    else:
        weights = raf_weights(config.d, torch.Generator().manual_seed(derive_seed(seed, "raf-weights", data)))
    est = word_sensitivity(kind, X.to(ctx.device), weights.to(ctx.device),
                           torch.Generator().manual_seed(derive_seed(seed, "starts", kind, data, n)),
                           positions=searched_positions(n, config.positions), steps=config.steps,
                           restarts=config.restarts, lr=config.lr)
    ws = est.ws.numpy()
    record = {**unit, "ws_mean": float(ws.mean()),
              "ws_se": float(ws.std(ddof=1) / math.sqrt(ws.size)) if ws.size > 1 else float("nan"),
              "ws_min": float(ws.min()), "ws_max": float(ws.max()), "ws": ws.tolist(),
              "phi_norm_mean": float(est.phi_norm.mean()), "positions_searched": int(est.positions.numel()),
              "distinct_words_mean": distinct}
    if kind == "rf":
        b = rf_bounds(X, weights)
        record.update(rf_block_bound_mean=float(b["block"].mean()), rf_bound_mean=float(b["full"].mean()),
                      ws_over_block_bound_max=float((est.ws / b["block"]).max()))
    record["seconds"] = time.perf_counter() - t0
    ctx.log({"step": n, "ws_mean": record["ws_mean"], "ws_se": record["ws_se"]})
    return record


# ----------------------------------------------------------------------------- analysis
def seed_slopes(rows: list[dict], kind: str, data: str, ns: tuple[int, ...]) -> dict[int, float]:
    """Per seed with a unit at every n: the least-squares slope of log(mean WS) on log n."""
    by_seed: dict[int, dict[int, float]] = {}
    for r in rows:
        if r["kind"] == kind and r["data"] == data and r["n"] in ns:
            by_seed.setdefault(r["seed"], {})[r["n"]] = r["ws_mean"]
    out = {}
    for seed, vals in sorted(by_seed.items()):
        if len(vals) == len(ns) and all(v > 0 for v in vals.values()):
            out[seed] = fit_line(np.log(ns), np.log([vals[n] for n in ns]))["slope"]
    return out


def _slope_summary(slopes: list[float]) -> dict:
    ci = mean_ci(slopes)
    out = {"slope": ci["mean"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"], "seeds": ci["n"],
           "p": ci["p"], "p_method": ci["p_method"]}
    if len(slopes) >= 2:
        out["sign_p"] = sign_test(slopes)["p"]
        out["permutation_p"] = permutation_paired(slopes)["p"] if len(slopes) <= 20 else float("nan")
    return out


def rf_rule(ci_low: float, ci_high: float) -> str:
    """Sub-claim (a) on the RF slope's 95 % CI (before Holm): inside −½ ± 0.15 → reproduced,
    disjoint from it → not reproduced, otherwise inconclusive."""
    lo, hi = RF_SLOPE - RF_MARGIN, RF_SLOPE + RF_MARGIN
    if not (math.isfinite(ci_low) and math.isfinite(ci_high)):
        return "inconclusive"
    if lo <= ci_low and ci_high <= hi:
        return "reproduced"
    if ci_high < lo or ci_low > hi:
        return "not reproduced"
    return "inconclusive"


def raf_rule(ci_low: float, ci_high: float, ws_ci_low: float, ws_ci_high: float, floor: float) -> str:
    """Sub-claim (b) on the RAF slope's 95 % CI and the CI of WS_RAF at the largest n (before
    Holm): slope CI above −0.15 and WS CI above ``floor`` → reproduced; slope CI below −0.35 or WS
    CI below ``floor`` → not reproduced; otherwise inconclusive."""
    finite = all(math.isfinite(v) for v in (ci_low, ci_high, ws_ci_low, ws_ci_high))
    if finite and (ci_high < RAF_DECAYS or ws_ci_high < floor):
        return "not reproduced"
    if finite and ci_low > RAF_FLAT and ws_ci_low > floor:
        return "reproduced"
    return "inconclusive"


def apply_holm(word: str, p_holm: float) -> str:
    """A 'reproduced' whose Holm-adjusted p is not below 0.05 becomes 'inconclusive'."""
    return "inconclusive" if word == "reproduced" and not p_holm < 0.05 else word


def _subclaims(rows: list[dict], config: WordSensitivityConfig) -> list[dict]:
    """The sub-claims (a) and (b) for every data substitute, with Holm-adjusted p-values."""
    ns, top = tuple(config.ns), max(config.ns)
    claims = []
    for data in config.data:
        rf = seed_slopes(rows, "rf", data, ns) if "rf" in config.kinds else {}
        raf = seed_slopes(rows, "raf", data, ns) if "raf" in config.kinds else {}
        if rf:
            s = _slope_summary(list(rf.values()))
            word = rf_rule(s["ci_low"], s["ci_high"]) if len(rf) >= 2 else "inconclusive"
            claims.append({"sub-claim": f"(a) RF slope = −½ ± {RF_MARGIN:g}", "data": data, **s,
                           "test": "slope = 0 (t over seeds)", "rule": word})
        if raf:
            s = _slope_summary(list(raf.values()))
            ws_top = [r["ws_mean"] for r in rows if (r["kind"], r["data"], r["n"]) == ("raf", data, top)]
            w = mean_ci(ws_top) if ws_top else {"mean": float("nan"), "ci_low": float("nan"), "ci_high": float("nan")}
            paired = [s2 for s2 in raf if s2 in rf]
            claim = {"sub-claim": "(b) RAF bounded away from 0", "data": data, **s,
                     f"WS_RAF at n = {top}": w["mean"], "WS 95% CI": f"[{w['ci_low']:.3g}, {w['ci_high']:.3g}]"}
            if len(paired) >= 2:
                diff = paired_difference([raf[k] for k in paired], [rf[k] for k in paired])
                claim.update({"RAF − RF slope": diff["effect"], "p": diff["p"], "p_method": diff["p_method"],
                              "sign_p": diff.get("sign_p", float("nan")),
                              "permutation_p": diff.get("permutation_p", float("nan"))})
                claim["test"] = "RAF slope = RF slope (paired t over seeds)"
            else:
                claim["test"] = "slope = 0 (t over seeds; no RF slopes to pair with)"
            claim["rule"] = (raf_rule(s["ci_low"], s["ci_high"], w["ci_low"], w["ci_high"], config.ws_floor)
                             if len(raf) >= 2 else "inconclusive")
            claims.append(claim)
    ps = [c["p"] for c in claims]
    finite = [i for i, p in enumerate(ps) if isinstance(p, float) and math.isfinite(p)]
    adjusted = holm([ps[i] for i in finite]) if finite else []
    for c in claims:
        c["p_holm"] = float("nan")
    for i, p in zip(finite, adjusted):
        claims[i]["p_holm"] = p
    for c in claims:
        c["verdict"] = apply_holm(c["rule"], c["p_holm"])
        c["95% CI"] = f"[{c['ci_low']:.3f}, {c['ci_high']:.3f}]"
    return claims


def _curve(rows: list[dict], config: WordSensitivityConfig) -> list[dict]:
    out = []
    for data in config.data:
        for n in config.ns:
            row: dict = {"data": data, "n": n}
            for kind in config.kinds:
                got = [r for r in rows if (r["kind"], r["data"], r["n"]) == (kind, data, n)]
                if not got:
                    continue
                ci = mean_ci([r["ws_mean"] for r in got])
                row[f"WS_{kind.upper()}"] = ci["mean"]
                row[f"{kind.upper()} 95% CI"] = f"[{ci['ci_low']:.3g}, {ci['ci_high']:.3g}]"
                if kind == "rf":
                    row["RF bound max_i ‖V_i‖√d/‖φ‖"] = float(np.mean([r["rf_block_bound_mean"] for r in got]))
                    row["RF bound ‖V‖√d/‖φ‖"] = float(np.mean([r["rf_bound_mean"] for r in got]))
                    row["max WS / bound"] = float(max(r["ws_over_block_bound_max"] for r in got))
            row["distinct words"] = float(np.mean([r["distinct_words_mean"] for r in rows
                                                   if (r["data"], r["n"]) == (data, n)] or [float("nan")]))
            out.append(row)
    return out


def _report_fields(config: WordSensitivityConfig) -> dict:
    """The values the report template (``reports/word_sensitivity.md``) shows."""
    return {"d": config.d, "features": config.features, "trials": config.trials,
            "positions": "every position" if config.positions == 0 else f"{config.positions} evenly spaced positions",
            "steps": config.steps, "restarts": config.restarts, "lr": config.lr, "vocab": config.vocab,
            "zipf_exponent": config.zipf_exponent, "ns": ", ".join(map(str, config.ns)),
            "seeds": len(config.seeds), "first_seed": config.seeds[0], "last_seed": config.seeds[-1],
            "ws_floor": config.ws_floor, "data": ", ".join(config.data)}


def _plot(run_dir: RunDir, rows: list[dict], config: WordSensitivityConfig) -> list[str]:
    plt = pyplot()
    fig, axes = plt.subplots(1, len(config.data), figsize=(5 * len(config.data), 3.8), squeeze=False, sharey=True)
    ns = np.asarray(config.ns, dtype=float)
    for ax, data in zip(axes[0], config.data):
        for kind, colour in (("rf", "tab:red"), ("raf", "tab:blue")):
            if kind not in config.kinds:
                continue
            ms, lo, hi = [], [], []
            for n in config.ns:
                ci = mean_ci([r["ws_mean"] for r in rows if (r["kind"], r["data"], r["n"]) == (kind, data, n)]
                             or [float("nan")])
                ms.append(ci["mean"])
                lo.append(ci["ci_low"] if math.isfinite(ci["ci_low"]) else ci["mean"])
                hi.append(ci["ci_high"] if math.isfinite(ci["ci_high"]) else ci["mean"])
            ax.plot(ns, ms, "o-", color=colour, label=f"WS {kind.upper()}")
            ax.fill_between(ns, lo, hi, color=colour, alpha=0.2)
            if kind == "rf":
                bound = [np.mean([r["rf_block_bound_mean"] for r in rows
                                  if (r["kind"], r["data"], r["n"]) == ("rf", data, n)] or [np.nan]) for n in config.ns]
                ax.plot(ns, bound, "--", color=colour, alpha=0.6, label="RF bound max_i ‖V_i‖√d/‖φ‖")
                if np.isfinite(ms[0]):
                    ax.plot(ns, ms[0] * (ns / ns[0]) ** -0.5, ":", color="grey", label="∝ n^(−1/2)")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("n (words)")
        ax.set_title(f"{data} words, d = {config.d}", fontsize=9)
    axes[0][0].set_ylabel("word sensitivity (mean over seeds, 95% CI)")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("word-sensitivity: random features vs random attention features")
    return [run_dir.save_figure(fig, "word_sensitivity").name]


def analyze(config: WordSensitivityConfig, results: list, run_dir: RunDir) -> dict:
    """The sub-claims (a) and (b) per data substitute by the rule of the module docstring, the
    curve, the verdict, the report and the figure."""
    rows = [r.record for r in results]
    claims = _subclaims(rows, config)
    head = combine([c["verdict"] for c in claims]) if claims else "inconclusive"
    per_data = {data: combine([c["verdict"] for c in claims if c["data"] == data])
                for data in config.data if any(c["data"] == data for c in claims)}
    parts = [f"{c['sub-claim']} on {c['data']} words: slope {c['slope']:.3f}, 95% CI {c['95% CI']}"
             + (f", WS at n = {max(config.ns)} {c[f'WS_RAF at n = {max(config.ns)}']:.3g} {c['WS 95% CI']}"
                if c["sub-claim"].startswith("(b)") else "")
             + f", Holm p = {format_p(c['p_holm'], '.2g')} → {c['verdict']}" for c in claims]
    text = f"{head}: " + "; ".join(parts) + "."
    bad = [r for r in rows if r["kind"] == "rf" and r["ws_over_block_bound_max"] > 1 + 1e-9]
    if bad:
        text += f" WARNING: {len(bad)} RF unit(s) exceed the analytic bound (an estimator error)."
    table = [{k: c.get(k, "") for k in ("sub-claim", "data", "slope", "95% CI", "seeds", "test", "p", "p_holm",
                                          "sign_p", "permutation_p", "RAF − RF slope",
                                          f"WS_RAF at n = {max(config.ns)}", "WS 95% CI", "rule", "verdict")
              if k in c} for c in claims]
    figures = _plot(run_dir, rows, config)
    fields = _report_fields(config)
    seconds = float(sum(r["seconds"] for r in rows))
    run_dir.write_report(
        CLAIM,
        {"setup: Bombari & Mondelli beside this run": REPORT.rows("setup", **fields),
         "the sub-claims (slopes of log WS on log n, over seeds)": table,
         "verdict per data substitute": ", ".join(f"{k}: {v}" for k, v in per_data.items()),
         "the curve (mean over seeds of each unit's mean WS over its sentences)": _curve(rows, config),
         "unit compute time (s, summed over units)": seconds},
        text, title="word-sensitivity", figures=figures, notes=REPORT.bullets("notes", **fields))
    return {"verdict": text, "verdict_word": head, "per_data": per_data, "subclaims": claims, "units": len(rows),
            "unit_seconds": seconds}


register("word-sensitivity", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze,
         axes=("kinds", "data", "ns"))
