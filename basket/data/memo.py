"""The in-process memo of aligned FX panels: a source read once per file version (IO edge).

A user writes ``basket.backtest("libra-2019")`` or ``basket.price("2020-03-20")`` many times in
one session; each call would otherwise read, check and align the same rates again. Panels are
kept here, keyed by what makes them what they are:

* the **version of the source** (:func:`source_version`): for a file, its resolved path, size,
  inode and modification/change times (``os.stat``), so a file that is rewritten or replaced
  gives a new key and the old entry is never used again; sources with no such version (Yahoo
  Finance, a user's source object) are not memoised;
* the currencies in their order, the date range asked, and the alignment rule (``fill``,
  ``fill_limit``).

Entries are shared, so they are never handed out as they are: :func:`share` returns a new frame
object over the same data. Under pandas' copy-on-write (always on from pandas 3) a write to it
copies the data first, so nothing a user does to a returned frame reaches the memo; on older
pandas without copy-on-write the data is copied. The memo holds at most :data:`MEMO_BYTES` of
panels (least recently used first out), and :func:`clear` empties it.

Caveat: a file rewritten in place with the same size within the file system's timestamp
granularity (a few milliseconds) keeps its version; touch it (or replace it) to be sure.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import pandas as pd

__all__ = ["MEMO_BYTES", "Memo", "clear", "file_version", "nbytes", "share", "source_version"]

MEMO_BYTES = 512 << 20
"""Largest total size of the memoised panels (512 MiB); a panel larger than this is not kept."""


def _copy_on_write() -> bool:
    """Whether pandas copies shared data before writing to it (pandas >= 3, or opted in)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    mode = getattr(pd.options.mode, "copy_on_write", False)
    return mode is True


_COW = _copy_on_write()


def share(obj: Any) -> Any:
    """A frame or series that callers may change freely without touching ``obj``.

    A new object over the same data (copy-on-write), or a deep copy without copy-on-write.
    ``None`` passes through.
    """
    if obj is None:
        return None
    return obj.copy(deep=not _COW)


def file_version(path: str | os.PathLike[str]) -> tuple[Any, ...]:
    """The identity of one version of a file: resolved path, size, inode, mtime and ctime.

    Raises
    ------
    OSError
        If the file cannot be stat'ed.
    """
    st = os.stat(path)
    return (os.fspath(path), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)


def source_version(src: Any) -> Hashable | None:
    """The version of an open source's data, or ``None`` when it has none (not memoised)."""
    version = getattr(src, "version", None)
    if not callable(version):
        return None
    try:
        key = version()
    except OSError:
        return None
    return key if isinstance(key, Hashable) else None


class Memo:
    """A thread-safe least-recently-used map with a budget in bytes."""

    def __init__(self, budget: int = MEMO_BYTES) -> None:
        self.budget = budget
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        """The value stored under ``key`` (``None`` when absent)."""
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: Hashable, value: Any, nbytes: int) -> None:
        """Store ``value`` (about ``nbytes`` large), dropping the oldest entries to fit."""
        if nbytes > self.budget:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, nbytes)
            self._bytes += nbytes
            while self._bytes > self.budget and self._items:
                _, (_, size) = self._items.popitem(last=False)
                self._bytes -= size

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)


PANELS = Memo()
"""Aligned panels of :func:`basket.data.fetch_panel`."""

LOADED = Memo()
"""What :func:`basket.valuation.loading.panel_for` loaded for a basket (panel, base prices)."""

DERIVED = Memo(64 << 20)
"""Small arrays derived from a memoised panel (a basket's values for :func:`basket.price`)."""


def clear() -> None:
    """Forget every memoised panel (the next call reads its source again)."""
    for memo in (PANELS, LOADED, DERIVED):
        memo.clear()


def nbytes(*objs: Any) -> int:
    """Approximate memory of frames and series (their values), for the memo's budget."""
    total = 0
    for obj in objs:
        if obj is not None:
            total += int(obj.memory_usage(index=True, deep=False).sum()) if isinstance(
                obj, pd.DataFrame) else int(obj.memory_usage(index=True, deep=False))
    return total
