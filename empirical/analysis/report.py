"""What a run shows a reader: Markdown tables, the text of ``report.md``, figures.

Pure functions: they build text and PNG bytes; :class:`empirical.harness.rundir.RunDir` writes them
into the run folder (``run_dir.write_report``, ``run_dir.save_figure``).
"""

from __future__ import annotations

import io
import json
from typing import Any, Iterable

import numpy as np

__all__ = ["format_value", "markdown_table", "report_markdown", "pyplot", "figure_png"]


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


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """A list of dicts (keys in order of first appearance) as a Markdown table.

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
        lines.append("| " + " | ".join(format_value(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def report_markdown(claim: str, numbers: dict[str, Any], verdict: str, *, title: str,
                    config: dict[str, Any], environment: dict[str, Any], figures: Iterable[str] = (),
                    notes: Iterable[str] = ()) -> str:
    """The text of ``report.md``: the claim, the verdict, the measured numbers, figures, notes,
    and the run (preset, device, versions, load, the config as JSON).

    ``numbers`` maps a label to a scalar or string (a bullet) or to a list of row dicts (a table
    under the label). ``config`` is the run's ``config.json`` record (``preset``, ``config``);
    under the ``smoke`` preset the verdict is marked as a wiring check.

    >>> text = report_markdown("c", {"x": 0.5, "rows": [{"a": 1}]}, "v", title="t",
    ...                        config={"preset": "smoke", "config": {}},
    ...                        environment={"device": "cpu", "torch": "2", "torch_threads": 1, "utc": "now"})
    >>> print(text.split("## Run")[0], end="")
    # t
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
    lines = [f"# {title}", ""]
    lines += [f"**Claim.** {claim}", "", f"**Verdict.** {verdict}", "", "## Measured numbers", ""]
    for label, value in numbers.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines += ["", f"### {label}", "", markdown_table(value)]
        else:
            lines.append(f"- {label}: {format_value(value)}")
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
