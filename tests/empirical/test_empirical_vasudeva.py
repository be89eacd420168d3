"""Focused tests of the measures, data and models behind synthetic-tokens, vision-sensitivity and
sequence-sensitivity (Vasudeva et al. 2025), each checked against its definition written naively
or a closed form. CPU, seconds; every test seeds its randomness."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

import boolsens as bs  # noqa: E402
from boolsens import BoolsensError  # noqa: E402
from boolsens.cube import index_to_bits  # noqa: E402
from boolsens.torch_runtime import torch_threads  # noqa: E402
from empirical.analysis import curve_stats  # noqa: E402
from empirical.measure import pixel_noise  # noqa: E402
from empirical.measure import token_replacement  # noqa: E402
from empirical.measure import variable_length  # noqa: E402
from empirical.data import real  # noqa: E402
from empirical.data.real import TokenSpec, synthetic_tokens  # noqa: E402
from empirical.experiments import synthetic_tokens as st  # noqa: E402
from empirical.models.padded_text import PaddedLSTM, PaddedTextConfig, PaddedTransformer  # noqa: E402
from empirical.models.token_attention import TokenAttention, TokenAttentionConfig  # noqa: E402


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


def _phi(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# ------------------------------------------------------------------ token replacement (Def. 3.1, P uniform)
def _naive_replacement(f, ids: np.ndarray, vocab: int) -> float:
    """(1/N)(1/T) Σ_x Σ_i (1/M) Σ_v flip(f(x), f(x^{i<-v})), one row at a time; ties count 1/2."""
    total = 0.0
    for x in ids:
        clean = f(x)
        for i in range(len(x)):
            for v in range(vocab):
                y = x.copy()
                y[i] = v
                out = f(y)
                total += 0.5 if clean == 0 or out == 0 else float(np.sign(clean) != np.sign(out))
    return total / (len(ids) * ids.shape[1] * vocab)


def test_replacement_sensitivity_exact_equals_the_naive_definition_with_ties():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 5, size=(12, 4))
    f_np = lambda x: float((x == 0).sum() - (x == 1).sum())  # noqa: E731  (ties happen)
    f_t = lambda t: ((t == 0).sum(1) - (t == 1).sum(1)).double()  # noqa: E731
    est = token_replacement.replacement_sensitivity(f_t, torch.from_numpy(ids), vocab=5, exact=True)
    assert est.overall.value == pytest.approx(_naive_replacement(f_np, ids, 5), abs=1e-12)
    assert est.n_draws is None and est.overall.samples == 12


@pytest.mark.parametrize("table", [bs.majority(5), bs.parity(4), bs.dictator(5, 2)], ids=["maj5", "parity4", "dict"])
def test_replacement_sensitivity_on_the_cube_is_total_influence_over_2n(table):
    # vocab {0, 1} = bits; a uniformly replaced bit flips f with probability Inf_i / 2
    n = table.n
    signs = torch.tensor(np.array(table.signs), dtype=torch.float64)
    ids = index_to_bits(torch.arange(2**n), n)  # (2^n, n) every point, bit i = token i
    f = lambda t: signs[(t << torch.arange(n)).sum(1)]  # noqa: E731
    est = token_replacement.replacement_sensitivity(f, ids, vocab=2, exact=True)
    assert est.overall.value == pytest.approx(float(bs.total_influence(table)) / (2 * n), abs=1e-12)
    assert np.allclose(est.per_position.value, np.asarray(bs.influences(table)) / 2)


def test_replacement_sensitivity_monte_carlo_agrees_with_exact():
    rng = np.random.default_rng(1)
    ids = torch.from_numpy(rng.integers(0, 6, size=(400, 5)))
    f = lambda t: (t[:, 0] == t[:, 1]).double() - 0.5  # noqa: E731
    exact = token_replacement.replacement_sensitivity(f, ids, vocab=6, exact=True)
    mc = token_replacement.replacement_sensitivity(f, ids, vocab=6, n_draws=8, seed=3)
    assert abs(mc.overall.value - exact.overall.value) < 4 * mc.overall.stderr + 1e-3
    assert mc.per_position.value[2:].tolist() == [0.0, 0.0, 0.0]


def test_sparse_and_frequent_rules_have_the_closed_form_sensitivities():
    M, T = 30, 12
    for (n_s, n_f, n_d, m) in ((1, 8, 6, 4), (3, 5, 1, 4)):
        spec = TokenSpec(M=M, T=T, n_s=n_s, n_f=n_f, n_d=n_d, m=m)
        _, y, ids = synthetic_tokens(spec, 50, seed=2)
        assert torch.equal(torch.sign(st.sparse_rule(ids)).float(), y)  # both rules fit every label
        assert torch.equal(torch.sign(st.frequent_rule(m)(ids)).float(), y)
        s = token_replacement.replacement_sensitivity(st.sparse_rule, ids, vocab=M, exact=True).overall.value
        f = token_replacement.replacement_sensitivity(st.frequent_rule(m), ids, vocab=M, exact=True).overall.value
        if n_s == 1:  # the sparse token's slot: 1/M same, 1/M opposite, else a tie; any other slot: a tie w.p. 1/M
            assert s == pytest.approx((0.5 + (T - 1) / (2 * M)) / T, abs=1e-12)
            assert f == 0.0  # margin 6 survives one replacement
        else:
            assert s == 0.0 and f > 0  # three copies survive one replacement; margin 1 does not
        _, yc, idc = synthetic_tokens(spec, 50, seed=3, ood=True)  # conflict inputs: the rules disagree
        assert torch.equal(torch.sign(st.frequent_rule(m)(idc)).float(), yc)
        assert torch.equal(torch.sign(st.sparse_rule(idc)).float(), -yc)


def test_token_attention_on_ids_is_the_one_hot_formula():
    cfg = TokenAttentionConfig(M=7, d_model=5, init_scale=0.5)
    torch.manual_seed(0)
    model = TokenAttention(cfg).double()
    ids = torch.randint(0, 7, (4, 6), generator=_gen(1))
    X = torch.nn.functional.one_hot(ids, 7).double()  # (B, T, M)
    with torch.no_grad():
        A = torch.softmax(X @ model.W_Q @ model.W_K.T @ X.transpose(1, 2), dim=-1)  # no 1/sqrt(d)
        expect = (A @ X @ model.W_V).mean(1) @ model.u
        assert torch.allclose(model(ids), expect, atol=1e-12)


# ------------------------------------------------------------------ vision: pixel noise
def test_pixel_sensitivity_matches_the_chosen_pixel_times_gaussian_tail_and_is_monotone():
    c, k = 0.5, 3
    f = lambda x: torch.stack([c + x[:, 0, 1, 2], torch.zeros(len(x))], dim=1)  # noqa: E731  reads pixel (1, 2)
    imgs = torch.zeros(3000, 1, 4, 4)
    est = pixel_noise.pixel_sensitivity(f, imgs, sigmas=[0.5, 1.0, 2.0], k=k, n_draws=2, seed=4)
    for sigma, e in est.items():
        assert abs(e.value - k / 16 * _phi(-c / sigma)) < 4 * e.stderr + 1e-3
    # common random numbers: the same pixels and z for every sigma, so no image flips less at a larger sigma
    values = [est[s].value for s in (0.5, 1.0, 2.0)]
    assert values == sorted(values)


def test_square_noise_hits_one_contiguous_square_with_the_codes_corner_range():
    imgs = torch.zeros(500, 2, 8, 8)
    out = pixel_noise.square_noise(imgs, size=3, sigma=1.0, generator=_gen(5))
    hit = (out != 0).any(1)  # (B, 8, 8)
    corners = []
    for h in hit:
        rows, cols = h.nonzero(as_tuple=True)
        assert len(rows) == 9 and rows.max() - rows.min() == 2 and cols.max() - cols.min() == 2
        corners.append((int(rows.min()), int(cols.min())))
    assert max(r for r, _ in corners) == 4 and max(c for _, c in corners) == 4  # corner in [0, 8 - 3)
    assert (out != 0).sum(dim=(1, 2, 3)).eq(18).all()  # both channels of the 9 pixels


def test_digits_pm1_is_the_bundled_digits_on_minus_one_one():
    from sklearn.datasets import load_digits

    xtr, ytr, xte, yte = real.digits(n_train=300, seed=2)
    assert xtr.shape == (300, 1, 8, 8) and len(xte) == 1797 - 300
    raw = load_digits()
    perm = np.random.default_rng(2).permutation(1797)
    assert np.allclose(xtr[:, 0].numpy(), 2 * raw.images[perm[:300]] / 16 - 1)
    assert np.array_equal(ytr.numpy(), raw.target[perm[:300]])


# ------------------------------------------------------------------ curves over a grid
def test_compare_curves_reproduces_reverses_and_leaves_out_zero_points():
    a = [[0.1, 0.0, 0.5], [0.12, 0.0, 0.55], [0.11, 0.0, 0.52]]
    b = [[0.2, 0.0, 0.3], [0.22, 0.0, 0.31], [0.21, 0.0, 0.33]]
    r = curve_stats.compare_curves(a, b, [1, 2, 4], direction=-1)
    assert r["left_out"] == [2] and [p["verdict"] for p in r["points"]] == ["reproduced", "not reproduced"]
    assert r["verdict"] == "not reproduced" and r["crossings"] == [(1, 4)]
    assert r["curve_mean"]["effect"] == pytest.approx(np.mean([(0.1 - 0.2 + 0.5 - 0.3) / 2,
                                                               (0.12 - 0.22 + 0.55 - 0.31) / 2,
                                                               (0.11 - 0.21 + 0.52 - 0.33) / 2]))
    with pytest.raises(BoolsensError, match="seeds >= 2"):
        curve_stats.compare_curves([[0.1]], [[0.2]], [1], direction=-1)



#: a reversal's per-seed differences (5 seeds): raw t-test p = 0.045, CI below 0
_WEAK_REVERSAL = [-0.010, -0.001, -0.006, -0.012, -0.002]
#: a reversal that survives any Holm adjustment here: p = 3.4e-05
_STRONG_REVERSAL = [-0.010, -0.009, -0.011, -0.012, -0.010]
#: no effect: p = 0.80
_NOTHING = [0.003, -0.004, 0.001, -0.002, 0.004]


@pytest.mark.parametrize("reversal, expected", [(_WEAK_REVERSAL, "inconclusive"), (_STRONG_REVERSAL, "not reproduced")])
def test_holm_rule_counts_a_reversal_only_if_it_survives_holm_across_the_rules_points(reversal, expected):
    # a predicted > 0 curve over two points: a reversal at the first, nothing at the second
    a = np.array([reversal, _NOTHING]).T
    cmp = curve_stats.compare_curves(a, np.zeros_like(a), [1, 2], direction=+1)
    assert cmp["points"][0]["p"] < 0.05 and cmp["points"][0]["ci_high"] < 0 and cmp["verdict"] == "not reproduced"
    rule = curve_stats.holm_rule([cmp], direction=+1)
    first = rule["comparisons"][0]["points"][0]
    assert first["p_holm_rule"] == pytest.approx(2 * cmp["points"][0]["p"])   # the smaller of two p-values: x 2
    assert (first["p_holm_rule"] >= 0.05) == (expected == "inconclusive")
    assert rule["verdict"] == rule["comparisons"][0]["verdict"] == first["verdict"] == expected
    assert rule["comparisons"][0]["verdict_ci"] == first["verdict_ci"] == "not reproduced"
    assert rule["min_p_holm_reversed"] == first["p_holm_rule"] and rule["points"] == 2
    assert first["sign_p"] == 0.0625                                           # 5 seeds < EXACT_BELOW
    # one family over several curves: the same reversal beside a second, flat curve is adjusted over 4 points
    two = curve_stats.holm_rule([cmp, cmp], direction=+1)
    assert two["points"] == 4 and two["comparisons"][0]["points"][0]["p_holm_rule"] >= first["p_holm_rule"]


def test_holm_rule_reproduces_only_where_every_point_survives_holm():
    strong = -np.array(_STRONG_REVERSAL)
    a = np.array([strong, -np.array(_WEAK_REVERSAL)]).T         # both CIs above 0: p = 3.4e-05 and 0.045
    cmp = curve_stats.compare_curves(a, np.zeros_like(a), [1, 2], direction=+1)
    assert cmp["verdict"] == "reproduced"
    assert curve_stats.holm_rule([cmp], direction=+1)["verdict"] == "reproduced"     # Holm: 6.8e-05, 0.045
    b = np.array([-np.array(_WEAK_REVERSAL), -np.array(_WEAK_REVERSAL), _NOTHING]).T
    cmp = curve_stats.compare_curves(b, np.zeros_like(b), [1, 2, 4], direction=+1)
    rule = curve_stats.holm_rule([cmp], direction=+1)
    assert [p["verdict_ci"] for p in rule["comparisons"][0]["points"]] == ["reproduced", "reproduced", "inconclusive"]
    assert [p["verdict"] for p in rule["comparisons"][0]["points"]] == ["inconclusive"] * 3   # Holm: 0.14
    with pytest.raises(BoolsensError, match="direction"):
        curve_stats.holm_rule([cmp], direction=0)


def _sequence_records(lw_lstm: list[float]) -> list:
    """Synthetic unit records of sequence-sensitivity over σ² = (1, 4): the LSTM clearly more
    sensitive, its LW ``lw_lstm`` at σ² = 1 and nothing at σ² = 4, the transformer's LW 0."""
    from types import SimpleNamespace

    records = []
    for i, seed in enumerate(range(5)):
        for model, sens, lw in (("lstm", 0.05 + 0.001 * i, (lw_lstm[i], _NOTHING[i])), ("transformer", 0.01, (0.0, 0.0))):
            records.append(SimpleNamespace(record={
                "model": model, "seed": seed, "epochs": 1, "train_acc": 1.0, "test_acc": 1.0, "train_seconds": 0.0,
                "sensitivity": {"1": sens, "4": 2 * sens}, "late_minus_early": {"1": lw[0], "4": lw[1]},
                "profile": {}, "profile_counts": None}))
    return records


@pytest.mark.parametrize("reversal, expected", [(_WEAK_REVERSAL, "inconclusive"), (_STRONG_REVERSAL, "not reproduced")])
def test_sequence_sensitivity_judges_a_reversal_after_holm_and_reports_both_ps(tmp_path, reversal, expected):
    from empirical.experiments import sequence_sensitivity as seq
    from empirical.harness.rundir import RunDir

    # the verdict: each sub-claim at the primary σ² (here 1, standing for the paper's 15), Holm across the three
    config = seq.SequenceSensitivityConfig(measure=seq.TextMeasureSpec(sigma2s=(1.0, 4.0), reference_sigma2=1.0))
    out = seq.analyze(config, _sequence_records(reversal), RunDir(tmp_path))
    assert out["parts"] == {"(a)": "reproduced", "(b)": expected, "(c)": expected}
    assert out["overall"] == expected
    # the whole curve (secondary): Holm across each sub-claim's two σ²
    assert out["whole_curve_rule"]["parts"] == {"(a)": "reproduced", "(b)": expected, "(c)": expected}
    assert out["exploratory_rule"]["parts"]["(b)"] == "not reproduced"     # the CI-only rule of the committed run
    report = (tmp_path / "report.md").read_text()
    assert "| p | p Holm | sign p | verdict (amended) | exploratory (CI only) |" in report
    assert "| p | p Holm (3 sub-claims) | sign p | verdict |" in report
    assert "amended on 2026-12-07 for multiplicity" in report


def test_sequence_sensitivity_reports_the_rule_with_the_accuracy_filter_off(tmp_path):
    """Seeds below min_train_acc leave the verdict's statistics; the same rule over every seed is
    reported beside it, with whether the verdict holds without the filter."""
    from empirical.experiments import sequence_sensitivity as seq
    from empirical.harness.rundir import RunDir

    config = seq.SequenceSensitivityConfig(measure=seq.TextMeasureSpec(sigma2s=(1.0, 4.0), reference_sigma2=1.0),
                                           min_train_acc=0.9)
    late = [0.05, 0.06, 0.055, 0.052, 0.058]          # the LSTM clearly late-weighted: (b) and (c) reproduced
    records = _sequence_records(late)
    for r in records:   # seeds 3 and 4: the transformer ends below the filter's accuracy, the LSTM flips nothing
        if r.record["seed"] in (3, 4):
            if r.record["model"] == "transformer":
                r.record["train_acc"] = 0.5
            else:
                r.record["sensitivity"] = {"1": 0.0, "4": 0.0}
    out = seq.analyze(config, records, RunDir(tmp_path))
    assert out["seeds_used"] == [0, 1, 2] and out["without_filter"]["seeds"] == [0, 1, 2, 3, 4]
    assert out["overall"] == "reproduced"                                  # seeds 0-2: (a), (b), (c) all hold
    assert out["without_filter"]["parts"]["(a)"] == "inconclusive"         # seeds 3, 4 reverse (a)
    assert out["without_filter"]["overall"] == "inconclusive"
    assert "does NOT hold without the filter" in out["verdict"]
    assert "the same rule without the training-accuracy filter" in (tmp_path / "report.md").read_text()
    # no seed dropped: the verdict says so and the two agree
    out = seq.analyze(config, _sequence_records(late), RunDir(tmp_path / "b"))
    assert out["without_filter"]["overall"] == out["overall"] == "reproduced"
    assert "No seed was left out by the training-accuracy filter (5 seeds)" in out["verdict"]


def test_sequence_sensitivity_decides_at_the_primary_sigma2_only(tmp_path):
    """A reversal at a secondary σ² does not decide: the verdict reads the primary σ² alone."""
    from empirical.experiments import sequence_sensitivity as seq
    from empirical.harness.rundir import RunDir

    config = seq.SequenceSensitivityConfig(measure=seq.TextMeasureSpec(sigma2s=(1.0, 4.0), reference_sigma2=4.0))
    out = seq.analyze(config, _sequence_records(_STRONG_REVERSAL), RunDir(tmp_path))
    assert out["parts"] == {"(a)": "reproduced", "(b)": "inconclusive", "(c)": "inconclusive"}
    assert out["whole_curve_rule"]["parts"]["(b)"] == "not reproduced"
    with pytest.raises(BoolsensError, match="reference_sigma2=15.0 must be one of sigma2s"):
        seq.TextMeasureSpec(sigma2s=(1.0, 4.0))


@pytest.mark.parametrize("reversal, expected", [(_WEAK_REVERSAL, "inconclusive"), (_STRONG_REVERSAL, "not reproduced")])
def test_vision_sensitivity_judges_a_reversal_after_holm(tmp_path, reversal, expected):
    from types import SimpleNamespace

    from empirical.experiments import vision_sensitivity as vis
    from empirical.harness.rundir import RunDir

    config = vis.VisionSensitivityConfig(variants=("vit", "cnn", "mlp"),
                                         measure=vis.VisionMeasureSpec(sigmas=(1.0, 2.0)))
    results = []
    # ViT − CNN and ViT − MLP (predicted < 0): the reversal at the primary σ = 1 (the rule's point; two points
    # in the Holm family), nothing at σ = 2 (described only)
    for i, seed in enumerate(range(5)):
        for variant, sens in (("cnn", (0.1, 0.2)), ("mlp", (0.1, 0.2)), ("vit", (0.1 - reversal[i], 0.2 + _NOTHING[i]))):
            results.append(SimpleNamespace(record={
                "variant": variant, "seed": seed, "train_acc": 1.0, "test_acc": 1.0, "robust_mean": 0.5,
                "sensitivity": {"1": sens[0], "2": sens[1]}, "shop": {f"{w:g}": 1.0 for w in config.measure.weight_sigmas},
                "shpred": {f"{w:g}": 0.0 for w in config.measure.weight_sigmas}}))
    out = vis.analyze(config, results, RunDir(tmp_path))
    assert out["parts"] == {"(a)": expected} and out["overall"] == expected
    assert out["exploratory_rule"]["parts"] == {"(a)": "not reproduced"}
    assert "| p | p Holm | sign p | verdict (amended) | exploratory (CI only) |" in (tmp_path / "report.md").read_text()


# ------------------------------------------------------------------ sequences
def test_redundant_polarity_holds_k_label_words_and_pads_after_the_length():
    ids, lengths, y = real.redundant_polarity(300, L_min=4, L_max=9, vocab=20, n_polar=3, k_min=1,
                                                         k_max=3, seed=0)
    assert ids.shape == (300, 9) and 4 <= int(lengths.min()) and int(lengths.max()) <= 9
    for row, n, label in zip(ids.numpy(), lengths.numpy(), y.numpy()):
        assert (row[n:] == 20).all() and (row[:n] < 20).all()
        own = row[:n] < 3 if label == 1 else (row[:n] >= 3) & (row[:n] < 6)
        other = (row[:n] >= 3) & (row[:n] < 6) if label == 1 else row[:n] < 3
        assert 1 <= own.sum() <= 3 and other.sum() == 0
    assert 0.4 < float(y.float().mean()) < 0.6


def test_embedding_sensitivity_right_aligned_profile_and_late_minus_early_follow_their_definitions():
    c, sigma = 0.3, 1.0
    f = lambda e, n: torch.stack([c + e[torch.arange(len(e)), n - 1, 0], torch.zeros(len(e))], 1)  # noqa: E731
    lengths = torch.tensor([4, 6, 5] * 300)
    rates = variable_length.embedding_sensitivity(f, torch.zeros(900, 6, 2), lengths, sigmas=[sigma], n_draws=4,
                                                  seed=1)[sigma]
    profile, counts = variable_length.right_aligned(rates, lengths.numpy())
    assert counts.tolist() == [300, 600, 900, 900, 900, 900]
    assert np.all(profile[:-1] == 0) and abs(profile[-1] - _phi(-c / sigma)) < 0.03
    # naive within-sequence contrast: only the last token flips, so LW = mean of (last rate) / floor(n/3)
    lw = np.mean([rates[s, n - 1] / max(1, n // 3) for s, n in enumerate(lengths.tolist())])
    assert variable_length.late_minus_early(rates, lengths.numpy()) == pytest.approx(lw)
    assert variable_length.mean_sensitivity(rates) == pytest.approx(np.nansum(rates) / int(lengths.sum()))


@pytest.mark.parametrize("cls", [PaddedTransformer, PaddedLSTM], ids=["transformer", "lstm"])
def test_padded_models_ignore_what_lies_after_each_length(cls):
    torch.manual_seed(0)
    model = cls(PaddedTextConfig(vocab=10, max_len=7, d_model=8, n_heads=2, d_mlp=16, d_hidden=8)).eval()
    ids = torch.randint(0, 10, (5, 7), generator=_gen(2))
    lengths = torch.tensor([7, 3, 5, 1, 4])
    padded = ids.clone()
    for s, n in enumerate(lengths.tolist()):
        padded[s, n:] = 10
    with torch.no_grad():
        a = model(padded, lengths)
        b = model(ids, lengths)  # other words where the padding was
        c = torch.cat([model(padded[s:s + 1, :n], lengths[s:s + 1]) for s, n in enumerate(lengths.tolist())])
    assert torch.allclose(a, b, atol=1e-5) and torch.allclose(a, c, atol=1e-5)


@pytest.mark.parametrize("call, match", [
    (lambda: token_replacement.replacement_sensitivity(lambda t: t[:, 0].double(), torch.zeros(2, 3, dtype=torch.long),
                                                       vocab=0), "vocab=0"),
    (lambda: token_replacement.replacement_sensitivity(lambda t: t[:, 0].double(), torch.full((2, 3), 4), vocab=3),
     r"ids must lie in \[0, vocab=3\)"),
    (lambda: pixel_noise.pixel_sensitivity(lambda x: x, torch.zeros(2, 1, 4, 4), sigmas=[1.0], k=17), "k=17"),
    (lambda: pixel_noise.square_noise(torch.zeros(1, 1, 4, 4), size=4, sigma=1.0, generator=_gen(0)), "size=4"),
    (lambda: real.redundant_polarity(3, L_min=5, L_max=4, vocab=9, n_polar=2, k_min=1, k_max=2, seed=0),
     "L_max=4"),
    (lambda: real.redundant_polarity(3, L_min=2, L_max=4, vocab=4, n_polar=2, k_min=1, k_max=2, seed=0),
     "2 \\* n_polar = 4"),
], ids=["vocab-zero", "ids-out-of-vocab", "too-many-pixels", "square-too-big", "lengths-reversed", "no-neutral"])
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(BoolsensError, match=match):
        call()


def test_a_zero_variance_regime_of_five_seeds_gets_the_exact_sign_test_and_is_inconclusive():
    from empirical.analysis.stats import paired_difference
    d = paired_difference([1.0] * 5, [0.5] * 5)          # +0.5 with SD 0 on 5 seeds
    assert d["p"] == 0.0625 and d["p"] != 0 and math.isnan(d["t"])
    assert d["sign_p"] == 0.0625 and d["permutation_p"] == 0.0625
    assert st.regime_verdict(d) == "inconclusive"
    assert st.regime_verdict(paired_difference([0.0] * 5, [0.5] * 5)) == "inconclusive"   # the other side too
    assert st.regime_verdict(paired_difference([1.0] * 6, [0.5] * 6)) == "reproduced"      # p = 2 / 2**6
    assert st.regime_verdict(paired_difference([0.0] * 6, [0.5] * 6)) == "not reproduced"
    # with variance the t interval decides, as before
    assert st.regime_verdict(paired_difference([0.9, 0.95, 1.0, 0.97, 0.92], [0.5] * 5)) == "reproduced"


def test_vision_sensitivity_leaves_a_censored_unit_out_of_its_seeds_comparisons(tmp_path):
    from types import SimpleNamespace

    from empirical.experiments import vision_sensitivity as vis
    from empirical.harness.rundir import RunDir

    config = vis.VisionSensitivityConfig(variants=("vit", "cnn"), measure=vis.VisionMeasureSpec(sigmas=(1.0, 2.0)))
    results = []
    for seed in range(5):
        for variant, sens in (("cnn", 0.2), ("vit", 0.1 + 0.001 * seed)):
            censored = variant == "cnn" and seed == 0
            results.append(SimpleNamespace(record={
                "variant": variant, "seed": seed, "train_acc": 0.9 if censored else 0.995, "test_acc": 1.0,
                "reached_target": not censored, "target_train_acc": 0.99, "epochs": 100 if censored else 7,
                "robust_mean": 0.5, "sensitivity": {"1": sens, "2": 2 * sens}, "pixel_sensitivity": {},
                "shop": {f"{w:g}": 1.0 for w in config.measure.weight_sigmas},
                "shpred": {f"{w:g}": 0.0 for w in config.measure.weight_sigmas}}))
    out = vis.analyze(config, results, RunDir(tmp_path))
    assert out["parts"] == {"(a)": "reproduced"}
    report = (tmp_path / "report.md").read_text()
    assert "| cnn | 0 | 100 | 0.9 | 0.99 |" in report                       # listed as censored
    assert "| patch sensitivity σ=1, censored units kept | vit - cnn | 5 |" in report
    assert "| patch sensitivity, σ grid | vit - cnn | 4 |" in report          # left out of the comparison


@pytest.mark.parametrize("ties", ["half", "literal"])
def test_rule_sensitivities_closed_form_equals_the_measure_on_samples(ties):
    for row in ((1, 8, 6, 4, 30, 12), (3, 5, 1, 4, 30, 12), (1, 8, 7, 4, 25, 14), (2, 6, 2, 3, 20, 10)):
        _, _, ids = synthetic_tokens(st._spec(row), 20, seed=4)
        m, M = row[3], row[4]
        wrap = (lambda r: r) if ties == "half" else st._literal
        s = token_replacement.replacement_sensitivity(wrap(st.sparse_rule), ids, vocab=M, exact=True)
        f = token_replacement.replacement_sensitivity(wrap(st.frequent_rule(m)), ids, vocab=M, exact=True)
        want = st.rule_sensitivities(*row, ties=ties)
        assert (s.overall.value, f.overall.value) == pytest.approx(want, abs=1e-12)
        assert float(s.overall.stderr) == pytest.approx(0, abs=1e-12)   # every input gives the same value


def test_calibrated_regimes_are_calibrates_choice_and_match_the_paper_within_ten_percent():
    for row in st.CALIBRATED:
        c = st.calibrate(row[:4])
        assert (c["M"], c["T"]) == tuple(row[4:]) and c["within"]
        paper = st.PAPER_RULE_SENSITIVITY[tuple(row[:4])]
        got = st.rule_sensitivities(*row, ties="literal")
        for p, g in zip(paper, got):
            assert (g == 0) if p == 0 else abs(g - p) <= 0.10 * p
    assert not st.calibrate((3, 17, 1, 20), ties="half")["within"]   # the measure's tie convention cannot
    assert st.PRESETS["cpu"].regimes == st.CALIBRATED
