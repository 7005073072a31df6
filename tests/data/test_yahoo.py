"""Tests of the Yahoo Finance source, never the network.

``yfinance.download`` is replaced by :class:`FakeDownload`, which rebuilds yfinance's answer from
the recorded frame ``fixtures/yahoo/download_2019-06.csv`` (see ``fixtures/yahoo/README.md`` for
its layout and provenance). Reference values are Yahoo closes copied by hand from that file;
USD per unit of an inverted pair is ``1 / close``, compared with a tolerance of 1e-12 relative
(the same IEEE division done twice).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yfinance

import basket.data.yahoo as yahoo
from basket.data import load_fx
from basket.data.yahoo import TICKERS, YahooSource
from basket.errors import CacheWarning, DataError, DataQualityWarning, DataSourceError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "yahoo" / "download_2019-06.csv"
FIELDS = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]

# Closes copied by hand from fixtures/yahoo/download_2019-06.csv (the Close block).
EURUSD_0618 = 1.1187
GBPUSD_0618 = 1.2513
JPY_0618 = 108.233  # yen per US dollar
SGD_0618 = 1.37106  # Singapore dollars per US dollar
JPY_0620 = 107.641


def recorded() -> pd.DataFrame:
    """The recorded yfinance frame: columns (Price, Ticker), index Date."""
    return pd.read_csv(FIXTURE, header=[0, 1], index_col=0, parse_dates=True)


def set_close(frame: pd.DataFrame, ticker: str, date: str, value: float) -> pd.DataFrame:
    """Return a copy of ``frame`` with one close (and its copies in the price fields) replaced."""
    out = frame.copy()
    for field in FIELDS[:-1]:
        out.loc[pd.Timestamp(date), (field, ticker)] = value
    return out


class FakeDownload:
    """A stand-in for ``yfinance.download`` answering from a recorded frame.

    It reproduces what yfinance 1.x does with ``group_by="column"``: a (Price, Ticker) column
    MultiIndex sorted by field, one column per requested ticker (all NaN for a ticker it has no
    data for), the rows on which some ticker has data, and an exclusive ``end``.
    ``layout="flat"`` mimics ``multi_level_index=False`` for one ticker, ``"ticker"`` the
    (Ticker, Price) order of ``group_by="ticker"``.
    """

    def __init__(
        self,
        frame: pd.DataFrame | None = None,
        *,
        layout: str = "multi",
        fail: int = 0,
        error: Exception | None = None,
        tz: str | None = None,
        flaky: tuple[str, ...] = (),
    ) -> None:
        self.frame = recorded() if frame is None else frame
        self.layout = layout
        self.fail = fail
        self.error = error or ConnectionError("Failed to perform, curl: (6) Could not resolve host")
        self.tz = tz
        self.flaky = flaky
        self.calls: list[dict[str, Any]] = []

    def __call__(self, tickers: Any, start: Any = None, end: Any = None, **kw: Any) -> pd.DataFrame:
        names = tickers.split() if isinstance(tickers, str) else list(tickers)
        self.calls.append({"tickers": names, "start": start, "end": end, **kw})
        if len(self.calls) <= self.fail:
            raise self.error
        rec = self.frame
        rows = rec.loc[(rec.index >= pd.Timestamp(start)) & (rec.index < pd.Timestamp(end))]
        cols = pd.MultiIndex.from_product([FIELDS, sorted(names)], names=["Price", "Ticker"])
        out = rows.reindex(columns=cols)
        if len(self.calls) == 1 and self.flaky:  # rate-limited: no data for these, once
            out.loc[:, (slice(None), list(self.flaky))] = np.nan
        out = out.dropna(how="all")
        if self.tz is not None:
            out.index = out.index.tz_localize(self.tz)
        if self.layout == "flat":
            assert len(names) == 1
            out = out.droplevel("Ticker", axis=1).rename_axis(None, axis=1)
        elif self.layout == "ticker":
            out = out.swaplevel(0, 1, axis=1).sort_index(axis=1)
        return out


def _no_network(*args: Any, **kw: Any) -> pd.DataFrame:
    raise AssertionError("a test reached the real yfinance.download")


def _no_sleep(seconds: float) -> None:
    raise AssertionError("a test slept for real")


@pytest.fixture(autouse=True)
def _offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test: its own cache directory, no network, no real sleeping."""
    monkeypatch.setenv("BASKET_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(yfinance, "download", _no_network)
    monkeypatch.setattr(yahoo.time, "sleep", _no_sleep)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """The Yahoo cache directory of this test."""
    folder = tmp_path / "yahoo"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, cache: Path) -> FakeDownload:
    fd = FakeDownload()
    monkeypatch.setattr(yfinance, "download", fd)
    return fd


def install(monkeypatch: pytest.MonkeyPatch, fd: FakeDownload) -> FakeDownload:
    monkeypatch.setattr(yfinance, "download", fd)
    return fd


def no_sleep() -> tuple[list[float], Callable[[float], None]]:
    slept: list[float] = []
    return slept, slept.append


# --------------------------------------------------------------------------------------------
# tickers and conventions


def test_ticker_map_directions() -> None:
    direct = {c for c, t in TICKERS.items() if not t.inverse}
    assert direct == {"EUR", "GBP", "AUD", "NZD"}
    assert TICKERS["EUR"].symbol == "EURUSD=X"
    assert TICKERS["JPY"] == ("JPY=X", True)
    assert TICKERS["SGD"] == ("SGD=X", True)
    assert "USD" not in TICKERS
    for code, t in TICKERS.items():
        assert t.symbol == (f"{code}=X" if t.inverse else f"{code}USD=X")


def test_fetch_inverts_indirect_pairs_by_hand(fake: FakeDownload) -> None:
    src = YahooSource()
    raw = src.fetch(["USD", "EUR", "JPY", "GBP", "SGD"], pd.Timestamp("2019-06-17"), "2019-06-21")
    assert list(raw.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert raw.index.name == "date"
    assert raw.index.tz is None
    assert (raw.index == raw.index.normalize()).all()
    assert list(raw.index.strftime("%Y-%m-%d")) == [
        "2019-06-17",
        "2019-06-18",
        "2019-06-19",
        "2019-06-20",
        "2019-06-21",
    ]
    assert (raw.dtypes == np.float64).all()
    row = raw.loc["2019-06-18"]
    assert row["USD"] == 1.0
    assert row["EUR"] == pytest.approx(EURUSD_0618, rel=1e-12)  # direct: USD per EUR
    assert row["GBP"] == pytest.approx(GBPUSD_0618, rel=1e-12)
    # inverted: 1 / 108.233 = 0.009239326268... USD per yen (long division; check:
    # 108.233 * 0.009239326268 = 0.99999999996), 1e-10 relative for the 10 digits written
    assert row["JPY"] == pytest.approx(1 / 108.233, rel=1e-12)
    assert row["JPY"] == pytest.approx(0.009239326268, rel=1e-10)
    assert row["SGD"] == pytest.approx(1 / 1.37106, rel=1e-12)
    assert raw.loc["2019-06-20", "JPY"] == pytest.approx(1 / JPY_0620, rel=1e-12)


def test_download_arguments(fake: FakeDownload) -> None:
    YahooSource().fetch(["EUR", "JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert len(fake.calls) == 1
    call = fake.calls[0]
    assert sorted(call["tickers"]) == ["EURUSD=X", "JPY=X"]
    assert call["start"] == "2019-06-17"
    assert call["end"] == "2019-06-22"  # yfinance's end is exclusive: one day after ours
    assert call["interval"] == "1d"
    assert call["auto_adjust"] is False
    assert call["actions"] is False
    assert call["progress"] is False
    assert call["group_by"] == "column"
    assert call["threads"] is False


@pytest.mark.parametrize(
    ("layout", "codes"),
    [
        ("multi", ["GBP"]),
        ("multi", ["EUR", "GBP", "JPY", "SGD"]),
        ("flat", ["JPY"]),
        ("ticker", ["EUR", "JPY"]),
    ],
)
def test_column_layouts(
    monkeypatch: pytest.MonkeyPatch, cache: Path, layout: str, codes: list[str]
) -> None:
    fd = install(monkeypatch, FakeDownload(layout=layout))
    if layout == "multi":
        probe = fd(["GBPUSD=X"], start="2019-06-17", end="2019-06-19")
        assert isinstance(probe.columns, pd.MultiIndex)
        assert probe.columns.names == ["Price", "Ticker"]
        fd.calls.clear()
    raw = YahooSource().fetch(codes, pd.Timestamp("2019-06-18"), pd.Timestamp("2019-06-18"))
    hand = {"EUR": EURUSD_0618, "GBP": GBPUSD_0618, "JPY": 1 / JPY_0618, "SGD": 1 / SGD_0618}
    assert list(raw.columns) == codes
    for c in codes:
        assert raw.loc["2019-06-18", c] == pytest.approx(hand[c], rel=1e-12)


def test_flat_frame_for_several_tickers_is_refused(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    def flat(tickers: Any, **kw: Any) -> pd.DataFrame:
        return recorded()["Close"].rename(columns=lambda _: "Close").iloc[:, :1]

    monkeypatch.setattr(yfinance, "download", flat)
    with pytest.raises(DataSourceError, match="cannot tell the tickers apart"):
        YahooSource().fetch(["EUR", "JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))


def test_tz_aware_index_keeps_the_local_date(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    install(monkeypatch, FakeDownload(tz="Europe/London"))
    raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert raw.index.tz is None
    assert raw.loc["2019-06-18", "JPY"] == pytest.approx(1 / JPY_0618, rel=1e-12)
    assert len(raw) == 5


def test_nan_where_one_ticker_lacks_a_date(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    frame = recorded()
    frame.loc[pd.Timestamp("2019-06-19"), (slice(None), "SGD=X")] = np.nan
    install(monkeypatch, FakeDownload(frame))
    raw = YahooSource().fetch(
        ["EUR", "SGD"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21")
    )
    assert len(raw) == 5
    assert np.isnan(raw.loc["2019-06-19", "SGD"])
    assert raw.loc["2019-06-19", "EUR"] > 0
    assert raw.drop(pd.Timestamp("2019-06-19")).notna().all().all()


# --------------------------------------------------------------------------------------------
# failures


def test_empty_response_is_retried_then_names_the_tickers(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    fd = install(monkeypatch, FakeDownload(recorded().iloc[:0]))
    slept, sleep = no_sleep()
    src = YahooSource(attempts=3, backoff=0.5, sleep=sleep)
    with pytest.raises(DataSourceError, match=r"EURUSD=X, JPY=X.*try again later") as info:
        src.fetch(["EUR", "JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert "use --source ecb (offline)" in str(info.value)
    assert "\n" not in str(info.value)
    assert len(fd.calls) == 3
    assert slept == [0.5, 1.0]  # exponential backoff, injected: no real sleep
    assert list(cache.glob("*")) == []


def test_network_error_on_every_attempt(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    fd = install(monkeypatch, FakeDownload(fail=99, error=ConnectionError("HTTP 503 busy")))
    slept, sleep = no_sleep()
    src = YahooSource(attempts=4, sleep=sleep)
    with pytest.raises(DataSourceError, match=r"JPY=X.*after 4 attempt.*ConnectionError") as info:
        src.fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert isinstance(info.value.__cause__, ConnectionError)
    assert "cached data is kept" in str(info.value)
    assert len(fd.calls) == 4
    assert slept == [1.0, 2.0, 4.0]


def test_no_network_is_one_line_without_retries(
    monkeypatch: pytest.MonkeyPatch, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What yfinance really does offline: it logs a DNS error and returns an empty frame."""
    import logging

    calls = []

    def offline(tickers: Any, **kw: Any) -> pd.DataFrame:
        calls.append(tickers)
        logging.getLogger("yfinance").error(
            "['JPY=X']: DNSError('Failed to perform, curl: (6) Could not resolve host: "
            "query2.finance.yahoo.com. See https://curl.se/libcurl/c/libcurl-errors.html')")
        return pd.DataFrame()

    monkeypatch.setattr(yfinance, "download", offline)
    slept, sleep = no_sleep()
    with pytest.raises(DataSourceError) as info:
        YahooSource(attempts=3, sleep=sleep).fetch(["JPY"], pd.Timestamp("2019-06-17"),
                                                   pd.Timestamp("2019-06-21"))
    message = str(info.value)
    assert message.startswith("no network: cannot reach Yahoo Finance for JPY=X")
    assert "--source ecb" in message and "rate limit" not in message and "\n" not in message
    assert len(calls) == 1 and slept == []          # no retry, no sleeping
    captured = capsys.readouterr()
    assert "DNSError" not in captured.err + captured.out   # yfinance's noise is not shown


def test_transient_error_then_success(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    fd = install(monkeypatch, FakeDownload(fail=1, error=RuntimeError("Too Many Requests")))
    slept: list[float] = []
    monkeypatch.setattr(yahoo.time, "sleep", slept.append)  # the default sleep is time.sleep
    raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert len(fd.calls) == 2
    assert slept == [1.0]
    assert raw.loc["2019-06-18", "JPY"] == pytest.approx(1 / JPY_0618, rel=1e-12)


def test_partial_download_names_the_missing_ticker(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    frame = recorded().drop(columns="SGD=X", level="Ticker")
    fd = install(monkeypatch, FakeDownload(frame))
    slept, sleep = no_sleep()
    with pytest.raises(DataSourceError, match=r"no close for SGD=X from 2019-06-17 to 2019-06-21"):
        YahooSource(sleep=sleep).fetch(
            ["EUR", "SGD"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21")
        )
    # the missing ticker alone is asked again, twice, before giving up
    assert [c["tickers"] for c in fd.calls] == [["EURUSD=X", "SGD=X"], ["SGD=X"], ["SGD=X"]]
    assert slept == [1.0, 2.0]
    # the ticker that did arrive is cached; the missing one is not
    assert (cache / "EURUSD=X.csv").is_file()
    assert not (cache / "SGD=X.csv").exists()


def test_ticker_missing_once_is_asked_again(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    fd = install(monkeypatch, FakeDownload(flaky=("SGD=X",)))
    slept, sleep = no_sleep()
    raw = YahooSource(sleep=sleep).fetch(
        ["EUR", "SGD"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21")
    )
    assert [c["tickers"] for c in fd.calls] == [["EURUSD=X", "SGD=X"], ["SGD=X"]]
    assert slept == [1.0]
    assert raw.loc["2019-06-18", "SGD"] == pytest.approx(1 / SGD_0618, rel=1e-12)
    assert raw.notna().all().all()


def test_missing_yfinance(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setitem(sys.modules, "yfinance", None)
    with pytest.raises(DataSourceError, match="pip install yfinance"):
        YahooSource().fetch(["EUR"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))


def test_unknown_code(fake: FakeDownload) -> None:
    with pytest.raises(DataError, match=r"'EUX'.*did you mean 'EUR'.*basket currencies --source"):
        YahooSource().fetch(["USD", "EUX"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert fake.calls == []


def test_no_start_without_cache_downloads_from_default_start(fake: FakeDownload) -> None:
    from basket.data.yahoo import DEFAULT_START

    YahooSource().fetch(["EUR"], None, pd.Timestamp("2019-06-21"))
    assert pd.Timestamp(fake.calls[0]["start"]) == DEFAULT_START


def test_bad_options() -> None:
    from basket.errors import SpecError

    with pytest.raises(SpecError, match="attempts"):
        YahooSource(attempts=0)
    with pytest.raises(SpecError, match="backoff"):
        YahooSource(backoff=-1.0)


# --------------------------------------------------------------------------------------------
# the cache


def _meta(path: Path) -> dict[str, Any]:
    """The metadata line of a cache file."""
    head = path.read_text().splitlines()[0]
    assert head.startswith("# basket-cache ")
    return dict(json.loads(head[len("# basket-cache "):]))


def test_cache_files_are_one_self_checking_csv(fake: FakeDownload, cache: Path) -> None:
    YahooSource().fetch(["EUR", "JPY"], pd.Timestamp("2019-06-15"), pd.Timestamp("2019-06-23"))
    names = sorted(p.name for p in cache.iterdir())
    assert names == ["EURUSD=X.csv", "JPY=X.csv"]  # one file per ticker, no .tmp
    lines = (cache / "JPY=X.csv").read_text().splitlines()
    assert lines[1] == "date,close"
    assert lines[3] == "2019-06-18,108.233"  # raw Yahoo close, before inversion
    assert len(lines) == 2 + 5
    meta = _meta(cache / "JPY=X.csv")
    # the covered range is the range asked (weekend ends included), not the rows held
    assert (meta["start"], meta["end"], meta["rows"]) == ("2019-06-15", "2019-06-23", 5)
    import hashlib

    body = (cache / "JPY=X.csv").read_bytes().split(b"\n", 1)[1]
    assert meta["sha256"] == hashlib.sha256(body).hexdigest()


def test_cache_covers_a_repeat_request_without_a_call(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    fd = install(monkeypatch, FakeDownload())
    src = YahooSource()
    first = src.fetch(["EUR", "JPY"], pd.Timestamp("2019-06-03"), pd.Timestamp("2019-06-28"))
    assert len(fd.calls) == 1

    def refuse(*args: Any, **kw: Any) -> pd.DataFrame:
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(yfinance, "download", refuse)
    again = src.fetch(["JPY", "EUR"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-21"))
    pd.testing.assert_frame_equal(again, first.loc["2019-06-10":"2019-06-21", ["JPY", "EUR"]])
    # a weekend beyond the cached Friday needs no call either
    weekend = src.fetch(["EUR"], pd.Timestamp("2019-06-24"), pd.Timestamp("2019-06-30"))
    assert weekend.index[-1] == pd.Timestamp("2019-06-28")
    assert _meta(cache / "EURUSD=X.csv")["end"] == "2019-06-30"


def test_refresh_downloads_again(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    fd = install(monkeypatch, FakeDownload())
    YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    YahooSource(refresh=True).fetch(["JPY"], pd.Timestamp("2019-06-10"),
                                    pd.Timestamp("2019-06-14"))
    assert len(fd.calls) == 2 and fd.calls[1]["start"] == "2019-06-10"


def test_incremental_refetch_only_asks_for_the_missing_range(
    fake: FakeDownload, cache: Path
) -> None:
    src = YahooSource()
    src.fetch(["EUR", "JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    later = src.fetch(["EUR", "JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-28"))
    assert (fake.calls[1]["start"], fake.calls[1]["end"]) == ("2019-06-15", "2019-06-29")
    earlier = src.fetch(["EUR", "JPY"], pd.Timestamp("2019-06-03"), pd.Timestamp("2019-06-28"))
    assert (fake.calls[2]["start"], fake.calls[2]["end"]) == ("2019-06-03", "2019-06-10")
    assert len(fake.calls) == 3
    assert len(later) == 15
    assert len(earlier) == 20
    assert earlier.loc["2019-06-18", "JPY"] == pytest.approx(1 / JPY_0618, rel=1e-12)
    meta = _meta(cache / "JPY=X.csv")
    assert (meta["start"], meta["end"], meta["rows"]) == ("2019-06-03", "2019-06-28", 20)
    # a ticker with a different coverage gets its own request
    src.fetch(["EUR", "SGD"], pd.Timestamp("2019-06-03"), pd.Timestamp("2019-06-28"))
    assert fake.calls[3]["tickers"] == ["SGD=X"]
    assert (fake.calls[3]["start"], fake.calls[3]["end"]) == ("2019-06-03", "2019-06-29")


def test_today_is_never_marked_covered(
    monkeypatch: pytest.MonkeyPatch, fake: FakeDownload, cache: Path
) -> None:
    monkeypatch.setattr(yahoo, "_today", lambda: pd.Timestamp("2019-06-20"))
    src = YahooSource()
    raw = src.fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-20"))
    assert raw.index[-1] == pd.Timestamp("2019-06-20")  # returned, but not kept as final
    assert _meta(cache / "JPY=X.csv")["end"] == "2019-06-19"
    assert "2019-06-20," not in (cache / "JPY=X.csv").read_text()
    src.fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-20"))
    assert (fake.calls[1]["start"], fake.calls[1]["end"]) == ("2019-06-20", "2019-06-21")


def _rewrite(cache: Path, edit: Callable[[list[str]], list[str]]) -> None:
    path = cache / "JPY=X.csv"
    path.write_text("\n".join(edit(path.read_text().splitlines())) + "\n")


def _garbage(cache: Path) -> None:
    (cache / "JPY=X.csv").write_bytes(b"\x00\xff not, a\n csv \x01")


def _bad_metadata(cache: Path) -> None:
    _rewrite(cache, lambda lines: ["# basket-cache {not json", *lines[1:]])


def _no_metadata(cache: Path) -> None:
    _rewrite(cache, lambda lines: lines[1:])


def _edited_close(cache: Path) -> None:
    _rewrite(cache, lambda lines: [ln.replace("108.233", "1.0") for ln in lines])


def _truncated(cache: Path) -> None:
    _rewrite(cache, lambda lines: lines[:-2])


def _wrong_ticker(cache: Path) -> None:
    meta = _meta(cache / "JPY=X.csv")
    _rewrite(cache, lambda lines: ["# basket-cache " + json.dumps({**meta, "ticker": "SGD=X"}),
                                   *lines[1:]])


def _bad_columns_with_matching_hash(cache: Path) -> None:
    import hashlib

    body = b"day,price\n2019-06-18,108.233\n"
    meta = {**_meta(cache / "JPY=X.csv"), "rows": 1, "sha256": hashlib.sha256(body).hexdigest()}
    (cache / "JPY=X.csv").write_bytes(
        ("# basket-cache " + json.dumps(meta) + "\n").encode() + body)


def _format_1(cache: Path) -> None:
    """The layout of the first release: a plain CSV beside a JSON sidecar."""
    _rewrite(cache, lambda lines: lines[1:])
    (cache / "JPY=X.json").write_text('{"format": 1}')


def _a_directory(cache: Path) -> None:
    (cache / "JPY=X.csv").unlink()
    (cache / "JPY=X.csv").mkdir()


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "garbage": _garbage,
    "bad_metadata": _bad_metadata,
    "no_metadata": _no_metadata,
    "edited_close": _edited_close,
    "truncated": _truncated,
    "wrong_ticker": _wrong_ticker,
    "bad_columns": _bad_columns_with_matching_hash,
    "format_1": _format_1,
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_corrupt_cache_warns_and_refetches(
    fake: FakeDownload, cache: Path, corruption: str
) -> None:
    src = YahooSource()
    first = src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-21"))
    CORRUPTIONS[corruption](cache)
    with pytest.warns(CacheWarning, match=r"ignoring the cached closes of JPY=X .*--refresh"):
        again = src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-21"))
    pd.testing.assert_frame_equal(again, first)  # nothing from the bad file was trusted
    assert (fake.calls[1]["start"], fake.calls[1]["end"]) == ("2019-06-10", "2019-06-22")
    # rewritten: a third call is answered by the cache, silently (warnings are errors here)
    src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-21"))
    assert len(fake.calls) == 2
    assert not (cache / "JPY=X.json").exists()


def test_killed_write_keeps_the_previous_range(
    monkeypatch: pytest.MonkeyPatch, fake: FakeDownload, cache: Path
) -> None:
    """A process killed before the new file is in place leaves the old one whole."""
    src = YahooSource()
    src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    before = (cache / "JPY=X.csv").read_bytes()
    real_replace = os.replace

    def killed(src_path: Any, dst: Any) -> None:
        raise KeyboardInterrupt  # as if the process died between writing and moving

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-21"))
    monkeypatch.setattr(os, "replace", real_replace)
    assert (cache / "JPY=X.csv").read_bytes() == before
    assert not list(cache.glob(".*.tmp"))  # the interrupted temporary was removed

    def refuse(*args: Any, **kw: Any) -> pd.DataFrame:
        raise AssertionError("the previous range should have been kept")

    monkeypatch.setattr(yfinance, "download", refuse)
    kept = src.fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    assert len(kept) == 5


def test_stale_temporaries_are_swept(fake: FakeDownload, cache: Path) -> None:
    old = cache / ".JPY=X.csv.abc123.tmp"
    young = cache / ".EURUSD=X.csv.def456.tmp"
    old.write_text("half a file")
    young.write_text("being written")
    hours_ago = pd.Timestamp.now().timestamp() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    assert not old.exists() and young.exists()


def test_unwritable_cache_file_warns_and_uses_the_data(fake: FakeDownload, cache: Path) -> None:
    (cache / "JPY=X.csv").mkdir()  # a directory where the file should be
    with pytest.warns(CacheWarning) as caught:
        raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-10"),
                                  pd.Timestamp("2019-06-14"))
    assert len(raw) == 5 and raw.loc["2019-06-14", "JPY"] > 0
    messages = " ".join(str(w.message) for w in caught)
    assert "cannot cache JPY=X" in messages and "BASKET_CACHE_DIR" in messages


def test_cache_folder_that_is_a_file_warns_and_uses_the_data(
    monkeypatch: pytest.MonkeyPatch, fake: FakeDownload, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("BASKET_CACHE_DIR", str(blocker))
    with pytest.warns(CacheWarning, match="without caching it"):
        raw = YahooSource().fetch(["EUR"], pd.Timestamp("2019-06-10"),
                                  pd.Timestamp("2019-06-14"))
    assert len(raw) == 5


# --------------------------------------------------------------------------------------------
# data quality


def test_non_positive_quotes_are_dropped_and_reported(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    frame = set_close(recorded(), "JPY=X", "2019-06-12", 0.0)
    frame = set_close(frame, "JPY=X", "2019-06-13", -108.46)
    install(monkeypatch, FakeDownload(frame))
    with pytest.warns(
        DataQualityWarning, match=r"2 non-positive close\(s\) of JPY=X on 2019-06-12, 2019-06-13"
    ):
        raw = YahooSource().fetch(
            ["EUR", "JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14")
        )
    assert raw["JPY"].isna().sum() == 2
    assert raw.loc["2019-06-12", "EUR"] == pytest.approx(1.1323, rel=1e-12)


def test_one_day_spike_is_dropped_and_reported(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    # 2019-06-12 JPY=X 108.381 -> 1083.81 (a misplaced decimal point), back to 108.46 next day
    frame = set_close(recorded(), "JPY=X", "2019-06-12", 1083.81)
    install(monkeypatch, FakeDownload(frame))
    with pytest.warns(DataQualityWarning, match=r"one-day spike\(s\) of JPY=X on 2019-06-12"):
        raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    assert pd.Timestamp("2019-06-12") not in raw.index
    assert len(raw) == 4


def test_a_lasting_jump_is_not_a_spike(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    frame = recorded()
    later = frame.index >= pd.Timestamp("2019-06-12")
    frame.loc[later, ("Close", "JPY=X")] *= 1.5  # log change 0.405, never undone
    install(monkeypatch, FakeDownload(frame))
    raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-10"), pd.Timestamp("2019-06-14"))
    assert raw["JPY"].notna().all()  # no warning either: they are errors in this suite
    assert raw.loc["2019-06-12", "JPY"] == pytest.approx(1 / (108.381 * 1.5), rel=1e-12)


# --------------------------------------------------------------------------------------------
# available() and load_fx


def test_available(fake: FakeDownload) -> None:
    src = YahooSource()
    before = src.available()
    assert before.index.name == "currency"
    assert list(before.columns[:4]) == ["first", "last", "quotes", "ticker"]
    assert {"USD", "EUR", "JPY", "SGD", "GBP"} <= set(before.index)
    assert before.at["EUR", "ticker"] == "EURUSD=X"
    assert before.at["USD", "ticker"] == ""
    assert before["first"].isna().all() and before["last"].isna().all()
    assert before.at["JPY", "quotes"] == 0
    src.fetch(["JPY"], pd.Timestamp("2019-06-15"), pd.Timestamp("2019-06-23"))
    after = src.available()
    assert after.at["JPY", "quotes"] == 5
    assert after.at["JPY", "cached_first"] == pd.Timestamp("2019-06-15")
    assert after.at["JPY", "cached_last"] == pd.Timestamp("2019-06-23")
    assert pd.isna(after.at["JPY", "last"])  # Yahoo's own coverage stays unknown


def test_usd_alone_needs_no_download(fake: FakeDownload) -> None:
    raw = YahooSource().fetch(["USD"], pd.Timestamp("2019-06-14"), pd.Timestamp("2019-06-18"))
    assert list(raw.index.strftime("%Y-%m-%d")) == ["2019-06-14", "2019-06-17", "2019-06-18"]
    assert (raw["USD"] == 1.0).all()
    assert fake.calls == []


def test_load_fx_end_to_end(fake: FakeDownload, cache: Path) -> None:
    codes = ["USD", "EUR", "JPY", "GBP", "SGD"]
    panel = load_fx(codes, source="yahoo", start="2019-06-17", end="2019-06-21")
    assert panel.attrs["source"] == "yahoo"
    assert list(panel.columns) == ["USD", "EUR", "JPY", "GBP", "SGD"]
    assert len(panel) == 5
    row = panel.loc["2019-06-18"]
    assert row["EUR"] == pytest.approx(EURUSD_0618, rel=1e-12)
    assert row["JPY"] == pytest.approx(1 / JPY_0618, rel=1e-12)
    assert row["GBP"] == pytest.approx(GBPUSD_0618, rel=1e-12)
    assert row["SGD"] == pytest.approx(1 / SGD_0618, rel=1e-12)
    # extending the range through load_fx downloads only the new dates
    longer = load_fx("EUR,JPY", source="yahoo", start="2019-06-17", end="2019-07-05")
    assert (fake.calls[-1]["start"], fake.calls[-1]["end"]) == ("2019-06-22", "2019-07-06")
    assert len(longer) == 15
    # without dates, the start defaults to what the cache covers (end given: no download)
    n_calls = len(fake.calls)
    cached = load_fx(["EUR"], source="yahoo", end="2019-07-05")
    assert cached.index[0] == pd.Timestamp("2019-06-17")
    assert len(fake.calls) == n_calls


def test_load_fx_gap_is_reported_by_alignment(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    from basket.errors import DataGapWarning

    frame = recorded()
    frame.loc[pd.Timestamp("2019-06-19"), (slice(None), "SGD=X")] = np.nan
    install(monkeypatch, FakeDownload(frame))
    with pytest.warns(DataGapWarning, match="dropped 1 date"):
        panel = load_fx(["EUR", "SGD"], source="yahoo", start="2019-06-17", end="2019-06-21")
    assert pd.Timestamp("2019-06-19") not in panel.index


def test_conflicting_duplicates_and_infinite_closes_are_reported(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    frame = recorded()
    frame = set_close(frame, "JPY=X", "2019-06-19", np.inf)
    twice = frame.loc[["2019-06-18"]].copy()
    twice.loc[:, ("Close", "JPY=X")] = 110.0          # the same date again, another close
    frame = pd.concat([frame, twice])
    same = frame.loc[["2019-06-20"]].copy()           # a harmless exact repeat: no warning
    frame = pd.concat([frame, same])
    install(monkeypatch, FakeDownload(frame))
    with pytest.warns(DataQualityWarning) as caught:
        raw = YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    text = " | ".join(str(w.message) for w in caught)
    assert "JPY=X has 1 infinite close(s) (2019-06-19); dropped" in text
    assert "JPY=X gives 1 date(s) twice with different closes (2019-06-18)" in text
    assert "2019-06-20" not in text.split("twice")[1]
    assert raw.loc["2019-06-18", "JPY"] == pytest.approx(1 / 110.0, rel=1e-12)  # the last kept
    assert "2019-06-19" not in raw.index.strftime("%Y-%m-%d")


# --------------------------------------------------------------------------- progress
class Bar:
    """A stand-in for the CLI's progress bar: records its total and each advance."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.advances = 0

    def __call__(self, total: int) -> Any:
        import contextlib

        self.totals.append(total)

        @contextlib.contextmanager
        def opened() -> Any:
            def advance() -> None:
                self.advances += 1
            yield advance

        return opened()


def test_progress_asks_one_ticker_at_a_time_with_the_same_closes(
    monkeypatch: pytest.MonkeyPatch, cache: Path, tmp_path: Path
) -> None:
    codes = ["USD", "EUR", "JPY", "GBP", "SGD"]
    t0, t1 = pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21")
    fd = install(monkeypatch, FakeDownload())
    bar = Bar()
    with yahoo.download_progress(bar):
        each = YahooSource().fetch(codes, t0, t1)
    assert bar.totals == [4] and bar.advances == 4
    assert [c["tickers"] for c in fd.calls] == [["EURUSD=X"], ["JPY=X"], ["GBPUSD=X"], ["SGD=X"]]
    # the same closes as one request for the list, into a fresh cache
    monkeypatch.setenv("BASKET_CACHE_DIR", str(tmp_path / "other"))
    install(monkeypatch, FakeDownload())
    pd.testing.assert_frame_equal(each, YahooSource().fetch(codes, t0, t1))
    # cached now: nothing to download, no bar
    with yahoo.download_progress(bar):
        monkeypatch.setenv("BASKET_CACHE_DIR", str(cache.parent))
        install(monkeypatch, FakeDownload())
        YahooSource().fetch(codes, t0, t1)
    assert bar.totals == [4]


def test_progress_single_ticker_needs_no_bar(fake: FakeDownload) -> None:
    bar = Bar()
    with yahoo.download_progress(bar):
        YahooSource().fetch(["JPY"], pd.Timestamp("2019-06-17"), pd.Timestamp("2019-06-21"))
    assert bar.totals == [] and len(fake.calls) == 1


def test_progress_names_a_missing_ticker_as_a_list_request_does(
    monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    frame = recorded().drop(columns="SGD=X", level="Ticker")
    install(monkeypatch, FakeDownload(frame))
    slept, sleep = no_sleep()
    bar = Bar()
    with yahoo.download_progress(bar), pytest.raises(
        DataSourceError, match=r"no close for SGD=X from 2019-06-17 to 2019-06-21 while it did "
                               r"for EURUSD=X"
    ):
        YahooSource(sleep=sleep).fetch(["EUR", "SGD"], pd.Timestamp("2019-06-17"),
                                       pd.Timestamp("2019-06-21"))
    assert bar.advances == 2 and slept == [1.0, 2.0]
    assert (cache / "EURUSD=X.csv").is_file() and not (cache / "SGD=X.csv").exists()


def test_progress_offline_is_the_same_one_line(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    calls = []

    def offline(tickers: Any, **kw: Any) -> pd.DataFrame:
        calls.append(tickers)
        raise ConnectionError("Failed to perform, curl: (6) Could not resolve host")

    monkeypatch.setattr(yfinance, "download", offline)
    slept, sleep = no_sleep()
    with yahoo.download_progress(Bar()), pytest.raises(DataSourceError,
                                                       match=r"^no network: cannot reach"):
        YahooSource(sleep=sleep).fetch(["EUR", "JPY"], pd.Timestamp("2019-06-17"),
                                       pd.Timestamp("2019-06-21"))
    assert len(calls) == 1 and slept == []  # stops at the first ticker


def test_cli_installs_the_bar_for_yahoo_only(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """The CLI's bar draws on a terminal only: under the test runner stdout stays the table."""
    from typer.testing import CliRunner

    from basket.cli import app

    fd = install(monkeypatch, FakeDownload())
    result = CliRunner().invoke(app, ["fx", "EUR", "JPY", "--start", "2019-06-17", "--end",
                                      "2019-06-21", "--source", "yahoo", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert [c["tickers"] for c in fd.calls] == [["EURUSD=X"], ["JPY=X"]]
    assert result.stdout.splitlines()[0] == "currency,first,last,min,max"
    assert "Yahoo" not in result.stderr


def test_the_bar_draws_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch,
                                          capfd: pytest.CaptureFixture[str]) -> None:
    from basket.cli.common import download_bar

    with download_bar(2) as advance:
        advance()
        advance()
    assert capfd.readouterr().err == ""  # not a terminal: nothing drawn
    monkeypatch.setenv("TTY_COMPATIBLE", "1")  # rich: treat standard error as a terminal
    with download_bar(2) as advance:
        advance()
        advance()
    err = capfd.readouterr().err
    assert "downloading from Yahoo Finance" in err and "2/2" in err
