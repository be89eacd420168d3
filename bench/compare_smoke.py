#!/usr/bin/env python3
"""Compare two folders of smoke runs (one sub-folder per experiment, as written by
``boolsens experiment NAME --preset smoke --out ROOT/NAME``): every ``units/*.json`` record,
``results.csv``, ``metrics.jsonl`` and ``summary.json``, ignoring wall-clock fields (any key or
column whose name contains "seconds", "wall", "elapsed", "utc", "time", "loadavg" or
"environment": the machine record) and the unit-file fields that only a newer run folder has
(``history``: the unit's metric lines, compared through ``metrics.jsonl``; ``threads``;
``cached_units``). The check that a refactor leaves every experiment's numbers as they were:
run every smoke preset from both checkouts into two folders and compare them.

usage: compare_smoke.py [--by-params] BEFORE_ROOT AFTER_ROOT [EXPERIMENT ...]

--by-params: match units by their parameters and grid point instead of their key, and replace
every unit key (file names, the "unit" field of metrics.jsonl, the "unit" column of results.csv)
by those parameters before comparing; for changes that rename config fields, which changes the
unit keys (a hash of the config) but must leave every measured value as it was.

Exit status 0 when every compared file is equal, 1 otherwise. Prints one line per experiment and
the first differences.
"""
import csv
import io
import json
import re
import sys
from pathlib import Path

WALL = re.compile(r"seconds|wall|elapsed|utc|time|loadavg|environment|^history$|^threads$|^cached_units$", re.I)


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if not WALL.search(str(k))}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def diff(a, b, path="", out=None, limit=5):
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k not in a else 'before'}")
            else:
                diff(a[k], b[k], f"{path}/{k}", out, limit)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b and not (a != a and b != b):  # NaN equals NaN here
        out.append(f"{path}: {str(a)[:80]} != {str(b)[:80]}")
    return out


def ids(folder: Path, by_params: bool) -> dict[str, str]:
    """unit key -> the name it is compared under (itself, or its parameters and grid point)."""
    out = {}
    for p in (folder / "units").glob("*.json"):
        rec = json.loads(p.read_text())
        out[rec["key"]] = json.dumps({"unit": rec["unit"], "grid": rec.get("grid", {})}, sort_keys=True) \
            if by_params else rec["key"]
    return out


def rename(value, names):
    if isinstance(value, dict):
        return {k: rename(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [rename(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def table(path, names):
    if not path.exists():
        return None
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    return [rename({k: v for k, v in r.items() if not WALL.search(k)}, names) for r in rows]


def jsonl(path, names):
    if not path.exists():
        return None
    return sorted((json.dumps(rename(strip(json.loads(line)), names), sort_keys=True)
                   for line in path.read_text().splitlines() if line.strip()))


def compare(before: Path, after: Path, by_params: bool = False) -> list[str]:
    problems = []
    nb, na = ids(before, by_params), ids(after, by_params)
    ub = {nb[json.loads(p.read_text())["key"]]: p for p in (before / "units").glob("*.json")}
    ua = {na[json.loads(p.read_text())["key"]]: p for p in (after / "units").glob("*.json")}
    if set(ub) != set(ua):
        problems.append(f"unit files differ: only before {sorted(set(ub) - set(ua))[:3]}, "
                        f"only after {sorted(set(ua) - set(ub))[:3]}")
    for name in sorted(set(ub) & set(ua)):
        d = diff(rename(strip(json.loads(ub[name].read_text())), nb),
                 rename(strip(json.loads(ua[name].read_text())), na), name)
        problems += d
    tb, ta = table(before / "results.csv", nb), table(after / "results.csv", na)
    if tb != ta:
        problems.append("results.csv: " + "; ".join(diff(tb, ta, "results.csv") or ["row count or columns differ"]))
    mb, ma = jsonl(before / "metrics.jsonl", nb), jsonl(after / "metrics.jsonl", na)
    if mb != ma:
        problems.append(f"metrics.jsonl differs ({len(mb or [])} vs {len(ma or [])} lines)")
    sb, sa = (before / "summary.json"), (after / "summary.json")
    if sb.exists() and sa.exists():
        problems += diff(strip(json.loads(sb.read_text())), strip(json.loads(sa.read_text())), "summary.json")
    return problems


def main(argv):
    by_params = "--by-params" in argv
    argv = [a for a in argv if a != "--by-params"]
    before, after = Path(argv[1]), Path(argv[2])
    names = argv[3:] or sorted(p.name for p in before.iterdir() if (p / "units").is_dir())
    bad = 0
    for name in names:
        if not (after / name / "units").is_dir():
            print(f"{name}: MISSING in {after}")
            bad += 1
            continue
        problems = compare(before / name, after / name, by_params)
        n = len(list((before / name / "units").glob("*.json")))
        if problems:
            bad += 1
            print(f"{name}: DIFFERENT ({n} units)")
            for p in problems[:10]:
                print("   ", p)
        else:
            how = ", units matched by parameters" if by_params else ""
            print(f"{name}: identical ({n} units; records, results.csv, metrics.jsonl, summary.json{how})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
