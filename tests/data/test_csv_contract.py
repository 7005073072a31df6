"""Contract of basket.data.csvfile: whole error messages, conversions at the float limits,
filtered reads (``codes=``), the long layout's missing cells, and CsvSource's caching.

Every input is a small CSV file written in the test (tmp_path); every expected number is worked
out by hand from the rows written (the arithmetic is in the comments), and every expected error
message is written out whole, as the CLI prints it to the user.
"""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from basket.data.csvfile import CsvSource, read_rates
from basket.errors import DataError

EUR_JPY_FIX = "use codes such as 'EUR' or 'JPY'"
NOT_NUMBER_FIX = "write a plain decimal such as 1.1189, or leave the cell empty for no quote"
NOT_POSITIVE_FIX = "FX rates must be > 0, leave the cell empty for no quote"
LAYOUT_FIX = ("a wide file starts 'date,EUR,JPY,...' (comma-separated), "
              "a long one 'date,currency,rate'")
LONG_NEEDS = "a long file needs exactly the columns date, currency, rate (any case, any order)"
ADD_ROWS = "add one row per date (see basket.data.csvfile for layouts)"


def write(tmp_path: Path, text: str, name: str = "rates.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def exact(msg: str) -> str:
    return "^" + re.escape(msg) + "$"


def frame(index: list[str], columns: dict[str, list[float]]) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.DatetimeIndex(index, name="date"), dtype=np.float64)


# --- whole error messages: (file text, read_rates keywords, message) ------------------------

MESSAGES: list[tuple[str, str, dict[str, Any], str]] = [
    ("header-code", "date,EURO\n2019-06-18,1.1\n", {},
     f"rates.csv line 1: header column 'EURO' is not a three-letter ISO currency code; {EUR_JPY_FIX}"),
    ("long-code", "date,currency,rate\n2019-06-18,EUR,1.1\n2019-06-19,E1R,1.1\n", {},
     f"rates.csv line 3: currency 'E1R' is not a three-letter ISO currency code; {EUR_JPY_FIX}"),
    ("not-a-number", "date,EUR\n2019-06-18,1.1x\n", {},
     f"rates.csv line 2: rate '1.1x' for EUR is not a number; {NOT_NUMBER_FIX}"),
    ("negative", "date,EUR\n2019-06-18,1.1\n2019-06-19,-0.5\n", {},
     f"rates.csv line 3: rate -0.5 for EUR is not a positive finite number; {NOT_POSITIVE_FIX}"),
    ("infinite", "date,JPY\n2019-06-18,1e999\n", {},
     f"rates.csv line 2: rate 1e999 for JPY is not a positive finite number; {NOT_POSITIVE_FIX}"),
    ("usd-not-1", "date,USD,EUR\n2019-06-18,1.12,1.1\n", {},
     "rates.csv line 2: USD rate is 1.12 but USD per USD is 1 under quote='usd_per_unit'; "
     "if the file holds units per euro (ECB style) pass quote='units_per_eur'"),
    ("usd-not-1-inverse", "date,EUR,usd\n2019-06-18,0.9,1\n2019-06-19,0.9,0.5\n",
     {"quote": "units_per_usd"},
     "rates.csv line 3: USD rate is 0.5 but USD per USD is 1 under quote='units_per_usd'; "
     "if the file holds units per euro (ECB style) pass quote='units_per_eur'"),
    ("eur-not-1", "date,USD,EUR,JPY\n2019-06-18,1.12,1.1,121.0\n", {"quote": "units_per_eur"},
     "rates.csv line 2: EUR rate is 1.1 but EUR per EUR is 1 under quote='units_per_eur'; "
     "the USD column gives USD per EUR, drop the EUR column or fix the quote"),
    ("no-usd", "\n\ndate,JPY\n2019-06-18,121.0\n", {"quote": "units_per_eur"},
     "rates.csv line 3: quote='units_per_eur' needs USD rates (USD per EUR) and the file has "
     "none; add a USD column/rows or fix the quote"),
    ("short-row", "date,EUR,JPY\n2019-06-18,1.1\n", {},
     "rates.csv line 2: 2 fields but the header has 3; give every row one cell per header "
     "column (empty for no quote)"),
    ("long-row", "date,currency,rate\n2019-06-18,EUR,1.1,7\n", {},
     "rates.csv line 2: 4 fields but the header has 3; give every row one cell per header "
     "column (empty for no quote)"),
    ("no-date", "date;EUR;JPY\n2019-06-18;1.1;0.009\n", {},
     f"rates.csv line 1: no 'date' column in the header 'date;EUR;JPY'; {LAYOUT_FIX}"),
    ("two-dates", "date,EUR,Date\n2019-06-18,1.1,2019-06-18\n", {},
     f"rates.csv line 1: two 'date' columns in the header 'date,EUR,Date'; {LAYOUT_FIX}"),
    ("unnamed-column", "date,EUR,\n2019-06-18,1.1,\n2019-06-19,1.1, 5 \n", {},
     "rates.csv line 3: value '5' in column 3, which has no header; "
     "name the column with its currency code"),
    ("two-columns-one-skipped", "date,EUR,JPY,jpy\n2019-06-18,1.1,0.009,0.009\n",
     {"codes": ["EUR"]}, "rates.csv line 1: currency JPY has two columns; keep one"),
    ("empty-file", "\n  \n", {},
     "rates.csv line 1: the file is empty; write a header such as 'date,EUR,JPY' (wide) or "
     "'date,currency,rate' (long), then one row per date"),
    ("header-only", "date,EUR\n", {},
     f"rates.csv line 1: header only, no rows of rates; {ADD_ROWS}"),
    ("no-rate", "date,EUR\n2019-06-18,\n2019-06-19,N/A\n", {},
     f"rates.csv line 1: no rate in any row; {ADD_ROWS}"),
    ("bad-date", "date,EUR\n2019-06-18,1.1\n2019-6-19,1.1\n", {},
     "rates.csv line 3: date '2019-6-19' is not an ISO date; write dates as YYYY-MM-DD, "
     "e.g. 2019-06-18"),
    ("wide-duplicate-date", "date,EUR\n2019-06-18,1.1\n\n2019-06-19,1.2\n2019-06-18,1.3\n", {},
     "rates.csv line 5: date 2019-06-18 already has a row on line 2; keep one row per date"),
    ("bad-quoting", 'date,EUR\n2019-06-18,"1.1"x\n', {},
     "rates.csv line 2: not valid CSV (',' expected after '\"'); check quotes and delimiters"),
    # long layout: the header is named back whole, then every fix, joined by ' and '
    ("long-extras-and-missing", "currency,x,y\nEUR,1,2\n", {},
     f"rates.csv line 1: {LONG_NEEDS}, got 'currency,x,y'; remove 'x', 'y' and add 'date', 'rate'"),
    ("long-no-rate-column", "date,currency,value\n2019-06-18,EUR,1.1\n", {},
     f"rates.csv line 1: {LONG_NEEDS}, got 'date,currency,value'; remove 'value' and add 'rate'"),
    ("long-twice", "date,currency,rate,Rate\n2019-06-18,EUR,1.1,1.1\n", {},
     f"rates.csv line 1: {LONG_NEEDS}, got 'date,currency,rate,Rate'; name each column once"),
    ("long-duplicate", "date,currency,rate\n2019-06-18,EUR,1.1\n2019-06-19,EUR,1.2\n"
     "2019-06-18,eur,1.3\n", {},
     "rates.csv line 4: EUR on 2019-06-18 already has a rate on line 2; "
     "keep one row per date and currency"),
    # a quoted cell keeps its line break as written (CRLF), and the message quotes it so
    ("quoted-crlf", 'date,EUR\r\n2019-06-18,"1.1\r\n2"\r\n', {},
     f"rates.csv line 2: rate '1.1\\r\\n2' for EUR is not a number; {NOT_NUMBER_FIX}"),
    # classic Mac line ends (CR only) are line ends too: the bad rate is on line 3
    ("cr-lines", "date,EUR\r2019-06-18,1.1\r2019-06-19,x\r", {},
     f"rates.csv line 3: rate 'x' for EUR is not a number; {NOT_NUMBER_FIX}"),
]


@pytest.mark.parametrize(("text", "kwargs", "msg"), [m[1:] for m in MESSAGES],
                         ids=[m[0] for m in MESSAGES])
def test_malformed_file_message_is_whole(tmp_path: Path, text: str, kwargs: dict[str, Any],
                                          msg: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=exact(msg)):
        read_rates(path, **kwargs)


def test_unknown_quote_names_the_file(tmp_path: Path) -> None:
    msg = ("unknown quote convention 'usd_per_eur' for CSV file 'fx.csv'; use one of "
           "'usd_per_unit', 'units_per_usd', 'units_per_eur'")
    with pytest.raises(DataError, match=exact(msg)):
        read_rates(tmp_path / "fx.csv", quote="usd_per_eur")  # type: ignore[arg-type]
    with pytest.raises(DataError, match=exact(msg)):
        CsvSource(tmp_path / "fx.csv", quote="usd_per_eur")  # type: ignore[arg-type]


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.csv"
    with pytest.raises(DataError, match=exact(f"CSV file {str(path)!r} does not exist; check the path")):
        read_rates(path)


def test_non_utf8_byte_is_reported_on_its_line(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(b"date,EUR\n2019-06-18,1.1\n2019-06-19,1.1\xff\n")  # 0xff on line 3
    msg = "rates.csv line 3: not UTF-8 text (invalid start byte); save the file as UTF-8"
    with pytest.raises(DataError, match=exact(msg)):
        read_rates(path)


def test_gzip_and_byte_order_mark_are_read(tmp_path: Path) -> None:
    path = tmp_path / "RATES.CSV.GZ"
    path.write_bytes(gzip.compress("\ufeffdate,EUR\n2019-06-18,1.1189\n".encode()))
    expected = frame(["2019-06-18"], {"USD": [1.0], "EUR": [1.1189]})
    pd.testing.assert_frame_equal(read_rates(path), expected, check_exact=True)


def test_truncated_gzip_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv.gz"
    path.write_bytes(gzip.compress(b"date,EUR\n2019-06-18,1.1\n")[:-8])  # the trailer cut off
    msg = (f"cannot read the CSV file {str(path)!r} (Compressed file ended before the "
           "end-of-stream marker was reached); check the path")
    with pytest.raises(DataError, match=exact(msg)):
        read_rates(path)


# --- conversions that leave the float range are reported on the rate's line ----------------
# with no numpy RuntimeWarning first (warnings are errors in this suite)

def converts(code: str, value: str, quote: str) -> str:
    return (f"{code} converts to {value} USD per unit under quote={quote!r}; check the rate and "
            "the quote convention")


def test_inverse_overflow_is_reported_on_its_line_when_usd_is_added(tmp_path: Path) -> None:
    # 1 / 1e-320 (a subnormal, > 0 and finite) is above 1.8e308: inf. No USD column: one is added
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,0.9,110\n2019-06-19,0.9,1e-320\n")
    with pytest.raises(DataError, match=exact("rates.csv line 3: "
                                              + converts("JPY", "inf", "units_per_usd"))):
        read_rates(path, quote="units_per_usd")


def test_per_euro_overflow_is_reported_when_eur_is_added(tmp_path: Path) -> None:
    # USD / JPY = 1e300 / 1e-10 = 1e310 > 1.8e308: inf; the file has no EUR column (one is added)
    path = write(tmp_path, "date,USD,JPY\n2019-06-18,1.1,120\n2019-06-19,1e300,1e-10\n")
    with pytest.raises(DataError, match=exact("rates.csv line 3: "
                                              + converts("JPY", "inf", "units_per_eur"))):
        read_rates(path, quote="units_per_eur")


def test_per_euro_underflow_to_zero_is_reported(tmp_path: Path) -> None:
    # USD / JPY = 1e-300 / 1e100 = 1e-400, below the smallest subnormal (4.9e-324): 0.0
    path = write(tmp_path, "date,USD,JPY\n2019-06-18,1e-300,1e100\n")
    with pytest.raises(DataError, match=exact("rates.csv line 2: "
                                              + converts("JPY", "0.0", "units_per_eur"))):
        read_rates(path, quote="units_per_eur")


@pytest.mark.parametrize(("text", "day"), [
    ("date,EUR\n\u0662\u0660\u0661\u0669-\u0660\u0666-\u0661\u0668,1.1\n",
     "\u0662\u0660\u0661\u0669-\u0660\u0666-\u0661\u0668"),                      # Arabic-Indic
    ("date,currency,rate\n\uff12\uff10\uff11\uff19-\uff10\uff16-\uff11\uff18,EUR,1.1\n",
     "\uff12\uff10\uff11\uff19-\uff10\uff16-\uff11\uff18"),                      # full-width
], ids=["arabic-indic", "full-width"])
def test_date_in_non_ascii_digits_is_never_read_as_a_date(tmp_path: Path, text: str,
                                                           day: str) -> None:
    # ISO dates are ASCII YYYY-MM-DD; Python's \d would match any Unicode digit
    path = write(tmp_path, text)
    with pytest.raises(DataError, match=exact(f"rates.csv line 2: date {day!r} is not an ISO date; "
                                              "write dates as YYYY-MM-DD, e.g. 2019-06-18")):
        read_rates(path)


def test_rate_in_non_ascii_digits_is_not_a_number(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR\n2019-06-18,\u0661.\u0665\n")
    with pytest.raises(DataError, match=exact("rates.csv line 2: rate '\u0661.\u0665' for EUR is "
                                              "not a number; write a plain decimal such as 1.1189, "
                                              "or leave the cell empty for no quote")):
        read_rates(path)


def test_cr_only_line_ends_read_like_lf(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR\r2019-06-18,1.1189\r2019-06-19,1.1216\r")
    expected = frame(["2019-06-18", "2019-06-19"], {"USD": [1.0, 1.0], "EUR": [1.1189, 1.1216]})
    pd.testing.assert_frame_equal(read_rates(path), expected, check_exact=True)


def test_per_euro_date_without_usd_gives_no_quote(tmp_path: Path) -> None:
    # USD per EUR 1.25: JPY 1.25 / 125 = 0.01, GBP 1.25 / 0.5 = 2.5, EUR 1.25. On 06-19 USD is
    # missing: nothing converts and the date goes. On 06-20: GBP 1.5 / 0.75 = 2.0, EUR 1.5.
    path = write(tmp_path, "date,USD,JPY,GBP\n"
                           "2019-06-18,1.25,125,0.5\n"
                           "2019-06-19,,120,0.8\n"
                           "2019-06-20,1.5,,0.75\n")
    expected = frame(["2019-06-18", "2019-06-20"], {
        "USD": [1.0, 1.0], "JPY": [0.01, np.nan], "GBP": [2.5, 2.0], "EUR": [1.25, 1.5],
    })
    pd.testing.assert_frame_equal(read_rates(path, quote="units_per_eur"), expected, check_exact=True)


# --- the long layout: empty cells, order of first appearance -------------------------------

def test_long_empty_rate_skips_only_that_row_and_keeps_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "date,currency,rate\n"
                           "2019-06-18,EUR,1.1189\n"
                           "2019-06-18,JPY,\n"
                           "2019-06-19,EUR,1.1216\n"
                           "2019-06-19,GBP,1.2590\n")
    expected = frame(["2019-06-18", "2019-06-19"], {
        "USD": [1.0, 1.0],
        "EUR": [1.1189, 1.1216],
        "JPY": [np.nan, np.nan],       # named, never quoted
        "GBP": [np.nan, 1.2590],
    })
    pd.testing.assert_frame_equal(read_rates(path), expected, check_exact=True)


# --- filtered reads: the currencies asked have no quote -------------------------------------

def assert_empty_dated(out: pd.DataFrame) -> None:
    assert isinstance(out.index, pd.DatetimeIndex)
    assert out.index.name == "date"
    assert out.shape == (0, 0)


def test_wide_filtered_without_quotes_is_empty_when_another_column_has_one(tmp_path: Path) -> None:
    # JPY is quoted on the first row only; EUR (asked) never
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,,0.0092\n2019-06-19,,\n")
    out = read_rates(path, codes=["EUR"])
    assert_empty_dated(out)
    assert out.attrs["file_codes"] == ["EUR", "JPY"]
    fetched = CsvSource(path).fetch(["EUR"], None, None)
    assert list(fetched.columns) == ["EUR"]
    assert fetched.empty


def test_wide_filtered_without_any_quote_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,,\n2019-06-19,,N/A\n")
    with pytest.raises(DataError, match=exact(f"rates.csv line 1: no rate in any row; {ADD_ROWS}")):
        read_rates(path, codes=["EUR"])


def test_long_filtered_without_quotes_is_empty_when_another_currency_has_one(
        tmp_path: Path) -> None:
    path = write(tmp_path, "date,currency,rate\n"
                           "2019-06-18,EUR,\n"
                           "2019-06-18,JPY,0.0092\n"
                           "2019-06-19,JPY,\n")
    assert_empty_dated(read_rates(path, codes=["EUR"]))


def test_long_filtered_without_any_quote_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "date,currency,rate\n2019-06-18,EUR,\n2019-06-18,JPY,\n")
    with pytest.raises(DataError, match=exact(f"rates.csv line 1: no rate in any row; {ADD_ROWS}")):
        read_rates(path, codes=["EUR"])


# --- CsvSource --------------------------------------------------------------------------------

def test_history_uses_the_sources_quote(tmp_path: Path) -> None:
    # units per USD: EUR 0.5 -> 1 / 0.5 = 2.0 USD; JPY 125 -> 1 / 125 = 0.008 USD
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,0.5,125\n")
    expected = frame(["2019-06-18"], {"USD": [1.0], "EUR": [2.0], "JPY": [0.008]})
    src = CsvSource(path, quote="units_per_usd")
    pd.testing.assert_frame_equal(src.history(), expected, check_exact=True)


def test_fetch_of_other_codes_reads_their_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "date,EUR,JPY\n2019-06-18,1.1189,0.0092178\n")
    src = CsvSource(path)
    pd.testing.assert_frame_equal(src.fetch(["EUR"], None, None),
                                  frame(["2019-06-18"], {"EUR": [1.1189]}), check_exact=True)
    pd.testing.assert_frame_equal(src.fetch(["JPY"], None, None),
                                  frame(["2019-06-18"], {"JPY": [0.0092178]}), check_exact=True)


def test_eur_is_known_only_when_the_quote_supplies_it(tmp_path: Path) -> None:
    path = write(tmp_path, "date,USD,JPY,GBP\n2019-06-18,1,0.0092178,1.2546\n")
    msg = "unknown currency 'EUR' for CSV file 'rates.csv'; the file has USD, JPY, GBP"
    with pytest.raises(DataError, match=exact(msg)):
        CsvSource(path).fetch(["EUR"], None, None)
    with pytest.raises(DataError, match=exact(msg)):
        CsvSource(path, quote="units_per_usd").fetch(["EUR"], None, None)


def test_version_names_the_reader_the_quote_and_the_file(tmp_path: Path) -> None:
    text = "date,EUR\n2019-06-18,0.5\n"
    path = write(tmp_path, text)
    version = CsvSource(path, quote="units_per_usd").version()
    assert version[:4] == ("csv", "units_per_usd", os.path.abspath(path), len(text))
    assert CsvSource(path).version()[:2] == ("csv", "usd_per_unit")
