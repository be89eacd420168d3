"""``boolsens experiment ...``: list and run the registered experiments.

    boolsens experiment list
    boolsens experiment NAME --preset smoke|cpu|gpu --out DIR [--seeds K] [--device cpu|cuda]
                                                                  [--threads T] [--quiet]

``main(argv)`` takes the arguments after ``experiment``. Re-running into the same ``--out`` folder
resumes an interrupted run (finished units are skipped, training continues from checkpoints).
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from . import registry
from .harness import RunDir, pick_device

__all__ = ["main", "register"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="boolsens experiment",
        description="Train small networks on Boolean tasks and measure them against the theory.",
        epilog="'boolsens experiment list' shows the experiments and their claims.",
    )
    p.add_argument("name", help="experiment name, or 'list'")
    p.add_argument("--preset", choices=registry.PRESETS, default=None,
                   help="smoke: seconds (tests); cpu: < 10 min on 2 cores; gpu: paper scale on one GPU")
    p.add_argument("--out", default=None, help="results folder (created; an existing one is resumed)")
    p.add_argument("--seeds", type=int, default=None, help="number of seeds (overrides the preset)")
    p.add_argument("--device", default=None, help="cpu or cuda[:k] (default: CUDA when present)")
    p.add_argument("--threads", type=int, default=1,
                   help="torch CPU threads (default 1: on a shared 2-core machine two threads ran a "
                        "training step up to 26x slower than one)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _list() -> int:
    from .experiments import IMPORT_ERRORS

    for exp in registry.experiments():
        print(exp.name)
        print(textwrap.indent(textwrap.fill(exp.claim, 88), "    "))
    for mod, err in IMPORT_ERRORS.items():
        print(f"(module {mod} could not be imported: {err})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 2 usage error)."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.name == "list":
        return _list()
    try:
        exp = registry.get(args.name)
    except ValueError as exc:
        print(f"boolsens experiment: {exc}", file=sys.stderr)
        return 2
    if args.preset is None or args.out is None:
        print("boolsens experiment: NAME needs --preset smoke|cpu|gpu and --out DIR", file=sys.stderr)
        return 2
    overrides = {}
    if args.seeds is not None:
        if args.seeds < 1:
            print(f"boolsens experiment: --seeds={args.seeds} must be >= 1", file=sys.stderr)
            return 2
        overrides["seeds"] = args.seeds
    if args.threads < 1:
        print(f"boolsens experiment: --threads={args.threads} must be >= 1", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    try:
        device = pick_device(args.device)
        config = exp.config(args.preset, **overrides)
        run_dir = RunDir(args.out, device=device, show_progress=False if args.quiet else None)
        run_dir.start(exp.name, args.preset, config)
    except ValueError as exc:
        print(f"boolsens experiment: {exc}", file=sys.stderr)
        return 2
    print(f"{exp.name} [{args.preset}] on {device} -> {run_dir.path}", file=sys.stderr)
    summary = exp.run(config, run_dir)
    run_dir.finish(summary)
    verdict = summary.get("verdict", "(no verdict)")
    print(f"{exp.name}: {verdict}")
    print(f"report: {run_dir.file('report.md')}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def register(subparsers) -> None:
    """Add ``experiment`` to the ``boolsens`` command (its own parser, as ``main``)."""
    import argparse

    p = subparsers.add_parser("experiment", help="train and measure models (empirical); see `boolsens experiment --help`",
                              add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(run=lambda args: main(args.rest))
