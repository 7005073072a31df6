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
"""

from __future__ import annotations

import io
import os
import re
import types
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from .errors import BasketError, DataError

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import BacktestResult

__all__ = [
    "BASKET_COLOR",
    "CURRENCY_COLORS",
    "PlotDependencyError",
    "backtest_figure",
    "currency_color",
    "fan_chart",
    "risk_contribution_bars",
    "rolling_volatility_chart",
    "save_backtest_figure",
    "save_figure",
    "save_simulation_figure",
    "stress_bars",
    "value_chart",
    "weights_chart",
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

_PERCENTILE = re.compile(r"^[pPqQ]?(\d+(?:\.\d+)?)$")


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


def _period(result: BacktestResult) -> str:
    return f"{result.start.date()} to {result.end.date()}"


_SOURCE_NAMES = {"ecb": "ECB reference rates", "yahoo": "Yahoo Finance"}


def _how(result: BacktestResult) -> str:
    return "fixed amounts" if result.rule == "none" else f"rebalanced {result.rule}"


def _source(result: BacktestResult) -> str:
    return _SOURCE_NAMES.get(result.source, f"source {result.source}")


def _subtitle(result: BacktestResult) -> str:
    return f"{_name(result)} · {_period(result)} · {_how(result)} · {_source(result)}"


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


def _legend(fig: Figure, spare: list[Axes], handles: list[Any], labels: list[str]) -> None:
    """One legend for a grid: in the first unused panel if there is one, else below."""
    if spare:
        spare[0].legend(handles, labels, loc="center", frameon=False)
    else:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 7),
                   frameon=False)


# --------------------------------------------------------------------------- drawing
def _draw_values(ax: Axes, result: BacktestResult, numeraires: list[str]) -> None:
    idx = result.values.index.to_numpy()
    ax.axhline(1.0, color="#888888", linewidth=0.8)
    for k in numeraires:
        v = result.values[k].to_numpy()
        ax.plot(idx, v / v[0], color=currency_color(k), linewidth=1.4, label=f"in {k}")
    ax.set_ylabel("value (first date = 1)")
    ax.set_title("Basket value by holder currency")
    ax.legend(loc="best", fontsize="small", ncols=2)
    _style(ax)
    _date_axis(ax)


def _draw_rolling(ax: Axes, result: BacktestResult, numeraires: list[str], window: int) -> None:
    roll = result.rolling_volatility(window)
    idx = roll.index.to_numpy()
    for k in numeraires:
        full = float(result.metrics.loc[k, "volatility"])
        ax.plot(idx, roll[k].to_numpy(), color=currency_color(k), linewidth=1.2,
                label=f"in {k} (whole period {full:.1%})")
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"volatility, trailing {window} days, annualised")
    ax.set_title("Rolling one-year volatility of the basket" if window == 252
                 else f"Rolling {window}-day volatility of the basket")
    ax.legend(loc="best", fontsize="small")
    _percent_axis(ax, decimals=0)
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
    ax.set_title("Realised weights (dashed: targets)" if target and spec.weights
                 else "Realised weights")
    ax.legend(loc="best", fontsize="small", ncols=2)
    _percent_axis(ax, decimals=0)
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
    ax.set_xticks(x, [f"in {k}" for k in numeraires])
    ax.set_ylabel("contribution to annualised volatility")
    ax.set_title("Risk contributions by constituent")
    ax.set_ylim(top=max(float(np.nanmax(pos)), float(np.nanmax(total))) * 1.18)
    ax.legend(loc="best", fontsize="small", ncols=2)
    _percent_axis(ax, decimals=1)
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
        fig.suptitle(_subtitle(result), fontweight="bold")
        return fig
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
        ax.set_ylabel("value (first date = 1)")
    order = ["basket"] + [h for h in handles if h != "basket"]
    _legend(fig, spare, [handles[h] for h in order], order)
    fig.suptitle(
        f"Value to a holder of each currency: the basket vs each constituent held alone\n"
        f"{_subtitle(result)}",
        fontweight="bold",
    )
    return fig


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
    ``sqrt(result.periods_per_year)`` (see :mod:`basket.metrics`).

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
        fig.suptitle(f"{_subtitle(result)}", fontweight="bold")
        return fig
    from .metrics import rolling_volatility

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
        _percent_axis(ax, decimals=0)
        _style(ax)
        _date_axis(ax)
    axes[0].set_ylim(0, top * 1.05)  # the panels share y
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel(f"{window}-day volatility")
    order = ["basket"] + [h for h in handles if h != "basket"]
    _legend(fig, spare, [handles[h] for h in order], order)
    fig.suptitle(f"Rolling volatility, basket vs each constituent held alone\n"
                 f"{_subtitle(result)}", fontweight="bold")
    return fig


def weights_chart(result: BacktestResult, *, target: bool = True) -> Figure:
    """Plot the realised weights drifting under fixed amounts, and the rebalancing dates.

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
    fig.suptitle(_subtitle(result), fontweight="bold")
    return fig


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
    The contributions (see :func:`basket.metrics.risk_contributions`: each constituent's share
    of the variance of the basket's daily return times its annualised volatility; the Euler
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
    fig.suptitle(_subtitle(result), fontweight="bold")
    return fig


def backtest_figure(
    result: BacktestResult,
    numeraires: Sequence[str] | str | None = None,
    *,
    window: int = 252,
) -> Figure:
    """Build the four-panel summary of a backtest, sized for a slide.

    Panels: the value in each numeraire (indexed to 1), the rolling volatility, the realised
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
    fig.suptitle(_subtitle(result), fontsize="x-large", fontweight="bold")
    return fig


def _bands(frame: pd.DataFrame) -> list[tuple[float, Any]]:
    out = []
    for col in frame.columns:
        m = _PERCENTILE.match(str(col).strip())
        if m is None:
            raise DataError(
                f"fan column {col!r} is not a percentile band; expected names like p5, p50, p95"
            )
        out.append((float(m.group(1)), col))
    return sorted(out, key=lambda t: t[0])


def _fmt_pct(p: float) -> str:
    return f"p{p:g}"


def fan_chart(result: Any, numeraires: Sequence[str] | str | None = None) -> Figure:
    """Plot Monte Carlo percentile bands (a fan) for each numeraire.

    Parameters
    ----------
    result : SimulationResult or any object with a ``fan`` attribute
        ``fan`` maps a numeraire to a DataFrame: rows simulated dates (or steps), columns
        percentile bands named like ``p5, p25, p50, p75, p95`` (basket value in that numeraire).
        ``spec``, ``n_paths`` and ``horizon`` are used in the title when present.
    numeraires : str or sequence of str, optional
        Which fans to draw (default: all, in the mapping's order).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per numeraire: nested shaded bands (outer percentiles lighter) and the
        median as a line, in the numeraire's colour.

    Raises
    ------
    DataError
        No ``fan`` mapping, an empty fan, a column that is not a percentile or an unknown
        numeraire.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import types, pandas as pd
    >>> band = pd.DataFrame({"p5": [1.0, 0.9], "p50": [1.0, 1.0], "p95": [1.0, 1.1]})
    >>> fig = fan_chart(types.SimpleNamespace(fan={"USD": band, "EUR": band}))
    >>> len(fig.axes)
    2
    """
    fans = getattr(result, "fan", None)
    if not isinstance(fans, Mapping) or not fans:
        raise DataError("fan_chart needs a result with a non-empty 'fan' mapping; "
                        "pass what basket.simulate() returns")
    ks = _pick([str(k) for k in fans], numeraires, "numeraire")
    fig, axes, _ = _grid(len(ks), panel=(4.8, 3.4))
    for ax, k in zip(axes, ks, strict=True):
        frame = fans[k]
        if not isinstance(frame, pd.DataFrame) or frame.empty:
            raise DataError(f"the fan for {k} is empty; nothing to plot")
        bands = _bands(frame)
        color = currency_color(k)
        is_dates = isinstance(frame.index, pd.DatetimeIndex)
        x = frame.index.to_numpy()
        lo, hi = 0, len(bands) - 1
        depth = 0
        n_pairs = len(bands) // 2
        while lo < hi:
            (p_lo, c_lo), (p_hi, c_hi) = bands[lo], bands[hi]
            alpha = 0.15 + 0.25 * depth / max(1, n_pairs - 1) if n_pairs > 1 else 0.3
            ax.fill_between(x, frame[c_lo].to_numpy(dtype=np.float64),
                            frame[c_hi].to_numpy(dtype=np.float64), color=color, alpha=alpha,
                            linewidth=0, label=f"{_fmt_pct(p_lo)}–{_fmt_pct(p_hi)}")
            lo, hi, depth = lo + 1, hi - 1, depth + 1
        if lo == hi:
            p_mid, c_mid = bands[lo]
            ax.plot(x, frame[c_mid].to_numpy(dtype=np.float64), color=color, linewidth=1.6,
                    label="median" if p_mid == 50 else _fmt_pct(p_mid))
        ax.set_title(f"held in {k}", fontsize="medium")
        ax.set_ylabel(f"basket value in {k}")
        ax.legend(loc="upper left", fontsize="x-small")
        _style(ax)
        if is_dates:
            _date_axis(ax)
        else:
            ax.set_xlabel("trading days ahead")
    bits = []
    for attr, label in (("n_paths", "paths"), ("horizon", "days ahead")):
        val = getattr(result, attr, None)
        if isinstance(val, (int, np.integer)):
            bits.append(f"{int(val):,} {label}")
    extra = f" ({', '.join(bits)})" if bits else ""
    fig.suptitle(f"{_name(result)}: Monte Carlo outlook{extra}", fontweight="bold")
    return fig


def stress_bars(
    result: Any,
    value: Literal["change", "max_drawdown"] = "change",
    numeraires: Sequence[str] | str | None = None,
) -> Figure:
    """Plot the basket and each currency through historical stress episodes, per numeraire.

    Parameters
    ----------
    result : StressResult or any object with a ``table`` attribute
        ``table`` is a tidy DataFrame with columns ``episode``, ``numeraire``, ``holding``
        (``"basket"`` or a currency code), ``change`` and ``max_drawdown`` (fractions).
    value : {"change", "max_drawdown"}, default "change"
        Which column to draw.
    numeraires : str or sequence of str, optional
        Holder currencies (default: all in the table, in order of appearance).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per numeraire: horizontal bars grouped by episode, one bar per holding
        (basket in black, currencies in their colours).

    Raises
    ------
    DataError
        No ``table``, a missing column, an empty table or an unknown numeraire.
    PlotDependencyError
        matplotlib is not installed.

    Examples
    --------
    >>> import types, pandas as pd
    >>> table = pd.DataFrame({"episode": ["GFC", "GFC"], "numeraire": ["USD", "USD"],
    ...                       "holding": ["basket", "EUR"], "change": [-0.05, -0.1],
    ...                       "max_drawdown": [-0.07, -0.15]})
    >>> fig = stress_bars(types.SimpleNamespace(table=table))
    >>> len(fig.axes[0].patches)
    2
    """
    if value not in ("change", "max_drawdown"):
        raise DataError(f"value {value!r} is unknown; use 'change' or 'max_drawdown'")
    table = getattr(result, "table", None)
    if not isinstance(table, pd.DataFrame):
        raise DataError("stress_bars needs a result with a 'table' DataFrame; "
                        "pass what basket.stress() returns")
    need = ["episode", "numeraire", "holding", value]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise DataError(f"the stress table lacks column {missing[0]!r}; expected episode, "
                        "numeraire, holding, change and max_drawdown (basket.stress().table)")
    if table.empty:
        raise DataError("the stress table is empty; no episode falls within the data")
    available = [str(k) for k in pd.unique(table["numeraire"])]
    ks = _pick(available, numeraires, "numeraire")
    episodes = [str(e) for e in pd.unique(table["episode"])]
    holdings = [str(h) for h in pd.unique(table["holding"])]
    if "basket" in holdings:
        holdings = ["basket"] + [h for h in holdings if h != "basket"]
    height = 0.8 / max(1, len(holdings))
    panel_height = max(2.6, 0.1 * len(episodes) * len(holdings) + 1.2)
    fig, axes, spare = _grid(len(ks), panel=(4.6, panel_height), sharey=True)
    handles: dict[str, Any] = {}
    for ax, k in zip(axes, ks, strict=True):
        sub = table[table["numeraire"].astype(str) == k]
        grid = sub.pivot_table(index="episode", columns="holding", values=value, aggfunc="first")
        for j, h in enumerate(holdings):
            if h not in grid.columns:
                continue
            vals = grid[h].reindex(episodes).to_numpy(dtype=np.float64)
            y = np.arange(len(episodes)) - 0.4 + height * (j + 0.5)
            color = BASKET_COLOR if h == "basket" else currency_color(h)
            bars = ax.barh(y, np.where(np.isfinite(vals), vals, 0.0), height=height * 0.92,
                           color=color)
            handles.setdefault(h, bars)
        ax.axvline(0, color="#888888", linewidth=0.8)
        ax.set_yticks(np.arange(len(episodes)), episodes)
        ax.set_title(f"held in {k}", fontsize="medium")
        _percent_axis(ax, "x", decimals=0)
        _style(ax)
        ax.grid(False, axis="y")
    axes[0].invert_yaxis()  # shared by every panel: first episode on top, once
    for ax in axes[-min(3, len(axes)):]:
        ax.set_xlabel("change over the episode" if value == "change"
                      else "maximum drawdown in the episode")
    _legend(fig, spare, list(handles.values()), list(handles))
    what = "change" if value == "change" else "maximum drawdown"
    fig.suptitle(f"{_name(result)}: {what} through historical stress episodes",
                 fontweight="bold")
    return fig


# --------------------------------------------------------------------------- saving
_SAVE_FORMATS = (".png", ".svg", ".pdf")


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Save a figure to PNG, SVG or PDF (by the file's suffix), atomically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure, e.g. from :func:`backtest_figure`.
    path : str or path-like
        Target file; its directory must exist.
    dpi : int, default 150
        Resolution of raster output.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DataError
        Unsupported suffix or missing directory.
    """
    _check_target(path)
    target = Path(path)
    suffix = target.suffix.lower()
    buf = io.BytesIO()
    fig.savefig(buf, format=suffix[1:], dpi=dpi, facecolor="white",
                metadata={"Software": None} if suffix == ".png" else None)
    from .data.cache import atomic_write_bytes

    atomic_write_bytes(target, buf.getvalue())
    return target


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
    _check_target(path)
    return save_figure(backtest_figure(result), path, dpi=dpi)


def save_simulation_figure(result: Any, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Save the :func:`fan_chart` of a simulation to a PNG, SVG or PDF file.

    This is what ``basket simulate --plot FILE.png`` writes.

    Parameters
    ----------
    result : SimulationResult
        What :func:`basket.simulate` returned (anything with a ``fan`` mapping).
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
        Unsupported suffix, missing directory or a result without a fan.
    PlotDependencyError
        matplotlib is not installed.
    """
    _check_target(path)
    return save_figure(fan_chart(result), path, dpi=dpi)


def _check_target(path: str | os.PathLike[str]) -> None:
    target = Path(path)
    if target.suffix.lower() not in _SAVE_FORMATS:
        raise DataError(
            f"cannot write a chart to {target}: use a {', '.join(_SAVE_FORMATS)} file name"
        )
    if not target.parent.is_dir():
        raise DataError(f"cannot write {target}: directory {target.parent} does not exist")
