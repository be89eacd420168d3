"""Text table and JSON for a list of :class:`proofs_check.Result`."""

from __future__ import annotations

import json
import math
from typing import Sequence

from .core import Result

__all__ = ["format_table", "format_details", "to_json"]


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if x == 0:
        return "0"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.3g}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_table(results: Sequence[Result], *, width: int = 60) -> str:
    """One row per claim: claim, domain, instances, held, worst slack, witness, time.

    ``held`` is ``yes`` / ``NO`` / ``ERROR``; the domain and witness columns are cut to ``width``
    characters (``--json`` and :func:`format_details` give them in full).
    """
    head = ("claim", "domain", "instances", "held", "worst slack", "witness", "time")
    rows = []
    for r in results:
        held = "ERROR" if r.error else ("yes" if r.held else "NO")
        rows.append((r.id, _cut(r.domain, width), f"{r.instances:,}", held, _num(r.worst_slack),
                     _cut(r.witness, width), f"{r.time_s:.1f}s"))
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) if i not in (2, 4, 6) else c.rjust(w)
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    out = [line(head), "  ".join("-" * w for w in widths)] + [line(row) for row in rows]
    failed = [r.id for r in results if not r.held]
    total = sum(r.time_s for r in results)
    out.append(f"{len(results) - len(failed)}/{len(results)} claims held"
               + (f"; FAILED: {', '.join(failed)}" if failed else "") + f"; total {total:.1f}s")
    return "\n".join(out)


def format_details(r: Result) -> str:
    """Everything about one result: statement, method, every relation, tightness and notes."""
    lines = [f"{r.id}: {r.statement}", f"  source: {r.source}", f"  LaTeX:  {r.latex}",
             f"  domain: {r.domain}", f"  method: {r.method} (profile {r.profile}, seed {r.seed})",
             f"  held: {'ERROR ' + r.error if r.error else r.held}; {r.instances:,} instances; {r.time_s:.2f}s"]
    for rel in r.relations:
        status = "ok " if rel.held else "VIOLATED"
        lines.append(f"  [{status}] {rel.name}: {rel.instances:,} instances, {rel.violations} violations, "
                     f"worst slack {_num(rel.worst_slack)} (lhs {_num(rel.lhs)}, rhs {_num(rel.rhs)}) at {rel.witness}"
                     + (f" [{rel.ties:,} tied]" if rel.ties > 1 and rel.op != "==" else ""))
    for t in r.tightness:
        lines.append(f"  tightness: {t}")
    for n in r.notes:
        lines.append(f"  note: {n}")
    return "\n".join(lines)


def _clean(x):
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_clean(v) for v in x]
    return x


def to_json(results: Sequence[Result]) -> str:
    """A JSON document: ``{"held": bool, "claims": [Result as dict, ...]}`` (NaN → null)."""
    return json.dumps(_clean({"held": all(r.held for r in results), "claims": [r.to_dict() for r in results]}),
                      ensure_ascii=False, indent=1)
