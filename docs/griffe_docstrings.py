"""griffe extension: read the project's docstrings as they are written, before griffe parses them.

Two habits of the docstrings (doctests run by pytest; see ``/work/shared/STYLE.md``) are not
numpydoc as griffe parses it, and would render wrongly or warn:

* **Doctests in the text.** ``>>> ...`` blocks sit in the running text (or inside a section), not
  under an ``Examples`` heading; Markdown reads their ``>`` as a quotation and an output such as
  ``[0.0, 0.0]`` as a link reference. Each block (from a ``>>>`` line to the next blank line) is
  wrapped in a ``pycon`` code fence.
* **Prose after an item section.** A paragraph such as ``Cost: ...`` or ``Example: ...`` after the
  items of ``Parameters`` or ``Returns`` belongs to no item, but numpydoc keeps it in the section
  (griffe warns that ``Cost`` is no parameter). Such a paragraph, and what follows it, is moved
  under a ``Notes`` heading.

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
    """``text`` with every doctest block wrapped in a ``pycon`` fence, its indentation kept; text
    already inside a fence is left alone. Linear in the length of ``text`` (tested in
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
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            while i < len(lines) and lines[i].strip():
                out.append(lines[i])
                i += 1
            out.append(f"{indent}```")
            continue
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
    """Apply :func:`close_item_sections` and :func:`fence_doctests` to every docstring loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:
        """Called by griffe for each object it loads."""
        doc = obj.docstring
        if doc is None or _EXAMPLES.search(doc.value):
            return
        value = close_item_sections(doc.value)
        if ">>>" in value:
            value = fence_doctests(value)
        doc.value = value
