"""Charts of backtests, simulations and stress tests (matplotlib, imported lazily).

Available as ``basket.plot``. Every function takes a result object and returns a
:class:`matplotlib.figure.Figure` built with the object-oriented API: no :mod:`matplotlib.pyplot`
state is touched, nothing is shown, and figures can be saved with an Agg canvas from scripts,
notebooks or the CLI (``basket backtest --plot FILE.png``).

Conventions, stated once:

* a currency has the same colour in every figure (:data:`CURRENCY_COLORS`, with a deterministic
  fallback for other codes from :func:`currency_color`); the basket itself is drawn in near-black;
* values are indexed to 1 on the first date shown, so holders in different currencies compare;
* "a constituent held alone, measured in numeraire k" is ``P_c / P_k`` (USD per unit of ``c``
  over USD per unit of ``k``), recovered from the result as ``w_c * V_k / u_c`` (its value share
  times the basket's value in ``k`` over the units held), so no FX data is reloaded;
* volatilities, weights, changes and drawdowns are shown as percentages.

matplotlib is an optional dependency: ``pip install 'libra-basket[plot]'``.

Layout: this module holds the backtest charts; the shared machinery (colours, lazy import,
saving) lives in :mod:`basket.plot._base`, the simulation and stress charts in
:mod:`basket.plot.outlook` and the reserve charts in :mod:`basket.plot.treasury`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from basket.errors import DataError
from basket.plot._base import (
    BASKET_COLOR,
    _date_axis,
    _figure,
    _fit,
    _grid,
    _legend,
    _name,
    _percent_axis,
    _pick,
    _style,
    _suptitle,
    check_figure_path,
    currency_color,
    save_figure,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from basket.valuation.results import BacktestResult

__all__ = [
    "backtest_figure",
    "risk_contribution_bars",
    "rolling_volatility_chart",
    "save_backtest_figure",
    "value_chart",
    "weights_chart",
]


# --------------------------------------------------------------------------- helpers
def _period(result: BacktestResult) -> str:
    return f"{result.start.date()} to {result.end.date()}"


_SOURCE_NAMES = {"ecb": "ECB reference rates", "yahoo": "Yahoo Finance"}


def _in(k: str) -> str:
    """How a numeraire column reads in a legend: ``in EUR``, or ``level`` for an index."""
    return "level" if k == "level" else f"in {k}"


def _is_index(result: BacktestResult) -> bool:
    return bool(getattr(getattr(result, "spec", None), "is_index", False))


def _how(result: BacktestResult) -> str:
    if _is_index(result) and result.rule == "none":
        return "index level"
    return "fixed amounts" if result.rule == "none" else f"rebalanced {result.rule}"


def _source(result: BacktestResult) -> str:
    return _SOURCE_NAMES.get(result.source, f"source {result.source}")


def _subtitle(result: BacktestResult) -> str:
    return f"{_name(result)} · {_period(result)} · {_how(result)} · {_source(result)}"


def _held_alone(result: BacktestResult, numeraire: str) -> pd.DataFrame:
    """Each constituent held alone, measured in ``numeraire``, indexed like the basket.

    ``P_c / P_k = w_c * V_k / u_c``; a constituent held from the first date starts at 1, one that
    enters later (the renminbi in the SDR) starts at the basket's indexed value on its first day.
    """
    v = result.values[numeraire]
    units = result.units.to_numpy(dtype=np.float64)
    weights = result.weights.to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(units > 0, weights * v.to_numpy()[:, None] / units, np.nan)
    frame = pd.DataFrame(ratio, index=result.values.index, columns=result.units.columns)
    basket = v / v.iloc[0]
    out = {}
    for c in frame.columns:
        s = frame[c]
        valid = s.notna()
        if not valid.any():
            continue
        first = s.index[valid.to_numpy().argmax()]
        out[str(c)] = s / s.loc[first] * basket.loc[first]
    return pd.DataFrame(out, index=frame.index)


# --------------------------------------------------------------------------- drawing
def _draw_values(ax: Axes, result: BacktestResult, numeraires: list[str]) -> None:
    idx = result.values.index.to_numpy()
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    for k in numeraires:
        v = result.values[k].to_numpy()
        ax.plot(idx, v / v[0], color=currency_color(k), linewidth=1.4, label=_in(k))
    ax.set_ylabel("value (start = 1)")
    ax.set_title("Index level" if _is_index(result) else "Basket value by holder currency")
    ax.legend(loc="best", fontsize="small", ncols=2)
    _style(ax)
    _date_axis(ax)


def _draw_rolling(ax: Axes, result: BacktestResult, numeraires: list[str], window: int) -> None:
    roll = result.rolling_volatility(window)
    idx = roll.index.to_numpy()
    for k in numeraires:
        full = float(result.metrics.loc[k, "volatility"])
        ax.plot(idx, roll[k].to_numpy(), color=currency_color(k), linewidth=1.2,
                label=f"{_in(k)} (whole period {full:.1%})")
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"volatility, trailing {window} days, annualized")
    ax.set_title("Rolling one-year volatility of the basket" if window == 252
                 else f"Rolling {window}-day volatility of the basket")
    ax.legend(loc="best", fontsize="small")
    _percent_axis(ax)
    _style(ax)
    _date_axis(ax)


def _draw_weights(ax: Axes, result: BacktestResult, target: bool) -> None:
    w = result.weights.where(result.units > 0)  # not held (the renminbi before 2016): a gap
    idx = w.index.to_numpy()
    for c in w.columns:
        ax.plot(idx, w[c].to_numpy(), color=currency_color(str(c)), linewidth=1.3, label=str(c))
    spec = result.spec
    if target and spec.weights is not None:
        for c, wc in spec.weights.items():
            ax.axhline(wc, color=currency_color(c), linewidth=0.8, linestyle=(0, (4, 3)),
                       alpha=0.8)
    resets = pd.DatetimeIndex(result.rebalance_dates)
    what = "rebalancing" if result.rule != "none" else "new amounts"
    if len(resets) > 24:  # a rug along the bottom instead of a wall of lines
        ax.scatter(resets.to_numpy(), np.full(len(resets), 0.015), marker="|", s=60,
                   color="#555555", linewidths=0.8, transform=ax.get_xaxis_transform(),
                   label=f"{what} ({len(resets)} dates)")
    else:
        for i, d in enumerate(resets):
            ax.axvline(d, color="#777777", linewidth=0.9, linestyle=":",
                       label=f"{what} ({len(resets)} dates)" if i == 0 else None)
    if spec.weights is not None and spec.base_date is not None:
        base = pd.Timestamp(spec.base_date)
        if w.index[0] <= base <= w.index[-1]:
            ax.axvline(base, color=BASKET_COLOR, linewidth=0.9, linestyle="--",
                       label=f"base date {base.date()}")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("share of the basket's value")
    ax.set_title("Realized weights (dashed: targets)" if target and spec.weights
                 else "Realized weights")
    ax.legend(loc="best", fontsize="small", ncols=2)
    _percent_axis(ax)
    _style(ax)
    _date_axis(ax)


def _draw_contributions(ax: Axes, result: BacktestResult, numeraires: list[str]) -> None:
    rc = result.risk_contribution.loc[numeraires]
    x = np.arange(len(numeraires), dtype=np.float64)
    pos = np.zeros(len(numeraires))
    neg = np.zeros(len(numeraires))
    for c in rc.columns:
        h = rc[c].to_numpy(dtype=np.float64)
        h = np.where(np.isfinite(h), h, 0.0)
        bottom = np.where(h >= 0, pos, neg)
        ax.bar(x, h, bottom=bottom, width=0.62, color=currency_color(str(c)), label=str(c),
               edgecolor="white", linewidth=0.5)
        pos = pos + np.clip(h, 0, None)
        neg = neg + np.clip(h, None, 0)
    total = result.metrics.loc[numeraires, "volatility"].to_numpy(dtype=np.float64)
    ax.scatter(x, total, marker="D", color=BASKET_COLOR, zorder=3, s=22,
               label="basket volatility")
    for xi, t in zip(x, total, strict=True):
        ax.annotate(f"{t:.1%}", (xi, t), textcoords="offset points", xytext=(0, 6),
                    ha="center", fontsize="small")
    ax.axhline(0, color="#888888", linewidth=0.8)
    ax.set_xticks(x, [_in(k) for k in numeraires])
    ax.set_ylabel("contribution to annualized volatility")
    ax.set_title("Risk contributions by constituent")
    ax.set_ylim(top=max(float(np.nanmax(pos)), float(np.nanmax(total))) * 1.18)
    ax.legend(loc="best", fontsize="small", ncols=2)
    _percent_axis(ax)
    _style(ax)
    ax.grid(False, axis="x")


# --------------------------------------------------------------------------- public charts
def value_chart(
    result: BacktestResult,
    numeraires: Sequence[str] | str | None = None,
    *,
    constituents: bool = True,
) -> Figure:
    """Plot the basket's value through time in each numeraire, indexed to 1 at the start.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    numeraires : str or sequence of str, optional
        Holder currencies to show (default: every numeraire of the result, in its order).
    constituents : bool, default True
        True: one panel per numeraire, the basket (black) beside each constituent held alone
        and measured in that numeraire, for contrast. False: a single panel with one line
        per numeraire.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per numeraire (``constituents=True``) or a single axes.

    Raises
    ------
    DataError
        A numeraire that is not in the result.
    PlotDependencyError
        matplotlib is not installed.

    See Also
    --------
    backtest_figure : the four-panel summary.

    Notes
    -----
    A constituent held alone in numeraire ``k`` is worth ``P_c / P_k``; a constituent entering
    the basket later (the renminbi in the SDR, 2016) starts on the basket's line.

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    >>> fig = basket.plot.value_chart(res)
    >>> len([ax for ax in fig.axes if ax.axison])
    5
    """
    ks = _pick(result.numeraires, numeraires, "numeraire")
    if not constituents:
        fig = _figure(10, 5.2)
        ax = fig.add_subplot()
        _draw_values(ax, result, ks)
        _suptitle(fig, _subtitle(result))
        return _fit(fig)
    fig, axes, spare = _grid(len(ks), sharey=True)
    handles: dict[str, Any] = {}
    for ax, k in zip(axes, ks, strict=True):
        alone = _held_alone(result, k)
        idx = alone.index.to_numpy()
        ax.axhline(1.0, color="#888888", linewidth=0.8)
        for c in alone.columns:
            if c == k:
                continue
            (line,) = ax.plot(idx, alone[c].to_numpy(), color=currency_color(c),
                              linewidth=0.9, alpha=0.85)
            handles.setdefault(f"{c} held alone", line)
        v = result.values[k].to_numpy()
        (line,) = ax.plot(idx, v / v[0], color=BASKET_COLOR, linewidth=1.8)
        handles.setdefault("basket", line)
        vol = float(result.metrics.loc[k, "volatility"])
        ax.set_title(f"held in {k} (basket volatility {vol:.1%})", fontsize="medium")
        _style(ax)
        _date_axis(ax)
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel("value (start = 1)")
    order = ["basket"] + [f"{c} held alone" for c in result.units.columns
                          if f"{c} held alone" in handles]
    _legend(fig, spare, [handles[h] for h in order], order)
    _suptitle(fig, f"Value to a holder of each currency: the basket vs each constituent held "
                   f"alone\n{_subtitle(result)}")
    return _fit(fig)


def rolling_volatility_chart(
    result: BacktestResult,
    window: int = 252,
    numeraires: Sequence[str] | str | None = None,
    *,
    constituents: bool = False,
) -> Figure:
    """Plot the basket's trailing (one-year by default) volatility per numeraire.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    window : int, default 252
        Trailing window in daily returns (252: one year).
    numeraires : str or sequence of str, optional
        Holder currencies to show (default: all of the result's).
    constituents : bool, default False
        False: one panel, one line per numeraire (the whole-period volatility in the legend).
        True: one panel per numeraire, the basket (black) beside each constituent held alone.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    DataError
        A numeraire not in the result, or fewer than ``window + 1`` dates.
    PlotDependencyError
        matplotlib is not installed.

    Notes
    -----
    Volatility is the sample standard deviation of daily log returns over the window times
    ``sqrt(result.periods_per_year)`` (see :mod:`basket.valuation.metrics`).

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2017-01-02", end="2019-12-31")
    >>> fig = basket.plot.rolling_volatility_chart(res)
    >>> len(fig.axes[0].get_lines())
    5
    """
    ks = _pick(result.numeraires, numeraires, "numeraire")
    if not isinstance(window, (int, np.integer)) or isinstance(window, bool) or window < 2:
        raise DataError(f"window {window!r} must be a whole number of days, at least 2")
    if len(result.values) <= window:
        raise DataError(
            f"a {window}-day rolling volatility needs more than {window} dates; the result has "
            f"{len(result.values)}: widen the date range or shorten the window"
        )
    if not constituents:
        fig = _figure(10, 5.2)
        ax = fig.add_subplot()
        _draw_rolling(ax, result, ks, int(window))
        _suptitle(fig, _subtitle(result))
        return _fit(fig)
    from basket.valuation.metrics import rolling_volatility

    fig, axes, spare = _grid(len(ks), sharey=True)
    handles: dict[str, Any] = {}
    ppy = result.periods_per_year
    top = 0.0
    for ax, k in zip(axes, ks, strict=True):
        alone = _held_alone(result, k).drop(columns=[k], errors="ignore")
        for c in alone.columns:
            s = alone[c].dropna()
            if len(s) <= window:
                continue
            r = rolling_volatility(s, int(window), ppy)
            arr = np.asarray(r, dtype=np.float64)
            top = max(top, float(np.nanmax(arr)))
            (line,) = ax.plot(r.index.to_numpy(), arr, color=currency_color(c), linewidth=0.9,
                              alpha=0.85)
            handles.setdefault(f"{c} held alone", line)
        rb = result.rolling_volatility(int(window))[k]
        top = max(top, float(np.nanmax(rb.to_numpy())))
        (line,) = ax.plot(rb.index.to_numpy(), rb.to_numpy(), color=BASKET_COLOR, linewidth=1.8)
        handles.setdefault("basket", line)
        ax.set_title(f"held in {k}", fontsize="medium")
        _percent_axis(ax)
        _style(ax)
        _date_axis(ax)
    axes[0].set_ylim(0, top * 1.05)  # the panels share y
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel(f"{window}-day volatility")
    order = ["basket"] + [f"{c} held alone" for c in result.units.columns
                          if f"{c} held alone" in handles]
    _legend(fig, spare, [handles[h] for h in order], order)
    _suptitle(fig, f"Rolling volatility, basket vs each constituent held alone\n"
                   f"{_subtitle(result)}")
    return _fit(fig)


def weights_chart(result: BacktestResult, *, target: bool = True) -> Figure:
    """Plot the realized weights drifting under fixed amounts, and the rebalancing dates.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    target : bool, default True
        Draw each target weight as a dashed line (baskets stated by weights).

    Returns
    -------
    matplotlib.figure.Figure
        A single axes: one line per constituent, grey vertical lines on rebalancing dates and
        a dashed black line on the base date.

    Raises
    ------
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31",
    ...                       rebalance="quarterly")
    >>> fig = basket.plot.weights_chart(res)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:5]
    ['USD', 'EUR', 'JPY', 'GBP', 'SGD']
    """
    fig = _figure(10, 5.2)
    ax = fig.add_subplot()
    _draw_weights(ax, result, target)
    _suptitle(fig, _subtitle(result))
    return _fit(fig)


def risk_contribution_bars(
    result: BacktestResult, numeraires: Sequence[str] | str | None = None
) -> Figure:
    """Plot each constituent's contribution to the basket's volatility, per numeraire.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    numeraires : str or sequence of str, optional
        Holder currencies (one stacked bar each; default: all of the result's).

    Returns
    -------
    matplotlib.figure.Figure
        A single axes: per numeraire, a bar stacked by constituent (negative, diversifying
        contributions stack below zero) and a black diamond at the basket's volatility.

    Raises
    ------
    DataError
        A numeraire not in the result.
    PlotDependencyError
        matplotlib is not installed.

    Notes
    -----
    The contributions (see :func:`basket.valuation.metrics.risk_contributions`: each constituent's share
    of the variance of the basket's daily return times its annualized volatility; the Euler
    decomposition for constant weights) sum to the basket's volatility in each numeraire; the
    numeraire's own currency contributes nothing.

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2019-01-02", end="2019-12-31")
    >>> fig = basket.plot.risk_contribution_bars(res)
    >>> len(fig.axes[0].patches)   # 5 numeraires x 5 constituents
    25
    """
    ks = _pick(result.numeraires, numeraires, "numeraire")
    fig = _figure(max(6.0, 1.5 * len(ks) + 3), 5.2)
    ax = fig.add_subplot()
    _draw_contributions(ax, result, ks)
    _suptitle(fig, _subtitle(result))
    return _fit(fig)


def backtest_figure(
    result: BacktestResult,
    numeraires: Sequence[str] | str | None = None,
    *,
    window: int = 252,
) -> Figure:
    """Build the four-panel summary of a backtest, sized for a slide.

    Panels: the value in each numeraire (indexed to 1), the rolling volatility, the realized
    weights with rebalancing dates, and the risk contributions.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    numeraires : str or sequence of str, optional
        Holder currencies to show (default: all of the result's).
    window : int, default 252
        Rolling-volatility window in daily returns; the panel is left out when the result is
        too short for it.

    Returns
    -------
    matplotlib.figure.Figure
        Four axes on a 2 x 2 grid (three when the rolling panel is left out).

    Raises
    ------
    DataError
        A numeraire not in the result.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import basket
    >>> res = basket.backtest("libra-2019", start="2018-01-02", end="2019-12-31")
    >>> len(basket.plot.backtest_figure(res).axes)
    4
    """
    ks = _pick(result.numeraires, numeraires, "numeraire")
    fig = _figure(15, 9)
    axes = fig.subplots(2, 2)
    _draw_values(axes[0, 0], result, ks)
    if len(result.values) > window:
        _draw_rolling(axes[0, 1], result, ks, window)
    else:
        fig.delaxes(axes[0, 1])
    _draw_weights(axes[1, 0], result, True)
    _draw_contributions(axes[1, 1], result, ks)
    _suptitle(fig, _subtitle(result), fontsize="x-large")
    return _fit(fig)


# --------------------------------------------------------------------------- saving
def save_backtest_figure(
    result: BacktestResult, path: str | os.PathLike[str], *, dpi: int = 150
) -> Path:
    """Save :func:`backtest_figure` of a backtest to a PNG, SVG or PDF file.

    This is what ``basket backtest --plot FILE.png`` writes.

    Parameters
    ----------
    result : BacktestResult
        What :func:`basket.backtest` returned.
    path : str or path-like
        ``.png``, ``.svg`` or ``.pdf``; the directory must exist.
    dpi : int, default 150
        Resolution of a PNG.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DataError
        Unsupported suffix or missing directory (checked before drawing).
    PlotDependencyError
        matplotlib is not installed.
    """
    check_figure_path(path)
    return save_figure(backtest_figure(result), path, dpi=dpi)
