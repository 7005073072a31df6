"""The one user-date parser: ISO ``YYYY-MM-DD`` only, the calendar day as written."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.dates import parse_iso_date, parse_range, to_timestamp
from basket.errors import DataError

TOKYO = dt.timezone(dt.timedelta(hours=9))
NEW_YORK = dt.timezone(dt.timedelta(hours=-5))


@pytest.mark.parametrize("text", [
    "01/02/2020",                  # month first or day first? never guessed
    "13/02/2020",
    "2020/03/20",
    "20200320",                    # basic ISO: refused, as on the CLI
    "2020-03-20T00:00+09:00",      # a time and a zone: refused, not shifted to 03-19
    "2020-03-20 00:00",
    "-2019-01-01",
    "2019-1-5",
    "March 20, 2020",
    "",
    "2020-02-30",                  # no such day
    "1899-12-31",                  # out of range
    "2263-01-01",
    "\u0662\u0660\u0662\u0660-\u0660\u0663-\u0662\u0660",   # Arabic-Indic digits: 0-9 only
    "\uff12\uff10\uff12\uff10-\uff10\uff13-\uff12\uff10",   # full-width digits
])
def test_anything_but_iso_is_refused(text: str) -> None:
    with pytest.raises(DataError, match=r"start .* (is not a date|is out of range)"):
        to_timestamp(text, "start")


@pytest.mark.parametrize("value", [20200320, 3.5, float("nan"), True, [2020, 3, 20], pd.NaT,
                                   np.datetime64("NaT"), object()])
def test_non_dates_are_refused(value: object) -> None:
    with pytest.raises(DataError, match=r"^end .* is not a date; write it as YYYY-MM-DD"):
        to_timestamp(value, "end")


def test_date_objects_keep_their_calendar_day() -> None:
    day = pd.Timestamp("2020-03-20")
    assert to_timestamp("2020-03-20") == day
    assert to_timestamp(" 2020-03-20 ") == day
    assert to_timestamp(dt.date(2020, 3, 20)) == day
    assert to_timestamp(dt.datetime(2020, 3, 20, 23, 59)) == day
    # zones are dropped, not converted: 00:30 in Tokyo is still the 20th
    assert to_timestamp(dt.datetime(2020, 3, 20, 0, 30, tzinfo=TOKYO)) == day
    assert to_timestamp(dt.datetime(2020, 3, 20, 23, 30, tzinfo=NEW_YORK)) == day
    assert to_timestamp(pd.Timestamp("2020-03-20 00:30", tz="Asia/Tokyo")) == day
    assert to_timestamp(np.datetime64("2020-03-20T12:00")) == day
    assert to_timestamp(None) is None


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_iso_text_round_trips(day: dt.date) -> None:
    assert parse_iso_date(day.isoformat()) == day
    assert to_timestamp(day.isoformat()) == pd.Timestamp(day)


def test_ranges() -> None:
    assert parse_range("2019-01-01:2019-12-31") == (pd.Timestamp("2019-01-01"),
                                                    pd.Timestamp("2019-12-31"))
    assert parse_range(":2019-12-31") == (None, pd.Timestamp("2019-12-31"))
    assert parse_range(("2019-01-01", None)) == (pd.Timestamp("2019-01-01"), None)
    assert parse_range(None) == (None, None)
    with pytest.raises(DataError, match=r"--window '2019' is not START:END"):
        parse_range("2019", "--window")
    with pytest.raises(DataError, match=r"start 2020-01-01 is after end 2019-01-01; swap them"):
        parse_range("2020-01-01:2019-01-01")
    with pytest.raises(DataError, match=r"--window start '01/01/2019' is not a date"):
        parse_range("01/01/2019:", "--window")
    with pytest.raises(DataError, match=r"must be 'START:END' or a \(start, end\) pair"):
        parse_range(42)
