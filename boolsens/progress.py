"""Progress bars (tqdm) for everything slow in the project, with one switch.

Bars go to stderr. They are shown when stderr is a terminal, always when the environment variable
``BOOLSENS_PROGRESS=1``, and never when ``BOOLSENS_PROGRESS=0`` (or ``enabled=False``). Off a
terminal a forced bar redraws at most every 10 seconds, so logs stay readable.

* :func:`progress` wraps an iterable (``for x in progress(items, desc=...)``);
* :func:`bar` is a bar to update by hand (``b.update(k)``, ``b.set_postfix(loss=...)``), e.g. in
  a training loop or over units of an experiment.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Iterable, Iterator, TypeVar

if TYPE_CHECKING:
    from tqdm.auto import tqdm

__all__ = ["progress", "bar", "progress_enabled"]

T = TypeVar("T")


def progress_enabled(enabled: bool | None = None) -> bool:
    """Whether a bar is shown: ``enabled`` if given, else ``BOOLSENS_PROGRESS``, else whether
    stderr is a terminal."""
    if enabled is not None:
        return bool(enabled)
    env = os.environ.get("BOOLSENS_PROGRESS")
    if env is not None:
        return env.strip().lower() not in ("0", "", "false", "no", "off")
    return sys.stderr.isatty()


def bar(total: int | None = None, *, desc: str = "", initial: int = 0, enabled: bool | None = None,
        unit: str = "it") -> tqdm:
    """A tqdm bar on stderr (disabled, and free, when progress is off)."""
    from tqdm.auto import tqdm  # deferred: tqdm loads with the first bar

    show = progress_enabled(enabled)
    return tqdm(total=total, desc=desc, initial=initial, unit=unit, disable=not show, file=sys.stderr,
                leave=True, dynamic_ncols=True, mininterval=0.2 if sys.stderr.isatty() else 10.0)


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "", enabled: bool | None = None,
             min_total: int = 2, unit: str = "it") -> Iterator[T]:
    """Yield from ``items`` with a bar ``desc: 37%|███▋      | 37/100 [00:01<00:02]``.

    ``min_total``: no bar for fewer items than this (a bar for two quick steps is noise).

    >>> list(progress(range(3), enabled=False))
    [0, 1, 2]
    """
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if not progress_enabled(enabled) or (total is not None and total < min_total):
        yield from items
        return
    with bar(total, desc=desc, enabled=True, unit=unit) as b:
        for item in items:
            yield item
            b.update(1)
