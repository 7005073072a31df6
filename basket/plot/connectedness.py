"""Charts of connectedness (Diebold-Yilmaz spillovers): matplotlib, imported lazily.

:func:`spillover_figure` draws a :class:`~basket.connectedness.results.SpilloverResult`. With
rolling figures (``basket.spillover(..., window=200)``) it shows the total connectedness index
through time above each currency's net transmission (positive: it gives more shocks than it
receives), with the shipped stress episodes (:func:`basket.design.episodes.list_episodes`)
shaded; given the basket's backtest it adds the basket's rolling volatility over the same
window below. Without rolling figures it shows the net transmission as bars beside the
spillover table as a heat map. No :mod:`matplotlib.pyplot` state is touched.

Conventions: connectedness figures are percent (a table row sums to 100); volatility is
annualized from daily log returns (:mod:`basket.valuation.metrics`).
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basket.errors import DataError
from basket.plot._base import (
    BASKET_COLOR,
    _date_axis,
    _figure,
    _percent_axis,
    _style,
    check_figure_path,
    currency_color,
    save_figure,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from basket.connectedness.results import SpilloverResult
    from basket.valuation.results import BacktestResult

__all__ = ["save_spillover_figure", "spillover_figure"]

_EPISODE_COLOR = "#f4cccc"


def _check(result: Any) -> None:
    if not isinstance(getattr(result, "table", None), pd.DataFrame) or not hasattr(
            result, "currencies"):
        raise DataError("spillover_figure needs what basket.spillover() returns (a "
                        "SpilloverResult)")


def _shade_episodes(axes: list[Axes], first: pd.Timestamp, last: pd.Timestamp) -> None:
    """Shade each shipped stress episode that overlaps the dates shown; name it on top."""
    from basket.design.episodes import list_episodes

    shaded = 0
    for n, ep in enumerate(list_episodes()):
        lo, hi = max(pd.Timestamp(ep.start), first), min(pd.Timestamp(ep.end), last)
        if lo > hi:
            continue
        for ax in axes:
            ax.axvspan(lo, hi, color=_EPISODE_COLOR, alpha=0.7, linewidth=0, zorder=0,
                       label="stress episodes" if shaded == 0 else None)
        shaded += 1
        axes[0].text(lo, 0.98 - 0.07 * (n % 2), ep.name, transform=axes[0].get_xaxis_transform(),
                     fontsize=6.5, color="#8a3a3a", va="top", ha="left", clip_on=True)


def _rolling_panels(fig: Figure, result: SpilloverResult, backtest: BacktestResult | None
                    ) -> list[Axes]:
    assert result.rolling is not None and result.rolling_net is not None
    n_panels = 3 if backtest is not None else 2
    axes = list(fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0])
    roll, net = result.rolling, result.rolling_net
    dates = roll.index.to_numpy()
    ax_total, ax_net = axes[0], axes[1]
    ax_total.plot(dates, roll.to_numpy() / 100.0, color=BASKET_COLOR, linewidth=1.1,
                  label=f"rolling {result.window}-day index")
    ax_total.axhline(result.total / 100.0, color="#777777", linewidth=0.9, linestyle="--",
                     label=f"full sample {result.total:.1f}%")
    ax_total.set_ylim(0, 1)
    ax_total.set_ylabel("total connectedness")
    ax_total.set_title("Total connectedness: share of forecast-error variance from the others",
                       fontsize="medium")
    for c in net.columns:
        ax_net.plot(dates, net[c].to_numpy() / 100.0, color=currency_color(str(c)),
                    linewidth=0.9, label=str(c))
    ax_net.axhline(0.0, color="#999999", linewidth=0.8)
    ax_net.set_ylabel("net (to - from others)")
    ax_net.set_title("Net transmitters (above zero) and receivers (below)", fontsize="medium")
    if backtest is not None:
        _volatility_panel(axes[2], result, backtest)
    for ax in axes:
        _percent_axis(ax)
        _style(ax)
        _date_axis(ax)
    _shade_episodes(axes, pd.Timestamp(dates[0]), pd.Timestamp(dates[-1]))
    ax_total.legend(loc="lower left", fontsize=7, frameon=False, ncols=3)
    ax_net.legend(loc="lower left", fontsize=7, frameon=False, ncols=min(len(net.columns), 8))
    return axes


def _volatility_panel(ax: Axes, result: SpilloverResult, backtest: BacktestResult) -> None:
    k = result.numeraire
    if k not in backtest.numeraires:
        raise DataError(
            f"the backtest has no values in {k or 'the numeraire'} (it has "
            f"{', '.join(backtest.numeraires)}); run basket.backtest with numeraires=['{k}']"
        )
    assert result.window is not None and result.rolling is not None
    vol = backtest.rolling_volatility(result.window)[k]
    vol = vol.loc[result.rolling.index[0]:result.rolling.index[-1]]
    ax.plot(vol.index.to_numpy(), vol.to_numpy(), color=currency_color(k), linewidth=1.0,
            label=f"basket in {k}, trailing {result.window} days, annualized")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("volatility")
    ax.set_title(f"Volatility of the basket for a holder in {k}", fontsize="medium")
    ax.legend(loc="upper left", fontsize=7, frameon=False)


def _static_panels(fig: Figure, result: SpilloverResult) -> list[Axes]:
    ax_net, ax_map = fig.subplots(1, 2, width_ratios=[1, 1.35])
    codes = list(result.currencies)
    net = result.net.to_numpy()
    y = np.arange(len(codes))
    ax_net.barh(y, net, color=[currency_color(c) for c in codes])
    ax_net.set_yticks(y, codes)
    ax_net.invert_yaxis()
    ax_net.axvline(0.0, color="#999999", linewidth=0.8)
    ax_net.set_xlabel("net connectedness, percentage points (to - from others)")
    ax_net.set_title("Net transmitters (right) and receivers (left)", fontsize="medium")
    _style(ax_net)
    shares = result.shares.to_numpy()
    image = ax_map.imshow(shares, cmap="Blues", vmin=0.0, vmax=100.0)
    ax_map.set_xticks(y, codes)
    ax_map.set_yticks(y, codes)
    ax_map.set_xlabel("transmitter (shock to)")
    ax_map.set_ylabel("receiver (variance of)")
    for i in range(len(codes)):
        for j in range(len(codes)):
            ax_map.text(j, i, f"{shares[i, j]:.1f}", ha="center", va="center", fontsize=8,
                        color="white" if shares[i, j] > 55 else "#1a1a1a")
    ax_map.set_title(f"Spillover table, % (total {result.total:.1f}%)", fontsize="medium")
    fig.colorbar(image, ax=ax_map, shrink=0.8, label="share of the row's variance, %")
    return [ax_net, ax_map]


def spillover_figure(result: SpilloverResult, backtest: BacktestResult | None = None) -> Figure:
    """Draw connectedness: rolling index and net transmitters, or net bars and the table.

    Parameters
    ----------
    result : SpilloverResult
        What :func:`basket.spillover` returned.
    backtest : BacktestResult, optional
        With a rolling result: a backtest of the basket with values in the result's
        numeraire; its rolling volatility over the same window is drawn in a third panel.

    Returns
    -------
    matplotlib.figure.Figure
        With rolling figures: the total index (the full-sample value dashed) and each
        currency's net connectedness through time, stress episodes shaded (plus the basket's
        volatility). Without: net connectedness as bars and the spillover table as a heat map.

    Raises
    ------
    DataError
        Not a SpilloverResult; a backtest with a result that has no rolling figures, or without
        values in the result's numeraire.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> res = basket.spillover(start="2019-01-01", end="2020-12-31", lags=1, window=120)
    >>> [ax.get_title() for ax in spillover_figure(res).axes][1]
    'Net transmitters (above zero) and receivers (below)'
    """
    _check(result)
    rolling = result.rolling is not None and result.rolling_net is not None
    if backtest is not None and not rolling:
        raise DataError("the basket's volatility is drawn beside the rolling index only; run "
                        "basket.spillover with window=")
    if rolling:
        fig = _figure(10.5, 8.4 if backtest is not None else 6.4)
        _rolling_panels(fig, result, backtest)
    else:
        fig = _figure(11.0, 0.9 + max(3.4, 0.75 * len(result.currencies)))
        _static_panels(fig, result)
    fig.suptitle("\n".join(textwrap.wrap(result.describe(), 110)), fontsize=9.5)
    return fig


def save_spillover_figure(result: SpilloverResult, path: str | os.PathLike[str], *,
                          backtest: BacktestResult | None = None, dpi: int = 150) -> Path:
    """Save :func:`spillover_figure` to a PNG, SVG or PDF file (by its suffix), atomically.

    Parameters
    ----------
    result : SpilloverResult
    path : str or path-like
        ``.png``, ``.svg`` or ``.pdf``; the directory must exist.
    backtest : BacktestResult, optional
        See :func:`spillover_figure`.
    dpi : int, default 150

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    OutputError
        Unsupported suffix or missing directory (checked before drawing).
    """
    check_figure_path(path)
    return save_figure(spillover_figure(result, backtest), path, dpi=dpi)
