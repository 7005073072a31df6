"""Basket specifications: the shipped seeds and every malformed-spec error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import basket
from basket.errors import SpecError
from basket.rebalance import Band, Calendar, NoRebalance, Review, parse_rule
from basket.spec import BasketSpec, list_seeds, load_spec

LIBRA = {"name": "x", "base_date": "2019-06-18",
         "weights": {"USD": 0.5, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}}


def test_libra_seed_as_disclosed() -> None:
    spec = load_spec("libra-2019")
    assert spec.weights == {"USD": 0.50, "EUR": 0.18, "JPY": 0.14, "GBP": 0.11, "SGD": 0.07}
    assert spec.base_date == dt.date(2019, 6, 18)
    assert spec.base_value == 1.0 and spec.base_currency == "USD"
    assert spec.rebalance == "none" and spec.method == "arithmetic"
    assert "Spiegel" in spec.source["citation"] and "Reuters" in spec.source["citation"]


def test_sdr_seed_periods() -> None:
    spec = load_spec("sdr")
    starts = [p.start.isoformat() for p in spec.periods or ()]
    assert starts[-2:] == ["2016-10-01", "2022-08-01"]
    assert "2001-01-01" in starts
    assert spec.period_at(dt.date(2020, 1, 1)).amounts == {
        "USD": 0.58252, "EUR": 0.38671, "CNY": 1.0174, "JPY": 11.900, "GBP": 0.085946}
    assert spec.period_at(dt.date(2023, 1, 1)).amounts == {
        "USD": 0.57813, "EUR": 0.37379, "CNY": 1.0993, "JPY": 13.452, "GBP": 0.080870}


def test_every_seed_loads_and_cites_a_source() -> None:
    seeds = list_seeds()
    assert {s.name for s in seeds} >= {"libra-2019", "sdr"}
    for s in seeds:
        assert s.source.get("citation") and s.source.get("url"), s.name


def test_load_by_path_and_roundtrip(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nbase_date = 2020-01-02\nweights = { USD = 0.6, CHF = 0.4 }\n')
    spec = load_spec(str(path))
    assert spec.currencies == ["USD", "CHF"]
    assert BasketSpec.from_dict(spec.to_dict()) == spec
    assert basket.load_spec(path) == spec


def test_implausible_amounts_are_refused() -> None:
    """Amounts of 1e308 give inf values downstream: refused with the field named."""
    for value in (1e308, 1e-300, 2e9):
        with pytest.raises(SpecError, match=r"amounts\.USD = .* is out of range; amounts are "
                                            r"between 1e-09 and 1e\+09"):
            BasketSpec.from_dict({"name": "x", "amounts": {"USD": value, "EUR": 1.0}})
    spec = BasketSpec.from_dict({"name": "x", "amounts": {"USD": 1e9, "EUR": 1e-9}})
    assert spec.periods[0].amounts == {"USD": 1e9, "EUR": 1e-9}   # the bounds are inclusive


def test_non_utf8_spec_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin.toml"
    path.write_bytes('name = "caf\xe9"\nweights = { USD = 1.0 }\n'.encode("latin-1"))
    with pytest.raises(SpecError, match=r"latin\.toml line 1 is not UTF-8 text.*save the file"):
        load_spec(path)
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    with pytest.raises(SpecError, match=r"cannot read .*folder\.toml"):
        load_spec(folder)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": {"USD": 0.5, "EUR": 0.4}}, r"weights sum to 0\.9, not 1"),
        ({"weights": {"USD": 1.1, "EUR": -0.1}}, r"weights\.EUR = -0\.1; it must be positive"),
        ({"weights": {"USD": 0.5, "EURO": 0.5}}, r"weights: currency code 'EURO'"),
        ({"weights": {"USD": 0.5, "usd": 0.5}}, r"weights lists USD twice"),
        ({"weights": {"USD": "half", "EUR": 0.5}}, r"weights\.USD = 'half' is not a number"),
        ({"weights": {}}, r"weights must be a table"),
        ({"base_date": None}, r"missing field 'base_date'"),
        ({"base_date": "18/06/2019"}, r"base_date '18/06/2019' is not a date"),
        ({"method": "harmonic"}, r"method 'harmonic' is unknown"),
        ({"rebalance": "weekly"}, r"unknown rebalancing rule 'weekly'"),
        ({"rounding": "bankers"}, r"rounding 'bankers' is unknown"),
        ({"base_value": -1}, r"base_value -1 is out of range; give a value between 1e-09"),
        ({"base_value": 5e-324}, r"base_value 4.94066e-324 is out of range"),
        ({"colour": "red"}, r"unknown field 'colour'"),
        ({"amounts": {"USD": 1.0}}, r"state exactly one of weights, amounts"),
        ({"name": ""}, r"missing field 'name'"),
    ],
)
def test_malformed_spec_names_the_field(change: dict[str, object], message: str) -> None:
    data = dict(LIBRA)
    data.update(change)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(SpecError, match=message):
        BasketSpec.from_dict(data)


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("name = \n")
    with pytest.raises(SpecError, match="is not valid TOML"):
        load_spec(str(path))


def test_missing_file() -> None:
    with pytest.raises(SpecError, match="does not exist"):
        load_spec("no/such/basket.toml")


def test_unknown_seed_suggests() -> None:
    with pytest.raises(SpecError, match=r"unknown basket 'libra-2020' \(did you mean 'libra-2019'"):
        load_spec("libra-2020")


def test_periods_must_increase() -> None:
    with pytest.raises(SpecError, match="period start dates must increase"):
        BasketSpec.from_dict({"name": "p", "periods": [
            {"start": "2020-01-01", "amounts": {"USD": 1.0}},
            {"start": "2019-01-01", "amounts": {"USD": 1.0}}]})


def test_period_needs_start_and_amounts() -> None:
    with pytest.raises(SpecError, match="period 1 needs 'start' and 'amounts'"):
        BasketSpec.from_dict({"name": "p", "periods": [{"amounts": {"USD": 1.0}}]})


def test_spec_is_frozen() -> None:
    spec = load_spec("libra-2019")
    with pytest.raises(AttributeError):
        spec.name = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "rule"),
    [("none", NoRebalance()), ("quarterly", Calendar("quarterly")), ("Annual", Calendar("annual")),
     ("band:0.05", Band(0.05)), ("band:5%", Band(0.05)), ("review:5y", Review(5, 3)),
     ("review:5y:6m", Review(5, 6)), (None, NoRebalance())],
)
def test_parse_rule(text: str | None, rule: object) -> None:
    assert parse_rule(text) == rule


@pytest.mark.parametrize(
    ("text", "message"),
    [("weekly", "unknown rebalancing rule"), ("band:1.5", "band width 1.5 must be between"),
     ("review:0y", "review period 0 must be"), ("band:", "unknown rebalancing rule")],
)
def test_bad_rule(text: str, message: str) -> None:
    with pytest.raises(SpecError, match=message):
        parse_rule(text)
