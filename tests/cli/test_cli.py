"""The `boolsens analyze` command: table and JSON output, truth-table input, clear errors."""

import json
from fractions import Fraction

import pytest

import boolsens as bs
from boolsens.analyze import parse_table
from boolsens_cli.main import main


def test_analyze_majority_json_matches_the_core(capsys):
    assert main(["analyze", "majority", "--n", "5", "--json", "--rho", "0.5,-0.5"]) == 0
    out = json.loads(capsys.readouterr().out)
    f = bs.majority(5)
    assert out["n"] == 5
    assert Fraction(out["exact"]["total_influence"]) == bs.total_influence(f, exact=True)
    assert out["sensitivity"] == bs.sensitivity(f)
    assert out["block_sensitivity"] == bs.block_sensitivity(f)
    assert out["decision_tree_depth"] == bs.decision_tree_depth(f)
    assert [Fraction(w) for w in out["exact"]["fourier_weights"]] == list(bs.fourier_weights(f, exact=True))
    pos, neg = out["noise"]
    assert pos["disagreement"] == pytest.approx(bs.disagreement_probability(f, 0.5), abs=1e-12)
    assert pos["bound_holds"] is True
    assert neg["bound_holds"] is None  # the bound needs rho >= 0: reported as n/a, not as a violation


@pytest.mark.parametrize("argv, build", [
    (["majority", "--n", "5"], lambda: bs.majority(5)),
    (["--table", "0x8ff0"], lambda: bs.BooleanFunction.from_hex("0x8ff0", 4)),
    (["inner-product", "--m", "2"], lambda: bs.inner_product(2)),
])
def test_analyze_json_has_the_catalogue_and_matches_the_core(argv, build, capsys):
    assert main(["analyze", *argv, "--json", "--p", "1/3", "--rho", "0.5"]) == 0
    out = json.loads(capsys.readouterr().out)
    f = build()
    for key, fn in [("min_sensitivity", bs.min_sensitivity), ("gf2_degree", bs.gf2_degree),
                    ("spectral_norm", bs.spectral_norm), ("fourier_sparsity", bs.fourier_sparsity),
                    ("nonlinearity", bs.nonlinearity), ("bent", bs.is_bent),
                    ("correlation_immunity", bs.correlation_immunity), ("resiliency", bs.resiliency),
                    ("absolute_indicator", bs.absolute_indicator), ("monotone", bs.is_monotone),
                    ("symmetric", bs.is_symmetric), ("approximate_degree", bs.approximate_degree)]:
        assert out[key] == fn(f), key
    assert out["fourier_entropy"] == pytest.approx(bs.fourier_entropy(f), abs=1e-12)
    assert Fraction(out["exact"]["fractional_block_sensitivity"]) == bs.fractional_block_sensitivity(f)
    assert out["relevant_variables"] == list(bs.relevant_variables(f))
    assert [Fraction(x) for x in out["exact"]["chow_parameters"]] == list(bs.chow_parameters(f, exact=True))
    rep = bs.threshold_representation(f)
    assert out["threshold_representation"] == (None if rep is None else [list(rep[0]), rep[1]])
    one = out["one_sided"]
    for b, v in (("0", 1), ("1", -1)):
        assert one["s" + b] == bs.sensitivity(f, value=v)
        assert one["bs" + b] == bs.block_sensitivity(f, value=v)
        assert one["C" + b] == bs.certificate_complexity(f, value=v)
    pb = out["exact"]["p_biased"]
    p = Fraction(1, 3)
    assert pb["p"] == "1/3"
    assert [Fraction(x) for x in pb["influences"]] == list(bs.influences(f, p=p))
    assert Fraction(pb["total_influence"]) == bs.total_influence(f, p=p)
    assert [Fraction(x) for x in pb["pivotal_probability"]] == list(bs.pivotal_probability(f, p=p))
    assert [Fraction(x) for x in pb["stability"]] == [bs.noise_stability(f, Fraction(1, 2), p=p)]


def test_analyze_leaves_the_linear_programmes_out_above_lp_max_n(capsys):
    assert main(["analyze", "tribes", "--w", "2", "--s", "2", "--json", "--lp-max-n", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fractional_block_sensitivity"] is None and out["threshold_representation"] is None
    assert out["approximate_degree"] is None  # tribes is not symmetric
    assert main(["analyze", "majority", "--n", "5", "--json", "--lp-max-n", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["approximate_degree"] == 1  # symmetric: any n


def test_analyze_table_output_is_readable(capsys):
    assert main(["analyze", "tribes", "--w", "2", "--s", "2"]) == 0
    text = capsys.readouterr().out
    for label in ("degree", "total influence I", "sensitivity s", "block sensitivity bs",
                  "certificate complexity C", "decision-tree depth D", "Stab_rho", "Prop 2.2",
                  "min sensitivity", "fractional bs", "approximate degree", "GF(2) degree", "nonlinearity",
                  "correlation immunity", "Chow parameters", "relevant variables", "properties"):
        assert label in text


@pytest.mark.parametrize(
    "text, expected",
    [("0110", [1, -1, -1, 1]), ("0x8", [1, 1, 1, -1]), ("0x6", [1, -1, -1, 1])],
)
def test_parse_table(text, expected):
    assert parse_table(text).signs.tolist() == expected


@pytest.mark.parametrize(
    "argv, message",
    [
        (["analyze", "nosuch", "--n", "3"], "unknown family 'nosuch'"),
        (["analyze", "tribes", "--w", "2"], "needs --s"),
        (["analyze", "majority", "--n", "4"], "tie"),
        (["analyze", "--table", "011"], "not a power of two"),
        (["analyze", "--table", "0x123"], "hex table"),
        (["analyze", "parity", "--n", "3", "--rho", "1.5"], r"rho=1.5 must lie in \[-1, 1\]"),
        (["analyze", "parity", "--n", "3", "--p", "1"], r"--p='1' must lie strictly between 0 and 1"),
        (["analyze", "parity", "--n", "3", "--p", "a/b"], r"--p='a/b' must be a number in \(0, 1\)"),
        (["analyze", "parity", "--n", "3", "--lp-max-n", "-1"], r"--lp-max-n=-1 must be >= 0"),
    ],
    ids=["unknown-family", "missing-param", "even-majority", "bad-length", "bad-hex", "bad-rho", "bad-p",
         "p-not-a-number", "bad-lp-max-n"],
)
def test_analyze_errors(argv, message, capsys):
    assert main(argv) == 2
    assert pytest.importorskip("re").search(message, capsys.readouterr().err)


def test_analyze_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "maj.png"
    assert main(["analyze", "majority", "--n", "5", "--complexity-max-n", "0", "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_tour_runs_every_section(tmp_path, capsys):
    """The README's first command: the tour runs end to end on built-in defaults."""
    assert main(["tour", "--out", str(tmp_path / "tour")]) == 0
    out = capsys.readouterr().out
    assert "in every row" in out  # Proposition 2.2 held on every famous function
    assert "MAJ_1001: estimated I" in out
    assert "claims held" in out
    assert (tmp_path / "tour" / "report.md").exists()
    # the trained transformer as a black box: its relevant inputs and heavy coefficient are the planted S
    assert "steps on chi_(11, 63) at n = 64 (planted S = (11, 63)), accuracy 1.000" in out
    assert "relevant inputs (11, 63)" in out and "heavy coefficients (threshold 1/2) (11, 63): +1.000" in out


def test_tour_sections_without_the_checks_and_the_experiment(tmp_path, capsys):
    """The fast tier's tour: the exact table, the n = 4 census and the estimates at n = 1001 (the
    slow tier runs the whole tour above)."""
    assert main(["tour", "--skip-verify", "--skip-experiment", "--out", str(tmp_path / "tour")]) == 0
    out = capsys.readouterr().out
    assert "in every row" in out and "MAJ_1001: estimated I" in out and "NPN classes" in out
    assert "heavy_coefficients(threshold 1/2) finds (17, 400, 999): +1.00" in out
    assert "relevant_variables finds (3, 141, 592, 653, 999)" in out and "5-junta accepted, 4-junta rejected" in out
    assert "claims held" not in out and not (tmp_path / "tour").exists()



# --------------------------------------------------------------------------- experiment
def test_experiment_is_a_real_subcommand_of_boolsens(capsys):
    pytest.importorskip("torch")
    with pytest.raises(SystemExit) as exit_info:
        main(["experiment", "--help"])
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("NAME", "--preset", "--out", "--seeds", "--device", "--threads", "--quiet"):
        assert option in help_text
    assert main(["experiment", "list"]) == 0
    assert "grokking" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["experiment", "nosuch", "--preset", "smoke", "--out", "{out}"], "unknown experiment 'nosuch'"),
        (["experiment", "grokking", "--preset", "smoke"], "needs --preset smoke|cpu|gpu and --out DIR"),
        (["experiment", "grokking", "--preset", "big", "--out", "{out}"], "invalid choice: 'big'"),
        (["experiment", "grokking", "--preset", "smoke", "--out", "{out}", "--seeds", "-1"], "--seeds='-1' must name seeds"),
    ],
    ids=["unknown-experiment", "missing-out", "bad-preset", "negative-seeds"],
)
def test_experiment_errors_are_one_line_with_exit_status_2(argv, message, tmp_path, capsys):
    pytest.importorskip("torch")
    assert main([a.format(out=tmp_path / "out") for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("boolsens")
    assert not (tmp_path / "out").exists()
