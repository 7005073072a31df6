"""Result objects (frozen dataclasses of pandas frames) with ``summary()``, ``to_frame()``,
``to_dict()`` and an HTML view for Jupyter: :class:`BacktestResult` (one basket, or one index,
day by day) and :class:`IndexComparison` (several indices of one currency side by side)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from basket._json import to_jsonable as _jsonable
from basket.spec import BasketSpec
from basket.valuation.metrics import PERIODS_PER_YEAR, rolling_volatility

__all__ = ["BacktestResult", "IndexComparison"]

HEADLINE = [
    "volatility", "total_return", "annualized_return", "max_drawdown", "worst_day",
    "var_95", "es_95", "var_99", "es_99",
]




@dataclass(frozen=True)
class BacktestResult:
    """What :func:`basket.backtest` returns.

    Attributes
    ----------
    spec : BasketSpec
        The basket valued.
    rule : str
        The rebalancing rule applied (``none``, ``quarterly``, ``band:0.05`` ...).
    source : str
        The FX source.
    values : pandas.DataFrame
        Value of one unit of the basket per date (rows) in each numeraire (columns):
        USD for the ``USD`` column, euros for ``EUR``, and so on.
    units : pandas.DataFrame
        Currency amounts held after each day's close.
    weights : pandas.DataFrame
        Value shares after each day's close (the same in every numeraire).
    rebalance_dates : pandas.DatetimeIndex
        Dates on which the amounts were reset (rebalancing or a new amounts period).
    metrics : pandas.DataFrame
        One row per numeraire: ``volatility`` (annualized, daily log returns), ``total_return``,
        ``annualized_return``, ``max_drawdown`` with ``max_drawdown_peak``/``_trough``/
        ``_recovery`` dates, ``worst_day`` (simple return) and ``worst_day_date``, historical
        ``var_95``, ``es_95``, ``var_99``, ``es_99`` (positive loss fractions of one day); with a
        :attr:`benchmark`, also ``tracking_error`` and ``active_return``
        (:func:`basket.valuation.metrics.relative_figures`).
    constituent_volatility : pandas.DataFrame
        Rows numeraires, columns constituents: each currency held alone, measured in the
        numeraire (a holder's alternative to the basket).
    correlation : pandas.DataFrame
        Correlation of the basket's daily log returns with each constituent's, measured in the
        numeraire (rows numeraires, columns constituents); NaN where the constituent does not
        move in the numeraire (its own currency).
    risk_contribution : pandas.DataFrame
        Euler contributions to the basket's volatility; each row sums to ``metrics.volatility``.
    periods_per_year : float
        Annualization used.
    notes : tuple of str
        What the figures assume that a reader should know (printed under the table).
    benchmark : str or None
        Name of the basket the ``tracking_error`` and ``active_return`` metrics are measured
        against (``backtest(..., benchmark=)``), or ``None``.
    """

    spec: BasketSpec
    rule: str
    source: str
    values: pd.DataFrame
    units: pd.DataFrame
    weights: pd.DataFrame
    rebalance_dates: pd.DatetimeIndex
    metrics: pd.DataFrame
    constituent_volatility: pd.DataFrame
    correlation: pd.DataFrame
    risk_contribution: pd.DataFrame
    periods_per_year: float = PERIODS_PER_YEAR
    notes: tuple[str, ...] = field(default=())
    benchmark: str | None = None

    @property
    def start(self) -> pd.Timestamp:
        """First date valued."""
        return pd.Timestamp(self.values.index[0])

    @property
    def end(self) -> pd.Timestamp:
        """Last date valued."""
        return pd.Timestamp(self.values.index[-1])

    @property
    def numeraires(self) -> list[str]:
        """The numeraires, in the order asked."""
        return [str(c) for c in self.values.columns]

    def to_frame(self) -> pd.DataFrame:
        """The daily values, one column per numeraire (a copy)."""
        return self.values.copy()

    def rolling_volatility(self, window: int = PERIODS_PER_YEAR) -> pd.DataFrame:
        """Trailing ``window``-day annualized volatility of the basket in each numeraire."""
        out = rolling_volatility(self.values, window, self.periods_per_year)
        assert isinstance(out, pd.DataFrame)
        return out

    def summary(self) -> pd.DataFrame:
        """The headline table: per numeraire, the basket's volatility beside each constituent's.

        Columns: ``volatility``, ``total_return``, ``max_drawdown``, ``worst_day``, ``var_95``,
        ``es_95``, ``tracking_error`` (with a :attr:`benchmark`), then ``vol_<CCY>`` for each
        constituent held alone.
        """
        head = self.metrics.loc[:, [c for c in ("volatility", "total_return", "max_drawdown",
                                                "worst_day", "var_95", "es_95", "tracking_error")
                                    if c in self.metrics.columns]]
        alone = self.constituent_volatility.add_prefix("vol_")
        return pd.concat([head, alone], axis=1)

    def figures(self) -> pd.DataFrame:
        """Every figure of :meth:`to_dict` in one flat frame, one row per numeraire.

        Columns: the run (``basket``, ``rebalance``, ``source``, ``start``, ``end``, ``dates``,
        ``periods_per_year``, ``rebalance_count``), every column of :attr:`metrics`, then
        ``constituent_volatility_<CCY>``, ``correlation_<CCY>`` and ``risk_contribution_<CCY>``
        for each constituent. What ``--format csv`` prints.
        """
        run = pd.DataFrame(
            {
                "basket": self.spec.name, "rebalance": self.rule, "source": self.source,
                "start": self.start, "end": self.end, "dates": len(self.values),
                "periods_per_year": self.periods_per_year,
                "rebalance_count": len(self.rebalance_dates),
                **({"benchmark": self.benchmark} if self.benchmark is not None else {}),
            },
            index=self.metrics.index,
        )
        per_ccy = [
            getattr(self, name).add_prefix(f"{name}_")
            for name in ("constituent_volatility", "correlation", "risk_contribution")
        ]
        out = pd.concat([run, self.metrics, *per_ccy], axis=1)
        out.columns.name = None
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: the basket, the period, and ``metrics`` keyed by numeraire."""
        metrics: dict[str, Any] = {}
        for k in self.metrics.index:
            row = {col: _jsonable(v) for col, v in self.metrics.loc[k].items()}
            for name in ("constituent_volatility", "correlation", "risk_contribution"):
                frame: pd.DataFrame = getattr(self, name)
                row[name] = {c: _jsonable(v) for c, v in frame.loc[k].items()}
            metrics[str(k)] = row
        return {
            "basket": self.spec.name,
            "rebalance": self.rule,
            "source": self.source,
            "start": self.start.date().isoformat(),
            "end": self.end.date().isoformat(),
            "dates": len(self.values),
            "periods_per_year": self.periods_per_year,
            "rebalance_count": len(self.rebalance_dates),
            "benchmark": self.benchmark,
            "metrics": metrics,
        }

    def __repr__(self) -> str:
        return (
            f"BacktestResult(basket={self.spec.name!r}, rule={self.rule!r}, "
            f"{self.start.date()}..{self.end.date()}, numeraires={self.numeraires})"
        )

    def _repr_html_(self) -> str:
        from basket._repr import frame_html, title_html

        head = self.metrics.loc[:, [c for c in ("volatility", "total_return", "max_drawdown",
                                                "worst_day", "var_95", "es_95")
                                    if c in self.metrics.columns]]
        return (
            title_html(f"Backtest of {self.spec.title or self.spec.name} ({self.rule}), "
                       f"{self.start.date()} to {self.end.date()}, source {self.source}")
            + frame_html(head, "pct", index_label="holder in",
                         caption="The basket, per holder currency (VaR, ES: one day)")
            + frame_html(self.constituent_volatility, "pct", index_label="holder in",
                         caption="Volatility of each currency held alone")
        )


@dataclass(frozen=True)
class IndexComparison:
    """What :func:`basket.compare_indices` returns: indices of one currency on common dates.

    Attributes
    ----------
    currency : str
        The currency every index measures (``USD`` for the dollar against each basket).
    specs : tuple of BasketSpec
        The indices, in the order asked.
    levels : pandas.DataFrame
        Each index's own level (columns named after the baskets) on the dates all share.
    rebased : pandas.DataFrame
        The same, scaled to 100 on :attr:`base_date` so they compare on one chart.
    base_date : pandas.Timestamp
        Where :attr:`rebased` is 100.
    table : pandas.DataFrame
        :func:`basket.valuation.indices.index_table`: per index ``start``, ``end``, ``change``,
        ``annualized_change``, ``volatility``, ``max_drawdown`` and ``corr_<name>``.
    source : str
        The FX source.
    periods_per_year : float
        Annualization used.
    """

    currency: str
    specs: tuple[BasketSpec, ...]
    levels: pd.DataFrame
    rebased: pd.DataFrame
    base_date: pd.Timestamp
    table: pd.DataFrame
    source: str
    periods_per_year: float = PERIODS_PER_YEAR

    @property
    def names(self) -> list[str]:
        """The indices' column names, in order."""
        return [str(c) for c in self.levels.columns]

    @property
    def start(self) -> pd.Timestamp:
        """First common date."""
        return pd.Timestamp(self.levels.index[0])

    @property
    def end(self) -> pd.Timestamp:
        """Last common date."""
        return pd.Timestamp(self.levels.index[-1])

    @property
    def correlation(self) -> pd.DataFrame:
        """Correlation of daily log changes, one row and column per index."""
        out = self.table.loc[:, [f"corr_{n}" for n in self.names]].copy()
        out.columns = pd.Index(self.names, name="index")
        return out

    def summary(self) -> pd.DataFrame:
        """The comparison table (a copy of :attr:`table`)."""
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        """The rebased levels, one column per index (a copy)."""
        return self.rebased.copy()

    def rolling_volatility(self, window: int = PERIODS_PER_YEAR) -> pd.DataFrame:
        """Trailing ``window``-day annualized volatility of each index."""
        out = rolling_volatility(self.levels, window, self.periods_per_year)
        assert isinstance(out, pd.DataFrame)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: the run, then each index's row of :attr:`table` and its title."""
        titles = {s.name: s.title for s in self.specs}
        indices = {
            str(name): {"title": titles.get(str(name), ""),
                        **{str(k): _jsonable(v) for k, v in row.items()}}
            for name, row in self.table.iterrows()
        }
        return {
            "currency": self.currency,
            "base_date": self.base_date.date().isoformat(),
            "start": self.start.date().isoformat(),
            "end": self.end.date().isoformat(),
            "dates": len(self.levels),
            "source": self.source,
            "periods_per_year": self.periods_per_year,
            "indices": indices,
        }

    def __repr__(self) -> str:
        return (
            f"IndexComparison(currency={self.currency!r}, indices={self.names}, "
            f"{self.start.date()}..{self.end.date()})"
        )

    def _repr_html_(self) -> str:
        title = (
            f"<h4>{self.currency} against {', '.join(self.names)}, {self.start.date()} to "
            f"{self.end.date()} (100 on {self.base_date.date()}), source {self.source}</h4>"
        )
        return title + self.table.to_html(float_format=lambda x: f"{x:.4f}")
