"""IMF rounding against references independent of ``basket.valuation.engine``.

* Hand-made ties, where half up and half even disagree, at several magnitudes.
* Vectors found in the SDR's daily history on the bundled ECB file
  (``fixtures/imf/rounding_vectors.csv``, written by ``fixtures/imf/make_rounding_vectors.py``
  with exact rational arithmetic): dates where rounding ties to even, or skipping the
  per-currency rounding, changes the published six-digit value.
* IMF rounding end to end: the ``sdr`` seed with ``rounding = "imf"`` on those dates.
* SDR-style reviews with IMF rounding: new amounts at five significant digits, the US dollar
  amount absorbing the remainder, recomputed by hand (``fractions.Fraction``).

Tolerances: none. Each figure is a six- (or five-) digit decimal, compared exactly.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import basket
from basket.spec import BasketSpec, load_spec
from basket.valuation.engine import imf_round, imf_usd_value, round_amount, valuate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _half_up(q: Fraction, digits: int) -> Fraction:
    """Round a positive rational to ``digits`` significant digits, ties away from zero (the
    reference for this file: integer arithmetic, no ``decimal``)."""
    e = 0
    while Fraction(10) ** e > q:
        e -= 1
    while Fraction(10) ** (e + 1) <= q:
        e += 1
    scale = Fraction(10) ** (digits - 1 - e)
    return Fraction(math.floor(q * scale + Fraction(1, 2))) / scale


def _exact(x: float) -> Fraction:
    """The decimal a float prints as (its shortest repr), exactly."""
    return Fraction(repr(float(x)))


def _vectors() -> dict[tuple[str, str], list[dict[str, str]]]:
    text = (FIXTURES / "imf" / "rounding_vectors.csv").read_text()
    rows = csv.DictReader(ln for ln in text.splitlines() if not ln.startswith("#"))
    out: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        out[(row["case"], row["date"])].append(row)
    return dict(out)


VECTORS = _vectors()
IDS = [f"{case}-{day}" for case, day in VECTORS]


# --------------------------------------------------------------------------- imf_round by hand
@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        # ties: half up gives the larger last digit, half even would keep the even one
        ("0.1234565", 6, "0.123457"),     # half even: 0.123456
        ("1.2345650", 6, "1.23457"),      # half even: 1.23456
        ("12.34565", 6, "12.3457"),       # half even: 12.3456
        ("0.0002468625", 6, "0.000246863"),
        ("123456.5", 6, "123457"),
        ("0.58252500", 5, "0.58253"),     # five digits (review amounts): half even 0.58252
        ("2.5", 1, "3"),                  # half even: 2
        # not ties: the seventh digit decides
        ("0.12345649999", 6, "0.123456"),
        ("0.1234575", 6, "0.123458"),     # an odd sixth digit: half up and half even agree
        ("9.9999951", 6, "10.0000"),      # rounds up into the next decade
        ("-0.1234565", 6, "-0.123457"),   # away from zero, as the IMF rounds magnitudes
    ],
)
def test_imf_round_ties_go_up(x: str, digits: int, expected: str) -> None:
    assert imf_round(Decimal(x), digits) == Decimal(expected)


def test_imf_round_keeps_a_decimal_exact() -> None:
    # a Decimal (an exact product of two rates) is rounded as it is: one that a float would
    # turn into the tie 0.1234565 is below it, and rounds down
    assert imf_round(Decimal("0.1234564999999999999999")) == Decimal("0.123456")
    assert float(Decimal("0.1234564999999999999999")) == 0.1234565
    assert imf_round(Decimal("0.58252499999999999999"), 5) == Decimal("0.58252")


@pytest.mark.parametrize("x", [1.0, Decimal(1), 10.0, 100000.0])
def test_imf_round_of_round_numbers(x: float | Decimal) -> None:
    assert imf_round(x) == Decimal(x)
    assert imf_round(x, 1) == Decimal(x)


def test_imf_round_reads_a_float_through_its_shortest_repr() -> None:
    # 0.1234565 is stored as 0.12345649999999999...; read as its repr it is a tie and goes up
    assert 0.1234565 < Fraction("0.1234565")
    assert imf_round(0.1234565) == Decimal("0.123457")
    assert imf_round(1234565.0, 6) == Decimal("1.23457E+6")
    assert imf_round(0.0) == 0 and imf_round(Decimal(0)) == 0


def test_round_amount_is_five_significant_digits_half_up() -> None:
    assert round_amount(0.385715) == 0.38572      # tie at the sixth digit: up
    assert round_amount(0.385725) == 0.38573      # half even would give 0.38572
    assert round_amount(13.45249) == 13.452
    assert round_amount(1.09935) == 1.0994
    assert round_amount(0.0808705) == 0.080871
    assert round_amount(0.5, 1) == 0.5 and round_amount(0.25, 1) == 0.3


# --------------------------------------------------------------------------- history vectors
@pytest.mark.parametrize("key", list(VECTORS), ids=IDS)
def test_history_vector(key: tuple[str, str]) -> None:
    rows = VECTORS[key]
    amounts = [float(r["amount"]) for r in rows]
    prices = [float(r["usd_per_unit"]) for r in rows]
    expected = Fraction(rows[0]["imf"])
    # the fixture discriminates: the other method gives another six-digit value
    assert Fraction(rows[0][key[0]]) != expected
    # each currency's USD equivalent, then the total, to six significant digits half up
    for r, a, p in zip(rows, amounts, prices):
        eq = imf_round(Decimal(repr(a)) * Decimal(repr(p)))
        assert Fraction(str(eq)) == Fraction(r["usd_equivalent_imf"]) == _half_up(
            _exact(a) * _exact(p), 6), r["currency"]
    assert _exact(imf_usd_value(amounts, prices)) == expected
    # the same through the valuation of a one-date panel
    panel = pd.DataFrame([prices], columns=[r["currency"] for r in rows],
                         index=pd.DatetimeIndex([key[1]], name="date"))
    spec = BasketSpec.from_dict({"name": "sdr-day", "rounding": "imf",
                                 "base_date": rows[0]["period_start"],
                                 "amounts": {r["currency"]: a for r, a in zip(rows, amounts)}})
    val = valuate(spec, panel)
    assert _exact(val.values_usd[0]) == expected
    # the weights are the unrounded holdings over the rounded value
    np.testing.assert_allclose(val.weights[0], np.array(amounts) * prices / float(expected),
                               rtol=1e-15)


@pytest.mark.parametrize("key", list(VECTORS), ids=IDS)
def test_imf_rounding_end_to_end(key: tuple[str, str]) -> None:
    """The ``sdr`` seed with the IMF's rounding, valued on the bundled ECB file."""
    rows = VECTORS[key]
    spec = load_spec("sdr").replace(rounding="imf")
    got = basket.price(key[1], basket=spec)
    assert _exact(got) == Fraction(rows[0]["imf"])
    unrounded = basket.price(key[1], basket="sdr")
    # without rounding the value is the exact sum, within half a unit of the sixth digit
    assert abs(_exact(unrounded) - Fraction(rows[0]["unrounded"])) <= Fraction(5, 10**6)


def test_a_zero_amount_counts_zero_even_when_unpriced() -> None:
    # a currency the period does not hold may have no quote (CNY before 2016 in the SDR)
    assert imf_usd_value([0.0, 0.5821, 0.3519], [float("nan"), 1.0, 0.9712]) == 0.923865
    assert imf_usd_value([0.0, 2.0], [5.0, 0.3333335]) == 0.666667


def test_imf_rounding_over_a_year_matches_the_reference_every_day() -> None:
    """Every day of 2019 (the CNY period): ``basket`` against the rational-arithmetic rule."""
    spec = load_spec("sdr").replace(rounding="imf")
    res = basket.backtest(spec, start="2019-01-01", end="2019-12-31", numeraires=["USD"])
    amounts = spec.period_at(pd.Timestamp("2019-06-01").date()).amounts
    fx = basket.load_fx(list(amounts), "2019-01-01", "2019-12-31")
    for day, row in fx.iterrows():
        ref = _half_up(sum(_half_up(_exact(a) * _exact(row[c]), 6)
                           for c, a in amounts.items()), 6)
        assert _exact(res.values.loc[day, "USD"]) == ref, day


# --------------------------------------------------------------------------- reviews
def _review_case() -> tuple[pd.DataFrame, BasketSpec]:
    dates = pd.bdate_range("2020-01-01", "2021-02-26", name="date")
    i = np.arange(len(dates), dtype=float)
    fx = pd.DataFrame({"USD": 1.0, "EUR": 1.1 + 0.0007 * i, "JPY": 0.009 + 3e-6 * i},
                      index=dates)
    spec = BasketSpec.from_dict({"name": "rev", "rounding": "imf", "base_date": "2020-01-01",
                                 "amounts": {"USD": 0.02, "EUR": 0.5, "JPY": 60.0}})
    return fx, spec


def test_review_amounts_five_significant_digits_by_hand() -> None:
    fx, spec = _review_case()
    val = valuate(spec, fx, "review:1y:1m")
    t = fx.index.get_loc(pd.Timestamp("2021-01-01"))        # the first anniversary, a Friday
    assert list(val.resets) == [t]
    # hand computation: target = value shares on the first row; on T the old amounts' value V,
    # xbar = mean price over 2020-12-02..2021-01-01, raw = w / xbar, scaled so raw is worth V
    amounts = {"USD": 0.02, "EUR": 0.5, "JPY": 60.0}
    p0 = {c: _exact(fx[c].iloc[0]) for c in amounts}
    held0 = {c: _exact(a) * p0[c] for c, a in amounts.items()}
    w = {c: h / sum(held0.values()) for c, h in held0.items()}
    pt = {c: _exact(fx[c].iloc[t]) for c in amounts}
    window = fx.loc["2020-12-02":"2021-01-01"]
    assert len(window) == 23
    xbar = {c: sum(_exact(v) for v in window[c]) / len(window) for c in amounts}
    v = sum(_exact(a) * pt[c] for c, a in amounts.items())
    raw = {c: w[c] / xbar[c] for c in amounts}
    k = v / sum(raw[c] * pt[c] for c in amounts)
    new = {c: _half_up(raw[c] * k, 5) for c in ("EUR", "JPY")}
    # the US dollar amount absorbs the remainder, then is rounded too
    new["USD"] = _half_up(v - new["EUR"] * pt["EUR"] - new["JPY"] * pt["JPY"], 5)
    got = dict(zip(spec.currencies, val.units[t]))
    for c in amounts:
        assert _exact(got[c]) == new[c], c
    # the remainder is visible: the dollar amount is not the unrounded raw * k
    assert new["USD"] != _half_up(raw["USD"] * k, 5)
    # the amounts hold from T on, the old ones until the day before
    np.testing.assert_array_equal(val.units[t:], np.broadcast_to(val.units[t], val.units[t:].shape))
    np.testing.assert_array_equal(val.units[:t], np.broadcast_to([0.02, 0.5, 60.0], (t, 3)))


def test_review_without_rounding_keeps_full_precision() -> None:
    fx, spec = _review_case()
    val = valuate(spec.replace(rounding="none"), fx, "review:1y:1m")
    t = int(val.resets[0])
    rounded = valuate(spec, fx, "review:1y:1m").units[t]
    assert not np.array_equal(val.units[t], rounded)
    np.testing.assert_allclose(val.units[t], rounded, rtol=1e-3)  # the remainder
    # value-preserving: the new amounts are worth the old ones on T
    assert val.units[t] @ fx.iloc[t].to_numpy() == pytest.approx(
        float(np.array([0.02, 0.5, 60.0]) @ fx.iloc[t].to_numpy()), rel=1e-14)


def _imf_review_by_hand(fx: pd.DataFrame, t: int, amounts: dict[str, float],
                        anchor: str) -> dict[str, Fraction]:
    """New amounts on review day ``t`` (a one-month window): the non-anchor amounts are
    ``w / xbar`` scaled to the old amounts' value and rounded to five significant digits; the
    anchor takes the remainder, rounded too."""
    p0 = {c: _exact(fx[c].iloc[0]) for c in amounts}
    pt = {c: _exact(fx[c].iloc[t]) for c in amounts}
    held = {c: _exact(a) * p0[c] for c, a in amounts.items()}
    w = {c: h / sum(held.values()) for c, h in held.items()}
    day = fx.index[t]
    window = fx.loc[day - pd.DateOffset(months=1) + pd.Timedelta(days=1):day]
    xbar = {c: sum(_exact(v) for v in window[c]) / len(window) for c in amounts}
    v = sum(_exact(a) * pt[c] for c, a in amounts.items())
    raw = {c: w[c] / xbar[c] for c in amounts}
    k = v / sum(raw[c] * pt[c] for c in amounts)
    new = {c: _half_up(raw[c] * k, 5) for c in amounts if c != anchor}
    rest = v - sum(new[c] * pt[c] for c in new)
    new[anchor] = _half_up(rest / pt[anchor], 5)
    return new


def test_review_with_a_currency_held_only_later() -> None:
    """An amounts basket whose later period adds USD and CNY (CNY unquoted in the window): the
    review keeps both at zero, the largest weight (EUR, listed second) absorbs the remainder,
    and no numpy warning escapes (pytest turns warnings into errors)."""
    fx, _ = _review_case()
    fx = fx.assign(CNY=np.nan)
    amounts = {"JPY": 37.0, "EUR": 0.5}      # EUR 0.55 USD, JPY 0.33 USD: EUR is the largest
    spec = BasketSpec.from_dict({"name": "later", "rounding": "imf", "periods": [
        {"start": "2020-01-01", "amounts": amounts},
        {"start": "2030-01-01", "amounts": {"USD": 0.3, "CNY": 1.0}}]})
    val = valuate(spec, fx[["JPY", "EUR", "USD", "CNY"]], "review:1y:1m")
    t = int(val.resets[0])
    assert spec.currencies == ["JPY", "EUR", "USD", "CNY"]
    assert val.units[t, 2] == 0.0 and val.units[t, 3] == 0.0
    expected = _imf_review_by_hand(fx, t, amounts, anchor="EUR")
    assert expected != _imf_review_by_hand(fx, t, amounts, anchor="JPY"), "the anchor shows"
    assert _exact(val.units[t, 0]) == expected["JPY"]
    assert _exact(val.units[t, 1]) == expected["EUR"]
    assert np.isfinite(val.values_usd).all()
    plain = valuate(spec.replace(rounding="none"), fx[["JPY", "EUR", "USD", "CNY"]],
                    "review:1y:1m")
    assert plain.units[t, 2] == 0.0 and plain.units[t, 3] == 0.0


def test_review_anchor_is_the_largest_weight_without_usd() -> None:
    fx, _ = _review_case()
    spec = BasketSpec.from_dict({"name": "rev", "rounding": "imf", "base_date": "2020-01-01",
                                 "amounts": {"EUR": 0.5, "JPY": 20.0}})
    val = valuate(spec, fx[["EUR", "JPY"]], "review:1y:1m")
    t = int(val.resets[0])
    p0 = fx.iloc[0]
    w_eur = 0.5 * p0["EUR"] / (0.5 * p0["EUR"] + 20.0 * p0["JPY"])
    assert w_eur > 0.5, "EUR holds the largest weight, so it absorbs the remainder"
    pt = fx.iloc[t]
    old_value = _exact(0.5 * pt["EUR"] + 20.0 * pt["JPY"])
    jpy = _exact(val.units[t, 1])
    assert jpy == _half_up(jpy, 5)
    eur = _half_up((old_value - jpy * _exact(pt["JPY"])) /
                   _exact(pt["EUR"]), 5)
    assert _exact(val.units[t, 0]) == eur
