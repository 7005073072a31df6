"""Building blocks of the HTML report: escaping, number formats, tables, heat maps, figures.

Every table is wrapped in a ``div.scroll`` that scrolls sideways on a narrow screen instead of
running off the page. Percent figures are printed as percents with two decimals, amounts and
ratios as plain numbers, dates as ISO ``YYYY-MM-DD``, a missing figure as an en dash. Nothing
here loads anything from outside the document: figures become ``data:`` URIs.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["figure_to_data_uri"]

Format = Callable[[Any], str]

# diverging heat-map colours: gains blue, losses vermilion (Okabe-Ito; told apart by lightness
# and hue by readers with colour-vision deficiency too)
_GAIN = (0x00, 0x72, 0xB2)
_LOSS = (0xD5, 0x5E, 0x00)
_HEAT_MAX = 0.55  # strongest tint, so dark text stays readable on every cell


def e(text: Any) -> str:
    """HTML-escape ``text`` (quotes too)."""
    return html.escape(str(text), quote=True)


def _missing(x: Any) -> bool:
    if x is None or x is pd.NaT:
        return True
    try:
        return bool(isinstance(x, (float, np.floating)) and not math.isfinite(float(x)))
    except (TypeError, ValueError):
        return False


def pct(x: Any, digits: int = 2) -> str:
    """A fraction as a percent (``0.0347`` -> ``3.47%``), never ``-0.00%``; missing -> ``–``."""
    if _missing(x):
        return "–"
    try:
        value = round(float(x), digits + 2) + 0.0
    except (TypeError, ValueError):
        return e(x)
    return f"{value:.{digits}%}"


def num(x: Any, digits: int = 6) -> str:
    """A number with ``digits`` significant digits; missing -> ``–``."""
    if _missing(x):
        return "–"
    return f"{float(x):.{digits}g}"


def fixed(x: Any, digits: int = 4) -> str:
    """A number with ``digits`` decimals (ratios such as 0.9612); missing -> ``–``."""
    if _missing(x):
        return "–"
    return f"{round(float(x), digits) + 0.0:.{digits}f}"


def count(x: Any) -> str:
    """A whole number with thousands separators; missing -> ``–``."""
    if _missing(x):
        return "–"
    return f"{round(float(x)):,}"


def date(x: Any) -> str:
    """A date as ISO ``YYYY-MM-DD``; missing -> ``–``."""
    if _missing(x):
        return "–"
    try:
        return str(pd.Timestamp(x).date().isoformat())
    except (TypeError, ValueError):
        return e(x)


def heat(x: Any, scale: float) -> str:
    """The inline style of a heat-map cell: blue for gains, vermilion for losses.

    The tint grows with ``|x| / scale`` up to :data:`_HEAT_MAX`; a missing value or a zero
    scale gives no tint.
    """
    if _missing(x) or not scale > 0:
        return ""
    a = min(1.0, abs(float(x)) / scale) * _HEAT_MAX
    rgb = _GAIN if float(x) > 0 else _LOSS
    mixed = [round(255 * (1 - a) + c * a) for c in rgb]
    return f' style="background:#{mixed[0]:02x}{mixed[1]:02x}{mixed[2]:02x}"'


def heat_scale(frame: pd.DataFrame | pd.Series) -> float:
    """The |value| at which a heat map saturates: the 95th percentile of the finite values."""
    arr = np.abs(np.asarray(frame, dtype=np.float64).ravel())
    arr = arr[np.isfinite(arr)]
    return float(np.quantile(arr, 0.95)) if len(arr) else 0.0


def table(
    frame: pd.DataFrame,
    fmt: Format | Mapping[str, Format] = pct,
    *,
    index_label: str | None = None,
    index_fmt: Format | None = None,
    heat_scale: float | None = None,
    cls: str = "frame",
) -> str:
    """An escaped HTML table in a sideways-scrolling wrapper.

    ``fmt`` formats every cell, or per column by name (default :func:`pct`); ``index_fmt``
    the row labels (dates by default as ISO dates); ``heat_scale`` tints the cells as a heat
    map (see :func:`heat`).
    """
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    label = index_label if index_label is not None else str(frame.index.name or "")
    rows = []
    for idx, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        if index_fmt is not None:
            name = index_fmt(idx)
        else:
            name = date(idx) if isinstance(idx, pd.Timestamp) else e(idx)
        cells = []
        for c, v in zip(cols, row, strict=True):
            f = fmt.get(c, pct) if isinstance(fmt, Mapping) else fmt
            style = heat(v, heat_scale) if heat_scale is not None else ""
            cells.append(f"<td{style}>{f(v)}</td>")
        rows.append(f"<tr><th>{name}</th>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table class="{e(cls)}"><thead><tr><th>{e(label)}</th>{head}</tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def figure_to_data_uri(fig: Figure, *, dpi: int = 110) -> str:
    """Encode a figure as a ``data:image/png;base64,...`` URI (nothing is written to disk).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to encode.
    dpi : int, default 110
        Resolution.

    Returns
    -------
    str
        The URI, usable as an ``<img src>`` that needs no network or file.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure_to_data_uri(Figure(figsize=(1, 1))).startswith("data:image/png;base64,iVBOR")
    True
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def figure(fig: Figure, alt: str, caption: str, dpi: int) -> str:
    """An embedded figure with its caption."""
    return (
        f'<figure><img src="{figure_to_data_uri(fig, dpi=dpi)}" alt="{e(alt)}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def section(sid: str, title: str, body: str) -> str:
    """A ``<section>`` with its id and heading."""
    return f'<section id="{e(sid)}">\n<h2>{e(title)}</h2>\n{body}\n</section>\n'


def details(summary: str, body: str, *, open_: bool = False) -> str:
    """A block the reader opens and closes (plain HTML, no script)."""
    return (f"<details{' open' if open_ else ''}><summary>{e(summary)}</summary>{body}"
            "</details>")
