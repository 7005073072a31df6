"""The one renderer behind every command's ``--format table|json|csv``.

* ``table`` prints rich tables that **never truncate a cell**: on a terminal a table wider than
  the terminal is split into stacked tables that each repeat the row labels (``--wide`` keeps one
  long table); piped to a file or another program, a table is printed whole. Long column names
  become short labels with a legend; notes are wrapped to the terminal's width.
* ``json`` prints a result's ``to_dict()`` (or a list of records for the list commands) with
  ``NaN`` as ``null``; non-finite numbers never appear.
* ``csv`` prints a tidy frame with every field, floats in their shortest round-trip form.

Cell styles, one per column: ``pct`` (2 decimals, ``-0.00%`` cleaned to ``0.00%``), ``num``
(6 significant digits), ``price`` (8 significant digits), ``usd`` (thousands separators, no
exponent), ``count``, ``date`` (ISO), ``text`` and ``cell`` (text already formatted, aligned
right). A missing value shows as ``–``.
"""

from __future__ import annotations

import json
import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FORMATS", "Table", "cell", "emit_csv", "emit_json", "show"]

FORMATS = ("table", "json", "csv")
MISSING = "–"


@dataclass(frozen=True)
class Table:
    """A table to print: raw values plus how to show them.

    Attributes
    ----------
    frame : pandas.DataFrame
        Raw figures (fractions, not percent strings); the index gives the row labels.
    title : str
        One line above the table.
    index_label : str
        Header of the row-label column.
    styles : mapping of str to str
        Column -> cell style (default by dtype: float ``num``, integer ``count``, datetime
        ``date``, anything else ``text``).
    labels : mapping of str to str
        Column -> the header shown (default: the column name with ``_`` as spaces).
    legend : mapping of str to str
        Header -> what it means, printed under the table.
    notes : sequence of str
        Lines printed under the table (wrapped to the terminal).
    """

    frame: pd.DataFrame
    title: str = ""
    index_label: str = ""
    styles: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    legend: Mapping[str, str] = field(default_factory=dict)
    notes: Sequence[str] = ()


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def cell(value: Any, style: str) -> str:
    """Format one value in a style (see the module docstring).

    Examples
    --------
    >>> cell(-3.9e-18, "pct"), cell(0.12345, "pct"), cell(3e8, "usd"), cell(float("nan"), "pct")
    ('0.00%', '12.35%', '300,000,000', '–')
    """
    if _is_missing(value):
        return MISSING
    if style == "date":
        return str(value.date().isoformat() if hasattr(value, "date") else value)
    if style in ("text", "cell"):
        return str(value)
    x = float(value)
    if not math.isfinite(x):
        return MISSING
    if style == "pct":
        text = f"{x:.2%}"
        return "0.00%" if text == "-0.00%" else text
    if style == "usd":
        text = f"{x:,.0f}"
        return "0" if text == "-0" else text
    if style == "count":
        return f"{round(x):,d}"
    if style == "price":
        return f"{x:.8g}"
    return f"{x:.6g}"


def _default_style(series: pd.Series) -> str:
    kind = series.dtype.kind
    return {"f": "num", "i": "count", "u": "count", "M": "date"}.get(kind, "text")


def _row_label(value: Any) -> str:
    if hasattr(value, "date") and callable(value.date) and not isinstance(value, str):
        return str(value.date().isoformat())
    return str(value)


def _cells(table: Table) -> tuple[list[str], list[str], list[list[str]]]:
    """Headers, row labels and formatted cells (column-major) of a table."""
    frame = table.frame
    headers, columns = [], []
    for col in frame.columns:
        name = str(col)
        style = table.styles.get(name) or _default_style(frame[col])
        headers.append(table.labels.get(name, name.replace("_", " ")))
        columns.append([cell(v, style) for v in frame[col].tolist()])
    rows = [_row_label(i) for i in frame.index]
    return headers, rows, columns


def _width(cells: Sequence[str]) -> int:
    from rich.cells import cell_len

    return max((cell_len(c) for c in cells), default=0)


def _groups(widths: list[int], index_width: int, limit: int | None) -> list[list[int]]:
    """Split columns into consecutive groups whose tables fit ``limit`` characters.

    A rich table with the default box is ``1 + sum(width + 3)`` characters wide.
    """
    if limit is None:
        return [list(range(len(widths)))]
    groups: list[list[int]] = [[]]
    used = 1 + index_width + 3
    for j, w in enumerate(widths):
        if groups[-1] and used + w + 3 > limit:
            groups.append([])
            used = 1 + index_width + 3
        groups[-1].append(j)
        used += w + 3
    return groups


def _console(width: int | None) -> Any:
    from rich.console import Console

    return Console(soft_wrap=False, highlight=False, width=width)


def _terminal_width() -> int | None:
    """The terminal's width, or ``None`` when stdout is not a terminal (print everything)."""
    from rich.console import Console

    probe = Console()
    return int(probe.width) if probe.is_terminal else None


def show(tables: Sequence[Table], *, wide: bool = False, width: int | None = -1,
         notes: Sequence[str] = ()) -> None:
    """Print tables (and closing notes) for a person, fitted to the terminal.

    Parameters
    ----------
    tables : sequence of Table
    wide : bool, default False
        Keep each table whole even when it is wider than the terminal.
    width : int or None, optional
        The width to fit; default the terminal's (``None``: unlimited, as when piped).
    notes : sequence of str
        Lines printed after every table, wrapped like a table's notes.
    """
    from rich.table import Table as RichTable

    limit = _terminal_width() if width == -1 else width
    fit = None if wide else limit
    for t in tables:
        headers, rows, columns = _cells(t)
        widths = [max(_width([h]), _width(c)) for h, c in zip(headers, columns)]
        index_width = max(_width([t.index_label]), _width(rows))
        groups = _groups(widths, index_width, fit)
        total = 1 + index_width + 3 + sum(w + 3 for w in widths)
        console = _console(max(total, limit or 0))
        if t.title:
            _echo(t.title, limit)
        for g in groups:
            rt = RichTable(title_justify="left")
            rt.add_column(t.index_label, style="bold", no_wrap=True)
            for j in g:
                style = t.styles.get(str(t.frame.columns[j]), "")
                numeric = t.frame.dtypes.iloc[j].kind in "fiu" or style == "cell"
                rt.add_column(headers[j], justify="right" if numeric else "left", no_wrap=True)
            for i, label in enumerate(rows):
                rt.add_row(label, *(columns[j][i] for j in g))
            console.print(rt)
        for label, meaning in t.legend.items():
            _echo(f"{label}: {meaning}", limit, indent="  ")
        for note in t.notes:
            _echo(note, limit)
    for note in notes:
        _echo(note, limit)


def _echo(text: str, width: int | None, indent: str = "") -> None:
    if width is None:
        sys.stdout.write(indent + text + "\n")
        return
    sys.stdout.write(textwrap.fill(text, width=width, initial_indent=indent,
                                   subsequent_indent=indent + "  ",
                                   break_on_hyphens=False) + "\n")


def emit_json(payload: Any) -> None:
    """Print JSON data (``NaN`` must already be ``None``: non-finite numbers are refused)."""
    sys.stdout.write(json.dumps(payload, indent=2, allow_nan=False) + "\n")


def emit_csv(frame: pd.DataFrame, index: bool = True, index_label: str | None = None) -> None:
    """Print a frame as CSV, floats in their shortest round-trip form, dates as ISO."""
    sys.stdout.write(frame.to_csv(index=index, index_label=index_label,
                                  float_format=lambda x: repr(float(x)),
                                  date_format="%Y-%m-%d"))
