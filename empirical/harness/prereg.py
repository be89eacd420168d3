"""Pre-registration: the declaration of a confirmatory run, read, checked and traced to git.

A confirmatory run of experiment NAME is declared, before it is run, in
``docs/experiments/NAME.prereg.toml`` (read with :mod:`tomllib`)::

    status = "declared"          # "draft" until reviewed; --confirmatory refuses a draft
    claim = "..."                # the claim tested (the registry's)
    preset = "cpu"               # the preset the run starts from
    seeds = "10-29"              # fresh seeds: a list [10, 11] or a text as --seeds takes it
    filters = "..."              # every filter; the report gives results with and without it
    statistic = "..."            # the statistic
    rule = "..."                 # the verdict rule
    multiplicity = "..."         # how several tests are combined (e.g. Holm across the 4 lengths)
    power = "..."                # optional: why this many seeds
    [settings]                   # config overrides on top of the preset, the keys of --set
    "train.lr" = 3e-4            # (a dotted key, quoted or not, or a nested table)
    [paper]
    authors = "..."; title = "..."; venue = "..."; year = 2024
    sections = "..."             # the section / table / figure each setting comes from
    [[deviations]]               # optional: a setting of the paper the preset does not use
    setting = "..."; paper = "..."; ours = "..."; why = "..."

:func:`load` reads and checks a declaration; every problem is one
:class:`DeclarationError` naming the file, the key and what is allowed: a missing or unknown
key, a value of the wrong type, a preset the experiment lacks, a setting that does not apply to
the preset's config (checked by :func:`empirical.harness.plan.apply_overrides`, the same checks
as ``--set``), seeds that overlap the preset's own (development) seeds — confirmatory seeds
must be fresh. :func:`digest` is the SHA-256 of the file's bytes.

``boolsens experiment NAME --confirmatory --out DIR`` (:mod:`empirical.harness.cli`) runs the
declared preset with the declared settings and seeds; :func:`provenance` is what it checks and
records: it refuses a declaration whose ``status`` is not ``"declared"`` or whose file has
uncommitted changes (``git status --porcelain FILE``), and returns the file's path, digest, the
commit that last changed it (``git log -1 --format=%H -- FILE``) and the HEAD commit (``None``
for both, with the reason, where git is not available). The run folder's ``config.json`` gets
``run_kind`` (``"confirmatory"``, or ``"exploratory"`` for every other run) and this record
under ``declaration``; a resumed confirmatory run whose declaration's digest differs from the
recorded one is refused (:func:`check_resume`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boolsens import BoolsensError

from . import registry
from .plan import apply_overrides, parse_seeds

__all__ = ["Declaration", "DeclarationError", "DECLARATIONS_DIR", "STATUSES", "path_of", "load", "load_file",
           "digest", "provenance", "check_resume"]

#: where the declarations live: ``docs/experiments`` of this repository
DECLARATIONS_DIR = Path(__file__).resolve().parents[2] / "docs" / "experiments"

#: the values of ``status``: only a ``"declared"`` declaration can be run as confirmatory
STATUSES = ("draft", "declared")

_TEXT_KEYS = ("claim", "filters", "statistic", "rule", "multiplicity")
_REQUIRED = ("status", "claim", "preset", "settings", "seeds", "filters", "statistic", "rule", "multiplicity",
             "paper")
_OPTIONAL = ("deviations", "power")
_PAPER_KEYS = ("authors", "title", "venue", "year", "sections")
_DEVIATION_KEYS = ("setting", "paper", "ours", "why")


class DeclarationError(BoolsensError):
    """A declaration that cannot be read, checked or run as confirmatory (one line naming the file)."""


@dataclass(frozen=True)
class Declaration:
    """A checked declaration (see the module docstring). ``settings`` are ``(dotted key, value)``
    pairs in the file's order; ``seeds`` the declared seeds; ``sha256`` the digest of the bytes
    that were parsed; ``paper`` and each of ``deviations`` the file's tables as dicts."""

    name: str
    path: Path
    status: str
    claim: str
    preset: str
    settings: tuple[tuple[str, Any], ...]
    seeds: tuple[int, ...]
    filters: str
    statistic: str
    rule: str
    multiplicity: str
    paper: dict
    deviations: tuple[dict, ...]
    power: str | None
    sha256: str

    @property
    def assignments(self) -> list[str]:
        """The settings as ``--set`` texts (``field=value``).

        >>> d = Declaration("x", Path("x.prereg.toml"), "draft", "c", "cpu", (("train.lr", 0.001), ("ns", [4, 6])),
        ...                 (10,), "f", "s", "r", "m", {}, (), None, "0")
        >>> d.assignments
        ['train.lr=0.001', 'ns=[4, 6]']
        """
        return [f"{k}={_as_text(v)}" for k, v in self.settings]

    def config(self) -> Any:
        """The config the confirmatory run uses: the preset, the settings, the declared seeds."""
        cfg = apply_overrides(registry.get(self.name).config(self.preset), self.assignments,
                              option=f"{self.path.name}: settings")
        return dataclasses.replace(cfg, seeds=self.seeds)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return json.dumps(value)
    return repr(value)


def path_of(name: str, directory: str | os.PathLike | None = None) -> Path:
    """The declaration file of experiment ``name``: ``NAME.prereg.toml`` in ``directory``
    (default :data:`DECLARATIONS_DIR`)."""
    return Path(DECLARATIONS_DIR if directory is None else directory) / f"{name}.prereg.toml"


def load(name: str, directory: str | os.PathLike | None = None) -> Declaration:
    """The checked declaration of experiment ``name`` (:func:`path_of`); a missing file or any
    problem in it raises :class:`DeclarationError` naming the file and the key."""
    if name not in registry.EXPERIMENTS:
        raise DeclarationError(f"unknown experiment {name!r}; known: {', '.join(registry.names())}")
    path = path_of(name, directory)
    if not path.is_file():
        raise DeclarationError(f"{path}: no such declaration (experiment {name!r} is declared in "
                               f"{path.name}; see docs/experiments/README.md, 'Pre-registration')")
    return load_file(path)


def _fail(path: Path, key: str, problem: str) -> DeclarationError:
    return DeclarationError(f"{path}: {key}: {problem}")


def _keys(path: Path, table: dict, where: str, required: tuple, optional: tuple = ()) -> None:
    missing = [k for k in required if k not in table]
    if missing:
        raise _fail(path, f"{where}{missing[0]}", f"missing (required keys: {', '.join(required)})")
    unknown = [k for k in table if k not in required and k not in optional]
    if unknown:
        allowed = ", ".join(required + optional)
        raise _fail(path, f"{where}{unknown[0]}", f"unknown key (allowed: {allowed})")


def _text(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, key, f"must be a non-empty text, got {value!r}")
    return value.strip()


def _flatten(path: Path, table: dict, prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for k, v in table.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out += _flatten(path, v, key + ".")
        elif isinstance(v, float) and not math.isfinite(v):
            raise _fail(path, f"settings.{key}", f"must be a finite number, got {v!r}")
        elif not isinstance(v, (str, int, float, bool, list)):
            raise _fail(path, f"settings.{key}", f"must be a number, text, boolean or array, got {v!r}")
        else:
            out.append((key, v))
    return out


def load_file(path: str | os.PathLike) -> Declaration:
    """The checked declaration in ``path`` (its experiment is the name before ``.prereg.toml``).

    Doctest: a declaration of ``grokking`` with a key it does not know.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "grokking.prereg.toml"
    >>> _ = p.write_text('status = "draft"\\ncolour = "red"\\n')
    >>> load_file(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    empirical.harness.prereg.DeclarationError: .../grokking.prereg.toml: claim: missing (required keys: status, claim, preset, settings, seeds, filters, statistic, rule, multiplicity, paper)
    """
    path = Path(path)
    if not path.name.endswith(".prereg.toml"):
        raise DeclarationError(f"{path}: a declaration file is named NAME.prereg.toml (NAME an experiment)")
    name = path.name[: -len(".prereg.toml")]
    if name not in registry.EXPERIMENTS:
        raise DeclarationError(f"{path}: {name!r} is not an experiment; known: {', '.join(registry.names())}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DeclarationError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeclarationError(f"{path}: not valid TOML ({exc})") from None
    _keys(path, doc, "", _REQUIRED, _OPTIONAL)
    status = doc["status"]
    if status not in STATUSES:
        raise _fail(path, "status", f"must be one of {', '.join(map(repr, STATUSES))}, got {status!r}")
    texts = {k: _text(path, k, doc[k]) for k in _TEXT_KEYS}
    power = _text(path, "power", doc["power"]) if "power" in doc else None

    exp = registry.get(name)
    preset = doc["preset"]
    if preset not in exp.presets:
        raise _fail(path, "preset", f"must be one of {', '.join(sorted(exp.presets))}, got {preset!r}")
    if not isinstance(doc["settings"], dict):
        raise _fail(path, "settings", "must be a table of config overrides ([settings], the keys of --set)")
    settings = _flatten(path, doc["settings"])
    if any(k == "seeds" for k, _ in settings):
        raise _fail(path, "settings.seeds", "seeds are declared in the top-level key seeds, not in settings")
    base = exp.config(preset)
    try:
        apply_overrides(base, [f"{k}={_as_text(v)}" for k, v in settings], option="settings")
    except BoolsensError as exc:
        raise DeclarationError(f"{path}: {exc} (the settings must apply to the {preset!r} preset's config)") from None

    seeds = _seeds(path, doc["seeds"])
    used = sorted(set(seeds) & set(base.seeds))
    if used:
        raise _fail(path, "seeds", f"{', '.join(map(str, used))} also belong to the {preset!r} preset's own seeds "
                                   f"{_range_text(base.seeds)} (used in development); confirmatory seeds must be fresh")

    paper = doc["paper"]
    if not isinstance(paper, dict):
        raise _fail(path, "paper", f"must be a table with the keys {', '.join(_PAPER_KEYS)}")
    _keys(path, paper, "paper.", _PAPER_KEYS)
    for k in _PAPER_KEYS:
        if k == "year":
            if isinstance(paper[k], bool) or not isinstance(paper[k], int):
                raise _fail(path, "paper.year", f"must be an integer year, got {paper[k]!r}")
        else:
            _text(path, f"paper.{k}", paper[k])

    deviations = doc.get("deviations", [])
    if not isinstance(deviations, list):
        raise _fail(path, "deviations", f"must be an array of tables ([[deviations]]) with the keys "
                                        f"{', '.join(_DEVIATION_KEYS)}")
    for i, dev in enumerate(deviations):
        where = f"deviations[{i}]"
        if not isinstance(dev, dict):
            raise _fail(path, where, f"must be a table with the keys {', '.join(_DEVIATION_KEYS)}")
        _keys(path, dev, where + ".", _DEVIATION_KEYS)
        for k in _DEVIATION_KEYS:
            _text(path, f"{where}.{k}", dev[k])

    return Declaration(name=name, path=path, status=status, claim=texts["claim"], preset=preset,
                       settings=tuple(settings), seeds=tuple(seeds), filters=texts["filters"],
                       statistic=texts["statistic"], rule=texts["rule"], multiplicity=texts["multiplicity"],
                       paper=dict(paper), deviations=tuple(dict(d) for d in deviations), power=power,
                       sha256=hashlib.sha256(data).hexdigest())


def _seeds(path: Path, value: Any) -> tuple[int, ...]:
    """The declared seeds: a list of distinct non-negative integers or a text as --seeds takes it."""
    if isinstance(value, str):
        try:
            return parse_seeds(value)
        except BoolsensError:
            pass
    elif isinstance(value, list) and value and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                   for s in value) and len(set(value)) == len(value):
        return tuple(value)
    raise _fail(path, "seeds", f"must be distinct non-negative integer seeds: a list [10, 11] or a text as "
                               f"--seeds takes it ('10-29', '3,5,8'); got {value!r}")


def _range_text(seeds: tuple[int, ...]) -> str:
    if len(seeds) > 2 and list(seeds) == list(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(map(str, seeds))


def digest(decl: Declaration) -> str:
    """The SHA-256 (hex) of the declaration file's bytes, as :func:`load` read and parsed them.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "x.prereg.toml"
    >>> _ = p.write_bytes(b"abc")
    >>> d = Declaration("x", p, "draft", "c", "cpu", (), (10,), "f", "s", "r", "m", {}, (), None,
    ...                 hashlib.sha256(p.read_bytes()).hexdigest())
    >>> digest(d)[:16]
    'ba7816bf8f01cfea'
    """
    return decl.sha256


def _git(args: list[str], cwd: Path) -> tuple[str | None, str | None]:
    """(stdout stripped, None), or (None, why git gave no answer)."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        return None, "git not available (no git command)"
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"git not available ({exc})"
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        return None, f"git not available here ({said[-1] if said else f'exit status {done.returncode}'})"
    return done.stdout.strip(), None


def provenance(decl: Declaration) -> dict:
    """What a confirmatory run of ``decl`` records in config.json under ``declaration``, after
    the checks that may refuse it (:class:`DeclarationError`): the ``status`` must be
    ``"declared"`` and the file must have no uncommitted changes (``git status --porcelain FILE``
    empty; an untracked file counts as uncommitted). Returns ``path`` (relative to the git
    repository's root where there is one), ``sha256`` (:func:`digest`), ``commit`` (the commit
    that last changed the file, ``git log -1 --format=%H -- FILE``), ``head_commit`` (HEAD of
    that repository) and ``git`` (``"ok"``, or why the commits are ``None``: git not available)."""
    if decl.status != "declared":
        raise DeclarationError(f"{decl.path}: status: is {decl.status!r}; only a declaration with status = "
                               "\"declared\" (reviewed and committed) can be run with --confirmatory")
    path = decl.path.resolve()
    cwd = path.parent
    shown = str(path)
    status, why = _git(["status", "--porcelain", "--", path.name], cwd)
    commit = head = None
    if why is None:
        if status:
            raise DeclarationError(f"{decl.path}: has uncommitted changes (git status: {status.splitlines()[0]!r}); "
                                   "commit the declaration before a confirmatory run")
        commit, why = _git(["log", "-1", "--format=%H", "--", path.name], cwd)
        if why is None and not commit:
            raise DeclarationError(f"{decl.path}: is not committed; commit the declaration before a confirmatory run")
        head, _ = _git(["rev-parse", "HEAD"], cwd)
        top, _ = _git(["rev-parse", "--show-toplevel"], cwd)
        if top:
            shown = os.path.relpath(path, Path(top).resolve())
    return {"path": shown, "sha256": digest(decl), "commit": commit, "head_commit": head,
            "git": "ok" if why is None else f"{why}: the commits are not recorded"}


def check_resume(old_config: Any, record: dict | None, out: str | os.PathLike) -> None:
    """Refuse to mix run kinds in one folder, or to resume a confirmatory run whose declaration
    changed: ``old_config`` is the folder's config.json (``None`` for a new folder), ``record``
    this run's :func:`provenance` (``None`` for an exploratory run)."""
    if not isinstance(old_config, dict):
        return
    old_kind = old_config.get("run_kind", "exploratory")
    if record is None:
        if old_kind == "confirmatory":
            raise DeclarationError(f"--out={str(out)!r} holds a confirmatory run; resume it with --confirmatory "
                                   "(or use another --out folder)")
        return
    if old_kind != "confirmatory":
        raise DeclarationError(f"--out={str(out)!r} holds an exploratory run; a confirmatory run starts in a new "
                               "--out folder (or resumes its own)")
    before = (old_config.get("declaration") or {}).get("sha256")
    if before != record["sha256"]:
        raise DeclarationError(f"declaration changed since this run started: {record['path']} has sha256 "
                               f"{record['sha256'][:12]}…, the run in {out} was started with {str(before)[:12]}…; "
                               "a changed declaration needs a new confirmatory run in a new --out folder")
