"""Daily FX closes from Yahoo Finance via yfinance: the online source, cached on disk (IO).

Conventions
-----------
* Every frame this module returns is in **US dollars per one unit** of each currency.
* Yahoo quotes ``EURUSD=X``, ``GBPUSD=X``, ``AUDUSD=X`` and ``NZDUSD=X`` as USD per unit
  (*direct*); every other pair ``XXX=X`` is units of ``XXX`` per USD and is inverted
  (``USD per unit = 1 / close``). ``USD`` is the constant 1.0 and has no ticker. The mapping is
  :data:`TICKERS`.
* Dates are the calendar dates Yahoo labels its daily bars with, tz-naive at midnight; ``start``
  and ``end`` are inclusive (yfinance's own ``end`` is exclusive, so one day is added).

Cache
-----
``cache_dir("yahoo")`` (``$BASKET_CACHE_DIR/yahoo`` when that is set) holds one self-checking
file per ticker, ``<ticker>.csv``, written in one atomic step (see :mod:`basket.data.cache`): the
date range already fetched, the rows and their checksum, and Yahoo's closes *before* inversion.
The range is what makes the cache know that a weekend or a holiday without a row is covered. A
file that does not check out is reported with :class:`~basket.errors.CacheWarning` and
downloaded again, never trusted; a cache that cannot be written is reported the same way and
the downloaded data is used all the same. A request only downloads the dates the cache lacks
(before its start, after its end; the covered range stays one interval, so a gap between it and
the request is downloaded too). No date later than yesterday (UTC) is ever marked as covered,
because today's bar may still change.

Data quality
------------
Non-positive closes and one-day spikes (a log jump larger than :data:`SPIKE_LOG_BOUND` that the
next close undoes, returning within half that bound of the close before the jump) are dropped
and reported with :class:`~basket.errors.DataQualityWarning`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from basket.currencies import suggest
from basket.data.cache import (
    CachedCloses,
    CorruptCacheError,
    cache_dir,
    read_closes,
    write_closes,
)
from basket.data.closes import SPIKE_LOG_BOUND, _clean, _closes, _iso
from basket.errors import CacheWarning, DataError, DataQualityWarning, DataSourceError, SpecError

__all__ = ["EXPECT_QUOTES_WEEKDAYS", "SPIKE_LOG_BOUND", "TICKERS", "YahooSource", "YahooTicker",
           "download_progress"]

ProgressBar = Callable[[int], contextlib.AbstractContextManager[Callable[[], None]]]
"""``bar(total)`` opens a progress display of ``total`` downloads and gives ``advance()``."""

_PROGRESS: contextvars.ContextVar[ProgressBar | None] = contextvars.ContextVar(
    "basket_yahoo_progress", default=None)


@contextlib.contextmanager
def download_progress(bar: ProgressBar) -> Iterator[None]:
    """Report multi-ticker downloads to ``bar`` within the ``with`` block.

    While it is active, a download of two or more tickers asks Yahoo for one ticker at a time
    (the same requests yfinance makes for a list, as it runs them one after the other) and
    calls ``advance()`` after each. The CLI passes a rich progress bar on a terminal.

    Parameters
    ----------
    bar : callable
        ``bar(total)`` returns a context manager that yields ``advance``.
    """
    token = _PROGRESS.set(bar)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


class YahooTicker(NamedTuple):
    """A Yahoo Finance FX ticker and its quote direction."""

    symbol: str
    """The Yahoo symbol, e.g. ``"JPY=X"``."""
    inverse: bool
    """``True`` when the close is units per USD (to be inverted), ``False`` when USD per unit."""


_DIRECT = "EUR GBP AUD NZD"  # tickers XXXUSD=X: USD per unit
_INVERSE = (  # tickers XXX=X: units per USD
    "JPY SGD CHF CAD CNY HKD SEK NOK DKK INR KRW MXN BRL ZAR TRY PLN CZK HUF ILS IDR "
    "MYR PHP THB ISK RON BGN RUB TWD SAR AED CLP COP ARS EGP PKR VND"
)

TICKERS: dict[str, YahooTicker] = {
    **{c: YahooTicker(f"{c}USD=X", inverse=False) for c in _DIRECT.split()},
    **{c: YahooTicker(f"{c}=X", inverse=True) for c in _INVERSE.split()},
}
"""Currency code -> Yahoo ticker and quote direction. ``USD`` is 1.0 and has no ticker."""

DEFAULT_START = pd.Timestamp("2004-01-01")
"""Where a download starts when no start date is given: Yahoo's daily history of the major
FX pairs begins around December 2003."""

EXPECT_QUOTES_WEEKDAYS = 3
"""A download spanning at least this many weekdays must return a quote for every ticker;
shorter ones may legitimately be empty (holidays) and are then not marked as covered."""

_HINT = "use --source ecb (offline) or try again later; cached data is kept"


def _today() -> pd.Timestamp:
    """Return today's date in UTC as a tz-naive midnight timestamp (patched in tests)."""
    return pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()


def _day(value: Any, what: str) -> pd.Timestamp:
    from basket.dates import to_timestamp

    ts = to_timestamp(value, what)
    if ts is None:
        raise DataError(f"{what} is missing; use YYYY-MM-DD")
    return ts


def _weekdays(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """Number of Monday-to-Friday dates in ``[start, end]``."""
    if end < start:
        return 0
    return int(np.busday_count(start.date(), (end + pd.Timedelta(days=1)).date()))


def _import_yfinance() -> Any:
    try:
        import yfinance
    except ImportError as exc:
        raise DataSourceError(
            "the 'yahoo' source needs yfinance, which is not installed; "
            "run: pip install yfinance (or use --source ecb, offline)"
        ) from exc
    return yfinance


_OFFLINE = re.compile(
    r"could not resolve host|dnserror|name or service not known|temporary failure in name "
    r"resolution|network is unreachable|no route to host|curl: \((6|7)\)", re.IGNORECASE)


class _YFinanceLog(logging.Handler):
    """Collects what yfinance logs during a download (it reports failures there, not by
    raising), so they reach the user as one line instead of yfinance's multi-line noise."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.messages.append(" ".join(record.getMessage().split()))


@contextlib.contextmanager
def _quiet_yfinance() -> Iterator[_YFinanceLog]:
    logger = logging.getLogger("yfinance")
    handler = _YFinanceLog()
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # yfinance's pandas deprecations are not the user's
            yield handler
    finally:
        logger.handlers[:], logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# the cache (see basket.data.cache): trouble with it is a warning, never an error


def _cache_folder() -> Path | None:
    try:
        return cache_dir("yahoo")
    except DataSourceError as exc:
        warnings.warn(f"yahoo: {exc}; the data is used without caching it", CacheWarning,
                      stacklevel=4)
        return None


def _read_cache(ticker: str) -> CachedCloses | None:
    """The cached closes of ``ticker`` (``None`` without a cache); raises CorruptCacheError."""
    folder = _cache_folder()
    return None if folder is None else read_closes(folder, ticker)


def _write_cache(ticker: str, cached: CachedCloses) -> None:
    folder = _cache_folder()
    if folder is not None:
        write_closes(folder, ticker, cached)


# --------------------------------------------------------------------------------------------
# the source


class YahooSource:
    """Daily FX closes from Yahoo Finance (online, via yfinance), cached on disk.

    Parameters
    ----------
    attempts : int, default 3
        Downloads tried per request before giving up (network errors, or an empty answer for
        every ticker, which is how Yahoo's rate limit usually shows).
    backoff : float, default 1.0
        Seconds slept before the second attempt; doubled before each further one.
    sleep : callable, optional
        Replaces :func:`time.sleep` between attempts (tests pass a no-op).
    refresh : bool, default False
        Download every ticker again instead of reading the cache (the new closes replace it).

    Notes
    -----
    See the module docstring for the quote conventions (:data:`TICKERS`), the cache layout and
    the data-quality rules. :func:`~basket.data.load_fx` aligns the dates and validates the
    panel; :meth:`fetch` returns the raw frame.

    Examples
    --------
    >>> TICKERS["JPY"]  # Yahoo quotes yen per dollar: the close is inverted
    YahooTicker(symbol='JPY=X', inverse=True)
    >>> YahooSource().name
    'yahoo'
    """

    name = "yahoo"

    def __init__(
        self,
        *,
        attempts: int = 3,
        backoff: float = 1.0,
        sleep: Callable[[float], None] | None = None,
        refresh: bool = False,
    ) -> None:
        if attempts < 1:
            raise SpecError(f"attempts must be at least 1, got {attempts}")
        if backoff < 0:
            raise SpecError(f"backoff must be >= 0 seconds, got {backoff}")
        self.attempts = int(attempts)
        self.backoff = float(backoff)
        self._sleep = sleep
        self.refresh = bool(refresh)

    def available(self) -> pd.DataFrame:
        """Return the currencies this source knows, their tickers and what the cache holds.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``currency`` (sorted), with columns ``first`` and ``last`` (the range
            Yahoo quotes; NaT, as it is unknown without a download, so
            :func:`~basket.data.load_fx` never rejects a range for lack of a cache), ``quotes``
            (closes held in the cache), ``ticker`` (``""`` for USD), and ``cached_first`` /
            ``cached_last`` (the range the cache covers, NaT without a cache). A cache file that
            cannot be read counts as no cache here; :meth:`fetch` reports it.
        """
        rows: dict[str, tuple[Any, ...]] = {}
        for code in sorted([*TICKERS, "USD"]):
            ticker = TICKERS[code].symbol if code in TICKERS else ""
            cached = None
            if ticker:
                try:
                    cached = _read_cache(ticker)
                except CorruptCacheError:
                    cached = None
            rows[code] = (
                pd.NaT,
                pd.NaT,
                len(cached.closes) if cached else 0,
                ticker,
                cached.start if cached else pd.NaT,
                cached.end if cached else pd.NaT,
            )
        columns = ["first", "last", "quotes", "ticker", "cached_first", "cached_last"]
        out = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
        for c in ("first", "last", "cached_first", "cached_last"):
            out[c] = pd.to_datetime(out[c])
        out["quotes"] = out["quotes"].astype(np.int64)
        out.index.name = "currency"
        return out

    def fetch(
        self, codes: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        """Return the raw USD-per-unit frame of ``codes`` from ``start`` to ``end`` inclusive.

        Parameters
        ----------
        codes : sequence of str
            Upper-case ISO codes; the columns follow this order.
        start : pandas.Timestamp or None
            First date. ``None`` means the latest cached start of the tickers asked, or
            :data:`DEFAULT_START` when one of them has no cache yet.
        end : pandas.Timestamp or None
            Last date. ``None`` means today (UTC).

        Returns
        -------
        pandas.DataFrame
            Float64 US dollars per unit, one column per code, a sorted DatetimeIndex named
            ``date`` (tz-naive midnight) holding every date on which any ticker has a close,
            NaN where a ticker has none. ``USD`` is 1.0; a request for ``USD`` alone gives
            the weekdays of the range.

        Raises
        ------
        DataError
            Unknown code.
        DataSourceError
            yfinance missing, Yahoo unreachable or rate-limited after every attempt, or a
            ticker without any close in a range that should have some.

        Warns
        -----
        DataQualityWarning
            For a corrupt cache file (ignored and downloaded again), and for non-positive
            closes or one-day spikes (dropped).
        """
        codes = [str(c) for c in codes]
        unknown = [c for c in codes if c != "USD" and c not in TICKERS]
        if unknown:
            c = unknown[0]
            raise DataError(
                f"unknown currency {c!r} for source 'yahoo'{suggest(c, [*TICKERS, 'USD'])}; "
                "run 'basket currencies --source yahoo' for the codes available"
            )
        tickers = list(dict.fromkeys(TICKERS[c].symbol for c in codes if c != "USD"))

        cached: dict[str, CachedCloses | None] = {}
        for t in tickers:
            if self.refresh:
                cached[t] = None
                continue
            try:
                cached[t] = _read_cache(t)
            except CorruptCacheError as exc:
                cached[t] = None
                warnings.warn(
                    f"yahoo: ignoring the cached closes of {t} ({exc}); downloading them again "
                    "and replacing the file (delete it, or use --refresh, to do so by hand)",
                    CacheWarning,
                    stacklevel=2,
                )

        t1 = _today() if end is None else _day(end, "end")
        if start is None:
            starts = [cached[t] for t in tickers]
            if not tickers or any(c is None for c in starts):
                t0 = DEFAULT_START
            else:
                t0 = max(c.start for c in starts if c is not None)
        else:
            t0 = _day(start, "start")
        if t0 > t1:
            raise DataError(f"start {_iso(t0)} is after end {_iso(t1)}; swap them")

        closes = self._update(tickers, cached, t0, t1)

        notes: list[str] = []
        series: dict[str, pd.Series] = {}
        for t in tickers:
            clean, found = _clean(t, closes[t], t0, t1)
            notes.extend(found)
            series[t] = clean
        for note in notes:
            warnings.warn(note, DataQualityWarning, stacklevel=2)
        for t in tickers:
            if series[t].empty and _weekdays(t0, t1) >= EXPECT_QUOTES_WEEKDAYS:
                raise DataSourceError(
                    f"yahoo has no usable close for {t} from {_iso(t0)} to {_iso(t1)}; "
                    f"the ticker may not be quoted then (pick other dates), or {_HINT}"
                )

        if tickers:
            index = pd.DatetimeIndex(
                sorted(set().union(*(s.index for s in series.values()))), name="date"
            )
        else:
            index = pd.bdate_range(t0, t1, name="date")
        data = np.empty((len(index), len(codes)), dtype=np.float64)
        for k, c in enumerate(codes):
            if c == "USD":
                data[:, k] = 1.0
                continue
            tk = TICKERS[c]
            raw = series[tk.symbol].reindex(index).to_numpy(dtype=np.float64)
            data[:, k] = 1.0 / raw if tk.inverse else raw
        return pd.DataFrame(data, index=index, columns=pd.Index(codes))

    # ----------------------------------------------------------------------------------------

    def _update(
        self,
        tickers: Sequence[str],
        cached: dict[str, CachedCloses | None],
        start: pd.Timestamp,
        end: pd.Timestamp,
    ) -> dict[str, pd.Series]:
        """Download what the cache lacks for ``[start, end]``, update it, return all closes."""
        one = pd.Timedelta(days=1)
        pieces: dict[tuple[pd.Timestamp, pd.Timestamp], list[str]] = {}
        for t in tickers:
            c = cached[t]
            if c is None:
                wanted = [(start, end)]
            else:
                wanted = []
                if start < c.start:
                    wanted.append((start, c.start - one))
                if end > c.end:
                    wanted.append((c.end + one, end))
            for piece in wanted:
                pieces.setdefault(piece, []).append(t)

        state = dict(cached)
        closes: dict[str, pd.Series] = {
            t: (c.closes if c is not None else _closes(None, [t], start, end)[t])
            for t, c in cached.items()
        }
        last_covered = _today() - one
        bar = _PROGRESS.get()
        total = sum(len(g) for (p0, p1), g in pieces.items() if _weekdays(p0, p1))
        with (bar(total) if bar is not None and total > 1
              else contextlib.nullcontext(None)) as advance:
            return self._apply(sorted(pieces.items()), closes, state, last_covered, advance)

    def _apply(
        self,
        pieces: list[tuple[tuple[pd.Timestamp, pd.Timestamp], list[str]]],
        closes: dict[str, pd.Series],
        state: dict[str, CachedCloses | None],
        last_covered: pd.Timestamp,
        advance: Callable[[], None] | None,
    ) -> dict[str, pd.Series]:
        """Download each piece, merge it into ``closes`` and the cache; name what is missing."""
        for (p0, p1), group in pieces:
            weekdays = _weekdays(p0, p1)
            expect = weekdays >= EXPECT_QUOTES_WEEKDAYS
            if not weekdays:
                got = _closes(None, group, p0, p1)
            elif advance is not None:
                got = self._download_each(group, p0, p1, expect, advance)
            else:
                got = self._download(group, p0, p1, expect)
            missing: list[str] = []
            for t in group:
                new = got[t]
                old = closes[t]
                closes[t] = pd.concat([old[~old.index.isin(new.index)], new]).sort_index()
                if new.empty and weekdays:
                    if weekdays >= EXPECT_QUOTES_WEEKDAYS:
                        missing.append(t)
                    continue  # maybe a holiday, maybe a failure: do not mark it covered
                cov_end = min(p1, last_covered)
                if cov_end < p0:
                    continue  # only today (or later): nothing final to keep
                prev = state[t]
                cov = (
                    (p0, cov_end) if prev is None else (min(prev.start, p0), max(prev.end, cov_end))
                )
                entry = CachedCloses(closes[t].loc[cov[0] : cov[1]], cov[0], cov[1])
                state[t] = entry
                _write_cache(t, entry)
            if missing:
                raise DataSourceError(
                    f"yahoo returned no close for {', '.join(missing)} from {_iso(p0)} to "
                    f"{_iso(p1)} while it did for {', '.join(t for t in group if t not in missing)}"
                    f"; the ticker may not be quoted then (pick other dates), or {_HINT}"
                )
        return closes

    def _download_each(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp, expect: bool,
        advance: Callable[[], None],
    ) -> dict[str, pd.Series]:
        """:meth:`_download` one ticker at a time, calling ``advance()`` after each.

        A ticker that fails alone is left empty (the caller names it, as for a list) unless
        every ticker failed, or the network is unreachable: then the error is raised as is.
        """
        got: dict[str, pd.Series] = {}
        error: DataSourceError | None = None
        for t in tickers:
            try:
                got.update(self._download([t], start, end, expect))
            except DataSourceError as exc:
                if str(exc).startswith("no network"):
                    raise
                got[t], error = _closes(None, [t], start, end)[t], exc
            advance()
        if error is not None and all(got[t].empty for t in tickers):
            raise error
        return got

    def _download(
        self, tickers: Sequence[str], start: pd.Timestamp, end: pd.Timestamp, expect: bool
    ) -> dict[str, pd.Series]:
        """Call ``yfinance.download`` with retries; return each ticker's closes in the range.

        With ``expect``, a ticker answered with no close is asked again on the next attempt
        (Yahoo's rate limit often shows as an empty answer); it stays empty in the result when
        every attempt failed for it but another ticker arrived. Raises when nothing arrived.
        """
        yf = _import_yfinance()
        sleep = self._sleep if self._sleep is not None else time.sleep
        got = _closes(None, tickers, start, end)
        pending = list(tickers)
        failure = "an empty answer for every ticker (rate limit?)"
        error: Exception | None = None
        for attempt in range(self.attempts):
            if attempt:
                sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with _quiet_yfinance() as log:
                    frame = yf.download(
                        pending,
                        start=_iso(start),
                        end=_iso(end + pd.Timedelta(days=1)),  # yfinance's end is exclusive
                        interval="1d",
                        auto_adjust=False,
                        actions=False,
                        progress=False,
                        group_by="column",
                        threads=False,
                    )
            except Exception as exc:  # yfinance raises many types (HTTP, rate limit, JSON)
                error, failure = exc, _one_line(exc)
                if _OFFLINE.search(failure):
                    break
                continue
            if frame is None or frame.empty:
                said = "; ".join(log.messages)
                if _OFFLINE.search(said):
                    error, failure = None, said
                    break                       # no network: retrying will not help
                if said:
                    failure = said[:160]
            answer = _closes(frame, pending, start, end)
            got.update({t: s for t, s in answer.items() if not s.empty})
            pending = [t for t in pending if answer[t].empty]
            if not expect or not pending:
                return got
            error, failure = None, "an empty answer for every ticker (rate limit?)"
        if len(pending) < len(tickers):
            return got  # partial: the caller names the tickers still missing
        if _OFFLINE.search(failure):
            raise DataSourceError(
                f"no network: cannot reach Yahoo Finance for {', '.join(tickers)}; the closes "
                "already cached are kept, use --source ecb (offline) or try again online"
            ) from None
        raise DataSourceError(
            f"yahoo: cannot download {', '.join(tickers)} from {_iso(start)} to {_iso(end)} "
            f"after {self.attempts} attempt(s): {failure}; {_HINT}"
        ) from error
