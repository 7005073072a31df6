"""The VAR behind the connectedness measures: lag choice, full and rolling fits (pure).

Conventions, stated once for the module:

* the variables (log returns of currencies in a numeraire, or their absolute values) and the
  checks that a sample can identify the VAR live in :mod:`basket.connectedness.variables`;
* the VAR has an intercept and is fitted by least squares, equation by equation; its error
  covariance is ``E'E / (T - p - K)`` with ``K = 1 + N p`` regressors per equation
  (statsmodels' ``sigma_u``);
* a **rolling** fit uses the ``window`` observations ending on each date (the first ``p`` of
  them as presample), so its first value is dated on the ``window``-th observation.

The full fit and the lag choice use statsmodels' ``VAR`` (imported inside the functions, so
``import basket`` stays light); the rolling fit solves each window's least-squares problem on
the lag matrix directly, all windows at once, instead of building a statsmodels results object
per window. :func:`estimate_spillover` ties them to the decomposition of
:mod:`basket.connectedness.decomposition` and returns a
:class:`~basket.connectedness.results.SpilloverResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from basket.connectedness.decomposition import (
    connectedness_table,
    directional,
    generalized_fevd,
    ma_coefficients,
    total_connectedness,
)
from basket.connectedness.results import SpilloverResult
from basket.connectedness.variables import (
    CHUNK_CELLS,
    check_errors,
    check_frame,
    check_int,
    check_sizes,
    check_windows,
    collinear,
    collinear_lags_error,
    min_observations,
    sample_name,
    validate_variables,
)
from basket.errors import DataError

__all__ = [
    "MAX_LAGS",
    "RollingVar",
    "VarFit",
    "estimate_spillover",
    "fit_var",
    "rolling_var",
    "select_lags",
]

Array = NDArray[np.float64]

MAX_LAGS = 10
"""The largest lag order the information criterion considers (fewer if the data are short)."""

CRITERION = "bic"
"""The information criterion that picks the lag order: Schwarz's Bayesian criterion."""
# ----------------------------------------------------------------------------- full fit
@dataclass(frozen=True)
class VarFit:
    """A fitted VAR: lag matrices, intercept, error covariance, observations used."""

    coefs: Array
    """Shape (p, N, N): ``coefs[l, i, j]`` is the effect of ``j`` at lag ``l + 1`` on ``i``."""
    intercept: Array
    """Shape (N,)."""
    sigma: Array
    """Shape (N, N): the error covariance, ``E'E / (T - p - K)``."""
    nobs: int
    """Regression rows, ``T - p``."""


def _statsmodels_var(values: Array) -> Any:
    try:
        from statsmodels.tsa.api import VAR
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise ImportError(
            "connectedness needs statsmodels; run: pip install 'statsmodels>=0.14'"
        ) from exc
    return VAR(values)


def select_lags(values: Array, max_lags: int = MAX_LAGS, sample: str = "") -> tuple[int, str]:
    """Pick the VAR's lag order with the Bayesian (Schwarz) information criterion.

    Parameters
    ----------
    values : ndarray, shape (T, N)
    max_lags : int, default 10
        The largest order considered; lowered to what ``T`` observations allow.
    sample : str, optional
        Words naming the sample, for the returned text (e.g. ``"the full sample"``).

    Returns
    -------
    (int, str)
        The order (at least 1) and how it was chosen, in words.

    Raises
    ------
    DataError
        Too few observations for even one lag.

    Notes
    -----
    statsmodels' ``VAR.select_order`` fits every order from 0 to the largest on the same
    sample (the observations after the first ``max_lags``) and reports each criterion's
    minimum. A VAR needs at least one lag, so an order of 0 becomes 1 (and the text says so).
    """
    t, n = values.shape
    feasible = (t - 1 - n) // (n + 1)          # the largest p with T >= (N+1)(p+1)
    top = min(int(max_lags), feasible)
    if top < 1:
        raise DataError(
            f"{t} observations are too few for a VAR on {n} variables: even one lag needs "
            f"{min_observations(n, 1)}; widen the date range"
        )
    chosen = int(_statsmodels_var(values).select_order(maxlags=top, trend="c")
                 .selected_orders[CRITERION])
    how = f"BIC (Schwarz) over 0 to {top} lags" + (f" on {sample}" if sample else "")
    if chosen < 1:
        return 1, f"{how} (it chose 0; raised to 1, the smallest VAR)"
    return chosen, how


def fit_var(values: Array, lags: int) -> VarFit:
    """Fit a VAR(p) with an intercept by least squares (statsmodels' ``VAR.fit``).

    Parameters
    ----------
    values : ndarray, shape (T, N)
    lags : int
        The order ``p`` (at least 1); ``T`` must be at least ``(N + 1)(p + 1)``.

    Returns
    -------
    VarFit
    """
    res = _statsmodels_var(values).fit(lags, trend="c")
    return VarFit(coefs=np.asarray(res.coefs, dtype=np.float64),
                  intercept=np.asarray(res.params[0], dtype=np.float64),
                  sigma=np.asarray(res.sigma_u, dtype=np.float64), nobs=int(res.nobs))


# ----------------------------------------------------------------------------- rolling fit
@dataclass(frozen=True)
class RollingVar:
    """VARs fitted on every rolling window: one lag stack and error covariance per window."""

    coefs: Array
    """Shape (n_windows, p, N, N), as :attr:`VarFit.coefs`."""
    intercept: Array
    """Shape (n_windows, N)."""
    sigma: Array
    """Shape (n_windows, N, N), ``E'E / (window - p - K)`` as :attr:`VarFit.sigma`."""


def _lag_matrix(values: Array, lags: int) -> tuple[Array, Array]:
    """Targets ``y_t`` and regressors ``[y_{t-1}, ..., y_{t-p}]`` for ``t = p .. T-1``."""
    t = values.shape[0]
    x = np.concatenate([values[lags - lag - 1:t - lag - 1] for lag in range(lags)], axis=1)
    return values[lags:], x

def rolling_var(values: Array, lags: int, window: int, index: pd.Index | None = None,
                names: Sequence[str] | None = None) -> RollingVar:
    """Fit a VAR(p) with an intercept on every window of ``window`` consecutive observations.

    Each window's least-squares problem is solved on its own lag matrix (the first ``p``
    observations of the window are its presample), for all windows at once: the regressors and
    targets are centred within the window (which is the same as fitting the intercept) and the
    normal equations solved in batches. No statsmodels object is built per window.

    Parameters
    ----------
    values : ndarray, shape (T, N)
    lags : int
        The order ``p`` (at least 1).
    window : int
        Observations per window, at least ``(N + 1)(p + 1)`` and at most ``T``.
    index : pandas.Index, optional
        Labels of the observations, to name a window in an error (default: their positions).
    names : sequence of str, optional
        Names of the variables, for errors (default: their positions).

    Returns
    -------
    RollingVar
        ``T - window + 1`` fits; fit ``k`` uses observations ``k .. k + window - 1``. Each equals
        statsmodels' ``VAR(values[k:k + window]).fit(p)`` to rounding.

    Raises
    ------
    DataError
        A window whose lagged regressors are collinear (the coefficients are not identified),
        or whose error covariance is singular (a variable fitted exactly, collinear errors).
    """
    x_all = np.asarray(values, dtype=np.float64)
    n = x_all.shape[1]
    y, x = _lag_matrix(x_all, lags)
    rows = window - lags
    k = 1 + n * lags
    n_windows = x_all.shape[0] - window + 1
    coefs = np.empty((n_windows, lags, n, n))
    intercept = np.empty((n_windows, n))
    sigma = np.empty((n_windows, n, n))
    labels = pd.RangeIndex(len(x_all)) if index is None else index
    codes = [str(i) for i in range(n)] if names is None else list(names)

    def where(k: int) -> str:
        return f"{sample_name(labels, k, k + window - 1)} (a rolling window)"

    xv = sliding_window_view(x, rows, axis=0)                      # (n_windows, N p, rows)
    yv = sliding_window_view(y, rows, axis=0)                      # (n_windows, N, rows)
    step = max(1, CHUNK_CELLS // (rows * k))
    for a in range(0, n_windows, step):
        b = min(n_windows, a + step)
        xw, yw = xv[a:b], yv[a:b]
        x_mean, y_mean = xw.mean(axis=2), yw.mean(axis=2)
        xc = xw - x_mean[:, :, None]
        yc = yw - y_mean[:, :, None]
        gram = xc @ xc.transpose(0, 2, 1)
        singular = collinear(gram)
        if singular.any():
            raise collinear_lags_error(where(a + int(np.argmax(singular))))
        beta = np.linalg.solve(gram, xc @ yc.transpose(0, 2, 1))    # (c, N p, N)
        resid = yc - beta.transpose(0, 2, 1) @ xc
        sigma[a:b] = resid @ resid.transpose(0, 2, 1) / (rows - k)
        check_errors(sigma[a:b], (yc**2).sum(axis=2), rows - k, codes,
                      lambda j, a=a: where(a + j))
        coefs[a:b] = beta.reshape(b - a, lags, n, n).transpose(0, 1, 3, 2)
        intercept[a:b] = y_mean - np.einsum("cij,cj->ci", beta.transpose(0, 2, 1), x_mean)
    return RollingVar(coefs=coefs, intercept=intercept, sigma=sigma)

def estimate_spillover(
    variables: pd.DataFrame,
    lags: int | None = None,
    horizon: int = 10,
    window: int | None = None,
) -> SpilloverResult:
    """Diebold-Yilmaz connectedness of any set of variables (returns, volatilities...).

    The engine behind :func:`basket.spillover`, for variables the caller has built: a VAR is
    fitted to the whole sample with statsmodels, its generalised forecast-error variance
    decomposition gives the spillover table, and with ``window`` the same is done on every
    rolling window by batched least squares.

    Parameters
    ----------
    variables : pandas.DataFrame
        One column per variable (at least two), one row per observation, no NaN; the index is
        kept for the dates of the rolling figures.
    lags : int, optional
        The VAR's order; by default chosen on the full sample by the Bayesian (Schwarz)
        information criterion over 1 to 10 lags (:func:`select_lags`).
    horizon : int, default 10
        Forecast horizon ``H`` of the decomposition, in observations.
    window : int, optional
        Observations per rolling window; the lag order is the full sample's.

    Returns
    -------
    SpilloverResult
        With ``measure="given"`` and no basket, numeraire or source.

    Raises
    ------
    SpecError
        ``lags``, ``horizon`` or ``window`` not a whole number in range, a window shorter than
        the VAR needs.
    DataError
        Not a DataFrame, fewer than two variables, NaN, too few observations for the lags, a
        window longer than the data, a singular covariance (a flat variable, two variables
        that move together exactly) on the full sample or in a window.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame(rng.normal(size=(500, 3)), columns=["a", "b", "c"])
    >>> res = estimate_spillover(x, lags=1, horizon=10)
    >>> res.table.loc[["a", "b", "c"], ["a", "b", "c"]].sum(axis=1).round(10).tolist()
    [100.0, 100.0, 100.0]
    """
    values, names = check_frame(variables)
    fixed = None if lags is None else check_int(lags, "lags", 1)
    h = check_int(horizon, "horizon", 1)
    w = None if window is None else check_int(window, "window", 2)
    t, n = values.shape
    index = variables.index
    check_sizes(t, n, 1 if fixed is None else fixed, None)
    validate_variables(values, names, sample_name(index, 0, t - 1))
    if fixed is None:
        p, how = select_lags(values, sample="the full sample")
    else:
        p, how = fixed, "fixed by the caller"
    check_sizes(t, n, p, w)
    check_windows(values, t - p, names, index, "the regression rows of the VAR")
    lagged = _lag_matrix(values, p)[1]
    lagged = lagged - lagged.mean(axis=0)
    if collinear(lagged.T @ lagged):
        raise collinear_lags_error(sample_name(index, 0, t - 1))
    fit = fit_var(values, p)
    target = values[p:] - values[p:].mean(axis=0)
    check_errors(fit.sigma[None], (target**2).sum(axis=0)[None], fit.nobs - 1 - n * p, names,
                  lambda k: sample_name(index, 0, t - 1))
    shares = generalized_fevd(ma_coefficients(fit.coefs, h), fit.sigma)
    table = connectedness_table(shares, names)
    to, fr = directional(shares)
    rolling = rolling_net = None
    if w is not None:
        check_windows(values, w - p, names, index, "the regression rows of a rolling window")
        rv = rolling_var(values, p, w, index, names)
        roll_shares = generalized_fevd(ma_coefficients(rv.coefs, h), rv.sigma)
        dates = index[w - 1:]
        rolling = pd.Series(total_connectedness(roll_shares), index=dates, name="total")
        r_to, r_from = directional(roll_shares)
        rolling_net = pd.DataFrame(r_to - r_from, index=dates, columns=pd.Index(names))
    return SpilloverResult(
        table=table,
        total=float(total_connectedness(shares)),
        net=pd.Series(to - fr, index=pd.Index(names), name="net"),
        currencies=tuple(names),
        lags=p,
        lag_selection=how,
        horizon=h,
        start=index[0],
        end=index[-1],
        n_obs=t,
        window=w,
        rolling=rolling,
        rolling_net=rolling_net,
    )
