"""``boolsens experiment ...``: list and run the registered experiments.

    boolsens experiment list
    boolsens experiment NAME --preset smoke|cpu|gpu --out DIR [--seeds K] [--device cpu|cuda]
                                                                  [--threads T] [--quiet]

:func:`register` adds the ``experiment`` subcommand to the ``boolsens`` command (the application
layer, :mod:`boolsens_cli`, passes its subparsers); :func:`main` runs it on its own with the
arguments after ``experiment``. Every bad argument ends in one line on stderr and exit status 2
(:func:`boolsens.cli.run_command`). Re-running into the same ``--out`` folder resumes an
interrupted run (finished units are skipped, training continues from checkpoints).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from boolsens.cli import CommandLineError, CommandParser, run_command
from boolsens.runtime import torch_threads

from . import registry
from .rundir import RunDir
from .runtime import pick_device

__all__ = ["register", "run", "main"]

_DESCRIPTION = "Train small networks on Boolean and real-valued tasks and measure them against the theory."
_EPILOG = "'boolsens experiment list' shows the experiments and their claims."


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be >= 1")
    return value


def _configure(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="NAME", help="experiment name, or 'list'")
    p.add_argument("--preset", choices=registry.PRESETS, default=None,
                   help="smoke: seconds (tests); cpu: < 10 min on 2 cores; gpu: paper scale on one GPU")
    p.add_argument("--out", default=None, help="results folder (created; an existing one is resumed)")
    p.add_argument("--seeds", type=_positive_int, default=None, help="number of seeds (overrides the preset)")
    p.add_argument("--device", default=None, help="cpu or cuda[:k] (default: CUDA when present)")
    p.add_argument("--threads", type=_positive_int, default=1,
                   help="torch CPU threads (default 1: on a shared 2-core machine two threads ran a "
                        "training step up to 26x slower than one)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers: Any) -> None:
    """Add ``experiment`` to the ``boolsens`` command."""
    p = subparsers.add_parser("experiment", help="train and measure models (empirical)",
                              description=_DESCRIPTION, epilog=_EPILOG)
    _configure(p)
    p.set_defaults(run=run)


def _list() -> int:
    from .experiments import IMPORT_ERRORS

    for exp in registry.experiments():
        print(exp.name)
        print(textwrap.indent(textwrap.fill(exp.claim, 88), "    "))
    for mod, err in IMPORT_ERRORS.items():
        print(f"(module {mod} could not be imported: {err})")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``experiment`` with parsed arguments; returns the exit status (0: the run finished)."""
    if args.name == "list":
        return _list()
    exp = registry.get(args.name)
    if args.preset is None or args.out is None:
        raise CommandLineError("boolsens experiment NAME needs --preset smoke|cpu|gpu and --out DIR")
    overrides = {} if args.seeds is None else {"seeds": args.seeds}
    device = pick_device(args.device)
    config = exp.config(args.preset, **overrides)
    with torch_threads(args.threads):
        run_dir = RunDir(args.out, device=device, show_progress=False if args.quiet else None)
        run_dir.start(exp.name, args.preset, config)
        print(f"{exp.name} [{args.preset}] on {device} -> {run_dir.path}", file=sys.stderr)
        summary = exp.run(config, run_dir)
        run_dir.finish(summary)
    print(f"{exp.name}: {summary.get('verdict', '(no verdict)')}")
    print(f"report: {run_dir.file('report.md')}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``experiment`` with ``argv`` (the arguments after ``experiment``); returns the exit status."""
    p = CommandParser(prog="boolsens experiment", description=_DESCRIPTION, epilog=_EPILOG)
    _configure(p)
    p.set_defaults(run=run)
    return run_command(p, argv, prog="boolsens experiment")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
