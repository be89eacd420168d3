"""The plan of a run: which units an experiment's config stands for, and their cache keys.

An experiment is a map over *units* (one training run or one measurement at one setting and one
seed) followed by a reduce (the analysis). Its registration declares

* ``units(config) -> list[dict]``: the units' parameters, a pure function of the config (each
  dict holds at least ``seed``);
* ``axes``: the config fields that only enumerate units (``ns``, ``tasks``, ``seeds``, ...); they
  are left out of the unit keys, so that extending a grid keeps the keys of finished units;
* ``run_unit(config, unit, ctx) -> record`` and ``analyze(config, results, run_dir)``.

On top of the experiment's own axes the command line can sweep any scalar field
(``--grid d_model=32,64``): the plan is the product of those grid points with the units of each.
A unit's key is a hash of the experiment name, every config field that is not an axis (after
``--set`` and the grid point) and the unit's parameters, prefixed by a readable name; so a
changed setting gives new keys (nothing stale is reused) and an unchanged one reuses the finished
unit. A field added to a config after runs were committed is declared with :func:`added_field`:
it is left out of the key while it holds its default, so the finished units of the settings it
extends keep their keys (and a committed run stays re-analysable); any other value enters the key.

Values on the command line (``--set field=value``, ``--grid field=v1,v2``, dotted names for nested
configs such as ``train.lr=3e-4``) are parsed by the field's declared type; an unknown field or a
value that does not parse is an error before any work.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import types
import typing
from dataclasses import dataclass
from typing import Any, Sequence

from boolsens.errors import BoolsensError as CommandLineError
from boolsens.storage import to_jsonable

__all__ = ["PlannedUnit", "derive_seed", "parse_seeds", "first_seeds", "parse_assignment", "apply_overrides", "grid_points", "plan_units",
           "unit_key", "config_to_dict", "added_field", "key_settings"]

#: the metadata :func:`added_field` puts on a config field
_ADDED = "boolsens.added_field"


@dataclass(frozen=True)
class PlannedUnit:
    """One unit of a plan: its parameters, the config it runs under, its key and its grid point."""

    params: dict
    config: Any
    key: str
    grid: dict


def derive_seed(unit_seed: int, *labels: Any) -> int:
    """The seed of one use of randomness inside a unit (its data, its initialisation, its noise,
    the global generators), a pure function of the unit's seed and the ``labels`` naming the
    use: the first 31 bits of SHA-256 of ``[unit_seed, *labels]`` as JSON, in [0, 2**31).
    Different labels give unrelated streams; the same ones, the same seed in any process.

    Cost: one hash of a few bytes.

    >>> derive_seed(0, "data") == derive_seed(0, "data") != derive_seed(0, "init")
    True
    >>> 0 <= derive_seed(3, "noise", 2) < 2**31
    True
    """
    if isinstance(unit_seed, bool) or not isinstance(unit_seed, int) or unit_seed < 0:
        raise CommandLineError(f"unit_seed={unit_seed!r} must be a non-negative integer")
    blob = json.dumps([unit_seed, *to_jsonable(list(labels))], separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(blob.encode()).digest()[:4], "little") & 0x7FFFFFFF


def config_to_dict(config: Any) -> dict:
    """A config dataclass as plain JSON values (tuples as lists, nested configs as dicts)."""
    return to_jsonable(dataclasses.asdict(config))


def added_field(default: Any) -> Any:
    """A config dataclass field added after runs of its config were committed: ``default`` as for
    :func:`dataclasses.field`, and :func:`key_settings` (so :func:`unit_key`) leaves it out while
    it holds that default, so the units planned before it existed keep their keys. The config
    itself (``config.json``) still records it.

    >>> @dataclass(frozen=True)
    ... class Spec:
    ...     width: int = 8
    ...     kind: str = added_field("mlp")
    >>> key_settings(Spec()), key_settings(Spec(kind="transformer"))
    ({'width': 8}, {'width': 8, 'kind': 'transformer'})
    """
    return dataclasses.field(default=default, metadata={_ADDED: True})


def key_settings(config: Any) -> dict:
    """:func:`config_to_dict` of ``config`` without the :func:`added_field` fields, of it or of the
    configs nested in it, that hold their defaults: what a unit key hashes of the config."""
    out = config_to_dict(config)

    def prune(cfg: Any, d: dict) -> None:
        for f in dataclasses.fields(cfg):
            value = getattr(cfg, f.name)
            if f.metadata.get(_ADDED) and value == f.default:
                del d[f.name]
            elif dataclasses.is_dataclass(value) and not isinstance(value, type):
                prune(value, d[f.name])

    prune(config, out)
    return out


def parse_seeds(text: str) -> tuple[int, ...]:
    """The seeds ``--seeds`` names: ``"5"`` (seed 5), ``"0-9"`` (a range, both ends included) or
    ``"3,5,8"`` (a list of distinct seeds); every seed a non-negative integer. (A number of seeds
    is ``--n-seeds K``: :func:`first_seeds`.)

    >>> parse_seeds("0"), parse_seeds("0-3"), parse_seeds("4,9")
    ((0,), (0, 1, 2, 3), (4, 9))
    """
    text = text.strip()
    try:
        if "-" in text[1:]:
            lo, hi = (int(v) for v in text.split("-", 1))
            if lo < 0 or hi < lo:
                raise ValueError
            return tuple(range(lo, hi + 1))
        seeds = tuple(int(v) for v in text.split(","))
        if not seeds or min(seeds) < 0 or len(set(seeds)) != len(seeds):
            raise ValueError
        return seeds
    except ValueError:
        raise CommandLineError(
            f"--seeds={text!r} must name seeds: one seed (0), a range (0-9) or a list of distinct seeds (3,5,8), "
            "all non-negative (a number of seeds is --n-seeds K)") from None


def first_seeds(count: Any, first: int) -> tuple[int, ...]:
    """``--n-seeds K``: the ``K`` seeds from ``first`` (the preset's first seed).

    >>> first_seeds(3, 7)
    (7, 8, 9)
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise CommandLineError(f"--n-seeds={count!r} must be an integer >= 1 (a number of seeds)")
    return tuple(range(first, first + count))


def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _parse_scalar(text: str, tp: Any, name: str) -> Any:
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if text.strip().lower() == "none" and len(args) < len(typing.get_args(tp)):
            return None
        return _parse_scalar(text, args[0], name)
    if origin is tuple:
        args = typing.get_args(tp)
        if text.strip().startswith(("[", "(")):
            try:
                items = json.loads(text.replace("(", "[").replace(")", "]"))
            except json.JSONDecodeError:
                raise CommandLineError(f"{name}={text!r} is not a list") from None
            texts = [json.dumps(v) if not isinstance(v, str) else v for v in items]
        else:
            texts = [v for v in text.split(",") if v.strip()] if text.strip() else []
        inner = args[0] if args else str
        if len(args) == 2 and args[1] is Ellipsis or len(args) == 1:
            return tuple(_parse_scalar(v, inner, name) for v in texts)
        if len(texts) != len(args):
            raise CommandLineError(f"{name}={text!r} must have {len(args)} entries")
        return tuple(_parse_scalar(v, a, name) for v, a in zip(texts, args))
    try:
        if tp is bool:
            low = text.strip().lower()
            if low in ("true", "1", "yes"):
                return True
            if low in ("false", "0", "no"):
                return False
            raise ValueError
        if tp is int:
            return int(text)
        if tp is float:
            value = float(text)
            if value != value or value in (float("inf"), float("-inf")):
                raise ValueError
            return value
        if tp is str:
            return text
    except ValueError:
        raise CommandLineError(f"{name}={text!r} is not a valid {getattr(tp, '__name__', tp)}") from None
    raise CommandLineError(f"{name} has type {tp}, which cannot be set from the command line")


def parse_assignment(config: Any, assignment: str, *, option: str) -> tuple[str, str]:
    """``"field=value"`` -> (field, value text); the field must exist (dotted for nested)."""
    if "=" not in assignment:
        raise CommandLineError(f"{option} {assignment!r} must look like field=value")
    name, text = assignment.split("=", 1)
    name = name.strip()
    _resolve(config, name, option)
    return name, text


def _resolve(config: Any, dotted: str, option: str) -> tuple[Any, str, Any]:
    """(the dataclass holding the field, the field name, its type)."""
    obj = config
    parts = dotted.split(".")
    for i, part in enumerate(parts):
        if not dataclasses.is_dataclass(obj):
            raise CommandLineError(f"{option}: {'.'.join(parts[:i])} is not a config with fields")
        types = _field_types(type(obj))
        names = [f.name for f in dataclasses.fields(obj)]
        if part not in names:
            raise CommandLineError(
                f"{option}: {type(config).__name__} has no field {dotted!r}; fields: {', '.join(sorted(names))}")
        if i == len(parts) - 1:
            return obj, part, types[part]
        obj = getattr(obj, part)
    raise AssertionError("unreachable")


def _replace(config: Any, values: dict[str, Any]) -> Any:
    """``config`` with the (dotted) fields in ``values`` replaced, each dataclass rebuilt once, so
    its validation (``__post_init__``) sees all its new values together (``L_min`` and ``L_max``
    raised at once are never checked against each other half-way)."""
    own: dict[str, Any] = {}
    nested: dict[str, dict[str, Any]] = {}
    for dotted, value in values.items():
        head, _, rest = dotted.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = value
        else:
            own[head] = value
    for head, inner in nested.items():
        own[head] = _replace(own.get(head, getattr(config, head)), inner)
    return dataclasses.replace(config, **own) if own else config


def _validated(config: Any, values: dict[str, Any], option: str, given: Sequence[str]) -> Any:
    """:func:`_replace`, with a failed check of the config reported as one line naming ``option``
    and what was given there."""
    try:
        return _replace(config, values)
    except (CommandLineError, ValueError, TypeError) as exc:
        raise CommandLineError(f"{option} {' '.join(given)}: {exc}") from None


def apply_overrides(config: Any, assignments: Sequence[str], *, option: str = "--set") -> Any:
    """The config with every ``field=value`` applied (parsed by the field's type); the dataclasses'
    own validation (``__post_init__``: the same checks as a preset's) runs once on the result, and
    a value it refuses is an error naming ``option``."""
    values: dict[str, Any] = {}
    for assignment in assignments:
        name, text = parse_assignment(config, assignment, option=option)
        _, field, tp = _resolve(config, name, option)
        values[name] = _parse_scalar(text, tp, f"{option} {name}")
    return _validated(config, values, option, assignments) if values else config


def grid_points(config: Any, grids: Sequence[str]) -> list[dict[str, Any]]:
    """The product of ``--grid field=v1,v2,...`` values as a list of {field: value} (one empty
    point without grids). For a tuple-valued field give each value as a JSON list:
    ``--grid 'ns=[4,6],[8,10]'``."""
    axes: list[tuple[str, list[Any]]] = []
    for g in grids:
        name, text = parse_assignment(config, g, option="--grid")
        if name in [a for a, _ in axes]:
            raise CommandLineError(f"--grid {name} is given twice")
        _, _, tp = _resolve(config, name, "--grid")
        if typing.get_origin(tp) is tuple:
            try:
                items = json.loads(f"[{text}]")
            except json.JSONDecodeError:
                raise CommandLineError(f"--grid {g!r}: give each value of a list-valued field as a JSON list, "
                                       "e.g. 'ns=[4,6],[8,10]'") from None
            values = [_parse_scalar(json.dumps(v), tp, f"--grid {name}") for v in items]
        else:
            values = [_parse_scalar(v, tp, f"--grid {name}") for v in text.split(",") if v.strip()]
        if not values:
            raise CommandLineError(f"--grid {g!r} lists no values")
        twice = [v for i, v in enumerate(values) if v in values[:i]]
        if twice:
            raise CommandLineError(f"--grid {g!r} lists {twice[0]!r} twice; give each value once")
        for v in values:  # every value passes the config's checks before any work
            _validated(config, {name: v}, "--grid", [f"{name}={v}"])
        axes.append((name, values))
    if not axes:
        return [{}]
    return [dict(zip([a for a, _ in axes], combo)) for combo in itertools.product(*[v for _, v in axes])]


def _readable(params: dict) -> str:
    parts = []
    for k, v in params.items():
        text = "-".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
        parts.append(f"{k}{text}" if k in ("n", "m", "seed") else text)
    name = "_".join(parts)
    return "".join(c if c.isalnum() or c in "-_.+" else "-" for c in name)[:80]


def unit_key(experiment: str, config: Any, params: dict, axes: Sequence[str]) -> str:
    """``<readable params>-<12 hex digits>``: the hash covers the experiment, every non-axis
    config field (:func:`key_settings`: an :func:`added_field` at its default is left out) and the
    unit's parameters."""
    settings = {k: v for k, v in key_settings(config).items() if k not in set(axes) | {"seeds"}}
    blob = json.dumps({"experiment": experiment, "config": settings, "unit": to_jsonable(params)},
                      sort_keys=True, separators=(",", ":"))
    return f"{_readable(params)}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def plan_units(experiment: Any, config: Any, grid: list[dict[str, Any]]) -> list[PlannedUnit]:
    """Every unit of the run, in a fixed order (grid point, then the experiment's own order)."""
    out, seen = [], set()
    for point in grid:
        cfg = _validated(config, point, "--grid", [f"{k}={v}" for k, v in point.items()]) if point else config
        for params in experiment.units(cfg):
            if "seed" not in params:
                raise AssertionError(f"{experiment.name}: a unit must have a seed; got {params}")
            key = unit_key(experiment.name, cfg, params, experiment.axes)
            if key in seen:
                raise CommandLineError(f"{experiment.name}: two units with the same settings {params} (a value "
                                       "given twice in a list of the config?)")
            seen.add(key)
            out.append(PlannedUnit(dict(params), cfg, key, dict(point)))
    return out
