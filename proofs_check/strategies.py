r"""Hypothesis strategies for property-testing your own bounds on Boolean functions.

Conventions: see :mod:`boolsens` (bit i of the index is coordinate i, True = −1).

* :func:`boolean_functions` — Boolean functions on ``min_n..max_n`` variables: raw truth tables
  (every table for n ≤ 4, seeded random tables of any bias above), the named families, juntas,
  linear threshold functions with integer weights, and products / ANDs / negations / coordinate
  permutations of those. Every drawn function has a ``name`` that says how to rebuild it.
* :func:`families` — only the named families (PARITY, MAJ, AND, OR, DICT, TRIBES, IP, IND, RUB, ...).
* :func:`rhos` — correlations in ``[min_value, max_value]`` with the special values 0, ±½, ±1
  tried first.

Example (a user's own test; run it with pytest)::

    from hypothesis import given
    import boolsens as bs
    from proofs_check.strategies import boolean_functions, rhos

    @given(boolean_functions(min_n=1, max_n=8), rhos(min_value=0, max_value=1))
    def test_stability_at_least_rho_to_the_total_influence(f, rho):
        assert bs.noise_stability(f, rho) >= rho ** bs.total_influence(f) - 1e-12

Cost: drawing a function on n variables builds its 2**n table: O(n 2**n).
"""

from __future__ import annotations


import numpy as np

import boolsens as bs

from .named import _named, named_functions

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - hypothesis is a test dependency
    raise ImportError("proofs_check.strategies needs hypothesis: pip install hypothesis") from exc

__all__ = ["boolean_functions", "families", "rhos", "named_functions"]


def families(min_n: int = 1, max_n: int = 12) -> st.SearchStrategy[bs.BooleanFunction]:
    """A named family member with min_n ≤ n ≤ max_n (see :func:`named_functions`)."""
    fs = named_functions(min_n, max_n)
    if not fs:
        raise ValueError(f"no named family has {min_n} <= n <= {max_n}")
    return st.sampled_from(fs)


def rhos(min_value: float = -1.0, max_value: float = 1.0) -> st.SearchStrategy[float]:
    """ρ in [min_value, max_value]; 0, ±½, ±1 (those inside the range) come first."""
    if not -1.0 <= min_value <= max_value <= 1.0:
        raise ValueError(f"min_value={min_value}, max_value={max_value} must satisfy -1 <= min <= max <= 1")
    special = [v for v in (0.0, 0.5, -0.5, 1.0, -1.0) if min_value <= v <= max_value]
    floats = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(special), floats) if special else floats


def _table(n: int) -> st.SearchStrategy[bs.BooleanFunction]:
    if n <= 4:
        size = 1 << n
        return st.integers(0, (1 << size) - 1).map(
            lambda v: bs.BooleanFunction.from_bits(np.array([(v >> x) & 1 for x in range(size)], dtype=np.uint8),
                                                   name=f"hex {v:0{max(1, size // 4)}x} (n={n})"))

    def build(args):
        seed, p = args
        f = bs.random_function(n, seed=seed, p=p)
        return _named(f, f"RAND_{n}(seed={seed}, p={p})")

    return st.tuples(st.integers(0, 2**32 - 1), st.sampled_from([0.5, 0.25, 0.1, 0.02, 0.75])).map(build)


def _junta(n: int) -> st.SearchStrategy[bs.BooleanFunction]:
    def build(args):
        k, value, coords = args
        k = min(k, n)
        coords = list(coords)[:k]
        idx = np.arange(1 << n)
        sub = np.zeros(1 << n, dtype=np.int64)
        for j, c in enumerate(coords):
            sub |= ((idx >> c) & 1) << j
        bits = ((value >> sub) & 1).astype(np.uint8)
        return bs.BooleanFunction.from_bits(bits, name=f"JUNTA(hex {value:0{max(1, (1 << k) // 4)}x} on {coords}, n={n})")

    return st.integers(1, min(4, n)).flatmap(
        lambda k: st.tuples(st.just(k), st.integers(0, (1 << (1 << k)) - 1), st.permutations(range(n)))).map(build)


def _ltf(n: int) -> st.SearchStrategy[bs.BooleanFunction]:
    def build(args):
        w, theta = args
        f = bs.threshold(w, theta + 0.5)  # half-integer threshold: no ties with integer weights
        return _named(f, f"LTF(w={list(w)}, θ={theta + 0.5})")

    return st.tuples(st.lists(st.integers(-5, 5), min_size=n, max_size=n),
                     st.integers(-n * 5, n * 5)).map(build)


def _permute(f: bs.BooleanFunction, perm: list[int]) -> bs.BooleanFunction:
    n = f.n
    idx = np.arange(1 << n)
    src = np.zeros(1 << n, dtype=np.int64)
    for i, p in enumerate(perm):
        src |= ((idx >> i) & 1) << p
    return bs.BooleanFunction.from_signs(f.signs[src], name=f"{f.name}∘π{list(perm)}")


def _base(n: int, max_fam: int) -> st.SearchStrategy[bs.BooleanFunction]:
    parts = [_table(n), _junta(n), _ltf(n)]
    fam = named_functions(n, n)
    if fam and n <= max_fam:
        parts.append(st.sampled_from(fam))
    return st.one_of(*parts)


def _combine(n: int, max_fam: int) -> st.SearchStrategy[bs.BooleanFunction]:
    base = _base(n, max_fam)

    def build(args):
        op, a, b, perm = args
        if op == "xor":
            g = bs.BooleanFunction.from_signs(a.signs * b.signs, name=f"({a.name} ⊕ {b.name})")
        elif op == "and":
            g = bs.BooleanFunction.from_signs(np.where((a.signs < 0) & (b.signs < 0), -1, 1).astype(np.int8),
                                              name=f"({a.name} ∧ {b.name})")
        elif op == "neg":
            g = bs.BooleanFunction.from_signs(-a.signs, name=f"¬{a.name}")
        else:
            g = _permute(a, perm)
        return g

    return st.tuples(st.sampled_from(["xor", "and", "neg", "perm"]), base, base,
                     st.permutations(range(n))).map(build)


def boolean_functions(min_n: int = 1, max_n: int = 6) -> st.SearchStrategy[bs.BooleanFunction]:
    """A Boolean function on n ∈ [min_n, max_n] variables (see the module docstring).

    Shrinks toward small n and simple tables. ``max_n`` up to 20 is fine (tables are built with
    numpy); the composite functions are limited to n ≤ 16 to keep examples cheap.
    """
    if not 1 <= min_n <= max_n <= 24:
        raise ValueError(f"min_n={min_n}, max_n={max_n} must satisfy 1 <= min_n <= max_n <= 24")

    def for_n(n: int) -> st.SearchStrategy[bs.BooleanFunction]:
        if n > 16:
            return st.one_of(_table(n), _ltf(n), st.sampled_from(named_functions(n, n)))
        return st.one_of(_base(n, 16), _combine(n, 16))

    return st.integers(min_n, max_n).flatmap(for_n)
