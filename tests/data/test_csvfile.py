"""Tests of basket.data.csvfile: layouts, quote conventions, bad files, round trips.

Reference values are arithmetic done by hand in the tests (see each test), plus a cross-check
against the ECB source on the same raw ECB rows (a second reader of the same numbers).
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import basket
from basket.data import get_source
from basket.data.csvfile import QUOTES, CsvSource, read_rates
from basket.data.ecb import EcbSource, bundled_path
from basket.data.panel import validate_panel
from basket.errors import DataError, DataGapWarning

FIXTURES = Path(__file__).parents[2] / "fixtures" / "csv"


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def frame(index: list[str], columns: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="date"))


# --- layouts --------------------------------------------------------------------------------


def test_fixture_wide_and_long_give_identical_panels() -> None:
    codes = ["USD", "EUR", "GBP", "JPY", "SGD"]
    wide = basket.load_fx(codes, source=str(FIXTURES / "libra_2019_wide.csv"))
    long = basket.load_fx(codes, source=str(FIXTURES / "libra_2019_long.csv"))
    pd.testing.assert_frame_equal(wide.rename_axis(None), long.rename_axis(None))
    assert wide.index.name == long.index.name == "date"
    validate_panel(wide, codes)
    assert len(wide) == 10
    assert wide.index[0] == pd.Timestamp("2019-06-17")
    assert wide.index[-1] == pd.Timestamp("2019-06-28")
    # values as written in the files (fixtures/csv/README.md)
    assert wide.at[pd.Timestamp("2019-06-18"), "EUR"] == 1.1187
    assert wide.at[pd.Timestamp("2019-06-28"), "JPY"] == 0.0092822186
    assert (wide["USD"] == 1.0).all()


def test_fixture_matches_ecb_to_its_rounding() -> None:
    # the fixtures are the ECB rates rounded to 8 significant digits (fixtures/csv/README.md):
    # half a unit in the 8th digit is at most 5e-8 relative
    codes = ["EUR", "GBP", "JPY", "SGD"]
    csv = basket.load_fx(codes, source=str(FIXTURES / "libra_2019_wide.csv"))
    ecb = basket.load_fx(codes, start="2019-06-17", end="2019-06-28")
    np.testing.assert_allclose(csv.to_numpy(), ecb.to_numpy(), rtol=5e-8, atol=0)


def test_wide_and_long_identical_any_header_case_and_row_order(tmp_path: Path) -> None:
    wide = write(
        tmp_path,
        "DATE,jpy,EUR\n2019-06-19,0.0093,1.13\n2019-06-18,0.0092,1.12\n",
        "wide.csv",
    )
    long = write(
        tmp_path,
        "RATE,date,Currency\n1.13,2019-06-19,EUR\n0.0092,2019-06-18,jpy\n"
        "1.12,2019-06-18,eur\n0.0093,2019-06-19,JPY\n",
        "long.csv",
    )
    codes = ["EUR", "USD", "JPY"]
    a = basket.load_fx(codes, source=str(wide))
    b = basket.load_fx(codes, source=str(long))
    expected = frame(
        ["2019-06-18", "2019-06-19"],
        {"EUR": [1.12, 1.13], "USD": [1.0, 1.0], "JPY": [0.0092, 0.0093]},
    )
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, expected, check_index_type=False, check_column_type=False)


def test_fetch_contract(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR,JPY\n2019-06-19,1.13,\n2019-06-18,1.12,0.0092\n")
    raw = CsvSource(path).fetch(["JPY", "USD", "EUR"], None, None)
    assert list(raw.columns) == ["JPY", "USD", "EUR"]
    assert raw.index.name == "date"
    assert isinstance(raw.index, pd.DatetimeIndex) and raw.index.tz is None
    assert raw.index.is_monotonic_increasing
    assert all(raw[c].dtype == np.float64 for c in raw.columns)
    assert np.isnan(raw.at[pd.Timestamp("2019-06-19"), "JPY"])
    assert raw.at[pd.Timestamp("2019-06-19"), "USD"] == 1.0
    sliced = CsvSource(path).fetch(["EUR"], pd.Timestamp("2019-06-19"), None)
    assert list(sliced.index) == [pd.Timestamp("2019-06-19")]


def test_available(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,EUR,JPY,GBP\n2019-06-17,1.12,,\n2019-06-18,1.12,0.0092,\n2019-06-19,,0.0093,\n",
    )
    cov = CsvSource(path).available()
    assert cov.index.name == "currency"
    assert list(cov.columns) == ["first", "last", "quotes"]
    assert list(cov.index) == ["EUR", "GBP", "JPY", "USD"]
    assert cov.at["EUR", "first"] == pd.Timestamp("2019-06-17")
    assert cov.at["EUR", "last"] == pd.Timestamp("2019-06-18")
    assert cov.at["JPY", "first"] == pd.Timestamp("2019-06-18")
    assert cov.at["JPY", "quotes"] == 2
    assert cov.at["USD", "quotes"] == 3
    assert cov.at["GBP", "quotes"] == 0 and pd.isna(cov.at["GBP", "first"])


def test_parsed_once_per_instance(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR\n2019-06-18,1.12\n")
    src = CsvSource(path)
    src.available()
    path.unlink()
    assert src.fetch(["EUR"], None, None).iloc[0, 0] == 1.12
    with pytest.raises(DataError, match="does not exist"):
        CsvSource(path).available()


def test_get_source_builds_csv_source(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR\n2019-06-18,1.12\n")
    src = get_source(str(path), quote="units_per_usd")
    assert isinstance(src, CsvSource)
    assert src.name == "rates.csv"
    assert src.quote == "units_per_usd"
    assert "rates.csv" in repr(src)


def test_gzip_file(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("date,EUR\n2019-06-18,1.12\n")
    panel = basket.load_fx(["USD", "EUR"], source=str(path))
    assert panel.at[pd.Timestamp("2019-06-18"), "EUR"] == 1.12


def test_bom_crlf_blank_lines_and_trailing_empty_column(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(
        b"\xef\xbb\xbfdate,EUR,JPY,\r\n\r\n2019-06-18,1.12,0.0092,\r\n2019-06-19,N/A,0.0093,\r\n"
    )
    raw = CsvSource(path).history()
    assert list(raw.columns) == ["USD", "EUR", "JPY"]
    assert raw["EUR"].iloc[0] == 1.12 and np.isnan(raw["EUR"].iloc[1])
    assert raw["JPY"].tolist() == [0.0092, 0.0093]


# --- quote conventions (hand computations) ---------------------------------------------------


def test_usd_per_unit_is_used_as_is(tmp_path: Path) -> None:
    path = write(tmp_path, "date,USD,EUR,JPY\n2019-06-18,1,1.12,0.0092\n")
    panel = basket.load_fx(["USD", "EUR", "JPY"], source=str(path))
    assert panel.iloc[0].tolist() == [1.0, 1.12, 0.0092]


def test_units_per_usd_is_inverted(tmp_path: Path) -> None:
    # USD per EUR = 1 / 0.89, USD per JPY = 1 / 108.0 (hand arithmetic)
    path = write(tmp_path, "date,EUR,JPY,USD\n2019-06-18,0.89,108.0,1.0\n")
    panel = basket.load_fx(["USD", "EUR", "JPY"], source=str(path), quote="units_per_usd")
    assert panel.iloc[0].tolist() == pytest.approx([1.0, 1 / 0.89, 1 / 108.0], rel=1e-15)


def test_units_per_usd_adds_usd(tmp_path: Path) -> None:
    path = write(tmp_path, "date,JPY\n2019-06-18,108.0\n")
    panel = basket.load_fx(["JPY", "USD"], source=str(path), quote="units_per_usd")
    assert panel.iloc[0].tolist() == pytest.approx([1 / 108.0, 1.0], rel=1e-15)


def test_units_per_eur_ecb_style(tmp_path: Path) -> None:
    # ECB style: USD = 1.12 USD per EUR, JPY = 121.0 JPY per EUR, GBP = 0.89 GBP per EUR;
    # by hand: USD per JPY = 1.12 / 121.0, USD per GBP = 1.12 / 0.89, USD per EUR = 1.12
    path = write(tmp_path, "date,USD,JPY,GBP\n2019-06-18,1.12,121.0,0.89\n")
    panel = basket.load_fx(["USD", "EUR", "JPY", "GBP"], source=str(path), quote="units_per_eur")
    assert panel.iloc[0].tolist() == pytest.approx(
        [1.0, 1.12, 1.12 / 121.0, 1.12 / 0.89], rel=1e-15
    )
    assert panel.at[pd.Timestamp("2019-06-18"), "USD"] == 1.0


def test_units_per_eur_accepts_an_eur_column_of_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR,USD,JPY\n2019-06-18,1,1.12,121.0\n")
    panel = basket.load_fx(["EUR", "JPY"], source=str(path), quote="units_per_eur")
    assert panel.iloc[0].tolist() == pytest.approx([1.12, 1.12 / 121.0], rel=1e-15)


def test_units_per_eur_matches_the_ecb_source(tmp_path: Path) -> None:
    # second method: the ECB source reads the same raw rows with pandas; same formula, so
    # equal up to the last-digit differences of the two decimal parsers (1e-15 relative)
    with zipfile.ZipFile(bundled_path()) as zf:
        text = zf.read(zf.namelist()[0]).decode("utf-8")
    lines = text.splitlines()
    sample = "\n".join([lines[0], *lines[4000:4060]]) + "\n"
    path = write(tmp_path, sample, "eurofxref-sample.csv")
    codes = ["USD", "EUR", "JPY", "GBP", "CHF", "CNY", "SGD"]
    raw = CsvSource(path, quote="units_per_eur").fetch(codes, None, None)
    ecb = EcbSource().fetch(codes, raw.index[0], raw.index[-1])
    assert len(raw) == 60
    pd.testing.assert_frame_equal(
        raw, ecb, rtol=1e-15, atol=0, check_index_type=False, check_column_type=False
    )


@pytest.mark.parametrize("quote", ["usd", "eur_per_unit", "USD_PER_UNIT"])
def test_unknown_quote_lists_the_choices(tmp_path: Path, quote: str) -> None:
    path = write(tmp_path, "date,EUR\n2019-06-18,1.12\n")
    choices = "'usd_per_unit', 'units_per_usd', 'units_per_eur'"
    with pytest.raises(DataError, match=re.escape(f"{quote!r} for CSV file 'rates.csv'")) as err:
        CsvSource(path, quote=quote)  # type: ignore[arg-type]
    assert choices in str(err.value)
    with pytest.raises(DataError, match=re.escape(choices)):
        basket.load_fx(["EUR"], source=str(path), quote=quote)
    assert QUOTES == ("usd_per_unit", "units_per_usd", "units_per_eur")


# --- bad files: one-line messages with the file name and the line ---------------------------

BAD_FILES = {
    "non_numeric_wide": (
        "date,EUR,JPY\n2019-06-18,1.12,0.0092\n2019-06-19,1.13,abc\n",
        "usd_per_unit",
        r"line 3: rate 'abc' for JPY is not a number",
    ),
    "non_numeric_long": (
        "date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-18,JPY,1,5\n",
        "usd_per_unit",
        r"line 3: 4 fields but the header has 3",
    ),
    "comma_decimal_long": (
        'date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-18,JPY,"1,5"\n',
        "usd_per_unit",
        r"line 3: rate '1,5' for JPY is not a number",
    ),
    "nan_text": (
        "date,EUR\n2019-06-18,nan\n",
        "usd_per_unit",
        r"line 2: rate 'nan' for EUR is not a number",
    ),
    "inf_text": (
        "date,EUR\n2019-06-18,inf\n",
        "usd_per_unit",
        r"line 2: rate 'inf' for EUR is not a number",
    ),
    "overflow": (
        "date,EUR\n2019-06-18,1e999\n",
        "usd_per_unit",
        r"line 2: rate 1e999 for EUR is not a positive finite number",
    ),
    "zero_rate": (
        "date,EUR\n2019-06-18,1.12\n2019-06-19,0\n",
        "usd_per_unit",
        r"line 3: rate 0 for EUR is not a positive finite number",
    ),
    "negative_rate_long": (
        "date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-19,EUR,-1.1\n",
        "usd_per_unit",
        r"line 3: rate -1.1 for EUR is not a positive",
    ),
    "negative_zero": (
        "date,EUR\n2019-06-18,-0.0\n",
        "units_per_usd",
        r"line 2: rate -0.0 for EUR is not a positive",
    ),
    "duplicate_date": (
        "date,EUR\n2019-06-18,1.12\n2019-06-19,1.13\n2019-06-18,1.14\n",
        "usd_per_unit",
        r"line 4: date 2019-06-18 already has a row on line 2; keep one row",
    ),
    "duplicate_pair": (
        "date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-18,JPY,0.0092\n2019-06-18,eur,1.12\n",
        "usd_per_unit",
        r"line 4: EUR on 2019-06-18 already has a rate on line 2",
    ),
    "day_first_date": (
        "date,EUR\n2019-06-18,1.12\n19/06/2019,1.13\n",
        "usd_per_unit",
        r"line 3: date '19/06/2019' is not an ISO date; write dates as YYYY-MM-DD",
    ),
    "slash_date": (
        "date,EUR\n2019/06/18,1.12\n",
        "usd_per_unit",
        r"line 2: date '2019/06/18' is not an ISO date",
    ),
    "impossible_date_long": (
        "date,currency,rate\n2019-02-28,EUR,1.12\n2019-02-30,EUR,1.13\n",
        "usd_per_unit",
        r"line 3: date '2019-02-30' is not an ISO date",
    ),
    "datetime_not_date": (
        "date,EUR\n2019-06-18 00:00:00,1.12\n",
        "usd_per_unit",
        r"line 2: date '2019-06-18 00:00:00' is not an ISO date",
    ),
    "empty_date": ("date,EUR\n,1.12\n", "usd_per_unit", r"line 2: date '' is not an ISO date"),
    "long_header_code": (
        "date,EURO\n2019-06-18,1.12\n",
        "usd_per_unit",
        r"line 1: header column 'EURO' is not a three-letter ISO currency code",
    ),
    "digit_header_code": (
        "date,EUR,E1R\n2019-06-18,1.12,1\n",
        "usd_per_unit",
        r"line 1: header column 'E1R' is not a three-letter",
    ),
    "twice_header_code": (
        "date,EUR,eur\n2019-06-18,1.12,1.12\n",
        "usd_per_unit",
        r"line 1: currency EUR has two columns",
    ),
    "no_date_column": (
        "day,EUR\n2019-06-18,1.12\n",
        "usd_per_unit",
        r"line 1: no 'date' column in the header 'day,EUR'",
    ),
    "semicolons": (
        "date;EUR\n2019-06-18;1.12\n",
        "usd_per_unit",
        r"line 1: no 'date' column .*comma-separated",
    ),
    "long_bad_code": (
        "date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-18,euro,1.12\n",
        "usd_per_unit",
        r"line 3: currency 'euro' is not a three-letter",
    ),
    "long_empty_code": (
        "date,currency,rate\n2019-06-18,,1.12\n",
        "usd_per_unit",
        r"line 2: currency '' is not a three-letter",
    ),
    "empty_file": ("", "usd_per_unit", r"line 1: the file is empty"),
    "blank_file": ("\n  \n\n", "usd_per_unit", r"line 1: the file is empty"),
    "header_only_wide": (
        "date,EUR,JPY\n",
        "usd_per_unit",
        r"line 1: header only, no rows of rates",
    ),
    "header_only_long": (
        "date,currency,rate\n\n",
        "usd_per_unit",
        r"line 1: header only, no rows of rates",
    ),
    "no_rate_at_all": (
        "date,EUR\n2019-06-18,\n2019-06-19,N/A\n",
        "usd_per_unit",
        r"line 1: no rate in any row",
    ),
    "long_extra_column": (
        "date,currency,rate,source\n2019-06-18,EUR,1.12,ecb\n",
        "usd_per_unit",
        r"line 1: a long file needs exactly the columns date, currency, rate "
        r".*remove 'source'",
    ),
    "long_missing_column": (
        "Date,Rate\n2019-06-18,1.12\n",
        "usd_per_unit",
        r"line 1: a long file needs exactly .*add 'currency'",
    ),
    "long_twice_column": (
        "date,currency,rate,Rate\n2019-06-18,EUR,1.12,1.12\n",
        "usd_per_unit",
        r"line 1: a long file needs exactly",
    ),
    "short_row": (
        "date,EUR,JPY\n2019-06-18,1.12,0.0092\n2019-06-19,1.13\n",
        "usd_per_unit",
        r"line 3: 2 fields but the header has 3",
    ),
    "long_row": (
        "date,EUR\n2019-06-18,1.12,7\n",
        "usd_per_unit",
        r"line 2: 3 fields but the header has 2",
    ),
    "unnamed_column_with_values": (
        "date,EUR,\n2019-06-18,1.12,7\n",
        "usd_per_unit",
        r"line 2: value '7' in column 3, which has no header",
    ),
    "usd_not_one": (
        "date,USD,EUR\n2019-06-18,1,1.12\n2019-06-19,1.12,1.13\n",
        "usd_per_unit",
        r"line 3: USD rate is 1.12 but USD per USD is 1 .*quote='units_per_eur'",
    ),
    "usd_not_one_per_usd": (
        "date,currency,rate\n2019-06-18,USD,0.9\n",
        "units_per_usd",
        r"line 2: USD rate is 0.9 but USD per USD is 1",
    ),
    "eur_not_one_per_eur": (
        "date,USD,EUR\n2019-06-18,1.12,0.89\n",
        "units_per_eur",
        r"line 2: EUR rate is 0.89 but EUR per EUR is 1",
    ),
    "per_eur_without_usd": (
        "date,JPY\n2019-06-18,121.0\n",
        "units_per_eur",
        r"line 1: quote='units_per_eur' needs USD rates",
    ),
    "per_eur_empty_usd": (
        "date,USD,JPY\n2019-06-18,,121.0\n",
        "units_per_eur",
        r"line 1: quote='units_per_eur' needs USD rates",
    ),
    "blank_lines_counted": (
        "date,EUR\n\n2019-06-18,1.12\n\n\n2019-06-19,x\n",
        "usd_per_unit",
        r"line 6: rate 'x' for EUR",
    ),
    "crlf_counted": (
        "date,EUR\r\n2019-06-18,1.12\r\n2019-06-19,1.13\r\n2019-06-20,-2\r\n",
        "usd_per_unit",
        r"line 4: rate -2 for EUR",
    ),
    "header_after_blank_lines": (
        "\n\ndate,EURO\n",
        "usd_per_unit",
        r"line 3: header column 'EURO'",
    ),
    "quoted_newline_counted": (
        'date,EUR\n"2019-06-18",1.12\n"2019-06\n-19",1.13\n',
        "usd_per_unit",
        r"line 3: date '2019-06\\n-19' is not an ISO",
    ),
    "unclosed_quote": (
        'date,EUR\n2019-06-18,1.12\n2019-06-19,"1.13\n',
        "usd_per_unit",
        r"line 3: not valid CSV",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_raises_with_file_and_line(tmp_path: Path, case: str) -> None:
    text, quote, message = BAD_FILES[case]
    path = tmp_path / "bad.csv"
    path.write_bytes(text.encode("utf-8"))
    # ask for the currency the bad cell belongs to: other columns are not parsed
    code = "JPY" if re.search(r"for JPY|JPY", message) else "EUR"
    with pytest.raises(DataError, match=r"^bad\.csv " + message) as err:
        basket.load_fx([code], source=str(path), quote=quote)
    assert "\n" not in str(err.value)
    with pytest.raises(DataError, match=r"^bad\.csv " + message):
        read_rates(path, quote=quote)                     # the whole file: the same error


def test_only_the_requested_columns_are_parsed(tmp_path: Path) -> None:
    """A bad cell in a currency not asked for does not stop a panel of others (and is not
    even read: a wide file of 150 currencies read for one parses one column)."""
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,1.12,0.0092\n2019-06-19,1.13,abc\n")
    panel = basket.load_fx(["EUR"], source=str(path))
    assert panel["EUR"].tolist() == [1.12, 1.13]
    long = write(tmp_path, 'date,currency,rate\n2019-06-18,EUR,1.12\n2019-06-18,JPY,"1,5"\n',
                 "long.csv")
    assert basket.load_fx(["EUR"], source=str(long))["EUR"].tolist() == [1.12]
    with pytest.raises(DataError, match=r"line 3: rate 'abc' for JPY is not a number"):
        basket.load_fx(["JPY"], source=str(path))


def test_bad_file_through_read_rates_and_source(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR\n2019-06-18,0\n", "zero.csv")
    with pytest.raises(DataError, match=r"^zero\.csv line 2: rate 0 for EUR"):
        read_rates(path)
    with pytest.raises(DataError, match=r"^zero\.csv line 2: rate 0 for EUR"):
        CsvSource(path).available()


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes(b"date,EUR\n2019-06-18,1.12\n2019-06-19,1,13\xe9\n")
    with pytest.raises(DataError, match=r"^latin\.csv line 3: not UTF-8 text"):
        CsvSource(path).available()


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "rates.csv"
    with pytest.raises(DataError, match=re.escape(f"CSV file {str(path)!r} does not exist")):
        basket.load_fx(["EUR"], source=str(path))


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    path = tmp_path / "dir.csv"
    path.mkdir()
    with pytest.raises(DataError, match=r"cannot read the CSV file .*dir\.csv"):
        CsvSource(path).available()


def test_unknown_code_names_code_file_and_choices(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,1.12,0.0092\n")
    pattern = (
        r"^unknown currency 'EUX' for CSV file 'rates\.csv' \(did you mean 'EUR'\?\); "
        r"the file has USD, EUR, JPY$"
    )
    with pytest.raises(DataError, match=pattern):
        basket.load_fx(["USD", "EUX"], source=str(path))
    with pytest.raises(DataError, match=r"'GBP' for CSV file 'rates\.csv'; the file has"):
        CsvSource(path).fetch(["GBP"], None, None)


# --- gaps ------------------------------------------------------------------------------------


def test_gaps_are_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "date,EUR,JPY\n2019-06-17,1.12,0.0092\n2019-06-18,1.13,\n2019-06-19,1.14,0.0093\n",
    )
    raw = CsvSource(path).fetch(["EUR", "JPY"], None, None)
    assert np.isnan(raw.at[pd.Timestamp("2019-06-18"), "JPY"])
    with pytest.warns(DataGapWarning, match=r"rates\.csv: dropped 1 date.*JPY 1"):
        panel = basket.load_fx(["EUR", "JPY"], source=str(path))
    assert list(panel.index) == [pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-19")]
    with pytest.warns(DataGapWarning, match=r"rates\.csv: carried 1 quote"):
        filled = basket.load_fx(["EUR", "JPY"], source=str(path), fill="ffill")
    assert filled.at[pd.Timestamp("2019-06-18"), "JPY"] == 0.0092


# --- property: exact round trip --------------------------------------------------------------

CODES = ["EUR", "GBP", "JPY", "SGD", "CHF", "CNY"]


@st.composite
def wide_tables(draw: st.DrawFn) -> tuple[list[str], list[pd.Timestamp], np.ndarray]:
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=len(CODES), unique=True))
    days = draw(
        st.lists(
            st.dates(
                min_value=pd.Timestamp("1990-01-01").date(),
                max_value=pd.Timestamp("2035-12-31").date(),
            ),
            min_size=1,
            max_size=15,
            unique=True,
        )
    )
    # the panel contract's range of plausible rates (basket.data.panel.MIN_RATE, MAX_RATE)
    rate = st.floats(min_value=1e-12, max_value=1e12, allow_nan=False, allow_infinity=False)
    values = draw(
        st.lists(
            st.lists(rate, min_size=len(codes), max_size=len(codes)),
            min_size=len(days),
            max_size=len(days),
        )
    )
    return codes, [pd.Timestamp(d) for d in days], np.array(values, dtype=np.float64)


@settings(deadline=None)
@given(table=wide_tables(), data=st.data())
def test_wide_round_trip_is_exact(
    tmp_path_factory: pytest.TempPathFactory,
    table: tuple[list[str], list[pd.Timestamp], np.ndarray],
    data: st.DataObject,
) -> None:
    codes, days, values = table
    buf = io.StringIO()
    buf.write(",".join(["date", *codes]) + "\n")
    for day, row in zip(days, values, strict=True):  # rows in the drawn (unsorted) order
        buf.write(",".join([day.strftime("%Y-%m-%d"), *(repr(float(v)) for v in row)]) + "\n")
    path = tmp_path_factory.getbasetemp() / "roundtrip.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")

    asked = data.draw(st.permutations([*codes, "USD"]))
    panel = basket.load_fx(asked, source=str(path))

    expected = pd.DataFrame(values, columns=codes, index=pd.DatetimeIndex(days, name="date"))
    expected["USD"] = 1.0
    expected = expected.sort_index().loc[:, asked]
    validate_panel(panel, asked)
    np.testing.assert_array_equal(panel.to_numpy(), expected.to_numpy())
    assert list(panel.index) == list(expected.index)
