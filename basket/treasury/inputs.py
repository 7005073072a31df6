"""Interest rates and costs of the reserve, per currency and valuation date (pure).

Conventions, stated once for the module: rates are **annual decimals** (``-0.005`` is -0.50% a
year), given by the user and never assumed (a missing rate raises
:class:`~basket.errors.DataError`); costs are **basis points** of the value traded (>= 0). A
rate series applies from its date until the next one. Everything is returned as ``(T, n)``
arrays on the valuation dates, in the basket's currency order, for
:func:`basket.treasury.model.simulate_reserve`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from basket._checks import check_number
from basket.currencies import normalize_code
from basket.errors import DataError, SpecError
from basket.treasury.flows import _check_number

__all__ = ["MAX_BPS", "RATE_BOUNDS", "align_rates", "parse_costs", "parse_rates", "per_currency"]

MAX_BPS = 10_000.0
"""The largest cost accepted, in basis points (100% of the value traded, or of the reserve a
year): anything above is a typo."""

RATE_BOUNDS = (-0.10, 1.0)
"""Plausible annual rates, as decimals. Outside them a rate was almost surely given in percent."""

def parse_rates(text: str, what: str = "rates") -> dict[str, float]:
    """Read ``"EUR=-0.005,JPY=-0.1%,USD=0.01875"`` into a dict (decimals; ``%`` divides by 100).

    Raises
    ------
    DataError
        A malformed item or a code given twice.

    Examples
    --------
    >>> parse_rates("EUR=-0.005, JPY=-0.1%")
    {'EUR': -0.005, 'JPY': -0.001}
    """
    out: dict[str, float] = {}
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise DataError(f"{what}: {item!r} is not CODE=RATE; write e.g. EUR=-0.005")
        code = normalize_code(key.strip())
        v = value.strip()
        try:
            number = float(v[:-1]) / 100.0 if v.endswith("%") else float(v)
        except ValueError:
            raise DataError(
                f"{what}: {code}={v!r} is not a number; write e.g. EUR=-0.005"
            ) from None
        if code in out:
            raise DataError(f"{what}: {code} is given twice; name each currency once")
        out[code] = round(number, 15) if v.endswith("%") else number
    if not out:
        raise DataError(f"{what}: no rates in {text!r}; write e.g. EUR=-0.005,JPY=-0.001")
    return out


def _check_rate_values(values: np.ndarray, currencies: Sequence[str], what: str) -> None:
    if not np.isfinite(values).all():
        raise DataError(f"{what}: a rate is NaN or infinite; give a number for every currency")
    lo, hi = RATE_BOUNDS
    bad = np.argwhere((values < lo) | (values > hi))
    if len(bad):
        k = int(bad[0][-1])
        v = float(values[tuple(bad[0])])
        raise DataError(
            f"{what}: {currencies[k]} rate {v:g} is outside {lo:g} to {hi:g} a year; rates are "
            f"decimals (-0.005 for -0.5%{f', so {v:g} is {v:.0%}' if abs(v) < 1e6 else ''})"
        )


def align_rates(
    rates: Mapping[str, float] | pd.Series | pd.DataFrame | np.ndarray,
    dates: pd.DatetimeIndex,
    currencies: Sequence[str],
    what: str = "rates",
) -> np.ndarray:
    """Return the annual rate in force on each valuation date for each currency, shape (T, n).

    Parameters
    ----------
    rates : mapping, Series, DataFrame or ndarray
        Constants per currency (``{"EUR": -0.005, ...}``), or a time series: a DataFrame with a
        sorted DatetimeIndex and one column per currency, NaN where a date has no new rate. A
        series applies from its date until the next one (carried forward without limit: policy
        rates change rarely). An ndarray must be (n,) or (T, n) in ``currencies`` order.
    dates : pandas.DatetimeIndex
        The valuation dates.
    currencies : sequence of str
        The basket's currencies; every one needs a rate and no other may be given.
    what : str
        Name used in messages.

    Returns
    -------
    ndarray, shape (T, n)

    Raises
    ------
    DataError
        A currency without a rate (or without one on or before the first date), a rate for a
        currency outside the basket, a non-finite or implausible rate.

    Examples
    --------
    >>> import pandas as pd
    >>> dates = pd.to_datetime(["2019-09-02", "2019-09-03"])
    >>> align_rates({"EUR": -0.005, "USD": 0.02}, dates, ["USD", "EUR"]).tolist()
    [[0.02, -0.005], [0.02, -0.005]]
    """
    dates = pd.DatetimeIndex(dates)
    cur = list(currencies)
    t, n = len(dates), len(cur)
    if isinstance(rates, np.ndarray):
        arr = np.asarray(rates, dtype=np.float64)
        if arr.shape not in ((n,), (t, n)):
            raise DataError(f"{what}: an array of rates must have shape ({n},) or ({t}, {n})")
        out: np.ndarray = np.broadcast_to(arr, (t, n)).copy()
        _check_rate_values(out, cur, what)
        return out
    if isinstance(rates, pd.DataFrame):
        cols = [normalize_code(str(c)) for c in rates.columns]
        frame = rates.set_axis(cols, axis=1)
    elif isinstance(rates, (Mapping, pd.Series)):
        items = dict(rates.items())
        cols = [normalize_code(str(c)) for c in items]
        frame = None
    else:
        raise DataError(f"{what} must be a mapping of constants, a DataFrame or an array")
    extra = [c for c in cols if c not in cur]
    if extra:
        raise DataError(
            f"{what}: {extra[0]} is not in the basket ({', '.join(cur)}); drop its rate"
        )
    missing = [c for c in cur if c not in cols]
    if missing:
        raise DataError(
            f"{what}: no rate for {', '.join(missing)}; give one for every currency of the basket "
            "(a missing rate is not taken as zero)"
        )
    if frame is None:
        const = {normalize_code(str(k)): v for k, v in items.items()}
        row = np.empty(n)
        for i, c in enumerate(cur):
            v = const[c]
            if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
                raise DataError(f"{what}: {c} rate {v!r} is not a number")
            row[i] = float(v)
        const_out: np.ndarray = np.broadcast_to(row, (t, n)).copy()
        _check_rate_values(const_out, cur, what)
        return const_out
    idx = frame.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataError(f"{what}: a rates time series needs a DatetimeIndex of dates")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise DataError(f"{what}: rate dates must be sorted and unique")
    values = frame.loc[:, cur].to_numpy(dtype=np.float64)
    series_out = np.empty((t, n))
    for k, c in enumerate(cur):
        col = values[:, k]
        have = ~np.isnan(col)
        if not have.any():
            raise DataError(f"{what}: the series for {c} has no rate; give at least one")
        qdates = idx[have]
        rows = qdates.searchsorted(dates, side="right") - 1
        if rows[0] < 0:
            raise DataError(
                f"{what}: no {c} rate on or before {dates[0].date()} (its first is "
                f"{qdates[0].date()}); add an earlier rate or start later"
            )
        series_out[:, k] = col[have][rows]
    _check_rate_values(series_out, cur, what)
    return series_out


def per_currency(value: float | Mapping[str, float] | np.ndarray, currencies: Sequence[str],
                  t: int, what: str) -> np.ndarray:
    """Broadcast a scalar, per-currency mapping or array of basis points to (T, n), >= 0."""
    n = len(currencies)
    if isinstance(value, Mapping):
        given = {normalize_code(str(k)): v for k, v in value.items()}
        extra = [c for c in given if c not in currencies]
        if extra:
            raise SpecError(f"{what}: {extra[0]} is not in the basket ({', '.join(currencies)})")
        missing = [c for c in currencies if c not in given]
        if missing:
            raise SpecError(
                f"{what}: no value for {', '.join(missing)}; give one per currency or one number"
            )
        arr = np.array([_check_number(given[c], f"{what} for {c}") for c in currencies])
    elif isinstance(value, np.ndarray):
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape not in ((n,), (t, n)):
            raise SpecError(f"{what}: an array must have shape ({n},) or ({t}, {n})")
    else:
        number = _check_number(value, what)
        if number < 0:
            raise SpecError(f"{what} is {number:g} bp; costs must be >= 0 basis points")
        arr = np.full(n, number)
    out = np.broadcast_to(arr, (t, n)).astype(np.float64)
    if not np.isfinite(out).all():
        raise SpecError(f"{what}: values must be finite numbers of basis points")
    bad = np.argwhere((out < 0) | (out > MAX_BPS))
    if len(bad):
        k = int(bad[0][1])
        raise SpecError(
            f"{what} for {currencies[k]} is {out[tuple(bad[0])]:g} bp; costs must be between 0 "
            f"and {MAX_BPS:,.0f} basis points"
        )
    return out



def parse_costs(text: str | float | Mapping[str, float], what: str = "cost_bps"
                ) -> float | dict[str, float]:
    """Read basis points: one number for every currency (``"2"``) or ``"USD=1,EUR=2,..."``.

    Raises
    ------
    SpecError
        Not a number or CODE=NUMBER list.

    Examples
    --------
    >>> parse_costs("2.5"), parse_costs("USD=1,EUR=2")
    (2.5, {'USD': 1.0, 'EUR': 2.0})
    """
    if isinstance(text, Mapping):
        return {normalize_code(str(k)): check_number(v, f"{what} for {k}", minimum=0.0,
                                                     maximum=MAX_BPS)
                for k, v in text.items()}
    if not isinstance(text, str):
        return check_number(text, what, minimum=0.0, maximum=MAX_BPS)
    t = text.strip()
    if "=" not in t:
        try:
            number = float(t)
        except ValueError:
            raise SpecError(
                f"{what} {text!r} is not a number of basis points or CODE=BPS list, e.g. 2 or "
                "USD=1,EUR=2"
            ) from None
        return check_number(number, what, minimum=0.0, maximum=MAX_BPS)
    out: dict[str, float] = {}
    for item in (x.strip() for x in t.split(",") if x.strip()):
        key, _, value = item.partition("=")
        try:
            code, number = normalize_code(key.strip()), float(value)
        except (ValueError, DataError):
            raise SpecError(f"{what}: {item!r} is not CODE=BPS, e.g. EUR=2") from None
        out[code] = check_number(number, f"{what} for {code}", minimum=0.0, maximum=MAX_BPS)
    return out


