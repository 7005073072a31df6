"""The valuation engine at its boundaries, against hand computations on tiny panels.

Each panel has two or three currencies and a few dates, so every expected figure is arithmetic
written out in the test (provenance: the conventions in ``basket.valuation.engine``'s module
docstring). Tolerances: 1e-15 relative where the engine does the same few float operations in
another order, exact where no arithmetic is involved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from basket.errors import DataError, SpecError
from basket.rebalance import Band, NoRebalance
from basket.spec import BasketSpec
from basket.valuation.engine import base_date_row, basket_value, units_from_weights, valuate


def _panel(rows: dict[str, list[float]], dates: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.DatetimeIndex(dates, name="date"))


TWO_PERIODS = {"name": "p", "periods": [
    {"start": "2020-01-02", "amounts": {"USD": 1.0, "EUR": 0.5}},
    {"start": "2020-01-04", "amounts": {"USD": 0.25, "EUR": 2.0}},   # a Saturday
]}
FX = _panel({"USD": [1.0, 1.0, 1.0, 1.0], "EUR": [1.1, 1.2, 1.3, 1.4]},
            ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"])


# --------------------------------------------------------------------------- periods
def test_panel_starting_exactly_on_the_first_period() -> None:
    val = valuate(BasketSpec.from_dict(TWO_PERIODS), FX)
    # 1 + 0.5*1.1 ; 1 + 0.5*1.2 ; then from Monday 2020-01-06: 0.25 + 2*1.3 ; 0.25 + 2*1.4
    np.testing.assert_allclose(val.values_usd, [1.55, 1.6, 2.85, 3.05], rtol=1e-15)
    assert val.units.tolist() == [[1.0, 0.5], [1.0, 0.5], [0.25, 2.0], [0.25, 2.0]]
    assert val.resets.tolist() == [2], "the second period starts on the first date after it"


def test_a_period_starting_on_the_second_row_is_a_reset() -> None:
    val = valuate(BasketSpec.from_dict(TWO_PERIODS), FX.iloc[1:])
    assert val.resets.tolist() == [1]
    assert val.units.tolist() == [[1.0, 0.5], [0.25, 2.0], [0.25, 2.0]]


def test_panel_starting_a_day_before_the_first_period_is_refused() -> None:
    fx = _panel({"USD": [1.0], "EUR": [1.0]}, ["2020-01-01"])
    with pytest.raises(DataError, match=r"basket 'p' starts on 2020-01-02; the data starts "
                                        r"2020-01-01, pick --start on or after 2020-01-02"):
        valuate(BasketSpec.from_dict(TWO_PERIODS), pd.concat([fx, FX]))


def test_panel_starting_exactly_on_a_later_period() -> None:
    # the window opens on the second period: no period change inside it
    val = valuate(BasketSpec.from_dict(TWO_PERIODS), FX.iloc[2:])
    assert val.units.tolist() == [[0.25, 2.0], [0.25, 2.0]]
    assert val.resets.tolist() == []


def test_a_period_without_dates_in_the_window_is_skipped() -> None:
    data = {"name": "p", "periods": [
        {"start": "2020-01-02", "amounts": {"USD": 1.0}},
        {"start": "2020-01-04", "amounts": {"USD": 2.0}},    # weekend only: never in force
        {"start": "2020-01-05", "amounts": {"USD": 3.0}},
    ]}
    val = valuate(BasketSpec.from_dict(data), FX[["USD"]])
    assert val.values_usd.tolist() == [1.0, 1.0, 3.0, 3.0]
    assert val.resets.tolist() == [2]


def test_a_currency_not_held_yet_may_be_unquoted() -> None:
    data = {"name": "p", "periods": [
        {"start": "2020-01-02", "amounts": {"USD": 1.0}},
        {"start": "2020-01-06", "amounts": {"USD": 0.5, "CNY": 2.0}},
    ]}
    fx = FX[["USD"]].assign(CNY=[np.nan, np.nan, 0.14, 0.15])
    val = valuate(BasketSpec.from_dict(data), fx)
    np.testing.assert_allclose(val.values_usd, [1.0, 1.0, 0.78, 0.8], rtol=1e-15)
    np.testing.assert_allclose(val.weights[:, 1], [0.0, 0.0, 0.28 / 0.78, 0.3 / 0.8], rtol=1e-15)
    assert not np.isnan(val.weights).any()


# --------------------------------------------------------------------------- weights baskets
def test_weights_basket_in_another_base_currency() -> None:
    # base 2 EUR on the first date: V0 = 2 * 1.1 = 2.2 USD; units = w * 2.2 / P
    spec = BasketSpec.from_dict({"name": "w", "base_date": "2020-01-02", "base_value": 2.0,
                                 "base_currency": "EUR", "weights": {"USD": 0.25, "EUR": 0.75}})
    val = valuate(spec, FX, base_prices=FX.iloc[0])
    np.testing.assert_allclose(val.units[0], [0.25 * 2.2, 0.75 * 2.2 / 1.1], rtol=1e-15)
    assert val.values_usd[0] / FX["EUR"].iloc[0] == pytest.approx(2.0, rel=1e-15)
    np.testing.assert_allclose(val.weights[0], [0.25, 0.75], rtol=1e-15)
    assert val.resets.tolist() == [], "fixed amounts: no reset, not even on the first day"
    assert val.resets.dtype == np.intp


def test_base_prices_are_read_as_float64() -> None:
    spec = BasketSpec.from_dict({"name": "w", "base_date": "2020-01-02", "base_value": 3.0,
                                 "base_currency": "EUR", "weights": {"USD": 0.25, "EUR": 0.75}})
    base = pd.Series({"USD": 1.0, "EUR": 1.1}, dtype=np.float32)
    val = valuate(spec, FX, base_prices=base)
    eur = float(np.float32(1.1))                  # the float32 price, exactly, in float64
    np.testing.assert_array_equal(val.units[0], [0.25 * (3.0 * eur), 0.75 * (3.0 * eur) / eur])


def test_weights_basket_needs_base_prices() -> None:
    spec = BasketSpec.from_dict({"name": "w", "base_date": "2020-01-02",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    with pytest.raises(SpecError, match="basket 'w' needs base-date prices to fix its amounts"):
        valuate(spec, FX)
    with pytest.raises(DataError, match="no base-date price for basket 'w'"):
        valuate(spec, FX, base_prices=pd.Series({"USD": 1.0}))
    with pytest.raises(DataError, match="no base-date price for basket 'w'"):
        valuate(spec, FX, base_prices=pd.Series({"USD": 1.0, "EUR": np.nan}))


@pytest.mark.parametrize("row", [0, 3])
def test_rebalanced_value_is_base_value_when_the_base_date_is_a_window_edge(row: int) -> None:
    """A weights basket whose base date is the first or the last date of the window."""
    day = FX.index[row].date().isoformat()
    spec = BasketSpec.from_dict({"name": "w", "base_date": day, "base_value": 3.0,
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, FX, "band:0.01", base_prices=FX.iloc[row])
    assert val.values_usd[row] == pytest.approx(3.0, rel=1e-15)


@pytest.mark.parametrize("rule", ["monthly", "band:0.05", "review:1y"])
def test_a_one_date_window_on_the_base_date(rule: str) -> None:
    spec = BasketSpec.from_dict({"name": "w", "base_date": "2020-01-02", "base_value": 2.0,
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, FX.iloc[:1], rule, base_prices=FX.iloc[0])
    assert val.values_usd.tolist() == [2.0]
    np.testing.assert_allclose(val.units[0], [1.0, 1.0 / 1.1], rtol=1e-15)


def test_base_date_outside_the_window_leaves_the_rebalanced_path_unscaled() -> None:
    spec = BasketSpec.from_dict({"name": "w", "base_date": "2019-12-31",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    base = pd.Series({"USD": 1.0, "EUR": 1.0})
    val = valuate(spec, FX, "monthly", base_prices=base)
    # amounts fixed on 2019-12-31 at EUR = 1: 0.5 USD + 0.5 EUR, worth 1.05 on the first date
    assert val.values_usd[0] == pytest.approx(1.05, rel=1e-15)


# --------------------------------------------------------------------------- rules
def test_band_exactly_at_its_edge_does_not_reset() -> None:
    # 0.5 USD + 0.5 EUR at EUR = 1; at EUR = 3 the weights are 0.25 / 0.75: exactly 0.25 off
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 3.0, 3.0]},
                ["2020-01-02", "2020-01-03", "2020-01-06"])
    spec = BasketSpec.from_dict({"name": "b", "base_date": "2020-01-02",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    at_edge = valuate(spec, fx, Band(0.25), base_prices=fx.iloc[0])
    assert at_edge.resets.tolist() == [0]
    np.testing.assert_allclose(at_edge.weights[1], [0.25, 0.75], rtol=1e-15)
    inside = valuate(spec, fx, Band(0.2499), base_prices=fx.iloc[0])
    assert inside.resets.tolist() == [0, 1]
    # reset at the close of 2020-01-03 at its value 2.0: 1.0 USD + 1/3 EUR
    np.testing.assert_allclose(inside.units[1], [1.0, 1.0 / 3.0], rtol=1e-15)
    np.testing.assert_allclose(inside.values_usd, [1.0, 2.0, 2.0], rtol=1e-15)


def test_band_of_an_amounts_basket_targets_its_first_day_shares() -> None:
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [2.0, 4.0, 4.0]},
                ["2020-01-02", "2020-01-03", "2020-01-06"])
    spec = BasketSpec.from_dict({"name": "a", "amounts": {"USD": 1.0, "EUR": 1.5},
                                 "base_date": "2020-01-02"})
    val = valuate(spec, fx, "band:0.1")
    # first day: 1 USD + 3 USD of EUR: target 0.25 / 0.75; next day 1 + 6 = 7: 1/7 off by > 0.1
    assert val.resets.tolist() == [0, 1]
    np.testing.assert_allclose(val.units[1], [0.25 * 7.0, 0.75 * 7.0 / 4.0], rtol=1e-15)


def test_calendar_rule_starts_at_target_weights() -> None:
    spec = BasketSpec.from_dict({"name": "a", "amounts": {"USD": 1.0, "EUR": 1.5},
                                 "base_date": "2020-01-02"})
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [2.0, 4.0, 5.0]},
                ["2020-01-30", "2020-01-31", "2020-02-03"])
    data = {**spec.to_dict(), "periods": [{"start": "2020-01-30", "amounts": {"USD": 1.0,
                                                                               "EUR": 1.5}}]}
    val = valuate(BasketSpec.from_dict(data), fx, "monthly")
    # target = first-day shares 0.25 / 0.75; February resets at 1 + 6 = 7 USD
    assert val.resets.tolist() == [0, 2]
    np.testing.assert_allclose(val.units[2], [0.25 * 8.5, 0.75 * 8.5 / 5.0], rtol=1e-15)
    np.testing.assert_allclose(val.values_usd, [4.0, 7.0, 8.5], rtol=1e-15)


LATER_CNY = {"name": "later", "periods": [
    {"start": "2020-01-02", "amounts": {"USD": 1.0, "EUR": 1.5}},
    {"start": "2030-01-02", "amounts": {"USD": 1.0, "EUR": 1.0, "CNY": 5.0}},
]}


@pytest.mark.parametrize(("rule", "eur", "values", "resets"), [
    # first-day shares 0.25 / 0.75; February resets at 1 + 6 = 7, then 7 -> 8.5
    ("monthly", [2.0, 4.0, 5.0], [4.0, 7.0, 8.5], [0, 2]),
    # the EUR share leaves 0.75 +- 0.1 on the second day: reset at 7
    ("band:0.1", [2.0, 4.0, 5.0], [4.0, 7.0, 0.25 * 7.0 + 0.75 * 7.0 / 4.0 * 5.0], [0, 1]),
    ("none", [2.0, 4.0, 5.0], [4.0, 7.0, 8.5], []),
])
def test_rules_ignore_a_currency_held_only_later_and_unquoted(rule: str, eur: list[float],
                                                             values: list[float],
                                                             resets: list[int]) -> None:
    """CNY joins in a period after the window and has no quote in it: its target weight is 0,
    so every rule keeps it at zero and the NaN rate never reaches a value."""
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": eur, "CNY": [np.nan] * 3},
                ["2020-01-30", "2020-01-31", "2020-02-03"])
    data = {**LATER_CNY, "periods": [{**LATER_CNY["periods"][0], "start": "2020-01-30"},
                                     LATER_CNY["periods"][1]]}
    val = valuate(BasketSpec.from_dict(data), fx, rule)
    assert val.currencies == ["USD", "EUR", "CNY"]
    np.testing.assert_allclose(val.values_usd, values, rtol=1e-15)
    assert val.resets.tolist() == resets
    assert (val.units[:, 2] == 0.0).all() and (val.weights[:, 2] == 0.0).all()
    assert np.isfinite(val.units).all() and np.isfinite(val.weights).all()


def test_band_resets_with_an_unquoted_currency_of_zero_target() -> None:
    # two breaches: the band path recomputes the holdings after each reset
    fx = _panel({"USD": [1.0] * 4, "EUR": [2.0, 4.0, 4.0, 1.0], "CNY": [np.nan] * 4},
                ["2020-01-30", "2020-01-31", "2020-02-03", "2020-02-04"])
    data = {**LATER_CNY, "periods": [{**LATER_CNY["periods"][0], "start": "2020-01-30"},
                                     LATER_CNY["periods"][1]]}
    val = valuate(BasketSpec.from_dict(data), fx, "band:0.1")
    assert val.resets.tolist() == [0, 1, 3]
    # reset at 7 on day 1: 1.75 USD + 1.3125 EUR; day 3: 1.75 + 1.3125 = 3.0625
    np.testing.assert_allclose(val.values_usd, [4.0, 7.0, 7.0, 3.0625], rtol=1e-15)
    np.testing.assert_allclose(val.units[3], [0.25 * 3.0625, 0.75 * 3.0625, 0.0], rtol=1e-15)
    assert np.isfinite(val.units).all()


def test_window_ending_exactly_on_a_review_anniversary() -> None:
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 1.1, 1.3]},
                ["2020-01-02", "2020-12-15", "2021-01-04"])
    spec = BasketSpec.from_dict({"name": "r", "base_date": "2020-01-02",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    val = valuate(spec, fx, "review:1y:1m", base_prices=fx.iloc[0])
    # the anniversary 2021-01-02 is a Saturday: the transition is the last row, 2021-01-04
    assert val.resets.tolist() == [2]
    k = 1.15 / (0.5 + 0.5 * 1.3 / 1.2)
    np.testing.assert_allclose(val.units[2], [0.5 * k, 0.5 / 1.2 * k], rtol=1e-14)
    on_day = valuate(spec, fx.iloc[:2].rename(index={fx.index[1]: pd.Timestamp("2021-01-02")}),
                     "review:1y:1m", base_prices=fx.iloc[0])
    assert on_day.resets.tolist() == [1], "a window ending on the anniversary itself"


def test_geometric_index_by_hand_with_base_value_and_weights() -> None:
    fx = _panel({"USD": [1.0, 1.0], "EUR": [1.0, 1.21], "JPY": [0.01, 0.0064]},
                ["2020-01-02", "2020-01-03"])
    spec = BasketSpec.from_dict({"name": "g", "method": "geometric", "base_date": "2020-01-02",
                                 "base_value": 2.0, "weights": {"EUR": 0.5, "JPY": 0.5}})
    val = valuate(spec, fx[["EUR", "JPY"]], base_prices=fx.iloc[0])
    # 2 * 1.21**0.5 * 0.64**0.5 = 2 * 1.1 * 0.8 = 1.76 USD; weights constant; units = w V / P
    np.testing.assert_allclose(val.values_usd, [2.0, 1.76], rtol=1e-15)
    np.testing.assert_allclose(val.units[1], [0.5 * 1.76 / 1.21, 0.5 * 1.76 / 0.0064], rtol=1e-15)
    assert val.resets.tolist() == [0, 1]
    with pytest.raises(SpecError, match=r"^basket 'g' needs base-date prices$"):
        valuate(spec, fx[["EUR", "JPY"]])
    with pytest.raises(SpecError, match=r"^a geometric index is implicitly rebalanced; use "
                                        r"rebalance='none'$"):
        valuate(spec, fx[["EUR", "JPY"]], "monthly", base_prices=fx.iloc[0])
    # unequal weights: 2 * 1.21**0.25 * 0.64**0.75
    skew = spec.replace(weights={"EUR": 0.25, "JPY": 0.75})
    val = valuate(skew, fx[["EUR", "JPY"]], base_prices=fx.iloc[0])
    assert val.values_usd[1] == pytest.approx(2 * 1.21**0.25 * 0.64**0.75, rel=1e-15)
    np.testing.assert_allclose(val.weights[1], [0.25, 0.75], rtol=1e-15)
    # float32 base prices are read as float64 (the exact float32 values)
    base32 = fx.iloc[0].astype(np.float32)
    val = valuate(skew, fx[["EUR", "JPY"]], base_prices=base32)
    p0 = base32.astype(np.float64)
    expected = 2.0 * (1.21 / p0["EUR"]) ** 0.25 * (0.0064 / p0["JPY"]) ** 0.75 * p0["USD"]
    assert val.values_usd[1] == pytest.approx(expected, rel=1e-15)


def test_the_spec_rule_is_the_default() -> None:
    spec = BasketSpec.from_dict({"name": "q", "base_date": "2020-03-30", "rebalance": "quarterly",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 1.5, 1.2]},
                ["2020-03-30", "2020-03-31", "2020-04-01"])
    assert valuate(spec, fx, base_prices=fx.iloc[0]).resets.tolist() == [0, 2]
    assert valuate(spec, fx, "none", base_prices=fx.iloc[0]).resets.tolist() == []


def test_a_float32_panel_is_valued_in_float64() -> None:
    spec = BasketSpec.from_dict({"name": "q", "base_date": "2020-03-30",
                                 "weights": {"USD": 0.5, "EUR": 0.5}})
    fx = _panel({"USD": [1.0, 1.0, 1.0], "EUR": [1.1, 1.3, 1.2]},
                ["2020-03-30", "2020-03-31", "2020-04-01"])
    fx32 = fx.astype(np.float32)
    for rule in ("none", "quarterly", "band:0.01"):
        got = valuate(spec, fx32, rule, base_prices=fx32.iloc[0])
        ref = valuate(spec, fx32.astype(np.float64), rule, base_prices=fx32.iloc[0])
        np.testing.assert_array_equal(got.values_usd, ref.values_usd)
        np.testing.assert_array_equal(got.units, ref.units)


def test_valuate_errors_and_column_order() -> None:
    spec = BasketSpec.from_dict(TWO_PERIODS)
    with pytest.raises(DataError, match=r"^the FX panel has no column for EUR$"):
        valuate(spec, FX[["USD"]])
    three = BasketSpec.from_dict({"name": "t", "amounts": {"USD": 1.0, "EUR": 1.0, "JPY": 1.0}})
    with pytest.raises(DataError, match=r"^the FX panel has no column for EUR, JPY$"):
        valuate(three, FX[["USD"]])
    with pytest.raises(DataError, match="no FX data to value basket 'p' on; widen the date range"):
        valuate(spec, FX.iloc[:0])
    swapped = valuate(spec, FX[["EUR", "USD"]])
    np.testing.assert_array_equal(swapped.values_usd, valuate(spec, FX).values_usd)
    whole = valuate(spec, pd.DataFrame({"EUR": [2, 3], "USD": [1, 1]}, index=FX.index[:2]))
    assert whole.values_usd.tolist() == [2.0, 2.5] and whole.values_usd.dtype == np.float64
    assert valuate(spec, FX, NoRebalance()).currencies == ["USD", "EUR"]


# --------------------------------------------------------------------------- small pieces
def test_base_date_row_boundaries() -> None:
    dates = FX.index
    assert base_date_row(dates, pd.Timestamp("2020-01-02")) == 0
    assert base_date_row(dates, pd.Timestamp("2020-01-05")) == 1     # a Sunday: Friday's quote
    assert base_date_row(dates, pd.Timestamp("2020-01-06")) == 2
    assert base_date_row(dates, pd.Timestamp("2030-01-01")) == 3
    with pytest.raises(DataError, match=r"2020-01-01 is before the first quote \(2020-01-02\); "
                                        "pick a later date"):
        base_date_row(dates, pd.Timestamp("2020-01-01"))


def test_units_from_weights_in_float64_whatever_the_input() -> None:
    w32 = pd.Series({"USD": 0.1, "EUR": 0.9}, dtype=np.float32)
    u = units_from_weights(w32, {"USD": 1.0, "EUR": 1.1}, 3.0)
    exact = np.array([float(np.float32(0.1)), float(np.float32(0.9))]) * 3.0 / [1.0, 1.1]
    np.testing.assert_array_equal(u.to_numpy(), exact)
    assert u.dtype == np.float64


def test_units_from_weights_and_basket_value_errors() -> None:
    u = units_from_weights({"USD": 1, "EUR": 1}, {"EUR": 2, "USD": 4})
    assert u.index.tolist() == ["USD", "EUR"], "in the weights' order"
    assert u.tolist() == [0.25, 0.5] and u.dtype == np.float64
    assert units_from_weights({"EUR": 0.5}, {"EUR": 1.25}).tolist() == [0.4]
    with pytest.raises(DataError, match="no base-date price for EUR, JPY"):
        units_from_weights({"USD": 0.5, "EUR": 0.25, "JPY": 0.25}, {"USD": 1.0})
    with pytest.raises(DataError, match="the FX panel has no column for JPY, GBP"):
        basket_value(FX, {"USD": 1.0, "JPY": 1.0, "GBP": 1.0})
    assert basket_value(FX, {"EUR": 1.0}).tolist() == [1.1, 1.2, 1.3, 1.4]
    v = basket_value(FX, pd.Series({"EUR": 2, "USD": 1}))
    assert v.name == "USD" and v.index.equals(FX.index)
    np.testing.assert_allclose(v.to_numpy(), [3.2, 3.4, 3.6, 3.8], rtol=1e-15)


def test_a_panel_indexed_by_date_strings_is_valued_on_those_dates() -> None:
    # an index of ISO strings is read as dates: the second period starts on the Monday
    fx = FX.set_axis(["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"], axis=0)
    val = valuate(BasketSpec.from_dict(TWO_PERIODS), fx)
    np.testing.assert_allclose(val.values_usd, [1.55, 1.6, 2.85, 3.05], rtol=1e-15)
    assert val.resets.tolist() == [2]
