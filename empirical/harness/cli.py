"""``boolsens experiment ...``: list and run the registered experiments.

    boolsens experiment list
    boolsens experiment NAME --preset smoke|cpu|gpu --out DIR [--seeds 0 | 0-9 | 3,5,8 | --n-seeds K]
        [--set field=value ...] [--grid field=v1,v2,... ...] [--jobs N] [--backend local|ray]
        [--ray-address ADDR] [--threads T] [--device cpu|cuda] [--quiet]
    boolsens experiment NAME --out DIR --analyze      # the analysis again, from the finished units
    boolsens experiment NAME --confirmatory --out DIR [--jobs N ...]   # the declared run (pre-registration)

Units run on a local process pool by default (``--jobs``: the machine's cores on the CPU, one on a
GPU) or as Ray tasks (``--backend ray``, ``--ray-address`` for a cluster); every unit runs with
``--threads`` torch threads (default 1), so the job count never changes a number. See
:mod:`empirical.harness.plan` for keys and grids and :mod:`empirical.harness.runner` for the backends.

:func:`register` adds the ``experiment`` subcommand to the ``boolsens`` command (the application
layer, :mod:`boolsens_cli`, passes its subparsers); :func:`main` runs it on its own with the
arguments after ``experiment``. Every bad argument ends in one line on stderr and exit status 2
(:func:`boolsens.command_line.run_command`). Re-running into the same ``--out`` folder resumes an
interrupted run (finished units are skipped, training continues from checkpoints).

``--confirmatory`` runs what ``docs/experiments/NAME.prereg.toml`` declares (its preset, settings
and seeds; :mod:`empirical.harness.prereg`), so ``--preset``, ``--set``, ``--grid``, ``--seeds`` and
``--n-seeds`` are refused beside it; it refuses a draft declaration or one with uncommitted changes,
and records ``"run_kind": "confirmatory"`` with the declaration's path, digest and commits in
config.json (every other run records ``"run_kind": "exploratory"``). Resuming a confirmatory run
whose declaration changed since it started is refused.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import textwrap
from typing import Any

from boolsens import storage
from boolsens.command_line import CommandLineError, CommandParser, run_command
from boolsens.torch_runtime import torch_threads

from . import prereg, registry
from .plan import apply_overrides, first_seeds, grid_points, parse_seeds, plan_units
from .rundir import RunDir
from .runner import check_ray_backend, install_write_faults, run_units, write_derived
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
    p.add_argument("--preset", choices=registry.PRESETS + registry.OPTIONAL_PRESETS, default=None,
                   help="smoke: seconds (tests); cpu: < 10 min on 2 cores; gpu: paper scale on one GPU; "
                        "paper: the paper's own setting (only some experiments)")
    p.add_argument("--out", default=None, help="results folder (created; an existing one is resumed)")
    p.add_argument("--seeds", default=None,
                   help="the seeds of every setting: one seed 0, a range 0-9 or a list 3,5,8")
    p.add_argument("--n-seeds", type=_positive_int, default=None, metavar="K",
                   help="K seeds of every setting, from the preset's first (instead of --seeds)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a config field (dotted for nested ones: train.lr=3e-4); repeatable")
    p.add_argument("--grid", action="append", default=[], metavar="FIELD=V1,V2,...",
                   help="sweep a config field over these values (the product of all --grid options); repeatable")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="units run at once (default: the number of CPU cores; 1 on a GPU)")
    p.add_argument("--backend", choices=("local", "ray"), default="local",
                   help="local: this process or a process pool (default); ray: Ray tasks")
    p.add_argument("--ray-address", default=None, help="address of a running Ray cluster (default: a local instance)")
    p.add_argument("--batch-seeds", type=_positive_int, default=None, metavar="K",
                   help="train up to K seeds of one setting at once (torch.func; experiments that support it; "
                        "default: 16 on CUDA, 1 on the CPU, where it is slower)")
    p.add_argument("--analyze", action="store_true",
                   help="only re-run the analysis (report, figures, results.csv) of the units in --out")
    p.add_argument("--device", default=None, help="cpu or cuda[:k] (default: CUDA when present)")
    p.add_argument("--threads", type=_positive_int, default=1,
                   help="torch CPU threads of every unit (default 1: on a shared 2-core machine two threads ran a "
                        "training step up to 26x slower than one); recorded in config.json")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--confirmatory", action="store_true",
                   help="run the declared confirmatory run of docs/experiments/NAME.prereg.toml (its preset, "
                        "settings and seeds; the declaration must be committed and have status = \"declared\")")


def register(subparsers: Any) -> None:
    """Add ``experiment`` to the ``boolsens`` command."""
    p = subparsers.add_parser("experiment", help="train and measure models (empirical)",
                              description=_DESCRIPTION, epilog=_EPILOG)
    _configure(p)
    p.set_defaults(run=run)


def _list() -> int:
    for name, claim in registry.claims():  # from the registry's table: no experiment is imported
        print(name)
        print(textwrap.indent(textwrap.fill(claim, 88), "    "))
    return 0


def _check_out(out: str | None) -> str:
    if out is None:
        raise CommandLineError("boolsens experiment NAME needs --preset smoke|cpu|gpu and --out DIR")
    if not str(out).strip():
        raise CommandLineError(f"--out={out!r} must name a folder (it is created; an existing one is resumed)")
    path = os.path.abspath(out)
    probe = path
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if os.path.exists(path) and not os.path.isdir(path):
        raise CommandLineError(f"--out={out!r} is a file, not a folder")
    if not os.path.isdir(probe):
        raise CommandLineError(f"--out={out!r} lies under {probe!r}, which is a file")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise CommandLineError(f"--out={out!r}: {probe!r} is not writable")
    return out


def _seeds(config: Any, seeds: str | None, n_seeds: int | None) -> Any:
    """The config with ``--seeds`` or ``--n-seeds`` applied (not both: a run's seeds are named
    one way)."""
    if seeds is not None and n_seeds is not None:
        raise CommandLineError(f"--seeds={seeds!r} and --n-seeds={n_seeds} both given: --seeds names the seeds "
                               "(5 is seed 5), --n-seeds K takes K seeds from the preset's first; give one")
    if seeds is not None:
        return dataclasses.replace(config, seeds=parse_seeds(seeds))
    if n_seeds is not None:
        return dataclasses.replace(config, seeds=first_seeds(n_seeds, config.seeds[0]))
    return config


def _saved_seeds(inv: dict) -> tuple[str | None, int | None]:
    """(--seeds, --n-seeds) of a saved invocation. A folder written before --n-seeds existed has
    no ``n_seeds`` entry, and its bare-integer ``--seeds K`` meant K seeds then."""
    seeds = inv.get("seeds")
    if "n_seeds" not in inv and seeds is not None and str(seeds).strip().isdigit():
        return None, int(seeds)
    return seeds, inv.get("n_seeds")


def _plan(exp: Any, preset: str, sets: list[str], grids: list[str], seeds: str | None, n_seeds: int | None = None):
    """(config, grid points, units) from a preset and the command-line overrides; every field and
    value is checked here, before any work."""
    config = exp.config(preset)
    config = apply_overrides(config, sets)
    config = _seeds(config, seeds, n_seeds)
    grid = grid_points(config, grids)
    return config, grid, plan_units(exp, config, grid)


#: the options that choose what a run computes: a confirmatory run takes them from its declaration
_DECLARED_OPTIONS = (("preset", "--preset"), ("set", "--set"), ("grid", "--grid"), ("seeds", "--seeds"),
                     ("n_seeds", "--n-seeds"), ("analyze", "--analyze"))


def _confirmatory(exp: Any, args: argparse.Namespace) -> tuple[Any, dict]:
    """(the declaration, what config.json records of it) for ``--confirmatory``, after refusing the
    options its declaration fixes and a declaration that is not runnable as confirmatory."""
    given = [flag for attr, flag in _DECLARED_OPTIONS if getattr(args, attr) not in (None, [], False)]
    if given:
        raise CommandLineError(f"--confirmatory runs the declared preset, settings and seeds "
                               f"(docs/experiments/{exp.name}.prereg.toml); {', '.join(given)} cannot be given "
                               "beside it")
    decl = prereg.load(exp.name)
    return decl, prereg.provenance(decl)


def _batch(exp: Any, args: argparse.Namespace, device: Any) -> int:
    """Seeds trained at once: --batch-seeds, else 16 on CUDA and 1 on the CPU; 1 for an experiment
    without a batched form."""
    if exp.run_units_batched is None:
        return 1
    if args.batch_seeds is not None:
        return args.batch_seeds
    return 16 if device.type == "cuda" else 1


def _run_units(exp: Any, args: argparse.Namespace) -> int:
    out = _check_out(args.out)
    declaration = None
    if args.confirmatory:
        decl, declaration = _confirmatory(exp, args)
        preset, sets, grids, seeds, n_seeds = decl.preset, decl.assignments, [], ",".join(map(str, decl.seeds)), None
    else:
        preset, sets, grids, seeds, n_seeds = args.preset, args.set, args.grid, args.seeds, args.n_seeds
    install_write_faults()  # tests of crash safety only (BOOLSENS_FAULT=write:K)
    device = pick_device(args.device)
    if args.analyze and not os.path.isdir(out):
        raise CommandLineError(f"--analyze: --out={out!r} does not exist; give the folder of a finished run")
    if not args.analyze:  # every setting is checked before the run folder is created
        if preset is None:
            raise CommandLineError("boolsens experiment NAME needs --preset smoke|cpu|gpu (or --analyze, or "
                                   "--confirmatory)")
        config, grid, units = _plan(exp, preset, sets, grids, seeds, n_seeds)
        if args.backend == "ray":
            check_ray_backend(args.ray_address)
        if os.path.isdir(out):  # a folder holds one kind of run; a confirmatory one, one declaration
            prereg.check_resume(storage.read_json(os.path.join(out, "config.json")), declaration, out)
    run_dir = RunDir(out, device=device, show_progress=False if args.quiet else None)
    if args.analyze:
        saved = run_dir.read_json("config.json")
        if not isinstance(saved, dict) or saved.get("experiment") != exp.name or "invocation" not in saved:
            raise CommandLineError(f"--analyze: {run_dir.file('config.json')} is not a finished run of {exp.name}")
        inv = saved["invocation"]
        config, grid, units = _plan(exp, inv["preset"], inv["set"], inv["grid"], *_saved_seeds(inv))
        missing = [u.key for u in units if not run_dir.file(f"units/{u.key}.json").exists()]
        if missing:
            raise CommandLineError(f"--analyze: {len(missing)} of {len(units)} units are not finished in {out} "
                                   f"(e.g. {missing[0]}); run without --analyze to finish them")
        jobs = 1
    else:
        jobs = args.jobs if args.jobs is not None else (1 if device.type == "cuda" else (os.cpu_count() or 1))
        invocation = {"preset": preset, "set": sets, "grid": grids, "seeds": seeds, "n_seeds": n_seeds}
        run_dir.start_plan(exp.name, invocation, config, grid, [u.key for u in units],
                           options={"jobs": jobs, "backend": args.backend, "threads": args.threads,
                                    "device": str(device), "batch_seeds": _batch(exp, args, device)},
                           declaration=declaration)
        kind = f"confirmatory, declared in {declaration['path']}; " if declaration else ""
        print(f"{exp.name} [{kind}{preset}]: {len(units)} units, {jobs} job(s), {args.backend} backend, "
              f"{args.threads} torch thread(s) per unit, on {device} -> {run_dir.path}", file=sys.stderr)
    try:
        results = run_units(exp.name, units, run_dir, jobs=jobs, backend=args.backend,
                            ray_address=args.ray_address, threads=args.threads, device=str(device),
                            show_progress=False if args.quiet else None, batch_seeds=_batch(exp, args, device))
    except RuntimeError as exc:
        print(f"boolsens experiment: {exc}", file=sys.stderr)
        return 1
    write_derived(exp.name, results, run_dir)
    summary = exp.analyze(config, results, run_dir)
    run_dir.finish(dict(summary, units=len(results)), cached_units=sum(r.cached for r in results))
    print(f"{exp.name}: {summary.get('verdict', '(no verdict)')}")
    print(f"report: {run_dir.file('report.md')}; table: {run_dir.file('results.csv')}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``experiment`` with parsed arguments; returns the exit status (0: the run finished)."""
    if args.name == "list":
        return _list()
    return _run_units(registry.get(args.name), args)


def main(argv: list[str] | None = None) -> int:
    """``experiment`` with ``argv`` (the arguments after ``experiment``); returns the exit status."""
    p = CommandParser(prog="boolsens experiment", description=_DESCRIPTION, epilog=_EPILOG)
    _configure(p)
    p.set_defaults(run=run)
    return run_command(p, argv, prog="boolsens experiment")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
