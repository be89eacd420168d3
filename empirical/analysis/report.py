"""What a run shows a reader: Markdown tables, the text of ``report.md``, figures.

Pure functions: they build text and PNG bytes; :class:`empirical.harness.rundir.RunDir` writes them
into the run folder (``run_dir.write_report``, ``run_dir.save_figure``). The prose of an
experiment's report (its setup table beside the paper's, its notes) is not in the experiment's
code but in a Markdown template beside it, ``empirical/experiments/reports/<module>.md``, read by
:class:`ReportTemplate`.
"""

from __future__ import annotations

import io
import json
import re
import string
from pathlib import Path
from typing import Any, Iterable

import numpy as np

__all__ = ["format_value", "format_p", "is_p_label", "markdown_table", "run_kind_line", "report_markdown", "ReportTemplate",
           "pyplot", "figure_png"]


def format_value(v: Any) -> str:
    """One table cell: integers as they are, floats to 4 significant digits (scientific
    notation outside [1e-3, 1e5)), everything else as ``str``.

    >>> format_value(0.000123456), format_value(2.0), format_value(np.int64(3)), format_value(None)
    ('1.235e-04', '2', '3', 'None')
    """
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if v == 0 or (1e-3 <= abs(v) < 1e5):
            return f"{v:.4g}"
        return f"{v:.3e}"
    return str(v)


#: the smallest p-value a report prints as a number; below it (an underflow to 0 included) it prints "< 1e-300"
P_FLOOR = 1e-300


def format_p(p: Any, spec: str | None = None) -> str:
    """A p-value as a report shows it: never "0". A float p below 1e-300 (one that underflowed to
    0.0 included: a test gives p = 0 only by running out of floating point) prints as
    ``"< 1e-300"``; any other value as :func:`format_value` does, or with the format ``spec``
    (e.g. ``".3g"``) when given and p is a finite number.

    >>> format_p(0.0), format_p(0.0123), format_p(0.0123, ".2g"), format_p(None), format_p(float("nan"), ".3g")
    ('< 1e-300', '0.0123', '0.012', 'None', 'nan')
    """
    if isinstance(p, (float, np.floating)) and not isinstance(p, bool):
        if 0 <= float(p) < P_FLOOR:
            return f"< {P_FLOOR:g}"
        if spec is not None and np.isfinite(p):
            return format(float(p), spec)
    return format_value(p)


_P_LABEL = re.compile(r"^p(-value)?( \(.*\))?$|^p[ _](holm|value)", re.I)


def is_p_label(label: str) -> bool:
    """Whether a column or bullet label names a p-value ("p", "p (Welch)", "p-value",
    "p_holm"): :func:`markdown_table` and :func:`report_markdown` print those with :func:`format_p`.

    >>> is_p_label("p (paired t)"), is_p_label("p"), is_p_label("p_holm"), is_p_label("pairs")
    (True, True, True, False)
    """
    return bool(_P_LABEL.match(str(label)))


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """A list of dicts (keys in order of first appearance) as a Markdown table; p-value columns
    (:func:`is_p_label`) through :func:`format_p`, so a p that underflowed prints "< 1e-300".

    >>> print(markdown_table([{"n": 4, "loss_sharpness": 0.00312}, {"n": 6, "loss_sharpness": 0.5}]), end="")
    | n | loss_sharpness |
    |---|---|
    | 4 | 0.00312 |
    | 6 | 0.5 |
    """
    if not rows:
        return "(no rows)\n"
    cols = list(rows[0])
    for r in rows[1:]:
        cols += [c for c in r if c not in cols]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join((format_p if is_p_label(c) else format_value)(r.get(c, "")) for c in cols)
                     + " |")
    return "\n".join(lines) + "\n"


def run_kind_line(config: dict[str, Any]) -> str:
    """What kind of run a report is about, from its ``config.json`` record: "Confirmatory run
    (declared in FILE at commit C)" for a run with ``run_kind`` ``"confirmatory"`` (see
    :mod:`empirical.harness.prereg`), "Exploratory run (not pre-registered)" for any other.

    >>> run_kind_line({"run_kind": "confirmatory", "declaration": {"path": "docs/x.prereg.toml", "commit": "ab12"}})
    'Confirmatory run (declared in docs/x.prereg.toml at commit ab12)'
    >>> run_kind_line({"preset": "cpu"})
    'Exploratory run (not pre-registered)'
    """
    if config.get("run_kind") != "confirmatory":
        return "Exploratory run (not pre-registered)"
    decl = config.get("declaration") or {}
    commit = decl.get("commit") or f"unknown ({decl.get('git', 'git not available')})"
    return f"Confirmatory run (declared in {decl.get('path')} at commit {commit})"


def report_markdown(claim: str, numbers: dict[str, Any], verdict: str, *, title: str,
                    config: dict[str, Any], environment: dict[str, Any], figures: Iterable[str] = (),
                    notes: Iterable[str] = ()) -> str:
    """The text of ``report.md``: whether the run was confirmatory or exploratory
    (:func:`run_kind_line`), the claim, the verdict, the measured numbers, figures, notes, and the
    run (preset, device, versions, load, the config as JSON).

    ``numbers`` maps a label to a scalar or string (a bullet) or to a list of row dicts (a table
    under the label). ``config`` is the run's ``config.json`` record (``preset``, ``config``);
    under the ``smoke`` preset the verdict is marked as a wiring check.

    >>> text = report_markdown("c", {"x": 0.5, "rows": [{"a": 1}]}, "v", title="t",
    ...                        config={"preset": "smoke", "config": {}},
    ...                        environment={"device": "cpu", "torch": "2", "torch_threads": 1, "utc": "now"})
    >>> print(text.split("## Run")[0], end="")
    # t
    <BLANKLINE>
    Exploratory run (not pre-registered)
    <BLANKLINE>
    **Claim.** c
    <BLANKLINE>
    **Verdict.** v (smoke preset: a wiring check far too small to judge the claim)
    <BLANKLINE>
    ## Measured numbers
    <BLANKLINE>
    - x: 0.5
    <BLANKLINE>
    ### rows
    <BLANKLINE>
    | a |
    |---|
    | 1 |
    <BLANKLINE>
    <BLANKLINE>
    """
    if config.get("preset") == "smoke":
        verdict = f"{verdict} (smoke preset: a wiring check far too small to judge the claim)"
    lines = [f"# {title}", "", run_kind_line(config), ""]
    lines += [f"**Claim.** {claim}", "", f"**Verdict.** {verdict}", "", "## Measured numbers", ""]
    for label, value in numbers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines += ["", f"### {label}", "", markdown_table(value)]
        else:
            lines.append(f"- {label}: {(format_p if is_p_label(label) else format_value)(value)}")
    lines.append("")
    figures = list(figures)
    if figures:
        lines += ["## Figures", ""]
        lines += [f"![{f}]({f if f.endswith('.png') else f + '.png'})" for f in figures]
        lines.append("")
    notes = list(notes)
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    env = environment
    lines += [
        "## Run",
        "",
        f"- preset: {config.get('preset')}; device: {env['device']}; torch {env['torch']}; "
        f"{env['torch_threads']} torch thread(s) per unit",
        f"- wall clock: written {env['utc']}; load average {env.get('loadavg_1_5_15')}",
        "",
        "```json",
        json.dumps(config.get("config", {}), indent=2),
        "```",
        "",
    ]
    return "\n".join(lines)


_SECTION = re.compile(r"^## (.+?)\s*$", re.M)


class ReportTemplate:
    r"""The prose of one experiment's ``report.md``, kept in a Markdown file of named sections.

    The file: anything before the first section is a preamble for its reader (ignored); each
    section opens with a line ``## name`` and runs to the next such line, blank lines at either
    end dropped. In a section, ``$field`` or ``${field}`` stands for ``str(value)`` of the keyword
    argument ``field`` (so format a number as the report shows it before passing it); ``$$`` is
    a dollar sign. A section is read as plain text (:meth:`text`), as a Markdown table whose rows
    become dicts (:meth:`rows`, for :func:`report_markdown`'s tables), or as a bullet list whose
    items become one-line strings (:meth:`bullets`, for its notes). A missing section, a field
    without a value or a malformed table or list raises :class:`boolsens.BoolsensError` naming the
    file and the section. The file is read once, on first use. Cost: linear in the file's length.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "demo.md"
    >>> _ = path.write_text("Preamble.\n\n## setup\n\n| setting | paper | here |\n|---|---|---|\n"
    ...                     "| n | 10 | $n |\n\n## notes\n\n- One note, wrapped\n  over two lines.\n"
    ...                     "- Costs $$$cost.\n")
    >>> t = ReportTemplate(path)
    >>> t.rows("setup", n=8)
    [{'setting': 'n', 'paper': '10', 'here': '8'}]
    >>> t.bullets("notes", cost=3)
    ['One note, wrapped over two lines.', 'Costs $3.']
    >>> t.text("notes")
    Traceback (most recent call last):
    ...
    boolsens.errors.BoolsensError: report template demo.md, section 'notes': no value for $cost (given: none)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._sections: dict[str, str] | None = None

    @classmethod
    def beside(cls, module_file: str | Path) -> "ReportTemplate":
        """The template of the experiment module at ``module_file``: ``reports/<module>.md`` in the
        module's folder (shipped as package data)."""
        module_file = Path(module_file)
        return cls(module_file.parent / "reports" / f"{module_file.stem}.md")

    def sections(self) -> dict[str, str]:
        """Every section's unrendered text, by name, in the file's order."""
        if self._sections is None:
            from boolsens import BoolsensError

            try:
                source = self.path.read_text(encoding="utf-8")
            except OSError as exc:
                raise BoolsensError(f"report template {self.path}: cannot be read ({exc.strerror})") from None
            heads = list(_SECTION.finditer(source))
            sections: dict[str, str] = {}
            for head, nxt in zip(heads, heads[1:] + [None]):
                name = head.group(1)
                if name in sections:
                    raise BoolsensError(f"report template {self.path.name}: section {name!r} appears twice")
                sections[name] = source[head.end():nxt.start() if nxt else len(source)].strip("\n")
            self._sections = sections
        return self._sections

    def text(self, section: str, /, **fields: Any) -> str:
        """The section with every ``$field`` replaced by ``str`` of its value (unused fields are
        allowed, so one set of fields serves every section)."""
        from boolsens import BoolsensError

        sections = self.sections()
        where = f"report template {self.path.name}, section {section!r}"
        if section not in sections:
            raise BoolsensError(f"{where} does not exist; the sections are {list(sections)}")
        try:
            return string.Template(sections[section]).substitute({k: str(v) for k, v in fields.items()})
        except KeyError as exc:
            given = ", ".join(sorted(fields)) or "none"
            raise BoolsensError(f"{where}: no value for ${exc.args[0]} (given: {given})") from None
        except ValueError as exc:  # a '$' followed by no name
            raise BoolsensError(f"{where}: {exc} (write $$ for a dollar sign)") from None

    def rows(self, section: str, /, **fields: Any) -> list[dict[str, str]]:
        """The section, a Markdown table (a header row, a ``|---|`` row, then one line per row),
        as its rows: dicts from the header's cells to the row's cells, stripped. It is the
        inverse of :func:`markdown_table` on string cells; a cell cannot contain ``|``."""
        from boolsens import BoolsensError

        lines = [line.strip() for line in self.text(section, **fields).splitlines() if line.strip()]
        where = f"report template {self.path.name}, section {section!r}"
        if len(lines) < 2 or not all(line.startswith("|") and line.endswith("|") for line in lines) \
                or set(lines[1]) - set("|-: "):
            raise BoolsensError(f"{where} is not a Markdown table (header, |---| row, rows; every line in |...|)")

        def cells(line: str) -> list[str]:
            return [c.strip() for c in line[1:-1].split("|")]

        header = cells(lines[0])
        out = []
        for line in lines[2:]:
            row = cells(line)
            if len(row) != len(header):
                raise BoolsensError(f"{where}: the row {line[:60]!r}... has {len(row)} cells, the header "
                                    f"{len(header)} (a cell cannot contain '|')")
            out.append(dict(zip(header, row)))
        return out

    def bullets(self, section: str, /, **fields: Any) -> list[str]:
        """The section, a Markdown bullet list, as its items: a line ``- text`` opens an item, an
        indented line continues it (joined with one space), blank lines are skipped."""
        from boolsens import BoolsensError

        items: list[str] = []
        for line in self.text(section, **fields).splitlines():
            if line.startswith("- "):
                items.append(line[2:].strip())
            elif line.strip() and line[:1].isspace() and items:
                items[-1] += " " + line.strip()
            elif line.strip():
                raise BoolsensError(f"report template {self.path.name}, section {section!r}: the line "
                                    f"{line[:60]!r} neither opens an item ('- ') nor continues one (indented)")
        return items


def pyplot():
    """``matplotlib.pyplot`` on the non-interactive Agg backend (figures go to PNG files)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def figure_png(fig: Any) -> bytes:
    """A matplotlib figure as PNG bytes (tight layout, 110 dpi); the figure is closed."""
    plt = pyplot()
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()
