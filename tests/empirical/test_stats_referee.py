"""The statistics a referee asks for (empirical.analysis.stats), each against a worked example
whose numbers are computed here independently: by enumerating the null distribution (sign,
Wilcoxon, sign-flip permutation tests), by the textbook Holm example, by the product-limit
definition (Kaplan–Meier) and by the observed-minus-expected sum (log-rank). Also: bad input
raises BoolsensError naming the argument, and zero variance never gives p = 0."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from boolsens import BoolsensError
from empirical.analysis.report import format_p, markdown_table, report_markdown
from empirical.analysis.stats import (EXACT_BELOW, holm, holm_verdicts, kaplan_meier, logrank, mean_ci, paired_difference,
                                      permutation_paired, sign_test, welch_difference, wilcoxon_signed_rank,
                                      within_unit_mean)


# ----------------------------------------------------------------------------- sign test
def _binomial_tail(k: int, n: int) -> float:
    """P(X >= k), X ~ Binomial(n, 1/2), by summing the binomial coefficients."""
    return sum(math.comb(n, i) for i in range(k, n + 1)) / 2**n


def test_sign_test_against_enumeration():
    d = [1.2, 0.4, -0.3, 2.0, 0.0, 0.9, 1.1, 0.5]         # 6 positive, 1 negative, 1 zero: n = 7
    r = sign_test(d)
    assert (r["n_positive"], r["n_negative"], r["n_zero"]) == (6, 1, 1)
    assert "1 zero difference(s) dropped" in r["zeros"]
    # two-sided: P(X <= 1) + P(X >= 6) = (1 + 7 + 7 + 1) / 128 = 0.125
    assert r["p"] == pytest.approx(16 / 128) == pytest.approx(2 * _binomial_tail(6, 7))
    assert sign_test(d, alternative="greater")["p"] == pytest.approx(8 / 128)     # P(X >= 6)
    # "less" (fewer positives than expected): P(X <= 6), everything but X = 7
    assert sign_test(d, alternative="less")["p"] == pytest.approx(127 / 128)


def test_sign_test_all_zero_has_p_one():
    r = sign_test([0.0, 0.0, 0.0])
    assert r["p"] == 1.0 and r["n_zero"] == 3


# ----------------------------------------------------------------------------- Wilcoxon
def _signed_rank_null(ranks: list[float]) -> list[float]:
    """W+ over all 2^n sign assignments of the given ranks."""
    return [sum(r for r, s in zip(ranks, signs) if s) for signs in itertools.product((0, 1), repeat=len(ranks))]


def test_wilcoxon_exact_no_ties():
    d = [1.5, -0.7, 2.3, 3.1, -0.2, 4.0, 0.9]
    # |d| ranks: 0.2→1, 0.7→2, 0.9→3, 1.5→4, 2.3→5, 3.1→6, 4.0→7; W- = 1 + 2 = 3, W+ = 25
    r = wilcoxon_signed_rank(d)
    assert r["method"] == "exact" and r["statistic"] == 3.0
    null = _signed_rank_null(list(range(1, 8)))
    expected = 2 * sum(w <= 3 for w in null) / len(null)        # 2 · 5/128: {}, {1}, {2}, {3}, {1, 2}
    assert expected == pytest.approx(10 / 128)
    assert r["p"] == pytest.approx(expected)


def test_wilcoxon_ties_and_zeros_exact_permutation():
    d = [1.0, 1.0, 2.0, -3.0, 0.0]                # one zero (dropped), ties: midranks 1.5, 1.5, 3, 4
    r = wilcoxon_signed_rank(d)
    assert r["method"] == "exact permutation (ties or zeros)" and r["n_zero"] == 1 and r["n"] == 4
    null = _signed_rank_null([1.5, 1.5, 3.0, 4.0])
    w_plus = 1.5 + 1.5 + 3.0                      # 6; the null is symmetric about 5
    expected = sum(abs(w - 5) >= abs(w_plus - 5) for w in null) / len(null)
    assert r["p"] == pytest.approx(expected)


def test_wilcoxon_large_with_ties_is_asymptotic():
    d = [1.0, 2.0, 2.0] * 10
    assert wilcoxon_signed_rank(d)["method"] == "asymptotic (normal, tie-corrected)"


# ----------------------------------------------------------------------------- sign-flip permutation
def test_permutation_paired_against_enumeration():
    d = [0.8, 1.3, -0.4, 2.1, 0.6]
    sums = [sum(s * x for s, x in zip(signs, d)) for signs in itertools.product((1, -1), repeat=len(d))]
    obs = sum(d)                                   # 4.4
    r = permutation_paired(d)
    assert r["exact"] and r["n_permutations"] == 32
    assert r["p"] == pytest.approx(sum(abs(s) >= obs - 1e-12 for s in sums) / 32)    # ±4.4, ±5.2: 4/32
    assert r["p"] == pytest.approx(4 / 32)
    assert permutation_paired(d, alternative="greater")["p"] == pytest.approx(2 / 32)
    assert permutation_paired(d, alternative="less")["p"] == pytest.approx(31 / 32)


def test_permutation_paired_exact_up_to_twenty_then_seeded():
    rng = np.random.default_rng(0)
    d = rng.normal(0.3, 1.0, size=EXACT_BELOW)
    assert permutation_paired(d)["n_permutations"] == 2**EXACT_BELOW
    d = rng.normal(0.3, 1.0, size=EXACT_BELOW + 1)
    with pytest.raises(BoolsensError, match="seed=None"):
        permutation_paired(d)
    a, b = permutation_paired(d, seed=3, n_resamples=2000), permutation_paired(d, seed=3, n_resamples=2000)
    assert a == b and not a["exact"] and a["n_permutations"] == 2000 and 0 < a["p"] <= 1


# ----------------------------------------------------------------------------- Holm
def test_holm_textbook_example():
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 → running max 0.02, 0.03, 0.06, 0.06
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == [1.0, 1.0]                      # capped at 1, monotone
    assert holm([0.2]) == [0.2]
    # tiny p-values keep their size (an earlier version rounded to 15 decimals and printed them as 0)
    assert holm([6.8e-39, 2.8e-29]) == pytest.approx([1.36e-38, 2.8e-29], rel=1e-12)
    assert all(v > 0 for v in holm([1e-300, 1e-200]))


def test_holm_verdicts_keep_only_decisions_that_survive_holm():
    r = holm_verdicts(["reproduced", "not reproduced", "inconclusive"], [0.001, 0.03, 0.5])
    assert r == {"verdicts": ["reproduced", "inconclusive", "inconclusive"], "p_holm": pytest.approx([0.003, 0.06, 0.5])}
    # a reversal alone at p = 0.045 is significant; beside a second test at p = 0.03 neither is (both 0.06)
    assert holm_verdicts(["not reproduced"], [0.045])["verdicts"] == ["not reproduced"]
    r = holm_verdicts(["not reproduced", "reproduced"], [0.045, 0.03])
    assert r["verdicts"] == ["inconclusive", "inconclusive"] and r["p_holm"] == pytest.approx([0.06, 0.06])
    # a test that could not be made (nan p) counts as p = 1 and cannot keep a decided verdict
    assert holm_verdicts(["reproduced", "reproduced"], [float("nan"), 0.001])["verdicts"] == ["inconclusive", "reproduced"]
    # an equivalence verdict (not sided: no test against 0) stays whatever its p; a sided one does not
    r = holm_verdicts(["not reproduced", "not reproduced"], [0.9, 0.9], sided=[False, True])
    assert r["verdicts"] == ["not reproduced", "inconclusive"]
    with pytest.raises(BoolsensError, match="one flag per verdict"):
        holm_verdicts(["reproduced"], [0.1], sided=[True, False])
    with pytest.raises(BoolsensError, match="one p per verdict"):
        holm_verdicts(["reproduced"], [0.1, 0.2])
    with pytest.raises(BoolsensError, match="verdicts"):
        holm_verdicts(["yes"], [0.1])


# ----------------------------------------------------------------------------- Kaplan–Meier and log-rank
# Freireich et al. (1963), the 6-MP and placebo arms of the leukaemia remission trial (weeks;
# "+" = censored), the classic example of Kleinbaum & Klein, Survival Analysis, ch. 2.
SIX_MP = [(6, 0), (6, 0), (6, 0), (6, 1), (7, 0), (9, 1), (10, 0), (10, 1), (11, 1), (13, 0), (16, 0), (17, 1),
          (19, 1), (20, 1), (22, 0), (23, 0), (25, 1), (32, 1), (32, 1), (34, 1), (35, 1)]
PLACEBO = [(t, 0) for t in (1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23)]


def _product_limit(data):
    """S(t) just after each distinct event time, from S = Π (1 − d_i / n_i)."""
    s, out = 1.0, {}
    for t in sorted({t for t, c in data if not c}):
        at_risk = sum(1 for u, _ in data if u >= t)
        events = sum(1 for u, c in data if u == t and not c)
        s *= 1 - events / at_risk
        out[float(t)] = s
    return out


def test_kaplan_meier_against_the_product_limit_definition():
    times, cens = zip(*SIX_MP)
    r = kaplan_meier(times, [bool(c) for c in cens])
    by_time = dict(zip(r["times"], r["survival"]))
    expected = _product_limit(SIX_MP)
    for t, s in expected.items():
        assert by_time[t] == pytest.approx(s)
    # the textbook's rounded values: 0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448
    assert [round(by_time[t], 3) for t in (6, 7, 10, 13, 16, 22, 23)] == \
        [0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448]
    assert r["median"] == 23.0 and r["median_reached"] and r["events"] == 9 and r["n"] == 21


def test_kaplan_meier_median_not_reached():
    r = kaplan_meier([3, 5, 8, 9], [False, True, True, True])
    assert r["median"] is None and not r["median_reached"]
    assert r["survival"][0] == pytest.approx(0.75)
    r = kaplan_meier([4, 2], [True, True])
    assert r["times"] == [2.0, 4.0] and r["survival"] == [1.0, 1.0] and r["median"] is None


def _logrank_by_hand(a, b):
    """Σ(O_a − E_a) / √(Σ V) over the distinct event times of both groups."""
    o_minus_e, var = 0.0, 0.0
    both = a + b
    for t in sorted({t for t, c in both if not c}):
        n_a = sum(1 for u, _ in a if u >= t)
        n = sum(1 for u, _ in both if u >= t)
        d_a = sum(1 for u, c in a if u == t and not c)
        d = sum(1 for u, c in both if u == t and not c)
        o_minus_e += d_a - d * n_a / n
        if n > 1:
            var += n_a * (n - n_a) * d * (n - d) / (n**2 * (n - 1))
    return o_minus_e / math.sqrt(var)


def test_logrank_against_observed_minus_expected():
    z = _logrank_by_hand(SIX_MP, PLACEBO)
    assert z**2 == pytest.approx(16.79, abs=0.01)       # the textbook's χ² = 16.79
    ta, ca = zip(*SIX_MP)
    tb, cb = zip(*PLACEBO)
    r = logrank(ta, [bool(c) for c in ca], tb, [bool(c) for c in cb])
    assert r["statistic"] == pytest.approx(z)           # negative: the 6-MP arm stays in remission longer
    assert r["statistic"] < 0
    assert r["p"] == pytest.approx(math.erfc(abs(z) / math.sqrt(2)))


# ----------------------------------------------------------------------------- within-unit averaging
def test_within_unit_mean_keeps_first_appearance_order():
    r = within_unit_mean([1.0, 2.0, 4.0, 6.0, 3.0], [7, 3, 7, 3, 11])
    assert r == {"units": [7, 3, 11], "means": [2.5, 4.0, 3.0], "counts": [2, 2, 1]}


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, name", [
    (lambda: sign_test([]), "differences"),
    (lambda: sign_test([1.0, float("nan")]), "differences"),
    (lambda: sign_test([1.0], alternative="bigger"), "alternative"),
    (lambda: wilcoxon_signed_rank([]), "differences"),
    (lambda: wilcoxon_signed_rank([0.0, 0.0]), "differences"),
    (lambda: permutation_paired([float("inf"), 1.0]), "differences"),
    (lambda: holm([]), "p_values"),
    (lambda: holm([0.1, float("nan")]), "p_values"),
    (lambda: holm([0.1, 1.5]), "p_values"),
    (lambda: kaplan_meier([1, 2], [False]), "times"),
    (lambda: kaplan_meier([1, -2], [False, False]), "times"),
    (lambda: kaplan_meier([], []), "times"),
    (lambda: kaplan_meier([1, 2], [0, 2]), "censored"),
    (lambda: logrank([1, 2], [False, False], [3, -1], [False, False]), "times_b"),
    (lambda: logrank([1, 2], [False], [3, 4], [False, False]), "times_a"),
    (lambda: within_unit_mean([1.0, 2.0], ["a"]), "units"),
    (lambda: within_unit_mean([float("nan")], ["a"]), "values"),
    (lambda: within_unit_mean([], []), "values"),
])
def test_bad_input_names_the_argument(call, name):
    with pytest.raises(BoolsensError, match=name):
        call()


# ----------------------------------------------------------------------------- zero variance
def test_zero_variance_gives_the_sign_test_not_zero():
    r = paired_difference([3.0] * 5, [1.0] * 5)
    assert r["p"] == pytest.approx(0.0625) and r["p"] != 0          # 2 · (1/2)**5
    assert math.isnan(r["t"]) and r["p_method"] == "sign test (zero variance)"
    m = mean_ci([2.0] * 5)
    assert m["p"] == pytest.approx(0.0625) and math.isnan(m["t"]) and m["p_method"] == "sign test (zero variance)"
    assert paired_difference([-1.0] * 5, [0.0] * 5)["p"] == pytest.approx(0.0625)
    assert paired_difference([1.0] * 4, [1.0] * 4)["p"] == 1.0       # no difference at all
    w = welch_difference([2.0, 2.0, 2.0], [1.0, 1.0, 1.0])
    assert math.isnan(w["t"]) and w["p"] == pytest.approx(2 / math.comb(6, 3)) and "zero variance" in w["p_method"]


def test_paired_difference_gives_exact_tests_beside_t():
    a, b = [3.0, 4.0, 5.5, 6.0, 2.5, 7.0], [1.0, 1.5, 2.5, 3.1, 3.0, 4.2]   # no ties: exact Wilcoxon
    r = paired_difference(a, b)
    d = [x - y for x, y in zip(a, b)]
    assert r["p_method"] == "t-test"
    assert r["sign_p"] == sign_test(d)["p"] and r["permutation_p"] == permutation_paired(d)["p"]
    assert r["wilcoxon_method"] == "exact" and r["wilcoxon_p"] == wilcoxon_signed_rank(d)["p"]
    assert "sign_p" not in paired_difference(np.arange(EXACT_BELOW, dtype=float), np.zeros(EXACT_BELOW))


def test_reports_never_print_p_zero():
    assert format_p(0.0) == "< 1e-300" and format_p(0.0, ".3g") == "< 1e-300"
    table = markdown_table([{"x": 1, "p": 0.0, "p (Welch)": 0.0, "pairs": 0.0}])
    assert table.splitlines()[2] == "| 1 | < 1e-300 | < 1e-300 | 0 |"
    text = report_markdown("c", {"p (paired t)": 0.0}, "v", title="t", config={"preset": "cpu"},
                           environment={"device": "cpu", "torch": "2", "torch_threads": 1, "utc": "now"})
    assert "- p (paired t): < 1e-300" in text
