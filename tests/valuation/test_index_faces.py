"""Indices through the faces: price, backtest, compare_indices, and the faces that refuse them.

Reference values are computed here from the data by a second method (numpy on the level, a
basket's own backtest in the index's currency), never read back from the code under test.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import fx_panels, rules, specs

import basket
from basket.errors import DataError, SpecError
from basket.spec import BasketSpec, load_spec
from basket.valuation.indices import (
    compare_levels,
    index_level,
    index_of,
    index_table,
    index_valuation,
    rebase,
)


@pytest.fixture(scope="module")
def dxy() -> basket.BacktestResult:
    return basket.backtest("dxy", start="2015-01-02", end="2019-12-31")


# --------------------------------------------------------------------------- price
def test_price_of_an_index_refuses_a_numeraire() -> None:
    with pytest.raises(SpecError, match="'dxy' is an index of USD: its price is a unitless level, "
                                        "so a numeraire does not apply; drop numeraire 'EUR'"):
        basket.price("2022-09-27", "EUR", basket="dxy")
    with pytest.raises(SpecError, match="drop numeraire 'USD'"):
        basket.price("2022-09-27", numeraire="USD", basket="dxy")
    with pytest.raises(SpecError, match="a numeraire does not apply"):
        basket.backtest("dxy", numeraires=["EUR"])


def test_price_of_an_index_over_a_range_and_on_a_weekend() -> None:
    series = basket.price(slice("2022-09-26", "2022-09-30"), basket="dxy")
    assert len(series) == 5 and series.name == "value"
    sat = basket.valuation.price_detail(["2022-09-24"], basket="dxy")
    assert sat["date_used"].iloc[0] == pd.Timestamp("2022-09-23")
    assert sat["value"].iloc[0] == basket.price("2022-09-23", basket="dxy")
    # a basket still defaults to USD
    assert basket.price("2019-06-18") == 1.0


# --------------------------------------------------------------------------- backtest
def test_backtest_of_the_dxy_measures_its_level(dxy: basket.BacktestResult) -> None:
    assert dxy.numeraires == ["level"] and dxy.rule == "none"
    level = dxy.values["level"].to_numpy()
    fx = basket.load_fx(["EUR", "JPY", "GBP", "CAD", "SEK", "CHF"], "2015-01-02", "2019-12-31")
    # second method: the ICE formula on the USD-per-unit panel, as a product of powers
    w = {"EUR": 0.576, "JPY": 0.136, "GBP": 0.119, "CAD": 0.091, "SEK": 0.042, "CHF": 0.036}
    by_hand = 50.14348112 * np.prod([fx[c].to_numpy() ** -w[c] for c in w], axis=0)
    np.testing.assert_allclose(level, by_hand, rtol=1e-12)
    r = np.diff(np.log(level))
    assert dxy.metrics.loc["level", "volatility"] == pytest.approx(
        r.std(ddof=1) * math.sqrt(252), rel=1e-12)
    assert dxy.metrics.loc["level", "total_return"] == pytest.approx(level[-1] / level[0] - 1)
    peak = np.maximum.accumulate(level)
    assert dxy.metrics.loc["level", "max_drawdown"] == pytest.approx((level / peak - 1).min())
    # "EUR alone" is the euros one dollar buys: 1 / P_EUR
    eur = np.diff(np.log(1.0 / fx["EUR"].to_numpy()))
    assert dxy.constituent_volatility.loc["level", "EUR"] == pytest.approx(
        eur.std(ddof=1) * math.sqrt(252), rel=1e-12)
    assert dxy.correlation.loc["level", "EUR"] == pytest.approx(np.corrcoef(r, eur)[0, 1], rel=1e-9)
    # Euler contributions add up to the volatility; weights are ICE's, constant
    assert dxy.risk_contribution.loc["level"].sum() == pytest.approx(
        dxy.metrics.loc["level", "volatility"], rel=1e-12)
    assert (dxy.weights.iloc[-1] == pd.Series(w)).all() and len(dxy.rebalance_dates) == 0
    recovered = dxy.weights * dxy.values[["level"]].to_numpy() / dxy.units
    np.testing.assert_allclose(recovered["EUR"], 1.0 / fx["EUR"], rtol=1e-12)
    json.dumps(dxy.to_dict())
    assert "level" in dxy._repr_html_()


def test_backtest_of_a_geometric_index_refuses_rebalancing() -> None:
    with pytest.raises(SpecError, match="a geometric index is implicitly rebalanced"):
        basket.backtest("dxy", start="2019-01-02", end="2019-03-01", rebalance="monthly")


def test_arithmetic_index_follows_its_basket_in_its_currency() -> None:
    """The Libra index of the euro = 100 / (Libra's value in EUR) * (its value on the base date),
    under the basket's own rule too (second method: the basket's backtest in EUR)."""
    for rule in ("none", "quarterly"):
        spec = index_of("libra-2019", "EUR")
        idx = basket.backtest(spec, start="2018-01-02", end="2021-12-31", rebalance=rule)
        val = basket.backtest("libra-2019", start="2018-01-02", end="2021-12-31",
                              rebalance=rule, numeraires=["EUR"])
        eur = val.values["EUR"]
        expected = 100.0 * eur.loc["2019-06-18"] / eur
        np.testing.assert_allclose(idx.values["level"], expected, rtol=1e-12)
        assert idx.metrics.loc["level", "volatility"] == pytest.approx(
            val.metrics.loc["EUR", "volatility"], rel=1e-9)
        assert idx.values.loc["2019-06-18", "level"] == 100.0
        assert (len(idx.rebalance_dates) > 0) == (rule == "quarterly")


def test_index_of_amounts_fixed_on_a_later_base_date() -> None:
    spec = index_of("sdr", base_date="2016-10-03")        # the renminbi period's first fixing
    assert basket.price("2016-10-03", basket=spec) == 100.0
    sdr_usd = basket.valuation.price_detail(["2016-10-03", "2020-03-19"], basket="sdr")["value"]
    assert basket.price("2020-03-19", basket=spec) == pytest.approx(
        100.0 * sdr_usd.iloc[0] / sdr_usd.iloc[1], rel=1e-12)
    # valued in a window that leaves the base date out, the level is the same
    res = basket.backtest(spec, start="2020-03-02", end="2020-03-31")
    assert res.values.loc["2020-03-19", "level"] == pytest.approx(
        basket.price("2020-03-19", basket=spec), rel=1e-12)
    with pytest.raises(DataError, match="fixed on its base date 1999-01-01, before source 'ecb'"):
        basket.price("2020-03-19", basket=index_of("sdr"))


def test_backtest_of_an_index_on_a_users_panel() -> None:
    idx = pd.bdate_range("2021-01-04", periods=5, name="date")
    fx = pd.DataFrame({"USD": 1.0, "EUR": [1.2, 1.21, 1.19, 1.22, 1.2],
                       "JPY": [0.0097, 0.0096, 0.0095, 0.0096, 0.0098]}, index=idx)
    spec = BasketSpec.from_dict({"name": "u", "method": "geometric", "base_currency": "USD",
                                 "weights": {"EUR": 0.5, "JPY": 0.5}, "constant": 1.0,
                                 "rises_when": "strengthens"})
    res = basket.backtest(spec, panel=fx)
    expected = 1.0 / np.sqrt(fx["EUR"] * fx["JPY"])
    np.testing.assert_allclose(res.values["level"], expected, rtol=1e-14)
    with pytest.raises(DataError, match="the FX panel has no column for GBP"):
        basket.backtest(spec.replace(weights={"EUR": 0.5, "GBP": 0.5}), panel=fx)
    with pytest.raises(DataError, match="the panel has no date between 2022-01-03 and"):
        basket.backtest(spec, start="2022-01-03", panel=fx)
    with pytest.raises(DataError, match="a backtest needs at least three"):
        basket.backtest(spec, start="2021-01-07", panel=fx)
    with pytest.raises(DataError, match="the FX panel is empty"):
        basket.backtest(spec, panel=fx.iloc[:0])


def test_index_valuation_errors() -> None:
    fx = pd.DataFrame({"USD": [1.0], "EUR": [1.1]},
                      index=pd.DatetimeIndex(["2020-01-02"], name="date"))
    plain = BasketSpec.from_dict({"name": "p", "weights": {"EUR": 1.0}, "base_date": "2020-01-02"})
    with pytest.raises(SpecError, match="basket 'p' is not an index"):
        index_valuation(plain, fx)
    spec = index_of(plain, "USD")
    with pytest.raises(DataError, match="no FX data to value index"):
        index_valuation(spec, fx.iloc[:0], base_prices=fx.iloc[0])
    geo = BasketSpec.from_dict({"name": "g", "method": "geometric", "weights": {"EUR": 1.0},
                                "base_date": "2020-01-02", "base_level": 100.0,
                                "rises_when": "weakens"})
    with pytest.raises(SpecError, match="index 'g' needs its base-date prices"):
        index_level(geo, fx)
    with pytest.raises(DataError, match="no base-date price for index 'g'"):
        index_level(geo, fx, base_prices=pd.Series({"USD": 1.0}, name=pd.Timestamp("2019-12-31")))


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: basket.simulate("dxy", n_paths=10), "valuing holdings needs a basket"),
        (lambda: basket.stress("dxy"), "a stress test needs a basket"),
        (lambda: basket.optimize(benchmark="dxy"), "an optimizer benchmark needs a basket"),
        (lambda: basket.reserve("dxy", rates={"USD": 0.01}), "valuing holdings needs a basket"),
    ],
)
def test_faces_that_hold_baskets_refuse_an_index(call, message: str) -> None:
    with pytest.raises(SpecError, match=f"'dxy' is an index of USD \\(a unitless level\\), not a "
                                        f"basket one can hold; {message}"):
        call()


# --------------------------------------------------------------------------- comparison
@pytest.fixture(scope="module")
def comparison() -> basket.IndexComparison:
    return basket.compare_indices(start="2016-10-03", end="2022-12-30")


def test_compare_indices_table_by_hand(comparison: basket.IndexComparison) -> None:
    assert comparison.names == ["libra-2019", "sdr", "dxy"] and comparison.currency == "USD"
    lv = comparison.levels
    r = np.diff(np.log(lv.to_numpy()), axis=0)
    t = comparison.table
    np.testing.assert_allclose(t["volatility"], r.std(axis=0, ddof=1) * math.sqrt(252),
                               rtol=1e-12)
    np.testing.assert_allclose(t["change"], lv.iloc[-1] / lv.iloc[0] - 1, rtol=1e-12)
    np.testing.assert_allclose(comparison.correlation, np.corrcoef(r.T), rtol=1e-10)
    np.testing.assert_allclose(comparison.rebased.iloc[0], 100.0, rtol=1e-15)
    # the dxy column is the DXY itself, the others are basket units per dollar
    assert lv.loc["2022-09-27", "dxy"] == pytest.approx(basket.price("2022-09-27", basket="dxy"))
    assert lv.loc["2022-09-27", "libra-2019"] == pytest.approx(
        1.0 / basket.price("2022-09-27"), rel=1e-12)


def test_compare_in_another_currency_is_each_baskets_volatility_for_its_holder() -> None:
    cmp = basket.compare_indices(currency="EUR", start="2019-06-18", end="2021-06-30")
    for name, k in (("libra-2019", "EUR"), ("sdr", "EUR")):
        res = basket.backtest(name, start="2019-06-18", end="2021-06-30", numeraires=[k])
        assert cmp.table.loc[name, "volatility"] == pytest.approx(
            res.metrics.loc[k, "volatility"], rel=1e-9)
    # the DXY's basket, measured against the euro
    assert cmp.specs[2].base_currency == "EUR" and cmp.specs[2].weights == load_spec("dxy").weights


def test_comparison_result_protocol(comparison: basket.IndexComparison) -> None:
    out = comparison.to_dict()
    json.dumps(out)
    assert out["indices"]["dxy"]["title"] == "ICE US Dollar Index (DXY)"
    assert set(out["indices"]["sdr"]) >= {"volatility", "corr_dxy", "change"}
    assert comparison.summary().equals(comparison.table)
    assert comparison.to_frame().equals(comparison.rebased)
    assert "USD against libra-2019, sdr, dxy" in comparison._repr_html_()
    assert "IndexComparison(currency='USD'" in repr(comparison)
    roll = comparison.rolling_volatility(63)
    assert list(roll.columns) == comparison.names


def test_compare_with_a_base_date() -> None:
    cmp = basket.compare_indices(["sdr", "dxy"], start="2020-01-02", end="2020-12-31",
                                 base_date="2020-03-21")       # a Saturday: Friday's row
    assert cmp.base_date == pd.Timestamp("2020-03-20")
    np.testing.assert_allclose(cmp.rebased.loc["2020-03-20"], 100.0, rtol=1e-15)


def test_compare_errors() -> None:
    with pytest.raises(SpecError, match="basket 'sdr' is given twice"):
        basket.compare_indices(["sdr", "sdr"])
    with pytest.raises(SpecError, match="no basket to compare"):
        basket.compare_indices([])
    weak = load_spec("dxy").replace(name="dxy-down", rises_when="weakens")
    with pytest.raises(SpecError, match="'dxy-down' rises when USD weakens, 'dxy' when it "
                                        "strengthens; compare indices that rise the same way"):
        basket.compare_indices(["dxy", weak])
    with pytest.raises(DataError, match="a backtest needs at least three"):
        basket.compare_indices(start="2020-01-02", end="2020-01-03")
    levels = pd.DataFrame({"a": [1.0, 2.0, 3.0]}, index=pd.date_range("2020-01-01", periods=3))
    with pytest.raises(DataError, match="only 2 common date"):
        index_table(levels.iloc[:2])
    with pytest.raises(SpecError, match="compare indices of one currency, not EUR, USD"):
        compare_levels(pd.concat([levels, levels.rename(columns={"a": "b"})], axis=1),
                       [index_of("sdr", constant=1.0, name="a"),
                        index_of("sdr", "EUR", constant=1.0, name="b")])
    with pytest.raises(DataError, match="index levels must be positive"):
        index_table(levels - 2.0)
    with pytest.raises(DataError, match="base_date 2019-12-31 is before the first common date"):
        rebase(levels, "2019-12-31")


def test_index_table_doctest_numbers_by_hand() -> None:
    idx = pd.date_range("2020-01-01", periods=4, name="date")
    levels = pd.DataFrame({"a": [100.0, 101.0, 100.0, 102.0]}, index=idx)
    t = index_table(levels, periods_per_year=12)
    assert t.loc["a", "annualized_change"] == pytest.approx(1.02 ** (12 / 3) - 1)
    assert t.loc["a", "max_drawdown"] == pytest.approx(100.0 / 101.0 - 1)


# --------------------------------------------------------------------------- properties
@given(data=st.data())
def test_arithmetic_index_is_the_basket_in_its_currency(data: st.DataObject) -> None:
    """Property: ``base_level * (V_b / V_b(t0)) ** s`` with ``V_b`` the basket's value in its
    currency from the basket's own backtest, under any rebalancing rule."""
    panel = data.draw(fx_panels(min_rows=4, max_rows=40, usd=True))
    spec = data.draw(specs(panel, base_value=1.0))
    rule = data.draw(rules())
    ways = data.draw(st.sampled_from(["strengthens", "weakens"]))
    index = index_of(spec, spec.base_currency, rises_when=ways)
    k = spec.base_currency
    value = basket.backtest(spec, rebalance=rule, numeraires=[k], panel=panel).values[k]
    level = basket.backtest(index, rebalance=rule, panel=panel).values["level"]
    s = -1.0 if ways == "strengthens" else 1.0
    np.testing.assert_allclose(level, 100.0 * value.to_numpy() ** s, rtol=1e-9)


@given(data=st.data())
def test_geometric_index_is_the_weighted_product(data: st.DataObject) -> None:
    """Property: ``constant * prod_c (P_c / P_b) ** (s * w_c)``, as a product of powers."""
    panel = data.draw(fx_panels(min_rows=3, max_rows=30))
    spec = data.draw(specs(panel, base_value=1.0))
    constant = data.draw(st.floats(0.01, 1000.0))
    ways = data.draw(st.sampled_from(["strengthens", "weakens"]))
    index = index_of(spec.replace(method="geometric"), spec.base_currency, constant=constant,
                     rises_when=ways)
    s = -1.0 if ways == "strengthens" else 1.0
    pb = panel[spec.base_currency].to_numpy()
    expected = constant * np.prod(
        [(panel[c].to_numpy() / pb) ** (s * w) for c, w in (spec.weights or {}).items()], axis=0)
    np.testing.assert_allclose(index_level(index, panel), expected, rtol=1e-12)
