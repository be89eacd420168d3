"""boolsens's exact p-biased measures against boofun 1.3's, run in boofun's own virtualenv.

    python bench/compare_boofun_pbiased.py [--peer-python PATH] [--samples 5000]

boofun has two ``p_biased_influence``: the one it exports at the top level
(``boofun.p_biased_influence``, from ``analysis/global_hypercontractivity.py``) is a Monte-Carlo
estimate of the pivotal probability Pr_{μ_p}[f(x) ≠ f(x^{⊕i})] from 5,000 samples; the one in
``boofun.analysis.p_biased`` sums the same probability over the cube in floats. Both are what
boolsens calls ``pivotal_probability`` (boolsens's ``influences(f, p=…)``, O'Donnell's
Inf_i^{(p)} = Σ_{S∋i} f̂_p(S)², is 4p(1 − p) times it). Both libraries read x_i = −1 (True, bit i
of the index) with probability p.

The peer runs in a separate interpreter (``--peer-python``, default
``bench/_peers/boofun-venv/bin/python`` or ``bench/_peers/venv/bin/python`` of
``bench/setup_peers.sh``): this script sends it the truth tables, receives its values as JSON and
compares them with boolsens's exact ``Fraction`` s: the Monte-Carlo estimates by their z-score
(|estimate − exact| / √(π(1 − π)/samples)), the summed ones and the p-biased Fourier coefficients,
expectation and noise stability by the largest absolute difference. Writes
``bench/results/pbiased_boofun.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEERS = (HERE / "_peers" / "boofun-venv" / "bin" / "python", HERE / "_peers" / "venv" / "bin" / "python")
PS = (Fraction(1, 10), Fraction(3, 10), Fraction(7, 10))
RHO = 0.4

WORKER = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np
import boofun as bf
from boofun.analysis import p_biased as pb
job = json.load(sys.stdin)
out = []
for item in job["functions"]:
    f = bf.create(item["bits"])
    n = item["n"]
    row = {}
    for p in job["ps"]:
        np.random.seed(job["seed"])
        coeffs = pb.p_biased_fourier_coefficients(f, p)
        row[str(p)] = {
            "mc": [bf.p_biased_influence(f, i, p, samples=job["samples"]) for i in range(n)],
            "summed": [float(pb.p_biased_influence(f, i, p)) for i in range(n)],
            "expectation": float(pb.p_biased_expectation(f, p)),
            "stability": float(pb.p_biased_noise_stability(f, job["rho"], p)),
            "coefficients": [float(coeffs.get(S, 0.0)) for S in range(1 << n)],
        }
    out.append(row)
json.dump({"version": bf.__version__, "results": out}, sys.stdout)
"""


def _functions():
    import boolsens as bs

    return [bs.majority(5), bs.tribes(2, 3), bs.threshold([3, 2, 1, 1]), bs.random_function(8, seed=1)]


def main() -> None:
    import numpy as np

    import boolsens as bs

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--samples", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    peer = Path(args.peer_python) if args.peer_python else next((p for p in PEERS if p.exists()), None)
    if peer is None or not peer.exists():
        sys.exit("no peer interpreter with boofun: run bench/setup_peers.sh or pass --peer-python")
    fs = _functions()
    job = {"ps": [float(p) for p in PS], "rho": RHO, "samples": args.samples, "seed": args.seed,
           "functions": [{"n": f.n, "bits": [int(v) for v in (f.signs == -1)]} for f in fs]}
    res = subprocess.run([str(peer), "-c", WORKER], input=json.dumps(job), capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": ""})
    if res.returncode != 0:
        sys.exit(f"the peer failed:\n{res.stderr[-3000:]}")
    peer_out = json.loads(res.stdout)
    zs, rows = [], []
    worst = {"summed": 0.0, "coefficients": 0.0, "expectation": 0.0, "stability": 0.0}
    for f, got in zip(fs, peer_out["results"]):
        for p in PS:
            g = got[str(float(p))]
            exact = bs.pivotal_probability(f, p=p).tolist()
            for i, (pi, mc) in enumerate(zip(exact, g["mc"])):
                se = math.sqrt(float(pi * (1 - pi)) / args.samples)
                z = abs(mc - float(pi)) / se if se else (0.0 if mc == float(pi) else math.inf)
                zs.append(z)
                rows.append({"function": f.name, "p": str(p), "i": i, "exact": str(pi), "boofun_mc": mc,
                             "standard_error": se, "z": z})
            worst["summed"] = max(worst["summed"], max(abs(a - float(b)) for a, b in zip(g["summed"], exact)))
            coeffs = bs.fourier_coefficients(f, p=float(p))
            worst["coefficients"] = max(worst["coefficients"], float(np.abs(coeffs - np.array(g["coefficients"])).max()))
            mean = bs.fourier_coefficients(f, p=float(p))[0]
            worst["expectation"] = max(worst["expectation"], abs(g["expectation"] - float(mean)))
            stab = bs.noise_stability(f, RHO, p=float(p))
            worst["stability"] = max(worst["stability"], abs(g["stability"] - stab))
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    doc = {"date": stamp, "boofun": peer_out["version"], "samples": args.samples, "seed": args.seed,
           "ps": [str(p) for p in PS], "rho": RHO, "functions": [f.name for f in fs],
           "comparisons": len(zs), "max_z": max(zs), "beyond_3_se": sum(z > 3 for z in zs),
           "beyond_4_se": sum(z > 4 for z in zs), "max_abs_difference": worst, "rows": rows}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "pbiased_boofun.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = [
        "# p-biased measures: boolsens (exact) against boofun",
        "",
        f"{stamp}; boofun {peer_out['version']} in its own virtualenv; functions {', '.join(doc['functions'])}; "
        f"p ∈ {{{', '.join(doc['ps'])}}}; ρ = {RHO}. Generated by `python bench/compare_boofun_pbiased.py`.",
        "",
        f"- `boofun.p_biased_influence` (Monte Carlo, {args.samples:,} samples, `np.random.seed({args.seed})` before "
        f"each function and p) against `bs.pivotal_probability(f, p=Fraction)`: {len(zs)} comparisons, largest "
        f"|estimate − exact| = {max(zs):.2f} standard errors, {doc['beyond_3_se']} beyond 3 and "
        f"{doc['beyond_4_se']} beyond 4 (for {len(zs)} independent normal errors about "
        f"{len(zs) * 0.0027:.2f} beyond 3 are expected).",
        f"- `boofun.analysis.p_biased.p_biased_influence` (summed over the cube in floats): largest difference "
        f"from the exact pivotal probability {worst['summed']:.1e}.",
        f"- p-biased Fourier coefficients (`p_biased_fourier_coefficients`, which drops |f̂_p(S)| ≤ 1e-10): "
        f"largest difference from `bs.fourier_coefficients(f, p=…)` {worst['coefficients']:.1e}; expectation "
        f"{worst['expectation']:.1e}; noise stability at ρ = {RHO} {worst['stability']:.1e}.",
        "",
        "Conventions: both read x_i = −1 (True, bit i) with probability p and the same φ_S. boofun's "
        "`p_biased_influence` is the pivotal probability; boolsens's `influences(f, p=…)` is O'Donnell's "
        "Inf_i^{(p)} = Σ_{S∋i} f̂_p(S)² = 4p(1 − p) × the pivotal probability.",
    ]
    (HERE / "results" / "pbiased_boofun.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
