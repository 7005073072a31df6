"""Risk and return metrics (pure numpy/pandas; the output type follows the input type).

Conventions, stated once:

* volatility is the sample standard deviation (``ddof=1``) of **daily log returns**, annualized
  by ``sqrt(periods_per_year)``; ``periods_per_year=252`` is a documented default, never
  inferred from the index;
* value at risk and expected shortfall are **historical**, on daily **simple** returns, and
  reported as positive loss fractions: ``VaR_a = quantile(-R, a)`` (linear interpolation) and
  ``ES_a = mean(-R | -R >= VaR_a)``;
* drawdowns are on the value series: ``V / running max(V) - 1`` (zero or negative);
* a basket's value "in numeraire k" is its USD value divided by USD per unit of k.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
import pandas as pd

from basket._checks import check_number
from basket.errors import DataError
from basket.valuation.reductions import (
    _sorted_quantiles,
    _tail_risk,
    identical_columns,
    row_sum,
)

__all__ = [
    "PERIODS_PER_YEAR",
    "expected_shortfall",
    "log_returns",
    "max_drawdown",
    "relative_figures",
    "risk_contributions",
    "rolling_volatility",
    "tracking_error",
    "value_at_risk",
    "volatility",
    "volatility_by_numeraire",
]

PERIODS_PER_YEAR = 252
"""Trading days per year used to annualize daily figures unless told otherwise."""


def _check_ppy(periods_per_year: float) -> float:
    """``periods_per_year`` as a float: a finite number of periods above 0, at most a million."""
    return check_number(periods_per_year, "periods_per_year", above=0.0, maximum=1e6,
                        error=DataError)


@overload
def log_returns(values: pd.DataFrame) -> pd.DataFrame: ...
@overload
def log_returns(values: pd.Series) -> pd.Series: ...
@overload
def log_returns(values: np.ndarray) -> np.ndarray: ...
def log_returns(values: Any) -> Any:
    """Daily log returns ``log(V_t / V_{t-1})``; the first row is dropped.

    Parameters
    ----------
    values : Series, DataFrame or ndarray
        Positive values, oldest first.

    Returns
    -------
    Series, DataFrame or ndarray
        Same type as the input, one row shorter.

    Raises
    ------
    DataError
        If a value is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> log_returns(np.array([1.0, np.e, 1.0])).round(12).tolist()
    [1.0, -1.0]
    """
    arr = np.asarray(values, dtype=np.float64)
    if np.isnan(arr).any():
        raise DataError("log returns need values on every date; found NaN (drop or fill it first)")
    if (arr <= 0).any():
        raise DataError("log returns need positive values; found zero or a negative value")
    out = np.diff(np.log(arr), axis=0)
    if isinstance(values, pd.DataFrame):
        return pd.DataFrame(out, index=values.index[1:], columns=values.columns)
    if isinstance(values, pd.Series):
        return pd.Series(out, index=values.index[1:], name=values.name)
    return out


def volatility(returns: Any, periods_per_year: float = PERIODS_PER_YEAR) -> Any:
    """Annualized volatility: ``std(returns, ddof=1) * sqrt(periods_per_year)``.

    Parameters
    ----------
    returns : Series, DataFrame or ndarray
        Periodic (daily) log returns.
    periods_per_year : float, default 252

    Returns
    -------
    float for a Series or 1-D array; Series (per column) for a DataFrame; ndarray for 2-D.

    Raises
    ------
    DataError
        With fewer than two returns (volatility is undefined).

    Examples
    --------
    >>> round(volatility([0.01, -0.01], periods_per_year=1), 12)
    0.014142135624
    """
    ppy = _check_ppy(periods_per_year)
    arr = np.asarray(returns, dtype=np.float64)
    if arr.ndim == 0:
        raise DataError("volatility needs a series of returns, not a single number")
    if np.isnan(arr).any():
        raise DataError("volatility needs a return on every date; found NaN (drop or fill it first)")
    if arr.shape[0] < 2:
        raise DataError("volatility needs at least two returns (three dates); widen the range")
    vol = np.std(arr, axis=0, ddof=1) * np.sqrt(ppy)
    if isinstance(returns, pd.DataFrame):
        return pd.Series(vol, index=returns.columns, name="volatility")
    if np.ndim(vol) == 0:
        return float(vol)
    return vol


def volatility_by_numeraire(
    values_usd: pd.Series,
    panel: pd.DataFrame,
    numeraires: Sequence[str] | None = None,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> pd.Series:
    """Annualized volatility of a USD value series measured in each numeraire.

    Parameters
    ----------
    values_usd : pandas.Series
        Value in USD, indexed like ``panel``.
    panel : pandas.DataFrame
        USD per unit of each numeraire.
    numeraires : sequence of str, optional
        Columns of ``panel`` to use (default: all).

    Returns
    -------
    pandas.Series
        Volatility of ``log(V_usd / P_k)`` per numeraire ``k``.
    """
    in_k = panel.loc[:, list(panel.columns if numeraires is None else numeraires)].rdiv(values_usd, axis=0)
    return volatility(log_returns(in_k), periods_per_year)


def tracking_error(a: Any, b: Any, periods_per_year: float = PERIODS_PER_YEAR) -> Any:
    """Annualized volatility (ddof 1) of the difference ``a - b`` of two return series."""
    return volatility(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64), periods_per_year)


def relative_figures(
    values: np.ndarray, benchmark: np.ndarray, periods_per_year: float = PERIODS_PER_YEAR
) -> dict[str, np.ndarray]:
    """A basket against a benchmark basket, per numeraire, on the same dates.

    With ``d_t = R_t - B_t``, the difference of the two daily simple returns measured in the
    same numeraire (what a holder of the basket gains or loses against one holding the
    benchmark):

    * ``tracking_error``: the annualized volatility of ``d`` (ddof 1, times the square root of
      ``periods_per_year``);
    * ``active_return``: the annualized mean of ``d`` (times ``periods_per_year``).

    The figures barely depend on the numeraire: in currency k both returns are the US-dollar
    ones over the same factor ``1 + r_k`` (for log returns it cancels exactly), so holders'
    figures differ by a fraction of a percent: in effect one number per pair of baskets.

    Parameters
    ----------
    values, benchmark : ndarray (T, K)
        Values of the basket and of the benchmark in each numeraire, on the same T dates.
    periods_per_year : float, default 252

    Returns
    -------
    dict of str to ndarray (K,)

    Examples
    --------
    >>> v = np.array([[1.0], [1.01], [1.0], [1.02]])
    >>> b = np.array([[1.0], [1.00], [1.0], [1.01]])
    >>> out = relative_figures(v, b, 1)
    >>> [round(float(x), 6) for x in (out["tracking_error"][0], out["active_return"][0])]
    [0.01149, 0.003366]
    """
    ppy = _check_ppy(periods_per_year)
    a = np.asarray(values, dtype=np.float64)
    b = np.asarray(benchmark, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 2 or a.shape[0] < 3:
        raise DataError("a basket and its benchmark need the same numeraires on the same three "
                        "or more dates")
    d = (a[1:] / a[:-1]) - (b[1:] / b[:-1])
    return {"tracking_error": np.asarray(tracking_error(d, 0.0, ppy), dtype=np.float64),
            "active_return": d.mean(axis=0) * ppy}


def _like(data: Any, result: Any, name: str) -> Any:
    """A per-column reduction in the input's type: float, Series by column, or ndarray."""
    if np.ndim(result) == 0:
        return float(result)
    if isinstance(data, pd.DataFrame):
        return pd.Series(result, index=data.columns, name=name)
    return result


def _losses(returns: Any) -> np.ndarray:
    arr = np.asarray(returns, dtype=np.float64)
    if arr.ndim == 0:
        raise DataError("value at risk needs a series of returns, not a single number")
    if np.isnan(arr).any():
        raise DataError("value at risk needs a return on every date; found NaN (drop or fill it first)")
    if arr.shape[0] < 1:
        raise DataError("value at risk needs at least one return")
    return -arr


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise DataError(f"confidence level {level!r} must be between 0 and 1, e.g. 0.95")


def value_at_risk(returns: Any, level: float = 0.95) -> Any:
    """Historical value at risk of simple returns, as a positive loss fraction.

    Examples
    --------
    >>> round(value_at_risk([-0.05, 0.0, 0.01, 0.02, 0.03], level=0.8), 12)
    0.01
    """
    _check_level(level)
    var = np.quantile(_losses(returns), level, axis=0)
    return _like(returns, var, f"var_{level:g}")


def expected_shortfall(returns: Any, level: float = 0.95) -> Any:
    """Historical expected shortfall: the mean loss on days the loss reaches the VaR.

    Examples
    --------
    >>> round(expected_shortfall([-0.05, 0.0, 0.01, 0.02, 0.03], level=0.8), 12)
    0.05
    """
    _check_level(level)
    losses = _losses(returns)
    var = np.quantile(losses, level, axis=0)
    tail = losses >= var
    es = (losses * tail).sum(axis=0) / tail.sum(axis=0)
    return _like(returns, es, f"es_{level:g}")


def max_drawdown(values: pd.Series) -> dict[str, Any]:
    """Largest peak-to-trough fall of a value series, with its dates.

    Parameters
    ----------
    values : pandas.Series
        Positive values with a DatetimeIndex.

    Returns
    -------
    dict
        ``depth`` (a fraction, zero or negative), ``peak``, ``trough`` and ``recovery`` (the first
        date the peak value is regained, ``None`` if never).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([1.0, 2.0, 1.0, 3.0], index=pd.date_range("2020-01-01", periods=4))
    >>> dd = max_drawdown(s)
    >>> dd["depth"], str(dd["peak"].date()), str(dd["trough"].date()), str(dd["recovery"].date())
    (-0.5, '2020-01-02', '2020-01-03', '2020-01-04')
    """
    arr = values.to_numpy(dtype=np.float64)
    if not len(arr):
        raise DataError("a drawdown needs at least one value")
    if np.isnan(arr).any():
        raise DataError("a drawdown needs a value on every date; found NaN (drop or fill it first)")
    depth, peak, trough, rec = _drawdown_rows(arr[:, None])
    return {
        "depth": float(depth[0]),
        "peak": values.index[peak[0]],
        "trough": values.index[trough[0]],
        "recovery": values.index[rec[0]] if rec[0] >= 0 else None,
    }


def _drawdown_rows(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised drawdown per column of ``v`` (T, K): depth and peak/trough/recovery rows.

    A few columns are done at once on (K, T) arrays; many columns one at a time, in place, so
    the memory stays one (T, K) array (:func:`_drawdown_rows_each`, the same numbers).
    """
    if v.shape[1] > 16:
        return _drawdown_rows_each(v)
    n_k = v.shape[1]
    vt = np.ascontiguousarray(v.T)            # one row per column: contiguous scans
    running = np.maximum.accumulate(vt, axis=1)
    dd = vt / running
    dd -= 1.0
    trough = dd.argmin(axis=1)
    ks = np.arange(n_k)
    depth = dd[ks, trough]
    top = running[ks, trough]                 # the peak's value: the running maximum then
    peak = np.argmax(vt == top[:, None], axis=1)          # its first day
    after = (vt >= top[:, None]) & (np.arange(vt.shape[1]) >= trough[:, None])
    first = np.argmax(after, axis=1)                      # the first day back at the peak
    rec = np.where((depth < 0) & after[ks, first], first, -1)
    return depth, peak, trough, rec


def _drawdown_rows_each(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_drawdown_rows` a column at a time (any width, one (T, K) temporary)."""
    n_k = v.shape[1]
    vt = np.ascontiguousarray(v.T)            # one row per column: contiguous scans
    dd = np.maximum.accumulate(vt, axis=1)                    # the running peak, then
    np.divide(vt, dd, out=dd)                                 # V / peak - 1, in place
    dd -= 1.0
    trough = dd.argmin(axis=1)
    depth = dd[np.arange(n_k), trough]
    peak = np.empty_like(trough)
    rec = np.full_like(trough, -1)
    for k in range(n_k):
        col = vt[k]
        peak[k] = int(np.argmax(col[: trough[k] + 1]))
        if depth[k] < 0:
            back = col[trough[k]:] >= col[peak[k]]
            first = int(np.argmax(back))                      # the first True, if any
            if back[first]:
                rec[k] = trough[k] + first
    return depth, peak, trough, rec


def rolling_volatility(
    values: pd.DataFrame | pd.Series,
    window: int = PERIODS_PER_YEAR,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> pd.DataFrame | pd.Series:
    """Annualized volatility of daily log returns over a trailing window of ``window`` returns.

    The first ``window`` dates have no full window and are dropped (not NaN-filled).
    """
    ppy = _check_ppy(periods_per_year)
    if not (isinstance(window, int) and window >= 2):
        raise DataError(f"rolling window {window!r} must be a whole number of days >= 2")
    r = log_returns(values)
    if len(r) < window:
        raise DataError(f"a {window}-day rolling volatility needs more than {window} dates")
    out = r.rolling(window).std(ddof=1) * np.sqrt(ppy)
    return out.iloc[window - 1:]


def risk_contributions(
    weights: np.ndarray, returns: np.ndarray, volatility_total: float | None = None,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> np.ndarray:
    """Euler decomposition of a basket's volatility into its constituents' contributions.

    With start-of-day weights ``w_{t-1,c}`` and constituent simple returns ``R_{t,c}``, the
    basket's simple return is ``R_t = sum_c x_{t,c}`` with ``x_{t,c} = w_{t-1,c} R_{t,c}``, so
    ``Var(R) = sum_c Cov(x_c, R)``. Each constituent's share of the variance is
    ``Cov(x_c, R) / Var(R)`` - for constant weights exactly the Euler term
    ``w_c (Sigma w)_c / (w' Sigma w)`` - and its contribution is that share times the basket's
    volatility, so the contributions sum to the volatility.

    Parameters
    ----------
    weights : ndarray, shape (T, n)
        Start-of-day weights (row t-1 for return t).
    returns : ndarray, shape (T, n)
        Constituent simple returns in the numeraire.
    volatility_total : float, optional
        The volatility to split (default: that of ``sum_c x_c``, annualized).

    Returns
    -------
    ndarray, shape (n,)
    """
    x = np.asarray(weights, dtype=np.float64) * np.asarray(returns, dtype=np.float64)
    x = np.where(np.isnan(x), 0.0, x)
    total = x.sum(axis=1)
    tc = total - total.mean()
    var = tc @ tc
    cov = (x - x.mean(axis=0)).T @ tc
    if volatility_total is None:
        volatility_total = float(np.sqrt(var / (len(total) - 1) * _check_ppy(periods_per_year)))
    if var == 0:
        return np.zeros(x.shape[1])
    return cov / var * volatility_total


def _quantiles(x: np.ndarray, levels: tuple[float, ...]) -> np.ndarray:
    """``np.quantile(x, levels, axis=0)`` (linear interpolation) from one sort."""
    return _sorted_quantiles(np.sort(x, axis=0), levels)


def _constituent_stats(
    r: np.ndarray, lc: np.ndarray, lk: np.ndarray, ppy: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Volatility of each constituent in each numeraire, its correlation with the basket and
    whether it stands still there, from one covariance matrix of ``[r, lc, lk]``.

    ``x_{c,k} = lc_c - lk_k`` is constituent c's log return in numeraire k, so
    ``var(x_ck) = S_cc + S_kk - 2 S_ck`` and ``cov(r_k, x_ck)`` are quadratic forms in the same
    matrix. Where c and k are the same currency the return is identically zero: its volatility
    is exactly 0 and its correlation, undefined against a constant, NaN (as for any constituent
    that does not move in the numeraire). See :func:`_constituent_stats_pairwise` for the
    direct (and NaN-aware) twin.
    """
    n_k, n = r.shape[1], lc.shape[1]
    shared = lk is lc                                         # numeraires = constituents
    z = np.concatenate([r, lc] if shared else [r, lc, lk], axis=1)
    z -= z.mean(axis=0)
    s = (z.T @ z) / (z.shape[0] - 1)
    del z
    ir, ic = slice(0, n_k), slice(n_k, n_k + n)               # blocks of s: r, lc, lk
    ik = ic if shared else slice(n_k + n, n_k + n + n_k)
    diag = np.diagonal(s)
    s_rr = diag[ir]                                           # (K,)
    s_cc = diag[ic][:, None]                                  # (n, 1)
    s_kk = diag[ik][None, :]                                  # (1, K)
    s_ck = s[ic, ik]                                          # (n, K)
    s_rc = s[ir, ic].T                                        # (n, K): cov(r_k, lc_c)
    s_rk = np.diagonal(s[ir, ik])[None, :]                    # cov(r_k, lk_k)
    var_x = np.maximum(s_cc + s_kk - 2.0 * s_ck, 0.0)
    cov_rx = s_rc - s_rk
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.clip(cov_rx / np.sqrt(s_rr[None, :] * var_x), -1.0, 1.0)
    same = identical_columns(lc, lk)                          # c is the numeraire itself
    var_x[same] = 0.0
    still = var_x == 0.0
    corr[still] = np.nan   # undefined against a constant
    return np.sqrt(var_x) * np.sqrt(ppy), corr, still


def _constituent_stats_pairwise(
    r: np.ndarray, lc: np.ndarray, lk: np.ndarray, ppy: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The direct computation of :func:`_constituent_stats` on (T-1, n, K) arrays, using for
    each (constituent, numeraire) pair only the dates on which the constituent is quoted."""
    rc = lc[:, :, None] - lk[:, None, :]                      # (T-1, n, K)
    ok = ~np.isnan(rc)
    cnt = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cd = np.where(ok, rc - np.nanmean(rc, axis=0), 0.0)
        rr = np.where(ok, r[:, None, :], 0.0)
        rdm = np.where(ok, rr - rr.sum(axis=0) / np.maximum(cnt, 1), 0.0)
        dof = cnt - 1
        var_c = np.einsum("tnk,tnk->nk", cd, cd) / dof
        var_r = np.einsum("tnk,tnk->nk", rdm, rdm) / dof
        cov = np.einsum("tnk,tnk->nk", rdm, cd) / dof
        corr = np.clip(cov / np.sqrt(var_r * var_c), -1.0, 1.0)
    still = var_c == 0.0
    corr[still] = np.nan   # undefined against a constant
    return np.sqrt(var_c) * np.sqrt(ppy), corr, still


def basket_metrics(
    values: np.ndarray,
    prices: np.ndarray,
    numeraire_prices: np.ndarray,
    weights: np.ndarray,
    periods_per_year: float = PERIODS_PER_YEAR,
) -> dict[str, np.ndarray]:
    """Every backtest figure for K numeraires at once (vectorised; used by ``backtest``).

    Parameters
    ----------
    values : ndarray (T, K)
        Basket value in each numeraire.
    prices : ndarray (T, n)
        USD per unit of each constituent (NaN allowed where a constituent is not held).
    numeraire_prices : ndarray (T, K)
        USD per unit of each numeraire.
    weights : ndarray (T, n)
        Realised weights after each day's close.

    Returns
    -------
    dict of str to ndarray
        Per numeraire (K,): ``volatility``, ``total_return``, ``annualized_return``,
        ``max_drawdown`` and its ``peak``/``trough``/``recovery`` rows, ``worst_day`` and its
        row, ``var_95``, ``es_95``, ``var_99``, ``es_99``. Per constituent and numeraire
        (n, K): ``constituent_volatility``, ``correlation`` (NaN where the constituent does
        not move in the numeraire: its own currency), ``risk_contribution`` (exactly 0 there).
    """
    ppy = _check_ppy(periods_per_year)
    t, n_k = values.shape
    if t < 3:
        raise DataError("a backtest needs at least three dates for volatility; widen the range")
    # Memory: each step frees what it no longer needs and works in place where that gives the
    # same numbers, so the peak stays a few (days x currencies) arrays whatever the width.
    sq = np.sqrt(ppy)
    dof = t - 2                                               # T-1 returns, ddof=1
    r = _log_returns(values)                                  # (T-1, K)
    rd = r - r.mean(axis=0)
    vol = np.sqrt(np.einsum("tk,tk->k", rd, rd) / dof) * sq
    del rd
    cvol, corr, still = _constituent_figures(r, prices, numeraire_prices, ppy)
    del r
    contrib = _contributions(prices, numeraire_prices, weights, still) * vol
    simple = values[1:] / values[:-1]
    simple -= 1.0
    losses = np.negative(simple)
    q, es = _tail_risk(losses, (0.95, 0.99), in_place=True)   # (2, K) each
    del losses
    es95, es99 = es
    depth, peak, trough, rec = _drawdown_rows(values)
    worst = simple.argmin(axis=0)
    growth = values[-1] / values[0]
    return {
        "volatility": vol,
        "total_return": growth - 1.0,
        "annualized_return": growth ** (ppy / (t - 1)) - 1.0,
        "max_drawdown": depth,
        "max_drawdown_peak": peak,
        "max_drawdown_trough": trough,
        "max_drawdown_recovery": rec,
        "worst_day": simple[worst, np.arange(n_k)],
        "worst_day_row": worst + 1,
        "var_95": q[0],
        "es_95": es95,
        "var_99": q[1],
        "es_99": es99,
        "constituent_volatility": cvol,
        "correlation": corr,
        "risk_contribution": contrib,
    }


def _log_returns(a: np.ndarray) -> np.ndarray:
    """``np.diff(np.log(a), axis=0)`` with one temporary."""
    logs = np.log(a)
    out: np.ndarray = logs[1:] - logs[:-1]                    # what np.diff computes
    return out


def _constituent_figures(r: np.ndarray, prices: np.ndarray, numeraire_prices: np.ndarray,
                         ppy: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each constituent held alone in each numeraire (``log(P_c / P_k)`` returns): its
    volatility, its correlation with the basket and whether it stands still (its own
    currency, a peg), each (n, K)."""
    lc = _log_returns(prices)                                 # (T-1, n)
    lk = lc if numeraire_prices is prices else _log_returns(numeraire_prices)   # (T-1, K)
    if np.isnan(lc).any():
        # an amounts basket may hold a currency for part of the window only
        return _constituent_stats_pairwise(r, lc, lk, ppy)
    return _constituent_stats(r, lc, lk, ppy)


def _contributions(prices: np.ndarray, numeraire_prices: np.ndarray,
                   weights: np.ndarray, still: np.ndarray | None = None) -> np.ndarray:
    """Each constituent's share of the basket's variance in each numeraire (n, K).

    ``still`` (n, K) marks the constituents that do not move in a numeraire (its own currency):
    their share is exactly 0, where the computed ``w g / g - w`` would leave round-off.

    Euler contributions from start-of-day weights and simple constituent returns. With USD
    growth factors ``g_c = P_c(t)/P_c(t-1)``, the return of c in k is ``g_c/g_k - 1``, so
    ``x_{c,k} = w_c g_c / g_k - w_c`` and the covariances reduce to (T-1, n) @ (T-1, K)
    products.
    """
    w0 = weights[:-1]
    gc = prices[1:] / prices[:-1]
    wg = w0 * gc
    if np.isnan(wg).any():
        wg = np.where(w0 == 0.0, 0.0, wg)
    # the numeraires' growth factors are the constituents' when the two are one panel
    gk = gc if numeraire_prices is prices else numeraire_prices[1:] / numeraire_prices[:-1]
    del gc
    xtc = row_sum(wg)[:, None] / gk                           # (T-1, K), then centred
    xtc -= row_sum(w0)[:, None]
    xtc -= xtc.mean(axis=0)
    var_x = np.einsum("tk,tk->k", xtc, xtc)
    scaled = xtc / gk
    del gk
    cov_x = wg.T @ scaled                                     # (n, K)
    del scaled, wg
    cov_x -= w0.T @ xtc
    share: np.ndarray = np.divide(cov_x, var_x, out=np.zeros_like(cov_x), where=var_x > 0)
    if still is not None:
        share[still] = 0.0
    return share
