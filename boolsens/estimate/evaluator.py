"""The black-box evaluator: calls a function given as a numpy callable, a torch module (or any
callable on tensors) or a truth table on rows of ±1, in batches, and checks what it returns.

It is the one place where the output of a user's function is checked (shape (N,) or (N, 1),
real, finite, and ±1 where a Boolean measure needs it): the estimators of this package and
:meth:`BooleanFunction.from_model` (which evaluates a model on the whole cube) both use it, so a
bad output gets the same message from either. torch is imported only when ``fn`` runs on tensors.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from .._input.table import as_table
from .._input.validation import check_n, check_positive_int, is_torch
from ..cube import points_to_index
from ..errors import BoolsensError
from ..torch_runtime import eval_mode, model_device

__all__ = ["Evaluator", "check_outputs", "MAX_ESTIMATE_N"]

#: Largest n accepted by the estimators (each sampled row holds n int8 entries).
MAX_ESTIMATE_N = 100_000
#: default bound on batch_size · n (input entries per call of ``fn``).
_CALL_ENTRIES = 1 << 22
#: how to reduce a wrong-shaped output, for a plain callable
_REDUCE_HINT = "reduce it yourself, e.g. lambda x: model(x)[:, -1]"


def _torch_module_type():
    torch = sys.modules.get("torch")
    return None if torch is None else torch.nn.Module


def check_outputs(y: Any, m: int, *, what: str = "fn", boolean: bool = False, measure: str = "",
                  hint: str = _REDUCE_HINT) -> np.ndarray:
    """The (m,) float64 values of the output ``y`` of a function called on m rows, or one error
    naming what is wrong: a shape other than (m,) or (m, 1), a non-real dtype, a NaN or inf, or
    (``boolean``) a value other than ±1. ``what`` names the function in the message and ``hint``
    says how to reduce a wrong-shaped output.

    >>> check_outputs(np.array([[1.0], [-1.0]]), 2)
    array([ 1., -1.])
    """
    if is_torch(y):
        if y.is_complex() or str(y.dtype) == "torch.bool":
            raise BoolsensError(f"{what} returned a tensor of dtype {y.dtype}; expected real numbers"
                                + (" (±1, True = -1 is yours to map)" if boolean else ""))
        y = y.detach().cpu().double().numpy()
    y = np.asarray(y)
    if y.shape == (m, 1):
        y = y[:, 0]
    if y.shape != (m,):
        raise BoolsensError(f"{what} returned shape {y.shape} for {m} input rows; expected ({m},) or ({m}, 1) "
                            f"({hint})")
    if y.dtype == bool or not np.issubdtype(y.dtype, np.number) or np.iscomplexobj(y):
        raise BoolsensError(f"{what} returned dtype {y.dtype}; expected real numbers"
                            + (" equal to ±1 (map True to -1 yourself)" if boolean else ""))
    y = y.astype(np.float64, copy=False)
    finite = np.isfinite(y)
    if not finite.all():
        raise BoolsensError(
            f"{what} returned {int((~finite).sum())} NaN/inf value(s) among {m}, e.g. {y[~finite][:3].tolist()}")
    if boolean:
        bad = np.abs(y) != 1.0
        if bad.any():
            raise BoolsensError(
                f"{measure} needs fn to return only +1 and -1; it returned "
                f"{int(bad.sum())} other value(s) among {m}, e.g. {y[bad][:3].tolist()} "
                "(take the sign yourself, e.g. lambda x: np.where(g(x) >= 0, 1, -1))")
    return y


def _torch_device(fn: Any, device: Any) -> Any:
    """The device ``fn`` is called on: ``device``, else the device of the module's parameters (or
    the CPU); one error when it is not a torch device, is ``meta`` (no data to read back), is not
    available here, or differs from the device the module's parameters are on."""
    import torch

    try:
        dev = model_device(fn) if device is None else torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise BoolsensError(f"device={device!r} is not a torch device ({str(exc).splitlines()[0]})") from None
    params = next(fn.parameters(), None) if isinstance(fn, torch.nn.Module) else None
    if params is not None and device is not None and (
            params.device.type != dev.type or (dev.index is not None and params.device.index != dev.index)):
        raise BoolsensError(f"device={device!r}, but the model's parameters are on {params.device}; leave "
                            "device=None to use the model's own device, or move the model there (model.to(device))")
    if dev.type == "meta":
        where = f"device={device!r}" if device is not None else "the model's parameters are on device 'meta', which"
        raise BoolsensError(f"{where} holds no values to evaluate; load the model's weights on a real device "
                            "(e.g. model.to_empty(device='cpu') and load_state_dict) first")
    try:
        torch.empty(0, device=dev)
    except (RuntimeError, AssertionError) as exc:  # e.g. device='cuda' on a torch built without CUDA
        raise BoolsensError(f"device={str(dev)!r} is not available here ({str(exc).splitlines()[0]})") from None
    return dev


class Evaluator:
    """Wraps ``fn`` (numpy callable, torch module/callable, BooleanFunction or table): validates
    n, splits calls into ``batch_size`` rows, converts and checks the outputs, counts rows.

    ``tensors=True`` (or a torch module, or ``device``) calls ``fn`` on (m, n) tensors on its
    device: ``encode(rows)`` of the int8 rows when ``encode`` is given, else the rows as float32;
    ``readout`` maps the output to the values, which must then be a tensor (``from_model``).

    >>> ev = Evaluator(lambda x: x[:, 0], 3, batch_size=2)
    >>> ev(np.array([[1, 1, 1], [-1, 1, 1], [-1, -1, -1]], dtype=np.int8)), ev.rows
    (array([ 1., -1., -1.]), 3)
    """

    def __init__(self, fn: Any, n: Any, *, boolean: bool = False, batch_size: Any = None, device: Any = None,
                 measure: str = "", tensors: bool = False, encode: Callable[[Any], Any] | None = None,
                 readout: Callable[[Any], Any] | None = None, what: str | None = None):
        self.fn = fn
        self.boolean = boolean
        self.measure = measure
        self.rows = 0
        self.table = None
        self.device = None
        self.encode, self.readout = encode, readout
        module_type = _torch_module_type()
        if not tensors and (hasattr(type(fn), "__boolsens_table__") or not callable(fn)):
            if isinstance(fn, (str, bytes)) or fn is None:
                raise BoolsensError(
                    f"fn={fn!r} must be a callable, a torch module, a BooleanFunction or a truth table")
            t = as_table(fn, name="fn (a truth table)")
            if boolean:
                t.require_pm1()
            table, tn = t.numpy(), t.n
            if table.ndim != 1:
                raise BoolsensError(f"fn (a truth table) must have shape (2**n,); got shape {table.shape} "
                                    "(estimate one function at a time)")
            if n is not None and check_n(n, minimum=1, maximum=MAX_ESTIMATE_N) != tn:
                raise BoolsensError(f"n={n} does not match the table of fn, which has n={tn}")
            if tn < 1:
                raise BoolsensError("fn is a function of n=0 variables; the estimators need n >= 1")
            if device is not None:
                raise BoolsensError(f"device={device!r} applies to callables on tensors; fn is a truth table")
            self.table = table
            self.kind = "table"
            self.n = tn
        else:
            if tensors:  # from_model: the caller has checked n
                self.n = n
            elif n is None:
                raise BoolsensError("n is required when fn is a callable (only tables carry their n)")
            else:
                self.n = check_n(n, minimum=1, maximum=MAX_ESTIMATE_N)
            if tensors or (module_type is not None and isinstance(fn, module_type)) or device is not None:
                import torch

                self.kind = "torch"
                self.device = _torch_device(fn, device)
            else:
                self.kind = "numpy"
        self.what = what or ("the model" if self.kind == "torch" else "fn")
        self.hint = "pass readout= to reduce it" if tensors else _REDUCE_HINT
        self.tensors = tensors
        if batch_size is None:
            default = 4096 if self.kind == "torch" else 65536
            self.batch_size = max(1, min(default, _CALL_ENTRIES // max(self.n, 1)))
        else:
            self.batch_size = check_positive_int(batch_size, name="batch_size")

    def evaluating(self):
        """Context in which ``fn`` is evaluated: torch modules in eval mode, restored afterwards."""
        return eval_mode(self.fn if self.kind == "torch" else None)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """(m, n) int8 ±1 rows -> (m,) float64 values."""
        m = x.shape[0]
        self.rows += m
        if self.kind == "table":
            return self.table[points_to_index(x, check=False)].astype(np.float64)
        if m <= self.batch_size:
            return self._call(x)
        return np.concatenate([self._call(x[lo:lo + self.batch_size]) for lo in range(0, m, self.batch_size)])

    def _call(self, x: np.ndarray) -> np.ndarray:
        m = x.shape[0]
        if self.kind == "torch":
            import torch

            with torch.no_grad():
                if self.encode is not None:
                    inp = self.encode(torch.from_numpy(x).to(self.device))
                else:
                    inp = torch.from_numpy(x.astype(np.float32)).to(self.device)
                try:
                    y = self.fn(inp)
                except (RuntimeError, TypeError, ValueError, IndexError) as exc:  # torch's own shape errors
                    shape = tuple(inp.shape) if hasattr(inp, "shape") else type(inp).__name__
                    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                    raise BoolsensError(
                        f"{self.what} failed on a batch of inputs of shape {shape} (n={self.n}): {first}; check "
                        f"that n={self.n} is the model's input width, or pass encode= to map the ±1 rows to "
                        "its input") from None
                if self.readout is not None:
                    y = self.readout(y)
            if self.tensors and not isinstance(y, torch.Tensor):
                raise BoolsensError(
                    f"{self.what} returned a {type(y).__name__}, not a tensor; pass readout= to pick the "
                    "output tensor (e.g. readout=lambda out: out[0])")
        else:
            view = x.view()
            view.flags.writeable = False  # fn must not change the rows: they are reused
            y = self.fn(view)
        return check_outputs(y, m, what=self.what, boolean=self.boolean, measure=self.measure, hint=self.hint)
