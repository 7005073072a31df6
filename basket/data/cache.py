"""The on-disk cache: where it lives, and the one-file-per-ticker store of downloaded closes (IO).

The cache directory is ``$BASKET_CACHE_DIR`` when set, else the user cache directory given by
:mod:`platformdirs` (``~/.cache/basket`` on Linux).

Every cache file is **self-checking and written in one step**. A ticker's closes live in one
file, ``<ticker>.csv``, whose first line is a comment holding the metadata (format, ticker, the
date range covered, the number of rows and the SHA-256 of the rest of the file) and whose rest
is a ``date,close`` CSV. A new file is written beside the old one and moved into place with
:func:`os.replace`: the previous good file stays whole until the new one is complete, and a
process killed mid-write leaves only a temporary file, which later writes sweep away once it is
an hour old. A file that does not check out is reported, never trusted.

Cache trouble never fails a command: a cache folder that cannot be created or written, or a
cache file replaced by a directory, gives :class:`~basket.errors.CacheWarning` and the data
is used without caching it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from basket.errors import CacheWarning, DataSourceError
from basket.outputs import atomic_write_bytes, atomic_write_text

__all__ = [
    "STALE_SECONDS",
    "CachedCloses",
    "CorruptCacheError",
    "atomic_write_bytes",
    "atomic_write_text",
    "cache_dir",
    "read_closes",
    "sweep_stale",
    "write_closes",
]

FORMAT = 2
"""The version of the ticker file layout (1 was a CSV with a separate JSON sidecar)."""

STALE_SECONDS = 3600
"""A temporary file this old was left by a killed process and is removed."""

_MAGIC = "# basket-cache "


def cache_dir(*parts: str) -> Path:
    """Return (and create) the cache directory, or a sub-directory of it.

    Parameters
    ----------
    *parts : str
        Sub-directory names, e.g. ``"yahoo"``.

    Returns
    -------
    pathlib.Path
        An existing directory.

    Raises
    ------
    DataSourceError
        If the directory cannot be created.
    """
    root = os.environ.get("BASKET_CACHE_DIR")
    if root:
        base = Path(root)
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("basket", appauthor=False))
    path = base.joinpath(*parts)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataSourceError(
            f"cannot create the cache directory {path} ({exc.strerror}); "
            "set BASKET_CACHE_DIR to a writable directory"
        ) from exc
    if not path.is_dir():
        raise DataSourceError(
            f"the cache directory {path} is not a directory; remove it or set BASKET_CACHE_DIR"
        )
    return path


def sweep_stale(folder: Path, now: float | None = None) -> list[Path]:
    """Remove temporary files (``.*.tmp``) older than :data:`STALE_SECONDS`; return them."""
    limit = (time.time() if now is None else now) - STALE_SECONDS
    removed = []
    try:
        candidates = list(folder.glob(".*.tmp"))
    except OSError:
        return removed
    for tmp in candidates:
        try:
            if tmp.is_file() and tmp.stat().st_mtime < limit:
                tmp.unlink()
                removed.append(tmp)
        except OSError:
            continue
    return removed


@dataclass(frozen=True)
class CachedCloses:
    """A ticker's cached closes and the calendar range they cover (weekends included)."""

    closes: pd.Series
    start: pd.Timestamp
    end: pd.Timestamp


class CorruptCacheError(Exception):
    """A cache file that cannot be trusted (internal: the caller warns and downloads again)."""


def _file(folder: Path, ticker: str) -> Path:
    return folder / f"{ticker}.csv"


def read_closes(folder: Path, ticker: str) -> CachedCloses | None:
    """Return the cached closes of ``ticker`` in ``folder``, ``None`` when there are none.

    Raises
    ------
    CorruptCacheError
        The file exists but does not check out (a directory, unreadable, an old or foreign
        layout, a checksum or a row count that does not match, dates out of order).
    """
    path = _file(folder, ticker)
    if not path.exists():
        return None
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise CorruptCacheError(f"{path.name} cannot be read ({exc.strerror})") from None
    head, _, body = payload.partition(b"\n")
    try:
        text = head.decode("utf-8")
        if not text.startswith(_MAGIC):
            raise ValueError("no metadata line")
        meta = json.loads(text[len(_MAGIC):])
        if meta.get("format") != FORMAT or meta.get("ticker") != ticker:
            raise ValueError(f"not a format-{FORMAT} file of {ticker}")
        start = pd.Timestamp(pd.to_datetime(str(meta["start"]), format="%Y-%m-%d"))
        end = pd.Timestamp(pd.to_datetime(str(meta["end"]), format="%Y-%m-%d"))
        rows, digest = int(meta["rows"]), str(meta["sha256"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise CorruptCacheError(f"{path.name} has no valid metadata line ({exc})") from None
    if hashlib.sha256(body).hexdigest() != digest:
        raise CorruptCacheError(f"{path.name} does not match its checksum (a partial write?)")
    try:
        # read as text and parse with float(): an exact round trip of the repr() written
        table = pd.read_csv(io.BytesIO(body), dtype=str, keep_default_na=False)
        if list(table.columns) != ["date", "close"]:
            raise ValueError(f"columns {list(table.columns)}, expected ['date', 'close']")
        dates = pd.DatetimeIndex(pd.to_datetime(table["date"], format="%Y-%m-%d"), name="date")
        values = np.array([float(v) for v in table["close"]], dtype=np.float64)
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CorruptCacheError(f"{path.name} does not parse ({exc})") from None
    if (start > end or len(values) != rows or not np.isfinite(values).all()
            or not dates.is_unique or not dates.is_monotonic_increasing
            or (len(dates) and (dates[0] < start or dates[-1] > end))):
        raise CorruptCacheError(f"{path.name} is inconsistent with its metadata")
    return CachedCloses(pd.Series(values, index=dates, name="close"), start, end)


def write_closes(folder: Path, ticker: str, cached: CachedCloses) -> bool:
    """Store ``cached`` as ``ticker``'s file in one atomic step; sweep stale temporaries.

    Returns
    -------
    bool
        ``True`` when written; ``False`` (with a :class:`CacheWarning`) when the folder or the
        file cannot be written, so the caller goes on with the data it has.
    """
    lines = ["date,close", *(f"{pd.Timestamp(d).date().isoformat()},{float(v)!r}"
                             for d, v in cached.closes.items())]
    body = ("\n".join(lines) + "\n").encode("utf-8")
    meta = {
        "format": FORMAT, "ticker": ticker,
        "start": cached.start.date().isoformat(), "end": cached.end.date().isoformat(),
        "rows": len(cached.closes), "sha256": hashlib.sha256(body).hexdigest(),
    }
    payload = (_MAGIC + json.dumps(meta, sort_keys=True) + "\n").encode("utf-8") + body
    path = _file(folder, ticker)
    sweep_stale(folder)
    try:
        if path.is_dir():
            raise IsADirectoryError(21, "it is a directory", str(path))
        atomic_write_bytes(path, payload)
    except OSError as exc:
        warnings.warn(
            f"cannot cache {ticker} in {folder} ({exc.strerror or exc}); the downloaded data is "
            "used but not kept, so the next run downloads it again; fix the folder's "
            "permissions or set BASKET_CACHE_DIR",
            CacheWarning, stacklevel=3,
        )
        return False
    legacy = folder / f"{ticker}.json"          # the sidecar of format 1
    if legacy.is_file():
        legacy.unlink(missing_ok=True)
    return True
