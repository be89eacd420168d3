"""`boolsens search`: the results table and JSON agree with bs.search, and bad input is one line
on stderr with exit status 2."""

import json
from fractions import Fraction

import pytest

import boolsens as bs
from boolsens_cli.main import main


def test_search_json_matches_the_library(capsys):
    assert main(["search", "--n", "4", "--maximise", "block_sensitivity/sensitivity", "--json", "--top", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    r = bs.search.exhaustive("block_sensitivity/sensitivity", 4, top=2)
    assert Fraction(out["maximum"]) == r.maximum == Fraction(3, 2)
    assert out["maximisers"][0]["table"] == f"0x{r.maximisers[0].table:04x}"
    assert out["functions"] + out["undefined"] == 1 << 16
    assert sum(d["functions"] for d in out["distribution"]) == out["functions"]


def test_search_table_for_a_family_and_minimise(capsys):
    assert main(["search", "--n", "3", "--minimise", "deg/s", "--family", "threshold", "--invariance", "np"]) == 0
    text = capsys.readouterr().out
    assert "102 functions in 8 NP classes (2 undefined)" in text
    assert "least: 1" in text and "rank" in text


def test_search_local(capsys):
    assert main(["search", "--n", "6", "--maximise", "I", "--local", "--steps", "2000", "--restarts", "2",
                 "--seed", "0", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["value"] == "6" and out["incremental"] is True
    assert bs.BooleanFunction.from_hex(out["table"], 6) in (bs.parity(6), -bs.parity(6))


@pytest.mark.parametrize("argv, match", [
    (["--n", "4", "--maximise", "bs/s", "--family", "nope"], "--family='nope' is not a family"),
    (["--n", "4", "--maximise", "bs/"], "is not an expression"),
    (["--n", "4", "--maximise", "open('x')"], "only measure names"),
    (["--n", "4", "--maximise", "bss/s"], "unknown measure 'bss'"),
    (["--n", "4"], "exactly one of --maximise"),
    (["--n", "4", "--maximise", "s", "--minimise", "s"], "exactly one of --maximise"),
    (["--n", "7", "--maximise", "s"], "n=7"),
    (["--n", "4", "--maximise", "s", "--invariance", "xyz"], "--invariance='xyz'"),
    (["--n", "4", "--maximise", "bias", "--invariance", "npn"], "declare invariance='np'"),
    (["--n", "4", "--maximise", "s", "--local", "--steps", "0"], "steps=0"),
    (["--n", "4", "--maximise", "s", "--local", "--seed", "-1"], "rng=-1"),
    (["--n", "4", "--maximise", "s", "--top", "0"], "top=0"),
    (["--n", "4", "--maximise", "s", "--invariance", "none", "--max-functions", "1000"], "--max-functions"),
    (["--n", "5", "--maximise", "gf2_degree", "--invariance", "none"], "max_functions=16,777,216"),
], ids=["family", "syntax", "code", "name", "none", "both", "n", "invariance", "bias", "steps", "seed", "top",
        "max-functions", "slow-measure-capped"])
def test_search_bad_input_is_one_line_and_exit_2(argv, match, capsys):
    assert main(["search", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err, err


def test_search_every_function_without_invariance(capsys):
    """--invariance none visits every function (65,536 at n = 4) and agrees with the classes."""
    assert main(["search", "--n", "4", "--maximise", "bs/s", "--invariance", "none", "--json"]) == 0
    every = json.loads(capsys.readouterr().out)
    r = bs.search.exhaustive("bs/s", 4)
    assert every["classes"] == every["functions"] == r.functions
    assert [(d["value"], d["functions"]) for d in every["distribution"]] == \
        [(str(v) if v.denominator != 1 else str(v.numerator), f) for v, f, _ in r.distribution]
    # the least table of the best class is its canonical form, so both searches name the same one
    assert every["maximisers"][0]["table"] == f"0x{r.maximisers[0].table:04x}" and every["maximisers"][0]["size"] == 1
