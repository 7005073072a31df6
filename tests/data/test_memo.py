"""Tests of the in-process memo of aligned panels (basket.data.memo) through the public calls.

What is checked: a second call reads, checks and aligns nothing again (the source's reader is
not called); a file that changes is read again; what a caller does to a returned frame never
reaches a later call; warnings are given on every call; sources without a version (objects of
the user's) are not memoised. Reference values are the first call's own output, recomputed
from the file after each change (a regression of the memo against a fresh read).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import basket
from basket.data import memo
from basket.data.csvfile import CsvSource
from basket.data.ecb import EcbSource
from basket.errors import DataGapWarning

CODES = ["USD", "EUR", "JPY", "GBP", "SGD"]


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    memo.clear()


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("date,EUR,JPY\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_second_load_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    first = basket.load_fx(CODES)
    res = basket.backtest("libra-2019", rebalance="quarterly")
    basket.price("2020-03-20", numeraire="EUR")
    monkeypatch.setattr(EcbSource, "fetch", lambda self, *a: pytest.fail("rates read again"))
    monkeypatch.setattr(EcbSource, "available", lambda self: pytest.fail("coverage read again"))
    monkeypatch.setattr("basket.data.panel.aligned_with_notes",
                        lambda *a, **k: pytest.fail("aligned again"))
    monkeypatch.setattr("basket.data.aligned_with_notes",
                        lambda *a, **k: pytest.fail("aligned again"))
    again = basket.load_fx(CODES)
    pd.testing.assert_frame_equal(first, again)
    res2 = basket.backtest("libra-2019", rebalance="quarterly")
    pd.testing.assert_frame_equal(res.metrics, res2.metrics)
    assert float(res.values["USD"].loc["2019-06-18"]) == pytest.approx(1.0, rel=1e-12)
    assert basket.price("2020-03-20", numeraire="EUR") > 0


def test_mutating_a_returned_frame_changes_no_later_result() -> None:
    before = basket.backtest("libra-2019", rebalance="quarterly")
    fx = basket.load_fx(CODES)
    fx.iloc[:, 1] = 99.0                       # write through the frame we were given
    fx["XXX"] = 1.0
    fx.index.name = "changed"
    fx.attrs["source"] = "mine"
    again = basket.load_fx(CODES)
    assert float(again["EUR"].iloc[0]) == pytest.approx(1.1789, abs=1e-4)  # 1999-01-04, ECB
    assert list(again.columns) == CODES and again.index.name == "date"
    assert again.attrs["source"] == "ecb"
    with pytest.raises(ValueError, match="read-only"):
        again.to_numpy()[0, 0] = 5.0             # the memo's array is not writable
    after = basket.backtest("libra-2019", rebalance="quarterly")
    pd.testing.assert_frame_equal(before.values, after.values)
    before.values.iloc[:, 0] = 0.0               # results are the caller's own
    before.units.columns.name = "changed"
    third = basket.backtest("libra-2019", rebalance="quarterly")
    pd.testing.assert_frame_equal(after.values, third.values)
    assert third.units.columns.name == "currency"


def test_price_memo_is_not_shared_state() -> None:
    s = basket.price(["2020-03-20", "2020-03-23"], numeraire="EUR")
    s.iloc[0] = -1.0
    s.attrs["date_used"] = None
    t = basket.price(["2020-03-20", "2020-03-23"], numeraire="EUR")
    assert t.iloc[0] > 0 and isinstance(t.attrs["date_used"], pd.DatetimeIndex)


def test_a_changed_csv_file_is_read_again(tmp_path: Path) -> None:
    path = write(tmp_path / "rates.csv", ["2020-01-02,1.10,0.0092", "2020-01-03,1.11,0.0093"])
    a = basket.load_fx(["EUR", "JPY"], source=path)
    assert float(a.loc["2020-01-03", "EUR"]) == 1.11
    write(path, ["2020-01-02,1.10,0.0092", "2020-01-03,1.21,0.0093"])   # same size
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))  # a later save
    b = basket.load_fx(["EUR", "JPY"], source=path)
    assert float(b.loc["2020-01-03", "EUR"]) == 1.21
    write(path, ["2020-01-02,1.10,0.0092", "2020-01-03,1.31,0.0093", "2020-01-06,1.0,0.01"])
    c = basket.load_fx(["EUR", "JPY"], source=path)                 # a new size
    assert list(c["EUR"]) == [1.10, 1.31, 1.0]
    replacement = write(tmp_path / "new.csv", ["2020-01-02,1.5,0.0092", "2020-01-03,1.5,0.0093"])
    os.replace(replacement, path)                                   # a new file (inode)
    d = basket.load_fx(["EUR", "JPY"], source=path)
    assert list(d["EUR"]) == [1.5, 1.5]


def test_a_new_ecb_history_is_seen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A refreshed history installed in the cache replaces the bundled one at once."""
    from basket.data import ecb

    old = basket.price("2020-03-20", numeraire="EUR")
    hist = ecb.read_history(ecb.bundled_path())
    # a history file (units per euro, the ECB's own layout) with one changed rate, newer
    per_eur = (hist["EUR"].to_numpy()[:, None] / hist.to_numpy()).round(10)
    frame = pd.DataFrame(per_eur, index=hist.index, columns=hist.columns).drop(columns="EUR")
    frame.loc["2020-03-20", "USD"] *= 1.01
    target = Path(os.environ["BASKET_CACHE_DIR"]) / "ecb" / "eurofxref-hist.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.rename_axis("Date").to_csv(target)
    new = basket.price("2020-03-20", numeraire="EUR")
    assert new != old
    target.unlink()
    assert basket.price("2020-03-20", numeraire="EUR") == old


def test_warnings_are_given_on_every_call(tmp_path: Path) -> None:
    path = write(tmp_path / "gaps.csv", ["2020-01-02,1.10,0.0092", "2020-01-03,,0.0093",
                                         "2020-01-06,1.12,0.0094"])
    for _ in range(3):
        with pytest.warns(DataGapWarning, match="dropped 1 date"):
            fx = basket.load_fx(["EUR", "JPY"], source=path)
        assert len(fx) == 2


def test_sources_without_a_version_are_not_memoised() -> None:
    class Mine:
        name = "mine"
        reads = 0

        def available(self) -> pd.DataFrame:
            return pd.DataFrame({"first": [pd.Timestamp("2020-01-01")] * 2,
                                 "last": [pd.Timestamp("2020-01-10")] * 2},
                                index=pd.Index(["USD", "EUR"], name="currency"))

        def fetch(self, codes: list[str], start: object, end: object) -> pd.DataFrame:
            Mine.reads += 1
            idx = pd.bdate_range("2020-01-01", "2020-01-10", name="date")
            return pd.DataFrame({"USD": 1.0, "EUR": 1.1 + Mine.reads}, index=idx)

    a = basket.load_fx(["USD", "EUR"], source=Mine())
    b = basket.load_fx(["USD", "EUR"], source=Mine())
    assert Mine.reads == 2 and float(b["EUR"].iloc[0]) == float(a["EUR"].iloc[0]) + 1


def test_memo_budget_drops_the_oldest() -> None:
    m = memo.Memo(budget=100)
    m.put("a", 1, 60)
    m.put("b", 2, 30)
    assert m.get("a") == 1                      # a is now the most recent
    m.put("c", 3, 30)                           # over budget: b (the oldest) goes
    assert m.get("b") is None and m.get("a") == 1 and m.get("c") == 3
    m.put("huge", 4, 101)                       # never kept
    assert m.get("huge") is None and len(m) == 2


def test_csv_version_follows_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "v.csv", ["2020-01-02,1.10,0.0092"])
    src = CsvSource(path)
    v1 = src.version()
    assert v1 == CsvSource(path).version()
    assert v1 != CsvSource(path, quote="units_per_usd").version()
    path.unlink()
    with pytest.raises(OSError):
        src.version()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert memo.source_version(src) is None     # a vanished file: not memoised


def test_shared_frames_are_views_under_copy_on_write() -> None:
    a = basket.load_fx(CODES)
    b = basket.load_fx(CODES)
    assert a is not b
    assert np.shares_memory(a.to_numpy(), b.to_numpy())   # no copy per call


def test_parsed_history_is_kept_for_the_next_process(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsed ECB history is kept in the cache and read back exactly; a corrupt copy is
    ignored (parsed again) and an unwritable cache only skips the speed-up, silently."""
    from basket.data import ecb

    path = str(ecb.bundled_path())
    reference = ecb._parse(path)
    name = ecb._parsed_key(path)
    assert name is not None
    ecb._store_parsed(name, reference)
    stored = Path(os.environ["BASKET_CACHE_DIR"]) / "parsed" / name
    assert stored.is_file()
    pd.testing.assert_frame_equal(ecb._load_parsed(name), reference, check_exact=True)
    stored.write_bytes(stored.read_bytes()[:-100])                       # truncated
    assert ecb._load_parsed(name) is None
    ecb._store_parsed(name, reference)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0xFF                                         # one flipped byte
    stored.write_bytes(bytes(data))
    assert ecb._load_parsed(name) is None
    ecb._read.cache_clear()
    pd.testing.assert_frame_equal(ecb._read(path, 0.0), reference, check_exact=True)
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("x")
    monkeypatch.setenv("BASKET_CACHE_DIR", str(blocked))
    ecb._read.cache_clear()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(ecb._read(path, 0.0), reference, check_exact=True)
    ecb._read.cache_clear()
