"""vision-sensitivity: is a ViT less sensitive than a CNN, an MLP and a ConvMixer, and does the
sensitivity regulariser lower sensitivity, improve robustness and flatten the minimum?

After the vision experiments of Vasudeva, Fu, Zhou, Kau, Huang & Sharan (2025), "Transformers
Learn Low Sensitivity Functions: Investigations and Implications", ICLR 2025 (§4 vision, §6 implications;
definitions ``docs/theory.md`` §5.1, §5.5), following the authors' public code
(``estija/sensitivity``, ``cifar/cifar_sens.py``) where the paper text is silent.

Data: the ``smoke`` and ``cpu`` presets use scikit-learn's bundled 8×8 digits (no download
possible here; the paper uses CIFAR-10), pixels scaled to [−1, 1] as the paper's pipeline does
(``empirical.data.real.digits``). The ``gpu`` preset reads CIFAR-10 and, for robustness, the 15
benchmark corruptions of CIFAR-10-C from ``data_dir`` (``empirical.data.datasets``; ``--set
data_dir=/path``); ``dataset=fashion_mnist`` or ``svhn`` (the paper's other two) are read likewise
and meet the synthetic corruptions. A real dataset's training images are the first ``n_train`` of
a seeded permutation of its official training split; its test images are the official test split.
Models (``empirical.models.vision``): ViT (pre-LN, CLS token, learned positions, dropout 0.1 as in
the paper's code), CNN, MLP, ConvMixer, and the ViT trained with the sensitivity regulariser
("vit+reg"): loss (1 − p)·CE(f(x), y) + p·MSE(f(x̃), f(x)), p = 0.5, x̃ = x with N(0, 1) noise
on one contiguous s×s square (s = the ViT's patch size) at a random corner (the paper's code; the
clean logits are not detached). Every model trains with SGD (the paper's optimiser for every
architecture, §4; its learning rate, momentum and schedule are in Appendix D, which the text copy
of the arXiv version used here does not contain; the
authors' code defaults to SGD lr 0.01 without momentum or schedule; the cpu preset uses lr 0.05,
momentum 0.9, constant, batch 100, chosen here) until its training accuracy, checked at the end of
every epoch, first reaches ``train.target_train_acc`` (0.99 at the cpu preset, fixed from a pilot of
development seed 0 before the run) or the cap ``train.epochs`` (100) passes: the models are compared
at matched training accuracy, as the paper compares them (§4 Fig. 4: "the train
accuracies are comparable for all architectures, which allows for a fair comparison"; A.1, line
704: "when achieving the same training accuracy"). A model short of the target at the cap is
*censored*: reported, and left out of that seed's comparisons. The ViT and vit+reg of a seed start
from the same initialisation; every variant of a seed uses the same data split and the same order
of batches (the regulariser's noise has a generator of its own), so seeds pair.

Measured at the matched-accuracy point, all in eval mode:

* primary: the patch-token sensitivity of Definition 3.1 as the paper applies it to
  images (§3, Fig. 1: N(0, σ² I) on one patch token, "the process is repeated for
  every patch"): every pixel and channel of one p×p patch (p = the ViT's patch) perturbed at a
  time, every patch in turn, the fraction of changed argmax predictions averaged over patches and
  the first ``measure.samples`` training images (measured on the training set, §4), the
  same perturbation for every architecture whatever its own tokenisation
  (``empirical.measure.pixel_noise.patch_sensitivity``, on
  ``empirical.measure.sensitivity_real.token_sensitivity``); the primary setting σ² = 1 (the paper's
  CIFAR-10 value, §4), the other σ² of ``measure.sigmas`` secondary (the paper sweeps the
  variance in A.3, Fig. 14);
* secondary: the code's scattered-pixel measure (N(0, σ²) on k = p² scattered pixels,
  ``pixel_sensitivity``, ``measure.pixel_draws`` draws) at the same σ;
* weight-noise sharpness over a grid of weight-noise σ_w: every parameter + N(0, σ_w²), ShOp (the
  L1 change of the logits) and ShPred (the fraction of changed predictions) on the training images,
  5 draws (``empirical.measure.sensitivity_real.weight_noise_sharpness``). The paper's code perturbs a
  fresh copy left in *train* mode (dropout on, BatchNorm on batch statistics); here both copies
  are in eval mode;
* accuracy on corrupted test images (``empirical.data.corruptions``, mean over severities; the paper
  uses CIFAR-10-C).

Verdict rule
------------
Every comparison is paired over seeds, point by point over its grid, with the paired t-test and its
95 % t interval (``empirical.analysis.curve_stats.compare_curves``):

(a) ViT patch sensitivity − X's < 0 at the primary σ² = 1, for X = CNN, MLP, ConvMixer
    (one rule over the three architectures' points);
(b) vit+reg patch sensitivity − ViT's < 0 at the primary σ² = 1;
(c) vit+reg mean corrupted accuracy − ViT's > 0 (one paired difference: reproduced if its 95 %
    interval lies above 0, not reproduced if below, inconclusive otherwise);
(d) log ShOp(vit+reg) − log ShOp(ViT) < 0 and ShPred(vit+reg) − ShPred(ViT) < 0 over the σ_w grid
    (one rule over both curves' points).

Each comparison pairs only the seeds where both models reached the training-accuracy target
(censored seeds left out); the report repeats the primary comparisons with the censored units kept,
and describes the σ² grid and the scattered-pixel measure, outside the verdict. *Amended on
2026-12-07, before the run, after review*: the primary measure (patch tokens, not scattered pixels),
the primary setting (σ² = 1 alone, not the whole σ grid), the optimiser (SGD, not Adam) and the
stopping (matched training accuracy, not a fixed 50 epochs).

*Amended on 2026-12-07 for multiplicity* (``empirical.analysis.curve_stats.holm_rule``): the
p-values of all the points a sub-claim (a), (b) or (d) rests on are Holm-adjusted across those
points (3, 1 and 8 at the cpu preset); the sub-claim is **reproduced** only if at every point the
95 % interval lies on the predicted side *and* the Holm-adjusted p < 0.05, **not reproduced** if
at some point the interval lies on the other side *and* the Holm-adjusted p < 0.05,
**inconclusive** otherwise; points where both curves are 0 on every seed are left out. The report
shows every point's raw and Holm-adjusted p (and, with fewer than 20 seeds, the exact sign test's p
beside the t-test's, as a description).

The exploratory rule of the earlier cpu run (Adam, scattered pixels; fixed before it, applied without any adjustment for
multiplicity): "reproduced only if the predicted ordering holds, by its 95 % t interval, at every
grid point; not reproduced if it is significantly reversed at any point; points where both curves
are 0 on every seed are left out". The report lists its per-point and per-curve verdicts beside
the amended ones.

The overall verdict combines (a)–(d) with ``empirical.analysis.stats.combine``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F

from boolsens import BoolsensError

from ..harness.checks import check_fields, check_interval
from ..harness.plan import derive_seed
from ..data.corruptions import CORRUPTIONS, corrupt
from ..analysis.curve_stats import compare_curves, holm_rule
from ..models.vision import VisionConfig, build
from ..data.real import digits
from ..data import datasets
from ..measure.pixel_noise import patch_sensitivity, pixel_sensitivity, square_noise
from ..harness.registry import ExperimentConfig, register
from ..analysis.report import ReportTemplate, format_p, pyplot
from ..harness.rundir import RunDir
from ..measure.sensitivity_real import class_accuracy, weight_noise_sharpness
from ..analysis.stats import EXACT_BELOW, combine, mean_ci, paired_difference, verdict
from ..train.loop import epoch_batches, train
from ..train.recipe import make_optimizer

CLAIM = (
    "On images a ViT learns a lower-sensitivity function than a CNN, an MLP and a ConvMixer; the sensitivity "
    "regulariser lowers the ViT's sensitivity further, improves its robustness to corruptions and gives a flatter "
    "minimum (lower ShOp/ShPred)."
)

#: the report's prose: the setup beside the paper's, the notes
REPORT = ReportTemplate.beside(__file__)

ARCHS = ("vit", "cnn", "mlp", "convmixer")
#: the training data: the bundled substitute, or one of the paper's datasets read from ``data_dir``
DATASETS = ("digits", "cifar10", "fashion_mnist", "svhn")
VARIANTS = ARCHS + ("vit+reg",)


@dataclass(frozen=True, kw_only=True)
class VisionModelSpec:
    """The four classifiers' sizes (:class:`~empirical.models.vision.VisionConfig` without the
    image size and the classes, which are the data's): the ViT's ``patch`` (also the side of the
    regulariser's noise square and, squared, the number of pixels the sensitivity perturbs),
    ``d_model``, ``n_layers`` (also the ConvMixer's blocks), ``n_heads`` and dropout; the CNN's
    ``channels``; the MLP's hidden width ``d_mlp``."""

    patch: int = 2
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    channels: int = 16
    d_mlp: int = 128
    dropout: float = 0.1

    def __post_init__(self) -> None:
        check_fields(self, counts=("patch", "d_model", "n_layers", "n_heads", "channels", "d_mlp"),
                     below_one=("dropout",))
        image = VisionConfig().image
        if image % self.patch:
            raise BoolsensError(f"patch={self.patch} must divide the image side {image}")
        if self.d_model % self.n_heads:
            raise BoolsensError(f"d_model={self.d_model} must be a multiple of n_heads={self.n_heads}")

    def model_config(self, image: int = 8, in_channels: int = 1) -> VisionConfig:
        """The classifiers' config for images of side ``image`` with ``in_channels`` channels (the data's)."""
        if image % self.patch:
            raise BoolsensError(f"patch={self.patch} must divide the image side {image}")
        return VisionConfig(patch=self.patch, d_model=self.d_model, n_layers=self.n_layers, n_heads=self.n_heads,
                            channels=self.channels, d_mlp=self.d_mlp, dropout=self.dropout, image=image,
                            in_channels=in_channels)


@dataclass(frozen=True, kw_only=True)
class VisionTrainSpec:
    """``optimizer`` (``"sgd"`` with ``momentum``, as the paper, §4; or ``"adam"``) in shuffled
    batches, the learning rate multiplied by ``lr_gamma`` every ``lr_step_epochs`` epochs, until
    the training accuracy (checked after every epoch, eval mode) first reaches
    ``target_train_acc`` or ``epochs`` (the cap) have passed; ``target_train_acc = 0`` trains for
    exactly ``epochs``. For vit+reg the regulariser's weight ``reg_p`` and noise ``reg_sigma``; a
    log record every epoch (test accuracy and the logged sensitivity every ``log_every_epochs``)
    and a checkpoint every ``checkpoint_every_epochs`` epochs."""

    optimizer: str = "sgd"
    momentum: float = 0.9
    batch_size: int = 100
    lr: float = 0.05
    lr_step_epochs: int = 8
    lr_gamma: float = 1.0
    epochs: int = 100
    target_train_acc: float = 0.99
    log_every_epochs: int = 5
    checkpoint_every_epochs: int = 10
    reg_p: float = 0.5
    reg_sigma: float = 1.0

    def __post_init__(self) -> None:
        check_fields(self, counts=("batch_size", "lr_step_epochs", "epochs", "log_every_epochs",
                                   "checkpoint_every_epochs"), positive=("lr", "reg_sigma"),
                     unit=("reg_p", "target_train_acc", "momentum"), choices={"optimizer": ("sgd", "adam")})
        check_interval(self.lr_gamma, "lr_gamma", 0, 1, open_lo=True)


@dataclass(frozen=True, kw_only=True)
class VisionMeasureSpec:
    """At the matched-accuracy point: the patch-token sensitivity (Definition 3.1, every p×p patch
    in turn, p = the ViT's patch) at every σ in ``sigmas`` (``draws`` draws per image and patch on
    the first ``samples`` training images), ``primary_sigma`` the one the verdict rests on (the
    others are described); the old scattered-pixel measure (k = p² scattered pixels) at the same σ
    with ``pixel_draws`` draws (0: not measured); the weight-noise sharpness at every σ_w in
    ``weight_sigmas`` (``weight_draws`` draws on the first ``weight_samples``), and the accuracy on
    the corrupted test images at every severity in ``severities``."""

    sigmas: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0)
    primary_sigma: float = 1.0
    draws: int = 1
    samples: int = 1000
    pixel_draws: int = 3
    weight_sigmas: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05)
    weight_draws: int = 5
    weight_samples: int = 1000
    severities: tuple[int, ...] = (1, 3, 5)

    def __post_init__(self) -> None:
        check_fields(self, counts=("draws", "samples", "weight_draws", "weight_samples"),
                     positive=("sigmas", "weight_sigmas"), choices={"severities": (1, 2, 3, 4, 5)})
        if self.primary_sigma not in self.sigmas:
            raise BoolsensError(f"primary_sigma={self.primary_sigma} must be one of sigmas={list(self.sigmas)}")
        if isinstance(self.pixel_draws, bool) or not isinstance(self.pixel_draws, int) or self.pixel_draws < 0:
            raise BoolsensError(f"pixel_draws={self.pixel_draws!r} must be a non-negative integer")


@dataclass(frozen=True, kw_only=True)
class VisionSensitivityConfig(ExperimentConfig):
    """The seeds, the variants (axis), the training images (``dataset``, one of :data:`DATASETS`:
    ``digits`` is bundled, the others are read from the folder ``data_dir``, see
    :mod:`empirical.data.datasets`; ``n_train`` of them), and the nested model, training and
    measurement configs."""

    seeds: tuple[int, ...] = (0, 1, 2, 3, 4)
    variants: tuple[str, ...] = VARIANTS
    dataset: str = "digits"
    data_dir: str = ""
    n_train: int = 1000
    model: VisionModelSpec = field(default_factory=VisionModelSpec)
    train: VisionTrainSpec = field(default_factory=VisionTrainSpec)
    measure: VisionMeasureSpec = field(default_factory=VisionMeasureSpec)

    def __post_init__(self) -> None:
        super().__post_init__()
        check_fields(self, counts=("n_train",), choices={"variants": VARIANTS})  # model, train and measure check
        if self.dataset not in DATASETS:
            raise BoolsensError(f"dataset={self.dataset!r} must be one of {list(DATASETS)}")
        #                                                                           their own fields


PRESETS = {
    "smoke": VisionSensitivityConfig(seeds=(0, 1), variants=("vit", "cnn", "vit+reg"), n_train=100,
                                     model=VisionModelSpec(d_model=16, n_heads=2, n_layers=1, channels=4, d_mlp=16),
                                     train=VisionTrainSpec(batch_size=50, epochs=2, target_train_acc=0.0,
                                                           log_every_epochs=1, checkpoint_every_epochs=1),
                                     measure=VisionMeasureSpec(sigmas=(1.0, 4.0), draws=1, samples=20, pixel_draws=1,
                                                               weight_sigmas=(0.05,), weight_draws=2,
                                                               weight_samples=20, severities=(3,))),
    # the bundled digits (smoke too); SGD lr 0.05, momentum 0.9, constant, until 99 % training accuracy (cap 100
    # epochs): the target fixed before the run from a pilot of seed 0, where every variant reached 0.99 (ViT at
    # epoch 23, vit+reg at 37, the others by epoch 11)
    "cpu": VisionSensitivityConfig(),
    # the paper's data (CIFAR-10, all 50,000 training images; CIFAR-10-C) read from --set data_dir=..., and the
    # paper code's ViT depth, width and 4×4 patches; SGD (the paper's §4), lr 0.01 as the code's default, momentum
    # 0.9, until 95 % training accuracy with a cap of 100 epochs (the target is not piloted on CIFAR-10)
    "gpu": VisionSensitivityConfig(seeds=tuple(range(10)), dataset="cifar10", n_train=50_000,
                                   model=VisionModelSpec(patch=4, d_model=64, n_layers=8, n_heads=8, channels=64,
                                                         d_mlp=512),
                                   train=VisionTrainSpec(lr=0.01, epochs=100, target_train_acc=0.95),
                                   measure=VisionMeasureSpec(sigmas=(0.5, 1.0, 2.0, 4.0), draws=2, samples=1400,
                                                             weight_sigmas=(0.002, 0.005, 0.01, 0.02, 0.05),
                                                             weight_draws=10, weight_samples=1400)),
}


def units(config: VisionSensitivityConfig) -> list[dict]:
    """One unit per (variant, seed). A real dataset's files must be under ``data_dir`` (checked
    here, at plan time, without reading them)."""
    if config.dataset != "digits":
        datasets.available(config.dataset, config.data_dir)
        if config.dataset == "cifar10":
            datasets.available("cifar10c", config.data_dir)
    return [{"variant": v, "seed": s} for v in config.variants for s in config.seeds]


#: CIFAR-10-C's 15 benchmark corruptions (Hendrycks & Dietterich), the robustness test on CIFAR-10
CIFAR10C_BENCHMARK = datasets.CIFAR10C_CORRUPTIONS[:15]
_READERS = {"cifar10": datasets.cifar10, "fashion_mnist": datasets.fashion_mnist, "svhn": datasets.svhn}


def _data(config: VisionSensitivityConfig, seed: int):
    """``(x_train, y_train, x_test, y_test)`` torch tensors: the digits split, or ``n_train`` images
    of a seeded permutation of the real dataset's training split and its whole test split."""
    if config.dataset == "digits":
        return digits(n_train=config.n_train, seed=derive_seed(seed, "data"))
    read = _READERS[config.dataset]
    x, y = read(config.data_dir, "train")
    if config.n_train > len(x):
        raise BoolsensError(f"n_train={config.n_train} must be at most the {len(x)} training images of {config.dataset}")
    keep = np.random.default_rng(derive_seed(seed, "data")).permutation(len(x))[:config.n_train]
    xte, yte = read(config.data_dir, "test")
    return tuple(torch.from_numpy(np.ascontiguousarray(a)) for a in (x[keep], y[keep], xte, yte))


def _robustness(config: VisionSensitivityConfig, model, xte, yte, seed: int, dev) -> dict:
    """Accuracy on corrupted test images, mean over the severities, by corruption: CIFAR-10-C's
    for CIFAR-10 (its rows are the test images in order), else the synthetic corruptions."""
    ms, robust = config.measure, {}
    if config.dataset == "cifar10":
        for name in CIFAR10C_BENCHMARK:
            accs = []
            for sev in ms.severities:
                x, y = datasets.cifar10c(config.data_dir, name, sev)
                accs.append(class_accuracy(model, torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)))
            robust[name] = float(np.mean(accs))
        return robust
    for name in CORRUPTIONS:
        corrupted = [corrupt(xte.cpu(), name, sev, background=-1.0, seed=derive_seed(seed, "corruption", name, sev))
                     for sev in ms.severities]
        robust[name] = float(np.mean([class_accuracy(model, x.to(dev), yte) for x in corrupted]))
    return robust


def run_unit(config: VisionSensitivityConfig, unit: dict, ctx) -> dict:
    """Train one variant on one seed's split, then measure it over both noise grids."""
    variant, seed, dev = unit["variant"], unit["seed"], ctx.device
    if variant not in VARIANTS:
        raise BoolsensError(f"variant={variant!r} must be one of {VARIANTS}")
    patch, spec, ms = config.model.patch, config.train, config.measure
    xtr, ytr, xte, yte = (t.to(dev) for t in _data(config, seed))
    torch.manual_seed(derive_seed(seed, "init"))  # the same initialisation for vit and vit+reg (then dropout)
    model = build(variant.split("+")[0], config.model.model_config(xtr.shape[-1], xtr.shape[1])).to(dev)
    opt = make_optimizer(model.parameters(), spec.optimizer, lr=spec.lr, momentum=spec.momentum)
    gen = torch.Generator().manual_seed(derive_seed(seed, "batches"))  # the same batches for every variant
    reg_gen = torch.Generator().manual_seed(derive_seed(seed, "regularizer"))
    batches, n_batches = epoch_batches(xtr, ytr, spec.batch_size, gen)

    def next_batch(step):
        for group in opt.param_groups:  # the step schedule, a function of the step (resumes exactly)
            group["lr"] = spec.lr * spec.lr_gamma ** ((step // n_batches) // spec.lr_step_epochs)
        return batches(step)

    def loss_fn(m, x, y):
        logits = m(x)
        if variant == "vit+reg":
            noisy = square_noise(x, size=patch, sigma=spec.reg_sigma, generator=reg_gen)
            return (1 - spec.reg_p) * F.cross_entropy(logits, y) + spec.reg_p * F.mse_loss(m(noisy), logits)
        return F.cross_entropy(logits, y)

    def on_log(step, m):
        epoch = step // n_batches
        rec = {"epoch": epoch, "train_acc": class_accuracy(m, xtr, ytr)}
        if epoch % spec.log_every_epochs == 0:
            s = patch_sensitivity(m, xtr[:300], sigmas=[ms.primary_sigma], patch=patch, n_draws=1,
                                  seed=derive_seed(seed, "logged sensitivity", epoch))[ms.primary_sigma]
            rec.update(test_acc=class_accuracy(m, xte, yte), patch_sens_primary=s.value)
        return rec

    def stop(step, rec):  # the first epoch whose training accuracy reaches the target
        return spec.target_train_acc > 0 and rec.get("train_acc", 0.0) >= spec.target_train_acc

    # dropout draws from torch's global generator: it is checkpointed with the others; a log record
    # every epoch, so training stops at the end of the first epoch that reaches the target
    res = train(model, opt, steps=spec.epochs * n_batches, next_batch=next_batch, loss_fn=loss_fn, ctx=ctx,
                generators={"batches": gen, "regularizer": reg_gen, "torch_global": torch.default_generator},
                log_every=n_batches, checkpoint_every=spec.checkpoint_every_epochs * n_batches, on_log=on_log,
                stop=stop)
    with torch.no_grad():  # train() leaves the model in evaluation mode
        train_acc, test_acc = class_accuracy(model, xtr, ytr), class_accuracy(model, xte, yte)
        sens = patch_sensitivity(model, xtr[:ms.samples], sigmas=ms.sigmas, patch=patch, n_draws=ms.draws,
                                 seed=derive_seed(seed, "patch sensitivity"))
        pix = (pixel_sensitivity(model, xtr[:ms.samples], sigmas=ms.sigmas, k=patch ** 2, n_draws=ms.pixel_draws,
                                 seed=derive_seed(seed, "sensitivity")) if ms.pixel_draws else {})
        robust = _robustness(config, model, xte, yte, seed, dev)
    sharp = {s: weight_noise_sharpness(model, xtr[:ms.weight_samples], sigma=s, n_draws=ms.weight_draws,
                                       seed=derive_seed(seed, "sharpness")) for s in ms.weight_sigmas}
    reached = spec.target_train_acc == 0 or train_acc >= spec.target_train_acc
    return {
        "variant": variant, "seed": seed, "epochs": res.steps // n_batches, "train_acc": train_acc,
        "test_acc": test_acc, "target_train_acc": spec.target_train_acc, "reached_target": bool(reached),
        "sensitivity": {f"{s:g}": e.value for s, e in sens.items()},
        "sensitivity_stderr": {f"{s:g}": e.stderr for s, e in sens.items()},
        "pixel_sensitivity": {f"{s:g}": e.value for s, e in pix.items()},
        "shop": {f"{s:g}": e.shop.value for s, e in sharp.items()},
        "shpred": {f"{s:g}": e.shpred.value for s, e in sharp.items()},
        "robust": robust, "robust_mean": float(np.mean(list(robust.values()))),
        "train_seconds": res.seconds,
    }


def _curves(results: list, variant: str, quantity: str, xs, seeds) -> np.ndarray:
    """(seeds, points) array of record[quantity][x] for one variant, rows in the order of ``seeds``."""
    by_seed = {r.record["seed"]: r.record for r in results if r.record["variant"] == variant}
    return np.array([[float(by_seed[s][quantity][f"{x:g}"]) for x in xs] for s in seeds])


def _point_rows(label: str, cmp: dict, exact: bool) -> list[dict]:
    """The report's rows of one comparison (a result of ``curve_stats.holm_rule``): with
    ``exact``, the sign test's p beside the t-test's."""
    return [{"comparison": label, "x": p["x"], "mean a": p["mean_a"], "mean b": p["mean_b"],
             "effect a-b": p["effect"], "CI low": p["ci_low"], "CI high": p["ci_high"], "p": p["p"],
             "p Holm": p["p_holm_rule"], **({"sign p": p.get("sign_p", float("nan"))} if exact else {}),
             "verdict (amended)": p["verdict"], "exploratory (CI only)": p["verdict_ci"]} for p in cmp["points"]]


def _figures(run_dir: RunDir, config: VisionSensitivityConfig, results: list, seeds) -> list[str]:
    plt = pyplot()
    present = [v for v in config.variants if any(r.record["variant"] == v for r in results)]
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
    S, W = config.measure.sigmas, config.measure.weight_sigmas
    for ax, quantity, xs, label in ((axes[0], "sensitivity", S, "patch-token noise σ (Def. 3.1; σ² = 1 primary)"),
                                    (axes[1], "shop", W, "weight-noise σ_w"), (axes[2], "shpred", W, "weight-noise σ_w")):
        for v in present:
            c = _curves(results, v, quantity, xs, seeds)
            stats = [mean_ci(c[:, j]) for j in range(len(xs))] if len(seeds) > 1 else None
            mean = c.mean(0)
            line = ax.plot(xs, mean, marker="o", label=v)[0]
            if stats:
                ax.fill_between(xs, [s["ci_low"] for s in stats], [s["ci_high"] for s in stats],
                                color=line.get_color(), alpha=0.2)
        ax.set_xscale("log")
        ax.set_xticks(list(xs), [f"{x:g}" for x in xs], minor=False)
        ax.minorticks_off()
        ax.set_xlabel(label)
        ax.set_ylabel({"sensitivity": "fraction of predictions changed", "shop": "ShOp (L1 logit change)",
                       "shpred": "ShPred (fraction changed)"}[quantity])
        ax.legend(fontsize=7)
    axes[1].set_yscale("log")
    fig.suptitle("vision-sensitivity: mean over seeds with 95 % t intervals")
    return [run_dir.save_figure(fig, "vision_sensitivity_curves").name]


def _report_fields(config: VisionSensitivityConfig) -> dict:
    """The values the report template (``reports/vision_sensitivity.md``) shows."""
    model, tr, ms = config.model, config.train, config.measure
    if config.dataset == "digits":
        data = f"bundled 8×8 digits, {config.n_train} training images, pixels in [-1, 1] (no download possible)"
        robustness = f"{len(CORRUPTIONS)} synthetic corruptions of the test digits, severities {list(ms.severities)}"
    else:
        name = {"cifar10": "CIFAR-10", "fashion_mnist": "Fashion-MNIST", "svhn": "SVHN"}[config.dataset]
        data = f"{name} read from data_dir, {config.n_train} training images, pixels in [-1, 1]"
        robustness = (f"CIFAR-10-C, its {len(CIFAR10C_BENCHMARK)} benchmark corruptions" if config.dataset == "cifar10"
                      else f"{len(CORRUPTIONS)} synthetic corruptions of the {name} test images")
        robustness += f", severities {list(ms.severities)}"
    return {"data_used": data, "robustness_used": robustness, "n_train": config.n_train, "n_layers": model.n_layers, "d_model": model.d_model, "n_heads": model.n_heads,
            "patch": model.patch, "dropout": model.dropout, "lr": tr.lr, "optimizer": tr.optimizer.upper(),
            "momentum": tr.momentum, "target": tr.target_train_acc, "cap": tr.epochs,
            "primary_sigma2": f"{ms.primary_sigma ** 2:g}",
            "sigma2s": [float(f"{x * x:g}") for x in ms.sigmas], "pixel_draws": ms.pixel_draws, "lr_gamma": tr.lr_gamma,
            "lr_step_epochs": tr.lr_step_epochs, "batch_size": tr.batch_size, "epochs": tr.epochs,
            "n_seeds": len(config.seeds), "pixels": model.patch ** 2, "draws": ms.draws,
            "samples": ms.samples, "sigmas": list(ms.sigmas), "reg_p": tr.reg_p,
            "reg_sigma": f"{tr.reg_sigma:g}", "weight_sigmas": list(ms.weight_sigmas), "weight_draws": ms.weight_draws,
            "weight_samples": ms.weight_samples, "corruptions": len(CORRUPTIONS), "severities": list(ms.severities)}


def analyze(config: VisionSensitivityConfig, results: list, run_dir: RunDir) -> dict:
    """The four sub-claims over seeds and grids, the report and the figures; the statistics and
    the verdict rule (amended on 2026-12-07 for multiplicity) are the module docstring's."""
    present = {r.record["variant"] for r in results}
    seeds = sorted({r.record["seed"] for r in results if all(
        any(q.record["variant"] == v and q.record["seed"] == r.record["seed"] for q in results) for v in present)})
    point_rows, summary_rows, parts, exploratory = [], [], {}, {}
    S, W = config.measure.sigmas, config.measure.weight_sigmas
    exact = len(seeds) < EXACT_BELOW

    def record(part, direction, rule_of):
        """Sub-claim ``part`` by the amended rule over ``rule_of``'s [(label, compare_curves result)]."""
        rule = holm_rule([cmp for _, cmp in rule_of], direction=direction)
        for (label, _), cmp in zip(rule_of, rule["comparisons"]):
            point_rows.extend(_point_rows(label, cmp, exact))
            cm = cmp["curve_mean"]
            summary_rows.append({"sub-claim": part, "comparison": label, "verdict (amended, Holm)": cmp["verdict"],
                                 "exploratory verdict (CI only)": cmp["verdict_ci"],
                                 "curve-mean effect": cm["effect"] if cm else float("nan"),
                                 "curve-mean CI": f"[{cm['ci_low']:.4g}, {cm['ci_high']:.4g}]" if cm else "",
                                 "sign changes between": ", ".join(f"{a:g}-{b:g}" for a, b in cmp["crossings"]) or "none",
                                 "left out (no flips)": ", ".join(f"{x:g}" for x in cmp["left_out"]) or "none"})
        parts[part] = [rule["verdict"]]
        exploratory[part] = [cmp["verdict_ci"] for cmp in rule["comparisons"]]
        holm_rows.append({"sub-claim": part, "points (Holm family)": rule["points"],
                          "verdict (amended)": rule["verdict"],
                          "exploratory verdict (CI only)": combine(exploratory[part]),
                          "smallest Holm p of a reversed point": ("none" if np.isnan(rule["min_p_holm_reversed"])
                                                                  else rule["min_p_holm_reversed"])})

    holm_rows: list[dict] = []
    P = (config.measure.primary_sigma,)
    by = {(r.record["variant"], r.record["seed"]): r.record for r in results}

    def paired(x, y, censored=False):
        """The seeds where both ``x`` and ``y`` ran and (unless ``censored``) both reached the target."""
        return [s for s in seeds if all((v, s) in by and (censored or by[v, s].get("reached_target", True))
                                        for v in (x, y))]

    def cmp(x, y, quantity, xs, censored=False, transform=lambda c: c):
        """compare_curves of x − y (predicted < 0) on their paired seeds, or None with fewer than 2."""
        ss = paired(x, y, censored)
        if len(ss) < 2:
            return None
        return compare_curves(transform(_curves(results, x, quantity, xs, ss)),
                              transform(_curves(results, y, quantity, xs, ss)), xs, direction=-1)

    def labelled(rows):
        return [(label, c) for label, c in rows if c is not None]

    others = [o for o in ("cnn", "mlp", "convmixer") if o in present]
    secondary_rows, censoring_rows = [], []
    if "vit" in present:
        a_rule = labelled([(f"patch sensitivity σ={P[0]:g} vit - {o}", cmp("vit", o, "sensitivity", P))
                           for o in others])
        if a_rule:
            record("(a)", -1, a_rule)
        if "vit+reg" in present:
            b_rule = labelled([(f"patch sensitivity σ={P[0]:g} vit+reg - vit",
                                cmp("vit+reg", "vit", "sensitivity", P))])
            if b_rule:
                record("(b)", -1, b_rule)
            ss = paired("vit+reg", "vit")
            if len(ss) >= 2:
                d = paired_difference([by["vit+reg", s]["robust_mean"] for s in ss],
                                      [by["vit", s]["robust_mean"] for s in ss])
                v = verdict(d["ci_low"], d["ci_high"], direction=+1)
                parts["(c)"], exploratory["(c)"] = [v], [v]
                summary_rows.append({"sub-claim": "(c)", "comparison": "mean corrupted accuracy vit+reg - vit",
                                     "verdict (amended, Holm)": v, "exploratory verdict (CI only)": v,
                                     "curve-mean effect": d["effect"],
                                     "curve-mean CI": f"[{d['ci_low']:.4g}, {d['ci_high']:.4g}]",
                                     "sign changes between": "",
                                     "left out (no flips)": f"p = {format_p(d.get('p', float('nan')), '.3g')}"})
            d_rule = labelled([("log ShOp vit+reg - vit", cmp("vit+reg", "vit", "shop", W, transform=np.log)),
                               ("ShPred vit+reg - vit", cmp("vit+reg", "vit", "shpred", W))])
            if d_rule:
                record("(d)", -1, d_rule)
        # secondary, described (not the verdict): the whole σ grid, the scattered-pixel measure, and the
        # comparisons with the censored units kept (measured at the cap)
        pairs = [("vit", o) for o in others] + ([("vit+reg", "vit")] if "vit+reg" in present else [])
        for x, y in pairs:
            for what, quantity, xs, censored in (("patch sensitivity, σ grid", "sensitivity", S, False),
                                                 ("scattered-pixel sensitivity, σ grid", "pixel_sensitivity", S, False),
                                                 (f"patch sensitivity σ={P[0]:g}, censored units kept",
                                                  "sensitivity", P, True)):
                if quantity == "pixel_sensitivity" and not all(by[k].get(quantity) for k in by):
                    continue
                c = cmp(x, y, quantity, xs, censored)
                if c is None:
                    continue
                c = holm_rule([c], direction=-1)["comparisons"][0]
                for pt in c["points"]:
                    secondary_rows.append({"measure": what, "comparison": f"{x} - {y}", "seeds": len(paired(x, y, censored)),
                                           "σ": pt["x"], "σ²": pt["x"] ** 2, "mean a": pt["mean_a"], "mean b": pt["mean_b"],
                                           "effect a-b": pt["effect"], "CI low": pt["ci_low"], "CI high": pt["ci_high"],
                                           "p": pt["p"], "p Holm (this curve)": pt["p_holm_rule"],
                                           "described as": pt["verdict"]})
    for v in config.variants:
        for s in seeds:
            r = by.get((v, s))
            if r is not None and not r.get("reached_target", True):
                censoring_rows.append({"variant": v, "seed": s, "epochs": r.get("epochs"), "train acc": r["train_acc"],
                                       "target": r.get("target_train_acc")})
    part_verdicts = {k: combine(v) for k, v in sorted(parts.items())}
    overall = combine(part_verdicts.values()) if part_verdicts else "inconclusive"
    exploratory_parts = {k: combine(v) for k, v in sorted(exploratory.items())}
    overall_exploratory = combine(exploratory_parts.values()) if exploratory_parts else "inconclusive"
    names = {"(a)": "ViT least sensitive", "(b)": "regulariser lowers sensitivity",
             "(c)": "regulariser improves robustness", "(d)": "regulariser flattens the minimum"}
    text = f"{overall}: " + "; ".join(f"{k} {names[k]}: {v}" for k, v in part_verdicts.items())
    per_variant = []

    def mean_of(recs, quantity, x):
        return float(np.mean([r[quantity][f"{x:g}"] for r in recs]))

    for v in config.variants:
        recs = [r.record for r in results if r.record["variant"] == v]
        if recs:
            per_variant.append({"variant": v, "seeds": len(recs),
                                "reached target": sum(bool(r.get("reached_target", True)) for r in recs),
                                "epochs (min-max)": (f"{min(r.get('epochs', 0) for r in recs)}-"
                                                     f"{max(r.get('epochs', 0) for r in recs)}"),
                                "train acc": float(np.mean([r["train_acc"] for r in recs])),
                                "train acc (min)": float(np.min([r["train_acc"] for r in recs])),
                                "test acc": float(np.mean([r["test_acc"] for r in recs])),
                                **{f"patch sens σ²={x * x:g}": mean_of(recs, "sensitivity", x) for x in S},
                                **({f"pixel sens σ²={x * x:g}": mean_of(recs, "pixel_sensitivity", x) for x in S}
                                   if all(r.get("pixel_sensitivity") for r in recs) else {}),
                                **{f"ShOp σw={x:g}": mean_of(recs, "shop", x) for x in W},
                                **{f"ShPred σw={x:g}": mean_of(recs, "shpred", x) for x in W},
                                "corrupted acc": float(np.mean([r["robust_mean"] for r in recs]))})
    figures = _figures(run_dir, config, results, seeds) if results else []
    fields = _report_fields(config)
    run_dir.write_report(
        CLAIM, {"setup: paper vs ours": REPORT.rows("setup", **fields),
                "sub-claims (rule: primary σ² for (a) and (b), Holm across each sub-claim's points; censored seeds "
                "left out)": holm_rows,
                "comparisons (whole-curve verdicts)": summary_rows,
                "every grid point (a = first variant, b = second; paired over seeds; p: paired t-test, Holm: across "
                "the points of the sub-claim)": point_rows,
                "secondary measures (described, not the verdict): the σ grid, the scattered-pixel measure, the "
                "censored units kept": secondary_rows,
                "censored units (did not reach the training-accuracy target by the cap)": censoring_rows
                or [{"variant": "none", "seed": "", "epochs": "", "train acc": "", "target": ""}],
                "mean over seeds by variant (at the matched-accuracy point)": per_variant},
        text, title="vision-sensitivity", figures=figures,
        notes=REPORT.bullets("notes", seeds_used=seeds, **fields))
    return {"verdict": text, "overall": overall, "parts": part_verdicts,
            "exploratory_rule": {"overall": overall_exploratory, "parts": exploratory_parts,
                                 "rule": "CI only, no adjustment for multiplicity (the committed run's)"}}


register("vision-sensitivity", claim=CLAIM, presets=PRESETS, units=units, run_unit=run_unit, analyze=analyze,
         axes=("variants",))
