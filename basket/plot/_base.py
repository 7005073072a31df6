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
import math
import os
import textwrap
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
    "tick_decimals",
]

CURRENCY_COLORS: Mapping[str, str] = types.MappingProxyType(
    {
        # Seven colours told apart by readers with any common colour-vision deficiency
        # (CIEDE2000 >= 12 between every pair in normal vision and under simulated
        # protanopia, deuteranopia and tritanopia; tests/plot/test_palette.py): the Libra and
        # SDR currencies and the franc.
        "USD": "#0072b2",  # blue (Okabe-Ito)
        "EUR": "#e69f00",  # orange (Okabe-Ito)
        "JPY": "#d55e00",  # vermilion (Okabe-Ito)
        "GBP": "#aa3377",  # purple (Tol bright)
        "SGD": "#009e73",  # bluish green (Okabe-Ito)
        "CNY": "#33bbee",  # cyan (Tol vibrant)
        "CHF": "#225522",  # dark green (Tol dark)
        # Nine more, distinct from the seven and from each other in normal vision
        # (CIEDE2000 >= 11); some pairs merge under colour-vision deficiency.
        "CAD": "#ee6677",  # red (Tol bright)
        "AUD": "#ccbb44",  # yellow (Tol bright)
        "HKD": "#999933",  # olive (Tol muted)
        "SEK": "#004488",  # dark blue (Tol high-contrast)
        "NOK": "#ee8866",  # salmon (Tol light)
        "KRW": "#cc79a7",  # pink (Okabe-Ito)
        "INR": "#666633",  # dark olive (Tol dark)
        "NZD": "#228833",  # green (Tol bright)
        "DKK": "#cc3311",  # red (Tol vibrant)
    }
)
"""Colour of each common currency, the same in every figure (hex RGB).

Taken from Okabe and Ito's colour-universal palette and Paul Tol's qualitative schemes: the
first seven are distinct for readers with colour-vision deficiency, all sixteen in normal
vision, and none is close to the basket's near-black or to the white background. Other codes
get a fallback colour (:func:`currency_color`).
"""

BASKET_COLOR = "#111111"
"""Colour of the basket's own line or bar."""

_FALLBACK = (
    "#332288", "#882255", "#44aa99", "#ddcc77", "#77aadd", "#44bb99", "#ee3377", "#ddaa33",
    "#bb5566", "#0077bb", "#aa4499", "#117733",
)
"""Colours of other codes, picked by a CRC-32 of the code (Tol muted, light, vibrant)."""

MIN_WIDTH = 6.4
"""Narrowest grid figure, in inches: one panel still has room for its title and legend."""


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
    '#0072b2'
    >>> currency_color("XYZ") == currency_color("XYZ")
    True
    """
    key = str(code).strip().upper()
    found = CURRENCY_COLORS.get(key)
    if found is not None:
        return found
    return _FALLBACK[zlib.crc32(key.encode("utf-8")) % len(_FALLBACK)]


def tick_decimals(values: Sequence[float], *, scale: float = 100.0, most: int = 4) -> int:
    """Return the decimals needed to print every tick value exactly (as a percent by default).

    The fewest decimals ``d`` (at most ``most``) at which every ``value * scale`` rounds to
    itself, so ticks every 2.5% print ``0.0% 2.5% 5.0% 7.5%``, never ``0% 2% 5% 8%``.

    Parameters
    ----------
    values : sequence of float
        Tick positions (fractions: 0.025 is 2.5%). Non-finite values are ignored.
    scale : float, default 100
        Multiplier applied before printing (100 for percents).
    most : int, default 4
        Upper bound on the decimals.

    Returns
    -------
    int

    Examples
    --------
    >>> tick_decimals([0.0, 0.025, 0.05, 0.075])
    1
    >>> tick_decimals([0.0, 0.05, 0.10]), tick_decimals([1.0, 1.0025, 1.005])
    (0, 2)
    """
    scaled = [float(v) * scale for v in values if math.isfinite(float(v))]
    size = max((abs(v) for v in scaled), default=0.0)
    for d in range(most + 1):
        tol = 1e-6 * 10.0 ** (-d) + 1e-12 * size
        if all(abs(v - round(v, d)) <= tol for v in scaled):
            return d
    return most


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
    """A figure with ``n`` panels in rows of ``ncols``; returns (fig, used axes, spare axes).

    The figure is at least :data:`MIN_WIDTH` wide (a single panel gets the extra width).
    """
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    if ncols * panel[0] < MIN_WIDTH:
        extra_height += 0.6  # the title and the legend wrap on a narrow figure
    fig = _figure(max(MIN_WIDTH, panel[0] * ncols), panel[1] * nrows + extra_height)
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


def _percent_formatter() -> Any:
    """A matplotlib Formatter printing percents with the decimals the tick spacing needs."""
    from matplotlib.ticker import Formatter

    class PercentTicks(Formatter):
        decimals = 0

        def format_ticks(self, values: Any) -> list[str]:
            self.decimals = tick_decimals(list(values))
            return [self(v) for v in values]

        def __call__(self, x: float, pos: int | None = None) -> str:
            text = f"{x * 100:.{self.decimals}f}"
            if float(text) == 0:
                text = text.lstrip("-")  # no "-0%"
            return str(self.fix_minus(text + "%"))

    return PercentTicks()


def _percent_axis(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    """Percent tick labels with the decimals the tick spacing needs (:func:`tick_decimals`)."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(_percent_formatter())


def _style(ax: Axes) -> None:
    ax.grid(True, color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _name(result: Any) -> str:
    """The basket's title for people: the result's ``title``, its spec's, else a name."""
    title = getattr(result, "title", None)
    if isinstance(title, str) and title.strip():
        return title
    spec = getattr(result, "spec", None)
    if spec is None:
        spec = getattr(result, "basket", None)  # StressResult names its basket
    if spec is None:
        return str(getattr(result, "name", None) or "The basket")
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
    """One legend for a grid: in the first unused panel if there is one, else below.

    Below the panels it starts on one row; :func:`_fit` gives it fewer columns if need be.
    """
    if spare:
        spare[0].legend(handles, labels, loc="center", frameon=False)
    else:
        _below(fig, handles, labels, min(len(labels), 7))


def _below(fig: Figure, handles: list[Any], labels: list[str], ncols: int) -> Any:
    leg = fig.legend(handles, labels, loc="outside lower center", ncols=ncols, frameon=False)
    setattr(leg, "_basket_entries", (handles, labels, ncols))  # noqa: B010 - for _fit
    return leg


def _suptitle(fig: Figure, text: str, **kwargs: Any) -> None:
    """The figure's bold title (:func:`_fit` wraps it to the figure's width)."""
    fig.suptitle(text, fontweight="bold", **kwargs)


def _wrap(text: str, fraction: float) -> str:
    """Rewrap ``text`` so that no line is longer than ``fraction`` of its longest line.

    A long line is split into the fewest lines that fit, of balanced lengths, at word
    boundaries (never a lone last word).
    """
    lines = text.split("\n")
    most = max(12, int(max(len(line) for line in lines) * fraction))
    out: list[str] = []
    for line in lines:
        if len(line) <= most:
            out.append(line)
            continue
        n = -(-len(line) // most)
        width = -(-len(line) // n)
        parts = textwrap.wrap(line, width)
        while len(parts) > n and width < most:
            width += 1
            parts = textwrap.wrap(line, width)
        out.extend(parts)
    return "\n".join(out)


def _fit(fig: Figure, *, margin: float = 0.98) -> Figure:
    """Keep every text of ``fig`` inside its canvas; returns ``fig``.

    Constrained layout places titles and legends vertically but lets them run off the sides.
    This measures them (no drawing needed: a text's width does not depend on the layout), then
    wraps a suptitle wider than the figure and an axes title wider than its panel at word
    boundaries, and rebuilds a legend below the panels that is wider than the figure with
    fewer columns, until each fits (at most four rounds).
    """
    width = fig.bbox.width * margin
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for _ in range(4):
        changed = False
        title = getattr(fig, "_suptitle", None)  # matplotlib's only handle on it
        if title is not None and title.get_text():
            w = title.get_window_extent(renderer).width
            if w > width:
                title.set_text(_wrap(title.get_text(), width / w * 0.97))
                changed = True
        for ax in fig.axes:
            room = ax.get_position().width * fig.bbox.width * 1.1
            w = ax.title.get_window_extent(renderer).width if ax.title.get_text() else 0.0
            if w > room:
                ax.title.set_text(_wrap(ax.title.get_text(), room / w * 0.97))
                changed = True
        for leg in list(fig.legends):
            entries = getattr(leg, "_basket_entries", None)
            w = leg.get_window_extent(renderer).width
            if entries is not None and w > width and entries[2] > 1:
                handles, labels, ncols = entries
                leg.remove()
                _below(fig, handles, labels, max(1, min(ncols - 1, int(ncols * width / w))))
                changed = True
        if not changed:
            break
    return fig


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
