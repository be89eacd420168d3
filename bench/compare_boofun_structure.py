#!/usr/bin/env python3
"""Cross-check the cryptographic and structural measures against boofun's exact functions.

boofun (https://pypi.org/project/boofun/) lives in its own virtualenv (bench/setup_peers.sh puts
it in bench/_peers/venv; any python with boofun importable will do): this script runs in the
project's environment, sends the truth tables to that python as JSON, and compares its answers
with boolsens's. Functions: every function on n <= 3, a seeded sample on n = 4, seeded random,
random balanced, random monotone, random symmetric and random threshold tables on n = 5..8, and
named families. Measures both libraries have, in exact form: correlation immunity, resiliency,
Chow parameters, monotone, symmetric, linear-threshold (boofun's LP ``is_ltf``). boofun has no
autocorrelation, absolute indicator or relevant-variables function (its ``is_junta`` is a
different question), so those are not compared.

Conventions met: boofun's truth tables are 0/1 with 1 = our −1 (True), bit i of the index is
x_i (its "LSB convention"), and its Fourier coefficients use (−1)^{f(x)}, so its Chow parameters
are ours; its ``is_monotone`` is monotone in the bits with 0 < 1, the same set as ours (both
orders are reversed by the sign map); its correlation immunity gives n for constants (as ours)
and 0 for n = 0.

A peer bug found this way: boofun 1.3.0's exact ``analysis.basic_properties.is_monotone`` returns
True for every function (it compares f(y) > f(x) only where f(x) = 1, which never holds), e.g.
PARITY_2. Every disagreement is therefore also checked against the definition (all pairs
x ≤ y, n ≤ 8) and reported with that verdict; the exit status counts only disagreements where
boolsens is not the one that matches the definition.

usage: python bench/compare_boofun_structure.py [--peer-python PATH] [--out FILE]
Writes bench/results/boofun_structure.json (counts of agreement per measure, every disagreement
with its table) and prints a summary; exit status 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import boolsens as bs

HERE = Path(__file__).resolve().parent

PEER = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import boofun as bf
from boofun.analysis import basic_properties as bp, cryptographic as cr, ltf_analysis as la
out = []
for bits in json.load(sys.stdin):
    f = bf.create([bool(b) for b in bits])
    out.append({"correlation_immunity": int(cr.correlation_immunity(f)), "resiliency": int(cr.resiliency(f)),
                "chow_parameters": [float(c) for c in la.chow_parameters(f)],
                "is_monotone": bool(bp.is_monotone(f)), "is_symmetric": bool(bp.is_symmetric(f)),
                "is_threshold": bool(la.is_ltf(f))})
json.dump({"version": bf.__version__, "results": out}, sys.stdout)
"""


def tables() -> list[tuple[str, np.ndarray]]:
    rng = np.random.default_rng(2026)
    out: list[tuple[str, np.ndarray]] = []
    for n in range(1, 4):
        for row in itertools.product((1, -1), repeat=1 << n):
            out.append((f"all-n{n}", np.array(row, dtype=np.int8)))
    for row in rng.choice(np.array([1, -1], dtype=np.int8), size=(200, 16)):
        out.append(("sample-n4", row))
    for n in range(5, 9):
        N = 1 << n
        idx = np.arange(N)
        for _ in range(5):
            out.append((f"random-n{n}", rng.choice(np.array([1, -1], dtype=np.int8), size=N)))
            out.append((f"balanced-n{n}", rng.permutation(np.array([1, -1] * (N // 2), dtype=np.int8))))
            below = np.zeros(N, dtype=bool)
            for t in rng.integers(0, N, size=3):
                below |= (idx & t) == t
            out.append((f"monotone-n{n}", np.where(below, -1, 1).astype(np.int8)))
            vals = rng.choice(np.array([1, -1], dtype=np.int8), size=n + 1)
            out.append((f"symmetric-n{n}", vals[[bin(x).count("1") for x in range(N)]]))
            w = rng.integers(-5, 6, size=n).tolist()
            out.append((f"threshold-n{n}", bs.threshold(w, int(rng.integers(-6, 7)) + 0.5).signs))
    for f in (bs.majority(5), bs.majority(7), bs.parity(6), bs.inner_product(3), bs.tribes(2, 3),
              bs.conjunction(6), bs.disjunction(5), bs.dictator(6, 2)):
        out.append((f"family {f.name}", f.signs))
    return out


def ours(row: np.ndarray) -> dict:
    f = bs.BooleanFunction(row)
    return {"correlation_immunity": f.correlation_immunity(), "resiliency": f.resiliency(),
            "chow_parameters": f.chow_parameters().tolist(), "is_monotone": f.is_monotone(),
            "is_symmetric": f.is_symmetric(), "is_threshold": f.is_threshold()}


def monotone_by_definition(row: np.ndarray) -> bool:
    """x ≤ y coordinatewise (−1 < 1) ⇒ f(x) ≤ f(y), over all pairs: y ≥ x iff y's −1 bits are a
    subset of x's, so for each x compare with every y whose bit set is inside x's."""
    N = row.size
    for x in range(N):
        y = x
        while True:  # every subset y of the bits of x is a point above x
            if row[x] > row[y]:
                return False
            if y == 0:
                break
            y = (y - 1) & x
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", default=str(HERE / "_peers" / "venv" / "bin" / "python"))
    ap.add_argument("--out", default=str(HERE / "results" / "boofun_structure.json"))
    args = ap.parse_args(argv)
    cases = tables()
    bits = [((row < 0).astype(int)).tolist() for _, row in cases]
    t0 = time.perf_counter()
    proc = subprocess.run([args.peer_python, "-c", PEER], input=json.dumps(bits), capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        print(f"boofun run failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return 2
    peer = json.loads(proc.stdout)
    peer_seconds = time.perf_counter() - t0
    agree: dict[str, list[int]] = {}
    differences = []
    for (label, row), theirs in zip(cases, peer["results"]):
        mine = ours(row)
        for key, value in mine.items():
            same = value == theirs[key]
            counts = agree.setdefault(key, [0, 0])
            counts[0] += int(same)
            counts[1] += 1
            if not same:
                d = {"function": label, "n": int(row.size).bit_length() - 1,
                     "hex": bs.BooleanFunction(row).to_hex(), "measure": key,
                     "boolsens": value, "boofun": theirs[key]}
                if key == "is_monotone":
                    d["definition"] = monotone_by_definition(row)
                differences.append(d)
    ours_wrong = [d for d in differences if d.get("definition", not d["boolsens"]) != d["boolsens"]]
    report = {"boofun_version": peer["version"], "boolsens_version": bs.__version__, "functions": len(cases),
              "agreement": {k: {"agree": a, "of": t} for k, (a, t) in agree.items()},
              "differences_where_boolsens_matches_the_definition": len(differences) - len(ours_wrong),
              "differences_where_boolsens_does_not": len(ours_wrong),
              "differences": differences, "boofun_seconds": round(peer_seconds, 2)}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(f"boofun {peer['version']} vs boolsens {bs.__version__}: {len(cases)} functions")
    for k, (a, t) in agree.items():
        print(f"  {k:22s} {a}/{t} agree")
    print(f"  disagreements: {len(differences)}, of which boolsens matches the definition in "
          f"{len(differences) - len(ours_wrong)} (boofun's is_monotone: True on every function)")
    for d in ours_wrong[:10]:
        print("  boolsens differs from the definition:", d)
    return 1 if ours_wrong else 0


if __name__ == "__main__":
    sys.exit(main())
