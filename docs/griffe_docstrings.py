"""griffe extension: read the project's docstrings as they are written, before griffe parses them.

Two habits of the docstrings (doctests run by pytest) are not
numpydoc as griffe parses it, and would render wrongly or warn:

* **Doctests in the text.** ``>>> ...`` blocks sit in the running text (or inside a section), not
  under an ``Examples`` heading; Markdown reads their ``>`` as a quotation and an output such as
  ``[0.0, 0.0]`` as a link reference. Each block (from a ``>>>`` line to the next blank line) is
  wrapped in a ``pycon`` code fence.
* **Prose after an item section.** A paragraph such as ``Cost: ...`` or ``Example: ...`` after the
  items of ``Parameters`` or ``Returns`` belongs to no item, but numpydoc keeps it in the section
  (griffe warns that ``Cost`` is no parameter). Such a paragraph, and what follows it, is moved
  under a ``Notes`` heading.
* **reStructuredText markup.** Cross-reference roles (``:func:`name```, ``:math:`...```) become
  code spans, a literal block's ``::`` a colon, ``.. math::`` a code block, and simple tables
  (``=====  =====`` borders) Markdown tables; a line that a wrap starts with ``>`` (``> 0``) is
  not a quotation.

Docstrings with an ``Examples`` section are left to griffe's own parser.
"""

from __future__ import annotations

import re

import griffe

_EXAMPLES = re.compile(r"^\s*Examples\s*\n\s*-{3,}\s*$", re.M)
#: numpydoc sections whose body is a list of items (``name : type`` + indented description).
_ITEM_SECTIONS = {"parameters", "other parameters", "returns", "yields", "receives", "raises",
                  "warns", "attributes"}
#: an item line: names separated by commas, optionally `` : type``.
_ITEM = re.compile(r"^\*{0,2}[A-Za-z_]\w*(\s*,\s*\*{0,2}[A-Za-z_]\w*)*(\s+:(\s.*)?)?$")


def fence_doctests(text: str) -> str:
    """``text`` with every doctest block wrapped in a ``pycon`` fence at the left margin (an
    indented block, e.g. after ``::``, is dedented so that Markdown does not read the fence as
    code); text already inside a fence is left alone. Linear in the length of ``text`` (tested in
    ``tests/test_docs_build.py``)."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    in_fence = False
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.lstrip().startswith(">>>"):
            cut = len(line) - len(line.lstrip())
            out.append("```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i][cut:] if lines[i][:cut].isspace() else lines[i].lstrip())
                i += 1
            out.append("```")
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


_ROLE = re.compile(r":(?:func|meth|class|mod|data|attr|exc|obj|math):`(~?)([^`]+)`")
_BORDER = re.compile(r"^(\s*)(=+)((?: +=+)+)\s*$")


def _role(match: re.Match) -> str:
    tilde, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if tilde else target}`"


def _table(rows: list[str], border: str) -> list[str]:
    """A reStructuredText simple table (its rows between the borders) as a Markdown table."""
    starts = [m.start() for m in re.finditer(r"=+", border)]
    cells = []
    for row in rows:
        if not row.strip():
            continue
        bounds = starts[1:] + [None]
        cells.append([row[a:b].strip().replace("``", "`").replace("|", "\\|") for a, b in zip(starts, bounds)])
    if not cells:
        return []
    width = len(starts)
    out = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * width]
    out += ["| " + " | ".join(c) + " |" for c in cells[1:]]
    return out


def convert_rst(text: str) -> str:
    """``text`` with reStructuredText roles, ``::`` endings, ``.. math::`` and simple tables
    turned into Markdown (tested in ``tests/test_docs_build.py``). Linear in its length."""
    lines = _ROLE.sub(_role, text).split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        border = _BORDER.match(line)
        if border:
            # header row(s) up to the second border, body up to the third
            j = next((k for k in range(i + 1, len(lines)) if lines[k].strip() == line.strip()), None)
            end = next((k for k in range((j or i) + 1, len(lines)) if lines[k].strip() == line.strip()), None)
            if j is not None and end is not None:
                out += _table(lines[i + 1:j] + lines[j + 1:end], line)
                i = end + 1
                continue
        math = re.match(r"^(\s*)\.\. math::\s*(.*)$", line)
        if math:
            body = [math.group(2)] if math.group(2) else []
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i][:1].isspace()) and \
                    (lines[i].strip() or (i + 1 < len(lines) and lines[i + 1][:1].isspace())):
                if lines[i].strip():
                    body.append(lines[i].strip())
                i += 1
            out += ["```text", *body, "```"]
            continue
        if line.lstrip().startswith(">") and not line.lstrip().startswith(">>>"):
            line = line.replace(">", "\\>", 1)  # a wrapped "> 0", not a quotation
        if line.rstrip().endswith("::") and not line.rstrip().endswith(":::"):
            stripped = line.rstrip()[:-2].rstrip()
            line = stripped + ":" if stripped.strip() else ""
        out.append(line)
        i += 1
    return "\n".join(out)


def close_item_sections(text: str) -> str:
    """``text`` with a ``Notes`` heading before the first unindented paragraph, after a blank line,
    inside a numpydoc item section (Parameters, Returns, ...) that is not an item line (tested in
    ``tests/test_docs_build.py``). Linear in the length of ``text``."""
    lines = text.split("\n")
    out: list[str] = []
    section = None
    for k, line in enumerate(lines):
        heading = k + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[k + 1].strip() or "x")
        if heading and line.strip():
            section = line.strip().lower()
        elif (section in _ITEM_SECTIONS and line.strip() and not line[:1].isspace()
              and k > 0 and not lines[k - 1].strip() and not re.fullmatch(r"-{3,}", line.strip())
              and not _ITEM.match(line.rstrip())):
            out += ["Notes", "-----"]
            section = "notes"
        out.append(line)
    return "\n".join(out)


class ProjectDocstrings(griffe.Extension):
    """Apply :func:`convert_rst`, :func:`close_item_sections` and :func:`fence_doctests` to every
    docstring loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        """Called by griffe for each object it loads."""
        doc = obj.docstring
        if doc is None or _EXAMPLES.search(doc.value):
            return
        value = close_item_sections(convert_rst(doc.value))
        if ">>>" in value:
            value = fence_doctests(value)
        doc.value = value
