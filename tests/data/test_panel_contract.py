"""The panel contract to the letter: every refusal's whole message, the alignment's defaults,
and where its warnings point.

The messages are part of the contract (the CLI prints them as the user's one-line error), so
each is matched whole. Expected panels are written out by hand from the raw rows.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from basket.data.panel import align_panel, aligned_with_notes, validate_panel
from basket.errors import DataError, DataGapWarning


def _frame(cols: dict[str, list[float]], dates: list[str], name: str | None = "date") -> pd.DataFrame:
    return pd.DataFrame(cols, index=pd.DatetimeIndex(dates, name=name))


def _refused(frame: object, message: str, codes: list[str] | None = None) -> None:
    with pytest.raises(DataError, match="^" + re.escape(message) + "$"):
        validate_panel(frame, codes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- validate_panel
def test_each_refusal_is_named_in_full() -> None:
    _refused(np.ones((2, 2)), "an FX panel must be a pandas DataFrame, got ndarray")
    _refused(pd.Series([1.0]), "an FX panel must be a pandas DataFrame, got Series")
    _refused(pd.DataFrame({"EUR": [1.0]}, index=["2020-01-02"]),
             "an FX panel needs a DatetimeIndex of dates; parse the date column first")
    tz = pd.DataFrame({"EUR": [1.0]}, index=pd.DatetimeIndex(["2020-01-02"], name="date",
                                                           tz="Europe/Paris"))
    _refused(tz, "an FX panel's dates must be tz-naive calendar dates; use .tz_localize(None)")
    _refused(_frame({"EUR": [1.0]}, ["2020-01-02 12:00"]),
             "an FX panel's dates must be at midnight (one row per calendar day)")
    twice = pd.DataFrame([[1.0, 1.1]], columns=["EUR", "EUR"],
                         index=pd.DatetimeIndex(["2020-01-02"], name="date"))
    _refused(twice, "an FX panel names a currency twice: ['EUR', 'EUR']")
    _refused(_frame({"USD": [1.0, 1.0]}, ["2020-01-02", "2020-01-02"]),
             "an FX panel has the date 2020-01-02 twice; keep one row per date")
    _refused(_frame({"USD": [1.1]}, ["2020-01-02"]),
             "an FX panel's USD column must be exactly 1.0 (USD per USD)")
    _refused(_frame({"EUR": [2e12]}, ["2020-01-02"]),
             "FX panel rate for EUR on 2020-01-02 is 2000000000000.0 USD per unit, outside 1e-12 "
             "to 1e+12; check the number and its quote convention")
    _refused(_frame({"EUR": [1.0]}, ["2020-01-02"]),
             "FX panel columns ['EUR'] do not match the requested ['USD']", ["USD"])


def test_dates_out_of_order_anywhere_are_refused() -> None:
    # the first date is the earliest; the disorder is between the second and third rows
    msg = "an FX panel's dates must be sorted ascending; call .sort_index()"
    _refused(_frame({"EUR": [1.0, 1.1, 1.2]}, ["2020-01-02", "2020-01-06", "2020-01-03"]), msg)
    _refused(_frame({"EUR": [1.0, 1.1, 1.2, 1.3]},
                    ["2020-01-02", "2020-01-03", "2020-01-07", "2020-01-06"]), msg)
    one = _frame({"EUR": [1.0]}, ["2020-01-02"])
    assert validate_panel(one) is one


def test_a_date_one_tick_past_midnight_is_refused_in_every_unit() -> None:
    msg = "an FX panel's dates must be at midnight (one row per calendar day)"
    # 1 ns past midnight in 2020: a float would round it back to midnight (ulp 256 ns)
    _refused(_frame({"EUR": [1.0, 1.1]}, ["2020-01-02", "2020-01-03 00:00:00.000000001"]), msg)
    for unit, late in (("s", "00:00:01"), ("ms", "00:00:00.001"), ("us", "00:00:00.000001")):
        idx = pd.DatetimeIndex(["2020-01-02", f"2020-01-03 {late}"], name="date").as_unit(unit)
        _refused(pd.DataFrame({"EUR": [1.0, 1.1]}, index=idx), msg)
        ok = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date").as_unit(unit)
        frame = pd.DataFrame({"EUR": [1.0, 1.1]}, index=ok)
        assert validate_panel(frame) is frame


@pytest.mark.parametrize("code", ["EURO", "EU", "EU1", "E1R", "eur", "Eur", "U$D", "123"])
def test_only_three_upper_case_letters_name_a_currency(code: str) -> None:
    _refused(_frame({code: [1.0]}, ["2020-01-02"]),
             f"FX panel column {code!r} is not an upper-case ISO code")


# --------------------------------------------------------------------------- alignment
RAW = pd.DataFrame(
    {"USD": [1.0] * 4, "EUR": [1.1, np.nan, np.nan, 1.4], "JPY": [0.01, 0.02, 0.03, 0.04]},
    index=pd.DatetimeIndex(["2020-01-01", "2020-01-06", "2020-01-07", "2020-01-08"]),
)


def test_the_defaults_keep_complete_dates_only_and_name_the_data() -> None:
    with pytest.warns(DataGapWarning) as record:
        panel = align_panel(RAW, ["USD", "EUR"])
    assert [str(w.message) for w in record] == [
        "data: dropped 2 date(s) on which not every currency had a quote (missing quotes: EUR 2); "
        "pass fill='ffill' with a day limit to carry quotes forward"]
    assert panel.index.tolist() == [pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-08")]
    assert panel.index.name == "date", "an unnamed raw index is named 'date'"
    assert panel.attrs == {"source": "data", "dropped_dates": 2, "filled_quotes": 0}
    same, messages = aligned_with_notes(RAW, ["USD", "EUR"])
    pd.testing.assert_frame_equal(same, panel)
    assert messages == [str(record[0].message)]


def test_the_default_fill_limit_is_five_calendar_days() -> None:
    # EUR's 2020-01-01 quote is 5 days old on the 6th (carried) and 6 days old on the 7th (not)
    with pytest.warns(DataGapWarning):
        panel = align_panel(RAW, ["USD", "EUR", "JPY"], fill="ffill")
    assert panel.index.strftime("%m-%d").tolist() == ["01-01", "01-06", "01-08"]
    assert panel["EUR"].tolist() == [1.1, 1.1, 1.4]
    _, messages = aligned_with_notes(RAW, ["USD", "EUR", "JPY"], fill="ffill")
    assert messages == [
        "data: dropped 1 date(s) on which not every currency had a quote (missing quotes: EUR 1); "
        "pass fill='ffill' with a day limit to carry quotes forward",
        "data: carried 1 quote(s) forward by at most 5 day(s) (EUR 1)"]
    _, messages = aligned_with_notes(RAW, ["USD", "EUR", "JPY"], fill="ffill", fill_limit=6)
    assert messages == ["data: carried 2 quote(s) forward by at most 6 day(s) (EUR 2)"]


def test_the_fill_message_lists_each_currency() -> None:
    raw = RAW.assign(JPY=[0.01, 0.02, 0.03, np.nan])
    _, messages = aligned_with_notes(raw, ["EUR", "JPY"], fill="ffill", fill_limit=6,
                                     source="ecb")
    assert messages == ["ecb: carried 3 quote(s) forward by at most 6 day(s) (EUR 2, JPY 1)"]


def test_the_panel_is_float64_named_date_in_the_order_asked() -> None:
    raw = RAW.astype(np.float32).rename_axis("Date")
    panel, _ = aligned_with_notes(raw, ["JPY", "USD"], source="csv")
    assert panel.columns.tolist() == ["JPY", "USD"]
    assert panel.dtypes.tolist() == [np.float64, np.float64]
    assert panel.index.name == "date"
    assert panel["JPY"].tolist() == [float(np.float32(x)) for x in (0.01, 0.02, 0.03, 0.04)]


def test_nothing_left_names_every_currency_and_says_what_was_dropped() -> None:
    raw = RAW.assign(JPY=[np.nan, 0.02, 0.03, np.nan])
    with pytest.warns(DataGapWarning, match=r"^ecb: dropped 4 date\(s\)") as record:
        with pytest.raises(DataError, match=r"^ecb: no date on which all of EUR, JPY have a "
                                            r"quote in the range asked$"):
            align_panel(raw, ["EUR", "JPY"], source="ecb")
    assert len(record) == 1


def _a_source(raw: pd.DataFrame, codes: list[str]) -> pd.DataFrame:
    """A data source's fetch: the alignment's warnings belong to whoever asked it for data."""
    return align_panel(raw, codes, source="mine")


@pytest.mark.skipif(hasattr(align_panel, "__wrapped__"),
                    reason="mutmut's trampolines add stack frames")
def test_warnings_point_at_the_code_that_asked_for_the_data() -> None:
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = _line_of_next_call()
        _a_source(RAW, ["USD", "EUR"])
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line)]
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = _line_of_next_call()
        with pytest.raises(DataError):
            _a_source(RAW.assign(JPY=[np.nan, 0.02, 0.03, np.nan]), ["EUR", "JPY"])
    assert [(w.filename, w.lineno) for w in record] == [(__file__, line + 1)]
    assert str(record[0].message).startswith("mine: dropped 4 date(s)")


def _line_of_next_call() -> int:
    import inspect

    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno + 1
