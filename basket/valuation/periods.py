"""Drawdown episodes and calendar-period returns of a value series (pure numpy/pandas).

What a tear sheet shows beside the headline metrics: the underwater curve, the worst drawdowns
with their dates, and the returns of each calendar month and year.

Conventions, stated once:

* the input is one value series (a basket's value in one numeraire), positive and finite, on a
  sorted :class:`~pandas.DatetimeIndex`; nothing is inferred from the index's frequency;
* the drawdown is ``V_t / max_{s <= t} V_s - 1`` (zero or negative), as in
  :func:`basket.valuation.metrics.max_drawdown`; an *episode* is a maximal run of dates below
  the running peak: it starts at the **peak** (the last date at the running maximum before the
  fall), reaches its **trough** (its lowest drawdown, the first such date) and ends at its
  **recovery** (the first date the value is back at or above the peak), or is still open on the
  last date;
* a period's return is a simple return between the last values of two consecutive periods:
  ``V(last date of the period) / V(last date of the previous period) - 1``; the first period
  runs from the first value, so it is partial when the series starts mid-period. Periods without
  a value are left out (their move is in the next period's return), never filled;
* durations are calendar days between the dates.
"""

from __future__ import annotations

from typing import Any, overload

import numpy as np
import pandas as pd

from basket.errors import DataError

__all__ = ["drawdown", "drawdown_episodes", "monthly_returns", "yearly_returns"]

EPISODE_COLUMNS = ["peak", "trough", "recovery", "depth", "days_down", "days_to_recover", "days"]
"""Columns of :func:`drawdown_episodes`, in order."""

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _check(values: Any, what: str = "values") -> pd.Series:
    if not isinstance(values, pd.Series):
        raise DataError(f"{what} must be a pandas Series of values on dates, got "
                        f"{type(values).__name__}; pass one column, e.g. result.values['USD']")
    if not isinstance(values.index, pd.DatetimeIndex):
        raise DataError(f"{what} need a DatetimeIndex, got {type(values.index).__name__}")
    if len(values) == 0:
        raise DataError(f"{what} are empty; a drawdown or a period return needs a value")
    if not values.index.is_monotonic_increasing or values.index.has_duplicates:
        raise DataError(f"{what} must be on sorted, unique dates; sort the series first")
    arr = values.to_numpy(dtype=np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise DataError(f"{what} must be positive and finite; drop or fill the bad values first")
    return values


@overload
def drawdown(values: pd.Series) -> pd.Series: ...
@overload
def drawdown(values: pd.DataFrame) -> pd.DataFrame: ...
def drawdown(values: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Return the underwater curve: each value's fall from its running peak.

    Parameters
    ----------
    values : pandas.Series or pandas.DataFrame
        Positive values (one column per series) on a sorted DatetimeIndex.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        The input's type, index and columns: ``V_t / max_{s <= t} V_s - 1``, zero at a peak and
        negative below it.

    Raises
    ------
    DataError
        Not a Series or DataFrame, no DatetimeIndex, unsorted dates, no value, a non-positive or
        non-finite value.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0, 1.5, 3.0], index=pd.date_range("2020-01-01", periods=4))
    >>> drawdown(s).tolist()
    [0.0, 0.0, -0.25, 0.0]
    """
    if isinstance(values, pd.DataFrame):
        return values.apply(lambda col: drawdown(col))
    v = _check(values).to_numpy(dtype=np.float64)
    out = v / np.maximum.accumulate(v) - 1.0
    return pd.Series(out, index=values.index, name=values.name)


def drawdown_episodes(values: pd.Series, top: int | None = 5) -> pd.DataFrame:
    """List the drawdown episodes of a value series, deepest first.

    Parameters
    ----------
    values : pandas.Series
        Positive values on a sorted DatetimeIndex (e.g. ``result.values["USD"]``).
    top : int or None, default 5
        Keep the ``top`` deepest episodes; ``None`` keeps them all.

    Returns
    -------
    pandas.DataFrame
        One row per episode, deepest first (ties: the earlier first), index ``1, 2, ...``
        named ``rank``; columns ``peak``, ``trough``, ``recovery`` (dates; ``NaT`` while not
        recovered), ``depth`` (the drawdown at the trough, a negative fraction), ``days_down``
        (calendar days from peak to trough), ``days_to_recover`` (trough to recovery; NaN while
        not recovered) and ``days`` (peak to recovery, or to the last date while open). Empty
        (with these columns) when the series never falls.

    Raises
    ------
    DataError
        A bad series (see :func:`drawdown`) or ``top`` below 1.

    Notes
    -----
    The deepest episode's depth, trough and recovery are those of
    :func:`basket.valuation.metrics.max_drawdown`; its peak is the last date at the peak value
    where ``max_drawdown`` reports the first, which differs only if the value stood at exactly
    that peak on more than one date.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 0.75, 1.0, 2.0, 1.0, 1.5],
    ...               index=pd.date_range("2020-01-01", periods=6))
    >>> ep = drawdown_episodes(s)
    >>> ep[["depth", "days_down", "days"]].to_dict("list")
    {'depth': [-0.5, -0.25], 'days_down': [1, 1], 'days': [2, 2]}
    >>> [str(d.date()) if d is not pd.NaT else None for d in ep["recovery"]]
    [None, '2020-01-03']
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, (int, np.integer))
                            or top < 1):
        raise DataError(f"top {top!r} must be a whole number of episodes, at least 1 (or None)")
    v = _check(values).to_numpy(dtype=np.float64)
    dates = values.index
    dd = v / np.maximum.accumulate(v) - 1.0
    under = dd < 0.0
    edges = np.diff(np.concatenate([[False], under, [False]]).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1  # inclusive
    rows = []
    for s, e in zip(starts, ends, strict=True):
        trough = s + int(np.argmin(dd[s:e + 1]))
        rec = e + 1 if e + 1 < len(v) else -1
        peak_date, trough_date = dates[s - 1], dates[trough]
        rec_date = dates[rec] if rec >= 0 else pd.NaT
        rows.append({
            "peak": peak_date, "trough": trough_date, "recovery": rec_date,
            "depth": float(dd[trough]),
            "days_down": int((trough_date - peak_date).days),
            "days_to_recover": float((rec_date - trough_date).days) if rec >= 0 else np.nan,
            "days": int(((rec_date if rec >= 0 else dates[-1]) - peak_date).days),
        })
    out = pd.DataFrame(rows, columns=EPISODE_COLUMNS)
    out = out.astype({"peak": "datetime64[ns]", "trough": "datetime64[ns]",
                      "recovery": "datetime64[ns]", "depth": np.float64,
                      "days_down": np.int64, "days_to_recover": np.float64, "days": np.int64})
    out = out.sort_values(["depth", "peak"], kind="mergesort").reset_index(drop=True)
    if top is not None:
        out = out.iloc[:top]
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    return out


def _period_returns(values: pd.Series, keys: list[Any]) -> pd.Series:
    """Returns between the last values of consecutive groups (the first from the first value)."""
    last = values.groupby(keys, sort=True).last()
    base = last.shift(1)
    base.iloc[0] = values.iloc[0]
    return last / base - 1.0


def monthly_returns(values: pd.Series) -> pd.DataFrame:
    """Tabulate the simple return of each calendar month, one row per year.

    Parameters
    ----------
    values : pandas.Series
        Positive values on a sorted DatetimeIndex.

    Returns
    -------
    pandas.DataFrame
        Index the years (``year``), columns ``Jan`` ... ``Dec``: ``V(last date of the month) /
        V(last date of the month before) - 1``, the first month from the first value; NaN for
        months outside the series or without a value. Compounding a year's months gives
        :func:`yearly_returns`.

    Raises
    ------
    DataError
        A bad series (see :func:`drawdown`).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 99.0, 108.9],
    ...               index=pd.to_datetime(["2020-11-30", "2020-12-31", "2021-01-29",
    ...                                     "2021-02-26"]))
    >>> monthly_returns(s).loc[2021, ["Jan", "Feb"]].round(12).tolist()
    [-0.1, 0.1]
    """
    v = _check(values)
    idx = pd.DatetimeIndex(v.index)
    r = _period_returns(v, [idx.year, idx.month])
    table = r.unstack(level=1)
    table = table.reindex(columns=range(1, 13))
    table.columns = pd.Index(MONTHS)
    table.index = pd.Index(table.index.astype(int), name="year")
    table.columns.name = None
    return table.astype(np.float64)


def yearly_returns(values: pd.Series) -> pd.Series:
    """Return the simple return of each calendar year.

    Parameters
    ----------
    values : pandas.Series
        Positive values on a sorted DatetimeIndex.

    Returns
    -------
    pandas.Series
        Index the years (``year``): ``V(last date of the year) / V(last date of the year before)
        - 1``, the first year from the first value (partial when the series starts mid-year).

    Raises
    ------
    DataError
        A bad series (see :func:`drawdown`).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([100.0, 110.0, 99.0],
    ...               index=pd.to_datetime(["2019-06-03", "2019-12-31", "2020-12-31"]))
    >>> yearly_returns(s).round(12).to_dict()
    {2019: 0.1, 2020: -0.1}
    """
    v = _check(values)
    idx = pd.DatetimeIndex(v.index)
    r = _period_returns(v, list(idx.year))
    r.index = pd.Index(r.index.astype(int), name="year")
    return r.rename(values.name).astype(np.float64)
