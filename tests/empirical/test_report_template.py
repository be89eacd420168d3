"""The report prose lives in ``empirical/experiments/reports/<module>.md``
(:class:`empirical.analysis.report.ReportTemplate`): every experiment's template renders under
every preset, it ships as package data, and a broken template fails loudly."""

from __future__ import annotations

import importlib
import string
import tomllib
from pathlib import Path

import pytest

from boolsens import BoolsensError
from empirical.analysis.report import ReportTemplate, markdown_table
from empirical.harness.registry import EXPERIMENTS

ROOT = Path(__file__).resolve().parents[2]
#: fields an analysis passes from the run itself (not from the config)
MEASURED = {"seeds_used": [0, 1], "dropped": "none", "runs": 2, "run_seeds": "0, 1"}


def _template(tmp_path: Path, text: str) -> ReportTemplate:
    path = tmp_path / "t.md"
    path.write_text(text, encoding="utf-8")
    return ReportTemplate(path)


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_every_template_renders_under_every_preset(name):
    pytest.importorskip("torch")
    from empirical.harness import registry

    module = importlib.import_module(EXPERIMENTS[name][0])
    template = module.REPORT
    assert template.path == ROOT / "empirical/experiments/reports" / f"{module.__name__.rsplit('.', 1)[1]}.md"
    assert {"setup", "notes"} <= set(template.sections())
    for preset in registry.get(name).presets:
        fields = module._report_fields(registry.get(name).config(preset))
        for section, text in template.sections().items():
            missing = set(string.Template(text).get_identifiers()) - set(fields)
            assert missing <= set(MEASURED), (name, preset, section, missing)
        fields = {**MEASURED, **fields}
        rows = template.rows("setup", **fields)
        assert len(rows) >= 5 and all(len(r) == len(rows[0]) >= 3 for r in rows), (name, preset)
        notes = template.bullets("notes", **fields)
        assert notes and all(n and "\n" not in n and "  " not in n for n in notes), (name, preset)


def test_the_templates_ship_as_package_data():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = {p for pattern in config["empirical.experiments"]
               for p in (ROOT / "empirical/experiments").glob(pattern)}
    modules = {m.rsplit(".", 1)[1] for m, _ in EXPERIMENTS.values()}
    assert {p.stem for p in shipped} == modules
    assert shipped == set((ROOT / "empirical/experiments/reports").iterdir())


def test_rows_invert_markdown_table(tmp_path):
    table = [{"": "model", "paper": "d 128, 2 layers", "here": ""}, {"": "seeds", "paper": "—", "here": "0, 1"}]
    assert _template(tmp_path, "## setup\n\n" + markdown_table(table)).rows("setup") == table


def test_sections_fields_and_bullets(tmp_path):
    t = _template(tmp_path, "Preamble ($x is not read).\n\n## a\n\n- one $x,\n  wrapped.\n\n- two ${y}z $$\n"
                            "## b\ntext $x\n")
    assert list(t.sections()) == ["a", "b"]
    assert t.bullets("a", x=1.5, y="Y", unused=0) == ["one 1.5, wrapped.", "two Yz $"]
    assert t.text("b", x=[1, 2]) == "text [1, 2]"


@pytest.mark.parametrize("text, call, message", [
    ("## a\nx\n", lambda t: t.text("b"), r"section 'b' does not exist; the sections are \['a'\]"),
    ("## a\n$x and $y\n", lambda t: t.text("a", y=1), r"section 'a': no value for \$x \(given: y\)"),
    ("## a\ncosts 3$\n", lambda t: t.text("a"), r"write \$\$ for a dollar sign"),
    ("## a\nx\n## a\ny\n", lambda t: t.text("a"), "section 'a' appears twice"),
    ("## a\n| h | i |\n| x | y |\n", lambda t: t.rows("a"), "is not a Markdown table"),
    ("## a\n| h | i |\n|---|---|\n| x | y | z |\n", lambda t: t.rows("a"), "has 3 cells, the header 2"),
    ("## a\nplain text\n", lambda t: t.bullets("a"), "neither opens an item"),
], ids=["no-section", "missing-field", "lone-dollar", "twice", "no-rule-row", "cells", "not-a-bullet"])
def test_a_broken_template_fails_loudly(tmp_path, text, call, message):
    with pytest.raises(BoolsensError, match=message):
        call(_template(tmp_path, text))


def test_a_missing_template_names_its_path(tmp_path):
    with pytest.raises(BoolsensError, match="nosuch.md: cannot be read"):
        ReportTemplate.beside(tmp_path / "nosuch.py").sections()
