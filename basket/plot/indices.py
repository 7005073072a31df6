"""Charts of currency indices: one currency against several baskets (matplotlib, lazily).

Takes the :class:`~basket.valuation.results.IndexComparison` that
:func:`basket.compare_indices` returns (Libra, the SDR and the DXY for the dollar by default) and
draws, on one figure: the rebased levels (100 on the comparison's base date), their rolling
volatility, and the correlation of their daily changes. Conventions, stated once:

* an index has the same colour in every panel (:data:`INDEX_COLORS`, by position);
* the levels are the comparison's ``rebased`` frame, so every line starts from the same point
  and a rise means the currency bought more of that basket;
* volatilities are annualized from daily log changes, shown as percentages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from basket.errors import DataError
from basket.plot._base import _date_axis, _figure, _percent_axis, _style, save_figure

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from basket.valuation.results import IndexComparison

__all__ = ["INDEX_COLORS", "index_color", "indices_figure", "save_indices_figure"]

INDEX_COLORS = ("#111111", "#1f4e9c", "#c8102e", "#1b9e77", "#e8a000", "#6a3d9a", "#8c564b",
                "#17becf")
"""Colours of the indices of a comparison, by position (the first, Libra by default, in black)."""


def index_color(position: int) -> str:
    """The colour of the index at ``position`` (cycling through :data:`INDEX_COLORS`).

    Examples
    --------
    >>> index_color(0), index_color(len(INDEX_COLORS))
    ('#111111', '#111111')
    """
    return INDEX_COLORS[position % len(INDEX_COLORS)]


def _check(comparison: Any) -> IndexComparison:
    for attr in ("rebased", "levels", "table", "currency", "base_date"):
        if not hasattr(comparison, attr):
            raise DataError(
                f"indices_figure needs an IndexComparison (from basket.compare_indices); "
                f"{type(comparison).__name__} has no {attr!r}"
            )
    if len(comparison.levels) < 3:
        raise DataError("the comparison has fewer than three dates; widen its range")
    result: IndexComparison = comparison
    return result


def _draw_levels(ax: Axes, cmp: IndexComparison, titles: dict[str, str]) -> None:
    idx = cmp.rebased.index.to_numpy()
    ax.axhline(100.0, color="#888888", linewidth=0.8)
    for i, name in enumerate(cmp.names):
        change = float(cmp.table.loc[name, "change"])
        ax.plot(idx, cmp.rebased[name].to_numpy(), color=index_color(i), linewidth=1.3,
                label=f"{titles.get(name, name)} ({change:+.1%})")
    ax.set_ylabel(f"{cmp.currency} index, 100 on {cmp.base_date.date()}")
    ax.set_title(f"What one {cmp.currency} buys of each basket (up: the {cmp.currency} gains)")
    ax.legend(loc="best", fontsize="small")
    _style(ax)
    _date_axis(ax)


def _draw_rolling(ax: Axes, cmp: IndexComparison, window: int) -> None:
    roll = cmp.rolling_volatility(window)
    idx = roll.index.to_numpy()
    for i, name in enumerate(cmp.names):
        full = float(cmp.table.loc[name, "volatility"])
        ax.plot(idx, roll[name].to_numpy(), color=index_color(i), linewidth=1.1,
                label=f"{name} (whole period {full:.1%})")
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"trailing {window} days, annualized")
    ax.set_title(f"Volatility for a {cmp.currency} holder")
    ax.legend(loc="upper left", fontsize="small")
    _percent_axis(ax)
    _style(ax)
    _date_axis(ax)


def _draw_correlation(ax: Axes, cmp: IndexComparison) -> None:
    corr = cmp.correlation.to_numpy(dtype=np.float64)
    names = cmp.names
    ax.imshow(corr, vmin=-1.0, vmax=1.0, cmap="RdBu_r")
    for i in range(len(names)):
        for j in range(len(names)):
            value = corr[i, j]
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize="small",
                    color="white" if abs(value) > 0.6 else "black")
    ax.set_xticks(range(len(names)), labels=names, rotation=30, ha="right",
                  rotation_mode="anchor", fontsize="small")
    ax.set_yticks(range(len(names)), labels=names, fontsize="small")
    ax.set_title("Correlation of daily changes")


def indices_figure(comparison: IndexComparison, *, window: int = 252) -> Figure:
    """Draw a currency against several baskets: levels, rolling volatility, correlations.

    Parameters
    ----------
    comparison : IndexComparison
        What :func:`basket.compare_indices` returned.
    window : int, default 252
        Rolling-volatility window in daily changes; the panel is left out when the comparison
        is too short for it.

    Returns
    -------
    matplotlib.figure.Figure
        The rebased levels across the top, the rolling volatility and the correlation matrix
        below (two axes when the rolling panel is left out).

    Raises
    ------
    DataError
        Not a comparison, or fewer than three dates.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> cmp = basket.compare_indices(start="2018-01-02", end="2019-12-31")
    >>> len(basket.plot.indices_figure(cmp).axes)
    3
    """
    cmp = _check(comparison)
    titles = {s.name: (s.title or s.name) for s in cmp.specs}
    titles.update({n: n for n in cmp.names if n not in titles})
    fig = _figure(12, 8.5)
    grid = fig.add_gridspec(2, 2, height_ratios=(1.25, 1.0), width_ratios=(1.5, 1.0))
    _draw_levels(fig.add_subplot(grid[0, :]), cmp, titles)
    if len(cmp.levels) > window:
        _draw_rolling(fig.add_subplot(grid[1, 0]), cmp, window)
        _draw_correlation(fig.add_subplot(grid[1, 1]), cmp)
    else:
        _draw_correlation(fig.add_subplot(grid[1, :]), cmp)
    fig.suptitle(
        f"{cmp.currency} against each basket · {cmp.start.date()} to "
        f"{cmp.end.date()} · source {cmp.source}", fontsize="large", fontweight="bold",
    )
    return fig


def save_indices_figure(
    comparison: IndexComparison, path: str | os.PathLike[str], *, dpi: int = 150
) -> Path:
    """Save :func:`indices_figure` to a PNG, SVG or PDF file (``basket indices --plot``)."""
    return save_figure(indices_figure(comparison), path, dpi=dpi)
