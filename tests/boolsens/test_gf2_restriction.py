"""anf, gf2_degree, restrict and derivative against brute force written from their definitions
(every function on n <= 3, seeded random ones at n = 6 and 8), closed forms and bad inputs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import boolsens as bs


# ------------------------------------------------------------------ oracles, from the definitions
def oracle_anf(signs) -> list[int]:
    """a_S = XOR over T ⊆ S of b(T), b = (1 - f) / 2, by enumerating the subsets T of each S."""
    N = len(signs)
    b = [(1 - int(v)) // 2 for v in signs]
    out = []
    for S in range(N):
        acc = 0
        for T in range(N):
            if T & S == T:
                acc ^= b[T]
        out.append(acc)
    return out


def oracle_gf2_degree(signs) -> int:
    return max([bin(S).count("1") for S, a in enumerate(oracle_anf(signs)) if a], default=0)


def oracle_restrict(signs, n: int, fixed: dict) -> list:
    """g(y) = f(x) with x_i = fixed[i] and the k-th free coordinate of x equal to y_k (signs)."""
    free = [j for j in range(n) if j not in fixed]
    out = []
    for y in range(1 << len(free)):
        coords = {i: c for i, c in fixed.items()}
        for k, j in enumerate(free):
            coords[j] = -1 if y >> k & 1 else 1
        x = sum(1 << j for j in range(n) if coords[j] == -1)
        out.append(signs[x])
    return out


def oracle_derivative(signs, n: int, i: int) -> list:
    free = [j for j in range(n) if j != i]
    out = []
    for y in range(1 << (n - 1)):
        x = sum(1 << j for k, j in enumerate(free) if y >> k & 1)
        out.append((signs[x] - signs[x | 1 << i]) / 2)  # bit i = 0 is x_i = +1
    return out


def all_tables(n: int) -> np.ndarray:
    """Every ±1 table on n variables, shape (2**2**n, 2**n), int8."""
    N = 1 << n
    k = np.arange(1 << N)[:, None]
    return (1 - 2 * ((k >> np.arange(N)) & 1)).astype(np.int8)


def random_tables(n: int, count: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.choice(np.array([-1, 1], dtype=np.int8), size=(count, 1 << n))


def cases():
    for n in range(4):
        yield f"all-n{n}", all_tables(n), n
    yield "random-n6", random_tables(6, 20, seed=6), 6
    yield "random-n8", random_tables(8, 5, seed=8), 8


CASES = list(cases())
IDS = [c[0] for c in CASES]


# ------------------------------------------------------------------------------------- anf
@pytest.mark.parametrize("label, tables, n", CASES, ids=IDS)
def test_anf_matches_oracle_batched_and_singly(label, tables, n):
    batch = bs.anf(tables)
    assert batch.dtype == np.uint8 and batch.shape == tables.shape
    expected = np.array([oracle_anf(row) for row in tables], dtype=np.uint8)
    np.testing.assert_array_equal(batch, expected)
    for row, exp in zip(tables[:8], expected[:8]):  # one function, and as a BooleanFunction
        np.testing.assert_array_equal(bs.anf(bs.BooleanFunction(row)), exp)
    degrees = bs.gf2_degree(tables)
    np.testing.assert_array_equal(degrees, [oracle_gf2_degree(row) for row in tables])


def test_anf_keeps_leading_axes():
    tables = random_tables(4, 6, seed=1).reshape(2, 3, 16)
    out = bs.anf(tables)
    assert out.shape == (2, 3, 16)
    np.testing.assert_array_equal(out[1, 2], bs.anf(tables[1, 2]))
    assert bs.gf2_degree(tables).shape == (2, 3)


def test_anf_is_an_involution_on_bits():
    # the Möbius transform over GF(2) is its own inverse: anf of (the signs of) anf gives b back
    tables = random_tables(6, 10, seed=3)
    coeffs = bs.anf(tables).astype(np.int8)
    np.testing.assert_array_equal(bs.anf(1 - 2 * coeffs), (tables < 0).astype(np.uint8))


@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_gf2_degree_closed_forms(n):
    assert bs.gf2_degree(bs.parity(n)) == 1
    and_n = bs.conjunction(n)
    assert and_n.signs[-1] == -1 and np.all(and_n.signs[:-1] == 1)  # True only at all-True
    expected = np.zeros(1 << n, dtype=np.uint8)
    expected[-1] = 1  # b = x_0 x_1 ... x_{n-1}: one monomial
    np.testing.assert_array_equal(bs.anf(and_n), expected)
    assert bs.gf2_degree(and_n) == n
    assert bs.gf2_degree(bs.dictator(n, i=n - 1)) == 1


@pytest.mark.parametrize("m", [1, 2, 3])
def test_gf2_degree_of_inner_product_is_two(m):
    assert bs.gf2_degree(bs.inner_product(m)) == 2


@pytest.mark.parametrize("n", [0, 1, 4])
def test_anf_of_constants(n):
    zero = np.zeros(1 << n, dtype=np.uint8)
    np.testing.assert_array_equal(bs.anf(bs.constant(n, 1)), zero)   # b = 0
    one = zero.copy()
    one[0] = 1
    np.testing.assert_array_equal(bs.anf(bs.constant(n, -1)), one)   # b = 1: the empty monomial
    assert bs.gf2_degree(bs.constant(n, 1)) == 0 and bs.gf2_degree(bs.constant(n, -1)) == 0


def test_gf2_degree_returns_python_int_for_one_function():
    assert type(bs.gf2_degree(bs.majority(3))) is int


# ------------------------------------------------------------------------------- restrict
def fixings(n: int):
    """Every partial assignment on n <= 3 variables."""
    for k in range(n + 1):
        for coords in itertools.combinations(range(n), k):
            for values in itertools.product((1, -1), repeat=k):
                yield dict(zip(coords, values))


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_restrict_matches_oracle_on_every_function(n):
    tables = all_tables(n)
    for fixed in fixings(n):
        batch = bs.restrict(tables, fixed)
        assert batch.shape == (len(tables), 1 << (n - len(fixed)))
        expected = np.array([oracle_restrict(row, n, fixed) for row in tables])
        np.testing.assert_array_equal(batch, expected)
        for row, exp in zip(tables[::17], expected[::17]):
            g = bs.restrict(bs.BooleanFunction(row), fixed)
            assert isinstance(g, bs.BooleanFunction) and g.n == n - len(fixed)
            np.testing.assert_array_equal(g.signs, exp)


@pytest.mark.parametrize("n, count, seed", [(6, 8, 60), (8, 3, 80)])
def test_restrict_matches_oracle_on_random_functions(n, count, seed):
    rng = np.random.default_rng(seed)
    tables = random_tables(n, count, seed)
    for _ in range(6):
        k = int(rng.integers(0, n + 1))
        coords = rng.choice(n, size=k, replace=False)
        fixed = {int(i): int(rng.choice([-1, 1])) for i in coords}
        expected = np.array([oracle_restrict(row, n, fixed) for row in tables])
        np.testing.assert_array_equal(bs.restrict(tables, fixed), expected)
        g = bs.restrict(tables[0], fixed)  # one ±1 array: a BooleanFunction
        assert isinstance(g, bs.BooleanFunction)
        np.testing.assert_array_equal(g.signs, expected[0])


def test_restrict_of_majority_is_and_or_or():
    # MAJ_3(+1, y0, y1) = -1 (True) iff y0 = y1 = -1: AND; fixing -1 (True) gives OR
    assert bs.restrict(bs.majority(3), {0: 1}) == bs.conjunction(2)
    assert bs.restrict(bs.majority(3), {0: -1}) == bs.disjunction(2)
    assert bs.restrict(bs.majority(3), {1: 1}) == bs.conjunction(2)


def test_restrict_real_table_and_empty_fixing():
    rng = np.random.default_rng(5)
    real = rng.normal(size=(3, 16))
    out = bs.restrict(real, {1: -1, 3: 1})
    assert out.dtype == real.dtype and out.shape == (3, 4)
    np.testing.assert_array_equal(out, [oracle_restrict(row, 4, {1: -1, 3: 1}) for row in real])
    f = bs.tribes(2, 2)
    assert bs.restrict(f, {}) == f


# ----------------------------------------------------------------------------- derivative
@pytest.mark.parametrize("label, tables, n", [c for c in CASES if c[2] > 0], ids=[c[0] for c in CASES if c[2] > 0])
def test_derivative_matches_oracle(label, tables, n):
    for i in range(n):
        out = bs.derivative(tables, i)
        assert out.dtype == np.int8 and out.shape == (len(tables), 1 << (n - 1))
        np.testing.assert_array_equal(out, [oracle_derivative(row, n, i) for row in tables])
        # E[D_i f^2] = Inf_i f
        np.testing.assert_allclose((out.astype(float) ** 2).mean(-1), bs.influences(tables)[:, i])


@pytest.mark.parametrize("n", [2, 3, 6])
def test_derivative_of_parity_is_parity_of_the_rest(n):
    rest = bs.parity(n - 1).signs
    for i in range(n):
        d = bs.derivative(bs.parity(n), i)
        # x_i PARITY_rest at x_i = +1 minus at x_i = -1, halved: exactly +PARITY of the rest
        assert d.dtype == np.int8
        np.testing.assert_array_equal(d, rest)


def test_derivative_of_real_table():
    real = np.random.default_rng(7).normal(size=(2, 8)).astype(np.float32)
    out = bs.derivative(real, 2)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, [oracle_derivative(row.astype(float), 3, 2) for row in real])


def test_torch_in_torch_out():
    torch = pytest.importorskip("torch")
    tables = random_tables(4, 3, seed=11)
    t = torch.from_numpy(tables.astype(np.float32))
    for got, want in [(bs.anf(t), bs.anf(tables)), (bs.gf2_degree(t), bs.gf2_degree(tables)),
                      (bs.restrict(t, {2: -1}), bs.restrict(tables, {2: -1})),
                      (bs.derivative(t, 1), bs.derivative(tables, 1))]:
        assert isinstance(got, torch.Tensor)
        np.testing.assert_array_equal(got.numpy(), want)


# ----------------------------------------------------------------------------- bad inputs
BAD = [
    ("anf-real", lambda: bs.anf(np.array([0.5, -1.0, 1.0, 1.0])), "only \\+1 and -1"),
    ("gf2_degree-real", lambda: bs.gf2_degree([[1.0, 2.0], [1.0, 1.0]]), "only \\+1 and -1"),
    ("anf-length", lambda: bs.anf([1, -1, 1]), "not a power of two"),
    ("restrict-index-high", lambda: bs.restrict(bs.majority(3), {3: 1}), "fixed=.*coordinate 3.*\\[0, 3\\)"),
    ("restrict-index-negative", lambda: bs.restrict(bs.majority(3), {-1: 1}), "fixed=.*coordinate -1"),
    ("restrict-index-str", lambda: bs.restrict(bs.majority(3), {"0": 1}), "fixed=.*coordinate '0'"),
    ("restrict-value-zero", lambda: bs.restrict(bs.majority(3), {0: 0}), "fixed=.*value 0.*\\+1 or -1"),
    ("restrict-value-bool", lambda: bs.restrict(bs.majority(3), {0: True}), "fixed=.*value True"),
    ("restrict-value-float", lambda: bs.restrict(bs.majority(3), {0: 0.5}), "fixed=.*value 0.5"),
    ("restrict-not-dict", lambda: bs.restrict(bs.majority(3), [(0, 1)]), "fixed=.*must be a dict"),
    ("derivative-index", lambda: bs.derivative(bs.majority(3), 3), "i=3 must lie in \\[0, 3\\)"),
    ("derivative-n0", lambda: bs.derivative(bs.constant(0), 0), "i=0 must lie in \\[0, 0\\)"),
]


@pytest.mark.parametrize("label, call, message", BAD, ids=[b[0] for b in BAD])
def test_bad_inputs(label, call, message):
    with pytest.raises(bs.BoolsensError, match=message):
        call()
