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

__all__ = ["parse_iso_date", "parse_range", "to_timestamp"]

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

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
