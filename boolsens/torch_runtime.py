"""Running torch models from the core and from the packages built on it: evaluation mode, the
number of CPU threads, the device of a model.

These are the only copies of these three patterns in the project; ``proofs_check`` and
``empirical`` use them too. torch is imported only when one of them is called.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from .errors import BoolsensError

__all__ = ["eval_mode", "torch_threads", "model_device", "set_torch_threads"]


@contextlib.contextmanager
def eval_mode(model: Any) -> Iterator[Any]:
    """Put ``model`` in evaluation mode (no dropout) for the ``with`` block and restore its
    previous mode afterwards, also on an error. Anything without a ``training`` flag (a plain
    callable) is left alone.

    >>> import torch
    >>> m = torch.nn.Dropout().train()
    >>> with eval_mode(m):
    ...     m.training
    False
    >>> m.training
    True
    """
    was_training = getattr(model, "training", None)
    if isinstance(was_training, bool) and was_training:
        model.eval()
    try:
        yield model
    finally:
        if isinstance(was_training, bool) and was_training:
            model.train()


def set_torch_threads(threads: Any) -> int:
    """Set torch's intra-op CPU threads to ``threads`` (an integer >= 1); returns the previous
    value. Small models on a shared 2-core machine ran up to 26x slower with two contending
    threads than with one, so the experiments and checks fix this number and record it."""
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise BoolsensError(f"threads={threads!r} must be an integer >= 1")
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(threads)
    return old


@contextlib.contextmanager
def torch_threads(threads: int = 1) -> Iterator[None]:
    """Run the ``with`` block with ``threads`` torch CPU threads, restoring the previous number.

    >>> import torch
    >>> with torch_threads(1):
    ...     torch.get_num_threads()
    1
    """
    old = set_torch_threads(threads)
    try:
        yield
    finally:
        import torch

        torch.set_num_threads(old)


def model_device(model: Any, default: Any = None) -> Any:
    """The device of ``model``'s first parameter, else ``default``, else the CPU."""
    import torch

    try:
        return next(model.parameters()).device
    except (AttributeError, StopIteration, TypeError):
        return torch.device("cpu") if default is None else torch.device(default)
