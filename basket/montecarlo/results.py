"""The result of a Monte Carlo simulation and the statistics that fill it (pure numpy/pandas).

Conventions, stated once for the module:

* every value is **relative to the start**: 1.0 on day 0 in every numeraire, so a figure at the
  horizon is the ratio ``V_H / V_0`` (``start_value`` keeps the absolute value at the start);
* percentiles are numpy's ``linear`` interpolation, labelled ``p<q>`` (``p5``, ``p50``...);
* losses are positive fractions of the start value at the horizon:
  ``VaR_a = quantile(1 - V_H / V_0, a)`` and ``ES_a`` the mean loss at or beyond it, the
  conventions of :func:`basket.valuation.metrics.value_at_risk` and
  :func:`basket.valuation.metrics.expected_shortfall`;
* ``horizon_volatility`` is ``std(log(V_H / V_0)) * sqrt(periods_per_year / horizon)`` over
  the paths (``ddof=1``, as every volatility of ``basket``): for i.i.d. daily returns and fixed
  weights it is the daily volatility annualized, the figure ``backtest`` calls ``volatility``;
* the risk figures are named for what they measure: ``horizon_var_95`` is a loss over the whole
  horizon, not the one-day ``var_95`` of ``backtest``; ``prob_move_gt_5pct`` names its
  threshold.

:func:`basket.montecarlo.model.monte_carlo` builds :class:`SimulationResult`;
:mod:`basket.montecarlo.model` re-exports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from basket._json import to_jsonable as _jsonable
from basket.errors import SimulationError
from basket.spec import BasketSpec
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["DEFAULT_PERCENTILES", "PricePaths", "SimulationResult", "move_label", "risk_columns"]

DEFAULT_PERCENTILES = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
"""Percentiles reported for the value at the horizon and for the fan bands."""

class PricePaths(NamedTuple):
    """Simulated prices of kept paths (what :meth:`SimulationResult.price_paths` returns)."""

    prices: np.ndarray
    """US dollars per unit, shape (paths, dates, currencies)."""
    dates: pd.DatetimeIndex
    """The start and the simulated dates."""
    currencies: tuple[str, ...]
    """The currencies, in the order of the last axis."""


def move_label(move: float) -> str:
    """The column of the probability of a move beyond ``move``: ``prob_move_gt_5pct`` for 0.05.

    Examples
    --------
    >>> move_label(0.05), move_label(0.025)
    ('prob_move_gt_5pct', 'prob_move_gt_2.5pct')
    """
    return f"prob_move_gt_{move * 100:.10g}pct"


def risk_columns(move: float) -> list[str]:
    """The risk columns of :attr:`SimulationResult.risk`, in order."""
    return ["horizon_var_95", "horizon_es_95", "horizon_var_99", "horizon_es_99",
            move_label(move), "horizon_volatility"]


# ----------------------------------------------------------------------------- statistics
def _labels(percentiles: Sequence[float]) -> list[str]:
    return [f"p{q:g}" for q in percentiles]


def _quantile_sorted(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``numpy.quantile(..., method="linear")`` along the last axis of an already sorted array.

    Sorting (vectorised in numpy) and interpolating is several times faster than
    :func:`numpy.quantile` on many rows; the interpolation is numpy's own ``_lerp``.
    """
    n = s.shape[-1]
    h = (n - 1) * q
    lo = np.clip(np.floor(h).astype(np.intp), 0, n - 1)
    hi = np.minimum(lo + 1, n - 1)
    t = h - lo
    a, b = s[..., lo], s[..., hi]
    d = b - a
    out: np.ndarray = np.where(t >= 0.5, b - d * (1.0 - t), a + d * t)
    return out


def _stats(ratio: np.ndarray, log_ratio: np.ndarray, q: np.ndarray, move: float,
           scale: float) -> list[float]:
    """Percentiles and mean of ``ratio`` (= V_H / V_0), then the risk figures (:func:`risk_columns`).

    Losses ``-(ratio - 1)``: VaR is their linear-interpolation quantile and ES the mean of the
    losses at or beyond it, as :func:`basket.valuation.metrics.value_at_risk` and
    :func:`basket.valuation.metrics.expected_shortfall` compute them.
    """
    s = np.sort(ratio)
    returns = s - 1.0
    losses = -returns[::-1]
    var = _quantile_sorted(losses, np.array([0.95, 0.99]))
    es = [float(losses[np.searchsorted(losses, v, side="left"):].mean()) for v in var]
    figures = [
        *_quantile_sorted(s, q).tolist(), float(ratio.mean()),
        float(var[0]), es[0], float(var[1]), es[1],
        float(np.count_nonzero(np.abs(returns) > move) / len(s)),
        float(log_ratio.std(ddof=1) * scale) if len(log_ratio) > 1 else 0.0,
    ]
    return [f + 0.0 for f in figures]  # + 0.0 turns -0.0 into 0.0


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class SimulationResult:
    """What :func:`basket.simulate` and :func:`basket.montecarlo.model.monte_carlo` return.

    Every value is **relative to the start** (1.0 on the start date, in every numeraire).

    Attributes
    ----------
    spec : BasketSpec
        The basket simulated.
    method : {"normal", "bootstrap"}
    rule : str
        The rebalancing rule applied along the paths.
    n_paths, horizon : int
        Paths, and business days simulated after the start.
    start : pandas.Timestamp
        Day 0: the last date of the estimation panel.
    dates : pandas.DatetimeIndex
        The ``horizon`` simulated business days.
    window : tuple of pandas.Timestamp
        First and last date of the estimation window (``n_returns`` daily returns).
    start_value : pandas.Series
        Value of one unit of the basket at the start, per numeraire (absolute).
    terminal : pandas.DataFrame
        Rows numeraires; columns the percentiles (``p1`` ... ``p99``) and ``mean`` of
        ``V_H / V_0``, the value at the horizon relative to the start. All paths.
    risk : pandas.DataFrame
        Rows numeraires, over all paths: ``horizon_var_95``, ``horizon_es_95``,
        ``horizon_var_99``, ``horizon_es_99`` (losses at the horizon as positive fractions of
        the start value), ``prob_move_gt_<x>pct`` (probability that ``|V_H / V_0 - 1| > move``
        at the horizon; ``prob_move_gt_5pct`` for the default) and ``horizon_volatility``
        (``std(log(V_H / V_0)) * sqrt(periods_per_year / horizon)`` over the paths, ddof 1).
        For i.i.d. daily returns and fixed weights this is the daily volatility annualized.
    fan : dict of str to pandas.DataFrame
        Per numeraire: rows the start and the simulated dates (or a grid of them, see
        ``fan_paths``), columns the percentile bands of the relative value. Computed on the
        first ``fan_paths`` paths.
    constituents : pandas.DataFrame
        The ``terminal`` and ``risk`` columns for each constituent held alone, rows a
        MultiIndex ``(numeraire, holding)``: what a holder in that numeraire would have had
        with that single currency instead of the basket.
    covariance : pandas.DataFrame
        The daily log-return covariance of the simulated currencies: the one the normal
        method used (sample or EWMA), or for the bootstrap that of the window (for reference).
    move : float
        The threshold of the ``prob_move_gt_<x>pct`` column.
    fan_paths : int
        Paths the fan bands use (the first ones).
    seed_entropy, seed_spawn_key
        ``np.random.SeedSequence(seed_entropy, spawn_key=seed_spawn_key)`` repeats the run.
    paths : dict of str to pandas.DataFrame
        The first ``keep_paths`` paths' relative values per numeraire (rows as in ``fan``,
        one column per path); empty unless asked for.
    path_prices : dict of str to pandas.DataFrame
        The same paths' simulated prices, USD per unit, per simulated currency.
    notes : tuple of str
        Anything the simulation simplified (IMF rounding, later periods of an amounts basket).
    """

    spec: BasketSpec
    method: str
    rule: str
    n_paths: int
    horizon: int
    start: pd.Timestamp
    dates: pd.DatetimeIndex
    window: tuple[pd.Timestamp, pd.Timestamp]
    n_returns: int
    start_value: pd.Series
    terminal: pd.DataFrame
    risk: pd.DataFrame
    fan: dict[str, pd.DataFrame]
    constituents: pd.DataFrame
    covariance: pd.DataFrame
    move: float
    percentiles: tuple[float, ...]
    fan_paths: int
    seed_entropy: Any
    seed_spawn_key: tuple[int, ...]
    drift: str
    ewma: float | None
    block_length: float | None
    periods_per_year: float = PERIODS_PER_YEAR
    source: str = "panel"
    paths: dict[str, pd.DataFrame] = field(default_factory=dict)
    path_prices: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def numeraires(self) -> list[str]:
        """The numeraires, in the order asked."""
        return [str(k) for k in self.terminal.index]

    @property
    def holdings(self) -> list[str]:
        """The constituents held at the start, in the basket's order."""
        return list(dict.fromkeys(str(c) for c in self.constituents.index.get_level_values(1)))

    def summary(self) -> pd.DataFrame:
        """The headline table, one row per numeraire.

        Columns: the ``p5``, ``p50`` and ``p95`` of the relative value at the horizon (whichever
        were computed), ``horizon_var_95``, ``horizon_es_95``, ``prob_move_gt_<x>pct``,
        ``horizon_volatility``,
        then ``vol_<CCY>``: the volatility of each constituent held alone.
        """
        pick = [c for c in ("p5", "p50", "p95") if c in self.terminal.columns]
        head = pd.concat(
            [self.terminal.loc[:, pick],
             self.risk.loc[:, ["horizon_var_95", "horizon_es_95", move_label(self.move),
                               "horizon_volatility"]]],
            axis=1,
        )
        alone = self.constituents["horizon_volatility"].unstack("holding")
        alone = alone.reindex(index=head.index, columns=self.holdings).add_prefix("vol_")
        return pd.concat([head, alone], axis=1)

    def figures(self) -> pd.DataFrame:
        """Every horizon figure in one flat frame, one row per numeraire.

        Columns: the run (``basket``, ``method``, ``rebalance``, ``paths``, ``horizon``,
        ``start``, ``drift``), the :attr:`terminal` percentiles and mean, the :attr:`risk`
        figures, then ``<figure>_<CCY>`` for each constituent held alone. What
        ``--format csv`` prints.
        """
        run = pd.DataFrame(
            {"basket": self.spec.name, "method": self.method, "rebalance": self.rule,
             "paths": self.n_paths, "horizon": self.horizon, "start": self.start,
             "drift": self.drift},
            index=self.terminal.index,
        )
        alone = self.constituents.unstack("holding")
        alone = alone.reindex(index=self.terminal.index)
        alone.columns = [f"{fig}_{ccy}" for fig, ccy in alone.columns]
        out = pd.concat([run, self.terminal, self.risk, alone], axis=1)
        out.columns.name = None
        return out

    def fan_frame(self) -> pd.DataFrame:
        """The daily percentile bands of every numeraire in one tidy frame.

        Rows: the start and the simulated dates (or the fan's grid of them) for each numeraire;
        columns ``numeraire`` then the percentiles (``p1`` ... ``p99``) of the value relative
        to the start.
        """
        parts = [f.assign(numeraire=k) for k, f in self.fan.items()]
        out = pd.concat(parts, axis=0)
        out.index.name = "date"
        return out[["numeraire", *[c for c in out.columns if c != "numeraire"]]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: the set-up, then ``terminal``, ``risk``, ``constituents`` and
        ``fan`` keyed by numeraire (and holding)."""

        def rows(frame: pd.DataFrame) -> dict[str, Any]:
            return {str(i): {str(c): _jsonable(v) for c, v in frame.loc[i].items()}
                    for i in frame.index}

        constituents: dict[str, Any] = {}
        for (k, c), row in self.constituents.iterrows():
            constituents.setdefault(str(k), {})[str(c)] = {
                str(col): _jsonable(v) for col, v in row.items()
            }
        fan = {
            k: {"dates": [d.date().isoformat() for d in f.index],
                **{str(c): [_jsonable(v) for v in f[c]] for c in f.columns}}
            for k, f in self.fan.items()
        }
        entropy = self.seed_entropy
        entropy = list(entropy) if isinstance(entropy, (tuple, list)) else entropy
        return {
            "basket": self.spec.name,
            "method": self.method,
            "rebalance": self.rule,
            "source": self.source,
            "paths": self.n_paths,
            "horizon": self.horizon,
            "start": self.start.date().isoformat(),
            "end": self.dates[-1].date().isoformat(),
            "window": {"start": self.window[0].date().isoformat(),
                       "end": self.window[1].date().isoformat(), "returns": self.n_returns},
            "drift": self.drift,
            "ewma": self.ewma,
            "block_length": self.block_length,
            "move": self.move,
            "fan_paths": self.fan_paths,
            "periods_per_year": self.periods_per_year,
            "seed": {"entropy": entropy, "spawn_key": list(self.seed_spawn_key)},
            "start_value": {str(k): _jsonable(v) for k, v in self.start_value.items()},
            "terminal": rows(self.terminal),
            "risk": rows(self.risk),
            "constituents": constituents,
            "fan": fan,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        return (
            f"SimulationResult(basket={self.spec.name!r}, method={self.method!r}, "
            f"rule={self.rule!r}, paths={self.n_paths}, horizon={self.horizon}, "
            f"start={self.start.date()}, numeraires={self.numeraires})"
        )

    def price_paths(self, currencies: Sequence[str] | None = None) -> PricePaths:
        """The kept paths' simulated prices, ready for :func:`basket.simulate_reserve`.

        Parameters
        ----------
        currencies : sequence of str, optional
            Simulated currencies to return, in this order (default: the basket's constituents
            held at the start, :attr:`holdings`: what a reserve holds).

        Returns
        -------
        PricePaths
            ``prices``: an array of shape ``(P, T + 1, n)`` of US dollars per unit, ``P`` the
            kept paths (``keep_paths``), ``T + 1`` the start and the simulated dates, ``n`` the
            currencies; ``dates``: the ``T + 1`` dates (those of :attr:`fan`: every simulated
            business day unless the fan had to be thinned, see ``fan_paths``);
            ``currencies``: their codes. Unpacks as ``prices, dates, currencies``.

        Raises
        ------
        SimulationError
            No path was kept (simulate with ``keep_paths``), or a currency that was not
            simulated.

        Examples
        --------
        >>> import basket
        >>> sim = basket.simulate("libra-2019", n_paths=200, horizon=5, keep_paths=3, seed=1)
        >>> prices, dates, currencies = sim.price_paths()
        >>> prices.shape, len(dates), currencies
        ((3, 6, 5), 6, ('USD', 'EUR', 'JPY', 'GBP', 'SGD'))
        >>> units = basket.backtest("libra-2019").units.iloc[-1][list(currencies)]
        >>> res = basket.simulate_reserve(prices, units, {c: 0.0 for c in currencies},
        ...                               dates=dates)
        >>> res.coverage.shape
        (3, 6)
        """
        if not self.path_prices:
            raise SimulationError(
                "no simulated path was kept; run basket.simulate(..., keep_paths=N) to keep "
                "the first N paths"
            )
        codes = list(self.holdings) if currencies is None else [
            str(c).strip().upper() for c in currencies]
        unknown = [c for c in codes if c not in self.path_prices]
        if unknown or not codes:
            raise SimulationError(
                f"currency {', '.join(unknown) or '(none)'} was not simulated; choose from "
                f"{', '.join(self.path_prices)}"
            )
        first = self.path_prices[codes[0]]
        prices = np.stack([self.path_prices[c].to_numpy(dtype=np.float64).T for c in codes],
                          axis=-1)
        return PricePaths(prices, pd.DatetimeIndex(first.index, name="date"), tuple(codes))

    def _repr_html_(self) -> str:
        from basket._repr import frame_html, title_html

        value = self.terminal.loc[:, [c for c in ("p5", "p50", "p95", "mean")
                                      if c in self.terminal.columns]]
        alone = self.constituents["horizon_volatility"].unstack("holding")
        alone = alone.reindex(index=self.terminal.index, columns=self.holdings)
        return (
            title_html(f"Monte Carlo of {self.spec.title or self.spec.name} ({self.method}, "
                       f"rebalance {self.rule}): {self.n_paths:,} paths, {self.horizon} days "
                       f"from {self.start.date()}")
            + frame_html(value, "ratio", index_label="holder in",
                         caption="Value at the horizon, relative to the start")
            + frame_html(self.risk, "pct", index_label="holder in",
                         caption="Risk over the whole horizon (losses as fractions of the "
                                 "start value; volatility annualized)")
            + frame_html(alone, "pct", index_label="holder in",
                         caption="Horizon volatility of each currency held alone")
        )
