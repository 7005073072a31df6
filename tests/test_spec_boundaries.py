"""Basket specifications and rules at their boundaries: the value exactly on a limit is
accepted or refused as documented, and the day a period starts belongs to that period.

References are the documented contracts (``basket.spec``, ``basket._spec_fields`` and
``basket.rebalance`` docstrings) and hand-made dates; no tolerance is involved.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from basket.errors import SpecError
from basket.rebalance import Band, Review, parse_rule
from basket.spec import (
    MAX_AMOUNT,
    MAX_BASE_VALUE,
    MIN_AMOUNT,
    MIN_BASE_VALUE,
    WEIGHT_TOLERANCE,
    BasketSpec,
)

WEIGHTS = {"name": "w", "base_date": "2019-06-18", "weights": {"USD": 0.5, "EUR": 0.5}}
TWO_PERIODS = {"name": "p", "periods": [
    {"start": "2000-01-03", "amounts": {"USD": 1.0, "EUR": 0.5}},
    {"start": "2005-07-01", "amounts": {"USD": 0.8, "EUR": 0.6}},
]}


# --------------------------------------------------------------------------- periods
def test_period_at_its_start_date_is_that_period() -> None:
    spec = BasketSpec.from_dict(TWO_PERIODS)
    first, second = spec.periods
    assert spec.period_at(dt.date(2005, 7, 1)) is second
    assert spec.period_at(dt.date(2005, 6, 30)) is first
    assert spec.period_at(dt.date(2000, 1, 3)) is first
    assert spec.period_at(dt.date(2030, 1, 1)) is second
    with pytest.raises(SpecError, match=r"basket 'p' starts on 2000-01-03; 2000-01-02 is before it"):
        spec.period_at(dt.date(2000, 1, 2))


def test_period_at_refuses_a_weights_basket() -> None:
    with pytest.raises(SpecError, match="basket 'w' states weights, not amounts"):
        BasketSpec.from_dict(WEIGHTS).period_at(dt.date(2020, 1, 1))


def test_duplicate_period_starts_are_refused() -> None:
    data = {"name": "d", "periods": [
        {"start": "2000-01-03", "amounts": {"USD": 1.0}},
        {"start": "2000-01-03", "amounts": {"USD": 2.0}},
    ]}
    with pytest.raises(SpecError, match=r"basket 'd': period start dates must increase"):
        BasketSpec.from_dict(data)


def test_default_base_date_of_an_amounts_basket() -> None:
    """``amounts`` without ``base_date`` hold from 1999-01-01 (the start of the ECB data), and
    the base date is the period's start."""
    spec = BasketSpec.from_dict({"name": "a", "amounts": {"USD": 0.5, "EUR": 0.4}})
    assert spec.periods[0].start == dt.date(1999, 1, 1)
    assert spec.base_date == dt.date(1999, 1, 1)
    assert spec.kind == "amounts"
    dated = BasketSpec.from_dict({"name": "a", "amounts": {"USD": 0.5}, "base_date": "2010-02-03"})
    assert dated.periods[0].start == dated.base_date == dt.date(2010, 2, 3)
    periods = BasketSpec.from_dict(TWO_PERIODS)
    assert periods.base_date == dt.date(2000, 1, 3), "periods: the first period's start"


# --------------------------------------------------------------------------- numbers
def test_a_zero_weight_is_refused() -> None:
    with pytest.raises(SpecError, match=r"weights\.EUR = 0(\.0)?; it must be positive"):
        BasketSpec.from_dict({**WEIGHTS, "weights": {"USD": 1.0, "EUR": 0.0}})


def test_a_zero_amount_is_refused() -> None:
    with pytest.raises(SpecError, match=r"amounts\.EUR = 0(\.0)?; it must be positive"):
        BasketSpec.from_dict({"name": "a", "amounts": {"USD": 1.0, "EUR": 0}})


@pytest.mark.parametrize("value", [0, 0.0, -1.0, MIN_BASE_VALUE / 2, MAX_BASE_VALUE * 1.001])
def test_base_value_out_of_range(value: float) -> None:
    with pytest.raises(SpecError, match=r"base_value .* is out of range; give a value between "
                                        r"1e-09 and 1e\+12"):
        BasketSpec.from_dict({**WEIGHTS, "base_value": value})


@pytest.mark.parametrize("value", [MIN_BASE_VALUE, 1, MAX_BASE_VALUE])
def test_base_value_bounds_are_inclusive(value: float) -> None:
    assert BasketSpec.from_dict({**WEIGHTS, "base_value": value}).base_value == value


def test_base_value_must_be_a_finite_number() -> None:
    with pytest.raises(SpecError, match="base_value must be a finite number"):
        BasketSpec(name="x", weights={"USD": 1.0}, base_date=dt.date(2020, 1, 1),
                   base_value=float("inf"))
    with pytest.raises(SpecError, match=r"base_value True is not a number"):
        BasketSpec.from_dict({**WEIGHTS, "base_value": True})


def test_amount_bounds_are_inclusive() -> None:
    spec = BasketSpec.from_dict({"name": "a", "amounts": {"USD": MIN_AMOUNT, "EUR": MAX_AMOUNT}})
    assert spec.periods[0].amounts == {"USD": 1e-9, "EUR": 1e9}
    with pytest.raises(SpecError, match=r"amounts\.USD = .* is out of range"):
        BasketSpec.from_dict({"name": "a", "amounts": {"USD": MIN_AMOUNT * 0.99}})


def test_weight_sum_tolerance() -> None:
    ok = {"USD": 0.5, "EUR": 0.5 + WEIGHT_TOLERANCE / 2}
    assert BasketSpec.from_dict({**WEIGHTS, "weights": ok}).weights == ok
    low = {"USD": 0.5, "EUR": 0.5 - WEIGHT_TOLERANCE / 2}
    assert BasketSpec.from_dict({**WEIGHTS, "weights": low}).weights == low
    for bad in ({"USD": 0.5, "EUR": 0.5 + 3 * WEIGHT_TOLERANCE},
                {"USD": 0.5, "EUR": 0.5 - 3 * WEIGHT_TOLERANCE}):
        with pytest.raises(SpecError, match=r"weights sum to 1\.000000003|weights sum to "
                                            r"0\.999999997"):
            BasketSpec.from_dict({**WEIGHTS, "weights": bad})


def test_weights_may_be_small_positive_numbers() -> None:
    # weights are fractions, not amounts: 1e-12 is no typo (the amount bounds do not apply)
    w = {"USD": 1.0 - 1e-12, "EUR": 1e-12}
    assert BasketSpec.from_dict({**WEIGHTS, "weights": w}).weights == w


# --------------------------------------------------------------------------- methods
def test_imf_rounding_on_a_geometric_index_is_refused() -> None:
    with pytest.raises(SpecError, match=r"basket 'g': rounding='imf' applies to arithmetic"):
        BasketSpec.from_dict({"name": "g", "method": "geometric", "base_date": "2020-01-02",
                              "rounding": "imf", "weights": {"USD": 0.5, "EUR": 0.5}})
    spec = BasketSpec.from_dict({"name": "a", "rounding": "imf", "amounts": {"USD": 1.0}})
    assert spec.rounding == "imf"


def test_a_geometric_basket_needs_weights() -> None:
    with pytest.raises(SpecError, match="a geometric index needs weights, not amounts"):
        BasketSpec.from_dict({"name": "g", "method": "geometric", "amounts": {"USD": 1.0}})


# --------------------------------------------------------------------------- rules
@pytest.mark.parametrize("text", ["band:0", "band:0.0", "band:1", "band:100%", "band:0%"])
def test_band_width_bounds_are_exclusive(text: str) -> None:
    with pytest.raises(SpecError, match=r"band width .* must be between 0 and 1"):
        parse_rule(text)


@pytest.mark.parametrize(("text", "width"), [("band:0.999", 0.999), ("band:1e-3", 0.001),
                                              ("band:2.5%", 0.025), ("BAND:.05", 0.05)])
def test_band_width_parsed(text: str, width: float) -> None:
    rule = parse_rule(text)
    assert rule == Band(width)
    assert rule.label == f"band:{width:g}"


@pytest.mark.parametrize("text", ["review:5y:0m", "review:5y:121m"])
def test_review_window_bounds(text: str) -> None:
    with pytest.raises(SpecError, match=r"review window \d+ must be a whole number of months "
                                        r"from 1 to 120"):
        parse_rule(text)


@pytest.mark.parametrize("text", ["review:0y", "review:51y"])
def test_review_period_bounds(text: str) -> None:
    with pytest.raises(SpecError, match=r"review period \d+ must be a whole number of years "
                                        r"from 1 to 50"):
        parse_rule(text)


@pytest.mark.parametrize(("text", "rule", "label"), [
    ("review:5y:1m", Review(5, 1), "review:5y:1m"),
    ("review:5y:120m", Review(5, 120), "review:5y:120m"),
    ("review:50y", Review(50, 3), "review:50y"),
    ("review:1y:3m", Review(1, 3), "review:1y"),
    ("review:5", Review(5, 3), "review:5y"),
    (" Review:2Y:6M ", Review(2, 6), "review:2y:6m"),
])
def test_review_bounds_accepted(text: str, rule: Review, label: str) -> None:
    parsed = parse_rule(text)
    assert parsed == rule
    assert parsed.label == label


def test_review_rejects_non_integers() -> None:
    with pytest.raises(SpecError, match="review period True must be a whole number"):
        Review(True)  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"review period 5\.0 must be a whole number"):
        Review(5.0)  # type: ignore[arg-type]
    with pytest.raises(SpecError, match=r"review window 3\.0 must be a whole number"):
        Review(5, 3.0)  # type: ignore[arg-type]


def test_review_resets_on_and_after_each_anniversary() -> None:
    dates = pd.DatetimeIndex(["2010-01-04", "2011-01-03", "2011-01-04", "2011-01-05",
                              "2012-01-05"], name="date")
    # anniversaries 2011-01-04 (in the data) and 2012-01-04 (a gap: the next date, 2012-01-05)
    assert Review(1).calendar_resets(dates).tolist() == [2, 4]
    # a window ending exactly on the anniversary resets on its last row
    assert Review(1).calendar_resets(dates[:3]).tolist() == [2]
    assert Review(1).calendar_resets(dates[:2]).tolist() == []
    assert Review(2).calendar_resets(dates).tolist() == [4]   # 2012-01-04: the next date
    assert Review(1).calendar_resets(dates[:0]).tolist() == []


def test_review_window_start() -> None:
    day = pd.Timestamp("2021-01-04")
    assert Review(5).window_start(day) == pd.Timestamp("2020-10-05")
    assert Review(5, 1).window_start(day) == pd.Timestamp("2020-12-05")
    assert Review(5, 12).window_start(pd.Timestamp("2020-03-01")) == pd.Timestamp("2019-03-02")
