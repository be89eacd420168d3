"""A minimal progress bar on stderr (no dependency). Shown for long loops when stderr is a
terminal, or always when ``BOOLSENS_PROGRESS=1``; never when ``BOOLSENS_PROGRESS=0``."""

from __future__ import annotations

import os
import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def _default_enabled() -> bool:
    env = os.environ.get("BOOLSENS_PROGRESS")
    if env is not None:
        return env not in ("0", "", "false", "no")
    return sys.stderr.isatty()


def progress(
    items: Iterable[T],
    *,
    total: int | None = None,
    desc: str = "",
    enabled: bool | None = None,
    min_total: int = 2,
) -> Iterator[T]:
    """Yield from ``items`` while drawing ``desc: 37% (37/100) 1.2s, eta 2.0s`` on stderr."""
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    show = (_default_enabled() if enabled is None else enabled) and (total is None or total >= min_total)
    if not show:
        yield from items
        return
    start = time.perf_counter()
    last = 0.0
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.perf_counter()
        if now - last > 0.2 or done == total:
            last = now
            elapsed = now - start
            if total:
                eta = elapsed / done * (total - done)
                msg = f"\r{desc}: {100 * done // total:3d}% ({done}/{total}) {elapsed:.1f}s, eta {eta:.1f}s"
            else:
                msg = f"\r{desc}: {done} {elapsed:.1f}s"
            sys.stderr.write(msg)
            sys.stderr.flush()
    sys.stderr.write("\n")
    sys.stderr.flush()
