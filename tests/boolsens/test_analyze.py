"""boolsens.analyze's family table: every family name and alias builds, through the command line's
own parser, the same function as boolsens.families called directly."""

from __future__ import annotations

import argparse

import pytest

import boolsens as bs
from boolsens.analyze import FAMILY_TABLE, build_family, register
from boolsens.command_line import CommandParser
from boolsens.errors import BoolsensError

#: (argv after the family name, the same function built directly), one per row of FAMILY_TABLE
EXPECTED = {
    "parity": (["--n", "4"], lambda: bs.parity(4)),
    "majority": (["--n", "4", "--tie", "-1"], lambda: bs.majority(4, tie=-1)),
    "dictator": (["--n", "4", "--i", "2"], lambda: bs.dictator(4, i=2)),
    "conjunction": (["--n", "3"], lambda: bs.conjunction(3)),
    "disjunction": (["--n", "3"], lambda: bs.disjunction(3)),
    "tribes": (["--w", "2", "--s", "3"], lambda: bs.tribes(2, 3)),
    "inner-product": (["--m", "2"], lambda: bs.inner_product(2)),
    "address": (["--k", "2"], lambda: bs.address(2)),
    "threshold": (["--weights", "2,1,1,1", "--theta", "0.5"], lambda: bs.threshold([2, 1, 1, 1], 0.5)),
    "sparse-parity": (["--n", "5", "--S", "0,3"], lambda: bs.sparse_parity(5, [0, 3])),
    "rubinstein": (["--k", "2"], lambda: bs.rubinstein(2)),
    "random": (["--n", "6", "--seed", "3"], lambda: bs.random_function(6, seed=3)),
}


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = CommandParser(prog="boolsens")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["analyze", *argv])


def test_the_table_and_the_expectations_name_the_same_families():
    assert sorted(f.name for f in FAMILY_TABLE) == sorted(EXPECTED)


@pytest.mark.parametrize("key", [k for f in FAMILY_TABLE for k in (f.name, *f.aliases)])
def test_every_name_and_alias_builds_its_family(key):
    name = next(f.name for f in FAMILY_TABLE if key in (f.name, *f.aliases))
    argv, direct = EXPECTED[name]
    f = build_family(key.upper(), _parse([key, *argv]))
    assert f == direct()


def test_dictator_defaults_to_coordinate_0():
    assert build_family("dictator", _parse(["dictator", "--n", "3"])) == bs.dictator(3, i=0)


@pytest.mark.parametrize("argv, message", [
    (["nosuch", "--n", "3"], "unknown family 'nosuch'; choose from address, conjunction"),
    (["sparse-parity", "--n", "3"], "family 'sparse-parity' needs --S"),
    (["tribes"], "family 'tribes' needs --w, --s"),
    (["threshold", "--weights", "1,x"], r"--weights='1,x' must be a comma-separated list of numbers"),
    (["sparse-parity", "--n", "3", "--S", "a"], r"--S='a' must be a comma-separated list of integers"),
])
def test_bad_family_options(argv, message):
    with pytest.raises(BoolsensError, match=message):
        build_family(argv[0], _parse(argv))
