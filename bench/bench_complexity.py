"""Time bs / C / D (exact) on random and structured functions; cross-check against peers.

    python bench/bench_complexity.py                      # boolsens only, n = 10, 12, 14
    bench/_peers/venv/bin/python bench/bench_complexity.py --peers --n 8 10
    python bench/bench_complexity.py --out bench/results/complexity.json

Measures, never asserts a time. Every value is also checked against the chain s <= bs <= C <= D;
with ``--peers`` boofun (bs, D, C) and fbool (C) are run on the same tables (bs, C and D do not
depend on the sign or bit-order conventions, so no conversion is needed) and any disagreement is
printed. Peer calls slower than ``--peer-limit`` seconds are abandoned (pure-Python ones only).
Record the machine load with the numbers: they are wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import time

import numpy as np

import boolsens as bs


def cases(n: int):
    out = [(f"random(n={n}, p=0.5)", bs.random_function(n, seed=n)),
           (f"random(n={n}, p=0.05)", bs.random_function(n, seed=n, p=0.05))]
    rng = np.random.default_rng(n)
    out.append((f"LTF gaussian weights n={n}", bs.threshold(rng.normal(size=n), tie=1)))
    structured = {10: [("tribes(2,5)", lambda: bs.tribes(2, 5)), ("IP_10", lambda: bs.inner_product(5))],
                  12: [("tribes(3,4)", lambda: bs.tribes(3, 4)), ("IP_12", lambda: bs.inner_product(6)),
                       ("address(3) n=11", lambda: bs.address(3))],
                  14: [("tribes(7,2)", lambda: bs.tribes(7, 2)), ("tribes(2,7)", lambda: bs.tribes(2, 7)),
                       ("IP_14", lambda: bs.inner_product(7)), ("MAJ_13", lambda: bs.majority(13))],
                  16: [("rubinstein(4)", lambda: bs.rubinstein(4))]}
    return out + [(name, make()) for name, make in structured.get(n, [])]


def timed(fn, *args, **kw):
    """(value, wall seconds); the CPU seconds of the call are added to CPU_SECONDS[fn name]."""
    t, c = time.perf_counter(), time.process_time()
    v = fn(*args, **kw)
    CPU_SECONDS[getattr(fn, "__name__", "?")] = time.process_time() - c
    return v, time.perf_counter() - t


CPU_SECONDS: dict = {}


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def peer_values(f: bs.BooleanFunction, limit: float) -> dict:
    out: dict = {}
    bits = [bool(v < 0) for v in f.signs]
    try:
        import boofun
        from boofun.analysis import block_sensitivity as bbs
        from boofun.analysis import complexity as bcx

        g = boofun.create(np.array(bits), storage="dense")
        for key, fn in (("boofun_bs", bbs.max_block_sensitivity), ("boofun_D", bcx.decision_tree_depth),
                        ("boofun_C", bcx.max_certificate_complexity)):
            signal.signal(signal.SIGALRM, _alarm)
            signal.setitimer(signal.ITIMER_REAL, limit)
            try:
                out[key] = timed(fn, g)
            except _Timeout:
                out[key] = (None, f"> {limit:g}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    except ImportError as exc:
        out["boofun"] = f"not installed ({exc})"
    try:
        import fbool

        if f.n <= 12:
            out["fbool_C"] = timed(fbool.FBool(bits).certificate_complexity)
    except ImportError as exc:
        out["fbool"] = f"not installed ({exc})"
    return out


def random_dnf(n: int, terms: int, rng: np.random.Generator) -> bs.BooleanFunction:
    """OR of ``terms`` random terms of width 2 to 4 (random literals)."""
    X = (np.arange(1 << n)[:, None] >> np.arange(n)) & 1
    hit = np.zeros(1 << n, dtype=bool)
    for _ in range(terms):
        S = rng.choice(n, int(rng.integers(2, 5)), replace=False)
        hit |= (X[:, S] == rng.integers(0, 2, len(S))).all(axis=1)
    return bs.BooleanFunction.from_bits(hit)


def agreement(K: int, limit: float, n: int = 7) -> None:
    """Peers vs boolsens on K random functions: biased tables and random DNFs (bs > s happens)."""
    rng = np.random.default_rng(2026)
    compared = disagree = gaps = 0
    for k in range(K):
        f = random_dnf(n, int(rng.integers(2, 7)), rng) if k % 2 else \
            bs.random_function(n, rng=rng, p=float(rng.choice([0.05, 0.1, 0.2, 0.35])))
        ours = {"bs": bs.block_sensitivity(f), "C": bs.certificate_complexity(f), "D": bs.decision_tree_depth(f)}
        gaps += ours["bs"] > bs.sensitivity(f)
        for key, val in peer_values(f, limit).items():
            if isinstance(val, tuple) and val[0] is not None:
                compared += 1
                if val[0] != ours[key.split("_")[1]]:
                    disagree += 1
                    print(f"  DISAGREEMENT function {k}: {key}={val[0]} vs boolsens {ours}")
    print(f"agreement on {K} random functions of n={n} ({gaps} with bs > s): {compared} peer values "
          f"compared, {disagree} disagreements")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, nargs="+", default=[10, 12, 14])
    ap.add_argument("--peers", action="store_true")
    ap.add_argument("--peer-limit", type=float, default=20.0)
    ap.add_argument("--pointwise", action="store_true", help="also time the pointwise bs and C")
    ap.add_argument("--agree", type=int, default=0, metavar="K",
                    help="with --peers: compare bs, C, D with the peers on K random functions of n=7 "
                    "(half biased tables, half random DNFs)")
    ap.add_argument("--out", help="write the rows as JSON here")
    args = ap.parse_args()
    # compile (numba caches to disk; the first call of a fresh install compiles for a few seconds)
    for fn in (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth):
        fn(bs.parity(3))
    bs.block_sensitivity(bs.parity(3), pointwise=True)
    rows = []
    if args.peers and args.agree:
        agreement(args.agree, args.peer_limit)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    for n in args.n:
        for name, f in cases(n):
            row: dict = {"case": name, "n": f.n}
            s = bs.sensitivity(f)
            (b, tb), (c, tc), (d, td) = (timed(fn, f) for fn in
                                         (bs.block_sensitivity, bs.certificate_complexity, bs.decision_tree_depth))
            row.update(s=s, bs=b, C=c, D=d, t_bs=tb, t_C=tc, t_D=td, chain_ok=bool(s <= b <= c <= d))
            row.update({f"cpu_{k}": CPU_SECONDS[name] for k, name in
                        (("bs", "block_sensitivity"), ("C", "certificate_complexity"), ("D", "decision_tree_depth"))})
            if args.pointwise:
                bx, row["t_bs_pointwise"] = timed(bs.block_sensitivity, f, pointwise=True)
                row["cpu_bs_pointwise"] = CPU_SECONDS["block_sensitivity"]
                cx, row["t_C_pointwise"] = timed(bs.certificate_complexity, f, pointwise=True)
                row["pointwise_max_ok"] = bool(bx.max() == b and cx.max() == c)
            if args.peers:
                for key, val in peer_values(f, args.peer_limit).items():
                    if isinstance(val, tuple):
                        row[key], row["t_" + key] = val
                        ours = {"bs": b, "C": c, "D": d}[key.split("_")[1]]
                        if val[0] is not None and val[0] != ours:
                            print(f"  DISAGREEMENT {name}: {key}={val[0]} vs boolsens {ours}")
                    else:
                        row[key] = val
            rows.append(row)
            print("  ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
                  flush=True)
    if args.out:
        with open(args.out, "w") as fh:
            json.dump({"loadavg": load, "cpus": os.cpu_count(), "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()
