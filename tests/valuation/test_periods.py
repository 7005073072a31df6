"""Tests of basket.valuation.periods: underwater curve, drawdown episodes, period returns.

Reference values are worked out by hand in each test (a few dates, round numbers), checked a
second way where one exists (compounding months gives the year; the deepest episode is
:func:`basket.valuation.metrics.max_drawdown`), and by properties over random walks.
Tolerances: 1e-12 relative for exact arithmetic on round numbers (one or two divisions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.errors import DataError
from basket.valuation.metrics import max_drawdown
from basket.valuation.periods import (
    EPISODE_COLUMNS,
    MONTHS,
    drawdown,
    drawdown_episodes,
    monthly_returns,
    yearly_returns,
)


def series(values: list[float], dates: list[str] | None = None, start: str = "2020-01-01"):
    index = pd.to_datetime(dates) if dates else pd.date_range(start, periods=len(values))
    return pd.Series(values, index=index, name="USD")


# --------------------------------------------------------------------------- drawdown
def test_drawdown_by_hand_and_input_type() -> None:
    s = series([100.0, 120.0, 90.0, 96.0, 130.0, 117.0])
    # running peaks 100, 120, 120, 120, 130, 130: 0, 0, -0.25, -0.2, 0, -0.1
    expected = [0.0, 0.0, -0.25, -0.2, 0.0, -0.1]
    out = drawdown(s)
    assert isinstance(out, pd.Series) and out.index.equals(s.index) and out.name == "USD"
    np.testing.assert_allclose(out.to_numpy(), expected, rtol=1e-12, atol=1e-15)
    frame = pd.DataFrame({"USD": s, "EUR": s * 2})
    both = drawdown(frame)
    assert isinstance(both, pd.DataFrame) and list(both.columns) == ["USD", "EUR"]
    np.testing.assert_allclose(both.to_numpy(), np.column_stack([expected, expected]),
                               rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------------------- episodes
def test_drawdown_episodes_by_hand() -> None:
    # 2020-01-01 .. 2020-01-10
    s = series([100.0, 80.0, 90.0, 100.0, 110.0, 55.0, 66.0, 121.0, 108.9, 110.0])
    ep = drawdown_episodes(s, top=None)
    assert list(ep.columns) == EPISODE_COLUMNS and ep.index.name == "rank"
    assert list(ep.index) == [1, 2, 3]
    # deepest: peak 110 on 01-05, trough 55 on 01-06 (-50%), back above 110 on 01-08
    # then: peak 100 on 01-01, trough 80 on 01-02 (-20%), back at 100 on 01-04
    # last: peak 121 on 01-08, 108.9 on 01-09 (-10%), still below on 01-10 (open)
    assert ep["depth"].tolist() == pytest.approx([-0.5, -0.2, -0.1], rel=1e-12)
    assert [d.strftime("%m-%d") for d in ep["peak"]] == ["01-05", "01-01", "01-08"]
    assert [d.strftime("%m-%d") for d in ep["trough"]] == ["01-06", "01-02", "01-09"]
    assert ep["recovery"].iloc[0] == pd.Timestamp("2020-01-08")
    assert ep["recovery"].iloc[1] == pd.Timestamp("2020-01-04")
    assert ep["recovery"].iloc[2] is pd.NaT
    assert ep["days_down"].tolist() == [1, 1, 1]
    assert ep["days_to_recover"].iloc[:2].tolist() == [2.0, 2.0]
    assert np.isnan(ep["days_to_recover"].iloc[2])
    assert ep["days"].tolist() == [3, 3, 2]  # the open one runs to the last date, 01-10
    assert ep["days"].dtype == np.int64 and ep["depth"].dtype == np.float64
    top = drawdown_episodes(s, top=2)
    pd.testing.assert_frame_equal(top, ep.iloc[:2])


def test_drawdown_episode_calendar_days_span_weekends() -> None:
    s = series([10.0, 9.0, 10.0], dates=["2021-01-08", "2021-01-11", "2021-01-18"])  # Fri, Mon
    (row,) = drawdown_episodes(s).itertuples()
    assert (row.days_down, row.days_to_recover, row.days) == (3, 7.0, 10)


def test_no_drawdown_gives_an_empty_table_with_the_columns() -> None:
    ep = drawdown_episodes(series([1.0, 1.0, 2.0, 3.0]))
    assert ep.empty and list(ep.columns) == EPISODE_COLUMNS
    assert drawdown_episodes(series([5.0])).empty


def test_ties_in_depth_keep_the_earlier_episode_first() -> None:
    ep = drawdown_episodes(series([1.0, 0.5, 1.0, 0.5, 1.0]))
    assert list(ep["peak"].dt.day) == [1, 3]


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 400),
       sigma=st.floats(0.001, 0.05))
def test_episodes_agree_with_max_drawdown_and_the_curve(seed: int, n: int, sigma: float) -> None:
    """A second method: the deepest episode is metrics.max_drawdown; every episode's depth is
    the minimum of the underwater curve between its peak and its recovery."""
    rng = np.random.default_rng(seed)
    s = pd.Series(np.exp(np.cumsum(rng.normal(0, sigma, n))),
                  index=pd.bdate_range("2001-01-01", periods=n))
    before = s.copy()
    ep = drawdown_episodes(s, top=None)
    pd.testing.assert_series_equal(s, before)  # input untouched
    curve = drawdown(s)
    mdd = max_drawdown(s)
    if ep.empty:
        assert mdd["depth"] == 0.0
        return
    first = ep.iloc[0]
    assert first["depth"] == mdd["depth"]
    assert first["trough"] == mdd["trough"]
    assert (first["recovery"] is pd.NaT) == (mdd["recovery"] is None)
    assert s.loc[first["peak"]] == s.loc[mdd["peak"]]  # the same peak value
    for row in ep.itertuples():
        end = row.recovery if row.recovery is not pd.NaT else s.index[-1]
        window = curve.loc[row.peak:end]
        assert window.min() == row.depth and curve.loc[row.peak] == 0.0
        assert (window.iloc[1:-1] < 0).all() if len(window) > 2 else True
    assert ep["depth"].is_monotonic_increasing
    assert len(ep) == int(np.sum(np.diff(np.r_[0, (curve < 0).astype(int)]) == 1))


# --------------------------------------------------------------------------- period returns
def test_monthly_and_yearly_returns_by_hand() -> None:
    s = series(
        [100.0, 102.0, 110.0, 99.0, 108.9, 105.0, 126.0],
        dates=["2020-11-16", "2020-11-30", "2020-12-31", "2021-01-29", "2021-02-26",
               "2021-04-30", "2022-03-31"],
    )
    m = monthly_returns(s)
    assert list(m.columns) == list(MONTHS) and list(m.index) == [2020, 2021, 2022]
    assert m.index.name == "year"
    # Nov 2020 from the first value: 102/100 - 1; Dec: 110/102 - 1; Jan 2021: 99/110 - 1 = -10%;
    # Feb: 108.9/99 - 1 = 10%; no March value: Apr is 105/108.9 - 1 over two months;
    # Mar 2022: 126/105 - 1 = 20% (every month between is NaN, never zero)
    assert m.loc[2020, "Nov"] == pytest.approx(0.02, rel=1e-12)
    assert m.loc[2020, "Dec"] == pytest.approx(110 / 102 - 1, rel=1e-12)
    assert m.loc[2021, "Jan"] == pytest.approx(-0.1, rel=1e-12)
    assert m.loc[2021, "Feb"] == pytest.approx(0.1, rel=1e-12)
    assert np.isnan(m.loc[2021, "Mar"])
    assert m.loc[2021, "Apr"] == pytest.approx(105 / 108.9 - 1, rel=1e-12)
    assert m.loc[2022, "Mar"] == pytest.approx(0.2, rel=1e-12)
    assert int(m.notna().sum().sum()) == 6
    y = yearly_returns(s)
    assert y.index.name == "year" and y.name == "USD"
    assert y.to_dict() == pytest.approx({2020: 0.1, 2021: 105 / 110 - 1, 2022: 0.2}, rel=1e-12)


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 800))
def test_compounding_the_months_gives_the_year(seed: int, n: int) -> None:
    rng = np.random.default_rng(seed)
    s = pd.Series(np.exp(np.cumsum(rng.normal(0, 0.01, n))),
                  index=pd.bdate_range("2003-03-17", periods=n))
    m, y = monthly_returns(s), yearly_returns(s)
    assert list(m.index) == list(y.index)
    compounded = (1 + m.fillna(0.0)).prod(axis=1) - 1
    np.testing.assert_allclose(compounded.to_numpy(), y.to_numpy(), rtol=1e-9, atol=1e-12)
    total = (1 + y).prod() - 1  # and the years give the whole period
    assert total == pytest.approx(s.iloc[-1] / s.iloc[0] - 1, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("values", "pattern"),
    [
        (np.array([1.0, 2.0]), "must be a pandas Series"),
        (pd.Series([1.0, 2.0]), "need a DatetimeIndex"),
        (pd.Series([], index=pd.DatetimeIndex([]), dtype=float), "are empty"),
        (series([1.0, 2.0], dates=["2020-01-02", "2020-01-01"]), "sorted, unique dates"),
        (series([1.0, 0.0]), "positive and finite"),
        (series([1.0, float("nan")]), "positive and finite"),
    ],
)
@pytest.mark.parametrize("func", [drawdown, drawdown_episodes, monthly_returns, yearly_returns])
def test_bad_series_are_refused(func, values, pattern: str) -> None:
    with pytest.raises(DataError, match=pattern):
        func(values)


@pytest.mark.parametrize("top", [0, -1, 1.5, True])
def test_bad_top_is_refused(top) -> None:
    with pytest.raises(DataError, match="must be a whole number of episodes"):
        drawdown_episodes(series([1.0, 0.5]), top=top)
