"""The underwater chart of a backtest: how far below its running peak the basket stood.

Part of ``basket.plot``: :func:`underwater_chart` draws, per holder currency, the drawdown
``V / running max(V) - 1`` of :func:`basket.valuation.periods.drawdown` and numbers the deepest
episodes of :func:`basket.valuation.periods.drawdown_episodes` at their troughs, so the chart
reads beside the report's table of the worst drawdowns. Object-oriented API on an Agg canvas;
no :mod:`matplotlib.pyplot` state is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from basket.plot._base import (
    _date_axis,
    _fit,
    _grid,
    _name,
    _percent_axis,
    _pick,
    _style,
    _suptitle,
    currency_color,
)
from basket.valuation.periods import drawdown, drawdown_episodes

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from basket.valuation.results import BacktestResult

__all__ = ["underwater_chart"]


def underwater_chart(
    result: BacktestResult,
    numeraires: Sequence[str] | str | None = None,
    *,
    top: int = 5,
) -> Figure:
    """Plot the basket's drawdown from its running peak, one panel per numeraire.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    numeraires : str or sequence of str, optional
        Holder currencies to show (default: all of the result's).
    top : int, default 5
        Number the ``top`` deepest drawdown episodes at their troughs (1 the deepest).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per numeraire (shared y): the drawdown shaded in the numeraire's colour,
        zero at a new peak, with the deepest episodes numbered.

    Raises
    ------
    DataError
        A numeraire not in the result, ``top`` below 1.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    >>> fig = basket.plot.underwater_chart(res, ["USD", "EUR"])
    >>> [ax.get_title() for ax in fig.axes]
    ['held in USD (deepest -1.9%)', 'held in EUR (deepest -1.6%)']
    """
    ks = _pick(result.numeraires, numeraires, "numeraire")
    fig, axes, _ = _grid(len(ks), panel=(4.6, 2.6), sharey=True)
    for ax, k in zip(axes, ks, strict=True):
        values = result.values[k]
        dd = drawdown(values)
        episodes = drawdown_episodes(values, top=top)
        color = currency_color(k)
        x = dd.index.to_numpy()
        ax.fill_between(x, dd.to_numpy(), 0.0, color=color, alpha=0.35, linewidth=0)
        ax.plot(x, dd.to_numpy(), color=color, linewidth=0.8)
        ax.axhline(0.0, color="#888888", linewidth=0.8)
        for rank, row in episodes.iterrows():
            ax.annotate(str(rank), (row["trough"], row["depth"]), textcoords="offset points",
                        xytext=(0, -9), ha="center", fontsize="x-small", fontweight="bold")
        deepest = float(episodes["depth"].iloc[0]) if len(episodes) else 0.0
        ax.set_title(f"held in {k} (deepest {deepest:.1%})", fontsize="medium")
        _percent_axis(ax)
        _style(ax)
        _date_axis(ax)
    axes[0].set_ylim(top=0.0)
    axes[0].margins(y=0.12)
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel("below the running peak")
    _suptitle(fig, f"{_name(result)}: drawdown from the running peak, "
                   f"{result.start.date()} to {result.end.date()} (numbers: the {top} deepest)")
    return _fit(fig)
