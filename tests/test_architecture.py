"""The layers of docs/architecture.md, enforced: every import of every module of the four
packages (deferred imports inside functions included) points down the layer table, the packages
built on the core use only its public modules, and no two modules import each other in a cycle.

The imports are read from the source with ``ast`` (nothing is executed), so an import that only
runs on some path counts as much as one at the top of a file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("boolsens", "proofs_check", "empirical", "boolsens_cli")

#: (module name or prefix, layer). The most specific entry wins; a module may import modules of
#: its own layer or lower ones (and cycles are ruled out separately).
LAYERS = [
    ("boolsens._kernels", 0),
    ("boolsens.errors", 0),
    ("boolsens.progress", 1),
    ("boolsens.torch_runtime", 1),
    ("boolsens.storage", 1),
    ("boolsens.command_line", 1),  # the plumbing every subcommand shares
    ("boolsens._input", 1),
    ("boolsens._lp", 1),  # linear programs by HiGHS, made exact
    ("boolsens.cube", 2),
    ("boolsens.transforms", 2),
    ("boolsens.fourier", 2),
    ("boolsens.influence", 2),
    ("boolsens.sensitivity", 2),
    ("boolsens.noise", 2),
    ("boolsens.complexity", 2),
    ("boolsens.spectral", 2),
    ("boolsens.estimate", 2),
    ("boolsens.testing", 2),  # property testers, on estimate's evaluator and witness search
    ("boolsens.gf2", 2),
    ("boolsens.cryptographic", 2),
    ("boolsens.structure", 2),
    ("boolsens.linear_threshold", 2),
    ("boolsens.pbiased", 2),  # below fourier, influence and noise, which call it for their keyword p
    ("boolsens.fractional", 2),
    ("boolsens.approximate_degree", 2),
    ("boolsens.multilinear", 2),  # the multilinear extension at points of [-1, 1]^n
    ("boolsens.erasure", 2),  # erasure noise: moments of the extension over {-1, 0, 1}^n
    ("boolsens.function", 3),
    ("boolsens.families", 4),
    ("boolsens.census", 4),
    ("boolsens.restriction", 4),  # builds BooleanFunctions, like the families
    ("boolsens.census_extra", 4),  # the census's further columns (LP-backed measures below it)
    ("boolsens.census_report", 4),  # the census report and the census subcommand
    ("boolsens.search", 4.5),  # exhaustive and local search, over census, census_extra and the measures
    ("boolsens", 5),            # the package itself: the public API
    ("boolsens.analyze", 6),    # the core's subcommands: analyze,
    ("boolsens.commands", 6),   # and the hook that registers analyze and census
    ("proofs_check", 7),
    # empirical, laid out as its pipeline (docs/architecture.md): one layer per stage, in order
    ("empirical.harness", 7.0),           # harness base: checks, runtime, registry, plan, runner
    ("empirical.harness.prereg", 7.0),    # declarations of confirmatory runs (on registry and plan)
    ("empirical.data", 7.1),
    ("empirical.models", 7.2),
    ("empirical.measure", 7.3),
    ("empirical.train", 7.4),
    ("empirical.analysis", 7.5),
    ("empirical.harness.rundir", 7.6),    # the run folder renders reports (analysis)
    ("empirical.experiments", 7.7),
    ("empirical.harness.cli", 7.8),       # the experiment subcommand
    ("empirical", 7.9),                   # the package itself
    ("boolsens_cli", 8),        # the application layer: the boolsens command
]

#: the one module that may import modules by name at run time, and the package it may reach:
#: the registry imports an experiment module (named in its table) when that experiment is asked for
PLUGIN_IMPORTS = {"empirical.harness.registry": "empirical.experiments."}


def _layer(module: str) -> int:
    best, depth = None, -1
    for prefix, layer in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
            best, depth = layer, prefix.count(".")
    if best is None:
        raise AssertionError(f"module {module} has no layer in LAYERS (add it there and to docs/architecture.md)")
    return best


def _modules() -> dict[str, Path]:
    out = {}
    for pkg in PACKAGES:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(module: str, path: Path, node: ast.AST) -> list[str]:
    """The project modules an import statement names (deferred ones included)."""
    is_pkg = path.name == "__init__.py"
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        assert isinstance(node, ast.ImportFrom)
        if node.level:
            base = module.split(".") if is_pkg else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = []
        for a in node.names:
            full = f"{prefix}.{a.name}"
            names.append(full if full in MODULES else prefix)
    out = []
    for name in names:
        # the longest project module that is a prefix of the imported name
        parts = name.split(".")
        while parts and ".".join(parts) not in MODULES:
            parts.pop()
        if parts:
            out.append(".".join(parts))
    return out


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _resolve(module, path, node):
                    if target != module:
                        edges[module].add(target)
    return edges


EDGES = _edges()


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    mine = _layer(module)
    for target in sorted(EDGES[module]):
        # a package's __init__ is the package's public face; its submodules may import siblings
        # but never the package __init__ from below it (that would be an upward import)
        assert _layer(target) <= mine, (
            f"{module} (layer {mine}) imports {target} (layer {_layer(target)}): an upward import")


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.split(".")[0] in ("proofs_check", "empirical")))
def test_packages_on_the_core_use_only_its_public_modules(module):
    for target in EDGES[module]:
        if target.startswith("boolsens"):
            assert not any(part.startswith("_") for part in target.split(".")[1:]), (
                f"{module} imports the private module {target}; use the public boolsens API")
            assert target not in ("boolsens.commands", "boolsens.analyze"), (
                f"{module} imports {target}, the core's subcommands; the shared plumbing is "
                "boolsens.command_line")
        other = "empirical" if module.startswith("proofs_check") else "proofs_check"
        assert not target.startswith(other), f"{module} imports {target}: the two packages are siblings"


def test_the_core_never_imports_the_packages_built_on_it():
    for module in MODULES:
        if module.split(".")[0] == "boolsens":
            bad = [t for t in EDGES[module] if t.split(".")[0] != "boolsens"]
            assert not bad, f"{module} imports {bad}"


def test_nothing_imports_the_application_layer():
    for module in MODULES:
        if not module.startswith("boolsens_cli"):
            assert not any(t.startswith("boolsens_cli") for t in EDGES[module]), module


def _dynamic_imports(path: Path) -> list[int]:
    """Line numbers of ``importlib.import_module(...)`` / ``__import__(...)`` calls in a file."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", None)
            if name in ("import_module", "__import__"):
                lines.append(node.lineno)
    return lines


def test_only_the_registry_imports_by_name_and_only_experiments():
    for module, path in MODULES.items():
        if module.split(".")[0] == "empirical" and module not in PLUGIN_IMPORTS:
            assert not _dynamic_imports(path), f"{module} imports a module by name (only the registry may)"
    from empirical.harness.registry import EXPERIMENTS

    for name, (module, _) in EXPERIMENTS.items():
        assert module.startswith(PLUGIN_IMPORTS["empirical.harness.registry"]) and module in MODULES, (name, module)
    assert _dynamic_imports(MODULES["empirical.harness.registry"]), "the registry no longer imports lazily"


def test_the_empirical_layers_are_ordered_as_the_pipeline():
    order = ["empirical.harness.registry", "empirical.data.tasks", "empirical.models.transformer",
             "empirical.measure.metrics", "empirical.train.loop", "empirical.analysis.stats",
             "empirical.harness.rundir", "empirical.experiments.grokking", "empirical.harness.cli"]
    layers = [_layer(m) for m in order]
    assert layers == sorted(layers) and len(set(layers)) == len(layers)


def test_an_upward_import_inside_a_function_is_caught(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from ..train.loop import train\n")
    (target,) = _resolve("empirical.measure.m", path, ast.parse(path.read_text()).body[0].body[0])
    assert target == "empirical.train.loop" and _layer(target) > _layer("empirical.measure.m")


def test_no_experiment_imports_another():
    exps = {m for m in MODULES if m.startswith("empirical.experiments.") and m != "empirical.experiments"}
    for m in exps:
        assert not (EDGES[m] & exps), f"{m} imports {EDGES[m] & exps}"


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert _cycles(EDGES) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]
