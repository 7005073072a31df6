"""The VAR behind the connectedness measures: variables, lag choice, full and rolling fits (pure).

Conventions, stated once for the module:

* rates are **US dollars per one unit** (an FX panel); a currency ``c`` measured in numeraire
  ``k`` is worth ``P_c / P_k`` units of ``k``, and its daily **log return** on date ``t`` is
  ``r_t = log(P_c,t / P_k,t) - log(P_c,t-1 / P_k,t-1)``, dated ``t``;
* the **volatility** measure is the absolute log return ``|r_t|``, a proxy for that day's
  volatility (its mean is ``sigma_t sqrt(2/pi)`` for normal returns; the decomposition does not
  depend on the scale of a variable);
* the VAR has an intercept and is fitted by least squares, equation by equation; its error
  covariance is ``E'E / (T - p - K)`` with ``K = 1 + N p`` regressors per equation
  (statsmodels' ``sigma_u``). ``N`` variables and ``p`` lags need at least
  ``(N + 1)(p + 1)`` observations (:func:`min_observations`);
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
from typing import Any, Literal

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
from basket.errors import DataError, SpecError

__all__ = [
    "MAX_LAGS",
    "MEASURES",
    "RollingVar",
    "VarFit",
    "currency_variables",
    "estimate_spillover",
    "fit_var",
    "min_observations",
    "rolling_var",
    "select_lags",
    "validate_variables",
]

Array = NDArray[np.float64]
Measure = Literal["returns", "volatility"]

MEASURES: dict[str, str] = {
    "returns": "daily log return",
    "volatility": "absolute daily log return (a volatility proxy)",
}
"""The variables :func:`currency_variables` builds, and what each is."""

MAX_LAGS = 10
"""The largest lag order the information criterion considers (fewer if the data are short)."""

CRITERION = "bic"
"""The information criterion that picks the lag order: Schwarz's Bayesian criterion."""

FLAT_TOLERANCE = 1e-8
"""A variable whose standard deviation is below this fraction of the largest one is flat."""

COLLINEAR_TOLERANCE = 1e-10
"""A correlation matrix whose smallest eigenvalue is below this is singular."""


def min_observations(n_variables: int, lags: int) -> int:
    """Return the fewest observations a VAR with ``lags`` lags on ``n_variables`` can use.

    ``T - p`` regression rows must leave at least ``N`` degrees of freedom after the
    ``1 + N p`` coefficients of each equation: ``T >= (N + 1)(p + 1)``.

    Examples
    --------
    >>> min_observations(4, 1)
    10
    """
    return (n_variables + 1) * (lags + 1)


# ----------------------------------------------------------------------------- variables
def currency_variables(panel: pd.DataFrame, currencies: Sequence[str], numeraire: str,
                       measure: str = "returns") -> pd.DataFrame:
    """Return the VAR's variables: each currency's daily log return (or its absolute value).

    Parameters
    ----------
    panel : pandas.DataFrame
        FX panel, US dollars per unit, with a column for every currency and the numeraire.
    currencies : sequence of str
        The variables, in order (the numeraire itself must not be among them).
    numeraire : str
        The currency the returns are measured in.
    measure : {"returns", "volatility"}, default "returns"
        ``returns``: ``r_t``; ``volatility``: ``|r_t|``.

    Returns
    -------
    pandas.DataFrame
        One row per date but the first (a return is dated on its last day), one column per
        currency.

    Raises
    ------
    SpecError
        An unknown measure.

    Examples
    --------
    >>> idx = pd.DatetimeIndex(["2020-01-01", "2020-01-02", "2020-01-03"], name="date")
    >>> fx = pd.DataFrame({"USD": 1.0, "EUR": [1.0, 1.1, 1.0]}, index=idx)
    >>> currency_variables(fx, ["USD"], "EUR", "volatility").round(6)["USD"].tolist()
    [0.09531, 0.09531]
    """
    if measure not in MEASURES:
        raise SpecError(f"unknown measure {measure!r}; use one of {', '.join(MEASURES)}")
    codes = list(currencies)
    ratio = np.log(panel[codes].to_numpy(np.float64)) - np.log(
        panel[[numeraire]].to_numpy(np.float64))
    r = np.diff(ratio, axis=0)
    if measure == "volatility":
        r = np.abs(r)
    return pd.DataFrame(r, index=panel.index[1:], columns=pd.Index(codes))


def _where(index: pd.Index, a: int, b: int) -> str:
    lo, hi = index[a], index[b]
    if isinstance(lo, pd.Timestamp):
        return f"{lo.date()} to {hi.date()}"
    return f"observations {lo} to {hi}"


def validate_variables(values: Array, names: Sequence[str], where: str) -> None:
    """Raise if the variables' covariance over a sample is singular; else return None.

    Parameters
    ----------
    values : ndarray, shape (T, N)
    names : sequence of str
    where : str
        The sample, for the message (e.g. ``"2008-01-02 to 2008-10-14"``).

    Raises
    ------
    DataError
        A variable that does not move (a currency pegged to the numeraire), or variables that
        move together exactly (the same currency twice, a currency pegged to another).
    """
    x = np.asarray(values, dtype=np.float64)
    sd = x.std(axis=0, ddof=1)
    flat = sd <= FLAT_TOLERANCE * max(float(sd.max()), np.finfo(float).tiny)
    if flat.any():
        c = names[int(np.argmax(flat))]
        raise DataError(
            f"{c} does not move against the numeraire from {where} (pegged to it?): its "
            "covariance is singular; leave it out with currencies= or pick another numeraire"
        )
    corr = np.corrcoef(x, rowvar=False)
    if float(np.linalg.eigvalsh(corr)[0]) >= COLLINEAR_TOLERANCE:
        return
    off = np.abs(corr - np.eye(len(names)))
    i, j = (int(v) for v in np.unravel_index(int(np.argmax(off)), off.shape))
    raise DataError(
        f"{names[i]} and {names[j]} move together exactly from {where} (correlation "
        f"{float(np.asarray(corr)[i, j]):.10f}; pegged to each other?): the covariance is "
        "singular; leave one out with currencies="
    )


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


_CHUNK_CELLS = 2_000_000
"""Windows are solved in chunks of about this many design-matrix cells (bounds the memory)."""


def _lag_matrix(values: Array, lags: int) -> tuple[Array, Array]:
    """Targets ``y_t`` and regressors ``[y_{t-1}, ..., y_{t-p}]`` for ``t = p .. T-1``."""
    t = values.shape[0]
    x = np.concatenate([values[lags - lag - 1:t - lag - 1] for lag in range(lags)], axis=1)
    return values[lags:], x


def _check_windows(values: Array, window: int, names: Sequence[str], index: pd.Index,
                   what: str) -> None:
    """Raise :func:`validate_variables`'s error for the first window with a singular covariance.

    Called with ``window`` the regression rows of a fit (``T - p``), every block of the lag
    matrix (the targets and each lag) is such a window, so none of them is flat or collinear.
    """
    n = values.shape[1]
    step = max(1, _CHUNK_CELLS // (window * n))
    views = sliding_window_view(values, window, axis=0)            # (n_windows, N, window)
    for a in range(0, views.shape[0], step):
        w = views[a:a + step]
        centred = w - w.mean(axis=2, keepdims=True)
        cov = centred @ centred.transpose(0, 2, 1)
        sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
        flat = sd <= FLAT_TOLERANCE * np.maximum(sd.max(axis=1, keepdims=True),
                                                 np.finfo(float).tiny)
        bad = flat.any(axis=1)
        ok = ~bad
        if ok.any():
            corr = cov[ok] / (sd[ok, :, None] * sd[ok, None, :])
            bad[ok] = np.linalg.eigvalsh(corr)[:, 0] < COLLINEAR_TOLERANCE
        if bad.any():
            k = a + int(np.argmax(bad))
            validate_variables(values[k:k + window], names,
                               f"{_where(index, k, k + window - 1)} ({what})")


def _collinear(gram: Array) -> NDArray[np.bool_]:
    """Which centred cross-product matrices ``X'X`` (a stack) are singular, scale aside."""
    k = gram.shape[-1]
    flat = gram.reshape(-1, k, k)
    d = np.sqrt(np.diagonal(flat, axis1=1, axis2=2))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = flat / (d[:, :, None] * d[:, None, :])
    bad = ~np.isfinite(corr).all(axis=(1, 2))
    good = ~bad
    bad[good] = np.linalg.eigvalsh(corr[good])[:, 0] < COLLINEAR_TOLERANCE
    out: NDArray[np.bool_] = bad.reshape(gram.shape[:-2])
    return out


def _check_errors(sigma: Array, target_ss: Array, dof: int, names: Sequence[str],
                  where: Any) -> None:
    """Raise if a fit's error covariance is singular: an exact fit, or collinear errors.

    ``sigma`` (c, N, N) and the centred targets' sums of squares ``target_ss`` (c, N) of a stack
    of fits; ``where(k)`` names fit ``k``'s sample.
    """
    unexplained = np.diagonal(sigma, axis1=1, axis2=2) * dof / target_ss     # 1 - R^2
    exact = unexplained < FLAT_TOLERANCE**2
    if exact.any():
        k, i = (int(v) for v in np.unravel_index(int(np.argmax(exact)), exact.shape))
        raise DataError(
            f"{names[i]} is predicted exactly by the lags over {where(k)}: R^2 = 1 (a trend or "
            "another exact rule), so its error variance is zero; leave it out"
        )
    singular = _collinear(sigma)
    if singular.any():
        k = int(np.argmax(singular))
        d = np.sqrt(np.diagonal(sigma[k]))
        corr = np.abs(sigma[k] / np.outer(d, d) - np.eye(len(d)))
        i, j = (int(v) for v in np.unravel_index(int(np.argmax(corr)), corr.shape))
        raise DataError(
            f"the VAR's errors of {names[i]} and {names[j]} are collinear over {where(k)}: the "
            "error covariance is singular; leave one of them out"
        )


def _collinear_error(where: str) -> DataError:
    return DataError(
        f"the lagged variables are collinear over {where}: a variable follows an exact linear "
        "rule in time (a trend, a constant step); the VAR's coefficients are not identified, "
        "leave that variable out"
    )


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
        return f"{_where(labels, k, k + window - 1)} (a rolling window)"

    xv = sliding_window_view(x, rows, axis=0)                      # (n_windows, N p, rows)
    yv = sliding_window_view(y, rows, axis=0)                      # (n_windows, N, rows)
    step = max(1, _CHUNK_CELLS // (rows * k))
    for a in range(0, n_windows, step):
        b = min(n_windows, a + step)
        xw, yw = xv[a:b], yv[a:b]
        x_mean, y_mean = xw.mean(axis=2), yw.mean(axis=2)
        xc = xw - x_mean[:, :, None]
        yc = yw - y_mean[:, :, None]
        gram = xc @ xc.transpose(0, 2, 1)
        singular = _collinear(gram)
        if singular.any():
            raise _collinear_error(where(a + int(np.argmax(singular))))
        beta = np.linalg.solve(gram, xc @ yc.transpose(0, 2, 1))    # (c, N p, N)
        resid = yc - beta.transpose(0, 2, 1) @ xc
        sigma[a:b] = resid @ resid.transpose(0, 2, 1) / (rows - k)
        _check_errors(sigma[a:b], (yc**2).sum(axis=2), rows - k, codes,
                      lambda j, a=a: where(a + j))
        coefs[a:b] = beta.reshape(b - a, lags, n, n).transpose(0, 1, 3, 2)
        intercept[a:b] = y_mean - np.einsum("cij,cj->ci", beta.transpose(0, 2, 1), x_mean)
    return RollingVar(coefs=coefs, intercept=intercept, sigma=sigma)


# ----------------------------------------------------------------------------- the measures
def _check_int(value: Any, what: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise SpecError(f"{what} {value!r} must be a whole number, at least {least}")
    return int(value)


def _check_frame(variables: Any) -> tuple[Array, list[str]]:
    if not isinstance(variables, pd.DataFrame):
        raise DataError(
            f"the variables must be a pandas DataFrame (one column each), got "
            f"{type(variables).__name__}"
        )
    names = [str(c) for c in variables.columns]
    if len(names) < 2:
        raise DataError(
            f"connectedness needs at least two variables, got {len(names)} ({', '.join(names)}); "
            "add currencies"
        )
    if len(set(names)) != len(names):
        raise DataError(f"the variables name a column twice: {names}; name each once")
    try:
        values = variables.to_numpy(np.float64)
    except (TypeError, ValueError):
        raise DataError("the variables must be numbers (float columns)") from None
    if not np.isfinite(values).all():
        r, c = np.argwhere(~np.isfinite(values))[0]
        raise DataError(
            f"variable {names[c]} is NaN or infinite at {variables.index[r]}; drop or fill it"
        )
    return values, names


def _check_sizes(t: int, n: int, lags: int, window: int | None) -> None:
    need = min_observations(n, lags)
    if t < need:
        raise DataError(
            f"{t} observations are too few for a VAR with {lags} lag(s) on {n} variables "
            f"(it needs {need}); widen the date range or use fewer lags"
        )
    if window is None:
        return
    if window > t:
        raise DataError(
            f"window {window} is longer than the {t} observations in the data; shorten it or "
            "widen the date range"
        )
    if window < need:
        raise SpecError(
            f"window {window} is shorter than a VAR with {lags} lag(s) on {n} variables needs "
            f"({need} observations); use window >= {need} or fewer lags"
        )


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
    values, names = _check_frame(variables)
    fixed = None if lags is None else _check_int(lags, "lags", 1)
    h = _check_int(horizon, "horizon", 1)
    w = None if window is None else _check_int(window, "window", 2)
    t, n = values.shape
    index = variables.index
    _check_sizes(t, n, 1 if fixed is None else fixed, None)
    validate_variables(values, names, _where(index, 0, t - 1))
    if fixed is None:
        p, how = select_lags(values, sample="the full sample")
    else:
        p, how = fixed, "fixed by the caller"
    _check_sizes(t, n, p, w)
    _check_windows(values, t - p, names, index, "the regression rows of the VAR")
    lagged = _lag_matrix(values, p)[1]
    lagged = lagged - lagged.mean(axis=0)
    if _collinear(lagged.T @ lagged):
        raise _collinear_error(_where(index, 0, t - 1))
    fit = fit_var(values, p)
    target = values[p:] - values[p:].mean(axis=0)
    _check_errors(fit.sigma[None], (target**2).sum(axis=0)[None], fit.nobs - 1 - n * p, names,
                  lambda k: _where(index, 0, t - 1))
    shares = generalized_fevd(ma_coefficients(fit.coefs, h), fit.sigma)
    table = connectedness_table(shares, names)
    to, fr = directional(shares)
    rolling = rolling_net = None
    if w is not None:
        _check_windows(values, w - p, names, index, "the regression rows of a rolling window")
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
