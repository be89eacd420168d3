"""Speed and reach of bs.search (numbers quoted in the docs): local-search moves per second for
the incremental objectives at n = 12, the exhaustive n = 5 searches, and the best bs/s and deg/s
local search finds at n = 8 … 12 beside the known constructions.

    python bench/bench_search.py           # a few minutes on two cores
"""

from __future__ import annotations

import time
from fractions import Fraction

import boolsens as bs


def main() -> None:
    for name in ("total_influence", "sensitivity", "W1", "W3"):
        bs.search.local(name, 12, steps=1000, restarts=1, rng=0)  # compile
        r = bs.search.local(name, 12, steps=2_000_000, restarts=1, rng=0)
        print(f"local {name} n=12: {r.moves_per_second:,.0f} moves/s (best {r.value})")
    for expr in ("bs/s", "deg/s"):
        t = time.perf_counter()
        r = bs.search.exhaustive(expr, 5)
        print(f"exhaustive {expr} n=5: max {r.maximum} on {r.distribution[-1][1]:,} functions "
              f"({r.distribution[-1][2]} classes), {time.perf_counter() - t:.1f} s")
    for n in range(4, 6):
        r = bs.search.local("bs/s", n, steps=1000 if n == 4 else 3000, restarts=20, rng=0)
        hits = sum(v == r.value for v, _ in r.restarts)
        print(f"local bs/s n={n}: best {r.value}, found in {hits}/20 restarts")
    for n in (8, 10, 12):
        steps = {8: 300, 10: 100, 12: 40}[n]
        for expr in ("bs/s", "deg/s"):
            t = time.perf_counter()
            r = bs.search.local(expr, n, steps=steps, restarts=2, rng=0, candidates=16)
            print(f"local {expr} n={n}: best {r.value} ({steps} steps x 2 restarts, {time.perf_counter() - t:.0f} s)")
    f = bs.rubinstein(4)
    print(f"Rubinstein n=16: bs/s = {Fraction(int(bs.block_sensitivity(f)), int(bs.sensitivity(f)))}")


if __name__ == "__main__":
    main()
