"""The documentation site: ``mkdocs build --strict`` passes, and fails on each of the three faults
it is meant to catch (a broken link, a failing example, a public name without a docstring).

The full build and the small failing builds are in the slow tier; the docstring check of
``docs/hooks.py`` and the docstring rewriting of ``docs/griffe_docstrings.py`` are tested directly.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_docs_{name}", ROOT / "docs" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _mkdocs(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


# ------------------------------------------------------------------ the hook's checks, directly
@pytest.fixture()
def hooks():
    pytest.importorskip("mkdocs")
    return _load("hooks")


@pytest.fixture()
def fixture_module():
    """A module with one documented and one undocumented public function, a class with an
    undocumented method and an undocumented dataclass (whose ``__doc__`` @dataclass fills in)."""
    import dataclasses

    mod = types.ModuleType("_docs_fixture")
    mod.__doc__ = "A fixture."

    def documented():
        """Has one."""

    def bare():
        pass

    class Model:
        """Documented class."""

        def forward(self):
            pass

        @property
        def width(self):
            """Documented property."""

    @dataclasses.dataclass
    class Config:
        size: int = 1

    for obj in (documented, bare, Model, Config):
        obj.__module__ = mod.__name__
        setattr(mod, obj.__name__, obj)
    mod.__all__ = ["documented", "bare", "Model", "Config"]
    sys.modules[mod.__name__] = mod
    yield mod
    del sys.modules[mod.__name__]


def test_hook_names_every_public_name_without_a_docstring(hooks, fixture_module):
    D = hooks.Directive
    assert hooks.missing_docstrings({"_docs_fixture": D("api/x.md")}) == [
        "_docs_fixture.Config", "_docs_fixture.Model.forward", "_docs_fixture.bare"]
    assert hooks.missing_docstrings({"_docs_fixture": D("api/x.md", members=False)}) == []
    assert hooks.missing_docstrings({"_docs_fixture": D("api/x.md", members=("bare",))}) == ["_docs_fixture.bare"]
    assert hooks.missing_docstrings({"_docs_fixture.documented": D("api/x.md")}) == []
    assert hooks.missing_docstrings({"_docs_fixture.nosuch": D("api/x.md")})[0].startswith(
        "_docs_fixture.nosuch (does not import")


def test_hook_names_public_names_missing_from_the_reference(hooks):
    import boolsens

    D = hooks.Directive
    check = lambda directives: hooks.missing_from_reference(directives, covered=("boolsens",), every_module=())
    assert check({"boolsens": D("api/boolsens.md")}) == []
    names = {f"boolsens.{n}": D("api/boolsens.md") for n in boolsens.__all__ if n not in ("fwht", "__version__")}
    assert check({"boolsens": D("api/boolsens.md", members=False), **names}) == ["boolsens.fwht"]
    assert check({"boolsens": D("api/boolsens.md", members=("fwht",)), **names}) == []
    assert check(names) == ["boolsens", "boolsens.fwht"]


def test_hook_reads_directives_and_their_members_option_outside_code_fences(hooks):
    page = "::: boolsens\n    options:\n      members: false\n\n::: boolsens.fwht\n\n```\n::: not.this\n```\n"
    assert hooks.parse_directives(page, "api/x.md") == {
        "boolsens": hooks.Directive("api/x.md", members=False), "boolsens.fwht": hooks.Directive("api/x.md")}
    listed = "::: proofs_check\n    options:\n      heading_level: 2\n      members: [Le, Ge]\n"
    assert hooks.parse_directives(listed, "p.md") == {"proofs_check": hooks.Directive("p.md", members=("Le", "Ge"))}


# ------------------------------------------------------------------ the griffe extension
def test_doctests_are_fenced_and_prose_leaves_item_sections():
    pytest.importorskip("griffe")
    ext = _load("griffe_docstrings")
    text = "Text.\n\n>>> 1 + 1\n2\n\nMore.\n\n```\n>>> kept\n```"
    assert ext.fence_doctests(text) == "Text.\n\n```pycon\n>>> 1 + 1\n2\n```\n\nMore.\n\n```\n>>> kept\n```"
    doc = "Sum.\n\nParameters\n----------\nn : int\n    The size.\nrho, delta : float\n\nCost: O(n).\n"
    assert ext.close_item_sections(doc) == (
        "Sum.\n\nParameters\n----------\nn : int\n    The size.\nrho, delta : float\n\nNotes\n-----\nCost: O(n).\n")
    assert ext.close_item_sections("Returns\n-------\nint\n    A count.\n") == "Returns\n-------\nint\n    A count.\n"
    assert ext.fence_doctests("Use it::\n\n    >>> f(1)\n    2\n") == "Use it::\n\n```pycon\n>>> f(1)\n2\n```\n"


def test_restructuredtext_markup_becomes_markdown():
    pytest.importorskip("griffe")
    ext = _load("griffe_docstrings")
    assert ext.convert_rst("See :func:`~boolsens.fourier.degree` and :mod:`boolsens`.") == "See `degree` and `boolsens`."
    assert ext.convert_rst("Run it::\n\n    boolsens verify\n") == "Run it:\n\n    boolsens verify\n"
    assert ext.convert_rst(".. math:: s = E x\n\nNext.") == "```text\ns = E x\n```\n\nNext."
    assert ext.convert_rst("slope is\n> 0, and\n>>> 1\n") == "slope is\n\\> 0, and\n>>> 1\n"
    table = "=====  ====\nfield  what\n=====  ====\n``a``  x | y\nb      z\n=====  ====\n"
    assert ext.convert_rst(table) == "| field | what |\n|---|---|\n| `a` | x \\| y |\n| b | z |\n"


# ------------------------------------------------------------------ builds (slow tier)
@pytest.mark.slow
def test_site_builds_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("markdown_exec")
    result = _mkdocs(["build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (tmp_path / "site" / "api" / "boolsens" / "index.html").is_file()
    assert (tmp_path / "site" / "examples" / "sweep" / "index.html").is_file()


def _small_site(tmp_path: Path, page: str) -> Path:
    """A one-page site with the project's validation settings, Markdown extensions and
    markdown-exec (the parts of mkdocs.yml that decide whether a link or an example fails)."""
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    small = {"site_name": "t", "strict": True, "validation": config["validation"],
             "markdown_extensions": config["markdown_extensions"], "plugins": ["markdown-exec"]}
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page)
    (tmp_path / "mkdocs.yml").write_text(yaml.safe_dump(small))
    return tmp_path


@pytest.mark.slow
@pytest.mark.parametrize("page, message", [
    ("# t\n\n[theory](theory.md)\n", "theory.md"),
    ('# t\n\n```python exec="on"\nraise ValueError("drifted")\n```\n', "drifted"),
    ("# t\n\n```python exec=\"on\"\nprint('fine')\n```\n\n[ok](#t)\n", None),
], ids=["broken-link", "failing-example", "clean"])
def test_strict_build_fails_on_a_broken_link_and_a_failing_example(tmp_path, page, message):
    pytest.importorskip("mkdocs")
    pytest.importorskip("markdown_exec")
    site = _small_site(tmp_path, page)
    result = _mkdocs(["build", "--strict"], cwd=site)
    if message is None:
        assert result.returncode == 0, result.stderr[-3000:]
    else:
        assert result.returncode != 0
        assert message in result.stderr, result.stderr[-3000:]
