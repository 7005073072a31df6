"""Currency indices: one currency measured against a basket, as a unitless level (pure).

Conventions, stated once for the module (see :mod:`basket.spec` for the TOML fields):

* prices are **US dollars per one unit** of each currency (an FX panel); ``X_c = P_c / P_b`` is
  the price of currency ``c`` in the index's base currency ``b``;
* ``B(t)`` is the value of one unit of the basket in ``b``: ``prod_c X_c(t) ** w_c`` for a
  geometric basket, ``sum_c units_c(t) * X_c(t)`` for an arithmetic one (valued exactly as
  :func:`basket.valuation.engine.valuate` values the basket);
* ``s = -1`` when the index rises as ``b`` strengthens (it counts basket units per ``b``, as the
  US Dollar Index does), ``s = +1`` when it rises as ``b`` weakens;
* the level is ``constant * B(t) ** s``, or ``base_level * (B(t) / B(t0)) ** s`` with ``t0`` the
  base date (the quotes in force that day);
* each constituent "alone" is its bilateral rate quoted the index's way, ``Y_c = X_c ** s``
  (``c`` per ``b`` when the index rises with ``b``), so an index of a single currency is that
  rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from basket.currencies import normalize_code
from basket.errors import DataError, SpecError
from basket.rebalance import NoRebalance, RebalanceRule, parse_rule
from basket.spec import BasketSpec, load_spec
from basket.valuation.engine import imf_usd_value, valuate
from basket.valuation.metrics import PERIODS_PER_YEAR, log_returns, volatility
from basket.valuation.results import IndexComparison

__all__ = [
    "IndexValuation",
    "check_comparable",
    "compare_levels",
    "index_level",
    "index_of",
    "index_table",
    "index_valuation",
    "rebase",
    "to_index",
]


@dataclass(frozen=True)
class IndexValuation:
    """Raw result of :func:`index_valuation` (numpy arrays aligned on ``dates``).

    Attributes
    ----------
    dates : pandas.DatetimeIndex
    currencies : list of str
        The basket's currencies.
    level : ndarray, shape (T,)
        The index level (unitless).
    weights : ndarray, shape (T, n)
        The basket's value shares after each day's close (constant for a geometric index).
    rates : ndarray, shape (T, n)
        Each constituent's bilateral rate quoted the index's way, ``Y_c = (P_c / P_b) ** s``.
    resets : ndarray of int
        Rows on which the basket's amounts were reset (none for a geometric index).
    """

    dates: pd.DatetimeIndex
    currencies: list[str]
    level: np.ndarray
    weights: np.ndarray
    rates: np.ndarray
    resets: np.ndarray


def _sign(spec: BasketSpec) -> float:
    return -1.0 if spec.rises_when == "strengthens" else 1.0


def _base_row(spec: BasketSpec, dates: pd.DatetimeIndex, base_prices: pd.Series | None) -> int | None:
    """Row of the base-date quotes when they lie in the panel (the level is then exact there)."""
    if base_prices is None:
        return None
    stamp = pd.Timestamp(base_prices.name) if base_prices.name is not None else None
    if stamp is None or stamp not in dates:
        return None
    return int(dates.get_loc(stamp))


def _base_quotes(spec: BasketSpec, base_prices: pd.Series | None, codes: list[str]) -> np.ndarray:
    if base_prices is None:
        raise SpecError(f"index {spec.name!r} needs its base-date prices")
    quotes = base_prices.reindex(codes).to_numpy(dtype=np.float64)
    if not np.isfinite(quotes).all():
        raise DataError(f"no base-date price for index {spec.name!r}")
    return quotes


def _geometric(spec: BasketSpec, prices: np.ndarray, pb: np.ndarray, row: int | None,
               base_prices: pd.Series | None) -> np.ndarray:
    """``log B(t) = sum_c w_c log(P_c / P_b)``, scaled by the constant or fixed at the base date."""
    w = np.array([(spec.weights or {})[c] for c in spec.currencies])
    log_b = (np.log(prices) - np.log(pb)[:, None]) @ w
    s = _sign(spec)
    if spec.constant is not None:
        return np.asarray(spec.constant * np.exp(s * log_b))
    if row is not None:
        log_b0 = float(log_b[row])
    else:
        q = _base_quotes(spec, base_prices, [*spec.currencies, spec.base_currency])
        log_b0 = float((np.log(q[:-1]) - np.log(q[-1])) @ w)
    assert spec.base_level is not None
    return np.asarray(spec.base_level * np.exp(s * (log_b - log_b0)))


def _arithmetic_base(spec: BasketSpec, base_prices: pd.Series | None) -> float:
    """``B(t0)``: the basket's own amounts on the base date, valued in the base currency."""
    if spec.weights is not None:
        return float(spec.base_value)  # weights become amounts worth base_value on the base date
    assert spec.base_date is not None
    amounts = spec.period_at(spec.base_date).amounts
    codes = list(amounts)
    q = _base_quotes(spec, base_prices, [*codes, spec.base_currency])
    units = [amounts[c] for c in codes]
    usd = imf_usd_value(units, q[:-1]) if spec.rounding == "imf" else float(np.dot(units, q[:-1]))
    return usd / float(q[-1])


def index_valuation(
    spec: BasketSpec,
    panel: pd.DataFrame,
    rule: str | RebalanceRule | None = None,
    base_prices: pd.Series | None = None,
) -> IndexValuation:
    """Value an index on every date of a panel: its level, weights and bilateral rates.

    Parameters
    ----------
    spec : BasketSpec
        An index (``constant`` or ``base_level`` set).
    panel : pandas.DataFrame
        USD per unit for the basket's currencies and the base currency.
    rule : str or RebalanceRule, optional
        The basket's rebalancing rule (default ``spec.rebalance``); ``none`` for a geometric index.
    base_prices : pandas.Series, optional
        USD per unit on the base date, named by that date's row; required when the index or
        its amounts are fixed on the base date.

    Returns
    -------
    IndexValuation

    Raises
    ------
    SpecError
        Not an index, or a rule that does not apply (rebalancing a geometric index).
    DataError
        A missing column or base price, an empty panel.

    Notes
    -----
    ``level(t) = constant * B(t) ** s`` or ``base_level * (B(t) / B(t0)) ** s`` (module
    docstring). A geometric level is computed in logs, ``exp(s * sum_c w_c log(P_c / P_b))``.
    """
    if not spec.is_index:
        raise SpecError(
            f"basket {spec.name!r} is not an index; give it constant or base_level, or use index_of"
        )
    codes = [*spec.currencies, spec.base_currency]
    missing = [c for c in dict.fromkeys(codes) if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}")
    if panel.empty:
        raise DataError(f"no FX data to value index {spec.name!r} on; widen the date range")
    dates = pd.DatetimeIndex(panel.index)
    prices = panel.loc[:, spec.currencies].to_numpy(dtype=np.float64)
    pb = panel[spec.base_currency].to_numpy(dtype=np.float64)
    row = _base_row(spec, dates, base_prices)
    if spec.method == "geometric":
        if not isinstance(parse_rule(spec.rebalance if rule is None else rule), NoRebalance):
            raise SpecError("a geometric index is implicitly rebalanced; use rebalance='none'")
        level = _geometric(spec, prices, pb, row, base_prices)
        w = np.array([(spec.weights or {})[c] for c in spec.currencies])
        weights = np.broadcast_to(w, prices.shape).copy()
        resets = np.zeros(0, dtype=np.intp)
    else:
        val = valuate(spec, panel, rule, base_prices)
        value_b = val.values_usd / pb
        s = _sign(spec)
        if spec.constant is not None:
            level = spec.constant * value_b ** s
        else:
            b0 = float(value_b[row]) if row is not None else _arithmetic_base(spec, base_prices)
            assert spec.base_level is not None
            level = spec.base_level * (value_b / b0) ** s
        weights, resets = val.weights, val.resets
    with np.errstate(invalid="ignore"):
        rates = (prices / pb[:, None]) ** _sign(spec)
    return IndexValuation(dates, list(spec.currencies), np.asarray(level, dtype=np.float64),
                          weights, rates, np.asarray(resets, dtype=np.intp))


def index_level(
    spec: BasketSpec,
    panel: pd.DataFrame,
    rule: str | RebalanceRule | None = None,
    base_prices: pd.Series | None = None,
) -> pd.Series:
    """The level of an index on every date of a panel (see :func:`index_valuation`).

    Returns
    -------
    pandas.Series
        Indexed like ``panel``, named ``"level"``.

    Examples
    --------
    An index of the dollar against the euro alone, 100 times the euros one dollar buys:

    >>> idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date")
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0], "EUR": [1.25, 1.0]}, index=idx)
    >>> spec = BasketSpec.from_dict({"name": "usd-eur", "method": "geometric",
    ...     "weights": {"EUR": 1.0}, "constant": 100.0, "rises_when": "strengthens"})
    >>> index_level(spec, fx).round(10).tolist()
    [80.0, 100.0]
    """
    iv = index_valuation(spec, panel, rule, base_prices)
    return pd.Series(iv.level, index=iv.dates, name="level")


# ----------------------------------------------------------------------------- building specs
def index_of(
    basket: str | BasketSpec,
    currency: str = "USD",
    *,
    base_date: Any = None,
    base_level: float | None = None,
    constant: float | None = None,
    rises_when: str = "strengthens",
    name: str | None = None,
) -> BasketSpec:
    """Turn a basket into an index of a currency: how many units of the basket it buys.

    Parameters
    ----------
    basket : str or BasketSpec
        A seed name, TOML path or spec. An index gives its basket (its level fields are
        replaced).
    currency : str, default "USD"
        The currency measured (the index's ``base_currency``).
    base_date : date-like, optional
        The day the index equals ``base_level``; default the basket's base date. A weights
        basket fixes its amounts on its own base date, so its index is based there too.
    base_level : float, optional
        Level on ``base_date``; 100 when neither ``base_level`` nor ``constant`` is given.
    constant : float, optional
        Scale the index by a constant instead (``level = constant * B(t) ** s``; no base date
        for a geometric basket).
    rises_when : {"strengthens", "weakens"}, default "strengthens"
        ``strengthens``: the level counts basket units per unit of ``currency``.
    name : str, optional
        Default ``"<basket>-<currency>"`` in lower case.

    Returns
    -------
    BasketSpec
        An index spec (``spec.is_index``), with the basket's source.

    Raises
    ------
    SpecError
        Both ``constant`` and ``base_level``, a base date other than a weights basket's own,
        a geometric index fixed on a base date it does not have.

    Examples
    --------
    The Libra index of the dollar: how many Libra one US dollar buys, 100 on 2019-06-18.

    >>> spec = index_of("libra-2019", "USD")
    >>> spec.name, spec.base_level, str(spec.base_date), spec.rises_when
    ('libra-2019-usd', 100.0, '2019-06-18', 'strengthens')
    """
    src = load_spec(basket)
    code = _code(currency)
    if constant is not None and base_level is not None:
        raise SpecError("index_of: give constant or base_level, not both")
    day = src.base_date if base_date is None else _date(base_date)
    if src.weights is not None and src.method == "arithmetic" and day != src.base_date:
        raise SpecError(
            f"index_of: {src.name!r} fixes its amounts on its base date {src.base_date}; its index "
            f"is based there too (rebase the level afterwards: level / level[day] * 100)"
        )
    if constant is None:
        if day is None:
            raise SpecError(f"index_of: {src.name!r} has no base date; give base_date or constant")
        base_level = 100.0 if base_level is None else base_level
    elif src.method == "geometric":
        day = None  # a geometric basket scaled by a constant is fixed nowhere
    title = f"{code} against {src.title or src.name}"
    return BasketSpec(
        name=name or f"{src.name}-{code.lower()}",
        weights=src.weights,
        periods=src.periods,
        base_date=day,
        base_currency=code,
        method=src.method,
        rebalance=src.rebalance,
        rounding=src.rounding,
        title=title,
        description=f"How many units of {src.title or src.name} one {code} buys, as an index.",
        source=dict(src.source),
        constant=constant,
        base_level=base_level,
        rises_when=rises_when,
    )


def to_index(spec: BasketSpec, currency: str) -> BasketSpec:
    """An index of ``currency``: ``spec`` itself when it is one, else its basket scaled by 1.

    A basket, or an index of another currency, becomes ``index_of(spec, currency,
    constant=1.0)``: basket units per unit of ``currency``, rising as it strengthens.
    """
    code = _code(currency)
    if spec.is_index and spec.base_currency == code:
        return spec
    return index_of(spec, code, constant=1.0, name=spec.name)


def _code(currency: str) -> str:
    try:
        return normalize_code(currency)
    except DataError as exc:
        raise SpecError(f"index currency: {exc}") from None


def _date(value: Any) -> dt.date:
    from basket.dates import to_timestamp

    try:
        ts = to_timestamp(value, "base_date")
    except DataError as exc:
        raise SpecError(str(exc)) from None
    assert ts is not None
    day: dt.date = ts.date()
    return day


# ----------------------------------------------------------------------------- comparison
def index_table(levels: pd.DataFrame, periods_per_year: float = PERIODS_PER_YEAR) -> pd.DataFrame:
    """Compare index levels on common dates: change, volatility, drawdown, correlations.

    Parameters
    ----------
    levels : pandas.DataFrame
        One column per index (its level), indexed by date, no NaN, at least three rows.
    periods_per_year : float, default 252
        Annualization of daily figures.

    Returns
    -------
    pandas.DataFrame
        One row per index (the columns of ``levels``, in order): ``start`` and ``end`` (levels
        on the first and last date), ``change`` (``end / start - 1``: for an index rising with
        its currency, the currency's gain against the basket), ``annualized_change``,
        ``volatility`` (annualized, daily log changes, ``ddof=1``), ``max_drawdown`` (largest
        fall from a running peak, as a negative fraction), then ``corr_<name>``: the
        correlation of daily log changes with each index.

    Raises
    ------
    DataError
        Fewer than three dates, a NaN or a non-positive level.

    Examples
    --------
    >>> idx = pd.date_range("2020-01-01", periods=4, name="date")
    >>> levels = pd.DataFrame({"a": [100.0, 101.0, 100.0, 102.0],
    ...                        "b": [100.0, 102.0, 100.0, 104.0]}, index=idx)
    >>> table = index_table(levels)
    >>> round(float(table.loc["b", "change"]), 6), round(float(table.loc["a", "corr_b"]), 6)
    (0.04, 0.999997)
    """
    frame = pd.DataFrame(levels)
    values = frame.to_numpy(dtype=np.float64)
    if len(frame) < 3:
        raise DataError(f"only {len(frame)} common date(s) to compare indices on; widen the range")
    if not (np.isfinite(values).all() and (values > 0).all()):
        raise DataError("index levels must be positive numbers on every common date")
    ppy = float(periods_per_year)
    returns = log_returns(frame)
    growth = values[-1] / values[0]
    table = pd.DataFrame(
        {
            "start": values[0],
            "end": values[-1],
            "change": growth - 1.0,
            "annualized_change": growth ** (ppy / (len(frame) - 1)) - 1.0,
            "volatility": np.asarray(volatility(returns, ppy), dtype=np.float64),
            "max_drawdown": (values / np.maximum.accumulate(values, axis=0) - 1.0).min(axis=0),
        },
        index=pd.Index([str(c) for c in frame.columns], name="index"),
    )
    corr = returns.corr().to_numpy()
    for j, c in enumerate(table.index):
        table[f"corr_{c}"] = corr[:, j]
    return table


def rebase(levels: pd.DataFrame, base_date: Any = None,
           level: float = 100.0) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Scale every column to ``level`` on a date (the last row on or before ``base_date``).

    Returns the rebased frame and the date used (default: the first row).
    """
    frame = pd.DataFrame(levels)
    if base_date is None:
        row = 0
    else:
        from basket.dates import to_timestamp

        day = to_timestamp(base_date, "base_date")
        row = int(frame.index.searchsorted(day, side="right")) - 1
        if row < 0:
            raise DataError(
                f"base_date {pd.Timestamp(day).date()} is before the first common date "
                f"{pd.Timestamp(frame.index[0]).date()}; pick a later one"
            )
    return frame / frame.iloc[row] * level, pd.Timestamp(frame.index[row])


def check_comparable(specs: Sequence[BasketSpec]) -> None:
    """Indices compared on one chart must be distinct and rise the same way."""
    names = [s.name for s in specs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SpecError(f"basket {dup[0]!r} is given twice; compare each basket once")
    ways = {s.rises_when for s in specs}
    if len(ways) > 1:
        odd = next(s for s in specs if s.rises_when != specs[0].rises_when)
        raise SpecError(
            f"{odd.name!r} rises when {odd.base_currency} {odd.rises_when}, {specs[0].name!r} when "
            f"it {specs[0].rises_when}; compare indices that rise the same way"
        )


def compare_levels(
    levels: pd.DataFrame,
    specs: Sequence[BasketSpec],
    source: str = "panel",
    base_date: Any = None,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> IndexComparison:
    """Put indices of one currency side by side (the pure step of :func:`basket.compare_indices`).

    Parameters
    ----------
    levels : pandas.DataFrame
        One column per spec (in order), indexed by date; rows with a NaN are dropped, so the
        comparison runs on the dates every index has.
    specs : sequence of BasketSpec
        The indices, all of one currency and rising the same way.
    source : str
        The FX source's name, for the record.
    base_date : date-like, optional
        Where :attr:`IndexComparison.rebased` equals 100 (default: the first common date).
    periods_per_year : float, default 252

    Returns
    -------
    IndexComparison

    Raises
    ------
    SpecError
        Indices of different currencies or directions, a basket given twice.
    DataError
        Fewer than three common dates.
    """
    specs = tuple(specs)
    check_comparable(specs)
    currencies = sorted({s.base_currency for s in specs})
    if len(currencies) != 1:
        raise SpecError(f"compare indices of one currency, not {', '.join(currencies)}")
    frame = pd.DataFrame(levels).dropna(how="any")
    frame.columns = pd.Index([str(c) for c in frame.columns], name="index")
    frame.index.name = "date"
    table = index_table(frame, periods_per_year)
    rebased, day = rebase(frame, base_date)
    return IndexComparison(
        currency=currencies[0], specs=specs, levels=frame, rebased=rebased, base_date=day,
        table=table, source=source, periods_per_year=float(periods_per_year),
    )
