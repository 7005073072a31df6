"""Covariance and volatility of candidate basket weights (pure numpy/pandas).

Conventions, stated once for the module:

* prices are **US dollars per one unit** (an FX panel); ``r_c`` is the daily **log** return of
  ``P_c`` (``r_USD = 0``) and ``Sigma`` their sample covariance (``ddof=1``) over the estimation
  window;
* **constant-weight approximation.** A basket with value weights ``w`` measured in numeraire
  ``k`` has, to first order, the daily log return ``(w - e_k)' r``, so its model volatility is
  ``vol_k(w) = sqrt((w - e_k)' Sigma (w - e_k) * periods_per_year)`` (see
  :mod:`basket.design.optimizer`). :func:`fixed_amount_volatility` gives the realised figure of
  the actual fixed-amounts basket for comparison.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from basket._checks import check_number
from basket.errors import DataError, SpecError
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["fixed_amount_volatility", "model_volatility", "return_covariance"]


def return_covariance(panel: pd.DataFrame) -> pd.DataFrame:
    """Sample covariance (``ddof=1``) of the daily log returns of USD prices.

    Parameters
    ----------
    panel : pandas.DataFrame
        USD per unit, one column per currency, no NaN, at least three dates.

    Returns
    -------
    pandas.DataFrame
        Daily (not annualized) covariance, index and columns the panel's currencies in order.

    Raises
    ------
    DataError
        Fewer than three dates, NaN, or a non-positive price.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2020-01-01", periods=3)
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 1.1, 1.0]}, index=idx)
    >>> round(float(return_covariance(fx).loc["EUR", "EUR"]), 6)   # 2 * log(1.1) ** 2
    0.018168
    """
    arr = panel.to_numpy(dtype=np.float64)
    if arr.shape[0] < 3:
        raise DataError(
            f"a covariance needs at least three dates, got {arr.shape[0]}; widen the window"
        )
    if np.isnan(arr).any() or (arr <= 0).any():
        raise DataError("the FX panel must be positive with no NaN to estimate a covariance")
    r = np.diff(np.log(arr), axis=0)
    cov = np.atleast_2d(np.cov(r, rowvar=False, ddof=1))
    return pd.DataFrame(cov, index=list(panel.columns), columns=list(panel.columns))


def _check_ppy(periods_per_year: float) -> float:
    """``periods_per_year`` as a float: a finite number of periods above 0, at most a million."""
    return check_number(periods_per_year, "periods_per_year", above=0.0, maximum=1e6,
                        error=SpecError)


def _lookup(cov: pd.DataFrame, codes: Sequence[str], what: str) -> np.ndarray:
    cols = [str(c) for c in cov.columns]
    missing = [c for c in codes if c not in cols]
    if missing:
        raise DataError(
            f"the covariance has no row for {what} {', '.join(missing)}; estimate it over the "
            "union of the basket's currencies and the numeraires"
        )
    return np.array([cols.index(c) for c in codes], dtype=np.intp)


def model_volatility(
    weights: Mapping[str, float] | pd.Series,
    cov: pd.DataFrame,
    numeraires: Sequence[str],
    periods_per_year: float = PERIODS_PER_YEAR,
) -> pd.Series:
    """Model volatility of a constant-weight basket in each numeraire.

    ``vol_k(w) = sqrt((w - e_k)' Sigma (w - e_k) * periods_per_year)`` (see the module notes:
    a first-order, constant-weight approximation).

    Parameters
    ----------
    weights : mapping or Series
        Value weights by currency (summing to 1; negative allowed).
    cov : pandas.DataFrame
        Daily log-return covariance covering the weights' currencies and the numeraires.
    numeraires : sequence of str
    periods_per_year : float, default 252

    Returns
    -------
    pandas.Series
        Annualized volatility per numeraire, named ``"volatility"``.

    Examples
    --------
    >>> import pandas as pd
    >>> cov = pd.DataFrame([[0.0, 0.0], [0.0, 1e-4]], index=["USD", "EUR"],
    ...                    columns=["USD", "EUR"])
    >>> model_volatility({"USD": 0.5, "EUR": 0.5}, cov, ["USD", "EUR"], 100).round(6).tolist()
    [0.05, 0.05]
    """
    ppy = _check_ppy(periods_per_year)
    w = pd.Series(weights, dtype=np.float64)
    c = cov.to_numpy(dtype=np.float64)
    iw = _lookup(cov, list(w.index), "currency")
    ik = _lookup(cov, list(numeraires), "numeraire")
    d = np.zeros((len(cov), len(ik)))
    d[iw, :] += w.to_numpy()[:, None]
    d[ik, np.arange(len(ik))] -= 1.0
    q = np.einsum("ik,ij,jk->k", d, c, d)
    vol = np.sqrt(np.maximum(q, 0.0) * ppy)
    return pd.Series(vol, index=pd.Index(list(numeraires), name="numeraire"), name="volatility")


def fixed_amount_volatility(
    weights: Mapping[str, float] | pd.Series,
    panel: pd.DataFrame,
    numeraires: Sequence[str],
    periods_per_year: float = PERIODS_PER_YEAR,
) -> pd.Series:
    """Realised volatility of a fixed-amounts basket whose weights are ``w`` on the first date.

    The amounts are ``u_c = w_c / P_c(t0)`` (one US dollar on the panel's first date), the value
    ``V(t) = sum_c u_c P_c(t)``, and the volatility that of ``log(V / P_k)``, annualized
    (``ddof=1``), as :func:`basket.backtest` measures it. Unlike a :class:`~basket.BasketSpec`,
    short (negative) weights are allowed here.

    Parameters
    ----------
    weights : mapping or Series
        Value weights on the first date.
    panel : pandas.DataFrame
        USD per unit over the evaluation window (columns: the currencies and the numeraires).
    numeraires : sequence of str
    periods_per_year : float, default 252

    Returns
    -------
    pandas.Series
        Annualized volatility per numeraire, named ``"volatility"``.

    Raises
    ------
    DataError
        Fewer than three dates, or a basket value that is not positive (large short positions).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.date_range("2020-01-01", periods=3)
    >>> fx = pd.DataFrame({"USD": [1.0, 1.0, 1.0], "EUR": [1.0, 1.1, 1.0]}, index=idx)
    >>> float(fixed_amount_volatility({"USD": 1.0}, fx, ["USD"]).iloc[0])
    0.0
    """
    ppy = _check_ppy(periods_per_year)
    w = pd.Series(weights, dtype=np.float64)
    if len(panel) < 3:
        raise DataError(f"a volatility needs at least three dates, got {len(panel)}")
    prices = panel.loc[:, list(w.index)].to_numpy(dtype=np.float64)
    units = w.to_numpy() / prices[0]
    value = prices @ units
    if (value <= 0).any():
        raise DataError("the basket's value falls to zero or below; reduce the short positions")
    pk = panel.loc[:, list(numeraires)].to_numpy(dtype=np.float64)
    r = np.diff(np.log(value[:, None] / pk), axis=0)
    vol = r.std(axis=0, ddof=1) * math.sqrt(ppy)
    return pd.Series(vol, index=pd.Index(list(numeraires), name="numeraire"), name="volatility")


