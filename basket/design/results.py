"""What the design tools return: :class:`StressResult` and :class:`OptimizationResult` (frozen).

Both hold pandas frames built by the pure cores (:func:`basket.design.episodes.stress_table`,
:func:`basket.design.optimizer.solve_weights`) and offer ``summary()``, ``to_dict()`` (JSON-ready)
and an HTML view for Jupyter. Figures are fractions (0.05 is 5%); volatilities are annualized.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from basket._json import to_jsonable as _jsonable
from basket.design.episodes import BASKET, Episode
from basket.errors import SpecError
from basket.spec import BasketSpec
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["OptimizationResult", "StressResult"]


@dataclass(frozen=True)
class StressResult:
    """What :func:`basket.stress` returns (frozen).

    Attributes
    ----------
    basket : str
        Name of the basket stressed.
    rule : str
        Rebalancing rule applied while valuing it.
    source : str
        FX source.
    episodes : tuple of Episode
        The windows, in the order asked (chronological for the shipped set).
    numeraires : tuple of str
        Currencies the values are measured in.
    table : pandas.DataFrame
        Tidy: one row per (episode, numeraire, holding) with the columns ``episode``,
        ``numeraire``, ``holding`` (``"basket"`` or a currency held alone), ``first_date``,
        ``last_date``, ``change`` (simple return from the first to the last date) and
        ``max_drawdown`` (<= 0, worst fall from a running peak inside the window).
    skipped : tuple of str
        Shipped episodes left out because the data do not cover them (only when all episodes
        were asked for).
    title : str
        The basket's title for people (its name when it has none).
    """

    basket: str
    rule: str
    source: str
    episodes: tuple[Episode, ...]
    numeraires: tuple[str, ...]
    table: pd.DataFrame
    skipped: tuple[str, ...] = ()
    title: str = ""

    def pivot(self, value: str = "change", holding: str = BASKET) -> pd.DataFrame:
        """One figure for one holding: rows episodes, columns numeraires.

        Parameters
        ----------
        value : {"change", "max_drawdown"}, default "change"
        holding : str, default "basket"
            ``"basket"`` or a currency code held alone.

        Raises
        ------
        SpecError
            An unknown value or holding.
        """
        if value not in ("change", "max_drawdown"):
            raise SpecError(f"pivot value {value!r} is unknown; use 'change' or 'max_drawdown'")
        sub = self.table[self.table["holding"] == holding]
        if sub.empty:
            known = list(dict.fromkeys(self.table["holding"]))
            raise SpecError(f"holding {holding!r} is not in the table; use one of {known}")
        out = sub.pivot(index="episode", columns="numeraire", values=value)
        order = [e.name for e in self.episodes if e.name in out.index]
        cols = [k for k in self.numeraires if k in out.columns]
        out = out.loc[order, cols]
        out.columns.name = "numeraire"
        return out

    def summary(self) -> pd.DataFrame:
        """The basket per episode: window dates, then change and max drawdown per numeraire.

        Columns: ``first_date``, ``last_date``, then ``change_<K>`` and ``max_drawdown_<K>`` for
        each numeraire ``K``; one row per episode.
        """
        sub = self.table[self.table["holding"] == BASKET]
        dates = sub.groupby("episode", sort=False)[["first_date", "last_date"]].first()
        change = self.pivot("change").add_prefix("change_")
        dd = self.pivot("max_drawdown").add_prefix("max_drawdown_")
        pieces: list[pd.DataFrame] = [dates.loc[change.index]]
        for k in self.numeraires:
            pieces.append(change[[f"change_{k}"]])
            pieces.append(dd[[f"max_drawdown_{k}"]])
        out = pd.concat(pieces, axis=1)
        out.columns.name = None
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the basket, the episodes (with their sources) and the tidy rows."""
        spans = (
            self.table.groupby("episode", sort=False)[["first_date", "last_date"]].first()
            if len(self.table) else pd.DataFrame(columns=["first_date", "last_date"])
        )
        episodes = []
        for e in self.episodes:
            d = e.to_dict()
            if e.name in spans.index:
                d["first_date"] = _jsonable(spans.at[e.name, "first_date"])
                d["last_date"] = _jsonable(spans.at[e.name, "last_date"])
            episodes.append(d)
        rows = [
            {col: _jsonable(v) for col, v in row.items()}
            for row in self.table.to_dict(orient="records")
        ]
        return {
            "basket": self.basket,
            "rebalance": self.rule,
            "source": self.source,
            "numeraires": list(self.numeraires),
            "episodes": episodes,
            "skipped": list(self.skipped),
            "rows": rows,
        }

    def __repr__(self) -> str:
        names = [e.name for e in self.episodes]
        return (
            f"StressResult(basket={self.basket!r}, episodes={names}, "
            f"numeraires={list(self.numeraires)})"
        )

    def _repr_html_(self) -> str:
        import html

        from basket._repr import Kind, frame_html, title_html

        sub = self.table[self.table["holding"] == BASKET]
        dates = sub.groupby("episode", sort=False)[["first_date", "last_date"]].first()
        change = self.pivot("change")
        drawdown = self.pivot("max_drawdown")
        first = pd.concat([dates.loc[change.index], change], axis=1)
        kinds: dict[str, Kind] = {"first_date": "date", "last_date": "date", **dict.fromkeys(
            [str(k) for k in change.columns], "pct")}
        notes = "".join(
            f"<li><b>{html.escape(e.name)}</b>: {html.escape(e.title)} ({e.start} to {e.end}). "
            f"{html.escape(e.source.get('citation', ''))}</li>"
            for e in self.episodes
        )
        return str(
            title_html(f"Stress of {self.title or self.basket} (rebalance {self.rule}, source "
                       f"{self.source})")
            + frame_html(first, kinds, index_label="episode",
                         caption="Change of the basket over each episode, per holder currency")
            + frame_html(drawdown, "pct", index_label="episode",
                         caption="Deepest fall of the basket within each episode")
            + f"<ul>{notes}</ul>"
        )


@dataclass(frozen=True)
class OptimizationResult:
    """What :func:`basket.optimize` returns (frozen).

    Attributes
    ----------
    weights : pandas.Series
        Optimal value weights by allowed currency (zeros included), summing to 1.
    objective : str
        ``"single"``, ``"mean"`` or ``"worst"``.
    objective_value : float
        The objective at the optimum, in annualized model volatility on the estimation window.
    numeraires : tuple of str
    comparison : pandas.DataFrame
        Rows numeraires; columns ``optimum_model`` and ``benchmark_model`` (constant-weight
        model volatility on the estimation window), ``optimum_in_sample`` and
        ``benchmark_in_sample`` (realised volatility of the fixed-amounts baskets on the
        estimation window), ``optimum_out_of_sample`` and ``benchmark_out_of_sample`` (the same
        on the evaluation window). Benchmark columns only with a benchmark, out-of-sample
        columns only with an evaluation window. All annualized.
    window : tuple of pandas.Timestamp
        First and last dates of the estimation window.
    evaluate : tuple of pandas.Timestamp or None
        First and last dates of the evaluation window.
    benchmark : str or None
        Name of the benchmark basket.
    benchmark_weights : pandas.Series or None
        The benchmark's weights used for its model volatility: its value shares on the
        estimation window's first date, as held (a fixed-amounts basket such as Libra drifts
        from its stated weights), so that its model and realized figures describe one basket.
    bounds : dict of str to (float, float)
        The effective bounds per allowed currency.
    long_only : bool
    source : str
    periods_per_year : float
    solver : dict
        ``method`` and ``iterations``.
    notes : tuple of str
    """

    weights: pd.Series
    objective: str
    objective_value: float
    numeraires: tuple[str, ...]
    comparison: pd.DataFrame
    window: tuple[pd.Timestamp, pd.Timestamp]
    evaluate: tuple[pd.Timestamp, pd.Timestamp] | None = None
    benchmark: str | None = None
    benchmark_weights: pd.Series | None = None
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    long_only: bool = True
    source: str = "ecb"
    periods_per_year: float = PERIODS_PER_YEAR
    solver: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def weights_table(self) -> pd.DataFrame:
        """Weights side by side: ``optimum`` and (with a benchmark) ``benchmark`` columns.

        Rows: the allowed currencies, then any benchmark currency not allowed (zero weight in
        the optimum).
        """
        out = pd.DataFrame({"optimum": self.weights})
        if self.benchmark_weights is not None:
            codes = list(dict.fromkeys([*self.weights.index, *self.benchmark_weights.index]))
            out = out.reindex(codes).fillna(0.0)
            out["benchmark"] = self.benchmark_weights.reindex(codes).fillna(0.0)
        out.index.name = "currency"
        return out

    def summary(self) -> pd.DataFrame:
        """The comparison with two more rows: the ``mean`` and the ``worst`` across numeraires."""
        agg = pd.DataFrame(
            [self.comparison.mean(axis=0), self.comparison.max(axis=0)],
            index=["mean", "worst"],
        )
        out = pd.concat([self.comparison, agg], axis=0)
        out.index.name = "numeraire"
        return out

    def to_frame(self) -> pd.DataFrame:
        """Everything in one tidy frame: ``quantity``, ``basket``, ``code``, ``value``.

        ``quantity`` is ``weight`` (``code`` a currency) or ``vol_model``, ``vol_in_sample``,
        ``vol_out_of_sample`` (``code`` a numeraire); ``basket`` is ``optimum`` or ``benchmark``.
        """
        rows: list[dict[str, Any]] = []
        for col, series in self.weights_table().items():
            for code, v in series.items():
                rows.append({"quantity": "weight", "basket": col, "code": code, "value": v})
        for col in self.comparison.columns:
            who, _, what = str(col).partition("_")
            for code, v in self.comparison[col].items():
                rows.append({"quantity": f"vol_{what}", "basket": who, "code": code,
                             "value": v})
        return pd.DataFrame(rows, columns=["quantity", "basket", "code", "value"])

    def to_spec(self, name: str = "optimum") -> BasketSpec:
        """A :class:`~basket.BasketSpec` holding the optimal weights from the window's start.

        Currencies with zero weight are left out; the base date is the estimation window's
        first date and the base value 1 USD.

        Raises
        ------
        SpecError
            If the optimum holds a short position (a spec is long-only).
        """
        w = self.weights[self.weights > 0]
        if (self.weights < 0).any():
            short = ", ".join(str(c) for c in self.weights.index[self.weights < 0])
            raise SpecError(
                f"the optimum is short {short}; a basket spec holds long positions only"
            )
        w = w / w.sum()
        names = ", ".join(self.numeraires)
        return BasketSpec(
            name=name,
            weights={str(c): float(v) for c, v in w.items()},
            base_date=self.window[0].date(),
            title=f"Minimum {self.objective}-case volatility basket ({names})"
            if self.objective == "worst"
            else f"Minimum {self.objective} volatility basket ({names})",
            description=(
                f"Weights found by basket.optimize (objective {self.objective!r}) on "
                f"{self.window[0].date()} to {self.window[1].date()}."
            ),
            source={"citation": "basket.optimize", "url": ""},
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: weights, windows, objective, comparison by numeraire, notes."""
        comp = {
            str(k): {str(c): _jsonable(v) for c, v in row.items()}
            for k, row in self.comparison.iterrows()
        }
        return {
            "objective": self.objective,
            "objective_value": _jsonable(self.objective_value),
            "numeraires": list(self.numeraires),
            "weights": {str(c): _jsonable(v) for c, v in self.weights.items()},
            "benchmark": self.benchmark,
            "benchmark_weights": None if self.benchmark_weights is None else {
                str(c): _jsonable(v) for c, v in self.benchmark_weights.items()
            },
            "bounds": {c: [_jsonable(lo), _jsonable(hi)] for c, (lo, hi) in self.bounds.items()},
            "long_only": self.long_only,
            "window": [_jsonable(self.window[0]), _jsonable(self.window[1])],
            "evaluate": None if self.evaluate is None else [
                _jsonable(self.evaluate[0]), _jsonable(self.evaluate[1])
            ],
            "source": self.source,
            "periods_per_year": self.periods_per_year,
            "solver": dict(self.solver),
            "comparison": comp,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        w = ", ".join(f"{c} {v:.1%}" for c, v in self.weights.items() if v != 0)
        return (
            f"OptimizationResult(objective={self.objective!r}, "
            f"value={self.objective_value:.4%}, weights=[{w}])"
        )

    def _repr_html_(self) -> str:
        from basket._repr import frame_html, title_html

        ev = (
            f", evaluated {self.evaluate[0].date()} to {self.evaluate[1].date()}"
            if self.evaluate else ""
        )
        return str(
            title_html(f"Basket design: {self.objective} volatility across "
                       f"{', '.join(self.numeraires)}; estimated {self.window[0].date()} to "
                       f"{self.window[1].date()}{ev}")
            + frame_html(self.weights_table(), "pct", caption="Weights")
            + frame_html(self.summary(), "pct", index_label="holder in",
                         caption="Annualized volatility")
        )
