"""Charts of basket design: the optimiser's weights and volatilities (matplotlib, lazily).

Part of ``basket.plot``: :func:`optimization_figure` draws what :func:`basket.optimize`
returned, the optimal weights beside the benchmark's and the volatility each holder would have
had with either basket, in and out of sample (``basket optimize --plot FILE.png``). The stress
episodes are drawn by :func:`basket.plot.stress_bars`. Figures are built with the
object-oriented API on an Agg canvas: no :mod:`matplotlib.pyplot` state is touched.

Conventions, stated once: a currency has its colour of every chart
(:func:`~basket.plot.currency_color`); the optimum is drawn in the basket's near-black and the
benchmark in grey; in-sample bars are solid and out-of-sample bars hatched; weights and
volatilities (annualized) are percentages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basket.errors import DataError
from basket.plot._base import (
    BASKET_COLOR,
    _figure,
    _fit,
    _percent_axis,
    _style,
    _suptitle,
    currency_color,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["optimization_figure"]

_WHO = {"optimum": ("optimum", BASKET_COLOR), "benchmark": ("benchmark", "#9a9a9a")}
_WHEN = {"in_sample": ("in sample", None), "out_of_sample": ("out of sample", "////")}
_OBJECTIVES = {"worst": "the lowest worst-case volatility", "mean": "the lowest mean volatility",
               "single": "the lowest volatility"}


def _benchmark_title(result: Any) -> str:
    """The benchmark's title for people (its seed's title when it is a seed)."""
    name = getattr(result, "benchmark_title", None) or getattr(result, "benchmark", None)
    if not name:
        return "benchmark"
    try:
        from basket.spec import load_spec

        spec = load_spec(str(name))
    except (ValueError, OSError):
        return str(name)
    return str(spec.title or spec.name)


def _draw_weights(ax: Axes, table: pd.DataFrame, labels: dict[str, str]) -> None:
    """One stacked bar per basket (optimum on top), a segment per currency."""
    rows = [c for c in ("optimum", "benchmark") if c in table.columns]
    y = np.arange(len(rows))[::-1].astype(np.float64)
    left_pos = np.zeros(len(rows))
    left_neg = np.zeros(len(rows))
    for code, weights in table.iterrows():
        w = weights[rows].to_numpy(dtype=np.float64)
        start = np.where(w >= 0, left_pos, left_neg + w)
        ax.barh(y, np.abs(w), left=start, height=0.55, color=currency_color(str(code)),
                edgecolor="white", linewidth=0.8, label=str(code))
        for yi, s, wi in zip(y, start, w, strict=True):
            if abs(wi) >= 0.06:
                ax.text(s + abs(wi) / 2, yi, f"{wi:.0%}", ha="center", va="center",
                        fontsize="small", color="white", fontweight="bold")
        left_pos = left_pos + np.clip(w, 0, None)
        left_neg = left_neg + np.clip(w, None, 0)
    ax.set_yticks(y, [labels[r] for r in rows])
    ax.set_xlim(min(0.0, float(left_neg.min())), max(1.0, float(left_pos.max())))
    _percent_axis(ax, "x")
    ax.set_xlabel("share of the basket's value")
    ax.set_title("Weights")
    _style(ax)
    ax.grid(False, axis="y")


def _draw_volatility(ax: Axes, comparison: pd.DataFrame, labels: dict[str, str]) -> None:
    """Grouped bars per holder currency: optimum and benchmark, in and out of sample."""
    series = [(who, when) for who in _WHO for when in _WHEN
              if f"{who}_{when}" in comparison.columns]
    if not series:
        raise DataError("the optimization result has no in- or out-of-sample volatility "
                        "columns; pass what basket.optimize() returns")
    ks = [str(k) for k in comparison.index]
    x = np.arange(len(ks), dtype=np.float64)
    width = 0.8 / len(series)
    for j, (who, when) in enumerate(series):
        color = _WHO[who][1]
        hatch = _WHEN[when][1]
        values = comparison[f"{who}_{when}"].to_numpy(dtype=np.float64)
        ax.bar(x - 0.4 + width * (j + 0.5), np.where(np.isfinite(values), values, 0.0),
               width=width * 0.92, color="white" if hatch else color, edgecolor=color,
               hatch=hatch, linewidth=1.0, label=f"{labels[who]}, {_WHEN[when][0]}")
    ax.set_xticks(x, [f"in {k}" for k in ks])
    ax.set_ylabel("annualized volatility")
    ax.set_title("Volatility for a holder of each currency")
    _percent_axis(ax)
    _style(ax)
    ax.grid(False, axis="x")


def optimization_figure(result: Any) -> Figure:
    """Plot an optimization: the weights beside the benchmark's, and each holder's volatility.

    Parameters
    ----------
    result : OptimizationResult
        What :func:`basket.optimize` returned (``weights_table()``, ``comparison``,
        ``objective``, ``numeraires``, ``window``, ``evaluate`` and ``benchmark`` are used).

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: left, one stacked bar per basket (the optimum, then the benchmark) split by
        currency; right, per holder currency, the realized volatility of the fixed-amounts
        optimum and benchmark on the estimation window (solid) and out of sample (hatched).

    Raises
    ------
    DataError
        A result without the volatility columns.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> res = basket.optimize(objective="worst", window=("2016-01-01", "2018-12-31"),
    ...                       evaluate=("2019-01-01", "2019-12-31"))
    >>> fig = basket.plot.optimization_figure(res)
    >>> [ax.get_title() for ax in fig.axes]
    ['Weights', 'Volatility for a holder of each currency']
    """
    table = result.weights_table()
    labels = {"optimum": "optimum", "benchmark": _benchmark_title(result)}
    fig = _figure(12.0, 5.2)
    left, right = fig.subplots(1, 2, width_ratios=(1.0, 1.25))
    _draw_weights(left, table, labels)
    _draw_volatility(right, result.comparison, labels)
    fig.legend(*left.get_legend_handles_labels(), loc="outside lower left",
               ncols=min(6, len(table)), frameon=False, fontsize="small")
    fig.legend(*right.get_legend_handles_labels(), loc="outside lower right", ncols=2,
               frameon=False, fontsize="small")
    ks = ", ".join(result.numeraires)
    window = f"estimated {result.window[0].date()} to {result.window[1].date()}"
    if result.evaluate is not None:
        window += f", out of sample {result.evaluate[0].date()} to {result.evaluate[1].date()}"
    what = _OBJECTIVES.get(result.objective, f"the {result.objective} volatility")
    _suptitle(fig, f"Basket weights with {what} for holders in {ks}, vs {labels['benchmark']}"
                   f"\n{window}")
    return _fit(fig)
