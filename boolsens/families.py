r"""Named families of Boolean functions (conventions: see :mod:`boolsens`; True = −1).

Each constructor returns a :class:`~boolsens.BooleanFunction`; ``x_i`` below is the ±1 value of
coordinate i (bit i of the index), and "bit" means ``(1 - x_i)/2``.

| constructor | n | value |
|---|---|---|
| ``parity(n)`` | n | Π x_i |
| ``majority(n)`` | n | sgn Σ x_i (n even needs ``tie``) |
| ``dictator(n, i=0)`` | n | x_i |
| ``conjunction(n)`` | n | −1 iff every x_i = −1 (AND of the bits) |
| ``disjunction(n)`` | n | −1 iff some x_i = −1 (OR) |
| ``tribes(w, s)`` | w·s | OR over s blocks (coordinates j·w … j·w+w−1) of the AND of the block |
| ``inner_product(m)`` | 2m | (−1)^{Σ_j bit_j · bit_{m+j}} |
| ``address(k)`` | k + 2**k | x_{k+a}, a = the address given by bits 0…k−1 (bit j has weight 2**j) |
| ``threshold(w, theta)`` | len(w) | sgn(Σ w_i x_i − θ) (ties need ``tie``) |
| ``sparse_parity(n, S)`` | n | Π_{i∈S} x_i |
| ``rubinstein(k)`` | k² | OR over k blocks of k bits of "exactly two ones, at 0-based positions 2j, 2j+1" |
| ``random_function(n, rng=)`` | n | independent uniform signs (``p`` = Pr[−1]) |
"""

from __future__ import annotations

import numbers
from typing import Any, Iterable

import numpy as np

from ._input.validation import (check_index, check_memory, check_n, check_positive_int, check_real, check_seed,
                                check_sign)
from .cube import popcounts
from .errors import BoolsensError
from .function import BooleanFunction, adopt_signs
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use
_threshold = _lazy_kernels("threshold", globals(), "_threshold")

__all__ = [
    "parity", "majority", "dictator", "conjunction", "disjunction", "tribes", "inner_product",
    "address", "threshold", "sparse_parity", "rubinstein", "random_function", "constant",
]

_MAX_FAMILY_N = 34


def _n(n: Any, *, minimum: int = 1) -> int:
    n = check_n(n, minimum=minimum, maximum=_MAX_FAMILY_N)
    check_memory(3 * (1 << n), what=f"a truth table on n={n} variables")
    return n


def _index(n: int) -> np.ndarray:
    dtype = np.uint32 if n <= 32 else np.uint64
    return np.arange(1 << n, dtype=dtype)


def _from_bits(bits: np.ndarray, name: str) -> BooleanFunction:
    """0/1 bits (a fresh uint8 array, consumed) -> the function, signs computed in place."""
    if bits.dtype != np.uint8 or not bits.flags.writeable or not bits.flags.c_contiguous:
        bits = np.array(bits, dtype=np.uint8, order="C")
    signs = bits.view(np.int8)
    signs *= -2  # bit 1 (True) -> -1, bit 0 -> +1
    signs += 1
    return adopt_signs(signs, name)


def constant(n: int, value: int = 1) -> BooleanFunction:
    """The constant function ``value`` (±1) on n variables.

    >>> constant(2, -1).signs.tolist()
    [-1, -1, -1, -1]
    """
    n = _n(n, minimum=0)
    value = check_sign(value, name="value")
    return adopt_signs(np.full(1 << n, value, dtype=np.int8), f"CONST{value:+d}_{n}")


def parity(n: int) -> BooleanFunction:
    """PARITY_n = Π x_i.

    >>> parity(2).signs.tolist()
    [1, -1, -1, 1]
    """
    n = _n(n)
    return _from_bits(popcounts(n) & 1, f"PAR_{n}")


def sparse_parity(n: int, S: Any) -> BooleanFunction:
    """χ_S = Π_{i∈S} x_i; ``S`` is an iterable of coordinates or an int bitmask.

    >>> sparse_parity(3, [0, 2]) == sparse_parity(3, 0b101)
    True
    >>> sparse_parity(3, [0, 2]).signs.tolist()
    [1, -1, 1, -1, -1, 1, -1, 1]
    """
    n = _n(n)
    if isinstance(S, (bool, np.bool_)):
        raise BoolsensError(f"S={S!r} must be an iterable of coordinates or an integer bitmask, not a bool")
    if isinstance(S, numbers.Integral):
        if not 0 <= int(S) < (1 << n):
            raise BoolsensError(f"S={S} as a bitmask must lie in [0, 2**{n})")
        coords = [i for i in range(n) if int(S) >> i & 1]
    else:
        if isinstance(S, (str, bytes)) or not hasattr(S, "__iter__"):
            raise BoolsensError(f"S={S!r} must be an iterable of coordinates or an integer bitmask")
        coords = [check_index(i, n, name="element of S") for i in S]
        if len(set(coords)) != len(coords):
            raise BoolsensError(f"S={list(S)} has repeated coordinates")
    bits = np.zeros(1 << n, dtype=np.uint8)
    for i in coords:
        _flip_where_bit(bits, i)
    return _from_bits(bits, f"CHI_{{{','.join(map(str, sorted(coords)))}}}")


def _flip_where_bit(bits: np.ndarray, i: int) -> None:
    """bits[x] ^= bit i of x, in place (no index array: 2**n bytes in all)."""
    bits.reshape(-1, 2, 1 << i)[:, 1, :] ^= 1


def dictator(n: int, i: int = 0) -> BooleanFunction:
    """x_i.

    >>> dictator(2, i=1).signs.tolist()
    [1, 1, -1, -1]
    """
    n = _n(n)
    i = check_index(i, n)
    bits = np.zeros(1 << n, dtype=np.uint8)
    _flip_where_bit(bits, i)
    return _from_bits(bits, f"DICT_{i}")


def conjunction(n: int) -> BooleanFunction:
    """AND_n: −1 (True) iff every coordinate is −1.

    >>> conjunction(2).signs.tolist()
    [1, 1, 1, -1]
    """
    n = _n(n)
    bits = np.zeros(1 << n, dtype=np.uint8)
    bits[-1] = 1
    return _from_bits(bits, f"AND_{n}")


def disjunction(n: int) -> BooleanFunction:
    """OR_n: −1 (True) iff some coordinate is −1.

    >>> disjunction(2).signs.tolist()
    [1, -1, -1, -1]
    """
    n = _n(n)
    bits = np.ones(1 << n, dtype=np.uint8)
    bits[0] = 0
    return _from_bits(bits, f"OR_{n}")


def threshold(weights: Iterable[float], theta: float = 0.0, *, tie: int | None = None) -> BooleanFunction:
    """Linear threshold function sgn(Σ w_i x_i − θ).

    A point with Σ w_i x_i = θ is a tie: it is an error unless ``tie`` (+1 or −1) says its value.

    >>> threshold([2, 1, 1, 1]).signs[:4].tolist()   # x3 = (-1, -1, +1, +1): 2·(-1) - 1 + 1 + 1 < 0
    [1, 1, 1, -1]
    """
    bad = f"weights={weights!r} must be a non-empty 1-D sequence of finite real numbers"
    if isinstance(weights, (str, bytes)):
        raise BoolsensError(bad)
    try:
        items = list(weights)
    except TypeError:
        raise BoolsensError(bad) from None
    if not items or any(isinstance(v, (bool, np.bool_, str, bytes)) for v in items):
        raise BoolsensError(bad)
    try:
        w = np.asarray(items, dtype=np.float64)
    except (TypeError, ValueError):
        raise BoolsensError(bad) from None
    if w.ndim != 1 or not np.all(np.isfinite(w)):
        raise BoolsensError(bad)
    theta = check_real(theta, name="theta")
    tie = check_sign(tie, name="tie", allow_none=True)
    n = _n(len(w))
    scale = max(1.0, float(np.abs(w).sum()), abs(theta))
    signs = np.empty(1 << n, dtype=np.int8)
    # chunks of _DRAW_CHUNK points keep the float temporaries small at n = 28-32; each point's
    # sum is accumulated in the same order as on the whole table
    for lo in range(0, 1 << n, _DRAW_CHUNK):
        hi = min(1 << n, lo + _DRAW_CHUNK)
        margin = np.empty(hi - lo, dtype=np.float64)
        _threshold.ltf_margins(w, float(theta), lo, margin)
        ties = np.abs(margin) <= 1e-12 * scale
        if tie is None and np.any(ties):
            x = lo + int(np.flatnonzero(ties)[0])
            raise BoolsensError(
                f"threshold has a tie at x={x} (sum w_i x_i = theta = {theta}); pass tie=+1 or tie=-1"
            )
        chunk = np.where(margin > 0, np.int8(1), np.int8(-1))
        if tie is not None:
            chunk[ties] = tie
        signs[lo:hi] = chunk
    return adopt_signs(signs, f"LTF_{n}")


def majority(n: int, *, tie: int | None = None) -> BooleanFunction:
    """MAJ_n = sgn Σ x_i; for even n a tie needs ``tie`` (+1 or −1).

    >>> majority(3).signs.tolist()
    [1, 1, 1, -1, 1, -1, -1, -1]
    """
    n = _n(n)
    tie = check_sign(tie, name="tie", allow_none=True)
    if n % 2 == 0 and tie is None:
        raise BoolsensError(f"majority(n={n}) has ties for even n; pass tie=+1 or tie=-1")
    ones = popcounts(n)  # number of −1 coordinates (uint8; Σ x_i = n − 2·ones)
    signs = np.where(ones < (n + 1) // 2, np.int8(1), np.int8(-1))  # Σ x_i > 0 ⟺ 2·ones < n
    if tie is not None:
        signs[2 * ones == n] = tie
    return adopt_signs(signs, f"MAJ_{n}")


def tribes(w: int, s: int) -> BooleanFunction:
    """TRIBES_{w,s}: OR of s disjoint ANDs of width w (n = w·s; tribe j is coordinates
    j·w … j·w+w−1).

    >>> f = tribes(2, 2)
    >>> f.n, f(0b0011), f(0b0101), f(0b1100)
    (4, -1, 1, -1)
    """
    w = check_positive_int(w, name="w")
    s = check_positive_int(s, name="s")
    n = _n(w * s)
    bits = np.zeros(1 << n, dtype=np.uint8)
    full = (1 << w) - 1
    for j in range(s):
        # x -> (higher bits, tribe j's w bits, lower bits): tribe j is all ones at index `full`
        bits.reshape(-1, 1 << w, 1 << (j * w))[:, full, :] = 1
    return _from_bits(bits, f"TRIBES_{w},{s}")


def inner_product(m: int) -> BooleanFunction:
    """IP_{2m}(x) = (−1)^{Σ_j bit_j·bit_{m+j}}, n = 2m.

    >>> inner_product(1).signs.tolist()   # bit_0 AND bit_1
    [1, 1, 1, -1]
    """
    m = check_positive_int(m, name="m")
    n = _n(2 * m)
    odd = popcounts(m) & 1  # parity of |S| for S < 2**m
    low = np.arange(1 << m)
    bits = np.empty((1 << m, 1 << m), dtype=np.uint8)  # row = the high m bits, column = the low
    for high in range(1 << m):
        bits[high] = odd[low & high]
    return _from_bits(bits.reshape(-1), f"IP_{n}")


def address(k: int) -> BooleanFunction:
    """IND_k (address / indexing): n = k + 2**k; returns the addressed data coordinate.

    >>> f = address(1)                     # n = 3: address bit 0, data bits 1 and 2
    >>> f(0b010), f(0b011), f(0b101)       # address 0 reads bit 1, address 1 reads bit 2
    (-1, 1, -1)
    """
    k = check_positive_int(k, name="k")
    n = _n(k + (1 << k))
    idx = _index(n)
    a = idx & idx.dtype.type((1 << k) - 1)
    bits = ((idx >> (a + idx.dtype.type(k))) & idx.dtype.type(1)).astype(np.uint8)
    return _from_bits(bits, f"IND_{k}")


def rubinstein(k: int) -> BooleanFunction:
    """Rubinstein's function on n = k² (k even): s = k, bs = C = k²/2.

    >>> f = rubinstein(2)                  # n = 4: blocks (0, 1) and (2, 3)
    >>> f(0b0011), f(0b0001), f(0b1100)
    (-1, 1, -1)
    """
    k = check_positive_int(k, name="k", minimum=2)
    if k % 2:
        raise BoolsensError(f"rubinstein(k={k}) needs an even k")
    n = _n(k * k)
    good = np.zeros(1 << k, dtype=np.uint8)
    for j in range(k // 2):
        good[(1 << (2 * j)) | (1 << (2 * j + 1))] = 1
    idx = _index(n)
    bits = np.zeros(1 << n, dtype=np.uint8)
    mask = idx.dtype.type((1 << k) - 1)
    for b in range(k):
        bits |= good[((idx >> idx.dtype.type(b * k)) & mask).astype(np.int64)]
    return _from_bits(bits, f"RUB_{k}")


#: entries drawn per step by random_function (bounds its temporaries to a few MiB)
_DRAW_CHUNK = 1 << 22


def random_function(n: int, *, rng: Any = None, seed: int | None = None, p: float = 0.5) -> BooleanFunction:
    """Independent signs with Pr[f(x) = −1] = p. Pass ``rng`` (a numpy Generator) or ``seed``.

    For p = 1/2 the table is made from 2**n random bits (2**n / 8 random bytes: about 1 s and
    4 GiB, the int8 table itself, at n = 32); for other p from one uniform double per point,
    drawn in chunks. The same seed gives the same function within one version of boolsens.

    >>> random_function(3, seed=0) == random_function(3, seed=0)
    True
    """
    n = _n(n, minimum=0)
    if rng is not None and seed is not None:
        raise BoolsensError("pass rng or seed, not both")
    seed = check_seed(seed)
    p = check_real(p, name="p", minimum=0.0, maximum=1.0)
    gen = rng if rng is not None else np.random.default_rng(seed)
    if not isinstance(gen, np.random.Generator):
        raise BoolsensError(f"rng={rng!r} must be a numpy.random.Generator")
    N = 1 << n
    signs = np.empty(N, dtype=np.int8)
    for lo in range(0, N, _DRAW_CHUNK):
        hi = min(N, lo + _DRAW_CHUNK)
        if p == 0.5 and hi - lo >= 8:
            raw = np.frombuffer(gen.bytes((hi - lo) // 8), dtype=np.uint8)
            _bitpacked.signs_from_random_bytes(raw, signs[lo:hi])
            continue
        if p == 0.5:  # n < 3: the low 2**n bits of one byte
            raw = np.frombuffer(gen.bytes(1), dtype=np.uint8)
            bits = np.unpackbits(raw, bitorder="little")[: hi - lo]
        else:
            bits = (gen.random(hi - lo) < p).view(np.uint8)
        chunk = signs[lo:hi]
        np.multiply(bits.view(np.int8), -2, out=chunk)  # bit 1 (True) -> -1, bit 0 -> +1
        chunk += 1
    return adopt_signs(signs, f"RAND_{n}")
