"""Shared machinery of the chart modules: lazy matplotlib, colours, axes helpers, saving.

:mod:`basket.plot.backtest` (backtest charts), :mod:`basket.plot.outlook`
(simulation fans and stress bars) and :mod:`basket.plot.treasury` draw with these pieces, so a
currency has one colour, an axis one style and a saved file one set of rules in every figure.
Figures are built with the object-oriented API on an Agg canvas: no :mod:`matplotlib.pyplot`
state is touched and nothing is shown.

Conventions, stated once:

* a currency has the same colour in every figure (:data:`CURRENCY_COLORS`, with a deterministic
  fallback for other codes from :func:`currency_color`); the basket itself is drawn in near-black;
* charts are written as PNG, SVG or PDF (by the file's suffix) into an existing directory,
  atomically (:func:`save_figure`; :func:`check_figure_path` checks a target before drawing).

matplotlib is a dependency of the package but is imported inside the functions that draw, never
when this module is imported (so the command line starts fast); a missing install raises
:class:`PlotDependencyError` naming the fix.
"""

from __future__ import annotations

import io
import os
import types
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from basket.errors import BasketError, DataError
from basket.outputs import OutputPlan

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BASKET_COLOR",
    "CURRENCY_COLORS",
    "PlotDependencyError",
    "check_figure_path",
    "currency_color",
    "figure_bytes",
    "save_figure",
]

CURRENCY_COLORS: Mapping[str, str] = types.MappingProxyType(
    {
        "USD": "#1f4e9c",  # blue
        "EUR": "#e8a000",  # amber
        "JPY": "#c8102e",  # red
        "GBP": "#6a3d9a",  # purple
        "SGD": "#1b9e77",  # teal green
        "CNY": "#d95f02",  # burnt orange
        "CHF": "#8c564b",  # brown
        "CAD": "#e377c2",  # pink
        "AUD": "#17becf",  # cyan
        "HKD": "#bcbd22",  # olive
        "SEK": "#4daf4a",  # green
        "NOK": "#a6761d",  # ochre
        "KRW": "#7570b3",  # slate violet
        "INR": "#ff7f00",  # orange
        "NZD": "#66a61e",  # leaf green
        "DKK": "#b2182b",  # dark red
    }
)
"""Colour of each common currency, the same in every figure (hex RGB)."""

BASKET_COLOR = "#111111"
"""Colour of the basket's own line or bar."""

_FALLBACK = (
    "#2ca02c", "#9467bd", "#8dd3c7", "#fb8072", "#80b1d3", "#b3de69", "#fdb462", "#bc80bd",
    "#e6ab02", "#1a9850", "#5e3c99", "#f781bf", "#999933", "#882255", "#44aa99", "#332288",
)



class PlotDependencyError(BasketError, ImportError):
    """matplotlib, needed for charts, is not installed."""


# --------------------------------------------------------------------------- helpers
def currency_color(code: str) -> str:
    """Return the colour used for a currency in every chart.

    Parameters
    ----------
    code : str
        ISO currency code (case-insensitive).

    Returns
    -------
    str
        A hex RGB colour: the entry of :data:`CURRENCY_COLORS` for common codes, otherwise one
        picked from a fixed palette by a CRC-32 of the code, so it is the same in every session.

    Examples
    --------
    >>> currency_color("usd")
    '#1f4e9c'
    >>> currency_color("XYZ") == currency_color("XYZ")
    True
    """
    key = str(code).strip().upper()
    found = CURRENCY_COLORS.get(key)
    if found is not None:
        return found
    return _FALLBACK[zlib.crc32(key.encode("utf-8")) % len(_FALLBACK)]


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise PlotDependencyError(
            "charts need matplotlib, which is not installed; run: pip install 'libra-basket[plot]'"
        ) from exc


def _figure(width: float, height: float) -> Figure:
    """A new Figure with an Agg canvas and constrained layout (no pyplot state)."""
    _require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _grid(
    n: int, *, ncols: int = 3, panel: tuple[float, float] = (4.6, 3.2), sharey: bool = False,
    extra_height: float = 0.9,
) -> tuple[Figure, list[Axes], list[Axes]]:
    """A figure with ``n`` panels in rows of ``ncols``; returns (fig, used axes, spare axes)."""
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    fig = _figure(panel[0] * ncols, panel[1] * nrows + extra_height)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=sharey).ravel().tolist()
    used, spare = axes[:n], axes[n:]
    for ax in spare:
        ax.set_axis_off()
    for ax in used[max(0, n - ncols):]:
        ax.xaxis.set_tick_params(labelbottom=True)
    return fig, used, spare


def _date_axis(ax: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(
        mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    )


def _percent_axis(ax: Axes, axis: Literal["x", "y"] = "y", decimals: int | None = None) -> None:
    from matplotlib.ticker import PercentFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(PercentFormatter(1.0, decimals=decimals))


def _style(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _name(result: Any) -> str:
    spec = getattr(result, "spec", None)
    if spec is None:
        spec = getattr(result, "basket", None)  # StressResult names its basket
    if spec is None:
        return str(getattr(result, "name", "The basket"))
    if isinstance(spec, str):
        return spec
    return str(getattr(spec, "title", "") or getattr(spec, "name", "The basket"))



def _pick(available: Sequence[str], asked: Sequence[str] | str | None, what: str) -> list[str]:
    if asked is None:
        return list(available)
    items = [asked] if isinstance(asked, str) else list(asked)
    out = [str(c).strip().upper() for c in items]
    missing = [c for c in out if c not in available]
    if missing:
        raise DataError(
            f"{what} {', '.join(missing)} not in the result; choose from {', '.join(available)}"
        )
    if not out:
        raise DataError(f"no {what} chosen; choose from {', '.join(available)}")
    return out



def _legend(fig: Figure, spare: list[Axes], handles: list[Any], labels: list[str]) -> None:
    """One legend for a grid: in the first unused panel if there is one, else below."""
    if spare:
        spare[0].legend(handles, labels, loc="center", frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 7),
                   frameon=False)



# --------------------------------------------------------------------------- saving
def check_figure_path(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` if a chart can be written there (see :class:`basket.outputs.OutputPlan`).

    Parameters
    ----------
    path : str or path-like
        Target file: .png, .svg or .pdf in an existing, writable folder.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        Unsupported suffix, a directory, a missing or read-only folder.

    Examples
    --------
    >>> check_figure_path("reserve.png").name
    'reserve.png'
    """
    return OutputPlan().add(path, "figure", "figure")


def figure_bytes(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> bytes:
    """Render ``fig`` to the bytes of a PNG, SVG or PDF file, by ``path``'s suffix.

    PNG files carry no software or date metadata, so the same figure gives the same bytes.
    """
    suffix = Path(path).suffix.lower()
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix[1:], dpi=dpi, facecolor="white",
                metadata={"Software": None} if suffix == ".png" else None)
    return buf.getvalue()


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Save a figure to PNG, SVG or PDF (by the file's suffix), atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`basket.plot.backtest_figure`.
    path : str or path-like
        Target file; its folder must exist. A symlink is written through; an existing file
        keeps its mode.
    dpi : int, default 150
        Resolution of raster output.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        Unsupported suffix, a directory, a missing or read-only folder, a full disk.
    """
    with OutputPlan() as plan:
        target = plan.add(path, "figure", "figure")
        plan.write_bytes(target, figure_bytes(fig, target, dpi=dpi))
    return target
