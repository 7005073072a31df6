"""What :func:`basket.spillover` returns: :class:`SpilloverResult` (frozen).

Figures are in **percent**: a table row sums to 100 and the total index lies between 0
and 100. Rows of the table are **receivers** (the variable whose forecast-error
variance is split), columns are **transmitters** (the variable whose shocks explain it). The
conventions are those of :mod:`basket.connectedness.decomposition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from basket._json import to_jsonable as _jsonable
from basket.connectedness.decomposition import FROM_OTHERS, TO_OTHERS
from basket.dates import to_timestamp
from basket.errors import DataError

__all__ = ["SpilloverResult"]


@dataclass(frozen=True)
class SpilloverResult:
    """What :func:`basket.spillover` returns (frozen).

    Attributes
    ----------
    table : pandas.DataFrame
        The Diebold-Yilmaz spillover table of the full-sample VAR, in percent: rows the
        receivers then ``"to others"`` and ``"net"``, columns the transmitters then
        ``"from others"``; each receiver's row sums to 100. The corner (``"to others"``,
        ``"from others"``) holds the total index. See
        :func:`~basket.connectedness.decomposition.connectedness_table`.
    total : float
        Total connectedness index, percent: the mean share of a variable's forecast-error
        variance that comes from the others.
    net : pandas.Series
        Per variable, ``to others - from others`` in percent (positive: a net transmitter).
    currencies : tuple of str
        The variables, in the order of the table.
    lags : int
        The VAR's order.
    lag_selection : str
        How ``lags`` was chosen (the information criterion and its range, or "fixed").
    horizon : int
        Forecast horizon ``H`` of the decomposition, in days.
    start, end : pandas.Timestamp
        Dates of the first and last observation (return) of the full sample.
    n_obs : int
        Observations in the full sample (the first ``lags`` of them are presample).
    measure : str
        ``"returns"``, ``"volatility"`` or ``"given"`` (variables passed in directly).
    variable : str
        What each variable is, in words.
    numeraire : str
        The currency the variables are measured in (empty for variables passed in).
    window : int or None
        Observations per rolling window, when rolling measures were asked for.
    rolling : pandas.Series or None
        Total index of each rolling window, dated on the window's last observation.
    rolling_net : pandas.DataFrame or None
        Net connectedness per variable of each rolling window (rows dates, columns variables).
    basket, title : str
        The basket's name and its title for people.
    source : str
        Where the FX data came from.
    notes : tuple of str
    """

    table: pd.DataFrame
    total: float
    net: pd.Series
    currencies: tuple[str, ...]
    lags: int
    lag_selection: str
    horizon: int
    start: Any
    end: Any
    n_obs: int
    measure: str = "given"
    variable: str = "the variables given"
    numeraire: str = ""
    window: int | None = None
    rolling: pd.Series | None = None
    rolling_net: pd.DataFrame | None = None
    basket: str = ""
    title: str = ""
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    # ------------------------------------------------------------------ views
    @property
    def shares(self) -> pd.DataFrame:
        """The table without its margins: receivers x transmitters, percent, rows sum to 100."""
        codes = list(self.currencies)
        return self.table.loc[codes, codes]

    @property
    def from_others(self) -> pd.Series:
        """Per receiver, the percent of its forecast-error variance due to the others."""
        return self.table.loc[list(self.currencies), FROM_OTHERS].rename(FROM_OTHERS)

    @property
    def to_others(self) -> pd.Series:
        """Per transmitter, the sum of its shares in the others' variances, percent."""
        return self.table.loc[TO_OTHERS, list(self.currencies)].rename(TO_OTHERS)

    def net_pairwise(self) -> pd.DataFrame:
        """Net pairwise connectedness: entry (i, j) is ``d_ji - d_ij`` in percent.

        What ``i`` transmits to ``j`` minus what it receives from ``j`` (antisymmetric); a row
        sums to ``net[i]``.
        """
        s = self.shares.to_numpy()
        out = pd.DataFrame(s.T - s, index=self.shares.index, columns=self.shares.columns)
        out.index.name, out.columns.name = "transmitter", "receiver"
        return out

    def summary(self) -> pd.DataFrame:
        """One row per variable: ``own`` share, ``from_others``, ``to_others`` and ``net`` (%)."""
        codes = list(self.currencies)
        out = pd.DataFrame({
            "own": np.diag(self.shares.to_numpy()),
            "from_others": self.from_others.to_numpy(),
            "to_others": self.to_others.to_numpy(),
            "net": self.net.to_numpy(),
        }, index=pd.Index(codes, name="currency"))
        return out

    def rolling_summary(self, periods: Mapping[str, tuple[Any, Any]] | None = None
                        ) -> pd.DataFrame:
        """Mean rolling connectedness over all windows and over named periods, then the last.

        Parameters
        ----------
        periods : mapping of str to (start, end), optional
            Named inclusive date ranges (ISO dates), e.g. the stress episodes
            ``{e.name: (e.start, e.end) for e in basket.list_episodes()}``; a period counts the
            windows that **end** inside it, and a period with none is left out.

        Returns
        -------
        pandas.DataFrame
            Rows ``"all windows"``, each period with windows, ``"last"``; columns ``windows``
            (how many), ``total`` and ``net_<code>`` (mean, percent), ``first``/``last`` dates.

        Raises
        ------
        DataError
            The result has no rolling figures (no ``window``), or a period's dates are
            malformed.
        """
        if self.rolling is None or self.rolling_net is None:
            raise DataError("this result has no rolling figures; run basket.spillover with "
                            "window= (e.g. 200)")
        frame = self.to_frame()
        parts = {"all windows": frame}
        for name, (lo, hi) in (periods or {}).items():
            a = to_timestamp(lo, f"period {name!r} start")
            b = to_timestamp(hi, f"period {name!r} end")
            part = frame.loc[a:b]
            if len(part):
                parts[str(name)] = part
        parts["last"] = frame.iloc[-1:]
        out = pd.DataFrame({
            "windows": [len(p) for p in parts.values()],
            "first": [p.index[0] for p in parts.values()],
            "last": [p.index[-1] for p in parts.values()],
        }, index=pd.Index(list(parts), name="period"))
        means = pd.DataFrame([p.mean(axis=0) for p in parts.values()], index=out.index)
        return pd.concat([out, means], axis=1)

    def to_frame(self) -> pd.DataFrame:
        """Connectedness through time: ``total`` then ``net_<code>`` per variable (percent).

        One row per rolling window (dated on its last observation) when ``window`` was given,
        else one row for the full sample dated on its last observation.
        """
        codes = list(self.currencies)
        if self.rolling is not None and self.rolling_net is not None:
            out = pd.concat([self.rolling.rename("total"),
                             self.rolling_net.add_prefix("net_")], axis=1)
        else:
            out = pd.DataFrame([[self.total, *self.net.to_numpy()]],
                               columns=["total", *(f"net_{c}" for c in codes)],
                               index=pd.Index([self.end]))
        out.index.name = "date"
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the settings, the table (row by row), total, net and the rolling figures."""
        table = {str(r): {str(c): _jsonable(v) for c, v in row.items()}
                 for r, row in self.table.iterrows()}
        rolling = None
        if self.rolling is not None and self.rolling_net is not None:
            rolling = {
                "dates": [_jsonable(d) for d in self.rolling.index],
                "total": [_jsonable(v) for v in self.rolling.to_numpy()],
                "net": {str(c): [_jsonable(v) for v in self.rolling_net[c].to_numpy()]
                        for c in self.rolling_net.columns},
            }
        return {
            "basket": self.basket,
            "numeraire": self.numeraire,
            "currencies": list(self.currencies),
            "measure": self.measure,
            "variable": self.variable,
            "lags": self.lags,
            "lag_selection": self.lag_selection,
            "horizon": self.horizon,
            "window": self.window,
            "start": _jsonable(self.start),
            "end": _jsonable(self.end),
            "n_obs": self.n_obs,
            "source": self.source,
            "total": _jsonable(self.total),
            "net": {str(c): _jsonable(v) for c, v in self.net.items()},
            "table": table,
            "rolling": rolling,
            "notes": list(self.notes),
        }

    # ------------------------------------------------------------------ display
    def describe(self) -> str:
        """One line: what was decomposed, the VAR, the horizon and the sample."""
        who = f"{self.title or self.basket} currencies" if self.basket else "variables"
        return (f"Connectedness of the {who}: {self.variable}, VAR({self.lags}), horizon "
                f"{self.horizon} days, {_day(self.start)} to {_day(self.end)} "
                f"({self.n_obs} observations)")

    def __repr__(self) -> str:
        roll = "" if self.window is None else f", window={self.window}"
        return (f"SpilloverResult(currencies={list(self.currencies)}, measure={self.measure!r}, "
                f"lags={self.lags}, horizon={self.horizon}{roll}, total={self.total:.2f}%)")

    def _repr_html_(self) -> str:
        import html

        head = f"<h4>{html.escape(self.describe())}</h4>"
        table = self.table.to_html(float_format=lambda x: f"{x:.2f}", na_rep="")
        lines = [f"Total connectedness {self.total:.2f}%; lags: {self.lag_selection}."]
        if self.rolling is not None and len(self.rolling):
            r = self.rolling
            lines.append(
                f"Rolling {self.window}-observation windows: {len(r)} values, mean "
                f"{r.mean():.2f}%, lowest {r.min():.2f}% ({_day(r.idxmin())}), highest "
                f"{r.max():.2f}% ({_day(r.idxmax())}), last {r.iloc[-1]:.2f}%."
            )
        lines.extend(self.notes)
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in lines)
        return str(head + table + notes)


def _day(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return str(value)
