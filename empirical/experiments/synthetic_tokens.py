"""synthetic-tokens: does single-layer attention pick the less sensitive of two predictors?

After Vasudeva, Fu, Zhou, Kau, Huang & Sharan (2025), "Transformers Learn Low Sensitivity
Functions: Investigations and Implications", ICLR 2025 (Definition 3.3 data; Table 3 regimes).
The data (``empirical.data.real.synthetic_tokens``; ``docs/theory.md`` §5.2) hold two features
that both fit every training label: n_s copies of the label's *sparse* token (ids 0 / 1), and a
majority (margin about n_d) among n_f *frequent* tokens drawn from m types per class. The two
candidate predictors are counting rules on the token ids:

    sparse:   sign(#id 0 − #id 1)
    frequent: sign(#frequent tokens of class +1 − #frequent tokens of class −1)

Their sensitivity is Definition 3.1 of Vasudeva et al. with P uniform over the vocabulary (token
*replacement*, ``empirical.measure.token_replacement``), computed exactly over the M replacements on the
training inputs; a property of the regime, not of any trained model. With n_s ≥ 2 the sparse rule
cannot flip under one replacement (sensitivity 0) while a margin-1 frequent rule can; with n_s = 1
and a margin ≥ 2 it is the other way round. The regimes are the rows of the paper's Table 3:
(n_s, n_d) = (3, 1) with (n_f, m) ∈ {(5, 16), (7, 28), (17, 20)} (sparse rule less sensitive) and
(n_s, n_d) = (1, 7) with (n_f, m) = (32, 36) (frequent rule less sensitive).

The model is the paper's single-layer attention f(X) = Uᵀ softmax(X W_Q W_Kᵀ Xᵀ) X W_V
(``empirical.models.token_attention``: small init, mean over positions then a vector readout),
trained full batch with Adam on the logistic loss until the training loss is below
``train.stop_loss`` (checked every ``train.log_every`` steps) or ``train.steps``. "Which predictor the model picked" is read
on *conflict* inputs: test samples whose sparse tokens are swapped for the other class's (label
kept), so the two rules disagree on every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from boolsens import BoolsensError

from ..harness.checks import check_fields
from ..harness.plan import derive_seed
from ..data.real import TokenSpec, synthetic_tokens, token_kinds
from ..models.token_attention import TokenAttention, TokenAttentionConfig
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, pyplot
from ..harness.rundir import RunDir
from ..analysis.stats import combine, mean_ci, paired_difference, verdict
from ..measure.token_replacement import replacement_sensitivity
from ..train.loop import train
from ..train.recipe import make_optimizer

CLAIM = ("On Definition 3.3 data where a sparse-token rule and a frequent-token rule both fit the labels, "
         "single-layer attention learns the rule with the lower sensitivity (Table 3 regimes).")

#: the paper's Table 3 rows, (n_s, n_f, n_d, m)
TABLE_3 = ((3, 5, 1, 16), (3, 7, 1, 28), (3, 17, 1, 20), (1, 32, 7, 36))
#: fixed before any run: the equivalence margin on the agreement with the lower-sensitivity rule
MARGIN = 0.05
#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)
KIND_NAMES = ("sparse", "frequent", "irrelevant")


@dataclass(frozen=True, kw_only=True)
class TokenModelSpec:
    """The single-layer attention (:class:`~empirical.models.token_attention.TokenAttentionConfig`
    without its vocabulary, which is the data's ``M``): width and initial weight scale."""

    d_model: int = 32
    init_scale: float = 0.01     # every weight starts N(0, init_scale²)

    def __post_init__(self) -> None:
        check_fields(self, counts=("d_model",), positive=("init_scale",))

    def model_config(self, M: int) -> TokenAttentionConfig:
        """The model's config over a vocabulary of ``M`` tokens."""
        return TokenAttentionConfig(M=M, d_model=self.d_model, init_scale=self.init_scale)


@dataclass(frozen=True, kw_only=True)
class TokenTrainSpec:
    """Full-batch Adam on the logistic loss until the training loss is below ``stop_loss``
    (checked every ``log_every`` steps) or ``steps`` steps."""

    lr: float = 1e-3
    steps: int = 1500
    stop_loss: float = 0.01      # stop once the full-batch training loss is below this
    log_every: int = 20
    checkpoint_every: int = 200

    def __post_init__(self) -> None:
        check_fields(self, counts=("steps", "log_every", "checkpoint_every"), positive=("lr",),
                     nonnegative=("stop_loss",))


@dataclass(frozen=True, kw_only=True)
class TokenMeasureSpec:
    """The replacement sensitivities: exact for the two rules, ``draws`` Monte-Carlo draws per
    (input, position) for the model, on the first ``samples`` training inputs."""

    samples: int = 300
    draws: int = 2

    def __post_init__(self) -> None:
        check_fields(self, counts=("samples", "draws"))


@dataclass(frozen=True, kw_only=True)
class SyntheticTokensConfig(ExperimentConfig):
    """The seeds, the regimes (axis), the data (vocabulary ``M``, length ``T``, sample sizes), and
    the nested model, training and measurement configs."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    regimes: tuple[tuple[int, int, int, int], ...] = TABLE_3   # (n_s, n_f, n_d, m)
    M: int = 100                 # vocabulary (the paper's M was not available)
    T: int = 40                  # sequence length (not available; >= n_s + n_f of every row)
    n_train: int = 1000
    n_test: int = 1000
    model: TokenModelSpec = field(default_factory=TokenModelSpec)
    train: TokenTrainSpec = field(default_factory=TokenTrainSpec)
    measure: TokenMeasureSpec = field(default_factory=TokenMeasureSpec)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, counts=("M", "T", "n_train", "n_test"))   # model, train and measure check their own
        if not self.regimes:
            raise BoolsensError("regimes=() must hold at least one (n_s, n_f, n_d, m) row")
        for n_s, n_f, n_d, m in self.regimes:  # each row checked as the data generator will check it
            TokenSpec(M=self.M, T=self.T, n_s=n_s, n_f=n_f, n_d=n_d, m=m).validate()


PRESETS = {
    "smoke": SyntheticTokensConfig(seeds=(0,), regimes=((3, 5, 1, 4), (1, 8, 6, 4)), M=16, T=12, n_train=64,
                                   n_test=64, model=TokenModelSpec(d_model=8),
                                   train=TokenTrainSpec(lr=1e-2, steps=6, log_every=2, checkpoint_every=2),
                                   measure=TokenMeasureSpec(samples=16, draws=1)),
    "cpu": SyntheticTokensConfig(),
    "gpu": SyntheticTokensConfig(seeds=tuple(range(10)), n_train=10_000, n_test=5000, model=TokenModelSpec(d_model=64),
                                 train=TokenTrainSpec(steps=20_000, stop_loss=1e-3, log_every=100,
                                                      checkpoint_every=1000),
                                 measure=TokenMeasureSpec(samples=2000, draws=8)),
}


def sparse_rule(ids: torch.Tensor) -> torch.Tensor:
    """#id 0 − #id 1 per row, ``(B, T) -> (B,)`` (its sign is the sparse predictor; 0 is a tie).

    >>> sparse_rule(torch.tensor([[0, 0, 5], [1, 0, 1]])).tolist()
    [2.0, -1.0]
    """
    return ((ids == 0).sum(1) - (ids == 1).sum(1)).double()


def frequent_rule(m: int):
    """The frequent predictor for m types per class: #ids in {2, 4, …, 2m} − #ids in {3, 5, …, 2m+1}.

    >>> frequent_rule(2)(torch.tensor([[2, 4, 3, 0], [6, 3, 5, 1]])).tolist()
    [1.0, -2.0]
    """
    def rule(ids: torch.Tensor) -> torch.Tensor:
        freq = (ids >= 2) & (ids < 2 + 2 * m)  # (B, T)
        plus = freq & ((ids - 2) % 2 == 0)
        return (plus.sum(1) - (freq & ~plus).sum(1)).double()  # (B,)
    return rule


def units(config: SyntheticTokensConfig) -> list[dict]:
    """One unit per (regime, seed)."""
    return [{"regime": list(r), "seed": s} for r in config.regimes for s in config.seeds]


def run_unit(config: SyntheticTokensConfig, unit: dict, ctx) -> dict:
    """Train one model on one regime and read which rule it follows on conflict inputs."""
    n_s, n_f, n_d, m = unit["regime"]
    seed, dev = unit["seed"], ctx.device
    spec = TokenSpec(M=config.M, T=config.T, n_s=n_s, n_f=n_f, n_d=n_d, m=m).validate()
    _, ytr, idtr = synthetic_tokens(spec, config.n_train, seed=derive_seed(seed, "data", "train"))
    _, yte, idte = synthetic_tokens(spec, config.n_test, seed=derive_seed(seed, "data", "test"))
    _, yconf, idconf = synthetic_tokens(spec, config.n_test, seed=derive_seed(seed, "data", "conflict"), ood=True)
    idtr, ytr, idte, yte, idconf = (t.to(dev) for t in (idtr, ytr, idte, yte, idconf))
    freq = frequent_rule(m)
    sparse_says = torch.sign(sparse_rule(idconf)).float()  # (N,) = -y on every conflict input
    torch.manual_seed(derive_seed(seed, "init"))  # TokenAttention draws its weights from the global generator
    model = TokenAttention(config.model.model_config(config.M)).to(dev)
    tr, ms = config.train, config.measure
    opt = make_optimizer(model.parameters(), "adam", lr=tr.lr)

    def loss_fn(mdl, ids, y):
        return F.softplus(-y * mdl(ids)).mean()  # logistic loss on ±1 labels

    def sign(out):
        return torch.where(out >= 0, 1.0, -1.0)

    def on_log(step, mdl):
        out = mdl(idtr)
        conf = sign(mdl(idconf))
        return {"train_loss": float(loss_fn(mdl, idtr, ytr)), "train_acc": float((sign(out) == ytr).float().mean()),
                "agree_frequent": float((conf == yconf.to(dev)).float().mean()),
                "agree_sparse": float((conf == sparse_says).float().mean())}

    res = train(model, opt, steps=tr.steps, next_batch=lambda step: (idtr, ytr), loss_fn=loss_fn, ctx=ctx,
                log_every=tr.log_every, checkpoint_every=tr.checkpoint_every, on_log=on_log,
                stop=lambda step, rec: rec["train_loss"] < tr.stop_loss)
    with torch.no_grad():
        final = on_log(res.steps, model)
        test_acc = float((sign(model(idte)) == yte).float().mean())
        xs = idtr[: ms.samples].cpu()
        s_sparse = replacement_sensitivity(sparse_rule, xs, vocab=config.M, exact=True)
        s_freq = replacement_sensitivity(freq, xs, vocab=config.M, exact=True)
        s_model = replacement_sensitivity(model, xs, vocab=config.M, n_draws=ms.draws,
                                          seed=derive_seed(seed, "sensitivity"))
        att = model.attention(idtr[:500]).cpu()  # (b, T, T)
        kinds = torch.from_numpy(token_kinds(spec))[idtr[:500].cpu()]  # (b, T) kind of each key
        mass = {KIND_NAMES[k]: float((att * (kinds == k).float()[:, None, :]).sum(-1).mean()) for k in range(3)}
    lower = ("sparse" if s_sparse.overall.value < s_freq.overall.value else
             "frequent" if s_freq.overall.value < s_sparse.overall.value else "neither")
    return {
        "regime": [n_s, n_f, n_d, m], "seed": seed, "steps": res.steps, "converged": bool(res.stopped_early),
        "train_loss": final["train_loss"], "train_acc": final["train_acc"], "test_acc": test_acc,
        "agree_sparse": final["agree_sparse"], "agree_frequent": final["agree_frequent"],
        "sens_sparse_rule": s_sparse.overall.value, "sens_frequent_rule": s_freq.overall.value,
        "sens_model": s_model.overall.value, "sens_model_stderr": s_model.overall.stderr,
        "lower_sensitivity_rule": lower,
        "agree_lower": (final["agree_sparse"] if lower == "sparse" else
                        final["agree_frequent"] if lower == "frequent" else float("nan")),
        "attention_mass": mass, "train_seconds": res.seconds,
    }


def zero_variance_verdict(effect: float, sign_p: float, *, direction: int = +1) -> str:
    """The verdict of a regime whose seeds all give the same effect (amended rule, see
    :func:`analyze`): the exact two-sided sign test must give p < 0.05, and the side of the effect
    decides between reproduced and not reproduced; otherwise inconclusive.

    >>> zero_variance_verdict(0.5, 0.0625), zero_variance_verdict(0.5, 0.03125), zero_variance_verdict(-0.5, 0.03125)
    ('inconclusive', 'reproduced', 'not reproduced')
    """
    if not sign_p < 0.05 or effect == 0:
        return "inconclusive"
    return "reproduced" if effect * direction > 0 else "not reproduced"


def regime_verdict(d: dict) -> str:
    """One regime's verdict from :func:`empirical.analysis.stats.paired_difference` of a against 1/2:
    the t interval's (:func:`empirical.analysis.stats.verdict`, direction +1, margin :data:`MARGIN`), or at
    zero variance (``p_method`` says so) the exact sign test's (:func:`zero_variance_verdict`).

    >>> regime_verdict(paired_difference([1.0] * 5, [0.5] * 5))
    'inconclusive'
    >>> regime_verdict(paired_difference([0.9, 0.95, 1.0, 0.97, 0.92], [0.5] * 5))
    'reproduced'
    """
    if d["p_method"].startswith("sign test"):
        return zero_variance_verdict(d["effect"], d["p"])
    return verdict(d["ci_low"], d["ci_high"], direction=+1, margin=MARGIN)


def _regime_name(r) -> str:
    return "({},{},{},{})".format(*r)


def _figure(run_dir: RunDir, config: SyntheticTokensConfig, results: list) -> list[str]:
    plt = pyplot()
    regimes = [list(r) for r in config.regimes]
    fig, axes = plt.subplots(1, len(regimes), figsize=(3.4 * len(regimes), 3.2), squeeze=False)
    for ax, reg in zip(axes[0], regimes):
        for r in results:
            if list(r.record["regime"]) != reg:
                continue
            hist = [h for h in run_dir.read_metrics(r.unit.key) if "agree_frequent" in h]
            ax.plot([h["step"] for h in hist], [h["agree_frequent"] for h in hist], color="tab:green", alpha=0.6)
            ax.plot([h["step"] for h in hist], [h["agree_sparse"] for h in hist], color="tab:purple", alpha=0.6)
        ax.plot([], [], color="tab:green", label="agrees with frequent rule")
        ax.plot([], [], color="tab:purple", label="agrees with sparse rule")
        ax.set_ylim(-0.03, 1.03)
        ax.set_title(f"(n_s,n_f,n_d,m) = {_regime_name(reg)}", fontsize=9)
        ax.set_xlabel("step")
    axes[0][0].set_ylabel("fraction of conflict inputs")
    axes[0][0].legend(fontsize=7)
    fig.suptitle("synthetic-tokens: which rule the model follows during training (one line per seed)")
    return [run_dir.save_figure(fig, "synthetic_tokens_agreement").name]


def _report_fields(config: SyntheticTokensConfig) -> dict:
    """The values the report template (``reports/synthetic_tokens.md``) shows."""
    c, model, tr = config, config.model, config.train
    return {"regimes": ", ".join(_regime_name(r) for r in c.regimes), "M": c.M, "T": c.T, "draws": c.measure.draws,
            "d_model": model.d_model, "init_scale": model.init_scale, "lr": tr.lr, "n_train": c.n_train,
            "stop_loss": tr.stop_loss, "steps": tr.steps, "n_seeds": len(c.seeds), "margin": MARGIN}


def analyze(config: SyntheticTokensConfig, results: list, run_dir: RunDir) -> dict:
    """Per regime: the agreement with the lower-sensitivity rule, its CI over seeds, the verdict.

    Statistic and verdict rule (fixed before any run):

    Per regime and seed: a = the fraction of conflict inputs on which the trained model agrees with
    the *lower-sensitivity* predictor (the one with the smaller exact replacement sensitivity on the
    training inputs). Per regime the effect is mean(a) − 1/2 over seeds with its 95 % t interval and
    the one-sample t-test against 1/2 (``empirical.analysis.stats.paired_difference`` against the constant
    1/2); predicted direction +1, equivalence margin 0.05 (a model within 0.45…0.55 follows neither).
    ``empirical.analysis.stats.verdict`` gives each regime's verdict and ``combine`` the overall one (all four
    regimes must be reproduced). A regime in which neither rule is less sensitive is reported and left
    out of the verdict.

    Amended 2026-12-07 (zero variance), after a reviewer ("t intervals with zero variance give
    'p = 0' … an exact sign test gives 0.0625"): when every seed of a regime gives the same a (the
    seeds' effects have zero variance) the t interval is a single point and says nothing, so the
    verdict uses the exact two-sided sign test of a − 1/2 instead (:func:`zero_variance_verdict`):
    *reproduced* if its p < 0.05 and the effect is on the predicted side (> 0), *not reproduced* if
    p < 0.05 and it is on the other side, *inconclusive* otherwise (so 5 seeds, whose smallest
    possible p is 2·2⁻⁵ = 0.0625, cannot decide a zero-variance regime either way). The rule of
    the committed exploratory cpu run was: "Per regime the effect is mean(a) − 1/2 over seeds with
    its 95 % t interval and the one-sample t-test against 1/2 … ``empirical.analysis.stats.verdict``
    gives each regime's verdict", which read the degenerate interval [mean, mean] as decisive.
    Every p in the report (the t-test's, or the sign test's at zero variance) has the exact sign
    test's and the exact sign-flip permutation test's beside it.
    """
    rows, verdicts, per_unit = [], [], []
    first_fit = {}  # unit key -> agreement with the lower-sensitivity rule when the labels are first all fitted
    for r in results:
        lower = r.record["lower_sensitivity_rule"]
        fitted = [h for h in run_dir.read_metrics(r.unit.key) if h.get("train_acc") == 1.0]
        if fitted and lower in ("sparse", "frequent"):
            first_fit[r.record["seed"], tuple(r.record["regime"])] = fitted[0][f"agree_{lower}"]
    for reg in config.regimes:
        recs = [r.record for r in results if list(r.record["regime"]) == list(reg)]
        if not recs:
            continue
        lower = {r["lower_sensitivity_rule"] for r in recs}
        row = {"regime (n_s,n_f,n_d,m)": _regime_name(reg), "seeds": len(recs),
               "sens sparse rule": float(np.mean([r["sens_sparse_rule"] for r in recs])),
               "sens frequent rule": float(np.mean([r["sens_frequent_rule"] for r in recs])),
               "lower-sensitivity rule": "/".join(sorted(lower))}
        ms = mean_ci([r["sens_model"] for r in recs])
        row.update({"sens model": ms["mean"], "sens model CI": f"[{ms['ci_low']:.4f}, {ms['ci_high']:.4f}]",
                    "agree sparse (mean)": float(np.mean([r["agree_sparse"] for r in recs])),
                    "agree frequent (mean)": float(np.mean([r["agree_frequent"] for r in recs])),
                    "converged": f"{sum(r['converged'] for r in recs)}/{len(recs)}",
                    "agree_lower at first fit (mean, not the rule)": float(np.mean(
                        [first_fit[k] for k in ((r["seed"], tuple(reg)) for r in recs) if k in first_fit] or [np.nan])),
                    "train acc (min)": min(r["train_acc"] for r in recs)})
        if lower in ({"sparse"}, {"frequent"}):
            d = paired_difference([r["agree_lower"] for r in recs], [0.5] * len(recs))
            v = regime_verdict(d)
            verdicts.append(v)
            row.update({"effect: agree_lower - 1/2": d["effect"], "CI low": d["ci_low"], "CI high": d["ci_high"],
                        "t": d["t"], "p": d["p"], "p from": d["p_method"],
                        "p (exact sign test)": d.get("sign_p", float("nan")),
                        "p (sign-flip permutation)": d.get("permutation_p", float("nan")), "verdict": v})
        else:
            row.update({"verdict": "left out (no rule is less sensitive)"})
        rows.append(row)
        for r in recs:
            per_unit.append({"regime": _regime_name(reg), "seed": r["seed"], "steps": r["steps"],
                             "train_loss": r["train_loss"], "train_acc": r["train_acc"], "test_acc": r["test_acc"],
                             "agree_sparse": r["agree_sparse"], "agree_frequent": r["agree_frequent"],
                             "sens_model": r["sens_model"],
                             "attn_sparse": r["attention_mass"]["sparse"],
                             "attn_frequent": r["attention_mass"]["frequent"]})
    overall = combine(verdicts) if verdicts else "inconclusive"
    parts = [f"{row['regime (n_s,n_f,n_d,m)']}: {row['verdict']}" for row in rows]
    text = f"{overall}: by regime, {'; '.join(parts)}"
    fields = _report_fields(config)
    figures = _figure(run_dir, config, results)
    run_dir.write_report(
        CLAIM, {"setup: paper vs ours": REPORT.rows("setup", **fields), "statistic by regime": rows, "every unit": per_unit}, text,
        title="synthetic-tokens", figures=figures,
        notes=REPORT.bullets("notes", **fields))
    return {"verdict": text, "overall": overall, "rows": rows}


register("synthetic-tokens", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze,
         axes=("regimes",))
