"""The command line tried as a new user would: every bad or edge invocation below must end in one
line on stderr naming the argument and exit status 2 (no traceback, nothing written), and the
edge invocations that are valid must succeed. Running this file as a script prints the tally::

    python tests/cli/test_cli_reliability.py

The cases include every command-line reproducer of the reliability issue (an ``--S`` that is not
an integer list, an empty, file or under-a-file ``--out``, ``--table`` beside a family name, a
negative ``--seed``, an unknown device, a ``--plot`` into a missing folder).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

from boolsens_cli.main import main

#: (id, argv with {tmp} for a scratch folder, text the one-line message must contain)
BAD = [
    ("S-not-integer", ["analyze", "sparse-parity", "--n", "3", "--S", "0.7"], "--S='0.7'"),
    ("S-inf", ["analyze", "sparse-parity", "--n", "3", "--S", "inf"], "--S='inf'"),
    ("S-out-of-range", ["analyze", "sparse-parity", "--n", "3", "--S", "5"], "S"),
    ("S-negative", ["analyze", "sparse-parity", "--n", "3", "--S", "-1"], "S"),
    ("table-and-family", ["analyze", "majority", "--n", "3", "--table", "0110"], "not both"),
    ("no-family", ["analyze"], "give a family"),
    ("n-zero", ["analyze", "majority", "--n", "0"], "n=0"),
    ("n-float", ["analyze", "majority", "--n", "2.5"], "--n"),
    ("n-huge", ["analyze", "parity", "--n", "99"], "n=99"),
    ("even-majority", ["analyze", "majority", "--n", "4"], "tie"),
    ("rho-big", ["analyze", "parity", "--n", "3", "--rho", "1.5"], "rho=1.5"),
    ("rho-nan", ["analyze", "parity", "--n", "3", "--rho", "nan"], "rho"),
    ("rho-text", ["analyze", "parity", "--n", "3", "--rho", "abc"], "rho"),
    ("table-not-pow2", ["analyze", "--table", "011"], "not a power of two"),
    ("table-bad-hex", ["analyze", "--table", "0x12g"], "hex"),
    ("table-letters", ["analyze", "--table", "01x0"], "table"),
    ("plot-missing-folder", ["analyze", "majority", "--n", "3", "--plot", "{tmp}/missing/p.png"], "does not exist"),
    ("verify-seed-negative", ["verify", "--seed", "-1"], "--seed=-1"),
    ("verify-exhaustive-big", ["verify", "--exhaustive", "7"], "--exhaustive=7"),
    ("verify-exhaustive-zero", ["verify", "--exhaustive", "0"], "--exhaustive=0"),
    ("verify-unknown-claim", ["verify", "--claim", "no-such-claim"], "unknown claim id(s) no-such-claim"),
    ("verify-unknown-option", ["verify", "--only", "x"], "--only"),
    ("census-n-big", ["census", "--n", "6", "--out", "{tmp}/c"], "--n=6"),
    ("census-n-negative", ["census", "--n", "-1", "--out", "{tmp}/c"], "--n=-1"),
    ("census-out-file", ["census", "--n", "2", "--out", "{tmp}/afile"], "is a file"),
    ("census-jobs-zero", ["census", "--n", "2", "--out", "{tmp}/c", "--jobs", "0"], "--jobs=0"),
    ("experiment-unknown", ["experiment", "nope", "--preset", "smoke", "--out", "{tmp}/e"], "unknown experiment"),
    ("experiment-bad-preset", ["experiment", "grokking", "--preset", "huge", "--out", "{tmp}/e"], "huge"),
    ("experiment-out-empty", ["experiment", "grokking", "--preset", "smoke", "--out", ""], "--out=''"),
    ("experiment-out-file", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/afile"], "is a file"),
    ("experiment-out-under-file", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/afile/x"],
     "which is a file"),
    ("experiment-device-tpu", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--device", "tpu"],
     "device='tpu'"),
    ("experiment-seeds-open-range", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--seeds", "0-"],
     "--seeds='0-'"),
    ("experiment-seeds-negative", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--seeds", "-3"],
     "--seeds"),
    ("experiment-seeds-repeated", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--seeds",
                                   "1,1"], "--seeds"),
    ("experiment-set-unknown", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--set", "bogus=1"],
     "bogus"),
    ("experiment-set-bad-value", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--set",
                                  "window_epochs=abc"], "window_epochs"),
    ("experiment-set-no-equals", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--set",
                                  "window_epochs"], "--set"),
    ("experiment-grid-unknown", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--grid",
                                 "bogus=1,2"], "bogus"),
    ("experiment-jobs-zero", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--jobs", "0"],
     "--jobs"),
    ("experiment-backend", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/e", "--backend", "slurm"],
     "--backend"),
    ("experiment-analyze-empty", ["experiment", "grokking", "--preset", "smoke", "--out", "{tmp}/empty", "--analyze"],
     "analyze"),
    ("unknown-subcommand", ["frobnicate"], "frobnicate"),
]

#: valid edge invocations that must succeed (exit 0)
GOOD = [
    ("analyze-n1", ["analyze", "parity", "--n", "1"]),
    ("analyze-table-constant", ["analyze", "--table", "00"]),
    ("analyze-hex", ["analyze", "--table", "0x6"]),
    ("analyze-rho-edges", ["analyze", "parity", "--n", "3", "--rho=-1,0,1"]),
    ("census-n0", ["census", "--n", "0", "--out", "{tmp}/c0"]),
    ("experiment-list", ["experiment", "list"]),
]


def _argv(argv: list[str], tmp: Path) -> list[str]:
    return [a.format(tmp=tmp) for a in argv]


def _scratch(tmp: Path) -> Path:
    (tmp / "afile").write_text("not a folder\n")
    (tmp / "empty").mkdir(exist_ok=True)
    return tmp


def _call(argv: list[str]) -> tuple[int, str]:
    """Exit status and stderr of ``boolsens ARGV`` run in-process (argparse's SystemExit included)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
    return code, err.getvalue()


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_invocation_is_one_line_and_exit_2(case, tmp_path):
    _, argv, needle = case
    before = sorted(p.name for p in _scratch(tmp_path).iterdir())
    code, err = _call(_argv(argv, tmp_path))
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("usage:")]
    assert code == 2, (code, err)
    assert "Traceback" not in err, err
    assert len(lines) == 1, err
    assert needle in lines[0], lines[0]
    after = sorted(p.name for p in tmp_path.iterdir())
    assert after == before, f"a refused command wrote {set(after) - set(before)}"


@pytest.mark.parametrize("case", GOOD, ids=[c[0] for c in GOOD])
def test_valid_edge_invocation_succeeds(case, tmp_path):
    code, err = _call(_argv(case[1], _scratch(tmp_path)))
    assert code == 0, err


def tally() -> dict[str, int]:
    import tempfile

    counts = {"invocations tried": 0, "one-line errors (exit 2)": 0, "succeeded as they should": 0,
              "tracebacks or unclear": 0}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = _scratch(Path(tmp))
        for name, argv, needle in BAD:
            counts["invocations tried"] += 1
            code, err = _call(_argv(argv, tmp))
            lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("usage:")]
            ok = code == 2 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err
            counts["one-line errors (exit 2)" if ok else "tracebacks or unclear"] += 1
            if not ok:
                print("FAIL", name, code, err[-300:], file=sys.stderr)
        for name, argv in GOOD:
            counts["invocations tried"] += 1
            code, err = _call(_argv(argv, tmp))
            counts["succeeded as they should" if code == 0 else "tracebacks or unclear"] += 1
    return counts


if __name__ == "__main__":
    os.environ.setdefault("BOOLSENS_PROGRESS", "0")
    print(tally())
