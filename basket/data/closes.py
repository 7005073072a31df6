"""Yahoo's answers turned into clean closes: any yfinance layout, local dates, and data quality.

Every function here is pure (pandas in, pandas out) apart from the warnings it emits:

* :func:`_closes` picks each ticker's ``Close`` from whatever layout yfinance answers with,
  turns its index into tz-naive midnight dates (the local date of each bar), drops NaN closes,
  and reports infinite closes and a date given twice with different closes
  (:class:`~basket.errors.DataQualityWarning`), keeping the last;
* :func:`_clean` drops non-positive closes and one-day spikes (a log jump larger than
  :data:`SPIKE_LOG_BOUND` that the next close undoes) and describes what it dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from basket.errors import DataQualityWarning, DataSourceError

__all__ = ["SPIKE_LOG_BOUND"]

SPIKE_LOG_BOUND = 0.25
"""A close whose log change exceeds this (about ±28%) and is undone the next day is a spike."""


def _iso(ts: pd.Timestamp) -> str:
    return f"{ts:%Y-%m-%d}"



# --------------------------------------------------------------------------------------------
# yfinance frames -> one Series of closes per ticker


def _to_dates(index: pd.Index) -> pd.DatetimeIndex:
    """Turn yfinance's index into tz-naive midnight dates (the local date of each bar)."""
    try:
        idx = pd.DatetimeIndex(index)
    except (TypeError, ValueError) as exc:
        raise DataSourceError(
            f"yfinance answered with an index of {index.dtype}, not dates; "
            "upgrade yfinance (pip install -U yfinance)"
        ) from exc
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return pd.DatetimeIndex(idx.normalize(), name="date")


def _close_columns(frame: pd.DataFrame, tickers: Sequence[str]) -> dict[str, pd.Series]:
    """Pick the ``Close`` series of each ticker from any layout yfinance answers with."""
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        levels = [i for i in range(cols.nlevels) if "Close" in cols.get_level_values(i)]
        if not levels or cols.nlevels != 2:
            raise DataSourceError(
                f"yfinance answered for {', '.join(tickers)} without a (Close, ticker) column "
                "level; upgrade yfinance (pip install -U yfinance)"
            )
        close = frame.xs("Close", axis=1, level=levels[0])
        close.columns = pd.Index([str(c) for c in close.columns])
        return {t: close.loc[:, t] for t in tickers if t in close.columns and close[t].ndim == 1}
    names = [str(c) for c in cols]
    if "Close" in names:
        if len(tickers) != 1:
            raise DataSourceError(
                f"yfinance answered for {', '.join(tickers)} with one flat set of columns; "
                "cannot tell the tickers apart, upgrade yfinance (pip install -U yfinance)"
            )
        return {tickers[0]: frame.iloc[:, names.index("Close")]}
    if set(tickers) <= set(names):  # a frame of closes, one column per ticker
        return {t: frame.iloc[:, names.index(t)] for t in tickers}
    raise DataSourceError(
        f"yfinance answered for {', '.join(tickers)} without a 'Close' column; "
        "upgrade yfinance (pip install -U yfinance)"
    )


def _closes(
    frame: pd.DataFrame | None,
    tickers: Sequence[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
) -> dict[str, pd.Series]:
    """Return each ticker's finite closes in ``[start, end]`` (empty when it has none)."""
    empty = pd.Series([], index=pd.DatetimeIndex([], name="date"), dtype=np.float64, name="close")
    out = {t: empty for t in tickers}
    if frame is None or frame.empty:
        return out
    for t, col in _close_columns(frame, tickers).items():
        values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        s = pd.Series(values, index=_to_dates(col.index), name="close")
        infinite = np.isinf(s.to_numpy())
        if infinite.any():
            warnings.warn(
                f"yahoo: {t} has {int(infinite.sum())} infinite close(s) "
                f"({_dates_text(pd.DatetimeIndex(s.index[infinite]))}); dropped",
                DataQualityWarning, stacklevel=4,
            )
        s = s[np.isfinite(s.to_numpy())]
        twice = s.index.duplicated(keep=False)
        if twice.any():
            spread = s[twice].groupby(level=0).agg(lambda v: v.max() - v.min())
            clash = pd.DatetimeIndex(spread.index[spread.to_numpy() > 0])
            if len(clash):
                warnings.warn(
                    f"yahoo: {t} gives {len(clash)} date(s) twice with different closes "
                    f"({_dates_text(clash)}); the last close of each date is kept",
                    DataQualityWarning, stacklevel=4,
                )
        s = s[~s.index.duplicated(keep="last")].sort_index()
        out[t] = s.loc[start:end]
    return out



# --------------------------------------------------------------------------------------------
# data quality


def _dates_text(dates: pd.DatetimeIndex, limit: int = 5) -> str:
    shown = ", ".join(_iso(d) for d in dates[:limit])
    return shown + (f" and {len(dates) - limit} more" if len(dates) > limit else "")


def _clean(
    ticker: str, closes: pd.Series, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[pd.Series, list[str]]:
    """Drop non-positive closes and one-day spikes; describe those dated in ``[start, end]``."""
    notes: list[str] = []
    values = closes.to_numpy(dtype=np.float64)
    nonpos = values <= 0
    in_range = (closes.index >= start) & (closes.index <= end)
    if (nonpos & in_range).any():
        bad = closes[nonpos & in_range]
        notes.append(
            f"yahoo: dropped {len(bad)} non-positive close(s) of {ticker} on "
            f"{_dates_text(pd.DatetimeIndex(bad.index))} (values {bad.to_numpy().tolist()[:5]})"
        )
    positive = closes[~nonpos]
    logp = np.log(positive.to_numpy(dtype=np.float64))
    jump = np.diff(logp)
    spike = np.zeros(len(positive), dtype=bool)
    if len(jump) >= 2:
        up, back = jump[:-1], jump[1:]
        spike[1:-1] = (
            (np.abs(up) > SPIKE_LOG_BOUND)
            & (np.abs(back) > SPIKE_LOG_BOUND)
            & (up * back < 0)
            & (np.abs(up + back) <= SPIKE_LOG_BOUND / 2)
        )
    spike_in = spike & (positive.index >= start) & (positive.index <= end)
    if spike_in.any():
        notes.append(
            f"yahoo: dropped {int(spike_in.sum())} one-day spike(s) of {ticker} on "
            f"{_dates_text(pd.DatetimeIndex(positive.index[spike_in]))} (a log change beyond "
            f"±{SPIKE_LOG_BOUND} undone the next day)"
        )
    kept = positive[~spike]
    return kept.loc[start:end], notes


