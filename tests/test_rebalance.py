"""Rebalancing rules: the calendar each rule resets on, their labels and parsing, by hand.

References: hand-picked dates (first trading days of months, quarters, years written out) and
pandas' own calendar for the vectorised month index, at every datetime64 resolution.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from basket.errors import SpecError
from basket.rebalance import (
    RULE_HELP,
    Band,
    Calendar,
    NoRebalance,
    RebalanceRule,
    Review,
    _month_index,
    parse_rule,
)

DATES = pd.DatetimeIndex(["2019-12-30", "2019-12-31", "2020-01-02", "2020-02-03", "2020-03-31",
                          "2020-04-01", "2020-06-30", "2020-07-01", "2021-01-04"], name="date")


@pytest.mark.parametrize(("frequency", "rows"), [
    ("monthly", [0, 2, 3, 4, 5, 6, 7, 8]),
    ("quarterly", [0, 2, 5, 7, 8]),
    ("annual", [0, 2, 8]),
])
def test_calendar_resets_on_the_first_date_of_each_period(frequency: str, rows: list[int]) -> None:
    resets = Calendar(frequency).calendar_resets(DATES)
    assert resets.tolist() == rows
    assert resets.dtype == np.intp
    assert Calendar(frequency).calendar_resets(DATES[:1]).tolist() == [0]
    empty = Calendar(frequency).calendar_resets(DATES[:0])
    assert empty.tolist() == [] and empty.dtype == np.intp


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_month_index_at_every_resolution(unit: str) -> None:
    days = pd.date_range("1969-12-01", "2031-03-01", freq="13D").as_unit(unit)
    expected = days.year.to_numpy() * 12 + days.month.to_numpy() - 1
    np.testing.assert_array_equal(_month_index(days.to_numpy()), expected)
    # within a day: 23:59:59 is still the same month
    late = (pd.DatetimeIndex(["2020-01-31 23:59:59", "2020-02-01"]).as_unit(unit)).to_numpy()
    assert _month_index(late).tolist() == [2020 * 12, 2020 * 12 + 1]
    assert _month_index(late).dtype == np.int64


def test_month_index_counts_whole_days_in_integers() -> None:
    # the last nanosecond of January: a float division would round it into February
    last = pd.DatetimeIndex(["2020-01-31 23:59:59.999999999", "2024-12-31 23:59:59.999999999"])
    assert _month_index(last.as_unit("ns").to_numpy()).tolist() == [2020 * 12, 2024 * 12 + 11]


def test_month_index_of_days_and_hours() -> None:
    days = np.array(["1999-12-31", "2000-01-01", "2000-02-29", "2100-03-01"], dtype="datetime64[D]")
    assert _month_index(days).tolist() == [1999 * 12 + 11, 2000 * 12, 2000 * 12 + 1, 2100 * 12 + 2]
    hours = days.astype("datetime64[h]") + np.timedelta64(23, "h")
    assert _month_index(hours).tolist() == _month_index(days).tolist()
    minutes = days.astype("datetime64[m]")
    assert _month_index(minutes).tolist() == _month_index(days).tolist()


def test_calendar_rejects_an_unknown_frequency() -> None:
    with pytest.raises(SpecError, match=r"unknown calendar frequency 'weekly'; use none, monthly, "
                                        r"quarterly, annual, band:0\.05 or review:5y"):
        Calendar("weekly")


def test_labels_and_fixed_resets() -> None:
    assert NoRebalance().label == "none"
    assert NoRebalance().calendar_resets(DATES).tolist() == []
    assert NoRebalance().calendar_resets(DATES).dtype == np.intp
    assert Calendar("quarterly").label == "quarterly"
    assert Band(0.05).label == "band:0.05" and Band(0.125).label == "band:0.125"
    assert Band(0.05).calendar_resets(DATES).tolist() == [0]
    assert Band(0.05).calendar_resets(DATES[:0]).tolist() == []
    assert Band(0.05).calendar_resets(DATES).dtype == np.intp
    assert Review(5).label == "review:5y" and Review(5, 6).label == "review:5y:6m"
    assert Review(3).window_months == 3
    for rule in (NoRebalance(), Calendar("annual"), Band(0.1), Review(2)):
        assert isinstance(rule, RebalanceRule)


@pytest.mark.parametrize(("text", "rule"), [
    ("none", NoRebalance()), ("buy-and-hold", NoRebalance()), ("HOLD", NoRebalance()),
    (" monthly ", Calendar("monthly")), ("annually", Calendar("annual")),
    ("yearly", Calendar("annual")), ("Quarterly", Calendar("quarterly")),
    ("band:0.05", Band(0.05)), ("band:.5", Band(0.5)), ("band:5e-2", Band(0.05)),
    ("band:12.5%", Band(0.125)), ("band:1E-2", Band(0.01)),
    ("review:10y", Review(10)), ("review:7", Review(7)), ("review:2y:12m", Review(2, 12)),
])
def test_parse_rule_spellings(text: str, rule: RebalanceRule) -> None:
    assert parse_rule(text) == rule


def test_parse_rule_passes_rule_objects_through() -> None:
    for rule in (NoRebalance(), Calendar("monthly"), Band(0.2), Review(4, 2)):
        assert parse_rule(rule) is rule
    assert parse_rule(None) == NoRebalance()


@pytest.mark.parametrize(("value", "message"), [
    (5, r"rebalancing rule 5 is not a string; use none, monthly"),
    (0.05, r"rebalancing rule 0\.05 is not a string"),
    ("weekly", r"unknown rebalancing rule 'weekly'; use none, monthly, quarterly, annual, "
               r"band:0\.05 or review:5y"),
    ("band:5%%", "unknown rebalancing rule"), ("band:-0.1", "unknown rebalancing rule"),
    ("review:5m", "unknown rebalancing rule"), ("review:y", "unknown rebalancing rule"),
    ("review:5y:3", "unknown rebalancing rule"), ("monthly!", "unknown rebalancing rule"),
])
def test_parse_rule_errors(value: object, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_rule(value)  # type: ignore[arg-type]


def test_rule_help_names_every_rule() -> None:
    assert RULE_HELP == "none, monthly, quarterly, annual, band:0.05 or review:5y"


@pytest.mark.parametrize(("width", "ok"), [(0.0, False), (1e-12, True), (0.999999, True),
                                            (1.0, False), (-0.05, False)])
def test_band_width_open_interval(width: float, ok: bool) -> None:
    if ok:
        assert Band(width).width == width
    else:
        with pytest.raises(SpecError, match=r"band width .* must be between 0 and 1, e\.g\. "
                                            r"band:0\.05"):
            Band(width)


def test_review_messages() -> None:
    with pytest.raises(SpecError, match=r"^review window 0 must be a whole number of months from "
                                        r"1 to 120, e\.g\. review:5y:3m$"):
        Review(5, 0)
    with pytest.raises(SpecError, match=r"^review period 51 must be a whole number of years from "
                                        r"1 to 50, e\.g\. review:5y$"):
        Review(51)
    dates = pd.DatetimeIndex(["2020-01-02", "2020-06-01"], name="date")
    for rows in (Review(1).calendar_resets(dates), Review(1).calendar_resets(dates[:0])):
        assert rows.tolist() == [] and rows.dtype == np.intp


def test_review_resets_use_whole_year_anniversaries() -> None:
    # a leap day start: the anniversaries are 2021-02-28 (a Sunday: next date 2021-03-01) and
    # 2022-02-28 (a Monday)
    dates = pd.DatetimeIndex(["2020-02-29", "2021-02-26", "2021-03-01", "2022-02-25",
                              "2022-02-28", "2022-03-01"], name="date")
    assert Review(1).calendar_resets(dates).tolist() == [2, 4]
    assert Review(2).calendar_resets(dates).tolist() == [4]
    assert Review(3).calendar_resets(dates).tolist() == []


@pytest.mark.parametrize("frequency", ["monthly", "quarterly", "annual"])
def test_no_dates_no_resets_in_both_twins(frequency: str) -> None:
    rule = Calendar(frequency)
    for resets in (rule.calendar_resets(pd.DatetimeIndex([])), rule.resets_by_month(pd.DatetimeIndex([]))):
        assert resets.shape == (0,) and resets.dtype == np.intp
