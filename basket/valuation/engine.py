"""Valuation engine (pure numpy/pandas): amounts, daily values and rebalancing.

Conventions, stated once for the module:

* prices are **US dollars per one unit** of each currency (an FX panel, see
  :mod:`basket.data.panel`); ``units`` are currency amounts held by one unit of the basket;
* an arithmetic basket is worth ``V_usd(t) = sum_c units_c(t) * P_c(t)``, and in a numeraire
  ``k`` it is worth ``V_usd(t) / P_k(t)`` units of ``k``;
* a weights basket becomes an amounts basket at its base date ``t0``:
  ``units_c = w_c * V0 / P_c(t0)``, with ``V0`` the base value converted to USD;
* a rebalancing day ``d`` is value-preserving: the holdings after the close of ``d`` are
  ``w_c * V(d) / P_c(d)``, bought at that day's rates, so ``V(d)`` is the same before and after;
* the ``units`` and ``weights`` rows of a result are the holdings *after* that day's close.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from basket.errors import DataError, SpecError
from basket.rebalance import Band, Calendar, NoRebalance, RebalanceRule, Review, parse_rule
from basket.spec import BasketSpec

__all__ = [
    "Valuation",
    "basket_value",
    "imf_round",
    "imf_usd_value",
    "round_amount",
    "units_from_weights",
    "valuate",
]


def units_from_weights(
    weights: Mapping[str, float] | pd.Series,
    prices_at_base: Mapping[str, float] | pd.Series,
    base_value: float = 1.0,
) -> pd.Series:
    """Turn value weights into fixed currency amounts at a base date.

    Parameters
    ----------
    weights : mapping or Series
        Value shares by currency, summing to 1.
    prices_at_base : mapping or Series
        USD per unit of each currency on the base date.
    base_value : float, default 1.0
        The basket's value on the base date, in USD.

    Returns
    -------
    pandas.Series
        ``units_c = w_c * base_value / P_c(t0)``, in the weights' order.

    Examples
    --------
    >>> units_from_weights({"USD": 0.5, "EUR": 0.5}, {"USD": 1.0, "EUR": 1.25})
    USD    0.5
    EUR    0.4
    dtype: float64
    """
    w = pd.Series(weights, dtype=np.float64)
    p = pd.Series(prices_at_base, dtype=np.float64).reindex(w.index)
    if p.isna().any():
        missing = list(p.index[p.isna()])
        raise DataError(f"no base-date price for {', '.join(missing)}")
    return w * float(base_value) / p


def basket_value(panel: pd.DataFrame, units: Mapping[str, float] | pd.Series) -> pd.Series:
    """Value a fixed-amounts basket on every date of an FX panel, in USD.

    Parameters
    ----------
    panel : pandas.DataFrame
        USD per unit, one column per currency (at least the basket's).
    units : mapping or Series
        Currency amounts in one unit of the basket.

    Returns
    -------
    pandas.Series
        ``sum_c units_c * P_c(t)``, indexed like ``panel``, named ``"USD"``.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DatetimeIndex(["2020-01-02", "2020-01-03"], name="date")
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0], "EUR": [1.25, 1.0]}, index=idx)
    >>> basket_value(fx, {"USD": 0.5, "EUR": 0.4}).tolist()
    [1.0, 0.9]
    """
    u = pd.Series(units, dtype=np.float64)
    missing = [c for c in u.index if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}")
    values = panel.loc[:, list(u.index)].to_numpy() @ u.to_numpy()
    return pd.Series(values, index=panel.index, name="USD")


# ----------------------------------------------------------------------------- IMF rounding
def imf_round(x: float | Decimal, digits: int = 6) -> Decimal:
    """Round to ``digits`` significant digits, decimal half up (the IMF's SDR convention).

    The float is read through its shortest repr, so ``0.4230 * 1.38450 = 0.5856435`` rounds to
    ``0.585644`` as the IMF publishes it (binary rounding would give ``0.585643``).

    Examples
    --------
    >>> imf_round(Decimal("0.4230") * Decimal("1.38450"))
    Decimal('0.585644')
    """
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if d == 0:
        return Decimal(0)
    exponent = d.adjusted() - digits + 1
    return d.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP)


def imf_usd_value(units: Sequence[float], prices: Sequence[float]) -> float:
    """One day's USD value by the IMF's rules: each USD equivalent and the sum to 6 digits.

    Parameters
    ----------
    units : sequence of float
        Currency amounts.
    prices : sequence of float
        USD per unit of each currency.

    Returns
    -------
    float
        ``round6(sum_c round6(units_c * P_c))``.

    Examples
    --------
    >>> imf_usd_value([0.4230, 12.1, 0.1110, 0.66], [1.38450, 1 / 76.79, 1.58010, 1.0])
    1.57861
    """
    total = Decimal(0)
    for u, p in zip(units, prices):
        if u == 0:
            continue
        total += imf_round(Decimal(repr(float(u))) * Decimal(repr(float(p))))
    return float(imf_round(total))


def round_amount(x: float, digits: int = 5) -> float:
    """Round a currency amount to ``digits`` significant digits (half up), as the IMF does."""
    return float(imf_round(x, digits))


# ----------------------------------------------------------------------------- valuation
@dataclass(frozen=True)
class Valuation:
    """Raw result of :func:`valuate` (numpy arrays aligned on ``dates``).

    Attributes
    ----------
    dates : pandas.DatetimeIndex
    currencies : list of str
    values_usd : ndarray, shape (T,)
        Value of one unit of the basket in USD.
    units : ndarray, shape (T, n)
        Amounts held after each day's close.
    weights : ndarray, shape (T, n)
        Value shares after each day's close (``units * P / V``).
    resets : ndarray of int
        Rows on which the amounts were reset (rebalancing or a new period).
    """

    dates: pd.DatetimeIndex
    currencies: list[str]
    values_usd: np.ndarray
    units: np.ndarray
    weights: np.ndarray
    resets: np.ndarray


def _row_values(units: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """Sum of units * prices per row; a currency with zero units counts zero even if unpriced."""
    if np.isnan(prices).any():
        return np.where(units == 0.0, 0.0, units * prices).sum(axis=1)
    return np.einsum("ij,ij->i", units, prices)


def _spec_units(spec: BasketSpec, dates: pd.DatetimeIndex, currencies: list[str],
                base_prices: pd.Series | None) -> tuple[np.ndarray, np.ndarray]:
    """The spec's own amounts on every row, and the rows where a new period starts."""
    n, t = len(currencies), len(dates)
    if spec.weights is not None:
        if base_prices is None:
            raise SpecError(f"basket {spec.name!r} needs base-date prices to fix its amounts")
        where = {c: i for i, c in enumerate(base_prices.index)}
        wanted = [*currencies, spec.base_currency]
        if any(c not in where for c in wanted):
            raise DataError(f"no base-date price for basket {spec.name!r}")
        p0 = base_prices.to_numpy(dtype=np.float64)[[where[c] for c in wanted]]
        if not np.isfinite(p0).all():
            raise DataError(f"no base-date price for basket {spec.name!r}")
        w = np.array([spec.weights.get(c, 0.0) for c in currencies])
        # units_c = w_c * V0 / P_c(t0), with V0 = base_value in base_currency, in USD
        row = w * (spec.base_value * p0[-1]) / p0[:-1]
        return np.repeat(row[None, :], t, axis=0), np.zeros(0, dtype=np.intp)
    periods = spec.periods or ()
    if not len(dates):
        return np.zeros((0, n)), np.zeros(0, dtype=np.intp)
    first_day = dates[0].date()
    if first_day < periods[0].start:
        raise DataError(
            f"basket {spec.name!r} starts on {periods[0].start}; the data starts "
            f"{first_day}, pick --start on or after {periods[0].start}"
        )
    units = np.zeros((t, n))
    starts = []
    for i, p in enumerate(periods):
        lo = int(dates.searchsorted(pd.Timestamp(p.start)))
        hi = int(dates.searchsorted(pd.Timestamp(periods[i + 1].start))) if i + 1 < len(periods) else t
        if lo >= hi:
            continue
        units[lo:hi] = [p.amounts.get(c, 0.0) for c in currencies]
        if lo > 0:
            starts.append(lo)
    return units, np.asarray(starts, dtype=np.intp)


def _calendar_path(prices: np.ndarray, units0: np.ndarray, target: np.ndarray,
                   resets: np.ndarray) -> np.ndarray:
    """Units per row for value-preserving resets to ``target`` weights on ``resets`` rows.

    Vectorised: with ``r_0 < r_1 < ...`` and ``V(r_j) = V(r_{j-1}) * sum_c w_c P_c(r_j) /
    P_c(r_{j-1})``, each segment's amounts are ``w * V(r_j) / P(r_j)``.
    """
    t, n = prices.shape
    units = np.empty((t, n))
    if resets[0] > 0:
        units[: resets[0]] = units0
    pr = prices[resets]
    v0 = float(_row_values(units0[None, :], pr[:1])[0])
    with np.errstate(invalid="ignore"):
        rel = pr[1:] / pr[:-1]
    growth = np.where(target == 0.0, 0.0, rel * target).sum(axis=1)
    v = v0 * np.concatenate(([1.0], np.cumprod(growth)))
    with np.errstate(invalid="ignore", divide="ignore"):
        seg_units = np.where(target == 0.0, 0.0, target * v[:, None] / pr)
    lengths = np.diff(np.append(resets, t))
    units[resets[0]:] = np.repeat(seg_units, lengths, axis=0)
    return units


def _band_path(prices: np.ndarray, units0: np.ndarray, target: np.ndarray,
               width: float) -> tuple[np.ndarray, np.ndarray]:
    """Units per row for a drift band: reset when any weight leaves ``target ± width``."""
    t, n = prices.shape
    units = np.empty((t, n))
    resets = [0]
    v = float(_row_values(units0[None, :], prices[:1])[0])
    current = np.where(target == 0.0, 0.0, target * v / prices[0])
    start = 0
    while True:
        units[start:] = current
        seg = prices[start + 1:]
        if not len(seg):
            break
        held = np.where(current == 0.0, 0.0, current * seg)
        w = held / held.sum(axis=1, keepdims=True)
        breach = np.flatnonzero((np.abs(w - target) > width).any(axis=1))
        if not len(breach):
            break
        day = start + 1 + int(breach[0])
        v = float(held[breach[0]].sum())
        current = np.where(target == 0.0, 0.0, target * v / prices[day])
        resets.append(day)
        start = day
    return units, np.asarray(resets, dtype=np.intp)


def _review_path(prices: np.ndarray, dates: pd.DatetimeIndex, units0: np.ndarray,
                 target: np.ndarray, rule: Review, currencies: list[str],
                 imf: bool) -> tuple[np.ndarray, np.ndarray]:
    """Units per row under SDR-style reviews (see :class:`~basket.rebalance.Review`)."""
    t, n = prices.shape
    units = np.empty((t, n))
    resets = rule.calendar_resets(dates)
    current = units0.copy()
    start = 0
    for day in resets:
        units[start:day] = current
        lo = int(dates.searchsorted(rule.window_start(dates[day])))
        # a currency the target does not hold may be unquoted in the window (the SDR's CNY
        # before 2005): average 1.0 for it rather than an empty slice (numpy would warn)
        xbar = np.nanmean(np.where(target == 0.0, 1.0, prices[lo: day + 1]), axis=0)
        value = float(_row_values(current[None, :], prices[day: day + 1])[0])
        with np.errstate(invalid="ignore", divide="ignore"):
            raw = np.where(target == 0.0, 0.0, target / xbar)
        k = value / float(_row_values(raw[None, :], prices[day: day + 1])[0])
        new = raw * k
        if imf:
            new = np.array([round_amount(a) if a else 0.0 for a in new])
            # the USD amount (else the largest weight) absorbs the rounding remainder
            anchor = currencies.index("USD") if "USD" in currencies and new[
                currencies.index("USD")] else int(np.argmax(target))
            others = _row_values(np.where(np.arange(n) == anchor, 0.0, new)[None, :],
                                 prices[day: day + 1])[0]
            new[anchor] = round_amount((value - others) / prices[day, anchor])
        current = new
        start = day
    units[start:] = current
    return units, resets


def valuate(
    spec: BasketSpec,
    panel: pd.DataFrame,
    rule: str | RebalanceRule | None = None,
    base_prices: pd.Series | None = None,
) -> Valuation:
    """Value a basket on every date of a panel under a rebalancing rule.

    Parameters
    ----------
    spec : BasketSpec
        The basket.
    panel : pandas.DataFrame
        USD per unit for at least the basket's currencies, over the valuation range. For an
        amounts basket with periods, a currency may be NaN on dates when it is not held.
    rule : str or RebalanceRule, optional
        Defaults to ``spec.rebalance``. Any rule other than ``none`` starts from the spec's
        amounts on the first row and then follows the rule (an amounts basket's own period
        changes are then superseded); its target weights are the spec's weights, or for an
        amounts basket the value shares on the first row. For a weights basket whose base date
        lies in the panel, the path is then scaled (value-preserving rules are linear in the
        amounts) so that one unit is worth ``base_value`` on the base date under every rule.
    base_prices : pandas.Series, optional
        USD per unit on the base date; required for a weights basket.

    Returns
    -------
    Valuation

    Raises
    ------
    SpecError
        A rule that does not apply (rebalancing a geometric index).
    DataError
        A missing column or base price.
    """
    rule = parse_rule(spec.rebalance if rule is None else rule)
    currencies = spec.currencies
    missing = [c for c in currencies if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}")
    if panel.empty:
        raise DataError(f"no FX data to value basket {spec.name!r} on; widen the date range")
    dates = panel.index if isinstance(panel.index, pd.DatetimeIndex) else pd.DatetimeIndex(
        panel.index)
    prices = panel.to_numpy()
    if prices.dtype != np.float64:
        prices = prices.astype(np.float64)
    columns = list(panel.columns)
    if columns != currencies:
        prices = prices[:, [columns.index(c) for c in currencies]]
    t, n = prices.shape

    if spec.method == "geometric":
        if not isinstance(rule, NoRebalance):
            raise SpecError("a geometric index is implicitly rebalanced; use rebalance='none'")
        if base_prices is None:
            raise SpecError(f"basket {spec.name!r} needs base-date prices")
        w = np.array([spec.weights[c] for c in currencies]) if spec.weights else np.ones(n) / n
        p0 = base_prices.reindex(currencies).to_numpy(dtype=np.float64)
        v0 = spec.base_value * float(base_prices[spec.base_currency])
        values = v0 * np.exp((np.log(prices) - np.log(p0)) @ w)
        weights = np.broadcast_to(w, (t, n)).copy()
        units = weights * values[:, None] / prices
        return Valuation(dates, currencies, values, units, weights, np.arange(t, dtype=np.intp))

    spec_units, period_starts = _spec_units(spec, dates, currencies, base_prices)
    units0 = spec_units[0]
    if isinstance(rule, NoRebalance):
        units, resets = spec_units, period_starts
    else:
        if spec.weights is not None:
            target = np.array([spec.weights[c] for c in currencies])
        else:
            held = np.where(units0 == 0.0, 0.0, units0 * prices[0])
            target = held / held.sum()
        if isinstance(rule, Calendar):
            resets = rule.calendar_resets(dates)
            units = _calendar_path(prices, units0, target, resets)
        elif isinstance(rule, Band):
            units, resets = _band_path(prices, units0, target, rule.width)
        elif isinstance(rule, Review):
            units, resets = _review_path(prices, dates, units0, target, rule, currencies,
                                         imf=spec.rounding == "imf")
        else:  # pragma: no cover - parse_rule only returns the classes above
            raise SpecError(f"unsupported rebalancing rule {rule!r}")
        base = pd.Timestamp(spec.base_date)
        if spec.weights is not None and dates[0] <= base <= dates[-1]:
            # one unit of the basket is worth base_value on the base date, whatever the rule
            row = base_date_row(dates, base)
            scale = units0 @ np.nan_to_num(prices[row]) / _row_values(units[row:row + 1],
                                                                    prices[row:row + 1])[0]
            units = units * scale

    values = _row_values(units, prices)
    if spec.rounding == "imf":
        values = np.array([imf_usd_value(u, p) for u, p in zip(units, prices)])
    weights = units * prices                                  # held value, then the weights
    if np.isnan(weights).any():
        weights = np.where(units == 0.0, 0.0, weights)
    weights /= values[:, None]
    return Valuation(dates, currencies, values, units, weights, np.asarray(resets, dtype=np.intp))


def base_date_row(dates: pd.DatetimeIndex, day: dt.date | pd.Timestamp) -> int:
    """Row of the last date on or before ``day`` (the quote in force that day).

    Raises
    ------
    DataError
        If ``day`` is before the first date.
    """
    ts = pd.Timestamp(day)
    pos = int(dates.searchsorted(ts, side="right")) - 1
    if pos < 0:
        raise DataError(
            f"{ts.date()} is before the first quote ({dates[0].date()}); pick a later date"
        )
    return pos
