"""Every refusal of a basket specification, matched on its whole one-line message.

The house rule is a message that names the bad value, what was expected and the fix; matching
the whole line (``^...$``) checks that each part is there and reads as written. References: the
messages as the style guide and the module docstrings state them.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from basket.errors import SpecError
from basket.spec import BasketSpec, Period, list_seeds, load_spec

W = {"name": "x", "base_date": "2019-06-18", "weights": {"USD": 0.5, "EUR": 0.5}}
G = {"name": "i", "method": "geometric", "weights": {"EUR": 0.5, "JPY": 0.5}, "constant": 2.0,
     "rises_when": "strengthens"}
A = {"name": "i", "amounts": {"EUR": 0.5}, "base_date": "2020-01-02", "base_level": 100.0,
     "rises_when": "weakens"}
DAY = dt.date(2020, 1, 1)


def _refused(message: str) -> Any:
    return pytest.raises(SpecError, match="^" + re.escape(message) + "$")


def _without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != key}


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "x"}, "spec: state exactly one of weights, amounts or [[periods]] (found none)"),
    ({**W, "periods": []}, "spec: state exactly one of weights, amounts or [[periods]] (found "
                           "['weights', 'periods'])"),
    ({"name": "x", "periods": "2020"}, "spec: periods must be a non-empty list of [[periods]] "
                                       "tables"),
    ({"name": "x", "periods": []}, "spec: periods must be a non-empty list of [[periods]] tables"),
    ({"name": "x", "periods": ["a"]}, "spec: period 1 needs 'start' and 'amounts'"),
    ({"name": "x", "periods": [{"start": "2020-01-01", "amounts": {"USD": 1.0}},
                               {"start": "2021-01-01"}]}, "spec: period 2 needs 'start' and 'amounts'"),
    ({"name": "x", "periods": [{"start": "2020-01-01", "amounts": {"USD": 1.0}, "x": 1, "a": 2}]},
     "spec: period 1 has unknown field 'a'"),
    ({**W, "source": "me"}, "spec: source must be a table with citation and url"),
    ({**W, "method": 5}, "spec: method must be a string, got 5"),
    ({**W, "rebalance": 5}, "spec: rebalance must be a string, got 5"),
    ({**W, "rounding": None}, "spec: rounding must be a string, got None"),
    ({**W, "base_currency": 840}, "spec: base_currency must be a string, got 840"),
    ({**W, "title": 5}, "spec: title must be a string, got 5"),
    ({**W, "description": ["a"]}, "spec: description must be a string, got ['a']"),
    ({**W, "base_value": "2"}, "spec: base_value '2' is not a number"),
    ({**W, "base_value": True}, "spec: base_value True is not a number"),
    ({**W, "name": "  "}, "spec: missing field 'name'"),
    ({**W, "name": 5}, "spec: missing field 'name'"),
    (_without(W, "base_date"), "spec: missing field 'base_date' (the day the weights become "
                               "amounts)"),
    ({**W, "colour": 1, "alpha": 2}, "spec: unknown field 'alpha'; the fields are amounts, "
     "base_currency, base_date, base_level, base_value, constant, description, method, name, "
     "periods, rebalance, rises_when, rounding, source, title, weights"),
    ({**W, "base_currency": "EURO"}, "basket 'x': base_currency: currency code 'EURO' is not "
                                     "three letters; use ISO codes such as 'EUR'"),
    ({**W, "method": "harmonic"}, "basket 'x': method 'harmonic' is unknown; use arithmetic or "
                                  "geometric"),
    ({**W, "rounding": "bankers"}, "basket 'x': rounding 'bankers' is unknown; use none or imf"),
    ({**W, "rebalance": "weekly"}, "unknown rebalancing rule 'weekly'; use none, monthly, "
                                   "quarterly, annual, band:0.05 or review:5y"),
    ({**W, "method": "geometric", "rebalance": "monthly"},
     "basket 'x': a geometric index has no rebalancing; use rebalance='none'"),
    ({**W, "method": "geometric", "rounding": "imf"},
     "basket 'x': rounding='imf' applies to arithmetic baskets"),
    ({"name": "g", "method": "geometric", "amounts": {"USD": 1.0}},
     "basket 'g': a geometric index needs weights, not amounts"),
    ({"name": "d", "periods": [{"start": "2020-01-01", "amounts": {"USD": 1.0}},
                               {"start": "2019-01-01", "amounts": {"USD": 1.0}}]},
     "basket 'd': period start dates must increase"),
])
def test_from_dict_refusals(data: dict[str, Any], message: str) -> None:
    with _refused(message):
        BasketSpec.from_dict(data)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "b", "weights": {"USD": 1.0}, "base_date": "2020-01-02", "rises_when": "weakens"},
     "basket 'b': rises_when applies to an index; add constant or base_level, or drop rises_when"),
    ({**G, "base_level": 100.0, "base_date": "2020-01-02"},
     "basket 'i': give constant or base_level, not both (constant scales the index, base_level "
     "fixes it on base_date)"),
    ({**G, "constant": -1.0}, "basket 'i': constant = -1.0; it must be a positive number"),
    ({**A, "base_level": 0.0}, "basket 'i': base_level = 0.0; it must be a positive number"),
    ({**A, "base_level": float("inf")}, "basket 'i': base_level = inf; it must be a positive "
                                        "number"),
    ({**G, "constant": True}, "spec: constant True is not a number"),
    ({**A, "base_level": "100"}, "spec: base_level '100' is not a number"),
    (_without(G, "rises_when"), "basket 'i': an index needs rises_when = 'strengthens' (it rises "
     "when USD strengthens, as the DXY does) or 'weakens'"),
    ({**G, "base_currency": "EUR", "rises_when": None}, "spec: rises_when must be a string, got "
                                                        "None"),
    ({**G, "rises_when": "up"}, "basket 'i': rises_when 'up' is unknown; use 'strengthens' or "
                                "'weakens'"),
    ({**G, "base_value": 2.0}, "spec: base_value does not apply to an index (its level is set "
                               "by constant or base_level); drop base_value"),
    (_without(A, "base_date"), "spec: base_level needs base_date (the day the index equals "
                               "base_level)"),
    ({**G, "base_date": "2020-01-02"}, "basket 'i': base_date does not apply to a geometric "
     "index scaled by constant; drop base_date, or give base_level instead of constant"),
])
def test_index_refusals(data: dict[str, Any], message: str) -> None:
    with _refused(message):
        BasketSpec.from_dict(data)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"name": " ", "weights": {"USD": 1.0}, "base_date": DAY}, "a basket needs a non-empty name"),
    ({"name": 5, "weights": {"USD": 1.0}, "base_date": DAY}, "a basket needs a non-empty name"),
    ({"name": "x"}, "basket 'x': state either weights or amounts/periods, not both or neither"),
    ({"name": "x", "weights": {"USD": 1.0}, "periods": (), "base_date": DAY},
     "basket 'x': state either weights or amounts/periods, not both or neither"),
    ({"name": "x", "periods": ()}, "basket 'x': periods is empty; give at least one"),
    ({"name": "x", "weights": {"USD": 1.0}, "base_date": DAY, "base_value": "1"},
     "basket 'x': base_value must be a finite number"),
    ({"name": "x", "weights": {"USD": 1.0}, "base_date": DAY, "base_value": float("nan")},
     "basket 'x': base_value must be a finite number"),
    ({"name": "x", "weights": {"USD": 1.0}},
     "basket 'x': weights need a base_date (the day they become amounts)"),
    ({"name": "i", "weights": {"EUR": 1.0}, "method": "geometric", "constant": 1.0,
      "rises_when": "weakens", "base_value": 2.0},
     "basket 'i': base_value does not apply to an index (its level is set by constant or "
     "base_level); drop base_value"),
    ({"name": "i", "periods": (Period(DAY, {"EUR": 1.0}),), "base_level": 100.0,
      "rises_when": "weakens"},
     "basket 'i': base_level needs base_date (the day the index equals base_level)"),
    ({"name": "i", "weights": {"EUR": 1.0}, "method": "geometric", "constant": float("nan"),
      "rises_when": "weakens"}, "basket 'i': constant = nan; it must be a positive number"),
    ({"name": "i", "weights": {"EUR": 1.0}, "method": "geometric", "constant": "2",
      "rises_when": "weakens"}, "basket 'i': constant = '2'; it must be a positive number"),
    ({"name": "i", "weights": {"EUR": 1.0}, "method": "geometric", "constant": 1.0,
      "rises_when": "weakens", "base_date": DAY},
     "basket 'i': base_date does not apply to a geometric index scaled by constant; drop "
     "base_date, or give base_level instead of constant"),
])
def test_dataclass_refusals(kwargs: dict[str, Any], message: str) -> None:
    with _refused(message):
        BasketSpec(**kwargs)


def test_accepted_index_fields_are_floats() -> None:
    spec = BasketSpec(name="i", weights={"EUR": 1.0}, method="geometric", constant=2,
                      rises_when="weakens")
    assert spec.constant == 2.0 and isinstance(spec.constant, float)
    level = BasketSpec.from_dict({**A, "base_level": 100})
    assert level.base_level == 100.0 and isinstance(level.base_level, float)
    assert level.constant is None and level.is_index and level.kind == "index"


def test_spec_properties() -> None:
    spec = BasketSpec.from_dict({"name": "p", "periods": [
        {"start": "2020-01-01", "amounts": {"JPY": 1.0, "USD": 1.0}},
        {"start": "2021-01-01", "amounts": {"EUR": 1.0, "USD": 2.0, "CNY": 1.0}}]})
    assert spec.currencies == ["JPY", "USD", "EUR", "CNY"], "order of first appearance"
    assert spec.kind == "amounts" and not spec.is_index
    weights = BasketSpec.from_dict(W)
    assert weights.kind == "weights" and weights.currencies == ["USD", "EUR"]
    assert weights.base_date == dt.date(2019, 6, 18)
    with pytest.raises(AttributeError):
        weights.base_value = 2.0  # type: ignore[misc]
    moved = weights.replace(base_value=2.0)
    assert moved.base_value == 2.0 and moved.weights == weights.weights
    with _refused("basket 'x': base_value 0 is out of range; give a value between 1e-09 and "
                  "1e+12, e.g. 1"):
        weights.replace(base_value=0)


def test_to_dict_round_trips_every_field() -> None:
    spec = BasketSpec.from_dict({**W, "base_value": 2.0, "base_currency": "EUR",
                                 "rebalance": "quarterly", "rounding": "imf", "title": "T",
                                 "source": {"citation": "c", "url": "u"}})
    d = spec.to_dict()
    assert d == {"name": "x", "title": "T", "weights": {"USD": 0.5, "EUR": 0.5},
                 "base_date": "2019-06-18", "base_value": 2.0, "base_currency": "EUR",
                 "method": "arithmetic", "rebalance": "quarterly", "rounding": "imf",
                 "source": {"citation": "c", "url": "u"}}
    assert BasketSpec.from_dict(d) == spec
    periods = BasketSpec.from_dict({"name": "p", "amounts": {"USD": 1.0}, "base_date": "2010-01-04"})
    assert periods.to_dict()["periods"] == [{"start": "2010-01-04", "amounts": {"USD": 1.0}}]
    index = BasketSpec.from_dict(G)
    out = index.to_dict()
    assert "base_value" not in out and out["constant"] == 2.0
    assert out["rises_when"] == "strengthens" and "base_level" not in out
    assert out["base_date"] is None


def test_seeds_and_files(tmp_path: Path) -> None:
    names = [s.name for s in list_seeds()]
    assert names == sorted(names) and {"libra-2019", "sdr", "dxy"} <= set(names)
    spec = load_spec("sdr")
    assert load_spec(spec) is spec
    assert load_spec("sdr") is spec, "a seed is parsed once and shared"
    with _refused("unknown basket 'libra' (did you mean 'libra-2019'?); use one of dxy, "
                  "libra-2019, sdr or a .toml path"):
        load_spec("libra")
    with _refused("unknown basket 'zzzzzz'; use one of dxy, libra-2019, sdr or a .toml path"):
        load_spec("zzzzzz")
    with _refused("basket file 'no/such.toml' does not exist; give a .toml path or a seed name"):
        load_spec("no/such.toml")
    path = tmp_path / "mine.TOML"
    path.write_text('name = "mine"\namounts = { USD = 1.0 }\n')
    assert load_spec(path).name == "mine"
    plain = tmp_path / "sdr"                      # a file named like a seed, without suffix
    plain.write_text('name = "not-the-seed"\namounts = { USD = 1.0 }\n')
    assert load_spec(str(plain)).name == "not-the-seed"
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "b"\nweights = { USD = 0.5 }\nbase_date = 2020-01-01\n')
    with _refused(f"{bad}: weights sum to 0.5, not 1; rescale them so they add up to 1".replace(
            f"{bad}: ", "")):
        load_spec(bad)
