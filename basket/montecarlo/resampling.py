"""The random ingredients of the Monte Carlo: seeds, the stationary bootstrap, EWMA covariance.

Conventions, stated once for the module:

* **seeds**: every function takes ``seed: int | SeedSequence | Generator | None`` and turns it
  into one root :class:`numpy.random.SeedSequence` with :func:`seed_sequence`. Nothing here
  touches the global ``np.random`` state, and the same seed gives bit-identical output;
* **returns** are daily log returns of prices in US dollars per one unit, one row per day,
  oldest first, one column per currency;
* **bootstrap indices** are time-major, ``(days, paths)``: row ``t`` holds the history row each
  path uses on day ``t``. Blocks wrap circularly from the last row of history to the first;
* errors are :class:`basket.errors.SimulationError` with a one-line message naming the fix.

:mod:`basket.montecarlo.model` draws its paths with these functions and re-exports the public ones.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from basket._typing import SeedLike
from basket.errors import SimulationError

__all__ = [
    "DEFAULT_BLOCK_LENGTH",
    "EWMA_LAMBDA",
    "ewma_covariance",
    "seed_sequence",
    "stationary_bootstrap_indices",
]

EWMA_LAMBDA = 0.94
"""The RiskMetrics decay factor for daily data."""

DEFAULT_BLOCK_LENGTH = 10.0
"""Default mean block length (days) of the stationary bootstrap."""


# ----------------------------------------------------------------------------- seeds
def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Turn a seed into the root :class:`numpy.random.SeedSequence` of a simulation.

    Parameters
    ----------
    seed : int, SeedSequence, Generator or None
        * ``int`` (>= 0): ``SeedSequence(seed)``.
        * ``SeedSequence``: used as is. It is never spawned from, so it is not changed and the
          same object gives the same results every time.
        * ``Generator``: two 64-bit words drawn from it, ``gen.integers(0, 2**64, size=2)``,
          become the entropy. The generator advances, so two calls with one generator differ,
          and the same generator state gives the same results.
        * ``None``: fresh entropy from the operating system. The result records it (its
          ``seed_entropy``) so the run can be repeated.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    SimulationError
        For a negative integer or any other type.

    Examples
    --------
    >>> seed_sequence(42).entropy
    42
    >>> import numpy as np
    >>> a = seed_sequence(np.random.default_rng(7)).entropy
    >>> a == seed_sequence(np.random.default_rng(7)).entropy
    True
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        words = seed.integers(0, 2**64, size=2, dtype=np.uint64)
        return np.random.SeedSequence([int(w) for w in words])
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise SimulationError(f"seed {seed} is negative; use an integer >= 0")
        return np.random.SeedSequence(int(seed))
    raise SimulationError(
        f"seed {seed!r} is not an int, numpy SeedSequence or Generator; pass e.g. seed=42"
    )


# ----------------------------------------------------------------------------- estimators
def ewma_covariance(returns: Any, lam: float = EWMA_LAMBDA) -> Any:
    """Exponentially weighted covariance of daily returns (RiskMetrics, zero mean).

    Parameters
    ----------
    returns : DataFrame or ndarray, shape (N, m)
        Daily log returns, oldest first.
    lam : float, default 0.94
        Decay factor in (0, 1): the return ``j`` days before the newest weighs ``lam**j``.

    Returns
    -------
    DataFrame or ndarray, shape (m, m)
        ``sum_j lam**j r_(N-1-j) r_(N-1-j)' / sum_j lam**j``: the RiskMetrics recursion
        ``S_t = lam S_(t-1) + (1 - lam) r_t r_t'`` with its weights normalised to sum to one over
        a finite window. Returns are not demeaned (RiskMetrics assumes a zero daily mean). A
        DataFrame in gives a DataFrame out, labelled by its columns.

    Raises
    ------
    SimulationError
        ``lam`` outside (0, 1), or no returns.

    References
    ----------
    J.P. Morgan/Reuters (1996), *RiskMetrics - Technical Document*, 4th ed., section 5.2.

    Examples
    --------
    >>> import numpy as np
    >>> ewma_covariance(np.array([[1.0], [2.0]]), lam=0.5).round(12).tolist()
    [[3.0]]
    """
    if not (isinstance(lam, (int, float)) and 0.0 < lam < 1.0):
        raise SimulationError(f"EWMA lambda {lam!r} must be between 0 and 1, e.g. 0.94")
    arr = np.asarray(returns, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] < 1:
        raise SimulationError("an EWMA covariance needs a 2-D array with at least one return")
    w = lam ** np.arange(arr.shape[0] - 1, -1, -1, dtype=np.float64)
    w /= w.sum()
    cov = (arr * w[:, None]).T @ arr
    if isinstance(returns, pd.DataFrame):
        return pd.DataFrame(cov, index=returns.columns, columns=returns.columns)
    return cov


def _bootstrap_segment(
    u: np.ndarray, n_obs: int, p_new: float, prev: np.ndarray | None
) -> np.ndarray:
    """Stationary-bootstrap row indices for one time-major segment of uniforms ``u`` (S, B).

    Day ``t`` of a path starts a new block when ``u < p_new`` (and always on the path's first
    day, ``prev is None``) at row ``floor(u * (n_obs / p_new))`` (first day:
    ``floor(u * n_obs)``); otherwise it takes the row after the previous day's, circularly.
    """
    s, b = u.shape
    new = u < p_new
    start = np.minimum((u * (n_obs / p_new)).astype(np.intp), n_obs - 1)
    if prev is None:
        new[0] = True
        start[0] = np.minimum((u[0] * n_obs).astype(np.intp), n_obs - 1)
        prev = np.full(b, -1, dtype=np.intp)
    rows = np.arange(s, dtype=np.intp)[:, None]
    pos = np.where(new, rows, -1)
    np.maximum.accumulate(pos, axis=0, out=pos)
    has = pos >= 0
    begun = np.take_along_axis(start, np.maximum(pos, 0), axis=0)
    idx = np.where(has, begun + (rows - pos), prev[None, :] + 1 + rows)
    idx %= n_obs
    return idx


def stationary_bootstrap_indices(
    n_obs: int, n_paths: int, horizon: int, block_length: float, seed: SeedLike = None
) -> np.ndarray:
    """Row indices of a stationary bootstrap (Politis and Romano, 1994).

    Each path starts on a uniformly drawn row. Each following day, with probability
    ``1 / block_length`` it jumps to a new uniform row, else it takes the next row, wrapping
    from the last row to the first. Blocks therefore have geometric lengths with mean
    ``block_length`` and every row is equally likely on every day. One uniform ``u`` per path
    and day decides both: a jump when ``u < p`` (``p = 1 / block_length``), to row
    ``floor(u * n_obs / p)``.

    Parameters
    ----------
    n_obs : int
        Rows of history to draw from.
    n_paths, horizon : int
        Paths and days.
    block_length : float
        Mean block length in days, >= 1 (1 is the i.i.d. bootstrap).
    seed : int, SeedSequence, Generator or None
        See :func:`seed_sequence`.

    Returns
    -------
    ndarray of intp, shape (horizon, n_paths)
        Time-major: row ``t`` holds day ``t`` of every path.

    References
    ----------
    Politis, D. N. and Romano, J. P. (1994), "The Stationary Bootstrap", *Journal of the
    American Statistical Association* 89 (428), 1303-1313.

    Examples
    --------
    >>> idx = stationary_bootstrap_indices(5, n_paths=3, horizon=4, block_length=1e9, seed=0)
    >>> bool(((idx[1:] - idx[:-1]) % 5 == 1).all())  # one endless block: consecutive rows
    True
    """
    _check_int(n_obs, "n_obs", 1)
    _check_int(n_paths, "n_paths", 1)
    _check_int(horizon, "horizon", 1)
    p_new = _check_block_length(block_length)
    rng = np.random.default_rng(seed_sequence(seed))
    return _bootstrap_segment(rng.random((horizon, n_paths)), n_obs, p_new, None)



# ----------------------------------------------------------------------------- validation
def _check_int(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise SimulationError(f"{name} {value!r} must be a whole number >= {low}")
    return int(value)


def _check_block_length(block_length: Any) -> float:
    ok = isinstance(block_length, (int, float)) and not isinstance(block_length, bool)
    if not ok or not math.isfinite(block_length) or block_length < 1:
        raise SimulationError(
            f"block length {block_length!r} must be a number of days >= 1, e.g. 10"
        )
    return 1.0 / float(block_length)
