"""Monte Carlo simulation of a basket's value in every numeraire (pure numpy/pandas).

Conventions, stated once for the module:

* prices are **US dollars per one unit** of each currency. A path is a sequence of **daily log
  returns** of those prices on a business-day calendar (:func:`pandas.bdate_range`) that starts
  the business day after the last date of the estimation panel. That last date is the *start*
  (day 0). The simulated currencies are the basket's constituents plus the numeraires;
* every simulated value is **relative to the start**: 1.0 on day 0 in every numeraire
  (``start_value`` gives what one unit of the basket is worth at the start). A basket's value in
  numeraire ``k`` is its USD value divided by USD per unit of ``k``, as in
  :mod:`basket.valuation.engine`;
* valuation follows :func:`basket.valuation.engine.valuate` applied to the path ``[start, day 1,
  ...]``. With rule ``none`` the amounts in force at the start are held. Calendar and band rules
  start at the target weights and reset, value-preserving, to them. ``review`` re-weights from
  window-average prices on each anniversary of the start. It is vectorised across paths;
* losses are positive fractions of the start value at the horizon:
  ``VaR_a = quantile(1 - V_H / V_0, a)`` (linear interpolation) and ``ES_a`` the mean loss at or
  beyond it, the conventions of :mod:`basket.valuation.metrics`;
* **reproducibility**: see :mod:`basket.montecarlo.paths` (seeded blocks of
  :data:`~basket.montecarlo.paths.BLOCK_PATHS`), bit-identical whatever the number of workers,
  the chunk size or the executor (threads, processes or a Dask cluster).

This module estimates the return model, builds the :class:`~basket.montecarlo.paths.Plan`, runs
the blocks (:mod:`basket.montecarlo.executor`) and summarises them into a
:class:`~basket.montecarlo.results.SimulationResult`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from basket._checks import require_finite
from basket._typing import SeedLike
from basket.currencies import normalize_codes
from basket.errors import DataError, SimulationError, SpecError
from basket.montecarlo.executor import run_blocks
from basket.montecarlo.paths import BLOCK_PATHS, Collector, Plan, relative_values, run_chunk
from basket.montecarlo.resampling import (
    DEFAULT_BLOCK_LENGTH,
    _check_block_length,
    _check_int,
    ewma_covariance,
    seed_sequence,
)
from basket.montecarlo.results import (
    DEFAULT_PERCENTILES,
    SimulationResult,
    _labels,
    _quantile_sorted,
    _stats,
    risk_columns,
)
from basket.rebalance import Band, Calendar, NoRebalance, Review, parse_rule
from basket.spec import BasketSpec
from basket.valuation.engine import base_date_row, valuate
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["CONSTANT_TOLERANCE", "FAN_BUDGET", "MAX_HORIZON", "MEMORY_BUDGET", "monte_carlo"]

MAX_HORIZON = 13_050
"""The longest horizon simulated, in business days (50 years of 261 days)."""

MEMORY_BUDGET = 4 << 30
"""Bytes the horizon values of all paths may take (4 GiB). Days are streamed block by block, so
the horizon costs time, not memory; the paths are bounded by this budget."""

FAN_BUDGET = 1 << 24
"""At most this many fan values (days x fan paths x numeraires, 128 MiB of float64) are kept;
beyond it the fan is computed on an evenly spaced grid of days."""

CONSTANT_TOLERANCE = 1e-12
"""A currency whose daily log returns in the window span at most this much (USD: exactly 0) is
simulated with its mean return every day, not drawn: a deterministic path."""

_METHODS = ("normal", "bootstrap")
_DRIFTS = ("historical", "zero")
_EXECUTORS = ("thread", "process")


# ----------------------------------------------------------------------------- validation
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
    if out["horizon"] > MAX_HORIZON:
        raise SimulationError(
            f"horizon {out['horizon']:,} days is more than {MAX_HORIZON:,} business days (50 "
            "years); simulate a shorter horizon"
        )
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
        Threshold of ``prob_move_gt_<x>pct`` (a fraction of the start value).
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
        Annualization of ``horizon_volatility``.
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
    >>> bool(res.risk.loc["USD", "horizon_var_99"] > res.risk.loc["USD", "horizon_var_95"] > 0)
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
    _check_window(spec, panel)
    held, a0, v0_usd = _start_state(spec, panel, base_prices)
    asked = normalize_codes(numeraires) if numeraires is not None else list(held)
    absent = [k for k in asked if k not in panel.columns]
    if absent:
        raise DataError(f"the FX panel has no rates for numeraire {', '.join(absent)}")
    currencies = held + [k for k in asked if k not in held]
    _check_memory(opts["n_paths"], len(currencies), len(held), len(asked))
    returns = np.diff(np.log(_window_prices(panel, currencies)), axis=0)
    model = _return_model(returns, opts)
    start = pd.Timestamp(panel.index[-1])
    dates = pd.bdate_range(start + pd.offsets.BDay(1), periods=opts["horizon"], name="date")
    all_dates = pd.DatetimeIndex([start]).append(dates).rename("date")
    schedule = _rule_schedule(rule, all_dates)
    if spec.weights is not None and spec.method != "geometric":
        target = np.array([spec.weights[c] for c in held])
    else:
        target = a0.copy()
    fan_rows, fan_pos = _fan_grid(len(all_dates), min(opts["fan_paths"], opts["n_paths"]),
                                  len(asked))
    plan = Plan(
        n_paths=opts["n_paths"], horizon=opts["horizon"], entropy=root.entropy,
        spawn_key=tuple(root.spawn_key), pool_size=root.pool_size, method=method,
        m=len(currencies), n=len(held), rand=model.rand, det=model.det,
        mu_rand=model.mu[model.rand], mu_det=model.mu[model.det], chol=model.chol,
        hist=model.hist, p_new=1.0 / (opts["block_length"] or 1.0),
        numer=np.array([currencies.index(k) for k in asked], dtype=np.intp),
        kind="geometric" if spec.method == "geometric" else "arithmetic", a0=a0,
        rule=schedule.kind, target=target, band=schedule.band, event=schedule.event,
        resets=schedule.resets, review_day=schedule.review_day, review_lo=schedule.review_lo,
        fan_pos=fan_pos, n_fan_rows=len(fan_rows), fan_paths=opts["fan_paths"],
        keep_paths=opts["keep_paths"],
    )
    collector = Collector(plan, progress)
    chunk = opts["chunk_paths"]
    run_blocks(run_chunk, plan, collector.add, n_blocks=-(-plan.n_paths // BLOCK_PATHS),
               blocks_per_chunk=None if chunk is None else max(1, chunk // BLOCK_PATHS),
               workers=opts["workers"], executor=opts["executor"], scheduler=scheduler,
               heavy_blocks=-(-min(plan.fan_paths, plan.n_paths) // BLOCK_PATHS)
               if plan.rule == "none" and method == "normal" else 0)
    return _summarise(
        plan, collector, opts, spec=spec, rule=rule.label, currencies=currencies, held=held,
        asked=asked, start=start, all_dates=all_dates, fan_rows=fan_rows, panel=panel,
        cov=model.cov, v0_usd=v0_usd, root=root, n_ret=returns.shape[0],
    )


def _check_memory(n_paths: int, m: int, n: int, k: int) -> None:
    """Refuse a run whose per-path arrays would not fit :data:`MEMORY_BUDGET`.

    Each path keeps its log price change of the ``m`` simulated currencies and its ``n`` value
    shares at the horizon, and the summary sorts one numeraire at a time (about four more
    floats a path).
    """
    per_path = 8 * (m + n + 4)
    need = n_paths * per_path + FAN_BUDGET * 8
    if need > MEMORY_BUDGET:
        fit = max((MEMORY_BUDGET - FAN_BUDGET * 8) // per_path, 0)
        raise SimulationError(
            f"{n_paths:,} paths need about {need / 2**30:,.0f} GiB for the values at the horizon "
            f"of {m} currencies; at most {fit:,} paths fit in the {MEMORY_BUDGET >> 30} GiB "
            "budget (days are streamed, so the horizon costs time, not memory); use fewer "
            "paths"
        )


def _check_window(spec: BasketSpec, panel: pd.DataFrame) -> None:
    """The estimation panel's shape: a sorted DatetimeIndex, three dates, the basket's columns."""
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


def _window_prices(panel: pd.DataFrame, currencies: list[str]) -> np.ndarray:
    """The window's prices of the simulated currencies: quoted on every date, positive."""
    prices = panel.loc[:, currencies].to_numpy(dtype=np.float64)
    bad = [c for c, col in zip(currencies, prices.T) if np.isnan(col).any()]
    if bad:
        raise DataError(
            f"{bad[0]} has no rate on some dates of the window {panel.index[0].date()} to "
            f"{panel.index[-1].date()}; shorten the window or drop it as a numeraire"
        )
    if (prices <= 0).any() or not np.isfinite(prices).all():
        raise DataError("the FX panel holds a zero, negative or infinite rate; clean it first")
    return prices


@dataclass(frozen=True)
class _ReturnModel:
    """The daily return model estimated on the window (columns: the simulated currencies)."""

    rand: np.ndarray      # columns drawn at random
    det: np.ndarray       # columns with a constant return (USD: zero)
    mu: np.ndarray        # daily drift of every column
    cov: np.ndarray       # daily covariance (zero rows and columns for ``det``)
    chol: np.ndarray      # normal method: factor of the random block of ``cov``
    hist: np.ndarray      # bootstrap: the window's returns of the random columns


def _return_model(returns: np.ndarray, opts: dict[str, Any]) -> _ReturnModel:
    """Drift, covariance and the draw's ingredients for the normal or bootstrap method."""
    m = returns.shape[1]
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
    if opts["method"] == "normal":
        chol = _factor(cov[np.ix_(rand, rand)])
        hist = np.zeros((1, len(rand)))
    else:
        chol = np.zeros((len(rand), len(rand)))
        hist = returns[:, rand] - (mean[rand] if opts["drift"] == "zero" else 0.0)
    return _ReturnModel(rand, det, mu, cov, chol, np.ascontiguousarray(hist))


@dataclass(frozen=True)
class _Schedule:
    """Where a rebalancing rule acts on the simulated calendar (rows of ``[start, day 1..]``)."""

    kind: str                 # none | calendar | band | review
    event: np.ndarray         # rows the rule must look at
    resets: np.ndarray        # calendar reset rows
    review_day: np.ndarray    # review transition rows
    review_lo: np.ndarray     # first row of each review's averaging window
    band: float


def _rule_schedule(rule: Any, all_dates: pd.DatetimeIndex) -> _Schedule:
    """The rows on which the rule resets or observes prices along the simulated dates."""
    t_all = len(all_dates)
    event = np.zeros(t_all, dtype=bool)
    resets = np.zeros(t_all, dtype=bool)
    none = np.zeros(0, dtype=np.intp)
    if isinstance(rule, Calendar):
        rows = rule.calendar_resets(all_dates)
        resets[rows[rows > 0]] = True
        return _Schedule("calendar", resets.copy(), resets, none, none, 0.0)
    if isinstance(rule, Band):
        event[:] = True
        return _Schedule("band", event, resets, none, none, rule.width)
    if isinstance(rule, Review):
        review_day = np.asarray(rule.calendar_resets(all_dates), dtype=np.intp)
        review_lo = np.array(
            [all_dates.searchsorted(rule.window_start(all_dates[d])) for d in review_day],
            dtype=np.intp,
        )
        for d, lo in zip(review_day, review_lo):
            event[lo: d + 1] = True
        return _Schedule("review", event, resets, review_day, review_lo, 0.0)
    return _Schedule("none", event, resets, none, none, 0.0)


def _fan_grid(t_all: int, fan_n: int, n_numer: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows kept for the fan (every ``stride``-th day within :data:`FAN_BUDGET`, plus the last)
    and each row's position in the grid (-1 when not kept)."""
    stride = max(1, -(-t_all * fan_n * n_numer // FAN_BUDGET))
    fan_rows = np.arange(0, t_all, stride)
    if fan_rows[-1] != t_all - 1:
        fan_rows = np.append(fan_rows, t_all - 1)
    fan_pos = np.full(t_all, -1, dtype=np.intp)
    fan_pos[fan_rows] = np.arange(len(fan_rows))
    return fan_rows, fan_pos


def _summarise(
    plan: Plan, col: Collector, opts: dict[str, Any], *, spec: BasketSpec, rule: str,
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
    ratio = relative_values(plan, a, x_t)
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
    columns = [*labels, "mean", *risk_columns(move)]
    basket = pd.DataFrame(basket_rows, index=numer_idx, columns=columns)
    require_finite(basket, "simulated value at the horizon")
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
        terminal=basket.loc[:, [*labels, "mean"]], risk=basket.loc[:, risk_columns(move)], fan=fan,
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
