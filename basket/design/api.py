"""The design wing's face: :func:`stress` and :func:`optimize` (load data, call the pure core).

The pure cores live in :mod:`basket.design.episodes` (the crisis windows,
:func:`~basket.design.episodes.stress_table`), :mod:`basket.design.estimation` (covariance,
model and realised volatility) and :mod:`basket.design.optimizer`
(:func:`~basket.design.optimizer.solve_weights`); this module loads the FX data (bundled ECB
rates by default) and values baskets with :func:`basket.backtest`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from basket._checks import check_flag, require_finite
from basket.currencies import normalize_codes, union_codes
from basket.data import COVERAGE_TOLERANCE_DAYS, FXSource, SourceLike, SourceOptions, load_fx
from basket.data.panel import validate_panel
from basket.dates import parse_range, to_timestamp
from basket.design.episodes import Episode, custom_window, get_episode, list_episodes, stress_table
from basket.design.estimation import (
    fixed_amount_volatility,
    model_volatility,
    return_covariance,
)
from basket.design.optimizer import OBJECTIVES, solve_weights, validate_bounds
from basket.design.results import OptimizationResult, StressResult
from basket.errors import DataError, SimulationError, SpecError
from basket.spec import BasketSpec, load_spec
from basket.valuation.api import backtest
from basket.valuation.loading import panel_for, validate_holding
from basket.valuation.metrics import PERIODS_PER_YEAR

__all__ = ["optimize", "parse_bounds", "stress"]

DEFAULT_CURRENCIES_SPEC = "libra-2019"
"""The basket whose constituents :func:`optimize` allows by default."""


def _coverage(src: FXSource, codes: Sequence[str]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The dates every code is quoted on, by the source's own coverage table (None if unknown)."""
    cov = src.available()
    known = [c for c in codes if c in cov.index and pd.notna(cov.at[c, "first"])]
    if len(known) < len(list(codes)):
        return None
    first = max(pd.Timestamp(cov.at[c, "first"]) for c in known)
    last = min(pd.Timestamp(cov.at[c, "last"]) for c in known)
    return first, last


# ----------------------------------------------------------------------------- stress
def stress(
    spec: str | BasketSpec = "libra-2019",
    episodes: str | Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    numeraires: str | Sequence[str] | None = None,
    rebalance: str | None = None,
    source: SourceLike = "ecb",
    *,
    panel: pd.DataFrame | None = None,
) -> StressResult:
    """Replay historical stress episodes: the basket's and each currency's change and drawdown.

    The basket is valued once with :func:`basket.backtest` over the span of all the windows
    and each episode is a slice of that valuation; each constituent is also shown held alone.

    Parameters
    ----------
    spec : str or BasketSpec, default "libra-2019"
        Seed name, TOML path or spec.
    episodes : str or sequence of str, optional
        Names of shipped episodes (see :func:`basket.list_episodes`); default all of them
        (those the data cover).
    start, end : date-like, optional
        A custom window instead of the episodes; a missing side is the data's first or last
        date.
    numeraires : str or sequence of str, optional
        Currencies to measure in (default: the basket's constituents).
    rebalance : str, optional
        Rebalancing rule (default: the spec's own).
    source : str, path-like, FXSource or SourceOptions, default "ecb"
        FX source (bundled ECB rates by default); see :class:`basket.data.SourceOptions`.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit, meeting :func:`basket.validate_panel`) instead of
        loading one; the episodes it covers are replayed.

    Returns
    -------
    StressResult
        ``.table`` is tidy: ``episode``, ``numeraire``, ``holding`` (``"basket"`` or a code),
        ``first_date``, ``last_date``, ``change`` (simple return from the first to the last
        date in the window) and ``max_drawdown`` (<= 0).

    Raises
    ------
    SimulationError
        An unknown episode, episodes and a custom window together, or a custom window whose
        start is after its end.
    DataError
        An episode or window outside the data, an unknown numeraire.
    SpecError
        An unknown basket or rebalancing rule.

    Examples
    --------
    >>> res = stress("libra-2019", episodes="brexit-2016", numeraires="USD")
    >>> row = res.table.query("holding == 'GBP'").iloc[0]
    >>> str(row.first_date.date()), str(row.last_date.date()), round(float(row.change), 4)
    ('2016-06-23', '2016-08-04', -0.1148)
    """
    spec = validate_holding(load_spec(spec), "a stress test")
    custom = start is not None or end is not None
    if custom and episodes is not None:
        raise SimulationError(
            "give either episodes or a custom start/end window, not both"
        )
    ks = normalize_codes(numeraires) if numeraires is not None else list(spec.currencies)
    if panel is None:
        source = SourceOptions.of(source).opened()
        span = _coverage(source.open(), union_codes(spec.currencies, ks))
        name = source.name
    else:
        validate_panel(panel)
        span = (panel.index[0], panel.index[-1]) if len(panel) else None
        name = "panel"
    if span is not None and spec.periods:
        span = (max(span[0], pd.Timestamp(spec.periods[0].start)), span[1])
    where = (f"the data of source {name!r} for "
             f"{', '.join(union_codes(spec.currencies, ks))}")
    chosen, skipped = _choose_episodes(episodes, start, end, span, where)
    lo = min(pd.Timestamp(e.start) for e in chosen)
    hi = max(pd.Timestamp(e.end) for e in chosen)
    if span is not None:
        lo, hi = max(lo, span[0]), min(hi, span[1])
    res = backtest(spec, lo, hi, rebalance, ks, source, panel=panel)
    fx = panel_for(spec, lo, hi, ks, source, panel).panel
    table = stress_table(res.values, fx, chosen, holdings=spec.currencies)
    require_finite(table[["change", "max_drawdown"]], "stress figure")
    return StressResult(
        basket=spec.name,
        rule=res.rule,
        source=name,
        episodes=tuple(chosen),
        numeraires=tuple(ks),
        table=table,
        skipped=tuple(skipped),
        title=spec.title or spec.name,
    )


def _choose_episodes(
    episodes: str | Sequence[str] | None, start: Any, end: Any,
    span: tuple[pd.Timestamp, pd.Timestamp] | None, where: str,
) -> tuple[list[Episode], list[str]]:
    """The windows to replay (named, all shipped, or a custom one) and the shipped ones skipped.

    ``span`` is the range the data cover (``None`` if the source does not say); ``where``
    names the data in messages.
    """
    tol = pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)

    def inside(ep: Episode) -> bool:
        if span is None:
            return True
        return bool(pd.Timestamp(ep.start) >= span[0] - tol
                    and pd.Timestamp(ep.end) <= span[1] + tol)

    def outside(ep: Episode, what: str) -> DataError:
        assert span is not None
        return DataError(
            f"{what} ({ep.start} to {ep.end}) is outside {where} ({span[0].date()} to "
            f"{span[1].date()}); pick another episode or window"
        )

    if start is not None or end is not None:
        t0, t1 = to_timestamp(start, "start"), to_timestamp(end, "end")
        if t0 is not None and t1 is not None and t0 > t1:
            raise SimulationError(f"custom window: start {t0.date()} is after end {t1.date()}; "
                                  "swap them")
        if t0 is None or t1 is None:
            if span is None:
                raise DataError("give both start and end: the source does not state its coverage")
            t0 = span[0] if t0 is None else t0
            t1 = span[1] if t1 is None else t1
        window = custom_window(t0, t1)
        if not inside(window):
            raise outside(window, "window")
        return [window], []
    if episodes is None:
        shipped = list_episodes()
        chosen = [e for e in shipped if inside(e)]
        if not chosen:
            raise DataError(f"no shipped episode lies inside {where}; give a custom start/end "
                            "window")
        return chosen, [e.name for e in shipped if not inside(e)]
    if isinstance(episodes, str):
        names = [episodes]
    elif isinstance(episodes, (list, tuple)) and all(isinstance(e, str) for e in episodes):
        names = list(episodes)
    else:
        raise SimulationError(f"episodes {episodes!r} must be a name or a list of names (see "
                              "'basket stress --list')")
    if not names:
        raise SimulationError("no episode given; name one (see 'basket stress --list')")
    chosen = [get_episode(n) for n in dict.fromkeys(names)]
    for ep in chosen:
        if not inside(ep):
            raise outside(ep, f"episode {ep.name!r}")
    return chosen, []


# ----------------------------------------------------------------------------- optimize
def parse_bounds(items: Sequence[str] | None) -> dict[str, tuple[float | None, float | None]]:
    """Parse ``["USD=0.5:1", "JPY=:0.2", "GBP=0.1"]`` into ``{code: (lo, hi)}``.

    ``CODE=X`` fixes the weight (``lo = hi = X``); ``CODE=LO:HI`` with either side optional.

    Raises
    ------
    SpecError
        A malformed item, naming it and the expected form.

    Examples
    --------
    >>> parse_bounds(["usd=0.5:1", "JPY=:0.2"])
    {'USD': (0.5, 1.0), 'JPY': (None, 0.2)}
    """
    out: dict[str, tuple[float | None, float | None]] = {}
    for raw in items or ():
        for item in str(raw).split(","):
            if not item.strip():
                continue
            code, eq, rng = item.partition("=")
            if not eq or not code.strip():
                raise SpecError(f"bad bound {item!r}; write CODE=LO:HI, e.g. USD=0.5:1")
            parts = rng.split(":") if ":" in rng else [rng, rng]
            if len(parts) != 2:
                raise SpecError(f"bad bound {item!r}; write CODE=LO:HI, e.g. USD=0.5:1")
            nums: list[float | None] = []
            for p in parts:
                p = p.strip()
                if not p:
                    nums.append(None)
                    continue
                try:
                    nums.append(float(p))
                except ValueError:
                    raise SpecError(
                        f"bad bound {item!r}: {p!r} is not a number; write CODE=LO:HI"
                    ) from None
            out[code.strip().upper()] = (nums[0], nums[1])
    return out


def _slice(panel: pd.DataFrame, a: pd.Timestamp, b: pd.Timestamp, what: str) -> pd.DataFrame:
    first, last = panel.index[0], panel.index[-1]
    tol = pd.Timedelta(days=COVERAGE_TOLERANCE_DAYS)
    if a < first - tol or b > last + tol:
        raise SimulationError(
            f"{what} {a.date()} to {b.date()} is outside the data ({first.date()} to "
            f"{last.date()}); pick dates inside it"
        )
    part = panel.loc[a:b]
    if len(part) < 3:
        raise SimulationError(
            f"{what} {a.date()} to {b.date()} has {len(part)} date(s) with quotes; "
            "it needs at least three, widen it"
        )
    return part


def _windows(
    panel: pd.DataFrame, window: Any, evaluate: Any
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[str]]:
    """Estimation and evaluation slices by the documented defaults."""
    first, last = panel.index[0], panel.index[-1]
    year, day = pd.DateOffset(years=1), pd.Timedelta(days=1)
    w0, w1 = parse_range(window, "estimation window")
    e0, e1 = parse_range(evaluate, "evaluation window")
    notes: list[str] = []
    explicit_eval = evaluate is not None
    if window is None:
        if not explicit_eval:
            e1 = last
            e0 = last - year + day
        else:
            e0 = e0 if e0 is not None else first
            e1 = e1 if e1 is not None else last
        w1 = e0 - day
        w0 = max(e0 - 3 * year, first)
        if w1 < first + 3 * pd.Timedelta(days=7):
            raise DataError(
                f"the data run from {first.date()} to {last.date()}, too short for the default "
                "windows (up to three years to estimate, then the last year to evaluate); give "
                "the estimation window (window=, --window START:END) inside the data"
            )
    else:
        w0 = w0 if w0 is not None else first
        w1 = w1 if w1 is not None else last
        if explicit_eval:
            e0 = e0 if e0 is not None else w1 + day
            e1 = e1 if e1 is not None else last
        else:
            e0, e1 = w1 + day, min(w1 + year, last)
    if w0 > w1:
        raise DataError(f"the estimation window would end ({w1.date()}) before it starts "
                        f"({w0.date()}); give both ends of the window inside the data")
    est = _slice(panel, w0, w1, "estimation window")
    evl: pd.DataFrame | None
    if explicit_eval:
        assert e0 is not None and e1 is not None
        evl = _slice(panel, e0, e1, "evaluation window")
    else:
        assert e0 is not None and e1 is not None
        evl = panel.loc[e0:e1]
        if len(evl) < 3:
            evl = None
            notes.append("no out-of-sample figures: fewer than three dates after the "
                         "estimation window; pass evaluate=(start, end)")
    return est, evl, notes


def _optimisation_panel(codes: list[str], source: SourceLike,
                        panel: pd.DataFrame | None) -> pd.DataFrame:
    """The rates of ``codes``: loaded from ``source``, or the user's panel (validated)."""
    if panel is None:
        return load_fx(codes, None, None, source)
    validate_panel(panel)
    missing = [c for c in codes if c not in panel.columns]
    if missing:
        raise DataError(f"the FX panel has no column for {', '.join(missing)}; add it or allow "
                        "fewer currencies")
    return panel.loc[:, codes]


def _optimum_columns(sol: Any, opt_spec: BasketSpec | None, est: pd.DataFrame,
                     evl: pd.DataFrame | None, panel: pd.DataFrame, ks: list[str],
                     ppy: float) -> dict[str, pd.Series]:
    """The optimum's model volatility, and its realised volatility in and out of sample."""
    weights = sol.weights
    columns: dict[str, pd.Series] = {"optimum_model": sol.volatility}
    columns["optimum_in_sample"] = _realised(weights, opt_spec, est, panel, ks, ppy)
    if evl is None:
        return columns
    if opt_spec is None:
        # the same amounts as in sample: weights at the estimation start, carried forward
        carried = panel.loc[est.index[0]:evl.index[-1]]
        units = weights / carried.iloc[0][weights.index]
        w_eval = units * evl.iloc[0][weights.index]
        w_eval = w_eval / w_eval.sum()
        columns["optimum_out_of_sample"] = fixed_amount_volatility(w_eval, evl, ks, ppy)
    else:
        columns["optimum_out_of_sample"] = _realised(weights, opt_spec, evl, panel, ks, ppy)
    return columns


def _benchmark_columns(bench: BasketSpec, cov: pd.DataFrame, est: pd.DataFrame,
                       evl: pd.DataFrame | None, panel: pd.DataFrame, ks: list[str],
                       ppy: float) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The benchmark's weights, its model volatility and its realized volatility.

    Like with like: the model figure uses the weights the benchmark actually holds on the
    estimation window's first date (a fixed-amounts basket drifts from its stated weights: Libra
    held 53.7/17.1/11.0/10.9/7.3 in 2016, not 50/18/14/11/7), the same basket whose realized
    volatility stands beside it.
    """
    ins = backtest(bench, est.index[0], est.index[-1], numeraires=ks, panel=panel,
                   periods_per_year=ppy)
    weights = ins.weights.iloc[0].rename("weight").astype(np.float64)
    weights = weights[weights > 0]
    weights.index.name = "currency"
    columns = {
        "benchmark_model": model_volatility(weights, cov, ks, ppy),
        "benchmark_in_sample": _vol(ins.metrics["volatility"], ks),
    }
    if evl is not None:
        out = backtest(bench, evl.index[0], evl.index[-1], numeraires=ks, panel=panel,
                       periods_per_year=ppy)
        columns["benchmark_out_of_sample"] = _vol(out.metrics["volatility"], ks)
    return weights, columns


def _realised(
    weights: pd.Series,
    spec: BasketSpec | None,
    part: pd.DataFrame,
    panel: pd.DataFrame,
    numeraires: Sequence[str],
    periods_per_year: float,
) -> pd.Series:
    """Realised volatility of the fixed-amounts basket over ``part`` (a slice of ``panel``)."""
    if spec is not None:
        res = backtest(spec, part.index[0], part.index[-1], numeraires=list(numeraires),
                       panel=panel, periods_per_year=periods_per_year)
        vol = res.metrics["volatility"].astype(np.float64)
        vol.index = pd.Index(list(numeraires), name="numeraire")
        return vol
    return fixed_amount_volatility(weights, part, numeraires, periods_per_year)


def optimize(
    numeraires: str | Sequence[str] | None = None,
    objective: str = "worst",
    currencies: str | Sequence[str] | None = None,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    window: tuple[Any, Any] | None = None,
    evaluate: tuple[Any, Any] | None = None,
    benchmark: str | BasketSpec | None = "libra-2019",
    source: SourceLike = "ecb",
    *,
    long_only: bool = True,
    periods_per_year: float = PERIODS_PER_YEAR,
    panel: pd.DataFrame | None = None,
) -> OptimizationResult:
    """Find the basket weights that are most stable for holders in a set of numeraires.

    Volatility in numeraire ``k`` is modelled with the covariance ``Sigma`` of daily log
    returns of the USD prices over the estimation window, **to first order, as if the weights
    stayed constant**: ``vol_k(w)^2 = (w - e_k)' Sigma (w - e_k) * periods_per_year``. Beside
    this model figure the result reports the realised volatility of the actual fixed-amounts
    basket (a spec with the optimal weights and the window's first date as base date, valued
    with :func:`basket.backtest`), in sample and out of sample, and the same for a benchmark.

    Parameters
    ----------
    numeraires : str or sequence of str, optional
        Currencies the holders measure in (default: the allowed currencies).
    objective : {"single", "mean", "worst"}, default "worst"
        ``single``: the volatility in one numeraire; ``mean``: the mean across numeraires;
        ``worst``: the largest across numeraires.
    currencies : str or sequence of str, optional
        Currencies the basket may hold (default: the Libra 2019 constituents).
    bounds : dict of str to (lo, hi), optional
        Weight bounds per allowed currency, e.g. ``{"USD": (0.5, None)}`` for at least 50% USD.
    window : (start, end) or "START:END", optional
        Estimation window (inclusive; either side None for the data's first/last date).
        Default: the three years before the last year of data.
    evaluate : (start, end) or "START:END", optional
        Out-of-sample window. Default: the last year of data (with the default window), or the
        year after the estimation window.
    benchmark : str, BasketSpec or None, default "libra-2019"
        Basket to compare with (its own amounts and base date); None for none.
    source : str or FXSource, default "ecb"
    long_only : bool, default True
        Forbid short positions.
    periods_per_year : float, default 252
        Annualization of daily figures.
    panel : pandas.DataFrame, optional
        Use this FX panel (USD per unit, meeting :func:`basket.validate_panel`, with a column
        for every allowed currency, numeraire and benchmark currency) instead of loading one.

    Returns
    -------
    OptimizationResult

    Raises
    ------
    SpecError
        Unknown objective, ``single`` with several numeraires, a bound for a currency not
        allowed, malformed bounds or windows, an unknown benchmark.
    SimulationError
        Infeasible bounds, windows outside the data or too short, no convergence.
    DataError
        Unknown currency codes.

    Examples
    --------
    >>> res = optimize(numeraires=["USD", "EUR"], objective="worst",
    ...                currencies=["USD", "EUR"], window=("2019-01-01", "2021-12-31"),
    ...                benchmark=None)
    >>> round(float(res.weights.sum()), 12)
    1.0
    >>> list(res.comparison.columns)
    ['optimum_model', 'optimum_in_sample', 'optimum_out_of_sample']
    """
    if objective not in OBJECTIVES:
        raise SpecError(f"unknown objective {objective!r}; use one of {', '.join(OBJECTIVES)}")
    check_flag(long_only, "long_only")
    allowed = (
        normalize_codes(currencies) if currencies is not None
        else list(load_spec(DEFAULT_CURRENCIES_SPEC).currencies)
    )
    ks = normalize_codes(numeraires) if numeraires is not None else list(allowed)
    if objective == "single" and len(ks) != 1:
        raise SpecError(
            f"objective 'single' needs exactly one numeraire, got {len(ks)} ({', '.join(ks)}); "
            "name one, or use objective 'mean' or 'worst'"
        )
    lo, hi = validate_bounds(allowed, bounds, long_only)
    bench = (validate_holding(load_spec(benchmark), "an optimizer benchmark")
             if benchmark is not None else None)
    codes = union_codes(allowed, ks, bench.currencies if bench is not None else ())
    panel = _optimisation_panel(codes, source, panel)
    est, evl, notes = _windows(panel, window, evaluate)
    cov = return_covariance(est)
    sol = solve_weights(cov, allowed, ks, objective, bounds, long_only=long_only,
                        periods_per_year=periods_per_year)
    weights = sol.weights
    result_bounds = {c: (float(a), float(b)) for c, a, b in zip(allowed, lo, hi)}
    base = OptimizationResult(
        weights=weights, objective=objective, objective_value=sol.objective_value,
        numeraires=tuple(ks), comparison=pd.DataFrame(), window=(est.index[0], est.index[-1]),
    )
    opt_spec = base.to_spec("optimum") if (weights >= 0).all() else None
    if opt_spec is None:
        notes.append("the optimum is short; its realised volatility uses fixed amounts "
                     "computed directly (a basket spec is long-only)")
    columns = _optimum_columns(sol, opt_spec, est, evl, panel, ks, periods_per_year)
    bench_weights = None
    if bench is not None:
        bench_weights, bench_columns = _benchmark_columns(bench, cov, est, evl, panel, ks,
                                                          periods_per_year)
        columns.update(bench_columns)
    order = ["optimum_model", "benchmark_model", "optimum_in_sample", "benchmark_in_sample",
             "optimum_out_of_sample", "benchmark_out_of_sample"]
    comparison = pd.DataFrame({c: columns[c] for c in order if c in columns})
    require_finite(comparison, "volatility")
    comparison.index = pd.Index(ks, name="numeraire")
    return OptimizationResult(
        weights=weights,
        objective=objective,
        objective_value=sol.objective_value,
        numeraires=tuple(ks),
        comparison=comparison,
        window=(est.index[0], est.index[-1]),
        evaluate=None if evl is None else (evl.index[0], evl.index[-1]),
        benchmark=None if bench is None else bench.name,
        benchmark_weights=bench_weights,
        bounds=result_bounds,
        long_only=long_only,
        source=SourceOptions.of(source).name,
        periods_per_year=float(periods_per_year),
        solver={"method": sol.method, "iterations": sol.iterations},
        notes=tuple(notes),
    )


def _vol(series: pd.Series, ks: Sequence[str]) -> pd.Series:
    out = series.astype(np.float64).copy()
    out.index = pd.Index(list(ks), name="numeraire")
    return out.rename("volatility")

