"""The reserve's input files: interest rates and coin flows as CSV (input at the edge).

*Rates* (``--rates-file``): annual rates as decimals (``-0.005``) or percent (``-0.5%``), in the
same layouts as FX files: *wide* ``date,USD,EUR,JPY,...`` (an empty cell: no new rate that day)
or *long* ``date,currency,rate``. A rate applies from its date until the next one. Every
currency of the basket needs a rate on or before the first simulated date; none is assumed.

*Flows* (``--scenario flows:FILE.csv``): coins per date, either net ``date,coins`` (positive
minted, negative burned) or gross ``date,mint,burn`` (both >= 0). A flow dated on a day without
an FX quote is applied on the next quoted date; a date outside the simulated range is an error.

Dates are ISO ``YYYY-MM-DD``. Errors name the file, the line (the header is line 1) and the fix.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from basket.currencies import normalize_code
from basket.data.csvfile import _fit
from basket.dates import parse_iso_date
from basket.errors import DataError
from basket.treasury.flows import FlowSchedule, ScenarioLike, parse_scenario

__all__ = ["load_flows", "load_rates", "load_scenario"]

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?", re.ASCII)


def _records(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Non-blank CSV records of a file as (line, stripped cells), and the file's name."""
    name = path.name
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"file {str(path)!r} does not exist; check the path") from None
    except OSError as exc:
        raise DataError(f"cannot read {str(path)!r} ({exc}); check the path") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{name}: not UTF-8 text ({exc.reason}); save the file as UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out = []
    end = 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            cells = [c.strip() for c in row]
            if any(cells):
                out.append((start, cells))
    except csv.Error as exc:
        raise DataError(f"{name} line {reader.line_num}: not valid CSV ({exc})") from None
    if not out:
        raise DataError(f"{name} line 1: the file is empty; write a header and one row per date")
    return out, name


def _date(text: str, name: str, line: int) -> pd.Timestamp:
    try:
        return pd.Timestamp(parse_iso_date(text))
    except DataError:
        raise DataError(
            f"{name} line {line}: date {text!r} is not an ISO date; write YYYY-MM-DD, "
            "e.g. 2019-09-02"
        ) from None


def _number(text: str, name: str, line: int, what: str, *, percent: bool = False) -> float:
    if not _NUMBER.fullmatch(text) or (text.endswith("%") and not percent):
        hint = " or percent such as -0.5%" if percent else ""
        raise DataError(
            f"{name} line {line}: {what} {text!r} is not a number; write a decimal such as "
            f"-0.005{hint}"
        )
    return round(float(text[:-1]) / 100.0, 15) if text.endswith("%") else float(text)


def load_rates(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV file of annual interest rates per currency (see the module docstring).

    Parameters
    ----------
    path : str or path-like
        Wide ``date,USD,EUR,...`` or long ``date,currency,rate``; decimals or percent.

    Returns
    -------
    pandas.DataFrame
        Rates as decimals, a sorted unique DatetimeIndex named ``date``, one column per
        currency in the file's order, NaN where a date has no new rate.

    Raises
    ------
    DataError
        A missing file, a bad date or number, a duplicate date, a malformed header; the
        message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rates.csv"
    >>> _ = p.write_text("date,EUR,JPY\\n2019-09-02,-0.4%,-0.001\\n2019-09-18,-0.5%,\\n")
    >>> load_rates(p)  # doctest: +NORMALIZE_WHITESPACE
                  EUR    JPY
    date
    2019-09-02 -0.004 -0.001
    2019-09-18 -0.005    NaN
    """
    records, name = _records(Path(path))
    (header_line, header), rows = records[0], records[1:]
    lower = [h.lower() for h in header]
    data: dict[pd.Timestamp, dict[str, float]] = {}
    seen: dict[tuple[pd.Timestamp, str], int] = {}
    codes: list[str] = []
    if sorted(lower) == ["currency", "date", "rate"]:
        i_d, i_c, i_r = (lower.index(k) for k in ("date", "currency", "rate"))
        for line, cells in rows:
            cells = _fit(cells, len(header), line, name, empty="")
            day = _date(cells[i_d], name, line)
            code = _code(cells[i_c], name, line)
            if code not in codes:
                codes.append(code)
            if not cells[i_r]:
                continue
            if (day, code) in seen:
                raise DataError(
                    f"{name} line {line}: {code} on {day.date()} already has a rate on line "
                    f"{seen[day, code]}; keep one"
                )
            seen[day, code] = line
            data.setdefault(day, {})[code] = _number(cells[i_r], name, line, f"{code} rate",
                                                     percent=True)
    else:
        if lower.count("date") != 1:
            raise DataError(
                f"{name} line {header_line}: the header needs one 'date' column, e.g. "
                "'date,USD,EUR,JPY' (wide) or 'date,currency,rate' (long)"
            )
        i_d = lower.index("date")
        cols = [(i, _code(h, name, header_line)) for i, h in enumerate(header) if i != i_d]
        codes = [c for _, c in cols]
        if len(set(codes)) != len(codes):
            raise DataError(f"{name} line {header_line}: a currency has two columns; keep one")
        lines: dict[pd.Timestamp, int] = {}
        for line, cells in rows:
            cells = _fit(cells, len(header), line, name, empty="")
            day = _date(cells[i_d], name, line)
            if day in lines:
                raise DataError(
                    f"{name} line {line}: date {day.date()} already has a row on line "
                    f"{lines[day]}; keep one row per date"
                )
            lines[day] = line
            row = data.setdefault(day, {})
            for i, code in cols:
                if cells[i]:
                    row[code] = _number(cells[i], name, line, f"{code} rate", percent=True)
    if not data:
        raise DataError(f"{name} line {header_line}: no rates after the header; add rows")
    frame = pd.DataFrame.from_dict(data, orient="index").reindex(columns=codes).sort_index()
    frame.index = pd.DatetimeIndex(frame.index, name="date")
    return frame.astype(np.float64)


def _code(text: str, name: str, line: int) -> str:
    try:
        return normalize_code(text)
    except DataError as exc:
        raise DataError(f"{name} line {line}: {exc}") from None


def load_flows(path: str | os.PathLike[str]) -> FlowSchedule:
    """Read a CSV file of daily coin flows: ``date,coins`` (net) or ``date,mint,burn``.

    Raises
    ------
    DataError
        A missing file, a bad date or number, a duplicate date, a negative mint or burn, or
        another header; the message names the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "flows.csv"
    >>> _ = p.write_text("date,coins\\n2020-03-09,-1e8\\n2020-03-10,5e7\\n")
    >>> s = load_flows(p)
    >>> s.label, s.burn.tolist(), s.mint.tolist()
    ('flows:flows.csv', [100000000.0, 0.0], [0.0, 50000000.0])
    """
    p = Path(path)
    records, name = _records(p)
    (header_line, header), rows = records[0], records[1:]
    lower = [h.lower() for h in header]
    if sorted(lower) == ["coins", "date"]:
        kinds = ["coins"]
    elif sorted(lower) == ["burn", "date", "mint"]:
        kinds = ["mint", "burn"]
    else:
        raise DataError(
            f"{name} line {header_line}: header {','.join(header)!r} is not 'date,coins' (net "
            "coins, + minted, - burned) or 'date,mint,burn'"
        )
    pos = {k: lower.index(k) for k in ["date", *kinds]}
    days: list[pd.Timestamp] = []
    mint: list[float] = []
    burn: list[float] = []
    lines: dict[pd.Timestamp, int] = {}
    for line, cells in rows:
        cells = _fit(cells, len(header), line, name, empty="")
        day = _date(cells[pos["date"]], name, line)
        if day in lines:
            raise DataError(
                f"{name} line {line}: date {day.date()} already has a row on line {lines[day]}; "
                "keep one row per date"
            )
        lines[day] = line
        values = {k: _number(cells[pos[k]] or "0", name, line, k) for k in kinds}
        for k, v in values.items():
            if not math.isfinite(v) or (k != "coins" and v < 0):
                raise DataError(f"{name} line {line}: {k} {cells[pos[k]]!r} must be a finite "
                                f"number{'' if k == 'coins' else ' >= 0'}")
        days.append(day)
        if kinds == ["coins"]:
            mint.append(max(values["coins"], 0.0))
            burn.append(max(-values["coins"], 0.0))
        else:
            mint.append(values["mint"])
            burn.append(values["burn"])
    if not days:
        raise DataError(f"{name} line {header_line}: no flows after the header; add rows")
    idx = pd.DatetimeIndex(days, name="date")
    order = np.argsort(idx.to_numpy(), kind="stable")
    return FlowSchedule(
        pd.Series(np.asarray(mint)[order], index=idx[order]),
        pd.Series(np.asarray(burn)[order], index=idx[order]),
        f"flows:{p.name}",
    )


def load_scenario(text: str | ScenarioLike) -> ScenarioLike | None:
    """Like :func:`basket.treasury.flows.parse_scenario`, also reading ``flows:FILE.csv``.

    Examples
    --------
    >>> load_scenario("growth:10%")
    Growth(rate=0.1)
    """
    if isinstance(text, str) and text.strip().lower().startswith("flows:"):
        return load_flows(text.strip()[len("flows:"):])
    return parse_scenario(text)


