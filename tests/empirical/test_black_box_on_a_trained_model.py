"""The black-box learners of bs.estimate on a network trained with `empirical`, held against the
exact spectrum `BooleanFunction.from_model` gives by enumerating the cube (n = 10).

By rule: over 40 seeds, the 95 % Hoeffding intervals of every coefficient of degree <= 2 cover
the exact value at least 93 % of the time, the U-statistic level weights lie within 4 standard
errors of the exact weights in at least 93 % of the seeds, and relevant_variables reports only
variables whose exact influence is positive (a witness is a proof)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import boolsens as bs  # noqa: E402
from empirical.measure.metrics import SignsOf  # noqa: E402
from empirical.train.hahn_rofin import fit_fixed_steps  # noqa: E402
from empirical.train.recipe import Recipe, make_model  # noqa: E402

pytestmark = pytest.mark.slow  # trains a network and queries it some 10^5 times (about 20 s)

N = 10


@pytest.fixture(scope="module")
def trained():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        recipe = Recipe(d_model=16, n_layers=1, n_heads=2, d_mlp=16, lr=1e-2, batch_size=128, steps=60,
                        log_every=60, checkpoint_every=60, track_draws=0)
        model = make_model(N, recipe, seed=0)

        def target(bits):  # majority of the first three bits, ±1 scale: a function the model half learns
            return torch.where(bits[:, :3].sum(dim=1) >= 2, -1.0, 1.0)

        gen = torch.Generator().manual_seed(0)

        def next_batch(step):
            bits = torch.randint(0, 2, (recipe.batch_size, N), generator=gen)
            return bits, target(bits)

        probe = torch.randint(0, 2, (256, N), generator=torch.Generator().manual_seed(1))
        fit_fixed_steps(model, next_batch, gen, recipe, ctx=None, probe=(probe, target(probe)), seed=0)
        f = SignsOf(model).eval()
        exact = bs.BooleanFunction.from_model(f, N)
    finally:
        torch.set_num_threads(threads)
    return f, exact


def test_coefficients_and_weights_cover_the_exact_spectrum(trained):
    f, exact = trained
    coef = bs.fourier_coefficients(exact)
    weights = np.asarray(bs.fourier_weights(exact))
    covered, total, within = 0, 0, 0
    seeds = range(40)
    for seed in seeds:
        est = bs.estimate.fourier_coefficients(f, N, max_degree=2, samples=400, rng=seed)
        truth = np.array([coef[sum(1 << i for i in S)] for S in est.subsets])
        table = est.table()
        lo, hi = np.asarray(table["hoeffding_low"]), np.asarray(table["hoeffding_high"])
        covered += int(((truth >= lo - 1e-12) & (truth <= hi + 1e-12)).sum())
        total += len(truth)
        w = bs.estimate.fourier_weights(f, N, max_degree=2, samples=300, rng=seed)
        within += bool(np.all(np.abs(w.value - weights[:3]) <= 4 * w.stderr + 1e-9))
    print(f"coverage of the Hoeffding intervals {covered / total:.4f}; weights within 4 SE {within / len(seeds):.3f}")
    assert covered / total >= 0.93, covered / total
    assert within / len(seeds) >= 0.93, within / len(seeds)


def test_relevant_variables_reports_only_relevant_inputs(trained):
    f, exact = trained
    infl = np.asarray(bs.influences(exact))
    for seed in range(5):
        found = bs.estimate.relevant_variables(f, N, alpha=0.05, min_influence=0.05, rng=seed)
        assert all(infl[i] > 0 for i in found.variables)
        assert set(found.variables) >= {i for i in range(N) if infl[i] >= 0.05}
