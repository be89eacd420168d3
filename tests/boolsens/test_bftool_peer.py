"""Cross-check against bftool (github.com/sxyu/bftool, C++) on every function with n <= 3.

Skipped unless bftool and its driver are built at bench/_peers/bftool-build/bftool_driver
(bench/setup_bftool.sh; bench/compare_bftool.py runs the full comparison and the timings). The
conventions met are in that script's docstring. Two differences are bftool's and are asserted as
such, so that a change on either side shows up:

* ``variance_pm1()`` is 1 − E², E = Pr[f = 1] (the 0/1 mean), not 1 − f̂(∅)²;
* ``adeg()`` compares its float optimum with the double nearest 1/3, so where the best error
  E_d is exactly 1/3 it answers as boolsens does at ε = float(1/3) (a hair below 1/3), not at
  ε = 1/3; the exact value at ε = 1/3 is checked against the independent symmetric oracle.
"""

from __future__ import annotations

import importlib.util
from fractions import Fraction
from pathlib import Path

import pytest

import boolsens as bs

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "bench" / "_peers" / "bftool-build" / "bftool_driver"

pytestmark = pytest.mark.skipif(
    not DRIVER.exists(),
    reason=f"bftool is not built at {DRIVER.relative_to(ROOT)} (bench/setup_bftool.sh builds it from a clone "
           "of github.com/sxyu/bftool in bench/_peers/bftool-src)")


def _compare_module():
    spec = importlib.util.spec_from_file_location("_compare_bftool", ROOT / "bench" / "compare_bftool.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bftool_agrees_on_every_function_up_to_n3():
    cb = _compare_module()
    cases = [c for c in cb.tables(quick=True) if c[1].size <= 8]
    assert len(cases) == 2 + 4 + 16 + 256
    got = cb.cross_check(DRIVER, cases, adeg_in_batch=True, with_oracle=False)
    rows = {cb.bits_of(r): r for _, r in cases}
    for measure, c in got["counts"].items():
        assert c["exact"] + c["rounding"] + c["differ"] == len(cases), measure
        if measure not in ("variance_pm1", "adeg"):
            assert c["differ"] == 0, (measure, [d for d in got["differences"] if d["measure"] == measure][:3])
    assert not got["adeg_timeouts"]
    ties = 0
    for d in got["differences"]:
        row = rows[d["bits"]]
        if d["measure"] == "variance_pm1":
            e01 = Fraction(sum(v < 0 for v in row), len(row))
            assert Fraction(d["bftool"]) == 1 - e01 ** 2
        else:
            assert d["measure"] == "adeg", d
            assert d["bftool"] == d["boolsens_at_eps_float_1_3"] == d["boolsens"] + 1, d
            assert cb.oracle_value("adeg", row)["eps=1/3"] == d["boolsens"], d
            ties += 1
    # the ties at n <= 3: the 64 functions equivalent to OR_3 up to negations (E_1 = 1/3 exactly)
    assert ties == 64
    assert bs.approximate_degree(bs.disjunction(3)) == 1
