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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from basket.plot._base import (
    _figure,
    _percent_axis,
    _style,
    check_figure_path,
    currency_color,
    save_figure,
)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

    from basket.treasury.model import ReserveResult

__all__ = ["check_figure_path", "reserve_figure", "save_reserve_figure"]

_BASKET = "#222222"


def reserve_figure(result: ReserveResult) -> Figure:
    """Draw the reserve's coverage, buffer, income and size through time.

    Parameters
    ----------
    result : ReserveResult
        What :func:`basket.reserve` or :func:`basket.simulate_reserve` returned.

    Returns
    -------
    matplotlib.figure.Figure
        Four panels, with an Agg canvas attached (save it with ``fig.savefig``).

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
    >>> len(reserve_figure(res).axes)
    4
    """
    fig = _figure(11.0, 7.0)
    p = result.path
    dates = p.index.to_numpy()
    (ax_cov, ax_buf), (ax_inc, ax_size) = fig.subplots(2, 2, sharex=True)
    stress = p["stress"].to_numpy(dtype=bool)

    def shade(ax: Any) -> None:
        if stress.any():
            ax.fill_between(dates, 0, 1, where=stress, transform=ax.get_xaxis_transform(),
                            color="#f4cccc", alpha=0.6, linewidth=0, label="run days")

    ax_cov.plot(dates, p["coverage"].to_numpy(), color=_BASKET, label="reserve / coins")
    ax_cov.plot(dates, p["coverage_with_buffer"].to_numpy(), color="#1f4e9c", linestyle="--",
                label="(reserve + buffer) / coins")
    ax_cov.axhline(1.0, color="#999999", linewidth=0.8)
    _percent_axis(ax_cov)
    ax_cov.set_title("Coverage (value of the reserve over the coins' value)")
    shade(ax_cov)

    ax_buf.plot(dates, p["buffer_usd"].to_numpy() / 1e6, color="#1b9e77", label="buffer")
    if p["cum_payout_usd"].iloc[-1] > 0:
        ax_buf.plot(dates, p["cum_payout_usd"].to_numpy() / 1e6, color="#6a3d9a",
                    linestyle="--", label="paid out (cumulative)")
    ax_buf.set_title("Capital buffer, USD million")
    shade(ax_buf)

    for c in result.income.columns:
        ax_inc.plot(dates, np.cumsum(result.income[c].to_numpy()) / 1e6,
                    color=currency_color(str(c)), label=f"income {c}")
    ax_inc.plot(dates, -p["cum_opex_usd"].to_numpy() / 1e6, color="#777777", linestyle=":",
                label="- operating costs")
    ax_inc.plot(dates, -p["cum_cost_usd"].to_numpy() / 1e6, color="#777777", linestyle="--",
                label="- transaction costs")
    ax_inc.axhline(0.0, color="#999999", linewidth=0.8)
    ax_inc.set_title("Cumulative interest income and costs, USD million")

    ax_size.plot(dates, p["coins"].to_numpy() / 1e6, color=_BASKET, label="coins (million)")
    ax_size.plot(dates, p["reserve_usd"].to_numpy() / 1e6, color="#1f4e9c",
                 label="reserve, USD million")
    ax_size.set_title("Coins outstanding and reserve value")
    shade(ax_size)

    for ax in (ax_cov, ax_buf, ax_inc, ax_size):
        _style(ax)
        ax.legend(fontsize=7, frameon=False, loc="best")
    fig.suptitle(
        f"Reserve of {result.name}, {result.start.date()} to {result.end.date()} "
        f"({', '.join(result.settings.get('scenario', ())) or 'no flows'}; "
        f"policy {result.settings.get('policy', '?')}, {result.settings.get('day_count', '?')})",
        fontsize=10,
    )
    return fig


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
