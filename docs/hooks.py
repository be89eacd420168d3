"""mkdocs hook: a public name without a docstring, or a public name the API reference leaves out,
fails ``mkdocs build --strict``.

mkdocstrings renders what it is pointed at (``::: boolsens.estimate``) and silently hides members
without a docstring; this hook closes both gaps. After the pages are read, it collects every
``::: IDENTIFIER`` directive of the site and checks, by importing the code:

* **docstrings**: each documented object has a docstring of its own (not a base class's, not the
  signature ``@dataclass`` writes), and so does each public member that the directive renders
  below it: a module's names in ``__all__`` (else its public functions and classes defined in it;
  none with ``members: false``, the listed ones with ``members: [...]``), a class's public methods
  and properties defined in the class;
* **coverage**: the packages in :data:`COVERED` and every name in their ``__all__`` are rendered,
  and every module of the packages in :data:`EVERY_MODULE` that declares ``__all__`` has a
  directive.

Each finding is a warning, and ``--strict`` turns warnings into a failed build. Data (constants,
registries) carries no runtime docstring and is not checked. Tested in ``tests/test_docs_build.py``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
import textwrap
import types

import yaml
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("docstrings")

#: Packages whose every ``__all__`` name must appear in the API reference.
COVERED = ("boolsens", "boolsens.estimate", "boolsens.testing", "boolsens.search", "proofs_check")
#: Packages every one of whose modules declaring ``__all__`` must have a ``:::`` directive.
EVERY_MODULE = ("empirical",)

_DIRECTIVE = re.compile(r"^:::[ \t]+([\w.]+)[ \t]*\n?((?:[ \t]+\S.*\n?)*)", re.M)
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


@dataclasses.dataclass(frozen=True)
class Directive:
    """A ``::: IDENTIFIER`` of a page: the page, and which members of a module it renders (all,
    none for ``members: false``, or the names of a ``members:`` list)."""

    page: str
    members: bool | tuple[str, ...] = True


_directives: dict[str, Directive] = {}


def parse_directives(markdown: str, page: str) -> dict[str, Directive]:
    """The ``:::`` directives of ``markdown`` outside code fences, with their ``members`` option."""
    found = {}
    for ident, block in _DIRECTIVE.findall(_FENCE.sub("", markdown)):
        config = yaml.safe_load(textwrap.dedent(block)) if block.strip() else None
        options = (config or {}).get("options") or {}
        members = options.get("members", True)
        members = tuple(members) if isinstance(members, list) else bool(members)
        found[ident] = Directive(page, members)
    return found


def on_pre_build(config, **kwargs):
    _directives.clear()


def on_page_markdown(markdown, page, config, files, **kwargs):
    _directives.update(parse_directives(markdown, page.file.src_uri))
    return markdown


def _resolve(ident: str):
    """Import ``ident`` (a module, or an attribute path below one)."""
    parts = ident.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(ident)


def _has_doc(obj) -> bool:
    """Whether ``obj`` has a docstring of its own: not a base class's (``inspect.getdoc`` would
    inherit ``torch.nn.Module``'s), not the signature ``@dataclass`` fills in."""
    if isinstance(obj, property):
        obj = obj.fget
    doc = getattr(obj, "__doc__", None)
    if inspect.isclass(obj) and dataclasses.is_dataclass(obj) and isinstance(doc, str) \
            and doc.startswith(f"{obj.__name__}("):
        return False  # the signature @dataclass writes when the class has no docstring
    return isinstance(doc, str) and bool(doc.strip())


def _public_members(module: types.ModuleType, only: tuple[str, ...] | None = None):
    names = only if only is not None else getattr(module, "__all__", None)
    if names is None:
        names = [n for n, v in vars(module).items()
                 if not n.startswith("_") and (inspect.isfunction(v) or inspect.isclass(v))
                 and getattr(v, "__module__", None) == module.__name__]
    for name in names:
        yield name, getattr(module, name)


def _check_class(path: str, cls, missing: list[str]) -> None:
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(attr, (staticmethod, classmethod)):
            attr = attr.__func__
        if inspect.isfunction(attr) or isinstance(attr, property):
            if not _has_doc(attr):
                missing.append(f"{path}.{name}")


def _check(path: str, obj, missing: list[str], *, members: bool | tuple[str, ...]) -> None:
    if isinstance(obj, types.ModuleType) or inspect.isclass(obj) or callable(obj):
        if not _has_doc(obj):
            missing.append(path)
    if inspect.isclass(obj):
        _check_class(path, obj, missing)
    elif isinstance(obj, types.ModuleType) and members:
        for name, member in _public_members(obj, members if isinstance(members, tuple) else None):
            if isinstance(member, types.ModuleType):
                if not _has_doc(member):
                    missing.append(f"{path}.{name}")
            elif inspect.isclass(member) or inspect.isfunction(member) or inspect.isbuiltin(member):
                _check(f"{path}.{name}", member, missing, members=False)


def missing_docstrings(directives: dict[str, Directive]) -> list[str]:
    """The public names that the ``directives`` render without a docstring (sorted); an
    identifier that does not import is reported as such."""
    missing: list[str] = []
    for ident in sorted(directives):
        try:
            obj = _resolve(ident)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{ident} (does not import: {exc})")
            continue
        _check(ident, obj, missing, members=directives[ident].members)
    return sorted(set(missing))


def missing_from_reference(directives: dict[str, Directive], covered=COVERED,
                           every_module=EVERY_MODULE) -> list[str]:
    """The packages ``covered`` and the public names of their ``__all__``, and the modules of
    ``every_module`` declaring ``__all__``, that no directive renders (sorted)."""
    def rendered(ident: str) -> bool:
        if ident in directives:
            return True
        parent, name = ident.rsplit(".", 1)
        spec = directives.get(parent)
        if spec is None or not spec.members or not isinstance(_resolve(parent), types.ModuleType):
            return False
        return spec.members is True or name in spec.members

    missing = [package for package in covered if package not in directives]
    for package in covered:
        for name in getattr(importlib.import_module(package), "__all__", ()):
            if not name.startswith("__") and not rendered(f"{package}.{name}"):
                missing.append(f"{package}.{name}")
    for package in every_module:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if hasattr(importlib.import_module(info.name), "__all__") and info.name not in directives:
                missing.append(info.name)
    return sorted(missing)


def on_env(env, config, files, **kwargs):
    for name in missing_docstrings(_directives):
        log.warning("public name without a docstring: %s", name)
    for name in missing_from_reference(_directives):
        log.warning("public name not in the API reference: %s (add '::: %s'; the modules of empirical "
                    "go to docs/api/empirical.md)", name, name)
    return env
