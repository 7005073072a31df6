"""User dates, parsed in one place for the CLI, the API and every file ``basket`` reads.

A date is a **calendar day**. From text only ISO 8601 ``YYYY-MM-DD`` is accepted: no day/month
guessing (``01/02/2020`` is refused, not read as January or February), no times and no time
zones (``2020-03-20T00:00+09:00`` is refused rather than shifted to 2020-03-19). Date, datetime,
:class:`pandas.Timestamp` and :class:`numpy.datetime64` objects keep the calendar day they show:
a time zone is dropped, never converted. Everything else (numbers, ``NaN``, ``None`` where a
date is required) raises :class:`~basket.errors.DataError` naming the field and the form.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pandas as pd

from basket.errors import DataError

__all__ = ["ISO_DAY", "parse_iso_date", "parse_range", "to_timestamp", "to_timestamps"]

ISO_DAY = r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
"""The ISO calendar-day pattern, ASCII digits only (``\\d`` would match any Unicode digit)."""
_ISO = re.compile(ISO_DAY)

# pandas' nanosecond Timestamps end in 2262; no FX data is older than 1900
_FIRST, _LAST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def _hint(what: str, value: Any) -> str:
    return f"{what} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2019-06-18"


def parse_iso_date(text: str, what: str = "date") -> dt.date:
    """Parse ``YYYY-MM-DD`` (surrounding spaces allowed) into a :class:`datetime.date`.

    Parameters
    ----------
    text : str
        The text, e.g. ``"2019-06-18"``.
    what : str, default "date"
        The field's name in messages (``"--start"``, ``"rates.csv line 3: date"``).

    Returns
    -------
    datetime.date

    Raises
    ------
    DataError
        Any other form, an impossible day (2019-02-30), or a year outside 1900-2200.

    Examples
    --------
    >>> parse_iso_date(" 2019-06-18 ")
    datetime.date(2019, 6, 18)
    """
    if not isinstance(text, str):
        raise DataError(_hint(what, text))
    m = _ISO.fullmatch(text.strip())
    if m is None:
        raise DataError(_hint(what, text))
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise DataError(f"{what} {text!r} is not a date (no such day); check the month and day") from None
    if not _FIRST <= day <= _LAST:
        raise DataError(f"{what} {text!r} is out of range; use a year between 1900 and 2200")
    return day


def to_timestamp(value: Any, what: str = "date") -> pd.Timestamp | None:
    """Turn a user's date into a midnight :class:`pandas.Timestamp` (``None`` passes through).

    Parameters
    ----------
    value : str, datetime.date, datetime.datetime, pandas.Timestamp, numpy.datetime64 or None
        Text must be ISO ``YYYY-MM-DD``. Objects keep the calendar day they show (a time zone
        is dropped, not converted).
    what : str, default "date"
        The field's name in messages.

    Returns
    -------
    pandas.Timestamp or None
        A tz-naive timestamp at midnight.

    Raises
    ------
    DataError
        Anything else, naming the field and the expected form.

    Examples
    --------
    >>> to_timestamp("2020-03-20")
    Timestamp('2020-03-20 00:00:00')
    >>> import datetime as dt
    >>> tokyo = dt.timezone(dt.timedelta(hours=9))
    >>> to_timestamp(dt.datetime(2020, 3, 20, 0, 30, tzinfo=tokyo))  # the day as written
    Timestamp('2020-03-20 00:00:00')
    """
    if value is None:
        return None
    if isinstance(value, str):
        return pd.Timestamp(parse_iso_date(value, what))
    if value is pd.NaT:
        raise DataError(_hint(what, value))
    if isinstance(value, pd.Timestamp):
        day = value.date()
    elif isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, np.datetime64):
        if np.isnat(value):
            raise DataError(_hint(what, value))
        day = pd.Timestamp(value).date()
    else:
        raise DataError(_hint(what, value))
    if not _FIRST <= day <= _LAST:
        raise DataError(f"{what} {day.isoformat()} is out of range; use a year between 1900 and 2200")
    return pd.Timestamp(day)


def to_timestamps(values: Any, what: str = "date") -> pd.DatetimeIndex:
    """:func:`to_timestamp` of each item, as a :class:`pandas.DatetimeIndex` (no ``None``).

    The same rules and messages, item by item; ISO strings and datetime arrays or indexes are
    checked all at once (about a microsecond a date) and fall back to the item-by-item parse,
    which names the first bad value, when any check fails.

    Parameters
    ----------
    values : sequence, numpy array, pandas Index or Series of dates
    what : str, default "date"
        The field's name in messages.

    Returns
    -------
    pandas.DatetimeIndex
        Midnight timestamps in seconds resolution (as :func:`to_timestamp` gives them),
        tz-naive, in the order given.

    Raises
    ------
    DataError
        A value :func:`to_timestamp` refuses, or ``None``.

    Examples
    --------
    >>> to_timestamps(["2020-03-20", "2020-03-23"])
    DatetimeIndex(['2020-03-20', '2020-03-23'], dtype='datetime64[s]', freq=None)
    """
    days = _days_at_once(values)
    if days is None:
        out = [to_timestamp(v, what) for v in values]
        if any(d is None for d in out):
            raise DataError(f"a {what} in the list is None; give every {what} as YYYY-MM-DD")
        return pd.DatetimeIndex(out)
    return pd.DatetimeIndex(days.astype("datetime64[s]"))


def _days_at_once(values: Any) -> np.ndarray | None:
    """The calendar days of ISO strings or datetimes as ``datetime64[D]``, checked at once;
    ``None`` when a value needs (or fails) the item-by-item parse."""
    if isinstance(values, pd.DatetimeIndex):
        idx = values if values.tz is None else values.tz_localize(None)   # the day as shown
        if idx.hasnans:
            return None
        days = idx.to_numpy().astype("datetime64[D]")
    elif isinstance(values, (list, tuple)) and values and all(type(v) is str for v in values):
        days = _iso_days(values)
        if days is None:
            return None
    else:
        arr = np.asarray(values)
        if arr.ndim != 1:
            return None
        if arr.dtype.kind in "OU" and len(arr) and all(type(v) is str for v in arr.tolist()):
            days = _iso_days(arr.tolist())
            if days is None:
                return None
        elif arr.dtype.kind == "M" and not np.isnat(arr).any():
            days = arr.astype("datetime64[D]")
        else:
            return None
    lo, hi = np.datetime64(_FIRST, "D"), np.datetime64(_LAST, "D")
    if len(days) and not ((days >= lo) & (days <= hi)).all():
        return None
    return days


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _iso_days(texts: list[str]) -> np.ndarray | None:
    """``YYYY-MM-DD`` strings (blanks around allowed) as ``datetime64[D]``, from their ASCII
    digits; ``None`` if any is not exactly that form or not a real day (the item-by-item
    parse then names it)."""
    stripped = [t.strip() for t in texts]
    if {len(t) for t in stripped} != {10}:
        return None
    try:
        raw = "".join(stripped).encode("ascii")
    except UnicodeEncodeError:
        return None
    b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 10).astype(np.int64) - 48  # '0' is 48
    digits = b[:, [0, 1, 2, 3, 5, 6, 8, 9]]
    if not ((digits >= 0) & (digits <= 9)).all() or not (b[:, [4, 7]] == -3).all():  # '-'
        return None
    year = b[:, 0] * 1000 + b[:, 1] * 100 + b[:, 2] * 10 + b[:, 3]
    month = b[:, 5] * 10 + b[:, 6]
    day = b[:, 8] * 10 + b[:, 9]
    if not ((month >= 1) & (month <= 12)).all():
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = _DAYS_IN_MONTH[month] + (leap & (month == 2))
    if not ((day >= 1) & (day <= last)).all():
        return None
    y = year - (month <= 2)                     # days from civil (H. Hinnant), y >= 0 here
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(month > 2, month - 3, month + 9) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    out: np.ndarray = (era * 146097 + doe - 719468).astype("datetime64[D]")
    return out


def parse_range(text: Any, what: str = "--window") -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Parse a date range: ``"START:END"`` (either side may be empty) or a ``(start, end)`` pair.

    Parameters
    ----------
    text : str, (start, end) or None
        ``"2019-01-01:2021-12-31"``, ``"2019-01-01:"``, ``":2021-12-31"``; a pair whose items
        are dates or ``None``; ``None`` for neither bound.
    what : str, default "--window"
        The option's name in messages.

    Returns
    -------
    (start, end) : tuple of pandas.Timestamp or None

    Raises
    ------
    DataError
        Not ``START:END``, a malformed date, or a start after the end.

    Examples
    --------
    >>> parse_range("2019-01-01:")
    (Timestamp('2019-01-01 00:00:00'), None)
    """
    if text is None:
        return None, None
    if isinstance(text, str):
        if text.count(":") != 1:
            raise DataError(
                f"{what} {text!r} is not START:END; write e.g. 2019-01-01:2021-12-31, "
                "2019-01-01: or :2021-12-31"
            )
        lo_raw, hi_raw = (part.strip() or None for part in text.split(":"))
    elif isinstance(text, (tuple, list)) and len(text) == 2:
        lo_raw, hi_raw = text
    else:
        raise DataError(f"{what} {text!r} must be 'START:END' or a (start, end) pair")
    lo, hi = to_timestamp(lo_raw, f"{what} start"), to_timestamp(hi_raw, f"{what} end")
    if lo is not None and hi is not None and lo > hi:
        raise DataError(f"{what}: start {lo.date()} is after end {hi.date()}; swap them")
    return lo, hi
