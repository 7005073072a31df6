"""The valuation wing's face: :func:`price`, :func:`backtest` and :func:`compare_indices`.

The pure core (:mod:`basket.valuation.engine`, :mod:`basket.valuation.metrics`) never touches
files or the network; :func:`basket.valuation.loading.panel_for` loads the FX panel (bundled
ECB data by default) or validates the user's, and this module hands it over.

An index spec (``constant`` or ``base_level``, see :mod:`basket.valuation.indices`) takes its
own branch in each face: its price is its level, a unitless number, so ``numeraire`` does not
apply (a :class:`~basket.errors.SpecError` if one is given), and its backtest has one column,
``level``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from basket._checks import require_finite
from basket._frames import frame_from_blocks, frame_of, labels
from basket.currencies import normalize_code, normalize_codes
from basket.data import SourceLike
from basket.dates import to_timestamp, to_timestamps
from basket.errors import DataError, ShortWindowWarning, SpecError
from basket.rebalance import NoRebalance, RebalanceRule, Review, parse_rule
from basket.spec import BasketSpec, load_spec
from basket.valuation.engine import Valuation, valuate
from basket.valuation.indices import IndexValuation, compare_levels, index_valuation, to_index
from basket.valuation.loading import (
    Loaded,
    PriceTable,
    index_panel_for,
    load_panel_for,
    panel_for,
    price_table,
)
from basket.valuation.metrics import PERIODS_PER_YEAR, basket_metrics, relative_figures
from basket.valuation.results import BacktestResult, IndexComparison

__all__ = ["SHORT_WINDOW", "backtest", "compare_indices", "load_panel_for", "price",
           "price_detail"]

SHORT_WINDOW = 20
"""Fewer dates than this give a :class:`~basket.errors.ShortWindowWarning`: annualized figures
from a few days are noise (three days of a 2% rise annualize to several hundred percent)."""


def backtest(
    spec: str | BasketSpec = "libra-2019",
    start: Any = None,
    end: Any = None,
    rebalance: str | None = None,
    numeraires: Sequence[str] | str | None = None,
    source: SourceLike = "ecb",
    *,
    periods_per_year: float = PERIODS_PER_YEAR,
    panel: pd.DataFrame | None = None,
    benchmark: str | BasketSpec | None = None,
) -> BacktestResult:
    """Value a basket day by day and measure its risk in each numeraire.

    Parameters
    ----------
    spec : str or BasketSpec, default "libra-2019"
        A seed name, a TOML path or a spec. An index (``dxy``) is measured by its level: one
        column, ``level``, and ``numeraires`` must not be given.
    start, end : date-like, optional
        Inclusive range; by default every date the source covers for the basket.
    rebalance : str, optional
        Rebalancing rule (default: the spec's, ``none`` for Libra): ``none``, ``monthly``,
        ``quarterly``, ``annual``, ``band:0.05``, ``review:5y``.
    numeraires : sequence of str, optional
        Currencies to measure the basket in (default: its constituents quoted over the whole
        range). Any currency of the source works.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        FX source (bundled ECB rates by default); see :class:`basket.data.SourceOptions` for
        the CSV quote convention, date alignment and refresh.
    periods_per_year : float, default 252
        Annualization of daily figures.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit, meeting :func:`basket.validate_panel`) instead of
        loading one; ``source`` is then ignored.
    benchmark : str or BasketSpec, optional
        A basket to measure this one against (e.g. ``"sdr"``), valued with its own rule on the
        same source and numeraires: adds the ``tracking_error`` and ``active_return`` metrics
        (:func:`basket.valuation.metrics.relative_figures`: daily simple returns, the
        difference annualized) on the dates both are valued.

    Returns
    -------
    BacktestResult

    Raises
    ------
    SpecError
        Unknown basket or rebalancing rule; an index as the basket or the benchmark of a
        tracking error (a level has no value in a currency).
    DataError
        Dates outside the data, unknown numeraire, too few dates.

    Examples
    --------
    >>> res = backtest("libra-2019", start="2019-06-18", end="2019-12-31")
    >>> float(res.values.loc["2019-06-18", "USD"])
    1.0
    >>> res.numeraires
    ['USD', 'EUR', 'JPY', 'GBP', 'SGD']
    """
    spec = load_spec(spec)
    if benchmark is not None:
        bench = load_spec(benchmark)
        for what, s in (("basket", spec), ("benchmark", bench)):
            if s.is_index:
                raise SpecError(
                    f"{what} {s.name!r} is an index, a level with no value in a currency: it "
                    "has no tracking error; measure a basket against a basket (e.g. benchmark "
                    "'sdr')")
        res = backtest(spec, start, end, rebalance, numeraires, source,
                       periods_per_year=periods_per_year, panel=panel)
        return _against(res, bench, source, panel)
    if spec.is_index:
        return _index_backtest(spec, start, end, rebalance, numeraires, source, periods_per_year,
                               panel)
    rule = parse_rule(spec.rebalance if rebalance is None else rebalance)
    asked = normalize_codes(numeraires) if numeraires is not None else None
    data = panel_for(spec, start, end, asked or (), source, panel)
    fx = data.panel
    if asked is None:
        complete = dict(zip(fx.columns, ~np.isnan(fx.to_numpy()).any(axis=0)))
        asked = [c for c in spec.currencies if complete.get(c, False)]
    missing = [k for k in asked if k not in fx.columns]
    if missing:
        raise DataError(f"the FX panel has no rates for numeraire {', '.join(missing)}")
    if len(fx) < 3:
        raise DataError(
            f"only {len(fx)} date(s) from {fx.index[0].date()} to {fx.index[-1].date()}; "
            "a backtest needs at least three, widen the date range"
        )
    if len(fx) < SHORT_WINDOW:
        warnings.warn(
            f"only {len(fx)} dates from {fx.index[0].date()} to {fx.index[-1].date()}: "
            f"annualized figures from fewer than {SHORT_WINDOW} dates are unreliable (a "
            "three-day rise becomes a huge annualized return); widen the date range",
            ShortWindowWarning, stacklevel=2,
        )
    val = valuate(spec, fx, rule, data.base_prices)
    res = _result(spec, rule.label, data.source, fx, val, asked, periods_per_year)
    if isinstance(rule, Review):
        note = (f"{rule.label} holds the basket's own amounts until its first review, "
                f"{rule.years} year(s) after the first date, then re-weights to the target "
                "(calendar and band rules start at the target weights)")
        res = dataclasses.replace(res, notes=(*res.notes, note))
    return res


def _against(res: BacktestResult, bench: BasketSpec, source: SourceLike,
             panel: pd.DataFrame | None) -> BacktestResult:
    """``res`` with its tracking error and active return against the basket ``bench``."""
    other = backtest(bench, res.start, res.end, None, res.numeraires, source,
                     periods_per_year=res.periods_per_year, panel=panel)
    dates = res.values.index.intersection(other.values.index)
    if len(dates) < 3:
        raise DataError(
            f"{res.spec.name!r} and benchmark {bench.name!r} are both valued on only "
            f"{len(dates)} date(s); widen the date range")
    figures = relative_figures(res.values.loc[dates].to_numpy(),
                               other.values.loc[dates, res.numeraires].to_numpy(),
                               res.periods_per_year)
    for name, arr in figures.items():
        require_finite(pd.Series(arr, index=res.numeraires), name.replace("_", " "))
    note = (f"tracking error and active return against {bench.title or bench.name} "
            f"(rebalance {other.rule}): daily simple returns of the two in the same currency, "
            f"their difference annualized, on {len(dates)} dates both are valued")
    return dataclasses.replace(res, metrics=res.metrics.assign(**figures),
                               benchmark=bench.name, notes=(*res.notes, note))


def _result(spec: BasketSpec, rule: str, source: str, fx: pd.DataFrame, val: Valuation,
            asked: list[str], periods_per_year: float) -> BacktestResult:
    """Measure a valuation in each numeraire and wrap it with its figures."""
    arr = fx.to_numpy()
    where = {c: i for i, c in enumerate(fx.columns)}
    pk = _columns(arr, [where[c] for c in asked])
    values = val.values_usd[:, None] / pk
    # an amounts basket may not hold every currency of its history in this window
    changes = np.concatenate(([0], val.resets)).astype(np.intp)  # units only change there
    held = (val.units[changes] != 0.0).any(axis=0)
    currencies = [c for c, h in zip(val.currencies, held) if h]
    if held.all():                      # the valuation's own new arrays: no copy (wide panels)
        units, weights = val.units, val.weights
    else:
        units, weights = val.units[:, held], val.weights[:, held]
    prices = pk if currencies == asked else _columns(arr, [where[c] for c in currencies])
    require_finite(values, "basket's value")
    m = basket_metrics(values, prices, pk, weights, periods_per_year)
    for figure in ("volatility", "total_return", "annualized_return", "max_drawdown",
                   "worst_day", "var_95", "es_95", "var_99", "es_99"):
        if not np.isfinite(m[figure]).all():            # the message names the numeraire
            require_finite(pd.Series(m[figure], index=asked), figure.replace("_", " "))
    dates = val.dates
    cols = labels(asked, "numeraire")
    ccy = labels(currencies, "currency")
    return BacktestResult(
        spec=spec,
        rule=rule,
        source=source,
        values=frame_of(values, dates._view(), cols),
        units=frame_of(units, dates._view(), ccy._view()),
        weights=frame_of(weights, dates._view(), ccy._view()),
        rebalance_dates=dates.take(val.resets),
        metrics=_metrics_frame(m, dates, cols._view()),
        **_by_constituent(m, cols, ccy),
        periods_per_year=float(periods_per_year),
    )


def _columns(arr: np.ndarray, cols: list[int]) -> np.ndarray:
    """``arr[:, cols]``; ``arr`` itself (a read-only view of the panel, never written) when
    ``cols`` are all its columns in order, so a wide panel is not copied."""
    if cols == list(range(arr.shape[1])):
        return arr
    out: np.ndarray = arr[:, cols]
    return out


def _by_constituent(m: dict[str, np.ndarray], cols: pd.Index, ccy: pd.Index
                    ) -> dict[str, pd.DataFrame]:
    """The (constituent, numeraire) figures as frames: rows numeraires, columns constituents."""
    return {name: frame_of(m[name].T, cols._view(), ccy._view())
            for name in ("constituent_volatility", "correlation", "risk_contribution")}


_METRIC_COLUMNS = (
    "volatility", "total_return", "annualized_return", "max_drawdown", "max_drawdown_peak",
    "max_drawdown_trough", "max_drawdown_recovery", "worst_day", "worst_day_date", "var_95",
    "es_95", "var_99", "es_99",
)
_METRIC_ROWS = {"max_drawdown_peak": "max_drawdown_peak",
                "max_drawdown_trough": "max_drawdown_trough",
                "max_drawdown_recovery": "max_drawdown_recovery",
                "worst_day_date": "worst_day_row"}


def _metrics_frame(m: dict[str, np.ndarray], dates: pd.DatetimeIndex,
                   cols: pd.Index) -> pd.DataFrame:
    """The per-numeraire metrics of :func:`basket_metrics`, rows turned into dates: one float
    block and one datetime block (the columns of :data:`_METRIC_COLUMNS`)."""
    stamps = dates.values
    rows = np.stack([m[_METRIC_ROWS[c]] for c in _METRIC_COLUMNS if c in _METRIC_ROWS])
    when = np.where(rows >= 0, stamps[np.maximum(rows, 0)], np.datetime64("NaT"))
    floats = np.stack([m[c] for c in _METRIC_COLUMNS if c not in _METRIC_ROWS]).astype(np.float64)
    where_rows = [i for i, c in enumerate(_METRIC_COLUMNS) if c in _METRIC_ROWS]
    where_floats = [i for i, c in enumerate(_METRIC_COLUMNS) if c not in _METRIC_ROWS]
    return frame_from_blocks([(floats, where_floats), (when, where_rows)], cols,
                             labels(_METRIC_COLUMNS))


def price(
    when: Any,
    numeraire: str | None = None,
    basket: str | BasketSpec = "libra-2019",
    source: SourceLike = "ecb",
    *,
    panel: pd.DataFrame | None = None,
) -> float | pd.Series:
    """The value of one unit of a basket on a date, in a currency.

    Parameters
    ----------
    when : date-like, or a sequence / DatetimeIndex of them, or a ``slice(start, end)``
        One date gives a float; several dates or a range give a Series. On a day without a
        quote (a weekend or holiday) the last quote before it is used; the Series'
        ``attrs["date_used"]`` (or, for a float, :func:`price_detail`) says which date.
    numeraire : str, optional
        Currency to express the value in (default ``USD``). An index has no numeraire: its
        price is its level, a unitless number, and giving one raises :class:`SpecError`.
    basket : str or BasketSpec, default "libra-2019"
        Seed name, TOML path or spec. Valued with its default rule (fixed amounts for Libra).
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        FX source; see :class:`basket.data.SourceOptions`.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit, meeting :func:`basket.validate_panel`) instead of
        loading one.

    Returns
    -------
    float or pandas.Series

    Raises
    ------
    DataError
        A date that is not ISO ``YYYY-MM-DD`` (or a date object), a date before the data
        starts or well after it ends, a numeraire that is not one ISO code, an unknown
        numeraire.
    SpecError
        A numeraire for an index.

    Notes
    -----
    A basket held without rebalancing is worth, on each date, what that date's row alone
    says, so its price on every date of its source is computed once per session and source
    version (:func:`~basket.valuation.loading.price_table`); a call then checks its dates and
    numeraire as always and reads the table (tens of microseconds). A rebalanced basket, a
    ``panel`` or a source without a version is valued on the data up to the date asked.

    Examples
    --------
    >>> price("2019-06-18")
    1.0
    >>> round(price("2022-09-27", basket="dxy"), 2)   # the US Dollar Index on the ECB fixing
    113.58
    >>> round(price("2019-06-22", numeraire="EUR"), 6)   # a Saturday: Friday's quote is used
    0.888102
    """
    one = isinstance(when, _ONE_DATE)
    if panel is None and not isinstance(when, slice):
        spec = load_spec(basket)
        k = _numeraire(spec, numeraire)
        if one:
            day = to_timestamp(when, "date")
            assert day is not None  # a date object or text
        else:
            asked = _dates_asked(when)
        table = _table(spec, k, source)
        if table is not None:
            if one:
                tick = day.value // _PER_NS[table.unit]      # .value: nanoseconds, any unit
                return float(table.values[_rows_of(table, tick, tick, tick, spec)])
            rows = _rows(table, asked.to_numpy(), spec)
            out = pd.Series(table.values[rows], index=asked, name="value")
            out.attrs["date_used"] = table.dates[rows].rename("date_used")
            return out
    detail = price_detail(when, numeraire, basket, source, panel=panel)
    if one:
        return float(detail["value"].iloc[0])
    out = detail["value"].copy()
    out.attrs["date_used"] = pd.DatetimeIndex(detail["date_used"], name="date_used")
    return out


_ONE_DATE = (str, dt.date, pd.Timestamp, np.datetime64)


def _table(spec: BasketSpec, k: str | None, source: SourceLike) -> PriceTable | None:
    """The memoised price table of a basket held without rebalancing (its price on a date is
    then that date's row alone, whatever range was loaded); ``None`` otherwise."""
    if not isinstance(parse_rule(spec.rebalance), NoRebalance):
        return None
    return price_table(spec, k, source,
                       lambda data: _values_on(spec, data.panel, data.base_prices, k,
                                               np.arange(len(data.panel))))


def _rows(table: PriceTable, days: np.ndarray, spec: BasketSpec) -> np.ndarray:
    """The rows in force on the days asked (datetime64), with :func:`price_detail`'s checks."""
    ticks = days.astype(table.stamps.dtype).view(np.int64)
    return _rows_of(table, ticks, int(ticks.min()), int(ticks.max()), spec)


def _rows_of(table: PriceTable, ticks: Any, lo: int, hi: int, spec: BasketSpec) -> Any:
    """:func:`_rows` on integer dates in the table's unit (``lo``, ``hi``: the extremes)."""
    known = table.ticks
    if lo < known[0]:
        raise DataError(
            f"{_day_of(table, lo)} is before the data for {spec.name!r} starts "
            f"({table.dates[0].date()}); pick a later date"
        )
    if hi > known[-1] + _WEEK[table.unit]:
        raise DataError(
            f"{_day_of(table, hi)} is after the last quote ({table.dates[-1].date()}) in "
            f"source {table.source!r}; pick an earlier date or refresh the data"
        )
    return known.searchsorted(ticks, side="right") - 1


_WEEK = {u: int(np.timedelta64(7, "D") / np.timedelta64(1, u)) for u in ("s", "ms", "us", "ns")}
_PER_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _day_of(table: PriceTable, tick: int) -> dt.date:
    return pd.Timestamp(np.datetime64(tick, table.unit)).date()


def _dates_asked(when: Any) -> pd.DatetimeIndex:
    """The dates of a price request: one date, or a sequence of them (never guessed)."""
    if isinstance(when, _ONE_DATE):
        items: Any = [when]
    elif isinstance(when, (list, tuple)):
        items = when
    elif isinstance(when, (pd.Index, pd.Series, np.ndarray)):
        items = when if isinstance(when, pd.DatetimeIndex) else list(when)
    elif when is None:
        items = []
    else:
        to_timestamp(when, "date")                       # raises, naming the bad value
        items = [when]
    if len(items) == 0:
        raise DataError("no date given; pass a date, a list of dates or slice(start, end)")
    return to_timestamps(items, "date").rename("date")


def _one_code(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise DataError(f"{what} {value!r} must be one ISO code such as 'EUR'")
    return normalize_code(value)


def price_detail(
    when: Any,
    numeraire: str | None = None,
    basket: str | BasketSpec = "libra-2019",
    source: SourceLike = "ecb",
    *,
    panel: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Like :func:`price`, as a frame with the ``value`` and the ``date_used`` per date asked."""
    spec = load_spec(basket)
    k = _numeraire(spec, numeraire)
    if isinstance(when, slice):
        res = backtest(spec, when.start, when.stop, numeraires=None if k is None else [k],
                       source=source, panel=panel)
        v = res.values.iloc[:, 0]
        return pd.DataFrame({"value": v, "date_used": v.index}, index=v.index)
    asked = _dates_asked(when)
    lo, hi = asked.min(), asked.max()
    data = _price_data(spec, k, source, panel)
    panel, base_prices = data.panel, data.base_prices
    first = panel.index[0]
    if lo < first:
        raise DataError(
            f"{lo.date()} is before the data for {spec.name!r} starts ({first.date()}); "
            "pick a later date"
        )
    window = panel.loc[:hi]
    if len(window) == 0:
        raise DataError(f"no quote on or before {hi.date()}")
    rows = window.index.searchsorted(asked, side="right") - 1
    used = window.index[rows]
    last = panel.index[-1]
    if hi > last + pd.Timedelta(days=7):
        raise DataError(
            f"{hi.date()} is after the last quote ({last.date()}) in source {data.source!r}; "
            "pick an earlier date or refresh the data"
        )
    values = _values_on(spec, window, base_prices, k, rows)
    return pd.DataFrame({"value": values, "date_used": used}, index=asked)


# ----------------------------------------------------------------------------- indices
def _numeraire(spec: BasketSpec, numeraire: str | None) -> str | None:
    """A basket's numeraire (``USD`` by default); ``None`` for an index, which has none."""
    if spec.is_index:
        if numeraire is not None:
            raise SpecError(
                f"{spec.name!r} is an index of {spec.base_currency}: its price is a unitless level, "
                f"so a numeraire does not apply; drop numeraire {numeraire!r}"
            )
        return None
    return _one_code("USD" if numeraire is None else numeraire, "numeraire")


def _price_data(spec: BasketSpec, k: str | None, source: SourceLike,
                panel: pd.DataFrame | None) -> Loaded:
    if k is None:
        return index_panel_for(spec, None, None, source, panel)
    return panel_for(spec, None, None, [k], source, panel)


def _values_on(spec: BasketSpec, window: pd.DataFrame, base_prices: pd.Series | None,
               k: str | None, rows: np.ndarray) -> np.ndarray:
    """The price on the given rows: the level of an index, a basket's value in ``k``."""
    if k is None:
        return index_valuation(spec, window, None, base_prices).level[rows]
    val = valuate(spec, window, None, base_prices)
    out: np.ndarray = val.values_usd[rows] / window[k].to_numpy()[rows]
    return out


def _index_backtest(spec: BasketSpec, start: Any, end: Any, rebalance: str | None,
                    numeraires: Sequence[str] | str | None, source: SourceLike,
                    periods_per_year: float, panel: pd.DataFrame | None) -> BacktestResult:
    """:func:`backtest` of an index: its level, and each bilateral rate beside it."""
    if numeraires is not None:
        _numeraire(spec, ", ".join([numeraires] if isinstance(numeraires, str) else numeraires))
    rule = parse_rule(spec.rebalance if rebalance is None else rebalance)
    data = index_panel_for(spec, start, end, source, panel)
    fx = data.panel
    if len(fx) < 3:
        raise DataError(
            f"only {len(fx)} date(s) from {fx.index[0].date()} to {fx.index[-1].date()}; "
            "a backtest needs at least three, widen the date range"
        )
    iv = index_valuation(spec, fx, rule, data.base_prices)
    return _index_result(spec, rule, data.source, iv, periods_per_year)


def _index_result(spec: BasketSpec, rule: RebalanceRule, source: str, iv: IndexValuation,
                  periods_per_year: float) -> BacktestResult:
    """Measure an index's level like a basket's value in one numeraire, ``level``.

    With ``Q_c = P_c ** s`` and ``Q_b = P_b ** s`` in place of the prices, "constituent ``c``
    held alone, in the numeraire" is ``Q_c / Q_b = Y_c``, the bilateral rate quoted the index's
    way, so every per-constituent figure compares the index with that rate. ``units`` are
    ``w_c * level / Y_c``, so that ``weights * values / units`` recovers ``Y_c``.
    """
    held = (np.nan_to_num(iv.weights) != 0.0).any(axis=0)
    currencies = [c for c, h in zip(iv.currencies, held) if h]
    weights, rates = iv.weights[:, held], iv.rates[:, held]
    level = iv.level[:, None]
    # the panel in the index's own terms: Q_c / Q_b = Y_c, and Q_b = 1 / Y_b = 1 for the base
    m = basket_metrics(level, rates, np.ones_like(level), weights, periods_per_year)
    dates = iv.dates
    cols = labels(["level"], "numeraire")
    ccy = labels(currencies, "currency")
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(weights == 0.0, 0.0, weights * level / rates)
    return BacktestResult(
        spec=spec,
        rule=rule.label,
        source=source,
        values=frame_of(np.array(level), dates._view(), cols),
        units=frame_of(units, dates._view(), ccy._view()),
        weights=frame_of(np.array(weights), dates._view(), ccy._view()),
        rebalance_dates=dates.take(iv.resets),
        metrics=_metrics_frame(m, dates, cols._view()),
        **_by_constituent(m, cols, ccy),
        periods_per_year=float(periods_per_year),
    )


def compare_indices(
    baskets: Sequence[str | BasketSpec] = ("libra-2019", "sdr", "dxy"),
    currency: str = "USD",
    start: Any = None,
    end: Any = None,
    source: SourceLike = "ecb",
    *,
    base_date: Any = None,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> IndexComparison:
    """One currency against several baskets, on one chart and in one table.

    Parameters
    ----------
    baskets : sequence of str or BasketSpec, default ("libra-2019", "sdr", "dxy")
        Seeds, TOML paths or specs. An index of ``currency`` (the DXY for ``USD``) is used as
        it is; any other basket, or an index of another currency, becomes an index of
        ``currency``: basket units per unit of ``currency`` (:func:`~basket.valuation.indices.to_index`).
    currency : str, default "USD"
        The currency measured; for a holder of it, each index's volatility is the basket's.
    start, end : date-like, optional
        Inclusive range; the comparison runs on the dates every index has.
    source : str, path-like, FXSource or SourceOptions, default "ecb"
    base_date : date-like, optional
        Where the rebased levels equal 100 (default: the first common date).
    periods_per_year : float, default 252

    Returns
    -------
    IndexComparison
        ``levels`` and ``rebased`` (one column per basket), ``table`` (change, volatility,
        drawdown, correlations of daily changes), plotted by
        :func:`basket.plot.indices_figure`.

    Raises
    ------
    SpecError
        A basket given twice, indices rising in opposite directions, an unknown basket.
    DataError
        Fewer than three common dates, a range outside the data.

    Examples
    --------
    >>> cmp = compare_indices(start="2019-06-18", end="2019-12-31")
    >>> cmp.names
    ['libra-2019', 'sdr', 'dxy']
    >>> round(float(cmp.rebased.iloc[0, 0]), 6)
    100.0
    """
    (code,) = normalize_codes(currency)
    specs = [to_index(load_spec(b), code) for b in baskets]
    if not specs:
        raise SpecError("no basket to compare; give at least one")
    levels = {}
    name = "panel"
    for spec in specs:
        res = backtest(spec, start, end, source=source, periods_per_year=periods_per_year)
        levels[spec.name] = res.values["level"]
        name = res.source
    frame = pd.concat(levels, axis=1, join="inner")
    return compare_levels(frame, specs, name, base_date, periods_per_year)
