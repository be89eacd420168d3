r"""Compiled kernels (numba) for the transform and the spectrum (layer 0: callers validate
shapes and dtypes first). Conventions: see :mod:`boolsens`.

The Walsh–Hadamard transform is cache-blocked and written with explicit SIMD vectors (LLVM
vector IR emitted by two numba intrinsics, so the code does not depend on what the
auto-vectoriser decides; LLVM lowers the 8-lane vectors to whatever the CPU has: AVX-512,
AVX2, SSE2 or NEON):

1. :func:`_wht64` does levels 0-5 of one group of 64 entries in registers: eight vectors of 8
   lanes, levels 0-2 inside each vector (a lane shuffle, an add, a subtract and a blend per
   level), levels 3-5 across the eight vectors. It reads the source and writes the result, so
   the copy of the allocating call and the dtype conversion (int8 -> int64) are fused into it;
2. each contiguous block of 2**L entries (1 MiB, L2-resident) gets its levels 6 … L-1: in
   16 KiB (L1) pieces as radix-8 butterflies on runs of 8-lane vectors (:func:`_runs`), then
   the levels above the piece over the whole block;
3. the remaining levels L … n-1 go in one or more passes over tiles of 2**g rows (row stride
   2**lo) times c >= 4 KiB contiguous columns (about 2 MiB), again radix-8.

So a transform streams over memory about 1 + ceil((n - L) / g) times instead of n times.

Every butterfly is ``(a + b, a - b)`` and every entry goes through the levels 0, 1, …, n-1 in
increasing order, as in the textbook level-by-level loop: float results are bit-for-bit those
of that loop (no reassociation), not only close to them. Integer rows are exact as long as
the caller has checked the range (``max|a| * 2**n``).

The Boolean-only measures (influences, sensitivity) do not need the transform: they live in
:mod:`boolsens._kernels.bitpacked`.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import types
from numba.core.errors import TypingError
from numba.extending import intrinsic

from .bits import popcount as _popcount

#: log2 of the bytes of an L1-resident piece, of a first-pass block (kept in L2) and of a
#: later-pass tile (16 KiB pieces and 1 MiB blocks were the fastest of 8-32 KiB and 256 KiB-2 MiB
#: at n = 16, 20, 24 on an AMD EPYC with 32 KiB L1d and 1 MiB L2 per core)
_L1_BYTES_LOG2 = 14
_BLOCK_BYTES_LOG2 = 20
_TILE_BYTES_LOG2 = 21
#: log2 of the fewest contiguous bytes per tile row (4 KiB: long runs for the prefetcher; at
#: n = 26 two passes of such tiles beat one pass of 512-byte runs by 1.6x here)
_MIN_COLS_BYTES_LOG2 = 12
#: lanes of the SIMD vectors: runs and groups are multiples of it
_LANES = 8
_I32 = ir.IntType(32)


def _butterflies_ir(add, sub, a: list) -> list:
    """The radix-len(a) WHT (len 2, 4 or 8) of the values a, levels in increasing order, each
    butterfly ``(a + b, a - b)``."""
    h = 1
    while h < len(a):
        b = list(a)
        for j in range(len(a)):
            if not j & h:
                b[j] = add(a[j], a[j + h])
                b[j + h] = sub(a[j], a[j + h])
        a = b
        h *= 2
    return a


def _ops(builder, dtype):
    if isinstance(dtype, types.Float):
        return builder.fadd, builder.fsub
    return builder.add, builder.sub


def _row_type(arr, what: str) -> None:
    if not (isinstance(arr, types.Array) and arr.ndim == 1 and arr.layout == "C"):
        raise TypingError(f"{what} needs a 1-d C-contiguous array, got {arr}")


def _pointer(context, builder, arrty, arr, off, offty, vec):
    data = context.make_array(arrty)(context, builder, arr).data
    index = context.cast(builder, off, offty, types.intp)
    return builder.bitcast(builder.gep(data, [index]), vec.as_pointer())


@intrinsic
def _wht64(typingctx, src, soff, dst, doff):
    """dst[doff : doff+64] = levels 0-5 of the WHT of src[soff : soff+64], the entries first
    converted to dst's dtype (same dtype, or a signed integer widened)."""
    _row_type(src, "_wht64")
    _row_type(dst, "_wht64")
    st, dt = src.dtype, dst.dtype
    widen = (isinstance(st, types.Integer) and isinstance(dt, types.Integer) and st.signed
             and dt.signed and st.bitwidth < dt.bitwidth)
    if st != dt and not widen:
        raise TypingError(f"_wht64 cannot convert {st} to {dt}")

    def codegen(context, builder, signature, args):
        s_elt, d_elt = context.get_data_type(st), context.get_data_type(dt)
        s_vec, d_vec = ir.VectorType(s_elt, _LANES), ir.VectorType(d_elt, _LANES)
        sp = _pointer(context, builder, signature.args[0], args[0], args[1], signature.args[1], s_vec)
        dp = _pointer(context, builder, signature.args[2], args[2], args[3], signature.args[3], d_vec)
        add, sub = _ops(builder, dt)
        i64 = ir.IntType(64)
        vecs = []
        for t in range(_LANES):
            x = builder.load(builder.gep(sp, [ir.Constant(i64, t)]), align=context.get_abi_sizeof(s_elt))
            if widen:
                x = builder.sext(x, d_vec)
            # levels 0, 1, 2 inside the vector: the partner of lane j is lane j ^ h; a lane with
            # bit h clear takes x[j] + x[j ^ h], the other x[j ^ h] - x[j] (the butterfly's
            # a + b and a - b, in that operand order)
            for h in (1, 2, 4):
                partner = builder.shuffle_vector(x, x, ir.Constant(
                    ir.VectorType(_I32, _LANES), [j ^ h for j in range(_LANES)]))
                plus, minus = add(x, partner), sub(partner, x)
                x = builder.shuffle_vector(plus, minus, ir.Constant(
                    ir.VectorType(_I32, _LANES), [j + _LANES if j & h else j for j in range(_LANES)]))
            vecs.append(x)
        for t, v in enumerate(_butterflies_ir(add, sub, vecs)):  # levels 3, 4, 5 across vectors
            builder.store(v, builder.gep(dp, [ir.Constant(i64, t)]), align=context.get_abi_sizeof(d_elt))
        return context.get_dummy_value()

    return types.void(src, soff, dst, doff), codegen


@intrinsic
def _runs(typingctx, x, o, h, radix):
    """One radix-``radix`` step (2, 4 or 8: that many levels) on the vectors at
    x[o + k*h : o + k*h + 8], k = 0 … radix-1: the butterflies between entries h apart."""
    _row_type(x, "_runs")
    if not isinstance(radix, types.IntegerLiteral) or radix.literal_value not in (2, 4, 8):
        raise TypingError(f"_runs needs a literal radix 2, 4 or 8, got {radix}")
    r = radix.literal_value

    def codegen(context, builder, signature, args):
        elt = context.get_data_type(x.dtype)
        vec = ir.VectorType(elt, _LANES)
        align = context.get_abi_sizeof(elt)
        step = context.cast(builder, args[2], signature.args[2], types.intp)
        ptr = _pointer(context, builder, signature.args[0], args[0], args[1], signature.args[1], elt)
        ptrs = []
        for k in range(r):
            ptrs.append(builder.bitcast(ptr, vec.as_pointer()))
            ptr = builder.gep(ptr, [step])
        vals = _butterflies_ir(*_ops(builder, x.dtype), [builder.load(p, align=align) for p in ptrs])
        for p, v in zip(ptrs, vals):
            builder.store(v, p, align=align)
        return context.get_dummy_value()

    return types.void(x, o, h, radix), codegen


@nb.njit(cache=True, nogil=True, boundscheck=False, inline="always")
def _step(x, o, h, c, radix):
    """A radix step on the ``radix`` runs x[o + k*h : o + k*h + c] (c a multiple of 8)."""
    for j in range(0, c, _LANES):
        _runs(x, o + j, h, radix)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _tile(x, s, R, c, stride):
    """All levels of the R-point WHT (R = 2**g) along the rows of a tile: row r is the run
    x[s + r*stride : s + r*stride + c]. Radix-8, then one radix-4 or radix-2 step."""
    h = 1
    while 8 * h <= R:
        hs = h * stride
        for g in range(0, R, 8 * h):
            for r in range(g, g + h):
                _step(x, s + r * stride, hs, c, 8)
        h *= 8
    if 4 * h <= R:
        for r in range(0, h):
            _step(x, s + r * stride, h * stride, c, 4)
    elif h < R:
        for r in range(0, h):
            _step(x, s + r * stride, h * stride, c, 2)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _contiguous_levels(x, s, M, h0):
    """Levels log2(h0) … log2(M)-1 of x[s : s+M] on contiguous runs of length h (radix-8, then
    one radix-4 or radix-2 step); h0 >= 8."""
    h = h0
    while 8 * h <= M:
        for g in range(s, s + M, 8 * h):
            _step(x, g, h, h, 8)
        h *= 8
    if 4 * h <= M:
        for g in range(s, s + M, 4 * h):
            _step(x, g, h, h, 4)
    elif h < M:
        _step(x, s, h, h, 2)


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _fwht_small(x):
    N = x.shape[0]
    h = 1
    while h < N:
        for st in range(0, N, 2 * h):
            for j in range(st, st + h):
                a = x[j]
                b = x[j + h]
                x[j] = a + b
                x[j + h] = a - b
        h *= 2


@nb.njit(cache=True, nogil=True, boundscheck=False)
def _fwht_row(src, x, l1_log2, block_log2, tile_log2, min_cols_log2):
    """x = WHT(src) (x may be src itself). Lengths are equal powers of two."""
    N = x.shape[0]
    n = 0
    while (1 << n) < N:
        n += 1
    if n < 6:
        for i in range(N):
            x[i] = src[i]
        _fwht_small(x)
        return
    L = min(n, max(6, block_log2))
    M = 1 << L
    S = min(M, 1 << max(6, l1_log2))
    for s in range(0, N, M):
        for t in range(s, s + M, S):  # levels 0 .. log2(S)-1 in L1-sized pieces
            for g in range(t, t + S, 64):
                _wht64(src, g, x, g)
            _contiguous_levels(x, t, S, 64)
        _contiguous_levels(x, s, M, S)  # levels log2(S) .. L-1 over the L2-sized block
    lo = L
    gmax = max(2, tile_log2 - min_cols_log2)
    while lo < n:
        rest = n - lo
        npass = (rest + gmax - 1) // gmax
        g = (rest + npass - 1) // npass  # balanced passes
        stride = 1 << lo
        R = 1 << g
        # at least one vector of columns; stride >= 64 is a multiple of it
        c = min(stride, max(_LANES, 1 << min_cols_log2, (1 << tile_log2) >> g))
        for outer in range(0, N, R * stride):
            for j0 in range(0, stride, c):
                _tile(x, outer + j0, R, c, stride)
        lo += g


@nb.njit(cache=True, nogil=True)
def _fwht_rows(src, dst, l1_log2, block_log2, tile_log2, min_cols_log2):
    for r in range(dst.shape[0]):
        _fwht_row(src[r], dst[r], l1_log2, block_log2, tile_log2, min_cols_log2)


def _params(itemsize: int) -> tuple[int, int, int, int]:
    shift = int(itemsize).bit_length() - 1
    return (_L1_BYTES_LOG2 - shift, _BLOCK_BYTES_LOG2 - shift, _TILE_BYTES_LOG2 - shift,
            _MIN_COLS_BYTES_LOG2 - shift)


def fwht_into(src: np.ndarray, dst: np.ndarray) -> None:
    """dst = unnormalised WHT of each row of src; both C-contiguous (batch, 2**n).

    src may have a narrower signed integer dtype than dst (int8 -> int64): the widening is
    fused into the first pass. ``dst`` may be ``src`` (in place)."""
    _fwht_rows(src, dst, *_params(dst.itemsize))


def fwht_inplace(a: np.ndarray) -> None:
    """In-place unnormalised WHT of each row of a C-contiguous (batch, 2**n) array."""
    _fwht_rows(a, a, *_params(a.itemsize))


# ------------------------------------------------------------------------- spectrum sums
@nb.njit(cache=True, nogil=True, boundscheck=False)
def level_sums(w, n):
    """(B, n+1) sums of w[b, S]**2 grouped by |S|, in int64 for int64 w (the caller checks that
    they fit) and float64 for float64 w."""
    B, N = w.shape
    out = np.zeros((B, n + 1), dtype=w.dtype)
    for b in range(B):
        row = w[b]
        acc = out[b]
        for S in range(N):
            v = row[S]
            acc[_popcount(np.uint64(S))] += v * v
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def level_sums_wide(w, n):
    """:func:`level_sums` of a float32 w, each square and the sums in float64 (no overflow, no
    float32 rounding of the sums)."""
    B, N = w.shape
    out = np.zeros((B, n + 1), dtype=np.float64)
    for b in range(B):
        row = w[b]
        acc = out[b]
        for S in range(N):
            v = np.float64(row[S])
            acc[_popcount(np.uint64(S))] += v * v
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def max_level_above(w, tol, rel):
    """(B,) int64: max |S| with w[b, S] nonzero (0 if none), w = 2**n f-hat.

    ``tol < 0``: exact test ``w != 0`` (integer transforms). Otherwise |f-hat(S)| > t with
    t = tol, or when ``rel`` t = tol * max(1, max_S |f-hat(S)|) of the same row (so a row's
    degree does not depend on the other rows of a batch)."""
    B, N = w.shape
    out = np.zeros(B, dtype=np.int64)
    for b in range(B):
        row = w[b]
        if tol < 0:
            thresh = 0.0
        else:
            t = tol
            if rel:
                m = 0.0
                for S in range(N):
                    a = abs(row[S])
                    if a > m:
                        m = a
                t = tol * max(1.0, m / N)
            thresh = t * N
        best = 0
        for S in range(N):
            v = row[S]
            if v > thresh or v < -thresh:
                k = _popcount(np.uint64(S))
                if k > best:
                    best = k
        out[b] = best
    return out


@nb.njit(cache=True, nogil=True, boundscheck=False)
def max_abs(w):
    """(B,) max_S |w[b, S]| of an int64 (B, N) spectrum in one read-only pass (no |w| array);
    the caller ensures -w[b, S] fits (|W| <= 2**n for a ±1 table)."""
    B, N = w.shape
    out = np.zeros(B, dtype=np.int64)
    for b in range(B):
        row = w[b]
        hi = np.int64(0)
        lo = np.int64(0)
        for S in range(N):
            v = row[S]
            hi = max(hi, v)
            lo = min(lo, v)
        out[b] = max(hi, -lo)
    return out
