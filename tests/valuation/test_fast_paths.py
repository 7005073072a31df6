"""The fast paths of backtest and price, each against its plain twin (issue 12).

* ``price`` reads a memoised table of the basket's price on every date; the reference is
  :func:`basket.valuation.api.price_detail`, which values the basket on the panel up to the
  date asked, as ``price`` always did (a second method; the same bits are required, since a
  basket held without rebalancing is valued row by row);
* every check ``price`` made still raises the same error on the fast path;
* the metrics' shortcuts (row sums by column, identical columns from samples, VaR/ES from one
  partition, calendar resets by binary search) against the direct computations they replace,
  bit for bit, on drawn data with ties, pegs, NaN and constant columns.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import basket
from basket.dates import to_timestamp, to_timestamps
from basket.errors import DataError, SpecError
from basket.rebalance import Calendar
from basket.spec import BasketSpec
from basket.valuation import metrics, reductions
from basket.valuation.api import price_detail

DAYS = list(pd.bdate_range("1999-01-04", "2026-10-30", freq="7D").strftime("%Y-%m-%d"))
DAYS += ["2019-06-22", "2020-03-20", "2026-11-05"]        # a Saturday, a Friday, after the end


@pytest.mark.parametrize(("basket_name", "numeraire"), [
    ("libra-2019", None), ("libra-2019", "EUR"), ("libra-2019", "CHF"), ("sdr", None),
    ("sdr", "JPY"), ("dxy", None),
])
def test_price_table_matches_the_window_valuation(basket_name: str, numeraire: str | None) -> None:
    days = DAYS[1:] if basket_name == "sdr" else DAYS     # the SDR's ECB data starts a day later
    fast = basket.price(days, numeraire=numeraire, basket=basket_name)
    slow = price_detail(days, numeraire=numeraire, basket=basket_name)
    assert np.array_equal(fast.to_numpy(), slow["value"].to_numpy())   # the same bits
    assert fast.index.equals(slow.index) and fast.index.dtype == slow.index.dtype
    assert fast.attrs["date_used"].equals(pd.DatetimeIndex(slow["date_used"], name="date_used"))
    one = basket.price(days[100], numeraire=numeraire, basket=basket_name)
    assert one == float(slow["value"].iloc[100])


def test_rebalanced_basket_prices_on_the_window(tmp_path: object) -> None:
    """A basket with a rebalancing rule is valued on the window up to the date asked."""
    spec = basket.load_spec("libra-2019").replace(rebalance="quarterly", name="libra-q")
    fast = basket.price(["2005-06-01", "2019-06-18", "2020-03-20"], basket=spec)
    slow = price_detail(["2005-06-01", "2019-06-18", "2020-03-20"], basket=spec)
    assert np.array_equal(fast.to_numpy(), slow["value"].to_numpy())


@pytest.mark.parametrize("repeat", [1, 2])                 # cold, then from the memo
def test_price_checks_survive_the_fast_path(repeat: int) -> None:
    for _ in range(repeat):
        basket.price("2020-03-20")
    with pytest.raises(DataError, match="1998-12-31 is before the data for 'libra-2019'"):
        basket.price("1998-12-31")
    with pytest.raises(DataError, match="2027-01-01 is after the last quote"):
        basket.price(["2020-01-02", "2027-01-01"])
    with pytest.raises(DataError, match="is not a date; write it as YYYY-MM-DD"):
        basket.price("20/03/2020")
    with pytest.raises(DataError, match="no such day"):
        basket.price(["2020-03-20", "2019-02-30"])
    with pytest.raises(DataError, match="a date in the list is None"):
        basket.price(["2020-03-20", None])
    with pytest.raises(DataError, match="no date given"):
        basket.price([])
    with pytest.raises(DataError, match="numeraire 5 must be one ISO code"):
        basket.price("2020-03-20", numeraire=5)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="unknown currency 'XXX'"):
        basket.price("2020-03-20", numeraire="XXX")
    with pytest.raises(SpecError, match="a numeraire does not apply"):
        basket.price("2022-09-27", numeraire="EUR", basket="dxy")


def test_price_of_many_dates_types() -> None:
    """Lists, arrays, indexes and Series of dates give the same Series."""
    ref = basket.price(["2020-03-20", "2020-03-21"], numeraire="GBP")
    for when in (np.array(["2020-03-20", "2020-03-21"]), pd.Series(["2020-03-20", "2020-03-21"]),
                 pd.DatetimeIndex(["2020-03-20", "2020-03-21"]),
                 [dt.date(2020, 3, 20), pd.Timestamp("2020-03-21 15:00")],
                 pd.date_range("2020-03-20 09:00", periods=2, tz="Asia/Tokyo")):
        got = basket.price(when, numeraire="GBP")
        pd.testing.assert_series_equal(got, ref)
        assert got.attrs["date_used"].equals(ref.attrs["date_used"])


@given(st.lists(st.one_of(st.dates(dt.date(1890, 1, 1), dt.date(2210, 12, 31)).map(str),
                          st.text(alphabet="0123456789-/ T:", min_size=8, max_size=12),
                          st.dates().map(lambda d: f" {d} ")),
                min_size=1, max_size=8))
def test_dates_at_once_match_one_by_one(texts: list[str]) -> None:
    try:
        ref = [to_timestamp(t, "date") for t in texts]
    except DataError as exc:
        with pytest.raises(DataError) as info:
            to_timestamps(texts)
        assert str(info.value) == str(exc)
        return
    got = to_timestamps(texts)
    assert got.equals(pd.DatetimeIndex(ref)) and got.dtype == pd.DatetimeIndex(ref).dtype


@given(st.integers(1, 12), st.integers(1, 3000), st.integers(0, 2**32 - 1))
def test_row_sum_is_numpys_sum(n: int, rows: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((rows, n)) * np.exp(rng.standard_normal((rows, n)) * 8)
    for arr in (a, np.asfortranarray(a), a[:, ::-1]):
        assert np.array_equal(reductions.row_sum(arr), arr.sum(axis=1))


@given(st.integers(0, 2**32 - 1), st.integers(2, 400), st.booleans())
def test_identical_columns_match_the_direct_comparison(seed: int, t: int, big: bool) -> None:
    rng = np.random.default_rng(seed)
    n, k = (40, 30) if big else (4, 3)
    a = rng.standard_normal((t, n))
    a[:, 1] = 0.0                                       # a constant column
    b = np.concatenate([a[:, : k - 1], rng.standard_normal((t, 1))], axis=1)   # shared columns
    b[t // 2, 0] = np.nan                                # NaN equals nothing
    a[:, -1] = b[:, -1]                                  # a peg: another currency, same returns
    near = b[:, -1].copy()
    near[-1] += 1e-16 if near[-1] else 1e-300
    a[:, -2] = near                                      # equal but for the last row
    direct = np.all(a[:, :, None] == b[:, None, :], axis=0)
    assert np.array_equal(reductions.identical_columns(a, b), direct)
    assert np.array_equal(reductions.identical_columns(a[:0], b[:0]), np.ones((n, k), dtype=bool))


@given(st.integers(0, 2**32 - 1), st.integers(2, 600), st.integers(1, 4), st.booleans())
def test_tail_risk_matches_the_full_sort(seed: int, m: int, k: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    losses = rng.standard_normal((m, k))
    if ties:
        losses = np.round(losses, 1)                      # many equal losses at the VaR
    var, es = reductions._tail_risk(losses, (0.95, 0.99))
    ref_var, ref_es = reductions._tail_risk_sorted(losses, (0.95, 0.99))
    assert np.array_equal(var, ref_var) and np.array_equal(es, ref_es)
    q = np.quantile(losses, [0.95, 0.99], axis=0)          # numpy's own definition 7
    np.testing.assert_allclose(var, q, rtol=1e-12, atol=1e-15)


@given(st.sampled_from(["monthly", "quarterly", "annual"]), st.integers(0, 2**32 - 1),
       st.integers(1, 500), st.sampled_from(["ns", "us", "s", "D"]))
def test_calendar_resets_match_the_month_by_month_twin(freq: str, seed: int, n: int,
                                                       unit: str) -> None:
    rng = np.random.default_rng(seed)
    days = np.sort(rng.choice(np.arange(-30000, 30000), size=n, replace=False))
    stamps = (np.datetime64("1990-01-01") + days.astype("timedelta64[D]")).astype(
        f"datetime64[{unit}]")
    idx = pd.DatetimeIndex(stamps)
    rule = Calendar(freq)
    assert np.array_equal(rule.calendar_resets(idx), rule.resets_by_month(idx))


def test_pegged_numeraire_keeps_its_exact_zero() -> None:
    """A numeraire whose returns equal a constituent's (a peg) is reported as that
    constituent itself: zero volatility, no correlation (0/0: NaN) and no risk contribution."""
    idx = pd.bdate_range("2020-01-01", periods=60, name="date")
    eur = 1.1 * np.exp(np.cumsum(np.random.default_rng(3).normal(0, 0.005, 60)))
    fx = pd.DataFrame({"USD": 1.0, "EUR": eur, "XEU": eur.copy()}, index=idx)  # one rate, two codes
    spec = BasketSpec.from_dict({"name": "duo", "weights": {"USD": 0.5, "EUR": 0.5},
                                 "base_date": "2020-01-01"})
    res = basket.backtest(spec, numeraires=["USD", "XEU"], panel=fx)
    assert res.constituent_volatility.loc["XEU", "EUR"] == 0.0
    assert np.isnan(res.correlation.loc["XEU", "EUR"])
    assert res.risk_contribution.loc["XEU", "EUR"] == 0.0


@given(st.integers(0, 2**32 - 1), st.integers(1, 80), st.integers(1, 20), st.booleans())
def test_drawdown_rows_at_once_match_one_column_at_a_time(seed: int, t: int, k: int,
                                                          ties: bool) -> None:
    rng = np.random.default_rng(seed)
    v = np.exp(np.cumsum(rng.normal(0.0, 0.05, (t, k)), axis=0))
    if ties:
        v = np.round(v, 1) + 0.1                           # equal peaks and recoveries
    for a, b in zip(metrics._drawdown_rows(v), metrics._drawdown_rows_each(v)):
        assert np.array_equal(a, b) and a.dtype == b.dtype


def test_identical_columns_of_one_array() -> None:
    rng = np.random.default_rng(2)
    a = rng.standard_normal((500, 6))
    a[:, 4] = a[:, 1]                                      # a peg inside one panel
    a[7, 2] = np.nan                                       # a column with a hole
    direct = np.all(a[:, :, None] == a[:, None, :], axis=0)
    assert np.array_equal(reductions.identical_columns(a, a), direct)
