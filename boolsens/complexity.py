"""Block sensitivity, certificate complexity and decision-tree depth.

NOT BUILT YET (work in progress in this session): each function raises NotImplementedError.
"""

from __future__ import annotations

from typing import Any

__all__ = ["block_sensitivity", "certificate_complexity", "decision_tree_depth"]


def block_sensitivity(f: Any) -> Any:
    raise NotImplementedError("block_sensitivity is not built yet")


def certificate_complexity(f: Any) -> Any:
    raise NotImplementedError("certificate_complexity is not built yet")


def decision_tree_depth(f: Any) -> Any:
    raise NotImplementedError("decision_tree_depth is not built yet")
