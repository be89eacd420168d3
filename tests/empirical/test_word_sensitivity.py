"""The word-sensitivity experiment (Bombari & Mondelli, ICML 2024): the estimator of
``empirical/measure/word_sensitivity.py`` against the plain feature maps and closed forms, the
smoke preset end to end, and the verdict rule on synthetic slopes."""

from __future__ import annotations

import json
import math

import pytest

torch = pytest.importorskip("torch")

from boolsens import BoolsensError  # noqa: E402
from empirical.experiments import word_sensitivity as ws_exp  # noqa: E402
from empirical.harness.cli import main  # noqa: E402
from empirical.measure import word_sensitivity as w  # noqa: E402


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _brute_ratio(kind: str, X: torch.Tensor, weights: torch.Tensor, i: int, delta: torch.Tensor,
                 activation: str = "relu") -> float:
    phi = (lambda Z: w.rf_features(Z, weights, activation=activation)) if kind == "rf" \
        else (lambda Z: w.raf_features(Z, weights))
    Xp = X.clone()
    Xp[i] += delta
    return float((phi(Xp) - phi(X)).norm() / phi(X).norm())


@pytest.mark.parametrize("kind", w.KINDS)
def test_one_word_updates_equal_the_plain_maps(kind):
    """The structured updates (RF: V vec X + V_i δ; RAF: column i and row i of the scores) give the
    ratio of the plain maps recomputed from scratch, at every position, large δ included."""
    g = _gen(0)
    t, n, d = 3, 7, 5
    X = w.gaussian_sentences(t, n, d, g)
    weights = w.rf_weights(n, d, 11, g) if kind == "rf" else w.raf_weights(d, g)
    pos = torch.tensor([0, 3, 6])
    delta = 3 * torch.randn(t, 3, 2, d, generator=g, dtype=torch.float64)
    fast = (w._rf_ratio(X, weights, pos, delta, torch.relu) if kind == "rf"
            else w._raf_ratio(w._AttentionState.of(X, weights), pos, delta))
    for a in range(t):
        for p, i in enumerate(pos.tolist()):
            for r in range(2):
                assert float(fast[a, p, r]) == pytest.approx(_brute_ratio(kind, X[a], weights, i, delta[a, p, r]),
                                                             rel=1e-10, abs=1e-12)


def test_linear_features_reach_the_closed_form():
    """For φ(X) = V vec X the sup is exact: max_i ‖V_i‖_op √d / ‖V vec X‖, and the ascent reaches it."""
    g = _gen(1)
    t, n, d = 4, 6, 5
    X = w.gaussian_sentences(t, n, d, g)
    V = w.rf_weights(n, d, 20, g)
    est = w.word_sensitivity("rf", X, V, g, activation="linear", steps=200, restarts=2)
    blocks = V.reshape(20, n, d).transpose(0, 1)
    exact = torch.linalg.matrix_norm(blocks, ord=2).max() * math.sqrt(d) / (X.flatten(-2) @ V.T).norm(dim=-1)
    assert torch.allclose(est.ws, exact, rtol=2e-3)
    assert torch.all(est.ws <= exact * (1 + 1e-12))


def test_rf_estimate_never_exceeds_the_analytic_bounds():
    g = _gen(2)
    for n in (4, 16):
        X = w.gaussian_sentences(5, n, 8, g)
        V = w.rf_weights(n, 8, 32, g)
        est = w.word_sensitivity("rf", X, V, g, steps=30)
        b = w.rf_bounds(X, V)
        assert torch.all(est.ws <= b["block"] * (1 + 1e-12))
        assert torch.all(b["block"] <= b["full"] * (1 + 1e-12))
        assert torch.all(est.ws > 0)


@pytest.mark.parametrize("kind", w.KINDS)
def test_monotone_in_the_radius(kind):
    """A larger ball gives a larger sup; with the same starts scaled and zero steps the best start
    ratio of the larger ball is at least as large for both maps (here checked after ascent too)."""
    g = _gen(3)
    n, d = 6, 8
    X = w.gaussian_sentences(3, n, d, g)
    weights = w.rf_weights(n, d, 16, g) if kind == "rf" else w.raf_weights(d, g)
    small = w.word_sensitivity(kind, X, weights, _gen(9), radius=0.5, steps=40).ws
    large = w.word_sensitivity(kind, X, weights, _gen(9), radius=2.0 * math.sqrt(d), steps=40).ws
    assert torch.all(large >= small)


@pytest.mark.parametrize("kind", w.KINDS)
def test_seeded_determinism_and_chunking(kind):
    """The same generator seed gives the same estimate; chunking the positions does not change it."""
    g = _gen(4)
    n, d = 9, 6
    X = w.gaussian_sentences(2, n, d, g)
    weights = w.rf_weights(n, d, 8, g) if kind == "rf" else w.raf_weights(d, g)
    a = w.word_sensitivity(kind, X, weights, _gen(5), steps=10)
    b = w.word_sensitivity(kind, X, weights, _gen(5), steps=10)
    c = w.word_sensitivity(kind, X, weights, _gen(5), steps=10, chunk_elements=1)   # one position a chunk
    assert torch.equal(a.ws, b.ws) and torch.equal(a.per_position, b.per_position)
    assert torch.allclose(a.per_position, c.per_position, rtol=1e-12, atol=0)
    assert a.per_position.shape == (2, n) and torch.equal(a.ws, a.per_position.max(dim=1).values)


def test_the_estimator_refuses_bad_arguments():
    X = w.gaussian_sentences(1, 4, 3, _gen(0))
    W = w.raf_weights(3, _gen(0))
    with pytest.raises(BoolsensError, match="kind"):
        w.word_sensitivity("mlp", X, W, _gen(0))
    with pytest.raises(BoolsensError, match="positions"):
        w.word_sensitivity("raf", X, W, _gen(0), positions=[4])
    with pytest.raises(BoolsensError, match="radius"):
        w.word_sensitivity("raf", X, W, _gen(0), radius=0.0)


def test_substitute_sentences_have_word_norm_sqrt_d_and_zipf_repeats_words():
    g = _gen(6)
    X = w.gaussian_sentences(3, 5, 16, g)
    assert torch.allclose(X.norm(dim=-1), torch.full((3, 5), 4.0, dtype=torch.float64))
    table = w.embedding_table(50, 16, g)
    Z, ids = w.zipf_sentences(4, 200, table, g)
    assert torch.allclose(Z.norm(dim=-1), torch.full((4, 200), 4.0, dtype=torch.float64))
    assert all(len(set(row.tolist())) < 200 for row in ids)               # frequent words repeat
    assert torch.equal(Z, table[ids])


def test_searched_positions():
    assert ws_exp.searched_positions(5, 0).tolist() == [0, 1, 2, 3, 4]
    assert ws_exp.searched_positions(5, 8).tolist() == [0, 1, 2, 3, 4]
    assert ws_exp.searched_positions(100, 3).tolist() == [0, 50, 99]


# ----------------------------------------------------------------------------- the verdict rule
def test_rf_rule_gives_each_verdict():
    assert ws_exp.rf_rule(-0.6, -0.4) == "reproduced"
    assert ws_exp.rf_rule(-0.2, -0.05) == "not reproduced"       # decays, but far slower than n^-1/2
    assert ws_exp.rf_rule(-0.9, -0.7) == "not reproduced"
    assert ws_exp.rf_rule(-0.6, -0.2) == "inconclusive"
    assert ws_exp.rf_rule(float("nan"), -0.5) == "inconclusive"


def test_raf_rule_gives_each_verdict():
    assert ws_exp.raf_rule(-0.1, 0.05, 0.3, 0.5, 0.05) == "reproduced"
    assert ws_exp.raf_rule(-0.6, -0.4, 0.3, 0.5, 0.05) == "not reproduced"          # decays like RF
    assert ws_exp.raf_rule(-0.1, 0.05, 0.01, 0.04, 0.05) == "not reproduced"        # flat but below the floor
    assert ws_exp.raf_rule(-0.3, 0.0, 0.3, 0.5, 0.05) == "inconclusive"
    assert ws_exp.raf_rule(-0.1, 0.05, 0.02, 0.5, 0.05) == "inconclusive"


def test_holm_downgrades_a_reproduced_without_a_significant_test():
    assert ws_exp.apply_holm("reproduced", 0.01) == "reproduced"
    assert ws_exp.apply_holm("reproduced", 0.2) == "inconclusive"
    assert ws_exp.apply_holm("not reproduced", 0.2) == "not reproduced"


def _rows(rf_slope: float, raf_slope: float, seeds=range(6), ns=(8, 16, 32, 64)) -> list[dict]:
    rows = []
    for s in seeds:
        wobble = 0.01 * ((s * 7) % 5 - 2)
        for n in ns:
            for kind, slope, c in (("rf", rf_slope, 2.0), ("raf", raf_slope, 0.8)):
                rows.append({"kind": kind, "data": "gaussian", "n": n, "seed": s,
                             "ws_mean": c * n ** (slope + wobble), "seconds": 0.0})
    return rows


@pytest.mark.parametrize("rf_slope, raf_slope, want", [(-0.5, 0.0, "reproduced"), (-0.5, -0.5, "not reproduced"),
                                                       (-0.1, 0.0, "not reproduced"), (-0.5, -0.25, "inconclusive")])
def test_subclaims_on_synthetic_slopes(rf_slope, raf_slope, want):
    config = ws_exp.WordSensitivityConfig(ns=(8, 16, 32, 64), data=("gaussian",), seeds=6)
    claims = ws_exp._subclaims(_rows(rf_slope, raf_slope), config)
    assert [c["data"] for c in claims] == ["gaussian", "gaussian"]
    assert claims[0]["slope"] == pytest.approx(rf_slope, abs=0.02)
    assert claims[1]["slope"] == pytest.approx(raf_slope, abs=0.02)
    from empirical.analysis.stats import combine

    assert combine([c["verdict"] for c in claims]) == want


# ----------------------------------------------------------------------------- end to end
def test_smoke_preset_end_to_end(tmp_path):
    out = tmp_path / "ws"
    assert main(["word-sensitivity", "--preset", "smoke", "--out", str(out), "--jobs", "1", "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    report = (out / "report.md").read_text()
    assert summary["verdict_word"] in ("reproduced", "not reproduced", "inconclusive")
    assert summary["verdict"] in report and "wiring check" in report and (out / "word_sensitivity.png").exists()
    records = [json.loads(p.read_text())["record"] for p in sorted((out / "units").glob("*.json"))]
    assert len(records) == 16 and all(r["ws_mean"] > 0 for r in records)
    assert all(r["ws_over_block_bound_max"] <= 1 + 1e-9 for r in records if r["kind"] == "rf")
    # the same units again: the same numbers (everything is seeded from the unit)
    again = tmp_path / "again"
    assert main(["word-sensitivity", "--preset", "smoke", "--out", str(again), "--jobs", "1", "--quiet"]) == 0
    records2 = [json.loads(p.read_text())["record"] for p in sorted((again / "units").glob("*.json"))]
    assert [r["ws"] for r in records2] == [r["ws"] for r in records]
