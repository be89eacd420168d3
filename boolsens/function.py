"""``BooleanFunction``: a small immutable value object over a read-only int8 sign table.

Conventions: see :mod:`boolsens`. The methods only call the functional core
(``boolsens.fourier``, ``boolsens.influence``, ...); real-valued tables (network outputs) use
those functions directly.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Callable

import numpy as np

from . import cryptographic as _cryptographic

from . import approximate_degree as _approximate_degree
from . import fourier as _fourier
from . import fractional as _fractional
from . import gf2 as _gf2
from . import linear_threshold as _linear_threshold
from . import structure as _structure
from . import influence as _influence
from . import noise as _noise
from . import multilinear as _multilinear
from . import erasure as _erasure
from . import sensitivity as _sensitivity
from . import spectral as _spectral
from ._input.table import Table, as_table
from ._input.validation import check_memory, check_n, check_positive_int, is_torch, log2_length
from .cube import cube_points, points_to_index
from .estimate.evaluator import Evaluator, check_outputs
from .errors import BoolsensError
from .progress import progress
from .torch_runtime import model_device
from .transforms import fwht
from ._kernels import lazy as _lazy_kernels

_bitpacked = _lazy_kernels("bitpacked", globals(), "_bitpacked")  # numba loads on first use

__all__ = ["BooleanFunction", "adopt_signs"]


class BooleanFunction:
    """A Boolean function {±1}^n -> {±1} given by its sign table.

    Build one with :meth:`from_signs`, :meth:`from_bits`, :meth:`from_callable`,
    :meth:`from_fourier` or :meth:`from_model`, or take one of the named families
    (``bs.majority(5)``, ...).

    >>> import boolsens as bs
    >>> f = bs.BooleanFunction.from_bits([0, 0, 0, 1])   # AND on 2 bits, True = -1
    >>> f.signs
    array([ 1,  1,  1, -1], dtype=int8)
    >>> f.n, f.total_influence()
    (2, 1.0)
    """

    __slots__ = ("_signs", "_n", "_cache", "_name", "_table")

    def __init__(self, signs: np.ndarray, *, name: str | None = None):
        t = as_table(signs, name="signs")
        t.require_pm1()
        arr = t.numpy()
        if arr.ndim != 1:
            raise BoolsensError(
                f"signs must be one table of shape (2**n,); got shape {arr.shape} "
                "(the measures accept batches directly as arrays)"
            )
        self._set(np.array(arr, dtype=np.int8, copy=True), t.n, name)

    def _set(self, table: np.ndarray, n: int, name: str | None) -> None:
        table.setflags(write=False)
        self._signs = table
        self._n = n
        self._cache: dict[str, Any] = {}
        self._name = name
        # the table protocol (see boolsens._input.table): the measures get the sign table with
        # this function's cache, validated once, here
        self._table = Table(table, n, name="f", cache=self._cache, pm1=True, torch=False)

    def __boolsens_table__(self) -> Table:
        return self._table

    # ----------------------------------------------------------------- constructors
    @classmethod
    def from_signs(cls, table: Any, *, name: str | None = None) -> "BooleanFunction":
        """From a (2**n,) table of ±1 in the index convention of :mod:`boolsens`."""
        return cls(table, name=name)

    @classmethod
    def from_bits(cls, bits: Any, *, name: str | None = None) -> "BooleanFunction":
        """From a (2**n,) table of 0/1 or False/True: 0/False -> +1, 1/True -> -1.

        A string of '0'/'1' characters is accepted too (first character = index 0).
        """
        if isinstance(bits, str):
            s = bits.strip()
            if not s or set(s) - {"0", "1"}:
                raise BoolsensError(f"bits={bits!r} must be a non-empty string of 0 and 1")
            arr = np.frombuffer(s.encode(), dtype=np.uint8) - ord("0")
        else:
            if is_torch(bits):
                bits = bits.detach().cpu().numpy()
            arr = np.asarray(bits)
            if arr.dtype == object or not (arr.dtype == bool or np.issubdtype(arr.dtype, np.number)):
                raise BoolsensError(f"bits must be 0/1 or False/True; got dtype {arr.dtype}")
            if arr.dtype != bool:
                bad = (arr != 0) & (arr != 1)
                if np.any(bad):
                    raise BoolsensError(
                        f"bits must contain only 0 and 1; found {arr[bad].ravel()[:3].tolist()}"
                    )
        if arr.ndim != 1:
            raise BoolsensError(f"bits must be one table of shape (2**n,); got shape {arr.shape}")
        signs = (1 - 2 * arr.astype(np.int8)).astype(np.int8)
        return adopt_signs(signs, name)

    @classmethod
    def from_hex(cls, text: str, n: int, *, name: str | None = None) -> "BooleanFunction":
        """From a hexadecimal truth table, most significant digit first (index 2**n - 1 first),
        as in Sage and the cryptographic literature; bit value 1 means True (-1). For n < 2 the
        single digit may only use the 2**n low bits (``from_hex("4", 1)`` is an error, not a
        silently dropped bit). The inverse is :meth:`to_hex`.

        >>> BooleanFunction.from_hex("e8", 3).signs.tolist()       # MAJ_3
        [1, 1, 1, -1, 1, -1, -1, -1]
        """
        n = check_n(n, maximum=24)
        if not isinstance(text, str):
            raise BoolsensError(f"text={text!r} must be a string of hex digits (e.g. 'e8' or '0xe8')")
        s = text.strip().lower().removeprefix("0x")
        needed = max(1, (1 << n) // 4)
        if len(s) != needed or set(s) - set("0123456789abcdef"):
            raise BoolsensError(
                f"hex table {text!r} must have exactly {needed} hex digits for n={n}"
            )
        value = int(s, 16)
        if value >> (1 << n):
            raise BoolsensError(
                f"hex table {text!r} sets bits beyond the 2**{n} = {1 << n} entries of a function on n={n} "
                f"variables (the largest value is {(1 << (1 << n)) - 1:x})"
            )
        bits = np.array([(value >> x) & 1 for x in range(1 << n)], dtype=np.uint8)
        return cls.from_bits(bits, name=name)

    @classmethod
    def from_callable(
        cls,
        n: int,
        fn: Callable[[np.ndarray], Any],
        *,
        batch_size: int = 1 << 16,
        name: str | None = None,
        show_progress: bool | None = None,
    ) -> "BooleanFunction":
        """Evaluate ``fn`` on the whole cube.

        ``fn`` receives an (N, n) int8 array of ±1 rows (row x is the point with index x) and must
        return N values, each +1 or -1 (numpy, list or torch; shape (N,) or (N, 1)).
        """
        n = check_n(n, maximum=32)
        batch_size = check_positive_int(batch_size, name="batch_size")
        N = 1 << n
        check_memory(N * (1 + 8), what=f"from_callable on n={n}")
        out = np.empty(N, dtype=np.int8)
        starts = range(0, N, batch_size)
        for lo in progress(starts, total=len(starts), desc=f"evaluating on 2**{n} points",
                           enabled=show_progress, min_total=64):
            hi = min(N, lo + batch_size)
            # the estimators' output check: shape (N,) or (N, 1), real, finite, ±1
            out[lo:hi] = check_outputs(fn(cube_points(n, lo, hi)), hi - lo, boolean=True, measure="from_callable")
        return adopt_signs(out, name)

    @classmethod
    def from_fourier(cls, coeffs: Any, *, atol: float = 1e-9, name: str | None = None) -> "BooleanFunction":
        """From Fourier coefficients f̂(S) indexed by bitmask S; the result must be ±1.

        Float coefficients may miss ±1 by at most ``atol``; ``Fraction`` coefficients are exact.
        """
        if is_torch(coeffs):
            coeffs = coeffs.detach().cpu().numpy()
        arr = np.asarray(coeffs)
        if arr.ndim != 1:
            raise BoolsensError(f"coeffs must have shape (2**n,); got shape {arr.shape}")
        if arr.dtype == object:
            n = log2_length(len(arr), name="coeffs")
            for i, c in enumerate(arr):
                if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, float, Fraction, np.integer, np.floating)):
                    raise BoolsensError(f"coeffs[{i}]={c!r} must be a number (int, float or Fraction)")
            scaled = [Fraction(c) * (1 << n) for c in arr]
            if any(c.denominator != 1 for c in scaled):
                raise BoolsensError(
                    "coeffs do not describe a Boolean function: some 2**n * f̂(S) is not an integer"
                )
            table = fwht(np.array([int(c) for c in scaled], dtype=np.int64))
            if np.any(table % (1 << n)):
                raise BoolsensError("coeffs do not describe a ±1 function (exact check)")
            vals = table >> n
            bad = (vals != 1) & (vals != -1)
            if np.any(bad):
                raise BoolsensError(
                    f"coeffs give values {vals[bad][:3].tolist()} at x={np.flatnonzero(bad)[:3].tolist()}; "
                    "a Boolean function takes only ±1"
                )
            return adopt_signs(vals.astype(np.int8), name)
        arr = as_table(arr, name="coeffs").numpy()
        vals = fwht(np.asarray(arr, dtype=np.float64))
        dev = np.abs(np.abs(vals) - 1.0)
        worst = float(dev.max())
        if worst > atol:
            x = int(dev.argmax())
            raise BoolsensError(
                f"coeffs give f(x={x}) = {float(vals[x])!r}, {worst:.3g} away from ±1 (atol={atol}); "
                "a Boolean function takes only ±1"
            )
        return adopt_signs(np.where(vals > 0, 1, -1).astype(np.int8), name)

    @classmethod
    def from_model(
        cls,
        model: Any,
        n: int,
        *,
        batch_size: int | None = None,
        device: Any = None,
        encode: Callable[[Any], Any] | None = None,
        readout: Callable[[Any], Any] | None = None,
        real: bool = False,
        show_progress: bool | None = None,
        name: str | None = None,
    ):
        """Evaluate a torch model on the whole cube {±1}^n (n <= 24) and take signs.

        Parameters
        ----------
        model : torch.nn.Module or callable on tensors
            Called as ``model(encode(x))`` on batches; evaluated under ``torch.no_grad`` in eval
            mode (its previous mode is restored).
        batch_size : int, optional
            Rows per forward pass; default 512 on the CPU, 65536 on CUDA.
        encode : callable, optional
            Maps an (N, n) int8 tensor of ±1 rows (on ``device``) to the model's input. Default:
            the rows as float32.
        readout : callable, optional
            Maps the model output to (N,) reals. Default: squeeze a trailing axis of size 1.
        real : bool
            Also return the (2**n,) float64 real outputs.

        The sign is +1 where the real output is >= 0 and -1 where it is < 0 (True = -1).
        Returns a BooleanFunction, or ``(BooleanFunction, real_table)`` when ``real=True``.
        """
        import torch

        n = check_n(n, maximum=24)
        device = model_device(model) if device is None else device
        if batch_size is None:
            # small CPU batches stay in cache (512 ran ~2x faster than 16384 for a small
            # transformer here); a GPU wants large ones
            batch_size = 1 << 16 if torch.device(device).type == "cuda" else 512
        batch_size = check_positive_int(batch_size, name="batch_size")
        N = 1 << n
        # the real outputs (float64), the sign table and a batch of points with its output
        check_memory(9 * N + 16 * batch_size * max(n, 1), what=f"from_model on n={n}")
        # the estimators' evaluator: it calls the model on tensors and checks every output
        ev = Evaluator(model, n, batch_size=batch_size, device=device, tensors=True, encode=encode,
                       readout=readout, what="model")
        outs = np.empty(N, dtype=np.float64)
        starts = range(0, N, batch_size)
        with ev.evaluating():
            for lo in progress(starts, total=len(starts), desc=f"model on 2**{n} inputs",
                               enabled=show_progress, min_total=16):
                hi = min(N, lo + batch_size)
                outs[lo:hi] = ev(cube_points(n, lo, hi))
        f = adopt_signs(np.where(outs >= 0, 1, -1).astype(np.int8), name)
        return (f, outs) if real else f

    # ------------------------------------------------------------------ properties
    @property
    def n(self) -> int:
        """Number of variables."""
        return self._n

    @property
    def signs(self) -> np.ndarray:
        """Read-only (2**n,) int8 table of ±1."""
        return self._signs

    @property
    def bits(self) -> np.ndarray:
        """(2**n,) uint8 table: 0 where f = +1, 1 where f = -1 (True)."""
        return ((1 - self._signs) // 2).astype(np.uint8)

    @property
    def name(self) -> str | None:
        """A label for tables and reports (families set it, e.g. ``MAJ_5``), or None."""
        return self._name

    def __len__(self) -> int:
        return 1 << self._n

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BooleanFunction):
            return NotImplemented
        return self._n == other._n and bool(np.array_equal(self._signs, other._signs))

    def __hash__(self) -> int:
        return hash((self._n, self._signs.tobytes()))

    def __repr__(self) -> str:
        label = f"{self._name}, " if self._name else ""
        if self._n <= 4:
            return f"BooleanFunction({label}n={self._n}, signs={self._signs.tolist()})"
        return f"BooleanFunction({label}n={self._n})"

    def __neg__(self) -> "BooleanFunction":
        return adopt_signs(-self._signs, f"-{self._name}" if self._name else None)

    def __mul__(self, other: "BooleanFunction") -> "BooleanFunction":
        """Pointwise product (XOR of the bits)."""
        if not isinstance(other, BooleanFunction):
            return NotImplemented
        if other.n != self.n:
            raise BoolsensError(f"cannot multiply functions on n={self.n} and n={other.n} variables")
        return adopt_signs(self._signs * other._signs, None)

    def __call__(self, x: Any) -> Any:
        """Value at a point given as an index or as a ±1 vector of length n."""
        if isinstance(x, (bool, np.bool_)):
            raise BoolsensError(f"x={x!r} must be an index in [0, 2**{self._n}) or a ±1 vector of length "
                                f"n={self._n}, not a bool")
        if isinstance(x, (int, np.integer)):
            if not 0 <= int(x) < len(self):
                raise BoolsensError(f"x={x} must lie in [0, 2**{self._n})")
            return int(self._signs[int(x)])
        v = np.asarray(x)
        if v.shape[-1:] != (self._n,) or np.any((v != 1) & (v != -1)):
            raise BoolsensError(f"x must be an index or a ±1 vector of length n={self._n}")
        out = self._signs[points_to_index(v, check=False)]
        return int(out) if out.ndim == 0 else out

    def to_hex(self) -> str:
        """The truth table in hexadecimal, most significant digit first (index 2**n − 1 first),
        bit x set where f(x) = −1 (True): the inverse of :meth:`from_hex`.

        >>> import boolsens as bs
        >>> bs.majority(3).to_hex()
        'e8'
        >>> bs.BooleanFunction.from_hex(bs.majority(3).to_hex(), 3) == bs.majority(3)
        True
        """
        words = _bitpacked.pack_pm1(self._signs.reshape(1, -1), self._n)[0]
        value = int.from_bytes(words.astype("<u8").tobytes(), "little")
        return f"{value:0{max(1, (1 << self._n) // 4)}x}"

    # ------------------------------------------------------ measures (call the core)
    def walsh_spectrum(self) -> np.ndarray:
        """Integer transform 2**n f̂(S) (int64, read-only, cached)."""
        return _fourier.walsh_spectrum(self)

    def fourier_coefficients(self, *, exact: bool = False, p: Any = None):
        """f̂(S) by bitmask S; see :func:`boolsens.fourier_coefficients`."""
        return _fourier.fourier_coefficients(self, exact=exact, p=p)

    def fourier_weights(self, *, exact: bool = False, p: Any = None):
        """W^k for k = 0..n (p-biased with ``p``); see :func:`boolsens.fourier_weights`."""
        return _fourier.fourier_weights(self, exact=exact, p=p)

    def degree(self) -> int:
        """Fourier degree; see :func:`boolsens.degree`."""
        return _fourier.degree(self)

    def influences(self, *, exact: bool = False, p: Any = None):
        """Inf_i for i = 0..n-1 (p-biased with ``p``); see :func:`boolsens.influences`."""
        return _influence.influences(self, exact=exact, p=p)

    def total_influence(self, *, exact: bool = False, p: Any = None):
        """I(f); see :func:`boolsens.total_influence`."""
        return _influence.total_influence(self, exact=exact, p=p)

    def normalized_sensitivity(self, *, exact: bool = False):
        """I(f)/n; see :func:`boolsens.normalized_sensitivity`."""
        return _influence.normalized_sensitivity(self, exact=exact)

    def sensitivity(self, *, value: Any = None) -> int:
        """Maximum sensitivity s(f), or s_b(f) with ``value=b``; see :func:`boolsens.sensitivity`."""
        return _sensitivity.sensitivity(self, value=value)

    def noise_stability(self, rho: Any, *, p: Any = None):
        """Stab_ρ(f) (p-biased with ``p``); see :func:`boolsens.noise_stability`."""
        return _noise.noise_stability(self, rho, p=p)

    def multilinear_extension(self, z: Any):
        """f̃(z) at points of [−1, 1]^n; see :func:`boolsens.multilinear_extension`."""
        return _multilinear.multilinear_extension(self, z)

    def erasure_moment(self, p: Any, *, order: int = 1):
        """E|f̃(Z)|^order under erasures at rate p; see :func:`boolsens.erasure_moment`."""
        return _erasure.erasure_moment(self, p, order=order)

    def bias(self) -> float:
        """E f = f̂(∅)."""
        return float(self._signs.mean(dtype=np.float64))

    def spectral_norm(self, *, exact: bool = False):
        """Σ_S |f̂(S)|; see :func:`boolsens.spectral_norm`."""
        return _spectral.spectral_norm(self, exact=exact)

    def fourier_sparsity(self) -> int:
        """#{S : f̂(S) ≠ 0}; see :func:`boolsens.fourier_sparsity`."""
        return _spectral.fourier_sparsity(self)

    def fourier_entropy(self) -> float:
        """Σ_S f̂(S)² log₂(1/f̂(S)²); see :func:`boolsens.fourier_entropy`."""
        return _spectral.fourier_entropy(self)

    def nonlinearity(self) -> int:
        """Hamming distance to the nearest affine function; see :func:`boolsens.nonlinearity`."""
        return _spectral.nonlinearity(self)

    def is_bent(self) -> bool:
        """Whether every |f̂(S)| = 2^(−n/2); see :func:`boolsens.is_bent`."""
        return _spectral.is_bent(self)

    def anf(self) -> np.ndarray:
        """Algebraic normal form of the indicator of f = −1; see :func:`boolsens.anf`."""
        return _gf2.anf(self)

    def gf2_degree(self) -> int:
        """Degree over GF(2); see :func:`boolsens.gf2_degree`."""
        return _gf2.gf2_degree(self)

    def correlation_immunity(self) -> int:
        """Largest m with f̂(S) = 0 for 1 ≤ |S| ≤ m; see :func:`boolsens.correlation_immunity`."""
        return _cryptographic.correlation_immunity(self)

    def resiliency(self) -> int:
        """Resiliency order (−1 when unbalanced); see :func:`boolsens.resiliency`."""
        return _cryptographic.resiliency(self)

    def autocorrelation(self) -> np.ndarray:
        """r_f(a) = Σ_x f(x) f(x ⊕ a) for every a; see :func:`boolsens.autocorrelation`."""
        return _cryptographic.autocorrelation(self)

    def absolute_indicator(self) -> int:
        """max_{a≠0} |r_f(a)|; see :func:`boolsens.absolute_indicator`."""
        return _cryptographic.absolute_indicator(self)

    def chow_parameters(self, *, exact: bool = False):
        """(f̂(∅), f̂({0}), …, f̂({n−1})); see :func:`boolsens.chow_parameters`."""
        return _structure.chow_parameters(self, exact=exact)

    def relevant_variables(self) -> tuple:
        """The coordinates f depends on; see :func:`boolsens.relevant_variables`."""
        return _structure.relevant_variables(self)

    def is_monotone(self) -> bool:
        """x ≤ y implies f(x) ≤ f(y); see :func:`boolsens.is_monotone`."""
        return _structure.is_monotone(self)

    def is_symmetric(self) -> bool:
        """Depends only on the Hamming weight; see :func:`boolsens.is_symmetric`."""
        return _structure.is_symmetric(self)

    def threshold_representation(self):
        """Integer (w, θ) with f = sgn(w·x − θ), or None (cached); see
        :func:`boolsens.threshold_representation`."""
        return _linear_threshold.threshold_representation(self)

    def is_threshold(self) -> bool:
        """Whether f is a linear threshold function; see :func:`boolsens.is_threshold`."""
        return _linear_threshold.is_threshold(self)

    def min_sensitivity(self) -> int:
        """min_x s(f, x); see :func:`boolsens.min_sensitivity`."""
        return _sensitivity.min_sensitivity(self)

    def fractional_block_sensitivity(self, *, pointwise: bool = False):
        """fbs(f), an exact Fraction; see :func:`boolsens.fractional_block_sensitivity`."""
        return _fractional.fractional_block_sensitivity(self, pointwise=pointwise)

    def approximate_degree(self, eps: Any = Fraction(1, 3)) -> int:
        """ε-approximate degree, f read as 0/1; see :func:`boolsens.approximate_degree`."""
        return _approximate_degree.approximate_degree(self, eps)

    def approximation_error(self, d: int, *, exact: bool = False):
        """Best uniform error at degree d; see :func:`boolsens.approximation_error`."""
        return _approximate_degree.approximation_error(self, d, exact=exact)


def adopt_signs(signs: np.ndarray, name: str | None = None) -> BooleanFunction:
    """A BooleanFunction that takes ownership of ``signs``, a fresh C-contiguous 1-D int8 table that
    is ±1 by construction: no copy and no check (the families build tables of 4 GiB at n = 32,
    where the constructor's copy and check would need several more). ``signs`` becomes read-only;
    the caller must not keep a writable reference to it.
    """
    if signs.dtype != np.int8 or signs.ndim != 1 or not signs.flags.c_contiguous:
        raise BoolsensError("adopt_signs needs a C-contiguous 1-D int8 table")
    f = BooleanFunction.__new__(BooleanFunction)
    f._set(signs, log2_length(signs.shape[0], name="signs"), name)
    return f
