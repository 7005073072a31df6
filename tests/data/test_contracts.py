"""The data layer's contracts, each at the edge where a plausible slip would pass unnoticed.

* ``validate_panel`` checks the column *order*, not just the set.
* ``align_panel`` neither counts nor warns about dates empty for every requested currency, and
  carries a quote forward exactly ``fill_limit`` calendar days, not one more.
* The ECB reader refuses a repeated date itself (not only through ``validate_panel``), and
  ``available()`` lists currencies only: its whole index, each with its first and last date
  and count read from the raw file with the ``csv`` module.
* The CSV reader never returns a row without any quote.

References are hand-made frames and files and the raw ECB file read with the standard
library; no tolerance is involved (rates are copied or divided once, compared exactly).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from basket.data import ecb
from basket.data.csvfile import CsvSource, read_rates
from basket.data.panel import align_panel, validate_panel
from basket.errors import DataError, DataGapWarning


def _frame(rows: dict[str, list[float]], dates: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=pd.DatetimeIndex(dates, name="date"), dtype=np.float64)


# --------------------------------------------------------------------------- validate_panel
def test_validate_panel_checks_the_column_order() -> None:
    p = _frame({"USD": [1.0], "EUR": [1.1]}, ["2020-01-02"])
    assert validate_panel(p, ["USD", "EUR"]) is p
    assert validate_panel(p, ("USD", "EUR")) is p
    with pytest.raises(DataError, match=r"FX panel columns \['USD', 'EUR'\] do not match the "
                                        r"requested \['EUR', 'USD'\]"):
        validate_panel(p, ["EUR", "USD"])
    with pytest.raises(DataError, match="do not match the requested"):
        validate_panel(p, ["USD"])
    with pytest.raises(DataError, match="do not match the requested"):
        validate_panel(p, ["USD", "EUR", "JPY"])


@pytest.mark.parametrize(("value", "message"), [
    (1e-12, None), (1e12, None), (0.99e-12, "outside 1e-12 to 1e\\+12"),
    (1.01e12, "outside 1e-12 to 1e\\+12"), (0.0, "rates must be positive"),
    (-1.0, "rates must be positive"), (np.inf, "NaN or infinite"), (np.nan, "NaN or infinite"),
])
def test_validate_panel_rate_bounds(value: float, message: str | None) -> None:
    p = _frame({"USD": [1.0, 1.0], "XAU": [2000.0, value]}, ["2020-01-02", "2020-01-03"])
    if message is None:
        assert validate_panel(p) is p
    else:
        with pytest.raises(DataError, match=f"XAU on 2020-01-03.*{message}"):
            validate_panel(p)


def test_validate_panel_index_rules() -> None:
    ok = _frame({"EUR": [1.1, 1.2]}, ["2020-01-02", "2020-01-03"])
    validate_panel(ok)
    with pytest.raises(DataError, match="the date 2020-01-02 twice"):
        validate_panel(_frame({"EUR": [1.1, 1.2]}, ["2020-01-02", "2020-01-02"]))
    with pytest.raises(DataError, match="sorted ascending"):
        validate_panel(_frame({"EUR": [1.1, 1.2]}, ["2020-01-03", "2020-01-02"]))
    with pytest.raises(DataError, match="named 'date', not 'day'"):
        validate_panel(ok.rename_axis("day"))
    with pytest.raises(DataError, match=r"USD column must be exactly 1\.0"):
        validate_panel(_frame({"USD": [1.0, 1.0000001]}, ["2020-01-02", "2020-01-03"]))
    with pytest.raises(DataError, match="'eur' is not an upper-case ISO code"):
        validate_panel(ok.rename(columns={"EUR": "eur"}))
    with pytest.raises(DataError, match="dtype float32, expected float64"):
        validate_panel(ok.astype(np.float32))
    one = _frame({"EUR": [1.1]}, ["2020-01-02"])
    assert validate_panel(one) is one


# --------------------------------------------------------------------------- align_panel
def test_rows_empty_for_every_requested_currency_are_neither_dropped_nor_warned() -> None:
    raw = _frame({"USD": [1.0, np.nan, 1.0, 1.0], "EUR": [1.1, np.nan, 1.2, 1.3],
                  "JPY": [0.009, 0.0091, np.nan, 0.0092]},
                 ["2020-01-02", "2020-01-03", "2020-01-06", "2020-01-07"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        panel = align_panel(raw, ["USD", "EUR"], source="t")
    # 2020-01-03 has a JPY quote only: nothing the request needs, so not a "dropped" date
    assert panel.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-06", "2020-01-07"]
    assert panel.attrs == {"source": "t", "dropped_dates": 0, "filled_quotes": 0}
    with pytest.warns(DataGapWarning, match=r"t: dropped 2 date\(s\) on which not every currency "
                                            r"had a quote \(missing quotes: EUR 1, JPY 1\)"):
        both = align_panel(raw, ["EUR", "JPY"], source="t")
    assert both.attrs["dropped_dates"] == 2
    assert both.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-07"]
    assert list(both.columns) == ["EUR", "JPY"]


def test_a_gap_of_exactly_fill_limit_days_is_filled() -> None:
    days = pd.date_range("2020-01-01", "2020-01-08", freq="D").strftime("%Y-%m-%d").tolist()
    eur = [1.1] + [np.nan] * 7              # the quote of 01-01, then nothing
    raw = _frame({"USD": [1.0] * 8, "EUR": eur}, days)
    with pytest.warns(DataGapWarning) as record:
        panel = align_panel(raw, ["USD", "EUR"], fill="ffill", fill_limit=5, source="t")
    # 2020-01-06 is 5 days after the quote: filled; 2020-01-07 (6 days) and 01-08 are dropped
    assert panel.index[-1] == pd.Timestamp("2020-01-06")
    assert (panel["EUR"] == 1.1).all() and len(panel) == 6
    assert panel.attrs["filled_quotes"] == 5 and panel.attrs["dropped_dates"] == 2
    messages = [str(w.message) for w in record]
    assert any("t: carried 5 quote(s) forward by at most 5 day(s) (EUR 5)" in m for m in messages)
    assert any("t: dropped 2 date(s)" in m and "EUR 2" in m for m in messages)
    with pytest.warns(DataGapWarning):
        none = align_panel(raw, ["USD", "EUR"], fill="ffill", fill_limit=0, source="t")
    assert len(none) == 1 and none.attrs["filled_quotes"] == 0


def test_fill_counts_calendar_days_not_rows() -> None:
    # Friday's quote carried over a weekend to Monday is 3 days old, not 1 row
    raw = _frame({"USD": [1.0, 1.0], "EUR": [1.1, np.nan]}, ["2020-01-03", "2020-01-06"])
    with pytest.warns(DataGapWarning, match=r"dropped 1 date"):
        short = align_panel(raw, ["USD", "EUR"], fill="ffill", fill_limit=2)
    assert len(short) == 1
    with pytest.warns(DataGapWarning, match=r"carried 1 quote\(s\) forward by at most 3 day"):
        ok = align_panel(raw, ["USD", "EUR"], fill="ffill", fill_limit=3)
    assert ok.loc["2020-01-06", "EUR"] == 1.1


def test_align_panel_errors() -> None:
    raw = _frame({"EUR": [1.1]}, ["2020-01-02"])
    with pytest.raises(DataError, match="unknown fill rule 'bfill'; use 'none' or 'ffill'"):
        align_panel(raw, ["EUR"], fill="bfill")
    with pytest.raises(DataError, match="fill_limit must be >= 0 days, got -1"):
        align_panel(raw, ["EUR"], fill="ffill", fill_limit=-1)
    empty = _frame({"EUR": [np.nan], "JPY": [0.009]}, ["2020-01-02"])
    with pytest.raises(DataError, match="t: no date on which all of EUR have a quote"):
        align_panel(empty, ["EUR"], source="t")


# --------------------------------------------------------------------------- ECB reader
def _zip(text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("eurofxref-hist.csv", text)
    return buf.getvalue()


def test_ecb_reader_refuses_a_repeated_date_itself(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    path.write_bytes(_zip("Date,USD,JPY,\n2020-01-03,1.12,120.0,\n2020-01-02,1.11,121.0,\n"
                          "2020-01-03,1.13,122.0,\n"))
    with pytest.raises(DataError, match=r"gives the date 2020-01-03 twice; download it again"):
        ecb.read_history(path)
    good = tmp_path / "good.csv"
    good.write_text("Date,USD,JPY,\n2020-01-03,1.12,120.0,\n2020-01-02,1.11,N/A,\n")
    hist = ecb.read_history(good)
    assert hist.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-03"]
    assert hist.columns.tolist() == ["USD", "EUR", "JPY"]
    assert hist.loc["2020-01-03"].tolist() == [1.0, 1.12, 1.12 / 120.0]
    assert np.isnan(hist.loc["2020-01-02", "JPY"])


def test_ecb_available_lists_currencies_only() -> None:
    with zipfile.ZipFile(ecb.bundled_path()) as zf:
        text = zf.read(zf.namelist()[0]).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = [h.strip() for h in rows[0]]
    codes = [h for h in header[1:] if h]
    first: dict[str, str] = {}
    last: dict[str, str] = {}
    count = dict.fromkeys(codes, 0)
    for row in rows[1:]:
        if not row:
            continue
        for h, v in zip(header[1:], row[1:]):
            if h and v.strip() not in ("", "N/A"):
                day = row[0].strip()
                first[h] = min(first.get(h, day), day)
                last[h] = max(last.get(h, day), day)
                count[h] += 1
    avail = ecb.EcbSource().available()
    # every currency of the file, plus EUR (the base), and nothing else
    assert avail.index.tolist() == sorted([*codes, "EUR"])
    assert avail.index.name == "currency"
    assert avail.columns.tolist() == ["first", "last", "quotes"]
    for c in ("CYP", "JPY", "RUB", "ISK"):
        assert avail.loc[c, "first"] == pd.Timestamp(first[c])
        assert avail.loc[c, "last"] == pd.Timestamp(last[c])
        assert avail.loc[c, "quotes"] == count[c]
    assert avail.loc["EUR", "quotes"] == count["USD"] == avail.loc["USD", "quotes"]


# --------------------------------------------------------------------------- CSV reader
def test_csv_units_per_eur_row_without_usd_is_not_returned(tmp_path: Path) -> None:
    path = tmp_path / "ecb.csv"
    path.write_text("date,USD,JPY\n2020-01-02,1.12,120\n2020-01-03,,121\n2020-01-06,1.1,\n")
    out = read_rates(path, "units_per_eur")
    # 2020-01-03 has no USD per EUR: nothing converts, so no row (never an all-NaN row)
    assert out.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-06"]
    assert out.columns.tolist() == ["USD", "JPY", "EUR"]
    assert out.loc["2020-01-02"].tolist() == [1.0, 1.12 / 120, 1.12]
    assert np.isnan(out.loc["2020-01-06", "JPY"])
    assert not out.isna().all(axis=1).any()
    raw = CsvSource(path, quote="units_per_eur").fetch(["JPY"], None, None)
    assert raw.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-06"]


cells = st.one_of(st.just(""), st.just("N/A"), st.floats(0.01, 100.0).map(lambda x: f"{x:.6g}"))


@given(table=st.lists(st.tuples(cells, cells, cells), min_size=1, max_size=8),
       quote=st.sampled_from(["usd_per_unit", "units_per_usd", "units_per_eur"]))
def test_csv_reader_never_returns_an_all_nan_row(tmp_path_factory: pytest.TempPathFactory,
                                                 table: list[tuple[str, str, str]],
                                                 quote: str) -> None:
    header = ["USD", "EUR", "JPY"] if quote == "units_per_eur" else ["GBP", "EUR", "JPY"]
    lines = ["date," + ",".join(header)]
    days = pd.date_range("2020-01-01", periods=len(table), freq="D").strftime("%Y-%m-%d")
    for day, row in zip(days, table):
        lines.append(day + "," + ",".join("1.0" if quote == "units_per_eur" and h == "EUR"
                                          and v not in ("", "N/A") else v
                                          for h, v in zip(header, row)))
    path = tmp_path_factory.mktemp("csv") / "rates.csv"
    path.write_text("\n".join(lines) + "\n")
    try:
        out = read_rates(path, quote)  # type: ignore[arg-type]
    except DataError as exc:
        assert "no rate in any row" in str(exc) or "needs USD rates" in str(exc)
        return
    assert not out.isna().all(axis=1).any()
    assert out.index.is_monotonic_increasing and out.index.is_unique
    quoted = {d for d, row in zip(days, table) if any(v not in ("", "N/A") for v in row)}
    assert set(out.index.strftime("%Y-%m-%d")) <= quoted
