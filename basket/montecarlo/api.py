"""The user-facing Monte Carlo: :func:`simulate` loads the FX data and calls the pure core,
:func:`basket.montecarlo.model.monte_carlo`.

Every rate is US dollars per one unit of the currency (bundled ECB reference rates by default).
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd

from basket._typing import SeedLike
from basket.currencies import normalize_codes
from basket.data import COVERAGE_TOLERANCE_DAYS, SourceLike, SourceOptions
from basket.dates import parse_range
from basket.errors import DataError, DataGapWarning
from basket.montecarlo.model import DEFAULT_PERCENTILES, SimulationResult, _check_options, monte_carlo
from basket.spec import BasketSpec, load_spec
from basket.valuation.loading import panel_for
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["DEFAULT_WINDOW_YEARS", "resolve_window", "simulate"]

DEFAULT_WINDOW_YEARS = 3
"""Default estimation window: the last three years of data."""


def resolve_window(
    window: str | tuple[Any, Any] | None, dates: pd.DatetimeIndex
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Resolve an estimation window against the dates of the data.

    Parameters
    ----------
    window : str, (start, end) or None
        ``"START:END"`` with ISO dates, either side optional (``"2019-01-01:"``,
        ``":2022-12-30"``), or a pair whose items may be ``None`` (parsed by
        :func:`basket.dates.parse_range`). A missing end is the last date of the data; a missing
        start is three years before the end (or the first date of the data, whichever is
        later).
    dates : pandas.DatetimeIndex
        The dates of the data, sorted.

    Returns
    -------
    (start, end) : tuple of pandas.Timestamp

    Raises
    ------
    DataError
        A malformed window, a start after the end, or a window reaching outside the data.

    Examples
    --------
    >>> idx = pd.bdate_range("2015-01-01", "2024-12-31")
    >>> [str(d.date()) for d in resolve_window(None, idx)]
    ['2021-12-31', '2024-12-31']
    >>> [str(d.date()) for d in resolve_window("2020-01-01:2020-12-31", idx)]
    ['2020-01-01', '2020-12-31']
    """
    lo, hi = parse_range(window, "window")
    first, last = pd.Timestamp(dates[0]), pd.Timestamp(dates[-1])
    span = f"{first.date()} to {last.date()}"
    if hi is None:
        hi = last
    elif hi > last:
        raise DataError(f"window end {hi.date()} is after the data ({span}); pick an earlier end")
    elif hi < first:
        raise DataError(f"window end {hi.date()} is before the data ({span}); pick a later end")
    if lo is None:
        lo = max(first, hi - pd.DateOffset(years=DEFAULT_WINDOW_YEARS))
    elif lo < first:
        raise DataError(
            f"window start {lo.date()} is before the data ({span}); pick a later start"
        )
    if lo >= hi:
        raise DataError(f"window start {lo.date()} is not before its end {hi.date()}; swap them")
    return lo, hi


def _warn_early_start(spec: BasketSpec, asked: list[str], full: pd.DataFrame,
                      source: SourceLike) -> None:
    """Say so when a numeraire's quotes end before the basket's and move the start back."""
    cov = SourceOptions.of(source).open().available()
    def last(c: str) -> pd.Timestamp | None:
        return cov.at[c, "last"] if c in cov.index and pd.notna(cov.at[c, "last"]) else None

    own = [t for t in (last(c) for c in spec.currencies) if t is not None]
    if not own:
        return
    basket_end, start = min(own), pd.Timestamp(full.index[-1])
    slack = pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)
    early = [k for k in asked if (t := last(k)) is not None and t < basket_end - slack]
    if early and start < basket_end - slack:
        warnings.warn(
            f"the simulation starts on {start.date()}, the last date {', '.join(early)} is "
            f"quoted, not on {basket_end.date()} with the basket's own currencies; drop "
            f"{', '.join(early)} as a numeraire (or give --window) to start there",
            DataGapWarning, stacklevel=3,
        )


def _quoted_by_all(asked: list[str], source: SourceLike) -> pd.Timestamp | None:
    """The first date the source quotes every numeraire asked for (``None``: unknown).

    The estimation window is the last years of the data, so a numeraire quoted only from a
    later date (CNY from 2005 in the ECB's file) needs no data before it.
    """
    cov = SourceOptions.of(source).open().available()
    firsts = [pd.Timestamp(cov.at[c, "first"]) for c in asked
              if c in cov.index and pd.notna(cov.at[c, "first"])]
    return max(firsts) if firsts else None


def simulate(
    spec: str | BasketSpec = "libra-2019",
    *,
    n_paths: int = 10_000,
    horizon: int = 252,
    method: Literal["normal", "bootstrap"] = "normal",
    seed: SeedLike = None,
    window: str | tuple[Any, Any] | None = None,
    rebalance: str | None = None,
    numeraires: Sequence[str] | str | None = None,
    block_length: float | None = None,
    ewma: float | None = None,
    drift: Literal["historical", "zero"] = "historical",
    move: float = 0.05,
    source: SourceLike = "ecb",
    workers: int = 1,
    executor: Literal["thread", "process"] = "thread",
    scheduler: Any = None,
    chunk_paths: int | None = None,
    fan_paths: int = 10_000,
    keep_paths: int = 0,
    percentiles: Sequence[float] = DEFAULT_PERCENTILES,
    periods_per_year: float = PERIODS_PER_YEAR,
    progress: Callable[[int, int], None] | None = None,
    panel: pd.DataFrame | None = None,
) -> SimulationResult:
    """Simulate a basket's value over the next ``horizon`` business days, in each numeraire.

    Loads the FX data, takes the estimation window (by default the last three years), and
    runs :func:`basket.montecarlo.model.monte_carlo`. The simulation starts on the window's last
    date with the amounts the basket holds then. See that function for the model, the
    valuation and the reproducibility guarantees.

    Parameters
    ----------
    spec : str or BasketSpec, default "libra-2019"
        A seed name, a TOML path or a spec.
    n_paths : int, default 10000
        Simulated paths.
    horizon : int, default 252
        Business days to simulate (252: about a year).
    method : {"normal", "bootstrap"}, default "normal"
        Multivariate normal daily log returns with the window's covariance, or a stationary
        block bootstrap of the window's daily return vectors.
    seed : int, SeedSequence, Generator or None
        The same seed gives bit-identical results, whatever ``workers``, ``chunk_paths`` or
        ``scheduler``; see :func:`basket.montecarlo.resampling.seed_sequence`.
    window : str or (start, end), optional
        Estimation window, ``"START:END"`` with either side optional (see
        :func:`resolve_window`). Default: the last three years of data.
    rebalance : str, optional
        Rule along the paths (default: the spec's): ``none``, ``monthly``, ``quarterly``,
        ``annual``, ``band:0.05``, ``review:5y``.
    numeraires : str or sequence of str, optional
        Currencies to value the basket in (default: its constituents). Any currency of the
        source works.
    block_length : float, optional
        Bootstrap: mean block length in days (default 10).
    ewma : float, optional
        Normal method: EWMA covariance with this decay (RiskMetrics: 0.94).
    drift : {"historical", "zero"}, default "historical"
        Mean daily log return: the window's, or zero.
    move : float, default 0.05
        Threshold of ``risk.prob_move_gt_<x>pct`` (``prob_move_gt_5pct`` by default).
    source : str or FXSource, default "ecb"
        FX source (bundled ECB rates by default); ignored with ``panel``.
    workers : int, default 1
        In-process parallelism (``executor`` threads or processes).
    executor : {"thread", "process"}, default "thread"
        ``process`` starts fresh interpreters ("spawn"); call it under
        ``if __name__ == "__main__":`` in scripts.
    scheduler : distributed.Client or str, optional
        Run on a Dask cluster: a client or a scheduler address (``tcp://host:8786``).
    chunk_paths : int, optional
        Paths per task with workers or Dask (whole blocks of 1,000); no effect on the results.
    fan_paths : int, default 10000
        Paths used for the per-day fan bands (the horizon figures use all paths).
    keep_paths : int, default 0
        Return this many paths in full (``paths`` and ``path_prices``).
    percentiles : sequence of float, default (1, 5, 25, 50, 75, 95, 99)
    periods_per_year : float, default 252
    progress : callable, optional
        ``progress(paths_done, n_paths)``, called as chunks finish.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit) instead of loading one.

    Returns
    -------
    SimulationResult

    Raises
    ------
    SimulationError
        A bad option (horizon or paths below 1, unknown method, block length below 1 ...).
    SpecError
        Unknown basket or rule.
    DataError
        A window outside the data, an unknown numeraire, too few dates.

    Examples
    --------
    >>> res = simulate("libra-2019", n_paths=2000, horizon=21, seed=7)
    >>> res.numeraires
    ['USD', 'EUR', 'JPY', 'GBP', 'SGD']
    >>> float(res.constituents.loc[("EUR", "EUR"), "horizon_volatility"])
    0.0
    """
    _check_options(
        n_paths=n_paths, horizon=horizon, method=method, block_length=block_length, ewma=ewma,
        drift=drift, move=move, workers=workers, executor=executor, scheduler=scheduler,
        chunk_paths=chunk_paths, fan_paths=fan_paths, keep_paths=keep_paths,
        percentiles=percentiles, periods_per_year=periods_per_year,
    )
    spec = load_spec(spec)
    asked = normalize_codes(numeraires) if numeraires is not None else None
    start = None
    if panel is None and asked:
        start, window_start = _quoted_by_all(asked, source), parse_range(window, "window")[0]
        if start is not None and window_start is not None and window_start < start:
            raise DataError(
                f"the window starts on {window_start.date()}, before the source quotes every "
                f"numeraire asked for ({', '.join(asked)} all from {start.date()}); pick a "
                "later window start or drop the late numeraire")
    data = panel_for(spec, start, None, asked or (), source, panel)
    if panel is None and asked and window is None:
        _warn_early_start(spec, asked, data.panel, source)
    full = data.panel
    lo, hi = resolve_window(window, pd.DatetimeIndex(full.index))
    result = monte_carlo(
        spec, full.loc[lo:hi], data.base_prices, numeraires=asked, n_paths=n_paths,
        horizon=horizon, method=method, rebalance=rebalance, ewma=ewma,
        block_length=block_length, drift=drift, move=move, seed=seed, workers=workers,
        executor=executor, scheduler=scheduler, chunk_paths=chunk_paths, fan_paths=fan_paths,
        keep_paths=keep_paths, percentiles=percentiles, periods_per_year=periods_per_year,
        progress=progress,
    )
    return dataclasses.replace(result, source=data.source)
