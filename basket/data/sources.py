"""FX sources: the protocol they share and the one option set that chooses and tunes them.

Every source returns **US dollars per one unit** of each currency. A source is any object with

* ``name`` (str),
* ``available() -> DataFrame`` indexed by currency with ``first`` and ``last`` dates (NaT when
  unknown before a download), and
* ``fetch(codes, start, end) -> DataFrame``: a raw frame, NaN where there is no quote;
* optionally ``coverage(codes) -> DataFrame``: ``available()`` for some codes only, when that
  is cheaper (a CSV file then parses only those columns).

:class:`SourceOptions` is the single option set every command and every API function that loads
rates accepts (``--source``, ``--quote``, ``--fill``, ``--fill-limit``, ``--refresh``). It is
validated once, where it is built, and an option that does not apply to the chosen source is an
error rather than silently ignored.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, Union, runtime_checkable

import pandas as pd

from basket.data.csvfile import QUOTES
from basket.errors import DataError

__all__ = [
    "COVERAGE_TOLERANCE_DAYS",
    "FILLS",
    "MAX_FILL_LIMIT",
    "QUOTES",
    "SOURCES",
    "FXSource",
    "SourceLike",
    "SourceOptions",
    "check_coverage",
    "get_source",
]

SOURCES = ("ecb", "yahoo")
"""Named sources; any other string (or a path) is read as the path of a CSV file."""

FILLS = ("none", "ffill")
"""Date alignment rules (``--fill``): common dates only, or carry quotes forward."""

DEFAULT_FILL_LIMIT = 5
"""Days a quote is carried forward under ``fill="ffill"`` unless told otherwise."""

MAX_FILL_LIMIT = 366
"""The longest gap, in calendar days, that ``fill="ffill"`` may bridge."""

COVERAGE_TOLERANCE_DAYS = 7
"""A request may reach this many calendar days beyond a currency's first or last quote
(weekends and holiday runs) before it counts as outside the source's coverage."""


@runtime_checkable
class FXSource(Protocol):
    """What :func:`basket.load_fx` needs from a source of FX rates."""

    name: str

    def available(self) -> pd.DataFrame: ...

    def fetch(
        self, codes: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame: ...


def _kind(source: Any) -> str:
    """``"ecb"``, ``"yahoo"``, ``"csv"`` (a file path) or ``"custom"`` (a source object)."""
    if isinstance(source, os.PathLike):
        return "csv"
    if isinstance(source, str):
        key = source.strip().lower()
        if key in SOURCES:
            return key
        path = Path(source).expanduser()
        if path.is_dir():
            raise DataError(f"FX source {source!r} is a directory; give the path of a CSV file")
        if path.suffix.lower() in (".csv", ".txt", ".gz") or path.is_file():
            return "csv"
        raise DataError(
            f"unknown FX source {source!r}; use 'ecb' (bundled), 'yahoo' (online) or the path "
            "of a CSV file"
        )
    if isinstance(source, FXSource):
        return "custom"
    raise DataError(
        f"FX source {source!r} is not a name, a file path or a source object; use 'ecb', "
        "'yahoo' or the path of a CSV file"
    )


@dataclass(frozen=True)
class SourceOptions:
    """Where FX rates come from and how their dates are aligned (validated on construction).

    Parameters
    ----------
    source : str, path-like or FXSource, default "ecb"
        ``"ecb"`` (bundled ECB reference rates, offline), ``"yahoo"`` (online, cached), the path
        of a CSV file (a :class:`str` or :class:`pathlib.Path`), or an object implementing
        :class:`FXSource`.
    quote : {"usd_per_unit", "units_per_usd", "units_per_eur"}, optional
        CSV files only: the convention of the file's numbers (default ``usd_per_unit``).
    fill : {"none", "ffill"}, default "none"
        ``none`` keeps the dates on which every currency has a quote; ``ffill`` carries each
        quote forward for at most ``fill_limit`` calendar days first.
    fill_limit : int, optional
        With ``fill="ffill"`` only: the oldest quote carried forward, in calendar days (default
        5, at most 366).
    refresh : bool, default False
        ``ecb``: download the ECB's latest history into the cache first. ``yahoo``: download
        again instead of reading the cache. Not for CSV files.

    Raises
    ------
    DataError
        An unknown source, quote or fill rule, a fill limit that is not a whole number of days,
        or an option that does not apply to the source (``quote`` without a CSV file,
        ``refresh`` with one, ``fill_limit`` without ``fill="ffill"``).

    Examples
    --------
    >>> SourceOptions("rates.csv", quote="units_per_usd").kind
    'csv'
    >>> SourceOptions("ecb", quote="units_per_usd")
    Traceback (most recent call last):
    ...
    basket.errors.DataError: quote 'units_per_usd' applies to CSV files, not source 'ecb'; drop it
    """

    source: str | os.PathLike[str] | FXSource = "ecb"
    quote: str | None = None
    fill: str = "none"
    fill_limit: int | None = None
    refresh: bool = False

    def __post_init__(self) -> None:
        kind = _kind(self.source)
        if self.quote is not None:
            if self.quote not in QUOTES:
                choices = ", ".join(repr(q) for q in QUOTES)
                raise DataError(
                    f"unknown quote {self.quote!r} for {self.name!r}; use one of {choices}"
                )
            if kind != "csv":
                raise DataError(
                    f"quote {self.quote!r} applies to CSV files, not source {self.name!r}; drop it"
                )
        if self.fill not in FILLS:
            raise DataError(f"unknown fill rule {self.fill!r}; use 'none' or 'ffill'")
        if self.fill_limit is not None:
            limit = self.fill_limit
            if isinstance(limit, bool) or not isinstance(limit, int):
                raise DataError(
                    f"fill_limit {limit!r} is not a whole number of days; give e.g. 5"
                )
            if not 0 <= limit <= MAX_FILL_LIMIT:
                raise DataError(
                    f"fill_limit {limit} days is outside 0 to {MAX_FILL_LIMIT}; give e.g. 5"
                )
            if self.fill != "ffill":
                raise DataError(
                    "fill_limit applies with fill='ffill' (--fill ffill); add it or drop the limit"
                )
        if not isinstance(self.refresh, bool):
            raise DataError(f"refresh {self.refresh!r} must be True or False")
        if self.refresh and kind not in ("ecb", "yahoo"):
            raise DataError(
                f"refresh applies to the 'ecb' and 'yahoo' sources, not {self.name!r}; drop it"
            )

    @classmethod
    def of(cls, source: SourceLike) -> SourceOptions:
        """Return ``source`` itself if it is already a :class:`SourceOptions`, else wrap it."""
        if isinstance(source, SourceOptions):
            return source
        if isinstance(source, str) and source in _NAMED:   # frozen: one shared instance
            return _NAMED[source]
        return cls(source)

    @property
    def kind(self) -> str:
        """``"ecb"``, ``"yahoo"``, ``"csv"`` or ``"custom"``."""
        return _kind(self.source)

    @property
    def name(self) -> str:
        """The source's name for results and messages: ``ecb``, ``yahoo`` or the file's path."""
        if isinstance(self.source, (str, os.PathLike)):
            text = os.fspath(self.source)
            return text.strip().lower() if text.strip().lower() in SOURCES else text
        return str(getattr(self.source, "name", "custom"))

    @property
    def path(self) -> Path | None:
        """The CSV file read, if any (an input that no output may overwrite)."""
        if self.kind != "csv":
            return None
        return Path(os.fspath(self.source)).expanduser()  # type: ignore[arg-type]

    @property
    def limit(self) -> int:
        """The fill limit in force (:data:`DEFAULT_FILL_LIMIT` when none was given)."""
        return DEFAULT_FILL_LIMIT if self.fill_limit is None else self.fill_limit

    def opened(self) -> SourceOptions:
        """These options with the source opened once (a ``refresh`` download happens now).

        A face that reads the source several times (each period of an amounts basket, each
        stress episode) opens it once with this and passes the result on.
        """
        if self.kind == "custom":
            return self
        return SourceOptions(self.open(), fill=self.fill, fill_limit=self.fill_limit)

    def open(self) -> FXSource:
        """Return the source object (a download happens here for ``refresh``)."""
        kind = self.kind
        if kind == "custom":
            return self.source  # type: ignore[return-value]
        if kind == "ecb":
            from basket.data.ecb import EcbSource

            return EcbSource(refresh=self.refresh)
        if kind == "yahoo":
            from basket.data.yahoo import YahooSource

            return YahooSource(refresh=self.refresh)
        from basket.data.csvfile import CsvSource

        assert self.path is not None
        return CsvSource(self.path, quote=self.quote or "usd_per_unit")


_NAMED: dict[str, SourceOptions] = {name: SourceOptions(name) for name in SOURCES}
"""The options of each named source with no other option, built once."""

SourceLike = Union[str, "os.PathLike[str]", FXSource, SourceOptions]
"""What every ``source=`` parameter accepts: a name, a CSV path, a source object or options."""


def get_source(source: SourceLike = "ecb", **options: Any) -> FXSource:
    """Return the source object for a name (``"ecb"``, ``"yahoo"``), a CSV path or options.

    Parameters
    ----------
    source : str, path-like, FXSource or SourceOptions
        See :class:`SourceOptions`. A source object is returned as is.
    **options
        ``quote``, ``refresh`` (see :class:`SourceOptions`).

    Raises
    ------
    DataError
        An unknown source, or an option that does not apply to it.
    """
    if isinstance(source, SourceOptions):
        if options:
            raise DataError("give the source's options in SourceOptions or as arguments, not both")
        return source.open()
    return SourceOptions(source, **options).open()


def check_coverage(
    src: FXSource,
    codes: Sequence[str],
    start: pd.Timestamp | None,
    end: pd.Timestamp | None,
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Raise when a request leaves a currency's coverage; default the range to the common one.

    Parameters
    ----------
    src : FXSource
        The source (its ``available()`` table is read once).
    codes : sequence of str
        The currencies asked for.
    start, end : pandas.Timestamp or None
        The range asked for.

    Returns
    -------
    (start, end)
        The range, with a missing side replaced by the span every known code covers.

    Raises
    ------
    DataError
        A start or end beyond a currency's quotes (by more than
        :data:`COVERAGE_TOLERANCE_DAYS`), naming the currency and its span.
    """
    # a source may answer for some codes only (a CSV file parses just their columns)
    coverage = getattr(src, "coverage", None)
    cov = coverage(codes) if callable(coverage) else src.available()
    tol = pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)
    known = [c for c in codes if c in cov.index and pd.notna(cov.at[c, "first"])]
    for c in known:
        first, last = cov.at[c, "first"], cov.at[c, "last"]
        span = f"{first.date()} to {last.date()}"
        if start is not None and start < first - tol:
            raise DataError(
                f"{c} has quotes from {span} in source {src.name!r}; "
                f"start {start.date()} is before that, pick a later --start"
            )
        if end is not None and end > last + tol:
            raise DataError(
                f"{c} has quotes from {span} in source {src.name!r}; "
                f"end {end.date()} is after that, pick an earlier --end"
            )
        if start is not None and start > last:
            raise DataError(f"{c} has quotes from {span} in source {src.name!r}; start is after it")
        if end is not None and end < first:
            raise DataError(f"{c} has quotes from {span} in source {src.name!r}; end is before it")
    if known:
        if start is None:
            start = max(cov.at[c, "first"] for c in known)
        if end is None:
            end = min(cov.at[c, "last"] for c in known)
    return start, end
