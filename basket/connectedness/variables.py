"""The variables of a connectedness VAR, and whether a sample can identify it (pure).

Conventions, stated once for the module:

* rates are **US dollars per one unit** (an FX panel); a currency ``c`` measured in numeraire
  ``k`` is worth ``P_c / P_k`` units of ``k``, and its daily **log return** on date ``t`` is
  ``r_t = log(P_c,t / P_k,t) - log(P_c,t-1 / P_k,t-1)``, dated ``t``;
* the **volatility** measure is the absolute log return ``|r_t|``, a proxy for that day's
  volatility (its mean is ``sigma_t sqrt(2/pi)`` for normal returns; the decomposition does not
  depend on the scale of a variable);
* a VAR with ``N`` variables and ``p`` lags needs at least ``(N + 1)(p + 1)`` observations
  (:func:`min_observations`); a sample whose covariance is singular - a variable that does not
  move (a currency pegged to the numeraire), two that move together exactly, a variable its
  own lags predict exactly, collinear lags or errors - is refused with a one-line
  :class:`~basket.errors.DataError` naming the variables and the dates, never fitted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray

from basket.errors import DataError, SpecError

__all__ = [
    "CHUNK_CELLS",
    "COLLINEAR_TOLERANCE",
    "FLAT_TOLERANCE",
    "MEASURES",
    "check_errors",
    "check_frame",
    "check_int",
    "check_sizes",
    "check_windows",
    "collinear",
    "collinear_lags_error",
    "currency_variables",
    "min_observations",
    "sample_name",
    "validate_variables",
]

Array = NDArray[np.float64]

MEASURES: dict[str, str] = {
    "returns": "daily log return",
    "volatility": "absolute daily log return (a volatility proxy)",
}
"""The variables :func:`currency_variables` builds, and what each is."""


FLAT_TOLERANCE = 1e-8
"""A variable whose standard deviation is below this fraction of the largest one is flat."""

COLLINEAR_TOLERANCE = 1e-10
"""A correlation matrix whose smallest eigenvalue is below this is singular."""

CHUNK_CELLS = 2_000_000
"""Windows are checked and solved in chunks of about this many cells (bounds the memory)."""


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


def sample_name(index: pd.Index, a: int, b: int) -> str:
    """Observations ``a`` to ``b`` in words: their dates, or their labels."""
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


def check_windows(values: Array, window: int, names: Sequence[str], index: pd.Index,
                  what: str) -> None:
    """Raise :func:`validate_variables`'s error for the first window with a singular covariance.

    Called with ``window`` the regression rows of a fit (``T - p``), every block of the lag
    matrix (the targets and each lag) is such a window, so none of them is flat or collinear.
    """
    n = values.shape[1]
    step = max(1, CHUNK_CELLS // (window * n))
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
                               f"{sample_name(index, k, k + window - 1)} ({what})")


def collinear(gram: Array) -> NDArray[np.bool_]:
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


def check_errors(sigma: Array, target_ss: Array, dof: int, names: Sequence[str],
                 where: Callable[[int], str]) -> None:
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
    singular = collinear(sigma)
    if singular.any():
        k = int(np.argmax(singular))
        d = np.sqrt(np.diagonal(sigma[k]))
        corr = np.abs(sigma[k] / np.outer(d, d) - np.eye(len(d)))
        i, j = (int(v) for v in np.unravel_index(int(np.argmax(corr)), corr.shape))
        raise DataError(
            f"the VAR's errors of {names[i]} and {names[j]} are collinear over {where(k)}: the "
            "error covariance is singular; leave one of them out"
        )


def collinear_lags_error(where: str) -> DataError:
    """The error for a sample whose lagged regressors are collinear (``where`` names it)."""
    return DataError(
        f"the lagged variables are collinear over {where}: a variable follows an exact linear "
        "rule in time (a trend, a constant step); the VAR's coefficients are not identified, "
        "leave that variable out"
    )


# ----------------------------------------------------------------------------- the measures
def check_int(value: Any, what: str, least: int) -> int:
    """Return ``value`` as an int if it is a whole number (not a bool) of at least ``least``.

    Raises
    ------
    SpecError
        Naming the option, the value and the least allowed.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
        raise SpecError(f"{what} {value!r} must be a whole number, at least {least}")
    return int(value)


def check_frame(variables: Any) -> tuple[Array, list[str]]:
    """Return the values (float64) and column names of a frame of variables, or raise.

    Raises
    ------
    DataError
        Not a DataFrame, fewer than two columns, a repeated name, non-numbers, NaN or infinity.
    """
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


def check_sizes(t: int, n: int, lags: int, window: int | None) -> None:
    """Raise unless ``t`` observations fit a VAR(``lags``) on ``n`` variables (and a window).

    Raises
    ------
    DataError
        Fewer than :func:`min_observations`, a window longer than the data.
    SpecError
        A window shorter than :func:`min_observations`.
    """
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
