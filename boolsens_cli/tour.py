"""``boolsens tour``: the toolkit on built-in defaults, in four parts — exact measures of famous
functions, Monte-Carlo estimates and black-box learners where enumeration is impossible, the
theorem checks, and a smoke-sized experiment that trains a model and measures it against the
theory (and a transformer trained on a sparse parity, analysed as a black box)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np

import boolsens as bs
from boolsens.analyze import analyze

__all__ = ["register", "run"]

#: (label, builder) of the functions in part 1
TOUR_FUNCTIONS = [
    ("DICT", lambda: bs.dictator(7)),
    ("MAJ", lambda: bs.majority(7)),
    ("PAR", lambda: bs.parity(7)),
    ("TRIBES", lambda: bs.tribes(2, 3)),
    ("IND", lambda: bs.address(2)),
    ("AND", lambda: bs.conjunction(6)),
    ("RUB", lambda: bs.rubinstein(4)),
    ("RAND", lambda: bs.random_function(8, seed=0)),
]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("tour", help="a tour of the toolkit on built-in defaults",
                              description=__doc__)
    p.add_argument("--skip-verify", action="store_true", help="skip the proofs_check table")
    p.add_argument("--skip-experiment", action="store_true", help="skip the empirical smoke run")
    p.add_argument("--out", default="results/tour", help="folder for the smoke experiment's results")
    p.set_defaults(run=run)


def _rule(title: str) -> None:
    print("=" * 78)
    print(title)
    print("=" * 78)


def run(args: Any) -> int:
    _rule("1. Exact measures of famous functions (conventions: bit i = coordinate i, True = -1)")
    print(f"{'function':<14}{'n':>3}{'deg':>5}{'I(f)':>10}{'I/n':>8}{'s':>4}{'bs':>4}{'C':>4}{'D':>4}"
          f"{'Stab_.5':>10}{'Pr_.5':>9}{'Prop2.2':>10}")
    violations = []
    for _, build in TOUR_FUNCTIONS:
        f = build()
        r = analyze(f, [0.5], complexity_max_n=16)
        nz = r["noise"][0]
        if not nz["bound_holds"]:
            violations.append(f.name)
        print(f"{f.name:<14}{f.n:>3}{r['degree']:>5}{float(r['total_influence']):>10.5g}"
              f"{float(r['normalized_sensitivity']):>8.3g}{r['sensitivity']:>4}{r['block_sensitivity']:>4}"
              f"{r['certificate_complexity']:>4}{r['decision_tree_depth']:>4}{nz['stability']:>10.5g}"
              f"{nz['disagreement']:>9.4g}{nz['prop_2_2_bound']:>10.4g}")
    verdict = "in every row" if not violations else f"VIOLATED for {', '.join(violations)}"
    print(f"\nPr_.5 <= Prop2.2 bound = ½(1 - ρ^(s²)) (Proposition 2.2 of Vasudeva et al., ICLR 2025): {verdict}.")
    print("Rubinstein's function (RUB_4) shows the quadratic gap between s and bs = C.")
    print("Full table for one function: `boolsens analyze majority --n 7`.\n")

    _rule("2. Every function at once: the census of n = 4, and Monte-Carlo estimates beyond enumeration")
    _census()
    _estimates()
    _black_box()

    if not args.skip_verify:
        _rule("3. Theorem checks (proofs_check, quick profile; `boolsens verify` runs the default one)")
        try:
            import proofs_check
        except ImportError as exc:  # pragma: no cover - depends on the install
            print(f"(proofs_check is not available: {exc})")
        else:
            print(proofs_check.format_table(proofs_check.run_claims(profile="quick")))
        print()
    if not args.skip_experiment:
        _rule("4. Training a model and measuring it against the theory (empirical, smoke preset)")
        try:
            from empirical.harness.cli import main as experiment_main
        except ImportError:
            print("(torch is not installed: `pip install torch==2.13.0` to run the experiments)")
        else:
            status = experiment_main(["synthetic-tokens", "--preset", "smoke", "--out", args.out, "--quiet"])
            if status:
                return status
            print(f"results, report.md and figures under {args.out}/")
            print("Every experiment: `boolsens experiment list`; the cpu presets (minutes each) give the")
            print("verdicts quoted in the README, e.g. `boolsens experiment length-scaling --preset cpu --out DIR`.")
            _trained_black_box()
    return 0


def _census() -> None:
    rows = bs.census(4)
    orbit = rows["orbit"]
    s = np.bincount(rows["sensitivity"], weights=orbit).astype(int).tolist()
    deg = np.bincount(rows["degree"], weights=orbit).astype(int).tolist()
    ratio = rows["block_sensitivity"] / np.maximum(rows["sensitivity"], 1)
    i = int(np.argmax(ratio))
    print(f"all {int(orbit.sum()):,} functions on n = 4 in {len(rows)} NPN classes; by s = 0..4: {s}; "
          f"by deg = 0..4: {deg}")
    print(f"largest bs/s = {ratio[i]:.3g} at the class of 0x{int(rows['table'][i]):04x}; "
          "`boolsens census --n 5 --out DIR` does all 4,294,967,296 functions on n = 5 (about a minute; a few more for the further columns)\n")


def _estimates() -> None:
    n = 1001
    exact_I = Fraction(n * math.comb(n - 1, (n - 1) // 2), 2 ** (n - 1))

    def maj(x: np.ndarray) -> np.ndarray:
        return np.where(x.sum(axis=1, dtype=np.int64) > 0, 1, -1)

    e = bs.estimate.total_influence(maj, n, samples=200_000, rng=0)
    z = (e.value - float(exact_I)) / e.stderr if e.stderr else float("nan")
    print(f"MAJ_{n}: estimated I = {e.value:.3f} ± {e.stderr:.3f} ({e.samples} samples, seed 0); "
          f"exact n·C(n-1,(n-1)/2)/2^(n-1) = {float(exact_I):.3f}; z = {z:+.2f}")
    st = bs.estimate.noise_stability(maj, 0.5, n, samples=50_000, rng=0)
    sheppard = 1 - 2 / math.pi * math.acos(0.5)
    print(f"MAJ_{n}: estimated Stab_0.5 = {st.value:.4f} ± {st.stderr:.4f}; Sheppard's limit "
          f"1 - (2/π)·arccos(0.5) = {sheppard:.4f}\n")


def _black_box() -> None:
    """Planted structure at n = 1,000 found by queries: a 3-sparse parity and a 5-junta."""
    n, S, J = 1000, (17, 400, 999), (3, 141, 592, 653, 999)

    def chi(x: np.ndarray) -> np.ndarray:
        return x[:, S[0]] * x[:, S[1]] * x[:, S[2]]

    def maj5(x: np.ndarray) -> np.ndarray:
        return np.where(x[:, list(J)].sum(axis=1) > 0, 1, -1)

    h = bs.estimate.heavy_coefficients(chi, n, threshold=0.5, rng=0)
    found = ", ".join(f"{s}: {v:+.2f}" for s, v in zip(h.subsets, h.value))
    print(f"chi_{S} at n = {n}: heavy_coefficients(threshold 1/2) finds {found}")
    print(f"  ({h.queries:,} queries; Goldreich-Levin: every |f^(S)| >= 1/2 listed with probability >= 0.95)")
    r = bs.estimate.relevant_variables(maj5, n, rng=0)
    j5, j4 = bs.testing.junta(maj5, n, k=5, rng=0), bs.testing.junta(maj5, n, k=4, rng=0)
    print(f"MAJ on {J} at n = {n}: relevant_variables finds {r.variables} ({r.queries:,} queries)")
    print(f"  junta tester: 5-junta {'accepted' if j5.accepted else 'rejected'}, "
          f"4-junta {'accepted' if j4.accepted else 'rejected'} ({j5.queries + j4.queries} queries)\n")


def _trained_black_box() -> None:
    """A transformer trained on a sparse parity at n = 64, analysed as a black box (the worked
    example docs/examples/black-box.md, in brief; about 15 s on one CPU thread)."""
    import torch

    from empirical.measure.metrics import SignsOf
    from empirical.train.hahn_rofin import fit_fixed_steps
    from empirical.train.recipe import Recipe, make_model

    n, S = 64, (11, 63)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        recipe = Recipe(d_model=16, n_layers=1, n_heads=2, d_mlp=16, lr=1e-2, batch_size=256, steps=500,
                        log_every=500, checkpoint_every=500, track_draws=0)
        model = make_model(n, recipe, seed=0)

        def parity(bits: torch.Tensor) -> torch.Tensor:  # (B, n) bits -> (B,) chi_S on the ±1 scale
            return 1.0 - 2.0 * (bits[:, list(S)].sum(dim=1) % 2).float()

        batches = torch.Generator().manual_seed(0)

        def next_batch(step: int):
            bits = torch.randint(0, 2, (recipe.batch_size, n), generator=batches)
            return bits, parity(bits)

        probe = torch.randint(0, 2, (4096, n), generator=torch.Generator().manual_seed(1))
        fit_fixed_steps(model, next_batch, batches, recipe, ctx=None, probe=(probe, parity(probe)), seed=0)
        with torch.no_grad():
            acc = float((torch.where(model(probe) >= 0, 1.0, -1.0) == parity(probe)).float().mean())

        f = SignsOf(model)  # the network as a ±1 function of ±1 rows
        r = bs.estimate.relevant_variables(f, n, rng=0)
        w = bs.estimate.fourier_weights(f, n, max_degree=2, samples=10_000, rng=0)
        h = bs.estimate.heavy_coefficients(f, n, threshold=0.5, rng=0)
        j = bs.testing.junta(f, n, k=2, rng=0)
    finally:
        torch.set_num_threads(threads)
    heavy = ", ".join(f"{s}: {v:+.3f}" for s, v in zip(h.subsets, h.value))
    print(f"\nA transformer trained {recipe.steps} steps on chi_{S} at n = {n} (planted S = {S}), accuracy {acc:.3f};")
    print("as a black box (torch module, queried in batches):")
    print(f"  relevant inputs {r.variables} ({r.queries:,} queries)")
    print(f"  level weights W^0..2 = {', '.join(f'{v:.3f}' for v in w.value)} ({w.evaluations:,} queries)")
    print(f"  heavy coefficients (threshold 1/2) {heavy} ({h.queries:,} queries)")
    print(f"  2-junta tester: {'accepted' if j.accepted else 'rejected'} ({j.queries} queries)")
    print("Worked example: docs/examples/black-box.md.")
