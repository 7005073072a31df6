"""The field checks behind ``BasketSpec`` (``basket._spec_fields``), one helper at a time, with
their whole one-line messages and the values they return.

References: the documented bounds (``MIN_AMOUNT``/``MAX_AMOUNT``, ``WEIGHT_TOLERANCE``) and the
style guide's message rule; no arithmetic beyond a sum written out in the test.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import pytest

from basket._spec_fields import (
    MAX_AMOUNT,
    MIN_AMOUNT,
    WEIGHT_TOLERANCE,
    _check_weights,
    _currency_map,
    _index_fields,
    _to_date,
)
from basket.errors import SpecError


def _refused(message: str) -> Any:
    return pytest.raises(SpecError, match="^" + re.escape(message) + "$")


def test_to_date() -> None:
    assert _to_date(dt.date(2020, 1, 2), "x") == dt.date(2020, 1, 2)
    assert _to_date("2020-01-02", "x") == dt.date(2020, 1, 2)
    assert type(_to_date("2020-01-02", "x")) is dt.date
    with _refused("base_date is missing; write it as YYYY-MM-DD"):
        _to_date(None, "base_date")
    with _refused("periods[2].start '2020/01/01' is not a date; write it as YYYY-MM-DD, "
                  "e.g. 2019-06-18"):
        _to_date("2020/01/01", "periods[2].start")


@pytest.mark.parametrize(("raw", "field", "message"), [
    ({"usd": 1, "USD": 2}, "amounts", "amounts lists USD twice; name each currency once"),
    ({"US": 1}, "amounts", "amounts: currency code 'US' is not three letters; use ISO codes such "
                           "as 'EUR'"),
    ({"USD": True}, "amounts", "amounts.USD = True is not a number"),
    ({"USD": "1"}, "weights", "weights.USD = '1' is not a number"),
    ({"USD": float("inf")}, "amounts", "amounts.USD = inf is not a finite number"),
    ({"USD": float("nan")}, "weights", "weights.USD = nan is not a finite number"),
    ({"USD": -1}, "amounts", "amounts.USD = -1; it must be positive (long only)"),
    ({"USD": 0}, "periods[1].amounts", "periods[1].amounts.USD = 0; it must be positive (long "
                                       "only)"),
    ({"USD": 0.0}, "weights", "weights.USD = 0.0; it must be positive (long only)"),
    ({"USD": 2e9}, "amounts", "amounts.USD = 2000000000.0 is out of range; amounts are between "
                              "1e-09 and 1e+09 units of the currency"),
    ({"USD": 5e-10}, "periods[3].amounts", "periods[3].amounts.USD = 5e-10 is out of range; "
     "amounts are between 1e-09 and 1e+09 units of the currency"),
    ({}, "amounts", "amounts must be a table of currency = number, e.g. {USD = 0.5}"),
    ([("USD", 1)], "weights", "weights must be a table of currency = number, e.g. {USD = 0.5}"),
    (None, "amounts", "amounts must be a table of currency = number, e.g. {USD = 0.5}"),
])
def test_currency_map_refusals(raw: Any, field: str, message: str) -> None:
    with _refused(message):
        _currency_map(raw, field)


def test_currency_map_values() -> None:
    out = _currency_map({"usd": 1, " eur ": 0.5}, "weights")
    assert out == {"USD": 1.0, "EUR": 0.5} and list(out) == ["USD", "EUR"]
    assert all(type(v) is float for v in out.values())
    # weights are fractions: the amount bounds do not apply to them
    assert _currency_map({"USD": 1e-12}, "weights") == {"USD": 1e-12}
    assert _currency_map({"USD": MIN_AMOUNT, "EUR": MAX_AMOUNT}, "amounts") == {
        "USD": 1e-9, "EUR": 1e9}
    assert _currency_map({"USD": 0.0}, "weights", positive=False) == {"USD": 0.0}
    with _refused("amounts.USD = -0.5; it must be positive (long only)"):
        _currency_map({"USD": -0.5}, "amounts", positive=False)


def test_check_weights() -> None:
    _check_weights({"USD": 0.5, "EUR": 0.5}, "weights")
    _check_weights({"USD": 0.1, "EUR": 0.2, "JPY": 0.7}, "weights")   # 0.1 + 0.2 != 0.3 in floats
    _check_weights({"USD": 1.0 + WEIGHT_TOLERANCE / 2}, "weights")
    with _refused("weights sum to 0.6, not 1; rescale them so they add up to 1"):
        _check_weights({"USD": 0.3, "EUR": 0.3}, "weights")
    with _refused("w sum to 0.9999666667, not 1; rescale them so they add up to 1"):
        _check_weights({"USD": 1 / 3, "EUR": 1 / 3, "JPY": 0.3333}, "w")
    # fsum: a sum that naive addition gets wrong by more than the tolerance
    many = {f"C{i:02d}": 0.1 for i in range(10)}
    assert math.fsum(many.values()) == 1.0
    _check_weights(many, "weights")


@pytest.mark.parametrize(("data", "message"), [
    ({"constant": "1"}, "o: constant '1' is not a number"),
    ({"base_level": False}, "o: base_level False is not a number"),
    ({"rises_when": 1}, "o: rises_when must be a string, got 1"),
    ({"constant": 1.0, "base_value": 1}, "o: base_value does not apply to an index (its level is "
                                         "set by constant or base_level); drop base_value"),
    ({"base_level": 1.0, "base_value": 1}, "o: base_value does not apply to an index (its level "
     "is set by constant or base_level); drop base_value"),
    ({"base_level": 1.0}, "o: base_level needs base_date (the day the index equals base_level)"),
])
def test_index_fields_refusals(data: dict[str, Any], message: str) -> None:
    with _refused(message):
        _index_fields(data, "o")


def test_index_fields_values() -> None:
    out = _index_fields({"constant": 2, "rises_when": "weakens", "base_level": 3,
                         "base_date": "2020-01-01", "name": "x"}, "o")
    assert out == {"constant": 2.0, "base_level": 3.0, "rises_when": "weakens"}
    assert type(out["constant"]) is float
    assert _index_fields({"name": "x", "base_value": 2.0}, "o") == {}
    assert _index_fields({"rises_when": "strengthens"}, "o") == {"rises_when": "strengthens"}
    assert _index_fields({"constant": 1.0, "base_date": "2020-01-01"}, "o") == {"constant": 1.0}
