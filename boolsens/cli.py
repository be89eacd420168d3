"""The ``boolsens`` command line (analyze, verify, experiment, tour)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("boolsens CLI: under construction", file=sys.stderr)
    return 2
