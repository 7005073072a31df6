"""Charts of a reserve simulation (matplotlib, imported lazily; object-oriented API, Agg canvas).

:func:`reserve_figure` draws four panels from a :class:`~basket.treasury.results.ReserveResult`:
coverage with and without the buffer (run days shaded), the capital buffer, cumulative
interest income by currency next to the cumulative costs, and the coins outstanding beside the
reserve's value. :func:`save_reserve_figure` writes it to PNG, SVG or PDF; it is what
``basket reserve --plot FILE.png`` calls. No :mod:`matplotlib.pyplot` state is touched. The
colours, axes style, path check and atomic save are the shared ones of :mod:`basket.plot._base`.

matplotlib is an optional dependency: ``pip install 'libra-basket[plot]'``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from basket.plot._base import (
    BASKET_COLOR,
    _date_axis,
    _figure,
    _fit,
    _name,
    _percent_axis,
    _style,
    _suptitle,
    check_figure_path,
    currency_color,
    save_figure,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from basket.treasury.results import ReserveResult

__all__ = ["check_figure_path", "reserve_figure", "save_reserve_figure", "scenario_text"]

_RESERVE = currency_color("USD")  # the reserve's dollar value: the dollar's colour
_RUN = "#f4cccc"
_COSTS = "#666666"
_POLICY = {"buffer": "net income kept in the buffer",
           "payout": "net income paid out above the initial buffer"}
_RUN_LABEL = re.compile(r"^run:([^:]+):(\d+)d(?:@(\S+))?$")
_GROWTH_LABEL = re.compile(r"^growth:(\S+)$")


def _share(text: str) -> str:
    """``0.3`` or ``30%`` -> ``30%`` (text that is not a number is returned as is)."""
    try:
        value = float(text.rstrip("%")) / (100.0 if text.endswith("%") else 1.0)
    except ValueError:
        return text
    return f"{value * 100:.10g}%"


def scenario_text(label: str) -> str:
    """Say a scenario label in words: ``run:0.3:10d@2020-03-09`` -> ``a run of 30% ...``.

    Parameters
    ----------
    label : str
        A scenario label as :func:`basket.treasury.flows.parse_scenario` reads it (and as
        ``ReserveResult.settings["scenario"]`` lists it). Anything else is returned as is.

    Returns
    -------
    str

    Examples
    --------
    >>> scenario_text("run:0.3:10d@2020-03-09")
    'a run of 30% of the coins over 10 days from 2020-03-09'
    >>> scenario_text("growth:0.1"), scenario_text("flows:my flows.csv")
    ('coins growing 10% a year', 'coin flows from my flows.csv')
    """
    t = str(label).strip()
    m = _RUN_LABEL.match(t)
    if m:
        days = int(m.group(2))
        when = f" from {m.group(3)}" if m.group(3) else ""
        return (f"a run of {_share(m.group(1))} of the coins over {days} "
                f"day{'s' if days != 1 else ''}{when}")
    m = _GROWTH_LABEL.match(t)
    if m:
        share = _share(m.group(1))
        return (f"coins shrinking {share.lstrip('-')} a year" if share.startswith("-")
                else f"coins growing {share} a year")
    if t.lower().startswith("flows:"):
        return f"coin flows from {t[len('flows:'):]}"
    return t


def _title(result: ReserveResult) -> str:
    st = result.settings
    flows = [scenario_text(s) for s in st.get("scenario", ())]
    line2 = [", ".join(flows) if flows else "no coin flows"]
    share = st.get("securities_share")
    if isinstance(share, (int, float)):
        line2.append(f"{share:.0%} in securities")
    if st.get("policy") in _POLICY:
        line2.append(_POLICY[str(st["policy"])])
    if st.get("day_count"):
        line2.append(f"interest {st['day_count']}")
    return (f"Reserve of {_name(result)}, {result.start.date()} to {result.end.date()}\n"
            + "; ".join(line2))


def _shade(ax: Axes, dates: np.ndarray, stress: np.ndarray) -> None:
    if stress.any():
        ax.fill_between(dates, 0, 1, where=stress, transform=ax.get_xaxis_transform(),
                        color=_RUN, alpha=0.6, linewidth=0, label="run days")


def _coverage(ax: Axes, result: ReserveResult, dates: np.ndarray, stress: np.ndarray) -> None:
    p = result.path
    ax.axhline(1.0, color="#999999", linewidth=0.8)
    ax.plot(dates, p["coverage"].to_numpy(), color=BASKET_COLOR, label="reserve / coins")
    ax.plot(dates, p["coverage_with_buffer"].to_numpy(), color=_RESERVE, linestyle="--",
            label="(reserve + buffer) / coins")
    _percent_axis(ax)
    ax.set_title("Coverage: reserve value / coins' value")
    _shade(ax, dates, stress)


def _buffer(ax: Axes, result: ReserveResult, dates: np.ndarray, stress: np.ndarray) -> None:
    p = result.path
    ax.plot(dates, p["buffer_usd"].to_numpy() / 1e6, color=currency_color("SGD"),
            label="capital buffer")
    if p["cum_payout_usd"].iloc[-1] > 0:
        ax.plot(dates, p["cum_payout_usd"].to_numpy() / 1e6, color=currency_color("GBP"),
                linestyle="--", label="paid out (cumulative)")
    ax.set_title("Capital buffer")
    ax.set_ylabel("USD million")
    _shade(ax, dates, stress)


def _income(ax: Axes, result: ReserveResult, dates: np.ndarray) -> None:
    p = result.path
    for c in result.income.columns:
        ax.plot(dates, np.cumsum(result.income[c].to_numpy()) / 1e6,
                color=currency_color(str(c)), label=f"interest on {c}")
    ax.plot(dates, -p["cum_opex_usd"].to_numpy() / 1e6, color=_COSTS, linestyle=":",
            label="operating costs (-)")
    ax.plot(dates, -p["cum_cost_usd"].to_numpy() / 1e6, color=_COSTS, linestyle="--",
            label="transaction costs (-)")
    ax.axhline(0.0, color="#999999", linewidth=0.8)
    ax.set_title("Cumulative interest income and costs")
    ax.set_ylabel("USD million")


def _size(ax: Axes, result: ReserveResult, dates: np.ndarray, stress: np.ndarray) -> None:
    """Coins (left axis, millions of coins) and the reserve (right axis, USD million)."""
    p = result.path
    _shade(ax, dates, stress)
    (coins,) = ax.plot(dates, p["coins"].to_numpy() / 1e6, color=BASKET_COLOR,
                       label="coins outstanding")
    ax.set_ylabel("million coins")
    right = ax.twinx()
    (value,) = right.plot(dates, p["reserve_usd"].to_numpy() / 1e6, color=_RESERVE,
                          linestyle="--", label="reserve value (right)")
    right.set_ylabel("USD million", color=_RESERVE)
    right.tick_params(axis="y", colors=_RESERVE)
    right.spines["top"].set_visible(False)
    ax.set_title("Coins outstanding and the reserve's value")
    handles, labels = ax.get_legend_handles_labels()
    ax.legend([coins, value, *[h for h, lab in zip(handles, labels, strict=True)
                                if lab == "run days"]],
              ["coins outstanding", "reserve value (right)",
               *[lab for lab in labels if lab == "run days"]],
              fontsize="small", frameon=False, loc="best")


def reserve_figure(result: ReserveResult) -> Figure:
    """Draw the reserve's coverage, buffer, income and size through time.

    Parameters
    ----------
    result : ReserveResult
        What :func:`basket.reserve` or :func:`basket.simulate_reserve` returned.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels, with an Agg canvas attached (save it with ``fig.savefig``): coverage with
        and without the buffer (percent), the capital buffer (USD million), cumulative interest
        income per currency and costs (USD million), and the coins outstanding (left axis,
        million coins) beside the reserve's value (right axis, USD million). Run days are
        shaded; the title names the basket (its title), the period, the coin flows in words
        and the policy.

    Raises
    ------
    PlotDependencyError
        matplotlib is not installed (an :class:`ImportError` and a
        :class:`~basket.errors.BasketError`).

    Examples
    --------
    >>> import pandas as pd
    >>> from basket.treasury.model import simulate_reserve
    >>> idx = pd.bdate_range("2020-03-02", periods=10, name="date")
    >>> fx = pd.DataFrame({"USD": 1.0, "EUR": 1.1}, index=idx)
    >>> res = simulate_reserve(fx, {"USD": 0.5, "EUR": 0.45}, {"USD": 0.01, "EUR": -0.005},
    ...                        scenario="run:0.2:3d@2020-03-05", cost_bps=5)
    >>> len(reserve_figure(res).axes)   # four panels and the right axis of the last
    5
    """
    fig = _figure(11.0, 7.4)
    dates = result.path.index.to_numpy()
    stress = result.path["stress"].to_numpy(dtype=bool)
    (ax_cov, ax_buf), (ax_inc, ax_size) = fig.subplots(2, 2, sharex=True)
    _coverage(ax_cov, result, dates, stress)
    _buffer(ax_buf, result, dates, stress)
    _income(ax_inc, result, dates)
    _size(ax_size, result, dates, stress)
    for ax in (ax_cov, ax_buf, ax_inc, ax_size):
        _style(ax)
        _date_axis(ax)
        if ax is not ax_size:
            ax.legend(fontsize="small", frameon=False, loc="best")
    ax_size.xaxis.set_tick_params(labelbottom=True)
    _suptitle(fig, _title(result))
    return _fit(fig)


def save_reserve_figure(result: ReserveResult, path: str | os.PathLike[str], *,
                        dpi: int = 150) -> Path:
    """Save :func:`reserve_figure` to a PNG, SVG or PDF file (by its suffix), atomically.

    Parameters
    ----------
    result : ReserveResult
    path : str or path-like
        ``.png``, ``.svg`` or ``.pdf``; the directory must exist.
    dpi : int, default 150

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    DataError
        Unsupported suffix or missing directory (checked before drawing).
    """
    check_figure_path(path)
    return save_figure(reserve_figure(result), path, dpi=dpi)
