"""The valuation engine against independent references: the IMF's own SDR figures, the IMF's
rounding test vector, and hand computations from the raw ECB file."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from decimal import Decimal, getcontext
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import basket
from basket.data import ecb
from basket.errors import DataError, SpecError
from basket.spec import BasketSpec
from basket.valuation.engine import (
    basket_value,
    imf_round,
    imf_usd_value,
    round_amount,
    units_from_weights,
    valuate,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
getcontext().prec = 40


def _published() -> list[dict[str, str]]:
    text = (FIXTURES / "imf" / "sdr_published.csv").read_text()
    lines = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return list(csv.DictReader(lines))


# --------------------------------------------------------------------------- IMF test vector
# Source: IMF, SDR valuation table for 2011-10-19 (quoted in basket issue 3). Exact: the IMF's
# rounding (each USD equivalent and the total to six significant digits, decimal half up).
def test_imf_rounding_vector_2011_10_19() -> None:
    amounts = [0.4230, 12.1, 0.1110, 0.66]
    rates_usd_per_unit = [1.38450, 1 / 76.79, 1.58010, 1.0]
    equivalents = [imf_round(Decimal(repr(a)) * Decimal(repr(p)))
                   for a, p in zip(amounts, rates_usd_per_unit)]
    assert equivalents == [Decimal("0.585644"), Decimal("0.157573"), Decimal("0.175391"),
                           Decimal("0.660000")]
    value = imf_usd_value(amounts, rates_usd_per_unit)
    assert value == 1.57861
    assert float(imf_round(1 / Decimal(repr(value)))) == 0.633469


def test_binary_rounding_would_miss_the_vector() -> None:
    # Why decimal half-up: the float product 0.4230 * 1.38450 sits just below ...435.
    assert round(0.4230 * 1.38450, 6) == 0.585643
    assert imf_round(0.4230 * 1.38450) == Decimal("0.585644")


def test_imf_rounding_through_valuate() -> None:
    idx = pd.DatetimeIndex(["2011-10-19"], name="date")
    panel = pd.DataFrame(
        {"USD": [1.0], "EUR": [1.38450], "JPY": [1 / 76.79], "GBP": [1.58010]}, index=idx
    )
    spec = BasketSpec.from_dict({
        "name": "sdr-2011", "rounding": "imf", "base_date": "2011-01-01",
        "amounts": {"EUR": 0.4230, "JPY": 12.1, "GBP": 0.1110, "USD": 0.66},
    })
    val = valuate(spec, panel)
    assert val.values_usd[0] == 1.57861


def test_round_amount_five_significant_digits() -> None:
    assert round_amount(0.582515) == 0.58252
    assert round_amount(11.90049) == 11.9
    assert round_amount(0.0859455) == 0.085946


# --------------------------------------------------------------------------- SDR vs IMF
@pytest.mark.parametrize("row", _published(), ids=lambda r: r["date"])
def test_sdr_reproduces_published_values(row: dict[str, str]) -> None:
    usd_per_sdr = basket.price(row["date"], numeraire="USD", basket="sdr")
    if row["sdr_per_usd"]:
        got, expected = 1.0 / usd_per_sdr, float(row["sdr_per_usd"])
    else:
        got, expected = usd_per_sdr, float(row["usd_per_sdr"])
    # 0.1%: the IMF values at noon London rates, the ECB fixes at 14:15 CET.
    assert got == pytest.approx(expected, rel=1e-3)


def test_sdr_period_switch_uses_new_amounts() -> None:
    res = basket.backtest("sdr", start="2022-07-25", end="2022-08-05", numeraires=["USD"])
    units = res.units
    assert units.loc["2022-07-29", "CNY"] == 1.0174
    assert units.loc["2022-08-01", "CNY"] == 1.0993
    assert pd.Timestamp("2022-08-01") in res.rebalance_dates


def test_sdr_before_cny_has_no_cny() -> None:
    res = basket.backtest("sdr", start="2001-01-02", end="2001-03-01")
    assert "CNY" not in res.numeraires
    assert "CNY" not in res.units.columns, "a currency not held in the window is not reported"
    assert not res.metrics.select_dtypes("number").isna().any().any()


# --------------------------------------------------------------------------- Libra by hand
def _raw(day: str) -> dict[str, Decimal]:
    with zipfile.ZipFile(ecb.bundled_path()) as zf:
        text = zf.read(zf.namelist()[0]).decode()
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    for row in reader:
        if row and row[0] == day:
            return {h: Decimal(v) for h, v in zip(header[1:], row[1:]) if h and v.strip() not in
                    ("", "N/A")}
    raise KeyError(day)


def _usd_per_unit(day: str) -> dict[str, Decimal]:
    r = _raw(day)
    out = {c: r["USD"] / r[c] for c in ("JPY", "GBP", "SGD")}
    out.update(USD=Decimal(1), EUR=r["USD"])
    return out


WEIGHTS = {"USD": Decimal("0.50"), "EUR": Decimal("0.18"), "JPY": Decimal("0.14"),
           "GBP": Decimal("0.11"), "SGD": Decimal("0.07")}


@pytest.mark.parametrize("day", ["1999-01-04", "2008-09-15", "2016-06-24", "2020-03-19",
                                 "2022-10-21"])
@pytest.mark.parametrize("numeraire", ["USD", "EUR", "JPY", "GBP", "SGD"])
def test_libra_value_by_hand(day: str, numeraire: str) -> None:
    # Hand computation from the raw ECB rows in Decimal: units at 2019-06-18 with V0 = 1 USD,
    # value on `day` = sum(units * USD per unit), in numeraire k divided by USD per k.
    base = _usd_per_unit("2019-06-18")
    units = {c: w / base[c] for c, w in WEIGHTS.items()}
    prices = _usd_per_unit(day)
    value_usd = sum(units[c] * prices[c] for c in WEIGHTS)
    expected = value_usd / prices[numeraire]
    got = basket.price(day, numeraire=numeraire)
    assert got == pytest.approx(float(expected), rel=1e-12)


def test_libra_worth_one_dollar_at_base() -> None:
    assert basket.price("2019-06-18") == 1.0


def test_price_uses_last_quote_before_a_holiday() -> None:
    # 2019-12-25 has no ECB quote: the value is the one of 2019-12-24.
    s = basket.price(["2019-12-24", "2019-12-25"], numeraire="EUR")
    assert isinstance(s, pd.Series)
    assert s.iloc[0] == s.iloc[1]
    assert list(s.attrs["date_used"].strftime("%Y-%m-%d")) == ["2019-12-24", "2019-12-24"]


def test_price_range_is_a_series() -> None:
    s = basket.price(slice("2019-06-18", "2019-06-21"))
    assert isinstance(s, pd.Series) and len(s) == 4 and s.iloc[0] == 1.0


def test_price_before_data_is_an_error() -> None:
    with pytest.raises(DataError, match="before the data for 'libra-2019' starts"):
        basket.price("1990-01-01")


def test_price_after_data_is_an_error() -> None:
    with pytest.raises(DataError, match="after the last quote"):
        basket.price("2099-01-01")


def test_price_unknown_numeraire() -> None:
    with pytest.raises(DataError, match="unknown currency 'XYZ'"):
        basket.price("2020-01-02", numeraire="XYZ")


# --------------------------------------------------------------------------- small pieces
def test_units_from_weights_by_hand() -> None:
    u = units_from_weights({"USD": 0.5, "EUR": 0.5}, {"USD": 1.0, "EUR": 1.25}, 2.0)
    assert u.to_dict() == {"USD": 1.0, "EUR": 0.8}


def test_basket_value_by_hand() -> None:
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03", "2020-01-06"], name="date")
    fx = pd.DataFrame({"USD": [1.0, 1.0, 1.0], "EUR": [1.2, 1.1, 1.3],
                       "JPY": [0.01, 0.011, 0.009]}, index=idx)
    v = basket_value(fx, {"USD": 0.5, "EUR": 0.25, "JPY": 20.0})
    # 0.5 + 0.25*1.2 + 20*0.01 = 1.0 ; 0.5 + 0.275 + 0.22 = 0.995 ; 0.5 + 0.325 + 0.18 = 1.005
    np.testing.assert_allclose(v.to_numpy(), [1.0, 0.995, 1.005], rtol=1e-15)


def test_geometric_index_by_hand() -> None:
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date")
    fx = pd.DataFrame({"USD": [1.0, 1.0], "EUR": [1.0, 1.21]}, index=idx)
    spec = BasketSpec.from_dict({"name": "g", "method": "geometric", "base_date": "2020-01-02",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, fx, base_prices=fx.iloc[0])
    # V = 1 * 1.0**0.5 * 1.21**0.5 = 1.1
    assert val.values_usd[1] == pytest.approx(1.1, rel=1e-15)
    np.testing.assert_allclose(val.weights, 0.5)


def test_geometric_cannot_rebalance() -> None:
    with pytest.raises(SpecError, match="geometric index has no rebalancing"):
        BasketSpec.from_dict({"name": "g", "method": "geometric", "base_date": "2020-01-02",
                              "weights": {"USD": 1.0}, "rebalance": "quarterly"})


def test_quarterly_rebalance_by_hand() -> None:
    # Three dates; a quarter starts on the third. Units reset to w * V / P at that day's close.
    idx = pd.DatetimeIndex(["2020-03-30", "2020-03-31", "2020-04-01"], name="date")
    fx = pd.DataFrame({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 1.5, 1.2]}, index=idx)
    spec = BasketSpec.from_dict({"name": "q", "base_date": "2020-03-30",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, fx, "quarterly", base_prices=fx.iloc[0])
    # day 1 reset (start): 0.5 USD + 0.5 EUR; day 2: 0.5 + 0.75 = 1.25;
    # day 3 value before reset 0.5 + 0.6 = 1.1, after: 0.55 USD + 0.55/1.2 EUR
    np.testing.assert_allclose(val.values_usd, [1.0, 1.25, 1.1], rtol=1e-15)
    np.testing.assert_allclose(val.units[2], [0.55, 0.55 / 1.2], rtol=1e-15)
    assert list(val.resets) == [0, 2]


def test_review_rule_by_hand() -> None:
    # review:1y with a 1-month window: new amounts from the average of the window's prices.
    idx = pd.DatetimeIndex(["2020-01-02", "2020-12-15", "2021-01-04", "2021-01-05"], name="date")
    fx = pd.DataFrame({"USD": [1.0] * 4, "EUR": [1.0, 1.1, 1.3, 1.3]}, index=idx)
    spec = BasketSpec.from_dict({"name": "r", "base_date": "2020-01-02",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, fx, "review:1y:1m", base_prices=fx.iloc[0])
    # transition 2021-01-04 (first date on/after 2021-01-02); window 2020-12-05..2021-01-04:
    # xbar_EUR = (1.1 + 1.3) / 2 = 1.2. Value that day with old units 0.5 + 0.5*1.3 = 1.15.
    # raw = (0.5/1, 0.5/1.2); k = 1.15 / (0.5 + 0.5*1.3/1.2)
    k = 1.15 / (0.5 + 0.5 * 1.3 / 1.2)
    np.testing.assert_allclose(val.units[2], [0.5 * k, 0.5 / 1.2 * k], rtol=1e-14)
    assert val.values_usd[2] == pytest.approx(1.15, rel=1e-14)
    assert list(val.resets) == [2]


def test_constituent_stats_fast_path_matches_direct_twin() -> None:
    # The covariance-matrix shortcut against the direct (T, n, K) computation.
    from basket.valuation.metrics import _constituent_stats, _constituent_stats_pairwise

    fx = basket.load_fx(["USD", "EUR", "JPY", "GBP", "SGD", "CHF"], "2010-01-01", "2020-01-01")
    prices = fx.to_numpy()
    lc = np.diff(np.log(prices[:, :5]), axis=0)
    lk = np.diff(np.log(prices[:, [0, 1, 5]]), axis=0)
    r = lc @ np.array([0.5, 0.18, 0.14, 0.11, 0.07])[:, None] - lk
    fast = _constituent_stats(r, lc, lk, 252.0)
    slow = _constituent_stats_pairwise(r, lc, lk, 252.0)
    for a, b in zip(fast, slow):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-15)
    assert fast[0][0, 0] == 0.0 and fast[0][1, 1] == 0.0  # USD in USD, EUR in EUR


def test_quantiles_match_numpy() -> None:
    from basket.valuation.metrics import _quantiles

    x = np.random.default_rng(7).standard_normal((1001, 3))
    np.testing.assert_allclose(_quantiles(x, (0.95, 0.99)),
                               np.quantile(x, [0.95, 0.99], axis=0), rtol=1e-15)


def test_no_nan_in_backtest_metrics() -> None:
    for spec in ("libra-2019", "sdr"):
        res = basket.backtest(spec)
        for frame in (res.metrics.select_dtypes("number"), res.constituent_volatility,
                      res.risk_contribution):
            assert not frame.isna().any().any(), spec
        # the one documented gap: a currency's correlation with the basket in itself (0/0)
        own = pd.DataFrame([[k == c for c in res.correlation.columns]
                            for k in res.correlation.index],
                           index=res.correlation.index, columns=res.correlation.columns)
        assert res.correlation.isna().equals(own), spec
        assert (res.risk_contribution[own] == 0.0).sum().sum() == own.sum().sum()


def test_month_index_matches_pandas_calendar() -> None:
    # The vectorised civil-calendar month index against pandas' own year/month, 1900-2100.
    from basket.rebalance import _month_index

    days = pd.date_range("1899-12-25", "2100-03-05", freq="D")
    expected = days.year.to_numpy() * 12 + days.month.to_numpy() - 1
    np.testing.assert_array_equal(_month_index(days.to_numpy()), expected)


def test_midnight_check_any_resolution() -> None:
    from basket.data.panel import validate_panel

    for unit in ("s", "ms", "us", "ns"):
        idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date").as_unit(unit)
        validate_panel(pd.DataFrame({"EUR": [1.1, 1.2]}, index=idx))
        bad = pd.DatetimeIndex(["2020-01-02 12:00", "2020-01-03"], name="date").as_unit(unit)
        with pytest.raises(DataError, match="at midnight"):
            validate_panel(pd.DataFrame({"EUR": [1.1, 1.2]}, index=bad))


def test_short_window_warns_and_still_gives_the_figures() -> None:
    """Three dates annualize to nonsense: the figures come with a ShortWindowWarning."""
    from basket.errors import ShortWindowWarning

    with pytest.warns(ShortWindowWarning, match=r"only 3 dates .* fewer than 20 dates"):
        res = basket.backtest(start="2020-03-16", end="2020-03-18", numeraires="USD")
    assert len(res.values) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortWindowWarning)
        basket.backtest(start="2020-01-01", end="2020-02-28", numeraires="USD")  # 40 dates


def test_review_rule_says_where_it_starts() -> None:
    res = basket.backtest("libra-2019", start="2010-01-01", end="2016-12-30",
                          rebalance="review:5y", numeraires="USD")
    assert any("holds the basket's own amounts until its first review, 5 year(s) after" in n
               for n in res.notes)
    # and it does: the 2010 weights are the drifted 2019-fixed amounts, not the 50/18/... target
    assert abs(res.weights.iloc[0]["USD"] - 0.5) > 1e-3
    calendar = basket.backtest("libra-2019", start="2010-01-01", end="2016-12-30",
                               rebalance="annual", numeraires="USD")
    assert calendar.weights.iloc[0]["USD"] == pytest.approx(0.5, abs=1e-12)
