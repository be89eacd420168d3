"""Fast kernels (boolsens._kernels.walsh, boolsens._kernels.bitpacked) against straightforward numpy references.

Every kernel is compared on seeded random tables for n = 0 … 14, single rows and batches; n < 6
(a table shorter than one 64-bit word) is included everywhere. The blocked transform and the
chunked influence count are also run with tiny block/tile/chunk sizes so that their multi-pass
code runs at small n. Integer results must agree exactly; float64 to rounding; float32 within
the stated bound 2·n·2⁻²⁴·‖a‖₁ per entry (each of the n levels adds at most one rounding of a
partial sum bounded by ‖a‖₁) against the exact transform, and both float dtypes bit for bit
against the level-by-level loop (:func:`levelwise_fwht`), whose additions the blocked kernel
does in the same order.
"""

from __future__ import annotations

import numpy as np
import pytest

import boolsens as bs
from boolsens._kernels import bitpacked as _bitpacked
from boolsens._kernels import walsh as _kernels
from boolsens._kernels import bits as _bits

NS = list(range(0, 15))


# ----------------------------------------------------------------------------- references
def ref_popcounts(n):
    idx = np.arange(1 << n)
    return np.array([bin(int(x)).count("1") for x in idx], dtype=np.int64)


def ref_fwht(a):
    """Σ_x a(x) (-1)^{|S ∩ x|} for each S (definition) for small n, numpy butterfly above."""
    a = np.asarray(a)
    N = a.shape[-1]
    n = N.bit_length() - 1
    if n <= 9:
        idx = np.arange(N)
        pc = np.array([[bin(int(s & x)).count("1") for x in idx] for s in idx])
        H = np.where(pc % 2 == 0, 1, -1).astype(a.dtype)
        return a @ H.T
    return levelwise_fwht(a)


def levelwise_fwht(a):
    """The textbook O(n 2**n) loop in numpy: levels 0, 1, …, n-1 in order, each butterfly
    (a + b, a - b). Float results of the blocked kernel must equal it bit for bit."""
    a = np.asarray(a)
    N = a.shape[-1]
    x = a.reshape(-1, N).copy()
    h = 1
    while h < N:
        v = x.reshape(x.shape[0], -1, 2, h)
        x = np.stack((v[:, :, 0] + v[:, :, 1], v[:, :, 0] - v[:, :, 1]), axis=2).reshape(x.shape)
        h *= 2
    return x.reshape(a.shape)


def ref_influence_counts(s, n):
    idx = np.arange(1 << n)
    out = np.zeros((s.shape[0], n), dtype=np.int64)
    for i in range(n):
        low = idx[(idx >> i) & 1 == 0]
        out[:, i] = (s[:, low] != s[:, low | (1 << i)]).sum(axis=1)
    return out


def ref_pointwise(s, n):
    idx = np.arange(1 << n)
    out = np.zeros(s.shape, dtype=np.int64)
    for i in range(n):
        out += s != s[:, idx ^ (1 << i)]
    return out


def random_signs(rng, shape):
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=shape)


@pytest.fixture
def rng(request):
    # a fixed seed per test id: reproducible, and different tests see different tables
    return np.random.default_rng([ord(c) for c in request.node.name])


# ------------------------------------------------------------------------------- packing
@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float64, np.float32])
def test_pack_matches_definition(n, dtype, rng):
    s = random_signs(rng, (3, 1 << n)).astype(dtype)
    w = _bitpacked.pack_pm1(s, n)
    assert w.dtype == np.uint64 and w.shape == (3, max(1, (1 << n) // 64))
    for b in range(3):
        for x in range(1 << n):
            assert (int(w[b, x // 64]) >> (x % 64)) & 1 == (s[b, x] == -1)
        if n < 6:  # padding bits above 2**n are zero
            assert int(w[b, 0]) >> (1 << n) == 0
    assert np.array_equal(_bitpacked.unpack_signs(w, n), s.astype(np.int8))


@pytest.mark.parametrize("bad", [0, 2, -2, 127, -128])
@pytest.mark.parametrize("n", [0, 3, 6, 9])
def test_pack_rejects_non_pm1(n, bad, rng):
    s = random_signs(rng, (2, 1 << n))
    s[1, rng.integers(1 << n)] = bad
    assert _bitpacked.pack_pm1(s, n) is None
    assert _bitpacked.pack_pm1(s.astype(np.float64), n) is None


# ---------------------------------------------------------------------- influence counts
@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("batch", [1, 4])
def test_influence_counts(n, batch, rng):
    s = random_signs(rng, (batch, 1 << n))
    w = _bitpacked.pack_pm1(s, n)
    assert np.array_equal(_bitpacked.influence_counts(w, n), ref_influence_counts(s, n))


@pytest.mark.parametrize("chunk_bits", [0, 1, 2, 3])
@pytest.mark.parametrize("n", [6, 7, 9, 12, 14])
def test_influence_counts_chunked(n, chunk_bits, rng):
    """Small chunks: coordinates above 6 + chunk_bits take the two-stream path."""
    s = random_signs(rng, (2, 1 << n))
    w = _bitpacked.pack_pm1(s, n)
    out = np.zeros((2, n), dtype=np.int64)
    _bitpacked._influence_rows(w, n, _bits.LOW_MASKS, chunk_bits, out)
    assert np.array_equal(out, ref_influence_counts(s, n))


# --------------------------------------------------------------------------- sensitivity
@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("batch", [1, 3])
def test_sensitivity_kernels(n, batch, rng):
    s = random_signs(rng, (batch, 1 << n))
    w = _bitpacked.pack_pm1(s, n)
    ref = ref_pointwise(s, n)
    got = _bitpacked.pointwise_sensitivity(w, n)
    assert got.dtype == np.uint8 and got.shape == s.shape
    assert np.array_equal(got, ref)
    mx, tot = _bitpacked.sensitivity_stats(w, n)
    assert np.array_equal(mx, ref.max(axis=1))
    assert np.array_equal(tot, ref.sum(axis=1))


@pytest.mark.parametrize("chunk_bits", [0, 1, 2, 3])
@pytest.mark.parametrize("n", [6, 7, 8, 10, 13])
def test_sensitivity_kernels_chunked(n, chunk_bits, rng):
    """Small chunks: coordinates inside and across chunks both occur at small n."""
    s = random_signs(rng, (2, 1 << n))
    w = _bitpacked.pack_pm1(s, n)
    ref = ref_pointwise(s, n)
    mx = np.zeros(2, dtype=np.int64)
    tot = np.zeros(2, dtype=np.int64)
    _bitpacked._sensitivity_rows(w, n, _bits.LOW_MASKS, chunk_bits, mx, tot)
    assert np.array_equal(mx, ref.max(axis=1)) and np.array_equal(tot, ref.sum(axis=1))
    out = np.empty((2, 8 * w.shape[1]), dtype=np.uint64)
    _bitpacked._pointwise_rows(w, n, _bits.LOW_MASKS, _bits.SPREAD, chunk_bits, out)
    assert np.array_equal(out.view(np.uint8), ref)


@pytest.mark.parametrize("n", [1, 5, 6, 7, 12])
def test_sensitivity_extremes(n):
    """Parity (every edge sensitive: s = n everywhere) and constants (s = 0) hit the counter
    digits' extremes."""
    par = bs.parity(n).signs.reshape(1, -1)
    const = np.ones((1, 1 << n), dtype=np.int8)
    for table, value in ((par, n), (const, 0), (-const, 0)):
        w = _bitpacked.pack_pm1(table, n)
        assert np.all(_bitpacked.pointwise_sensitivity(w, n) == value)
        mx, tot = _bitpacked.sensitivity_stats(w, n)
        assert mx[0] == value and tot[0] == value << n


def test_sensitivity_single_sensitive_point_in_last_word():
    """The maximum sits at one point only (the indicator of x = 2**n - 1): the per-word maximum
    search must find it, and the other words must not contribute."""
    n = 13
    bits = np.zeros(1 << n, dtype=np.uint8)
    bits[-1] = 1
    s = bs.BooleanFunction.from_bits(bits).signs.reshape(1, -1)
    w = _bitpacked.pack_pm1(s, n)
    mx, tot = _bitpacked.sensitivity_stats(w, n)
    assert mx[0] == n and tot[0] == 2 * n


# ------------------------------------------------------------------------------ transform
FWHT_PARAMS = [  # (l1_log2, block_log2, tile_log2, min_cols_log2): tiny sizes force nested
    # pieces, several later passes and every radix-8/4/2 remainder at small n
    (3, 3, 4, 1), (3, 4, 6, 2), (4, 5, 7, 2), (3, 3, 5, 0), (4, 6, 8, 3), (5, 7, 9, 2), (6, 6, 10, 3),
]


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("params", FWHT_PARAMS + [None], ids=str)
def test_fwht_blocked_int64_exact(n, params, rng):
    a = rng.integers(-5, 6, size=(3, 1 << n)).astype(np.int64)
    out = np.empty_like(a)
    if params is None:
        _kernels.fwht_into(a, out)
    else:
        _kernels._fwht_rows(a, out, *params)
    assert np.array_equal(out, ref_fwht(a))


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("params", FWHT_PARAMS[:3])
def test_fwht_fused_widening_and_inplace(n, params, rng):
    s = random_signs(rng, (2, 1 << n))
    ref = ref_fwht(s.astype(np.int64))
    out = np.empty(s.shape, dtype=np.int64)
    _kernels._fwht_rows(s, out, *params)  # int8 -> int64 fused into the first pass
    assert np.array_equal(out, ref)
    inplace = s.astype(np.int64)
    _kernels._fwht_rows(inplace, inplace, *params)
    assert np.array_equal(inplace, ref)


@pytest.mark.parametrize("n", NS)
def test_fwht_float64_and_float32(n, rng):
    a = rng.standard_normal((2, 1 << n))
    exact = ref_fwht(a)
    got64 = bs.fwht(a)
    assert got64.dtype == np.float64
    np.testing.assert_allclose(got64, exact, rtol=0, atol=4 * max(n, 1) * 2.0**-52 * np.abs(a).sum())
    a32 = a.astype(np.float32)
    got32 = bs.fwht(a32)
    assert got32.dtype == np.float32
    bound = 2 * max(n, 1) * 2.0**-24 * np.abs(a32.astype(np.float64)).sum(axis=1, keepdims=True)
    assert np.all(np.abs(got32 - ref_fwht(a32.astype(np.float64))) <= bound)


@pytest.mark.parametrize("n", [0, 3, 6, 11, 14])
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.float32, np.float64]
                         # the rarer widths compile kernels of their own: the slow tier has them
                         + [pytest.param(d, marks=pytest.mark.slow) for d in (np.int16, np.int32, np.uint8)])
def test_fwht_int_vs_float_public(n, dtype, rng):
    """Every input dtype: the integer transform is exact and equals the float64 one."""
    a = rng.integers(0 if dtype == np.uint8 else -3, 4, size=(2, 3, 1 << n)).astype(dtype)
    got = bs.fwht(a)
    ref = ref_fwht(a.astype(np.float64))
    assert got.shape == a.shape
    if np.issubdtype(dtype, np.integer):
        assert got.dtype == (np.int32 if dtype == np.int32 else np.int64)
        assert np.array_equal(got, ref.astype(np.int64))
    else:
        assert np.array_equal(got.astype(np.float64), ref)  # small integers: exact in floats
    assert np.array_equal(bs.ifwht(got).astype(np.float64), a.astype(np.float64))


def test_fwht_noncontiguous_input(rng):
    a = rng.integers(-3, 4, size=(6, 1 << 8)).astype(np.int64)[::2, :]
    assert not a.flags.c_contiguous
    assert np.array_equal(bs.fwht(a), ref_fwht(np.ascontiguousarray(a)))


#: every n where the blocks change shape (n < 6: no 64-entry group; 6: one group; 11-12: an L1
#: piece; 16: a full first-pass block of float64) and n = 20 (later passes over tiles)
BOUNDARY_NS = list(range(0, 15)) + [16, 20]


@pytest.mark.parametrize("n", BOUNDARY_NS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fwht_float_bit_for_bit_levelwise(n, dtype, rng):
    """Random floats, batched over two leading axes: the blocked SIMD kernel does the same
    additions in the same order as the level-by-level loop, so the results are identical (not
    only close), and every row is transformed on its own."""
    shape = (2, 3, 1 << n) if n <= 14 else (2, 1 << n)
    a = rng.standard_normal(shape).astype(dtype)
    got = bs.fwht(a)
    assert got.dtype == dtype and got.shape == a.shape
    assert np.array_equal(got, levelwise_fwht(a))
    inplace = a.reshape(-1, 1 << n).copy()
    _kernels.fwht_inplace(inplace)
    assert np.array_equal(inplace.reshape(shape), got)


@pytest.mark.parametrize("n", BOUNDARY_NS)
def test_fwht_pm1_floats_exact(n, rng):
    """±1 tables: every partial sum is an integer below 2**n, exact in float64 (and in float32
    up to n = 24), so the float transforms equal the exact integer one."""
    s = random_signs(rng, (2, 1 << n))
    exact = bs.fwht(s)  # int8 in: int64 out, widening fused into the first pass
    assert exact.dtype == np.int64
    assert np.array_equal(exact, levelwise_fwht(s.astype(np.int64)))
    assert np.array_equal(bs.fwht(s.astype(np.float64)), exact.astype(np.float64))
    assert np.array_equal(bs.fwht(s.astype(np.float32)), exact.astype(np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_fwht_large_output_copy_path_same_result(dtype, rng, monkeypatch):
    """Outputs from fresh pages (large ones) are a copy transformed in place instead of the fused
    first pass: the same numbers (forced here at small n by lowering the threshold)."""
    from boolsens import transforms

    a = (rng.standard_normal((2, 3, 1 << 10)) * 8).astype(dtype)
    fused = bs.fwht(a)
    monkeypatch.setattr(transforms, "_FRESH_PAGES_BYTES", 0)
    copied = bs.fwht(a)
    assert copied.dtype == fused.dtype and np.array_equal(copied, fused)
    assert np.array_equal(copied, levelwise_fwht(a))
    for out in (fused, copied):  # both start on a cache line (no vector store straddles two)
        assert out.ctypes.data % transforms._ALIGN_BYTES == 0 and out.flags.c_contiguous


@pytest.mark.parametrize("n", [6, 7, 9, 12, 13])
@pytest.mark.parametrize("params", FWHT_PARAMS, ids=str)
def test_fwht_blocked_float64_bit_for_bit(n, params, rng):
    """Tiny pieces, blocks and tiles (several later passes, every radix remainder): still the
    level-by-level loop's floats exactly."""
    a = rng.standard_normal((2, 1 << n))
    out = np.empty_like(a)
    _kernels._fwht_rows(a, out, *params)
    assert np.array_equal(out, levelwise_fwht(a))


# ----------------------------------------------------------------------- spectrum sums
@pytest.mark.parametrize("n", NS)
def test_level_sums_and_degree(n, rng):
    s = random_signs(rng, (3, 1 << n))
    w = ref_fwht(s.astype(np.int64))
    pc = ref_popcounts(n)
    ref = np.stack([np.array([(row[pc == k].astype(object) ** 2).sum() for k in range(n + 1)],
                             dtype=np.int64) for row in w])
    assert np.array_equal(_kernels.level_sums(w, n), ref)
    np.testing.assert_allclose(_kernels.level_sums(w.astype(np.float64), n), ref, rtol=1e-15)
    deg = np.array([pc[row != 0].max(initial=0) for row in w])
    assert np.array_equal(_kernels.max_level_above(w, -1.0, False), deg)
    # float spectrum with tiny noise: the relative threshold ignores it
    noisy = w.astype(np.float64) + 1e-12 * rng.standard_normal(w.shape)
    assert np.array_equal(_kernels.max_level_above(noisy, 1e-9, True), deg)


def test_degree_threshold_is_per_row():
    w = np.array([[60.0, 0.0], [2.0**-24, 0.0]])  # second row: a tiny constant function
    assert _kernels.max_level_above(w[:, ::-1].copy(), 1e-9, True).tolist() == [1, 1]
    assert _kernels.max_level_above(w, 1e-9, True).tolist() == [0, 0]


# ----------------------------------------------------------------- public routes (exact)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 6, 7, 10, 13])
def test_public_measures_match_references(n, rng):
    s = random_signs(rng, (2, 3, 1 << n))
    flat = s.reshape(-1, 1 << n)
    counts = ref_influence_counts(flat, n)
    pw = ref_pointwise(flat, n)
    den = float(1 << max(n - 1, 0))
    assert np.array_equal(bs.influences(s), (counts / den).reshape(2, 3, n))
    assert np.array_equal(bs.total_influence(s), (counts.sum(1) / den).reshape(2, 3))
    assert np.array_equal(bs.average_sensitivity(s), (pw.sum(1) / float(1 << n)).reshape(2, 3))
    assert np.array_equal(bs.sensitivity(s), pw.max(1).reshape(2, 3))
    assert np.array_equal(bs.pointwise_sensitivity(s), pw.reshape(s.shape))
    w = ref_fwht(flat.astype(np.int64))
    pc = ref_popcounts(n)
    weights = np.stack([[(row[pc == k].astype(np.float64) ** 2).sum() for k in range(n + 1)] for row in w])
    assert np.array_equal(bs.fourier_weights(s), (weights / 4.0**n).reshape(2, 3, n + 1))
    f = bs.BooleanFunction.from_signs(flat[0])
    assert f.influences().tolist() == (counts[0] / den).tolist()
    assert f.sensitivity() == pw[0].max()


def test_float_pm1_tables_take_the_boolean_path(rng):
    s = random_signs(rng, (2, 1 << 9))
    assert np.array_equal(bs.influences(s.astype(np.float64)), bs.influences(s))
    assert np.array_equal(bs.sensitivity(s.astype(np.float32)), bs.sensitivity(s))


def test_real_table_influences_and_boolean_only_errors(rng):
    a = rng.standard_normal((2, 1 << 5))
    flat = a
    ref = np.stack([[((row - row[np.arange(32) ^ (1 << i)]) ** 2).mean() / 4 for i in range(5)] for row in flat])
    np.testing.assert_allclose(bs.influences(a), ref, rtol=1e-13)
    with pytest.raises(bs.BoolsensError, match="only \\+1 and -1"):
        bs.sensitivity(a)
    with pytest.raises(bs.BoolsensError, match="only \\+1 and -1"):
        bs.pointwise_sensitivity(np.array([1, 0, 1, -1], dtype=np.int8))
    with pytest.raises(bs.BoolsensError, match="only \\+1 and -1"):
        bs.average_sensitivity(np.array([1, 2, 1, -1]))


def test_memory_is_checked_before_packing(monkeypatch, rng):
    s = random_signs(rng, (1 << 12,))
    monkeypatch.setenv("BOOLSENS_MEMORY_LIMIT", "100")
    with pytest.raises(bs.BoolsensError, match=r"packed table for n=12 \(batch 1\) needs about 512 B"):
        bs.sensitivity(s)
    with pytest.raises(bs.BoolsensError, match="fwht on n=12"):
        bs.fwht(s)


# -------------------------------------------------------------------------- families
@pytest.mark.parametrize("n", [0, 1, 2, 3, 6, 10])
def test_random_function_bits_and_seed(n):
    f = bs.random_function(n, seed=7)
    assert f.signs.dtype == np.int8 and f.signs.shape == (1 << n,) and not f.signs.flags.writeable
    assert set(np.unique(f.signs)) <= {-1, 1}
    assert f == bs.random_function(n, seed=7)
    assert f == bs.random_function(n, rng=np.random.default_rng(7))
    # p = 1/2: entry x is bit x of the generator's byte stream (1 -> -1)
    raw = np.frombuffer(np.random.default_rng(7).bytes(max(1, (1 << n) // 8)), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")[: 1 << n]
    assert np.array_equal(f.signs, 1 - 2 * bits.astype(np.int8))


def test_random_function_biased_matches_uniform_draws():
    n = 11
    f = bs.random_function(n, seed=3, p=0.2)
    u = np.random.default_rng(3).random(1 << n)
    assert np.array_equal(f.signs == -1, u < 0.2)
    assert bs.random_function(4, seed=1, p=1.0).signs.tolist() == [-1] * 16
    assert bs.random_function(4, seed=1, p=0.0).signs.tolist() == [1] * 16


@pytest.mark.parametrize("n", range(1, 11))
def test_cheap_family_tables_match_definitions(n):
    """dictator / sparse_parity / majority are built in place (no 2**n index arrays)."""
    idx = np.arange(1 << n)
    for i in range(n):
        assert np.array_equal(bs.dictator(n, i=i).signs, 1 - 2 * ((idx >> i) & 1))
    S = [j for j in range(n) if j % 3 != 1]
    mask = sum(1 << j for j in S)
    chi = np.array([1 - 2 * (bin(int(x) & mask).count("1") % 2) for x in idx])
    assert np.array_equal(bs.sparse_parity(n, S).signs, chi)
    margin = np.array([n - 2 * bin(int(x)).count("1") for x in idx])
    for tie in ([None] if n % 2 else [1, -1]):
        f = bs.majority(n, tie=tie)
        ref = np.where(margin > 0, 1, -1)
        if tie is not None:
            ref[margin == 0] = tie
        assert np.array_equal(f.signs, ref)
        assert f.signs.dtype == np.int8 and not f.signs.flags.writeable


@pytest.mark.parametrize("w,s", [(1, 1), (1, 4), (2, 2), (3, 2), (2, 4), (4, 3)])
def test_tribes_matches_definition(w, s):
    n = w * s
    idx = np.arange(1 << n)
    full = (1 << w) - 1
    ref = np.zeros(1 << n, dtype=bool)
    for j in range(s):
        ref |= ((idx >> (j * w)) & full) == full
    assert np.array_equal(bs.tribes(w, s).signs, np.where(ref, -1, 1))


@pytest.mark.parametrize("m", [1, 2, 3, 5])
def test_inner_product_matches_definition(m):
    idx = np.arange(1 << (2 * m))
    low, high = idx & ((1 << m) - 1), idx >> m
    ref = np.array([1 - 2 * (bin(int(v)).count("1") % 2) for v in low & high])
    assert np.array_equal(bs.inner_product(m).signs, ref)


def test_threshold_chunked_matches_definition(monkeypatch):
    """Chunks of 16 points (forced) give the same table and the same first tie."""
    from boolsens import families

    w = [3.0, -1.0, 2.0, 0.5, 1.5, -2.5, 1.0]
    idx = np.arange(1 << len(w))
    sums = np.array([sum(wi * (1 - 2 * ((x >> i) & 1)) for i, wi in enumerate(w)) for x in idx])
    monkeypatch.setattr(families, "_DRAW_CHUNK", 16)
    assert np.array_equal(bs.threshold(w, 0.25).signs, np.where(sums - 0.25 > 0, 1, -1))
    theta = float(sums[77])  # a value some points reach exactly (sums are multiples of 1/2)
    first_tie = int(np.flatnonzero(sums == theta)[0])
    with pytest.raises(bs.BoolsensError, match=f"tie at x={first_tie} "):
        bs.threshold(w, theta)
    ref = np.where(sums - theta > 0, 1, -1)
    ref[sums == theta] = -1
    assert np.array_equal(bs.threshold(w, theta, tie=-1).signs, ref)


@pytest.mark.parametrize("n", [1, 4, 9, 12])
def test_threshold_margins_bitwise_equal_numpy_accumulation(n, rng):
    from boolsens._kernels.threshold import ltf_margins as _ltf_margins

    w = rng.standard_normal(n) * 1000.0
    theta = float(rng.standard_normal())
    idx = np.arange(1 << n)
    total = np.zeros(1 << n)
    for i in range(n):
        total += w[i] * (1.0 - 2.0 * ((idx >> i) & 1))
    out = np.empty(1 << n)
    _ltf_margins(w, theta, 0, out)
    assert np.array_equal(out, total - theta)


def test_large_allocations_are_checked_without_the_env_variable(monkeypatch):
    """Small transforms skip the /proc/meminfo read; large ones (>= 16 MiB) are still checked."""
    from boolsens._input import validation as _validation

    monkeypatch.delenv("BOOLSENS_MEMORY_LIMIT", raising=False)
    monkeypatch.setattr(_validation, "available_memory", lambda: 10**6)
    bs.fwht(np.ones(1 << 10))  # 8 KiB: not checked
    with pytest.raises(bs.BoolsensError, match="fwht on n=21 .*needs about 16.0 MiB"):
        bs.fwht(np.ones(1 << 21, dtype=np.int8))
