"""Named Boolean functions for the checks (no hypothesis needed).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import boolsens as bs

__all__ = ["named_functions"]


def named_functions(min_n: int = 1, max_n: int = 12) -> list[bs.BooleanFunction]:
    """The named families with min_n ≤ n ≤ max_n (deterministic list, used by the checks).

    >>> [f.name for f in named_functions(3, 3)][:4]
    ['CONST+1_3', 'PAR_3', 'MAJ_3', 'AND_3']
    """
    out: list[bs.BooleanFunction] = []
    for n in range(max(1, min_n), max_n + 1):
        out.append(_named(bs.constant(n, 1), f"CONST+1_{n}"))  # first: ties at the worst slack show a richer one
        out.append(bs.parity(n))
        if n % 2:
            out.append(bs.majority(n))
        out += [bs.conjunction(n), bs.disjunction(n), _named(bs.dictator(n, i=n - 1), f"DICT_{n - 1}(n={n})")]
        if n >= 2:
            out.append(_named(bs.majority(n, tie=-1) if n % 2 == 0 else bs.threshold(range(n, 0, -1), 0.5),
                              f"MAJ_{n}(tie=-1)" if n % 2 == 0 else f"LTF_{n}(w={n}..1,θ=½)"))
            out.append(_named(bs.sparse_parity(n, [0, n - 1]), f"χ{{0,{n - 1}}}_{n}"))
        for w in range(2, n):
            if n % w == 0 and n // w >= 2:
                out.append(_named(bs.tribes(w, n // w), f"TRIBES_{w},{n // w}"))
        if n % 2 == 0:
            out.append(bs.inner_product(n // 2))
        for k in range(1, 5):
            if k + (1 << k) == n:
                out.append(bs.address(k))
        if n in (4, 16):
            out.append(_named(bs.rubinstein(int(round(n ** 0.5))), f"RUB_{int(round(n ** 0.5))}"))
        if n == 4:
            out.append(_named(bs.threshold([2, 1, 1, 1]), "LTF_4(2,1,1,1)"))
    return out


def _named(f: bs.BooleanFunction, name: str) -> bs.BooleanFunction:
    return bs.BooleanFunction.from_signs(f.signs, name=name)


