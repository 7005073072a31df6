"""HTML views of results for Jupyter (``_repr_html_``): one number style per kind of figure.

Shared by every result class, so a notebook shows the same thing the same way everywhere:
fractions as percents with two decimals (``3.47%``, never ``-0.00%``), value ratios with four
decimals, US-dollar amounts and counts with thousands separators, dates as ISO
``YYYY-MM-DD``, a missing figure as an en dash. Each table sits in a ``div`` that scrolls
sideways, so a wide table never pushes the notebook's page wider than its column. Pure: strings
in, strings out.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = ["Kind", "cell", "frame_html", "title_html"]

Kind = Literal["pct", "ratio", "num", "usd", "count", "date", "text"]

_STYLE = ("max-width:100%;overflow-x:auto;margin:0.3em 0 0.8em")
_CELL = "text-align:right;white-space:nowrap;padding:0.15em 0.6em"


def _missing(x: Any) -> bool:
    if x is None or x is pd.NaT:
        return True
    if isinstance(x, (float, np.floating)):
        return not math.isfinite(float(x))
    return False


def cell(value: Any, kind: Kind) -> str:
    """Format one figure by its kind (escaped, ready for a table cell).

    Examples
    --------
    >>> cell(0.034712, "pct"), cell(-1e-18, "pct"), cell(0.96123, "ratio")
    ('3.47%', '0.00%', '0.9612')
    >>> cell(788171017.19, "usd"), cell(255, "count"), cell(float("nan"), "pct")
    ('788,171,017', '255', '–')
    >>> cell(pd.Timestamp("2020-03-09"), "date")
    '2020-03-09'
    """
    if _missing(value):
        return "–"
    if kind == "date":
        if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
            return str(pd.Timestamp(value).date().isoformat())
        return html.escape(str(value))
    if kind == "text" or isinstance(value, (str, bool)):
        return html.escape(str(value))
    x = float(value)
    if kind == "pct":
        return f"{round(x, 4) + 0.0:.2%}"
    if kind == "ratio":
        return f"{round(x, 4) + 0.0:.4f}"
    if kind in ("usd", "count"):
        return f"{round(x) + 0:,}"
    return f"{x:.6g}"


def frame_html(
    frame: pd.DataFrame,
    kinds: Kind | Mapping[str, Kind] = "pct",
    *,
    index_label: str | None = None,
    caption: str | None = None,
) -> str:
    """A table of ``frame`` in a sideways-scrolling ``div``, each column in its kind's style.

    ``kinds`` is one kind for every column or a mapping by column name (default ``"pct"``).
    Row labels that are dates print as ISO dates.
    """
    cols = [str(c) for c in frame.columns]
    head = "".join(f'<th style="{_CELL}">{html.escape(c)}</th>' for c in cols)
    label = html.escape(index_label if index_label is not None else str(frame.index.name or ""))
    rows = []
    for idx, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        name = cell(idx, "date") if isinstance(idx, pd.Timestamp) else html.escape(str(idx))
        tds = "".join(
            f'<td style="{_CELL}">'
            f"{cell(v, kinds.get(c, 'num') if isinstance(kinds, Mapping) else kinds)}</td>"
            for c, v in zip(cols, row, strict=True)
        )
        rows.append(f'<tr><th style="text-align:left">{name}</th>{tds}</tr>')
    cap = (f'<caption style="caption-side:top;text-align:left;font-weight:600">'
           f"{html.escape(caption)}</caption>" if caption else "")
    return (f'<div style="{_STYLE}"><table>{cap}<thead><tr><th style="text-align:left">'
            f"{label}</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def title_html(text: str) -> str:
    """The heading of a result's view (escaped)."""
    return f"<h4>{html.escape(text)}</h4>"
