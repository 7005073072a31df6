"""The FX panel contract, enforced in one place (pure: numpy/pandas only).

An *FX panel* is a :class:`pandas.DataFrame` of **US dollars per one unit** of each currency:

* one float64 column per upper-case ISO code, in the order the user asked for; ``USD`` is 1.0;
* a tz-naive :class:`pandas.DatetimeIndex` named ``date``, sorted ascending, unique, at midnight;
* no NaN, every value finite and strictly positive, between :data:`MIN_RATE` and
  :data:`MAX_RATE` USD per unit.

Sources return *raw* frames in the same units that may hold NaN where a currency has no quote;
:func:`align_panel` turns one into a panel under an explicit, documented rule and
:func:`validate_panel` checks the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from basket.errors import DataError, DataGapWarning

__all__ = ["MAX_RATE", "MIN_RATE", "align_panel", "aligned_with_notes", "validate_panel"]

MIN_RATE, MAX_RATE = 1e-12, 1e12
"""Plausible US dollars per unit of a currency (no currency is quoted outside them; beyond them
float64 sums of amounts times rates lose their meaning)."""


_TICKS_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000,
                  "us": 86_400_000_000, "ns": 86_400_000_000_000}


def _ticks_into_day(stamps: np.ndarray) -> np.ndarray:
    """How far past midnight each datetime64 is, in the array's own unit (cheap integer test)."""
    unit, count = np.datetime_data(stamps.dtype)
    per_day = _TICKS_PER_DAY[unit] // count
    return stamps.view(np.int64) % per_day


def validate_panel(panel: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Check that ``panel`` meets the FX panel contract and return it unchanged.

    Parameters
    ----------
    panel : pandas.DataFrame
        Candidate panel, USD per unit of each column's currency.
    codes : sequence of str, optional
        The columns expected, in this order.

    Returns
    -------
    pandas.DataFrame
        ``panel`` itself (not a copy).

    Raises
    ------
    DataError
        Naming the first broken rule: type, index, columns, dtype, NaN or non-positive values.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DatetimeIndex(["2019-06-18", "2019-06-19"], name="date")
    >>> p = pd.DataFrame({"USD": [1.0, 1.0], "EUR": [1.12, 1.13]}, index=idx)
    >>> validate_panel(p, ["USD", "EUR"]) is p
    True
    """
    if not isinstance(panel, pd.DataFrame):
        raise DataError(f"an FX panel must be a pandas DataFrame, got {type(panel).__name__}")
    idx = panel.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataError("an FX panel needs a DatetimeIndex of dates; parse the date column first")
    if idx.name != "date":
        raise DataError(f"an FX panel's index must be named 'date', not {idx.name!r}")
    if idx.tz is not None:
        raise DataError("an FX panel's dates must be tz-naive calendar dates; use .tz_localize(None)")
    stamps = idx.to_numpy()
    if len(stamps) and (_ticks_into_day(stamps) != 0).any():
        raise DataError("an FX panel's dates must be at midnight (one row per calendar day)")
    if len(stamps) > 1 and not (stamps[1:] > stamps[:-1]).all():
        if not idx.is_unique:
            dup = idx[idx.duplicated()][0]
            raise DataError(f"an FX panel has the date {dup.date()} twice; keep one row per date")
        raise DataError("an FX panel's dates must be sorted ascending; call .sort_index()")
    cols = [str(c) for c in panel.columns]
    if len(set(cols)) != len(cols):
        raise DataError(f"an FX panel names a currency twice: {cols}")
    for c in cols:
        if len(c) != 3 or not c.isalpha() or not c.isupper():
            raise DataError(f"FX panel column {c!r} is not an upper-case ISO code")
    if codes is not None and cols != list(codes):
        raise DataError(f"FX panel columns {cols} do not match the requested {list(codes)}")
    for c, dtype in zip(cols, panel.dtypes):
        if dtype != np.float64:
            raise DataError(f"FX panel column {c!r} has dtype {dtype}, expected float64")
    values = panel.to_numpy()
    if values.size:
        bad = ~np.isfinite(values)
        if bad.any():
            r, k = np.argwhere(bad)[0]
            raise DataError(
                f"FX panel has no valid rate for {cols[k]} on {idx[r].date()} (NaN or infinite)"
            )
        nonpos = values <= 0
        if nonpos.any():
            r, k = np.argwhere(nonpos)[0]
            raise DataError(
                f"FX panel rate for {cols[k]} on {idx[r].date()} is {float(values[r, k])!r}; "
                "rates must be positive"
            )
        wild = (values < MIN_RATE) | (values > MAX_RATE)
        if wild.any():
            r, k = np.argwhere(wild)[0]
            raise DataError(
                f"FX panel rate for {cols[k]} on {idx[r].date()} is {float(values[r, k])!r} USD "
                f"per unit, outside {MIN_RATE:g} to {MAX_RATE:g}; check the number and its quote "
                "convention"
            )
    if "USD" in cols and values.size and not (values[:, cols.index("USD")] == 1.0).all():
        raise DataError("an FX panel's USD column must be exactly 1.0 (USD per USD)")
    return panel


def _calendar_ffill(col: pd.Series, limit_days: int) -> pd.Series:
    """Forward-fill ``col`` but only up to ``limit_days`` calendar days after a real quote."""
    valid = col.notna()
    last_quote = pd.Series(col.index.where(valid), index=col.index).ffill()
    age = (col.index - pd.DatetimeIndex(last_quote)).days
    filled = col.ffill()
    return filled.where(valid | (np.asarray(age) <= limit_days))


def align_panel(
    raw: pd.DataFrame,
    codes: Sequence[str],
    *,
    fill: str = "none",
    fill_limit: int = 5,
    source: str = "data",
) -> pd.DataFrame:
    """Turn a raw frame with NaN holes into an FX panel under an explicit alignment rule.

    Parameters
    ----------
    raw : pandas.DataFrame
        USD per unit, a sorted DatetimeIndex, NaN where a currency has no quote.
    codes : sequence of str
        Columns to keep, in this order.
    fill : {"none", "ffill"}, default "none"
        ``"none"`` keeps only the dates on which **every** requested currency has a quote.
        ``"ffill"`` first carries each currency's last quote forward for at most
        ``fill_limit`` calendar days (for sources whose calendars differ), then drops the
        dates still incomplete.
    fill_limit : int, default 5
        Maximum age, in calendar days, of a carried-forward quote.
    source : str
        Name used in messages.

    Returns
    -------
    pandas.DataFrame
        A panel meeting :func:`validate_panel`. ``attrs["dropped_dates"]`` counts the dates
        dropped because some (not all) currencies lacked a quote, ``attrs["filled_quotes"]`` the
        number of quotes carried forward (the warning names them by currency).

    Raises
    ------
    DataError
        If no date is left, or ``fill`` is not a known rule.

    Warns
    -----
    DataGapWarning
        When dates on which some currencies had quotes are dropped, or quotes are filled.
    """
    panel, messages = aligned_with_notes(raw, codes, fill=fill, fill_limit=fill_limit,
                                         source=source)
    for message in messages:
        warnings.warn(message, DataGapWarning, stacklevel=3)
    return panel


def aligned_with_notes(
    raw: pd.DataFrame,
    codes: Sequence[str],
    *,
    fill: str = "none",
    fill_limit: int = 5,
    source: str = "data",
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`align_panel` without warning: the panel and the messages of the warnings it
    gives (a memoised panel gives the same warnings every time it is handed out)."""
    if fill not in ("none", "ffill"):
        raise DataError(f"unknown fill rule {fill!r}; use 'none' or 'ffill'")
    if fill_limit < 0:
        raise DataError(f"fill_limit must be >= 0 days, got {fill_limit}")
    frame = raw.loc[:, list(codes)].astype(np.float64)
    frame = frame.loc[frame.notna().any(axis=1)]
    filled: dict[str, int] = {}
    messages: list[str] = []
    if fill == "ffill":
        before = frame.isna()
        frame = frame.apply(_calendar_ffill, limit_days=fill_limit)
        counts = (before & frame.notna()).sum()
        filled = {str(c): int(n) for c, n in counts.items() if n}
    complete = frame.notna().all(axis=1)
    dropped = int((~complete).sum())
    if dropped:
        missing = frame.loc[~complete].isna().sum()
        detail = ", ".join(f"{c} {int(n)}" for c, n in missing.items() if n)
        messages.append(
            f"{source}: dropped {dropped} date(s) on which not every currency had a quote "
            f"(missing quotes: {detail}); pass fill='ffill' with a day limit to carry quotes forward"
        )
    if filled:
        detail = ", ".join(f"{c} {n}" for c, n in filled.items())
        messages.append(
            f"{source}: carried {sum(filled.values())} quote(s) forward by at most "
            f"{fill_limit} day(s) ({detail})"
        )
    panel = frame.loc[complete].copy()
    if panel.empty:
        for message in messages:          # what was dropped explains why nothing is left
            warnings.warn(message, DataGapWarning, stacklevel=4)
        raise DataError(
            f"{source}: no date on which all of {', '.join(codes)} have a quote in the range asked"
        )
    panel.index = pd.DatetimeIndex(panel.index, name="date")
    panel.columns = pd.Index([str(c) for c in panel.columns])
    # flat scalars only: pandas deep-copies attrs on every operation
    panel.attrs = {"source": source, "dropped_dates": dropped, "filled_quotes": sum(filled.values())}
    return validate_panel(panel, codes), messages
