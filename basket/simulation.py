"""Monte Carlo simulation of a basket's value in every numeraire (pure numpy/pandas).

Conventions, stated once for the module:

* prices are **US dollars per one unit** of each currency. A path is a sequence of **daily log
  returns** of those prices on a business-day calendar (:func:`pandas.bdate_range`) that starts
  the business day after the last date of the estimation panel. That last date is the *start*
  (day 0). The simulated currencies are the basket's constituents plus the numeraires;
* every simulated value is **relative to the start**: 1.0 on day 0 in every numeraire
  (``start_value`` gives what one unit of the basket is worth at the start). A basket's value in
  numeraire ``k`` is its USD value divided by USD per unit of ``k``, as in
  :mod:`basket.engine`;
* valuation follows :func:`basket.engine.valuate` applied to the path ``[start, day 1, ...]``.
  With rule ``none`` the amounts in force at the start are held. Calendar and band rules start at
  the target weights and reset, value-preserving, to them. ``review`` re-weights from
  window-average prices on each anniversary of the start. It is vectorised across paths;
* losses are positive fractions of the start value at the horizon:
  ``VaR_a = quantile(1 - V_H / V_0, a)`` (linear interpolation) and ``ES_a`` the mean loss at or
  beyond it, the conventions of :mod:`basket.metrics`;
* **reproducibility**: the paths are split into fixed blocks of :data:`BLOCK_PATHS`. Block ``b``
  draws from its own stream, ``SeedSequence(entropy, spawn_key=(*key, b))``, the ``b``-th child
  of one root :class:`numpy.random.SeedSequence`. A worker's chunk is a whole number of blocks,
  so the results are bit-identical whatever the number of workers, the chunk size or the
  executor (threads, processes or a Dask cluster).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._typing import SeedLike
from .currencies import normalize_codes
from .engine import base_date_row, valuate
from .errors import DataError, SimulationError, SpecError
from .metrics import PERIODS_PER_YEAR
from .rebalance import Band, Calendar, NoRebalance, Review, parse_rule
from .results import _jsonable
from .spec import BasketSpec

__all__ = [
    "BLOCK_PATHS",
    "DEFAULT_PERCENTILES",
    "EWMA_LAMBDA",
    "SimulationResult",
    "ewma_covariance",
    "monte_carlo",
    "seed_sequence",
    "stationary_bootstrap_indices",
]

BLOCK_PATHS = 1000
"""Paths per block. Part of the reproducibility contract: block ``b`` always holds paths
``b * BLOCK_PATHS`` to ``(b + 1) * BLOCK_PATHS - 1`` and draws from the ``b``-th child seed."""

SEGMENT_DAYS = 64
"""A block is drawn ``SEGMENT_DAYS`` days at a time, which bounds its memory for any horizon.
Like :data:`BLOCK_PATHS` it is fixed and part of the reproducibility contract: a segment's
numbers are drawn as one ``(currencies, days, paths)`` array of standard normals (normal
method) or one ``(days, paths)`` array of uniforms (bootstrap)."""

FAN_BUDGET = 1 << 24
"""At most this many fan values (days x fan paths x numeraires, 128 MiB of float64) are kept;
beyond it the fan is computed on an evenly spaced grid of days."""

CONSTANT_TOLERANCE = 1e-12
"""A currency whose daily log returns in the window span at most this much (USD: exactly 0) is
simulated with its mean return every day, not drawn: a deterministic path."""

DEFAULT_PERCENTILES = (1.0, 5.0, 25.0, 50.0, 75.0, 95.0, 99.0)
"""Percentiles reported for the value at the horizon and for the fan bands."""

EWMA_LAMBDA = 0.94
"""The RiskMetrics decay factor for daily data."""

DEFAULT_BLOCK_LENGTH = 10.0
"""Default mean block length (days) of the stationary bootstrap."""

_METHODS = ("normal", "bootstrap")
_DRIFTS = ("historical", "zero")
_EXECUTORS = ("thread", "process")
_RISK = ["var_95", "es_95", "var_99", "es_99", "prob_move_gt_x", "volatility_annualized"]


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


def _check_options(
    *, n_paths: Any, horizon: Any, method: Any, block_length: Any, ewma: Any, drift: Any,
    move: Any, workers: Any, executor: Any, scheduler: Any, chunk_paths: Any, fan_paths: Any,
    keep_paths: Any, percentiles: Any, periods_per_year: Any,
) -> dict[str, Any]:
    """Validate the simulation options (before any data is loaded); return them normalised."""
    out: dict[str, Any] = {}
    out["n_paths"] = _check_int(n_paths, "number of paths", 1)
    if isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool) and horizon < 1:
        raise SimulationError(f"horizon {horizon} days must be at least 1, e.g. 252 for a year")
    out["horizon"] = _check_int(horizon, "horizon", 1)
    if method not in _METHODS:
        raise SimulationError(f"unknown method {method!r}; use 'normal' or 'bootstrap'")
    out["method"] = method
    if method == "bootstrap":
        if ewma is not None:
            raise SimulationError("an EWMA covariance applies to method='normal', not bootstrap")
        length = DEFAULT_BLOCK_LENGTH if block_length is None else block_length
        _check_block_length(length)
        out["block_length"] = float(length)
    else:
        if block_length is not None:
            raise SimulationError("block length applies to method='bootstrap', not normal")
        out["block_length"] = None
    if ewma is not None:
        ewma_covariance(np.zeros((1, 1)), ewma)  # validates lambda
        ewma = float(ewma)
    out["ewma"] = ewma
    if drift not in _DRIFTS:
        raise SimulationError(f"unknown drift {drift!r}; use 'historical' or 'zero'")
    out["drift"] = drift
    if not (isinstance(move, (int, float)) and not isinstance(move, bool)
            and math.isfinite(move) and move > 0):
        raise SimulationError(f"move {move!r} must be a positive fraction, e.g. 0.05 for 5%")
    out["move"] = float(move)
    out["workers"] = _check_int(workers, "workers", 1)
    if executor not in _EXECUTORS:
        raise SimulationError(f"unknown executor {executor!r}; use 'thread' or 'process'")
    out["executor"] = executor
    if scheduler is not None and out["workers"] != 1:
        raise SimulationError(
            "workers applies to in-process runs; with a Dask scheduler leave workers=1"
        )
    out["chunk_paths"] = None if chunk_paths is None else _check_int(chunk_paths, "chunk_paths", 1)
    out["fan_paths"] = _check_int(fan_paths, "fan_paths", 1)
    out["keep_paths"] = _check_int(keep_paths, "keep_paths", 0)
    if out["keep_paths"] > out["fan_paths"]:
        raise SimulationError(
            f"keep_paths {keep_paths} exceeds fan_paths {fan_paths}; keep at most fan_paths paths"
        )
    try:
        q = [float(x) for x in percentiles]
    except (TypeError, ValueError):
        raise SimulationError(f"percentiles {percentiles!r} must be numbers in (0, 100)") from None
    if not q or len(set(q)) != len(q) or not all(0.0 < x < 100.0 for x in q):
        raise SimulationError(
            f"percentiles {percentiles!r} must be distinct numbers in (0, 100), e.g. (5, 50, 95)"
        )
    out["percentiles"] = tuple(q)
    if not (isinstance(periods_per_year, (int, float)) and periods_per_year > 0):
        raise SimulationError(f"periods_per_year {periods_per_year!r} must be positive, e.g. 252")
    out["periods_per_year"] = float(periods_per_year)
    return out


# ----------------------------------------------------------------------------- the plan
@dataclass(frozen=True, eq=False)
class _Plan:
    """Everything a worker needs to simulate any block (small, picklable)."""

    n_paths: int
    horizon: int
    entropy: Any
    spawn_key: tuple[int, ...]
    pool_size: int
    method: str
    m: int                    # simulated currencies: basket ones (0..n-1), then numeraires
    n: int
    rand: np.ndarray          # columns with random returns
    det: np.ndarray           # columns with a constant return (USD: zero)
    mu_rand: np.ndarray
    mu_det: np.ndarray
    chol: np.ndarray          # normal: daily covariance factor of the random columns
    hist: np.ndarray          # bootstrap: (N, len(rand)) history of the random columns
    p_new: float
    numer: np.ndarray         # columns of the numeraires
    kind: str                 # arithmetic | geometric
    a0: np.ndarray            # start value shares (geometric: index weights)
    rule: str                 # none | calendar | band | review
    target: np.ndarray
    band: float
    event: np.ndarray         # (T+1,) rows the rule must look at
    resets: np.ndarray        # (T+1,) calendar reset rows
    review_day: np.ndarray
    review_lo: np.ndarray
    fan_pos: np.ndarray       # (T+1,) position of a row in the fan grid, or -1
    n_fan_rows: int
    fan_paths: int
    keep_paths: int


@dataclass(frozen=True, eq=False)
class _BlockOut:
    block: int
    x_t: np.ndarray                 # (m, nb) log price changes at the horizon
    a_t: np.ndarray | None          # (n, nb) value shares in start terms at the horizon
    fan: np.ndarray | None          # (K, rows, fan_n) relative values on the fan grid
    keep: np.ndarray | None         # (m, rows, keep_n) log price changes on the fan grid


def _lincomb(w: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``sum_j w[j] * z[j]`` over the first axis, term by term in a fixed order.

    Plain numpy instead of BLAS: faster for a handful of currencies, and the same bits on every
    machine and thread count.
    """
    out: np.ndarray = z[0] * w[0]
    for j in range(1, len(w)):
        out += z[j] * w[j]
    return out


def _apply_factor(factor: np.ndarray, z: np.ndarray) -> np.ndarray:
    """``factor @ z`` over the first axis of ``z``, skipping zero entries (no BLAS)."""
    out = np.zeros_like(z)
    tmp = np.empty_like(z[0]) if len(z) else z
    for i in range(factor.shape[0]):
        for j in np.flatnonzero(factor[i]):
            np.multiply(z[j], factor[i, j], out=tmp)
            out[i] += tmp
    return out


def _values(plan: _Plan, a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Basket value relative to the start in each numeraire, for log price changes ``x``.

    Currency-major: ``x`` (m, ...) and value shares ``a`` (n,) or (n, ...) give (K, ...),
    ``sum_c a_c exp(x_c - x_k)``. The own-currency term is ``a_k`` exactly, so a basket of one
    currency is worth exactly 1 in it.
    """
    n = plan.n
    out = np.empty((len(plan.numer), *x.shape[1:]))
    if plan.kind == "geometric":
        g = _lincomb(plan.a0, x[:n])
        for j, k in enumerate(plan.numer):
            np.exp(g - x[k], out=out[j])
        return out
    e = np.exp(x[:n])
    s = _lincomb(a, e)
    for j, k in enumerate(plan.numer):
        o = out[j]
        if k < n:
            ek, ak = e[k], a[k]
            np.subtract(s, ak * ek, out=o)
            o /= ek
            o += ak
        else:
            np.exp(-x[k], out=o)
            o *= s
    return out


class _PathValuer:
    """Follows a block's paths day by day: rebalancing state, fan values, kept paths."""

    def __init__(self, plan: _Plan, dn: int, fan_n: int, keep_n: int) -> None:
        self.plan, self.fan_n, self.keep_n = plan, fan_n, keep_n
        n, rows = plan.n, plan.n_fan_rows
        start = plan.target if plan.rule in ("calendar", "band") else plan.a0
        self.a = np.repeat(start[:, None], dn, axis=1)          # (n, dn)
        self.wsum = [np.full((n, dn), 1.0 if lo == 0 else 0.0) for lo in plan.review_lo]
        self.fan = np.empty((len(plan.numer), rows, fan_n))
        self.fan[:, 0] = 1.0
        self.keep = np.zeros((plan.m, rows, keep_n))

    def segment(self, t0: int, x: np.ndarray) -> None:
        """Process days ``t0 + 1 ..`` given log price changes ``x`` (m, S, dn)."""
        plan, fan_n, keep_n = self.plan, self.fan_n, self.keep_n
        rows = np.arange(t0 + 1, t0 + 1 + x.shape[1])
        pos = plan.fan_pos[rows]
        if plan.rule == "none":
            sel = np.flatnonzero(pos >= 0)
            if len(sel) and fan_n:
                self.fan[:, pos[sel]] = _values(plan, plan.a0, x[:, sel, :fan_n])
            if len(sel) and keep_n:
                self.keep[:, pos[sel]] = x[:, sel, :keep_n]
            return
        sel = np.flatnonzero(plan.event[rows] | ((pos >= 0) & (fan_n > 0)))
        if not len(sel):
            return
        e = np.exp(x[: plan.n, sel])
        a, target = self.a, plan.target[:, None]
        for i, local in enumerate(sel):
            t, p = int(rows[local]), e[:, i]
            if plan.rule == "calendar" and plan.resets[t]:
                a[:] = target * _lincomb(a, p) / p
            elif plan.rule == "band":
                held = a * p
                v = held.sum(axis=0)
                breach = (np.abs(held / v - target) > plan.band).any(axis=0)
                if breach.any():
                    a[:, breach] = target * v[breach] / p[:, breach]
            elif plan.rule == "review":
                for j in np.flatnonzero((plan.review_lo <= t) & (t <= plan.review_day)):
                    self.wsum[j] += p
                    if t == plan.review_day[j]:
                        pbar = self.wsum[j] / (plan.review_day[j] - plan.review_lo[j] + 1)
                        raw = target / pbar
                        a[:] = raw * (_lincomb(a, p) / _lincomb(raw, p))
            if pos[local] >= 0:
                if fan_n:
                    self.fan[:, pos[local]] = _values(plan, a[:, :fan_n], x[:, local, :fan_n])
                if keep_n:
                    self.keep[:, pos[local]] = x[:, local, :keep_n]


def _run_block(plan: _Plan, b: int) -> _BlockOut:
    """Simulate block ``b``: its paths depend only on the plan and ``b``.

    Each segment of ``s`` days draws its random numbers currency-major, ``(currencies, s,
    paths)`` standard normals (normal method) or ``(s, paths)`` uniforms (bootstrap).
    """
    lo = b * BLOCK_PATHS
    nb = min(BLOCK_PATHS, plan.n_paths - lo)
    fan_n = min(nb, max(0, plan.fan_paths - lo))
    keep_n = min(nb, max(0, plan.keep_paths - lo))
    seq = np.random.SeedSequence(
        plan.entropy, spawn_key=(*plan.spawn_key, b), pool_size=plan.pool_size
    )
    rng = np.random.Generator(np.random.PCG64(seq))
    horizon, mr, m = plan.horizon, len(plan.rand), plan.m
    dn = nb if plan.rule != "none" else fan_n          # paths followed day by day
    valuer = _PathValuer(plan, dn, fan_n, keep_n) if dn else None
    total = np.zeros((mr, nb))
    carry = np.zeros((mr, dn))
    prev: np.ndarray | None = None
    seg = min(SEGMENT_DAYS, horizon)
    if plan.method == "normal":
        zbuf = np.empty((mr, seg, nb))
    else:
        ubuf, gbuf = np.empty((seg, nb)), np.empty((mr, seg, nb))
        hist_t = np.ascontiguousarray(plan.hist.T)
    for t0 in range(0, horizon, SEGMENT_DAYS):
        s = min(SEGMENT_DAYS, horizon - t0)
        if plan.method == "normal":
            z = zbuf if s == seg else np.empty((mr, s, nb))
            rng.standard_normal(out=z)
            total += z.sum(axis=1)
            if dn:
                r = _apply_factor(plan.chol, z if dn == nb else z[:, :, :dn])
                r += plan.mu_rand[:, None, None]
        else:
            u = ubuf[:s]
            rng.random(out=u)
            idx = _bootstrap_segment(u, hist_t.shape[1], plan.p_new, prev)
            prev = idx[-1]
            g = gbuf if s == seg else np.empty((mr, s, nb))
            np.take(hist_t, idx, axis=1, out=g, mode="clip")
            total += g.sum(axis=1)
            r = g[:, :, :dn]
        if valuer is not None:
            for i in range(s):  # cumulative sum over days, in place
                r[:, i] += carry if i == 0 else r[:, i - 1]
            carry = r[:, -1].copy()
            x = np.empty((m, s, dn))
            x[plan.rand] = r
            days = np.arange(t0 + 1, t0 + 1 + s, dtype=np.float64)
            x[plan.det] = plan.mu_det[:, None, None] * days[None, :, None]
            valuer.segment(t0, x)
    x_t = np.empty((m, nb))
    if plan.method == "normal":
        x_t[plan.rand] = _apply_factor(plan.chol, total) + horizon * plan.mu_rand[:, None]
    else:
        x_t[plan.rand] = total
    x_t[plan.det] = horizon * plan.mu_det[:, None]
    return _BlockOut(
        block=b,
        x_t=x_t,
        a_t=valuer.a if (valuer is not None and plan.rule != "none") else None,
        fan=valuer.fan if (valuer is not None and fan_n) else None,
        keep=valuer.keep if (valuer is not None and keep_n) else None,
    )


def _run_chunk(plan: _Plan, lo: int, hi: int) -> list[_BlockOut]:
    """Simulate blocks ``lo`` to ``hi - 1`` (the unit of work of a worker)."""
    return [_run_block(plan, b) for b in range(lo, hi)]


# ----------------------------------------------------------------------------- execution
class _Collector:
    """Places finished blocks into the full arrays, in block order whatever the finish order."""

    def __init__(self, plan: _Plan, progress: Callable[[int, int], None] | None) -> None:
        self.plan, self.progress, self.done = plan, progress, 0
        n_all, k = plan.n_paths, len(plan.numer)
        self.x_t = np.empty((plan.m, n_all))
        self.a_t = np.empty((plan.n, n_all)) if plan.rule != "none" else None
        self.fan = np.empty((k, plan.n_fan_rows, min(plan.fan_paths, n_all)))
        self.keep = np.empty((plan.m, plan.n_fan_rows, min(plan.keep_paths, n_all)))

    def add(self, outs: list[_BlockOut]) -> None:
        for out in outs:
            lo = out.block * BLOCK_PATHS
            hi = lo + out.x_t.shape[1]
            self.x_t[:, lo:hi] = out.x_t
            if self.a_t is not None and out.a_t is not None:
                self.a_t[:, lo:hi] = out.a_t
            if out.fan is not None:
                self.fan[:, :, lo: lo + out.fan.shape[2]] = out.fan
            if out.keep is not None:
                self.keep[:, :, lo: lo + out.keep.shape[2]] = out.keep
            self.done += hi - lo
        if self.progress is not None:
            self.progress(self.done, self.plan.n_paths)


def _execute(
    plan: _Plan, collector: _Collector, *, workers: int, executor: str, scheduler: Any,
    chunk_paths: int | None,
) -> None:
    n_blocks = -(-plan.n_paths // BLOCK_PATHS)
    if chunk_paths is not None:
        per = max(1, chunk_paths // BLOCK_PATHS)
    elif scheduler is not None:
        per = max(1, n_blocks // 64)                    # at most ~64 tasks on a cluster
    elif executor == "process" and workers > 1:
        per = max(1, n_blocks // (16 * workers))        # amortise pickling
    else:
        per = 1                                         # threads: cheap tasks, good balance
    chunks = [(lo, min(lo + per, n_blocks)) for lo in range(0, n_blocks, per)]
    if scheduler is not None:
        _run_dask(plan, chunks, scheduler, collector)
        return
    if workers == 1:
        for lo, hi in chunks:
            collector.add(_run_chunk(plan, lo, hi))
        return
    import concurrent.futures as cf

    pool: cf.Executor
    if executor == "process":
        import multiprocessing

        pool = cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    else:
        pool = cf.ThreadPoolExecutor(workers, thread_name_prefix="basket-sim")
    with pool:
        futures = [pool.submit(_run_chunk, plan, lo, hi) for lo, hi in chunks]
        for fut in cf.as_completed(futures):
            collector.add(fut.result())


def _client_class(distributed: Any) -> Any:
    """``distributed.Client`` whose failed connection does not block the interpreter.

    A ``Client(address)`` that fails to connect is left half-built with its event loop
    running; its ``__del__`` then waits 60 s to close it. This subclass stops that loop instead.
    """

    class _Client(distributed.Client):  # type: ignore[misc]
        def __del__(self) -> None:
            if getattr(self, "status", None) == "connecting":
                self._loop_runner.stop()
                return
            super().__del__()

    return _Client


def _run_dask(plan: _Plan, chunks: list[tuple[int, int]], scheduler: Any,
              collector: _Collector) -> None:
    try:
        import distributed
    except ImportError:
        raise SimulationError(
            "running on a Dask cluster needs dask.distributed: pip install 'libra-basket[dask]'"
        ) from None
    own = isinstance(scheduler, str)
    if own:
        try:
            client = _client_class(distributed)(scheduler, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            raise SimulationError(
                f"cannot reach the Dask scheduler at {scheduler!r} ({exc}); "
                "give its address as tcp://host:8786"
            ) from None
    elif hasattr(scheduler, "submit") and hasattr(scheduler, "scatter"):
        client = scheduler
    else:
        raise SimulationError(
            f"scheduler {scheduler!r} is neither a distributed.Client nor an address string"
        )
    try:
        [shared] = client.scatter([plan], broadcast=True)
        futures = [client.submit(_run_chunk, shared, lo, hi, pure=False) for lo, hi in chunks]
        for fut in distributed.as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            collector.add(fut.result())
            fut.release()
    finally:
        if own:
            client.close()


# ----------------------------------------------------------------------------- statistics
def _labels(percentiles: Sequence[float]) -> list[str]:
    return [f"p{q:g}" for q in percentiles]


def _quantile_sorted(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``numpy.quantile(..., method="linear")`` along the last axis of an already sorted array.

    Sorting (vectorised in numpy) and interpolating is several times faster than
    :func:`numpy.quantile` on many rows; the interpolation is numpy's own ``_lerp``.
    """
    n = s.shape[-1]
    h = (n - 1) * q
    lo = np.clip(np.floor(h).astype(np.intp), 0, n - 1)
    hi = np.minimum(lo + 1, n - 1)
    t = h - lo
    a, b = s[..., lo], s[..., hi]
    d = b - a
    out: np.ndarray = np.where(t >= 0.5, b - d * (1.0 - t), a + d * t)
    return out


def _stats(ratio: np.ndarray, log_ratio: np.ndarray, q: np.ndarray, move: float,
           scale: float) -> list[float]:
    """Percentiles and mean of ``ratio`` (= V_H / V_0), then the risk figures (``_RISK``).

    Losses ``-(ratio - 1)``: VaR is their linear-interpolation quantile and ES the mean of the
    losses at or beyond it, as :func:`basket.metrics.value_at_risk` and
    :func:`basket.metrics.expected_shortfall` compute them.
    """
    s = np.sort(ratio)
    returns = s - 1.0
    losses = -returns[::-1]
    var = _quantile_sorted(losses, np.array([0.95, 0.99]))
    es = [float(losses[np.searchsorted(losses, v, side="left"):].mean()) for v in var]
    figures = [
        *_quantile_sorted(s, q).tolist(), float(ratio.mean()),
        float(var[0]), es[0], float(var[1]), es[1],
        float(np.count_nonzero(np.abs(returns) > move) / len(s)),
        float(log_ratio.std() * scale),
    ]
    return [f + 0.0 for f in figures]  # + 0.0 turns -0.0 into 0.0


# ----------------------------------------------------------------------------- result
@dataclass(frozen=True)
class SimulationResult:
    """What :func:`basket.simulate` and :func:`monte_carlo` return.

    Every value is **relative to the start** (1.0 on the start date, in every numeraire).

    Attributes
    ----------
    spec : BasketSpec
        The basket simulated.
    method : {"normal", "bootstrap"}
    rule : str
        The rebalancing rule applied along the paths.
    n_paths, horizon : int
        Paths, and business days simulated after the start.
    start : pandas.Timestamp
        Day 0: the last date of the estimation panel.
    dates : pandas.DatetimeIndex
        The ``horizon`` simulated business days.
    window : tuple of pandas.Timestamp
        First and last date of the estimation window (``n_returns`` daily returns).
    start_value : pandas.Series
        Value of one unit of the basket at the start, per numeraire (absolute).
    terminal : pandas.DataFrame
        Rows numeraires; columns the percentiles (``p1`` ... ``p99``) and ``mean`` of
        ``V_H / V_0``, the value at the horizon relative to the start. All paths.
    risk : pandas.DataFrame
        Rows numeraires, over all paths: ``var_95``, ``es_95``, ``var_99``, ``es_99`` (losses at
        the horizon as positive fractions of the start value), ``prob_move_gt_x`` (probability
        that ``|V_H / V_0 - 1| > move`` at the horizon) and ``volatility_annualized``
        (``std(log(V_H / V_0)) * sqrt(periods_per_year / horizon)`` over the paths, ddof 0).
        For i.i.d. daily returns and fixed weights this is the daily volatility annualised.
    fan : dict of str to pandas.DataFrame
        Per numeraire: rows the start and the simulated dates (or a grid of them, see
        ``fan_paths``), columns the percentile bands of the relative value. Computed on the
        first ``fan_paths`` paths.
    constituents : pandas.DataFrame
        The ``terminal`` and ``risk`` columns for each constituent held alone, rows a
        MultiIndex ``(numeraire, holding)``: what a holder in that numeraire would have had
        with that single currency instead of the basket.
    covariance : pandas.DataFrame
        The daily log-return covariance of the simulated currencies: the one the normal
        method used (sample or EWMA), or for the bootstrap that of the window (for reference).
    move : float
        The threshold of ``prob_move_gt_x``.
    fan_paths : int
        Paths the fan bands use (the first ones).
    seed_entropy, seed_spawn_key
        ``np.random.SeedSequence(seed_entropy, spawn_key=seed_spawn_key)`` repeats the run.
    paths : dict of str to pandas.DataFrame
        The first ``keep_paths`` paths' relative values per numeraire (rows as in ``fan``,
        one column per path); empty unless asked for.
    path_prices : dict of str to pandas.DataFrame
        The same paths' simulated prices, USD per unit, per simulated currency.
    notes : tuple of str
        Anything the simulation simplified (IMF rounding, later periods of an amounts basket).
    """

    spec: BasketSpec
    method: str
    rule: str
    n_paths: int
    horizon: int
    start: pd.Timestamp
    dates: pd.DatetimeIndex
    window: tuple[pd.Timestamp, pd.Timestamp]
    n_returns: int
    start_value: pd.Series
    terminal: pd.DataFrame
    risk: pd.DataFrame
    fan: dict[str, pd.DataFrame]
    constituents: pd.DataFrame
    covariance: pd.DataFrame
    move: float
    percentiles: tuple[float, ...]
    fan_paths: int
    seed_entropy: Any
    seed_spawn_key: tuple[int, ...]
    drift: str
    ewma: float | None
    block_length: float | None
    periods_per_year: float = PERIODS_PER_YEAR
    source: str = "panel"
    paths: dict[str, pd.DataFrame] = field(default_factory=dict)
    path_prices: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def numeraires(self) -> list[str]:
        """The numeraires, in the order asked."""
        return [str(k) for k in self.terminal.index]

    @property
    def holdings(self) -> list[str]:
        """The constituents held at the start, in the basket's order."""
        return list(dict.fromkeys(str(c) for c in self.constituents.index.get_level_values(1)))

    def summary(self) -> pd.DataFrame:
        """The headline table, one row per numeraire.

        Columns: the ``p5``, ``p50`` and ``p95`` of the relative value at the horizon (whichever
        were computed), ``var_95``, ``es_95``, ``prob_move_gt_x``, ``volatility_annualized``,
        then ``vol_<CCY>``: the volatility of each constituent held alone.
        """
        pick = [c for c in ("p5", "p50", "p95") if c in self.terminal.columns]
        head = pd.concat(
            [self.terminal.loc[:, pick],
             self.risk.loc[:, ["var_95", "es_95", "prob_move_gt_x", "volatility_annualized"]]],
            axis=1,
        )
        alone = self.constituents["volatility_annualized"].unstack("holding")
        alone = alone.reindex(index=head.index, columns=self.holdings).add_prefix("vol_")
        return pd.concat([head, alone], axis=1)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready figures: the set-up, then ``terminal``, ``risk``, ``constituents`` and
        ``fan`` keyed by numeraire (and holding)."""

        def rows(frame: pd.DataFrame) -> dict[str, Any]:
            return {str(i): {str(c): _jsonable(v) for c, v in frame.loc[i].items()}
                    for i in frame.index}

        constituents: dict[str, Any] = {}
        for (k, c), row in self.constituents.iterrows():
            constituents.setdefault(str(k), {})[str(c)] = {
                str(col): _jsonable(v) for col, v in row.items()
            }
        fan = {
            k: {"dates": [d.date().isoformat() for d in f.index],
                **{str(c): [_jsonable(v) for v in f[c]] for c in f.columns}}
            for k, f in self.fan.items()
        }
        entropy = self.seed_entropy
        entropy = list(entropy) if isinstance(entropy, (tuple, list)) else entropy
        return {
            "basket": self.spec.name,
            "method": self.method,
            "rebalance": self.rule,
            "source": self.source,
            "paths": self.n_paths,
            "horizon": self.horizon,
            "start": self.start.date().isoformat(),
            "end": self.dates[-1].date().isoformat(),
            "window": {"start": self.window[0].date().isoformat(),
                       "end": self.window[1].date().isoformat(), "returns": self.n_returns},
            "drift": self.drift,
            "ewma": self.ewma,
            "block_length": self.block_length,
            "move": self.move,
            "fan_paths": self.fan_paths,
            "periods_per_year": self.periods_per_year,
            "seed": {"entropy": entropy, "spawn_key": list(self.seed_spawn_key)},
            "start_value": {str(k): _jsonable(v) for k, v in self.start_value.items()},
            "terminal": rows(self.terminal),
            "risk": rows(self.risk),
            "constituents": constituents,
            "fan": fan,
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        return (
            f"SimulationResult(basket={self.spec.name!r}, method={self.method!r}, "
            f"rule={self.rule!r}, paths={self.n_paths}, horizon={self.horizon}, "
            f"start={self.start.date()}, numeraires={self.numeraires})"
        )

    def _repr_html_(self) -> str:
        title = (
            f"<h4>Monte Carlo of {self.spec.title or self.spec.name} ({self.method}, "
            f"rebalance {self.rule}): {self.n_paths:,} paths, {self.horizon} days from "
            f"{self.start.date()}</h4>"
        )
        table: str = self.summary().to_html(float_format=lambda x: f"{x:.4f}")
        return title + table


# ----------------------------------------------------------------------------- the core
def _start_state(
    spec: BasketSpec, panel: pd.DataFrame, base_prices: pd.Series | None
) -> tuple[list[str], np.ndarray, float]:
    """Held currencies at the start, their value shares, and the start value in USD."""
    if spec.weights is not None and base_prices is None:
        base = pd.Timestamp(spec.base_date)
        if base < panel.index[0]:
            raise DataError(
                f"basket {spec.name!r} fixes its amounts on {base.date()}, before the panel "
                f"starts ({panel.index[0].date()}); pass base_prices or a longer panel"
            )
        base_prices = panel.iloc[base_date_row(pd.DatetimeIndex(panel.index), base)]
    last = panel.iloc[[-1]]
    val = valuate(spec, last, NoRebalance(), base_prices)
    if spec.method == "geometric":  # a geometric index always states weights
        weights = np.array([(spec.weights or {})[c] for c in val.currencies])
        return list(val.currencies), weights, float(val.values_usd[0])
    units = val.units[0]
    held = [i for i, u in enumerate(units) if u > 0]
    prices = last.loc[:, [val.currencies[i] for i in held]].to_numpy(dtype=np.float64)[0]
    value = units[held] * prices
    return [val.currencies[i] for i in held], value / value.sum(), float(val.values_usd[0])


def _factor(cov: np.ndarray) -> np.ndarray:
    """A matrix ``L`` with ``L @ L.T == cov``: Cholesky, or from eigenvalues when singular."""
    if cov.shape[0] == 0:
        return np.zeros((0, 0))
    try:
        return np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(cov)
        factor: np.ndarray = vecs * np.sqrt(np.clip(vals, 0.0, None))
        return factor


def monte_carlo(
    spec: BasketSpec,
    panel: pd.DataFrame,
    base_prices: pd.Series | None = None,
    *,
    numeraires: Sequence[str] | str | None = None,
    n_paths: int = 10_000,
    horizon: int = 252,
    method: Literal["normal", "bootstrap"] = "normal",
    rebalance: str | None = None,
    ewma: float | None = None,
    block_length: float | None = None,
    drift: Literal["historical", "zero"] = "historical",
    move: float = 0.05,
    seed: SeedLike = None,
    workers: int = 1,
    executor: Literal["thread", "process"] = "thread",
    scheduler: Any = None,
    chunk_paths: int | None = None,
    fan_paths: int = 10_000,
    keep_paths: int = 0,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    periods_per_year: float = PERIODS_PER_YEAR,
    progress: Callable[[int, int], None] | None = None,
) -> SimulationResult:
    """Simulate daily price paths from an estimation panel and value the basket along them.

    Parameters
    ----------
    spec : BasketSpec
        The basket. Its amounts in force on the panel's last date (the start) are held.
    panel : pandas.DataFrame
        The estimation window: USD per unit, a sorted DatetimeIndex, at least the basket's
        currencies and the numeraires, at least three dates. The simulation starts on its last
        date.
    base_prices : pandas.Series, optional
        USD per unit on the base date of a weights basket (default: the panel's row for it).
    numeraires : str or sequence of str, optional
        Currencies to value the basket in (default: the constituents held at the start).
    n_paths : int, default 10000
    horizon : int, default 252
        Business days to simulate.
    method : {"normal", "bootstrap"}, default "normal"
        ``normal``: i.i.d. multivariate normal daily log returns ``mu + L z`` with ``L L'`` the
        window's sample covariance (ddof 1) or, with ``ewma``, its EWMA covariance.
        ``bootstrap``: a stationary block bootstrap (Politis and Romano) of the window's daily
        return vectors, all currencies of one day together, so cross-currency correlation,
        fat tails and volatility clustering come from the data. Currencies whose return never
        changes in the window (USD) are simulated with that constant return.
    rebalance : str, optional
        Rule applied along the paths (default: the spec's): ``none``, ``monthly``,
        ``quarterly``, ``annual``, ``band:0.05``, ``review:5y``.
    ewma : float, optional
        Normal method: use :func:`ewma_covariance` with this lambda (RiskMetrics: 0.94).
    block_length : float, optional
        Bootstrap: mean block length in days (default 10).
    drift : {"historical", "zero"}, default "historical"
        Daily drift: the window's mean log return, or zero (the bootstrap then draws demeaned
        returns).
    move : float, default 0.05
        Threshold of ``prob_move_gt_x`` (a fraction of the start value).
    seed : int, SeedSequence, Generator or None
        See :func:`seed_sequence`. The same seed gives bit-identical results whatever
        ``workers``, ``executor``, ``chunk_paths`` or ``scheduler``.
    workers : int, default 1
        In-process parallelism over blocks (``executor`` threads or processes).
    executor : {"thread", "process"}, default "thread"
    scheduler : distributed.Client or str, optional
        Run the blocks on a Dask cluster (a client, or a scheduler address such as
        ``tcp://10.0.0.5:8786``). Needs ``pip install 'libra-basket[dask]'``.
    chunk_paths : int, optional
        Paths per task for workers or Dask (rounded down to whole blocks of
        :data:`BLOCK_PATHS`). It does not change the results.
    fan_paths : int, default 10000
        The fan bands use the first ``fan_paths`` paths. Per-day percentiles do not merge across
        blocks, so they need every fan path's daily value; keeping them for all paths would
        take ``paths x days x numeraires`` floats (5 GB for a million paths). The values at
        the horizon (percentiles, VaR, ES, probabilities, volatility) use all paths. When
        ``(horizon + 1) x fan_paths x numeraires`` exceeds 2**24, the fan uses every ``s``-th
        day (plus the horizon) for the smallest ``s`` that fits.
    keep_paths : int, default 0
        Return the first ``keep_paths`` paths in full (``paths``, ``path_prices``); at most
        ``fan_paths``.
    percentiles : sequence of float, default (1, 5, 25, 50, 75, 95, 99)
    periods_per_year : float, default 252
        Annualisation of ``volatility_annualized``.
    progress : callable, optional
        Called as ``progress(paths_done, n_paths)`` after each finished chunk.

    Returns
    -------
    SimulationResult

    Raises
    ------
    SimulationError
        A bad option: horizon or paths below 1, unknown method, block length below 1, an EWMA
        lambda outside (0, 1), a bad seed, or an unreachable scheduler.
    SpecError
        An unknown rule, or rebalancing a geometric index.
    DataError
        Too few dates, a missing or unquoted currency in the window, non-positive prices.

    Notes
    -----
    Memory: each block works on ``SEGMENT_DAYS x BLOCK_PATHS x currencies`` floats at a time,
    and the run keeps one row of ``currencies`` floats per path (plus as many value shares
    under a rebalancing rule) and the fan sample. A million paths of 252 days in 5 currencies
    peak well under 1 GiB. IMF rounding is not applied to simulated values, and the amounts of
    an amounts basket do not change at a later period's start.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> idx = pd.bdate_range("2024-01-01", periods=60, name="date")
    >>> eur = 1.1 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.005, 60)))
    >>> fx = pd.DataFrame({"USD": 1.0, "EUR": eur}, index=idx)
    >>> spec = BasketSpec.from_dict(
    ...     {"name": "duo", "weights": {"USD": 0.5, "EUR": 0.5}, "base_date": "2024-01-01"})
    >>> res = monte_carlo(spec, fx, n_paths=2000, horizon=20, seed=1)
    >>> res.terminal.columns.tolist()
    ['p1', 'p5', 'p25', 'p50', 'p75', 'p95', 'p99', 'mean']
    >>> float(res.fan["USD"].iloc[0]["p50"])  # the start
    1.0
    >>> bool(res.risk.loc["USD", "var_99"] > res.risk.loc["USD", "var_95"] > 0)
    True
    """
    opts = _check_options(
        n_paths=n_paths, horizon=horizon, method=method, block_length=block_length, ewma=ewma,
        drift=drift, move=move, workers=workers, executor=executor, scheduler=scheduler,
        chunk_paths=chunk_paths, fan_paths=fan_paths, keep_paths=keep_paths,
        percentiles=percentiles, periods_per_year=periods_per_year,
    )
    root = seed_sequence(seed)
    rule = parse_rule(spec.rebalance if rebalance is None else rebalance)
    if spec.method == "geometric" and not isinstance(rule, NoRebalance):
        raise SpecError("a geometric index is implicitly rebalanced; use rebalance='none'")
    if not isinstance(panel, pd.DataFrame) or not isinstance(panel.index, pd.DatetimeIndex):
        raise DataError("the FX panel must be a DataFrame with a DatetimeIndex of dates")
    if not panel.index.is_monotonic_increasing or not panel.index.is_unique:
        raise DataError("the FX panel's dates must be sorted and unique; sort_index() it first")
    if len(panel) < 3:
        raise DataError(
            f"the estimation window has {len(panel)} date(s); it needs at least three "
            "(two daily returns); widen the window"
        )
    missing = [c for c in spec.currencies if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}")
    held, a0, v0_usd = _start_state(spec, panel, base_prices)
    asked = normalize_codes(numeraires) if numeraires is not None else list(held)
    absent = [k for k in asked if k not in panel.columns]
    if absent:
        raise DataError(f"the FX panel has no rates for numeraire {', '.join(absent)}")
    currencies = held + [k for k in asked if k not in held]
    window = panel.loc[:, currencies]
    prices = window.to_numpy(dtype=np.float64)
    bad = [c for c, col in zip(currencies, prices.T) if np.isnan(col).any()]
    if bad:
        raise DataError(
            f"{bad[0]} has no rate on some dates of the window {panel.index[0].date()} to "
            f"{panel.index[-1].date()}; shorten the window or drop it as a numeraire"
        )
    if (prices <= 0).any() or not np.isfinite(prices).all():
        raise DataError("the FX panel holds a zero, negative or infinite rate; clean it first")

    # --- return model
    returns = np.diff(np.log(prices), axis=0)
    n_ret, m, n = returns.shape[0], len(currencies), len(held)
    const = np.ptp(returns, axis=0) <= CONSTANT_TOLERANCE
    rand, det = np.flatnonzero(~const), np.flatnonzero(const)
    mean = returns.mean(axis=0)
    mu = mean if opts["drift"] == "historical" else np.zeros(m)
    if opts["ewma"] is not None:
        cov = ewma_covariance(returns, opts["ewma"])
    else:
        cov = np.cov(returns, rowvar=False, ddof=1).reshape(m, m)
    cov[det, :] = 0.0
    cov[:, det] = 0.0
    if method == "normal":
        chol = _factor(cov[np.ix_(rand, rand)])
        hist = np.zeros((1, len(rand)))
    else:
        chol = np.zeros((len(rand), len(rand)))
        hist = returns[:, rand] - (mean[rand] if opts["drift"] == "zero" else 0.0)

    # --- calendar and rule
    start = pd.Timestamp(panel.index[-1])
    dates = pd.bdate_range(start + pd.offsets.BDay(1), periods=opts["horizon"], name="date")
    all_dates = pd.DatetimeIndex([start]).append(dates).rename("date")
    t_all = opts["horizon"] + 1
    event = np.zeros(t_all, dtype=bool)
    resets = np.zeros(t_all, dtype=bool)
    review_day = review_lo = np.zeros(0, dtype=np.intp)
    band = 0.0
    if spec.weights is not None and spec.method != "geometric":
        target = np.array([spec.weights[c] for c in held])
    else:
        target = a0.copy()
    if isinstance(rule, Calendar):
        rows = rule.calendar_resets(all_dates)
        resets[rows[rows > 0]] = True
        event |= resets
        kind_rule = "calendar"
    elif isinstance(rule, Band):
        band, kind_rule = rule.width, "band"
        event[:] = True
    elif isinstance(rule, Review):
        kind_rule = "review"
        review_day = np.asarray(rule.calendar_resets(all_dates), dtype=np.intp)
        review_lo = np.array(
            [all_dates.searchsorted(rule.window_start(all_dates[d])) for d in review_day],
            dtype=np.intp,
        )
        for d, lo in zip(review_day, review_lo):
            event[lo: d + 1] = True
    else:
        kind_rule = "none"

    # --- fan grid
    n_numer = len(asked)
    fan_n = min(opts["fan_paths"], opts["n_paths"])
    stride = max(1, -(-t_all * fan_n * n_numer // FAN_BUDGET))
    fan_rows = np.arange(0, t_all, stride)
    if fan_rows[-1] != t_all - 1:
        fan_rows = np.append(fan_rows, t_all - 1)
    fan_pos = np.full(t_all, -1, dtype=np.intp)
    fan_pos[fan_rows] = np.arange(len(fan_rows))

    plan = _Plan(
        n_paths=opts["n_paths"], horizon=opts["horizon"], entropy=root.entropy,
        spawn_key=tuple(root.spawn_key), pool_size=root.pool_size, method=method,
        m=m, n=n, rand=rand, det=det, mu_rand=mu[rand], mu_det=mu[det], chol=chol,
        hist=np.ascontiguousarray(hist), p_new=1.0 / (opts["block_length"] or 1.0),
        numer=np.array([currencies.index(k) for k in asked], dtype=np.intp),
        kind="geometric" if spec.method == "geometric" else "arithmetic", a0=a0,
        rule=kind_rule, target=target, band=band, event=event, resets=resets,
        review_day=review_day, review_lo=review_lo, fan_pos=fan_pos,
        n_fan_rows=len(fan_rows), fan_paths=opts["fan_paths"], keep_paths=opts["keep_paths"],
    )
    collector = _Collector(plan, progress)
    _execute(plan, collector, workers=opts["workers"], executor=opts["executor"],
             scheduler=scheduler, chunk_paths=opts["chunk_paths"])
    return _summarise(
        plan, collector, opts, spec=spec, rule=rule.label, currencies=currencies, held=held,
        asked=asked, start=start, all_dates=all_dates, fan_rows=fan_rows, panel=panel,
        cov=cov, v0_usd=v0_usd, root=root, n_ret=n_ret,
    )


def _summarise(
    plan: _Plan, col: _Collector, opts: dict[str, Any], *, spec: BasketSpec, rule: str,
    currencies: list[str], held: list[str], asked: list[str], start: pd.Timestamp,
    all_dates: pd.DatetimeIndex, fan_rows: np.ndarray, panel: pd.DataFrame, cov: np.ndarray,
    v0_usd: float, root: np.random.SeedSequence, n_ret: int,
) -> SimulationResult:
    """Turn the collected arrays into the result's frames."""
    q = np.asarray(opts["percentiles"]) / 100.0
    labels = _labels(opts["percentiles"])
    scale = math.sqrt(opts["periods_per_year"] / opts["horizon"])
    move = opts["move"]
    x_t = col.x_t
    a = col.a_t if col.a_t is not None else plan.a0
    ratio = _values(plan, a, x_t)
    numer_idx = pd.Index(asked, name="numeraire")
    basket_rows = [_stats(r, np.log(r), q, move, scale) for r in ratio]
    del ratio
    alone_rows, alone_idx = [], []
    for k in asked:
        xk = x_t[currencies.index(k)]
        for c in held:
            log_r = x_t[currencies.index(c)] - xk
            alone_rows.append(_stats(np.exp(log_r), log_r, q, move, scale))
            alone_idx.append((k, c))
    columns = [*labels, "mean", *_RISK]
    basket = pd.DataFrame(basket_rows, index=numer_idx, columns=columns)
    constituents = pd.DataFrame(
        alone_rows, index=pd.MultiIndex.from_tuples(alone_idx, names=["numeraire", "holding"]),
        columns=columns,
    )
    fan_dates = all_dates[fan_rows]
    last = panel.iloc[-1]
    start_value = pd.Series(
        {k: v0_usd / float(last[k]) for k in asked}, name="start_value", dtype=np.float64
    )
    start_value.index.name = "numeraire"
    paths: dict[str, pd.DataFrame] = {}
    path_prices: dict[str, pd.DataFrame] = {}
    n_keep = col.keep.shape[2]
    if n_keep:
        cols = pd.RangeIndex(n_keep, name="path")
        paths = {k: pd.DataFrame(col.fan[j, :, :n_keep].copy(), index=fan_dates, columns=cols)
                 for j, k in enumerate(asked)}
        path_prices = {c: pd.DataFrame(float(last[c]) * np.exp(col.keep[i]),
                                       index=fan_dates, columns=cols)
                       for i, c in enumerate(currencies)}
    col.fan.sort(axis=-1)  # in place: no second copy of the fan sample
    fan = {
        k: pd.DataFrame(_quantile_sorted(col.fan[j], q), index=fan_dates, columns=labels)
        for j, k in enumerate(asked)
    }
    notes = []
    if spec.rounding == "imf":
        notes.append("IMF rounding is not applied to simulated values")
    if spec.periods is not None and any(p.start > start.date() for p in spec.periods):
        notes.append("the amounts in force at the start are held; later periods do not apply")
    window = (pd.Timestamp(panel.index[0]), start)
    return SimulationResult(
        spec=spec, method=opts["method"], rule=rule, n_paths=opts["n_paths"],
        horizon=opts["horizon"], start=start, dates=all_dates[1:], window=window,
        n_returns=n_ret, start_value=start_value,
        terminal=basket.loc[:, [*labels, "mean"]], risk=basket.loc[:, _RISK], fan=fan,
        constituents=constituents,
        covariance=pd.DataFrame(cov, index=pd.Index(currencies, name="currency"),
                                columns=currencies),
        move=move, percentiles=opts["percentiles"], fan_paths=min(opts["fan_paths"],
                                                                  opts["n_paths"]),
        seed_entropy=tuple(root.entropy) if isinstance(root.entropy, Sequence) else root.entropy,
        seed_spawn_key=tuple(root.spawn_key), drift=opts["drift"], ewma=opts["ewma"],
        block_length=opts["block_length"], periods_per_year=opts["periods_per_year"],
        paths=paths, path_prices=path_prices, notes=tuple(notes),
    )
