"""FX rates from a CSV file of the user's: the offline source for any data set (IO).

Conventions
-----------
Whatever the file holds, :class:`CsvSource` returns **US dollars per one unit** of each
currency, like every other source. The file's own convention is stated, never guessed, with
``quote``:

* ``"usd_per_unit"`` (default): the numbers are USD per unit and are used as they are; a
  ``USD`` column, if present, must be 1.
* ``"units_per_usd"``: the numbers are units of the currency per US dollar and are inverted
  (``USD per c = 1 / x``); a ``USD`` column, if present, must be 1.
* ``"units_per_eur"`` (the ECB's style): the numbers are units per euro and the file must have
  a ``USD`` column, which then holds USD per EUR. ``USD per c = USD / c``, ``EUR = USD`` and
  ``USD = 1``; an ``EUR`` column, if present, must be 1.

Under ``usd_per_unit`` and ``units_per_usd`` a file without a ``USD`` column gets one, 1.0 on
every date that has a quote.

Layouts
-------
The layout is read from the header (line 1). *Wide*: a ``date`` column (``date``, ``Date`` or
``DATE``) and one column per ISO code; an empty cell (or ``N/A``, as in the ECB's files) means
"no quote on that date"::

    date,EUR,JPY,GBP
    2019-06-18,1.1189,0.0092178,1.2546
    2019-06-19,1.1216,,1.2590

*Long*: exactly the columns ``date``, ``currency`` and ``rate``, in any case and any order, one
quote per row, rows in any order::

    date,currency,rate
    2019-06-18,EUR,1.1189
    2019-06-18,JPY,0.0092178
    2019-06-19,EUR,1.1216

Dates are ISO ``YYYY-MM-DD``; rates are plain decimal numbers (``1.1189``, ``9.2178e-03``),
strictly positive and finite. Lower-case codes are accepted and upper-cased. Blank lines are
skipped, a ``.gz`` file is decompressed, and the text must be UTF-8 (a byte-order mark is
ignored). Anything else raises :class:`~basket.errors.DataError` with a one-line message naming
the file, the line (1-based, the header is line 1) and the fix.

The file is parsed once per :class:`CsvSource`, on first use. Alignment of the dates and the
panel checks are left to :func:`basket.load_fx`.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from basket._typing import Quote
from basket.currencies import suggest
from basket.dates import parse_iso_date
from basket.errors import DataError

__all__ = ["QUOTES", "CsvSource", "read_rates"]

QUOTES: tuple[Quote, ...] = ("usd_per_unit", "units_per_usd", "units_per_eur")
"""The quote conventions a CSV file may be written in (see the module docstring)."""

MISSING = frozenset({"", "N/A"})
"""Cell texts read as "no quote" (after stripping blanks)."""

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_CODE = re.compile(r"[A-Za-z]{3}")
_LONG_COLUMNS = ("date", "currency", "rate")


class _Reader:
    """Collect a CSV file's quotes as (date, column, value, line) and build the raw frame."""

    def __init__(self, name: str, quote: Quote) -> None:
        self.name = name
        self.quote = quote
        self.codes: list[str] = []
        self._col: dict[str, int] = {}
        self._dates: set[str] = set()
        self.date_keys: list[str] = []
        self.cols: list[int] = []
        self.values: list[float] = []
        self.lines: list[int] = []
        self.rows = 0
        self.header_codes: list[str] = []   # every currency the file names
        self.other_values = False           # a currency not read has a quote somewhere

    def fail(self, line: int, message: str) -> DataError:
        return DataError(f"{self.name} line {line}: {message}")

    def column(self, code: str) -> int:
        """Return the position of ``code``, registering it on first sight."""
        pos = self._col.get(code)
        if pos is None:
            pos = self._col[code] = len(self.codes)
            self.codes.append(code)
        return pos

    def code(self, text: str, line: int, where: str) -> str:
        if not _CODE.fullmatch(text):
            raise self.fail(
                line,
                f"{where} {text!r} is not a three-letter ISO currency code; "
                "use codes such as 'EUR' or 'JPY'",
            )
        return text.upper()

    def date(self, text: str, line: int) -> str:
        if text in self._dates:
            return text
        try:
            parse_iso_date(text)
        except DataError:
            raise self.fail(
                line,
                f"date {text!r} is not an ISO date; write dates as YYYY-MM-DD, e.g. 2019-06-18",
            ) from None
        self._dates.add(text)
        return text

    def add(self, date: str, code: str, text: str, line: int) -> None:
        """Parse the rate ``text`` for ``code`` on ``date`` and record it (empty: no quote)."""
        if text in MISSING:
            return
        if not _NUMBER.fullmatch(text):
            raise self.fail(
                line,
                f"rate {text!r} for {code} is not a number; write a plain decimal such as "
                "1.1189, or leave the cell empty for no quote",
            )
        value = float(text)
        if not value > 0 or not np.isfinite(value):
            raise self.fail(
                line,
                f"rate {text} for {code} is not a positive finite number; FX rates must be "
                "> 0, leave the cell empty for no quote",
            )
        self._check_unit(code, value, text, line)
        self.date_keys.append(date)
        self.cols.append(self.column(code))
        self.values.append(value)
        self.lines.append(line)

    def _check_unit(self, code: str, value: float, text: str, line: int) -> None:
        if code == "USD" and self.quote != "units_per_eur" and value != 1.0:
            raise self.fail(
                line,
                f"USD rate is {text} but USD per USD is 1 under quote={self.quote!r}; "
                "if the file holds units per euro (ECB style) pass quote='units_per_eur'",
            )
        if code == "EUR" and self.quote == "units_per_eur" and value != 1.0:
            raise self.fail(
                line,
                f"EUR rate is {text} but EUR per EUR is 1 under quote='units_per_eur'; "
                "the USD column gives USD per EUR, drop the EUR column or fix the quote",
            )

    def _no_usd(self, header_line: int) -> None:
        raise self.fail(
            header_line,
            "quote='units_per_eur' needs USD rates (USD per EUR) and the file has none; add a "
            "USD column/rows or fix the quote",
        )

    def frame(self, header_line: int, filtered: bool = False) -> pd.DataFrame:
        """Return the quotes converted to USD per unit (see the module docstring).

        ``filtered``: only some currencies were read; none of them having a quote then gives an
        empty frame (the caller names what is missing) rather than an error about the file.
        """
        if self.quote == "units_per_eur" and self.rows and self._col.get("USD") not in set(
                self.cols):
            self._no_usd(header_line)
        if not self.values and filtered and self.rows and self.other_values:
            # the currencies asked have no quote, others do: the caller names what is missing
            return pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype=np.float64)
        if not self.values:
            what = "header only, no rows of rates" if not self.rows else "no rate in any row"
            raise self.fail(
                header_line, f"{what}; add one row per date (see basket.data.csvfile for layouts)"
            )
        keys, rows = np.unique(np.asarray(self.date_keys), return_inverse=True)
        cols = np.asarray(self.cols)
        values = np.full((len(keys), len(self.codes)), np.nan)
        values[rows, cols] = self.values
        lines = np.zeros(values.shape, dtype=np.int64)
        lines[rows, cols] = self.lines
        codes = list(self.codes)
        # a conversion out of float range gives inf or 0.0, refused below with its line
        quiet = np.errstate(over="ignore", under="ignore", divide="ignore")
        if self.quote == "units_per_usd":
            with quiet:
                values = 1.0 / values
        elif self.quote == "units_per_eur":
            if "USD" not in self._col or np.isnan(values[:, codes.index("USD")]).all():
                self._no_usd(header_line)
            usd = values[:, codes.index("USD")].copy()
            with quiet:
                values = usd[:, None] / values
            values[:, codes.index("USD")] = np.where(np.isnan(usd), np.nan, 1.0)
            if "EUR" not in self._col:
                codes.append("EUR")
                values = np.column_stack([values, usd])
                lines = np.column_stack([lines, lines[:, codes.index("USD")]])
            else:
                values[:, codes.index("EUR")] = usd
        if "USD" not in codes:
            codes.insert(0, "USD")
            values = np.column_stack([np.ones(len(keys)), values])
            lines = np.column_stack([np.zeros(len(keys), dtype=np.int64), lines])
        bad = ~np.isnan(values) & ~(np.isfinite(values) & (values > 0))
        if bad.any():
            r, k = np.argwhere(bad)[0]
            raise self.fail(
                int(lines[r, k]),
                f"{codes[k]} converts to {float(values[r, k])!r} USD per unit under "
                f"quote={self.quote!r}; check the rate and the quote convention",
            )
        index = pd.DatetimeIndex(pd.to_datetime(keys, format="%Y-%m-%d"), name="date")
        out = pd.DataFrame(values, index=index, columns=pd.Index(codes))
        return out.loc[out.notna().any(axis=1)]


def _records(text: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, cells)`` for each non-blank record, line 1-based.

    Cells are as in the file: readers strip the ones they use (a wide file of 150 currencies
    read for one of them strips one cell a row, not 150).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in row):
                yield start, row
    except csv.Error as exc:
        raise DataError(
            f"{name} line {reader.line_num}: not valid CSV ({exc}); check quotes and delimiters"
        ) from exc


def _fit(cells: list[str], width: int, line: int, name: str,
         empty: str = " (empty for no quote)") -> list[str]:
    """Check a record has the header's width (trailing empty cells are tolerated)."""
    if len(cells) < width or any(c.strip() for c in cells[width:]):
        raise DataError(
            f"{name} line {line}: {len(cells)} fields but the header has {width}; "
            f"give every row one cell per header column{empty}"
        )
    return cells[:width]


def _read_wide(
    header: list[str], header_line: int, records: Iterator[tuple[int, list[str]]], rd: _Reader,
    wanted: set[str] | None = None,
) -> None:
    """Read a wide file; with ``wanted``, only those currencies' cells are parsed."""
    name = rd.name
    dates = [i for i, h in enumerate(header) if h.lower() == "date"]
    if len(dates) != 1:
        problem = "no 'date' column" if not dates else "two 'date' columns"
        raise DataError(
            f"{name} line {header_line}: {problem} in the header {','.join(header)!r}; a wide "
            "file starts 'date,EUR,JPY,...' (comma-separated), a long one 'date,currency,rate'"
        )
    date_pos = dates[0]
    columns: list[tuple[int, str]] = []
    skipped: list[int] = []
    for pos, text in enumerate(header):
        if pos == date_pos or not text:
            continue
        code = rd.code(text, header_line, "header column")
        if any(c == code for _, c in columns) or code in rd.header_codes:
            raise rd.fail(header_line, f"currency {code} has two columns; keep one")
        rd.header_codes.append(code)
        if wanted is not None and code not in wanted:
            skipped.append(pos)
            continue
        columns.append((pos, code))
        rd.column(code)
    unnamed = [pos for pos, text in enumerate(header) if not text]
    seen: dict[str, int] = {}
    for line, cells in records:
        cells = _fit(cells, len(header), line, name)
        rd.rows += 1
        date = rd.date(cells[date_pos].strip(), line)
        if date in seen:
            raise rd.fail(
                line, f"date {date} already has a row on line {seen[date]}; keep one row per date"
            )
        seen[date] = line
        for pos in unnamed:
            if cells[pos].strip():
                raise rd.fail(
                    line,
                    f"value {cells[pos].strip()!r} in column {pos + 1}, which has no header; "
                    "name the column with its currency code",
                )
        for pos, code in columns:
            rd.add(date, code, cells[pos].strip(), line)
        if not rd.other_values and skipped:
            rd.other_values = any(cells[pos].strip() not in MISSING for pos in skipped)


def _read_long(
    header: list[str], header_line: int, records: Iterator[tuple[int, list[str]]], rd: _Reader,
    wanted: set[str] | None = None,
) -> None:
    """Read a long file; with ``wanted``, only those currencies' rows are parsed."""
    lower = [h.lower() for h in header]
    if sorted(lower) != sorted(_LONG_COLUMNS):
        extra = [h for h, low in zip(header, lower, strict=True) if low not in _LONG_COLUMNS]
        missing = [c for c in _LONG_COLUMNS if c not in lower]
        fix = []
        if extra:
            fix.append(f"remove {', '.join(repr(e) for e in extra)}")
        if missing:
            fix.append(f"add {', '.join(repr(m) for m in missing)}")
        if not fix:
            fix.append("name each column once")
        raise rd.fail(
            header_line,
            f"a long file needs exactly the columns date, currency, rate (any case, any order), "
            f"got {','.join(header)!r}; {' and '.join(fix)}",
        )
    i_date, i_code, i_rate = (lower.index(c) for c in _LONG_COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    for line, raw in records:
        cells = [c.strip() for c in _fit(raw, len(header), line, rd.name)]
        rd.rows += 1
        code = rd.code(cells[i_code], line, "currency")
        if code not in rd.header_codes:
            rd.header_codes.append(code)
        if wanted is not None and code not in wanted:
            rd.other_values = rd.other_values or cells[i_rate] not in MISSING
            continue
        date = rd.date(cells[i_date], line)
        rd.column(code)
        if cells[i_rate] in MISSING:
            continue
        first = seen.setdefault((date, code), line)
        if first != line:
            raise rd.fail(
                line,
                f"{code} on {date} already has a rate on line {first}; "
                "keep one row per date and currency",
            )
        rd.add(date, code, cells[i_rate], line)


def _read_text(path: Path) -> str:
    """Return the file's text (``.gz`` decompressed, UTF-8, a byte-order mark dropped)."""
    if path.suffix.lower() == ".gz":
        with gzip.open(path, "rb") as fh:
            payload = fh.read()
    else:
        payload = path.read_bytes()
    try:
        return payload.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = payload[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path.name} line {line}: not UTF-8 text ({exc.reason}); save the file as UTF-8"
        ) from exc


def read_rates(path: str | os.PathLike[str], quote: Quote = "usd_per_unit",
               codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a CSV file of FX rates and return every currency in USD per unit.

    Parameters
    ----------
    path : str or path-like
        A wide or long CSV file (``.gz`` allowed); see the module docstring for the layouts.
    quote : {"usd_per_unit", "units_per_usd", "units_per_eur"}, default "usd_per_unit"
        The convention of the file's numbers.
    codes : sequence of str, optional
        Read only these currencies (and the USD column that ``units_per_eur`` converts with);
        the other columns are not parsed. Default: every currency.

    Returns
    -------
    pandas.DataFrame
        Float64 USD per unit, one column per currency in the file's order (``USD`` first when
        it is added, ``EUR`` last when ``units_per_eur`` adds it), NaN where the file has no
        quote; a sorted, unique DatetimeIndex named ``date`` holding the dates with at least
        one quote.

    Raises
    ------
    DataError
        If the file is missing, unreadable or malformed, or ``quote`` is unknown; the message
        names the file, the line and the fix.
    """
    p = Path(path)
    _check_quote(quote, p.name)
    rd = _Reader(p.name, quote)
    try:
        text = _read_text(p)
    except FileNotFoundError as exc:
        raise DataError(f"CSV file {str(p)!r} does not exist; check the path") from exc
    except (OSError, EOFError) as exc:
        raise DataError(f"cannot read the CSV file {str(p)!r} ({exc}); check the path") from exc
    records = _records(text, p.name)
    first = next(records, None)
    if first is None:
        raise rd.fail(
            1,
            "the file is empty; write a header such as 'date,EUR,JPY' (wide) or "
            "'date,currency,rate' (long), then one row per date",
        )
    header_line, raw_header = first
    header = [h.strip() for h in raw_header]
    wanted = None if codes is None else {*codes, "USD"}
    if {"currency", "rate"} & {h.lower() for h in header}:
        _read_long(header, header_line, records, rd, wanted)
    else:
        _read_wide(header, header_line, records, rd, wanted)
    out = rd.frame(header_line, filtered=codes is not None)
    out.attrs = {"file_codes": list(rd.header_codes)}
    return out


def _check_quote(quote: str, name: str) -> None:
    if quote not in QUOTES:
        raise DataError(
            f"unknown quote convention {quote!r} for CSV file {name!r}; use one of "
            f"{', '.join(repr(q) for q in QUOTES)}"
        )


class CsvSource:
    """FX rates read from a CSV file, in the wide or long layout and any of three conventions.

    Parameters
    ----------
    path : str or path-like
        The CSV file (``.gz`` allowed). It is read once, on first use.
    quote : {"usd_per_unit", "units_per_usd", "units_per_eur"}, default "usd_per_unit"
        The convention of the file's numbers (see :mod:`basket.data.csvfile`).

    Attributes
    ----------
    name : str
        The file name, used in messages (e.g. ``"rates.csv"``).
    path : pathlib.Path
        The file.
    quote : str
        The quote convention.

    Raises
    ------
    DataError
        If ``quote`` is not one of :data:`QUOTES`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "rates.csv"
    ...     _ = path.write_text("date,USD,JPY\\n2019-06-18,1.12,121.0\\n")
    ...     raw = CsvSource(path, quote="units_per_eur").fetch(["USD", "EUR", "JPY"], None, None)
    >>> raw.round(6)  # doctest: +NORMALIZE_WHITESPACE
                USD   EUR       JPY
    date
    2019-06-18  1.0  1.12  0.009256
    """

    def __init__(self, path: str | os.PathLike[str], quote: Quote = "usd_per_unit") -> None:
        self.path = Path(path)
        self.name: str = self.path.name
        _check_quote(quote, self.name)
        self.quote: Quote = quote
        self._history: pd.DataFrame | None = None
        self._parts: dict[frozenset[str], pd.DataFrame] = {}

    def __repr__(self) -> str:
        return f"CsvSource({str(self.path)!r}, quote={self.quote!r})"

    def version(self) -> tuple[object, ...]:
        """The identity of the file's current version and of how it is read (path, size,
        inode, times, quote): aligned panels are memoised under it (:mod:`basket.data.memo`).

        Raises
        ------
        OSError
            If the file cannot be stat'ed (then nothing is memoised).
        """
        from basket.data.memo import file_version

        return ("csv", self.quote, *file_version(os.path.abspath(self.path)))

    def _frame(self) -> pd.DataFrame:
        if self._history is None:
            self._history = read_rates(self.path, self.quote)
        return self._history

    def _columns(self, codes: Sequence[str]) -> pd.DataFrame:
        """The file's quotes of ``codes`` only (the rest of the file is not parsed)."""
        if self._history is not None:
            return self._history
        key = frozenset(codes)
        if key not in self._parts:
            self._parts[key] = read_rates(self.path, self.quote, codes)
        return self._parts[key]

    def _known(self, frame: pd.DataFrame) -> list[str]:
        """Every currency the file gives, in the order :func:`read_rates` returns them."""
        last = ["EUR"] if self.quote == "units_per_eur" else []
        return list(dict.fromkeys(["USD", *frame.attrs.get("file_codes", frame.columns), *last]))

    def history(self) -> pd.DataFrame:
        """Return a copy of the whole file in USD per unit (see :func:`read_rates`)."""
        return self._frame().copy()

    def coverage(self, codes: Sequence[str]) -> pd.DataFrame:
        """Like :meth:`available`, for ``codes`` only (parses only their columns)."""
        return self._coverage_of(self._columns(codes))

    def available(self) -> pd.DataFrame:
        """Return each currency's first and last quoted date and its number of quotes.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``currency`` (sorted), columns ``first`` and ``last`` (Timestamps, NaT
            for a column without a quote) and ``quotes`` (int). ``USD``, and ``EUR`` under
            ``units_per_eur``, are listed when the conversion supplies them.

        Raises
        ------
        DataError
            If the file is missing or malformed.
        """
        return self._coverage_of(self._frame())

    @staticmethod
    def _coverage_of(hist: pd.DataFrame) -> pd.DataFrame:
        valid = hist.notna()
        rows = {
            c: (hist.index[valid[c]].min(), hist.index[valid[c]].max(), int(valid[c].sum()))
            for c in hist.columns
        }
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["first", "last", "quotes"])
        out.index.name = "currency"
        return out.sort_index()

    def fetch(
        self, codes: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        """Return the raw USD-per-unit frame for ``codes`` between ``start`` and ``end``.

        Parameters
        ----------
        codes : sequence of str
            Upper-case ISO codes; the columns follow this order.
        start, end : pandas.Timestamp or None
            Inclusive range; ``None`` leaves that side open.

        Returns
        -------
        pandas.DataFrame
            Float64 USD per unit, a sorted tz-naive DatetimeIndex named ``date``, NaN where the
            file has no quote for a currency on a date another currency has.

        Raises
        ------
        DataError
            If a code is not in the file (naming the codes it has), or the file is malformed.
        """
        hist = self._columns(codes)
        known = self._known(hist)
        for c in codes:
            if c not in known:
                raise DataError(
                    f"unknown currency {c!r} for CSV file {self.name!r}{suggest(c, known)}; "
                    f"the file has {', '.join(known)}"
                )
        return hist.reindex(columns=list(codes)).loc[start:end].copy()
