"""Crash-safe result files: atomic writes, JSON of scientific values, append-only JSON lines.

Used by everything that writes results (the census's chunks, the experiments' run folders):

* :func:`atomic_write_bytes` / :func:`write_json` / :func:`write_text` write to a temporary name
  in the same folder, flush and fsync it, then rename it into place: a reader (or a resumed run)
  sees the old file or the new one, never half of one. A failed write (a full disk, a folder that
  is not writable) removes its temporary file and raises :class:`StorageError` naming the file.
* :func:`read_json` raises :class:`CorruptFileError` naming the file when it cannot be parsed.
* :func:`append_jsonl` appends one record per line, synced; if the file ends in a torn line (a
  crash in the middle of an earlier append) the torn line is terminated first, so the new record
  is never swallowed by it. :func:`read_jsonl` skips torn or corrupt lines and reports how many.
* :func:`remove_stale_temporaries` removes the temporary files an interrupted run left behind.
* :data:`fault_hook`, when a test sets it, is called as ``fault_hook(stage, path)`` at each stage of
  every write (``"open"``: the temporary file is open and empty, ``"written"``: written and synced
  but not renamed, ``"renamed"``: in place; ``"append"`` for :func:`append_jsonl`), so crash-safety
  tests can kill the process there or raise an ``OSError`` (a full disk) as the disk would.
* :func:`to_jsonable` turns dataclasses, numpy and torch values, fractions and paths into plain
  JSON values (non-finite floats become the strings ``"nan"``, ``"inf"``, ``"-inf"``).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .errors import BoolsensError

__all__ = [
    "StorageError", "CorruptFileError", "to_jsonable", "atomic_write_bytes", "write_json", "write_text",
    "read_json", "append_jsonl", "read_jsonl", "remove_stale_temporaries", "TMP_MARK",
]

#: tests of crash safety set this (see the module docstring); None in normal use
fault_hook: Callable[[str, Path], None] | None = None

#: every temporary file is named ``.<name><TMP_MARK><pid>`` next to its target
TMP_MARK = ".tmp"


class StorageError(BoolsensError):
    """A result file could not be written (full disk, permissions, a file where a folder should be)."""


class CorruptFileError(BoolsensError):
    """A result file exists but cannot be read back (truncated, not JSON, wrong contents)."""

    def __init__(self, path: os.PathLike | str, problem: str):
        self.path = Path(path)
        super().__init__(f"{self.path} is corrupt: {problem}")


def to_jsonable(obj: Any) -> Any:
    """Plain JSON values for dataclasses, dicts, sequences, numpy/torch values, fractions, paths.

    >>> to_jsonable({"a": np.float64(0.5), "b": Fraction(3, 1), "c": float("nan"), "d": (1, 2)})
    {'a': 0.5, 'b': 3, 'c': 'nan', 'd': [1, 2]}
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, Fraction):
        return int(obj) if obj.denominator == 1 else to_jsonable(float(obj))
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else str(v)
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, Path):
        return str(obj)
    if type(obj).__module__.startswith("torch") and hasattr(obj, "tolist"):
        return to_jsonable(obj.tolist())
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def atomic_write_bytes(path: os.PathLike | str, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temporary file, fsync, rename); create folders."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            if fault_hook is not None:
                fault_hook("open", path)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if fault_hook is not None:
            fault_hook("written", path)
        os.replace(tmp, path)
        if fault_hook is not None:
            fault_hook("renamed", path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise StorageError(f"cannot write {path}: {_describe(exc)}") from None
    return path


def write_text(path: os.PathLike | str, text: str) -> Path:
    """:func:`atomic_write_bytes` of UTF-8 text."""
    return atomic_write_bytes(path, text.encode())


def write_json(path: os.PathLike | str, obj: Any) -> Path:
    """Write ``to_jsonable(obj)`` as indented JSON, atomically."""
    return write_text(path, json.dumps(to_jsonable(obj), indent=2) + "\n")


def read_json(path: os.PathLike | str, *, default: Any = None) -> Any:
    """The JSON value in ``path``; ``default`` when the file does not exist; a
    :class:`CorruptFileError` naming the file when it cannot be parsed."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        return default
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {_describe(exc)}") from None
    try:
        return json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptFileError(path, f"not valid JSON ({exc})") from None


def append_jsonl(path: os.PathLike | str, record: Any) -> None:
    """Append ``to_jsonable(record)`` as one line of ``path``, flushed and synced.

    If the file does not end with a newline (an earlier append was cut short), a newline is
    written first, so the torn line stays one unreadable line and this record stays readable.
    """
    path = Path(path)
    line = (json.dumps(to_jsonable(record)) + "\n").encode()
    try:
        with open(path, "ab+") as fh:
            if fault_hook is not None:
                fault_hook("append", path)
            if fh.tell() > 0:
                fh.seek(-1, os.SEEK_END)
                if fh.read(1) != b"\n":
                    line = b"\n" + line
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise StorageError(f"cannot append to {path}: {_describe(exc)}") from None


def read_jsonl(path: os.PathLike | str) -> tuple[list[Any], int]:
    """(records, number of unreadable lines) of a JSON-lines file (``([], 0)`` if missing)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return [], 0
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {_describe(exc)}") from None
    records, bad = [], 0
    for line in raw.split(b"\n"):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError):
            bad += 1
    return records, bad


def remove_stale_temporaries(folder: os.PathLike | str) -> int:
    """Delete the temporary files of interrupted atomic writes under ``folder``; return how many."""
    removed = 0
    root = Path(folder)
    if not root.is_dir():
        return 0
    for p in root.rglob(f".*{TMP_MARK}*"):
        if p.is_file():
            try:
                p.unlink()
                removed += 1
            except OSError:
                pass
    return removed
