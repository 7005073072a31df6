"""The panel contract: alignment of raw source frames, property-tested."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.data.panel import align_panel, validate_panel
from basket.errors import DataError, DataGapWarning

CODES = ["USD", "EUR", "JPY", "GBP", "SGD", "CHF"]


@st.composite
def raw_frames(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str]]:
    """A raw source frame: positive USD-per-unit rates with NaN holes on business days."""
    n_cols = draw(st.integers(1, 4))
    codes = draw(st.permutations(CODES))[:n_cols]
    n_rows = draw(st.integers(1, 40))
    dates = pd.bdate_range("2020-01-01", periods=n_rows, name="date")
    cols = {}
    for c in codes:
        if c == "USD":
            values = [1.0] * n_rows
        else:
            values = draw(st.lists(st.floats(0.001, 1000.0), min_size=n_rows, max_size=n_rows))
        holes = draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows))
        cols[c] = [np.nan if h else v for v, h in zip(values, holes)]
    return pd.DataFrame(cols, index=dates), list(codes)


@given(raw_frames(), st.sampled_from(["none", "ffill"]), st.integers(0, 6))
def test_alignment_meets_the_contract_and_invents_nothing(
    case: tuple[pd.DataFrame, list[str]], fill: str, limit: int
) -> None:
    raw, codes = case
    before = raw.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataGapWarning)
        try:
            panel = align_panel(raw, codes, fill=fill, fill_limit=limit)
        except DataError as exc:
            assert "no date on which all of" in str(exc)
            assert raw.isna().any(axis=1).all() or fill == "ffill"
            return
    pd.testing.assert_frame_equal(raw, before)  # input untouched
    validate_panel(panel, codes)
    for day, row in panel.iterrows():
        for c in codes:
            if fill == "none":
                assert row[c] == raw.at[day, c]
            else:  # the last real quote at most `limit` calendar days old
                history = raw.loc[:day, c].dropna()
                assert row[c] == history.iloc[-1]
                assert (day - history.index[-1]).days <= limit


def test_dropped_dates_are_reported() -> None:
    idx = pd.bdate_range("2020-01-01", periods=3, name="date")
    raw = pd.DataFrame({"USD": 1.0, "EUR": [1.1, np.nan, 1.2]}, index=idx)
    with pytest.warns(DataGapWarning, match=r"dropped 1 date\(s\).*EUR 1"):
        panel = align_panel(raw, ["USD", "EUR"])
    assert panel.attrs["dropped_dates"] == 1


def test_filled_quotes_are_reported() -> None:
    idx = pd.bdate_range("2020-01-01", periods=3, name="date")
    raw = pd.DataFrame({"USD": 1.0, "EUR": [1.1, np.nan, 1.2]}, index=idx)
    with pytest.warns(DataGapWarning, match=r"carried 1 quote\(s\) forward"):
        panel = align_panel(raw, ["USD", "EUR"], fill="ffill", fill_limit=3)
    assert panel["EUR"].tolist() == [1.1, 1.1, 1.2]


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"EUR": [1.0]}, index=pd.DatetimeIndex(["2020-01-01"])), "named 'date'"),
        (pd.DataFrame({"EUR": [1.0, 1.1]},
                      index=pd.DatetimeIndex(["2020-01-02", "2020-01-01"], name="date")),
         "sorted ascending"),
        (pd.DataFrame({"EUR": [1.0, 1.1]},
                      index=pd.DatetimeIndex(["2020-01-01", "2020-01-01"], name="date")),
         "twice"),
        (pd.DataFrame({"EUR": [1.0, np.nan]},
                      index=pd.DatetimeIndex(["2020-01-01", "2020-01-02"], name="date")),
         "no valid rate for EUR on 2020-01-02"),
        (pd.DataFrame({"EUR": [1.0, 0.0]},
                      index=pd.DatetimeIndex(["2020-01-01", "2020-01-02"], name="date")),
         "is 0.0; rates must be positive"),
        (pd.DataFrame({"euro": [1.0]}, index=pd.DatetimeIndex(["2020-01-01"], name="date")),
         "not an upper-case ISO code"),
        (pd.DataFrame({"USD": [1.1]}, index=pd.DatetimeIndex(["2020-01-01"], name="date")),
         "USD column must be exactly 1.0"),
        (pd.DataFrame({"EUR": [1]}, index=pd.DatetimeIndex(["2020-01-01"], name="date")),
         "expected float64"),
    ],
)
def test_validate_panel_names_the_broken_rule(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(DataError, match=message):
        validate_panel(frame)
