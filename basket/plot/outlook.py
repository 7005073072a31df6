"""Charts of what may come: Monte Carlo fans and historical stress episodes (matplotlib, lazily).

Part of ``basket.plot`` (every public name here is re-exported by :mod:`basket.plot`):
:func:`fan_chart` draws the percentile bands of :func:`basket.simulate`, :func:`stress_bars` the
episodes of :func:`basket.stress`, and :func:`save_simulation_figure` writes a fan to a file
(``basket simulate --plot FILE.png``). Figures are built with the object-oriented API on an Agg
canvas: no :mod:`matplotlib.pyplot` state is touched and nothing is shown.

Conventions, stated once: a currency has the same colour as in every other chart
(:func:`~basket.plot._base.currency_color`), the basket is drawn in near-black, values are the
basket's value in the holder's currency (fans) and changes and drawdowns are percentages (bars).

matplotlib is an optional dependency: ``pip install 'libra-basket[plot]'``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from basket.errors import DataError
from basket.plot._base import (
    BASKET_COLOR,
    _date_axis,
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
    from matplotlib.figure import Figure

__all__ = ["MAX_FAN_POINTS", "fan_chart", "save_simulation_figure", "stress_bars"]

_PERCENTILE = re.compile(r"^[pPqQ]?(\d+(?:\.\d+)?)$", re.ASCII)


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


_METHODS = {"normal": "normal returns", "bootstrap": "block bootstrap"}
MAX_FAN_POINTS = 53
"""Most dates a fan band is drawn through (see :func:`fan_chart`)."""


def _thin(n: int, most: int = MAX_FAN_POINTS) -> np.ndarray:
    """Rows ``0, s, 2s, ...`` and the last one, for the smallest step ``s`` giving <= most."""
    step = max(1, -(-(n - 1) // max(1, most - 1)))
    rows = np.arange(0, n, step)
    if rows[-1] != n - 1:
        rows = np.append(rows, n - 1)
    return rows


def _fan_title(result: Any) -> str:
    method = getattr(result, "method", None)
    start = getattr(result, "start", None)
    head = f"{_name(result)}: Monte Carlo outlook"
    if isinstance(method, str):
        head += f", {_METHODS.get(method, method)}"
    if isinstance(start, (pd.Timestamp, np.datetime64)) or hasattr(start, "isoformat"):
        head += f" from {pd.Timestamp(start).date().isoformat()}"
    bits = []
    for attr, label in (("n_paths", "paths"), ("horizon", "days ahead")):
        val = getattr(result, attr, None)
        if isinstance(val, (int, np.integer)):
            bits.append(f"{int(val):,} {label}")
    fan_paths, n_paths = getattr(result, "fan_paths", None), getattr(result, "n_paths", None)
    if isinstance(fan_paths, (int, np.integer)) and fan_paths != n_paths:
        bits.append(f"bands from the first {int(fan_paths):,}")
    return head + (f" ({', '.join(bits)})" if bits else "")


def _band_handles(n_pairs: int, labels: list[str], median: str | None) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    out: list[Any] = [Patch(facecolor="#555555", alpha=_alpha(d, n_pairs), linewidth=0)
                      for d in range(n_pairs)]
    if median is not None:
        out.append(Line2D([], [], color="#555555", linewidth=1.6))
    return out


def _alpha(depth: int, n_pairs: int) -> float:
    return 0.15 + 0.25 * depth / max(1, n_pairs - 1) if n_pairs > 1 else 0.3


def fan_chart(result: Any, numeraires: Sequence[str] | str | None = None) -> Figure:
    """Plot Monte Carlo percentile bands (a fan) for each numeraire.

    Parameters
    ----------
    result : SimulationResult or any object with a ``fan`` attribute
        ``fan`` maps a numeraire to a DataFrame: rows simulated dates (or steps), columns
        percentile bands named like ``p5, p25, p50, p75, p95`` (basket value in that numeraire
        relative to the start). ``spec``, ``method``, ``start``, ``n_paths``, ``horizon`` and
        ``fan_paths`` are used in the title when present.
    numeraires : str or sequence of str, optional
        Which fans to draw (default: all, in the mapping's order).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per numeraire: nested shaded bands (outer percentiles lighter) and the
        median as a line, in the numeraire's colour; one legend for all panels (in the spare
        panel of the grid when there is one, else below).

    Raises
    ------
    DataError
        No ``fan`` mapping, an empty fan, a column that is not a percentile or an unknown
        numeraire.
    PlotDependencyError
        matplotlib is not installed.

    Notes
    -----
    The bands are drawn through at most :data:`MAX_FAN_POINTS` dates of the fan: every
    ``s``-th date for the smallest ``s`` that fits, always with the start and the horizon.
    Each point drawn is a computed percentile; leaving out the dates between them hides the
    day-to-day sampling noise of percentiles estimated from a few thousand paths (a one-year
    fan is drawn weekly). For smooth outer bands simulate more paths: the fan uses up to
    ``fan_paths`` (10,000 by default) of them.

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
    for k in ks:
        if not isinstance(fans[k], pd.DataFrame) or fans[k].empty:
            raise DataError(f"the fan for {k} is empty; nothing to plot")
    fig, axes, spare = _grid(len(ks), panel=(4.8, 3.4))
    labels: list[str] = []
    median: str | None = None
    for ax, k in zip(axes, ks, strict=True):
        frame = fans[k]
        bands = _bands(frame)
        frame = frame.iloc[_thin(len(frame))]
        color = currency_color(k)
        x = frame.index.to_numpy()
        ax.axhline(1.0, color="#888888", linewidth=0.8)
        lo, hi = 0, len(bands) - 1
        n_pairs = len(bands) // 2
        labels = []
        while lo < hi:
            (p_lo, c_lo), (p_hi, c_hi) = bands[lo], bands[hi]
            ax.fill_between(x, frame[c_lo].to_numpy(dtype=np.float64),
                            frame[c_hi].to_numpy(dtype=np.float64), color=color,
                            alpha=_alpha(lo, n_pairs), linewidth=0,
                            label=f"{_fmt_pct(p_lo)}–{_fmt_pct(p_hi)}")
            labels.append(f"{_fmt_pct(p_lo)}–{_fmt_pct(p_hi)}")
            lo, hi = lo + 1, hi - 1
        median = None
        if lo == hi:
            p_mid, c_mid = bands[lo]
            median = "median" if p_mid == 50 else _fmt_pct(p_mid)
            ax.plot(x, frame[c_mid].to_numpy(dtype=np.float64), color=color, linewidth=1.6,
                    label=median)
        ax.set_title(f"held in {k}", fontsize="medium")
        _style(ax)
        if isinstance(frame.index, pd.DatetimeIndex):
            _date_axis(ax)
        else:
            ax.set_xlabel("trading days ahead")
    for ax in axes[:: min(3, len(axes))]:
        ax.set_ylabel("value (start = 1)")
    handles = _band_handles(len(labels), labels, median)
    _legend(fig, spare, handles, labels + ([median] if median is not None else []))
    _suptitle(fig, _fan_title(result))
    return _fit(fig)


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
        _percent_axis(ax, "x")
        _style(ax)
        ax.grid(False, axis="y")
    axes[0].invert_yaxis()  # shared by every panel: first episode on top, once
    for ax in axes[-min(3, len(axes)):]:
        ax.set_xlabel("change over the episode" if value == "change"
                      else "maximum drawdown in the episode")
    _legend(fig, spare, list(handles.values()), list(handles))
    what = "change" if value == "change" else "maximum drawdown"
    _suptitle(fig, f"{_name(result)}: {what} through historical stress episodes")
    return _fit(fig)



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
    check_figure_path(path)
    return save_figure(fan_chart(result), path, dpi=dpi)
